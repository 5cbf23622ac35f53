//! The editor's state outside Leptos' reactivity: the document, what is rendered, the stored
//! marks for the next typed text, and the IME composition in progress. Every user action
//! becomes one model operation in one transaction, then a render and a caret placement.

use std::sync::Arc;

use gather_doc::rich_text::{
    self, Block, BlockKind, Container, ListKind, Mark, Marks, Pos, Trigger,
};
use wasm_bindgen::JsCast;
use web_sys::Element;
use yrs::undo::Options;
use yrs::{Transact, TransactionMut, UndoManager, XmlFragment, XmlFragmentRef};

use super::dom;
use super::page::Page;
use super::reread;

/// A selection in model terms: where it started and where the caret is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub anchor: Pos,
    pub focus: Pos,
}

impl Selection {
    pub fn caret(pos: Pos) -> Selection {
        Selection {
            anchor: pos,
            focus: pos,
        }
    }

    pub fn is_collapsed(&self) -> bool {
        self.anchor == self.focus
    }

    pub fn start(&self) -> Pos {
        self.anchor.min(self.focus)
    }

    pub fn end(&self) -> Pos {
        self.anchor.max(self.focus)
    }
}

/// Origin of this editor's own transactions: the undo manager tracks only these, so Ctrl+Z
/// never undoes a collaborator's change.
const LOCAL_ORIGIN: &str = "gather-editor";

/// A change to a table's shape, from the table toolbar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableOp {
    RowAbove,
    RowBelow,
    ColumnLeft,
    ColumnRight,
    DeleteRow,
    DeleteColumn,
    DeleteTable,
}

/// Called with what is shown after every render.
pub type OnRender = Box<dyn Fn(&[Block])>;

pub struct EditorView {
    /// The editing host (see [`Page`] for why it may hold only part of a long document).
    pub root: Element,
    /// Every rendered block, the host's and those beside it.
    page: Page,
    doc: yrs::Doc,
    body: XmlFragmentRef,
    undo: UndoManager,
    rendered: Vec<Block>,
    /// Marks chosen with Ctrl+B etc. at a collapsed caret, for the next typed text.
    pub stored_marks: Option<(Pos, Marks)>,
    /// Where an IME composition started (its selection), while one is in progress.
    pub composing: Option<Selection>,
    /// A remote change arrived during a composition; render when it ends.
    pub render_pending: bool,
    /// The document as last seen during a composition, to move its start through remote edits.
    composition_seen: Vec<Block>,
    /// Told what is shown after every render (for the word count).
    pub on_render: Option<OnRender>,
    /// Uploads pictures pasted or dropped and inserts them (see `images`).
    pub on_files: Option<super::images::OnFiles>,
}

impl EditorView {
    pub fn new(root: Element, doc: yrs::Doc) -> EditorView {
        let body = rich_text::body(&doc);
        let options = Options {
            capture_timeout_millis: 500,
            tracked_origins: Default::default(),
            capture_transaction: None,
            timestamp: Arc::new(|| js_sys::Date::now() as u64),
            init_undo_stack: Vec::new(),
            init_redo_stack: Vec::new(),
        };
        let mut undo = UndoManager::with_options(options);
        undo.expand_scope(&doc, &body);
        undo.include_origin(LOCAL_ORIGIN);
        let mut view = EditorView {
            page: Page::new(root.clone()),
            root,
            undo,
            doc,
            body,
            rendered: Vec::new(),
            stored_marks: None,
            composing: None,
            render_pending: false,
            composition_seen: Vec::new(),
            on_render: None,
            on_files: None,
        };
        view.render(None);
        view
    }

    /// What the document holds now; an empty document shows one empty paragraph.
    fn read(&self) -> Vec<Block> {
        let txn = self.doc.transact();
        let mut blocks = rich_text::read_blocks(&txn, &self.body);
        if blocks.is_empty() {
            blocks.push(Block::default());
        }
        blocks
    }

    fn render(&mut self, force: Option<u32>) {
        let blocks = self.read();
        self.show(blocks, force);
    }

    /// Puts `blocks` on screen in place of what is rendered now.
    fn show(&mut self, blocks: Vec<Block>, force: Option<u32>) {
        self.page.render(&self.rendered, &blocks, force);
        self.rendered = blocks;
        self.shown();
    }

    /// After a render: the word count, and the placeholder of an empty document (CSS on
    /// `data-empty`).
    fn shown(&self) {
        if let Some(on_render) = &self.on_render {
            on_render(&self.rendered);
        }
        let empty = self.rendered.len() == 1 && self.rendered[0].is_empty();
        let _ = self.root.toggle_attribute_with_force("data-empty", empty);
    }

    /// The current DOM selection in model terms, if it is inside the editor.
    pub fn selection(&self) -> Option<Selection> {
        let selection = web_sys::window()?.get_selection().ok()??;
        let anchor_node = selection.anchor_node()?;
        let focus_node = selection.focus_node()?;
        let anchor = self
            .page
            .dom_to_pos(&anchor_node, selection.anchor_offset())?;
        let focus = self
            .page
            .dom_to_pos(&focus_node, selection.focus_offset())?;
        Some(Selection { anchor, focus })
    }

    /// Builds at once the content still being built in the background (see `markup`).
    pub fn settle(&self) {
        self.page.settle();
    }

    /// The element holding every rendered block (the host's and those beside it).
    pub fn outer(&self) -> &Element {
        self.page.outer()
    }

    /// Model position of a DOM boundary point anywhere in the document.
    pub fn dom_to_pos(&self, node: &web_sys::Node, offset: u32) -> Option<Pos> {
        self.page.dom_to_pos(node, offset)
    }

    /// The DOM boundary point of a model position.
    pub fn pos_to_dom(&self, pos: Pos) -> Option<(web_sys::Node, u32)> {
        self.page.pos_to_dom(pos)
    }

    /// Keeps the selection editable with room around it, after the user moved it (arrow keys,
    /// a click, a drag): moves the window of a long document when it came near its edge.
    pub fn keep_editable(&mut self) {
        self.room_to_move(0);
    }

    /// Before the browser moves the caret (a key's default action): makes blocks up to `reach`
    /// blocks away from the selection editable, so the caret does not stop at the editing
    /// host's edge. Keys come faster than `selectionchange` (the browser runs input first).
    pub fn room_to_move(&mut self, reach: u32) {
        let Some(sel) = self.selection() else { return };
        let (from, to) = (sel.start().block, sel.end().block);
        if self
            .page
            .reveal(from.saturating_sub(reach), to.saturating_add(reach))
        {
            self.place_selection(sel);
        }
    }

    /// Makes blocks `from..=to` editable now (a click or a drop beside the editing host).
    pub fn make_editable(&mut self, from: u32, to: u32) {
        self.page.reveal(from, to);
    }

    /// Selects the whole document (Ctrl+A), which makes all of it editable for a while.
    pub fn select_all(&mut self) {
        self.page.reveal_all();
        self.set_selection(Selection {
            anchor: Pos::default(),
            focus: self.end().focus,
        });
    }

    /// Selects `sel`, making it editable first.
    pub fn set_selection(&mut self, sel: Selection) {
        self.page.reveal(sel.anchor.block, sel.focus.block);
        self.place_selection(sel);
    }

    /// Selects `sel` in the DOM as it is.
    fn place_selection(&self, sel: Selection) {
        let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten())
        else {
            return;
        };
        let (Some((an, ao)), Some((fnode, fo))) = (
            self.page.pos_to_dom(sel.anchor),
            self.page.pos_to_dom(sel.focus),
        ) else {
            return;
        };
        let _ = selection.set_base_and_extent(&an, ao, &fnode, fo);
    }

    /// Runs one edit in one transaction, renders, and puts the caret where the edit says.
    pub fn edit(&mut self, f: impl FnOnce(&mut TransactionMut, &XmlFragmentRef) -> Pos) {
        self.edit_text(|txn, body| (f(txn, body), false));
    }

    /// Like [`Self::edit`], for an edit confined to the top-level nodes from the one holding
    /// block `first` to the one holding block `last`, though they may become more or fewer (an
    /// Enter splitting a paragraph, a Backspace joining two): only those are read again, and
    /// one node on either side in case the edit joined them, not the whole document (see
    /// `reread`).
    fn edit_in_nodes(
        &mut self,
        first: u32,
        last: u32,
        f: impl FnOnce(&mut TransactionMut, &XmlFragmentRef) -> Pos,
    ) {
        let top = |block: u32| self.rendered.get(block as usize).map(Block::top);
        // A remote change not shown yet (during a composition) means `rendered` is behind.
        let (Some(lo), Some(hi), false) = (top(first), top(last), self.render_pending) else {
            return self.edit(f);
        };
        let (caret, before, after) = {
            let mut txn = self.doc.transact_mut_with(LOCAL_ORIGIN);
            let before = self.body.len(&txn);
            let caret = f(&mut txn, &self.body);
            (caret, before, self.body.len(&txn))
        };
        let nodes = lo.saturating_sub(1)..=(hi + 1).min(before.saturating_sub(1));
        let grew = i64::from(after) - i64::from(before);
        let blocks = (before > 0 && lo <= hi)
            .then(|| {
                let txn = self.doc.transact();
                reread::with_nodes_read_again(&txn, &self.body, &self.rendered, nodes, grew)
            })
            .flatten();
        match blocks {
            Some(blocks) => self.show(blocks, None),
            None => self.render(None),
        }
        self.set_selection(Selection::caret(caret));
    }

    /// Like [`Self::edit`], for an edit that may have changed only the text of the caret's
    /// block (typing, deleting inside a word): it says so by returning `true`, and then only
    /// that block is read again, not the whole document (a keystroke in a 100-page document).
    fn edit_text(&mut self, f: impl FnOnce(&mut TransactionMut, &XmlFragmentRef) -> (Pos, bool)) {
        let (caret, text_only) = {
            let mut txn = self.doc.transact_mut_with(LOCAL_ORIGIN);
            f(&mut txn, &self.body)
        };
        if text_only {
            self.render_block(caret.block);
        } else {
            self.render(None);
        }
        self.set_selection(Selection::caret(caret));
    }

    /// Renders after a change to the text of block `block` alone.
    fn render_block(&mut self, block: u32) {
        let fresh = {
            let txn = self.doc.transact();
            rich_text::read_block_at(&txn, &self.body, block)
        };
        let Some(fresh) = fresh.filter(|_| (block as usize) < self.rendered.len()) else {
            self.render(None);
            return;
        };
        if self.rendered[block as usize] != fresh {
            self.rendered[block as usize] = fresh;
            self.page.render_block(&self.rendered, block);
        }
        self.shown();
    }

    /// The marks text typed at `pos` gets.
    pub fn marks_for_typing(&self, pos: Pos) -> Marks {
        match self.stored_marks {
            Some((at, marks)) if at == pos => marks,
            _ => self
                .rendered
                .get(pos.block as usize)
                .map(|b| b.marks_at(pos.offset))
                .unwrap_or_default(),
        }
    }

    /// Types `text` over the selection.
    pub fn insert_text(&mut self, sel: Selection, text: &str) {
        let marks = self.marks_for_typing(sel.start());
        self.stored_marks = None;
        let mut ended_mark = None;
        self.edit_text(|txn, body| {
            if sel.is_collapsed() && matches!(text, " " | "-" | "*" | "_" | "`" | "~") {
                // Typing, with Markdown shortcuts.
                let caret = rich_text::insert_text(txn, body, sel.start(), text, marks);
                let trigger = match text {
                    " " => Some(Trigger::Space),
                    "-" => Some(Trigger::Dash),
                    _ => None,
                };
                if let Some(done) =
                    trigger.and_then(|t| rich_text::line_shortcut(txn, body, caret, t))
                {
                    return (done, false);
                }
                if let Some((done, mark)) = rich_text::inline_shortcut(txn, body, caret) {
                    ended_mark = Some((done, mark));
                    return (done, false);
                }
                return (caret, caret.block == sel.start().block);
            }
            if sel.is_collapsed() && !text.contains('\n') {
                // Typing: the text goes into the caret's block (a body without blocks gets one).
                let caret = rich_text::insert_text(txn, body, sel.start(), text, marks);
                return (caret, caret.block == sel.start().block);
            }
            let at = if sel.is_collapsed() {
                sel.start()
            } else {
                rich_text::delete_range(txn, body, sel.start(), sel.end())
            };
            // Pasted or dropped text may hold several lines: each becomes a paragraph.
            let mut caret = at;
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    caret = rich_text::split_block(txn, body, caret);
                }
                let line = line.trim_end_matches('\r');
                if !line.is_empty() {
                    caret = rich_text::insert_text(txn, body, caret, line, marks);
                }
            }
            (caret, false)
        });
        if text.chars().count() > 1 {
            // A paste is its own undo step.
            self.undo.reset();
        }
        // Text typed after `**bold**` is not bold.
        if let Some((at, mark)) = ended_mark {
            let marks = self.marks_for_typing(at).with(mark, false);
            self.stored_marks = Some((at, marks));
        }
    }

    /// What is rendered now, block by block.
    pub fn blocks(&self) -> &[Block] {
        &self.rendered
    }

    /// What copying `sel` puts on the clipboard.
    pub fn copy(&self, sel: Selection) -> rich_text::Copied {
        rich_text::copy(&self.doc, sel.start(), sel.end())
    }

    /// The whole document as schema nodes (for exports).
    pub fn nodes(&self) -> Vec<gather_doc::rich_text::Node> {
        let txn = self.doc.transact();
        rich_text::read_tree(&txn, &self.body)
    }

    /// A caret at the end of the document.
    pub fn end(&self) -> Selection {
        let last = self.rendered.len().saturating_sub(1);
        let len = self.rendered.last().map_or(0, Block::len);
        Selection::caret(Pos::new(last as u32, len))
    }

    /// Scrolls the selection into view (find).
    pub fn reveal_selection(&self) {
        let node = web_sys::window()
            .and_then(|w| w.get_selection().ok().flatten())
            .and_then(|s| s.focus_node());
        let el = node.and_then(|n| match n.dyn_ref::<Element>() {
            Some(e) => Some(e.clone()),
            None => n.parent_element(),
        });
        if let Some(el) = el {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Center);
            el.scroll_into_view_with_scroll_into_view_options(&options);
        }
    }

    /// Replaces each of `ranges` (in document order) with `text`, in one undo step.
    pub fn replace(&mut self, ranges: &[Selection], text: &str) {
        if ranges.is_empty() {
            return;
        }
        self.undo.reset();
        let marks: Vec<Marks> = ranges
            .iter()
            .map(|r| self.marks_for_typing(Pos::new(r.start().block, r.start().offset + 1)))
            .collect();
        let first = ranges[0];
        self.edit(|txn, body| {
            let mut caret = first.start();
            // Back to front, so earlier positions stay valid.
            for (range, marks) in ranges.iter().zip(marks).rev() {
                let at = rich_text::delete_range(txn, body, range.start(), range.end());
                caret = if text.is_empty() {
                    at
                } else {
                    rich_text::insert_text(txn, body, at, text, marks)
                };
            }
            caret
        });
        self.undo.reset();
    }

    /// Pasted or imported content, over the selection.
    pub fn insert_nodes(&mut self, sel: Selection, nodes: Vec<gather_doc::rich_text::Node>) {
        self.stored_marks = None;
        self.edit(|txn, body| {
            let at = rich_text::delete_range(txn, body, sel.start(), sel.end());
            rich_text::insert_nodes(txn, body, at, nodes)
        });
    }

    /// Enter (a code fence or `---` typed alone on a line becomes a code block or a rule).
    pub fn split(&mut self, sel: Selection) {
        // A new line starts a new undo step, as in word processors.
        self.undo.reset();
        self.edit_in_nodes(sel.start().block, sel.end().block, |txn, body| {
            let at = rich_text::delete_range(txn, body, sel.start(), sel.end());
            rich_text::line_shortcut(txn, body, at, Trigger::Enter)
                .unwrap_or_else(|| rich_text::split_block(txn, body, at))
        });
        self.undo.reset();
    }

    /// Shift+Enter: a line break inside the paragraph.
    pub fn line_break(&mut self, sel: Selection) {
        self.edit(|txn, body| {
            let at = rich_text::delete_range(txn, body, sel.start(), sel.end());
            rich_text::insert_hard_break(txn, body, at)
        });
    }

    /// Deletes the selection, or one character (or a block boundary) in a direction.
    pub fn delete(&mut self, sel: Selection, forward: bool) {
        if !sel.is_collapsed() {
            self.edit(|txn, body| rich_text::delete_range(txn, body, sel.start(), sel.end()));
            return;
        }
        let pos = sel.focus;
        let Some(block) = self.rendered.get(pos.block as usize).cloned() else {
            return;
        };
        if forward {
            if pos.offset < block.len() {
                let next = next_boundary(&block.text(), pos.offset);
                self.edit_text(|txn, body| {
                    let at = rich_text::delete_range(txn, body, pos, Pos::new(pos.block, next));
                    (at, at.block == pos.block)
                });
            } else if (pos.block as usize) + 1 < self.rendered.len() {
                self.edit_in_nodes(pos.block, pos.block + 1, |txn, body| {
                    rich_text::join_with_previous(txn, body, pos.block + 1)
                });
            }
        } else if pos.offset > 0 {
            let prev = prev_boundary(&block.text(), pos.offset);
            self.edit_text(|txn, body| {
                let at = rich_text::delete_range(txn, body, Pos::new(pos.block, prev), pos);
                (at, at.block == pos.block)
            });
        } else if pos.block > 0 {
            self.edit_in_nodes(pos.block - 1, pos.block, |txn, body| {
                rich_text::merge_with_previous(txn, body, pos.block)
            });
        }
    }

    /// Deletes an explicit range (word deletion and the like, from the browser's target range).
    pub fn delete_range(&mut self, a: Pos, b: Pos) {
        self.edit(|txn, body| rich_text::delete_range(txn, body, a, b));
    }

    /// Ctrl+B and friends: over a range, toggle in the document; at a caret, toggle the marks
    /// the next typed text gets.
    pub fn toggle_mark(&mut self, sel: Selection, mark: Mark) {
        if sel.is_collapsed() {
            let current = self.marks_for_typing(sel.focus);
            self.stored_marks = Some((sel.focus, current.with(mark, !current.has(mark))));
            return;
        }
        self.keep_selection(sel, |txn, body| {
            rich_text::toggle_mark(txn, body, sel.start(), sel.end(), mark);
        });
    }

    /// Runs one edit that keeps the blocks in order, then puts the selection back.
    fn keep_selection(
        &mut self,
        sel: Selection,
        f: impl FnOnce(&mut TransactionMut, &XmlFragmentRef),
    ) {
        // Formatting and structure are undone on their own, not with the typing around them.
        self.undo.reset();
        {
            let mut txn = self.doc.transact_mut_with(LOCAL_ORIGIN);
            f(&mut txn, &self.body);
        }
        self.undo.reset();
        self.render(None);
        self.set_selection(sel);
    }

    /// Sets the kind of every block the selection touches.
    pub fn set_block_kind(&mut self, sel: Selection, kind: BlockKind) {
        self.keep_selection(sel, |txn, body| {
            for block in sel.start().block..=sel.end().block {
                rich_text::set_block_kind(txn, body, block, &kind);
            }
        });
    }

    /// The list buttons.
    pub fn toggle_list(&mut self, sel: Selection, kind: ListKind) {
        self.keep_selection(sel, |txn, body| {
            rich_text::toggle_list(txn, body, sel.start().block, sel.end().block, kind);
        });
    }

    /// The quote button.
    pub fn toggle_quote(&mut self, sel: Selection) {
        self.keep_selection(sel, |txn, body| {
            rich_text::toggle_quote(txn, body, sel.start().block, sel.end().block);
        });
    }

    /// Tab and Shift+Tab: in a table, to the next or previous cell (Tab in the last cell adds a
    /// row); in a list, nest or un-nest the items. Returns false when neither applies, so the
    /// key keeps its usual meaning (moving the focus on).
    pub fn tab(&mut self, sel: Selection, back: bool) -> bool {
        let Some(block) = self.rendered.get(sel.focus.block as usize) else {
            return false;
        };
        let in_table = block.path.iter().any(|a| a.container == Container::Table);
        let in_list = block.path.iter().any(|a| a.container.is_item());
        if in_table {
            let next = {
                let txn = self.doc.transact();
                rich_text::next_cell(&txn, &self.body, sel.focus.block, back)
            };
            match next {
                Some(cell) => self.set_selection(Selection::caret(Pos::new(cell, 0))),
                None if !back => self.table(sel, TableOp::RowBelow),
                None => {}
            }
            return true;
        }
        if !in_list {
            return false;
        }
        self.keep_selection(sel, |txn, body| {
            for b in sel.start().block..=sel.end().block {
                if back {
                    rich_text::outdent(txn, body, b);
                } else {
                    rich_text::indent(txn, body, b);
                }
            }
        });
        true
    }

    /// Ticks or unticks a task (from its checkbox).
    pub fn set_task(&mut self, block: u32, checked: bool) {
        let sel = self
            .selection()
            .unwrap_or(Selection::caret(Pos::new(block, 0)));
        self.keep_selection(sel, |txn, body| {
            rich_text::set_task_checked(txn, body, block, checked);
        });
    }

    /// Inserts a horizontal rule at the caret.
    pub fn insert_rule(&mut self, sel: Selection) {
        self.edit(|txn, body| rich_text::insert_rule(txn, body, sel.focus));
    }

    /// Inserts a 3 × 3 table (with a header row) at the caret.
    pub fn insert_table(&mut self, sel: Selection) {
        self.edit(|txn, body| rich_text::insert_table(txn, body, sel.focus, 3, 3));
    }

    /// Changes the table holding the caret.
    pub fn table(&mut self, sel: Selection, op: TableOp) {
        let b = sel.focus.block;
        self.edit(|txn, body| match op {
            TableOp::RowAbove => rich_text::add_row(txn, body, b, false),
            TableOp::RowBelow => rich_text::add_row(txn, body, b, true),
            TableOp::ColumnLeft => rich_text::add_column(txn, body, b, false),
            TableOp::ColumnRight => rich_text::add_column(txn, body, b, true),
            TableOp::DeleteRow => rich_text::delete_row(txn, body, b),
            TableOp::DeleteColumn => rich_text::delete_column(txn, body, b),
            TableOp::DeleteTable => rich_text::delete_table(txn, body, b),
        });
    }

    /// Makes the selection a link (`None` removes links). Only safe targets are accepted.
    pub fn set_link(&mut self, sel: Selection, href: Option<&str>) -> bool {
        let href = match href {
            Some(h) => match rich_text::safe_href(h) {
                Some(h) => Some(h),
                None => return false,
            },
            None => None,
        };
        self.keep_selection(sel, |txn, body| {
            rich_text::set_link(txn, body, sel.start(), sel.end(), href.as_deref());
        });
        true
    }

    /// The link at the caret, if any (for the link dialog).
    pub fn link_at(&self, pos: Pos) -> Option<String> {
        let block = self.rendered.get(pos.block as usize)?;
        let mut at = 0;
        for inline in &block.inlines {
            let len = inline.len();
            if let gather_doc::rich_text::Inline::Text {
                link: Some(link), ..
            } = inline
            {
                if pos.offset >= at && pos.offset <= at + len {
                    return Some(link.clone());
                }
            }
            at += len;
        }
        None
    }

    /// The extent of the link around the caret, if any.
    pub fn link_range(&self, pos: Pos) -> Option<Selection> {
        let block = self.rendered.get(pos.block as usize)?;
        let mut at = 0;
        let mut range: Option<(u32, u32, String)> = None;
        for inline in &block.inlines {
            let len = inline.len();
            let link = match inline {
                gather_doc::rich_text::Inline::Text { link, .. } => link.clone(),
                _ => None,
            };
            match (&mut range, link) {
                (Some((_, end, href)), Some(l)) if *end == at && *href == l => *end = at + len,
                (Some((start, end, _)), _) if pos.offset >= *start && pos.offset <= *end => break,
                (_, Some(l)) => range = Some((at, at + len, l)),
                (_, None) => range = None,
            }
            at += len;
        }
        let (start, end, _) = range.filter(|(s, e, _)| pos.offset >= *s && pos.offset <= *e)?;
        Some(Selection {
            anchor: Pos::new(pos.block, start),
            focus: Pos::new(pos.block, end),
        })
    }

    /// Ctrl+Z: undoes this person's last change (never a collaborator's).
    pub fn undo(&mut self) {
        let before = self.rendered.clone();
        if self.undo.undo_blocking() {
            self.after_history(&before);
        }
    }

    /// Ctrl+Shift+Z / Ctrl+Y.
    pub fn redo(&mut self) {
        let before = self.rendered.clone();
        if self.undo.redo_blocking() {
            self.after_history(&before);
        }
    }

    fn after_history(&mut self, before: &[Block]) {
        self.stored_marks = None;
        self.render(None);
        self.set_selection(Selection::caret(changed_at(before, &self.rendered)));
    }

    /// The block holding a position (for the toolbar).
    pub fn block_at(&self, pos: Pos) -> Option<&Block> {
        self.rendered.get(pos.block as usize)
    }

    /// Commits an IME composition: the composed text replaces what was selected when it began.
    pub fn end_composition(&mut self, data: &str) {
        let Some(start) = self.composing.take() else {
            return;
        };
        self.stored_marks = None;
        let caret = self
            .composition_by_dom_diff(start)
            .unwrap_or_else(|| self.composition_by_data(start, data));
        // The browser changed this block's DOM during the composition: rebuild it, and every
        // block if remote edits arrived meanwhile (the DOM may sit at other indexes by now).
        if self.render_pending {
            self.rendered.clear();
        }
        self.render(Some(start.start().block));
        self.render_pending = false;
        self.set_selection(Selection::caret(caret));
    }

    /// Commits a composition by comparing the block's DOM with the model: whatever the IME did
    /// inside one block (typed at the caret, replaced a selection, or recomposed a word already
    /// there, as Android keyboards do) becomes one replacement of the part that differs. Only
    /// when the composition stayed in one block and no remote edit moved the blocks meanwhile.
    fn composition_by_dom_diff(&mut self, start: Selection) -> Option<Pos> {
        if start.anchor.block != start.focus.block || self.render_pending {
            return None;
        }
        let block = start.start().block;
        let old: Vec<u16> = self
            .rendered
            .get(block as usize)?
            .text()
            .encode_utf16()
            .collect();
        let new: Vec<u16> = dom::block_text(&self.page.block_element(block)?)
            .encode_utf16()
            .collect();
        let (prefix, suffix) = common_ends(&old, &new);
        let inserted = String::from_utf16(&new[prefix..new.len() - suffix]).ok()?;
        if inserted.contains(['\n', '\u{FFFC}']) {
            return None;
        }
        let from = Pos::new(block, prefix as u32);
        let to = Pos::new(block, (old.len() - suffix) as u32);
        let marks = self.marks_for_typing(from);
        let mut txn = self.doc.transact_mut_with(LOCAL_ORIGIN);
        let at = rich_text::delete_range(&mut txn, &self.body, from, to);
        Some(if inserted.is_empty() {
            at
        } else {
            rich_text::insert_text(&mut txn, &self.body, at, &inserted, marks)
        })
    }

    /// Commits a composition as "the composed text replaces what was selected when it began".
    fn composition_by_data(&mut self, start: Selection, data: &str) -> Pos {
        let marks = self.marks_for_typing(start.start());
        let mut txn = self.doc.transact_mut_with(LOCAL_ORIGIN);
        let at = rich_text::delete_range(&mut txn, &self.body, start.start(), start.end());
        if data.is_empty() {
            at
        } else {
            rich_text::insert_text(&mut txn, &self.body, at, data, marks)
        }
    }

    /// Shows remote changes, keeping the local selection where it was in the text.
    pub fn remote_changed(&mut self) {
        if let Some(start) = self.composing {
            // Leave the DOM to the IME, but keep the composition's place in the model current.
            let seen = if self.render_pending {
                std::mem::take(&mut self.composition_seen)
            } else {
                self.rendered.clone()
            };
            let now = self.read();
            self.composing = Some(Selection {
                anchor: shift(&seen, &now, start.anchor),
                focus: shift(&seen, &now, start.focus),
            });
            self.composition_seen = now;
            self.render_pending = true;
            return;
        }
        let before = self.rendered.clone();
        let sel = self.selection();
        self.render(None);
        if let Some(sel) = sel {
            let anchor = shift(&before, &self.rendered, sel.anchor);
            let focus = shift(&before, &self.rendered, sel.focus);
            if self.is_focused() {
                self.set_selection(Selection { anchor, focus });
            }
        }
    }

    pub fn is_focused(&self) -> bool {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_some_and(|active| {
                let root: &web_sys::Node = self.root.unchecked_ref();
                root.contains(Some(active.unchecked_ref()))
            })
    }
}

/// Where the caret goes after an undo or redo changed `old` into `new`: the end of what
/// changed in the first block that differs.
fn changed_at(old: &[Block], new: &[Block]) -> Pos {
    let (prefix, _) = common_ends(old, new);
    let Some(block) = new.get(prefix).or(new.last()) else {
        return Pos::default();
    };
    let index = prefix.min(new.len() - 1) as u32;
    let a: Vec<u16> = old
        .get(prefix)
        .map(|b| b.text().encode_utf16().collect())
        .unwrap_or_default();
    let b: Vec<u16> = block.text().encode_utf16().collect();
    let (_, suffix) = common_ends(&a, &b);
    Pos::new(index, (b.len() - suffix) as u32)
}

/// How many items `a` and `b` share at the start, and then at the end (the two never overlap).
fn common_ends<T: PartialEq>(a: &[T], b: &[T]) -> (usize, usize) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
        .min(a.len().min(b.len()) - prefix);
    (prefix, suffix)
}

/// Where a position moves when `old` blocks became `new` ones: edits wholly before it shift
/// it, edits after it leave it, and an edit around it puts it at the edit's start.
fn shift(old: &[Block], new: &[Block], pos: Pos) -> Pos {
    let (common_prefix, common_suffix) = common_ends(old, new);
    let block = pos.block as usize;
    if block < common_prefix {
        return pos;
    }
    if block >= old.len().saturating_sub(common_suffix) {
        let moved = block as i64 + new.len() as i64 - old.len() as i64;
        return Pos::new(moved.max(0) as u32, pos.offset);
    }
    // The caret's own block changed (and the same number of blocks precede it).
    if old.len() == new.len() {
        let a: Vec<u16> = old[block].text().encode_utf16().collect();
        let b: Vec<u16> = new[block].text().encode_utf16().collect();
        let (prefix, suffix) = common_ends(&a, &b);
        let (prefix, suffix) = (prefix as u32, suffix as u32);
        let offset = if pos.offset <= prefix {
            pos.offset
        } else if pos.offset >= a.len() as u32 - suffix {
            (pos.offset as i64 + b.len() as i64 - a.len() as i64).max(0) as u32
        } else {
            prefix
        };
        return Pos::new(pos.block, offset);
    }
    Pos::new(
        pos.block.min(new.len().saturating_sub(1) as u32),
        pos.offset,
    )
}

/// The UTF-16 offset of the character boundary before `offset` (a surrogate pair is one step).
fn prev_boundary(text: &str, offset: u32) -> u32 {
    let mut at = 0;
    let mut prev = 0;
    for c in text.chars() {
        if at >= offset {
            break;
        }
        prev = at;
        at += c.len_utf16() as u32;
    }
    prev
}

/// The UTF-16 offset of the character boundary after `offset`.
fn next_boundary(text: &str, offset: u32) -> u32 {
    let mut at = 0;
    for c in text.chars() {
        at += c.len_utf16() as u32;
        if at > offset {
            return at;
        }
    }
    at
}
