//! A form's version: which questions a response was filled in on. It is a hash of the
//! questions as the API shows them (their JSON, in order), so the browser and the server, which
//! both read the form through this crate, name the same questions with the same version, and any
//! change to a question (its wording, whether it is required, its choices, its limits, its
//! condition, its place) makes a new one. The form's title, description and settings are not
//! part of it: they do not change what an answer must be.

use super::model::Question;

/// The version of a form with `questions`: 16 lowercase hex digits (64-bit FNV-1a of their
/// JSON). A fixed function of the questions, never of the time or the machine.
pub fn version_of(questions: &[Question]) -> String {
    // Serialising plain structs, strings and numbers cannot fail.
    let json = serde_json::to_vec(questions).unwrap_or_default();
    format!("{:016x}", fnv1a(&json))
}

/// 64-bit FNV-1a: tiny, dependency-free and the same on every target. Not a defence against
/// someone crafting collisions, which would only let them label their own answers.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{templates, Choice, FormDef, QuestionType};

    fn checkin() -> FormDef {
        templates::template("health-checkin", "en").unwrap()
    }

    #[test]
    fn fnv1a_matches_its_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_same_questions_have_the_same_version_after_a_trip_through_json() {
        let form = checkin();
        let version = version_of(&form.questions);
        assert_eq!(version.len(), 16);
        assert!(version.bytes().all(|b| b.is_ascii_hexdigit()));
        // What the browser does with the server's reply: parse it, and hash again.
        let json = serde_json::to_string(&form).unwrap();
        let parsed: FormDef = serde_json::from_str(&json).unwrap();
        assert_eq!(version_of(&parsed.questions), version);
        // Settings and wording outside the questions do not change it.
        let mut retitled = form.clone();
        retitled.title.en = "Morning check-in".into();
        retitled.description.push("Thank you.".into());
        retitled.deadline = Some(1);
        assert_eq!(version_of(&retitled.questions), version);
    }

    #[test]
    fn every_change_to_a_question_makes_a_new_version() {
        let form = checkin();
        let version = version_of(&form.questions);
        let changed = |change: &dyn Fn(&mut FormDef)| {
            let mut form = form.clone();
            change(&mut form);
            version_of(&form.questions)
        };
        let notes = |f: &mut FormDef| -> usize {
            f.questions.iter().position(|q| q.id == "notes").unwrap()
        };
        let symptoms = |f: &mut FormDef| -> usize {
            f.questions.iter().position(|q| q.id == "symptoms").unwrap()
        };
        let versions = [
            changed(&|f| {
                let i = notes(f);
                f.questions[i].required = true;
            }),
            changed(&|f| {
                let i = symptoms(f);
                f.questions[i].options.pop();
            }),
            changed(&|f| {
                let i = symptoms(f);
                f.questions[i]
                    .options
                    .push(Choice::new("rash", "皮疹", "Rash"));
            }),
            changed(&|f| f.questions[0].label.en.push('!')),
            changed(&|f| f.questions.swap(0, 1)),
            changed(&|f| {
                f.questions
                    .push(crate::form::Question::new("q9", QuestionType::Text, "", ""));
            }),
            changed(&|f| {
                f.questions.pop();
            }),
        ];
        for (i, v) in versions.iter().enumerate() {
            assert_ne!(v, &version, "change {i} kept the version");
        }
        let distinct: std::collections::BTreeSet<_> = versions.iter().collect();
        assert_eq!(distinct.len(), versions.len());
    }

    #[test]
    fn a_form_read_from_its_document_carries_its_version() {
        let form = checkin();
        let doc = crate::new_doc(2);
        let update = crate::form::crdt::form_update(&form);
        {
            use yrs::updates::decoder::Decode;
            use yrs::Transact;
            let mut txn = doc.transact_mut();
            txn.apply_update(yrs::Update::decode_v1(&update).unwrap())
                .unwrap();
        }
        let read = crate::form::read_form(&doc).unwrap();
        assert_eq!(read.version, version_of(&form.questions));
    }

    #[test]
    fn the_version_is_stable_across_releases() {
        // Queued answers name the version they were filled in on; if this function changed,
        // every answer waiting on a phone would look filled in on an older form.
        let questions =
            vec![
                crate::form::Question::new("t", QuestionType::Number, "体温", "Temperature")
                    .required()
                    .with_range(35.0, 42.0, 1),
            ];
        assert_eq!(
            serde_json::to_string(&questions).unwrap(),
            r#"[{"id":"t","type":"number","label":{"zh":"体温","en":"Temperature"},"required":true,"min":35.0,"max":42.0,"decimals":1}]"#
        );
        assert_eq!(version_of(&questions), "153a6d9f73c18045");
    }
}
