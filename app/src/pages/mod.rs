//! Pages, one file each, and the tiny router that picks one from the address bar. Navigation
//! between pages is a full page load, so every page can be opened directly from a link.

mod document;
mod home;
mod share;

use gather_doc::DocId;
use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};
use document::DocumentPage;
use home::HomePage;

/// The app: header and the page for the current address.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(Lang::detect());
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.get().code());
        }
    });
    let path = window().location().pathname().unwrap_or_default();
    let page = match path.strip_prefix("/d/") {
        Some(id) => match DocId::parse(id) {
            Ok(id) => view! { <DocumentPage id=id lang=lang.into() /> }.into_any(),
            Err(_) => not_found(lang).into_any(),
        },
        None if path == "/" => view! { <HomePage lang=lang.into() /> }.into_any(),
        None => not_found(lang).into_any(),
    };
    view! {
        <header class="app-header">
            <a class="brand" href="/" data-testid="home-link">"Gather"</a>
            <button
                class="lang-switch"
                data-testid="lang-switch"
                on:click=move |_| {
                    let next = lang.get_untracked().other();
                    next.save();
                    lang.set(next);
                }
            >
                {move || t(lang.get(), Key::SwitchLanguage)}
            </button>
        </header>
        <main>{page}</main>
    }
}

fn not_found(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <section class="not-found">
            <p>{move || t(lang.get(), Key::NotFound)}</p>
            <a href="/">{move || t(lang.get(), Key::Home)}</a>
        </section>
    }
}
