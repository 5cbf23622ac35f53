//! Photos answering photo questions (a health-code screenshot, a picture of a delivery): uploaded
//! before the response that names them, stored in the same SQLite file as the responses, and
//! served back only to someone who knows the photo's id (the person who uploaded it) with a link
//! of the form, and through the responses to its owners and editors.
//!
//! A photo belongs to no response until a response names it. Photos nobody named are deleted a
//! day after upload; a response's photos go with it when it is deleted, and a form's with the
//! form. Only JPEG, PNG, WebP and GIF are kept, recognised by their first bytes (never by what the
//! client says), and served as what they are (`nosniff`, and the app's policy, which runs no script).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gather_doc::form::{is_photo_id, FormDef, QuestionType};
use gather_doc::{DocId, Role};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde_json::{json, Map, Value};

use super::responses::ResponseDb;
use super::routes::load_form;
use crate::access::now_ms;
use crate::api::{authorize, blocking, not_found, ApiError};
use crate::client_addr::ClientAddr;
use crate::pictures::{new_id, not_an_image, picture_response, sniff};
use crate::store::StoreError;
use crate::ServerState;

/// The largest photo kept. The app shrinks pictures to at most 1600 pixels across before
/// sending (a few hundred KB); this leaves room for other clients' screenshots.
pub const MAX_PHOTO_BYTES: usize = 4 * 1024 * 1024;

/// How long a photo no response names is kept (ms).
const UNCLAIMED_MS: i64 = 24 * 60 * 60 * 1000;

/// Most photos one form keeps: a respondent link cannot fill the disk.
const MAX_PHOTOS_PER_FORM: i64 = 200_000;
/// Most photos of a form that no response names yet (uploads a day old are deleted).
const MAX_UNCLAIMED_PER_FORM: i64 = 1_000;

pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS form_photos (
        id           TEXT    PRIMARY KEY,
        doc          TEXT    NOT NULL,
        content_type TEXT    NOT NULL,
        bytes        BLOB    NOT NULL,
        uploaded_at  INTEGER NOT NULL,
        response_id  INTEGER
    );
    CREATE INDEX IF NOT EXISTS form_photos_by_doc ON form_photos (doc, response_id, uploaded_at);";

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route(
            "/api/forms/{doc}/photos",
            post(upload).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES)),
        )
        .route("/api/forms/{doc}/photos/{id}", get(download))
}

/// The photo ids among `answers`, with the question each answers.
pub fn photo_answers(form: &FormDef, answers: &Value) -> Vec<(String, String)> {
    form.questions
        .iter()
        .filter(|q| q.kind == QuestionType::Photo)
        .filter_map(|q| {
            let id = answers.get(&q.id)?.as_str()?;
            Some((q.id.clone(), id.to_owned()))
        })
        .collect()
}

/// The 422 answer for photos the server does not have (never uploaded, or deleted).
pub fn missing_photos(questions: &[String]) -> Response {
    let errors: Map<String, Value> = questions
        .iter()
        .map(|q| {
            (
                q.clone(),
                json!({"code": "photo", "zh": "照片未上传成功，请重新上传", "en": "The photo did not arrive: upload it again"}),
            )
        })
        .collect();
    super::routes::invalid_answers(Value::Object(errors))
}

impl ResponseDb {
    /// Stores a photo; `None` if the form already holds its most photos.
    pub fn add_photo(
        &self,
        doc: &DocId,
        id: &str,
        content_type: &str,
        bytes: &[u8],
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM form_photos WHERE doc = ?1 AND response_id IS NULL AND uploaded_at < ?2",
            params![doc.as_str(), now - UNCLAIMED_MS],
        )?;
        let count: i64 = tx.query_row(
            "SELECT COUNT(*) FROM form_photos WHERE doc = ?1",
            [doc.as_str()],
            |r| r.get(0),
        )?;
        let unclaimed: i64 = tx.query_row(
            "SELECT COUNT(*) FROM form_photos WHERE doc = ?1 AND response_id IS NULL",
            [doc.as_str()],
            |r| r.get(0),
        )?;
        if count >= MAX_PHOTOS_PER_FORM || unclaimed >= MAX_UNCLAIMED_PER_FORM {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO form_photos (id, doc, content_type, bytes, uploaded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, doc.as_str(), content_type, bytes, now],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// A photo's type and bytes.
    pub fn photo(&self, doc: &DocId, id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                "SELECT content_type, bytes FROM form_photos WHERE doc = ?1 AND id = ?2",
                params![doc.as_str(), id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The questions among `photos` (question, photo id) whose photo this form does not have
    /// or another response already holds. `response` is the response being changed, if any.
    pub fn photos_missing(
        &self,
        doc: &DocId,
        photos: &[(String, String)],
        response: Option<i64>,
    ) -> Result<Vec<String>, StoreError> {
        if photos.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.reader()?;
        let mut missing = Vec::new();
        for (question, id) in photos {
            let owner: Option<Option<i64>> = conn
                .query_row(
                    "SELECT response_id FROM form_photos WHERE doc = ?1 AND id = ?2",
                    params![doc.as_str(), id],
                    |r| r.get(0),
                )
                .optional()?;
            match owner {
                Some(None) => {}
                Some(Some(held)) if Some(held) == response => {}
                _ => missing.push(question.clone()),
            }
        }
        Ok(missing)
    }

    /// Marks `photos` as belonging to response `response` (so they are kept).
    pub fn claim_photos(
        &self,
        doc: &DocId,
        response: i64,
        photos: &[(String, String)],
    ) -> Result<(), StoreError> {
        if photos.is_empty() {
            return Ok(());
        }
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (_, id) in photos {
            tx.execute(
                "UPDATE form_photos SET response_id = ?3
                 WHERE doc = ?1 AND id = ?2 AND (response_id IS NULL OR response_id = ?3)",
                params![doc.as_str(), id, response],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

async fn upload(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_respond)?;
    let form = load_form(&state, &doc).await?;
    // Owners and editors may still correct a closed form's responses.
    if !form.accepts_at(now_ms()) && !grant.role.can_read_responses() {
        return Err(super::routes::closed());
    }
    let Some(content_type) = sniff(&bytes) else {
        tracing::info!(doc = %doc, addr = %addr, len = bytes.len(), "refused a photo that is no image");
        return Err(not_an_image());
    };
    let id = new_id()?;
    let forms = state.forms.clone();
    let (stored_doc, stored_id) = (doc.clone(), id.clone());
    let added = blocking(move || {
        Ok(forms
            .db()
            .add_photo(&stored_doc, &stored_id, content_type, &bytes, now_ms())?)
    })
    .await?;
    if !added {
        tracing::warn!(doc = %doc, "form holds its most photos");
        return Err(ApiError(
            StatusCode::INSUFFICIENT_STORAGE,
            "too_many_photos",
            "this form holds as many photos as it can".into(),
        ));
    }
    Ok((StatusCode::CREATED, Json(json!({ "photo_id": id }))).into_response())
}

async fn download(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_respond)?;
    if !is_photo_id(&id) {
        return Err(not_found("no such photo"));
    }
    let forms = state.forms.clone();
    let found = blocking(move || Ok(forms.db().photo(&doc, &id)?))
        .await?
        .ok_or_else(|| not_found("no such photo"))?;
    let (content_type, bytes) = found;
    Ok(picture_response(&content_type, bytes))
}
