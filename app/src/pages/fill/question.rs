//! One question as the respondent sees it: label, required mark, help, the input, and the
//! message about the answer, shown once the person has left or changed the question (or tried
//! to submit). Also the answers' reactive state that all questions share.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gather_doc::form::{FormDef, Question, QuestionType};
use leptos::prelude::*;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;

use super::answers::{live_problem, visible_ids, Problem};
use super::inputs::answer_input;
use super::photo::PhotoPlace;
use super::text::form_lang;
use crate::i18n::Lang;

/// The answers being filled in and what the page says about them.
#[derive(Clone, Copy)]
pub struct Fill {
    /// The answers as entered, by question id (blank ones included).
    pub answers: RwSignal<Map<String, Value>>,
    /// Questions whose messages are shown: left, changed, or checked on submit.
    pub touched: RwSignal<BTreeSet<String>>,
    /// The server's messages, each until its answer changes.
    pub server_errors: RwSignal<BTreeMap<String, Problem>>,
    /// The questions shown, given the answers.
    pub visible: Memo<BTreeSet<String>>,
    /// Where photo answers are uploaded.
    pub place: StoredValue<PhotoPlace>,
}

impl Fill {
    pub fn new(form: Arc<FormDef>, answers: Map<String, Value>, place: PhotoPlace) -> Fill {
        let answers = RwSignal::new(answers);
        Fill {
            place: StoredValue::new(place),
            answers,
            touched: RwSignal::new(BTreeSet::new()),
            server_errors: RwSignal::new(BTreeMap::new()),
            visible: Memo::new(move |_| answers.with(|a| visible_ids(&form, a))),
        }
    }

    pub fn set(self, id: &str, value: Value) {
        self.answers.update(|a| {
            a.insert(id.to_owned(), value);
        });
        if self.server_errors.with_untracked(|e| e.contains_key(id)) {
            self.server_errors.update(|e| {
                e.remove(id);
            });
        }
    }

    pub fn touch(self, id: &str) {
        if !self.touched.with_untracked(|t| t.contains(id)) {
            self.touched.update(|t| {
                t.insert(id.to_owned());
            });
        }
    }

    /// Starts over with `answers` and no messages.
    pub fn reset(self, answers: Map<String, Value>) {
        self.answers.set(answers);
        self.touched.set(BTreeSet::new());
        self.server_errors.set(BTreeMap::new());
    }
}

/// One question's answer, for its input.
#[derive(Clone)]
pub struct Slot {
    pub question: Arc<Question>,
    pub value: Memo<Option<Value>>,
    pub invalid: Memo<bool>,
    fill: Fill,
}

impl Slot {
    /// Records what the person typed.
    pub fn set(&self, value: Value) {
        self.fill.set(&self.question.id, value);
    }

    /// Records a choice (a click is as good as leaving the question: check it at once).
    pub fn choose(&self, value: Value) {
        self.set(value);
        self.fill.touch(&self.question.id);
    }

    /// Where a photo answer is uploaded.
    pub fn place(&self) -> StoredValue<PhotoPlace> {
        self.fill.place
    }

    /// The `name` of the question's inputs (tests and autofill find them by it).
    pub fn name(&self) -> String {
        self.question.id.clone()
    }

    pub fn input_id(&self) -> String {
        format!("fill-in-{}", self.question.id)
    }

    pub fn described_by(&self) -> String {
        let id = &self.question.id;
        format!("fill-help-{id} fill-err-{id}")
    }
}

/// Whether a question takes its answer through several controls (choices, stars, fields).
fn is_group(kind: QuestionType) -> bool {
    matches!(
        kind,
        QuestionType::SingleChoice
            | QuestionType::MultipleChoice
            | QuestionType::YesNo
            | QuestionType::Rating
            | QuestionType::Region
    )
}

/// The element id of a question's wrapper, for scrolling to it.
pub fn wrapper_id(question_id: &str) -> String {
    format!("fill-q-{question_id}")
}

/// A section heading: starts a new group of questions and takes no answer.
#[component]
pub fn SectionHeading(question: Arc<Question>, lang: Signal<Lang>) -> impl IntoView {
    let id = question.id.clone();
    let (label, help) = (question.clone(), question);
    view! {
        <div class="fill-section" id=wrapper_id(&id) data-testid=format!("q-{id}")>
            <h2>{move || label.label.get(form_lang(lang.get())).to_owned()}</h2>
            <Show when={
                let help = help.clone();
                move || !help.help.is_empty()
            }>
                <p class="q-help">{
                    let help = help.clone();
                    move || help.help.get(form_lang(lang.get())).to_owned()
                }</p>
            </Show>
        </div>
    }
}

#[component]
pub fn QuestionBlock(question: Arc<Question>, fill: Fill, lang: Signal<Lang>) -> impl IntoView {
    let id = question.id.clone();
    let value = {
        let id = id.clone();
        Memo::new(move |_| fill.answers.with(|a| a.get(&id).cloned()))
    };
    let problem = {
        let (id, question) = (id.clone(), question.clone());
        Memo::new(move |_| {
            if let Some(p) = fill.server_errors.with(|e| e.get(&id).cloned()) {
                return Some(p);
            }
            if !fill.touched.with(|t| t.contains(&id)) {
                return None;
            }
            value.with(|v| live_problem(&question, v.as_ref()))
        })
    };
    let invalid = Memo::new(move |_| problem.with(Option::is_some));
    let slot = Slot {
        question: question.clone(),
        value,
        invalid,
        fill,
    };
    let label_for = (!is_group(question.kind)).then(|| slot.input_id());
    let touch_on_leave = {
        let id = id.clone();
        move |ev: web_sys::FocusEvent| {
            if !focus_stays_inside(&ev) {
                fill.touch(&id);
            }
        }
    };
    let touch_on_change = {
        let id = id.clone();
        move |_| fill.touch(&id)
    };
    let (error_id, error_testid) = (format!("fill-err-{id}"), format!("error-{id}"));
    let (label, help, has_help) = (
        question.clone(),
        question.clone(),
        !question.help.is_empty(),
    );
    view! {
        <div
            class="question"
            class:invalid=move || invalid.get()
            id=wrapper_id(&id)
            data-testid=format!("q-{id}")
            role="group"
            aria-labelledby=format!("fill-label-{id}")
            on:focusout=touch_on_leave
            on:change=touch_on_change
        >
            <label class="q-label" id=format!("fill-label-{id}") for=label_for>
                {move || label.label.get(form_lang(lang.get())).to_owned()}
                {question.required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
            </label>
            {has_help.then(|| view! {
                <p class="q-help" id=format!("fill-help-{id}")>
                    {move || help.help.get(form_lang(lang.get())).to_owned()}
                </p>
            })}
            {answer_input(slot, lang)}
            <Show when=move || invalid.get()>
                <p class="q-error" id=error_id.clone() data-testid=error_testid.clone() role="alert">
                    {move || problem.with(|p| p.as_ref().map(|p| p.message(lang.get()).to_owned()))}
                </p>
            </Show>
        </div>
    }
}

/// Whether focus moves to another control of the same question (so it has not been left).
fn focus_stays_inside(ev: &web_sys::FocusEvent) -> bool {
    let wrapper = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
    let next = ev
        .related_target()
        .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
    match (wrapper, next) {
        (Some(wrapper), Some(next)) => wrapper.contains(Some(&next)),
        _ => false,
    }
}
