//! The run: prepare the documents when the scenario has large ones, connect every client
//! (staggered), wait until they are synced, let the writers edit for the scenario's length,
//! wait for the last deliveries, then close everything.
//!
//! Every client is a real `ClientSync` around a Gather document, in one tokio runtime (the
//! readers of a prepared document keep a lighter replica: see [`crate::client`]). A
//! writer records when it sent each edit, keyed by its client id and the clock its document
//! reached with the edit; a client that receives updates compares its document's state vector
//! with what it had seen, and every edit of another client that it now holds is one delivery,
//! its latency measured from the recorded send time. An echo of a client's own edit is never
//! counted, and edits merged by a server into one message are each counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use crate::client::{client, ClientSpec, Outcome};
use crate::prepare::{prepare, Prepared};
use crate::procfs;
use crate::protocol::ServerKind;
use crate::report::{percentile_ms, PreparedReport, Report};
use crate::scenario::Scenario;

/// What one run needs to know.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub server: ServerKind,
    pub url: String,
    /// Sent as `?token=` when set.
    pub token: Option<String>,
    pub pid: Option<u32>,
    /// What to run; its `stagger_ms` spaces the connection starts.
    pub scenario: Scenario,
    /// How long after the last connection started to wait for everyone to be synced.
    pub connect_timeout: Duration,
    /// How long after the last edit to keep listening for deliveries.
    pub drain: Duration,
    /// Names the documents `{prefix}-0000`, … instead of a fresh name per run, so that a later
    /// run (after a server restart) meets the documents an earlier one stored.
    pub doc_prefix: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    Connecting,
    Editing { start: Instant, until: Instant },
    Done,
}

/// What the clients share.
#[derive(Default)]
pub struct Shared {
    /// Send time of every edit: client id → (clock after the edit → when it was sent).
    sends: Mutex<HashMap<u64, BTreeMap<u32, Instant>>>,
    pub synced: AtomicUsize,
    /// The prepared documents, by name (empty unless the scenario prepares them).
    pub prepared: HashMap<String, Prepared>,
}

impl Shared {
    /// Records that a writer sent the edit that took its clock to `clock`.
    pub fn record_send(&self, client_id: u64, clock: u32, at: Instant) {
        self.sends
            .lock()
            .unwrap()
            .entry(client_id)
            .or_default()
            .insert(clock, at);
    }

    /// Adds a latency for every recorded edit a receiver now holds: for each `(client, seen,
    /// clock)`, the edits of `client` after clock `seen` up to `clock`.
    pub fn record_deliveries(
        &self,
        fresh: &[(u64, u32, u32)],
        now: Instant,
        latencies_us: &mut Vec<u64>,
    ) {
        let sends = self.sends.lock().unwrap();
        for &(client, seen, clock) in fresh {
            if let Some(times) = sends.get(&client) {
                for sent in times.range(seen + 1..=clock).map(|(_, t)| t) {
                    latencies_us.push(now.saturating_duration_since(*sent).as_micros() as u64);
                }
            }
        }
    }
}

/// Runs the scenario against the server and measures it.
pub async fn run(config: RunConfig) -> Report {
    let sc = config.scenario.clone();
    let total = sc.docs * sc.clients_per_doc;
    let run_tag = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000_000)
        .unwrap_or(0);
    let (phase_tx, phase_rx) = watch::channel(Phase::Connecting);
    let cpu_at_start = config.pid.and_then(procfs::cpu_time_us);
    let own_cpu_at_start = procfs::cpu_time_us(std::process::id());
    let prefix = config
        .doc_prefix
        .clone()
        .unwrap_or_else(|| format!("lg-{run_tag}"));
    let doc_name = |d: usize| format!("{prefix}-{d:04}");
    let config = Arc::new(config);

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

    // Phase 0: preparing the large documents, one after another.
    let mut shared = Shared::default();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut preparers = Vec::new();
    if sc.doc_bytes > 0 {
        for d in 0..sc.docs {
            let prepared = prepare(
                config.clone(),
                doc_name(d),
                // Below the clients' ids, still distinct.
                900_000 + d as u64,
                sc.doc_bytes,
                phase_rx.clone(),
            )
            .await;
            match prepared {
                Ok((prepared, task)) => {
                    eprintln!(
                        "loadgen: prepared {}: {} blocks in {} updates (largest {} bytes); \
                         the whole document is a {}-byte update, the server's copy {} bytes; {:.1} s",
                        doc_name(d),
                        prepared.blocks,
                        prepared.updates,
                        prepared.largest_update_bytes,
                        prepared.update_bytes,
                        prepared.server_step2_bytes,
                        prepared.seconds
                    );
                    shared.prepared.insert(doc_name(d), prepared);
                    preparers.push(task);
                }
                Err(e) => *errors.entry(format!("prepare: {e}")).or_default() += 1,
            }
        }
    }
    let rss_after_prepare = config.pid.and_then(procfs::rss_bytes);
    let shared = Arc::new(shared);
    // With a prepared document, the peak that matters is the joiners': sample it.
    let rss_sampler = (sc.doc_bytes > 0)
        .then_some(config.pid)
        .flatten()
        .map(|pid| tokio::spawn(max_rss_until_done(pid, phase_rx.clone())));

    let stagger = Duration::from_secs_f64(sc.stagger_ms.max(0.0) / 1000.0);
    let t0 = Instant::now();
    let mut handles = Vec::with_capacity(total);
    for d in 0..sc.docs {
        for c in 0..sc.clients_per_doc {
            let i = d * sc.clients_per_doc + c;
            let spec = ClientSpec {
                doc: doc_name(d),
                // Distinct, non-zero, far below 2^53 (Yjs's limit).
                client_id: 1_000_000 + i as u64,
                writer: c < sc.writers_per_doc,
                phase: (i as f64 * 0.618_033_988_7).fract(),
            };
            let start_at = t0 + stagger * i as u32;
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
    let last_start = t0 + stagger * total.saturating_sub(1) as u32;
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
    for task in preparers {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    let rss_max_after_prepare = match rss_sampler {
        Some(task) => task.await.ok().flatten(),
        None => None,
    };
    let own_cpu_at_end = procfs::cpu_time_us(std::process::id());
    let mut step2_bytes: Vec<u64> = outcomes
        .iter()
        .filter_map(|o| o.step2_bytes)
        .map(|b| b as u64)
        .collect();
    step2_bytes.sort_unstable();
    let prepared = (!shared.prepared.is_empty()).then(|| {
        let all = shared.prepared.values();
        let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
        PreparedReport {
            docs: shared.prepared.len(),
            update_bytes: all.clone().map(|p| p.update_bytes).max().unwrap_or(0),
            server_step2_bytes: all.clone().map(|p| p.server_step2_bytes).max().unwrap_or(0),
            updates: all.clone().map(|p| p.updates).max().unwrap_or(0),
            largest_update_bytes: all
                .clone()
                .map(|p| p.largest_update_bytes)
                .max()
                .unwrap_or(0),
            blocks: all.clone().map(|p| p.blocks).max().unwrap_or(0),
            text_units: all.clone().map(|p| p.text_units).max().unwrap_or(0),
            prepare_s: all.map(|p| p.seconds).sum(),
            joiner_step2_bytes_min: step2_bytes.first().copied(),
            joiner_step2_bytes_max: step2_bytes.last().copied(),
            server_rss_after_prepare_mb: rss_after_prepare.map(mb),
            server_rss_max_after_prepare_mb: rss_max_after_prepare.map(mb),
        }
    });

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
    let busy_closes = outcomes.iter().map(|o| o.busy_closes).sum();
    let deliveries = latencies.len() as u64;
    let deliveries_expected = edits_sent * (sc.clients_per_doc as u64).saturating_sub(1);
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
        busy_closes,
        errors,
        prepared,
    }
}

/// The largest resident set of `pid` seen every 50 ms until the run is done.
async fn max_rss_until_done(pid: u32, mut phase: watch::Receiver<Phase>) -> Option<u64> {
    let mut max = procfs::rss_bytes(pid);
    let mut ticker = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            _ = ticker.tick() => max = max.max(procfs::rss_bytes(pid)),
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow_and_update() == Phase::Done {
                    return max;
                }
            }
        }
    }
}
