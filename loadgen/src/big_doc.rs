//! Writing a large, realistic document through Gather's editing layer, in updates of a bounded
//! size: what the `big-doc` scenario's preparing client sends before anyone joins.
//!
//! The text is seeded pseudo-random prose, mostly English with some Simplified Chinese (the
//! app's two languages): paragraphs of 60–180 words, a heading (level 2) every dozen or so
//! paragraphs, and bold or italic phrases in about a third of them. Every paragraph is typed
//! the way the editor does it: Enter at the end of the last block ([`rich_text::split_block`]),
//! then [`rich_text::insert_text`] per run of equally formatted text.

use gather_doc::rich_text::{self, BlockKind, Mark, Marks, Pos};
use yrs::{ReadTxn, StateVector, Transact, XmlFragmentRef};

const WORDS: [&str; 48] = [
    "the",
    "class",
    "reads",
    "a",
    "short",
    "story",
    "about",
    "rivers",
    "and",
    "their",
    "towns",
    "students",
    "write",
    "questions",
    "for",
    "next",
    "week",
    "teacher",
    "notes",
    "that",
    "every",
    "group",
    "should",
    "compare",
    "two",
    "maps",
    "before",
    "lunch",
    "history",
    "of",
    "bridges",
    "is",
    "longer",
    "than",
    "most",
    "people",
    "think",
    "answers",
    "go",
    "in",
    "the",
    "shared",
    "document",
    "please",
    "check",
    "spelling",
    "carefully",
    "today",
];

const PHRASES: [&str; 8] = [
    "今天的作业",
    "请大家先读课文",
    "小组讨论",
    "下周一交",
    "老师的批注",
    "我们的共享文档",
    "河流与城市",
    "注意拼写",
];

/// Writes paragraphs into a document, one bounded update at a time.
pub struct Composer {
    rng: u64,
    /// Index of the last block: where the next paragraph starts.
    last_block: Option<u32>,
    paragraphs: u64,
    /// UTF-16 code units of text written so far.
    text_units: u64,
}

impl Composer {
    pub fn new(seed: u64) -> Composer {
        Composer {
            rng: seed | 1,
            last_block: None,
            paragraphs: 0,
            text_units: 0,
        }
    }

    /// Blocks (paragraphs and headings) written so far.
    pub fn blocks(&self) -> u64 {
        self.paragraphs
    }

    /// UTF-16 code units of text written so far.
    pub fn text_units(&self) -> u64 {
        self.text_units
    }

    /// Writes paragraphs in one transaction until about `text_bytes` bytes of UTF-8 text were
    /// typed, and returns that transaction's update (v1). The update is a little larger than
    /// the text (block structure and formatting), so callers keep `text_bytes` well under the
    /// server's message limit.
    pub fn next_update(
        &mut self,
        doc: &yrs::Doc,
        body: &XmlFragmentRef,
        text_bytes: usize,
    ) -> Vec<u8> {
        let before: StateVector = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            let mut written = 0;
            while written < text_bytes {
                written += self.paragraph(&mut txn, body);
            }
        }
        doc.transact().encode_state_as_update_v1(&before)
    }

    /// Writes one block; returns the UTF-8 bytes of text it holds.
    fn paragraph(&mut self, txn: &mut yrs::TransactionMut, body: &XmlFragmentRef) -> usize {
        let block = match self.last_block {
            // An empty document: the first insert creates the first paragraph.
            None => 0,
            Some(last) => rich_text::split_block(txn, body, Pos::new(last, u32::MAX)).block,
        };
        self.last_block = Some(block);
        self.paragraphs += 1;
        let heading = self.paragraphs % 13 == 1;
        if heading && block > 0 {
            rich_text::set_block_kind(txn, body, block, &BlockKind::Heading(2));
        }
        let words = if heading {
            3 + self.below(5)
        } else {
            60 + self.below(121)
        };
        let styled = !heading && self.below(3) == 0;
        // Four styled words, never the last: a paragraph ends in plain text and a full stop.
        let styled_at = self.below(words.saturating_sub(5));
        let mut run = String::new();
        let mut bytes = 0;
        for w in 0..words {
            let mark = if styled && (styled_at..styled_at + 4).contains(&w) {
                Some(if self.below(2) == 0 {
                    Mark::Bold
                } else {
                    Mark::Italic
                })
            } else {
                None
            };
            let word = if self.below(10) == 0 {
                PHRASES[self.below(PHRASES.len() as u64) as usize]
            } else {
                WORDS[self.below(WORDS.len() as u64) as usize]
            };
            if let Some(mark) = mark {
                bytes += self.flush(txn, body, block, &mut run, Marks::default());
                let mut text = format!("{word} ");
                bytes += self.flush(
                    txn,
                    body,
                    block,
                    &mut text,
                    Marks::default().with(mark, true),
                );
            } else {
                run.push_str(word);
                run.push(if w + 1 == words { '.' } else { ' ' });
            }
        }
        bytes += self.flush(txn, body, block, &mut run, Marks::default());
        if heading && block == 0 {
            rich_text::set_block_kind(txn, body, block, &BlockKind::Heading(1));
        }
        bytes
    }

    /// Types `text` at the end of `block` with `marks` and empties it.
    fn flush(
        &mut self,
        txn: &mut yrs::TransactionMut,
        body: &XmlFragmentRef,
        block: u32,
        text: &mut String,
        marks: Marks,
    ) -> usize {
        if text.is_empty() {
            return 0;
        }
        rich_text::insert_text(txn, body, Pos::new(block, u32::MAX), text, marks);
        self.text_units += text.encode_utf16().count() as u64;
        let bytes = text.len();
        text.clear();
        bytes
    }

    /// A pseudo-random number below `n` (xorshift64*).
    fn below(&mut self, n: u64) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gather_doc::rich_text::{read_blocks, Inline};
    use yrs::updates::decoder::Decode;
    use yrs::Update;

    #[test]
    fn writes_paragraphs_that_a_fresh_peer_reads_back() {
        let doc = gather_doc::new_doc(7);
        let body = rich_text::body(&doc);
        let mut composer = Composer::new(42);
        let mut updates = Vec::new();
        for _ in 0..4 {
            updates.push(composer.next_update(&doc, &body, 20_000));
        }
        assert!(updates.iter().all(|u| u.len() > 20_000 && u.len() < 40_000));

        let peer = gather_doc::new_doc(8);
        let peer_body = rich_text::body(&peer);
        for u in &updates {
            peer.transact_mut()
                .apply_update(Update::decode_v1(u).unwrap())
                .unwrap();
        }
        let blocks = read_blocks(&peer.transact(), &peer_body);
        assert_eq!(blocks.len() as u64, composer.blocks());
        assert_eq!(blocks[0].kind, BlockKind::Heading(1));
        assert_eq!(blocks[13].kind, BlockKind::Heading(2));
        let styled = |mark: Mark| {
            blocks
                .iter()
                .flat_map(|b| &b.inlines)
                .filter(|i| matches!(i, Inline::Text { marks, .. } if marks.has(mark)))
                .count()
        };
        assert!(styled(Mark::Bold) > 0 && styled(Mark::Italic) > 0);
        // Formatting ends after the styled words.
        assert!(blocks
            .iter()
            .all(|b| b.marks_at(b.len()) == Marks::default()));
        let units: u64 = blocks.iter().map(|b| u64::from(b.len())).sum();
        assert_eq!(units, composer.text_units());
    }
}
