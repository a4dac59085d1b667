//! An async client for the Rivya Public API v1 that never loses a paid task.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rivya_runtime::Error> {
//! use rivya_models::kling_3_0::{self, AspectRatio, ClipDuration};
//!
//! let client = rivya_runtime::Client::from_env()?; // RIVYA_API_KEY, RIVYA_BASE_URL
//! let req = kling_3_0::Request::new("A cinematic product reveal")
//!     .duration(ClipDuration::Secs10)
//!     .aspect_ratio(AspectRatio::R9x16);
//! let task = client.run(&req).await?; // validate → create → poll → done
//! println!("{:?}", task.result.and_then(|r| r.primary_url));
//! # Ok(()) }
//! ```
//!
//! - Requests are validated with the generated rules before anything is sent.
//! - Every call follows one [`RetryPolicy`]: exponential backoff with jitter, `Retry-After`
//!   honoured up to one cap ([`MAX_RETRY_AFTER`]), decided by the error code in the body.
//! - Creates mint one `Idempotency-Key` before their first attempt and send it on every retry;
//!   uploads derive theirs from their content; errors carry it, so a create can always be
//!   retried safely.
//! - Waits poll on a growing schedule with a deadline that always applies; a timeout hands
//!   back the task id, and [`Client::wait`] resumes from any process.
//! - Results are saved with [`Client::download_result`]: streamed to `.part`, hashed, resumed
//!   with `Range` where the server allows, renamed when complete.
//! - Uploads are checked against the model's policy by magic bytes, then streamed from disk.
//! - The API key never appears in `Debug` output, logs or errors.
//! - One [`Error`] type: [`Error::status`], [`Error::is_retryable`] (the retry loop's own
//!   rule), [`Error::task_id`] and [`Error::idempotency_key`] to find a paid task again.
//! - Per-call settings (timeout, retry policy, extra headers) for every endpoint through
//!   [`Client::with_options`] and [`RequestOptions`].
//! - The API has no cancel: dropping a `run` or `wait` future stops the polling, not the
//!   task, which goes on and is charged; [`Client::wait`] picks it up again.
//! - Chat ([`chat`]): one turn whole ([`Client::chat`]) or streamed as typed events
//!   ([`Client::chat_stream`]) over a WHATWG Server-Sent Events parser ([`sse`]); a stream cut
//!   mid-answer ends in an error carrying the session id, idempotency key and text so far.
//! - Webhooks: typed endpoint management ([`Client::create_webhook`] …) and delivery
//!   verification ([`WebhookVerifier`], Standard Webhooks, inferred from the `whsec_` prefix).
//! - With the `tracing` feature, every call is a `rivya.call` span (method, path, attempt,
//!   status, idempotency key, task id — never the API key).
//! - The system proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) is honoured; or bring your own
//!   `reqwest::Client` ([`ClientBuilder::http_client`]).

#![warn(missing_docs)]

mod api_key;
pub mod chat;
mod chat_probe;
mod chat_stream;
mod chat_types;
mod client;
mod config;
mod download;
mod download_mem;
mod error;
mod error_code;
mod files;
mod idempotency;
mod localfile;
mod options;
mod part;
mod poll;
mod retry;
mod segment;
mod signature;
pub mod sse;
mod trace;
mod types;
mod webhooks;

pub use api_key::ApiKey;
pub use chat_stream::ChatStream;
pub use chat_types::{
    ChatCompletion, ChatCredits, ChatEvent, ChatMessage, ChatSession, ChatSessionList,
    ChatSessionMessage, Usage,
};
pub use client::{Client, IDEMPOTENCY_HEADER};
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_DOWNLOAD_BYTES, INSECURE_HTTP_ENV,
    MAX_DOWNLOAD_ENV,
};
pub use download::{Downloaded, extension_for, sanitize_stem};
pub use error::{ApiError, ChatProgress, Error, ErrorCode, TransportError};
pub use files::Upload;
pub use idempotency::{MAX_IDEMPOTENCY_KEY_BYTES, check_idempotency_key};
pub use localfile::{hash_file, kind_of, open_regular, read_head};
pub use options::RequestOptions;
pub use poll::{PollPolicy, StatusObserver, WaitOptions};
/// The header map [`WebhookVerifier::verify`] reads: `http` 1.x's, the type axum and hyper hand
/// a handler, re-exported so a receiver can name it without another dependency.
pub use reqwest::header::HeaderMap;
pub use retry::{MAX_RETRY_AFTER, RetryPolicy, parse_retry_after};
pub use rivya_models::CatalogModel;
pub use rivya_models::UploadRejection;
pub use segment::path_segment;
pub use signature::{
    DEFAULT_TOLERANCE, SECRET_PREFIX, WebhookError, WebhookEvent, WebhookEventType, WebhookVerifier,
};
pub use types::{
    Credits, FileObject, ModelList, Submitted, Task, TaskError, TaskResult, TaskStatus, Uploaded,
};
pub use webhooks::{NewWebhook, WebhookDelivery, WebhookEndpoint, WebhookEventInfo, WebhookUpdate};

/// Makes ring the process's TLS crypto provider unless one is already installed.
///
/// The workspace builds reqwest's rustls without a provider of its own (ring instead of aws-lc:
/// the same suites, ~30 s less C on a cold build), so one must be installed before any
/// `reqwest::Client` is built. [`ClientBuilder::build`] calls this; call it yourself only when
/// you build a `reqwest::Client` first (for example to pass to `ClientBuilder::http_client`).
pub fn install_tls_provider() {
    // An error means a provider is installed already, which is all that is needed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
