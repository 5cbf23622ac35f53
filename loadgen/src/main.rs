//! `loadgen`: runs a named scenario against a y-websocket-compatible server and reports what
//! the clients saw and what it cost the server.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use loadgen::protocol::ServerKind;
use loadgen::report::Report;
use loadgen::run::{run, RunConfig};
use loadgen::scenario::ScenarioName;

#[derive(Parser, Debug)]
#[command(about = "Load generator for y-websocket-compatible servers")]
struct Args {
    /// Which protocol dialect and URL scheme the server speaks.
    #[arg(long, value_enum)]
    server: ServerKind,
    /// Websocket base URL: ws://HOST:PORT/sync for Gather, ws://HOST:PORT for the others.
    #[arg(long)]
    url: String,
    /// A token sent as `?token=` (Gather: an owner link's token or the admin token, which
    /// creates the benchmark's documents).
    #[arg(long)]
    token: Option<String>,
    /// The server's process id, for its CPU time and peak memory (from /proc).
    #[arg(long)]
    pid: Option<u32>,
    /// The named scenario; the options below override its parts.
    #[arg(long, value_enum, default_value = "class")]
    scenario: ScenarioName,
    /// Number of documents.
    #[arg(long)]
    docs: Option<usize>,
    /// Clients per document.
    #[arg(long)]
    clients: Option<usize>,
    /// Writers per document (the first clients of each document).
    #[arg(long)]
    writers: Option<usize>,
    /// Edits per second per writer.
    #[arg(long)]
    rate: Option<f64>,
    /// Length of the editing phase, in seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// Milliseconds between two connection starts.
    #[arg(long)]
    stagger_ms: Option<f64>,
    /// Bytes to write into each document before the clients join (0: none).
    #[arg(long)]
    doc_bytes: Option<usize>,
    /// Seconds to wait, after the last connection started, for everyone to be synced.
    #[arg(long, default_value_t = 30.0)]
    connect_timeout: f64,
    /// Seconds to keep listening after the last edit.
    #[arg(long, default_value_t = 3.0)]
    drain: f64,
    /// Name the documents PREFIX-0000, PREFIX-0001, … (default: fresh names per run), so a run
    /// after a server restart meets the documents an earlier run stored.
    #[arg(long)]
    doc_prefix: Option<String>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut scenario = args.scenario.scenario();
    if let Some(v) = args.docs {
        scenario.docs = v;
    }
    if let Some(v) = args.clients {
        scenario.clients_per_doc = v;
    }
    if let Some(v) = args.writers {
        scenario.writers_per_doc = v;
    }
    if let Some(v) = args.rate {
        scenario.rate = v;
    }
    if let Some(v) = args.seconds {
        scenario.seconds = v;
    }
    if let Some(v) = args.stagger_ms {
        scenario.stagger_ms = v;
    }
    if let Some(v) = args.doc_bytes {
        scenario.doc_bytes = v;
    }
    anyhow::ensure!(scenario.rate > 0.0, "--rate must be positive");
    anyhow::ensure!(
        scenario.writers_per_doc <= scenario.clients_per_doc,
        "--writers must not exceed --clients"
    );
    let config = RunConfig {
        server: args.server,
        url: args.url,
        token: args.token,
        pid: args.pid,
        scenario,
        connect_timeout: Duration::from_secs_f64(args.connect_timeout),
        drain: Duration::from_secs_f64(args.drain),
        doc_prefix: args.doc_prefix,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let report = runtime.block_on(run(config));
    print!("{}", report.summary());
    println!();
    println!("{}", Report::markdown_header());
    println!("{}", report.markdown_row());
    if let Some(path) = args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(&path, json + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
