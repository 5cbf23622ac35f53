//! Everything the fill page says to a respondent, in Simplified Chinese and English. The form's
//! own words (title, questions, options) come from the form; these are the page's.

use crate::i18n::Lang;

/// A sentence or label of the fill page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Loading,
    LoadFailed,
    Retry,
    LinkInvalid,
    NotAForm,
    TooManyAttempts,
    FormClosed,
    Untitled,
    RequiredNote,
    Required,
    ChooseAll,
    Yes,
    No,
    PleaseSpecify,
    Province,
    City,
    District,
    Detail,
    Submit,
    Submitting,
    SaveChanges,
    Saving,
    CancelEdit,
    EditingNote,
    KeptOnDevice,
    FixAnswers,
    NotSent,
    ServerError,
    Submitted,
    ChangesSaved,
    SubmittedAt,
    ChangedAt,
    ReceiptCode,
    ReceiptHint,
    Copy,
    Copied,
    CopyFailed,
    EditResponse,
    LoadingResponse,
    ResponseNotLoaded,
    ResponseMissing,
    SubmitAnother,
    PreviewBanner,
    PreviewValid,
    ChooseRegion,
    RegionsLoading,
    RegionNamesInChinese,
    RegionNotListed,
    RegionUseList,
    PhotoPick,
    Waiting,
    TryNow,
    FormChanged,
    PhotoReplace,
    PhotoRemove,
    PhotoUploading,
    PhotoAttached,
    PhotoUnreadable,
    PhotoNotSent,
    PhotoTooMany,
    Next,
    Back,
}

/// `key` in `lang`.
pub fn text(lang: Lang, key: Key) -> &'static str {
    let (zh, en) = match key {
        Key::Loading => ("正在加载表单…", "Loading the form…"),
        Key::PreviewBanner => (
            "预览：这是填写者看到的样子。在这里提交不会保存任何回复。",
            "Preview: this is what respondents see. Submitting here saves no response.",
        ),
        Key::PreviewValid => (
            "预览：答案全部有效，但不会发送。",
            "Preview: all answers are valid, but nothing was sent.",
        ),
        Key::LoadFailed => (
            "无法加载表单，请检查网络后重试。",
            "Could not load the form. Check your connection and try again.",
        ),
        Key::Retry => ("重试", "Try again"),
        Key::LinkInvalid => (
            "此链接无效或已过期。请向发链接给你的人索取新链接。",
            "This link is not valid or has expired. Ask the person who sent it for a new one.",
        ),
        Key::NotAForm => (
            "此链接打开的不是表单。",
            "This link does not lead to a form.",
        ),
        Key::TooManyAttempts => (
            "尝试次数过多，请一分钟后再试。",
            "Too many attempts from your network. Try again in a minute.",
        ),
        Key::FormClosed => (
            "此表单已停止收集，不能再提交或修改回答。",
            "This form is closed: it no longer takes or changes responses.",
        ),
        Key::Untitled => ("未命名表单", "Untitled form"),
        Key::RequiredNote => ("* 为必答题", "* marks a required question"),
        Key::Required => ("此题必答", "This question is required"),
        Key::ChooseAll => ("可多选", "Choose all that apply"),
        Key::Yes => ("是", "Yes"),
        Key::No => ("否", "No"),
        Key::PleaseSpecify => ("请填写具体内容", "Please specify"),
        Key::Province => ("省 / 自治区 / 直辖市", "Province"),
        Key::City => ("市", "City"),
        Key::District => ("区 / 县", "District / county"),
        Key::Detail => ("详细地址（选填）", "Street address (optional)"),
        Key::Submit => ("提交", "Submit"),
        Key::Submitting => ("正在提交…", "Submitting…"),
        Key::SaveChanges => ("保存修改", "Save changes"),
        Key::Saving => ("正在保存…", "Saving…"),
        Key::CancelEdit => ("取消修改", "Cancel"),
        Key::EditingNote => (
            "你正在修改已提交的回答。",
            "You are changing a response you already submitted.",
        ),
        Key::KeptOnDevice => (
            "填写内容会自动保存在本设备上，刷新页面不会丢失。",
            "Your answers are kept on this device as you type, so reloading does not lose them.",
        ),
        Key::FixAnswers => (
            "有答案需要修改，请查看标红的题目。",
            "Some answers need fixing: see the questions marked in red.",
        ),
        Key::NotSent => (
            "未能提交：网络连接失败。你的答案已保存在本设备上，请稍后重试。",
            "Not sent: no connection. Your answers are kept on this device, try again.",
        ),
        Key::ServerError => (
            "未能提交：服务器暂时出错。你的答案已保存在本设备上，请稍后重试。",
            "Not sent: the server had a problem. Your answers are kept on this device, try again.",
        ),
        Key::Submitted => (
            "提交成功，感谢填写！",
            "Thank you! Your response has been submitted.",
        ),
        Key::ChangesSaved => ("修改已保存。", "Your changes have been saved."),
        Key::SubmittedAt => ("提交时间", "Submitted"),
        Key::ChangedAt => ("最后修改", "Last changed"),
        Key::ReceiptCode => ("回执码", "Receipt code"),
        Key::ReceiptHint => (
            "请保存回执码（截图即可），需要时可凭它证明已提交。",
            "Keep this code (a screenshot is fine): it shows that you submitted.",
        ),
        Key::Copy => ("复制", "Copy"),
        Key::Copied => ("已复制", "Copied"),
        Key::CopyFailed => (
            "无法复制，请长按回执码手动复制。",
            "Could not copy: press and hold the code to copy it.",
        ),
        Key::EditResponse => ("修改我的回答", "Edit my response"),
        Key::LoadingResponse => ("正在读取你的回答…", "Loading your response…"),
        Key::ResponseNotLoaded => (
            "无法读取你的回答，请检查网络后重试。",
            "Could not load your response. Check your connection and try again.",
        ),
        Key::ResponseMissing => (
            "找不到你之前提交的回答，它可能已被表单管理者删除。",
            "Your earlier response was not found: the form's organisers may have deleted it.",
        ),
        Key::SubmitAnother => ("再填一份", "Submit another response"),
        Key::ChooseRegion => ("请选择", "Choose…"),
        Key::RegionsLoading => ("正在加载…", "Loading…"),
        Key::RegionNotListed => (
            "列表中没有（港澳台、海外）？直接填写",
            "Not in the list (Hong Kong, Macau, Taiwan, abroad)? Type it",
        ),
        Key::RegionUseList => ("改为从列表中选择", "Choose from the list instead"),
        Key::PhotoPick => ("拍照或选择图片", "Take or choose a photo"),
        Key::Waiting => (
            "网络不通，回答已保存在本设备上，恢复联网后会自动提交。请不要清除浏览器数据。",
            "No connection: your answers are kept on this device and will be sent by themselves when you are back online. Do not clear the browser's data.",
        ),
        Key::TryNow => ("立即重试", "Try now"),
        Key::FormChanged => (
            "未提交：你填写之后，表单有了改动，现在的表单不接受这些回答。请修改以下题目后再次提交：",
            "Not sent: the form was changed after you filled it in, and the form as it is now does not accept these answers. Correct these questions and submit again:",
        ),
        Key::PhotoReplace => ("换一张", "Replace photo"),
        Key::PhotoRemove => ("删除照片", "Remove photo"),
        Key::PhotoUploading => ("正在上传照片…", "Uploading the photo…"),
        Key::PhotoAttached => ("已上传照片", "Photo uploaded"),
        Key::PhotoUnreadable => (
            "无法读取这张图片，请换一张（JPEG、PNG）。",
            "This picture could not be read. Choose another (JPEG, PNG).",
        ),
        Key::PhotoNotSent => (
            "照片未能上传，请检查网络后重试。",
            "The photo could not be uploaded. Check your connection and try again.",
        ),
        Key::PhotoTooMany => (
            "此表单已存满照片，请联系表单管理者。",
            "This form can hold no more photos. Contact its organisers.",
        ),
        Key::Next => ("下一页", "Next"),
        Key::Back => ("上一页", "Back"),
        Key::RegionNamesInChinese => (
            "地名以中文显示。",
            "Place names are in Chinese, as on official documents.",
        ),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Who a personal link fills in for.
pub fn filling_as(lang: Lang, name: &str, group: &str) -> String {
    match (lang, group.is_empty()) {
        (Lang::Zh, true) => format!("正在以 {name} 的身份填写"),
        (Lang::Zh, false) => format!("正在以 {name}（{group}）的身份填写"),
        (Lang::En, true) => format!("Filling in as {name}"),
        (Lang::En, false) => format!("Filling in as {name} ({group})"),
    }
}

/// "第 2 / 3 页" / "Page 2 of 3".
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {page} / {pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// The name of a rating button: "3 星" / "3 stars".
pub fn stars(lang: Lang, n: u64) -> String {
    match (lang, n) {
        (Lang::Zh, n) => format!("{n} 星"),
        (Lang::En, 1) => "1 star".into(),
        (Lang::En, n) => format!("{n} stars"),
    }
}

/// The language code the form's [`gather_doc::form::Bilingual`] texts are keyed by.
pub fn form_lang(lang: Lang) -> &'static str {
    lang.form_code()
}
