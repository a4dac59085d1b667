//! The wait-then-save steps `run`, `wait` and `resume` share: wait for a task with a spinner,
//! then save its results and print it.

use std::path::Path;

use rivya_runtime::{Client, Task, WaitOptions};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::progress::Progress;
use crate::render::Render;

/// Waits with a spinner showing each status change.
pub async fn wait_for(
    client: &Client,
    id: &str,
    progress: &Progress,
    fresh: bool,
) -> Result<Task, Failure> {
    let started = std::time::Instant::now();
    let options = WaitOptions::new()
        .on_status(|t| {
            progress.message(format!("{} {} ({:.0?})", t.id, t.status, started.elapsed()));
        })
        .delay_first_poll(fresh);
    Ok(client.wait_with(id, options).await?)
}

/// Saves the results (when `out` is given) and prints the task. A failed download names the
/// task and every result URL, so nothing paid is lost.
pub async fn finish(
    client: &Client,
    task: Task,
    out: Option<&Path>,
    progress: &Progress,
    render: Render,
) -> Result<(), Failure> {
    let urls: Vec<String> = task
        .result
        .as_ref()
        .map(|r| r.urls.clone())
        .unwrap_or_default();
    let mut saved = Vec::new();
    if let Some(dir) = out {
        progress.message(format!("{} downloading {} file(s)", task.id, urls.len()));
        let files = client.download_result(&task, dir).await.map_err(|e| {
            let mut f = Failure::from(e);
            if !urls.is_empty() {
                f.message += &format!("\nthe results are at:\n  {}", urls.join("\n  "));
            }
            f
        })?;
        saved = files;
    }
    progress.finish();
    let mut v = serde_json::to_value(&task).unwrap_or_default();
    v["saved"] = Value::from(
        saved
            .iter()
            .map(|d| json!({"path": d.path, "url": d.url, "size": d.size, "sha256": d.sha256, "content_type": d.content_type}))
            .collect::<Vec<_>>(),
    );
    let mut text = format!("{} {}", task.id, task.status);
    for u in &urls {
        text += &format!("\n  {u}");
    }
    for d in &saved {
        text += &format!(
            "\n  saved {} ({} bytes, sha256 {})",
            d.path.display(),
            d.size,
            d.sha256
        );
    }
    render.result(&v, &text);
    Ok(())
}
