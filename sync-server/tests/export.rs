//! Exporting a document as Markdown and as a printable HTML page over real HTTP: the content
//! written by a real websocket client comes out, every role that may read may export, wrong
//! tokens and respondent links may not, and text that looks like HTML stays text.

mod support;

use std::time::Duration;

use gather_doc::rich_text::{self, Node};
use support::{create_doc, http_text, share_link, Server, TestClient};

const MARKDOWN: &str = "# Class 3 plan\n\n\
Visit the [school site](https://school.example.cn/plan) and **bring water**.\n\n\
- Monday\n  - morning\n- Tuesday\n\n\
3. third\n4. fourth\n\n\
- [x] packed\n- [ ] checked in\n\n\
| Name | Age |\n| --- | --- |\n| 小明 | 9 |\n";

/// Exports until `expected` shows up (the update is committed before it is relayed, but this
/// client does not wait for an echo).
async fn export_until(
    server: &Server,
    path: &str,
    token: &str,
    expected: &str,
) -> (String, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, head, body) = http_text(server.addr, "GET", path, Some(token)).await;
        assert_eq!(status, 200, "{body}");
        if body.contains(expected) {
            return (head, body);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never got {expected:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_export_as_markdown_and_html_to_those_who_may_read_them() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None).await;
    let (doc, owner) = create_doc(&server, "三年级 plan").await;

    let mut client = TestClient::connect_with(&server, &doc, &owner, 7).await;
    client.synced().await;
    let mut nodes = rich_text::markdown_to_nodes(MARKDOWN);
    nodes.push(Node::element(
        "paragraph",
        vec![Node::text("<script>alert(1)</script> & <b>")],
    ));
    client
        .edit(|d| {
            let body = rich_text::body(d);
            rich_text::write_nodes(&mut yrs::Transact::transact_mut(d), &body, 0, &nodes);
        })
        .await;

    let md_path = format!("/api/docs/{doc}/export.md");
    let (head, markdown) = export_until(&server, &md_path, &owner, "小明").await;
    assert!(
        head.contains("content-type: text/markdown; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-disposition: attachment; filename=\"document.md\"; filename*=utf-8''%e4%b8%89%e5%b9%b4%e7%ba%a7%20plan.md"),
        "{head}"
    );
    for expected in [
        "# Class 3 plan",
        "[school site](https://school.example.cn/plan)",
        "**bring water**",
        "- Monday\n  - morning\n- Tuesday",
        "3. third\n4. fourth",
        "- [x] packed\n- [ ] checked in",
        "| Name | Age |\n| --- | --- |\n| 小明 | 9 |",
        "\\<script\\>alert(1)\\</script\\> & \\<b\\>",
    ] {
        assert!(
            markdown.contains(expected),
            "{expected:?} missing from:\n{markdown}"
        );
    }
    // The export reads back as the document.
    assert_eq!(
        rich_text::markdown_to_nodes(&markdown),
        rich_text::normalize(nodes.clone())
    );

    let html_path = format!("/api/docs/{doc}/export.html");
    let (head, html) = export_until(&server, &html_path, &owner, "小明").await;
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(head.contains("filename*=utf-8''%e4%b8%89%e5%b9%b4%e7%ba%a7%20plan.html"));
    let csp = head
        .lines()
        .find(|l| l.starts_with("content-security-policy:"))
        .unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>三年级 plan</title>"));
    assert!(html.contains("<h1>Class 3 plan</h1>"));
    assert!(html.contains(
        "<a href=\"https://school.example.cn/plan\" rel=\"noopener noreferrer nofollow\">school site</a>"
    ));
    assert!(html.contains("<td><p>小明</p>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"));
    assert!(!html.contains("<script"), "{html}");

    // A viewer may export; a respondent, a wrong token and no token may not.
    let viewer = share_link(&server, &doc, &owner, "viewer").await;
    let (status, _, body) = http_text(server.addr, "GET", &md_path, Some(&viewer)).await;
    assert_eq!(status, 200);
    assert!(body.contains("小明"));
    let editor = share_link(&server, &doc, &owner, "editor").await;
    let (status, _, _) = http_text(server.addr, "GET", &html_path, Some(&editor)).await;
    assert_eq!(status, 200);
    let respondent = share_link(&server, &doc, &owner, "respondent").await;
    for path in [&md_path, &html_path] {
        let (status, _, body) = http_text(server.addr, "GET", path, Some(&respondent)).await;
        assert_eq!(status, 403, "{body}");
        assert!(!body.contains("小明"));
        let (status, _, _) = http_text(server.addr, "GET", path, Some("wrong-token")).await;
        assert_eq!(status, 401);
        let (status, _, _) = http_text(server.addr, "GET", path, None).await;
        assert_eq!(status, 401);
    }
    server.stop().await;
}
