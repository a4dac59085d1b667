//! The chat routes: `POST /api/v1/chat/completions` (one turn, the completion object),
//! `POST /api/v1/chat/completions/stream` (the same turn as Server-Sent Events, see
//! `chat_stream.rs`), `GET /api/v1/chat/sessions` and `GET /api/v1/chat/sessions/{id}`.
//!
//! Both turn endpoints take the same body, judged by the generated rules, and share one
//! idempotency scope: the same `Idempotency-Key` with the same body on either returns the same
//! turn and charges nothing more. Settlement follows `chat_rule.rs`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rivya_models::ErrorCode;
use serde_json::Value;

use crate::api_err::ApiErr;
use crate::headers::{auth, idempotency_key};
use crate::shared::{Shared, lock};

/// The chat routes, merged under the fault layer like every API route.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/chat/completions", post(complete))
        .route("/api/v1/chat/completions/stream", post(stream))
        .route("/api/v1/chat/sessions", get(sessions))
        .route("/api/v1/chat/sessions/{id}", get(session))
}

/// A turn's completion object, whether it was just made or replayed, and its stream fault.
async fn turn(
    state: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
    stream: bool,
) -> Result<(Value, Option<crate::ChatFault>), ApiErr> {
    lock(state)?.authorize(auth(headers))?;
    let key = idempotency_key(headers)?;
    let body: Value = serde_json::from_slice(body).map_err(|e| {
        ApiErr::new(
            400,
            ErrorCode::ValidationFailed,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let mut s = lock(state)?;
    let out = s.chat_turn(&body, key.as_deref(), stream)?;
    let json = s.completion_json(&out.id).unwrap_or(Value::Null);
    Ok((json, out.fault))
}

async fn complete(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    let (json, _) = turn(&state, &headers, &body, false).await?;
    Ok(axum::Json(json).into_response())
}

async fn stream(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    let (json, fault) = turn(&state, &headers, &body, true).await?;
    let delay = state.local().config.faults.chat_delta_delay;
    Ok(crate::chat_stream::response(json, fault, delay))
}

async fn sessions(Extract(state): Extract<Shared>, headers: HeaderMap) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    Ok(axum::Json(s.sessions_json()).into_response())
}

async fn session(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    match s.session_json(&id, true) {
        Some(json) => Ok(axum::Json(json).into_response()),
        None => Err(ApiErr::new(
            404,
            ErrorCode::NotFound,
            format!("no chat session {id}"),
        )),
    }
}
