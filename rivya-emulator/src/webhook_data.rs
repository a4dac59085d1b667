//! Webhook endpoints and their deliveries as the state keeps (and persists) them.

use serde::{Deserialize, Serialize};

/// A registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub status: String,
    pub secret: String,
    /// The previous secret and until when it still signs.
    pub old_secret: Option<(String, u64)>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

/// One message to one endpoint, with its retry state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    /// The `webhook-id`: the same on every attempt.
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub task_id: String,
    /// The exact body sent (and signed) on every attempt.
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    /// When the next attempt is due (or, while one is in flight, when its lease ends).
    pub next_ms: u64,
    pub duplicate: bool,
    pub last_response_status: Option<u16>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

/// Endpoints and deliveries, persisted with the rest of the state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Hooks {
    pub endpoints: Vec<Endpoint>,
    pub deliveries: Vec<Delivery>,
    pub next_endpoint: u64,
    pub next_delivery: u64,
}

impl Endpoint {
    /// The secrets that sign a delivery now: the current one, and a rotated-out one during
    /// its grace period.
    pub fn signing_secrets(&self, now: u64) -> Vec<String> {
        let mut keys = vec![self.secret.clone()];
        if let Some((old, until)) = &self.old_secret
            && now < *until
        {
            keys.push(old.clone());
        }
        keys
    }
}
