//! Who is here: the person's own display name (asked once in the document bar, remembered in
//! `localStorage`), their presence state sent through the connection (caret updates at most
//! every [`CURSOR_EVERY_MS`]), and the list of everyone on the document with their colours.
//! The others' states are read with `gather_doc::presence::Peer::parse` (names as text,
//! colours checked); the editor's overlay draws their carets.

use std::rc::Rc;

use gather_doc::presence::{self, Cursor, Peer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::connection::Connection;
use crate::i18n::Lang;

/// Where the display name is remembered in this browser.
pub const NAME_KEY: &str = "gather-name";

/// The fewest milliseconds between two caret updates sent.
pub const CURSOR_EVERY_MS: f64 = 100.0;

/// This page's presence: its own state and what it knows of the others.
#[derive(Clone, Copy)]
pub struct Presence {
    /// The others, as their states say (names not yet made displayable: see [`shown`]).
    pub peers: RwSignal<Vec<Peer>>,
    /// One's own name, cleaned; empty until set.
    pub name: RwSignal<String>,
    /// One's own awareness client id.
    pub me: u64,
    cursor: StoredValue<Option<Cursor>>,
    connection: StoredValue<Option<Rc<Connection>>, LocalStorage>,
    /// When the state was last sent, and whether a delayed send is waiting.
    throttle: StoredValue<(f64, bool)>,
}

impl Presence {
    /// Starts with the remembered name and no caret; `me` is the document's client id.
    pub fn new(me: u64) -> Presence {
        let name = storage()
            .and_then(|s| s.get_item(NAME_KEY).ok().flatten())
            .map(|n| presence::clean_name(&n))
            .unwrap_or_default();
        Presence {
            peers: RwSignal::new(Vec::new()),
            name: RwSignal::new(name),
            me,
            cursor: StoredValue::new(None),
            connection: StoredValue::new_local(None),
            throttle: StoredValue::new((0.0, false)),
        }
    }

    /// Sends through `connection` (opened once the copy kept in the browser is loaded) and
    /// follows the others' presence on it.
    pub fn attach(&self, connection: Rc<Connection>) {
        let weak = Rc::downgrade(&connection);
        let peers = self.peers;
        connection.on_presence(move || {
            let Some(connection) = weak.upgrade() else {
                return;
            };
            let now: Vec<Peer> = connection
                .others_presence()
                .iter()
                .filter_map(|(client, json)| Peer::parse(*client, json))
                .collect();
            if peers
                .try_get_untracked()
                .is_some_and(|before| before != now)
            {
                peers.set(now);
            }
        });
        self.connection.set_value(Some(connection));
        self.publish();
    }

    /// One's own colour.
    pub fn color(&self) -> &'static str {
        presence::palette_color(self.me)
    }

    /// Sets and remembers one's display name, and tells the others at once.
    pub fn set_name(&self, name: &str) {
        let name = presence::clean_name(name);
        if let Some(storage) = storage() {
            let _ = storage.set_item(NAME_KEY, &name);
        }
        self.name.set(name);
        self.publish();
    }

    /// Where one's caret is now (`None`: the editor does not have the focus). Sent at most
    /// every [`CURSOR_EVERY_MS`]; the last change always goes out.
    pub fn set_cursor(&self, cursor: Option<Cursor>) {
        if self.cursor.try_get_value().is_none_or(|c| c == cursor) {
            return;
        }
        self.cursor.set_value(cursor);
        let (last, waiting) = self.throttle.get_value();
        if waiting {
            return;
        }
        let wait = last + CURSOR_EVERY_MS - js_sys::Date::now();
        if wait <= 0.0 {
            self.publish();
            return;
        }
        self.throttle.set_value((last, true));
        let this = *self;
        let later = Closure::once_into_js(move || {
            if this.throttle.try_get_value().is_some() {
                this.publish();
            }
        });
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            later.unchecked_ref(),
            wait.ceil() as i32,
        );
    }

    fn publish(&self) {
        let Some(name) = self.name.try_get_untracked() else {
            return;
        };
        let json = presence::local_state(&name, self.color(), self.cursor.get_value());
        self.throttle.set_value((js_sys::Date::now(), false));
        self.connection.with_value(|c| {
            if let Some(c) = c {
                c.set_presence(&json);
            }
        });
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// How a person is called on screen: their name, or "Guest 3f2a" in the reader's language.
pub fn display_name(lang: Lang, name: &str, client: u64) -> String {
    if name.is_empty() {
        format!(
            "{} {}",
            text(lang, Text::Guest),
            presence::guest_tag(client)
        )
    } else {
        name.to_owned()
    }
}

/// The others with displayable names, for the editor's overlay.
pub fn shown(presence: Presence, lang: Signal<Lang>) -> Signal<Vec<Peer>> {
    Signal::derive(move || {
        let lang = lang.get();
        presence
            .peers
            .get()
            .into_iter()
            .map(|mut p| {
                p.name = display_name(lang, &p.name, p.client);
                p
            })
            .collect()
    })
}

/// The name field and who is here, for the document bar.
#[component]
pub fn PresenceBar(
    /// This page's presence.
    presence: Presence,
    /// Interface language.
    lang: Signal<Lang>,
) -> impl IntoView {
    let everyone = move || {
        let lang = lang.get();
        let me = (
            presence.me,
            format!(
                "{} {}",
                display_name(lang, &presence.name.get(), presence.me),
                text(lang, Text::You)
            ),
            presence.color().to_owned(),
        );
        let others = presence
            .peers
            .get()
            .into_iter()
            .map(|p| (p.client, display_name(lang, &p.name, p.client), p.color));
        std::iter::once(me).chain(others).collect::<Vec<_>>()
    };
    let count = move || presence.peers.get().len() + 1;
    view! {
        <div class="presence">
            <input
                class="my-name"
                data-testid="my-name"
                maxlength="40"
                aria-label=move || text(lang.get(), Text::YourName)
                placeholder=move || text(lang.get(), Text::YourName)
                prop:value=move || presence.name.get()
                on:change=move |ev| presence.set_name(&event_target_value(&ev))
            />
            <ul
                class="who"
                data-testid="who"
                data-count=move || count().to_string()
                aria-label=move || here_label(lang.get(), count())
                title=move || here_label(lang.get(), count())
            >
                {move || everyone().into_iter().map(|(client, name, color)| {
                    let letter = initial(&name);
                    let title = name.clone();
                    view! {
                    <li data-testid="who-item" data-client=client.to_string() title=title>
                        <span class="avatar" aria-hidden="true" style:background-color=color>
                            {letter}
                        </span>
                        <span class="who-name">{name}</span>
                    </li>
                    }
                }).collect_view()}
            </ul>
            <span class="who-count" data-testid="who-count" aria-hidden="true">
                {move || count_label(lang.get(), count())}
            </span>
        </div>
    }
}

/// The first character of a name, for its avatar.
fn initial(name: &str) -> String {
    name.chars().next().map(String::from).unwrap_or_default()
}

/// The short count beside the avatars.
fn count_label(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 人"),
        Lang::En => format!("{n} here"),
    }
}

fn here_label(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("{n} 人在此文档"),
        Lang::En if n == 1 => "1 person here".to_owned(),
        Lang::En => format!("{n} people here"),
    }
}

/// The words of presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    YourName,
    Guest,
    You,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    match (lang, key) {
        (Lang::Zh, Text::YourName) => "你的名字",
        (Lang::En, Text::YourName) => "Your name",
        (Lang::Zh, Text::Guest) => "访客",
        (Lang::En, Text::Guest) => "Guest",
        (Lang::Zh, Text::You) => "（你）",
        (Lang::En, Text::You) => "(you)",
    }
}
