// Replays an editing trace (josephg/editing-traces JSON, gzip) through Yjs in Node, one
// transaction per edit into one Y.Text, checks the final text and prints the time.
// Run by bench/trace.sh: node bench/yjs_trace.mjs TRACE.json.gz
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';

const trace = JSON.parse(gunzipSync(readFileSync(process.argv[2])).toString('utf8'));
const patches = trace.txns.flatMap((t) => t.patches);
const doc = new Y.Doc();
const text = doc.getText('text');
const start = process.hrtime.bigint();
for (const [pos, del, ins] of patches) {
  doc.transact(() => {
    if (del > 0) text.delete(pos, del);
    if (ins.length > 0) text.insert(pos, ins);
  });
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (text.toString() !== trace.endContent) {
  console.error('the Yjs replay diverged from endContent');
  process.exit(1);
}
console.log(`RESULT node yjs ${seconds.toFixed(3)} ${patches.length}`);
