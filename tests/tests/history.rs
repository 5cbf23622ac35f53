//! End-to-end: version history in two browsers. A teacher writes a draft and saves it as a
//! named version; a colleague on a phone, in Chinese, adds to it; the teacher views the draft
//! read-only and restores it, which both see; the current content was kept as a version first,
//! and Ctrl+Z undoes the restore.

use anyhow::Result;
use e2e::{workspace_root, Driver, GatherServer, WAIT};

const CTRL: &str = "\u{E009}";
const TAB: &str = "\u{E004}";

/// The text of the version being viewed (its own read-only editor).
const VERSION_TEXT: &str =
    "const e = document.querySelector('[data-testid=version-view] [data-testid=editor]');
     return e ? [...e.querySelectorAll('[data-b]')].map(b => b.textContent).join('\\n') : null;";

/// Whether the history dialog lists a version named `name`.
fn lists(name: &str) -> String {
    format!(
        "return [...document.querySelectorAll('[data-testid=version] strong')]
             .some(s => s.textContent === '{name}');"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_version_is_viewed_and_restored_for_everyone_and_the_restore_undone() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let doc = server.create_doc("Lesson plan").await?;
    let (status, link) = server
        .http(
            "POST",
            &format!("/api/docs/{}/links", doc.id),
            Some(&doc.owner_token),
            &serde_json::json!({ "role": "editor", "label": "colleague" }),
        )
        .await?;
    assert_eq!(status, 201, "{link}");
    let editor_path = link["url"].as_str().unwrap().to_owned();

    // The teacher writes a draft, gives her name, and saves the draft as a version.
    let a = driver.browser("a", 900, 800).await?;
    a.goto(&server.url("/")).await?;
    a.js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    a.find_testid("my-name").await?.click().await?;
    a.type_keys(&format!("李老师{TAB}")).await?;
    a.caret_to_end().await?;
    a.type_keys("First draft").await?;
    a.wait_text("First draft", WAIT).await?;
    a.wait_js(
        "return document.querySelector('[data-testid=status]').dataset.unsaved === '0';",
        WAIT,
    )
    .await?;
    a.find_testid("history").await?.click().await?;
    a.find_testid("version-name").await?.click().await?;
    a.type_keys("Draft one").await?;
    a.find_testid("save-version").await?.click().await?;
    a.wait_js(&lists("Draft one"), WAIT).await?;
    a.find_testid("close-dialog").await?.click().await?;

    // A colleague on a phone, in Chinese, adds to it.
    let b = driver.browser("b", 500, 900).await?;
    b.goto(&server.url("/")).await?;
    b.js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    b.goto(&server.url(&editor_path)).await?;
    b.wait_online().await?;
    b.wait_text("First draft", WAIT).await?;
    b.caret_to_end().await?;
    b.type_keys(" and more").await?;
    a.wait_text("First draft and more", WAIT).await?;

    // The teacher views the draft: read-only, the live document out of the way.
    a.find_testid("history").await?.click().await?;
    a.wait_js(&lists("Draft one"), WAIT).await?;
    a.screenshot(&shots.join("history-en.png")).await?;
    a.js(
        "const row = [...document.querySelectorAll('[data-testid=version]')]
              .find(r => r.querySelector('strong').textContent === 'Draft one');
          row.querySelector('[data-testid=view-version]').click(); return true;",
    )
    .await?;
    a.wait_js(
        &format!("return (() => {{ {VERSION_TEXT} }})() === 'First draft';"),
        WAIT,
    )
    .await?;
    let readonly = a
        .js("return document.querySelector('[data-testid=version-view] [data-testid=editor]').getAttribute('contenteditable');")
        .await?;
    assert_eq!(readonly.as_str(), Some("false"));
    assert_eq!(
        a.js("return document.querySelector('[data-testid=version-label]').textContent;")
            .await?
            .as_str(),
        Some("Draft one")
    );
    a.screenshot(&shots.join("history-version-en.png")).await?;

    // Restoring it reaches both; what was there is kept as a version first.
    a.js("window.confirm = () => true; return true;").await?;
    a.find_testid("restore-version").await?.click().await?;
    a.find_testid("restored-notice").await?;
    a.wait_js(
        "return !document.querySelector('[data-testid=version-view]');",
        WAIT,
    )
    .await?;
    a.wait_text("First draft", WAIT).await?;
    b.wait_text("First draft", WAIT).await?;
    b.find_testid("history").await?.click().await?;
    b.wait_js(&lists("Before restoring “Draft one”"), WAIT)
        .await?;
    b.screenshot(&shots.join("history-zh-phone.png")).await?;
    b.js(
        "const row = [...document.querySelectorAll('[data-testid=version]')]
              .find(r => r.querySelector('strong').textContent === 'Before restoring “Draft one”');
          row.querySelector('[data-testid=view-version]').click(); return true;",
    )
    .await?;
    b.wait_js(
        &format!("return (() => {{ {VERSION_TEXT} }})() === 'First draft and more';"),
        WAIT,
    )
    .await?;
    b.screenshot(&shots.join("history-version-zh-phone.png"))
        .await?;
    b.find_testid("back-to-current").await?.click().await?;
    b.wait_text("First draft", WAIT).await?;

    // The restore was the teacher's own change: Ctrl+Z takes it back, for everyone.
    a.caret_to_end().await?;
    a.type_keys(&format!("{CTRL}z{CTRL}")).await?;
    a.wait_text("First draft and more", WAIT).await?;
    b.wait_text("First draft and more", WAIT).await?;

    a.close().await?;
    b.close().await?;
    server.stop().await?;
    Ok(())
}
