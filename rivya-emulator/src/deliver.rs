//! Sends queued webhook deliveries: signed in the Standard Webhooks scheme, retried on
//! failure, each in flight under a lease so emulators sharing a state directory do not send
//! the same attempt twice. Also notices tasks that end while nobody polls.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use rivya_rules::stamp::now_ms;

use crate::store::Store;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// How often the queue is looked at.
const TICK: Duration = Duration::from_millis(20);
/// How long an attempt may take before another emulator may try it again.
const LEASE_MS: u64 = 30_000;
/// The longest a receiver may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One attempt to send.
struct Outgoing {
    delivery: String,
    url: String,
    secrets: Vec<String>,
    body: String,
    duplicate: bool,
}

/// `v1,<base64>` signatures of `id.timestamp.body`, one per secret, space-separated.
pub fn sign(secrets: &[String], id: &str, timestamp: u64, body: &str) -> String {
    let mut out = Vec::new();
    for secret in secrets {
        let Some(key) = secret
            .strip_prefix("whsec_")
            .and_then(|b| STANDARD.decode(b).ok())
        else {
            continue;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
            continue;
        };
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        out.push(format!(
            "v1,{}",
            STANDARD.encode(mac.finalize().into_bytes())
        ));
    }
    out.join(" ")
}

/// Starts the sender on the current runtime; it runs until aborted.
pub fn spawn(store: Arc<Store>) -> tokio::task::JoinHandle<()> {
    // Before the task starts, so a client built right after the emulator finds it too.
    // ring, the workspace's one crypto provider; an error means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::spawn(async move {
        let http = match reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .no_proxy()
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("rivya-emulator: webhooks disabled: {e}");
                return;
            }
        };
        loop {
            tokio::time::sleep(TICK).await;
            for out in due(&store) {
                let (store, http) = (store.clone(), http.clone());
                tokio::spawn(async move { send(&store, &http, out).await });
            }
        }
    })
}

/// Settles tasks (queuing their deliveries), then takes every due attempt under a lease.
fn due(store: &Store) -> Vec<Outgoing> {
    let Ok(mut s) = store.lock() else {
        return Vec::new();
    };
    s.settle();
    let now = now_ms();
    let hooks = &mut s.data.hooks;
    let mut out = Vec::new();
    for d in hooks
        .deliveries
        .iter_mut()
        .filter(|d| d.status == "pending" && d.next_ms <= now)
    {
        let Some(e) = hooks.endpoints.iter().find(|e| e.id == d.endpoint_id) else {
            d.status = "failed".to_owned();
            continue;
        };
        d.attempts += 1;
        d.next_ms = now + LEASE_MS;
        out.push(Outgoing {
            delivery: d.id.clone(),
            url: e.url.clone(),
            secrets: e.signing_secrets(now),
            body: d.body.clone(),
            duplicate: d.duplicate,
        });
    }
    out
}

async fn post(http: &reqwest::Client, out: &Outgoing) -> Option<u16> {
    let ts = now_ms() / 1000;
    let resp = http
        .post(&out.url)
        .header("content-type", "application/json")
        .header("webhook-id", &out.delivery)
        .header("webhook-timestamp", ts.to_string())
        .header(
            "webhook-signature",
            sign(&out.secrets, &out.delivery, ts, &out.body),
        )
        .body(out.body.clone())
        .send()
        .await
        .ok()?;
    Some(resp.status().as_u16())
}

async fn send(store: &Store, http: &reqwest::Client, out: Outgoing) {
    let mut status = post(http, &out).await;
    if out.duplicate && status.is_some_and(|s| (200..300).contains(&s)) {
        // At-least-once delivery: the same message (same webhook-id) again.
        status = post(http, &out).await;
    }
    let Ok(mut s) = store.lock() else {
        return;
    };
    let retries = s.config.webhook_retries.clone();
    let now = now_ms();
    let Some(d) = s
        .data
        .hooks
        .deliveries
        .iter_mut()
        .find(|d| d.id == out.delivery)
    else {
        return;
    };
    d.last_response_status = status;
    d.updated_ms = now;
    if d.status != "pending" {
        return; // the endpoint was deleted meanwhile
    }
    if status.is_some_and(|s| (200..300).contains(&s)) {
        d.status = "delivered".to_owned();
    } else if let Some(wait) = retries.get((d.attempts as usize).saturating_sub(1)) {
        d.next_ms = now.saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
    } else {
        d.status = "failed".to_owned();
    }
}
