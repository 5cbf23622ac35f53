//! Presence through `Room`: relayed to everyone, told to joiners, removed when a connection
//! leaves, viewers included, and kept small and honest (no oversized states, no speaking for
//! another connection's client id, a few ids per connection at most).

use yrs::block::ClientID;
use yrs::sync::{Awareness, Message};
use yrs::updates::encoder::Encode;

use super::tests::{accepted, client};
use super::*;
use crate::Role;

fn presence(id: u64, json: &str) -> Vec<u8> {
    let mut awareness = Awareness::with_clock(crate::new_doc(id), || 0);
    awareness.set_local_state_raw(json);
    let update = awareness.update_with_clients([ClientID::new(id)]).unwrap();
    Message::Awareness(update).encode_v1()
}

fn relayed_clients(effects: &Effects, frame: &[u8]) -> Vec<u64> {
    let Some(out) = effects.out.first() else {
        return Vec::new();
    };
    assert_eq!(out.to, Audience::Everyone);
    let bytes = out.payload.bytes().unwrap_or(frame).to_vec();
    let Message::Awareness(update) = &decode_frame(&bytes).unwrap()[0] else {
        panic!("expected awareness")
    };
    let mut ids: Vec<u64> = update.clients.keys().map(|c| c.get()).collect();
    ids.sort();
    ids
}

#[test]
fn a_viewer_is_present_and_leaves_with_a_removal_for_the_others() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Viewer);
    let frame = presence(20, r#"{"user":{"name":"访客"},"cursor":null}"#);
    let effects = accepted(room.receive(2, &frame));
    assert_eq!(relayed_clients(&effects, &frame), vec![20]);
    // A joiner is told, and its client shows the viewer.
    let greeting = room.connect(3, Role::Editor);
    let mut joiner = client(30);
    for frame in &greeting {
        joiner.receive(frame).unwrap();
    }
    let known = joiner.awareness().iter().filter(|(_, s)| s.data.is_some());
    assert_eq!(known.count(), 1);
    // When the viewer leaves, everyone remaining hears the removal and forgets it.
    let bye = room.disconnect(2).expect("removal");
    let (_, events) = joiner.receive(&bye).unwrap();
    assert_eq!(events, vec![ClientEvent::AwarenessChanged]);
    let known = joiner.awareness().iter().filter(|(_, s)| s.data.is_some());
    assert_eq!(known.count(), 0);
    assert!(room.disconnect(2).is_none(), "only once");
}

#[test]
fn oversized_states_are_neither_kept_nor_relayed() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let name = "x".repeat(MAX_PRESENCE_BYTES);
    let frame = presence(10, &format!(r#"{{"user":{{"name":"{name}"}}}}"#));
    let effects = accepted(room.receive(1, &frame));
    assert!(effects.out.is_empty());
    assert_eq!(room.connect(2, Role::Editor).len(), 1, "no states to tell");
    assert!(room.disconnect(1).is_none());
}

#[test]
fn a_connection_may_not_speak_for_another_or_announce_many() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Editor);
    accepted(room.receive(1, &presence(10, r#"{"user":{"name":"a"}}"#)));
    // Connection 2 tries to rename connection 1's client, then to remove it.
    let mut spoof = Awareness::with_clock(crate::new_doc(10), || 0);
    spoof.set_local_state_raw(r#"{"user":{"name":"evil"}}"#);
    spoof.set_local_state_raw(r#"{"user":{"name":"evil"}}"#);
    let update = spoof.update_with_clients([ClientID::new(10)]).unwrap();
    let effects = accepted(room.receive(2, &Message::Awareness(update).encode_v1()));
    assert!(effects.out.is_empty());
    assert!(room.disconnect(2).is_none());
    // One connection announcing many client ids keeps only the first few.
    room.connect(3, Role::Editor);
    let mut many = yrs::sync::AwarenessUpdate {
        clients: Default::default(),
    };
    for id in 100..110u64 {
        many.clients.insert(
            ClientID::new(id),
            yrs::sync::awareness::AwarenessUpdateEntry {
                clock: 1,
                json: r#"{"user":{"name":"m"}}"#.into(),
            },
        );
    }
    let frame = Message::Awareness(many).encode_v1();
    let effects = accepted(room.receive(3, &frame));
    assert_eq!(
        relayed_clients(&effects, &frame).len(),
        MAX_PRESENCE_CLIENTS
    );
}

#[test]
fn a_client_forgets_the_others_when_its_connection_closes() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    let mut a = client(10);
    let frame = presence(20, r#"{"user":{"name":"b"}}"#);
    a.receive(&frame).unwrap();
    assert_eq!(a.others_presence().len(), 1);
    for frame in a.hello() {
        accepted(room.receive(1, &frame));
    }
    assert!(a.set_presence(r#"{"user":{"name":"a"}}"#).is_some());
    a.disconnected();
    assert!(a.others_presence().is_empty());
    assert!(
        a.set_presence(r#"{"user":{"name":"a2"}}"#).is_none(),
        "offline"
    );
    // Our own state stays, and goes out with the next hello.
    assert_eq!(a.hello().len(), 2);
}

#[test]
fn the_authors_of_a_version_are_those_who_changed_the_document_by_their_presence_names() {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Editor);
    room.connect(3, Role::Editor);
    assert!(!room.changed_since_version());
    // Connection 1 writes before its presence arrives; 2 only announces itself; 3 writes and
    // has no name.
    accepted(room.receive(1, &edit(11, "Hello")));
    accepted(room.receive(
        1,
        &presence(11, r#"{"user":{"name":"李老师"},"cursor":null}"#),
    ));
    accepted(room.receive(
        2,
        &presence(12, r#"{"user":{"name":"Reader"},"cursor":null}"#),
    ));
    accepted(room.receive(3, &edit(13, "Hi")));
    assert!(room.changed_since_version());
    // Connection 1 has left by the time the version is taken: it is still an author.
    room.disconnect(1);
    assert_eq!(
        room.take_authors(),
        vec!["".to_owned(), "李老师".to_owned()]
    );
    assert!(!room.changed_since_version());
    assert!(room.take_authors().is_empty(), "the list starts again");
}

/// An update frame inserting `text` into a document of its own client id.
fn edit(id: u64, text: &str) -> Vec<u8> {
    use yrs::{Text, Transact};
    let doc = crate::new_doc(id);
    let t = doc.get_or_insert_text("t");
    let update = {
        let mut txn = doc.transact_mut();
        t.insert(&mut txn, 0, text);
        txn.encode_update_v1()
    };
    Message::Sync(yrs::sync::SyncMessage::Update(update)).encode_v1()
}

/// The server's removal of a closed connection's presence counts as a newer state of it; the
/// same person connecting again (a dropped network, a page shown again on Back) must be seen
/// by the others at once, not after their next move.
#[test]
fn someone_who_connects_again_is_present_again_for_the_others() {
    let (mut room, _) = Room::load([], || 0);
    let mut a = client(10);
    let mut b = client(20);
    room.connect(2, Role::Editor);
    for frame in b.hello() {
        accepted(room.receive(2, &frame));
    }
    let seen_by_b = |frames: Vec<Vec<u8>>, b: &mut ClientSync| {
        for frame in frames {
            b.receive(&frame).unwrap();
        }
        b.others_presence().len()
    };
    let join = |room: &mut Room, a: &mut ClientSync| -> Vec<Vec<u8>> {
        room.connect(1, Role::Editor);
        let mut relayed = Vec::new();
        for frame in a.hello() {
            let effects = accepted(room.receive(1, &frame));
            relayed.extend(
                effects
                    .out
                    .iter()
                    .map(|out| out.payload.bytes().unwrap_or(&frame).to_vec()),
            );
        }
        relayed
    };
    a.set_presence(r#"{"user":{"name":"a"}}"#);
    let relayed = join(&mut room, &mut a);
    assert_eq!(seen_by_b(relayed, &mut b), 1);
    // A's connection closes: B hears the removal.
    let bye = room.disconnect(1).expect("removal");
    a.disconnected();
    assert_eq!(seen_by_b(vec![bye], &mut b), 0);
    // A connects again with the same state: B sees A again.
    let relayed = join(&mut room, &mut a);
    assert_eq!(seen_by_b(relayed, &mut b), 1, "present again");
    // And so does someone who joins later.
    let mut joiner = client(30);
    for frame in room.connect(3, Role::Editor) {
        joiner.receive(&frame).unwrap();
    }
    assert_eq!(joiner.others_presence().len(), 1);
}
