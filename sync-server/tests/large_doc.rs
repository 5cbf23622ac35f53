//! A large document and plain y-websocket clients, against the real `sync-server` binary:
//! every joiner is sent the whole document in one sync step 2, and the server must not keep
//! a copy of it per connection once it has gone out.
//!
//! (A websocket library that copies each message it sends into a per-connection buffer, and
//! keeps that buffer's size, holds the document once for every reader: 50 readers of a 10 MB
//! document, 500 MB. See BENCHMARKS.md, `big-doc`.)

mod support;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use support::process::ServerProcess;
use support::ADMIN_TOKEN;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::sync::{Message as SyncFrame, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{GetString, ReadTxn, StateVector, Text, Transact};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const DOC: &str = "large";
/// About 4 MB of text.
const DOC_BYTES: usize = 4 * 1024 * 1024;
const READERS: usize = 12;
const WAIT: Duration = Duration::from_secs(30);

async fn connect(addr: &str) -> Socket {
    let url = format!("ws://{addr}/sync/{DOC}?token={ADMIN_TOKEN}");
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

fn step1(sv: StateVector) -> Message {
    Message::Binary(
        SyncFrame::Sync(SyncMessage::SyncStep1(sv))
            .encode_v1()
            .into(),
    )
}

/// Reads until a sync step 2 arrives; returns its update.
async fn step2(ws: &mut Socket) -> Vec<u8> {
    tokio::time::timeout(WAIT, async {
        loop {
            let message = ws.next().await.expect("socket open").expect("a message");
            let Message::Binary(bytes) = message else {
                continue;
            };
            if let Ok(SyncFrame::Sync(SyncMessage::SyncStep2(update))) =
                SyncFrame::decode_v1(&bytes)
            {
                return update;
            }
        }
    })
    .await
    .expect("no sync step 2 in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_of_a_large_document_do_not_each_keep_a_copy_of_it() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(data.path()).await;

    // A writer puts about 4 MB of text in the document, in one update, and asks for the
    // document until the server's answer holds it (stored, then applied).
    let line = "Masks, gloves and thermometers for the district's schools. 口罩 手套 体温计\n";
    let text: String = line.repeat(DOC_BYTES / line.len());
    let writer_doc = yrs::Doc::with_client_id(1);
    let body = writer_doc.get_or_insert_text("t");
    body.insert(&mut writer_doc.transact_mut(), 0, &text);
    let update = writer_doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let mut writer = connect(&server.addr).await;
    let frame = SyncFrame::Sync(SyncMessage::Update(update)).encode_v1();
    writer.send(Message::Binary(frame.into())).await.unwrap();
    tokio::time::timeout(WAIT, async {
        loop {
            writer.send(step1(StateVector::default())).await.unwrap();
            if step2(&mut writer).await.len() >= text.len() {
                break;
            }
        }
    })
    .await
    .expect("the server did not take the document in time");

    // Plain y-websocket readers join one after another, each sent the whole document, and
    // stay connected.
    let mut readers = Vec::new();
    let mut resident_after_first = 0;
    for i in 0..READERS {
        let mut reader = connect(&server.addr).await;
        reader.send(step1(StateVector::default())).await.unwrap();
        let update = step2(&mut reader).await;
        if i == 0 {
            let doc = yrs::Doc::with_client_id(100);
            let got = doc.get_or_insert_text("t");
            doc.transact_mut()
                .apply_update(yrs::Update::decode_v1(&update).unwrap())
                .unwrap();
            assert_eq!(
                got.get_string(&doc.transact()),
                text,
                "the reader got it all"
            );
            resident_after_first = server.resident_bytes();
        } else {
            assert!(update.len() >= text.len(), "reader {i} got it all");
        }
        readers.push(reader);
    }
    let grew = server.resident_bytes().saturating_sub(resident_after_first);
    // Kept per reader, the document would have grown the server by 11 × 4 MB.
    assert!(
        grew < (3 * DOC_BYTES) as u64,
        "the server grew by {} MB for {} more readers of a {} MB document",
        grew / 1_000_000,
        READERS - 1,
        DOC_BYTES / 1_000_000
    );
    server.kill().await;
}
