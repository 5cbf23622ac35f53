//! Talking to the server about one response: sending it (new, repeated after a lost reply, or
//! changed), reading it back to edit it, and what each refusal means to the respondent.

use gather_doc::DocId;
use serde_json::{json, Map, Value};

use super::draft::Receipt;
use super::text::Key;
use crate::api::{self, ApiError};

/// Answers on their way to the server.
pub struct Filled {
    pub answers: Map<String, Value>,
    /// When the person pressed submit (the device's clock, ms): a response that waited offline
    /// counts for the day it was filled in.
    pub at: f64,
    /// The version of the form's questions they were filled in on: the server checks answers
    /// that waited while the form changed against the form as it is now.
    pub form_version: String,
}

/// One respondent's response to one form, as the server knows it.
#[derive(Clone)]
pub struct Response {
    pub doc: DocId,
    pub token: String,
    pub submission_id: String,
}

impl Response {
    fn own_path(&self) -> String {
        format!(
            "/api/forms/{}/responses/own/{}",
            self.doc, self.submission_id
        )
    }

    /// Sends `filled`: a new response, or a change to the one already sent when `editing`.
    /// A new response whose id the server already holds with other answers (the reply to an
    /// earlier try was lost, then the person changed something) is changed instead.
    pub async fn send(&self, filled: Filled, editing: bool) -> Result<Receipt, ApiError> {
        let reply = if editing {
            self.change(&filled).await
        } else {
            let path = format!("/api/forms/{}/responses", self.doc);
            let body = json!({
                "submission_id": self.submission_id,
                "answers": filled.answers,
                "filled_at": filled.at as i64,
                "form_version": filled.form_version,
            });
            match api::call("POST", &path, Some(&self.token), Some(body)).await {
                Err(e) if e.code == "submission_conflict" => self.change(&filled).await,
                other => other,
            }
        };
        reply.map(|r| receipt(&r))
    }

    async fn change(&self, filled: &Filled) -> Result<Value, ApiError> {
        let body = json!({ "answers": filled.answers, "form_version": filled.form_version });
        api::call("PUT", &self.own_path(), Some(&self.token), Some(body)).await
    }

    /// The answers the server holds for this response.
    pub async fn load(&self) -> Result<Map<String, Value>, ApiError> {
        let reply = api::call("GET", &self.own_path(), Some(&self.token), None).await?;
        Ok(reply["answers"].as_object().cloned().unwrap_or_default())
    }
}

fn receipt(reply: &Value) -> Receipt {
    Receipt {
        receipt: reply["receipt"].as_str().unwrap_or_default().to_owned(),
        submitted_at: reply["submitted_at"]
            .as_f64()
            .unwrap_or_else(js_sys::Date::now),
        updated_at: reply["updated_at"]
            .as_f64()
            .unwrap_or_else(js_sys::Date::now),
        submission_id: reply["submission_id"].as_str().map(str::to_owned),
    }
}

/// What to tell the respondent when a send fails with `code`.
pub fn send_failure(code: &str) -> Key {
    match code {
        "network" => Key::NotSent,
        "invalid_answers" => Key::FixAnswers,
        "form_changed" => Key::FormChanged,
        "form_closed" => Key::FormClosed,
        "link_invalid" => Key::LinkInvalid,
        "not_a_form" => Key::NotAForm,
        "not_found" => Key::ResponseMissing,
        "too_many_attempts" => Key::TooManyAttempts,
        _ => Key::ServerError,
    }
}

/// What to tell the respondent when their response cannot be read back with `code`.
pub fn load_failure(code: &str) -> Key {
    match code {
        "not_found" => Key::ResponseMissing,
        "link_invalid" => Key::LinkInvalid,
        "too_many_attempts" => Key::TooManyAttempts,
        _ => Key::ResponseNotLoaded,
    }
}
