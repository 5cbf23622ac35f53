//! Sockets opened before the [`Connection`](super::Connection) that uses them, so the network's
//! round trips overlap the page's other work:
//! - on a first visit, the page's early start (`assets/early.js`) opens the document's socket
//!   and says hello while the app itself still downloads and compiles, so the document
//!   downloads meanwhile;
//! - otherwise the app opens one while it reads the copy this browser kept (creating IndexedDB
//!   on a new profile takes longer than a local connection).
//!
//! Either keeps what arrives until the connection takes it.

use std::cell::RefCell;
use std::rc::Rc;

use gather_doc::DocId;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, WebSocket};

use super::{message_bytes, sync_url, Callback};

/// Where `assets/early.js` leaves its socket: `{ id, socket, received, hello }`.
const PAGE_KEY: &str = "gatherEarlySocket";

/// A socket opened ahead of its connection, with what it received so far.
pub struct EarlySocket {
    socket: Option<WebSocket>,
    received: Rc<RefCell<Vec<Vec<u8>>>>,
    /// The hello the page's early start sent on it, if it sent one.
    hello_sent: Option<Vec<u8>>,
    _on_message: Callback,
}

/// What a connection takes over from an [`EarlySocket`].
pub(super) struct Opened {
    pub socket: WebSocket,
    pub received: Vec<Vec<u8>>,
    /// Someone said hello on the socket already: see `ClientSync::hello_sent_for_us`.
    pub hello_sent: Option<Vec<u8>>,
}

impl EarlySocket {
    /// Opens a socket for the document; the hello waits for the connection.
    pub fn open(doc_id: &DocId, token: &str) -> Option<EarlySocket> {
        let socket = WebSocket::new(&sync_url(doc_id, token)).ok()?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        Some(EarlySocket::keep(socket, Vec::new(), None))
    }

    /// The socket the page's early start opened for `doc_id`, if it did. Only the first call
    /// gets it.
    pub fn from_page(doc_id: &DocId) -> Option<EarlySocket> {
        let early = crate::early_start::take(PAGE_KEY)?;
        let field = |name: &str| Reflect::get(&early, &JsValue::from_str(name)).ok();
        let socket = field("socket")?.dyn_into::<WebSocket>().ok()?;
        // From now on the early start does nothing more with it.
        socket.set_onopen(None);
        socket.set_onmessage(None);
        if field("id").and_then(|id| id.as_string()).as_deref() != Some(doc_id.as_str()) {
            let _ = socket.close();
            return None;
        }
        let received = field("received")
            .and_then(|list| list.dyn_into::<js_sys::Array>().ok())
            .map(|list| {
                list.iter()
                    .map(|buffer| Uint8Array::new(&buffer).to_vec())
                    .collect()
            })
            .unwrap_or_default();
        let hello_sent = field("hello")
            .and_then(|hello| hello.dyn_into::<Uint8Array>().ok())
            .map(|hello| hello.to_vec());
        Some(EarlySocket::keep(socket, received, hello_sent))
    }

    fn keep(socket: WebSocket, arrived: Vec<Vec<u8>>, hello_sent: Option<Vec<u8>>) -> Self {
        let received = Rc::new(RefCell::new(arrived));
        let sink = received.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(bytes) = message_bytes(event) {
                sink.borrow_mut().push(bytes);
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        EarlySocket {
            socket: Some(socket),
            received,
            hello_sent,
            _on_message: on_message,
        }
    }

    /// The socket and what it received, unless it closed meanwhile.
    pub(super) fn take(mut self) -> Option<Opened> {
        let socket = self.socket.take()?;
        socket.set_onmessage(None);
        if socket.ready_state() > WebSocket::OPEN {
            return None;
        }
        Some(Opened {
            socket,
            received: self.received.take(),
            hello_sent: self.hello_sent.take(),
        })
    }
}

impl Drop for EarlySocket {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.take() {
            socket.set_onmessage(None);
            let _ = socket.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use gather_doc::sync::ClientSync;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The bytes `assets/early.js` sends as a first visit's hello, read from the file.
    fn early_start_hello() -> Vec<u8> {
        let source = include_str!("../../../assets/early.js");
        let start = source.find("new Uint8Array([").expect("the hello's bytes") + 16;
        let end = start + source[start..].find(']').expect("the end of the bytes");
        source[start..end]
            .split(',')
            .map(|byte| byte.trim().parse().expect("a byte"))
            .collect()
    }

    #[wasm_bindgen_test]
    fn the_early_starts_hello_is_the_hello_of_an_app_with_an_empty_document() {
        let mut app = ClientSync::new(gather_doc::new_doc(7), || 0)
            .with_receipts()
            .with_pieces();
        assert_eq!(early_start_hello(), app.hello_frame());
    }
}
