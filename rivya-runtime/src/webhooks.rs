//! Webhook endpoint management (`/api/v1/webhooks`, scope `webhooks:manage`). Only the
//! create request and the endpoint's `id`, `signing_secret` and `status` are documented;
//! every other field is optional here and unknown ones are kept in `extra`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::Client;
use crate::error::Error;

/// A webhook endpoint. Its `Debug` hides the signing secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpoint {
    /// `whend_…`.
    pub id: String,
    /// Your name for it.
    #[serde(default)]
    pub name: Option<String>,
    /// Where deliveries go.
    #[serde(default)]
    pub url: Option<String>,
    /// The event types it receives.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// `active`, or another state.
    #[serde(default)]
    pub status: Option<String>,
    /// The `whsec_…` secret: only in the answers to create and rotate-secret. Keep it.
    #[serde(default)]
    pub signing_secret: Option<String>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl std::fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("status", &self.status)
            .field(
                "signing_secret",
                &self.signing_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("extra", &self.extra)
            .finish()
    }
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewWebhook {
    /// Your name for the endpoint.
    pub name: String,
    /// An absolute `https://` (or, for tests, `http://`) URL.
    pub url: String,
    /// The event types to receive (`generation.succeeded`, `generation.failed`).
    pub event_types: Vec<String>,
}

impl NewWebhook {
    /// An endpoint receiving both task events.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            event_types: vec![
                "generation.succeeded".to_owned(),
                "generation.failed".to_owned(),
            ],
        }
    }

    /// Only these event types.
    pub fn event_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.event_types = types.into_iter().map(Into::into).collect();
        self
    }
}

/// `PATCH /api/v1/webhooks/{id}`: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WebhookUpdate {
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New event types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<String>>,
    /// `active` or `disabled` (the documented value is `active`; others are unspecified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One delivery of an event to an endpoint (shape unspecified: all optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The delivery (message) id, sent as `webhook-id`.
    #[serde(default)]
    pub id: Option<String>,
    /// The event type.
    #[serde(default)]
    pub event_type: Option<String>,
    /// `pending`, `delivered`, `failed` …
    #[serde(default)]
    pub status: Option<String>,
    /// How many times it was sent.
    #[serde(default)]
    pub attempts: Option<u32>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An event type endpoints can subscribe to (shape unspecified).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEventInfo {
    /// The type (`generation.succeeded`).
    #[serde(default, alias = "id", alias = "name")]
    pub r#type: Option<String>,
    /// What it means.
    #[serde(default)]
    pub description: Option<String>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A list answer: `{"data": [...]}` (like the catalog) or a bare array.
pub(crate) struct List<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape<T> {
            Wrapped { data: Vec<T> },
            Bare(Vec<T>),
        }
        Ok(match Shape::deserialize(d)? {
            Shape::Wrapped { data } | Shape::Bare(data) => List(data),
        })
    }
}

fn path(id: &str, rest: &str) -> Result<String, Error> {
    Ok(format!(
        "webhooks/{}{rest}",
        crate::segment::path_segment("webhook id", id)?
    ))
}

fn json(body: &impl Serialize) -> Result<Vec<u8>, Error> {
    crate::error::to_json("the webhook request", body)
}

impl Client {
    /// Every webhook endpoint (`GET /api/v1/webhooks`).
    pub async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, Error> {
        let list: List<WebhookEndpoint> = self.get("webhooks").await?;
        Ok(list.0)
    }

    /// Creates an endpoint; the answer carries its `signing_secret`, shown only this once.
    /// One idempotency key covers every retry, so a retried create makes one endpoint.
    pub async fn create_webhook(&self, new: &NewWebhook) -> Result<WebhookEndpoint, Error> {
        let key = Client::new_idempotency_key();
        self.post("webhooks", Some(json(new)?), Some(&key)).await
    }

    /// One endpoint (`GET /api/v1/webhooks/{id}`).
    pub async fn webhook(&self, id: &str) -> Result<WebhookEndpoint, Error> {
        self.get(&path(id, "")?).await
    }

    /// Changes an endpoint (`PATCH /api/v1/webhooks/{id}`).
    pub async fn update_webhook(
        &self,
        id: &str,
        update: &WebhookUpdate,
    ) -> Result<WebhookEndpoint, Error> {
        self.patch(&path(id, "")?, json(update)?).await
    }

    /// Deletes an endpoint (`DELETE /api/v1/webhooks/{id}`).
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        let _: Value = self.delete(&path(id, "")?).await?;
        Ok(())
    }

    /// A new signing secret (`POST …/rotate-secret`), in the answer's `signing_secret`.
    pub async fn rotate_webhook_secret(&self, id: &str) -> Result<WebhookEndpoint, Error> {
        self.post(&path(id, "/rotate-secret")?, None, None).await
    }

    /// The endpoint's recent deliveries (`GET …/deliveries`).
    pub async fn webhook_deliveries(&self, id: &str) -> Result<Vec<WebhookDelivery>, Error> {
        let list: List<WebhookDelivery> = self.get(&path(id, "/deliveries")?).await?;
        Ok(list.0)
    }

    /// Sends a test delivery to the endpoint (`POST …/test`); the answer is unspecified.
    pub async fn test_webhook(&self, id: &str) -> Result<Value, Error> {
        self.post(&path(id, "/test")?, None, None).await
    }

    /// The event types endpoints can subscribe to (`GET /api/v1/webhook-events`).
    pub async fn webhook_event_types(&self) -> Result<Vec<WebhookEventInfo>, Error> {
        let list: List<WebhookEventInfo> = self.get("webhook-events").await?;
        Ok(list.0)
    }
}

impl crate::client::Traced for WebhookEndpoint {}
impl<T> crate::client::Traced for List<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_signing_secret() {
        let e: WebhookEndpoint = serde_json::from_value(serde_json::json!({
            "id": "whend_1", "signing_secret": "whsec_c2VjcmV0", "status": "active"
        }))
        .unwrap();
        let shown = format!("{e:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("whend_1"),
            "{shown}"
        );
    }
}
