//! Sending one call for an item until it succeeds, fails for good or runs out of attempts,
//! under the batch-wide rate limit; a 429 pauses every worker at once.

use std::time::Duration;

use rivya_runtime::{Error, ErrorCode};

use crate::ctx::Ctx;
use crate::error::BatchError;
use crate::event::Event;
use crate::ledger::Ledger;
use crate::step::{Refused, Step};

/// How an API error is handled.
enum Class {
    RateLimited(Option<Duration>),
    Transient,
    Permanent,
    Fatal,
}

fn classify(e: &Error) -> Class {
    match e {
        Error::Api(api) if api.code == ErrorCode::RateLimited || api.status == 429 => {
            Class::RateLimited(api.retry_after)
        }
        Error::Api(api) if api.code.is_auth() || api.code == ErrorCode::InsufficientCredits => {
            Class::Fatal
        }
        Error::Api(api)
            if api.code == ErrorCode::PublicApiDisabled
                || api.status == 408
                || api.status >= 500 =>
        {
            Class::Transient
        }
        Error::Transport { .. } | Error::Decode { .. } => Class::Transient,
        _ => Class::Permanent,
    }
}

/// `min(0.25 s · 2^n, 8 s)`, minus up to a quarter at random.
fn backoff(attempt: u32) -> Duration {
    let d = Duration::from_millis(250).saturating_mul(1 << attempt.min(6));
    d.min(Duration::from_secs(8))
        .mul_f64(1.0 - 0.25 * fastrand::f64())
}

/// Whether `e` stops the whole batch (auth, no credits).
pub(crate) fn is_fatal(e: &Error) -> bool {
    matches!(classify(e), Class::Fatal)
}

/// Waits for the rate limit (and any batch-wide pause), all workers together. A pause
/// longer than `max_pause` (one an earlier run stored, say) ends the run with the time to
/// come back; a long one is reported with the time the batch resumes.
async fn token<L: Ledger>(ctx: &Ctx<L>) -> Result<(), BatchError> {
    while let Some(wait) = ctx.ledger.take_token().await? {
        if wait > ctx.options.max_pause {
            return Err(paused(wait));
        }
        if wait >= Duration::from_secs(5) {
            emit_pause(ctx, wait);
        }
        tokio::time::sleep(wait).await;
    }
    Ok(())
}

/// The longest pause kept or reported: a `Retry-After` beyond any clock stays a day.
const LONGEST_PAUSE: Duration = Duration::from_secs(86_400);

fn paused(asked: Duration) -> BatchError {
    let asked = asked.min(LONGEST_PAUSE);
    BatchError::Paused {
        asked,
        until: std::time::SystemTime::now() + asked,
    }
}

fn emit_pause<L>(ctx: &Ctx<L>, wait: Duration) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    ctx.emit(Event::Paused {
        ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        until_ms: u64::try_from((now + wait).as_millis()).unwrap_or(u64::MAX),
    });
}

/// A 429: backs every worker off for its `Retry-After` (at most the documented cap at a
/// time), or ends the run when the API asks for longer than `max_pause`.
async fn rate_limited<L: Ledger>(
    ctx: &Ctx<L>,
    after: Option<Duration>,
    attempt: u32,
) -> Result<(), BatchError> {
    let asked = after.unwrap_or_else(|| backoff(attempt));
    if asked > ctx.options.max_pause {
        // Kept in the ledger (a day at most), so other workers and a re-run know it too.
        ctx.ledger.pause(asked.min(LONGEST_PAUSE)).await?;
        return Err(paused(asked));
    }
    let wait = asked.min(rivya_runtime::MAX_RETRY_AFTER);
    ctx.ledger.pause(wait).await?;
    emit_pause(ctx, wait);
    Ok(())
}

/// Sends `call` until it succeeds, fails for good, or runs out of attempts; a 429 pauses
/// the whole batch for its `Retry-After`.
pub(crate) async fn attempts<L: Ledger, T, F, Fut>(
    ctx: &Ctx<L>,
    mut call: F,
) -> Result<Step<T>, BatchError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut last = String::new();
    for attempt in 0..ctx.options.create_attempts.max(1) {
        token(ctx).await?;
        let e = match call().await {
            Ok(v) => return Ok(Step::Done(v)),
            Err(e) => e,
        };
        last = e.to_string();
        match classify(&e) {
            Class::RateLimited(after) => rate_limited(ctx, after, attempt).await?,
            Class::Transient => tokio::time::sleep(backoff(attempt)).await,
            Class::Permanent => {
                let code = match &e {
                    Error::Api(api) => Some(api.code.as_str().to_owned()),
                    _ => None,
                };
                return Ok(Step::Failed(Refused {
                    code,
                    message: last,
                }));
            }
            Class::Fatal => return Ok(Step::Fatal(e)),
        }
    }
    Ok(Step::Later(format!(
        "gave up for now after repeated errors: {last}"
    )))
}
