//! The photo question: take or choose a picture (a health-code screenshot, a photo of boxes
//! delivered). On the phone it is shrunk to at most 1600 pixels across and re-encoded as JPEG —
//! a few hundred KB for a slow network, and without the camera's location data — then uploaded
//! at once; the answer is the id the server gives back. A thumbnail shows what was sent, with
//! Replace and Remove. In the owner's preview nothing is uploaded.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{Blob, Url};

use super::question::Slot;
use super::text::{text, Key};
use crate::api;
use crate::i18n::Lang;
use crate::picture::shrink;

/// Where photos go: the form and the link filling it.
#[derive(Clone, Default)]
pub struct PhotoPlace {
    pub doc: String,
    pub token: String,
    /// The owner's preview: pictures are shown but never uploaded.
    pub preview: bool,
}

pub fn photo_input(slot: Slot, place: StoredValue<PhotoPlace>, lang: Signal<Lang>) -> AnyView {
    let thumb = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let value = slot.value;
    let photo_id = move || {
        value.with(|v| {
            v.as_ref()
                .and_then(Value::as_str)
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        })
    };
    let has_photo = Signal::derive(move || photo_id().is_some());

    // An answer kept from before (a draft, a response being edited): show the server's copy.
    Effect::new(move |_| {
        let Some(id) = photo_id() else {
            set_thumb(thumb, None);
            return;
        };
        if thumb.with_untracked(Option::is_some) {
            return;
        }
        let place = place.get_value();
        if place.preview {
            return;
        }
        spawn_local(async move {
            let path = format!("/api/forms/{}/photos/{id}", place.doc);
            if let Ok(blob) = api::get_blob(&path, &place.token).await {
                set_thumb(thumb, Url::create_object_url_with_blob(&blob).ok());
            }
        });
    });
    on_cleanup(move || set_thumb(thumb, None));

    let on_pick = {
        let slot = slot.clone();
        move |ev: web_sys::Event| {
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let slot = slot.clone();
            busy.set(true);
            problem.set(None);
            spawn_local(async move {
                match send(&file, &place.get_value()).await {
                    Ok((id, blob)) => {
                        set_thumb(thumb, Url::create_object_url_with_blob(&blob).ok());
                        slot.choose(Value::String(id));
                    }
                    Err(key) => {
                        problem.set(Some(key));
                    }
                }
                busy.set(false);
            });
        }
    };
    let on_remove = {
        let slot = slot.clone();
        move |_| {
            set_thumb(thumb, None);
            problem.set(None);
            slot.choose(Value::Null);
        }
    };
    let label = StoredValue::new(slot.question.label.clone());
    view! {
        <div class="photo" data-testid="photo-question">
            <Show when=move || thumb.with(Option::is_some)>
                <img
                    class="photo-thumb"
                    data-testid="photo-thumb"
                    src=move || thumb.get().unwrap_or_default()
                    alt=move || label.with_value(|l| l.get(super::text::form_lang(lang.get())).to_owned())
                />
            </Show>
            <Show when=move || has_photo.get() && thumb.with(Option::is_none)>
                <p class="hint" data-testid="photo-attached">{move || text(lang.get(), Key::PhotoAttached)}</p>
            </Show>
            <div class="photo-actions">
                <label class="button photo-pick" class:primary=move || !has_photo.get()>
                    <input
                        type="file"
                        class="visually-hidden"
                        accept="image/*"
                        id=slot.input_id()
                        name=slot.name()
                        data-testid="photo-file"
                        aria-describedby=slot.described_by()
                        aria-invalid=move || slot.invalid.get().to_string()
                        disabled=move || busy.get()
                        on:change=on_pick
                    />
                    <span>
                        {move || text(lang.get(), if has_photo.get() { Key::PhotoReplace } else { Key::PhotoPick })}
                    </span>
                </label>
                <Show when=move || has_photo.get()>
                    <button type="button" class="secondary" data-testid="photo-remove" on:click=on_remove.clone()>
                        {move || text(lang.get(), Key::PhotoRemove)}
                    </button>
                </Show>
            </div>
            <Show when=move || busy.get()>
                <p class="hint" role="status">{move || text(lang.get(), Key::PhotoUploading)}</p>
            </Show>
            <Show when=move || problem.get().is_some()>
                <p class="field-error" role="alert" data-testid="photo-problem">
                    {move || problem.get().map(|k| text(lang.get(), k))}
                </p>
            </Show>
        </div>
    }
    .into_any()
}

/// Replaces the thumbnail, letting the browser free the old one.
fn set_thumb(thumb: RwSignal<Option<String>>, url: Option<String>) {
    if let Some(old) = thumb.get_untracked() {
        let _ = Url::revoke_object_url(&old);
    }
    thumb.set(url);
}

/// Shrinks and uploads `file`; the photo id and the picture sent.
async fn send(file: &web_sys::File, place: &PhotoPlace) -> Result<(String, Blob), Key> {
    let blob = shrink(file).await.map_err(|_| Key::PhotoUnreadable)?;
    if place.preview {
        return Ok((local_id(), blob));
    }
    let path = format!("/api/forms/{}/photos", place.doc);
    match api::post_blob(&path, &place.token, &blob).await {
        Ok(reply) => reply["photo_id"]
            .as_str()
            .map(|id| (id.to_owned(), blob))
            .ok_or(Key::PhotoNotSent),
        Err(e) if e.code == "not_an_image" => Err(Key::PhotoUnreadable),
        Err(e) if e.code == "too_many_photos" => Err(Key::PhotoTooMany),
        Err(e) if e.code == "form_closed" => Err(Key::FormClosed),
        Err(_) => Err(Key::PhotoNotSent),
    }
}

/// A photo id for the preview, where nothing is uploaded.
fn local_id() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
