//! How each server wants to be spoken to. Gather and the y-websocket reference server speak the
//! plain y-websocket protocol, one websocket per document, the document named in the URL.
//! Hocuspocus multiplexes documents: every message starts with the document name (a lib0
//! varString), its message types extend y-websocket's (2 = Auth, 4 = SyncReply, 8 = SyncStatus,
//! …), and a document's messages are only processed after an Auth message for it.

use clap::ValueEnum;
use serde::Serialize;

/// Hocuspocus message types (`@hocuspocus/server` `MessageType`).
const HP_SYNC: u64 = 0;
const HP_AWARENESS: u64 = 1;
const HP_AUTH: u64 = 2;
const HP_QUERY_AWARENESS: u64 = 3;
const HP_SYNC_REPLY: u64 = 4;
/// Auth sub-types (`@hocuspocus/common` `AuthMessageType`).
const HP_AUTH_TOKEN: u64 = 0;
const HP_AUTH_PERMISSION_DENIED: u64 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    /// Gather's sync-server: `{url}/{doc}` with `url` ending in `/sync`.
    Gather,
    /// The y-websocket reference server (`bin/server.js`): `{url}/{doc}`.
    YWebsocket,
    /// Hocuspocus: one URL, every message prefixed with the document name.
    Hocuspocus,
}

impl ServerKind {
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Gather => "gather",
            ServerKind::YWebsocket => "y-websocket",
            ServerKind::Hocuspocus => "hocuspocus",
        }
    }

    /// The websocket URL for one document; Gather's carries `?token=` when there is one (the
    /// others have no use for it).
    pub fn doc_url(self, base: &str, doc: &str, token: Option<&str>) -> String {
        let base = base.trim_end_matches('/');
        match (self, token) {
            (ServerKind::Gather, Some(token)) => format!("{base}/{doc}?token={token}"),
            (ServerKind::Gather | ServerKind::YWebsocket, _) => format!("{base}/{doc}"),
            (ServerKind::Hocuspocus, _) => base.to_string(),
        }
    }

    /// Frames to send before the protocol's own hello (Hocuspocus: the Auth token message).
    pub fn preamble(self, doc: &str) -> Vec<Vec<u8>> {
        match self {
            ServerKind::Gather | ServerKind::YWebsocket => Vec::new(),
            ServerKind::Hocuspocus => {
                let mut frame = Vec::new();
                write_var_string(&mut frame, doc);
                write_var_uint(&mut frame, HP_AUTH);
                write_var_uint(&mut frame, HP_AUTH_TOKEN);
                write_var_string(&mut frame, "");
                vec![frame]
            }
        }
    }

    /// Wraps one y-websocket frame for the wire.
    pub fn wrap(self, doc: &str, frame: Vec<u8>) -> Vec<u8> {
        match self {
            ServerKind::Gather | ServerKind::YWebsocket => frame,
            ServerKind::Hocuspocus => {
                // y-websocket's sync (0) and awareness (1) types are Hocuspocus's too.
                let mut out = Vec::with_capacity(frame.len() + doc.len() + 2);
                write_var_string(&mut out, doc);
                out.extend_from_slice(&frame);
                out
            }
        }
    }

    /// Turns a received frame into a y-websocket frame for [`gather_doc::sync::ClientSync`],
    /// or `None` when it is a message of the server's own we do not need (auth acks, sync
    /// status). A refused authentication is an error.
    pub fn unwrap(self, frame: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        match self {
            ServerKind::Gather | ServerKind::YWebsocket => Ok(Some(frame)),
            ServerKind::Hocuspocus => {
                let mut at = 0;
                let _doc = read_var_string(&frame, &mut at).ok_or("bad document name")?;
                let type_at = at;
                let kind = read_var_uint(&frame, &mut at).ok_or("bad message type")?;
                match kind {
                    HP_SYNC | HP_AWARENESS | HP_QUERY_AWARENESS => {
                        Ok(Some(frame[type_at..].to_vec()))
                    }
                    HP_SYNC_REPLY => {
                        let mut out = Vec::with_capacity(frame.len() - type_at);
                        write_var_uint(&mut out, HP_SYNC);
                        out.extend_from_slice(&frame[at..]);
                        Ok(Some(out))
                    }
                    HP_AUTH => match read_var_uint(&frame, &mut at) {
                        Some(HP_AUTH_PERMISSION_DENIED) => Err("permission denied".into()),
                        _ => Ok(None),
                    },
                    _ => Ok(None),
                }
            }
        }
    }
}

fn write_var_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn write_var_string(out: &mut Vec<u8>, s: &str) {
    write_var_uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn read_var_uint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let b = *buf.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(n);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn read_var_string<'a>(buf: &'a [u8], at: &mut usize) -> Option<&'a str> {
    let len = usize::try_from(read_var_uint(buf, at)?).ok()?;
    let end = at.checked_add(len)?;
    let s = std::str::from_utf8(buf.get(*at..end)?).ok()?;
    *at = end;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hocuspocus_auth_frame() {
        let frames = ServerKind::Hocuspocus.preamble("doc");
        assert_eq!(frames, vec![vec![3, b'd', b'o', b'c', 2, 0, 0]]);
    }

    #[test]
    fn hocuspocus_round_trip() {
        let wrapped = ServerKind::Hocuspocus.wrap("doc", vec![0, 2, 1, 9]);
        assert_eq!(wrapped, vec![3, b'd', b'o', b'c', 0, 2, 1, 9]);
        assert_eq!(
            ServerKind::Hocuspocus.unwrap(wrapped).unwrap(),
            Some(vec![0, 2, 1, 9])
        );
        // SyncReply becomes a plain sync message.
        let reply = vec![3, b'd', b'o', b'c', 4, 0, 1, 0];
        assert_eq!(
            ServerKind::Hocuspocus.unwrap(reply).unwrap(),
            Some(vec![0, 0, 1, 0])
        );
        // Authenticated and SyncStatus are dropped; PermissionDenied is an error.
        let ok = vec![3, b'd', b'o', b'c', 2, 2, 0];
        assert_eq!(ServerKind::Hocuspocus.unwrap(ok).unwrap(), None);
        assert_eq!(
            ServerKind::Hocuspocus
                .unwrap(vec![3, b'd', b'o', b'c', 8, 1])
                .unwrap(),
            None
        );
        assert!(ServerKind::Hocuspocus
            .unwrap(vec![3, b'd', b'o', b'c', 2, 1, 0])
            .is_err());
    }

    #[test]
    fn var_uint_round_trip() {
        for n in [0u64, 1, 127, 128, 300, 1 << 40] {
            let mut buf = Vec::new();
            write_var_uint(&mut buf, n);
            let mut at = 0;
            assert_eq!(read_var_uint(&buf, &mut at), Some(n));
            assert_eq!(at, buf.len());
        }
    }
}
