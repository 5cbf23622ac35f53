//! The documents this browser keeps, so a document opened before opens again (and can be
//! edited) while the server is down. Per document id IndexedDB holds the whole merged yrs state
//! and how many of the user's edits in it the server had not yet confirmed as durable
//! (`app/js/local_store.js` does the IndexedDB calls).
//!
//! The document page loads the kept state into its document before it connects, so the text
//! shows at once and the sync protocol exchanges only differences; edits not yet durable go
//! to the server in the next sync step 2. [`LocalCopy`] saves the whole state to IndexedDB at
//! most once a second while the document changes (encoding a 100-page document is a stall
//! worth not repeating on every key). When the page is hidden or closed, what changed since
//! the last completed save goes to localStorage at once, synchronously, for the next page to
//! merge in. A deleted document or a revoked link deletes its copy ([`forget`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gather_doc::DocId;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

#[wasm_bindgen(module = "/js/local_store.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = load)]
    async fn js_load(id: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = save)]
    async fn js_save(
        id: &str,
        merge: &Closure<dyn FnMut(JsValue) -> JsValue>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = savePending)]
    fn js_save_pending(id: &str, tab: &str, update: &[u8], unsaved: f64) -> bool;
    #[wasm_bindgen(js_name = loadPending)]
    fn js_load_pending(id: &str) -> js_sys::Array;
    #[wasm_bindgen(js_name = removePending)]
    fn js_remove_pending(keys: Vec<String>);
    #[wasm_bindgen(js_name = mayHave)]
    fn js_may_have(id: &str) -> bool;
    #[wasm_bindgen(catch, js_name = remove)]
    async fn js_remove(id: &str) -> Result<JsValue, JsValue>;
}

/// Origin of the transaction that loads a kept copy (not the user's edit, not the server's).
const LOAD_ORIGIN: &str = "gather-local-copy";
/// Key of the update observer that schedules saving.
const SAVE_OBSERVER: &str = "gather-keep";
/// How long after the last change the copy is saved.
const DEBOUNCE_MS: i32 = 1000;

/// A kept copy as read back.
pub struct Kept {
    /// The whole document, a v1 update.
    pub state: Vec<u8>,
    /// Edits in it the server had not confirmed as durable.
    pub unsaved: usize,
    /// What pages left pending as they closed (v1 updates), and where.
    pending: Vec<Vec<u8>>,
    pending_keys: Vec<String>,
}

impl Kept {
    /// Puts the kept copy into `doc`. False if it could not be read (the copy is then ignored).
    pub fn apply_to(&self, doc: &yrs::Doc) -> bool {
        if !self.state.is_empty() && !apply(doc, &self.state) {
            return false;
        }
        for update in &self.pending {
            apply(doc, update);
        }
        true
    }
}

/// False when this browser surely keeps no copy of `id` (a first visit), known at once: a mark
/// in localStorage, set by every completed save, says whether there is one worth waiting for.
pub fn may_have(id: &DocId) -> bool {
    js_may_have(id.as_str())
}

/// The kept copy of `id`, if this browser has one (and IndexedDB works), with whatever pages
/// left pending as they closed.
pub async fn load(id: &DocId) -> Option<Kept> {
    let record = match js_load(id.as_str()).await {
        Ok(record) => record,
        Err(error) => {
            web_sys::console::warn_2(&"reading the kept document failed".into(), &error);
            JsValue::UNDEFINED
        }
    };
    let main = parse(&record);
    if main.is_none() && !record.is_undefined() {
        web_sys::console::warn_2(&"the kept document is not readable".into(), &record);
    }
    let mut pending = Vec::new();
    let mut pending_keys = Vec::new();
    let mut pending_unsaved = 0;
    for item in js_load_pending(id.as_str()).iter() {
        if let Some(key) = js_sys::Reflect::get(&item, &"key".into())
            .ok()
            .and_then(|k| k.as_string())
        {
            pending_keys.push(key);
        }
        if let Some(kept) = parse(&item) {
            pending_unsaved = pending_unsaved.max(kept.unsaved);
            pending.push(kept.state);
        }
    }
    if main.is_none() && pending.is_empty() {
        return None;
    }
    let (state, unsaved) = main.map_or((Vec::new(), 0), |m| (m.state, m.unsaved));
    Some(Kept {
        state,
        unsaved: unsaved.max(pending_unsaved),
        pending,
        pending_keys,
    })
}

fn parse(record: &JsValue) -> Option<Kept> {
    if !record.is_object() {
        return None;
    }
    let state = js_sys::Reflect::get(record, &"state".into())
        .ok()?
        .dyn_into::<js_sys::Uint8Array>()
        .ok()?
        .to_vec();
    let unsaved = js_sys::Reflect::get(record, &"unsaved".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    Some(Kept {
        state,
        unsaved: unsaved.max(0.0) as usize,
        pending: Vec::new(),
        pending_keys: Vec::new(),
    })
}

fn record(state: &[u8], unsaved: usize) -> JsValue {
    let record = js_sys::Object::new();
    let bytes = js_sys::Uint8Array::from(state);
    let _ = js_sys::Reflect::set(&record, &"state".into(), &bytes);
    let _ = js_sys::Reflect::set(&record, &"unsaved".into(), &(unsaved as f64).into());
    let _ = js_sys::Reflect::set(&record, &"saved_at".into(), &js_sys::Date::now().into());
    record.into()
}

/// Puts a kept state into `doc`. False if it could not be read.
fn apply(doc: &yrs::Doc, state: &[u8]) -> bool {
    let Ok(update) = Update::decode_v1(state) else {
        web_sys::console::warn_1(&"the kept document does not decode".into());
        return false;
    };
    let mut txn = doc.transact_mut_with(LOAD_ORIGIN);
    match txn.apply_update(update) {
        Ok(()) => true,
        Err(error) => {
            web_sys::console::warn_1(&format!("the kept document does not apply: {error}").into());
            false
        }
    }
}

/// Deletes the kept copy of `id` (a deleted document, a revoked link, a document the person
/// removed from this browser's list).
pub fn forget(id: &str) {
    let id = id.to_owned();
    spawn_local(async move {
        let _ = js_remove(&id).await;
    });
}

/// Keeps one open document in IndexedDB as it changes. Dropping it saves one last time.
pub struct LocalCopy {
    inner: Rc<Inner>,
}

struct Inner {
    id: DocId,
    doc: yrs::Doc,
    /// The user's edits the server has not confirmed (the connection's count).
    unsaved: Cell<usize>,
    /// The state this page last wrote: when the stored one is still it, no other tab wrote
    /// since and there is nothing to merge.
    written: RefCell<Vec<u8>>,
    timer: Cell<Option<i32>>,
    /// No more saving scheduled (dropped or discarded).
    stopped: Cell<bool>,
    /// The copy was deleted: a save still under way writes nothing.
    discarded: Cell<bool>,
    on_timer: RefCell<Option<Closure<dyn FnMut()>>>,
    /// `pagehide` on the window and `visibilitychange` on the document.
    on_hide: RefCell<Option<Closure<dyn FnMut()>>>,
    /// The state vector of what the last completed save holds.
    committed: RefCell<StateVector>,
    /// Pending updates (see [`Inner::save_now`]) to forget once a save completes.
    pending_keys: RefCell<Vec<String>>,
    /// This page, in its pending updates' keys.
    tab: String,
    /// Counts this page's pending writes: a save that started before the latest one must not
    /// forget it.
    pending_writes: Cell<u32>,
}

impl LocalCopy {
    /// Starts keeping `doc`, into which `kept` (if any) was loaded.
    pub fn start(id: DocId, doc: yrs::Doc, kept: Option<Kept>) -> LocalCopy {
        let tab = doc.client_id().to_string();
        let (written, unsaved, mut pending_keys) = match kept {
            Some(kept) => (kept.state, kept.unsaved, kept.pending_keys),
            None => (Vec::new(), 0, Vec::new()),
        };
        let committed = Update::decode_v1(&written)
            .map(|u| u.state_vector())
            .unwrap_or_default();
        pending_keys.push(format!("gather-pending:{id}:{tab}"));
        let inner = Rc::new(Inner {
            id,
            doc: doc.clone(),
            unsaved: Cell::new(unsaved),
            written: RefCell::new(written),
            timer: Cell::new(None),
            stopped: Cell::new(false),
            discarded: Cell::new(false),
            on_timer: RefCell::new(None),
            on_hide: RefCell::new(None),
            committed: RefCell::new(committed),
            pending_keys: RefCell::new(pending_keys),
            tab,
            pending_writes: Cell::new(0),
        });
        let weak = Rc::downgrade(&inner);
        *inner.on_timer.borrow_mut() = Some(Closure::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.timer.set(None);
                inner.save();
            }
        }));
        let weak = Rc::downgrade(&inner);
        let on_hide = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.save_now();
            }
        });
        if let Some(window) = web_sys::window() {
            let f = on_hide.as_ref().unchecked_ref();
            let _ = window.add_event_listener_with_callback("pagehide", f);
            if let Some(document) = window.document() {
                let _ = document.add_event_listener_with_callback("visibilitychange", f);
            }
        }
        *inner.on_hide.borrow_mut() = Some(on_hide);
        // Every change, the user's or the server's, is kept.
        let weak = Rc::downgrade(&inner);
        doc.observe_update_v1(SAVE_OBSERVER, move |_, _| {
            if let Some(inner) = weak.upgrade() {
                inner.schedule();
            }
        })
        .expect("observe document updates");
        // Save once now: a document opened for the first time is kept even if nobody edits it.
        inner.schedule();
        LocalCopy { inner }
    }

    /// The connection's count of unsaved edits changed.
    pub fn set_unsaved(&self, unsaved: usize) {
        if self.inner.unsaved.replace(unsaved) != unsaved {
            self.inner.schedule();
        }
    }

    /// Stops keeping the document and deletes its copy.
    pub fn discard(&self) {
        self.inner.discarded.set(true);
        self.inner.stop();
        forget(self.inner.id.as_str());
    }
}

impl Drop for LocalCopy {
    fn drop(&mut self) {
        if !self.inner.stopped.get() {
            self.inner.save();
        }
        self.inner.stop();
    }
}

impl Inner {
    fn schedule(&self) {
        if self.stopped.get() || self.timer.get().is_some() {
            return;
        }
        let (Some(window), Some(callback)) = (web_sys::window(), &*self.on_timer.borrow()) else {
            return;
        };
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            DEBOUNCE_MS,
        ) {
            self.timer.set(Some(handle));
        }
    }

    fn stop(&self) {
        self.stopped.set(true);
        let _ = self.doc.unobserve_update_v1(SAVE_OBSERVER);
        let window = web_sys::window();
        if let (Some(window), Some(handle)) = (&window, self.timer.take()) {
            window.clear_timeout_with_handle(handle);
        }
        if let (Some(window), Some(on_hide)) = (&window, self.on_hide.borrow_mut().take()) {
            let f = on_hide.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback("pagehide", f);
            if let Some(document) = window.document() {
                let _ = document.remove_event_listener_with_callback("visibilitychange", f);
            }
        }
    }

    /// The page is being hidden or closed: it may get no more callbacks, and an IndexedDB
    /// write started now may never finish. So what changed since the last completed save is
    /// kept synchronously (localStorage) for the next page to merge in, then saved as usual.
    fn save_now(self: &Rc<Self>) {
        if self.stopped.get() || self.discarded.get() {
            return;
        }
        let update = self
            .doc
            .transact()
            .encode_state_as_update_v1(&self.committed.borrow());
        // An update with nothing in it encodes as two zero counts.
        if update.len() > 2 {
            let id = self.id.to_string();
            if js_save_pending(&id, &self.tab, &update, self.unsaved.get() as f64) {
                self.pending_writes.set(self.pending_writes.get() + 1);
            }
        }
        self.save();
    }

    /// Writes the document now, merged with whatever another tab of the same document wrote.
    fn save(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        if let (Some(window), Some(handle)) = (web_sys::window(), self.timer.take()) {
            window.clear_timeout_with_handle(handle);
        }
        let (ours, vector) = {
            let txn = self.doc.transact();
            (
                txn.encode_state_as_update_v1(&StateVector::default()),
                txn.state_vector(),
            )
        };
        let unsaved = self.unsaved.get();
        // Strong: the last save, when the page goes, must still run after `LocalCopy` is gone.
        let inner = Rc::clone(self);
        let merge = Closure::once(move |old: JsValue| -> JsValue {
            if inner.discarded.get() {
                return JsValue::UNDEFINED;
            }
            let (state, unsaved) = match parse(&old) {
                Some(old) if old.state != *inner.written.borrow() => {
                    merged(&ours, &old.state, unsaved, old.unsaved)
                }
                _ => (ours, unsaved),
            };
            let value = record(&state, unsaved);
            *inner.written.borrow_mut() = state;
            value
        });
        let id = self.id.to_string();
        let inner = Rc::clone(self);
        let pending_writes = self.pending_writes.get();
        spawn_local(async move {
            match js_save(&id, &merge).await {
                Ok(_) => {
                    // Everything up to `vector` is in IndexedDB now: what pages left pending
                    // (merged at load) and this page's own pending update are no longer needed.
                    *inner.committed.borrow_mut() = vector;
                    if !inner.discarded.get() && inner.pending_writes.get() == pending_writes {
                        let own = vec![format!("gather-pending:{id}:{}", inner.tab)];
                        js_remove_pending(inner.pending_keys.replace(own));
                    }
                }
                Err(error) => {
                    web_sys::console::warn_2(&"keeping the document failed".into(), &error);
                }
            }
            drop(merge);
        });
    }
}

/// Our state merged with one another tab wrote; its unsaved edits count too when it holds
/// anything we do not.
fn merged(
    ours: &[u8],
    theirs: &[u8],
    our_unsaved: usize,
    their_unsaved: usize,
) -> (Vec<u8>, usize) {
    let doc = gather_doc::new_doc(0);
    if !apply(&doc, ours) {
        return (theirs.to_vec(), their_unsaved);
    }
    let before = doc.transact().state_vector();
    if !apply(&doc, theirs) {
        return (ours.to_vec(), our_unsaved);
    }
    let txn = doc.transact();
    let extra = if txn.state_vector() == before {
        0
    } else {
        their_unsaved
    };
    (
        txn.encode_state_as_update_v1(&StateVector::default()),
        our_unsaved + extra,
    )
}
