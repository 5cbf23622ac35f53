//! The append-only audit log: who opened a document with which link, and when links were
//! created or revoked. Entries go through a channel to one writer thread that stores whatever
//! has queued up in one transaction, at most every [`COMMIT_GAP`], so the 9:00 storm of session
//! openings costs a handful of fsyncs, not thousands. Reading first waits for everything
//! queued before it.

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gather_doc::{DocId, Role};
use rusqlite::{params, Connection};
use serde::Serialize;

use crate::store::StoreError;

/// One audit log entry as the API returns it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// `document_created`, `link_created`, `link_revoked`, `session_opened`, `session_closed`,
    /// `document_renamed`, `document_copied`, `export`.
    pub event: String,
    /// The role of the link involved, if any.
    pub role: Option<String>,
    /// The link's label ("Class 3 teachers"), or "operator" for the admin token.
    pub label: String,
    /// The client's address, for events a client caused.
    pub addr: Option<String>,
    /// Anything else worth knowing (the link id, a new title).
    pub detail: String,
}

enum Job {
    Append(DocId, AuditEntry),
    Flush(mpsc::Sender<()>),
}

/// Handle to the audit log; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    jobs: Arc<Mutex<mpsc::Sender<Job>>>,
    path: Arc<std::path::PathBuf>,
}

impl AuditLog {
    /// Starts the writer thread on the database in `data_dir` (tables already created).
    pub fn start(data_dir: &Path) -> Result<AuditLog, StoreError> {
        let conn = super::db::open(data_dir)?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("gather-audit".into())
            .spawn(move || write_loop(conn, rx))?;
        Ok(AuditLog {
            jobs: Arc::new(Mutex::new(tx)),
            path: Arc::new(data_dir.join("gather.sqlite3")),
        })
    }

    /// Queues an entry; it is stored within a moment (and before any later read).
    pub fn record(
        &self,
        doc: &DocId,
        event: &str,
        role: Option<Role>,
        label: &str,
        addr: Option<std::net::IpAddr>,
        detail: &str,
    ) {
        let entry = AuditEntry {
            at: super::now_ms(),
            event: event.into(),
            role: role.map(|r| r.as_str().into()),
            label: label.into(),
            addr: addr.map(|a| a.to_string()),
            detail: detail.into(),
        };
        if let Ok(jobs) = self.jobs.lock() {
            let _ = jobs.send(Job::Append(doc.clone(), entry));
        }
    }

    /// Waits until everything recorded so far is stored. Blocks.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        if let Ok(jobs) = self.jobs.lock() {
            let _ = jobs.send(Job::Flush(done));
        }
        let _ = wait.recv();
    }

    /// The document's entries, oldest first (at most the newest `limit`). Blocks.
    pub fn read(&self, doc: &DocId, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.flush();
        let conn = Connection::open(&*self.path)?;
        let mut stmt = conn.prepare(
            "SELECT at, event, role, label, addr, detail FROM
               (SELECT * FROM audit WHERE doc = ?1 ORDER BY id DESC LIMIT ?2)
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![doc.as_str(), limit as i64], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                event: r.get(1)?,
                role: r.get(2)?,
                label: r.get(3)?,
                addr: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The shortest time between two commits of the log: entries arriving meanwhile share the
/// next one (a storm of session openings costs about 20 fsyncs a second, not one per batch
/// the thread happened to see). A read does not wait for it.
const COMMIT_GAP: Duration = Duration::from_millis(50);

fn write_loop(mut conn: Connection, rx: mpsc::Receiver<Job>) {
    let mut last_commit: Option<Instant> = None;
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        if let Some(due) = last_commit.map(|at| at + COMMIT_GAP) {
            while !jobs.iter().any(|job| matches!(job, Job::Flush(_))) {
                match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        jobs.extend(rx.try_iter());
        let mut entries = Vec::new();
        let mut flushes = Vec::new();
        for job in jobs {
            match job {
                Job::Append(doc, entry) => entries.push((doc, entry)),
                Job::Flush(done) => flushes.push(done),
            }
        }
        if !entries.is_empty() {
            last_commit = Some(Instant::now());
            if let Err(error) = append(&mut conn, &entries) {
                tracing::error!(%error, count = entries.len(), "could not write the audit log");
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

fn append(conn: &mut Connection, entries: &[(DocId, AuditEntry)]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO audit (doc, at, event, role, label, addr, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (doc, e) in entries {
            stmt.execute(params![
                doc.as_str(),
                e.at,
                e.event,
                e.role,
                e.label,
                e.addr,
                e.detail
            ])?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_sees_every_entry_recorded_before_it_even_within_the_gap() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::start(dir.path()).unwrap();
        let doc = DocId::parse("class-3").unwrap();
        let record = |event: &str, detail: &str| {
            log.record(&doc, event, Some(Role::Editor), "Class 3", None, detail);
        };
        record("session_opened", "first");
        assert_eq!(log.read(&doc, 10).unwrap().len(), 1);
        // Recorded right after a commit, from several threads: the next commit waits for the
        // gap, but a read does not wait for that commit to be due.
        std::thread::scope(|s| {
            for i in 0..4 {
                let record = &record;
                s.spawn(move || {
                    for j in 0..25 {
                        record("session_opened", &format!("{i}-{j}"));
                    }
                });
            }
        });
        let entries = log.read(&doc, 1000).unwrap();
        assert_eq!(entries.len(), 101);
        assert_eq!(entries[0].detail, "first");
        for i in 0..4 {
            let mine: Vec<_> = entries
                .iter()
                .filter(|e| e.detail.starts_with(&format!("{i}-")))
                .map(|e| e.detail.clone())
                .collect();
            let expected: Vec<_> = (0..25).map(|j| format!("{i}-{j}")).collect();
            assert_eq!(
                mine, expected,
                "each thread's entries in the order recorded"
            );
        }
    }
}
