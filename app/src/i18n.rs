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
    Online,
    Offline,
    Bold,
    Italic,
    Paragraph,
    Heading1,
    Heading2,
    Heading3,
    BlockStyle,
    ShareHint,
    EditorPlaceholder,
    NotFound,
    Home,
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
        (Lang::Zh, Online) => "在线",
        (Lang::En, Online) => "Online",
        (Lang::Zh, Offline) => "离线 — 修改保留在本页，重新连接后同步",
        (Lang::En, Offline) => "Offline — changes stay on this page and sync when reconnected",
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
        (Lang::Zh, ShareHint) => "把本页地址发给同事，即可一起编辑。",
        (Lang::En, ShareHint) => "Send this page's address to colleagues to edit together.",
        (Lang::Zh, EditorPlaceholder) => "在这里输入…",
        (Lang::En, EditorPlaceholder) => "Type here…",
        (Lang::Zh, NotFound) => "找不到这个页面。",
        (Lang::En, NotFound) => "This page does not exist.",
        (Lang::Zh, Home) => "首页",
        (Lang::En, Home) => "Home",
    }
}

/// What to tell the user when the server closed the connection with one of our codes.
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
    }
}
