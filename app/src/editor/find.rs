//! Find and replace (Ctrl+F): matches are found in the blocks' text (ignoring ASCII case), the
//! current one is selected in the editor, every one is highlighted (the CSS Custom Highlight
//! API: no element is added to the document), and replacing goes through the model like
//! typing.

use gather_doc::rich_text::{Block, Pos};
use leptos::html::Input;
use leptos::prelude::*;

use super::input::ViewSlot;
use super::text::{match_count, t, Key};
use super::view::EditorView;
use super::view::Selection;
use crate::i18n::Lang;

/// Every place `query` occurs, as selections, in document order.
pub fn find_all(blocks: &[Block], query: &str) -> Vec<Selection> {
    let needle: Vec<u16> = query.encode_utf16().collect();
    if needle.is_empty() {
        return Vec::new();
    }
    let same = |a: u16, b: u16| {
        a == b || (a < 128 && b < 128 && (a as u8).eq_ignore_ascii_case(&(b as u8)))
    };
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if !block.kind.is_editable() {
            continue;
        }
        let hay: Vec<u16> = block.text().encode_utf16().collect();
        let mut at = 0;
        while at + needle.len() <= hay.len() {
            if hay[at..at + needle.len()]
                .iter()
                .zip(&needle)
                .all(|(a, b)| same(*a, *b))
            {
                out.push(Selection {
                    anchor: Pos::new(i as u32, at as u32),
                    focus: Pos::new(i as u32, (at + needle.len()) as u32),
                });
                at += needle.len();
            } else {
                at += 1;
            }
        }
    }
    out
}

/// The name of the find bar's highlight (styled by `::highlight(gather-find)`).
const HIGHLIGHT: &str = "gather-find";
/// At most this many matches are highlighted (ranges cost the browser on every render).
const MAX_HIGHLIGHTED: usize = 2000;

/// Highlights `matches` in the editor, or clears the highlight (`None`). Does nothing where
/// the browser lacks the Custom Highlight API.
fn highlight(matches: Option<(&EditorView, &[Selection])>) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let get = |target: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(target, &name.into())
            .ok()
            .filter(|v| !v.is_undefined())
    };
    let Some(registry) = get(&window, "CSS").and_then(|css| get(&css, "highlights")) else {
        return;
    };
    let call = |method: &str, args: &js_sys::Array| {
        if let Some(f) = get(&registry, method).and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            let _ = f.apply(&registry, args);
        }
    };
    let Some((view, matches)) = matches else {
        call("delete", &js_sys::Array::of1(&HIGHLIGHT.into()));
        return;
    };
    let Some(make) = get(&window, "Highlight").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let document = window.document().expect("document");
    let ranges = js_sys::Array::new();
    for sel in matches.iter().take(MAX_HIGHLIGHTED) {
        let (Some((sn, so)), Some((en, eo)), Ok(range)) = (
            view.pos_to_dom(sel.start()),
            view.pos_to_dom(sel.end()),
            document.create_range(),
        ) else {
            continue;
        };
        if range.set_start(&sn, so).is_ok() && range.set_end(&en, eo).is_ok() {
            ranges.push(&range);
        }
    }
    if let Ok(found) = js_sys::Reflect::construct(&make, &ranges) {
        call("set", &js_sys::Array::of2(&HIGHLIGHT.into(), &found));
    }
}

/// The find bar.
#[component]
pub fn FindBar(
    editor: ViewSlot,
    lang: Signal<Lang>,
    open: RwSignal<bool>,
    editable: Signal<bool>,
    /// Set after the document changed (with the word count): the highlights follow.
    words: RwSignal<usize>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let replacement = RwSignal::new(String::new());
    let current = RwSignal::new(0usize);
    let total = RwSignal::new(0usize);
    let input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if !open.get() {
            highlight(None);
        }
        if open.get() {
            request_animation_frame(move || {
                if let Some(i) = input.get_untracked() {
                    let _ = i.focus();
                    i.select();
                }
            });
        }
    });
    let matches = move || {
        let q = query.get_untracked();
        editor
            .with_value(|v| v.as_ref().map(|v| find_all(v.blocks(), &q)))
            .unwrap_or_default()
    };
    // The document changed while the bar is open: highlight the matches it has now.
    Effect::new(move |_| {
        words.track();
        if !open.get_untracked() || query.get_untracked().is_empty() {
            return;
        }
        let all = matches();
        total.set(all.len());
        if current.get_untracked() > all.len() {
            current.set(all.len());
        }
        editor.with_value(|v| {
            if let Some(v) = v {
                highlight(Some((v, &all)));
            }
        });
    });
    // Selects match `index` (wrapping) and shows it.
    let show = move |index: isize| {
        let all = matches();
        total.set(all.len());
        if all.is_empty() {
            current.set(0);
            highlight(None);
            return;
        }
        let i = index.rem_euclid(all.len() as isize) as usize;
        current.set(i + 1);
        editor.update_value(|v| {
            if let Some(v) = v {
                highlight(Some((v, &all)));
                v.set_selection(all[i]);
                v.reveal_selection();
            }
        });
        // Selecting in the editor takes the focus; typing goes on in the find box.
        if let Some(i) = input.get_untracked() {
            let _ = i.focus();
        }
    };
    let step = move |by: isize| show(current.get_untracked() as isize - 1 + by);
    let replace_one = move |_| {
        let all = matches();
        let i = current.get_untracked().saturating_sub(1);
        let Some(sel) = all.get(i).copied() else {
            return;
        };
        let text = replacement.get_untracked();
        editor.update_value(|v| {
            if let Some(v) = v {
                v.replace(&[sel], &text);
            }
        });
        show(i as isize);
    };
    let replace_all = move |_| {
        let all = matches();
        let text = replacement.get_untracked();
        editor.update_value(|v| {
            if let Some(v) = v {
                v.replace(&all, &text);
            }
        });
        show(0);
    };
    // "2 / 5" once one is selected; before that (the document changed while the bar was open,
    // from none to some) just how many.
    let count = move || {
        if query.get().is_empty() {
            String::new()
        } else {
            match_count(lang.get(), current.get(), total.get())
        }
    };
    view! {
        <form class="find-bar" data-testid="find-bar" hidden=move || !open.get()
            on:submit=move |ev| { ev.prevent_default(); step(1); }>
            <input type="search" node_ref=input data-testid="find-text"
                aria-label=move || t(lang.get(), Key::Find) placeholder=move || t(lang.get(), Key::Find)
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); show(0); }
                on:keydown=move |ev| if ev.key() == "Escape" { open.set(false); } />
            <span class="find-count" data-testid="find-count" aria-live="polite">{count}</span>
            <button type="button" aria-label=move || t(lang.get(), Key::Previous) title=move || t(lang.get(), Key::Previous)
                on:click=move |_| step(-1)>"↑"</button>
            <button type="submit" aria-label=move || t(lang.get(), Key::Next) title=move || t(lang.get(), Key::Next)>"↓"</button>
            <span class="replace" hidden=move || !editable.get()>
                <input type="text" data-testid="replace-text"
                    aria-label=move || t(lang.get(), Key::ReplaceWith) placeholder=move || t(lang.get(), Key::ReplaceWith)
                    prop:value=move || replacement.get()
                    on:input=move |ev| replacement.set(event_target_value(&ev)) />
                <button type="button" data-testid="replace-one" on:click=replace_one>{move || t(lang.get(), Key::Replace)}</button>
                <button type="button" data-testid="replace-all" on:click=replace_all>{move || t(lang.get(), Key::ReplaceAll)}</button>
            </span>
            <button type="button" aria-label=move || t(lang.get(), Key::Cancel) on:click=move |_| open.set(false)>"×"</button>
        </form>
    }
}
