//! Encoding and decoding single y-websocket frames with yrs's types, and the two message types
//! of our own beside y-websocket's (sync 0, awareness 1, auth 2, awareness query 3):
//!
//! - [`MSG_RECEIPTS_PLEASE`] (100), client to server: "tell me when my updates are durable".
//!   Its buffer is empty (anything in it is ignored). A client sends it once, before anything
//!   else, on each connection; a server sends receipts only to a connection that asked, so
//!   plain Yjs clients never see a message type they do not know.
//! - [`MSG_RECEIPT`] (101), server to client: its buffer holds one lib0 varint, the number of
//!   sync messages carrying an update (step 2 or update, empty ones included) that the server
//!   has received from this connection since its request and that are now durable (stored, or
//!   needing no storing). The count only grows; it starts again on each connection.
//! - [`MSG_PIECES_PLEASE`] (102), client to server: "send a large sync step 2 in pieces". Like
//!   the receipts request, sent once before anything else; its buffer is empty.
//! - [`MSG_PIECE`] (103), server to client: one piece of a large message (the sync step 2
//!   answering the client's step 1). Its buffer holds two lib0 varints, the whole message's
//!   length and this piece's offset in it, then the piece's bytes. Pieces come in order, the
//!   first at offset 0; put together they are one y-websocket message. A slow link then keeps
//!   carrying messages (so neither side takes the silence for a dead connection, and no single
//!   write lasts minutes), and the client can show how far the download has got.

use std::panic::{catch_unwind, AssertUnwindSafe};
use yrs::encoding::read::Cursor;
use yrs::encoding::read::Read;
use yrs::encoding::write::Write;
use yrs::sync::{Awareness, Message, MessageReader, SyncMessage};
use yrs::updates::decoder::DecoderV1;
use yrs::updates::encoder::Encode;

use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use super::ProtocolError;

/// Decodes every message in one websocket frame. y-websocket sends one message per frame, but
/// the protocol allows several back to back, so all are read; a frame holding none, or ending
/// in the middle of a message, is an error.
pub fn decode_frame(frame: &[u8]) -> Result<Vec<Message>, yrs::encoding::read::Error> {
    super::guard::check_frame(frame)?;
    let mut decoder = DecoderV1::new(Cursor::new(frame));
    let mut messages = Vec::with_capacity(1);
    for message in MessageReader::new(&mut decoder) {
        messages.push(message?);
    }
    if messages.is_empty() {
        return Err(yrs::encoding::read::Error::EndOfBuffer(1));
    }
    Ok(messages)
}

/// Message type of a client's request for durable receipts (see the module's documentation).
pub const MSG_RECEIPTS_PLEASE: u8 = 100;
/// Message type of the server's durable receipt (see the module's documentation).
pub const MSG_RECEIPT: u8 = 101;

/// Message type of a client's request for large messages in pieces. Its payload is empty, or
/// [`DEFLATED_WELCOME`]: the client also takes them deflated.
pub const MSG_PIECES_PLEASE: u8 = 102;
/// Message type of one piece of a large message.
pub const MSG_PIECE: u8 = 103;
/// Message type of one piece of a large message sent deflated (raw DEFLATE, RFC 1951): the
/// pieces put together inflate to the message.
pub const MSG_DEFLATED_PIECE: u8 = 104;
/// The payload of [`MSG_PIECES_PLEASE`] from a client that takes deflated pieces.
pub const DEFLATED_WELCOME: u8 = 1;
/// Bytes of message in one piece: half a second at 1 Mbit/s.
pub const PIECE_BYTES: usize = 64 * 1024;
/// A message larger than this goes deflated to a client that takes it so: a document's text
/// and its CRDT bookkeeping shrink to about a third.
pub const DEFLATE_OVER: usize = 8 * 1024;

/// A client's request for large messages in pieces, deflated too.
pub fn encode_pieces_please() -> Vec<u8> {
    Message::Custom(MSG_PIECES_PLEASE, vec![DEFLATED_WELCOME]).encode_v1()
}

/// `message` deflated (fast level: it is made for each joining client), as
/// [`MSG_DEFLATED_PIECE`] frames of at most `piece` bytes each; `None` if deflating does not
/// make it smaller.
pub fn split_into_deflated_pieces(message: &[u8], piece: usize) -> Option<Vec<Vec<u8>>> {
    let deflated = miniz_oxide::deflate::compress_to_vec(message, 1);
    (deflated.len() < message.len()).then(|| pieces_of(MSG_DEFLATED_PIECE, &deflated, piece))
}

/// `message` as [`MSG_PIECE`] frames of at most `piece` bytes of it each.
pub fn split_into_pieces(message: &[u8], piece: usize) -> Vec<Vec<u8>> {
    pieces_of(MSG_PIECE, message, piece)
}

fn pieces_of(tag: u8, message: &[u8], piece: usize) -> Vec<Vec<u8>> {
    let total = message.len() as u64;
    message
        .chunks(piece.max(1))
        .enumerate()
        .map(|(i, bytes)| {
            let mut payload = Vec::with_capacity(bytes.len() + 12);
            payload.write_var(total);
            payload.write_var((i * piece.max(1)) as u64);
            payload.extend_from_slice(bytes);
            Message::Custom(tag, payload).encode_v1()
        })
        .collect()
}

/// The whole message's length, the piece's offset and its bytes, from a piece's buffer.
pub(crate) fn decode_piece(
    payload: &[u8],
) -> Result<(u64, u64, &[u8]), yrs::encoding::read::Error> {
    let mut cursor = Cursor::new(payload);
    let total: u64 = cursor.read_var()?;
    let offset: u64 = cursor.read_var()?;
    Ok((total, offset, &payload[cursor.next..]))
}

/// A client's request for durable receipts.
pub fn encode_receipts_please() -> Vec<u8> {
    Message::Custom(MSG_RECEIPTS_PLEASE, Vec::new()).encode_v1()
}

/// A receipt: the first `count` update messages of the connection are durable.
pub fn encode_receipt(count: u64) -> Vec<u8> {
    let mut payload = Vec::with_capacity(10);
    payload.write_var(count);
    Message::Custom(MSG_RECEIPT, payload).encode_v1()
}

/// The count in a receipt's buffer (which [`super::guard`] checked holds one varint).
pub(crate) fn decode_receipt(payload: &[u8]) -> Result<u64, yrs::encoding::read::Error> {
    Cursor::new(payload).read_var()
}

/// The sync step 1 a peer sends first: its state vector.
pub fn encode_step1(sv: StateVector) -> Vec<u8> {
    Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1()
}

/// A sync update message around a v1 update.
pub fn encode_update(update: Vec<u8>) -> Vec<u8> {
    Message::Sync(SyncMessage::Update(update)).encode_v1()
}

/// An awareness message with every known state, or `None` when nobody has one.
pub fn encode_awareness(awareness: &Awareness) -> Option<Vec<u8>> {
    let update = awareness.update().ok()?;
    if update.clients.is_empty() {
        return None;
    }
    Some(Message::Awareness(update).encode_v1())
}

/// Whether a v1 update carries nothing: no new items and no deletions (`[0, 0]`), as a peer
/// sends in its sync step 2 when it has nothing the other side lacks.
pub fn is_empty_update(update: &[u8]) -> bool {
    update == [0, 0]
}

/// The sync step 2 answering a peer's state vector.
pub(crate) fn encode_step2(doc: &yrs::Doc, sv: &StateVector) -> Vec<u8> {
    let diff = doc.transact().encode_diff_v1(sv);
    Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1()
}

/// Decodes and applies a v1 update with `origin`; `Ok(false)` for an empty one, which needs
/// neither storing nor relaying. A panic inside yrs is caught and reported as
/// [`ProtocolError::Poisoned`]: the document can no longer be trusted.
pub(crate) fn apply_update(
    doc: &yrs::Doc,
    update: &[u8],
    origin: &str,
) -> Result<bool, ProtocolError> {
    if is_empty_update(update) {
        return Ok(false);
    }
    let decoded = Update::decode_v1(update)?;
    match catch_unwind(AssertUnwindSafe(|| {
        doc.transact_mut_with(origin).apply_update(decoded)
    })) {
        Ok(result) => result?,
        Err(_) => return Err(ProtocolError::Poisoned),
    }
    Ok(true)
}
