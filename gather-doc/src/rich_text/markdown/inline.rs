//! Inline content to Markdown: text escaped so it reads back as itself, marks as delimiters
//! opened longest-first and closed innermost-first, whitespace kept outside delimiters (where
//! CommonMark would not see them as emphasis).

use yrs::Any;

use super::export::longest_run;
use crate::rich_text::tree::{attr_str, Node, Props};

/// Marks written as delimiters, in the order they open when they last equally long.
const DELIMITED: [&str; 4] = ["link", "strike", "bold", "italic"];

/// How hard breaks and pipes are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// A paragraph: a hard break is a backslash at the end of the line.
    Paragraph,
    /// A heading: one line, a hard break becomes a space.
    Heading,
    /// A table cell: one line, and pipes in code spans are escaped too.
    Cell,
}

struct Writer {
    out: String,
    /// Whether the current line has text yet (delimiters do not count).
    line_has_text: bool,
    open: Vec<(String, Any)>,
    place: Place,
}

enum Item<'a> {
    Text(&'a str, &'a Props),
    Break,
}

/// The Markdown of a textblock's inline nodes.
pub(super) fn inline_markdown(nodes: &[Node], place: Place) -> String {
    let items: Vec<Item> = nodes
        .iter()
        .filter_map(|n| match n {
            Node::Text { text, marks } => Some(Item::Text(text, marks)),
            Node::Element { tag, .. } if tag == "hardBreak" => Some(Item::Break),
            Node::Element { .. } => None,
        })
        .collect();
    let mut w = Writer {
        out: String::new(),
        line_has_text: false,
        open: Vec::new(),
        place,
    };
    // Markdown has no hard break at the end of a paragraph: those are left out.
    let last_text = items.iter().rposition(|i| matches!(i, Item::Text(..)));
    for (i, item) in items.iter().enumerate() {
        if last_text.is_none_or(|last| i > last) {
            break;
        }
        match item {
            Item::Break if place == Place::Paragraph => {
                let keep = shared_marks(&items, i);
                w.close_to(&keep);
                w.protect_trailing_space();
                w.out.push_str("\\\n");
                w.line_has_text = false;
            }
            Item::Break => w.write_text(" "),
            Item::Text(text, marks) => w.write_node(text, marks, &items, i),
        }
    }
    w.close_to(&[]);
    w.protect_trailing_space();
    w.out
}

/// The delimited marks a text node has, outermost first as far as known.
fn delimited(marks: &Props) -> Vec<(String, Any)> {
    DELIMITED
        .iter()
        .filter_map(|name| marks.get(*name).map(|v| ((*name).to_owned(), v.clone())))
        .collect()
}

/// The marks the texts on both sides of a hard break share.
fn shared_marks(items: &[Item], at: usize) -> Vec<(String, Any)> {
    let before = items[..at].iter().rev().find_map(|i| match i {
        Item::Text(_, marks) => Some(*marks),
        Item::Break => None,
    });
    let after = items[at + 1..].iter().find_map(|i| match i {
        Item::Text(_, marks) => Some(*marks),
        Item::Break => None,
    });
    match (before, after) {
        (Some(a), Some(b)) => delimited(a)
            .into_iter()
            .filter(|(name, value)| b.get(name) == Some(value))
            .collect(),
        _ => Vec::new(),
    }
}

/// How many text nodes from `at` on carry `mark` (hard breaks do not interrupt).
fn extent(items: &[Item], at: usize, mark: &(String, Any)) -> usize {
    items[at..]
        .iter()
        .filter(|i| matches!(i, Item::Text(..)))
        .take_while(|i| match i {
            Item::Text(_, marks) => marks.get(&mark.0) == Some(&mark.1),
            Item::Break => true,
        })
        .count()
}

impl Writer {
    fn write_node(&mut self, text: &str, marks: &Props, items: &[Item], at: usize) {
        let target = delimited(marks);
        self.close_to(&target);
        let trimmed = text.trim_start();
        let mut to_open: Vec<(String, Any)> = target
            .into_iter()
            .filter(|m| !self.open.contains(m))
            .collect();
        if trimmed.is_empty() && !marks.contains_key("code") {
            // Whitespace alone opens nothing.
            to_open.clear();
        }
        if !to_open.is_empty() {
            let leading = &text[..text.len() - trimmed.len()];
            self.write_text(leading);
            to_open.sort_by_key(|m| std::cmp::Reverse(extent(items, at, m)));
            for mark in to_open {
                self.out.push_str(opener(&mark.0));
                self.open.push(mark);
            }
            self.write_content(trimmed, marks);
        } else {
            self.write_content(text, marks);
        }
    }

    fn write_content(&mut self, text: &str, marks: &Props) {
        if marks.contains_key("code") {
            self.code_span(text);
        } else {
            self.write_text(text);
        }
    }

    /// Closes open marks until every one left is in `keep`.
    fn close_to(&mut self, keep: &[(String, Any)]) {
        let Some(first) = self.open.iter().position(|m| !keep.contains(m)) else {
            return;
        };
        let trimmed_len = self.out.trim_end_matches([' ', '\t']).len();
        let spaces = self.out.split_off(trimmed_len);
        while self.open.len() > first {
            if let Some((name, value)) = self.open.pop() {
                self.out.push_str(&closer(&name, &value));
            }
        }
        self.out.push_str(&spaces);
    }

    /// A space at the end of a paragraph or before a hard break would be dropped: write it as
    /// a character reference.
    fn protect_trailing_space(&mut self) {
        if self.out.ends_with(' ') && self.place != Place::Cell {
            self.out.pop();
            self.out.push_str("&#32;");
        }
    }

    fn code_span(&mut self, text: &str) {
        let text = text.replace('\n', " ");
        let text = if self.place == Place::Cell {
            text.replace('|', "\\|")
        } else {
            text
        };
        let fence = "`".repeat(longest_run(&text, '`') + 1);
        let pad = text.starts_with('`')
            || text.ends_with('`')
            || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
        let pad = if pad { " " } else { "" };
        self.out
            .push_str(&format!("{fence}{pad}{text}{pad}{fence}"));
        self.line_has_text = true;
    }

    fn write_text(&mut self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = if chars[i] == '\n' { ' ' } else { chars[i] };
            if !self.line_has_text {
                match c {
                    ' ' => self.out.push_str("&#32;"),
                    '\t' => self.out.push_str("&#9;"),
                    '-' | '+' | '=' | '#' | '>' => {
                        self.out.push('\\');
                        self.out.push(c);
                    }
                    '0'..='9' => {
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            self.out.push(chars[i]);
                            i += 1;
                        }
                        if i < chars.len() && matches!(chars[i], '.' | ')') {
                            self.out.push('\\');
                            self.out.push(chars[i]);
                        } else {
                            i -= 1;
                        }
                    }
                    _ => push_escaped(&mut self.out, c, chars.get(i + 1).copied()),
                }
                self.line_has_text = true;
            } else {
                push_escaped(&mut self.out, c, chars.get(i + 1).copied());
            }
            i += 1;
        }
    }
}

fn push_escaped(out: &mut String, c: char, next: Option<char>) {
    let escape = match c {
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => true,
        '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
        '!' => next.is_none() || next == Some('['),
        _ => false,
    };
    if escape {
        out.push('\\');
    }
    out.push(c);
}

fn opener(name: &str) -> &'static str {
    match name {
        "bold" => "**",
        "italic" => "*",
        "strike" => "~~",
        "link" => "[",
        _ => "",
    }
}

fn closer(name: &str, value: &Any) -> String {
    match name {
        "link" => {
            let (href, title) = match value {
                Any::Map(map) => (
                    attr_str(map.get("href")).unwrap_or(""),
                    attr_str(map.get("title")).unwrap_or(""),
                ),
                _ => ("", ""),
            };
            format!("]({})", destination(href, title))
        }
        other => opener(other).to_owned(),
    }
}

/// Text escaped for Markdown, as if it started a line when `line_start`.
pub(super) fn escape_text(text: &str, line_start: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        line_has_text: !line_start,
        open: Vec::new(),
        place: Place::Heading,
    };
    w.write_text(text);
    w.out
}

/// A link or image destination with its optional title, as written between the parentheses.
pub(super) fn destination(url: &str, title: &str) -> String {
    let url: String = url.chars().filter(|c| !c.is_control()).collect();
    let mut out = String::new();
    if url.is_empty() || url.contains([' ', '(', ')', '<', '>', '\\']) {
        out.push('<');
        for c in url.chars() {
            if matches!(c, '<' | '>' | '\\' | '&') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('>');
    } else {
        for c in url.chars() {
            if c == '&' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    if !title.is_empty() {
        out.push_str(" \"");
        for c in title.chars() {
            if matches!(
                c,
                '"' | '\\' | '&' | '`' | '*' | '_' | '[' | ']' | '<' | '>'
            ) {
                out.push('\\');
            }
            out.push(if c == '\n' { ' ' } else { c });
        }
        out.push('"');
    }
    out
}
