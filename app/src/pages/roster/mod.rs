//! The roster tab and the day view of a form, for its owners and editors.
//!
//! - [`RosterPanel`]: upload a roster (CSV), see who is on it with each person's personal link,
//!   copy a link, download them all, print them by group.
//! - [`day::DayPanel`]: for one day, who has reported and who has not, per group, with a
//!   reminder to paste into the class chat, and the answers that need attention.

pub mod day;
mod qr;
mod text;

use gather_doc::DocId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api;
use crate::i18n::Lang;
use text::{line_error, text, Text};

/// One person on the roster and their personal link.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Entry {
    pub person_id: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[component]
pub fn RosterPanel(
    id: DocId,
    token: String,
    /// The form's title, for file names.
    title: Signal<String>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let path = format!("/api/forms/{id}/roster");
    let entries = RwSignal::new(None::<Vec<Entry>>);
    let problems = RwSignal::new(Vec::<(u64, String, String)>::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(false);
    {
        let (path, token) = (path.clone(), token.clone());
        spawn_local(async move {
            match api::call("GET", &path, Some(&token), None).await {
                Ok(list) => entries.set(Some(serde_json::from_value(list).unwrap_or_default())),
                Err(_) => failure.set(true),
            }
        });
    }
    // Adding or removing one person sends the whole roster again: people kept keep their links.
    let resend = {
        let (path, token) = (path.clone(), token.clone());
        move |people: Vec<Entry>| {
            let (path, token) = (path.clone(), token.clone());
            busy.set(true);
            problems.set(Vec::new());
            spawn_local(async move {
                let csv = roster_csv(&people);
                match api::send_text("PUT", &path, &token, &csv, "text/csv; charset=utf-8").await {
                    Ok(list) => entries.set(Some(serde_json::from_value(list).unwrap_or_default())),
                    Err(e) if e.code == "invalid_roster" => problems.set(roster_problems(&e.body)),
                    Err(_) => failure.set(true),
                }
                busy.set(false);
            });
        }
    };
    let on_remove = {
        let resend = resend.clone();
        Callback::new(move |person: String| {
            let question = text(lang.get_untracked(), Text::ConfirmRemove);
            if !window().confirm_with_message(question).unwrap_or(false) {
                return;
            }
            let mut people = entries.get_untracked().unwrap_or_default();
            people.retain(|p| p.person_id != person);
            resend(people);
        })
    };
    let on_add = Callback::new(move |person: Entry| {
        let mut people = entries.get_untracked().unwrap_or_default();
        people.push(person);
        resend(people);
    });
    let on_file = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let (path, token) = (path.clone(), token.clone());
        busy.set(true);
        problems.set(Vec::new());
        failure.set(false);
        spawn_local(async move {
            // A workbook goes as it is (the server reads its first sheet); CSV as text.
            let sent = if file.name().to_lowercase().ends_with(".xlsx") {
                api::send_blob("PUT", &path, &token, &file).await
            } else {
                let read = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                let Some(csv) = read else {
                    failure.set(true);
                    busy.set(false);
                    return;
                };
                api::send_text("PUT", &path, &token, &csv, "text/csv; charset=utf-8").await
            };
            match sent {
                Ok(list) => entries.set(Some(serde_json::from_value(list).unwrap_or_default())),
                Err(e) if e.code == "invalid_roster" => problems.set(roster_problems(&e.body)),
                Err(_) => failure.set(true),
            }
            busy.set(false);
        });
    };
    let download = move |_| {
        let list = entries.get_untracked().unwrap_or_default();
        let name = format!(
            "{}-{}.csv",
            title.get_untracked(),
            text(lang.get_untracked(), Text::LinksFileSuffix)
        );
        save_csv(&links_csv(&list, &origin()), &name);
    };
    let has_roster = move || entries.with(|e| e.as_ref().is_some_and(|e| !e.is_empty()));
    view! {
        <section class="roster" data-testid="roster-panel">
            <Show when=move || !has_roster()>
                <p class="hint" data-testid="no-roster">{move || text(lang.get(), Text::NoRoster)}</p>
            </Show>
            <p class="hint">{move || text(lang.get(), Text::RosterFormat)}</p>
            <div class="roster-actions">
                <label class="button photo-pick primary">
                    <input
                        type="file"
                        class="visually-hidden"
                        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        data-testid="roster-file"
                        disabled=move || busy.get()
                        on:change=on_file
                    />
                    <span>
                        {move || {
                            let key = match (busy.get(), has_roster()) {
                                (true, _) => Text::Uploading,
                                (false, true) => Text::Replace,
                                (false, false) => Text::Upload,
                            };
                            text(lang.get(), key)
                        }}
                    </span>
                </label>
                <Show when=has_roster>
                    <button class="secondary" data-testid="roster-download" on:click=download>
                        {move || text(lang.get(), Text::DownloadLinks)}
                    </button>
                    <button class="secondary" on:click=move |_| { let _ = window().print(); }>
                        {move || text(lang.get(), Text::Print)}
                    </button>
                </Show>
            </div>
            <Show when=move || failure.get()>
                <p class="notice" role="alert">{move || text(lang.get(), Text::LoadFailed)}</p>
            </Show>
            <Show when=move || problems.with(|p| !p.is_empty())>
                <div class="notice" role="alert" data-testid="roster-errors">
                    <p>{move || text(lang.get(), Text::RosterFailed)}</p>
                    <ul>
                        {move || problems.get().into_iter().map(|(line, zh, en)| {
                            view! { <li>{line_error(lang.get(), line, &zh, &en)}</li> }
                        }).collect_view()}
                    </ul>
                </div>
            </Show>
            <Show when=has_roster>
                <AddPerson lang=lang on_add=on_add busy=busy.into() />
            </Show>
            {move || entries.get().filter(|e| !e.is_empty()).map(|list| view! {
                <RosterList entries=list lang=lang on_remove=on_remove />
            })}
        </section>
    }
}

/// The people on the roster by group, each with their personal link to copy.
#[component]
fn RosterList(
    entries: Vec<Entry>,
    lang: Signal<Lang>,
    on_remove: Callback<String>,
) -> impl IntoView {
    let total = entries.len();
    let origin = origin();
    let groups = by_group(entries)
        .into_iter()
        .map(|(group, people)| {
            let count = people.len();
            let rows = people
                .into_iter()
                .map(|p| {
                    let link = p.url.map(|u| format!("{origin}{u}")).unwrap_or_default();
                    let copied = RwSignal::new(false);
                    let copy = {
                        let link = link.clone();
                        move |_| {
                            let link = link.clone();
                            spawn_local(async move { copied.set(api::copy_to_clipboard(&link).await) });
                        }
                    };
                    let qr_label = format!("{} QR", p.name);
                    let person = p.person_id.clone();
                    view! {
                        <tr data-testid="roster-person">
                            <td class="qr-cell"><qr::LinkQr link=link.clone() label=qr_label /></td>
                            <td>{p.name}</td>
                            <td class="mono">{p.person_id}</td>
                            <td class="roster-link">
                                <span class="mono link-text" data-testid="personal-link">{link}</span>
                                <button class="copy-link" on:click=copy>
                                    {move || text(lang.get(), if copied.get() { Text::Copied } else { Text::Copy })}
                                </button>
                                <button class="copy-link remove-person" data-testid="remove-person"
                                    on:click=move |_| on_remove.run(person.clone())>
                                    {move || text(lang.get(), Text::Remove)}
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h3 class="roster-group">{format!("{group} · {count}")}</h3>
                <div class="responses-scroll">
                    <table class="roster-table">
                        <thead>
                            <tr>
                                <th>"QR"</th>
                                <th>{move || text(lang.get(), Text::Name)}</th>
                                <th>{move || text(lang.get(), Text::Id)}</th>
                                <th>{move || text(lang.get(), Text::Link)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="roster-print" data-testid="roster-list">
            <p class="roster-count" data-testid="roster-count">
                {move || format!("{total} {}", text(lang.get(), Text::People))}
            </p>
            {groups}
        </div>
    }
}

/// A line for one more person: id, name, group.
#[component]
fn AddPerson(lang: Signal<Lang>, on_add: Callback<Entry>, busy: Signal<bool>) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let field = move |value: RwSignal<String>, key: Text, testid: &'static str| {
        view! {
            <label>
                <span>{move || text(lang.get(), key)}</span>
                <input data-testid=testid prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <form
            class="add-person"
            on:submit=move |ev| {
                ev.prevent_default();
                if id.get_untracked().trim().is_empty() || name.get_untracked().trim().is_empty() {
                    return;
                }
                on_add.run(Entry {
                    person_id: id.get_untracked().trim().to_owned(),
                    name: name.get_untracked().trim().to_owned(),
                    group: group.get_untracked().trim().to_owned(),
                    url: None,
                });
                id.set(String::new());
                name.set(String::new());
            }
        >
            {field(id, Text::Id, "add-person-id")}
            {field(name, Text::Name, "add-person-name")}
            {field(group, Text::Group, "add-person-group")}
            <button type="submit" class="secondary" data-testid="add-person" disabled=move || busy.get()>
                {move || text(lang.get(), Text::AddPerson)}
            </button>
        </form>
    }
}

/// The roster as the CSV the server reads.
pub fn roster_csv(people: &[Entry]) -> String {
    let mut out = String::from("id,name,group\r\n");
    for p in people {
        let fields = [&p.person_id, &p.name, &p.group].map(|f| csv_field(f));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The server's complaints about a roster file: (line, zh, en).
fn roster_problems(body: &serde_json::Value) -> Vec<(u64, String, String)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let part = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                    (e["line"].as_u64().unwrap_or(0), part("zh"), part("en"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// People grouped by their group, groups in the order they first appear.
pub fn by_group<T: HasGroup>(people: Vec<T>) -> Vec<(String, Vec<T>)> {
    let mut groups: Vec<(String, Vec<T>)> = Vec::new();
    for p in people {
        match groups.iter_mut().find(|(g, _)| g == p.group()) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.group().to_owned(), vec![p])),
        }
    }
    groups
}

/// Something that belongs to a group of the roster.
pub trait HasGroup {
    fn group(&self) -> &str;
}

impl HasGroup for Entry {
    fn group(&self) -> &str {
        &self.group
    }
}

/// `https://host` of this page, to make whole links of the server's paths.
fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The roster with full links, as CSV for Excel (UTF-8 with BOM).
pub fn links_csv(entries: &[Entry], origin: &str) -> String {
    let mut out = String::from("\u{feff}id,name,group,link\r\n");
    for e in entries {
        let link = e
            .url
            .as_deref()
            .map(|u| format!("{origin}{u}"))
            .unwrap_or_default();
        let fields = [&e.person_id, &e.name, &e.group, &link].map(|f| csv_field(f));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV field, quoted when needed, with formula-looking text defused for spreadsheets.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Saves `csv` as a download named `name`.
pub fn save_csv(csv: &str, name: &str) {
    let parts = js_sys::Array::of1(&csv.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        let _ = api::save_blob(&blob, name);
    }
}

#[cfg(test)]
mod tests {
    use super::text::reminder;
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn entry(id: &str, name: &str, group: &str) -> Entry {
        Entry {
            person_id: id.into(),
            name: name.into(),
            group: group.into(),
            url: Some(format!("/f/form#t={id}")),
        }
    }

    #[wasm_bindgen_test]
    fn the_links_file_opens_in_excel_with_whole_links_and_no_formulas() {
        let csv = links_csv(
            &[
                entry("1", "李雷", "三年二班"),
                entry("2", "=HYPERLINK(\"x\")", "A, B"),
            ],
            "https://gather.example",
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "\u{feff}id,name,group,link");
        assert_eq!(
            lines[1],
            "1,李雷,三年二班,https://gather.example/f/form#t=1"
        );
        assert!(
            lines[2].starts_with("2,\"'=HYPERLINK(\"\"x\"\")\",\"A, B\","),
            "{}",
            lines[2]
        );
    }

    #[wasm_bindgen_test]
    fn people_are_grouped_in_roster_order_and_reminders_name_them() {
        let groups = by_group(vec![
            entry("1", "李雷", "三年二班"),
            entry("2", "王林", "三年三班"),
            entry("3", "韩梅梅", "三年二班"),
        ]);
        let names: Vec<(String, usize)> =
            groups.iter().map(|(g, p)| (g.clone(), p.len())).collect();
        assert_eq!(
            names,
            [("三年二班".to_owned(), 2), ("三年三班".to_owned(), 1)]
        );
        let message = reminder(
            Lang::Zh,
            "每日健康打卡",
            "2020-02-03",
            "三年二班",
            &["李雷".into(), "韩梅梅".into()],
        );
        assert_eq!(
            message,
            "【每日健康打卡】2020-02-03 三年二班以下同学尚未填写：李雷、韩梅梅。请尽快完成，谢谢！"
        );
    }
}
