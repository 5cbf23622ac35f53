//! Rosters over real HTTP against a real SQLite file: importing (a bad file changes nothing),
//! personal links that fill in and lock who is answering, one response per person per day (a
//! second one replaces the first, kept in its history), ids checked against the roster on a
//! shared link, the day view of who is missing and whose answers raise alerts, and replacing
//! the roster (kept people keep their links, removed people's links stop working).

mod support;

use serde_json::{json, Value};
use support::forms::{create_form, link, submit, Form};
use support::{http_json, http_raw, Server};

async fn put_roster(server: &Server, form: &Form, token: &str, csv: &str) -> (u16, Value) {
    let path = format!("/api/forms/{}/roster", form.id);
    let (status, _, body) =
        http_raw(server.addr, "PUT", &path, token, "text/csv", csv.as_bytes()).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn checkin(id: &str, name: &str, class: &str, temperature: f64) -> Value {
    json!({
        "name": name, "student_id": id, "class": class,
        "temperature": temperature, "symptoms": ["none"],
        "district": {"province": "湖北省", "city": "武汉市", "district": "武昌区"},
        "contact": false
    })
}

fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    gather_doc::form::FormDef::default().day_of(now)
}

#[tokio::test]
async fn a_roster_gives_personal_links_one_checkin_a_day_and_a_list_of_who_is_missing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    let editor = link(&server, &form, "editor").await;
    let shared = link(&server, &form, "respondent").await;

    // A bad file is refused whole, naming each bad line, and changes nothing.
    let (status, body) = put_roster(
        &server,
        &form,
        &editor,
        "学号,姓名,班级\n20200101,李雷,三年二班\n,无学号,三年二班\n20200101,重复,三年二班\n",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let lines: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].clone())
        .collect();
    assert_eq!(lines, [json!(3), json!(4)]);
    let roster_path = format!("/api/forms/{}/roster", form.id);
    let (_, roster) = http_json(server.addr, "GET", &roster_path, Some(&editor), None).await;
    assert_eq!(roster, json!([]));
    assert_eq!(
        put_roster(&server, &form, &shared, "id,name\n1,x\n")
            .await
            .0,
        403
    );

    let csv = "\u{feff}学号,姓名,班级\r\n20200101,李雷,三年二班\r\n20200102,韩梅梅,三年二班\r\n20200201,王林,三年三班\r\n";
    let (status, roster) = put_roster(&server, &form, &editor, csv).await;
    assert_eq!(status, 200, "{roster}");
    let people = roster.as_array().unwrap();
    assert_eq!(people.len(), 3);
    assert_eq!(people[0]["name"], "李雷");
    assert!(people[0]["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("/f/{}#t=", form.id)));
    let token = |i: usize| people[i]["token"].as_str().unwrap().to_owned();
    let (li_lei, wang_lin) = (token(0), token(2));
    // Personal links are not listed with the share links.
    let (_, links) = http_json(
        server.addr,
        "GET",
        &format!("/api/docs/{}/links", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    assert_eq!(
        links.as_array().unwrap().len(),
        3,
        "owner, editor and shared links only: {links}"
    );

    // Li Lei's link knows him; he has not reported today.
    let def_path = format!("/api/forms/{}", form.id);
    let (_, def) = http_json(server.addr, "GET", &def_path, Some(&li_lei), None).await;
    assert_eq!(
        def["person"],
        json!({"id": "20200101", "name": "李雷", "group": "三年二班"})
    );
    assert_eq!(def["reported"], Value::Null);
    // His link fills in who he is, whatever the page sent.
    let (status, first) = submit(
        &server,
        &form,
        &li_lei,
        "li-lei-day-1",
        checkin("999", "冒名", "别班", 36.6),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let (_, def) = http_json(server.addr, "GET", &def_path, Some(&li_lei), None).await;
    assert_eq!(def["reported"]["receipt"], first["receipt"]);
    assert_eq!(def["reported"]["submission_id"], "li-lei-day-1");
    // A second check-in the same day replaces the first: same response, history kept.
    let (status, second) = submit(
        &server,
        &form,
        &li_lei,
        "li-lei-day-1b",
        checkin("", "", "", 38.1),
    )
    .await;
    assert_eq!(
        (status, second["replaced"].clone()),
        (200, json!(true)),
        "{second}"
    );
    assert_eq!(second["response_id"], first["response_id"]);
    // Editing it on his link cannot change who he is either.
    let own = format!("/api/forms/{}/responses/own/li-lei-day-1", form.id);
    let (status, edited) = http_json(
        server.addr,
        "PUT",
        &own,
        Some(&li_lei),
        Some(json!({"answers": checkin("999", "冒名", "别班", 38.1)})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["answers"]["name"], "李雷");

    // On the shared link the student id must be on the roster.
    let (status, body) = submit(
        &server,
        &form,
        &shared,
        "shared-000001",
        checkin("20209999", "某人", "三年二班", 36.5),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"]["student_id"]["code"], "not_on_roster");
    let (status, _) = submit(
        &server,
        &form,
        &shared,
        "shared-000002",
        checkin("20200102", "韩梅梅", "三年二班", 36.5),
    )
    .await;
    assert_eq!(status, 201);

    let (_, list) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses", form.id),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(list["total"], 2, "one row per person: {list}");
    let li = list["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == "20200101")
        .unwrap();
    assert_eq!(
        (
            li["answers"]["name"].clone(),
            li["answers"]["temperature"].clone()
        ),
        (json!("李雷"), json!(38.1))
    );
    let (_, history) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses/{}/history", form.id, li["id"]),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(history[1]["action"], "resubmitted");
    assert_eq!(history[1]["before"]["temperature"], 36.6);

    // The day view: Wang Lin is missing, Li Lei has a fever.
    let (status, day) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/days/{}", form.id, today()),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, 200, "{day}");
    let names = |key: &str| {
        day[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("reported"), ["李雷", "韩梅梅"]);
    assert_eq!(names("missing"), ["王林"]);
    assert_eq!(day["alerts"].as_array().unwrap().len(), 1, "{day}");
    assert_eq!(day["alerts"][0]["person_id"], "20200101");
    assert_eq!(day["alerts"][0]["question_id"], "temperature");
    assert_eq!(day["alerts"][0]["value"], 38.1);
    assert_eq!(
        day["groups"][0],
        json!({"group": "三年二班", "total": 2, "reported": 2, "missing": 0, "alerts": 1})
    );
    assert_eq!(day["groups"][1]["missing"], 1);
    let (status, _) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/days/yesterday", form.id),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        http_json(
            server.addr,
            "GET",
            &format!("/api/forms/{}/days/{}", form.id, today()),
            Some(&shared),
            None
        )
        .await
        .0,
        403
    );

    // On the shared link a typed id is never a replacement: anyone could type anyone's id.
    let (status, body) = submit(
        &server,
        &form,
        &shared,
        "shared-000003",
        checkin("20200102", "韩梅梅", "三年二班", 36.7),
    )
    .await;
    assert_eq!(
        status, 201,
        "a new response, not Han Meimei's replaced: {body}"
    );
    assert_eq!(
        body["submission_id"],
        Value::Null,
        "and nobody else's submission id"
    );

    // The health officer has called Li Lei's family: the alert is cleared, with who and when.
    let day_path = format!("/api/forms/{}/days/{}", form.id, today());
    let clear = format!(
        "/api/forms/{}/responses/{}/alerts/{}/clear",
        form.id, day["alerts"][0]["response_id"], day["alerts"][0]["rule"]
    );
    let (status, _) = http_json(server.addr, "POST", &clear, Some(&editor), None).await;
    assert_eq!(status, 200);
    let (_, cleared) = http_json(server.addr, "GET", &day_path, Some(&editor), None).await;
    assert_eq!(
        cleared["alerts"][0]["cleared"]["by"],
        "editor link (editor)"
    );
    assert_eq!(cleared["groups"][0]["alerts"], 0);
    // A new fever reported later raises it again.
    let (status, _) = submit(
        &server,
        &form,
        &li_lei,
        "li-lei-day-1c",
        checkin("", "", "", 38.4),
    )
    .await;
    assert_eq!(status, 200);
    let (_, again) = http_json(server.addr, "GET", &day_path, Some(&editor), None).await;
    assert_eq!(again["alerts"][0]["cleared"], Value::Null);
    assert_eq!(again["alerts"][0]["value"], 38.4);

    // A new roster: Wang Lin leaves, Zhao Liu joins. Li Lei's printed link still works; Wang
    // Lin's no longer does.
    let csv =
        "id,name,group\n20200101,李雷,三年二班\n20200102,韩梅梅,三年二班\n20200301,赵六,三年四班\n";
    let (status, roster) = put_roster(&server, &form, &editor, csv).await;
    assert_eq!(status, 200);
    assert_eq!(roster[0]["token"].as_str(), Some(li_lei.as_str()));
    assert_eq!(roster[2]["name"], "赵六");
    assert_eq!(
        http_json(server.addr, "GET", &def_path, Some(&li_lei), None)
            .await
            .0,
        200
    );
    assert_eq!(
        http_json(server.addr, "GET", &def_path, Some(&wang_lin), None)
            .await
            .0,
        401
    );
    server.stop().await;
}

#[tokio::test]
async fn a_roster_can_be_an_excel_workbook() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "health-checkin").await;
    // As a school keeps it: ids typed as numbers, Chinese names and classes.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, heading) in ["学号", "姓名", "班级"].iter().enumerate() {
        sheet.write_string(0, col as u16, *heading).unwrap();
    }
    for (row, (id, name, class)) in [
        (20200101, "李雷", "三年二班"),
        (20200201, "王林", "三年三班"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = row as u32 + 1;
        sheet.write_number(row, 0, f64::from(id)).unwrap();
        sheet.write_string(row, 1, name).unwrap();
        sheet.write_string(row, 2, class).unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    let path = format!("/api/forms/{}/roster", form.id);
    let content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (status, _, body) =
        http_raw(server.addr, "PUT", &path, &form.owner, content_type, &xlsx).await;
    let roster: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{roster}");
    assert_eq!(roster[0]["person_id"], "20200101");
    assert_eq!(roster[1]["name"], "王林");
    // A damaged workbook is refused, and the roster stays as it was.
    let (status, _, body) = http_raw(
        server.addr,
        "PUT",
        &path,
        &form.owner,
        content_type,
        &xlsx[..xlsx.len() / 2],
    )
    .await;
    let refused: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"][0]["zh"]
        .as_str()
        .unwrap()
        .contains("Excel"));
    let (_, kept) = http_json(server.addr, "GET", &path, Some(&form.owner), None).await;
    assert_eq!(kept.as_array().unwrap().len(), 2);
    server.stop().await;
}
