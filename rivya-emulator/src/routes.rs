//! The HTTP surface: the endpoints the runtime uses, with the documented envelope.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rivya_models::{MediaKind, catalog};
use serde_json::{Value, json};

use crate::Fault;
use crate::state::ApiErr;
use crate::store::{Guard, Store};

pub(crate) type Shared = Arc<Store>;

/// Uploads up to this size are read (the largest documented limit is 95 MB).
const MAX_UPLOAD: usize = 200 * 1024 * 1024;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v1/models", get(models))
        .route("/api/v1/generations", post(create))
        .route("/api/v1/generations/{id}", get(task))
        .route(
            "/api/v1/files",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/api/v1/files/{id}", get(file))
        .route("/api/v1/credits", get(credits))
        .route("/results/{name}", get(result))
        .merge(crate::admin::router())
        .with_state(state)
}

pub(crate) fn lock(s: &Shared) -> Result<Guard<'_>, ApiErr> {
    s.lock()
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({"error": {"code": self.code, "message": self.message, "requestId": format!("req_emu_{id}")}});
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

fn auth(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Applies a fault that answers instead of the handler; slow faults just wait.
async fn apply(fault: Option<Fault>) -> Result<bool, ApiErr> {
    match fault {
        Some(Fault::RateLimited { retry_after_secs }) => Err(ApiErr {
            retry_after: Some(retry_after_secs),
            ..ApiErr::new(429, "rate_limited", "slow down")
        }),
        Some(Fault::Unavailable) => Err(ApiErr::new(
            503,
            "public_api_disabled",
            "the public API is paused",
        )),
        Some(Fault::ServerError) => {
            Err(ApiErr::new(500, "internal_error", "injected server error"))
        }
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            Ok(false)
        }
        Some(Fault::DropAfterCreate) => Ok(true),
        None => Ok(false),
    }
}

/// The JSON answer, or — under the drop fault, after the work was done — a response whose
/// body fails at once, so the connection closes before an answer arrives.
fn answer(json: Value, drop_connection: bool) -> Response {
    if !drop_connection {
        return axum::Json(json).into_response();
    }
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by the emulator"))
    });
    Response::new(Body::from_stream(stream))
}

async fn models(Extract(state): Extract<Shared>) -> Result<Response, ApiErr> {
    lock(&state)?.count();
    let data: Vec<Value> = catalog::all()
        .iter()
        .map(|m| {
            let params: Vec<Value> = m
                .params
                .iter()
                .map(|p| json!({"key": p.key, "type": p.kind.type_name(), "required": p.required}))
                .collect();
            json!({
                "id": m.id,
                "display_name": m.display_name,
                "category": m.capability.as_str(),
                "runtime": "emulator",
                "base_credits": m.base_credits,
                "billing_type": m.billing.as_str(),
                "max_prompt_length": m.prompt_max_chars,
                "params": params,
                "api_status": "available",
                "requires_files_api": m.upload.is_some(),
            })
        })
        .collect();
    Ok(axum::Json(json!({"object": "list", "data": data})).into_response())
}

async fn create(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    let fault = {
        let mut s = lock(&state)?;
        s.authorize(auth(&headers))?;
        s.next_fault()
    };
    let drop_answer = apply(fault).await?;
    let body: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiErr::new(
            400,
            "validation_failed",
            format!("the body is not JSON: {e}"),
        )
    })?;
    let mut s = lock(&state)?;
    s.settle();
    let key = idempotency_key(&headers);
    let replayed = match &key {
        Some(k) => s.replay("generations", k, &body)?,
        None => None,
    };
    let id = match replayed {
        Some(id) => id,
        None => {
            let id = s.create_task(&body)?;
            if let Some(k) = key {
                s.remember("generations", &k, body, id.clone());
            }
            id
        }
    };
    let json = s.task_json(&id).unwrap_or(Value::Null);
    drop(s);
    Ok(answer(json, drop_answer))
}

async fn task(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.settle();
    match s.task_json(&id) {
        Some(json) => Ok(axum::Json(json).into_response()),
        None => Err(ApiErr::new(404, "not_found", format!("no task {id}"))),
    }
}

async fn credits(Extract(state): Extract<Shared>, headers: HeaderMap) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.settle();
    Ok(axum::Json(json!({"current_credits": s.wallet()})).into_response())
}

async fn file(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    match s.file_json(&id) {
        Some(json) => Ok(axum::Json(json).into_response()),
        None => Err(ApiErr::new(404, "not_found", format!("no file {id}"))),
    }
}

/// FNV-1a, to recognise an idempotent replay of the same file.
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}:{}", bytes.len())
}

async fn upload(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, ApiErr> {
    let fault = {
        let mut s = lock(&state)?;
        s.authorize(auth(&headers))?;
        s.next_fault()
    };
    let drop_answer = apply(fault).await?;
    let bad = |m: String| ApiErr::new(400, "validation_failed", m);
    let (mut data, mut name, mut kind, mut model, mut crid) = (None, None, None, None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("bad multipart body: {e}")))?
    {
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == "file" {
            name = field.file_name().map(str::to_owned);
            data = Some(
                field
                    .bytes()
                    .await
                    .map_err(|e| bad(format!("cannot read the file: {e}")))?,
            );
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| bad(format!("cannot read `{field_name}`: {e}")))?;
            match field_name.as_str() {
                "kind" => kind = Some(text),
                "model" => model = Some(text),
                "client_request_id" => crid = Some(text),
                other => return Err(bad(format!("unknown field `{other}`"))),
            }
        }
    }
    let data = data.ok_or_else(|| bad("the `file` field is required".into()))?;
    let kind_text = kind.ok_or_else(|| bad("the `kind` field is required".into()))?;
    let kind = MediaKind::from_wire(&kind_text)
        .ok_or_else(|| bad(format!("unknown kind `{kind_text}`")))?;
    if crid.as_ref().is_some_and(|c| c.chars().count() > 128) {
        return Err(bad("client_request_id is longer than 128 characters".into()));
    }
    let info = match &model {
        Some(id) => Some(catalog::find(id).ok_or_else(|| bad(format!("unknown model `{id}`")))?),
        None => None,
    };
    let head = &data[..data.len().min(rivya_models::files::HEAD_LEN)];
    let checked = rivya_models::files::check(head, data.len() as u64, Some(kind), info)
        .map_err(|r| bad(r.to_string()))?;
    let mut json = json!({
        "kind": kind.as_str(),
        "mime_type": checked.mime,
        "size": data.len(),
        "name": name.unwrap_or_else(|| "upload".to_owned()),
    });
    let print = json!({"model": model, "kind": kind.as_str(), "data": fingerprint(&data)});
    let mut s = lock(&state)?;
    let key = idempotency_key(&headers);
    if let Some(k) = &key
        && let Some(id) = s.replay("files", k, &print)?
    {
        let json = s.file_json(&id).unwrap_or(Value::Null);
        return Ok(axum::Json(json).into_response());
    }
    if kind.has_duration() {
        // The emulator does not decode media; it vouches for a fixed duration.
        json["duration_seconds"] = json!(5);
    }
    let id = s.store_file(json, kind.has_duration());
    if let Some(k) = key {
        s.remember("files", &k, print, id.clone());
    }
    let json = s.file_json(&id).unwrap_or(Value::Null);
    drop(s);
    Ok(answer(json, drop_answer))
}

/// Serves a result so downloads work: a few bytes with the right signature and type.
async fn result(Path(name): Path<String>) -> Response {
    let (mime, bytes): (&str, &[u8]) = match name.rsplit_once('.').map(|(_, e)| e) {
        Some("png") => (
            "image/png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR emulator result",
        ),
        Some("mp4") => ("video/mp4", b"\0\0\0\x18ftypmp42\0\0\0\0emulator result"),
        Some("mp3") => ("audio/mpeg", b"ID3\x04\0\0\0\0\0\0emulator result"),
        _ => return (StatusCode::NOT_FOUND, "no such result").into_response(),
    };
    ([(header::CONTENT_TYPE, mime)], bytes).into_response()
}
