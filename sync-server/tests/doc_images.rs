//! Pictures in documents over real HTTP against a real SQLite file: an editor uploads one, a
//! viewer reads it back; respondents, missing tokens, SVG, too-large bodies and an image id asked
//! for under another document are refused; deleting the document takes its pictures.

mod support;

use serde_json::{json, Value};
use support::{http_get, http_json, http_raw, http_text, Server};

/// A real 1 × 1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

struct Doc {
    id: String,
    owner: String,
}

async fn create_doc(server: &Server) -> Doc {
    let (status, body) = http_json(
        server.addr,
        "POST",
        "/api/docs",
        None,
        Some(json!({"title": "Boxes"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    Doc {
        id: body["id"].as_str().unwrap().to_owned(),
        owner: body["owner_token"].as_str().unwrap().to_owned(),
    }
}

async fn link(server: &Server, doc: &Doc, role: &str) -> String {
    let path = format!("/api/docs/{}/links", doc.id);
    let request = json!({ "role": role, "label": role });
    let (status, body) =
        http_json(server.addr, "POST", &path, Some(&doc.owner), Some(request)).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

async fn upload(server: &Server, doc: &Doc, token: &str, bytes: &[u8]) -> (u16, Value) {
    let path = format!("/api/docs/{}/images", doc.id);
    let (status, _, body) = http_raw(server.addr, "POST", &path, token, "image/png", bytes).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_editor_uploads_a_picture_and_every_reader_sees_it() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server).await;
    let editor = link(&server, &doc, "editor").await;
    let viewer = link(&server, &doc, "viewer").await;
    let respondent = link(&server, &doc, "respondent").await;

    let (status, body) = upload(&server, &doc, &editor, PNG).await;
    assert_eq!(status, 201, "{body}");
    let src = body["src"].as_str().unwrap().to_owned();
    let prefix = format!("/api/docs/{}/images/", doc.id);
    let id = src.strip_prefix(&prefix).expect("src under the document");
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    // The body's picture path is what the document model accepts.
    assert_eq!(
        gather_doc::rich_text::safe_image_src(&src).as_deref(),
        Some(src.as_str())
    );

    // Owner, editor and viewer read it back as what it is.
    for token in [&doc.owner, &editor, &viewer] {
        let (status, head, bytes) = http_raw(server.addr, "GET", &src, token, "", b"").await;
        assert_eq!(status, 200, "{head}");
        assert_eq!(bytes, PNG);
        assert!(head.contains("content-type: image/png"), "{head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        assert!(head.contains("cache-control: private, max-age="), "{head}");
    }

    // A respondent may neither read nor upload; nobody without a token may.
    let (status, _, _) = http_raw(server.addr, "GET", &src, &respondent, "", b"").await;
    assert_eq!(status, 403);
    let (status, body) = upload(&server, &doc, &respondent, PNG).await;
    assert_eq!((status, &body["error"]), (403, &json!("forbidden")));
    let (status, body) = upload(&server, &doc, &viewer, PNG).await;
    assert_eq!((status, &body["error"]), (403, &json!("forbidden")));
    let (status, _, _) = http_text(server.addr, "GET", &src, None).await;
    assert_eq!(status, 401);
    assert!(http_get(server.addr, &src)
        .await
        .starts_with("HTTP/1.1 401"));
    let (status, _, _) = http_raw(server.addr, "GET", &src, "not-a-token", "", b"").await;
    assert_eq!(status, 401);

    // The id of doc A under doc B: B's owner gets nothing.
    let other = create_doc(&server).await;
    let crossed = format!("/api/docs/{}/images/{id}", other.id);
    let (status, _, _) = http_raw(server.addr, "GET", &crossed, &other.owner, "", b"").await;
    assert_eq!(status, 404);
    // Nor does A's token open B's path.
    let (status, _, _) = http_raw(server.addr, "GET", &crossed, &doc.owner, "", b"").await;
    assert_eq!(status, 401);
    // A malformed id is simply not found.
    let bad = format!("{prefix}..%2F..%2Fetc");
    let (status, _, _) = http_raw(server.addr, "GET", &bad, &doc.owner, "", b"").await;
    assert_eq!(status, 404);

    server.stop().await;
}

#[tokio::test]
async fn what_is_no_picture_or_too_big_is_refused_and_pictures_go_with_their_document() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let doc = create_doc(&server).await;
    let editor = link(&server, &doc, "editor").await;

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#;
    let (status, body) = upload(&server, &doc, &editor, svg).await;
    assert_eq!((status, &body["error"]), (415, &json!("not_an_image")));
    let (status, _) = upload(&server, &doc, &editor, b"<html><script>x</script>").await;
    assert_eq!(status, 415);
    let (status, _) = upload(&server, &doc, &editor, b"").await;
    assert_eq!(status, 415);

    let mut huge = PNG.to_vec();
    huge.resize(sync_server::doc_images::MAX_IMAGE_BYTES + 1, 0);
    let (status, _) = upload(&server, &doc, &editor, &huge).await;
    assert_eq!(status, 413);

    let (status, body) = upload(&server, &doc, &doc.owner, PNG).await;
    assert_eq!(status, 201, "{body}");
    let src = body["src"].as_str().unwrap().to_owned();
    let path = format!("/api/docs/{}", doc.id);
    let (status, _) = http_json(server.addr, "DELETE", &path, Some(&doc.owner), None).await;
    assert_eq!(status, 204);
    let db = rusqlite::Connection::open(data.path().join("gather.sqlite3")).unwrap();
    let left: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM doc_images WHERE doc = ?1",
            [&doc.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "{src} is still stored");

    server.stop().await;
}
