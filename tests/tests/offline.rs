//! End-to-end: a student on a bad network fills the check-in; the phone goes offline as they
//! press submit, the page says the answers wait on the device, and when the network is back
//! they are sent by themselves, exactly once. A second check-in waits while the teacher makes a
//! question required: it comes back as not sent, naming the question, on the form as it is
//! now, and goes once corrected. A third waits while the teacher removes the choice it took,
//! and the page is opened again online: the page itself finds it refused, the same way.

use std::time::Duration;

use anyhow::{bail, Result};
use e2e::{workspace_root, Browser, Driver, GatherServer, NewDoc, WAIT};
use serde_json::{json, Value};

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

/// Fills in the check-in (every required question) as `name`.
async fn fill_checkin(student: &Browser, name: &str) -> Result<()> {
    student.find_testid("fill-form").await?;
    student.type_into("name", name).await?;
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
    Ok(())
}

async fn owner_get(server: &GatherServer, form: &NewDoc, path: &str) -> Result<Value> {
    let path = format!("/api/forms/{}{path}", form.id);
    let (_, reply) = server
        .http("GET", &path, Some(&form.owner_token), &Value::Null)
        .await?;
    Ok(reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkin_filled_offline_is_sent_when_the_network_is_back() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("health-checkin", "en").await?;
    let link = server.respondent_link(&form, "Class 3").await?;
    let fill_path = link["url"].as_str().unwrap().to_owned();

    let student = driver.browser("student", 500, 1000).await?;
    student.goto(&server.url("/")).await?;
    student
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    student.goto(&server.url(&fill_path)).await?;
    fill_checkin(&student, "Li Lei").await?;

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
    let first_version = owner_get(&server, &form, "").await?["version"].clone();
    assert_eq!(list["responses"][0]["form_version"], first_version);

    // A second check-in waits offline, filled in on the form as it is.
    student.find_testid("submit-another").await?.click().await?;
    fill_checkin(&student, "Han Meimei").await?;
    network(&student, true).await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-waiting").await?;

    // Meanwhile the teacher makes the notes required, in the builder.
    let teacher = driver.browser("teacher", 1024, 900).await?;
    teacher.goto(&server.url(&form.path)).await?;
    teacher.wait_online().await?;
    teacher
        .wait_js(
            "const box = document.querySelector('[data-testid=builder-notes] .card-head input[type=checkbox]'); \
             if (!box) return false; if (!box.checked) box.click(); return box.checked;",
            WAIT,
        )
        .await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    let changed = loop {
        let def = owner_get(&server, &form, "").await?;
        let notes = def["questions"]
            .as_array()
            .and_then(|q| q.iter().find(|q| q["id"] == "notes"));
        if notes.is_some_and(|q| q["required"] == true) {
            break def["version"].clone();
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the notes never became required: {def}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_ne!(changed, first_version);

    // Back online: refused, as not sent, naming the question, on the form as it is now.
    network(&student, false).await?;
    student
        .wait_js(
            "const r = document.querySelector('[data-testid=refused-notes]'); \
             return !!r && r.textContent.includes('Notes') \
                 && !document.querySelector('[data-testid=fill-waiting]') \
                 && !!document.querySelector('[data-testid=error-notes]');",
            Duration::from_secs(30),
        )
        .await?;
    student
        .js("document.querySelector('[data-testid=fill-refused]').scrollIntoView(); return true;")
        .await?;
    student
        .screenshot(&shots.join("fill-refused-en-phone.png"))
        .await?;
    student.find_testid("lang-switch").await?.click().await?;
    student
        .wait_js(
            "const r = document.querySelector('[data-testid=refused-notes]'); \
             return !!r && r.textContent.includes('备注') && r.textContent.includes('此题必答');",
            WAIT,
        )
        .await?;
    student
        .js("document.querySelector('[data-testid=fill-refused]').scrollIntoView(); return true;")
        .await?;
    student
        .screenshot(&shots.join("fill-refused-zh-phone.png"))
        .await?;
    assert_eq!(owner_get(&server, &form, "/responses").await?["total"], 1);

    // Corrected and sent again: stored once, against the form as it is now.
    student.type_into("notes", "一切正常").await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-done").await?;
    let list = owner_get(&server, &form, "/responses").await?;
    assert_eq!(list["total"], 2, "{list}");
    let second = &list["responses"][1];
    assert_eq!(second["answers"]["notes"], "一切正常", "{list}");
    assert_eq!(second["form_version"], changed);

    // A third waits with "fever" ticked; the teacher removes that choice; the student opens the
    // page again once online. The form as loaded now refuses the waiting answers, on the device.
    student.find_testid("submit-another").await?.click().await?;
    fill_checkin(&student, "Lin Tao").await?;
    student.tick("symptoms", "fever").await?;
    student.type_into("notes", "有点热").await?;
    network(&student, true).await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-waiting").await?;
    teacher
        .wait_js(
            "const b = document.querySelector('[data-testid=builder-symptoms] li.option-row:first-child button.icon'); \
             if (!b || b.parentElement.querySelector('.option-en').value !== 'Fever') return false; \
             b.click(); return true;",
            WAIT,
        )
        .await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let def = owner_get(&server, &form, "").await?;
        if !def.to_string().contains("\"fever\"") {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            bail!("fever was never removed: {def}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    network(&student, false).await?;
    student.client.refresh().await?;
    student
        .wait_js(
            "const r = document.querySelector('[data-testid=refused-symptoms]'); \
             return !!r && r.textContent.includes('症状') \
                 && !document.querySelector('[data-testid=fill-waiting]');",
            WAIT,
        )
        .await?;
    assert_eq!(owner_get(&server, &form, "/responses").await?["total"], 2);
    student.tick("symptoms", "none").await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-done").await?;
    let list = owner_get(&server, &form, "/responses").await?;
    assert_eq!(list["total"], 3, "{list}");
    assert_eq!(list["responses"][2]["answers"]["symptoms"], json!(["none"]));
    teacher.close().await?;
    student.close().await?;
    server.stop().await?;
    Ok(())
}
