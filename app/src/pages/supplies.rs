//! The totals of a supply register, for its owners and editors: how many of each item were
//! pledged, are in transit, arrived and were handed out, and the same per hospital. Labels come
//! from the form's own options, in the interface language.

use gather_doc::form::{FormDef, Question};
use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::api;
use crate::i18n::Lang;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
struct Quantities {
    item: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    by_status: BTreeMap<String, f64>,
    total: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
struct Totals {
    #[serde(default)]
    items: Vec<Quantities>,
    #[serde(default)]
    places: Vec<Quantities>,
    #[serde(default)]
    responses: usize,
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

fn words(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// An item key as people read it: the option's label, or "Other: …".
fn item_label(question: Option<&Question>, key: &str, lang: Lang) -> String {
    let (value, text) = key
        .split_once(':')
        .map_or((key, None), |(v, t)| (v, Some(t)));
    let label = question
        .and_then(|q| q.choice(value))
        .map_or(value.to_owned(), |c| c.label.get(code(lang)).to_owned());
    match text {
        Some(t) if lang == Lang::Zh => format!("{label}：{t}"),
        Some(t) => format!("{label}: {t}"),
        None => label,
    }
}

/// A whole number without ".0".
fn amount(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n:.1}")
    }
}

#[component]
pub fn TotalsPanel(id: DocId, token: String, lang: Signal<Lang>) -> impl IntoView {
    let totals = RwSignal::new(None::<Totals>);
    let form = RwSignal::new(None::<FormDef>);
    let failure = RwSignal::new(false);
    let load = move || {
        let (id, token) = (id.clone(), token.clone());
        spawn_local(async move {
            let def = api::call("GET", &format!("/api/forms/{id}"), Some(&token), None).await;
            let sums = api::call(
                "GET",
                &format!("/api/forms/{id}/totals"),
                Some(&token),
                None,
            )
            .await;
            match (def, sums) {
                (Ok(def), Ok(sums)) => {
                    form.set(serde_json::from_value(def).ok());
                    totals.set(serde_json::from_value(sums).ok());
                    failure.set(false);
                }
                _ => failure.set(true),
            }
        });
    };
    load();
    view! {
        <section class="totals" data-testid="totals-panel">
            <div class="day-bar">
                <button class="secondary" on:click={
                    let load = load.clone();
                    move |_| load()
                }>{move || words(lang.get(), "刷新", "Refresh")}</button>
            </div>
            <Show when=move || failure.get()>
                <p class="notice" role="alert">
                    {move || words(lang.get(), "无法加载，请检查网络后重试。", "Could not load. Check your connection and try again.")}
                </p>
            </Show>
            {move || {
                let (Some(sums), Some(def)) = (totals.get(), form.get()) else {
                    return view! { <p class="hint">{move || words(lang.get(), "正在加载…", "Loading…")}</p> }.into_any();
                };
                view! { <TotalsTables totals=sums form=def lang=lang /> }.into_any()
            }}
        </section>
    }
}

#[component]
fn TotalsTables(totals: Totals, form: FormDef, lang: Signal<Lang>) -> impl IntoView {
    let supplies = form.supplies.clone().unwrap_or_default();
    let item_question = form.question(&supplies.item).cloned();
    let status_question = form.question(&supplies.status).cloned();
    // The stages in the form's order; a form without a status has one column.
    let stages: Vec<(String, gather_doc::form::Bilingual)> = status_question
        .as_ref()
        .map(|q| {
            q.options
                .iter()
                .map(|c| (c.value.clone(), c.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    let table = move |rows: Vec<Quantities>, with_place: bool, testid: &'static str| {
        let lang_now = lang.get_untracked();
        let head = stages
            .iter()
            .map(|(_, label)| {
                let label = label.clone();
                view! { <th class="num">{move || label.get(code(lang.get())).to_owned()}</th> }
            })
            .collect_view();
        let body = rows
            .into_iter()
            .map(|q| {
                let cells = stages
                    .iter()
                    .map(|(value, _)| {
                        let n = q.by_status.get(value).copied().unwrap_or_default();
                        view! { <td class="num">{amount(n)}</td> }
                    })
                    .collect_view();
                let item = item_label(item_question.as_ref(), &q.item, lang_now);
                view! {
                    <tr data-testid="totals-row">
                        {with_place.then(|| view! { <td>{q.place.clone()}</td> })}
                        <td>{item}</td>
                        {cells}
                        <td class="num total">{amount(q.total)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="responses-scroll">
                <table class="roster-table totals-table" data-testid=testid>
                    <thead>
                        <tr>
                            {with_place.then(|| view! { <th>{move || words(lang.get(), "医院", "Hospital")}</th> })}
                            <th>{move || words(lang.get(), "物资", "Item")}</th>
                            {head}
                            <th class="num">{move || words(lang.get(), "合计", "Total")}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
    };
    let count = totals.responses;
    let has_places = !totals.places.is_empty();
    let mut places = totals.places.clone();
    places.sort_by(|a, b| a.place.cmp(&b.place));
    view! {
        <p class="hint" data-testid="totals-count">
            {move || match lang.get() {
                Lang::Zh => format!("共 {count} 条登记"),
                Lang::En => format!("{count} entries"),
            }}
        </p>
        <h2>{move || words(lang.get(), "按物资", "By item")}</h2>
        {table.clone()(totals.items.clone(), false, "totals-items")}
        {has_places.then(|| view! {
            <h2>{move || words(lang.get(), "按医院", "By hospital")}</h2>
            {table(places, true, "totals-places")}
        })}
    }
}
