//! The version history's words, in Simplified Chinese and English.

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    History,
    HistoryExplainer,
    VersionName,
    SaveVersion,
    Automatic,
    Guest,
    NoVersions,
    View,
    Viewing,
    ViewingHint,
    Restore,
    ConfirmRestore,
    BackToCurrent,
    Restored,
    BeforeRestoring,
    LoadFailed,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    match (lang, key) {
        (Lang::Zh, History) => "版本历史",
        (Lang::En, History) => "Version history",
        (Lang::Zh, HistoryExplainer) => {
            "编辑期间服务器会自动保存版本（最多每 10 分钟一次，最后一人离开时也会保存）。可以查看任何版本，并把它恢复为一次新的修改。"
        }
        (Lang::En, HistoryExplainer) => {
            "The server keeps versions automatically while the document is edited (at most every \
             10 minutes, and when the last person leaves). View any version, and restore it as a \
             new change."
        }
        (Lang::Zh, VersionName) => "版本名称",
        (Lang::En, VersionName) => "Version name",
        (Lang::Zh, SaveVersion) => "保存当前版本",
        (Lang::En, SaveVersion) => "Save this version",
        (Lang::Zh, Automatic) => "自动保存的版本",
        (Lang::En, Automatic) => "Automatic version",
        (Lang::Zh, Guest) => "访客",
        (Lang::En, Guest) => "a guest",
        (Lang::Zh, NoVersions) => "还没有版本。编辑文档后，服务器会自动保存。",
        (Lang::En, NoVersions) => "No versions yet. The server keeps them as the document is edited.",
        (Lang::Zh, View) => "查看",
        (Lang::En, View) => "View",
        (Lang::Zh, Viewing) => "正在查看版本：",
        (Lang::En, Viewing) => "Viewing the version of ",
        (Lang::Zh, ViewingHint) => "这是只读的旧版本。恢复它不会删除历史，恢复本身也可以撤销。",
        (Lang::En, ViewingHint) => {
            "This earlier version is read-only. Restoring it keeps the history, and the restore \
             itself can be undone."
        }
        (Lang::Zh, Restore) => "恢复此版本",
        (Lang::En, Restore) => "Restore this version",
        (Lang::Zh, ConfirmRestore) => {
            "把文档恢复为此版本？当前内容会先保存为一个命名版本。"
        }
        (Lang::En, ConfirmRestore) => {
            "Restore the document to this version? The current content is saved as a named \
             version first."
        }
        (Lang::Zh, BackToCurrent) => "返回当前文档",
        (Lang::En, BackToCurrent) => "Back to the current document",
        (Lang::Zh, Restored) => "已恢复该版本。按 Ctrl+Z 可撤销。",
        (Lang::En, Restored) => "The version was restored. Ctrl+Z undoes it.",
        (Lang::Zh, BeforeRestoring) => "恢复之前",
        (Lang::En, BeforeRestoring) => "Before restoring",
        (Lang::Zh, LoadFailed) => "无法载入版本历史（离线或服务器出错）。",
        (Lang::En, LoadFailed) => "Could not load the version history (offline or a server error).",
    }
}
