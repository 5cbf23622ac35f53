// The documents this browser keeps, in IndexedDB: per document id, the whole yrs state (v1
// update) and how many of the user's edits in it the server had not confirmed as durable.
// Loaded by wasm-bindgen as a module of its own (no inline script: the CSP forbids them).
// `app/src/local_store.rs` is the Rust side.

const DB = 'gather';
const STORE = 'docs';
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

function done(transaction, value) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve(value);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

/** The kept copy of `id`: `{ state: Uint8Array, unsaved: number }`, or undefined. */
export async function load(id) {
  const db = await open();
  const transaction = db.transaction(STORE, 'readonly');
  const request = transaction.objectStore(STORE).get(id);
  const record = await done(transaction, null).then(() => request.result);
  return record === undefined ? undefined : record;
}

/**
 * Replaces the kept copy of `id` in one transaction: `merge(old)` gets the kept record (or
 * undefined) and returns the new one, so two tabs of the same document never lose each
 * other's edits.
 */
export async function save(id, merge) {
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  const store = transaction.objectStore(STORE);
  const request = store.get(id);
  request.onsuccess = () => {
    const record = merge(request.result);
    if (record !== undefined && record !== null) store.put(record, id);
  };
  const saved = await done(transaction, true);
  setMarker(id, true);
  return saved;
}

/**
 * A mark in localStorage that IndexedDB keeps a copy of `id`: read synchronously, it spares a
 * first visit the wait for IndexedDB (which takes longest to open on a new profile).
 */
function setMarker(id, kept) {
  try {
    if (kept) localStorage.setItem(`gather-kept:${id}`, '1');
    else localStorage.removeItem(`gather-kept:${id}`);
  } catch (error) {
    // No localStorage: every visit waits for IndexedDB.
  }
}

/** Whether this browser may keep a copy of `id` (false only when it surely does not). */
export function mayHave(id) {
  try {
    return localStorage.getItem(`gather-kept:${id}`) !== null || pendingKeys(id).length > 0;
  } catch (error) {
    return true;
  }
}

/**
 * Keeps `update` (what this page changed since its last completed save) in localStorage under
 * `gather-pending:{id}:{tab}`, synchronously: a page being closed gets no more callbacks, and
 * an IndexedDB write started then may never finish. The next page to open the document merges
 * it in. False when localStorage refuses (full, disabled).
 */
export function savePending(id, tab, update, unsaved) {
  try {
    let binary = '';
    for (let i = 0; i < update.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, update.subarray(i, i + 0x8000));
    }
    const value = JSON.stringify({ unsaved, state: btoa(binary) });
    localStorage.setItem(`gather-pending:${id}:${tab}`, value);
    return true;
  } catch (error) {
    return false;
  }
}

/** The pending updates pages left for `id`: `[{ key, state: Uint8Array, unsaved }]`. */
export function loadPending(id) {
  const found = [];
  try {
    for (const key of pendingKeys(id)) {
      try {
        const { unsaved, state } = JSON.parse(localStorage.getItem(key));
        const binary = atob(state);
        const bytes = new Uint8Array(binary.length);
        for (let j = 0; j < binary.length; j++) bytes[j] = binary.charCodeAt(j);
        found.push({ key, state: bytes, unsaved });
      } catch (error) {
        found.push({ key, state: new Uint8Array(), unsaved: 0 });
      }
    }
  } catch (error) {
    // No localStorage: nothing pending.
  }
  return found;
}

/** The localStorage keys of what pages left pending for `id` (throws without localStorage). */
function pendingKeys(id) {
  const prefix = `gather-pending:${id}:`;
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key && key.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/** Forgets pending updates that a completed save now holds. */
export function removePending(keys) {
  try {
    for (const key of keys) localStorage.removeItem(key);
  } catch (error) {
    // Nothing to do.
  }
}

/** Deletes the kept copy of `id`, and what pages left pending for it. */
export async function remove(id) {
  removePending(loadPending(id).map((p) => p.key));
  setMarker(id, false);
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  transaction.objectStore(STORE).delete(id);
  return done(transaction, true);
}
