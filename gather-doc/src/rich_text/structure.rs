//! Operations on the document's structure: lists (wrap, unwrap, change kind, indent, outdent),
//! task items, quotes, rules and pictures. None of them changes the order of the blocks, so a
//! caret keeps its block index through them unless stated otherwise.

use yrs::types::xml::XmlOut;
use yrs::{Any, TransactionMut, Xml, XmlElementRef, XmlFragment, XmlFragmentRef};

use super::edit::{direct_item, text_block};
use super::nodes::{remove, snapshot, write, Snap, SnapChild};
use super::outline::{entry_at, outline, same, Anc, Container, Entry, Parent};
use super::read::BlockKind;
use super::Pos;

/// The three kinds of list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Bullet,
    Ordered,
    Task,
}

impl ListKind {
    pub fn list_tag(self) -> &'static str {
        match self {
            ListKind::Bullet => "bulletList",
            ListKind::Ordered => "orderedList",
            ListKind::Task => "taskList",
        }
    }

    pub fn item_tag(self) -> &'static str {
        match self {
            ListKind::Task => "taskItem",
            _ => "listItem",
        }
    }

    /// The kind of a list container.
    pub fn of(container: &Container) -> Option<ListKind> {
        match container {
            Container::BulletList => Some(ListKind::Bullet),
            Container::OrderedList { .. } => Some(ListKind::Ordered),
            Container::TaskList => Some(ListKind::Task),
            _ => None,
        }
    }

    fn new_item(self) -> Snap {
        let item = Snap::new(self.item_tag());
        if self == ListKind::Task {
            item.with_attr("checked", Any::Bool(false))
        } else {
            item
        }
    }
}

/// The list button: blocks `from..=to` become a list of `kind`; if the first is already in such
/// a list they leave it; if it is in another kind of list, that list changes kind.
pub fn toggle_list(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    from: u32,
    to: u32,
    kind: ListKind,
) {
    let entries = outline(txn, body);
    let Some(first) = entries.get(from as usize) else {
        return;
    };
    if let Some((depth, list)) = first.innermost(Container::is_list) {
        if ListKind::of(&list.container) == Some(kind) {
            let (from, to) = (from.min(to), from.max(to));
            for block in from..=to {
                // Outdenting keeps block indexes; each block goes up until it leaves lists.
                for _ in 0..depth + 2 {
                    let Some((_, entry)) = entry_at(txn, body, block) else {
                        break;
                    };
                    if entry.index != 0 || direct_item(&entry).is_none() {
                        break;
                    }
                    outdent(txn, body, block);
                }
            }
        } else {
            change_list_kind(txn, list, kind);
        }
        return;
    }
    let Some((parent, start, end)) = sibling_range(&entries, from, to) else {
        return;
    };
    let mut list = Snap::new(kind.list_tag());
    for i in start..=end {
        let Some(XmlOut::Element(el)) = parent.get(txn, i) else {
            continue;
        };
        let mut child = snapshot(txn, &el);
        let mut item = kind.new_item();
        match child.tag.as_str() {
            "paragraph" => {}
            "heading" => {
                child.tag = "paragraph".into();
                child.attrs.clear();
            }
            _ => item = item.child(Snap::paragraph()),
        }
        list = list.child(item.child(child));
    }
    write(txn, &parent, start, &list);
    parent.remove(txn, start + 1, end - start + 1);
    join_adjacent_lists(txn, &parent, start);
}

/// Tab in a list: the item holding block `block` goes inside the item before it. Returns whether
/// it moved (the first item of a list cannot).
pub fn indent(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> bool {
    let Some((_, entry)) = entry_at(txn, body, block) else {
        return false;
    };
    let Some((depth, item)) = entry.innermost(Container::is_item) else {
        return false;
    };
    let Some(list) = depth.checked_sub(1).map(|d| &entry.ancestors[d]) else {
        return false;
    };
    let list_el = Parent::Element(list.el.clone());
    let Some(at) = list_el.index_of(txn, &item.el) else {
        return false;
    };
    if at == 0 {
        return false;
    }
    let Some(XmlOut::Element(prev)) = list_el.get(txn, at - 1) else {
        return false;
    };
    let snap = snapshot(txn, &item.el);
    let last = prev.len(txn).checked_sub(1).and_then(|i| prev.get(txn, i));
    let target = match last {
        Some(XmlOut::Element(nested)) if nested.tag() == list.el.tag() => nested,
        _ => {
            let prev_parent = Parent::Element(prev.clone());
            let end = prev.len(txn);
            write(txn, &prev_parent, end, &Snap::new(list.el.tag()))
        }
    };
    let target = Parent::Element(target);
    let end = target.len(txn);
    write(txn, &target, end, &snap);
    list_el.remove(txn, at, 1);
    true
}

/// Shift+Tab in a list (and Enter in an empty item, Backspace at an item's start): the item
/// holding block `block` goes up a level, or out of the list at the top level. Items after it
/// stay after it (they become its sub-list, or a new list after it). Returns the caret at the
/// start of the block.
pub fn outdent(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let Some((index, entry)) = entry_at(txn, body, block) else {
        return Pos::default();
    };
    let caret = Pos::new(index, 0);
    let Some((depth, item)) = entry.innermost(Container::is_item) else {
        return caret;
    };
    let Some(list) = depth.checked_sub(1).map(|d| entry.ancestors[d].clone()) else {
        return caret;
    };
    let list_parent = Parent::Element(list.el.clone());
    let Some(at) = list_parent.index_of(txn, &item.el) else {
        return caret;
    };
    let count = list.el.len(txn);
    let mut snap = snapshot(txn, &item.el);
    let trailing: Vec<Snap> = (at + 1..count)
        .filter_map(|i| match list.el.get(txn, i) {
            Some(XmlOut::Element(e)) => Some(snapshot(txn, &e)),
            _ => None,
        })
        .collect();
    let outer_item = depth
        .checked_sub(2)
        .map(|d| &entry.ancestors[d])
        .filter(|a| a.container.is_item());
    match outer_item {
        Some(outer) => {
            // One level up: after the outer item, with the later items as its sub-list.
            if !trailing.is_empty() {
                let mut nested = Snap::new(list.el.tag());
                nested.children = trailing.into_iter().map(SnapChild::Element).collect();
                snap = snap.child(nested);
            }
            let outer_list = outer.parent.clone();
            let Some(outer_at) = outer_list.index_of(txn, &outer.el) else {
                return caret;
            };
            // A task item moving into a bullet list becomes a list item, and back.
            let task = matches!(outer.container, Container::TaskItem { .. });
            as_item(
                &mut snap,
                if task {
                    ListKind::Task
                } else {
                    ListKind::Bullet
                },
            );
            write(txn, &outer_list, outer_at + 1, &snap);
        }
        None => {
            // Out of the list: the item's blocks, then the later items as a new list.
            let Some(list_at) = list.parent.index_of(txn, &list.el) else {
                return caret;
            };
            let mut at_out = list_at + 1;
            for child in &snap.children {
                if let SnapChild::Element(block) = child {
                    write(txn, &list.parent, at_out, &unlisted(block));
                    at_out += 1;
                }
            }
            if !trailing.is_empty() {
                let mut rest = Snap::new(list.el.tag());
                rest.attrs = snapshot(txn, &list.el).attrs;
                rest.children = trailing.into_iter().map(SnapChild::Element).collect();
                write(txn, &list.parent, at_out, &rest);
            }
        }
    }
    list.el.remove_range(txn, at, count - at);
    if list.el.len(txn) == 0 {
        remove(txn, &list.parent, &list.el);
    }
    caret
}

/// Makes an item snapshot the item kind of a `kind` list.
fn as_item(item: &mut Snap, kind: ListKind) {
    item.tag = kind.item_tag().into();
    item.attrs
        .retain(|(k, _)| kind == ListKind::Task && k == "checked");
    if kind == ListKind::Task && !item.attrs.iter().any(|(k, _)| k == "checked") {
        item.attrs.push(("checked".into(), Any::Bool(false)));
    }
}

/// A block leaving a list keeps its content (a task item's paragraph is just a paragraph).
fn unlisted(block: &Snap) -> Snap {
    block.clone()
}

/// Backspace at the start of the first block in a quote: that block moves out, before it.
pub(crate) fn lift_first_of_quote(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    block: u32,
) -> Pos {
    let Some((index, entry)) = entry_at(txn, body, block) else {
        return Pos::default();
    };
    let Some(quote) = entry.ancestors.last() else {
        return Pos::new(index, 0);
    };
    let snap = snapshot(txn, &entry.el);
    if let Some(at) = quote.parent.index_of(txn, &quote.el) {
        write(txn, &quote.parent, at, &snap);
        remove(txn, &entry.parent, &entry.el);
        if quote.el.len(txn) == 0 {
            remove(txn, &quote.parent, &quote.el);
        }
    }
    Pos::new(index, 0)
}

/// The quote button: blocks `from..=to` go into a quote, or out of the quote the first is in.
pub fn toggle_quote(txn: &mut TransactionMut, body: &XmlFragmentRef, from: u32, to: u32) {
    let entries = outline(txn, body);
    let Some(first) = entries.get(from as usize) else {
        return;
    };
    if let Some((_, quote)) = first.innermost(|c| *c == Container::Blockquote) {
        let snap = snapshot(txn, &quote.el);
        let Some(at) = quote.parent.index_of(txn, &quote.el) else {
            return;
        };
        for (i, child) in snap.children.iter().enumerate() {
            if let SnapChild::Element(block) = child {
                write(txn, &quote.parent, at + 1 + i as u32, block);
            }
        }
        quote.parent.remove(txn, at, 1);
        return;
    }
    let Some((parent, start, end)) = sibling_range(&entries, from, to) else {
        return;
    };
    if start == 0 && direct_item(first).is_some() {
        // A list item must start with a paragraph: its first line cannot become a quote.
        return;
    }
    let mut quote = Snap::new("blockquote");
    for i in start..=end {
        if let Some(XmlOut::Element(el)) = parent.get(txn, i) {
            quote = quote.child(snapshot(txn, &el));
        }
    }
    write(txn, &parent, start, &quote);
    parent.remove(txn, start + 1, end - start + 1);
}

/// Ticks or unticks the task item holding block `block`.
pub fn set_task_checked(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    block: u32,
    checked: bool,
) {
    let Some((_, entry)) = entry_at(txn, body, block) else {
        return;
    };
    if let Some((_, item)) = entry.innermost(|c| matches!(c, Container::TaskItem { .. })) {
        item.el.insert_attribute(txn, "checked", Any::Bool(checked));
    }
}

/// Inserts a horizontal rule at the caret's block and returns the caret on the line after it.
pub fn insert_rule(txn: &mut TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    insert_atom(txn, body, pos, &Snap::new("horizontalRule"))
}

/// Inserts a picture (a block) at the caret's block; the caller checks `src`.
pub fn insert_image(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    src: &str,
    alt: &str,
) -> Pos {
    let image = Snap::new("image")
        .with_attr("src", Any::from(src))
        .with_attr("alt", Any::from(alt));
    insert_atom(txn, body, pos, &image)
}

/// Puts a block node next to the caret's block: in place of an empty paragraph (which then
/// follows it), else after the block. A paragraph always follows, for typing on. Returns the
/// caret in that paragraph.
pub(crate) fn insert_atom(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    node: &Snap,
) -> Pos {
    let (block, at, parent) = place_for_block(txn, body, pos);
    write(txn, &parent, at, node);
    let next_is_text = matches!(
        parent.get(txn, at + 1),
        Some(XmlOut::Element(e)) if e.tag().as_ref() == "paragraph"
    );
    if !next_is_text {
        write(txn, &parent, at + 1, &Snap::paragraph());
    }
    Pos::new(block + 1, 0)
}

/// Where a new block goes for a caret at `pos`: `(its block index, index in parent, parent)`.
/// Before an empty paragraph (not an item's first line), else after the caret's block.
pub(crate) fn place_for_block(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
) -> (u32, u32, Parent) {
    let Some((index, entry)) =
        text_block(txn, body, pos.block).or_else(|| entry_at(txn, body, pos.block))
    else {
        return (0, 0, Parent::Body(body.clone()));
    };
    let empty = entry.kind == BlockKind::Paragraph && super::inline::block_len(txn, &entry.el) == 0;
    let first_of_item = entry.index == 0 && direct_item(&entry).is_some();
    if empty && !first_of_item {
        (index, entry.index, entry.parent)
    } else {
        (index + 1, entry.index + 1, entry.parent)
    }
}

/// The children of one parent covering blocks `from..=to`: the first block's parent, from the
/// first block to the child holding the last block (if it is under the same parent).
fn sibling_range(entries: &[Entry], from: u32, to: u32) -> Option<(Parent, u32, u32)> {
    let (from, to) = (from.min(to) as usize, from.max(to) as usize);
    let first = entries.get(from)?;
    let last = entries.get(to.min(entries.len() - 1))?;
    let parent = first.parent.clone();
    let same_parent = |p: &Parent| match (p, &parent) {
        (Parent::Body(_), Parent::Body(_)) => true,
        (Parent::Element(a), Parent::Element(b)) => same(a, b),
        _ => false,
    };
    let end = if same_parent(&last.parent) {
        last.index
    } else {
        last.ancestors
            .iter()
            .find(|a| same_parent(&a.parent))
            .map_or(first.index, |a| a.index)
    };
    Some((parent, first.index, end.max(first.index)))
}

/// Changes a list's kind in place (items become task items or back).
fn change_list_kind(txn: &mut TransactionMut, list: &Anc, kind: ListKind) {
    let mut snap = snapshot(txn, &list.el);
    snap.tag = kind.list_tag().into();
    snap.attrs
        .retain(|(k, _)| kind == ListKind::Ordered && k == "start");
    for child in &mut snap.children {
        if let SnapChild::Element(item) = child {
            as_item(item, kind);
        }
    }
    if let Some(at) = list.parent.index_of(txn, &list.el) {
        write(txn, &list.parent, at, &snap);
        list.parent.remove(txn, at + 1, 1);
    }
}

/// Joins the list at `at` with same-kind lists right before and after it (as Tiptap does).
fn join_adjacent_lists(txn: &mut TransactionMut, parent: &Parent, at: u32) {
    let tag_at = |txn: &TransactionMut, i: u32| match parent.get(txn, i) {
        Some(XmlOut::Element(e)) => Some((e.tag().to_string(), e)),
        _ => None,
    };
    let Some((tag, list)) = tag_at(txn, at) else {
        return;
    };
    if let Some((next_tag, next)) = tag_at(txn, at + 1) {
        if next_tag == tag {
            move_all(txn, &next, &list);
            parent.remove(txn, at + 1, 1);
        }
    }
    if at > 0 {
        if let Some((prev_tag, prev)) = tag_at(txn, at - 1) {
            if prev_tag == tag {
                move_all(txn, &list, &prev);
                parent.remove(txn, at, 1);
            }
        }
    }
}

fn move_all(txn: &mut TransactionMut, from: &XmlElementRef, to: &XmlElementRef) {
    let count = from.len(txn);
    super::nodes::move_children(txn, from, 0, count, &Parent::Element(to.clone()));
}
