//! Find and replace (Ctrl+F): matches are found in the blocks' text (ignoring ASCII case), the
//! current one is selected in the editor, and replacing goes through the model like typing.

use gather_doc::rich_text::{Block, Pos};
use leptos::html::Input;
use leptos::prelude::*;

use super::input::ViewSlot;
use super::text::{t, Key};
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

/// The find bar.
#[component]
pub fn FindBar(
    editor: ViewSlot,
    lang: Signal<Lang>,
    open: RwSignal<bool>,
    editable: Signal<bool>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let replacement = RwSignal::new(String::new());
    let current = RwSignal::new(0usize);
    let total = RwSignal::new(0usize);
    let input = NodeRef::<Input>::new();
    Effect::new(move |_| {
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
    // Selects match `index` (wrapping) and shows it.
    let show = move |index: isize| {
        let all = matches();
        total.set(all.len());
        if all.is_empty() {
            current.set(0);
            return;
        }
        let i = index.rem_euclid(all.len() as isize) as usize;
        current.set(i + 1);
        editor.update_value(|v| {
            if let Some(v) = v {
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
    let count = move || {
        let n = total.get();
        if query.get().is_empty() {
            String::new()
        } else if n == 0 {
            t(lang.get(), Key::NoMatches).to_owned()
        } else {
            format!("{} / {}", current.get(), n)
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
