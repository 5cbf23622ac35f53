//! One question in the builder: its type, labels in both languages, whether it is required,
//! its options or limits, and when it is shown. Every change writes only the changed fields.

use gather_doc::form::crdt;
use gather_doc::form::{Choice, IdKind, Question, QuestionType, ShowIf};
use leptos::prelude::*;

use super::text::{text, type_name, Text};
use super::FormEditor;
use crate::i18n::Lang;

/// A new option with a value no option of `existing` has.
pub fn new_choice(existing: &[Choice], n: usize) -> Choice {
    let mut n = n;
    loop {
        let value = format!("o{n}");
        if existing.iter().all(|c| c.value != value) {
            return Choice::new(&value, "", "");
        }
        n += 1;
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn shown(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

#[component]
pub fn QuestionCard(
    question: Question,
    index: usize,
    count: usize,
    /// The questions before this one (a condition may only look back).
    earlier: Vec<Question>,
    editor: FormEditor,
    lang: Signal<Lang>,
) -> impl IntoView {
    let tr = move |key| text(lang.get(), key);
    let q = StoredValue::new(question.clone());
    let editor = StoredValue::new(editor);
    let change = move |f: &dyn Fn(&mut Question)| {
        let mut next = q.get_value();
        f(&mut next);
        editor.with_value(|e| {
            e.edit(|txn, roots| {
                crdt::update_question(txn, roots, &next);
            })
        });
    };
    let id = question.id.clone();
    let kind = question.kind;
    let first = index == 0;
    let last = index + 1 >= count;
    let move_to = move |to: usize| {
        let id = q.get_value().id;
        editor.with_value(|e| {
            e.edit(|txn, roots| {
                crdt::move_question(txn, roots, &id, to as u32);
            })
        });
    };
    let remove = move |_| {
        if !window()
            .confirm_with_message(tr(Text::ConfirmRemove))
            .unwrap_or(false)
        {
            return;
        }
        let id = q.get_value().id;
        editor.with_value(|e| {
            e.edit(|txn, roots| {
                crdt::remove_question(txn, roots, &id);
            })
        });
    };
    let duplicate = move |_| {
        editor.with_value(|e| {
            let existing = e.form().questions;
            let mut copy = q.get_value();
            copy.id = crdt::new_question_id(&existing, u64::from(super::random_u32()));
            e.edit(|txn, roots| crdt::insert_question(txn, roots, index as u32 + 1, &copy));
        });
    };
    let label_zh = question.label.zh.clone();
    let label_en = question.label.en.clone();
    let help_zh = question.help.zh.clone();
    let help_en = question.help.en.clone();
    view! {
        <li class="question-card" data-testid=format!("builder-{id}") data-type=kind.as_str()>
            <div class="card-head">
                <span class="q-number">{index + 1}</span>
                <select
                    aria-label=move || tr(Text::QuestionType)
                    on:change=move |ev| {
                        if let Some(kind) = QuestionType::parse(&event_target_value(&ev)) {
                            change(&|q| {
                                q.kind = kind;
                                if kind.has_options() && q.options.is_empty() {
                                    q.options = vec![new_choice(&[], 1), new_choice(&[], 2)];
                                }
                            });
                        }
                    }
                >
                    {QuestionType::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=k == kind>{move || type_name(lang.get(), k)}</option>
                    }).collect_view()}
                </select>
                <Show when=move || kind.takes_answer()>
                    <label class="inline">
                        <input type="checkbox" prop:checked=q.get_value().required
                            on:change=move |ev| { let on = event_target_checked(&ev); change(&|q| q.required = on) } />
                        <span>{move || tr(Text::Required)}</span>
                    </label>
                </Show>
            </div>
            <label>
                <span>{move || tr(Text::LabelZh)}</span>
                <input class="label-zh" prop:value=label_zh
                    on:change=move |ev| { let v = event_target_value(&ev); change(&|q| q.label.zh = v.clone()) } />
            </label>
            <label>
                <span>{move || tr(Text::LabelEn)}</span>
                <input class="label-en" prop:value=label_en
                    on:change=move |ev| { let v = event_target_value(&ev); change(&|q| q.label.en = v.clone()) } />
            </label>
            {kind.has_options().then(|| view! { <OptionsEditor q=q change=change lang=lang /> })}
            {limits(kind, q, change, lang)}
            <details>
                <summary>{move || tr(Text::MoreSettings)}</summary>
                <label>
                    <span>{move || tr(Text::HelpZh)}</span>
                    <input prop:value=help_zh
                        on:change=move |ev| { let v = event_target_value(&ev); change(&|q| q.help.zh = v.clone()) } />
                </label>
                <label>
                    <span>{move || tr(Text::HelpEn)}</span>
                    <input prop:value=help_en
                        on:change=move |ev| { let v = event_target_value(&ev); change(&|q| q.help.en = v.clone()) } />
                </label>
                <ConditionEditor q=q earlier=earlier change=change lang=lang />
            </details>
            <div class="card-actions">
                <button disabled=first on:click=move |_| move_to(index.saturating_sub(1))
                    aria-label=move || tr(Text::MoveUp)>"↑"</button>
                <button disabled=last on:click=move |_| move_to(index + 1)
                    aria-label=move || tr(Text::MoveDown)>"↓"</button>
                <button on:click=duplicate>{move || tr(Text::Duplicate)}</button>
                <button class="danger" on:click=remove>{move || tr(Text::Remove)}</button>
            </div>
        </li>
    }
}

/// Limits that depend on the type: range and decimals for numbers, stars for ratings, length
/// and format for text, the ID check for ID numbers.
fn limits(
    kind: QuestionType,
    q: StoredValue<Question>,
    change: impl Fn(&dyn Fn(&mut Question)) + Copy + Send + Sync + 'static,
    lang: Signal<Lang>,
) -> AnyView {
    let tr = move |key| text(lang.get(), key);
    let current = q.get_value();
    let num_input = move |key: Text, value: Option<f64>, set: fn(&mut Question, Option<f64>)| {
        view! {
            <label class="short">
                <span>{move || tr(key)}</span>
                <input inputmode="decimal" prop:value=shown(value)
                    on:change=move |ev| { let v = number(&event_target_value(&ev)); change(&|q| set(q, v)) } />
            </label>
        }
    };
    match kind {
        QuestionType::Number => view! {
            <div class="limits">
                {num_input(Text::Min, current.min, |q, v| q.min = v)}
                {num_input(Text::Max, current.max, |q, v| q.max = v)}
                {num_input(Text::Decimals, current.decimals.map(f64::from), |q, v| q.decimals = v.map(|d| d.clamp(0.0, 6.0) as u32))}
            </div>
        }
        .into_any(),
        QuestionType::Rating => view! {
            <div class="limits">{num_input(Text::Stars, current.max, |q, v| q.max = v)}</div>
        }
        .into_any(),
        QuestionType::Text | QuestionType::LongText | QuestionType::IdNumber => {
            let pattern = current.pattern.clone().unwrap_or_default();
            let bad = !pattern.is_empty()
                && gather_doc::form::validate::pattern_regex(&pattern).is_err();
            let resident = current.id_kind.unwrap_or_default() == IdKind::Resident;
            view! {
                <div class="limits">
                    {(kind != QuestionType::IdNumber).then(|| num_input(Text::MaxChars, current.max, |q, v| q.max = v))}
                    {(kind == QuestionType::IdNumber).then(|| view! {
                        <label class="inline">
                            <input type="checkbox" prop:checked=resident
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    change(&|q| q.id_kind = Some(if on { IdKind::Resident } else { IdKind::Other }))
                                } />
                            <span>{move || tr(Text::ResidentId)}</span>
                        </label>
                    })}
                    <label>
                        <span>{move || tr(Text::Pattern)}</span>
                        <input class="mono" prop:value=pattern
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                change(&|q| q.pattern = Some(v.clone()).filter(|p| !p.trim().is_empty()))
                            } />
                    </label>
                    {bad.then(|| view! { <p class="field-error">{move || tr(Text::BadPattern)}</p> })}
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// The options of a choice question, each with labels in both languages and its flags.
#[component]
fn OptionsEditor(
    q: StoredValue<Question>,
    change: impl Fn(&dyn Fn(&mut Question)) + Copy + Send + Sync + 'static,
    lang: Signal<Lang>,
) -> impl IntoView {
    let tr = move |key| text(lang.get(), key);
    let options = q.get_value().options;
    let rows = options
        .into_iter()
        .enumerate()
        .map(|(i, choice)| {
            let set = move |f: fn(&mut Choice, String, bool), v: String, b: bool| {
                change(&|q| {
                    if let Some(c) = q.options.get_mut(i) {
                        f(c, v.clone(), b)
                    }
                })
            };
            view! {
                <li class="option-row">
                    <input class="option-zh" aria-label=move || tr(Text::OptionZh) placeholder=move || tr(Text::OptionZh)
                        prop:value=choice.label.zh.clone()
                        on:change=move |ev| set(|c, v, _| c.label.zh = v, event_target_value(&ev), false) />
                    <input class="option-en" aria-label=move || tr(Text::OptionEn) placeholder=move || tr(Text::OptionEn)
                        prop:value=choice.label.en.clone()
                        on:change=move |ev| set(|c, v, _| c.label.en = v, event_target_value(&ev), false) />
                    <label class="inline small">
                        <input type="checkbox" prop:checked=choice.exclusive
                            on:change=move |ev| set(|c, _, b| c.exclusive = b, String::new(), event_target_checked(&ev)) />
                        <span>{move || tr(Text::Exclusive)}</span>
                    </label>
                    <label class="inline small">
                        <input type="checkbox" prop:checked=choice.other
                            on:change=move |ev| set(|c, _, b| c.other = b, String::new(), event_target_checked(&ev)) />
                        <span>{move || tr(Text::Other)}</span>
                    </label>
                    <button class="icon" aria-label=move || tr(Text::RemoveOption)
                        on:click=move |_| change(&|q| { if i < q.options.len() { q.options.remove(i); } })>"×"</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <fieldset class="options">
            <legend>{move || tr(Text::Options)}</legend>
            <ul>{rows}</ul>
            <button class="add-option" on:click=move |_| change(&|q| {
                let next = new_choice(&q.options, q.options.len() + 1);
                q.options.push(next);
            })>{move || tr(Text::AddOption)}</button>
        </fieldset>
    }
}

/// "Show this question only when question X is one of …" (a single condition; a combined
/// condition written over the API is kept and shown as such).
#[component]
fn ConditionEditor(
    q: StoredValue<Question>,
    earlier: Vec<Question>,
    change: impl Fn(&dyn Fn(&mut Question)) + Copy + Send + Sync + 'static,
    lang: Signal<Lang>,
) -> impl IntoView {
    let tr = move |key| text(lang.get(), key);
    let code = move || lang.get().form_code();
    let candidates: Vec<Question> = earlier
        .into_iter()
        .filter(|e| e.kind.has_options() || e.kind == QuestionType::YesNo)
        .collect();
    let (on_question, values) = match q.get_value().show_if {
        Some(ShowIf::Answer { question, one_of }) => (question, one_of),
        Some(_) => (String::from("*"), Vec::new()),
        None => (String::new(), Vec::new()),
    };
    let target = candidates.iter().find(|c| c.id == on_question).cloned();
    let choices: Vec<(String, gather_doc::form::Bilingual)> = match &target {
        Some(t) if t.kind == QuestionType::YesNo => vec![
            ("yes".into(), gather_doc::form::Bilingual::new("是", "Yes")),
            ("no".into(), gather_doc::form::Bilingual::new("否", "No")),
        ],
        Some(t) => t
            .options
            .iter()
            .map(|c| (c.value.clone(), c.label.clone()))
            .collect(),
        None => Vec::new(),
    };
    let selected = on_question.clone();
    view! {
        <div class="condition">
            <label>
                <span>{move || tr(Text::ShowIf)}</span>
                <select on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    change(&|q| q.show_if = (!picked.is_empty()).then(|| ShowIf::Answer {
                        question: picked.clone(),
                        one_of: Vec::new(),
                    }))
                }>
                    <option value="" selected=selected.is_empty()>{move || tr(Text::Always)}</option>
                    {candidates.iter().map(|c| {
                        let label = c.label.clone();
                        view! {
                            <option value=c.id.clone() selected=c.id == selected>
                                {move || label.get(code()).to_owned()}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            {(!choices.is_empty()).then(|| view! {
                <div class="condition-values">
                    <span>{move || tr(Text::IsOneOf)}</span>
                    {choices.into_iter().map(|(value, label)| {
                        let checked = values.contains(&value);
                        let question = on_question.clone();
                        view! {
                            <label class="inline small">
                                <input type="checkbox" prop:checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let (question, value) = (question.clone(), value.clone());
                                    change(&|q| {
                                        let mut one_of = match &q.show_if {
                                            Some(ShowIf::Answer { one_of, .. }) => one_of.clone(),
                                            _ => Vec::new(),
                                        };
                                        one_of.retain(|v| v != &value);
                                        if on { one_of.push(value.clone()); }
                                        q.show_if = Some(ShowIf::Answer { question: question.clone(), one_of });
                                    })
                                } />
                                <span>{move || label.get(code()).to_owned()}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            })}
        </div>
    }
}
