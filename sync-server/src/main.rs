//! The `sync-server` binary: parses the configuration, builds the runtime it asks for, and runs
//! the server until Ctrl-C or SIGTERM.

use clap::Parser;
use gather_doc::{DocId, Role};
use sync_server::access::Access;
use sync_server::config::{Command, Config};
use sync_server::serve;

/// Threads for blocking work (loading a document, registering one, SQLite reads, exports).
/// Tokio's default of 512 let a storm of new documents start hundreds of threads (385 seen in
/// `storm`), each with its stack and allocator arena; the work queues instead.
const MAX_BLOCKING_THREADS: usize = 16;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATHER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    match &config.command {
        Some(Command::OwnerLink { doc, label }) => return print_owner_link(&config, doc, label),
        Some(Command::Backup { to }) => {
            let bytes = sync_server::backup::backup(&config.data, to)?;
            println!(
                "backed up {} to {} ({bytes} bytes)",
                config.data.display(),
                to.display()
            );
            return Ok(());
        }
        Some(Command::Restore { from, force }) => {
            sync_server::backup::restore(from, &config.data, *force)?;
            println!("restored {} into {}", from.display(), config.data.display());
            return Ok(());
        }
        None => {}
    }
    // One thread by default: every task then wakes the next on the same thread, without the
    // cross-thread wake-ups that cost more CPU than the work itself (see BENCHMARKS.md).
    // SQLite commits and document loads still run on their own threads.
    let runtime = if config.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(MAX_BLOCKING_THREADS)
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.threads)
            .max_blocking_threads(MAX_BLOCKING_THREADS)
            .enable_all()
            .build()?
    };
    runtime.block_on(serve(config, sync_server::shutdown_signal()))
}

/// `sync-server owner-link DOC`: a new owner link for a document, including one stored before
/// share links existed (nothing is lost in the upgrade). Safe to run while the server runs, but
/// the running server only learns of the link when restarted.
fn print_owner_link(config: &Config, doc: &str, label: &str) -> anyhow::Result<()> {
    let doc = DocId::parse(doc)?;
    let access = Access::open(&config.data, &config.key_path(), None)?;
    if access.doc(&doc).is_none() && !access.has_updates(&doc)? {
        anyhow::bail!("no document {doc} in {}", config.data.display());
    }
    access.register_doc(&doc, "")?;
    let link = access.create_link(&doc, Role::Owner, label, None)?;
    access.audit().record(
        &doc,
        "link_created",
        Some(Role::Owner),
        label,
        None,
        &link.id,
    );
    access.audit().flush();
    println!("http://{}{}", config.addr, link.url);
    Ok(())
}
