//! Version history over real websockets, HTTP and SQLite: a version is kept when the last person
//! leaves after changing a document (with their presence names) and while it is being edited,
//! named versions are kept on demand and versions can be renamed, every version's state reads
//! back as the document was, only owner and editor links reach any of it, and deleting the
//! document deletes its versions.

mod support;

use std::time::Duration;

use gather_doc::history::VersionInfo;
use gather_doc::rich_text::Pos;
use serde_json::json;
use support::{create_doc, http_bytes, http_json, http_text, share_link, Server, TestClient};
use sync_server::config::Config;
use sync_server::history::VersionDb;
use yrs::updates::decoder::Decode;
use yrs::{Transact, Update};

async fn versions(server: &Server, doc: &str, token: &str) -> Vec<VersionInfo> {
    let path = format!("/api/docs/{doc}/versions");
    let (status, body) = http_json(server.addr, "GET", &path, Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Lists the versions until there are `count` of them.
async fn versions_until(server: &Server, doc: &str, token: &str, count: usize) -> Vec<VersionInfo> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let list = versions(server, doc, token).await;
        if list.len() >= count {
            return list;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never {count} versions: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The first paragraph's text in a version's state.
async fn text_of(server: &Server, doc: &str, token: &str, version: i64) -> String {
    let path = format!("/api/docs/{doc}/versions/{version}");
    let (status, bytes) = http_bytes(server.addr, &path, token).await;
    assert_eq!(status, 200);
    let copy = gather_doc::new_doc(99);
    copy.transact_mut()
        .apply_update(Update::decode_v1(&bytes).unwrap())
        .unwrap();
    let body = gather_doc::rich_text::body(&copy);
    let txn = copy.transact();
    gather_doc::rich_text::read_blocks(&txn, &body)
        .iter()
        .map(|b| b.text())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn write_and_leave(server: &Server, doc: &str, token: &str, id: u64, name: &str, text: &str) {
    let mut client = TestClient::connect_with(server, doc, token, id).await;
    client.synced().await;
    client
        .set_presence(&format!(r#"{{"user":{{"name":"{name}"}},"cursor":null}}"#))
        .await;
    let end = client.text().encode_utf16().count() as u32;
    client.type_text(Pos::new(0, end), text).await;
    // Leaving is what keeps the version.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_kept_on_leaving_and_on_demand_and_read_back_to_editors_only() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let (doc, owner) = create_doc(&server, "Plan").await;
    let editor = share_link(&server, &doc, &owner, "editor").await;
    let viewer = share_link(&server, &doc, &owner, "viewer").await;

    write_and_leave(&server, &doc, &editor, 11, "李老师", "First draft.").await;
    let list = versions_until(&server, &doc, &owner, 1).await;
    assert_eq!(list[0].name, None, "an automatic version");
    assert_eq!(list[0].authors, vec!["李老师".to_owned()]);
    assert_eq!(
        text_of(&server, &doc, &editor, list[0].id).await,
        "First draft."
    );

    // A named version of the document as it is now.
    let path = format!("/api/docs/{doc}/versions");
    let (status, named) = http_json(
        server.addr,
        "POST",
        &path,
        Some(&editor),
        Some(json!({ "name": "  Plan v1 \n", "by": "Wang" })),
    )
    .await;
    assert_eq!(status, 201, "{named}");
    let named: VersionInfo = serde_json::from_value(named).unwrap();
    assert_eq!(named.name.as_deref(), Some("Plan v1"));
    assert_eq!(named.authors, vec!["Wang".to_owned()]);

    write_and_leave(&server, &doc, &owner, 12, "Ms Chen", " More.").await;
    let list = versions_until(&server, &doc, &owner, 3).await;
    assert_eq!(list[0].authors, vec!["Ms Chen".to_owned()], "newest first");
    assert_eq!(
        text_of(&server, &doc, &owner, list[0].id).await,
        "First draft. More."
    );
    assert_eq!(
        text_of(&server, &doc, &owner, named.id).await,
        "First draft."
    );

    // Naming an automatic version.
    let first = list[2].id;
    let rename = format!("/api/docs/{doc}/versions/{first}");
    let (status, _) = http_json(
        server.addr,
        "PATCH",
        &rename,
        Some(&editor),
        Some(json!({ "name": "Start" })),
    )
    .await;
    assert_eq!(status, 204);
    let list = versions(&server, &doc, &owner).await;
    assert_eq!(list[2].name.as_deref(), Some("Start"));

    // Only owner and editor links; bad input is refused; other documents' versions are not found.
    let (status, _) = http_json(server.addr, "GET", &path, Some(&viewer), None).await;
    assert_eq!(status, 403);
    let (status, _) = http_json(server.addr, "GET", &path, None, None).await;
    assert_eq!(status, 401);
    let (status, body) = http_json(
        server.addr,
        "POST",
        &path,
        Some(&owner),
        Some(json!({ "name": " \n " })),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_input")),
        "{body}"
    );
    let (other, other_owner) = create_doc(&server, "Plan").await;
    let (status, _) = http_bytes(
        server.addr,
        &format!("/api/docs/{other}/versions/{first}"),
        &other_owner,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = http_bytes(server.addr, &format!("{path}/{first}"), &viewer).await;
    assert_eq!(status, 403);
    let (status, _, _) = http_text(server.addr, "GET", &format!("{path}/x"), Some(&owner)).await;
    assert_eq!(status, 400);

    // Deleting the document deletes its versions.
    let (status, _) = http_json(
        server.addr,
        "DELETE",
        &format!("/api/docs/{doc}"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(status, 204);
    server.stop().await;
    let db = VersionDb::open(data.path()).unwrap();
    let doc = gather_doc::DocId::parse(&doc).unwrap();
    assert!(db.list(&doc).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_being_edited_gets_versions_while_people_stay() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf(), data.path().join("no-assets"));
    config.version_every_secs = 1;
    let server = Server::start_with(config).await;
    let (doc, owner) = create_doc(&server, "Plan").await;
    let mut client = TestClient::connect_with(&server, &doc, &owner, 21).await;
    client.synced().await;
    // Typing goes on, and nobody leaves: versions still come, at most one a second.
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(20);
    let mut typed = 0u32;
    let list = loop {
        client.type_text(Pos::new(0, typed), "a").await;
        typed += 1;
        let list = versions(&server, &doc, &owner).await;
        if list.len() >= 2 {
            break list;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no versions: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(list[0].at - list[1].at >= 1000, "{list:?}");
    assert_eq!(
        list[0].authors,
        vec![String::new()],
        "someone without a name"
    );
    server.stop().await;
}
