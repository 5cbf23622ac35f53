//! The editor's speed in headless Chromium (issue 4): how long a 100-page document takes to
//! open and render, and how long a keystroke takes to reach the screen.
//!
//! 1. A 100-page document (about 50,000 words: headings, paragraphs with marks and links,
//!    bulleted, numbered and task lists, quotes, code blocks, tables; mostly English, one
//!    paragraph in five Chinese) is generated as Markdown and imported through the editor's
//!    own "Import Markdown" button, then saved by the server.
//! 2. **Open**: fresh browsers (nothing cached) open it; then the same browsers open it again
//!    (app files cached, the document kept in IndexedDB). Measured in the page, from the
//!    navigation's start to the moment the document's last block is in the DOM, and to the
//!    next frame after that.
//! 3. **Keystrokes**: typing in a paragraph in the middle of the document (letters, spaces,
//!    Enter, Backspace), one key at a time. Each key's latency is from the key event's
//!    timestamp to the frame after the editor handled it (`requestAnimationFrame`, then a
//!    message: the frame has been painted by then). The browser's own Event Timing API
//!    counts the keys that took 16 ms or more, as a check.
//!
//! Run by `bench/editor.sh`, which builds the app and the server in release mode first.
//! Usage: `editor_bench [--words N] [--opens N] [--keys N] [--out FILE]`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use e2e::{Browser, Driver, GatherServer, LAST_BLOCK};
use serde_json::{json, Value};

/// The last block's text: the document has opened when it is on screen.
const END: &str = "The end of the handbook. 完";

/// Runs in every page before the app (through DevTools, so the page's CSP does not apply):
/// notes when the document's last block is in the DOM, and the frame after.
const OPEN_PROBE: &str = r#"
(() => {
  const bench = (window.__bench = { opened: null, painted: null, marks: {} });
  // Where the time goes: the wasm fetched, the app's socket made and open, the document's
  // bytes arriving.
  const marks = bench.marks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.endsWith('.wasm')) marks.wasm = Math.round(e.responseEnd);
    }
  }).observe({ type: 'resource', buffered: true });
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => {
      marks.instantiate ??= Math.round(performance.now());
      return original(...args).then((r) => { marks.instantiated ??= Math.round(performance.now()); return r; });
    };
  }
  const openDb = indexedDB.open.bind(indexedDB);
  indexedDB.open = (...args) => {
    marks.idb ??= Math.round(performance.now());
    const request = openDb(...args);
    request.addEventListener('success', () => { marks.idb_open ??= Math.round(performance.now()); });
    return request;
  };
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      marks.socket ??= Math.round(performance.now());
      this.addEventListener('open', () => { marks.open ??= Math.round(performance.now()); });
      this.addEventListener('message', (event) => {
        marks.first_message ??= Math.round(performance.now());
        marks.bytes = (marks.bytes || 0) + (event.data.byteLength || event.data.size || 0);
        if (marks.bytes > 100000) marks.doc_arrived ??= Math.round(performance.now());
      });
    }
  };
  // After `then` the frame after it: when it is on screen.
  const nextFrame = (then) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => then(performance.now());
    channel.port2.postMessage(0);
  });
  const observer = new MutationObserver(() => {
    // The document's top: the long document rendered, its editing window filled.
    const page = document.querySelector('[data-testid=editor-page]');
    if (bench.top === undefined && page && page.hasAttribute('data-windowed')) {
      bench.top = performance.now();
      nextFrame((t) => { bench.top_painted = t; });
    }
    const last = LAST_BLOCK;
    if (bench.opened !== null || !last || !last.textContent.includes(END)) return;
    bench.opened = performance.now();
    observer.disconnect();
    // A document too short for an editing window: its top is the whole of it.
    const short = bench.top === undefined;
    if (short) bench.top = bench.opened;
    nextFrame((t) => { bench.painted = t; if (short) bench.top_painted = t; });
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
})();
"#;

/// A page shown by each fresh browser before the first visit.
const WARM_UP: &str = "<h1>Morning check-in 晨检</h1>\
    <p>Temperature <b>36.6</b> 体温正常，<i>无</i>咳嗽。</p><pre>code 代码</pre>";

/// `html` as a `data:` URL.
fn data_url(html: &str) -> String {
    let mut url = String::from("data:text/html;charset=utf-8,");
    for byte in html.bytes() {
        if byte.is_ascii_alphanumeric() {
            url.push(byte as char);
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// Installed before typing: each keydown's latency to the frame after it, and the browser's
/// Event Timing entries of 16 ms or more.
const KEY_PROBE: &str = r#"
  const bench = window.__bench;
  bench.keys = [];
  bench.slow = [];
  bench.work = [];
  if (bench.probing) return true;
  bench.probing = true;
  // The editor's own work per key: its `beforeinput` handler on the editable element runs
  // between these two.
  let began = 0;
  document.addEventListener('beforeinput', () => { began = performance.now(); }, true);
  window.addEventListener('beforeinput', () => bench.work.push(performance.now() - began));
  document.addEventListener('keydown', (event) => {
    const start = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => bench.keys.push(performance.now() - start);
      channel.port2.postMessage(0);
    });
  }, true);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === 'keydown') bench.slow.push(e.duration);
      bench.entries = bench.entries || [];
      bench.entries.push([e.name, e.duration, Math.round(e.processingEnd - e.processingStart), Math.round(e.processingStart - e.startTime)]);
    }
  }).observe({ type: 'event', durationThreshold: 16 });
  return true;
"#;

/// Installed after `KEY_PROBE` for the browser-alone run: the editor never sees the keys, so
/// the browser types into the same page natively. What that costs is the floor no editor on
/// this page can go under.
const NATIVE: &str = r#"
  const stop = (event) => event.stopImmediatePropagation();
  document.addEventListener('keydown', stop, true);
  document.addEventListener('beforeinput', stop, true);
  return true;
"#;

struct Options {
    words: usize,
    opens: usize,
    keys: usize,
    out: Option<PathBuf>,
    /// Opens go through a phone's link: round trip in ms, download in kbit/s.
    link: Option<(u64, u64)>,
    /// Turns `assets/early.js` off, so the app opens its socket itself once loaded.
    without_early_start: bool,
}

fn options() -> Result<Options> {
    let mut options = Options {
        words: 50_000,
        opens: 3,
        keys: 300,
        out: None,
        link: None,
        without_early_start: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().context("a value after the option");
        match arg.as_str() {
            "--words" => options.words = value()?.parse()?,
            "--opens" => options.opens = value()?.parse()?,
            "--keys" => options.keys = value()?.parse()?,
            "--out" => options.out = Some(value()?.into()),
            "--link" => options.link = Some(e2e::bench::parse_link(&value()?)?),
            "--without-early-start" => options.without_early_start = true,
            _ => bail!("unknown option {arg}; usage: editor_bench [--words N] [--opens N] [--keys N] [--out FILE] [--link RTT_MS,KBIT_S] [--without-early-start]"),
        }
    }
    Ok(options)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let options = options()?;
    e2e::bench::run(options.out.as_deref(), async |data, server, driver| {
        run(&options, server, driver, data).await
    })
    .await
}

async fn run(
    options: &Options,
    server: &GatherServer,
    driver: &Driver,
    data: &std::path::Path,
) -> Result<String> {
    let markdown = handbook(options.words);
    let md = data.join("handbook.md");
    std::fs::write(&md, &markdown.text)?;
    let doc = server.create_doc("Handbook").await?;
    let url = server.url(&doc.path);

    // The author imports the handbook and waits until the server has it on disk.
    let author = driver.browser("author", 1280, 900).await?;
    author.goto(&url).await?;
    author.wait_online().await?;
    author.caret_to_end().await?;
    let started = Instant::now();
    author
        .find_testid("import-md")
        .await?
        .send_keys(&md.display().to_string())
        .await?;
    author
        .wait_js(
            &format!(
                "const last = {}; return !!last && last.textContent.includes({});",
                LAST_BLOCK,
                json!(END)
            ),
            Duration::from_secs(120),
        )
        .await?;
    let imported = started.elapsed();
    author
        .wait_js(
            "const s = document.querySelector('[data-testid=status]');
             return s.dataset.state === 'online' && s.dataset.unsaved === '0';",
            Duration::from_secs(120),
        )
        .await?;
    // The word count follows the document at most every 300 ms.
    author
        .wait_js(
            "return !/^0\\D/.test(document.querySelector('[data-testid=word-count]').textContent);",
            Duration::from_secs(10),
        )
        .await?;
    let shape = author
        .js("const e = document.querySelector('[data-testid=editor]');
             const page = document.querySelector('[data-testid=editor-page]');
             return [page.querySelectorAll('[data-b]').length, page.querySelectorAll(':scope > .flow > *').length,
                     document.querySelector('[data-testid=word-count]').textContent];")
        .await?;
    author.close().await?;

    // Opening: fresh browsers, then each again with its caches and kept copy; through a
    // phone's link if asked.
    let url = match options.link {
        Some(_) => format!(
            "{}{}",
            e2e::bench::base_url(server, options.link).await?,
            doc.path
        ),
        None => url,
    };
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut reader = None;
    for i in 0..options.opens {
        let browser = driver.browser(&format!("reader-{i}"), 1280, 900).await?;
        probe(&browser, options).await?;
        // A real person's browser has shown pages before, its fonts loaded: this one first
        // shows a page of Chinese and English text (nothing from Gather's site).
        browser.goto(&data_url(WARM_UP)).await?;
        let profile = i == 0 && std::env::var_os("EDITOR_BENCH_PROFILE_OPEN").is_some();
        if profile {
            // A page of the same site first, so the profiler's page keeps its process.
            browser.goto(&server.url("/api/none")).await?;
            browser.cdp("Profiler.enable", json!({})).await?;
            browser
                .cdp("Profiler.setSamplingInterval", json!({ "interval": 500 }))
                .await?;
            browser.cdp("Profiler.start", json!({})).await?;
        }
        cold.push(open(&browser, &url, !profile).await?);
        if profile {
            let stopped = browser.cdp("Profiler.stop", json!({})).await?;
            print_profile(&stopped["profile"]);
            print_timeline(&stopped["profile"]);
        }
        // Let the kept copy be written before the second visit.
        browser
            .wait_js(
                "const s = document.querySelector('[data-testid=status]');
                 return s.dataset.state === 'online';",
                Duration::from_secs(30),
            )
            .await?;
        // The kept state is at least a quarter of the Markdown's size.
        wait_kept(&browser, &doc.id, markdown.text.len() / 4).await?;
        // The person closes the tab and opens the link again later.
        browser.reopen_tab().await?;
        probe(&browser, options).await?;
        warm.push(open(&browser, &url, false).await?);
        match reader {
            None => reader = Some(browser),
            Some(_) => browser.close().await?,
        }
    }
    let reader = reader.context("--opens must be at least 1")?;
    reader.wait_online().await?;

    // Typing in the middle of the document.
    let typed = keystrokes(options.keys);
    // A script to try in the page before typing (an experiment), its result printed.
    if let Some(script) = std::env::var_os("EDITOR_BENCH_JS") {
        let script = std::fs::read_to_string(script)?;
        eprintln!("EDITOR_BENCH_JS: {}", reader.js(&script).await?);
    }
    let profile = std::env::var_os("EDITOR_BENCH_PROFILE").is_some();
    if profile {
        reader.cdp("Profiler.enable", json!({})).await?;
        reader
            .cdp("Profiler.setSamplingInterval", json!({ "interval": 200 }))
            .await?;
        reader.cdp("Profiler.start", json!({})).await?;
    }
    let latencies = type_and_measure(&reader, &typed, false).await?;
    if profile {
        let stopped = reader.cdp("Profiler.stop", json!({})).await?;
        print_profile(&stopped["profile"]);
    }
    if let Some(script) = std::env::var_os("EDITOR_BENCH_AFTER_JS") {
        let script = std::fs::read_to_string(script)?;
        eprintln!("EDITOR_BENCH_AFTER_JS: {}", reader.js(&script).await?);
    }
    let slow: Vec<f64> = serde_json::from_value(reader.js("return window.__bench.slow;").await?)?;
    let work: Vec<f64> = serde_json::from_value(reader.js("return window.__bench.work;").await?)?;
    // The same keys typed by the browser alone into the same page.
    let native = type_and_measure(&reader, &typed, true).await?;
    if std::env::var_os("EDITOR_BENCH_ENTRIES").is_some() {
        eprintln!(
            "{}",
            reader
                .js("return JSON.stringify(window.__bench.entries);")
                .await?
        );
    }
    reader.close().await?;

    let mut report = String::new();
    let now = chrono_like_now();
    writeln!(report, "### Editor in headless Chromium: {now}\n")?;
    writeln!(
        report,
        "Document: {} words of Markdown ({} bytes; {} blocks of which {} top-level; the editor counts {}), imported through the editor in {:.1} s.\n",
        markdown.words,
        markdown.text.len(),
        shape[0],
        shape[1],
        shape[2].as_str().unwrap_or_default(),
        imported.as_secs_f64(),
    )?;
    if let Some((rtt, kbps)) = options.link {
        writeln!(report, "Opens over a phone's link: {rtt} ms round trip, {kbps} kbit/s down, shared by every connection.\n")?;
    }
    if options.without_early_start {
        writeln!(report, "The page's early start (`assets/early.js`) turned off: the app opens its socket once loaded.\n")?;
    }
    writeln!(report, "| what | runs | p50 | p95 | max |")?;
    writeln!(report, "|---|---|---|---|---|")?;
    for (name, runs) in [
        (
            "open, first visit: the document's top on screen (ms)",
            pick(&cold, |o| o.2),
        ),
        (
            "open, first visit: the whole document in the DOM (ms)",
            pick(&cold, |o| o.0),
        ),
        (
            "open, first visit: the whole document, next frame (ms)",
            pick(&cold, |o| o.1),
        ),
        (
            "open again (cached app, kept copy): the document's top on screen (ms)",
            pick(&warm, |o| o.2),
        ),
        (
            "open again: the whole document in the DOM (ms)",
            pick(&warm, |o| o.0),
        ),
        (
            "open again: the whole document, next frame (ms)",
            pick(&warm, |o| o.1),
        ),
        ("keystroke to next frame (ms)", latencies.clone()),
        ("the editor's beforeinput handler (ms)", work.clone()),
        (
            "keystroke to next frame, the browser typing alone into the same page (ms)",
            native.clone(),
        ),
    ] {
        writeln!(
            report,
            "| {name} | {} | {:.1} | {:.1} | {:.1} |",
            runs.len(),
            percentile(&runs, 0.50),
            percentile(&runs, 0.95),
            percentile(&runs, 1.0),
        )?;
    }
    writeln!(
        report,
        "\nKeys typed: {} ({} Enter, {} Backspace). Event Timing: {} of them took 16 ms or more (durations {:?}).",
        typed.len(),
        typed.iter().filter(|k| **k == ENTER).count(),
        typed.iter().filter(|k| **k == BACKSPACE).count(),
        slow.len(),
        slow,
    )?;
    Ok(report)
}

/// The open probe, and the early start turned off if asked, in the browser's current tab.
async fn probe(browser: &Browser, options: &Options) -> Result<()> {
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": OPEN_PROBE.replace("END", &json!(END).to_string()).replace("LAST_BLOCK", LAST_BLOCK) }),
        )
        .await?;
    if options.without_early_start {
        // What the app leaves behind once it has looked: the early start then does nothing.
        browser
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": "window.gatherEarlySocket = null;" }),
            )
            .await?;
    }
    Ok(())
}

/// Opens the document: when its whole text is in the DOM, the frame after that, and the frame
/// after its top was (ms since the navigation started).
async fn open(browser: &Browser, url: &str, blank_first: bool) -> Result<(f64, f64, f64)> {
    // A different page first, so the second visit is a real navigation (not a same-URL no-op).
    if blank_first {
        browser.goto("about:blank").await?;
    }
    browser.goto(url).await?;
    let v = browser
        .wait_value(
            "const b = window.__bench || {}; const t = [b.opened, b.painted, b.top_painted]; \
             return t.every((x) => typeof x === 'number') ? t : null;",
            Duration::from_secs(60),
        )
        .await
        .context("the document did not open")?;
    let time = |at: usize| v[at].as_f64().context("no time");
    let (opened, painted, top) = (time(0)?, time(1)?, time(2)?);
    let marks = browser.js("return window.__bench.marks;").await?;
    eprintln!("open: {marks} top on screen {top:.0}, whole document in the DOM {opened:.0}, on screen {painted:.0}");
    Ok((opened, painted, top))
}

/// Waits until this browser keeps the document in IndexedDB with nothing unsaved.
async fn wait_kept(browser: &Browser, id: &str, min_bytes: usize) -> Result<()> {
    let script = "const [id, min, done] = arguments;
        const open = indexedDB.open('gather');
        open.onerror = () => done(false);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('docs')) return done(false);
            const get = db.transaction('docs').objectStore('docs').get(id);
            get.onsuccess = () => done(!!get.result && get.result.unsaved === 0
                && get.result.state.length > min);
            get.onerror = () => done(false);
        };";
    let deadline = Instant::now() + Duration::from_secs(30);
    while browser
        .client
        .execute_async(script, vec![json!(id), json!(min_bytes)])
        .await?
        != Value::Bool(true)
    {
        if Instant::now() > deadline {
            bail!("the document was not kept in IndexedDB");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

const ENTER: &str = "\u{E007}";
const BACKSPACE: &str = "\u{E003}";

/// What is typed: words with spaces, an Enter every 30 keys, a Backspace every 11.
fn keystrokes(n: usize) -> Vec<&'static str> {
    let letters = "the quick brown fox jumps over the lazy dog ";
    (0..n)
        .map(|i| {
            if i % 30 == 29 {
                ENTER
            } else if i % 11 == 10 {
                BACKSPACE
            } else {
                let at = i % letters.len();
                &letters[at..at + 1]
            }
        })
        .collect()
}

/// Puts the caret at the end of a paragraph in the middle, types `keys` one at a time (each
/// after the previous one reached the screen) and returns each key's latency in ms.
async fn type_and_measure(browser: &Browser, keys: &[&str], native: bool) -> Result<Vec<f64>> {
    browser
        .js("const e = document.querySelector('[data-testid=editor]');
             const page = document.querySelector('[data-testid=editor-page]');
             const ps = page.querySelectorAll(':scope > .flow > p[data-b]');
             const p = ps[Math.floor(ps.length / 2)];
             e.focus();
             const r = document.createRange(); r.selectNodeContents(p); r.collapse(false);
             const s = getSelection(); s.removeAllRanges(); s.addRange(r);
             p.scrollIntoView({ block: 'center' });
             return true;")
        .await?;
    browser.js(KEY_PROBE).await?;
    if native {
        browser.js(NATIVE).await?;
    }
    let active = browser.client.active_element().await?;
    for (i, key) in keys.iter().enumerate() {
        active.send_keys(key).await?;
        browser
            .wait_js(
                &format!("return window.__bench.keys.length > {i};"),
                Duration::from_secs(10),
            )
            .await?;
    }
    let typed: Vec<f64> = serde_json::from_value(browser.js("return window.__bench.keys;").await?)?;
    if typed.len() != keys.len() {
        bail!("{} keys measured, {} typed", typed.len(), keys.len());
    }
    // The text arrived: what was typed after the last Enter or Backspace is in the editor.
    let text = browser
        .js("return document.querySelector('[data-testid=editor]').textContent;")
        .await?;
    let text = text.as_str().unwrap_or_default().replace('\u{a0}', " ");
    let last: Vec<&str> = keys
        .iter()
        .rev()
        .take_while(|key| **key != ENTER && **key != BACKSPACE)
        .copied()
        .collect();
    let last: String = last.into_iter().rev().collect();
    if !text.contains(last.trim()) {
        bail!("the typed text {last:?} is not in the editor");
    }
    Ok(typed)
}

fn pick(runs: &[(f64, f64, f64)], f: impl Fn(&(f64, f64, f64)) -> f64) -> Vec<f64> {
    runs.iter().map(f).collect()
}

/// The `q`-th percentile (nearest rank) of `values`.
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn chrono_like_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

struct Markdown {
    text: String,
    words: usize,
}

/// A handbook of about `words` words, deterministic: sections with headings, paragraphs
/// (bold, italic, code, links), lists, task lists, quotes, code blocks and tables.
fn handbook(words: usize) -> Markdown {
    const EN: &[&str] = &[
        "students",
        "report",
        "their",
        "temperature",
        "every",
        "morning",
        "before",
        "nine",
        "the",
        "class",
        "teacher",
        "checks",
        "who",
        "has",
        "not",
        "replied",
        "masks",
        "arrive",
        "from",
        "donors",
        "and",
        "volunteers",
        "count",
        "boxes",
        "at",
        "the",
        "hospital",
        "gate",
        "plans",
        "lessons",
        "together",
        "online",
        "while",
        "schools",
        "stay",
        "closed",
        "a",
        "list",
        "of",
        "supplies",
        "is",
        "kept",
        "in",
        "one",
        "shared",
        "document",
    ];
    const ZH: &[&str] = &[
        "学生",
        "每天",
        "早上",
        "报告",
        "体温",
        "班主任",
        "检查",
        "谁",
        "还没有",
        "回复",
        "口罩",
        "来自",
        "捐赠",
        "志愿者",
        "清点",
        "箱子",
        "医院",
        "门口",
        "老师",
        "一起",
        "备课",
        "学校",
        "停课",
        "期间",
        "物资",
        "清单",
        "共享",
        "文档",
    ];
    let mut seed = 0x2020_0203_u64;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let mut text = String::new();
    let mut count = 0;
    let sentence = |next: &mut dyn FnMut(usize) -> usize, n: usize, count: &mut usize| {
        let chinese = next(5) == 0;
        let mut s = String::new();
        for i in 0..n {
            let word = if chinese {
                ZH[next(ZH.len())]
            } else {
                EN[next(EN.len())]
            };
            if !chinese && i > 0 {
                s.push(' ');
            }
            match next(40) {
                0 => write!(s, "**{word}**").unwrap(),
                1 => write!(s, "*{word}*").unwrap(),
                2 => write!(s, "`{word}`").unwrap(),
                3 => write!(s, "[{word}](https://example.org/{i})").unwrap(),
                _ => s.push_str(word),
            }
            *count += if chinese { word.chars().count() } else { 1 };
        }
        s.push(if chinese { '。' } else { '.' });
        s
    };
    let mut section = 0;
    while count < words {
        section += 1;
        if section % 10 == 1 {
            writeln!(text, "# Part {}\n", section / 10 + 1).unwrap();
        }
        writeln!(text, "## Section {section}\n").unwrap();
        for block in 0..6 {
            match (section + block) % 9 {
                0 => {
                    for i in 0..4 {
                        let s = sentence(&mut next, 8, &mut count);
                        writeln!(text, "- item {i}: {s}").unwrap();
                    }
                }
                1 => {
                    for i in 0..4 {
                        let s = sentence(&mut next, 8, &mut count);
                        writeln!(text, "{}. {s}", i + 1).unwrap();
                    }
                }
                2 => {
                    for i in 0..3 {
                        let s = sentence(&mut next, 6, &mut count);
                        let mark = if i == 0 { 'x' } else { ' ' };
                        writeln!(text, "- [{mark}] {s}").unwrap();
                    }
                }
                3 => {
                    let s = sentence(&mut next, 30, &mut count);
                    writeln!(text, "> {s}").unwrap();
                }
                4 if block == 4 => {
                    writeln!(text, "| Item | Quantity | Where |\n|---|---|---|").unwrap();
                    for _ in 0..4 {
                        let item = EN[next(EN.len())];
                        let place = ZH[next(ZH.len())];
                        writeln!(text, "| {item} | {} | {place} |", next(500)).unwrap();
                        count += 3;
                    }
                }
                5 if block == 5 => {
                    writeln!(text, "```\nlet total = boxes * {};\n```", next(100)).unwrap();
                    count += 4;
                }
                _ => {
                    let n = 40 + next(60);
                    let s1 = sentence(&mut next, n / 2, &mut count);
                    let s2 = sentence(&mut next, n - n / 2, &mut count);
                    writeln!(text, "{s1} {s2}").unwrap();
                }
            }
            text.push('\n');
        }
    }
    writeln!(text, "{END}").unwrap();
    Markdown { text, words: count }
}

/// Prints where the page spent its time while typing (self time per function, top 25).
fn print_profile(profile: &Value) {
    let mut names = std::collections::HashMap::new();
    for node in profile["nodes"].as_array().into_iter().flatten() {
        let frame = &node["callFrame"];
        let name = format!(
            "{} {}:{}",
            frame["functionName"].as_str().unwrap_or(""),
            frame["url"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or(""),
            frame["lineNumber"]
        );
        names.insert(node["id"].as_i64().unwrap_or(0), name);
    }
    let mut time: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (sample, delta) in samples.iter().zip(deltas.iter().skip(1).chain([&json!(0)])) {
        let name = names
            .get(&sample.as_i64().unwrap_or(0))
            .map(String::as_str)
            .unwrap_or("?");
        *time.entry(name).or_default() += delta.as_f64().unwrap_or(0.0) / 1000.0;
    }
    let mut sorted: Vec<_> = time.into_iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (name, ms) in sorted.into_iter().take(40) {
        eprintln!("{ms:>9.1} ms  {name}");
    }
}

/// The profile as a timeline: in each 25 ms, the app's or the library's functions nearest to
/// where the samples were (what Rust code was busy), with the time each took.
fn print_timeline(profile: &Value) {
    use std::collections::HashMap;
    let mut names = HashMap::new();
    let mut parent = HashMap::new();
    for node in profile["nodes"].as_array().into_iter().flatten() {
        let id = node["id"].as_i64().unwrap_or(0);
        let name = node["callFrame"]["functionName"].as_str().unwrap_or("");
        names.insert(id, name.to_owned());
        for child in node["children"].as_array().into_iter().flatten() {
            parent.insert(child.as_i64().unwrap_or(0), id);
        }
    }
    let owner = |mut id: i64| -> String {
        let leaf = names.get(&id).cloned().unwrap_or_default();
        loop {
            let name = names.get(&id).map(String::as_str).unwrap_or("");
            if name.starts_with("app::")
                && !name.contains("{{closure}}")
                && !name.starts_with("app::main")
                || name.starts_with("gather_doc::")
            {
                let short: String = name.chars().take(80).collect();
                return short;
            }
            match parent.get(&id) {
                Some(&p) => id = p,
                None => {
                    return if leaf.is_empty() {
                        "(native)".into()
                    } else {
                        leaf.chars().take(60).collect()
                    }
                }
            }
        }
    };
    let start = profile["startTime"].as_f64().unwrap_or(0.0);
    let mut t = start;
    let mut windows: std::collections::BTreeMap<i64, HashMap<String, f64>> = Default::default();
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (sample, delta) in samples.iter().zip(deltas.iter()) {
        t += delta.as_f64().unwrap_or(0.0);
        let name = owner(sample.as_i64().unwrap_or(0));
        if name == "(idle)" {
            continue;
        }
        *windows
            .entry(((t - start) / 25_000.0) as i64)
            .or_default()
            .entry(name)
            .or_default() += delta.as_f64().unwrap_or(0.0) / 1000.0;
    }
    for (w, by) in windows {
        let mut by: Vec<_> = by.into_iter().collect();
        by.sort_by(|a, b| b.1.total_cmp(&a.1));
        let line: Vec<String> = by
            .iter()
            .take(4)
            .map(|(n, ms)| format!("{ms:.0} {n}"))
            .collect();
        eprintln!("{:>5} ms: {}", w * 25, line.join(" | "));
    }
}
