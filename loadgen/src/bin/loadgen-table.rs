//! `loadgen-table BASELINE REPORT.json…`: one markdown table of several `loadgen --json`
//! reports, with each run's ratios to the baseline server's run.

use anyhow::Context;
use loadgen::report::{table, Report};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let baseline = args
        .next()
        .context("usage: loadgen-table BASELINE_SERVER REPORT.json…")?;
    let mut reports = Vec::new();
    for path in args {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let report: Report =
            serde_json::from_str(&text).with_context(|| format!("parsing {path}"))?;
        reports.push(report);
    }
    print!("{}", table(&reports, &baseline));
    Ok(())
}
