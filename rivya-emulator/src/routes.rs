//! The HTTP surface: the documented endpoints, faults on every API route, and the documented
//! error envelope on every error — the framework's own rejections included.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rivya_models::wire::json_number;
use rivya_models::{CatalogModel, MediaKind, ModelInfo, catalog, files};
use serde_json::{Value, json};

use rivya_models::ErrorCode;

use crate::Fault;
use crate::api_err::{ApiErr, internal_error, method_not_allowed};
use crate::headers::{auth, idempotency_key};
use crate::shared::{Shared, lock};

/// The largest request body read at all (above the largest documented upload, 95 MB).
const MAX_UPLOAD: usize = 200 * 1024 * 1024;
pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/api/v1/models", get(models))
        .route("/api/v1/generations", post(create))
        .route("/api/v1/generations/{id}", get(task))
        .route(
            "/api/v1/files",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/api/v1/files/{id}", get(file))
        .route("/api/v1/credits", get(credits))
        .merge(crate::webhooks::routes())
        .merge(crate::chat::routes())
        // Faults apply to every API route: polls, files and credits as much as creates.
        .layer(middleware::from_fn_with_state(state.clone(), faults));
    api.route("/results/{name}", get(result))
        // Test-only routes: outside the fault layer, so counting never fails.
        .merge(crate::admin::router())
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::map_response(envelope_errors))
        .with_state(state)
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

fn envelope(status: StatusCode, code: &ErrorCode, message: &str) -> Response {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let code = code.as_str();
    let body =
        json!({"error": {"code": code, "message": message, "requestId": format!("req_emu_{id}")}});
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = envelope(status, &self.code, &self.message);
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

/// Wraps any error the framework answered on its own (a 413, a bad multipart body, an
/// unreadable path …) in the documented envelope, keeping its status and text.
async fn envelope_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let text = match axum::body::to_bytes(resp.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => String::new(),
    };
    let code = match status.as_u16() {
        400 | 411 | 413 | 415 | 422 => ErrorCode::ValidationFailed,
        404 => ErrorCode::NotFound,
        405 => method_not_allowed(),
        _ => internal_error(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    envelope(status, &code, &message)
}

async fn unknown_route(req: Request) -> Response {
    envelope(
        StatusCode::NOT_FOUND,
        &ErrorCode::NotFound,
        &format!("no route {}", req.uri().path()),
    )
}

async fn wrong_method(req: Request) -> Response {
    envelope(
        StatusCode::METHOD_NOT_ALLOWED,
        &method_not_allowed(),
        &format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Draws this request's fault: an error answer, a delay, or (after the work is done) a
/// connection closed before the answer.
async fn faults(Extract(state): Extract<Shared>, req: Request, next: Next) -> Response {
    let fault = match lock(&state) {
        Ok(mut s) => s.next_fault(),
        Err(e) => return e.into_response(),
    };
    match fault {
        Some(Fault::RateLimited { retry_after_secs }) => ApiErr {
            retry_after: Some(retry_after_secs),
            ..ApiErr::new(429, ErrorCode::RateLimited, "slow down")
        }
        .into_response(),
        Some(Fault::Unavailable) => ApiErr::new(
            503,
            ErrorCode::PublicApiDisabled,
            "the public API is paused",
        )
        .into_response(),
        Some(Fault::ServerError) => {
            ApiErr::new(500, internal_error(), "injected server error").into_response()
        }
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Some(Fault::DropAfterCreate) => {
            let resp = next.run(req).await;
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by the emulator",
                ))
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        None => next.run(req).await,
    }
}

/// One entry of the catalog: the facts every entry has (the client reads them back into the
/// same type), and what the emulator adds from the spec.
fn entry(m: &ModelInfo) -> CatalogModel {
    let mut entry = CatalogModel::from(m);
    entry.api_status = Some("available".to_owned());
    let params: Vec<Value> = m
        .params
        .iter()
        .map(|p| json!({"key": p.key, "type": p.kind.type_name(), "required": p.required}))
        .collect();
    let extra = &mut entry.extra;
    extra.insert("runtime".into(), json!("emulator"));
    extra.insert("max_prompt_length".into(), json!(m.prompt_max_chars));
    extra.insert("params".into(), Value::Array(params));
    // A chat model's upload policy is for optional image attachments.
    let files = m.upload.is_some() && !m.is_chat();
    extra.insert("requires_files_api".into(), json!(files));
    // Opaque in the docs; the emulator says what the spec says the model takes.
    if let Some(c) = &m.chat {
        let caps = json!({"max_attachments": c.max_attachments,
            "web_search": c.web_search, "reasoning_effort": c.reasoning_effort});
        extra.insert("chat_capabilities".into(), caps);
    }
    entry
}

async fn models(Extract(state): Extract<Shared>) -> Result<Response, ApiErr> {
    lock(&state)?.count();
    let data: Vec<CatalogModel> = catalog::all().iter().map(|m| entry(m)).collect();
    Ok(axum::Json(json!({"object": "list", "data": data})).into_response())
}

async fn create(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiErr> {
    lock(&state)?.authorize(auth(&headers))?;
    let key = idempotency_key(&headers)?;
    let body: Value = serde_json::from_slice(&body).map_err(|e| {
        ApiErr::new(
            400,
            ErrorCode::ValidationFailed,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let mut s = lock(&state)?;
    s.settle();
    let replayed = match &key {
        Some(k) => s.replay("generations", k, &body)?,
        None => None,
    };
    let id = match replayed {
        Some(id) => id,
        None => {
            let id = s.create_task(&body)?;
            if let Some(k) = &key {
                s.remember("generations", k, body, id.clone());
            }
            id
        }
    };
    let json = s.task_json(&id).unwrap_or(Value::Null);
    drop(s);
    Ok(axum::Json(json).into_response())
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
        None => Err(ApiErr::new(
            404,
            ErrorCode::NotFound,
            format!("no task {id}"),
        )),
    }
}

async fn credits(Extract(state): Extract<Shared>, headers: HeaderMap) -> Result<Response, ApiErr> {
    let mut s = lock(&state)?;
    s.authorize(auth(&headers))?;
    s.settle();
    Ok(axum::Json(json!({"current_credits": json_number(s.wallet())})).into_response())
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
        None => Err(ApiErr::new(
            404,
            ErrorCode::NotFound,
            format!("no file {id}"),
        )),
    }
}

/// A stable fingerprint of an upload (FNV-1a), so a retried upload with the same key is an
/// idempotent replay of the same file.
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}:{}", bytes.len())
}

/// The most bytes a file may have, from what the form said before it: the model's limit for
/// the declared kind, else the API's default for that kind, else the largest either allows.
fn size_limit(kind: Option<MediaKind>, model: Option<&rivya_models::ModelInfo>) -> u64 {
    let limits: &[rivya_models::KindLimit] = match model {
        Some(info) => info.upload.as_ref().map_or(&[], |u| u.kinds),
        None => &files::DEFAULT_LIMITS,
    };
    let pick = limits
        .iter()
        .filter(|l| kind.is_none_or(|k| l.kind == k))
        .map(|l| l.max_bytes)
        .max();
    pick.unwrap_or(0)
}

/// The fields of an upload's multipart body.
#[derive(Default)]
struct UploadForm {
    data: Option<Vec<u8>>,
    name: Option<String>,
    kind: Option<String>,
    model: Option<String>,
    client_request_id: Option<String>,
}

/// Reads the multipart body field by field. The file is read chunk by chunk and refused as soon
/// as it passes the limit that the fields before it (`kind`, `model`) allow: an oversize body
/// is never held whole.
async fn read_form(mut form: Multipart) -> Result<UploadForm, ApiErr> {
    let bad = |m: String| ApiErr::new(400, ErrorCode::ValidationFailed, m);
    let mut f = UploadForm::default();
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("bad multipart body: {e}")))?
    {
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == "file" {
            f.name = field.file_name().map(str::to_owned);
            let kind = f.kind.as_deref().and_then(MediaKind::from_wire);
            let limit = size_limit(kind, f.model.as_deref().and_then(catalog::find));
            let mut buf = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| bad(format!("cannot read the file: {e}")))?
            {
                if (buf.len() + chunk.len()) as u64 > limit {
                    return Err(bad(format!(
                        "the file is larger than the {limit}-byte limit for this upload"
                    )));
                }
                buf.extend_from_slice(&chunk);
            }
            f.data = Some(buf);
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| bad(format!("cannot read `{field_name}`: {e}")))?;
        match field_name.as_str() {
            "kind" => f.kind = Some(text),
            "model" => f.model = Some(text),
            "client_request_id" => f.client_request_id = Some(text),
            other => return Err(bad(format!("unknown field `{other}`"))),
        }
    }
    Ok(f)
}

async fn upload(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiErr> {
    lock(&state)?.authorize(auth(&headers))?;
    let key = idempotency_key(&headers)?;
    let bad = |m: String| ApiErr::new(400, ErrorCode::ValidationFailed, m);
    let form = read_form(form).await?;
    let data = form
        .data
        .ok_or_else(|| bad("the `file` field is required".into()))?;
    let kind_text = form
        .kind
        .ok_or_else(|| bad("the `kind` field is required".into()))?;
    let kind = MediaKind::from_wire(&kind_text)
        .ok_or_else(|| bad(format!("unknown kind `{kind_text}`")))?;
    if form
        .client_request_id
        .as_ref()
        .is_some_and(|c| c.chars().count() > 128)
    {
        return Err(bad("client_request_id is longer than 128 characters".into()));
    }
    let model = form.model;
    let info = match &model {
        Some(id) => Some(catalog::find(id).ok_or_else(|| bad(format!("unknown model `{id}`")))?),
        None => None,
    };
    let head = &data[..data.len().min(files::HEAD_LEN)];
    let checked =
        files::check(head, data.len() as u64, Some(kind), info).map_err(|r| bad(r.to_string()))?;
    let mut json = json!({
        "kind": kind.as_str(),
        "mime_type": checked.mime,
        "size": data.len(),
        "name": form.name.unwrap_or_else(|| "upload".to_owned()),
    });
    if kind.has_duration() {
        // Only what the header states; formats without a stated duration get none.
        json["duration_seconds"] = json!(crate::duration::seconds(&data));
    }
    let print = json!({"model": model, "kind": kind.as_str(), "data": fingerprint(&data)});
    let mut s = lock(&state)?;
    if let Some(k) = &key
        && let Some(id) = s.replay("files", k, &print)?
    {
        let json = s.file_json(&id).unwrap_or(Value::Null);
        return Ok(axum::Json(json).into_response());
    }
    let id = s.store_file(json, kind.has_duration());
    if let Some(k) = &key {
        s.remember("files", k, print, id.clone());
    }
    let json = s.file_json(&id).unwrap_or(Value::Null);
    drop(s);
    Ok(axum::Json(json).into_response())
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
        _ => {
            return envelope(
                StatusCode::NOT_FOUND,
                &ErrorCode::NotFound,
                "no such result",
            );
        }
    };
    ([(header::CONTENT_TYPE, mime)], bytes).into_response()
}
