//! The input for each kind of question, sized for a thumb on a cheap phone: the right keyboard
//! for numbers, phones and IDs, the phone's own date and time pickers, big radio buttons and
//! check boxes, "other, please specify" boxes, and star buttons for ratings.

use gather_doc::form::{Choice, QuestionType};
use leptos::prelude::*;
use serde_json::{json, Value};

use super::question::Slot;
use super::text::{form_lang, stars, text, Key};
use crate::i18n::Lang;

/// The input for `slot`'s question.
pub fn answer_input(slot: Slot, lang: Signal<Lang>) -> AnyView {
    match slot.question.kind {
        QuestionType::Text => text_box(slot, "text", None, None),
        QuestionType::Number => text_box(slot, "text", Some("decimal"), None),
        QuestionType::Date => text_box(slot, "date", None, None),
        QuestionType::Time => text_box(slot, "time", None, None),
        QuestionType::Phone => text_box(slot, "tel", None, Some("tel")),
        QuestionType::IdNumber => text_box(slot, "text", None, Some("off")),
        QuestionType::LongText => long_text(slot),
        QuestionType::SingleChoice | QuestionType::MultipleChoice => choices(slot, lang),
        QuestionType::YesNo => yes_no(slot, lang),
        QuestionType::Rating => rating(slot, lang),
        QuestionType::Region => super::region::region_input(slot, lang, region),
        QuestionType::Photo => super::photo::photo_input(slot.clone(), slot.place(), lang),
        QuestionType::Section => ().into_any(),
    }
}

/// An answer as the text in its box (numbers come back from the server as numbers).
fn as_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn text_box(
    slot: Slot,
    kind: &'static str,
    inputmode: Option<&'static str>,
    autocomplete: Option<&'static str>,
) -> AnyView {
    let (value, invalid) = (slot.value, slot.invalid);
    let id_number = slot.question.kind == QuestionType::IdNumber;
    let placeholder = match (slot.question.kind, slot.question.min, slot.question.max) {
        (QuestionType::Number, Some(min), Some(max)) => Some(format!("{min} – {max}")),
        _ => None,
    };
    view! {
        <input
            class="answer"
            type=kind
            inputmode=inputmode
            autocomplete=autocomplete
            autocapitalize=id_number.then_some("characters")
            spellcheck=id_number.then_some("false")
            placeholder=placeholder
            id=slot.input_id()
            name=slot.name()
            aria-describedby=slot.described_by()
            aria-required=slot.question.required.to_string()
            aria-invalid=move || invalid.get().to_string()
            prop:value=move || value.with(|v| as_text(v.as_ref()))
            on:input=move |ev| slot.set(Value::String(event_target_value(&ev)))
        />
    }
    .into_any()
}

fn long_text(slot: Slot) -> AnyView {
    let (value, invalid) = (slot.value, slot.invalid);
    view! {
        <textarea
            class="answer"
            rows="3"
            id=slot.input_id()
            name=slot.name()
            aria-describedby=slot.described_by()
            aria-required=slot.question.required.to_string()
            aria-invalid=move || invalid.get().to_string()
            prop:value=move || value.with(|v| as_text(v.as_ref()))
            on:input=move |ev| slot.set(Value::String(event_target_value(&ev)))
        ></textarea>
    }
    .into_any()
}

/// The option value an answer item stands for (`"cough"` or `{"value": "other", …}`).
fn item_value(item: &Value) -> Option<&str> {
    match item {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("value").and_then(Value::as_str),
        _ => None,
    }
}

/// The chosen items of a single- or multiple-choice answer.
fn items(value: Option<&Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one.clone()],
    }
}

/// A fresh answer item for `choice`.
fn item_for(choice: &Choice) -> Value {
    if choice.other {
        json!({ "value": choice.value, "text": "" })
    } else {
        Value::String(choice.value.clone())
    }
}

fn choices(slot: Slot, lang: Signal<Lang>) -> AnyView {
    let multiple = slot.question.kind == QuestionType::MultipleChoice;
    let options = slot.question.options.clone();
    view! {
        {multiple.then(|| view! { <p class="q-hint">{move || text(lang.get(), Key::ChooseAll)}</p> })}
        <div class="choices">
            {options
                .into_iter()
                .map(|choice| choice_row(slot.clone(), choice, multiple, lang))
                .collect_view()}
        </div>
    }
    .into_any()
}

fn choice_row(slot: Slot, choice: Choice, multiple: bool, lang: Signal<Lang>) -> impl IntoView {
    let value = slot.value;
    let chosen = {
        let v = choice.value.clone();
        Memo::new(move |_| {
            value.with(|a| items(a.as_ref()).iter().any(|i| item_value(i) == Some(&v)))
        })
    };
    let toggle = {
        let (slot, choice) = (slot.clone(), choice.clone());
        move |ev| {
            let ticked = event_target_checked(&ev);
            if !multiple {
                slot.choose(item_for(&choice));
                return;
            }
            let question = slot.question.clone();
            let mut list = items(slot.value.get_untracked().as_ref());
            list.retain(|i| item_value(i) != Some(&choice.value));
            if ticked {
                // "None of these" stands alone: choosing it clears the others, and the
                // other way round.
                if choice.exclusive {
                    list.clear();
                } else {
                    list.retain(|i| {
                        item_value(i)
                            .and_then(|v| question.choice(v))
                            .is_none_or(|c| !c.exclusive)
                    });
                }
                list.push(item_for(&choice));
            }
            slot.choose(Value::Array(list));
        }
    };
    let specify = {
        let (slot, v) = (slot.clone(), choice.value.clone());
        move |ev| {
            let typed = event_target_value(&ev);
            let mut list = items(slot.value.get_untracked().as_ref());
            for item in list.iter_mut().filter(|i| item_value(i) == Some(&v)) {
                *item = json!({ "value": v, "text": typed });
            }
            slot.set(if multiple {
                Value::Array(list)
            } else {
                list.pop().unwrap_or(Value::Null)
            });
        }
    };
    let other_text = {
        let v = choice.value.clone();
        move || {
            value.with(|a| {
                items(a.as_ref())
                    .iter()
                    .find(|i| item_value(i) == Some(&v))
                    .and_then(|i| i["text"].as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
        }
    };
    let label = choice.label.clone();
    let other_name = format!("{}.{}", slot.name(), choice.value);
    view! {
        <label class="choice" class:chosen=move || chosen.get()>
            <input
                type=if multiple { "checkbox" } else { "radio" }
                name=slot.name()
                value=choice.value.clone()
                prop:checked=move || chosen.get()
                on:change=toggle
            />
            <span>{move || label.get(form_lang(lang.get())).to_owned()}</span>
        </label>
        <Show when=move || choice.other && chosen.get()>
            <input
                class="answer other-text"
                type="text"
                name=other_name.clone()
                aria-label=move || text(lang.get(), Key::PleaseSpecify)
                placeholder=move || text(lang.get(), Key::PleaseSpecify)
                prop:value=other_text.clone()
                on:input=specify.clone()
            />
        </Show>
    }
}

fn yes_no(slot: Slot, lang: Signal<Lang>) -> AnyView {
    let value = slot.value;
    let option = move |answer: bool| {
        let slot = slot.clone();
        let chosen = move || value.with(|v| v.as_ref().and_then(Value::as_bool) == Some(answer));
        view! {
            <label class="choice big" class:chosen=chosen>
                <input
                    type="radio"
                    name=slot.name()
                    value=if answer { "yes" } else { "no" }
                    prop:checked=chosen
                    on:change=move |_| slot.choose(Value::Bool(answer))
                />
                <span>{move || text(lang.get(), if answer { Key::Yes } else { Key::No })}</span>
            </label>
        }
    };
    view! { <div class="yes-no">{option(true)}{option(false)}</div> }.into_any()
}

fn rating(slot: Slot, lang: Signal<Lang>) -> AnyView {
    let most = slot.question.max.unwrap_or(5.0).clamp(1.0, 10.0) as u64;
    let value = slot.value;
    let current = move || value.with(|v| v.as_ref().and_then(Value::as_u64).unwrap_or(0));
    view! {
        <div class="stars">
            {(1..=most)
                .map(move |n| {
                    let slot = slot.clone();
                    let lit = move || current() >= n;
                    let pressed = move || (current() == n).to_string();
                    view! {
                        <button
                            type="button"
                            class="star"
                            class:lit=lit
                            name=slot.name()
                            value=n.to_string()
                            aria-label=move || stars(lang.get(), n)
                            aria-pressed=pressed
                            on:click=move |_| slot.choose(Value::from(n))
                        ></button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// Province, city, district and street address as free text: the region question when its
/// pick lists ([`super::region`]) cannot load their table.
fn region(slot: Slot, lang: Signal<Lang>) -> AnyView {
    let parts = [
        ("province", Key::Province),
        ("city", Key::City),
        ("district", Key::District),
        ("detail", Key::Detail),
    ];
    let fields = parts.map(|(part, key)| {
        let slot = slot.clone();
        let value = slot.value;
        let field =
            move || value.with(|v| v.as_ref().map(|v| as_text(v.get(part))).unwrap_or_default());
        let update = {
            let slot = slot.clone();
            move |ev| {
                let mut region = match slot.value.get_untracked() {
                    Some(Value::Object(o)) => o,
                    _ => serde_json::Map::new(),
                };
                region.insert(part.into(), Value::String(event_target_value(&ev)));
                if part != "detail" {
                    // A name typed by hand no longer goes with a code picked from the list.
                    region.remove("code");
                }
                slot.set(Value::Object(region));
            }
        };
        view! {
            <label class="region-part" class:wide=part == "detail">
                <span>{move || text(lang.get(), key)}</span>
                <input
                    class="answer"
                    type="text"
                    name=format!("{}.{part}", slot.name())
                    autocomplete=if part == "detail" { "street-address" } else { "off" }
                    aria-describedby=slot.described_by()
                    aria-invalid=move || slot.invalid.get().to_string()
                    prop:value=field
                    on:input=update
                />
            </label>
        }
    });
    view! { <div class="region">{fields.into_iter().collect_view()}</div> }.into_any()
}
