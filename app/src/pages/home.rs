//! The start page: what Gather is, "New document", and the documents this browser has opened
//! (title, role, last opened), with rename, make a copy and delete for owners.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use gather_doc::form::templates;
use gather_doc::{DocId, Role};

use super::document::CREATED_KEY;
use super::form_tabs::FormTab;
use crate::api;
use crate::i18n::{api_error, role_name, t, Key, Lang};
use crate::library::{self, Entry};

#[component]
pub fn HomePage(lang: Signal<Lang>) -> impl IntoView {
    let entries = RwSignal::new(library::entries());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let new_document = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::call("POST", "/api/docs", None, Some(json!({}))).await {
                Ok(created) => open_created(&created),
                Err(e) => {
                    failure.set(Some(e.code));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="home">
            <h1>{move || t(lang.get(), Key::AppTagline)}</h1>
            <p class="explainer">{move || t(lang.get(), Key::HomeExplainer)}</p>
            <button
                class="primary"
                data-testid="new-document"
                disabled=move || busy.get()
                on:click=new_document
            >
                {move || t(lang.get(), Key::NewDocument)}
            </button>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert">
                    {move || failure.get().map(|c| api_error(lang.get(), &c))}
                </p>
            </Show>
            // A returning person's documents come first (the form they check every morning);
            // a first visit starts with the templates.
            <Show when=move || !entries.get().is_empty()>
                <h2>{move || t(lang.get(), Key::YourDocuments)}</h2>
                <ul class="doc-list" data-testid="doc-list">
                    {move || {
                        entries
                            .get()
                            .into_iter()
                            .map(|entry| view! { <DocRow entry=entry lang=lang entries=entries failure=failure /> })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <h2>{move || t(lang.get(), Key::Templates)}</h2>
            <p class="explainer">{move || t(lang.get(), Key::TemplatesExplainer)}</p>
            <ul class="template-gallery" data-testid="templates">
                {templates::NAMES.into_iter().map(|name| view! {
                    <TemplateCard name=name lang=lang busy=busy failure=failure />
                }).collect_view()}
            </ul>
            <Show when=move || entries.get().is_empty()>
                <h2>{move || t(lang.get(), Key::YourDocuments)}</h2>
                <p class="hint">{move || t(lang.get(), Key::NoDocumentsYet)}</p>
            </Show>
        </section>
    }
}

/// Opens a document the owner has just created (and marks it, so its page says to keep the
/// owner link).
/// One template of the gallery: its title and description; a click makes a form from it.
#[component]
fn TemplateCard(
    name: &'static str,
    lang: Signal<Lang>,
    busy: RwSignal<bool>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let code = move || lang.get().form_code();
    let form = move || templates::template(name, code()).unwrap_or_default();
    let create = move |_| {
        busy.set(true);
        let body = json!({ "template": name, "lang": code() });
        spawn_local(async move {
            match api::call("POST", "/api/docs", None, Some(body)).await {
                Ok(created) => open_created(&created),
                Err(e) => {
                    failure.set(Some(e.code));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <li>
            <button class="template" data-testid=format!("template-{name}") disabled=move || busy.get() on:click=create>
                <strong>{move || form().title.get(code()).to_owned()}</strong>
                <span>{move || form().description.first().cloned().unwrap_or_default()}</span>
            </button>
        </li>
    }
}

fn open_created(created: &serde_json::Value) {
    let (Some(id), Some(url)) = (created["id"].as_str(), created["url"].as_str()) else {
        return;
    };
    if let Ok(Some(storage)) = window().session_storage() {
        let _ = storage.set_item(CREATED_KEY, id);
    }
    library::remember(Entry {
        id: id.to_owned(),
        title: created["title"].as_str().unwrap_or("").to_owned(),
        role: "owner".into(),
        token: created["owner_token"].as_str().unwrap_or("").to_owned(),
        opened_at: js_sys::Date::now(),
        form: false,
        supplies: false,
    });
    let _ = window().location().set_href(url);
}

#[component]
fn DocRow(
    entry: Entry,
    lang: Signal<Lang>,
    entries: RwSignal<Vec<Entry>>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let title = entry.title.clone();
    let shown = move || {
        if title.is_empty() {
            t(lang.get(), Key::Untitled).to_owned()
        } else {
            title.clone()
        }
    };
    let opened = entry.opened_at;
    let when = move || {
        js_sys::Date::new(&opened.into())
            .to_locale_string(lang.get().code(), &wasm_bindgen::JsValue::UNDEFINED)
            .as_string()
            .unwrap_or_default()
    };
    let refresh = move || entries.set(library::entries());
    let owner = entry.is_owner();
    // A form's responses and day view (or totals), one click from the list, for the links that
    // may see them.
    let organise = DocId::parse(&entry.id)
        .ok()
        .filter(|_| entry.form && Role::parse(&entry.role).is_some_and(Role::can_write))
        .map(|id| {
            let third = FormTab::third(entry.supplies);
            let (responses, third_href) = (
                FormTab::Responses.href(&id, &entry.token),
                third.href(&id, &entry.token),
            );
            view! {
                <span class="organise-links">
                    <a href=responses data-testid="doc-responses">
                        {move || FormTab::Responses.label(lang.get())}
                    </a>
                    <a href=third_href data-testid="doc-today">
                        {move || third.label(lang.get())}
                    </a>
                </span>
            }
        });
    let (rename_entry, copy_entry, delete_entry, forget_id) = (
        entry.clone(),
        entry.clone(),
        entry.clone(),
        entry.id.clone(),
    );
    let rename = move |_| {
        let entry = rename_entry.clone();
        let prompt = t(lang.get_untracked(), Key::NewTitlePrompt);
        let Ok(Some(new_title)) = window().prompt_with_message_and_default(prompt, &entry.title)
        else {
            return;
        };
        spawn_local(async move {
            let path = format!("/api/docs/{}", entry.id);
            let body = json!({ "title": new_title });
            match api::call("PATCH", &path, Some(&entry.token), Some(body)).await {
                Ok(_) => {
                    library::update(&entry.id, |e| e.title = new_title.trim().to_owned());
                    refresh();
                }
                Err(e) => failure.set(Some(e.code)),
            }
        });
    };
    let copy = move |_| {
        let entry = copy_entry.clone();
        spawn_local(async move {
            let path = format!("/api/docs/{}/copy", entry.id);
            match api::call("POST", &path, Some(&entry.token), None).await {
                Ok(created) => open_created(&created),
                Err(e) => failure.set(Some(e.code)),
            }
        });
    };
    let delete = move |_| {
        let entry = delete_entry.clone();
        let question = t(lang.get_untracked(), Key::ConfirmDelete);
        if !window().confirm_with_message(question).unwrap_or(false) {
            return;
        }
        spawn_local(async move {
            let path = format!("/api/docs/{}", entry.id);
            match api::call("DELETE", &path, Some(&entry.token), None).await {
                Ok(_) => {
                    library::forget(&entry.id);
                    crate::local_store::forget(&entry.id);
                    refresh();
                }
                Err(e) => failure.set(Some(e.code)),
            }
        });
    };
    let forget = move |_| {
        library::forget(&forget_id);
        crate::local_store::forget(&forget_id);
        refresh();
    };
    view! {
        <li class="doc-row" data-testid="doc-row">
            <a class="doc-link" href=entry.url()>{shown}</a>
            {organise}
            <span class="role">{move || role_name(lang.get(), &entry.role)}</span>
            <span class="when" title=move || t(lang.get(), Key::LastOpened)>{when}</span>
            <span class="actions">
                <Show when=move || owner>
                    <button on:click=rename.clone()>{move || t(lang.get(), Key::Rename)}</button>
                    <button on:click=copy.clone()>{move || t(lang.get(), Key::MakeCopy)}</button>
                    <button class="danger" on:click=delete.clone()>{move || t(lang.get(), Key::Delete)}</button>
                </Show>
                <Show when=move || !owner>
                    <button on:click=forget.clone()>{move || t(lang.get(), Key::RemoveFromList)}</button>
                </Show>
            </span>
        </li>
    }
}

/// A link shown in full (selectable), with a Copy button that says whether it worked.
#[component]
pub fn CopyableLink(link: String, lang: Signal<Lang>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = link.clone();
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            copied.set(Some(api::copy_to_clipboard(&text).await));
        });
    };
    view! {
        <div class="copyable">
            <input readonly class="link-text" data-testid="link-text" prop:value=link.clone()
                on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }
            />
            <button data-testid="copy-link" on:click=copy>
                {move || match copied.get() {
                    Some(true) => t(lang.get(), Key::Copied),
                    _ => t(lang.get(), Key::CopyLink),
                }}
            </button>
            <Show when=move || copied.get() == Some(false)>
                <span class="hint">{move || t(lang.get(), Key::CopyFailed)}</span>
            </Show>
        </div>
    }
}
