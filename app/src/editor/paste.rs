//! Pasted and dropped content: HTML is parsed by the browser's `DOMParser` into an inert
//! document (no scripts run, no images load) and walked into plain [`RawNode`]s, which
//! `gather_doc::rich_text::html_tree_to_nodes` maps onto the schema, dropping everything else.
//! Nothing pasted is ever put into the page's DOM. Plain text that looks like Markdown becomes
//! structure.

use gather_doc::rich_text::{html_tree_to_nodes, markdown_to_nodes, Node, RawNode};
use wasm_bindgen::JsCast;
use web_sys::{DomParser, Element, SupportedType};

/// How deep a pasted tree is walked; deeper content is cut off (the schema limit is lower).
const MAX_DEPTH: usize = 60;

/// The document nodes for pasted HTML, if it parses and holds anything.
pub fn html_to_nodes(html: &str) -> Option<Vec<Node>> {
    let parser = DomParser::new().ok()?;
    let document = parser
        .parse_from_string(html, SupportedType::TextHtml)
        .ok()?;
    let body = document.body()?;
    let root = walk(&body, 0)?;
    let nodes = html_tree_to_nodes(&root);
    (!nodes.is_empty()).then_some(nodes)
}

fn walk(node: &web_sys::Node, depth: usize) -> Option<RawNode> {
    match node.node_type() {
        web_sys::Node::TEXT_NODE => Some(RawNode::text(&node.node_value().unwrap_or_default())),
        web_sys::Node::ELEMENT_NODE if depth < MAX_DEPTH => {
            let el: &Element = node.unchecked_ref();
            let names = el.get_attribute_names();
            let attrs: Vec<(String, String)> = (0..names.length())
                .filter_map(|i| names.get(i).as_string())
                .filter_map(|name| Some((name.to_ascii_lowercase(), el.get_attribute(&name)?)))
                .collect();
            let children = node.child_nodes();
            let children = (0..children.length())
                .filter_map(|i| children.item(i))
                .filter_map(|child| walk(&child, depth + 1))
                .collect();
            Some(RawNode::Element {
                tag: el.local_name().to_ascii_lowercase(),
                attrs,
                children,
            })
        }
        _ => None,
    }
}

/// Markdown nodes for pasted plain text that looks like Markdown (headings, lists, quotes,
/// fences, tables, emphasis, links); `None` for ordinary text.
pub fn markdown_text(text: &str) -> Option<Vec<Node>> {
    looks_like_markdown(text).then(|| markdown_to_nodes(text))
}

fn looks_like_markdown(text: &str) -> bool {
    let line_signal = text.lines().any(|line| {
        let l = line.trim_start();
        let hashes = l.bytes().take_while(|b| *b == b'#').count();
        (1..=6).contains(&hashes) && l[hashes..].starts_with(' ')
            || ["- ", "* ", "+ ", "> ", "```", "- [ ] ", "- [x] "]
                .iter()
                .any(|p| l.starts_with(p))
            || (l.starts_with('|') && l.ends_with('|') && l.len() > 2)
            || l.split_once(". ").is_some_and(|(n, _)| {
                !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit())
            })
    });
    line_signal
        || (text.contains("**") && text.matches("**").count() >= 2)
        || text.contains("](http")
}
