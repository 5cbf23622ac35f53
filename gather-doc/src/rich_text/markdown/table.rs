//! Tables as GitHub-flavoured Markdown: the first row is the header, each cell one line.

use super::inline::{inline_markdown, Place};
use crate::rich_text::tree::Node;

/// The lines of a table. Cells spanning several columns, several paragraphs or other blocks
/// have no Markdown: their content is written on one line.
pub(super) fn table(node: &Node) -> Vec<String> {
    let rows: Vec<Vec<String>> = node
        .children()
        .iter()
        .map(|row| row.children().iter().map(cell).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut cells = row.clone();
        cells.resize(columns, String::new());
        lines.push(format!("| {} |", cells.join(" | ")));
        if i == 0 {
            lines.push(format!("|{}", " --- |".repeat(columns)));
        }
    }
    lines
}

fn cell(cell: &Node) -> String {
    let parts: Vec<String> = cell
        .children()
        .iter()
        .map(|block| match block.tag() {
            Some("paragraph" | "heading") => inline_markdown(block.children(), Place::Cell),
            _ => inline_markdown(&[Node::text(&block.plain_text())], Place::Cell),
        })
        .filter(|s| !s.is_empty())
        .collect();
    parts.join(" ")
}
