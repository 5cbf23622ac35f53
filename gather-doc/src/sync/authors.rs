//! Who changed a document since its last version: the names (from their presence) of the
//! connections whose updates the room applied. A connection's name is learnt from its
//! awareness state, which may arrive after its first update, and kept after it leaves until
//! the next version takes the list.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::ConnId;

#[derive(Debug, Default)]
pub struct Authors {
    wrote: HashSet<ConnId>,
    names: HashMap<ConnId, String>,
}

impl Authors {
    /// `conn` changed the document.
    pub fn wrote(&mut self, conn: ConnId) {
        self.wrote.insert(conn);
    }

    /// `conn` presents itself as `name` (cleaned; empty when not set).
    pub fn named(&mut self, conn: ConnId, name: String) {
        self.names.insert(conn, name);
    }

    /// Whether anyone changed the document since the last [`Authors::take`].
    pub fn any(&self) -> bool {
        !self.wrote.is_empty()
    }

    /// The sorted, distinct names of everyone who changed the document since the last call (an
    /// empty name for someone without one), and starts again. Names of connections that are not
    /// `still_here` are forgotten.
    pub fn take(&mut self, still_here: impl Fn(ConnId) -> bool) -> Vec<String> {
        let names: BTreeSet<String> = self
            .wrote
            .drain()
            .map(|conn| self.names.get(&conn).cloned().unwrap_or_default())
            .collect();
        self.names.retain(|conn, _| still_here(*conn));
        names.into_iter().collect()
    }
}
