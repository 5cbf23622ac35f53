//! Calls to the server's HTTP API with `fetch`. The link's token travels in the
//! `Authorization` header, never in a URL.

use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
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

/// `method path` with an optional bearer token and body; the response whatever its status.
async fn fetch(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&JsValue, &str)>,
) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some((body, _)) = body {
        init.set_body(body);
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::network())?;
    let headers = request.headers();
    if let Some((_, content_type)) = body {
        let _ = headers.set("Content-Type", content_type);
    }
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())
}

/// The text of one of the app's own pages (not the API), if it answered with success.
pub async fn get_text(path: &str) -> Option<String> {
    let response = fetch("GET", path, None, None).await.ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

/// The JSON answer of `response` (`null` when empty), or its error.
async fn json_of(response: Response) -> Result<Value, ApiError> {
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

/// The JSON answer of a request started before the app loaded (a `fetch` promise, see
/// `assets/early-fill.js`), or its error.
pub async fn answer_of(request: js_sys::Promise) -> Result<Value, ApiError> {
    let response: Response = JsFuture::from(request)
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    json_of(response).await
}

/// `method path` with an optional bearer token and JSON body; the JSON answer (`null` when
/// empty) or the error.
pub async fn call(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Value, ApiError> {
    let body = body.map(|b| JsValue::from(b.to_string()));
    let body = body.as_ref().map(|b| (b, "application/json"));
    json_of(fetch(method, path, token, body).await?).await
}

/// POSTs `blob` (a picture) as it is; the JSON answer or the error.
pub async fn post_blob(path: &str, token: &str, blob: &web_sys::Blob) -> Result<Value, ApiError> {
    send_blob("POST", path, token, blob).await
}

/// Sends `blob` (a picture, a spreadsheet) as the body of `method path`, as its own type.
pub async fn send_blob(
    method: &str,
    path: &str,
    token: &str,
    blob: &web_sys::Blob,
) -> Result<Value, ApiError> {
    let content_type = match blob.type_() {
        t if t.is_empty() => "application/octet-stream".to_owned(),
        t => t,
    };
    json_of(fetch(method, path, Some(token), Some((blob, &content_type))).await?).await
}

/// Sends `text` (a CSV file) as the body of `method path`; the JSON answer or the error.
pub async fn send_text(
    method: &str,
    path: &str,
    token: &str,
    text: &str,
    content_type: &str,
) -> Result<Value, ApiError> {
    let body = JsValue::from(text);
    json_of(fetch(method, path, Some(token), Some((&body, content_type))).await?).await
}

/// Fetches `path` with the bearer token as a blob.
pub async fn get_blob(path: &str, token: &str) -> Result<web_sys::Blob, ApiError> {
    let response = fetch("GET", path, Some(token), None).await?;
    if !response.ok() {
        return Err(ApiError {
            status: response.status(),
            code: "download_failed".into(),
            body: Value::Null,
        });
    }
    JsFuture::from(response.blob().map_err(|_| ApiError::network())?)
        .await
        .map_err(|_| ApiError::network())?
        .dyn_into()
        .map_err(|_| ApiError::network())
}

/// How far a download has got.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Bytes received so far.
    pub received: u64,
    /// The whole size, when the server said (`Content-Length`).
    pub length: Option<u64>,
    /// Line breaks received so far (a CSV's rows, plus its heading).
    pub lines: u64,
    /// The rows to expect, when the server said (`X-Gather-Rows`).
    pub rows: Option<u64>,
}

impl Progress {
    /// The share done, from 0 to 1, when it can be known.
    pub fn fraction(&self) -> Option<f64> {
        let share = |done: u64, all: u64| (all > 0).then(|| (done as f64 / all as f64).min(1.0));
        match (self.rows, self.length) {
            (Some(rows), _) => share(self.lines.saturating_sub(1), rows),
            (None, Some(length)) => share(self.received, length),
            (None, None) => None,
        }
    }
}

/// Like [`download`], reading the answer as it arrives and calling `on_progress` after every
/// piece, so a long export shows how far it has got.
pub async fn download_with_progress(
    path: &str,
    token: &str,
    filename: &str,
    on_progress: impl Fn(Progress),
) -> Result<(), ApiError> {
    let network = |_: JsValue| ApiError::network();
    let response = fetch("GET", path, Some(token), None).await?;
    if !response.ok() {
        return Err(ApiError {
            status: response.status(),
            code: "download_failed".into(),
            body: Value::Null,
        });
    }
    let headers = response.headers();
    let number = |name: &str| {
        headers
            .get(name)
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let mut progress = Progress {
        length: number("content-length"),
        rows: number("x-gather-rows"),
        ..Progress::default()
    };
    let content_type = headers
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    on_progress(progress);
    let Some(body) = response.body() else {
        return Err(ApiError::network());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| ApiError::network())?;
    let chunks = js_sys::Array::new();
    loop {
        let result = JsFuture::from(reader.read()).await.map_err(network)?;
        let done = js_sys::Reflect::get(&result, &"done".into()).map_err(network)?;
        if done.as_bool().unwrap_or(true) {
            break;
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&result, &"value".into())
            .map_err(network)?
            .dyn_into()
            .map_err(network)?;
        progress.received += u64::from(chunk.length());
        progress.lines += chunk.to_vec().iter().filter(|b| **b == b'\n').count() as u64;
        chunks.push(&chunk);
        on_progress(progress);
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
        .map_err(network)?;
    save_blob(&blob, filename)
}

/// Hands `blob` to the browser as a download named `filename`.
pub fn save_blob(blob: &web_sys::Blob, filename: &str) -> Result<(), ApiError> {
    let window = web_sys::window().ok_or_else(ApiError::network)?;
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(|_| ApiError::network())?;
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
