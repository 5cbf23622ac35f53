//! What the frame fuzzers share: valid frames of every kind built with yrs from a real
//! document, a seeded generator of arbitrary and mutated frames, and [`check_case`], which
//! feeds frames to a [`Room`] and a [`ClientSync`] and measures how far each call raises the
//! heap. Used by `tests/fuzz_frames.rs` (a seeded run in `cargo test`) and by the cargo-fuzz
//! target in `fuzz/` (coverage-guided, run by hand).
//!
//! The heap is measured by the `cap` allocator, which wraps the system allocator and counts
//! every byte requested: a reservation counts even if its pages are never touched, which is
//! what a declared-length bomb does.

#![allow(dead_code)] // Each user takes a part.

use std::alloc::System;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use gather_doc::rich_text::{self, BlockKind, Mark, Marks, Pos};
use gather_doc::sync::{encode_awareness, encode_step1, encode_update, ClientSync, Payload};
use gather_doc::sync::{ProtocolError, Room};
use gather_doc::Role;
use yrs::sync::Awareness;
use yrs::types::text::Text;
use yrs::types::Attrs;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Any, Array, Doc, Map, Number, ReadTxn, StateVector, Transact, TransactionMut, Update};
use yrs::{XmlFragmentRef, XmlTextPrelim};

#[global_allocator]
pub static ALLOC: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// How far one call may raise the heap above where it started. The largest legitimate frame
/// in these tests is a few kilobytes; a declared-length bomb asks for hundreds of megabytes.
pub const MAX_RISE: usize = 64 << 20;

/// Counts that take a few bytes to declare and would take hundreds of megabytes or more to
/// hold. `FF FF FF 7A` (about 258 million) is the count of the measured awareness bomb.
pub const HUGE: [u64; 10] = [
    10_000_000,
    250_000_000,
    0x0F7F_FFFF,
    1 << 28,
    1 << 31,
    u32::MAX as u64,
    1 << 32,
    (1 << 53) - 1,
    i64::MAX as u64,
    u64::MAX,
];

/// A lib0 variable-length unsigned integer: 7 bits a byte, least significant first.
pub fn var(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// A length-prefixed buffer.
pub fn buf(bytes: &[u8]) -> Vec<u8> {
    let mut out = var(bytes.len() as u64);
    out.extend_from_slice(bytes);
    out
}

/// The envelope around a message body, so a mutated body can be sent with a correct length
/// prefix and reach yrs's decoder of that body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    Step1,
    Step2,
    Update,
    Awareness,
    AuthDenied,
    Custom(u8),
}

impl Envelope {
    pub const ALL: [Envelope; 6] = [
        Envelope::Step1,
        Envelope::Step2,
        Envelope::Update,
        Envelope::Awareness,
        Envelope::AuthDenied,
        Envelope::Custom(7),
    ];

    pub fn wrap(self, body: &[u8]) -> Vec<u8> {
        let mut frame = match self {
            Envelope::Step1 => vec![0, 0],
            Envelope::Step2 => vec![0, 1],
            Envelope::Update => vec![0, 2],
            Envelope::Awareness => vec![1],
            Envelope::AuthDenied => vec![2, 0],
            Envelope::Custom(tag) => vec![tag],
        };
        frame.extend(buf(body));
        frame
    }
}

/// Valid material to start from.
pub struct Seeds {
    /// Updates the room and the client load first, as the server would have stored them.
    pub stored: Vec<Vec<u8>>,
    /// Valid frames of every kind, single messages and several in one frame.
    pub frames: Vec<Vec<u8>>,
    /// Valid message bodies with their envelopes.
    pub bodies: Vec<(Envelope, Vec<u8>)>,
    /// An update frame from a client no seed uses, which any healthy room accepts.
    pub probe: Vec<u8>,
}

/// Runs `change` in one transaction on `doc` and returns the v1 update it made.
fn edit(doc: &Doc, change: impl FnOnce(&mut TransactionMut, &XmlFragmentRef)) -> Vec<u8> {
    let body = rich_text::body(doc);
    let before = doc.transact().state_vector();
    change(&mut doc.transact_mut(), &body);
    let update = doc.transact().encode_state_as_update_v1(&before);
    update
}

fn apply(doc: &Doc, update: &[u8]) {
    doc.transact_mut()
        .apply_update(Update::decode_v1(update).unwrap())
        .unwrap();
}

fn any_samples() -> Any {
    let mut inner = HashMap::new();
    inner.insert("level".to_string(), Any::Number(Number::Int(2)));
    inner.insert(
        "href".to_string(),
        Any::String(Arc::from("https://例え.jp/?q=1")),
    );
    Any::Map(Arc::new(HashMap::from([
        ("null".to_string(), Any::Null),
        ("undefined".to_string(), Any::Undefined),
        ("bool".to_string(), Any::Bool(true)),
        ("int".to_string(), Any::Number(Number::Int(-(1 << 40)))),
        ("float".to_string(), Any::Number(Number::Float(36.6))),
        (
            "buffer".to_string(),
            Any::Buffer(Arc::from(&[0u8, 1, 0xff][..])),
        ),
        (
            "array".to_string(),
            Any::Array(Arc::from(vec![Any::Null, Any::Map(Arc::new(inner))])),
        ),
    ])))
}

/// A document edited by two clients through the editing layer and raw yrs types, every
/// update kept; and frames of every kind about it.
pub fn seeds() -> Seeds {
    let a = gather_doc::new_doc(1);
    let b = gather_doc::new_doc(2);
    let mut stored = Vec::new();
    let plain = Marks::default();
    stored.push(edit(&a, |t, body| {
        rich_text::insert_text(t, body, Pos::new(0, 0), "体温 36.5 °C, morning 👩‍⚕️", plain);
    }));
    stored.push(edit(&a, |t, body| {
        rich_text::split_block(t, body, Pos::new(0, 8));
    }));
    stored.push(edit(&a, |t, body| {
        let bold = plain.with(Mark::Bold, true);
        rich_text::insert_text(t, body, Pos::new(1, 0), "Notes: ", bold);
        rich_text::toggle_mark(t, body, Pos::new(0, 0), Pos::new(0, 2), Mark::Italic);
    }));
    stored.push(edit(&a, |t, body| {
        rich_text::insert_hard_break(t, body, Pos::new(1, 3));
        rich_text::set_block_kind(t, body, 0, &BlockKind::Heading(2));
    }));
    let a_only = a.transact().state_vector();
    stored.push(edit(&a, |t, body| {
        rich_text::delete_range(t, body, Pos::new(1, 1), Pos::new(1, 5));
    }));
    for update in &stored {
        apply(&b, update);
    }
    let meta = b.get_or_insert_map("meta");
    let plain_text = b.get_or_insert_text("plain");
    let list = b.get_or_insert_array("list");
    stored.push(edit(&b, |t, body| {
        rich_text::insert_text(t, body, Pos::new(1, 2), "β", plain);
        meta.insert(t, "values", any_samples());
        meta.insert(t, "title", "检查");
    }));
    stored.push(edit(&b, |t, _| {
        plain_text.insert(t, 0, "plain text");
        let mut attrs = Attrs::new();
        attrs.insert(Arc::from("color"), Any::String(Arc::from("#f00")));
        plain_text.format(t, 0, 5, attrs);
        plain_text.insert_embed(t, 3, any_samples());
        list.insert_range(t, 0, [Any::Bool(false), Any::Number(Number::Float(-0.5))]);
        list.insert(t, 1, XmlTextPrelim::new("xml text"));
    }));
    stored.push(edit(&b, |t, _| {
        plain_text.remove_range(t, 1, 4);
        list.remove(t, 0);
        meta.remove(t, "title");
    }));
    for update in &stored[5..] {
        apply(&a, update);
    }

    let full = b
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let since_a = b.transact().encode_state_as_update_v1(&a_only);
    let svs = [
        StateVector::default(),
        a_only.clone(),
        b.transact().state_vector(),
    ];

    let mut presence = Awareness::with_clock(gather_doc::new_doc(3), || 0);
    let mut other = Awareness::with_clock(gather_doc::new_doc(4), || 0);
    presence.set_local_state_raw(r##"{"user":{"name":"李 医生","color":"#30bced"}}"##);
    other.set_local_state_raw(r#"{"cursor":{"anchor":[1,2,3],"head":null}}"#);
    presence.apply_update(other.update().unwrap()).unwrap();
    let awareness = presence.update().unwrap();
    other.clean_local_state();
    let gone = other.update().unwrap();

    let mut bodies = Vec::new();
    for sv in &svs {
        bodies.push((Envelope::Step1, sv.encode_v1()));
    }
    for update in [&full, &since_a] {
        bodies.push((Envelope::Step2, update.clone()));
    }
    bodies.push((Envelope::Step2, vec![0, 0]));
    for update in stored.iter().chain([&full]) {
        bodies.push((Envelope::Update, update.clone()));
    }
    bodies.push((Envelope::Awareness, awareness.encode_v1()));
    bodies.push((Envelope::Awareness, gone.encode_v1()));
    bodies.push((Envelope::AuthDenied, b"read-only".to_vec()));
    bodies.push((Envelope::Custom(7), vec![1, 2, 3]));

    let mut frames: Vec<Vec<u8>> = bodies.iter().map(|(e, body)| e.wrap(body)).collect();
    frames.push(encode_step1(a_only));
    frames.extend(encode_awareness(&presence));
    frames.push(vec![3]);
    frames.push(vec![2, 1]);
    // Several messages in one frame.
    let mut several = encode_update(stored[1].clone());
    several.extend(Envelope::Awareness.wrap(&awareness.encode_v1()));
    several.push(3);
    frames.push(several);

    let stranger = gather_doc::new_doc(0x5EED);
    let probe_text = stranger.get_or_insert_text("probe");
    let probe = edit(&stranger, |t, _| probe_text.insert(t, 0, "still here"));
    Seeds {
        stored,
        frames,
        bodies,
        probe: encode_update(probe),
    }
}

/// xorshift64*: small, deterministic, and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes with no structure at all, mostly short; some drawn from the bytes that mean the most
/// to the decoder.
pub fn arbitrary(rng: &mut Rng) -> Vec<u8> {
    let len = match rng.below(100) {
        0..=49 => rng.below(16),
        50..=84 => rng.below(64),
        _ => rng.below(1024),
    };
    let telling = [0u8, 1, 2, 3, 4, 0x7f, 0x80, 0xff];
    let structured = rng.percent(30);
    (0..len)
        .map(|_| {
            if structured {
                *rng.pick(&telling)
            } else {
                rng.next() as u8
            }
        })
        .collect()
}

fn huge_var(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        0 => vec![0xFF, 0xFF, 0xFF, 0x7A],
        // Longer than any u64: the decoder must refuse it, not wrap around.
        1 => vec![0xFF; 11],
        _ => var(*rng.pick(&HUGE)),
    }
}

/// Changes `bytes` once, in a way that keeps most of a valid frame's structure.
pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, seeds: &Seeds) {
    let at = |rng: &mut Rng, bytes: &Vec<u8>| rng.below(bytes.len() + 1);
    match rng.below(11) {
        0 if !bytes.is_empty() => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
        }
        1 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            let random = rng.next() as u8;
            bytes[i] = *rng.pick(&[0, 1, 0x7f, 0x80, 0xff, random]);
        }
        2 => bytes.truncate(rng.below(bytes.len() + 1)),
        3 => {
            let i = at(rng, bytes);
            bytes.splice(i..i, huge_var(rng));
        }
        // Replaces the varint starting at a random byte (a count, a length, a clock…).
        4 if !bytes.is_empty() => {
            let start = rng.below(bytes.len());
            let mut end = start;
            while end < bytes.len() && end - start < 10 && bytes[end] & 0x80 != 0 {
                end += 1;
            }
            let end = (end + 1).min(bytes.len());
            bytes.splice(start..end, huge_var(rng));
        }
        5 if !bytes.is_empty() => {
            let a = rng.below(bytes.len());
            let b = a + 1 + rng.below((bytes.len() - a).min(64));
            let segment = bytes[a..b].to_vec();
            let i = at(rng, bytes);
            bytes.splice(
                i..i,
                segment
                    .iter()
                    .copied()
                    .cycle()
                    .take(segment.len() * (1 + rng.below(3))),
            );
        }
        6 if !bytes.is_empty() => {
            let a = rng.below(bytes.len());
            let b = a + 1 + rng.below((bytes.len() - a).min(16));
            bytes.drain(a..b);
        }
        7 => {
            let other = rng.pick(&seeds.frames).clone();
            if rng.percent(50) {
                bytes.extend(other);
            } else {
                bytes.splice(0..0, other);
            }
        }
        8 => {
            let other = rng.pick(&seeds.frames);
            let i = at(rng, bytes);
            let j = rng.below(other.len() + 1);
            bytes.truncate(i);
            bytes.extend_from_slice(&other[j..]);
        }
        _ => {
            let i = at(rng, bytes);
            let n = 1 + rng.below(8);
            let extra: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            bytes.splice(i..i, extra);
        }
    }
}

fn mutated(rng: &mut Rng, mut bytes: Vec<u8>, seeds: &Seeds) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        mutate(rng, &mut bytes, seeds);
    }
    bytes
}

/// One case: the frames one connection sends, in order. Mostly a single frame; sometimes a
/// valid frame first, so that later frames meet a changed document.
pub fn case(rng: &mut Rng, seeds: &Seeds) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    if rng.percent(15) {
        frames.push(rng.pick(&seeds.frames).clone());
    }
    for _ in 0..1 + usize::from(rng.percent(10)) {
        let frame = match rng.below(100) {
            0..=24 => arbitrary(rng),
            25..=39 => rng.pick(&Envelope::ALL).wrap(&arbitrary(rng)),
            40..=74 => {
                let frame = rng.pick(&seeds.frames).clone();
                mutated(rng, frame, seeds)
            }
            _ => {
                let (envelope, body) = rng.pick(&seeds.bodies).clone();
                envelope.wrap(&mutated(rng, body, seeds))
            }
        };
        frames.push(frame);
    }
    frames
}

/// The roles a connection can have, weighted towards the one that may write.
pub fn role(rng: &mut Rng) -> Role {
    match rng.below(10) {
        0..=6 => Role::Editor,
        7..=8 => Role::Viewer,
        _ => Role::Respondent,
    }
}

/// Runs `f` and returns what it returned with an upper bound of how far it raised the heap
/// above where it was when `f` started: the smaller of the rise of the high-water mark (exact
/// when `f` set a new one) and all that `f` allocated (exact when it freed nothing).
pub fn measured<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = ALLOC.allocated();
    let total = ALLOC.total_allocated();
    let result = f();
    let by_mark = ALLOC.max_allocated().saturating_sub(start);
    let by_total = ALLOC.total_allocated() - total;
    (result, by_mark.min(by_total))
}

/// What feeding one case did.
#[derive(Debug, Default)]
pub struct Report {
    /// The most `Room::receive` raised the heap for any frame of the case (an upper bound).
    pub room_rise: usize,
    /// The same for `ClientSync::receive`.
    pub client_rise: usize,
    /// Whether the room refused each frame (closing the sender).
    pub refused: Vec<bool>,
    /// Whether yrs panicked applying an update, in the room or the client.
    pub poisoned: bool,
}

const SENDER: u64 = 1;
const OTHER: u64 = 2;
const LATE: u64 = 3;

fn seeded_room(seeds: &Seeds, sender: Role) -> Room {
    let (mut room, skipped) = Room::load(seeds.stored.iter().map(Vec::as_slice), || 0);
    assert_eq!(skipped, 0, "a seed update did not load");
    room.connect(SENDER, sender);
    room.connect(OTHER, Role::Editor);
    room
}

fn seeded_client(seeds: &Seeds, id: u64) -> ClientSync {
    let client = ClientSync::new(gather_doc::new_doc(id), || 0);
    for update in &seeds.stored {
        apply(client.doc(), update);
    }
    client
}

/// Feeds `frames` from a connection with role `sender` to a room loaded from the seeds, and
/// to a client holding the same document (as if the server had sent them). Nothing may panic,
/// no call may raise the heap by more than [`MAX_RISE`], what the room sends must decode for a
/// client, afterwards the room must still accept a valid update and bring a newcomer up to
/// date, and once all is dropped nothing may be left on the heap. `Err` says what went wrong.
pub fn check_case(seeds: &Seeds, frames: &[Vec<u8>], sender: Role) -> Result<Report, String> {
    let (report, left) = run_and_count_what_is_left(seeds, frames, sender)?;
    // A panic inside yrs (caught, the room rebuilt) may leave memory behind. Otherwise what is
    // left may be another thread's, or something set up once for good: a real leak happens
    // again.
    if left > 0 && !report.poisoned {
        let (_, again) = run_and_count_what_is_left(seeds, frames, sender)?;
        if again > 0 {
            return Err(format!("the case leaked {again} bytes"));
        }
    }
    Ok(report)
}

/// Runs the case, turning a panic into `Err`; returns the report and how many bytes are left on
/// the heap besides it.
fn run_and_count_what_is_left(
    seeds: &Seeds,
    frames: &[Vec<u8>],
    sender: Role,
) -> Result<(Report, usize), String> {
    let before = ALLOC.allocated();
    match catch_unwind(AssertUnwindSafe(|| run_case(seeds, frames, sender))) {
        Ok(Ok(report)) => {
            let kept = before + report.refused.capacity();
            let left = ALLOC.allocated().saturating_sub(kept);
            Ok((report, left))
        }
        Ok(Err(why)) => Err(why),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("panicked: {message}"))
        }
    }
}

fn run_case(seeds: &Seeds, frames: &[Vec<u8>], sender: Role) -> Result<Report, String> {
    let mut room = seeded_room(seeds, sender);
    let mut client = seeded_client(seeds, 50);
    let mut report = Report::default();
    for (i, frame) in frames.iter().enumerate() {
        let (effects, rise) = measured(|| room.receive(SENDER, frame));
        report.room_rise = report.room_rise.max(rise);
        if rise > MAX_RISE {
            return Err(format!(
                "Room::receive of frame {i} raised the heap by {}",
                size(rise)
            ));
        }
        report.refused.push(effects.error.is_some());
        for out in &effects.out {
            if let Payload::Bytes(bytes) = &out.payload {
                let mut listener = seeded_client(seeds, 51);
                if let Err(error) = listener.receive(bytes) {
                    return Err(format!(
                        "the room sent frame {} that a client refuses: {error}",
                        hex(bytes)
                    ));
                }
            }
        }
        match effects.error {
            // The server rebuilds a poisoned room from storage.
            Some(ProtocolError::Poisoned) => {
                report.poisoned = true;
                room = seeded_room(seeds, sender);
            }
            // The server closes the sender; it may come back.
            Some(_) => {
                room.disconnect(SENDER);
                room.connect(SENDER, sender);
            }
            None => {}
        }

        let (result, rise) = measured(|| client.receive(frame));
        report.poisoned |= matches!(result, Err(ProtocolError::Poisoned));
        report.client_rise = report.client_rise.max(rise);
        if rise > MAX_RISE {
            return Err(format!(
                "ClientSync::receive of frame {i} raised the heap by {}",
                size(rise)
            ));
        }
    }

    // The room is unharmed: a valid update from someone else is accepted...
    if let Some(error) = room.receive(OTHER, &seeds.probe).error {
        return Err(format!(
            "afterwards the room refused a valid update: {error}"
        ));
    }
    // ...and a newcomer is brought up to date through steps 1 and 2.
    let mut late = ClientSync::new(gather_doc::new_doc(60), || 0);
    for frame in room.connect(LATE, Role::Editor) {
        let (replies, _) = late
            .receive(&frame)
            .map_err(|e| format!("a newcomer refused the greeting {}: {e}", hex(&frame)))?;
        for reply in replies {
            if let Some(error) = room.receive(LATE, &reply).error {
                return Err(format!(
                    "afterwards the room refused a newcomer's reply: {error}"
                ));
            }
        }
    }
    for hello in late.hello() {
        let effects = room.receive(LATE, &hello);
        if let Some(error) = effects.error {
            return Err(format!(
                "afterwards the room refused a newcomer's hello: {error}"
            ));
        }
        for out in effects.out {
            if let Payload::Bytes(bytes) = out.payload {
                late.receive(&bytes)
                    .map_err(|e| format!("a newcomer refused {}: {e}", hex(&bytes)))?;
            }
        }
    }
    // The client is unharmed too.
    client
        .receive(&seeds.probe)
        .map_err(|e| format!("afterwards the client refused a valid update: {e}"))?;
    Ok(report)
}

pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

pub fn size(bytes: usize) -> String {
    match bytes {
        0..=9999 => format!("{bytes} B"),
        10_000..=9_999_999 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64),
    }
}
