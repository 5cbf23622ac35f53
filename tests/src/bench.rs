//! What the browser benchmarks (`src/bin/editor_bench.rs`, `src/bin/day_view_bench.rs`,
//! `src/bin/fill_bench.rs`) share: the phone's link they may open pages through, the median,
//! and where their report goes.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::{phone_link_proxy, Driver, GatherServer};

/// Runs one benchmark the way every one runs: a fresh server on its own data folder and a
/// chromedriver; `bench` gets the folder, the server and the driver and returns its report,
/// which is printed and, with `out`, written there. The server is stopped either way.
pub async fn run(
    out: Option<&Path>,
    bench: impl AsyncFnOnce(&Path, &GatherServer, &Driver) -> Result<String>,
) -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let report = bench(data.path(), &server, &driver).await;
    server.stop().await?;
    publish(&report?, out)
}

/// How pages were opened, for a report: over the modelled link, or on loopback.
pub fn describe_link(link: Option<(u64, u64)>) -> String {
    match link {
        Some((rtt, kbps)) => {
            format!("over a phone's link ({rtt} ms round trip, {kbps} kbit/s down)")
        }
        None => "on loopback".to_owned(),
    }
}

/// `RTT_MS,KBIT_S`, the value of `--link`.
pub fn parse_link(value: &str) -> Result<(u64, u64)> {
    let (rtt, kbps) = value.split_once(',').context("--link RTT_MS,KBIT_S")?;
    Ok((rtt.parse()?, kbps.parse()?))
}

/// The address pages are opened at (`http://host:port`, no trailing slash): the server's own,
/// or a proxy in front of it with the link's round trip and download speed.
pub async fn base_url(server: &GatherServer, link: Option<(u64, u64)>) -> Result<String> {
    let direct = server.url("").trim_end_matches('/').to_owned();
    match link {
        Some((rtt, kbps)) => {
            let proxy = phone_link_proxy(
                direct.trim_start_matches("http://"),
                Duration::from_millis(rtt / 2),
                kbps * 1000 / 8,
            )
            .await?;
            Ok(format!("http://{proxy}"))
        }
        None => Ok(direct),
    }
}

/// Prints the report, and writes it to `out` if given.
fn publish(report: &str, out: Option<&Path>) -> Result<()> {
    print!("{report}");
    if let Some(out) = out {
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(out, report)?;
    }
    Ok(())
}

/// The median of `values` (the upper one of an even count); NaN if there are none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `median / max` of `values` in whole ms, for a report's cell; `-` if there are none.
pub fn median_max(values: &[f64]) -> String {
    if values.is_empty() {
        return "-".to_owned();
    }
    let max = values.iter().copied().fold(f64::NAN, f64::max);
    format!("{:.0} / {max:.0}", median(values))
}
