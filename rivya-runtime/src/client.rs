//! The client and its endpoints.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, RequestBuilder};
use rivya_models::{GenerationRequest, catalog};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::api_key::ApiKey;
use crate::error::{ApiError, Error, ErrorCode};
use crate::options::RequestOptions;
use crate::poll::{self, PollPolicy, Schedule, WaitOptions};
use crate::retry::{self, Attempt, RetryPolicy};
use crate::segment::path_segment;
use crate::trace::CallSpan;
use crate::types::{Credits, FileObject, ModelList, Submitted, Task};

/// The header that makes creates and uploads safe to retry.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// A Rivya API client. Cheap to clone; every clone shares one connection pool.
///
/// Per-call settings (a timeout, a retry policy, extra headers) go through a handle:
/// `client.with_options(RequestOptions::new().timeout(…))` (see [`RequestOptions`]).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// This handle's settings on top of the client's ([`Client::with_options`]).
    options: Arc<RequestOptions>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    api_key: Option<ApiKey>,
    request_timeout: std::time::Duration,
    retry: RetryPolicy,
    poll: Option<PollPolicy>,
    jitter_seed: Option<u64>,
    max_download_bytes: u64,
    counter: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("api_key", &self.inner.api_key)
            .field("retry", &self.inner.retry)
            .field("poll", &self.inner.poll)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The error envelope every non-2xx response carries.
#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeError,
}

#[derive(Deserialize)]
struct EnvelopeError {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "requestId")]
    request_id: Option<String>,
}

/// What a built client keeps of its builder's settings (checked by the builder).
pub(crate) struct Settings {
    pub api_key: Option<ApiKey>,
    pub request_timeout: std::time::Duration,
    pub retry: RetryPolicy,
    pub poll: Option<PollPolicy>,
    pub jitter_seed: Option<u64>,
    pub max_download_bytes: u64,
}

impl Client {
    pub(crate) fn from_parts(http: reqwest::Client, base: String, b: Settings) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                base,
                api_key: b.api_key,
                request_timeout: b.request_timeout,
                retry: b.retry,
                poll: b.poll,
                jitter_seed: b.jitter_seed,
                max_download_bytes: b.max_download_bytes,
                counter: AtomicU64::new(0),
            }),
            options: Arc::default(),
        }
    }

    /// A handle whose calls use `options` on top of this handle's settings (a timeout, a
    /// retry policy, extra headers; see [`RequestOptions`]). It shares the connection pool and
    /// configuration — creating one costs two reference counts and a copy of the options — and
    /// `self` is unchanged. Options stack: `a.with_options(x).with_options(y)` applies `y`'s
    /// settings over `x`'s.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            options: Arc::new(self.options.merged(options)),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The HTTP client every call goes through.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The timeout of one request (for a stream: of its answer, then of each wait for data).
    pub(crate) fn request_timeout(&self) -> std::time::Duration {
        self.options.timeout.unwrap_or(self.inner.request_timeout)
    }

    /// The largest result file a download saves.
    pub(crate) fn max_download_bytes(&self) -> u64 {
        self.inner.max_download_bytes
    }

    /// The retry policy of every call.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        self.options.retry.as_ref().unwrap_or(&self.inner.retry)
    }

    /// The random source of one operation's jitter (seeded when the builder asked for it).
    pub(crate) fn rng(&self) -> fastrand::Rng {
        let n = self.inner.counter.fetch_add(1, Ordering::Relaxed);
        match self.inner.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed.wrapping_add(n)),
            None => fastrand::Rng::new(),
        }
    }

    /// A fresh idempotency key: 128 random bits, UUID-formatted.
    pub fn new_idempotency_key() -> String {
        let mut rng = fastrand::Rng::new();
        let (a, b) = (rng.u64(..), rng.u64(..));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// Fails before any attempt when a call needs a key and none is configured.
    pub(crate) fn ensure_key(&self) -> Result<&ApiKey, Error> {
        self.inner.api_key.as_ref().ok_or_else(|| {
            Error::Config("no API key: set RIVYA_API_KEY or call ClientBuilder::api_key".to_owned())
        })
    }

    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        auth: bool,
    ) -> Result<RequestBuilder, Error> {
        let mut rb = self
            .inner
            .http
            .request(method, format!("{}/api/v1/{path}", self.inner.base));
        for (name, value) in &self.options.headers {
            rb = rb.header(name, value);
        }
        if !auth {
            return Ok(rb);
        }
        Ok(rb.bearer_auth(self.ensure_key()?.expose()))
    }

    /// Sends a JSON call with the retry policy. `body` is sent as JSON; `key` becomes the
    /// `Idempotency-Key` of every attempt.
    async fn call<T: DeserializeOwned + Traced>(
        &self,
        method: Method,
        path: &str,
        auth: bool,
        body: Option<Vec<u8>>,
        key: Option<&str>,
    ) -> Result<T, Error> {
        if auth {
            self.ensure_key()?;
        }
        let task_id = path.strip_prefix("generations/");
        let span = CallSpan::new(method.as_str(), path, key, task_id);
        let mut rng = self.rng();
        let call = retry::retry(self.retry_policy(), &mut rng, |n| {
            let method = method.clone();
            let body = body.clone();
            span.attempt(n);
            let span = &span;
            async move {
                let mut rb = match self.request(method, path, auth) {
                    Ok(rb) => rb.timeout(self.request_timeout()),
                    Err(e) => return Attempt::Fail(e),
                };
                if let Some(k) = key {
                    rb = rb.header(IDEMPOTENCY_HEADER, k);
                }
                if let Some(b) = body {
                    rb = rb
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(b);
                }
                attempt(rb, key, span).await
            }
        });
        let value: T = span.instrument(call).await?;
        if let Some(id) = value.task_id() {
            span.task_id(id);
        }
        Ok(value)
    }

    /// `GET` a public route (no key sent).
    pub(crate) async fn get_public<T: DeserializeOwned + Traced>(
        &self,
        path: &str,
    ) -> Result<T, Error> {
        self.call(Method::GET, path, false, None, None).await
    }

    /// `GET` a route with the API key.
    pub(crate) async fn get<T: DeserializeOwned + Traced>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::GET, path, true, None, None).await
    }

    /// `POST` JSON (or nothing) with the API key; `key` makes the call idempotent.
    pub(crate) async fn post<T: DeserializeOwned + Traced>(
        &self,
        path: &str,
        body: Option<Vec<u8>>,
        key: Option<&str>,
    ) -> Result<T, Error> {
        self.call(Method::POST, path, true, body, key).await
    }

    /// `PATCH` JSON with the API key.
    pub(crate) async fn patch<T: DeserializeOwned + Traced>(
        &self,
        path: &str,
        body: Vec<u8>,
    ) -> Result<T, Error> {
        self.call(Method::PATCH, path, true, Some(body), None).await
    }

    /// `DELETE` with the API key.
    pub(crate) async fn delete<T: DeserializeOwned + Traced>(
        &self,
        path: &str,
    ) -> Result<T, Error> {
        self.call(Method::DELETE, path, true, None, None).await
    }

    /// The public catalog (`GET /api/v1/models`; no key needed).
    pub async fn models(&self) -> Result<ModelList, Error> {
        self.get_public("models").await
    }

    /// Creates a task. The request is validated first and never sent when invalid. One
    /// idempotency key is minted before the first attempt and sent on every retry.
    pub async fn create<R: GenerationRequest>(&self, req: &R) -> Result<Submitted, Error> {
        self.create_with_key(req, Client::new_idempotency_key())
            .await
    }

    /// [`Client::create`] with your own idempotency key (to retry a create whose outcome you
    /// did not see: the server returns the same task).
    pub async fn create_with_key<R: GenerationRequest>(
        &self,
        req: &R,
        idempotency_key: impl Into<String>,
    ) -> Result<Submitted, Error> {
        GenerationRequest::validate(req)?;
        let body = crate::error::to_json("the request", req)?;
        self.submit(body, idempotency_key.into()).await
    }

    /// Creates a task from an untyped body (a CLI, a proxy), validated with the same rules.
    pub async fn create_value(
        &self,
        body: &serde_json::Value,
        idempotency_key: Option<String>,
    ) -> Result<Submitted, Error> {
        catalog::validate_value(body)?;
        let bytes = crate::error::to_json("the request", body)?;
        self.submit(
            bytes,
            idempotency_key.unwrap_or_else(Client::new_idempotency_key),
        )
        .await
    }

    async fn submit(&self, body: Vec<u8>, key: String) -> Result<Submitted, Error> {
        crate::idempotency::check_idempotency_key(&key)?;
        let task: Task = self.post("generations", Some(body), Some(&key)).await?;
        Ok(Submitted {
            task,
            idempotency_key: key,
        })
    }

    /// The task's current state (`GET /api/v1/generations/{id}`).
    pub async fn task(&self, task_id: &str) -> Result<Task, Error> {
        let path = format!("generations/{}", path_segment("task id", task_id)?);
        self.get(&path).await
    }

    /// Waits until the task succeeds (its result) or fails ([`Error::TaskFailed`]). Works
    /// from any process that has the task id; polls at once, then on the client's schedule.
    pub async fn wait(&self, task_id: &str) -> Result<Task, Error> {
        self.wait_with(task_id, WaitOptions::default()).await
    }

    /// [`Client::wait`] with options: another schedule, a status observer, a first delay.
    /// Without a schedule (here or on the client), the wait follows the documented one for the
    /// task's model, learnt from the first answer.
    pub async fn wait_with(&self, task_id: &str, options: WaitOptions<'_>) -> Result<Task, Error> {
        let schedule = self.schedule(&options, None);
        self.wait_scheduled(task_id, schedule, options, false).await
    }

    /// The schedule of a wait: the options', else the client's, else the model's (when known)
    /// or the one the task's first answer implies.
    fn schedule<'m>(&self, options: &WaitOptions<'_>, model: Option<&'m str>) -> Schedule<'m> {
        match (options.poll_policy().or(self.inner.poll.as_ref()), model) {
            (Some(p), _) => Schedule::Fixed(p.clone()),
            (None, Some(m)) => Schedule::Model(m),
            (None, None) => Schedule::FromTask,
        }
    }

    async fn wait_scheduled(
        &self,
        task_id: &str,
        schedule: Schedule<'_>,
        options: WaitOptions<'_>,
        after_create: bool,
    ) -> Result<Task, Error> {
        let mut rng = self.rng();
        let fetch = || self.task(task_id);
        poll::wait_loop(task_id, schedule, &mut rng, options, after_create, fetch).await
    }

    /// Validate → create → wait: the finished task, or an error that names the task id (or,
    /// if the create itself failed, the idempotency key to retry it with).
    pub async fn run<R: GenerationRequest>(&self, req: &R) -> Result<Task, Error> {
        self.run_with(req, WaitOptions::default()).await
    }

    /// [`Client::run`] with wait options (a status observer, another schedule, no first delay).
    pub async fn run_with<R: GenerationRequest>(
        &self,
        req: &R,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        let submitted = self.create(req).await?;
        let model = req.info().id;
        self.follow(submitted, model, options).await
    }

    /// Validate → create → wait for an untyped body (a CLI, a proxy): the same rules, the
    /// same promise as [`Client::run`]. The schedule follows the body's model.
    pub async fn run_value(&self, body: &serde_json::Value) -> Result<Task, Error> {
        self.run_value_with(body, None, WaitOptions::default())
            .await
    }

    /// [`Client::run_value`] with your idempotency key and wait options.
    pub async fn run_value_with(
        &self,
        body: &serde_json::Value,
        idempotency_key: Option<String>,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        let model = catalog::validate_value(body)?.id;
        let submitted = self.create_value(body, idempotency_key).await?;
        self.follow(submitted, model, options).await
    }

    /// Waits for a task just created (its first poll after the documented delay, unless the
    /// options say otherwise).
    async fn follow(
        &self,
        submitted: Submitted,
        model: &str,
        mut options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        options.saw(&submitted.task);
        if submitted.task.is_terminal() {
            return match submitted.task.status {
                crate::TaskStatus::Failed => Err(Error::TaskFailed(Box::new(submitted.task))),
                _ => Ok(submitted.task),
            };
        }
        let schedule = self.schedule(&options, Some(model));
        self.wait_scheduled(&submitted.task.id, schedule, options, true)
            .await
    }

    /// A file's metadata (`GET /api/v1/files/{id}`).
    pub async fn file(&self, file_id: &str) -> Result<FileObject, Error> {
        let path = format!("files/{}", path_segment("file id", file_id)?);
        self.get(&path).await
    }

    /// The credit balance (`GET /api/v1/credits`).
    pub async fn credits(&self) -> Result<Credits, Error> {
        self.get("credits").await
    }
}

/// Sends one attempt and decides what it came to.
pub(crate) async fn attempt<T: DeserializeOwned>(
    rb: RequestBuilder,
    key: Option<&str>,
    span: &CallSpan,
) -> Attempt<T> {
    let idempotency_key = key.map(str::to_owned);
    let transport = |source| Error::Transport {
        source: crate::TransportError::new(source),
        idempotency_key: idempotency_key.clone(),
    };
    let resp = match rb.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(transport(e), None),
    };
    let status = resp.status().as_u16();
    span.status(status);
    let retry_after = retry_after_of(&resp);
    let body = match resp.bytes().await {
        Ok(b) => b,
        Err(e) => return Attempt::Retry(transport(e), None),
    };
    judge(status, &body, retry_after, key)
}

/// The `Retry-After` of a response; one that cannot be read counts as the documented maximum.
pub(crate) fn retry_after_of(resp: &reqwest::Response) -> Option<std::time::Duration> {
    resp.headers().get(RETRY_AFTER).map(|v| {
        v.to_str()
            .ok()
            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()))
            .unwrap_or(retry::MAX_RETRY_AFTER)
    })
}

/// Decides what a complete answer comes to: its decoded body, or a typed error and whether
/// another attempt may fix it.
pub(crate) fn judge<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    retry_after: Option<std::time::Duration>,
    key: Option<&str>,
) -> Attempt<T> {
    let idempotency_key = key.map(str::to_owned);
    let decode = |message: String| Error::Decode {
        status,
        body: crate::error::redact_secrets(&String::from_utf8_lossy(body)),
        message,
        idempotency_key: idempotency_key.clone(),
    };
    if (200..300).contains(&status) {
        // A success we cannot read is not retried: for a create the task exists, and the
        // idempotency key in the error finds it again.
        // An empty success (a DELETE's 204) reads as JSON `null`.
        let json: &[u8] = if body.is_empty() { b"null" } else { body };
        return match serde_json::from_slice(json) {
            Ok(v) => Attempt::Done(v),
            Err(e) => Attempt::Fail(decode(format!("unexpected success body: {e}"))),
        };
    }
    let error = match serde_json::from_slice::<Envelope>(body) {
        Ok(env) => Error::Api(ApiError {
            status,
            code: ErrorCode::from(env.error.code.as_str()),
            message: env.error.message,
            request_id: env.error.request_id,
            idempotency_key: idempotency_key.clone(),
            retry_after,
        }),
        Err(e) => decode(format!(
            "error response without the documented envelope: {e}"
        )),
    };
    // One rule for the loop and for callers: `Error::is_retryable`.
    if error.is_retryable() {
        Attempt::Retry(error, retry_after)
    } else {
        Attempt::Fail(error)
    }
}

/// What a call's span learns from its answer: the task id of a create.
pub(crate) trait Traced {
    fn task_id(&self) -> Option<&str> {
        None
    }
}

impl Traced for Task {
    fn task_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}
impl Traced for ModelList {}
impl Traced for Credits {}
impl Traced for FileObject {}
impl Traced for serde_json::Value {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_fresh_uuids() {
        let a = Client::new_idempotency_key();
        let b = Client::new_idempotency_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder()
            .api_key("rvya_sk_secret123")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret123"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
