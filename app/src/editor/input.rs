//! Turning browser events on the editable element into model edits. `beforeinput` is cancelled
//! for everything except IME composition, so the DOM only ever shows what the model holds;
//! a composition is left to the browser while it runs and committed at `compositionend`.

use gather_doc::rich_text::Mark;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CompositionEvent, Element, InputEvent, KeyboardEvent, StaticRange};

use super::dom;
use super::view::EditorView;

/// The editor's state, reachable from Leptos views and DOM callbacks alike.
pub type ViewSlot = StoredValue<Option<EditorView>, LocalStorage>;

/// Attaches the editing listeners to `root`. They live as long as the page.
pub fn install(root: &Element, slot: ViewSlot, on_selection: impl Fn() + 'static) {
    listen(root, "beforeinput", move |event| {
        let Ok(event) = event.dyn_into::<InputEvent>() else {
            return;
        };
        slot.update_value(|view| {
            if let Some(view) = view {
                before_input(view, &event);
            }
        });
    });
    listen(root, "compositionstart", move |_| {
        slot.update_value(|view| {
            if let Some(view) = view {
                view.composing = view.selection();
            }
        });
    });
    listen(root, "compositionend", move |event| {
        let Ok(event) = event.dyn_into::<CompositionEvent>() else {
            return;
        };
        let data = event.data().unwrap_or_default();
        slot.update_value(|view| {
            if let Some(view) = view {
                view.end_composition(&data);
            }
        });
    });
    listen(root, "keydown", move |event| {
        let Ok(event) = event.dyn_into::<KeyboardEvent>() else {
            return;
        };
        if event.is_composing() || !(event.ctrl_key() || event.meta_key()) || event.alt_key() {
            return;
        }
        let mark = match event.key().to_lowercase().as_str() {
            "b" => Mark::Bold,
            "i" => Mark::Italic,
            "u" => Mark::Underline,
            _ => return,
        };
        event.prevent_default();
        slot.update_value(|view| {
            if let Some(view) = view {
                if let Some(sel) = view.selection() {
                    view.toggle_mark(sel, mark);
                }
            }
        });
    });
    let document = root.owner_document().expect("document");
    let on_selection = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| on_selection());
    let _ = document
        .add_event_listener_with_callback("selectionchange", on_selection.as_ref().unchecked_ref());
    on_selection.forget();
}

fn listen(root: &Element, name: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = root.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    closure.forget();
}

fn before_input(view: &mut EditorView, event: &InputEvent) {
    let kind = event.input_type();
    if matches!(
        kind.as_str(),
        "insertCompositionText" | "deleteCompositionText" | "insertFromComposition"
    ) || event.is_composing()
    {
        // The IME owns the DOM until compositionend.
        return;
    }
    event.prevent_default();
    let Some(sel) = view.selection() else { return };
    match kind.as_str() {
        "insertText" | "insertReplacementText" => {
            let text = event
                .data()
                .or_else(|| {
                    event
                        .data_transfer()
                        .and_then(|d| d.get_data("text/plain").ok())
                })
                .unwrap_or_default();
            // A replacement (spellcheck, autocorrect) targets its own range.
            let sel = target_range(view, event).unwrap_or(sel);
            if !text.is_empty() {
                view.insert_text(sel, &text);
            }
        }
        "insertParagraph" => view.split(sel),
        "insertLineBreak" => view.line_break(sel),
        "insertFromPaste" | "insertFromDrop" | "insertFromYank" => {
            if let Some(text) = event
                .data_transfer()
                .and_then(|d| d.get_data("text/plain").ok())
            {
                view.insert_text(sel, &text);
            }
        }
        "deleteContentBackward" => view.delete(sel, false),
        "deleteContentForward" => view.delete(sel, true),
        "deleteByCut" | "deleteByDrag" if !sel.is_collapsed() => view.delete(sel, false),
        "deleteByCut" | "deleteByDrag" => {}
        "formatBold" => view.toggle_mark(sel, Mark::Bold),
        "formatItalic" => view.toggle_mark(sel, Mark::Italic),
        "formatUnderline" => view.toggle_mark(sel, Mark::Underline),
        k if k.starts_with("delete") => {
            // Word and line deletions: the browser says which range it meant.
            if let Some(range) = target_range(view, event) {
                view.delete_range(range.start(), range.end());
            } else {
                view.delete(sel, k.contains("Forward"));
            }
        }
        // Undo and anything else the editor does not handle yet must not touch the DOM.
        _ => {}
    }
}

/// The first target range of an input event, in model terms.
fn target_range(view: &EditorView, event: &InputEvent) -> Option<super::view::Selection> {
    let ranges = event.get_target_ranges();
    let range: StaticRange = ranges.get(0).dyn_into().ok()?;
    let anchor = dom::dom_to_pos(&view.root, &range.start_container(), range.start_offset())?;
    let focus = dom::dom_to_pos(&view.root, &range.end_container(), range.end_offset())?;
    Some(super::view::Selection { anchor, focus })
}
