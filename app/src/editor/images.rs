//! Pictures in the document: picked with the toolbar, pasted or dropped, shrunk like the fill
//! page's photos, uploaded to `/api/docs/{doc}/images`, and inserted as an `image` block whose
//! alt text is the file's name.
//!
//! `<img src>` cannot send the link's token, so the renderer puts the document's own picture
//! paths in `data-src`, and [`watch`] fetches each with the token (once per page) and shows it
//! through a `blob:` URL; tokens never appear in a URL. Pictures of other documents are not
//! fetched (their server would count this link's token as a wrong one): their alt text shows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    ClipboardEvent, DataTransfer, DragEvent, Element, File, MutationObserver, MutationObserverInit,
    Url,
};

use super::input::{is_editable, ViewSlot};
use super::text::Key;
use super::view::Selection;
use crate::api;

/// Where the document's pictures go and come from: the document and the link's token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImagePlace {
    pub doc: String,
    pub token: String,
}

impl ImagePlace {
    /// Whether `src` names a picture of this document (only those are fetched with the token).
    fn holds(&self, src: &str) -> bool {
        src.strip_prefix("/api/docs/")
            .and_then(|rest| rest.strip_prefix(self.doc.as_str()))
            .and_then(|rest| rest.strip_prefix("/images/"))
            .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    }
}

/// Files to upload and insert at a selection (the toolbar, paste and drop all end here).
pub type OnFiles = Rc<dyn Fn(Vec<File>, Selection)>;

/// A picture being fetched, shown, or that could not be fetched.
enum Cached {
    Loading,
    Ready(String),
    Failed,
}

thread_local! {
    /// `blob:` URLs by `src`, for the life of the page: each picture is fetched once.
    static CACHE: RefCell<HashMap<String, Cached>> = RefCell::new(HashMap::new());
}

/// Shows the pictures rendered in `root`, and those every later render adds.
pub fn watch(root: &Element, place: Rc<ImagePlace>) {
    show(root, &place);
    let observed = root.clone();
    // Looking through the whole document only when a picture was added (not on every key).
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |records: js_sys::Array| {
        if records.iter().any(|record| adds_picture(&record)) {
            show(&observed, &place);
        }
    });
    if let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) {
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        let _ = observer.observe_with_options(root, &init);
    }
    callback.forget();
}

/// Whether a mutation record added a picture of the document's own.
fn adds_picture(record: &JsValue) -> bool {
    let Ok(added) = js_sys::Reflect::get(record, &"addedNodes".into()) else {
        return false;
    };
    let Ok(added) = added.dyn_into::<web_sys::NodeList>() else {
        return false;
    };
    (0..added.length())
        .filter_map(|i| added.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .any(|el| {
            el.matches("img[data-src]").unwrap_or(false)
                || el.query_selector("img[data-src]").ok().flatten().is_some()
        })
}

/// Gives every `img[data-src]` without a `src` its `blob:` URL, fetching what is not cached.
fn show(root: &Element, place: &Rc<ImagePlace>) {
    let Ok(images) = root.query_selector_all("img[data-src]:not([src])") else {
        return;
    };
    for i in 0..images.length() {
        let Some(img) = images.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(src) = img.get_attribute("data-src") else {
            continue;
        };
        if !place.holds(&src) {
            continue;
        }
        let ready = CACHE.with_borrow(|cache| match cache.get(&src) {
            Some(Cached::Ready(url)) => Some(Some(url.clone())),
            Some(Cached::Loading | Cached::Failed) => Some(None),
            None => None,
        });
        match ready {
            Some(Some(url)) => {
                let _ = img.set_attribute("src", &url);
            }
            Some(None) => {}
            None => {
                CACHE.with_borrow_mut(|cache| cache.insert(src.clone(), Cached::Loading));
                let (root, place) = (root.clone(), place.clone());
                spawn_local(async move {
                    let fetched = match api::get_blob(&src, &place.token).await {
                        Ok(blob) => Url::create_object_url_with_blob(&blob)
                            .map(Cached::Ready)
                            .unwrap_or(Cached::Failed),
                        Err(_) => Cached::Failed,
                    };
                    CACHE.with_borrow_mut(|cache| cache.insert(src, fetched));
                    show(&root, &place);
                });
            }
        }
    }
}

/// Shrinks and uploads `file`; the new picture's `src` (already cached for showing).
pub async fn upload(file: &File, place: &ImagePlace) -> Result<String, Key> {
    let blob = crate::picture::shrink(file)
        .await
        .map_err(|_| Key::PictureUnreadable)?;
    let path = format!("/api/docs/{}/images", place.doc);
    let reply = api::post_blob(&path, &place.token, &blob)
        .await
        .map_err(|e| match (e.status, e.code.as_str()) {
            (_, "not_an_image") => Key::PictureUnreadable,
            (_, "too_many_images") => Key::PictureTooMany,
            (413, _) => Key::PictureTooBig,
            (401 | 403, _) => Key::PictureRefused,
            _ => Key::PictureNotSent,
        })?;
    let src = reply["src"]
        .as_str()
        .filter(|src| place.holds(src))
        .ok_or(Key::PictureNotSent)?
        .to_owned();
    if let Ok(url) = Url::create_object_url_with_blob(&blob) {
        CACHE.with_borrow_mut(|cache| cache.insert(src.clone(), Cached::Ready(url)));
    }
    Ok(src)
}

/// A picture's alt text from its file name: the name without its extension.
pub fn alt_of(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name[..dot].to_owned(),
        _ => name.to_owned(),
    }
}

/// The picture files pasted or dropped, unless text came too: Word and Excel put a picture of
/// what was copied beside its text, and the text is what was meant.
pub fn image_files(data: Option<DataTransfer>) -> Vec<File> {
    let Some(data) = data else {
        return Vec::new();
    };
    let has_text = data
        .get_data("text/plain")
        .is_ok_and(|text| !text.trim().is_empty());
    let Some(files) = data.files().filter(|_| !has_text) else {
        return Vec::new();
    };
    (0..files.length())
        .filter_map(|i| files.get(i))
        .filter(|file| file.type_().starts_with("image/"))
        .collect()
}

/// For `beforeinput`'s paste and drop: hands pictures to the uploader and says whether there were
/// any (otherwise the text handling goes on).
pub fn take_files(view: &super::EditorView, at: Selection, data: Option<DataTransfer>) -> bool {
    let files = image_files(data);
    match &view.on_files {
        Some(on_files) if !files.is_empty() => {
            on_files(files, at);
            true
        }
        _ => false,
    }
}

/// Catches pictures pasted on `root` (the editing host) or dropped anywhere on `outer` (the
/// editor's page: the rest of a long document is shown beside the host, see `page`) before the
/// browser handles them (so they never reach `beforeinput` as an `<img>` of the browser's
/// making).
pub fn install(root: &Element, outer: &Element, slot: ViewSlot) {
    let hand_over = move |files: Vec<File>, at: Option<Selection>| {
        let found = slot.with_value(|view| {
            let view = view.as_ref()?;
            let at = at
                .or_else(|| view.selection())
                .unwrap_or(Selection::caret(Default::default()));
            Some((view.on_files.clone()?, at))
        });
        if let Some((on_files, at)) = found {
            on_files(files, at);
        }
    };
    let paste_root = root.clone();
    listen(root, "paste", move |event| {
        let Ok(event) = event.dyn_into::<ClipboardEvent>() else {
            return;
        };
        let files = image_files(event.clipboard_data());
        if files.is_empty() || !is_editable(&paste_root) {
            return;
        }
        event.prevent_default();
        hand_over(files, None);
    });
    let over_root = root.clone();
    listen(outer, "dragover", move |event| {
        let Ok(event) = event.dyn_into::<DragEvent>() else {
            return;
        };
        let carries_files = event
            .data_transfer()
            .is_some_and(|d| d.types().includes(&JsValue::from("Files"), 0));
        if carries_files && is_editable(&over_root) {
            event.prevent_default();
        }
    });
    let drop_root = root.clone();
    listen(outer, "drop", move |event| {
        let Ok(event) = event.dyn_into::<DragEvent>() else {
            return;
        };
        let files = image_files(event.data_transfer());
        if files.is_empty() || !is_editable(&drop_root) {
            return;
        }
        event.prevent_default();
        let at = caret_at(slot, event.client_x(), event.client_y());
        hand_over(files, at);
    });
}

/// The model position under a point of the window, if it is in the editor.
fn caret_at(slot: ViewSlot, x: i32, y: i32) -> Option<Selection> {
    // `caretRangeFromPoint` (Chromium, WebKit) is not in web-sys's stable API.
    let document = document();
    let find: js_sys::Function = js_sys::Reflect::get(&document, &"caretRangeFromPoint".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let range: web_sys::Range = find
        .call2(&document, &x.into(), &y.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let (node, offset) = (range.start_container().ok()?, range.start_offset().ok()?);
    let pos = slot.with_value(|view| view.as_ref()?.dom_to_pos(&node, offset))?;
    Some(Selection::caret(pos))
}

fn listen(root: &Element, name: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = root.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    closure.forget();
}
