//! A webhook receiver: verifies each delivery (Standard Webhooks signature and timestamp),
//! handles each `webhook-id` once however often it arrives, and prints the task.
//!
//! Ids are remembered for the signature's tolerance window (5 minutes): older deliveries fail
//! the timestamp check anyway. With `RIVYA_WEBHOOK_SEEN=<file>` (the binary's default is
//! `webhook-seen.log` in the current folder) they are also appended to that file (0600) and read
//! back at start, so a replay after a restart is not processed twice; without a file they live
//! in memory only and a restart forgets them.
//!
//! ```sh
//! RIVYA_WEBHOOK_SECRET=whsec_... cargo run -p rivya-runtime --example webhook_receiver -- 127.0.0.1:8090
//! ```
//! Register `http://127.0.0.1:8090/webhooks` with `client.create_webhook(…)` (or against the
//! emulator) and keep the `signing_secret` the answer shows once.

use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rivya_runtime::{DEFAULT_TOLERANCE, WebhookError, WebhookEvent, WebhookVerifier};

/// How many recent `webhook-id`s are remembered for de-duplication.
const REMEMBERED: usize = 10_000;

/// What the receiver shares between requests.
pub struct Receiver {
    verifier: WebhookVerifier,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
    /// Where seen ids are appended (`<unix secs> <id>` per line), if anywhere.
    log: Option<PathBuf>,
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
        // Written before the event is handled: a crash in between loses the event rather
        // than handling it twice (the sender's retry is then refused as seen).
        if let Some(path) = &self.log
            && let Err(e) = append(path, id)
        {
            eprintln!("{}: cannot remember {id}: {e}", path.display());
        }
        true
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn append(path: &PathBuf, id: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)?;
    writeln!(f, "{} {}", now_secs(), id.escape_default())?;
    f.sync_data()
}

/// The ids of `path` seen within the tolerance window; the file is rewritten with only them.
fn load(path: &PathBuf) -> std::io::Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let cutoff = now_secs().saturating_sub(DEFAULT_TOLERANCE.as_secs() + 60);
    let kept: Vec<(u64, &str)> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(t, id)| Some((t.parse().ok()?, id)))
        .filter(|(t, _)| *t >= cutoff)
        .collect();
    let mut out = String::new();
    for (t, id) in &kept {
        out += &format!("{t} {id}\n");
    }
    std::fs::write(path, out)?;
    Ok(kept.into_iter().map(|(_, id)| id.to_owned()).collect())
}

/// `POST /webhooks`: 204 for a verified delivery (new or repeated), 400/401 otherwise, so
/// the sender retries only what might succeed later. Seen ids live in memory only.
pub fn router(
    verifier: WebhookVerifier,
    on_event: impl Fn(&WebhookEvent) + Send + Sync + 'static,
) -> Router {
    build(verifier, None, Vec::new(), on_event)
}

/// [`router`] that also keeps seen ids in `log` (read back at start, for the tolerance
/// window), so a replay after a restart is not handled twice.
pub fn router_with_log(
    verifier: WebhookVerifier,
    log: Option<PathBuf>,
    on_event: impl Fn(&WebhookEvent) + Send + Sync + 'static,
) -> std::io::Result<Router> {
    let known = match &log {
        Some(path) => load(path)?,
        None => Vec::new(),
    };
    Ok(build(verifier, log, known, on_event))
}

fn build(
    verifier: WebhookVerifier,
    log: Option<PathBuf>,
    known: Vec<String>,
    on_event: impl Fn(&WebhookEvent) + Send + Sync + 'static,
) -> Router {
    let mut seen = (HashSet::new(), VecDeque::new());
    for id in known {
        if seen.0.insert(id.clone()) {
            seen.1.push_back(id);
        }
    }
    let receiver = Arc::new(Receiver {
        verifier,
        seen: Mutex::new(seen),
        log,
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
    let log = std::env::var_os("RIVYA_WEBHOOK_SEEN")
        .map_or_else(|| PathBuf::from("webhook-seen.log"), PathBuf::from);
    let app = match router_with_log(verifier, Some(log.clone()), print) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("{}: {e}", log.display());
            return ExitCode::FAILURE;
        }
    };
    println!(
        "receiving on http://{addr}/webhooks (seen ids in {})",
        log.display()
    );
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
