//! `upload`: a local file through the Files API (free), checked first against the model's
//! policy; returns the item to pass to `generate` (`references`) or `chat` (`attachments`).

use serde_json::{Map, Value, json};

use rivya_models::MediaKind;

use crate::args::Args;
use crate::error::ToolResult;
use crate::files;
use crate::state::State;

/// `upload`: check, then upload once per session (same file, same model: same item back).
pub async fn upload(state: &State, map: &Map<String, Value>) -> ToolResult {
    let args = Args::new(map, "upload", &["path", "model"])?;
    let path = args.required_str("path")?;
    let info = match args.str("model")? {
        Some(id) => Some(state.model(id)?),
        None => None,
    };
    if let Some(info) = info.filter(|i| i.is_chat()) {
        let f = files::check("path", path, Some(MediaKind::Image), Some(info)).await?;
        let item = files::upload_attachment(state, &f, info).await?;
        return Ok(json!({
            "attachment": item,
            "use": "pass it in chat's `attachments` (or pass the local path there directly)",
        }));
    }
    let f = files::check("path", path, None, info).await?;
    let item = files::upload_reference(state, &f, info).await?;
    Ok(json!({
        "reference": item,
        "use": "pass it in generate's `references` (or pass the local path there directly)",
    }))
}
