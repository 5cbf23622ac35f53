//! CSV export of a form's responses: UTF-8 with a byte-order mark (so Excel opens Chinese text
//! correctly), one column per question in the form's current order, labels in the chosen
//! language, ID and phone numbers masked unless an owner reveals them. The body is streamed a
//! page of rows at a time, so 100,000 responses never sit in memory together.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use gather_doc::form::display::{display_answer, format_time, CST_OFFSET_MINUTES};
use gather_doc::form::FormDef;
use gather_doc::Role;
use serde_json::Value;

use super::routes::{check_reveal, load_form, ListQuery};
use crate::api::{authorize, ApiError};
use crate::client_addr::ClientAddr;
use crate::ServerState;

/// Rows read from SQLite per chunk of the body.
const CHUNK_ROWS: usize = 500;

/// Quotes a CSV field when it needs it, and defuses text that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@` at the start) by prefixing an apostrophe.
pub fn csv_field(text: &str, out: &mut String) {
    let formula = text.starts_with(['=', '+', '@', '\t', '\r'])
        || (text.starts_with('-') && text.parse::<f64>().is_err());
    let needs_quotes = formula || text.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn csv_line(fields: impl IntoIterator<Item = String>, out: &mut String) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&f, out);
    }
    out.push_str("\r\n");
}

/// The heading row.
pub fn header_row(form: &FormDef, lang: &str) -> String {
    let zh = lang == "zh";
    let mut fields = vec![
        if zh { "回执编号" } else { "Receipt" }.to_owned(),
        if zh { "提交时间" } else { "Submitted at" }.to_owned(),
    ];
    fields.extend(
        form.questions
            .iter()
            .filter(|q| q.kind.takes_answer())
            .map(|q| q.label.get(lang).to_owned()),
    );
    let mut out = String::from("\u{feff}");
    csv_line(fields, &mut out);
    out
}

/// One response as a row.
pub fn response_row(
    form: &FormDef,
    receipt: &str,
    submitted_at: i64,
    answers: &Value,
    lang: &str,
    reveal: bool,
    out: &mut String,
) {
    let mut fields = vec![
        receipt.to_owned(),
        format_time(submitted_at, CST_OFFSET_MINUTES),
    ];
    fields.extend(
        form.questions
            .iter()
            .filter(|q| q.kind.takes_answer())
            .map(|q| {
                answers
                    .get(&q.id)
                    .map(|v| display_answer(q, v, lang, reveal))
                    .unwrap_or_default()
            }),
    );
    csv_line(fields, out);
}

pub(super) async fn csv(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let filter = query.filter()?;
    let reveal = query.reveal();
    check_reveal(&state, &doc, &grant, addr, reveal, "CSV export")?;
    let form = load_form(&state, &doc).await?;
    let lang = if query.lang.as_deref() == Some("en") {
        "en"
    } else {
        "zh"
    };
    state.access.audit().record(
        &doc,
        "responses_exported",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &format!(
            "CSV{}{}",
            query
                .from
                .as_deref()
                .map(|f| format!(" from {f}"))
                .unwrap_or_default(),
            query
                .to
                .as_deref()
                .map(|t| format!(" to {t}"))
                .unwrap_or_default()
        ),
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let forms = state.forms.clone();
    let file_doc = doc.clone();
    tokio::task::spawn_blocking(move || {
        let header = header_row(&form, lang);
        if tx.blocking_send(Ok(Bytes::from(header))).is_err() {
            return;
        }
        let conn = match forms.db().read_connection() {
            Ok(conn) => conn,
            Err(error) => {
                tracing::error!(%error, "export could not read responses");
                let _ = tx.blocking_send(Err(std::io::Error::other("storage failed")));
                return;
            }
        };
        let mut after = 0;
        loop {
            let page = match forms
                .db()
                .page(&conn, &file_doc, &filter, after, CHUNK_ROWS)
            {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(%error, "export could not read responses");
                    let _ = tx.blocking_send(Err(std::io::Error::other("storage failed")));
                    return;
                }
            };
            let Some(last) = page.last() else { return };
            after = last.id;
            let mut chunk = String::new();
            for r in &page {
                response_row(
                    &form,
                    &r.receipt,
                    r.submitted_at,
                    &r.answers,
                    lang,
                    reveal,
                    &mut chunk,
                );
            }
            if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                return; // The client went away.
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let name = format!("responses-{}.csv", doc.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        csv_line(
            [
                "a,b".into(),
                "say \"hi\"".into(),
                "=1+1".into(),
                "-5".into(),
                "-x".into(),
                "李雷".into(),
            ],
            &mut out,
        );
        assert_eq!(
            out,
            "\"a,b\",\"say \"\"hi\"\"\",\"'=1+1\",-5,\"'-x\",李雷\r\n"
        );
    }
}
