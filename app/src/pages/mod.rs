//! Pages, one file each, and the tiny router that picks one from the address bar. Navigation
//! between pages is a full page load, so every page can be opened directly from a link.
//!
//! Three builds share these modules, and the linker keeps what each one's router reaches: the
//! whole app (`App`: home and the document page), the fill page (`FillApp`, `fill-only`) and
//! the organiser's page (`OrganiseApp`, `organise-only`: responses, day view, roster).

mod builder;
mod document;
// Only the organiser's build uses the fill page's question inputs (corrections); the page
// itself is the fill build's.
#[cfg_attr(not(feature = "fill-only"), allow(dead_code))]
mod fill;
mod form_tabs;
mod history;
mod home;
#[cfg_attr(not(feature = "organise-only"), allow(dead_code))]
mod organise;
mod presence;
#[cfg_attr(not(feature = "organise-only"), allow(dead_code))]
mod responses;
#[cfg_attr(not(feature = "organise-only"), allow(dead_code))]
mod roster;
mod share;
#[cfg_attr(not(feature = "organise-only"), allow(dead_code))]
mod supplies;

use gather_doc::DocId;
use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};
use document::DocumentPage;
use home::HomePage;

/// The app: header and the page for the current address. A fill link (`/f/{id}`) is served
/// the fill page's own build (`FillApp`), so the whole app does not carry the fill page.
#[component]
pub fn App() -> impl IntoView {
    let lang = language();
    let path = window().location().pathname().unwrap_or_default();
    let page = match path.strip_prefix("/d/").map(DocId::parse) {
        Some(Ok(id)) => view! { <DocumentPage id=id lang=lang.into() /> }.into_any(),
        _ if path == "/" => view! { <HomePage lang=lang.into() /> }.into_any(),
        _ => not_found(lang).into_any(),
    };
    shell(lang, page)
}

/// The fill page's own build (`fill.html`): the same header, and only the fill page.
#[cfg(feature = "fill-only")]
#[component]
pub fn FillApp() -> impl IntoView {
    let lang = language();
    let path = window().location().pathname().unwrap_or_default();
    let page = match path.strip_prefix("/f/").map(DocId::parse) {
        Some(Ok(id)) => view! { <fill::FillPage id=id lang=lang.into() /> }.into_any(),
        _ => not_found(lang).into_any(),
    };
    shell(lang, page)
}

/// The organiser's own build (`organise.html`): the same header, and a form's responses, day
/// view or totals, and roster (`/d/{id}/responses`, `/today`, `/totals`, `/roster`).
#[cfg(feature = "organise-only")]
#[component]
pub fn OrganiseApp() -> impl IntoView {
    let lang = language();
    let path = window().location().pathname().unwrap_or_default();
    let page = path
        .strip_prefix("/d/")
        .and_then(|rest| rest.split_once('/'))
        .and_then(|(id, tab)| {
            Some((
                DocId::parse(id).ok()?,
                form_tabs::FormTab::from_segment(tab)?,
            ))
        });
    let page = match page {
        Some((id, tab)) => {
            view! { <organise::OrganisePage id=id first=tab lang=lang.into() /> }.into_any()
        }
        None => not_found(lang).into_any(),
    };
    shell(lang, page)
}

/// Said when an address has no token and this browser knows none for the document.
pub fn link_missing(lang: Signal<Lang>) -> impl IntoView {
    view! {
        <p class="notice" role="alert" data-testid="close-notice">
            {move || crate::i18n::close_message(lang.get(), gather_doc::CloseCode::LinkInvalid)}
        </p>
    }
}

/// The title as shown: the document's, or "Untitled".
pub fn shown_title(title: RwSignal<String>, lang: Signal<Lang>) -> Signal<String> {
    Signal::derive(move || {
        let shown = title.get();
        if shown.is_empty() {
            t(lang.get(), Key::Untitled).to_owned()
        } else {
            shown
        }
    })
}

/// Keeps the browser tab's title on the document's.
pub fn follow_title(shown: Signal<String>) {
    Effect::new(move |_| document().set_title(&format!("{} – Gather", shown.get())));
}

/// A respondent's link opens the fill page instead.
pub fn send_respondents_to_fill(role: RwSignal<Option<gather_doc::Role>>, id: &DocId, token: &str) {
    let fill = format!("/f/{id}#t={token}");
    Effect::new(move |_| {
        if role.get() == Some(gather_doc::Role::Respondent) {
            let _ = window().location().replace(&fill);
        }
    });
}

/// The title as the file names of downloads use it.
pub fn file_title(title: RwSignal<String>) -> Signal<String> {
    Signal::derive(move || {
        let shown = title.get();
        if shown.trim().is_empty() {
            "gather".to_owned()
        } else {
            shown.trim().to_owned()
        }
    })
}

/// The interface language, remembered in the browser and set on `<html lang>`.
fn language() -> RwSignal<Lang> {
    let lang = RwSignal::new(Lang::detect());
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.get().code());
        }
    });
    lang
}

/// The header (home link, language switch) around `page`.
fn shell(lang: RwSignal<Lang>, page: AnyView) -> impl IntoView {
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

/// The `t` parameter of the URL fragment (`#t=…`): the link's token, which browsers never send
/// to the server or in a `Referer`.
pub fn token_from_fragment() -> Option<String> {
    let hash = window().location().hash().ok()?;
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|part| part.strip_prefix("t="))
        .filter(|t| !t.is_empty())
        .map(|t| js_sys::decode_uri_component(t).map_or(t.to_owned(), String::from))
}

fn not_found(lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <section class="not-found">
            <p>{move || t(lang.get(), Key::NotFound)}</p>
            <a href="/">{move || t(lang.get(), Key::Home)}</a>
        </section>
    }
}
