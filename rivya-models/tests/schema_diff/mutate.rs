//! Bodies broken in every way a spec can be broken, each labelled with what was broken.

use fastrand::Rng;
use rivya_models::{MediaKind, ModelInfo, ParamInfo, ParamKind};
use serde_json::{Value, json};

use crate::bodies::{self, span};

/// A broken body and what broke it.
pub type Broken = (&'static str, Value);

/// Every applicable breakage of `valid` (a valid body of `info`).
pub fn all(rng: &mut Rng, info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let mut out = common(info, valid);
    if info.chat.is_some() {
        out.extend(chat(info, valid));
        return out;
    }
    out.extend(prompt(rng, info, valid));
    for p in info.params {
        out.extend(param(rng, p, valid));
    }
    out.extend(references(rng, info, valid));
    out
}

fn with(valid: &Value, f: impl FnOnce(&mut Value)) -> Value {
    let mut v = valid.clone();
    f(&mut v);
    v
}

/// `params`, created when the valid body left it out.
fn params(v: &mut Value) -> &mut Value {
    if v.get("params").is_none() {
        v["params"] = json!({});
    }
    &mut v["params"]
}

fn common(info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let mut out = vec![
        ("unknown key", with(valid, |v| v["colour"] = "red".into())),
        (
            "missing required",
            with(valid, |v| drop(v.as_object_mut().unwrap().remove("model"))),
        ),
        ("wrong type", with(valid, |v| v["model"] = 7.into())),
        (
            "unknown model",
            with(valid, |v| v["model"] = "no-such-model".into()),
        ),
        ("wrong type", json!([valid])),
        (
            "wrong type",
            with(valid, |v| v["client_request_id"] = json!({"a": 1})),
        ),
    ];
    if info.chat.is_none() {
        out.push(("wrong type", with(valid, |v| v["params"] = json!(["x"]))));
        out.push((
            "unknown key",
            with(valid, |v| params(v)["notAParam"] = 1.into()),
        ));
    }
    out
}

fn prompt(rng: &mut Rng, info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let mut out = vec![("wrong type", with(valid, |v| v["prompt"] = json!(["text"])))];
    if info.prompt_required {
        out.push((
            "missing required",
            with(valid, |v| drop(v.as_object_mut().unwrap().remove("prompt"))),
        ));
        out.push((
            "blank prompt",
            with(valid, |v| v["prompt"] = " \t\u{3000}\n".into()),
        ));
    }
    out.extend(over_long("prompt", rng, info, valid));
    out
}

/// Text one unit over the limit in ASCII (both refuse), and text within the limit in code
/// points but over it in UTF-16 units (only the `x-rivya-max-utf16-units` rule refuses).
fn over_long(key: &str, _rng: &mut Rng, info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let Some(max) = info.prompt_max_chars else {
        return Vec::new();
    };
    let ascii = "a".repeat(max as usize + 1);
    let astral = "🌅".repeat(max as usize / 2 + 1);
    vec![
        ("over-long prompt", with(valid, |v| v[key] = ascii.into())),
        (
            "over-long prompt (UTF-16)",
            with(valid, |v| v[key] = astral.into()),
        ),
    ]
}

fn set(valid: &Value, key: &str, value: Value) -> Value {
    with(valid, |v| params(v)[key] = value)
}

fn param(rng: &mut Rng, p: &ParamInfo, valid: &Value) -> Vec<Broken> {
    let mut out = Vec::new();
    if p.required {
        out.push((
            "missing required",
            with(valid, |v| {
                drop(params(v).as_object_mut().unwrap().remove(p.key))
            }),
        ));
    }
    match p.kind {
        ParamKind::Select { options, .. } => {
            out.push((
                "option not in list",
                set(valid, p.key, "no-such-option".into()),
            ));
            out.push((
                "option not in list",
                set(valid, p.key, format!("{} ", options[0]).into()),
            ));
            out.push(("wrong type", set(valid, p.key, json!(true))));
            if options == ["false", "true"] {
                // A boolean select is spelled as a string on the wire.
                out.push(("wrong type", set(valid, p.key, json!(false))));
            }
        }
        ParamKind::Number {
            integer,
            min,
            max,
            step,
            ..
        } => {
            out.extend(number(rng, p.key, integer, (min, max), step, valid));
        }
        ParamKind::Text { .. } => out.push(("wrong type", set(valid, p.key, 12.into()))),
        ParamKind::Url => {
            for bad in [
                "ftp://example.com/a.mp4",
                "https:///a.mp4",
                "https://exa mple.com/a",
                "a.mp4",
            ] {
                out.push(("bad url", set(valid, p.key, bad.into())));
            }
            out.push((
                "wrong type",
                set(valid, p.key, json!({"url": "https://a.b/"})),
            ));
        }
        ParamKind::List { min_items, fields } => {
            out.extend(list(p.key, min_items, fields, valid));
        }
        _ => {}
    }
    out
}

fn number(
    rng: &mut Rng,
    key: &str,
    integer: bool,
    (min, max): (Option<f64>, Option<f64>),
    step: Option<f64>,
    valid: &Value,
) -> Vec<Broken> {
    let mut out = vec![
        ("wrong type", set(valid, key, "5".into())),
        ("wrong type", set(valid, key, Value::Null)),
    ];
    if let Some(min) = min {
        let below = if integer { min - 1.0 } else { min - 0.5 };
        out.push(("out of range", set(valid, key, json!(below))));
    }
    if let Some(max) = max {
        let above = if integer { max + 1.0 } else { max + 0.25 };
        out.push(("out of range", set(valid, key, json!(above))));
    }
    let (lo, hi) = span(min, max);
    if integer {
        out.push(("not an integer", set(valid, key, json!(lo + 0.5))));
        // 3.0: a whole number written as a decimal; JSON Schema calls it an integer.
        out.push((
            "integer spelled as a decimal",
            set(valid, key, json!(lo.ceil())),
        ));
    }
    if let Some(s) = step.filter(|s| *s > 0.0) {
        let base = min.unwrap_or(0.0);
        let off = base + s * (1.0 + rng.f64() * 0.5 + 0.25).min(1.75);
        if off < hi && (!integer || off.fract() == 0.0) {
            out.push(("off step", set(valid, key, json!(off))));
        }
        if integer && s > 1.0 && base + 1.0 <= hi {
            out.push(("off step", set(valid, key, json!((base + 1.0) as i64))));
        }
    }
    out
}

fn list(key: &str, min_items: u32, fields: &[&str], valid: &Value) -> Vec<Broken> {
    let item: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), Value::from("x")))
        .collect();
    let good = Value::Object(item);
    let n = min_items.max(1) as usize;
    let mut out = vec![
        ("wrong type", set(valid, key, json!("lines"))),
        ("wrong type", set(valid, key, json!(vec![json!("line"); n]))),
        (
            "unknown key",
            set(
                valid,
                key,
                json!(vec![with(&good, |v| v["extra"] = "x".into()); n]),
            ),
        ),
        (
            "wrong type",
            set(
                valid,
                key,
                json!(vec![with(&good, |v| v[fields[0]] = 1.into()); n]),
            ),
        ),
        (
            "missing required",
            set(
                valid,
                key,
                json!(vec![
                    with(&good, |v| drop(
                        v.as_object_mut().unwrap().remove(fields[0])
                    ));
                    n
                ]),
            ),
        ),
    ];
    if min_items > 0 {
        out.push((
            "too few items",
            set(valid, key, json!(vec![good; min_items as usize - 1])),
        ));
    }
    out
}

fn references(rng: &mut Rng, info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let key = "referenceMediaItems";
    let Some(policy) = &info.upload else {
        let item = json!({"url": "https://cdn.example.com/a.png", "kind": "image"});
        return vec![
            ("too many references", set(valid, key, json!([item]))),
            ("wrong type", set(valid, key, json!({"url": "x"}))),
        ];
    };
    let good = bodies::reference(rng, policy);
    let one = |f: &dyn Fn(&mut Value)| set(valid, key, json!([with(&good, f)]));
    let too_many: Vec<Value> = (0..=policy.max_files).map(|_| good.clone()).collect();
    let mut out = vec![
        ("too many references", set(valid, key, json!(too_many))),
        ("wrong type", set(valid, key, json!(good))),
        (
            "bad reference",
            one(&|v| v["url"] = "cdn.example.com/a.png".into()),
        ),
        ("bad reference", one(&|v| v["url"] = Value::Null)),
        ("bad reference", one(&|v| v["kind"] = "document".into())),
        (
            "bad reference",
            one(&|v| drop(v.as_object_mut().unwrap().remove("kind"))),
        ),
        (
            "bad reference",
            one(&|v| v["mimeType"] = "application/pdf".into()),
        ),
        ("bad reference", one(&|v| v["durationSeconds"] = "5".into())),
        ("bad reference", one(&|v| v["name"] = 3.into())),
        ("unknown key", one(&|v| v["size"] = 10.into())),
        (
            "wrong type",
            set(valid, key, json!(["https://cdn.example.com/a.png"])),
        ),
    ];
    for kind in MediaKind::ALL {
        let accepted = policy.kind(kind).is_some();
        let item = json!({"url": "https://cdn.example.com/a", "kind": kind.as_str()});
        if !accepted {
            out.push(("kind not accepted", set(valid, key, json!([item]))));
        } else if kind.has_duration() {
            out.push(("bad reference", set(valid, key, json!([item]))));
            let blank = with(&item, |v| v["durationToken"] = "  ".into());
            out.push(("bad reference", set(valid, key, json!([blank]))));
        }
    }
    out
}

fn chat(info: &ModelInfo, valid: &Value) -> Vec<Broken> {
    let chat = info.chat.as_ref().unwrap();
    let drop_key =
        |k: &'static str| with(valid, move |v| drop(v.as_object_mut().unwrap().remove(k)));
    let mut out = vec![
        ("missing required", drop_key("message")),
        ("blank prompt", with(valid, |v| v["message"] = "   ".into())),
        ("wrong type", with(valid, |v| v["message"] = 5.into())),
        ("chat fields", with(valid, |v| v["session_id"] = " ".into())),
        ("chat fields", with(valid, |v| v["session_id"] = 1.into())),
        (
            "chat fields",
            with(valid, |v| v["enable_web_search"] = "true".into()),
        ),
        (
            "chat fields",
            with(valid, |v| v["reasoning_effort"] = "extreme".into()),
        ),
        (
            "chat fields",
            with(valid, |v| v["attachments"] = json!({"file_id": "f"})),
        ),
        (
            "chat fields",
            with(valid, |v| v["attachments"] = json!([{"file_id": " "}])),
        ),
        (
            "chat fields",
            with(valid, |v| v["attachments"] = json!([{}])),
        ),
        (
            "chat fields",
            with(valid, |v| {
                v["attachments"] = json!([{"file_id": "f", "url": "u"}])
            }),
        ),
        (
            "chat fields",
            with(valid, |v| v["attachments"] = json!(["f"])),
        ),
        ("unknown key", with(valid, |v| v["messages"] = json!([]))),
    ];
    let n = chat.max_attachments as usize + 1;
    let many: Vec<Value> = (0..n)
        .map(|i| json!({"file_id": format!("f{i}")}))
        .collect();
    out.push((
        "chat fields",
        with(valid, |v| v["attachments"] = many.into()),
    ));
    if !chat.web_search {
        out.push((
            "chat fields",
            with(valid, |v| v["enable_web_search"] = true.into()),
        ));
    }
    if !chat.reasoning_effort {
        out.push((
            "chat fields",
            with(valid, |v| v["reasoning_effort"] = "low".into()),
        ));
    }
    let mut rng = Rng::with_seed(0);
    out.extend(over_long("message", &mut rng, info, valid));
    out
}
