//! `rivya batch MANIFEST --dry-run`: every line checked and priced as the run would (the same
//! loader and pricing flags), each price and the total printed; nothing is sent or paid, no
//! ledger or folder is made, and no API key is needed.

use rivya_batch::manifest;
use rivya_batch::price::{item_quote, quote_json};
use rivya_models::wire::json_number;
use serde_json::{Value, json};

use crate::args::RunBatch;
use crate::failure::Failure;
use crate::flag_checks::batch_flags;
use crate::render::{Render, escape_controls};

pub fn run(args: &RunBatch, render: Render) -> Result<(), Failure> {
    let Some(path) = args.manifest.as_deref() else {
        return Err(Failure::usage(
            "usage: rivya batch <manifest.jsonl> --dry-run [--metered-allowance CREDITS]",
        ));
    };
    let (pricing, _) = batch_flags(args)?;
    let m = manifest::load(path, pricing).map_err(|e| Failure::invalid(e.to_string()))?;
    let mut items = Vec::with_capacity(m.items.len());
    let (mut min, mut max, mut reserved) = (0u64, Some(0u64), 0.0);
    let mut lines = Vec::new();
    for item in &m.items {
        // Every item passed the model's rules, so its model is in the catalog.
        let Some(q) = item_quote(&item.model, &item.request, item.refs.len()) else {
            return Err(Failure::invalid(format!(
                "line {}: no price for model `{}`",
                item.line, item.model
            )));
        };
        let quoted = quote_json(&q);
        min = min.saturating_add(match quoted.get("credits") {
            Some(c) => c.as_u64().unwrap_or(0),
            None => quoted["min"].as_u64().unwrap_or(0),
        });
        max = max.zip(q.max()).map(|(a, b)| a.saturating_add(b));
        reserved += item.price;
        lines.push(format!(
            "line {:>4}  {:<24} {:<28} {}",
            item.line,
            escape_controls(&item.key),
            item.model,
            credits_text(&quoted)
        ));
        items.push(json!({
            "line": item.line,
            "key": item.key,
            "model": item.model,
            "quoted": quoted,
            "reserved": json_number(item.price),
        }));
    }
    let total = json!({"items": m.items.len(), "min": min, "max": max,
                       "reserved": json_number(reserved)});
    let fits = args.pace.budget.map(|b| reserved <= b + 1e-9);
    let budget = args.pace.budget.map(json_number);
    let out = json!({"dry_run": true, "items": items, "total": total, "budget": budget,
                     "within_budget": fits});
    let range = credits_text(&if max == Some(min) {
        json!({"credits": min})
    } else {
        json!({"min": min, "max": max})
    });
    let mut text = lines.join("\n");
    text.push_str(&format!(
        "\ntotal: {} item{}, {range}; the batch reserves {reserved} credits as it goes{}\n\
         dry run: nothing was sent or paid",
        m.items.len(),
        if m.items.len() == 1 { "" } else { "s" },
        match (args.pace.budget, fits) {
            (Some(b), Some(true)) => format!(" (within the budget of {b})"),
            (Some(b), _) =>
                format!(" (over the budget of {b}: items past it would not be created)"),
            _ => String::new(),
        }
    ));
    render.result(&out, &text);
    Ok(())
}

/// `90 credits`, `1 to 15 credits`, `at least 5 credits`.
fn credits_text(q: &Value) -> String {
    if let Some(c) = q.get("credits") {
        return format!("{c} credits");
    }
    match q["max"].as_u64() {
        Some(max) => format!("{} to {max} credits", q["min"]),
        None => format!("at least {} credits", q["min"]),
    }
}
