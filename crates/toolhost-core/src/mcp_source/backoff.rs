//! When a crashed (or unreachable) MCP server is tried again. A crash after a quiet spell is
//! restarted at once; a server that keeps failing waits longer each time (doubling up to
//! [`MAX_DELAY`]), so a broken server is not respawned in a tight loop while every call
//! meanwhile gets a clear `unavailable` saying when the next try is.

use std::time::{Duration, Instant};

const FIRST_DELAY: Duration = Duration::from_millis(500);
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(30);

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RestartBackoff {
    /// Failures (crashes, failed starts) since the server last answered a call.
    failures: u32,
    not_before: Option<Instant>,
}

impl RestartBackoff {
    /// Record a failure at `now`.
    pub fn failed(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        self.not_before = Some(now + self.delay());
    }

    /// The server answered: the next crash is retried at once again.
    pub fn succeeded(&mut self) {
        *self = RestartBackoff::default();
    }

    /// How long until the server may be started again (`None`: now).
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.not_before
            .and_then(|t| t.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    #[cfg(test)]
    fn failures(&self) -> u32 {
        self.failures
    }

    fn delay(&self) -> Duration {
        match self.failures {
            0 | 1 => Duration::ZERO,
            n => FIRST_DELAY
                .saturating_mul(1 << (n - 2).min(16))
                .min(MAX_DELAY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_crash_restarts_at_once_and_repeated_ones_wait_longer_up_to_a_cap() {
        let now = Instant::now();
        let mut b = RestartBackoff::default();
        assert_eq!(b.wait(now), None);
        b.failed(now);
        assert_eq!(b.wait(now), None, "the first crash is restarted at once");
        b.failed(now);
        assert_eq!(b.wait(now), Some(Duration::from_millis(500)));
        b.failed(now);
        assert_eq!(b.wait(now), Some(Duration::from_secs(1)));
        for _ in 0..40 {
            b.failed(now);
        }
        assert_eq!(b.wait(now), Some(MAX_DELAY));
        assert_eq!(b.wait(now + MAX_DELAY), None);
        b.succeeded();
        assert_eq!(b.wait(now), None);
        assert_eq!(b.failures(), 0);
    }
}
