//! `rivya models` (the catalog) and `rivya models <id>` (one model in detail, from the
//! generated metadata: params with type, options, default and range; prompt limit; credits;
//! upload policy).

use rivya_models::{CatalogModel, ModelInfo, ParamKind, catalog};
use rivya_runtime::Client;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::render::Render;

pub async fn run(client: &Client, id: Option<&str>, render: Render) -> Result<(), Failure> {
    if let Some(id) = id {
        let info = catalog::find(id).ok_or_else(|| {
            Failure::invalid(format!(
                "unknown model `{id}`; `rivya models` lists the known ones"
            ))
        })?;
        render.result(&detail_json(info), &detail_text(info));
        return Ok(());
    }
    list(client, render).await;
    Ok(())
}

/// How long `rivya models` waits for the live catalog before showing the compiled one alone.
const LIVE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The compiled catalog (every spec of this build, offline), with what the live API adds when
/// it answers: models it lists that this build has no spec for, and specs it does not list.
async fn list(client: &Client, render: Render) {
    let live = tokio::time::timeout(LIVE_WAIT, client.models()).await;
    let live: Option<Vec<CatalogModel>> = match live {
        Ok(Ok(list)) => Some(list.data),
        Ok(Err(e)) => {
            render.note(
                "live_catalog_unavailable",
                json!({"message": e.to_string()}),
                &format!("(the live catalog did not answer: {e}; showing this build's)"),
            );
            None
        }
        Err(_) => {
            render.note(
                "live_catalog_unavailable",
                json!({"message": "timed out"}),
                "(the live catalog did not answer in time; showing this build's)",
            );
            None
        }
    };
    let listed = |id: &str| live.as_ref().map(|l| l.iter().any(|m| m.id == id));
    let mut rows = Vec::new();
    let mut text = String::new();
    let compiled = catalog::all().iter().map(|m| CatalogModel::from(*m));
    let compiled = compiled.map(|m| {
        let source = match listed(&m.id) {
            Some(true) => "both",
            Some(false) => "spec only",
            None => "spec",
        };
        (m, source)
    });
    let live_only = live.iter().flatten().filter(|m| m.spec().is_none());
    for (m, source) in compiled.chain(live_only.map(|m| (m.clone(), "live only"))) {
        rows.push(row_json(&m, source));
        text += &row_text(&m, source);
    }
    text += "`rivya models <id>` shows a model's parameters";
    render.result(&Value::Array(rows), &text);
}

/// One model of the list, the same fields whichever side it comes from.
fn row_json(m: &CatalogModel, source: &str) -> Value {
    json!({
        "id": m.id, "display_name": m.display_name,
        "capability": m.capability.map(|c| c.as_str()).or_else(|| raw(m, "category")),
        "base_credits": credits(m),
        "billing": m.billing.map(|b| b.as_str()).or_else(|| raw(m, "billing_type")),
        "source": source,
    })
}

fn row_text(m: &CatalogModel, source: &str) -> String {
    let capability = m
        .capability
        .map(|c| c.as_str())
        .or_else(|| raw(m, "category"));
    let credits = credits(m)
        .map(|c| format!("{:>5} credits", c.to_string()))
        .unwrap_or_default();
    let mark = match source {
        "spec only" => "  (not in the live catalog)",
        "live only" => "  (live only: no spec in this build)",
        _ => "",
    };
    format!(
        "{:<24} {:<6} {credits:>13}  {}{mark}\n",
        m.id,
        capability.unwrap_or(""),
        m.display_name
    )
}

/// The base price; one this build cannot type (a fraction, say) as the API sent it.
fn credits(m: &CatalogModel) -> Option<Value> {
    let raw = || m.extra.get("base_credits").cloned();
    m.base_credits.map(Value::from).or_else(raw)
}

/// A wire value this build has no type for, as the live API sent it.
fn raw<'a>(m: &'a CatalogModel, key: &str) -> Option<&'a str> {
    m.extra.get(key).and_then(Value::as_str)
}

fn param_json(kind: &ParamKind) -> Value {
    match *kind {
        ParamKind::Select { options, default } => {
            json!({"type": "select", "options": options, "default": default})
        }
        ParamKind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => json!({
            "type": if integer { "integer" } else { "number" },
            "min": min, "max": max, "step": step, "default": default,
        }),
        ParamKind::Text { default } => json!({"type": "text", "default": default}),
        ParamKind::List { min_items, fields } => {
            json!({"type": "list", "min_items": min_items, "fields": fields})
        }
        _ => json!({"type": kind.type_name()}),
    }
}

fn detail_json(info: &ModelInfo) -> Value {
    let params: Vec<Value> = info
        .params
        .iter()
        .map(|p| {
            let mut v = param_json(&p.kind);
            v["key"] = json!(p.key);
            v["required"] = json!(p.required);
            v["description"] = json!(p.description);
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
        })
    });
    json!({
        "id": info.id,
        "display_name": info.display_name,
        "capability": info.capability.as_str(),
        "billing": info.billing.as_str(),
        "base_credits": info.base_credits,
        "prompt_required": info.prompt_required,
        "prompt_max_chars": info.prompt_max_chars,
        "params": params,
        "upload": upload,
        "source_url": info.source_url,
    })
}

fn num(n: f64) -> String {
    rivya_models::wire::format_number(n)
}

fn kind_text(kind: &ParamKind) -> String {
    match *kind {
        ParamKind::Select { options, default } => {
            let mut s = format!("one of: {}", options.join(", "));
            if let Some(d) = default {
                s += &format!(" (default {d})");
            }
            s
        }
        ParamKind::Number {
            integer,
            min,
            max,
            step,
            default,
        } => {
            let mut s = (if integer { "integer" } else { "number" }).to_owned();
            match (min, max) {
                (Some(a), Some(b)) => s += &format!(" {}..={}", num(a), num(b)),
                (Some(a), None) => s += &format!(" ≥ {}", num(a)),
                (None, Some(b)) => s += &format!(" ≤ {}", num(b)),
                (None, None) => {}
            }
            if let Some(st) = step {
                s += &format!(", step {}", num(st));
            }
            if let Some(d) = default {
                s += &format!(" (default {})", num(d));
            }
            s
        }
        ParamKind::Text { default } => match default {
            Some(d) => format!("text (default {d})"),
            None => "text".to_owned(),
        },
        ParamKind::List { min_items, fields } => format!(
            "JSON list (at least {min_items}) of objects with {}",
            fields.join(", ")
        ),
        _ => kind.type_name().to_owned(),
    }
}

fn detail_text(info: &ModelInfo) -> String {
    let mut s = format!(
        "{} — {} ({}, {} credits, {} billing)\n",
        info.id,
        info.display_name,
        info.capability.as_str(),
        info.base_credits,
        info.billing.as_str()
    );
    let prompt = match (info.prompt_required, info.prompt_max_chars) {
        (true, Some(n)) => format!("required, at most {n} characters"),
        (true, None) => "required, no documented limit".to_owned(),
        (false, Some(n)) => format!("optional, at most {n} characters"),
        (false, None) => "optional".to_owned(),
    };
    s += &format!("prompt: {prompt}\n");
    if info.params.is_empty() {
        s += "params: none\n";
    } else {
        s += "params (key=value):\n";
        for p in info.params {
            let req = if p.required { " [required]" } else { "" };
            s += &format!("  {}{req}: {}\n", p.key, kind_text(&p.kind));
        }
    }
    match &info.upload {
        None => s += "references: none accepted\n",
        Some(u) => {
            s += &format!("references (--ref @file): up to {}\n", u.max_files);
            for k in u.kinds {
                s += &format!(
                    "  {}: up to {} bytes, {}\n",
                    k.kind.as_str(),
                    k.max_bytes,
                    k.mime_types.join(", ")
                );
            }
            if !u.reference_rule.is_empty() {
                s += &format!("  rule: {}\n", u.reference_rule);
            }
        }
    }
    s += &format!("source: {}", info.source_url);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_show_params_limits_credits_and_uploads() {
        let info = catalog::find("kling-3-0").unwrap();
        let t = detail_text(info);
        assert!(t.contains("duration: one of: 3, 4, 5"), "{t}");
        assert!(t.contains("(default 5)"), "{t}");
        assert!(t.contains("credits"), "{t}");
        assert!(t.contains("references (--ref @file): up to"), "{t}");
        assert!(t.contains("image/png"), "{t}");
        let grok = catalog::find("grok-imagine-video").unwrap();
        assert!(
            detail_text(grok).contains("integer"),
            "{}",
            detail_text(grok)
        );
        let v = detail_json(info);
        assert_eq!(v["params"][2]["key"], "duration");
        assert_eq!(v["params"][2]["type"], "select");
    }
}
