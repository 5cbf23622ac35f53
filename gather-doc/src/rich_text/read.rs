//! Reading the body fragment into plain blocks for rendering and position arithmetic.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{Any, GetString, Out, ReadTxn, Text, Xml, XmlElementRef, XmlFragment, XmlFragmentRef};

use super::marks::Marks;
use super::outline::{number, outline, Ancestor};

/// What kind of block this is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum BlockKind {
    #[default]
    Paragraph,
    /// A heading with its level, 1–6.
    Heading(u8),
    /// Preformatted code; its text holds newlines, never marks or hard breaks.
    CodeBlock { language: Option<String> },
    /// A horizontal rule (an atom: no text).
    Rule,
    /// A picture (an atom). Only `http(s)` and the server's own paths are ever shown.
    Image { src: String, alt: String },
    /// A block this editor shows (as its plain text) but does not edit; the tag is kept.
    Unsupported(String),
}

impl BlockKind {
    /// The ProseMirror node name.
    pub fn tag(&self) -> &str {
        match self {
            BlockKind::Paragraph => "paragraph",
            BlockKind::Heading(_) => "heading",
            BlockKind::CodeBlock { .. } => "codeBlock",
            BlockKind::Rule => "horizontalRule",
            BlockKind::Image { .. } => "image",
            BlockKind::Unsupported(tag) => tag,
        }
    }

    /// Whether the block holds text the caret can enter (paragraphs, headings, code).
    pub fn is_editable(&self) -> bool {
        matches!(
            self,
            BlockKind::Paragraph | BlockKind::Heading(_) | BlockKind::CodeBlock { .. }
        )
    }

    pub(crate) fn of(txn: &impl ReadTxn, el: &XmlElementRef) -> BlockKind {
        match el.tag().as_ref() {
            "paragraph" => BlockKind::Paragraph,
            "heading" => BlockKind::Heading(heading_level(el.get_attribute(txn, "level"))),
            "codeBlock" => BlockKind::CodeBlock {
                language: string(el.get_attribute(txn, "language")).filter(|l| !l.is_empty()),
            },
            "horizontalRule" => BlockKind::Rule,
            "image" => BlockKind::Image {
                src: string(el.get_attribute(txn, "src")).unwrap_or_default(),
                alt: string(el.get_attribute(txn, "alt")).unwrap_or_default(),
            },
            other => BlockKind::Unsupported(other.to_owned()),
        }
    }
}

fn heading_level(value: Option<Out>) -> u8 {
    number(value).unwrap_or(1).clamp(1, 6) as u8
}

fn string(value: Option<Out>) -> Option<String> {
    match value {
        Some(Out::Any(Any::String(s))) => Some(s.to_string()),
        _ => None,
    }
}

/// A piece of a block's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text {
        text: String,
        marks: Marks,
        /// The link's target, if the text is a link (unchecked: renderers check the scheme).
        link: Option<String>,
    },
    HardBreak,
    /// Any other inline node or embed; it occupies one position.
    Other,
}

impl Inline {
    /// Length in UTF-16 code units.
    pub fn len(&self) -> u32 {
        match self {
            Inline::Text { text, .. } => utf16_len(text),
            Inline::HardBreak | Inline::Other => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One block of the document, ready to render.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Block {
    pub kind: BlockKind,
    pub inlines: Vec<Inline>,
    /// The containers it sits in, outermost first (empty for a block at the top level).
    pub path: Vec<Ancestor>,
    /// Its index among its siblings.
    pub index: u32,
}

impl Block {
    /// The index in the body of the top-level node it is in (or is).
    pub fn top(&self) -> u32 {
        self.path.first().map_or(self.index, |a| a.index)
    }

    /// Length in UTF-16 code units.
    pub fn len(&self) -> u32 {
        self.inlines.iter().map(Inline::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Plain text, a hard break as `\n`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for inline in &self.inlines {
            match inline {
                Inline::Text { text, .. } => s.push_str(text),
                Inline::HardBreak => s.push('\n'),
                Inline::Other => s.push('\u{FFFC}'),
            }
        }
        s
    }

    /// The marks new text typed at `offset` takes: those of the character before it, or at the
    /// start of a block, of the character after it (as Google Docs does).
    pub fn marks_at(&self, offset: u32) -> Marks {
        let mut at = 0;
        let mut after = None;
        for inline in &self.inlines {
            let len = inline.len();
            if let Inline::Text { marks, .. } = inline {
                if offset > at && offset <= at + len {
                    return *marks;
                }
                if offset == 0 && after.is_none() && len > 0 {
                    after = Some(*marks);
                }
            }
            at += len;
        }
        after.unwrap_or_default()
    }
}

/// Reads every block of the body, in document order (nested blocks included).
pub fn read_blocks(txn: &impl ReadTxn, body: &XmlFragmentRef) -> Vec<Block> {
    outline(txn, body)
        .iter()
        .map(|entry| block_of(txn, entry))
        .collect()
}

/// Reads the blocks of the body's top-level nodes `tops` (their indexes in the body) alone, as
/// [`read_blocks`] gives them: what an editor re-reads after an edit confined to those nodes
/// (an Enter in a 100-page document).
pub fn read_top_level(
    txn: &impl ReadTxn,
    body: &XmlFragmentRef,
    tops: std::ops::Range<u32>,
) -> Vec<Block> {
    super::outline::outline_of(txn, body, tops)
        .iter()
        .map(|entry| block_of(txn, entry))
        .collect()
}

/// Reads block `block` alone (as [`read_blocks`] would), or `None` past the last block: what an
/// editor re-reads after an edit that changed only that block's text.
pub fn read_block_at(txn: &impl ReadTxn, body: &XmlFragmentRef, block: u32) -> Option<Block> {
    let (index, entry) = super::outline::entry_at(txn, body, block)?;
    if index != block {
        return None;
    }
    Some(block_of(txn, &entry))
}

/// The block an outline entry holds, with its containers and its index among its siblings.
fn block_of(txn: &impl ReadTxn, entry: &super::outline::Entry) -> Block {
    let mut block = read_block(txn, &entry.el);
    block.path = entry.path();
    block.index = entry.index;
    block
}

pub(crate) fn read_block(txn: &impl ReadTxn, el: &XmlElementRef) -> Block {
    let kind = BlockKind::of(txn, el);
    let inlines = match kind {
        BlockKind::Rule | BlockKind::Image { .. } => Vec::new(),
        BlockKind::Unsupported(_) => {
            // Show content from other editors' nodes as plain text.
            let text = strip_tags(&el.get_string(txn));
            vec![Inline::Text {
                text,
                marks: Marks::default(),
                link: None,
            }]
        }
        _ => read_inlines(txn, el),
    };
    Block {
        kind,
        inlines,
        ..Block::default()
    }
}

fn read_inlines(txn: &impl ReadTxn, el: &XmlElementRef) -> Vec<Inline> {
    let mut inlines = Vec::new();
    for child in el.children(txn) {
        match child {
            XmlOut::Text(t) => {
                for chunk in t.diff(txn, YChange::identity) {
                    match chunk.insert {
                        Out::Any(Any::String(s)) => inlines.push(Inline::Text {
                            text: s.to_string(),
                            marks: Marks::from_attrs(chunk.attributes.as_deref()),
                            link: chunk.attributes.as_deref().and_then(link_of),
                        }),
                        _ => inlines.push(Inline::Other),
                    }
                }
            }
            XmlOut::Element(e) if e.tag().as_ref() == "hardBreak" => {
                inlines.push(Inline::HardBreak)
            }
            _ => inlines.push(Inline::Other),
        }
    }
    inlines
}

/// The `href` of a `link` mark in formatting attributes.
pub(crate) fn link_of(attrs: &Attrs) -> Option<String> {
    match attrs.get("link")? {
        Any::Map(map) => match map.get("href")? {
            Any::String(href) => Some(href.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Text of an XML string with its tags removed (for showing unsupported blocks).
fn strip_tags(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

pub(crate) fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// Formatting attributes of a text chunk, owned.
pub(crate) fn attrs_of(attributes: Option<Box<Attrs>>) -> Attrs {
    attributes.map(|a| *a).unwrap_or_default()
}
