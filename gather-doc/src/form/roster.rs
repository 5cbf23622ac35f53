//! The roster of a form: the people expected to answer it (students of a school, staff of a
//! department), each with an id, a name and a group (class, department). Imported from a CSV
//! file as a spreadsheet saves it; a bad file is refused whole, with an error naming each bad
//! line, so nothing is half-imported.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Most people on one roster.
pub const MAX_PEOPLE: usize = 20_000;
/// Most characters of an id, a name or a group.
const MAX_FIELD: usize = 100;

/// One person on a roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
}

/// What is wrong with one line of a roster file (line 1 is the heading).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterError {
    pub line: usize,
    pub zh: String,
    pub en: String,
}

impl RosterError {
    fn new(line: usize, zh: impl Into<String>, en: impl Into<String>) -> RosterError {
        RosterError {
            line,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Reads a roster from CSV text with a heading line naming the columns: `id`, `name`, `group`
/// (or 学号/编号/工号, 姓名, 班级/分组/部门; any order, other columns ignored). A UTF-8 BOM,
/// quoted fields and `\r\n` line ends, as Excel writes them, are fine.
pub fn parse_csv(text: &str) -> Result<Vec<Person>, Vec<RosterError>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = records(text).into_iter();
    let Some((_, heading)) = lines.next() else {
        return Err(vec![RosterError::new(1, "文件是空的", "The file is empty")]);
    };
    let column = |names: &[&str]| {
        heading
            .iter()
            .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
    };
    let id_at = column(&["id", "person_id", "学号", "编号", "工号", "证件号"]);
    let name_at = column(&["name", "姓名", "名字"]);
    let group_at = column(&["group", "class", "班级", "分组", "部门", "组别"]);
    let (Some(id_at), Some(name_at)) = (id_at, name_at) else {
        return Err(vec![RosterError::new(
            1,
            "第一行须为标题，至少包含“学号”（或 id）和“姓名”（或 name）两列",
            "The first line must be a heading with at least the columns id and name",
        )]);
    };
    let mut people = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, fields) in lines {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |at: Option<usize>| {
            at.and_then(|i| fields.get(i))
                .map(|f| f.trim().to_owned())
                .unwrap_or_default()
        };
        let (id, name, group) = (field(Some(id_at)), field(Some(name_at)), field(group_at));
        if id.is_empty() {
            errors.push(RosterError::new(
                line,
                "缺少学号（id）",
                "The id is missing",
            ));
            continue;
        }
        if name.is_empty() {
            errors.push(RosterError::new(line, "缺少姓名", "The name is missing"));
            continue;
        }
        if [&id, &name, &group]
            .iter()
            .any(|f| f.chars().count() > MAX_FIELD)
        {
            errors.push(RosterError::new(
                line,
                format!("内容过长（每项最多 {MAX_FIELD} 个字）"),
                format!("A field is too long (at most {MAX_FIELD} characters)"),
            ));
            continue;
        }
        if let Some(first) = seen.get(&id) {
            errors.push(RosterError::new(
                line,
                format!("学号 {id} 与第 {first} 行重复"),
                format!("The id {id} is already on line {first}"),
            ));
            continue;
        }
        seen.insert(id.clone(), line);
        people.push(Person { id, name, group });
    }
    if people.len() > MAX_PEOPLE {
        errors.push(RosterError::new(
            1,
            format!("名单最多 {MAX_PEOPLE} 人"),
            format!("A roster holds at most {MAX_PEOPLE} people"),
        ));
    }
    if people.is_empty() && errors.is_empty() {
        errors.push(RosterError::new(
            2,
            "名单里没有人",
            "The roster has nobody on it",
        ));
    }
    if errors.is_empty() {
        Ok(people)
    } else {
        Err(errors)
    }
}

/// The records of CSV `text` with the line each starts on (a quoted field may span lines).
fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',' | '\t') => fields.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    out
}

/// The roster as CSV (UTF-8 with BOM, for Excel), the shape [`parse_csv`] reads.
pub fn to_csv(people: &[Person]) -> String {
    let mut out = String::from("\u{feff}id,name,group\r\n");
    for p in people {
        let quote = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        out.push_str(&format!(
            "{},{},{}\r\n",
            quote(&p.id),
            quote(&p.name),
            quote(&p.group)
        ));
    }
    out
}
