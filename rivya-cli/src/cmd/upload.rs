//! `rivya upload <file> [--model <id>]`.

use std::path::Path;

use rivya_models::catalog;
use rivya_runtime::{Client, Upload};

use crate::failure::Failure;
use crate::render::Render;

pub async fn run(
    client: &Client,
    file: &Path,
    model: Option<&str>,
    render: Render,
) -> Result<(), Failure> {
    let mut upload = Upload::path(file);
    if let Some(m) = model {
        let info =
            catalog::find(m).ok_or_else(|| Failure::usage(format!("unknown model `{m}`")))?;
        upload = upload.model_info(info);
    }
    let up = client.upload(upload).await?;
    let item = serde_json::to_value(up.to_reference()).unwrap_or_default();
    render.result(&item, &format!("uploaded {} → {}", up.name, up.file.url));
    Ok(())
}
