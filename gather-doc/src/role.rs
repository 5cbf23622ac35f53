//! What a share link lets its holder do. The server enforces it; the app only mirrors it so it
//! can show a read-only editor or a form instead of the document.

/// The role a share link grants on one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything an editor can, plus managing links, reading the audit log and deleting.
    Owner,
    /// Reads and edits the document.
    Editor,
    /// Reads the document and sees who is there; every edit is refused.
    Viewer,
    /// Fills in the document's forms; never receives the document itself.
    Respondent,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Editor, Role::Viewer, Role::Respondent];

    /// The name used in the HTTP API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
            Role::Respondent => "respondent",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// May receive the document's content over the sync socket.
    pub fn can_read(self) -> bool {
        !matches!(self, Role::Respondent)
    }

    /// May change the document.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Owner | Role::Editor)
    }

    /// May submit a response to a form (and read back and edit their own).
    pub fn can_respond(self) -> bool {
        matches!(self, Role::Owner | Role::Editor | Role::Respondent)
    }

    /// May read and correct everyone's responses to a form (the same as changing it).
    pub fn can_read_responses(self) -> bool {
        self.can_write()
    }

    /// May create and revoke links, read the audit log, rename and delete the document.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_rights_shrink_down_the_list() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Owner.can_manage() && !Role::Editor.can_manage());
        assert!(Role::Editor.can_write() && !Role::Viewer.can_write());
        assert!(Role::Viewer.can_read() && !Role::Respondent.can_read());
    }
}
