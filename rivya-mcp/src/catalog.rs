//! The free tools that read the specs: `list_models`, `describe_model`, `quote`.

use serde_json::{Map, Value, json};

use rivya_models::{Billing, ModelInfo, ParamKind, Quote, UploadPolicy, price};
use rivya_rules::schema;

use crate::args::Args;
use crate::error::ToolResult;
use crate::request::{self, CHAT_ARGS, GENERATION_ARGS};
use crate::state::State;

/// `list_models`: every model this server may call, with what it costs and takes.
pub fn list_models(state: &State, map: &Map<String, Value>) -> ToolResult {
    let args = Args::new(map, "list_models", &["capability"])?;
    let capability = args.str("capability")?;
    let models: Vec<Value> = state
        .models()
        .into_iter()
        .filter(|m| capability.is_none_or(|c| m.capability.as_str() == c))
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.display_name,
                "capability": m.capability.as_str(),
                "billing": m.billing.as_str(),
                "credits": m.base_credits,
                "price": price_text(m),
                "takes": takes(m),
            })
        })
        .collect();
    Ok(json!({"models": models, "budget": state.budget_view()?}))
}

/// `describe_model`: one model's parameters, limits, upload policy, price and JSON Schema.
///
/// `schema` is `rivya_rules::schema`'s, the builder that writes the published
/// `openapi/models/<id>.json`; what only an agent of this server needs to know (how to get a
/// reference item) is said beside it, never inside it.
pub fn describe_model(state: &State, map: &Map<String, Value>) -> ToolResult {
    let args = Args::new(map, "describe_model", &["model"])?;
    let info = state.model(args.required_str("model")?)?;
    let params: Vec<Value> = info
        .params
        .iter()
        .map(|p| {
            let mut v = schema::param(p);
            v["key"] = json!(p.key);
            v["required"] = json!(p.required);
            v
        })
        .collect();
    let upload = info.upload.as_ref().map(|u| {
        json!({
            "max_files": u.max_files,
            "kinds": u.kinds.iter().map(|k| json!({
                "kind": k.kind.as_str(), "max_bytes": k.max_bytes, "mime_types": k.mime_types,
            })).collect::<Vec<_>>(),
            "rule": u.reference_rule,
            "files_api_required": true,
            "items": if info.is_chat() {
                "upload each image with the `upload` tool (it returns the attachment), or pass \
                 local image paths in chat's `attachments`"
            } else {
                "upload each file with the `upload` tool (it returns the item), or pass local \
                 paths in generate's `references`"
            },
        })
    });
    Ok(json!({
        "id": info.id,
        "name": info.display_name,
        "capability": info.capability.as_str(),
        "tool": if info.is_chat() { "chat" } else { "generate" },
        "billing": info.billing.as_str(),
        "credits": info.base_credits,
        "price": price_text(info),
        "prompt": {"required": info.prompt_required || info.is_chat(), "max_chars": info.prompt_max_chars},
        "params": params,
        "upload": upload,
        "chat": info.chat.map(|c| json!({
            "max_attachments": c.max_attachments,
            "web_search": c.web_search,
            "reasoning_effort": c.reasoning_effort,
        })),
        "example": info.minimal_example.and_then(|e| serde_json::from_str::<Value>(e).ok()),
        "source_url": info.source_url,
        "schema": schema::standalone(info),
    }))
}

/// `quote`: validates the call a `generate` or `chat` would make and prices it.
pub async fn quote(state: &State, map: &Map<String, Value>) -> ToolResult {
    let mut known: Vec<&str> = GENERATION_ARGS.to_vec();
    known.extend(CHAT_ARGS.iter().filter(|a| !GENERATION_ARGS.contains(a)));
    let args = Args::new(map, "quote", &known)?;
    let info = state.model(args.required_str("model")?)?;
    let p = if info.is_chat() {
        request::chat(state, &args).await?
    } else {
        request::generation(state, &args).await?
    };
    let q = p.quote();
    let mut out = json!({
        "model": info.id,
        "billing": info.billing.as_str(),
        "price": quote_text(&q),
        "budget": state.budget_view()?,
    });
    match q {
        Quote::Exact { credits } => {
            out["credits"] = json!(credits);
        }
        Quote::Range { min, max, reserved } => {
            out["min_credits"] = json!(min);
            out["max_credits"] = json!(max);
            out["reserved_credits"] = json!(reserved);
        }
        // A kind of quote added later: its text above says it.
        _ => {}
    }
    if let Some(budget) = out["budget"].as_object()
        && let Some(left) = budget.get("left").and_then(Value::as_u64)
    {
        out["fits_budget"] = json!(p.cost() <= left);
    }
    Ok(out)
}

/// A quote for people.
fn quote_text(q: &Quote) -> String {
    match *q {
        Quote::Exact { credits } => format!("{credits} credits"),
        Quote::Range {
            min,
            max: Some(max),
            reserved,
        } => format!("{min} to {max} credits ({reserved} reserved, settled by tokens)"),
        Quote::Range { min, max: None, .. } => {
            format!("at least {min} credits (metered: the final charge follows the output)")
        }
        _ => "see describe_model".to_owned(),
    }
}

/// A model's price for people, before any particular request.
fn price_text(m: &ModelInfo) -> String {
    match m.billing {
        Billing::Fixed => format!("{} credits per task", m.base_credits),
        Billing::Metered => format!(
            "at least {} credits per task (metered: the final charge follows the output)",
            m.base_credits
        ),
        Billing::TokenBased => format!(
            "token-based: {} credits per 1000 tokens; a short turn reserves {} and keeps at least 1",
            m.base_credits,
            price::chat_reserved(u64::from(m.base_credits), 0)
        ),
        _ => format!("{} base credits", m.base_credits),
    }
}

/// What a model takes, in one line.
fn takes(m: &ModelInfo) -> String {
    let mut parts = Vec::new();
    let text = if m.is_chat() { "message" } else { "prompt" };
    match (m.prompt_required || m.is_chat(), m.prompt_max_chars) {
        (true, Some(n)) => parts.push(format!("{text} (≤{n} chars)")),
        (true, None) => parts.push(text.to_owned()),
        (false, Some(n)) => parts.push(format!("optional {text} (≤{n} chars)")),
        (false, None) => parts.push(format!("optional {text}")),
    }
    let params: Vec<String> = m.params.iter().map(param_text).collect();
    if !params.is_empty() {
        parts.push(format!("params: {}", params.join("; ")));
    }
    if let Some(c) = &m.chat {
        if c.max_attachments > 0 {
            parts.push(format!("up to {} image attachments", c.max_attachments));
        }
        if c.web_search {
            parts.push("web search".to_owned());
        }
        if c.reasoning_effort {
            parts.push("reasoning_effort".to_owned());
        }
    } else if let Some(u) = &m.upload {
        parts.push(format!(
            "up to {} reference files: {}",
            u.max_files,
            kinds_text(u)
        ));
    }
    parts.join(". ")
}

/// The accepted kinds of an upload policy, for people (`image (≤10 MB: jpeg, png, webp)`).
fn kinds_text(policy: &UploadPolicy) -> String {
    policy
        .kinds
        .iter()
        .map(|k| {
            let mb = k.max_bytes as f64 / 1_000_000.0;
            let mimes: Vec<&str> = k
                .mime_types
                .iter()
                .map(|m| m.split('/').nth(1).unwrap_or(m))
                .collect();
            format!("{} (≤{mb} MB: {})", k.kind.as_str(), mimes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn param_text(p: &rivya_models::ParamInfo) -> String {
    let req = if p.required { " (required)" } else { "" };
    let detail = match p.kind {
        ParamKind::Select { options, default } => {
            let shown: Vec<&str> = options.iter().take(8).copied().collect();
            let more = if options.len() > 8 { "|…" } else { "" };
            let def = default
                .map(|d| format!(", default {d}"))
                .unwrap_or_default();
            format!("{}{more}{def}", shown.join("|"))
        }
        ParamKind::Number { min, max, .. } => match (min, max) {
            (Some(lo), Some(hi)) => format!("{lo}..{hi}"),
            (Some(lo), None) => format!("≥{lo}"),
            (None, Some(hi)) => format!("≤{hi}"),
            (None, None) => "number".to_owned(),
        },
        _ => p.kind.type_name().to_owned(),
    };
    format!("{} {detail}{req}", p.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kling_takes_its_params_and_two_images() {
        let m = rivya_models::catalog::find("kling-3-0").unwrap();
        let t = takes(m);
        assert!(t.contains("duration 3|4|5|6|7|8|9|10|…, default 5"), "{t}");
        assert!(t.contains("up to 2 reference files: image"), "{t}");
        assert_eq!(price_text(m), "90 credits per task");
    }
}
