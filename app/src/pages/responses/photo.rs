//! A photo answer, opened from the responses table: the picture fetched with the link's token
//! (never a token in an image URL), shown full width, with Download and Close.

use gather_doc::form::Bilingual;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Url;

use super::live::Live;
use super::text::{code, error_text, text, Text};
use crate::api;
use crate::i18n::Lang;

/// Which photo to show.
#[derive(Clone, Debug, PartialEq)]
pub struct PhotoTarget {
    pub receipt: String,
    pub question: String,
    /// The question's label, for the dialog's title.
    pub label: Bilingual,
    pub photo_id: String,
}

#[component]
pub fn PhotoDialog(
    live: Live,
    target: PhotoTarget,
    lang: Signal<Lang>,
    on_close: Callback<()>,
) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let blob = StoredValue::new_local(None::<web_sys::Blob>);
    let failure = RwSignal::new(None::<String>);
    let photo_id = target.photo_id.clone();
    spawn_local(async move {
        match live.photo(&photo_id).await {
            Ok(picture) => {
                url.set(Url::create_object_url_with_blob(&picture).ok());
                blob.set_value(Some(picture));
            }
            Err(e) => failure.set(Some(e.code)),
        }
    });
    on_cleanup(move || {
        if let Some(url) = url.get_untracked() {
            let _ = Url::revoke_object_url(&url);
        }
    });
    let filename = format!("{}-{}.jpg", target.receipt, target.question);
    let download = move |_| {
        if let Some(picture) = blob.get_value() {
            let _ = api::save_blob(&picture, &filename);
        }
    };
    let (receipt, label) = (target.receipt.clone(), target.label.clone());
    let title = move || format!("{} · {receipt}", label.get(code(lang.get())));
    view! {
        <div
            class="dialog-backdrop"
            on:click=move |_| on_close.run(())
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close.run(());
                }
            }
        >
            <div
                class="dialog photo-dialog"
                role="dialog"
                aria-modal="true"
                data-testid="photo-dialog"
                on:click=|ev| ev.stop_propagation()
            >
                <div class="dialog-head">
                    <h2>{title}</h2>
                    <button data-testid="close-dialog" autofocus on:click=move |_| on_close.run(())>
                        {move || text(lang.get(), Text::Close)}
                    </button>
                </div>
                <Show when=move || failure.get().is_some()>
                    <p class="notice" role="alert">
                        {move || failure.get().map(|c| error_text(lang.get(), &c))}
                    </p>
                </Show>
                {move || match url.get() {
                    Some(src) => view! {
                        <img class="photo-full" data-testid="photo-full" src=src alt=move || text(lang.get(), Text::PhotoTitle) />
                        <div class="dialog-actions">
                            <button class="primary" data-testid="photo-download" on:click=download.clone()>
                                {move || text(lang.get(), Text::DownloadPhoto)}
                            </button>
                        </div>
                    }
                    .into_any(),
                    None if failure.get().is_none() => {
                        view! { <p class="hint">{move || text(lang.get(), Text::Loading)}</p> }.into_any()
                    }
                    None => ().into_any(),
                }}
            </div>
        </div>
    }
}
