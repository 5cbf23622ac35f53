//! Group commit: one thread owns writing, takes every request waiting for it, and stores them
//! all in one transaction (one fsync), so many documents' updates share the cost of
//! durability.
//!
//! Commits start at most every `gap` (4 ms unless configured): a request that arrives sooner
//! after the last commit began waits for the rest of the gap, and everything arriving
//! meanwhile joins its group. Each commit (an fsync and a dozen page writes) costs the machine far more than the
//! rows in it, so under load this trades a few milliseconds of an edit's relay for a fraction
//! of the server's CPU; a lone edit on a quiet server is committed at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gather_doc::DocId;
use tokio::sync::{mpsc, oneshot};

use super::{Store, StoreError};

enum Request {
    Append {
        doc: DocId,
        updates: Vec<Vec<u8>>,
        done: oneshot::Sender<Result<(), ()>>,
    },
    Compact {
        doc: DocId,
        through_seq: i64,
        snapshot: Vec<u8>,
    },
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Committer {
    tx: mpsc::UnboundedSender<Request>,
}

/// Most requests folded into one transaction.
const MAX_GROUP: usize = 1024;

impl Committer {
    /// Starts the writer thread, which begins a commit at most every `gap`. It ends when
    /// every handle is dropped.
    pub fn start(store: Arc<dyn Store>, gap: Duration) -> Committer {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
        std::thread::Builder::new()
            .name("gather-committer".into())
            .spawn(move || {
                let mut last_start: Option<Instant> = None;
                while let Some(first) = rx.blocking_recv() {
                    if let Some(due) = last_start.map(|at| at + gap) {
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    last_start = Some(Instant::now());
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(request) => group.push(request),
                            Err(_) => break,
                        }
                    }
                    write_group(store.as_ref(), group);
                }
            })
            .expect("spawn committer thread");
        Committer { tx }
    }

    /// Stores `updates` of `doc` durably; returns when they are on disk.
    pub async fn append(&self, doc: &DocId, updates: Vec<Vec<u8>>) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Request::Append {
                doc: doc.clone(),
                updates,
                done,
            })
            .map_err(|_| StoreError::Unavailable)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(StoreError::Unavailable),
        }
    }

    /// Queues a compaction behind every append already queued.
    pub fn compact(&self, doc: &DocId, through_seq: i64, snapshot: Vec<u8>) {
        let _ = self.tx.send(Request::Compact {
            doc: doc.clone(),
            through_seq,
            snapshot,
        });
    }
}

fn write_group(store: &dyn Store, group: Vec<Request>) {
    let mut rows = Vec::new();
    let mut waiting = Vec::new();
    let mut compactions = Vec::new();
    for request in group {
        match request {
            Request::Append { doc, updates, done } => {
                rows.extend(updates.into_iter().map(|u| (doc.clone(), u)));
                waiting.push(done);
            }
            Request::Compact {
                doc,
                through_seq,
                snapshot,
            } => compactions.push((doc, through_seq, snapshot)),
        }
    }
    let result = if rows.is_empty() {
        Ok(())
    } else {
        store.append(&rows)
    };
    if let Err(error) = &result {
        tracing::error!(%error, updates = rows.len(), "commit failed");
    }
    for done in waiting {
        let _ = done.send(result.as_ref().map(|_| ()).map_err(|_| ()));
    }
    for (doc, through_seq, snapshot) in compactions {
        match store.compact(&doc, through_seq, &snapshot) {
            Ok(()) => tracing::info!(doc = %doc, through_seq, bytes = snapshot.len(), "compacted"),
            Err(error) => tracing::warn!(doc = %doc, %error, "compaction failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::store::{Loaded, MemoryStore};

    /// A store that counts its transactions.
    #[derive(Default)]
    struct Counting {
        inner: MemoryStore,
        commits: AtomicUsize,
    }

    impl Store for Counting {
        fn load(&self, doc: &DocId) -> Result<Loaded, StoreError> {
            self.inner.load(doc)
        }
        fn append(&self, updates: &[(DocId, Vec<u8>)]) -> Result<(), StoreError> {
            self.commits.fetch_add(1, Ordering::SeqCst);
            self.inner.append(updates)
        }
        fn compact(&self, doc: &DocId, seq: i64, snapshot: &[u8]) -> Result<(), StoreError> {
            self.inner.compact(doc, seq, snapshot)
        }
        fn delete(&self, doc: &DocId) -> Result<(), StoreError> {
            self.inner.delete(doc)
        }
    }

    const PATIENCE: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn a_lone_edit_is_committed_at_once_however_long_the_gap() {
        let store = Arc::new(Counting::default());
        let committer = Committer::start(store.clone(), Duration::from_secs(3600));
        let doc = DocId::parse("quiet").unwrap();
        let stored = tokio::time::timeout(PATIENCE, committer.append(&doc, vec![vec![1]])).await;
        assert!(stored.expect("the first commit waited for the gap").is_ok());
        assert_eq!(store.inner.load(&doc).unwrap().updates, vec![vec![1]]);
    }

    #[tokio::test]
    async fn edits_arriving_during_the_gap_share_the_next_commit() {
        let store = Arc::new(Counting::default());
        let committer = Committer::start(store.clone(), Duration::from_secs(1));
        let doc = DocId::parse("busy").unwrap();
        committer.append(&doc, vec![vec![0]]).await.unwrap();
        // Five documents' edits, 20 ms apart, all while the gap after the first commit runs:
        // without the gap each would have had a commit of its own.
        let mut writes = Vec::new();
        for i in 1..=5u8 {
            let committer = committer.clone();
            let doc = DocId::parse(&format!("busy-{i}")).unwrap();
            writes.push(tokio::spawn(async move {
                committer.append(&doc, vec![vec![i]]).await
            }));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for write in writes {
            let stored = tokio::time::timeout(PATIENCE, write).await;
            stored.expect("stored in time").unwrap().unwrap();
        }
        assert_eq!(
            store.commits.load(Ordering::SeqCst),
            2,
            "one commit for the five"
        );
        for i in 1..=5u8 {
            let doc = DocId::parse(&format!("busy-{i}")).unwrap();
            assert_eq!(store.inner.load(&doc).unwrap().updates, vec![vec![i]]);
        }
    }
}
