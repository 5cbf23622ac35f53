//! Durable storage of document updates, behind a small trait so tests can use memory and the
//! server a real SQLite file. All methods block: call them from a blocking thread, never from
//! `async` code directly.

mod committer;
mod memory;
mod sqlite;

pub use committer::Committer;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;
pub(crate) use sqlite::{open_reader, open_writer};

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
    /// Removes every update and snapshot of `doc` from disk.
    fn delete(&self, doc: &DocId) -> Result<(), StoreError>;
    /// The sequence number of the last stored update of `doc` (0 if none): it changes whenever
    /// the document does, so callers can cache what they read from it.
    fn last_seq(&self, doc: &DocId) -> Result<i64, StoreError> {
        Ok(self.load(doc)?.last_seq)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn contract(store: Arc<dyn Store>) {
        let doc = DocId::parse("d").unwrap();
        let other = DocId::parse("e").unwrap();
        store
            .append(&[
                (doc.clone(), vec![1]),
                (other.clone(), vec![9]),
                (doc.clone(), vec![2]),
            ])
            .unwrap();
        let loaded = store.load(&doc).unwrap();
        assert_eq!(loaded.updates, vec![vec![1], vec![2]]);
        store.compact(&doc, loaded.last_seq, &[12]).unwrap();
        store.append(&[(doc.clone(), vec![3])]).unwrap();
        let loaded = store.load(&doc).unwrap();
        assert_eq!(loaded.updates, vec![vec![12], vec![3]]);
        assert_eq!(store.load(&other).unwrap().updates, vec![vec![9]]);
        store.delete(&doc).unwrap();
        assert!(store.load(&doc).unwrap().updates.is_empty());
        assert_eq!(store.load(&other).unwrap().updates, vec![vec![9]]);
        store
            .append(&[(doc.clone(), vec![12]), (doc.clone(), vec![3])])
            .unwrap();
    }

    #[test]
    fn memory_store_keeps_order_and_compacts() {
        contract(Arc::new(MemoryStore::default()));
    }

    #[test]
    fn sqlite_store_keeps_order_and_compacts_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        contract(Arc::new(SqliteStore::open(dir.path()).unwrap()));
        // And it is all still there after reopening the file.
        let store = SqliteStore::open(dir.path()).unwrap();
        let doc = DocId::parse("d").unwrap();
        assert_eq!(store.load(&doc).unwrap().updates, vec![vec![12], vec![3]]);
    }

    #[tokio::test]
    async fn the_committer_groups_appends_and_reports_durability() {
        let store = Arc::new(MemoryStore::default());
        let committer = Committer::start(store.clone(), std::time::Duration::from_millis(4));
        let doc = DocId::parse("d").unwrap();
        let writes = (0..50u8).map(|i| {
            let committer = committer.clone();
            let doc = doc.clone();
            async move { committer.append(&doc, vec![vec![i]]).await }
        });
        for result in futures_util::future::join_all(writes).await {
            result.unwrap();
        }
        assert_eq!(store.load(&doc).unwrap().updates.len(), 50);
    }
}
