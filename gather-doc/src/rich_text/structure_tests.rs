//! Tests of lists, quotes, code, rules, tables, links and Markdown shortcuts: the stored shape
//! Tiptap expects, and that every operation keeps content Tiptap's schema accepts.

use yrs::types::xml::XmlOut;
use yrs::{GetString, ReadTxn, Transact, TransactionMut, Xml, XmlFragment, XmlFragmentRef};

use super::*;
use crate::new_doc;

/// The body as XML with attributes in name order (yrs writes them in hash order).
fn xml(doc: &yrs::Doc) -> String {
    fn el(txn: &impl ReadTxn, node: XmlOut, out: &mut String) {
        match node {
            XmlOut::Element(e) => {
                let mut attrs: Vec<(String, String)> = e
                    .attributes(txn)
                    .map(|(k, v)| (k.to_string(), v.to_string(txn)))
                    .collect();
                attrs.sort();
                out.push('<');
                out.push_str(e.tag());
                for (k, v) in attrs {
                    out.push_str(&format!(" {k}=\"{v}\""));
                }
                out.push('>');
                for child in e.children(txn) {
                    el(txn, child, out);
                }
                out.push_str(&format!("</{}>", e.tag()));
            }
            XmlOut::Text(t) => out.push_str(&t.get_string(txn)),
            XmlOut::Fragment(_) => {}
        }
    }
    let b = body(doc);
    let txn = doc.transact();
    let mut out = String::new();
    for child in b.children(&txn) {
        el(&txn, child, &mut out);
    }
    out
}

fn edit<R>(doc: &yrs::Doc, f: impl FnOnce(&mut TransactionMut, &XmlFragmentRef) -> R) -> R {
    let b = body(doc);
    let mut txn = doc.transact_mut();
    let r = f(&mut txn, &b);
    assert!(valid(&txn, &b), "invalid: {}", b.get_string(&txn));
    r
}

/// Types `text` character by character at `pos`, running shortcuts as the app does.
fn typed(doc: &yrs::Doc, mut pos: Pos, text: &str) -> Pos {
    for c in text.chars() {
        pos = edit(doc, |txn, b| {
            let mut s = [0u8; 4];
            let pos = insert_text(txn, b, pos, c.encode_utf8(&mut s), Marks::default());
            let trigger = match c {
                ' ' => Some(Trigger::Space),
                '-' => Some(Trigger::Dash),
                _ => None,
            };
            if let Some(caret) = trigger.and_then(|t| line_shortcut(txn, b, pos, t)) {
                return caret;
            }
            if matches!(c, '*' | '_' | '`' | '~') {
                if let Some((caret, _)) = inline_shortcut(txn, b, pos) {
                    return caret;
                }
            }
            pos
        });
    }
    pos
}

fn enter(doc: &yrs::Doc, pos: Pos) -> Pos {
    edit(doc, |txn, b| {
        line_shortcut(txn, b, pos, Trigger::Enter).unwrap_or_else(|| split_block(txn, b, pos))
    })
}

/// Whether the body is valid for Tiptap's schema as this editor writes it.
fn valid(txn: &impl ReadTxn, b: &XmlFragmentRef) -> bool {
    fn children(txn: &impl ReadTxn, el: &yrs::XmlElementRef) -> Vec<yrs::XmlElementRef> {
        el.children(txn)
            .filter_map(|c| match c {
                XmlOut::Element(e) => Some(e),
                _ => None,
            })
            .collect()
    }
    fn block(txn: &impl ReadTxn, el: &yrs::XmlElementRef) -> bool {
        let kids = children(txn, el);
        let tags: Vec<String> = kids.iter().map(|k| k.tag().to_string()).collect();
        let all = |f: &dyn Fn(&str) -> bool| tags.iter().all(|t| f(t));
        let blocks_ok = kids.iter().all(|k| block(txn, k));
        match el.tag().as_ref() {
            "paragraph" | "heading" => all(&|t| t == "hardBreak"),
            "codeBlock" => tags.is_empty(),
            "bulletList" | "orderedList" => {
                !tags.is_empty() && all(&|t| t == "listItem") && blocks_ok
            }
            "taskList" => !tags.is_empty() && all(&|t| t == "taskItem") && blocks_ok,
            "listItem" | "taskItem" => tags.first().is_some_and(|t| t == "paragraph") && blocks_ok,
            "blockquote" => !tags.is_empty() && blocks_ok,
            "table" => !tags.is_empty() && all(&|t| t == "tableRow") && blocks_ok,
            "tableRow" => {
                !tags.is_empty() && all(&|t| t == "tableCell" || t == "tableHeader") && blocks_ok
            }
            "tableCell" | "tableHeader" => !tags.is_empty() && blocks_ok,
            "horizontalRule" | "image" | "hardBreak" => tags.is_empty(),
            _ => false,
        }
    }
    b.children(txn).all(|c| match c {
        XmlOut::Element(e) => block(txn, &e),
        _ => false,
    })
}

#[test]
fn dash_space_makes_a_bullet_list_and_enter_makes_items() {
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "- 口罩");
    assert_eq!(pos, Pos::new(0, 2));
    let pos = enter(&doc, pos);
    let pos = typed(&doc, pos, "手套");
    assert_eq!(
        xml(&doc),
        "<bulletList><listItem><paragraph>口罩</paragraph></listItem>\
         <listItem><paragraph>手套</paragraph></listItem></bulletList>"
    );
    // Enter twice: the empty item leaves the list.
    let pos = enter(&doc, pos);
    let pos = enter(&doc, pos);
    assert_eq!(pos, Pos::new(2, 0));
    typed(&doc, pos, "after");
    assert!(
        xml(&doc).ends_with("</bulletList><paragraph>after</paragraph>"),
        "{}",
        xml(&doc)
    );
    let b = body(&doc);
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks[0].path[0].container, Container::BulletList);
    assert_eq!(blocks[1].path[1].index, 1);
    assert!(blocks[2].path.is_empty());
}

#[test]
fn numbered_and_task_shortcuts_keep_start_and_checked() {
    let doc = new_doc(1);
    typed(&doc, Pos::new(0, 0), "3. three");
    assert_eq!(
        xml(&doc),
        "<orderedList start=\"3\"><listItem><paragraph>three</paragraph></listItem></orderedList>"
    );
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "[x] done");
    let pos = enter(&doc, pos);
    typed(&doc, pos, "todo");
    let s = xml(&doc);
    assert!(
        s.starts_with("<taskList><taskItem checked=\"true\"><paragraph>done"),
        "{s}"
    );
    assert!(
        s.contains("<taskItem checked=\"false\"><paragraph>todo"),
        "{s}"
    );
    edit(&doc, |txn, b| set_task_checked(txn, b, 1, true));
    assert!(xml(&doc).contains("<taskItem checked=\"true\"><paragraph>todo"));
}

#[test]
fn tab_nests_an_item_and_shift_tab_brings_it_back_keeping_order() {
    let doc = new_doc(1);
    let mut pos = typed(&doc, Pos::new(0, 0), "- a");
    for t in ["b", "c", "d"] {
        pos = enter(&doc, pos);
        pos = typed(&doc, pos, t);
    }
    assert!(
        !edit(&doc, |txn, b| indent(txn, b, 0)),
        "the first item cannot go in"
    );
    assert!(edit(&doc, |txn, b| indent(txn, b, 1)));
    assert!(edit(&doc, |txn, b| indent(txn, b, 2)));
    assert_eq!(
        xml(&doc),
        "<bulletList><listItem><paragraph>a</paragraph><bulletList>\
         <listItem><paragraph>b</paragraph></listItem>\
         <listItem><paragraph>c</paragraph></listItem></bulletList></listItem>\
         <listItem><paragraph>d</paragraph></listItem></bulletList>"
    );
    // Outdenting b keeps c after it (as b's sub-list).
    edit(&doc, |txn, b| outdent(txn, b, 1));
    let texts: Vec<String> = {
        let b = body(&doc);
        let txn = doc.transact();
        read_blocks(&txn, &b).iter().map(Block::text).collect()
    };
    assert_eq!(texts, ["a", "b", "c", "d"]);
    assert_eq!(
        xml(&doc),
        "<bulletList><listItem><paragraph>a</paragraph></listItem>\
         <listItem><paragraph>b</paragraph><bulletList><listItem><paragraph>c</paragraph>\
         </listItem></bulletList></listItem><listItem><paragraph>d</paragraph></listItem></bulletList>"
    );
    // Backspace at the start of d takes it out of the list.
    edit(&doc, |txn, b| merge_with_previous(txn, b, 3));
    assert!(xml(&doc).ends_with("</bulletList><paragraph>d</paragraph>"));
}

#[test]
fn the_list_button_wraps_unwraps_and_changes_kind() {
    let doc = new_doc(1);
    let mut pos = typed(&doc, Pos::new(0, 0), "# Title");
    for t in ["one", "two"] {
        pos = enter(&doc, pos);
        pos = typed(&doc, pos, t);
    }
    edit(&doc, |txn, b| toggle_list(txn, b, 0, 2, ListKind::Bullet));
    assert_eq!(
        xml(&doc),
        "<bulletList><listItem><paragraph>Title</paragraph></listItem>\
         <listItem><paragraph>one</paragraph></listItem>\
         <listItem><paragraph>two</paragraph></listItem></bulletList>"
    );
    edit(&doc, |txn, b| toggle_list(txn, b, 1, 1, ListKind::Task));
    assert!(xml(&doc).starts_with("<taskList><taskItem checked=\"false\">"));
    edit(&doc, |txn, b| toggle_list(txn, b, 0, 2, ListKind::Task));
    assert_eq!(
        xml(&doc),
        "<paragraph>Title</paragraph><paragraph>one</paragraph><paragraph>two</paragraph>"
    );
}

#[test]
fn quotes_code_and_rules_from_shortcuts() {
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "> 引用");
    assert_eq!(
        xml(&doc),
        "<blockquote><paragraph>引用</paragraph></blockquote>"
    );
    edit(&doc, |txn, b| merge_with_previous(txn, b, pos.block));
    assert_eq!(xml(&doc), "<paragraph>引用</paragraph>");
    // Enter on an empty line in a quote leaves it.
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "> 一");
    let pos = enter(&doc, enter(&doc, pos));
    typed(&doc, pos, "二");
    assert_eq!(
        xml(&doc),
        "<blockquote><paragraph>一</paragraph></blockquote><paragraph>二</paragraph>"
    );

    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "```rust");
    let pos = enter(&doc, pos);
    let pos = typed(&doc, pos, "fn **main** {}");
    let pos = enter(&doc, pos);
    let pos = typed(&doc, pos, "x");
    assert_eq!(
        xml(&doc),
        "<codeBlock language=\"rust\">fn **main** {}\nx</codeBlock>"
    );
    // Three Enters at the end leave the code block.
    let pos = enter(&doc, enter(&doc, enter(&doc, pos)));
    typed(&doc, pos, "after");
    assert_eq!(
        xml(&doc),
        "<codeBlock language=\"rust\">fn **main** {}\nx</codeBlock><paragraph>after</paragraph>"
    );

    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "above");
    let pos = enter(&doc, pos);
    let pos = typed(&doc, pos, "---");
    assert_eq!(pos, Pos::new(2, 0));
    typed(&doc, pos, "below");
    assert_eq!(
        xml(&doc),
        "<paragraph>above</paragraph><horizontalRule></horizontalRule><paragraph>below</paragraph>"
    );
    // Backspace at the start of the line after a rule removes the rule.
    let caret = edit(&doc, |txn, b| merge_with_previous(txn, b, 2));
    assert_eq!(caret, Pos::new(1, 0));
    assert_eq!(
        xml(&doc),
        "<paragraph>above</paragraph><paragraph>below</paragraph>"
    );
}

#[test]
fn inline_shortcuts_format_the_text_between() {
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "a **bold** and *it* `c` ~~s~~ 2*3*4");
    let b = body(&doc);
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks[0].text(), "a bold and it c s 2*3*4");
    assert_eq!(pos.offset, blocks[0].len());
    assert!(blocks[0].marks_at(3).has(Mark::Bold));
    assert!(blocks[0].marks_at(13).has(Mark::Italic));
    assert!(blocks[0].marks_at(15).has(Mark::Code));
    assert!(blocks[0].marks_at(17).has(Mark::Strike));
    assert!(!blocks[0].marks_at(22).has(Mark::Italic));
}

#[test]
fn tables_insert_navigate_grow_and_shrink() {
    let doc = new_doc(1);
    typed(&doc, Pos::new(0, 0), "物资");
    let caret = edit(&doc, |txn, b| insert_table(txn, b, Pos::new(0, 2), 2, 3));
    assert_eq!(caret, Pos::new(1, 0));
    let s = xml(&doc);
    assert!(s.starts_with("<paragraph>物资</paragraph><table><tableRow><tableHeader colspan=\"1\" rowspan=\"1\"><paragraph></paragraph></tableHeader>"), "{s}");
    assert!(s.ends_with("</table><paragraph></paragraph>"), "{s}");
    typed(&doc, caret, "名称");
    let next = {
        let b = body(&doc);
        let txn = doc.transact();
        next_cell(&txn, &b, 1, false)
    };
    assert_eq!(next, Some(2));
    typed(&doc, Pos::new(2, 0), "数量");
    // 2 rows × 3 cells, then a paragraph.
    let count = |doc: &yrs::Doc| {
        let b = body(doc);
        let txn = doc.transact();
        read_blocks(&txn, &b).len()
    };
    assert_eq!(count(&doc), 1 + 6 + 1);
    let caret = edit(&doc, |txn, b| add_row(txn, b, 4, true));
    assert_eq!(caret, Pos::new(7, 0));
    assert_eq!(count(&doc), 1 + 9 + 1);
    edit(&doc, |txn, b| add_column(txn, b, 1, true));
    assert_eq!(count(&doc), 1 + 12 + 1);
    {
        let b = body(&doc);
        let txn = doc.transact();
        let blocks = read_blocks(&txn, &b);
        assert!(matches!(
            blocks[2].path[2].container,
            Container::TableCell { header: true, .. }
        ));
        assert_eq!(blocks[3].text(), "数量");
    }
    edit(&doc, |txn, b| delete_column(txn, b, 2));
    edit(&doc, |txn, b| delete_row(txn, b, 8));
    assert_eq!(count(&doc), 1 + 6 + 1);
    // A selection across cells removes text only.
    edit(&doc, |txn, b| {
        delete_range(txn, b, Pos::new(1, 1), Pos::new(2, 1))
    });
    assert_eq!(count(&doc), 1 + 6 + 1);
    {
        let b = body(&doc);
        let txn = doc.transact();
        let blocks = read_blocks(&txn, &b);
        assert_eq!(
            (blocks[1].text().as_str(), blocks[2].text().as_str()),
            ("名", "量")
        );
    }
    // Backspace at a cell's start does not leave the cell.
    edit(&doc, |txn, b| merge_with_previous(txn, b, 2));
    assert_eq!(count(&doc), 1 + 6 + 1);
    edit(&doc, |txn, b| delete_table(txn, b, 3));
    assert_eq!(
        xml(&doc),
        "<paragraph>物资</paragraph><paragraph></paragraph>"
    );
}

#[test]
fn links_are_stored_as_tiptap_link_marks() {
    let doc = new_doc(1);
    typed(&doc, Pos::new(0, 0), "see the notice");
    edit(&doc, |txn, b| {
        set_link(
            txn,
            b,
            Pos::new(0, 8),
            Pos::new(0, 14),
            Some("https://example.org/n"),
        )
    });
    {
        let b = body(&doc);
        let txn = doc.transact();
        let blocks = read_blocks(&txn, &b);
        let links: Vec<Option<String>> = blocks[0]
            .inlines
            .iter()
            .map(|i| match i {
                Inline::Text { link, .. } => link.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(links, [None, Some("https://example.org/n".into())]);
    }
    edit(&doc, |txn, b| {
        set_link(txn, b, Pos::new(0, 0), Pos::new(0, 14), None)
    });
    let b = body(&doc);
    let txn = doc.transact();
    assert_eq!(read_blocks(&txn, &b)[0].inlines.len(), 1);
}

#[test]
fn deleting_across_list_items_joins_them_and_keeps_the_list_valid() {
    let doc = new_doc(1);
    let mut pos = typed(&doc, Pos::new(0, 0), "- one");
    for t in ["two", "three"] {
        pos = enter(&doc, pos);
        pos = typed(&doc, pos, t);
    }
    edit(&doc, |txn, b| indent(txn, b, 1));
    edit(&doc, |txn, b| {
        delete_range(txn, b, Pos::new(0, 1), Pos::new(2, 2))
    });
    assert_eq!(
        xml(&doc),
        "<bulletList><listItem><paragraph>oree</paragraph></listItem></bulletList>"
    );
}

/// A tiny deterministic generator, for the random-operations test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n.max(1))) as u32
    }
}

fn random_structure_edit(txn: &mut TransactionMut, b: &XmlFragmentRef, rng: &mut Lcg) {
    let blocks = read_blocks(txn, b);
    let n = blocks.len().max(1) as u32;
    let block = rng.next(n);
    let len = blocks.get(block as usize).map_or(0, Block::len);
    let pos = Pos::new(block, rng.next(len + 1));
    match rng.next(16) {
        0 => {
            split_block(txn, b, pos);
        }
        1 => {
            merge_with_previous(txn, b, block);
        }
        2 => {
            join_with_previous(txn, b, block);
        }
        3 => toggle_list(
            txn,
            b,
            block,
            (block + rng.next(3)).min(n - 1),
            ListKind::Bullet,
        ),
        4 => toggle_list(txn, b, block, block, ListKind::Task),
        5 => {
            indent(txn, b, block);
        }
        6 => {
            outdent(txn, b, block);
        }
        7 => toggle_quote(txn, b, block, block),
        8 => {
            insert_rule(txn, b, pos);
        }
        9 => {
            insert_table(txn, b, pos, 2, 2);
        }
        10 => {
            add_row(txn, b, block, true);
        }
        11 => {
            delete_column(txn, b, block);
        }
        12 => {
            let end = Pos::new(rng.next(n), rng.next(3));
            delete_range(txn, b, pos, end);
        }
        13 => {
            set_block_kind(txn, b, block, &BlockKind::CodeBlock { language: None });
        }
        14 => {
            set_block_kind(txn, b, block, &BlockKind::Heading(2));
        }
        _ => {
            insert_text(txn, b, pos, "字x", Marks::default());
        }
    }
}

#[test]
fn random_structure_edits_stay_valid_and_converge() {
    use yrs::updates::decoder::Decode;
    for seed in 0..40u64 {
        let mut rng = Lcg(seed);
        let docs = [new_doc(1), new_doc(2)];
        for doc in &docs {
            let b = body(doc);
            let mut txn = doc.transact_mut();
            insert_text(&mut txn, &b, Pos::new(0, 0), "seed", Marks::default());
        }
        for round in 0..12 {
            for doc in &docs {
                let b = body(doc);
                let mut txn = doc.transact_mut();
                for _ in 0..3 {
                    // Concurrent edits can merge into content the schema refuses (two people
                    // each remove one of a list's two items); an edit on valid content must
                    // leave it valid.
                    let before = valid(&txn, &b);
                    random_structure_edit(&mut txn, &b, &mut rng);
                    assert!(
                        !before || valid(&txn, &b),
                        "seed {seed} round {round}: {}",
                        b.get_string(&txn)
                    );
                }
            }
            // Exchange everything.
            let (a, c) = (&docs[0], &docs[1]);
            let ua = a
                .transact()
                .encode_state_as_update_v1(&c.transact().state_vector());
            let uc = c
                .transact()
                .encode_state_as_update_v1(&a.transact().state_vector());
            c.transact_mut()
                .apply_update(yrs::Update::decode_v1(&ua).unwrap())
                .unwrap();
            a.transact_mut()
                .apply_update(yrs::Update::decode_v1(&uc).unwrap())
                .unwrap();
            assert_eq!(xml(a), xml(c), "seed {seed}");
        }
    }
}

#[test]
fn pasted_html_goes_in_at_the_caret_inline_or_as_blocks() {
    let el = |tag: &str, children: Vec<RawNode>| RawNode::element(tag, &[], children);
    let doc = new_doc(1);
    typed(&doc, Pos::new(0, 0), "ab");
    // A bold word pasted inside a paragraph stays in it, with its mark.
    let inline = el("body", vec![el("b", vec![RawNode::text("粗")])]);
    let caret = edit(&doc, |txn, b| {
        insert_nodes(txn, b, Pos::new(0, 1), html_tree_to_nodes(&inline))
    });
    assert_eq!(caret, Pos::new(0, 2));
    assert_eq!(xml(&doc), "<paragraph>a<bold>粗</bold>b</paragraph>");
    // A heading and a list pasted in the middle split the paragraph around them.
    let blocks = el(
        "body",
        vec![
            el("h2", vec![RawNode::text("物资")]),
            el(
                "ul",
                vec![
                    el("li", vec![RawNode::text("口罩")]),
                    el("li", vec![RawNode::text("手套")]),
                ],
            ),
            el("script", vec![RawNode::text("alert(1)")]),
        ],
    );
    let caret = edit(&doc, |txn, b| {
        insert_nodes(txn, b, Pos::new(0, 2), html_tree_to_nodes(&blocks))
    });
    assert_eq!(
        xml(&doc),
        "<paragraph>a<bold>粗</bold></paragraph><heading level=\"2\">物资</heading><bulletList>\
         <listItem><paragraph>口罩</paragraph></listItem><listItem><paragraph>手套</paragraph>\
         </listItem></bulletList><paragraph>b</paragraph>"
    );
    assert_eq!(caret, Pos::new(3, 2));
}

#[test]
fn markdown_pasted_into_an_empty_line_replaces_it_and_into_code_stays_text() {
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "x");
    let pos = enter(&doc, pos);
    edit(&doc, |txn, b| {
        insert_nodes(txn, b, pos, markdown_to_nodes("# 晨检\n\n- [ ] 体温\n"))
    });
    assert_eq!(
        xml(&doc),
        "<paragraph>x</paragraph><heading level=\"1\">晨检</heading><taskList>\
         <taskItem checked=\"false\"><paragraph>体温</paragraph></taskItem></taskList>"
    );
    let doc = new_doc(1);
    let pos = typed(&doc, Pos::new(0, 0), "```");
    let pos = enter(&doc, pos);
    edit(&doc, |txn, b| {
        insert_nodes(txn, b, pos, markdown_to_nodes("**a**\n\nb"))
    });
    assert_eq!(xml(&doc), "<codeBlock>a\nb</codeBlock>");
}

#[test]
fn one_block_read_alone_is_the_same_as_in_the_whole_read() {
    let doc = crate::new_doc(1);
    let body = super::body(&doc);
    {
        let mut txn = doc.transact_mut();
        let md =
            "# Title\n\n- a **b**\n  - c\n\n> quote\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\ntail";
        let nodes = super::markdown::markdown_to_nodes(md);
        super::insert_nodes(&mut txn, &body, super::Pos::new(0, 0), nodes);
    }
    let txn = doc.transact();
    let all = super::read_blocks(&txn, &body);
    assert!(all.len() >= 8, "{all:?}");
    for (i, block) in all.iter().enumerate() {
        assert_eq!(
            super::read_block_at(&txn, &body, i as u32).as_ref(),
            Some(block)
        );
    }
    assert_eq!(super::read_block_at(&txn, &body, all.len() as u32), None);
}
