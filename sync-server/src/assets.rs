//! Serving the built app: `index.html` for `/` and `/d/{doc_id}`, `fill/index.html` (the fill
//! page's own, smaller build) for `/f/{doc_id}`, `organise/index.html` (the organiser's page,
//! also its own build) for `/d/{doc_id}/responses`, `/today`, `/totals` and `/roster`, the service worker `sw.js` (never cached, so a
//! new one is found at once), static files from the assets folder, and the security headers
//! every response carries. The Content-Security-Policy allows scripts only
//! from this origin plus the hashes of the inline scripts in the three pages (trunk's loaders),
//! computed when the server starts.

use std::path::Path;

use axum::http::{header, HeaderValue};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The app's entry page and the policy that goes with it.
#[derive(Clone)]
pub struct AppShell {
    pub index_html: Option<axum::body::Bytes>,
    /// The fill page's build, served for `/f/{doc_id}` (without it: 503, build the app).
    pub fill_html: Option<axum::body::Bytes>,
    /// The organiser's page's build, served for a form's responses, day view and roster.
    pub organise_html: Option<axum::body::Bytes>,
    /// The service worker, which keeps the app's files for offline use (`assets/sw.js`).
    pub service_worker: Option<axum::body::Bytes>,
    pub csp: HeaderValue,
}

impl AppShell {
    /// Reads the three entry pages from the assets folder (missing is allowed: the API still
    /// works).
    pub fn load(assets: &Path) -> AppShell {
        let index_html = std::fs::read(assets.join("index.html")).ok();
        if index_html.is_none() {
            tracing::warn!(assets = %assets.display(), "no index.html: build the app first");
        }
        let built = index_html.is_some();
        let fill_html = own_build(assets, "fill", built, "fill links will not open");
        let organise_html = own_build(assets, "organise", built, "responses will not open");
        let hashes: Vec<String> = [&index_html, &fill_html, &organise_html]
            .into_iter()
            .flatten()
            .flat_map(|html| inline_script_hashes(&String::from_utf8_lossy(html)))
            .collect();
        let csp = content_security_policy(&hashes);
        let service_worker = std::fs::read(assets.join("sw.js")).ok();
        AppShell {
            index_html: index_html.map(Into::into),
            fill_html: fill_html.map(Into::into),
            organise_html: organise_html.map(Into::into),
            service_worker: service_worker.map(Into::into),
            csp: HeaderValue::from_str(&csp).expect("CSP is ASCII"),
        }
    }
}

/// The entry page of a page's own build (`{dir}/index.html`). If the app is built without it,
/// the server says what will not open.
fn own_build(assets: &Path, dir: &str, app_built: bool, missing: &str) -> Option<Vec<u8>> {
    let html = std::fs::read(assets.join(dir).join("index.html")).ok();
    if app_built && html.is_none() {
        tracing::warn!(assets = %assets.display(), "no {dir}/index.html: {missing}");
    }
    html
}

/// The policy: same-origin everything (the service worker too), WebAssembly compilation, no
/// plugins, no framing, no inline script except the hashed loader.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(&format!(" 'sha256-{hash}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}

/// Base64 SHA-256 of each inline `<script>` body in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let digest = Sha256::digest(&body_start.as_bytes()[..close]);
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &body_start[close..];
    }
    hashes
}

/// Headers every response carries.
pub fn security_headers(csp: &HeaderValue) -> [(header::HeaderName, HeaderValue); 5] {
    [
        (header::CONTENT_SECURITY_POLICY, csp.clone()),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"init()"));
        assert_eq!(hashes[0], expected);
        assert!(content_security_policy(&hashes).contains(&format!("'sha256-{expected}'")));
    }
}
