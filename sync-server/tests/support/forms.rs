//! Forms over HTTP for tests: a form from a template, share links, and submitting answers.

use serde_json::{json, Value};

use super::{http_json, Server};

/// A form and its owner's token.
pub struct Form {
    pub id: String,
    pub owner: String,
}

/// A form made from `template` (Chinese first).
pub async fn create_form(server: &Server, template: &str) -> Form {
    let (status, body) = http_json(
        server.addr,
        "POST",
        "/api/docs",
        None,
        Some(json!({ "template": template, "lang": "zh" })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    Form {
        id: body["id"].as_str().unwrap().to_owned(),
        owner: body["owner_token"].as_str().unwrap().to_owned(),
    }
}

/// A new share link's token for `role`, labelled "{role} link".
pub async fn link(server: &Server, form: &Form, role: &str) -> String {
    let path = format!("/api/docs/{}/links", form.id);
    let request = json!({ "role": role, "label": format!("{role} link") });
    let (status, body) =
        http_json(server.addr, "POST", &path, Some(&form.owner), Some(request)).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// Submits `answers` as submission `id`.
pub async fn submit(
    server: &Server,
    form: &Form,
    token: &str,
    id: &str,
    answers: Value,
) -> (u16, Value) {
    let path = format!("/api/forms/{}/responses", form.id);
    let request = json!({ "submission_id": id, "answers": answers });
    http_json(server.addr, "POST", &path, Some(token), Some(request)).await
}
