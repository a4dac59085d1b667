//! JSON Schema (2020-12) and OpenAPI 3.1 from the same checked specs as the Rust code:
//! `openapi/models/<model-id>.json` per model and `openapi/openapi.json`.

mod body;
mod document;

use crate::OutputFile;
use crate::ir::Model;

pub use rivya_rules::schema::DIALECT;

/// The files under `openapi/`, sorted by name: `models/<id>.json` per model and
/// `openapi.json`. Pretty-printed with a final newline; object keys keep the order they are
/// written in (serde_json's `preserve_order`, which `rivya-rules` always turns on).
pub fn files(models: &[Model]) -> Vec<OutputFile> {
    let mut files: Vec<OutputFile> = models
        .iter()
        .map(|m| OutputFile {
            name: format!("models/{}.json", m.id),
            contents: pretty(&body::standalone(m)),
        })
        .collect();
    files.push(OutputFile {
        name: "openapi.json".to_owned(),
        contents: pretty(&document::document(models)),
    });
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
