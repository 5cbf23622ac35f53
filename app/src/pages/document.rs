//! The document page: connection badge and the editor, for `/d/{doc_id}`.

use gather_doc::{CloseCode, DocId};
use leptos::prelude::*;

use crate::connection::{Connection, Status};
use crate::editor::{Editor, ViewSlot};
use crate::i18n::{close_message, t, Key, Lang};

#[component]
pub fn DocumentPage(id: DocId, lang: Signal<Lang>) -> impl IntoView {
    let doc = gather_doc::new_doc(random_client_id());
    let (status, set_status) = signal(Status::Connecting);
    let (last_close, set_last_close) = signal(None::<CloseCode>);
    let slot: ViewSlot = StoredValue::new_local(None);
    let connection = Connection::open(id, doc.clone(), set_status, set_last_close, move || {
        slot.update_value(|view| {
            if let Some(view) = view {
                view.remote_changed();
            }
        });
    });
    // The connection lives as long as the page.
    let _keep = StoredValue::new_local(connection);

    let badge_text = move || match status.get() {
        Status::Connecting => t(lang.get(), Key::Connecting),
        Status::Online => t(lang.get(), Key::Online),
        Status::Offline => t(lang.get(), Key::Offline),
    };
    let badge_state = move || match status.get() {
        Status::Connecting => "connecting",
        Status::Online => "online",
        Status::Offline => "offline",
    };
    view! {
        <section class="document">
            <div class="doc-bar">
                <span class="hint">{move || t(lang.get(), Key::ShareHint)}</span>
                <span class="badge" data-testid="status" data-state=badge_state>
                    {badge_text}
                </span>
            </div>
            <Show when=move || last_close.get().is_some()>
                <p class="notice" role="alert" data-testid="close-notice">
                    {move || last_close.get().map(|c| close_message(lang.get(), c))}
                </p>
            </Show>
            <Editor doc=doc lang=lang state=slot />
        </section>
    }
}

/// A random 32-bit client id, as Yjs uses, from the browser's cryptographic source.
fn random_client_id() -> u64 {
    let mut bytes = [0u8; 4];
    if let Ok(crypto) = window().crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    u64::from(u32::from_le_bytes(bytes))
}
