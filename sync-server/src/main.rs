//! The `sync-server` binary: parses the configuration and runs the server until Ctrl-C or
//! SIGTERM.

use clap::Parser;
use sync_server::{config::Config, serve};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATHER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    serve(config, sync_server::shutdown_signal()).await
}
