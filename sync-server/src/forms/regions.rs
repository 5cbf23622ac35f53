//! The division table (GB/T 2260) that region answers are checked against: the app's own
//! `pca-code.json`, read once from the assets folder when the server starts. Without it (the
//! app not built) region answers are checked for their shape only.

use std::path::Path;
use std::sync::Arc;

use gather_doc::form::regions::Regions;
use gather_doc::form::{AnswerErrors, Answers, FormDef, QuestionType};

/// The file name trunk copies the table to.
pub const FILE: &str = "pca-code.json";

/// Reads `assets/pca-code.json`; `None` (with a warning) when it is missing or unreadable.
pub fn load(assets: &Path) -> Option<Arc<Regions>> {
    let path = assets.join(FILE);
    let json = match std::fs::read_to_string(&path) {
        Ok(json) => json,
        Err(error) => {
            tracing::warn!(
                path = %path.display(),
                %error,
                "no division table: region codes are not checked"
            );
            return None;
        }
    };
    match Regions::from_json(&json) {
        Ok(regions) => {
            tracing::info!(divisions = regions.len(), "division table loaded");
            Some(Arc::new(regions))
        }
        Err(error) => {
            tracing::warn!(
                path = %path.display(),
                %error,
                "unreadable division table: region codes are not checked"
            );
            None
        }
    }
}

/// Checks the region answers among `clean` (answers that passed validation) against the table:
/// a code must be known and go with the answer's names. Returns `clean` unchanged, or an error
/// per region question that failed.
pub fn check_answers(
    regions: Option<&Regions>,
    form: &FormDef,
    clean: Answers,
) -> Result<Answers, AnswerErrors> {
    let Some(regions) = regions else {
        return Ok(clean);
    };
    let errors: AnswerErrors = form
        .questions
        .iter()
        .filter(|q| q.kind == QuestionType::Region)
        .filter_map(|q| {
            let answer = clean.get(&q.id)?;
            regions.check(answer).err().map(|e| (q.id.clone(), e))
        })
        .collect();
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use gather_doc::form::Question;
    use serde_json::json;

    use super::*;

    const SAMPLE: &str = r#"[{"code": "42", "name": "湖北省", "children": [
        {"code": "4201", "name": "武汉市", "children": [{"code": "420106", "name": "武昌区"}]}]}]"#;

    fn form() -> FormDef {
        FormDef {
            questions: vec![
                Question::new("home", QuestionType::Region, "家", "Home"),
                Question::new("name", QuestionType::Text, "姓名", "Name"),
            ],
            ..FormDef::default()
        }
    }

    #[test]
    fn region_codes_are_checked_when_the_table_is_there() {
        let regions = Regions::from_json(SAMPLE).unwrap();
        let good = Answers::from([
            (
                "home".to_owned(),
                json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420106"}),
            ),
            ("name".to_owned(), json!("李雷")),
        ]);
        assert_eq!(
            check_answers(Some(&regions), &form(), good.clone()),
            Ok(good)
        );
        let wrong = Answers::from([(
            "home".to_owned(),
            json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420107"}),
        )]);
        let errors = check_answers(Some(&regions), &form(), wrong.clone()).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["home"]);
        // Without the table only the shape (validate's) counts.
        assert_eq!(check_answers(None, &form(), wrong.clone()), Ok(wrong));
    }

    #[test]
    fn a_missing_table_is_no_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).is_none());
        std::fs::write(dir.path().join(FILE), "not json").unwrap();
        assert!(load(dir.path()).is_none());
        std::fs::write(dir.path().join(FILE), SAMPLE).unwrap();
        assert_eq!(load(dir.path()).unwrap().len(), 3);
    }
}
