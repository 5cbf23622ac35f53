//! A page the browser keeps to show again on Back (its back/forward cache) stays alive, frozen,
//! with its socket open: the server would count its person as still here, send it every edit,
//! and the browser throws the page away when something arrives. So when the page is hidden
//! for another (`pagehide`) its connection closes, and when it is shown again (`pageshow`,
//! `persisted`) it connects again. Edits made before leaving were kept by `local_store` and
//! go out with the new connection's sync.

use std::rc::{Rc, Weak};

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Shared;

/// The window's `pagehide` and `pageshow` listeners for one connection; removed on drop.
pub(super) struct PageLife {
    on_hide: Closure<dyn FnMut(JsValue)>,
    on_show: Closure<dyn FnMut(JsValue)>,
}

impl PageLife {
    pub fn watch(shared: &Rc<Shared>) -> PageLife {
        let weak: Weak<Shared> = Rc::downgrade(shared);
        let on_hide = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(shared) = weak.upgrade() {
                Shared::leave(&shared);
            }
        });
        let weak: Weak<Shared> = Rc::downgrade(shared);
        let on_show = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // A first showing is the page loading: the connection is under way already.
            let again = Reflect::get(&event, &JsValue::from_str("persisted"))
                .ok()
                .and_then(|persisted| persisted.as_bool())
                .unwrap_or(false);
            if let (true, Some(shared)) = (again, weak.upgrade()) {
                Shared::come_back(&shared);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
            let _ = window
                .add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        }
        PageLife { on_hide, on_show }
    }
}

impl Drop for PageLife {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "pagehide",
                self.on_hide.as_ref().unchecked_ref(),
            );
            let _ = window.remove_event_listener_with_callback(
                "pageshow",
                self.on_show.as_ref().unchecked_ref(),
            );
        }
    }
}
