//! The form builder's words, in both languages.

use gather_doc::form::QuestionType;

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug)]
pub enum Text {
    FormSettings,
    TitleZh,
    TitleEn,
    Accepting,
    Closed,
    Deadline,
    Questions,
    NoQuestions,
    AddQuestion,
    QuestionType,
    LabelZh,
    LabelEn,
    HelpZh,
    HelpEn,
    Required,
    Options,
    OptionZh,
    OptionEn,
    AddOption,
    RemoveOption,
    Exclusive,
    Other,
    Min,
    Max,
    Decimals,
    Stars,
    MaxChars,
    Pattern,
    ResidentId,
    ShowIf,
    Always,
    IsOneOf,
    MoveUp,
    MoveDown,
    Duplicate,
    Remove,
    ConfirmRemove,
    Preview,
    EditForm,
    Totals,
    Frequency,
    FrequencyAny,
    FrequencyOnce,
    FrequencyDaily,
    RosterFieldsNote,
    RosterId,
    RosterName,
    RosterGroup,
    NoField,
    Today,
    Roster,
    Responses,
    FormDescription,
    MoreSettings,
    BadPattern,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    let zh = lang == Lang::Zh;
    let (z, e) = match key {
        FormSettings => ("表单设置", "Form settings"),
        TitleZh => ("标题（中文）", "Title (Chinese)"),
        TitleEn => ("标题（英文）", "Title (English)"),
        Accepting => ("正在收集", "Accepting responses"),
        Closed => ("已停止收集", "Closed"),
        Deadline => ("截止时间", "Deadline"),
        Questions => ("题目", "Questions"),
        NoQuestions => (
            "还没有题目。在下面选择题型并添加。",
            "No questions yet. Pick a type below and add one.",
        ),
        AddQuestion => ("添加题目", "Add question"),
        QuestionType => ("题型", "Question type"),
        LabelZh => ("题目（中文）", "Question (Chinese)"),
        LabelEn => ("题目（英文）", "Question (English)"),
        HelpZh => ("说明（中文）", "Help text (Chinese)"),
        HelpEn => ("说明（英文）", "Help text (English)"),
        Required => ("必答", "Required"),
        Options => ("选项", "Options"),
        OptionZh => ("选项（中文）", "Option (Chinese)"),
        OptionEn => ("选项（英文）", "Option (English)"),
        AddOption => ("添加选项", "Add option"),
        RemoveOption => ("删除选项", "Remove option"),
        Exclusive => ("排他（如“无”）", "Excludes others (e.g. “none”)"),
        Other => ("需填写具体内容（“其他”）", "Asks to specify (“other”)"),
        Min => ("最小值", "Minimum"),
        Max => ("最大值", "Maximum"),
        Decimals => ("小数位数", "Decimal places"),
        Stars => ("星级数", "Number of stars"),
        MaxChars => ("最多字数", "Most characters"),
        Pattern => ("格式（正则表达式）", "Format (regular expression)"),
        ResidentId => ("校验居民身份证号码", "Check as a resident ID number"),
        ShowIf => ("显示条件", "Show this question"),
        Always => ("总是显示", "Always"),
        IsOneOf => ("当此题的答案是", "Only when this answer is"),
        MoveUp => ("上移", "Move up"),
        MoveDown => ("下移", "Move down"),
        Duplicate => ("复制", "Duplicate"),
        Remove => ("删除", "Delete"),
        ConfirmRemove => (
            "删除这道题？已收到的答案仍保留在回复中。",
            "Delete this question? Answers already received stay in the responses.",
        ),
        Preview => ("预览并填写", "Preview and fill in"),
        EditForm => ("编辑表单", "Edit form"),
        Responses => ("回复", "Responses"),
        Frequency => ("每人可提交", "Each person answers"),
        FrequencyAny => ("不限次数", "As often as they like"),
        FrequencyOnce => ("一次（再次提交会替换）", "Once (a new answer replaces it)"),
        FrequencyDaily => ("每天一次（当天再次提交会替换）", "Once a day (a new answer that day replaces it)"),
        RosterFieldsNote => (
            "与名单对应的题目：专属链接会自动填好这些题；共享链接填写的编号须在名单中。",
            "Questions matched with the roster: personal links fill them in; on a shared link the id must be on the roster.",
        ),
        RosterId => ("编号（学号）题", "ID question"),
        RosterName => ("姓名题", "Name question"),
        RosterGroup => ("班级 / 分组题", "Group question"),
        NoField => ("（无）", "(none)"),
        Today => ("每日情况", "By day"),
        Totals => ("汇总", "Totals"),
        Roster => ("名单", "Roster"),
        FormDescription => (
            "表单说明（填写者会看到）",
            "Description (respondents see it)",
        ),
        MoreSettings => ("更多设置", "More settings"),
        BadPattern => ("格式无效，暂不校验", "Invalid format; it is not checked"),
    };
    if zh {
        z
    } else {
        e
    }
}

/// A question type's name.
pub fn type_name(lang: Lang, kind: QuestionType) -> &'static str {
    let (z, e) = match kind {
        QuestionType::Text => ("单行文字", "Short text"),
        QuestionType::LongText => ("多行文字", "Long text"),
        QuestionType::Number => ("数字", "Number"),
        QuestionType::SingleChoice => ("单选", "Single choice"),
        QuestionType::MultipleChoice => ("多选", "Multiple choice"),
        QuestionType::YesNo => ("是 / 否", "Yes / no"),
        QuestionType::Date => ("日期", "Date"),
        QuestionType::Time => ("时间", "Time"),
        QuestionType::Phone => ("手机号码", "Mobile number"),
        QuestionType::IdNumber => ("证件号码", "ID number"),
        QuestionType::Region => ("地区", "Region"),
        QuestionType::Rating => ("评分", "Rating"),
        QuestionType::Photo => ("照片", "Photo"),
        QuestionType::Section => ("分节标题", "Section heading"),
    };
    if lang == Lang::Zh {
        z
    } else {
        e
    }
}
