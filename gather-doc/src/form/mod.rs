//! Forms: a document whose `form` and `questions` roots hold a questionnaire (the body holds its
//! description). The definition ([`model`]), where it lives in the CRDT ([`crdt`]), and the
//! validation of answers ([`validate`]) that the browser and the server both run.

pub mod alerts;
pub mod checks;
pub mod crdt;
pub mod display;
pub mod model;
pub mod regions;
pub mod roster;
pub mod supplies;
pub mod templates;
pub mod validate;
pub mod version;

pub use crdt::{read_form, FormRoots};
pub use model::{
    is_photo_id, Bilingual, Choice, FormDef, FormStatus, Frequency, IdKind, Question, QuestionType,
    RosterFields, ShowIf, Supplies,
};
pub use validate::{validate, AnswerError, AnswerErrors, Answers};
pub use version::version_of;

#[cfg(test)]
mod tests;
