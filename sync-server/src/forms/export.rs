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
use crate::api::{authorize, blocking, ApiError};
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
    let mut out = String::from("\u{feff}");
    csv_line(headings(form, lang), &mut out);
    out
}

/// The column headings of both exports: receipt, time, then every question that takes an answer.
fn headings(form: &FormDef, lang: &str) -> Vec<String> {
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
    fields
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

/// The CSV export's header with the number of rows to expect (at most, with a text search).
pub const ROWS_HEADER: &str = "x-gather-rows";

/// What both exports need: the form, the filter, the language and whether numbers show.
struct Export {
    doc: gather_doc::DocId,
    form: std::sync::Arc<FormDef>,
    filter: super::Filter,
    lang: &'static str,
    reveal: bool,
}

/// Checks the caller may export (and reveal), and records the export in the audit log.
async fn prepare(
    state: &ServerState,
    addr: std::net::IpAddr,
    doc: &str,
    query: &ListQuery,
    headers: &HeaderMap,
    kind: &str,
) -> Result<Export, ApiError> {
    let (doc, grant) = authorize(state, headers, doc, addr, Role::can_read_responses)?;
    let filter = query.filter()?;
    let reveal = query.reveal();
    check_reveal(state, &doc, &grant, addr, reveal, &format!("{kind} export"))?;
    let form = load_form(state, &doc).await?;
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
            "{kind}{}{}",
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
    Ok(Export {
        doc,
        form,
        filter,
        lang,
        reveal,
    })
}

/// Calls `each` with every matching response, a page at a time, in id order.
fn for_each_response(
    forms: &super::Forms,
    export: &Export,
    mut each: impl FnMut(&[super::StoredResponse]) -> bool,
) -> Result<(), crate::store::StoreError> {
    let conn = forms.db().reader()?;
    let mut after = 0;
    loop {
        let page = forms
            .db()
            .page(&conn, &export.doc, &export.filter, after, CHUNK_ROWS)?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.id;
        if !each(&page) {
            return Ok(());
        }
    }
}

fn attachment(doc: &gather_doc::DocId, ext: &str, content_type: &str, body: Body) -> Response {
    let name = format!("responses-{}.{ext}", doc.as_str());
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn csv(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let export = prepare(&state, addr, &doc, &query, &headers, "CSV").await?;
    let doc = export.doc.clone();
    // How many rows to expect, for the app's progress bar (counting is cheap next to writing).
    let rows = {
        let (forms, doc, filter) = (state.forms.clone(), doc.clone(), export.filter.clone());
        blocking(move || {
            let conn = forms.db().reader()?;
            Ok(forms.db().count_in_range(&conn, &doc, &filter)?)
        })
        .await?
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let forms = state.forms.clone();
    tokio::task::spawn_blocking(move || {
        let header = header_row(&export.form, export.lang);
        if tx.blocking_send(Ok(Bytes::from(header))).is_err() {
            return;
        }
        let sent = for_each_response(&forms, &export, |page| {
            let mut chunk = String::new();
            for r in page {
                response_row(
                    &export.form,
                    &r.receipt,
                    r.submitted_at,
                    &r.answers,
                    export.lang,
                    export.reveal,
                    &mut chunk,
                );
            }
            // A closed channel means the client went away.
            tx.blocking_send(Ok(Bytes::from(chunk))).is_ok()
        });
        if let Err(error) = sent {
            tracing::error!(%error, "export could not read responses");
            let _ = tx.blocking_send(Err(std::io::Error::other("storage failed")));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut response = attachment(
        &doc,
        "csv",
        "text/csv; charset=utf-8",
        Body::from_stream(stream),
    );
    response
        .headers_mut()
        .insert(ROWS_HEADER, header::HeaderValue::from(rows));
    Ok(response)
}

/// The XLSX export: the same columns as the CSV, numbers as numbers. The worksheet is written in
/// rust_xlsxwriter's constant-memory mode to a temporary file, which is then sent.
pub(super) async fn xlsx(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let export = prepare(&state, addr, &doc, &query, &headers, "XLSX").await?;
    let doc = export.doc.clone();
    let forms = state.forms.clone();
    let written = tokio::task::spawn_blocking(move || write_xlsx(&forms, &export)).await;
    let file = match written {
        Ok(Ok(file)) => file,
        Ok(Err(error)) => {
            tracing::error!(%error, "XLSX export failed");
            return Err(ApiError(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "export_failed",
                "the export could not be written".into(),
            ));
        }
        Err(error) => {
            tracing::error!(%error, "XLSX export task failed");
            return Err(ApiError(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal server error".into(),
            ));
        }
    };
    let length = file.metadata().map(|m| m.len()).ok();
    // The file is already unlinked; reading it through the open handle streams it.
    let stream = tokio_util_stream(file);
    let mut response = attachment(
        &doc,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Body::from_stream(stream),
    );
    if let Some(length) = length {
        // Known once written, so the app can show how much has arrived.
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    }
    Ok(response)
}

/// Reads `file` in 64 KiB chunks as a body stream.
fn tokio_util_stream(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let file = tokio::fs::File::from_std(file);
    futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
}

#[derive(Debug, thiserror::Error)]
enum XlsxError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("storage: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

fn write_xlsx(forms: &super::Forms, export: &Export) -> Result<std::fs::File, XlsxError> {
    use gather_doc::form::QuestionType;
    use rust_xlsxwriter::{Format, Workbook};
    use std::io::{Seek, SeekFrom};

    let questions: Vec<_> = export
        .form
        .questions
        .iter()
        .filter(|q| q.kind.takes_answer())
        .collect();
    let zh = export.lang == "zh";
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(if zh { "回复" } else { "Responses" })?;
    for (col, heading) in headings(&export.form, export.lang).iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, heading, &bold)?;
        sheet.set_column_width(col as u16, if col < 2 { 20 } else { 16 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row = 1u32;
    let mut failure = None;
    for_each_response(forms, export, |page| {
        for r in page {
            let mut cells = || -> Result<(), rust_xlsxwriter::XlsxError> {
                sheet.write_string(row, 0, &r.receipt)?;
                sheet.write_string(row, 1, format_time(r.submitted_at, CST_OFFSET_MINUTES))?;
                for (i, q) in questions.iter().enumerate() {
                    let col = i as u16 + 2;
                    let Some(value) = r.answers.get(&q.id) else {
                        continue;
                    };
                    match (q.kind, value.as_f64()) {
                        (QuestionType::Number | QuestionType::Rating, Some(n)) => {
                            sheet.write_number(row, col, n)?;
                        }
                        _ => {
                            let shown = display_answer(q, value, export.lang, export.reveal);
                            sheet.write_string(row, col, shown)?;
                        }
                    }
                }
                Ok(())
            };
            if let Err(e) = cells() {
                failure = Some(e);
                return false;
            }
            row += 1;
        }
        true
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
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
