//! The address a request came from, for the audit log and the cap on wrong tokens: the socket's
//! peer, or, behind a reverse proxy that the operator says to trust
//! (`--trust-forwarded-for`), the address that proxy appended to `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;

use crate::ServerState;

/// The client's address.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<ServerState> for ClientAddr {
    type Rejection = StatusCode;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
        if !state.trust_forwarded_for {
            return Ok(ClientAddr(peer));
        }
        Ok(ClientAddr(forwarded(&parts.headers).unwrap_or(peer)))
    }
}

/// The last (nearest) address in `X-Forwarded-For`: the one our own proxy appended. Earlier
/// entries come from the client and can be forged.
fn forwarded(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxys_own_entry_wins_over_forged_ones() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 10.0.0.7".parse().unwrap());
        assert_eq!(forwarded(&headers), Some("10.0.0.7".parse().unwrap()));
        headers.append("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert_eq!(forwarded(&headers), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(forwarded(&axum::http::HeaderMap::new()), None);
    }
}
