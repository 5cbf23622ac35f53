//! Replays a real editing trace (josephg/editing-traces format) two ways, one transaction per
//! edit as an editor makes them, and prints the time of each:
//!
//! - raw yrs: every patch straight into one `TextRef`;
//! - Gather's editing layer: every patch through `gather_doc::rich_text` on the `default`
//!   fragment, a newline being Enter (`split_block`) and deleting one being a merge.
//!
//! Both must end with the trace's `endContent`. `tests/trace_in_browser.rs` runs the same
//! replays in Chromium; `bench/trace.sh` runs both and Yjs in Node.
//!
//! ```sh
//! cargo run --release -p gather-doc --example trace_replay -- ../shared/data/editing-traces/automerge-paper.json.gz
//! ```

mod replay;

use std::io::Read;
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: trace_replay TRACE.json.gz");
    let mut json = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("open trace"))
        .read_to_string(&mut json)
        .expect("read trace");
    let (patches, end) = replay::parse(&json);
    println!(
        "{path}: {} patches, {} chars at the end",
        patches.len(),
        end.chars().count()
    );

    let start = Instant::now();
    let mut raw = replay::Raw::start();
    raw.apply(&patches);
    let raw = raw.text();
    let raw_time = start.elapsed().as_secs_f64();
    assert_eq!(raw, end, "raw yrs replay diverged");
    println!("raw yrs TextRef:        {raw_time:>8.2} s");

    let start = Instant::now();
    let mut layer = replay::Layer::start();
    layer.apply(&patches);
    let layered = layer.text();
    let layer_time = start.elapsed().as_secs_f64();
    assert_eq!(layered, end, "editing-layer replay diverged");
    println!(
        "gather editing layer:   {layer_time:>8.2} s  ({:.2}× raw yrs)",
        layer_time / raw_time
    );
    // For bench/trace.sh.
    println!("RESULT native raw {raw_time:.3} {}", patches.len());
    println!("RESULT native layer {layer_time:.3} {}", patches.len());
}
