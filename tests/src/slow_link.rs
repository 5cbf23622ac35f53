//! A loopback proxy to the server that slows the document connections down: the answers on
//! each `/sync/` websocket reach the browser at a set rate (say 1 Mbit/s, a classroom's bad
//! link), while the app's own files and the API pass at full speed.

use std::time::Duration;

use anyhow::Result;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// Starts the proxy to `server` (`host:port`); returns its own `host:port`.
pub async fn slow_sync_proxy(server: &str, bytes_per_sec: u64) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let server = server.to_owned();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = server.clone();
            tokio::spawn(async move {
                let Ok(upstream) = TcpStream::connect(&server).await else {
                    return;
                };
                let (mut client_read, client_write) = client.into_split();
                let (up_read, mut up_write) = upstream.into_split();
                // The request's first bytes say whether this is a document's websocket.
                let mut first = vec![0u8; 4096];
                let n = match client_read.read(&mut first).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let slow = first[..n].starts_with(b"GET /sync/");
                if up_write.write_all(&first[..n]).await.is_err() {
                    return;
                }
                tokio::spawn(pipe(client_read, up_write, 0));
                pipe(up_read, client_write, if slow { bytes_per_sec } else { 0 }).await;
            });
        }
    });
    Ok(addr)
}

/// Copies `from` to `to`, at most `rate` bytes a second (0: as fast as it comes).
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, rate: u64) {
    let started = tokio::time::Instant::now();
    let mut sent = 0u64;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        sent += n as u64;
        if rate > 0 {
            // Pacing, not waiting for a condition: the bytes so far may not leave faster.
            let due = started + Duration::from_secs_f64(sent as f64 / rate as f64);
            tokio::time::sleep_until(due).await;
        }
    }
    let _ = to.shutdown().await;
}
