//! An offline emulator of the Rivya Public API v1, like stripe-mock for Stripe's SDKs.
//!
//! It serves the endpoints the runtime uses with the documented shapes and error envelope, and
//! judges requests with the *same* generated rules as the SDK (`rivya_models::catalog`,
//! `rivya_models::files`): one source of truth. Tasks move `queued → processing → succeeded |
//! failed` on a configurable schedule; credits are reserved at create and refunded on failure;
//! result URLs are served by the emulator itself. Faults (429, 503, 500, slow answers, a
//! connection closed after the task was created, failing tasks) can be injected, seeded.
//! Webhook endpoints receive signed `generation.succeeded` / `generation.failed` deliveries
//! (Standard Webhooks), retried on failure, with seeded duplicate and out-of-order faults.
//!
//! Chat (`/api/v1/chat/completions`, its `/stream`, `/api/v1/chat/sessions`) serves the wire
//! contract the runtime assumes (`rivya_runtime::chat`, "Wire assumptions"): turns judged by the
//! generated rules, idempotent across both endpoints, deterministic replies, and credits
//! reserved then settled by this rule (tokens count UTF-16 code units):
//!
//! ```text
//! tokens(text)  = ceil(utf16_len(text) / 4)
//! input_tokens  = tokens(message) + 256 per attachment
//! output_tokens = tokens(reply)
//! reserved      = base_credits * ceil((input_tokens + 4096) / 1000)
//! final         = min(reserved, max(1, ceil(base_credits * total_tokens / 1000)))
//! ```
//!
//! The reply is `[<model>] turn <n>: you said: <message>` (plus ` (web search on)`), padded to
//! [`Config::chat_reply_bytes`]; streams send it in deltas of 16 characters. Chat faults:
//! [`ChatFault`], [`FaultRates::chat_stream_cut`], [`FaultRates::chat_stream_error`],
//! [`FaultRates::chat_delta_delay`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emulator = rivya_emulator::Emulator::start(rivya_emulator::Config::default()).await?;
//! println!("serving {} with key {}", emulator.base_url(), emulator.api_key());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod admin;
mod api_err;
mod chat;
mod chat_data;
mod chat_rule;
mod chat_state;
mod chat_stream;
mod deliver;
mod duration;
mod headers;
mod routes;
mod shared;
mod state;
mod store;
mod time;
mod webhook_data;
mod webhooks;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use chat_stream::ChatFault;
pub use state::Stats;
pub use store::reset as reset_state_dir;

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 `rate_limited` with `Retry-After` (seconds).
    RateLimited {
        /// The `Retry-After` value.
        retry_after_secs: u64,
    },
    /// 503 `public_api_disabled`.
    Unavailable,
    /// 500 with an unknown error code.
    ServerError,
    /// Answer only after this long.
    Slow(Duration),
    /// Create the task (and charge), then close the connection before the answer.
    DropAfterCreate,
}

/// A fault of one webhook delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFault {
    /// Send the message twice (same `webhook-id`), as at-least-once delivery allows.
    Duplicate,
    /// Hold the message back by [`FaultRates::webhook_late_by`], so later events overtake it.
    Late,
    /// Deliver normally.
    None,
}

/// Random faults, each drawn per request from the seeded generator.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRates {
    /// Share of requests answered 429.
    pub rate_limited: f64,
    /// Share answered 503 `public_api_disabled`.
    pub unavailable: f64,
    /// Share answered 500.
    pub server_error: f64,
    /// Share answered after [`FaultRates::slow_for`].
    pub slow: f64,
    /// How slow a slow answer is.
    pub slow_for: Duration,
    /// Share of creates whose connection is closed after the task was created.
    pub drop_after_create: f64,
    /// Share of tasks that end `failed` (refunded).
    pub task_failure: f64,
    /// Share of webhook messages sent twice.
    pub webhook_duplicate: f64,
    /// Share of webhook messages held back so later ones arrive first.
    pub webhook_out_of_order: f64,
    /// How long a held-back message waits.
    pub webhook_late_by: Duration,
    /// Share of new streamed chat turns whose connection closes after some deltas (the turn
    /// was still created and charged).
    pub chat_stream_cut: f64,
    /// Share of new streamed chat turns that end in an `error` event after some deltas
    /// (refunded).
    pub chat_stream_error: f64,
    /// The wait before each streamed chat delta.
    pub chat_delta_delay: Duration,
}

impl Default for FaultRates {
    /// No faults.
    fn default() -> Self {
        Self {
            rate_limited: 0.0,
            unavailable: 0.0,
            server_error: 0.0,
            slow: 0.0,
            slow_for: Duration::ZERO,
            drop_after_create: 0.0,
            task_failure: 0.0,
            webhook_duplicate: 0.0,
            webhook_out_of_order: 0.0,
            webhook_late_by: Duration::from_secs(1),
            chat_stream_cut: 0.0,
            chat_stream_error: 0.0,
            chat_delta_delay: Duration::ZERO,
        }
    }
}

impl FaultRates {
    /// Every rate must be a probability (0 to 1).
    pub fn check(&self) -> Result<(), String> {
        let rates = [
            ("rate_limited", self.rate_limited),
            ("unavailable", self.unavailable),
            ("server_error", self.server_error),
            ("slow", self.slow),
            ("drop_after_create", self.drop_after_create),
            ("task_failure", self.task_failure),
            ("webhook_duplicate", self.webhook_duplicate),
            ("webhook_out_of_order", self.webhook_out_of_order),
            ("chat_stream_cut", self.chat_stream_cut),
            ("chat_stream_error", self.chat_stream_error),
        ];
        for (name, r) in rates {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("fault rate {name} = {r}: must be between 0 and 1"));
            }
        }
        Ok(())
    }
}

/// How the emulator behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted API keys (`Authorization: Bearer …`).
    pub api_keys: Vec<String>,
    /// The wallet's starting balance.
    pub credits: f64,
    /// Seed of every random decision (faults, failures).
    pub seed: u64,
    /// How long a task stays `queued`.
    pub queued_for: Duration,
    /// How long it then stays `processing`.
    pub processing_for: Duration,
    /// Random faults.
    pub faults: FaultRates,
    /// The waits between failed webhook delivery attempts; when they run out, the delivery
    /// is marked `failed`.
    pub webhook_retries: Vec<Duration>,
    /// Keep tasks, files, the wallet and idempotency records in this directory, shared with
    /// every emulator pointed at it (in this process or another); `None` keeps them in memory.
    pub state_dir: Option<PathBuf>,
    /// Pad every chat reply with ASCII to this many bytes (for benchmarks); `None` keeps the
    /// short deterministic reply.
    pub chat_reply_bytes: Option<usize>,
    /// Reserve this multiple of the model's documented price (default 1), like a server whose
    /// price depends on the request (a long clip at twice the base): for budget tests.
    pub reserve_factor: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_keys: vec!["rvya_sk_emulator".to_owned()],
            credits: 10_000.0,
            seed: 1,
            queued_for: Duration::from_millis(500),
            processing_for: Duration::from_secs(2),
            faults: FaultRates::default(),
            webhook_retries: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(30),
                Duration::from_secs(120),
            ],
            state_dir: None,
            chat_reply_bytes: None,
            reserve_factor: 1.0,
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    base_url: String,
    api_key: String,
    store: Arc<store::Store>,
    deliverer: tokio::task::JoinHandle<()>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Emulator {
    /// Starts on an ephemeral port of 127.0.0.1, on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        Self::serve(listener, config)
    }

    /// Serves on a listener you bound (the binary binds `--port`).
    pub fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<Self> {
        config
            .faults
            .check()
            .map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
        if !(config.reserve_factor.is_finite() && config.reserve_factor > 0.0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "reserve_factor must be a positive number",
            ));
        }
        let base_url = format!("http://{}", listener.local_addr()?);
        let api_key = config.api_keys.first().cloned().unwrap_or_default();
        let dir = config.state_dir.clone();
        let store = Arc::new(store::Store::new(
            state::State::new(config, base_url.clone()),
            dir,
        )?);
        let app = routes::router(store.clone());
        let deliverer = deliver::spawn(store.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            base_url,
            api_key,
            store,
            deliverer,
            shutdown: Some(tx),
        })
    }

    /// The base URL to give the client (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The first accepted API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Queues faults for the next API requests (any `/api/v1` route), in order, before the
    /// random rates apply.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.store.local().faults.extend(faults);
    }

    /// Queues faults for the next webhook messages, in order, before the random rates apply.
    pub fn inject_webhook_faults(&self, faults: impl IntoIterator<Item = WebhookFault>) {
        self.store.local().webhook_faults.extend(faults);
    }

    /// Queues faults for the next new streamed chat turns, in order, before the random rates.
    pub fn inject_chat_faults(&self, faults: impl IntoIterator<Item = ChatFault>) {
        self.store.local().chat_faults.extend(faults);
    }

    /// Makes the next created tasks end `failed` (one flag per task).
    pub fn fail_next_tasks(&self, n: usize) {
        match self.store.lock() {
            Ok(mut s) => s.data.doom += n,
            Err(e) => eprintln!("rivya-emulator: {}", e.message),
        }
    }

    /// Counters and the wallet, with every task that is due settled first. (Should the state
    /// directory become unreadable, the last state this process saw.)
    pub fn stats(&self) -> Stats {
        match self.store.lock() {
            Ok(mut s) => {
                s.settle();
                s.stats()
            }
            Err(e) => {
                eprintln!("rivya-emulator: {}", e.message);
                self.store.local().stats()
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.deliverer.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
