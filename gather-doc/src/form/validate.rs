//! Checking a response against a form: one implementation, compiled into the browser (to check
//! answers as they are typed) and the server (which decides). Answers to questions that are
//! hidden by their `show_if` are dropped, never stored.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::checks::{normalize_mobile, parse_date, parse_time, resident_id_valid};
use super::model::{is_photo_id, FormDef, IdKind, Question, QuestionType, ShowIf};

/// Longest answer to a text question, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Deepest `show_if` nesting that is evaluated; deeper conditions count as false.
const MAX_SHOW_IF_DEPTH: usize = 8;

/// Answers that passed validation, in their stored (normalized) shape, by question id.
pub type Answers = BTreeMap<String, Value>;

/// Why one answer was refused: a stable code and the message in both languages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AnswerError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl AnswerError {
    fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AnswerError {
        AnswerError {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn message(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// Errors by question id.
pub type AnswerErrors = BTreeMap<String, AnswerError>;

/// Checks `answers` against `form`. On success, the normalized answers to the visible questions
/// (phones in 11-digit form, IDs upper-case, choices as stored); otherwise an error for every
/// question that failed. Answers to unknown or hidden questions are dropped.
pub fn validate(form: &FormDef, answers: &Map<String, Value>) -> Result<Answers, AnswerErrors> {
    let mut clean = Answers::new();
    let mut errors = AnswerErrors::new();
    for question in &form.questions {
        if !question.kind.takes_answer() || !is_visible(question, &clean) {
            continue;
        }
        let answer = answers.get(&question.id).filter(|v| !is_blank(v));
        match answer {
            None if question.required => {
                errors.insert(
                    question.id.clone(),
                    AnswerError::new("required", "此题必答", "This question is required"),
                );
            }
            None => {}
            Some(value) => match check(question, value) {
                Ok(value) => {
                    clean.insert(question.id.clone(), value);
                }
                Err(error) => {
                    errors.insert(question.id.clone(), error);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

/// Checks one answer, for the fill page's as-you-type messages.
pub fn check_one(question: &Question, value: &Value) -> Result<Value, AnswerError> {
    check(question, value)
}

/// Whether `question` is shown, given the (valid) answers to the questions before it.
pub fn is_visible(question: &Question, earlier: &Answers) -> bool {
    question
        .show_if
        .as_ref()
        .is_none_or(|cond| holds(cond, earlier, 0))
}

fn holds(cond: &ShowIf, answers: &Answers, depth: usize) -> bool {
    if depth > MAX_SHOW_IF_DEPTH {
        return false;
    }
    match cond {
        ShowIf::Answer { question, one_of } => answers
            .get(question)
            .is_some_and(|v| answer_values(v).iter().any(|v| one_of.contains(v))),
        ShowIf::All { all } => all.iter().all(|c| holds(c, answers, depth + 1)),
        ShowIf::Any { any } => any.iter().any(|c| holds(c, answers, depth + 1)),
    }
}

/// The values an answer stands for in a condition: a choice's value, each chosen value,
/// `"yes"`/`"no"`, or a number or text as written.
fn answer_values(value: &Value) -> Vec<String> {
    match value {
        Value::Bool(true) => vec!["yes".into()],
        Value::Bool(false) => vec!["no".into()],
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(answer_values).collect(),
        Value::Object(o) => o
            .get("value")
            .and_then(Value::as_str)
            .map(|s| vec![s.to_owned()])
            .unwrap_or_default(),
        Value::Null => Vec::new(),
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn check(q: &Question, value: &Value) -> Result<Value, AnswerError> {
    match q.kind {
        QuestionType::Text | QuestionType::LongText => check_text(q, value),
        QuestionType::Number => check_number(q, value),
        QuestionType::SingleChoice => check_choice(q, value).map(|(v, _)| v),
        QuestionType::MultipleChoice => check_choices(q, value),
        QuestionType::YesNo => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s == "yes" || s == "no" => Ok(Value::Bool(s == "yes")),
            _ => Err(wrong_type("是或否", "yes or no")),
        },
        QuestionType::Date => {
            let s = value.as_str().map(str::trim).unwrap_or("");
            parse_date(s)
                .map(|_| Value::String(s.into()))
                .ok_or_else(|| AnswerError::new("date", "请填写有效日期", "Enter a valid date"))
        }
        QuestionType::Time => {
            let s = value.as_str().map(str::trim).unwrap_or("");
            parse_time(s)
                .map(|_| Value::String(s.into()))
                .ok_or_else(|| AnswerError::new("time", "请填写有效时间", "Enter a valid time"))
        }
        QuestionType::Phone => value
            .as_str()
            .and_then(normalize_mobile)
            .map(Value::String)
            .ok_or_else(|| {
                AnswerError::new(
                    "phone",
                    "请填写 11 位手机号码",
                    "Enter an 11-digit mainland mobile number",
                )
            }),
        QuestionType::IdNumber => check_id(q, value),
        QuestionType::Region => check_region(value),
        QuestionType::Rating => {
            let stars = q.max.unwrap_or(5.0).clamp(1.0, 10.0) as u64;
            match value.as_u64() {
                Some(n) if (1..=stars).contains(&n) => Ok(Value::from(n)),
                _ => Err(AnswerError::new(
                    "rating",
                    format!("请选择 1 到 {stars} 星"),
                    format!("Choose 1 to {stars} stars"),
                )),
            }
        }
        QuestionType::Photo => match value.as_str().map(str::trim) {
            Some(id) if is_photo_id(id) => Ok(Value::String(id.into())),
            _ => Err(AnswerError::new(
                "photo",
                "请重新上传照片",
                "Upload the photo again",
            )),
        },
        QuestionType::Section => Ok(Value::Null),
    }
}

fn wrong_type(zh: &str, en: &str) -> AnswerError {
    AnswerError::new(
        "wrong_type",
        format!("请填写{zh}"),
        format!("The answer must be {en}"),
    )
}

fn check_text(q: &Question, value: &Value) -> Result<Value, AnswerError> {
    let Some(text) = value.as_str() else {
        return Err(wrong_type("文字", "text"));
    };
    let text = text.trim();
    let chars = text.chars().count();
    let most = q.max.map_or(MAX_TEXT_CHARS, |m| {
        (m.max(1.0) as usize).min(MAX_TEXT_CHARS)
    });
    if chars > most {
        return Err(AnswerError::new(
            "too_long",
            format!("最多 {most} 个字"),
            format!("At most {most} characters"),
        ));
    }
    if let Some(least) = q.min.map(|m| m.max(0.0) as usize) {
        if chars < least {
            return Err(AnswerError::new(
                "too_short",
                format!("至少 {least} 个字"),
                format!("At least {least} characters"),
            ));
        }
    }
    check_pattern(q, text)?;
    Ok(Value::String(text.into()))
}

fn check_pattern(q: &Question, text: &str) -> Result<(), AnswerError> {
    let Some(pattern) = q.pattern.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    // An invalid pattern is the form's fault, not the respondent's: it does not refuse answers
    // (the form editor shows it as an error).
    let Ok(re) = pattern_regex(pattern) else {
        return Ok(());
    };
    if re.is_match(text) {
        Ok(())
    } else {
        Err(AnswerError::new(
            "pattern",
            "格式不正确",
            "This is not in the expected format",
        ))
    }
}

/// Compiles a question's pattern, anchored to the whole answer, with a size limit so a hostile
/// form cannot make validation slow.
pub fn pattern_regex(pattern: &str) -> Result<regex_lite::Regex, regex_lite::Error> {
    regex_lite::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 16)
        .nest_limit(32)
        .build()
}

fn check_number(q: &Question, value: &Value) -> Result<Value, AnswerError> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err(wrong_type("数字", "a number")),
    };
    let Some(number) = text.parse::<f64>().ok().filter(|n| n.is_finite()) else {
        return Err(wrong_type("数字", "a number"));
    };
    let decimals = q.decimals.unwrap_or(u32::MAX);
    let written = text
        .split_once('.')
        .map_or(0, |(_, frac)| frac.trim_end_matches('0').len());
    if text.contains(['e', 'E']) || written > decimals as usize {
        return Err(if decimals == 0 {
            AnswerError::new("decimals", "请填写整数", "Enter a whole number")
        } else {
            AnswerError::new(
                "decimals",
                format!("最多保留 {decimals} 位小数"),
                format!("Use at most {decimals} decimal places"),
            )
        });
    }
    let below = q.min.is_some_and(|min| number < min);
    let above = q.max.is_some_and(|max| number > max);
    if below || above {
        let range = |lang_zh: bool| match (q.min, q.max) {
            (Some(a), Some(b)) if lang_zh => format!("请填写 {a} 到 {b} 之间的数"),
            (Some(a), Some(b)) => format!("Enter a number from {a} to {b}"),
            (Some(a), None) if lang_zh => format!("不能小于 {a}"),
            (Some(a), None) => format!("Enter at least {a}"),
            (None, Some(b)) if lang_zh => format!("不能大于 {b}"),
            (None, Some(b)) => format!("Enter at most {b}"),
            (None, None) => String::new(),
        };
        return Err(AnswerError::new("range", range(true), range(false)));
    }
    // Whole numbers are stored as integers (`500`, not `500.0`), as people typed them.
    if number.fract() == 0.0 && number.abs() < 9e15 {
        return Ok(Value::from(number as i64));
    }
    Ok(serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number))
}

/// One chosen option: a value string, or `{"value", "text"}` for "other, please specify".
/// Returns the stored shape and whether the option is exclusive.
fn check_choice(q: &Question, value: &Value) -> Result<(Value, bool), AnswerError> {
    let (chosen, text) = match value {
        Value::String(s) => (s.as_str(), None),
        Value::Object(o) => (
            o.get("value").and_then(Value::as_str).unwrap_or(""),
            o.get("text").and_then(Value::as_str).map(str::trim),
        ),
        _ => return Err(wrong_type("选项", "one of the options")),
    };
    let Some(choice) = q.choice(chosen) else {
        return Err(AnswerError::new(
            "not_an_option",
            "请从选项中选择",
            "Choose one of the options",
        ));
    };
    if choice.other {
        return match text.filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() <= 500 => Ok((
                serde_json::json!({ "value": choice.value, "text": t }),
                choice.exclusive,
            )),
            Some(_) => Err(AnswerError::new(
                "too_long",
                "最多 500 个字",
                "At most 500 characters",
            )),
            None => Err(AnswerError::new(
                "other_text",
                "请填写“其他”的具体内容",
                "Please specify “other”",
            )),
        };
    }
    Ok((Value::String(choice.value.clone()), choice.exclusive))
}

fn check_choices(q: &Question, value: &Value) -> Result<Value, AnswerError> {
    let Value::Array(items) = value else {
        return Err(wrong_type("选项", "a list of options"));
    };
    let mut chosen = Vec::with_capacity(items.len());
    let mut exclusive = None;
    let mut seen = std::collections::BTreeSet::new();
    for item in items.iter().take(q.options.len() + 1) {
        let (stored, is_exclusive) = check_choice(q, item)?;
        let key = answer_values(&stored).concat();
        if !seen.insert(key) {
            continue;
        }
        if is_exclusive {
            exclusive = Some(stored.clone());
        }
        chosen.push(stored);
    }
    if items.len() > q.options.len() {
        return Err(AnswerError::new(
            "not_an_option",
            "选项过多",
            "Too many options chosen",
        ));
    }
    if let Some(only) = exclusive.filter(|_| chosen.len() > 1) {
        let label = answer_values(&only)
            .first()
            .and_then(|v| q.choice(v))
            .map(|c| c.label.clone())
            .unwrap_or_default();
        return Err(AnswerError::new(
            "exclusive",
            format!("选择“{}”时不能再选其他选项", label.get("zh")),
            format!(
                "“{}” cannot be combined with other options",
                label.get("en")
            ),
        ));
    }
    Ok(Value::Array(chosen))
}

fn check_id(q: &Question, value: &Value) -> Result<Value, AnswerError> {
    let Some(text) = value.as_str() else {
        return Err(wrong_type("证件号码", "an ID number"));
    };
    let id: String = text.trim().to_ascii_uppercase();
    if q.id_kind.unwrap_or_default() == IdKind::Resident && !resident_id_valid(&id) {
        return Err(AnswerError::new(
            "id_number",
            "身份证号码不正确（18 位，请检查最后一位校验码）",
            "This is not a valid resident ID number (18 characters; check the last one)",
        ));
    }
    if id.chars().count() > 64 {
        return Err(AnswerError::new(
            "too_long",
            "号码过长",
            "This number is too long",
        ));
    }
    check_pattern(q, &id)?;
    Ok(Value::String(id))
}

/// A region: `{"province", "city", "district"}` names, optionally with the GB/T 2260 `code` of
/// the most specific one, plus free-text `detail`.
fn check_region(value: &Value) -> Result<Value, AnswerError> {
    let Value::Object(o) = value else {
        return Err(wrong_type("地区", "a region"));
    };
    let mut out = Map::new();
    for key in ["province", "city", "district", "detail", "code"] {
        let Some(part) = o.get(key) else { continue };
        let Some(text) = part.as_str().map(str::trim) else {
            return Err(wrong_type("地区", "a region"));
        };
        if text.chars().count() > 200 {
            return Err(AnswerError::new(
                "too_long",
                "最多 200 个字",
                "At most 200 characters",
            ));
        }
        if key == "code" && !(text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())) {
            return Err(AnswerError::new(
                "region",
                "地区代码不正确",
                "Unknown region code",
            ));
        }
        if !text.is_empty() {
            out.insert(key.into(), Value::String(text.into()));
        }
    }
    if !out.contains_key("province") {
        return Err(AnswerError::new(
            "region",
            "请选择省份",
            "Choose a province",
        ));
    }
    Ok(Value::Object(out))
}
