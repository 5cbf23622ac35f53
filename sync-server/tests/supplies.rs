//! A supply register over real HTTP: editors move donations along the workflow (pledged → in
//! transit → …) with the change kept in the history, the totals add up per item, status and
//! hospital, and an owner sets how long responses are kept.

mod support;

use serde_json::{json, Value};
use support::forms::{create_form, link, submit};
use support::{http_json, Server};

fn donation(item: Value, quantity: u32, hospital: &str) -> Value {
    json!({
        "donor": "武汉加油志愿队", "phone": "13800138000", "item": item,
        "quantity": quantity, "unit": "box", "hospital": hospital, "status": "pledged"
    })
}

#[tokio::test]
async fn donations_move_along_and_add_up() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let form = create_form(&server, "supply-donation").await;
    let respondent = link(&server, &form, "respondent").await;
    let editor = link(&server, &form, "editor").await;
    for (i, (item, quantity, hospital)) in [
        (json!("n95_mask"), 1000, "武汉协和医院"),
        (json!("n95_mask"), 200, "金银潭医院"),
        (json!("protective_suit"), 50, "金银潭医院"),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) = submit(
            &server,
            &form,
            &respondent,
            &format!("donation-{i:04}"),
            donation(item, quantity, hospital),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, list) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses", form.id),
        Some(&editor),
        None,
    )
    .await;
    let first = list["responses"][0]["id"].as_i64().unwrap();
    let one = format!("/api/forms/{}/responses/{first}", form.id);

    // The 1,000 masks leave the warehouse.
    let (status, body) = http_json(
        server.addr,
        "PATCH",
        &one,
        Some(&editor),
        Some(json!({"status": "in_transit"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["answers"]["status"], "in_transit");
    assert_eq!(body["answers"]["phone"], "138****8000");
    let (status, _) = http_json(
        server.addr,
        "PATCH",
        &one,
        Some(&editor),
        Some(json!({"status": "lost"})),
    )
    .await;
    assert_eq!(status, 400, "not a stage of the workflow");
    let (status, _) = http_json(
        server.addr,
        "PATCH",
        &one,
        Some(&respondent),
        Some(json!({"status": "received"})),
    )
    .await;
    assert_eq!(status, 403);
    let (_, history) = http_json(
        server.addr,
        "GET",
        &format!("{one}/history"),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(history[1]["action"], "status_changed");
    assert_eq!(history[1]["before"]["status"], "pledged");

    let (status, totals) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/totals", form.id),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(status, 200, "{totals}");
    assert_eq!(totals["responses"], 3);
    let masks = &totals["items"][0];
    assert_eq!(masks["item"], "n95_mask");
    assert_eq!(masks["total"], 1200.0);
    assert_eq!(
        masks["by_status"],
        json!({"in_transit": 1000.0, "pledged": 200.0})
    );
    let jinyintan: Vec<&Value> = totals["places"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] == "金银潭医院")
        .collect();
    assert_eq!(jinyintan.len(), 2, "masks and suits: {totals}");
    // Linked to the hospitals' request form, the totals say what each hospital still needs.
    let requests = create_form(&server, "supply-request").await;
    let hospital = link(&server, &requests, "respondent").await;
    let (status, body) = submit(
        &server,
        &requests,
        &hospital,
        "request-000001",
        json!({
            "hospital": "金银潭医院", "item": "n95_mask", "quantity": 3000, "urgency": "urgent",
            "contact_name": "张医生", "phone": "13900139000", "address": "武汉市东西湖区银潭路1号"
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let link_path = format!("/api/forms/{}/requests", form.id);
    // Only a link that may read the request form's responses links it.
    let (status, _) = http_json(
        server.addr,
        "PUT",
        &link_path,
        Some(&editor),
        Some(json!({"form": requests.id, "token": hospital})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &link_path,
        Some(&editor),
        Some(json!({"form": requests.id, "token": requests.owner})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, totals) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/totals", form.id),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(
        totals["needs"],
        json!([{"place": "金银潭医院", "item": "n95_mask", "needed": 3000.0,
                "by_status": {"pledged": 200.0}, "donated": 200.0}])
    );

    // A health check-in is no supply register.
    let checkin = create_form(&server, "health-checkin").await;
    let (status, _) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/totals", checkin.id),
        Some(&checkin.owner),
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Only an owner sets how long responses are kept; a month is fine, forever is null.
    let retention = format!("/api/forms/{}/retention", form.id);
    let (status, _) = http_json(
        server.addr,
        "PUT",
        &retention,
        Some(&editor),
        Some(json!({"days": 30})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = http_json(
        server.addr,
        "PUT",
        &retention,
        Some(&form.owner),
        Some(json!({"days": 0})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &retention,
        Some(&form.owner),
        Some(json!({"days": 30})),
    )
    .await;
    assert_eq!((status, body["days"].clone()), (200, json!(30)));
    let (_, body) = http_json(server.addr, "GET", &retention, Some(&editor), None).await;
    assert_eq!(body["days"], 30);
    // Today's donations are well within a month: all still there.
    let (_, list) = http_json(
        server.addr,
        "GET",
        &format!("/api/forms/{}/responses", form.id),
        Some(&editor),
        None,
    )
    .await;
    assert_eq!(list["total"], 3);
    let (_, audit) = http_json(
        server.addr,
        "GET",
        &format!("/api/docs/{}/audit", form.id),
        Some(&form.owner),
        None,
    )
    .await;
    let events: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"response_status_changed"), "{events:?}");
    assert!(events.contains(&"retention_set"), "{events:?}");
    server.stop().await;
}
