//! The `versions` table, in the same SQLite file as the updates: each version is the whole
//! document state as one v1 update, with its time, its name (none for an automatic one) and
//! its authors. Every function blocks; call them off the async runtime.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use gather_doc::history::VersionInfo;
use gather_doc::DocId;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::store::StoreError;

/// Automatic versions kept per document; older ones are deleted as new ones come (named
/// versions are kept until the document is deleted).
pub const KEEP_AUTOMATIC: i64 = 100;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS versions (
        id      INTEGER PRIMARY KEY,
        doc     TEXT    NOT NULL,
        at      INTEGER NOT NULL,
        name    TEXT,
        authors TEXT    NOT NULL,
        state   BLOB    NOT NULL
    );
    CREATE INDEX IF NOT EXISTS versions_by_doc ON versions (doc, id);";

pub struct VersionDb {
    writer: Mutex<Connection>,
    path: PathBuf,
}

impl VersionDb {
    pub fn open(data_dir: &Path) -> Result<VersionDb, StoreError> {
        let (conn, path) = crate::store::open_writer(data_dir)?;
        conn.execute_batch(SCHEMA)?;
        Ok(VersionDb {
            writer: Mutex::new(conn),
            path,
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.writer.lock().map_err(|_| StoreError::Unavailable)
    }

    /// Keeps a version durably and returns its id; for an automatic one (no `name`), deletes
    /// the document's automatic versions beyond the newest [`KEEP_AUTOMATIC`].
    pub fn add(
        &self,
        doc: &DocId,
        at: i64,
        name: Option<&str>,
        authors: &[String],
        state: &[u8],
    ) -> Result<i64, StoreError> {
        let authors = serde_json::to_string(authors).unwrap_or_else(|_| "[]".into());
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO versions (doc, at, name, authors, state) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![doc.as_str(), at, name, authors, state],
        )?;
        let id = tx.last_insert_rowid();
        if name.is_none() {
            tx.execute(
                "DELETE FROM versions WHERE doc = ?1 AND name IS NULL AND id NOT IN
                   (SELECT id FROM versions WHERE doc = ?1 AND name IS NULL
                    ORDER BY id DESC LIMIT ?2)",
                params![doc.as_str(), KEEP_AUTOMATIC],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The document's versions, newest first.
    pub fn list(&self, doc: &DocId) -> Result<Vec<VersionInfo>, StoreError> {
        let conn = crate::store::open_reader(&self.path)?;
        let mut stmt = conn.prepare(
            "SELECT id, at, name, authors, length(state) FROM versions WHERE doc = ?1
             ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([doc.as_str()], |r| {
            let authors: String = r.get(3)?;
            Ok(VersionInfo {
                id: r.get(0)?,
                at: r.get(1)?,
                name: r.get(2)?,
                authors: serde_json::from_str(&authors).unwrap_or_default(),
                size: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A version's state, if `doc` has a version `id`.
    pub fn state(&self, doc: &DocId, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = crate::store::open_reader(&self.path)?;
        Ok(conn
            .query_row(
                "SELECT state FROM versions WHERE doc = ?1 AND id = ?2",
                params![doc.as_str(), id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Names (or, with `None`, unnames) a version; false if `doc` has no version `id`.
    pub fn rename(&self, doc: &DocId, id: i64, name: Option<&str>) -> Result<bool, StoreError> {
        let conn = self.writer()?;
        let changed = conn.execute(
            "UPDATE versions SET name = ?3 WHERE doc = ?1 AND id = ?2",
            params![doc.as_str(), id, name],
        )?;
        Ok(changed > 0)
    }

    /// When the document's newest version was taken, if it has any.
    pub fn latest_at(&self, doc: &DocId) -> Result<Option<i64>, StoreError> {
        let conn = crate::store::open_reader(&self.path)?;
        Ok(conn
            .query_row(
                "SELECT at FROM versions WHERE doc = ?1 ORDER BY id DESC LIMIT 1",
                [doc.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Removes every version of a deleted document.
    pub fn delete_doc(&self, doc: &DocId) -> Result<usize, StoreError> {
        let conn = self.writer()?;
        Ok(conn.execute("DELETE FROM versions WHERE doc = ?1", [doc.as_str()])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_list_newest_first_and_automatic_ones_are_thinned() {
        let dir = tempfile::tempdir().unwrap();
        let db = VersionDb::open(dir.path()).unwrap();
        let (doc, other) = (DocId::parse("d").unwrap(), DocId::parse("e").unwrap());
        let named = db
            .add(
                &doc,
                1,
                Some("Before the holiday"),
                &["李老师".into()],
                &[1],
            )
            .unwrap();
        for at in 2..(KEEP_AUTOMATIC + 12) {
            db.add(&doc, at, None, &[], &[at as u8]).unwrap();
        }
        db.add(&other, 5, None, &[], &[9]).unwrap();
        let list = db.list(&doc).unwrap();
        assert_eq!(list.len() as i64, KEEP_AUTOMATIC + 1);
        assert_eq!(list[0].at, KEEP_AUTOMATIC + 11, "newest first");
        let last = list.last().unwrap();
        assert_eq!(last.name.as_deref(), Some("Before the holiday"));
        assert_eq!(last.authors, vec!["李老师".to_owned()]);
        assert_eq!(db.state(&doc, named).unwrap(), Some(vec![1]));
        assert_eq!(
            db.state(&other, named).unwrap(),
            None,
            "only under its own document"
        );
        assert!(db.rename(&doc, list[0].id, Some("Final")).unwrap());
        assert!(!db.rename(&other, list[0].id, Some("x")).unwrap());
        assert_eq!(db.latest_at(&doc).unwrap(), Some(KEEP_AUTOMATIC + 11));
        db.delete_doc(&doc).unwrap();
        assert!(db.list(&doc).unwrap().is_empty());
        assert_eq!(db.list(&other).unwrap().len(), 1);
    }
}
