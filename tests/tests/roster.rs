//! End-to-end: the school health officer uploads a roster of three students; two report from
//! their personal links on phones (one with 38.1 °C); the day view shows one missing and one
//! alert; a student who reports again the same day from another device replaces their earlier
//! check-in instead of adding one. Screenshots of the roster, a personal fill page and
//! the day view, in both languages.

use anyhow::Result;
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};

/// Types the region instead of picking it (the lists are tested elsewhere).
async fn typed_region(browser: &Browser) -> Result<()> {
    browser
        .wait_js(
            "const b = document.querySelector('[data-testid=q-district] .region-toggle'); \
             if (!b) return false; b.click(); return true;",
            WAIT,
        )
        .await?;
    browser.type_into("district.province", "湖北省").await?;
    browser.type_into("district.city", "武汉市").await
}

/// Fills today's check-in (identity already known) and sends it.
async fn check_in(browser: &Browser, temperature: &str) -> Result<()> {
    browser.type_into("temperature", temperature).await?;
    browser.tick("symptoms", "none").await?;
    typed_region(browser).await?;
    browser.tick("contact", "no").await?;
    browser.find_testid("fill-submit").await?.click().await?;
    browser.find_testid("fill-done").await?;
    Ok(())
}

async fn open_as(driver: &Driver, name: &str, lang: &str, url: &str) -> Result<Browser> {
    let browser = driver.browser(name, 500, 1000).await?;
    let origin = url.split("/f/").next().unwrap_or_default().to_owned();
    browser.goto(&format!("{origin}/")).await?;
    browser
        .js(&format!(
            "localStorage.setItem('gather-lang', '{lang}'); return true;"
        ))
        .await?;
    browser.goto(url).await?;
    Ok(browser)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_officer_sees_who_is_missing_and_who_has_a_fever() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("health-checkin", "zh").await?;

    // The officer uploads the roster from a spreadsheet.
    let officer = driver.browser("officer", 500, 1000).await?;
    officer.goto(&server.url("/")).await?;
    officer
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    officer.goto(&server.url(&form.path)).await?;
    officer.find_testid("tab-roster").await?.click().await?;
    officer.find_testid("no-roster").await?;
    let csv = data.path().join("三年级名单.csv");
    std::fs::write(
        &csv,
        "\u{feff}学号,姓名,班级\r\n20200101,李雷,三年二班\r\n20200102,韩梅梅,三年二班\r\n20200201,王林,三年三班\r\n",
    )?;
    officer
        .find_testid("roster-file")
        .await?
        .send_keys(&csv.display().to_string())
        .await?;
    officer
        .wait_js(
            "return document.querySelector('[data-testid=roster-count]')?.textContent.includes('3');",
            WAIT,
        )
        .await?;
    let links: Vec<String> = serde_json::from_value(
        officer
            .js("return [...document.querySelectorAll('[data-testid=personal-link]')].map(e => e.textContent);")
            .await?,
    )?;
    assert_eq!(links.len(), 3, "{links:?}");
    assert!(links.iter().all(|l| l.contains("/f/")), "{links:?}");
    // A transfer student joins, by hand; then leaves again. The others keep their links.
    for (testid, value) in [
        ("add-person-id", "20200301"),
        ("add-person-name", "赵六"),
        ("add-person-group", "三年三班"),
    ] {
        officer.find_testid(testid).await?.send_keys(value).await?;
    }
    officer.find_testid("add-person").await?.click().await?;
    officer
        .wait_js("return document.querySelector('[data-testid=roster-count]')?.textContent.includes('4');", WAIT)
        .await?;
    officer
        .screenshot(&shots.join("roster-zh-phone.png"))
        .await?;
    officer
        .js("window.confirm = () => true; \
             [...document.querySelectorAll('[data-testid=roster-person]')].find(r => r.textContent.includes('赵六')) \
               .querySelector('[data-testid=remove-person]').click(); return true;")
        .await?;
    officer
        .wait_js("return document.querySelector('[data-testid=roster-count]')?.textContent.includes('3');", WAIT)
        .await?;
    let kept: Vec<String> = serde_json::from_value(
        officer
            .js("return [...document.querySelectorAll('[data-testid=personal-link]')].map(e => e.textContent);")
            .await?,
    )?;
    assert_eq!(kept, links, "the others' links did not change");

    // Li Lei's personal link knows him: his name, id and class are not asked.
    let li_lei_stale = open_as(&driver, "li-lei-tablet", "zh", &links[0]).await?;
    li_lei_stale.find_testid("fill-form").await?;
    let li_lei = open_as(&driver, "li-lei", "zh", &links[0]).await?;
    li_lei
        .wait_js(
            "return document.querySelector('[data-testid=fill-person]')?.textContent.includes('李雷（三年二班）');",
            WAIT,
        )
        .await?;
    li_lei
        .wait_js("return !document.querySelector(\"[name='name']\") && !!document.querySelector(\"[name='temperature']\");", WAIT)
        .await?;
    li_lei
        .screenshot(&shots.join("fill-personal-zh-phone.png"))
        .await?;
    check_in(&li_lei, "36.6").await?;
    let receipt = li_lei.find_testid("receipt").await?.text().await?;

    // Han Meimei, in English, has a fever.
    let han = open_as(&driver, "han-meimei", "en", &links[1]).await?;
    han.wait_js(
        "return document.querySelector('[data-testid=fill-person]')?.textContent.includes('Filling in as 韩梅梅');",
        WAIT,
    )
    .await?;
    check_in(&han, "38.1").await?;

    // Li Lei's link on another phone says he has reported today, with his receipt.
    let li_lei_again = open_as(&driver, "li-lei-2", "zh", &links[0]).await?;
    li_lei_again
        .wait_js(
            &format!("return document.querySelector('[data-testid=receipt]')?.textContent.includes('{}');", receipt.trim()),
            WAIT,
        )
        .await?;
    assert!(
        li_lei_again
            .js("return !document.querySelector('[data-testid=submit-another]');")
            .await?
            == serde_json::Value::Bool(true),
        "a personal link offers no second response"
    );

    // His tablet at home still had the form open from before: he reports again there, and it
    // replaces this morning's check-in instead of adding one.
    check_in(&li_lei_stale, "36.9").await?;

    // The day view: Wang Lin has not reported; Han Meimei needs attention.
    officer.find_testid("tab-today").await?.click().await?;
    officer
        .wait_js(
            "const n = id => document.querySelector(`[data-testid=${id}]`)?.textContent.trim(); \
             return n('day-reported') === '2' && n('day-missing') === '1' && n('day-attention') === '1';",
            WAIT,
        )
        .await?;
    officer
        .wait_js(
            "return [...document.querySelectorAll('[data-testid=missing-name]')].map(e => e.textContent).join() === '王林' \
             && document.querySelector('[data-testid=day-alert]').textContent.includes('韩梅梅') \
             && document.querySelector('[data-testid=day-alert]').textContent.includes('38.1');",
            WAIT,
        )
        .await?;
    officer.screenshot(&shots.join("day-zh-phone.png")).await?;
    // She calls Han Meimei's family and marks the alert as handled.
    officer.find_testid("clear-alert").await?.click().await?;
    officer
        .wait_js(
            "return document.querySelector('[data-testid=day-attention]')?.textContent.trim() === '0' \
             && !!document.querySelector('[data-testid=alert-cleared]');",
            WAIT,
        )
        .await?;

    // The responses table: one row per student, Li Lei's with the later temperature, Han
    // Meimei's highlighted.
    officer.find_testid("tab-responses").await?.click().await?;
    officer
        .wait_js(
            "const rows = [...document.querySelectorAll('[data-testid=response-row]')]; \
             return rows.length === 2 \
               && rows.some(r => r.textContent.includes('李雷') && r.textContent.includes('36.9')) \
               && rows.some(r => r.textContent.includes('韩梅梅') && r.classList.contains('alerting'));",
            WAIT,
        )
        .await?;

    // The same day view in English, wider.
    let desk = driver.browser("officer-desk", 1024, 900).await?;
    desk.goto(&server.url("/")).await?;
    desk.js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    desk.goto(&server.url(&form.path)).await?;
    desk.find_testid("tab-today").await?;
    // The next morning: the home page's list links the form's day view directly.
    desk.goto(&server.url("/")).await?;
    let link = desk.find_testid("doc-today").await?;
    desk.screenshot(&shots.join("home-form-links-en.png"))
        .await?;
    link.click().await?;
    desk.wait_js(
        "return document.querySelector('[data-testid=day-missing]')?.textContent.trim() === '1';",
        WAIT,
    )
    .await?;
    desk.screenshot(&shots.join("day-en.png")).await?;

    // The officer's phone lists the form with its responses and day view too.
    officer.goto(&server.url("/")).await?;
    officer.find_testid("doc-today").await?;
    officer
        .screenshot(&shots.join("home-form-links-zh-phone.png"))
        .await?;

    for browser in [officer, li_lei, han, li_lei_again, li_lei_stale, desk] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}
