//! The tabs above a form, for those who may change it: Edit form, Responses, By day (or Totals
//! for a supply register), Roster, and a link to preview the fill page.
//!
//! Edit form is the document page (`/d/{id}`, the whole app's build); the other three are the
//! organiser's page (`/d/{id}/responses`, `/today`, `/roster`), its own build, so a document's
//! visit does not download the responses table, charts and roster. Every tab is a real link, so
//! it opens in a new tab, survives a reload and works without the app; the organiser's page
//! switches between its own three without loading again (`on_switch`).

use gather_doc::DocId;
use leptos::prelude::*;

use super::builder::{text, Text};
use crate::i18n::Lang;

/// One of a form's tabs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FormTab {
    Edit,
    Responses,
    Today,
    Roster,
}

impl FormTab {
    /// The organiser's tabs, in the order shown.
    pub const ORGANISER: [FormTab; 3] = [FormTab::Responses, FormTab::Today, FormTab::Roster];

    /// The last part of the tab's address (`/d/{id}/{segment}`); none for Edit form.
    pub fn segment(self) -> Option<&'static str> {
        match self {
            FormTab::Edit => None,
            FormTab::Responses => Some("responses"),
            FormTab::Today => Some("today"),
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
            FormTab::Today => "tab-today",
            FormTab::Roster => "tab-roster",
        }
    }

    fn label(self, lang: Lang, supplies: bool) -> &'static str {
        let key = match self {
            FormTab::Edit => Text::EditForm,
            FormTab::Responses => Text::Responses,
            FormTab::Today if supplies => Text::Totals,
            FormTab::Today => Text::Today,
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
    let tabs = [
        FormTab::Edit,
        FormTab::Responses,
        FormTab::Today,
        FormTab::Roster,
    ]
    .into_iter()
    .map(|tab| {
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
                {move || tab.label(lang.get(), supplies.get())}
            </a>
        }
    })
    .collect_view();
    view! {
        <nav class="tabs" role="tablist">
            {tabs}
            <a class="preview" data-testid="preview" target="_blank" rel="noopener" href=preview>
                {move || text(lang.get(), Text::Preview)}
            </a>
        </nav>
    }
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
}
