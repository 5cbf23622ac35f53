//! Markdown shortcuts while typing, as Tiptap's input rules: `# ` to `###### ` make headings,
//! `- `, `* `, `+ ` a bullet list, `1. ` a numbered list, `[] ` / `[x] ` a task list, `> ` a
//! quote, three backticks (and a language) a code block, `---` a rule; `**bold**`, `*italic*`,
//! `` `code` `` and `~~strike~~` format the text between the marks. The app calls these after
//! the user typed; each returns the caret if it changed something.

use yrs::{Any, TransactionMut, Xml, XmlFragmentRef};

use super::edit::{direct_item, set_block_kind, toggle_mark};
use super::inline::delete_inline;
use super::marks::Mark;
use super::outline::{entry_at, Container};
use super::read::{read_block, BlockKind};
use super::structure::{insert_rule, set_task_checked, toggle_list, toggle_quote, ListKind};
use super::Pos;

/// What was just typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A space (block shortcuts).
    Space,
    /// Enter, before the block splits (code fences and rules typed without the space).
    Enter,
    /// A `-` (the third makes a rule).
    Dash,
}

enum Line {
    Heading(u8),
    List(ListKind, u32, bool),
    Quote,
    Code(Option<String>),
    Rule,
}

fn parse(prefix: &str, trigger: Trigger) -> Option<Line> {
    match trigger {
        Trigger::Dash => return (prefix == "---").then_some(Line::Rule),
        Trigger::Enter => {
            if prefix == "---" {
                return Some(Line::Rule);
            }
            let lang = prefix.strip_prefix("```")?;
            return valid_language(lang).then(|| Line::Code(language(lang)));
        }
        Trigger::Space => {}
    }
    let body = prefix.strip_suffix(' ')?;
    if !body.is_empty() && body.bytes().all(|b| b == b'#') && body.len() <= 6 {
        return Some(Line::Heading(body.len() as u8));
    }
    match body {
        "-" | "*" | "+" => return Some(Line::List(ListKind::Bullet, 1, false)),
        ">" => return Some(Line::Quote),
        "[]" | "[ ]" => return Some(Line::List(ListKind::Task, 1, false)),
        "[x]" | "[X]" => return Some(Line::List(ListKind::Task, 1, true)),
        _ => {}
    }
    if let Some(lang) = body.strip_prefix("```") {
        return valid_language(lang).then(|| Line::Code(language(lang)));
    }
    let digits = body.strip_suffix(['.', ')'])?;
    if !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Line::List(ListKind::Ordered, digits.parse().ok()?, false));
    }
    None
}

fn valid_language(lang: &str) -> bool {
    lang.len() <= 32
        && lang
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'#'))
}

fn language(lang: &str) -> Option<String> {
    (!lang.is_empty()).then(|| lang.to_ascii_lowercase())
}

/// A block shortcut: when the paragraph's text up to the caret (at `pos`, just after what was
/// typed) is one of the prefixes, the prefix goes and the block changes.
pub fn line_shortcut(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    trigger: Trigger,
) -> Option<Pos> {
    let (index, entry) = entry_at(txn, body, pos.block)?;
    if entry.kind != BlockKind::Paragraph || index != pos.block {
        return None;
    }
    let text = read_block(txn, &entry.el).text();
    let units: Vec<u16> = text.encode_utf16().collect();
    let prefix = String::from_utf16(units.get(..pos.offset as usize)?).ok()?;
    if trigger == Trigger::Enter && prefix.len() != text.len() {
        return None;
    }
    let line = parse(&prefix, trigger)?;
    let in_list = entry.innermost(Container::is_list).is_some();
    let first_of_item = entry.index == 0 && direct_item(&entry).is_some();
    match &line {
        Line::List(..) if in_list => return None,
        Line::Heading(_) | Line::Code(_) if first_of_item => return None,
        _ => {}
    }
    delete_inline(txn, &entry.el, 0, pos.offset);
    let caret = Pos::new(index, 0);
    match line {
        Line::Heading(level) => set_block_kind(txn, body, index, &BlockKind::Heading(level)),
        Line::Code(language) => {
            set_block_kind(txn, body, index, &BlockKind::CodeBlock { language })
        }
        Line::Quote => toggle_quote(txn, body, index, index),
        Line::Rule => return Some(insert_rule(txn, body, caret)),
        Line::List(kind, start, checked) => {
            toggle_list(txn, body, index, index, kind);
            if let Some((_, entry)) = entry_at(txn, body, index) {
                if let Some((_, list)) = entry.innermost(Container::is_list) {
                    if kind == ListKind::Ordered && start != 1 {
                        let n = Any::Number(yrs::Number::Int(start.into()));
                        list.el.insert_attribute(txn, "start", n);
                    }
                }
            }
            if checked {
                set_task_checked(txn, body, index, true);
            }
        }
    }
    Some(caret)
}

/// An inline shortcut: when the text before the caret ends with `**text**` (or `__`, `*`, `_`,
/// `` ` ``, `~~`), the marks go and the text between gets the format. Returns the caret and
/// the mark, which the next typed text should not continue.
pub fn inline_shortcut(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
) -> Option<(Pos, Mark)> {
    let (index, entry) = entry_at(txn, body, pos.block)?;
    if !matches!(entry.kind, BlockKind::Paragraph | BlockKind::Heading(_)) || index != pos.block {
        return None;
    }
    let text = read_block(txn, &entry.el).text();
    let units: Vec<u16> = text.encode_utf16().collect();
    let end = pos.offset as usize;
    let before = units.get(..end)?;
    for (delim, mark) in [
        ("**", Mark::Bold),
        ("__", Mark::Bold),
        ("~~", Mark::Strike),
        ("`", Mark::Code),
        ("*", Mark::Italic),
        ("_", Mark::Italic),
    ] {
        let d: Vec<u16> = delim.encode_utf16().collect();
        let Some(open) = find_open(before, &d) else {
            continue;
        };
        let dl = d.len() as u32;
        let (open, end) = (open as u32, end as u32);
        delete_inline(txn, &entry.el, end - dl, end);
        delete_inline(txn, &entry.el, open, open + dl);
        let from = Pos::new(index, open);
        let to = Pos::new(index, end - 2 * dl);
        // Turn the mark on (toggle would turn it off if the text had it already).
        if !toggle_mark(txn, body, from, to, mark) {
            toggle_mark(txn, body, from, to, mark);
        }
        return Some((to, mark));
    }
    None
}

/// Where the opening delimiter is, if `text` ends with `delim` closing a non-empty run that
/// neither starts nor ends with a space (and, for a single `*` or `_`, is not half of a double).
fn find_open(text: &[u16], delim: &[u16]) -> Option<usize> {
    let n = delim.len();
    if text.len() < 2 * n + 1 || !text.ends_with(delim) {
        return None;
    }
    let close = text.len() - n;
    let single = n == 1;
    if single && close > 0 && text[close - 1] == delim[0] {
        return None;
    }
    let space = |u: u16| u == b' ' as u16 || u == 0x3000 || u == b'\t' as u16;
    if space(text[close - 1]) {
        return None;
    }
    let mut open = close.checked_sub(n + 1)?;
    loop {
        if text[open..open + n] == *delim {
            let inner = &text[open + n..close];
            let doubled = single
                && ((open > 0 && text[open - 1] == delim[0]) || inner.first() == Some(&delim[0]));
            // After a letter or digit (`2*3*4`) a star is arithmetic, not emphasis; after a
            // Chinese character it opens (Chinese has no spaces between words).
            let glued = open > 0
                && char::from_u32(u32::from(text[open - 1]))
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            if inner.is_empty() || space(inner[0]) || doubled || glued {
                return None;
            }
            return Some(open);
        }
        open = open.checked_sub(1)?;
    }
}
