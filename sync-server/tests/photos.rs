//! Photo questions over real HTTP against a real SQLite file: a respondent uploads a picture,
//! submits a response naming it, and the owner reads it back; anything that is not a picture,
//! too big, or a photo id the server never handed out is refused; a deleted response takes its
//! photo with it.

mod support;

use gather_doc::form::{crdt, FormRoots, Question, QuestionType};
use serde_json::{json, Value};
use support::forms::{create_form, link, submit, Form};
use support::{http_json, http_raw, Server, TestClient};
use yrs::Transact;

/// A small but real JPEG header and some bytes: enough for the server, which keeps bytes as sent.
fn jpeg() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

async fn upload(server: &Server, form: &Form, token: &str, bytes: &[u8]) -> (u16, Value) {
    let path = format!("/api/forms/{}/photos", form.id);
    let (status, _, body) = http_raw(server.addr, "POST", &path, token, "image/jpeg", bytes).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// A blank form with one required photo question, added through the document like the builder.
async fn photo_form(server: &Server) -> Form {
    let form = create_form(server, "blank").await;
    let mut owner = TestClient::connect_with(server, &form.id, &form.owner, 9).await;
    owner.synced().await;
    owner
        .edit(|doc| {
            let roots = FormRoots::of(doc);
            let question = Question::new(
                "health_code",
                QuestionType::Photo,
                "健康码截图",
                "Health code",
            )
            .required();
            crdt::insert_question(&mut doc.transact_mut(), &roots, 0, &question);
        })
        .await;
    // The server reads the form from what it stored; wait until it has the question.
    let path = format!("/api/forms/{}", form.id);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, def) = http_json(server.addr, "GET", &path, Some(&form.owner), None).await;
        if def["questions"][0]["type"] == "photo" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no photo question");
        tokio::task::yield_now().await;
    }
    form
}

#[tokio::test]
async fn a_photo_is_uploaded_named_in_a_response_and_read_back_by_the_owner() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = photo_form(&server).await;
    let respondent = link(&server, &form, "respondent").await;

    let picture = jpeg();
    let (status, body) = upload(&server, &form, &respondent, &picture).await;
    assert_eq!(status, 201, "{body}");
    let photo = body["photo_id"].as_str().unwrap().to_owned();
    assert_eq!(photo.len(), 32);

    // A response naming a photo the server never handed out is refused for that question.
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "photo-sub-0",
        json!({"health_code": "0123456789abcdef0123456789abcdef"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"]["health_code"]["code"], "photo");
    assert!(body["errors"]["health_code"]["zh"]
        .as_str()
        .unwrap()
        .contains("重新上传"));

    let answers = json!({"health_code": photo});
    let (status, body) = submit(&server, &form, &respondent, "photo-sub-1", answers.clone()).await;
    assert_eq!(status, 201, "{body}");
    // The same send again is the same response; another response cannot take the photo.
    let (status, _) = submit(&server, &form, &respondent, "photo-sub-1", answers.clone()).await;
    assert_eq!(status, 200);
    let (status, body) = submit(&server, &form, &respondent, "photo-sub-2", answers).await;
    assert_eq!(
        (status, &body["errors"]["health_code"]["code"]),
        (422, &json!("photo"))
    );

    // The owner sees the photo id in the response and fetches the picture.
    let (status, list) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        list["responses"][0]["answers"]["health_code"],
        photo.as_str()
    );
    let response_id = list["responses"][0]["id"].as_i64().unwrap();
    let path = format!("/api/forms/{}/photos/{photo}", form.id);
    let (status, head, bytes) = http_raw(server.addr, "GET", &path, &form.owner, "", b"").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: image/jpeg"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert_eq!(bytes, picture);
    // Without a link of this form, nothing.
    let (status, _, _) = http_raw(server.addr, "GET", &path, "not-a-token", "", b"").await;
    assert_eq!(status, 401);

    // Deleting the response deletes its photo.
    let (status, _) = http_json(
        server.addr,
        "DELETE",
        &format!("/api/forms/{}/responses/{response_id}", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = http_raw(server.addr, "GET", &path, &form.owner, "", b"").await;
    assert_eq!(status, 404);
    server.stop().await;
}

#[tokio::test]
async fn only_pictures_of_a_sane_size_are_kept() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = photo_form(&server).await;
    let respondent = link(&server, &form, "respondent").await;

    // An SVG (it could carry script) or HTML claiming to be a JPEG is refused.
    for bad in [
        &b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"[..],
        b"<html>",
    ] {
        let (status, body) = upload(&server, &form, &respondent, bad).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (415, Some("not_an_image"))
        );
    }
    let (status, _) = upload(&server, &form, &respondent, &vec![0xFF; 5 * 1024 * 1024]).await;
    assert_eq!(status, 413);
    // A viewer link is no respondent.
    let viewer = link(&server, &form, "viewer").await;
    let (status, _) = upload(&server, &form, &viewer, &jpeg()).await;
    assert_eq!(status, 403);
    // Path tricks are just unknown photos.
    let path = format!("/api/forms/{}/photos/..%2F..%2Fgather.sqlite3", form.id);
    let (status, _, _) = http_raw(server.addr, "GET", &path, &form.owner, "", b"").await;
    assert_eq!(status, 404);
    server.stop().await;
}
