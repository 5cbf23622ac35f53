//! The per-question summary of the responses shown: how many chose each option (with a bar
//! drawn as an SVG rectangle, since inline styles are not allowed) and, for numbers, the
//! smallest, largest and mean answer.

use gather_doc::form::Question;
use leptos::prelude::*;
use serde_json::Value;

use super::data::{answer_has, choices, number, star_counts, Row};
use super::text::{answered_text, code, stars_text, text, Text};
use crate::i18n::Lang;

/// What one question's answers add up to.
#[derive(Clone, Debug, PartialEq)]
pub enum Tally {
    /// (label, how many chose it) per option.
    Choices(Vec<(String, usize)>),
    Numbers {
        min: f64,
        max: f64,
        mean: f64,
    },
}

/// The tally of `q` over `rows`, with how many answered it; `None` for questions without one
/// (text, dates, …).
pub fn tally(q: &Question, rows: &[Row], lang: Lang) -> Option<(usize, Tally)> {
    let answers: Vec<_> = rows
        .iter()
        .filter_map(|r| r.answers.get(&q.id))
        .filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => true,
        })
        .collect();
    let answered = answers.len();
    let yes_no = (text(lang, Text::Yes), text(lang, Text::No));
    let options = choices(q, code(lang), yes_no).or_else(|| {
        star_counts(q).map(|stars| {
            stars
                .map(|n| (n.to_string(), stars_text(lang, n)))
                .collect()
        })
    });
    if let Some(options) = options {
        let counts = options
            .into_iter()
            .map(|(value, label)| {
                let n = answers.iter().filter(|a| answer_has(a, &value)).count();
                (label, n)
            })
            .collect();
        return Some((answered, Tally::Choices(counts)));
    }
    if q.kind != gather_doc::form::QuestionType::Number {
        return None;
    }
    let numbers: Vec<f64> = answers.iter().filter_map(|a| number(a)).collect();
    let min = numbers.iter().copied().reduce(f64::min)?;
    let max = numbers.iter().copied().reduce(f64::max)?;
    let mean = numbers.iter().sum::<f64>() / numbers.len() as f64;
    Some((answered, Tally::Numbers { min, max, mean }))
}

/// `x` with at most `places` decimals, without trailing zeros.
fn rounded(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[component]
pub fn ResponsesSummary(
    questions: Signal<Vec<Question>>,
    rows: Signal<Vec<Row>>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let tallies = move || {
        let lang = lang.get();
        rows.with(|rows| {
            questions
                .get()
                .into_iter()
                .filter_map(|q| tally(&q, rows, lang).map(|t| (q, t)))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="responses-summary" data-testid="responses-summary">
            <h2>{move || text(lang.get(), Text::Summary)}</h2>
            <p class="hint">{move || text(lang.get(), Text::SummaryNote)}</p>
            {move || {
                let lang = lang.get();
                tallies()
                    .into_iter()
                    .map(|(q, (answered, tally))| {
                        let places = q.decimals.unwrap_or(1).min(3) as usize + 1;
                        view! {
                            <article class="summary-question" data-testid="summary-question" data-question=q.id.clone()>
                                <h3>{q.label.get(code(lang)).to_owned()}</h3>
                                <p class="hint">{answered_text(lang, answered)}</p>
                                {tally_view(tally, answered, places, lang)}
                            </article>
                        }
                    })
                    .collect_view()
            }}
        </section>
    }
}

fn tally_view(tally: Tally, answered: usize, places: usize, lang: Lang) -> AnyView {
    match tally {
        Tally::Choices(counts) => view! {
            <ul class="summary-bars">
                {counts
                    .into_iter()
                    .map(|(label, n)| {
                        let share = if answered == 0 { 0.0 } else { n as f64 * 100.0 / answered as f64 };
                        view! {
                            <li data-testid="summary-option">
                                <span class="summary-label">{label}</span>
                                <svg class="summary-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect class="summary-track" x="0" y="0" width="100" height="10" />
                                    <rect class="summary-fill" x="0" y="0" width=format!("{share:.1}") height="10" />
                                </svg>
                                <span class="summary-count" data-testid="summary-count">
                                    {format!("{n} ({})", rounded(share, 0) + "%")}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
        Tally::Numbers { min, max, mean } => view! {
            <dl class="summary-numbers">
                <div>
                    <dt>{text(lang, Text::Min)}</dt>
                    <dd data-testid="summary-min">{rounded(min, places)}</dd>
                </div>
                <div>
                    <dt>{text(lang, Text::Max)}</dt>
                    <dd data-testid="summary-max">{rounded(max, places)}</dd>
                </div>
                <div>
                    <dt>{text(lang, Text::Mean)}</dt>
                    <dd data-testid="summary-mean">{rounded(mean, places)}</dd>
                </div>
            </dl>
        }
        .into_any(),
    }
}
