//! What this device keeps about a form between visits, in `localStorage` under
//! `gather-fill-{doc_id}`: the answers as they are typed, the submission id (chosen before the
//! first send, so a retry after a lost reply is recognised by the server as the same response),
//! and the receipt once the response is in.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
