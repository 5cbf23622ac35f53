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

/// A phone's link to the server, for every connection (the app's files, the API and the
/// document's socket alike): each byte takes `one_way` to arrive in either direction, and the
/// answers share `down_bytes_per_sec` of download between them. Returns the proxy's
/// `host:port`.
pub async fn phone_link_proxy(
    server: &str,
    one_way: Duration,
    down_bytes_per_sec: u64,
) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let server = server.to_owned();
    // When the shared download link is next free.
    let link = std::sync::Arc::new(std::sync::Mutex::new(tokio::time::Instant::now()));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (server, link) = (server.clone(), link.clone());
            tokio::spawn(async move {
                let Ok(upstream) = TcpStream::connect(&server).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (up_read, up_write) = upstream.into_split();
                tokio::spawn(delayed(client_read, up_write, one_way, None));
                delayed(
                    up_read,
                    client_write,
                    one_way,
                    Some((link, down_bytes_per_sec)),
                )
                .await;
            });
        }
    });
    Ok(addr)
}

/// Copies `from` to `to`, each chunk written `delay` after it was read, and no sooner than a
/// shared link of `rate` bytes a second (if given) has carried it.
async fn delayed(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    delay: Duration,
    rate: Option<(std::sync::Arc<std::sync::Mutex<tokio::time::Instant>>, u64)>,
) {
    let (queue, mut queued) = tokio::sync::mpsc::unbounded_channel();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = queued.recv().await {
            // Pacing a simulated link, not waiting for a condition.
            tokio::time::sleep_until(due).await;
            let bytes: Vec<u8> = bytes;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut due = tokio::time::Instant::now();
        if let Some((link, rate)) = &rate {
            let mut free = link.lock().expect("link lock");
            *free = (*free).max(due) + Duration::from_secs_f64(n as f64 / *rate as f64);
            due = *free;
        }
        if queue.send((due + delay, buf[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(queue);
    let _ = writer.await;
}
