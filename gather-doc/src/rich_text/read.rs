//! Reading the body fragment into plain blocks for rendering and position arithmetic.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{Any, GetString, Out, ReadTxn, Text, Xml, XmlElementRef, XmlFragment, XmlFragmentRef};

use super::marks::Marks;

/// What kind of block this is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    /// A heading with its level, 1–6.
    Heading(u8),
    /// A block this editor shows (as its plain text) but does not edit yet; the tag is kept.
    Unsupported(String),
}

impl BlockKind {
    /// The ProseMirror node name.
    pub fn tag(&self) -> &str {
        match self {
            BlockKind::Paragraph => "paragraph",
            BlockKind::Heading(_) => "heading",
            BlockKind::Unsupported(tag) => tag,
        }
    }

    pub fn is_editable(&self) -> bool {
        !matches!(self, BlockKind::Unsupported(_))
    }

    pub(crate) fn of(txn: &impl ReadTxn, el: &XmlElementRef) -> BlockKind {
        match el.tag().as_ref() {
            "paragraph" => BlockKind::Paragraph,
            "heading" => BlockKind::Heading(heading_level(el.get_attribute(txn, "level"))),
            other => BlockKind::Unsupported(other.to_owned()),
        }
    }
}

fn heading_level(value: Option<Out>) -> u8 {
    let level = match value {
        Some(Out::Any(Any::Number(n))) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(1),
        Some(Out::Any(Any::String(s))) => s.parse().unwrap_or(1),
        _ => 1,
    };
    level.clamp(1, 6) as u8
}

/// A piece of a block's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text {
        text: String,
        marks: Marks,
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub inlines: Vec<Inline>,
}

impl Block {
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

/// Reads every block of the body.
pub fn read_blocks(txn: &impl ReadTxn, body: &XmlFragmentRef) -> Vec<Block> {
    body.children(txn)
        .map(|child| match child {
            XmlOut::Element(el) => read_block(txn, &el),
            XmlOut::Text(t) => Block {
                kind: BlockKind::Unsupported("text".into()),
                inlines: vec![Inline::Text {
                    text: t.get_string(txn),
                    marks: Marks::default(),
                }],
            },
            XmlOut::Fragment(_) => Block {
                kind: BlockKind::Unsupported("fragment".into()),
                inlines: Vec::new(),
            },
        })
        .collect()
}

pub(crate) fn read_block(txn: &impl ReadTxn, el: &XmlElementRef) -> Block {
    let kind = BlockKind::of(txn, el);
    let inlines = if kind.is_editable() {
        read_inlines(txn, el)
    } else {
        // Show nested content (lists, quotes, tables from other editors) as plain text.
        let text = el.get_string(txn);
        let text = strip_tags(&text);
        vec![Inline::Text {
            text,
            marks: Marks::default(),
        }]
    };
    Block { kind, inlines }
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
