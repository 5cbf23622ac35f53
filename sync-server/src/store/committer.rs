//! Group commit: one thread owns writing, takes every request waiting for it, and stores them
//! all in one transaction (one fsync), so many documents' updates share the cost of
//! durability.

use std::sync::Arc;

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
    /// Starts the writer thread. It ends when every handle is dropped.
    pub fn start(store: Arc<dyn Store>) -> Committer {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
        std::thread::Builder::new()
            .name("gather-committer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
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
