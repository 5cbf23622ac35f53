//! The browser's end of the sync protocol: a thin pump between a `WebSocket` and
//! [`ClientSync`]. It reconnects with exponential backoff and full jitter (never sooner than a
//! busy server asked: see `gather_doc::reconnect`), sends the user's own
//! updates as they happen, and reports its status. Edits made while offline stay in the
//! document and reach the server in the sync step 2 that answers the server's step 1. It asks
//! the server for durable receipts and reports how many of the user's edits are not yet
//! confirmed as stored on the server's disk.

use std::cell::RefCell;
use std::rc::Rc;

use gather_doc::close_code::retry_after_secs;
use gather_doc::reconnect::reconnect_delay_ms;
use gather_doc::sync::{ClientEvent, ClientSync, REMOTE_ORIGIN};
use gather_doc::{CloseCode, DocId};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

mod early;
mod page_life;

pub use early::EarlySocket;
use early::Opened;
use page_life::PageLife;

/// What the badge shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Connecting,
    Online,
    Offline,
    /// The server was too busy to let us in; the next attempt is in about this many seconds.
    Busy {
        retry_in_secs: u32,
    },
    /// The link or the document is gone; no more attempts.
    Closed,
}

/// A socket event handler kept alive from Rust.
type Callback = Closure<dyn FnMut(JsValue)>;

/// A live connection for one document. Dropping it closes the socket and stops reconnecting.
pub struct Connection {
    shared: Rc<Shared>,
    doc: yrs::Doc,
    _page_life: PageLife,
}

/// Key of the update observer that sends local edits.
const SEND_OBSERVER: &str = "gather-send";

/// What the connection reports to the page.
#[derive(Clone, Copy)]
pub struct Reports {
    pub status: WriteSignal<Status>,
    /// Our close code the server last closed with; cleared once synced again.
    pub last_close: WriteSignal<Option<CloseCode>>,
    /// Set when the server refused this page's edits (a view-only link).
    pub edits_refused: WriteSignal<bool>,
    /// How many of the user's edits the server has not yet confirmed as durable.
    pub unsaved: WriteSignal<usize>,
    /// While a large document downloads: bytes received and the whole.
    pub loading: WriteSignal<Option<(u64, u64)>>,
}

struct Shared {
    doc_id: DocId,
    token: String,
    sync: RefCell<ClientSync>,
    socket: RefCell<Option<WebSocket>>,
    status: WriteSignal<Status>,
    last_close: WriteSignal<Option<CloseCode>>,
    edits_refused: WriteSignal<bool>,
    unsaved: WriteSignal<usize>,
    loading: WriteSignal<Option<(u64, u64)>>,
    on_remote_change: Box<dyn Fn()>,
    /// Runs when someone's presence changed (see [`Connection::on_presence`]).
    on_presence: RefCell<Option<Box<dyn Fn()>>>,
    attempts: RefCell<u32>,
    stopped: RefCell<bool>,
    /// The page is hidden for another, perhaps kept to be shown again (see `page_life`).
    away: RefCell<bool>,
    /// The socket's callbacks, kept alive as long as the socket.
    callbacks: RefCell<Vec<Callback>>,
}

impl Connection {
    /// Opens the connection with a link's `token`. `kept` is how many edits already in `doc`
    /// an earlier page kept on this device unsaved (see `local_store`). `early` is a socket the
    /// page opened already, used if it is still open. `on_remote_change` runs after remote
    /// edits were applied.
    pub fn open(
        doc_id: DocId,
        token: String,
        doc: yrs::Doc,
        reports: Reports,
        kept: usize,
        early: Option<EarlySocket>,
        on_remote_change: impl Fn() + 'static,
    ) -> Connection {
        let mut sync = ClientSync::new(doc.clone(), || js_sys::Date::now() as u64)
            .with_receipts()
            .with_pieces();
        sync.kept_from_before(kept);
        reports.unsaved.set(sync.unsaved());
        let shared = Rc::new(Shared {
            doc_id,
            token,
            sync: RefCell::new(sync),
            socket: RefCell::new(None),
            status: reports.status,
            last_close: reports.last_close,
            edits_refused: reports.edits_refused,
            unsaved: reports.unsaved,
            loading: reports.loading,
            on_remote_change: Box::new(on_remote_change),
            on_presence: RefCell::new(None),
            attempts: RefCell::new(0),
            stopped: RefCell::new(false),
            away: RefCell::new(false),
            callbacks: RefCell::new(Vec::new()),
        });
        // Send the user's own updates as they are committed; remote ones came from the server.
        let weak = Rc::downgrade(&shared);
        doc.observe_update_v1(SEND_OBSERVER, move |txn: &yrs::TransactionMut, event| {
            let remote = txn
                .origin()
                .is_some_and(|o| o.as_ref() == REMOTE_ORIGIN.as_bytes());
            if remote {
                return;
            }
            if let Some(shared) = weak.upgrade() {
                let frame = shared.sync.borrow_mut().local_edit(event.update.clone());
                if let Some(frame) = frame {
                    shared.send(&frame);
                }
                shared.report_unsaved();
            }
        })
        .expect("observe document updates");
        Shared::connect_with(&shared, early.and_then(EarlySocket::take));
        let _page_life = PageLife::watch(&shared);
        Connection {
            shared,
            doc,
            _page_life,
        }
    }
}

impl Connection {
    /// Sets our presence state (JSON, see `gather_doc::presence`) and sends it if online; it
    /// also goes out with every reconnection.
    pub fn set_presence(&self, json: &str) {
        let frame = self.shared.sync.borrow_mut().set_presence(json);
        if let Some(frame) = frame {
            self.shared.send(&frame);
        }
    }

    /// The others' presence: client id and JSON state.
    pub fn others_presence(&self) -> Vec<(u64, std::sync::Arc<str>)> {
        self.shared.sync.borrow().others_presence()
    }

    /// Runs `f` whenever someone's presence changes, or is forgotten on a disconnection.
    pub fn on_presence(&self, f: impl Fn() + 'static) {
        *self.shared.on_presence.borrow_mut() = Some(Box::new(f));
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        *self.shared.stopped.borrow_mut() = true;
        let _ = self.doc.unobserve_update_v1(SEND_OBSERVER);
        if let Some(socket) = self.shared.socket.borrow_mut().take() {
            let _ = socket.close();
        }
    }
}

impl Shared {
    fn presence_changed(&self) {
        if let Some(f) = self.on_presence.borrow().as_ref() {
            f();
        }
    }

    fn report_unsaved(&self) {
        self.unsaved.set(self.sync.borrow().unsaved());
    }

    fn send(&self, frame: &[u8]) {
        if let Some(socket) = self.socket.borrow().as_ref() {
            if socket.ready_state() == WebSocket::OPEN {
                let _ = socket.send_with_u8_array(frame);
            }
        }
    }

    fn connect(this: &Rc<Shared>) {
        Shared::connect_with(this, None);
    }

    /// Connects, on `early` (a socket already opened, with what it received so far) if given.
    /// A hello someone else sent on it must be the one we would send, or the socket is closed
    /// and we connect afresh.
    fn connect_with(this: &Rc<Shared>, early: Option<Opened>) {
        // Connected already: a retry timer from before the page was hidden fired after it
        // was shown again.
        if *this.stopped.borrow() || *this.away.borrow() || this.socket.borrow().is_some() {
            return;
        }
        this.status.set(Status::Connecting);
        let early = early.and_then(|early| match &early.hello_sent {
            Some(sent) if !this.sync.borrow_mut().hello_sent_for_us(sent) => {
                let _ = early.socket.close();
                None
            }
            _ => Some(early),
        });
        let (socket, received, greeted) = match early {
            Some(early) => (early.socket, early.received, early.hello_sent.is_some()),
            None => match WebSocket::new(&sync_url(&this.doc_id, &this.token)) {
                Ok(socket) => (socket, Vec::new(), false),
                Err(_) => {
                    Shared::retry_later(this, None);
                    return;
                }
            },
        };
        socket.set_binary_type(BinaryType::Arraybuffer);
        let mut callbacks = Vec::new();

        let weak = Rc::downgrade(this);
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(shared) = weak.upgrade() {
                shared.hello();
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        callbacks.push(on_open);

        let weak = Rc::downgrade(this);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let (Some(shared), Some(bytes)) = (weak.upgrade(), message_bytes(event)) {
                Shared::receive(&shared, &bytes);
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        callbacks.push(on_message);

        let weak = Rc::downgrade(this);
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(shared) = weak.upgrade() else { return };
            let mut final_close = false;
            // A busy server says after how many seconds to come back.
            let mut busy_for = None;
            if let Ok(event) = event.dyn_into::<CloseEvent>() {
                let code = CloseCode::from_code(event.code());
                shared.last_close.set(code);
                if let Some(code) = code {
                    web_sys::console::warn_1(
                        &format!("sync closed: {} {}", code.code(), event.reason()).into(),
                    );
                    final_close = code.ends_session();
                    if code == CloseCode::Busy {
                        busy_for = Some(retry_after_secs(&event.reason()).unwrap_or(0));
                    }
                }
            }
            shared.forget_socket();
            // A revoked link or a deleted document will never be let in again.
            if final_close {
                shared.status.set(Status::Closed);
            } else {
                shared.status.set(Status::Offline);
                let delay_ms = Shared::retry_later(&shared, busy_for);
                if busy_for.is_some() {
                    let retry_in_secs = delay_ms.div_ceil(1000);
                    shared.status.set(Status::Busy { retry_in_secs });
                }
            }
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        callbacks.push(on_close);

        let open = socket.ready_state() == WebSocket::OPEN;
        *this.socket.borrow_mut() = Some(socket);
        *this.callbacks.borrow_mut() = callbacks;
        if open && !greeted {
            this.hello();
        }
        for bytes in received {
            Shared::receive(this, &bytes);
        }
    }

    /// The page is hidden for another: the socket closes and nothing reconnects until the
    /// page is shown again, so the others no longer see this person here.
    fn leave(this: &Rc<Shared>) {
        *this.away.borrow_mut() = true;
        if let Some(socket) = this.forget_socket() {
            socket.set_onopen(None);
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close();
        }
        this.callbacks.borrow_mut().clear();
        this.status.set(Status::Offline);
    }

    /// The connection is over (closed, or the page left): the socket is let go, the others'
    /// presence forgotten, no download shown. Returns the socket, if there was one.
    fn forget_socket(&self) -> Option<WebSocket> {
        let socket = self.socket.borrow_mut().take();
        self.sync.borrow_mut().disconnected();
        self.loading.set(None);
        self.presence_changed();
        socket
    }

    /// The page is shown again (Back): connect again at once.
    fn come_back(this: &Rc<Shared>) {
        if !std::mem::take(&mut *this.away.borrow_mut()) {
            return;
        }
        *this.attempts.borrow_mut() = 0;
        Shared::connect(this);
    }

    /// Our hello: one frame, so the server's handshake slot covers our step 2 too.
    fn hello(&self) {
        let hello = self.sync.borrow_mut().hello_frame();
        self.send(&hello);
    }

    /// A frame from the server.
    fn receive(shared: &Rc<Shared>, bytes: &[u8]) {
        let result = shared.sync.borrow_mut().receive(bytes);
        match result {
            Ok((replies, events)) => {
                for reply in replies {
                    shared.send(&reply);
                }
                let progress = events.iter().rev().find_map(|e| match e {
                    ClientEvent::Loading { received, total } => Some((*received, *total)),
                    _ => None,
                });
                if progress.is_some() {
                    shared.loading.set(progress);
                }
                if events.contains(&ClientEvent::Synced) {
                    shared.loading.set(None);
                    *shared.attempts.borrow_mut() = 0;
                    shared.status.set(Status::Online);
                    shared.last_close.set(None);
                }
                if events.contains(&ClientEvent::EditsRefused) {
                    shared.edits_refused.set(true);
                }
                if events.contains(&ClientEvent::Saved) {
                    shared.report_unsaved();
                }
                if events
                    .iter()
                    .any(|e| matches!(e, ClientEvent::Synced | ClientEvent::DocChanged))
                {
                    (shared.on_remote_change)();
                }
                if events.contains(&ClientEvent::AwarenessChanged) {
                    shared.presence_changed();
                }
            }
            Err(error) => {
                web_sys::console::warn_1(&format!("sync: {error}").into());
            }
        }
    }

    /// Schedules the next attempt: full jitter over an exponential backoff capped at 30 s, on
    /// top of the seconds a busy server asked for. Returns the delay in milliseconds.
    fn retry_later(this: &Rc<Shared>, retry_after_secs: Option<u32>) -> u32 {
        if *this.stopped.borrow() || *this.away.borrow() {
            return 0;
        }
        let attempt = {
            let mut attempts = this.attempts.borrow_mut();
            *attempts += 1;
            *attempts
        };
        let delay_ms = reconnect_delay_ms(attempt, retry_after_secs, js_sys::Math::random());
        let delay = i32::try_from(delay_ms).unwrap_or(i32::MAX);
        let weak = Rc::downgrade(this);
        let retry = Closure::once_into_js(move || {
            if let Some(shared) = weak.upgrade() {
                Shared::connect(&shared);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                retry.unchecked_ref(),
                delay,
            );
        }
        delay_ms
    }
}

/// The sync endpoint for a document and a link's token.
fn sync_url(doc_id: &DocId, token: &str) -> String {
    let location = web_sys::window().expect("window").location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    let token = js_sys::encode_uri_component(token);
    format!("{scheme}://{host}/sync/{doc_id}?token={token}")
}

/// A binary frame's bytes.
fn message_bytes(event: JsValue) -> Option<Vec<u8>> {
    let event = event.dyn_into::<MessageEvent>().ok()?;
    let buffer = event.data().dyn_into::<js_sys::ArrayBuffer>().ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}
