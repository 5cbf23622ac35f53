//! `sync-server backup` while the server runs and writes, and `sync-server restore` into a new
//! data folder: the restored server has the document, its links and its form's responses.
//! A file that is not a backup, or restoring over a database without `--force`, is refused.

mod support;

use std::path::Path;
use std::process::Command;

use gather_doc::rich_text::Pos;
use serde_json::json;
use support::forms::{create_form, link, submit};
use support::{http_json, Server, TestClient};

fn sync_server(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_running_restores_documents_links_and_responses() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let answers = json!({
        "name": "李雷", "student_id": "20200101", "class": "三年二班",
        "temperature": 36.6, "symptoms": ["none"],
        "district": {"province": "湖北省", "city": "武汉市", "district": "武昌区"},
        "contact": false
    });
    let (status, _) = submit(&server, &form, &respondent, "backup-0001", answers).await;
    assert_eq!(status, 201);
    let mut owner = TestClient::connect_with(&server, &form.id, &form.owner, 5).await;
    owner.synced().await;
    owner.type_text(Pos::new(0, 0), "备份前写的一句话").await;
    // Relayed to another editor means committed to disk.
    let mut other = TestClient::connect_with(&server, &form.id, &form.owner, 7).await;
    other
        .wait_until(|c| c.all_text().contains("备份前写的一句话"))
        .await;

    // The server keeps running (and the editor stays connected) while the copy is made.
    let copy = tempfile::tempdir().unwrap();
    let file = copy.path().join("gather-backup.sqlite3");
    let out = sync_server(data.path(), &["backup", "--to", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "a backup holds every response: only its owner reads it"
        );
    }
    // Not over an existing file.
    let again = sync_server(data.path(), &["backup", "--to", file.to_str().unwrap()]);
    assert!(!again.status.success());
    drop((owner, other));
    server.stop().await;

    // Restore into a new folder, with the server key kept apart.
    let restored = tempfile::tempdir().unwrap();
    let garbage = copy.path().join("not-a-backup");
    std::fs::write(&garbage, "hello").unwrap();
    let refused = sync_server(
        restored.path(),
        &["restore", "--from", garbage.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    let out = sync_server(
        restored.path(),
        &["restore", "--from", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let over = sync_server(
        restored.path(),
        &["restore", "--from", file.to_str().unwrap()],
    );
    assert!(!over.status.success(), "an existing database needs --force");
    std::fs::copy(
        data.path().join("secret.key"),
        restored.path().join("secret.key"),
    )
    .unwrap();

    let server = Server::start(restored.path(), None).await;
    let mut owner = TestClient::connect_with(&server, &form.id, &form.owner, 6).await;
    owner.synced().await;
    assert!(
        owner.all_text().contains("备份前写的一句话"),
        "{}",
        owner.all_text()
    );
    let (status, list) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["responses"][0]["answers"]["name"], "李雷");
    drop(owner);
    server.stop().await;
}
