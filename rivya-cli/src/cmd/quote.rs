//! `rivya quote`: what a request will cost, before paying, by the rules the workspace charges
//! by (`rivya_models::price`). Offline: no API key, no connection.
//!
//! ```sh
//! rivya quote kling-3-0 --prompt "A reveal" duration=10     # 90 credits
//! rivya quote --body request.json --json                    # {"model": …, "credits": …}
//! rivya quote gpt-5-2-chat --message "Summarise this"       # 1 to N credits
//! ```

use rivya_models::{ModelInfo, Quote, catalog};
use serde_json::{Map, Value};

use crate::args::QuoteArgs;
use crate::failure::Failure;
use crate::render::Render;

pub fn run(args: QuoteArgs, render: Render) -> Result<(), Failure> {
    let body = match (&args.body, &args.model) {
        (Some(path), _) => crate::body_file::read(path)?,
        (None, Some(model)) => from_args(model, &args)?,
        (None, None) => return Err(Failure::usage("give a model id or --body FILE")),
    };
    let (info, quote) = catalog::quote_value(&body)
        .map_err(|e| Failure::invalid(format!("{e}\nnothing was priced")))?;
    let mut out = Map::new();
    out.insert("model".into(), Value::from(info.id));
    if let Value::Object(price) = rivya_batch::price::quote_json(&quote) {
        out.extend(price);
    }
    let out = Value::Object(out);
    render.result(&out, &text(info, &quote));
    Ok(())
}

/// The body the command line describes, validated by the model's rules.
fn from_args(model: &str, args: &QuoteArgs) -> Result<Value, Failure> {
    let info = crate::flag_checks::model(model)?;
    if !info.is_chat() {
        if args.message.is_some() {
            return Err(Failure::usage(format!(
                "{} is not a chat model: give --prompt, not --message",
                info.id
            )));
        }
        return crate::params::body(info, args.prompt.as_deref(), &args.params).map_err(|e| {
            Failure::invalid(format!(
                "{e}\n(see `rivya models {}` for what it takes)",
                info.id
            ))
        });
    }
    if args.prompt.is_some() {
        return Err(Failure::usage(format!(
            "{} is a chat model: give --message, not --prompt",
            info.id
        )));
    }
    let mut body = Map::new();
    body.insert("model".into(), Value::from(info.id));
    if let Some(m) = &args.message {
        body.insert("message".into(), Value::from(m.as_str()));
    }
    for pair in &args.params {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Failure::usage(format!("`{pair}` is not key=value")));
        };
        // `true`, `3` and the like as JSON; anything else as the text it is.
        let v = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
        if body.insert(key.to_owned(), v).is_some() {
            return Err(Failure::usage(format!("`{key}` is given twice")));
        }
    }
    Ok(Value::Object(body))
}

fn text(info: &ModelInfo, q: &Quote) -> String {
    let billing = info.billing.as_str();
    match *q {
        Quote::Exact { credits } => format!("{}: {credits} credits ({billing})", info.id),
        Quote::Range {
            min,
            max: Some(max),
            reserved,
        } => format!(
            "{}: {min} to {max} credits ({billing}: {reserved} reserved, settled from the \
             tokens used)",
            info.id
        ),
        Quote::Range { min, .. } => format!(
            "{}: at least {min} credits ({billing}: {min} reserved; the final charge follows \
             the output, with no stated upper bound)",
            info.id
        ),
        _ => rivya_batch::price::quote_json(q).to_string(),
    }
}
