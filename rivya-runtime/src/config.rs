//! Client configuration: the API key (held as a secret), base URL, timeouts and policies.

use std::time::Duration;

use crate::api_key::ApiKey;
use crate::client::{Client, Settings};
use crate::error::Error;
use crate::poll::PollPolicy;
use crate::retry::RetryPolicy;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://rivya.ai";

/// The environment variable that allows an `http://` base URL on a host that is not loopback
/// when set to `1`.
pub const INSECURE_HTTP_ENV: &str = "RIVYA_ALLOW_INSECURE_HTTP";

/// Builds a [`Client`]. Every setting has a default fit for production.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) base_url: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) read_idle_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) poll: Option<PollPolicy>,
    pub(crate) user_agent: String,
    pub(crate) jitter_seed: Option<u64>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) max_download_bytes: u64,
}

/// The default largest result file a download saves: 8 GiB.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 8 << 30;

/// The environment variable that sets [`ClientBuilder::max_download_bytes`].
pub const MAX_DOWNLOAD_ENV: &str = "RIVYA_MAX_DOWNLOAD_BYTES";

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            read_idle_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            poll: None,
            user_agent: format!("rivya-rust/{}", env!("CARGO_PKG_VERSION")),
            jitter_seed: None,
            http: None,
            allow_insecure_http: false,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
        }
    }
}

impl ClientBuilder {
    /// Settings from the environment: `RIVYA_API_KEY` and `RIVYA_BASE_URL`, when set,
    /// `RIVYA_ALLOW_INSECURE_HTTP=1` ([`ClientBuilder::allow_insecure_http`]) and
    /// `RIVYA_MAX_DOWNLOAD_BYTES` ([`ClientBuilder::max_download_bytes`]).
    pub fn from_env() -> Self {
        let mut b = Self::default();
        if let Ok(key) = std::env::var("RIVYA_API_KEY")
            && !key.trim().is_empty()
        {
            b.api_key = Some(ApiKey::new(key.trim()));
        }
        if let Ok(url) = std::env::var("RIVYA_BASE_URL")
            && !url.trim().is_empty()
        {
            b.base_url = url.trim().to_owned();
        }
        b.allow_insecure_http = std::env::var(INSECURE_HTTP_ENV).is_ok_and(|v| v.trim() == "1");
        if let Some(n) = std::env::var(MAX_DOWNLOAD_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
        {
            b.max_download_bytes = n;
        }
        b
    }

    /// The largest result file a download saves (default 8 GiB; also `RIVYA_MAX_DOWNLOAD_BYTES`
    /// in [`ClientBuilder::from_env`]). A larger one is refused as soon as its announced size,
    /// or the bytes received, pass it, and its `.part` is removed.
    pub fn max_download_bytes(mut self, bytes: u64) -> Self {
        self.max_download_bytes = bytes;
        self
    }

    /// Allows an `http://` base URL on a host that is not loopback. The API key then travels
    /// in clear text; without this, such a base URL is refused when the client is built.
    /// (`http://` to `localhost`, `127.0.0.0/8` or `::1` is always allowed.)
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The API key (`Authorization: Bearer …`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// The base URL (default `https://rivya.ai`); routes are under `/api/v1/`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to open a connection (default 5 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Total time allowed for one JSON call attempt (default 30 s). Uploads have no total
    /// limit, only the read-idle timeout.
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = t;
        self
    }

    /// Longest silence allowed while reading a response (default 60 s).
    pub fn read_idle_timeout(mut self, t: Duration) -> Self {
        self.read_idle_timeout = t;
        self
    }

    /// The retry policy of every call.
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }

    /// One polling schedule for every wait, instead of the documented one for each model's
    /// capability ([`PollPolicy::for_capability`]).
    pub fn poll_policy(mut self, p: PollPolicy) -> Self {
        self.poll = Some(p);
        self
    }

    /// Sends every request through this `reqwest::Client` (your proxy, TLS roots, pool or
    /// middleware-free tuning). The connect and read-idle timeouts and the user agent of this
    /// builder then do not apply: set them on your client. Per-call timeouts still do. Call
    /// [`crate::install_tls_provider`] before building it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Seeds the jitter of backoffs and poll intervals, for reproducible schedules in tests.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Builds the client (one connection pool, shared by every call and clone).
    pub fn build(mut self) -> Result<Client, Error> {
        crate::install_tls_provider();
        let base = check_base_url(&self.base_url, self.allow_insecure_http)
            .map_err(|m| Error::Config(format!("base URL: {m}")))?;
        // The system proxy settings are honoured: reqwest reads HTTPS_PROXY, HTTP_PROXY,
        // ALL_PROXY and NO_PROXY (either case) from the environment unless told not to.
        let http = match self.http.take() {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_idle_timeout)
                .user_agent(self.user_agent.clone())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let settings = Settings {
            api_key: self.api_key,
            request_timeout: self.request_timeout,
            retry: self.retry,
            poll: self.poll,
            jitter_seed: self.jitter_seed,
            max_download_bytes: self.max_download_bytes,
        };
        Ok(Client::from_parts(http, base, settings))
    }
}

impl Client {
    /// A builder with production defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `RIVYA_API_KEY` and `RIVYA_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }
}

/// The base URL, parsed: http(s) with a host, no credentials, query or fragment; `http://` only
/// to loopback unless allowed. Errors never repeat the URL (it may hold a password).
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| format!("not an absolute http(s) URL ({e})"))?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => {
            let shown: String = other.chars().take(20).collect();
            return Err(format!("scheme `{shown}` is not http or https"));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "must not contain credentials (`user:password@`); the API key is sent as a bearer token"
                .to_owned(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query (`?…`) or fragment (`#…`)".to_owned());
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("has no host")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !https && !loopback && !allow_insecure_http {
        return Err(format!(
            "`http://` would send the API key in clear text to {host}; use https://, or opt in \
             with ClientBuilder::allow_insecure_http (CLI: --allow-insecure-http or \
             {INSECURE_HTTP_ENV}=1)"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_parsed_not_prefix_matched() {
        let ok = |u: &str| check_base_url(u, false).unwrap();
        assert_eq!(ok("https://rivya.ai"), "https://rivya.ai");
        assert_eq!(ok("https://rivya.ai/"), "https://rivya.ai");
        assert_eq!(
            ok("https://proxy.example/rivya/"),
            "https://proxy.example/rivya"
        );
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://localhost:1"), "http://localhost:1");
        assert_eq!(ok("http://[::1]:9"), "http://[::1]:9");
        for bad in [
            "http://a@b",
            "https://user:hunter2@rivya.ai",
            "https://rivya.ai?x=1",
            "https://rivya.ai/#frag",
            "ftp://user:hunter2@rivya.ai",
            "rivya.ai",
            "https://",
            "http://rivya.ai",
            "http://10.0.0.1",
        ] {
            let e = check_base_url(bad, false).unwrap_err();
            assert!(!e.contains("hunter2"), "{bad}: {e}");
        }
        assert!(
            check_base_url("http://rivya.ai", false)
                .unwrap_err()
                .contains("--allow-insecure-http")
        );
        assert_eq!(
            check_base_url("http://rivya.ai", true).unwrap(),
            "http://rivya.ai"
        );
    }
}
