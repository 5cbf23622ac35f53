//! The preparing client of a scenario with a large document (`big-doc`): it writes the
//! document through the editing layer ([`crate::big_doc`]), in updates of about 1 MiB of text,
//! then asks the server for the whole document (a sync step 1 with an empty state vector) and
//! checks that the answer holds everything it wrote, so the joiners find it complete. It stays
//! connected, idle, until the run ends: Hocuspocus forgets a document when its last
//! connection leaves, and y-websocket and Gather then keep it loaded too, so every server
//! serves the joiners from memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text;
use gather_doc::sync::{decode_frame, encode_step1, encode_update, ClientEvent, ClientSync};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use yrs::sync::SyncMessage;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact};

use crate::big_doc::Composer;
use crate::client::{connect, wall_clock_ms, Socket};
use crate::run::{Phase, RunConfig};

/// Text per update: a large paste, far below the servers' message limits (Gather: 16 MiB).
pub const TEXT_BYTES_PER_UPDATE: usize = 1024 * 1024;

/// How long to wait for the server's answers while preparing.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// A prepared document, as its preparing client wrote it and the server returned it.
pub struct Prepared {
    pub state_vector: StateVector,
    /// The whole document as one v1 update, as the preparing client encodes it.
    pub update_bytes: usize,
    /// The update in the server's sync step 2 to an empty state vector.
    pub server_step2_bytes: usize,
    pub updates: usize,
    pub largest_update_bytes: usize,
    pub blocks: u64,
    /// UTF-16 code units of text.
    pub text_units: u64,
    pub seconds: f64,
}

/// Writes `doc` to about `target_bytes` (its updates' total) and returns what was written with
/// the task that keeps the preparing client connected until `phase` is done.
pub async fn prepare(
    config: Arc<RunConfig>,
    doc_name: String,
    client_id: u64,
    target_bytes: usize,
    phase: watch::Receiver<Phase>,
) -> Result<(Prepared, JoinHandle<()>), String> {
    let started = Instant::now();
    let server = config.server;
    let mut ws = connect(&config, &doc_name).await?;
    let doc = gather_doc::new_doc(client_id);
    let body = rich_text::body(&doc);
    let mut sync = ClientSync::new(doc, wall_clock_ms);

    let mut hello = server.preamble(&doc_name);
    hello.extend(sync.hello().into_iter().map(|f| server.wrap(&doc_name, f)));
    for frame in hello {
        send(&mut ws, frame).await?;
    }
    // The document is new: wait for the server's (empty) sync step 2.
    loop {
        let Some(frame) = next_frame(&mut ws, &config).await? else {
            continue;
        };
        let (replies, events) = sync.receive(&frame).map_err(|e| format!("protocol: {e}"))?;
        for reply in replies {
            send(&mut ws, server.wrap(&doc_name, reply)).await?;
        }
        if events.contains(&ClientEvent::Synced) {
            break;
        }
    }

    let mut composer = Composer::new(client_id);
    let (mut sent, mut updates, mut largest) = (0, 0, 0);
    while sent < target_bytes {
        let text = TEXT_BYTES_PER_UPDATE.min(target_bytes - sent);
        let update = composer.next_update(sync.doc(), &body, text);
        sent += update.len();
        updates += 1;
        largest = largest.max(update.len());
        send(&mut ws, server.wrap(&doc_name, encode_update(update))).await?;
    }
    let (state_vector, update_bytes) = {
        let txn = sync.doc().transact();
        let full = txn.encode_state_as_update_v1(&StateVector::default());
        (txn.state_vector(), full.len())
    };

    // Ask for everything and check the answer covers what we wrote.
    send(
        &mut ws,
        server.wrap(&doc_name, encode_step1(StateVector::default())),
    )
    .await?;
    let server_step2_bytes = loop {
        let Some(frame) = next_frame(&mut ws, &config).await? else {
            continue;
        };
        let messages = decode_frame(&frame).map_err(|e| format!("protocol: {e}"))?;
        let step2 = messages.into_iter().find_map(|m| match m {
            yrs::sync::Message::Sync(SyncMessage::SyncStep2(update)) => Some(update),
            _ => None,
        });
        let Some(step2) = step2 else { continue };
        let held = yrs::Update::decode_v1(&step2)
            .map_err(|e| format!("the server's copy does not decode: {e}"))?
            .state_vector();
        if let Some((client, clock)) = state_vector
            .iter()
            .find(|(client, &clock)| held.get(client) < clock)
        {
            return Err(format!(
                "the server holds client {client} up to clock {} of {clock}",
                held.get(client)
            ));
        }
        break step2.len();
    };

    let prepared = Prepared {
        state_vector,
        update_bytes,
        server_step2_bytes,
        updates,
        largest_update_bytes: largest,
        blocks: composer.blocks(),
        text_units: composer.text_units(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let idle = tokio::spawn(stay_connected(ws, phase));
    Ok((prepared, idle))
}

/// Reads and drops whatever arrives until the run is done, then closes.
async fn stay_connected(mut ws: Socket, mut phase: watch::Receiver<Phase>) {
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(_)) => {}
                _ => return,
            },
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow_and_update() == Phase::Done {
                    break;
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
}

async fn send(ws: &mut Socket, frame: Vec<u8>) -> Result<(), String> {
    ws.send(Message::binary(frame))
        .await
        .map_err(|e| format!("send: {e}"))
}

/// The next y-websocket frame from the server, `None` for messages to skip.
async fn next_frame(ws: &mut Socket, config: &RunConfig) -> Result<Option<Vec<u8>>, String> {
    let message = tokio::time::timeout(ANSWER_TIMEOUT, ws.next())
        .await
        .map_err(|_| "no answer from the server while preparing".to_string())?;
    match message {
        Some(Ok(Message::Binary(bytes))) => config.server.unwrap(bytes.into()),
        Some(Ok(Message::Close(frame))) => Err(format!("closed by server: {frame:?}")),
        Some(Ok(_)) => Ok(None),
        Some(Err(e)) => Err(format!("receive: {e}")),
        None => Err("connection ended".into()),
    }
}
