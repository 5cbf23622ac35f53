//! Responses to forms, stored apart from the form document in the same SQLite file: one row per
//! response (unique per form and client-made `submission_id`, so a repeated submission never
//! makes a second row), and a history of every change (who, when, and the answers before).
//! Every function blocks; call them off the async runtime.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use gather_doc::DocId;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::store::StoreError;

/// One stored response.
#[derive(Clone, Debug, Serialize)]
pub struct StoredResponse {
    pub id: i64,
    pub receipt: String,
    pub submitted_at: i64,
    pub updated_at: i64,
    /// The label of the link it was submitted with.
    pub via: String,
    pub answers: serde_json::Value,
    #[serde(skip)]
    pub submission_id: String,
    /// Who answered, by roster id, when the form knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The day it was submitted, in the form's time zone.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub day: String,
    /// The version of the form's questions the answers were filled in on
    /// (`gather_doc::form::version_of`); empty for responses stored before versions.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub form_version: String,
}

/// Who answered, when a form knows (a personal link, or the roster id question), and which of
/// their earlier responses a new one replaces.
#[derive(Clone, Debug, Default)]
pub struct Respondent {
    /// Their roster id.
    pub person: Option<String>,
    /// The day of the submission in the form's time zone (`YYYY-MM-DD`).
    pub day: String,
    pub replaces: Replaces,
}

/// Which earlier response of the same person a submission replaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replaces {
    /// None: every submission is a response of its own.
    #[default]
    Nothing,
    /// Their response, whenever it was made (one response per person).
    Any,
    /// Their response of the same day (one per person per day).
    SameDay,
}

/// What a submission did.
#[derive(Debug)]
pub enum Submitted {
    /// A new response.
    New(StoredResponse),
    /// The person's earlier response (of the day), now with these answers; the earlier ones are
    /// in its history.
    Replaced(StoredResponse),
    /// The same `submission_id` with the same answers: the first response, unchanged.
    Repeat(StoredResponse),
    /// The same `submission_id` with different answers: refused.
    Conflict,
}

/// One change to a response.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub at: i64,
    pub by: String,
    /// `submitted`, `edited` (by the respondent), `corrected` (by an owner or editor), `deleted`.
    pub action: String,
    /// The answers before the change (none for `submitted` and `deleted`).
    pub before: Option<serde_json::Value>,
}

/// Which responses a list or export covers.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Submitted at or after (ms).
    pub from: Option<i64>,
    /// Submitted before (ms).
    pub to: Option<i64>,
    /// Changed at or after (ms), for the live table's polling.
    pub changed_since: Option<i64>,
    /// Text the answers must contain.
    pub text: Option<String>,
}

/// The response tables.
pub struct ResponseDb {
    writer: Mutex<Connection>,
    path: PathBuf,
}

pub(super) const COLUMNS: &str =
    "id, receipt, submitted_at, updated_at, via, answers, submission_id, person_id, day, form_version";

pub(super) fn row(r: &rusqlite::Row) -> rusqlite::Result<StoredResponse> {
    let answers: String = r.get(5)?;
    Ok(StoredResponse {
        id: r.get(0)?,
        receipt: r.get(1)?,
        submitted_at: r.get(2)?,
        updated_at: r.get(3)?,
        via: r.get(4)?,
        answers: serde_json::from_str(&answers).unwrap_or_default(),
        submission_id: r.get(6)?,
        person_id: r.get(7)?,
        day: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
        form_version: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
    })
}

impl ResponseDb {
    pub fn open(data_dir: &Path) -> Result<ResponseDb, StoreError> {
        let (conn, path) = crate::store::open_writer(data_dir)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS responses (
                id            INTEGER PRIMARY KEY,
                doc           TEXT    NOT NULL,
                submission_id TEXT    NOT NULL,
                receipt       TEXT    NOT NULL,
                submitted_at  INTEGER NOT NULL,
                updated_at    INTEGER NOT NULL,
                via           TEXT    NOT NULL,
                answers       TEXT    NOT NULL,
                UNIQUE (doc, submission_id)
            );
            CREATE INDEX IF NOT EXISTS responses_by_time ON responses (doc, submitted_at);
            CREATE INDEX IF NOT EXISTS responses_by_change ON responses (doc, updated_at);
            CREATE TABLE IF NOT EXISTS response_changes (
                id          INTEGER PRIMARY KEY,
                doc         TEXT    NOT NULL,
                response_id INTEGER NOT NULL,
                at          INTEGER NOT NULL,
                by          TEXT    NOT NULL,
                action      TEXT    NOT NULL,
                before      TEXT
            );
            CREATE INDEX IF NOT EXISTS response_changes_by_response
                ON response_changes (doc, response_id);",
        )?;
        conn.execute_batch(super::photos::SCHEMA)?;
        conn.execute_batch(super::roster::SCHEMA)?;
        conn.execute_batch(super::retention::SCHEMA)?;
        conn.execute_batch(super::supplies::SCHEMA)?;
        // Who answered and on which day, for rosters and daily forms; added after the first
        // release, so older files gain the columns here.
        let has_person: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('responses') WHERE name = 'person_id'")?
            .exists([])?;
        if !has_person {
            conn.execute_batch(
                "ALTER TABLE responses ADD COLUMN person_id TEXT;
                 ALTER TABLE responses ADD COLUMN day TEXT;",
            )?;
        }
        // The form version the answers were filled in on, added later still.
        let has_version: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('responses') WHERE name = 'form_version'")?
            .exists([])?;
        if !has_version {
            conn.execute_batch("ALTER TABLE responses ADD COLUMN form_version TEXT;")?;
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS responses_by_person ON responses (doc, person_id, day);
             CREATE INDEX IF NOT EXISTS responses_by_day ON responses (doc, day);",
        )?;
        Ok(ResponseDb {
            writer: Mutex::new(conn),
            path,
        })
    }

    /// The writing connection. Its transactions start `IMMEDIATE`: a deferred one that read
    /// first could not upgrade to writing after another connection (the update store, the audit
    /// log) committed, and would fail with `SQLITE_BUSY` instead of waiting.
    pub(super) fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.writer.lock().map_err(|_| StoreError::Unavailable)
    }

    /// A read-only connection, for [`ResponseDb::page`] and [`ResponseDb::count`].
    pub fn reader(&self) -> Result<Connection, StoreError> {
        crate::store::open_reader(&self.path)
    }

    /// Stores a new response, durably (synchronous=FULL) before returning, unless one with
    /// this `submission_id` exists, or replaces `who`'s earlier response when the form allows
    /// one per person (per day). `form_version` is the version of the questions the answers
    /// were filled in on.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &self,
        doc: &DocId,
        submission_id: &str,
        receipt: &str,
        via: &str,
        who: &Respondent,
        answers: &serde_json::Value,
        form_version: &str,
        now: i64,
    ) -> Result<Submitted, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND submission_id = ?2"),
                params![doc.as_str(), submission_id],
                row,
            )
            .optional()?;
        if let Some(existing) = existing {
            return Ok(if &existing.answers == answers {
                Submitted::Repeat(existing)
            } else {
                Submitted::Conflict
            });
        }
        let earlier = match (&who.person, who.replaces) {
            (None, _) | (_, Replaces::Nothing) => None,
            (Some(person), Replaces::Any) => tx
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND person_id = ?2
                         ORDER BY id DESC LIMIT 1"
                    ),
                    params![doc.as_str(), person],
                    row,
                )
                .optional()?,
            (Some(person), Replaces::SameDay) => tx
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND person_id = ?2 AND day = ?3
                         ORDER BY id DESC LIMIT 1"
                    ),
                    params![doc.as_str(), person, who.day],
                    row,
                )
                .optional()?,
        };
        if let Some(mut earlier) = earlier {
            if &earlier.answers != answers {
                tx.execute(
                    "INSERT INTO response_changes (doc, response_id, at, by, action, before)
                     VALUES (?1, ?2, ?3, ?4, 'resubmitted', ?5)",
                    params![
                        doc.as_str(),
                        earlier.id,
                        now,
                        via,
                        earlier.answers.to_string()
                    ],
                )?;
                tx.execute(
                    "UPDATE responses SET answers = ?1, updated_at = ?2, form_version = ?3
                     WHERE id = ?4",
                    params![answers.to_string(), now, form_version, earlier.id],
                )?;
                tx.commit()?;
                earlier.answers = answers.clone();
                earlier.updated_at = now;
                earlier.form_version = form_version.into();
            }
            return Ok(Submitted::Replaced(earlier));
        }
        tx.execute(
            "INSERT INTO responses (doc, submission_id, receipt, submitted_at, updated_at, via, answers, person_id, day, form_version)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![doc.as_str(), submission_id, receipt, now, via, answers.to_string(), who.person, who.day, form_version],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO response_changes (doc, response_id, at, by, action) VALUES (?1, ?2, ?3, ?4, 'submitted')",
            params![doc.as_str(), id, now, via],
        )?;
        tx.commit()?;
        Ok(Submitted::New(StoredResponse {
            id,
            receipt: receipt.into(),
            submitted_at: now,
            updated_at: now,
            via: via.into(),
            answers: answers.clone(),
            submission_id: submission_id.into(),
            person_id: who.person.clone(),
            day: who.day.clone(),
            form_version: form_version.into(),
        }))
    }

    /// The response with this `submission_id` (the respondent's own).
    pub fn by_submission(
        &self,
        doc: &DocId,
        submission_id: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let conn = self.reader()?;
        let found = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND submission_id = ?2"),
                params![doc.as_str(), submission_id],
                row,
            )
            .optional()?;
        Ok(found)
    }

    /// Response `id`, if the form has it.
    pub fn get(&self, doc: &DocId, id: i64) -> Result<Option<StoredResponse>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND id = ?2"),
                params![doc.as_str(), id],
                row,
            )
            .optional()?)
    }

    /// Replaces the answers of response `id` (filled in on `form_version`), keeping the old ones
    /// in its history. `action` is `edited` or `corrected`. Returns the response, or `None` if
    /// there is none.
    #[allow(clippy::too_many_arguments)]
    pub fn change(
        &self,
        doc: &DocId,
        id: i64,
        answers: &serde_json::Value,
        form_version: &str,
        by: &str,
        action: &str,
        now: i64,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut current) = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM responses WHERE doc = ?1 AND id = ?2"),
                params![doc.as_str(), id],
                row,
            )
            .optional()?
        else {
            return Ok(None);
        };
        if &current.answers == answers {
            return Ok(Some(current));
        }
        tx.execute(
            "INSERT INTO response_changes (doc, response_id, at, by, action, before) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![doc.as_str(), id, now, by, action, current.answers.to_string()],
        )?;
        tx.execute(
            "UPDATE responses SET answers = ?1, updated_at = ?2, form_version = ?3 WHERE id = ?4",
            params![answers.to_string(), now, form_version, id],
        )?;
        tx.commit()?;
        current.answers = answers.clone();
        current.updated_at = now;
        current.form_version = form_version.into();
        Ok(Some(current))
    }

    /// Deletes response `id` (its answers are gone from disk; the history keeps who deleted it
    /// and when). Returns false if there was none.
    pub fn delete(&self, doc: &DocId, id: i64, by: &str, now: i64) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute(
            "DELETE FROM responses WHERE doc = ?1 AND id = ?2",
            params![doc.as_str(), id],
        )?;
        if deleted == 0 {
            return Ok(false);
        }
        // Its photos, alert clearances and the earlier answers kept in the history go with it.
        tx.execute(
            "DELETE FROM form_alert_clearances WHERE doc = ?1 AND response_id = ?2",
            params![doc.as_str(), id],
        )?;
        tx.execute(
            "DELETE FROM form_photos WHERE doc = ?1 AND response_id = ?2",
            params![doc.as_str(), id],
        )?;
        tx.execute(
            "UPDATE response_changes SET before = NULL WHERE doc = ?1 AND response_id = ?2",
            params![doc.as_str(), id],
        )?;
        tx.execute(
            "INSERT INTO response_changes (doc, response_id, at, by, action) VALUES (?1, ?2, ?3, ?4, 'deleted')",
            params![doc.as_str(), id, now, by],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The history of response `id`, oldest first.
    pub fn history(&self, doc: &DocId, id: i64) -> Result<Vec<Change>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare(
            "SELECT at, by, action, before FROM response_changes
             WHERE doc = ?1 AND response_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![doc.as_str(), id], |r| {
            let before: Option<String> = r.get(3)?;
            Ok(Change {
                at: r.get(0)?,
                by: r.get(1)?,
                action: r.get(2)?,
                before: before.and_then(|b| serde_json::from_str(&b).ok()),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` responses matching `filter` with an id above `after_id`, in id order: a
    /// page of a list or an export, so no caller holds every response in memory.
    pub fn page(
        &self,
        conn: &Connection,
        doc: &DocId,
        filter: &Filter,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredResponse>, StoreError> {
        let like = filter.text.as_ref().map(|t| {
            let escaped = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM responses
             WHERE doc = ?1 AND id > ?2
               AND (?3 IS NULL OR submitted_at >= ?3)
               AND (?4 IS NULL OR submitted_at < ?4)
               AND (?5 IS NULL OR updated_at >= ?5)
               AND (?6 IS NULL OR answers LIKE ?6 ESCAPE '\\' OR receipt = ?7)
             ORDER BY id LIMIT ?8"
        ))?;
        let rows = stmt.query_map(
            params![
                doc.as_str(),
                after_id,
                filter.from,
                filter.to,
                filter.changed_since,
                like,
                filter.text,
                limit as i64
            ],
            row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many responses were submitted in `filter`'s date range (the text search is not
    /// counted: with one, this is the most rows an export can have).
    pub fn count_in_range(
        &self,
        conn: &Connection,
        doc: &DocId,
        filter: &Filter,
    ) -> Result<i64, StoreError> {
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM responses WHERE doc = ?1
               AND (?2 IS NULL OR submitted_at >= ?2) AND (?3 IS NULL OR submitted_at < ?3)",
            params![doc.as_str(), filter.from, filter.to],
            |r| r.get(0),
        )?)
    }

    /// How many responses the form has.
    pub fn count(&self, conn: &Connection, doc: &DocId) -> Result<i64, StoreError> {
        Ok(conn.query_row(
            "SELECT COUNT(*) FROM responses WHERE doc = ?1",
            [doc.as_str()],
            |r| r.get(0),
        )?)
    }

    /// Removes every response and change of a deleted document.
    pub fn delete_doc(&self, doc: &DocId) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM responses WHERE doc = ?1", [doc.as_str()])?;
        tx.execute("DELETE FROM form_photos WHERE doc = ?1", [doc.as_str()])?;
        tx.execute("DELETE FROM form_roster WHERE doc = ?1", [doc.as_str()])?;
        tx.execute(
            "DELETE FROM form_alert_clearances WHERE doc = ?1",
            [doc.as_str()],
        )?;
        tx.execute("DELETE FROM form_retention WHERE doc = ?1", [doc.as_str()])?;
        tx.execute(
            "DELETE FROM form_requests WHERE doc = ?1 OR requests = ?1",
            [doc.as_str()],
        )?;
        tx.execute(
            "DELETE FROM response_changes WHERE doc = ?1",
            [doc.as_str()],
        )?;
        tx.commit()?;
        // Move the overwritten pages out of the write-ahead log into the main file too.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn who(person: &str, day: &str, replaces: Replaces) -> Respondent {
        Respondent {
            person: Some(person.into()),
            day: day.into(),
            replaces,
        }
    }

    #[test]
    fn one_response_per_person_per_day_replaces_and_keeps_the_earlier_answers() {
        let dir = tempfile::tempdir().unwrap();
        let db = ResponseDb::open(dir.path()).unwrap();
        let doc = DocId::parse("daily-form").unwrap();
        let send = |id: &str, who: &Respondent, temperature: f64, at: i64| {
            db.submit(
                &doc,
                id,
                &format!("R-{id}"),
                "link",
                who,
                &json!({ "t": temperature }),
                "v1",
                at,
            )
            .unwrap()
        };
        let daily = |day: &str| who("20200101", day, Replaces::SameDay);
        let Submitted::New(first) = send("morning-1", &daily("2020-02-03"), 36.6, 1000) else {
            panic!("the first check-in is new");
        };
        // Again the same day: the same response, with the new answers and the old in history.
        let Submitted::Replaced(again) = send("noon-0001", &daily("2020-02-03"), 37.4, 2000) else {
            panic!("a second check-in the same day replaces the first");
        };
        assert_eq!(
            (again.id, again.receipt.as_str()),
            (first.id, first.receipt.as_str())
        );
        assert_eq!(again.answers["t"], 37.4);
        let history = db.history(&doc, first.id).unwrap();
        assert_eq!(history[1].action, "resubmitted");
        assert_eq!(history[1].before.as_ref().unwrap()["t"], 36.6);
        // The next day is a new response; so is another person the same day.
        assert!(matches!(
            send("next-day-1", &daily("2020-02-04"), 36.5, 3000),
            Submitted::New(_)
        ));
        let other = who("20200102", "2020-02-03", Replaces::SameDay);
        assert!(matches!(
            send("classmate", &other, 36.5, 1500),
            Submitted::New(_)
        ));
        // A form answered once: a later day still replaces.
        let once = |day: &str| who("20200103", day, Replaces::Any);
        assert!(matches!(
            send("once-0001", &once("2020-02-03"), 36.5, 1000),
            Submitted::New(_)
        ));
        assert!(matches!(
            send("once-0002", &once("2020-03-01"), 36.7, 9000),
            Submitted::Replaced(_)
        ));
        // Without a person nothing is replaced.
        let anonymous = Respondent {
            person: None,
            day: "2020-02-03".into(),
            replaces: Replaces::SameDay,
        };
        assert!(matches!(
            send("anon-00001", &anonymous, 36.5, 1000),
            Submitted::New(_)
        ));
        assert!(matches!(
            send("anon-00002", &anonymous, 36.5, 1000),
            Submitted::New(_)
        ));
        let conn = db.reader().unwrap();
        assert_eq!(db.count(&conn, &doc).unwrap(), 6);
    }
}
