//! The tabs above a form, for those who may change it: Edit form, Responses, By day (or Totals
//! for a supply register), Roster, and a link to preview the fill page.
//!
//! Edit form is the document page (`/d/{id}`, the whole app's build); the other three are the
//! organiser's page (`/d/{id}/responses`, `/today` or `/totals`, `/roster`), its own build, so
//! a document's visit does not download the responses table, charts and roster (the document
//! page fetches them in the background once the document is in: `prefetch_organiser`). Every
//! tab is a real link, so it opens in a new tab, survives a reload and works without the app;
//! the organiser's page switches between its own three without loading again (`on_switch`).

use gather_doc::DocId;
use leptos::prelude::*;

use super::builder::{text, Text};
use crate::i18n::Lang;

/// One of a form's tabs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FormTab {
    Edit,
    Responses,
    /// Who has reported on a day: the third tab of a form that is not a supply register.
    Today,
    /// A supply register's quantities added up: its third tab.
    Totals,
    Roster,
}

impl FormTab {
    /// The organiser's tabs.
    pub const ORGANISER: [FormTab; 4] = [
        FormTab::Responses,
        FormTab::Today,
        FormTab::Totals,
        FormTab::Roster,
    ];

    /// A form's third tab: its totals for a supply register, else its days.
    pub fn third(supplies: bool) -> FormTab {
        if supplies {
            FormTab::Totals
        } else {
            FormTab::Today
        }
    }

    /// The last part of the tab's address (`/d/{id}/{segment}`); none for Edit form.
    pub fn segment(self) -> Option<&'static str> {
        match self {
            FormTab::Edit => None,
            FormTab::Responses => Some("responses"),
            FormTab::Today => Some("today"),
            FormTab::Totals => Some("totals"),
            FormTab::Roster => Some("roster"),
        }
    }

    /// The organiser's tab an address's last part names.
    pub fn from_segment(segment: &str) -> Option<FormTab> {
        FormTab::ORGANISER
            .into_iter()
            .find(|tab| tab.segment() == Some(segment))
    }

    /// The tab's address, with the link's token in the fragment.
    pub fn href(self, id: &DocId, token: &str) -> String {
        match self.segment() {
            Some(segment) => format!("/d/{id}/{segment}#t={token}"),
            None => format!("/d/{id}#t={token}"),
        }
    }

    fn test_id(self) -> &'static str {
        match self {
            FormTab::Edit => "tab-edit",
            FormTab::Responses => "tab-responses",
            FormTab::Today | FormTab::Totals => "tab-today",
            FormTab::Roster => "tab-roster",
        }
    }

    /// The tab's name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        let key = match self {
            FormTab::Edit => Text::EditForm,
            FormTab::Responses => Text::Responses,
            FormTab::Today => Text::Today,
            FormTab::Totals => Text::Totals,
            FormTab::Roster => Text::Roster,
        };
        text(lang, key)
    }
}

/// The tab bar. `on_switch` is called instead of following a link to one of the organiser's
/// tabs when the page can show it itself; it is `None` on the document page.
#[component]
pub fn FormTabs(
    id: DocId,
    token: String,
    current: Signal<FormTab>,
    /// A supply register: its third tab adds up quantities (Totals) instead of listing days.
    supplies: Signal<bool>,
    lang: Signal<Lang>,
    #[prop(optional)] on_switch: Option<Callback<FormTab>>,
) -> impl IntoView {
    let preview = format!("/f/{id}#t={token}&preview=1");
    let tab = move |tab: FormTab| {
        let href = tab.href(&id, &token);
        view! {
            <a
                role="tab"
                href=href
                data-testid=tab.test_id()
                aria-selected=move || (current.get() == tab).to_string()
                on:click=move |ev| {
                    let Some(switch) = on_switch else { return };
                    // A click that asks for a new tab or window is the browser's.
                    if tab == FormTab::Edit || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
                        return;
                    }
                    ev.prevent_default();
                    switch.run(tab);
                }
            >
                {move || tab.label(lang.get())}
            </a>
        }
    };
    let third = {
        let tab = tab.clone();
        move || tab(FormTab::third(supplies.get()))
    };
    view! {
        <nav class="tabs" role="tablist">
            {tab(FormTab::Edit)}
            {tab(FormTab::Responses)}
            {third}
            {tab(FormTab::Roster)}
            <a class="preview" data-testid="preview" target="_blank" rel="noopener" href=preview>
                {move || text(lang.get(), Text::Preview)}
            </a>
        </nav>
    }
}

/// Asks the browser to fetch the organiser's page's build while the document page is open,
/// so a click on one of its tabs does not wait for the download: its entry page names its
/// files, which get `<link rel="prefetch">` (low priority, kept in the HTTP cache and by the
/// service worker). Called once the document is in.
pub fn prefetch_organiser(id: &DocId) {
    let url = format!("/d/{id}/responses");
    leptos::task::spawn_local(async move {
        let Some(html) = crate::api::get_text(&url).await else {
            return;
        };
        let Some(head) = document().head() else {
            return;
        };
        for file in files_named(&html) {
            if let Ok(link) = document().create_element("link") {
                let _ = link.set_attribute("rel", "prefetch");
                let _ = link.set_attribute("href", file);
                // As the page will load them (trunk's loader asks with CORS), so the kept copy
                // is the one it uses.
                if !file.ends_with(".css") {
                    let _ = link.set_attribute("crossorigin", "anonymous");
                }
                let _ = head.append_child(&link);
            }
        }
    });
}

/// The organiser's build's script, wasm and styles an entry page names (`"/organise/….js"`,
/// `"/organise/…_bg.wasm"`, `"/organise/….css"`), each once.
fn files_named(html: &str) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    for (at, _) in html.match_indices("\"/organise/") {
        let rest = &html[at + 1..];
        let Some(end) = rest.find('"') else { continue };
        let file = &rest[..end];
        let ours = (file.ends_with(".js") || file.ends_with("_bg.wasm") || file.ends_with(".css"))
            && !file.contains("/snippets/")
            && file
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b));
        if ours && !files.contains(&file) {
            files.push(file);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn every_organiser_tab_has_an_address_that_names_it_again() {
        for tab in FormTab::ORGANISER {
            let segment = tab.segment().unwrap();
            assert_eq!(FormTab::from_segment(segment), Some(tab));
        }
        assert_eq!(FormTab::from_segment("edit"), None);
        assert_eq!(FormTab::from_segment(""), None);
    }

    #[wasm_bindgen_test]
    fn the_organisers_script_and_wasm_are_found_in_its_entry_page() {
        // What trunk writes into `dist/organise/index.html` (shortened).
        let html = r#"<link rel="stylesheet" href="/organise/style-1a2b.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/organise/app-f5faa98acab362e8.js" crossorigin="anonymous">
<link rel="preload" href="/organise/app-f5faa98acab362e8_bg.wasm" crossorigin="anonymous" as="fetch" type="application/wasm">
<script type="module">import init, * as bindings from '/organise/app-f5faa98acab362e8.js';
init({ module_or_path: '/organise/app-f5faa98acab362e8_bg.wasm' });</script>
<link rel="prefetch" href="/organise/app-f5faa98acab362e8.js"><a href="/organise/x.js?<script>">"#;
        assert_eq!(
            files_named(html),
            [
                "/organise/style-1a2b.css",
                "/organise/app-f5faa98acab362e8.js",
                "/organise/app-f5faa98acab362e8_bg.wasm"
            ]
        );
    }
}
