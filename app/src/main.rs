//! Gather's browser app: a Leptos client-side-rendered shell around a collaborative editor
//! that edits the document locally as a yrs CRDT and syncs it over the y-websocket protocol.
//!
//! Built twice: the whole app (`index.html`), and with the `fill-only` feature the fill page
//! alone (`fill.html`, served for `/f/{id}`), which a respondent's phone downloads instead. The
//! linker drops everything the fill page does not reach (the editor, yrs, the builder, the
//! responses view), and the whole app leaves out the fill page itself (only its question
//! inputs, which corrections use).
#![cfg_attr(feature = "fill-only", allow(dead_code, unused_imports))]

mod api;
mod connection;
mod editor;
mod i18n;
mod library;
mod local_store;
mod pages;
mod picture;
mod service_worker;

fn main() {
    console_error_panic_hook::set_once();
    service_worker::register();
    #[cfg(not(feature = "fill-only"))]
    leptos::mount::mount_to_body(pages::App);
    #[cfg(feature = "fill-only")]
    leptos::mount::mount_to_body(pages::FillApp);
}
