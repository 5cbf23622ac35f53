//! End-to-end: editing a long document. The editor keeps only part of a long document in its
//! editing host (`app/src/editor/page.rs`), so a keystroke does not cost the browser work in
//! proportion to the whole document; the rest is shown beside it. A user must not notice:
//! clicking anywhere, Ctrl+Home / Ctrl+End, walking down with the arrow keys, ticking a task
//! far away, a selection dragged with the mouse past the host's end and select-all all work
//! on the whole document, and a colleague sees every change.

use std::time::Duration;

use anyhow::{ensure, Result};
use e2e::{workspace_root, Browser, Driver, GatherServer, LAST_BLOCK, WAIT};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::Locator;

const END: &str = "END OF THE PLAN";
const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";
const HOME: &str = "\u{E011}";
const END_KEY: &str = "\u{E010}";
const DOWN: &str = "\u{E015}";

/// The text of every top-level block, in order (read from the whole page, not the host).
async fn blocks(browser: &Browser) -> Result<Vec<String>> {
    let v = browser
        .js("return [...document.querySelectorAll('[data-testid=editor-page] [data-b]')].map(b => b.textContent);")
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Waits until some block satisfies `check`.
async fn wait_block(browser: &Browser, what: &str, check: impl Fn(&str) -> bool) -> Result<()> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if blocks(browser).await?.iter().any(|b| check(b)) {
            return Ok(());
        }
        ensure!(std::time::Instant::now() < deadline, "no block {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Marks the element found by `selector_js` (a JS expression) with `id`, scrolls it into view
/// and clicks it as a user would.
async fn click(browser: &Browser, selector_js: &str, id: &str) -> Result<()> {
    browser
        .js(&format!(
            "const el = {selector_js}; el.id = '{id}'; el.scrollIntoView({{ block: 'center' }}); return true;"
        ))
        .await?;
    browser
        .client
        .find(Locator::Css(&format!("#{id}")))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_document_is_edited_everywhere_as_one() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let doc = server.create_doc("Term plan").await?;

    // 600 short paragraphs, a task list far down, and an end line.
    let mut markdown = String::new();
    for i in 0..600 {
        markdown.push_str(&format!("Paragraph {i}: 第{i}段 plan.\n\n"));
        if i == 450 {
            markdown.push_str("- [ ] Task far down\n- [ ] Another task\n\n");
        }
    }
    markdown.push_str(END);
    let md = data.path().join("plan.md");
    std::fs::write(&md, &markdown)?;
    let author = driver.browser("author", 900, 700).await?;
    author.goto(&server.url(&doc.path)).await?;
    author.wait_online().await?;
    author.import_markdown(&md, END).await?;
    let arrived =
        format!("const last = {LAST_BLOCK}; return !!last && last.textContent.includes('{END}');");

    // The whole document is shown, but the editing host holds only part of it.
    let shape = author
        .js(
            "const page = document.querySelector('[data-testid=editor-page]');
             return [page.querySelectorAll(':scope > .flow > *').length,
                     document.querySelector('[data-testid=editor]').children.length];",
        )
        .await?;
    let (shown, host) = (
        shape[0].as_u64().unwrap_or(0),
        shape[1].as_u64().unwrap_or(0),
    );
    ensure!(
        shown >= 600 && host < 100,
        "shown {shown}, in the host {host}"
    );

    // A click far down, outside the host, puts the caret there; typing goes there.
    click(
        &author,
        "[...document.querySelectorAll('[data-testid=editor-page] p')].find(p => p.textContent.startsWith('Paragraph 400:'))",
        "far",
    )
    .await?;
    author.type_keys("XYZ").await?;
    wait_block(&author, "400 with XYZ", |b| {
        b.starts_with("Paragraph 400:") && b.contains("XYZ")
    })
    .await?;

    // Ctrl+End and Ctrl+Home reach the document's ends, not the host's.
    author
        .type_keys(&format!("{CTRL}{END_KEY}{RELEASE} done"))
        .await?;
    wait_block(&author, "ending in done", |b| b == format!("{END} done")).await?;
    author
        .type_keys(&format!("{CTRL}{HOME}{RELEASE}Start: "))
        .await?;
    wait_block(&author, "starting with Start", |b| {
        b == "Start: Paragraph 0: 第0段 plan."
    })
    .await?;

    // Walking down with the arrow keys goes on past the host's first end.
    author.type_keys(&DOWN.repeat(60)).await?;
    author.type_keys("@").await?;
    wait_block(&author, "with @", |b| b.contains('@')).await?;
    let at = blocks(&author).await?.iter().position(|b| b.contains('@'));
    ensure!(
        at.is_some_and(|i| i >= 50),
        "the arrow keys stopped at block {at:?}"
    );

    // A task far away is ticked with one click on its box.
    click(
        &author,
        "[...document.querySelectorAll('[data-testid=editor-page] li.task')].find(li => li.textContent.includes('Task far down')).querySelector('input')",
        "task",
    )
    .await?;
    author
        .wait_js(
            "return [...document.querySelectorAll('[data-testid=editor-page] li.task.done')].some(li => li.textContent.includes('Task far down'));",
            WAIT,
        )
        .await?;

    // A colleague on a phone, in Chinese, gets all of it.
    let reader = driver.browser("reader", 500, 900).await?;
    reader.goto(&server.url("/")).await?;
    reader
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    reader.goto(&server.url(&doc.path)).await?;
    reader.wait_online().await?;
    reader.wait_js(&arrived, Duration::from_secs(60)).await?;
    wait_block(&reader, "400 with XYZ", |b| {
        b.starts_with("Paragraph 400:") && b.contains("XYZ")
    })
    .await?;
    wait_block(&reader, "with @", |b| b.contains('@')).await?;
    wait_block(&reader, "starting with Start", |b| b.starts_with("Start: ")).await?;
    reader
        .wait_js(
            "return [...document.querySelectorAll('[data-testid=editor-page] li.task.done')].some(li => li.textContent.includes('Task far down'));",
            WAIT,
        )
        .await?;
    reader
        .js("[...document.querySelectorAll('[data-testid=editor-page] p')].find(p => p.textContent.startsWith('Paragraph 450:')).scrollIntoView({ block: 'center' }); return true;")
        .await?;
    reader
        .screenshot(&workspace_root().join("screenshots/long-document-zh-phone.png"))
        .await?;

    // A selection dragged with the mouse from near the top to past the host's end reaches
    // where the mouse was let go, and copies as all of it (a tall window, so both ends are on
    // screen at once).
    let dragger = driver.browser("dragger", 900, 3000).await?;
    dragger.goto(&server.url(&doc.path)).await?;
    dragger.wait_online().await?;
    dragger.wait_js(&arrived, Duration::from_secs(60)).await?;
    let ends = dragger
        .js(
            "const find = (s) => [...document.querySelectorAll('[data-testid=editor-page] p')]
                 .find(p => p.textContent.includes(s));
             const [from, to] = [find(': 第5段 '), find(': 第58段 ')];
             from.id = 'drag-from'; to.id = 'drag-to';
             window.scrollTo(0, 0);
             window.addEventListener('copy', (e) => {
                 window.__dragged = e.clipboardData.getData('text/plain'); });
             const host = document.querySelector('[data-testid=editor]');
             return [from.getBoundingClientRect().width, host.contains(to),
                     window.innerHeight - to.getBoundingClientRect().bottom];",
        )
        .await?;
    let width = ends[0].as_f64().unwrap_or(0.0);
    ensure!(
        ends[1] == serde_json::Value::Bool(false) && ends[2].as_f64().unwrap_or(-1.0) > 0.0,
        "the drag's end must be on screen and outside the host: {ends}"
    );
    let from = dragger.client.find(Locator::Id("drag-from")).await?;
    let to = dragger.client.find(Locator::Id("drag-to")).await?;
    // Inside each paragraph's text: near its left end.
    let x = -width / 2.0 + 40.0;
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: from,
            duration: None,
            x,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 0.0,
            y: 300.0,
        })
        .then(PointerAction::MoveToElement {
            element: to,
            duration: Some(Duration::from_millis(300)),
            x,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    dragger.client.perform_actions(mouse).await?;
    dragger.type_keys(&format!("{CTRL}c{RELEASE}")).await?;
    dragger.wait_js("return !!window.__dragged;", WAIT).await?;
    let dragged: String = serde_json::from_value(dragger.js("return window.__dragged;").await?)?;
    let lines: Vec<&str> = dragged.lines().collect();
    ensure!(
        lines.len() == 54
            && lines[1].contains(": 第6段 ")
            && lines[52].contains(": 第57段 ")
            && lines[53].starts_with("Pa"),
        "dragged {} lines: {:?} … {:?}",
        lines.len(),
        lines.first(),
        lines.last()
    );
    dragger.close().await?;

    // Select-all takes the whole document, not only the host's part: copying it gives the
    // whole document as HTML and text, and cutting it empties the document.
    author
        .js(
            "window.addEventListener('copy', (e) => { window.__copied = [
                 e.clipboardData.getData('text/html'), e.clipboardData.getData('text/plain')]; });
             return true;",
        )
        .await?;
    author.type_keys(&format!("{CTRL}ac{RELEASE}")).await?;
    author.wait_js("return !!window.__copied;", WAIT).await?;
    let copied: (String, String) =
        serde_json::from_value(author.js("return window.__copied;").await?)?;
    ensure!(
        copied.1.starts_with("Start: Paragraph 0:") && copied.1.ends_with(&format!("{END} done")),
        "copied text {:?}",
        copied.1.chars().take(80).collect::<String>()
    );
    ensure!(
        copied.1.lines().count() >= 600,
        "{} lines",
        copied.1.lines().count()
    );
    ensure!(
        copied.0.contains("<p>Start: Paragraph 0:") && copied.0.contains("Task far down"),
        "copied HTML {:?}",
        copied.0.chars().take(200).collect::<String>()
    );
    ensure!(
        !copied.0.contains("data-b"),
        "the DOM's attributes were copied"
    );
    author.type_keys(&format!("{CTRL}ax{RELEASE}")).await?;
    author.wait_text("", WAIT).await?;
    reader.wait_text("", WAIT).await?;

    author.close().await?;
    reader.close().await?;
    server.stop().await?;
    Ok(())
}
