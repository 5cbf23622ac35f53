//! Tests of copying a selection: partial blocks keep their kind and marks, nested structure
//! comes along, and the plain text has a line per block.

use yrs::Transact;

use super::*;

fn doc_with(markdown: &str) -> yrs::Doc {
    let doc = crate::new_doc(7);
    let body = body(&doc);
    write_nodes(
        &mut doc.transact_mut(),
        &body,
        0,
        &markdown_to_nodes(markdown),
    );
    doc
}

#[test]
fn a_selection_across_blocks_keeps_their_structure() {
    let doc = doc_with("# 晨检 plan\n\nReport **by 9:30** daily.\n\n- masks\n- gloves\n\nEnd.");
    // From inside the heading ("plan") to inside the second item ("glo").
    let copied = copy(&doc, Pos::new(0, 3), Pos::new(3, 3));
    assert_eq!(copied.text, "plan\nReport by 9:30 daily.\nmasks\nglo");
    assert_eq!(
        nodes_to_markdown(&copied.nodes).trim(),
        "# plan\n\nReport **by 9:30** daily.\n\n- masks\n- glo"
    );
    let html = nodes_to_html(&copied.nodes);
    assert!(html.contains("<h1>plan</h1>"), "{html}");
    assert!(html.contains("<strong>by 9:30</strong>"), "{html}");
    // The document itself is untouched.
    let body = body(&doc);
    assert_eq!(read_blocks(&doc.transact(), &body).len(), 5);
}

#[test]
fn positions_in_either_order_and_past_the_end_are_clamped() {
    let doc = doc_with("one\n\ntwo");
    let copied = copy(&doc, Pos::new(9, 9), Pos::new(0, 1));
    assert_eq!(copied.text, "ne\ntwo");
    assert_eq!(copy(&doc, Pos::new(1, 1), Pos::new(1, 1)).text, "");
}
