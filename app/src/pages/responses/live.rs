//! The live set of a form's responses. A full load when the panel opens or the date range or
//! reveal changes (following the server's pages of 1000), then a poll every few seconds for the
//! responses changed since the server's last `now`, merged by id, so new responses appear
//! without reloading. Responses deleted elsewhere show up as a lower total and cause a full
//! load. Every call carries the link's token in the `Authorization` header.

use std::collections::BTreeMap;
use std::time::Duration;

use gather_doc::form::FormDef;
use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::data::Response;
use crate::api::{self, ApiError};

/// How often the table asks for new responses.
pub const POLL_EVERY: Duration = Duration::from_secs(3);
/// How far before the server's last `now` a poll starts, so nothing committed at that instant
/// is missed (duplicates merge by id).
const OVERLAP_MS: i64 = 2_000;
/// Every this many polls, the form's questions are read again (editors may change labels).
const FORM_EVERY: u32 = 5;

/// What the server is asked for: a date range (China Standard Time days) and whether ID and
/// phone numbers come unmasked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Range {
    pub from: String,
    pub to: String,
    pub reveal: bool,
}

impl Range {
    /// The query string (without `?`).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if !self.from.is_empty() {
            parts.push(format!("from={}", encode(&self.from)));
        }
        if !self.to.is_empty() {
            parts.push(format!("to={}", encode(&self.to)));
        }
        if self.reveal {
            parts.push("reveal=1".to_owned());
        }
        parts.join("&")
    }

    fn is_everything(&self) -> bool {
        self.from.is_empty() && self.to.is_empty()
    }
}

pub fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// One entry of a response's history.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub at: i64,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub action: String,
    /// The answers before the change (none for `submitted` and `deleted`).
    #[serde(default)]
    pub before: Option<Map<String, Value>>,
}

/// Bookkeeping between loads and polls.
#[derive(Default)]
struct Progress {
    /// Bumped by every full load; replies to older ones are dropped.
    generation: u32,
    busy: bool,
    /// The server's `now` at the last reply; `None` until a full load succeeded.
    since: Option<i64>,
    /// The form's response count at the last reply.
    total: Option<i64>,
    polls: u32,
    /// The link cannot read responses: stop asking.
    stopped: bool,
}

/// The responses of one form, kept up to date.
#[derive(Clone)]
pub struct Live {
    id: DocId,
    token: String,
    pub form: RwSignal<Option<FormDef>>,
    pub responses: RwSignal<BTreeMap<i64, Response>>,
    pub loaded: RwSignal<bool>,
    /// The error code of the last failed call.
    pub failure: RwSignal<Option<String>>,
    /// The last poll could not reach the server.
    pub offline: RwSignal<bool>,
    pub range: RwSignal<Range>,
    progress: StoredValue<Progress>,
}

struct Page {
    responses: Vec<Response>,
    total: i64,
    now: i64,
}

impl Live {
    pub fn new(id: DocId, token: String) -> Live {
        Live {
            id,
            token,
            form: RwSignal::new(None),
            responses: RwSignal::new(BTreeMap::new()),
            loaded: RwSignal::new(false),
            failure: RwSignal::new(None),
            offline: RwSignal::new(false),
            range: RwSignal::new(Range::default()),
            progress: StoredValue::new(Progress::default()),
        }
    }

    fn base(&self) -> String {
        format!("/api/forms/{}", self.id)
    }

    /// Loads the form and every response in the range again. `clear` empties the table first
    /// (the range changed); otherwise the old rows stay until the new ones arrive.
    pub fn reload(&self, clear: bool) {
        let Some(generation) = self.progress.try_update_value(|p| {
            p.generation += 1;
            p.busy = true;
            p.stopped = false;
            p.generation
        }) else {
            return;
        };
        if clear {
            self.loaded.set(false);
            self.responses.set(BTreeMap::new());
        }
        let this = self.clone();
        spawn_local(async move {
            let range = this.range.try_get_untracked().unwrap_or_default();
            let result = async {
                let form = this.fetch_form().await?;
                let page = this.fetch(&range, None).await?;
                Ok::<_, ApiError>((form, page))
            }
            .await;
            if !this.is_current(generation) {
                return;
            }
            match result {
                Ok((form, page)) => {
                    this.form.set(Some(form));
                    let all = page.responses.into_iter().map(|r| (r.id, r)).collect();
                    this.responses.set(all);
                    this.loaded.set(true);
                    this.failure.set(None);
                    this.offline.set(false);
                    this.progress.update_value(|p| {
                        p.busy = false;
                        p.since = Some(page.now);
                        p.total = Some(page.total);
                    });
                }
                Err(e) => this.failed(e, &range),
            }
        });
    }

    /// Asks for the responses changed since the last reply (or retries a failed load).
    pub fn poll(&self) {
        if document().hidden() {
            return;
        }
        let Some((generation, busy, since, stopped, polls)) = self
            .progress
            .try_update_value(|p| (p.generation, p.busy, p.since, p.stopped, p.polls + 1))
        else {
            return;
        };
        if busy || stopped {
            return;
        }
        let Some(since) = since else {
            self.reload(false);
            return;
        };
        self.progress.update_value(|p| {
            p.busy = true;
            p.polls = polls;
        });
        let this = self.clone();
        spawn_local(async move {
            let range = this.range.try_get_untracked().unwrap_or_default();
            if polls % FORM_EVERY == 0 {
                if let Ok(form) = this.fetch_form().await {
                    if this.is_current(generation)
                        && this.form.with_untracked(|f| f.as_ref() != Some(&form))
                    {
                        this.form.set(Some(form));
                    }
                }
            }
            let result = this.fetch(&range, Some(since - OVERLAP_MS)).await;
            if !this.is_current(generation) {
                return;
            }
            match result {
                Ok(page) => {
                    this.offline.set(false);
                    if !page.responses.is_empty() {
                        this.responses.update(|all| {
                            all.extend(page.responses.into_iter().map(|r| (r.id, r)));
                        });
                    }
                    let had = this.progress.with_value(|p| p.total);
                    let count = this.responses.with_untracked(|all| all.len() as i64);
                    let deleted = had.is_some_and(|t| page.total < t)
                        || (range.is_everything() && count != page.total);
                    this.progress.update_value(|p| {
                        p.busy = false;
                        p.since = Some(page.now);
                        p.total = Some(page.total);
                    });
                    if deleted {
                        this.reload(false);
                    }
                }
                Err(e) => this.failed(e, &range),
            }
        });
    }

    fn is_current(&self, generation: u32) -> bool {
        self.progress
            .try_with_value(|p| p.generation == generation)
            .unwrap_or(false)
    }

    fn failed(&self, e: ApiError, range: &Range) {
        let network = e.code == "network";
        let auth = matches!(e.code.as_str(), "forbidden" | "link_invalid");
        self.progress.update_value(|p| {
            p.busy = false;
            p.stopped = auth && !range.reveal;
        });
        if network {
            self.offline.set(true);
        } else if range.reveal && e.status == 403 {
            // Not an owner after all: show masked numbers again.
            self.failure.set(Some("reveal_forbidden".into()));
            self.range.update(|r| r.reveal = false);
        } else {
            self.failure.set(Some(e.code));
        }
    }

    async fn fetch_form(&self) -> Result<FormDef, ApiError> {
        let reply = api::call("GET", &self.base(), Some(&self.token), None).await?;
        serde_json::from_value(reply).map_err(|_| ApiError {
            status: 200,
            code: "not_a_form".into(),
            body: Value::Null,
        })
    }

    /// Every page of responses in `range` (changed at or after `since`).
    async fn fetch(&self, range: &Range, since: Option<i64>) -> Result<Page, ApiError> {
        let mut query = range.query();
        if let Some(since) = since {
            query = format!("{query}&since={since}");
        }
        let mut page = Page {
            responses: Vec::new(),
            total: 0,
            now: 0,
        };
        let mut after: Option<i64> = None;
        loop {
            let mut path = format!("{}/responses?{query}", self.base());
            if let Some(after) = after {
                path.push_str(&format!("&after={after}"));
            }
            let reply = api::call("GET", &path, Some(&self.token), None).await?;
            let list: Vec<Response> =
                serde_json::from_value(reply["responses"].clone()).unwrap_or_default();
            page.responses.extend(list);
            page.total = reply["total"].as_i64().unwrap_or(0);
            if after.is_none() {
                // Changes during later pages are picked up by the next poll.
                page.now = reply["now"]
                    .as_i64()
                    .unwrap_or_else(|| js_sys::Date::now() as i64);
            }
            match reply["next_after"].as_i64() {
                Some(next) if Some(next) != after => after = Some(next),
                _ => return Ok(page),
            }
        }
    }

    /// Deletes a response; it leaves the table at once.
    pub fn delete(&self, response_id: i64) {
        let this = self.clone();
        spawn_local(async move {
            let path = format!("{}/responses/{response_id}", this.base());
            let result = api::call("DELETE", &path, Some(&this.token), None).await;
            match result {
                Ok(_) => {
                    this.responses.update(|all| {
                        all.remove(&response_id);
                    });
                    this.progress
                        .update_value(|p| p.total = p.total.map(|t| t - 1));
                }
                Err(e) => this.failure.set(Some(e.code)),
            }
        });
    }

    /// Who changed a response, and when, oldest first.
    pub async fn history(&self, response_id: i64) -> Result<Vec<Change>, ApiError> {
        let mut path = format!("{}/responses/{response_id}/history", self.base());
        // Earlier answers are shown as the table shows answers: masked unless revealed.
        if self.range.with_untracked(|r| r.reveal) {
            path.push_str("?reveal=1");
        }
        let reply = api::call("GET", &path, Some(&self.token), None).await?;
        Ok(serde_json::from_value(reply).unwrap_or_default())
    }

    /// Replaces response `response_id`'s answers (an owner's or editor's correction); the table
    /// picks the change up at once.
    pub async fn correct(
        &self,
        response_id: i64,
        answers: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), ApiError> {
        let path = format!("{}/responses/{response_id}", self.base());
        let body = serde_json::json!({ "answers": answers });
        api::call("PATCH", &path, Some(&self.token), Some(body)).await?;
        self.poll();
        Ok(())
    }

    /// Moves a supply response to another stage of its workflow; the table picks it up.
    pub async fn move_along(&self, response_id: i64, status: &str) -> Result<(), ApiError> {
        let path = format!("{}/responses/{response_id}", self.base());
        let body = serde_json::json!({ "status": status });
        api::call("PATCH", &path, Some(&self.token), Some(body)).await?;
        self.poll();
        Ok(())
    }

    /// The form's retention setting.
    pub fn retention_path(&self) -> String {
        format!("{}/retention", self.base())
    }

    /// The link's token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Where photos of a correction are uploaded.
    pub fn photo_place(&self) -> crate::pages::fill::PhotoPlace {
        crate::pages::fill::PhotoPlace {
            doc: self.id.to_string(),
            token: self.token.clone(),
            preview: false,
        }
    }

    /// A photo answer's picture.
    pub async fn photo(&self, photo_id: &str) -> Result<web_sys::Blob, ApiError> {
        let path = format!("{}/photos/{photo_id}", self.base());
        api::get_blob(&path, &self.token).await
    }

    /// Saves the export (`csv` or `xlsx`) of the current range and `search`, labelled in
    /// `lang`.
    pub async fn export(
        &self,
        format: &str,
        search: &str,
        lang: &str,
        filename: &str,
        on_progress: impl Fn(api::Progress),
    ) -> Result<(), ApiError> {
        let range = self.range.get_untracked();
        let mut path = format!("{}/responses.{format}?lang={lang}", self.base());
        let query = range.query();
        if !query.is_empty() {
            path = format!("{path}&{query}");
        }
        if !search.trim().is_empty() {
            path = format!("{path}&q={}", encode(search.trim()));
        }
        api::download_with_progress(&path, &self.token, filename, on_progress).await
    }
}
