//! The access tables, in the same SQLite file as the updates: documents (title, creation
//! time), share links (role, label, expiry, revocation, and only the SHA-256 of the token) and
//! the append-only audit log. Every function blocks; call them off the async runtime.

use std::path::Path;

use gather_doc::{DocId, Role};
use rusqlite::{params, Connection, OptionalExtension};

use super::tokens::TokenHash;
use super::{DocMeta, Link};
use crate::store::StoreError;

/// Opens a connection to the database in `data_dir` and creates the access tables.
pub fn open(data_dir: &Path) -> Result<Connection, StoreError> {
    let (conn, _) = crate::store::open_writer(data_dir)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS docs (
            id         TEXT    PRIMARY KEY,
            title      TEXT    NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS links (
            id         TEXT    PRIMARY KEY,
            doc        TEXT    NOT NULL,
            role       TEXT    NOT NULL,
            label      TEXT    NOT NULL,
            token_hash BLOB    NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS links_by_doc ON links (doc);
        CREATE TABLE IF NOT EXISTS audit (
            id     INTEGER PRIMARY KEY,
            doc    TEXT    NOT NULL,
            at     INTEGER NOT NULL,
            event  TEXT    NOT NULL,
            role   TEXT,
            label  TEXT    NOT NULL,
            addr   TEXT,
            detail TEXT    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_by_doc ON audit (doc, id);",
    )?;
    // Personal links (one per person on a form's roster) name their person; added after the
    // first release, so older files gain the column here.
    let has_person: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('links') WHERE name = 'person'")?
        .exists([])?;
    if !has_person {
        conn.execute_batch("ALTER TABLE links ADD COLUMN person TEXT")?;
    }
    Ok(conn)
}

/// Every document and every live (unrevoked) link, by token hash.
pub type Everything = (Vec<DocMeta>, Vec<(TokenHash, Link)>);

/// Every document and every live (unrevoked) link, for the in-memory index.
pub fn load_all(conn: &Connection) -> Result<Everything, StoreError> {
    let mut docs = Vec::new();
    let mut stmt = conn.prepare("SELECT id, title, created_at FROM docs")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (id, title, created_at) = row?;
        if let Ok(id) = DocId::parse(&id) {
            docs.push(DocMeta {
                id,
                title,
                created_at,
            });
        }
    }
    let mut links = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, doc, role, label, token_hash, created_at, expires_at, person FROM links
         WHERE revoked_at IS NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    for row in rows {
        let (id, doc, role, label, hash, created_at, expires_at, person) = row?;
        let (Ok(doc), Some(role), Ok(hash)) = (
            DocId::parse(&doc),
            Role::parse(&role),
            TokenHash::try_from(hash),
        ) else {
            tracing::warn!(link = id, "skipping a damaged link row");
            continue;
        };
        links.push((
            hash,
            Link {
                id,
                doc,
                role,
                label,
                created_at,
                expires_at,
                person,
            },
        ));
    }
    Ok((docs, links))
}

pub fn insert_doc(conn: &Connection, doc: &DocMeta) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO docs (id, title, created_at) VALUES (?1, ?2, ?3)",
        params![doc.id.as_str(), doc.title, doc.created_at],
    )?;
    Ok(())
}

pub fn rename_doc(conn: &Connection, doc: &DocId, title: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE docs SET title = ?2 WHERE id = ?1",
        params![doc.as_str(), title],
    )?;
    Ok(())
}

pub fn insert_link(conn: &Connection, link: &Link, hash: &TokenHash) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO links (id, doc, role, label, token_hash, created_at, expires_at, person)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            link.id,
            link.doc.as_str(),
            link.role.as_str(),
            link.label,
            &hash[..],
            link.created_at,
            link.expires_at,
            link.person
        ],
    )?;
    Ok(())
}

/// Marks a link revoked; false when the document has no such live link.
pub fn revoke_link(
    conn: &Connection,
    doc: &DocId,
    link_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "UPDATE links SET revoked_at = ?3 WHERE doc = ?1 AND id = ?2 AND revoked_at IS NULL",
        params![doc.as_str(), link_id, now],
    )?;
    Ok(changed > 0)
}

/// Removes the document's links, audit log and registration (its updates are the store's).
pub fn delete_doc(conn: &mut Connection, doc: &DocId) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for table in ["links", "audit"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE doc = ?1"),
            [doc.as_str()],
        )?;
    }
    tx.execute("DELETE FROM docs WHERE id = ?1", [doc.as_str()])?;
    tx.commit()?;
    Ok(())
}

/// Whether the update log holds anything for `doc` (a document from before share links).
pub fn has_updates(conn: &Connection, doc: &DocId) -> Result<bool, StoreError> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM updates WHERE doc = ?1 LIMIT 1",
            [doc.as_str()],
            |r| r.get(0),
        )
        .optional()
        .or_else(|e| match e {
            // A brand-new database has no updates table until the store creates it.
            rusqlite::Error::SqliteFailure(..) => Ok(None),
            e => Err(e),
        })?;
    Ok(found.is_some())
}
