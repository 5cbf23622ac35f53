//! The replays themselves, shared by the native example (`main.rs`) and the same replay in
//! Chromium (`tests/trace_in_browser.rs`): IO-free, the trace already read.

use gather_doc::rich_text::{self, Marks, Pos};
use yrs::{GetString, Text, Transact};

/// One patch of the trace: at a position (in characters), delete some, insert a string.
pub type Patch = (usize, usize, String);

/// The patches of a trace (josephg/editing-traces JSON) and the text it must end with.
pub fn parse(json: &str) -> (Vec<Patch>, String) {
    let trace: serde_json::Value = serde_json::from_str(json).expect("parse trace");
    let end = trace["endContent"].as_str().expect("endContent").to_owned();
    assert!(
        end.chars().all(|c| (c as u32) < 0x10000),
        "this replay assumes positions in the Basic Multilingual Plane"
    );
    let patches = trace["txns"]
        .as_array()
        .expect("txns")
        .iter()
        .flat_map(|t| t["patches"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p[0].as_u64().unwrap() as usize,
                p[1].as_u64().unwrap() as usize,
                p[2].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (patches, end)
}

/// Every patch straight into one yrs `TextRef`, one transaction each; fed in pieces (the
/// browser yields between them).
pub struct Raw {
    doc: yrs::Doc,
    text: yrs::TextRef,
}

impl Raw {
    pub fn start() -> Raw {
        let doc = gather_doc::new_doc(1);
        let text = doc.get_or_insert_text("text");
        Raw { doc, text }
    }

    pub fn apply(&mut self, patches: &[Patch]) {
        for (pos, del, ins) in patches {
            let mut txn = self.doc.transact_mut();
            if *del > 0 {
                self.text.remove_range(&mut txn, *pos as u32, *del as u32);
            }
            if !ins.is_empty() {
                self.text.insert(&mut txn, *pos as u32, ins);
            }
        }
    }

    pub fn text(&self) -> String {
        let txn = self.doc.transact();
        self.text.get_string(&txn)
    }
}

/// Every patch through the editing layer, one transaction each, keeping the length of every line to turn a position
/// in the flat text into a block and an offset.
pub struct Layer {
    doc: yrs::Doc,
    body: yrs::XmlFragmentRef,
    lines: Vec<u32>,
}

impl Layer {
    pub fn start() -> Layer {
        let doc = gather_doc::new_doc(1);
        let body = rich_text::body(&doc);
        Layer {
            doc,
            body,
            lines: vec![0],
        }
    }

    fn locate(&self, mut pos: usize) -> Pos {
        for (i, len) in self.lines.iter().enumerate() {
            if pos <= *len as usize {
                return Pos::new(i as u32, pos as u32);
            }
            pos -= *len as usize + 1;
        }
        Pos::new(self.lines.len() as u32 - 1, *self.lines.last().unwrap())
    }

    pub fn apply(&mut self, patches: &[Patch]) {
        for (pos, del, ins) in patches {
            let mut txn = self.doc.transact_mut();
            let body = &self.body;
            if *del > 0 {
                let a = self.locate(*pos);
                let b = self.locate(pos + del);
                rich_text::delete_range(&mut txn, body, a, b);
                let merged = a.offset + (self.lines[b.block as usize] - b.offset);
                self.lines
                    .splice(a.block as usize..=b.block as usize, [merged]);
            }
            if !ins.is_empty() {
                let mut at = self.locate(*pos);
                for (i, segment) in ins.split('\n').enumerate() {
                    if i > 0 {
                        let line = at.block as usize;
                        let tail = self.lines[line] - at.offset;
                        self.lines[line] = at.offset;
                        self.lines.insert(line + 1, tail);
                        at = rich_text::split_block(&mut txn, body, at);
                    }
                    if !segment.is_empty() {
                        let n = segment.encode_utf16().count() as u32;
                        at = rich_text::insert_text(&mut txn, body, at, segment, Marks::default());
                        self.lines[at.block as usize] += n;
                    }
                }
            }
        }
    }

    pub fn text(&self) -> String {
        let txn = self.doc.transact();
        rich_text::read_blocks(&txn, &self.body)
            .iter()
            .map(|b| b.text())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
