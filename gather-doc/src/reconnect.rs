//! When a client tries again after losing its connection: exponential backoff with full
//! jitter, and never sooner than a busy server asked. Pure arithmetic; the caller passes the
//! random number, so it is tested natively and shared by the app and Rust clients.

/// The first backoff window, in milliseconds (doubling with each failed attempt).
pub const BASE_MS: u32 = 500;
/// The largest backoff window, in milliseconds.
pub const CAP_MS: u32 = 30_000;
/// Added to every delay, so a failing server is never hammered in a tight loop.
pub const MIN_MS: u32 = 100;

/// Milliseconds to wait before attempt number `attempt` (1 for the first retry).
///
/// The delay is drawn uniformly from the backoff window (`BASE_MS · 2^attempt`, at most
/// `CAP_MS`) — full jitter, so clients that lost the server at the same instant spread out —
/// and comes on top of `retry_after_secs`, the wait a busy server asked for. `random` is in
/// `[0, 1)`; values outside are clamped.
pub fn reconnect_delay_ms(attempt: u32, retry_after_secs: Option<u32>, random: f64) -> u32 {
    let window = BASE_MS.saturating_mul(1 << attempt.min(6)).min(CAP_MS);
    let jitter = (random.clamp(0.0, 1.0) * f64::from(window)) as u32;
    let hinted = retry_after_secs.unwrap_or(0).saturating_mul(1000);
    hinted
        .saturating_add(jitter.min(window))
        .saturating_add(MIN_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_doubles_up_to_the_cap() {
        assert_eq!(reconnect_delay_ms(1, None, 0.0), MIN_MS);
        assert_eq!(reconnect_delay_ms(1, None, 1.0), 1_000 + MIN_MS);
        assert_eq!(reconnect_delay_ms(2, None, 1.0), 2_000 + MIN_MS);
        assert_eq!(reconnect_delay_ms(5, None, 1.0), 16_000 + MIN_MS);
        assert_eq!(reconnect_delay_ms(6, None, 1.0), CAP_MS + MIN_MS);
        assert_eq!(reconnect_delay_ms(u32::MAX, None, 1.0), CAP_MS + MIN_MS);
        assert_eq!(reconnect_delay_ms(3, None, 0.5), 2_000 + MIN_MS);
    }

    #[test]
    fn a_busy_server_is_never_retried_sooner_than_it_asked() {
        for attempt in [0, 1, 4, 10] {
            for random in [0.0, 0.3, 0.999, 1.0, -1.0, f64::NAN] {
                let delay = reconnect_delay_ms(attempt, Some(7), random);
                assert!(delay >= 7_000 + MIN_MS, "{attempt} {random}: {delay}");
                assert!(delay <= 7_000 + CAP_MS + MIN_MS);
            }
        }
        assert!(reconnect_delay_ms(1, Some(u32::MAX), 1.0) == u32::MAX);
    }

    #[test]
    fn full_jitter_spreads_clients_over_the_whole_window() {
        // A seeded walk over [0, 1): delays cover the window evenly, not one instant.
        let mut seed = 42u64;
        let mut buckets = [0usize; 4];
        for _ in 0..4_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let random = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let delay = reconnect_delay_ms(6, Some(2), random) - 2_000 - MIN_MS;
            buckets[(delay as usize * 4 / CAP_MS as usize).min(3)] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (800..1200).contains(&n)),
            "{buckets:?}"
        );
    }
}
