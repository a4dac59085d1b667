//! Valid create bodies, drawn at random within each model's documented rules.

use fastrand::Rng;
use rivya_models::wire::json_number;
use rivya_models::{ChatInfo, MediaKind, ModelInfo, ParamInfo, ParamKind, UploadPolicy};
use rivya_rules::chat::REASONING_EFFORTS;
use serde_json::{Map, Value, json};

/// A body every rule accepts: required keys always, optional ones at random.
pub fn valid(rng: &mut Rng, info: &ModelInfo) -> Value {
    match &info.chat {
        Some(chat) => chat_turn(rng, info, chat),
        None => generation(rng, info),
    }
}

fn generation(rng: &mut Rng, info: &ModelInfo) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), info.id.into());
    if info.prompt_required || rng.bool() {
        body.insert("prompt".into(), prompt(rng, info).into());
    }
    let mut params = Map::new();
    for p in info.params {
        if p.required || rng.bool() {
            params.insert(p.key.into(), value(rng, p));
        }
    }
    if let Some(policy) = &info.upload
        && rng.bool()
    {
        let n = rng.usize(0..=policy.max_files as usize);
        let items: Vec<Value> = (0..n).map(|_| reference(rng, policy)).collect();
        params.insert("referenceMediaItems".into(), items.into());
    }
    if info.params_required || !params.is_empty() || rng.bool() {
        body.insert("params".into(), params.into());
    }
    if rng.u8(0..4) == 0 {
        body.insert("client_request_id".into(), "trace-1".into());
    }
    body.into()
}

fn chat_turn(rng: &mut Rng, info: &ModelInfo, chat: &ChatInfo) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), info.id.into());
    body.insert("message".into(), prompt(rng, info).into());
    if rng.bool() {
        body.insert("session_id".into(), "sess_1".into());
    }
    if chat.max_attachments > 0 && rng.bool() {
        let n = rng.usize(0..=chat.max_attachments as usize);
        let items: Vec<Value> = (0..n)
            .map(|i| json!({"file_id": format!("file_{i}")}))
            .collect();
        body.insert("attachments".into(), items.into());
    }
    if rng.bool() {
        body.insert(
            "enable_web_search".into(),
            (chat.web_search && rng.bool()).into(),
        );
    }
    if chat.reasoning_effort && rng.bool() {
        let effort = REASONING_EFFORTS[rng.usize(0..REASONING_EFFORTS.len())];
        body.insert("reasoning_effort".into(), effort.into());
    }
    body.into()
}

/// A prompt within the limit, sometimes with text outside the BMP (two UTF-16 units each).
pub fn prompt(rng: &mut Rng, info: &ModelInfo) -> String {
    let max = info.prompt_max_chars.unwrap_or(400) as usize;
    let words = ["A ", "calm ", "lake ", "at ", "dawn ", "é ", "🌅 "];
    let mut s = String::from("A");
    loop {
        let w = words[rng.usize(0..words.len())];
        if (s.clone() + w).encode_utf16().count() > max.min(120) {
            return s;
        }
        s.push_str(w);
    }
}

/// A value the parameter accepts.
pub fn value(rng: &mut Rng, p: &ParamInfo) -> Value {
    match p.kind {
        ParamKind::Select { options, .. } => options[rng.usize(0..options.len())].into(),
        ParamKind::Number {
            integer,
            min,
            max,
            step,
            ..
        } => number(rng, integer, min, max, step),
        ParamKind::Text { .. } => "some text".into(),
        ParamKind::Url => "https://cdn.example.com/input.mp4".into(),
        ParamKind::List { min_items, fields } => {
            let n = min_items as usize + rng.usize(0..3);
            let item: Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), Value::from("line")))
                .collect();
            vec![Value::Object(item); n].into()
        }
        _ => panic!("a param kind this test does not know: {:?}", p.kind),
    }
}

/// The range a number is drawn from: the documented one, else 100 wide.
pub fn span(min: Option<f64>, max: Option<f64>) -> (f64, f64) {
    let lo = min.unwrap_or(max.map_or(0.0, |m| m - 100.0));
    (lo, max.unwrap_or(lo + 100.0))
}

fn number(
    rng: &mut Rng,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<f64>,
) -> Value {
    let (lo, hi) = span(min, max);
    let v = match step {
        Some(s) if s > 0.0 => {
            let base = min.unwrap_or(0.0);
            let kmin = ((lo - base) / s - 1e-9).ceil() as i64;
            let kmax = ((hi - base) / s + 1e-9).floor() as i64;
            base + rng.i64(kmin..=kmax.max(kmin)) as f64 * s
        }
        _ if integer => rng.i64(lo.ceil() as i64..=hi.floor() as i64) as f64,
        _ => lo + rng.f64() * (hi - lo),
    };
    let v = (v * 1e9).round() / 1e9;
    json_number(v.clamp(lo, hi))
}

/// A reference item the policy accepts (MIME type and name sometimes left out or `null`).
pub fn reference(rng: &mut Rng, policy: &UploadPolicy) -> Value {
    let limit = &policy.kinds[rng.usize(0..policy.kinds.len())];
    let mut item = json!({"url": "https://cdn.example.com/ref.bin", "kind": limit.kind.as_str()});
    match rng.u8(0..3) {
        0 => item["mimeType"] = limit.mime_types[rng.usize(0..limit.mime_types.len())].into(),
        1 => item["mimeType"] = Value::Null,
        _ => {}
    }
    if rng.bool() {
        item["name"] = "ref.bin".into();
    }
    if matches!(limit.kind, MediaKind::Video | MediaKind::Audio) {
        item["durationToken"] = "dt_1".into();
        item["durationSeconds"] = 5.into();
    }
    item
}
