//! Connection storms over real websockets on 127.0.0.1 and a real SQLite file: many clients
//! reconnecting at the same instant after a restart all end up synced with the stored content,
//! and a server past its (deliberately tiny) capacity turns the excess away with a "busy"
//! close and a retry hint, and lets them in when they come back.

mod support;

use std::sync::Arc;
use std::time::Duration;

use gather_doc::close_code::retry_after_secs;
use gather_doc::rich_text::Pos;
use gather_doc::CloseCode;
use support::{Config, Outcome, Server, TestClient};
use tokio::sync::{mpsc, Barrier};

/// Documents and clients of the restart storm: 1,000 clients, 10 per document.
const DOCS: usize = 100;
const CLIENTS_PER_DOC: usize = 10;

fn doc_name(i: usize) -> String {
    format!("storm-{i}")
}

fn content(i: usize) -> String {
    format!("第 {i} 课的笔记 — notes of lesson {i}")
}

/// Writes `text` into `doc` and waits until the server has confirmed it as durable.
async fn store(server: &Server, doc: &str, text: &str, client_id: u64) {
    let mut author = TestClient::connect_asking_receipts(server, doc, client_id).await;
    author.synced().await;
    author.type_text(Pos::new(0, 0), text).await;
    author.wait_until(|c| c.unsaved() == 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_reconnecting_at_once_after_a_restart_all_sync() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut authors = tokio::task::JoinSet::new();
    let addr = Arc::new(server);
    for i in 0..DOCS {
        let server = addr.clone();
        authors.spawn(async move { store(&server, &doc_name(i), &content(i), i as u64 + 1).await });
    }
    while let Some(done) = authors.join_next().await {
        done.unwrap();
    }
    let Ok(server) = Arc::try_unwrap(addr) else {
        panic!("authors still hold the server")
    };
    server.stop().await;

    // A fresh server with the default limits over the same data, and every client at once.
    let server = Arc::new(Server::start(data.path(), None).await);
    let total = DOCS * CLIENTS_PER_DOC;
    let start = Arc::new(Barrier::new(total));
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..total {
        let (server, start) = (server.clone(), start.clone());
        clients.spawn(async move {
            let doc = n % DOCS;
            start.wait().await;
            let mut client = TestClient::connect(&server, &doc_name(doc), 10_000 + n as u64).await;
            let outcome = client.synced_or_closed(Duration::from_secs(60)).await;
            (doc, outcome, client)
        });
    }
    let mut synced = Vec::new();
    while let Some(done) = clients.join_next().await {
        let (doc, outcome, client) = done.unwrap();
        assert_eq!(outcome, Outcome::Synced, "client of document {doc}");
        // Already the first sync holds the stored content.
        assert_eq!(client.text(), content(doc));
        synced.push(client);
    }
    assert_eq!(synced.len(), total);
    drop(synced);
    Arc::try_unwrap(server).ok().unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_capacity_the_server_says_busy_with_a_hint_and_admits_the_retries() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf(), data.path().join("no-assets"));
    config.max_handshakes = 1;
    config.max_waiting_handshakes = 2;
    config.busy_retry_secs = 1;
    let server = Arc::new(Server::start_with(config).await);
    store(&server, "crowded", "full room", 1).await;

    // A client that says nothing keeps the only handshake slot once the room greeted it.
    let mut silent = TestClient::connect_silently(&server, "crowded", 2).await;
    let greeting = silent.next_raw().await;
    assert!(greeting.is_binary(), "{greeting:?}");

    // Six more arrive: two may wait, four are turned away at once.
    let (tx, mut outcomes) = mpsc::unbounded_channel();
    for n in 0..6u64 {
        let (server, tx) = (server.clone(), tx.clone());
        tokio::spawn(async move {
            let mut client = TestClient::connect(&server, "crowded", 10 + n).await;
            let outcome = client.synced_or_closed(Duration::from_secs(30)).await;
            let _ = tx.send((n, outcome, client));
        });
    }
    let mut turned_away = Vec::new();
    for _ in 0..4 {
        let (n, outcome, _) = tokio::time::timeout(Duration::from_secs(10), outcomes.recv())
            .await
            .expect("four busy closes in time")
            .unwrap();
        let Outcome::Closed(code, reason) = outcome else {
            panic!("client {n} synced while the slot was taken");
        };
        assert_eq!(
            CloseCode::from_code(code),
            Some(CloseCode::Busy),
            "{reason}"
        );
        assert_eq!(retry_after_secs(&reason), Some(1), "{reason}");
        turned_away.push((10 + n, reason));
    }
    // The waiting two get in once the silent client speaks and its handshake is done.
    silent.hello().await;
    assert_eq!(
        silent.synced_or_closed(Duration::from_secs(10)).await,
        Outcome::Synced
    );
    for _ in 0..2 {
        let (n, outcome, client) = tokio::time::timeout(Duration::from_secs(10), outcomes.recv())
            .await
            .expect("the waiting clients sync")
            .unwrap();
        assert_eq!(outcome, Outcome::Synced, "client {n}");
        assert_eq!(client.text(), "full room");
    }

    // The turned-away come back no sooner than the hint said (plus jitter), as the app does,
    // and get in.
    let mut retries = tokio::task::JoinSet::new();
    for (id, reason) in turned_away {
        let server = server.clone();
        retries.spawn(async move {
            let mut hint = retry_after_secs(&reason);
            for attempt in 1..=5 {
                let wait = gather_doc::reconnect::reconnect_delay_ms(attempt, hint, 0.5);
                tokio::time::sleep(Duration::from_millis(u64::from(wait))).await;
                let mut client = TestClient::connect(&server, "crowded", id).await;
                match client.synced_or_closed(Duration::from_secs(30)).await {
                    Outcome::Synced => return client.text(),
                    Outcome::Closed(4509, reason) => hint = retry_after_secs(&reason),
                    other => panic!("client {id}: {other:?}"),
                }
            }
            panic!("client {id} never got in");
        });
    }
    while let Some(text) = retries.join_next().await {
        assert_eq!(text.unwrap(), "full room");
    }
    drop(silent);
    Arc::try_unwrap(server).ok().unwrap().stop().await;
}
