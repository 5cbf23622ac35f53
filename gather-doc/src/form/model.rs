//! The form definition as integrators see it at `GET /api/forms/{doc_id}`: plain serde types,
//! read from and written to the document's `form` and `questions` roots by [`super::crdt`].

use serde::{Deserialize, Serialize};

/// Text in both interface languages. Either may be empty; [`Bilingual::get`] falls back to the
/// other language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bilingual {
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: &str, en: &str) -> Bilingual {
        Bilingual {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang` (`"zh"` or `"en"`), or the other language's when that one is empty.
    pub fn get(&self, lang: &str) -> &str {
        let (first, second) = if lang == "zh" {
            (&self.zh, &self.en)
        } else {
            (&self.en, &self.zh)
        };
        if first.is_empty() {
            second
        } else {
            first
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }
}

/// Whether a form takes responses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStatus {
    #[default]
    Open,
    Closed,
}

/// A whole form: what a respondent may see, never anyone's answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormDef {
    /// The document id (filled in by the server).
    #[serde(default)]
    pub id: String,
    /// Which questions these are ([`super::version::version_of`]), filled in when the form is
    /// read from its document: a response names the version it was filled in on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default)]
    pub title: Bilingual,
    /// The description as plain paragraphs (the rich text lives in the document body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub description: Vec<String>,
    #[serde(default)]
    pub status: FormStatus,
    /// Responses are refused from this instant on (milliseconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<i64>,
    #[serde(default)]
    pub questions: Vec<Question>,
    /// How often one person may answer (a daily check-in: once a day).
    #[serde(default, skip_serializing_if = "Frequency::is_any")]
    pub frequency: Frequency,
    /// The form's time zone, as minutes east of UTC: where its days begin (China: 480).
    #[serde(default = "china_offset")]
    pub utc_offset_minutes: i64,
    /// Which questions say who is answering, matched against the roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster_fields: Option<RosterFields>,
    /// Answers the organisers must see at once (a fever, contact with a case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<super::alerts::AlertRule>,
    /// A supply register's questions: what, how many, where to, and how far along.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplies: Option<Supplies>,
}

/// The questions of a supply register (donations pledged to hospitals, hospital requests) that
/// the totals add up and the status workflow moves along.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplies {
    /// A choice question: the item (N95 masks, protective suits…).
    pub item: String,
    /// A number question: how many.
    pub quantity: String,
    /// Where they go (a hospital), if the form asks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    /// A single choice whose options, in order, are the stages (pledged → in transit →
    /// received → distributed), if the form tracks them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

impl Default for FormDef {
    fn default() -> FormDef {
        FormDef {
            id: String::new(),
            version: String::new(),
            title: Bilingual::default(),
            description: Vec::new(),
            status: FormStatus::Open,
            deadline: None,
            questions: Vec::new(),
            frequency: Frequency::Any,
            utc_offset_minutes: china_offset(),
            roster_fields: None,
            alerts: Vec::new(),
            supplies: None,
        }
    }
}

fn china_offset() -> i64 {
    super::display::CST_OFFSET_MINUTES
}

/// How often one person may answer a form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// As often as they like (a supply register).
    #[default]
    Any,
    /// Once: a second response replaces the first.
    Once,
    /// Once a day in the form's time zone: a second response that day replaces the first.
    Daily,
}

impl Frequency {
    pub fn is_any(&self) -> bool {
        *self == Frequency::Any
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Any => "any",
            Frequency::Once => "once",
            Frequency::Daily => "daily",
        }
    }

    pub fn parse(name: &str) -> Frequency {
        match name {
            "once" => Frequency::Once,
            "daily" => Frequency::Daily,
            _ => Frequency::Any,
        }
    }
}

/// The questions that identify a respondent: the person id (checked against the roster when
/// the link is shared), and the name and group a personal link fills in and locks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterFields {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

impl FormDef {
    /// The day (`YYYY-MM-DD`) that instant `ms` falls on in the form's time zone.
    pub fn day_of(&self, ms: i64) -> String {
        let mut day = super::display::format_time(ms, self.utc_offset_minutes);
        day.truncate(10);
        day
    }

    /// Whether the form takes responses at `now_ms`.
    pub fn accepts_at(&self, now_ms: i64) -> bool {
        self.status == FormStatus::Open && self.deadline.is_none_or(|d| now_ms < d)
    }

    /// The form split into pages, as ranges of `questions`: every section heading starts a new
    /// page (as in Google Forms). Questions before the first heading make the first page; a
    /// form without headings is one page.
    pub fn pages(&self) -> Vec<std::ops::Range<usize>> {
        let mut starts: Vec<usize> = self
            .questions
            .iter()
            .enumerate()
            .filter(|(i, q)| *i > 0 && q.kind == QuestionType::Section)
            .map(|(i, _)| i)
            .collect();
        starts.insert(0, 0);
        starts.push(self.questions.len());
        starts
            .windows(2)
            .map(|w| w[0]..w[1])
            .filter(|r| !r.is_empty())
            .collect()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// What kind of answer a question takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    #[default]
    Text,
    LongText,
    Number,
    SingleChoice,
    MultipleChoice,
    YesNo,
    Date,
    Time,
    Phone,
    IdNumber,
    Region,
    Rating,
    /// A picture (a health-code screenshot, a photo of a delivery): the answer is the id of a
    /// photo uploaded to the server first (see [`is_photo_id`]).
    Photo,
    /// A heading that starts a new section (and page); takes no answer.
    Section,
}

impl QuestionType {
    pub const ALL: [QuestionType; 14] = [
        QuestionType::Text,
        QuestionType::LongText,
        QuestionType::Number,
        QuestionType::SingleChoice,
        QuestionType::MultipleChoice,
        QuestionType::YesNo,
        QuestionType::Date,
        QuestionType::Time,
        QuestionType::Phone,
        QuestionType::IdNumber,
        QuestionType::Region,
        QuestionType::Rating,
        QuestionType::Photo,
        QuestionType::Section,
    ];

    /// The name used in JSON and in the document (`single_choice`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::Text => "text",
            QuestionType::LongText => "long_text",
            QuestionType::Number => "number",
            QuestionType::SingleChoice => "single_choice",
            QuestionType::MultipleChoice => "multiple_choice",
            QuestionType::YesNo => "yes_no",
            QuestionType::Date => "date",
            QuestionType::Time => "time",
            QuestionType::Phone => "phone",
            QuestionType::IdNumber => "id_number",
            QuestionType::Region => "region",
            QuestionType::Rating => "rating",
            QuestionType::Photo => "photo",
            QuestionType::Section => "section",
        }
    }

    pub fn parse(name: &str) -> Option<QuestionType> {
        QuestionType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn has_options(self) -> bool {
        matches!(
            self,
            QuestionType::SingleChoice | QuestionType::MultipleChoice
        )
    }

    pub fn takes_answer(self) -> bool {
        self != QuestionType::Section
    }
}

/// Whether `id` has the shape of a photo id the server hands out: 32 lowercase hex digits
/// (128 random bits, so knowing one is the right to read it back).
pub fn is_photo_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One choice of a single- or multiple-choice question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    #[serde(default)]
    pub label: Bilingual,
    /// Choosing this one excludes every other choice ("none of these").
    #[serde(default, skip_serializing_if = "is_false")]
    pub exclusive: bool,
    /// "Other, please specify": the answer must carry the respondent's text.
    #[serde(default, skip_serializing_if = "is_false")]
    pub other: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Which ID-number check applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// The 18-character mainland resident ID with its GB 11643 check digit.
    #[default]
    Resident,
    /// Only the question's `pattern`.
    Other,
}

/// When a question is shown: a condition on an earlier answer, or all / any of several.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShowIf {
    /// Shown when question `question` was answered with one of `one_of` (for a multiple choice,
    /// when any chosen value is in the list; for yes/no, `"yes"` or `"no"`).
    Answer {
        question: String,
        one_of: Vec<String>,
    },
    All {
        all: Vec<ShowIf>,
    },
    Any {
        any: Vec<ShowIf>,
    },
}

/// One question (or section heading) of a form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionType,
    #[serde(default)]
    pub label: Bilingual,
    #[serde(default, skip_serializing_if = "Bilingual::is_empty")]
    pub help: Bilingual,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Number: smallest value; rating: unused; text: fewest characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number: largest value; rating: number of stars (default 5); text: most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Number: most digits after the decimal point (0 means whole numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
    /// Text and ID number: a regular expression the whole answer must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_kind: Option<IdKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
}

impl Question {
    pub fn new(id: &str, kind: QuestionType, zh: &str, en: &str) -> Question {
        Question {
            id: id.into(),
            kind,
            label: Bilingual::new(zh, en),
            ..Question::default()
        }
    }

    pub fn required(mut self) -> Question {
        self.required = true;
        self
    }

    pub fn with_options(mut self, options: Vec<Choice>) -> Question {
        self.options = options;
        self
    }

    pub fn with_range(mut self, min: f64, max: f64, decimals: u32) -> Question {
        self.min = Some(min);
        self.max = Some(max);
        self.decimals = Some(decimals);
        self
    }

    pub fn with_help(mut self, zh: &str, en: &str) -> Question {
        self.help = Bilingual::new(zh, en);
        self
    }

    pub fn shown_if(mut self, show_if: ShowIf) -> Question {
        self.show_if = Some(show_if);
        self
    }

    pub fn choice(&self, value: &str) -> Option<&Choice> {
        self.options.iter().find(|c| c.value == value)
    }
}

impl Choice {
    pub fn new(value: &str, zh: &str, en: &str) -> Choice {
        Choice {
            value: value.into(),
            label: Bilingual::new(zh, en),
            ..Choice::default()
        }
    }

    pub fn exclusive(mut self) -> Choice {
        self.exclusive = true;
        self
    }

    pub fn other(mut self) -> Choice {
        self.other = true;
        self
    }
}
