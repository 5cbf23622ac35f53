//! End-to-end: a student fills the return-to-school form on a phone, a page at a time (Next
//! refuses a page with a missing answer), attaches a screenshot to the photo question, and
//! sends it; the picture reaches the server re-encoded as JPEG, and the owner opens it from the
//! responses table. Screenshots of both pages and the photo in both languages.

use anyhow::Result;
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};

/// Waits until the page counter reads `label`.
async fn on_page(browser: &Browser, label: &str) -> Result<()> {
    browser
        .wait_js(
            &format!(
                "return document.querySelector('[data-testid=fill-page]')?.textContent.trim() === '{label}';"
            ),
            WAIT,
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_is_filled_page_by_page_with_a_photo_the_owner_then_opens() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let form = server.create_form("return-to-school", "en").await?;
    let link = server.respondent_link(&form, "Class 3").await?;
    let fill_path = link["url"].as_str().unwrap().to_owned();

    let student = driver.browser("student", 500, 1000).await?;
    student.goto(&server.url("/")).await?;
    student
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    student.goto(&server.url(&fill_path)).await?;
    student.find_testid("fill-form").await?;
    on_page(&student, "Page 1 of 2").await?;
    // Next with nothing filled in stays on the page and says what is missing.
    student.find_testid("fill-submit").await?.click().await?;
    student
        .wait_js(
            "const e = document.querySelector('[data-testid=error-name]'); \
             return !!e && e.offsetParent !== null && e.textContent.includes('required');",
            WAIT,
        )
        .await?;
    on_page(&student, "Page 1 of 2").await?;
    student.type_into("name", "Li Lei").await?;
    student.type_into("student_id", "20200101").await?;
    student.type_into("class", "Class 3").await?;
    student.type_into("phone", "13812345678").await?;
    student.find_testid("fill-submit").await?.click().await?;
    on_page(&student, "Page 2 of 2").await?;
    student
        .wait_js("return !document.querySelector(\"[name='name']\");", WAIT)
        .await?;
    student.tick("travelled", "no").await?;
    student.tick("health_code", "green").await?;
    student
        .js(
            "const d = document.querySelector(\"[name='arrival_date']\"); d.value = '2020-03-02'; \
             d.dispatchEvent(new Event('input', {bubbles: true})); return true;",
        )
        .await?;

    // The "health code screenshot" is a real screenshot: this phone's screen, as a PNG file.
    let picture = data.path().join("health-code.png");
    std::fs::write(&picture, student.client.screenshot().await?)?;
    let file_input = student.find_testid("photo-file").await?;
    file_input.send_keys(&picture.display().to_string()).await?;
    student
        .wait_js(
            "const i = document.querySelector('[data-testid=photo-thumb]'); \
             return !!i && i.complete && i.naturalWidth > 0;",
            WAIT,
        )
        .await?;
    student
        .js("document.querySelector('[data-testid=q-health_code_photo]').scrollIntoView(); return true;")
        .await?;
    student
        .screenshot(&shots.join("fill-photo-en-phone.png"))
        .await?;
    // Back keeps what was typed.
    student.find_testid("fill-back").await?.click().await?;
    student
        .wait_js(
            "return document.querySelector(\"[name='name']\")?.value === 'Li Lei';",
            WAIT,
        )
        .await?;
    student.find_testid("fill-submit").await?.click().await?;
    on_page(&student, "Page 2 of 2").await?;
    student.find_testid("photo-thumb").await?;
    student.find_testid("fill-submit").await?.click().await?;
    student.find_testid("fill-done").await?;

    // The owner opens the photo from the table.
    let owner = driver.browser("owner", 500, 1000).await?;
    owner.goto(&server.url("/")).await?;
    owner
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    owner.goto(&server.url(&form.path)).await?;
    owner.find_testid("tab-responses").await?.click().await?;
    owner
        .wait_js(
            "return [...document.querySelectorAll('[data-testid=response-row]')].some(r => r.textContent.includes('Li Lei'));",
            WAIT,
        )
        .await?;
    owner.find_testid("response-photo").await?.click().await?;
    owner
        .wait_js(
            "const i = document.querySelector('[data-testid=photo-full]'); \
             return !!i && i.complete && i.naturalWidth === 500;",
            WAIT,
        )
        .await?;
    owner
        .screenshot(&shots.join("response-photo-zh-phone.png"))
        .await?;

    // The server holds a JPEG (the phone re-encoded the PNG), smaller than the screenshot.
    let (_, list) = server
        .http(
            "GET",
            &format!("/api/forms/{}/responses", form.id),
            Some(&form.owner_token),
            &serde_json::Value::Null,
        )
        .await?;
    let photo = list["responses"][0]["answers"]["health_code_photo"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, head, bytes) = server
        .get_bytes(
            &format!("/api/forms/{}/photos/{photo}", form.id),
            &form.owner_token,
        )
        .await?;
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: image/jpeg"), "{head}");
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);

    // The Chinese fill page, for the screenshot.
    let other = driver.browser("student-zh", 500, 1000).await?;
    other.goto(&server.url("/")).await?;
    other
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    other.goto(&server.url(&fill_path)).await?;
    on_page(&other, "第 1 / 2 页").await?;
    other
        .screenshot(&shots.join("fill-pages-zh-phone.png"))
        .await?;

    for browser in [student, owner, other] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}
