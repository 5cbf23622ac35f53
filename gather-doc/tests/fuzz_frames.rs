//! Fuzzing the decoding of every frame a peer can send: arbitrary bytes, mutations of valid
//! frames (bit flips, truncations, huge varints, duplicated segments, concatenations), and
//! named declared-length bombs go to a `Room` (as the server's websocket task passes them)
//! and to a `ClientSync` (as the browser's socket code does). Nothing may panic or abort, no
//! frame may raise the heap by more than `MAX_RISE` (64 MiB), nothing may be left on the heap
//! once the room and client are dropped, and the room must still serve valid clients after.
//!
//! The run is seeded and reproducible. `GATHER_FUZZ_CASES` sets the number of cases (default
//! [`DEFAULT_CASES`], a few seconds in a debug build), `GATHER_FUZZ_SEED` the seed,
//! `GATHER_FUZZ_ONLY` runs one case by its index, and `GATHER_FUZZ_TRACE=1` prints every case
//! before it runs (for a failure that aborts the process). The coverage-guided fuzzer in
//! `fuzz/` shares `fuzz_support`.

mod fuzz_support;

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use fuzz_support::*;
use gather_doc::Role;
use yrs::{Doc, Map, ReadTxn, StateVector, Transact};

/// Cases of a default run: a few seconds in a debug build on two cores.
const DEFAULT_CASES: u64 = 4000;
const DEFAULT_SEED: u64 = 0x6761_7468_6572;

/// The heap is one for the whole test binary: tests that measure it take turns.
static HEAP: Mutex<()> = Mutex::new(());

fn heap_to_myself() -> MutexGuard<'static, ()> {
    HEAP.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim().replace('_', "");
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

fn frames_in_hex(frames: &[Vec<u8>]) -> String {
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| format!("  frame {i} ({} bytes): {}\n", f.len(), hex(f)))
        .collect()
}

#[test]
fn arbitrary_and_mutated_frames_neither_panic_nor_blow_up_the_heap() {
    let _turn = heap_to_myself();
    let cases = env_number("GATHER_FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let seed = env_number("GATHER_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let only = env_number("GATHER_FUZZ_ONLY");
    let trace = std::env::var_os("GATHER_FUZZ_TRACE").is_some();
    let seeds = seeds();
    let started = Instant::now();
    let (mut frames_sent, mut refused) = (0, 0);
    // The largest rise of the heap in one call, and the case that caused it.
    let (mut room_rise, mut client_rise) = ((0, 0), (0, 0));
    let indices = match only {
        Some(index) => index..index + 1,
        None => 0..cases,
    };
    for index in indices {
        // Each case has its own generator, so one case can be run alone.
        let mut rng = Rng::new(seed.rotate_left(17) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let frames = case(&mut rng, &seeds);
        let sender = role(&mut rng);
        if trace {
            eprintln!(
                "case {index}, {sender:?} sends:\n{}",
                frames_in_hex(&frames)
            );
        }
        match check_case(&seeds, &frames, sender) {
            Ok(report) => {
                frames_sent += report.refused.len();
                refused += report.refused.iter().filter(|r| **r).count();
                room_rise = room_rise.max((report.room_rise, index));
                client_rise = client_rise.max((report.client_rise, index));
            }
            Err(why) => panic!(
                "case {index} of seed {seed:#x} failed: {why}\n{sender:?} sent:\n{}\
                 rerun it alone with GATHER_FUZZ_SEED={seed:#x} GATHER_FUZZ_ONLY={index}",
                frames_in_hex(&frames)
            ),
        }
    }
    eprintln!(
        "{frames_sent} frames in {:.1?}, {refused} refused; largest rise of the heap in one \
         call (at most): room {} in case {}, client {} in case {}",
        started.elapsed(),
        size(room_rise.0),
        room_rise.1,
        size(client_rise.0),
        client_rise.1,
    );
}

/// Frames that declare counts, lengths or nesting far beyond what their bytes can hold, and
/// others the guard refuses (a subdocument, too many messages). The room must refuse each
/// without reserving memory for what it declares.
fn bombs() -> Vec<(&'static str, Vec<u8>)> {
    let m250 = var(250_000_000);
    let cat = |parts: &[&[u8]]| parts.concat();
    // An update of one client (9, clock 0) holding one item in root type "t" whose content
    // (after the info byte) starts with `content`.
    let item = |info: u8, content: &[u8]| cat(&[&[1, 1, 9, 0, info, 1], &buf(b"t"), content]);
    // An update whose only item is a ContentAny holding `any`.
    let any = |any: &[u8]| item(8, &cat(&[&[1], any]));
    vec![
        (
            "the measured awareness bomb",
            vec![0x01, 0x04, 0xFF, 0xFF, 0xFF, 0x7A],
        ),
        (
            "awareness declaring 250M clients before one",
            Envelope::Awareness.wrap(&cat(&[&m250, &[5, 1], &buf(b"{}")])),
        ),
        (
            "awareness state of 250M bytes",
            Envelope::Awareness.wrap(&cat(&[&[1, 5, 1], &m250, b"{}"])),
        ),
        (
            "state vector of 250M entries",
            Envelope::Step1.wrap(&cat(&[&m250, &[9, 1]])),
        ),
        (
            "step 2 whose first client declares 250M blocks",
            Envelope::Step2.wrap(&cat(&[&[1], &m250, &[9, 0, 0, 1, 0]])),
        ),
        (
            "update whose first client declares 250M blocks",
            Envelope::Update.wrap(&cat(&[&[1], &m250, &[9, 0, 0, 1, 0]])),
        ),
        (
            "update whose second client declares 250M blocks",
            Envelope::Update.wrap(&cat(&[&[2, 1, 9, 0, 0, 1], &m250, &[8, 0, 0]])),
        ),
        (
            "update declaring 250M clients",
            Envelope::Update.wrap(&cat(&[&m250, &[1, 9]])),
        ),
        (
            "string content of 250M bytes",
            Envelope::Update.wrap(&item(4, &cat(&[&m250, b"ab"]))),
        ),
        (
            "JSON content of 250M strings",
            Envelope::Update.wrap(&item(2, &cat(&[&m250, &buf(b"1")]))),
        ),
        (
            "any content of 250M values",
            Envelope::Update.wrap(&item(8, &cat(&[&m250, &[120]]))),
        ),
        (
            "any array of 250M values",
            Envelope::Update.wrap(&any(&cat(&[&[117], &m250, &[120]]))),
        ),
        (
            "any map of 250M entries",
            Envelope::Update.wrap(&any(&cat(&[&[118], &m250, &buf(b"k"), &[120]]))),
        ),
        (
            "any map of 10M entries",
            Envelope::Update.wrap(&any(&cat(&[&[118], &var(10_000_000), &buf(b"k"), &[120]]))),
        ),
        (
            "any arrays nested 100k deep",
            Envelope::Update.wrap(&any(&cat(&[&[117, 1].repeat(100_000), &[120]]))),
        ),
        (
            "any string of 250M bytes",
            Envelope::Update.wrap(&any(&cat(&[&[119], &m250, b"ab"]))),
        ),
        (
            "subdocument options of 250M entries",
            Envelope::Update.wrap(&item(
                9,
                &cat(&[&buf(b"guid"), &[118], &m250, &buf(b"k"), &[120]]),
            )),
        ),
        (
            "a subdocument (yrs never frees a document holding one)",
            Envelope::Update.wrap(&subdocument()),
        ),
        (
            "delete set of 250M clients",
            Envelope::Update.wrap(&cat(&[&[0], &m250, &[9, 1]])),
        ),
        (
            "delete set client of 250M ranges",
            Envelope::Update.wrap(&cat(&[&[0, 1, 9], &m250, &[0, 1]])),
        ),
        ("auth reason of 250M bytes", cat(&[&[2, 0], &m250, b"no"])),
        ("custom message of 250M bytes", cat(&[&[7], &m250, &[1]])),
        (
            "update buffer of 250M bytes",
            cat(&[&[0, 2], &m250, &[0, 0]]),
        ),
        (
            "varint longer than 64 bits",
            cat(&[&[0, 2], &[0xFF; 11], &[0]]),
        ),
        ("4 MiB of awareness queries", vec![3; 4 << 20]),
        ("4 MiB of empty custom messages", [7, 0].repeat(2 << 20)),
    ]
}

#[test]
fn declared_length_bombs_are_refused_without_reserving_memory() {
    let _turn = heap_to_myself();
    let seeds = seeds();
    let mut failures = Vec::new();
    for (name, frame) in bombs() {
        if let Ok(only) = std::env::var("BOMB") {
            if !name.contains(&only) {
                continue;
            }
        }
        let shown = if frame.len() > 64 {
            hex(&frame[..64]) + " …"
        } else {
            hex(&frame)
        };
        match check_case(&seeds, std::slice::from_ref(&frame), Role::Editor) {
            Ok(report) if !report.refused[0] => {
                failures.push(format!("{name} was accepted: {shown}"))
            }
            Ok(report) => eprintln!(
                "{name}: refused; heap rose at most {} (room), {} (client)",
                size(report.room_rise),
                size(report.client_rise)
            ),
            Err(why) => failures.push(format!("{name}: {why}\n  {shown}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A valid update that puts a subdocument in a map.
fn subdocument() -> Vec<u8> {
    let doc = gather_doc::new_doc(77);
    let map = doc.get_or_insert_map("m");
    map.insert(&mut doc.transact_mut(), "sub", Doc::new());
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    update
}

/// An update of one client holding `depth` XML elements, each inside the one before, the
/// outermost in the body; with `delete`, its delete set removes the outermost.
fn nested_elements(depth: u64, delete: bool) -> Vec<u8> {
    let head: &[&[u8]] = &[
        &[1],
        &var(depth),
        &[9, 0, 7, 1],
        &buf(b"default"),
        &[3],
        &buf(b"p"),
    ];
    let mut update = head.concat();
    for clock in 1..depth {
        update.extend([&[7, 0, 9][..], &var(clock - 1), &[3], &buf(b"p")].concat());
    }
    update.extend_from_slice(if delete { &[1, 9, 1, 0, 1] } else { &[0] });
    Envelope::Update.wrap(&update)
}

/// Deeply nested shared types cost a few bytes a level, and yrs deletes them recursively: the
/// room refuses an update that nests them past `MAX_NESTING`, before yrs applies it.
#[test]
fn deeply_nested_elements_are_refused() {
    let _turn = heap_to_myself();
    let frame = nested_elements(10_000, false);
    match check_case(&seeds(), &[frame], Role::Editor) {
        Ok(report) => assert!(report.refused[0], "10,000 nested elements were accepted"),
        Err(why) => panic!("{why}"),
    }
}

/// Deleting the outermost of 10,000 nested XML elements (a 70 KB frame) used to overflow the
/// stack inside yrs, which aborts the process; the room and the client now refuse the frame
/// before yrs applies it.
#[test]
fn deleting_deeply_nested_elements_does_not_overflow_the_stack() {
    let _turn = heap_to_myself();
    let frame = nested_elements(10_000, true);
    match check_case(&seeds(), &[frame], Role::Editor) {
        Ok(report) => assert!(report.refused[0], "10,000 nested elements were accepted"),
        Err(why) => panic!("{why}"),
    }
}
