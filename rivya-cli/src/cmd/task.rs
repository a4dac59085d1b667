//! `rivya status <id>` and `rivya wait <id> [--out DIR]`.

use std::path::Path;

use rivya_runtime::Client;

use crate::failure::Failure;
use crate::out_dir;
use crate::progress::Progress;
use crate::recovery::Recovery;
use crate::render::Render;
use crate::wait_and_save::{finish, wait_for};

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
        journal.update(&entry, render);
    }
}
