//! Test support: a real server on port 0 and a protocol client over a real websocket.
#![allow(dead_code)] // Each test file uses a different part.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text::{self, Marks, Pos};
use gather_doc::sync::ClientSync;
pub use sync_server::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::{ReadTxn, Transact};

pub mod forms;
pub mod process;
pub mod throttle;

const WAIT: Duration = Duration::from_secs(10);

/// The admin token [`Config::for_tests`] sets.
pub const ADMIN_TOKEN: &str = "test-admin-token";

pub struct Server {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    pub async fn start(data: &Path, max_message_bytes: Option<usize>) -> Server {
        let mut config = Config::for_tests(data.to_path_buf(), data.join("no-assets"));
        if let Some(limit) = max_message_bytes {
            config.max_message_bytes = limit;
        }
        Server::start_with(config).await
    }

    /// A server with a configuration of the test's own (see [`Config::for_tests`]).
    pub async fn start_with(config: Config) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(sync_server::serve_on(listener, config, async {
            let _ = stopped.await;
        }));
        Server { addr, stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

pub struct TestClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    sync: ClientSync,
    is_synced: bool,
    /// How many times the server said this client's edits were refused.
    pub edits_refused: usize,
}

impl TestClient {
    /// Connects with the operator's admin token (which creates the document).
    pub async fn connect(server: &Server, doc: &str, client_id: u64) -> TestClient {
        TestClient::connect_with(server, doc, ADMIN_TOKEN, client_id).await
    }

    /// Connects with a share link's token.
    pub async fn connect_with(
        server: &Server,
        doc: &str,
        token: &str,
        client_id: u64,
    ) -> TestClient {
        TestClient::connect_as(
            server,
            doc,
            token,
            ClientSync::new(gather_doc::new_doc(client_id), || 0),
        )
        .await
    }

    /// Connects with the admin token as a client that asks for durable receipts.
    pub async fn connect_asking_receipts(server: &Server, doc: &str, client_id: u64) -> TestClient {
        let sync = ClientSync::new(gather_doc::new_doc(client_id), || 0).with_receipts();
        TestClient::connect_as(server, doc, ADMIN_TOKEN, sync).await
    }

    async fn connect_as(
        server: &Server,
        doc: &str,
        token: &str,
        mut sync: ClientSync,
    ) -> TestClient {
        let url = format!("ws://{}/sync/{doc}?token={token}", server.addr);
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        for frame in sync.hello() {
            // A refused connection may already be closing; the close frame tells why.
            let _ = ws.send(Message::Binary(frame.into())).await;
        }
        TestClient::over(ws, sync)
    }

    /// Connects with the admin token as an impatient client: its hello travels in the same
    /// write as the handshake request, before the server has answered it.
    pub async fn connect_eagerly(server: &Server, doc: &str, client_id: u64) -> TestClient {
        let mut sync = ClientSync::new(gather_doc::new_doc(client_id), || 0);
        let mut bytes = format!(
            "GET /sync/{doc}?token={ADMIN_TOKEN} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n",
            server.addr
        )
        .into_bytes();
        for frame in sync.hello() {
            bytes.extend(masked_binary_frame(&frame));
        }
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream.write_all(&bytes).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(stream.read_u8().await.unwrap());
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        let ws = WebSocketStream::from_raw_socket(
            MaybeTlsStream::Plain(stream),
            tokio_tungstenite::tungstenite::protocol::Role::Client,
            None,
        )
        .await;
        TestClient::over(ws, sync)
    }

    /// A client speaking through `ws`, not yet synced.
    fn over(ws: WebSocketStream<MaybeTlsStream<TcpStream>>, sync: ClientSync) -> TestClient {
        TestClient {
            ws,
            sync,
            is_synced: false,
            edits_refused: 0,
        }
    }

    /// Reads and handles frames until `done` holds, failing after a timeout.
    pub async fn wait_until(&mut self, mut done: impl FnMut(&TestClient) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(self) {
            let message = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("condition not reached in time")
                .expect("connection ended")
                .expect("websocket error");
            if let Message::Binary(bytes) = message {
                let (replies, events) = self.sync.receive(&bytes).expect("server sent garbage");
                if events.contains(&gather_doc::sync::ClientEvent::Synced) {
                    self.is_synced = true;
                }
                self.edits_refused += events
                    .iter()
                    .filter(|e| **e == gather_doc::sync::ClientEvent::EditsRefused)
                    .count();
                for reply in replies {
                    self.ws.send(Message::Binary(reply.into())).await.unwrap();
                }
            }
        }
    }

    pub async fn synced(&mut self) {
        self.wait_until(|c| c.is_synced).await;
    }

    pub async fn wait_for_text(&mut self, text: &str) {
        self.wait_until(|c| c.text() == text).await;
    }

    /// How many of this client's edits the server has not confirmed as durable.
    pub fn unsaved(&self) -> usize {
        self.sync.unsaved()
    }

    /// The text of the first paragraph.
    pub fn text(&self) -> String {
        let doc = self.sync.doc();
        let body = rich_text::body(doc);
        let txn = doc.transact();
        rich_text::read_blocks(&txn, &body)
            .first()
            .map(|b| b.text())
            .unwrap_or_default()
    }

    /// Every block as the editor reads it.
    pub fn blocks(&self) -> Vec<rich_text::Block> {
        let doc = self.sync.doc();
        let body = rich_text::body(doc);
        let txn = doc.transact();
        rich_text::read_blocks(&txn, &body)
    }

    /// The text of every block, one line each.
    pub fn all_text(&self) -> String {
        let doc = self.sync.doc();
        let body = rich_text::body(doc);
        let txn = doc.transact();
        let blocks = rich_text::read_blocks(&txn, &body);
        blocks
            .iter()
            .map(|b| b.text())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub async fn type_text(&mut self, pos: Pos, text: &str) {
        let doc = self.sync.doc();
        let body = rich_text::body(doc);
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            rich_text::insert_text(&mut txn, &body, pos, text, Marks::default());
        }
        let update = doc.transact().encode_state_as_update_v1(&before);
        self.send_edit(update).await;
    }

    /// Hands a local update to the protocol (which counts it) and sends it.
    async fn send_edit(&mut self, update: Vec<u8>) {
        if let Some(frame) = self.sync.local_edit(update) {
            self.ws.send(Message::Binary(frame.into())).await.unwrap();
        }
    }

    /// Makes a local change with `change` and sends it as one update.
    #[allow(dead_code)]
    pub async fn edit(&mut self, change: impl FnOnce(&yrs::Doc)) {
        let doc = self.sync.doc();
        let before = doc.transact().state_vector();
        change(doc);
        let update = doc.transact().encode_state_as_update_v1(&before);
        self.send_edit(update).await;
    }

    pub async fn set_presence(&mut self, json: &str) {
        self.sync.awareness_mut().set_local_state_raw(json);
        let frame = self.sync.presence_frame().unwrap();
        self.ws.send(Message::Binary(frame.into())).await.unwrap();
    }

    pub fn presence_of(&self, client_id: u64) -> Option<String> {
        let id = yrs::block::ClientID::new(client_id);
        self.sync
            .awareness()
            .iter()
            .find(|(c, state)| *c == id && state.data.is_some())
            .map(|(_, state)| state.data.unwrap().to_string())
    }

    /// Sends `message` and returns the close code the server answers with.
    pub async fn send_raw_and_expect_close(&mut self, message: Message) -> u16 {
        let _ = self.ws.send(message).await;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(Some(frame))))) => return u16::from(frame.code),
                Ok(Some(Ok(Message::Close(None)))) | Ok(None) => {
                    return u16::from(WsCloseCode::Status)
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => panic!("websocket error instead of a close frame: {e}"),
                Err(_) => panic!("no close frame in time"),
            }
        }
    }
}

/// What a connection came to: synced with the server, or closed by it.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Synced,
    /// The close code and reason.
    Closed(u16, String),
}

impl TestClient {
    /// Connects with the admin token without saying anything: the server greets it, and it
    /// holds its handshake slot until [`TestClient::hello`].
    pub async fn connect_silently(server: &Server, doc: &str, client_id: u64) -> TestClient {
        let url = format!("ws://{}/sync/{doc}?token={ADMIN_TOKEN}", server.addr);
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        TestClient::over(ws, ClientSync::new(gather_doc::new_doc(client_id), || 0))
    }

    /// Sends the client's opening messages (sync step 1, presence).
    pub async fn hello(&mut self) {
        for frame in self.sync.hello() {
            self.ws.send(Message::Binary(frame.into())).await.unwrap();
        }
    }

    /// The next message from the server, unhandled.
    pub async fn next_raw(&mut self) -> Message {
        tokio::time::timeout(WAIT, self.ws.next())
            .await
            .expect("no message in time")
            .expect("connection ended")
            .expect("websocket error")
    }

    /// Handles frames until the client is synced or the server closes the connection.
    pub async fn synced_or_closed(&mut self, within: Duration) -> Outcome {
        let deadline = tokio::time::Instant::now() + within;
        while !self.is_synced {
            let message = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("neither synced nor closed in time");
            match message {
                Some(Ok(Message::Binary(bytes))) => {
                    let (replies, events) = self.sync.receive(&bytes).expect("server sent garbage");
                    if events.contains(&gather_doc::sync::ClientEvent::Synced) {
                        self.is_synced = true;
                    }
                    for reply in replies {
                        let _ = self.ws.send(Message::Binary(reply.into())).await;
                    }
                }
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Outcome::Closed(u16::from(frame.code), frame.reason.to_string())
                }
                Some(Ok(Message::Close(None))) | None => {
                    return Outcome::Closed(1005, String::new())
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocket error instead of a close frame: {e}"),
            }
        }
        Outcome::Synced
    }

    /// Waits for the server's close frame (within `within`) and returns its code and how many
    /// binary frames arrived before it.
    pub async fn closed_within(&mut self, within: Duration) -> (u16, usize) {
        let deadline = tokio::time::Instant::now() + within;
        let mut frames = 0;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(Some(frame))))) => {
                    return (u16::from(frame.code), frames)
                }
                Ok(Some(Ok(Message::Close(None)))) | Ok(None) => return (1005, frames),
                Ok(Some(Ok(Message::Binary(_)))) => frames += 1,
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(e))) => panic!("websocket error instead of a close frame: {e}"),
                Err(_) => panic!("not closed within {within:?}"),
            }
        }
    }
}

/// An HTTP/1.1 request with an optional bearer token and JSON body; returns the status and the
/// body parsed as JSON (`null` when empty).
/// Creates a document over the API; its id and owner token.
pub async fn create_doc(server: &Server, title: &str) -> (String, String) {
    let (status, body) = http_json(
        server.addr,
        "POST",
        "/api/docs",
        None,
        Some(serde_json::json!({ "title": title })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["owner_token"].as_str().unwrap().to_owned(),
    )
}

/// A new share link of `role` (labelled with it) to `doc`; its token.
pub async fn share_link(server: &Server, doc: &str, owner: &str, role: &str) -> String {
    let path = format!("/api/docs/{doc}/links");
    let body = serde_json::json!({ "role": role, "label": role });
    let (status, body) = http_json(server.addr, "POST", &path, Some(owner), Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

pub async fn http_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (head, rest) = response.split_once("\r\n\r\n").unwrap();
    let rest = if head.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    let json = if rest.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&rest).unwrap_or_else(|e| panic!("{e}: {rest}"))
    };
    (status, json)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// An HTTP/1.1 request with a bearer token; returns the status, the lower-cased head and the
/// body as text.
#[allow(dead_code)]
pub async fn http_text(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (head, rest) = response.split_once("\r\n\r\n").unwrap();
    let head = head.to_lowercase();
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    (status, head, body)
}

/// A GET with a bearer token; the status and the body's bytes (the body must not be chunked).
#[allow(dead_code)]
pub async fn http_bytes(addr: SocketAddr, path: &str, token: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let status = std::str::from_utf8(&response[9..12])
        .unwrap()
        .parse()
        .unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let mut body = response[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line + 2..line + 2 + size]);
            rest = &rest[line + 2 + size + 2..];
        }
        body = out;
    }
    (status, body)
}

/// A client's binary websocket frame (masked, as RFC 6455 wants from clients).
fn masked_binary_frame(payload: &[u8]) -> Vec<u8> {
    use tokio_tungstenite::tungstenite::protocol::frame::{coding, Frame};
    let binary = coding::OpCode::Data(coding::Data::Binary);
    let mut frame = Frame::message(payload.to_vec(), binary, true);
    frame.header_mut().mask = Some([0x37, 0xfa, 0x21, 0x3d]);
    let mut bytes = Vec::new();
    frame.format(&mut bytes).unwrap();
    bytes
}

/// A minimal HTTP/1.1 GET, returning the raw response with lower-cased header names.
pub async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.to_lowercase().replacen("http/1.1", "HTTP/1.1", 1)
}

/// A GET accepting `encoding` (`Accept-Encoding`): the lower-cased head and the raw body.
pub async fn http_get_encoded(addr: SocketAddr, path: &str, encoding: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    (head, response[split + 4..].to_vec())
}

/// An HTTP/1.1 request with a bearer token and a raw body of `content_type`; returns the status,
/// the lower-cased head and the body's bytes (the body must not be chunked).
pub async fn http_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (413) before reading a body it refuses.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let status = std::str::from_utf8(&response[9..12])
        .unwrap()
        .parse()
        .unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    (status, head, response[split + 4..].to_vec())
}
