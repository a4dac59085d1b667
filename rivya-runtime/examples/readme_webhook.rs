use std::error::Error;

use rivya_runtime::{Client, HeaderMap, NewWebhook, WebhookVerifier};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    let endpoint = client
        .create_webhook(&NewWebhook::new("prod", "https://example.com/webhooks"))
        .await?;
    let secret = endpoint.signing_secret.ok_or("no signing secret")?; // shown once: store it
    let verifier = WebhookVerifier::new(&secret)?;
    on_delivery(&verifier, &HeaderMap::new(), b"{}"); // your handler calls this per delivery
    Ok(())
}

/// One delivery: its headers and its raw body, exactly as received (before any JSON parsing).
fn on_delivery(verifier: &WebhookVerifier, headers: &HeaderMap, body: &[u8]) {
    match verifier.verify(headers, body) {
        Ok(event) => println!("{} {}", event.event_type, event.task.id), // de-duplicate on event.id
        Err(e) => eprintln!("refused: {e}"), // typed: signature, timestamp, body …
    }
}
