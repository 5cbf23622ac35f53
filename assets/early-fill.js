// Gather's early start for a fill link, inlined by trunk as the first script of fill.html. The
// fill page takes a while to download and compile (1.8 s of a first visit over a 1 Mbit/s
// link); this asks for the form at once, so it arrives meanwhile instead of after.
//
// The app takes the request (`app/src/pages/fill/mod.rs`, `take_early_form`) the first time it
// loads the form, and leaves `null`. The link's token travels in the `Authorization` header,
// never in a URL, as the app's own requests do (`app/src/api.rs`).
'use strict';
(() => {
  const page = /^\/f\/([A-Za-z0-9_-]{1,64})$/.exec(location.pathname);
  const fragment = /(?:^#|&)t=([^&]+)/.exec(location.hash);
  if (!page || !fragment || typeof fetch !== 'function') return;
  if ('gatherEarlyForm' in window) return;
  let token = fragment[1];
  try {
    token = decodeURIComponent(token);
  } catch (error) {
    // Not percent-encoded: the app uses it as it is too.
  }
  window.gatherEarlyForm = fetch('/api/forms/' + page[1], {
    headers: { Authorization: 'Bearer ' + token },
  });
})();
