//! A loopback proxy whose answers reach the client at a set rate (a slow link), for the
//! slow-link test and the `slow_link` example.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// Starts a proxy to `server` whose answers reach its clients at `rate` bytes a second.
pub async fn throttled_proxy(server: SocketAddr, rate: u64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(upstream) = TcpStream::connect(server).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (up_read, up_write) = upstream.into_split();
            tokio::spawn(pipe(client_read, up_write, 0));
            tokio::spawn(pipe(up_read, client_write, rate));
        }
    });
    addr
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
