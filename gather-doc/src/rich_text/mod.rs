//! The rich-text model: the `default` XmlFragment as y-prosemirror (Tiptap / ProseMirror)
//! stores it, read into plain [`Block`]s for rendering, and edited by plain functions.
//!
//! Storage shape (the contract with y-prosemirror): the fragment's children are block elements
//! (`paragraph`, `heading` with a numeric `level`, and others this editor shows but does not
//! yet edit); a block's children are `XmlText`s and inline elements (`hardBreak`). Marks are
//! formatting attributes on the text whose value is the mark's attributes object (`bold: {}`),
//! removed with `null`; `true` is accepted when reading.
//!
//! Positions are [`Pos`]: a block index and an offset in UTF-16 code units inside the block,
//! an inline element counting one. Documents must be made with [`crate::new_doc`] so that yrs
//! counts the same way.

mod edit;
mod html;
mod markdown;
mod marks;
mod paste;
mod read;
mod schema;
mod tree;

pub use edit::{
    delete_range, insert_hard_break, insert_text, merge_with_previous, set_block_kind, split_block,
    toggle_mark,
};
pub use html::{nodes_to_html, standalone_html};
pub use markdown::{markdown_options, markdown_to_nodes, nodes_to_markdown};
pub use marks::{Mark, Marks};
pub use paste::{html_tree_to_nodes, RawNode};
pub use read::{read_blocks, Block, BlockKind, Inline};
pub use schema::{is_valid, normalize, MARKS};
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
mod paste_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tree_tests;
