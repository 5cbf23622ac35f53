//! The bar under the toolbar: word count, find and replace, Markdown import and export, a
//! standalone web page, and printing. Export is made in the browser from the document it holds,
//! so it works offline too; the server has the same exports at `/api/docs/{id}/export.*`.

use gather_doc::rich_text::{markdown_to_nodes, nodes_to_markdown, standalone_html, Block};
use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::find::FindBar;
use super::input::ViewSlot;
use super::text::{t, Key};
use super::view::Selection;
use crate::i18n::Lang;

/// Words as people count them: each Chinese (CJK) character is one, and every run of letters or
/// digits in other scripts is one.
pub fn word_count(blocks: &[Block]) -> usize {
    let mut count = 0;
    for block in blocks {
        let mut in_word = false;
        for c in block.text().chars() {
            let cjk = matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3040..=0x30FF | 0xAC00..=0xD7AF);
            if cjk {
                count += 1;
                in_word = false;
            } else if c.is_alphanumeric() {
                if !in_word {
                    count += 1;
                }
                in_word = true;
            } else if c != '\'' && c != '’' {
                in_word = false;
            }
        }
    }
    count
}

/// Word count, Find, Import, Export and Print.
#[component]
pub fn EditorMenu(
    editor: ViewSlot,
    lang: Signal<Lang>,
    /// Words in the document, kept up to date by the editor.
    words: RwSignal<usize>,
    /// The document's title, for file names.
    title: Signal<String>,
    /// Whether the user may change the document (Import is for editors).
    editable: Signal<bool>,
    /// Whether the find bar is open (Ctrl+F opens it too).
    find_open: RwSignal<bool>,
    /// The editor's last selection, where imported content goes.
    last_selection: StoredValue<Option<Selection>, LocalStorage>,
) -> impl IntoView {
    let file_input = NodeRef::<Input>::new();
    let import_error = RwSignal::new(false);
    let file_name = move |ext: &str| {
        let name = title.get_untracked();
        let name = if name.trim().is_empty() {
            "document".to_owned()
        } else {
            name
        };
        format!("{name}.{ext}")
    };
    let export = move |html: bool| {
        let Some(nodes) = editor.with_value(|v| v.as_ref().map(|v| v.nodes())) else {
            return;
        };
        let (content, mime, ext) = if html {
            let code = if lang.get_untracked() == Lang::Zh {
                "zh-CN"
            } else {
                "en"
            };
            (
                standalone_html(&title.get_untracked(), code, &nodes),
                "text/html;charset=utf-8",
                "html",
            )
        } else {
            (
                nodes_to_markdown(&nodes),
                "text/markdown;charset=utf-8",
                "md",
            )
        };
        let parts = js_sys::Array::of1(&content.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
            let _ = crate::api::save_blob(&blob, &file_name(ext));
        }
    };
    let import = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        import_error.set(false);
        leptos::task::spawn_local(async move {
            let text = match JsFuture::from(file.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(_) => {
                    import_error.set(true);
                    return;
                }
            };
            let nodes = markdown_to_nodes(&text);
            if nodes.is_empty() {
                import_error.set(true);
                return;
            }
            editor.update_value(|view| {
                if let Some(view) = view {
                    let sel = last_selection.get_value().unwrap_or_else(|| view.end());
                    view.insert_nodes(sel, nodes);
                }
            });
        });
    };
    let print = move |_| {
        // Every block's content, even what is still being built in the background.
        editor.with_value(|view| {
            if let Some(view) = view {
                view.settle();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let words_text = move || {
        let n = words.get();
        match lang.get() {
            Lang::Zh => format!("{n} 字"),
            Lang::En if n == 1 => "1 word".to_owned(),
            Lang::En => format!("{n} words"),
        }
    };
    view! {
        <div class="editor-menu" role="group" aria-label=move || t(lang.get(), Key::DocumentTools)>
            <span class="words" data-testid="word-count" aria-live="polite">{words_text}</span>
            <button type="button" data-testid="find-open" aria-expanded=move || find_open.get().to_string()
                on:click=move |_| find_open.update(|o| *o = !*o)>
                {move || t(lang.get(), Key::Find)}
            </button>
            <label class="button" hidden=move || !editable.get()>
                {move || t(lang.get(), Key::ImportMarkdown)}
                <input type="file" class="visually-hidden" data-testid="import-md" node_ref=file_input
                    accept=".md,.markdown,text/markdown,text/plain" on:change=import />
            </label>
            <button type="button" data-testid="export-md" on:click=move |_| export(false)>
                {move || t(lang.get(), Key::ExportMarkdown)}
            </button>
            <button type="button" data-testid="export-html" on:click=move |_| export(true)>
                {move || t(lang.get(), Key::ExportHtml)}
            </button>
            <button type="button" data-testid="print" on:click=print>{move || t(lang.get(), Key::Print)}</button>
            <p class="error" role="alert" hidden=move || !import_error.get()>{move || t(lang.get(), Key::ImportFailed)}</p>
        </div>
        <FindBar editor=editor lang=lang open=find_open editable=editable words=words />
    }
}
