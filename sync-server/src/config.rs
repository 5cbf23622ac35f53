//! The server's configuration: one typed struct, built once from flags and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run the sync server. Every flag can also come from a `GATHER_*` variable.
#[derive(clap::Parser, Clone, Debug)]
#[command(name = "sync-server", about = "Gather's sync server")]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "GATHER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder for the SQLite database.
    #[arg(long, env = "GATHER_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Folder with the built app (trunk's `dist`).
    #[arg(long, env = "GATHER_ASSETS", default_value = "./dist")]
    pub assets: PathBuf,
    /// The key share-link tokens are derived from; created on first start. Defaults to
    /// `secret.key` in the data folder; keep it out of database backups to make them useless
    /// for opening documents.
    #[arg(long, env = "GATHER_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// An operator token with owner rights on every document; connecting with it to an
    /// unknown document creates that document. Unset means no operator token.
    #[arg(long, env = "GATHER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Largest websocket message accepted, in bytes; larger ones close the connection (4002).
    #[arg(long, env = "GATHER_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_message_bytes: usize,
    /// Largest document, in stored bytes; updates past it are refused (4413).
    #[arg(long, env = "GATHER_MAX_DOC_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_doc_bytes: usize,
    /// Take clients' addresses (for the audit log and the cap on wrong tokens) from the last
    /// `X-Forwarded-For` entry: only behind a reverse proxy that sets it.
    #[arg(long, env = "GATHER_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Threads for websocket work; 1 (the default) is the cheapest per delivered update.
    #[arg(long, env = "GATHER_THREADS", default_value_t = 1)]
    pub threads: usize,
    /// The shortest time, in milliseconds, between the starts of two commits of edits. Edits
    /// arriving meanwhile share the next commit (and its fsync); each waits at most this long
    /// before it is stored and relayed. 0 commits as soon as the last commit ends.
    #[arg(long, env = "GATHER_COMMIT_GAP_MS", default_value_t = 4)]
    pub commit_gap_ms: u64,
    /// At most how often, in seconds, an automatic version of a document being edited is kept.
    #[arg(long, env = "GATHER_VERSION_EVERY_SECS", default_value_t = 600)]
    pub version_every_secs: u64,
    /// Sync handshakes (loading the document, answering the client's first sync message) run
    /// at once; further connections wait their turn.
    #[arg(long, env = "GATHER_MAX_HANDSHAKES", default_value_t = 32)]
    pub max_handshakes: usize,
    /// Connections that may wait for a handshake; past this, new ones are closed with 4509
    /// "server busy; retry in N s".
    #[arg(long, env = "GATHER_MAX_WAITING_HANDSHAKES", default_value_t = 20_000)]
    pub max_waiting_handshakes: usize,
    /// The N in "retry in N s" of a busy close; clients wait at least this long, plus jitter.
    #[arg(long, env = "GATHER_BUSY_RETRY_SECS", default_value_t = 5)]
    pub busy_retry_secs: u32,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Operator tasks run instead of the server.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum Command {
    /// Prints a new owner link for a document (registering it if it predates share links).
    OwnerLink {
        /// The document id, as in `/d/{id}`.
        doc: String,
        /// A label for the new link, shown in the Share dialog and the audit log.
        #[arg(long, default_value = "operator recovery")]
        label: String,
    },
    /// Writes a consistent copy of the database to a new file, while the server runs.
    Backup {
        /// The file to write (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Replaces the database with a backup. Stop the server first.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

impl Config {
    /// A configuration for tests: a free port, the given folders, default limits, and the
    /// admin token `test-admin-token`.
    pub fn for_tests(data: PathBuf, assets: PathBuf) -> Config {
        Config {
            addr: "127.0.0.1:0".parse().expect("valid address"),
            data,
            assets,
            key_file: None,
            admin_token: Some("test-admin-token".into()),
            max_message_bytes: 16 * 1024 * 1024,
            max_doc_bytes: 256 * 1024 * 1024,
            trust_forwarded_for: false,
            threads: 1,
            commit_gap_ms: 4,
            version_every_secs: 600,
            max_handshakes: 32,
            max_waiting_handshakes: 20_000,
            busy_retry_secs: 5,
            command: None,
        }
    }

    /// Where the server key lives.
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data.join("secret.key"))
    }
}
