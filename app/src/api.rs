//! Calls to the server's HTTP API with `fetch`. The link's token travels in the
//! `Authorization` header, never in a URL.

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Why a call failed: the server's error code (`link_invalid`, `forbidden`, …) or `network`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    /// The whole JSON answer (for 422, `errors` holds an error per question).
    pub body: Value,
}

impl ApiError {
    fn network() -> ApiError {
        ApiError {
            status: 0,
            code: "network".into(),
            body: Value::Null,
        }
    }
}

/// `method path` with an optional bearer token and JSON body; the JSON answer (`null` when
/// empty) or the error.
pub async fn call(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Value, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&body.to_string().into());
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::network())?;
    let headers = request.headers();
    let _ = headers.set("Content-Type", "application/json");
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if response.ok() {
        Ok(json)
    } else {
        Err(ApiError {
            status: response.status(),
            code: json["error"].as_str().unwrap_or("unknown").to_owned(),
            body: json,
        })
    }
}

/// Fetches `path` with the bearer token and saves the answer as the file `filename`, so an
/// export never puts the token in a URL.
pub async fn download(path: &str, token: &str, filename: &str) -> Result<(), ApiError> {
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::network())?;
    let _ = request
        .headers()
        .set("Authorization", &format!("Bearer {token}"));
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    if !response.ok() {
        return Err(ApiError {
            status: response.status(),
            code: "download_failed".into(),
            body: Value::Null,
        });
    }
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(|_| ApiError::network())?)
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::network())?;
    let document = window.document().ok_or_else(ApiError::network)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    // The browser reads the blob after this returns; let it go a minute later.
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 60_000);
    Ok(())
}

/// Copies `text` to the clipboard (needs a secure context: HTTPS or localhost).
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// The absolute form of an app path (`/d/…#t=…`), for sharing.
pub fn absolute(path: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{path}")
}
