//! Large sync step 2s in pieces: a client that asks gets the server's answer in ordered pieces
//! of at most [`PIECE_BYTES`] with its progress, deflated if it takes them so, and ends with
//! the whole document; one that does not ask (any Yjs client) gets one message as before;
//! pieces out of order, and deflated pieces that do not inflate, are refused.

use yrs::sync::Message;
use yrs::updates::encoder::Encode;

use super::tests::{accepted, client, text_of, typed_update};
use super::*;
use crate::Role;

/// A room holding about `bytes` of text, written by one client: a phrase repeated, or (if
/// `varied`) letters that deflate no smaller than to about two thirds.
fn big_room(bytes: usize, varied: bool) -> (Room, String) {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let writer = client(1);
    let text: String = if varied {
        let mut seed = 7u64;
        (0..bytes)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (b'a' + (seed >> 59) as u8 % 26) as char
            })
            .collect()
    } else {
        "健康打卡 health check-in. ".repeat(bytes / 30 + 1)
    };
    let update = typed_update(&writer, &text);
    accepted(room.receive(1, &update));
    (room, text)
}

/// Feeds the room's answers to the client's hello through `client`, returning its events.
fn join(room: &mut Room, conn: ConnId, client: &mut ClientSync) -> (usize, Vec<ClientEvent>) {
    room.connect(conn, Role::Viewer);
    let mut frames = 0;
    let mut events = Vec::new();
    for hello in client.hello() {
        for out in accepted(room.receive(conn, &hello)).out {
            assert_eq!(out.to, Audience::Sender);
            let frame = out
                .payload
                .bytes()
                .expect("a reply is never the incoming frame");
            frames += 1;
            let (_, more) = client.receive(frame).unwrap();
            events.extend(more);
        }
    }
    (frames, events)
}

/// `client` followed the download in pieces and holds the whole `text`.
fn arrived_in_pieces(client: &ClientSync, events: &[ClientEvent], text: &str) {
    assert!(events
        .iter()
        .any(|e| matches!(e, ClientEvent::Loading { .. })));
    assert_eq!(events.last(), Some(&ClientEvent::Synced));
    assert_eq!(text_of(client.doc()), text);
}

#[test]
fn a_hello_in_one_frame_gets_its_whole_answer_to_that_frame() {
    let (mut room, text) = big_room(300_000, false);
    let mut app = client(6).with_pieces().with_receipts();
    room.connect(6, Role::Editor);
    let hello = app.hello_frame();
    let mut events = Vec::new();
    for out in accepted(room.receive(6, &hello)).out {
        let frame = out
            .payload
            .bytes()
            .expect("a reply is never the incoming frame");
        events.extend(app.receive(frame).unwrap().1);
    }
    // Pieces were asked for and came, and the document is complete, all from the one frame.
    arrived_in_pieces(&app, &events, &text);
}

#[test]
fn a_client_that_asks_gets_a_large_step_2_in_pieces_with_progress() {
    let (mut room, text) = big_room(600_000, true);
    let mut reader = client(2).with_pieces();
    let (frames, events) = join(&mut room, 2, &mut reader);
    let loading: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Loading { received, total } => Some((*received, *total)),
            _ => None,
        })
        .collect();
    assert!(loading.len() >= 6, "{} pieces", loading.len());
    assert_eq!(frames, loading.len());
    let total = loading[0].1;
    assert!(loading.iter().all(|(_, t)| *t == total));
    assert!(loading
        .windows(2)
        .all(|w| w[1].0 - w[0].0 <= PIECE_BYTES as u64));
    assert_eq!(loading.last().unwrap().0, total);
    assert_eq!(events.last(), Some(&ClientEvent::Synced));
    assert_eq!(text_of(reader.doc()), text);

    // A plain client gets the same answer as one message.
    let mut plain = client(3);
    let (frames, events) = join(&mut room, 3, &mut plain);
    assert_eq!(frames, 1);
    assert_eq!(events, vec![ClientEvent::Synced]);
    assert_eq!(text_of(plain.doc()), text);

    // A small answer is never cut up.
    let (mut small, _) = Room::load([], || 0);
    let mut asker = client(4).with_pieces();
    let (frames, events) = join(&mut small, 4, &mut asker);
    assert_eq!((frames, events), (1, vec![ClientEvent::Synced]));
}

#[test]
fn pieces_out_of_order_or_past_their_total_are_refused() {
    let message = encode_update(vec![0; 200_000]);
    let pieces = split_into_pieces(&message, 50_000);
    assert_eq!(pieces.len(), 5);
    let mut c = client(5).with_pieces();
    c.hello();
    c.receive(&pieces[0]).unwrap();
    assert!(matches!(
        c.receive(&pieces[2]),
        Err(ProtocolError::Malformed(_))
    ));
    // A new message starts again at offset 0; a reconnection forgets a half-received one.
    c.receive(&pieces[0]).unwrap();
    c.disconnected();
    assert!(c.receive(&pieces[1]).is_err());
    let other = split_into_pieces(&encode_update(vec![0; 10]), 4);
    c.receive(&pieces[0]).unwrap();
    assert!(c.receive(&other[1]).is_err(), "a piece of another message");
}

/// The frames a room answers `conn`'s `hello` with.
fn answers(room: &mut Room, conn: ConnId, hello: &[Vec<u8>]) -> Vec<Vec<u8>> {
    room.connect(conn, Role::Viewer);
    let mut frames = Vec::new();
    for frame in hello {
        for out in accepted(room.receive(conn, frame)).out {
            let frame = out
                .payload
                .bytes()
                .expect("a reply is never the incoming frame");
            frames.push(frame.to_vec());
        }
    }
    frames
}

#[test]
fn a_client_that_takes_them_deflated_downloads_a_fraction_and_gets_the_same_document() {
    let (mut room, text) = big_room(600_000, false);
    let step1 = encode_step1(yrs::StateVector::default());
    let plain_pieces = Message::Custom(MSG_PIECES_PLEASE, Vec::new()).encode_v1();
    let bytes = |frames: &[Vec<u8>]| frames.iter().map(Vec::len).sum::<usize>();
    // Asking for pieces without the welcome: plain pieces, as before.
    let plain = answers(&mut room, 2, &[plain_pieces, step1.clone()]);
    assert!(plain.iter().all(|f| f[0] == MSG_PIECE), "plain pieces only");
    // The app's hello takes them deflated: a small fraction of the bytes.
    let deflated = answers(&mut room, 3, &[encode_pieces_please(), step1]);
    assert!(deflated.iter().all(|f| f[0] == MSG_DEFLATED_PIECE));
    assert!(
        bytes(&deflated) * 10 < bytes(&plain),
        "{} of {}",
        bytes(&deflated),
        bytes(&plain)
    );
    // And they make the same document, with progress, for the app's client.
    let mut app = client(4).with_pieces();
    app.hello();
    let mut events = Vec::new();
    for frame in &deflated {
        events.extend(app.receive(frame).unwrap().1);
    }
    arrived_in_pieces(&app, &events, &text);
}

#[test]
fn deflated_pieces_that_do_not_inflate_are_refused() {
    let garbage: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let mut frames = split_into_pieces(&garbage, 40_000);
    for frame in &mut frames {
        frame[0] = MSG_DEFLATED_PIECE;
    }
    let mut c = client(5).with_pieces();
    c.hello();
    c.receive(&frames[0]).unwrap();
    c.receive(&frames[1]).unwrap();
    assert!(matches!(
        c.receive(&frames[2]),
        Err(ProtocolError::Malformed(_))
    ));
    assert_eq!(text_of(c.doc()), "");
}
