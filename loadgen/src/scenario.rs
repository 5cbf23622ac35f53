//! Named scenarios: how many documents, clients, writers, how fast and how long.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// A school's classes: 200 documents × 10 clients, 2 writers each making 5 small edits per
    /// second, for 15 s.
    Class,
    /// A smoke test: 3 documents × 3 clients, 1 writer at 5 edits per second, 2 s.
    Tiny,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub docs: usize,
    pub clients_per_doc: usize,
    pub writers_per_doc: usize,
    /// Edits per second per writer.
    pub rate: f64,
    /// Length of the editing phase.
    pub seconds: f64,
}

impl ScenarioName {
    pub fn scenario(self) -> Scenario {
        match self {
            ScenarioName::Class => Scenario {
                name: "class".into(),
                docs: 200,
                clients_per_doc: 10,
                writers_per_doc: 2,
                rate: 5.0,
                seconds: 15.0,
            },
            ScenarioName::Tiny => Scenario {
                name: "tiny".into(),
                docs: 3,
                clients_per_doc: 3,
                writers_per_doc: 1,
                rate: 5.0,
                seconds: 2.0,
            },
        }
    }
}
