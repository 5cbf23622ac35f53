//! The cap on failed token attempts per address. Only failures count: a whole school behind one
//! address must still get in at 9:00. Once an address is over the cap, its unknown tokens are
//! refused with "too many attempts" (and a log line per window) until the window passes;
//! valid tokens from it keep working.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per address and window.
pub const MAX_FAILURES: u32 = 30;
/// The window failed attempts are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered before old windows are swept.
const SWEEP_AT: usize = 10_000;

/// Failed attempts per address in the current window.
#[derive(Default)]
pub struct FailedAttempts {
    map: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl FailedAttempts {
    /// Counts a failure; returns true when the address is now over the cap (and logs the first
    /// time it goes over in a window).
    pub fn fail(&self, addr: IpAddr, now: Instant) -> bool {
        let Ok(mut map) = self.map.lock() else {
            return true;
        };
        if map.len() >= SWEEP_AT {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = map.entry(addr).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count == MAX_FAILURES + 1 {
            tracing::warn!(%addr, "too many wrong tokens from this address; refusing for a minute");
        }
        *count > MAX_FAILURES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_capped_for_one_window_and_others_are_not() {
        let attempts = FailedAttempts::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(!attempts.fail(a, t0));
        }
        assert!(attempts.fail(a, t0));
        assert!(!attempts.fail(b, t0));
        assert!(!attempts.fail(a, t0 + WINDOW));
    }
}
