//! Interoperability with an unmodified JavaScript client: Yjs and y-websocket's
//! `WebsocketProvider` (from npm, installed by the README's test command) sync with the server,
//! exchange y-prosemirror-shaped content with a Rust client, and stay connected while idle
//! (y-websocket drops a connection that hears nothing for 30 s).

mod support;

use std::process::Stdio;
use std::time::Duration;

use gather_doc::rich_text::{self, Mark, Pos};
use support::{Server, TestClient};
use tokio::io::{AsyncBufReadExt, BufReader};

/// Seconds the JavaScript client sits idle: longer than y-websocket's 30-second timeout.
const IDLE_SECONDS: u32 = 35;

type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// The next JSON event the JavaScript client printed.
async fn next_event(lines: &mut Lines) -> serde_json::Value {
    let wait = Duration::from_secs(IDLE_SECONDS as u64 + 20);
    let line = tokio::time::timeout(wait, lines.next_line())
        .await
        .expect("node client said nothing")
        .unwrap()
        .expect("node client ended");
    serde_json::from_str(&line).expect("json line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_y_websocket_client_syncs_and_stays_connected_while_idle() {
    let interop = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop");
    assert!(
        interop.join("node_modules/y-websocket").exists(),
        "npm packages missing in tests/interop: run the README's test command"
    );
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut node = tokio::process::Command::new("node")
        .arg("yjs-client.mjs")
        .arg(format!("ws://{}/sync", server.addr))
        .arg("interop-doc")
        .arg(IDLE_SECONDS.to_string())
        .arg(support::ADMIN_TOKEN)
        .current_dir(&interop)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node");
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    assert_eq!(next_event(&mut lines).await["event"], "synced");
    assert_eq!(next_event(&mut lines).await["event"], "wrote");

    // The Rust client reads what Yjs wrote, as the editor would show it.
    let mut rust = TestClient::connect(&server, "interop-doc", 77).await;
    rust.synced().await;
    rust.wait_for_text("from yjs").await;
    let blocks = rust.blocks();
    assert_eq!(blocks[0].kind, rich_text::BlockKind::Paragraph);
    assert!(
        blocks[0].marks_at(8).has(Mark::Bold),
        "yjs bold mark read: {blocks:?}"
    );
    rust.type_text(Pos::new(0, 8), " + rust").await;

    let received = next_event(&mut lines).await;
    assert_eq!(received["event"], "received");
    // The Rust client typed with no marks, so Yjs sees the bold run end where it did.
    assert_eq!(
        received["xml"],
        "<paragraph>from <bold>yjs</bold> + rust</paragraph>"
    );
    let idle = next_event(&mut lines).await;
    assert_eq!(idle["event"], "idle", "{idle}");
    assert_eq!(idle["disconnects"], 0);
    assert_eq!(next_event(&mut lines).await["event"], "done");
    assert!(node.wait().await.unwrap().success());
    server.stop().await;
}
