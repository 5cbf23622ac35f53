//! How long a form keeps its responses. Student health data should not live forever: an owner
//! sets a number of days, and responses older than that are deleted from disk — answers,
//! history and photos — with the deletion written to the audit log. The sweep runs when the
//! server starts and every ten minutes after.
//!
//! `GET|PUT /api/forms/{doc}/retention` `{"days": 30}` (`null`: keep until deleted); owners only.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::{DocId, Role};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Deserialize;
use serde_json::json;

use super::responses::ResponseDb;
use super::routes::load_form;
use crate::access::{now_ms, Access};
use crate::api::{authorize, bad_input, blocking, body, ApiError};
use crate::client_addr::ClientAddr;
use crate::store::StoreError;
use crate::ServerState;

pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS form_retention (
        doc  TEXT    PRIMARY KEY,
        days INTEGER NOT NULL
    ) WITHOUT ROWID;";

/// The longest retention an owner may set (ten years).
const MAX_DAYS: u32 = 3650;
/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/api/forms/{doc}/retention", get(read).put(set))
}

impl ResponseDb {
    pub fn retention(&self, doc: &DocId) -> Result<Option<u32>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                "SELECT days FROM form_retention WHERE doc = ?1",
                [doc.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_retention(&self, doc: &DocId, days: Option<u32>) -> Result<(), StoreError> {
        let conn = self.writer()?;
        match days {
            Some(days) => conn.execute(
                "INSERT INTO form_retention (doc, days) VALUES (?1, ?2)
                 ON CONFLICT (doc) DO UPDATE SET days = excluded.days",
                params![doc.as_str(), days],
            )?,
            None => conn.execute("DELETE FROM form_retention WHERE doc = ?1", [doc.as_str()])?,
        };
        Ok(())
    }

    /// Every form with a retention, and its days.
    pub fn retained(&self) -> Result<Vec<(String, u32)>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare("SELECT doc, days FROM form_retention")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes `doc`'s responses submitted before `before` (ms), with their history and photos.
    /// Returns how many.
    pub fn expire(&self, doc: &DocId, before: i64) -> Result<usize, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = "SELECT id FROM responses WHERE doc = ?1 AND submitted_at < ?2";
        tx.execute(
            &format!("DELETE FROM response_changes WHERE doc = ?1 AND response_id IN ({old})"),
            params![doc.as_str(), before],
        )?;
        tx.execute(
            &format!("DELETE FROM form_photos WHERE doc = ?1 AND response_id IN ({old})"),
            params![doc.as_str(), before],
        )?;
        tx.execute(
            &format!("DELETE FROM form_alert_clearances WHERE doc = ?1 AND response_id IN ({old})"),
            params![doc.as_str(), before],
        )?;
        let gone = tx.execute(
            "DELETE FROM responses WHERE doc = ?1 AND submitted_at < ?2",
            params![doc.as_str(), before],
        )?;
        tx.commit()?;
        if gone > 0 {
            // Move the overwritten pages out of the write-ahead log into the main file too.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(gone)
    }
}

/// Deletes every form's responses older than its retention, and logs what went. Blocks.
pub fn sweep(db: &ResponseDb, access: &Access, now: i64) -> Result<usize, StoreError> {
    let mut total = 0;
    for (doc, days) in db.retained()? {
        let Ok(doc) = DocId::parse(&doc) else {
            continue;
        };
        let gone = db.expire(&doc, now - i64::from(days) * DAY_MS)?;
        if gone > 0 {
            tracing::info!(doc = %doc, gone, days, "responses past their retention deleted");
            access.audit().record(
                &doc,
                "responses_expired",
                None,
                "",
                None,
                &format!("{gone} responses older than {days} days"),
            );
        }
        total += gone;
    }
    Ok(total)
}

async fn read(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let forms = state.forms.clone();
    let days = blocking(move || Ok(forms.db().retention(&doc)?)).await?;
    Ok(Json(json!({ "days": days })).into_response())
}

#[derive(Deserialize, Default)]
struct Retention {
    days: Option<u32>,
}

async fn set(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_manage)?;
    let Retention { days } = body(&bytes)?;
    if days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
        return Err(bad_input("days must be 1 to 3650, or null"));
    }
    load_form(&state, &doc).await?;
    let (forms, access, target) = (state.forms.clone(), state.access.clone(), doc.clone());
    blocking(move || {
        forms.db().set_retention(&target, days)?;
        // Applies at once, not at the next sweep.
        if let Some(days) = days {
            let gone = forms
                .db()
                .expire(&target, now_ms() - i64::from(days) * DAY_MS)?;
            if gone > 0 {
                access.audit().record(
                    &target,
                    "responses_expired",
                    None,
                    "",
                    None,
                    &format!("{gone} responses older than {days} days"),
                );
            }
        }
        Ok(())
    })
    .await?;
    state.access.audit().record(
        &doc,
        "retention_set",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &days.map_or("kept until deleted".to_owned(), |d| format!("{d} days")),
    );
    Ok(Json(json!({ "days": days })).into_response())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::forms::{Respondent, Submitted};

    #[test]
    fn responses_past_the_retention_are_gone_from_disk_and_newer_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let db = ResponseDb::open(dir.path()).unwrap();
        let doc = DocId::parse("retained-form").unwrap();
        let day = 24 * 60 * 60 * 1000;
        let now = 1_700_000_000_000;
        for (i, age_days, name) in [(1, 40, "四十天前的李雷"), (2, 10, "十天前的韩梅梅")]
        {
            let answers = json!({ "name": name });
            let submitted = db
                .submit(
                    &doc,
                    &format!("submission-{i}"),
                    "AAAA-BBBB",
                    "link",
                    &Respondent::default(),
                    &answers,
                    "v1",
                    now - age_days * day,
                )
                .unwrap();
            assert!(matches!(submitted, Submitted::New(_)));
        }
        db.set_retention(&doc, Some(30)).unwrap();
        assert_eq!(db.retention(&doc).unwrap(), Some(30));
        assert_eq!(db.expire(&doc, now - 30 * day).unwrap(), 1);
        let conn = db.reader().unwrap();
        assert_eq!(db.count(&conn, &doc).unwrap(), 1);
        drop(conn);
        let files: Vec<u8> = ["gather.sqlite3", "gather.sqlite3-wal"]
            .iter()
            .flat_map(|f| std::fs::read(dir.path().join(f)).unwrap_or_default())
            .collect();
        let gone = "四十天前".as_bytes();
        assert!(
            !files.windows(gone.len()).any(|w| w == gone),
            "the old answer is still on disk"
        );
        let kept = "十天前".as_bytes();
        assert!(files.windows(kept.len()).any(|w| w == kept));
    }
}
