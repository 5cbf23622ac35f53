//! Inline marks this editor can toggle, and how they are stored as formatting attributes.

use yrs::types::Attrs;
use yrs::Any;

/// A mark the toolbar and shortcuts toggle. Links carry a target and are set
/// with [`super::set_link`]; marks this editor does not know are kept as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    Bold,
    Italic,
    Underline,
    Strike,
    Code,
    Highlight,
}

impl Mark {
    pub const ALL: [Mark; 6] = [
        Mark::Bold,
        Mark::Italic,
        Mark::Underline,
        Mark::Strike,
        Mark::Code,
        Mark::Highlight,
    ];

    /// The Tiptap / ProseMirror mark name, used as the attribute key.
    pub fn name(self) -> &'static str {
        match self {
            Mark::Bold => "bold",
            Mark::Italic => "italic",
            Mark::Underline => "underline",
            Mark::Strike => "strike",
            Mark::Code => "code",
            Mark::Highlight => "highlight",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Mark`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Marks(u8);

impl Marks {
    pub fn has(self, mark: Mark) -> bool {
        self.0 & mark.bit() != 0
    }

    pub fn with(self, mark: Mark, on: bool) -> Marks {
        if on {
            Marks(self.0 | mark.bit())
        } else {
            Marks(self.0 & !mark.bit())
        }
    }

    /// Reads the known marks from formatting attributes. A mark is on when its value is an
    /// object (y-prosemirror's form) or `true` (older writers); `null` and `false` mean off.
    pub fn from_attrs(attrs: Option<&Attrs>) -> Marks {
        let mut marks = Marks::default();
        if let Some(attrs) = attrs {
            for mark in Mark::ALL {
                if attrs.get(mark.name()).is_some_and(is_on) {
                    marks = marks.with(mark, true);
                }
            }
        }
        marks
    }

    /// Writes these marks over `attrs`: known marks on become `{}`, known marks off are removed
    /// (so that yrs stores `null` where the text had them); other attributes stay.
    pub fn apply_to(self, attrs: &mut Attrs) {
        for mark in Mark::ALL {
            if self.has(mark) {
                attrs.insert(mark.name().into(), mark_on());
            } else {
                attrs.remove(mark.name());
            }
        }
    }
}

/// The stored value of a mark without attributes: an empty object.
pub fn mark_on() -> Any {
    Any::Map(Default::default())
}

fn is_on(value: &Any) -> bool {
    !matches!(value, Any::Null | Any::Undefined | Any::Bool(false))
}
