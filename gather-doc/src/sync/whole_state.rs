//! The answer to a joiner that has nothing yet (a sync step 1 with an empty state vector: the
//! whole document), shared by every joiner it is the same for, for as long as one of them
//! still holds it.
//!
//! A class opening a 10 MB document together would otherwise have it encoded once per person,
//! and the server hold one copy per person until each has gone out. Only weak references are
//! kept here: once every joiner's copy has been sent, the encoding is gone, so a quiet room
//! holds nothing extra. Any change to the document ([`WholeState::changed`]) forgets it.

use std::sync::{Arc, Weak};

/// How a joiner asked for a large sync step 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// One frame (plain y-websocket clients).
    Whole,
    /// In pieces ([`super::MSG_PIECES_PLEASE`]).
    Pieces,
    /// In deflated pieces.
    Deflated,
}

/// The frames last encoded for each [`Form`], weakly held.
#[derive(Default)]
pub(super) struct WholeState {
    frames: [Vec<Weak<Vec<u8>>>; 3],
}

impl WholeState {
    /// The frames encoded for `form` since the document last changed, if someone still holds
    /// every one of them.
    pub(super) fn get(&self, form: Form) -> Option<Vec<Arc<Vec<u8>>>> {
        let weak = &self.frames[form as usize];
        if weak.is_empty() {
            return None;
        }
        weak.iter().map(Weak::upgrade).collect()
    }

    /// Remembers (weakly) the frames just encoded for `form`.
    pub(super) fn keep(&mut self, form: Form, frames: &[Arc<Vec<u8>>]) {
        self.frames[form as usize] = frames.iter().map(Arc::downgrade).collect();
    }

    /// The document changed: what was encoded before is no longer its whole state.
    pub(super) fn changed(&mut self) {
        *self = WholeState::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_shared_while_held_and_forgotten_once_dropped_or_stale() {
        let mut whole = WholeState::default();
        assert!(whole.get(Form::Whole).is_none());
        let frames = vec![Arc::new(vec![1, 2, 3])];
        whole.keep(Form::Whole, &frames);
        let shared = whole.get(Form::Whole).expect("still held");
        assert!(Arc::ptr_eq(&shared[0], &frames[0]));
        assert!(
            whole.get(Form::Pieces).is_none(),
            "another form is encoded apart"
        );
        drop((shared, frames));
        assert!(whole.get(Form::Whole).is_none(), "nobody holds it any more");

        let frames = vec![Arc::new(vec![4])];
        whole.keep(Form::Deflated, &frames);
        whole.changed();
        assert!(
            whole.get(Form::Deflated).is_none(),
            "the document changed since"
        );
    }
}
