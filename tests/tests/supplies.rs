//! End-to-end: an NGO coordinator moves a donation of masks to "in transit" from the responses
//! table, sees the totals per item, status and hospital, and sets how long responses are kept.
//! Screenshots of the totals in both languages.

use anyhow::Result;
use e2e::{workspace_root, Driver, GatherServer, WAIT};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_moves_a_donation_along_and_reads_the_totals() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("supply-donation", "zh").await?;
    let link = server.respondent_link(&form, "捐赠登记").await?;
    let respondent = link["token"].as_str().unwrap().to_owned();
    for (i, (item, quantity, hospital)) in [
        ("n95_mask", 1000, "武汉协和医院"),
        ("n95_mask", 200, "金银潭医院"),
        ("protective_suit", 50, "金银潭医院"),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) = server
            .http(
                "POST",
                &format!("/api/forms/{}/responses", form.id),
                Some(&respondent),
                &json!({
                    "submission_id": format!("donation-{i:04}"),
                    "answers": {
                        "donor": "武汉加油志愿队", "phone": "13800138000", "item": item,
                        "quantity": quantity, "unit": "box", "hospital": hospital,
                        "status": "pledged"
                    }
                }),
            )
            .await?;
        assert_eq!(status, 201, "{body}");
    }

    let owner = driver.browser("coordinator", 500, 1000).await?;
    owner.goto(&server.url("/")).await?;
    owner
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    owner.goto(&server.url(&form.path)).await?;
    // Large donations need a thank-you call: the coordinator adds an alert rule.
    owner.find_testid("alerts-editor").await?;
    owner
        .js("const q = document.querySelector('[data-testid=alert-question]'); q.value = 'quantity'; \
             q.dispatchEvent(new Event('change', {bubbles: true})); return true;")
        .await?;
    owner
        .find_testid("alert-number")
        .await?
        .send_keys("1000")
        .await?;
    owner
        .find_testid("alert-label-zh")
        .await?
        .send_keys("大额捐赠")
        .await?;
    owner
        .find_testid("alert-label-en")
        .await?
        .send_keys("Large donation")
        .await?;
    owner.find_testid("add-alert-rule").await?.click().await?;
    owner
        .wait_js(
            "return [...document.querySelectorAll('[data-testid=alert-rule]')].some(r => r.textContent.includes('数量 ≥ 1000'));",
            WAIT,
        )
        .await?;
    owner
        .js("document.querySelector('[data-testid=alerts-editor]').scrollIntoView(); return true;")
        .await?;
    owner
        .screenshot(&shots.join("alert-rules-zh-phone.png"))
        .await?;
    owner.find_testid("tab-responses").await?.click().await?;
    owner
        .wait_js(
            "const rows = [...document.querySelectorAll('[data-testid=response-row]')]; \
             return rows.length === 3 && rows.filter(r => r.classList.contains('alerting')).length === 1;",
            WAIT,
        )
        .await?;
    owner
        .wait_js(
            "return document.querySelectorAll('[data-testid=response-status]').length === 3;",
            WAIT,
        )
        .await?;
    // The 1,000 masks for Union Hospital leave the warehouse.
    owner
        .js("const row = [...document.querySelectorAll('[data-testid=response-row]')].find(r => r.textContent.includes('武汉协和医院')); \
             const s = row.querySelector('[data-testid=response-status]'); \
             s.value = 'in_transit'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;")
        .await?;
    // The coordinator keeps donors' details for 90 days.
    owner
        .js(
            "const d = document.querySelector('[data-testid=retention-days]'); d.value = '90'; \
             d.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        )
        .await?;
    owner
        .wait_js(
            "return document.querySelector('.responses-retention')?.textContent.includes('已保存');",
            WAIT,
        )
        .await?;

    owner.find_testid("tab-today").await?.click().await?;
    let masks_row = "const rows = [...document.querySelectorAll('[data-testid=totals-items] [data-testid=totals-row]')]; \
        const masks = rows.find(r => r.textContent.includes('N95')); \
        return !!masks && [...masks.querySelectorAll('td')].map(t => t.textContent.trim()).join('|')";
    owner
        .wait_js(
            &format!("{masks_row} === 'N95口罩|200|1000|0|0|1200';"),
            WAIT,
        )
        .await?;
    owner
        .wait_js(
            "return document.querySelectorAll('[data-testid=totals-places] [data-testid=totals-row]').length === 3;",
            WAIT,
        )
        .await?;
    // The hospitals' request form: Jinyintan needs 3,000 N95 masks.
    let requests = server.create_form("supply-request", "zh").await?;
    let hospital_link = server.respondent_link(&requests, "医院").await?;
    let (status, body) = server
        .http(
            "POST",
            &format!("/api/forms/{}/responses", requests.id),
            Some(hospital_link["token"].as_str().unwrap()),
            &json!({
                "submission_id": "request-000001",
                "answers": {
                    "hospital": "金银潭医院", "item": "n95_mask", "quantity": 3000,
                    "urgency": "urgent", "contact_name": "张医生", "phone": "13900139000",
                    "address": "武汉市东西湖区银潭路1号"
                }
            }),
        )
        .await?;
    assert_eq!(status, 201, "{body}");
    let pasted = server.url(&requests.path);
    owner
        .js(&format!(
            "const i = document.querySelector('[data-testid=link-requests]'); i.value = '{pasted}'; \
             i.dispatchEvent(new Event('change', {{bubbles: true}})); return true;"
        ))
        .await?;
    owner
        .wait_js(
            "const row = document.querySelector('[data-testid=needs] [data-testid=needs-row]'); \
             return !!row && [...row.querySelectorAll('td')].map(t => t.textContent.trim()).join('|') \
               === '金银潭医院|N95口罩|3000|200|0|2800';",
            WAIT,
        )
        .await?;
    owner.screenshot(&shots.join("totals-zh-phone.png")).await?;

    // The status change is in the response's history, and the retention is on the server.
    let (_, retention) = server
        .http(
            "GET",
            &format!("/api/forms/{}/retention", form.id),
            Some(&form.owner_token),
            &serde_json::Value::Null,
        )
        .await?;
    assert_eq!(retention["days"], 90);

    let desk = driver.browser("coordinator-en", 1024, 800).await?;
    desk.goto(&server.url("/")).await?;
    desk.js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    // A bookmark of the day view's address (as for a health check-in) shows a supply
    // register's totals, and the address becomes the totals'.
    desk.goto(&server.url(&format!("/d/{}/today#t={}", form.id, form.owner_token)))
        .await?;
    desk.wait_js(
        "return document.querySelector('[data-testid=totals-items]')?.textContent.includes('In transit') \
           && location.pathname.endsWith('/totals') \
           && document.querySelector('[data-testid=tab-today]').getAttribute('aria-selected') === 'true';",
        WAIT,
    )
    .await?;
    desk.screenshot(&shots.join("totals-en.png")).await?;

    for browser in [owner, desk] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}
