//! How long the form keeps its responses, set by its owner: after that many days a response is
//! deleted from the server's disk (answers, history and photos), and the activity log says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::live::Live;
use super::text::{error_text, text, Text};
use crate::api;
use crate::i18n::Lang;

#[component]
pub fn RetentionSetting(live: Live, lang: Signal<Lang>) -> impl IntoView {
    let path = live.retention_path();
    let token = live.token().to_owned();
    let days = RwSignal::new(String::new());
    let state = RwSignal::new(None::<Result<(), String>>);
    {
        let (path, token) = (path.clone(), token.clone());
        spawn_local(async move {
            if let Ok(reply) = api::call("GET", &path, Some(&token), None).await {
                days.set(
                    reply["days"]
                        .as_u64()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                );
            }
        });
    }
    let save = move |ev: web_sys::Event| {
        let typed = event_target_value(&ev);
        let value = match typed.trim() {
            "" => serde_json::Value::Null,
            t => match t.parse::<u32>() {
                Ok(n) if (1..=3650).contains(&n) => json!(n),
                _ => {
                    state.set(Some(Err("bad_input".into())));
                    return;
                }
            },
        };
        let (path, token) = (path.clone(), token.clone());
        spawn_local(async move {
            let result =
                api::call("PUT", &path, Some(&token), Some(json!({ "days": value }))).await;
            state.set(Some(result.map(|_| ()).map_err(|e| e.code)));
        });
    };
    view! {
        <label class="responses-retention">
            <span>{move || text(lang.get(), Text::KeepFor)}</span>
            <input
                type="number"
                min="1"
                max="3650"
                inputmode="numeric"
                data-testid="retention-days"
                placeholder=move || text(lang.get(), Text::KeepForever)
                prop:value=move || days.get()
                on:change=save
            />
            <span>{move || text(lang.get(), Text::Days)}</span>
            <span class="hint" role="status">
                {move || match state.get() {
                    Some(Ok(())) => text(lang.get(), Text::Saved).to_owned(),
                    Some(Err(code)) if code == "bad_input" => text(lang.get(), Text::DaysRange).to_owned(),
                    Some(Err(code)) => error_text(lang.get(), &code).to_owned(),
                    None => text(lang.get(), Text::RetentionNote).to_owned(),
                }}
            </span>
        </label>
    }
}
