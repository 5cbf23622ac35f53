//! What a run measured: a human summary, a markdown table, JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub server: String,
    pub url: String,
    pub scenario: ScenarioInfo,
    pub clients: usize,
    pub connected: usize,
    pub synced: usize,
    /// From the first connection attempt until everyone was synced (or the wait gave up).
    pub connect_phase_s: f64,
    pub time_to_synced_p50_ms: Option<f64>,
    pub time_to_synced_p99_ms: Option<f64>,
    pub edits_expected: u64,
    pub edits_sent: u64,
    /// Edits that reached another client (echoes to the sender not counted).
    pub deliveries: u64,
    /// Edits sent × (clients per document − 1).
    pub deliveries_expected: u64,
    pub delivery_ratio: f64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub latency_max_ms: Option<f64>,
    /// The server's CPU time (user + system) during the editing and draining phases.
    pub server_cpu_us: Option<u64>,
    /// The server's CPU time from the load generator's start to the end of draining.
    pub server_cpu_total_us: Option<u64>,
    pub server_cpu_us_per_delivery: Option<f64>,
    /// `VmHWM`: the server's peak resident memory since it started.
    pub server_peak_rss_mb: Option<f64>,
    pub server_rss_end_mb: Option<f64>,
    /// CPU time the load generator itself used (it shares the machine with the server).
    pub loadgen_cpu_s: Option<f64>,
    /// Busy closes (Gather's 4509) the clients got before they were let in.
    #[serde(default)]
    pub busy_closes: usize,
    /// Client errors, by message, with how many clients had each.
    pub errors: BTreeMap<String, usize>,
    /// The documents written before the clients joined, when the scenario has them.
    #[serde(default)]
    pub prepared: Option<PreparedReport>,
}

/// What the preparing clients wrote (the largest document's figures when there are several).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PreparedReport {
    pub docs: usize,
    /// The whole document as one v1 update, as the preparing client encodes it.
    pub update_bytes: usize,
    /// The update in the server's sync step 2 to an empty state vector, after preparing.
    pub server_step2_bytes: usize,
    /// Updates the preparing client sent, and the largest of them.
    pub updates: usize,
    pub largest_update_bytes: usize,
    /// Paragraphs and headings.
    pub blocks: u64,
    /// UTF-16 code units of text.
    pub text_units: u64,
    pub prepare_s: f64,
    /// The sync step 2 updates the joining clients received.
    pub joiner_step2_bytes_min: Option<u64>,
    pub joiner_step2_bytes_max: Option<u64>,
    /// The server's resident memory once prepared, and the most seen after (every 50 ms).
    pub server_rss_after_prepare_mb: Option<f64>,
    pub server_rss_max_after_prepare_mb: Option<f64>,
}

impl PreparedReport {
    /// One sentence saying what the joiners were sent.
    pub fn describe(&self) -> String {
        let mb = |b: u64| format!("{:.2} MB", b as f64 / 1e6);
        let step2 = match (self.joiner_step2_bytes_min, self.joiner_step2_bytes_max) {
            (Some(a), Some(b)) if a == b => mb(a),
            (Some(a), Some(b)) => format!("{} to {}", mb(a), mb(b)),
            _ => "–".into(),
        };
        format!(
            "document of {} blocks, {} UTF-16 units of text, stored update {} ({} bytes; the \
             server's copy {}), written in {} updates of at most {} in {:.1} s; joiners' sync \
             step 2: {}; server RSS {} MB once prepared, at most {} MB after",
            self.blocks,
            self.text_units,
            mb(self.update_bytes as u64),
            self.update_bytes,
            mb(self.server_step2_bytes as u64),
            self.updates,
            mb(self.largest_update_bytes as u64),
            self.prepare_s,
            step2,
            num(self.server_rss_after_prepare_mb, 1),
            num(self.server_rss_max_after_prepare_mb, 1),
        )
    }
}

/// The scenario as recorded in a report.
pub type ScenarioInfo = Scenario;

/// The `p`-th percentile (nearest rank) of microsecond samples, in milliseconds.
pub fn percentile_ms(samples_us: &mut [u64], p: f64) -> Option<f64> {
    if samples_us.is_empty() {
        return None;
    }
    samples_us.sort_unstable();
    let rank = ((p * samples_us.len() as f64).ceil() as usize).clamp(1, samples_us.len());
    Some(samples_us[rank - 1] as f64 / 1000.0)
}

fn ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
        None => "–".into(),
    }
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.decimals$}"))
}

impl Report {
    /// A few lines for a person.
    pub fn summary(&self) -> String {
        let sc = &self.scenario;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} / {}: {} docs × {} clients, {} writers × {} edits/s, {} s",
            self.server,
            sc.name,
            sc.docs,
            sc.clients_per_doc,
            sc.writers_per_doc,
            sc.rate,
            sc.seconds
        );
        let _ = writeln!(
            s,
            "  clients: {} connected, {} synced of {} (connect phase {:.1} s)",
            self.connected, self.synced, self.clients, self.connect_phase_s
        );
        let _ = writeln!(
            s,
            "  time to synced: p50 {} ms, p99 {} ms; busy closes: {}",
            ms(self.time_to_synced_p50_ms),
            ms(self.time_to_synced_p99_ms),
            self.busy_closes
        );
        let _ = writeln!(
            s,
            "  edits: {} sent of {} planned; deliveries {} of {} ({:.2}%)",
            self.edits_sent,
            self.edits_expected,
            self.deliveries,
            self.deliveries_expected,
            self.delivery_ratio * 100.0
        );
        let _ = writeln!(
            s,
            "  relay latency: p50 {} ms, p99 {} ms, max {} ms",
            ms(self.latency_p50_ms),
            ms(self.latency_p99_ms),
            ms(self.latency_max_ms)
        );
        let _ = writeln!(
            s,
            "  server CPU: {} ms while editing ({} µs per delivery), {} ms in all; peak RSS {} MB (end {} MB)",
            num(self.server_cpu_us.map(|u| u as f64 / 1000.0), 0),
            num(self.server_cpu_us_per_delivery, 1),
            num(self.server_cpu_total_us.map(|u| u as f64 / 1000.0), 0),
            num(self.server_peak_rss_mb, 1),
            num(self.server_rss_end_mb, 1),
        );
        let _ = writeln!(s, "  load generator CPU: {} s", num(self.loadgen_cpu_s, 1));
        if let Some(prepared) = &self.prepared {
            let _ = writeln!(s, "  prepared: {}", prepared.describe());
        }
        for (error, count) in &self.errors {
            let _ = writeln!(s, "  error ×{count}: {error}");
        }
        s
    }

    pub fn markdown_header() -> &'static str {
        "| Server | Connected / synced | Time to synced p50 / p99 (ms) | Delivery | Latency p50 / p99 / max (ms) | Server CPU µs / delivery | Server peak MB |\n\
         |---|---|---|---|---|---|---|"
    }

    pub fn markdown_row(&self) -> String {
        format!(
            "| {} | {} / {} of {} | {} / {} | {:.2}% | {} / {} / {} | {} | {} |",
            self.server,
            self.connected,
            self.synced,
            self.clients,
            ms(self.time_to_synced_p50_ms),
            ms(self.time_to_synced_p99_ms),
            self.delivery_ratio * 100.0,
            ms(self.latency_p50_ms),
            ms(self.latency_p99_ms),
            ms(self.latency_max_ms),
            num(self.server_cpu_us_per_delivery, 1),
            num(self.server_peak_rss_mb, 1),
        )
    }
}

/// A markdown table of several runs, then each run's ratios to the baseline run (the one whose
/// server is `baseline`, else the first): below 1 is better than the baseline.
pub fn table(reports: &[Report], baseline: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", Report::markdown_header());
    for r in reports {
        let _ = writeln!(s, "{}", r.markdown_row());
    }
    if reports.iter().any(|r| r.prepared.is_some()) {
        let _ = writeln!(s);
        for r in reports {
            if let Some(prepared) = &r.prepared {
                let _ = writeln!(s, "- {}: {}.", r.server, prepared.describe());
            }
        }
    }
    let Some(base) = reports
        .iter()
        .find(|r| r.server == baseline)
        .or(reports.first())
    else {
        return s;
    };
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    };
    let _ = writeln!(s);
    let _ = writeln!(s, "Ratios to {} (below 1× is better):", base.server);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "| Server | Time to synced p50 | p99 | Latency p50 | p99 | max | CPU / delivery | Peak memory |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in reports {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.server,
            ratio(r.time_to_synced_p50_ms, base.time_to_synced_p50_ms),
            ratio(r.time_to_synced_p99_ms, base.time_to_synced_p99_ms),
            ratio(r.latency_p50_ms, base.latency_p50_ms),
            ratio(r.latency_p99_ms, base.latency_p99_ms),
            ratio(r.latency_max_ms, base.latency_max_ms),
            ratio(
                r.server_cpu_us_per_delivery,
                base.server_cpu_us_per_delivery
            ),
            ratio(r.server_peak_rss_mb, base.server_peak_rss_mb),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&mut v, 0.5), Some(50.0));
        assert_eq!(percentile_ms(&mut v, 0.99), Some(99.0));
        assert_eq!(percentile_ms(&mut v, 1.0), Some(100.0));
        assert_eq!(percentile_ms(&mut [], 0.5), None);
    }
}
