//! Turning browser events on the editable element into model edits. `beforeinput` is cancelled
//! for everything except IME composition, so the DOM only ever shows what the model holds;
//! a composition is left to the browser while it runs and committed at `compositionend`.

use gather_doc::rich_text::{self, BlockKind, ListKind, Mark};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    ClipboardEvent, CompositionEvent, Element, InputEvent, KeyboardEvent, Node, StaticRange,
};

use super::paste;
use super::view::{EditorView, Selection};

/// The editor's state, reachable from Leptos views and DOM callbacks alike.
pub type ViewSlot = StoredValue<Option<EditorView>, LocalStorage>;

/// Whether the user may edit in the editing host `root` (not a view-only link).
pub fn is_editable(root: &Element) -> bool {
    root.get_attribute("contenteditable").as_deref() == Some("true")
}

/// Attaches the editing listeners to `root`, and to `outer` (the editor's page, which also
/// holds what a long document shows beside `root`) those that apply anywhere in the
/// document. They live as long as the page.
pub fn install(
    root: &Element,
    outer: &Element,
    slot: ViewSlot,
    on_selection: impl Fn() + 'static,
    on_link: impl Fn() + 'static,
    on_find: impl Fn() + 'static,
) {
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
        if event.is_composing() {
            return;
        }
        let reach = match event.key().as_str() {
            "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home" | "End" => Some(1),
            "PageUp" | "PageDown" => Some(PAGE_REACH),
            _ => None,
        };
        if let Some(reach) = reach {
            slot.update_value(|view| {
                if let Some(view) = view {
                    view.room_to_move(reach);
                }
            });
        }
        if event.key() == "Tab" && !event.ctrl_key() && !event.meta_key() && !event.alt_key() {
            let mut handled = false;
            slot.update_value(|view| {
                if let Some(view) = view {
                    if let Some(sel) = view.selection() {
                        handled = view.tab(sel, event.shift_key());
                    }
                }
            });
            if handled {
                event.prevent_default();
            }
            return;
        }
        let Some(command) = shortcut(&event) else {
            return;
        };
        event.prevent_default();
        if matches!(command, Command::Link) {
            on_link();
            return;
        }
        if matches!(command, Command::Find) {
            on_find();
            return;
        }
        slot.update_value(|view| {
            if let Some(view) = view {
                if let Some(sel) = view.selection() {
                    run(view, sel, command);
                }
            }
        });
    });
    // A task's checkbox ticks it in the document (the DOM follows the model), in the editing
    // host or beside it (see `page`).
    listen(outer, "click", move |event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if !target.has_attribute("data-task") {
            return;
        }
        event.prevent_default();
        let Some(item) = target.closest("li").ok().flatten() else {
            return;
        };
        let checked = item.class_list().contains("done");
        let Some(first) = item.query_selector("[data-b]").ok().flatten() else {
            return;
        };
        slot.update_value(|view| {
            let Some(view) = view else { return };
            if let Some(pos) = view.dom_to_pos(&first, 0) {
                view.set_task(pos.block, !checked);
            }
        });
    });
    // Copy and cut put the selection on the clipboard as the schema's HTML and as plain text,
    // read from the model (a long document is not all in the editing host, see `page`).
    for name in ["copy", "cut"] {
        let host = root.clone();
        listen(outer, name, move |event| {
            let Ok(event) = event.dyn_into::<ClipboardEvent>() else {
                return;
            };
            let Some(data) = event.clipboard_data() else {
                return;
            };
            let cut = event.type_() == "cut" && is_editable(&host);
            slot.update_value(|view| {
                let Some(view) = view else { return };
                let Some(sel) = view.selection().filter(|s| !s.is_collapsed()) else {
                    return;
                };
                let copied = view.copy(sel);
                let _ = data.set_data("text/html", &rich_text::nodes_to_html(&copied.nodes));
                let _ = data.set_data("text/plain", &copied.text);
                event.prevent_default();
                if cut {
                    view.delete(sel, false);
                }
            });
        });
    }
    // A press on the part of a long document beside the editing host makes that part editable
    // before the browser places the caret (see `page`).
    let host = root.clone();
    listen(outer, "pointerdown", move |event| {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Node>().ok()) else {
            return;
        };
        // Only a press on the document shown beside the host (not on the page's margin).
        if !in_shown(&target) || !is_editable(&host) {
            return;
        }
        slot.update_value(|view| {
            let Some(view) = view else { return };
            if let Some(pos) = view.dom_to_pos(&target, 0) {
                view.make_editable(pos.block, pos.block);
            }
        });
    });
    // A selection dragged with the mouse past the host's edge: before the browser extends
    // it to the point under the pointer (the default action of the `mousemove` that follows),
    // everything from where it began to that point becomes editable. The browser would
    // otherwise stop it at the host's edge.
    let host = root.clone();
    listen(outer, "pointermove", move |event| {
        let Some(mouse) = event
            .dyn_ref::<web_sys::MouseEvent>()
            .filter(|e| e.buttons() & 1 == 1)
        else {
            return;
        };
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Node>().ok()) else {
            return;
        };
        if !in_shown(&target) || !is_editable(&host) {
            return;
        }
        // The point under the pointer, else the start of what it is over.
        let (node, offset) = point_at(mouse.client_x(), mouse.client_y()).unwrap_or((target, 0));
        slot.update_value(|view| {
            let Some(view) = view else { return };
            let (Some(sel), Some(focus)) = (view.selection(), view.dom_to_pos(&node, offset))
            else {
                return;
            };
            // The browser leaves this move's selection as it was once the document under
            // the pointer changed: it is set here, and later moves extend it natively.
            view.set_selection(super::view::Selection {
                anchor: sel.anchor,
                focus,
            });
        });
    });
    let document = root.owner_document().expect("document");
    let on_selection = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        slot.update_value(|view| {
            if let Some(view) = view {
                if view.composing.is_none() && view.is_focused() {
                    view.keep_editable();
                }
            }
        });
        on_selection()
    });
    let _ = document
        .add_event_listener_with_callback("selectionchange", on_selection.as_ref().unchecked_ref());
    on_selection.forget();
}

/// The DOM boundary point at viewport coordinates (`document.caretRangeFromPoint`).
fn point_at(x: i32, y: i32) -> Option<(Node, u32)> {
    let document = web_sys::window()?.document()?;
    let f = js_sys::Reflect::get(&document, &"caretRangeFromPoint".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let range = f
        .call2(&document, &x.into(), &y.into())
        .ok()?
        .dyn_into::<web_sys::Range>()
        .ok()?;
    Some((range.start_container().ok()?, range.start_offset().ok()?))
}

/// Whether `node` is part of the document shown beside the editing host.
fn in_shown(node: &Node) -> bool {
    let element = match node.dyn_ref::<Element>() {
        Some(el) => Some(el.clone()),
        None => node.parent_element(),
    };
    element.is_some_and(|el| el.closest(".shown").ok().flatten().is_some())
}

/// How many blocks a PageUp or PageDown may move the caret (a tall screen of short lines).
const PAGE_REACH: u32 = 60;

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
            let at = target_range(view, event).unwrap_or(sel);
            if super::images::take_files(view, at, event.data_transfer()) {
                return;
            }
            let Some(data) = event.data_transfer() else {
                return;
            };
            let html = data.get_data("text/html").unwrap_or_default();
            if let Some(nodes) = (!html.is_empty())
                .then(|| paste::html_to_nodes(&html))
                .flatten()
            {
                view.insert_nodes(sel, nodes);
                return;
            }
            let text = data.get_data("text/plain").unwrap_or_default();
            match paste::markdown_text(&text) {
                Some(nodes) => view.insert_nodes(sel, nodes),
                None => view.insert_text(sel, &text),
            }
        }
        "deleteContentBackward" => view.delete(sel, false),
        "deleteContentForward" => view.delete(sel, true),
        "deleteByCut" | "deleteByDrag" if !sel.is_collapsed() => view.delete(sel, false),
        "deleteByCut" | "deleteByDrag" => {}
        "formatBold" => view.toggle_mark(sel, Mark::Bold),
        "formatItalic" => view.toggle_mark(sel, Mark::Italic),
        "formatUnderline" => view.toggle_mark(sel, Mark::Underline),
        "formatStrikeThrough" => view.toggle_mark(sel, Mark::Strike),
        "historyUndo" => view.undo(),
        "historyRedo" => view.redo(),
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
    let anchor = view.dom_to_pos(&range.start_container(), range.start_offset())?;
    let focus = view.dom_to_pos(&range.end_container(), range.end_offset())?;
    Some(super::view::Selection { anchor, focus })
}

/// What a keyboard shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Mark(Mark),
    Block(u8),
    Code,
    List(ListKind),
    Quote,
    Link,
    Find,
    Undo,
    Redo,
    /// Ctrl+A: the whole document, not only the editing host's part (see `page`).
    SelectAll,
    /// Ctrl+Home / Ctrl+End (with Shift: extending the selection).
    Edge {
        end: bool,
        extend: bool,
    },
}

/// The editor's shortcuts (Tiptap's and Google Docs' where they agree): Ctrl+B/I/U, Ctrl+E
/// code, Ctrl+Shift+S (or X) strike, Ctrl+Shift+H highlight, Ctrl+K link, Ctrl+Alt+0–3
/// paragraph and headings, Ctrl+Alt+C code block, Ctrl+Shift+7/8/9 numbered, bullet and task
/// lists, Ctrl+Shift+B quote, Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y redo.
fn shortcut(event: &KeyboardEvent) -> Option<Command> {
    if !(event.ctrl_key() || event.meta_key()) {
        return None;
    }
    let key = event.key().to_lowercase();
    // Shifted digits arrive as symbols on some layouts; the physical key is stable.
    let code = event.code();
    let digit = code
        .strip_prefix("Digit")
        .and_then(|d| d.parse::<u8>().ok());
    Some(match (event.alt_key(), event.shift_key()) {
        (false, false) => match key.as_str() {
            "b" => Command::Mark(Mark::Bold),
            "i" => Command::Mark(Mark::Italic),
            "u" => Command::Mark(Mark::Underline),
            "e" => Command::Mark(Mark::Code),
            "k" => Command::Link,
            "f" => Command::Find,
            "z" => Command::Undo,
            "y" => Command::Redo,
            "a" => Command::SelectAll,
            "home" | "end" => Command::Edge {
                end: key == "end",
                extend: false,
            },
            _ => return None,
        },
        (false, true) => match (key.as_str(), digit) {
            (_, Some(7)) => Command::List(ListKind::Ordered),
            (_, Some(8)) => Command::List(ListKind::Bullet),
            (_, Some(9)) => Command::List(ListKind::Task),
            ("s" | "x", _) => Command::Mark(Mark::Strike),
            ("h", _) => Command::Mark(Mark::Highlight),
            ("b", _) => Command::Quote,
            ("z", _) => Command::Redo,
            ("home" | "end", _) => Command::Edge {
                end: key == "end",
                extend: true,
            },
            _ => return None,
        },
        (true, false) => match (key.as_str(), digit) {
            (_, Some(d)) if d <= 6 => Command::Block(d),
            ("c", _) => Command::Code,
            _ => return None,
        },
        (true, true) => return None,
    })
}

/// Runs a command on the selection (keyboard shortcuts and toolbar buttons alike).
pub fn run(view: &mut EditorView, sel: Selection, command: Command) {
    match command {
        Command::Mark(mark) => view.toggle_mark(sel, mark),
        Command::Block(0) => view.set_block_kind(sel, BlockKind::Paragraph),
        Command::Block(level) => view.set_block_kind(sel, BlockKind::Heading(level)),
        Command::Code => view.set_block_kind(sel, BlockKind::CodeBlock { language: None }),
        Command::List(kind) => view.toggle_list(sel, kind),
        Command::Quote => view.toggle_quote(sel),
        Command::Undo => view.undo(),
        Command::Redo => view.redo(),
        Command::SelectAll => view.select_all(),
        Command::Edge { end, extend } => {
            let edge = if end {
                view.end().focus
            } else {
                Default::default()
            };
            let anchor = if extend { sel.anchor } else { edge };
            view.set_selection(Selection {
                anchor,
                focus: edge,
            });
            view.reveal_selection();
        }
        Command::Link | Command::Find => {}
    }
}
