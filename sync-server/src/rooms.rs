//! Live documents. Each document with connections has one task (its room actor) that owns the
//! [`gather_doc::sync::Room`], applies frames in arrival order, has the batch's updates
//! committed, and only then sends anything out. The registry makes sure a document is loaded
//! once, that joiners wait for the load, and that it is unloaded after the last one leaves.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use futures_util::future::Either;
use gather_doc::sync::{Audience, ConnId, Payload, ProtocolError, Room};
use gather_doc::{CloseCode, DocId, Role};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::history::History;
use crate::outbox::Outbox;
use crate::store::{Committer, Store};

/// Compact a document's update log when loading finds more rows than this.
const COMPACT_AFTER: usize = 500;
/// Commands taken from the queue and committed together.
const MAX_BATCH: usize = 512;

/// How the room actor talks to one connection.
#[derive(Clone)]
pub struct ConnHandle {
    /// Its frames, and the order to end it.
    pub frames: Outbox,
    /// What the connection's link allows (kept to re-register it if the room is rebuilt).
    pub role: Role,
}

impl ConnHandle {
    fn close(&self, code: CloseCode) {
        self.frames.close(code);
    }

    /// Queues a frame; false when the connection is too far behind (by frames or bytes).
    fn queue(&self, bytes: Bytes) -> bool {
        self.frames.push(bytes)
    }
}

enum Cmd {
    Join {
        conn: ConnId,
        handle: ConnHandle,
        joined: oneshot::Sender<()>,
    },
    Frame {
        conn: ConnId,
        bytes: Bytes,
        /// Told once the room has stored and queued what the frame produced.
        answered: Option<oneshot::Sender<()>>,
    },
    Leave {
        conn: ConnId,
    },
}

struct Entry {
    tx: mpsc::Sender<Cmd>,
    members: Arc<AtomicUsize>,
}

/// The registry of live documents; cheap to clone.
#[derive(Clone)]
pub struct Rooms {
    inner: Arc<Inner>,
}

struct Inner {
    map: Mutex<HashMap<DocId, Entry>>,
    store: Arc<dyn Store>,
    committer: Committer,
    next_conn: AtomicU64,
    /// The per-document size limit in stored bytes.
    max_doc_bytes: usize,
    /// Where automatic versions go (none in some unit tests).
    history: Option<History>,
}

/// A connection's membership of a room; send its frames through it, and [`Member::leave`]
/// exactly once.
pub struct Member {
    pub conn: ConnId,
    tx: mpsc::Sender<Cmd>,
}

/// A command on its way to a room: queued already (or the room is gone), or waiting, boxed, for
/// room in a busy room's queue. The box keeps the wait out of every connection's task: the
/// task keeps room for its largest state all its life, and a send's wait is about 300 bytes.
type Passing<'a> =
    Either<std::future::Ready<bool>, Pin<Box<dyn Future<Output = bool> + Send + 'a>>>;

impl Member {
    /// Passes a frame to the room. Waits when the room is busy (backpressure on the reader).
    pub fn frame(&self, bytes: Bytes) -> Passing<'_> {
        self.pass(Cmd::Frame {
            conn: self.conn,
            bytes,
            answered: None,
        })
    }

    /// Queues a command for the room; false if the room is gone.
    fn pass(&self, cmd: Cmd) -> Passing<'_> {
        match self.tx.try_send(cmd) {
            Ok(()) => Either::Left(std::future::ready(true)),
            Err(mpsc::error::TrySendError::Closed(_)) => Either::Left(std::future::ready(false)),
            Err(mpsc::error::TrySendError::Full(cmd)) => {
                Either::Right(Box::pin(async move { self.tx.send(cmd).await.is_ok() }))
            }
        }
    }

    /// Passes a frame to the room and waits until the room has handled it: its updates are
    /// stored and its answers queued for sending (or the connection was refused).
    pub fn frame_answered(&self, bytes: Bytes) -> impl Future<Output = bool> + Send + '_ {
        let (answered, wait) = oneshot::channel();
        let passing = self.pass(Cmd::Frame {
            conn: self.conn,
            bytes,
            answered: Some(answered),
        });
        async move {
            if !passing.await {
                return false;
            }
            // A dropped sender means the room refused the frame or went away; the close code,
            // if any, is already on its way.
            let _ = wait.await;
            true
        }
    }

    pub async fn leave(self) {
        let _ = self.tx.send(Cmd::Leave { conn: self.conn }).await;
    }
}

impl Rooms {
    /// Live documents over `store`; `commit_gap` is the committer's (see [`Committer::start`]).
    pub fn new(
        store: Arc<dyn Store>,
        max_doc_bytes: usize,
        history: Option<History>,
        commit_gap: std::time::Duration,
    ) -> Rooms {
        let committer = Committer::start(store.clone(), commit_gap);
        Rooms {
            inner: Arc::new(Inner {
                map: Mutex::new(HashMap::new()),
                store,
                committer,
                next_conn: AtomicU64::new(1),
                max_doc_bytes,
                history,
            }),
        }
    }

    /// The store behind the rooms (for copying and deleting documents).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// Whether `doc` is loaded (someone is connected, or was a moment ago).
    pub fn is_loaded(&self, doc: &DocId) -> bool {
        self.inner.map.lock().is_ok_and(|m| m.contains_key(doc))
    }

    /// Joins `doc` with what `handle.role` allows, loading it if nobody has it open, and waits until
    /// the connection has been greeted (so its first frames describe the stored document,
    /// never an empty one).
    pub async fn join(&self, doc: &DocId, handle: ConnHandle) -> Option<Member> {
        let conn = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let tx = {
            let mut map = self.inner.map.lock().ok()?;
            let entry = map
                .entry(doc.clone())
                .or_insert_with(|| self.spawn(doc.clone()));
            entry.members.fetch_add(1, Ordering::SeqCst);
            entry.tx.clone()
        };
        let (joined, wait) = oneshot::channel();
        tx.send(Cmd::Join {
            conn,
            handle,
            joined,
        })
        .await
        .ok()?;
        wait.await.ok()?;
        Some(Member { conn, tx })
    }

    /// Number of documents currently loaded.
    pub fn loaded(&self) -> usize {
        self.inner.map.lock().map_or(0, |m| m.len())
    }

    fn spawn(&self, doc: DocId) -> Entry {
        let (tx, rx) = mpsc::channel(4096);
        let members = Arc::new(AtomicUsize::new(0));
        let actor = Actor {
            doc: doc.clone(),
            rooms: self.clone(),
            members: members.clone(),
            conns: HashMap::new(),
            version_due: tokio::time::Instant::now(),
        };
        let span = tracing::info_span!("doc", id = %doc);
        let rooms = self.clone();
        let watched = members.clone();
        let task = tokio::spawn(actor.run(rx).instrument(span));
        // A panic in the room task must not leave a dead entry that refuses every later joiner:
        // forget it, so the next connection loads the document afresh. (Its connections see
        // their room vanish and close with "internal error"; clients reconnect.)
        tokio::spawn(async move {
            if let Err(error) = task.await {
                tracing::error!(doc = %doc, %error, "room task failed");
                if let Ok(mut map) = rooms.inner.map.lock() {
                    if map
                        .get(&doc)
                        .is_some_and(|e| Arc::ptr_eq(&e.members, &watched))
                    {
                        map.remove(&doc);
                    }
                }
            }
        });
        Entry { tx, members }
    }

    /// Removes the entry for `doc` if nobody joined since the actor saw its last member leave.
    fn try_unload(&self, doc: &DocId, members: &AtomicUsize) -> bool {
        let Ok(mut map) = self.inner.map.lock() else {
            return true;
        };
        if members.load(Ordering::SeqCst) == 0 {
            map.remove(doc);
            true
        } else {
            false
        }
    }

    fn remove(&self, doc: &DocId) {
        if let Ok(mut map) = self.inner.map.lock() {
            map.remove(doc);
        }
    }
}

struct Actor {
    doc: DocId,
    rooms: Rooms,
    members: Arc<AtomicUsize>,
    conns: HashMap<ConnId, ConnHandle>,
    /// When the next automatic version may be taken.
    version_due: tokio::time::Instant,
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::Receiver<Cmd>) {
        let Some(mut room) = self.load().await else {
            // Storage failed: refuse everyone who came, and let the next joiner retry.
            self.rooms.remove(&self.doc);
            rx.close();
            while let Some(cmd) = rx.recv().await {
                if let Cmd::Join { handle, .. } = cmd {
                    handle.close(CloseCode::StorageFailed);
                }
            }
            return;
        };
        // Grows to the largest batch that came (`recv_many` reserves a little when empty):
        // reserving all of `MAX_BATCH` took 28 KB in every room, idle ones included.
        let mut batch = Vec::new();
        loop {
            if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
            match self.handle_batch(&mut room, batch.drain(..)).await {
                BatchOutcome::Continue => {}
                BatchOutcome::StorageFailed => {
                    self.fail_all();
                    return;
                }
            }
            let idle = self.members.load(Ordering::SeqCst) == 0;
            // A version while the document is being changed, and one when the last person
            // leaves after changing it (before unloading, so a deletion waits for it).
            if room.changed_since_version()
                && (idle || tokio::time::Instant::now() >= self.version_due)
            {
                self.keep_version(&mut room).await;
            }
            if idle && self.rooms.try_unload(&self.doc, &self.members) {
                tracing::debug!("unloaded");
                return;
            }
        }
    }

    /// Closes every connection with "storage failed" and forgets the room; the in-memory
    /// document may hold updates that are not stored, so nobody may see it again.
    fn fail_all(&mut self) {
        self.rooms.remove(&self.doc);
        for handle in self.conns.values() {
            handle.close(CloseCode::StorageFailed);
        }
    }

    /// Keeps the document as it is now as an automatic version, with who changed it.
    async fn keep_version(&mut self, room: &mut Room) {
        let Some(history) = self.rooms.inner.history.clone() else {
            return;
        };
        let authors = room.take_authors();
        history
            .keep(self.doc.clone(), authors, room.snapshot())
            .await;
        self.version_due = tokio::time::Instant::now() + history.every;
    }

    async fn load(&mut self) -> Option<Room> {
        let store = self.rooms.inner.store.clone();
        let history = self.rooms.inner.history.clone();
        let max_doc_bytes = self.rooms.inner.max_doc_bytes;
        let doc = self.doc.clone();
        // Reading the rows and replaying them are both blocking work: one trip off the runtime.
        let built = tokio::task::spawn_blocking(move || {
            let loaded = store.load(&doc)?;
            let rows = loaded.updates.len();
            let (mut room, skipped) = Room::load(loaded.updates.iter().map(Vec::as_slice), now_ms);
            room.set_max_bytes(max_doc_bytes);
            // A snapshot keeps updates still waiting for predecessors (tested in gather-doc),
            // so compaction never has to wait for them.
            let snapshot = (rows > COMPACT_AFTER).then(|| (loaded.last_seq, room.snapshot()));
            // A document stored before it had versions gets its first one now.
            let mut latest_version = None;
            if let Some(history) = &history {
                latest_version = history.db().latest_at(&doc)?;
                if latest_version.is_none() && rows > 0 {
                    let at = crate::access::now_ms();
                    history.db().add(&doc, at, None, &[], &room.snapshot())?;
                    latest_version = Some(at);
                }
            }
            Ok::<_, crate::store::StoreError>((room, snapshot, rows, skipped, latest_version))
        })
        .await;
        if let Some(history) = &self.rooms.inner.history {
            if let Ok(Ok((.., latest))) = &built {
                self.version_due = history.next_due(*latest);
            }
        }
        let (room, snapshot, rows, skipped, _) = match built {
            Ok(Ok(built)) => built,
            Ok(Err(error)) => {
                tracing::error!(%error, "loading failed");
                return None;
            }
            Err(error) => {
                tracing::error!(%error, "loading task failed");
                return None;
            }
        };
        if skipped > 0 {
            tracing::warn!(skipped, "stored updates could not be applied");
        }
        if let Some((through_seq, snapshot)) = snapshot {
            self.rooms
                .inner
                .committer
                .compact(&self.doc, through_seq, snapshot);
        }
        tracing::info!(rows, "loaded");
        Some(room)
    }

    /// Handles a batch of commands: applies them in order, commits the batch's updates in one
    /// go, and only then delivers what they produced. A poisoned room is flushed and rebuilt
    /// from storage in the middle of the batch, so later commands meet a sound document.
    async fn handle_batch(
        &mut self,
        room: &mut Room,
        batch: impl Iterator<Item = Cmd>,
    ) -> BatchOutcome {
        let mut pending = Pending::default();
        for cmd in batch {
            match cmd {
                Cmd::Join {
                    conn,
                    handle,
                    joined,
                } => {
                    for frame in room.connect(conn, handle.role) {
                        pending
                            .out
                            .push((conn, Audience::Sender, Bytes::from(frame)));
                    }
                    self.conns.insert(conn, handle);
                    pending.notify.push(joined);
                }
                Cmd::Frame {
                    conn,
                    bytes,
                    answered,
                } => {
                    if !self.conns.contains_key(&conn) {
                        continue;
                    }
                    pending.notify.extend(answered);
                    let effects = room.receive(conn, &bytes);
                    pending.store.extend(effects.store);
                    for o in effects.out {
                        let b = match o.payload {
                            Payload::IncomingFrame => bytes.clone(),
                            Payload::Bytes(v) => Bytes::from(v),
                            Payload::Shared(v) => Bytes::from_owner(SharedFrame(v)),
                        };
                        pending.out.push((conn, o.to, b));
                    }
                    let Some(error) = effects.error else { continue };
                    let code = error.close_code();
                    tracing::warn!(conn, %error, code = code.code(), "refused frame");
                    if let Some(handle) = self.conns.remove(&conn) {
                        handle.close(code);
                    }
                    if let Some(bye) = room.disconnect(conn) {
                        pending.out.push((conn, Audience::Others, Bytes::from(bye)));
                    }
                    if matches!(error, ProtocolError::Poisoned) {
                        if !self.flush(std::mem::take(&mut pending)).await {
                            return BatchOutcome::StorageFailed;
                        }
                        let Some(reloaded) = self.load().await else {
                            return BatchOutcome::StorageFailed;
                        };
                        let old = std::mem::replace(room, reloaded);
                        for (conn, handle) in &self.conns {
                            room.connect(*conn, handle.role);
                            // Receipts go on counting where they were.
                            room.resume_receipts(*conn, old.receipts_counted(*conn));
                        }
                    }
                }
                Cmd::Leave { conn } => {
                    self.conns.remove(&conn);
                    if let Some(bye) = room.disconnect(conn) {
                        pending.out.push((conn, Audience::Others, Bytes::from(bye)));
                    }
                    self.members.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
        if self.flush(pending).await {
            BatchOutcome::Continue
        } else {
            BatchOutcome::StorageFailed
        }
    }

    /// Commits the pending updates, then greets the joiners and delivers the frames. Returns
    /// false when storing failed (nothing was delivered).
    async fn flush(&mut self, pending: Pending) -> bool {
        if !pending.store.is_empty() {
            let count = pending.store.len();
            let stored = self
                .rooms
                .inner
                .committer
                .append(&self.doc, pending.store)
                .await;
            if let Err(error) = stored {
                tracing::error!(%error, count, "could not store updates; closing the document");
                return false;
            }
        }
        self.deliver(pending.out);
        for done in pending.notify {
            let _ = done.send(());
        }
        true
    }

    fn deliver(&mut self, out: Vec<(ConnId, Audience, Bytes)>) {
        let mut too_slow = Vec::new();
        for (sender, audience, bytes) in out {
            for (conn, handle) in &self.conns {
                let wanted = match audience {
                    Audience::Sender => *conn == sender,
                    Audience::Others => *conn != sender,
                    Audience::Everyone => true,
                };
                if wanted && !handle.queue(bytes.clone()) {
                    too_slow.push(*conn);
                }
            }
        }
        for conn in too_slow {
            if let Some(handle) = self.conns.remove(&conn) {
                tracing::warn!(conn, "connection too slow; closing");
                handle.close(CloseCode::TooSlow);
            }
        }
    }
}

/// Bytes one frame shares with other connections' (the whole document sent to joiners
/// together); the room keeps them only while a connection's frame still holds them.
struct SharedFrame(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedFrame {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// What a batch has produced and not yet delivered.
#[derive(Default)]
struct Pending {
    store: Vec<Vec<u8>>,
    out: Vec<(ConnId, Audience, Bytes)>,
    /// Joiners and first frames waiting for the batch to be stored and delivered.
    notify: Vec<oneshot::Sender<()>>,
}

enum BatchOutcome {
    Continue,
    StorageFailed,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use crate::outbox::{outbox, Frames, Next};
    use std::time::Duration;

    use super::*;
    use crate::store::{Loaded, MemoryStore, StoreError};

    /// A store that counts loads and takes its time, like a large document on a slow disk.
    #[derive(Default)]
    struct SlowStore {
        inner: MemoryStore,
        loads: AtomicUsize,
    }

    impl Store for SlowStore {
        fn load(&self, doc: &DocId) -> Result<Loaded, StoreError> {
            self.loads.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            self.inner.load(doc)
        }
        fn append(&self, updates: &[(DocId, Vec<u8>)]) -> Result<(), StoreError> {
            self.inner.append(updates)
        }
        fn compact(&self, doc: &DocId, seq: i64, snapshot: &[u8]) -> Result<(), StoreError> {
            self.inner.compact(doc, seq, snapshot)
        }
        fn delete(&self, doc: &DocId) -> Result<(), StoreError> {
            self.inner.delete(doc)
        }
    }

    fn handle() -> (ConnHandle, Frames) {
        let (frames, rx) = outbox();
        (
            ConnHandle {
                frames,
                role: Role::Editor,
            },
            rx,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_document_loads_once_and_unloads_after_the_last_member_leaves() {
        let store = Arc::new(SlowStore::default());
        let rooms = Rooms::new(store.clone(), usize::MAX, None, Duration::ZERO);
        let doc = DocId::parse("class-3").unwrap();
        let joins = (0..5).map(|_| {
            let rooms = rooms.clone();
            let doc = doc.clone();
            tokio::spawn(async move {
                let (h, mut rx) = handle();
                let member = rooms.join(&doc, h).await.unwrap();
                // Joining returns only once the greeting (after the load) is on its way.
                let Next::Frame(greeting) = rx.next().await else {
                    panic!("a greeting")
                };
                assert_eq!(greeting[0], 0, "sync step 1 first");
                member
            })
        });
        let mut members = Vec::new();
        for join in joins {
            members.push(join.await.unwrap());
        }
        assert_eq!(store.loads.load(Ordering::SeqCst), 1);
        assert_eq!(rooms.loaded(), 1);
        for member in members {
            member.leave().await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while rooms.loaded() > 0 {
            assert!(tokio::time::Instant::now() < deadline, "never unloaded");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (h, _rx) = handle();
        let again = rooms.join(&doc, h).await.unwrap();
        assert_eq!(store.loads.load(Ordering::SeqCst), 2);
        again.leave().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_update_log_is_compacted_on_load_without_losing_anything() {
        use gather_doc::rich_text::{self, Marks, Pos};
        use yrs::{ReadTxn, Transact};

        let store = Arc::new(SlowStore::default());
        let doc = DocId::parse("long").unwrap();
        // 600 one-character edits, each stored as its own row.
        let author = gather_doc::new_doc(7);
        let body = rich_text::body(&author);
        for i in 0..600u32 {
            let before = author.transact().state_vector();
            {
                let mut txn = author.transact_mut();
                rich_text::insert_text(&mut txn, &body, Pos::new(0, i), "x", Marks::default());
            }
            let update = author.transact().encode_state_as_update_v1(&before);
            store.append(&[(doc.clone(), update)]).unwrap();
        }
        let rooms = Rooms::new(store.clone(), usize::MAX, None, Duration::ZERO);
        let (h, _rx) = handle();
        let member = rooms.join(&doc, h).await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while store.inner.load(&doc).unwrap().updates.len() > 1 {
            assert!(tokio::time::Instant::now() < deadline, "never compacted");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        member.leave().await;
        // The snapshot alone rebuilds the same text.
        let rows = store.inner.load(&doc).unwrap().updates;
        let (room, skipped) = Room::load(rows.iter().map(Vec::as_slice), || 0);
        assert_eq!(skipped, 0);
        let body = rich_text::body(room.doc());
        let txn = room.doc().transact();
        let blocks = rich_text::read_blocks(&txn, &body);
        assert_eq!(blocks[0].text(), "x".repeat(600));
    }
}
