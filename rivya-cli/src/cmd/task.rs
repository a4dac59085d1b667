//! `rivya status <id>` and `rivya wait <id> [--out DIR]`, and the wait-then-save steps `run`
//! shares with them.

use std::path::Path;

use rivya_runtime::{Client, Task, WaitOptions};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::out_dir;
use crate::progress::Progress;
use crate::recovery::Recovery;
use crate::render::Render;

pub async fn status(client: &Client, id: &str, render: Render) -> Result<(), Failure> {
    let task = client.task(id).await?;
    render.result(
        &serde_json::to_value(&task).unwrap_or_default(),
        &format!("{} {}", task.id, task.status),
    );
    Ok(())
}

pub async fn wait(
    client: &Client,
    id: &str,
    out: Option<&Path>,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    // A malformed id names no task: refuse it before it could be printed as one to resume.
    rivya_runtime::path_segment("task id", id)?;
    if let Some(dir) = out {
        out_dir::prepare(dir)?;
    }
    recovery.created(id);
    let progress = Progress::new(!render.json);
    let task = wait_for(client, id, &progress, false).await?;
    finish(client, task, out, &progress, render).await?;
    mark_done(id, render);
    Ok(())
}

/// A journalled create finished by `rivya wait` leaves `rivya history --pending` too.
fn mark_done(id: &str, render: Render) {
    let Ok(journal) = crate::journal::Journal::open() else {
        return;
    };
    if let Ok(Some(mut entry)) = journal.find(id)
        && entry.id.as_deref() == Some(id)
    {
        entry.done();
        crate::cmd::history::update(&journal, &entry, render);
    }
}

/// Waits with a spinner showing each status change.
pub async fn wait_for(
    client: &Client,
    id: &str,
    progress: &Progress,
    fresh: bool,
) -> Result<Task, Failure> {
    let started = std::time::Instant::now();
    let mut options = WaitOptions::default().on_status(|t| {
        progress.message(format!("{} {} ({:.0?})", t.id, t.status, started.elapsed()));
    });
    options.delay_first_poll = fresh;
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
