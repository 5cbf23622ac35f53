//! Moving whole nodes: a node is copied as a [`Snap`] (tag, attributes, text with its
//! formatting, children) and written elsewhere, then removed where it was. Removing blocks
//! also removes the containers they leave empty and keeps list items starting with a
//! paragraph, as Tiptap's schema requires (y-prosemirror deletes what does not fit).

use yrs::types::text::YChange;
use yrs::types::xml::XmlOut;
use yrs::types::Attrs;
use yrs::{
    Any, Out, ReadTxn, Text, TransactionMut, Xml, XmlElementPrelim, XmlElementRef, XmlFragment,
    XmlTextPrelim,
};

use super::outline::{same, Anc, Entry, Parent};
use super::read::attrs_of;

/// An owned copy of an element and everything in it.
#[derive(Clone, Debug)]
pub(crate) struct Snap {
    pub tag: String,
    pub attrs: Vec<(String, Any)>,
    pub children: Vec<SnapChild>,
}

#[derive(Clone, Debug)]
pub(crate) enum SnapChild {
    /// A text node as chunks of text with their formatting attributes.
    Text(Vec<(String, Attrs)>),
    Element(Snap),
}

impl Snap {
    pub fn new(tag: &str) -> Snap {
        Snap {
            tag: tag.to_owned(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn with_attr(mut self, key: &str, value: Any) -> Snap {
        self.attrs.retain(|(k, _)| k != key);
        self.attrs.push((key.to_owned(), value));
        self
    }

    pub fn child(mut self, child: Snap) -> Snap {
        self.children.push(SnapChild::Element(child));
        self
    }

    /// An empty paragraph.
    pub fn paragraph() -> Snap {
        Snap::new("paragraph")
    }
}

pub(crate) fn snapshot(txn: &impl ReadTxn, el: &XmlElementRef) -> Snap {
    let attrs = el
        .attributes(txn)
        .filter_map(|(k, v)| match v {
            Out::Any(a) => Some((k.to_string(), a)),
            _ => None,
        })
        .collect();
    let children = el
        .children(txn)
        .filter_map(|child| match child {
            XmlOut::Element(e) => Some(SnapChild::Element(snapshot(txn, &e))),
            XmlOut::Text(t) => Some(SnapChild::Text(
                t.diff(txn, YChange::identity)
                    .into_iter()
                    .filter_map(|chunk| match chunk.insert {
                        Out::Any(Any::String(s)) => {
                            Some((s.to_string(), attrs_of(chunk.attributes)))
                        }
                        _ => None,
                    })
                    .collect(),
            )),
            XmlOut::Fragment(_) => None,
        })
        .collect();
    Snap {
        tag: el.tag().to_string(),
        attrs,
        children,
    }
}

/// Writes `snap` as a new child of `parent` at `index` (clamped).
pub(crate) fn write(
    txn: &mut TransactionMut,
    parent: &Parent,
    index: u32,
    snap: &Snap,
) -> XmlElementRef {
    let el = parent.insert_element(txn, index, &snap.tag);
    fill(txn, &el, snap);
    el
}

fn fill(txn: &mut TransactionMut, el: &XmlElementRef, snap: &Snap) {
    for (key, value) in &snap.attrs {
        el.insert_attribute(txn, key.as_str(), value.clone());
    }
    for child in &snap.children {
        match child {
            SnapChild::Element(s) => {
                let child = el.push_back(txn, XmlElementPrelim::empty(s.tag.as_str()));
                fill(txn, &child, s);
            }
            SnapChild::Text(chunks) => {
                let t = el.push_back(txn, XmlTextPrelim::new(""));
                for (text, attrs) in chunks {
                    let end = t.len(txn);
                    t.insert_with_attributes(txn, end, text, attrs.clone());
                }
            }
        }
    }
}

/// Removes `el` from `parent`, wherever it is now.
pub(crate) fn remove(txn: &mut TransactionMut, parent: &Parent, el: &XmlElementRef) {
    if let Some(index) = parent.index_of(txn, el) {
        parent.remove(txn, index, 1);
    }
}

/// Removes these blocks, then every container left empty (deepest first), and gives any list
/// item that no longer starts with a paragraph an empty one.
pub(crate) fn remove_entries(txn: &mut TransactionMut, entries: &[Entry]) {
    for entry in entries.iter().rev() {
        remove(txn, &entry.parent, &entry.el);
    }
    let mut containers: Vec<(usize, &Anc)> = Vec::new();
    for entry in entries {
        for (depth, anc) in entry.ancestors.iter().enumerate() {
            if !containers.iter().any(|(_, a)| same(&a.el, &anc.el)) {
                containers.push((depth, anc));
            }
        }
    }
    // Deepest first; among equals, later first (so earlier indexes stay valid).
    containers.reverse();
    containers.sort_by_key(|(depth, _)| std::cmp::Reverse(*depth));
    for (_, anc) in containers {
        tidy(txn, anc);
    }
}

/// After something inside it was removed: removes an empty container, or repairs an item.
pub(crate) fn tidy(txn: &mut TransactionMut, anc: &Anc) {
    if anc.el.len(txn) == 0 {
        remove(txn, &anc.parent, &anc.el);
    } else if anc.container.is_item() {
        starts_with_paragraph(txn, &anc.el);
    }
}

/// Gives a list item an empty first paragraph if it does not start with one.
pub(crate) fn starts_with_paragraph(txn: &mut TransactionMut, item: &XmlElementRef) {
    let first_is_paragraph = matches!(
        item.get(txn, 0),
        Some(XmlOut::Element(e)) if e.tag().as_ref() == "paragraph"
    );
    if !first_is_paragraph {
        item.insert(txn, 0, XmlElementPrelim::empty("paragraph"));
    }
}

/// Moves the children of `from` in `[start, end)` to the end of `to`.
pub(crate) fn move_children(
    txn: &mut TransactionMut,
    from: &XmlElementRef,
    start: u32,
    end: u32,
    to: &Parent,
) {
    let end = end.min(from.len(txn));
    if start >= end {
        return;
    }
    let snaps: Vec<Snap> = (start..end)
        .filter_map(|i| match from.get(txn, i) {
            Some(XmlOut::Element(e)) => Some(snapshot(txn, &e)),
            _ => None,
        })
        .collect();
    for snap in &snaps {
        let at = to.len(txn);
        write(txn, to, at, snap);
    }
    from.remove_range(txn, start, end - start);
}
