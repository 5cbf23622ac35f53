//! `GET /api/forms/{doc}/totals` (owner or editor): a supply register's quantities per item
//! and status, overall and per hospital, added up a page of responses at a time. The status
//! itself moves with `PATCH …/responses/{id}` `{"status"}` (see `routes.rs`).
//!
//! A donation register can be linked to the hospitals' request form (`PUT …/requests` with a
//! link of that form that may read its responses, so nobody links a form they cannot read);
//! its totals then also say, per hospital and item, how many were asked for against how many
//! were pledged, are on the way and arrived.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::form::supplies::{Quantities, Totals};
use gather_doc::{DocId, Role};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::json;

use super::responses::ResponseDb;
use super::routes::load_form;
use super::Filter;
use crate::api::{authorize, bad_input, blocking, body, ApiError};
use crate::client_addr::ClientAddr;
use crate::store::StoreError;
use crate::ServerState;

/// Responses read at a time.
const PAGE: usize = 500;

pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS form_requests (
        doc      TEXT NOT NULL PRIMARY KEY,
        requests TEXT NOT NULL
    ) WITHOUT ROWID;";

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/forms/{doc}/totals", get(totals))
        .route(
            "/api/forms/{doc}/requests",
            get(linked).put(link).delete(unlink),
        )
}

impl ResponseDb {
    /// The request form a donation register is linked to.
    pub fn requests_of(&self, doc: &DocId) -> Result<Option<String>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                "SELECT requests FROM form_requests WHERE doc = ?1",
                [doc.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_requests(&self, doc: &DocId, requests: Option<&DocId>) -> Result<(), StoreError> {
        let conn = self.writer()?;
        match requests {
            Some(other) => conn.execute(
                "INSERT INTO form_requests (doc, requests) VALUES (?1, ?2)
                 ON CONFLICT (doc) DO UPDATE SET requests = excluded.requests",
                params![doc.as_str(), other.as_str()],
            )?,
            None => conn.execute("DELETE FROM form_requests WHERE doc = ?1", [doc.as_str()])?,
        };
        Ok(())
    }
}

/// Adds up `doc`'s responses under `supplies`. Blocks.
fn add_up(
    db: &ResponseDb,
    doc: &DocId,
    supplies: &gather_doc::form::Supplies,
) -> Result<Totals, StoreError> {
    let conn = db.reader()?;
    let mut totals = Totals::default();
    let mut after = 0;
    loop {
        let page = db.page(&conn, doc, &Filter::default(), after, PAGE)?;
        let Some(last) = page.last() else {
            return Ok(totals);
        };
        after = last.id;
        for r in &page {
            totals.add(supplies, &r.answers);
        }
    }
}

/// Per hospital and item: how many were asked for, and the donations by status.
fn needs(requested: &Totals, donated: &Totals) -> Vec<serde_json::Value> {
    let donated_at = |place: &str, item: &str| -> Option<&Quantities> {
        donated
            .places
            .iter()
            .find(|q| q.place == place && q.item == item)
    };
    requested
        .places
        .iter()
        .map(|asked| {
            let given = donated_at(&asked.place, &asked.item);
            json!({
                "place": asked.place,
                "item": asked.item,
                "needed": asked.total,
                "by_status": given.map(|g| g.by_status.clone()).unwrap_or_default(),
                "donated": given.map_or(0.0, |g| g.total),
            })
        })
        .collect()
}

async fn totals(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let form = load_form(&state, &doc).await?;
    let Some(supplies) = form.supplies.clone() else {
        return Err(bad_input("this form is not a supply register"));
    };
    // The linked request form, if it still is one.
    let (forms, target) = (state.forms.clone(), doc.clone());
    let requests = blocking(move || Ok(forms.db().requests_of(&target)?))
        .await?
        .and_then(|id| DocId::parse(&id).ok());
    let request_form = match &requests {
        Some(id) => load_form(&state, id)
            .await
            .ok()
            .and_then(|f| f.supplies.clone())
            .map(|s| (id.clone(), s)),
        None => None,
    };
    let forms = state.forms.clone();
    let (totals, needed) = blocking(move || {
        let totals = add_up(forms.db(), &doc, &supplies)?;
        let needed = match request_form {
            Some((id, asked)) => Some(needs(&add_up(forms.db(), &id, &asked)?, &totals)),
            None => None,
        };
        Ok((totals, needed))
    })
    .await?;
    let mut reply = serde_json::to_value(&totals).unwrap_or_default();
    if let Some(needed) = needed {
        reply["needs"] = json!(needed);
        reply["requests"] = json!(requests.map(|r| r.as_str().to_owned()));
    }
    Ok(Json(reply).into_response())
}

#[derive(Deserialize, Default)]
struct LinkRequests {
    #[serde(default)]
    form: String,
    #[serde(default)]
    token: String,
}

async fn linked(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let forms = state.forms.clone();
    let requests = blocking(move || Ok(forms.db().requests_of(&doc)?)).await?;
    Ok(Json(json!({ "requests": requests })).into_response())
}

/// Links the request form named by `form`, if `token` may read its responses.
async fn link(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let LinkRequests { form, token } = body(&bytes)?;
    let other = DocId::parse(&form).map_err(|_| bad_input("form must be a form's id"))?;
    let allowed = state
        .access
        .authorize(&other, Some(&token), addr)
        .is_ok_and(|g| g.role.can_read_responses());
    if !allowed || other == doc {
        return Err(ApiError(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "that link may not read the request form's responses".into(),
        ));
    }
    let linked_form = load_form(&state, &other).await?;
    if linked_form.supplies.is_none() {
        return Err(bad_input("that form is not a supply request form"));
    }
    let (forms, target, linked) = (state.forms.clone(), doc.clone(), other.clone());
    blocking(move || Ok(forms.db().set_requests(&target, Some(&linked))?)).await?;
    state.access.audit().record(
        &doc,
        "requests_linked",
        Some(grant.role),
        &grant.label,
        Some(addr),
        other.as_str(),
    );
    Ok(Json(json!({ "requests": other.as_str() })).into_response())
}

async fn unlink(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let forms = state.forms.clone();
    blocking(move || Ok(forms.db().set_requests(&doc, None)?)).await?;
    Ok(Json(json!({ "requests": null })).into_response())
}
