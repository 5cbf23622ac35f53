//! The rich-text model: the `default` XmlFragment as y-prosemirror (Tiptap / ProseMirror)
//! stores it, read into plain [`Block`]s for rendering, and edited by plain functions.
//!
//! Storage shape (the contract with y-prosemirror): the fragment's children are Tiptap's block
//! nodes: text blocks (`paragraph`, `heading` with a numeric `level`, `codeBlock`), atoms
//! (`horizontalRule`, `image`) and containers (`bulletList`/`orderedList`/`taskList` of
//! `listItem`/`taskItem`, `blockquote`, `table` > `tableRow` > `tableCell`/`tableHeader`); a
//! text block's children are `XmlText`s and inline elements (`hardBreak`). Marks are
//! formatting attributes on the text whose value is the mark's attributes object (`bold: {}`,
//! `link: {href}`), removed with `null`; `true` is accepted when reading. Every operation leaves
//! content Tiptap's schema accepts (a list item starts with a paragraph, no empty containers).
//!
//! Positions are [`Pos`]: a block index, counting blocks in document order through containers
//! ([`read_blocks`] gives them with their containers), and an offset in UTF-16 code units
//! inside the block, an inline element counting one. Documents must be made with [`crate::new_doc`] so that yrs
//! counts the same way.

mod copy;
mod edit;
mod html;
mod inline;
mod insert;
mod markdown;
mod marks;
mod nodes;
mod outline;
mod paste;
mod read;
mod restore;
mod schema;
mod shortcuts;
mod structure;
mod tables;
mod tree;

pub use copy::{copy, Copied};
pub use edit::{
    delete_range, insert_hard_break, insert_text, join_with_previous, merge_with_previous,
    set_block_kind, set_link, split_block, toggle_mark,
};
pub use html::{nodes_to_html, standalone_html};
pub use insert::insert_nodes;
pub use markdown::{markdown_options, markdown_to_nodes, nodes_to_markdown};
pub use marks::{Mark, Marks};
pub use outline::{Ancestor, Container};
pub use paste::{html_tree_to_nodes, RawNode};
pub use read::{read_block_at, read_blocks, read_top_level, Block, BlockKind, Inline};
pub use restore::{read_children, restore, Restored};
pub use schema::{is_valid, normalize, MARKS};
pub use shortcuts::{inline_shortcut, line_shortcut, Trigger};
pub use structure::{
    indent, insert_image, insert_rule, outdent, set_task_checked, toggle_list, toggle_quote,
    ListKind,
};
pub use tables::{
    add_column, add_row, delete_column, delete_row, delete_table, insert_table, next_cell,
};
pub use tree::{
    attr_int, attr_str, read_tree, safe_href, safe_image_src, write_nodes, Node, Props, MAX_DEPTH,
};

/// Name of the XmlFragment that holds the document body (y-prosemirror's default).
pub const FRAGMENT: &str = "default";

/// A place in the document: block index and UTF-16 offset within the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub block: u32,
    pub offset: u32,
}

impl Pos {
    pub fn new(block: u32, offset: u32) -> Pos {
        Pos { block, offset }
    }
}

/// The body fragment of a document. This takes the document's write lock: call it before
/// opening a transaction, never while one is open (yrs would wait forever).
pub fn body(doc: &yrs::Doc) -> yrs::XmlFragmentRef {
    doc.get_or_insert_xml_fragment(FRAGMENT)
}

#[cfg(test)]
mod copy_tests;
#[cfg(test)]
mod paste_tests;
#[cfg(test)]
mod restore_tests;
#[cfg(test)]
mod structure_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tree_tests;
