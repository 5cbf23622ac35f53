//! The automerge-paper trace replayed in Chromium (wasm), raw yrs and through the editing
//! layer, exactly as `examples/trace_replay` does natively. A benchmark, not a test of the
//! suite: it only builds with the `trace-bench` feature and `GATHER_TRACE` naming the trace file at compile time;
//! `bench/trace.sh` runs it:
//!
//! ```sh
//! GATHER_TRACE=$PWD/../shared/data/editing-traces/automerge-paper.json.gz \
//!   cargo test --release -p gather-doc --target wasm32-unknown-unknown --features trace-bench --test trace_in_browser
//! ```
#![cfg(all(target_arch = "wasm32", feature = "trace-bench"))]

#[path = "../examples/trace_replay/replay.rs"]
mod replay;

use std::io::Read;

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

static TRACE: &[u8] = include_bytes!(env!("GATHER_TRACE"));

fn now_s() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now() / 1000.0)
        .unwrap_or_default()
}

/// Lets the page breathe (the test runner talks to it through WebDriver, which gives up on a
/// page that does not answer for 5 minutes). Not counted in the times.
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Patches per piece between yields.
const PIECE: usize = 5_000;

#[wasm_bindgen_test]
async fn automerge_paper_in_chromium() {
    let mut json = String::new();
    flate2::read::GzDecoder::new(TRACE)
        .read_to_string(&mut json)
        .expect("read trace");
    let (patches, end) = replay::parse(&json);

    let mut raw = replay::Raw::start();
    let mut raw_time = 0.0;
    for piece in patches.chunks(PIECE) {
        let start = now_s();
        raw.apply(piece);
        raw_time += now_s() - start;
        yield_to_browser().await;
    }
    assert_eq!(raw.text(), end, "raw yrs replay diverged");
    console_log!("RESULT chromium raw {raw_time:.3} {}", patches.len());

    let mut layer = replay::Layer::start();
    let mut layer_time = 0.0;
    for piece in patches.chunks(PIECE) {
        let start = now_s();
        layer.apply(piece);
        layer_time += now_s() - start;
        yield_to_browser().await;
    }
    assert_eq!(layer.text(), end, "editing-layer replay diverged");
    console_log!("RESULT chromium layer {layer_time:.3} {}", patches.len());
}
