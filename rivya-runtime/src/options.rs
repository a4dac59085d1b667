//! Per-call options: a timeout, a retry policy and extra headers for the calls of one client
//! handle, without a second method per endpoint.
//!
//! The design follows the OpenAI SDKs' `client.with_options(…)`: [`crate::Client::with_options`]
//! returns a handle that shares the connection pool and configuration and differs only in
//! these settings, so every endpoint — present and future — takes them without a `*_with`
//! twin:
//!
//! ```no_run
//! # async fn demo(client: rivya_runtime::Client) -> Result<(), rivya_runtime::Error> {
//! use std::time::Duration;
//! use rivya_runtime::{RequestOptions, RetryPolicy};
//!
//! let patient = client.with_options(
//!     RequestOptions::new()
//!         .timeout(Duration::from_secs(120))
//!         .retry_policy(RetryPolicy::none())
//!         .header("x-correlation-id", "order-1234")?,
//! );
//! let credits = patient.credits().await?; // this call only; `client` is unchanged
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;
use crate::retry::RetryPolicy;

/// Headers the client sets itself: an extra header may not replace or double them.
const RESERVED: &[&str] = &[
    "authorization",
    "idempotency-key",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "accept",
];

/// Settings that replace the client's for the calls made through one handle
/// ([`crate::Client::with_options`]). Unset fields keep the client's value.
///
/// - [`RequestOptions::timeout`]: replaces [`crate::ClientBuilder::request_timeout`] (each
///   attempt of a JSON call; a chat stream's wait for its answer and for each event).
/// - [`RequestOptions::retry_policy`]: replaces [`crate::ClientBuilder::retry_policy`] for
///   every call, uploads and result downloads included.
/// - [`RequestOptions::header`]: sent on every API call (not on result downloads, whose URLs
///   may point at another host). `Debug` shows the headers' names, never their values.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &names)
            .finish()
    }
}

impl RequestOptions {
    /// No settings: every call behaves as the client's.
    pub fn new() -> Self {
        Self::default()
    }

    /// The timeout of one attempt (see the type's docs for what it covers).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy of these calls ([`RetryPolicy::none`] to try once).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Adds a header to every API call (a correlation id, a proxy's routing header). Setting
    /// the same name again replaces the value. Refused: a name or value that is not valid in
    /// HTTP, and the headers the client sets itself (`Authorization`, `Idempotency-Key`,
    /// `Content-Type`, `Content-Length`, `Transfer-Encoding`, `Host`, `Accept`) — use
    /// [`crate::ClientBuilder::api_key`] and the `*_with_key` methods for those.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let shown: String = name.chars().take(40).collect();
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("header name {shown:?} is not a valid name")))?;
        if RESERVED.contains(&parsed.as_str()) {
            return Err(Error::Config(format!(
                "header {shown:?} is set by the client itself and cannot be added per call"
            )));
        }
        // The value is never repeated in the error: it may be a credential.
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "the value of header {shown:?} is not a valid header value (control characters \
                 or non-visible bytes)"
            ))
        })?;
        value.set_sensitive(true);
        self.headers.retain(|(n, _)| n != parsed);
        self.headers.push((parsed, value));
        Ok(self)
    }

    /// `self`, with every setting of `later` on top: its timeout and policy when set, its
    /// headers replacing same-named ones.
    pub(crate) fn merged(&self, later: RequestOptions) -> Self {
        let mut out = self.clone();
        out.timeout = later.timeout.or(out.timeout);
        out.retry = later.retry.or(out.retry);
        for (name, value) in later.headers {
            out.headers.retain(|(n, _)| *n != name);
            out.headers.push((name, value));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked_and_reserved_ones_refused() {
        let o = RequestOptions::new().header("X-Trace", "a").unwrap();
        let o = o
            .header("x-trace", "b")
            .unwrap()
            .header("x-other", "c")
            .unwrap();
        let pairs: Vec<(&str, &str)> = o
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("x-trace", "b"), ("x-other", "c")]);
        for name in ["Authorization", "idempotency-key", "Content-Type", "Host"] {
            let e = RequestOptions::new().header(name, "x").unwrap_err();
            assert!(e.to_string().contains("set by the client"), "{e}");
        }
        let e = RequestOptions::new().header("bad name", "x").unwrap_err();
        assert!(e.to_string().contains("not a valid name"), "{e}");
        let e = RequestOptions::new()
            .header("x-secret", "tok\nen-hunter2")
            .unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn debug_shows_header_names_only() {
        let o = RequestOptions::new()
            .header("x-proxy-auth", "hunter2")
            .unwrap();
        let shown = format!("{o:?}");
        assert!(
            shown.contains("x-proxy-auth") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn later_settings_win_and_earlier_ones_stay() {
        let a = RequestOptions::new()
            .timeout(Duration::from_secs(5))
            .header("x-a", "1")
            .unwrap()
            .header("x-b", "1")
            .unwrap();
        let b = RequestOptions::new()
            .retry_policy(RetryPolicy::none())
            .header("x-b", "2")
            .unwrap();
        let m = a.merged(b);
        assert_eq!(m.timeout, Some(Duration::from_secs(5)));
        assert_eq!(m.retry, Some(RetryPolicy::none()));
        let pairs: Vec<(&str, &str)> = m
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(pairs, [("x-a", "1"), ("x-b", "2")]);
    }
}
