//! A form's roster and what it makes possible: personal respondent links (one per person, so
//! the form knows who is answering without accounts), one response per person (per day), and
//! the day view of who has reported, who has not, and whose answers raise an alert.
//!
//! - `PUT /api/forms/{doc}/roster` (CSV body, owner or editor) replaces the roster, keeps the
//!   personal links of people still on it (printed QR codes stay good), makes links for new
//!   people and revokes those of people removed; a bad file changes nothing.
//! - `GET /api/forms/{doc}/roster` lists the people with their personal links.
//! - `GET /api/forms/{doc}/days/{date}` is the day view.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::form::alerts::alerts_of;
use gather_doc::form::roster::{parse_csv, Person};
use gather_doc::form::{FormDef, Frequency};
use gather_doc::{DocId, Role};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::responses::{Replaces, Respondent, ResponseDb, StoredResponse};
use super::routes::{changed_by, check_reveal, load_form, mask_answers, masked_person, ListQuery};
use crate::access::Grant;
use crate::api::{authorize, blocking, ApiError};
use crate::client_addr::ClientAddr;
use crate::store::StoreError;
use crate::ServerState;

pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS form_roster (
        doc       TEXT    NOT NULL,
        person_id TEXT    NOT NULL,
        name      TEXT    NOT NULL,
        grp       TEXT    NOT NULL,
        position  INTEGER NOT NULL,
        PRIMARY KEY (doc, person_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS form_alert_clearances (
        doc         TEXT    NOT NULL,
        response_id INTEGER NOT NULL,
        rule        INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        by          TEXT    NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (doc, response_id, rule)
    ) WITHOUT ROWID;";

/// Cleared alerts by (response, rule): the response's change it was cleared at, by whom, when.
type Clearances = HashMap<(i64, usize), (i64, String, i64)>;

/// The largest roster file taken (20,000 people of a few dozen bytes each fit easily).
const MAX_ROSTER_BYTES: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route(
            "/api/forms/{doc}/roster",
            get(list)
                .put(replace)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_ROSTER_BYTES)),
        )
        .route("/api/forms/{doc}/days/{date}", get(day))
        .route(
            "/api/forms/{doc}/responses/{id}/alerts/{rule}/clear",
            axum::routing::post(clear_alert),
        )
}

impl ResponseDb {
    /// The roster, in file order.
    pub fn roster(&self, doc: &DocId) -> Result<Vec<Person>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(
            "SELECT person_id, name, grp FROM form_roster WHERE doc = ?1 ORDER BY position",
        )?;
        let people = stmt.query_map([doc.as_str()], |r| {
            Ok(Person {
                id: r.get(0)?,
                name: r.get(1)?,
                group: r.get(2)?,
            })
        })?;
        Ok(people.collect::<Result<_, _>>()?)
    }

    /// One person on the roster.
    pub fn person(&self, doc: &DocId, id: &str) -> Result<Option<Person>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                "SELECT person_id, name, grp FROM form_roster WHERE doc = ?1 AND person_id = ?2",
                params![doc.as_str(), id],
                |r| {
                    Ok(Person {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        group: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether the form has a roster at all.
    pub fn has_roster(&self, doc: &DocId) -> Result<bool, StoreError> {
        let conn = self.reader()?;
        let found = conn
            .prepare_cached("SELECT 1 FROM form_roster WHERE doc = ?1 LIMIT 1")?
            .exists([doc.as_str()])?;
        Ok(found)
    }

    /// Replaces the roster in one transaction.
    pub fn replace_roster(&self, doc: &DocId, people: &[Person]) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM form_roster WHERE doc = ?1", [doc.as_str()])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO form_roster (doc, person_id, name, grp, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, p) in people.iter().enumerate() {
                insert.execute(params![doc.as_str(), p.id, p.name, p.group, i as i64])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The responses submitted on `day` (the form's time zone), oldest first.
    pub fn of_day(&self, doc: &DocId, day: &str) -> Result<Vec<StoredResponse>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM responses WHERE doc = ?1 AND day = ?2 ORDER BY id",
            super::responses::COLUMNS
        ))?;
        let rows = stmt.query_map(params![doc.as_str(), day], super::responses::row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that `by` has seen to alert `rule` of response `id` as answered at `answered_at`
    /// (the response's last change: a later change raises it again).
    pub fn clear_alert(
        &self,
        doc: &DocId,
        id: i64,
        rule: usize,
        answered_at: i64,
        by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let conn = self.writer()?;
        conn.execute(
            "INSERT INTO form_alert_clearances (doc, response_id, rule, answered_at, by, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (doc, response_id, rule) DO UPDATE SET
               answered_at = excluded.answered_at, by = excluded.by, at = excluded.at",
            params![doc.as_str(), id, rule as i64, answered_at, by, now],
        )?;
        Ok(())
    }

    /// Who cleared which alerts, by (response, rule): (answered_at, by, at).
    fn clearances(&self, doc: &DocId) -> Result<Clearances, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(
            "SELECT response_id, rule, answered_at, by, at FROM form_alert_clearances WHERE doc = ?1",
        )?;
        let rows = stmt.query_map([doc.as_str()], |r| {
            Ok((
                (r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as usize),
                (r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The latest response of `person` (on `day`, if given).
    pub fn latest_of(
        &self,
        doc: &DocId,
        person: &str,
        day: Option<&str>,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let conn = self.reader()?;
        Ok(conn
            .query_row(
                &format!(
                    "SELECT {} FROM responses WHERE doc = ?1 AND person_id = ?2
                       AND (?3 IS NULL OR day = ?3) ORDER BY id DESC LIMIT 1",
                    super::responses::COLUMNS
                ),
                params![doc.as_str(), person, day],
                super::responses::row,
            )
            .optional()?)
    }
}

/// One person and their personal link, as the roster lists them.
#[derive(Serialize)]
struct Entry {
    person_id: String,
    name: String,
    group: String,
    token: Option<String>,
    url: Option<String>,
}

fn entries(state: &ServerState, doc: &DocId, people: Vec<Person>) -> Vec<Entry> {
    let mut links = state.access.personal_links(doc);
    people
        .into_iter()
        .map(|p| {
            let link = links.remove(&p.id);
            Entry {
                token: link.as_ref().map(|l| l.token.clone()),
                url: link.map(|l| l.url),
                person_id: p.id,
                name: p.name,
                group: p.group,
            }
        })
        .collect()
}

async fn list(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let (forms, target) = (state.forms.clone(), doc.clone());
    let people = blocking(move || Ok(forms.db().roster(&target)?)).await?;
    Ok(Json(entries(&state, &doc, people)).into_response())
}

fn label(person: &Person) -> String {
    if person.group.is_empty() {
        person.name.clone()
    } else {
        format!("{} · {}", person.name, person.group)
    }
}

async fn replace(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    load_form(&state, &doc).await?;
    // An Excel workbook (a zip file) is read from its first sheet; anything else is CSV text.
    let text = if bytes.starts_with(b"PK\x03\x04") {
        let workbook = bytes.clone();
        match tokio::task::spawn_blocking(move || spreadsheet_csv(&workbook)).await {
            Ok(Some(text)) => text,
            _ => {
                return Ok(bad_roster(&[json!({
                    "line": 1,
                    "zh": "无法读取这个 Excel 文件，请另存为 .xlsx 或“CSV UTF-8”后再上传",
                    "en": "This Excel file could not be read: save it as .xlsx or “CSV UTF-8” and try again",
                })]))
            }
        }
    } else if let Ok(text) = std::str::from_utf8(&bytes) {
        text.to_owned()
    } else {
        return Ok(bad_roster(&[json!({
            "line": 1,
            "zh": "文件须为 Excel（.xlsx）或 UTF-8 编码的 CSV（在 Excel 中另存为“CSV UTF-8”）",
            "en": "The file must be an Excel workbook (.xlsx) or CSV in UTF-8 (in Excel: Save As “CSV UTF-8”)",
        })]));
    };
    let people = match parse_csv(&text) {
        Ok(people) => people,
        Err(errors) => {
            tracing::info!(doc = %doc, addr = %addr, errors = errors.len(), "refused a roster");
            let errors: Vec<Value> = errors
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or_default())
                .collect();
            return Ok(bad_roster(&errors));
        }
    };
    let (forms, access, target) = (state.forms.clone(), state.access.clone(), doc.clone());
    let by = changed_by(&grant);
    let count = people.len();
    let kept = blocking(move || {
        forms.db().replace_roster(&target, &people)?;
        // People still on the roster keep their links; new people get one; removed people's
        // links stop working.
        let existing = access.personal_links(&target);
        let wanted: HashSet<&str> = people.iter().map(|p| p.id.as_str()).collect();
        let new: Vec<(String, String)> = people
            .iter()
            .filter(|p| !existing.contains_key(&p.id))
            .map(|p| (p.id.clone(), label(p)))
            .collect();
        access.create_personal_links(&target, &new)?;
        for (person, link) in &existing {
            if !wanted.contains(person.as_str()) {
                access.revoke(&target, &link.id, &by, Some(addr))?;
            }
        }
        Ok(people)
    })
    .await?;
    state.access.audit().record(
        &doc,
        "roster_replaced",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &format!("{count} people"),
    );
    Ok(Json(entries(&state, &doc, kept)).into_response())
}

fn bad_roster(errors: &[Value]) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": "invalid_roster",
            "message": "the roster file has errors; nothing was changed",
            "errors": errors,
        })),
    )
        .into_response()
}

/// Works out who is answering: a personal link's person (whose id, name and group answers are
/// filled in from the roster, whatever was sent, and whose earlier response of the day a new
/// one replaces), or the person whose id the roster id question names on a shared link (which
/// must be on the roster, if the form has one; counted on the day view, but never replacing).
/// Returns the 422 for an id not on the roster. Blocks.
pub fn identify(
    db: &ResponseDb,
    doc: &DocId,
    form: &FormDef,
    grant: &Grant,
    answers: &mut Map<String, Value>,
    now: i64,
) -> Result<Result<Respondent, Response>, StoreError> {
    let day = form.day_of(now);
    let replaces = match form.frequency {
        Frequency::Any => Replaces::Nothing,
        Frequency::Once => Replaces::Any,
        Frequency::Daily => Replaces::SameDay,
    };
    let fields = form.roster_fields.as_ref();
    let person = if let Some(id) = &grant.person {
        if let (Some(fields), Some(person)) = (fields, db.person(doc, id)?) {
            for (question, value) in [
                (&fields.id, &person.id),
                (&fields.name, &person.name),
                (&fields.group, &person.group),
            ] {
                if !question.is_empty() && form.question(question).is_some() {
                    answers.insert(question.clone(), Value::String(value.clone()));
                }
            }
        }
        Some(id.clone())
    } else if let Some(fields) = fields {
        let typed = answers
            .get(&fields.id)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        // One lookup in the usual case (the id is on the roster); the second only for an
        // unknown id. Without a roster nobody is identified: anyone could type anyone's id.
        match typed {
            Some(id) if db.person(doc, &id)?.is_some() => Some(id),
            Some(_) if db.has_roster(doc)? => return Ok(Err(not_on_roster(&fields.id))),
            _ => None,
        }
    } else {
        None
    };
    // Only a personal link replaces a person's earlier response: on a shared link anyone can
    // type anyone's id, and must not be able to overwrite their answers (or read them back).
    let replaces = if grant.person.is_some() {
        replaces
    } else {
        Replaces::Nothing
    };
    Ok(Ok(Respondent {
        person,
        day,
        replaces,
    }))
}

fn not_on_roster(question: &str) -> Response {
    super::routes::invalid_answers(json!({
        question: {
            "code": "not_on_roster",
            "zh": "名单中没有这个编号，请检查后重新填写，或联系表单管理者",
            "en": "This id is not on the roster: check it, or contact the form's organisers",
        }
    }))
}

/// What a personal link's page says about its person: who they are and, for a form answered
/// once (a day), their response so far. Blocks.
pub fn personal(
    db: &ResponseDb,
    doc: &DocId,
    form: &FormDef,
    person: &str,
    now: i64,
) -> Result<Value, StoreError> {
    let found = db.person(doc, person)?;
    let today = form.day_of(now);
    let latest = match form.frequency {
        Frequency::Any => None,
        Frequency::Once => db.latest_of(doc, person, None)?,
        Frequency::Daily => db.latest_of(doc, person, Some(&today))?,
    };
    Ok(json!({
        "person": found.map(|p| json!({"id": p.id, "name": p.name, "group": p.group})),
        "reported": latest.map(|r| json!({
            "submission_id": r.submission_id,
            "receipt": r.receipt,
            "submitted_at": r.submitted_at,
            "updated_at": r.updated_at,
        })),
    }))
}

/// One person in the day view.
#[derive(Serialize)]
struct DayPerson {
    person_id: String,
    name: String,
    group: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receipt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted_at: Option<i64>,
}

/// A group's counts in the day view.
#[derive(Serialize, Default)]
struct GroupCount {
    group: String,
    total: usize,
    reported: usize,
    missing: usize,
    alerts: usize,
}

async fn day(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, date)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    if gather_doc::form::checks::parse_date(&date).is_none() {
        return Err(crate::api::bad_input("the date must be YYYY-MM-DD"));
    }
    let reveal = query.reveal();
    check_reveal(&state, &doc, &grant, addr, reveal, "day view")?;
    let form = load_form(&state, &doc).await?;
    let (forms, target, day) = (state.forms.clone(), doc.clone(), date.clone());
    let (people, responses, cleared) = blocking(move || {
        Ok((
            forms.db().roster(&target)?,
            forms.db().of_day(&target, &day)?,
            forms.db().clearances(&target)?,
        ))
    })
    .await?;

    // The latest response of each person that day; responses nobody on the roster made.
    let mut by_person: HashMap<&str, &StoredResponse> = HashMap::new();
    let mut others = 0;
    let known: HashSet<&str> = people.iter().map(|p| p.id.as_str()).collect();
    for r in &responses {
        match r.person_id.as_deref().filter(|p| known.contains(p)) {
            Some(p) => {
                by_person.insert(p, r);
            }
            None => others += 1,
        }
    }
    let group_of: HashMap<&str, &str> = people
        .iter()
        .map(|p| (p.id.as_str(), p.group.as_str()))
        .collect();
    // Groups in roster order, as the school listed them.
    let mut groups: Vec<GroupCount> = Vec::new();
    let mut group_at: HashMap<&str, usize> = HashMap::new();
    let (mut reported, mut missing) = (Vec::new(), Vec::new());
    for p in &people {
        let at = *group_at.entry(p.group.as_str()).or_insert_with(|| {
            groups.push(GroupCount {
                group: p.group.clone(),
                ..GroupCount::default()
            });
            groups.len() - 1
        });
        let count = &mut groups[at];
        count.total += 1;
        let response = by_person.get(p.id.as_str());
        let entry = DayPerson {
            person_id: if reveal {
                p.id.clone()
            } else {
                masked_person(&form, &p.id)
            },
            name: p.name.clone(),
            group: p.group.clone(),
            response_id: response.map(|r| r.id),
            receipt: response.map(|r| r.receipt.clone()),
            submitted_at: response.map(|r| r.submitted_at),
        };
        if response.is_some() {
            count.reported += 1;
            reported.push(entry);
        } else {
            count.missing += 1;
            missing.push(entry);
        }
    }

    // Alerts of every response that day (a person's latest only).
    let mut alerts = Vec::new();
    for r in &responses {
        if let Some(p) = r.person_id.as_deref() {
            if by_person.get(p).is_some_and(|latest| latest.id != r.id) {
                continue;
            }
        }
        let mut answers = r.answers.clone();
        if !reveal {
            mask_answers(&form, &mut answers);
        }
        let raised = alerts_of(&form, |id| r.answers.get(id));
        let open = |rule: usize| {
            cleared
                .get(&(r.id, rule))
                .filter(|(answered_at, _, _)| *answered_at == r.updated_at)
        };
        let still_open = raised.iter().any(|a| open(a.rule).is_none());
        if let Some(group) = r.person_id.as_deref().and_then(|p| group_of.get(p)) {
            if let Some(at) = group_at.get(group) {
                groups[*at].alerts += usize::from(still_open);
            }
        }
        for alert in raised {
            let clearance = open(alert.rule).map(|(_, by, at)| json!({"by": by, "at": at}));
            let rule = &form.alerts[alert.rule];
            alerts.push(json!({
                "response_id": r.id,
                "receipt": r.receipt,
                "person_id": r.person_id.as_deref().map(|p| if reveal {
                    p.to_owned()
                } else {
                    masked_person(&form, p)
                }),
                "question_id": alert.question,
                "value": answers.get(&alert.question),
                "rule": alert.rule,
                "label": rule.label,
                "submitted_at": r.submitted_at,
                "cleared": clearance,
            }));
        }
    }
    Ok(Json(json!({
        "date": date,
        "roster": people.len(),
        "reported": reported,
        "missing": missing,
        "others": others,
        "alerts": alerts,
        "groups": groups,
    }))
    .into_response())
}

/// `POST /api/forms/{doc}/responses/{id}/alerts/{rule}/clear` (owner or editor): someone has
/// seen to this alert (called the family, sent the student home). Kept with who and when, and
/// in the audit log; a later change to the response raises it again.
async fn clear_alert(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id, rule)): Path<(String, i64, usize)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let form = load_form(&state, &doc).await?;
    if rule >= form.alerts.len() {
        return Err(crate::api::bad_input("no such alert rule"));
    }
    let (forms, target, by) = (state.forms.clone(), doc.clone(), changed_by(&grant));
    let found = blocking(move || {
        let Some(response) = forms.db().get(&target, id)? else {
            return Ok(false);
        };
        forms.db().clear_alert(
            &target,
            id,
            rule,
            response.updated_at,
            &by,
            crate::access::now_ms(),
        )?;
        Ok(true)
    })
    .await?;
    if !found {
        return Err(crate::api::not_found("no such response"));
    }
    state.access.audit().record(
        &doc,
        "alert_cleared",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &format!("{id} {}", form.alerts[rule].label.en),
    );
    Ok(Json(json!({"cleared": true})).into_response())
}

/// The first sheet of an Excel workbook as CSV text (so one reader checks both), or `None` if
/// it cannot be read.
fn spreadsheet_csv(bytes: &[u8]) -> Option<String> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes)).ok()?;
    let sheet = workbook.worksheet_range_at(0)?.ok()?;
    let mut out = String::new();
    for row in sheet.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| {
                let text = cell.to_string();
                if text.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", text.replace('"', "\"\""))
                } else {
                    text
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    Some(out)
}
