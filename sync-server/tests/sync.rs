//! Integration tests of the sync server over real websockets on 127.0.0.1 with a real SQLite
//! file: convergence, persistence across a restart, presence relay, and the bad-input rule.

mod support;

use std::time::Duration;

use gather_doc::rich_text::Pos;
use support::{Server, TestClient};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_converge_and_the_document_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut a = TestClient::connect(&server, "plans", 1).await;
    let mut b = TestClient::connect(&server, "plans", 2).await;
    a.synced().await;
    b.synced().await;

    a.type_text(Pos::new(0, 0), "停课不停学 ").await;
    b.wait_for_text("停课不停学 ").await;
    // Concurrent edits at both ends of the paragraph.
    a.type_text(Pos::new(0, 0), "A").await;
    b.type_text(Pos::new(0, 6), "B").await;
    a.wait_for_text("A停课不停学 B").await;
    b.wait_for_text("A停课不停学 B").await;
    drop(a);
    drop(b);
    server.stop().await;

    let server = Server::start(data.path(), None).await;
    let mut c = TestClient::connect(&server, "plans", 3).await;
    c.synced().await;
    // The very first sync after the restart already holds everything: never an empty doc.
    assert_eq!(c.text(), "A停课不停学 B");
    server.stop().await;
}

/// A server that is shutting down tells every connected client so (4503, "server shutting
/// down", which the app shows as a restart and reconnects after), and then stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_shutting_down_tells_every_client_why() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut a = TestClient::connect(&server, "plans", 1).await;
    let mut b = TestClient::connect(&server, "notes", 2).await;
    a.synced().await;
    b.synced().await;
    let stopping = tokio::spawn(server.stop());
    assert_eq!(a.closed_within(Duration::from_secs(5)).await.0, 4503);
    assert_eq!(b.closed_within(Duration::from_secs(5)).await.0, 4503);
    tokio::time::timeout(Duration::from_secs(15), stopping)
        .await
        .expect("the server stops")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_saying_hello_before_the_handshake_is_answered_syncs_and_edits() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut teacher = TestClient::connect(&server, "plans", 1).await;
    teacher.synced().await;
    teacher.type_text(Pos::new(0, 0), "第一课").await;
    // Its first messages arrive with the request itself: the server reads them before the
    // connection has its turn, and must not lose them.
    let mut eager = TestClient::connect_eagerly(&server, "plans", 2).await;
    eager.synced().await;
    eager.wait_for_text("第一课").await;
    eager.type_text(Pos::new(0, 3), " notes").await;
    teacher.wait_for_text("第一课 notes").await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_with_random_edits_converge() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut clients = Vec::new();
    for id in 1..=5 {
        let mut c = TestClient::connect(&server, "storm", id).await;
        c.synced().await;
        clients.push(c);
    }
    let mut seed = 7u64;
    for round in 0..40 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let who = (seed >> 33) as usize % clients.len();
        let len = clients[who].text().encode_utf16().count() as u32;
        let at = (seed >> 40) as u32 % (len + 1);
        clients[who]
            .type_text(Pos::new(0, at), &format!("{round}字"))
            .await;
    }
    let expected_len: usize = (0..40)
        .map(|r| format!("{r}字").encode_utf16().count())
        .sum();
    let reference = {
        let first = &mut clients[0];
        // Clients that typed into the empty document at once each made a first paragraph.
        first
            .wait_until(|c| c.all_text().replace('\n', "").encode_utf16().count() == expected_len)
            .await;
        first.all_text()
    };
    for c in &mut clients[1..] {
        c.wait_until(|c| c.all_text() == reference).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_is_relayed_to_everyone_including_the_sender() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut a = TestClient::connect(&server, "presence", 1).await;
    let mut b = TestClient::connect(&server, "presence", 2).await;
    a.synced().await;
    b.synced().await;
    a.set_presence(r#"{"user":{"name":"Li Wei"}}"#).await;
    // y-websocket clients count on hearing their own renewals, or they drop after 30 s.
    a.wait_until(|c| c.presence_of(1).is_some()).await;
    b.wait_until(|c| c.presence_of(1).is_some()).await;
    // When A leaves, B hears that A is gone.
    drop(a);
    b.wait_until(|c| c.presence_of(1).is_none()).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_closes_only_the_sender_with_our_codes() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), Some(64 * 1024)).await;
    let mut good = TestClient::connect(&server, "shared", 1).await;
    let mut other = TestClient::connect(&server, "shared", 2).await;
    good.synced().await;
    other.synced().await;
    good.type_text(Pos::new(0, 0), "keep me").await;
    other.wait_for_text("keep me").await;

    let cases: Vec<(Message, u16)> = vec![
        // Unknown message type with nothing after it.
        (Message::Binary(vec![0xff, 0xff, 0xff].into()), 4000),
        // A sync update that claims 100 bytes but carries 3 (truncated).
        (Message::Binary(vec![0, 2, 100, 1, 2, 3].into()), 4000),
        // A well-framed update whose content is garbage.
        (Message::Binary(vec![0, 2, 5, 9, 9, 9, 9, 9].into()), 4000),
        // Larger than the limit.
        (Message::Binary(vec![0u8; 65 * 1024].into()), 4002),
        // Text frames are not part of the protocol.
        (Message::Text("hello".into()), 4003),
        // A message type of our own that this server does not accept.
        (Message::Binary(vec![42, 1, 0].into()), 4003),
    ];
    for (message, code) in cases {
        let mut bad = TestClient::connect(&server, "shared", 99).await;
        bad.synced().await;
        let got = bad.send_raw_and_expect_close(message.clone()).await;
        assert_eq!(got, code, "for {message:?}");
    }
    // The others carry on, and nothing stored was harmed.
    good.type_text(Pos::new(0, 7), "!").await;
    other.wait_for_text("keep me!").await;
    server.stop().await;
    let server = Server::start(data.path(), None).await;
    let mut check = TestClient::connect(&server, "shared", 3).await;
    check.synced().await;
    assert_eq!(check.text(), "keep me!");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_document_id_is_refused_and_health_answers() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let url = format!("ws://{}/sync/bad%20id", server.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    let health = support::http_get(server.addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("content-security-policy"), "{health}");
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_asks_hears_when_its_edits_are_durable_and_others_hear_nothing_new() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let mut asking = TestClient::connect_asking_receipts(&server, "receipts", 1).await;
    let mut plain = TestClient::connect(&server, "receipts", 2).await;
    asking.synced().await;
    plain.synced().await;
    for word in ["晨检", "体温", "正常"] {
        asking.type_text(Pos::new(0, 0), word).await;
    }
    assert_eq!(asking.unsaved(), 3);
    asking.wait_until(|c| c.unsaved() == 0).await;
    plain.wait_for_text("正常体温晨检").await;
    // The plain client's own edits go through without receipts and nothing refuses it.
    plain.type_text(Pos::new(0, 0), "!").await;
    asking.wait_for_text("!正常体温晨检").await;
    assert_eq!(plain.unsaved(), 0);
    drop(asking);
    drop(plain);
    server.stop().await;
    // What the receipts confirmed is there after a restart.
    let server = Server::start(data.path(), None).await;
    let mut later = TestClient::connect(&server, "receipts", 3).await;
    later.synced().await;
    assert_eq!(later.text(), "!正常体温晨检");
    server.stop().await;
}

/// Sends `head` (a request without a body) and returns the answer's status and head.
async fn raw_handshake(addr: std::net::SocketAddr, head: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "the server closed without answering");
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer).to_lowercase();
    (text[9..12].parse().unwrap(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_are_not_websocket_handshakes_are_refused_and_harm_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let path = format!("/sync/plans?token={}", support::ADMIN_TOKEN);
    let host = server.addr;
    let upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\n";
    let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let refused = [
        (format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"), 426),
        (
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{upgrade}{key}Sec-WebSocket-Version: 8\r\n\r\n"),
            400,
        ),
        (
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{upgrade}Sec-WebSocket-Version: 13\r\n\r\n"),
            400,
        ),
        (
            format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n{upgrade}{key}Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"),
            405,
        ),
    ];
    for (request, status) in refused {
        assert_eq!(raw_handshake(host, &request).await.0, status, "{request}");
    }
    // A real handshake, written by hand: the key of RFC 6455's example gets its answer.
    let (status, head) = raw_handshake(
        host,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive, Upgrade\r\n\
             Upgrade: websocket\r\n{key}Sec-WebSocket-Version: 13\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 101);
    assert!(
        head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    // And the document is there for a client, as before.
    let mut a = TestClient::connect(&server, "plans", 1).await;
    a.synced().await;
    a.type_text(Pos::new(0, 0), "still here").await;
    a.wait_for_text("still here").await;
    server.stop().await;
}
