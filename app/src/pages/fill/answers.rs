//! Answers as the fill page holds them, and the checks it runs on them with the same code as
//! the server (`gather_doc::form::validate`): which questions are shown, what is wrong with one
//! answer, and what is sent.

use std::collections::{BTreeMap, BTreeSet};

use gather_doc::form::validate::{check_one, is_visible};
use gather_doc::form::{AnswerError, Answers, FormDef, Question};
use serde_json::{Map, Value};

use super::text::{text, Key};
use crate::i18n::Lang;

/// What is wrong with one answer, in both languages (the interface language can change while
/// the message is shown).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    zh: String,
    en: String,
}

impl Problem {
    pub fn new(zh: &str, en: &str) -> Problem {
        Problem {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    fn required() -> Problem {
        Problem {
            zh: text(Lang::Zh, Key::Required).into(),
            en: text(Lang::En, Key::Required).into(),
        }
    }
}

impl From<AnswerError> for Problem {
    fn from(e: AnswerError) -> Problem {
        Problem { zh: e.zh, en: e.en }
    }
}

/// Whether `value` counts as no answer: nothing, blank text, no choice, or a region whose
/// fields are all blank.
pub fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(o) if !o.contains_key("value") => o.values().all(is_blank),
        _ => false,
    }
}

/// The answers that are not blank.
pub fn prepared(answers: &Map<String, Value>) -> Map<String, Value> {
    answers
        .iter()
        .filter(|(_, v)| !is_blank(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The ids of the questions shown, given `answers`: as the server decides, a question's
/// condition looks at the valid answers to the shown questions before it.
pub fn visible_ids(form: &FormDef, answers: &Map<String, Value>) -> BTreeSet<String> {
    let mut earlier = Answers::new();
    let mut shown = BTreeSet::new();
    for question in &form.questions {
        if !is_visible(question, &earlier) {
            continue;
        }
        shown.insert(question.id.clone());
        let answer = answers.get(&question.id).filter(|v| !is_blank(v));
        if let Some(Ok(clean)) = answer.map(|v| check_one(question, v)) {
            earlier.insert(question.id.clone(), clean);
        }
    }
    shown
}

/// What is wrong with the answer `value` to a shown `question`, if anything.
pub fn live_problem(question: &Question, value: Option<&Value>) -> Option<Problem> {
    if !question.kind.takes_answer() {
        return None;
    }
    match value.filter(|v| !is_blank(v)) {
        None if question.required => Some(Problem::required()),
        None => None,
        Some(v) => check_one(question, v).err().map(Problem::from),
    }
}

/// The per-question messages of a 422 `invalid_answers` reply.
pub fn server_problems(body: &Value) -> BTreeMap<String, Problem> {
    let Some(errors) = body["errors"].as_object() else {
        return BTreeMap::new();
    };
    errors
        .iter()
        .map(|(id, e)| {
            let part = |lang: &str| e[lang].as_str().unwrap_or_default().to_owned();
            (
                id.clone(),
                Problem {
                    zh: part("zh"),
                    en: part("en"),
                },
            )
        })
        .collect()
}
