//! Restoring an earlier version of the body as a new change.
//!
//! A restore does not replace the body wholesale: it compares the body's top-level children
//! with the version's and changes only those that differ, deleting what the version does not
//! have and writing what it has in their place. Children equal in both keep their identity, so
//! someone typing in an untouched part at the same moment keeps their work (yrs would drop an
//! edit to a deleted element), and the restore is one ordinary change its author can undo.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use yrs::{ReadTxn, TransactionMut, XmlFragment, XmlFragmentRef};

use super::tree::{read_child, write_nodes, Node};

/// The most cells of the comparison table between the changed middles of the two bodies
/// (about 4 MB); beyond it the whole middle is replaced.
const MAX_TABLE: usize = 1 << 20;

/// The body's top-level children, each read as nodes (an element reads as one node; a stray
/// top-level text as its runs), index for index.
pub fn read_children(txn: &impl ReadTxn, body: &XmlFragmentRef) -> Vec<Vec<Node>> {
    body.children(txn)
        .map(|child| {
            let mut nodes = Vec::new();
            read_child(txn, child, &mut nodes, 0);
            nodes
        })
        .collect()
}

/// What a restore changed: top-level children removed and written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    pub removed: usize,
    pub written: usize,
}

/// Makes the body hold `version` (as [`read_children`] read it from the version's body),
/// changing only the top-level children that differ.
pub fn restore(txn: &mut TransactionMut, body: &XmlFragmentRef, version: &[Vec<Node>]) -> Restored {
    let current = read_children(txn, body);
    let keep = common_children(&current, version);
    let mut restored = Restored::default();
    let (mut i, mut j, mut at) = (0usize, 0usize, 0u32);
    for (ki, kj) in keep.into_iter().chain([(current.len(), version.len())]) {
        // Children of the body before the next kept pair go; the version's come in.
        let gone = (ki - i) as u32;
        if gone > 0 {
            body.remove_range(txn, at, gone);
            restored.removed += gone as usize;
        }
        for nodes in &version[j..kj] {
            write_nodes(txn, body, at, nodes);
            at += 1;
            restored.written += 1;
        }
        (i, j, at) = (ki + 1, kj + 1, at + 1);
    }
    restored
}

/// Index pairs of children equal in both lists, in order: the longest common subsequence of
/// the middles after the common start and end, or nothing in the middle when it is too big.
fn common_children(a: &[Vec<Node>], b: &[Vec<Node>]) -> Vec<(usize, usize)> {
    let start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let end = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[start..a.len() - end], &b[start..b.len() - end]);
    let mut pairs: Vec<(usize, usize)> = (0..start).map(|k| (k, k)).collect();
    if !ma.is_empty() && !mb.is_empty() && (ma.len() + 1) * (mb.len() + 1) <= MAX_TABLE {
        let (ha, hb) = (fingerprints(ma), fingerprints(mb));
        for (x, y) in longest_common(&ha, &hb) {
            if ma[x] == mb[y] {
                pairs.push((start + x, start + y));
            }
        }
    }
    pairs.extend((0..end).map(|k| (a.len() - end + k, b.len() - end + k)));
    pairs
}

fn fingerprints(children: &[Vec<Node>]) -> Vec<u64> {
    children
        .iter()
        .map(|nodes| {
            let mut hasher = DefaultHasher::new();
            format!("{nodes:?}").hash(&mut hasher);
            hasher.finish()
        })
        .collect()
}

/// The longest common subsequence of `a` and `b` as index pairs (a dynamic-programming table of
/// suffix lengths, then one walk forward).
fn longest_common(a: &[u64], b: &[u64]) -> Vec<(usize, usize)> {
    let w = b.len() + 1;
    let mut table = vec![0u32; (a.len() + 1) * w];
    for x in (0..a.len()).rev() {
        for y in (0..b.len()).rev() {
            table[x * w + y] = if a[x] == b[y] {
                table[(x + 1) * w + y + 1] + 1
            } else {
                table[(x + 1) * w + y].max(table[x * w + y + 1])
            };
        }
    }
    let (mut x, mut y, mut out) = (0, 0, Vec::new());
    while x < a.len() && y < b.len() {
        if a[x] == b[y] {
            out.push((x, y));
            (x, y) = (x + 1, y + 1);
        } else if table[(x + 1) * w + y] >= table[x * w + y + 1] {
            x += 1;
        } else {
            y += 1;
        }
    }
    out
}
