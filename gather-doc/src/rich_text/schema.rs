//! The Tiptap schema as rules on [`Node`] trees: [`normalize`] makes any tree fit it (what does
//! not fit is reshaped, never silently lost to y-prosemirror, which deletes what its schema
//! refuses), and [`is_valid`] checks a tree against it.
//!
//! Content rules: the body, a blockquote and a table cell hold blocks (a blockquote and a cell
//! at least one); a list item and a task item start with a paragraph; lists hold only their item
//! type, a table only rows, a row only cells; a paragraph or heading holds text and hard breaks;
//! a code block holds unmarked text; images and rules are leaves. Text is never empty and carries
//! only the schema's marks, links only with a [`safe_href`].

use yrs::Any;

use super::tree::{
    attr_int, attr_str, empty_object, int, safe_href, safe_image_src, Node, Props, MAX_DEPTH,
};

/// The marks of the schema.
pub const MARKS: [&str; 7] = [
    "bold",
    "italic",
    "underline",
    "strike",
    "code",
    "highlight",
    "link",
];

/// Where a node may stand, before it is put in place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inline,
    Block,
    Item,
    Row,
    Cell,
}

fn kind_of(tag: &str) -> Option<Kind> {
    Some(match tag {
        "hardBreak" => Kind::Inline,
        "paragraph" | "heading" | "codeBlock" | "blockquote" | "bulletList" | "orderedList"
        | "taskList" | "table" | "horizontalRule" | "image" => Kind::Block,
        "listItem" | "taskItem" => Kind::Item,
        "tableRow" => Kind::Row,
        "tableCell" | "tableHeader" => Kind::Cell,
        _ => return None,
    })
}

/// Makes `nodes` (the body's children) fit the schema: stray text is wrapped in paragraphs,
/// stray items in lists and stray cells in tables, empty items and cells get an empty
/// paragraph, unknown elements are replaced by their content, marks are kept only where the
/// schema allows them, unsafe links and images are dropped, and attributes get their types.
pub fn normalize(nodes: Vec<Node>) -> Vec<Node> {
    blocks(nodes, 0)
}

/// Lays unknown elements open: what is left are nodes of known kinds (and text, inline).
fn pieces(nodes: Vec<Node>, depth: usize, out: &mut Vec<(Kind, Node)>) {
    for node in nodes {
        match node {
            Node::Text { .. } => out.push((Kind::Inline, node)),
            Node::Element { ref tag, .. } => match kind_of(tag) {
                Some(kind) => out.push((kind, node)),
                None if depth < MAX_DEPTH * 4 => {
                    if let Node::Element { children, .. } = node {
                        pieces(children, depth + 1, out);
                    }
                }
                None => {}
            },
        }
    }
}

/// Block content: the body, a blockquote, an item after its paragraph, a cell.
fn blocks(nodes: Vec<Node>, depth: usize) -> Vec<Node> {
    let mut parts = Vec::new();
    pieces(nodes, depth, &mut parts);
    let mut out = Vec::new();
    let mut parts = parts.into_iter().peekable();
    while let Some((kind, node)) = parts.next() {
        match kind {
            Kind::Block => out.extend(block(node, depth)),
            Kind::Inline => {
                let mut run = vec![node];
                while let Some((_, next)) = parts.next_if(|(k, _)| *k == Kind::Inline) {
                    run.push(next);
                }
                let run = inlines(run);
                if !is_blank(&run) {
                    out.push(Node::element("paragraph", run));
                }
            }
            Kind::Item => {
                let item_tag = node.tag().unwrap_or_default().to_owned();
                let mut items = vec![node];
                while let Some((_, next)) =
                    parts.next_if(|(k, n)| *k == Kind::Item && n.tag() == Some(&item_tag))
                {
                    items.push(next);
                }
                let list = if item_tag == "taskItem" {
                    "taskList"
                } else {
                    "bulletList"
                };
                out.extend(block(Node::element(list, items), depth));
            }
            Kind::Row | Kind::Cell => {
                let mut rows = vec![node];
                while let Some((_, next)) =
                    parts.next_if(|(k, _)| matches!(k, Kind::Row | Kind::Cell))
                {
                    rows.push(next);
                }
                out.extend(block(Node::element("table", rows), depth));
            }
        }
    }
    out
}

fn is_blank(run: &[Node]) -> bool {
    run.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim().is_empty(),
        Node::Element { .. } => false,
    })
}

/// One block element, made valid; it may become several (a paragraph holding a list) or none
/// (an image with an unsafe address, an empty list).
fn block(node: Node, depth: usize) -> Vec<Node> {
    let Node::Element {
        tag,
        mut attrs,
        children,
    } = node
    else {
        return Vec::new();
    };
    if depth >= MAX_DEPTH {
        let text = Node::element("", children).plain_text().replace('\n', " ");
        let run = inlines(vec![Node::text(&text)]);
        return vec![Node::element("paragraph", run)];
    }
    match tag.as_str() {
        "paragraph" | "heading" => {
            if tag == "heading" {
                let level = attr_int(attrs.get("level")).unwrap_or(1).clamp(1, 6);
                attrs.insert("level".into(), int(level));
            }
            textblock(&tag, attrs, children, depth)
        }
        "codeBlock" => {
            let language = attr_str(attrs.get("language")).and_then(clean_language);
            attrs.insert("language".into(), language.map_or(Any::Null, Any::from));
            let text = Node::element("", children).plain_text();
            let children = if text.is_empty() {
                Vec::new()
            } else {
                vec![Node::text(&text)]
            };
            vec![element(&tag, attrs, children)]
        }
        "blockquote" => {
            let mut content = blocks(children, depth + 1);
            if content.is_empty() {
                content.push(Node::element("paragraph", Vec::new()));
            }
            vec![element(&tag, attrs, content)]
        }
        "bulletList" | "orderedList" | "taskList" => list(tag, attrs, children, depth),
        "table" => table(attrs, children, depth),
        "horizontalRule" => vec![element(&tag, attrs, Vec::new())],
        "image" => {
            let Some(src) = attr_str(attrs.get("src")).and_then(safe_image_src) else {
                return Vec::new();
            };
            attrs.insert("src".into(), Any::from(src));
            for key in ["alt", "title"] {
                let value = attr_str(attrs.get(key)).map_or(Any::Null, Any::from);
                attrs.insert(key.into(), value);
            }
            vec![element(&tag, attrs, Vec::new())]
        }
        // A stray item, row or cell given to `block` directly.
        _ => blocks(vec![element(&tag, attrs, children)], depth),
    }
}

fn element(tag: &str, attrs: Props, children: Vec<Node>) -> Node {
    Node::Element {
        tag: tag.to_owned(),
        attrs,
        children,
    }
}

/// A language name safe in a class name and after a code fence.
fn clean_language(language: &str) -> Option<Any> {
    let language: String = language
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_+#.".contains(*c))
        .take(40)
        .collect();
    (!language.is_empty()).then(|| Any::from(language))
}

/// A paragraph or heading; blocks inside it are lifted out between pieces of it.
fn textblock(tag: &str, attrs: Props, children: Vec<Node>, depth: usize) -> Vec<Node> {
    let mut parts = Vec::new();
    pieces(children, depth, &mut parts);
    let mut out = Vec::new();
    let mut run = Vec::new();
    let mut others = Vec::new();
    // Whitespace between lifted-out blocks is dropped; a textblock of only inline content
    // keeps all of it.
    let only_inline = parts.iter().all(|(kind, _)| *kind == Kind::Inline);
    let flush_run = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
        let inline = inlines(std::mem::take(run));
        if only_inline || !is_blank(&inline) {
            out.push(element(tag, attrs.clone(), inline));
        }
    };
    for (kind, node) in parts {
        if kind == Kind::Inline {
            if !others.is_empty() {
                out.extend(blocks(std::mem::take(&mut others), depth));
            }
            run.push(node);
        } else {
            flush_run(&mut run, &mut out);
            others.push(node);
        }
    }
    flush_run(&mut run, &mut out);
    out.extend(blocks(others, depth));
    if out.is_empty() {
        out.push(element(tag, attrs, Vec::new()));
    }
    out
}

/// Inline content: text with the schema's marks (merged when alike) and bare hard breaks.
fn inlines(nodes: Vec<Node>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for node in nodes {
        match node {
            Node::Text { text, marks } => {
                if text.is_empty() {
                    continue;
                }
                let marks = clean_marks(marks);
                if let Some(Node::Text {
                    text: last,
                    marks: last_marks,
                }) = out.last_mut()
                {
                    if *last_marks == marks {
                        last.push_str(&text);
                        continue;
                    }
                }
                out.push(Node::Text { text, marks });
            }
            Node::Element { ref tag, .. } if tag == "hardBreak" => {
                out.push(Node::element("hardBreak", Vec::new()))
            }
            Node::Element { .. } => {}
        }
    }
    out
}

/// Keeps the schema's marks; each value becomes an object, and a link keeps only a safe href.
fn clean_marks(marks: Props) -> Props {
    let mut out = Props::new();
    for (name, value) in marks {
        if !MARKS.contains(&name.as_str()) {
            continue;
        }
        let value = match value {
            Any::Map(map) => Any::Map(map),
            _ => empty_object(),
        };
        if name == "link" {
            let Any::Map(map) = &value else { continue };
            let Some(href) = attr_str(map.get("href")).and_then(safe_href) else {
                continue;
            };
            let mut map = (**map).clone();
            map.insert("href".into(), Any::from(href));
            out.insert(name, Any::from(map));
        } else {
            out.insert(name, value);
        }
    }
    out
}

/// A list; anything but its items joins the item before it (or a new one).
fn list(tag: String, mut attrs: Props, children: Vec<Node>, depth: usize) -> Vec<Node> {
    let item_tag = if tag == "taskList" {
        "taskItem"
    } else {
        "listItem"
    };
    if tag == "orderedList" {
        let start = attr_int(attrs.get("start"))
            .unwrap_or(1)
            .clamp(0, 999_999_999);
        attrs.insert("start".into(), int(start));
    }
    let mut parts = Vec::new();
    pieces(children, depth, &mut parts);
    let mut raw: Vec<(Props, Vec<Node>)> = Vec::new();
    for (kind, node) in parts {
        match (kind, node) {
            (
                Kind::Item,
                Node::Element {
                    attrs, children, ..
                },
            ) => raw.push((attrs, children)),
            (_, node) => match raw.last_mut() {
                Some((_, content)) => content.push(node),
                None => raw.push((Props::new(), vec![node])),
            },
        }
    }
    let items: Vec<Node> = raw
        .into_iter()
        .map(|(mut item_attrs, content)| {
            if item_tag == "taskItem" {
                let checked = is_checked(item_attrs.get("checked"));
                item_attrs.insert("checked".into(), Any::Bool(checked));
            } else {
                item_attrs.remove("checked");
            }
            let mut content = blocks(content, depth + 2);
            if content.first().and_then(Node::tag) != Some("paragraph") {
                content.insert(0, Node::element("paragraph", Vec::new()));
            }
            element(item_tag, item_attrs, content)
        })
        .collect();
    if items.is_empty() {
        return Vec::new();
    }
    vec![element(&tag, attrs, items)]
}

fn is_checked(value: Option<&Any>) -> bool {
    match value {
        Some(Any::Bool(b)) => *b,
        Some(Any::String(s)) => s.as_ref() == "true",
        Some(Any::Number(n)) => n.as_f64() != Some(0.0),
        _ => false,
    }
}

/// A table; stray cells and other content are gathered into rows and cells.
fn table(attrs: Props, children: Vec<Node>, depth: usize) -> Vec<Node> {
    let mut parts = Vec::new();
    pieces(children, depth, &mut parts);
    let mut rows: Vec<Node> = Vec::new();
    let mut stray: Vec<Node> = Vec::new();
    for (kind, node) in parts {
        if kind == Kind::Row {
            if !stray.is_empty() {
                rows.extend(row(std::mem::take(&mut stray), depth));
            }
            rows.extend(row(node.children().to_vec(), depth));
        } else {
            stray.push(node);
        }
    }
    if !stray.is_empty() {
        rows.extend(row(stray, depth));
    }
    if rows.is_empty() {
        return Vec::new();
    }
    vec![element("table", attrs, rows)]
}

/// A row of cells; content outside a cell becomes a cell of its own.
fn row(children: Vec<Node>, depth: usize) -> Option<Node> {
    let mut nested = Vec::new();
    pieces(children, depth, &mut nested);
    let mut parts = Vec::new();
    for (kind, node) in nested {
        match (kind, node) {
            (Kind::Row, Node::Element { children, .. }) => pieces(children, depth, &mut parts),
            other => parts.push(other),
        }
    }
    let mut cells = Vec::new();
    let mut loose = Vec::new();
    for (kind, node) in parts {
        match (kind, node) {
            (
                Kind::Cell,
                Node::Element {
                    tag,
                    attrs,
                    children,
                },
            ) => {
                if !loose.is_empty() {
                    cells.push(cell("tableCell", Props::new(), take(&mut loose), depth));
                }
                cells.push(cell(&tag, attrs, children, depth));
            }
            (_, node) => loose.push(node),
        }
    }
    if !loose.is_empty() && !is_blank(&loose) {
        cells.push(cell("tableCell", Props::new(), loose, depth));
    }
    (!cells.is_empty()).then(|| element("tableRow", Props::new(), cells))
}

fn take(nodes: &mut Vec<Node>) -> Vec<Node> {
    std::mem::take(nodes)
}

fn cell(tag: &str, mut attrs: Props, children: Vec<Node>, depth: usize) -> Node {
    for key in ["colspan", "rowspan"] {
        let span = attr_int(attrs.get(key)).unwrap_or(1).clamp(1, 1000);
        attrs.insert(key.into(), int(span));
    }
    let colwidth = match attrs.remove("colwidth") {
        Some(Any::Array(widths)) if widths.iter().all(|w| matches!(w, Any::Number(_))) => {
            Any::Array(widths)
        }
        _ => Any::Null,
    };
    attrs.insert("colwidth".into(), colwidth);
    let mut content = blocks(children, depth + 3);
    if content.is_empty() {
        content.push(Node::element("paragraph", Vec::new()));
    }
    element(tag, attrs, content)
}

/// Whether `nodes` (the body's children) fit the schema.
pub fn is_valid(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| valid_block(n, 0))
}

fn valid_blocks(nodes: &[Node], depth: usize) -> bool {
    !nodes.is_empty() && nodes.iter().all(|n| valid_block(n, depth))
}

fn valid_block(node: &Node, depth: usize) -> bool {
    let Node::Element {
        tag,
        attrs,
        children,
    } = node
    else {
        return false;
    };
    if depth > MAX_DEPTH * 2 {
        return false;
    }
    match tag.as_str() {
        "paragraph" => valid_inlines(children),
        "heading" => {
            matches!(attr_int(attrs.get("level")), Some(1..=6))
                && matches!(attrs.get("level"), Some(Any::Number(_)))
                && valid_inlines(children)
        }
        "codeBlock" => children.iter().all(|c| match c {
            Node::Text { text, marks } => !text.is_empty() && marks.is_empty(),
            Node::Element { .. } => false,
        }),
        "blockquote" => valid_blocks(children, depth + 1),
        "bulletList" | "orderedList" | "taskList" => {
            let item = if tag == "taskList" {
                "taskItem"
            } else {
                "listItem"
            };
            !children.is_empty()
                && children
                    .iter()
                    .all(|c| c.tag() == Some(item) && valid_item(c, depth + 1))
        }
        "table" => {
            !children.is_empty()
                && children
                    .iter()
                    .all(|r| r.tag() == Some("tableRow") && valid_row(r, depth + 1))
        }
        "horizontalRule" => children.is_empty(),
        "image" => {
            children.is_empty()
                && attr_str(attrs.get("src"))
                    .and_then(safe_image_src)
                    .is_some()
        }
        _ => false,
    }
}

fn valid_item(item: &Node, depth: usize) -> bool {
    let children = item.children();
    if item.tag() == Some("taskItem") && !matches!(item.attr("checked"), Some(Any::Bool(_))) {
        return false;
    }
    children.first().and_then(Node::tag) == Some("paragraph") && valid_blocks(children, depth + 1)
}

fn valid_row(row: &Node, depth: usize) -> bool {
    !row.children().is_empty()
        && row.children().iter().all(|cell| {
            matches!(cell.tag(), Some("tableCell" | "tableHeader"))
                && valid_blocks(cell.children(), depth + 1)
        })
}

fn valid_inlines(children: &[Node]) -> bool {
    children.iter().all(|c| match c {
        Node::Text { text, marks } => {
            !text.is_empty()
                && marks.iter().all(|(name, value)| {
                    MARKS.contains(&name.as_str())
                        && match value {
                            Any::Map(map) if name == "link" => {
                                attr_str(map.get("href")).and_then(safe_href).is_some()
                            }
                            Any::Map(_) => true,
                            _ => false,
                        }
                })
        }
        Node::Element { tag, children, .. } => tag == "hardBreak" && children.is_empty(),
    })
}
