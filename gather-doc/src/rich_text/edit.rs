//! Editing operations on the body: plain functions of a transaction, tested natively, called
//! by the app's editor. Each returns where the caret goes next.
//!
//! Every operation clamps what it is given to the document as it is now, because a
//! collaborator's edit may have shortened it between the user's keystroke and the call; yrs
//! panics on out-of-range indexes, so nothing reaches it unchecked.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{
    Any, Out, Text, TransactionMut, Xml, XmlElementPrelim, XmlElementRef, XmlFragment,
    XmlFragmentRef, XmlTextPrelim, XmlTextRef,
};

use super::marks::{mark_on, Mark, Marks};
use super::read::{attrs_of, utf16_len, BlockKind};
use super::Pos;

/// Inserts `text` at `pos` with `marks` (known marks; other attributes of the text before are
/// kept). Creates the first paragraph of an empty document. Returns the caret after the text.
pub fn insert_text(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    text: &str,
    marks: Marks,
) -> Pos {
    let Some((index, el)) = editable_block(txn, body, pos.block) else {
        return pos;
    };
    let offset = pos.offset.min(block_len(txn, &el));
    let mut attrs = attrs_at(txn, &el, offset);
    marks.apply_to(&mut attrs);
    let (t, local) = text_slot(txn, &el, offset);
    t.insert_with_attributes(txn, local, text, attrs);
    Pos::new(index, offset + utf16_len(text))
}

/// Deletes everything between `a` and `b` (in either order), merging the blocks at the ends.
/// Returns the caret: the start of the range.
pub fn delete_range(txn: &mut TransactionMut, body: &XmlFragmentRef, a: Pos, b: Pos) -> Pos {
    let (start, end) = if a <= b { (a, b) } else { (b, a) };
    let count = body.len(txn);
    if count == 0 || start == end {
        return start;
    }
    let start = clamp(txn, body, start);
    let end = clamp(txn, body, end);
    if start.block == end.block {
        if let Some(el) = element(txn, body, start.block) {
            delete_inline(txn, &el, start.offset, end.offset);
        }
        return start;
    }
    let (Some(first), Some(last)) = (
        element(txn, body, start.block),
        element(txn, body, end.block),
    ) else {
        return start;
    };
    let first_editable = BlockKind::of(txn, &first).is_editable();
    let last_editable = BlockKind::of(txn, &last).is_editable();
    if first_editable && last_editable {
        let first_len = block_len(txn, &first);
        delete_inline(txn, &first, start.offset, first_len);
        let tail = take_inlines(txn, &last, end.offset);
        body.remove_range(txn, start.block + 1, end.block - start.block);
        append_inlines(txn, &first, tail);
        return start;
    }
    // A block this editor cannot edit (a list, a table…) is never merged into another: it is
    // removed whole when the range reaches into it, and the editable ends are trimmed.
    if last_editable {
        delete_inline(txn, &last, 0, end.offset);
    }
    let keep_first = first_editable;
    if keep_first {
        let first_len = block_len(txn, &first);
        delete_inline(txn, &first, start.offset, first_len);
    }
    let from = if keep_first {
        start.block + 1
    } else {
        start.block
    };
    let to = if last_editable {
        end.block
    } else {
        end.block + 1
    };
    if to > from {
        body.remove_range(txn, from, to - from);
    }
    if keep_first {
        start
    } else {
        Pos::new(start.block, 0)
    }
}

/// Splits the block at `pos` (Enter). Splitting at the end of a heading starts a paragraph;
/// anywhere else the new block keeps the kind. Returns the caret at the start of the new block.
pub fn split_block(txn: &mut TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    let Some((index, el)) = editable_block(txn, body, pos.block) else {
        return pos;
    };
    let len = block_len(txn, &el);
    let offset = pos.offset.min(len);
    let tail = take_inlines(txn, &el, offset);
    delete_inline(txn, &el, offset, len);
    let kind = BlockKind::of(txn, &el);
    let new_kind = if offset == len && matches!(kind, BlockKind::Heading(_)) {
        BlockKind::Paragraph
    } else {
        kind
    };
    let new_el = insert_block(txn, body, index + 1, &new_kind);
    append_inlines(txn, &new_el, tail);
    Pos::new(index + 1, 0)
}

/// Inserts a line break inside the block (Shift+Enter): a `hardBreak` node, splitting the text
/// node it falls in. Returns the caret after it.
pub fn insert_hard_break(txn: &mut TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    let Some((index, el)) = editable_block(txn, body, pos.block) else {
        return pos;
    };
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

/// Joins block `block` onto the end of the block before it (Backspace at a block's start).
/// Returns the caret at the join.
pub fn merge_with_previous(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    if block == 0 || block >= body.len(txn) {
        return Pos::new(block.min(body.len(txn).saturating_sub(1)), 0);
    }
    let (Some(prev), Some(el)) = (element(txn, body, block - 1), element(txn, body, block)) else {
        return Pos::new(block, 0);
    };
    // Only text blocks merge; a list or table next to a paragraph stays whole.
    if !BlockKind::of(txn, &prev).is_editable() || !BlockKind::of(txn, &el).is_editable() {
        return Pos::new(block, 0);
    }
    let join = block_len(txn, &prev);
    let content = take_inlines(txn, &el, 0);
    body.remove_range(txn, block, 1);
    append_inlines(txn, &prev, content);
    Pos::new(block - 1, join)
}

/// Turns on `mark` over the range, or off when every character in it already has it
/// (toolbar and Ctrl+B behaviour). Returns whether the mark is now on.
pub fn toggle_mark(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    a: Pos,
    b: Pos,
    mark: Mark,
) -> bool {
    let (start, end) = if a <= b { (a, b) } else { (b, a) };
    if start == end || body.len(txn) == 0 {
        return false;
    }
    let start = clamp(txn, body, start);
    let end = clamp(txn, body, end);
    let spans = text_spans(txn, body, start, end);
    let all_on = spans.iter().all(|s| s.on(mark));
    let value = if all_on { Any::Null } else { mark_on() };
    for span in spans {
        let mut attrs = Attrs::new();
        attrs.insert(mark.name().into(), value.clone());
        span.text.format(txn, span.from, span.len, attrs);
    }
    !all_on
}

/// Changes the kind of block `block` (paragraph ⇄ heading), keeping its content.
pub fn set_block_kind(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    block: u32,
    kind: &BlockKind,
) {
    let Some((index, el)) = editable_block(txn, body, block) else {
        return;
    };
    if !kind.is_editable() || &BlockKind::of(txn, &el) == kind {
        return;
    }
    if el.tag().as_ref() == kind.tag() {
        if let BlockKind::Heading(level) = kind {
            el.insert_attribute(txn, "level", Any::Number(yrs::Number::Int(*level as i64)));
        }
        return;
    }
    let content = take_inlines(txn, &el, 0);
    let new_el = insert_block(txn, body, index, kind);
    append_inlines(txn, &new_el, content);
    body.remove_range(txn, index + 1, 1);
}

// ---- helpers ---------------------------------------------------------------------------

/// A piece of inline content with everything needed to recreate it elsewhere.
enum InlineContent {
    Text(String, Attrs),
    /// An inline node (a hard break, or another editor's inline node) with its attributes.
    Element(String, Vec<(String, Any)>),
}

fn element(txn: &TransactionMut, body: &XmlFragmentRef, index: u32) -> Option<XmlElementRef> {
    match body.get(txn, index)? {
        XmlOut::Element(el) => Some(el),
        _ => None,
    }
}

/// The editable block at `index` (clamped), creating a first paragraph in an empty body.
fn editable_block(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    index: u32,
) -> Option<(u32, XmlElementRef)> {
    let count = body.len(txn);
    if count == 0 {
        return Some((0, insert_block(txn, body, 0, &BlockKind::Paragraph)));
    }
    let index = index.min(count - 1);
    let el = element(txn, body, index)?;
    BlockKind::of(txn, &el).is_editable().then_some((index, el))
}

fn insert_block(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    index: u32,
    kind: &BlockKind,
) -> XmlElementRef {
    let el = body.insert(txn, index, XmlElementPrelim::empty(kind.tag()));
    if let BlockKind::Heading(level) = kind {
        el.insert_attribute(txn, "level", Any::Number(yrs::Number::Int(*level as i64)));
    }
    el
}

fn clamp(txn: &TransactionMut, body: &XmlFragmentRef, pos: Pos) -> Pos {
    let count = body.len(txn);
    if pos.block >= count {
        let last = count.saturating_sub(1);
        let len = element(txn, body, last).map_or(0, |el| block_len(txn, &el));
        return Pos::new(last, len);
    }
    let len = element(txn, body, pos.block).map_or(0, |el| block_len(txn, &el));
    Pos::new(pos.block, pos.offset.min(len))
}

fn block_len(txn: &TransactionMut, el: &XmlElementRef) -> u32 {
    el.children(txn)
        .map(|child| match child {
            XmlOut::Text(t) => t.len(txn),
            _ => 1,
        })
        .sum()
}

/// The text node and local offset where text typed at `offset` goes; creates a text node when
/// the offset sits next to inline elements or in an empty block.
fn text_slot(txn: &mut TransactionMut, el: &XmlElementRef, offset: u32) -> (XmlTextRef, u32) {
    let mut remaining = offset;
    let mut child_index = 0;
    let children: Vec<XmlOut> = el.children(txn).collect();
    for child in children {
        match child {
            XmlOut::Text(t) => {
                let len = t.len(txn);
                if remaining <= len {
                    return (t, remaining);
                }
                remaining -= len;
            }
            _ => {
                if remaining == 0 {
                    break;
                }
                remaining -= 1;
            }
        }
        child_index += 1;
    }
    let t = el.insert(txn, child_index, XmlTextPrelim::new(""));
    (t, 0)
}

/// Formatting attributes of the character before `offset` (or after, at a block's start).
fn attrs_at(txn: &TransactionMut, el: &XmlElementRef, offset: u32) -> Attrs {
    let mut at = 0;
    let mut first = None;
    for child in el.children(txn) {
        match child {
            XmlOut::Text(t) => {
                for chunk in t.diff(txn, YChange::identity) {
                    let len = match &chunk.insert {
                        Out::Any(Any::String(s)) => utf16_len(s),
                        _ => 1,
                    };
                    if offset > at && offset <= at + len {
                        return attrs_of(chunk.attributes);
                    }
                    if first.is_none() && len > 0 {
                        first = Some(attrs_of(chunk.attributes));
                    }
                    at += len;
                }
            }
            _ => at += 1,
        }
    }
    if offset == 0 {
        first.unwrap_or_default()
    } else {
        Attrs::new()
    }
}

/// Deletes the inline content in `[from, to)` of a block.
fn delete_inline(txn: &mut TransactionMut, el: &XmlElementRef, from: u32, to: u32) {
    if from >= to {
        return;
    }
    enum Cut {
        Text(XmlTextRef, u32, u32),
        Node(u32),
    }
    let mut cuts = Vec::new();
    let mut at = 0;
    for (i, child) in el.children(txn).enumerate() {
        let len = match &child {
            XmlOut::Text(t) => t.len(txn),
            _ => 1,
        };
        let (lo, hi) = (from.max(at), to.min(at + len));
        if lo < hi {
            match child {
                XmlOut::Text(t) => cuts.push(Cut::Text(t, lo - at, hi - lo)),
                _ => cuts.push(Cut::Node(i as u32)),
            }
        }
        at += len;
    }
    // Back to front, so earlier child indexes stay valid.
    for cut in cuts.into_iter().rev() {
        match cut {
            Cut::Text(t, index, len) => t.remove_range(txn, index, len),
            Cut::Node(index) => el.remove_range(txn, index, 1),
        }
    }
}

/// Copies the inline content from `from` to the end of a block (the caller deletes it).
fn take_inlines(txn: &TransactionMut, el: &XmlElementRef, from: u32) -> Vec<InlineContent> {
    let mut out = Vec::new();
    let mut at = 0;
    for child in el.children(txn) {
        match child {
            XmlOut::Text(t) => {
                for chunk in t.diff(txn, YChange::identity) {
                    let Out::Any(Any::String(s)) = &chunk.insert else {
                        at += 1;
                        continue;
                    };
                    let len = utf16_len(s);
                    if at + len > from {
                        let skip = from.saturating_sub(at) as usize;
                        let units: Vec<u16> = s.encode_utf16().skip(skip).collect();
                        let text = String::from_utf16_lossy(&units);
                        out.push(InlineContent::Text(text, attrs_of(chunk.attributes)));
                    }
                    at += len;
                }
            }
            XmlOut::Element(e) => {
                if at >= from {
                    let attrs = e
                        .attributes(txn)
                        .filter_map(|(k, v)| match v {
                            Out::Any(a) => Some((k.to_string(), a)),
                            _ => None,
                        })
                        .collect();
                    out.push(InlineContent::Element(e.tag().to_string(), attrs));
                }
                at += 1;
            }
            XmlOut::Fragment(_) => at += 1,
        }
    }
    out
}

/// Appends inline content at the end of a block, merging text into its last text node.
fn append_inlines(txn: &mut TransactionMut, el: &XmlElementRef, content: Vec<InlineContent>) {
    for piece in content {
        match piece {
            InlineContent::Text(text, attrs) => {
                let last = el.len(txn).checked_sub(1).and_then(|i| el.get(txn, i));
                let t = match last {
                    Some(XmlOut::Text(t)) => t,
                    _ => el.push_back(txn, XmlTextPrelim::new("")),
                };
                let end = t.len(txn);
                t.insert_with_attributes(txn, end, &text, attrs);
            }
            InlineContent::Element(tag, attrs) => {
                let node = el.push_back(txn, XmlElementPrelim::empty(tag));
                for (key, value) in attrs {
                    node.insert_attribute(txn, key, value);
                }
            }
        }
    }
}

/// A run of text inside a range, for formatting.
struct Span {
    text: XmlTextRef,
    from: u32,
    len: u32,
    marks: Vec<Marks>,
}

impl Span {
    fn on(&self, mark: Mark) -> bool {
        self.marks.iter().all(|m| m.has(mark))
    }
}

/// The text in `[start, end)`, as spans of text nodes with the marks of each chunk they cover.
fn text_spans(txn: &TransactionMut, body: &XmlFragmentRef, start: Pos, end: Pos) -> Vec<Span> {
    let mut spans = Vec::new();
    for block in start.block..=end.block {
        let Some(el) = element(txn, body, block) else {
            continue;
        };
        if !BlockKind::of(txn, &el).is_editable() {
            continue;
        }
        let from = if block == start.block {
            start.offset
        } else {
            0
        };
        let to = if block == end.block {
            end.offset
        } else {
            u32::MAX
        };
        let mut at = 0;
        for child in el.children(txn) {
            let XmlOut::Text(t) = child else {
                at += 1;
                continue;
            };
            let len = t.len(txn);
            let (lo, hi) = (from.max(at), to.min(at + len));
            if lo < hi {
                let mut marks = Vec::new();
                let mut chunk_at = at;
                for chunk in t.diff(txn, YChange::identity) {
                    let chunk_len = match &chunk.insert {
                        Out::Any(Any::String(s)) => utf16_len(s),
                        _ => 1,
                    };
                    if chunk_at + chunk_len > lo && chunk_at < hi {
                        marks.push(Marks::from_attrs(chunk.attributes.as_deref()));
                    }
                    chunk_at += chunk_len;
                }
                spans.push(Span {
                    text: t,
                    from: lo - at,
                    len: hi - lo,
                    marks,
                });
            }
            at += len;
        }
    }
    spans
}
