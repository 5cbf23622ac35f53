// Gather's service worker: keeps the app itself on the device, so a document or a form opened
// before opens again while the server is down. It keeps only the app's own files: the two entry
// pages (the whole app for `/` and `/d/{id}`, the fill page's build for `/f/{id}`) and the files
// trunk emits, whose names carry a content hash. It never keeps `/api/` answers (documents,
// responses, tokens) and never touches the websocket: documents live in IndexedDB, kept by the
// app itself (`app/src/local_store.rs`).
//
// Entry pages: network first, the kept copy when the network fails. Hashed files: the kept copy
// first (a name never changes content). Anything else of the app (`pca-code.json`,
// wasm-bindgen's snippets, whose folder name does not change with their content): network
// first. Everything else is left to the browser.

const CACHE = 'gather-app-v1';
// Where each entry page is kept (cache keys only; nothing is served at these addresses).
const APP_SHELL = '/__gather/shell/app';
const FILL_SHELL = '/__gather/shell/fill';

// The whole app is kept at install; the fill page's build when a fill page is next opened
// through the worker (precaching both at install left the app's copy unusable in testing).
self.addEventListener('install', (event) => {
  event.waitUntil(
    keepShell('/', APP_SHELL)
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith('/api/') || path.startsWith('/sync/') || path === '/healthz' || path === '/sw.js') {
    return;
  }
  if (request.mode === 'navigate') {
    const shell = shellFor(path);
    if (shell) event.respondWith(networkFirst(request, shell));
    return;
  }
  if (isHashed(path)) {
    event.respondWith(cacheFirst(request));
  } else if (path.endsWith('.json') || isSnippet(path)) {
    event.respondWith(networkFirst(request, request));
  }
});

/** The kept entry page for a navigation to `path`, or null for pages the app does not serve. */
function shellFor(path) {
  if (path === '/' || /^\/d\/[A-Za-z0-9_-]+$/.test(path)) return APP_SHELL;
  if (/^\/f\/[A-Za-z0-9_-]+$/.test(path)) return FILL_SHELL;
  return null;
}

/**
 * Trunk's output: `name-<hash>.ext`, the hash a 64-bit number in hex without leading zeros
 * (so 16 digits, or fewer one build in sixteen).
 */
function isHashed(path) {
  return /-[0-9a-f]{10,16}(_bg)?\.(js|wasm|css)$/.test(path);
}

/** wasm-bindgen's JS modules, `snippets/<crate>-<hash>/…`, next to a build's main module. */
function isSnippet(path) {
  return /^(\/fill)?\/snippets\//.test(path);
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      await cache.put(key, response.clone());
      if (key === APP_SHELL || key === FILL_SHELL) keepFilesOf(response.clone(), cache);
    }
    return response;
  } catch (error) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

/** Fetches an entry page and keeps it under `key`, with every file it loads. */
async function keepShell(path, key) {
  const response = await fetch(path, { cache: 'no-cache' });
  if (!response.ok) return;
  const cache = await caches.open(CACHE);
  await cache.put(key, response.clone());
  await keepFilesOf(response, cache);
}

/**
 * Keeps the files an entry page names (`href="/…"`, `'/….js'`), and the modules those import
 * (wasm-bindgen's snippets), so the first visit already leaves a working copy.
 */
async function keepFilesOf(response, cache) {
  const html = await response.text();
  const names = new Set();
  for (const m of html.matchAll(/(?:href=|src=|from |module_or_path: )["']([^"']+)["']/g)) {
    if (m[1].startsWith('/') && isHashed(m[1])) names.add(m[1]);
  }
  await Promise.all([...names].map((name) => keepFile(name, cache)));
}

async function keepFile(name, cache) {
  try {
    if (isHashed(name) && (await cache.match(name, { ignoreVary: true }))) return;
    const response = await fetch(name);
    if (!response.ok) return;
    await cache.put(name, response.clone());
    if (name.endsWith('.js')) {
      const source = await response.text();
      const base = new URL(name, self.location.origin);
      const imports = [...source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/snippets\/[^"']+)["']/g)];
      await Promise.all(imports.map((m) => keepFile(new URL(m[1], base).pathname, cache)));
    }
  } catch (error) {
    // Offline during the install: the next visit keeps it.
  }
}
