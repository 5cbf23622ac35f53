//! The history of one response: when it was submitted, edited by the respondent, corrected or
//! deleted, and by which link.

use gather_doc::form::display::{format_time, CST_OFFSET_MINUTES};
use gather_doc::form::Question;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use super::data::change_details;
use super::live::{Change, Live};
use super::text::{action_text, code, error_text, text, Text};
use crate::i18n::Lang;

#[component]
pub fn HistoryDialog(
    live: Live,
    response_id: i64,
    receipt: String,
    /// The questions and the response's answers now, to say what each change did.
    questions: Vec<Question>,
    current: Map<String, Value>,
    lang: Signal<Lang>,
    on_close: Callback<()>,
) -> impl IntoView {
    let changes = RwSignal::new(None::<Vec<Change>>);
    let failure = RwSignal::new(None::<String>);
    spawn_local(async move {
        match live.history(response_id).await {
            Ok(list) => changes.set(Some(list)),
            Err(e) => failure.set(Some(e.code)),
        }
    });
    view! {
        <div
            class="dialog-backdrop"
            on:click=move |_| on_close.run(())
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close.run(());
                }
            }
        >
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                data-testid="history-dialog"
                on:click=|ev| ev.stop_propagation()
            >
                <div class="dialog-head">
                    <h2>{move || format!("{} · {receipt}", text(lang.get(), Text::HistoryTitle))}</h2>
                    <button data-testid="close-dialog" autofocus on:click=move |_| on_close.run(())>
                        {move || text(lang.get(), Text::Close)}
                    </button>
                </div>
                <Show when=move || failure.get().is_some()>
                    <p class="notice" role="alert">
                        {move || failure.get().map(|c| error_text(lang.get(), &c))}
                    </p>
                </Show>
                {move || match changes.get() {
                    None if failure.get().is_none() => {
                        view! { <p class="hint">{text(lang.get(), Text::Loading)}</p> }.into_any()
                    }
                    None => ().into_any(),
                    Some(list) if list.is_empty() => {
                        view! { <p class="hint">{text(lang.get(), Text::NoHistory)}</p> }.into_any()
                    }
                    Some(list) => {
                        let lang = lang.get();
                        let details = change_details(&questions, &list, &current, code(lang));
                        view! {
                            <table class="audit" data-testid="history-table">
                                <thead>
                                    <tr>
                                        <th>{text(lang, Text::When)}</th>
                                        <th>{text(lang, Text::By)}</th>
                                        <th>{text(lang, Text::Action)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .zip(details)
                                        .map(|(c, detail)| {
                                            let action = c.action.clone();
                                            view! {
                                                <tr data-testid="history-row" data-action=action>
                                                    <td>{format_time(c.at, CST_OFFSET_MINUTES)}</td>
                                                    <td>{c.by}</td>
                                                    <td>{action_text(lang, &c.action)}</td>
                                                </tr>
                                                // What the change did, on a line of its own (a phone is narrow).
                                                {(!detail.is_empty()).then(|| view! {
                                                    <tr class="changed-row">
                                                        <td colspan="3" class="changed" data-testid="history-changed">
                                                            <span class="hint">{text(lang, Text::WhatChanged)}</span>
                                                            {detail.into_iter().map(|d| view! { <div>{d}</div> }).collect_view()}
                                                        </td>
                                                    </tr>
                                                })}
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                        .into_any()
                    }
                }}
            </div>
        </div>
    }
}
