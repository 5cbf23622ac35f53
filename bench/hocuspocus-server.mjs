// Hocuspocus with its default in-memory setup (no extensions, no persistence), for
// bench/compare.sh. Usage: PORT=1234 node hocuspocus-server.mjs
import { Server } from '@hocuspocus/server'

const port = Number(process.env.PORT || 1234)
const server = new Server({ port, address: '127.0.0.1', quiet: true })
await server.listen()
console.log(`hocuspocus listening on 127.0.0.1:${port}`)
