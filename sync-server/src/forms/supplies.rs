//! `GET /api/forms/{doc}/totals` (owner or editor): a supply register's quantities per item
//! and status, overall and per hospital, added up a page of responses at a time. The status
//! itself moves with `PATCH …/responses/{id}` `{"status"}` (see `routes.rs`).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::form::supplies::Totals;
use gather_doc::Role;

use super::routes::load_form;
use super::Filter;
use crate::api::{authorize, bad_input, blocking, ApiError};
use crate::client_addr::ClientAddr;
use crate::ServerState;

/// Responses read at a time.
const PAGE: usize = 500;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/api/forms/{doc}/totals", get(totals))
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
    let forms = state.forms.clone();
    let totals = blocking(move || {
        let conn = forms.db().reader()?;
        let mut totals = Totals::default();
        let mut after = 0;
        loop {
            let page = forms
                .db()
                .page(&conn, &doc, &Filter::default(), after, PAGE)?;
            let Some(last) = page.last() else {
                return Ok(totals);
            };
            after = last.id;
            for r in &page {
                totals.add(&supplies, &r.answers);
            }
        }
    })
    .await?;
    Ok(Json(totals).into_response())
}
