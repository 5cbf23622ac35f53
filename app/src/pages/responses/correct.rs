//! Correcting a response from the table (an owner or editor fixes a mistyped temperature or a
//! wrong class): the form's own questions and inputs, filled with the stored answers, checked as
//! they are typed and again by the server. ID and phone numbers stay masked unless revealed;
//! the server keeps the stored number for any answer sent back exactly as masked. The change,
//! who made it and when go to the response's history.

use std::sync::Arc;

use gather_doc::form::{validate, FormDef, QuestionType};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use super::live::Live;
use super::text::{error_text, text, Text};
use crate::i18n::Lang;
use crate::pages::fill::{prepared, server_problems, Fill, QuestionBlock, SectionHeading};

/// Which response to correct, with the answers the table shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CorrectTarget {
    pub response_id: i64,
    pub receipt: String,
    pub answers: Map<String, Value>,
}

#[component]
pub fn CorrectDialog(
    live: Live,
    form: Arc<FormDef>,
    target: CorrectTarget,
    lang: Signal<Lang>,
    on_close: Callback<()>,
) -> impl IntoView {
    let fill = Fill::new(form.clone(), target.answers, live.photo_place());
    let saving = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let response_id = target.response_id;
    let questions = form
        .questions
        .iter()
        .map(|q| {
            let question = Arc::new(q.clone());
            let id = q.id.clone();
            let shown = move || fill.visible.with(|v| v.contains(&id));
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
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        let answers = prepared(&fill.answers.get_untracked());
        let clean = match validate(&form, &answers) {
            Ok(clean) => clean,
            Err(errors) => {
                fill.touched.update(|t| t.extend(errors.into_keys()));
                failure.set(Some("invalid_answers".into()));
                return;
            }
        };
        let answers: Map<_, _> = answers
            .into_iter()
            .filter(|(id, _)| clean.contains_key(id))
            .collect();
        saving.set(true);
        failure.set(None);
        let live = live.clone();
        spawn_local(async move {
            match live.correct(response_id, answers).await {
                Ok(()) => on_close.run(()),
                Err(e) => {
                    if e.code == "invalid_answers" {
                        fill.server_errors.set(server_problems(&e.body));
                    }
                    failure.set(Some(e.code));
                }
            }
            saving.set(false);
        });
    };
    let receipt = target.receipt;
    view! {
        <div class="dialog-backdrop" on:keydown=move |ev| {
            if ev.key() == "Escape" {
                on_close.run(());
            }
        }>
            <div class="dialog correct-dialog" role="dialog" aria-modal="true" data-testid="correct-dialog">
                <div class="dialog-head">
                    <h2>{move || format!("{} · {receipt}", text(lang.get(), Text::CorrectTitle))}</h2>
                    <button data-testid="close-dialog" on:click=move |_| on_close.run(())>
                        {move || text(lang.get(), Text::Close)}
                    </button>
                </div>
                <p class="hint">{move || text(lang.get(), Text::CorrectNote)}</p>
                <form
                    class="fill correct-form"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        save();
                    }
                >
                    {questions}
                    <Show when=move || failure.get().is_some()>
                        <p class="notice" role="alert" data-testid="correct-failure">
                            {move || failure.get().map(|c| error_text(lang.get(), &c))}
                        </p>
                    </Show>
                    <div class="fill-actions">
                        <button type="submit" class="primary" data-testid="correct-save" disabled=move || saving.get()>
                            {move || text(lang.get(), if saving.get() { Text::Saving } else { Text::SaveCorrection })}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| on_close.run(())>
                            {move || text(lang.get(), Text::Cancel)}
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}
