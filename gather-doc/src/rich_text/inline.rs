//! Inline content of one text block: lengths, where typed text goes, cutting and moving
//! text with its formatting, and runs of text for formatting a range.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{
    Any, Out, ReadTxn, Text, TransactionMut, Xml, XmlElementPrelim, XmlElementRef, XmlFragment,
    XmlTextPrelim, XmlTextRef,
};

use super::marks::{Mark, Marks};
use super::outline::Entry;
use super::read::{attrs_of, utf16_len, BlockKind};
use super::Pos;

/// A piece of inline content with everything needed to recreate it elsewhere.
pub(crate) enum InlineContent {
    Text(String, Attrs),
    /// An inline node (a hard break, or another editor's inline node) with its attributes.
    Element(String, Vec<(String, Any)>),
}

pub(crate) fn block_len(txn: &impl ReadTxn, el: &XmlElementRef) -> u32 {
    el.children(txn)
        .map(|child| match child {
            XmlOut::Text(t) => t.len(txn),
            _ => 1,
        })
        .sum()
}

/// The text node and local offset where text typed at `offset` goes; creates a text node when
/// the offset sits next to inline elements or in an empty block.
pub(crate) fn text_slot(
    txn: &mut TransactionMut,
    el: &XmlElementRef,
    offset: u32,
) -> (XmlTextRef, u32) {
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
pub(crate) fn attrs_at(txn: &impl ReadTxn, el: &XmlElementRef, offset: u32) -> Attrs {
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
pub(crate) fn delete_inline(txn: &mut TransactionMut, el: &XmlElementRef, from: u32, to: u32) {
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
pub(crate) fn take_inlines(
    txn: &impl ReadTxn,
    el: &XmlElementRef,
    from: u32,
) -> Vec<InlineContent> {
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

/// Appends inline content at the end of a block, merging text into its last text node. A code
/// block takes plain text only (formatting dropped, a hard break as `\n`); any other block
/// takes a `\n` in text as a hard break.
pub(crate) fn append_inlines(
    txn: &mut TransactionMut,
    el: &XmlElementRef,
    content: Vec<InlineContent>,
) {
    let code = el.tag().as_ref() == "codeBlock";
    for piece in content {
        match piece {
            InlineContent::Text(text, _) if code => append_text(txn, el, &text, Attrs::new()),
            InlineContent::Text(text, attrs) => {
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        el.push_back(txn, XmlElementPrelim::empty("hardBreak"));
                    }
                    if !line.is_empty() {
                        append_text(txn, el, line, attrs.clone());
                    }
                }
            }
            InlineContent::Element(tag, _) if code => {
                if tag == "hardBreak" {
                    append_text(txn, el, "\n", Attrs::new());
                }
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

fn append_text(txn: &mut TransactionMut, el: &XmlElementRef, text: &str, attrs: Attrs) {
    let last = el.len(txn).checked_sub(1).and_then(|i| el.get(txn, i));
    let t = match last {
        Some(XmlOut::Text(t)) => t,
        _ => el.push_back(txn, XmlTextPrelim::new("")),
    };
    let end = t.len(txn);
    t.insert_with_attributes(txn, end, text, attrs);
}

/// A run of text inside a range, for formatting.
pub(crate) struct Span {
    pub text: XmlTextRef,
    pub from: u32,
    pub len: u32,
    pub marks: Vec<Marks>,
}

impl Span {
    pub fn on(&self, mark: Mark) -> bool {
        self.marks.iter().all(|m| m.has(mark))
    }
}

/// The text in `[start, end)`, as spans of text nodes with the marks of each chunk they cover.
pub(crate) fn text_spans(txn: &impl ReadTxn, entries: &[Entry], start: Pos, end: Pos) -> Vec<Span> {
    let mut spans = Vec::new();
    for block in start.block..=end.block {
        let Some(entry) = entries.get(block as usize) else {
            continue;
        };
        // Code has no formatting.
        if !matches!(entry.kind, BlockKind::Paragraph | BlockKind::Heading(_)) {
            continue;
        }
        let el = &entry.el;
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
