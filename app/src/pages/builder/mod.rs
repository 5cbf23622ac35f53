//! The form builder: the form's settings and its questions, edited straight in the document's
//! CRDT (the `form` and `questions` roots), so two teachers building a form together see each
//! other's changes live. Every edit is a plain function of `gather_doc::form::crdt`; this file
//! only turns inputs into those calls.

mod alerts;
mod question;
mod text;

use gather_doc::form::crdt::{self, FormRoots};
use gather_doc::form::{FormDef, FormStatus, Frequency, Question, QuestionType, RosterFields};
use leptos::prelude::*;
use yrs::{Transact, TransactionMut};

use crate::i18n::Lang;
use question::QuestionCard;
pub use text::{text, Text};

/// Applies one edit to the form roots, then tells the view the document changed.
#[derive(Clone)]
pub struct FormEditor {
    doc: yrs::Doc,
    version: RwSignal<u64>,
}

impl FormEditor {
    pub fn new(doc: yrs::Doc, version: RwSignal<u64>) -> FormEditor {
        FormEditor { doc, version }
    }

    pub fn edit(&self, change: impl FnOnce(&mut TransactionMut, &FormRoots)) {
        let roots = FormRoots::of(&self.doc);
        {
            let mut txn = self.doc.transact_mut();
            change(&mut txn, &roots);
        }
        self.version.update(|v| *v += 1);
    }

    /// The form as the document holds it now (re-read whenever the document changes).
    pub fn form(&self) -> FormDef {
        self.version.track();
        gather_doc::form::read_form(&self.doc).unwrap_or_default()
    }
}

/// A random 32-bit number from the browser's cryptographic source.
pub fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    if let Ok(crypto) = window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    u32::from_le_bytes(bytes)
}

#[component]
pub fn FormBuilder(editor: FormEditor, lang: Signal<Lang>) -> impl IntoView {
    let form = {
        let editor = editor.clone();
        Memo::new(move |_| editor.form())
    };
    let tr = move |key| text(lang.get(), key);
    let set_settings = {
        let editor = editor.clone();
        move |change: Box<dyn FnOnce(&mut FormDef)>| {
            let mut settings = form.get_untracked();
            change(&mut settings);
            editor.edit(|txn, roots| crdt::write_settings(txn, &roots.settings, &settings));
        }
    };
    let new_type = RwSignal::new(QuestionType::SingleChoice);
    let add = {
        let editor = editor.clone();
        move |_| {
            let existing = form.get_untracked().questions;
            let id = crdt::new_question_id(&existing, u64::from(random_u32()));
            let kind = new_type.get_untracked();
            let mut q = Question::new(&id, kind, "", "");
            if kind.has_options() {
                q.options = vec![question::new_choice(&[], 1), question::new_choice(&[], 2)];
            }
            let at = existing.len() as u32;
            editor.edit(|txn, roots| crdt::insert_question(txn, roots, at, &q));
        }
    };
    let s1 = set_settings.clone();
    let s2 = set_settings.clone();
    let s3 = set_settings.clone();
    let s4 = set_settings.clone();
    let s5 = set_settings.clone();
    let set_alerts = {
        let set = set_settings.clone();
        Callback::new(move |rules: Vec<gather_doc::form::alerts::AlertRule>| {
            set(Box::new(move |f| f.alerts = rules))
        })
    };
    let set_field = set_settings;
    // One select per roster field: which text question holds the person's id, name, group.
    let roster_field = move |label: Text,
                             testid: &'static str,
                             pick: fn(&RosterFields) -> &String,
                             put: fn(&mut RosterFields, String)| {
        let set_field = set_field.clone();
        view! {
            <label>
                <span>{move || tr(label)}</span>
                <select data-testid=testid
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        set_field(Box::new(move |f| {
                            let mut fields = f.roster_fields.clone().unwrap_or_default();
                            put(&mut fields, chosen);
                            f.roster_fields = (!fields.id.is_empty()).then_some(fields);
                        }))
                    }>
                    <option value="">{move || tr(Text::NoField)}</option>
                    {move || {
                        let current = form.get().roster_fields.as_ref().map(|r| pick(r).clone()).unwrap_or_default();
                        form.get().questions.into_iter()
                            .filter(|q| matches!(q.kind, QuestionType::Text | QuestionType::IdNumber))
                            .map(|q| {
                                let selected = q.id == current;
                                let name = q.label.get(lang.get().form_code()).to_owned();
                                view! { <option value=q.id.clone() selected=selected>{name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
        }
    };
    let card_editor = editor.clone();
    view! {
        <section class="form-builder" data-testid="form-builder">
            <fieldset class="form-settings">
                <legend>{move || tr(Text::FormSettings)}</legend>
                <label>
                    <span>{move || tr(Text::TitleZh)}</span>
                    <input data-testid="form-title-zh" prop:value=move || form.get().title.zh
                        on:change=move |ev| { let v = event_target_value(&ev); s1(Box::new(move |f| f.title.zh = v)) } />
                </label>
                <label>
                    <span>{move || tr(Text::TitleEn)}</span>
                    <input data-testid="form-title-en" prop:value=move || form.get().title.en
                        on:change=move |ev| { let v = event_target_value(&ev); s2(Box::new(move |f| f.title.en = v)) } />
                </label>
                <label class="inline">
                    <input type="checkbox" data-testid="form-accepting"
                        prop:checked=move || form.get().status == FormStatus::Open
                        on:change=move |ev| {
                            let open = event_target_checked(&ev);
                            s3(Box::new(move |f| f.status = if open { FormStatus::Open } else { FormStatus::Closed }))
                        } />
                    <span>{move || if form.get().status == FormStatus::Open { tr(Text::Accepting) } else { tr(Text::Closed) }}</span>
                </label>
                <label>
                    <span>{move || tr(Text::Deadline)}</span>
                    <input type="datetime-local" data-testid="form-deadline"
                        prop:value=move || form.get().deadline.map(local_input_value).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let deadline = (!v.is_empty()).then(|| js_sys::Date::new(&v.into()).get_time() as i64);
                            s4(Box::new(move |f| f.deadline = deadline))
                        } />
                </label>
                <label>
                    <span>{move || tr(Text::Frequency)}</span>
                    <select data-testid="form-frequency"
                        on:change=move |ev| {
                            let chosen = Frequency::parse(&event_target_value(&ev));
                            s5(Box::new(move |f| f.frequency = chosen))
                        }>
                        {[(Frequency::Any, Text::FrequencyAny), (Frequency::Once, Text::FrequencyOnce), (Frequency::Daily, Text::FrequencyDaily)]
                            .into_iter()
                            .map(|(value, label)| view! {
                                <option value=value.as_str() selected=move || form.get().frequency == value>{move || tr(label)}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <p class="hint settings-note">{move || tr(Text::RosterFieldsNote)}</p>
                {roster_field(Text::RosterId, "roster-id-question", |r| &r.id, |r, v| r.id = v)}
                {roster_field(Text::RosterName, "roster-name-question", |r| &r.name, |r, v| r.name = v)}
                {roster_field(Text::RosterGroup, "roster-group-question", |r| &r.group, |r, v| r.group = v)}
            </fieldset>
            <alerts::AlertsEditor form=form lang=lang set_alerts=set_alerts />
            <h2>{move || tr(Text::Questions)}</h2>
            <Show when=move || form.get().questions.is_empty()>
                <p class="hint">{move || tr(Text::NoQuestions)}</p>
            </Show>
            <ol class="question-list">
                <For
                    each=move || {
                        let questions = form.get().questions;
                        let count = questions.len();
                        questions.into_iter().enumerate().map(move |(i, q)| (i, count, q)).collect::<Vec<_>>()
                    }
                    key=|(i, count, q)| (*i, *count, serde_json::to_string(q).unwrap_or_default())
                    children=move |(index, count, q)| {
                        let earlier: Vec<Question> = form.get_untracked().questions.into_iter().take(index).collect();
                        view! { <QuestionCard question=q index=index count=count earlier=earlier editor=card_editor.clone() lang=lang /> }
                    }
                />
            </ol>
            <div class="add-question">
                <label>
                    <span>{move || tr(Text::QuestionType)}</span>
                    <select data-testid="new-question-type"
                        on:change=move |ev| {
                            if let Some(kind) = QuestionType::parse(&event_target_value(&ev)) {
                                new_type.set(kind);
                            }
                        }>
                        {QuestionType::ALL.into_iter().map(|kind| view! {
                            <option value=kind.as_str() selected=move || new_type.get() == kind>
                                {move || text::type_name(lang.get(), kind)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="primary" data-testid="add-question" on:click=add>{move || tr(Text::AddQuestion)}</button>
            </div>
        </section>
    }
}

/// `ms` as a `datetime-local` input value in the browser's time zone.
fn local_input_value(ms: i64) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}
