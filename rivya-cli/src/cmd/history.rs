//! `rivya history [--pending]` and `rivya resume <KEY|TASK_ID> [--out DIR]`: the journal of
//! creates, and finishing one whose command died.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use rivya_runtime::Client;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::journal::{Entry, Journal, Kind, State};
use crate::progress::Progress;
use crate::recovery::Recovery;
use crate::render::{Render, escape_controls};
use crate::{out_dir, wait_and_save};

pub fn run(pending: bool, render: Render) -> Result<(), Failure> {
    let journal = Journal::open()?;
    let entries: Vec<Entry> = journal
        .list()
        .map_err(|e| Failure::io(format!("{}: {e}", journal.dir().display())))?
        .into_iter()
        .filter(|e| !pending || e.state != State::Done)
        .collect();
    let rows: Vec<Value> = entries.iter().map(row).collect();
    let mut text = String::new();
    if entries.is_empty() {
        text = format!("no journalled creates in {}", journal.dir().display());
    }
    for e in &entries {
        text += &format!(
            "{}  {}  {}  {}  {}\n",
            when(e.created_at),
            escape_controls(&e.idempotency_key),
            escape_controls(&e.model),
            e.id.as_deref()
                .map_or("unknown".to_owned(), escape_controls),
            state(e.state),
        );
    }
    render.result(&Value::from(rows), text.trim_end());
    Ok(())
}

fn row(e: &Entry) -> Value {
    json!({
        "idempotency_key": e.idempotency_key,
        "kind": e.kind,
        "model": e.model,
        "created_at": when(e.created_at),
        "task_id": e.id,
        "state": e.state,
    })
}

fn state(s: State) -> &'static str {
    match s {
        State::Sent => "pending (no answer seen)",
        State::Created => "pending (results not saved)",
        State::Done => "done",
    }
}

fn when(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// Re-sends a journalled create with its key (the server replays the task) unless its task id
/// is known, then waits and saves like `rivya wait`.
pub async fn resume(
    client: &Client,
    key_or_id: &str,
    out: Option<&Path>,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    let journal = Journal::open()?;
    let found = journal
        .find(key_or_id)
        .map_err(|e| Failure::io(format!("{}: {e}", journal.dir().display())))?;
    let Some(mut entry) = found else {
        return Err(Failure::usage(format!(
            "{:?} is neither an idempotency key nor a task id in the journal ({}); \
             `rivya history` lists them, and `rivya wait <TASK_ID>` waits for any task",
            escape_controls(key_or_id),
            journal.dir().display()
        )));
    };
    if entry.kind == Kind::ChatSession {
        return crate::cmd::chat::resume(client, &journal, entry, render, recovery).await;
    }
    if let Some(dir) = out {
        out_dir::prepare(dir)?;
    }
    let progress = Progress::new(!render.json);
    let id = match entry.id.clone() {
        Some(id) => id,
        None => {
            let key = entry.idempotency_key.clone();
            recovery.creating(&key);
            progress.message(format!("re-sending the create with key {key}"));
            let submitted = client.create_value(&entry.body, Some(key.clone())).await?;
            let id = submitted.task.id.clone();
            recovery.created(&id);
            entry.created(&id);
            journal.update(&entry, render);
            progress.suspend(|| {
                render.note(
                    "created",
                    json!({"task_id": id, "idempotency_key": key}),
                    &format!("task {id} (idempotency key {key})"),
                );
            });
            id
        }
    };
    recovery.created(&id);
    let outcome = wait_and_save::wait_for(client, &id, &progress, false).await;
    let outcome = match outcome {
        Ok(t) => wait_and_save::finish(client, t, out, &progress, render).await,
        Err(f) => Err(f),
    };
    if outcome.is_ok() || outcome.as_ref().is_err_and(|f| f.code == "task_failed") {
        entry.done();
        journal.update(&entry, render);
    }
    outcome
}
