// Gather's early start, inlined by trunk as the first script of index.html. The app takes a
// few hundred milliseconds to download, compile and render; on a first visit to a document
// (this browser keeps no copy of it) this opens the document's socket at once and says
// hello, so the document downloads while the app is still loading.
//
// A browser that keeps a copy gets nothing from it: its hello must name what the copy holds,
// which only the app can read, and measured over a slow link an early socket there only
// delayed the app (BENCHMARKS.md). So then this does nothing.
//
// The app takes the socket and everything it received (`app/src/connection/early.rs`). It
// keeps the socket only when this hello is the hello it would have sent itself; otherwise it
// closes the socket and connects on its own. Once the app has looked (it leaves `null`),
// this script, if it ever ran that late, does nothing.
'use strict';
(() => {
  const page = /^\/d\/([A-Za-z0-9_-]{1,64})$/.exec(location.pathname);
  const fragment = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (!page || !fragment || typeof WebSocket !== 'function') return;
  if ('gatherEarlySocket' in window) return;
  const id = page[1];
  let token = fragment[1];
  try {
    token = decodeURIComponent(token);
  } catch (error) {
    // Not percent-encoded: the app uses it as it is too.
  }
  // The hello of a browser that keeps nothing of the document: durable receipts please,
  // large messages in pieces (deflated welcome) please, and sync step 1 with an empty state
  // vector. The app's tests check these bytes against the shared crate's `ClientSync`.
  const FIRST_HELLO = new Uint8Array([100, 0, 102, 1, 1, 0, 0, 1, 0]);
  // The same test as the app's: a mark for a kept copy, or edits a closed page left behind.
  try {
    if (
      localStorage.getItem(`gather-kept:${id}`) !== null ||
      Object.keys(localStorage).some((key) => key.startsWith(`gather-pending:${id}:`))
    ) {
      return;
    }
  } catch (error) {
    // No localStorage: leave it to the app.
    return;
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/sync/${id}?token=${encodeURIComponent(token)}`;
  let socket;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    return;
  }
  socket.binaryType = 'arraybuffer';
  const early = { id, socket, received: [], hello: null };
  socket.onmessage = (event) => early.received.push(event.data);
  socket.onopen = () => {
    socket.send(FIRST_HELLO);
    early.hello = FIRST_HELLO;
  };
  window.gatherEarlySocket = early;
})();
