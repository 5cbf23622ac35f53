//! Tests of the plain tree: safe addresses, normalizing broken trees, writing and reading back
//! through yrs, and seeded random trees that must all come out valid.

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::{Any, Number, Out, Text, Transact, Xml, XmlFragment};

use super::*;

fn p(children: Vec<Node>) -> Node {
    Node::element("paragraph", children)
}

#[test]
fn only_http_https_and_mailto_links_are_safe() {
    assert_eq!(safe_href(" https://a.b/c "), Some("https://a.b/c".into()));
    assert_eq!(safe_href("HTTP://A.B"), Some("http://A.B".into()));
    assert_eq!(safe_href("MailTo:x@y.z"), Some("mailto:x@y.z".into()));
    for bad in [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "https://a.b/\u{0}x",
        "data:text/html,<script>",
        "vbscript:msgbox",
        "/relative",
        "relative/path",
        "//evil.com",
        "https:",
        "https:/x",
        "",
        "file:///etc/passwd",
    ] {
        assert_eq!(safe_href(bad), None, "{bad:?}");
    }
    assert!(safe_image_src("/api/docs/abc/photos/1").is_some());
    assert!(safe_image_src("https://x.org/a.png").is_some());
    for bad in [
        "/api/docs/../x",
        "mailto:a@b",
        "data:image/png;base64,AA",
        "/other",
        "x",
    ] {
        assert_eq!(safe_image_src(bad), None, "{bad:?}");
    }
}

#[test]
fn normalize_repairs_broken_trees() {
    let tree = vec![
        Node::text("stray"),
        Node::element("listItem", vec![]),
        Node::element("tableCell", vec![Node::text("cell")]),
        Node::element("div", vec![Node::element("b", vec![Node::text("kept")])]),
        p(vec![
            Node::text("a"),
            p(vec![Node::text("inner")]),
            Node::text("b"),
        ]),
        Node::element(
            "codeBlock",
            vec![
                Node::marked("x", &["bold"]),
                Node::element("hardBreak", vec![]),
            ],
        ),
        Node::element("bulletList", vec![]),
        Node::element("blockquote", vec![]),
        Node::element("image", vec![]).with_attr("src", "javascript:alert(1)"),
        p(vec![Node::marked("m", &["bold", "fancy"])]),
    ];
    let out = normalize(tree);
    assert!(is_valid(&out), "{out:#?}");
    let tags: Vec<_> = out.iter().filter_map(Node::tag).collect();
    assert_eq!(
        tags,
        [
            "paragraph",
            "bulletList",
            "table",
            "paragraph",
            "paragraph",
            "paragraph",
            "paragraph",
            "codeBlock",
            "blockquote",
            "paragraph"
        ]
    );
    assert_eq!(out[3].plain_text(), "kept");
    assert_eq!(out[4].plain_text(), "a");
    assert_eq!(out[5].plain_text(), "inner");
    assert_eq!(out[7].children(), &[Node::text("x\n")]);
    assert_eq!(out[9].children(), &[Node::marked("m", &["bold"])]);
    // An empty item and an empty quote get an empty paragraph.
    assert_eq!(out[1].children()[0].children(), &[p(vec![])]);
    assert_eq!(out[8].children(), &[p(vec![])]);
    assert_eq!(normalize(out.clone()), out);
}

#[test]
fn links_keep_only_safe_addresses() {
    let mut bad = Props::new();
    let mut attrs = std::collections::HashMap::new();
    attrs.insert("href".to_owned(), Any::from("javascript:alert(1)"));
    bad.insert("link".into(), Any::from(attrs));
    let out = normalize(vec![p(vec![Node::Text {
        text: "click".into(),
        marks: bad,
    }])]);
    assert_eq!(out, vec![p(vec![Node::text("click")])]);
}

#[test]
fn write_nodes_stores_the_tiptap_shape() {
    let nodes = normalize(vec![
        Node::element("heading", vec![Node::text("T")]).with_attr("level", 2.0),
        Node::element(
            "taskList",
            vec![Node::element("taskItem", vec![p(vec![Node::text("t")])])
                .with_attr("checked", true)],
        ),
        p(vec![
            Node::marked("b", &["bold"]),
            Node::text("plain"),
            Node::element("hardBreak", vec![]),
            Node::marked("i", &["italic"]),
        ]),
    ]);
    let doc = crate::new_doc(1);
    let fragment = body(&doc);
    write_nodes(&mut doc.transact_mut(), &fragment, 0, &nodes);
    let txn = doc.transact();
    let Some(XmlOut::Element(heading)) = fragment.get(&txn, 0) else {
        panic!("no heading");
    };
    assert_eq!(heading.tag().as_ref(), "heading");
    assert_eq!(
        heading.get_attribute(&txn, "level"),
        Some(Out::Any(Any::Number(Number::Int(2))))
    );
    let Some(XmlOut::Element(list)) = fragment.get(&txn, 1) else {
        panic!("no list");
    };
    let Some(XmlOut::Element(item)) = list.get(&txn, 0) else {
        panic!("no item");
    };
    assert_eq!(
        item.get_attribute(&txn, "checked"),
        Some(Out::Any(Any::Bool(true)))
    );
    let Some(XmlOut::Element(para)) = fragment.get(&txn, 2) else {
        panic!("no paragraph");
    };
    let Some(XmlOut::Text(text)) = para.get(&txn, 0) else {
        panic!("no text");
    };
    let chunks = text.diff(&txn, YChange::identity);
    assert_eq!(chunks.len(), 2);
    let bold = chunks[0].attributes.as_deref().unwrap();
    assert_eq!(bold.get("bold"), Some(&Any::Map(Default::default())));
    assert!(chunks[1]
        .attributes
        .as_deref()
        .is_none_or(|a| a.get("bold").is_none_or(|v| *v == Any::Null)));
    assert_eq!(normalize(read_tree(&txn, &fragment)), nodes);
}

#[test]
fn write_nodes_inserts_at_an_index() {
    let doc = crate::new_doc(1);
    let fragment = body(&doc);
    let a = vec![p(vec![Node::text("a")]), p(vec![Node::text("c")])];
    write_nodes(&mut doc.transact_mut(), &fragment, 0, &a);
    write_nodes(
        &mut doc.transact_mut(),
        &fragment,
        1,
        &[p(vec![Node::text("b")])],
    );
    write_nodes(
        &mut doc.transact_mut(),
        &fragment,
        99,
        &[p(vec![Node::text("d")])],
    );
    let text: Vec<String> = read_tree(&doc.transact(), &fragment)
        .iter()
        .map(Node::plain_text)
        .collect();
    assert_eq!(text, ["a", "b", "c", "d"]);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TAGS: &[&str] = &[
    "paragraph",
    "heading",
    "codeBlock",
    "blockquote",
    "bulletList",
    "orderedList",
    "taskList",
    "listItem",
    "taskItem",
    "table",
    "tableRow",
    "tableCell",
    "tableHeader",
    "horizontalRule",
    "image",
    "hardBreak",
    "div",
    "span",
];

const TEXTS: &[&str] = &[
    "a", " ", "中文", "*x*", "<script>", "1. ", "# h", "`", "\\", "a|b",
];
const MARK_NAMES: &[&str] = &["bold", "italic", "code", "strike", "underline", "weird"];

fn random_node(rng: &mut Rng, depth: usize) -> Node {
    if depth > 5 || rng.below(3) == 0 {
        let mut marks = Vec::new();
        for _ in 0..rng.below(3) {
            marks.push(rng.pick(MARK_NAMES));
        }
        return Node::marked(rng.pick(TEXTS), &marks);
    }
    let tag = rng.pick(TAGS);
    let children = (0..rng.below(4))
        .map(|_| random_node(rng, depth + 1))
        .collect();
    let mut node = Node::element(tag, children);
    match rng.below(5) {
        0 => node = node.with_attr("level", rng.below(9) as f64),
        1 => node = node.with_attr("src", "https://x.org/i.png"),
        2 => node = node.with_attr("checked", "true"),
        3 => node = node.with_attr("colspan", "x"),
        _ => {}
    }
    node
}

#[test]
fn random_trees_normalize_to_valid_trees_that_survive_yrs_and_markdown() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let tree: Vec<Node> = (0..rng.below(5) + 1)
            .map(|_| random_node(&mut rng, 0))
            .collect();
        let normal = normalize(tree.clone());
        assert!(is_valid(&normal), "round {round}: {tree:#?}\n→ {normal:#?}");
        assert_eq!(normalize(normal.clone()), normal, "round {round}");
        let doc = crate::new_doc(1);
        let fragment = body(&doc);
        write_nodes(&mut doc.transact_mut(), &fragment, 0, &normal);
        assert_eq!(
            normalize(read_tree(&doc.transact(), &fragment)),
            normal,
            "round {round}"
        );
        let markdown = nodes_to_markdown(&normal);
        assert!(is_valid(&markdown_to_nodes(&markdown)), "{markdown}");
        let html = nodes_to_html(&normal);
        assert!(!html.contains("<script"), "{html}");
    }
}

#[test]
fn very_deep_trees_are_cut_without_overflowing() {
    let mut node = Node::text("deep");
    for i in 0..150 {
        let tag = if i % 2 == 0 { "blockquote" } else { "div" };
        node = Node::element(tag, vec![node]);
    }
    // Export functions given a tree that was never normalized stop at the same depth.
    let raw = vec![node];
    assert!(nodes_to_markdown(&raw).len() < 1000);
    assert!(!nodes_to_html(&raw).is_empty());
    let out = normalize(raw);
    assert!(is_valid(&out));
    let doc = crate::new_doc(1);
    let fragment = body(&doc);
    write_nodes(&mut doc.transact_mut(), &fragment, 0, &out);
    assert_eq!(normalize(read_tree(&doc.transact(), &fragment)), out);
}
