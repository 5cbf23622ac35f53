//! A client's side of the protocol: what a browser tab or a test client says to the server.
//! Used by the app (wasm32) and by the server's protocol tests (native).

use yrs::sync::{Awareness, Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, Transact};

use super::frames::{decode_frame, encode_step1, encode_step2};
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
}

/// The client half of a y-websocket session around one document.
pub struct ClientSync {
    awareness: Awareness,
}

impl ClientSync {
    /// `clock` gives milliseconds (in the browser, `Date.now()`).
    pub fn new(doc: yrs::Doc, clock: impl Fn() -> u64 + Send + Sync + 'static) -> ClientSync {
        ClientSync {
            awareness: Awareness::with_clock(doc, clock),
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

    /// What to send when the connection opens: our sync step 1, and our presence if set.
    pub fn hello(&self) -> Vec<Vec<u8>> {
        let sv = self.awareness.doc().transact().state_vector();
        let mut frames = vec![encode_step1(sv)];
        if let Some(presence) = self.presence_frame() {
            frames.push(presence);
        }
        frames
    }

    /// An awareness frame with our own state, if we have one.
    pub fn presence_frame(&self) -> Option<Vec<u8>> {
        let me = self.awareness.client_id();
        let update = self.awareness.update_with_clients([me]).ok()?;
        Some(Message::Awareness(update).encode_v1())
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
                Message::Auth(None) | Message::Custom(..) => {}
            }
        }
        Ok((replies, events))
    }

    /// Applies an update from the server, which checked the nesting of the whole document;
    /// one that nests shared types too deep on its own is refused all the same.
    fn apply(&mut self, update: &[u8]) -> Result<bool, ProtocolError> {
        let doc = self.awareness.doc();
        super::nesting::check_alone(&doc.transact(), update)?;
        super::frames::apply_update(doc, update, REMOTE_ORIGIN)
    }
}
