//! Alert rules: answers the organisers must see at once — a temperature of 37.3 °C or more, any
//! symptom but "none", contact with a case. The owner sets them on the form (templates ship
//! with them); the server and the responses view both find a response's alerts with
//! [`alerts_of`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{Bilingual, FormDef, Question, QuestionType};

/// One rule: a question and the answers that raise an alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub question: String,
    #[serde(flatten)]
    pub test: AlertTest,
    /// What the alert is called ("发热" / "Fever").
    #[serde(default)]
    pub label: Bilingual,
}

/// What makes an answer alarming.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AlertTest {
    /// A number at or above this.
    AtLeast { at_least: f64 },
    /// A number at or below this.
    AtMost { at_most: f64 },
    /// A choice (any chosen, for a multiple choice) among these values; for yes/no `"yes"` or
    /// `"no"`.
    AnyOf { any_of: Vec<String> },
    /// A choice of anything but these values (symptoms other than "none").
    AnyExcept { any_except: Vec<String> },
}

/// An alert raised by a response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub question: String,
    /// The index of the rule in the form's `alerts`.
    pub rule: usize,
    pub value: Value,
}

impl AlertRule {
    pub fn new(question: &str, test: AlertTest, zh: &str, en: &str) -> AlertRule {
        AlertRule {
            question: question.into(),
            test,
            label: Bilingual::new(zh, en),
        }
    }

    /// Whether `answer` (a stored, validated answer to `question`) raises this alert.
    pub fn matches(&self, question: &Question, answer: &Value) -> bool {
        match &self.test {
            AlertTest::AtLeast { at_least } => answer.as_f64().is_some_and(|n| n >= *at_least),
            AlertTest::AtMost { at_most } => answer.as_f64().is_some_and(|n| n <= *at_most),
            AlertTest::AnyOf { any_of } => {
                chosen(question, answer).iter().any(|v| any_of.contains(v))
            }
            AlertTest::AnyExcept { any_except } => chosen(question, answer)
                .iter()
                .any(|v| !any_except.contains(v)),
        }
    }
}

/// The values an answer chose: option values, or `yes`/`no`.
fn chosen(question: &Question, answer: &Value) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    match (question.kind, answer) {
        (QuestionType::YesNo, Value::Bool(b)) => vec![if *b { "yes" } else { "no" }.to_owned()],
        (_, Value::Array(items)) => items.iter().filter_map(one).collect(),
        (_, v) => one(v).into_iter().collect(),
    }
}

/// The alerts raised under `form`'s rules by the answers `answer` gives by question id (a
/// stored response's `|id| answers.get(id)`).
pub fn alerts_of<'a>(form: &FormDef, answer: impl Fn(&str) -> Option<&'a Value>) -> Vec<Alert> {
    form.alerts
        .iter()
        .enumerate()
        .filter_map(|(rule, r)| {
            let question = form.question(&r.question)?;
            let value = answer(&r.question)?;
            r.matches(question, value).then(|| Alert {
                question: r.question.clone(),
                rule,
                value: value.clone(),
            })
        })
        .collect()
}
