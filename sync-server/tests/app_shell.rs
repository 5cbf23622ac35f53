//! The app's pages: `/` and `/d/{id}` get the whole app, `/f/{id}` the fill page's own smaller
//! build (the whole app has no fill page), `/d/{id}/responses`, `/today` and `/roster` the
//! organiser's page's own build, and the Content-Security-Policy allows the inline loader of all three;
//! trunk's hashed files are cached for a year, wasm-bindgen's snippets revalidated, and the
//! build's brotli and gzip copies are sent instead of compressing on every request.

mod support;

use base64::Engine;
use sha2::{Digest, Sha256};
use support::{http_get, http_get_encoded, Config, Server};

fn hash(script: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
}

#[tokio::test]
async fn the_fill_page_and_the_organisers_page_get_their_own_builds_and_every_loader_may_run() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let (app_loader, fill_loader, organise_loader) = (
        "import init from '/app.js';",
        "import init from '/fill/app.js';",
        "import init from '/organise/app.js';",
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
    std::fs::create_dir(assets.path().join("organise")).unwrap();
    std::fs::write(
        assets.path().join("organise/index.html"),
        format!(
            "<html><!-- organiser --><script type=\"module\">{organise_loader}</script></html>"
        ),
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
    for loader in [app_loader, fill_loader, organise_loader] {
        assert!(csp.contains(&hash(loader).to_lowercase()), "{csp}");
    }
    let doc = http_get(server.addr, "/d/some-doc").await;
    assert!(doc.contains("whole app"), "{doc}");
    let home = http_get(server.addr, "/").await;
    assert!(home.contains("whole app"), "{home}");
    for view in ["responses", "today", "totals", "roster"] {
        let organise = http_get(server.addr, &format!("/d/some-form/{view}")).await;
        assert!(organise.starts_with("HTTP/1.1 200"), "{organise}");
        assert!(organise.contains("organiser"), "{organise}");
    }
    for bad in [
        "/f/no%20such",
        "/d/some-form/settings",
        "/d/no%20such/responses",
    ] {
        let bad = http_get(server.addr, bad).await;
        assert!(bad.starts_with("HTTP/1.1 404"), "{bad}");
    }
    // Workers may come from this origin only.
    assert!(csp.contains("worker-src 'self'"), "{csp}");
    server.stop().await;

    // Without the fill page's build a fill link says the app is not built (the whole app has
    // no fill page); the rest still works.
    std::fs::remove_dir_all(assets.path().join("fill")).unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), assets.path().to_path_buf());
    let server = Server::start_with(config).await;
    let fill = http_get(server.addr, "/f/some-form").await;
    assert!(fill.starts_with("HTTP/1.1 503"), "{fill}");
    let doc = http_get(server.addr, "/d/some-doc").await;
    assert!(doc.contains("whole app"), "{doc}");
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

/// The `cache-control` header of the reply to `GET path`, after checking it is a 200.
async fn cache_control(server: &Server, path: &str) -> String {
    let reply = http_get(server.addr, path).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{path}: {reply}");
    reply
        .lines()
        .find_map(|l| l.strip_prefix("cache-control:"))
        .unwrap_or_else(|| panic!("{path} has no cache-control: {reply}"))
        .trim()
        .to_owned()
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_snippets_revalidated() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let root = assets.path();
    // What trunk writes: files named with a content hash, and wasm-bindgen's JS modules in
    // `snippets/<crate>-<hash>/`, a folder named after the crate, not the file's content.
    for dir in [
        "snippets/app-0123456789abcdef/js",
        "fill/snippets/app-0123456789abcdef/js",
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let files = [
        ("index.html", "<html></html>"),
        ("app-3f9a1c2b7d4e6f80.js", "// the app"),
        ("app-3f9a1c2b7d4e6f80_bg.wasm", "wasm"),
        ("style-a1b2c3d4e5.css", "body {}"),
        ("fill/index.html", "<html></html>"),
        ("fill/app-9e8d7c6b5a4f3e2d.js", "// the fill page"),
        ("fill/app-9e8d7c6b5a4f3e2d_bg.wasm", "wasm"),
        ("snippets/app-0123456789abcdef/js/local_store.js", "// idb"),
        (
            "fill/snippets/app-0123456789abcdef/js/local_store.js",
            "// idb",
        ),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).unwrap();
    }
    let config = Config::for_tests(data.path().to_path_buf(), root.to_path_buf());
    let server = Server::start_with(config).await;

    for hashed in [
        "/app-3f9a1c2b7d4e6f80.js",
        "/app-3f9a1c2b7d4e6f80_bg.wasm",
        "/style-a1b2c3d4e5.css",
        "/fill/app-9e8d7c6b5a4f3e2d.js",
        "/fill/app-9e8d7c6b5a4f3e2d_bg.wasm",
    ] {
        let cache = cache_control(&server, hashed).await;
        assert_eq!(cache, "public, max-age=31536000, immutable", "{hashed}");
    }
    for snippet in [
        "/snippets/app-0123456789abcdef/js/local_store.js",
        "/fill/snippets/app-0123456789abcdef/js/local_store.js",
    ] {
        assert_eq!(
            cache_control(&server, snippet).await,
            "no-cache",
            "{snippet}"
        );
    }
    // The pages that name the hashed files are never kept without asking.
    for page in ["/", "/d/some-doc", "/f/some-form"] {
        assert_eq!(cache_control(&server, page).await, "no-cache", "{page}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_builds_compressed_copies_are_sent_as_they_are() {
    let data = tempfile::tempdir().unwrap();
    let assets = tempfile::tempdir().unwrap();
    let wasm = vec![7u8; 50_000];
    std::fs::write(assets.path().join("app-1_bg.wasm"), &wasm).unwrap();
    // Stand-ins for the build's copies: the server must send these bytes, not compress again.
    std::fs::write(assets.path().join("app-1_bg.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(assets.path().join("app-1_bg.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(
        assets.path().join("style-1.css"),
        "p { color: red; }\n".repeat(500),
    )
    .unwrap();
    let config = Config::for_tests(data.path().to_path_buf(), assets.path().to_path_buf());
    let server = Server::start_with(config).await;

    let (head, body) = http_get_encoded(server.addr, "/app-1_bg.wasm", "gzip, deflate, br").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    assert!(head.contains("max-age=31536000"), "{head}");
    assert_eq!(body, b"brotli copy");
    let (head, body) = http_get_encoded(server.addr, "/app-1_bg.wasm", "gzip").await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert_eq!(body, b"gzip copy");
    let (head, body) = http_get_encoded(server.addr, "/app-1_bg.wasm", "identity").await;
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, wasm);
    // A file the build did not compress is compressed on the way.
    let (head, body) = http_get_encoded(server.addr, "/style-1.css", "gzip").await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(body.len() < 1000, "{} bytes", body.len());
    server.stop().await;
}
