//! Copying a selection: the part of the body between two positions, as schema nodes (for the
//! clipboard's HTML) and as plain text. Partial first and last blocks keep their kind and
//! marks, as in Google Docs.

use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use super::{body, delete_range, read_blocks, read_tree, Node, Pos};

/// What a copy of `a..b` puts on the clipboard.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Copied {
    pub nodes: Vec<Node>,
    /// Each block's text on its own line.
    pub text: String,
}

/// The part of `doc`'s body between `a` and `b` (in either order). Works on a copy of the
/// document, which it cuts down with the editor's own deletion, so the slice is what deleting
/// everything around the selection would leave.
pub fn copy(doc: &yrs::Doc, a: Pos, b: Pos) -> Copied {
    let (a, b) = (a.min(b), a.max(b));
    let update = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    // A scratch copy, never synced: its client id does not matter.
    let scratch = crate::new_doc(1);
    let body = body(&scratch);
    let mut txn = scratch.transact_mut();
    let Ok(update) = Update::decode_v1(&update) else {
        return Copied::default();
    };
    if txn.apply_update(update).is_err() {
        return Copied::default();
    }
    let blocks = read_blocks(&txn, &body);
    let end = blocks.last().map_or(Pos::default(), |last| {
        Pos::new(blocks.len() as u32 - 1, last.len())
    });
    delete_range(&mut txn, &body, b.min(end), end);
    delete_range(&mut txn, &body, Pos::default(), a.min(b).min(end));
    let text = read_blocks(&txn, &body)
        .iter()
        .map(|block| block.text())
        .collect::<Vec<_>>()
        .join("\n");
    Copied {
        nodes: read_tree(&txn, &body),
        text,
    }
}
