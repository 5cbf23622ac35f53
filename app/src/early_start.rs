//! What the entry pages' early start scripts leave on `window` for the app: `assets/early.js`
//! a document's socket (`gatherEarlySocket`), `assets/early-fill.js` the request for a form
//! (`gatherEarlyForm`).

use wasm_bindgen::JsValue;

/// Takes what the early start left under `key`, leaving `null`: only the first call gets it,
/// and an early start that would run only now sees it is too late and does nothing.
pub fn take(key: &str) -> Option<JsValue> {
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str(key);
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::set(&window, &key, &JsValue::NULL);
    Some(early)
}
