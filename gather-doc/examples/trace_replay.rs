//! Replays a real editing trace (josephg/editing-traces format) two ways, one transaction per
//! edit as an editor makes them, and prints the time of each:
//!
//! - raw yrs: every patch straight into one `TextRef`;
//! - Gather's editing layer: every patch through `gather_doc::rich_text` on the `default`
//!   fragment, a newline being Enter (`split_block`) and deleting one being a merge.
//!
//! Both must end with the trace's `endContent`.
//!
//! ```sh
//! cargo run --release -p gather-doc --example trace_replay -- ../shared/data/editing-traces/automerge-paper.json.gz
//! ```

use std::io::Read;
use std::time::Instant;

use gather_doc::rich_text::{self, Marks, Pos};
use yrs::{GetString, Text, Transact};

type Patch = (usize, usize, String);

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: trace_replay TRACE.json.gz");
    let mut json = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("open trace"))
        .read_to_string(&mut json)
        .expect("read trace");
    let trace: serde_json::Value = serde_json::from_str(&json).expect("parse trace");
    let end = trace["endContent"].as_str().expect("endContent").to_owned();
    assert!(
        end.chars().all(|c| (c as u32) < 0x10000),
        "this replay assumes positions in the Basic Multilingual Plane"
    );
    let patches: Vec<Patch> = trace["txns"]
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
    println!(
        "{path}: {} patches, {} chars at the end",
        patches.len(),
        end.chars().count()
    );

    let start = Instant::now();
    let raw = replay_raw(&patches);
    let raw_time = start.elapsed();
    assert_eq!(raw, end, "raw yrs replay diverged");
    println!("raw yrs TextRef:        {:>8.2} s", raw_time.as_secs_f64());

    let start = Instant::now();
    let layered = replay_editing_layer(&patches);
    let layer_time = start.elapsed();
    assert_eq!(layered, end, "editing-layer replay diverged");
    println!(
        "gather editing layer:   {:>8.2} s  ({:.2}× raw yrs)",
        layer_time.as_secs_f64(),
        layer_time.as_secs_f64() / raw_time.as_secs_f64()
    );
}

fn replay_raw(patches: &[Patch]) -> String {
    let doc = gather_doc::new_doc(1);
    let text = doc.get_or_insert_text("text");
    for (pos, del, ins) in patches {
        let mut txn = doc.transact_mut();
        if *del > 0 {
            text.remove_range(&mut txn, *pos as u32, *del as u32);
        }
        if !ins.is_empty() {
            text.insert(&mut txn, *pos as u32, ins);
        }
    }
    let txn = doc.transact();
    text.get_string(&txn)
}

/// Replays through the editing layer, keeping the length of every line to turn a position in
/// the flat text into a block and an offset.
fn replay_editing_layer(patches: &[Patch]) -> String {
    let doc = gather_doc::new_doc(1);
    let body = rich_text::body(&doc);
    let mut lines: Vec<u32> = vec![0];
    let locate = |lines: &[u32], mut pos: usize| -> Pos {
        for (i, len) in lines.iter().enumerate() {
            if pos <= *len as usize {
                return Pos::new(i as u32, pos as u32);
            }
            pos -= *len as usize + 1;
        }
        Pos::new(lines.len() as u32 - 1, *lines.last().unwrap())
    };
    for (pos, del, ins) in patches {
        let mut txn = doc.transact_mut();
        if *del > 0 {
            let a = locate(&lines, *pos);
            let b = locate(&lines, pos + del);
            rich_text::delete_range(&mut txn, &body, a, b);
            let merged = a.offset + (lines[b.block as usize] - b.offset);
            lines.splice(a.block as usize..=b.block as usize, [merged]);
        }
        if !ins.is_empty() {
            let mut at = locate(&lines, *pos);
            for (i, segment) in ins.split('\n').enumerate() {
                if i > 0 {
                    let line = at.block as usize;
                    let tail = lines[line] - at.offset;
                    lines[line] = at.offset;
                    lines.insert(line + 1, tail);
                    at = rich_text::split_block(&mut txn, &body, at);
                }
                if !segment.is_empty() {
                    let n = segment.encode_utf16().count() as u32;
                    at = rich_text::insert_text(&mut txn, &body, at, segment, Marks::default());
                    lines[at.block as usize] += n;
                }
            }
        }
    }
    let txn = doc.transact();
    rich_text::read_blocks(&txn, &body)
        .iter()
        .map(|b| b.text())
        .collect::<Vec<_>>()
        .join("\n")
}
