//! Registers the service worker (`assets/sw.js`, served at `/sw.js`), which keeps the app's own
//! files on the device so a document or form opened before opens again while the server is
//! down. Documents themselves are kept by [`crate::local_store`], never by the worker.

pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Absent on insecure origins (plain http other than localhost) and in some private modes.
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let promise = navigator.service_worker().register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&"service worker not registered".into(), &error);
        }
    });
}
