//! Browser tests (wasm-bindgen-test) of the responses view's sorting, filtering and summary.

use std::collections::BTreeMap;

use gather_doc::form::{Choice, FormDef, Question, QuestionType};
use serde_json::{json, Value};
use wasm_bindgen_test::*;

use super::data::{answerable, rows, sort_rows, Column, Filter, Response, Row, Sort};
use super::summary::{tally, Tally};
use super::text::count_text;
use crate::i18n::Lang;

wasm_bindgen_test_configure!(run_in_browser);

fn form() -> FormDef {
    FormDef {
        questions: vec![
            Question::new("name", QuestionType::Text, "姓名", "Name"),
            Question::new("part", QuestionType::Section, "第二部分", "Part 2"),
            Question::new("masks", QuestionType::Number, "数量", "Masks"),
            Question::new("symptoms", QuestionType::MultipleChoice, "症状", "Symptoms")
                .with_options(vec![
                    Choice::new("fever", "发热", "Fever"),
                    Choice::new("cough", "咳嗽", "Cough"),
                    Choice::new("other", "其他", "Other").other(),
                ]),
            Question::new("phone", QuestionType::Phone, "手机", "Phone"),
            Question::new("away", QuestionType::YesNo, "离校", "Away"),
        ],
        ..FormDef::default()
    }
}

fn response(id: i64, answers: Value) -> (i64, Response) {
    let answers = answers.as_object().cloned().unwrap_or_default();
    let response = Response {
        id,
        receipt: format!("R{id:03}"),
        submitted_at: 1_580_691_600_000 + id * 60_000,
        updated_at: 0,
        answers,
    };
    (id, response)
}

fn sample() -> (Vec<Question>, Vec<Row>) {
    let questions = answerable(&form());
    let all: BTreeMap<_, _> = [
        response(1, json!({"name": "李雷", "masks": 9, "symptoms": ["fever"], "away": false})),
        response(2, json!({"name": "韩梅梅", "masks": 10, "symptoms": ["cough", {"value": "other", "text": "头痛"}]})),
        response(3, json!({"name": "Lily", "symptoms": [], "phone": "13800138000", "away": true})),
    ]
    .into_iter()
    .collect();
    let table = rows(&questions, &all, "en", false);
    (questions, table)
}

fn ids(rows: &[Row]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

#[wasm_bindgen_test]
fn columns_skip_sections_and_cells_read_as_words() {
    let (questions, table) = sample();
    assert_eq!(questions.len(), 5);
    assert_eq!(table[1].cells[2], "Cough; Other: 头痛");
    assert_eq!(table[2].cells[3], "138****8000");
    assert_eq!(table[0].submitted, "2020-02-03 09:01:00");
}

#[wasm_bindgen_test]
fn numbers_sort_numerically_and_empty_cells_last() {
    let (questions, mut table) = sample();
    let by_masks = Sort::default().toggled(Column::Question("masks".into()));
    sort_rows(&mut table, &questions, &by_masks);
    assert_eq!(ids(&table), [1, 2, 3]);
    sort_rows(
        &mut table,
        &questions,
        &by_masks.toggled(Column::Question("masks".into())),
    );
    assert_eq!(ids(&table), [2, 1, 3]);
    sort_rows(&mut table, &questions, &Sort::default());
    assert_eq!(ids(&table), [3, 2, 1], "newest first");
}

#[wasm_bindgen_test]
fn filters_match_what_is_shown_and_picked_answers() {
    let (questions, table) = sample();
    let search = Filter {
        search: "fever".into(),
        ..Filter::default()
    };
    assert_eq!(ids(&search.apply(table.clone(), &questions, "en")), [1]);
    let other = Filter {
        question: "symptoms".into(),
        answer: "other".into(),
        ..Filter::default()
    };
    assert_eq!(ids(&other.apply(table.clone(), &questions, "en")), [2]);
    let away = Filter {
        question: "away".into(),
        answer: "yes".into(),
        ..Filter::default()
    };
    assert_eq!(ids(&away.apply(table.clone(), &questions, "en")), [3]);
    let named = Filter {
        question: "name".into(),
        answer: "li".into(),
        ..Filter::default()
    };
    assert_eq!(ids(&named.apply(table, &questions, "en")), [3]);
}

#[wasm_bindgen_test]
fn summary_counts_options_and_numbers() {
    let (questions, table) = sample();
    let symptoms = questions.iter().find(|q| q.id == "symptoms").unwrap();
    let Some((answered, Tally::Choices(counts))) = tally(symptoms, &table, Lang::En) else {
        panic!("no counts");
    };
    assert_eq!(answered, 2, "an empty list is no answer");
    assert_eq!(counts[0], ("Fever".to_owned(), 1));
    assert_eq!(counts[2], ("Other".to_owned(), 1));
    let masks = questions.iter().find(|q| q.id == "masks").unwrap();
    let Some((2, Tally::Numbers { min, max, mean })) = tally(masks, &table, Lang::En) else {
        panic!("no numbers");
    };
    assert_eq!((min, max, mean), (9.0, 10.0, 9.5));
}

#[wasm_bindgen_test]
fn counts_and_file_names_in_both_languages() {
    assert_eq!(count_text(Lang::En, 3, 3), "3 responses");
    assert_eq!(count_text(Lang::En, 1, 3), "1 of 3 responses");
    assert_eq!(count_text(Lang::Zh, 3, 3), "3 份回复");
    assert_eq!(
        super::file_name(Some("每日/健康"), Lang::Zh, "csv"),
        "每日_健康-回复.csv"
    );
    assert_eq!(
        super::file_name(None, Lang::En, "xlsx"),
        "form-responses.xlsx"
    );
}

#[wasm_bindgen_test]
fn export_progress_counts_rows_when_the_server_says_how_many() {
    use crate::api::Progress;
    let csv = Progress {
        received: 5000,
        length: None,
        lines: 51, // the heading and 50 rows
        rows: Some(200),
    };
    assert_eq!(csv.fraction(), Some(0.25));
    // An XLSX says its size instead.
    let xlsx = Progress {
        received: 300,
        length: Some(1200),
        ..Progress::default()
    };
    assert_eq!(xlsx.fraction(), Some(0.25));
    // A text search can leave fewer rows than expected, and multi-line answers add breaks:
    // never past 100%.
    let over = Progress {
        lines: 500,
        rows: Some(10),
        ..Progress::default()
    };
    assert_eq!(over.fraction(), Some(1.0));
    assert_eq!(Progress::default().fraction(), None);
}

#[wasm_bindgen_test]
fn a_history_says_what_each_change_did() {
    use super::data::change_details;
    use super::live::Change;
    let questions = super::data::answerable(&form());
    let change = |action: &str, before: Option<Value>| Change {
        at: 0,
        by: "editor".into(),
        action: action.into(),
        before: before.map(|b| b.as_object().unwrap().clone()),
    };
    let changes = vec![
        change("submitted", None),
        change("edited", Some(json!({"name": "李雷", "masks": 100}))),
        change("corrected", Some(json!({"name": "李雷", "masks": 120}))),
    ];
    let now = json!({"name": "李雷", "masks": 120, "away": true});
    let details = change_details(&questions, &changes, now.as_object().unwrap(), "en");
    assert!(details[0].is_empty(), "a submission changes nothing");
    assert_eq!(details[1], ["Masks: 100 → 120"]);
    assert_eq!(details[2], ["Away: — → Yes"]);
}
