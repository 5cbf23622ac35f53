//! The y-websocket protocol (y-protocols' sync and awareness messages), plus our durable
//! receipts (see [`frames`]' two message types of our own), as sans-IO state machines. Encoding and decoding are yrs's own `yrs::sync` types; this module decides what
//! each side says in reply, what must be stored, and who hears what.
//!
//! Bytes go in, bytes come out: no sockets, no clocks (time is injected into awareness), so the
//! server's websocket task and the browser's socket code are thin pumps around these types.

mod authors;
mod client;
mod frames;
mod guard;
mod nesting;
mod room;
mod whole_state;

pub use client::{ClientEvent, ClientSync, REMOTE_ORIGIN};
pub use frames::{
    decode_frame, encode_awareness, encode_pieces_please, encode_receipt, encode_receipts_please,
    encode_step1, encode_update, is_empty_update, split_into_deflated_pieces, split_into_pieces,
    DEFLATED_WELCOME, DEFLATE_OVER, MSG_DEFLATED_PIECE, MSG_PIECE, MSG_PIECES_PLEASE, MSG_RECEIPT,
    MSG_RECEIPTS_PLEASE, PIECE_BYTES,
};
pub use nesting::MAX_NESTING;
pub use room::{
    Audience, ConnId, Effects, Outgoing, Payload, ProtocolError, Room, MAX_MESSAGES_PER_FRAME,
    MAX_PRESENCE_BYTES, MAX_PRESENCE_CLIENTS,
};

#[cfg(test)]
mod nesting_tests;
#[cfg(test)]
mod pieces_tests;
#[cfg(test)]
mod presence_tests;
#[cfg(test)]
mod receipt_tests;
#[cfg(test)]
mod tests;
