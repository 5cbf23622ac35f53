//! Keeps shared types from nesting deeper than [`MAX_NESTING`].
//!
//! yrs deletes (and garbage-collects) a shared type's children recursively, a stack frame or
//! more per level: deleting the outermost of 10,000 nested XML elements (a 70 KB update)
//! overflows the stack, which aborts the process, and would abort every later load of the
//! stored document too. So every update is checked *before* yrs applies it, and refused if it
//! would put a shared type deeper than the limit; no deletion then recurses deeper than that.
//!
//! Depth: a root type is at depth 0, a type inside it at 1, and so on. An item's parent is
//! found as yrs finds it: the root or the type item its block names, or else the parent of the
//! item its origin (or right origin) points into, anywhere in that item's range. That item may
//! be in the same update, in the pending blocks the update may complete (walked too, but only
//! when the update can complete them), or in the document: [`Depths`] remembers, for every
//! range of ids the document holds, how deep its items' parent is. Ranges of one client at one
//! depth merge, so a paragraph typed letter by letter is one range. An update costs a walk over
//! its bytes and a few lookups per block: no walk of the document, nothing recursive.

use std::collections::{BTreeMap, HashMap, HashSet};

use yrs::encoding::read::Error;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, ReadTxn, ID};

use super::guard::{self, Block, Shape};
use super::ProtocolError;

/// Deepest nesting of shared types a document may hold. Tiptap/ProseMirror content needs far
/// less (a table in a list item ten levels deep is some 25); yrs's recursive deletion needs a
/// few hundred bytes of stack a level.
pub const MAX_NESTING: u32 = 64;

/// A range of ids the document holds, from the key it is stored under to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    end: u32,
    /// How deep the items' parent is (0 for a root type, and for garbage-collected ranges).
    parent_depth: u32,
    /// Whether the items are shared types.
    shared: bool,
}

/// How deep the parent of every item the document holds is, by ranges of ids.
#[derive(Default)]
pub(super) struct Depths {
    clients: HashMap<ClientID, BTreeMap<u32, Span>>,
}

/// The new blocks of an update that passed [`Depths::check`], with the depth of their parent:
/// what [`Depths::record`] adds once the update is applied.
#[derive(Default)]
pub(super) struct Checked {
    blocks: Vec<(ID, Span)>,
}

impl Depths {
    /// The range holding `id`.
    fn get(&self, id: &ID) -> Option<Span> {
        let (_, span) = self
            .clients
            .get(&id.client)?
            .range(..=id.clock)
            .next_back()?;
        (span.end > id.clock).then_some(*span)
    }

    /// The deepest parent of the recorded items within `block`'s range. Within one update a
    /// client's blocks do not overlap, so over a whole update this visits each range at most
    /// once or twice.
    fn deepest_within(&self, block: &Block) -> Option<u32> {
        let spans = self.clients.get(&block.id.client)?;
        let (start, end) = (block.id.clock, block.id.clock + block.len);
        let first = spans
            .range(..=start)
            .next_back()
            .filter(|(_, span)| span.end > start);
        let rest = spans.range(start + 1..end.max(start + 1));
        first
            .into_iter()
            .chain(rest)
            .map(|(_, span)| span.parent_depth)
            .max()
    }

    /// Checks `update` (which [`guard::check_frame`] accepted) against the recorded document,
    /// with the pending blocks of the document `txn` reads: `Err` if applying it would nest a
    /// shared type deeper than [`MAX_NESTING`] (or its blocks depend on each other in a circle,
    /// or name a client twice, which no encoder writes).
    pub fn check<T: ReadTxn>(&self, txn: &T, update: &[u8]) -> Result<Checked, ProtocolError> {
        let mut walk = Walk::default();
        walk.add(update)?;
        if walk.entries.is_empty() {
            return Ok(Checked::default());
        }
        // Pending blocks are retried only when the update has blocks of a client they wait for.
        if let Some(pending) = txn.store().pending_update() {
            if pending
                .missing
                .iter()
                .any(|(client, _)| walk.runs.contains_key(client))
            {
                walk.add(&pending.update.encode_v1())?;
            }
        }
        Resolver {
            depths: self,
            walk: &walk,
            value: vec![Value::Unvisited; walk.entries.len()],
            stack: Vec::new(),
        }
        .run()
    }

    /// Records what an applied update added. Ranges the document already held keep their
    /// depth (yrs keeps the block it has over a copy).
    pub fn record(&mut self, checked: Checked) {
        for (id, span) in checked.blocks {
            self.insert(id, span);
        }
    }

    /// Adds the parts of `id..span.end` not recorded yet.
    fn insert(&mut self, id: ID, span: Span) {
        let spans = self.clients.entry(id.client).or_default();
        let mut gaps = Vec::new();
        let mut at = id.clock;
        if let Some((_, before)) = spans.range(..=at).next_back() {
            at = at.max(before.end);
        }
        if at < span.end {
            for (&start, known) in spans.range(at..span.end) {
                if start > at {
                    gaps.push((at, start));
                }
                at = at.max(known.end);
            }
        }
        if at < span.end {
            gaps.push((at, span.end));
        }
        for (start, end) in gaps {
            let new = Span { end, ..span };
            // Merge with the range just before when it reads the same.
            let merged = spans
                .range_mut(..start)
                .next_back()
                .is_some_and(|(_, before)| {
                    let same = before.end == start
                        && before.parent_depth == new.parent_depth
                        && before.shared == new.shared;
                    if same {
                        before.end = end;
                    }
                    same
                });
            if !merged {
                spans.insert(start, new);
            }
        }
    }
}

/// Checks an update on its own, as if every item outside it were at the root: what a client
/// (which trusts the server to have checked the whole document) needs against one frame that
/// builds deep nesting and deletes it at once.
pub(super) fn check_alone<T: ReadTxn>(txn: &T, update: &[u8]) -> Result<(), ProtocolError> {
    Depths::default().check(txn, update).map(drop)
}

/// The blocks of an update, and of the pending blocks it may complete.
#[derive(Default)]
struct Walk {
    entries: Vec<Block>,
    /// Per client, the ranges of `entries` holding its blocks (one per update walked), each in
    /// clock order.
    runs: HashMap<ClientID, Vec<(usize, usize)>>,
}

impl Walk {
    /// Adds the blocks of one v1 update. yrs appends a client's blocks when the client comes
    /// twice; no encoder writes that, so it is refused rather than sorted out.
    fn add(&mut self, update: &[u8]) -> Result<(), ProtocolError> {
        let mut seen = HashSet::new();
        let mut current: Option<u64> = None;
        let entries = &mut self.entries;
        let runs = &mut self.runs;
        guard::blocks(update, &mut |section, block| {
            if current != Some(section) {
                current = Some(section);
                if !seen.insert(block.id.client) {
                    return Err(Error::UnexpectedValue);
                }
                let at = entries.len();
                runs.entry(block.id.client).or_default().push((at, at));
            }
            entries.push(block);
            if let Some(run) = runs.get_mut(&block.id.client).and_then(|r| r.last_mut()) {
                run.1 = entries.len();
            }
            Ok(())
        })
        .map_err(ProtocolError::from)
    }

    /// Indices of the blocks holding `id` (at most one per update walked).
    fn holding(&self, id: &ID) -> impl Iterator<Item = usize> + '_ {
        let id = *id;
        let runs = self.runs.get(&id.client).map_or(&[][..], Vec::as_slice);
        runs.iter().filter_map(move |&(start, end)| {
            let run = &self.entries[start..end];
            let after = run.partition_point(|b| b.id.clock <= id.clock);
            let i = after.checked_sub(1)?;
            let block = &run[i];
            (id.clock < block.id.clock + block.len).then_some(start + i)
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    Unvisited,
    /// Being computed: met again, the blocks depend on each other in a circle.
    Visiting,
    /// The depth of the block's parent (a lower bound when `resolved` is false), and whether
    /// every item it hangs on was found: a block that hangs on a missing item waits in yrs's
    /// pending blocks, is not applied, and is not recorded.
    Done {
        parent_depth: u32,
        resolved: bool,
    },
}

struct Resolver<'a> {
    depths: &'a Depths,
    walk: &'a Walk,
    value: Vec<Value>,
    /// The blocks being computed, innermost last (kept between calls to [`Self::resolve`]).
    stack: Vec<usize>,
}

impl Resolver<'_> {
    fn run(mut self) -> Result<Checked, ProtocolError> {
        let mut checked = Checked::default();
        for i in 0..self.walk.entries.len() {
            self.resolve(i)?;
            let Value::Done {
                parent_depth,
                resolved,
            } = self.value[i]
            else {
                unreachable!("resolve leaves every block it reaches done");
            };
            let block = self.walk.entries[i];
            let shared = matches!(block.shape, Shape::Item { shared: true, .. });
            if shared && parent_depth + 1 > MAX_NESTING {
                return Err(ProtocolError::TooDeep { limit: MAX_NESTING });
            }
            if resolved {
                let span = Span {
                    end: block.id.clock + block.len,
                    parent_depth,
                    shared,
                };
                checked.blocks.push((block.id, span));
            }
        }
        Ok(checked)
    }

    /// Computes the value of block `i` and of every block it hangs on, with a stack of our own.
    fn resolve(&mut self, i: usize) -> Result<(), ProtocolError> {
        if matches!(self.value[i], Value::Done { .. }) {
            return Ok(());
        }
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(i);
        while let Some(&top) = stack.last() {
            if matches!(self.value[top], Value::Done { .. }) {
                stack.pop();
                continue;
            }
            self.value[top] = Value::Visiting;
            let mut next = None;
            for anchor in anchors(&self.walk.entries[top]) {
                for j in self.walk.holding(&anchor) {
                    match self.value[j] {
                        Value::Unvisited => next = Some(j),
                        Value::Visiting => return Err(Error::UnexpectedValue.into()),
                        Value::Done { .. } => {}
                    }
                }
            }
            match next {
                Some(j) => stack.push(j),
                None => {
                    self.value[top] = self.evaluate(top);
                    stack.pop();
                }
            }
        }
        self.stack = stack;
        Ok(())
    }

    /// The value of block `i`, once every block it hangs on has one.
    fn evaluate(&self, i: usize) -> Value {
        let block = self.walk.entries[i];
        let Shape::Item {
            origin,
            right_origin,
            parent,
            ..
        } = block.shape
        else {
            return done(0, true);
        };
        let mut depth = 0;
        let mut resolved = true;
        // yrs drops the part of a block the document already holds, and hangs the rest on the
        // document's last item of that client, which is then within the block's range.
        if let Some(d) = self.depths.deepest_within(&block) {
            depth = d;
        }
        let explicit = origin.is_none() && right_origin.is_none();
        match parent {
            // A root type, named.
            None if explicit => {}
            // The type item `id` holds; one level below it.
            Some(id) if explicit => {
                let (d, found) = self.parent_depth_of(&id, true);
                depth = depth.max(d + 1);
                resolved &= found;
            }
            // The parent of the items the origins point into.
            _ => {
                for anchor in [origin, right_origin].into_iter().flatten() {
                    let (d, found) = self.parent_depth_of(&anchor, false);
                    depth = depth.max(d);
                    resolved &= found;
                }
            }
        }
        done(depth, resolved)
    }

    /// How deep the parent of the item `id` is (with `shared`: how deep the parent of the type
    /// item `id` is), the deepest of every copy of it in the walk and the document, and whether
    /// any was found.
    fn parent_depth_of(&self, id: &ID, shared: bool) -> (u32, bool) {
        let mut found = false;
        let mut depth = 0;
        let in_walk = self.walk.holding(id).filter(|&j| {
            !shared || matches!(self.walk.entries[j].shape, Shape::Item { shared: true, .. })
        });
        for j in in_walk {
            if let Value::Done {
                parent_depth,
                resolved,
            } = self.value[j]
            {
                depth = depth.max(parent_depth);
                found |= resolved;
            }
        }
        if let Some(span) = self.depths.get(id) {
            depth = depth.max(span.parent_depth);
            found = true;
        }
        (depth, found)
    }
}

fn done(parent_depth: u32, resolved: bool) -> Value {
    Value::Done {
        parent_depth,
        resolved,
    }
}

/// The ids a block hangs on: its origins, or the item holding its parent.
fn anchors(block: &Block) -> impl Iterator<Item = ID> {
    let ids = match block.shape {
        Shape::Gc => [None, None],
        Shape::Item {
            origin: None,
            right_origin: None,
            parent,
            ..
        } => [parent, None],
        Shape::Item {
            origin,
            right_origin,
            ..
        } => [origin, right_origin],
    };
    ids.into_iter().flatten()
}
