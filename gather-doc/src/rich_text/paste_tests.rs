//! Pasting hostile, broken, Word and Google Docs HTML: nothing that runs survives, no unsafe
//! address survives, and the result always fits the schema.

use yrs::Any;

use super::paste::{html_tree_to_nodes, RawNode};
use super::tree::int;
use super::*;

fn el(tag: &str, children: Vec<RawNode>) -> RawNode {
    RawNode::element(tag, &[], children)
}

fn with(tag: &str, attrs: &[(&str, &str)], children: Vec<RawNode>) -> RawNode {
    RawNode::element(tag, attrs, children)
}

fn t(text: &str) -> RawNode {
    RawNode::text(text)
}

fn body(children: Vec<RawNode>) -> RawNode {
    el("body", children)
}

/// Pastes `raw` and checks what every paste must hold.
fn paste(raw: &RawNode) -> Vec<Node> {
    let nodes = html_tree_to_nodes(raw);
    assert!(is_valid(&nodes), "{nodes:#?}");
    let text: String = nodes.iter().map(Node::plain_text).collect();
    assert!(!text.contains("alert"), "script text survived: {text}");
    let html = nodes_to_html(&nodes);
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<svg",
        "<iframe",
        "javascript:",
        "data:",
        "onerror",
        "onload",
    ] {
        assert!(!lower.contains(bad), "{bad} in {html}");
    }
    let markdown = nodes_to_markdown(&nodes).to_lowercase();
    assert!(!markdown.contains("javascript:") && !markdown.contains("data:"));
    nodes
}

#[test]
fn hostile_html_leaves_nothing_that_runs() {
    let raw = body(vec![
        with("img", &[("src", "x"), ("onerror", "alert(1)")], vec![]),
        with("svg", &[("onload", "alert(1)")], vec![t("alert(2)")]),
        el("script", vec![t("alert(3)")]),
        el(
            "style",
            vec![t("body{background:url(javascript:alert(4))}")],
        ),
        with(
            "iframe",
            &[("src", "javascript:alert(5)")],
            vec![t("alert(5)")],
        ),
        el("object", vec![t("alert(6)")]),
        with("embed", &[("src", "data:text/html,alert")], vec![]),
        el("math", vec![t("alert(7)")]),
        with("a", &[("href", "javascript:alert(8)")], vec![t("one")]),
        with("a", &[("href", " JaVaScRiPt:alert(9)")], vec![t("two")]),
        with(
            "a",
            &[("href", "data:text/html;base64,PHNjcmlwdD4=")],
            vec![t("three")],
        ),
        with("a", &[("href", "vbscript:msgbox")], vec![t("four")]),
        with("img", &[("src", "data:image/png;base64,AAAA")], vec![]),
        with(
            "p",
            &[("onclick", "alert(10)"), ("style", "x")],
            vec![t("kept")],
        ),
        with(
            "a",
            &[("href", "https://ok.example/"), ("onmouseover", "x")],
            vec![t("ok")],
        ),
    ]);
    let nodes = paste(&raw);
    let text: String = nodes.iter().map(Node::plain_text).collect();
    assert_eq!(text, "onetwothreefourkeptok");
    let html = nodes_to_html(&nodes);
    assert!(html.contains("<a href=\"https://ok.example/\""), "{html}");
    assert_eq!(html.matches("<a ").count(), 1);
}

#[test]
fn broken_structures_are_repaired() {
    let raw = body(vec![
        el("li", vec![t("stray item")]),
        el("td", vec![t("stray cell")]),
        el(
            "p",
            vec![t("outer "), el("p", vec![t("inner")]), t(" tail")],
        ),
        el("ul", vec![t("text in list"), el("li", vec![])]),
        el("table", vec![t("loose"), el("tr", vec![])]),
        el("tr", vec![el("th", vec![t("h")])]),
        el("li", vec![el("ul", vec![el("li", vec![t("deep")])])]),
        el("blockquote", vec![]),
        el("h7", vec![t("not a heading")]),
    ]);
    let nodes = paste(&raw);
    let tags: Vec<_> = nodes.iter().filter_map(Node::tag).collect();
    assert_eq!(tags[..4], ["bulletList", "table", "paragraph", "paragraph"]);
    let text: String = nodes.iter().map(Node::plain_text).collect();
    for expected in [
        "stray item",
        "stray cell",
        "outer",
        "inner",
        "tail",
        "text in list",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(text.contains("not a heading"));
}

#[test]
fn deep_html_is_cut_not_overflowing() {
    let mut raw = t("bottom");
    for i in 0..2000 {
        raw = el(if i % 3 == 0 { "div" } else { "blockquote" }, vec![raw]);
    }
    paste(&raw);
}

#[test]
fn word_fragments_paste_cleanly() {
    let raw = body(vec![
        with(
            "p",
            &[("class", "MsoNormal")],
            vec![
                with(
                    "b",
                    &[],
                    vec![with("span", &[("lang", "EN-US")], vec![t("Bold title")])],
                ),
                el("o:p", vec![t("\u{a0}")]),
            ],
        ),
        with(
            "p",
            &[
                ("class", "MsoListParagraphCxSpFirst"),
                ("style", "text-indent:-18.0pt;mso-list:l0 level1 lfo1"),
            ],
            vec![
                with(
                    "span",
                    &[("style", "font-family:Symbol")],
                    vec![t("·"), with("span", &[], vec![t("\u{a0}\u{a0}\u{a0} ")])],
                ),
                t("First item"),
                el("o:p", vec![]),
            ],
        ),
        with(
            "p",
            &[
                ("class", "MsoListParagraphCxSpLast"),
                ("style", "mso-list:l0 level1 lfo1"),
            ],
            vec![t("2.\u{a0}\u{a0}Second "), with("i", &[], vec![t("item")])],
        ),
        with(
            "p",
            &[("class", "MsoNormal")],
            vec![el("o:p", vec![t("\u{a0}")])],
        ),
        with("st1:place", &[], vec![t("Beijing")]),
    ]);
    let nodes = paste(&raw);
    assert_eq!(
        nodes[0],
        Node::element("paragraph", vec![Node::marked("Bold title", &["bold"])])
    );
    assert_eq!(nodes[1].tag(), Some("bulletList"));
    let items: Vec<String> = nodes[1].children().iter().map(Node::plain_text).collect();
    assert_eq!(items, ["First item", "Second item"]);
    assert!(nodes.iter().any(|n| n.plain_text() == "Beijing"));
}

#[test]
fn google_docs_wrapper_does_not_make_everything_bold() {
    let span = |style: &str, text: &str| with("span", &[("style", style)], vec![t(text)]);
    let raw = body(vec![
        el("meta", vec![]),
        with(
            "b",
            &[
                ("style", "font-weight:normal;"),
                ("id", "docs-internal-guid-1234"),
            ],
            vec![
                with(
                    "p",
                    &[("dir", "ltr"), ("style", "line-height:1.38;margin-top:0pt")],
                    vec![
                        span("font-size:11pt;font-weight:400;", "plain "),
                        span("font-weight:700;", "bold "),
                        span("font-style:italic;font-weight:400", "italic "),
                        span(
                            "text-decoration:underline;-webkit-text-decoration-skip:none",
                            "under",
                        ),
                    ],
                ),
                el("br", vec![]),
                with(
                    "ul",
                    &[("style", "margin-top:0")],
                    vec![with(
                        "li",
                        &[("dir", "ltr"), ("aria-level", "1")],
                        vec![with(
                            "p",
                            &[("role", "presentation")],
                            vec![span("font-weight:400", "bullet")],
                        )],
                    )],
                ),
            ],
        ),
    ]);
    let nodes = paste(&raw);
    assert_eq!(
        nodes[0].children(),
        &[
            Node::text("plain "),
            Node::marked("bold ", &["bold"]),
            Node::marked("italic ", &["italic"]),
            Node::marked("under", &["underline"]),
        ]
    );
    // The `<br>` between Google Docs' blocks is an empty paragraph.
    assert_eq!(nodes[1], Node::element("paragraph", vec![]));
    let list = nodes
        .iter()
        .find(|n| n.tag() == Some("bulletList"))
        .unwrap();
    assert_eq!(list.plain_text(), "bullet");
    let item_paragraph = &list.children()[0].children()[0];
    assert_eq!(item_paragraph.children(), &[Node::text("bullet")]);
}

#[test]
fn schema_elements_map_over() {
    let raw = body(vec![
        el("h2", vec![t("Heading")]),
        with("ol", &[("start", "4")], vec![el("li", vec![t("four")])]),
        with(
            "ul",
            &[("data-type", "taskList")],
            vec![with(
                "li",
                &[("data-type", "taskItem"), ("data-checked", "true")],
                vec![
                    el(
                        "label",
                        vec![with(
                            "input",
                            &[("type", "checkbox"), ("checked", "")],
                            vec![],
                        )],
                    ),
                    el("div", vec![el("p", vec![t("done")])]),
                ],
            )],
        ),
        el(
            "ul",
            vec![el(
                "li",
                vec![with("input", &[("type", "checkbox")], vec![]), t(" todo")],
            )],
        ),
        with(
            "pre",
            &[],
            vec![with(
                "code",
                &[("class", "language-rust")],
                vec![t("fn main() {\n    x();\n}\n")],
            )],
        ),
        el("hr", vec![]),
        el(
            "table",
            vec![
                el(
                    "thead",
                    vec![el(
                        "tr",
                        vec![el("th", vec![t("A")]), el("th", vec![t("B")])],
                    )],
                ),
                el(
                    "tbody",
                    vec![el(
                        "tr",
                        vec![with("td", &[("colspan", "2")], vec![t("both")])],
                    )],
                ),
            ],
        ),
        with(
            "img",
            &[("src", "https://x.org/a.png"), ("alt", "pic")],
            vec![],
        ),
        el(
            "p",
            vec![
                el("strong", vec![t("b")]),
                el("em", vec![t("i")]),
                el("u", vec![t("u")]),
                el("del", vec![t("s")]),
                el("code", vec![t("c")]),
                el("mark", vec![t("h")]),
                el("br", vec![]),
                with("a", &[("href", "mailto:a@b.c")], vec![t("mail")]),
            ],
        ),
        el("blockquote", vec![el("p", vec![t("quoted")])]),
    ]);
    let nodes = paste(&raw);
    let tags: Vec<_> = nodes.iter().filter_map(Node::tag).collect();
    assert_eq!(
        tags,
        [
            "heading",
            "orderedList",
            "taskList",
            "taskList",
            "codeBlock",
            "horizontalRule",
            "table",
            "image",
            "paragraph",
            "blockquote"
        ]
    );
    assert_eq!(nodes[0].attr("level"), Some(&int(2)));
    assert_eq!(nodes[1].attr("start"), Some(&int(4)));
    assert_eq!(
        nodes[2].children()[0].attr("checked"),
        Some(&Any::Bool(true))
    );
    assert_eq!(nodes[2].plain_text(), "done");
    assert_eq!(
        nodes[3].children()[0].attr("checked"),
        Some(&Any::Bool(false))
    );
    assert_eq!(nodes[4].attr("language"), Some(&Any::from("rust")));
    assert_eq!(nodes[4].plain_text(), "fn main() {\n    x();\n}");
    let table = &nodes[6];
    assert_eq!(table.children()[0].children()[0].tag(), Some("tableHeader"));
    assert_eq!(
        table.children()[1].children()[0].attr("colspan"),
        Some(&int(2))
    );
    let marks: Vec<Vec<&str>> = nodes[8]
        .children()
        .iter()
        .map(|n| match n {
            Node::Text { marks, .. } => marks.keys().map(String::as_str).collect(),
            _ => vec!["<br>"],
        })
        .collect();
    assert_eq!(
        marks,
        [
            vec!["bold"],
            vec!["italic"],
            vec!["underline"],
            vec!["strike"],
            vec!["code"],
            vec!["highlight"],
            vec!["<br>"],
            vec!["link"]
        ]
    );
}

#[test]
fn random_html_trees_always_paste_valid() {
    const TAGS: &[&str] = &[
        "p",
        "div",
        "span",
        "b",
        "i",
        "a",
        "ul",
        "ol",
        "li",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "pre",
        "code",
        "br",
        "img",
        "h1",
        "h4",
        "blockquote",
        "script",
        "svg",
        "o:p",
        "input",
    ];
    const ATTRS: &[(&str, &str)] = &[
        ("href", "javascript:alert(1)"),
        ("href", "https://ok.example"),
        ("src", "https://ok.example/i.png"),
        ("src", "data:x"),
        ("style", "font-weight:bold"),
        ("style", "font-weight:normal;mso-list:l0"),
        ("type", "checkbox"),
        ("colspan", "3"),
        ("start", "-5"),
        ("data-type", "taskItem"),
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    fn build(next: &mut dyn FnMut(usize) -> usize, depth: usize) -> RawNode {
        if depth > 6 || next(3) == 0 {
            return t(["x", " ", "\u{a0}", "中", "alert", "\n"][next(6)]);
        }
        let tag = TAGS[next(TAGS.len())];
        let attrs: Vec<(&str, &str)> = (0..next(3)).map(|_| ATTRS[next(ATTRS.len())]).collect();
        let children = (0..next(4)).map(|_| build(next, depth + 1)).collect();
        with(tag, &attrs, children)
    }
    for _ in 0..500 {
        let raw = body((0..next(4) + 1).map(|_| build(&mut next, 0)).collect());
        let nodes = html_tree_to_nodes(&raw);
        assert!(is_valid(&nodes), "{raw:#?}\n→ {nodes:#?}");
        let html = nodes_to_html(&nodes).to_lowercase();
        assert!(
            !html.contains("javascript:") && !html.contains("data:"),
            "{html}"
        );
    }
}

#[test]
fn html_export_escapes_everything() {
    let nodes = normalize(vec![
        Node::element("heading", vec![Node::text("<script>x</script>")]).with_attr("level", 1.0),
        Node::element("paragraph", vec![Node::text("a & \"b\" 'c'")]),
        Node::element("codeBlock", vec![Node::text("</code><script>")])
            .with_attr("language", "\"><script>"),
        Node::element("image", vec![])
            .with_attr("src", "https://x.org/a.png?a=1&b=\"2\"")
            .with_attr("alt", "\"><script>"),
    ]);
    let html = nodes_to_html(&nodes);
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("<h1>&lt;script&gt;x&lt;/script&gt;</h1>"),
        "{html}"
    );
    assert!(html.contains("a &amp; &quot;b&quot; &#39;c&#39;"));
    assert!(html.contains("class=\"language-script\""), "{html}");
    let page = standalone_html("T<i>", "zh-CN\"><script>", &nodes);
    assert!(
        page.starts_with("<!doctype html>\n<html lang=\"zh-CNscript\">"),
        "{page}"
    );
    assert!(
        page.contains("<meta charset=\"utf-8\">") && page.contains("<title>T&lt;i&gt;</title>")
    );
    assert!(!page.contains("<script"));
}
