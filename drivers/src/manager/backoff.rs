//! Exponential backoff between reconnection attempts.

use std::time::Duration;

/// Waits `initial`, then twice as long each failure, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    /// Consecutive `Fault::Failing` results before the device is closed
    /// and reopened.
    pub reopen_after_failures: u32,
}

impl Default for Backoff {
    /// 0.5 s doubling to 30 s: a replugged device is found within a few
    /// seconds, and a missing one costs a cheap open attempt twice a minute.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            reopen_after_failures: 3,
        }
    }
}

impl Backoff {
    /// The wait after `previous` (the first wait is `initial`).
    pub fn next(&self, previous: Option<Duration>) -> Duration {
        match previous {
            None => self.initial,
            Some(d) => (d * 2).min(self.max).max(self.initial),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
            reopen_after_failures: 3,
        };
        let mut waits = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let next = b.next(last);
            waits.push(next.as_millis());
            last = Some(next);
        }
        assert_eq!(waits, vec![100, 200, 400, 500, 500]);
    }
}
