//! The real [`Store`]: one SQLite file in WAL mode with `synchronous = FULL`, so a committed
//! transaction has been fsynced.

use std::path::Path;
use std::sync::Mutex;

use gather_doc::DocId;
use rusqlite::{params, Connection, OpenFlags};

use super::{Loaded, Store, StoreError};

/// Updates in `gather.sqlite3` inside the data folder.
pub struct SqliteStore {
    path: std::path::PathBuf,
    writer: Mutex<Connection>,
}

/// Opens (creating if needed) a writing connection to `gather.sqlite3` in `data_dir`, set up
/// the way every writer of that file needs: WAL, `synchronous = FULL` (a commit is fsynced),
/// `secure_delete` (deleted documents and links are overwritten on disk, not just unlinked).
/// A read-only connection to the database at `path` (readers never block the writer in WAL).
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

pub(crate) fn open_writer(data_dir: &Path) -> Result<(Connection, std::path::PathBuf), StoreError> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("gather.sqlite3");
    let conn = Connection::open(&path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok((conn, path))
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        let (writer, path) = open_writer(data_dir)?;
        writer.execute_batch(
            "CREATE TABLE IF NOT EXISTS updates (
                doc  TEXT    NOT NULL,
                seq  INTEGER NOT NULL,
                data BLOB    NOT NULL,
                PRIMARY KEY (doc, seq)
            ) WITHOUT ROWID;",
        )?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
        })
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        open_reader(&self.path)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.writer.lock().map_err(|_| StoreError::Unavailable)
    }
}

impl Store for SqliteStore {
    fn load(&self, doc: &DocId) -> Result<Loaded, StoreError> {
        let conn = self.reader()?;
        let mut stmt =
            conn.prepare_cached("SELECT seq, data FROM updates WHERE doc = ?1 ORDER BY seq")?;
        let mut loaded = Loaded::default();
        let rows = stmt.query_map([doc.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))?;
        for row in rows {
            let (seq, data): (i64, Vec<u8>) = row?;
            loaded.last_seq = seq;
            loaded.updates.push(data);
        }
        Ok(loaded)
    }

    fn last_seq(&self, doc: &DocId) -> Result<i64, StoreError> {
        let conn = self.reader()?;
        let mut stmt =
            conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM updates WHERE doc = ?1")?;
        Ok(stmt.query_row([doc.as_str()], |row| row.get(0))?)
    }

    fn append(&self, updates: &[(DocId, Vec<u8>)]) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO updates (doc, seq, data) VALUES (?1,
                   COALESCE((SELECT MAX(seq) FROM updates WHERE doc = ?1), 0) + 1, ?2)",
            )?;
            for (doc, update) in updates {
                stmt.execute(params![doc.as_str(), update])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn compact(&self, doc: &DocId, through_seq: i64, snapshot: &[u8]) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM updates WHERE doc = ?1 AND seq <= ?2",
            params![doc.as_str(), through_seq],
        )?;
        tx.execute(
            "INSERT INTO updates (doc, seq, data) VALUES (?1, ?2, ?3)",
            params![doc.as_str(), through_seq, snapshot],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn delete(&self, doc: &DocId) -> Result<(), StoreError> {
        let conn = self.writer()?;
        conn.execute("DELETE FROM updates WHERE doc = ?1", [doc.as_str()])?;
        // Move the overwritten pages out of the write-ahead log into the main file too.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
