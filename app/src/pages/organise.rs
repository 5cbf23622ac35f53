//! The organiser's page for `/d/{doc_id}/responses`, `/today` (or `/totals` for a supply
//! register) and `/roster` (`#t={token}`): a form's responses, its day view (or totals) and its
//! roster.
//!
//! It is its own build (`organise.html`, the `organise-only` feature), as the fill page is: these
//! views read everything over HTTP (`/api/forms/…`) and need neither the editor nor the form
//! builder, and the document page does not carry them. It switches between its three tabs
//! without loading again, keeping the address (and Back) in step. The owner's Share dialog is
//! here too, to send the form's link.

use gather_doc::form::FormDef;
use gather_doc::{DocId, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::form_tabs::{FormTab, FormTabs};
use super::responses::ResponsesPanel;
use super::roster::day::DayPanel;
use super::roster::RosterPanel;
use super::share::ShareDialog;
use super::supplies::TotalsPanel;
use super::{
    file_title, follow_title, link_missing, send_respondents_to_fill, shown_title,
    token_from_fragment,
};
use crate::api;
use crate::i18n::{api_error, role_name, t, Key, Lang};
use crate::library;

#[component]
pub fn OrganisePage(id: DocId, first: FormTab, lang: Signal<Lang>) -> impl IntoView {
    let token = token_from_fragment().or_else(|| library::get(id.as_str()).map(|e| e.token));
    match token {
        Some(token) => {
            view! { <OrganiseView id=id token=token first=first lang=lang /> }.into_any()
        }
        None => link_missing(lang).into_any(),
    }
}

#[component]
fn OrganiseView(id: DocId, token: String, first: FormTab, lang: Signal<Lang>) -> impl IntoView {
    // What this browser last knew about the link, until the server answers.
    let cached = library::get(id.as_str()).filter(|e| e.token == token);
    let role = RwSignal::new(cached.as_ref().and_then(|e| Role::parse(&e.role)));
    let title = RwSignal::new(cached.map(|e| e.title).unwrap_or_default());
    // Whether the form is a supply register: the address of its third tab says so, and the
    // form, once read, has the last word.
    let supplies = RwSignal::new(first == FormTab::Totals);
    let failure = RwSignal::new(None::<String>);
    let tab = RwSignal::new(first);
    {
        let (id, token) = (id.clone(), token.clone());
        spawn_local(async move {
            match api::call("GET", &format!("/api/docs/{id}"), Some(&token), None).await {
                Ok(meta) => {
                    role.set(Role::parse(meta["role"].as_str().unwrap_or("viewer")));
                    title.set(meta["title"].as_str().unwrap_or("").to_owned());
                }
                Err(e) => failure.set(Some(e.code)),
            }
        });
    }
    {
        let (id, token) = (id.clone(), token.clone());
        spawn_local(async move {
            match api::call("GET", &format!("/api/forms/{id}"), Some(&token), None).await {
                Ok(def) => {
                    let def = serde_json::from_value::<FormDef>(def).ok();
                    let is_supply = def.is_some_and(|d| d.supplies.is_some());
                    supplies.set(is_supply);
                    // An address that named the other kind of third tab shows the right one.
                    let shown = tab.get_untracked();
                    let third = FormTab::third(is_supply);
                    if matches!(shown, FormTab::Today | FormTab::Totals) && shown != third {
                        show_address(&third.href(&id, &token), false);
                        tab.set(third);
                    }
                }
                Err(e) => failure.set(Some(e.code)),
            }
        });
    }
    let shown_title = shown_title(title, lang);
    follow_title(shown_title);
    send_respondents_to_fill(role, &id, &token);
    // Back and Forward between tabs this page switched to itself.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let path = window().location().pathname().unwrap_or_default();
        if let Some(shown) = path.rsplit('/').next().and_then(FormTab::from_segment) {
            tab.set(shown);
        }
    });
    let switch = {
        let (id, token) = (id.clone(), token.clone());
        Callback::new(move |to: FormTab| {
            if to != tab.get_untracked() {
                show_address(&to.href(&id, &token), true);
                tab.set(to);
            }
        })
    };
    // Until the server says otherwise, what this browser knew or the benefit of the doubt: the
    // views load at once, and the API refuses a link that may not see them.
    let can_write = move || role.get().is_none_or(Role::can_write);
    let file_title = file_title(title);
    let doc_link = FormTab::Edit.href(&id, &token);
    // The owner sends the form's link from here too, as from the document page.
    let sharing = RwSignal::new(false);
    let share = {
        let (id, token) = (id.clone(), token.clone());
        move || {
            sharing.get().then(|| {
                view! {
                    <ShareDialog
                        doc_id=id.clone()
                        token=token.clone()
                        lang=lang
                        on_close=move || sharing.set(false)
                    />
                }
            })
        }
    };
    let panel = {
        let (id, token) = (id.clone(), token.clone());
        move || {
            let (id, token) = (id.clone(), token.clone());
            match tab.get() {
                FormTab::Responses => {
                    view! { <ResponsesPanel id=id token=token role=Signal::from(role) lang=lang /> }
                        .into_any()
                }
                FormTab::Today => {
                    view! { <DayPanel id=id token=token title=file_title lang=lang /> }.into_any()
                }
                FormTab::Totals => view! { <TotalsPanel id=id token=token lang=lang /> }.into_any(),
                FormTab::Roster => {
                    view! { <RosterPanel id=id token=token title=file_title lang=lang /> }
                        .into_any()
                }
                FormTab::Edit => ().into_any(),
            }
        }
    };
    view! {
        <section class="document organise">
            <div class="doc-bar">
                <h1 class="doc-title" data-testid="doc-title">{shown_title}</h1>
                <span class="role" data-testid="role">
                    {move || role.get().map(|r| role_name(lang.get(), r.as_str()))}
                </span>
                <Show when=move || role.get() == Some(Role::Owner)>
                    <button data-testid="share" class="primary" on:click=move |_| sharing.set(true)>
                        {move || t(lang.get(), Key::Share)}
                    </button>
                </Show>
            </div>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert" data-testid="api-notice">
                    {move || failure.get().map(|c| api_error(lang.get(), &c))}
                </p>
            </Show>
            <Show when=move || role.get().is_some_and(|r| !r.can_write())>
                <p class="hint" data-testid="view-only">
                    {move || t(lang.get(), Key::ViewOnly)}" "
                    <a href=doc_link.clone()>{move || t(lang.get(), Key::OpenDocument)}</a>
                </p>
            </Show>
            <Show when=can_write>
                <FormTabs
                    id=id.clone()
                    token=token.clone()
                    current=tab.into()
                    supplies=supplies.into()
                    lang=lang
                    on_switch=switch
                />
                {panel.clone()}
            </Show>
            {share}
        </section>
    }
}

/// Puts `href` in the address bar without loading it: a new entry in the history (`push`, so
/// Back returns), or in place of the current one.
fn show_address(href: &str, push: bool) {
    let Ok(history) = window().history() else {
        return;
    };
    let state = wasm_bindgen::JsValue::NULL;
    let _ = if push {
        history.push_state_with_url(&state, "", Some(href))
    } else {
        history.replace_state_with_url(&state, "", Some(href))
    };
}
