//! Raw-HTTP helpers shared by the chat tests: requests, an SSE reader for the emulator's
//! one-line events, and the settlement rule written out independently of the emulator.

// Each test file uses part of these.
#![allow(dead_code)]

use rivya_emulator::Emulator;
use serde_json::{Value, json};

/// The chat model most tests talk to (3 base credits).
pub const MODEL: &str = "gpt-5-2-chat";

/// The emulator's API over plain reqwest.
pub struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    /// A client of this emulator.
    pub fn new(emu: &Emulator) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: emu.base_url().to_owned(),
            key: emu.api_key().to_owned(),
        }
    }

    /// A POST with the key and, when given, an `Idempotency-Key`.
    pub fn post(&self, path: &str, body: &Value, key: Option<&str>) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req
    }

    /// A complete turn: status and body.
    pub async fn turn(&self, body: &Value, key: Option<&str>) -> (u16, Value) {
        let resp = self
            .post("/api/v1/chat/completions", body, key)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// A streamed turn: its events, and whether the stream ended cleanly.
    pub async fn stream(&self, body: &Value, key: Option<&str>) -> (Vec<Sse>, bool) {
        use futures_util::StreamExt;
        let resp = self
            .post("/api/v1/chat/completions/stream", body, key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        let mut bytes = Vec::new();
        let mut chunks = resp.bytes_stream();
        let mut clean = true;
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(c) => bytes.extend_from_slice(&c),
                Err(_) => {
                    clean = false;
                    break;
                }
            }
        }
        (parse_sse(&String::from_utf8(bytes).unwrap()), clean)
    }

    /// A GET: status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// `/_emulator/stats`.
    pub async fn stats(&self) -> Value {
        let resp = self
            .http
            .get(format!("{}/_emulator/stats", self.base))
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap()
    }

    /// The wallet's balance.
    pub async fn wallet(&self) -> f64 {
        self.get("/api/v1/credits").await.1["current_credits"]
            .as_f64()
            .unwrap()
    }

    /// Uploads a file of `kind`; returns its id.
    pub async fn upload(&self, kind: &str, name: &str, bytes: Vec<u8>) -> String {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        let resp = self
            .http
            .post(format!("{}/api/v1/files", self.base))
            .bearer_auth(&self.key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

/// One parsed event (the emulator writes one `data:` line per event).
#[derive(Debug)]
pub struct Sse {
    pub id: String,
    pub event: String,
    pub data: Value,
}

/// Splits a stream's text into events.
pub fn parse_sse(text: &str) -> Vec<Sse> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut e = Sse {
                id: String::new(),
                event: String::new(),
                data: Value::Null,
            };
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    e.id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    e.event = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    e.data = serde_json::from_str(v).unwrap();
                }
            }
            e
        })
        .collect()
}

/// The texts of the delta events, joined.
pub fn deltas(events: &[Sse]) -> String {
    events
        .iter()
        .filter(|e| e.event == "delta")
        .map(|e| e.data["delta"].as_str().unwrap())
        .collect()
}

/// A turn of [`MODEL`] with this message.
pub fn turn_body(message: &str) -> Value {
    json!({"model": MODEL, "message": message})
}

/// Asserts the documented envelope; returns status and code.
pub fn code(status: u16, body: &Value) -> (u16, &str) {
    let e = &body["error"];
    assert!(e["message"].is_string(), "not an envelope: {body}");
    assert!(
        e["requestId"].as_str().unwrap().starts_with("req_"),
        "{body}"
    );
    (status, e["code"].as_str().unwrap())
}

/// The settlement rule, written out again here so the test can disagree with the emulator.
pub fn expected_credits(
    base: u64,
    message: &str,
    attachments: u64,
    reply: &str,
) -> (u64, u64, u64, u64) {
    let tokens = |t: &str| (t.encode_utf16().count() as u64).div_ceil(4);
    let input = tokens(message) + 256 * attachments;
    let output = tokens(reply);
    let reserved = base * (input + 4096).div_ceil(1000);
    let fin = reserved.min((base * (input + output)).div_ceil(1000).max(1));
    (input, output, reserved, fin)
}
