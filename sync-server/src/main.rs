//! The `sync-server` binary: parses the configuration, builds the runtime it asks for, and runs
//! the server until Ctrl-C or SIGTERM.

use clap::Parser;
use sync_server::{config::Config, serve};

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATHER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    // One thread by default: every task then wakes the next on the same thread, without the
    // cross-thread wake-ups that cost more CPU than the work itself (see BENCHMARKS.md).
    // SQLite commits and document loads still run on their own threads.
    let runtime = if config.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(serve(config, sync_server::shutdown_signal()))
}
