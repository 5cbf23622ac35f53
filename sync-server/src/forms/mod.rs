//! Forms over HTTP: the definition a respondent sees, submitting and reading back a response,
//! and the responses for owners and editors (list, correct, delete, history, CSV export).
//!
//! The definition lives in the document's CRDT; the server reads it from the stored updates
//! (every update a client has seen is stored, so this is the form as its editors last saw it)
//! and caches it until the document's last sequence number changes. Responses live in their
//! own tables ([`responses`]), never in the document.

mod export;
mod photos;
mod regions;
mod responses;
mod retention;
mod roster;
mod routes;
mod supplies;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use gather_doc::form::regions::Regions;
use gather_doc::form::FormDef;
use gather_doc::sync::Room;
use gather_doc::DocId;

pub use crate::pictures::sniff;
pub use photos::MAX_PHOTO_BYTES;
pub use responses::{Filter, Replaces, Respondent, ResponseDb, StoredResponse, Submitted};
pub use retention::{sweep, SWEEP_EVERY};

/// The `/api/forms/{doc}` routes, photos included.
pub fn routes() -> axum::Router<crate::ServerState> {
    routes::routes()
        .merge(photos::routes())
        .merge(roster::routes())
        .merge(supplies::routes())
        .merge(retention::routes())
}

use crate::store::{Store, StoreError};

/// Cached definitions by document, with the last update sequence number they were read at.
type DefCache = HashMap<DocId, (i64, Option<Arc<FormDef>>)>;

/// Response storage and the cache of form definitions; cheap to clone.
#[derive(Clone)]
pub struct Forms {
    inner: Arc<Inner>,
    /// The division table region answers are checked against ([`regions`]).
    regions: Option<Arc<Regions>>,
}

struct Inner {
    db: ResponseDb,
    defs: Mutex<DefCache>,
}

/// Most definitions kept in the cache; past this it is cleared (they are cheap to read again).
const MAX_CACHED: usize = 10_000;

impl Forms {
    pub fn open(data_dir: &Path) -> Result<Forms, StoreError> {
        Ok(Forms {
            inner: Arc::new(Inner {
                db: ResponseDb::open(data_dir)?,
                defs: Mutex::new(HashMap::new()),
            }),
            regions: None,
        })
    }

    /// Checks region answers against the division table in the `assets` folder, if it is there.
    pub fn with_regions(mut self, assets: &Path) -> Forms {
        self.regions = regions::load(assets);
        self
    }

    pub fn regions(&self) -> Option<&Regions> {
        self.regions.as_deref()
    }

    pub fn db(&self) -> &ResponseDb {
        &self.inner.db
    }

    /// The form in `doc`, or `None` if the document is not a form. Blocks.
    pub fn definition(
        &self,
        store: &dyn Store,
        doc: &DocId,
    ) -> Result<Option<Arc<FormDef>>, StoreError> {
        let seq = store.last_seq(doc)?;
        if let Some((cached_seq, def)) = self.cache().get(doc) {
            if *cached_seq == seq {
                return Ok(def.clone());
            }
        }
        let loaded = store.load(doc)?;
        let (room, _) = Room::load(loaded.updates.iter().map(Vec::as_slice), || 0);
        let def = gather_doc::form::read_form(room.doc()).map(|mut def| {
            def.id = doc.as_str().to_owned();
            Arc::new(def)
        });
        let mut cache = self.cache();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(doc.clone(), (loaded.last_seq, def.clone()));
        Ok(def)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, DefCache> {
        self.inner
            .defs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets a deleted document's responses. Blocks.
    pub fn delete_doc(&self, doc: &DocId) -> Result<(), StoreError> {
        self.cache().remove(doc);
        self.inner.db.delete_doc(doc)
    }
}
