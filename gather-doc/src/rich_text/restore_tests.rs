//! Tests of restoring a version: the body ends equal to the version, only differing children
//! change, and a collaborator's concurrent typing in an untouched paragraph survives.

use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update, XmlFragment};

use super::*;

fn doc_with(markdown: &str, client: u64) -> yrs::Doc {
    let doc = crate::new_doc(client);
    let body = body(&doc);
    let nodes = markdown_to_nodes(markdown);
    write_nodes(&mut doc.transact_mut(), &body, 0, &nodes);
    doc
}

fn children(doc: &yrs::Doc) -> Vec<Vec<Node>> {
    let body = body(doc);
    let txn = doc.transact();
    read_children(&txn, &body)
}

fn restore_into(doc: &yrs::Doc, version: &[Vec<Node>]) -> Restored {
    let body = body(doc);
    let mut txn = doc.transact_mut();
    restore(&mut txn, &body, version)
}

fn sync(from: &yrs::Doc, to: &yrs::Doc) {
    let sv = to.transact().state_vector();
    let update = from.transact().encode_state_as_update_v1(&sv);
    to.transact_mut()
        .apply_update(Update::decode_v1(&update).unwrap())
        .unwrap();
}

fn markdown(doc: &yrs::Doc) -> String {
    let body = body(doc);
    let txn = doc.transact();
    nodes_to_markdown(&read_tree(&txn, &body))
}

#[test]
fn a_restored_body_equals_the_version_and_only_changed_blocks_are_rewritten() {
    let doc = doc_with(
        "# Plan\n\nFirst paragraph.\n\n- one\n- two\n\nMiddle **bold**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nLast.\n",
        1,
    );
    let version = children(&doc);
    // Later work: a paragraph edited, two blocks added, the list deleted.
    let body = body(&doc);
    {
        let mut txn = doc.transact_mut();
        insert_text(
            &mut txn,
            &body,
            Pos::new(1, 0),
            "Edited: ",
            Marks::default(),
        );
        let later = markdown_to_nodes("A new paragraph.\n\n- three\n");
        write_nodes(&mut txn, &body, 3, &later);
        body.remove_range(&mut txn, 2, 1);
    }
    assert_ne!(children(&doc), version);
    let restored = restore_into(&doc, &version);
    assert_eq!(children(&doc), version);
    assert_eq!(
        restored,
        Restored {
            removed: 3,
            written: 2
        },
        "the edited paragraph and the two added blocks go, the paragraph and the list come \
         back; the heading, the table and the rest are untouched"
    );
    // Restoring what is already there changes nothing.
    assert_eq!(restore_into(&doc, &version), Restored::default());
    assert_eq!(children(&doc), version);
}

#[test]
fn restoring_an_empty_version_empties_the_body_and_back() {
    let doc = doc_with("Some text.\n\n## A heading\n", 1);
    let full = children(&doc);
    restore_into(&doc, &[]);
    assert!(children(&doc).is_empty());
    restore_into(&doc, &full);
    assert_eq!(children(&doc), full);
}

#[test]
fn a_concurrent_edit_in_an_untouched_paragraph_survives_a_restore() {
    let alice = doc_with("Intro.\n\nShared notes.\n\nChecklist.\n", 1);
    let version = children(&alice);
    // Alice rewrites the intro after the version was taken; Bob has everything.
    let body_a = body(&alice);
    insert_text(
        &mut alice.transact_mut(),
        &body_a,
        Pos::new(0, 0),
        "Draft ",
        Marks::default(),
    );
    let bob = crate::new_doc(2);
    sync(&alice, &bob);
    // At the same moment: Alice restores the version, Bob types in the middle paragraph.
    restore_into(&alice, &version);
    let body_b = body(&bob);
    insert_text(
        &mut bob.transact_mut(),
        &body_b,
        Pos::new(1, 13),
        " (Bob was here)",
        Marks::default(),
    );
    sync(&alice, &bob);
    sync(&bob, &alice);
    assert_eq!(markdown(&alice), markdown(&bob));
    assert_eq!(
        markdown(&alice),
        "Intro.\n\nShared notes. (Bob was here)\n\nChecklist.\n"
    );
}

#[test]
fn a_downloaded_version_restores_as_one_change() {
    // The app restores from a version it downloaded: a whole-state update applied to a fresh
    // document, read, and written into the live one as one change.
    let live = doc_with("Now.\n", 1);
    let old = doc_with("Then.\n\nAnd more.\n", 3);
    let bytes = old
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let copy = crate::new_doc(4);
    copy.transact_mut()
        .apply_update(Update::decode_v1(&bytes).unwrap())
        .unwrap();
    let before = live.transact().state_vector();
    restore_into(&live, &children(&copy));
    assert_eq!(markdown(&live), "Then.\n\nAnd more.\n");
    let change = live.transact().encode_state_as_update_v1(&before);
    assert!(!change.is_empty());
}
