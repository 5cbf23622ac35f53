//! Who may do what: documents, share links with roles, the operator's admin token, the audit
//! log, and the cap on failed attempts. There are no accounts; a link's secret token is the
//! credential, and the server checks it on every request and every sync connection.
//!
//! Links and documents live in SQLite (see [`db`]) and in an in-memory index, so checking a
//! token at the 9:00 storm costs one hash and one map lookup. Writes go to the database first,
//! then to the index.

pub mod audit;
mod db;
mod limits;
mod sessions;
pub mod tokens;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use gather_doc::{CloseCode, DocId, Role};
use rusqlite::Connection;
use serde::Serialize;

pub use audit::{AuditEntry, AuditLog};
pub use sessions::{Registered, Sessions};
use tokens::{hash_token, same_secret, ServerKey, TokenHash};

use crate::store::StoreError;

/// Longest document title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest link label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// The label the admin token's sessions carry in the audit log.
pub const OPERATOR: &str = "operator";

/// A document's registration.
#[derive(Clone, Debug)]
pub struct DocMeta {
    pub id: DocId,
    pub title: String,
    pub created_at: i64,
}

/// A live share link (its token is derived, never stored).
#[derive(Clone, Debug)]
pub struct Link {
    pub id: String,
    pub doc: DocId,
    pub role: Role,
    pub label: String,
    pub created_at: i64,
    /// Milliseconds since the Unix epoch; `None` never expires.
    pub expires_at: Option<i64>,
    /// A personal respondent link's person (their id on the form's roster).
    pub person: Option<String>,
}

impl Link {
    fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// A link as its owner sees it, token included.
#[derive(Clone, Debug, Serialize)]
pub struct IssuedLink {
    pub id: String,
    pub role: &'static str,
    pub label: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub expired: bool,
    pub token: String,
    /// The path to open: `/d/{doc}#t={token}` (the token stays in the fragment, out of logs
    /// and `Referer` headers).
    pub url: String,
}

/// What a valid token grants.
#[derive(Clone, Debug)]
pub struct Grant {
    pub role: Role,
    /// The link used; `None` for the operator's admin token.
    pub link_id: Option<String>,
    pub label: String,
    pub expires_at: Option<i64>,
    /// The admin token named a document that does not exist yet.
    pub unknown_doc: bool,
    /// A personal link's person, by their roster id.
    pub person: Option<String>,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Missing, wrong, expired, revoked, or for another document.
    Invalid,
    /// This address has sent too many wrong tokens lately.
    TooManyAttempts,
}

impl Denied {
    pub fn close_code(self) -> CloseCode {
        match self {
            Denied::Invalid => CloseCode::LinkInvalid,
            Denied::TooManyAttempts => CloseCode::TooManyAttempts,
        }
    }
}

/// Refusals of owner actions.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no such document")]
    NoSuchDoc,
    #[error("no such link")]
    NoSuchLink,
    #[error("{0}")]
    BadInput(&'static str),
    #[error("this is the document's last owner link; create another owner link first")]
    LastOwnerLink,
}

#[derive(Default)]
struct Index {
    docs: HashMap<DocId, DocMeta>,
    links: HashMap<TokenHash, Link>,
    /// Live link ids, for sessions checking their link is still there.
    link_ids: HashSet<String>,
}

impl Index {
    fn add_link(&mut self, hash: TokenHash, link: Link) {
        self.link_ids.insert(link.id.clone());
        self.links.insert(hash, link);
    }

    fn remove_links(&mut self, gone: impl Fn(&Link) -> bool) {
        let ids = &mut self.link_ids;
        self.links.retain(|_, l| {
            let remove = gone(l);
            if remove {
                ids.remove(&l.id);
            }
            !remove
        });
    }
}

/// The access service; cheap to clone.
#[derive(Clone)]
pub struct Access {
    inner: Arc<Inner>,
}

struct Inner {
    key: ServerKey,
    admin: Option<String>,
    db: Mutex<Connection>,
    index: Mutex<Index>,
    sessions: Sessions,
    attempts: limits::FailedAttempts,
    audit: AuditLog,
}

impl Access {
    /// Opens the access tables in `data_dir`, the server key at `key_path`, and loads the index.
    pub fn open(
        data_dir: &Path,
        key_path: &Path,
        admin: Option<String>,
    ) -> Result<Access, StoreError> {
        let key = ServerKey::load_or_create(key_path)?;
        let conn = db::open(data_dir)?;
        let (docs, links) = db::load_all(&conn)?;
        let mut index = Index {
            docs: docs.into_iter().map(|d| (d.id.clone(), d)).collect(),
            ..Index::default()
        };
        for (hash, link) in links {
            index.add_link(hash, link);
        }
        let audit = AuditLog::start(data_dir)?;
        Ok(Access {
            inner: Arc::new(Inner {
                key,
                admin: admin.filter(|a| !a.is_empty()),
                db: Mutex::new(conn),
                index: Mutex::new(index),
                sessions: Sessions::default(),
                attempts: limits::FailedAttempts::default(),
                audit,
            }),
        })
    }

    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    pub fn audit(&self) -> &AuditLog {
        &self.inner.audit
    }

    /// Checks `token` for `doc`. In memory only: safe to call on the async runtime.
    pub fn authorize(
        &self,
        doc: &DocId,
        token: Option<&str>,
        addr: IpAddr,
    ) -> Result<Grant, Denied> {
        let token = token.unwrap_or("");
        let index = self.index();
        if let Some(admin) = &self.inner.admin {
            if same_secret(token, admin) {
                return Ok(Grant {
                    role: Role::Owner,
                    link_id: None,
                    label: OPERATOR.into(),
                    expires_at: None,
                    unknown_doc: !index.docs.contains_key(doc),
                    person: None,
                });
            }
        }
        let found = (!token.is_empty())
            .then(|| index.links.get(&hash_token(token)))
            .flatten()
            .filter(|link| &link.doc == doc && !link.expired(now_ms()));
        match found {
            Some(link) => Ok(Grant {
                role: link.role,
                link_id: Some(link.id.clone()),
                label: link.label.clone(),
                expires_at: link.expires_at,
                unknown_doc: false,
                person: link.person.clone(),
            }),
            None => {
                drop(index);
                if self.inner.attempts.fail(addr, Instant::now()) {
                    Err(Denied::TooManyAttempts)
                } else {
                    Err(Denied::Invalid)
                }
            }
        }
    }

    /// Whether a grant is still good: its document exists and its link (if any) is live. A
    /// session checks this once registered, so a revocation or deletion that raced with its
    /// handshake still reaches it.
    pub fn still_valid(&self, doc: &DocId, grant: &Grant) -> bool {
        let index = self.index();
        let expired = grant.expires_at.is_some_and(|at| at <= now_ms());
        index.docs.contains_key(doc)
            && !expired
            && grant
                .link_id
                .as_ref()
                .is_none_or(|id| index.link_ids.contains(id))
    }

    /// The document's registration, if it exists.
    pub fn doc(&self, doc: &DocId) -> Option<DocMeta> {
        self.index().docs.get(doc).cloned()
    }

    /// Creates a document with a fresh id (or `id`, for the operator) and its first owner link.
    /// Blocks.
    pub fn create_doc(
        &self,
        title: &str,
        id: Option<DocId>,
    ) -> Result<(DocMeta, IssuedLink), AccessError> {
        let title = clean_text(title, MAX_TITLE_CHARS, "a title is at most 200 characters")?;
        let id = match id {
            Some(id) => id,
            None => DocId::parse(&tokens::random_id::<12>()).expect("base64url is a valid id"),
        };
        let meta = self.register_doc(&id, &title)?;
        let link = self.create_link(&id, Role::Owner, "", None)?;
        Ok((meta, link))
    }

    /// Registers `id` if it is not yet (no link is made). Blocks.
    pub fn register_doc(&self, id: &DocId, title: &str) -> Result<DocMeta, AccessError> {
        if let Some(existing) = self.doc(id) {
            return Ok(existing);
        }
        let meta = DocMeta {
            id: id.clone(),
            title: title.to_owned(),
            created_at: now_ms(),
        };
        db::insert_doc(&*self.db()?, &meta)?;
        self.index().docs.insert(id.clone(), meta.clone());
        self.inner
            .audit
            .record(id, "document_created", None, "", None, title);
        Ok(meta)
    }

    /// Renames a document. Blocks.
    pub fn rename(&self, doc: &DocId, title: &str) -> Result<(), AccessError> {
        let title = clean_text(title, MAX_TITLE_CHARS, "a title is at most 200 characters")?;
        self.doc(doc).ok_or(AccessError::NoSuchDoc)?;
        db::rename_doc(&*self.db()?, doc, &title)?;
        if let Some(meta) = self.index().docs.get_mut(doc) {
            meta.title = title;
        }
        Ok(())
    }

    /// Creates a link. Blocks.
    pub fn create_link(
        &self,
        doc: &DocId,
        role: Role,
        label: &str,
        expires_at: Option<i64>,
    ) -> Result<IssuedLink, AccessError> {
        self.new_link(doc, role, label, expires_at, None)
    }

    /// Creates personal respondent links for roster people, given as (person id, label), in
    /// one transaction (a school's roster is thousands of people). Blocks.
    pub fn create_personal_links(
        &self,
        doc: &DocId,
        people: &[(String, String)],
    ) -> Result<Vec<IssuedLink>, AccessError> {
        self.doc(doc).ok_or(AccessError::NoSuchDoc)?;
        let now = now_ms();
        let links: Vec<(Link, TokenHash)> = people
            .iter()
            .map(|(person, label)| {
                let link = Link {
                    id: tokens::random_id::<12>(),
                    doc: doc.clone(),
                    role: Role::Respondent,
                    label: label.chars().take(MAX_LABEL_CHARS).collect(),
                    created_at: now,
                    expires_at: None,
                    person: Some(person.clone()),
                };
                let hash = hash_token(&self.inner.key.token_for(&link.id));
                (link, hash)
            })
            .collect();
        {
            let mut conn = self.db()?;
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            for (link, hash) in &links {
                db::insert_link(&tx, link, hash)?;
            }
            tx.commit().map_err(StoreError::from)?;
        }
        let issued = links.iter().map(|(l, _)| self.issued(l)).collect();
        let mut index = self.index();
        for (link, hash) in links {
            index.add_link(hash, link);
        }
        Ok(issued)
    }

    fn new_link(
        &self,
        doc: &DocId,
        role: Role,
        label: &str,
        expires_at: Option<i64>,
        person: Option<String>,
    ) -> Result<IssuedLink, AccessError> {
        self.doc(doc).ok_or(AccessError::NoSuchDoc)?;
        let label = clean_text(label, MAX_LABEL_CHARS, "a label is at most 100 characters")?;
        let now = now_ms();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(AccessError::BadInput("the expiry must be in the future"));
        }
        let link = Link {
            id: tokens::random_id::<12>(),
            doc: doc.clone(),
            role,
            label,
            created_at: now,
            expires_at,
            person,
        };
        let token = self.inner.key.token_for(&link.id);
        let hash = hash_token(&token);
        db::insert_link(&*self.db()?, &link, &hash)?;
        let issued = self.issued(&link);
        self.index().add_link(hash, link);
        Ok(issued)
    }

    /// The document's live links, tokens included (for its owner), oldest first; personal
    /// links are listed with the roster instead ([`Access::personal_links`]).
    pub fn links(&self, doc: &DocId) -> Vec<IssuedLink> {
        let mut links: Vec<Link> = self
            .index()
            .links
            .values()
            .filter(|l| &l.doc == doc && l.person.is_none())
            .cloned()
            .collect();
        links.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        links.iter().map(|l| self.issued(l)).collect()
    }

    /// The document's live personal links by person.
    pub fn personal_links(&self, doc: &DocId) -> HashMap<String, IssuedLink> {
        let links: Vec<Link> = self
            .index()
            .links
            .values()
            .filter(|l| &l.doc == doc && l.person.is_some())
            .cloned()
            .collect();
        links
            .iter()
            .filter_map(|l| Some((l.person.clone()?, self.issued(l))))
            .collect()
    }

    /// Revokes a link, logs it (for `by` from `addr`), and closes the sessions using it.
    /// Blocks.
    pub fn revoke(
        &self,
        doc: &DocId,
        link_id: &str,
        by: &str,
        addr: Option<IpAddr>,
    ) -> Result<Link, AccessError> {
        let link = {
            let index = self.index();
            let link = index
                .links
                .values()
                .find(|l| &l.doc == doc && l.id == link_id)
                .cloned()
                .ok_or(AccessError::NoSuchLink)?;
            let now = now_ms();
            let owners = index
                .links
                .values()
                .filter(|l| &l.doc == doc && l.role == Role::Owner && !l.expired(now))
                .count();
            if link.role == Role::Owner && owners <= 1 {
                return Err(AccessError::LastOwnerLink);
            }
            link
        };
        db::revoke_link(&*self.db()?, doc, link_id, now_ms())?;
        self.index().remove_links(|l| l.id == link_id);
        self.inner.audit.record(
            doc,
            "link_revoked",
            Some(link.role),
            &link.label,
            addr,
            &format!("{link_id} by {by}"),
        );
        let closed = self
            .inner
            .sessions
            .close_link(link_id, CloseCode::LinkInvalid);
        tracing::info!(doc = %doc, link = link_id, closed, "link revoked");
        Ok(link)
    }

    /// Forgets the document's registration, links and audit log, and closes its sessions.
    /// (Its updates are the store's to delete.) Blocks.
    pub fn delete_doc(&self, doc: &DocId) -> Result<(), AccessError> {
        {
            let mut index = self.index();
            index.docs.remove(doc).ok_or(AccessError::NoSuchDoc)?;
            index.remove_links(|l| &l.doc == doc);
        }
        self.inner
            .sessions
            .close_doc(doc, CloseCode::DocumentDeleted);
        db::delete_doc(&mut *self.db()?, doc)?;
        Ok(())
    }

    /// Whether the update log holds `doc` (a document from before share links). Blocks.
    pub fn has_updates(&self, doc: &DocId) -> Result<bool, StoreError> {
        db::has_updates(&*self.db()?, doc)
    }

    fn issued(&self, link: &Link) -> IssuedLink {
        let token = self.inner.key.token_for(&link.id);
        IssuedLink {
            id: link.id.clone(),
            role: link.role.as_str(),
            label: link.label.clone(),
            created_at: link.created_at,
            expires_at: link.expires_at,
            expired: link.expired(now_ms()),
            // Respondents fill the form; everyone else opens the document.
            url: match link.role {
                Role::Respondent => format!("/f/{}#t={token}", link.doc),
                _ => format!("/d/{}#t={token}", link.doc),
            },
            token,
        }
    }

    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        // A panic while holding the lock cannot leave the index half-written (every change is
        // one insert or retain), so a poisoned lock is still usable.
        self.inner
            .index
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn db(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.inner.db.lock().map_err(|_| StoreError::Unavailable)
    }
}

/// Trims `text` and checks its length and characters (no control characters).
fn clean_text(text: &str, max: usize, too_long: &'static str) -> Result<String, AccessError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(AccessError::BadInput(too_long));
    }
    if text.chars().any(char::is_control) {
        return Err(AccessError::BadInput(
            "text may not hold control characters",
        ));
    }
    Ok(text.to_owned())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
