//! Version history: `GET /api/docs/{id}/versions` lists a document's versions, `POST` keeps a
//! named one of the document as it is now, `PATCH …/versions/{v}` names one, and
//! `GET …/versions/{v}` gives its state (one v1 update) for the app's read-only view and
//! restore. Only owner and editor links reach them; the states are never cached.
//!
//! Automatic versions are taken by the room actor ([`crate::rooms`]): while a document is being
//! changed, at most once per [`History::every`], and when its last connection leaves after a
//! change, with the names of those who changed it. A document stored before history existed
//! gets its first version when it is next loaded. Restoring is the app's work: it writes the
//! version's content as a new change (`gather_doc::rich_text::restore`), so nothing anyone did
//! is destroyed and the restore itself can be undone.

mod db;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::history::{clean_version_name, VersionInfo};
use gather_doc::presence::clean_name;
use gather_doc::sync::Room;
use gather_doc::{DocId, Role};
use serde::Deserialize;

pub use db::{VersionDb, KEEP_AUTOMATIC};

use crate::access::now_ms;
use crate::api::{authorize, blocking, body, not_found, ApiError};
use crate::client_addr::ClientAddr;
use crate::store::StoreError;
use crate::ServerState;

/// How often, at most, an automatic version is taken while a document is being edited.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(10 * 60);

/// The versions table and the automatic versions' pace; cheap to clone.
#[derive(Clone)]
pub struct History {
    db: Arc<VersionDb>,
    pub every: Duration,
}

impl History {
    pub fn open(data_dir: &std::path::Path, every: Duration) -> Result<History, StoreError> {
        Ok(History {
            db: Arc::new(VersionDb::open(data_dir)?),
            every,
        })
    }

    pub fn db(&self) -> &VersionDb {
        &self.db
    }

    /// Keeps an automatic version, off the runtime. A failure is logged and costs only the
    /// version (the document's updates are stored separately). The room waits for it, so a
    /// document being deleted never gains a version after its versions were deleted.
    pub async fn keep(&self, doc: DocId, authors: Vec<String>, state: Vec<u8>) {
        let db = self.db.clone();
        let kept = tokio::task::spawn_blocking(move || {
            let kept = db.add(&doc, now_ms(), None, &authors, &state);
            (doc, state.len(), kept)
        })
        .await;
        match kept {
            Ok((doc, bytes, Ok(id))) => tracing::info!(doc = %doc, id, bytes, "version kept"),
            Ok((doc, _, Err(error))) => {
                tracing::error!(doc = %doc, %error, "could not keep a version")
            }
            Err(error) => tracing::error!(%error, "version task failed"),
        }
    }

    /// When the next automatic version of a document is due, given when its newest one was
    /// taken (milliseconds since the epoch): `every` after it, or after now for a document
    /// without versions (a new one: its first keystrokes are no version of their own).
    pub fn next_due(&self, latest_at: Option<i64>) -> tokio::time::Instant {
        let since = latest_at.map_or(Duration::ZERO, |at| {
            Duration::from_millis(now_ms().saturating_sub(at).max(0) as u64)
        });
        tokio::time::Instant::now() + self.every.saturating_sub(since)
    }
}

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route(
            "/api/docs/{doc}/versions",
            get(list_versions).post(name_now),
        )
        .route(
            "/api/docs/{doc}/versions/{version}",
            get(version_state).patch(rename_version),
        )
}

async fn list_versions(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<VersionInfo>>, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_write)?;
    let history = state.history.clone();
    Ok(Json(blocking(move || Ok(history.db().list(&doc)?)).await?))
}

#[derive(Deserialize, Default)]
struct NameBody {
    #[serde(default)]
    name: String,
    /// The display name of whoever keeps the version (their presence name).
    #[serde(default)]
    by: String,
}

/// Keeps the document as it is now (every update relayed so far is stored) as a named version.
async fn name_now(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_write)?;
    let request: NameBody = body(&bytes)?;
    let name = clean_version_name(&request.name)
        .ok_or_else(|| crate::api::bad_input("a version needs a name"))?;
    let authors = vec![clean_name(&request.by)];
    let (store, history) = (state.rooms.store().clone(), state.history.clone());
    let (kept_doc, kept_name) = (doc.clone(), name.clone());
    let info = blocking(move || {
        let loaded = store.load(&kept_doc)?;
        let (room, _) = Room::load(loaded.updates.iter().map(Vec::as_slice), || 0);
        let snapshot = room.snapshot();
        let at = now_ms();
        let id = history
            .db()
            .add(&kept_doc, at, Some(&kept_name), &authors, &snapshot)?;
        Ok(VersionInfo {
            id,
            at,
            name: Some(kept_name),
            authors,
            size: snapshot.len() as i64,
        })
    })
    .await?;
    let label = grant.label.clone();
    state.access.audit().record(
        &doc,
        "version_named",
        Some(grant.role),
        &label,
        Some(addr),
        &name,
    );
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

async fn rename_version(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, version)): Path<(String, i64)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_write)?;
    let request: NameBody = body(&bytes)?;
    let name = clean_version_name(&request.name);
    let history = state.history.clone();
    let renamed =
        blocking(move || Ok(history.db().rename(&doc, version, name.as_deref())?)).await?;
    if renamed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found("no such version"))
    }
}

async fn version_state(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, version)): Path<(String, i64)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_write)?;
    let history = state.history.clone();
    let found = blocking(move || Ok(history.db().state(&doc, version)?)).await?;
    let state = found.ok_or_else(|| not_found("no such version"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        state,
    )
        .into_response())
}
