//! The body as a flat list of blocks in document order, each with the containers (lists, list
//! items, quotes, tables) it sits in. Positions count blocks in this order, so the caret moves
//! through nested content as it reads, and an editing operation finds its block here.

use yrs::types::xml::XmlOut;
use yrs::{
    Any, Out, ReadTxn, TransactionMut, Xml, XmlElementPrelim, XmlElementRef, XmlFragment,
    XmlFragmentRef,
};

use super::read::BlockKind;

/// A node that holds blocks rather than text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Container {
    BulletList,
    OrderedList {
        start: u32,
    },
    ListItem,
    TaskList,
    TaskItem {
        checked: bool,
    },
    Blockquote,
    Table,
    TableRow,
    TableCell {
        header: bool,
        colspan: u32,
        rowspan: u32,
    },
}

impl Container {
    /// The container for a ProseMirror node name, if it is one.
    pub(crate) fn of(txn: &impl ReadTxn, el: &XmlElementRef) -> Option<Container> {
        Some(match el.tag().as_ref() {
            "bulletList" => Container::BulletList,
            "orderedList" => Container::OrderedList {
                start: number(el.get_attribute(txn, "start"))
                    .unwrap_or(1)
                    .clamp(0, 1 << 30) as u32,
            },
            "listItem" => Container::ListItem,
            "taskList" => Container::TaskList,
            "taskItem" => Container::TaskItem {
                checked: matches!(
                    el.get_attribute(txn, "checked"),
                    Some(Out::Any(Any::Bool(true)))
                ),
            },
            "blockquote" => Container::Blockquote,
            "table" => Container::Table,
            "tableRow" => Container::TableRow,
            tag @ ("tableCell" | "tableHeader") => Container::TableCell {
                header: tag == "tableHeader",
                colspan: number(el.get_attribute(txn, "colspan"))
                    .unwrap_or(1)
                    .clamp(1, 1000) as u32,
                rowspan: number(el.get_attribute(txn, "rowspan"))
                    .unwrap_or(1)
                    .clamp(1, 1000) as u32,
            },
            _ => return None,
        })
    }

    pub fn is_list(&self) -> bool {
        matches!(
            self,
            Container::BulletList | Container::OrderedList { .. } | Container::TaskList
        )
    }

    pub fn is_item(&self) -> bool {
        matches!(self, Container::ListItem | Container::TaskItem { .. })
    }
}

/// A number attribute as other editors may have written it (number or numeric string).
pub(crate) fn number(value: Option<Out>) -> Option<i64> {
    match value {
        Some(Out::Any(Any::Number(n))) => Some(
            n.as_i64()
                .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        ),
        Some(Out::Any(Any::String(s))) => s.trim().parse().ok(),
        _ => None,
    }
}

/// One container a block sits in, and the container's index among its siblings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ancestor {
    pub container: Container,
    pub index: u32,
}

/// What holds a node: the body itself or an element.
#[derive(Clone, Debug)]
pub(crate) enum Parent {
    Body(XmlFragmentRef),
    Element(XmlElementRef),
}

impl Parent {
    pub fn len(&self, txn: &impl ReadTxn) -> u32 {
        match self {
            Parent::Body(b) => b.len(txn),
            Parent::Element(e) => e.len(txn),
        }
    }

    pub fn get(&self, txn: &impl ReadTxn, index: u32) -> Option<XmlOut> {
        match self {
            Parent::Body(b) => b.get(txn, index),
            Parent::Element(e) => e.get(txn, index),
        }
    }

    pub fn insert_element(&self, txn: &mut TransactionMut, index: u32, tag: &str) -> XmlElementRef {
        let index = index.min(self.len(txn));
        match self {
            Parent::Body(b) => b.insert(txn, index, XmlElementPrelim::empty(tag)),
            Parent::Element(e) => e.insert(txn, index, XmlElementPrelim::empty(tag)),
        }
    }

    pub fn remove(&self, txn: &mut TransactionMut, index: u32, len: u32) {
        let count = self.len(txn);
        if index >= count {
            return;
        }
        let len = len.min(count - index);
        match self {
            Parent::Body(b) => b.remove_range(txn, index, len),
            Parent::Element(e) => e.remove_range(txn, index, len),
        }
    }

    /// Where `el` sits among this parent's children now.
    pub fn index_of(&self, txn: &impl ReadTxn, el: &XmlElementRef) -> Option<u32> {
        let count = self.len(txn);
        (0..count).find(|i| matches!(self.get(txn, *i), Some(XmlOut::Element(e)) if same(&e, el)))
    }
}

/// Whether two references name the same element.
pub(crate) fn same(a: &XmlElementRef, b: &XmlElementRef) -> bool {
    let a: &yrs::branch::Branch = a.as_ref();
    let b: &yrs::branch::Branch = b.as_ref();
    a == b
}

/// A block as found in the body: its element, kind, parent, index there, and its containers
/// (outermost first), each with the container's own parent.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub el: XmlElementRef,
    pub kind: BlockKind,
    pub parent: Parent,
    pub index: u32,
    pub ancestors: Vec<Anc>,
}

/// A container of an [`Entry`], with where it sits.
#[derive(Clone, Debug)]
pub(crate) struct Anc {
    pub el: XmlElementRef,
    pub container: Container,
    pub parent: Parent,
    pub index: u32,
}

impl Entry {
    /// The entry for block `el`, found at `index` in `parent` inside `ancestors`.
    fn at(
        txn: &impl ReadTxn,
        el: &XmlElementRef,
        parent: &Parent,
        index: u32,
        ancestors: &[Anc],
    ) -> Entry {
        Entry {
            kind: BlockKind::of(txn, el),
            el: el.clone(),
            parent: parent.clone(),
            index,
            ancestors: ancestors.to_vec(),
        }
    }

    /// The innermost container matching `f`, with its depth.
    pub fn innermost(&self, f: impl Fn(&Container) -> bool) -> Option<(usize, &Anc)> {
        self.ancestors
            .iter()
            .enumerate()
            .rev()
            .find(|(_, a)| f(&a.container))
    }

    /// The table cell this block is in, if any.
    pub fn cell(&self) -> Option<&Anc> {
        self.innermost(|c| matches!(c, Container::TableCell { .. }))
            .map(|(_, a)| a)
    }

    pub fn path(&self) -> Vec<Ancestor> {
        self.ancestors
            .iter()
            .map(|a| Ancestor {
                container: a.container.clone(),
                index: a.index,
            })
            .collect()
    }
}

/// Every block of the body in document order. Containers are entered; anything else that is an
/// element is a block (text blocks, rules, images, and nodes this editor does not know, which
/// are shown whole). Bare text outside a block is skipped (no schema allows it there).
pub(crate) fn outline(txn: &impl ReadTxn, body: &XmlFragmentRef) -> Vec<Entry> {
    let mut out = Vec::new();
    visit(txn, body, &mut |el, parent, index, ancestors| {
        out.push(Entry::at(txn, el, parent, index, ancestors));
        true
    });
    out
}

/// A block as [`visit`] shows it: its element, parent, index there and containers.
type Visitor<'v> = dyn FnMut(&XmlElementRef, &Parent, u32, &[Anc]) -> bool + 'v;

/// Calls `f` for every block in document order until it returns false. Walks each parent's
/// children in one pass (looking a child up by index walks the list from its start, which made
/// reading the outline quadratic in the number of blocks).
fn visit(txn: &impl ReadTxn, body: &XmlFragmentRef, f: &mut Visitor<'_>) {
    let mut ancestors = Vec::new();
    walk(txn, Parent::Body(body.clone()), &mut ancestors, f);
}

fn walk(txn: &impl ReadTxn, parent: Parent, ancestors: &mut Vec<Anc>, f: &mut Visitor<'_>) -> bool {
    let children = match &parent {
        Parent::Body(b) => b.children(txn),
        Parent::Element(e) => e.children(txn),
    };
    for (index, child) in children.enumerate() {
        if !visit_child(txn, &parent, index as u32, child, ancestors, f) {
            return false;
        }
    }
    true
}

/// [`walk`] for one child of `parent`, at `index`.
fn visit_child(
    txn: &impl ReadTxn,
    parent: &Parent,
    index: u32,
    child: XmlOut,
    ancestors: &mut Vec<Anc>,
    f: &mut Visitor<'_>,
) -> bool {
    let XmlOut::Element(el) = child else {
        return true;
    };
    match Container::of(txn, &el) {
        Some(container) => {
            ancestors.push(Anc {
                el: el.clone(),
                container,
                parent: parent.clone(),
                index,
            });
            let go_on = walk(txn, Parent::Element(el), ancestors, f);
            ancestors.pop();
            go_on
        }
        None => f(&el, parent, index, ancestors),
    }
}

/// The blocks of the body's top-level nodes `tops` (their indexes in the body) alone, as
/// [`outline`] lists them: what an editor re-reads after an edit confined to those nodes.
pub(crate) fn outline_of(
    txn: &impl ReadTxn,
    body: &XmlFragmentRef,
    tops: std::ops::Range<u32>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    let parent = Parent::Body(body.clone());
    let mut ancestors = Vec::new();
    let children = body.children(txn).enumerate();
    for (index, child) in children.skip(tops.start as usize).take(tops.len()) {
        visit_child(
            txn,
            &parent,
            index as u32,
            child,
            &mut ancestors,
            &mut |el, parent, index, ancestors| {
                out.push(Entry::at(txn, el, parent, index, ancestors));
                true
            },
        );
    }
    out
}

/// The entry for block `block`, clamped to the last one. Stops walking once it is found.
pub(crate) fn entry_at(
    txn: &impl ReadTxn,
    body: &XmlFragmentRef,
    block: u32,
) -> Option<(u32, Entry)> {
    let mut seen = 0u32;
    let mut found = None;
    let find = |target: u32, seen: &mut u32, found: &mut Option<Entry>| {
        visit(txn, body, &mut |el, parent, index, ancestors| {
            if *seen == target {
                *found = Some(Entry::at(txn, el, parent, index, ancestors));
                return false;
            }
            *seen += 1;
            true
        });
    };
    find(block, &mut seen, &mut found);
    if found.is_none() {
        // Past the end: `seen` counted every block; take the last one.
        let last = seen.checked_sub(1)?;
        seen = 0;
        find(last, &mut seen, &mut found);
    }
    found.map(|entry| (seen, entry))
}
