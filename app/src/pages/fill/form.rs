//! A loaded form being filled in: the questions shown by their conditions, the draft kept on
//! the device as the person types, the check of every answer on submit, the send, and what
//! follows (the confirmation, editing the response, starting another one, or answers filled in
//! on an older version of the form shown as not sent, on the form as it is now).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gather_doc::form::{validate, FormDef, QuestionType};
use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;

use super::answers::{prepared, server_problems, Problem};
use super::done::DonePanel;
use super::draft::{self, Draft, Receipt, Refusal};
use super::pages::Pages;
use super::photo::PhotoPlace;
use super::question::{wrapper_id, Fill, QuestionBlock, SectionHeading};
use super::send::{load_failure, send_failure, Filled, Response};
use super::text::{filling_as, page_of, text, Key};
use super::Personal;
use crate::i18n::Lang;

/// What the page shows under the form's title.
#[derive(Clone, PartialEq)]
enum Stage {
    Filling,
    Done(Receipt),
    Closed,
}

#[component]
pub fn FillForm(
    id: DocId,
    token: String,
    form: Arc<FormDef>,
    /// Who a personal link is for, and their response so far.
    personal: Personal,
    accepting: RwSignal<bool>,
    /// The owner's preview: answers are checked but never sent.
    preview: bool,
    /// Loads the form again (it changed since this page loaded it).
    on_form_changed: Callback<()>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let doc_id = id.to_string();
    let mut kept = draft::load(&doc_id);
    // A personal link's response already in (from this device or another): show it as done.
    if let Some((reported_id, reported)) = personal.reported.clone() {
        if kept.receipt.is_none() || kept.submission_id != reported_id {
            kept = Draft {
                submission_id: reported_id,
                answers: Map::new(),
                receipt: Some(reported),
                editing: false,
                waiting_since: None,
                filled_version: None,
                refused: None,
            };
        }
    }
    // Who the person is comes from the roster: those answers are filled in and not asked.
    let locked = locked_answers(&form, &personal);
    for (question, value) in &locked {
        kept.answers
            .insert(question.clone(), Value::String(value.clone()));
    }
    let locked = StoredValue::new(locked);
    let place = PhotoPlace {
        doc: doc_id.clone(),
        token: token.clone(),
        preview,
    };
    let fill = Fill::new(form.clone(), kept.answers, place);
    let pages = Pages::new(&form, fill.visible);
    let submission_id = RwSignal::new(kept.submission_id);
    let receipt = RwSignal::new(kept.receipt);
    let editing = RwSignal::new(kept.editing);
    // A response filled in offline waits on the device and is sent when the network is back.
    let waiting_since = RwSignal::new(kept.waiting_since);
    let filled_version = RwSignal::new(kept.filled_version);
    // Refused after the form changed: shown as not sent, on the questions as they are now.
    let refused = RwSignal::new(kept.refused);
    let sending = RwSignal::new(false);
    let failure = RwSignal::new(None::<Key>);
    let edit_busy = RwSignal::new(false);
    let edit_failure = RwSignal::new(None::<Key>);

    // Everything is kept on the device as it changes, the submission id before any send.
    let keep = move || {
        draft::save(
            &doc_id,
            &Draft {
                submission_id: submission_id.get_untracked(),
                answers: fill.answers.get_untracked(),
                receipt: receipt.get_untracked(),
                editing: editing.get_untracked(),
                waiting_since: waiting_since.get_untracked(),
                filled_version: filled_version.get_untracked(),
                refused: refused.get_untracked(),
            },
        )
    };
    Effect::new({
        let keep = keep.clone();
        move |_| {
            submission_id.track();
            fill.answers.track();
            receipt.track();
            editing.track();
            waiting_since.track();
            filled_version.track();
            refused.track();
            keep();
        }
    });
    if let Some(refusal) = refused.get_untracked() {
        show_refusal(&form, fill, pages, &refusal);
    }

    let response = move || Response {
        doc: id.clone(),
        token: token.clone(),
        submission_id: submission_id.get_untracked(),
    };
    let on_submit = {
        let (form, response, keep) = (form.clone(), response.clone(), keep.clone());
        Callback::new(move |()| {
            if sending.get_untracked() {
                return;
            }
            // Answers that waited are sent as filled in on the version they were filled in on.
            let version = filled_version
                .get_untracked()
                .unwrap_or_else(|| form.version.clone());
            let answers = prepared(&fill.answers.get_untracked());
            let clean = match validate(&form, &answers) {
                Ok(clean) => clean,
                // Waiting answers the form as loaded now refuses: the form changed while they
                // waited (the page was opened again online). Not sent, with the reason.
                Err(errors)
                    if waiting_since.get_untracked().is_some() && version != form.version =>
                {
                    let refusal = Refusal::from_errors(&form, &errors);
                    waiting_since.set(None);
                    filled_version.set(None);
                    failure.set(None);
                    show_refusal(&form, fill, pages, &refusal);
                    refused.set(Some(refusal));
                    return;
                }
                Err(errors) => {
                    failure.set(Some(Key::FixAnswers));
                    show_problems(&form, fill, pages, &errors.keys().cloned().collect());
                    return;
                }
            };
            if preview {
                failure.set(Some(Key::PreviewValid));
                return;
            }
            // Answers to hidden questions stay on the device but are not sent.
            let answers: Map<_, _> = answers
                .into_iter()
                .filter(|(id, _)| clean.contains_key(id))
                .collect();
            keep();
            failure.set(None);
            sending.set(true);
            let (form, response, was_editing) = (form.clone(), response(), editing.get_untracked());
            // The day it counts for is the day it was filled in, even if it waited offline.
            let filled_at = waiting_since
                .get_untracked()
                .unwrap_or_else(js_sys::Date::now);
            let keep = keep.clone();
            spawn_local(async move {
                let filled = Filled {
                    answers,
                    at: filled_at,
                    form_version: version.clone(),
                };
                let result = response.send(filled, was_editing).await;
                sending.set(false);
                if result.as_ref().is_err_and(|e| e.code == "network") {
                    waiting_since.set(Some(filled_at));
                    filled_version.set(Some(version));
                    failure.set(None);
                    // Show the person where their answers are.
                    request_animation_frame(|| {
                        if let Ok(Some(notice)) =
                            document().query_selector("[data-testid=fill-waiting]")
                        {
                            notice.scroll_into_view();
                        }
                    });
                    return;
                }
                waiting_since.set(None);
                filled_version.set(None);
                match result {
                    Ok(stored) => {
                        refused.set(None);
                        // A resubmission the same day kept the person's earlier response.
                        if let Some(kept_id) = stored.submission_id.clone() {
                            submission_id.set(kept_id);
                        }
                        // The server has the answers: they need not stay on a shared phone.
                        fill.reset(locked_map(locked));
                        pages.first();
                        receipt.set(Some(stored));
                        editing.set(false);
                        scroll_to_top();
                    }
                    Err(e) if e.code == "invalid_answers" => {
                        let problems = server_problems(&e.body);
                        let ids = problems.keys().cloned().collect();
                        fill.server_errors.set(problems);
                        failure.set(Some(Key::FixAnswers));
                        show_problems(&form, fill, pages, &ids);
                    }
                    // Filled in on a version of the form that has changed since, and the form as
                    // it is now refuses them: kept as not sent, with the reason, and the form
                    // loaded again so they can be corrected on it.
                    Err(e) if e.code == "form_changed" => {
                        refused.set(Some(Refusal::from_reply(&e.body)));
                        failure.set(None);
                        keep();
                        on_form_changed.run(());
                    }
                    Err(e) if e.code == "form_closed" => {
                        accepting.set(false);
                        editing.set(false);
                    }
                    Err(e) => failure.set(Some(send_failure(&e.code))),
                }
            });
        })
    };
    // Waiting to send: try again when the browser says the network is back, and every 20 s.
    let retry = move || {
        if waiting_since.get_untracked().is_some() && !sending.get_untracked() {
            on_submit.run(());
        }
    };
    let online = window_event_listener(leptos::ev::online, move |_| retry());
    on_cleanup(move || online.remove());
    if let Ok(handle) = set_interval_with_handle(retry, std::time::Duration::from_secs(20)) {
        on_cleanup(move || handle.clear());
    }
    if waiting_since.get_untracked().is_some() {
        // Left waiting last time: try at once.
        request_animation_frame(retry);
    }
    let on_edit = {
        let response = response.clone();
        Callback::new(move |()| {
            let response = response();
            edit_busy.set(true);
            edit_failure.set(None);
            spawn_local(async move {
                match response.load().await {
                    Ok(mut answers) => {
                        answers.extend(locked_map(locked));
                        fill.reset(answers);
                        pages.first();
                        failure.set(None);
                        editing.set(true);
                        scroll_to_top();
                    }
                    Err(e) => edit_failure.set(Some(load_failure(&e.code))),
                }
                edit_busy.set(false);
            });
        })
    };
    let on_cancel = Callback::new(move |()| {
        fill.reset(locked_map(locked));
        pages.first();
        failure.set(None);
        editing.set(false);
    });
    let on_another = Callback::new(move |()| {
        submission_id.set(draft::new_submission_id());
        refused.set(None);
        fill.reset(locked_map(locked));
        pages.first();
        failure.set(None);
        edit_failure.set(None);
        receipt.set(None);
        editing.set(false);
        scroll_to_top();
    });

    // "Some answers need fixing" goes once they are fixed.
    let still_wrong = {
        let form = form.clone();
        Memo::new(move |_| {
            failure.get() == Some(Key::FixAnswers)
                && (fill.server_errors.with(|e| !e.is_empty())
                    || fill
                        .answers
                        .with(|a| validate(&form, &prepared(a)).is_err()))
        })
    };
    let shown_failure = Signal::derive(move || {
        failure
            .get()
            .filter(|k| *k != Key::FixAnswers || still_wrong.get())
    });

    let stage = Memo::new(move |_| match receipt.get() {
        Some(r) if !editing.get() => Stage::Done(r),
        _ if !accepting.get() => Stage::Closed,
        _ => Stage::Filling,
    });
    let person = personal.person.clone();
    // A personal link answers for one person; "another response" would only replace theirs.
    let allow_another = person.is_none();
    let banner = person.map(|p| {
        view! {
            <p class="fill-person" role="status" data-testid="fill-person">
                {move || filling_as(lang.get(), &p.name, &p.group)}
            </p>
        }
    });
    let stage_view = move || match stage.get() {
        Stage::Done(r) => view! {
            <DonePanel
                receipt=r
                lang=lang
                accepting=accepting.into()
                busy=edit_busy.into()
                failure=edit_failure.into()
                on_edit=on_edit
                on_another=allow_another.then_some(on_another)
            />
        }
        .into_any(),
        Stage::Closed => view! {
            <p class="fill-notice" role="status" data-testid="fill-closed">
                {move || text(lang.get(), Key::FormClosed)}
            </p>
        }
        .into_any(),
        Stage::Filling => view! {
            <AnswerSheet
                form=form.clone()
                fill=fill
                pages=pages
                locked=locked.with_value(|l| l.keys().cloned().collect())
                lang=lang
                sending=sending.into()
                waiting=Signal::derive(move || waiting_since.get().is_some())
                on_retry=Callback::new(move |()| on_submit.run(()))
                refused=refused.into()
                editing=editing.into()
                failure=shown_failure
                on_submit=on_submit
                on_cancel=on_cancel
            />
        }
        .into_any(),
    };
    view! { {banner} {stage_view} }
}

/// The roster's answers a personal link fills in, by question id: the person's id, name and
/// group, for the questions the form names for them.
fn locked_answers(form: &FormDef, personal: &Personal) -> BTreeMap<String, String> {
    let (Some(fields), Some(person)) = (&form.roster_fields, &personal.person) else {
        return BTreeMap::new();
    };
    [
        (&fields.id, &person.id),
        (&fields.name, &person.name),
        (&fields.group, &person.group),
    ]
    .into_iter()
    .filter(|(question, _)| !question.is_empty() && form.question(question).is_some())
    .map(|(question, value)| (question.clone(), value.clone()))
    .collect()
}

fn locked_map(locked: StoredValue<BTreeMap<String, String>>) -> Map<String, Value> {
    locked.with_value(|l| {
        l.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    })
}

/// The questions, the message about the last try, and the submit button.
#[component]
fn AnswerSheet(
    form: Arc<FormDef>,
    fill: Fill,
    pages: Pages,
    /// Questions a personal link answers from the roster: not asked.
    locked: BTreeSet<String>,
    lang: Signal<Lang>,
    sending: Signal<bool>,
    /// Filled in offline and waiting on the device to be sent.
    waiting: Signal<bool>,
    on_retry: Callback<()>,
    /// Not sent: filled in on an older version of the form, which now refuses them.
    refused: Signal<Option<Refusal>>,
    editing: Signal<bool>,
    failure: Signal<Option<Key>>,
    on_submit: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let questions = form
        .questions
        .iter()
        .enumerate()
        .map(|(index, q)| {
            let question = Arc::new(q.clone());
            let id = q.id.clone();
            let asked = !locked.contains(&id);
            let shown =
                move || asked && pages.holds(index) && fill.visible.with(|v| v.contains(&id));
            let block = move || {
                let question = question.clone();
                if question.kind == QuestionType::Section {
                    view! { <SectionHeading question=question lang=lang /> }.into_any()
                } else {
                    view! { <QuestionBlock question=question fill=fill lang=lang /> }.into_any()
                }
            };
            view! { <Show when=shown>{block.clone()}</Show> }
        })
        .collect_view();
    // On every page but the last the button checks this page and moves on.
    let more_pages = Memo::new(move |_| pages.is_paged() && !pages.is_last());
    let on_next = {
        let form = form.clone();
        move || {
            let range = pages.current_range();
            let answers = prepared(&fill.answers.get_untracked());
            let wrong: BTreeSet<String> = match validate(&form, &answers) {
                Ok(_) => BTreeSet::new(),
                Err(errors) => errors
                    .into_keys()
                    .filter(|id| form.questions[range.clone()].iter().any(|q| &q.id == id))
                    .collect(),
            };
            if wrong.is_empty() {
                pages.next();
                scroll_to_top();
            } else {
                show_problems(&form, fill, pages, &wrong);
            }
        }
    };
    let page_label = move || {
        let (at, of) = pages.position();
        page_of(lang.get(), at, of)
    };
    let button_text = move || {
        if more_pages.get() {
            return text(lang.get(), Key::Next);
        }
        let key = match (editing.get(), sending.get()) {
            (false, false) => Key::Submit,
            (false, true) => Key::Submitting,
            (true, false) => Key::SaveChanges,
            (true, true) => Key::Saving,
        };
        text(lang.get(), key)
    };
    view! {
        <form
            class="fill-form"
            data-testid="fill-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                if more_pages.get_untracked() {
                    on_next();
                } else {
                    on_submit.run(());
                }
            }
            on:keydown=keep_enter_from_submitting
        >
            <Show when=move || editing.get()>
                <p class="fill-editing" role="status">{move || text(lang.get(), Key::EditingNote)}</p>
            </Show>
            <p class="hint">{move || text(lang.get(), Key::RequiredNote)}</p>
            <Show when=move || pages.is_paged()>
                <div class="fill-pages" data-testid="fill-page">
                    <span>{page_label}</span>
                </div>
                <progress
                    class="fill-progress"
                    max=move || pages.position().1
                    value=move || pages.position().0
                ></progress>
            </Show>
            {questions}
            <Show when=move || waiting.get()>
                <div class="fill-waiting" role="status" data-testid="fill-waiting">
                    <p>{move || text(lang.get(), Key::Waiting)}</p>
                    <button type="button" class="secondary" data-testid="fill-retry"
                        disabled=move || sending.get()
                        on:click=move |_| on_retry.run(())>
                        {move || text(lang.get(), Key::TryNow)}
                    </button>
                </div>
            </Show>
            {move || refused.get().map(|refusal| view! { <RefusalNotice refusal=refusal lang=lang /> })}
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert" data-testid="fill-failure">
                    {move || failure.get().map(|k| text(lang.get(), k))}
                </p>
            </Show>
            <div class="fill-actions">
                <Show when=move || pages.is_paged() && !pages.is_first()>
                    <button
                        type="button"
                        class="secondary"
                        data-testid="fill-back"
                        on:click=move |_| {
                            pages.back();
                            scroll_to_top();
                        }
                    >
                        {move || text(lang.get(), Key::Back)}
                    </button>
                </Show>
                <button type="submit" class="primary" data-testid="fill-submit" disabled=move || sending.get()>
                    {button_text}
                </button>
                <Show when=move || editing.get()>
                    <button type="button" class="secondary" data-testid="cancel-edit" on:click=move |_| on_cancel.run(())>
                        {move || text(lang.get(), Key::CancelEdit)}
                    </button>
                </Show>
            </div>
            <p class="hint">{move || text(lang.get(), Key::KeptOnDevice)}</p>
        </form>
    }
}

/// Answers refused after the form changed: the reason, and each question with what is wrong.
#[component]
fn RefusalNotice(refusal: Refusal, lang: Signal<Lang>) -> impl IntoView {
    let items = refusal
        .0
        .into_iter()
        .map(|(id, refused)| {
            view! {
                <li data-testid=format!("refused-{id}")>
                    <strong>{let label = refused.label.clone(); move || label.get(lang.get().form_code()).to_owned()}</strong>
                    {move || match lang.get() { Lang::Zh => "：", Lang::En => ": " }}
                    {move || refused.message(lang.get()).to_owned()}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="notice fill-refused" role="alert" data-testid="fill-refused">
            <p>{move || text(lang.get(), Key::FormChanged)}</p>
            <ul>{items}</ul>
        </div>
    }
}

/// Shows a refusal's messages at their questions (those the form still has) and takes the
/// person to the first.
fn show_refusal(form: &FormDef, fill: Fill, pages: Pages, refusal: &Refusal) {
    fill.server_errors.set(
        refusal
            .0
            .iter()
            .map(|(id, r)| (id.clone(), Problem::new(&r.zh, &r.en)))
            .collect(),
    );
    show_problems(form, fill, pages, &refusal.0.keys().cloned().collect());
}

/// Enter in a one-line box moves on rather than sending a half-filled form.
fn keep_enter_from_submitting(ev: web_sys::KeyboardEvent) {
    let in_text_box = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some();
    if ev.key() == "Enter" && in_text_box {
        ev.prevent_default();
    }
}

/// Shows the messages of the questions in `ids` (every question's, once the whole form was
/// checked) and takes the person to the first, on its page.
fn show_problems(form: &FormDef, fill: Fill, pages: Pages, ids: &BTreeSet<String>) {
    fill.touched.update(|t| t.extend(ids.iter().cloned()));
    if let Some(index) = form.questions.iter().position(|q| ids.contains(&q.id)) {
        pages.open_question(index);
        let id = form.questions[index].id.clone();
        // The page may only now be drawn.
        request_animation_frame(move || focus_question(&id));
    }
}

fn focus_question(id: &str) {
    let Some(wrapper) = document().get_element_by_id(&wrapper_id(id)) else {
        return;
    };
    wrapper.scroll_into_view();
    let control = wrapper
        .query_selector("input, textarea, button")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(control) = control {
        let _ = control.focus();
    }
}

fn scroll_to_top() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
}
