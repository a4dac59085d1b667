//! From a tool call's arguments to a request body judged by the generated rules, before any
//! upload or payment: `generate`/`quote` build a generation body, `chat` a chat turn.

use serde_json::{Map, Value, json};

use rivya_models::rules::REFERENCES_KEY;
use rivya_models::{MediaKind, ModelInfo, ParamKind, ValidationError, catalog, price};

use crate::args::Args;
use crate::error::ToolError;
use crate::files::{self, LocalFile};
use crate::state::State;

/// A reference or attachment as the agent gave it.
#[derive(Debug, Clone)]
pub enum Media {
    /// A local file, uploaded when the call is sent.
    Local(LocalFile),
    /// An item already uploaded (a reference item, or `{"file_id": …}` for chat).
    Item(Value),
}

impl Media {
    /// What the call's key depends on.
    fn identity(&self) -> Value {
        match self {
            Self::Local(f) => f.identity(),
            Self::Item(v) => v.clone(),
        }
    }
}

/// A validated call, ready to be priced, keyed and sent.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The model.
    pub info: &'static ModelInfo,
    /// The body, local media still provisional.
    pub body: Value,
    /// The media to resolve, in order, and where their items go.
    pub media: Vec<Media>,
    /// What the idempotency key derives from.
    pub content: Value,
}

impl Prepared {
    /// The price of the call.
    pub fn quote(&self) -> price::Quote {
        let empty = Map::new();
        price::quote(self.info, self.body.as_object().unwrap_or(&empty))
    }

    /// What the budget must allow for: the most the call can cost, or what it reserves when
    /// nothing bounds the final charge (METERED).
    pub fn cost(&self) -> u64 {
        let q = self.quote();
        q.max().unwrap_or_else(|| q.reserved())
    }
}

/// The arguments of `generate` and `quote` that shape a generation body.
pub const GENERATION_ARGS: &[&str] = &["model", "prompt", "params", "references", "request_key"];
/// The arguments of `chat` (and `quote`) that shape a chat turn.
pub const CHAT_ARGS: &[&str] = &[
    "model",
    "message",
    "session_id",
    "attachments",
    "enable_web_search",
    "reasoning_effort",
    "request_key",
];

/// Validates a generation call: the body built from `model`, `prompt`, `params` and
/// `references` (local files checked and hashed, uploaded items as given).
pub async fn generation(state: &State, args: &Args<'_>) -> Result<Prepared, ToolError> {
    let info = state.model(args.required_str("model")?)?;
    if info.is_chat() {
        return Err(ToolError::arguments(format!(
            "`{}` is a chat model: use the `chat` tool",
            info.id
        )));
    }
    let mut params = args.object("params")?.cloned().unwrap_or_default();
    normalize_selects(info, &mut params);
    let mut media = Vec::new();
    for (i, r) in args.array("references")?.iter().enumerate() {
        media.push(match r {
            Value::String(path) => Media::Local(
                files::check(&format!("references[{i}]"), path, None, Some(info)).await?,
            ),
            Value::Object(_) => Media::Item(r.clone()),
            other => {
                return Err(ToolError::arguments(format!(
                    "references[{i}]: expected a local file path or an uploaded reference item, \
                     found {}",
                    crate::args::type_of_json(other)
                )));
            }
        });
    }
    let mut body = json!({"model": info.id});
    if let Some(p) = args.get("prompt") {
        body["prompt"] = p.clone();
    }
    let content = json!({
        "model": info.id,
        "prompt": body.get("prompt"),
        "params": params,
        "references": media.iter().map(Media::identity).collect::<Vec<_>>(),
        "request_key": args.str("request_key")?,
    });
    if !media.is_empty() {
        let items = params
            .entry(REFERENCES_KEY)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = items {
            items.extend(media.iter().map(|m| provisional(m, false)));
        }
    }
    if args.get("params").is_some() || !params.is_empty() {
        body["params"] = Value::Object(params);
    }
    validate(&body)?;
    Ok(Prepared {
        info,
        body,
        media,
        content,
    })
}

/// Validates a chat call: the turn built from the chat arguments (local image attachments
/// checked and hashed).
pub async fn chat(state: &State, args: &Args<'_>) -> Result<Prepared, ToolError> {
    let info = state.model(args.required_str("model")?)?;
    if !info.is_chat() {
        return Err(ToolError::arguments(format!(
            "`{}` is not a chat model: use `generate` (list_models shows the chat models)",
            info.id
        )));
    }
    let mut media = Vec::new();
    for (i, a) in args.array("attachments")?.iter().enumerate() {
        media.push(match a {
            Value::String(path) => Media::Local(
                files::check(
                    &format!("attachments[{i}]"),
                    path,
                    Some(MediaKind::Image),
                    Some(info),
                )
                .await?,
            ),
            Value::Object(_) => Media::Item(a.clone()),
            other => {
                return Err(ToolError::arguments(format!(
                    "attachments[{i}]: expected a local image path or {{\"file_id\": …}}, found {}",
                    crate::args::type_of_json(other)
                )));
            }
        });
    }
    let mut body = json!({"model": info.id});
    for key in [
        "message",
        "session_id",
        "enable_web_search",
        "reasoning_effort",
    ] {
        if let Some(v) = args.get(key) {
            body[key] = v.clone();
        }
    }
    let mut content = body.clone();
    content["attachments"] = json!(media.iter().map(Media::identity).collect::<Vec<_>>());
    content["request_key"] = json!(args.str("request_key")?);
    if !media.is_empty() {
        body["attachments"] = json!(
            media
                .iter()
                .map(|m| provisional(m, true))
                .collect::<Vec<_>>()
        );
    }
    validate(&body)?;
    Ok(Prepared {
        info,
        body,
        media,
        content,
    })
}

/// The stand-in for a local file while the call is judged: a reference item, or for a chat
/// attachment a file id, replaced by the real one after the upload.
fn provisional(m: &Media, chat: bool) -> Value {
    match m {
        Media::Local(f) if chat => {
            json!({"file_id": format!("pending-upload-{}", &f.sha256[..12])})
        }
        Media::Local(f) => files::provisional_reference(f),
        Media::Item(v) => v.clone(),
    }
}

/// The generated rules judge the body; every violation is reported by path.
pub fn validate(body: &Value) -> Result<(), ToolError> {
    catalog::validate_value(body)
        .map(drop)
        .map_err(|e: ValidationError| ToolError::violations(&e))
}

/// Select values must travel as strings; an agent that sends `"duration": 10` means `"10"`.
/// Numbers and booleans given for a select are turned into their string form (and then judged
/// like any other value); everything else is left for the rules to report.
fn normalize_selects(info: &ModelInfo, params: &mut Map<String, Value>) {
    for (key, value) in params.iter_mut() {
        let Some(p) = info.param(key) else { continue };
        if let ParamKind::Select { .. } = p.kind {
            match value {
                Value::Number(n) => *value = Value::String(n.to_string()),
                Value::Bool(b) => *value = Value::String(b.to_string()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_selects_become_strings() {
        let info = catalog::find("kling-3-0").unwrap();
        let mut params = json!({"duration": 10, "sound": true, "mode": 3})
            .as_object()
            .unwrap()
            .clone();
        normalize_selects(info, &mut params);
        assert_eq!(params["duration"], "10");
        assert_eq!(params["sound"], "true");
        assert_eq!(
            params["mode"], "3",
            "then refused by the rules as not an option"
        );
    }
}
