//! The receiver example remembers the ids it handled on disk for the signature's tolerance
//! window: a delivery replayed after a restart is acknowledged, not handled again.

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../../rivya-runtime/examples/webhook_receiver.rs"]
mod receiver;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use rivya_runtime::WebhookVerifier;

const KEY: &[u8] = b"a 32-byte test key for webhooks!";
const TASK: &str = r#"{"id":"task_1","status":"succeeded","model":"kling-3-0","result":{"primary_url":"https://x/1.png","urls":["https://x/1.png"]}}"#;

fn secret() -> String {
    format!("whsec_{}", STANDARD.encode(KEY))
}

/// Serves a receiver keeping its ids in `log`; returns its URL and the count of handled events.
async fn start(log: PathBuf) -> (String, Arc<AtomicUsize>) {
    let handled = Arc::new(AtomicUsize::new(0));
    let h = handled.clone();
    let verifier = WebhookVerifier::new(&secret()).unwrap();
    let app = receiver::router_with_log(verifier, Some(log), move |_| {
        h.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, handled)
}

async fn deliver(url: &str, id: &str) -> u16 {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
    mac.update(format!("{id}.{ts}.{TASK}").as_bytes());
    let sig = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    rivya_runtime::install_tls_provider();
    reqwest::Client::new()
        .post(url)
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .header("content-type", "application/json")
        .body(TASK)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replay_after_a_restart_is_not_handled_twice() {
    let dir = std::env::temp_dir().join(format!("rivya-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("seen.log");

    let (url, handled) = start(log.clone()).await;
    assert_eq!(deliver(&url, "msg_1").await, 204);
    assert_eq!(deliver(&url, "msg_1").await, 204);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    let mode = std::fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // A new process on the same file: the replay is acknowledged, not handled.
    let (url, handled) = start(log.clone()).await;
    assert_eq!(deliver(&url, "msg_1").await, 204);
    assert_eq!(
        handled.load(Ordering::SeqCst),
        0,
        "the replay was handled again"
    );
    assert_eq!(deliver(&url, "msg_2").await, 204);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
