//! The `/api/forms/{doc}` routes. Respondents (and editors and owners) read the definition and
//! submit; only owners and editors read, correct and delete responses; only owners reveal
//! masked ID and phone numbers. Reveals, corrections, deletions and exports go to the audit log.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gather_doc::form::display::{self, day_start_ms, CST_OFFSET_MINUTES};
use gather_doc::form::{supplies, validate, AnswerErrors, FormDef};
use gather_doc::{DocId, Role};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::photos::{missing_photos, photo_answers};
use super::responses::{Filter, StoredResponse, Submitted};
use crate::access::{now_ms, Grant};
use crate::api::{authorize, bad_input, blocking, body, not_found, ApiError};
use crate::client_addr::ClientAddr;
use crate::ServerState;

/// Most responses one list request returns; the reply says where to continue.
const PAGE: usize = 1000;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/forms/{doc}", get(definition))
        .route(
            "/api/forms/{doc}/responses",
            get(list_responses).post(submit),
        )
        .route("/api/forms/{doc}/responses.csv", get(super::export::csv))
        .route("/api/forms/{doc}/responses.xlsx", get(super::export::xlsx))
        .route(
            "/api/forms/{doc}/responses/own/{submission}",
            get(own_response).put(edit_own_response),
        )
        .route(
            "/api/forms/{doc}/responses/{id}",
            axum::routing::patch(correct_response).delete(delete_response),
        )
        .route("/api/forms/{doc}/responses/{id}/history", get(history))
}

fn not_a_form() -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        "not_a_form",
        "this document is not a form".into(),
    )
}

/// Who made a change, as the history and audit log show it.
pub(super) fn changed_by(grant: &Grant) -> String {
    if grant.label.is_empty() {
        grant.role.as_str().to_owned()
    } else {
        format!("{} ({})", grant.label, grant.role.as_str())
    }
}

/// The form in `doc`, read from storage (cached).
pub(super) async fn load_form(state: &ServerState, doc: &DocId) -> Result<Arc<FormDef>, ApiError> {
    let forms = state.forms.clone();
    let store = state.rooms.store().clone();
    let doc = doc.clone();
    blocking(move || Ok(forms.definition(&*store, &doc)?))
        .await?
        .ok_or_else(not_a_form)
}

async fn definition(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, |_| true)?;
    let form = load_form(&state, &doc).await?;
    let mut value = serde_json::to_value(&*form).unwrap_or_default();
    value["accepting"] = json!(form.accepts_at(now_ms()));
    // A personal link: who it is for, and their response so far (today's, for a daily form).
    if let Some(person) = grant.person.clone() {
        let (forms, shown) = (state.forms.clone(), form.clone());
        let about = blocking(move || {
            Ok(super::roster::personal(
                forms.db(),
                &doc,
                &shown,
                &person,
                now_ms(),
            )?)
        })
        .await?;
        value["person"] = about["person"].clone();
        value["reported"] = about["reported"].clone();
    }
    Ok(Json(value).into_response())
}

#[derive(Deserialize, Default)]
struct Submission {
    #[serde(default)]
    submission_id: String,
    #[serde(default)]
    answers: Map<String, Value>,
    /// When the person submitted, by their device's clock (ms): a response that waited offline
    /// counts for the day it was filled in.
    #[serde(default)]
    filled_at: Option<i64>,
    /// The version of the questions the answers were filled in on (the definition's
    /// `version`): a response that waited offline may have been filled in on an older one.
    #[serde(default)]
    form_version: Option<String>,
}

/// How long a response may have waited on a device and still count for the day it was filled.
const LONGEST_WAIT_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// The instant a submission counts for: the device's, if it is plausible (not in the future
/// beyond clock skew, not older than [`LONGEST_WAIT_MS`]), else now.
fn counted_at(filled_at: Option<i64>, now: i64) -> i64 {
    filled_at
        .filter(|at| (now - LONGEST_WAIT_MS..=now + 5 * 60 * 1000).contains(at))
        .map_or(now, |at| at.min(now))
}

fn valid_submission_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The version a submission was filled in on: the one it names, if it has the shape of one
/// (16 lowercase hex digits), else the form's current version.
fn filled_on(sent: Option<&str>, form: &FormDef) -> String {
    sent.filter(|v| v.len() == 16 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .unwrap_or(&form.version)
        .to_owned()
}

pub(super) fn closed() -> ApiError {
    ApiError(
        StatusCode::CONFLICT,
        "form_closed",
        "this form is closed and takes no more responses".into(),
    )
}

/// Validates `answers`, filled in on version `filled_on` of the form, against the form as it
/// is now (region codes against the division table), or answers 422 with an error per question.
/// Answers to questions that are gone are dropped; answers filled in on an older version that
/// no longer satisfy the form (a question became required, a choice was removed) are refused
/// as `form_changed`, naming the questions.
fn checked(
    state: &ServerState,
    form: &FormDef,
    answers: &Map<String, Value>,
    filled_on: &str,
) -> Result<Value, Box<Response>> {
    let regions = state.forms.regions();
    match validate(form, answers)
        .and_then(|clean| super::regions::check_answers(regions, form, clean))
    {
        Ok(clean) => Ok(serde_json::to_value(clean).unwrap_or_default()),
        Err(errors) if filled_on != form.version => {
            Err(Box::new(form_changed(form, filled_on, &errors)))
        }
        Err(errors) => Err(Box::new(invalid_answers(
            serde_json::to_value(errors).unwrap_or_default(),
        ))),
    }
}

/// The 422 for answers filled in on an older version of the form that the current one refuses:
/// each error also names its question (`label`, both languages), and the message lists them.
fn form_changed(form: &FormDef, filled_on: &str, errors: &AnswerErrors) -> Response {
    let mut named = Map::new();
    let mut reasons = Vec::new();
    for (id, error) in errors {
        let label = form
            .question(id)
            .map(|q| q.label.clone())
            .unwrap_or_default();
        reasons.push(format!("{}: {}", label.get("en"), error.en));
        let mut value = serde_json::to_value(error).unwrap_or_default();
        value["label"] = serde_json::to_value(&label).unwrap_or_default();
        named.insert(id.clone(), value);
    }
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": "form_changed",
            "message": format!(
                "the form changed since these answers were filled in; {}",
                reasons.join("; ")
            ),
            "form_version": form.version,
            "filled_version": filled_on,
            "errors": named,
        })),
    )
        .into_response()
}

/// The 422 for answers the server refuses: `errors` holds `{code, zh, en}` per question id.
pub(super) fn invalid_answers(errors: Value) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": "invalid_answers",
            "message": "some answers are not valid",
            "errors": errors,
        })),
    )
        .into_response()
}

fn receipt_json(r: &StoredResponse) -> Value {
    json!({
        "response_id": r.id,
        "receipt": r.receipt,
        "submitted_at": r.submitted_at,
        "updated_at": r.updated_at,
    })
}

/// A receipt code people can read out over the phone: 8 characters without 0/O, 1/I/L.
fn new_receipt() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // The clock is a poor but working fallback; receipts are not secrets.
        bytes = now_ms().to_le_bytes();
    }
    let code: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &code[..4], &code[4..])
}

async fn submit(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_respond)?;
    let mut submission: Submission = body(&bytes)?;
    if !valid_submission_id(&submission.submission_id) {
        return Err(bad_input(
            "submission_id must be 8 to 64 letters, digits, '-' or '_'",
        ));
    }
    let form = load_form(&state, &doc).await?;
    if !form.accepts_at(now_ms()) {
        return Err(closed());
    }
    // Who is answering (a personal link fills in their id, name and group).
    let (forms, target, shown, sender) = (
        state.forms.clone(),
        doc.clone(),
        form.clone(),
        grant.clone(),
    );
    let mut sent = std::mem::take(&mut submission.answers);
    let filled_at = submission.filled_at;
    let version = filled_on(submission.form_version.as_deref(), &form);
    let (identified, sent) = blocking(move || {
        let at = counted_at(filled_at, now_ms());
        let who = super::roster::identify(forms.db(), &target, &shown, &sender, &mut sent, at)?;
        Ok((who, sent))
    })
    .await?;
    let who = match identified {
        Ok(who) => who,
        Err(response) => {
            tracing::info!(doc = %doc, addr = %addr, "refused an id not on the roster");
            return Ok(response);
        }
    };
    let answers = match checked(&state, &form, &sent, &version) {
        Ok(answers) => answers,
        Err(response) => {
            tracing::info!(doc = %doc, addr = %addr, filled_on = %version, "refused invalid answers");
            return Ok(*response);
        }
    };
    let photos = photo_answers(&form, &answers);
    let forms = state.forms.clone();
    let via = changed_by(&grant);
    let id = submission.submission_id;
    let stored_doc = doc.clone();
    let submitted = blocking(move || {
        let db = forms.db();
        // A repeat names the photos its first send claimed.
        let earlier = db.by_submission(&stored_doc, &id)?.map(|r| r.id);
        let missing = db.photos_missing(&stored_doc, &photos, earlier)?;
        if !missing.is_empty() {
            return Ok(Err(missing));
        }
        let submitted = db.submit(
            &stored_doc,
            &id,
            &new_receipt(),
            &via,
            &who,
            &answers,
            &version,
            now_ms(),
        )?;
        if let Submitted::New(r) | Submitted::Repeat(r) | Submitted::Replaced(r) = &submitted {
            db.claim_photos(&stored_doc, r.id, &photos)?;
        }
        Ok(Ok(submitted))
    })
    .await?;
    let submitted = match submitted {
        Ok(submitted) => submitted,
        Err(missing) => {
            tracing::info!(doc = %doc, addr = %addr, "refused answers naming unknown photos");
            return Ok(missing_photos(&missing));
        }
    };
    match submitted {
        Submitted::New(r) => {
            tracing::info!(doc = %doc, response = r.id, "response stored");
            Ok((StatusCode::CREATED, Json(receipt_json(&r))).into_response())
        }
        Submitted::Repeat(r) => Ok((StatusCode::OK, Json(receipt_json(&r))).into_response()),
        Submitted::Replaced(r) => {
            tracing::info!(doc = %doc, response = r.id, "response replaced by a resubmission");
            let mut value = receipt_json(&r);
            value["replaced"] = json!(true);
            // The device keeps this id to edit the response later.
            value["submission_id"] = json!(r.submission_id);
            Ok((StatusCode::OK, Json(value)).into_response())
        }
        Submitted::Conflict => Err(ApiError(
            StatusCode::CONFLICT,
            "submission_conflict",
            "this submission_id was already used with different answers".into(),
        )),
    }
}

async fn own(
    state: &ServerState,
    doc: &DocId,
    submission: String,
) -> Result<StoredResponse, ApiError> {
    let forms = state.forms.clone();
    let doc = doc.clone();
    blocking(move || Ok(forms.db().by_submission(&doc, &submission)?))
        .await?
        .ok_or_else(|| not_found("no such response"))
}

async fn own_response(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, submission)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, _) = authorize(&state, &headers, &doc, addr, Role::can_respond)?;
    let r = own(&state, &doc, submission).await?;
    let mut value = receipt_json(&r);
    value["answers"] = r.answers;
    Ok(Json(value).into_response())
}

#[derive(Deserialize, Default)]
struct AnswersBody {
    #[serde(default)]
    answers: Map<String, Value>,
    /// As in [`Submission`]: an edit may have waited offline too.
    #[serde(default)]
    form_version: Option<String>,
}

async fn edit_own_response(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, submission)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_respond)?;
    let AnswersBody {
        answers,
        form_version,
    } = body(&bytes)?;
    let form = load_form(&state, &doc).await?;
    if !form.accepts_at(now_ms()) {
        return Err(closed());
    }
    let version = filled_on(form_version.as_deref(), &form);
    // A personal link's id, name and group stay the roster's when the response is edited.
    let (forms, target, shown, sender) = (
        state.forms.clone(),
        doc.clone(),
        form.clone(),
        grant.clone(),
    );
    let mut answers = answers;
    let (identified, answers) = blocking(move || {
        let who =
            super::roster::identify(forms.db(), &target, &shown, &sender, &mut answers, now_ms())?;
        Ok((who, answers))
    })
    .await?;
    if let Err(response) = identified {
        return Ok(response);
    }
    let answers = match checked(&state, &form, &answers, &version) {
        Ok(answers) => answers,
        Err(response) => return Ok(*response),
    };
    let r = own(&state, &doc, submission).await?;
    let filled = Filled { answers, version };
    change(&state, &doc, &form, &grant, r.id, filled, "edited").await
}

/// Answers that passed validation, and the version of the form they were filled in on.
struct Filled {
    answers: Value,
    version: String,
}

async fn change(
    state: &ServerState,
    doc: &DocId,
    form: &FormDef,
    grant: &Grant,
    id: i64,
    filled: Filled,
    action: &'static str,
) -> Result<Response, ApiError> {
    let Filled { answers, version } = filled;
    let photos = photo_answers(form, &answers);
    let forms = state.forms.clone();
    let by = changed_by(grant);
    let target = doc.clone();
    let changed = blocking(move || {
        let db = forms.db();
        let missing = db.photos_missing(&target, &photos, Some(id))?;
        if !missing.is_empty() {
            return Ok(Err(missing));
        }
        let changed = db.change(&target, id, &answers, &version, &by, action, now_ms())?;
        if changed.is_some() {
            db.claim_photos(&target, id, &photos)?;
        }
        Ok(Ok(changed))
    })
    .await?;
    let changed = match changed {
        Ok(changed) => changed.ok_or_else(|| not_found("no such response"))?,
        Err(missing) => return Ok(missing_photos(&missing)),
    };
    let mut value = receipt_json(&changed);
    value["answers"] = changed.answers;
    // A respondent gets their own answers back as they are; a correction's reply shows no more
    // than the table did, so numbers stay masked.
    if action != "edited" {
        mask_answers(form, &mut value["answers"]);
    }
    Ok(Json(value).into_response())
}

async fn correct_response(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id)): Path<(String, i64)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let correction: Correction = body(&bytes)?;
    let form = load_form(&state, &doc).await?;
    let (forms, target) = (state.forms.clone(), doc.clone());
    let stored = blocking(move || Ok(forms.db().get(&target, id)?))
        .await?
        .ok_or_else(|| not_found("no such response"))?;
    if let Some(status) = correction.status {
        return move_along(&state, &doc, &form, &grant, addr, stored, &status).await;
    }
    let mut answers = correction.answers.unwrap_or_default();
    // The table shows ID and phone numbers masked; those sent back unchanged stay as stored.
    display::restore_masked(&form, &mut answers, &stored.answers);
    let answers = match checked(&state, &form, &answers, &form.version) {
        Ok(answers) => answers,
        Err(response) => return Ok(*response),
    };
    let filled = Filled {
        answers,
        version: form.version.clone(),
    };
    let response = change(&state, &doc, &form, &grant, id, filled, "corrected").await?;
    state.access.audit().record(
        &doc,
        "response_corrected",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &id.to_string(),
    );
    Ok(response)
}

/// A correction: new answers, or (for a supply register) only a new status.
#[derive(Deserialize, Default)]
struct Correction {
    #[serde(default)]
    answers: Option<Map<String, Value>>,
    #[serde(default)]
    status: Option<String>,
}

/// Moves a supply response to another stage of the workflow (pledged → in transit → …).
async fn move_along(
    state: &ServerState,
    doc: &DocId,
    form: &FormDef,
    grant: &Grant,
    addr: IpAddr,
    stored: StoredResponse,
    status: &str,
) -> Result<Response, ApiError> {
    let Some(question) = form
        .supplies
        .as_ref()
        .map(|s| s.status.clone())
        .filter(|_| supplies::is_stage(form, status))
    else {
        return Err(bad_input("this form has no such status"));
    };
    let mut answers = stored.answers.clone();
    answers[&question] = json!(status);
    let filled = Filled {
        answers,
        version: stored.form_version.clone(),
    };
    let response = change(state, doc, form, grant, stored.id, filled, "status_changed").await?;
    state.access.audit().record(
        doc,
        "response_status_changed",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &format!("{} {status}", stored.id),
    );
    Ok(response)
}

async fn delete_response(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id)): Path<(String, i64)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let forms = state.forms.clone();
    let by = changed_by(&grant);
    let target = doc.clone();
    let deleted = blocking(move || Ok(forms.db().delete(&target, id, &by, now_ms())?)).await?;
    if !deleted {
        return Err(not_found("no such response"));
    }
    state.access.audit().record(
        &doc,
        "response_deleted",
        Some(grant.role),
        &grant.label,
        Some(addr),
        &id.to_string(),
    );
    Ok(StatusCode::NO_CONTENT)
}

async fn history(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path((doc, id)): Path<(String, i64)>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    // Earlier answers are masked like the table's, unless an owner reveals them (audited).
    let reveal = query.reveal();
    check_reveal(&state, &doc, &grant, addr, reveal, "response history")?;
    let form = load_form(&state, &doc).await?;
    let forms = state.forms.clone();
    let mut changes = blocking(move || Ok(forms.db().history(&doc, id)?)).await?;
    if !reveal {
        for change in &mut changes {
            if let Some(before) = &mut change.before {
                mask_answers(&form, before);
            }
        }
    }
    Ok(Json(changes).into_response())
}

/// Query parameters of the list and the exports.
#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    /// First day (`YYYY-MM-DD`, China Standard Time).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    /// Text the answers contain, or a receipt code.
    pub q: Option<String>,
    /// Changed at or after this instant (ms), for the live table.
    pub since: Option<i64>,
    /// Continue after this response id.
    pub after: Option<i64>,
    /// `1` shows ID and phone numbers unmasked (owners only; audited).
    pub reveal: Option<String>,
    /// Language of an export's headings and labels: `zh` (default) or `en`.
    pub lang: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<Filter, ApiError> {
        let day = |d: &Option<String>, next: bool| -> Result<Option<i64>, ApiError> {
            match d.as_deref().filter(|d| !d.is_empty()) {
                None => Ok(None),
                Some(d) => day_start_ms(d, CST_OFFSET_MINUTES)
                    .map(|ms| Some(ms + if next { 86_400_000 } else { 0 }))
                    .ok_or_else(|| bad_input("dates are YYYY-MM-DD")),
            }
        };
        Ok(Filter {
            from: day(&self.from, false)?,
            to: day(&self.to, true)?,
            changed_since: self.since,
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
        })
    }

    pub fn reveal(&self) -> bool {
        self.reveal.as_deref() == Some("1")
    }
}

/// Checks that only an owner reveals, and records it.
pub(super) fn check_reveal(
    state: &ServerState,
    doc: &DocId,
    grant: &Grant,
    addr: IpAddr,
    reveal: bool,
    what: &str,
) -> Result<(), ApiError> {
    if reveal && !grant.role.can_manage() {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only an owner may reveal ID and phone numbers".into(),
        ));
    }
    if reveal {
        state.access.audit().record(
            doc,
            "numbers_revealed",
            Some(grant.role),
            &grant.label,
            Some(addr),
            what,
        );
    }
    Ok(())
}

/// A roster id as shown without revealing: masked like its question's answers (a roster keyed
/// by ID-card numbers), else as it is.
pub(super) fn masked_person(form: &FormDef, person: &str) -> String {
    form.roster_fields
        .as_ref()
        .and_then(|f| form.question(&f.id))
        .and_then(|q| display::masked(q.kind, person))
        .unwrap_or_else(|| person.to_owned())
}

/// Masks the ID and phone numbers in `answers` (in place).
pub(super) fn mask_answers(form: &FormDef, answers: &mut Value) {
    for q in &form.questions {
        if let Some(Value::String(s)) = answers.get_mut(&q.id) {
            if let Some(hidden) = display::masked(q.kind, s) {
                *s = hidden;
            }
        }
    }
}

async fn list_responses(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (doc, grant) = authorize(&state, &headers, &doc, addr, Role::can_read_responses)?;
    let filter = query.filter()?;
    let reveal = query.reveal();
    check_reveal(&state, &doc, &grant, addr, reveal, "responses table")?;
    let form = load_form(&state, &doc).await?;
    let forms = state.forms.clone();
    let after = query.after.unwrap_or(0);
    let read_doc = doc.clone();
    let now = now_ms();
    let (mut rows, total) = blocking(move || {
        let conn = forms.db().reader()?;
        let rows = forms
            .db()
            .page(&conn, &read_doc, &filter, after, PAGE + 1)?;
        Ok((rows, forms.db().count(&conn, &read_doc)?))
    })
    .await?;
    let more = rows.len() > PAGE;
    rows.truncate(PAGE);
    if !reveal {
        for r in &mut rows {
            mask_answers(&form, &mut r.answers);
            r.person_id = r.person_id.take().map(|p| masked_person(&form, &p));
        }
    }
    Ok(Json(json!({
        "responses": rows,
        "total": total,
        "next_after": more.then(|| rows.last().map(|r| r.id)).flatten(),
        "now": now,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_that_waited_offline_counts_for_when_it_was_filled_in() {
        let now = 1_580_691_600_000; // 2020-02-03 09:00 in Beijing
        let last_night = now - 10 * 60 * 60 * 1000;
        assert_eq!(counted_at(Some(last_night), now), last_night);
        // A clock a little fast is now; wildly wrong clocks and old claims are ignored.
        assert_eq!(counted_at(Some(now + 60_000), now), now);
        assert_eq!(counted_at(Some(now + 24 * 60 * 60 * 1000), now), now);
        assert_eq!(counted_at(Some(now - LONGEST_WAIT_MS - 1), now), now);
        assert_eq!(counted_at(None, now), now);
    }

    #[test]
    fn receipts_are_readable_codes() {
        let r = new_receipt();
        assert_eq!(r.len(), 9);
        assert!(r
            .chars()
            .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert!(!r.contains(['0', 'O', '1', 'I', 'L']));
        assert_ne!(new_receipt(), new_receipt());
    }

    #[test]
    fn submission_ids_are_checked() {
        assert!(valid_submission_id("3f1c2a9e-7b4d-4c1a-9a53-2d6e8f0b1c2d"));
        assert!(!valid_submission_id("short"));
        assert!(!valid_submission_id("has space in it"));
    }
}
