// An unmodified Yjs client using y-websocket's WebsocketProvider, as a Tiptap / y-prosemirror
// page would. Driven by sync-server/tests/interop.rs; prints one JSON line per event.
//
// usage: node yjs-client.mjs ws://127.0.0.1:PORT/sync DOC_ID IDLE_SECONDS TOKEN
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [url, room, idleArg, token] = process.argv.slice(2)
const idleSeconds = Number(idleArg || 0)
const say = (event, extra = {}) => console.log(JSON.stringify({ event, ...extra }))
const fail = (why) => { say('failed', { why }); process.exit(1) }
setTimeout(() => fail('timed out'), (idleSeconds + 30) * 1000)

const doc = new Y.Doc()
const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket, params: { token } })
provider.awareness.setLocalStateField('user', { name: 'yjs' })
let disconnects = 0
provider.on('status', ({ status }) => { if (status === 'disconnected') disconnects++ })

const fragment = doc.getXmlFragment('default')
const paragraphText = () => fragment.length > 0 ? fragment.get(0).toString() : ''

provider.once('sync', async (synced) => {
  if (!synced) fail('not synced')
  say('synced')
  // Write what y-prosemirror writes for "<p>from <b>yjs</b></p>".
  doc.transact(() => {
    const p = new Y.XmlElement('paragraph')
    const t = new Y.XmlText()
    p.insert(0, [t])
    t.insert(0, 'from ')
    t.insert(5, 'yjs', { bold: {} })
    fragment.insert(0, [p])
  })
  say('wrote')
  // Wait for the Rust client's addition.
  await new Promise((resolve) => {
    const check = () => { if (paragraphText().includes(' + rust')) { fragment.unobserveDeep(check); resolve() } }
    fragment.observeDeep(check)
    check()
  })
  say('received', { xml: paragraphText() })
  if (idleSeconds > 0) {
    const start = Date.now()
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
    say('idle', { seconds: (Date.now() - start) / 1000, disconnects, connected: provider.wsconnected })
    if (disconnects > 0 || !provider.wsconnected) fail('dropped while idle')
  }
  say('done')
  provider.destroy()
  process.exit(0)
})
