//! Gather's browser app: a Leptos client-side-rendered shell around a collaborative editor
//! that edits the document locally as a yrs CRDT and syncs it over the y-websocket protocol.

mod api;
mod connection;
mod editor;
mod i18n;
mod library;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(pages::App);
}
