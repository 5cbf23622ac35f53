//! Native tests of forms: the CRDT binding and validation of every question type.

use serde_json::{json, Map, Value};

use super::crdt::{self, FormRoots};
use super::*;
use yrs::Transact;

fn answers(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn checkin() -> FormDef {
    templates::template("health-checkin", "en").unwrap()
}

fn good_checkin() -> Value {
    json!({
        "name": "李雷", "student_id": "20200101", "class": "三年二班",
        "temperature": 36.6, "symptoms": ["none"],
        "district": {"province": "湖北省", "city": "武汉市", "district": "武昌区"},
        "contact": false
    })
}

#[test]
fn a_form_round_trips_through_the_document() {
    let form = checkin();
    let doc = crate::new_doc(1);
    let roots = FormRoots::of(&doc);
    {
        let mut txn = doc.transact_mut();
        crdt::write_form(&mut txn, &roots, &form);
    }
    let read = read_form(&doc).unwrap();
    assert_eq!(read.questions, form.questions);
    assert_eq!(read.title, form.title);
    assert!(
        read_form(&crate::new_doc(2)).is_none(),
        "an empty document is no form"
    );
}

#[test]
fn concurrent_edits_of_different_fields_both_survive() {
    let a = crate::new_doc(1);
    let b = crate::new_doc(2);
    let roots_a = FormRoots::of(&a);
    let roots_b = FormRoots::of(&b);
    crdt::write_form(&mut a.transact_mut(), &roots_a, &checkin());
    sync(&a, &b);
    let mut qa = read_form(&a).unwrap().questions[3].clone();
    let mut qb = qa.clone();
    qa.label.zh = "体温".into();
    qb.max = Some(41.0);
    crdt::update_question(&mut a.transact_mut(), &roots_a, &qa);
    crdt::update_question(&mut b.transact_mut(), &roots_b, &qb);
    sync(&a, &b);
    crdt::move_question(&mut b.transact_mut(), &roots_b, "temperature", 0);
    sync(&a, &b);
    let merged = read_form(&a).unwrap();
    assert_eq!(merged, read_form(&b).unwrap());
    let t = &merged.questions[0];
    assert_eq!(
        (t.id.as_str(), t.label.zh.as_str(), t.max),
        ("temperature", "体温", Some(41.0))
    );
}

fn sync(a: &yrs::Doc, b: &yrs::Doc) {
    use yrs::updates::decoder::Decode;
    use yrs::{ReadTxn, StateVector, Update};
    let ua = a
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let ub = b
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    b.transact_mut()
        .apply_update(Update::decode_v1(&ua).unwrap())
        .unwrap();
    a.transact_mut()
        .apply_update(Update::decode_v1(&ub).unwrap())
        .unwrap();
}

#[test]
fn a_good_checkin_is_accepted_and_normalized() {
    let clean = validate(&checkin(), &answers(good_checkin())).unwrap();
    assert_eq!(clean["symptoms"], json!(["none"]));
    assert_eq!(clean["contact"], json!(false));
    assert!(!clean.contains_key("contact_details"));
}

#[test]
fn each_bad_answer_gets_its_own_error_in_both_languages() {
    let mut bad = good_checkin();
    bad["temperature"] = json!(43.2);
    bad["symptoms"] = json!(["fever", "none"]);
    bad["name"] = json!("  ");
    let errors = validate(&checkin(), &answers(bad)).unwrap_err();
    assert_eq!(errors["temperature"].code, "range");
    assert!(
        errors["temperature"].zh.contains("35"),
        "{:?}",
        errors["temperature"]
    );
    assert_eq!(errors["symptoms"].code, "exclusive");
    assert!(errors["symptoms"].en.contains("None"));
    assert_eq!(errors["name"].code, "required");
    assert_eq!(errors.len(), 3);
}

#[test]
fn decimals_are_checked_as_written() {
    let mut bad = good_checkin();
    bad["temperature"] = json!(36.65);
    let errors = validate(&checkin(), &answers(bad)).unwrap_err();
    assert_eq!(errors["temperature"].code, "decimals");
    let mut ok = good_checkin();
    ok["temperature"] = json!("37.0");
    assert_eq!(
        validate(&checkin(), &answers(ok)).unwrap()["temperature"],
        json!(37)
    );
}

#[test]
fn conditional_questions_are_required_only_when_shown_and_dropped_when_hidden() {
    let mut shown = good_checkin();
    shown["contact"] = json!(true);
    let errors = validate(&checkin(), &answers(shown.clone())).unwrap_err();
    assert_eq!(errors["contact_details"].code, "required");
    shown["contact_details"] = json!("同楼层有确诊病例");
    assert!(validate(&checkin(), &answers(shown)).is_ok());
    let mut hidden = good_checkin();
    hidden["contact_details"] = json!("should not be stored");
    let clean = validate(&checkin(), &answers(hidden)).unwrap();
    assert!(!clean.contains_key("contact_details"));
}

fn one(q: Question, value: Value) -> Result<Value, AnswerError> {
    validate::check_one(&q, &value)
}

#[test]
fn every_type_checks_its_answers() {
    let t = |k| Question::new("q", k, "问", "Q");
    assert!(one(t(QuestionType::Phone), json!("138 0013 8000")).is_ok());
    assert_eq!(
        one(t(QuestionType::Phone), json!("12345"))
            .unwrap_err()
            .code,
        "phone"
    );
    assert_eq!(
        one(t(QuestionType::IdNumber), json!("11010519491231002x")).unwrap(),
        json!("11010519491231002X")
    );
    assert_eq!(
        one(t(QuestionType::IdNumber), json!("110105194912310021"))
            .unwrap_err()
            .code,
        "id_number"
    );
    let mut passport = t(QuestionType::IdNumber);
    passport.id_kind = Some(IdKind::Other);
    passport.pattern = Some("[A-Z][0-9]{8}".into());
    assert!(one(passport.clone(), json!("E12345678")).is_ok());
    assert_eq!(one(passport, json!("E1234")).unwrap_err().code, "pattern");
    assert!(one(t(QuestionType::Date), json!("2020-02-03")).is_ok());
    assert_eq!(
        one(t(QuestionType::Date), json!("2020-02-30"))
            .unwrap_err()
            .code,
        "date"
    );
    assert!(one(t(QuestionType::Time), json!("09:00")).is_ok());
    assert_eq!(
        one(t(QuestionType::YesNo), json!("yes")).unwrap(),
        json!(true)
    );
    assert!(one(t(QuestionType::YesNo), json!(1)).is_err());
    assert_eq!(one(t(QuestionType::Rating), json!(5)).unwrap(), json!(5));
    assert_eq!(
        one(t(QuestionType::Rating), json!(6)).unwrap_err().code,
        "rating"
    );
    let photo = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        one(t(QuestionType::Photo), json!(photo)).unwrap(),
        json!(photo)
    );
    for bad in [
        json!("../../etc/passwd"),
        json!(photo.to_uppercase()),
        json!(7),
    ] {
        assert_eq!(one(t(QuestionType::Photo), bad).unwrap_err().code, "photo");
    }
    assert_eq!(
        one(t(QuestionType::Region), json!({"city": "武汉市"}))
            .unwrap_err()
            .code,
        "region"
    );
    let mut short = t(QuestionType::Text);
    short.max = Some(4.0);
    assert_eq!(
        one(short.clone(), json!("武汉加油")).unwrap(),
        json!("武汉加油")
    );
    assert_eq!(
        one(short, json!("武汉加油！")).unwrap_err().code,
        "too_long"
    );
    let mut whole = t(QuestionType::Number);
    whole.decimals = Some(0);
    assert_eq!(
        one(whole.clone(), json!(12.5)).unwrap_err().code,
        "decimals"
    );
    assert_eq!(one(whole.clone(), json!(1e3)).unwrap(), json!(1000));
    assert_eq!(one(whole, json!("twelve")).unwrap_err().code, "wrong_type");
}

#[test]
fn other_please_specify_needs_its_text() {
    let q = Question::new("item", QuestionType::SingleChoice, "物资", "Item").with_options(vec![
        Choice::new("n95", "N95 口罩", "N95 masks"),
        Choice::new("other", "其他", "Other").other(),
    ]);
    assert_eq!(one(q.clone(), json!("n95")).unwrap(), json!("n95"));
    assert_eq!(
        one(q.clone(), json!("other")).unwrap_err().code,
        "other_text"
    );
    assert_eq!(
        one(q.clone(), json!({"value": "other", "text": " 护目镜 "})).unwrap(),
        json!({"value": "other", "text": "护目镜"})
    );
    assert_eq!(one(q, json!("gloves")).unwrap_err().code, "not_an_option");
}

#[test]
fn show_if_combines_with_and_or() {
    let form = FormDef {
        questions: vec![
            Question::new("a", QuestionType::YesNo, "甲", "A"),
            Question::new("b", QuestionType::SingleChoice, "乙", "B")
                .with_options(vec![Choice::new("x", "x", "x"), Choice::new("y", "y", "y")]),
            Question::new("c", QuestionType::Text, "丙", "C")
                .required()
                .shown_if(ShowIf::All {
                    all: vec![
                        ShowIf::Answer {
                            question: "a".into(),
                            one_of: vec!["yes".into()],
                        },
                        ShowIf::Any {
                            any: vec![ShowIf::Answer {
                                question: "b".into(),
                                one_of: vec!["y".into()],
                            }],
                        },
                    ],
                }),
        ],
        ..FormDef::default()
    };
    assert!(validate(&form, &answers(json!({"a": true, "b": "x"}))).is_ok());
    assert!(validate(&form, &answers(json!({"a": true, "b": "y"}))).is_err());
    assert!(validate(&form, &answers(json!({"a": false, "b": "y"}))).is_ok());
    // The JSON grammar integrators write.
    let parsed: ShowIf =
        serde_json::from_value(json!({"any": [{"question": "a", "one_of": ["yes"]}]})).unwrap();
    assert!(matches!(parsed, ShowIf::Any { .. }));
}

#[test]
fn every_template_is_valid_and_bilingual() {
    for name in templates::NAMES {
        let form = templates::template(name, "zh").unwrap();
        assert!(
            !form.title.zh.is_empty() && !form.title.en.is_empty(),
            "{name}"
        );
        let mut ids = std::collections::BTreeSet::new();
        for q in &form.questions {
            assert!(ids.insert(q.id.clone()), "{name}: duplicate id {}", q.id);
            assert!(
                !q.label.zh.is_empty() && !q.label.en.is_empty(),
                "{name}: {}",
                q.id
            );
            for c in &q.options {
                assert!(
                    !c.label.zh.is_empty() && !c.label.en.is_empty(),
                    "{name}: {}",
                    c.value
                );
            }
        }
    }
    assert!(templates::template("nope", "zh").is_none());
}

#[test]
fn every_section_heading_starts_a_page() {
    let q = |id: &str, kind| Question::new(id, kind, id, id);
    let form = |questions| FormDef {
        questions,
        ..FormDef::default()
    };
    let plain = form(vec![q("a", QuestionType::Text), q("b", QuestionType::Text)]);
    assert_eq!(plain.pages(), vec![0..2]);
    let sections = form(vec![
        q("s1", QuestionType::Section),
        q("a", QuestionType::Text),
        q("s2", QuestionType::Section),
        q("b", QuestionType::Text),
        q("c", QuestionType::Text),
    ]);
    assert_eq!(sections.pages(), vec![0..2, 2..5]);
    let lead = form(vec![
        q("a", QuestionType::Text),
        q("s", QuestionType::Section),
    ]);
    assert_eq!(lead.pages(), vec![0..1, 1..2]);
    assert!(form(vec![]).pages().is_empty());
}

#[test]
fn a_correction_keeps_the_numbers_it_only_saw_masked() {
    let form = templates::template("supply-donation", "zh").unwrap();
    let stored = json!({"donor": "李雷", "phone": "13800138000"});
    let mut sent = answers(json!({"donor": "李雷（更正）", "phone": "138****8000"}));
    display::restore_masked(&form, &mut sent, &stored);
    assert_eq!(sent["phone"], "13800138000");
    assert_eq!(sent["donor"], "李雷（更正）");
    // A number typed again replaces it; masked-looking text elsewhere is left alone.
    let mut retyped = answers(json!({"phone": "13912345678"}));
    display::restore_masked(&form, &mut retyped, &stored);
    assert_eq!(retyped["phone"], "13912345678");
}

#[test]
fn the_checkin_raises_alerts_for_fever_symptoms_and_contact() {
    let form = checkin();
    let clean = |v: Value| validate(&form, &answers(v)).unwrap();
    let healthy = clean(good_checkin());
    assert!(alerts::alerts_of(&form, |id| healthy.get(id)).is_empty());
    let mut sick = good_checkin();
    sick["temperature"] = json!(38.1);
    sick["symptoms"] = json!(["cough"]);
    sick["contact"] = json!(true);
    sick["contact_details"] = json!("同桌确诊");
    let sick = clean(sick);
    let raised: Vec<_> = alerts::alerts_of(&form, |id| sick.get(id))
        .into_iter()
        .map(|a| a.question)
        .collect();
    assert_eq!(raised, ["temperature", "symptoms", "contact"]);
    // 37.3 is the line: at it, an alert; below, none.
    let mut edge = good_checkin();
    edge["temperature"] = json!(37.3);
    let at = clean(edge);
    assert_eq!(alerts::alerts_of(&form, |id| at.get(id)).len(), 1);
    let mut below = good_checkin();
    below["temperature"] = json!(37.2);
    let below = clean(below);
    assert!(alerts::alerts_of(&form, |id| below.get(id)).is_empty());
}

#[test]
fn settings_for_rosters_days_and_alerts_round_trip_through_the_document() {
    let form = checkin();
    assert_eq!(form.frequency, Frequency::Daily);
    let doc = crate::new_doc(1);
    let roots = FormRoots::of(&doc);
    crdt::write_form(&mut doc.transact_mut(), &roots, &form);
    let read = read_form(&doc).unwrap();
    assert_eq!(read.frequency, Frequency::Daily);
    assert_eq!(read.utc_offset_minutes, 480);
    assert_eq!(read.roster_fields, form.roster_fields);
    assert_eq!(read.alerts, form.alerts);
}

#[test]
fn days_begin_at_midnight_in_the_forms_time_zone() {
    let mut form = checkin();
    // 2020-02-02 23:59:59 in Beijing is 15:59:59 UTC; a second later it is the 3rd.
    let before = display::day_start_ms("2020-02-03", 480).unwrap() - 1000;
    assert_eq!(form.day_of(before), "2020-02-02");
    assert_eq!(form.day_of(before + 1000), "2020-02-03");
    // The same instants in a form kept on UTC are both on the 2nd.
    form.utc_offset_minutes = 0;
    assert_eq!(form.day_of(before + 1000), "2020-02-02");
}

#[test]
fn a_roster_is_read_from_a_spreadsheet_csv_or_refused_whole() {
    let csv = "\u{feff}学号,姓名,班级\r\n20200101,李雷,三年二班\r\n20200102,\"韩梅梅\",三年二班\r\n\r\n20200201,\"Wang, Lin\",三年三班\r\n";
    let people = roster::parse_csv(csv).unwrap();
    assert_eq!(people.len(), 3);
    assert_eq!(people[1].name, "韩梅梅");
    assert_eq!(people[2].name, "Wang, Lin");
    assert_eq!(people[2].group, "三年三班");
    // It comes back out the same.
    assert_eq!(roster::parse_csv(&roster::to_csv(&people)).unwrap(), people);
    // English headings in another order, no group.
    let people = roster::parse_csv("name,id\nLi Lei,1\n").unwrap();
    assert_eq!((people[0].id.as_str(), people[0].group.as_str()), ("1", ""));

    let bad = "id,name,group\n1,李雷,A\n,无学号,A\n3,,A\n1,重复,B\n";
    let errors = roster::parse_csv(bad).unwrap_err();
    let lines: Vec<_> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(errors[2].zh.contains("第 2 行"), "{}", errors[2].zh);
    assert_eq!(roster::parse_csv("").unwrap_err()[0].line, 1);
    assert_eq!(
        roster::parse_csv("姓名,班级\n李雷,A\n").unwrap_err()[0].line,
        1
    );
}
