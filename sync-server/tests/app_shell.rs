//! The app's pages: `/` and `/d/{id}` get the whole app, `/f/{id}` the fill page's own smaller
//! build when it is there, and the Content-Security-Policy allows the inline loader of both.

mod support;

use base64::Engine;
use sha2::{Digest, Sha256};
use support::{http_get, Config, Server};

fn hash(script: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
}

#[tokio::test]
async fn the_fill_page_gets_its_own_build_and_both_loaders_may_run() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let (app_loader, fill_loader) = (
        "import init from '/app.js';",
        "import init from '/fill/app.js';",
    );
    std::fs::write(
        assets.path().join("index.html"),
        format!("<html><!-- whole app --><script type=\"module\">{app_loader}</script></html>"),
    )
    .unwrap();
    std::fs::create_dir(assets.path().join("fill")).unwrap();
    std::fs::write(
        assets.path().join("fill/index.html"),
        format!("<html><!-- fill page --><script type=\"module\">{fill_loader}</script></html>"),
    )
    .unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), assets.path().to_path_buf());
    let server = Server::start_with(config).await;

    let fill = http_get(server.addr, "/f/some-form").await;
    assert!(fill.starts_with("HTTP/1.1 200"), "{fill}");
    assert!(fill.contains("fill page"), "{fill}");
    let csp = fill
        .lines()
        .find(|l| l.starts_with("content-security-policy:"))
        .unwrap()
        .to_owned();
    for loader in [app_loader, fill_loader] {
        assert!(csp.contains(&hash(loader).to_lowercase()), "{csp}");
    }
    let doc = http_get(server.addr, "/d/some-doc").await;
    assert!(doc.contains("whole app"), "{doc}");
    let home = http_get(server.addr, "/").await;
    assert!(home.contains("whole app"), "{home}");
    let bad = http_get(server.addr, "/f/no%20such").await;
    assert!(bad.starts_with("HTTP/1.1 404"), "{bad}");
    // Workers may come from this origin only.
    assert!(csp.contains("worker-src 'self'"), "{csp}");
    server.stop().await;
}

#[tokio::test]
async fn the_service_worker_is_served_fresh_for_the_whole_origin() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    std::fs::write(assets.path().join("index.html"), "<html></html>").unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), assets.path().to_path_buf());
    let server = Server::start_with(config).await;
    let missing = http_get(server.addr, "/sw.js").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    server.stop().await;

    std::fs::write(assets.path().join("sw.js"), "// the worker").unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), assets.path().to_path_buf());
    let server = Server::start_with(config).await;
    let sw = http_get(server.addr, "/sw.js").await.to_lowercase();
    assert!(sw.starts_with("http/1.1 200"), "{sw}");
    assert!(sw.contains("content-type: text/javascript"), "{sw}");
    assert!(sw.contains("cache-control: no-cache"), "{sw}");
    assert!(sw.contains("service-worker-allowed: /"), "{sw}");
    assert!(sw.contains("// the worker"), "{sw}");
    server.stop().await;
}
