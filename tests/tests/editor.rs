//! End-to-end: two real Chromium pages on one document served by the real server.

use std::time::Duration;

use anyhow::Result;
use e2e::{workspace_root, Driver, GatherServer, WAIT};

const ENTER: &str = "\u{E007}";
const BACKSPACE: &str = "\u{E003}";
const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";
/// The badge says every edit of the page is durable on the server (in English, the language
/// these pages start in).
const SAVED: &str = "const s = document.querySelector('[data-testid=status]');
     return s.dataset.state === 'online' && s.dataset.unsaved === '0'
         && s.textContent === 'Saved';";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pages_edit_together_and_the_text_survives_a_server_crash() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let a = driver.browser("a", 1024, 768).await?;
    let b = driver.browser("b", 390, 844).await?;
    let path = server.create_doc("").await?.path;
    a.goto(&server.url(&path)).await?;
    b.goto(&server.url(&path)).await?;
    a.wait_online().await?;
    b.wait_online().await?;

    // Typing in one page appears in the other.
    a.caret_to_end().await?;
    a.type_keys("Hello world").await?;
    b.wait_text("Hello world", WAIT).await?;
    // …within a second.
    a.type_keys("!").await?;
    b.wait_text("Hello world!", Duration::from_secs(1)).await?;

    // Enter splits the paragraph; Backspace at the start of a paragraph merges it back.
    a.type_keys(&format!("{ENTER}Second")).await?;
    b.wait_text("Hello world!\nSecond", WAIT).await?;
    a.type_keys(&BACKSPACE.repeat(7)).await?;
    b.wait_text("Hello world!", WAIT).await?;

    // Chinese through an input method: exactly the composed characters, once.
    a.ime_type("ni hao", "你好").await?;
    a.wait_text("Hello world!你好", WAIT).await?;
    b.wait_text("Hello world!你好", WAIT).await?;

    // Ctrl+A then Ctrl+B makes everything bold, for the other page too.
    a.type_keys(&format!("{CTRL}a{RELEASE}")).await?;
    a.type_keys(&format!("{CTRL}b{RELEASE}")).await?;
    b.wait_js(
        "const s = document.querySelector('[data-testid=editor] strong');
         return !!s && s.textContent === 'Hello world!你好';",
        WAIT,
    )
    .await?;

    // The other page edits too (typing after bold text continues bold), and both converge.
    b.caret_to_end().await?;
    b.type_keys(" 再见").await?;
    a.wait_text("Hello world!你好 再见", WAIT).await?;
    // Once the server has confirmed that every edit is on its disk, both badges say so.
    a.wait_js(SAVED, WAIT).await?;
    b.wait_js(SAVED, WAIT).await?;
    let shots = workspace_root().join("screenshots");
    a.screenshot(&shots.join("editor-desktop.png")).await?;
    b.screenshot(&shots.join("editor-phone.png")).await?;

    // Kill the server without warning: everything another page saw was already on disk.
    let addr = server.crash().await?;
    // A page that loses the server keeps working, and its edits wait on the page.
    a.wait_js(
        "return document.querySelector('[data-testid=status]').dataset.state !== 'online';",
        WAIT,
    )
    .await?;
    a.caret_to_end().await?;
    a.type_keys("。").await?;
    a.wait_text("Hello world!你好 再见。", WAIT).await?;
    // The badge says the edit is kept on this device, and how many there are.
    a.wait_js(
        "const s = document.querySelector('[data-testid=status]');
         return s.dataset.unsaved === '1' && s.textContent === 'Offline — 1 change kept on this device';",
        WAIT,
    )
    .await?;
    a.screenshot(&shots.join("editor-offline-unsaved.png"))
        .await?;

    // Start it again on the same data: the open pages reconnect by themselves and the offline
    // edit merges; a page opened fresh sees everything.
    let server = GatherServer::start(data.path(), &addr).await?;
    a.wait_online().await?;
    a.wait_js(SAVED, WAIT).await?;
    b.wait_text("Hello world!你好 再见。", WAIT).await?;
    let c = driver.browser("c", 390, 844).await?;
    c.goto(&server.url(&path)).await?;
    c.wait_online().await?;
    c.wait_text("Hello world!你好 再见。", WAIT).await?;
    let bold = c
        .js("return document.querySelector('[data-testid=editor] strong')?.textContent ?? '';")
        .await?;
    assert_eq!(bold, "Hello world!你好 再见。");

    for browser in [a, b, c] {
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_creates_a_document_in_either_language() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let page = driver.browser("home", 390, 844).await?;
    page.goto(&server.url("/")).await?;
    page.js("localStorage.removeItem('gather-lang'); return true;")
        .await?;
    page.goto(&server.url("/")).await?;
    page.wait_js(
        "return !!document.querySelector('[data-testid=new-document]');",
        WAIT,
    )
    .await?;
    let shots = workspace_root().join("screenshots");
    page.screenshot(&shots.join("home-en.png")).await?;

    // Switch to Chinese: the interface and the page's language change, and the choice sticks.
    page.find_testid("lang-switch").await?.click().await?;
    page.wait_js(
        "return document.documentElement.lang === 'zh-CN'
            && document.querySelector('[data-testid=new-document]').textContent === '新建文档';",
        WAIT,
    )
    .await?;
    page.screenshot(&shots.join("home-zh.png")).await?;

    page.find_testid("new-document").await?.click().await?;
    page.wait_js(
        "return /^\\/d\\/[A-Za-z0-9_-]{16}$/.test(location.pathname)
            && /^#t=[A-Za-z0-9_-]{43}$/.test(location.hash);",
        WAIT,
    )
    .await?;
    page.wait_online().await?;
    // The owner is told to keep the owner link, which is the page's own address.
    page.wait_js(
        "const n = document.querySelector('[data-testid=created-notice]');
         return !!n && n.textContent.includes('所有者链接')
            && n.querySelector('[data-testid=link-text]').value === location.href;",
        WAIT,
    )
    .await?;
    page.screenshot(&shots.join("created-zh-phone.png")).await?;
    let badge = page
        .js("return document.querySelector('[data-testid=status]').textContent;")
        .await?;
    assert_eq!(badge, "已保存");
    // Pinyin input into the empty first paragraph, then ordinary keys.
    page.caret_to_end().await?;
    page.ime_type("chen jian", "晨检").await?;
    page.type_keys("：体温正常").await?;
    page.wait_text("晨检：体温正常", WAIT).await?;
    // Shift+Enter breaks the line inside the paragraph.
    page.type_keys("\u{E008}\u{E007}\u{E000}37.2℃").await?;
    page.wait_js(
        "const p = document.querySelector('[data-testid=editor] p');
         return p.innerText === '晨检：体温正常\\n37.2℃' && !!p.querySelector('br[data-hard]')
            && !p.parentElement.hasAttribute('data-empty');",
        WAIT,
    )
    .await?;
    // The paragraph style menu makes it a heading.
    page.find_testid("block-style")
        .await?
        .select_by_value("h1")
        .await?;
    page.wait_js(
        "const h = document.querySelector('[data-testid=editor] h1');
         return !!h && h.textContent === '晨检：体温正常37.2℃';",
        WAIT,
    )
    .await?;
    page.screenshot(&shots.join("editor-zh-phone.png")).await?;

    // When the server restarts, the page says so in the user's language and goes offline.
    server.stop().await?;
    page.wait_js(
        "return document.querySelector('[data-testid=close-notice]')?.textContent
                 === '服务器正在重启。稍后自动重新连接…'
            && document.querySelector('[data-testid=status]').dataset.state !== 'online';",
        WAIT,
    )
    .await?;
    page.screenshot(&shots.join("editor-zh-server-restarting.png"))
        .await?;
    page.close().await?;
    Ok(())
}

/// Installed through DevTools before any of the page's scripts: every socket the page makes,
/// with when it was made and the first byte of each frame it sends, and when the app's wasm
/// began to instantiate.
const SOCKET_PROBE: &str = r#"
(() => {
  const probe = (window.__probe = { sockets: [], wasm: null });
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      const seen = { at: performance.now(), sent: [] };
      probe.sockets.push(seen);
      const send = this.send.bind(this);
      this.send = (data) => {
        seen.sent.push(new Uint8Array(data.buffer ?? data)[data.byteOffset ?? 0]);
        return send(data);
      };
    }
  };
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => {
      probe.wasm ??= performance.now();
      return original(...args);
    };
  }
})();
"#;

/// How many sockets the page made, whether the first came before the app's wasm, and how many
/// hellos (frames starting with the request for receipts, 100) went out on it.
const SOCKETS: &str = "const p = window.__probe;
    return [p.sockets.length, p.sockets[0].at < p.wasm, p.sockets[0].sent.filter(b => b === 100).length];";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_downloads_while_the_app_loads_on_the_one_socket_the_page_opens() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let writer = driver.browser("writer", 1024, 768).await?;
    let reader = driver.browser("reader", 390, 844).await?;
    let path = server.create_doc("").await?.path;
    writer.goto(&server.url(&path)).await?;
    writer.wait_online().await?;
    writer.caret_to_end().await?;
    writer.type_keys("Written before you came").await?;
    writer.wait_js(SAVED, WAIT).await?;

    // A first visit: the page's early start opens the socket and says hello before the app's
    // wasm is even compiled; the app takes that socket over and says nothing more.
    reader
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": SOCKET_PROBE }),
        )
        .await?;
    reader.goto(&server.url(&path)).await?;
    reader.wait_text("Written before you came", WAIT).await?;
    reader.wait_online().await?;
    assert_eq!(reader.js(SOCKETS).await?, serde_json::json!([1, true, 1]));
    // Its edits on that socket reach others and are confirmed as saved.
    reader.caret_to_end().await?;
    reader.type_keys(", read and answered").await?;
    writer
        .wait_text("Written before you came, read and answered", WAIT)
        .await?;
    reader.wait_js(SAVED, WAIT).await?;
    reader
        .wait_js(
            "return Object.keys(localStorage).some(k => k.startsWith('gather-kept:'));",
            WAIT,
        )
        .await?;

    // Coming back, the browser keeps a copy: the hello must name what the copy holds, so the
    // app opens the one socket and says hello once. (Elsewhere first: the same address with
    // its fragment would not load the page again.)
    reader.goto("about:blank").await?;
    reader.goto(&server.url(&path)).await?;
    reader.wait_online().await?;
    writer.caret_to_end().await?;
    writer.type_keys(".").await?;
    reader
        .wait_text("Written before you came, read and answered.", WAIT)
        .await?;
    assert_eq!(reader.js(SOCKETS).await?, serde_json::json!([1, false, 1]));
    reader.caret_to_end().await?;
    reader.type_keys(" Again.").await?;
    writer
        .wait_text("Written before you came, read and answered. Again.", WAIT)
        .await?;
    reader.wait_js(SAVED, WAIT).await?;

    writer.close().await?;
    reader.close().await?;
    Ok(())
}
