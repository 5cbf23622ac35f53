//! Everything the roster and day views say, in both interface languages.

use crate::i18n::Lang;

/// A fixed string of the roster and day views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Loading,
    NoRoster,
    RosterFormat,
    Upload,
    Replace,
    Uploading,
    RosterFailed,
    People,
    Id,
    Name,
    Link,
    Copy,
    Copied,
    DownloadLinks,
    Print,
    Day,
    Reported,
    Missing,
    Attention,
    NoAttention,
    NothingMissing,
    CopyReminder,
    ExportMissing,
    Others,
    Refresh,
    NoRosterForDay,
    LoadFailed,
    LinksFileSuffix,
    MarkHandled,
    Group,
    AddPerson,
    Remove,
    ConfirmRemove,
    MissingFileSuffix,
}

/// `key` in `lang`.
pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    let (zh, en) = match key {
        Loading => ("正在加载…", "Loading…"),
        NoRoster => (
            "还没有名单。上传名单后，每人会得到一个专属填写链接，表单就知道是谁在填，并能列出每天谁还没填。",
            "No roster yet. Upload one and everybody on it gets a personal link: the form knows who is answering, and lists who has not reported each day.",
        ),
        RosterFormat => (
            "Excel（.xlsx，读取第一个工作表）或 CSV 文件，第一行为标题：学号、姓名、班级（或 id、name、group）。重新上传会替换名单：保留的人链接不变，删除的人链接失效。",
            "An Excel workbook (.xlsx, its first sheet) or a CSV file whose first line is a heading: id, name, group (or 学号, 姓名, 班级). Uploading again replaces the roster: people kept keep their links; removed people's links stop working.",
        ),
        Upload => ("上传名单", "Upload roster"),
        Replace => ("上传新名单", "Upload a new roster"),
        Uploading => ("正在上传…", "Uploading…"),
        RosterFailed => (
            "名单有错误，未做任何更改：",
            "The roster has errors; nothing was changed:",
        ),
        People => ("人", "people"),
        Id => ("学号", "ID"),
        Name => ("姓名", "Name"),
        Link => ("专属链接", "Personal link"),
        Copy => ("复制", "Copy"),
        Copied => ("已复制", "Copied"),
        DownloadLinks => ("下载链接表（CSV）", "Download links (CSV)"),
        Print => ("打印", "Print"),
        Day => ("日期", "Day"),
        Reported => ("已填", "Reported"),
        Missing => ("未填", "Not reported"),
        Attention => ("需关注", "Needs attention"),
        NoAttention => ("没有需要关注的回答。", "No answers need attention."),
        NothingMissing => ("全部已填。", "Everyone has reported."),
        CopyReminder => ("复制提醒", "Copy reminder"),
        ExportMissing => ("导出未填名单", "Export who is missing"),
        Others => ("名单外的回复", "responses from people not on the roster"),
        Refresh => ("刷新", "Refresh"),
        NoRosterForDay => (
            "上传名单后，这里会显示每天谁已填、谁未填。",
            "Upload a roster (Roster tab) to see who has and has not reported each day.",
        ),
        LoadFailed => ("无法加载，请检查网络后重试。", "Could not load. Check your connection and try again."),
        LinksFileSuffix => ("专属链接", "personal-links"),
        MarkHandled => ("标记已处理", "Mark as handled"),
        Group => ("班级 / 分组", "Group"),
        AddPerson => ("添加", "Add"),
        Remove => ("移除", "Remove"),
        ConfirmRemove => (
            "从名单中移除此人？其专属链接将立即失效。",
            "Remove this person from the roster? Their personal link stops working at once.",
        ),
        MissingFileSuffix => ("未填名单", "not-reported"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// "第 3 行：缺少学号" / "Line 3: The id is missing".
pub fn line_error(lang: Lang, line: u64, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => format!("第 {line} 行：{zh}"),
        Lang::En => format!("Line {line}: {en}"),
    }
}

/// The reminder a teacher pastes into the class chat.
pub fn reminder(lang: Lang, form: &str, day: &str, group: &str, names: &[String]) -> String {
    match lang {
        Lang::Zh => format!(
            "【{form}】{day} {group}以下同学尚未填写：{}。请尽快完成，谢谢！",
            names.join("、")
        ),
        Lang::En => format!(
            "[{form}] {day}, {group}: not yet reported: {}. Please fill it in as soon as you can. Thank you!",
            names.join(", ")
        ),
    }
}

/// "已由 王老师 于 09:12 处理" / "Handled by Ms Wang at 09:12".
pub fn cleared_by(lang: Lang, by: &str, at: &str) -> String {
    match lang {
        Lang::Zh => format!("已由 {by} 于 {at} 处理"),
        Lang::En => format!("Handled by {by} at {at}"),
    }
}
