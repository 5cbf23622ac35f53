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
  return done(transaction, true);
}

/** Deletes the kept copy of `id`. */
export async function remove(id) {
  const db = await open();
  const transaction = db.transaction(STORE, 'readwrite');
  transaction.objectStore(STORE).delete(id);
  return done(transaction, true);
}
