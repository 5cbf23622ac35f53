//! A load generator for y-websocket-compatible servers: many simulated editors, each a real
//! `gather_doc` client over its own websocket, making small text edits, and measuring how long
//! the others take to receive them and what it cost the server.
//!
//! - [`big_doc`]: the large, realistic document the `big-doc` scenario prepares.
//! - [`protocol`]: the per-server framing (Gather, y-websocket, Hocuspocus).
//! - [`scenario`]: named scenarios.
//! - [`run`]: the run's phases (prepare, connect, edit, drain).
//! - [`client`]: one simulated client.
//! - [`prepare`]: the client that writes a scenario's large document before anyone joins.
//! - [`report`]: what a run measured, as text, a markdown row and JSON.
//! - [`procfs`]: the server's CPU time and peak memory.

pub mod big_doc;
pub mod client;
pub mod prepare;
pub mod procfs;
pub mod protocol;
pub mod report;
pub mod run;
pub mod scenario;
