//! How long a student on a phone waits for the daily health check-in (issue 8: the fill page's
//! time to interactive) in headless Chromium, on a first visit and again with the app's files
//! cached, and how long a submission takes to be confirmed.
//!
//! Measured in the page, from the navigation's start: the form ready to fill (its first
//! question's input in the DOM, and the frame after that) and the region lists ready (the
//! province list filled from the division table, which only a form with a region question
//! fetches). On the first visit the student then fills the form in (not timed) and taps
//! Submit: from the tap to the receipt in the DOM, a round trip with the server's checks and
//! its durable store.
//!
//! Usage: `fill_bench [--opens N] [--link RTT_MS,KBIT_S] [--out FILE]`, with
//! `$GATHER_SERVER_BIN` a release build and `dist/` the app to measure (`bench/fill.sh`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use e2e::bench::median_max;
use e2e::{Browser, Driver, GatherServer};
use serde_json::json;

/// Runs in every page before the app: notes when the form is ready, the frame after, when the
/// region lists are, and how long after the tap on Submit the receipt shows.
const PROBE: &str = r#"
(() => {
  const bench = (window.__fill = {});
  // After `then` the frame after it: when it is on screen.
  const nextFrame = (then) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => then(performance.now());
    channel.port2.postMessage(0);
  });
  const look = () => {
    if (bench.form === undefined && document.querySelector('[data-testid=fill-form] input[name]')) {
      bench.form = performance.now();
      nextFrame((t) => { bench.form_painted = t; });
    }
    const province = document.querySelector("select[name='district.province']");
    if (bench.regions === undefined && province && !province.disabled && province.options.length > 1) {
      bench.regions = performance.now();
    }
    if (bench.tapped !== undefined && bench.done === undefined && document.querySelector('[data-testid=fill-done]')) {
      bench.done = performance.now() - bench.tapped;
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true, attributes: true });
})();
"#;

const SUBMIT: &str = "window.__fill.tapped = performance.now();
    document.querySelector('[data-testid=fill-submit]').click();
    return true;";

/// Makes the receipts this device keeps a day older, as they are the next morning (a daily
/// form then asks again instead of showing today's receipt).
const NEXT_MORNING: &str = "for (const key of Object.keys(localStorage)) {
      if (!key.startsWith('gather-fill-')) continue;
      const kept = JSON.parse(localStorage.getItem(key));
      if (kept.receipt) {
        kept.receipt.submitted_at -= 86400000;
        kept.receipt.updated_at -= 86400000;
      }
      localStorage.setItem(key, JSON.stringify(kept));
    }
    return true;";

/// How long a page may take to show what is measured before the bench gives up.
const OPEN_LIMIT: Duration = Duration::from_secs(60);

struct Options {
    opens: usize,
    link: Option<(u64, u64)>,
    out: Option<PathBuf>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        opens: 3,
        link: None,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().context("a value after the option");
        match arg.as_str() {
            "--opens" => options.opens = value()?.parse()?,
            "--out" => options.out = Some(value()?.into()),
            "--link" => options.link = Some(e2e::bench::parse_link(&value()?)?),
            _ => bail!(
                "unknown option {arg}; usage: fill_bench [--opens N] [--link RTT_MS,KBIT_S] [--out FILE]"
            ),
        }
    }
    Ok(options)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let options = options()?;
    e2e::bench::run(options.out.as_deref(), async |_, server, driver| {
        run(&options, server, driver).await
    })
    .await
}

/// One visit's times (ms): the form ready, the frame after, the region lists ready, and the
/// tap on Submit to the receipt (first visits only).
type Visit = [Option<f64>; 4];

async fn run(options: &Options, server: &GatherServer, driver: &Driver) -> Result<String> {
    let form = server.create_form("health-checkin", "zh").await?;
    let link = server.respondent_link(&form, "三年二班").await?;
    let path = link["url"].as_str().context("the link's address")?;
    let url = format!(
        "{}{path}",
        e2e::bench::base_url(server, options.link).await?
    );
    let (mut first, mut again) = (Vec::new(), Vec::new());
    for i in 0..options.opens {
        // A cheap phone's screen.
        let browser = driver.browser(&format!("student-{i}"), 360, 740).await?;
        let mut visit = open(&browser, &url).await?;
        visit[3] = Some(fill_and_submit(&browser, i).await?);
        first.push(visit);
        // The student closes the tab and opens the link again the next morning: the receipt
        // this device keeps is a day old.
        browser.js(NEXT_MORNING).await?;
        browser.reopen_tab().await?;
        again.push(open(&browser, &url).await?);
        browser.close().await?;
    }
    let link = e2e::bench::describe_link(options.link);
    let mut report = format!(
        "Fill page (the daily health check-in from a class's link), {link}, 360 × 740 window \
         (ms, median / max of {}):\n\n\
         | visit | form ready | on screen | region lists ready | Submit to receipt |\n\
         |---|---|---|---|---|\n",
        options.opens
    );
    for (name, runs) in [("first visit", &first), ("again (app cached)", &again)] {
        let column = |at: usize| {
            let values: Vec<f64> = runs.iter().filter_map(|visit| visit[at]).collect();
            median_max(&values)
        };
        report.push_str(&format!(
            "| {name} | {} | {} | {} | {} |\n",
            column(0),
            column(1),
            column(2),
            column(3)
        ));
    }
    Ok(report)
}

/// Opens the fill link in the current tab and waits until the form is on screen and its region
/// lists are ready.
async fn open(browser: &Browser, url: &str) -> Result<Visit> {
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": PROBE }),
        )
        .await?;
    browser.goto(url).await?;
    let ready = browser
        .wait_value(
            "const b = window.__fill || {}; const t = [b.form, b.form_painted, b.regions]; \
             return t.every((x) => typeof x === 'number') ? t : null;",
            OPEN_LIMIT,
        )
        .await
        .context("the form was not ready")?;
    Ok([
        ready[0].as_f64(),
        ready[1].as_f64(),
        ready[2].as_f64(),
        None,
    ])
}

/// Fills the check-in in as a well student would, taps Submit, and returns the time from the
/// tap to the receipt.
async fn fill_and_submit(browser: &Browser, student: usize) -> Result<f64> {
    browser.type_into("name", &format!("学生{student}")).await?;
    browser
        .type_into("student_id", &format!("2020{student:04}"))
        .await?;
    browser.type_into("class", "三年二班").await?;
    browser.type_into("temperature", "36.6").await?;
    browser.tick("symptoms", "none").await?;
    browser.pick("district.province", "湖北省").await?;
    browser.pick("district.city", "武汉市").await?;
    browser.pick("district.district", "武昌区").await?;
    browser.tick("contact", "no").await?;
    browser.js(SUBMIT).await?;
    let done = browser
        .wait_value("return window.__fill.done ?? null;", OPEN_LIMIT)
        .await
        .context("no receipt after Submit")?;
    done.as_f64().context("no time")
}
