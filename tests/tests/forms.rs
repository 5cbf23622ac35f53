//! End-to-end: a student fills the daily health check-in from a respondent link on a phone-sized
//! screen (in Chinese), a wrong temperature is flagged as it is typed, the response appears live
//! in the owner's responses table, and the owner's CSV export holds the row. Screenshots of the
//! fill page, the confirmation and the responses table in both languages.

use anyhow::Result;
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};
use fantoccini::Locator;

/// Replaces what the field named `name` holds with `text`.
async fn retype(browser: &Browser, name: &str, text: &str) -> Result<()> {
    let input = browser
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("[name='{name}']")))
        .await?;
    input.clear().await?;
    browser.type_into(name, text).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_fills_the_checkin_on_a_phone_and_the_owner_sees_and_exports_it() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("health-checkin", "zh").await?;
    let link = server.respondent_link(&form, "三年二班").await?;
    let fill_path = link["url"].as_str().unwrap().to_owned();
    assert!(fill_path.starts_with("/f/"), "{fill_path}");

    // The health officer has the responses tab open before anyone reports.
    let owner = driver.browser("owner", 1024, 900).await?;
    owner.goto(&server.url("/")).await?;
    owner
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    owner.goto(&server.url(&form.path)).await?;
    owner.wait_online().await?;
    owner.find_testid("form-builder").await?;
    // The health officer renames a question in the builder; respondents see the new wording.
    let label = owner
        .client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(
            "[data-testid=builder-temperature] input.label-en",
        ))
        .await?;
    label.click().await?;
    owner
        .js("document.activeElement.select(); return true;")
        .await?;
    label.send_keys("Morning temperature (°C)\t").await?;
    owner
        .js("document.querySelector('[data-testid=builder-temperature]').scrollIntoView(); return true;")
        .await?;
    owner.screenshot(&shots.join("form-builder-en.png")).await?;
    // The organiser's views are their own build, which the document page fetches in the
    // background once the document is in.
    owner
        .wait_js(
            "const files = [...document.querySelectorAll('link[rel=prefetch]')].map(l => l.getAttribute('href')); \
             return files.some(f => /^\\/organise\\/app-[0-9a-f]+_bg\\.wasm$/.test(f)) \
               && files.some(f => /^\\/organise\\/app-[0-9a-f]+\\.js$/.test(f));",
            WAIT,
        )
        .await?;
    owner.find_testid("tab-responses").await?.click().await?;
    owner.find_testid("responses-table").await?;
    // The organiser's views are a page of their own, with an address for each tab: By day
    // switches in place, Back returns to the responses, a reload stays on its tab, and Edit
    // form goes back to the builder.
    let selected = |tab: &str, path: &str| {
        format!(
            "return location.pathname.endsWith('{path}') && location.hash.startsWith('#t=') \
               && document.querySelector('[data-testid={tab}]')?.getAttribute('aria-selected') === 'true'"
        )
    };
    owner
        .wait_js(&selected("tab-responses", "/responses"), WAIT)
        .await?;
    // The owner can send the form's link from here too.
    owner.find_testid("share").await?.click().await?;
    owner
        .wait_js(
            "return !!document.querySelector('[data-testid=share-dialog] [data-testid=link-role]');",
            WAIT,
        )
        .await?;
    owner.find_testid("close-dialog").await?.click().await?;
    owner.find_testid("tab-today").await?.click().await?;
    owner.find_testid("day-panel").await?;
    owner
        .wait_js(&selected("tab-today", "/today"), WAIT)
        .await?;
    owner.client.back().await?;
    owner
        .wait_js(
            &format!(
                "{} && !!document.querySelector('[data-testid=responses-table]') \
                   && !document.querySelector('[data-testid=day-panel]');",
                selected("tab-responses", "/responses")
            ),
            WAIT,
        )
        .await?;
    owner.client.refresh().await?;
    owner.find_testid("responses-table").await?;
    owner
        .wait_js(&selected("tab-responses", "/responses"), WAIT)
        .await?;
    owner.find_testid("tab-edit").await?.click().await?;
    owner.find_testid("form-builder").await?;
    owner.wait_online().await?;
    owner.client.back().await?;
    owner.find_testid("responses-table").await?;

    // A student on a phone, in Chinese.
    let student = driver.browser("student", 500, 1000).await?;
    student.goto(&server.url("/")).await?;
    student
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    student.goto(&server.url(&fill_path)).await?;
    student.find_testid("fill-form").await?;
    // The phone downloaded the fill page's own build, not the whole app.
    let wasm: Vec<String> = serde_json::from_value(
        student
            .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.wasm'));")
            .await?,
    )?;
    assert!(
        wasm.len() == 1 && wasm[0].contains("/fill/"),
        "wasm loaded: {wasm:?}"
    );
    // The form was asked for once, by the page's early script, before the app had loaded.
    let asked = student
        .js("const all = performance.getEntriesByType('resource');              const wasm = all.find(e => e.name.endsWith('.wasm'));              return all.filter(e => e.name.includes('/api/forms/'))                  .map(e => [e.startTime, wasm.responseEnd]);")
        .await?;
    let asked: Vec<(f64, f64)> = serde_json::from_value(asked)?;
    assert!(
        asked.len() == 1 && asked[0].0 < asked[0].1,
        "the form's requests (start, the wasm's end): {asked:?}"
    );
    student.wait_js("return document.title.includes('每日健康打卡') || document.body.textContent.includes('每日健康打卡');", WAIT).await?;
    retype(&student, "name", "李雷").await?;
    retype(&student, "student_id", "20200101").await?;
    retype(&student, "class", "三年二班").await?;
    // A mistyped temperature is flagged, in Chinese, once the student moves on.
    retype(&student, "temperature", "63.6").await?;
    retype(&student, "class", "").await?;
    retype(&student, "class", "三年二班").await?;
    student
        .wait_js(
            "const e = document.querySelector('[data-testid=error-temperature]'); \
             return !!e && e.offsetParent !== null && e.textContent.includes('35');",
            WAIT,
        )
        .await?;
    retype(&student, "temperature", "36.6").await?;
    student.tick("symptoms", "none").await?;
    // The region comes from the pick lists (GB/T 2260 divisions), province first.
    student.pick("district.province", "湖北省").await?;
    student.pick("district.city", "武汉市").await?;
    student.pick("district.district", "武昌区").await?;
    student.tick("contact", "no").await?;
    // The details question only shows after "yes".
    student
        .wait_js("const q = document.querySelector('[data-testid=q-contact_details]'); return !q || q.offsetParent === null;", WAIT)
        .await?;
    student.screenshot(&shots.join("fill-zh-phone.png")).await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-done").await?;
    let receipt = student.find_testid("receipt").await?.text().await?;
    let receipt = receipt.trim().to_owned();
    assert_eq!(receipt.len(), 9, "receipt code {receipt:?}");
    student
        .screenshot(&shots.join("fill-done-zh-phone.png"))
        .await?;

    // It appears in the owner's table without a reload.
    owner
        .wait_js(
            &format!(
                "return [...document.querySelectorAll('[data-testid=response-row]')]\
                 .some(r => r.textContent.includes('李雷') && r.textContent.includes('{receipt}') && r.textContent.includes('36.6'));"
            ),
            WAIT,
        )
        .await?;
    owner.screenshot(&shots.join("responses-en.png")).await?;

    // The CSV export has the row, with a BOM for Excel.
    let downloads = data.path().join("downloads");
    owner.allow_downloads(&downloads).await?;
    owner.find_testid("export-csv").await?.click().await?;
    let csv =
        tokio::task::spawn_blocking(move || e2e::wait_for_download(&downloads, "csv")).await??;
    assert!(csv.starts_with('\u{feff}'), "no BOM");
    let row = csv
        .lines()
        .find(|l| l.contains(&receipt))
        .unwrap_or_else(|| panic!("no row with {receipt} in {csv}"));
    assert!(
        row.contains("李雷") && row.contains("36.6") && row.contains("湖北省 武汉市 武昌区"),
        "{row}"
    );

    // The same pages in the other languages, for the screenshots.
    // Reopened the same day, the link shows the student's receipt again.
    student.goto(&server.url(&fill_path)).await?;
    student.wait_js(&format!("return document.querySelector('[data-testid=receipt]')?.textContent.includes('{receipt}');"), WAIT).await?;
    let other = driver.browser("student-en", 500, 1000).await?;
    other.goto(&server.url("/")).await?;
    other
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    other.goto(&server.url(&fill_path)).await?;
    other.find_testid("fill-form").await?;
    other
        .wait_js("return document.querySelector('[data-testid=q-temperature]').textContent.includes('Morning temperature');", WAIT)
        .await?;
    other.screenshot(&shots.join("fill-en-phone.png")).await?;
    // A student in Hong Kong is not in the division table: they type the place instead.
    other
        .wait_js(
            "const b = document.querySelector('[data-testid=q-district] .region-toggle'); \
             if (!b) return false; b.click(); return true;",
            WAIT,
        )
        .await?;
    retype(&other, "district.province", "香港特别行政区").await?;
    let phone_owner = driver.browser("owner-phone", 500, 1000).await?;
    phone_owner.goto(&server.url("/")).await?;
    phone_owner
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    phone_owner.goto(&server.url(&form.path)).await?;
    phone_owner.find_testid("form-builder").await?;
    phone_owner
        .screenshot(&shots.join("form-builder-zh-phone.png"))
        .await?;
    phone_owner
        .find_testid("tab-responses")
        .await?
        .click()
        .await?;
    phone_owner
        .wait_js(
            "return document.querySelectorAll('[data-testid=response-row]').length === 1;",
            WAIT,
        )
        .await?;
    phone_owner
        .screenshot(&shots.join("responses-zh-phone.png"))
        .await?;

    // The health officer corrects a mistyped temperature from the table; the row changes and
    // the history says who corrected it.
    phone_owner
        .find_testid("response-correct")
        .await?
        .click()
        .await?;
    phone_owner.find_testid("correct-dialog").await?;
    phone_owner
        .js("const t = document.querySelector(\"[data-testid=correct-dialog] [name='temperature']\"); \
             t.select(); return true;")
        .await?;
    phone_owner
        .client
        .find(Locator::Css(
            "[data-testid=correct-dialog] [name='temperature']",
        ))
        .await?
        .send_keys("37.2")
        .await?;
    phone_owner
        .screenshot(&shots.join("correct-zh-phone.png"))
        .await?;
    phone_owner
        .find_testid("correct-save")
        .await?
        .click()
        .await?;
    phone_owner
        .wait_js(
            "return !document.querySelector('[data-testid=correct-dialog]') && \
             [...document.querySelectorAll('[data-testid=response-row]')].some(r => r.textContent.includes('37.2'));",
            WAIT,
        )
        .await?;
    phone_owner
        .find_testid("response-history")
        .await?
        .click()
        .await?;
    phone_owner
        .wait_js(
            "const d = document.querySelector('[data-testid=history-dialog]'); \
             return !!d && d.textContent.includes('更正') && d.textContent.includes('36.6 → 37.2');",
            WAIT,
        )
        .await?;
    phone_owner
        .screenshot(&shots.join("history-zh-phone.png"))
        .await?;

    for browser in [owner, student, other, phone_owner] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}
