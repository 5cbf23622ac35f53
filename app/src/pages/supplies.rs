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

/// What a hospital asked for against what donors gave, from the linked request form.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
struct Need {
    place: String,
    item: String,
    needed: f64,
    #[serde(default)]
    by_status: BTreeMap<String, f64>,
    donated: f64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
struct Totals {
    #[serde(default)]
    needs: Option<Vec<Need>>,
    #[serde(default)]
    items: Vec<Quantities>,
    #[serde(default)]
    places: Vec<Quantities>,
    #[serde(default)]
    responses: usize,
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
        .map_or(value.to_owned(), |c| {
            c.label.get(lang.form_code()).to_owned()
        });
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
    let link_path = format!("/api/forms/{id}/requests");
    let link_token = token.clone();
    let link_failure = RwSignal::new(false);
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
    // Pasting the request form's editor or owner link links it.
    let on_link = {
        let load = load.clone();
        move |ev: web_sys::Event| {
            let pasted = event_target_value(&ev);
            // The link carries a secret token: it does not stay on the screen.
            if let Some(input) = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            {
                input.set_value("");
            }
            let Some((form_id, form_token)) = parse_link(&pasted) else {
                link_failure.set(true);
                return;
            };
            let (path, token, load) = (link_path.clone(), link_token.clone(), load.clone());
            spawn_local(async move {
                let body = serde_json::json!({ "form": form_id, "token": form_token });
                match api::call("PUT", &path, Some(&token), Some(body)).await {
                    Ok(_) => {
                        link_failure.set(false);
                        load();
                    }
                    Err(_) => link_failure.set(true),
                }
            });
        }
    };
    view! {
        <section class="totals" data-testid="totals-panel">
            <div class="day-bar">
                <button class="secondary" on:click={
                    let load = load.clone();
                    move |_| load()
                }>{move || words(lang.get(), "刷新", "Refresh")}</button>
            </div>
            <label class="link-requests">
                <span>{move || words(lang.get(), "关联医院需求表（粘贴需求表的编辑或所有者链接）", "Link the hospitals' request form (paste its editor or owner link)")}</span>
                <input data-testid="link-requests" placeholder="https://…/d/…#t=…" on:change=on_link />
            </label>
            <Show when=move || totals.with(|t| t.as_ref().is_some_and(|t| t.needs.is_some()))>
                <p class="hint" data-testid="requests-linked">
                    {move || words(lang.get(), "已关联医院需求表。", "The hospitals' request form is linked.")}
                </p>
            </Show>
            <Show when=move || link_failure.get()>
                <p class="notice" role="alert">
                    {move || words(lang.get(), "无法关联：请粘贴需求表的编辑或所有者链接。", "Could not link it: paste the request form's editor or owner link.")}
                </p>
            </Show>
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
                view! { <th class="num">{move || label.get(lang.get().form_code()).to_owned()}</th> }
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
    let needs = totals.needs.clone().map(|needs| {
        let lang_now = lang.get_untracked();
        let received = |n: &Need| {
            ["received", "distributed"]
                .iter()
                .filter_map(|s| n.by_status.get(*s))
                .sum::<f64>()
        };
        let rows = needs
            .into_iter()
            .map(|n| {
                let short = (n.needed - n.donated).max(0.0);
                let item = item_label(form.question(&supplies.item), &n.item, lang_now);
                let got = received(&n);
                let is_short = short > 0.0;
                view! {
                    <tr data-testid="needs-row" class:short=is_short>
                        <td>{n.place.clone()}</td>
                        <td>{item}</td>
                        <td class="num">{amount(n.needed)}</td>
                        <td class="num">{amount(n.donated)}</td>
                        <td class="num">{amount(got)}</td>
                        <td class="num total">{amount(short)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h2>{move || words(lang.get(), "需求与捐赠", "Needed and donated")}</h2>
            <div class="responses-scroll">
                <table class="roster-table totals-table" data-testid="needs">
                    <thead>
                        <tr>
                            <th>{move || words(lang.get(), "医院", "Hospital")}</th>
                            <th>{move || words(lang.get(), "物资", "Item")}</th>
                            <th class="num">{move || words(lang.get(), "需求", "Needed")}</th>
                            <th class="num">{move || words(lang.get(), "已捐", "Donated")}</th>
                            <th class="num">{move || words(lang.get(), "已到", "Arrived")}</th>
                            <th class="num">{move || words(lang.get(), "缺口", "Still short")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
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
        {needs}
        <h2>{move || words(lang.get(), "按物资", "By item")}</h2>
        {table.clone()(totals.items.clone(), false, "totals-items")}
        {has_places.then(|| view! {
            <h2>{move || words(lang.get(), "按医院", "By hospital")}</h2>
            {table(places, true, "totals-places")}
        })}
    }
}

/// The form id and token of a pasted document link (`…/d/{id}#t={token}`).
fn parse_link(link: &str) -> Option<(String, String)> {
    let rest = link.trim().split("/d/").nth(1)?;
    let (id, fragment) = rest.split_once('#')?;
    let token = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("t="))?;
    (!id.is_empty() && !token.is_empty()).then(|| (id.to_owned(), token.to_owned()))
}
