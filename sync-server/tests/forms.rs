//! Forms over real HTTP against a real SQLite file: templates, the definition a respondent
//! sees, submitting (201, idempotent repeat, 409 on a changed repeat, 422 per question in both
//! languages), who may read responses, masking and revealing, corrections with history, the CSV
//! export, closing a form through the document, responses surviving a restart, and answers that
//! waited offline while the form's questions changed.

mod support;

use gather_doc::form::{crdt, FormRoots, FormStatus};
use serde_json::{json, Value};
use support::forms::{create_form, link, submit, Form};
use support::{http_json, http_text, Server, TestClient};
use yrs::Transact;

fn checkin(name: &str) -> Value {
    json!({
        "name": name, "student_id": "20200101", "class": "三年二班",
        "temperature": 36.6, "symptoms": ["none"],
        "district": {"province": "湖北省", "city": "武汉市", "district": "武昌区"},
        "contact": false,
        "contact_details": "hidden, so never stored"
    })
}

async fn responses(server: &Server, form: &Form, token: &str, query: &str) -> (u16, Value) {
    let path = format!("/api/forms/{}/responses{query}", form.id);
    http_json(server.addr, "GET", &path, Some(token), None).await
}

#[tokio::test]
async fn a_template_form_is_served_to_respondents_in_the_documented_shape() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let (status, def) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}", form.id),
        Some(&respondent),
        None,
    )
    .await;
    assert_eq!(status, 200, "{def}");
    assert_eq!(def["id"], form.id.as_str());
    assert_eq!(def["title"]["zh"], "每日健康打卡");
    assert_eq!(def["accepting"], true);
    let questions = def["questions"].as_array().unwrap();
    let temperature = questions.iter().find(|q| q["id"] == "temperature").unwrap();
    assert_eq!(temperature["type"], "number");
    assert_eq!(temperature["label"]["en"], "Temperature (°C)");
    assert_eq!(
        (temperature["min"].clone(), temperature["max"].clone()),
        (json!(35.0), json!(42.0))
    );
    assert_eq!(temperature["decimals"], 1);
    let symptoms = questions.iter().find(|q| q["id"] == "symptoms").unwrap();
    assert_eq!(
        symptoms["options"][4],
        json!({"value": "none", "label": {"zh": "无", "en": "None"}, "exclusive": true})
    );
    let details = questions
        .iter()
        .find(|q| q["id"] == "contact_details")
        .unwrap();
    assert_eq!(
        details["show_if"],
        json!({"question": "contact", "one_of": ["yes"]})
    );
    assert!(def["description"][0].as_str().unwrap().contains("9:30"));
    // A document that is not a form, and an unknown template.
    let (status, body) = http_json(
        server.addr,
        "POST",
        "/api/docs",
        None,
        Some(json!({"template": "nope"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn submissions_are_validated_idempotent_and_private_to_owners_and_editors() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let editor = link(&server, &form, "editor").await;
    let viewer = link(&server, &form, "viewer").await;

    let (status, first) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000001",
        checkin("李雷"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let receipt = first["receipt"].as_str().unwrap().to_owned();
    assert_eq!(receipt.len(), 9);
    // The same submission again (a retry after a lost reply): the same receipt, no new row.
    let (status, again) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000001",
        checkin("李雷"),
    )
    .await;
    assert_eq!(
        (status, again["receipt"].as_str()),
        (200, Some(receipt.as_str()))
    );
    // The same id with other answers is refused, never merged.
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000001",
        checkin("韩梅梅"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("submission_conflict"))
    );

    // Bad answers: one error per question, in both languages; nothing stored.
    let mut bad = checkin("韩梅梅");
    bad["temperature"] = json!(45.5);
    bad["symptoms"] = json!(["cough", "none"]);
    bad["contact"] = json!(true);
    bad.as_object_mut().unwrap().remove("contact_details");
    let (status, body) = submit(&server, &form, &respondent, "sub-0000000002", bad).await;
    assert_eq!(status, 422, "{body}");
    let errors = body["errors"].as_object().unwrap();
    assert_eq!(errors.len(), 3, "{body}");
    assert_eq!(errors["temperature"]["code"], "range");
    assert!(errors["temperature"]["zh"].as_str().unwrap().contains("35"));
    assert_eq!(errors["symptoms"]["code"], "exclusive");
    assert_eq!(errors["contact_details"]["en"], "This question is required");

    // Who may read responses.
    assert_eq!(responses(&server, &form, &respondent, "").await.0, 403);
    assert_eq!(responses(&server, &form, &viewer, "").await.0, 403);
    assert_eq!(
        submit(&server, &form, &viewer, "sub-0000000003", checkin("x"))
            .await
            .0,
        403
    );
    let (status, list) = responses(&server, &form, &editor, "").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    let row = &list["responses"][0];
    assert_eq!(row["answers"]["name"], "李雷");
    assert!(
        row["answers"].get("contact_details").is_none(),
        "a hidden question's answer is dropped"
    );
    assert_eq!(row["via"], "respondent link (respondent)");

    // The respondent reads back and edits their own response; the history keeps the old one.
    let own = format!("/api/forms/{}/responses/own/sub-0000000001", form.id);
    let (status, mine) = http_json(server.addr, "GET", &own, Some(&respondent), None).await;
    assert_eq!(
        (status, mine["receipt"].as_str()),
        (200, Some(receipt.as_str()))
    );
    let mut edited = checkin("李雷");
    edited["temperature"] = json!(37.5);
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &own,
        Some(&respondent),
        Some(json!({"answers": edited})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // An editor corrects it.
    let id = row["id"].as_i64().unwrap();
    let one = format!("/api/forms/{}/responses/{id}", form.id);
    let mut corrected = checkin("李雷");
    corrected["temperature"] = json!(37.4);
    let (status, body) = http_json(
        server.addr,
        "PATCH",
        &one,
        Some(&editor),
        Some(json!({"answers": corrected})),
    )
    .await;
    assert_eq!(
        (status, body["answers"]["temperature"].clone()),
        (200, json!(37.4))
    );
    let (_, history) = http_json(
        server.addr,
        "GET",
        &format!("{one}/history"),
        Some(&editor),
        None,
    )
    .await;
    let actions: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submitted", "edited", "corrected"]);
    assert_eq!(history[1]["before"]["temperature"], 36.6);
    assert_eq!(history[2]["before"]["temperature"], 37.5);
    assert_eq!(history[2]["by"], "editor link (editor)");
    // A respondent may not correct or delete.
    assert_eq!(
        http_json(server.addr, "DELETE", &one, Some(&respondent), None)
            .await
            .0,
        403
    );
    server.stop().await;
}

#[tokio::test]
async fn numbers_are_masked_unless_an_owner_reveals_them_and_exports_are_audited() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "supply-donation").await;
    let respondent = link(&server, &form, "respondent").await;
    let editor = link(&server, &form, "editor").await;
    let donation = json!({
        "donor": "武汉加油志愿队, \"第一批\"", "phone": "138 0013 8000",
        "item": {"value": "other", "text": "护目镜支架"}, "quantity": 500, "unit": "box",
        "status": "pledged", "hospital": "=HYPERLINK(\"http://evil\")"
    });
    let (status, body) = submit(&server, &form, &respondent, "donation-000001", donation).await;
    assert_eq!(status, 201, "{body}");

    let (_, masked) = responses(&server, &form, &editor, "").await;
    assert_eq!(masked["responses"][0]["answers"]["phone"], "138****8000");
    assert_eq!(responses(&server, &form, &editor, "?reveal=1").await.0, 403);
    let (_, revealed) = responses(&server, &form, &form.owner, "?reveal=1").await;
    assert_eq!(revealed["responses"][0]["answers"]["phone"], "13800138000");

    let csv_path = format!("/api/forms/{}/responses.csv", form.id);
    let (status, head, csv) = http_text(server.addr, "GET", &csv_path, Some(&editor)).await;
    assert_eq!(status, 200, "{csv}");
    assert!(head.contains("text/csv; charset=utf-8"));
    assert!(
        head.contains("x-gather-rows: 1"),
        "the row count for progress: {head}"
    );
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("回执编号,提交时间,捐赠人（姓名或单位）,联系电话"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("\"武汉加油志愿队, \"\"第一批\"\"\""),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("138****8000"));
    assert!(lines[1].contains("其他：护目镜支架,500,箱"), "{}", lines[1]);
    assert!(
        lines[1].contains("\"'=HYPERLINK"),
        "formulas are defused: {}",
        lines[1]
    );
    let (_, _, english) = http_text(
        server.addr,
        "GET",
        &format!("{csv_path}?lang=en&from=2000-01-01"),
        Some(&editor),
    )
    .await;
    assert!(english.contains("Other: 护目镜支架,500,Boxes"), "{english}");
    let (_, _, none) = http_text(
        server.addr,
        "GET",
        &format!("{csv_path}?to=2000-01-01"),
        Some(&editor),
    )
    .await;
    assert_eq!(
        none.lines().count(),
        1,
        "the date filter leaves only the heading"
    );
    assert_eq!(
        http_text(server.addr, "GET", &csv_path, Some(&respondent))
            .await
            .0,
        403
    );

    // The XLSX export: the same row, the quantity as a number.
    let xlsx_path = format!("/api/forms/{}/responses.xlsx?lang=en", form.id);
    let (status, bytes) = support::http_bytes(server.addr, &xlsx_path, &editor).await;
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(sheet.contains("Other: 护目镜支架"), "{sheet}");
    assert!(
        sheet.contains("<v>500</v>"),
        "the quantity is a number: {sheet}"
    );
    assert!(sheet.contains("138****8000"));

    let (_, audit) = http_json(
        server.addr,
        "GET",
        &format!("/api/docs/{}/audit", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    let events: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        events.contains(&"numbers_revealed".to_owned()),
        "{events:?}"
    );
    assert_eq!(
        events.iter().filter(|e| *e == "responses_exported").count(),
        4,
        "{events:?}"
    );

    // An editor corrects the quantity from the masked table: the phone number they only saw
    // masked is sent back masked and stays as stored.
    let mut corrected = masked["responses"][0]["answers"].clone();
    corrected["quantity"] = json!(600);
    let one = format!(
        "/api/forms/{}/responses/{}",
        form.id, masked["responses"][0]["id"]
    );
    let (status, body) = http_json(
        server.addr,
        "PATCH",
        &one,
        Some(&editor),
        Some(json!({ "answers": corrected })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["answers"]["phone"], "138****8000",
        "the reply shows no more than the table"
    );
    // The history's earlier answers are masked too, unless an owner reveals them.
    let history = format!("{one}/history");
    let (_, changes) = http_json(server.addr, "GET", &history, Some(&editor), None).await;
    assert_eq!(changes[1]["before"]["phone"], "138****8000", "{changes}");
    assert_eq!(changes[1]["before"]["quantity"], 500);
    let reveal = format!("{history}?reveal=1");
    assert_eq!(
        http_json(server.addr, "GET", &reveal, Some(&editor), None)
            .await
            .0,
        403
    );
    let (_, changes) = http_json(server.addr, "GET", &reveal, Some(&form.owner), None).await;
    assert_eq!(changes[1]["before"]["phone"], "13800138000");
    let (_, revealed) = responses(&server, &form, &form.owner, "?reveal=1").await;
    let answers = &revealed["responses"][0]["answers"];
    assert_eq!(
        (answers["phone"].clone(), answers["quantity"].clone()),
        (json!("13800138000"), json!(600))
    );
    server.stop().await;
}

#[tokio::test]
async fn closing_the_form_in_the_document_stops_responses_and_responses_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let (status, _) = submit(
        &server,
        &form,
        &respondent,
        "before-close-1",
        checkin("李雷"),
    )
    .await;
    assert_eq!(status, 201);

    // A teacher closes the form in the editor: a CRDT change through the sync socket.
    let mut owner = TestClient::connect_with(&server, &form.id, &form.owner, 7).await;
    owner.synced().await;
    owner
        .edit(|doc| {
            let roots = FormRoots::of(doc);
            let mut settings = crdt::read_settings(&doc.transact(), &roots.settings);
            settings.status = FormStatus::Closed;
            crdt::write_settings(&mut doc.transact_mut(), &roots.settings, &settings);
        })
        .await;
    let path = format!("/api/forms/{}", form.id);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, def) = http_json(server.addr, "GET", &path, Some(&respondent), None).await;
        if def["accepting"] == false {
            assert_eq!(def["status"], "closed");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the form never closed"
        );
        tokio::task::yield_now().await;
    }
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "after-close-1",
        checkin("韩梅梅"),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (409, Some("form_closed")));
    drop(owner);
    server.stop().await;

    let server = Server::start(data.path(), None).await;
    let (status, list) = responses(&server, &form, &form.owner, "").await;
    assert_eq!((status, list["total"].clone()), (200, json!(1)));
    assert_eq!(list["responses"][0]["answers"]["name"], "李雷");
    // Deleting the document deletes its responses.
    let (status, _) = http_json(
        server.addr,
        "DELETE",
        &format!("/api/docs/{}", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let bytes = std::fs::read(data.path().join("gather.sqlite3")).unwrap();
    let wal = std::fs::read(data.path().join("gather.sqlite3-wal")).unwrap_or_default();
    let needle = "三年二班".as_bytes();
    for file in [&bytes, &wal] {
        assert!(
            !file.windows(needle.len()).any(|w| w == needle),
            "an answer is still on disk"
        );
    }
    server.stop().await;
}

/// The form's definition as a respondent reads it.
async fn definition(server: &Server, form: &Form, token: &str) -> Value {
    let path = format!("/api/forms/{}", form.id);
    let (status, def) = http_json(server.addr, "GET", &path, Some(token), None).await;
    assert_eq!(status, 200, "{def}");
    def
}

/// Submits `answers` as submission `id`, filled in on `version` of the form.
async fn submit_on(
    server: &Server,
    form: &Form,
    token: &str,
    id: &str,
    answers: Value,
    version: &str,
) -> (u16, Value) {
    let path = format!("/api/forms/{}/responses", form.id);
    let request = json!({ "submission_id": id, "answers": answers, "form_version": version });
    http_json(server.addr, "POST", &path, Some(token), Some(request)).await
}

#[tokio::test]
async fn answers_filled_in_on_an_older_version_are_checked_against_the_current_questions() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let before = definition(&server, &form, &respondent).await;
    let old = before["version"].as_str().unwrap().to_owned();
    assert_eq!(old.len(), 16, "{before}");

    // While a phone is offline, the teacher makes the notes required, removes "cough" from
    // the symptoms and deletes the contact details question.
    let mut owner = TestClient::connect_with(&server, &form.id, &form.owner, 7).await;
    owner.synced().await;
    owner
        .edit(|doc| {
            let roots = FormRoots::of(doc);
            let mut questions = crdt::read_questions(&doc.transact(), &roots.questions);
            let mut txn = doc.transact_mut();
            for q in &mut questions {
                match q.id.as_str() {
                    "notes" => q.required = true,
                    "symptoms" => q.options.retain(|c| c.value != "cough"),
                    _ => continue,
                }
                assert!(crdt::update_question(&mut txn, &roots, q));
            }
            assert!(crdt::remove_question(&mut txn, &roots, "contact_details"));
        })
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let new = loop {
        let def = definition(&server, &form, &respondent).await;
        if def["version"] != json!(old) {
            assert_eq!(def["questions"].as_array().unwrap().len(), 8, "{def}");
            break def["version"].as_str().unwrap().to_owned();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the form never changed"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(new.len(), 16);

    // The answers that waited: no notes. Refused as filled in on an older form, naming the
    // question in both languages; nothing stored.
    let (status, body) = submit_on(
        &server,
        &form,
        &respondent,
        "queued-00001",
        checkin("李雷"),
        &old,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("form_changed")),
        "{body}"
    );
    assert_eq!(body["form_version"], json!(new));
    assert_eq!(body["filled_version"], json!(old));
    let errors = body["errors"].as_object().unwrap();
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["notes"], "{body}");
    assert_eq!(errors["notes"]["code"], "required");
    assert_eq!(
        errors["notes"]["label"],
        json!({"zh": "备注", "en": "Notes"})
    );
    assert_eq!(errors["notes"]["zh"], "此题必答");
    assert!(
        body["message"].as_str().unwrap().contains("Notes"),
        "{body}"
    );
    // A choice that is gone is refused the same way.
    let mut coughing = checkin("李雷");
    coughing["symptoms"] = json!(["cough"]);
    coughing["notes"] = json!("咳了两天");
    let (status, body) = submit_on(
        &server,
        &form,
        &respondent,
        "queued-00002",
        coughing.clone(),
        &old,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("form_changed"))
    );
    assert_eq!(body["errors"]["symptoms"]["label"]["en"], "Symptoms today");
    // The same answers filled in on the current form are simply invalid.
    let (status, body) =
        submit_on(&server, &form, &respondent, "fresh-00002", coughing, &new).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("invalid_answers"))
    );
    assert!(body["errors"]["symptoms"]["label"].is_null());
    let (_, list) = responses(&server, &form, &form.owner, "").await;
    assert_eq!(list["total"], 0, "nothing was stored");

    // Corrected (the person adds notes): accepted although filled in on the older version,
    // counted against it; the answer to the deleted question is dropped.
    let mut corrected = checkin("李雷");
    corrected["notes"] = json!("无");
    corrected["contact"] = json!(true);
    corrected["contact_details"] = json!("同桌发热");
    let (status, first) = submit_on(
        &server,
        &form,
        &respondent,
        "queued-00001",
        corrected.clone(),
        &old,
    )
    .await;
    assert_eq!(status, 201, "{first}");
    // Sent again after a lost reply: the same response, once.
    let (status, again) =
        submit_on(&server, &form, &respondent, "queued-00001", corrected, &old).await;
    assert_eq!((status, &again["receipt"]), (200, &first["receipt"]));
    // Without a version (an integration that does not send one) it counts as the current one;
    // a version that is not one is ignored the same way.
    let mut other = checkin("韩梅梅");
    other["notes"] = json!("无");
    let (status, _) = submit(&server, &form, &respondent, "no-version-1", other.clone()).await;
    assert_eq!(status, 201);
    let (status, body) = submit_on(
        &server,
        &form,
        &respondent,
        "odd-version-1",
        checkin("韩梅梅"),
        "<script>",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("invalid_answers"))
    );
    let (_, list) = responses(&server, &form, &form.owner, "").await;
    assert_eq!(list["total"], 2, "{list}");
    let rows = list["responses"].as_array().unwrap();
    assert_eq!(rows[0]["form_version"], json!(old));
    assert_eq!(rows[0]["answers"]["notes"], "无");
    assert!(
        rows[0]["answers"].get("contact_details").is_none(),
        "{list}"
    );
    assert_eq!(rows[1]["form_version"], json!(new));

    // An edit that waited offline is checked the same way, and records its version.
    let own = format!("/api/forms/{}/responses/own/queued-00001", form.id);
    let edit =
        |answers: Value, version: &str| json!({ "answers": answers, "form_version": version });
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &own,
        Some(&respondent),
        Some(edit(checkin("李雷"), &old)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("form_changed"))
    );
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &own,
        Some(&respondent),
        Some(edit(other, &new)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    drop(owner);
    server.stop().await;

    // The version is on disk with the response.
    let server = Server::start(data.path(), None).await;
    let (_, list) = responses(&server, &form, &form.owner, "").await;
    assert_eq!(list["responses"][0]["form_version"], json!(new), "{list}");
    server.stop().await;
}
