//! The start page: what Gather is, and "New document".

use gather_doc::DocId;
use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};

#[component]
pub fn HomePage(lang: Signal<Lang>) -> impl IntoView {
    let new_document = move |_| {
        let id = DocId::from_random(random_bytes());
        let _ = window().location().set_href(&format!("/d/{id}"));
    };
    view! {
        <section class="home">
            <h1>{move || t(lang.get(), Key::AppTagline)}</h1>
            <p class="explainer">{move || t(lang.get(), Key::HomeExplainer)}</p>
            <button class="primary" data-testid="new-document" on:click=new_document>
                {move || t(lang.get(), Key::NewDocument)}
            </button>
        </section>
    }
}

/// 16 bytes from the browser's cryptographic random source.
fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let crypto = window().crypto().expect("crypto");
    let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    bytes
}
