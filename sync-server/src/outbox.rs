//! A connection's outbox: the frames its room queued for it, in order, until its writer sends
//! them. There is one per connected client, so it is kept small: a lock around a queue that
//! grows only while frames wait, and a wake-up for the writer. (A tokio channel allocated about
//! 1.5 KB per connection up front, a fifth of what a connected client cost in `storm`.)
//!
//! The room holds an [`Outbox`] (cloned with the connection's handle) and pushes; the writer
//! holds the [`Frames`] and takes them. When every [`Outbox`] is gone (the room's task ended),
//! the writer hears so once the queue is empty; when the writer is gone, pushes fail.
//!
//! It also carries the order to end the connection, from the room (too slow, refused), the
//! reader (the peer left or broke the protocol, the link expired) or the access registry (a
//! revoked link, a deleted document): the writer sends that close frame before anything still
//! queued. (A tokio `watch` for that cost another 350 bytes per connection.)
//!
//! And it tells since when the writer has been writing what it took last, so the reader, which
//! keeps the connection's one timer, can tell a peer that stopped reading (the writer keeps no
//! timer of its own: see `ws.rs`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use gather_doc::CloseCode;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// Frames queued for one connection before it counts as too slow.
pub const MAX_FRAMES: usize = 4096;
/// Bytes queued for one connection before it counts as too slow: a phone on a bad network
/// may fall behind for a while, but not hold the server's memory hostage.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// An emptied queue that grew past this many frames gives its room back.
const KEEP_CAPACITY: usize = 32;

struct Inner {
    frames: Mutex<Queue>,
    /// Wakes the writer: a frame was pushed, the connection must end, or the last outbox went.
    ready: Notify,
    /// Bytes queued and not yet taken by the writer.
    bytes: AtomicUsize,
    /// Live [`Outbox`] handles.
    senders: AtomicUsize,
    /// The writer's [`Frames`] went: nothing will take what is pushed.
    taker_gone: AtomicBool,
    /// The connection was told to end (read without the lock, for every incoming frame).
    closing: AtomicBool,
}

#[derive(Default)]
struct Queue {
    frames: VecDeque<Bytes>,
    /// The connection must end, with this close code (or none).
    closing: Option<Option<CloseCode>>,
    /// The peer is to be pinged.
    ping: bool,
    /// When the writer took what it is writing now (`None` while it waits for more).
    writing_since: Option<Instant>,
}

/// The room's side: pushes frames for the connection.
pub struct Outbox {
    inner: Arc<Inner>,
}

/// The writer's side: takes the frames in order.
pub struct Frames {
    inner: Arc<Inner>,
}

/// Ends the connection, or asks for a ping; anyone may hold one.
#[derive(Clone)]
pub struct Control {
    inner: Arc<Inner>,
}

/// What the writer does next.
#[derive(Debug, PartialEq)]
pub enum Next {
    Frame(Bytes),
    /// Send this close frame (a close without a code if `None`) and stop.
    Close(Option<CloseCode>),
    /// Ping the peer (nothing else was waiting).
    Ping,
    /// The room let go of the connection without a word: its task failed.
    RoomGone,
}

/// How many bytes still wait to be written (a peer waiting for a long download is not idle).
#[derive(Clone)]
pub struct Backlog {
    inner: Arc<Inner>,
}

/// A new, empty outbox and the writer's end of it.
pub fn outbox() -> (Outbox, Frames) {
    let inner = Arc::new(Inner {
        frames: Mutex::new(Queue::default()),
        ready: Notify::new(),
        bytes: AtomicUsize::new(0),
        senders: AtomicUsize::new(1),
        taker_gone: AtomicBool::new(false),
        closing: AtomicBool::new(false),
    });
    (
        Outbox {
            inner: inner.clone(),
        },
        Frames { inner },
    )
}

impl Outbox {
    /// Queues a frame; false when the connection is too far behind (by frames or bytes) or its
    /// writer is gone.
    pub fn push(&self, bytes: Bytes) -> bool {
        let inner = &self.inner;
        if inner.taker_gone.load(Ordering::Acquire) {
            return false;
        }
        let len = bytes.len();
        {
            let mut queue = inner.lock();
            if queue.frames.len() >= MAX_FRAMES
                || inner.bytes.load(Ordering::Relaxed) + len > MAX_BYTES
            {
                return false;
            }
            inner.bytes.fetch_add(len, Ordering::Relaxed);
            queue.frames.push_back(bytes);
        }
        inner.ready.notify_one();
        true
    }

    /// Ends the connection with `code`.
    pub fn close(&self, code: CloseCode) {
        self.inner.close(Some(code));
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.frames.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the next frame from `queue` (this outbox's, locked); an emptied queue that grew
    /// gives its room back.
    fn pop(&self, queue: &mut Queue) -> Option<Bytes> {
        let frame = queue.frames.pop_front();
        match &frame {
            Some(frame) => {
                self.bytes.fetch_sub(frame.len(), Ordering::Relaxed);
            }
            None if queue.frames.capacity() > KEEP_CAPACITY => queue.frames.shrink_to_fit(),
            None => {}
        }
        frame
    }

    /// The first order wins: it is why the connection ends (the peer's close that follows a
    /// revoked link's must not hide the revocation).
    fn close(&self, code: Option<CloseCode>) {
        self.lock().closing.get_or_insert(code);
        self.closing.store(true, Ordering::Release);
        self.ready.notify_one();
    }
}

impl Control {
    /// Ends the connection with `code`, or with a close frame without one.
    pub fn close(&self, code: Option<CloseCode>) {
        self.inner.close(code);
    }

    /// Whether the connection was told to end: from then on, what the peer sends is dropped.
    pub fn is_closing(&self) -> bool {
        self.inner.closing.load(Ordering::Acquire)
    }

    /// Asks the writer to ping the peer once it has nothing else to send. (The reader's timer
    /// says when: the writer then needs no timer of its own.)
    pub fn ping(&self) {
        self.inner.lock().ping = true;
        self.inner.ready.notify_one();
    }
}

impl Clone for Outbox {
    fn clone(&self) -> Self {
        self.inner.senders.fetch_add(1, Ordering::Relaxed);
        Outbox {
            inner: self.inner.clone(),
        }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        if self.inner.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.ready.notify_one();
        }
    }
}

impl Frames {
    /// What to do next, waiting until there is something: an order to end the connection comes
    /// before the frames still queued.
    ///
    /// Calling it says the writer is done with what it took before; what it returns is being
    /// written from now until the next call (see [`Backlog::writing_for`]).
    pub async fn next(&mut self) -> Next {
        loop {
            {
                // One look under the lock: no push can come between its checks.
                let mut queue = self.inner.lock();
                let next = if let Some(code) = queue.closing {
                    Some(Next::Close(code))
                } else if let Some(frame) = self.inner.pop(&mut queue) {
                    Some(Next::Frame(frame))
                } else if self.inner.senders.load(Ordering::Acquire) == 0 {
                    Some(Next::RoomGone)
                } else if std::mem::take(&mut queue.ping) {
                    Some(Next::Ping)
                } else {
                    None
                };
                queue.writing_since = next.as_ref().map(|_| Instant::now());
                if let Some(next) = next {
                    return next;
                }
            }
            // A push after that look leaves a permit: no wake-up is lost.
            self.inner.ready.notified().await;
        }
    }

    /// The next frame if one is queued.
    pub fn try_recv(&mut self) -> Option<Bytes> {
        let mut queue = self.inner.lock();
        self.inner.pop(&mut queue)
    }

    /// The close code the connection was told to end with, if any.
    pub fn close_code(&self) -> Option<CloseCode> {
        self.inner.lock().closing.flatten()
    }

    pub fn control(&self) -> Control {
        Control {
            inner: self.inner.clone(),
        }
    }

    pub fn backlog(&self) -> Backlog {
        Backlog {
            inner: self.inner.clone(),
        }
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        self.inner.taker_gone.store(true, Ordering::Release);
    }
}

impl Backlog {
    pub fn bytes(&self) -> usize {
        self.inner.bytes.load(Ordering::Relaxed)
    }

    /// How long the writer has been writing what it took last; `None` while it waits for more.
    pub fn writing_for(&self) -> Option<Duration> {
        let since = self.inner.lock().writing_since?;
        Some(since.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: u8) -> Bytes {
        Bytes::from(vec![n; 3])
    }

    #[tokio::test]
    async fn frames_arrive_in_order_and_end_when_the_room_lets_go() {
        let (outbox, mut frames) = outbox();
        let backlog = frames.backlog();
        let other = outbox.clone();
        assert!(outbox.push(frame(1)));
        assert!(other.push(frame(2)));
        assert_eq!(backlog.bytes(), 6);
        drop(outbox);
        assert_eq!(frames.next().await, Next::Frame(frame(1)));
        assert!(other.push(frame(3)));
        drop(other);
        // What was queued before the last outbox went still arrives.
        assert_eq!(frames.next().await, Next::Frame(frame(2)));
        assert_eq!(frames.next().await, Next::Frame(frame(3)));
        assert_eq!(frames.next().await, Next::RoomGone);
        assert_eq!(backlog.bytes(), 0);
    }

    #[tokio::test]
    async fn a_waiting_writer_wakes_for_a_push_and_for_the_end() {
        let (outbox, mut frames) = outbox();
        let control = frames.control();
        let writer = tokio::spawn(async move {
            let first = frames.next().await;
            (first, frames.next().await, frames.close_code())
        });
        tokio::task::yield_now().await;
        assert!(outbox.push(frame(7)));
        tokio::task::yield_now().await;
        control.close(Some(CloseCode::LinkInvalid));
        let (first, second, code) = writer.await.unwrap();
        assert_eq!(first, Next::Frame(frame(7)));
        assert_eq!(second, Next::Close(Some(CloseCode::LinkInvalid)));
        assert_eq!(code, Some(CloseCode::LinkInvalid));
        // The writer is gone: nothing more is accepted.
        assert!(!outbox.push(frame(8)));
    }

    #[tokio::test]
    async fn the_first_end_comes_before_frames_still_queued_and_a_ping_after_them() {
        let (outbox, mut frames) = outbox();
        let control = frames.control();
        control.ping();
        assert!(outbox.push(frame(1)));
        assert_eq!(frames.next().await, Next::Frame(frame(1)));
        assert_eq!(frames.next().await, Next::Ping);
        control.ping();
        assert!(outbox.push(frame(2)));
        assert!(!control.is_closing());
        outbox.close(CloseCode::TooSlow);
        assert!(control.is_closing());
        // A later order (the reader's, as the peer leaves) does not hide why.
        control.close(None);
        assert_eq!(frames.next().await, Next::Close(Some(CloseCode::TooSlow)));
    }

    #[tokio::test(start_paused = true)]
    async fn the_backlog_tells_how_long_the_writer_has_been_writing() {
        let (outbox, mut frames) = outbox();
        let backlog = frames.backlog();
        assert_eq!(backlog.writing_for(), None, "nothing taken yet");
        assert!(outbox.push(frame(1)));
        assert_eq!(frames.next().await, Next::Frame(frame(1)));
        tokio::time::advance(Duration::from_secs(40)).await;
        assert_eq!(backlog.writing_for(), Some(Duration::from_secs(40)));
        // Asking for more says the write is done, even while it waits.
        let waiting = tokio::spawn(async move { frames.next().await });
        tokio::task::yield_now().await;
        assert_eq!(backlog.writing_for(), None);
        outbox.close(CloseCode::Internal);
        assert_eq!(
            waiting.await.unwrap(),
            Next::Close(Some(CloseCode::Internal))
        );
        assert_eq!(backlog.writing_for(), Some(Duration::ZERO));
    }

    #[test]
    fn a_connection_too_far_behind_is_refused_and_the_queue_shrinks_once_drained() {
        let (outbox, mut frames) = outbox();
        for _ in 0..MAX_FRAMES {
            assert!(outbox.push(frame(0)));
        }
        assert!(!outbox.push(frame(0)), "by frames");
        while frames.try_recv().is_some() {}
        assert!(frames.inner.lock().frames.capacity() <= KEEP_CAPACITY);
        assert!(
            !outbox.push(Bytes::from(vec![0; MAX_BYTES + 1])),
            "by bytes"
        );
        assert!(outbox.push(frame(1)));
    }
}
