//! The confirmation a respondent sees once the server has the response: when it arrived, the
//! receipt code to keep (big, selectable and copyable), and, while the form is open, the ways
//! on: change the response, or fill in another one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::draft::Receipt;
use super::text::{text, Key};
use crate::api;
use crate::i18n::Lang;

/// `ms` since the epoch as the phone shows local date and time.
fn local_time(ms: f64, lang: Lang) -> String {
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_locale_string(lang.code(), &JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default()
}

#[component]
pub fn DonePanel(
    receipt: Receipt,
    lang: Signal<Lang>,
    /// Whether the form still takes changes.
    accepting: Signal<bool>,
    /// Loading the response to edit.
    busy: Signal<bool>,
    /// Why the response could not be loaded for editing.
    failure: Signal<Option<Key>>,
    on_edit: Callback<()>,
    /// Starting another response; `None` where one person answers once (a day) — a personal
    /// link, or a form that replaces a person's earlier answer.
    on_another: Option<Callback<()>>,
) -> impl IntoView {
    let changed = receipt.updated_at > receipt.submitted_at;
    let copied = RwSignal::new(None::<bool>);
    let code = receipt.receipt.clone();
    let copy = move |_| {
        let code = code.clone();
        spawn_local(async move { copied.set(Some(api::copy_to_clipboard(&code).await)) });
    };
    let (submitted_at, updated_at) = (receipt.submitted_at, receipt.updated_at);
    view! {
        <div class="fill-done" data-testid="fill-done" role="status">
            <p class="done-title">
                {move || text(lang.get(), if changed { Key::ChangesSaved } else { Key::Submitted })}
            </p>
            <dl class="done-facts">
                <dt>{move || text(lang.get(), Key::SubmittedAt)}</dt>
                <dd data-testid="submitted-at">{move || local_time(submitted_at, lang.get())}</dd>
                {changed.then(|| view! {
                    <dt>{move || text(lang.get(), Key::ChangedAt)}</dt>
                    <dd data-testid="updated-at">{move || local_time(updated_at, lang.get())}</dd>
                })}
                <dt>{move || text(lang.get(), Key::ReceiptCode)}</dt>
                <dd>
                    <span class="receipt" data-testid="receipt">{receipt.receipt.clone()}</span>
                    <button type="button" class="copy-receipt" data-testid="copy-receipt" on:click=copy>
                        {move || text(lang.get(), if copied.get() == Some(true) { Key::Copied } else { Key::Copy })}
                    </button>
                </dd>
            </dl>
            <Show when=move || copied.get() == Some(false)>
                <p class="hint">{move || text(lang.get(), Key::CopyFailed)}</p>
            </Show>
            <p class="hint">{move || text(lang.get(), Key::ReceiptHint)}</p>
            <Show when=move || !accepting.get()>
                <p class="fill-notice" data-testid="fill-closed">{move || text(lang.get(), Key::FormClosed)}</p>
            </Show>
            <Show when=move || failure.get().is_some()>
                <p class="notice" role="alert" data-testid="edit-failure">
                    {move || failure.get().map(|k| text(lang.get(), k))}
                </p>
            </Show>
            <div class="done-actions">
                <Show when=move || accepting.get()>
                    <button
                        type="button"
                        class="secondary"
                        data-testid="edit-response"
                        disabled=move || busy.get()
                        on:click=move |_| on_edit.run(())
                    >
                        {move || text(lang.get(), if busy.get() { Key::LoadingResponse } else { Key::EditResponse })}
                    </button>
                    {on_another.map(|another| view! {
                        <button
                            type="button"
                            class="secondary"
                            data-testid="submit-another"
                            on:click=move |_| another.run(())
                        >
                            {move || text(lang.get(), Key::SubmitAnother)}
                        </button>
                    })}
                </Show>
            </div>
        </div>
    }
}
