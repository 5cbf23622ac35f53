//! Crash test: the real `sync-server` binary on a SQLite folder, with several clients writing
//! to one document as fast as their receipts let them, is killed with SIGKILL at a random
//! moment, several times over, and restarted on the same data. After each restart, before any
//! writer reconnects, every update the server had confirmed by a durable receipt, and every
//! update it had relayed to another client, must be in the document. At the end the writers
//! reconnect, hand over what they kept, and everyone converges on the same document holding
//! every edit ever made.
//!
//! The moment of each kill is a number of confirmed edits drawn from a seeded generator; the
//! seed is printed, and `GATHER_CRASH_SEED=<seed>` repeats a run.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gather_doc::rich_text::{self, Marks, Pos};
use gather_doc::sync::{ClientEvent, ClientSync};
use support::process::ServerProcess;
use support::ADMIN_TOKEN;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use yrs::{ReadTxn, Transact};

const DOC: &str = "crash";
const WRITERS: u64 = 3;
const ROUNDS: usize = 6;
/// Edits a writer may have unconfirmed before it waits for a receipt.
const WINDOW: usize = 4;
/// Longest wait for anything the test expects to happen.
const WAIT: Duration = Duration::from_secs(20);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// splitmix64: small, seedable, good enough to pick moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }
}

/// One writer: a document replica kept across connections, like a browser tab.
struct Writer {
    id: u64,
    sync: ClientSync,
    /// The markers of every edit it made, in order.
    made: Vec<String>,
    ws: Option<Socket>,
    synced: bool,
}

impl Writer {
    fn new(id: u64) -> Writer {
        Writer {
            id,
            sync: ClientSync::new(gather_doc::new_doc(id), || 0).with_receipts(),
            made: Vec::new(),
            ws: None,
            synced: false,
        }
    }

    async fn connect(&mut self, addr: &str) {
        let url = format!("ws://{addr}/sync/{DOC}?token={ADMIN_TOKEN}");
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        for frame in self.sync.hello() {
            ws.send(Message::Binary(frame.into())).await.unwrap();
        }
        self.ws = Some(ws);
        self.synced = false;
    }

    /// The edits the server confirmed as durable. The unconfirmed ones are always the last
    /// `unsaved()`: a writer edits only once synced, so the messages carrying its edits (its
    /// step 2 first, then one update each) go out in the order the edits were made.
    fn confirmed(&self) -> &[String] {
        &self.made[..self.made.len() - self.sync.unsaved()]
    }

    /// Inserts a new marker at the start of the document and sends it if connected.
    async fn edit(&mut self) -> bool {
        let marker = format!("[{}.{}]", self.id, self.made.len());
        let doc = self.sync.doc().clone();
        let body = rich_text::body(&doc);
        let before = doc.transact().state_vector();
        {
            let mut txn = doc.transact_mut();
            rich_text::insert_text(&mut txn, &body, Pos::new(0, 0), &marker, Marks::default());
        }
        let update = doc.transact().encode_state_as_update_v1(&before);
        self.made.push(marker);
        let frame = self.sync.local_edit(update).expect("connected");
        self.send(frame).await
    }

    async fn send(&mut self, frame: Vec<u8>) -> bool {
        let ws = self.ws.as_mut().unwrap();
        ws.send(Message::Binary(frame.into())).await.is_ok()
    }

    /// Handles the next frame from the server; false when the connection is gone.
    async fn pump(&mut self) -> bool {
        let ws = self.ws.as_mut().unwrap();
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .unwrap_or_else(|_| panic!("writer {} heard nothing in time", self.id));
        let Some(Ok(Message::Binary(bytes))) = message else {
            return matches!(message, Some(Ok(Message::Ping(_) | Message::Pong(_))));
        };
        let (replies, events) = self.sync.receive(&bytes).expect("server sent garbage");
        self.synced |= events.contains(&ClientEvent::Synced);
        for reply in replies {
            if !self.send(reply).await {
                return false;
            }
        }
        true
    }

    fn disconnected(&mut self) {
        self.ws = None;
        self.sync.disconnected();
    }

    fn markers(&self) -> BTreeSet<String> {
        markers(&text_of(self.sync.doc()))
    }
}

/// Every block's text, one line each.
fn text_of(doc: &yrs::Doc) -> String {
    let body = rich_text::body(doc);
    let txn = doc.transact();
    let blocks = rich_text::read_blocks(&txn, &body);
    blocks
        .iter()
        .map(|b| b.text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn markers(text: &str) -> BTreeSet<String> {
    text.split('[')
        .skip(1)
        .map(|rest| format!("[{}]", rest.split(']').next().unwrap()))
        .collect()
}

/// Writes continuously (at most [`WINDOW`] edits unconfirmed) until the server dies; adds each
/// newly confirmed edit to `progress`.
async fn write_until_the_server_dies(mut w: Writer, progress: watch::Sender<usize>) -> Writer {
    loop {
        if w.synced && w.sync.unsaved() < WINDOW {
            if !w.edit().await {
                break;
            }
            continue;
        }
        let before = w.confirmed().len();
        if !w.pump().await {
            break;
        }
        let now = w.confirmed().len();
        if now > before {
            progress.send_modify(|n| *n += now - before);
        }
    }
    w.disconnected();
    w
}

/// What a fresh client sees of the document once synced: the server's stored state.
async fn stored_text(addr: &str) -> String {
    let mut checker = Writer::new(999);
    checker.connect(addr).await;
    while !checker.synced {
        assert!(checker.pump().await, "the checker's connection ended");
    }
    text_of(checker.sync.doc())
}

fn assert_all_present(text: &str, must_survive: &BTreeSet<String>, when: &str) {
    let present = markers(text);
    let lost: Vec<_> = must_survive.difference(&present).collect();
    assert!(
        lost.is_empty(),
        "{when}: {} confirmed or relayed edits lost: {lost:?}",
        lost.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_confirmed_or_relayed_is_lost_when_the_server_is_killed() {
    let seed = std::env::var("GATHER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test seed {seed} (GATHER_CRASH_SEED={seed} repeats it)");
    let mut rng = Rng(seed);
    let data = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();

    let mut writers: Vec<Writer> = (1..=WRITERS).map(Writer::new).collect();
    let mut must_survive = BTreeSet::new();
    let (progress, mut confirmed) = watch::channel(0usize);
    for round in 0..ROUNDS {
        let server = ServerProcess::start(data.path()).await;
        // Before anyone who kept edits reconnects: the disk alone must hold what was promised.
        assert_all_present(
            &stored_text(&server.addr).await,
            &must_survive,
            &format!("after restart {round}"),
        );
        let mut tasks = Vec::new();
        for mut w in writers.drain(..) {
            w.connect(&server.addr).await;
            tasks.push(tokio::spawn(write_until_the_server_dies(
                w,
                progress.clone(),
            )));
        }
        let kill_at = *confirmed.borrow() + rng.between(10, 150);
        tokio::time::timeout(WAIT, confirmed.wait_for(|n| *n >= kill_at))
            .await
            .expect("writers made too little progress")
            .unwrap();
        server.kill().await;
        for task in tasks {
            writers.push(tokio::time::timeout(WAIT, task).await.unwrap().unwrap());
        }
        let confirmed_now: BTreeSet<String> = writers
            .iter()
            .flat_map(|w| w.confirmed().to_vec())
            .collect();
        let mut relayed = BTreeSet::new();
        for w in &writers {
            let own = format!("[{}.", w.id);
            relayed.extend(w.markers().into_iter().filter(|m| !m.starts_with(&own)));
        }
        let relayed_only = relayed.difference(&confirmed_now).count();
        must_survive.extend(confirmed_now);
        must_survive.extend(relayed);
        let made: usize = writers.iter().map(|w| w.made.len()).sum();
        let unsaved: usize = writers.iter().map(|w| w.sync.unsaved()).sum();
        eprintln!(
            "round {round}: killed after {kill_at} confirmed; {made} edits made, {unsaved} \
             unconfirmed, {} must survive ({relayed_only} relayed, not yet confirmed)",
            must_survive.len()
        );
    }

    // The last restart: what was promised is there; then the writers hand over what they kept.
    let server = ServerProcess::start(data.path()).await;
    let stored = stored_text(&server.addr).await;
    assert_all_present(&stored, &must_survive, "after the last restart");
    let kept_by_clients = markers(&stored).len();
    for w in &mut writers {
        w.connect(&server.addr).await;
    }
    for w in &mut writers {
        while !(w.synced && w.sync.unsaved() == 0) {
            assert!(w.pump().await, "writer {} lost the connection", w.id);
        }
    }
    let everything = stored_text(&server.addr).await;
    let made: BTreeSet<String> = writers.iter().flat_map(|w| w.made.clone()).collect();
    assert_eq!(markers(&everything), made, "every edit ever made is stored");
    for w in &mut writers {
        while text_of(w.sync.doc()) != everything {
            assert!(w.pump().await, "writer {} lost the connection", w.id);
        }
    }
    eprintln!(
        "{} edits in all, {} of them on the server's disk before the writers came back, \
         {} confirmed or relayed; {:.1} s",
        made.len(),
        kept_by_clients,
        must_survive.len(),
        started.elapsed().as_secs_f64()
    );
    server.kill().await;
}
