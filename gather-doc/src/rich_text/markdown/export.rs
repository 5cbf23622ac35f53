//! [`Node`]s to Markdown: blocks as lines with container prefixes, inline text escaped so that
//! it reads back as the same text, marks as delimiters with whitespace kept outside them.

use yrs::Any;

use super::inline::{inline_markdown, Place};
use crate::rich_text::tree::{attr_int, attr_str, Node, MAX_DEPTH};

/// Writes `nodes` (the body's children, best [`crate::rich_text::normalize`]d) as CommonMark
/// with GitHub tables, task lists and strikethrough. Underline and highlight have no Markdown
/// and are written as plain text; empty paragraphs are left out.
pub fn nodes_to_markdown(nodes: &[Node]) -> String {
    let lines = blocks(nodes, false, 0);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The lines of a sequence of blocks, a blank line between them unless `tight`.
fn blocks(nodes: &[Node], tight: bool, depth: usize) -> Vec<String> {
    if depth > MAX_DEPTH * 2 {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    let mut previous: Option<&str> = None;
    let mut alternate = false;
    for node in nodes {
        let tag = node.tag().unwrap_or("");
        // Two lists of one kind in a row would merge: the second takes the other marker.
        alternate = is_list(tag) && previous.map(list_kind) == Some(list_kind(tag)) && !alternate;
        let lines = block(node, alternate, depth);
        if lines.is_empty() {
            continue;
        }
        // An empty list item cannot interrupt a paragraph: a blank line must come first.
        let starts_empty = is_list(tag)
            && node.children().first().is_some_and(|item| {
                item.children()
                    .first()
                    .is_none_or(|p| p.children().is_empty())
            });
        if !out.is_empty() && (!tight || starts_empty) {
            out.push(String::new());
        }
        out.extend(lines);
        previous = Some(tag);
    }
    out
}

/// Bullet and task lists are one kind of list in Markdown.
fn list_kind(tag: &str) -> &str {
    if tag == "taskList" {
        "bulletList"
    } else {
        tag
    }
}

fn is_list(tag: &str) -> bool {
    matches!(tag, "bulletList" | "orderedList" | "taskList")
}

fn block(node: &Node, alternate: bool, depth: usize) -> Vec<String> {
    let Node::Element { tag, children, .. } = node else {
        return Vec::new();
    };
    match tag.as_str() {
        "paragraph" => {
            let text = inline_markdown(children, Place::Paragraph);
            if text.is_empty() {
                Vec::new()
            } else {
                text.split('\n').map(str::to_owned).collect()
            }
        }
        "heading" => {
            let level = attr_int(node.attr("level")).unwrap_or(1).clamp(1, 6) as usize;
            let text = inline_markdown(children, Place::Heading);
            let hashes = "#".repeat(level);
            vec![if text.is_empty() {
                hashes
            } else {
                format!("{hashes} {text}")
            }]
        }
        "codeBlock" => code_block(node),
        "blockquote" => blocks(children, false, depth + 1)
            .into_iter()
            .map(|line| {
                if line.is_empty() {
                    ">".to_owned()
                } else {
                    format!("> {line}")
                }
            })
            .collect(),
        "bulletList" | "orderedList" | "taskList" => list(node, alternate, depth),
        "table" => super::table::table(node),
        "horizontalRule" => vec!["---".to_owned()],
        "image" => vec![image(node)],
        _ => {
            let text = node.plain_text();
            let text = super::inline::escape_text(&text.replace('\n', " "), true);
            vec![text]
        }
    }
}

fn code_block(node: &Node) -> Vec<String> {
    let text = node.plain_text();
    let longest = longest_run(&text, '`').max(longest_run(&text, '~'));
    let fence = "`".repeat((longest + 1).max(3));
    let language = attr_str(node.attr("language"))
        .map(|l| l.replace(['`', ' ', '\n'], ""))
        .unwrap_or_default();
    let mut lines = vec![format!("{fence}{language}")];
    if !text.is_empty() {
        lines.extend(text.split('\n').map(str::to_owned));
    }
    lines.push(fence);
    lines
}

/// The longest run of `c` in `text`.
pub(super) fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn list(node: &Node, alternate: bool, depth: usize) -> Vec<String> {
    let items = node.children();
    // Tight unless an item holds more than its paragraph and nested lists.
    let tight = items.iter().all(|item| {
        item.children()
            .iter()
            .skip(1)
            .all(|c| is_list(c.tag().unwrap_or("")))
    });
    let ordered = node.tag() == Some("orderedList");
    let start = attr_int(node.attr("start"))
        .unwrap_or(1)
        .clamp(0, 999_999_999);
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered {
            let delimiter = if alternate { ')' } else { '.' };
            format!("{}{delimiter} ", start.saturating_add(i as i64))
        } else if alternate {
            "* ".to_owned()
        } else {
            "- ".to_owned()
        };
        let task = match item.attr("checked") {
            _ if item.tag() != Some("taskItem") => "",
            Some(Any::Bool(true)) => "[x] ",
            _ => "[ ] ",
        };
        let mut lines = blocks(item.children(), tight, depth + 2);
        // An item whose paragraph is empty starts with the nested content on the next line.
        let first_is_empty = item
            .children()
            .first()
            .is_some_and(|p| p.children().is_empty());
        if first_is_empty || lines.is_empty() {
            lines.insert(0, String::new());
        }
        if !tight && i > 0 {
            out.push(String::new());
        }
        let indent = " ".repeat(marker.len());
        for (j, line) in lines.into_iter().enumerate() {
            if j == 0 {
                out.push(format!("{marker}{task}{line}").trim_end().to_owned());
            } else if line.is_empty() {
                out.push(String::new());
            } else {
                out.push(format!("{indent}{line}"));
            }
        }
    }
    out
}

fn image(node: &Node) -> String {
    let alt = attr_str(node.attr("alt")).unwrap_or("");
    let src = attr_str(node.attr("src")).unwrap_or("");
    let title = attr_str(node.attr("title")).unwrap_or("");
    format!(
        "![{}]({})",
        super::inline::escape_text(&alt.replace('\n', " "), false),
        super::inline::destination(src, title)
    )
}
