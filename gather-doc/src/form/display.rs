//! Answers as people read them, in tables and exports: option labels instead of values, yes/no
//! in words, ID and phone numbers masked unless revealed, times in China Standard Time.

use serde_json::Value;

use super::checks::mask;
use super::model::{Question, QuestionType};

/// China Standard Time, UTC+8, in which times are shown and dates are counted by default.
pub const CST_OFFSET_MINUTES: i64 = 8 * 60;

/// `value` as text for a table cell or export, in `lang`. ID and phone numbers are masked
/// unless `reveal`.
pub fn display_answer(q: &Question, value: &Value, lang: &str, reveal: bool) -> String {
    let zh = lang == "zh";
    match (q.kind, value) {
        (_, Value::Null) => String::new(),
        (QuestionType::YesNo, Value::Bool(b)) => match (b, zh) {
            (true, true) => "是".into(),
            (false, true) => "否".into(),
            (true, false) => "Yes".into(),
            (false, false) => "No".into(),
        },
        (QuestionType::SingleChoice | QuestionType::MultipleChoice, Value::Array(items)) => items
            .iter()
            .map(|v| choice_text(q, v, lang))
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " }),
        (QuestionType::SingleChoice | QuestionType::MultipleChoice, v) => choice_text(q, v, lang),
        (QuestionType::IdNumber | QuestionType::Phone, Value::String(s)) if !reveal => {
            masked(q.kind, s).unwrap_or_else(|| s.clone())
        }
        (QuestionType::Region, Value::Object(o)) => ["province", "city", "district", "detail"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map_or_else(|| n.to_string(), |f| format!("{}", f as i64)),
        (_, other) => other.to_string(),
    }
}

/// Puts back the stored answer wherever `answers` holds it exactly as masked: a correction made
/// from the table (which shows `110105********1234`) keeps numbers nobody retyped.
pub fn restore_masked(
    form: &super::FormDef,
    answers: &mut serde_json::Map<String, Value>,
    stored: &Value,
) {
    for q in &form.questions {
        let (Some(Value::String(sent)), Some(Value::String(kept))) =
            (answers.get(&q.id), stored.get(&q.id))
        else {
            continue;
        };
        if masked(q.kind, kept).as_deref() == Some(sent.as_str()) && sent != kept {
            answers.insert(q.id.clone(), Value::String(kept.clone()));
        }
    }
}

/// `text` masked the way answers to a question of `kind` are shown by default (ID numbers keep
/// their first 6 and last 4 characters, phones their first 3 and last 4), or `None` if answers
/// of that kind are never masked.
pub fn masked(kind: QuestionType, text: &str) -> Option<String> {
    match kind {
        QuestionType::IdNumber => Some(mask(text, 6)),
        QuestionType::Phone => Some(mask(text, 3)),
        _ => None,
    }
}

fn choice_text(q: &Question, value: &Value, lang: &str) -> String {
    let (chosen, text) = match value {
        Value::String(s) => (s.as_str(), None),
        Value::Object(o) => (
            o.get("value").and_then(Value::as_str).unwrap_or(""),
            o.get("text").and_then(Value::as_str),
        ),
        _ => return value.to_string(),
    };
    let label = q
        .choice(chosen)
        .map_or(chosen, |c| c.label.get(lang))
        .to_owned();
    match text {
        Some(t) if lang == "zh" => format!("{label}：{t}"),
        Some(t) => format!("{label}: {t}"),
        None => label,
    }
}

/// `ms` since the Unix epoch as `YYYY-MM-DD HH:MM:SS` at `offset_minutes` from UTC.
pub fn format_time(ms: i64, offset_minutes: i64) -> String {
    let secs = ms.div_euclid(1000) + offset_minutes * 60;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The first millisecond of `YYYY-MM-DD` at `offset_minutes` from UTC.
pub fn day_start_ms(date: &str, offset_minutes: i64) -> Option<i64> {
    let (y, m, d) = super::checks::parse_date(date)?;
    Some((days_from_civil(y, m, d) * 86_400 - offset_minutes * 60) * 1000)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{Choice, QuestionType};
    use serde_json::json;

    #[test]
    fn times_in_china_standard_time() {
        // 2020-02-03 09:00:00 CST is 01:00:00 UTC.
        let ms = day_start_ms("2020-02-03", CST_OFFSET_MINUTES).unwrap() + 9 * 3_600_000;
        assert_eq!(ms, 1_580_691_600_000);
        assert_eq!(format_time(ms, CST_OFFSET_MINUTES), "2020-02-03 09:00:00");
        assert_eq!(format_time(ms, 0), "2020-02-03 01:00:00");
        assert_eq!(format_time(0, 0), "1970-01-01 00:00:00");
    }

    #[test]
    fn answers_read_as_words() {
        let q = Question::new("s", QuestionType::MultipleChoice, "症状", "Symptoms").with_options(
            vec![
                Choice::new("cough", "咳嗽", "Cough"),
                Choice::new("other", "其他", "Other").other(),
            ],
        );
        let v = json!(["cough", {"value": "other", "text": "头痛"}]);
        assert_eq!(display_answer(&q, &v, "zh", false), "咳嗽；其他：头痛");
        assert_eq!(display_answer(&q, &v, "en", false), "Cough; Other: 头痛");
        let id = Question::new("i", QuestionType::IdNumber, "身份证", "ID");
        let v = json!("11010519491231002X");
        assert_eq!(display_answer(&id, &v, "zh", false), "110105********002X");
        assert_eq!(display_answer(&id, &v, "zh", true), "11010519491231002X");
        let n = Question::new("n", QuestionType::Number, "数量", "Quantity");
        assert_eq!(display_answer(&n, &json!(500.0), "zh", false), "500");
        assert_eq!(display_answer(&n, &json!(36.6), "zh", false), "36.6");
    }
}
