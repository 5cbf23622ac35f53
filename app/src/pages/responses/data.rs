//! Responses as the table shows them: one [`Row`] of readable cells per response, and the
//! sorting and filtering done in the browser (search over what is shown, a question + answer
//! picker). Plain functions, no signals.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use gather_doc::form::display::{display_answer, format_time, CST_OFFSET_MINUTES};
use gather_doc::form::{FormDef, Question, QuestionType};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One response as the server lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Response {
    pub id: i64,
    #[serde(default)]
    pub receipt: String,
    #[serde(default)]
    pub submitted_at: i64,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(default)]
    pub answers: Map<String, Value>,
}

/// The questions that take answers (not section headings), in form order: the table's columns.
pub fn answerable(form: &FormDef) -> Vec<Question> {
    form.questions
        .iter()
        .filter(|q| q.kind.takes_answer())
        .cloned()
        .collect()
}

/// One response as a table row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub id: i64,
    pub receipt: String,
    pub submitted_at: i64,
    /// The submission time in China Standard Time.
    pub submitted: String,
    /// One readable cell per answerable question.
    pub cells: Vec<String>,
    pub answers: Map<String, Value>,
    /// Everything shown, lower-cased, for the search box.
    haystack: String,
    /// Changes whenever anything shown changes, so the table redraws just that row.
    pub fingerprint: u64,
}

/// The rows of `responses`, cells in `lang` (`zh`/`en`).
pub fn rows(
    questions: &[Question],
    responses: &BTreeMap<i64, Response>,
    lang: &str,
    reveal: bool,
) -> Vec<Row> {
    responses
        .values()
        .map(|r| {
            let cells: Vec<String> = questions
                .iter()
                .map(|q| {
                    r.answers
                        .get(&q.id)
                        .map(|v| display_answer(q, v, lang, reveal))
                        .unwrap_or_default()
                })
                .collect();
            let submitted = format_time(r.submitted_at, CST_OFFSET_MINUTES);
            let mut haystack = format!("{}\n{}", r.receipt, submitted);
            for cell in &cells {
                haystack.push('\n');
                haystack.push_str(cell);
            }
            let mut hasher = DefaultHasher::new();
            (&haystack, r.updated_at).hash(&mut hasher);
            Row {
                id: r.id,
                receipt: r.receipt.clone(),
                submitted_at: r.submitted_at,
                submitted,
                cells,
                answers: r.answers.clone(),
                haystack: haystack.to_lowercase(),
                fingerprint: hasher.finish(),
            }
        })
        .collect()
}

/// A column of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Receipt,
    Submitted,
    /// The answers to the question with this id.
    Question(String),
}

/// How the table is sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub ascending: bool,
}

impl Default for Sort {
    /// Newest first, so a new response shows at the top.
    fn default() -> Sort {
        Sort {
            column: Column::Submitted,
            ascending: false,
        }
    }
}

impl Sort {
    /// The sort after clicking `column`'s heading: the other direction, or a new column
    /// ascending.
    pub fn toggled(&self, column: Column) -> Sort {
        if self.column == column {
            Sort {
                column,
                ascending: !self.ascending,
            }
        } else {
            Sort {
                column,
                ascending: true,
            }
        }
    }
}

/// A number in an answer (numbers and ratings), for sorting and the summary.
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Sorts `rows` in place. Empty answers go last either way.
pub fn sort_rows(rows: &mut [Row], questions: &[Question], sort: &Sort) {
    let by_question = match &sort.column {
        Column::Question(id) => questions.iter().position(|q| &q.id == id),
        _ => None,
    };
    rows.sort_by(|a, b| {
        let order = match (&sort.column, by_question) {
            (Column::Receipt, _) => a.receipt.cmp(&b.receipt),
            (Column::Question(_), Some(i)) => {
                let q = &questions[i];
                let (empty_a, empty_b) = (a.cells[i].is_empty(), b.cells[i].is_empty());
                if empty_a || empty_b {
                    // Not reversed below: empty cells stay at the end.
                    let last = empty_a.cmp(&empty_b);
                    return last
                        .then(a.submitted_at.cmp(&b.submitted_at))
                        .then(a.id.cmp(&b.id));
                }
                compare_answers(q, a, b, i)
            }
            _ => a.submitted_at.cmp(&b.submitted_at),
        };
        let order = order.then(a.id.cmp(&b.id));
        if sort.ascending {
            order
        } else {
            order.reverse()
        }
    });
}

fn compare_answers(q: &Question, a: &Row, b: &Row, i: usize) -> Ordering {
    if matches!(q.kind, QuestionType::Number | QuestionType::Rating) {
        let n = |r: &Row| r.answers.get(&q.id).and_then(number);
        if let (Some(x), Some(y)) = (n(a), n(b)) {
            return x.total_cmp(&y);
        }
    }
    // Dates (YYYY-MM-DD) and times (HH:MM) sort correctly as text.
    a.cells[i].cmp(&b.cells[i])
}

/// The answers a question can be filtered by: (value, label) pairs, or `None` when it is
/// filtered by the text its answers contain.
pub fn choices(q: &Question, lang: &str, yes_no: (&str, &str)) -> Option<Vec<(String, String)>> {
    match q.kind {
        QuestionType::SingleChoice | QuestionType::MultipleChoice => Some(
            q.options
                .iter()
                .map(|c| (c.value.clone(), c.label.get(lang).to_owned()))
                .collect(),
        ),
        QuestionType::YesNo => Some(vec![
            ("yes".into(), yes_no.0.into()),
            ("no".into(), yes_no.1.into()),
        ]),
        _ => None,
    }
}

/// The star counts a rating question can be filtered by.
pub fn star_counts(q: &Question) -> Option<std::ops::RangeInclusive<u64>> {
    (q.kind == QuestionType::Rating).then(|| 1..=q.max.unwrap_or(5.0).clamp(1.0, 10.0) as u64)
}

/// Whether `answer` is or includes the choice `wanted` (a choice value, `yes`/`no`, or a
/// number of stars).
pub fn answer_has(answer: &Value, wanted: &str) -> bool {
    match answer {
        Value::Bool(b) => wanted == if *b { "yes" } else { "no" },
        Value::String(s) => s == wanted,
        Value::Number(n) => n.to_string() == wanted,
        Value::Object(o) => o.get("value").and_then(Value::as_str) == Some(wanted),
        Value::Array(items) => items.iter().any(|v| answer_has(v, wanted)),
        Value::Null => false,
    }
}

/// The client-side filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Text any shown cell contains (case-insensitive).
    pub search: String,
    /// The picked question's id, or empty.
    pub question: String,
    /// The picked answer (a choice value, or text the answer contains), or empty.
    pub answer: String,
}

impl Filter {
    pub fn is_active(&self) -> bool {
        !self.search.trim().is_empty() || (!self.question.is_empty() && !self.answer.is_empty())
    }

    /// The rows that pass, in their order.
    pub fn apply(&self, rows: Vec<Row>, questions: &[Question], lang: &str) -> Vec<Row> {
        let search = self.search.trim().to_lowercase();
        let picked = questions
            .iter()
            .position(|q| q.id == self.question)
            .filter(|_| !self.answer.is_empty());
        let by_choice = picked.is_some_and(|i| {
            choices(&questions[i], lang, ("", "")).is_some() || star_counts(&questions[i]).is_some()
        });
        let wanted = self.answer.to_lowercase();
        rows.into_iter()
            .filter(|row| search.is_empty() || row.haystack.contains(&search))
            .filter(|row| match picked {
                None => true,
                Some(i) if by_choice => row
                    .answers
                    .get(&questions[i].id)
                    .is_some_and(|v| answer_has(v, &self.answer)),
                Some(i) => row.cells[i].to_lowercase().contains(&wanted),
            })
            .collect()
    }
}

/// What a change did, question by question: "Temperature: 36.6 → 37.2" (masked numbers stay
/// masked; an answer added or removed shows as "—").
pub fn differences(
    questions: &[Question],
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    lang: &str,
) -> Vec<String> {
    let shown = |q: &Question, answers: &Map<String, Value>| {
        answers
            .get(&q.id)
            .map(|v| display_answer(q, v, lang, false))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "—".to_owned())
    };
    questions
        .iter()
        .filter(|q| before.get(&q.id) != after.get(&q.id))
        .map(|q| {
            format!(
                "{}: {} → {}",
                q.label.get(lang),
                shown(q, before),
                shown(q, after)
            )
        })
        .collect()
}

/// The changes of a response's history, each with what it changed: the answers after change
/// `i` are those before the next change that kept them, or `current` for the last.
pub fn change_details(
    questions: &[Question],
    changes: &[super::live::Change],
    current: &Map<String, Value>,
    lang: &str,
) -> Vec<Vec<String>> {
    changes
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let Some(before) = &change.before else {
                return Vec::new();
            };
            let after = changes[i + 1..]
                .iter()
                .find_map(|c| c.before.as_ref())
                .unwrap_or(current);
            differences(questions, before, after, lang)
        })
        .collect()
}
