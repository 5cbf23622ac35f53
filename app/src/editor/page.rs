//! The rendered document as the browser holds it: every top-level node (a paragraph, a whole
//! list, a table) in document order, spread over three containers in one flow. Only the middle
//! one, the editing host, is `contenteditable`.
//!
//! Why: while the page has focus, Chromium does work in proportion to the editing host's whole
//! content on every selection change (measured: 25 ms per key in a 100-page document, with
//! native typing too; 4 ms when the host holds a tenth of it). So a long document keeps only a
//! window of top-level nodes around the selection editable; the nodes before and after it are
//! shown, in the same style and place, in plain containers, and move into the window as the
//! selection nears them ([`Page::reveal`]). A document of up to [`WHOLE`] top-level nodes is
//! editable whole.
//!
//! The page also keeps each top-level node's element and blocks, so finding a block's element
//! or a node's block needs no query over the whole document.

use std::ops::Range;

use gather_doc::rich_text::{Block, Pos};
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

use super::{dom, markup};

/// Documents with at most this many top-level nodes are editable whole.
pub const WHOLE: usize = 150;
/// A window reaches this many top-level nodes beyond the selection on each side…
const RADIUS: usize = 25;
/// …and moves when the selection comes closer than this to its edge.
const MARGIN: usize = 10;
/// When a render builds more top-level nodes than this, only the first [`EAGER`] get their
/// content at once; the rest is built in the background (see `markup`). The window after such
/// a render lies within those.
const DEFER_OVER: usize = 300;
const EAGER: usize = 120;

pub struct Page {
    /// Holds `before`, the host and `after`, in that order (the host's parent).
    outer: Element,
    before: Element,
    host: Element,
    after: Element,
    /// Each top-level node's element, in order.
    groups: Vec<Element>,
    /// The blocks each top-level node holds.
    ranges: Vec<Range<usize>>,
    /// The top-level nodes in the editing host.
    window: Range<usize>,
    /// Some nodes' content may still be being built in the background.
    deferred: std::cell::Cell<bool>,
}

impl Page {
    /// Takes over `host`, which must have a parent: the other two containers go beside it.
    pub fn new(host: Element) -> Page {
        let document = host.owner_document().expect("document");
        let outer = host.parent_element().expect("the editor has a parent");
        let part = || {
            let div = document.create_element("div").expect("create div");
            let _ = div.set_attribute("class", "flow shown");
            div
        };
        let (before, after) = (part(), part());
        let _ = outer.insert_before(&before, Some(&host));
        let _ = outer.insert_before(&after, host.next_sibling().as_ref());
        Page {
            outer,
            before,
            host,
            after,
            groups: Vec::new(),
            ranges: Vec::new(),
            window: 0..0,
            deferred: std::cell::Cell::new(false),
        }
    }

    /// Completes the content left for the background, before anything reads the blocks'
    /// elements.
    pub fn settle(&self) {
        if self.deferred.replace(false) {
            markup::finish_nodes();
        }
    }

    /// The element holding every rendered block.
    pub fn outer(&self) -> &Element {
        &self.outer
    }

    /// Brings the page from showing `old` to showing `new`. Top-level nodes equal in both at
    /// the start and the end keep their elements (so a caret in an untouched part stays put,
    /// and a new paragraph near the top does not rebuild the 100 pages below it); the ones
    /// between are built again. `force` rebuilds the node holding that block even when equal
    /// (after the browser changed it during a composition).
    pub fn render(&mut self, old: &[Block], new: &[Block], force: Option<u32>) {
        let mut old_ranges = dom::groups(old);
        if old_ranges.len() != self.groups.len() {
            // What is shown is not what `old` says (the first render, or after a composition):
            // build everything.
            for el in self.groups.drain(..) {
                el.remove();
            }
            old_ranges.clear();
            self.window = 0..0;
        }
        let new_ranges = dom::groups(new);
        let forced = |r: &Range<usize>| force.is_some_and(|f| r.contains(&(f as usize)));
        let same = |i: usize, j: usize| {
            !forced(&new_ranges[j])
                && same_shown(&old[old_ranges[i].clone()], &new[new_ranges[j].clone()])
        };
        let (on, nn) = (old_ranges.len(), new_ranges.len());
        let mut prefix = 0;
        while prefix < on.min(nn) && same(prefix, prefix) {
            prefix += 1;
        }
        let mut suffix = 0;
        while suffix < (on - prefix).min(nn - prefix) && same(on - 1 - suffix, nn - 1 - suffix) {
            suffix += 1;
        }
        for el in &self.groups[prefix..on - suffix] {
            el.remove();
        }
        // Many new nodes (a document arriving whole): their content beyond the first screens
        // is built in the background.
        let count = nn - suffix - prefix;
        let eager = if count > DEFER_OVER { EAGER } else { count };
        if eager < count {
            self.deferred.set(true);
        }
        let built = markup::group_elements(
            new_ranges[prefix..nn - suffix]
                .iter()
                .map(|r| &new[r.clone()]),
            eager,
        );
        // The window keeps its place in what stayed; one edge inside what changed moves to
        // the changed part's edge (so what was being edited stays editable).
        let moved = |x: usize, end: bool| {
            if x <= prefix {
                x
            } else if x >= on - suffix {
                x + nn - on
            } else if end {
                nn - suffix
            } else {
                prefix
            }
        };
        self.window = moved(self.window.start, false)..moved(self.window.end, true);
        self.groups.splice(prefix..on - suffix, built);
        self.ranges = new_ranges;
        for j in (prefix..nn - suffix).rev() {
            let container = self.container_of(j);
            let next = self
                .groups
                .get(j + 1)
                .filter(|_| self.container_of(j + 1) == container);
            let _ = container.insert_before(&self.groups[j], next.map(AsRef::as_ref));
        }
        self.tidy_host();
        // A short document is editable whole. In a long one the window keeps its size: it
        // grows when what changed reached past its edge (a whole document arriving, a restore),
        // and the selection, placed after a render, moves it where it must be.
        let size = 2 * RADIUS + 1;
        if nn <= WHOLE {
            self.set_window(0..nn);
        } else if self.window.is_empty() || self.window.len() > size + 2 * MARGIN {
            let start = self.window.start.min(nn - size);
            self.set_window(start..start + size);
        }
    }

    /// Shows block `index` of `blocks` afresh after only its text changed (typing): the
    /// top-level node holding it is built again, and nothing else is compared.
    pub fn render_block(&mut self, blocks: &[Block], index: u32) {
        let g = self.group_of(index);
        let Some(range) = self.ranges.get(g).filter(|r| r.end <= blocks.len()) else {
            return;
        };
        let fresh = markup::group_element(&blocks[range.clone()]);
        let old = std::mem::replace(&mut self.groups[g], fresh);
        if let Some(parent) = old.parent_node() {
            let _ = parent.replace_child(&self.groups[g], &old);
        }
    }

    /// Removes anything the browser put in the editing host besides our nodes (it may, during
    /// a composition).
    fn tidy_host(&self) {
        if self.host.child_nodes().length() as usize == self.window.len() {
            return;
        }
        self.host.set_text_content(None);
        for el in &self.groups[self.window.clone()] {
            let _ = self.host.append_child(el);
        }
    }

    fn container_of(&self, group: usize) -> &Element {
        if group < self.window.start {
            &self.before
        } else if group < self.window.end {
            &self.host
        } else {
            &self.after
        }
    }

    /// Makes top-level nodes `w` the editing host's, moving only those that change container.
    fn set_window(&mut self, w: Range<usize>) {
        let old = self.window.clone();
        if w == old {
            return;
        }
        // The start: nodes leave the host for `before`, or come back from its end.
        if w.start > old.start {
            for el in &self.groups[old.start..w.start] {
                let _ = self.before.append_child(el);
            }
        } else if w.start < old.start {
            let first = self.host.first_child();
            for el in &self.groups[w.start..old.start] {
                let _ = self.host.insert_before(el, first.as_ref());
            }
        }
        // Now the host holds w.start..end (nothing when the window jumped past the old end).
        let end = old.end.max(w.start);
        if w.end < end {
            let first = self.after.first_child();
            for el in &self.groups[w.end..end] {
                let _ = self.after.insert_before(el, first.as_ref());
            }
        } else if w.end > end {
            for el in &self.groups[end..w.end] {
                let _ = self.host.append_child(el);
            }
        }
        // The page's style follows which parts show (their padding, the host's height).
        let (before, after) = (w.start > 0, w.end < self.groups.len());
        let _ = self
            .outer
            .toggle_attribute_with_force("data-before", before);
        let _ = self.outer.toggle_attribute_with_force("data-after", after);
        let _ = self
            .outer
            .toggle_attribute_with_force("data-windowed", before || after);
        self.window = w;
    }

    /// Makes sure blocks `from..=to` are editable with room around them, moving the window
    /// when they come near its edge, or shrinking it after it grew (select-all). Returns
    /// whether the DOM changed.
    pub fn reveal(&mut self, from: u32, to: u32) -> bool {
        let n = self.groups.len();
        if n <= WHOLE || n == 0 {
            return false;
        }
        let (a, b) = (self.group_of(from.min(to)), self.group_of(from.max(to)));
        let w = &self.window;
        let room_before = a.saturating_sub(MARGIN);
        let room_after = (b + 1 + MARGIN).min(n);
        let too_big = w.len() > (b + 1 - a) + 2 * (RADIUS + MARGIN);
        if w.start <= room_before && w.end >= room_after && !too_big {
            return false;
        }
        self.set_window(a.saturating_sub(RADIUS)..(b + 1 + RADIUS).min(n));
        true
    }

    /// Makes the whole document editable (select-all); [`Self::reveal`] shrinks it again.
    pub fn reveal_all(&mut self) {
        self.set_window(0..self.groups.len());
    }

    /// The top-level node holding block `block` (the last one past the end).
    fn group_of(&self, block: u32) -> usize {
        self.ranges
            .partition_point(|r| r.end <= block as usize)
            .min(self.ranges.len().saturating_sub(1))
    }

    /// The element of block `index` (clamped to the last block).
    pub fn block_element(&self, index: u32) -> Option<Node> {
        self.settle();
        let g = self.group_of(index);
        let group = self.groups.get(g)?;
        let range = &self.ranges[g];
        if group.has_attribute("data-b") {
            return Some(group.clone().into());
        }
        let k = (index as usize).clamp(range.start, range.end - 1) - range.start;
        group.query_selector_all("[data-b]").ok()?.item(k as u32)
    }

    /// The DOM boundary point for a model position (clamped to what is rendered).
    pub fn pos_to_dom(&self, pos: Pos) -> Option<(Node, u32)> {
        match self.block_element(pos.block) {
            Some(block) => dom::point_in_block(block, pos.offset),
            None => Some((self.host.clone().into(), 0)),
        }
    }

    /// The model position of a DOM boundary point, if it lies in the document.
    pub fn dom_to_pos(&self, node: &Node, offset: u32) -> Option<Pos> {
        if self.groups.is_empty() {
            return None;
        }
        self.settle();
        dom::dom_to_pos_with(&self.outer, node, offset, &|block| self.index_of(block))
    }

    /// The index of a block element.
    fn index_of(&self, block: &Node) -> Option<u32> {
        let containers: [(&Element, usize); 3] = [
            (&self.before, 0),
            (&self.host, self.window.start),
            (&self.after, self.window.end),
        ];
        let mut group = block.clone();
        let (container, base) = loop {
            let parent = group.parent_node()?;
            if let Some(found) = containers.iter().find(|(c, _)| {
                let c: &Node = c.as_ref();
                *c == parent
            }) {
                break *found;
            }
            group = parent;
        };
        let at = usize::try_from(dom::child_index(container, &group)).ok()?;
        let range = self.ranges.get(base + at)?;
        if &group == block {
            return Some(range.start as u32);
        }
        let inside = usize::try_from(dom::block_index(group.unchecked_ref(), block)).ok()?;
        Some((range.start + inside) as u32)
    }
}

/// Whether two top-level nodes look the same: their blocks are equal but for where the node
/// sits in the document (which is not shown).
fn same_shown(a: &[Block], b: &[Block]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind
                && x.inlines == y.inlines
                && x.path.len() == y.path.len()
                && (x.path.is_empty() || x.index == y.index)
                && x.path
                    .iter()
                    .zip(&y.path)
                    .enumerate()
                    .all(|(i, (p, q))| p.container == q.container && (i == 0 || p.index == q.index))
        })
}

#[cfg(test)]
mod tests {
    //! Browser tests (wasm-bindgen-test in headless Chromium): the window over a long document.

    use gather_doc::rich_text::{Block, Inline, Marks, Pos};
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn paragraphs(n: usize, tag: &str) -> Vec<Block> {
        (0..n)
            .map(|i| Block {
                inlines: vec![Inline::Text {
                    text: format!("{tag} {i}"),
                    marks: Marks::default(),
                    link: None,
                }],
                index: i as u32,
                ..Block::default()
            })
            .collect()
    }

    fn page() -> Page {
        let document = web_sys::window().unwrap().document().unwrap();
        let outer = document.create_element("div").unwrap();
        let host = document.create_element("div").unwrap();
        outer.append_child(&host).unwrap();
        document.body().unwrap().append_child(&outer).unwrap();
        Page::new(host)
    }

    fn text_of(el: &Element) -> String {
        el.text_content().unwrap_or_default()
    }

    /// Waits up to 5 s, a few milliseconds at a time, for `done`.
    async fn wait_for(done: impl Fn() -> bool) -> bool {
        for _ in 0..500 {
            if done() {
                return true;
            }
            let tick = js_sys::Promise::new(&mut |resolve, _| {
                let _ = web_sys::window()
                    .unwrap()
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
        }
        done()
    }

    #[wasm_bindgen_test]
    async fn a_document_arriving_whole_shows_its_top_first_and_the_rest_soon() {
        let mut page = page();
        let blocks = paragraphs(1000, "q");
        page.render(&[], &blocks, None);
        let last = page.groups[999].clone();
        assert_eq!(last.text_content().unwrap_or_default(), "");
        assert!(text_of(&page.host).contains("q 50"));
        // Without anything asking, the rest arrives.
        let all: String = (0..1000).map(|i| format!("q {i}")).collect();
        assert!(wait_for(|| text_of(&page.outer) == all).await);
        assert_eq!(last.text_content().unwrap_or_default(), "q 999");
        // A position far down maps at once after another whole document arrived.
        let again = paragraphs(1000, "r");
        page.render(&blocks, &again, None);
        let (node, at) = page.pos_to_dom(Pos::new(900, 2)).unwrap();
        assert_eq!(node.text_content().unwrap_or_default(), "r 900");
        assert_eq!(page.dom_to_pos(&node, at), Some(Pos::new(900, 2)));
    }

    #[wasm_bindgen_test]
    fn a_long_document_is_editable_around_the_selection_only() {
        let mut page = page();
        let blocks = paragraphs(500, "p");
        page.render(&[], &blocks, None);
        // The document's top is built at once, the rest in the background; every node is
        // there, in order, and everything is once something reads the blocks.
        let all: String = (0..500).map(|i| format!("p {i}")).collect();
        let top: String = (0..EAGER).map(|i| format!("p {i}")).collect();
        assert_eq!(text_of(&page.outer), top);
        assert_eq!(page.groups.len(), 500);
        page.settle();
        assert_eq!(text_of(&page.outer), all);
        assert_eq!(page.host.child_element_count(), 2 * RADIUS as u32 + 1);
        assert!(page.outer.has_attribute("data-windowed"));
        // Revealing a block far away moves the window there; the text stays in order.
        assert!(page.reveal(300, 300));
        assert!(text_of(&page.host).contains("p 300"));
        assert!(!text_of(&page.host).contains("p 250"));
        assert_eq!(text_of(&page.outer), all);
        // Close to the window's middle, nothing moves.
        assert!(!page.reveal(301, 305));
        // Every position maps to the DOM and back, in the window or not.
        for b in [0u32, 1, 150, 259, 260, 300, 340, 341, 499] {
            for offset in [0, 2, blocks[b as usize].len()] {
                let pos = Pos::new(b, offset);
                let (node, at) = page.pos_to_dom(pos).unwrap();
                assert_eq!(page.dom_to_pos(&node, at), Some(pos), "{pos:?}");
            }
        }
        // Select-all takes everything in; a caret afterwards shrinks it again.
        page.reveal_all();
        assert_eq!(page.host.child_element_count(), 500);
        assert!(page.reveal(10, 10));
        assert!(page.host.child_element_count() <= 2 * RADIUS as u32 + 11);
        assert_eq!(text_of(&page.outer), all);
    }

    #[wasm_bindgen_test]
    fn a_new_paragraph_rebuilds_only_itself() {
        let mut page = page();
        let old = paragraphs(300, "p");
        page.render(&[], &old, None);
        page.reveal(20, 20);
        let later = page.groups[200].clone();
        // Enter after block 10: a new block, and every later block's index moves by one.
        let mut new = old.clone();
        new.insert(11, paragraphs(1, "new").remove(0));
        for (i, b) in new.iter_mut().enumerate() {
            b.index = i as u32;
        }
        page.render(&old, &new, None);
        assert!(page.groups[201].is_same_node(Some(&later)));
        let expected: String = new.iter().map(|b| b.text()).collect();
        assert_eq!(text_of(&page.outer), expected);
        let (node, at) = page.pos_to_dom(Pos::new(11, 3)).unwrap();
        assert_eq!(page.dom_to_pos(&node, at), Some(Pos::new(11, 3)));
        // Deleting most of the document, then growing it again.
        let short = paragraphs(3, "s");
        page.render(&new, &short, None);
        assert_eq!(text_of(&page.outer), "s 0s 1s 2");
        assert_eq!(page.host.child_element_count(), 3);
        page.render(&short, &old, None);
        assert_eq!(
            text_of(&page.outer),
            old.iter().map(|b| b.text()).collect::<String>()
        );
        // A whole document arriving does not make all of it editable.
        assert_eq!(page.host.child_element_count(), 2 * RADIUS as u32 + 1);
    }
}
