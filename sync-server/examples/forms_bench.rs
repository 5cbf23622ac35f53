//! Measures the form paths a school district leans on at 9:00: submissions per second (each one
//! durable on disk before its receipt) and exporting 100,000 responses as CSV and XLSX, with
//! the server's peak memory. Run: `cargo run --release -p sync-server --example forms_bench`
//! (`-- --responses N --submissions M` to change the sizes). Numbers go to BENCHMARKS.md.

use std::net::SocketAddr;
use std::time::Instant;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let status = std::str::from_utf8(&response[9..12])
        .unwrap()
        .parse()
        .unwrap();
    (status, response)
}

/// GETs `path` and counts the bytes without keeping them (the client shares this process's
/// memory with the server).
async fn download_len(addr: SocketAddr, path: &str, token: &str) -> (u16, usize) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let (mut total, mut status) = (0, 0);
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            return (status, total);
        }
        if total == 0 {
            status = std::str::from_utf8(&buf[9..12]).unwrap().parse().unwrap();
        }
        total += n;
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn answers(i: usize) -> Value {
    json!({
        "name": format!("学生{i}"), "student_id": format!("2020{i:06}"), "class": format!("{}年{}班", i % 6 + 1, i % 9 + 1),
        "temperature": 36.0 + (i % 15) as f64 / 10.0, "symptoms": if i.is_multiple_of(20) { json!(["cough"]) } else { json!(["none"]) },
        "district": {"province": "湖北省", "city": "武汉市", "district": "武昌区"}, "contact": false,
        "notes": "今日在家上网课，一切正常。"
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let responses = arg("--responses", 100_000);
    let submissions = arg("--submissions", 2_000);
    let data = tempfile::tempdir().unwrap();
    let mut config =
        sync_server::config::Config::for_tests(data.path().into(), data.path().join("no-assets"));
    config.admin_token = Some("bench".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sync_server::serve_on(
        listener,
        config,
        std::future::pending(),
    ));
    while TcpStream::connect(addr).await.is_err() {
        tokio::task::yield_now().await;
    }
    let (_, created) = request(
        addr,
        "POST",
        "/api/docs",
        "",
        r#"{"template":"health-checkin"}"#,
    )
    .await;
    let body = String::from_utf8_lossy(&created);
    let created: Value = serde_json::from_str(body.split_once("\r\n\r\n").unwrap().1).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let token = created["owner_token"].as_str().unwrap().to_owned();

    // Submissions: 16 clients at once, each response durable before its 201.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..16 {
        let (id, token) = (id.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            for n in (client..submissions).step_by(16) {
                let body = json!({"submission_id": format!("bench-submission-{n:08}"), "answers": answers(n)}).to_string();
                let (status, _) = request(addr, "POST", &format!("/api/forms/{id}/responses"), &token, &body).await;
                assert_eq!(status, 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("submissions: {submissions} in {elapsed:.2} s = {:.0}/s (16 concurrent clients, fsync each)", submissions as f64 / elapsed);

    // Fill up to `responses` rows straight into the table (fast, unsynced), then export.
    {
        let conn = rusqlite::Connection::open(data.path().join("gather.sqlite3")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        conn.pragma_update(None, "synchronous", "OFF").unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        {
            let mut stmt = tx
                .prepare("INSERT INTO responses (doc, submission_id, receipt, submitted_at, updated_at, via, answers) VALUES (?1, ?2, ?3, ?4, ?4, 'bench', ?5)")
                .unwrap();
            for n in submissions..responses {
                let at = 1_580_691_600_000i64 + n as i64 * 1000;
                stmt.execute(rusqlite::params![
                    id,
                    format!("bulk-{n:08}"),
                    format!("B{n:07}"),
                    at,
                    answers(n).to_string()
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let rss_before = peak_rss_mb();
    for ext in ["csv", "xlsx"] {
        let started = Instant::now();
        let (status, bytes) =
            download_len(addr, &format!("/api/forms/{id}/responses.{ext}"), &token).await;
        assert_eq!(status, 200);
        println!(
            "export {ext}: {responses} responses, {:.1} MB in {:.2} s",
            bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "peak memory of the whole process: {:.0} MB before the exports, {:.0} MB after",
        rss_before,
        peak_rss_mb()
    );
}
