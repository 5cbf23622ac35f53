//! End-to-end: a large document over a slow link. A teacher imports a long handbook; a student
//! whose connection to the server runs at 1 Mbit/s opens it on a phone, in Chinese: the badge
//! shows how much has arrived while the first sync comes in pieces, and the whole handbook
//! arrives on that one connection.

use std::time::Duration;

use anyhow::Result;
use e2e::{slow_sync_proxy, workspace_root, Driver, GatherServer, LAST_BLOCK, WAIT};

const END: &str = "END OF HANDBOOK";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_document_shows_its_progress_and_arrives_over_a_slow_link() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let doc = server.create_doc("Handbook").await?;

    // About 400 KB of Markdown, imported through the editor. Each section also carries a
    // line of student numbers, so the document does not deflate to almost nothing (the first
    // sync goes deflated to the app).
    let mut markdown = String::new();
    let mut seed = 11u64;
    for i in 0..1000 {
        let numbers: Vec<String> = (0..24)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("{:06}", (seed >> 33) % 1_000_000)
            })
            .collect();
        markdown.push_str(&format!(
            "## Section {i}\n\n每天早上九点半前完成健康打卡。Report your temperature by 9:30 every morning; \
             the class teacher checks who has not reported and calls their family. {i}\n\n\
             Not yet reported: {}\n\n",
            numbers.join(" ")
        ));
    }
    markdown.push_str(END);
    let md = data.path().join("handbook.md");
    std::fs::write(&md, &markdown)?;
    let author = driver.browser("author", 900, 700).await?;
    author.goto(&server.url(&doc.path)).await?;
    author.wait_online().await?;
    author.import_markdown(&md, END).await?;
    let arrived =
        format!("const last = {LAST_BLOCK}; return !!last && last.textContent.includes('{END}');");
    author
        .wait_js(
            "const s = document.querySelector('[data-testid=status]');
             return s.dataset.state === 'online' && s.dataset.unsaved === '0';",
            Duration::from_secs(60),
        )
        .await?;

    // The student's link to the server runs at 1 Mbit/s.
    let proxy = slow_sync_proxy(&server.addr, 125_000).await?;
    let student = driver.browser("student", 500, 900).await?;
    student.goto(&format!("http://{proxy}/")).await?;
    student
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    student.goto(&format!("http://{proxy}{}", doc.path)).await?;
    student
        .wait_js(
            "const s = document.querySelector('[data-testid=status]');
             return !!s && !!s.dataset.loading && s.textContent.startsWith('正在载入');",
            WAIT,
        )
        .await?;
    student
        .screenshot(&workspace_root().join("screenshots/large-document-loading-zh-phone.png"))
        .await?;
    let first = student
        .js("return document.querySelector('[data-testid=status]').dataset.loading;")
        .await?;
    student.wait_js(&arrived, Duration::from_secs(60)).await?;
    student
        .wait_js(
            "const s = document.querySelector('[data-testid=status]');
             return s.dataset.state === 'online' && !s.dataset.loading;",
            WAIT,
        )
        .await?;
    // The progress shown was partial: received less than the whole.
    let (received, total) = first
        .as_str()
        .and_then(|s| s.split_once('/'))
        .map(|(r, t)| (r.parse::<u64>().unwrap_or(0), t.parse::<u64>().unwrap_or(0)))
        .unwrap_or_default();
    assert!(received < total && total > 100_000, "{first}");
    author.close().await?;
    student.close().await?;
    server.stop().await?;
    Ok(())
}
