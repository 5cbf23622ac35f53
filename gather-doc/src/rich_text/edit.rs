//! Editing operations on the body: plain functions of a transaction, tested natively, called
//! by the app's editor. Each returns where the caret goes next. Blocks are counted in document
//! order through lists, quotes and tables (see [`super::outline`]).
//!
//! Every operation clamps what it is given to the document as it is now, because a
//! collaborator's edit may have shortened it between the user's keystroke and the call; yrs
//! panics on out-of-range indexes, so nothing reaches it unchecked.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{
    Any, Out, Text, TransactionMut, Xml, XmlElementPrelim, XmlFragment, XmlFragmentRef,
    XmlTextPrelim,
};

use super::inline::{
    append_inlines, attrs_at, block_len, delete_inline, take_inlines, text_slot, text_spans,
};
use super::marks::{mark_on, Mark, Marks};
use super::nodes::remove_entries;
use super::outline::{entry_at, outline, same, Container, Entry, Parent};
use super::read::{attrs_of, utf16_len, BlockKind};
use super::structure::{lift_first_of_quote, outdent};
use super::Pos;

/// Inserts `text` at `pos` with `marks` (known marks; other attributes of the text before are
/// kept; code takes none). Creates the first paragraph of an empty document. Returns the caret
/// after the text.
pub fn insert_text(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    text: &str,
    marks: Marks,
) -> Pos {
    let Some((index, entry)) = text_block(txn, body, pos.block) else {
        return pos;
    };
    let el = entry.el;
    let offset = pos.offset.min(block_len(txn, &el));
    let attrs = if matches!(entry.kind, BlockKind::CodeBlock { .. }) {
        Attrs::new()
    } else {
        let mut attrs = attrs_at(txn, &el, offset);
        marks.apply_to(&mut attrs);
        attrs
    };
    let (t, local) = text_slot(txn, &el, offset);
    t.insert_with_attributes(txn, local, text, attrs);
    Pos::new(index, offset + utf16_len(text))
}

/// Deletes everything between `a` and `b` (in either order), merging the blocks at the ends;
/// containers left empty go too. A range across table cells only removes text: cells, rows
/// and tables keep their shape. Returns the caret: the start of the range.
pub fn delete_range(txn: &mut TransactionMut, body: &XmlFragmentRef, a: Pos, b: Pos) -> Pos {
    let (start, end) = if a <= b { (a, b) } else { (b, a) };
    if start == end {
        return start;
    }
    // Within one block (typing, Backspace inside a word): find only that block.
    if start.block == end.block {
        if let Some((index, entry)) = entry_at(txn, body, start.block) {
            if index == start.block {
                let one = std::slice::from_ref(&entry);
                let from = clamp(txn, one, Pos::new(0, start.offset)).offset;
                let to = clamp(txn, one, Pos::new(0, end.offset)).offset;
                if entry.kind.is_editable() && from < to {
                    delete_inline(txn, &entry.el, from, to);
                }
                return Pos::new(index, from);
            }
        }
    }
    let entries = outline(txn, body);
    if entries.is_empty() {
        return start;
    }
    let start = clamp(txn, &entries, start);
    let end = clamp(txn, &entries, end);
    let (s, e) = (start.block as usize, end.block as usize);
    if s == e {
        let entry = &entries[s];
        if entry.kind.is_editable() {
            delete_inline(txn, &entry.el, start.offset, end.offset);
        }
        return start;
    }
    let first = &entries[s];
    let last = &entries[e];
    if entries[s..=e].iter().any(|x| !same_cell(x, first)) {
        for (i, entry) in entries.iter().enumerate().take(e + 1).skip(s) {
            if !entry.kind.is_editable() {
                continue;
            }
            let from = if i == s { start.offset } else { 0 };
            let to = if i == e { end.offset } else { u32::MAX };
            let to = to.min(block_len(txn, &entry.el));
            delete_inline(txn, &entry.el, from, to);
        }
        return start;
    }
    match (first.kind.is_editable(), last.kind.is_editable()) {
        (true, true) => {
            let tail = take_inlines(txn, &last.el, end.offset);
            let len = block_len(txn, &first.el);
            delete_inline(txn, &first.el, start.offset, len);
            remove_entries(txn, &entries[s + 1..=e]);
            append_inlines(txn, &first.el, tail);
            start
        }
        (true, false) => {
            let len = block_len(txn, &first.el);
            delete_inline(txn, &first.el, start.offset, len);
            remove_entries(txn, &entries[s + 1..=e]);
            start
        }
        (false, true) => {
            delete_inline(txn, &last.el, 0, end.offset);
            remove_entries(txn, &entries[s..e]);
            Pos::new(start.block, 0)
        }
        (false, false) => {
            remove_entries(txn, &entries[s..=e]);
            Pos::new(start.block, 0)
        }
    }
}

/// Splits the block at `pos` (Enter). In a list item the item splits, taking the text after the
/// caret and the item's later blocks; an empty item leaves the list instead. In code Enter is
/// a newline. Splitting at the end of a heading starts a paragraph; anywhere else the new
/// block keeps the kind. Returns the caret at the start of the new block.
pub fn split_block(txn: &mut TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    let Some((index, entry)) = text_block(txn, body, pos.block) else {
        return pos;
    };
    if matches!(entry.kind, BlockKind::CodeBlock { .. }) {
        // A third Enter at the end of code (after two empty lines) leaves it, as in Tiptap.
        let len = block_len(txn, &entry.el);
        let text = super::read::read_block(txn, &entry.el).text();
        if pos.offset >= len && text.ends_with("\n\n") {
            delete_inline(txn, &entry.el, len - 2, len);
            insert_block(txn, &entry.parent, entry.index + 1, &BlockKind::Paragraph);
            return Pos::new(index + 1, 0);
        }
        return insert_text(txn, body, pos, "\n", Marks::default());
    }
    let el = entry.el.clone();
    let len = block_len(txn, &el);
    let offset = pos.offset.min(len);
    if let Some(item) = direct_item(&entry) {
        if len == 0 && entry.index == 0 {
            return outdent(txn, body, index);
        }
        let tail = take_inlines(txn, &el, offset);
        delete_inline(txn, &el, offset, len);
        let list = item.parent.clone();
        let Some(at) = list.index_of(txn, &item.el) else {
            return pos;
        };
        let new_item = list.insert_element(txn, at + 1, item.el.tag());
        if matches!(item.container, Container::TaskItem { .. }) {
            new_item.insert_attribute(txn, "checked", Any::Bool(false));
        }
        let paragraph = new_item.push_back(txn, XmlElementPrelim::empty("paragraph"));
        append_inlines(txn, &paragraph, tail);
        let count = item.el.len(txn);
        super::nodes::move_children(
            txn,
            &item.el,
            entry.index + 1,
            count,
            &Parent::Element(new_item),
        );
        return Pos::new(index + 1, 0);
    }
    if len == 0
        && entry.kind == BlockKind::Paragraph
        && matches!(
            entry.ancestors.last().map(|a| &a.container),
            Some(Container::Blockquote)
        )
    {
        // Enter on an empty line in a quote leaves the quote.
        return super::structure::lift_out_of_quote(txn, body, index);
    }
    let tail = take_inlines(txn, &el, offset);
    delete_inline(txn, &el, offset, len);
    let new_kind = if offset == len && matches!(entry.kind, BlockKind::Heading(_)) {
        BlockKind::Paragraph
    } else {
        entry.kind.clone()
    };
    let new_el = insert_block(txn, &entry.parent, entry.index + 1, &new_kind);
    append_inlines(txn, &new_el, tail);
    Pos::new(index + 1, 0)
}

/// Inserts a line break inside the block (Shift+Enter): a `hardBreak` node, splitting the text
/// node it falls in. Returns the caret after it.
pub fn insert_hard_break(txn: &mut TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    let Some((index, entry)) = text_block(txn, body, pos.block) else {
        return pos;
    };
    if matches!(entry.kind, BlockKind::CodeBlock { .. }) {
        return insert_text(txn, body, pos, "\n", Marks::default());
    }
    let el = entry.el;
    let offset = pos.offset.min(block_len(txn, &el));
    let mut remaining = offset;
    let mut child_index = el.len(txn);
    let children: Vec<XmlOut> = el.children(txn).collect();
    for (i, child) in children.into_iter().enumerate() {
        let i = i as u32;
        match child {
            XmlOut::Text(t) => {
                let len = t.len(txn);
                if remaining == 0 {
                    child_index = i;
                    break;
                }
                if remaining < len {
                    // Move the rest of this text node after the break.
                    let tail: Vec<(String, Attrs)> = t
                        .diff(txn, YChange::identity)
                        .into_iter()
                        .scan(0u32, |at, chunk| {
                            let Out::Any(Any::String(s)) = &chunk.insert else {
                                return Some(None);
                            };
                            let start = *at;
                            *at += utf16_len(s);
                            let skip = remaining.saturating_sub(start) as usize;
                            let units: Vec<u16> = s.encode_utf16().skip(skip).collect();
                            Some((!units.is_empty()).then(|| {
                                (String::from_utf16_lossy(&units), attrs_of(chunk.attributes))
                            }))
                        })
                        .flatten()
                        .collect();
                    t.remove_range(txn, remaining, len - remaining);
                    el.insert(txn, i + 1, XmlElementPrelim::empty("hardBreak"));
                    let rest = el.insert(txn, i + 2, XmlTextPrelim::new(""));
                    for (text, attrs) in tail {
                        let end = rest.len(txn);
                        rest.insert_with_attributes(txn, end, &text, attrs);
                    }
                    return Pos::new(index, offset + 1);
                }
                remaining -= len;
            }
            _ => {
                if remaining == 0 {
                    child_index = i;
                    break;
                }
                remaining -= 1;
            }
        }
    }
    el.insert(txn, child_index, XmlElementPrelim::empty("hardBreak"));
    Pos::new(index, offset + 1)
}

/// Backspace at the start of block `block`: the first line of a list item leaves the list (or
/// goes up a level), the first line of a quote leaves the quote, a heading or code block at
/// the very start becomes a paragraph; otherwise the block joins the one before
/// ([`join_with_previous`]). Returns the caret.
pub fn merge_with_previous(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let Some((index, entry)) = entry_at(txn, body, block) else {
        return Pos::default();
    };
    if entry.index == 0 && direct_item(&entry).is_some() {
        return outdent(txn, body, index);
    }
    if entry.index == 0
        && matches!(
            entry.ancestors.last().map(|a| &a.container),
            Some(Container::Blockquote)
        )
    {
        return lift_first_of_quote(txn, body, index);
    }
    if index == 0 {
        if entry.kind.is_editable() && entry.kind != BlockKind::Paragraph {
            set_block_kind(txn, body, 0, &BlockKind::Paragraph);
        }
        return Pos::new(0, 0);
    }
    join_with_previous(txn, body, index)
}

/// Joins block `block` onto the end of the block before it (Delete at the end of a block, and
/// Backspace after the special cases). A rule or picture before it is removed instead; blocks in
/// different table cells never join (the caret moves instead). Returns the caret at the join.
pub fn join_with_previous(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let entries = outline(txn, body);
    let block = block as usize;
    if block == 0 || block >= entries.len() {
        return Pos::new(block.min(entries.len().saturating_sub(1)) as u32, 0);
    }
    let (prev, entry) = (&entries[block - 1], &entries[block]);
    let at_prev_end = |txn: &TransactionMut| Pos::new(block as u32 - 1, block_len(txn, &prev.el));
    if !same_cell(prev, entry) {
        return if prev.kind.is_editable() {
            at_prev_end(txn)
        } else {
            Pos::new(block as u32, 0)
        };
    }
    if !prev.kind.is_editable() {
        remove_entries(txn, std::slice::from_ref(prev));
        return Pos::new(block as u32 - 1, 0);
    }
    let caret = at_prev_end(txn);
    if !entry.kind.is_editable() {
        remove_entries(txn, std::slice::from_ref(entry));
        return caret;
    }
    let content = take_inlines(txn, &entry.el, 0);
    remove_entries(txn, std::slice::from_ref(entry));
    append_inlines(txn, &prev.el, content);
    caret
}

/// Turns on `mark` over the range, or off when every character in it already has it
/// (toolbar and Ctrl+B behaviour). Code blocks are skipped. Returns whether the mark is now on.
pub fn toggle_mark(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    a: Pos,
    b: Pos,
    mark: Mark,
) -> bool {
    let (start, end) = if a <= b { (a, b) } else { (b, a) };
    let entries = outline(txn, body);
    if start == end || entries.is_empty() {
        return false;
    }
    let start = clamp(txn, &entries, start);
    let end = clamp(txn, &entries, end);
    let spans = text_spans(txn, &entries, start, end);
    let all_on = spans.iter().all(|s| s.on(mark));
    let value = if all_on { Any::Null } else { mark_on() };
    for span in spans {
        let mut attrs = Attrs::new();
        attrs.insert(mark.name().into(), value.clone());
        span.text.format(txn, span.from, span.len, attrs);
    }
    !all_on
}

/// Makes the range a link to `href`, or removes links from it with `None`. The caller checks
/// the target (see [`super::safe_href`]); renderers check it again.
pub fn set_link(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    a: Pos,
    b: Pos,
    href: Option<&str>,
) {
    let (start, end) = if a <= b { (a, b) } else { (b, a) };
    let entries = outline(txn, body);
    if start == end || entries.is_empty() {
        return;
    }
    let start = clamp(txn, &entries, start);
    let end = clamp(txn, &entries, end);
    let value = match href {
        Some(href) => {
            let mut map = std::collections::HashMap::new();
            map.insert("href".to_owned(), Any::from(href));
            Any::from(map)
        }
        None => Any::Null,
    };
    for span in text_spans(txn, &entries, start, end) {
        let mut attrs = Attrs::new();
        attrs.insert("link".into(), value.clone());
        span.text.format(txn, span.from, span.len, attrs);
    }
}

/// Changes the kind of text block `block` (paragraph, heading, code), keeping its content
/// (code keeps only the text). The first line of a list item stays a paragraph, as the schema
/// requires.
pub fn set_block_kind(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    block: u32,
    kind: &BlockKind,
) {
    let Some((_, entry)) = text_block(txn, body, block) else {
        return;
    };
    if !kind.is_editable() || &entry.kind == kind {
        return;
    }
    if entry.index == 0 && direct_item(&entry).is_some() && kind != &BlockKind::Paragraph {
        return;
    }
    let el = &entry.el;
    if el.tag().as_ref() == kind.tag() {
        set_kind_attrs(txn, el, kind);
        return;
    }
    let content = take_inlines(txn, el, 0);
    let new_el = insert_block(txn, &entry.parent, entry.index, kind);
    append_inlines(txn, &new_el, content);
    entry.parent.remove(txn, entry.index + 1, 1);
}

// ---- helpers ---------------------------------------------------------------------------

/// The text block at `block` (clamped), creating a first paragraph in a body without blocks.
pub(crate) fn text_block(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    block: u32,
) -> Option<(u32, Entry)> {
    if let Some((index, entry)) = entry_at(txn, body, block) {
        return entry.kind.is_editable().then_some((index, entry));
    }
    let parent = Parent::Body(body.clone());
    let at = body.len(txn);
    let el = insert_block(txn, &parent, at, &BlockKind::Paragraph);
    Some((
        0,
        Entry {
            el,
            kind: BlockKind::Paragraph,
            parent,
            index: at,
            ancestors: Vec::new(),
        },
    ))
}

/// The list item this block is a direct child of.
pub(crate) fn direct_item(entry: &Entry) -> Option<&super::outline::Anc> {
    entry.ancestors.last().filter(|a| a.container.is_item())
}

/// Whether two blocks are in the same table cell (or both outside tables).
pub(crate) fn same_cell(a: &Entry, b: &Entry) -> bool {
    match (a.cell(), b.cell()) {
        (None, None) => true,
        (Some(x), Some(y)) => same(&x.el, &y.el),
        _ => false,
    }
}

pub(crate) fn insert_block(
    txn: &mut TransactionMut,
    parent: &Parent,
    index: u32,
    kind: &BlockKind,
) -> yrs::XmlElementRef {
    let el = parent.insert_element(txn, index, kind.tag());
    set_kind_attrs(txn, &el, kind);
    el
}

fn set_kind_attrs(txn: &mut TransactionMut, el: &yrs::XmlElementRef, kind: &BlockKind) {
    match kind {
        BlockKind::Heading(level) => {
            el.insert_attribute(txn, "level", Any::Number(yrs::Number::Int(*level as i64)));
        }
        BlockKind::CodeBlock {
            language: Some(language),
        } => {
            el.insert_attribute(txn, "language", Any::from(language.as_str()));
        }
        BlockKind::CodeBlock { language: None } => el.remove_attribute(txn, &"language"),
        _ => {}
    }
}

pub(crate) fn clamp(txn: &TransactionMut, entries: &[Entry], pos: Pos) -> Pos {
    let Some(last) = entries.len().checked_sub(1) else {
        return Pos::default();
    };
    let block = (pos.block as usize).min(last);
    let len = entries[block].el.children(txn).map(|c| match c {
        XmlOut::Text(t) => t.len(txn),
        _ => 1,
    });
    let len: u32 = if entries[block].kind.is_editable() {
        len.sum()
    } else {
        0
    };
    let offset = if (pos.block as usize) > last {
        len
    } else {
        pos.offset.min(len)
    };
    Pos::new(block as u32, offset)
}
