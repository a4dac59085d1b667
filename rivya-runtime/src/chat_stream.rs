//! A streamed chat turn: opening it (retried only before the first byte) and reading its
//! Server-Sent Events as typed [`ChatEvent`]s, by the rules in [`crate::chat`].

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Future, Stream};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use crate::chat_probe::{Probe, Shape};
use crate::chat_types::{ChatCompletion, ChatEvent};
use crate::client::{Client, IDEMPOTENCY_HEADER, judge, retry_after_of};
use crate::error::{ApiError, ChatProgress, Error, ErrorCode, TransportError};
use crate::retry::{self, Attempt};
use crate::sse::{SseEvent, SseParser};
use crate::trace::CallSpan;

/// The largest event (or unterminated line) a stream may build up: far above a whole answer
/// at any documented message limit, low enough that a runaway server cannot exhaust memory.
const MAX_EVENT_BYTES: usize = 64 * 1024 * 1024;

/// The streaming endpoint, under `/api/v1/`.
const STREAM_PATH: &str = "chat/completions/stream";

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The events of one streamed chat turn, as a [`Stream`] of `Result<ChatEvent, Error>`.
///
/// It ends after [`ChatEvent::Completed`] or [`ChatEvent::Error`], or quietly on `[DONE]`. A
/// stream cut before either yields one [`Error::ChatStreamBroken`] carrying what recovery
/// needs. Meanwhile it knows the turn's [key](ChatStream::idempotency_key),
/// [session](ChatStream::session_id), [turn id](ChatStream::turn_id) and
/// [text so far](ChatStream::text).
pub struct ChatStream {
    body: Body,
    parser: SseParser,
    progress: ChatProgress,
    /// The longest wait for the next bytes before the stream counts as broken.
    idle: Duration,
    idle_timer: Pin<Box<tokio::time::Sleep>>,
    /// The HTTP status of the stream (for the `ApiError` of an `error` event).
    status: u16,
    done: bool,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("progress", &self.progress)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ChatStream {
    /// The key every attempt of this turn carried; resend the turn with it to recover.
    pub fn idempotency_key(&self) -> &str {
        &self.progress.idempotency_key
    }

    /// The session, once the request or an event named it.
    pub fn session_id(&self) -> Option<&str> {
        self.progress.session_id.as_deref()
    }

    /// The turn id (`chatcmpl_…`), once an event carried it.
    pub fn turn_id(&self) -> Option<&str> {
        self.progress.turn_id.as_deref()
    }

    /// The answer's text received so far (the deltas, concatenated).
    pub fn text(&self) -> &str {
        &self.progress.text
    }

    /// The next event, or `None` after the last: the same as `StreamExt::next`, without a
    /// dependency on `futures`.
    pub async fn next_event(&mut self) -> Option<Result<ChatEvent, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Reads the stream to its end and returns the completed turn. An `error` event becomes
    /// [`Error::ChatFailed`]; a stream that ends without a completion, however it ends,
    /// becomes [`Error::ChatStreamBroken`] (both carry the key, session id and text so far).
    pub async fn into_completion(mut self) -> Result<ChatCompletion, Error> {
        use futures_util::StreamExt;
        while let Some(item) = self.next().await {
            match item? {
                ChatEvent::Completed(c) => return Ok(*c),
                ChatEvent::Error(error) => {
                    return Err(Error::ChatFailed {
                        error: Box::new(error),
                        progress: Box::new(self.progress.clone()),
                    });
                }
                _ => {}
            }
        }
        Err(self.broken("the stream ended without a completion event", None))
    }

    /// The error of a stream that stopped early; the stream yields nothing after it.
    fn broken(&mut self, reason: &str, source: Option<reqwest::Error>) -> Error {
        self.done = true;
        Error::ChatStreamBroken {
            progress: Box::new(self.progress.clone()),
            reason: reason.to_owned(),
            source: source.map(TransportError::new),
        }
    }

    /// Learns the session and turn ids from an event's data (allocating only on a change).
    fn learn(&mut self, probe: &Probe<'_>) {
        let learn = |known: &mut Option<String>, seen: &Option<std::borrow::Cow<'_, str>>| {
            if let Some(s) = seen
                && known.as_deref() != Some(s.as_ref())
            {
                *known = Some(s.to_string());
            }
        };
        learn(&mut self.progress.session_id, &probe.session_id);
        learn(&mut self.progress.turn_id, &probe.id);
    }

    /// What one SSE event comes to: `None` to end the stream quietly (`[DONE]`).
    fn classify(&mut self, ev: SseEvent) -> Option<Result<ChatEvent, Error>> {
        self.progress.events += 1;
        if ev.data.trim() == "[DONE]" {
            self.done = true;
            return None;
        }
        let kind = {
            let probe = Probe::read(&ev.data);
            if let Some(p) = &probe {
                self.learn(p);
            }
            kind_of(&ev.event, probe, &ev.data)
        };
        match kind {
            Kind::Completed => Some(self.completed(&ev.data)),
            Kind::Error => {
                self.done = true;
                Some(Ok(ChatEvent::Error(self.api_error(&ev.data))))
            }
            Kind::Delta(text) => {
                self.progress.text.push_str(&text);
                Some(Ok(ChatEvent::Delta { text }))
            }
            Kind::Other => Some(Ok(ChatEvent::Other {
                event: ev.event,
                data: ev.data,
                id: (!ev.id.is_empty()).then_some(ev.id),
            })),
        }
    }

    fn completed(&mut self, raw: &str) -> Result<ChatEvent, Error> {
        match serde_json::from_str::<ChatCompletion>(raw) {
            Ok(c) => {
                self.done = true;
                self.progress.session_id = Some(c.session_id.clone());
                self.progress.turn_id = Some(c.id.clone());
                Ok(ChatEvent::Completed(Box::new(c)))
            }
            Err(e) => Err(self.broken(&format!("undecodable completion event: {e}"), None)),
        }
    }

    /// The `ApiError` of an `error` event (its envelope, or the raw data as the message).
    fn api_error(&self, raw: &str) -> ApiError {
        let data: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        let err = data.get("error").unwrap_or(&data);
        let text = |k: &str| err.get(k).and_then(Value::as_str).map(str::to_owned);
        ApiError {
            status: self.status,
            code: ErrorCode::from(text("code").as_deref().unwrap_or("stream_error")),
            message: text("message").unwrap_or_else(|| raw.to_owned()),
            request_id: text("requestId").or_else(|| text("request_id")),
            idempotency_key: Some(self.progress.idempotency_key.clone()),
            retry_after: None,
        }
    }
}

/// What an event is, by the contract's tolerant rules.
enum Kind {
    Completed,
    Error,
    Delta(String),
    Other,
}

/// Classifies an event by its name and the facts of its data (`None`: not a JSON object).
fn kind_of(name: &str, probe: Option<Probe<'_>>, raw: &str) -> Kind {
    let named = |n: &str| name.eq_ignore_ascii_case(n);
    let p = probe.as_ref();
    let completed = named("completion") || named("completed") || named("done");
    let object = p.and_then(|p| p.object.as_deref());
    if completed
        || object == Some("chat.completion")
        || p.is_some_and(|p| p.has_message && p.has_usage)
    {
        return Kind::Completed;
    }
    if named("error") || p.is_some_and(|p| p.error_object) {
        return Kind::Error;
    }
    let delta_named = name.to_ascii_lowercase().contains("delta");
    let is_object = probe.is_some();
    match probe.and_then(|p| p.delta) {
        Some(Shape::Str(text)) => Kind::Delta(text.into_owned()),
        // `{"delta": {"content": "…"}}`: rare enough to read again as a tree.
        Some(Shape::Object) => serde_json::from_str::<Value>(raw)
            .ok()
            .and_then(|v| Some(v.get("delta")?.get("content")?.as_str()?.to_owned()))
            .map_or(Kind::Other, Kind::Delta),
        Some(Shape::Other) => Kind::Other,
        // An event named as a delta whose data is not an object carries the text itself.
        None if delta_named && !is_object => Kind::Delta(raw.to_owned()),
        None => Kind::Other,
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(ev) = this.parser.next_event() {
                match this.classify(ev) {
                    Some(item) => return Poll::Ready(Some(item)),
                    None => continue,
                }
            }
            if this.parser.pending_len() > MAX_EVENT_BYTES {
                let reason = format!("an event grew beyond {MAX_EVENT_BYTES} bytes");
                return Poll::Ready(Some(Err(this.broken(&reason, None))));
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.parser.push(&chunk);
                    let deadline = tokio::time::Instant::now() + this.idle;
                    this.idle_timer.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Err(e))) => {
                    let err = this.broken("the connection failed mid-stream", Some(e));
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Ready(None) => {
                    let err = this.broken("the stream ended before the turn completed", None);
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Pending => {
                    if this.idle_timer.as_mut().poll(cx).is_ready() {
                        let reason = format!("no data for {:?}", this.idle);
                        return Poll::Ready(Some(Err(this.broken(&reason, None))));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

/// Posts the turn to the streaming endpoint, retrying before the first byte only, and returns
/// the stream once a `2xx` answer began.
pub(crate) async fn open(
    client: &Client,
    body: Vec<u8>,
    key: String,
    session_id: Option<String>,
) -> Result<ChatStream, Error> {
    client.ensure_key()?;
    let span = CallSpan::new("POST", STREAM_PATH, Some(&key), None);
    let timeout = client.request_timeout();
    let progress = ChatProgress {
        session_id,
        idempotency_key: key.clone(),
        ..ChatProgress::default()
    };
    let mut rng = client.rng();
    let call = retry::retry(client.retry_policy(), &mut rng, |n| {
        span.attempt(n);
        send_once(client, body.clone(), &key, &span, &progress)
    });
    let resp = span.instrument(call).await?;
    Ok(ChatStream {
        status: resp.status().as_u16(),
        body: Box::pin(resp.bytes_stream()),
        parser: SseParser::new(),
        progress,
        idle: timeout,
        idle_timer: Box::pin(tokio::time::sleep(timeout)),
        done: false,
    })
}

/// One attempt: the response once a `2xx` answer began, or what the failure comes to.
async fn send_once(
    client: &Client,
    body: Vec<u8>,
    key: &str,
    span: &CallSpan,
    progress: &ChatProgress,
) -> Attempt<reqwest::Response> {
    let timeout = client.request_timeout();
    let transport = |e| Error::Transport {
        source: TransportError::new(e),
        idempotency_key: Some(key.to_owned()),
    };
    let rb = match client.request(Method::POST, STREAM_PATH, true) {
        Ok(rb) => rb
            .header(IDEMPOTENCY_HEADER, key)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "text/event-stream")
            .body(body),
        Err(e) => return Attempt::Fail(e),
    };
    let resp = match tokio::time::timeout(timeout, rb.send()).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(e)) => return Attempt::Retry(transport(e), None),
        Err(_) => {
            // The turn may have reached the server: report it with its key.
            let error = Error::ChatStreamBroken {
                progress: Box::new(progress.clone()),
                reason: format!("no answer within {timeout:?}"),
                source: None,
            };
            return Attempt::Retry(error, None);
        }
    };
    let status = resp.status().as_u16();
    span.status(status);
    if resp.status().is_success() {
        return Attempt::Done(resp);
    }
    let retry_after = retry_after_of(&resp);
    match resp.bytes().await {
        Ok(b) => not_success(judge::<Value>(status, &b, retry_after, Some(key))),
        Err(e) => Attempt::Retry(transport(e), None),
    }
}

/// The outcome of a non-2xx answer (never a success).
fn not_success<T>(a: Attempt<Value>) -> Attempt<T> {
    match a {
        Attempt::Retry(e, after) => Attempt::Retry(e, after),
        Attempt::Fail(e) => Attempt::Fail(e),
        Attempt::Done(v) => Attempt::Fail(Error::Config(format!(
            "a non-2xx answer decoded as success: {v}"
        ))),
    }
}

/// A stream can be moved to a spawned task and polled without pinning.
const _: () = {
    const fn send_unpin<T: Send + Unpin>() {}
    send_unpin::<ChatStream>();
};
