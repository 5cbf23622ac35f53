//! A client's side of the protocol: what a browser tab or a test client says to the server.
//! Used by the app (wasm32) and by the server's protocol tests (native).
//!
//! With receipts on ([`ClientSync::with_receipts`]), it also keeps count of the user's own edits
//! the server has not yet confirmed as durable. Each local edit remembers which update message
//! of the current connection carried it: its own update message, or the sync step 2 that
//! answers the server's step 1 (which carries every edit made while offline). The server counts
//! the same messages, so a receipt for `n` settles every edit carried by message `n` or before.

use yrs::sync::{Awareness, Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, Transact};

use super::frames::{
    decode_frame, decode_piece, decode_receipt, encode_pieces_please, encode_receipts_please,
    encode_step1, encode_step2, encode_update, is_empty_update, MSG_DEFLATED_PIECE, MSG_PIECE,
    MSG_RECEIPT,
};
use super::ProtocolError;

/// Transaction origin of updates that came from the server, so a local-update observer can tell
/// them from the user's own edits and not send them back.
pub const REMOTE_ORIGIN: &str = "gather-remote";

/// What a received frame changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// The server's sync step 2 arrived: the document now holds everything the server had.
    Synced,
    /// Remote edits were applied.
    DocChanged,
    /// Someone's presence changed.
    AwarenessChanged,
    /// The server refused this client's edits: its link is read-only.
    EditsRefused,
    /// The server confirmed that more of our edits are durable (see [`ClientSync::unsaved`]).
    Saved,
    /// A piece of a large message arrived: `received` of its `total` bytes so far.
    Loading { received: u64, total: u64 },
}

/// The largest message this client puts together from pieces.
pub const MAX_ASSEMBLED: u64 = 1 << 30;

/// The client half of a y-websocket session around one document.
pub struct ClientSync {
    awareness: Awareness,
    /// Whether this client asks for durable receipts and keeps count of unsaved edits.
    receipts: bool,
    /// Whether a connection is open (between [`ClientSync::hello`] and
    /// [`ClientSync::disconnected`]).
    open: bool,
    /// Update messages sent on the current connection.
    sent: u64,
    /// The local edits not yet confirmed durable, each with the number of the update message
    /// of the current connection that carried it (`None`: not sent on this connection yet).
    unsaved: Vec<Option<u64>>,
    /// Whether this client asks for large messages in pieces.
    pieces: bool,
    /// The pieces of a large message received so far, and its whole length.
    assembling: Vec<u8>,
    expected: u64,
}

impl ClientSync {
    /// `clock` gives milliseconds (in the browser, `Date.now()`).
    pub fn new(doc: yrs::Doc, clock: impl Fn() -> u64 + Send + Sync + 'static) -> ClientSync {
        ClientSync {
            awareness: Awareness::with_clock(doc, clock),
            receipts: false,
            open: false,
            sent: 0,
            unsaved: Vec::new(),
            pieces: false,
            assembling: Vec::new(),
            expected: 0,
        }
    }

    /// Asks the server to send a large sync step 2 in pieces ([`ClientEvent::Loading`] follows
    /// the download). Only for Gather's server, like receipts.
    pub fn with_pieces(mut self) -> ClientSync {
        self.pieces = true;
        self
    }

    /// Asks the server for durable receipts on every connection and keeps count of unsaved
    /// edits. Only for Gather's server: other y-websocket servers do not know the message.
    pub fn with_receipts(mut self) -> ClientSync {
        self.receipts = true;
        self
    }

    /// How many local edits (see [`ClientSync::local_edit`]) the server has not yet confirmed
    /// as durable. Always 0 without receipts.
    pub fn unsaved(&self) -> usize {
        self.unsaved.len()
    }

    /// Counts `n` edits from an earlier page as unsaved: they were kept on the device (already
    /// in the document when it was opened) before the server confirmed them. Call it before the
    /// first [`ClientSync::hello`]: the next sync step 2 carries them, and its receipt settles
    /// them. Does nothing without receipts.
    pub fn kept_from_before(&mut self, n: usize) {
        if self.receipts {
            self.unsaved.extend(std::iter::repeat_n(None, n));
        }
    }

    pub fn doc(&self) -> &yrs::Doc {
        self.awareness.doc()
    }

    pub fn awareness(&self) -> &Awareness {
        &self.awareness
    }

    pub fn awareness_mut(&mut self) -> &mut Awareness {
        &mut self.awareness
    }

    /// What to send when a connection opens: the receipts request (with receipts on), our
    /// sync step 1, and our presence if set. Starts counting this connection's messages.
    pub fn hello(&mut self) -> Vec<Vec<u8>> {
        self.open = true;
        self.sent = 0;
        self.unsaved.iter_mut().for_each(|carrier| *carrier = None);
        self.hello_frames()
    }

    /// Takes a hello someone else sent on a new connection for this client (in the browser,
    /// the page's early start, before the app had loaded): if `sent` is exactly
    /// [`Self::hello_frame`], the connection counts as greeted, as if this client had sent it,
    /// and this returns true. Otherwise nothing changes and the connection must not be used.
    pub fn hello_sent_for_us(&mut self, sent: &[u8]) -> bool {
        if self.hello_frames().concat() != sent {
            return false;
        }
        self.hello();
        true
    }

    fn hello_frames(&self) -> Vec<Vec<u8>> {
        let mut frames = Vec::with_capacity(4);
        if self.receipts {
            frames.push(encode_receipts_please());
        }
        if self.pieces {
            frames.push(encode_pieces_please());
        }
        let sv = self.awareness.doc().transact().state_vector();
        frames.push(encode_step1(sv));
        if let Some(presence) = self.presence_frame() {
            frames.push(presence);
        }
        frames
    }

    /// [`Self::hello`] as one frame, for Gather's server only (a y-websocket server reads one
    /// message per frame). The server holds a connection's handshake slot until it answered
    /// the first frame, so the sync step 1, and the step 2 it brings, must be in that frame.
    pub fn hello_frame(&mut self) -> Vec<u8> {
        self.hello().concat()
    }

    /// An awareness frame with our own state, if we have one.
    pub fn presence_frame(&self) -> Option<Vec<u8>> {
        let me = self.awareness.client_id();
        let update = self.awareness.update_with_clients([me]).ok()?;
        Some(Message::Awareness(update).encode_v1())
    }

    /// The connection closed: edits from now on wait for the next one's sync step 2, and the
    /// others' presence is forgotten (the next connection's greeting says who is still here;
    /// nobody would tell us about those who left meanwhile).
    pub fn disconnected(&mut self) {
        self.open = false;
        self.assembling = Vec::new();
        self.expected = 0;
        let me = self.awareness.client_id();
        let others: Vec<_> = self
            .awareness
            .iter()
            .filter(|(id, state)| *id != me && state.data.is_some())
            .map(|(id, _)| id)
            .collect();
        for id in others {
            self.awareness.remove_state(id);
        }
        // The server marks our state removed, one clock tick past ours, and tells the others;
        // the state our next hello carries must be newer than that removal, or they ignore it
        // until we next move.
        if let Some(state) = self.awareness.local_state_raw() {
            self.awareness.set_local_state_raw(state.clone());
            self.awareness.set_local_state_raw(state);
        }
    }

    /// Sets our presence (a JSON state, see [`crate::presence`]) and returns the frame to send
    /// while a connection is open.
    pub fn set_presence(&mut self, json: &str) -> Option<Vec<u8>> {
        self.awareness.set_local_state_raw(json);
        self.open.then(|| self.presence_frame()).flatten()
    }

    /// The others' presence states: client id and JSON.
    pub fn others_presence(&self) -> Vec<(u64, std::sync::Arc<str>)> {
        let me = self.awareness.client_id();
        let mut others: Vec<_> = self
            .awareness
            .iter()
            .filter(|(id, _)| *id != me)
            .filter_map(|(id, state)| Some((id.get(), state.data?)))
            .collect();
        others.sort_by_key(|(id, _)| *id);
        others
    }

    /// Records one local edit (a v1 update the user's transaction produced) and returns the
    /// frame to send while a connection is open; offline, the edit waits for the sync step 2
    /// of the next connection.
    pub fn local_edit(&mut self, update: Vec<u8>) -> Option<Vec<u8>> {
        if is_empty_update(&update) {
            return None;
        }
        let carrier = self.open.then(|| {
            self.sent += 1;
            self.sent
        });
        if self.receipts {
            self.unsaved.push(carrier);
        }
        self.open.then(|| encode_update(update))
    }

    /// Handles one frame from the server; returns the frames to send back and what changed.
    pub fn receive(
        &mut self,
        frame: &[u8],
    ) -> Result<(Vec<Vec<u8>>, Vec<ClientEvent>), ProtocolError> {
        let mut replies = Vec::new();
        let mut events = Vec::new();
        for message in decode_frame(frame)? {
            match message {
                Message::Sync(SyncMessage::SyncStep1(sv)) => {
                    replies.push(encode_step2(self.awareness.doc(), &sv));
                    // The step 2 carries every edit not sent on this connection yet.
                    self.sent += 1;
                    for carrier in &mut self.unsaved {
                        carrier.get_or_insert(self.sent);
                    }
                }
                Message::Sync(SyncMessage::SyncStep2(update)) => {
                    self.apply(&update)?;
                    events.push(ClientEvent::Synced);
                }
                Message::Sync(SyncMessage::Update(update)) => {
                    if self.apply(&update)? {
                        events.push(ClientEvent::DocChanged);
                    }
                }
                Message::Awareness(update) => {
                    let _ = self.awareness.apply_update(update);
                    events.push(ClientEvent::AwarenessChanged);
                }
                Message::AwarenessQuery => replies.extend(self.presence_frame()),
                Message::Auth(Some(_)) => events.push(ClientEvent::EditsRefused),
                Message::Custom(MSG_RECEIPT, payload) => {
                    let durable = decode_receipt(&payload)?;
                    let before = self.unsaved.len();
                    self.unsaved
                        .retain(|carrier| carrier.is_none_or(|message| message > durable));
                    if self.unsaved.len() < before {
                        events.push(ClientEvent::Saved);
                    }
                }
                Message::Custom(tag @ (MSG_PIECE | MSG_DEFLATED_PIECE), payload) => {
                    let Some(mut whole) = self.piece(&payload, &mut events)? else {
                        continue;
                    };
                    if tag == MSG_DEFLATED_PIECE {
                        whole = inflate(&whole)?;
                    }
                    let (more_replies, more_events) = self.receive(&whole)?;
                    replies.extend(more_replies);
                    events.extend(more_events);
                }
                Message::Auth(None) | Message::Custom(..) => {}
            }
        }
        Ok((replies, events))
    }

    /// Adds a piece to the message being put together; the whole message once complete.
    /// Pieces out of order, of different totals, or past [`MAX_ASSEMBLED`] are malformed.
    fn piece(
        &mut self,
        payload: &[u8],
        events: &mut Vec<ClientEvent>,
    ) -> Result<Option<Vec<u8>>, ProtocolError> {
        let malformed = || ProtocolError::Malformed(yrs::encoding::read::Error::UnexpectedValue);
        let (total, offset, bytes) = decode_piece(payload)?;
        if offset == 0 {
            self.assembling = Vec::new();
            self.expected = total;
        }
        let received = self.assembling.len() as u64 + bytes.len() as u64;
        if total != self.expected
            || offset != self.assembling.len() as u64
            || received > total
            || total > MAX_ASSEMBLED
        {
            self.assembling = Vec::new();
            return Err(malformed());
        }
        self.assembling.extend_from_slice(bytes);
        events.push(ClientEvent::Loading { received, total });
        Ok((received == total).then(|| std::mem::take(&mut self.assembling)))
    }

    /// Applies an update from the server, which checked the nesting of the whole document;
    /// one that nests shared types too deep on its own is refused all the same.
    fn apply(&mut self, update: &[u8]) -> Result<bool, ProtocolError> {
        let doc = self.awareness.doc();
        super::nesting::check_alone(&doc.transact(), update)?;
        super::frames::apply_update(doc, update, REMOTE_ORIGIN)
    }
}

/// A deflated message inflated, refused past [`MAX_ASSEMBLED`] bytes or if it does not inflate.
fn inflate(deflated: &[u8]) -> Result<Vec<u8>, ProtocolError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, MAX_ASSEMBLED as usize)
        .map_err(|_| ProtocolError::Malformed(yrs::encoding::read::Error::UnexpectedValue))
}
