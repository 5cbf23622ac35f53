//! Reading again only what an edit changed. After an edit confined to a few top-level nodes
//! (an Enter splitting a paragraph, a list item or a table cell's text; a Backspace joining a
//! block to the one before), only those nodes, and the nodes they became, are read from the
//! document again; the blocks after them are the same, only their top-level index moves. In a
//! 100-page document this spares an Enter re-reading 2,000 blocks from yrs.

use std::ops::RangeInclusive;

use gather_doc::rich_text::{self, Block};
use yrs::{ReadTxn, XmlFragmentRef};

/// `rendered` (everything as last read) with top-level nodes `nodes` replaced by what the
/// document now holds in their place: as many nodes again plus `grew` (how many top-level
/// nodes the edit added; negative if it removed some). `None` if that cannot be (read
/// everything then).
pub(super) fn with_nodes_read_again(
    txn: &impl ReadTxn,
    body: &XmlFragmentRef,
    rendered: &[Block],
    nodes: RangeInclusive<u32>,
    grew: i64,
) -> Option<Vec<Block>> {
    let (first, last) = (*nodes.start(), *nodes.end());
    let count = u32::try_from(i64::from(last) - i64::from(first) + 1 + grew).ok()?;
    let shift = i32::try_from(grew).ok()?;
    let fresh = rich_text::read_top_level(txn, body, first..first.checked_add(count)?);
    // Blocks are in document order, so their top-level indexes never decrease.
    let start = rendered.partition_point(|b| b.top() < first);
    let end = rendered.partition_point(|b| b.top() <= last);
    let mut blocks = Vec::with_capacity(rendered.len() + fresh.len());
    blocks.extend_from_slice(&rendered[..start]);
    blocks.extend(fresh);
    for block in &rendered[end..] {
        let mut block = block.clone();
        let top = match block.path.first_mut() {
            Some(outermost) => &mut outermost.index,
            None => &mut block.index,
        };
        *top = top.checked_add_signed(shift)?;
        blocks.push(block);
    }
    // An empty document shows one empty paragraph: read it all.
    (!blocks.is_empty()).then_some(blocks)
}

#[cfg(test)]
mod tests {
    //! Browser tests: after Enters, Backspaces and Deletes anywhere (paragraphs, headings,
    //! nested lists, quotes, table cells, task items, empty items that leave their list), what
    //! the editor shows is what reading the whole document shows.

    use gather_doc::rich_text::{self, markdown_to_nodes, Pos};
    use wasm_bindgen_test::*;
    use yrs::Transact;

    use super::super::view::{EditorView, Selection};

    const MARKDOWN: &str = "# Plan\n\nReport **by 9:30**.\n\n- masks\n  - N95\n- gloves\n\n\
                            > quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n\
                            1. first\n2. second\n\nEnd.";

    fn whole(doc: &yrs::Doc) -> Vec<rich_text::Block> {
        let body = rich_text::body(doc);
        let txn = doc.transact();
        rich_text::read_blocks(&txn, &body)
    }

    #[wasm_bindgen_test]
    fn enters_and_joins_anywhere_show_what_reading_the_whole_document_shows() {
        let doc = gather_doc::new_doc(3);
        let body = rich_text::body(&doc);
        let nodes = markdown_to_nodes(MARKDOWN);
        rich_text::insert_nodes(&mut doc.transact_mut(), &body, Pos::new(0, 0), nodes);
        let document = web_sys::window().unwrap().document().unwrap();
        let outer = document.create_element("div").unwrap();
        let host = document.create_element("div").unwrap();
        outer.append_child(&host).unwrap();
        document.body().unwrap().append_child(&outer).unwrap();
        let mut view = EditorView::new(host.clone(), doc.clone());
        let first = view.blocks().len();
        for round in 0..60 {
            let blocks = view.blocks();
            let block = (round * 7) % blocks.len();
            let len = blocks[block].len();
            let offset = [len, 0, len / 2][round % 3];
            view.split(Selection::caret(Pos::new(block as u32, offset)));
            assert_eq!(view.blocks(), &whole(&doc)[..], "round {round}");
            // Twice at the same place: an empty item leaves its list, an empty paragraph stays.
            if round % 5 == 0 {
                let caret = view.selection().map_or(Pos::new(0, 0), |s| s.focus);
                view.split(Selection::caret(caret));
                assert_eq!(view.blocks(), &whole(&doc)[..], "round {round}, again");
            }
        }
        assert!(view.blocks().len() > first + 60);
        // Backspace at a block's start and Delete at its end join blocks, across lists,
        // quotes and cells too.
        for round in 0..50 {
            let blocks = view.blocks();
            let block = (round * 5) % blocks.len();
            let pos = if round % 2 == 0 {
                Pos::new(block as u32, 0)
            } else {
                Pos::new(block as u32, blocks[block].len())
            };
            view.delete(Selection::caret(pos), round % 2 == 1);
            assert_eq!(view.blocks(), &whole(&doc)[..], "join {round}");
        }
        // And the page shows it: every block's text, in order.
        let shown: Vec<String> = view.blocks().iter().map(|b| b.text()).collect();
        let text = outer.text_content().unwrap_or_default();
        let mut rest = text.as_str();
        for block in shown.iter().filter(|t| !t.is_empty()) {
            let at = rest
                .find(block.as_str())
                .unwrap_or_else(|| panic!("{block:?} not shown in order"));
            rest = &rest[at + block.len()..];
        }
    }
}
