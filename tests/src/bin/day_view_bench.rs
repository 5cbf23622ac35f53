//! How long a health officer waits for a form's day view (who has reported, who has not) in
//! headless Chromium, on a first visit and again with the app's files cached.
//!
//! Measured in the page. By default the officer opens the day view's own address
//! (`/d/{id}/today`), as a bookmark or a link does: from the navigation's start to the moment
//! the day view shows the server's figures. `--via-document` opens the form's document page
//! instead, as the owner's link does: the time until its tabs are shown, and then, clicking
//! "By day" `--think-ms` later (a person finding the tab; 1,000 by default), from the click to
//! the figures.
//!
//! Usage: `day_view_bench [--opens N] [--link RTT_MS,KBIT_S] [--via-document] [--think-ms N]
//! [--out FILE]`,
//! with `$GATHER_SERVER_BIN` a release build and `dist/` the app to measure (`bench/day-view.sh`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use e2e::{Browser, Driver, GatherServer};
use serde_json::json;

/// Runs in every page before the app: notes when the document page's tabs are shown and when
/// the day view shows figures, counted from the start of the tab's first navigation and from
/// the click on "By day" (both kept in `sessionStorage`, which a second page of the tab sees).
const PROBE: &str = r#"
(() => {
  if (!sessionStorage.benchStart) sessionStorage.benchStart = String(performance.timeOrigin);
  const now = () => performance.timeOrigin + performance.now();
  const look = () => {
    const since = (key) => now() - Number(sessionStorage[key]);
    if (!window.__tabShown && document.querySelector('[data-testid=tab-today]')) {
      window.__tabShown = since('benchStart');
    }
    if (!window.__dayShown && document.querySelector('[data-testid=day-no-roster], [data-testid=day-reported]')) {
      window.__dayShown = [since('benchStart'), sessionStorage.benchClick ? since('benchClick') : null];
    }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
})();
"#;

const CLICK: &str =
    "sessionStorage.benchClick = String(performance.timeOrigin + performance.now());
    document.querySelector('[data-testid=tab-today]').click();
    return true;";

/// How long a page may take to show what is measured before the bench gives up.
const OPEN_LIMIT: Duration = Duration::from_secs(60);

struct Options {
    opens: usize,
    link: Option<(u64, u64)>,
    via_document: bool,
    think: Duration,
    out: Option<PathBuf>,
}

fn options() -> Result<Options> {
    let mut options = Options {
        opens: 3,
        link: None,
        via_document: false,
        think: Duration::from_millis(1000),
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().context("a value after the option");
        match arg.as_str() {
            "--opens" => options.opens = value()?.parse()?,
            "--out" => options.out = Some(value()?.into()),
            "--via-document" => options.via_document = true,
            "--think-ms" => options.think = Duration::from_millis(value()?.parse()?),
            "--link" => options.link = Some(e2e::bench::parse_link(&value()?)?),
            _ => bail!("unknown option {arg}; usage: day_view_bench [--opens N] [--link RTT_MS,KBIT_S] [--via-document] [--think-ms N] [--out FILE]"),
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

async fn run(options: &Options, server: &GatherServer, driver: &Driver) -> Result<String> {
    let form = server.create_form("health-checkin", "zh").await?;
    let base = e2e::bench::base_url(server, options.link).await?;
    let token = form.owner_token.clone();
    let url = if options.via_document {
        format!("{base}/d/{}#t={token}", form.id)
    } else {
        format!("{base}/d/{}/today#t={token}", form.id)
    };
    let (mut first, mut again) = (Vec::new(), Vec::new());
    for i in 0..options.opens {
        let browser = driver.browser(&format!("officer-{i}"), 412, 900).await?;
        first.push(open(&browser, &url, options).await?);
        // The officer closes the tab and opens the link again later.
        browser.reopen_tab().await?;
        again.push(open(&browser, &url, options).await?);
        browser.close().await?;
    }
    let mut report = String::new();
    let link = e2e::bench::describe_link(options.link);
    let (how, what) = if options.via_document {
        (
            format!(
                "the form's document page, then By day {} ms after its tabs show",
                options.think.as_millis()
            ),
            [
                "the document page's tabs shown",
                "click on By day to the figures",
            ],
        )
    } else {
        (
            "the day view's own address".to_owned(),
            ["-", "navigation's start to the figures"],
        )
    };
    report.push_str(&format!(
        "Day view, {how}, {link}, phone-sized window (ms, median / max of {}):\n\n\
         | open | {} | {} |\n|---|---|---|\n",
        options.opens, what[0], what[1]
    ));
    for (name, runs) in [("first visit", &first), ("again (app cached)", &again)] {
        let column = |pick: fn(&(Option<f64>, f64)) -> Option<f64>| {
            let values: Vec<f64> = runs.iter().filter_map(pick).collect();
            e2e::bench::median_max(&values)
        };
        report.push_str(&format!(
            "| {name} | {} | {} |\n",
            column(|r| r.0),
            column(|r| Some(r.1))
        ));
    }
    Ok(report)
}

/// Opens `url` in the current tab of `browser` (and By day, `--via-document`) and waits for
/// the day view's figures: when the tabs showed, if they were waited for, and the time to the
/// figures from the navigation or the click.
async fn open(browser: &Browser, url: &str, options: &Options) -> Result<(Option<f64>, f64)> {
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": PROBE }),
        )
        .await?;
    browser.goto(url).await?;
    let mut tabs = None;
    if options.via_document {
        let shown = browser
            .wait_value("return window.__tabShown ?? null;", OPEN_LIMIT)
            .await
            .context("the form's tabs did not show")?;
        tabs = shown.as_f64();
        // A person finding the tab, not a wait for the page.
        tokio::time::sleep(options.think).await;
        browser.js(CLICK).await?;
    }
    let shown = browser
        .wait_value("return window.__dayShown ?? null;", OPEN_LIMIT)
        .await
        .context("the day view did not show")?;
    let ms = if options.via_document {
        shown[1].as_f64().context("no click seen")?
    } else {
        shown[0].as_f64().context("no time")?
    };
    Ok((tabs, ms))
}
