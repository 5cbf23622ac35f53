//! End-to-end: the rich editor in real Chromium — every block and mark from the keyboard,
//! shortcuts and the toolbar, tables, links, the paste sanitiser, undo isolation between two
//! people, IME input inside lists and table cells, and the Markdown export of what was typed.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const SHIFT: &str = "\u{E008}";
const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";

/// Waits until the document's Markdown export (over HTTP, from what the server stored)
/// contains every one of `needles`.
async fn wait_export(
    server: &GatherServer,
    id: &str,
    token: &str,
    needles: &[&str],
) -> Result<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, _, body) = server
            .get_bytes(&format!("/api/docs/{id}/export.md"), token)
            .await?;
        let text = String::from_utf8_lossy(&body).to_string();
        if status == 200 && needles.iter().all(|n| text.contains(n)) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            bail!("export.md ({status}) lacks one of {needles:?}:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Selects the text `[from, to)` of the `index`-th block of the editor (by DOM text offsets).
async fn select_in_block(page: &Browser, index: u32, from: u32, to: u32) -> Result<()> {
    page.js(&format!(
        "const e = document.querySelector('[data-testid=editor]'); e.focus();
         const b = e.querySelectorAll('[data-b]')[{index}];
         const w = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
         const point = (n) => {{ let left = n; let t; w.currentNode = b;
           while ((t = w.nextNode())) {{ if (left <= t.length) return [t, left]; left -= t.length; }}
           return [b, b.childNodes.length]; }};
         const [sn, so] = point({from}); const [en, eo] = point({to});
         getSelection().setBaseAndExtent(sn, so, en, eo); return true;"
    ))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_block_and_mark_from_the_keyboard_reaches_the_other_page_and_the_export() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let doc = server.create_doc("Plan").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 1024, 900).await?;
    let b = driver.browser("b", 500, 900).await?;
    a.goto(&server.url(&doc.path)).await?;
    b.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    b.wait_online().await?;
    a.caret_to_end().await?;

    // Markdown shortcuts while typing.
    a.type_keys(&format!("# 晨检计划{ENTER}")).await?;
    a.type_keys(&format!("- 口罩{ENTER}手套{TAB}")).await?;
    a.type_keys(&format!("{ENTER}消毒液{SHIFT}{TAB}{RELEASE}{ENTER}{ENTER}"))
        .await?;
    a.type_keys(&format!("1. 第一{ENTER}第二{ENTER}{ENTER}"))
        .await?;
    a.type_keys(&format!("[] 测体温{ENTER}{ENTER}")).await?;
    a.type_keys(&format!("> 引用{ENTER}{ENTER}")).await?;
    // Three Enters at the end of code leave it.
    a.type_keys(&format!(
        "```rust{ENTER}fn main() {{}}{ENTER}{ENTER}{ENTER}"
    ))
    .await?;
    b.wait_js(
        "const e = document.querySelector('[data-testid=editor]');
         return e.querySelector('h1')?.textContent === '晨检计划'
           && e.querySelector('ul > li > ul > li > p')?.textContent === '手套'
           && [...e.querySelectorAll('ul:not(.tasks) > li > p')].map(p => p.textContent).join() === '口罩,手套,消毒液'
           && [...e.querySelectorAll('ol > li > p')].map(p => p.textContent).join() === '第一,第二'
           && e.querySelector('ul.tasks li.task p')?.textContent === '测体温'
           && e.querySelector('blockquote p')?.textContent === '引用'
           && !e.querySelector('blockquote pre')
           && e.querySelector('pre[data-language=rust]')?.textContent.startsWith('fn main() {}');",
        WAIT,
    )
    .await?;
    wait_export(
        &server,
        &doc.id,
        &doc.owner_token,
        &[
            "# 晨检计划",
            "- 口罩",
            "  - 手套",
            "- 消毒液",
            "1. 第一",
            "- [ ] 测体温",
            "> 引用",
            "```rust",
        ],
    )
    .await?;

    // A task's checkbox ticks it for everyone.
    a.js("document.querySelector('[data-testid=editor] input[data-task]').click(); return true;")
        .await?;
    b.wait_js(
        "return !!document.querySelector('[data-testid=editor] li.task.done input[checked]');",
        WAIT,
    )
    .await?;

    // A rule, then marks: Ctrl shortcuts and `**` while typing.
    a.caret_to_end().await?;
    a.type_keys("---").await?;
    b.wait_js(
        "return !!document.querySelector('[data-testid=editor] hr');",
        WAIT,
    )
    .await?;
    a.type_keys(&format!(
        "normal {CTRL}b{RELEASE}bold{CTRL}b{RELEASE} {CTRL}i{RELEASE}it{CTRL}i{RELEASE} **强调** "
    ))
    .await?;
    b.wait_js(
        "const e = document.querySelector('[data-testid=editor]');
         return [...e.querySelectorAll('strong')].map(s => s.textContent).join() === 'bold,强调'
           && e.querySelector('em')?.textContent === 'it';",
        WAIT,
    )
    .await?;

    // A link: Ctrl+K over a selection; an unsafe target is refused with a message.
    let last = a
        .js("return document.querySelectorAll('[data-testid=editor] [data-b]').length - 1;")
        .await?
        .as_u64()
        .unwrap_or(0) as u32;
    select_in_block(&a, last, 0, 6).await?;
    a.type_keys(&format!("{CTRL}k{RELEASE}")).await?;
    a.wait_js(
        "return !document.querySelector('[data-testid=link-form]').hidden
            && document.activeElement === document.querySelector('[data-testid=link-href]');",
        WAIT,
    )
    .await?;
    a.type_keys(&format!("javascript:alert(1){ENTER}")).await?;
    a.wait_js(
        "const e = document.querySelector('[data-testid=link-error]');
         return !e.hidden && e.textContent.length > 0;",
        WAIT,
    )
    .await?;
    a.js("const i = document.querySelector('[data-testid=link-href]'); i.value = ''; i.dispatchEvent(new Event('input')); return true;")
        .await?;
    a.type_keys(&format!("https://example.org/notice{ENTER}"))
        .await?;
    b.wait_js(
        "const l = document.querySelector('[data-testid=editor] a');
         return !!l && l.getAttribute('href') === 'https://example.org/notice'
           && l.textContent === 'normal' && l.rel.includes('noopener');",
        WAIT,
    )
    .await?;
    wait_export(
        &server,
        &doc.id,
        &doc.owner_token,
        &[
            "- [x] 测体温",
            "[normal](https://example.org/notice)",
            "**bold**",
            "*it*",
            "**强调**",
        ],
    )
    .await?;

    let shots = workspace_root().join("screenshots");
    a.screenshot(&shots.join("rich-editor-en.png")).await?;
    b.find_testid("lang-switch").await?.click().await?;
    b.wait_js("return document.documentElement.lang === 'zh-CN';", WAIT)
        .await?;
    b.screenshot(&shots.join("rich-editor-zh-phone.png"))
        .await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_from_the_toolbar_with_tab_between_cells_and_ime_inside() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let doc = server.create_doc("Supplies").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 500, 900).await?;
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    a.caret_to_end().await?;
    a.type_keys("物资登记").await?;
    a.find_testid("table").await?.click().await?;
    a.wait_js(
        "return document.querySelectorAll('[data-testid=editor] table tr').length === 3;",
        WAIT,
    )
    .await?;
    // The caret is in the first cell: type, Tab, type; pinyin through an input method.
    a.type_keys(&format!("名称{TAB}数量{TAB}")).await?;
    a.ime_type("dao da", "到达").await?;
    a.type_keys(TAB).await?;
    a.type_keys("口罩").await?;
    // Tab in the last cell adds a row.
    a.type_keys(&TAB.repeat(6)).await?;
    a.wait_js(
        "return document.querySelectorAll('[data-testid=editor] table tr').length === 4;",
        WAIT,
    )
    .await?;
    a.wait_js(
        "const cells = [...document.querySelectorAll('[data-testid=editor] th, [data-testid=editor] td')].map(c => c.textContent);
         return cells.slice(0, 4).join() === '名称,数量,到达,口罩';",
        WAIT,
    )
    .await?;
    // The table tools: add a column, remove a row.
    a.wait_js(
        "return !document.querySelector('.table-tools').hidden;",
        WAIT,
    )
    .await?;
    a.find_testid("col-right").await?.click().await?;
    a.wait_js(
        "return document.querySelectorAll('[data-testid=editor] tr:first-child th').length === 4;",
        WAIT,
    )
    .await?;
    a.find_testid("delete-row").await?.click().await?;
    a.wait_js(
        "return document.querySelectorAll('[data-testid=editor] table tr').length === 3;",
        WAIT,
    )
    .await?;
    wait_export(
        &server,
        &doc.id,
        &doc.owner_token,
        &["| 名称 |", "| 数量 | 到达 |", "| 口罩 |"],
    )
    .await?;

    // IME inside a list item: the composed text lands in the item.
    a.caret_to_end().await?;
    a.type_keys("- ").await?;
    a.ime_type("kou zhao", "口罩").await?;
    a.type_keys(ENTER).await?;
    a.ime_type("shou tao", "手套").await?;
    a.wait_js(
        "return [...document.querySelectorAll('[data-testid=editor] ul > li > p')].map(p => p.textContent).join() === '口罩,手套';",
        WAIT,
    )
    .await?;
    a.screenshot(
        &workspace_root()
            .join("screenshots")
            .join("rich-editor-table-phone.png"),
    )
    .await?;
    a.close().await?;
    Ok(())
}

/// A paste of `html` (with `text` as its plain-text form) through the editor's paste path.
async fn paste_html(page: &Browser, html: &str, text: &str) -> Result<()> {
    page.js(&format!(
        "const e = document.querySelector('[data-testid=editor]');
         const dt = new DataTransfer(); dt.setData('text/html', {html}); dt.setData('text/plain', {text});
         e.dispatchEvent(new InputEvent('beforeinput', {{ inputType: 'insertFromPaste', dataTransfer: dt, bubbles: true, cancelable: true }}));
         return true;",
        html = serde_json::to_string(html)?,
        text = serde_json::to_string(text)?,
    ))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paste_keeps_structure_and_never_lets_hostile_html_in() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let doc = server.create_doc("Paste").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 1024, 900).await?;
    a.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    a.caret_to_end().await?;
    let hostile = r#"<meta charset="utf-8"><style>p{color:red}</style>
        <b style="font-weight:normal" id="docs-internal-guid-1"><h2>通知</h2>
        <p dir="ltr" onclick="window.__pwned=1"><span style="font-weight:700">加粗</span> 普通 <a href="javascript:window.__pwned=1">坏链接</a> <a href=" https://example.org/ok ">好链接</a></p>
        <img src=x onerror="window.__pwned=1"><svg onload="window.__pwned=1"><circle r=1 /></svg>
        <script>window.__pwned=1</script><iframe src="javascript:window.__pwned=1"></iframe><object data="x"></object>
        <ul><li><p>一<li>二</ul><table><tr><td>1<td>2</table><p><a href="data:text/html,<script>x</script>">数据</a></p></b>"#;
    paste_html(&a, hostile, "通知 加粗 普通").await?;
    a.wait_js(
        "const e = document.querySelector('[data-testid=editor]');
         return e.querySelector('h2')?.textContent === '通知'
           && e.querySelector('strong')?.textContent === '加粗'
           && [...e.querySelectorAll('ul > li > p')].map(p => p.textContent).join() === '一,二'
           && [...e.querySelectorAll('td, th')].map(c => c.textContent).join() === '1,2';",
        WAIT,
    )
    .await?;
    let verdict = a
        .js("const e = document.querySelector('[data-testid=editor]');
             const bad = [...e.querySelectorAll('*')].filter(n =>
               ['SCRIPT','STYLE','IFRAME','OBJECT','EMBED','SVG','IMG','META'].includes(n.tagName.toUpperCase())
               || [...n.attributes].some(a => a.name.startsWith('on') || a.name === 'style'));
             const links = [...e.querySelectorAll('a')].map(a => a.getAttribute('href'));
             return JSON.stringify({ pwned: window.__pwned === 1, bad: bad.map(n => n.outerHTML), links,
               text: e.textContent.includes('坏链接') && e.textContent.includes('数据') });")
        .await?;
    let verdict: serde_json::Value = serde_json::from_str(verdict.as_str().unwrap_or("{}"))?;
    assert_eq!(verdict["pwned"], false, "{verdict}");
    assert_eq!(verdict["bad"], serde_json::json!([]), "{verdict}");
    assert_eq!(
        verdict["links"],
        serde_json::json!(["https://example.org/ok"]),
        "{verdict}"
    );
    assert_eq!(
        verdict["text"], true,
        "unsafe links keep their words: {verdict}"
    );
    // Nothing hostile reached the stored document either.
    let md = wait_export(&server, &doc.id, &doc.owner_token, &["## 通知", "**加粗**"]).await?;
    assert!(
        !md.contains("javascript:") && !md.contains("data:text"),
        "{md}"
    );

    // Plain text that is Markdown becomes structure.
    a.caret_to_end().await?;
    a.type_keys(ENTER).await?;
    a.js("const e = document.querySelector('[data-testid=editor]');
          const dt = new DataTransfer(); dt.setData('text/plain', '### 第三节\\n\\n- [x] 已完成\\n- [ ] 未完成\\n');
          e.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertFromPaste', dataTransfer: dt, bubbles: true, cancelable: true }));
          return true;")
        .await?;
    a.wait_js(
        "const e = document.querySelector('[data-testid=editor]');
         return e.querySelector('h3')?.textContent === '第三节'
           && e.querySelectorAll('ul.tasks li.task').length === 2
           && e.querySelectorAll('ul.tasks li.task.done').length === 1;",
        WAIT,
    )
    .await?;
    a.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_takes_back_only_my_own_changes_while_someone_else_types() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let doc = server.create_doc("Undo").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 800, 700).await?;
    let b = driver.browser("b", 800, 700).await?;
    a.goto(&server.url(&doc.path)).await?;
    b.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    b.wait_online().await?;
    a.caret_to_end().await?;
    a.type_keys(&format!("老师{ENTER}")).await?;
    b.wait_text("老师\n", WAIT).await?;
    // Both type at once, in different lines: A in the new line, B after 老师.
    select_in_block(&b, 0, 2, 2).await?;
    let (ra, rb) = tokio::join!(a.type_keys("AAA"), b.type_keys("BBB"));
    ra?;
    rb?;
    a.wait_js(
        "const t = document.querySelector('[data-testid=editor]').textContent;
         return t.includes('AAA') && t.includes('BBB');",
        WAIT,
    )
    .await?;
    b.wait_js(
        "const t = document.querySelector('[data-testid=editor]').textContent;
         return t.includes('AAA') && t.includes('BBB');",
        WAIT,
    )
    .await?;
    // A undoes: A's AAA goes, B's BBB stays, on both pages.
    a.type_keys(&format!("{CTRL}z{RELEASE}")).await?;
    for page in [&a, &b] {
        page.wait_js(
            "const t = document.querySelector('[data-testid=editor]').textContent;
             return !t.includes('AAA') && t.includes('BBB') && t.includes('老师');",
            WAIT,
        )
        .await?;
    }
    // Redo brings it back.
    a.type_keys(&format!("{CTRL}{SHIFT}z{RELEASE}")).await?;
    b.wait_js(
        "const t = document.querySelector('[data-testid=editor]').textContent;
         return t.includes('AAA') && t.includes('BBB');",
        WAIT,
    )
    .await?;
    // The toolbar's undo button does the same.
    a.find_testid("undo").await?.click().await?;
    b.wait_js(
        "const t = document.querySelector('[data-testid=editor]').textContent;
         return !t.includes('AAA') && t.includes('BBB');",
        WAIT,
    )
    .await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_and_replace_word_count_and_markdown_import_and_export() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let doc = server.create_doc("物资").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 500, 900).await?;
    let b = driver.browser("b", 800, 700).await?;
    a.goto(&server.url(&doc.path)).await?;
    b.goto(&server.url(&doc.path)).await?;
    a.wait_online().await?;
    b.wait_online().await?;
    a.caret_to_end().await?;
    a.type_keys("口罩 masks 口罩 gloves").await?;
    // Each Chinese character counts as a word, as do runs of letters.
    a.wait_js(
        "return document.querySelector('[data-testid=word-count]').textContent === '6 words';",
        WAIT,
    )
    .await?;

    // Ctrl+F: find, step through the matches, replace them all in one undo step.
    a.type_keys(&format!("{CTRL}f{RELEASE}")).await?;
    a.wait_js(
        "return document.activeElement === document.querySelector('[data-testid=find-text]');",
        WAIT,
    )
    .await?;
    a.type_keys("口罩").await?;
    a.wait_js(
        "return document.querySelector('[data-testid=find-count]').textContent === '1 / 2';",
        WAIT,
    )
    .await?;
    // Every match is highlighted, over exactly the matched text.
    a.wait_js(
        "const h = CSS.highlights.get('gather-find');
         return !!h && h.size === 2 && [...h].every(r => r.toString() === '口罩');",
        WAIT,
    )
    .await?;
    a.type_keys(ENTER).await?;
    a.wait_js(
        "return document.querySelector('[data-testid=find-count]').textContent === '2 / 2';",
        WAIT,
    )
    .await?;
    a.find_testid("replace-text")
        .await?
        .send_keys("N95")
        .await?;
    a.find_testid("replace-all").await?.click().await?;
    b.wait_text("N95 masks N95 gloves", WAIT).await?;
    a.js("document.querySelector('[data-testid=editor]').focus(); return true;")
        .await?;
    a.type_keys(&format!("{CTRL}z{RELEASE}")).await?;
    b.wait_text("口罩 masks 口罩 gloves", WAIT).await?;
    a.type_keys(&format!("{CTRL}{SHIFT}z{RELEASE}")).await?;
    b.wait_text("N95 masks N95 gloves", WAIT).await?;

    // Import a Markdown file at the caret; it becomes structure for everyone.
    let md = data.path().join("plan.md");
    std::fs::write(
        &md,
        "# 到货\n\n- [ ] 口罩 200\n- [x] 手套 50\n\n| 物资 | 数量 |\n|---|---|\n| 口罩 | 200 |\n",
    )?;
    a.caret_to_end().await?;
    a.find_testid("import-md")
        .await?
        .send_keys(&md.display().to_string())
        .await?;
    b.wait_js(
        "const e = document.querySelector('[data-testid=editor]');
         return e.querySelector('h1')?.textContent === '到货'
           && e.querySelectorAll('li.task').length === 2 && e.querySelectorAll('td').length === 2;",
        WAIT,
    )
    .await?;
    // The find bar is still open: the imported text's matches are highlighted too, and
    // counted, none selected yet.
    a.wait_js(
        "const h = CSS.highlights.get('gather-find');
         return !!h && h.size === 2 && [...h].every(r => r.toString() === '口罩');",
        WAIT,
    )
    .await?;
    a.wait_js(
        "return document.querySelector('[data-testid=find-count]').textContent === '2 matches';",
        WAIT,
    )
    .await?;

    // Export Markdown from the page: what is on screen, as Markdown.
    let downloads = data.path().join("downloads");
    a.allow_downloads(&downloads).await?;
    a.find_testid("export-md").await?.click().await?;
    let exported =
        tokio::task::spawn_blocking(move || e2e::wait_for_download(&downloads, "md")).await??;
    for needle in [
        "N95 masks N95 gloves",
        "# 到货",
        "- [ ] 口罩 200",
        "- [x] 手套 50",
        "| 口罩 | 200 |",
    ] {
        assert!(exported.contains(needle), "{needle:?} not in {exported}");
    }
    a.screenshot(
        &workspace_root()
            .join("screenshots")
            .join("rich-editor-find-phone.png"),
    )
    .await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}
