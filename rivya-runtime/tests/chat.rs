//! Chat against a scripted loopback server: streams cut at every event, retries before the
//! first byte, error events, local refusals that send nothing, and the response shapes.

mod support;

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use rivya_models::gpt_5_3_codex_chat::Request;
use rivya_runtime::{ChatEvent, Error, ErrorCode, Upload};
use serde_json::{Value, json};
use support::client;
use support::raw::{RawRequest, RawServer, Reply};

const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

const DELTAS: [&str; 3] = ["Hello", ", wor", "ld — ✓"];

fn completion_json(content: &str) -> Value {
    json!({
        "id": "chatcmpl_1", "object": "chat.completion", "session_id": "chs_1",
        "model": "gpt-5-3-codex-chat", "created_at": "2026-05-11T00:00:00.000Z",
        "message": {"id": "msg_1", "role": "assistant", "content": content, "tokens": 4},
        "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
        "credits": {"reserved": 20, "final": 1}, "future_field": true
    })
}

/// The events of a successful turn, each a complete SSE block.
fn turn_events() -> Vec<String> {
    let mut events = vec![format!(
        "event: session\nid: 0\ndata: {}\n\n",
        json!({"id": "chatcmpl_1", "session_id": "chs_1", "model": "gpt-5-3-codex-chat",
               "credits": {"reserved": 20, "final": 0}})
    )];
    for (i, d) in DELTAS.iter().enumerate() {
        let data = json!({"id": "chatcmpl_1", "session_id": "chs_1", "delta": d});
        events.push(format!(
            ": keep-alive\r\nevent: delta\r\nid: {}\r\ndata: {data}\r\n\r\n",
            i + 1
        ));
    }
    let done = completion_json(&DELTAS.concat());
    events.push(format!("event: completion\nid: 4\ndata: {done}\n\n"));
    events
}

/// A server that records every request and answers with `reply`.
fn recording(
    reply: impl Fn(&RawRequest, usize) -> Reply + Send + Sync + 'static,
) -> (RawServer, Arc<Mutex<Vec<RawRequest>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = RawServer::start(true, move |req| {
        let mut log = log.lock().unwrap();
        log.push(req.clone());
        reply(req, log.len() - 1)
    });
    (server, seen)
}

fn client_request_id(req: &RawRequest) -> String {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    body["client_request_id"].as_str().unwrap_or("").to_owned()
}

/// Serves the turn's first `n` events (from `client_request_id` "cut-<n>"), plus half of the
/// next one, then closes the connection.
fn cutting_server() -> (RawServer, Arc<Mutex<Vec<RawRequest>>>) {
    recording(|req, _| {
        let events = turn_events();
        let n: usize = client_request_id(req)
            .strip_prefix("cut-")
            .and_then(|n| n.parse().ok())
            .unwrap_or(events.len());
        let mut body = String::from(SSE_HEAD);
        body.extend(events.iter().take(n).cloned());
        if let Some(next) = events.get(n) {
            body.push_str(&next[..next.len() / 2]);
        }
        Reply::Raw(body.into_bytes())
    })
}

#[tokio::test]
async fn a_stream_cut_after_every_event_reports_what_recovery_needs() {
    let (server, seen) = cutting_server();
    let client = client(&server.url());
    let events = turn_events().len();
    for cut in 0..events {
        let req = Request::new("hi").client_request_id(format!("cut-{cut}"));
        let stream = client.chat_stream(&req).await.unwrap();
        let err = stream.into_completion().await.unwrap_err();
        let sent_key = seen
            .lock()
            .unwrap()
            .last()
            .unwrap()
            .header("idempotency-key")
            .unwrap()
            .to_owned();
        let Error::ChatStreamBroken {
            progress, reason, ..
        } = &err
        else {
            panic!("cut {cut}: {err:?}");
        };
        assert_eq!(progress.idempotency_key, sent_key, "cut {cut}");
        assert_eq!(err.idempotency_key(), Some(sent_key.as_str()));
        let seen_session = cut >= 1;
        assert_eq!(
            progress.session_id.as_deref(),
            seen_session.then_some("chs_1"),
            "cut {cut}"
        );
        assert_eq!(err.session_id(), seen_session.then_some("chs_1"));
        assert_eq!(
            progress.turn_id.as_deref(),
            seen_session.then_some("chatcmpl_1"),
            "cut {cut}"
        );
        let deltas = cut.saturating_sub(1).min(DELTAS.len());
        assert_eq!(progress.text, DELTAS[..deltas].concat(), "cut {cut}");
        assert_eq!(progress.events, cut as u64, "cut {cut}");
        assert!(reason.contains("ended"), "cut {cut}: {reason}");
        let shown = err.to_string();
        assert!(
            shown.contains(&sent_key),
            "the message names the key: {shown}"
        );
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        events,
        "a cut stream is never retried"
    );
    let whole = client.chat_stream(&Request::new("hi")).await.unwrap();
    let done = whole.into_completion().await.unwrap();
    assert_eq!(done.content(), DELTAS.concat());
}

#[tokio::test]
async fn recovery_resends_the_same_key_and_body() {
    let (server, seen) = cutting_server();
    let client = client(&server.url());
    let req = Request::new("hi").client_request_id("cut-2");
    let err = client
        .chat_stream(&req)
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap_err();
    let key = err.idempotency_key().unwrap().to_owned();
    // The scripted server answers the resend with the whole turn (cut-2 still cuts, so ask
    // the non-streaming endpoint, as the docs recommend; it answers JSON here).
    let server2 = RawServer::start(true, {
        let seen = seen.clone();
        move |r| {
            seen.lock().unwrap().push(r.clone());
            Reply::Json(200, completion_json("Hello, world — ✓").to_string(), vec![])
        }
    });
    let done = support::client(&server2.url())
        .chat_with_key(&req, &key)
        .await
        .unwrap();
    assert_eq!(done.session_id, "chs_1");
    let log = seen.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[0].header("idempotency-key"),
        log[1].header("idempotency-key")
    );
    assert_eq!(log[0].body, log[1].body, "same key, same body");
    assert_eq!(log[0].path, "/api/v1/chat/completions/stream");
    assert_eq!(log[1].path, "/api/v1/chat/completions");
    drop(server);
}

#[tokio::test]
async fn a_broken_chunked_body_is_a_transport_break_with_the_text_so_far() {
    let (server, _) = recording(|_, _| {
        let events = turn_events();
        let first = format!("{}{}", events[0], events[1]);
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        // One whole chunk, then a chunk that promises more bytes than ever arrive.
        let body = format!("{head}{:x}\r\n{first}\r\n400\r\nevent: del", first.len());
        Reply::Raw(body.into_bytes())
    });
    let mut stream = client(&server.url())
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(matches!(&items[0], Ok(ChatEvent::Other { event, .. }) if event == "session"));
    assert_eq!(
        items[1].as_ref().unwrap(),
        &ChatEvent::Delta {
            text: "Hello".into()
        }
    );
    let Err(Error::ChatStreamBroken { progress, .. }) = &items[2] else {
        panic!("{:?}", items[2]);
    };
    assert_eq!(progress.text, "Hello");
    assert_eq!(stream.text(), "Hello");
    assert_eq!(stream.session_id(), Some("chs_1"));
    assert_eq!(stream.turn_id(), Some("chatcmpl_1"));
}

#[tokio::test]
async fn retries_before_the_first_byte_reuse_the_key() {
    let (server, seen) = recording(|_, n| match n {
        0 => Reply::Json(
            429,
            support::envelope("rate_limited").to_string(),
            vec![("Retry-After".into(), "0".into())],
        ),
        1 => Reply::Json(503, support::envelope("overloaded").to_string(), vec![]),
        _ => Reply::Raw(format!("{SSE_HEAD}{}", turn_events().concat()).into_bytes()),
    });
    let stream = client(&server.url())
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap();
    let key = stream.idempotency_key().to_owned();
    let done = stream.into_completion().await.unwrap();
    assert_eq!(done.usage.total_tokens, 7);
    let log = seen.lock().unwrap();
    assert_eq!(log.len(), 3);
    for r in log.iter() {
        assert_eq!(r.header("idempotency-key"), Some(key.as_str()));
        assert_eq!(r.header("accept"), Some("text/event-stream"));
    }
}

#[tokio::test]
async fn a_refusal_before_the_stream_is_an_api_error_with_the_key() {
    let (server, seen) = recording(|_, _| {
        Reply::Json(
            409,
            support::envelope("chat_session_conflict").to_string(),
            vec![],
        )
    });
    let req = Request::new("hi").session("chs_other");
    let err = client(&server.url()).chat_stream(&req).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::ChatSessionConflict));
    assert!(err.idempotency_key().is_some());
    assert_eq!(seen.lock().unwrap().len(), 1, "a 409 is not retried");
}

#[tokio::test]
async fn an_error_event_mid_stream_carries_key_session_and_text() {
    let (server, _) = recording(|_, _| {
        let events = turn_events();
        let error = json!({"error": {"code": "model_overloaded", "message": "try later", "requestId": "req_9"}});
        let body = format!(
            "{SSE_HEAD}{}{}event: error\ndata: {error}\n\n{}",
            events[0], events[1], events[2]
        );
        Reply::Raw(body.into_bytes())
    });
    let client = client(&server.url());
    let mut stream = client.chat_stream(&Request::new("hi")).await.unwrap();
    let key = stream.idempotency_key().to_owned();
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item.unwrap());
    }
    let Some(ChatEvent::Error(api)) = last else {
        panic!("{last:?}")
    };
    assert_eq!(api.code, ErrorCode::Unknown("model_overloaded".into()));
    assert_eq!(api.request_id.as_deref(), Some("req_9"));
    assert_eq!(api.idempotency_key.as_deref(), Some(key.as_str()));
    assert_eq!(
        stream.text(),
        "Hello",
        "nothing after the error event is read"
    );

    let err = client
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap_err();
    let Error::ChatFailed { error, progress } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.message, "try later");
    assert_eq!(progress.session_id.as_deref(), Some("chs_1"));
    assert_eq!(progress.text, "Hello");
    assert_eq!(err.session_id(), Some("chs_1"));
    assert!(err.idempotency_key().is_some());
}

#[tokio::test]
async fn unknown_events_are_kept_as_other_and_tolerant_shapes_are_typed() {
    let (server, _) = recording(|_, _| {
        let done = completion_json("ab");
        let body = format!(
            "{SSE_HEAD}event: ping\ndata: {{}}\n\n\
             data: not json\n\n\
             event: message\ndata: {{\"delta\": {{\"content\": \"a\"}}}}\n\n\
             event: response.output_text.delta\ndata: b\n\n\
             event: usage\nid: u1\ndata: {{\"tokens\": 3}}\n\n\
             event: done\ndata: {done}\n\n"
        );
        Reply::Raw(body.into_bytes())
    });
    let mut stream = client(&server.url())
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(item) = stream.next().await {
        got.push(item.unwrap());
    }
    let other = |event: &str, data: &str, id: Option<&str>| ChatEvent::Other {
        event: event.into(),
        data: data.into(),
        id: id.map(Into::into),
    };
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[0], other("ping", "{}", None));
    assert_eq!(got[1], other("message", "not json", None));
    assert_eq!(got[2], ChatEvent::Delta { text: "a".into() });
    assert_eq!(got[3], ChatEvent::Delta { text: "b".into() });
    assert_eq!(got[4], other("usage", "{\"tokens\": 3}", Some("u1")));
    let ChatEvent::Completed(c) = &got[5] else {
        panic!("{:?}", got[5])
    };
    assert_eq!(c.credits.final_, 1.0);
    assert_eq!(c.extra["future_field"], true);
    assert_eq!(stream.text(), "ab");
}

#[tokio::test]
async fn done_marker_ends_quietly_but_is_no_completion() {
    let (server, _) = recording(|_, _| {
        let events = turn_events();
        Reply::Raw(
            format!(
                "{SSE_HEAD}{}{}data: [DONE]\n\n{}",
                events[0], events[1], events[4]
            )
            .into_bytes(),
        )
    });
    let client = client(&server.url());
    let mut stream = client.chat_stream(&Request::new("hi")).await.unwrap();
    let mut n = 0;
    while let Some(item) = stream.next().await {
        item.unwrap();
        n += 1;
    }
    assert_eq!(n, 2, "session and one delta, then [DONE] ends it");
    let err = client
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap()
        .into_completion()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ChatStreamBroken { .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_turns_send_nothing() {
    let (server, seen) = recording(|_, _| Reply::Drop);
    let client = client(&server.url());
    let long = Request::new("x".repeat(20_001));
    let err = client.chat(&long).await.unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(v.violations[0].path, "message");
    assert!(err.to_string().contains("20000"), "{err}");
    assert!(matches!(
        client.chat_stream(&long).await,
        Err(Error::Validation(_))
    ));
    let blank = Request::new("   ");
    assert!(matches!(
        client.chat_stream(&blank).await,
        Err(Error::Validation(_))
    ));
    let body = json!({"model": "gpt-5-3-codex-chat", "message": "x".repeat(20_001)});
    assert!(matches!(
        client.chat_value(&body).await,
        Err(Error::Validation(_))
    ));
    let generation = json!({"model": "kling-3-0", "prompt": "a cat"});
    let err = client.chat_value(&generation).await.unwrap_err();
    assert!(
        err.to_string().contains("gpt-5-3-codex-chat"),
        "names the chat models: {err}"
    );
    let unknown_key = json!({"model": "gpt-5-3-codex-chat", "message": "hi", "messages": []});
    assert!(matches!(
        client.chat_stream_value(&unknown_key).await,
        Err(Error::Validation(_))
    ));
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn non_streaming_chat_and_sessions_parse() {
    let (server, seen) = recording(|req, _| {
        let body = match req.path.as_str() {
            "/api/v1/chat/completions" => completion_json("Hi!"),
            "/api/v1/chat/sessions" => json!({"object": "list", "data": [
                {"id": "chs_2", "object": "chat.session", "model": "gpt-5-2-chat", "turns": 1,
                 "created_at": "2026-05-11T00:00:00.000Z", "updated_at": "2026-05-11T00:01:00.000Z"},
                {"id": "chs_1", "object": "chat.session", "model": "gpt-5-3-codex-chat", "turns": 2}]}),
            _ => json!({"id": "chs/1", "object": "chat.session", "model": "gpt-5-3-codex-chat",
                "turns": 1, "pinned": true, "messages": [
                    {"id": "msg_0", "role": "user", "content": "hello", "created_at": "2026-05-11T00:00:00.000Z"},
                    {"id": "msg_1", "role": "assistant", "content": "Hi!"}]}),
        };
        Reply::Json(200, body.to_string(), vec![])
    });
    let client = client(&server.url());
    let req = Request::new("hello").session("chs_1").web_search(true);
    let done = client.chat(&req).await.unwrap();
    assert_eq!(
        (done.id.as_str(), done.session_id.as_str()),
        ("chatcmpl_1", "chs_1")
    );
    assert_eq!(done.message.role, "assistant");
    assert_eq!(done.content(), "Hi!");
    assert_eq!((done.usage.input_tokens, done.usage.output_tokens), (3, 4));
    assert_eq!((done.credits.reserved, done.credits.final_), (20.0, 1.0));
    assert_eq!(done.message.extra["tokens"], 4);
    let list = client.chat_sessions().await.unwrap();
    assert_eq!(list.data.len(), 2);
    assert_eq!((list.data[0].id.as_str(), list.data[0].turns), ("chs_2", 1));
    assert!(list.data[0].messages.is_empty());
    let one = client.chat_session("chs/1").await.unwrap();
    assert_eq!(one.messages.len(), 2);
    assert_eq!(one.messages[0].role, "user");
    assert_eq!(one.extra["pinned"], true);
    let log = seen.lock().unwrap();
    let sent: Value = serde_json::from_slice(&log[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"model": "gpt-5-3-codex-chat", "session_id": "chs_1",
                            "message": "hello", "enable_web_search": true})
    );
    assert!(log[0].header("idempotency-key").is_some());
    assert_eq!(
        log[2].path, "/api/v1/chat/sessions/chs%2F1",
        "the id stays one segment"
    );
}

/// A PNG signature followed by `len - 8` filler bytes.
fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.resize(len, 7);
    b
}

#[tokio::test]
async fn attachments_are_checked_against_the_model_before_upload() {
    let (server, seen) = recording(|_, _| {
        Reply::Json(
            200,
            json!({"id": "file_1", "url": "https://cdn.test/a.png"}).to_string(),
            vec![],
        )
    });
    let client = client(&server.url());
    let info = &rivya_models::gpt_5_3_codex_chat::INFO;
    let too_big = client
        .upload_attachment(Upload::bytes(png(10_000_001), "big.png"), info)
        .await;
    assert!(
        matches!(too_big, Err(Error::UploadRejected { .. })),
        "{too_big:?}"
    );
    let wav = Upload::bytes(b"RIFF\x24\0\0\0WAVEfmt ".to_vec(), "a.wav");
    assert!(matches!(
        client.upload_attachment(wav, info).await,
        Err(Error::UploadRejected { .. })
    ));
    let not_chat = &rivya_models::kling_3_0::INFO;
    let err = client
        .upload_attachment(Upload::bytes(png(100), "a.png"), not_chat)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a.png"), "{err}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "refused files send nothing"
    );
    let ok = client
        .upload_attachment(Upload::bytes(png(100), "a.png"), info)
        .await
        .unwrap();
    assert_eq!(ok.file_id, "file_1");
    let req = Request::new("what is this?").attachments([ok]);
    assert!(req.validate().is_ok());
}

#[tokio::test]
async fn an_upload_answer_without_an_id_keeps_the_key() {
    let (server, _) = recording(|_, _| {
        Reply::Json(
            200,
            json!({"url": "https://cdn.test/a.png"}).to_string(),
            vec![],
        )
    });
    let info = &rivya_models::gpt_5_2_chat::INFO;
    let err = client(&server.url())
        .upload_attachment(
            Upload::bytes(png(100), "a.png").idempotency_key("k-1"),
            info,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.idempotency_key(), Some("k-1"));
}

#[tokio::test]
async fn a_connection_dropped_before_the_answer_is_retried_with_the_key() {
    let (server, seen) = recording(|_, n| match n {
        0 => Reply::Drop,
        _ => Reply::Raw(format!("{SSE_HEAD}{}", turn_events().concat()).into_bytes()),
    });
    let stream = client(&server.url())
        .chat_stream(&Request::new("hi"))
        .await
        .unwrap();
    assert_eq!(stream.into_completion().await.unwrap().id, "chatcmpl_1");
    let log = seen.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[0].header("idempotency-key"),
        log[1].header("idempotency-key")
    );
    assert_eq!(log[0].body, log[1].body);
}
