//! End-to-end: presence. A teacher names herself and selects text; a viewer on a phone sees
//! her caret, selection and name over the editor (drawn through the CSSOM under the app's
//! Content-Security-Policy), and both in the list of who is here; she is dropped from the list
//! when her page closes. The name is remembered in the browser.

use anyhow::Result;
use e2e::{workspace_root, Driver, GatherServer, WAIT};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// How many people the page's list shows, and whether one of them is called `name`.
fn who_has(count: usize, name: &str) -> String {
    format!(
        "const items = [...document.querySelectorAll('[data-testid=who-item]')];
         return items.length === {count}
             && items.some(li => li.querySelector('.who-name').textContent.startsWith('{name}'));"
    )
}

/// The others' caret labelled `name` is drawn outside the editable element, with a size (its
/// position and colour come from `style.setProperty`, which the CSP must allow), where the
/// page itself would put a caret at `offset` of the first block.
fn caret_of(name: &str, offset: u32) -> String {
    format!(
        "const label = [...document.querySelectorAll('[data-testid=peer-label]')]
             .find(l => l.textContent === '{name}');
         if (!label) return false;
         const caret = label.closest('[data-testid=peer-caret]');
         const editor = document.querySelector('[data-testid=editor]');
         if (editor.contains(caret)) return false;
         const c = caret.getBoundingClientRect();
         if (c.height < 10 || !caret.style.backgroundColor) return false;
         const text = editor.querySelector('[data-b]').firstChild;
         const r = document.createRange(); r.setStart(text, {offset}); r.collapse(true);
         const want = r.getClientRects()[0];
         return Math.abs(c.left + 1 - want.left) < 3 && Math.abs(c.top - want.top) < 3
             && document.querySelectorAll('[data-testid=peer-selection]').length > 0;"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collaborators_see_each_others_carets_names_and_who_is_here() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let doc = server.create_doc("Class notes").await?;
    let (status, link) = server
        .http(
            "POST",
            &format!("/api/docs/{}/links", doc.id),
            Some(&doc.owner_token),
            &serde_json::json!({ "role": "viewer", "label": "parents" }),
        )
        .await?;
    assert_eq!(status, 201, "{link}");
    let viewer_path = link["url"].as_str().unwrap().to_owned();

    // The teacher, in English, writes two lines and gives her name once.
    let a = driver.browser("a", 900, 700).await?;
    a.goto(&server.url("/")).await?;
    a.js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    a.caret_to_end().await?;
    a.type_keys(&format!("Hello 你好 world{ENTER}Second line"))
        .await?;
    a.wait_text("Hello 你好 world\nSecond line", WAIT).await?;
    a.find_testid("my-name").await?.click().await?;
    a.type_keys(&format!("李老师{TAB}")).await?;
    a.wait_js(
        "return localStorage.getItem('gather-name') === '李老师';",
        WAIT,
    )
    .await?;

    // A parent opens the view-only link on a phone, in Chinese: a guest until named.
    let b = driver.browser("b", 500, 900).await?;
    b.goto(&server.url("/")).await?;
    b.js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    b.goto(&server.url(&viewer_path)).await?;
    b.wait_online().await?;
    b.wait_text("Hello 你好 world\nSecond line", WAIT).await?;
    b.wait_js(&who_has(2, "李老师"), WAIT).await?;
    b.wait_js(&who_has(2, "访客 "), WAIT).await?;
    // The viewer is present for the teacher too (awareness is not an edit).
    a.wait_js(&who_has(2, "Guest "), WAIT).await?;

    // The teacher selects "你好"; the parent sees the selection and her caret after it.
    a.js(
        "const e = document.querySelector('[data-testid=editor]'); e.focus();
         const t = e.querySelector('[data-b]').firstChild;
         const r = document.createRange(); r.setStart(t, 6); r.setEnd(t, 8);
         const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true;",
    )
    .await?;
    b.wait_js(&caret_of("李老师", 8), WAIT).await?;
    b.screenshot(&shots.join("presence-zh-phone.png")).await?;
    // In English, the parent's words change; the teacher's name does not.
    b.find_testid("lang-switch").await?.click().await?;
    b.wait_js(
        "return document.querySelector('[data-testid=my-name]').placeholder === 'Your name';",
        WAIT,
    )
    .await?;
    b.wait_js(&who_has(2, "Guest "), WAIT).await?;
    b.wait_js(&caret_of("李老师", 8), WAIT).await?;
    b.screenshot(&shots.join("presence-en.png")).await?;

    // The caret follows; leaving the editor takes it away.
    a.js(
        "const t = document.querySelector('[data-testid=editor] [data-b]').firstChild;
         const r = document.createRange(); r.setStart(t, 2); r.collapse(true);
         const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true;",
    )
    .await?;
    b.wait_js(
        "return document.querySelectorAll('[data-testid=peer-selection]').length === 0
             && document.querySelectorAll('[data-testid=peer-caret]').length === 1;",
        WAIT,
    )
    .await?;
    a.find_testid("my-name").await?.click().await?;
    b.wait_js(
        "return document.querySelectorAll('[data-testid=peer-caret]').length === 0;",
        WAIT,
    )
    .await?;

    // The name is remembered: after a reload the teacher is 李老师 again, once in the list.
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    a.wait_js(
        "return document.querySelector('[data-testid=my-name]').value === '李老师';",
        WAIT,
    )
    .await?;
    b.wait_js(&who_has(2, "李老师"), WAIT).await?;

    // When the teacher's page closes, the parent's list drops her.
    a.close().await?;
    b.wait_js(
        "const items = document.querySelectorAll('[data-testid=who-item]');
         return items.length === 1 && document.querySelector('[data-testid=who]').dataset.count === '1';",
        WAIT,
    )
    .await?;
    b.close().await?;
    server.stop().await?;
    Ok(())
}

/// Someone who leaves a document for another page is no longer "here" for the others, even
/// while the browser keeps the page to show it again on Back (its back/forward cache); on
/// Back the page connects again, and their edits reach the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_left_for_another_is_not_here_and_connects_again_on_back() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let doc = server.create_doc("Plans").await?;

    let a = driver.browser("a", 900, 700).await?;
    // Whether a page was shown again from the back/forward cache rather than loaded anew.
    a.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": "addEventListener('pageshow', (e) => {
            if (e.persisted) window.shownAgain = (window.shownAgain || 0) + 1; });" }),
    )
    .await?;
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    let b = driver.browser("b", 900, 700).await?;
    b.goto(&server.url(&doc.path)).await?;
    b.wait_online().await?;
    b.wait_js(&who_has(2, "Guest "), WAIT).await?;

    // A follows a link elsewhere: B's list drops A.
    a.goto(&server.url("/api/none")).await?;
    b.wait_js(
        "return document.querySelector('[data-testid=who]').dataset.count === '1';",
        WAIT,
    )
    .await?;

    // A comes back: the same page, shown again, online, and what A types reaches B.
    a.client.back().await?;
    a.wait_js("return window.shownAgain === 1;", WAIT).await?;
    a.wait_online().await?;
    b.wait_js(&who_has(2, "Guest "), WAIT).await?;
    a.caret_to_end().await?;
    a.type_keys("back again").await?;
    b.wait_text("back again", WAIT).await?;
    a.close().await?;
    b.close().await?;
    server.stop().await?;
    Ok(())
}
