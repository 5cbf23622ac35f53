//! The server's side of one document: a [`Room`] holds the document and the awareness states
//! of everyone connected, and answers each incoming frame with [`Effects`]: updates to store,
//! and frames to send to the sender, the others, or everyone.
//!
//! The caller must store [`Effects::store`] durably *before* sending [`Effects::out`]; that is
//! what makes "nothing another client has seen can be lost" true. It is also what makes a
//! durable receipt ([`super::MSG_RECEIPT`], in `out` for the sender of a frame that carried
//! updates, when it asked for receipts) true: the receipt leaves after the commit.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use yrs::sync::{Awareness, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, ReadTxn, StateVector, Transact, Update};

use super::authors::Authors;
use super::frames::{
    decode_frame, encode_awareness, encode_receipt, encode_step1, encode_step2, is_empty_update,
    split_into_deflated_pieces, split_into_pieces, DEFLATED_WELCOME, DEFLATE_OVER,
    MSG_PIECES_PLEASE, MSG_RECEIPTS_PLEASE, PIECE_BYTES,
};
use super::nesting::Depths;
use super::whole_state::{Form, WholeState};
use crate::{CloseCode, Role};

/// Transaction origin of updates the server applies from clients.
const CLIENT_ORIGIN: &str = "gather-client";

/// Identifies one connection within a room; chosen by the caller.
pub type ConnId = u64;

/// Who hears an outgoing frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Only the connection the frame came from.
    Sender,
    /// Every other connection of the document.
    Others,
    /// Every connection, the sender included (awareness, so y-websocket clients hear their own
    /// renewals and do not time out).
    Everyone,
}

/// What to send: the incoming frame unchanged (no copy, no re-encoding) or new bytes, or bytes
/// shared with other connections' frames (the whole document sent to joiners together).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    IncomingFrame,
    Bytes(Vec<u8>),
    Shared(Arc<Vec<u8>>),
}

impl Payload {
    /// The bytes to send, unless they are the incoming frame's.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Payload::IncomingFrame => None,
            Payload::Bytes(bytes) => Some(bytes),
            Payload::Shared(bytes) => Some(bytes),
        }
    }
}

/// One frame to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub to: Audience,
    pub payload: Payload,
}

/// What the caller must do after a frame was received.
#[derive(Debug, Default)]
pub struct Effects {
    /// v1 updates to store durably, in order, before anything in `out` is sent.
    pub store: Vec<Vec<u8>>,
    /// Frames to send once `store` is durable.
    pub out: Vec<Outgoing>,
    /// Why the sender must be closed, if it must: with [`ProtocolError::close_code`]. The room
    /// is unharmed unless it is [`ProtocolError::Poisoned`].
    pub error: Option<ProtocolError>,
}

/// The reason in the `Auth` permission-denied message a read-only connection gets for each
/// frame whose edits were refused (y-protocols' standard way to say so).
pub const READ_ONLY_REASON: &str = "read-only link: edits are not accepted";

/// Most messages one frame may carry (y-websocket sends one).
pub const MAX_MESSAGES_PER_FRAME: usize = 8;

/// The largest presence state (its JSON) a connection may announce; larger ones are dropped.
pub const MAX_PRESENCE_BYTES: usize = 4096;

/// How many awareness client ids one connection may announce (a browser tab has one).
pub const MAX_PRESENCE_CLIENTS: usize = 4;

/// Refuses what no client needs to send before anything is applied: more than a few messages
/// in one frame, more than one sync step 1 (each costs a full-document reply), or a message
/// type the server does not accept (of our own types, only the receipts request).
fn check(messages: Vec<Message>) -> Result<Vec<Message>, ProtocolError> {
    if messages.len() > MAX_MESSAGES_PER_FRAME {
        return Err(ProtocolError::TooManyMessages(messages.len()));
    }
    let step1s = messages
        .iter()
        .filter(|m| matches!(m, Message::Sync(SyncMessage::SyncStep1(_))))
        .count();
    if step1s > 1 {
        return Err(ProtocolError::TooManyMessages(step1s));
    }
    if let Some(Message::Custom(tag, _)) = messages.iter().find(|m| {
        matches!(m, Message::Custom(tag, _)
                if *tag != MSG_RECEIPTS_PLEASE && *tag != MSG_PIECES_PLEASE)
    }) {
        return Err(ProtocolError::Unsupported(*tag));
    }
    Ok(messages)
}

/// Why a frame was refused. The connection that sent it should be closed with
/// [`ProtocolError::close_code`]; the room itself is unharmed unless it is
/// [`ProtocolError::Poisoned`].
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("malformed message: {0}")]
    Malformed(#[from] yrs::encoding::read::Error),
    #[error("update rejected: {0}")]
    Rejected(#[from] yrs::error::UpdateError),
    #[error("unsupported message type {0}")]
    Unsupported(u8),
    #[error(
        "{0} messages where at most one step 1 and {MAX_MESSAGES_PER_FRAME} in all are allowed"
    )]
    TooManyMessages(usize),
    /// Applying the update panicked inside yrs: the in-memory document can no longer be
    /// trusted and must be rebuilt from storage.
    #[error("update made the document inconsistent; room must be reloaded")]
    Poisoned,
    /// Storing the update would take the document past the room's size limit.
    #[error("document would grow to {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// A connection whose role may not read the document sent something other than presence.
    #[error("this link may not open the document")]
    Forbidden,
    /// Applying the update would nest shared types deeper than the limit (see
    /// [`super::MAX_NESTING`]); yrs deletes nested types recursively, so deeper nesting could
    /// overflow the stack.
    #[error("update would nest shared types more than {limit} deep")]
    TooDeep { limit: u32 },
}

impl ProtocolError {
    pub fn close_code(&self) -> CloseCode {
        match self {
            ProtocolError::Malformed(_) | ProtocolError::TooManyMessages(_) => {
                CloseCode::MalformedMessage
            }
            ProtocolError::Rejected(_)
            | ProtocolError::Poisoned
            | ProtocolError::TooDeep { .. } => CloseCode::RejectedUpdate,
            ProtocolError::Unsupported(_) => CloseCode::UnsupportedMessage,
            ProtocolError::TooLarge { .. } => CloseCode::DocumentTooLarge,
            ProtocolError::Forbidden => CloseCode::RespondentOnly,
        }
    }
}

/// One document as the server holds it while anyone is connected.
pub struct Room {
    awareness: Awareness,
    /// Each connection's role and the awareness client ids it has announced (removed when it
    /// leaves).
    members: HashMap<ConnId, Member>,
    /// Bytes of stored updates (an upper bound of the document's size; compaction shrinks it).
    bytes: usize,
    max_bytes: usize,
    /// How deep every item of the document sits, so that no update nests types too deep.
    depths: Depths,
    /// Who changed the document since the last version.
    authors: Authors,
    /// The whole document as last sent to joiners that had nothing, while they hold it.
    whole: WholeState,
}

struct Member {
    role: Role,
    controlled: HashSet<ClientID>,
    /// Update messages received since the connection asked for receipts; `None` until it
    /// asks (and always for a role that may not write: nothing of it is ever stored).
    receipts: Option<u64>,
    /// Whether it asked for large messages in pieces.
    pieces: bool,
    /// Whether it takes them deflated too.
    deflated: bool,
}

impl Room {
    /// Builds a room from stored updates, in the order they were stored. Updates that do not
    /// decode or apply, or that nest shared types too deep (stored before that was checked),
    /// are skipped and counted, so one damaged row cannot make a document unreachable, nor
    /// abort the process. `clock` gives milliseconds for awareness bookkeeping.
    pub fn load<'a>(
        updates: impl IntoIterator<Item = &'a [u8]>,
        clock: impl Fn() -> u64 + Send + Sync + 'static,
    ) -> (Room, usize) {
        let doc = yrs::Doc::new();
        let mut depths = Depths::default();
        let mut skipped = 0;
        let mut size = 0;
        for bytes in updates {
            size += bytes.len();
            let checked = depths.check(&doc.transact(), bytes);
            let ok = checked.is_ok_and(|checked| {
                let applied = Update::decode_v1(bytes).ok().is_some_and(|update| {
                    catch_unwind(AssertUnwindSafe(|| {
                        doc.transact_mut().apply_update(update).is_ok()
                    }))
                    .unwrap_or(false)
                });
                // Even a failed update may have applied some blocks.
                depths.record(checked);
                applied
            });
            if !ok {
                skipped += 1;
            }
        }
        let room = Room {
            awareness: Awareness::with_clock(doc, clock),
            members: HashMap::new(),
            bytes: size,
            max_bytes: usize::MAX,
            depths,
            authors: Authors::default(),
            whole: WholeState::default(),
        };
        (room, skipped)
    }

    /// The document's whole state as one v1 update (for compaction and snapshots).
    pub fn snapshot(&self) -> Vec<u8> {
        self.awareness
            .doc()
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// Whether the document holds updates still waiting for missing predecessors.
    pub fn has_pending(&self) -> bool {
        let txn = self.awareness.doc().transact();
        txn.store().pending_update().is_some() || txn.store().pending_ds().is_some()
    }

    pub fn doc(&self) -> &yrs::Doc {
        self.awareness.doc()
    }

    /// Refuses updates that would take the stored size past `max_bytes` (with
    /// [`ProtocolError::TooLarge`]); a document already past it can still be read.
    pub fn set_max_bytes(&mut self, max_bytes: usize) {
        self.max_bytes = max_bytes;
    }

    /// Bytes of stored updates so far.
    pub fn stored_bytes(&self) -> usize {
        self.bytes
    }

    /// Registers a connection with what its link allows and returns what it hears first: the
    /// server's sync step 1 and, when anyone has one, the current awareness states. A role that
    /// may not read hears nothing.
    pub fn connect(&mut self, conn: ConnId, role: Role) -> Vec<Vec<u8>> {
        self.members.insert(
            conn,
            Member {
                role,
                controlled: HashSet::new(),
                receipts: None,
                pieces: false,
                deflated: false,
            },
        );
        if !role.can_read() {
            return Vec::new();
        }
        let sv = self.awareness.doc().transact().state_vector();
        let mut greeting = vec![encode_step1(sv)];
        greeting.extend(encode_awareness(&self.awareness));
        greeting
    }

    /// Handles one frame from `conn`.
    ///
    /// Every message is decoded and checked before any is applied. When applying one fails,
    /// the effects of the messages before it are kept (they changed the document, so they must
    /// be stored and relayed) and [`Effects::error`] says why the connection must close.
    pub fn receive(&mut self, conn: ConnId, frame: &[u8]) -> Effects {
        let mut effects = Effects::default();
        let messages = match decode_frame(frame)
            .map_err(ProtocolError::from)
            .and_then(check)
        {
            Ok(messages) => messages,
            Err(error) => {
                effects.error = Some(error);
                return effects;
            }
        };
        if let Err(error) = self.apply_messages(conn, messages, &mut effects) {
            effects.error = Some(error);
        }
        effects
    }

    fn apply_messages(
        &mut self,
        conn: ConnId,
        messages: Vec<Message>,
        effects: &mut Effects,
    ) -> Result<(), ProtocolError> {
        let single = messages.len() == 1;
        let role = self.members.get(&conn).map_or(Role::Respondent, |m| m.role);
        if !role.can_read() {
            return Err(ProtocolError::Forbidden);
        }
        let mut refused = false;
        let mut receipt = None;
        for message in messages {
            if matches!(
                message,
                Message::Sync(SyncMessage::SyncStep2(_) | SyncMessage::Update(_))
            ) {
                let member = self.members.get_mut(&conn);
                if let Some(count) = member.and_then(|m| m.receipts.as_mut()) {
                    *count += 1;
                    receipt = Some(*count);
                }
            }
            match message {
                Message::Sync(SyncMessage::SyncStep1(sv)) => {
                    let frames = self.answer_step1(conn, &sv);
                    effects
                        .out
                        .extend(frames.into_iter().map(|payload| Outgoing {
                            to: Audience::Sender,
                            payload,
                        }));
                }
                Message::Sync(SyncMessage::SyncStep2(update) | SyncMessage::Update(update))
                    if !role.can_write() =>
                {
                    // Not applied, not stored, not relayed; the sender is told once per frame.
                    refused |= !is_empty_update(&update);
                }
                Message::Sync(SyncMessage::SyncStep2(update)) => {
                    if self.apply(&update)? {
                        self.authors.wrote(conn);
                        effects.out.push(Outgoing {
                            to: Audience::Others,
                            payload: Payload::Bytes(super::encode_update(update.clone())),
                        });
                        effects.store.push(update);
                    }
                }
                Message::Sync(SyncMessage::Update(update)) => {
                    if self.apply(&update)? {
                        self.authors.wrote(conn);
                        let payload = if single {
                            Payload::IncomingFrame
                        } else {
                            Payload::Bytes(super::encode_update(update.clone()))
                        };
                        effects.out.push(Outgoing {
                            to: Audience::Others,
                            payload,
                        });
                        effects.store.push(update);
                    }
                }
                Message::Awareness(mut update) => {
                    let before = update.clients.len();
                    self.admit_presence(conn, &mut update);
                    self.learn_name(conn, &update);
                    if update.clients.is_empty() {
                        continue;
                    }
                    let payload = if single && update.clients.len() == before {
                        Payload::IncomingFrame
                    } else {
                        Payload::Bytes(Message::Awareness(update.clone()).encode_v1())
                    };
                    // Applying only fails for states we cannot serialise; relay regardless.
                    let _ = self.awareness.apply_update(update);
                    effects.out.push(Outgoing {
                        to: Audience::Everyone,
                        payload,
                    });
                }
                Message::AwarenessQuery => {
                    if let Some(bytes) = encode_awareness(&self.awareness) {
                        effects.out.push(Outgoing {
                            to: Audience::Sender,
                            payload: Payload::Bytes(bytes),
                        });
                    }
                }
                // y-websocket clients never send auth; permission is the server's business.
                Message::Auth(_) => {}
                Message::Custom(MSG_RECEIPTS_PLEASE, _) => {
                    if let Some(member) = self.members.get_mut(&conn) {
                        if member.role.can_write() {
                            member.receipts.get_or_insert(0);
                        }
                    }
                }
                Message::Custom(MSG_PIECES_PLEASE, payload) => {
                    if let Some(member) = self.members.get_mut(&conn) {
                        member.pieces = true;
                        member.deflated = payload == [DEFLATED_WELCOME];
                    }
                }
                Message::Custom(tag, _) => return Err(ProtocolError::Unsupported(tag)),
            }
        }
        if refused {
            effects.out.push(Outgoing {
                to: Audience::Sender,
                payload: Payload::Bytes(Message::Auth(Some(READ_ONLY_REASON.into())).encode_v1()),
            });
        }
        // Sent, like everything in `out`, only once this frame's updates are durable.
        if let Some(count) = receipt {
            effects.out.push(Outgoing {
                to: Audience::Sender,
                payload: Payload::Bytes(encode_receipt(count)),
            });
        }
        Ok(())
    }

    /// How many update messages `conn` has sent since it asked for receipts (`None`: it did
    /// not ask). With [`Room::resume_receipts`], a room rebuilt from storage carries on counting
    /// where the old one stopped.
    pub fn receipts_counted(&self, conn: ConnId) -> Option<u64> {
        self.members.get(&conn).and_then(|m| m.receipts)
    }

    /// Carries on counting `conn`'s update messages from `count` (see
    /// [`Room::receipts_counted`]); nothing for a connection that is not a member.
    pub fn resume_receipts(&mut self, conn: ConnId, count: Option<u64>) {
        if let Some(member) = self.members.get_mut(&conn) {
            member.receipts = count.filter(|_| member.role.can_write());
        }
    }

    /// Keeps in `update` only what `conn` may announce, and records the client ids it now
    /// speaks for: states of at most [`MAX_PRESENCE_BYTES`], for client ids no other connection
    /// has announced, and at most [`MAX_PRESENCE_CLIENTS`] ids per connection. The rest is
    /// neither kept nor relayed, so nobody can flood the others or speak for someone else.
    fn admit_presence(&mut self, conn: ConnId, update: &mut yrs::sync::AwarenessUpdate) {
        let taken: HashSet<ClientID> = self
            .members
            .iter()
            .filter(|(other, _)| **other != conn)
            .flat_map(|(_, m)| m.controlled.iter().copied())
            .collect();
        let Some(member) = self.members.get_mut(&conn) else {
            update.clients.clear();
            return;
        };
        let ids = &mut member.controlled;
        update.clients.retain(|client, entry| {
            if entry.json.len() > MAX_PRESENCE_BYTES || taken.contains(client) {
                return false;
            }
            if &*entry.json == "null" {
                ids.remove(client);
                return true;
            }
            if ids.contains(client) || ids.len() < MAX_PRESENCE_CLIENTS {
                ids.insert(*client);
                return true;
            }
            false
        });
    }

    /// Whether anyone changed the document since the last [`Room::take_authors`].
    pub fn changed_since_version(&self) -> bool {
        self.authors.any()
    }

    /// The names of everyone who changed the document since the last call (sorted; an empty
    /// name for someone who has not set one), for the version being taken now.
    pub fn take_authors(&mut self) -> Vec<String> {
        let members = &self.members;
        self.authors.take(|conn| members.contains_key(&conn))
    }

    /// Remembers the name a connection's presence gives (the first of its states in `update`
    /// that has one of our shape).
    fn learn_name(&mut self, conn: ConnId, update: &yrs::sync::AwarenessUpdate) {
        let name = update
            .clients
            .iter()
            .find_map(|(client, entry)| crate::presence::Peer::parse(client.get(), &entry.json));
        if let Some(peer) = name {
            self.authors.named(conn, peer.name);
        }
    }

    /// Forgets a connection; returns the awareness message announcing that its users left,
    /// for everyone remaining.
    pub fn disconnect(&mut self, conn: ConnId) -> Option<Vec<u8>> {
        let ids = self.members.remove(&conn)?.controlled;
        if ids.is_empty() {
            return None;
        }
        for id in &ids {
            self.awareness.remove_state(*id);
        }
        let update = self.awareness.update_with_clients(ids).ok()?;
        Some(Message::Awareness(update).encode_v1())
    }

    /// The sync step 2 answering `conn`'s step 1 (the part of the document it lacks), in the
    /// form it asked for: one frame, pieces or deflated pieces. A joiner that has nothing
    /// shares the frames of others that had nothing, while they still hold them.
    fn answer_step1(&mut self, conn: ConnId, sv: &StateVector) -> Vec<Payload> {
        let member = self.members.get(&conn);
        let form = match member {
            Some(m) if m.deflated => Form::Deflated,
            Some(m) if m.pieces => Form::Pieces,
            _ => Form::Whole,
        };
        let has_nothing = *sv == StateVector::default();
        if has_nothing {
            if let Some(frames) = self.whole.get(form) {
                return frames.into_iter().map(Payload::Shared).collect();
            }
        }
        let step2 = encode_step2(self.awareness.doc(), sv);
        let frames = match (form == Form::Deflated && step2.len() > DEFLATE_OVER)
            .then(|| split_into_deflated_pieces(&step2, PIECE_BYTES))
            .flatten()
        {
            Some(frames) => frames,
            None if form != Form::Whole && step2.len() > PIECE_BYTES => {
                split_into_pieces(&step2, PIECE_BYTES)
            }
            None => vec![step2],
        };
        if !has_nothing {
            return frames.into_iter().map(Payload::Bytes).collect();
        }
        let frames: Vec<Arc<Vec<u8>>> = frames.into_iter().map(Arc::new).collect();
        self.whole.keep(form, &frames);
        frames.into_iter().map(Payload::Shared).collect()
    }

    /// Applies a v1 update; `Ok(false)` for an empty one, which needs neither storing nor
    /// relaying. An update that would nest shared types too deep is refused before yrs sees it.
    fn apply(&mut self, update: &[u8]) -> Result<bool, ProtocolError> {
        let size = self.bytes.saturating_add(update.len());
        if size > self.max_bytes && !is_empty_update(update) {
            return Err(ProtocolError::TooLarge {
                size,
                limit: self.max_bytes,
            });
        }
        let doc = self.awareness.doc();
        let checked = self.depths.check(&doc.transact(), update)?;
        let applied = super::frames::apply_update(doc, update, CLIENT_ORIGIN);
        // Even a failed update may have applied some blocks (a poisoned room is rebuilt).
        self.depths.record(checked);
        // Even a failed update may have changed the document; an empty one (a fresh joiner's
        // step 2) changes nothing.
        if !is_empty_update(update) {
            self.whole.changed();
        }
        let applied = applied?;
        if applied {
            self.bytes = size;
        }
        Ok(applied)
    }
}
