//! Webhook endpoints (`/api/v1/webhooks…`, `/api/v1/webhook-events`) and the deliveries a
//! task's end queues for them. Sending happens in `deliver.rs`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rivya_rules::stamp::now_ms;
use serde_json::{Value, json};

use rivya_models::ErrorCode;

use crate::WebhookFault;
use crate::api_err::ApiErr;
use crate::headers::{auth, idempotency_key};
use crate::shared::{Shared, lock};
use crate::state::State;
use crate::time::iso8601;
use crate::webhook_data::{Delivery, Endpoint};

/// The event types endpoints can subscribe to.
pub const EVENT_TYPES: [(&str, &str); 2] = [
    ("generation.succeeded", "A task finished with a result."),
    (
        "generation.failed",
        "A task failed; its reserved credits were refunded.",
    ),
];
/// How long a rotated-out secret still signs deliveries (beside the new one).
const OLD_SECRET_GRACE: Duration = Duration::from_secs(24 * 3600);

impl Endpoint {
    fn json(&self, with_secret: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "event_types": self.event_types,
            "status": self.status,
            "created_at": iso8601(self.created_ms),
            "updated_at": iso8601(self.updated_ms),
        });
        if with_secret {
            v["signing_secret"] = Value::from(self.secret.clone());
        }
        v
    }
}

impl Delivery {
    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "endpoint_id": self.endpoint_id,
            "event_type": self.event_type,
            "task_id": self.task_id,
            "status": self.status,
            "attempts": self.attempts,
            "last_response_status": self.last_response_status,
            "created_at": iso8601(self.created_ms),
            "updated_at": iso8601(self.updated_ms),
        })
    }
}

fn new_secret() -> String {
    let mut rng = fastrand::Rng::new();
    let key: Vec<u8> = (0..24).map(|_| rng.u8(..)).collect();
    format!("whsec_{}", STANDARD.encode(key))
}

impl State {
    /// Queues one delivery per subscribed active endpoint for a task that just ended.
    pub fn queue_deliveries(&mut self, task: &Value) {
        let event = match task["status"].as_str() {
            Some("succeeded") => "generation.succeeded",
            Some("failed") => "generation.failed",
            _ => return,
        };
        let targets: Vec<String> = self
            .data
            .hooks
            .endpoints
            .iter()
            .filter(|e| e.status == "active" && e.event_types.iter().any(|t| t == event))
            .map(|e| e.id.clone())
            .collect();
        let task_id = task["id"].as_str().unwrap_or_default().to_owned();
        for endpoint in targets {
            self.queue_delivery(&endpoint, event, &task_id, task.to_string());
        }
    }

    fn queue_delivery(
        &mut self,
        endpoint: &str,
        event: &str,
        task_id: &str,
        body: String,
    ) -> String {
        let fault = match self.webhook_faults.pop_front() {
            Some(f) => f,
            None => {
                let r = self.config.faults.clone();
                if r.webhook_duplicate > 0.0 && self.draw() < r.webhook_duplicate {
                    WebhookFault::Duplicate
                } else if r.webhook_out_of_order > 0.0 && self.draw() < r.webhook_out_of_order {
                    WebhookFault::Late
                } else {
                    WebhookFault::None
                }
            }
        };
        let now = now_ms();
        let late = if fault == WebhookFault::Late {
            u64::try_from(self.config.faults.webhook_late_by.as_millis()).unwrap_or(u64::MAX)
        } else {
            0
        };
        let hooks = &mut self.data.hooks;
        hooks.next_delivery += 1;
        let id = format!("msg_{}_{:06}", self.data.namespace, hooks.next_delivery);
        hooks.deliveries.push(Delivery {
            id: id.clone(),
            endpoint_id: endpoint.to_owned(),
            event_type: event.to_owned(),
            task_id: task_id.to_owned(),
            body,
            status: "pending".to_owned(),
            attempts: 0,
            next_ms: now.saturating_add(late),
            duplicate: fault == WebhookFault::Duplicate,
            last_response_status: None,
            created_ms: now,
            updated_ms: now,
        });
        id
    }

    fn endpoint_mut(&mut self, id: &str) -> Result<&mut Endpoint, ApiErr> {
        self.data
            .hooks
            .endpoints
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| {
                ApiErr::new(
                    404,
                    ErrorCode::NotFound,
                    format!("no webhook endpoint {id}"),
                )
            })
    }
}

/// The fields of a create or update body, checked.
struct Fields {
    name: Option<String>,
    url: Option<String>,
    event_types: Option<Vec<String>>,
    status: Option<String>,
}

fn fields(body: &[u8], create: bool) -> Result<Fields, ApiErr> {
    let bad = |m: String| ApiErr::new(400, ErrorCode::ValidationFailed, m);
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("the body must be an object".into()))?;
    let text = |k: &str| -> Result<Option<String>, ApiErr> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(format!("`{k}` must be a string"))),
        }
    };
    let url = text("url")?;
    if let Some(u) = &url {
        let ok = u
            .strip_prefix("https://")
            .or_else(|| u.strip_prefix("http://"))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
        if !ok {
            return Err(ApiErr::new(
                400,
                ErrorCode::WebhookUrlRejected,
                format!("`{u}` is not an absolute http(s) URL"),
            ));
        }
    } else if create {
        return Err(bad("`url` is required".into()));
    }
    let event_types = match obj.get("event_types") {
        None | Some(Value::Null) if create => {
            return Err(bad("`event_types` is required".into()));
        }
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                let t = item.as_str().unwrap_or_default();
                if !EVENT_TYPES.iter().any(|(k, _)| *k == t) {
                    return Err(bad(format!("unknown event type {item}")));
                }
                out.push(t.to_owned());
            }
            if out.is_empty() {
                return Err(bad("`event_types` must not be empty".into()));
            }
            Some(out)
        }
        Some(_) => return Err(bad("`event_types` must be a list".into())),
    };
    let status = text("status")?;
    if let Some(s) = &status
        && !matches!(s.as_str(), "active" | "disabled")
    {
        return Err(bad(format!("unknown status `{s}`")));
    }
    Ok(Fields {
        name: text("name")?,
        url,
        event_types,
        status,
    })
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route(
            "/api/v1/webhooks/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/api/v1/webhooks/{id}/rotate-secret", post(rotate))
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
        .route("/api/v1/webhooks/{id}/test", post(test))
        .route("/api/v1/webhook-events", get(event_types))
}

fn list_json(data: Vec<Value>) -> Response {
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn list(Extract(state): Extract<Shared>, headers: HeaderMap) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    let data = s
        .data
        .hooks
        .endpoints
        .iter()
        .map(|e| e.json(false))
        .collect();
    Ok(list_json(data))
}

async fn create(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    lock(&state)?.authorize(auth(&headers))?;
    let key = idempotency_key(&headers)?;
    let f = fields(&body, true)?;
    let print: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = lock(&state)?;
    if let Some(k) = &key
        && let Some(id) = s.replay("webhooks", k, &print)?
    {
        let e = s.endpoint_mut(&id)?;
        return Ok(axum::Json(e.json(true)).into_response());
    }
    let now = now_ms();
    s.data.hooks.next_endpoint += 1;
    let id = format!(
        "whend_{}_{:06}",
        s.data.namespace, s.data.hooks.next_endpoint
    );
    let endpoint = Endpoint {
        id: id.clone(),
        name: f.name.unwrap_or_default(),
        url: f.url.unwrap_or_default(),
        event_types: f.event_types.unwrap_or_default(),
        status: f.status.unwrap_or_else(|| "active".to_owned()),
        secret: new_secret(),
        old_secret: None,
        created_ms: now,
        updated_ms: now,
    };
    let out = endpoint.json(true);
    s.data.hooks.endpoints.push(endpoint);
    if let Some(k) = &key {
        s.remember("webhooks", k, print, id);
    }
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

async fn show(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    Ok(axum::Json(s.endpoint_mut(&id)?.json(false)).into_response())
}

async fn update(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    lock(&state)?.authorize(auth(&headers))?;
    let f = fields(&body, false)?;
    let mut s = lock(&state)?;
    let e = s.endpoint_mut(&id)?;
    if let Some(v) = f.name {
        e.name = v;
    }
    if let Some(v) = f.url {
        e.url = v;
    }
    if let Some(v) = f.event_types {
        e.event_types = v;
    }
    if let Some(v) = f.status {
        e.status = v;
    }
    e.updated_ms = now_ms();
    Ok(axum::Json(e.json(false)).into_response())
}

async fn remove(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.endpoint_mut(&id)?;
    s.data.hooks.endpoints.retain(|e| e.id != id);
    // Nothing more is sent to a deleted endpoint.
    for d in &mut s.data.hooks.deliveries {
        if d.endpoint_id == id && d.status == "pending" {
            d.status = "failed".to_owned();
        }
    }
    Ok(axum::Json(json!({"id": id, "deleted": true})).into_response())
}

async fn rotate(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    let now = now_ms();
    let e = s.endpoint_mut(&id)?;
    let old = std::mem::replace(&mut e.secret, new_secret());
    let grace = u64::try_from(OLD_SECRET_GRACE.as_millis()).unwrap_or(u64::MAX);
    e.old_secret = Some((old, now.saturating_add(grace)));
    e.updated_ms = now;
    Ok(axum::Json(e.json(true)).into_response())
}

async fn deliveries(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.settle();
    s.endpoint_mut(&id)?;
    let data = s
        .data
        .hooks
        .deliveries
        .iter()
        .filter(|d| d.endpoint_id == id)
        .map(Delivery::json)
        .collect();
    Ok(list_json(data))
}

async fn test(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.endpoint_mut(&id)?;
    let now = iso8601(now_ms());
    let sample = json!({
        "id": "task_webhook_test", "status": "succeeded", "model": "kling-3-0",
        "reserved_credits": 0, "final_credits": 0, "created_at": now, "updated_at": now,
        "result": {"primary_url": null, "urls": []}, "error": null, "test": true,
    });
    let msg = s.queue_delivery(
        &id,
        "generation.succeeded",
        "task_webhook_test",
        sample.to_string(),
    );
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({"delivery_id": msg})),
    )
        .into_response())
}

async fn event_types(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    lock(&state)?.authorize(auth(&headers))?;
    let data = EVENT_TYPES
        .iter()
        .map(|(t, d)| json!({"type": t, "description": d}))
        .collect();
    Ok(list_json(data))
}
