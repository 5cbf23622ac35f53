//! One simulated client: connects, syncs, edits when it is a writer, and counts the edits of
//! others it receives (see [`crate::run`] for how deliveries are counted).
//!
//! A client keeps a full replica (a [`ClientSync`] around a Gather document) unless it is a
//! reader of a prepared document: those keep a light replica that does not apply the
//! document's sync step 2 (10 MB for `big-doc`, 50 times over on the machine the server runs
//! on) but only checks its size, and reads which edits an update carries from the update's
//! block ids. Writers always keep a full replica and check that their sync step 2 held the
//! whole prepared document.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gather_doc::reconnect::reconnect_delay_ms;
use gather_doc::rich_text::{self, Marks, Pos};
use gather_doc::sync::{decode_frame, encode_step1, encode_update, ClientEvent, ClientSync};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::block::ClientID;
use yrs::sync::SyncMessage;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, StateVector, Transact, XmlFragment, XmlFragmentRef};

use crate::protocol::ServerKind;
use crate::run::{Phase, RunConfig, Shared};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Largest message the clients accept: above any document a scenario prepares.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Texts the writers type, one per edit, in turn.
const TYPED: [&str; 4] = ["hey ", "ok. ", "see ", "yes "];

pub struct ClientSpec {
    pub doc: String,
    pub client_id: u64,
    pub writer: bool,
    /// Where in the edit period this writer's edits fall, in [0, 1).
    pub phase: f64,
}

#[derive(Default)]
pub struct Outcome {
    pub connected: bool,
    pub time_to_synced: Option<Duration>,
    /// Size of the sync step 2 payload (the update) this client received.
    pub step2_bytes: Option<usize>,
    pub latencies_us: Vec<u64>,
    pub edits_sent: u64,
    /// How many times a busy Gather server closed this client's connection before it got in.
    pub busy_closes: usize,
    pub error: Option<String>,
}

/// Attempts a client makes against a busy server before giving up.
const MAX_BUSY_ATTEMPTS: u32 = 20;

/// A number in [0, 1) drawn from the client id and the attempt (splitmix64): the jitter of a
/// retry, the same in every run.
fn seeded_random(client_id: u64, attempt: u32) -> f64 {
    let mut z = client_id
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(attempt));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The seconds to wait when `message` is Gather's busy close, `None` for anything else.
fn busy_hint(message: &Message) -> Option<u32> {
    let Message::Close(Some(frame)) = message else {
        return None;
    };
    (u16::from(frame.code) == gather_doc::CloseCode::Busy.code())
        .then(|| gather_doc::close_code::retry_after_secs(&frame.reason).unwrap_or(0))
}

/// Opens the websocket of one document (Nagle off, large messages allowed).
pub async fn connect(config: &RunConfig, doc: &str) -> Result<Socket, String> {
    let url = config
        .server
        .doc_url(&config.url, doc, config.token.as_deref());
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let connecting = tokio_tungstenite::connect_async_with_config(url, Some(ws_config), true);
    match tokio::time::timeout(config.connect_timeout, connecting).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(format!("connect: {e}")),
        Err(_) => Err("connect: timed out".into()),
    }
}

/// Milliseconds since the Unix epoch, for awareness (which the load generator does not use).
pub fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What a client holds of its document.
enum Replica {
    Full {
        sync: Box<ClientSync>,
        body: XmlFragmentRef,
    },
    Light,
}

/// What one received frame brought.
#[derive(Default)]
struct Received {
    replies: Vec<Vec<u8>>,
    /// The sync step 2 arrived, with this many bytes of update.
    synced: Option<usize>,
    /// Another client's edits this replica now holds: (client, clock seen before, clock now).
    fresh: Vec<(u64, u32, u32)>,
}

impl Replica {
    fn hello(&mut self) -> Vec<Vec<u8>> {
        match self {
            Replica::Full { sync, .. } => sync.hello(),
            Replica::Light => vec![encode_step1(StateVector::default())],
        }
    }

    fn receive(
        &mut self,
        frame: &[u8],
        me: ClientID,
        last_seen: &mut HashMap<ClientID, u32>,
    ) -> Result<Received, String> {
        let mut got = Received::default();
        match self {
            Replica::Full { sync, .. } => {
                let step2_bytes = step2_len(frame);
                let (replies, events) =
                    sync.receive(frame).map_err(|e| format!("protocol: {e}"))?;
                got.replies = replies;
                if events.contains(&ClientEvent::Synced) {
                    got.synced = Some(step2_bytes.unwrap_or(0));
                }
                if events
                    .iter()
                    .any(|e| matches!(e, ClientEvent::Synced | ClientEvent::DocChanged))
                {
                    let sv = sync.doc().transact().state_vector();
                    for (client, &clock) in sv.iter() {
                        note(&mut got.fresh, last_seen, me, *client, clock);
                    }
                }
            }
            Replica::Light => {
                let messages = decode_frame(frame).map_err(|e| format!("protocol: {e}"))?;
                for message in messages {
                    let yrs::sync::Message::Sync(message) = message else {
                        continue;
                    };
                    match message {
                        SyncMessage::SyncStep1(_) => {
                            // Our replica is empty: an empty update is all we have.
                            let empty = yrs::Update::new().encode_v1();
                            got.replies.push(
                                yrs::sync::Message::Sync(SyncMessage::SyncStep2(empty)).encode_v1(),
                            );
                        }
                        SyncMessage::SyncStep2(update) => got.synced = Some(update.len()),
                        SyncMessage::Update(update) => {
                            let update = yrs::Update::decode_v1(&update)
                                .map_err(|e| format!("protocol: {e}"))?;
                            for (client, ranges) in update.insertions(true).iter() {
                                if let Some(end) = ranges.iter().map(|r| r.end).max() {
                                    note(&mut got.fresh, last_seen, me, *client, end);
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(got)
    }
}

/// The payload size of a frame's sync step 2, if it is one.
fn step2_len(frame: &[u8]) -> Option<usize> {
    // Cheap test first: y-websocket sync (0), step 2 (1).
    if frame.len() < 2 || frame[0] != 0 || frame[1] != 1 {
        return None;
    }
    decode_frame(frame).ok()?.into_iter().find_map(|m| match m {
        yrs::sync::Message::Sync(SyncMessage::SyncStep2(u)) => Some(u.len()),
        _ => None,
    })
}

fn note(
    fresh: &mut Vec<(u64, u32, u32)>,
    last_seen: &mut HashMap<ClientID, u32>,
    me: ClientID,
    client: ClientID,
    clock: u32,
) {
    if client == me {
        return;
    }
    let seen = last_seen.entry(client).or_insert(0);
    if clock > *seen {
        fresh.push((client.get(), *seen, clock));
        *seen = clock;
    }
}

async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

pub async fn client(
    spec: ClientSpec,
    config: Arc<RunConfig>,
    start_at: Instant,
    shared: Arc<Shared>,
    mut phase: watch::Receiver<Phase>,
) -> Outcome {
    let mut out = Outcome::default();
    tokio::time::sleep_until(start_at.into()).await;
    if *phase.borrow() == Phase::Done {
        return out;
    }
    let server = config.server;
    let prepared = shared.prepared.get(&spec.doc);
    let started = Instant::now();
    let mut replica = if prepared.is_some() && !spec.writer {
        Replica::Light
    } else {
        let doc = gather_doc::new_doc(spec.client_id);
        // Takes the document's write lock: before any transaction.
        let body = rich_text::body(&doc);
        Replica::Full {
            sync: Box::new(ClientSync::new(doc, wall_clock_ms)),
            body,
        }
    };
    // A busy Gather server closes at once with a hint: wait it out plus full jitter, as the
    // app does, and try again.
    let mut attempt = 0;
    let (mut sink, mut stream) = loop {
        attempt += 1;
        let ws = match connect(&config, &spec.doc).await {
            Ok(ws) => ws,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        };
        let (mut sink, stream) = ws.split();
        let mut stream = stream.peekable();
        let mut hello = server.preamble(&spec.doc);
        hello.extend(
            replica
                .hello()
                .into_iter()
                .map(|f| server.wrap(&spec.doc, f)),
        );
        for frame in hello {
            // A busy close may already be on its way; it is read below.
            let _ = sink.send(Message::binary(frame)).await;
        }
        if server != ServerKind::Gather || attempt > MAX_BUSY_ATTEMPTS {
            break (sink, stream);
        }
        let first = tokio::time::timeout(config.connect_timeout, Pin::new(&mut stream).peek());
        let hint = match first.await {
            Ok(Some(Ok(message))) => busy_hint(message),
            _ => None,
        };
        let Some(hint) = hint else {
            break (sink, stream);
        };
        out.busy_closes += 1;
        let wait = reconnect_delay_ms(attempt, Some(hint), seeded_random(spec.client_id, attempt));
        tokio::time::sleep(Duration::from_millis(u64::from(wait))).await;
    };
    out.connected = true;
    let me = ClientID::new(spec.client_id);
    let mut last_seen: HashMap<ClientID, u32> = HashMap::new();
    let mut ticker: Option<Interval> = None;
    let mut edit_until = Instant::now();

    loop {
        tokio::select! {
            message = stream.next() => {
                let now = Instant::now();
                let bytes = match message {
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Close(frame))) => {
                        out.error = Some(format!("closed by server: {frame:?}"));
                        break;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => {
                        out.error = Some(format!("receive: {e}"));
                        break;
                    }
                    None => {
                        out.error = Some("connection ended".into());
                        break;
                    }
                };
                let frame = match server.unwrap(bytes.into()) {
                    Ok(Some(frame)) => frame,
                    Ok(None) => continue,
                    Err(e) => {
                        out.error = Some(format!("server: {e}"));
                        break;
                    }
                };
                let got = match replica.receive(&frame, me, &mut last_seen) {
                    Ok(got) => got,
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                };
                let mut failed = false;
                for reply in got.replies {
                    if let Err(e) = sink.send(Message::binary(server.wrap(&spec.doc, reply))).await {
                        out.error = Some(format!("send: {e}"));
                        failed = true;
                        break;
                    }
                }
                if failed {
                    break;
                }
                if let (Some(bytes), None) = (got.synced, out.time_to_synced) {
                    out.time_to_synced = Some(now - started);
                    out.step2_bytes = Some(bytes);
                    if let Some(prepared) = prepared {
                        if let Err(e) = check_prepared(&replica, prepared, bytes) {
                            out.error = Some(e);
                            break;
                        }
                    }
                    shared.synced.fetch_add(1, Ordering::Relaxed);
                }
                if !got.fresh.is_empty() {
                    shared.record_deliveries(&got.fresh, now, &mut out.latencies_us);
                }
            }
            _ = tick(&mut ticker) => {
                if Instant::now() >= edit_until {
                    ticker = None;
                    continue;
                }
                let Replica::Full { sync, body } = &replica else {
                    ticker = None;
                    continue;
                };
                let text = TYPED[out.edits_sent as usize % TYPED.len()];
                let doc = sync.doc();
                let before = doc.transact().state_vector();
                {
                    let mut txn = doc.transact_mut();
                    // In a prepared document, the middle (the writers a few blocks apart);
                    // otherwise the end of the first block.
                    let block = if prepared.is_some() {
                        body.len(&txn) / 2 + 3 * (spec.client_id % 100) as u32
                    } else {
                        0
                    };
                    rich_text::insert_text(&mut txn, body, Pos::new(block, u32::MAX), text, Marks::default());
                }
                let (update, clock) = {
                    let txn = doc.transact();
                    (txn.encode_state_as_update_v1(&before), txn.state_vector().get(&me))
                };
                let frame = server.wrap(&spec.doc, encode_update(update));
                shared.record_send(spec.client_id, clock, Instant::now());
                if let Err(e) = sink.send(Message::binary(frame)).await {
                    out.error = Some(format!("send: {e}"));
                    break;
                }
                out.edits_sent += 1;
            }
            changed = phase.changed() => {
                if changed.is_err() {
                    break;
                }
                let current = *phase.borrow_and_update();
                match current {
                    Phase::Editing { start, until } if spec.writer => {
                        let period = Duration::from_secs_f64(1.0 / config.scenario.rate.max(0.001));
                        let first = start + period.mul_f64(spec.phase);
                        let mut interval = tokio::time::interval_at(first.into(), period);
                        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
                        ticker = Some(interval);
                        edit_until = until;
                    }
                    Phase::Done => break,
                    _ => {}
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;
    out
}

/// A joiner of a prepared document must have received all of it: a writer's replica must hold
/// everything the preparing client wrote; a light reader's sync step 2 must be about as large
/// as the one the server sent the preparing client.
fn check_prepared(
    replica: &Replica,
    prepared: &crate::prepare::Prepared,
    step2_bytes: usize,
) -> Result<(), String> {
    match replica {
        Replica::Full { sync, .. } => {
            let sv = sync.doc().transact().state_vector();
            let complete = prepared
                .state_vector
                .iter()
                .all(|(client, &clock)| sv.get(client) >= clock);
            if complete {
                Ok(())
            } else {
                Err("sync step 2 lacked part of the prepared document".into())
            }
        }
        Replica::Light if step2_bytes * 10 < prepared.server_step2_bytes * 9 => Err(format!(
            "sync step 2 of {step2_bytes} bytes, under 90% of the prepared document's {}",
            prepared.server_step2_bytes
        )),
        Replica::Light => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer's edit as the server relays it, and the writer's clock after it.
    fn edit(doc: &yrs::Doc, text: &str) -> (Vec<u8>, u32) {
        let body = rich_text::body(doc);
        let before = doc.transact().state_vector();
        rich_text::insert_text(
            &mut doc.transact_mut(),
            &body,
            Pos::new(0, u32::MAX),
            text,
            Marks::default(),
        );
        let txn = doc.transact();
        let clock = txn.state_vector().get(&doc.client_id());
        (encode_update(txn.encode_state_as_update_v1(&before)), clock)
    }

    #[test]
    fn light_and_full_replicas_see_the_same_edits() {
        let writer = gather_doc::new_doc(5);
        let (first, c1) = edit(&writer, "hey ");
        let (second, c2) = edit(&writer, "ok. ");
        let me = ClientID::new(9);
        let full_doc = gather_doc::new_doc(9);
        let body = rich_text::body(&full_doc);
        let mut full = Replica::Full {
            sync: Box::new(ClientSync::new(full_doc, || 0)),
            body,
        };
        for replica in [&mut full, &mut Replica::Light] {
            let mut seen = HashMap::new();
            let got = replica.receive(&first, me, &mut seen).unwrap();
            assert_eq!(got.fresh, vec![(5, 0, c1)]);
            let got = replica.receive(&second, me, &mut seen).unwrap();
            assert_eq!(got.fresh, vec![(5, c1, c2)]);
            // A second copy of an edit is no new delivery.
            assert!(replica
                .receive(&second, me, &mut seen)
                .unwrap()
                .fresh
                .is_empty());
        }
    }

    #[test]
    fn light_replica_answers_step1_and_measures_step2() {
        let writer = gather_doc::new_doc(5);
        edit(&writer, "hello");
        let update = writer
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let step2 = yrs::sync::Message::Sync(SyncMessage::SyncStep2(update.clone())).encode_v1();
        let mut light = Replica::Light;
        let mut seen = HashMap::new();
        let got = light.receive(&step2, ClientID::new(9), &mut seen).unwrap();
        assert_eq!(got.synced, Some(update.len()));
        assert_eq!(step2_len(&step2), Some(update.len()));
        let step1 = encode_step1(StateVector::default());
        let got = light.receive(&step1, ClientID::new(9), &mut seen).unwrap();
        assert_eq!(got.replies.len(), 1);
    }
}
