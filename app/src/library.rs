//! The documents this browser has opened, kept in `localStorage`: id, title, role, the link's
//! token (so the home page can reopen them), when each was last opened, and whether it is a
//! form (so the list can link a form's responses and day view). Nothing here is
//! sent anywhere; it is this browser's own list.

use serde::{Deserialize, Serialize};

const KEY: &str = "gather-docs";

/// One document in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub role: String,
    pub token: String,
    /// Milliseconds since the Unix epoch.
    pub opened_at: f64,
    /// A form, as this browser last saw it (the document page learns it from the document).
    #[serde(default)]
    pub form: bool,
    /// A supply register: its third tab is Totals rather than By day.
    #[serde(default)]
    pub supplies: bool,
}

impl Entry {
    /// The address that opens the document with this entry's link.
    pub fn url(&self) -> String {
        format!("/d/{}#t={}", self.id, self.token)
    }

    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Every entry, most recently opened first.
pub fn entries() -> Vec<Entry> {
    let mut entries: Vec<Entry> = storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    entries.sort_by(|a, b| b.opened_at.total_cmp(&a.opened_at));
    entries
}

fn save(entries: &[Entry]) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(entries)) {
        let _ = storage.set_item(KEY, &json);
    }
}

/// The entry for `id`, if this browser has opened it.
pub fn get(id: &str) -> Option<Entry> {
    entries().into_iter().find(|e| e.id == id)
}

/// Adds or replaces the entry for `entry.id`, keeping what the document page learned of the
/// document itself (whether it is a form).
pub fn remember(mut entry: Entry) {
    let mut entries = entries();
    if let Some(old) = entries.iter().find(|e| e.id == entry.id) {
        entry.form |= old.form;
        entry.supplies |= old.supplies;
    }
    entries.retain(|e| e.id != entry.id);
    entries.push(entry);
    save(&entries);
}

/// Changes an entry in place, if it exists.
pub fn update(id: &str, change: impl FnOnce(&mut Entry)) {
    let mut entries = entries();
    if let Some(entry) = entries.iter_mut().find(|e| e.id == id) {
        change(entry);
        save(&entries);
    }
}

/// Removes the entry for `id`.
pub fn forget(id: &str) {
    let mut entries = entries();
    entries.retain(|e| e.id != id);
    save(&entries);
}
