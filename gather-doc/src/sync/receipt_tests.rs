//! Durable receipts between a room and clients in memory: who gets them, what they count, and
//! how a client keeps count of its unsaved edits across connections.

use yrs::sync::Message;
use yrs::updates::encoder::Encode;

use super::tests::{accepted, client, text_of, typed_update};
use super::*;
use crate::rich_text::{self, Marks, Pos};
use crate::{CloseCode, Role};

/// Makes a local edit in `client`'s document and hands it to [`ClientSync::local_edit`].
fn edit(client: &mut ClientSync, text: &str) -> Option<Vec<u8>> {
    let doc = client.doc().clone();
    let body = rich_text::body(&doc);
    let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(&doc));
    {
        let mut txn = yrs::Transact::transact_mut(&doc);
        rich_text::insert_text(&mut txn, &body, Pos::new(0, 0), text, Marks::default());
    }
    let update = yrs::ReadTxn::encode_state_as_update_v1(&yrs::Transact::transact(&doc), &before);
    client.local_edit(update)
}

/// Hands `frame` from `conn` to the room and everything the room sends back to the sender
/// (after "storing" what it must) to `client`, whose replies go round again. Returns the
/// client's events and the receipts it got.
fn exchange(room: &mut Room, conn: ConnId, client: &mut ClientSync, frame: &[u8]) -> Vec<u64> {
    let mut receipts = Vec::new();
    let mut to_room = vec![frame.to_vec()];
    while let Some(frame) = to_room.pop() {
        let effects = accepted(room.receive(conn, &frame));
        for out in effects.out {
            let bytes = match (out.to, out.payload) {
                (Audience::Others, _) => continue,
                (_, payload) => payload.bytes().unwrap_or(&frame).to_vec(),
            };
            if let [Message::Custom(MSG_RECEIPT, payload)] = &decode_frame(&bytes).unwrap()[..] {
                receipts.push(super::frames::decode_receipt(payload).unwrap());
            }
            let (replies, _) = client.receive(&bytes).unwrap();
            to_room.extend(replies);
        }
    }
    receipts
}

/// Connects `client` as `conn`: the room's greeting, then the client's hello.
fn join(room: &mut Room, conn: ConnId, role: Role, client: &mut ClientSync) -> Vec<u64> {
    let mut receipts = Vec::new();
    let greeting = room.connect(conn, role);
    for frame in client.hello() {
        receipts.extend(exchange(room, conn, client, &frame));
    }
    for greeting in greeting {
        let (replies, _) = client.receive(&greeting).unwrap();
        for reply in replies {
            receipts.extend(exchange(room, conn, client, &reply));
        }
    }
    receipts
}

#[test]
fn only_a_connection_that_asked_hears_receipts_and_only_after_its_updates() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Editor);
    // A plain y-websocket client never hears a message type it does not know.
    let plain = client(10);
    let effects = accepted(room.receive(1, &typed_update(&plain, "a")));
    assert!(effects.out.iter().all(|o| o.to == Audience::Others));
    // One that asked gets, for each frame with updates, the count so far, to itself alone.
    accepted(room.receive(2, &encode_receipts_please()));
    let writer = client(20);
    let effects = accepted(room.receive(2, &typed_update(&writer, "b")));
    assert_eq!(effects.store.len(), 1);
    assert!(effects.out.contains(&Outgoing {
        to: Audience::Sender,
        payload: Payload::Bytes(encode_receipt(1)),
    }));
    // An empty update counts too (nothing to store, so it is as durable as it gets).
    let effects = accepted(room.receive(2, &encode_update(vec![0, 0])));
    assert!(effects.store.is_empty());
    assert_eq!(
        effects.out,
        vec![Outgoing {
            to: Audience::Sender,
            payload: Payload::Bytes(encode_receipt(2)),
        }]
    );
    // Presence and state vectors are not updates: no receipt.
    let presence = Message::Awareness(writer.awareness().update().unwrap()).encode_v1();
    let effects = accepted(room.receive(2, &presence));
    assert!(effects.out.iter().all(|o| o.to == Audience::Everyone));
}

#[test]
fn a_viewer_asking_for_receipts_gets_none_for_refused_edits() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Viewer);
    accepted(room.receive(1, &encode_receipts_please()));
    let effects = accepted(room.receive(1, &typed_update(&client(10), "x")));
    assert!(effects.store.is_empty());
    assert!(!effects
        .out
        .iter()
        .any(|o| o.payload == Payload::Bytes(encode_receipt(1))));
}

#[test]
fn other_message_types_of_ours_or_unknown_are_still_refused() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    for frame in [
        encode_receipt(3),
        Message::Custom(7, vec![1, 2]).encode_v1(),
        // A piece is the server's to send, never a client's.
        Message::Custom(MSG_PIECE, vec![1, 0, 9]).encode_v1(),
        Message::Custom(104, Vec::new()).encode_v1(),
    ] {
        let effects = room.receive(1, &frame);
        assert_eq!(
            effects.error.map(|e| e.close_code()),
            Some(CloseCode::UnsupportedMessage),
            "{frame:?}"
        );
    }
    // A receipt must hold exactly one count.
    let mut long = encode_receipt(3);
    long[1] += 1;
    long.push(0);
    assert!(decode_frame(&long).is_err());
    assert!(decode_frame(&Message::Custom(MSG_RECEIPT, vec![]).encode_v1()).is_err());
}

#[test]
fn a_client_counts_its_unsaved_edits_across_connections() {
    let (mut room, _) = Room::load([], || 0);
    let mut me = client(10).with_receipts();
    // Edits made before the first connection wait in the document.
    assert_eq!(edit(&mut me, "a"), None);
    assert_eq!(edit(&mut me, "b"), None);
    assert_eq!(me.unsaved(), 2);
    // Connecting: our step 2 carries both, and its receipt settles both.
    let receipts = join(&mut room, 1, Role::Editor, &mut me);
    assert_eq!(receipts, vec![1]);
    assert_eq!(me.unsaved(), 0);
    assert_eq!(text_of(room.doc()), "ba");
    // Online, each edit is its own update message.
    let first = edit(&mut me, "c").unwrap();
    let second = edit(&mut me, "d").unwrap();
    assert_eq!(me.unsaved(), 2);
    assert_eq!(exchange(&mut room, 1, &mut me, &first), vec![2]);
    assert_eq!(me.unsaved(), 1, "the second edit is not durable yet");
    // The connection drops before the second edit arrived; one more edit is made offline.
    room.disconnect(1);
    me.disconnected();
    assert_eq!(edit(&mut me, "e"), None);
    assert_eq!(me.unsaved(), 2);
    drop(second);
    // A new connection counts from 1 again; its step 2 carries both.
    let receipts = join(&mut room, 2, Role::Editor, &mut me);
    assert_eq!(receipts, vec![1]);
    assert_eq!(me.unsaved(), 0);
    assert_eq!(text_of(room.doc()), "edcba");
}

#[test]
fn edits_kept_on_the_device_by_an_earlier_page_are_counted_until_the_step_two_is_durable() {
    let (mut room, _) = Room::load([], || 0);
    // An earlier page typed offline and closed; its document was kept on the device.
    let mut earlier = client(10).with_receipts();
    assert_eq!(edit(&mut earlier, "a"), None);
    assert_eq!(edit(&mut earlier, "b"), None);
    let kept = yrs::ReadTxn::encode_state_as_update_v1(
        &yrs::Transact::transact(earlier.doc()),
        &yrs::StateVector::default(),
    );
    // The new page loads it before connecting and counts what the earlier one had not saved.
    let mut me = client(11).with_receipts();
    {
        let update = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&kept).unwrap();
        yrs::Transact::transact_mut(me.doc())
            .apply_update(update)
            .unwrap();
    }
    me.kept_from_before(earlier.unsaved());
    assert_eq!(me.unsaved(), 2);
    let receipts = join(&mut room, 1, Role::Editor, &mut me);
    assert_eq!(receipts, vec![1]);
    assert_eq!(me.unsaved(), 0);
    assert_eq!(text_of(room.doc()), "ba");
    // Without receipts there is nothing to count.
    let mut plain = client(12);
    plain.kept_from_before(3);
    assert_eq!(plain.unsaved(), 0);
}

#[test]
fn an_edit_sent_before_the_servers_step_one_is_settled_by_its_own_receipt() {
    let (mut room, _) = Room::load([], || 0);
    let mut me = client(10).with_receipts();
    let greeting = room.connect(1, Role::Editor);
    for frame in me.hello() {
        exchange(&mut room, 1, &mut me, &frame);
    }
    // An edit goes out before the server's step 1 arrives: message 1.
    let early = edit(&mut me, "x").unwrap();
    assert_eq!(exchange(&mut room, 1, &mut me, &early), vec![1]);
    assert_eq!(me.unsaved(), 0);
    // The step 2 answering the server's step 1 is message 2, and settles nothing new.
    let mut receipts = Vec::new();
    for frame in greeting {
        let (replies, _) = me.receive(&frame).unwrap();
        for reply in replies {
            receipts.extend(exchange(&mut room, 1, &mut me, &reply));
        }
    }
    assert_eq!(receipts, vec![2]);
    assert_eq!(me.unsaved(), 0);
}

#[test]
fn a_rebuilt_room_carries_on_counting_where_the_old_one_stopped() {
    let (mut old, _) = Room::load([], || 0);
    old.connect(1, Role::Editor);
    accepted(old.receive(1, &encode_receipts_please()));
    accepted(old.receive(1, &typed_update(&client(10), "a")));
    assert_eq!(old.receipts_counted(1), Some(1));
    let (mut rebuilt, _) = Room::load([], || 0);
    rebuilt.connect(1, Role::Editor);
    rebuilt.resume_receipts(1, old.receipts_counted(1));
    let effects = accepted(rebuilt.receive(1, &typed_update(&client(11), "b")));
    assert!(effects.out.contains(&Outgoing {
        to: Audience::Sender,
        payload: Payload::Bytes(encode_receipt(2)),
    }));
    // A connection that never asked stays without receipts.
    rebuilt.connect(2, Role::Editor);
    rebuilt.resume_receipts(2, old.receipts_counted(2));
    assert_eq!(rebuilt.receipts_counted(2), None);
}

#[test]
fn a_hello_sent_for_the_client_greets_its_connection_only_if_it_is_the_clients_own() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    // The page's early start said hello for a client with an empty document (its hello asks
    // for receipts and pieces, as the app's does).
    let sent = client(9).with_receipts().with_pieces().hello_frame();
    for reply in accepted(room.receive(1, &sent)).out {
        assert_ne!(reply.to, Audience::Others);
    }
    // The app takes the connection over: its own hello would be the same, so its edits count
    // from message 1 and the server's receipts settle them.
    let mut me = client(10).with_receipts().with_pieces();
    assert!(me.hello_sent_for_us(&sent));
    let typed = edit(&mut me, "a").expect("the connection counts as greeted");
    assert_eq!(exchange(&mut room, 1, &mut me, &typed), vec![1]);
    assert_eq!(me.unsaved(), 0);
    assert_eq!(text_of(room.doc()), "a");
    // A client that already holds something (a copy kept on the device) would have said
    // something else: it refuses the connection and stays unconnected.
    let mut kept = client(11).with_receipts().with_pieces();
    assert_eq!(edit(&mut kept, "b"), None);
    assert!(!kept.hello_sent_for_us(&sent));
    assert_eq!(edit(&mut kept, "c"), None, "no connection to send on");
    assert_eq!(kept.unsaved(), 2);
    // Nor does a client that does not ask for pieces.
    assert!(!client(12).with_receipts().hello_sent_for_us(&sent));
}
