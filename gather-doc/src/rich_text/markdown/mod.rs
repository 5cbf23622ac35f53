//! Markdown import and export (CommonMark with GitHub's tables, task lists and
//! strikethrough), through pulldown-cmark.

mod export;
mod import;
mod inline;
mod table;

pub use export::nodes_to_markdown;
pub use import::{markdown_to_nodes, options as markdown_options};

#[cfg(test)]
mod tests;
