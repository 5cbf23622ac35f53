//! Live sync sessions by document and link, so revoking a link or deleting a document can
//! close the sessions using it at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gather_doc::{CloseCode, DocId};

use crate::outbox::Control;

struct Session {
    doc: DocId,
    link: Option<String>,
    close: Control,
}

/// The registry; cheap to clone.
#[derive(Clone, Default)]
pub struct Sessions {
    map: Arc<Mutex<HashMap<u64, Session>>>,
    next: Arc<AtomicU64>,
}

/// Keeps a session registered until dropped.
pub struct Registered {
    id: u64,
    sessions: Sessions,
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut map) = self.sessions.map.lock() {
            map.remove(&self.id);
        }
    }
}

impl Sessions {
    /// Registers a session; `close` is how it is told to end.
    pub fn register(&self, doc: &DocId, link: Option<&str>, close: Control) -> Registered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.map.lock() {
            map.insert(
                id,
                Session {
                    doc: doc.clone(),
                    link: link.map(str::to_owned),
                    close,
                },
            );
        }
        Registered {
            id,
            sessions: self.clone(),
        }
    }

    /// Closes every session opened with `link_id`; returns how many.
    pub fn close_link(&self, link_id: &str, code: CloseCode) -> usize {
        self.close_where(|s| s.link.as_deref() == Some(link_id), code)
    }

    /// Closes every session of `doc`; returns how many.
    pub fn close_doc(&self, doc: &DocId, code: CloseCode) -> usize {
        self.close_where(|s| &s.doc == doc, code)
    }

    /// Closes every session (the server is shutting down); returns how many.
    pub fn close_all(&self, code: CloseCode) -> usize {
        self.close_where(|_| true, code)
    }

    fn close_where(&self, matches: impl Fn(&Session) -> bool, code: CloseCode) -> usize {
        let Ok(map) = self.map.lock() else { return 0 };
        let mut closed = 0;
        for session in map.values().filter(|s| matches(s)) {
            session.close.close(Some(code));
            closed += 1;
        }
        closed
    }
}
