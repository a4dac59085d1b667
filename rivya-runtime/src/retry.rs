//! One retry policy for every call: exponential backoff with jitter and a cap, `Retry-After`
//! honoured up to a cap, and the decision made by the error code in the body.

use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::error::{Error, ErrorCode};

/// The documented maximum of any wait the SDK makes for a `Retry-After` (60 s): a larger
/// value, or one that cannot be parsed, counts as this maximum. The batch engine uses the
/// same cap for each pause.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// When and how often failed calls are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// The first backoff (default 0.5 s); doubled on each retry.
    pub base_delay: Duration,
    /// The largest backoff (default 8 s).
    pub max_delay: Duration,
    /// Fraction of each backoff taken off at random, 0 to 1 (default 0.25), so many clients do
    /// not retry in step.
    pub jitter: f64,
    /// The longest wait for a `Retry-After` (default [`MAX_RETRY_AFTER`], 60 s); a longer
    /// one waits this long, then retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            jitter: 0.25,
            max_retry_after: MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry):
    /// `min(base · 2^retry, max) · (1 − jitter · r)` with `r` uniform in `[0, 1)`.
    pub fn backoff(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(31)));
        let capped = exp.min(self.max_delay);
        let cut = self.jitter.clamp(0.0, 1.0) * rng.f64();
        capped.mul_f64(1.0 - cut)
    }
}

/// Parses `Retry-After`: whole seconds (`"0"`, `"120"`) or an HTTP-date. Anything else
/// (negative, fractional, garbage) yields `None`; a response carrying such a value waits
/// [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate absurd values: they exceed any cap and so wait the cap.
        return Some(Duration::from_secs(v.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Whether an API error code is worth retrying; unknown codes fall back to the status.
pub fn is_retryable(code: &ErrorCode, status: u16) -> bool {
    match code {
        ErrorCode::RateLimited | ErrorCode::PublicApiDisabled => true,
        ErrorCode::Unknown(_) => is_retryable_status(status),
        _ => false,
    }
}

/// Statuses that signal a passing condition: 408, 429, 500, 502, 503, 504.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// What one attempt came to.
pub(crate) enum Attempt<T> {
    /// Success.
    Done(T),
    /// A failure worth another attempt, with the server's `Retry-After` if any.
    Retry(Error, Option<Duration>),
    /// A failure that another attempt will not fix.
    Fail(Error),
}

/// Runs `attempt` until it succeeds, fails for good, or the policy is exhausted; returns the
/// last error then. Sleeps with tokio's clock, so tests can run it on a paused clock.
pub(crate) async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    rng: &mut fastrand::Rng,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let mut retry = 0;
    loop {
        let (error, retry_after) = match attempt(retry).await {
            Attempt::Done(t) => return Ok(t),
            Attempt::Fail(e) => return Err(e),
            Attempt::Retry(e, after) => (e, after),
        };
        if retry >= policy.max_retries {
            return Err(error);
        }
        let delay = match retry_after {
            Some(d) => d.min(policy.max_retry_after),
            None => policy.backoff(retry, rng),
        };
        tokio::time::sleep(delay).await;
        retry += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_without_jitter() {
        let p = RetryPolicy {
            jitter: 0.0,
            max_retries: 10,
            ..RetryPolicy::default()
        };
        let mut rng = fastrand::Rng::with_seed(1);
        let delays: Vec<u64> = (0..6)
            .map(|n| p.backoff(n, &mut rng).as_millis() as u64)
            .collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000]);
    }

    #[test]
    fn jitter_only_shortens() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(9);
        for n in 0..5 {
            let d = p.backoff(n, &mut rng);
            let full = Duration::from_millis(500 * (1 << n)).min(Duration::from_secs(8));
            assert!(d <= full && d >= full.mul_f64(0.75), "{d:?} vs {full:?}");
        }
    }

    #[test]
    fn retry_after_table() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("7", Some(7)),
            (" 30 ", Some(30)),
            ("-5", None),
            ("1.5", None),
            ("soon", None),
            ("", None),
            ("99999999999999999999999", Some(u64::MAX)),
            ("Sun, 06 Nov 1994 08:50:07 GMT", Some(30)),
            ("Sun, 06 Nov 1994 08:00:00 GMT", Some(0)),
            ("Sunday, 06-Nov-94 08:49:47 GMT", Some(10)),
        ];
        for (value, want) in cases {
            let got = parse_retry_after(value, now).map(|d| d.as_secs());
            assert_eq!(got, *want, "Retry-After: {value:?}");
        }
    }

    #[test]
    fn decisions_follow_the_code_then_the_status() {
        assert!(is_retryable(&ErrorCode::RateLimited, 429));
        assert!(is_retryable(&ErrorCode::PublicApiDisabled, 503));
        for code in [
            ErrorCode::ValidationFailed,
            ErrorCode::InsufficientCredits,
            ErrorCode::IdempotencyConflict,
            ErrorCode::NotFound,
            ErrorCode::ApiKeyInvalid,
            ErrorCode::ApiScopeDenied,
        ] {
            assert!(
                !is_retryable(&code, 503),
                "{code} must not be retried, whatever the status"
            );
        }
        assert!(is_retryable(&ErrorCode::Unknown("overloaded".into()), 503));
        assert!(!is_retryable(&ErrorCode::Unknown("teapot".into()), 418));
    }
}

/// Schedules on tokio's paused clock: the delays between attempts are exact.
#[cfg(test)]
mod schedule {
    use super::*;
    use std::cell::RefCell;
    use tokio::time::Instant;

    /// Runs `retry` with attempts that fail `failures` times (with `retry_after`), records
    /// when each attempt started, and returns the gaps in milliseconds and the outcome.
    async fn gaps(
        policy: RetryPolicy,
        failures: u32,
        retry_after: Option<Duration>,
    ) -> (Vec<u128>, Result<u32, Error>) {
        let times = RefCell::new(Vec::new());
        let mut rng = fastrand::Rng::with_seed(42);
        let result = retry(&policy, &mut rng, |n| {
            times.borrow_mut().push(Instant::now());
            async move {
                if n < failures {
                    Attempt::Retry(Error::Config(format!("attempt {n}")), retry_after)
                } else {
                    Attempt::Done(n)
                }
            }
        })
        .await;
        let t = times.into_inner();
        let gaps = t.windows(2).map(|w| (w[1] - w[0]).as_millis()).collect();
        (gaps, result)
    }

    fn no_jitter() -> RetryPolicy {
        RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_schedule_is_exact() {
        let (g, r) = gaps(no_jitter(), 3, None).await;
        assert_eq!(g, [500, 1000, 2000]);
        assert_eq!(r.unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_retries_with_the_last_error() {
        let (g, r) = gaps(no_jitter(), 10, None).await;
        assert_eq!(g, [500, 1000, 2000]);
        assert_eq!(
            r.unwrap_err().to_string(),
            "client configuration: attempt 3"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn jittered_schedule_is_reproducible_and_bounded() {
        let (a, _) = gaps(RetryPolicy::default(), 3, None).await;
        let (b, _) = gaps(RetryPolicy::default(), 3, None).await;
        assert_eq!(a, b, "same seed, same schedule");
        for (gap, full) in a.iter().zip([500u128, 1000, 2000]) {
            assert!(*gap <= full && *gap >= full * 3 / 4, "{gap} vs {full}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_replaces_the_backoff() {
        let (g, r) = gaps(no_jitter(), 2, Some(Duration::from_secs(7))).await;
        assert_eq!(g, [7000, 7000]);
        assert!(r.is_ok());
        let (g, _) = gaps(no_jitter(), 1, Some(Duration::ZERO)).await;
        assert_eq!(g, [0]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_beyond_the_cap_waits_the_cap() {
        let (g, r) = gaps(no_jitter(), 1, Some(Duration::from_secs(3600))).await;
        assert_eq!(g, [60_000]);
        assert!(r.is_ok());
        let (g, _) = gaps(no_jitter(), 1, Some(Duration::from_secs(u64::MAX))).await;
        assert_eq!(
            g,
            [60_000],
            "a value too large for any clock is the cap, not zero"
        );
    }
}
