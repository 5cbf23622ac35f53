//! The body as a plain tree shaped like the Tiptap schema, for import, export and paste.
//!
//! [`read_tree`] reads every element of the `default` fragment (unknown tags and attributes
//! included); [`write_nodes`] writes nodes back in y-prosemirror's exact shape: one `XmlElement`
//! per node named after the Tiptap node, attributes as JSON values (numbers as numbers,
//! `checked` as a bool), text in one `XmlText` per run of text with each mark a formatting
//! attribute whose value is the mark's attributes object. [`super::normalize`] makes any tree
//! fit the schema before it is written; [`safe_href`] and [`safe_image_src`] decide which
//! addresses may be kept.

use std::collections::BTreeMap;

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::{Attrs, ToJson};
use yrs::{
    Any, Number, Out, ReadTxn, Text, TransactionMut, Xml, XmlElementPrelim, XmlElementRef,
    XmlFragment, XmlFragmentRef, XmlTextPrelim,
};

/// Node attributes or a text's marks: name → JSON value. For marks the value is the mark's
/// attributes object (`{}` for bold, `{"href": …}` for a link).
pub type Props = BTreeMap<String, Any>;

/// Deepest nesting of elements any function here builds or walks; deeper content is cut off
/// (the server refuses updates nesting shared types deeper than `MAX_NESTING`, 64).
pub const MAX_DEPTH: usize = 40;

/// One node of the body: an element named after its Tiptap node type, or a run of text.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element {
        /// The Tiptap node name: `paragraph`, `heading`, `bulletList`, `hardBreak`…
        tag: String,
        attrs: Props,
        children: Vec<Node>,
    },
    Text {
        text: String,
        /// Mark name (`bold`, `link`…) → the mark's attributes object.
        marks: Props,
    },
}

impl Node {
    /// An element without attributes.
    pub fn element(tag: &str, children: Vec<Node>) -> Node {
        Node::Element {
            tag: tag.to_owned(),
            attrs: Props::new(),
            children,
        }
    }

    /// Text without marks.
    pub fn text(text: &str) -> Node {
        Node::Text {
            text: text.to_owned(),
            marks: Props::new(),
        }
    }

    /// Text with marks without attributes (`&["bold", "italic"]`).
    pub fn marked(text: &str, marks: &[&str]) -> Node {
        Node::Text {
            text: text.to_owned(),
            marks: marks
                .iter()
                .map(|m| ((*m).to_owned(), empty_object()))
                .collect(),
        }
    }

    /// This element with one more attribute.
    pub fn with_attr(mut self, key: &str, value: impl Into<Any>) -> Node {
        if let Node::Element { attrs, .. } = &mut self {
            attrs.insert(key.to_owned(), value.into());
        }
        self
    }

    /// The tag of an element; `None` for text.
    pub fn tag(&self) -> Option<&str> {
        match self {
            Node::Element { tag, .. } => Some(tag),
            Node::Text { .. } => None,
        }
    }

    /// The attribute `key` of an element.
    pub fn attr(&self, key: &str) -> Option<&Any> {
        match self {
            Node::Element { attrs, .. } => attrs.get(key),
            Node::Text { .. } => None,
        }
    }

    /// The children of an element (none for text).
    pub fn children(&self) -> &[Node] {
        match self {
            Node::Element { children, .. } => children,
            Node::Text { .. } => &[],
        }
    }

    /// All text below this node, a hard break as `\n`.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out, 0);
        out
    }
}

fn collect_text(node: &Node, out: &mut String, depth: usize) {
    match node {
        Node::Text { text, .. } => out.push_str(text),
        Node::Element { tag, .. } if tag == "hardBreak" => out.push('\n'),
        Node::Element { children, .. } if depth < MAX_DEPTH * 4 => {
            for child in children {
                collect_text(child, out, depth + 1);
            }
        }
        Node::Element { .. } => {}
    }
}

/// The stored value of a mark without attributes, and of an empty attribute object.
pub fn empty_object() -> Any {
    Any::Map(Default::default())
}

/// A number attribute as an integer, accepting numbers, big integers and numeric strings.
pub fn attr_int(value: Option<&Any>) -> Option<i64> {
    match value? {
        Any::Number(Number::Int(n)) => Some(*n),
        Any::Number(Number::Float(f)) if f.is_finite() => Some(f.round() as i64),
        Any::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer attribute value, stored the way Yjs stores a JavaScript integer.
pub fn int(n: i64) -> Any {
    Any::Number(Number::Int(n))
}

/// A string attribute.
pub fn attr_str(value: Option<&Any>) -> Option<&str> {
    match value? {
        Any::String(s) => Some(s),
        _ => None,
    }
}

/// The link address to keep, or `None` when it must not become a link: only absolute `http`,
/// `https` and `mailto` addresses without control characters (scheme case-insensitive,
/// surrounding whitespace trimmed). Relative, `javascript:`, `data:`, `vbscript:`… are refused.
pub fn safe_href(href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > 4096 || href.chars().any(char::is_control) {
        return None;
    }
    let (scheme, rest) = href.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let ok = match scheme.as_str() {
        "http" | "https" => rest.starts_with("//") && rest.len() > 2 && !rest.contains('\\'),
        "mailto" => !rest.is_empty(),
        _ => false,
    };
    ok.then(|| format!("{scheme}:{rest}"))
}

/// The image address to keep: an absolute `http(s)` address, or one of our own
/// `/api/docs/...` paths (no `..`, no backslash).
pub fn safe_image_src(src: &str) -> Option<String> {
    let src = src.trim();
    if let Some(path) = src.strip_prefix("/api/docs/") {
        let ok = !path.is_empty()
            && src.len() <= 4096
            && !src.contains("..")
            && !src.contains('\\')
            && !src.chars().any(|c| c.is_control() || c.is_whitespace());
        return ok.then(|| src.to_owned());
    }
    safe_href(src).filter(|s| s.starts_with("http:") || s.starts_with("https:"))
}

/// Reads the whole body: every element with all its attributes, text with its marks.
pub fn read_tree(txn: &impl ReadTxn, body: &XmlFragmentRef) -> Vec<Node> {
    let mut out = Vec::new();
    for child in body.children(txn) {
        read_child(txn, child, &mut out, 0);
    }
    out
}

pub(super) fn read_child(txn: &impl ReadTxn, child: XmlOut, out: &mut Vec<Node>, depth: usize) {
    if depth >= MAX_DEPTH * 2 {
        return;
    }
    match child {
        XmlOut::Element(el) => out.push(read_element(txn, &el, depth)),
        XmlOut::Text(text) => {
            for chunk in text.diff(txn, YChange::identity) {
                if let Out::Any(Any::String(s)) = chunk.insert {
                    if !s.is_empty() {
                        out.push(Node::Text {
                            text: s.to_string(),
                            marks: marks_of(chunk.attributes.as_deref()),
                        });
                    }
                }
            }
        }
        XmlOut::Fragment(fragment) => {
            for child in fragment.children(txn) {
                read_child(txn, child, out, depth + 1);
            }
        }
    }
}

fn read_element(txn: &impl ReadTxn, el: &XmlElementRef, depth: usize) -> Node {
    let attrs = el
        .attributes(txn)
        .map(|(key, value)| (key.to_owned(), value.to_json(txn)))
        .collect();
    let mut children = Vec::new();
    for child in el.children(txn) {
        read_child(txn, child, &mut children, depth + 1);
    }
    Node::Element {
        tag: el.tag().to_string(),
        attrs,
        children,
    }
}

/// Marks from formatting attributes: `null`, `false` and undefined mean off; `true` (older
/// writers) becomes `{}`.
fn marks_of(attrs: Option<&Attrs>) -> Props {
    let mut marks = Props::new();
    for (name, value) in attrs.into_iter().flatten() {
        match value {
            Any::Null | Any::Undefined | Any::Bool(false) => {}
            Any::Bool(true) => {
                marks.insert(name.to_string(), empty_object());
            }
            value => {
                marks.insert(name.to_string(), value.clone());
            }
        }
    }
    marks
}

/// Inserts `nodes` into the body at top-level `index` (clamped to the body's length). Write
/// [`super::normalize`]d nodes: y-prosemirror deletes whatever does not fit its schema. Null
/// attributes are not stored (as y-prosemirror does), so reading back gives them only after
/// [`super::normalize`].
pub fn write_nodes(txn: &mut TransactionMut, body: &XmlFragmentRef, index: u32, nodes: &[Node]) {
    let mut index = index.min(body.len(txn));
    let mut i = 0;
    while i < nodes.len() {
        match &nodes[i] {
            Node::Element {
                tag,
                attrs,
                children,
            } => {
                let el = body.insert(txn, index, XmlElementPrelim::empty(tag.as_str()));
                fill_element(txn, &el, attrs, children, 1);
                i += 1;
            }
            Node::Text { .. } => {
                let run = text_run(&nodes[i..]);
                let text = body.insert(txn, index, XmlTextPrelim::new(""));
                write_text(txn, &text, &nodes[i..i + run]);
                i += run;
            }
        }
        index += 1;
    }
}

/// Writes one element node as a child of `parent` at `index` (clamped).
pub(crate) fn write_element(
    txn: &mut TransactionMut,
    parent: &super::outline::Parent,
    index: u32,
    node: &Node,
) -> Option<XmlElementRef> {
    let Node::Element {
        tag,
        attrs,
        children,
    } = node
    else {
        return None;
    };
    let el = parent.insert_element(txn, index, tag);
    fill_element(txn, &el, attrs, children, 1);
    Some(el)
}

fn fill_element(
    txn: &mut TransactionMut,
    el: &XmlElementRef,
    attrs: &Props,
    children: &[Node],
    depth: usize,
) {
    // y-prosemirror leaves out attributes whose value is null; reading gives them back as
    // their defaults (`normalize`).
    for (key, value) in attrs {
        if !matches!(value, Any::Null | Any::Undefined) {
            el.insert_attribute(txn, key.as_str(), value.clone());
        }
    }
    if depth >= MAX_DEPTH * 2 {
        return;
    }
    let mut i = 0;
    while i < children.len() {
        match &children[i] {
            Node::Element {
                tag,
                attrs,
                children,
            } => {
                let child = el.push_back(txn, XmlElementPrelim::empty(tag.as_str()));
                fill_element(txn, &child, attrs, children, depth + 1);
                i += 1;
            }
            Node::Text { .. } => {
                let run = text_run(&children[i..]);
                let text = el.push_back(txn, XmlTextPrelim::new(""));
                write_text(txn, &text, &children[i..i + run]);
                i += run;
            }
        }
    }
}

/// How many text nodes start `nodes`.
fn text_run(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .take_while(|n| matches!(n, Node::Text { .. }))
        .count()
}

fn write_text(txn: &mut TransactionMut, target: &yrs::XmlTextRef, nodes: &[Node]) {
    let mut at = 0;
    for node in nodes {
        if let Node::Text { text, marks } = node {
            let attrs: Attrs = marks
                .iter()
                .map(|(name, value)| (name.as_str().into(), value.clone()))
                .collect();
            target.insert_with_attributes(txn, at, text, attrs);
            at += text.encode_utf16().count() as u32;
        }
    }
}
