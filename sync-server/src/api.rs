//! The HTTP API under `/api`: creating documents, share links, the audit log, renaming,
//! copying and deleting. Every call but creation carries `Authorization: Bearer {token}`, and
//! the server checks the role behind it; errors are JSON `{"error": code, "message": text}`.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gather_doc::sync::Room;
use gather_doc::{DocId, Role};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::access::{AccessError, Denied, Grant, IssuedLink};
use crate::client_addr::ClientAddr;
use crate::ServerState;

/// Most audit entries one request returns (the newest).
const AUDIT_LIMIT: usize = 2000;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/docs", post(create_doc))
        .route(
            "/api/docs/{doc}",
            get(get_doc).patch(rename_doc).delete(delete_doc),
        )
        .route("/api/docs/{doc}/copy", post(copy_doc))
        .route("/api/docs/{doc}/links", get(list_links).post(create_link))
        .route("/api/docs/{doc}/links/{link}", delete(revoke_link))
        .route("/api/docs/{doc}/audit", get(audit))
        .merge(crate::export::routes())
}

/// An API failure: a status, a stable code for the app to translate, and English text.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub &'static str, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError(status, code, message) = self;
        (status, Json(json!({ "error": code, "message": message }))).into_response()
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> ApiError {
        match denied {
            Denied::Invalid => ApiError(
                StatusCode::UNAUTHORIZED,
                "link_invalid",
                "this link is not valid (wrong, expired or revoked)".into(),
            ),
            Denied::TooManyAttempts => ApiError(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "too many wrong links from this address; wait a minute".into(),
            ),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(error: AccessError) -> ApiError {
        match error {
            AccessError::Store(error) => {
                tracing::error!(%error, "storage failed");
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage_failed",
                    "the server could not store this".into(),
                )
            }
            AccessError::NoSuchDoc => not_found("no such document"),
            AccessError::NoSuchLink => not_found("no such link"),
            AccessError::BadInput(message) => bad_input(message),
            AccessError::LastOwnerLink => {
                ApiError(StatusCode::CONFLICT, "last_owner_link", error.to_string())
            }
        }
    }
}

pub(crate) fn not_found(message: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "not_found", message.into())
}

pub(crate) fn bad_input(message: &str) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "bad_input", message.into())
}

/// Runs blocking access or storage work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AccessError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => Ok(result?),
        Err(error) => {
            tracing::error!(%error, "blocking task failed");
            Err(ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal server error".into(),
            ))
        }
    }
}

/// Parses an optional JSON body (an empty body is `T::default()`).
pub(crate) fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| bad_input(&format!("invalid JSON: {e}")))
}

/// Checks the bearer token against `doc` and that its role may do what `allowed` says.
pub(crate) fn authorize(
    state: &ServerState,
    headers: &HeaderMap,
    doc: &str,
    addr: IpAddr,
    allowed: fn(Role) -> bool,
) -> Result<(DocId, Grant), ApiError> {
    let doc = DocId::parse(doc).map_err(|_| not_found("no such document"))?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let grant = state
        .access
        .authorize(&doc, token, addr)
        .map_err(|denied| {
            tracing::warn!(doc = %doc, addr = %addr, ?denied, "refused API token");
            ApiError::from(denied)
        })?;
    if grant.unknown_doc {
        return Err(not_found("no such document"));
    }
    if !allowed(grant.role) {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("a {} link may not do this", grant.role),
        ));
    }
    Ok((doc, grant))
}

#[derive(Deserialize, Default)]
struct TitleBody {
    #[serde(default)]
    title: String,
}

fn created(meta: &crate::access::DocMeta, link: &IssuedLink) -> Response {
    (
        StatusCode::CREATED,
        Json(json!({
            "id": meta.id.as_str(),
            "title": meta.title,
            "owner_token": link.token,
            "url": link.url,
        })),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct NewDoc {
    #[serde(default)]
    title: String,
    /// Make a form from this template (`gather_doc::form::templates::NAMES`).
    #[serde(default)]
    template: Option<String>,
    /// The language of the template's description: `zh` (default) or `en`.
    #[serde(default)]
    lang: Option<String>,
}

async fn create_doc(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let NewDoc {
        title,
        template,
        lang,
    } = body(&bytes)?;
    let lang = if lang.as_deref() == Some("en") {
        "en"
    } else {
        "zh"
    };
    let form = match template.as_deref() {
        None => None,
        Some(name) => Some(
            gather_doc::form::templates::template(name, lang).ok_or_else(|| {
                bad_input("unknown template; see the README for the template names")
            })?,
        ),
    };
    let title = match &form {
        Some(form) if title.trim().is_empty() => form.title.get(lang).to_owned(),
        _ => title,
    };
    let access = state.access.clone();
    let store = state.rooms.store().clone();
    let (meta, link) = blocking(move || {
        let (meta, link) = access.create_doc(&title, None)?;
        if let Some(form) = form {
            let update = gather_doc::form::crdt::form_update(&form);
            store.append(&[(meta.id.clone(), update)])?;
        }
        Ok((meta, link))
    })
    .await?;
    tracing::info!(doc = %meta.id, addr = %addr, "document created");
    Ok(created(&meta, &link))
}

async fn get_doc(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, |_| true)?;
    let meta = state
        .access
        .doc(&doc)
        .ok_or_else(|| not_found("no such document"))?;
    Ok(Json(json!({
        "id": meta.id.as_str(),
        "title": meta.title,
        "created_at": meta.created_at,
        "role": grant.role.as_str(),
        "label": grant.label,
        "expires_at": grant.expires_at,
    }))
    .into_response())
}

async fn rename_doc(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let TitleBody { title } = body(&bytes)?;
    let access = state.access.clone();
    let renamed = doc.clone();
    let new_title = title.clone();
    blocking(move || access.rename(&renamed, &new_title)).await?;
    state.access.audit().record(
        &doc,
        "document_renamed",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &title,
    );
    Ok(StatusCode::NO_CONTENT)
}

async fn copy_doc(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let TitleBody { title } = body(&bytes)?;
    let title = if title.trim().is_empty() {
        let original = state.access.doc(&doc).map(|m| m.title).unwrap_or_default();
        format!("{original} (copy)").trim().to_owned()
    } else {
        title
    };
    let access = state.access.clone();
    let store = state.rooms.store().clone();
    let source = doc.clone();
    // Every update a client has seen is stored (commit before relay), so the store holds the
    // document as everyone last saw it.
    let (meta, link) = blocking(move || {
        let loaded = store.load(&source)?;
        let (room, _) = Room::load(loaded.updates.iter().map(Vec::as_slice), || 0);
        let snapshot = room.snapshot();
        let (meta, link) = access.create_doc(&title, None)?;
        store.append(&[(meta.id.clone(), snapshot)])?;
        Ok((meta, link))
    })
    .await?;
    state.access.audit().record(
        &doc,
        "document_copied",
        Some(grant.role),
        &grant.label,
        Some(addr),
        meta.id.as_str(),
    );
    Ok(created(&meta, &link))
}

async fn delete_doc(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let access = state.access.clone();
    let forgotten = doc.clone();
    // Links go first (and their sessions are closed), so nobody can reopen the document while
    // its updates are deleted.
    blocking(move || access.delete_doc(&forgotten)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while state.rooms.is_loaded(&doc) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let store = state.rooms.store().clone();
    let forms = state.forms.clone();
    let images = state.images.clone();
    let history = state.history.clone();
    let deleted = doc.clone();
    blocking(move || {
        store.delete(&deleted)?;
        images.db().delete_doc(&deleted)?;
        history.db().delete_doc(&deleted)?;
        Ok(forms.delete_doc(&deleted)?)
    })
    .await?;
    tracing::info!(doc = %doc, addr = %addr, "document deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
struct NewLink {
    role: String,
    #[serde(default)]
    label: String,
    /// Milliseconds since the Unix epoch.
    #[serde(default)]
    expires_at: Option<i64>,
}

async fn create_link(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let new: NewLink = body(&bytes)?;
    let role = Role::parse(&new.role)
        .ok_or_else(|| bad_input("role must be owner, editor, viewer or respondent"))?;
    let access = state.access.clone();
    let target = doc.clone();
    let link =
        blocking(move || access.create_link(&target, role, &new.label, new.expires_at)).await?;
    state.access.audit().record(
        &doc,
        "link_created",
        Some(role),
        &link.label,
        Some(addr),
        &format!("{} by {}", link.id, grant.label),
    );
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

async fn list_links(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    Ok(Json(state.access.links(&doc)).into_response())
}

async fn revoke_link(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, link)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let access = state.access.clone();
    let target = doc;
    blocking(move || access.revoke(&target, &link, &grant.label, Some(addr))).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let log = state.access.audit().clone();
    let entries = blocking(move || Ok(log.read(&doc, AUDIT_LIMIT)?)).await?;
    Ok(Json(entries).into_response())
}
