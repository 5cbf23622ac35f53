//! The form's alert rules, set by its owners and editors: which answers the day view and the
//! responses table flag at once (a temperature of 37.3 °C or more, any symptom but "none",
//! contact with a case). Rules live in the form's settings in the document, like every other
//! setting, so everyone building the form sees them change.

use gather_doc::form::alerts::{AlertRule, AlertTest};
use gather_doc::form::{Bilingual, FormDef, Question, QuestionType};
use leptos::prelude::*;

use crate::i18n::Lang;

fn words(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Questions a rule can watch: numbers, choices, yes/no.
fn watchable(q: &Question) -> bool {
    matches!(
        q.kind,
        QuestionType::Number
            | QuestionType::Rating
            | QuestionType::SingleChoice
            | QuestionType::MultipleChoice
            | QuestionType::YesNo
    )
}

/// A rule as a sentence: "体温（°C） ≥ 37.3".
pub fn describe(rule: &AlertRule, form: &FormDef, lang: Lang) -> String {
    let question = form.question(&rule.question);
    let label = question.map_or(rule.question.as_str(), |q| q.label.get(lang.form_code()));
    let choice = |v: &String| match (question, v.as_str()) {
        (Some(q), _) if q.kind == QuestionType::YesNo => words(
            lang,
            if v == "yes" { "是" } else { "否" },
            if v == "yes" { "yes" } else { "no" },
        )
        .to_owned(),
        (Some(q), value) => q.choice(value).map_or(value.to_owned(), |c| {
            c.label.get(lang.form_code()).to_owned()
        }),
        (None, value) => value.to_owned(),
    };
    let list = |values: &[String]| {
        values
            .iter()
            .map(choice)
            .collect::<Vec<_>>()
            .join(words(lang, "、", ", "))
    };
    match &rule.test {
        AlertTest::AtLeast { at_least } => format!("{label} ≥ {at_least}"),
        AlertTest::AtMost { at_most } => format!("{label} ≤ {at_most}"),
        AlertTest::AnyOf { any_of } => {
            format!("{label} {} {}", words(lang, "为", "is"), list(any_of))
        }
        AlertTest::AnyExcept { any_except } => {
            format!(
                "{label} {} {}",
                words(lang, "不是", "is not only"),
                list(any_except)
            )
        }
    }
}

#[component]
pub fn AlertsEditor(
    form: Memo<FormDef>,
    lang: Signal<Lang>,
    /// Replaces the form's rules.
    set_alerts: Callback<Vec<AlertRule>>,
) -> impl IntoView {
    let question = RwSignal::new(String::new());
    let mode = RwSignal::new("at_least".to_owned());
    let number = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let (label_zh, label_en) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let picked = move || form.with(|f| f.question(&question.get()).cloned());
    let add = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(q) = picked() else {
            return;
        };
        let test = match (q.kind, mode.get_untracked().as_str()) {
            (QuestionType::Number | QuestionType::Rating, kind) => {
                let Ok(n) = number.get_untracked().trim().parse::<f64>() else {
                    return;
                };
                if kind == "at_most" {
                    AlertTest::AtMost { at_most: n }
                } else {
                    AlertTest::AtLeast { at_least: n }
                }
            }
            (_, "any_except") => AlertTest::AnyExcept {
                any_except: chosen.get_untracked(),
            },
            _ => AlertTest::AnyOf {
                any_of: chosen.get_untracked(),
            },
        };
        if matches!(&test, AlertTest::AnyOf { any_of: v } | AlertTest::AnyExcept { any_except: v } if v.is_empty())
        {
            return;
        }
        let mut rules = form.get_untracked().alerts;
        rules.push(AlertRule {
            question: q.id,
            test,
            label: Bilingual {
                zh: label_zh.get_untracked().trim().to_owned(),
                en: label_en.get_untracked().trim().to_owned(),
            },
        });
        set_alerts.run(rules);
        number.set(String::new());
        chosen.set(Vec::new());
        label_zh.set(String::new());
        label_en.set(String::new());
    };
    let options = move || {
        let Some(q) = picked() else {
            return Vec::new();
        };
        match q.kind {
            QuestionType::YesNo => vec![
                ("yes".to_owned(), words(lang.get(), "是", "Yes").to_owned()),
                ("no".to_owned(), words(lang.get(), "否", "No").to_owned()),
            ],
            _ => q
                .options
                .iter()
                .map(|c| {
                    (
                        c.value.clone(),
                        c.label.get(lang.get().form_code()).to_owned(),
                    )
                })
                .collect(),
        }
    };
    let is_number = move || {
        picked().is_some_and(|q| matches!(q.kind, QuestionType::Number | QuestionType::Rating))
    };
    view! {
        <fieldset class="form-settings alerts-editor" data-testid="alerts-editor">
            <legend>{move || words(lang.get(), "提醒规则", "Alerts")}</legend>
            <p class="hint">
                {move || words(
                    lang.get(),
                    "符合规则的回答会在回复表中标红，并列入“每日情况”的需关注名单。",
                    "Answers that match a rule are marked in the responses table and listed under “Needs attention” by day.",
                )}
            </p>
            <ul class="alert-rules">
                {move || {
                    let f = form.get();
                    f.alerts
                        .iter()
                        .enumerate()
                        .map(|(i, rule)| {
                            let sentence = describe(rule, &f, lang.get());
                            let name = rule.label.get(lang.get().form_code()).to_owned();
                            view! {
                                <li data-testid="alert-rule">
                                    <span class="alert-label">{name}</span>
                                    <span>{sentence}</span>
                                    <button type="button" class="secondary" data-testid="remove-alert-rule"
                                        on:click=move |_| {
                                            let mut rules = form.get_untracked().alerts;
                                            if i < rules.len() {
                                                rules.remove(i);
                                                set_alerts.run(rules);
                                            }
                                        }>
                                        {move || words(lang.get(), "删除", "Remove")}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <form class="add-alert" on:submit=add>
                <label>
                    <span>{move || words(lang.get(), "题目", "Question")}</span>
                    <select data-testid="alert-question" on:change=move |ev| {
                        question.set(event_target_value(&ev));
                        chosen.set(Vec::new());
                    }>
                        <option value="">{move || words(lang.get(), "（选择题目）", "(choose a question)")}</option>
                        {move || form.get().questions.into_iter().filter(watchable).map(|q| {
                            let name = q.label.get(lang.get().form_code()).to_owned();
                            view! { <option value=q.id.clone()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || words(lang.get(), "条件", "When")}</span>
                    <select data-testid="alert-mode" on:change=move |ev| mode.set(event_target_value(&ev))>
                        {move || if is_number() {
                            view! {
                                <option value="at_least">"≥"</option>
                                <option value="at_most">"≤"</option>
                            }.into_any()
                        } else {
                            view! {
                                <option value="any_of">{move || words(lang.get(), "选了其中之一", "is one of")}</option>
                                <option value="any_except">{move || words(lang.get(), "选了以外的", "is anything but")}</option>
                            }.into_any()
                        }}
                    </select>
                </label>
                <Show when=is_number>
                    <label>
                        <span>{move || words(lang.get(), "数值", "Value")}</span>
                        <input inputmode="decimal" data-testid="alert-number" prop:value=move || number.get()
                            on:input=move |ev| number.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <Show when=move || !is_number() && picked().is_some()>
                    <div class="alert-choices">
                        {move || options().into_iter().map(|(value, name)| {
                            let v = value.clone();
                            view! {
                                <label class="inline">
                                    <input type="checkbox" data-testid="alert-choice" value=value.clone()
                                        prop:checked=move || chosen.with(|c| c.contains(&v))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let value = value.clone();
                                            chosen.update(|c| {
                                                c.retain(|x| *x != value);
                                                if on { c.push(value); }
                                            });
                                        } />
                                    <span>{name}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </Show>
                <label>
                    <span>{move || words(lang.get(), "名称（中文）", "Name (Chinese)")}</span>
                    <input data-testid="alert-label-zh" prop:value=move || label_zh.get()
                        on:input=move |ev| label_zh.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{move || words(lang.get(), "名称（英文）", "Name (English)")}</span>
                    <input data-testid="alert-label-en" prop:value=move || label_en.get()
                        on:input=move |ev| label_en.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="secondary" data-testid="add-alert-rule">
                    {move || words(lang.get(), "添加规则", "Add rule")}
                </button>
            </form>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use crate::i18n::Lang;
    use gather_doc::form::templates::template;
    use wasm_bindgen_test::*;

    #[wasm_bindgen_test]
    fn the_checkins_rules_read_as_sentences() {
        let form = template("health-checkin", "zh").unwrap();
        let said: Vec<String> = form
            .alerts
            .iter()
            .map(|r| describe(r, &form, Lang::Zh))
            .collect();
        assert_eq!(
            said,
            [
                "体温（°C） ≥ 37.3",
                "今日症状 不是 无",
                "是否接触过确诊或疑似病例 为 是"
            ]
        );
        assert_eq!(
            describe(&form.alerts[2], &form, Lang::En),
            "Contact with a confirmed or suspected case is yes"
        );
    }
}
