//! Which link targets are ever shown as links: `http`, `https` and `mailto` only.

/// The link target to render, or `None` for anything else (`javascript:`, `data:`, relative
/// paths, control characters). Scheme checks ignore case and surrounding spaces.
pub fn safe_href(href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > 2048 || href.chars().any(char::is_control) {
        return None;
    }
    let lower = href.to_ascii_lowercase();
    let ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len());
    ok.then(|| href.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe_href;

    #[test]
    fn only_web_and_mail_links_pass() {
        assert_eq!(
            safe_href(" https://example.org/a "),
            Some("https://example.org/a".into())
        );
        assert_eq!(safe_href("HTTP://x.cn"), Some("HTTP://x.cn".into()));
        assert_eq!(safe_href("mailto:a@b.cn"), Some("mailto:a@b.cn".into()));
        for bad in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "/relative",
            "https://",
            "//evil.example",
        ] {
            assert_eq!(safe_href(bad), None, "{bad}");
        }
    }
}
