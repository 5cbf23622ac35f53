//! A large document over a slow link (a loopback proxy throttled to 1 Mbit/s towards the
//! client): a client that asks for pieces (deflated welcome, as the app does) gets the first
//! sync deflated in ordered pieces and can follow its progress, and ends with the whole document on the same connection; a plain client gets
//! it in one message. (`cargo run --release -p sync-server --example slow_link` does the full
//! 20 MB over 1 Mbit/s.)

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text;
use gather_doc::sync::{ClientEvent, ClientSync, PIECE_BYTES};
use support::throttle::throttled_proxy;
use support::{Server, TestClient};
use tokio_tungstenite::tungstenite::Message;

/// Bytes per second towards the client: 1 Mbit/s.
const RATE: u64 = 125_000;

/// Joins `doc` through `addr` and reads until synced; returns the client and its progress.
async fn join(addr: SocketAddr, doc: &str, mut sync: ClientSync) -> (ClientSync, Vec<(u64, u64)>) {
    let url = format!("ws://{addr}/sync/{doc}?token={}", support::ADMIN_TOKEN);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    for frame in sync.hello() {
        ws.send(Message::Binary(frame.into())).await.unwrap();
    }
    let mut loading = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let message = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("not synced in time")
            .expect("connection ended")
            .expect("websocket error");
        let Message::Binary(bytes) = message else {
            continue;
        };
        let (replies, events) = sync.receive(&bytes).expect("server sent garbage");
        for reply in replies {
            ws.send(Message::Binary(reply.into())).await.unwrap();
        }
        for event in &events {
            if let ClientEvent::Loading { received, total } = event {
                loading.push((*received, *total));
            }
        }
        if events.contains(&ClientEvent::Synced) {
            return (sync, loading);
        }
    }
}

fn body_text(sync: &ClientSync) -> usize {
    let doc = sync.doc();
    let body = rich_text::body(doc);
    let txn = yrs::Transact::transact(doc);
    rich_text::read_blocks(&txn, &body)
        .iter()
        .map(|b| b.text().len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_document_arrives_in_pieces_with_progress_over_a_slow_link() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = "big-over-slow-link";
    // About 1 MB of paragraphs, written at full speed. Each carries student numbers, so the
    // first sync, deflated for a client that welcomes it, is still several pieces.
    let mut writer = TestClient::connect_asking_receipts(&server, doc, 1).await;
    writer.synced().await;
    let paragraph =
        "今天全班同学体温正常。Everyone in class 3 reported a normal temperature today. ";
    let mut seed = 5u64;
    let nodes: Vec<rich_text::Node> = (0..900)
        .map(|i| {
            let numbers: String = (0..60)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!(" {:06}", (seed >> 33) % 1_000_000)
                })
                .collect();
            rich_text::Node::element(
                "paragraph",
                vec![rich_text::Node::text(&format!(
                    "{i}: {}{numbers}",
                    paragraph.repeat(10)
                ))],
            )
        })
        .collect();
    writer
        .edit(|d| {
            let body = rich_text::body(d);
            rich_text::write_nodes(&mut yrs::Transact::transact_mut(d), &body, 0, &nodes);
        })
        .await;
    writer.wait_until(|c| c.unsaved() == 0).await;
    let written: usize = nodes.iter().map(|n| n.plain_text().len()).sum();
    assert!(written > 800_000, "{written} bytes of text");

    let proxy = throttled_proxy(server.addr, RATE).await;
    let (reader, loading) = join(
        proxy,
        doc,
        ClientSync::new(gather_doc::new_doc(2), || 0).with_pieces(),
    )
    .await;
    assert_eq!(body_text(&reader), written, "the whole document arrived");
    assert!(loading.len() >= 4, "{} pieces", loading.len());
    assert!(
        loading[0].1 < written as u64 / 2,
        "deflated: {} bytes",
        loading[0].1
    );
    let total = loading[0].1;
    assert!(loading.iter().all(|&(_, t)| t == total), "one message");
    assert!(loading
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[1].0 - w[0].0 <= PIECE_BYTES as u64));
    assert_eq!(loading.last().unwrap().0, total, "progress reaches the end");

    let (plain, loading) = join(proxy, doc, ClientSync::new(gather_doc::new_doc(3), || 0)).await;
    assert_eq!(body_text(&plain), written);
    assert!(loading.is_empty(), "a plain client gets one message");
    server.stop().await;
}
