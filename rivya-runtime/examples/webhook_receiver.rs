//! A webhook receiver: verifies each delivery (Standard Webhooks signature and timestamp),
//! handles each `webhook-id` once however often it arrives, and prints the task.
//!
//! ```sh
//! RIVYA_WEBHOOK_SECRET=whsec_... cargo run -p rivya-runtime --example webhook_receiver -- 127.0.0.1:8090
//! ```
//! Register `http://127.0.0.1:8090/webhooks` with `client.create_webhook(…)` (or against the
//! emulator) and keep the `signing_secret` the answer shows once.

use std::collections::{HashSet, VecDeque};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rivya_runtime::{WebhookError, WebhookEvent, WebhookVerifier};

/// How many recent `webhook-id`s are remembered for de-duplication.
const REMEMBERED: usize = 10_000;

/// What the receiver shares between requests.
pub struct Receiver {
    verifier: WebhookVerifier,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
    on_event: Box<dyn Fn(&WebhookEvent) + Send + Sync>,
}

impl Receiver {
    /// Whether this message id is new (and remembers it, forgetting the oldest).
    fn first_time(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > REMEMBERED
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

/// `POST /webhooks`: 204 for a verified delivery (new or repeated), 400/401 otherwise, so
/// the sender retries only what might succeed later.
pub fn router(
    verifier: WebhookVerifier,
    on_event: impl Fn(&WebhookEvent) + Send + Sync + 'static,
) -> Router {
    let receiver = Arc::new(Receiver {
        verifier,
        seen: Mutex::new((HashSet::new(), VecDeque::new())),
        on_event: Box::new(on_event),
    });
    Router::new()
        .route("/webhooks", post(receive))
        .with_state(receiver)
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match r.verifier.verify(&headers, &body) {
        Ok(event) => {
            if r.first_time(&event.id) {
                (r.on_event)(&event);
            }
            StatusCode::NO_CONTENT
        }
        Err(e @ WebhookError::BadPayload(_)) => {
            eprintln!("refused: {e}");
            StatusCode::BAD_REQUEST
        }
        Err(e) => {
            eprintln!("refused: {e}");
            StatusCode::UNAUTHORIZED
        }
    }
}

/// Prints one task event.
pub fn print(event: &WebhookEvent) {
    let t = &event.task;
    println!("{} {} {} ({})", event.event_type, t.id, t.status, t.model);
    if let Some(r) = &t.result {
        for url in &r.urls {
            println!("  {url}");
        }
    }
    if let Some(e) = &t.error {
        println!("  {}: {}", e.code, e.message);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let secret = std::env::var("RIVYA_WEBHOOK_SECRET").unwrap_or_default();
    let verifier = match WebhookVerifier::new(&secret) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("RIVYA_WEBHOOK_SECRET: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("receiving on http://{addr}/webhooks");
    match axum::serve(listener, router(verifier, print)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
