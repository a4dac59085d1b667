//! The Server-Sent Events of `POST /api/v1/chat/completions/stream`, as the chat wire contract
//! states them (`rivya_runtime::chat`, "Wire assumptions"): `session` first, then `delta`s whose
//! texts concatenate to the message, then `completion` with the full completion object — or an
//! `error` event in its place. Every event carries an `id:` (0, 1, 2, …). Faults: the stream
//! can be cut (the connection closed without an end) or end in an error event, and each delta
//! can be delayed.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::chat_rule;

/// How long a cut stream waits before closing, so what it sent reaches the client.
const FLUSH_BEFORE_CUT: Duration = Duration::from_millis(20);

/// A fault of one streamed chat turn. Counts are of events sent before it, the `session`
/// event included (so `CutAfter(1)` sends only `session`). Faults apply to new turns only;
/// a replayed turn streams whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFault {
    /// Send this many events, then close the connection: the turn was still created and
    /// charged, and sending it again with its `Idempotency-Key` returns it whole.
    CutAfter(usize),
    /// Send this many events (at least the `session` event), then an `error` event: the turn
    /// is refunded and not part of its session; sending it again with the key runs it anew.
    ErrorAfter(usize),
}

/// One SSE event, with its `id:`.
fn event(id: usize, name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("id: {id}\nevent: {name}\ndata: {data}\n\n"))
}

/// The events of a turn in order; the deltas are made one at a time as the stream is read, so
/// a large reply is not held twice.
struct Events {
    completion: Value,
    pieces: Vec<(usize, usize)>,
}

impl Events {
    fn new(completion: Value) -> Self {
        let content = completion["message"]["content"]
            .as_str()
            .unwrap_or_default();
        let mut pieces = Vec::new();
        let mut at = 0;
        for piece in chat_rule::deltas(content) {
            pieces.push((at, at + piece.len()));
            at += piece.len();
        }
        Self { completion, pieces }
    }

    /// How many events a whole stream has: session, the deltas, completion.
    fn len(&self) -> usize {
        self.pieces.len() + 2
    }

    /// The event at `i`, and whether it is a delta.
    fn at(&self, i: usize) -> (Bytes, bool) {
        let c = &self.completion;
        let ids = (c["id"].clone(), c["session_id"].clone());
        if i == 0 {
            let data = json!({"id": ids.0, "session_id": ids.1, "model": c["model"],
                "created_at": c["created_at"],
                "credits": {"reserved": c["credits"]["reserved"], "final": 0}});
            return (event(0, "session", &data), false);
        }
        if let Some((from, to)) = self.pieces.get(i - 1) {
            let content = c["message"]["content"].as_str().unwrap_or_default();
            let data = json!({"id": ids.0, "session_id": ids.1, "delta": &content[*from..*to]});
            return (event(i, "delta", &data), true);
        }
        (event(i, "completion", c), false)
    }
}

/// The error event that ends a failed turn.
fn error_event(id: usize, turn: &Value) -> Bytes {
    let data = json!({"error": {
        "code": "internal_error",
        "message": "the emulator failed this turn on purpose; it was not charged",
        "requestId": format!("req_emu_{}", turn["id"].as_str().unwrap_or("chat")),
    }});
    event(id, "error", &data)
}

/// The streamed answer of a turn, with its fault and a delay before each delta.
pub fn response(completion: Value, fault: Option<ChatFault>, delay: Duration) -> Response {
    let events = Events::new(completion);
    let total = events.len();
    // Where the stream stops early (never past its natural end), and how.
    let (stop, error) = match fault {
        Some(ChatFault::CutAfter(n)) => (n.min(total), false),
        Some(ChatFault::ErrorAfter(n)) => (n.clamp(1, total - 1), true),
        None => (total, false),
    };
    let cut = matches!(fault, Some(ChatFault::CutAfter(n)) if n < total);
    let extra = usize::from(error || cut);
    let stream = futures_util::stream::iter(0..stop + extra).then(move |i| {
        let item = if i < stop {
            let (bytes, delta) = events.at(i);
            Ok((bytes, delta))
        } else if error {
            Ok((error_event(i, &events.completion), false))
        } else {
            Err(std::io::Error::other("chat stream cut by the emulator"))
        };
        async move {
            if item.is_err() {
                // Let the server flush the events before it: the client must see them, then
                // the cut (an error at once would abort the response before its first byte).
                tokio::time::sleep(FLUSH_BEFORE_CUT).await;
            }
            let (bytes, delta) = item?;
            if delta && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Ok::<Bytes, std::io::Error>(bytes)
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
