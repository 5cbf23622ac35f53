//! The owner's dialogs on the document page: Share (create, copy and revoke links with a role,
//! label and expiry) and Activity (the document's audit log). Both talk to the HTTP API with
//! the owner's token in the `Authorization` header.

use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

use super::home::CopyableLink;
use crate::api;
use crate::i18n::{api_error, event_name, role_choice, role_name, t, Key, Lang};

/// Milliseconds in a day.
const DAY_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

pub(super) fn local_time(ms: f64, lang: Lang) -> String {
    js_sys::Date::new(&ms.into())
        .to_locale_string(lang.code(), &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}

#[component]
fn DialogFrame(
    title: Key,
    lang: Signal<Lang>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
    test_id: &'static str,
    children: Children,
) -> impl IntoView {
    let close = on_close.clone();
    view! {
        <div class="dialog-backdrop" on:click=move |_| close()>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                data-testid=test_id
                on:click=|ev| ev.stop_propagation()
            >
                <div class="dialog-head">
                    <h2>{move || t(lang.get(), title)}</h2>
                    <button data-testid="close-dialog" on:click=move |_| on_close()>
                        {move || t(lang.get(), Key::Close)}
                    </button>
                </div>
                {children()}
            </div>
        </div>
    }
}

#[component]
pub fn ShareDialog(
    doc_id: DocId,
    token: String,
    lang: Signal<Lang>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let links = RwSignal::new(Vec::<Value>::new());
    let failure = RwSignal::new(None::<String>);
    let role = RwSignal::new("editor".to_owned());
    let label = RwSignal::new(String::new());
    let expiry = RwSignal::new("never".to_owned());
    let path = format!("/api/docs/{doc_id}/links");
    let reload = {
        let (path, token) = (path.clone(), token.clone());
        move || {
            let (path, token) = (path.clone(), token.clone());
            spawn_local(async move {
                match api::call("GET", &path, Some(&token), None).await {
                    Ok(Value::Array(list)) => links.set(list),
                    Ok(_) => {}
                    Err(e) => failure.set(Some(e.code)),
                }
            });
        }
    };
    reload();
    let create = {
        let (path, token, reload) = (path.clone(), token.clone(), reload.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let days = match expiry.get_untracked().as_str() {
                "1" => Some(1.0),
                "7" => Some(7.0),
                "30" => Some(30.0),
                _ => None,
            };
            let expires_at = days.map(|d| (js_sys::Date::now() + d * DAY_MS) as i64);
            let body = json!({
                "role": role.get_untracked(),
                "label": label.get_untracked(),
                "expires_at": expires_at,
            });
            let (path, token, reload) = (path.clone(), token.clone(), reload.clone());
            spawn_local(async move {
                match api::call("POST", &path, Some(&token), Some(body)).await {
                    Ok(_) => {
                        failure.set(None);
                        label.set(String::new());
                        reload();
                    }
                    Err(e) => failure.set(Some(e.code)),
                }
            });
        }
    };
    let revoke = {
        let (path, token, reload) = (path.clone(), token.clone(), reload.clone());
        move |link_id: String| {
            let question = t(lang.get_untracked(), Key::ConfirmRevoke);
            if !window().confirm_with_message(question).unwrap_or(false) {
                return;
            }
            let (path, token, reload) = (path.clone(), token.clone(), reload.clone());
            spawn_local(async move {
                let path = format!("{path}/{link_id}");
                match api::call("DELETE", &path, Some(&token), None).await {
                    Ok(_) => reload(),
                    Err(e) => failure.set(Some(e.code)),
                }
            });
        }
    };
    let roles = ["editor", "viewer", "respondent", "owner"];
    view! {
        <DialogFrame title=Key::ShareTitle lang=lang on_close=on_close test_id="share-dialog">
            <p class="hint">{move || t(lang.get(), Key::ShareExplainer)}</p>
            <form class="new-link" on:submit=create>
                <label>
                    <span>{move || t(lang.get(), Key::RoleLabel)}</span>
                    <select data-testid="link-role" prop:value=move || role.get()
                        on:change=move |ev| role.set(event_target_value(&ev))>
                        {roles.into_iter().map(|r| view! {
                            <option value=r>{move || role_choice(lang.get(), r)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || t(lang.get(), Key::LinkLabel)}</span>
                    <input data-testid="link-label" maxlength="100" prop:value=move || label.get()
                        on:input=move |ev| label.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || t(lang.get(), Key::Expires)}</span>
                    <select data-testid="link-expiry" prop:value=move || expiry.get()
                        on:change=move |ev| expiry.set(event_target_value(&ev))>
                        <option value="never">{move || t(lang.get(), Key::Never)}</option>
                        <option value="1">{move || t(lang.get(), Key::OneDay)}</option>
                        <option value="7">{move || t(lang.get(), Key::OneWeek)}</option>
                        <option value="30">{move || t(lang.get(), Key::OneMonth)}</option>
                    </select>
                </label>
                <button type="submit" class="primary" data-testid="create-link">
                    {move || t(lang.get(), Key::CreateLink)}
                </button>
            </form>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert">{move || failure.get().map(|c| api_error(lang.get(), &c))}</p>
            </Show>
            <ul class="link-list" data-testid="link-list">
                {move || {
                    let all = links.get();
                    let owners = all.iter().filter(|l| l["role"] == "owner").count();
                    all.into_iter().rev().map(|link| {
                    let id = link["id"].as_str().unwrap_or("").to_owned();
                    let role = link["role"].as_str().unwrap_or("").to_owned();
                    let label = link["label"].as_str().unwrap_or("").to_owned();
                    let url = api::absolute(link["url"].as_str().unwrap_or(""));
                    let expires = link["expires_at"].as_f64();
                    let expired = link["expired"].as_bool().unwrap_or(false);
                    let revoke = revoke.clone();
                    let role_attr = role.clone();
                    // The last owner link cannot be revoked (the server refuses it too).
                    let revocable = role != "owner" || owners > 1;
                    view! {
                        <li class="link-row" data-testid="link-row" data-role=role_attr>
                            <div class="link-meta">
                                <strong>{move || role_name(lang.get(), &role)}</strong>
                                <span>{if label.is_empty() { None } else { Some(label.clone()) }}</span>
                                <span class="hint">{move || match (expired, expires) {
                                    (true, _) => t(lang.get(), Key::Expired).to_owned(),
                                    (false, Some(at)) => format!("{}{}", t(lang.get(), Key::ExpiresAt), local_time(at, lang.get())),
                                    (false, None) => String::new(),
                                }}</span>
                                <button class="danger" data-testid="revoke-link" hidden=!revocable
                                    on:click=move |_| revoke(id.clone())>
                                    {move || t(lang.get(), Key::Revoke)}
                                </button>
                            </div>
                            <CopyableLink link=url lang=lang />
                        </li>
                    }
                }).collect_view()
                }}
            </ul>
        </DialogFrame>
    }
}

#[component]
pub fn ActivityDialog(
    doc_id: DocId,
    token: String,
    lang: Signal<Lang>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let entries = RwSignal::new(None::<Vec<Value>>);
    let failure = RwSignal::new(None::<String>);
    spawn_local(async move {
        let path = format!("/api/docs/{doc_id}/audit");
        match api::call("GET", &path, Some(&token), None).await {
            Ok(Value::Array(list)) => entries.set(Some(list)),
            Ok(_) => entries.set(Some(Vec::new())),
            Err(e) => failure.set(Some(e.code)),
        }
    });
    view! {
        <DialogFrame title=Key::ActivityTitle lang=lang on_close=on_close test_id="activity-dialog">
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert">{move || failure.get().map(|c| api_error(lang.get(), &c))}</p>
            </Show>
            <Show when=move || entries.get().is_some() fallback=move || view! {
                <p class="hint">{move || t(lang.get(), Key::Loading)}</p>
            }>
                <table class="audit" data-testid="audit-table">
                    <thead><tr>
                        <th>{move || t(lang.get(), Key::When)}</th>
                        <th>{move || t(lang.get(), Key::What)}</th>
                        <th>{move || t(lang.get(), Key::Who)}</th>
                        <th>{move || t(lang.get(), Key::FromAddress)}</th>
                    </tr></thead>
                    <tbody>
                        {move || entries.get().unwrap_or_default().into_iter().rev().map(|e| {
                            let at = e["at"].as_f64().unwrap_or(0.0);
                            let event = e["event"].as_str().unwrap_or("").to_owned();
                            let role = e["role"].as_str().unwrap_or("").to_owned();
                            let label = e["label"].as_str().unwrap_or("").to_owned();
                            let addr = e["addr"].as_str().unwrap_or("").to_owned();
                            let event_attr = event.clone();
                            view! {
                                <tr data-testid="audit-row" data-event=event_attr>
                                    <td>{move || local_time(at, lang.get())}</td>
                                    <td>{move || event_name(lang.get(), &event)}</td>
                                    <td>{move || {
                                        let who = if role.is_empty() { String::new() } else { role_name(lang.get(), &role).to_owned() };
                                        let label = if label.is_empty() { String::new() } else { format!(" · {label}") };
                                        format!("{who}{label}")
                                    }}</td>
                                    <td>{addr}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </DialogFrame>
    }
}
