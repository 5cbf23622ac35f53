//! Durable storage of document updates, behind a small trait so tests can use memory and the
//! server a real SQLite file. All methods block: call them from a blocking thread, never from
//! `async` code directly.

mod committer;
mod memory;
mod sqlite;

pub use committer::Committer;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

use gather_doc::DocId;

/// A storage failure. Its text is for logs; clients only ever see a close code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage is unavailable")]
    Unavailable,
}

/// A document's stored updates, oldest first, and the sequence number of the last one.
#[derive(Debug, Default)]
pub struct Loaded {
    pub updates: Vec<Vec<u8>>,
    pub last_seq: i64,
}

/// Where updates live.
pub trait Store: Send + Sync + 'static {
    /// Every stored update of `doc`, in the order they were stored.
    fn load(&self, doc: &DocId) -> Result<Loaded, StoreError>;
    /// Stores all `updates` (of any documents) in one durable transaction: when this returns
    /// `Ok`, they survive a crash or power loss.
    fn append(&self, updates: &[(DocId, Vec<u8>)]) -> Result<(), StoreError>;
    /// Replaces the updates of `doc` up to and including `through_seq` with one `snapshot`
    /// holding the same state, in one transaction; later updates are untouched.
    fn compact(&self, doc: &DocId, through_seq: i64, snapshot: &[u8]) -> Result<(), StoreError>;
}
