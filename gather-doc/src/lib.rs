//! Gather's document model and wire protocol.
//!
//! This crate is IO-free: it owns no sockets, files or clocks, so the browser app (wasm32) and
//! the sync server (native) compile the same code and can never disagree about the format.
//!
//! - [`doc_id`]: what a document id may look like.
//! - [`close_code`]: the websocket close codes Gather uses, shared by server and app.
//! - [`role`]: what a share link lets its holder do.
//! - [`sync`]: the y-websocket protocol as sans-IO state machines, one for the server's side of
//!   a document ([`sync::Room`]) and one for a client ([`sync::ClientSync`]).
//! - [`history`]: the list of a document's versions as server and app exchange it.
//! - [`presence`]: the awareness state of one collaborator (name, colour, caret).
//! - [`reconnect`]: how long a client waits before trying again (backoff, busy servers).
//! - [`rich_text`]: the rich-text model stored in the `default` XmlFragment with Tiptap /
//!   ProseMirror names, and the editing operations on it.

pub mod close_code;
pub mod doc_id;
pub mod form;
pub mod history;
pub mod presence;
pub mod reconnect;
pub mod rich_text;
pub mod role;
pub mod sync;

pub use close_code::CloseCode;
pub use doc_id::DocId;
pub use role::Role;

/// Creates a document the way every Gather peer does: offsets count UTF-16 code units, as the
/// browser's DOM and JavaScript's Yjs do, so a position means the same thing everywhere.
pub fn new_doc(client_id: u64) -> yrs::Doc {
    let mut options = yrs::Options::with_client_id(yrs::block::ClientID::new(client_id));
    options.offset_kind = yrs::OffsetKind::Utf16;
    yrs::Doc::with_options(options)
}
