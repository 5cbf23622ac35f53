//! The websocket endpoint `/sync/{doc_id}?token=…`: a thin pump between one socket and its
//! room. The reader checks frame kind and size and passes frames on; the writer sends what the
//! room queues, and the close frame when the room, the reader, the link's expiry, or the owner
//! (revoking the link or deleting the document) decides the connection must end.
//!
//! A connection first waits for a handshake slot ([`crate::admission`]); it keeps the slot
//! while it joins the room (which may load the document) and until the room has answered its
//! first message (the client's sync step 1), or for at most [`HANDSHAKE_LIMIT`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use gather_doc::{CloseCode, DocId};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::access::{now_ms, Access, Grant};
use crate::admission::{Queued, HANDSHAKE_LIMIT};
use crate::outbox::{outbox, Next};
use crate::rooms::{ConnHandle, Member, Rooms};
use crate::upgrade::Socket;

/// How often the server pings an idle connection.
const PING_EVERY: Duration = Duration::from_secs(30);
/// A connection that says nothing (not even a pong) for this long is dead.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
/// A write that takes longer than this means the peer stopped reading.
const WRITE_LIMIT: Duration = Duration::from_secs(30);
/// How long a connection waits for the peer's close after sending its own.
const CLOSE_REPLY_LIMIT: Duration = Duration::from_secs(2);
/// How long a connection the reader ends waits for the writer's close frame to go out.
const CLOSING_LIMIT: Duration = Duration::from_secs(5);
/// Incoming frames up to this size are copied out of the read buffer (see the reader).
const OWN_COPY_UNDER: usize = 1024;
/// Most queued frames gathered into one write.
const WRITE_BATCH: usize = 64;
/// A message longer than this goes out in fragments of this size: tungstenite copies what it
/// sends into the connection's write buffer, which keeps its largest size for as long as the
/// connection lives.
const FRAGMENT: usize = 16 * 1024;

/// Who is connecting, as the handshake established.
pub struct Session {
    pub doc: DocId,
    pub grant: Grant,
    pub addr: std::net::IpAddr,
    /// Its place in the queue for a handshake slot.
    pub queued: Queued,
}

/// Closes a connection whose handshake was refused, with the code saying why.
pub async fn refuse(mut socket: Socket, code: CloseCode) {
    send_within(&mut socket, close_message(code)).await;
}

/// Closes a connection the server has no room for, saying when to try again.
pub async fn refuse_busy(mut socket: Socket, retry_after_secs: u32) {
    let message = Message::Close(Some(CloseFrame {
        code: CloseCode::Busy.code().into(),
        reason: gather_doc::close_code::busy_reason(retry_after_secs).into(),
    }));
    send_within(&mut socket, message).await;
}

/// Sends one message, giving up after [`WRITE_LIMIT`]; whether it went.
async fn send_within<S: futures_util::Sink<Message> + Unpin>(
    sink: &mut S,
    message: Message,
) -> bool {
    matches!(
        tokio::time::timeout(WRITE_LIMIT, sink.send(message)).await,
        Ok(Ok(()))
    )
}

/// Serves one upgraded, authorised connection until it closes.
///
/// The socket and the session come boxed: an async fn keeps room for its arguments for as long
/// as it runs, and these two (520 bytes) are taken apart at once. Boxed, every connection's
/// task is that much smaller (see BENCHMARKS.md, `storm`'s memory).
pub async fn serve_socket(
    socket: Box<Socket>,
    session: Box<Session>,
    rooms: Rooms,
    access: Access,
    max_message_bytes: usize,
    mut shutdown: watch::Receiver<bool>,
) {
    // Moved out in blocks of their own, so the boxes are freed now rather than at the end.
    let Session {
        doc,
        grant,
        addr,
        queued: place,
    } = {
        let session = session;
        *session
    };
    let (mut sink, mut stream) = {
        let socket = socket;
        (*socket).split()
    };
    // The upgraded socket still holds hyper's 16 KiB request buffer, which goes at the first
    // read: read once now, so a connection waiting for its turn in a storm holds 1 KiB, not 17.
    // Whatever the client has sent already is kept for the reader.
    let mut early = stream.next().now_or_never();
    let handshake = tokio::select! {
        handshake = place.admit() => handshake,
        Ok(_) = shutdown.wait_for(|stop| *stop) => None,
    };
    let Some(handshake) = handshake else {
        let _ = sink.send(close_message(CloseCode::ShuttingDown)).await;
        return;
    };
    // The slot goes once the room has answered the first message, or after the limit.
    let mut handshake = Some(handshake);
    let (frames_tx, mut frames_rx) = outbox();
    let control = frames_rx.control();
    let handle = ConnHandle {
        frames: frames_tx,
        role: grant.role,
    };
    let _registered = access
        .sessions()
        .register(&doc, grant.link_id.as_deref(), control.clone());
    if !access.still_valid(&doc, &grant) {
        let _ = sink.send(close_message(CloseCode::LinkInvalid)).await;
        return;
    }
    // On shutdown the server closes every registered session (`serve_on`); one registered
    // after that sees the flag here. So the reader need not watch for it (144 bytes each).
    if *shutdown.borrow() {
        let _ = sink.send(close_message(CloseCode::ShuttingDown)).await;
        return;
    }
    let audit = |event: &str| {
        let detail = grant.link_id.as_deref().unwrap_or("");
        access.audit().record(
            &doc,
            event,
            Some(grant.role),
            &grant.label,
            Some(addr),
            detail,
        );
    };
    audit("session_opened");
    // A link that expires ends its sessions when it does (a time too far off to count is none).
    let expires_at = grant.expires_at.and_then(|at| {
        let left = u64::try_from(at.saturating_sub(now_ms())).unwrap_or(0);
        Instant::now().checked_add(Duration::from_millis(left))
    });
    let Some(member) = rooms.join(&doc, handle).await else {
        let code = frames_rx.close_code().unwrap_or(CloseCode::StorageFailed);
        let _ = sink.send(close_message(code)).await;
        audit("session_closed");
        return;
    };
    let conn = member.conn;
    tracing::debug!(conn, "connected");
    // What the writer still has to send: a peer waiting for a long download is not idle.
    let backlog = frames_rx.backlog();
    // Set once the writer has ended (see the end of this function).
    let writer_ended = AtomicBool::new(false);

    // The writer keeps no timer (a connection's task holds room for every timer it may wait
    // on): a write that never ends, because the peer stopped reading, is the reader's to catch
    // (`Backlog::writing_for`), and so is the end of the closing handshake.
    let writer = async move {
        loop {
            let first = match frames_rx.next().await {
                Next::Frame(bytes) => bytes,
                Next::Close(code) => {
                    let message = code.map_or(Message::Close(None), close_message);
                    if sink.send(message).await.is_ok() {
                        let _ = sink.close().await;
                    }
                    return;
                }
                // The room dropped this connection's outbox: its task failed.
                Next::RoomGone => {
                    let _ = sink.send(close_message(CloseCode::Internal)).await;
                    return;
                }
                Next::Ping => {
                    if sink.send(Message::Ping(Bytes::new())).await.is_err() {
                        return;
                    }
                    continue;
                }
            };
            // This frame and whatever else is queued already go out in one write: a busy
            // document's frames share a system call instead of paying one each.
            let mut frame = Some(first);
            let mut fed = 0;
            // Whether `frame` is the rest of a long message, whose fragments are going out.
            let mut continuing = false;
            while let Some(bytes) = frame.take() {
                let (message, rest) = next_piece(bytes, &mut continuing);
                if sink.feed(message).await.is_err() {
                    return;
                }
                if rest.is_some() {
                    frame = rest;
                    continue;
                }
                fed += 1;
                if fed < WRITE_BATCH {
                    frame = frames_rx.try_recv();
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    };
    let reader = async {
        // One timer for all the connection's deadlines (a timer each cost every connection
        // about 500 bytes): the end of the handshake's slot, the link's expiry, the next idle
        // check, the next ping (which the writer sends) and, once the connection is closing,
        // how long it waits for the other side. Idleness is checked now and then rather than
        // timed per message: a timer per incoming frame costs more than the frame.
        let handshake_until = Instant::now() + HANDSHAKE_LIMIT;
        let mut idle_check_at = Instant::now() + IDLE_LIMIT / 5;
        let mut ping_at = Instant::now() + PING_EVERY;
        // Once the connection is closing: when it stops waiting for the writer's close frame
        // and the peer's answer. (A socket dropped with bytes unread is reset, and a reset peer
        // can lose the close frame, and with it why it was closed.)
        let mut closing_until: Option<Instant> = None;
        // The peer closed or broke its side: nothing more to read.
        let mut peer_done = false;
        let mut writer_done = false;
        let next = |in_handshake: bool, idle_check_at: Instant, ping_at: Instant| {
            [in_handshake.then_some(handshake_until), expires_at]
                .into_iter()
                .flatten()
                .fold(idle_check_at.min(ping_at), Instant::min)
        };
        let timer = tokio::time::sleep_until(next(handshake.is_some(), idle_check_at, ping_at));
        tokio::pin!(timer);
        let mut last_heard = Instant::now();
        loop {
            let event = match early.take() {
                Some(message) => Event::Message(message),
                None => tokio::select! {
                    _ = &mut timer => Event::Tick,
                    () = ended(&writer_ended), if !writer_done => Event::WriterEnded,
                    message = stream.next(), if !peer_done => {
                        last_heard = Instant::now();
                        Event::Message(message)
                    }
                },
            };
            let now = Instant::now();
            // Whether to end the connection, and with what close code.
            let end_with: Option<Option<CloseCode>> = match event {
                Event::Tick if closing_until.is_some_and(|until| now >= until) => return,
                Event::Tick => {
                    let mut end_with = None;
                    if now >= handshake_until {
                        handshake = None;
                    }
                    if expires_at.is_some_and(|at| now >= at) {
                        tracing::info!(conn, "link expired; closing");
                        end_with = Some(Some(CloseCode::LinkInvalid));
                    }
                    if now >= idle_check_at {
                        idle_check_at = now + IDLE_LIMIT / 5;
                        if backlog
                            .writing_for()
                            .is_some_and(|took| took >= WRITE_LIMIT)
                        {
                            // No closing handshake with a peer that does not read.
                            tracing::warn!(conn, "peer stopped reading; closing");
                            return;
                        }
                        // Our pings wait behind the frames still queued (a large document
                        // going down a slow link, in pieces), so the peer cannot answer them
                        // yet; a peer that stopped reading is caught just above instead.
                        if last_heard.elapsed() >= IDLE_LIMIT && backlog.bytes() == 0 {
                            tracing::info!(conn, "idle connection closed");
                            end_with = Some(None);
                        }
                    }
                    if now >= ping_at {
                        ping_at = now + PING_EVERY;
                        control.ping();
                    }
                    let at = next(handshake.is_some(), idle_check_at, ping_at);
                    timer
                        .as_mut()
                        .reset(closing_until.map_or(at, |until| until.min(at)));
                    end_with
                }
                // The close frame is out (or the peer is gone): the peer's own close ends the
                // closing handshake.
                Event::WriterEnded => {
                    writer_done = true;
                    if peer_done {
                        return;
                    }
                    let until = now + CLOSE_REPLY_LIMIT;
                    let until = closing_until.map_or(until, |at| at.min(until));
                    closing_until = Some(until);
                    timer.as_mut().reset(until);
                    None
                }
                // Once the connection is to end (a revoked link, a deleted document), what the
                // peer still sends is dropped (and after a close frame, RFC 6455, 1.4).
                Event::Message(Some(Ok(Message::Binary(_)))) if control.is_closing() => None,
                Event::Message(Some(Ok(Message::Binary(bytes)))) => {
                    if bytes.len() > max_message_bytes {
                        tracing::warn!(conn, len = bytes.len(), "message too large");
                        Some(Some(CloseCode::MessageTooLarge))
                    } else if pass(&member, &mut handshake, bytes).await {
                        None
                    } else {
                        // The room is gone; the writer says so.
                        Some(Some(CloseCode::Internal))
                    }
                }
                Event::Message(Some(Ok(Message::Text(_)))) => {
                    tracing::warn!(conn, "text frame refused");
                    Some(Some(CloseCode::UnsupportedMessage))
                }
                // (Whole messages only are read: `Frame` is for sending.)
                Event::Message(Some(Ok(
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_),
                ))) => None,
                Event::Message(Some(Ok(Message::Close(_))) | None) => {
                    peer_done = true;
                    if writer_done {
                        return;
                    }
                    Some(None)
                }
                Event::Message(Some(Err(error))) => {
                    peer_done = true;
                    if writer_done {
                        return;
                    }
                    // tungstenite refuses frames over the size limit before reading them.
                    let too_large = matches!(error, WsError::Capacity(_));
                    tracing::warn!(conn, %error, "websocket read failed");
                    let code = too_large.then_some(CloseCode::MessageTooLarge);
                    Some(code.or(Some(CloseCode::MalformedMessage)))
                }
            };
            if let Some(code) = end_with {
                if closing_until.is_none() {
                    control.close(code);
                    let until = now + CLOSING_LIMIT;
                    closing_until = Some(until);
                    timer.as_mut().reset(until);
                }
            }
        }
    };
    // In a block of their own: the reader borrows the member, which leaves after them. The
    // reader's end is the connection's; the writer's end tells the reader.
    {
        tokio::pin!(writer);
        tokio::pin!(reader);
        // One await in this function, not two: halves kept across two awaits would be laid out
        // apart from every other wait of the connection's task, making all of it 300 bytes
        // larger (see BENCHMARKS.md, `storm`'s memory).
        async {
            tokio::select! {
                _ = &mut reader => {}
                _ = &mut writer => {
                    writer_ended.store(true, Ordering::Relaxed);
                    (&mut reader).await;
                }
            }
        }
        .await;
    }
    member.leave().await;
    audit("session_closed");
    tracing::debug!(conn, "disconnected");
}

/// What the reader acts on next.
enum Event {
    /// Its timer went off.
    Tick,
    /// The writer has ended: the close frame is out, or the peer is gone.
    WriterEnded,
    /// The peer sent this (`None`: its side of the socket ended).
    Message(Option<Result<Message, WsError>>),
}

/// Ready once `flag` is set. It registers no waker: whoever sets the flag polls the reader next.
fn ended(flag: &AtomicBool) -> impl std::future::Future<Output = ()> + '_ {
    std::future::poll_fn(move |_| {
        if flag.load(Ordering::Relaxed) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

/// Passes a frame to the room; while the connection holds a handshake slot (its first frame),
/// waits until the room has answered it, then gives the slot up. False if the room is gone.
async fn pass<T>(member: &Member, handshake: &mut Option<T>, bytes: Bytes) -> bool {
    // A small frame is a slice of the socket's read buffer; relayed as it is, it would pin
    // that buffer in every receiver's queue and make the next read allocate (and zero) a new
    // one. Its own copy lets the buffer be reused.
    let bytes = if bytes.len() <= OWN_COPY_UNDER {
        Bytes::copy_from_slice(&bytes)
    } else {
        bytes
    };
    if handshake.is_some() {
        let answered = member.frame_answered(bytes).await;
        *handshake = None;
        answered
    } else {
        member.frame(bytes).await
    }
}

/// The next websocket frame of a binary message, and the rest of it. A message longer than
/// [`FRAGMENT`] goes out in fragments of that size, each a slice of the same bytes (RFC 6455,
/// 5.4); `continuing` says whether `bytes` is the rest of one, and is kept up to date. (A
/// loop, rather than an async function of its own, keeps every connection's task small.)
fn next_piece(mut bytes: Bytes, continuing: &mut bool) -> (Message, Option<Bytes>) {
    if !*continuing && bytes.len() <= FRAGMENT {
        return (Message::Binary(bytes), None);
    }
    let piece = bytes.split_to(bytes.len().min(FRAGMENT));
    let opcode = OpCode::Data(if *continuing {
        Data::Continue
    } else {
        Data::Binary
    });
    let last = bytes.is_empty();
    *continuing = !last;
    let frame = Frame::message(piece, opcode, last);
    (Message::Frame(frame), (!last).then_some(bytes))
}

fn close_message(code: CloseCode) -> Message {
    Message::Close(Some(CloseFrame {
        code: code.code().into(),
        reason: code.reason().into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frames `bytes` goes out in: (whether a continuation, whether final, length).
    fn pieces(bytes: Bytes) -> Vec<(bool, bool, usize)> {
        let mut continuing = false;
        let mut next = Some(bytes);
        let mut out = Vec::new();
        while let Some(bytes) = next.take() {
            let (message, rest) = next_piece(bytes, &mut continuing);
            out.push(match message {
                Message::Binary(bytes) => (false, true, bytes.len()),
                Message::Frame(frame) => (
                    frame.header().opcode == OpCode::Data(Data::Continue),
                    frame.header().is_final,
                    frame.payload().len(),
                ),
                other => panic!("not a data frame: {other:?}"),
            });
            next = rest;
        }
        assert!(!continuing, "the message ended");
        out
    }

    #[test]
    fn long_messages_go_out_in_fragments_short_ones_whole() {
        assert_eq!(
            pieces(Bytes::from(vec![1; FRAGMENT])),
            [(false, true, FRAGMENT)]
        );
        assert_eq!(
            pieces(Bytes::from(vec![1; 2 * FRAGMENT + 5])),
            [
                (false, false, FRAGMENT),
                (true, false, FRAGMENT),
                (true, true, 5)
            ]
        );
        assert_eq!(
            pieces(Bytes::from(vec![1; 2 * FRAGMENT])),
            [(false, false, FRAGMENT), (true, true, FRAGMENT)]
        );
    }
}
