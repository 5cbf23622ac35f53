//! The day view: by 9:30, who has reported and who has not, per group, with a reminder to paste
//! into each class chat, and the answers that need attention (a fever, symptoms, contact with a
//! case). It refreshes itself while open.

use gather_doc::form::display::{format_time, CST_OFFSET_MINUTES};
use gather_doc::form::Bilingual;
use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::Value;

use super::text::{cleared_by, reminder, text, Text};
use super::{by_group, csv_field, save_csv, HasGroup};
use crate::api;
use crate::i18n::Lang;

/// How often the open day view asks again (ms).
const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct DayView {
    pub date: String,
    #[serde(default)]
    pub roster: usize,
    #[serde(default)]
    pub reported: Vec<DayPerson>,
    #[serde(default)]
    pub missing: Vec<DayPerson>,
    #[serde(default)]
    pub others: usize,
    #[serde(default)]
    pub alerts: Vec<DayAlert>,
    #[serde(default)]
    pub groups: Vec<GroupCount>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct DayPerson {
    pub person_id: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub submitted_at: Option<i64>,
}

impl HasGroup for DayPerson {
    fn group(&self) -> &str {
        &self.group
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct DayAlert {
    pub response_id: i64,
    pub rule: usize,
    /// Who saw to it, and when.
    #[serde(default)]
    pub cleared: Option<Cleared>,
    #[serde(default)]
    pub person_id: Option<String>,
    pub receipt: String,
    pub question_id: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default)]
    pub label: Bilingual,
    #[serde(default)]
    pub submitted_at: i64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Cleared {
    pub by: String,
    pub at: i64,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct GroupCount {
    pub group: String,
    pub total: usize,
    pub reported: usize,
    pub missing: usize,
    pub alerts: usize,
}

/// Today in China Standard Time.
fn today() -> String {
    gather_doc::form::FormDef::default().day_of(js_sys::Date::now() as i64)
}

#[component]
pub fn DayPanel(
    id: DocId,
    token: String,
    title: Signal<String>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let date = RwSignal::new(today());
    let view_data = RwSignal::new(None::<DayView>);
    let failure = RwSignal::new(false);
    let clear_base = format!("/api/forms/{id}/responses");
    let clear_token = token.clone();
    let load = move || {
        let path = format!("/api/forms/{id}/days/{}", date.get_untracked());
        let token = token.clone();
        spawn_local(async move {
            match api::call("GET", &path, Some(&token), None).await {
                Ok(value) => {
                    failure.set(false);
                    view_data.set(serde_json::from_value(value).ok());
                }
                Err(_) => failure.set(true),
            }
        });
    };
    Effect::new({
        let load = load.clone();
        move |_| {
            date.track();
            load();
        }
    });
    if let Ok(handle) = set_interval_with_handle(
        {
            let load = load.clone();
            move || {
                if !document().hidden() {
                    load()
                }
            }
        },
        REFRESH_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let on_clear = {
        let load = load.clone();
        Callback::new(move |(response, rule): (i64, usize)| {
            let path = format!("{clear_base}/{response}/alerts/{rule}/clear");
            let (token, load) = (clear_token.clone(), load.clone());
            spawn_local(async move {
                match api::call("POST", &path, Some(&token), None).await {
                    Ok(_) => load(),
                    Err(_) => failure.set(true),
                }
            });
        })
    };
    let export_missing = move |_| {
        let Some(day) = view_data.get_untracked() else {
            return;
        };
        let mut csv = String::from("\u{feff}id,name,group\r\n");
        for p in &day.missing {
            let fields = [&p.person_id, &p.name, &p.group].map(|f| csv_field(f));
            csv.push_str(&fields.join(","));
            csv.push_str("\r\n");
        }
        let name = format!(
            "{}-{}-{}.csv",
            title.get_untracked(),
            day.date,
            text(lang.get_untracked(), Text::MissingFileSuffix)
        );
        save_csv(&csv, &name);
    };
    view! {
        <section class="day" data-testid="day-panel">
            <div class="day-bar">
                <label>
                    <span>{move || text(lang.get(), Text::Day)}</span>
                    <input
                        type="date"
                        data-testid="day-date"
                        prop:value=move || date.get()
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if !value.is_empty() {
                                date.set(value);
                            }
                        }
                    />
                </label>
                <button class="secondary" on:click={
                    let load = load.clone();
                    move |_| load()
                }>{move || text(lang.get(), Text::Refresh)}</button>
                <button class="secondary" data-testid="export-missing" on:click=export_missing>
                    {move || text(lang.get(), Text::ExportMissing)}
                </button>
            </div>
            <Show when=move || failure.get()>
                <p class="notice" role="alert">{move || text(lang.get(), Text::LoadFailed)}</p>
            </Show>
            {move || match view_data.get() {
                None => view! { <p class="hint">{move || text(lang.get(), Text::Loading)}</p> }.into_any(),
                Some(day) if day.roster == 0 => view! {
                    <p class="hint" data-testid="day-no-roster">{move || text(lang.get(), Text::NoRosterForDay)}</p>
                }
                .into_any(),
                Some(day) => view! { <DayDetail day=day title=title lang=lang on_clear=on_clear /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DayDetail(
    day: DayView,
    title: Signal<String>,
    lang: Signal<Lang>,
    on_clear: Callback<(i64, usize)>,
) -> impl IntoView {
    let (reported, missing) = (day.reported.len(), day.missing.len());
    let any_alerts = !day.alerts.is_empty();
    // Responses with an alert nobody has seen to yet.
    let attention = day
        .alerts
        .iter()
        .filter(|a| a.cleared.is_none())
        .map(|a| a.response_id)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let names: std::collections::HashMap<String, (String, String)> = day
        .reported
        .iter()
        .chain(&day.missing)
        .map(|p| (p.person_id.clone(), (p.name.clone(), p.group.clone())))
        .collect();
    let alerts = day
        .alerts
        .iter()
        .map(|a| {
            let (name, group) = a
                .person_id
                .as_ref()
                .and_then(|p| names.get(p).cloned())
                .unwrap_or_else(|| (a.receipt.clone(), String::new()));
            let value = match &a.value {
                Value::String(s) => s.clone(),
                Value::Bool(true) => "✓".into(),
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                other => other.to_string(),
            };
            let label = a.label.clone();
            let time = format_time(a.submitted_at, CST_OFFSET_MINUTES);
            let (response, rule) = (a.response_id, a.rule);
            let handled = a.cleared.clone().map(|c| {
                let at = format_time(c.at, CST_OFFSET_MINUTES)[11..16].to_owned();
                view! {
                    <span class="hint" data-testid="alert-cleared">
                        {move || cleared_by(lang.get(), &c.by, &at)}
                    </span>
                }
            });
            let open = handled.is_none();
            view! {
                <li class="alert-item" class:cleared=!open data-testid="day-alert">
                    <strong>{name}</strong>
                    <span class="hint">{group}</span>
                    <span class="alert-label">{move || label.get(lang.get().form_code()).to_owned()}</span>
                    <span class="alert-value">{value}</span>
                    <span class="hint">{time[11..16].to_owned()}</span>
                    {handled}
                    {open.then(|| view! {
                        <button class="secondary clear-alert" data-testid="clear-alert" on:click=move |_| on_clear.run((response, rule))>
                            {move || text(lang.get(), Text::MarkHandled)}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    let date = day.date.clone();
    let groups = day.groups.clone();
    let missing_by_group = by_group(day.missing.clone());
    let group_views = groups
        .into_iter()
        .map(|g| {
            let names: Vec<String> = missing_by_group
                .iter()
                .find(|(group, _)| *group == g.group)
                .map(|(_, people)| people.iter().map(|p| p.name.clone()).collect())
                .unwrap_or_default();
            let copied = RwSignal::new(false);
            let message = {
                let (names, group, date) = (names.clone(), g.group.clone(), date.clone());
                move || reminder(lang.get_untracked(), &title.get_untracked(), &date, &group, &names)
            };
            let copy = move |_| {
                let message = message();
                spawn_local(async move { copied.set(api::copy_to_clipboard(&message).await) });
            };
            let complete = names.is_empty();
            let chips = names
                .into_iter()
                .map(|n| view! { <li class="chip" data-testid="missing-name">{n}</li> })
                .collect_view();
            view! {
                <div class="day-group" data-testid="day-group" class:complete=complete>
                    <div class="day-group-head">
                        <h3>{g.group.clone()}</h3>
                        <span class="day-group-count">{format!("{}/{}", g.reported, g.total)}</span>
                        {(g.alerts > 0).then(|| view! { <span class="badge alert-badge">{format!("⚠ {}", g.alerts)}</span> })}
                    </div>
                    {if complete {
                        view! { <p class="hint">{move || text(lang.get(), Text::NothingMissing)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="chips">{chips}</ul>
                            <button class="secondary" data-testid="copy-reminder" on:click=copy>
                                {move || text(lang.get(), if copied.get() { Text::Copied } else { Text::CopyReminder })}
                            </button>
                        }
                        .into_any()
                    }}
                </div>
            }
        })
        .collect_view();
    let others = day.others;
    view! {
        <div class="day-stats" data-testid="day-stats">
            <div class="stat"><span class="stat-number" data-testid="day-reported">{reported}</span><span>{move || text(lang.get(), Text::Reported)}</span></div>
            <div class="stat" class:warn=missing != 0><span class="stat-number" data-testid="day-missing">{missing}</span><span>{move || text(lang.get(), Text::Missing)}</span></div>
            <div class="stat" class:danger=attention != 0><span class="stat-number" data-testid="day-attention">{attention}</span><span>{move || text(lang.get(), Text::Attention)}</span></div>
        </div>
        {(others > 0).then(|| view! { <p class="hint">{move || format!("+{others} {}", text(lang.get(), Text::Others))}</p> })}
        <h2>{move || text(lang.get(), Text::Attention)}</h2>
        {if any_alerts {
            view! { <ul class="alert-list" data-testid="alert-list">{alerts}</ul> }.into_any()
        } else {
            view! { <p class="hint">{move || text(lang.get(), Text::NoAttention)}</p> }.into_any()
        }}
        <h2>{move || text(lang.get(), Text::Missing)}</h2>
        <div class="day-groups">{group_views}</div>
    }
}
