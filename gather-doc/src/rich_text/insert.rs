//! Putting content from elsewhere (a paste, a dropped or imported Markdown file) into the
//! document at the caret: text with its marks goes into the caret's block; blocks go after
//! it, splitting it. Everything is normalised for Tiptap's schema first, so nothing a paste
//! carries can make y-prosemirror drop content.

use yrs::types::Attrs;
use yrs::{Text, TransactionMut, XmlFragmentRef};

use super::edit::{insert_block, text_block};
use super::inline::{append_inlines, block_len, delete_inline, take_inlines, text_slot};
use super::outline::{outline, same};
use super::read::{utf16_len, BlockKind};
use super::schema::normalize;
use super::tree::{write_element, Node};
use super::{insert_hard_break, Pos};

/// Inserts `nodes` at `pos` and returns the caret after them. One paragraph's worth of
/// content goes inline (as text typed there would); anything else goes in as blocks after the
/// caret's block, which is split at the caret (an empty paragraph is replaced). Into a code
/// block everything goes as plain text.
pub fn insert_nodes(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    nodes: Vec<Node>,
) -> Pos {
    let nodes = normalize(nodes);
    if nodes.is_empty() {
        return pos;
    }
    let Some((index, entry)) = text_block(txn, body, pos.block) else {
        return pos;
    };
    let offset = pos.offset.min(block_len(txn, &entry.el));
    let here = Pos::new(index, offset);
    if matches!(entry.kind, BlockKind::CodeBlock { .. }) {
        let text: Vec<String> = nodes.iter().map(Node::plain_text).collect();
        return super::insert_text(txn, body, here, &text.join("\n"), Default::default());
    }
    if let [Node::Element { tag, children, .. }] = nodes.as_slice() {
        if tag == "paragraph" {
            return insert_inline(txn, body, here, children);
        }
    }
    // Blocks: split the caret's block, then put the nodes between the halves.
    let len = block_len(txn, &entry.el);
    let first_of_item = entry.index == 0 && super::edit::direct_item(&entry).is_some();
    let mut at = entry.index + 1;
    if len == 0 && !first_of_item {
        entry.parent.remove(txn, entry.index, 1);
        at = entry.index;
    } else if offset < len {
        let tail = take_inlines(txn, &entry.el, offset);
        delete_inline(txn, &entry.el, offset, len);
        let rest = insert_block(txn, &entry.parent, entry.index + 1, &entry.kind);
        append_inlines(txn, &rest, tail);
    }
    let mut last = None;
    for node in &nodes {
        if let Some(el) = write_element(txn, &entry.parent, at, node) {
            last = Some(el);
            at += 1;
        }
    }
    // The caret goes to the end of the last block inserted.
    let entries = outline(txn, body);
    let Some(last) = last else {
        return here;
    };
    entries
        .iter()
        .rposition(|e| same(&e.el, &last) || e.ancestors.iter().any(|a| same(&a.el, &last)))
        .map(|i| {
            let e = &entries[i];
            let len = if e.kind.is_editable() {
                block_len(txn, &e.el)
            } else {
                0
            };
            Pos::new(i as u32, len)
        })
        .unwrap_or(here)
}

/// A paragraph's content at the caret: text with its marks, and hard breaks.
fn insert_inline(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    children: &[Node],
) -> Pos {
    let mut caret = pos;
    for child in children {
        match child {
            Node::Text { text, marks } => {
                let Some((_, entry)) = text_block(txn, body, caret.block) else {
                    return caret;
                };
                let attrs: Attrs = marks
                    .iter()
                    .map(|(k, v)| (k.as_str().into(), v.clone()))
                    .collect();
                let (t, local) = text_slot(txn, &entry.el, caret.offset);
                t.insert_with_attributes(txn, local, text, attrs);
                caret.offset += utf16_len(text);
            }
            Node::Element { tag, .. } if tag == "hardBreak" => {
                caret = insert_hard_break(txn, body, caret);
            }
            Node::Element { .. } => {}
        }
    }
    caret
}
