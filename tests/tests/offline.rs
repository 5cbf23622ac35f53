//! End-to-end: a student on a bad network fills the check-in; the phone goes offline as they
//! press submit, the page says the answers wait on the device, and when the network is back
//! they are sent by themselves, exactly once.

use std::time::Duration;

use anyhow::Result;
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};
use serde_json::json;

async fn network(browser: &Browser, offline: bool) -> Result<()> {
    browser.cdp("Network.enable", json!({})).await?;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkin_filled_offline_is_sent_when_the_network_is_back() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("health-checkin", "en").await?;
    let (_, link) = server
        .http(
            "POST",
            &format!("/api/docs/{}/links", form.id),
            Some(&form.owner_token),
            &json!({ "role": "respondent", "label": "Class 3" }),
        )
        .await?;
    let fill_path = link["url"].as_str().unwrap().to_owned();

    let student = driver.browser("student", 500, 1000).await?;
    student.goto(&server.url("/")).await?;
    student
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    student.goto(&server.url(&fill_path)).await?;
    student.find_testid("fill-form").await?;
    student.type_into("name", "Li Lei").await?;
    student.type_into("student_id", "20200101").await?;
    student.type_into("class", "Class 3").await?;
    student.type_into("temperature", "36.6").await?;
    student.tick("symptoms", "none").await?;
    student
        .wait_js(
            "const b = document.querySelector('[data-testid=q-district] .region-toggle'); \
             if (!b) return false; b.click(); return true;",
            WAIT,
        )
        .await?;
    student.type_into("district.province", "湖北省").await?;
    student.tick("contact", "no").await?;

    // The network drops as they press submit.
    network(&student, true).await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-waiting").await?;
    student
        .screenshot(&shots.join("fill-waiting-en-phone.png"))
        .await?;
    let (_, list) = server
        .http(
            "GET",
            &format!("/api/forms/{}/responses", form.id),
            Some(&form.owner_token),
            &serde_json::Value::Null,
        )
        .await?;
    assert_eq!(list["total"], 0, "nothing reached the server");

    // Back online: it goes by itself (on the browser's `online` event, or the next retry).
    network(&student, false).await?;
    student
        .wait_js(
            "return !!document.querySelector('[data-testid=fill-done]');",
            Duration::from_secs(30),
        )
        .await?;
    let (_, list) = server
        .http(
            "GET",
            &format!("/api/forms/{}/responses", form.id),
            Some(&form.owner_token),
            &serde_json::Value::Null,
        )
        .await?;
    assert_eq!(list["total"], 1, "sent exactly once: {list}");
    student.close().await?;
    server.stop().await?;
    Ok(())
}
