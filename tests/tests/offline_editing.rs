//! End-to-end: a document opened once opens again while the server is down (the service worker
//! keeps the app, IndexedDB the document), edits made offline survive reloading the page, and
//! they merge when the server is back. The worker keeps one build: an older build's files go
//! once the current one's are all kept.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};
use serde_json::{json, Value};

/// The badge says every edit is durable on the server (in any language).
const SAVED: &str = "const s = document.querySelector('[data-testid=status]');
     return !!s && s.dataset.state === 'online' && s.dataset.unsaved === '0';";

/// The copy this browser keeps of document `id`: its count of unsaved edits and whether its
/// state holds `text` (UTF-8 inside the yrs update), or `None`.
async fn kept(browser: &Browser, id: &str, text: &str) -> Result<Option<(u64, bool)>> {
    let script = "const [id, text, done] = arguments;
        const open = indexedDB.open('gather');
        open.onerror = () => done(null);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('docs')) return done(null);
            const get = db.transaction('docs').objectStore('docs').get(id);
            get.onsuccess = () => done(get.result
                ? [get.result.unsaved, new TextDecoder().decode(get.result.state).includes(text)]
                : null);
            get.onerror = () => done(null);
        };";
    let value = browser
        .client
        .execute_async(script, vec![json!(id), json!(text)])
        .await?;
    Ok(value
        .as_array()
        .and_then(|v| Some((v.first()?.as_u64()?, v.get(1)?.as_bool()?))))
}

/// Waits until the kept copy of `id` holds `text` and counts `unsaved` edits. (Text typed on
/// different visits sits in separate items of the update: look for one visit's typing.)
async fn wait_kept(browser: &Browser, id: &str, unsaved: u64, text: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = kept(browser, id, text).await?;
        if now == Some((unsaved, true)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the kept copy is {now:?} (unsaved edits, holds {text:?}), expected {unsaved}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The paths the service worker keeps.
async fn kept_paths(browser: &Browser) -> Result<Vec<String>> {
    let paths = browser
        .client
        .execute_async(
            "const done = arguments[0];
             caches.open('gather-app-v1')
                 .then((c) => c.keys())
                 .then((keys) => done(keys.map((r) => new URL(r.url).pathname)))
                 .catch(() => done([]));",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(paths)?)
}

/// Waits until the service worker is active and keeps a wasm build, then reloads the page
/// (online) so the worker controls it. A page whose load began before the worker activated
/// can stay uncontrolled for its whole life; a person's next visit is the one that counts.
async fn kept_by_service_worker(browser: &Browser) -> Result<()> {
    browser
        .client
        .execute_async(
            "const done = arguments[0]; navigator.serviceWorker.ready.then(() => done(true));",
            vec![],
        )
        .await?;
    browser.client.refresh().await?;
    browser
        .wait_js("return !!navigator.serviceWorker.controller;", WAIT)
        .await?;
    let deadline = Instant::now() + WAIT;
    loop {
        let kept = browser
            .client
            .execute_async(
                "const done = arguments[0];
                 caches.open('gather-app-v1')
                     .then((c) => c.keys())
                     .then((keys) => done(keys.some((r) => r.url.endsWith('.wasm'))))
                     .catch(() => done(false));",
                vec![],
            )
            .await?;
        if kept == Value::Bool(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            let keys = browser
                .client
                .execute_async(
                    "const done = arguments[0];
                     caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)
                         .then((c) => c.keys()).then((ks) => n + ': ' + ks.map((r) => r.url).join(' ')))))
                         .then(done, (e) => done(String(e)));",
                    vec![],
                )
                .await?;
            bail!("the service worker kept no wasm build; it keeps {keys}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn badge(browser: &Browser) -> Result<(String, String, String)> {
    let v = browser
        .js("const s = document.querySelector('[data-testid=status]');
             return s ? [s.dataset.state, s.dataset.unsaved, s.textContent] : ['', '', ''];")
        .await?;
    let field = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
    Ok((field(0), field(1), field(2)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_opened_once_is_edited_offline_across_reloads_and_merges_later() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let doc = server.create_doc("离线编辑").await?;
    let url = server.url(&doc.path);

    // Online: open the document in Chinese on a phone-sized window and type.
    let a = driver.browser("a", 500, 900).await?;
    a.goto(&server.url("/")).await?;
    a.js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    a.goto(&url).await?;
    a.wait_online().await?;
    a.caret_to_end().await?;
    a.type_keys("在线写的").await?;
    a.wait_text("在线写的", WAIT).await?;
    a.wait_js(SAVED, WAIT).await?;
    // The document is kept; a second visit is served by the service worker, which kept the app.
    wait_kept(&a, &doc.id, 0, "在线写的").await?;
    kept_by_service_worker(&a).await?;
    a.wait_text("在线写的", WAIT).await?;

    // The server goes down; the page reloads from the device.
    let addr = server.addr.clone();
    server.stop().await?;
    a.client.refresh().await?;
    a.wait_text("在线写的", WAIT).await?;
    a.wait_js(
        "const s = document.querySelector('[data-testid=status]');
         return !!s && s.dataset.state !== 'online';",
        WAIT,
    )
    .await?;

    // Typing offline: the edits wait on the device, and the badge counts them.
    a.caret_to_end().await?;
    a.type_keys("abc").await?;
    a.wait_text("在线写的abc", WAIT).await?;
    a.wait_js(
        "const s = document.querySelector('[data-testid=status]');
         return s.dataset.unsaved === '3' && s.textContent === '离线 — 3 处修改保留在本设备上';",
        WAIT,
    )
    .await?;
    wait_kept(&a, &doc.id, 3, "abc").await?;

    // Reloading again (the tab closed and opened): the offline edits are still there, counted.
    a.client.refresh().await?;
    a.wait_text("在线写的abc", WAIT).await?;
    a.wait_js(
        "const s = document.querySelector('[data-testid=status]');
         return !!s && s.dataset.state === 'offline' && s.dataset.unsaved === '3'
             && s.textContent === '离线 — 3 处修改保留在本设备上';",
        WAIT,
    )
    .await?;
    a.screenshot(&shots.join("offline-reloaded-zh-phone.png"))
        .await?;
    let (state, unsaved, text) = badge(&a).await?;
    println!("badge after the offline reload: {state} {unsaved} {text}");

    // Closing the tab right after typing (well before the copy's next save): the page writes
    // what it has as it goes, and the next page merges it in.
    a.caret_to_end().await?;
    a.type_keys("d").await?;
    a.client.refresh().await?;
    a.wait_text("在线写的abcd", WAIT).await?;
    a.wait_js(
        "const s = document.querySelector('[data-testid=status]');
         return !!s && s.dataset.state === 'offline' && s.dataset.unsaved === '4';",
        WAIT,
    )
    .await?;

    // The server is back on the same data and address: the page reconnects by itself and its
    // offline edits reach the server.
    let server = GatherServer::start(data.path(), &addr).await?;
    a.wait_js(SAVED, Duration::from_secs(45)).await?;
    wait_kept(&a, &doc.id, 0, "abc").await?;
    let b = driver.browser("b", 1024, 768).await?;
    b.goto(&url).await?;
    b.wait_online().await?;
    b.wait_text("在线写的abcd", WAIT).await?;

    // Both keep editing together and converge.
    b.caret_to_end().await?;
    b.type_keys("!").await?;
    a.wait_text("在线写的abcd!", WAIT).await?;
    a.caret_to_end().await?;
    a.type_keys("?").await?;
    b.wait_text("在线写的abcd!?", WAIT).await?;
    a.wait_js(SAVED, WAIT).await?;
    b.wait_js(SAVED, WAIT).await?;
    assert_eq!(a.editor_text().await?, b.editor_text().await?);

    // A document deleted by its owner leaves no copy on the device.
    let (status, _) = server
        .http(
            "DELETE",
            &format!("/api/docs/{}", doc.id),
            Some(&doc.owner_token),
            &Value::Null,
        )
        .await?;
    assert!((200..300).contains(&status), "delete answered {status}");
    let deadline = Instant::now() + WAIT;
    while kept(&a, &doc.id, "").await?.is_some() {
        if Instant::now() > deadline {
            bail!("the deleted document is still kept in browser a");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    for browser in [a, b] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_opened_once_is_filled_offline_and_sent_when_the_server_is_back() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let form = server.create_form("health-checkin", "en").await?;
    let link = server.respondent_link(&form, "Class 3").await?;
    let fill_url = server.url(link["url"].as_str().unwrap());

    // Opened once online: the service worker keeps the fill page's build, the page the form.
    let phone = driver.browser("phone", 500, 1000).await?;
    phone.goto(&server.url("/")).await?;
    phone
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    phone.goto(&fill_url).await?;
    phone.find_testid("fill-form").await?;
    // A second visit goes through the service worker, which keeps the fill page's build.
    kept_by_service_worker(&phone).await?;
    phone.find_testid("fill-form").await?;

    // Files of an older build, kept from an earlier visit: deleted once the entry page is kept
    // again with all its files, while this build's (the whole app's and the fill page's) stay.
    let old = ["/app-0123456789abcdef_bg.wasm", "/fill/app-fedcba98765.js"];
    phone
        .client
        .execute_async(
            "const [old, done] = arguments;
             caches.open('gather-app-v1')
                 .then((c) => Promise.all(old.map((p) => c.put(p, new Response('old build')))))
                 .then(() => done(true), (e) => done(String(e)));",
            vec![json!(old)],
        )
        .await?;
    assert!(kept_paths(&phone).await?.contains(&old[0].to_owned()));
    phone.client.refresh().await?;
    phone.find_testid("fill-form").await?;
    let deadline = Instant::now() + WAIT;
    let kept = loop {
        let kept = kept_paths(&phone).await?;
        if !old.iter().any(|p| kept.contains(&p.to_string())) {
            break kept;
        }
        if Instant::now() > deadline {
            bail!("the older build was never deleted: {kept:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let wasm = |fill: bool| {
        kept.iter()
            .any(|p| p.ends_with("_bg.wasm") && p.starts_with("/fill/") == fill)
    };
    assert!(
        wasm(true) && wasm(false),
        "this build's files went too: {kept:?}"
    );

    // The server goes down; the page opens again from the device and is filled in.
    let addr = server.addr.clone();
    server.stop().await?;
    phone.client.refresh().await?;
    phone.find_testid("fill-form").await?;
    phone.type_into("name", "Li Lei").await?;
    phone.type_into("student_id", "20200101").await?;
    phone.type_into("class", "Class 3").await?;
    phone.type_into("temperature", "36.6").await?;
    phone.tick("symptoms", "none").await?;
    phone
        .wait_js(
            "const b = document.querySelector('[data-testid=q-district] .region-toggle'); \
             if (!b) return false; b.click(); return true;",
            WAIT,
        )
        .await?;
    phone.type_into("district.province", "湖北省").await?;
    phone.tick("contact", "no").await?;
    phone.find_testid("fill-submit").await?.click().await?;
    phone.find_testid("fill-waiting").await?;

    // The server is back: the response goes by itself, once.
    let server = GatherServer::start(data.path(), &addr).await?;
    phone
        .wait_js(
            "return !!document.querySelector('[data-testid=fill-done]');",
            Duration::from_secs(60),
        )
        .await?;
    let (_, list) = server
        .http(
            "GET",
            &format!("/api/forms/{}/responses", form.id),
            Some(&form.owner_token),
            &Value::Null,
        )
        .await?;
    assert_eq!(list["total"], 1, "sent exactly once: {list}");
    phone.close().await?;
    server.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_opened_a_fill_link_keeps_the_fill_page_and_not_the_whole_app() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let form = server.create_form("health-checkin", "zh").await?;
    let link = server.respondent_link(&form, "三年二班").await?;
    let fill_url = server.url(link["url"].as_str().unwrap());

    // A student's phone that has only ever opened the class's fill link.
    let phone = driver.browser("phone", 360, 740).await?;
    phone.goto(&fill_url).await?;
    phone.find_testid("fill-form").await?;
    let deadline = Instant::now() + WAIT;
    let kept = loop {
        let kept = kept_paths(&phone).await?;
        let fill_wasm = kept
            .iter()
            .any(|p| p.starts_with("/fill/") && p.ends_with("_bg.wasm"));
        if fill_wasm && kept.iter().any(|p| p == "/__gather/shell/fill") {
            break kept;
        }
        if Instant::now() > deadline {
            bail!("the fill page was never kept: {kept:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The whole app (the editor, half a megabyte) was not fetched for it in the background.
    assert!(
        !kept
            .iter()
            .any(|p| p == "/__gather/shell/app"
                || (p.ends_with(".wasm") && !p.starts_with("/fill/"))),
        "the whole app was kept too: {kept:?}"
    );

    // That first visit already left a working copy: with the server down, the link opens.
    server.stop().await?;
    phone.client.refresh().await?;
    phone.find_testid("fill-form").await?;
    phone.close().await?;
    Ok(())
}
