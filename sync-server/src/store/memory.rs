//! An in-memory [`Store`] for fast tests of the logic around storage.

use std::collections::HashMap;
use std::sync::Mutex;

use gather_doc::DocId;

use super::{Loaded, Store, StoreError};

/// One stored update: its sequence number and bytes.
type Row = (i64, Vec<u8>);

/// Updates kept in a map; lost when dropped.
#[derive(Default)]
pub struct MemoryStore {
    docs: Mutex<HashMap<DocId, Vec<Row>>>,
}

impl Store for MemoryStore {
    fn load(&self, doc: &DocId) -> Result<Loaded, StoreError> {
        let docs = self.docs.lock().map_err(|_| StoreError::Unavailable)?;
        let rows = docs.get(doc).cloned().unwrap_or_default();
        Ok(Loaded {
            last_seq: rows.last().map_or(0, |r| r.0),
            updates: rows.into_iter().map(|r| r.1).collect(),
        })
    }

    fn append(&self, updates: &[(DocId, Vec<u8>)]) -> Result<(), StoreError> {
        let mut docs = self.docs.lock().map_err(|_| StoreError::Unavailable)?;
        for (doc, update) in updates {
            let rows = docs.entry(doc.clone()).or_default();
            let seq = rows.last().map_or(1, |r| r.0 + 1);
            rows.push((seq, update.clone()));
        }
        Ok(())
    }

    fn compact(&self, doc: &DocId, through_seq: i64, snapshot: &[u8]) -> Result<(), StoreError> {
        let mut docs = self.docs.lock().map_err(|_| StoreError::Unavailable)?;
        let rows = docs.entry(doc.clone()).or_default();
        rows.retain(|r| r.0 > through_seq);
        rows.insert(0, (through_seq, snapshot.to_vec()));
        Ok(())
    }

    fn delete(&self, doc: &DocId) -> Result<(), StoreError> {
        let mut docs = self.docs.lock().map_err(|_| StoreError::Unavailable)?;
        docs.remove(doc);
        Ok(())
    }
}
