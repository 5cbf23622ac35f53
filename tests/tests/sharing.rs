//! End-to-end: the owner shares a view-only link from the Share dialog, a second browser opens
//! it and cannot edit, the owner revokes it and the second browser is told the link is no
//! longer valid. Screenshots of the dialogs in both languages at phone width.

use std::time::Duration;

use anyhow::Result;
use e2e::{workspace_root, Driver, GatherServer, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_shares_a_view_only_link_and_revoking_it_shuts_the_viewer_out() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let doc = server.create_doc("Class 3 health check").await?;

    let owner = driver.browser("owner", 1024, 768).await?;
    owner.goto(&server.url("/")).await?;
    owner
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    owner.goto(&server.url(&doc.path)).await?;
    owner.wait_online().await?;
    owner.wait_js(
        "return document.querySelector('[data-testid=doc-title-input]')?.value === 'Class 3 health check';",
        WAIT,
    )
    .await?;
    owner.caret_to_end().await?;
    owner.type_keys("Temperatures: all normal").await?;
    owner.wait_text("Temperatures: all normal", WAIT).await?;

    // Share → Viewer, labelled "Parents" → Create link.
    owner.find_testid("share").await?.click().await?;
    owner
        .find_testid("link-role")
        .await?
        .select_by_value("viewer")
        .await?;
    owner
        .find_testid("link-label")
        .await?
        .send_keys("Parents")
        .await?;
    owner.find_testid("create-link").await?.click().await?;
    let row = "[data-testid=link-row][data-role=viewer]";
    owner.wait_js(
        &format!("const r = document.querySelector('{row}'); return !!r && r.textContent.includes('Parents');"),
        WAIT,
    )
    .await?;
    let link = owner
        .js(&format!(
            "return document.querySelector('{row} [data-testid=link-text]').value;"
        ))
        .await?;
    let link = link.as_str().unwrap_or_default().to_owned();
    assert!(
        link.starts_with(&server.url(&format!("/d/{}#t=", doc.id))),
        "{link}"
    );
    owner.screenshot(&shots.join("share-dialog-en.png")).await?;

    // The second browser reads the document but cannot edit it.
    let viewer = driver.browser("viewer", 500, 900).await?;
    viewer.goto(&server.url("/")).await?;
    viewer
        .js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    viewer.goto(&link).await?;
    viewer.wait_online().await?;
    viewer.wait_text("Temperatures: all normal", WAIT).await?;
    viewer
        .wait_js(
            "const e = document.querySelector('[data-testid=editor]');
         return e.getAttribute('contenteditable') === 'false'
            && getComputedStyle(document.querySelector('[role=toolbar]')).display === 'none'
            && document.querySelector('[data-testid=role]').textContent === 'Viewer'
            && !!document.querySelector('[data-testid=view-only]')
            && !document.querySelector('[data-testid=share]');",
            WAIT,
        )
        .await?;
    viewer.find_testid("editor").await?.click().await?;
    viewer.type_keys("XYZ").await?;
    // The owner's next edit arrives; the viewer's keys went nowhere, here or there.
    owner.find_testid("close-dialog").await?.click().await?;
    owner.caret_to_end().await?;
    owner.type_keys("!").await?;
    viewer.wait_text("Temperatures: all normal!", WAIT).await?;
    owner.wait_text("Temperatures: all normal!", WAIT).await?;
    viewer
        .screenshot(&shots.join("viewer-en-phone.png"))
        .await?;

    // The owner revokes the link; the viewer is told within moments and stays out.
    owner.find_testid("share").await?.click().await?;
    owner
        .wait_js(&format!("return !!document.querySelector('{row}');"), WAIT)
        .await?;
    owner
        .js("window.confirm = () => true; return true;")
        .await?;
    owner
        .js(&format!(
            "document.querySelector('{row} [data-testid=revoke-link]').click(); return true;"
        ))
        .await?;
    viewer
        .wait_js(
            "return document.querySelector('[data-testid=close-notice]')?.textContent
                 .startsWith('This link is no longer valid')
            && document.querySelector('[data-testid=status]').dataset.state === 'closed';",
            Duration::from_secs(5),
        )
        .await?;
    owner
        .wait_js(&format!("return !document.querySelector('{row}');"), WAIT)
        .await?;
    viewer
        .screenshot(&shots.join("viewer-revoked-en-phone.png"))
        .await?;
    // Reopening the revoked link is refused the same way.
    viewer.goto(&link).await?;
    viewer
        .wait_js(
            "return document.querySelector('[data-testid=close-notice]')?.textContent
                 .startsWith('This link is no longer valid');",
            WAIT,
        )
        .await?;

    // The Activity log shows who opened the document with which link, and the revocation.
    owner.find_testid("close-dialog").await?.click().await?;
    owner.find_testid("activity").await?.click().await?;
    owner.wait_js(
        "const rows = [...document.querySelectorAll('[data-testid=audit-row]')];
         return rows.some(r => r.dataset.event === 'link_revoked' && r.textContent.includes('Parents'))
             && rows.some(r => r.dataset.event === 'session_opened' && r.textContent.includes('Viewer'));",
        WAIT,
    )
    .await?;
    owner.screenshot(&shots.join("activity-en.png")).await?;

    // The same dialogs in Chinese at phone width.
    let zh = driver.browser("owner-zh", 500, 900).await?;
    zh.goto(&server.url("/")).await?;
    zh.js("localStorage.setItem('gather-lang', 'zh-CN'); return true;")
        .await?;
    zh.goto(&server.url(&doc.path)).await?;
    zh.wait_online().await?;
    zh.find_testid("share").await?.click().await?;
    zh.wait_js(
        "return document.querySelector('[data-testid=share-dialog] h2')?.textContent === '分享链接'
            && document.querySelectorAll('[data-testid=link-row]').length === 1;",
        WAIT,
    )
    .await?;
    zh.screenshot(&shots.join("share-dialog-zh-phone.png"))
        .await?;
    zh.find_testid("close-dialog").await?.click().await?;
    zh.find_testid("activity").await?.click().await?;
    zh.wait_js(
        "return document.querySelectorAll('[data-testid=audit-row]').length > 3;",
        WAIT,
    )
    .await?;
    zh.screenshot(&shots.join("activity-zh-phone.png")).await?;
    // The home page lists the document this browser opened.
    zh.goto(&server.url("/")).await?;
    zh.wait_js(
        "const row = document.querySelector('[data-testid=doc-row]');
         return !!row && row.textContent.includes('Class 3 health check') && row.textContent.includes('所有者');",
        WAIT,
    )
    .await?;
    zh.screenshot(&shots.join("home-list-zh-phone.png")).await?;

    for browser in [owner, viewer, zh] {
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_renames_copies_and_deletes_an_owners_documents() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let page = driver.browser("home-owner", 500, 900).await?;
    page.goto(&server.url("/")).await?;
    page.js("localStorage.setItem('gather-lang', 'en'); return true;")
        .await?;
    page.goto(&server.url("/")).await?;
    page.find_testid("new-document").await?.click().await?;
    page.wait_online().await?;
    page.caret_to_end().await?;
    page.type_keys("Masks: 200 boxes").await?;
    page.wait_text("Masks: 200 boxes", WAIT).await?;
    let original = page.js("return location.pathname;").await?;

    // Rename from the home page.
    page.goto(&server.url("/")).await?;
    page.js("window.prompt = () => 'Donated supplies'; window.confirm = () => true; return true;")
        .await?;
    let first_row_button = |label: &str| {
        format!(
            "const b = [...document.querySelectorAll('[data-testid=doc-row] button')]
                 .find(b => b.textContent === '{label}'); if (!b) return false; b.click(); return true;"
        )
    };
    // The page mounts once the app has loaded: wait for the button, then click it.
    page.wait_js(&first_row_button("Rename"), WAIT).await?;
    page.wait_js(
        "return document.querySelector('[data-testid=doc-row] a').textContent === 'Donated supplies';",
        WAIT,
    )
    .await?;

    // Make a copy: it opens with the same content and its own owner link.
    page.wait_js(&first_row_button("Make a copy"), WAIT).await?;
    page.wait_js(
        &format!("return location.pathname.startsWith('/d/') && location.pathname !== {original};"),
        WAIT,
    )
    .await?;
    page.wait_online().await?;
    page.wait_text("Masks: 200 boxes", WAIT).await?;
    page.wait_js(
        "return document.querySelector('[data-testid=doc-title-input]').value === 'Donated supplies (copy)'
            && !!document.querySelector('[data-testid=created-notice]');",
        WAIT,
    )
    .await?;

    // Delete the original from the list: it is gone from the list and from the server.
    page.goto(&server.url("/")).await?;
    page.wait_js(
        "return document.querySelectorAll('[data-testid=doc-row]').length === 2;",
        WAIT,
    )
    .await?;
    page.js("window.confirm = () => true; return true;").await?;
    page.js(&format!(
        "const row = [...document.querySelectorAll('[data-testid=doc-row]')]
             .find(r => r.querySelector('a').getAttribute('href').startsWith({original} + '#'));
         [...row.querySelectorAll('button')].find(b => b.textContent === 'Delete').click();
         return true;"
    ))
    .await?;
    page.wait_js(
        "const rows = [...document.querySelectorAll('[data-testid=doc-row]')];
         return rows.length === 1 && rows[0].textContent.includes('Donated supplies (copy)');",
        WAIT,
    )
    .await?;
    page.screenshot(&workspace_root().join("screenshots/home-list-en-phone.png"))
        .await?;
    let id = original
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("/d/");
    let (status, _) = server
        .http(
            "GET",
            &format!("/api/docs/{id}"),
            Some(e2e::ADMIN_TOKEN),
            &serde_json::Value::Null,
        )
        .await?;
    assert_eq!(status, 404, "the original is gone from the server");
    page.close().await?;
    Ok(())
}
