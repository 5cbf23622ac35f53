//! Pasted HTML to [`Node`]s. The browser parses the clipboard's HTML with `DOMParser` (which
//! runs nothing) and hands over its tree as [`RawNode`]s; this maps what the schema has and
//! drops the rest: scripts, styles, frames, objects, SVG and MathML with their content, every
//! attribute but the few read here (so no event handlers), unsafe links and images. Word's and
//! Google Docs' habits are understood: `<o:p>`, `mso-list` paragraphs as list items, and the
//! `<b style="font-weight:normal">` that Google Docs wraps around everything.

use std::sync::OnceLock;

use yrs::Any;

use super::schema::normalize;
use super::tree::{empty_object, int, safe_href, safe_image_src, Node, Props, MAX_DEPTH};

/// An HTML node as the browser app reads it from a parsed document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawNode {
    Element {
        /// The tag name, lower case (`p`, `o:p`).
        tag: String,
        attrs: Vec<(String, String)>,
        children: Vec<RawNode>,
    },
    Text(String),
}

impl RawNode {
    /// An element (tests and the app build trees with this).
    pub fn element(tag: &str, attrs: &[(&str, &str)], children: Vec<RawNode>) -> RawNode {
        RawNode::Element {
            tag: tag.to_owned(),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            children,
        }
    }

    pub fn text(text: &str) -> RawNode {
        RawNode::Text(text.to_owned())
    }

    fn attr(&self, name: &str) -> Option<&str> {
        match self {
            RawNode::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str()),
            RawNode::Text(_) => None,
        }
    }
}

/// Elements dropped with everything inside them.
const DROPPED: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript", "head",
    "title", "meta", "link", "base", "o:p", "xml", "canvas", "video", "audio", "select",
    "textarea", "button", "input", "frame", "frameset", "applet", "param", "source", "track",
    "map", "picture", "dialog",
];

/// Pasted HTML as schema-valid nodes, ready for [`super::write_nodes`].
pub fn html_tree_to_nodes(root: &RawNode) -> Vec<Node> {
    let mut out = Vec::new();
    convert(root, &Context::default(), 0, &mut out);
    let mut nodes = normalize(out);
    trim_blocks(&mut nodes, 0);
    normalize(nodes)
}

/// What the elements around a text say about it.
#[derive(Clone, Default)]
struct Context {
    marks: Props,
}

fn convert(raw: &RawNode, ctx: &Context, depth: usize, out: &mut Vec<Node>) {
    let RawNode::Element { tag, children, .. } = raw else {
        if let RawNode::Text(text) = raw {
            text_node(text, ctx, out);
        }
        return;
    };
    let tag = tag.to_ascii_lowercase();
    if depth > MAX_DEPTH * 4 || DROPPED.contains(&tag.as_str()) {
        return;
    }
    let ctx = &with_marks(raw, &tag, ctx);
    let kids = |out: &mut Vec<Node>| {
        for child in children {
            convert(child, ctx, depth + 1, out);
        }
    };
    let collected = |tag: &str| {
        let mut inner = Vec::new();
        kids(&mut inner);
        Node::element(tag, inner)
    };
    match tag.as_str() {
        "p" | "div" | "section" | "article" | "header" | "footer" | "main" | "aside" | "nav"
        | "figure" | "figcaption" | "address" | "center" | "dt" | "dd" | "summary" | "details"
        | "caption" => {
            let mut paragraph = collected("paragraph");
            if raw.attr("style").is_some_and(|s| s.contains("mso-list")) {
                if let Node::Element { children, .. } = &mut paragraph {
                    strip_list_marker(children);
                }
                out.push(Node::element("listItem", vec![paragraph]));
            } else {
                out.push(paragraph);
            }
        }
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            let level = i64::from(tag.as_bytes()[1] - b'0');
            out.push(collected("heading").with_attr("level", int(level)));
        }
        "ul" | "ol" => out.push(list(raw, &tag, ctx, depth)),
        "li" => out.push(list_item(raw, ctx, depth)),
        "blockquote" => out.push(collected("blockquote")),
        "pre" => out.push(code_block(raw)),
        "hr" => out.push(Node::element("horizontalRule", Vec::new())),
        "br" => out.push(Node::element("hardBreak", Vec::new())),
        "img" => {
            if let Some(src) = raw.attr("src").and_then(safe_image_src) {
                let alt = raw.attr("alt").map_or(Any::Null, Any::from);
                let title = raw.attr("title").map_or(Any::Null, Any::from);
                let image = Node::element("image", Vec::new())
                    .with_attr("src", src)
                    .with_attr("alt", alt)
                    .with_attr("title", title);
                out.push(image);
            }
        }
        "table" => out.push(collected("table")),
        "tr" => out.push(collected("tableRow")),
        "td" | "th" => {
            let name = if tag == "th" {
                "tableHeader"
            } else {
                "tableCell"
            };
            let mut cell = collected(name);
            for key in ["colspan", "rowspan"] {
                if let Some(n) = raw.attr(key).and_then(|v| v.trim().parse::<i64>().ok()) {
                    cell = cell.with_attr(key, int(n.clamp(1, 1000)));
                }
            }
            out.push(cell);
        }
        // Inline and unknown elements (`span`, `font`, `b`, `a`, `thead`, `st1:place`…):
        // their content, with whatever marks they added.
        _ => kids(out),
    }
}

fn text_node(text: &str, ctx: &Context, out: &mut Vec<Node>) {
    let text = collapse_whitespace(text);
    if !text.is_empty() {
        out.push(Node::Text {
            text,
            marks: ctx.marks.clone(),
        });
    }
}

/// HTML's whitespace collapsing: runs of spaces, tabs and line ends become one space
/// (no-break spaces stay).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// The marks inside `raw`: its tag's, then its inline style's (which can also turn a mark off,
/// as Google Docs' `font-weight:normal` does).
fn with_marks(raw: &RawNode, tag: &str, ctx: &Context) -> Context {
    let mut ctx = ctx.clone();
    let on = |ctx: &mut Context, name: &str| {
        ctx.marks.insert(name.to_owned(), empty_object());
    };
    match tag {
        "b" | "strong" => on(&mut ctx, "bold"),
        "i" | "em" => on(&mut ctx, "italic"),
        "u" | "ins" => on(&mut ctx, "underline"),
        "s" | "strike" | "del" => on(&mut ctx, "strike"),
        "code" | "kbd" | "samp" | "tt" => on(&mut ctx, "code"),
        "mark" => on(&mut ctx, "highlight"),
        "a" => {
            if let Some(href) = raw.attr("href").and_then(safe_href) {
                let mut attrs = std::collections::HashMap::new();
                attrs.insert("href".to_owned(), Any::from(href));
                attrs.insert("target".to_owned(), Any::Null);
                attrs.insert("rel".to_owned(), Any::from("noopener noreferrer nofollow"));
                attrs.insert("class".to_owned(), Any::Null);
                ctx.marks.insert("link".into(), Any::from(attrs));
            }
        }
        _ => {}
    }
    if let Some(style) = raw.attr("style") {
        for declaration in style.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let property = property.trim().to_ascii_lowercase();
            let value = value.trim().to_ascii_lowercase();
            let value = value.trim_end_matches("!important").trim();
            match property.as_str() {
                "font-weight" => match value {
                    "bold" | "bolder" => on(&mut ctx, "bold"),
                    "normal" | "lighter" => {
                        ctx.marks.remove("bold");
                    }
                    number => match number.parse::<u32>() {
                        Ok(n) if n >= 600 => on(&mut ctx, "bold"),
                        Ok(_) => {
                            ctx.marks.remove("bold");
                        }
                        Err(_) => {}
                    },
                },
                "font-style" => match value {
                    "italic" | "oblique" => on(&mut ctx, "italic"),
                    "normal" => {
                        ctx.marks.remove("italic");
                    }
                    _ => {}
                },
                "text-decoration" | "text-decoration-line" => {
                    if value.contains("underline") {
                        on(&mut ctx, "underline");
                    }
                    if value.contains("line-through") {
                        on(&mut ctx, "strike");
                    }
                }
                _ => {}
            }
        }
    }
    ctx
}

fn list(raw: &RawNode, tag: &str, ctx: &Context, depth: usize) -> Node {
    let mut items = Vec::new();
    for child in raw_children(raw) {
        convert(child, ctx, depth + 1, &mut items);
    }
    let is_task = raw.attr("data-type") == Some("taskList")
        || items.iter().any(|i| i.tag() == Some("taskItem"));
    if is_task {
        return Node::element("taskList", items);
    }
    let mut list = Node::element(
        if tag == "ol" {
            "orderedList"
        } else {
            "bulletList"
        },
        items,
    );
    if tag == "ol" {
        let start = raw.attr("start").and_then(|s| s.trim().parse::<i64>().ok());
        list = list.with_attr("start", int(start.unwrap_or(1)));
    }
    list
}

fn list_item(raw: &RawNode, ctx: &Context, depth: usize) -> Node {
    let mut content = Vec::new();
    for child in raw_children(raw) {
        convert(child, ctx, depth + 1, &mut content);
    }
    let checked = if raw.attr("data-type") == Some("taskItem") {
        Some(raw.attr("data-checked") == Some("true"))
    } else {
        checkbox(raw, 0)
    };
    match checked {
        Some(checked) => Node::element("taskItem", content).with_attr("checked", checked),
        None => Node::element("listItem", content),
    }
}

/// Whether an item holds a checkbox (outside its nested lists), and if it is ticked.
fn checkbox(raw: &RawNode, depth: usize) -> Option<bool> {
    if depth > 8 {
        return None;
    }
    for child in raw_children(raw) {
        let RawNode::Element { tag, .. } = child else {
            continue;
        };
        let tag = tag.to_ascii_lowercase();
        if tag == "input"
            && child
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("checkbox"))
        {
            return Some(child.attr("checked").is_some());
        }
        if !matches!(tag.as_str(), "ul" | "ol") {
            if let Some(found) = checkbox(child, depth + 1) {
                return Some(found);
            }
        }
    }
    None
}

fn raw_children(raw: &RawNode) -> &[RawNode] {
    match raw {
        RawNode::Element { children, .. } => children,
        RawNode::Text(_) => &[],
    }
}

fn code_block(raw: &RawNode) -> Node {
    let mut text = String::new();
    raw_text(raw, &mut text, 0);
    if text.ends_with('\n') {
        text.pop();
    }
    let class = raw.attr("class").map(str::to_owned).or_else(|| {
        raw_children(raw)
            .iter()
            .find_map(|c| c.attr("class").map(str::to_owned))
    });
    let language = class.and_then(|class| {
        class.split_whitespace().find_map(|c| {
            c.strip_prefix("language-")
                .or_else(|| c.strip_prefix("lang-"))
                .map(str::to_owned)
        })
    });
    let children = if text.is_empty() {
        Vec::new()
    } else {
        vec![Node::text(&text)]
    };
    Node::element("codeBlock", children)
        .with_attr("language", language.map_or(Any::Null, Any::from))
}

/// The text inside `<pre>`, `<br>` as a line end, dropped elements left out.
fn raw_text(raw: &RawNode, out: &mut String, depth: usize) {
    match raw {
        RawNode::Text(text) => out.push_str(text),
        RawNode::Element { tag, children, .. } => {
            let tag = tag.to_ascii_lowercase();
            if depth > MAX_DEPTH * 4 || DROPPED.contains(&tag.as_str()) {
                return;
            }
            if tag == "br" {
                out.push('\n');
            }
            for child in children {
                raw_text(child, out, depth + 1);
            }
            if matches!(tag.as_str(), "p" | "div") && !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
}

/// Removes Word's list marker ("·", "1.", "a)" and the spaces after it) from a paragraph.
fn strip_list_marker(children: &mut Vec<Node>) {
    static MARKER: OnceLock<regex_lite::Regex> = OnceLock::new();
    let marker = MARKER.get_or_init(|| {
        regex_lite::Regex::new(
            r"^[\s\u{a0}]*(?:[·•◦▪§o\u{F0B7}\u{F0A7}-]|\d{1,3}[.)]|[a-zA-Z][.)])[\s\u{a0}]+",
        )
        .expect("a valid pattern")
    });
    let leading: String = children
        .iter()
        .map_while(|n| match n {
            Node::Text { text, .. } => Some(text.as_str()),
            Node::Element { .. } => None,
        })
        .collect();
    let Some(found) = marker.find(&leading) else {
        return;
    };
    let mut remove = found.end();
    children.retain_mut(|node| {
        if remove == 0 {
            return true;
        }
        let Node::Text { text, .. } = node else {
            return true;
        };
        if text.len() <= remove {
            remove -= text.len();
            false
        } else {
            *text = text[remove..].to_owned();
            remove = 0;
            true
        }
    });
}

/// Trims the whitespace at both ends of every paragraph and heading.
fn trim_blocks(nodes: &mut [Node], depth: usize) {
    for node in nodes {
        let Node::Element { tag, children, .. } = node else {
            continue;
        };
        if matches!(tag.as_str(), "paragraph" | "heading") {
            if let Some(Node::Text { text, .. }) = children.first_mut() {
                *text = text.trim_start().to_owned();
            }
            if let Some(Node::Text { text, .. }) = children.last_mut() {
                *text = text.trim_end().to_owned();
            }
            children.retain(|c| !matches!(c, Node::Text { text, .. } if text.is_empty()));
            // Browsers end a line with a `<br>` they do not show (`<p><br></p>` is an empty
            // paragraph).
            if children.last().and_then(Node::tag) == Some("hardBreak") {
                children.pop();
            }
        } else if depth < MAX_DEPTH * 2 {
            trim_blocks(children, depth + 1);
        }
    }
}
