//! With the `tracing` feature: one `rivya.call` span per call, with method, path, attempt,
//! status, idempotency key and task id — and never the API key.
//! Run with `cargo test -p rivya-runtime --features tracing`.
#![cfg(feature = "tracing")]

mod support;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rivya_runtime::{Client, RetryPolicy};
use support::raw::{RawServer, Reply, task_json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const KEY: &str = "rvya_sk_never_in_a_span_0123";

/// Each span's name and fields, in creation order.
type SpanLog = Vec<(String, HashMap<String, String>)>;

/// Records every span.
#[derive(Clone, Default)]
struct Spans {
    spans: Arc<Mutex<SpanLog>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
}

impl Subscriber for Spans {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attrs.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let i = id.into_u64() as usize - 1;
        values.record(&mut Fields(&mut spans[i].1));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn one_span_per_call_without_the_key() {
    let calls = Arc::new(Mutex::new(0u32));
    let c = calls.clone();
    let server = RawServer::start(true, move |req| {
        let mut n = c.lock().unwrap();
        *n += 1;
        if req.method == "POST" && *n == 1 {
            return Reply::Json(
                503,
                r#"{"error":{"code":"public_api_disabled","message":"m"}}"#.into(),
                vec![],
            );
        }
        Reply::Json(200, task_json("task_traced", "succeeded"), vec![])
    });
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.clone());
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.url())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let sub = client
        .create_value(
            &serde_json::json!({"model": "kling-3-0", "prompt": "p"}),
            Some("key-123".into()),
        )
        .await
        .unwrap();
    client.task(&sub.task.id).await.unwrap();

    let spans = spans.spans.lock().unwrap().clone();
    let calls: Vec<_> = spans.iter().filter(|(n, _)| n == "rivya.call").collect();
    assert_eq!(calls.len(), 2, "{spans:?}");
    let create = &calls[0].1;
    assert_eq!(create["method"], "POST");
    assert_eq!(create["path"], "generations");
    assert_eq!(create["attempt"], "1", "the retry is the second attempt");
    assert_eq!(create["status"], "200");
    assert_eq!(create["idempotency_key"], "key-123");
    assert_eq!(create["task_id"], "task_traced");
    let poll = &calls[1].1;
    assert_eq!(poll["method"], "GET");
    assert_eq!(poll["task_id"], "task_traced");
    assert_eq!(poll["attempt"], "0");
    for (_, fields) in &spans {
        for v in fields.values() {
            assert!(!v.contains(KEY), "the API key leaked into a span: {v}");
        }
    }
}
