//! The real `sync-server` binary as a child process, for tests that kill it or read its memory.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::ADMIN_TOKEN;

/// Longest wait for the server to start or die.
const WAIT: Duration = Duration::from_secs(20);

/// The server binary as a child process; dropping it kills it.
pub struct ServerProcess {
    child: Child,
    /// `host:port`.
    pub addr: String,
}

impl ServerProcess {
    pub async fn start(data: &Path) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--data")
            .arg(data)
            .arg("--assets")
            .arg(data.join("no-assets"))
            .arg("--admin-token")
            .arg(ADMIN_TOKEN)
            .env("GATHER_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start sync-server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(addr) = line.strip_prefix("gather listening on http://") {
                    return addr.trim().to_owned();
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server did not start in time");
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        ServerProcess { child, addr }
    }

    /// SIGKILL: no shutdown, no flush, like a power cut to the process.
    pub async fn kill(mut self) {
        self.child.start_kill().unwrap();
        tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the server did not die")
            .unwrap();
    }

    /// Its resident memory now (`VmRSS`), in bytes.
    pub fn resident_bytes(&self) -> u64 {
        let pid = self.child.id().expect("the server is running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status");
        kib * 1024
    }
}
