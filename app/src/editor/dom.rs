//! Mapping between DOM selections and model [`Pos`]itions in the rendered blocks (which
//! `markup` builds).
//!
//! Offsets count UTF-16 code units, as DOM text offsets do. A `<br data-hard>` (hard break) or
//! an element marked `data-atom` counts one; the `<br>` that keeps an empty block visible
//! counts nothing.

use gather_doc::rich_text::{Block, Pos};
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// The blocks of each top-level node, as index ranges.
pub(super) fn groups(blocks: &[Block]) -> Vec<std::ops::Range<usize>> {
    let top = |b: &Block| (b.top(), b.path.is_empty());
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        match out.last_mut() {
            Some(range) if !block.path.is_empty() && top(&blocks[range.start]) == top(block) => {
                range.end = i + 1
            }
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Every rendered block element, in document order.
fn block_elements(root: &Element) -> web_sys::NodeList {
    root.query_selector_all("[data-b]").expect("valid selector")
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/blocks.js")]
extern "C" {
    #[wasm_bindgen(js_name = blockIndex)]
    pub(super) fn block_index(root: &Element, block: &Node) -> i32;
    #[wasm_bindgen(js_name = childIndex)]
    pub(super) fn child_index(parent: &Node, child: &Node) -> i32;
}

/// The text a rendered block shows now, counted as the model counts it (a hard break is
/// `\n`, an atom `\u{FFFC}`, the placeholder `<br>` nothing). Used after an IME composition,
/// when the browser, not the model, has changed the block.
pub fn block_text(block: &Node) -> String {
    fn walk(node: &Node, out: &mut String) {
        match node.node_type() {
            Node::TEXT_NODE => out.push_str(&node.node_value().unwrap_or_default()),
            Node::ELEMENT_NODE => {
                let el: &Element = node.unchecked_ref();
                if el.tag_name() == "BR" {
                    if el.has_attribute("data-hard") {
                        out.push('\n');
                    }
                } else if el.has_attribute("data-atom") {
                    out.push('\u{FFFC}');
                } else {
                    let children = node.child_nodes();
                    for i in 0..children.length() {
                        if let Some(child) = children.item(i) {
                            walk(&child, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    walk(block, &mut out);
    out
}

/// How many positions a node spans.
fn measure(node: &Node) -> u32 {
    match node.node_type() {
        Node::TEXT_NODE => node
            .node_value()
            .map_or(0, |s| s.encode_utf16().count() as u32),
        Node::ELEMENT_NODE => {
            let el: &Element = node.unchecked_ref();
            if el.tag_name() == "BR" {
                return u32::from(el.has_attribute("data-hard"));
            }
            if el.has_attribute("data-atom") {
                return 1;
            }
            let children = node.child_nodes();
            (0..children.length())
                .filter_map(|i| children.item(i))
                .map(|c| measure(&c))
                .sum()
        }
        _ => 0,
    }
}

/// The block element containing `node` (or `node` itself), and its index.
fn block_of(
    root: &Element,
    node: &Node,
    index: &dyn Fn(&Node) -> Option<u32>,
) -> Option<(u32, Node)> {
    let root_node: &Node = root.as_ref();
    let mut current = node.clone();
    loop {
        if &current == root_node {
            return None;
        }
        if let Some(el) = current.dyn_ref::<Element>() {
            if el.has_attribute("data-b") {
                return Some((index(&current)?, current));
            }
        }
        current = current.parent_node()?;
    }
}

/// Positions before `node` inside `block`.
fn before(block: &Node, node: &Node) -> u32 {
    let mut total = 0;
    let mut current = node.clone();
    while &current != block {
        let mut sibling = current.previous_sibling();
        while let Some(s) = sibling {
            total += measure(&s);
            sibling = s.previous_sibling();
        }
        match current.parent_node() {
            Some(parent) => current = parent,
            None => break,
        }
    }
    total
}

/// The model position of a DOM boundary point, if it lies inside `root` (which holds every
/// block), with `index` saying where a block element is among all of them.
pub(super) fn dom_to_pos_with(
    root: &Element,
    node: &Node,
    offset: u32,
    index: &dyn Fn(&Node) -> Option<u32>,
) -> Option<Pos> {
    let root_node: &Node = root.as_ref();
    if node != root_node && !root_node.contains(Some(node)) {
        return None;
    }
    let Some((at_block, block)) = block_of(root, node, index) else {
        // A point between blocks (on the root, a list, a row…): the block that starts after
        // it, or the end of the last block before it.
        let count = block_elements(root).length();
        if count == 0 {
            return Some(Pos::new(0, 0));
        }
        let children = node.child_nodes();
        let el: Option<&Element> = node.dyn_ref();
        if let Some(child) = children.item(offset) {
            if let Some(first) = first_block_in(&child) {
                return Some(Pos::new(index(&first)?, 0));
            }
        }
        let before = el.and_then(|e| {
            let all = e.query_selector_all("[data-b]").ok()?;
            let mut last = None;
            for i in 0..all.length() {
                let b = all.item(i)?;
                let inside_earlier = (0..offset.min(children.length()))
                    .filter_map(|k| children.item(k))
                    .any(|c| c.contains(Some(&b)));
                if inside_earlier {
                    last = Some(b);
                }
            }
            last
        });
        return match before {
            Some(b) => Some(Pos::new(index(&b)?, measure(&b))),
            None => Some(Pos::new(0, 0)),
        };
    };
    let mut at = if node == &block {
        0
    } else {
        before(&block, node)
    };
    if node.node_type() == Node::TEXT_NODE {
        at += offset;
    } else {
        let children = node.child_nodes();
        for i in 0..offset.min(children.length()) {
            if let Some(child) = children.item(i) {
                at += measure(&child);
            }
        }
    }
    Some(Pos::new(at_block, at))
}

/// The first block element at or inside `node`.
fn first_block_in(node: &Node) -> Option<Node> {
    let el: &Element = node.dyn_ref()?;
    if el.has_attribute("data-b") {
        return Some(node.clone());
    }
    el.query_selector("[data-b]").ok().flatten().map(Into::into)
}

/// The DOM boundary point `offset` positions into a block element (clamped to its end).
pub(super) fn point_in_block(block: Node, offset: u32) -> Option<(Node, u32)> {
    let el: &Element = block.unchecked_ref();
    if el.get_attribute("contenteditable").as_deref() == Some("false") {
        // A rule or picture: the point just before it.
        let parent = block.parent_node()?;
        let children = parent.child_nodes();
        let at = (0..children.length()).find(|i| children.item(*i).as_ref() == Some(&block))?;
        return Some((parent, at));
    }
    let mut remaining = offset;
    if let Some(found) = find_point(&block, &mut remaining) {
        return Some(found);
    }
    // Past the end: after the last content (before a trailing placeholder <br>).
    Some(end_of(&block))
}

fn find_point(node: &Node, remaining: &mut u32) -> Option<(Node, u32)> {
    let children = node.child_nodes();
    for i in 0..children.length() {
        let child = children.item(i)?;
        match child.node_type() {
            Node::TEXT_NODE => {
                let len = measure(&child);
                if *remaining <= len {
                    return Some((child, *remaining));
                }
                *remaining -= len;
            }
            Node::ELEMENT_NODE => {
                let len = measure(&child);
                let el: &Element = child.unchecked_ref();
                let atomic = el.tag_name() == "BR" || el.has_attribute("data-atom");
                if atomic {
                    if *remaining == 0 {
                        return Some((node.clone(), i));
                    }
                    *remaining -= len;
                } else if let Some(found) = find_point(&child, remaining) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

fn end_of(block: &Node) -> (Node, u32) {
    let children = block.child_nodes();
    let mut index = children.length();
    if let Some(last) = block.last_child() {
        let el: Option<&Element> = last.dyn_ref();
        if el.is_some_and(|e| e.tag_name() == "BR" && !e.has_attribute("data-hard")) {
            index -= 1;
        }
    }
    (block.clone(), index)
}

#[cfg(test)]
mod tests {
    //! Browser tests (wasm-bindgen-test in headless Chromium): rendering into a real DOM and
    //! mapping positions both ways.

    use gather_doc::rich_text::{Block, BlockKind, Container, Inline, Mark, Marks, Pos};
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn text(s: &str, marks: Marks) -> Inline {
        Inline::Text {
            text: s.into(),
            marks,
            link: None,
        }
    }

    fn sample() -> Vec<Block> {
        let bold = Marks::default().with(Mark::Bold, true);
        vec![
            Block {
                kind: BlockKind::Heading(2),
                inlines: vec![text("晨检", Marks::default())],
                ..Block::default()
            },
            Block {
                kind: BlockKind::Paragraph,
                inlines: vec![
                    text("体温 ", Marks::default()),
                    text("37.3😷", bold),
                    Inline::HardBreak,
                    text("<b>not html</b>", Marks::default()),
                ],
                index: 1,
                ..Block::default()
            },
            Block {
                index: 2,
                ..Block::default()
            },
        ]
    }

    /// A bulleted list of two items after a paragraph.
    fn nested() -> Vec<Block> {
        let item = |i: u32, s: &str| Block {
            inlines: vec![text(s, Marks::default())],
            path: vec![
                gather_doc::rich_text::Ancestor {
                    container: Container::BulletList,
                    index: 1,
                },
                gather_doc::rich_text::Ancestor {
                    container: Container::ListItem,
                    index: i,
                },
            ],
            ..Block::default()
        };
        vec![
            Block {
                inlines: vec![text("物资", Marks::default())],
                ..Block::default()
            },
            item(0, "口罩"),
            item(1, "手套"),
        ]
    }

    /// A page over a fresh host: the host is where blocks are rendered in a short document.
    fn page() -> (super::super::page::Page, Element) {
        let document = web_sys::window().unwrap().document().unwrap();
        let outer = document.create_element("div").unwrap();
        let host = document.create_element("div").unwrap();
        outer.append_child(&host).unwrap();
        document.body().unwrap().append_child(&outer).unwrap();
        (super::super::page::Page::new(host.clone()), host)
    }

    #[wasm_bindgen_test]
    fn renders_blocks_and_marks_without_parsing_html() {
        let (mut page, root) = page();
        page.render(&[], &sample(), None);
        let html = root.inner_html();
        assert!(html.starts_with(
            "<h2 data-b=\"\">晨检</h2><p data-b=\"\">体温 <strong>37.3😷</strong><br data-hard=\"\">"
        ), "{html}");
        assert!(html.contains("&lt;b&gt;not html&lt;/b&gt;"), "{html}");
        assert!(html.ends_with("<p data-b=\"\"><br></p>"), "{html}");
    }

    #[wasm_bindgen_test]
    fn lists_nest_and_positions_map_through_them() {
        let (mut page, root) = page();
        let blocks = nested();
        page.render(&[], &blocks, None);
        assert_eq!(
            root.inner_html(),
            "<p data-b=\"\">物资</p><ul><li><p data-b=\"\">口罩</p></li><li><p data-b=\"\">手套</p></li></ul>"
        );
        for (b, block) in blocks.iter().enumerate() {
            for offset in 0..=block.len() {
                let pos = Pos::new(b as u32, offset);
                let (node, at) = page.pos_to_dom(pos).unwrap();
                assert_eq!(page.dom_to_pos(&node, at), Some(pos), "{pos:?}");
            }
        }
        // A point on the list element itself maps to the item's block.
        let list = root.query_selector("ul").unwrap().unwrap();
        assert_eq!(page.dom_to_pos(list.as_ref(), 1), Some(Pos::new(2, 0)));
    }

    #[wasm_bindgen_test]
    fn every_position_maps_to_the_dom_and_back() {
        let (mut page, root) = page();
        let blocks = sample();
        page.render(&[], &blocks, None);
        for (b, block) in blocks.iter().enumerate() {
            for offset in 0..=block.len() {
                let pos = Pos::new(b as u32, offset);
                let (node, at) = page.pos_to_dom(pos).unwrap();
                assert_eq!(page.dom_to_pos(&node, at), Some(pos), "{pos:?}");
            }
        }
        // A boundary expressed on the root itself (as after select-all) maps to block edges.
        let root_node: &Node = root.as_ref();
        assert_eq!(page.dom_to_pos(root_node, 1), Some(Pos::new(1, 0)));
        assert_eq!(page.dom_to_pos(root_node, 3), Some(Pos::new(2, 0)));
    }

    #[wasm_bindgen_test]
    fn only_changed_blocks_are_replaced() {
        let (mut page, root) = page();
        let old = sample();
        page.render(&[], &old, None);
        let first = root.first_child().unwrap();
        let mut new = old.clone();
        new[1].inlines.push(text("!", Marks::default()));
        page.render(&old, &new, None);
        assert!(root.first_child().unwrap().is_same_node(Some(&first)));
        assert_eq!(root.child_nodes().length(), 3);
        new.truncate(1);
        page.render(&old, &new, None);
        assert_eq!(root.child_nodes().length(), 1);
    }
}
