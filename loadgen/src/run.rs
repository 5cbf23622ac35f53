//! The run: connect every client (staggered), wait until they are synced, let the writers edit
//! for the scenario's length, wait for the last deliveries, then close everything.
//!
//! Every client is a real [`ClientSync`] around a Gather document, in one tokio runtime. A
//! writer records when it sent each edit, keyed by its client id and the clock its document
//! reached with the edit; a client that receives updates compares its document's state vector
//! with what it had seen, and every edit of another client that it now holds is one delivery,
//! its latency measured from the recorded send time. An echo of a client's own edit is never
//! counted, and edits merged by a server into one message are each counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text::{self, Marks, Pos};
use gather_doc::sync::{encode_update, ClientEvent, ClientSync};
use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;
use yrs::block::ClientID;
use yrs::{ReadTxn, Transact};

use crate::procfs;
use crate::protocol::ServerKind;
use crate::report::{percentile_ms, Report};
use crate::scenario::Scenario;

/// What one run needs to know.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub server: ServerKind,
    pub url: String,
    /// Sent as `?token=` when set.
    pub token: Option<String>,
    pub pid: Option<u32>,
    pub scenario: Scenario,
    /// Delay between starting two consecutive connections.
    pub stagger: Duration,
    /// How long after the last connection started to wait for everyone to be synced.
    pub connect_timeout: Duration,
    /// How long after the last edit to keep listening for deliveries.
    pub drain: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Connecting,
    Editing { start: Instant, until: Instant },
    Done,
}

#[derive(Default)]
struct Shared {
    /// Send time of every edit: client id → (clock after the edit → when it was sent).
    sends: Mutex<HashMap<u64, BTreeMap<u32, Instant>>>,
    synced: AtomicUsize,
}

struct ClientSpec {
    doc: String,
    client_id: u64,
    writer: bool,
    /// Where in the edit period this writer's edits fall, in [0, 1).
    phase: f64,
}

#[derive(Default)]
struct Outcome {
    connected: bool,
    time_to_synced: Option<Duration>,
    latencies_us: Vec<u64>,
    edits_sent: u64,
    error: Option<String>,
}

/// Texts the writers type, one per edit, in turn.
const TYPED: [&str; 4] = ["hey ", "ok. ", "see ", "yes "];

/// Runs the scenario against the server and measures it.
pub async fn run(config: RunConfig) -> Report {
    let sc = config.scenario.clone();
    let total = sc.docs * sc.clients_per_doc;
    let run_tag = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000_000)
        .unwrap_or(0);
    let shared = Arc::new(Shared::default());
    let (phase_tx, phase_rx) = watch::channel(Phase::Connecting);
    let cpu_at_start = config.pid.and_then(procfs::cpu_time_us);
    let own_cpu_at_start = procfs::cpu_time_us(std::process::id());

    eprintln!(
        "loadgen: {} against {} at {}: {} docs × {} clients ({} writers at {}/s) for {} s",
        sc.name,
        config.server.name(),
        config.url,
        sc.docs,
        sc.clients_per_doc,
        sc.writers_per_doc,
        sc.rate,
        sc.seconds
    );
    let t0 = Instant::now();
    let mut handles = Vec::with_capacity(total);
    for d in 0..sc.docs {
        for c in 0..sc.clients_per_doc {
            let i = d * sc.clients_per_doc + c;
            let spec = ClientSpec {
                doc: format!("lg-{run_tag}-{d:04}"),
                // Distinct, non-zero, far below 2^53 (Yjs's limit).
                client_id: 1_000_000 + i as u64,
                writer: c < sc.writers_per_doc,
                phase: (i as f64 * 0.618_033_988_7).fract(),
            };
            let start_at = t0 + config.stagger * i as u32;
            handles.push(tokio::spawn(client(
                spec,
                config.clone(),
                start_at,
                shared.clone(),
                phase_rx.clone(),
            )));
        }
    }
    drop(phase_rx);

    // Phase 1: connecting. Wait for everyone to be synced, or give up on the stragglers.
    let last_start = t0 + config.stagger * total.saturating_sub(1) as u32;
    let connect_deadline = last_start + config.connect_timeout;
    let mut last_report = Instant::now();
    while shared.synced.load(Ordering::Relaxed) < total && Instant::now() < connect_deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if last_report.elapsed() >= Duration::from_secs(2) {
            last_report = Instant::now();
            eprintln!(
                "loadgen: {}/{} synced after {:.1} s",
                shared.synced.load(Ordering::Relaxed),
                total,
                t0.elapsed().as_secs_f64()
            );
        }
    }
    let connect_phase = t0.elapsed();
    eprintln!(
        "loadgen: {}/{} synced after {:.1} s; editing for {} s",
        shared.synced.load(Ordering::Relaxed),
        total,
        connect_phase.as_secs_f64(),
        sc.seconds
    );

    // Phase 2: editing; phase 3: draining. The server's CPU time is measured over both.
    let cpu_before_edits = config.pid.and_then(procfs::cpu_time_us);
    let start = Instant::now() + Duration::from_millis(100);
    let until = start + Duration::from_secs_f64(sc.seconds);
    let _ = phase_tx.send(Phase::Editing { start, until });
    tokio::time::sleep_until((until + config.drain).into()).await;
    let cpu_after_edits = config.pid.and_then(procfs::cpu_time_us);
    let peak_rss = config.pid.and_then(procfs::peak_rss_bytes);
    let rss_end = config.pid.and_then(procfs::rss_bytes);
    let _ = phase_tx.send(Phase::Done);

    let mut outcomes = Vec::with_capacity(total);
    for handle in handles {
        match tokio::time::timeout(Duration::from_secs(10), handle).await {
            Ok(Ok(outcome)) => outcomes.push(outcome),
            Ok(Err(e)) => outcomes.push(Outcome {
                error: Some(format!("client task failed: {e}")),
                ..Outcome::default()
            }),
            Err(_) => outcomes.push(Outcome {
                error: Some("client did not stop".into()),
                ..Outcome::default()
            }),
        }
    }
    let own_cpu_at_end = procfs::cpu_time_us(std::process::id());

    let connected = outcomes.iter().filter(|o| o.connected).count();
    let mut synced_us: Vec<u64> = outcomes
        .iter()
        .filter_map(|o| o.time_to_synced)
        .map(|d| d.as_micros() as u64)
        .collect();
    let synced = synced_us.len();
    let mut latencies: Vec<u64> = outcomes
        .iter()
        .flat_map(|o| o.latencies_us.iter().copied())
        .collect();
    let edits_sent: u64 = outcomes.iter().map(|o| o.edits_sent).sum();
    let deliveries = latencies.len() as u64;
    let deliveries_expected = edits_sent * (sc.clients_per_doc as u64).saturating_sub(1);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        if let Some(e) = &o.error {
            *errors.entry(e.clone()).or_default() += 1;
        }
    }
    let server_cpu_us = match (cpu_before_edits, cpu_after_edits) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    let server_cpu_total_us = match (cpu_at_start, cpu_after_edits) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    Report {
        server: config.server.name().to_string(),
        url: config.url.clone(),
        scenario: sc.clone(),
        clients: total,
        connected,
        synced,
        connect_phase_s: connect_phase.as_secs_f64(),
        time_to_synced_p50_ms: percentile_ms(&mut synced_us, 0.50),
        time_to_synced_p99_ms: percentile_ms(&mut synced_us, 0.99),
        edits_expected: (sc.docs * sc.writers_per_doc) as u64
            * (sc.rate * sc.seconds).round() as u64,
        edits_sent,
        deliveries,
        deliveries_expected,
        delivery_ratio: if deliveries_expected == 0 {
            0.0
        } else {
            deliveries as f64 / deliveries_expected as f64
        },
        latency_p50_ms: percentile_ms(&mut latencies, 0.50),
        latency_p99_ms: percentile_ms(&mut latencies, 0.99),
        latency_max_ms: percentile_ms(&mut latencies, 1.0),
        server_cpu_us,
        server_cpu_total_us,
        server_cpu_us_per_delivery: server_cpu_us
            .filter(|_| deliveries > 0)
            .map(|us| us as f64 / deliveries as f64),
        server_peak_rss_mb: peak_rss.map(|b| b as f64 / (1024.0 * 1024.0)),
        server_rss_end_mb: rss_end.map(|b| b as f64 / (1024.0 * 1024.0)),
        loadgen_cpu_s: match (own_cpu_at_start, own_cpu_at_end) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / 1e6),
            _ => None,
        },
        errors,
    }
}

/// Milliseconds since the Unix epoch, for awareness (which the load generator does not use).
fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn client(
    spec: ClientSpec,
    config: RunConfig,
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
    let started = Instant::now();
    let url = server.doc_url(&config.url, &spec.doc, config.token.as_deref());
    let connecting = tokio_tungstenite::connect_async_with_config(url, None, true);
    let ws = match tokio::time::timeout(config.connect_timeout, connecting).await {
        Ok(Ok((ws, _response))) => ws,
        Ok(Err(e)) => {
            out.error = Some(format!("connect: {e}"));
            return out;
        }
        Err(_) => {
            out.error = Some("connect: timed out".into());
            return out;
        }
    };
    out.connected = true;
    let (mut sink, mut stream) = ws.split();

    let doc = gather_doc::new_doc(spec.client_id);
    // Takes the document's write lock: before any transaction.
    let body = rich_text::body(&doc);
    let mut sync = ClientSync::new(doc, wall_clock_ms);
    let me = ClientID::new(spec.client_id);
    let mut last_seen: HashMap<ClientID, u32> = HashMap::new();
    let mut ticker: Option<Interval> = None;
    let mut edit_until = Instant::now();

    let mut hello = server.preamble(&spec.doc);
    hello.extend(sync.hello().into_iter().map(|f| server.wrap(&spec.doc, f)));
    for frame in hello {
        if let Err(e) = sink.send(Message::binary(frame)).await {
            out.error = Some(format!("send: {e}"));
            return out;
        }
    }

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
                let frame = match server.unwrap(bytes.to_vec()) {
                    Ok(Some(frame)) => frame,
                    Ok(None) => continue,
                    Err(e) => {
                        out.error = Some(format!("server: {e}"));
                        break;
                    }
                };
                let (replies, events) = match sync.receive(&frame) {
                    Ok(r) => r,
                    Err(e) => {
                        out.error = Some(format!("protocol: {e}"));
                        break;
                    }
                };
                let mut failed = false;
                for reply in replies {
                    if let Err(e) = sink.send(Message::binary(server.wrap(&spec.doc, reply))).await {
                        out.error = Some(format!("send: {e}"));
                        failed = true;
                        break;
                    }
                }
                if failed {
                    break;
                }
                if events.contains(&ClientEvent::Synced) && out.time_to_synced.is_none() {
                    out.time_to_synced = Some(now - started);
                    shared.synced.fetch_add(1, Ordering::Relaxed);
                }
                if events.iter().any(|e| matches!(e, ClientEvent::Synced | ClientEvent::DocChanged)) {
                    account(&sync, me, &mut last_seen, &shared, now, &mut out.latencies_us);
                }
            }
            _ = tick(&mut ticker) => {
                if Instant::now() >= edit_until {
                    ticker = None;
                    continue;
                }
                let text = TYPED[out.edits_sent as usize % TYPED.len()];
                let doc = sync.doc();
                let before = doc.transact().state_vector();
                {
                    let mut txn = doc.transact_mut();
                    rich_text::insert_text(&mut txn, &body, Pos::new(0, u32::MAX), text, Marks::default());
                }
                let (update, clock) = {
                    let txn = doc.transact();
                    (txn.encode_state_as_update_v1(&before), txn.state_vector().get(&me))
                };
                let frame = server.wrap(&spec.doc, encode_update(update));
                shared
                    .sends
                    .lock()
                    .unwrap()
                    .entry(spec.client_id)
                    .or_default()
                    .insert(clock, Instant::now());
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

/// Counts the deliveries a received frame brought: every edit of another client between what
/// this client had seen of it and what its document holds now.
fn account(
    sync: &ClientSync,
    me: ClientID,
    last_seen: &mut HashMap<ClientID, u32>,
    shared: &Shared,
    now: Instant,
    latencies_us: &mut Vec<u64>,
) {
    let sv = sync.doc().transact().state_vector();
    let mut fresh = Vec::new();
    for (client, &clock) in sv.iter() {
        if *client == me {
            continue;
        }
        let seen = last_seen.entry(*client).or_insert(0);
        if clock > *seen {
            fresh.push((client.get(), *seen, clock));
            *seen = clock;
        }
    }
    if fresh.is_empty() {
        return;
    }
    let sends = shared.sends.lock().unwrap();
    for (client, seen, clock) in fresh {
        if let Some(times) = sends.get(&client) {
            for sent in times.range(seen + 1..=clock).map(|(_, t)| t) {
                latencies_us.push(now.saturating_duration_since(*sent).as_micros() as u64);
            }
        }
    }
}
