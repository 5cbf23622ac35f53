//! Everything the responses view says, in both interface languages.

use crate::i18n::Lang;

/// The language code that [`gather_doc::form::Bilingual::get`] and the display functions take.
pub fn code(lang: Lang) -> &'static str {
    lang.form_code()
}

/// A fixed string of the responses view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Loading,
    NoResponses,
    NoMatches,
    Live,
    Offline,
    Search,
    SearchPlaceholder,
    From,
    To,
    FilterQuestion,
    NoQuestionFilter,
    AnyAnswer,
    Answer,
    ContainsPlaceholder,
    ClearFilters,
    ExportCsv,
    ExportXlsx,
    Exporting,
    ExportHint,
    ExportFileSuffix,
    UntitledForm,
    Reveal,
    RevealNote,
    Receipt,
    Submitted,
    Actions,
    Delete,
    History,
    ConfirmDelete,
    HistoryTitle,
    ViewPhoto,
    KeepFor,
    KeepForever,
    Days,
    Saved,
    DaysRange,
    RetentionNote,
    Resubmitted,
    StatusChanged,
    WhatChanged,
    Correct,
    CorrectTitle,
    CorrectNote,
    SaveCorrection,
    Saving,
    Cancel,
    ErrInvalidAnswers,
    PhotoTitle,
    DownloadPhoto,
    When,
    By,
    Action,
    Close,
    Submission,
    EditedByRespondent,
    Corrected,
    Deleted,
    NoHistory,
    Summary,
    SummaryNote,
    Min,
    Max,
    Mean,
    Yes,
    No,
    ShowMore,
    ErrForbidden,
    ErrRevealForbidden,
    ErrNotAForm,
    ErrLinkInvalid,
    ErrNotFound,
    ErrNetwork,
    ErrOther,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    let zh = lang == Lang::Zh;
    let (zh_text, en_text) = match key {
        Loading => ("正在加载回复…", "Loading responses…"),
        NoResponses => (
            "还没有回复。大家提交后，新回复会自动出现在这里，无需刷新。",
            "No responses yet. New responses appear here by themselves, without reloading.",
        ),
        NoMatches => ("没有符合筛选条件的回复。", "No responses match these filters."),
        Live => ("实时更新", "Live"),
        Offline => (
            "暂时无法连接服务器，正在重试…",
            "Cannot reach the server; retrying…",
        ),
        Search => ("搜索", "Search"),
        SearchPlaceholder => ("姓名、回执编号、答案…", "Name, receipt, answer…"),
        From => ("开始日期", "From"),
        To => ("结束日期", "To"),
        FilterQuestion => ("按题目筛选", "Filter by question"),
        NoQuestionFilter => ("（不筛选）", "(no filter)"),
        AnyAnswer => ("（任意答案）", "(any answer)"),
        Answer => ("答案", "Answer"),
        ContainsPlaceholder => ("包含的文字", "Text it contains"),
        ClearFilters => ("清除筛选", "Clear filters"),
        ExportCsv => ("导出 CSV", "Export CSV"),
        ExportXlsx => ("导出 Excel", "Export Excel"),
        Exporting => ("正在导出…", "Exporting…"),
        ExportHint => (
            "导出当前日期范围和搜索条件下的回复，使用界面语言。",
            "Exports the current date range and search, in the interface language.",
        ),
        ExportFileSuffix => ("回复", "responses"),
        UntitledForm => ("表单", "form"),
        Reveal => ("显示完整身份证号和手机号", "Show full ID and phone numbers"),
        RevealNote => (
            "每次查看都会记录在访问记录中。",
            "Each time is recorded in the activity log.",
        ),
        Receipt => ("回执编号", "Receipt"),
        Submitted => ("提交时间", "Submitted"),
        Actions => ("操作", "Actions"),
        Delete => ("删除", "Delete"),
        History => ("记录", "History"),
        ConfirmDelete => (
            "删除这份回复？删除后无法恢复（修改记录会保留删除人和时间）。",
            "Delete this response? This cannot be undone (its history keeps who deleted it and when).",
        ),
        HistoryTitle => ("修改记录", "Response history"),
        ViewPhoto => ("查看照片", "View photo"),
        KeepFor => ("回复保留", "Keep responses for"),
        KeepForever => ("一直", "ever"),
        Days => ("天", "days"),
        Saved => ("已保存", "Saved"),
        DaysRange => ("请填写 1 到 3650 之间的天数，或留空表示一直保留", "Enter 1 to 3650 days, or leave it empty to keep them"),
        RetentionNote => (
            "超过天数的回复会从服务器上彻底删除，并记入访问记录。",
            "Older responses are deleted from the server for good, and the activity log says so.",
        ),
        Resubmitted => ("当天重新提交", "Submitted again the same day"),
        StatusChanged => ("状态更新", "Status changed"),
        WhatChanged => ("改动", "What changed"),
        Correct => ("更正", "Correct"),
        CorrectTitle => ("更正回复", "Correct response"),
        CorrectNote => (
            "更正会记入这份回复的修改记录（更正人、时间和原答案）。打码的号码不改动则保持原样。",
            "The correction goes into the response's history (who, when and the earlier answers). Masked numbers you leave as they are stay unchanged.",
        ),
        SaveCorrection => ("保存更正", "Save correction"),
        Saving => ("正在保存…", "Saving…"),
        Cancel => ("取消", "Cancel"),
        ErrInvalidAnswers => ("有些答案需要修改，见上方提示。", "Some answers need fixing: see the messages above."),
        PhotoTitle => ("照片", "Photo"),
        DownloadPhoto => ("下载", "Download"),
        When => ("时间", "When"),
        By => ("操作人", "By"),
        Action => ("操作", "Action"),
        Close => ("关闭", "Close"),
        Submission => ("提交", "Submitted"),
        EditedByRespondent => ("填写人修改", "Edited by the respondent"),
        Corrected => ("更正", "Corrected"),
        Deleted => ("删除", "Deleted"),
        NoHistory => ("没有记录。", "No history."),
        Summary => ("汇总", "Summary"),
        SummaryNote => ("按当前筛选的回复统计。", "Of the responses shown."),
        Min => ("最小值", "Min"),
        Max => ("最大值", "Max"),
        Mean => ("平均值", "Mean"),
        Yes => ("是", "Yes"),
        No => ("否", "No"),
        ShowMore => ("显示更多", "Show more"),
        ErrForbidden => ("你的链接不能查看回复。", "Your link cannot see responses."),
        ErrRevealForbidden => (
            "只有所有者可以查看完整号码。",
            "Only an owner may see full numbers.",
        ),
        ErrNotAForm => ("这个文档还不是表单。", "This document is not a form yet."),
        ErrLinkInvalid => (
            "此链接已失效（错误、过期或已被撤销）。",
            "This link is no longer valid (wrong, expired or revoked).",
        ),
        ErrNotFound => (
            "这份回复已不存在（可能已被删除）。",
            "This response no longer exists (it may have been deleted).",
        ),
        ErrNetwork => (
            "无法连接服务器，请检查网络后重试。",
            "Cannot reach the server. Check the connection and try again.",
        ),
        ErrOther => ("服务器出错，请稍后重试。", "The server hit an error. Try again later."),
    };
    if zh {
        zh_text
    } else {
        en_text
    }
}

/// "N responses", or "N of M responses" when filters hide some.
pub fn count_text(lang: Lang, shown: usize, loaded: usize) -> String {
    match (lang, shown == loaded) {
        (Lang::Zh, true) => format!("{shown} 份回复"),
        (Lang::Zh, false) => format!("显示 {shown} 份，共 {loaded} 份回复"),
        (Lang::En, true) if shown == 1 => "1 response".into(),
        (Lang::En, true) => format!("{shown} responses"),
        (Lang::En, false) => format!("{shown} of {loaded} responses"),
    }
}

/// How many people answered a question.
pub fn answered_text(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 人作答"),
        Lang::En => format!("{n} answered"),
    }
}

/// A rating of `n` stars.
pub fn stars_text(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::Zh, _) => format!("{n} 星"),
        (Lang::En, 1) => "1 star".into(),
        (Lang::En, _) => format!("{n} stars"),
    }
}

/// A history entry's action (`submitted`, `edited`, `corrected`, `deleted`).
pub fn action_text(lang: Lang, action: &str) -> String {
    let key = match action {
        "submitted" => Text::Submission,
        "edited" => Text::EditedByRespondent,
        "corrected" => Text::Corrected,
        "deleted" => Text::Deleted,
        "resubmitted" => Text::Resubmitted,
        "status_changed" => Text::StatusChanged,
        other => return other.to_owned(),
    };
    text(lang, key).to_owned()
}

/// What to say when an API call failed with `code`.
pub fn error_text(lang: Lang, code: &str) -> &'static str {
    let key = match code {
        "network" => Text::ErrNetwork,
        "forbidden" => Text::ErrForbidden,
        "reveal_forbidden" => Text::ErrRevealForbidden,
        "not_a_form" => Text::ErrNotAForm,
        "link_invalid" => Text::ErrLinkInvalid,
        "not_found" => Text::ErrNotFound,
        "invalid_answers" => Text::ErrInvalidAnswers,
        _ => Text::ErrOther,
    };
    text(lang, key)
}
