//! Pictures in documents (a photo of donated boxes, a scanned notice): uploaded by an owner or
//! editor link, stored with the document in the same SQLite file, read back by every link that
//! may read the document, and deleted with it.
//!
//! The body names a picture by its path, `/api/docs/{doc}/images/{id}`; the id is 128 random bits,
//! but knowing it is no right to read it: every download checks the link against the document in
//! the path, and an id is only found under the document it was uploaded to. Browsers cannot send
//! the bearer token with `<img src>`, so the app fetches pictures with it and shows them through
//! `blob:` URLs; tokens never appear in a URL. Only JPEG, PNG, WebP and GIF are kept, recognised by
//! their first bytes, and served as what they are. Each document holds at most
//! [`ImageLimits::per_doc`] pictures and [`ImageLimits::bytes_per_doc`] bytes, so one editor
//! link cannot fill the disk.

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gather_doc::form::is_photo_id;
use gather_doc::{DocId, Role};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::json;

use crate::access::now_ms;
use crate::api::{authorize, blocking, not_found, ApiError};
use crate::client_addr::ClientAddr;
use crate::pictures::{new_id, not_an_image, picture_response, sniff};
use crate::store::StoreError;
use crate::ServerState;

/// The largest picture kept. The app shrinks photos to 1600 pixels across before sending (a few
/// hundred KB); this leaves room for scans and other clients.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// How much one document may hold.
#[derive(Clone, Copy, Debug)]
pub struct ImageLimits {
    /// Most pictures.
    pub per_doc: i64,
    /// Most bytes, all pictures together.
    pub bytes_per_doc: i64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            per_doc: 1_000,
            bytes_per_doc: 512 * 1024 * 1024,
        }
    }
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS doc_images (
        doc          TEXT    NOT NULL,
        id           TEXT    NOT NULL,
        content_type TEXT    NOT NULL,
        size         INTEGER NOT NULL,
        bytes        BLOB    NOT NULL,
        uploaded_at  INTEGER NOT NULL,
        PRIMARY KEY (doc, id)
    ) WITHOUT ROWID;";

/// The `doc_images` table. Every function blocks; call them off the async runtime.
pub struct ImageDb {
    writer: Mutex<Connection>,
    path: PathBuf,
    limits: ImageLimits,
}

/// What storing a picture did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Stored,
    /// The document holds its most pictures or bytes already.
    Full,
}

impl ImageDb {
    pub fn open(data_dir: &FsPath, limits: ImageLimits) -> Result<ImageDb, StoreError> {
        let (conn, path) = crate::store::open_writer(data_dir)?;
        conn.execute_batch(SCHEMA)?;
        Ok(ImageDb {
            writer: Mutex::new(conn),
            path,
            limits,
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.writer.lock().map_err(|_| StoreError::Unavailable)
    }

    /// Stores a picture durably, unless the document is full.
    pub fn add(
        &self,
        doc: &DocId,
        id: &str,
        content_type: &str,
        bytes: &[u8],
        now: i64,
    ) -> Result<Added, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (count, total): (i64, i64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM doc_images WHERE doc = ?1",
            [doc.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        if count >= self.limits.per_doc || total.saturating_add(size) > self.limits.bytes_per_doc {
            return Ok(Added::Full);
        }
        tx.execute(
            "INSERT INTO doc_images (doc, id, content_type, size, bytes, uploaded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![doc.as_str(), id, content_type, size, bytes, now],
        )?;
        tx.commit()?;
        Ok(Added::Stored)
    }

    /// A picture's type and bytes, if `doc` holds it.
    pub fn get(&self, doc: &DocId, id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let conn = crate::store::open_reader(&self.path)?;
        Ok(conn
            .query_row(
                "SELECT content_type, bytes FROM doc_images WHERE doc = ?1 AND id = ?2",
                params![doc.as_str(), id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Removes every picture of a deleted document.
    pub fn delete_doc(&self, doc: &DocId) -> Result<usize, StoreError> {
        let conn = self.writer()?;
        let deleted = conn.execute("DELETE FROM doc_images WHERE doc = ?1", [doc.as_str()])?;
        Ok(deleted)
    }
}

/// The document pictures; cheap to clone.
#[derive(Clone)]
pub struct DocImages(Arc<ImageDb>);

impl DocImages {
    pub fn open(data_dir: &FsPath, limits: ImageLimits) -> Result<DocImages, StoreError> {
        Ok(DocImages(Arc::new(ImageDb::open(data_dir, limits)?)))
    }

    pub fn db(&self) -> &ImageDb {
        &self.0
    }
}

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route(
            "/api/docs/{doc}/images",
            post(upload).layer(DefaultBodyLimit::max(MAX_IMAGE_BYTES)),
        )
        .route("/api/docs/{doc}/images/{id}", get(download))
}

/// The path a document's body names a picture by.
pub fn image_src(doc: &DocId, id: &str) -> String {
    format!("/api/docs/{}/images/{id}", doc.as_str())
}

async fn upload(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_write)?;
    let Some(content_type) = sniff(&bytes) else {
        tracing::info!(doc = %doc, addr = %addr, len = bytes.len(), "refused an image that is no picture");
        return Err(not_an_image());
    };
    let id = new_id()?;
    let images = state.images.clone();
    let (stored_doc, stored_id) = (doc.clone(), id.clone());
    let len = bytes.len();
    let added = blocking(move || {
        Ok(images
            .db()
            .add(&stored_doc, &stored_id, content_type, &bytes, now_ms())?)
    })
    .await?;
    if added == Added::Full {
        tracing::warn!(doc = %doc, "document holds its most images");
        return Err(ApiError(
            StatusCode::INSUFFICIENT_STORAGE,
            "too_many_images",
            "this document holds as many pictures as it can".into(),
        ));
    }
    tracing::info!(doc = %doc, addr = %addr, len, content_type, "image stored");
    state.access.audit().record(
        &doc,
        "image_added",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &id,
    );
    let src = image_src(&doc, &id);
    Ok((StatusCode::CREATED, Json(json!({ "src": src }))).into_response())
}

async fn download(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read)?;
    if !is_photo_id(&id) {
        return Err(not_found("no such image"));
    }
    let images = state.images.clone();
    let (content_type, bytes) = blocking(move || Ok(images.db().get(&doc, &id)?))
        .await?
        .ok_or_else(|| not_found("no such image"))?;
    Ok(picture_response(&content_type, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str) -> DocId {
        DocId::parse(name).unwrap()
    }

    #[test]
    fn a_document_holds_at_most_its_limits_and_its_pictures_go_with_it() {
        let data = tempfile::tempdir().unwrap();
        let limits = ImageLimits {
            per_doc: 3,
            bytes_per_doc: 100,
        };
        let db = ImageDb::open(data.path(), limits).unwrap();
        let (a, b) = (doc("doc-a"), doc("doc-b"));
        let id = |n: u8| format!("{n:032x}");
        assert_eq!(
            db.add(&a, &id(1), "image/png", &[1; 40], 0).unwrap(),
            Added::Stored
        );
        assert_eq!(
            db.add(&a, &id(2), "image/png", &[2; 40], 0).unwrap(),
            Added::Stored
        );
        // 120 bytes would pass the byte cap.
        assert_eq!(
            db.add(&a, &id(3), "image/png", &[3; 40], 0).unwrap(),
            Added::Full
        );
        assert_eq!(
            db.add(&a, &id(3), "image/png", &[3; 20], 0).unwrap(),
            Added::Stored
        );
        // The fourth picture passes the count cap.
        assert_eq!(
            db.add(&a, &id(4), "image/png", &[4; 1], 0).unwrap(),
            Added::Full
        );
        // Another document has limits of its own, and cannot read `a`'s pictures.
        assert_eq!(
            db.add(&b, &id(5), "image/gif", &[5; 10], 0).unwrap(),
            Added::Stored
        );
        assert_eq!(db.get(&b, &id(1)).unwrap(), None);
        assert_eq!(
            db.get(&a, &id(1)).unwrap(),
            Some(("image/png".to_owned(), vec![1; 40]))
        );
        assert_eq!(db.delete_doc(&a).unwrap(), 3);
        assert_eq!(db.get(&a, &id(1)).unwrap(), None);
        assert!(db.get(&b, &id(5)).unwrap().is_some());
    }
}
