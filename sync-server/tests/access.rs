//! Share links and roles over real HTTP and real websockets against a real SQLite file: what
//! each role may do, revocation and expiry, wrong tokens and the cap on them, the audit log,
//! deletion, and adopting a document stored before share links existed.

mod support;

use std::time::Duration;

use gather_doc::rich_text::Pos;
use serde_json::{json, Value};
use support::{http_json, Config, Server, TestClient};

/// Revocation and expiry must reach live sessions within this.
const KICK: Duration = Duration::from_secs(1);

struct NewDoc {
    id: String,
    owner: String,
}

async fn create_doc(server: &Server, title: &str) -> NewDoc {
    let (status, body) = http_json(
        server.addr,
        "POST",
        "/api/docs",
        None,
        Some(json!({ "title": title })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let owner = body["owner_token"].as_str().unwrap().to_owned();
    assert_eq!(body["url"], format!("/d/{id}#t={owner}"));
    NewDoc { id, owner }
}

async fn create_link(server: &Server, doc: &NewDoc, role: &str, extra: Value) -> Value {
    let mut request = json!({ "role": role, "label": format!("{role}s") });
    if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
        request.extend(extra.clone());
    }
    let path = format!("/api/docs/{}/links", doc.id);
    let (status, body) =
        http_json(server.addr, "POST", &path, Some(&doc.owner), Some(request)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["role"], role);
    body
}

fn token(link: &Value) -> &str {
    link["token"].as_str().unwrap()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Every byte of the database and its write-ahead log.
fn database_bytes(data: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["gather.sqlite3", "gather.sqlite3-wal"] {
        bytes.extend(std::fs::read(data.join(name)).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_link_works_and_the_database_never_holds_a_working_token() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "Class 3 health check").await;
    assert!(doc.owner.len() >= 22, "at least 128 bits");
    let viewer = create_link(&server, &doc, "viewer", json!({})).await;

    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 1).await;
    owner.synced().await;
    owner.type_text(Pos::new(0, 0), "体温 36.5").await;
    let mut check = TestClient::connect_with(&server, &doc.id, token(&viewer), 2).await;
    check.wait_for_text("体温 36.5").await;

    let (status, meta) = http_json(
        server.addr,
        "GET",
        &format!("/api/docs/{}", doc.id),
        Some(token(&viewer)),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(meta["title"], "Class 3 health check");
    assert_eq!(meta["role"], "viewer");

    server.stop().await;
    let bytes = database_bytes(data.path());
    assert!(contains(&bytes, &doc.id), "the database is the one in use");
    assert!(!contains(&bytes, &doc.owner));
    assert!(!contains(&bytes, token(&viewer)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_reads_but_its_edits_are_refused_never_stored_and_never_relayed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let viewer = create_link(&server, &doc, "viewer", json!({})).await;
    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 1).await;
    owner.synced().await;
    owner.type_text(Pos::new(0, 0), "roster").await;

    let mut reader = TestClient::connect_with(&server, &doc.id, token(&viewer), 2).await;
    reader.wait_for_text("roster").await;
    reader.set_presence(r#"{"user":{"name":"Viewer"}}"#).await;
    owner.wait_until(|c| c.presence_of(2).is_some()).await;
    reader.type_text(Pos::new(0, 0), "HACKED ").await;
    reader.wait_until(|c| c.edits_refused > 0).await;

    // The owner's next edit arrives, the viewer's never did; a fresh reader sees the same.
    owner.type_text(Pos::new(0, 6), "!").await;
    reader.wait_until(|c| c.text().contains('!')).await;
    owner.wait_for_text("roster!").await;
    server.stop().await;
    let server = Server::start(data.path(), None).await;
    let mut fresh = TestClient::connect(&server, &doc.id, 3).await;
    fresh.synced().await;
    assert_eq!(fresh.text(), "roster!");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_respondent_gets_no_document_state_over_the_websocket() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 1).await;
    owner.synced().await;
    owner.type_text(Pos::new(0, 0), "student fevers").await;
    let respondent = create_link(&server, &doc, "respondent", json!({})).await;
    let mut form = TestClient::connect_with(&server, &doc.id, token(&respondent), 2).await;
    let (code, frames) = form.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 4403);
    assert_eq!(frames, 0, "not one sync frame");
    assert_eq!(form.text(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_link_closes_its_live_sessions_within_a_second_and_refuses_it_after() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let editor = create_link(&server, &doc, "editor", json!({})).await;
    let other = create_link(&server, &doc, "editor", json!({})).await;
    let mut kicked = TestClient::connect_with(&server, &doc.id, token(&editor), 1).await;
    kicked.synced().await;
    let mut stays = TestClient::connect_with(&server, &doc.id, token(&other), 2).await;
    stays.synced().await;

    let path = format!(
        "/api/docs/{}/links/{}",
        doc.id,
        editor["id"].as_str().unwrap()
    );
    let (status, _) = http_json(server.addr, "DELETE", &path, Some(&doc.owner), None).await;
    assert_eq!(status, 204);
    // An edit sent after the revocation, before its close arrived, is not taken.
    kicked.type_text(Pos::new(0, 0), "too late ").await;
    assert_eq!(kicked.closed_within(KICK).await.0, 4401);
    let mut again = TestClient::connect_with(&server, &doc.id, token(&editor), 3).await;
    assert_eq!(again.closed_within(Duration::from_secs(5)).await, (4401, 0));

    // The other link's session is untouched and still edits.
    stays.type_text(Pos::new(0, 0), "still here").await;
    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 4).await;
    // Exactly this: the revoked link's late edit is not in it.
    owner.wait_for_text("still here").await;
    // The listing no longer shows it; the last owner link cannot be revoked.
    let links_path = format!("/api/docs/{}/links", doc.id);
    let (_, links) = http_json(server.addr, "GET", &links_path, Some(&doc.owner), None).await;
    let ids: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&editor["id"].as_str().unwrap()));
    assert_eq!(ids.len(), 2, "the owner link and the other editor link");
    let owner_link = &links.as_array().unwrap()[0];
    assert_eq!(owner_link["role"], "owner");
    let path = format!(
        "/api/docs/{}/links/{}",
        doc.id,
        owner_link["id"].as_str().unwrap()
    );
    let (status, body) = http_json(server.addr, "DELETE", &path, Some(&doc.owner), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("last_owner_link"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiring_link_ends_its_session_when_it_expires() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let expires_at = now_ms() + 1500;
    let link = create_link(&server, &doc, "editor", json!({ "expires_at": expires_at })).await;
    assert_eq!(link["expires_at"], expires_at);
    let mut session = TestClient::connect_with(&server, &doc.id, token(&link), 1).await;
    session.synced().await;
    let (code, _) = session
        .closed_within(Duration::from_millis(1500) + KICK)
        .await;
    assert_eq!(code, 4401);
    assert!(now_ms() >= expires_at);
    let mut again = TestClient::connect_with(&server, &doc.id, token(&link), 2).await;
    assert_eq!(again.closed_within(Duration::from_secs(5)).await, (4401, 0));
    // A past expiry is refused up front.
    let path = format!("/api/docs/{}/links", doc.id);
    let past = json!({ "role": "viewer", "expires_at": now_ms() - 1 });
    let (status, _) = http_json(server.addr, "POST", &path, Some(&doc.owner), Some(past)).await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_missing_and_borrowed_tokens_are_refused_and_roles_are_enforced_over_http() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let a = create_doc(&server, "").await;
    let b = create_doc(&server, "").await;
    let viewer = create_link(&server, &a, "viewer", json!({})).await;
    let guessed = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for token in ["", guessed, &b.owner] {
        let mut c = TestClient::connect_with(&server, &a.id, token, 1).await;
        assert_eq!(
            c.closed_within(Duration::from_secs(5)).await,
            (4401, 0),
            "{token}"
        );
    }
    let links = format!("/api/docs/{}/links", a.id);
    let (status, body) = http_json(server.addr, "GET", &links, Some(guessed), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("link_invalid"))
    );
    let (status, _) = http_json(server.addr, "GET", &links, None, None).await;
    assert_eq!(status, 401);
    // A viewer may read the document's title, but not manage it.
    let (status, _) = http_json(server.addr, "GET", &links, Some(token(&viewer)), None).await;
    assert_eq!(status, 403);
    let new_link = json!({ "role": "owner" });
    let (status, _) = http_json(
        server.addr,
        "POST",
        &links,
        Some(token(&viewer)),
        Some(new_link),
    )
    .await;
    assert_eq!(status, 403);
    let doc_path = format!("/api/docs/{}", a.id);
    let (status, _) = http_json(server.addr, "DELETE", &doc_path, Some(token(&viewer)), None).await;
    assert_eq!(status, 403);
    // Bad input is a clear 400.
    let bad = json!({ "role": "admin" });
    let (status, body) = http_json(server.addr, "POST", &links, Some(&a.owner), Some(bad)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_input")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_tokens_from_one_address_are_capped_but_valid_links_still_get_in() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let path = format!("/api/docs/{}", doc.id);
    let mut last = 0;
    for i in 0..40 {
        let (status, _) =
            http_json(server.addr, "GET", &path, Some(&format!("guess-{i}")), None).await;
        last = status;
    }
    assert_eq!(last, 429);
    let mut guesser = TestClient::connect_with(&server, &doc.id, "guess-ws", 1).await;
    assert_eq!(
        guesser.closed_within(Duration::from_secs(5)).await,
        (4429, 0)
    );
    // The rest of the school behind the same address is not locked out.
    let mut teacher = TestClient::connect_with(&server, &doc.id, &doc.owner, 2).await;
    teacher.synced().await;
    let (status, _) = http_json(server.addr, "GET", &path, Some(&doc.owner), None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_links_and_sessions_with_role_label_and_address() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let link = create_link(
        &server,
        &doc,
        "editor",
        json!({ "label": "Class 3 teachers" }),
    )
    .await;
    let mut teacher = TestClient::connect_with(&server, &doc.id, token(&link), 1).await;
    teacher.synced().await;
    let path = format!(
        "/api/docs/{}/links/{}",
        doc.id,
        link["id"].as_str().unwrap()
    );
    http_json(server.addr, "DELETE", &path, Some(&doc.owner), None).await;
    teacher.closed_within(KICK).await;

    let audit_path = format!("/api/docs/{}/audit", doc.id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let entries = loop {
        let (status, entries) =
            http_json(server.addr, "GET", &audit_path, Some(&doc.owner), None).await;
        assert_eq!(status, 200);
        let entries = entries.as_array().unwrap().clone();
        // The session closes after the revocation is logged; wait for its entry.
        if entries.iter().any(|e| e["event"] == "session_closed") {
            break entries;
        }
        assert!(tokio::time::Instant::now() < deadline, "{entries:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let events: Vec<&str> = entries
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "document_created",
            "link_created",
            "session_opened",
            "link_revoked",
            "session_closed"
        ]
    );
    for entry in &entries[1..] {
        assert_eq!(entry["role"], "editor");
        assert_eq!(entry["label"], "Class 3 teachers");
        assert_eq!(entry["addr"], "127.0.0.1");
        assert!(entry["at"].as_i64().unwrap() > 0);
    }
    // Only the owner reads it.
    let (status, _) = http_json(server.addr, "GET", &audit_path, Some(token(&link)), None).await;
    assert_eq!(status, 401, "the revoked link is no longer valid at all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_document_closes_its_sessions_and_removes_it_from_disk() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "").await;
    let keep = create_doc(&server, "").await;
    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 1).await;
    owner.synced().await;
    owner
        .type_text(Pos::new(0, 0), "Zhang San fever 38.9")
        .await;
    let mut other = TestClient::connect_with(&server, &keep.id, &keep.owner, 2).await;
    other.synced().await;
    other.type_text(Pos::new(0, 0), "kept document").await;
    let mut viewer = TestClient::connect(&server, &doc.id, 3).await;
    viewer.wait_for_text("Zhang San fever 38.9").await;

    let path = format!("/api/docs/{}", doc.id);
    let (status, _) = http_json(server.addr, "DELETE", &path, Some(&doc.owner), None).await;
    assert_eq!(status, 204);
    assert_eq!(owner.closed_within(KICK).await.0, 4404);
    let (status, _) = http_json(server.addr, "GET", &path, Some(&doc.owner), None).await;
    assert_eq!(status, 401);
    server.stop().await;
    let bytes = database_bytes(data.path());
    assert!(
        !contains(&bytes, "Zhang San fever"),
        "the text is gone from the file"
    );
    assert!(
        contains(&bytes, "kept document"),
        "other documents are untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_rename_and_copy_documents() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server, "Plan").await;
    let mut owner = TestClient::connect_with(&server, &doc.id, &doc.owner, 1).await;
    owner.synced().await;
    owner.type_text(Pos::new(0, 0), "lesson plan").await;
    let path = format!("/api/docs/{}", doc.id);
    let (status, _) = http_json(
        server.addr,
        "PATCH",
        &path,
        Some(&doc.owner),
        Some(json!({ "title": "Week 2 plan" })),
    )
    .await;
    assert_eq!(status, 204);
    let (_, meta) = http_json(server.addr, "GET", &path, Some(&doc.owner), None).await;
    assert_eq!(meta["title"], "Week 2 plan");

    // Wait until the edit has been stored and relayed, then copy.
    let mut reader = TestClient::connect(&server, &doc.id, 2).await;
    reader.wait_for_text("lesson plan").await;
    let (status, copy) = http_json(
        server.addr,
        "POST",
        &format!("{path}/copy"),
        Some(&doc.owner),
        None,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(copy["title"], "Week 2 plan (copy)");
    let copy_id = copy["id"].as_str().unwrap();
    assert_ne!(copy_id, doc.id);
    let mut c =
        TestClient::connect_with(&server, copy_id, copy["owner_token"].as_str().unwrap(), 3).await;
    c.wait_for_text("lesson plan").await;
    // The copy is independent of the original.
    c.type_text(Pos::new(0, 0), "new ").await;
    owner.type_text(Pos::new(0, 0), "old ").await;
    reader.wait_for_text("old lesson plan").await;
    c.wait_for_text("new lesson plan").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_past_the_document_size_limit_are_refused_and_nothing_stored_is_harmed() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf(), data.path().join("none"));
    config.max_doc_bytes = 2000;
    let server = Server::start_with(config).await;
    let mut a = TestClient::connect(&server, "small", 1).await;
    a.synced().await;
    a.type_text(Pos::new(0, 0), "kept").await;
    let mut b = TestClient::connect(&server, "small", 2).await;
    b.wait_for_text("kept").await;
    a.type_text(Pos::new(0, 4), &"x".repeat(5000)).await;
    assert_eq!(a.closed_within(Duration::from_secs(5)).await.0, 4413);
    let mut c = TestClient::connect(&server, "small", 3).await;
    c.synced().await;
    assert_eq!(c.text(), "kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_stored_before_share_links_gets_an_owner_link_from_the_admin_command() {
    use sync_server::store::{SqliteStore, Store};
    let data = tempfile::tempdir().unwrap();
    // An update log as the walking skeleton stored it: no registration, no links.
    {
        let author = gather_doc::new_doc(9);
        let body = gather_doc::rich_text::body(&author);
        {
            use yrs::Transact;
            let mut txn = author.transact_mut();
            gather_doc::rich_text::insert_text(
                &mut txn,
                &body,
                Pos::new(0, 0),
                "old notes",
                Default::default(),
            );
        }
        let update = {
            use yrs::{ReadTxn, Transact};
            author
                .transact()
                .encode_state_as_update_v1(&yrs::StateVector::default())
        };
        let store = SqliteStore::open(data.path()).unwrap();
        store
            .append(&[(gather_doc::DocId::parse("old-doc").unwrap(), update)])
            .unwrap();
    }
    let run = |doc: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .arg("--data")
            .arg(data.path())
            .args(["owner-link", doc])
            .output()
            .unwrap()
    };
    let unknown = run("never-existed");
    assert!(!unknown.status.success());
    let output = run("old-doc");
    assert!(output.status.success(), "{output:?}");
    let url = String::from_utf8(output.stdout).unwrap();
    let token = url.trim().split("#t=").nth(1).unwrap().to_owned();
    assert!(url.contains("/d/old-doc#t="), "{url}");

    let server = Server::start(data.path(), None).await;
    let mut owner = TestClient::connect_with(&server, "old-doc", &token, 1).await;
    owner.wait_for_text("old notes").await;
    let (status, meta) =
        http_json(server.addr, "GET", "/api/docs/old-doc", Some(&token), None).await;
    assert_eq!((status, meta["role"].as_str()), (200, Some("owner")));
}
