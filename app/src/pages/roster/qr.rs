//! QR codes of personal links, for a printed class list a teacher hands out or a phone held up
//! to another's camera. Drawn as one SVG path per code (no image service, no raw HTML).

use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

/// The SVG path of `text`'s QR code, in module units, and the code's size (modules per side);
/// `None` if the text is too long for a QR code.
pub fn qr_path(text: &str) -> Option<(String, i32)> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if code.get_module(x, y) {
                // One rectangle per run of dark modules in a row.
                let start = x;
                while x < size && code.get_module(x, y) {
                    x += 1;
                }
                path.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
            } else {
                x += 1;
            }
        }
    }
    Some((path, size))
}

/// A QR code of `link`, with a white quiet zone of four modules as scanners need.
#[component]
pub fn LinkQr(link: String, #[prop(into)] label: String) -> impl IntoView {
    qr_path(&link).map(|(path, size)| {
        let view_box = format!("-4 -4 {} {}", size + 8, size + 8);
        view! {
            <svg
                class="qr"
                xmlns="http://www.w3.org/2000/svg"
                viewBox=view_box
                role="img"
                aria-label=label
                shape-rendering="crispEdges"
            >
                <rect x="-4" y="-4" width=size + 8 height=size + 8 fill="#fff"></rect>
                <path d=path fill="#000"></path>
            </svg>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::qr_path;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn a_personal_link_makes_a_scannable_sized_code() {
        let link = "https://gather.example.org/f/xEsKCOY3nVCNJGhZ#t=5VqJ2d0C3cYc7mB8vP1yQ4nT9hR6kW0sL2aX8eU5oZ";
        let (path, size) = qr_path(link).unwrap();
        // A link this long needs a version 5–6 code: 37–41 modules per side.
        assert!((37..=41).contains(&size), "{size}");
        // The three finder patterns: the top-left corner's first row is 7 dark modules.
        assert!(path.starts_with("M0 0h7v1h-7z"), "{}", &path[..40]);
        assert!(qr_path(&"x".repeat(5000)).is_none());
    }
}
