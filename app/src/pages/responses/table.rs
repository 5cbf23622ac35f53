//! The responses table: receipt, submission time and one column per question, sorted by
//! clicking a heading, with each row's History and Delete actions. It scrolls sideways inside
//! its own box on a phone. Rows are keyed by response and content, so a poll redraws only the
//! rows that changed.

use gather_doc::form::{Question, QuestionType};
use leptos::prelude::*;

use super::correct::CorrectTarget;
use super::data::{Column, Row, Sort};
use super::photo::PhotoTarget;
use super::text::{code, text, Text};
use crate::i18n::Lang;

/// Rows drawn at first, and added by each "Show more".
const ROWS_AT_ONCE: usize = 500;

#[component]
pub fn ResponsesTable(
    questions: Signal<Vec<Question>>,
    rows: Signal<Vec<Row>>,
    sort: RwSignal<Sort>,
    lang: Signal<Lang>,
    on_history: Callback<(i64, String)>,
    on_delete: Callback<i64>,
    /// Opens a photo answer: the receipt, the question and the photo id.
    on_photo: Callback<PhotoTarget>,
    on_correct: Callback<CorrectTarget>,
    /// The responses that raise an alert, highlighted.
    alerting: Signal<std::collections::HashSet<i64>>,
    /// A supply register's status question: its cells are a pick list that moves the response
    /// along the workflow.
    status_question: Signal<Option<String>>,
    on_status: Callback<(i64, String)>,
) -> impl IntoView {
    let limit = RwSignal::new(ROWS_AT_ONCE);
    let heading = move |column: Column, label: String| {
        let state = {
            let column = column.clone();
            move || {
                let sort = sort.get();
                match (sort.column == column, sort.ascending) {
                    (false, _) => "none",
                    (true, true) => "ascending",
                    (true, false) => "descending",
                }
            }
        };
        let mark = {
            let state = state.clone();
            move || match state() {
                "ascending" => "▲",
                "descending" => "▼",
                _ => "",
            }
        };
        let key = match &column {
            Column::Receipt => "receipt".to_owned(),
            Column::Submitted => "submitted".to_owned(),
            Column::Question(id) => id.clone(),
        };
        view! {
            <th scope="col" aria-sort=state>
                <button
                    class="sort"
                    data-testid="sort-column"
                    data-column=key
                    on:click=move |_| sort.update(|s| *s = s.toggled(column.clone()))
                >
                    {label}
                    <span class="sort-mark" aria-hidden="true">{mark}</span>
                </button>
            </th>
        }
    };
    view! {
        <div class="responses-scroll">
            <table class="responses-table" data-testid="responses-table">
                <thead>
                    <tr>
                        {move || {
                            let lang = lang.get();
                            let mut cells = vec![
                                heading(Column::Receipt, text(lang, Text::Receipt).to_owned()),
                                heading(Column::Submitted, text(lang, Text::Submitted).to_owned()),
                            ];
                            cells.extend(questions.get().into_iter().map(|q| {
                                let label = q.label.get(code(lang)).to_owned();
                                heading(Column::Question(q.id), label)
                            }));
                            cells.collect_view()
                        }}
                        <th scope="col" class="row-actions">{move || text(lang.get(), Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.with(|r| r.iter().take(limit.get()).cloned().collect::<Vec<_>>())
                        key=|row| (row.id, row.fingerprint)
                        children=move |row| {
                            let receipt = row.receipt.clone();
                            let correct = CorrectTarget {
                                response_id: row.id,
                                receipt: row.receipt.clone(),
                                answers: row.answers.clone(),
                            };
                            let cells = questions.with_untracked(|qs| {
                                qs.iter()
                                    .zip(row.cells)
                                    .map(|(q, cell)| {
                                        if status_question.with_untracked(|s| s.as_ref() == Some(&q.id)) {
                                            return status_cell(q, row.id, row.answers.get(&q.id), lang, on_status);
                                        }
                                        if q.kind != QuestionType::Photo || cell.is_empty() {
                                            return view! { <td>{cell}</td> }.into_any();
                                        }
                                        let target = PhotoTarget {
                                            receipt: row.receipt.clone(),
                                            question: q.id.clone(),
                                            label: q.label.clone(),
                                            photo_id: cell,
                                        };
                                        view! {
                                            <td>
                                                <button
                                                    class="link"
                                                    data-testid="response-photo"
                                                    on:click=move |_| on_photo.run(target.clone())
                                                >
                                                    {move || text(lang.get(), Text::ViewPhoto)}
                                                </button>
                                            </td>
                                        }
                                        .into_any()
                                    })
                                    .collect_view()
                            });
                            view! {
                                <tr
                                    data-testid="response-row"
                                    data-response=row.id
                                    class:alerting=move || alerting.with(|a| a.contains(&row.id))
                                >
                                    <td class="receipt" data-testid="response-receipt">
                                        <Show when=move || alerting.with(|a| a.contains(&row.id))>
                                            <span class="alert-mark" title="⚠">"⚠ "</span>
                                        </Show>
                                        {row.receipt}
                                    </td>
                                    <td class="time">{row.submitted}</td>
                                    {cells}
                                    <td class="row-actions">
                                        <button
                                            data-testid="response-correct"
                                            on:click=move |_| on_correct.run(correct.clone())
                                        >
                                            {move || text(lang.get(), Text::Correct)}
                                        </button>
                                        <button
                                            data-testid="response-history"
                                            on:click=move |_| on_history.run((row.id, receipt.clone()))
                                        >
                                            {move || text(lang.get(), Text::History)}
                                        </button>
                                        <button
                                            class="danger"
                                            data-testid="response-delete"
                                            on:click=move |_| on_delete.run(row.id)
                                        >
                                            {move || text(lang.get(), Text::Delete)}
                                        </button>
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(|r| r.len() > limit.get())>
            <button
                class="show-more"
                data-testid="show-more"
                on:click=move |_| limit.update(|l| *l += ROWS_AT_ONCE)
            >
                {move || text(lang.get(), Text::ShowMore)}
            </button>
        </Show>
    }
}

/// The status of a supply response as a pick list of the workflow's stages.
fn status_cell(
    q: &Question,
    response: i64,
    current: Option<&serde_json::Value>,
    lang: Signal<Lang>,
    on_status: Callback<(i64, String)>,
) -> AnyView {
    let current = current
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let options = q
        .options
        .iter()
        .map(|c| {
            let (value, label) = (c.value.clone(), c.label.clone());
            let selected = value == current;
            view! {
                <option value=value selected=selected>
                    {move || label.get(code(lang.get())).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        <td>
            <select
                class="status-select"
                data-testid="response-status"
                on:change=move |ev| on_status.run((response, event_target_value(&ev)))
            >
                {options}
            </select>
        </td>
    }
    .into_any()
}
