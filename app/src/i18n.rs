//! The interface's two languages, Simplified Chinese and English. Every visible string goes
//! through [`t`]; the language comes from the browser and can be switched in the header.

use gather_doc::CloseCode;

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The browser's preferred language, or a choice saved earlier.
    pub fn detect() -> Lang {
        let window = web_sys::window();
        let saved = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("gather-lang").ok().flatten());
        let preferred = saved.or_else(|| window.and_then(|w| w.navigator().language()));
        match preferred {
            Some(lang) if lang.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    pub fn save(self) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item("gather-lang", self.code());
        }
    }

    /// The language code the form model's bilingual texts take (`Bilingual::get`): `zh`/`en`.
    pub fn form_code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Everything the interface says.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    AppTagline,
    NewDocument,
    HomeExplainer,
    SwitchLanguage,
    Connecting,
    /// Connected, with local edits the server has not yet confirmed as durable.
    Saving,
    /// Connected, and every local edit is durable on the server.
    Saved,
    Offline,
    Disconnected,
    Bold,
    Italic,
    Paragraph,
    Heading1,
    Heading2,
    Heading3,
    BlockStyle,
    EditorPlaceholder,
    NotFound,
    Home,
    YourDocuments,
    NoDocumentsYet,
    Untitled,
    LastOpened,
    Rename,
    MakeCopy,
    Delete,
    RemoveFromList,
    ConfirmDelete,
    NewTitlePrompt,
    DocCreated,
    CopyLink,
    Copied,
    CopyFailed,
    Dismiss,
    Share,
    Activity,
    ViewOnly,
    OpenDocument,
    EditsRefused,
    RespondentNotice,
    TitlePlaceholder,
    ShareTitle,
    ShareExplainer,
    CreateLink,
    RoleLabel,
    LinkLabel,
    Expires,
    Never,
    OneDay,
    OneWeek,
    OneMonth,
    Revoke,
    ConfirmRevoke,
    Close,
    Expired,
    ExpiresAt,
    ActivityTitle,
    When,
    What,
    Who,
    FromAddress,
    Loading,
    Templates,
    TemplatesExplainer,
}

pub fn t(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    match (lang, key) {
        (Lang::Zh, AppTagline) => "无法见面时，一起整理、一起填报。",
        (Lang::En, AppTagline) => "Organise together when you cannot meet.",
        (Lang::Zh, NewDocument) => "新建文档",
        (Lang::En, NewDocument) => "New document",
        (Lang::Zh, HomeExplainer) => {
            "文档在浏览器中编辑，实时同步给打开同一链接的每个人，并保存在你自己的服务器上。"
        }
        (Lang::En, HomeExplainer) => {
            "Documents are edited in your browser, shared live with everyone who opens the same \
             link, and stored on your own server."
        }
        (Lang::Zh, SwitchLanguage) => "English",
        (Lang::En, SwitchLanguage) => "中文",
        (Lang::Zh, Connecting) => "正在连接…",
        (Lang::En, Connecting) => "Connecting…",
        (Lang::Zh, Saving) => "正在保存…",
        (Lang::En, Saving) => "Saving…",
        (Lang::Zh, Saved) => "已保存",
        (Lang::En, Saved) => "Saved",
        (Lang::Zh, Offline) => "离线 — 修改保留在本页，重新连接后同步",
        (Lang::En, Offline) => "Offline — changes stay on this page and sync when reconnected",
        (Lang::Zh, Disconnected) => "已断开",
        (Lang::En, Disconnected) => "Disconnected",
        (Lang::Zh, Bold) => "加粗 (Ctrl+B)",
        (Lang::En, Bold) => "Bold (Ctrl+B)",
        (Lang::Zh, Italic) => "斜体 (Ctrl+I)",
        (Lang::En, Italic) => "Italic (Ctrl+I)",
        (Lang::Zh, Paragraph) => "正文",
        (Lang::En, Paragraph) => "Normal text",
        (Lang::Zh, Heading1) => "标题 1",
        (Lang::En, Heading1) => "Heading 1",
        (Lang::Zh, Heading2) => "标题 2",
        (Lang::En, Heading2) => "Heading 2",
        (Lang::Zh, Heading3) => "标题 3",
        (Lang::En, Heading3) => "Heading 3",
        (Lang::Zh, BlockStyle) => "段落样式",
        (Lang::En, BlockStyle) => "Paragraph style",
        (Lang::Zh, EditorPlaceholder) => "在这里输入…",
        (Lang::En, EditorPlaceholder) => "Type here…",
        (Lang::Zh, NotFound) => "找不到这个页面。",
        (Lang::En, NotFound) => "This page does not exist.",
        (Lang::Zh, Home) => "首页",
        (Lang::En, Home) => "Home",
        (Lang::Zh, YourDocuments) => "在此浏览器中打开过的文档",
        (Lang::En, YourDocuments) => "Documents opened in this browser",
        (Lang::Zh, NoDocumentsYet) => "还没有文档。新建一个，或打开别人发给你的链接。",
        (Lang::En, NoDocumentsYet) => "No documents yet. Create one, or open a link someone sent you.",
        (Lang::Zh, Untitled) => "未命名文档",
        (Lang::En, Untitled) => "Untitled document",
        (Lang::Zh, LastOpened) => "上次打开",
        (Lang::En, LastOpened) => "Last opened",
        (Lang::Zh, Rename) => "重命名",
        (Lang::En, Rename) => "Rename",
        (Lang::Zh, MakeCopy) => "创建副本",
        (Lang::En, MakeCopy) => "Make a copy",
        (Lang::Zh, Delete) => "删除",
        (Lang::En, Delete) => "Delete",
        (Lang::Zh, RemoveFromList) => "从列表移除",
        (Lang::En, RemoveFromList) => "Remove from list",
        (Lang::Zh, ConfirmDelete) => "要为所有人删除这个文档吗？文档内容、链接和记录都会从服务器上删除，无法恢复。",
        (Lang::En, ConfirmDelete) => "Delete this document for everyone? Its content, links and activity log are removed from the server. This cannot be undone.",
        (Lang::Zh, NewTitlePrompt) => "新的标题：",
        (Lang::En, NewTitlePrompt) => "New title:",
        (Lang::Zh, DocCreated) => "文档已创建。请保存好下面的所有者链接：它是管理此文档（分享、撤销链接、删除）的唯一凭证，任何拿到它的人都能管理此文档。",
        (Lang::En, DocCreated) => "Document created. Keep the owner link below: it is the only key to manage this document (share, revoke links, delete), and anyone who has it can do so.",
        (Lang::Zh, CopyLink) => "复制链接",
        (Lang::En, CopyLink) => "Copy link",
        (Lang::Zh, Copied) => "已复制",
        (Lang::En, Copied) => "Copied",
        (Lang::Zh, CopyFailed) => "无法复制，请手动选中链接复制。",
        (Lang::En, CopyFailed) => "Could not copy; select the link and copy it by hand.",
        (Lang::Zh, Dismiss) => "知道了",
        (Lang::En, Dismiss) => "Got it",
        (Lang::Zh, Share) => "分享",
        (Lang::En, Share) => "Share",
        (Lang::Zh, Activity) => "记录",
        (Lang::En, Activity) => "Activity",
        (Lang::Zh, ViewOnly) => "仅查看：你可以阅读，但不能编辑。",
        (Lang::En, ViewOnly) => "View only: you can read but not edit.",
        (Lang::Zh, OpenDocument) => "打开文档",
        (Lang::En, OpenDocument) => "Open the document",
        (Lang::Zh, EditsRefused) => "你的链接只能查看，修改没有被保存。",
        (Lang::En, EditsRefused) => "Your link is view-only; your changes were not saved.",
        (Lang::Zh, RespondentNotice) => "这个链接只用于填写此文档中的表单，不能打开文档本身。",
        (Lang::En, RespondentNotice) => "This link is only for filling in this document's forms; it cannot open the document itself.",
        (Lang::Zh, TitlePlaceholder) => "文档标题",
        (Lang::En, TitlePlaceholder) => "Document title",
        (Lang::Zh, ShareTitle) => "分享链接",
        (Lang::En, ShareTitle) => "Share links",
        (Lang::Zh, ShareExplainer) => "拿到链接的人无需登录即可按角色打开文档。撤销链接后，正在使用它的人会立即断开。",
        (Lang::En, ShareExplainer) => "Anyone with a link can open the document in its role, without an account. Revoking a link disconnects everyone using it at once.",
        (Lang::Zh, CreateLink) => "创建链接",
        (Lang::En, CreateLink) => "Create link",
        (Lang::Zh, RoleLabel) => "角色",
        (Lang::En, RoleLabel) => "Role",
        (Lang::Zh, LinkLabel) => "备注（例如：三班老师）",
        (Lang::En, LinkLabel) => "Label (e.g. Class 3 teachers)",
        (Lang::Zh, Expires) => "有效期",
        (Lang::En, Expires) => "Expires",
        (Lang::Zh, Never) => "永久有效",
        (Lang::En, Never) => "Never",
        (Lang::Zh, OneDay) => "1 天",
        (Lang::En, OneDay) => "In 1 day",
        (Lang::Zh, OneWeek) => "7 天",
        (Lang::En, OneWeek) => "In 7 days",
        (Lang::Zh, OneMonth) => "30 天",
        (Lang::En, OneMonth) => "In 30 days",
        (Lang::Zh, Revoke) => "撤销",
        (Lang::En, Revoke) => "Revoke",
        (Lang::Zh, ConfirmRevoke) => "撤销后，此链接立即失效，正在使用它的人会断开。确定吗？",
        (Lang::En, ConfirmRevoke) => "Revoke this link? It stops working at once and everyone using it is disconnected.",
        (Lang::Zh, Close) => "关闭",
        (Lang::En, Close) => "Close",
        (Lang::Zh, Expired) => "已过期",
        (Lang::En, Expired) => "expired",
        (Lang::Zh, ExpiresAt) => "到期：",
        (Lang::En, ExpiresAt) => "expires ",
        (Lang::Zh, ActivityTitle) => "访问记录",
        (Lang::En, ActivityTitle) => "Activity log",
        (Lang::Zh, When) => "时间",
        (Lang::En, When) => "When",
        (Lang::Zh, What) => "事件",
        (Lang::En, What) => "What",
        (Lang::Zh, Who) => "链接",
        (Lang::En, Who) => "Link",
        (Lang::Zh, FromAddress) => "地址",
        (Lang::En, FromAddress) => "Address",
        (Lang::Zh, Loading) => "正在加载…",
        (Lang::En, Loading) => "Loading…",
        (Lang::Zh, Templates) => "从模板新建表单",
        (Lang::En, Templates) => "Start a form from a template",
        (Lang::Zh, TemplatesExplainer) => {
            "几分钟内即可发出链接；题目可以随时一起修改，回复只有所有者和编辑者能看到。"
        }
        (Lang::En, TemplatesExplainer) => {
            "Send out a link within minutes; edit the questions together at any time. Only owners \
             and editors can read the responses."
        }
    }
}

/// What to tell the user when the server closed the connection with one of our codes.
/// The badge while disconnected with `n` (at least one) local edits not yet durable.
pub fn offline_unsaved(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Zh, n) => format!("离线 — {n} 处修改保留在本设备上"),
        (Lang::En, 1) => "Offline — 1 change kept on this device".to_owned(),
        (Lang::En, n) => format!("Offline — {n} changes kept on this device"),
    }
}

/// The badge while a large document downloads: how much of it has arrived.
pub fn loading_progress(lang: Lang, received: u64, total: u64) -> String {
    let percent = (received.saturating_mul(100) / total.max(1)).min(100);
    let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
    match lang {
        Lang::Zh => format!(
            "正在载入 {percent}%（{:.1} / {:.1} MB）",
            mb(received),
            mb(total)
        ),
        Lang::En => format!(
            "Loading {percent}% ({:.1} of {:.1} MB)",
            mb(received),
            mb(total)
        ),
    }
}

/// The badge while waiting to reconnect to a busy server, in about `secs` seconds, with `unsaved`
/// local edits not yet durable.
pub fn busy(lang: Lang, secs: u32, unsaved: usize) -> String {
    match (lang, unsaved) {
        (Lang::Zh, 0) => format!("服务器繁忙 — {secs} 秒后重新连接"),
        (Lang::Zh, n) => format!("服务器繁忙 — {secs} 秒后重新连接，{n} 处修改保留在本设备上"),
        (Lang::En, 0) => format!("Server busy — reconnecting in {secs} s"),
        (Lang::En, 1) => {
            format!("Server busy — reconnecting in {secs} s; 1 change kept on this device")
        }
        (Lang::En, n) => {
            format!("Server busy — reconnecting in {secs} s; {n} changes kept on this device")
        }
    }
}

pub fn close_message(lang: Lang, code: CloseCode) -> &'static str {
    use CloseCode::*;
    match (lang, code) {
        (Lang::Zh, MalformedMessage) => "服务器无法读取本页发送的数据，已断开。正在重新连接…",
        (Lang::En, MalformedMessage) => {
            "The server could not read data from this page and disconnected. Reconnecting…"
        }
        (Lang::Zh, RejectedUpdate) => "服务器拒绝了一次修改，已断开。正在重新连接…",
        (Lang::En, RejectedUpdate) => "The server refused a change and disconnected. Reconnecting…",
        (Lang::Zh, MessageTooLarge) => "这次修改太大，服务器无法接收。请分成较小的部分。",
        (Lang::En, MessageTooLarge) => {
            "This change is too large for the server. Try smaller parts."
        }
        (Lang::Zh, UnsupportedMessage) => "服务器不支持本页发送的消息类型。",
        (Lang::En, UnsupportedMessage) => "The server does not support a message this page sent.",
        (Lang::Zh, TooSlow) => "网络太慢，跟不上其他人的修改。正在重新连接…",
        (Lang::En, TooSlow) => "The connection fell behind others' changes. Reconnecting…",
        (Lang::Zh, StorageFailed) => "服务器暂时无法保存。修改保留在本页，稍后重试…",
        (Lang::En, StorageFailed) => {
            "The server cannot save right now. Changes stay on this page; retrying…"
        }
        (Lang::Zh, Internal) => "服务器内部出错，正在重新连接…",
        (Lang::En, Internal) => "The server hit an internal error. Reconnecting…",
        (Lang::Zh, ShuttingDown) => "服务器正在重启。稍后自动重新连接…",
        (Lang::En, ShuttingDown) => "The server is restarting. Reconnecting shortly…",
        (Lang::Zh, LinkInvalid) => {
            "此链接已失效（错误、过期或已被撤销）。请向文档所有者索取新链接。"
        }
        (Lang::En, LinkInvalid) => {
            "This link is no longer valid (wrong, expired or revoked). Ask the document's owner \
             for a new link."
        }
        (Lang::Zh, RespondentOnly) => "这个链接只用于填写表单，不能打开文档本身。",
        (Lang::En, RespondentOnly) => "This link only fills in forms; it cannot open the document.",
        (Lang::Zh, DocumentDeleted) => "所有者已删除此文档。",
        (Lang::En, DocumentDeleted) => "The owner deleted this document.",
        (Lang::Zh, DocumentTooLarge) => "文档已达到服务器的大小上限，新的修改无法保存。",
        (Lang::En, DocumentTooLarge) => {
            "The document has reached the server's size limit; new changes cannot be saved."
        }
        (Lang::Zh, TooManyAttempts) => "来自你网络的错误链接太多，请一分钟后再试。",
        (Lang::En, TooManyAttempts) => {
            "Too many wrong links from your network. Try again in a minute."
        }
        (Lang::Zh, Busy) => "服务器正忙，稍后自动重新连接。修改保留在本页。",
        (Lang::En, Busy) => "The server is busy. Reconnecting shortly; changes stay on this page.",
    }
}

/// A role's name, with what it may do.
pub fn role_name(lang: Lang, role: &str) -> &'static str {
    match (lang, role) {
        (Lang::Zh, "owner") => "所有者",
        (Lang::En, "owner") => "Owner",
        (Lang::Zh, "editor") => "可编辑",
        (Lang::En, "editor") => "Editor",
        (Lang::Zh, "viewer") => "仅查看",
        (Lang::En, "viewer") => "Viewer",
        (Lang::Zh, "respondent") => "仅填写表单",
        (Lang::En, "respondent") => "Respondent",
        (Lang::Zh, _) => "未知",
        (Lang::En, _) => "Unknown",
    }
}

/// What a role may do, for the Share dialog's choices.
pub fn role_choice(lang: Lang, role: &str) -> &'static str {
    match (lang, role) {
        (Lang::Zh, "owner") => "所有者 — 还能分享、撤销和删除",
        (Lang::En, "owner") => "Owner — can also share, revoke and delete",
        (Lang::Zh, "editor") => "可编辑 — 阅读和修改",
        (Lang::En, "editor") => "Editor — reads and edits",
        (Lang::Zh, "viewer") => "仅查看 — 只能阅读",
        (Lang::En, "viewer") => "Viewer — reads only",
        (Lang::Zh, _) => "仅填写表单 — 看不到文档内容",
        (Lang::En, _) => "Respondent — fills in forms, never sees the document",
    }
}

/// An audit log event's name.
pub fn event_name(lang: Lang, event: &str) -> String {
    let name = match (lang, event) {
        (Lang::Zh, "document_created") => "创建文档",
        (Lang::En, "document_created") => "Document created",
        (Lang::Zh, "link_created") => "创建链接",
        (Lang::En, "link_created") => "Link created",
        (Lang::Zh, "link_revoked") => "撤销链接",
        (Lang::En, "link_revoked") => "Link revoked",
        (Lang::Zh, "session_opened") => "打开文档",
        (Lang::En, "session_opened") => "Opened",
        (Lang::Zh, "session_closed") => "离开文档",
        (Lang::En, "session_closed") => "Left",
        (Lang::Zh, "document_renamed") => "重命名",
        (Lang::En, "document_renamed") => "Renamed",
        (Lang::Zh, "document_copied") => "创建副本",
        (Lang::En, "document_copied") => "Copied",
        (Lang::Zh, "export") => "导出",
        (Lang::En, "export") => "Exported",
        (Lang::Zh, "version_named") => "保存命名版本",
        (Lang::En, "version_named") => "Version saved",
        _ => return event.to_owned(),
    };
    name.to_owned()
}

/// What to tell the user when an API call failed.
pub fn api_error(lang: Lang, code: &str) -> &'static str {
    match (lang, code) {
        (Lang::Zh, "link_invalid") => "此链接已失效（错误、过期或已被撤销）。",
        (Lang::En, "link_invalid") => "This link is no longer valid (wrong, expired or revoked).",
        (Lang::Zh, "forbidden") => "你的链接没有这个权限。",
        (Lang::En, "forbidden") => "Your link does not allow this.",
        (Lang::Zh, "last_owner_link") => "这是最后一个所有者链接。请先创建另一个所有者链接。",
        (Lang::En, "last_owner_link") => {
            "This is the last owner link. Create another owner link first."
        }
        (Lang::Zh, "bad_input") => "输入无效，请检查后重试。",
        (Lang::En, "bad_input") => "That input is not valid; check it and try again.",
        (Lang::Zh, "too_many_attempts") => "来自你网络的错误链接太多，请一分钟后再试。",
        (Lang::En, "too_many_attempts") => {
            "Too many wrong links from your network. Try again in a minute."
        }
        (Lang::Zh, "not_a_form") => "这个文档不是表单。",
        (Lang::En, "not_a_form") => "This document is not a form.",
        (Lang::Zh, "network") => "无法连接服务器，请检查网络后重试。",
        (Lang::En, "network") => "Cannot reach the server. Check the connection and try again.",
        (Lang::Zh, _) => "服务器出错，请稍后重试。",
        (Lang::En, _) => "The server hit an error. Try again later.",
    }
}
