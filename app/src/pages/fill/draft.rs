//! What this device keeps about a form between visits, in `localStorage` under
//! `gather-fill-{doc_id}`: the answers as they are typed, the submission id (chosen before the
//! first send, so a retry after a lost reply is recognised by the server as the same response),
//! the version of the form answers waiting to be sent were filled in on, why the server refused
//! them if it did, and the receipt once the response is in.

use std::collections::BTreeMap;

use gather_doc::form::{AnswerErrors, Bilingual, FormDef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::i18n::Lang;

/// The server's acknowledgement of a stored response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt: String,
    /// Milliseconds since the Unix epoch.
    pub submitted_at: f64,
    pub updated_at: f64,
    /// The id of the response the server kept, when it is not the one sent (a second daily
    /// check-in replaced the person's earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission_id: Option<String>,
}

/// One respondent's work on one form, on this device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub submission_id: String,
    #[serde(default)]
    pub answers: Map<String, Value>,
    /// Set once the server has the response.
    #[serde(default)]
    pub receipt: Option<Receipt>,
    /// Changing a response already submitted (sent with `PUT`).
    #[serde(default)]
    pub editing: bool,
    /// Sent while offline: waiting on the device to be sent again, filled in at this instant
    /// (ms since the epoch, the device's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<f64>,
    /// With `waiting_since`: the version of the form's questions the waiting answers were
    /// filled in on (the organiser may change the form before they are sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled_version: Option<String>,
    /// Answers filled in on an older version of the form that the form as it is now refuses:
    /// shown as not sent, with the reason, until they are corrected and sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

/// Why answers filled in on an older version of the form were refused: what is wrong, by
/// question id, with the question's label as the form now has it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refusal(pub BTreeMap<String, Refused>);

/// One refused answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub label: Bilingual,
    pub zh: String,
    pub en: String,
}

impl Refused {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl Refusal {
    /// The server's 422 `form_changed` reply: `errors` holds `{code, zh, en, label}` by
    /// question id.
    pub fn from_reply(body: &Value) -> Refusal {
        let errors = body["errors"].as_object().cloned().unwrap_or_default();
        Refusal(
            errors
                .into_iter()
                .map(|(id, e)| {
                    let part = |lang: &str| e[lang].as_str().unwrap_or_default().to_owned();
                    let refused = Refused {
                        label: serde_json::from_value(e["label"].clone()).unwrap_or_default(),
                        zh: part("zh"),
                        en: part("en"),
                    };
                    (id, refused)
                })
                .collect(),
        )
    }

    /// The same, found on the device: the form as loaded now refuses answers that waited.
    pub fn from_errors(form: &FormDef, errors: &AnswerErrors) -> Refusal {
        Refusal(
            errors
                .iter()
                .map(|(id, e)| {
                    let refused = Refused {
                        label: form
                            .question(id)
                            .map(|q| q.label.clone())
                            .unwrap_or_default(),
                        zh: e.zh.clone(),
                        en: e.en.clone(),
                    };
                    (id.clone(), refused)
                })
                .collect(),
        )
    }
}

impl Draft {
    /// A new, empty response with a fresh submission id.
    pub fn fresh() -> Draft {
        Draft {
            submission_id: new_submission_id(),
            answers: Map::new(),
            receipt: None,
            editing: false,
            waiting_since: None,
            filled_version: None,
            refused: None,
        }
    }
}

fn storage_key(doc_id: &str) -> String {
    format!("gather-fill-{doc_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The draft kept for `doc_id`, or a fresh one. A response submitted on an earlier day is not
/// shown again: a daily check-in opened the next morning starts a new response.
pub fn load(doc_id: &str) -> Draft {
    storage()
        .and_then(|s| s.get_item(&storage_key(doc_id)).ok().flatten())
        .and_then(|json| serde_json::from_str::<Draft>(&json).ok())
        .filter(|d| valid_submission_id(&d.submission_id))
        .filter(|d| d.receipt.as_ref().is_none_or(|r| same_day(r.submitted_at)))
        .unwrap_or_else(Draft::fresh)
}

/// Whether `ms` falls on today's date in the device's time zone.
fn same_day(ms: f64) -> bool {
    let then = js_sys::Date::new(&ms.into()).to_date_string();
    let today = js_sys::Date::new_0().to_date_string();
    then == today
}

/// Keeps `draft` (a full or private-mode storage only loses the reload protection).
pub fn save(doc_id: &str, draft: &Draft) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(draft)) {
        let _ = storage.set_item(&storage_key(doc_id), &json);
    }
}

/// 16 random bytes from `crypto.getRandomValues`, as 32 hex digits.
pub fn new_submission_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // Without Web Crypto, the clock and Math.random still make a collision unlikely.
        let seed = js_sys::Date::now().to_bits().to_le_bytes();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = seed[i % 8] ^ (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the server accepts: 8 to 64 letters, digits, `-` or `_`.
fn valid_submission_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use gather_doc::form::{validate, FormDef, Question, QuestionType};
    use serde_json::{json, Map};
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn form() -> FormDef {
        FormDef {
            questions: vec![
                Question::new("name", QuestionType::Text, "姓名", "Name").required(),
                Question::new("notes", QuestionType::LongText, "备注", "Notes").required(),
            ],
            ..FormDef::default()
        }
    }

    #[wasm_bindgen_test]
    fn a_refusal_names_its_questions_from_the_server_or_the_device() {
        let reply = json!({
            "error": "form_changed",
            "errors": {"notes": {"code": "required", "zh": "此题必答", "en": "This question is required",
                                  "label": {"zh": "备注", "en": "Notes"}}}
        });
        let from_server = Refusal::from_reply(&reply);
        let notes = &from_server.0["notes"];
        assert_eq!(notes.label.get("en"), "Notes");
        assert_eq!(notes.message(Lang::Zh), "此题必答");
        // The device's own check of the same answers against the same form says the same.
        let mut answers = Map::new();
        answers.insert("name".into(), json!("李雷"));
        let errors = validate(&form(), &answers).unwrap_err();
        assert_eq!(Refusal::from_errors(&form(), &errors), from_server);
        // Kept on the device with the draft, and read back.
        let draft = Draft {
            waiting_since: None,
            filled_version: Some("153a6d9f73c18045".into()),
            refused: Some(from_server.clone()),
            ..Draft::fresh()
        };
        let json = serde_json::to_string(&draft).unwrap();
        assert_eq!(serde_json::from_str::<Draft>(&json).unwrap(), draft);
        // A draft kept before versions still loads.
        let old: Draft = serde_json::from_str(r#"{"submission_id": "abcdefgh12"}"#).unwrap();
        assert_eq!((old.filled_version, old.refused), (None, None));
    }
}
