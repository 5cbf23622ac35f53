//! Tests of the nesting limit: deep nesting is refused whether it comes in one frame, over many
//! frames, through pending blocks or from storage, and ordinary documents are not affected.

use yrs::types::xml::XmlFragment;
use yrs::updates::decoder::Decode;
use yrs::{
    Array, ArrayPrelim, ArrayRef, Map, MapPrelim, MapRef, ReadTxn, StateVector, Transact,
    TransactionMut, XmlElementPrelim, XmlElementRef, XmlTextPrelim,
};

use super::*;
use crate::rich_text::{self, BlockKind, Marks, Pos};
use crate::{CloseCode, Role};

/// A client's document and what it has sent so far.
struct Writer {
    doc: yrs::Doc,
    sent: StateVector,
}

impl Writer {
    fn new(client: u64) -> Writer {
        Writer {
            doc: crate::new_doc(client),
            sent: StateVector::default(),
        }
    }

    /// Runs `change` in one transaction and returns the update frame it made.
    fn frame(&mut self, change: impl FnOnce(&mut TransactionMut)) -> Vec<u8> {
        change(&mut self.doc.transact_mut());
        let txn = self.doc.transact();
        let update = txn.encode_state_as_update_v1(&self.sent);
        self.sent = txn.state_vector();
        encode_update(update)
    }
}

fn room() -> Room {
    let (mut room, _) = Room::load([], || 0);
    room.connect(1, Role::Editor);
    room.connect(2, Role::Editor);
    room
}

fn accepted(room: &mut Room, frame: &[u8]) {
    let effects = room.receive(1, frame);
    assert!(effects.error.is_none(), "refused: {:?}", effects.error);
    assert_eq!(effects.store.len(), 1);
}

/// Asserts the room refused `frame` for its nesting: the sender is closed with 4001, nothing
/// is stored or relayed, and the room still takes a valid update.
fn refused_as_too_deep(room: &mut Room, frame: &[u8]) {
    let effects = room.receive(1, frame);
    assert!(
        matches!(
            effects.error,
            Some(ProtocolError::TooDeep { limit: MAX_NESTING })
        ),
        "not refused as too deep: {:?}",
        effects.error
    );
    assert_eq!(
        effects.error.unwrap().close_code(),
        CloseCode::RejectedUpdate
    );
    assert!(effects.store.is_empty() && effects.out.is_empty());
    room.disconnect(1);
    room.connect(1, Role::Editor);
    let mut other = Writer::new(99);
    let text = other.doc.get_or_insert_text("probe");
    let probe = other.frame(|t| yrs::Text::insert(&text, t, 0, "still here"));
    let effects = room.receive(2, &probe);
    assert!(effects.error.is_none(), "then refused {:?}", effects.error);
}

/// `levels` XML elements, each inside the one before, the outermost appended to `outer`.
fn nest(t: &mut TransactionMut, outer: &impl XmlFragment, levels: u32) -> XmlElementRef {
    let mut inner = outer.push_back(t, XmlElementPrelim::empty("blockquote"));
    for _ in 1..levels {
        inner = inner.push_back(t, XmlElementPrelim::empty("blockquote"));
    }
    inner
}

#[test]
fn one_frame_nesting_past_the_limit_is_refused() {
    let mut room = room();
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let frame = w.frame(|t| {
        nest(t, &body, MAX_NESTING + 1);
    });
    refused_as_too_deep(&mut room, &frame);
    let writer = yrs::block::ClientID::new(7);
    assert_eq!(room.doc().transact().state_vector().get(&writer), 0);
}

#[test]
fn one_frame_nesting_up_to_the_limit_is_accepted() {
    let mut room = room();
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let frame = w.frame(|t| {
        let inner = nest(t, &body, MAX_NESTING - 1);
        // Text is a shared type too: this one is at the limit; its letters are not types.
        let text = inner.push_back(t, XmlTextPrelim::new("deep"));
        yrs::Text::insert(&text, t, 4, "est");
    });
    accepted(&mut room, &frame);
}

#[test]
fn nesting_built_over_many_frames_is_refused_at_the_limit() {
    let mut room = room();
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let mut inner = None;
    for level in 1..=MAX_NESTING {
        let frame = w.frame(|t| {
            inner = Some(match &inner {
                None => nest(t, &body, 1),
                Some(outer) => nest(t, outer, 1),
            });
        });
        accepted(&mut room, &frame);
        assert!(level <= MAX_NESTING);
    }
    let frame = w.frame(|t| {
        nest(t, inner.as_ref().unwrap(), 1);
    });
    refused_as_too_deep(&mut room, &frame);
    // Text at the limit (inside the element above the deepest) is fine, and so is typing into
    // it: from a writer that has what the room has (the first one holds the refused element).
    let mut w = Writer::new(9);
    let update = room.snapshot();
    w.doc
        .transact_mut()
        .apply_update(yrs::Update::decode_v1(&update).unwrap())
        .unwrap();
    w.sent = w.doc.transact().state_vector();
    let body = rich_text::body(&w.doc);
    let mut limit_text = None;
    let frame = w.frame(|t| {
        let mut chain = Vec::new();
        let mut element = body.get(t, 0);
        while let Some(yrs::XmlOut::Element(outer)) = element {
            element = outer.get(t, 0);
            chain.push(outer);
        }
        assert_eq!(chain.len(), MAX_NESTING as usize);
        let text = chain[chain.len() - 2].push_back(t, XmlTextPrelim::new("at the limit"));
        yrs::Text::insert(&text, t, 0, "still ");
        limit_text = Some(text);
    });
    accepted(&mut room, &frame);
    // A type embedded in that text, between letters the room holds, is one too deep.
    let frame = w.frame(|t| {
        yrs::Text::insert_embed(limit_text.as_ref().unwrap(), t, 3, ArrayPrelim::default());
    });
    refused_as_too_deep(&mut room, &frame);
}

#[test]
fn maps_and_arrays_nested_past_the_limit_are_refused_too() {
    let mut room = room();
    let mut w = Writer::new(7);
    let root = w.doc.get_or_insert_array("list");
    let frame = w.frame(|t| {
        let mut array: ArrayRef = root.push_back(t, ArrayPrelim::default());
        for _ in 0..MAX_NESTING {
            let map: MapRef = array.push_back(t, MapPrelim::default());
            array = map.insert(t, "items", ArrayPrelim::default());
        }
    });
    refused_as_too_deep(&mut room, &frame);

    // Over frames: a map in a map, one a frame, each keyed next to what the key held before.
    let mut room = self::room();
    let mut w = Writer::new(8);
    let root = w.doc.get_or_insert_map("meta");
    let mut inner: Option<MapRef> = None;
    for level in 1..=MAX_NESTING + 1 {
        let frame = w.frame(|t| {
            let outer = inner.clone().unwrap_or_else(|| root.clone());
            outer.insert(t, "old", "a value first");
            inner = Some(outer.insert(t, "next", MapPrelim::default()));
        });
        if level <= MAX_NESTING {
            accepted(&mut room, &frame);
        } else {
            refused_as_too_deep(&mut room, &frame);
        }
    }
}

#[test]
fn ordinary_documents_are_accepted() {
    let mut room = room();
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let plain = Marks::default();
    let frame = w.frame(|t| {
        rich_text::insert_text(t, &body, Pos::new(0, 0), "Title", plain);
        rich_text::set_block_kind(t, &body, 0, &BlockKind::Heading(1));
        rich_text::split_block(t, &body, Pos::new(0, 5));
        rich_text::insert_text(t, &body, Pos::new(1, 0), "A paragraph.", plain);
    });
    accepted(&mut room, &frame);
    // A list nested ten deep (list > item > paragraph), in one frame, then typed into.
    let mut innermost = None;
    let frame = w.frame(|t| {
        let mut outer: XmlElementRef = body.push_back(t, XmlElementPrelim::empty("bulletList"));
        for level in 0..10 {
            let item: XmlElementRef = outer.push_back(t, XmlElementPrelim::empty("listItem"));
            let paragraph: XmlElementRef = item.push_back(t, XmlElementPrelim::empty("paragraph"));
            paragraph.push_back(t, XmlTextPrelim::new(format!("level {level}")));
            outer = item.push_back(t, XmlElementPrelim::empty("bulletList"));
        }
        innermost = Some(outer);
    });
    accepted(&mut room, &frame);
    for letter in ["a", "b", "c"] {
        let frame = w.frame(|t| {
            let item: XmlElementRef = innermost
                .as_ref()
                .unwrap()
                .push_back(t, XmlElementPrelim::empty("listItem"));
            let text = item.push_back(t, XmlTextPrelim::new(letter));
            yrs::Text::insert(&text, t, 1, "!");
        });
        accepted(&mut room, &frame);
    }
    let before = w.sent.clone();
    let frame = w.frame(|t| {
        rich_text::insert_text(t, &body, Pos::new(1, 2), " typed", plain);
    });
    accepted(&mut room, &frame);
    let txn = room.doc().transact();
    assert_eq!(txn.state_vector(), w.doc.transact().state_vector());
    assert_ne!(before, w.sent);
}

#[test]
fn nesting_completed_through_pending_blocks_is_refused() {
    // The second half arrives first and waits for the first; together they are too deep.
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let mut inner = None;
    let first = w.frame(|t| inner = Some(nest(t, &body, MAX_NESTING / 2 + 1)));
    let second = w.frame(|t| {
        nest(t, inner.as_ref().unwrap(), MAX_NESTING / 2);
    });
    let mut room = room();
    accepted(&mut room, &second);
    assert!(room.has_pending());
    refused_as_too_deep(&mut room, &first);
    assert!(room.has_pending());

    // Within the limit, the same order is fine.
    let mut w = Writer::new(8);
    let body = rich_text::body(&w.doc);
    let mut inner = None;
    let first = w.frame(|t| inner = Some(nest(t, &body, MAX_NESTING / 2)));
    let second = w.frame(|t| {
        nest(t, inner.as_ref().unwrap(), MAX_NESTING / 2);
    });
    let mut room = self::room();
    accepted(&mut room, &second);
    accepted(&mut room, &first);
    assert!(!room.has_pending());
}

#[test]
fn a_stored_update_nesting_too_deep_is_skipped_on_load() {
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let plain = Marks::default();
    let text = w.frame(|t| {
        rich_text::insert_text(t, &body, Pos::new(0, 0), "kept", plain);
    });
    let deep = w.frame(|t| {
        nest(t, &body, 500);
    });
    let remove = w.frame(|t| body.remove_range(t, 1, 1));
    let updates: Vec<Vec<u8>> = [text, deep, remove]
        .iter()
        .map(|frame| match decode_frame(frame).unwrap().remove(0) {
            yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(u)) => u,
            other => panic!("not an update: {other:?}"),
        })
        .collect();
    let (room, skipped) = Room::load(updates.iter().map(Vec::as_slice), || 0);
    // The deep update is skipped; the deletion of it then has nothing to delete.
    assert_eq!(skipped, 1);
    let body = rich_text::body(room.doc());
    let txn = room.doc().transact();
    assert_eq!(rich_text::read_blocks(&txn, &body)[0].text(), "kept");
}

#[test]
fn a_client_refuses_a_frame_nesting_too_deep_on_its_own() {
    let mut w = Writer::new(7);
    let body = rich_text::body(&w.doc);
    let frame = w.frame(|t| {
        nest(t, &body, MAX_NESTING + 1);
    });
    let mut client = ClientSync::new(crate::new_doc(3), || 0);
    assert!(matches!(
        client.receive(&frame),
        Err(ProtocolError::TooDeep { .. })
    ));
    let mut w = Writer::new(8);
    let body = rich_text::body(&w.doc);
    let frame = w.frame(|t| {
        nest(t, &body, MAX_NESTING);
    });
    client.receive(&frame).unwrap();
    let sv = client.doc().transact().state_vector();
    assert_eq!(sv.get(&yrs::block::ClientID::new(7)), 0);
    assert_eq!(sv.get(&yrs::block::ClientID::new(8)), MAX_NESTING);
}

#[test]
fn deleting_nesting_at_the_limit_takes_little_stack() {
    // A debug build, on a thread with an eighth of the usual 2 MiB of stack.
    let deleted = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let mut room = room();
            let mut w = Writer::new(7);
            let body = rich_text::body(&w.doc);
            let frame = w.frame(|t| {
                nest(t, &body, MAX_NESTING);
            });
            accepted(&mut room, &frame);
            let frame = w.frame(|t| body.remove_range(t, 0, 1));
            accepted(&mut room, &frame);
            let body = rich_text::body(room.doc());
            let len = body.len(&room.doc().transact());
            len
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(deleted, 0);
}
