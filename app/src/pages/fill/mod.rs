//! The fill page for `/f/{doc_id}#t={token}`: a form as a respondent sees it, on a phone.
//! This file loads the form and says plainly when the link is bad, the page is not a form, or
//! the network is down; [`form`] is the filling in itself.
//!
//! - [`text`]: every sentence of the page in both languages.
//! - [`draft`]: what the device keeps between visits (answers, submission id, receipt).
//! - [`answers`]: which questions are shown and what is wrong with an answer.
//! - [`question`], [`inputs`], [`region`], [`photo`]: one question and its input.
//! - [`pages`]: a form with section headings, a page at a time.
//! - [`send`], [`done`]: the trip to the server and the confirmation.

mod answers;
mod done;
mod draft;
mod form;
mod inputs;
mod pages;
mod photo;
mod question;
mod region;
mod send;
mod text;

use std::sync::Arc;

use gather_doc::form::roster::Person;
use gather_doc::form::{version_of, FormDef};
use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::token_from_fragment;
use crate::api;
use crate::i18n::Lang;
use form::FillForm;

// The responses view corrects a response with the same questions and inputs.
pub(crate) use answers::{prepared, server_problems};
pub(crate) use photo::PhotoPlace;
pub(crate) use question::{Fill, QuestionBlock, SectionHeading};
use text::{form_lang, text, Key};

/// Where loading the form got to.
#[derive(Clone)]
enum Load {
    Loading,
    Ready(Arc<FormDef>, Personal),
    Failed(Key),
}

/// What a personal link (one per person on the form's roster) knows: who it is for, and their
/// response so far (today's, for a daily form).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Personal {
    pub person: Option<Person>,
    /// The submission id and receipt of their response.
    pub reported: Option<(String, draft::Receipt)>,
}

impl Personal {
    fn from_reply(reply: &serde_json::Value) -> Personal {
        let reported = &reply["reported"];
        Personal {
            person: serde_json::from_value(reply["person"].clone()).ok(),
            reported: reported["submission_id"].as_str().map(|id| {
                (
                    id.to_owned(),
                    draft::Receipt {
                        receipt: reported["receipt"].as_str().unwrap_or_default().to_owned(),
                        submitted_at: reported["submitted_at"].as_f64().unwrap_or_default(),
                        updated_at: reported["updated_at"].as_f64().unwrap_or_default(),
                        submission_id: None,
                    },
                )
            }),
        }
    }
}

/// The request for the form that the page's early script (`assets/early-fill.js`) started
/// before the app loaded; taken once, by the first load (later loads ask again).
fn take_early_form() -> Option<js_sys::Promise> {
    crate::early_start::take("gatherEarlyForm")?.dyn_into().ok()
}

#[component]
pub fn FillPage(id: DocId, lang: Signal<Lang>) -> impl IntoView {
    let Some(token) = token_from_fragment() else {
        return view! { <section class="fill">{notice(lang, Key::LinkInvalid)}</section> }
            .into_any();
    };
    let preview = window()
        .location()
        .hash()
        .is_ok_and(|h| h.split('&').any(|part| part == "preview=1"));
    let load = RwSignal::new(Load::Loading);
    let accepting = RwSignal::new(true);
    let fetch = {
        let (id, token) = (id.clone(), token.clone());
        move || {
            let path = format!("/api/forms/{id}");
            let (id, token) = (id.clone(), token.clone());
            load.set(Load::Loading);
            spawn_local(async move {
                let asked = match take_early_form() {
                    Some(early) => api::answer_of(early).await,
                    None => api::call("GET", &path, Some(&token), None).await,
                };
                let reply = match asked {
                    Ok(reply) => {
                        keep_form(&id, &token, &reply);
                        Ok(reply)
                    }
                    // Offline: the form as this device last loaded it with this link.
                    Err(e) if e.code == "network" => kept_form(&id, &token).ok_or(e),
                    Err(e) => {
                        if matches!(e.code.as_str(), "link_invalid" | "not_found" | "not_a_form") {
                            forget_form(&id);
                        }
                        Err(e)
                    }
                };
                let outcome = match reply {
                    Ok(reply) => match serde_json::from_value::<FormDef>(reply.clone()) {
                        Ok(mut form) => {
                            // A form kept before the server named versions: the same function.
                            if form.version.is_empty() {
                                form.version = version_of(&form.questions);
                            }
                            accepting.set(reply["accepting"].as_bool().unwrap_or(true));
                            Load::Ready(Arc::new(form), Personal::from_reply(&reply))
                        }
                        Err(_) => Load::Failed(Key::NotAForm),
                    },
                    Err(e) => Load::Failed(match e.code.as_str() {
                        "link_invalid" => Key::LinkInvalid,
                        "not_a_form" | "not_found" => Key::NotAForm,
                        "too_many_attempts" => Key::TooManyAttempts,
                        _ => Key::LoadFailed,
                    }),
                };
                load.set(outcome);
            });
        }
    };
    fetch();
    // Answers filled in on an older version were refused: load the form as it is now.
    let on_form_changed = Callback::new({
        let fetch = fetch.clone();
        move |()| fetch()
    });

    Effect::new(move |_| {
        if let Load::Ready(form, _) = load.get() {
            document().set_title(&format!("{} – Gather", title(&form, lang.get())));
        }
    });
    view! {
        <section class="fill">
            {move || match load.get() {
                Load::Loading => view! {
                    <p class="hint fill-loading" role="status">{move || text(lang.get(), Key::Loading)}</p>
                }
                .into_any(),
                Load::Failed(Key::LoadFailed) => {
                    let fetch = fetch.clone();
                    view! {
                        <p class="notice" role="alert" data-testid="fill-load-failed">
                            {move || text(lang.get(), Key::LoadFailed)}
                        </p>
                        <button type="button" class="primary" on:click=move |_| fetch()>
                            {move || text(lang.get(), Key::Retry)}
                        </button>
                    }
                    .into_any()
                }
                Load::Failed(key) => notice(lang, key).into_any(),
                Load::Ready(form, personal) => view! {
                    {preview.then(|| view! {
                        <p class="fill-preview" role="status" data-testid="fill-preview">
                            {move || text(lang.get(), Key::PreviewBanner)}
                        </p>
                    })}
                    <FormHead form=form.clone() lang=lang />
                    <FillForm id=id.clone() token=token.clone() form=form personal=personal accepting=accepting preview=preview on_form_changed=on_form_changed lang=lang />
                }
                .into_any(),
            }}
        </section>
    }
    .into_any()
}

/// Where the form as last loaded is kept, so a form opened once can be filled offline.
fn form_key(id: &DocId) -> String {
    format!("gather-form-{id}")
}

/// Keeps the server's answer for the form (definition, and for a personal link who it is for)
/// with the link it came with.
fn keep_form(id: &DocId, token: &str, reply: &serde_json::Value) {
    let kept = serde_json::json!({ "token": token, "reply": reply });
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(&form_key(id), &kept.to_string());
    }
}

/// The kept answer for the form, if it came with the same link.
fn kept_form(id: &DocId, token: &str) -> Option<serde_json::Value> {
    let storage = window().local_storage().ok().flatten()?;
    let kept: serde_json::Value =
        serde_json::from_str(&storage.get_item(&form_key(id)).ok().flatten()?).ok()?;
    (kept["token"].as_str() == Some(token)).then(|| kept["reply"].clone())
}

fn forget_form(id: &DocId) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.remove_item(&form_key(id));
    }
}

/// The form's title in the respondent's language.
fn title(form: &FormDef, lang: Lang) -> String {
    match form.title.get(form_lang(lang)) {
        "" => text(lang, Key::Untitled).to_owned(),
        shown => shown.to_owned(),
    }
}

/// Title and description paragraphs.
#[component]
fn FormHead(form: Arc<FormDef>, lang: Signal<Lang>) -> impl IntoView {
    let paragraphs = form
        .description
        .iter()
        .map(|p| view! { <p>{p.clone()}</p> })
        .collect_view();
    view! {
        <header class="fill-head">
            <h1 data-testid="fill-title">{move || title(&form, lang.get())}</h1>
            <div class="fill-description">{paragraphs}</div>
        </header>
    }
}

/// A notice in place of the form (bad link, not a form).
fn notice(lang: Signal<Lang>, key: Key) -> impl IntoView {
    view! { <p class="notice" role="alert" data-testid="fill-notice">{move || text(lang.get(), key)}</p> }
}
