//! Rendering blocks into the editable element and mapping between DOM selections and model
//! [`Pos`]itions. Content is built with `createElement` and `createTextNode` only: document text
//! is never parsed as HTML.
//!
//! Offsets count UTF-16 code units, as DOM text offsets do. A `<br data-hard>` (hard break) or
//! an element marked `data-atom` counts one; the `<br>` that keeps an empty block visible
//! counts nothing.

use gather_doc::rich_text::{Block, BlockKind, Inline, Mark, Pos};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

/// Brings the children of `root` from showing `old` to showing `new`, replacing only the
/// blocks that differ (so a caret in an untouched block stays put). `force` re-creates the
/// given block even when equal (after the browser changed it during an IME composition).
pub fn render(root: &Element, old: &[Block], new: &[Block], force: Option<u32>) {
    let document = root.owner_document().expect("document");
    let children = root.child_nodes();
    // Drop anything the browser may have added beyond our blocks.
    while children.length() as usize > old.len().max(new.len()) {
        if let Some(last) = root.last_child() {
            let _ = root.remove_child(&last);
        }
    }
    for (i, block) in new.iter().enumerate() {
        let current = children.item(i as u32);
        let same = old.get(i) == Some(block) && force != Some(i as u32);
        match current {
            Some(node) if same && node.node_type() == Node::ELEMENT_NODE => {}
            Some(node) => {
                let _ = root.replace_child(&block_element(&document, block), &node);
            }
            None => {
                let _ = root.append_child(&block_element(&document, block));
            }
        }
    }
    while children.length() as usize > new.len() {
        if let Some(last) = root.last_child() {
            let _ = root.remove_child(&last);
        }
    }
}

fn block_element(document: &Document, block: &Block) -> Element {
    let tag = match block.kind {
        BlockKind::Paragraph => "p".to_owned(),
        BlockKind::Heading(level) => format!("h{}", level.clamp(1, 6)),
        BlockKind::Unsupported(_) => "div".to_owned(),
    };
    let el = document.create_element(&tag).expect("create block");
    if let BlockKind::Unsupported(name) = &block.kind {
        let _ = el.set_attribute("contenteditable", "false");
        let _ = el.set_attribute("class", "unsupported");
        let _ = el.set_attribute("data-node", name);
    }
    for inline in &block.inlines {
        match inline {
            Inline::Text { text, marks } => {
                if text.is_empty() {
                    continue;
                }
                let mut node: Node = document.create_text_node(text).into();
                for (mark, tag) in [
                    (Mark::Code, "code"),
                    (Mark::Strike, "s"),
                    (Mark::Underline, "u"),
                    (Mark::Italic, "em"),
                    (Mark::Bold, "strong"),
                ] {
                    if marks.has(mark) {
                        let wrapper = document.create_element(tag).expect("create mark");
                        let _ = wrapper.append_child(&node);
                        node = wrapper.into();
                    }
                }
                let _ = el.append_child(&node);
            }
            Inline::HardBreak => {
                let br = document.create_element("br").expect("create br");
                let _ = br.set_attribute("data-hard", "");
                let _ = el.append_child(&br);
            }
            Inline::Other => {
                let atom = document.create_element("span").expect("create atom");
                let _ = atom.set_attribute("data-atom", "");
                let _ = atom.set_attribute("contenteditable", "false");
                atom.set_text_content(Some("\u{FFFC}"));
                let _ = el.append_child(&atom);
            }
        }
    }
    // An empty block (or one ending in a hard break) needs a trailing <br> to show a line.
    if block.is_empty() || matches!(block.inlines.last(), Some(Inline::HardBreak)) {
        let br = document.create_element("br").expect("create br");
        let _ = el.append_child(&br);
    }
    el
}

/// The text a rendered block shows now, counted as the model counts it (a hard break is
/// `\n`, an atom `\u{FFFC}`, the placeholder `<br>` nothing). Used after an IME composition,
/// when the browser, not the model, has changed the block.
pub fn block_text(root: &Element, index: u32) -> Option<String> {
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
    let block = root.child_nodes().item(index)?;
    let mut out = String::new();
    walk(&block, &mut out);
    Some(out)
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

/// The block element (a direct child of `root`) containing `node`, and its index.
fn block_of(root: &Element, node: &Node) -> Option<(u32, Node)> {
    let root_node: &Node = root.as_ref();
    let mut current = node.clone();
    loop {
        let parent = current.parent_node()?;
        if &parent == root_node {
            let children = root.child_nodes();
            let index =
                (0..children.length()).find(|i| children.item(*i).as_ref() == Some(&current))?;
            return Some((index, current));
        }
        current = parent;
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

/// The model position of a DOM boundary point, if it lies inside `root`.
pub fn dom_to_pos(root: &Element, node: &Node, offset: u32) -> Option<Pos> {
    let root_node: &Node = root.as_ref();
    if node == root_node {
        let count = root.child_nodes().length();
        if count == 0 {
            return Some(Pos::new(0, 0));
        }
        if offset >= count {
            let last = root.last_child()?;
            return Some(Pos::new(count - 1, measure(&last)));
        }
        return Some(Pos::new(offset, 0));
    }
    let (index, block) = block_of(root, node)?;
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
    Some(Pos::new(index, at))
}

/// The DOM boundary point for a model position (clamped to what is rendered).
pub fn pos_to_dom(root: &Element, pos: Pos) -> Option<(Node, u32)> {
    let children = root.child_nodes();
    let count = children.length();
    if count == 0 {
        return Some((root.clone().into(), 0));
    }
    let block = children.item(pos.block.min(count - 1))?;
    let mut remaining = pos.offset;
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

    use gather_doc::rich_text::{Block, BlockKind, Inline, Mark, Marks, Pos};
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn text(s: &str, marks: Marks) -> Inline {
        Inline::Text {
            text: s.into(),
            marks,
        }
    }

    fn sample() -> Vec<Block> {
        let bold = Marks::default().with(Mark::Bold, true);
        vec![
            Block {
                kind: BlockKind::Heading(2),
                inlines: vec![text("晨检", Marks::default())],
            },
            Block {
                kind: BlockKind::Paragraph,
                inlines: vec![
                    text("体温 ", Marks::default()),
                    text("37.3😷", bold),
                    Inline::HardBreak,
                    text("<b>not html</b>", Marks::default()),
                ],
            },
            Block {
                kind: BlockKind::Paragraph,
                inlines: vec![],
            },
        ]
    }

    fn root() -> Element {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        root
    }

    #[wasm_bindgen_test]
    fn renders_blocks_and_marks_without_parsing_html() {
        let root = root();
        render(&root, &[], &sample(), None);
        let html = root.inner_html();
        assert!(html.starts_with("<h2>晨检</h2><p>体温 <strong>37.3😷</strong><br data-hard=\"\">"));
        assert!(html.contains("&lt;b&gt;not html&lt;/b&gt;"), "{html}");
        assert!(html.ends_with("<p><br></p>"), "{html}");
    }

    #[wasm_bindgen_test]
    fn every_position_maps_to_the_dom_and_back() {
        let root = root();
        let blocks = sample();
        render(&root, &[], &blocks, None);
        for (b, block) in blocks.iter().enumerate() {
            for offset in 0..=block.len() {
                let pos = Pos::new(b as u32, offset);
                let (node, at) = pos_to_dom(&root, pos).unwrap();
                assert_eq!(dom_to_pos(&root, &node, at), Some(pos), "{pos:?}");
            }
        }
        // A boundary expressed on the root itself (as after select-all) maps to block edges.
        let root_node: &Node = root.as_ref();
        assert_eq!(dom_to_pos(&root, root_node, 1), Some(Pos::new(1, 0)));
        assert_eq!(dom_to_pos(&root, root_node, 3), Some(Pos::new(2, 0)));
    }

    #[wasm_bindgen_test]
    fn only_changed_blocks_are_replaced() {
        let root = root();
        let old = sample();
        render(&root, &[], &old, None);
        let first = root.first_child().unwrap();
        let mut new = old.clone();
        new[1].inlines.push(text("!", Marks::default()));
        render(&root, &old, &new, None);
        assert!(root.first_child().unwrap().is_same_node(Some(&first)));
        assert_eq!(root.child_nodes().length(), 3);
        new.truncate(1);
        render(&root, &old, &new, None);
        assert_eq!(root.child_nodes().length(), 1);
    }
}
