//! Native tests of the sans-IO protocol: a room and clients exchanging frames in memory.

use std::sync::Arc;

use yrs::sync::{Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, StateVector, Transact};

use super::*;
use crate::rich_text::{self, Marks, Pos};
use crate::{CloseCode, Role};

pub(super) fn client(id: u64) -> ClientSync {
    ClientSync::new(crate::new_doc(id), || 0)
}

pub(super) fn typed_update(client: &ClientSync, text: &str) -> Vec<u8> {
    let doc = client.doc();
    let body = rich_text::body(doc);
    let before = doc.transact().state_vector();
    {
        let mut txn = doc.transact_mut();
        rich_text::insert_text(&mut txn, &body, Pos::new(0, 0), text, Marks::default());
    }
    let update = doc.transact().encode_state_as_update_v1(&before);
    encode_update(update)
}

pub(super) fn accepted(effects: Effects) -> Effects {
    assert!(effects.error.is_none(), "refused: {:?}", effects.error);
    effects
}

pub(super) fn text_of(doc: &yrs::Doc) -> String {
    let body = rich_text::body(doc);
    let txn = doc.transact();
    rich_text::read_blocks(&txn, &body)
        .first()
        .map(|b| b.text())
        .unwrap_or_default()
}

#[test]
fn an_update_is_stored_then_relayed_unchanged_to_the_others() {
    let (mut room, skipped) = Room::load([], || 0);
    assert_eq!(skipped, 0);
    let greeting = room.connect(1, Role::Editor);
    assert!(matches!(
        decode_frame(&greeting[0]).unwrap()[0],
        Message::Sync(SyncMessage::SyncStep1(_))
    ));
    room.connect(2, Role::Editor);
    let a = client(10);
    let frame = typed_update(&a, "体温 36.5");
    let effects = accepted(room.receive(1, &frame));
    assert_eq!(effects.store.len(), 1);
    assert_eq!(
        effects.out,
        vec![Outgoing {
            to: Audience::Others,
            payload: Payload::IncomingFrame
        }]
    );
    assert_eq!(text_of(room.doc()), "体温 36.5");
}

#[test]
fn a_late_joiner_catches_up_through_step_one_and_two() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let a = client(10);
    accepted(room.receive(1, &typed_update(&a, "hello")));

    let mut b = client(20);
    let greeting = room.connect(2, Role::Editor);
    // B answers the server's step 1 (it has nothing new: an empty update, not stored).
    let (replies, _) = b.receive(&greeting[0]).unwrap();
    let effects = accepted(room.receive(2, &replies[0]));
    assert!(effects.store.is_empty());
    // B's own step 1 gets the server's step 2 with everything.
    let hello = b.hello();
    let effects = accepted(room.receive(2, &hello[0]));
    let step2 = effects.out[0].payload.bytes().expect("expected step 2");
    assert_eq!(effects.out[0].to, Audience::Sender);
    let (_, events) = b.receive(step2).unwrap();
    assert_eq!(events, vec![ClientEvent::Synced]);
    assert_eq!(text_of(b.doc()), "hello");
}

#[test]
fn joiners_with_nothing_share_one_copy_of_the_document_until_it_changes() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let a = client(10);
    accepted(room.receive(1, &typed_update(&a, "hello")));
    let has_nothing = Message::Sync(SyncMessage::SyncStep1(StateVector::default())).encode_v1();
    room.connect(2, Role::Editor);
    room.connect(3, Role::Editor);
    let first = accepted(room.receive(2, &has_nothing))
        .out
        .remove(0)
        .payload;
    let second = accepted(room.receive(3, &has_nothing))
        .out
        .remove(0)
        .payload;
    let (Payload::Shared(first), Payload::Shared(second)) = (&first, &second) else {
        panic!("the whole document is sent shared")
    };
    assert!(Arc::ptr_eq(first, second), "one encoding for both joiners");
    // An edit while they still hold it: the next joiner gets the document with the edit.
    accepted(room.receive(1, &typed_update(&a, "well, ")));
    room.connect(4, Role::Editor);
    let third = accepted(room.receive(4, &has_nothing))
        .out
        .remove(0)
        .payload;
    let mut c = client(30);
    c.receive(third.bytes().unwrap()).unwrap();
    assert_eq!(text_of(c.doc()), "well, hello");
}

#[test]
fn presence_goes_to_everyone_and_is_removed_when_the_sender_leaves() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Editor);
    let mut a = client(10);
    a.awareness_mut()
        .set_local_state_raw(r#"{"user":{"name":"王老师"}}"#);
    let effects = accepted(room.receive(1, &a.presence_frame().unwrap()));
    assert_eq!(effects.out[0].to, Audience::Everyone);
    assert!(effects.store.is_empty());
    // A newcomer is told who is here.
    assert_eq!(room.connect(3, Role::Editor).len(), 2);
    let bye = room.disconnect(1).expect("removal broadcast");
    let Message::Awareness(update) = &decode_frame(&bye).unwrap()[0] else {
        panic!("expected awareness")
    };
    let entry = &update.clients[&yrs::block::ClientID::new(10)];
    assert_eq!(&*entry.json, "null");
}

#[test]
fn bad_frames_are_refused_with_our_codes_and_harm_nothing() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let a = client(10);
    accepted(room.receive(1, &typed_update(&a, "keep")));
    let bad: [(&[u8], CloseCode); 5] = [
        (&[], CloseCode::MalformedMessage),
        (&[0xff, 0xff, 0xff], CloseCode::MalformedMessage),
        (&[0, 2, 100, 1, 2], CloseCode::MalformedMessage),
        (&[0, 2, 4, 9, 9, 9, 9], CloseCode::MalformedMessage),
        (&[42, 0], CloseCode::UnsupportedMessage),
    ];
    for (frame, code) in bad {
        let error = room.receive(1, frame).error.expect("refused");
        assert_eq!(error.close_code(), code, "{frame:?}: {error}");
    }
    assert_eq!(text_of(room.doc()), "keep");
}

#[test]
fn several_messages_in_one_frame_are_all_handled() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let a = client(10);
    let mut frame = typed_update(&a, "x");
    frame.extend(Message::Sync(SyncMessage::SyncStep1(StateVector::default())).encode_v1());
    let effects = accepted(room.receive(1, &frame));
    assert_eq!(effects.store.len(), 1);
    assert_eq!(effects.out.len(), 2);
    // Relayed re-encoded, since the frame holds more than the update.
    assert!(matches!(effects.out[0].payload, Payload::Bytes(_)));
}

#[test]
fn loading_skips_damaged_rows_and_keeps_the_rest() {
    let a = client(10);
    let frame = typed_update(&a, "saved");
    let Message::Sync(SyncMessage::Update(update)) = decode_frame(&frame).unwrap().remove(0) else {
        panic!()
    };
    let rows: Vec<&[u8]> = vec![&[1, 2, 3], &update];
    let (room, skipped) = Room::load(rows, || 0);
    assert_eq!(skipped, 1);
    assert_eq!(text_of(room.doc()), "saved");
    // A snapshot reloads to the same content.
    let snapshot = room.snapshot();
    let (again, _) = Room::load([snapshot.as_slice()], || 0);
    assert_eq!(text_of(again.doc()), "saved");
}

#[test]
fn declared_lengths_cannot_make_the_decoder_reserve_memory() {
    // An awareness message declaring about two billion clients in six bytes; yrs alone would
    // reserve hundreds of megabytes before failing.
    let bombs: [&[u8]; 4] = [
        &[0x01, 0x04, 0xFF, 0xFF, 0xFF, 0x7A],
        // A state vector declaring 2^35 entries.
        &[0x00, 0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        // An update declaring 2^28 clients.
        &[0x00, 0x02, 0x04, 0xFF, 0xFF, 0xFF, 0x7F],
        // An update whose first client declares 2^28 blocks.
        &[0x00, 0x02, 0x05, 0x01, 0xFF, 0xFF, 0xFF, 0x7F],
    ];
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    for bomb in bombs {
        assert!(super::guard::check_frame(bomb).is_err(), "{bomb:02x?}");
        let error = room.receive(1, bomb).error.expect("refused");
        assert_eq!(
            error.close_code(),
            CloseCode::MalformedMessage,
            "{bomb:02x?}"
        );
    }
}

/// Arbitrary bytes and mutated valid frames never panic the room, and whatever it accepts
/// leaves it able to serve the next client.
#[test]
fn arbitrary_and_mutated_frames_never_panic() {
    let a = client(10);
    let valid = typed_update(&a, "种子 seed");
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut room, _) = Room::load([], || 0);
    for round in 0..20_000 {
        room.connect(round, Role::Editor);
        let frame: Vec<u8> = if round % 2 == 0 {
            let len = (next() % 64) as usize;
            (0..len).map(|_| next() as u8).collect()
        } else {
            let mut f = valid.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % f.len();
                f[i] = next() as u8;
            }
            f
        };
        match room.receive(round, &frame).error {
            None => {}
            Some(ProtocolError::Poisoned) => {
                // Rebuild as the server does.
                room = Room::load([], || 0).0;
            }
            Some(_) => {
                room.disconnect(round);
            }
        }
    }
    let mut late = client(99);
    let greeting = room.connect(u64::MAX, Role::Editor);
    late.receive(&greeting[0]).unwrap();
}

#[test]
fn updates_before_a_refused_message_in_the_same_frame_are_kept() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let a = client(10);
    let mut frame = typed_update(&a, "kept");
    // A sync update that frames correctly but whose content yrs refuses follows the good one.
    frame.extend([0, 2, 7, 1, 1, 5, 0, 0, 0, 0]);
    let effects = room.receive(1, &frame);
    assert!(effects.error.is_some());
    assert_eq!(
        effects.store.len(),
        1,
        "the applied update must still be stored"
    );
    assert_eq!(effects.out.len(), 1, "and relayed");
    assert_eq!(text_of(room.doc()), "kept");
}

#[test]
fn a_frame_may_not_ask_for_many_full_document_replies() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let step1 = Message::Sync(SyncMessage::SyncStep1(StateVector::default())).encode_v1();
    let effects = room.receive(1, &step1.repeat(2));
    assert_eq!(
        effects.error.map(|e| e.close_code()),
        Some(CloseCode::MalformedMessage)
    );
    assert!(effects.out.is_empty());
    let effects = room.receive(1, &[3u8].repeat(MAX_MESSAGES_PER_FRAME + 1));
    assert!(effects.error.is_some());
}

/// An update whose predecessor has not arrived yet waits in the document; a snapshot (what
/// compaction stores) must keep it, or compacting would lose it.
#[test]
fn a_snapshot_keeps_updates_still_waiting_for_their_predecessors() {
    let a = client(10);
    let first = typed_update(&a, "one ");
    let second = typed_update(&a, "two ");
    let payload = |frame: &[u8]| match decode_frame(frame).unwrap().remove(0) {
        Message::Sync(SyncMessage::Update(u)) => u,
        _ => panic!(),
    };
    let (room, _) = Room::load([payload(&second).as_slice()], || 0);
    assert!(room.has_pending());
    let snapshot = room.snapshot();
    let (mut again, _) = Room::load([snapshot.as_slice()], || 0);
    assert!(again.has_pending());
    again.connect(1, Role::Editor);
    accepted(again.receive(1, &first));
    assert!(!again.has_pending());
    assert_eq!(text_of(again.doc()), "two one ");
}

#[test]
fn a_viewer_reads_and_is_present_but_its_edits_are_refused_and_never_stored() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let editor = client(10);
    accepted(room.receive(1, &typed_update(&editor, "名单")));
    let mut viewer = client(20);
    let greeting = room.connect(2, Role::Viewer);
    assert!(!greeting.is_empty(), "a viewer hears the server's step 1");
    // The viewer asks for the document and gets it.
    let effects = accepted(room.receive(2, &viewer.hello()[0]));
    let step2 = effects.out[0].payload.bytes().expect("expected a step 2");
    viewer.receive(step2).unwrap();
    assert_eq!(text_of(viewer.doc()), "名单");
    // Its edit is neither applied, stored nor relayed; it alone is told.
    let effects = accepted(room.receive(2, &typed_update(&viewer, "x")));
    assert!(effects.store.is_empty());
    assert_eq!(effects.out.len(), 1);
    assert_eq!(effects.out[0].to, Audience::Sender);
    let Payload::Bytes(denied) = &effects.out[0].payload else {
        panic!("expected a denial")
    };
    let (_, events) = viewer.receive(denied).unwrap();
    assert_eq!(events, vec![ClientEvent::EditsRefused]);
    assert_eq!(text_of(room.doc()), "名单");
    // Presence still flows.
    viewer
        .awareness_mut()
        .set_local_state_raw(r#"{"user":{"name":"viewer"}}"#);
    let presence = viewer.presence_frame().unwrap();
    let effects = accepted(room.receive(2, &presence));
    assert_eq!(effects.out[0].to, Audience::Everyone);
}

#[test]
fn a_respondent_hears_nothing_of_the_document_and_may_not_ask_for_it() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    accepted(room.receive(1, &typed_update(&client(10), "secret")));
    assert!(room.connect(2, Role::Respondent).is_empty());
    let effects = room.receive(2, &client(20).hello()[0]);
    assert!(effects.out.is_empty() && effects.store.is_empty());
    assert_eq!(
        effects.error.map(|e| e.close_code()),
        Some(CloseCode::RespondentOnly)
    );
}

#[test]
fn updates_past_the_size_limit_are_refused_and_the_document_is_unharmed() {
    let (mut room, _) = Room::load([], || 0);
    room.set_max_bytes(200);
    room.connect(1, Role::Editor);
    let a = client(10);
    accepted(room.receive(1, &typed_update(&a, "short")));
    let big = typed_update(&a, &"x".repeat(500));
    let effects = room.receive(1, &big);
    assert!(effects.store.is_empty() && effects.out.is_empty());
    assert_eq!(
        effects.error.map(|e| e.close_code()),
        Some(CloseCode::DocumentTooLarge)
    );
    assert_eq!(text_of(room.doc()), "short");
}
