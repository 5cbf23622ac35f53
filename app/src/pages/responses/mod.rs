//! The responses view of a form, for owners and editors: a live table of every response (new
//! ones appear without reloading), sorting, filters (search, date range, a question's answer),
//! a per-question summary, CSV export, and each response's history and deletion. Owners may
//! show full ID and phone numbers, which the server records in the activity log.

mod charts;
mod correct;
mod data;
mod history;
mod live;
mod photo;
mod retention;
mod summary;
mod table;
mod text;

#[cfg(test)]
mod tests;

use gather_doc::form::Question;
use gather_doc::{DocId, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::Lang;
use charts::ResponsesCharts;
use correct::{CorrectDialog, CorrectTarget};
use data::{answerable, choices, rows, sort_rows, star_counts, Filter, Sort};
use history::HistoryDialog;
use live::{Live, Range, POLL_EVERY};
use photo::{PhotoDialog, PhotoTarget};
use retention::RetentionSetting;
use summary::ResponsesSummary;
use table::ResponsesTable;
use text::{code, count_text, error_text, stars_text, text, Text};

/// The live responses table of form `id`, read with `token` (an owner's or editor's link).
#[component]
pub fn ResponsesPanel(
    id: DocId,
    token: String,
    /// The link's role; owners may reveal ID and phone numbers.
    role: Signal<Option<Role>>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let live = Live::new(id, token);
    let filter = RwSignal::new(Filter::default());
    let sort = RwSignal::new(Sort::default());
    let history = RwSignal::new(None::<(i64, String)>);
    let exporting = RwSignal::new(false);
    // How far the export running now has got (0 to 1), when that can be known.
    let export_progress = RwSignal::new(None::<f64>);

    // A full load now and whenever the date range or reveal changes; then a poll every few
    // seconds while the panel is shown.
    {
        let live = live.clone();
        let range = live.range;
        Effect::new(move |_| {
            range.track();
            live.reload(true);
        });
    }
    if let Ok(handle) = set_interval_with_handle(
        {
            let live = live.clone();
            move || live.poll()
        },
        POLL_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }

    let (form, responses, range) = (live.form, live.responses, live.range);
    let questions =
        Memo::new(move |_| form.with(|f| f.as_ref().map(answerable).unwrap_or_default()));
    let all_rows = Memo::new(move |_| {
        let reveal = range.with(|r| r.reveal);
        questions.with(|qs| responses.with(|all| rows(qs, all, code(lang.get()), reveal)))
    });
    // Responses whose answers raise one of the form's alerts (a fever, symptoms, contact).
    let alerting = Memo::new(move |_| {
        form.with(|f| {
            let Some(f) = f.as_ref().filter(|f| !f.alerts.is_empty()) else {
                return std::collections::HashSet::new();
            };
            responses.with(|all| {
                all.values()
                    .filter(|r| {
                        !gather_doc::form::alerts::alerts_of(f, |id| r.answers.get(id)).is_empty()
                    })
                    .map(|r| r.id)
                    .collect()
            })
        })
    });
    let shown = Memo::new(move |_| {
        let qs = questions.get();
        let mut list = filter.with(|f| f.apply(all_rows.get(), &qs, code(lang.get())));
        sort_rows(&mut list, &qs, &sort.get());
        list
    });
    let count = move || count_text(lang.get(), shown.with(Vec::len), all_rows.with(Vec::len));

    let on_delete = Callback::new({
        let live = live.clone();
        move |response_id: i64| {
            let question = text(lang.get_untracked(), Text::ConfirmDelete);
            if window().confirm_with_message(question).unwrap_or(false) {
                live.delete(response_id);
            }
        }
    });
    let on_history = Callback::new(move |target: (i64, String)| history.set(Some(target)));
    let photo = RwSignal::new(None::<PhotoTarget>);
    let on_photo = Callback::new(move |target: PhotoTarget| photo.set(Some(target)));
    // A supply register's status moves from the table.
    let status_question = Signal::derive(move || {
        form.with(|f| {
            f.as_ref()
                .and_then(|f| f.supplies.as_ref())
                .map(|s| s.status.clone())
                .filter(|s| !s.is_empty())
        })
    });
    let on_status = {
        let live = live.clone();
        Callback::new(move |(response_id, status): (i64, String)| {
            let live = live.clone();
            spawn_local(async move {
                if let Err(e) = live.move_along(response_id, &status).await {
                    live.failure.set(Some(e.code));
                }
            });
        })
    };
    let retention_live = StoredValue::new(live.clone());
    let correcting = RwSignal::new(None::<CorrectTarget>);
    let on_correct = Callback::new(move |target: CorrectTarget| correcting.set(Some(target)));
    let export = {
        let live = live.clone();
        move |format: &'static str| {
            if exporting.get_untracked() {
                return;
            }
            let lang = lang.get_untracked();
            let title =
                form.with_untracked(|f| f.as_ref().map(|f| f.title.get(code(lang)).to_owned()));
            let filename = file_name(title.as_deref(), lang, format);
            let search = filter.with_untracked(|f| f.search.clone());
            let live = live.clone();
            exporting.set(true);
            export_progress.set(None);
            spawn_local(async move {
                let on_progress = move |p: crate::api::Progress| export_progress.set(p.fraction());
                let saved = live
                    .export(format, &search, code(lang), &filename, on_progress)
                    .await;
                if let Err(e) = saved {
                    live.failure.set(Some(e.code));
                }
                exporting.set(false);
            });
        }
    };
    let is_owner = move || role.get() == Some(Role::Owner);
    let (loaded, failure, offline) = (live.loaded, live.failure, live.offline);

    view! {
        <section class="responses" data-testid="responses">
            <div class="responses-bar">
                <p class="responses-count" data-testid="responses-count" data-count=move || shown.with(Vec::len)>
                    {count}
                </p>
                <span class="badge" data-state=move || if offline.get() { "offline" } else { "online" }>
                    {move || text(lang.get(), if offline.get() { Text::Offline } else { Text::Live })}
                </span>
                <button
                    class="primary export"
                    data-testid="export-csv"
                    title=move || text(lang.get(), Text::ExportHint)
                    disabled=move || exporting.get()
                    on:click={
                        let export = export.clone();
                        move |_| export("csv")
                    }
                >
                    {move || text(lang.get(), if exporting.get() { Text::Exporting } else { Text::ExportCsv })}
                </button>
                <button
                    class="export"
                    data-testid="export-xlsx"
                    title=move || text(lang.get(), Text::ExportHint)
                    disabled=move || exporting.get()
                    on:click=move |_| export("xlsx")
                >
                    {move || text(lang.get(), Text::ExportXlsx)}
                </button>
            </div>
            <Show when=move || exporting.get()>
                <div class="export-progress" role="status" data-testid="export-progress">
                    <span>
                        {move || match export_progress.get() {
                            Some(f) => format!("{} {}%", text(lang.get(), Text::Exporting), (f * 100.0).floor()),
                            None => text(lang.get(), Text::Exporting).to_owned(),
                        }}
                    </span>
                    <progress max="1" value=move || export_progress.get()></progress>
                </div>
            </Show>
            <Filters filter=filter range=range questions=questions.into() lang=lang />
            <Show when=is_owner>
                <label class="responses-reveal">
                    <input
                        type="checkbox"
                        data-testid="reveal-numbers"
                        prop:checked=move || range.with(|r| r.reveal)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            range.update(|r| r.reveal = on);
                        }
                    />
                    <span>{move || text(lang.get(), Text::Reveal)}</span>
                    <span class="hint">{move || text(lang.get(), Text::RevealNote)}</span>
                </label>
                <RetentionSetting live=retention_live.get_value() lang=lang />
            </Show>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert" data-testid="responses-error">
                    {move || failure.get().map(|c| error_text(lang.get(), &c))}
                </p>
            </Show>
            <Show
                when=move || loaded.get()
                fallback=move || view! { <p class="hint">{move || text(lang.get(), Text::Loading)}</p> }
            >
                <ResponsesTable
                    questions=questions.into()
                    rows=shown.into()
                    sort=sort
                    lang=lang
                    on_history=on_history
                    on_delete=on_delete
                    on_photo=on_photo
                    on_correct=on_correct
                    alerting=alerting.into()
                    status_question=status_question
                    on_status=on_status
                />
                <Show when=move || shown.with(Vec::is_empty)>
                    <p class="hint responses-empty" data-testid="responses-empty">
                        {move || {
                            let dated = range.with(|r| !r.from.is_empty() || !r.to.is_empty());
                            let nothing = all_rows.with(Vec::is_empty) && !dated;
                            let key = if nothing { Text::NoResponses } else { Text::NoMatches };
                            text(lang.get(), key)
                        }}
                    </p>
                </Show>
                <ResponsesSummary questions=questions.into() rows=shown.into() lang=lang />
                <ResponsesCharts questions=questions.into() rows=shown.into() alerting=alerting.into() lang=lang />
            </Show>
            {
                let live = live.clone();
                move || history.get().map(|(response_id, receipt)| view! {
                    <HistoryDialog
                        live=live.clone()
                        response_id=response_id
                        receipt=receipt
                        questions=questions.get_untracked()
                        current=responses.with_untracked(|all| {
                            all.get(&response_id).map(|r| r.answers.clone()).unwrap_or_default()
                        })
                        lang=lang
                        on_close=Callback::new(move |()| history.set(None))
                    />
                })
            }
            {
                let live = live.clone();
                move || {
                    let target = correcting.get()?;
                    let form = form.get_untracked()?;
                    Some(view! {
                        <CorrectDialog
                            live=live.clone()
                            form=std::sync::Arc::new(form)
                            target=target
                            lang=lang
                            on_close=Callback::new(move |()| correcting.set(None))
                        />
                    })
                }
            }
            {
                let live = live.clone();
                move || photo.get().map(|target| view! {
                    <PhotoDialog
                        live=live.clone()
                        target=target
                        lang=lang
                        on_close=Callback::new(move |()| photo.set(None))
                    />
                })
            }
        </section>
    }
}

/// The search box, date range and question + answer picker.
#[component]
fn Filters(
    filter: RwSignal<Filter>,
    range: RwSignal<Range>,
    questions: Signal<Vec<Question>>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let picked = move || {
        let id = filter.with(|f| f.question.clone());
        questions.with(|qs| qs.iter().find(|q| q.id == id).cloned())
    };
    let answer_picker = move || {
        let lang = lang.get();
        let q = picked()?;
        let yes_no = (text(lang, Text::Yes), text(lang, Text::No));
        let options = choices(&q, code(lang), yes_no).or_else(|| {
            star_counts(&q).map(|s| s.map(|n| (n.to_string(), stars_text(lang, n))).collect())
        });
        let set = move |ev| filter.update(|f| f.answer = event_target_value(&ev));
        Some(match options {
            Some(options) => view! {
                <select data-testid="filter-answer" on:change=set>
                    <option value="">{text(lang, Text::AnyAnswer)}</option>
                    {options.into_iter().map(|(value, label)| {
                        let chosen = {
                            let value = value.clone();
                            move || filter.with(|f| f.answer == value)
                        };
                        view! { <option value=value prop:selected=chosen>{label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any(),
            None => view! {
                <input
                    type="search"
                    data-testid="filter-answer"
                    placeholder=text(lang, Text::ContainsPlaceholder)
                    prop:value=move || filter.with(|f| f.answer.clone())
                    on:input=set
                />
            }
            .into_any(),
        })
    };
    let filtering = move || {
        filter.with(Filter::is_active) || range.with(|r| !r.from.is_empty() || !r.to.is_empty())
    };
    let date = move |from: bool| {
        move |ev| {
            let value = event_target_value(&ev);
            range.update(|r| *(if from { &mut r.from } else { &mut r.to }) = value);
        }
    };
    view! {
        <div class="responses-controls">
            <label class="grow">
                <span>{move || text(lang.get(), Text::Search)}</span>
                <input
                    type="search"
                    data-testid="responses-search"
                    placeholder=move || text(lang.get(), Text::SearchPlaceholder)
                    prop:value=move || filter.with(|f| f.search.clone())
                    on:input=move |ev| filter.update(|f| f.search = event_target_value(&ev))
                />
            </label>
            <label class="date">
                <span>{move || text(lang.get(), Text::From)}</span>
                <input type="date" data-testid="responses-from"
                    prop:value=move || range.with(|r| r.from.clone()) on:change=date(true) />
            </label>
            <label class="date">
                <span>{move || text(lang.get(), Text::To)}</span>
                <input type="date" data-testid="responses-to"
                    prop:value=move || range.with(|r| r.to.clone()) on:change=date(false) />
            </label>
            <label>
                <span>{move || text(lang.get(), Text::FilterQuestion)}</span>
                <select
                    data-testid="filter-question"
                    on:change=move |ev| filter.update(|f| {
                        f.question = event_target_value(&ev);
                        f.answer.clear();
                    })
                >
                    <option value="">{move || text(lang.get(), Text::NoQuestionFilter)}</option>
                    {move || {
                        let lang = lang.get();
                        questions.get().into_iter().map(|q| {
                            let id = q.id.clone();
                            let chosen = move || filter.with(|f| f.question == id);
                            view! {
                                <option value=q.id.clone() prop:selected=chosen>
                                    {q.label.get(code(lang)).to_owned()}
                                </option>
                            }
                        }).collect_view()
                    }}
                </select>
            </label>
            <Show when=move || picked().is_some()>
                <label>
                    <span>{move || text(lang.get(), Text::Answer)}</span>
                    {answer_picker}
                </label>
            </Show>
            <Show when=filtering>
                <button class="clear-filters" data-testid="clear-filters" on:click=move |_| {
                    filter.set(Filter::default());
                    if range.with_untracked(|r| !r.from.is_empty() || !r.to.is_empty()) {
                        range.update(|r| {
                            r.from.clear();
                            r.to.clear();
                        });
                    }
                }>
                    {move || text(lang.get(), Text::ClearFilters)}
                </button>
            </Show>
        </div>
    }
}

/// `{title}-responses.csv`, without characters file systems refuse.
fn file_name(title: Option<&str>, lang: Lang, ext: &str) -> String {
    let cleaned: String = title
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_control() || r#"\/:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim();
    let title = if cleaned.is_empty() {
        text(lang, Text::UntitledForm)
    } else {
        cleaned
    };
    format!("{title}-{}.{ext}", text(lang, Text::ExportFileSuffix))
}
