//! Version history for owner and editor links: the versions the server keeps (time, name,
//! authors), saving a named version, a read-only view of any version, and restoring one as a
//! new change made by `gather_doc::rich_text::restore` in this page's editor, so only what
//! differs is rewritten, collaborators' work elsewhere survives, and Ctrl+Z undoes it.

mod text;

pub use text::{text, Text};

use gather_doc::history::VersionInfo;
use gather_doc::rich_text::{self, Pos};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yrs::updates::decoder::Decode;
use yrs::Transact;

use crate::api;
use crate::editor::{Editor, ImagePlace, ViewSlot};
use crate::i18n::{api_error, t, Key, Lang};

/// Where a document's versions are: its id and the link's token.
#[derive(Clone)]
pub struct Place {
    pub doc: String,
    pub token: String,
}

fn local_time(ms: i64, lang: Lang) -> String {
    super::share::local_time(ms as f64, lang)
}

/// A version's name, or its time for an automatic one.
fn label(lang: Lang, version: &VersionInfo) -> String {
    version
        .name
        .clone()
        .unwrap_or_else(|| local_time(version.at, lang))
}

/// Who changed the document before this version, by name; "a guest" for those without one.
fn authors(lang: Lang, version: &VersionInfo) -> String {
    let mut names: Vec<&str> = version
        .authors
        .iter()
        .map(|n| {
            if n.is_empty() {
                text(lang, Text::Guest)
            } else {
                n
            }
        })
        .collect();
    names.dedup();
    names.join(if lang == Lang::Zh { "、" } else { ", " })
}

/// The dialog listing the versions, newest first, with a field to save a named one.
#[component]
pub fn HistoryDialog(
    place: Place,
    lang: Signal<Lang>,
    /// One's own display name, kept as the named version's author.
    by: Signal<String>,
    on_view: impl Fn(VersionInfo) + Clone + Send + Sync + 'static,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let versions = RwSignal::new(None::<Vec<VersionInfo>>);
    let failure = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let saving = RwSignal::new(false);
    let place = StoredValue::new(place);
    spawn_local(async move {
        let Place { doc, token } = place.get_value();
        let path = format!("/api/docs/{doc}/versions");
        match api::call("GET", &path, Some(&token), None).await {
            Ok(list) => versions.set(Some(serde_json::from_value(list).unwrap_or_default())),
            Err(e) => failure.set(Some(e.code)),
        }
    });
    let save = move || {
        if saving.get_untracked() || name.get_untracked().trim().is_empty() {
            return;
        }
        saving.set(true);
        failure.set(None);
        spawn_local(async move {
            let Place { doc, token } = place.get_value();
            let body = json!({ "name": name.get_untracked(), "by": by.get_untracked() });
            let path = format!("/api/docs/{doc}/versions");
            match api::call("POST", &path, Some(&token), Some(body)).await {
                Ok(kept) => {
                    if let Ok(kept) = serde_json::from_value::<VersionInfo>(kept) {
                        versions.update(|list| list.get_or_insert_with(Vec::new).insert(0, kept));
                    }
                    name.set(String::new());
                }
                Err(e) => failure.set(Some(e.code)),
            }
            saving.set(false);
        });
    };
    let close = on_close.clone();
    view! {
        <div class="dialog-backdrop" on:click=move |_| close()>
            <div class="dialog history" role="dialog" aria-modal="true" data-testid="history-dialog"
                on:click=|ev| ev.stop_propagation()>
                <div class="dialog-head">
                    <h2>{move || text(lang.get(), Text::History)}</h2>
                    <button data-testid="close-dialog" on:click=move |_| on_close()>
                        {move || t(lang.get(), Key::Close)}
                    </button>
                </div>
                <p class="hint">{move || text(lang.get(), Text::HistoryExplainer)}</p>
                <form class="version-save" on:submit=move |ev| { ev.prevent_default(); save(); }>
                    <input
                        data-testid="version-name"
                        maxlength="100"
                        aria-label=move || text(lang.get(), Text::VersionName)
                        placeholder=move || text(lang.get(), Text::VersionName)
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <button type="submit" class="primary" data-testid="save-version"
                        disabled=move || saving.get() || name.get().trim().is_empty()>
                        {move || text(lang.get(), Text::SaveVersion)}
                    </button>
                </form>
                <Show when=move || failure.get().is_some()>
                    <p class="notice" role="alert" data-testid="history-error">
                        {move || failure.get().map(|code| if code == "network" {
                            text(lang.get(), Text::LoadFailed)
                        } else {
                            api_error(lang.get(), &code)
                        })}
                    </p>
                </Show>
                {move || match versions.get() {
                    None if failure.get().is_none() => view! {
                        <p class="hint">{move || t(lang.get(), Key::Loading)}</p>
                    }.into_any(),
                    None => ().into_any(),
                    Some(list) if list.is_empty() => view! {
                        <p class="hint" data-testid="no-versions">{move || text(lang.get(), Text::NoVersions)}</p>
                    }.into_any(),
                    Some(list) => view! {
                        <ul class="versions" data-testid="versions">
                            {list.into_iter().map(|version| {
                                let on_view = on_view.clone();
                                let shown = version.clone();
                                let named = version.name.is_some();
                                view! {
                                    <li data-testid="version" data-named=named.to_string()>
                                        <div class="version-what">
                                            <strong>{move || match &shown.name {
                                                Some(name) => name.clone(),
                                                None => text(lang.get(), Text::Automatic).to_owned(),
                                            }}</strong>
                                            <span class="version-when">{let at = version.at; move || local_time(at, lang.get())}</span>
                                            <span class="version-who">{let v = version.clone(); move || authors(lang.get(), &v)}</span>
                                        </div>
                                        <button data-testid="view-version" on:click=move |_| on_view(version.clone())>
                                            {move || text(lang.get(), Text::View)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}

/// A version's document, from the state the server kept.
async fn fetch_version(place: &Place, id: i64) -> Result<yrs::Doc, api::ApiError> {
    let path = format!("/api/docs/{}/versions/{id}", place.doc);
    let blob = api::get_blob(&path, &place.token).await?;
    let broken = || api::ApiError {
        status: 0,
        code: "bad_version".into(),
        body: serde_json::Value::Null,
    };
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| broken())?;
    let bytes = js_sys::Uint8Array::new(buffer.unchecked_ref()).to_vec();
    let update = yrs::Update::decode_v1(&bytes).map_err(|_| broken())?;
    let doc = gather_doc::new_doc(1);
    doc.transact_mut()
        .apply_update(update)
        .map_err(|_| broken())?;
    Ok(doc)
}

/// A read-only view of one version, with Restore (for those who may edit) and Back.
#[component]
pub fn VersionView(
    place: Place,
    version: VersionInfo,
    lang: Signal<Lang>,
    by: Signal<String>,
    /// The live document's editor, which a restore changes.
    live: ViewSlot,
    /// Runs when the view closes: `true` after a restore.
    on_done: impl Fn(bool) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let loaded = RwSignal::new_local(None::<yrs::Doc>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let place = StoredValue::new(place);
    let id = version.id;
    spawn_local(async move {
        match fetch_version(&place.get_value(), id).await {
            Ok(doc) => loaded.set(Some(doc)),
            Err(e) => failure.set(Some(e.code)),
        }
    });
    let title = {
        let version = version.clone();
        move || label(lang.get(), &version)
    };
    let restore = {
        let on_done = on_done.clone();
        let version = version.clone();
        move |_| {
            let Some(doc) = loaded.get_untracked() else {
                return;
            };
            let lang_now = lang.get_untracked();
            if !window()
                .confirm_with_message(text(lang_now, Text::ConfirmRestore))
                .unwrap_or(false)
            {
                return;
            }
            busy.set(true);
            let on_done = on_done.clone();
            let before = format!(
                "{} “{}”",
                text(lang_now, Text::BeforeRestoring),
                label(lang_now, &version)
            );
            spawn_local(async move {
                // The current content is kept first, so nothing is lost even without undo.
                let Place { doc: id, token } = place.get_value();
                let body = json!({ "name": before, "by": by.get_untracked() });
                let path = format!("/api/docs/{id}/versions");
                if let Err(e) = api::call("POST", &path, Some(&token), Some(body)).await {
                    failure.set(Some(e.code));
                    busy.set(false);
                    return;
                }
                let children = {
                    let body = rich_text::body(&doc);
                    let txn = doc.transact();
                    rich_text::read_children(&txn, &body)
                };
                live.update_value(|view| {
                    if let Some(view) = view {
                        view.edit(|txn, body| {
                            rich_text::restore(txn, body, &children);
                            Pos::default()
                        });
                    }
                });
                busy.set(false);
                on_done(true);
            });
        }
    };
    let back = move |_| on_done(false);
    let pictures = {
        let Place { doc, token } = place.get_value();
        ImagePlace { doc, token }
    };
    let pictures = StoredValue::new(pictures);
    view! {
        <section class="version-view" data-testid="version-view">
            <div class="version-banner" role="status">
                <p>
                    <strong>{move || text(lang.get(), Text::Viewing)}</strong>
                    <span data-testid="version-label">{title}</span>
                </p>
                <p class="hint">{move || text(lang.get(), Text::ViewingHint)}</p>
                <div class="version-actions">
                    <button class="primary" data-testid="restore-version" on:click=restore
                        disabled=move || busy.get() || loaded.get().is_none()>
                        {move || text(lang.get(), Text::Restore)}
                    </button>
                    <button data-testid="back-to-current" on:click=back>
                        {move || text(lang.get(), Text::BackToCurrent)}
                    </button>
                </div>
            </div>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert" data-testid="version-error">
                    {move || failure.get().map(|code| if code == "network" || code == "download_failed" || code == "bad_version" {
                        text(lang.get(), Text::LoadFailed)
                    } else {
                        api_error(lang.get(), &code)
                    })}
                </p>
            </Show>
            {move || loaded.get().map(|doc| {
                let slot: ViewSlot = StoredValue::new_local(None);
                view! {
                    <div class="editor-box version-doc">
                        <Editor doc=doc lang=lang state=slot editable=Signal::from(false) pictures=pictures.get_value() />
                    </div>
                }
            })}
        </section>
    }
}
