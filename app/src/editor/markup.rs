//! Building the elements for top-level nodes. The nodes are written as a list of steps (open
//! an element, set an attribute, add a text node, close) in one JSON string, which
//! `js/blocks.js` carries out with `createElement`, `setAttribute` and `createTextNode`: one
//! call from wasm for a whole document instead of one per element, attribute and text (a
//! 100-page document has about 8,000 elements). Document text is never parsed as HTML.
//!
//! The steps, each a JSON string: `<tag` opens an element inside the open one, `@name`
//! followed by the value sets an attribute, `#text` adds a text node, `>` closes the element.
//! A closed element with nothing open around it is one of the built nodes.
//!
//! A whole document arriving (opening it, a restore) builds only its first nodes' content at
//! once, so its top is on screen sooner; the rest is built in the background in steps of a
//! few milliseconds. `Page` completes it at once before it needs the blocks' elements.

use gather_doc::rich_text::{Ancestor, Block, BlockKind, Container, Inline, Mark};
use wasm_bindgen::JsCast;
use web_sys::Element;

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/blocks.js")]
extern "C" {
    #[wasm_bindgen(js_name = buildNodes)]
    fn build_nodes(steps: &str, eager: u32) -> js_sys::Array;
    #[wasm_bindgen(js_name = finishNodes)]
    pub(super) fn finish_nodes();
}

/// Builds one element per item of `groups` (each a top-level node's blocks, as
/// `dom::groups` splits them). Only the first `eager` get their content at once; the others
/// get it in the background (or at [`finish_nodes`]).
pub(super) fn group_elements<'a>(
    groups: impl IntoIterator<Item = &'a [Block]>,
    eager: usize,
) -> Vec<Element> {
    let mut steps = Steps::default();
    let mut count = 0;
    for blocks in groups {
        steps.group(blocks);
        count += 1;
    }
    let built = build_nodes(&steps.finish(), eager.try_into().unwrap_or(u32::MAX));
    let mut out: Vec<Element> = built
        .iter()
        .filter_map(|el| el.dyn_into::<Element>().ok())
        .collect();
    // Each group builds exactly one node; should that ever fail, an empty paragraph keeps
    // the page's count of nodes right.
    while out.len() < count {
        let p = document().create_element("p").expect("create p");
        out.push(p);
    }
    out.truncate(count);
    out
}

/// Builds one top-level node from its blocks.
pub(super) fn group_element(blocks: &[Block]) -> Element {
    group_elements([blocks], 1).pop().expect("one node built")
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("document")
}

#[derive(Default)]
struct Steps {
    out: Vec<u8>,
    /// One step's string before it is written as JSON (reused: a document has tens of
    /// thousands of steps).
    scratch: String,
}

impl Steps {
    fn step(&mut self, prefix: char, text: &str) {
        self.out.push(if self.out.is_empty() { b'[' } else { b',' });
        self.scratch.clear();
        self.scratch.push(prefix);
        self.scratch.push_str(text);
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, &self.scratch);
    }

    fn open(&mut self, tag: &str) {
        self.step('<', tag);
    }

    fn attr(&mut self, name: &str, value: &str) {
        self.step('@', name);
        self.out.push(b',');
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    fn text(&mut self, text: &str) {
        self.step('#', text);
    }

    fn close(&mut self) {
        self.step('>', "");
    }

    fn finish(mut self) -> String {
        if self.out.is_empty() {
            self.out.push(b'[');
        }
        self.out.push(b']');
        String::from_utf8(self.out).unwrap_or_default()
    }

    /// One top-level node: its containers opened and closed as the blocks' paths say.
    fn group(&mut self, blocks: &[Block]) {
        // The open containers, with how many elements each opened.
        let mut stack: Vec<(&Ancestor, usize)> = Vec::new();
        let mut wrote = false;
        for block in blocks {
            let shared = stack
                .iter()
                .zip(&block.path)
                .take_while(|((a, _), b)| *a == *b)
                .count();
            if shared == 0 && wrote {
                // A second top-level node: `dom::groups` never puts two in one group.
                break;
            }
            for (_, opened) in stack.drain(shared..).rev() {
                for _ in 0..opened {
                    self.close();
                }
            }
            for ancestor in &block.path[shared..] {
                let opened = self.container(&ancestor.container);
                stack.push((ancestor, opened));
            }
            self.block(block);
            wrote = true;
        }
        for (_, opened) in stack.drain(..).rev() {
            for _ in 0..opened {
                self.close();
            }
        }
        if !wrote {
            self.open("p");
            self.close();
        }
    }

    /// Opens the elements for a container (its children go in the innermost, a table's
    /// `tbody`); returns how many.
    fn container(&mut self, container: &Container) -> usize {
        match container {
            Container::BulletList => self.open("ul"),
            Container::OrderedList { start } => {
                self.open("ol");
                if *start != 1 {
                    self.attr("start", &start.to_string());
                }
            }
            Container::ListItem => self.open("li"),
            Container::TaskList => {
                self.open("ul");
                self.attr("class", "tasks");
            }
            Container::TaskItem { checked } => {
                self.open("li");
                self.attr("class", if *checked { "task done" } else { "task" });
                self.open("label");
                self.attr("contenteditable", "false");
                self.open("input");
                self.attr("type", "checkbox");
                self.attr("data-task", "");
                if *checked {
                    self.attr("checked", "");
                }
                self.close();
                self.close();
            }
            Container::Blockquote => self.open("blockquote"),
            Container::Table => {
                self.open("table");
                self.open("tbody");
                return 2;
            }
            Container::TableRow => self.open("tr"),
            Container::TableCell {
                header,
                colspan,
                rowspan,
            } => {
                self.open(if *header { "th" } else { "td" });
                if *colspan > 1 {
                    self.attr("colspan", &colspan.to_string());
                }
                if *rowspan > 1 {
                    self.attr("rowspan", &rowspan.to_string());
                }
            }
        }
        1
    }

    /// One block's element, closed.
    fn block(&mut self, block: &Block) {
        match &block.kind {
            BlockKind::Paragraph => self.open("p"),
            BlockKind::Heading(level) => self.open(&format!("h{}", level.clamp(&1, &6))),
            BlockKind::CodeBlock { language } => {
                self.open("pre");
                if let Some(language) = language {
                    self.attr("data-language", language);
                }
            }
            BlockKind::Rule => {
                self.open("hr");
                self.attr("contenteditable", "false");
                self.attr("data-b", "");
                self.close();
                return;
            }
            BlockKind::Image { src, alt } => {
                self.open("figure");
                self.attr("contenteditable", "false");
                self.attr("data-b", "");
                if safe_image_src(src) {
                    self.open("img");
                    // The document's own pictures need the link's token: `images` shows them.
                    let own = src.starts_with("/api/docs/");
                    self.attr(if own { "data-src" } else { "src" }, src);
                    self.attr("alt", alt);
                    self.close();
                }
                if !alt.is_empty() {
                    self.open("figcaption");
                    self.text(alt);
                    self.close();
                }
                self.close();
                return;
            }
            BlockKind::Unsupported(name) => {
                self.open("div");
                self.attr("contenteditable", "false");
                self.attr("class", "unsupported");
                self.attr("data-node", name);
            }
        }
        self.attr("data-b", "");
        for inline in &block.inlines {
            match inline {
                Inline::Text { text, marks, link } => {
                    if text.is_empty() {
                        continue;
                    }
                    // Outermost first: the link, then the marks from bold inwards to code.
                    let href = link.as_deref().and_then(gather_doc::rich_text::safe_href);
                    let mut opened = 0;
                    if let Some(href) = &href {
                        self.open("a");
                        self.attr("href", href);
                        self.attr("rel", "noopener noreferrer nofollow");
                        self.attr("target", "_blank");
                        opened += 1;
                    }
                    for (mark, tag) in [
                        (Mark::Bold, "strong"),
                        (Mark::Italic, "em"),
                        (Mark::Underline, "u"),
                        (Mark::Strike, "s"),
                        (Mark::Highlight, "mark"),
                        (Mark::Code, "code"),
                    ] {
                        if marks.has(mark) {
                            self.open(tag);
                            opened += 1;
                        }
                    }
                    self.text(text);
                    for _ in 0..opened {
                        self.close();
                    }
                }
                Inline::HardBreak => {
                    self.open("br");
                    self.attr("data-hard", "");
                    self.close();
                }
                Inline::Other => {
                    self.open("span");
                    self.attr("data-atom", "");
                    self.attr("contenteditable", "false");
                    self.text("\u{FFFC}");
                    self.close();
                }
            }
        }
        // An empty block (or one ending in a hard break) needs a trailing <br> to show a line.
        let ends_in_newline =
            matches!(block.kind, BlockKind::CodeBlock { .. }) && block.text().ends_with('\n');
        if block.is_empty()
            || ends_in_newline
            || matches!(block.inlines.last(), Some(Inline::HardBreak))
        {
            self.open("br");
            self.close();
        }
        self.close();
    }
}

/// Pictures are shown only from the web (`https`, `http`) or this server's own paths.
fn safe_image_src(src: &str) -> bool {
    let lower = src.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("/api/"))
        && !src.chars().any(char::is_control)
}
