// Gather's service worker: keeps the app itself on the device, so a document or a form opened
// before opens again while the server is down. It keeps only the app's own files: the three entry
// pages (the whole app for `/` and `/d/{id}`, the fill page's build for `/f/{id}`, the
// organiser's page's for `/d/{id}/responses`, `/today`, `/totals` and `/roster`) and the files trunk emits, whose names carry a content hash. It never keeps `/api/` answers (documents,
// responses, tokens) and never touches the websocket: documents live in IndexedDB, kept by the
// app itself (`app/src/local_store.rs`).
//
// Entry pages: network first, the kept copy when the network fails. Hashed files: the kept copy
// first (a name never changes content). Anything else of the app (`pca-code.json`,
// wasm-bindgen's snippets, whose folder name does not change with their content): network
// first. Everything else is left to the browser.
//
// Each new build brings hashed files with new names. Once a new entry page is kept and every
// file it names is in the cache, the hashed files no kept entry page names are deleted, so
// a device holds one build of each entry page, not every build it ever saw.
// A page still running an older build has its files in memory already; reloaded, it gets the
// kept entry page, whose files are all there.

const CACHE = 'gather-app-v1';
// Where each entry page is kept (cache keys only; nothing is served at these addresses).
const APP_SHELL = '/__gather/shell/app';
const FILL_SHELL = '/__gather/shell/fill';
const ORGANISE_SHELL = '/__gather/shell/organise';
const SHELLS = [APP_SHELL, FILL_SHELL, ORGANISE_SHELL];

// At install the worker keeps the build of the page that registered it (already in the browser's
// cache, so nothing is downloaded twice): a phone that opened a fill link keeps the fill page,
// not the whole app, which would cost a student on a slow, metered link half a megabyte in the
// background, slowing down the form they are filling. Other builds are kept when one is next
// opened through the worker.
self.addEventListener('install', (event) => {
  event.waitUntil(
    keepOpenPages()
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});

/** Keeps the entry page of each kind open in a window (the whole app's if none is), with its files. */
async function keepOpenPages() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = new Map();
  for (const client of windows) {
    const path = new URL(client.url).pathname;
    const shell = shellFor(path);
    if (shell && !open.has(shell)) open.set(shell, path);
  }
  if (open.size === 0) open.set(APP_SHELL, '/');
  await Promise.all([...open].map(([shell, path]) => keepShell(path, shell)));
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const keep = (work) => event.waitUntil(work);
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
    if (shell) event.respondWith(networkFirst(request, shell, keep));
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
  if (/^\/d\/[A-Za-z0-9_-]+\/(responses|today|totals|roster)$/.test(path)) return ORGANISE_SHELL;
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
  return /^(\/fill|\/organise)?\/snippets\//.test(path);
}

/**
 * The network's answer, kept under `key`; the kept one when the network fails. An entry page's
 * files are then kept, and older builds' deleted, as work handed to `keep` (the event's
 * `waitUntil`, so the worker is not stopped halfway).
 */
async function networkFirst(request, key, keep) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      await cache.put(key, response.clone());
      if (keep && SHELLS.includes(key)) {
        keep(keepFilesOf(response.clone(), cache).then((all) => all && pruneOldBuilds(cache)));
      }
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
  if (await keepFilesOf(response, cache)) await pruneOldBuilds(cache);
}

/** The hashed files an entry page's HTML names (`href="/…"`, `'/….js'`). */
function hashedNamesIn(html) {
  const names = new Set();
  for (const m of html.matchAll(/(?:href=|src=|from |module_or_path: )["']([^"']+)["']/g)) {
    if (m[1].startsWith('/') && isHashed(m[1])) names.add(m[1]);
  }
  return names;
}

/**
 * Keeps the files an entry page names, and the modules those import (wasm-bindgen's
 * snippets), so the first visit already leaves a working copy. True if every one is kept.
 */
async function keepFilesOf(response, cache) {
  const names = hashedNamesIn(await response.text());
  const kept = await Promise.all([...names].map((name) => keepFile(name, cache)));
  return kept.every(Boolean);
}

/** Keeps one file (and the snippets a JS module imports); true once it is in the cache. */
async function keepFile(name, cache) {
  try {
    if (isHashed(name) && (await cache.match(name, { ignoreVary: true }))) return true;
    const response = await fetch(name);
    if (!response.ok) return false;
    await cache.put(name, response.clone());
    if (name.endsWith('.js')) {
      const source = await response.text();
      const base = new URL(name, self.location.origin);
      const imports = [...source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/snippets\/[^"']+)["']/g)];
      const kept = await Promise.all(imports.map((m) => keepFile(new URL(m[1], base).pathname, cache)));
      return kept.every(Boolean);
    }
    return true;
  } catch (error) {
    // Offline during the install: the next visit keeps it.
    return false;
  }
}

/**
 * Deletes the kept hashed files that no kept entry page names: older builds'. The cache's
 * keys are listed before the entry pages are read, so a file kept meanwhile for a newer entry
 * page (which is always kept before its files) is never taken for an old one.
 */
async function pruneOldBuilds(cache) {
  const keys = await cache.keys();
  const wanted = new Set();
  for (const shell of SHELLS) {
    const page = await cache.match(shell, { ignoreVary: true });
    if (page) hashedNamesIn(await page.text()).forEach((name) => wanted.add(name));
  }
  // Without the app's entry page there is nothing to tell the current build by.
  if (wanted.size === 0) return;
  await Promise.all(
    keys
      .map((request) => new URL(request.url).pathname)
      .filter((path) => isHashed(path) && !wanted.has(path))
      .map((path) => cache.delete(path, { ignoreVary: true })),
  );
}
