//! Tests of the rich-text model: operations, the stored shape y-prosemirror expects, and
//! convergence of concurrent edits.

use yrs::types::xml::XmlOut;
use yrs::updates::decoder::Decode;
use yrs::{Any, GetString, Out, ReadTxn, StateVector, Transact, Update, Xml, XmlFragment};

use super::*;
use crate::new_doc;

fn texts(doc: &yrs::Doc) -> Vec<String> {
    let b = body(doc);
    let txn = doc.transact();
    read_blocks(&txn, &b).iter().map(Block::text).collect()
}

fn type_text(doc: &yrs::Doc, pos: Pos, text: &str) -> Pos {
    let b = body(doc);
    let mut txn = doc.transact_mut();
    insert_text(&mut txn, &b, pos, text, Marks::default())
}

#[test]
fn typing_into_an_empty_document_creates_a_paragraph() {
    let doc = new_doc(1);
    let b = body(&doc);
    let end = type_text(&doc, Pos::new(0, 0), "你好 world");
    assert_eq!(end, Pos::new(0, 8));
    assert_eq!(texts(&doc), ["你好 world"]);
    let txn = doc.transact();
    let Some(XmlOut::Element(p)) = b.get(&txn, 0) else {
        panic!("no paragraph")
    };
    assert_eq!(p.tag().as_ref(), "paragraph");
    assert!(matches!(p.get(&txn, 0), Some(XmlOut::Text(_))));
}

#[test]
fn offsets_count_utf16_units_like_the_browser() {
    let doc = new_doc(1);
    type_text(&doc, Pos::new(0, 0), "a😀b");
    // The emoji is two UTF-16 units, so "b" starts at 3.
    type_text(&doc, Pos::new(0, 3), "X");
    assert_eq!(texts(&doc), ["a😀Xb"]);
}

#[test]
fn enter_splits_and_backspace_merges() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "hello world");
    let caret = {
        let mut txn = doc.transact_mut();
        split_block(&mut txn, &b, Pos::new(0, 5))
    };
    assert_eq!(caret, Pos::new(1, 0));
    assert_eq!(texts(&doc), ["hello", " world"]);
    let caret = {
        let mut txn = doc.transact_mut();
        merge_with_previous(&mut txn, &b, 1)
    };
    assert_eq!(caret, Pos::new(0, 5));
    assert_eq!(texts(&doc), ["hello world"]);
}

#[test]
fn enter_at_the_end_of_a_heading_starts_a_paragraph() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "Title");
    {
        let mut txn = doc.transact_mut();
        set_block_kind(&mut txn, &b, 0, &BlockKind::Heading(2));
        split_block(&mut txn, &b, Pos::new(0, 5));
    }
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks[0].kind, BlockKind::Heading(2));
    assert_eq!(blocks[0].text(), "Title");
    assert_eq!(blocks[1].kind, BlockKind::Paragraph);
}

#[test]
fn marks_are_stored_as_prosemirror_attributes_and_toggle() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "make this bold");
    let on = {
        let mut txn = doc.transact_mut();
        toggle_mark(&mut txn, &b, Pos::new(0, 10), Pos::new(0, 14), Mark::Bold)
    };
    assert!(on);
    {
        let txn = doc.transact();
        let Some(XmlOut::Element(p)) = b.get(&txn, 0) else {
            panic!()
        };
        let Some(XmlOut::Text(t)) = p.get(&txn, 0) else {
            panic!()
        };
        assert_eq!(t.get_string(&txn), "make this <bold>bold</bold>");
        let blocks = read_blocks(&txn, &b);
        assert_eq!(
            blocks[0].inlines[1],
            Inline::Text {
                text: "bold".into(),
                marks: Marks::default().with(Mark::Bold, true),
                link: None,
            }
        );
    }
    // Typing after bold text continues bold; typing with explicit marks overrides.
    type_text_with(&doc, Pos::new(0, 14), "!", None);
    let off = {
        let mut txn = doc.transact_mut();
        toggle_mark(&mut txn, &b, Pos::new(0, 10), Pos::new(0, 15), Mark::Bold)
    };
    assert!(!off);
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks[0].inlines.len(), 1, "{:?}", blocks[0]);
}

fn type_text_with(doc: &yrs::Doc, pos: Pos, text: &str, marks: Option<Marks>) {
    let b = body(doc);
    let inherited = {
        let txn = doc.transact();
        read_blocks(&txn, &b)[pos.block as usize].marks_at(pos.offset)
    };
    let mut txn = doc.transact_mut();
    insert_text(&mut txn, &b, pos, text, marks.unwrap_or(inherited));
}

#[test]
fn reads_true_marks_and_string_levels_from_other_writers() {
    let doc = new_doc(1);
    let b = body(&doc);
    {
        let mut txn = doc.transact_mut();
        let h = b.push_back(&mut txn, yrs::XmlElementPrelim::empty("heading"));
        h.insert_attribute(&mut txn, "level", "3");
        let t = h.push_back(&mut txn, yrs::XmlTextPrelim::new(""));
        let mut attrs = yrs::types::Attrs::new();
        attrs.insert("italic".into(), Any::Bool(true));
        yrs::Text::insert_with_attributes(&t, &mut txn, 0, "x", attrs);
    }
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks[0].kind, BlockKind::Heading(3));
    assert_eq!(
        blocks[0].marks_at(1),
        Marks::default().with(Mark::Italic, true)
    );
}

#[test]
fn deleting_across_blocks_merges_them() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "one");
    {
        let mut txn = doc.transact_mut();
        split_block(&mut txn, &b, Pos::new(0, 3));
    }
    type_text(&doc, Pos::new(1, 0), "two");
    {
        let mut txn = doc.transact_mut();
        split_block(&mut txn, &b, Pos::new(1, 3));
    }
    type_text(&doc, Pos::new(2, 0), "three");
    let caret = {
        let mut txn = doc.transact_mut();
        delete_range(&mut txn, &b, Pos::new(2, 2), Pos::new(0, 1))
    };
    assert_eq!(caret, Pos::new(0, 1));
    assert_eq!(texts(&doc), ["oree"]);
}

#[test]
fn out_of_range_positions_are_clamped_not_panics() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "abc");
    type_text(&doc, Pos::new(9, 99), "d");
    let mut txn = doc.transact_mut();
    delete_range(&mut txn, &b, Pos::new(5, 0), Pos::new(0, 100));
    split_block(&mut txn, &b, Pos::new(7, 7));
    merge_with_previous(&mut txn, &b, 42);
    toggle_mark(&mut txn, &b, Pos::new(0, 0), Pos::new(9, 9), Mark::Italic);
}

#[test]
fn a_heading_level_is_written_as_a_number() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "T");
    {
        let mut txn = doc.transact_mut();
        set_block_kind(&mut txn, &b, 0, &BlockKind::Heading(1));
    }
    let txn = doc.transact();
    let Some(XmlOut::Element(h)) = b.get(&txn, 0) else {
        panic!()
    };
    assert_eq!(h.tag().as_ref(), "heading");
    assert!(matches!(
        h.get_attribute(&txn, "level"),
        Some(Out::Any(Any::Number(_)))
    ));
}

/// A small deterministic generator, so failures replay from their seed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as u32
    }
}

fn random_edit(doc: &yrs::Doc, rng: &mut Lcg) {
    let b = body(doc);
    let blocks = {
        let txn = doc.transact();
        read_blocks(&txn, &b)
    };
    let block = rng.next(blocks.len().max(1) as u32);
    let len = blocks.get(block as usize).map_or(0, Block::len);
    let pos = Pos::new(block, rng.next(len + 1));
    let mut txn = doc.transact_mut();
    match rng.next(11) {
        0..=4 => {
            let words = ["a", "字", "😀", "hello ", "健康"];
            insert_text(
                &mut txn,
                &b,
                pos,
                words[rng.next(5) as usize],
                Marks::default(),
            );
        }
        5 => {
            split_block(&mut txn, &b, pos);
        }
        6 => {
            merge_with_previous(&mut txn, &b, block);
        }
        7 => {
            let end = Pos::new(block, rng.next(len + 1));
            delete_range(&mut txn, &b, pos, end);
        }
        8 => {
            let end = Pos::new(block, rng.next(len + 1));
            toggle_mark(&mut txn, &b, pos, end, Mark::Bold);
        }
        9 => {
            insert_hard_break(&mut txn, &b, pos);
        }
        _ => {
            set_block_kind(
                &mut txn,
                &b,
                block,
                &BlockKind::Heading(1 + rng.next(3) as u8),
            );
        }
    }
}

fn exchange(a: &yrs::Doc, b: &yrs::Doc) {
    let ua = a
        .transact()
        .encode_state_as_update_v1(&b.transact().state_vector());
    let ub = b
        .transact()
        .encode_state_as_update_v1(&a.transact().state_vector());
    b.transact_mut()
        .apply_update(Update::decode_v1(&ua).unwrap())
        .unwrap();
    a.transact_mut()
        .apply_update(Update::decode_v1(&ub).unwrap())
        .unwrap();
}

/// Three peers edit concurrently, exchanging state at random moments; afterwards all must
/// read the same blocks.
#[test]
fn seeded_concurrent_editing_converges() {
    for seed in 0..40 {
        let mut rng = Lcg(seed);
        let docs: Vec<_> = (1..=3).map(new_doc).collect();
        for _ in 0..60 {
            let who = rng.next(3) as usize;
            random_edit(&docs[who], &mut rng);
            if rng.next(4) == 0 {
                let other = rng.next(3) as usize;
                if other != who {
                    exchange(&docs[who], &docs[other]);
                }
            }
        }
        exchange(&docs[0], &docs[1]);
        exchange(&docs[1], &docs[2]);
        exchange(&docs[0], &docs[1]);
        let expected = {
            let b = body(&docs[0]);
            let txn = docs[0].transact();
            read_blocks(&txn, &b)
        };
        for doc in &docs[1..] {
            let b = body(doc);
            let txn = doc.transact();
            assert_eq!(read_blocks(&txn, &b), expected, "seed {seed}");
        }
        assert_eq!(
            docs[0].transact().state_vector(),
            docs[2].transact().state_vector(),
            "seed {seed}"
        );
        let _ = StateVector::default();
    }
}

/// A paragraph followed by a node this editor does not know (another editor's extension).
fn paragraph_then_unknown(doc: &yrs::Doc) {
    let b = body(doc);
    type_text(doc, Pos::new(0, 0), "para");
    let mut txn = doc.transact_mut();
    let node = b.push_back(&mut txn, yrs::XmlElementPrelim::empty("details"));
    let p = node.push_back(&mut txn, yrs::XmlElementPrelim::empty("paragraph"));
    p.push_back(&mut txn, yrs::XmlTextPrelim::new("masks"));
}

#[test]
fn shift_enter_inserts_a_hard_break_inside_the_text() {
    let doc = new_doc(1);
    let b = body(&doc);
    type_text(&doc, Pos::new(0, 0), "ab");
    {
        let mut txn = doc.transact_mut();
        toggle_mark(&mut txn, &b, Pos::new(0, 1), Pos::new(0, 2), Mark::Bold);
        let caret = insert_hard_break(&mut txn, &b, Pos::new(0, 1));
        assert_eq!(caret, Pos::new(0, 2));
        insert_hard_break(&mut txn, &b, Pos::new(0, 0));
    }
    let txn = doc.transact();
    let blocks = read_blocks(&txn, &b);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].text(), "\na\nb");
    assert!(
        blocks[0].marks_at(4).has(Mark::Bold),
        "marks moved with the text"
    );
    assert_eq!(
        b.get_string(&txn),
        "<paragraph><hardBreak></hardBreak>a<hardBreak></hardBreak><bold>b</bold></paragraph>"
    );
}

#[test]
fn blocks_this_editor_does_not_know_are_never_merged_into_text() {
    let doc = new_doc(1);
    let b = body(&doc);
    paragraph_then_unknown(&doc);
    {
        let mut txn = doc.transact_mut();
        // Delete at the end of the paragraph removes the unknown block whole.
        let caret = join_with_previous(&mut txn, &b, 1);
        assert_eq!(caret, Pos::new(0, 4));
    }
    assert_eq!(b.get_string(&doc.transact()), "<paragraph>para</paragraph>");
}

#[test]
fn deleting_into_an_unknown_block_removes_it_whole() {
    let doc = new_doc(1);
    let b = body(&doc);
    paragraph_then_unknown(&doc);
    let caret = {
        let mut txn = doc.transact_mut();
        delete_range(&mut txn, &b, Pos::new(0, 2), Pos::new(1, 0))
    };
    assert_eq!(caret, Pos::new(0, 2));
    assert_eq!(b.get_string(&doc.transact()), "<paragraph>pa</paragraph>");
}

#[test]
fn reading_some_top_level_nodes_gives_what_reading_them_all_gives_for_those() {
    let doc = new_doc(7);
    let body = body(&doc);
    let markdown = "# Plan\n\nReport **by 9:30**.\n\n- masks\n  - N95\n- gloves\n\n> quoted\n\n\
                    | a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n- [x] done\n\nEnd.";
    write_nodes(
        &mut doc.transact_mut(),
        &body,
        0,
        &markdown_to_nodes(markdown),
    );
    let txn = doc.transact();
    let all = read_blocks(&txn, &body);
    let tops = body.len(&txn);
    assert!(
        tops >= 8,
        "a heading, paragraphs, lists, a quote, a table and a rule"
    );
    for start in 0..=tops {
        for end in start..=tops + 1 {
            let expected: Vec<Block> = all
                .iter()
                .filter(|b| (start..end).contains(&b.top()))
                .cloned()
                .collect();
            assert_eq!(
                read_top_level(&txn, &body, start..end),
                expected,
                "{start}..{end}"
            );
        }
    }
}
