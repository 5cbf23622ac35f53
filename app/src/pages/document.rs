//! The document page for `/d/{doc_id}#t={token}`: title, role, connection badge, the owner's
//! Share and Activity dialogs, and the editor (read-only for viewers). The token stays in the
//! URL fragment, which browsers never send to the server or in a `Referer`.

use std::rc::Rc;

use gather_doc::form::FormRoots;
use gather_doc::{CloseCode, DocId, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use yrs::Transact;

use super::builder::{text, FormBuilder, FormEditor, Text};
use super::form_tabs::{prefetch_organiser, FormTab, FormTabs};
use super::history::{self, HistoryDialog, VersionView};
use super::presence::{Presence, PresenceBar};
use super::share::{ActivityDialog, ShareDialog};
use super::{
    file_title, follow_title, link_missing, send_respondents_to_fill, shown_title,
    token_from_fragment,
};
use crate::api;
use crate::connection::{Connection, EarlySocket, Reports, Status};
use crate::editor::presence::PresenceLayer;
use crate::editor::{Editor, ImagePlace, ViewSlot};
use crate::i18n::{api_error, close_message, role_name, t, Key, Lang};
use crate::library::{self, Entry};
use crate::local_store::{self, LocalCopy};

/// Marks a document the owner has just created, so its page says to keep the owner link.
pub const CREATED_KEY: &str = "gather-created";

#[component]
pub fn DocumentPage(id: DocId, lang: Signal<Lang>) -> impl IntoView {
    let token = token_from_fragment().or_else(|| library::get(id.as_str()).map(|e| e.token));
    match token {
        Some(token) => view! { <DocumentView id=id token=token lang=lang /> }.into_any(),
        None => link_missing(lang).into_any(),
    }
}

#[component]
fn DocumentView(id: DocId, token: String, lang: Signal<Lang>) -> impl IntoView {
    // What this browser last knew about the link, until the server answers.
    let cached = library::get(id.as_str()).filter(|e| e.token == token);
    let role = RwSignal::new(cached.as_ref().and_then(|e| Role::parse(&e.role)));
    let title = RwSignal::new(cached.map(|e| e.title).unwrap_or_default());
    let api_failure = RwSignal::new(None::<String>);
    let dialog = RwSignal::new(None::<Dialog>);
    let just_created = created_flag(id.as_str());

    let doc = gather_doc::new_doc(random_client_id());
    let (status, set_status) = signal(Status::Connecting);
    let (last_close, set_last_close) = signal(None::<CloseCode>);
    let (edits_refused, set_edits_refused) = signal(false);
    let (unsaved, set_unsaved) = signal(0usize);
    let (loading, set_loading) = signal(None::<(u64, u64)>);
    let slot: ViewSlot = StoredValue::new_local(None);
    let pictures = StoredValue::new(ImagePlace {
        doc: id.as_str().to_owned(),
        token: token.clone(),
    });
    let reports = Reports {
        status: set_status,
        last_close: set_last_close,
        edits_refused: set_edits_refused,
        unsaved: set_unsaved,
        loading: set_loading,
    };
    // Bumped whenever the document changes, so the form builder re-reads the form.
    let version = RwSignal::new(0u64);
    let refresh = move || {
        slot.update_value(|view| {
            if let Some(view) = view {
                view.remote_changed();
            }
        });
        version.update(|v| *v += 1);
    };
    // The link is dead (revoked, document deleted): the copy this browser kept goes too.
    let gone = Memo::new(move |_| {
        last_close.get().is_some_and(CloseCode::ends_session)
            || api_failure
                .get()
                .is_some_and(|code| code == "link_invalid" || code == "not_found")
    });
    // The connection and the kept copy live as long as the page. Both start once the copy this
    // browser kept (if any) is in the document: it shows at once, offline too, and the sync
    // then exchanges only differences. The socket itself opens meanwhile.
    let live = StoredValue::new_local(None::<(Rc<Connection>, LocalCopy)>);
    let presence = Presence::new(doc.client_id().get());
    {
        let connect = {
            let (id, token, doc) = (id.clone(), token.clone(), doc.clone());
            move |kept_unsaved, early| {
                Rc::new(Connection::open(
                    id.clone(),
                    token.clone(),
                    doc.clone(),
                    reports,
                    kept_unsaved,
                    early,
                    refresh,
                ))
            }
        };
        let (id, token, doc) = (id.clone(), token.clone(), doc.clone());
        spawn_local(async move {
            // A first visit has no kept copy to wait for: it connects at once, on the socket
            // the page's early start opened if it did. Otherwise the socket opens while the
            // kept copy is read, and the hello waits for it; a socket the early start greeted
            // (it saw no copy a moment ago) is closed, as that hello did not name the copy.
            let (mut connection, mut early) = (None, None);
            if local_store::may_have(&id) {
                drop(EarlySocket::from_page(&id));
                early = EarlySocket::open(&id, &token);
            } else {
                connection = Some(connect(0, EarlySocket::from_page(&id)));
            }
            let kept = local_store::load(&id).await;
            if live.is_disposed() || gone.get_untracked() {
                return;
            }
            let kept = kept.filter(|kept| kept.apply_to(&doc));
            if kept.is_some() {
                refresh();
            }
            let kept_unsaved = kept.as_ref().map_or(0, |kept| kept.unsaved);
            let copy = LocalCopy::start(id.clone(), doc.clone(), kept);
            let connection = connection.unwrap_or_else(|| connect(kept_unsaved, early));
            presence.attach(connection.clone());
            live.set_value(Some((connection, copy)));
        });
    }
    Effect::new(move |_| {
        let n = unsaved.get();
        live.with_value(|live| {
            if let Some((_, copy)) = live {
                copy.set_unsaved(n);
            }
        });
    });
    {
        let id = id.clone();
        Effect::new(move |_| {
            if gone.get() {
                live.with_value(|live| match live {
                    Some((_, copy)) => copy.discard(),
                    None => local_store::forget(id.as_str()),
                });
            }
        });
    }
    let form_editor = FormEditor::new(doc.clone(), version);
    let is_form = {
        let doc = doc.clone();
        Memo::new(move |_| {
            version.track();
            let roots = FormRoots::of(&doc);
            let txn = doc.transact();
            gather_doc::form::crdt::is_form(&txn, &roots)
        })
    };
    // A supply register's third tab adds up its quantities instead of listing days (its label).
    let is_supply = {
        let doc = doc.clone();
        Memo::new(move |_| {
            version.track();
            let roots = FormRoots::of(&doc);
            let txn = doc.transact();
            gather_doc::form::crdt::read_settings(&txn, &roots.settings)
                .supplies
                .is_some()
        })
    };
    // The version shown instead of the live document, if any, and whether one was just restored.
    let viewing = RwSignal::new(None::<gather_doc::history::VersionInfo>);
    let restored = RwSignal::new(false);
    let history_place = StoredValue::new(history::Place {
        doc: id.to_string(),
        token: token.clone(),
    });
    let my_name = Signal::derive(move || presence.name.get());

    // Learn the link's role and the title, and remember the document in this browser.
    {
        let (id, token) = (id.clone(), token.clone());
        spawn_local(async move {
            match api::call("GET", &format!("/api/docs/{id}"), Some(&token), None).await {
                Ok(meta) => {
                    let name = meta["role"].as_str().unwrap_or("viewer").to_owned();
                    let doc_title = meta["title"].as_str().unwrap_or("").to_owned();
                    role.set(Role::parse(&name));
                    title.set(doc_title.clone());
                    library::remember(Entry {
                        id: id.to_string(),
                        title: doc_title,
                        role: name,
                        token,
                        opened_at: js_sys::Date::now(),
                        // The document may be in before the server answers.
                        form: is_form.get_untracked(),
                        supplies: is_supply.get_untracked(),
                    });
                }
                // Offline: keep what this browser knew.
                Err(e) if e.code == "network" => {}
                Err(e) => api_failure.set(Some(e.code)),
            }
        });
    }
    let shown_title = shown_title(title, lang);
    follow_title(shown_title);
    send_respondents_to_fill(role, &id, &token);
    let is_owner = move || role.get() == Some(Role::Owner);
    let can_write = move || role.get().is_some_and(Role::can_write);
    // The list on the home page links a form's responses and day view.
    {
        let id = id.clone();
        Effect::new(move |_| {
            // Until the document is in it looks like no form at all.
            if is_form.get() {
                let supplies = is_supply.get();
                library::update(id.as_str(), |e| {
                    e.form = true;
                    e.supplies = supplies;
                });
            }
        });
    }
    // A form's other tabs are the organiser's page: its files are fetched once the document is
    // in, so a click on Responses or By day does not wait for them.
    {
        let (id, asked) = (id.clone(), StoredValue::new(false));
        Effect::new(move |_| {
            if is_form.get() && can_write() && status.get() == Status::Online && !asked.get_value()
            {
                asked.set_value(true);
                prefetch_organiser(&id);
            }
        });
    }
    let editable = Signal::derive(move || role.get().is_none_or(Role::can_write));
    let respondent = move || role.get() == Some(Role::Respondent);
    let rename = {
        let (id, token) = (id.clone(), token.clone());
        move |new_title: String| {
            let (id, token) = (id.clone(), token.clone());
            spawn_local(async move {
                let body = json!({ "title": new_title });
                let path = format!("/api/docs/{id}");
                match api::call("PATCH", &path, Some(&token), Some(body)).await {
                    Ok(_) => {
                        title.set(new_title.clone());
                        library::update(id.as_str(), |e| e.title = new_title);
                    }
                    Err(e) => api_failure.set(Some(e.code)),
                }
            });
        }
    };
    let badge_text = move || match loading.get() {
        Some((received, total)) if status.get() != Status::Online => {
            crate::i18n::loading_progress(lang.get(), received, total)
        }
        _ => badge_text(lang.get(), status.get(), unsaved.get()),
    };
    let badge_state = move || match status.get() {
        Status::Connecting => "connecting",
        Status::Online => "online",
        Status::Offline => "offline",
        Status::Busy { .. } => "busy",
        Status::Closed => "closed",
    };
    let owner_link = api::absolute(&format!("/d/{id}#t={token}"));
    let file_title = file_title(title);
    let form_editor = StoredValue::new(form_editor);
    let share_id = id.clone();
    let tabs_link = StoredValue::new((id.clone(), token.clone()));
    let own_cursor = move |c| presence.set_cursor(c);
    let share_token = token.clone();
    view! {
        <section class="document">
            <div class="doc-bar">
                <Show
                    when=is_owner
                    fallback=move || view! {
                        <h1 class="doc-title" data-testid="doc-title">{shown_title}</h1>
                    }
                >
                    <input
                        class="doc-title"
                        data-testid="doc-title-input"
                        aria-label=move || t(lang.get(), Key::TitlePlaceholder)
                        placeholder=move || t(lang.get(), Key::Untitled)
                        prop:value=move || title.get()
                        on:change={
                            let rename = rename.clone();
                            move |ev| rename(event_target_value(&ev))
                        }
                    />
                </Show>
                <span class="role" data-testid="role">
                    {move || role.get().map(|r| role_name(lang.get(), r.as_str()))}
                </span>
                <Show when=is_owner>
                    <button data-testid="share" class="primary" on:click=move |_| dialog.set(Some(Dialog::Share))>
                        {move || t(lang.get(), Key::Share)}
                    </button>
                    <button data-testid="activity" on:click=move |_| dialog.set(Some(Dialog::Activity))>
                        {move || t(lang.get(), Key::Activity)}
                    </button>
                </Show>
                <Show when=can_write>
                    <button data-testid="history" on:click=move |_| dialog.set(Some(Dialog::History))>
                        {move || history::text(lang.get(), history::Text::History)}
                    </button>
                </Show>
                <PresenceBar presence=presence lang=lang />
                <span
                    class="badge"
                    data-testid="status"
                    data-state=badge_state
                    data-unsaved=move || unsaved.get().to_string()
                    data-loading=move || loading.get().map(|(r, t)| format!("{r}/{t}"))
                >
                    {badge_text}
                </span>
            </div>
            <Show when=move || just_created.get()>
                <div class="created" role="status" data-testid="created-notice">
                    <p>{move || t(lang.get(), Key::DocCreated)}</p>
                    <super::home::CopyableLink link=owner_link.clone() lang=lang />
                    <button on:click=move |_| {
                        clear_created_flag();
                        just_created.set(false);
                    }>{move || t(lang.get(), Key::Dismiss)}</button>
                </div>
            </Show>
            <Show when=move || last_close.get().is_some()>
                <p class="notice" role="alert" data-testid="close-notice">
                    {move || last_close.get().map(|c| close_message(lang.get(), c))}
                </p>
            </Show>
            <Show when=move || api_failure.get().is_some() && last_close.get().is_none()>
                <p class="notice" role="alert" data-testid="api-notice">
                    {move || api_failure.get().map(|c| api_error(lang.get(), &c))}
                </p>
            </Show>
            <Show when=move || edits_refused.get()>
                <p class="notice" role="alert" data-testid="edits-refused">
                    {move || t(lang.get(), Key::EditsRefused)}
                </p>
            </Show>
            <Show when=move || restored.get()>
                <div class="created" role="status" data-testid="restored-notice">
                    <p>{move || history::text(lang.get(), history::Text::Restored)}</p>
                    <button on:click=move |_| restored.set(false)>{move || t(lang.get(), Key::Dismiss)}</button>
                </div>
            </Show>
            <Show when=move || role.get() == Some(Role::Viewer)>
                <p class="hint" data-testid="view-only">{move || t(lang.get(), Key::ViewOnly)}</p>
            </Show>
            <Show
                when=move || !respondent()
                fallback=move || view! {
                    <p class="notice" data-testid="respondent-notice">
                        {move || t(lang.get(), Key::RespondentNotice)}
                    </p>
                }
            >
                <Show when=move || is_form.get() && can_write()>
                    // The other tabs are the organiser's page, its own build.
                    <FormTabs
                        id=tabs_link.get_value().0
                        token=tabs_link.get_value().1
                        current=Signal::stored(FormTab::Edit)
                        supplies=is_supply.into()
                        lang=lang
                    />
                </Show>
                {move || viewing.get().map(|version| view! {
                    <VersionView
                        place=history_place.get_value()
                        version=version
                        lang=lang
                        by=my_name
                        live=slot
                        on_done=move |done| {
                            viewing.set(None);
                            restored.set(done);
                        }
                    />
                })}
                <div hidden=move || viewing.get().is_some()>
                    <Show when=move || is_form.get()>
                        <h2 class="form-part">{move || text(lang.get(), Text::FormDescription)}</h2>
                    </Show>
                    // Its own box, so the sticky toolbar stays with the editor.
                    <div class="editor-box">
                        <Editor doc=doc.clone() lang=lang state=slot editable=editable title=file_title pictures=pictures.get_value() />
                        <PresenceLayer
                            editor=slot
                            peers=super::presence::shown(presence, lang)
                            rendered=version.into()
                            on_cursor=own_cursor
                        />
                    </div>
                    <Show when=move || is_form.get() && can_write()>
                        <FormBuilder editor=form_editor.get_value() lang=lang />
                    </Show>
                </div>
            </Show>
            {
                let (share_id, share_token) = (share_id.clone(), share_token.clone());
                move || match dialog.get() {
                    Some(Dialog::Share) => view! {
                        <ShareDialog
                            doc_id=share_id.clone()
                            token=share_token.clone()
                            lang=lang
                            on_close=move || dialog.set(None)
                        />
                    }.into_any(),
                    Some(Dialog::Activity) => view! {
                        <ActivityDialog
                            doc_id=share_id.clone()
                            token=share_token.clone()
                            lang=lang
                            on_close=move || dialog.set(None)
                        />
                    }.into_any(),
                    Some(Dialog::History) => view! {
                        <HistoryDialog
                            place=history_place.get_value()
                            lang=lang
                            by=my_name
                            on_view=move |version| {
                                dialog.set(None);
                                restored.set(false);
                                viewing.set(Some(version));
                            }
                            on_close=move || dialog.set(None)
                        />
                    }.into_any(),
                    None => ().into_any(),
                }
            }
        </section>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Share,
    Activity,
    History,
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// Whether the owner has just created this document in this tab.
fn created_flag(id: &str) -> RwSignal<bool> {
    let set = session_storage()
        .and_then(|s| s.get_item(CREATED_KEY).ok().flatten())
        .is_some_and(|v| v == id);
    RwSignal::new(set)
}

fn clear_created_flag() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(CREATED_KEY);
    }
}

/// A random 32-bit client id, as Yjs uses, from the browser's cryptographic source.
fn random_client_id() -> u64 {
    let mut bytes = [0u8; 4];
    if let Ok(crypto) = window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    u64::from(u32::from_le_bytes(bytes))
}

/// What the badge says: whether the connection is up, and whether every local edit is durable
/// on the server (`unsaved` is how many are not yet).
fn badge_text(lang: Lang, status: Status, unsaved: usize) -> String {
    let key = match (status, unsaved) {
        (Status::Closed, _) => Key::Disconnected,
        (Status::Busy { retry_in_secs }, n) => return crate::i18n::busy(lang, retry_in_secs, n),
        (Status::Online, 0) => Key::Saved,
        (Status::Online, _) => Key::Saving,
        (_, n) if n > 0 => return crate::i18n::offline_unsaved(lang, n),
        (Status::Connecting, _) => Key::Connecting,
        (Status::Offline, _) => Key::Offline,
    };
    t(lang, key).to_owned()
}
