//! Gather's browser app: a Leptos client-side-rendered shell around a collaborative editor
//! that edits the document locally as a yrs CRDT and syncs it over the y-websocket protocol.
//!
//! Built three times, and the linker drops what each build's pages do not reach:
//! - the whole app (`index.html`): the home page and the document page (the editor, and a
//!   form's builder);
//! - with `fill-only`, the fill page alone (`fill.html`, served for `/f/{id}`), which a
//!   respondent's phone downloads instead: no editor, yrs, builder or organiser's views;
//! - with `organise-only`, the organiser's page (`organise.html`, served for
//!   `/d/{id}/responses`, `/today`, `/totals` and `/roster`): responses, charts, the day view, totals and
//!   the roster, which read everything over HTTP and need no editor.
#![cfg_attr(
    any(feature = "fill-only", feature = "organise-only"),
    allow(dead_code, unused_imports)
)]

mod api;
mod connection;
mod early_start;
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
    #[cfg(not(any(feature = "fill-only", feature = "organise-only")))]
    leptos::mount::mount_to_body(pages::App);
    #[cfg(feature = "fill-only")]
    leptos::mount::mount_to_body(pages::FillApp);
    #[cfg(all(feature = "organise-only", not(feature = "fill-only")))]
    leptos::mount::mount_to_body(pages::OrganiseApp);
}
