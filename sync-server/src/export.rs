//! Document export: `GET /api/docs/{id}/export.md` and `/export.html`, for every role that may
//! read the document (owner, editor, viewer; never a respondent link).
//!
//! The body is read from the stored updates (every update a client has seen is stored, so this
//! is the document as its editors last saw it), off the async runtime. The HTML is a complete
//! printable page with every text escaped, sent with a policy that allows its inline style and
//! images and nothing else (no scripts, no frames, no forms).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use gather_doc::rich_text;
use gather_doc::sync::Room;
use gather_doc::Role;
use serde::Deserialize;
use yrs::Transact;

use crate::api::{authorize, blocking, ApiError};
use crate::client_addr::ClientAddr;
use crate::ServerState;

/// The policy of an exported page: its own inline style and images, nothing that runs.
pub const EXPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     img-src https: http: 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/docs/{doc}/export.md", get(export_markdown))
        .route("/api/docs/{doc}/export.html", get(export_html))
}

#[derive(Clone, Copy)]
enum Format {
    Markdown,
    Html,
}

#[derive(Deserialize, Default)]
struct ExportQuery {
    /// The page's language for the HTML export (`zh` by default).
    #[serde(default)]
    lang: Option<String>,
}

async fn export_markdown(
    state: State<ServerState>,
    addr: ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    export(state, addr, doc, headers, Format::Markdown, "zh".into()).await
}

async fn export_html(
    state: State<ServerState>,
    addr: ClientAddr,
    Path(doc): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = match query.lang.as_deref() {
        Some("en") => "en",
        _ => "zh-CN",
    };
    export(state, addr, doc, headers, Format::Html, lang.into()).await
}

async fn export(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    doc: String,
    headers: HeaderMap,
    format: Format,
    lang: String,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read)?;
    let title = state.access.doc(&doc).map(|m| m.title).unwrap_or_default();
    let store = state.rooms.store().clone();
    let page_title = title.clone();
    let text = blocking(move || {
        let loaded = store.load(&doc)?;
        let (room, _) = Room::load(loaded.updates.iter().map(Vec::as_slice), || 0);
        let body = rich_text::body(room.doc());
        let nodes = rich_text::normalize(rich_text::read_tree(&room.doc().transact(), &body));
        Ok(match format {
            Format::Markdown => rich_text::nodes_to_markdown(&nodes),
            Format::Html => rich_text::standalone_html(&page_title, &lang, &nodes),
        })
    })
    .await?;
    let (content_type, extension) = match format {
        Format::Markdown => ("text/markdown; charset=utf-8", "md"),
        Format::Html => ("text/html; charset=utf-8", "html"),
    };
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition(&title, extension)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Format::Html = format {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(EXPORT_CSP),
        );
    }
    Ok(response)
}

/// `attachment` with an ASCII fallback name and the title, percent-encoded, as `filename*`.
fn disposition(title: &str, extension: &str) -> String {
    let name: String = title
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(120)
        .collect();
    let name = if name.trim().is_empty() {
        "document".to_owned()
    } else {
        name
    };
    let mut encoded = String::new();
    for byte in format!("{name}.{extension}").bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"document.{extension}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn file_names_are_percent_encoded_utf8() {
        assert_eq!(
            disposition("三年级 / 健康", "md"),
            "attachment; filename=\"document.md\"; \
             filename*=UTF-8''%E4%B8%89%E5%B9%B4%E7%BA%A7%20_%20%E5%81%A5%E5%BA%B7.md"
        );
        assert!(disposition("", "html").ends_with("''document.html"));
        assert!(!disposition("a\r\nSet-Cookie: x", "md").contains('\n'));
    }
}
