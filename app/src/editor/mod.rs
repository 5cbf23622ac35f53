//! The rich-text editor: a toolbar and an editable surface bound to the document's `default`
//! fragment. Rendering and position mapping live in [`dom`], event handling in [`input`], the
//! editing state in [`view`]; the operations themselves are `gather_doc::rich_text`'s.

mod dom;
mod input;
mod view;

pub use input::ViewSlot;
pub use view::EditorView;

use gather_doc::rich_text::{BlockKind, Mark, Marks};
use leptos::html::Div;
use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};

/// What a toolbar button does to the editor and its selection.
type ToolbarAction = Box<dyn FnOnce(&mut EditorView, view::Selection)>;

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
) -> impl IntoView {
    let slot = state;
    let root = NodeRef::<Div>::new();
    let marks = RwSignal::new(Marks::default());
    let block_kind = RwSignal::new(BlockKind::Paragraph);
    let last_selection = StoredValue::new_local(None::<view::Selection>);
    let doc = StoredValue::new_local(Some(doc));

    Effect::new(move |_| {
        let Some(el) = root.get() else { return };
        let Some(doc) = doc.try_update_value(Option::take).flatten() else {
            return;
        };
        slot.set_value(Some(EditorView::new(el.clone().into(), doc)));
        input::install(&el, slot, move || {
            slot.with_value(|view| {
                let Some(view) = view else { return };
                let Some(sel) = view.selection() else { return };
                last_selection.set_value(Some(sel));
                marks.set(view.marks_for_typing(sel.start()));
                if let Some(kind) = view.block_kind_at(sel.focus) {
                    block_kind.set(kind);
                }
            });
        });
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
                    marks.set(view.marks_for_typing(sel.start()));
                }
            }
        });
    };
    let toggle = move |mark: Mark| act(Box::new(move |view, sel| view.toggle_mark(sel, mark)));
    let set_kind = move |value: String| {
        let kind = match value.as_str() {
            "h1" => BlockKind::Heading(1),
            "h2" => BlockKind::Heading(2),
            "h3" => BlockKind::Heading(3),
            _ => BlockKind::Paragraph,
        };
        block_kind.set(kind.clone());
        act(Box::new(move |view, sel| view.set_block_kind(sel, kind)));
    };
    let kind_value = move || match block_kind.get() {
        BlockKind::Heading(1) => "h1",
        BlockKind::Heading(2) => "h2",
        BlockKind::Heading(_) => "h3",
        _ => "p",
    };

    view! {
        <div class="toolbar" role="toolbar" hidden=move || !editable.get()>
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
            </select>
            <button
                data-testid="bold"
                class="mark bold"
                class:active=move || marks.get().has(Mark::Bold)
                aria-pressed=move || marks.get().has(Mark::Bold).to_string()
                title=move || t(lang.get(), Key::Bold)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| toggle(Mark::Bold)
            >"B"</button>
            <button
                data-testid="italic"
                class="mark italic"
                class:active=move || marks.get().has(Mark::Italic)
                aria-pressed=move || marks.get().has(Mark::Italic).to_string()
                title=move || t(lang.get(), Key::Italic)
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| toggle(Mark::Italic)
            >"I"</button>
        </div>
        <div
            class="editor"
            data-testid="editor"
            node_ref=root
            contenteditable=move || editable.get().to_string()
            aria-readonly=move || (!editable.get()).to_string()
            spellcheck="false"
            role="textbox"
            aria-multiline="true"
            data-placeholder=move || t(lang.get(), Key::EditorPlaceholder)
        ></div>
    }
}
