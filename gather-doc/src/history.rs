//! Version history as server and app both see it: one entry of a document's list of versions,
//! and what a version's name may be.
//!
//! A version is the whole document at one moment, kept by the server: automatically while the
//! document is edited, or on demand with a name. Its authors are the presence names of those
//! who changed the document since the version before (an empty name for someone without one).

use serde::{Deserialize, Serialize};

/// The longest version name kept, in characters.
pub const MAX_VERSION_NAME_CHARS: usize = 100;

/// One version in the list (`GET /api/docs/{id}/versions`), newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub id: i64,
    /// When it was taken, in milliseconds since the Unix epoch (the server's clock).
    pub at: i64,
    /// `None` for an automatic version.
    pub name: Option<String>,
    pub authors: Vec<String>,
    /// Bytes of the stored state.
    pub size: i64,
}

/// A version name as kept: control characters dropped, whitespace trimmed, at most
/// [`MAX_VERSION_NAME_CHARS`] characters; `None` when nothing is left.
pub fn clean_version_name(name: &str) -> Option<String> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let name: String = name.trim().chars().take(MAX_VERSION_NAME_CHARS).collect();
    let name = name.trim_end();
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_capped() {
        assert_eq!(
            clean_version_name("  期中 draft\n"),
            Some("期中 draft".into())
        );
        assert_eq!(clean_version_name(" \t\u{7}"), None);
        let long = "版".repeat(300);
        assert_eq!(
            clean_version_name(&long).unwrap().chars().count(),
            MAX_VERSION_NAME_CHARS
        );
    }
}
