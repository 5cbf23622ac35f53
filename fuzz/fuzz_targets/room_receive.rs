//! libFuzzer target: every input becomes a frame (or a few) sent to a `Room` by a connection
//! and to a `ClientSync`, through `fuzz_support::check_case`, the same check the seeded test
//! `gather-doc/tests/fuzz_frames.rs` runs: no panic, no abort, no call raising the heap by more
//! than 64 MiB, the room still healthy afterwards.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../gather-doc/tests/fuzz_support/mod.rs"]
mod fuzz_support;

use fuzz_support::{case, check_case, hex, role, seeds, Envelope, Rng, Seeds};

/// The first byte says how the rest becomes frames: as it is, as the body of a message with a
/// correct length prefix, appended to a valid frame, or as the seed of the structure-aware
/// generator the seeded test uses. It also picks the sender's role.
fn frames(seeds: &Seeds, data: &[u8]) -> Option<(Vec<Vec<u8>>, gather_doc::Role)> {
    let (&how, rest) = data.split_first()?;
    let mut rng = Rng::new(u64::from(how));
    let sender = role(&mut rng);
    let frames = match how % 4 {
        0 => vec![rest.to_vec()],
        1 => {
            let (&pick, body) = rest.split_first()?;
            let envelope = Envelope::ALL[usize::from(pick) % Envelope::ALL.len()];
            vec![envelope.wrap(body)]
        }
        2 => {
            let (&pick, tail) = rest.split_first()?;
            let mut frame = seeds.frames[usize::from(pick) % seeds.frames.len()].clone();
            frame.extend_from_slice(tail);
            vec![frame]
        }
        _ => {
            let seed = rest.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
            case(&mut Rng::new(seed), seeds)
        }
    };
    Some((frames, sender))
}

fuzz_target!(|data: &[u8]| {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    let seeds = SEEDS.get_or_init(|| {
        // libfuzzer-sys aborts on any panic, but the room catches the panics yrs may raise
        // while applying an update (and rebuilds itself): let those unwind, and abort below
        // on the ones `check_case` reports.
        drop(std::panic::take_hook());
        seeds()
    });
    let Some((frames, sender)) = frames(seeds, data) else {
        return;
    };
    if let Err(why) = check_case(seeds, &frames, sender) {
        eprintln!("{why}\n{sender:?} sent:");
        for frame in &frames {
            eprintln!("  {}", hex(frame));
        }
        std::process::abort();
    }
});
