//! Round trips: Markdown → nodes → Markdown (directly and through a yrs document) renders to
//! the same HTML as the original, for everything the schema holds.

use yrs::{Any, Transact};

use super::{markdown_options as options, markdown_to_nodes, nodes_to_markdown};
use crate::rich_text::{body, is_valid, normalize, read_tree, write_nodes, Node};

fn html(markdown: &str) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(
        &mut out,
        pulldown_cmark::Parser::new_ext(markdown, options()),
    );
    out
}

const CORPUS: &[&str] = &[
    "# Title\n\n## Second *level*\n\n###### Six\n",
    "Plain paragraph.\n\nAnother with *italic*, **bold**, ***both*** and `code`.\n",
    "Some ~~struck~~ text and **bold with *italic* inside** here.\n",
    "A [link](https://example.com/a?b=1&c=2) and [titled](http://x.org \"The title\").\n",
    "Mail <mailto:someone@example.com> and <https://auto.link/path>.\n",
    "[**bold link**](https://example.com) and [*italic in link*](https://example.com).\n",
    "- one\n- two\n- three\n",
    "- a\n  - nested\n    - deeper\n- b\n",
    "1. first\n2. second\n\n---\n\n7. seven\n8. eight\n",
    "- [ ] todo\n- [x] done\n- [ ] later\n",
    "> quoted\n>\n> > nested quote\n",
    "> - list in quote\n> - again\n",
    "```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n",
    "```\nno language\n\n  indented line\n```\n",
    "````md\n```\ninner fence\n```\n````\n",
    "Before\n\n---\n\nAfter\n",
    "| Name | Age |\n| --- | --- |\n| Ann | 3 |\n| Bo | 44 |\n",
    "| Only header |\n| --- |\n",
    "| `a\\|b` | x \\| y |\n| --- | --- |\n| **b** | [l](https://l.io) |\n",
    "![A cat](https://img.example.com/cat.png)\n",
    "![logo](/api/docs/abc/photos/1 \"Our logo\")\n",
    "line one\\\nline two\\\n**bold\\\nacross**\n",
    "中文段落，包含**粗体**和*斜体*。\n\n## 标题\n\n- 列表项\n- 第二项\n",
    "Escapes: \\*not emphasis\\*, 1\\. not a list, \\# not a heading, a\\_b\\_c, \\<not html>.\n",
    "1\\. starts like a list\n\n\\- dash\n\n\\+ plus\n\n\\> not a quote\n",
    "Entities &amp; &lt;tag&gt; &copy; and a & b.\n",
    "Trailing `code` and ``a ` tick``.\n",
    "1. item\n\n   second paragraph\n\n2. next\n",
    "- a\n\n  ```\n  code in item\n  ```\n\n- b\n",
    "- x\n- y\n\n* other list\n* next\n",
    "Hello  world with two spaces inside.\n",
];

#[test]
fn markdown_round_trips_to_the_same_html() {
    for original in CORPUS {
        let nodes = markdown_to_nodes(original);
        assert!(
            is_valid(&nodes),
            "invalid nodes for {original:?}: {nodes:#?}"
        );
        let exported = nodes_to_markdown(&nodes);
        assert_eq!(
            html(&exported),
            html(original),
            "\noriginal:\n{original}\nexported:\n{exported}"
        );
        // Exporting is stable.
        assert_eq!(nodes_to_markdown(&markdown_to_nodes(&exported)), exported);
    }
}

#[test]
fn markdown_round_trips_through_a_yrs_document() {
    for original in CORPUS {
        let nodes = markdown_to_nodes(original);
        let doc = crate::new_doc(1);
        let fragment = body(&doc);
        write_nodes(&mut doc.transact_mut(), &fragment, 0, &nodes);
        let read = normalize(read_tree(&doc.transact(), &fragment));
        assert_eq!(read, nodes, "read back differs for {original:?}");
        let exported = nodes_to_markdown(&read);
        assert_eq!(html(&exported), html(original), "exported:\n{exported}");
    }
}

#[test]
fn attributes_have_tiptaps_types() {
    let nodes = markdown_to_nodes("## H\n\n3. x\n\n- [x] t\n\n```py\na\n```\n\n| h |\n| - |\n");
    let heading = &nodes[0];
    assert_eq!(
        heading.attr("level"),
        Some(&Any::Number(yrs::Number::Int(2)))
    );
    assert_eq!(
        nodes[1].attr("start"),
        Some(&Any::Number(yrs::Number::Int(3)))
    );
    assert_eq!(nodes[2].tag(), Some("taskList"));
    assert_eq!(
        nodes[2].children()[0].attr("checked"),
        Some(&Any::Bool(true))
    );
    assert_eq!(nodes[3].attr("language"), Some(&Any::from("py")));
    let header = &nodes[4].children()[0].children()[0];
    assert_eq!(header.tag(), Some("tableHeader"));
    assert_eq!(
        header.attr("colspan"),
        Some(&Any::Number(yrs::Number::Int(1)))
    );
    assert_eq!(header.attr("colwidth"), Some(&Any::Null));
}

#[test]
fn raw_html_is_text_and_unsafe_links_are_dropped() {
    let source = "<script>alert(1)</script>\n\nHi <b onclick=\"x()\">there</b>\n\n\
                  [bad](javascript:alert(1)) [worse]( JaVaScRiPt:alert(1)) [data](data:text/html,x) \
                  ![img](javascript:alert(1)) [rel](/relative)\n";
    let nodes = markdown_to_nodes(source);
    assert!(is_valid(&nodes));
    let text: String = nodes.iter().map(Node::plain_text).collect();
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("<b onclick=\"x()\">"));
    let exported = nodes_to_markdown(&nodes);
    let rendered = html(&exported);
    assert!(!rendered.contains("<script"), "{rendered}");
    assert!(!rendered.contains("<b "), "{rendered}");
    assert!(
        !rendered.to_lowercase().contains("javascript:alert(1)\""),
        "{rendered}"
    );
    assert!(!rendered.contains("href"), "{rendered}");
    assert!(!rendered.contains("<img"), "{rendered}");
    assert!(rendered.contains("&lt;script&gt;"), "{rendered}");
}

#[test]
fn a_hard_break_at_the_end_of_a_paragraph_is_left_out() {
    let nodes = vec![Node::element(
        "paragraph",
        vec![Node::text("a"), Node::element("hardBreak", vec![])],
    )];
    assert_eq!(nodes_to_markdown(&nodes), "a\n");
}

#[test]
fn soft_breaks_become_spaces() {
    let nodes = markdown_to_nodes("one\ntwo\n");
    assert_eq!(
        nodes,
        vec![Node::element("paragraph", vec![Node::text("one two")])]
    );
}

#[test]
fn hostile_markdown_does_not_panic_and_stays_valid() {
    let deep_quotes = ">".repeat(5000) + " deep";
    let deep_lists = (0..3000)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect::<String>();
    let deep_emphasis = "*".repeat(10_000) + "a" + &"*".repeat(10_000);
    let brackets = "[".repeat(5000) + "a](http://x)";
    for source in [
        deep_quotes.as_str(),
        deep_lists.as_str(),
        deep_emphasis.as_str(),
        brackets.as_str(),
        "| a |\n| - |\n| b | c | d |\n",
        "- [ ]\n- [x]\n",
        "\u{0}\u{feff}\r\n\r\n",
        "",
    ] {
        let nodes = markdown_to_nodes(source);
        assert!(is_valid(&nodes), "{source:.40}");
        let again = markdown_to_nodes(&nodes_to_markdown(&nodes));
        assert!(is_valid(&again));
    }
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const TRICKY: &[&str] = &[
    "a", "word", " spaced ", "*", "_x_", "1. ", "# ", "-", "+ x", "`", "``", "\\", "[", "]", "<b>",
    "&amp;", "!", "~", "|", "中文", "a  b", "=", ">", "2)", "x!", "[y](z)", "  ",
];

/// Inline content whose marked runs have no whitespace at their edges and are set apart from
/// their neighbours by a space (where Markdown can always say exactly where a mark starts).
fn random_inline(rng: &mut Rng, breaks: bool) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for _ in 0..rng.below(4) + 1 {
        let text = TRICKY[rng.below(TRICKY.len())];
        let mut marks = Vec::new();
        if text.trim() == text && !text.is_empty() {
            for mark in ["bold", "italic", "strike", "code"] {
                if rng.below(4) == 0 {
                    marks.push(mark);
                }
            }
        }
        let last_marked = matches!(out.last(), Some(Node::Text { marks, .. }) if !marks.is_empty());
        if breaks && !out.is_empty() && rng.below(6) == 0 {
            out.push(Node::element("hardBreak", vec![]));
        } else if !out.is_empty() && (last_marked || !marks.is_empty()) {
            out.push(Node::text(" "));
        }
        let mut node = Node::marked(text, &marks);
        if !marks.is_empty() && rng.below(3) == 0 {
            if let Node::Text { marks, .. } = &mut node {
                let href = [
                    "https://a.b/c",
                    "https://a.b/(x) y",
                    "https://a.b/?q=1&amp=2",
                    "mailto:x@y.z",
                ][rng.below(4)];
                let mut attrs = std::collections::HashMap::new();
                attrs.insert("href".to_owned(), Any::from(href));
                attrs.insert("target".to_owned(), Any::Null);
                attrs.insert("rel".to_owned(), Any::from("noopener noreferrer nofollow"));
                attrs.insert("class".to_owned(), Any::Null);
                marks.insert("link".into(), Any::from(attrs));
            }
        }
        out.push(node);
    }
    out
}

fn random_block(rng: &mut Rng, depth: usize) -> Node {
    let paragraph = |rng: &mut Rng| Node::element("paragraph", random_inline(rng, true));
    match if depth > 2 { 0 } else { rng.below(6) } {
        0 | 1 => paragraph(rng),
        2 => Node::element("heading", random_inline(rng, false)).with_attr("level", 2.0),
        3 => Node::element("blockquote", vec![random_block(rng, depth + 1)]),
        4 => {
            let items = (0..rng.below(3) + 1)
                .map(|_| {
                    let mut content = vec![paragraph(rng)];
                    if rng.below(3) == 0 {
                        content.push(Node::element(
                            "bulletList",
                            vec![Node::element("listItem", vec![paragraph(rng)])],
                        ));
                    }
                    Node::element("listItem", content)
                })
                .collect();
            let tag = ["bulletList", "orderedList", "taskList"][rng.below(3)];
            let list = Node::element(tag, items).with_attr("start", rng.below(12) as f64);
            match list {
                Node::Element { tag, children, .. } if tag == "taskList" => Node::element(
                    "taskList",
                    children
                        .into_iter()
                        .map(|item| match item {
                            Node::Element { children, .. } => Node::element("taskItem", children)
                                .with_attr("checked", rng.below(2) == 0),
                            other => other,
                        })
                        .collect(),
                ),
                Node::Element {
                    tag,
                    children,
                    attrs,
                } if tag == "bulletList" => Node::Element {
                    tag,
                    children,
                    attrs: attrs.into_iter().filter(|(k, _)| k != "start").collect(),
                },
                list => list,
            }
        }
        _ => Node::element(
            "codeBlock",
            vec![Node::text(TRICKY[rng.below(TRICKY.len())])],
        ),
    }
}

#[test]
fn random_documents_read_back_from_their_markdown() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let mut failures = 0;
    for round in 0..1000 {
        let blocks = (0..rng.below(4) + 1)
            .map(|_| random_block(&mut rng, 0))
            .collect();
        let nodes = normalize(blocks);
        let markdown = nodes_to_markdown(&nodes);
        let back = markdown_to_nodes(&markdown);
        if back != nodes {
            failures += 1;
            if failures < 40 {
                eprintln!("round {round}:\n{markdown}\n{nodes:?}\n{back:?}\n");
            }
        }
    }
    assert_eq!(failures, 0);
}
