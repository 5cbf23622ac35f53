//! The rich-text editor: a toolbar and an editable surface bound to the document's `default`
//! fragment. Rendering and position mapping live in [`dom`], event handling in [`input`], the
//! editing state in [`view`]; the operations themselves are `gather_doc::rich_text`'s.

mod dom;
mod find;
mod images;
mod input;
mod markup;
mod menu;
mod page;
mod paste;
pub mod presence;
mod reread;
mod text;
mod view;

pub use images::ImagePlace;
pub use input::ViewSlot;
pub use view::EditorView;

use gather_doc::rich_text::{BlockKind, Container, ListKind, Mark, Marks};
use leptos::html::{Div, Input};
use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};
use input::Command;
use menu::EditorMenu;
use text::Key as T;
use view::TableOp;

/// What a toolbar button does to the editor and its selection.
type ToolbarAction = Box<dyn FnOnce(&mut EditorView, view::Selection)>;

/// What the toolbar shows about the caret's place.
#[derive(Clone, Debug, Default, PartialEq)]
struct Caret {
    marks: Marks,
    kind: BlockKind,
    list: Option<ListKind>,
    quote: bool,
    table: bool,
}

/// The editor for one document. `state` receives the editing state once mounted, so the page
/// can pass remote changes to it.
#[component]
pub fn Editor(
    /// The document to edit.
    doc: yrs::Doc,
    /// Interface language.
    lang: Signal<Lang>,
    /// Where the editing state is kept.
    state: ViewSlot,
    /// Whether the user may edit (false for a view-only link); the server enforces it too.
    editable: Signal<bool>,
    /// The document's title (file names of exports).
    #[prop(optional, into)]
    title: Option<Signal<String>>,
    /// Where the document's pictures are uploaded and fetched (its id and the link's token).
    pictures: ImagePlace,
) -> impl IntoView {
    let title = title.unwrap_or_else(|| Signal::derive(String::new));
    let words = RwSignal::new(0usize);
    let find_open = RwSignal::new(false);
    let slot = state;
    let root = NodeRef::<Div>::new();
    let caret = RwSignal::new(Caret::default());
    let last_selection = StoredValue::new_local(None::<view::Selection>);
    let doc = StoredValue::new_local(Some(doc));
    let link_open = RwSignal::new(false);
    let link_value = RwSignal::new(String::new());
    let link_error = RwSignal::new(None::<T>);
    let link_input = NodeRef::<Input>::new();
    let uploading = RwSignal::new(0u32);
    let picture_error = RwSignal::new(None::<T>);
    let pictures = StoredValue::new_local(std::rc::Rc::new(pictures));
    // Uploads pictures one by one as chosen, and inserts each at the caret once it arrived.
    let insert_files: images::OnFiles = std::rc::Rc::new(move |files, sel| {
        picture_error.set(None);
        for file in files {
            let place = pictures.get_value();
            uploading.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                let sent = images::upload(&file, &place).await;
                uploading.update(|n| *n = n.saturating_sub(1));
                match sent {
                    Ok(src) => {
                        let alt = images::alt_of(&file.name());
                        slot.update_value(|view| {
                            let Some(view) = view else { return };
                            let at = view.selection().unwrap_or(sel).focus;
                            view.edit(|txn, body| {
                                gather_doc::rich_text::insert_image(txn, body, at, &src, &alt)
                            });
                        });
                    }
                    Err(key) => picture_error.set(Some(key)),
                }
            });
        }
    });
    let insert_files = StoredValue::new_local(insert_files);

    let open_link = move || {
        let Some(sel) = last_selection.get_value() else {
            return;
        };
        let current = slot.with_value(|v| v.as_ref().and_then(|v| v.link_at(sel.focus)));
        if sel.is_collapsed() && current.is_none() {
            link_error.set(Some(T::SelectTextFirst));
        } else {
            link_error.set(None);
        }
        link_value.set(current.unwrap_or_default());
        link_open.set(true);
        request_animation_frame(move || {
            if let Some(input) = link_input.get_untracked() {
                let _ = input.focus();
            }
        });
    };

    Effect::new(move |_| {
        let Some(el) = root.get() else { return };
        let Some(doc) = doc.try_update_value(Option::take).flatten() else {
            return;
        };
        let mut view = EditorView::new(el.clone().into(), doc);
        // The word count follows the document, at most every 300 ms.
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        view.on_render = Some(Box::new(move |_| {
            if pending.replace(true) {
                return;
            }
            let pending = pending.clone();
            set_timeout(
                move || {
                    pending.set(false);
                    let n = slot.with_value(|v| v.as_ref().map(|v| menu::word_count(v.blocks())));
                    words.set(n.unwrap_or(0));
                },
                std::time::Duration::from_millis(300),
            );
        }));
        words.set(menu::word_count(view.blocks()));
        view.on_files = Some(insert_files.get_value());
        let outer = view.outer().clone();
        slot.set_value(Some(view));
        images::watch(&outer, pictures.get_value());
        images::install(&el, &outer, slot);
        input::install(
            &el,
            &outer,
            slot,
            move || {
                slot.with_value(|view| {
                    let Some(view) = view else { return };
                    let Some(sel) = view.selection() else { return };
                    last_selection.set_value(Some(sel));
                    let mut now = Caret {
                        marks: view.marks_for_typing(sel.start()),
                        ..Caret::default()
                    };
                    if let Some(block) = view.block_at(sel.focus) {
                        now.kind = block.kind.clone();
                        now.list = block
                            .path
                            .iter()
                            .rev()
                            .find_map(|a| ListKind::of(&a.container));
                        now.quote = block
                            .path
                            .iter()
                            .any(|a| a.container == Container::Blockquote);
                        now.table = block.path.iter().any(|a| a.container == Container::Table);
                    }
                    if caret.get_untracked() != now {
                        caret.set(now);
                    }
                });
            },
            open_link,
            move || find_open.set(true),
        );
    });

    // Toolbar actions use the editor's last selection, then give the focus back.
    let act = move |f: ToolbarAction| {
        let Some(sel) = last_selection.get_value() else {
            return;
        };
        if let Some(el) = root.get_untracked() {
            let _ = el.focus();
        }
        slot.update_value(|view| {
            if let Some(view) = view {
                view.set_selection(sel);
                f(view, sel);
                if let Some(sel) = view.selection() {
                    last_selection.set_value(Some(sel));
                    caret.update(|c| c.marks = view.marks_for_typing(sel.start()));
                }
            }
        });
    };
    let command = move |c: Command| act(Box::new(move |view, sel| input::run(view, sel, c)));
    let table_op = move |op: TableOp| act(Box::new(move |view, sel| view.table(sel, op)));
    let set_kind = move |value: String| {
        let c = match value.as_str() {
            "h1" => Command::Block(1),
            "h2" => Command::Block(2),
            "h3" => Command::Block(3),
            "code" => Command::Code,
            _ => Command::Block(0),
        };
        command(c);
    };
    let kind_value = move || match caret.get().kind {
        BlockKind::Heading(1) => "h1",
        BlockKind::Heading(2) => "h2",
        BlockKind::Heading(_) => "h3",
        BlockKind::CodeBlock { .. } => "code",
        _ => "p",
    };
    let apply_link = move |href: Option<String>| {
        let Some(sel) = last_selection.get_value() else {
            return;
        };
        act(Box::new(move |view, _| {
            // A caret inside a link edits the whole link.
            let sel = if sel.is_collapsed() {
                view.link_range(sel.focus).unwrap_or(sel)
            } else {
                sel
            };
            view.set_link(sel, href.as_deref());
        }));
        link_open.set(false);
    };
    let submit_link = move || {
        let value = link_value.get_untracked();
        if gather_doc::rich_text::safe_href(&value).is_none() {
            link_error.set(Some(T::UnsafeLink));
            return;
        }
        apply_link(Some(value));
    };

    let mark_button =
        move |mark: Mark, glyph: &'static str, label: Signal<&'static str>, class: &'static str| {
            view! {
                <button
                    data-testid=mark_testid(mark)
                    class=format!("mark {class}")
                    class:active=move || caret.get().marks.has(mark)
                    aria-pressed=move || caret.get().marks.has(mark).to_string()
                    aria-label=label
                    title=label
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| command(Command::Mark(mark))
                >{glyph}</button>
            }
        };
    let tool = move |testid: &'static str,
                     glyph: &'static str,
                     label: Signal<&'static str>,
                     active: Signal<bool>,
                     c: Command| {
        view! {
            <button
                data-testid=testid
                class="tool"
                class:active=move || active.get()
                aria-pressed=move || active.get().to_string()
                aria-label=label
                title=label
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| command(c)
            >{glyph}</button>
        }
    };
    let pick_pictures = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        let sel = last_selection
            .get_value()
            .unwrap_or(view::Selection::caret(Default::default()));
        if !files.is_empty() {
            insert_files.with_value(|insert| insert(files, sel));
        }
    };
    let tt = move |key: T| Signal::derive(move || text::t(lang.get(), key));
    let ti = move |key: Key| Signal::derive(move || t(lang.get(), key));
    let is_list = move |kind: ListKind| Signal::derive(move || caret.get().list == Some(kind));
    let table_button = move |testid: &'static str, key: T, op: TableOp| {
        view! {
            <button
                data-testid=testid
                class="tool text"
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| table_op(op)
            >{move || text::t(lang.get(), key)}</button>
        }
    };

    view! {
        <div class="toolbar" role="toolbar" aria-label=move || t(lang.get(), Key::BlockStyle) hidden=move || !editable.get()>
            <select
                data-testid="block-style"
                aria-label=move || t(lang.get(), Key::BlockStyle)
                prop:value=kind_value
                on:change=move |ev| set_kind(event_target_value(&ev))
            >
                <option value="p">{move || t(lang.get(), Key::Paragraph)}</option>
                <option value="h1">{move || t(lang.get(), Key::Heading1)}</option>
                <option value="h2">{move || t(lang.get(), Key::Heading2)}</option>
                <option value="h3">{move || t(lang.get(), Key::Heading3)}</option>
                <option value="code">{move || text::t(lang.get(), T::CodeBlock)}</option>
            </select>
            {mark_button(Mark::Bold, "B", ti(Key::Bold), "bold")}
            {mark_button(Mark::Italic, "I", ti(Key::Italic), "italic")}
            {mark_button(Mark::Underline, "U", tt(T::Underline), "underline")}
            {mark_button(Mark::Strike, "S", tt(T::Strike), "strike")}
            {mark_button(Mark::Code, "</>", tt(T::Code), "code")}
            {mark_button(Mark::Highlight, "H", tt(T::Highlight), "highlight")}
            <button
                data-testid="link"
                class="tool"
                aria-label=tt(T::Link)
                title=tt(T::Link)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| open_link()
            >
                <svg class="icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
                    <path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71"></path>
                    <path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71"></path>
                </svg>
            </button>
            <span class="sep" aria-hidden="true"></span>
            {tool("bullet-list", "•", tt(T::BulletList), is_list(ListKind::Bullet), Command::List(ListKind::Bullet))}
            {tool("ordered-list", "1.", tt(T::OrderedList), is_list(ListKind::Ordered), Command::List(ListKind::Ordered))}
            {tool("task-list", "☑", tt(T::TaskList), is_list(ListKind::Task), Command::List(ListKind::Task))}
            {tool("quote", "❝", tt(T::Quote), Signal::derive(move || caret.get().quote), Command::Quote)}
            <button
                data-testid="rule"
                class="tool"
                aria-label=tt(T::Rule)
                title=tt(T::Rule)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| act(Box::new(|view, sel| view.insert_rule(sel)))
            >"―"</button>
            <button
                data-testid="table"
                class="tool"
                aria-label=tt(T::Table)
                title=tt(T::Table)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| act(Box::new(|view, sel| view.insert_table(sel)))
            >"▦"</button>
            <label
                class="tool picture-pick"
                title=tt(T::InsertPicture)
                on:mousedown=|ev| ev.prevent_default()
            >
                // Drawn, not an emoji: a phone or desktop without an emoji font showed a box.
                <svg class="icon" viewBox="0 0 20 20" aria-hidden="true">
                    <rect x="2.5" y="4" width="15" height="12" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.6" />
                    <circle cx="7" cy="8.2" r="1.5" fill="currentColor" />
                    <path d="M3.5 14.5l4.5-4.5 3 3 2.5-2.5 3.5 3.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
                </svg>
                <input
                    type="file"
                    accept="image/*"
                    multiple
                    data-testid="image-file"
                    aria-label=tt(T::InsertPicture)
                    on:change=pick_pictures
                />
            </label>
            <span class="sep" aria-hidden="true"></span>
            {tool("undo", "↶", tt(T::Undo), Signal::derive(|| false), Command::Undo)}
            {tool("redo", "↷", tt(T::Redo), Signal::derive(|| false), Command::Redo)}
        </div>
        <div class="toolbar table-tools" role="toolbar" aria-label=tt(T::TableTools) hidden=move || !(editable.get() && caret.get().table)>
            {table_button("row-above", T::RowAbove, TableOp::RowAbove)}
            {table_button("row-below", T::RowBelow, TableOp::RowBelow)}
            {table_button("col-left", T::ColumnLeft, TableOp::ColumnLeft)}
            {table_button("col-right", T::ColumnRight, TableOp::ColumnRight)}
            {table_button("delete-row", T::DeleteRow, TableOp::DeleteRow)}
            {table_button("delete-col", T::DeleteColumn, TableOp::DeleteColumn)}
            {table_button("delete-table", T::DeleteTable, TableOp::DeleteTable)}
        </div>
        <EditorMenu
            editor=slot
            lang=lang
            words=words
            title=title
            editable=editable
            find_open=find_open
            last_selection=last_selection
        />
        <p class="picture-status" role="status" data-testid="image-uploading" hidden=move || uploading.get() == 0>
            {move || text::t(lang.get(), T::PictureUploading)}
        </p>
        <p class="picture-status error" role="alert" data-testid="image-error" hidden=move || picture_error.get().is_none()>
            {move || picture_error.get().map(|k| text::t(lang.get(), k))}
        </p>
        <form
            class="link-form"
            data-testid="link-form"
            hidden=move || !link_open.get()
            on:submit=move |ev| {
                ev.prevent_default();
                submit_link();
            }
        >
            <input
                type="url"
                node_ref=link_input
                data-testid="link-href"
                aria-label=tt(T::LinkAddress)
                placeholder=tt(T::LinkAddress)
                prop:value=move || link_value.get()
                on:input=move |ev| link_value.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        link_open.set(false);
                    }
                }
            />
            <button type="submit" data-testid="link-apply">{move || text::t(lang.get(), T::Apply)}</button>
            <button type="button" data-testid="link-remove" on:click=move |_| apply_link(None)>
                {move || text::t(lang.get(), T::RemoveLink)}
            </button>
            <button type="button" on:click=move |_| link_open.set(false)>
                {move || text::t(lang.get(), T::Cancel)}
            </button>
            <p class="error" role="alert" data-testid="link-error" hidden=move || link_error.get().is_none()>
                {move || link_error.get().map(|k| text::t(lang.get(), k))}
            </p>
        </form>
        // The page holds the editing host and, in a long document, what is shown beside it.
        <div class="editor-page" class:readonly=move || !editable.get() data-testid="editor-page">
        <div
            class="editor flow"
            data-testid="editor"
            node_ref=root
            contenteditable=move || editable.get().to_string()
            aria-readonly=move || (!editable.get()).to_string()
            spellcheck="false"
            role="textbox"
            aria-multiline="true"
            data-placeholder=move || t(lang.get(), Key::EditorPlaceholder)
        ></div>
        </div>
    }
}

fn mark_testid(mark: Mark) -> &'static str {
    match mark {
        Mark::Bold => "bold",
        Mark::Italic => "italic",
        Mark::Underline => "underline",
        Mark::Strike => "strike",
        Mark::Code => "code",
        Mark::Highlight => "highlight",
    }
}
