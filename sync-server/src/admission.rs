//! Admission of new sync connections: how many handshakes run at once, and when the server
//! says "busy" instead of making everyone slower.
//!
//! A handshake is the expensive part of a connection: loading its document from the store
//! (once per document) and answering the client's first sync message with the document's
//! state. At most `max_handshakes` run at once; the others wait their turn in arrival order (a
//! fair semaphore). Only when more than `max_waiting` are already waiting is a new connection
//! closed at once with [`CloseCode::Busy`](gather_doc::CloseCode::Busy) and a retry hint.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a connection may hold its handshake slot without sending its first message.
/// Clients send it as soon as the socket opens; this only stops a silent one from keeping the
/// slot.
pub const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// How many handshakes run at once and how many may wait; cheap to clone.
#[derive(Clone)]
pub struct Admission {
    inner: Arc<Inner>,
}

struct Inner {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    retry_after_secs: u32,
}

/// A connection turned away: the server is past its capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    /// After how many seconds the client should try again.
    pub retry_after_secs: u32,
    /// How many connections were waiting.
    pub waiting: usize,
}

/// A connection in the queue for a handshake slot; counts as waiting until dropped or
/// admitted.
pub struct Queued {
    admission: Admission,
}

/// A running handshake's slot; dropping it lets the next connection in.
pub struct Handshake {
    _slot: OwnedSemaphorePermit,
}

impl Admission {
    /// At most `max_handshakes` (at least 1) at once, at most `max_waiting` waiting.
    pub fn new(max_handshakes: usize, max_waiting: usize, retry_after_secs: u32) -> Admission {
        Admission {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(
                    max_handshakes.clamp(1, Semaphore::MAX_PERMITS),
                )),
                waiting: AtomicUsize::new(0),
                max_waiting,
                retry_after_secs,
            }),
        }
    }

    /// Joins the queue, or is turned away when `max_waiting` connections already wait.
    pub fn queue(&self) -> Result<Queued, Busy> {
        let waiting = self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.inner.max_waiting {
            self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy {
                retry_after_secs: self.inner.retry_after_secs,
                waiting,
            });
        }
        Ok(Queued {
            admission: self.clone(),
        })
    }

    /// How many connections wait for a handshake slot.
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::SeqCst)
    }

    /// How many handshakes could start now.
    pub fn free_slots(&self) -> usize {
        self.inner.slots.available_permits()
    }
}

impl Queued {
    /// Waits for a handshake slot, in arrival order.
    pub async fn admit(self) -> Option<Handshake> {
        let slot = self
            .admission
            .inner
            .slots
            .clone()
            .acquire_owned()
            .await
            .ok()?;
        // `self` drops here and stops counting as waiting.
        Some(Handshake { _slot: slot })
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.admission.inner.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_waiting_capacity_new_connections_are_turned_away() {
        let admission = Admission::new(1, 2, 3);
        let first = admission.queue().unwrap().admit().await.unwrap();
        let a = admission.queue().unwrap();
        let b = admission.queue().unwrap();
        assert_eq!(admission.waiting(), 2);
        let busy = admission.queue().err().unwrap();
        assert_eq!(
            busy,
            Busy {
                retry_after_secs: 3,
                waiting: 2
            }
        );
        // Leaving the queue (a dropped upgrade) frees its place.
        drop(b);
        let c = admission.queue().unwrap();
        // The waiting get in one after another as slots come free.
        let waiting_a = tokio::spawn(a.admit());
        drop(first);
        let second = waiting_a.await.unwrap().unwrap();
        assert_eq!(admission.free_slots(), 0);
        drop(second);
        let third = c.admit().await.unwrap();
        assert_eq!(admission.waiting(), 0);
        drop(third);
        assert_eq!(admission.free_slots(), 1);
    }
}
