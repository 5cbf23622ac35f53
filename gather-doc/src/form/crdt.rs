//! Where a form lives in the document, and the edits the form builder makes.
//!
//! Storage: the root map `form` holds the form's settings (`title_zh`, `title_en`, `status`,
//! `deadline`); the root array `questions` holds one map per question with scalar fields
//! (`id`, `type`, `label_zh`, `label_en`, `help_zh`, `help_en`, `required`, `min`, `max`,
//! `decimals`, `pattern`, `id_kind`) and JSON text for the structured ones (`options`,
//! `show_if`). Each field is its own map entry, so two people editing different fields of one
//! question both keep their change. The description is the document body (`default`), as
//! rich text; neither root is ever inside it.

use yrs::types::ToJson;
use yrs::{
    Any, Array, ArrayRef, Doc, Map, MapPrelim, MapRef, Out, ReadTxn, Transact, TransactionMut,
};

use super::model::{Bilingual, FormDef, FormStatus, Frequency, IdKind, Question, QuestionType};
use crate::rich_text;

/// Name of the root map with the form's settings.
pub const FORM_ROOT: &str = "form";
/// Name of the root array with the questions.
pub const QUESTIONS_ROOT: &str = "questions";

/// The document's form roots. Like [`rich_text::body`], this takes the document's write lock:
/// call it before opening a transaction.
pub struct FormRoots {
    pub settings: MapRef,
    pub questions: ArrayRef,
}

impl FormRoots {
    pub fn of(doc: &Doc) -> FormRoots {
        FormRoots {
            settings: doc.get_or_insert_map(FORM_ROOT),
            questions: doc.get_or_insert_array(QUESTIONS_ROOT),
        }
    }
}

/// Whether the document is a form (it has form settings).
pub fn is_form(txn: &impl ReadTxn, roots: &FormRoots) -> bool {
    roots.settings.len(txn) > 0
}

/// Reads the form, with the body's blocks as description paragraphs. `None` if the document
/// is not a form.
pub fn read_form(doc: &Doc) -> Option<FormDef> {
    let roots = FormRoots::of(doc);
    let body = rich_text::body(doc);
    let txn = doc.transact();
    if !is_form(&txn, &roots) {
        return None;
    }
    let mut form = read_settings(&txn, &roots.settings);
    form.questions = read_questions(&txn, &roots.questions);
    form.version = super::version_of(&form.questions);
    form.description = rich_text::read_blocks(&txn, &body)
        .iter()
        .map(|b| b.text())
        .collect();
    while form.description.last().is_some_and(|p| p.trim().is_empty()) {
        form.description.pop();
    }
    Some(form)
}

/// The settings part of a form (no questions, no description).
pub fn read_settings(txn: &impl ReadTxn, settings: &MapRef) -> FormDef {
    FormDef {
        title: Bilingual {
            zh: string(txn, settings, "title_zh"),
            en: string(txn, settings, "title_en"),
        },
        status: match string(txn, settings, "status").as_str() {
            "closed" => FormStatus::Closed,
            _ => FormStatus::Open,
        },
        deadline: number(txn, settings, "deadline").map(|d| d as i64),
        frequency: Frequency::parse(&string(txn, settings, "frequency")),
        utc_offset_minutes: number(txn, settings, "utc_offset_minutes")
            .map(|m| (m as i64).clamp(-14 * 60, 14 * 60))
            .unwrap_or(super::display::CST_OFFSET_MINUTES),
        // Kept as JSON text, like a question's options; text that does not parse is ignored.
        roster_fields: serde_json::from_str(&string(txn, settings, "roster_fields")).ok(),
        alerts: serde_json::from_str(&string(txn, settings, "alerts")).unwrap_or_default(),
        supplies: serde_json::from_str(&string(txn, settings, "supplies")).ok(),
        ..FormDef::default()
    }
}

/// Every question, in order. Entries that are not maps, or lack an id, are skipped.
pub fn read_questions(txn: &impl ReadTxn, questions: &ArrayRef) -> Vec<Question> {
    questions
        .iter(txn)
        .filter_map(|item| match item {
            Out::YMap(map) => read_question(txn, &map),
            _ => None,
        })
        .collect()
}

fn read_question(txn: &impl ReadTxn, map: &MapRef) -> Option<Question> {
    let id = string(txn, map, "id");
    if id.is_empty() {
        return None;
    }
    Some(Question {
        id,
        kind: QuestionType::parse(&string(txn, map, "type")).unwrap_or_default(),
        label: Bilingual {
            zh: string(txn, map, "label_zh"),
            en: string(txn, map, "label_en"),
        },
        help: Bilingual {
            zh: string(txn, map, "help_zh"),
            en: string(txn, map, "help_en"),
        },
        required: matches!(map.get(txn, "required"), Some(Out::Any(Any::Bool(true)))),
        options: json(txn, map, "options").unwrap_or_default(),
        min: number(txn, map, "min"),
        max: number(txn, map, "max"),
        decimals: number(txn, map, "decimals").map(|d| d.clamp(0.0, 10.0) as u32),
        pattern: Some(string(txn, map, "pattern")).filter(|p| !p.is_empty()),
        id_kind: match string(txn, map, "id_kind").as_str() {
            "resident" => Some(IdKind::Resident),
            "other" => Some(IdKind::Other),
            _ => None,
        },
        show_if: json(txn, map, "show_if"),
    })
}

fn string(txn: &impl ReadTxn, map: &MapRef, key: &str) -> String {
    match map.get(txn, key) {
        Some(Out::Any(Any::String(s))) => s.to_string(),
        _ => String::new(),
    }
}

fn number(txn: &impl ReadTxn, map: &MapRef, key: &str) -> Option<f64> {
    match map.get(txn, key) {
        Some(Out::Any(Any::Number(n))) => n.as_f64().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn json<T: serde::de::DeserializeOwned>(txn: &impl ReadTxn, map: &MapRef, key: &str) -> Option<T> {
    let text = string(txn, map, key);
    serde_json::from_str(&text).ok()
}

/// A question's fields as they are stored, for writing and for diffing.
fn fields(q: &Question) -> Vec<(&'static str, Any)> {
    let text = |s: &str| Any::from(s.to_owned());
    let opt_num = |n: Option<f64>| n.map_or(Any::Null, |n| Any::Number(n.into()));
    vec![
        ("id", text(&q.id)),
        ("type", text(q.kind.as_str())),
        ("label_zh", text(&q.label.zh)),
        ("label_en", text(&q.label.en)),
        ("help_zh", text(&q.help.zh)),
        ("help_en", text(&q.help.en)),
        ("required", Any::Bool(q.required)),
        (
            "options",
            text(&serde_json::to_string(&q.options).unwrap_or_default()),
        ),
        ("min", opt_num(q.min)),
        ("max", opt_num(q.max)),
        ("decimals", opt_num(q.decimals.map(f64::from))),
        ("pattern", text(q.pattern.as_deref().unwrap_or(""))),
        (
            "id_kind",
            text(match q.id_kind {
                Some(IdKind::Resident) => "resident",
                Some(IdKind::Other) => "other",
                None => "",
            }),
        ),
        (
            "show_if",
            text(
                &q.show_if
                    .as_ref()
                    .and_then(|s| serde_json::to_string(s).ok())
                    .unwrap_or_default(),
            ),
        ),
    ]
}

/// Writes the form's settings (title, status, deadline), touching only what changed.
pub fn write_settings(txn: &mut TransactionMut, settings: &MapRef, form: &FormDef) {
    let status = match form.status {
        FormStatus::Open => "open",
        FormStatus::Closed => "closed",
    };
    let wanted = [
        ("title_zh", Any::from(form.title.zh.clone())),
        ("title_en", Any::from(form.title.en.clone())),
        ("status", Any::from(status)),
        (
            "deadline",
            form.deadline
                .map_or(Any::Null, |d| Any::Number((d as f64).into())),
        ),
        ("frequency", Any::from(form.frequency.as_str())),
        (
            "utc_offset_minutes",
            Any::Number((form.utc_offset_minutes as f64).into()),
        ),
        (
            "roster_fields",
            form.roster_fields.as_ref().map_or(Any::Null, |r| {
                Any::from(serde_json::to_string(r).unwrap_or_default())
            }),
        ),
        (
            "alerts",
            Any::from(serde_json::to_string(&form.alerts).unwrap_or_default()),
        ),
        (
            "supplies",
            form.supplies.as_ref().map_or(Any::Null, |s| {
                Any::from(serde_json::to_string(s).unwrap_or_default())
            }),
        ),
    ];
    for (key, value) in wanted {
        set_if_changed(txn, settings, key, value);
    }
}

fn set_if_changed(txn: &mut TransactionMut, map: &MapRef, key: &str, value: Any) {
    let current = map.get(txn, key).map(|v| v.to_json(txn));
    if current.as_ref() != Some(&value) {
        map.insert(txn, key, value);
    }
}

/// Makes the document a form with these settings and questions, after any questions it has.
/// (The description is written into the body with the rich-text operations.)
pub fn write_form(txn: &mut TransactionMut, roots: &FormRoots, form: &FormDef) {
    write_settings(txn, &roots.settings, form);
    for q in &form.questions {
        let index = roots.questions.len(txn);
        insert_question(txn, roots, index, q);
    }
}

/// Inserts `question` at `index` (clamped to the end).
pub fn insert_question(
    txn: &mut TransactionMut,
    roots: &FormRoots,
    index: u32,
    question: &Question,
) {
    let index = index.min(roots.questions.len(txn));
    let prelim: MapPrelim = fields(question)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), yrs::In::Any(v)))
        .collect();
    roots.questions.insert(txn, index, prelim);
}

/// Where the question with `id` is, and its map.
fn find(txn: &impl ReadTxn, roots: &FormRoots, id: &str) -> Option<(u32, MapRef)> {
    roots
        .questions
        .iter(txn)
        .enumerate()
        .find_map(|(i, item)| match item {
            Out::YMap(map) if string(txn, &map, "id") == id => Some((i as u32, map)),
            _ => None,
        })
}

/// Writes the fields of `question` that differ from the stored question with the same id.
/// Returns false if there is no such question.
pub fn update_question(txn: &mut TransactionMut, roots: &FormRoots, question: &Question) -> bool {
    let Some((_, map)) = find(txn, roots, &question.id) else {
        return false;
    };
    for (key, value) in fields(question) {
        set_if_changed(txn, &map, key, value);
    }
    true
}

/// Removes the question with `id`. Returns false if there is none.
pub fn remove_question(txn: &mut TransactionMut, roots: &FormRoots, id: &str) -> bool {
    match find(txn, roots, id) {
        Some((index, _)) => {
            roots.questions.remove(txn, index);
            true
        }
        None => false,
    }
}

/// Moves the question with `id` to position `to` (in the list without it). yrs 0.28 has no
/// array move, so the question is removed and inserted again: an edit a collaborator makes to
/// that question at the same moment is lost (the moved copy wins).
pub fn move_question(txn: &mut TransactionMut, roots: &FormRoots, id: &str, to: u32) -> bool {
    let Some((from, map)) = find(txn, roots, id) else {
        return false;
    };
    let len = roots.questions.len(txn);
    let to = to.min(len.saturating_sub(1));
    if from == to {
        return true;
    }
    let Some(question) = read_question(txn, &map) else {
        return false;
    };
    roots.questions.remove(txn, from);
    insert_question(txn, roots, to, &question);
    true
}

/// A new question id that no question of `existing` has, from a random number.
pub fn new_question_id(existing: &[Question], random: u64) -> String {
    let mut n = random;
    loop {
        let id = format!("q{:06x}", n & 0xff_ffff);
        if existing.iter().all(|q| q.id != id) {
            return id;
        }
        n = n.wrapping_mul(6364136223846793005).wrapping_add(1);
    }
}

/// Appends `paragraphs` to the body as plain paragraphs (a template's description).
pub fn write_description(
    txn: &mut TransactionMut,
    body: &yrs::XmlFragmentRef,
    paragraphs: &[String],
) {
    use yrs::{XmlElementPrelim, XmlFragment, XmlTextPrelim};
    for text in paragraphs {
        let index = body.len(txn);
        let el = body.insert(txn, index, XmlElementPrelim::empty("paragraph"));
        el.push_back(txn, XmlTextPrelim::new(text.as_str()));
    }
}

/// A new document holding `form` (settings, questions and description), as one update.
pub fn form_update(form: &FormDef) -> Vec<u8> {
    let doc = crate::new_doc(1);
    let roots = FormRoots::of(&doc);
    let body = rich_text::body(&doc);
    let mut txn = doc.transact_mut();
    write_form(&mut txn, &roots, form);
    write_description(&mut txn, &body, &form.description);
    txn.encode_update_v1()
}
