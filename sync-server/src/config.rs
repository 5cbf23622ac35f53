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
    /// Largest websocket message accepted, in bytes; larger ones close the connection (4002).
    #[arg(long, env = "GATHER_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_message_bytes: usize,
    /// Threads for websocket work; 1 (the default) is the cheapest per delivered update.
    #[arg(long, env = "GATHER_THREADS", default_value_t = 1)]
    pub threads: usize,
}

impl Config {
    /// A configuration for tests: a free port, the given folders, default limits.
    pub fn for_tests(data: PathBuf, assets: PathBuf) -> Config {
        Config {
            addr: "127.0.0.1:0".parse().expect("valid address"),
            data,
            assets,
            max_message_bytes: 16 * 1024 * 1024,
            threads: 1,
        }
    }
}
