//! The first sync of a large document over a slow link: a ~20 MB document, a loopback proxy
//! throttled to 1 Mbit/s towards the client, and two clients joining through it: one that asks
//! for pieces (as the app does) and a plain y-websocket one. Reports the time to synced, how
//! the progress advanced, the longest silence each client saw, and how the plain one ended.
//! Run: `cargo run --release -p sync-server --example slow_link` (`-- --mb 20 --kbit 1000`).
//! Numbers go to BENCHMARKS.md.

#[path = "../tests/support/throttle.rs"]
mod throttle;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text::{self, Node};
use gather_doc::sync::{ClientEvent, ClientSync};
use sync_server::config::Config;
use tokio_tungstenite::tungstenite::Message;
use yrs::{ReadTxn, Transact};

const TOKEN: &str = "test-admin-token";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(addr: std::net::SocketAddr, doc: &str, sync: &mut ClientSync) -> Socket {
    let url = format!("ws://{addr}/sync/{doc}?token={TOKEN}");
    // No size limit of its own, like a browser: the link is what is being measured.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .unwrap();
    for frame in sync.hello() {
        ws.send(Message::Binary(frame.into())).await.unwrap();
    }
    ws
}

/// What one joining client saw.
struct Joined {
    synced_after: Option<Duration>,
    longest_silence: Duration,
    pieces: usize,
    received: u64,
    ended: String,
    ended_after: Duration,
}

/// Reads until synced, the connection ends, or `limit` passes.
async fn join(
    addr: std::net::SocketAddr,
    doc: &str,
    mut sync: ClientSync,
    limit: Duration,
) -> Joined {
    let started = Instant::now();
    let mut ws = open(addr, doc, &mut sync).await;
    let mut joined = Joined {
        synced_after: None,
        longest_silence: Duration::ZERO,
        pieces: 0,
        received: 0,
        ended: String::new(),
        ended_after: Duration::ZERO,
    };
    let mut last = Instant::now();
    let mut next_report = 10.0;
    loop {
        let left = limit.saturating_sub(started.elapsed());
        let message = match tokio::time::timeout(left, ws.next()).await {
            Err(_) => {
                joined.ended = format!("still waiting after {} s", limit.as_secs());
                break;
            }
            Ok(None) => {
                joined.ended = "connection ended".into();
                break;
            }
            Ok(Some(Err(error))) => {
                joined.ended = format!("websocket error: {error}");
                break;
            }
            Ok(Some(Ok(message))) => message,
        };
        joined.longest_silence = joined.longest_silence.max(last.elapsed());
        last = Instant::now();
        match message {
            Message::Binary(bytes) => {
                joined.received += bytes.len() as u64;
                let (replies, events) = sync.receive(&bytes).expect("server sent garbage");
                for reply in replies {
                    ws.send(Message::Binary(reply.into())).await.unwrap();
                }
                for event in &events {
                    if let ClientEvent::Loading { received, total } = event {
                        joined.pieces += 1;
                        let percent = *received as f64 * 100.0 / *total as f64;
                        if percent >= next_report {
                            println!(
                                "  {percent:5.1}% after {:6.1} s",
                                started.elapsed().as_secs_f64()
                            );
                            next_report += 10.0;
                        }
                    }
                }
                if events.contains(&ClientEvent::Synced) {
                    joined.synced_after = Some(started.elapsed());
                    joined.ended = "synced".into();
                    break;
                }
            }
            Message::Close(frame) => {
                joined.ended = format!(
                    "closed by the server after {:.1} s: {frame:?}",
                    started.elapsed().as_secs_f64()
                );
                break;
            }
            _ => {}
        }
    }
    joined.longest_silence = joined.longest_silence.max(last.elapsed());
    joined.ended_after = started.elapsed();
    joined
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GATHER_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let mb = arg("--mb", 20);
    let kbit = arg("--kbit", 1000);
    let data = tempfile::tempdir().unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), data.path().join("no-assets"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sync_server::serve_on(
        listener,
        config,
        std::future::pending(),
    ));
    let doc = "slow-link";

    // The document: paragraphs of mixed Chinese and English, written in ~1 MB updates.
    let started = Instant::now();
    let mut writer = ClientSync::new(gather_doc::new_doc(1), || 0).with_receipts();
    let mut ws = open(addr, doc, &mut writer).await;
    // Synced first, so the writer's own step 2 is empty and its updates go one by one.
    loop {
        let Some(Ok(Message::Binary(bytes))) = ws.next().await else {
            panic!("writer lost its connection");
        };
        let (replies, events) = writer.receive(&bytes).unwrap();
        for reply in replies {
            ws.send(Message::Binary(reply.into())).await.unwrap();
        }
        if events.contains(&ClientEvent::Synced) {
            break;
        }
    }
    let sentence = "今天全班同学体温正常，没有人缺勤。Everyone in class 3 reported a normal temperature today. ";
    let mut written = 0u64;
    let mut block = 0;
    while written < mb * 1_000_000 {
        let nodes: Vec<Node> = (0..1000)
            .map(|_| {
                block += 1;
                Node::element(
                    "paragraph",
                    vec![Node::text(&format!("{block}. {}", sentence.repeat(8)))],
                )
            })
            .collect();
        let update = {
            let d = writer.doc();
            let body = rich_text::body(d);
            let before = d.transact().state_vector();
            rich_text::write_nodes(&mut d.transact_mut(), &body, u32::MAX, &nodes);
            d.transact().encode_state_as_update_v1(&before)
        };
        written += update.len() as u64;
        if let Some(frame) = writer.local_edit(update) {
            ws.send(Message::Binary(frame.into())).await.unwrap();
        }
    }
    while writer.unsaved() > 0 {
        let Some(Ok(Message::Binary(bytes))) = ws.next().await else {
            panic!("writer lost its connection");
        };
        let (replies, _) = writer.receive(&bytes).unwrap();
        for reply in replies {
            ws.send(Message::Binary(reply.into())).await.unwrap();
        }
    }
    println!(
        "Document: {block} paragraphs, {:.1} MB of updates, stored in {:.1} s.",
        written as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let proxy = throttle::throttled_proxy(addr, kbit * 1000 / 8).await;
    println!("Client asking for pieces, over {kbit} kbit/s:");
    let limit = Duration::from_secs(written * 8 / (kbit * 1000) * 2 + 60);
    let pieces = join(
        proxy,
        doc,
        ClientSync::new(gather_doc::new_doc(2), || 0).with_pieces(),
        limit,
    )
    .await;
    println!(
        "  {}: synced after {:.1} s; {} pieces, {:.1} MB received; longest silence {:.1} s",
        pieces.ended,
        pieces.synced_after.map_or(f64::NAN, |d| d.as_secs_f64()),
        pieces.pieces,
        pieces.received as f64 / 1e6,
        pieces.longest_silence.as_secs_f64()
    );
    println!("Plain y-websocket client (no pieces), over {kbit} kbit/s, for at most 90 s:");
    let plain = join(
        proxy,
        doc,
        ClientSync::new(gather_doc::new_doc(3), || 0),
        Duration::from_secs(90),
    )
    .await;
    println!(
        "  {} (after {:.1} s); {:.1} MB received; longest silence {:.1} s (y-websocket's client \
         reconnects after 30 s)",
        plain.ended,
        plain.ended_after.as_secs_f64(),
        plain.received as f64 / 1e6,
        plain.longest_silence.as_secs_f64()
    );
    println!(
        "Peak memory of the process (server and clients): {:.0} MB",
        peak_rss_mb()
    );
}
