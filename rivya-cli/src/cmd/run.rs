//! `rivya run`: check everything local (params, `--out`, every `--ref`) before anything is
//! uploaded or paid, then upload, create, wait and save.

use rivya_models::catalog;
use rivya_runtime::{Client, Upload};
use serde_json::{Value, json};

use crate::args::RunArgs;
use crate::cmd::task;
use crate::failure::Failure;
use crate::progress::Progress;
use crate::recovery::Recovery;
use crate::render::Render;
use crate::{out_dir, params, refs};

pub async fn run(
    client: &Client,
    args: RunArgs,
    render: Render,
    recovery: &Recovery,
) -> Result<(), Failure> {
    let info = catalog::find(&args.model).ok_or_else(|| {
        let ids: Vec<&str> = catalog::all().iter().map(|m| m.id).collect();
        Failure::invalid(format!(
            "unknown model `{}`; known: {}",
            args.model,
            ids.join(", ")
        ))
    })?;
    let mut body = params::body(info, args.prompt.as_deref(), &args.params).map_err(|e| {
        Failure::invalid(format!(
            "{e}\n(see `rivya models {}` for what it takes)",
            info.id
        ))
    })?;
    if let Some(k) = &args.idempotency_key {
        check_key(k)?;
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
        body["params"]["referenceMediaItems"] = Value::from(items);
    }

    let key = args
        .idempotency_key
        .clone()
        .unwrap_or_else(Client::new_idempotency_key);
    // From here on the create may reach the server: every exit names the key or the task.
    recovery.creating(&key);
    progress.message("creating the task".to_owned());
    let submitted = client.create_value(&body, Some(key.clone())).await?;
    let id = submitted.task.id.clone();
    recovery.created(&id);
    progress.suspend(|| {
        render.note(
            "created",
            json!({"task_id": id, "idempotency_key": key}),
            &format!("task {id} created (idempotency key {key})"),
        );
    });
    progress.message(format!("{id} {}", submitted.task.status));
    if args.no_wait {
        progress.finish(format!("created {id}"));
        render.result(
            &json!({"task": submitted.task, "idempotency_key": key}),
            &format!("{id}\nwait for it with `rivya wait {id}`"),
        );
        return Ok(());
    }
    let done = if submitted.task.is_terminal() {
        match submitted.task.status {
            rivya_runtime::TaskStatus::Failed => {
                return Err(rivya_runtime::Error::TaskFailed(Box::new(submitted.task)).into());
            }
            _ => submitted.task,
        }
    } else {
        task::wait_for(client, &id, &progress, true).await?
    };
    task::finish(client, done, args.out.as_deref(), &progress, render).await
}

/// A key the user typed, checked by the library's rule (so it survives as a header).
fn check_key(k: &str) -> Result<(), Failure> {
    rivya_runtime::check_idempotency_key(k).map_err(|e| {
        Failure::usage(format!(
            "--idempotency-key: {e} (1 to {} printable ASCII characters)",
            rivya_runtime::MAX_IDEMPOTENCY_KEY_BYTES
        ))
    })
}
