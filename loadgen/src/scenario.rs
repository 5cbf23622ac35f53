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
    /// A connection storm: 5,000 clients join 500 documents (10 each) within 5 s, evenly
    /// spread, document after document; then 1 writer per document makes 2 edits per second
    /// for 15 s.
    Storm,
    /// A restart storm: 5,000 clients connect to 500 documents (10 each) all at the same
    /// instant, as after a server restart; then 1 writer per document makes 2 edits per second
    /// for 5 s. Run it with `--doc-prefix` against documents an earlier run stored (see
    /// `bench/restart-storm.sh`).
    RestartStorm,
    /// One large document: a preparing client writes about 10 MB of rich text through the
    /// editing layer (in updates of about 1 MiB); then 50 clients join within 1 s, and 3 of
    /// them edit at 5 edits per second for 5 s.
    BigDoc,
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
    /// Milliseconds between two connection starts.
    #[serde(default = "default_stagger_ms")]
    pub stagger_ms: f64,
    /// When not zero, every document is first written to about this many bytes (its updates'
    /// total) by a preparing client, which stays connected but is not one of the clients.
    #[serde(default)]
    pub doc_bytes: usize,
}

fn default_stagger_ms() -> f64 {
    2.0
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
                stagger_ms: 2.0,
                doc_bytes: 0,
            },
            ScenarioName::Tiny => Scenario {
                name: "tiny".into(),
                docs: 3,
                clients_per_doc: 3,
                writers_per_doc: 1,
                rate: 5.0,
                seconds: 2.0,
                stagger_ms: 2.0,
                doc_bytes: 0,
            },
            ScenarioName::Storm => Scenario {
                name: "storm".into(),
                docs: 500,
                clients_per_doc: 10,
                writers_per_doc: 1,
                rate: 2.0,
                seconds: 15.0,
                // 5,000 starts in 5 s.
                stagger_ms: 1.0,
                doc_bytes: 0,
            },
            ScenarioName::RestartStorm => Scenario {
                name: "restart-storm".into(),
                docs: 500,
                clients_per_doc: 10,
                writers_per_doc: 1,
                rate: 2.0,
                seconds: 5.0,
                // Everyone at once.
                stagger_ms: 0.0,
                doc_bytes: 0,
            },
            ScenarioName::BigDoc => Scenario {
                name: "big-doc".into(),
                docs: 1,
                clients_per_doc: 50,
                writers_per_doc: 3,
                rate: 5.0,
                seconds: 5.0,
                // 50 starts in 1 s.
                stagger_ms: 20.0,
                doc_bytes: 10_000_000,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storm_and_big_doc_sizes() {
        let storm = ScenarioName::Storm.scenario();
        assert_eq!(storm.docs * storm.clients_per_doc, 5_000);
        let window_s = storm.stagger_ms * (storm.docs * storm.clients_per_doc) as f64 / 1000.0;
        assert!(window_s <= 5.0);
        let big = ScenarioName::BigDoc.scenario();
        assert!(big.stagger_ms * big.clients_per_doc as f64 <= 1000.0);
        assert!(big.doc_bytes >= 10_000_000);
    }

    #[test]
    fn old_reports_still_parse() {
        let json = r#"{"name":"class","docs":1,"clients_per_doc":2,"writers_per_doc":1,"rate":5.0,"seconds":1.0}"#;
        let sc: Scenario = serde_json::from_str(json).unwrap();
        assert_eq!((sc.stagger_ms, sc.doc_bytes), (2.0, 0));
    }
}
