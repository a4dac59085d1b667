//! The tools an agent sees: names, short descriptions that say what each costs, and input
//! schemas built from the catalog (the `model` argument enumerates the allowed model ids).

use std::sync::Arc;

use rmcp::model::Tool;
use serde_json::{Map, Value, json};

use rivya_models::ModelInfo;
use rivya_rules::chat::REASONING_EFFORTS;

use crate::generate::MAX_WAIT_SECONDS;

/// The tool names, in the order they are listed.
pub const NAMES: &[&str] = &[
    "list_models",
    "describe_model",
    "quote",
    "generate",
    "get_task",
    "chat",
    "upload",
];

/// Every tool, for the models this server may call.
pub fn all(models: &[&'static ModelInfo]) -> Vec<Tool> {
    let ids = |chat: Option<bool>| -> Vec<&str> {
        models
            .iter()
            .filter(|m| chat.is_none_or(|c| m.is_chat() == c))
            .map(|m| m.id)
            .collect()
    };
    let any = ids(None);
    let generation = ids(Some(false));
    let chat = ids(Some(true));
    vec![
        tool(
            "list_models",
            "List the models this server may call: id, name, capability, price in credits, and \
             what each takes. Free.",
            object(
                json!({"capability": {"type": "string", "enum": ["image", "video", "audio", "chat"],
                       "description": "Only models of this capability."}}),
                &[],
            ),
        ),
        tool(
            "describe_model",
            "One model's parameters (options, defaults, limits), upload policy, price, and the \
             JSON Schema of its request body. Free.",
            object(json!({"model": model_arg(&any)}), &["model"]),
        ),
        tool(
            "quote",
            "Validate a generate or chat call and price it without sending it (takes the same \
             arguments). Free.",
            object(quote_props(&any), &["model"]),
        ),
        tool(
            "generate",
            "Create an image, video or audio task. Costs the model's credits (see quote); the \
             call is validated first and refused, unpaid, with every violation. Repeating an \
             identical call returns the same task and pays once; set request_key for a \
             deliberate second task. wait_seconds waits for the result URLs, else poll get_task.",
            object(generate_props(&generation), &["model"]),
        ),
        tool(
            "get_task",
            "A task's status, credits and result URLs; wait_seconds waits for it, out_dir saves \
             its files. Free.",
            object(
                json!({
                    "task_id": {"type": "string", "description": "The id generate returned."},
                    "wait_seconds": wait_arg(),
                    "out_dir": out_dir_arg(),
                }),
                &["task_id"],
            ),
        ),
        tool(
            "chat",
            "One chat turn (token-based credits, a few per turn: see quote). session_id \
             continues a conversation. Repeating an identical call returns the same answer and \
             pays once; set request_key to ask the same thing again as a new turn.",
            object(chat_props(&chat), &["model", "message"]),
        ),
        tool(
            "upload",
            "Upload a local file through the Files API, checked first against the model's \
             policy; returns the reference item (or chat attachment). Free. generate and chat \
             also take local paths directly.",
            object(
                json!({
                    "path": {"type": "string", "description": "A local file path."},
                    "model": model_arg(&any),
                }),
                &["path"],
            ),
        ),
    ]
}

fn tool(name: &'static str, description: &'static str, schema: Map<String, Value>) -> Tool {
    Tool::new(name, description, Arc::new(schema))
}

fn object(properties: Value, required: &[&str]) -> Map<String, Value> {
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    match schema {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn model_arg(ids: &[&str]) -> Value {
    json!({"type": "string", "enum": ids,
           "description": "A model id (list_models; describe_model shows its parameters)."})
}

fn wait_arg() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": MAX_WAIT_SECONDS, "default": 0,
           "description": "Wait up to this many seconds for the task to finish."})
}

fn out_dir_arg() -> Value {
    json!({"type": "string",
           "description": "Save a succeeded task's result files into this local folder."})
}

fn request_key_arg() -> Value {
    json!({"type": "string",
           "description": "Only to ask deliberately for another, distinct paid call with otherwise \
                           identical arguments; leave unset on retries."})
}

fn generate_props(ids: &[&str]) -> Value {
    json!({
        "model": model_arg(ids),
        "prompt": {"type": "string", "description": "The prompt (the model's limit applies)."},
        "params": {"type": "object",
                   "description": "The model's parameters, keys verbatim; select values as strings \
                                   (\"duration\": \"10\"). describe_model lists them.",
                   "additionalProperties": true},
        "references": {"type": "array", "description":
                       "Reference files: local paths (checked, then uploaded) or items returned by \
                        upload.",
                       "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        "wait_seconds": wait_arg(),
        "out_dir": out_dir_arg(),
        "request_key": request_key_arg(),
    })
}

fn chat_props(ids: &[&str]) -> Value {
    json!({
        "model": model_arg(ids),
        "message": {"type": "string", "description": "This turn's message."},
        "session_id": {"type": "string",
                       "description": "Continue this session (from an earlier chat answer)."},
        "attachments": {"type": "array", "description":
                        "Images: local paths (checked, then uploaded) or {\"file_id\": …} from upload.",
                        "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        "enable_web_search": {"type": "boolean", "default": false,
                              "description": "Only on models with web search (describe_model)."},
        "reasoning_effort": {"type": "string", "enum": REASONING_EFFORTS,
                             "description": "Only on models that take it (describe_model)."},
        "request_key": request_key_arg(),
    })
}

fn quote_props(ids: &[&str]) -> Value {
    let mut props = generate_props(ids);
    if let (Some(p), Value::Object(chat)) = (props.as_object_mut(), chat_props(ids)) {
        p.remove("wait_seconds");
        p.remove("out_dir");
        for (k, v) in chat {
            p.entry(k).or_insert(v);
        }
        p.insert("model".into(), model_arg(ids));
    }
    props
}
