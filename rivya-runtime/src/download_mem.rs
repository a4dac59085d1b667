//! Fetching a result file into memory: the same URL checks, retries, size cap and `Range`
//! resumes as a download to disk, without a file.

use std::sync::Mutex;

use reqwest::StatusCode;
use reqwest::header::{IF_RANGE, RANGE};

use crate::Client;
use crate::download::{Head, parse_url, range_start, refused, too_large, transport};
use crate::error::Error;
use crate::retry::{self, Attempt};
use crate::trace::CallSpan;

/// What earlier attempts received: the bytes so far and the validator that lets the next
/// attempt ask for the rest.
#[derive(Default)]
struct Partial {
    bytes: Vec<u8>,
    /// A strong ETag or Last-Modified of the first answer; without one a broken body starts
    /// over, since a range of a file that may have changed cannot be trusted.
    validator: Option<String>,
}

impl Client {
    /// Fetches `url` into memory: a result file for a program that uploads it elsewhere or
    /// decodes it at once. The same rules as [`Client::download`]: absolute http(s) URLs only,
    /// no API key sent, failed attempts retried under the client's retry policy (a body that
    /// broke off resumes with `Range`/`If-Range` when the server validates the file, else
    /// starts over), and the size capped by [`crate::ClientBuilder::max_download_bytes`] —
    /// refused as soon as the announced size or the bytes received pass it. The whole file is
    /// held in memory: for large video, prefer [`Client::download`].
    pub async fn download_bytes(&self, url: &str) -> Result<Vec<u8>, Error> {
        self.bytes_inner(url)
            .await
            .map_err(|source| Error::Download {
                task_id: None,
                url: url.to_owned(),
                source: Box::new(source),
            })
    }

    async fn bytes_inner(&self, url: &str) -> Result<Vec<u8>, Error> {
        let parsed = parse_url(url)?;
        // Attempts run one after another; each takes the state out and puts it back, so no
        // lock is held across an await.
        let state = Mutex::new(Partial::default());
        let mut rng = self.rng();
        let span = CallSpan::new("GET", parsed.path(), None, None);
        let call = retry::retry(self.retry_policy(), &mut rng, |n| {
            span.attempt(n);
            let (parsed, state, span) = (&parsed, &state, &span);
            async move {
                let mut partial = std::mem::take(&mut *lock(state));
                let outcome = self.bytes_attempt(parsed, &mut partial, span).await;
                *lock(state) = partial;
                outcome
            }
        });
        span.instrument(call).await?;
        Ok(std::mem::take(&mut lock(&state).bytes))
    }

    /// One GET: asks for the rest when earlier attempts received a validated start.
    async fn bytes_attempt(
        &self,
        url: &reqwest::Url,
        partial: &mut Partial,
        span: &CallSpan,
    ) -> Attempt<()> {
        let mut rb = self.http().get(url.clone());
        match &partial.validator {
            Some(v) if !partial.bytes.is_empty() => {
                let have = partial.bytes.len();
                rb = rb
                    .header(RANGE, format!("bytes={have}-"))
                    .header(IF_RANGE, v.as_str());
            }
            _ => partial.bytes.clear(),
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(transport(e), None),
        };
        span.status(resp.status().as_u16());
        let head = Head::of(&resp);
        let have = partial.bytes.len() as u64;
        match resp.status() {
            StatusCode::OK => {
                partial.bytes.clear();
                partial.validator = Some(head.validator()).filter(|v| !v.is_empty());
            }
            StatusCode::PARTIAL_CONTENT
                if have > 0
                    && head.content_range.as_deref().and_then(range_start) == Some(have) => {}
            StatusCode::PARTIAL_CONTENT | StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
                // Not the rest of what we hold: start over on the next attempt.
                partial.bytes.clear();
                let body = "the server sent a range that was not asked for; starting over";
                let error = Error::Http {
                    status: head.status,
                    body: body.to_owned(),
                };
                return Attempt::Retry(error, Some(std::time::Duration::ZERO));
            }
            _ => return refused(resp, &head).await,
        }
        let start = partial.bytes.len() as u64;
        let cap = self.max_download_bytes();
        if let Some(len) = head.length
            && start.saturating_add(len) > cap
        {
            partial.bytes.clear();
            return Attempt::Fail(too_large(head.status, start.saturating_add(len), cap));
        }
        read_rest(resp, partial, start, head.length, cap).await
    }
}

/// Appends the body to `partial`; a body cut short keeps what arrived for the next attempt.
async fn read_rest(
    mut resp: reqwest::Response,
    partial: &mut Partial,
    start: u64,
    announced: Option<u64>,
    cap: u64,
) -> Attempt<()> {
    let status = resp.status().as_u16();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                partial.bytes.extend_from_slice(&chunk);
                let got = partial.bytes.len() as u64;
                if got > cap {
                    partial.bytes = Vec::new();
                    return Attempt::Fail(too_large(status, got, cap));
                }
            }
            Ok(None) => break,
            Err(e) => return Attempt::Retry(transport(e), None),
        }
    }
    let got = partial.bytes.len() as u64;
    match announced {
        Some(len) if got != start + len => {
            let body = format!(
                "the body ended after {got} bytes; {} were announced",
                start + len
            );
            Attempt::Retry(Error::Http { status, body }, None)
        }
        _ => Attempt::Done(()),
    }
}

/// The state, even if an attempt panicked while holding it (it holds it for no await).
fn lock(state: &Mutex<Partial>) -> std::sync::MutexGuard<'_, Partial> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
