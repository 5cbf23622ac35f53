//! A form with section headings is filled a page at a time, as in Google Forms: every heading
//! starts a page ([`FormDef::pages`]), a page whose questions are all hidden by their conditions
//! is skipped, and Next checks the page's answers before moving on.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use gather_doc::form::{FormDef, QuestionType};
use leptos::prelude::*;

/// The pages of a form and which one is open.
#[derive(Clone, Copy)]
pub struct Pages {
    ranges: StoredValue<Arc<Vec<Range<usize>>>>,
    /// The page asked for (an index into the ranges); [`Pages::current`] skips hidden ones.
    asked: RwSignal<usize>,
    /// The indices of the pages shown, given the answers.
    shown: Memo<Vec<usize>>,
}

impl Pages {
    pub fn new(form: &Arc<FormDef>, visible: Memo<BTreeSet<String>>) -> Pages {
        let ranges = Arc::new(form.pages());
        let form = form.clone();
        let of = ranges.clone();
        Pages {
            ranges: StoredValue::new(ranges),
            asked: RwSignal::new(0),
            shown: Memo::new(move |_| visible.with(|v| shown_pages(&form, &of, v))),
        }
    }

    /// The page open now: the one asked for, or the next shown one after it.
    pub fn current(self) -> usize {
        let asked = self.asked.get();
        self.shown.with(|shown| {
            shown
                .iter()
                .copied()
                .find(|p| *p >= asked)
                .or_else(|| shown.last().copied())
                .unwrap_or(0)
        })
    }

    /// Whether question number `index` is on the open page.
    pub fn holds(self, index: usize) -> bool {
        let current = self.current();
        self.ranges
            .with_value(|r| r.get(current).is_some_and(|r| r.contains(&index)))
    }

    /// Where the open page is among the shown ones (from 1), and how many are shown.
    pub fn position(self) -> (usize, usize) {
        let current = self.current();
        self.shown.with(|shown| {
            let at = shown.iter().position(|p| *p == current).unwrap_or(0);
            (at + 1, shown.len().max(1))
        })
    }

    pub fn is_paged(self) -> bool {
        self.shown.with(|s| s.len() > 1)
    }

    pub fn is_first(self) -> bool {
        self.position().0 == 1
    }

    pub fn is_last(self) -> bool {
        let (at, of) = self.position();
        at == of
    }

    /// The question indices of the open page.
    pub fn current_range(self) -> Range<usize> {
        let current = self.current();
        self.ranges
            .with_value(|r| r.get(current).cloned().unwrap_or(0..0))
    }

    /// Opens the page holding question number `index`.
    pub fn open_question(self, index: usize) {
        if let Some(page) = self
            .ranges
            .with_value(|r| r.iter().position(|r| r.contains(&index)))
        {
            self.asked.set(page);
        }
    }

    pub fn next(self) {
        let current = self.current();
        let next = self
            .shown
            .with_untracked(|s| s.iter().copied().find(|p| *p > current));
        if let Some(next) = next {
            self.asked.set(next);
        }
    }

    pub fn back(self) {
        let current = self.current();
        let back = self
            .shown
            .with_untracked(|s| s.iter().rev().copied().find(|p| *p < current));
        self.asked.set(back.unwrap_or(0));
    }

    pub fn first(self) {
        self.asked.set(0);
    }
}

/// The pages with something to show: an answerable question shown by its condition, or (for a
/// page of headings only) a shown heading.
pub fn shown_pages(
    form: &FormDef,
    ranges: &[Range<usize>],
    visible: &BTreeSet<String>,
) -> Vec<usize> {
    ranges
        .iter()
        .enumerate()
        .filter(|(_, range)| {
            let questions = &form.questions[range.start..range.end.min(form.questions.len())];
            let answerable: Vec<_> = questions
                .iter()
                .filter(|q| q.kind != QuestionType::Section)
                .collect();
            if answerable.is_empty() {
                questions.iter().any(|q| visible.contains(&q.id))
            } else {
                answerable.iter().any(|q| visible.contains(&q.id))
            }
        })
        .map(|(i, _)| i)
        .collect()
}
