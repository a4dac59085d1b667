//! `rivya run`: check everything local (params, `--out`, every `--ref`) before anything is
//! uploaded or paid, then upload, create, wait and save.

use rivya_models::{ModelInfo, catalog};
use rivya_runtime::{Client, Upload};
use serde_json::{Value, json};

use crate::args::RunArgs;
use crate::failure::Failure;
use crate::journal::{Entry, Journal, Kind};
use crate::progress::Progress;
use crate::recovery::Recovery;
use crate::render::Render;
use crate::{out_dir, params, refs, wait_and_save};

pub async fn run(
    client: &Client,
    args: RunArgs,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    let (info, mut body) = request(&args)?;
    if let Some(k) = &args.idempotency_key {
        crate::flag_checks::idempotency_key(k)?;
    }
    if let Some(dir) = &args.out {
        out_dir::prepare(dir)?;
    }
    let checked = refs::check(info, &args.refs)?;

    let progress = Progress::new(!render.json);
    let mut items = Vec::new();
    for r in &checked {
        progress.message(format!("uploading {}", r.path.display()));
        let up = client
            .upload(Upload::path(&r.path).model_info(info))
            .await?;
        items.push(serde_json::to_value(up.to_reference()).unwrap_or_default());
    }
    if !items.is_empty() {
        // After any the body already lists (`--body`), as `Request::reference` appends.
        let key = "referenceMediaItems";
        match body["params"][key].as_array_mut() {
            Some(list) => list.extend(items),
            None => body["params"][key] = Value::from(items),
        }
    }

    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(Client::new_idempotency_key);
    let (journal, mut entry, submitted) =
        create(client, info.id, &body, &key, &progress, recovery).await?;
    let id = submitted.task.id.clone();
    entry.created(&id);
    journal.update(&entry, render);
    progress.suspend(|| {
        render.note(
            "created",
            json!({"task_id": id, "idempotency_key": key}),
            &format!("task {id} created (idempotency key {key})"),
        );
    });
    progress.message(format!("{id} {}", submitted.task.status));
    if args.no_wait {
        progress.finish();
        render.result(
            &json!({"task": submitted.task, "idempotency_key": key}),
            &format!("{id}\nwait for it with `rivya wait {id}`"),
        );
        return Ok(());
    }
    let outcome = follow(
        client,
        submitted.task,
        args.out.as_deref(),
        &progress,
        render,
    )
    .await;
    if outcome.is_ok() || outcome.as_ref().is_err_and(|f| f.code == "task_failed") {
        entry.done();
        journal.update(&entry, render);
    }
    outcome
}

/// The create body: `--body FILE` as given, or built from the model, prompt and params;
/// either way checked by the model's rules, with every violation named.
fn request(args: &RunArgs) -> Result<(&'static ModelInfo, Value), Failure> {
    let Some(path) = &args.body else {
        let id = args
            .model
            .as_deref()
            .ok_or_else(|| Failure::usage("give a model id or --body FILE"))?;
        let info = crate::flag_checks::model(id)?;
        let body = params::body(info, args.prompt.as_deref(), &args.params).map_err(|e| {
            Failure::invalid(format!(
                "{e}\n(see `rivya models {}` for what it takes)",
                info.id
            ))
        })?;
        return Ok((info, body));
    };
    let body = crate::body_file::read(path)?;
    let info = catalog::validate_value(&body)
        .map_err(|e| Failure::invalid(format!("{e}\nnothing was sent")))?;
    if info.is_chat() {
        return Err(Failure::usage(format!(
            "{} is a chat model: send its turns with `rivya chat`",
            info.id
        )));
    }
    Ok((info, body))
}

/// Journals the create (durably, before anything is sent), then sends it.
async fn create(
    client: &Client,
    model: &str,
    body: &Value,
    key: &str,
    progress: &Progress,
    recovery: &Recovery,
) -> Result<(Journal, Entry, rivya_runtime::Submitted), Failure> {
    let journal = Journal::open()?;
    let mut entry = Entry::new(Kind::Task, key, model, body);
    if let Ok(Some(earlier)) = journal.find(key)
        && earlier.idempotency_key == key
    {
        refuse_conflict(&earlier, body)?;
        // The same create again (a re-run with the printed key): keep its history.
        entry = earlier;
    }
    // The durable trace comes first: a process killed while the create is in flight leaves
    // the key and the exact body for `rivya resume`.
    journal.record(&entry).map_err(|e| {
        Failure::io(format!(
            "cannot write the journal in {}: {e}; nothing was sent (set XDG_STATE_HOME to a \
             writable directory)",
            journal.dir().display()
        ))
    })?;
    // From here on the create may reach the server: every exit names the key or the task.
    recovery.creating(key);
    progress.message("creating the task".to_owned());
    let submitted = client.create_value(body, Some(key.to_owned())).await?;
    recovery.created(&submitted.task.id);
    Ok((journal, entry, submitted))
}

/// Refuses, before anything is sent, a key the journal holds with another body: the server
/// would answer `idempotency_conflict` (or, worse, forget the earlier task).
fn refuse_conflict(earlier: &Entry, body: &Value) -> Result<(), Failure> {
    let diff = crate::conflict::differences(&earlier.body, body);
    if diff.is_empty() {
        return Ok(());
    }
    let key = &earlier.idempotency_key;
    Err(Failure {
        code: "idempotency_conflict".to_owned(),
        idempotency_key: Some(key.clone()),
        ..Failure::invalid(format!(
            "the idempotency key {key} was used (see `rivya history`) with another body; \
             what differs: {}. Nothing was sent",
            diff.join(", ")
        ))
    })
}

/// Waits for the task just created (unless it is already over) and saves its results.
async fn follow(
    client: &Client,
    task: rivya_runtime::Task,
    out: Option<&std::path::Path>,
    progress: &Progress,
    render: Render,
) -> Result<(), Failure> {
    let done = if task.is_terminal() {
        match task.status {
            rivya_runtime::TaskStatus::Failed => {
                return Err(rivya_runtime::Error::TaskFailed(Box::new(task)).into());
            }
            _ => task,
        }
    } else {
        wait_and_save::wait_for(client, &task.id, progress, true).await?
    };
    wait_and_save::finish(client, done, out, progress, render).await
}
