//! One item's way through the API: references uploaded (once per content hash), key and
//! body written, create sent (retried with the same key), task id written, task waited for,
//! files saved, outcome written. Each ledger write happens before the step that depends on it.

use std::path::Path;

use rivya_runtime::{Error, Task, TaskStatus, Upload, WaitOptions};
use serde_json::{Value, json};

use crate::attempts::{attempts, is_fatal};
use crate::ctx::Ctx;
use crate::error::BatchError;
use crate::event::Event;
use crate::keys;
use crate::ledger::{FileRecord, Ledger, Outcome, Row, State};
use crate::step::{Step, later, owner, record, reserve, stop};

/// Works one claimed item as far as it goes.
pub(crate) async fn process<L: Ledger>(ctx: &Ctx<L>, row: Row) -> Result<(), BatchError> {
    let (task, fresh) = match row.state {
        State::Created => match &row.task_id {
            Some(id) => (Resumed::Id(id.clone()), false),
            None => return later(ctx, &row, "created without a task id".into()).await,
        },
        State::Pending | State::Creating => match submit(ctx, &row).await? {
            Some(task) => (Resumed::Task(Box::new(task)), true),
            None => return Ok(()),
        },
        State::Succeeded | State::Failed | State::OverBudget => return Ok(()),
    };
    settle(ctx, &row, task, fresh).await
}

enum Resumed {
    Id(String),
    Task(Box<Task>),
}

/// Builds the body, writes key + body + reservation, creates; the created task, or `None`
/// when the item was settled otherwise (failed, over budget, left for later, lost).
async fn submit<L: Ledger>(ctx: &Ctx<L>, row: &Row) -> Result<Option<Task>, BatchError> {
    let worker = owner(row);
    let (body, idem) = if row.state == State::Creating {
        let idem = row
            .idempotency_key
            .clone()
            .unwrap_or_else(|| keys::attempt_key(&ctx.batch.id, &row.key, row.attempt));
        (row.request.clone(), idem)
    } else {
        if ctx.creating_stopped() {
            let why = "not created: an earlier item cost more than quoted".to_owned();
            return later(ctx, row, why).await.map(|()| None);
        }
        let body = match with_references(ctx, row).await {
            Step::Done(b) => b,
            other => return stop(ctx, row, other).await.map(|()| None),
        };
        match reserve(ctx, row, &body).await? {
            Some(idem) => (body, idem),
            None => return Ok(None),
        }
    };
    match create(ctx, &body, &idem).await? {
        Step::Done(task) => {
            let (id, status) = (task.id.as_str(), task.status.as_str());
            if !ctx
                .ledger
                .set_task(&row.key, worker, id, status, task.reserved_credits)
                .await?
            {
                return Ok(None);
            }
            ctx.emit(Event::Created {
                key: row.key.clone(),
                task_id: task.id.clone(),
            });
            check_quote(ctx, row, &task);
            Ok(Some(task))
        }
        other => stop(ctx, row, other).await.map(|()| None),
    }
}

/// Stops further creates when the server reserved more than the item's quote: the ledger
/// already holds the real reservation, and the next item's quote cannot be trusted either.
fn check_quote<L: Ledger>(ctx: &Ctx<L>, row: &Row, task: &Task) {
    let Some(reserved) = task.reserved_credits else {
        return;
    };
    if reserved <= row.price + 1e-9 {
        return;
    }
    ctx.emit(Event::OverQuote {
        key: row.key.clone(),
        task_id: task.id.clone(),
        reserved,
        quoted: row.price,
    });
    ctx.stop_creating(BatchError::OverQuote {
        key: row.key.clone(),
        task_id: task.id.clone(),
        reserved,
        quoted: row.price,
    });
}

async fn create<L: Ledger>(
    ctx: &Ctx<L>,
    body: &Value,
    idem: &str,
) -> Result<Step<Task>, BatchError> {
    let step = attempts(ctx, || ctx.sender.create_value(body, Some(idem.to_owned()))).await?;
    Ok(match step {
        Step::Done(sub) => Step::Done(sub.task),
        Step::Failed(m) => Step::Failed(m),
        Step::Later(m) => Step::Later(m),
        Step::Fatal(e) => Step::Fatal(e),
    })
}

/// The item's body with its reference files uploaded and appended to
/// `params.referenceMediaItems`.
async fn with_references<L: Ledger>(ctx: &Ctx<L>, row: &Row) -> Step<Value> {
    let mut body = row.request.clone();
    if row.refs.is_empty() {
        return Step::Done(body);
    }
    let mut items = match body.pointer("/params/referenceMediaItems") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for path in &row.refs {
        match reference(ctx, &row.model, Path::new(path)).await {
            Ok(Step::Done(item)) => items.push(item),
            Ok(Step::Failed(m)) => return Step::Failed(m),
            Ok(Step::Later(m)) => return Step::Later(m),
            Ok(Step::Fatal(e)) => return Step::Fatal(e),
            Err(e) => return Step::Later(e.to_string()),
        }
    }
    if let Some(obj) = body.as_object_mut() {
        let params = obj.entry("params").or_insert_with(|| json!({}));
        if let Some(p) = params.as_object_mut() {
            p.insert("referenceMediaItems".into(), Value::Array(items));
        }
    }
    Step::Done(body)
}

/// One reference item: uploaded once per content hash (by any worker), then reused.
async fn reference<L: Ledger>(
    ctx: &Ctx<L>,
    model: &str,
    path: &Path,
) -> Result<Step<Value>, BatchError> {
    let sha = match reference_sha256(path).await {
        Ok(h) => h,
        Err(e) => return Ok(Step::Failed(format!("{}: {e}", path.display()).into())),
    };
    let name = path
        .file_name()
        .map_or_else(|| "ref".to_owned(), |n| n.to_string_lossy().into_owned());
    let guard = {
        let mut map = ctx.uploading.lock().await;
        map.entry(sha.clone()).or_default().clone()
    };
    let _held = guard.lock().await;
    let stored = ctx.ledger.upload(&sha).await?;
    let mut item: Value = match stored.and_then(|s| serde_json::from_str(&s).ok()) {
        Some(item) => item,
        None => {
            let info = rivya_models::catalog::find(model);
            let idem = keys::upload_key(&ctx.batch.id, &sha, model);
            let step = attempts(ctx, || {
                let mut up = Upload::path(path).idempotency_key(idem.clone());
                if let Some(info) = info {
                    up = up.model_info(info);
                }
                ctx.sender.upload(up)
            })
            .await?;
            let up = match step {
                Step::Done(up) => up,
                Step::Failed(m) => return Ok(Step::Failed(m)),
                Step::Later(m) => return Ok(Step::Later(m)),
                Step::Fatal(e) => return Ok(Step::Fatal(e)),
            };
            let item = serde_json::to_value(up.to_reference()).unwrap_or_default();
            ctx.ledger.put_upload(&sha, &item.to_string()).await?;
            item
        }
    };
    item["name"] = Value::from(name);
    Ok(Step::Done(item))
}

/// SHA-256 of a reference file (the runtime's [`rivya_runtime::hash_file`]), on a blocking
/// thread.
pub(crate) async fn reference_sha256(path: &Path) -> std::io::Result<String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        rivya_runtime::hash_file(rivya_runtime::open_regular(&path)?).map(|(_, sha)| sha)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Waits for the task (unless its create already answered it finished), saves its files and
/// records the outcome.
async fn settle<L: Ledger>(
    ctx: &Ctx<L>,
    row: &Row,
    task: Resumed,
    fresh: bool,
) -> Result<(), BatchError> {
    let (id, done) = match task {
        Resumed::Task(t) if t.is_terminal() => (t.id.clone(), Ok(*t)),
        Resumed::Task(t) => (t.id.clone(), wait(ctx, &t.id, fresh).await),
        Resumed::Id(id) => {
            let r = wait(ctx, &id, false).await;
            (id, r)
        }
    };
    let task = match done {
        Ok(t) if t.status == TaskStatus::Failed => return failed(ctx, row, &t).await,
        Ok(t) => t,
        Err(Error::TaskFailed(t)) => return failed(ctx, row, &t).await,
        Err(e) if is_fatal(&e) => {
            return stop(ctx, row, Step::<()>::Fatal(e)).await;
        }
        Err(e) => return later(ctx, row, format!("task {id}: {e}")).await,
    };
    let files = match save(ctx, row, &task).await {
        Ok(files) => files,
        Err(e) => return later(ctx, row, format!("task {id} succeeded; saving: {e}")).await,
    };
    let credits = task
        .final_credits
        .filter(|c| *c > 0.0)
        .or(task.reserved_credits)
        .unwrap_or(row.price);
    let outcome = Outcome {
        state: State::Succeeded,
        status: Some(task.status.as_str().to_owned()),
        credits,
        files,
        error: None,
        code: None,
    };
    record(ctx, row, outcome).await
}

async fn wait<L: Ledger>(ctx: &Ctx<L>, id: &str, fresh: bool) -> Result<Task, Error> {
    let options = WaitOptions::new().delay_first_poll(fresh);
    ctx.client.wait_with(id, options).await
}

async fn failed<L: Ledger>(ctx: &Ctx<L>, row: &Row, t: &Task) -> Result<(), BatchError> {
    let error = t.error.as_ref().map_or_else(
        || format!("task {} failed", t.id),
        |e| format!("task {} failed: {}: {}", t.id, e.code, e.message),
    );
    let outcome = Outcome {
        state: State::Failed,
        status: Some(t.status.as_str().to_owned()),
        credits: t.final_credits.unwrap_or(0.0),
        files: Vec::new(),
        error: Some(error),
        code: t.error.as_ref().map(|e| e.code.clone()),
    };
    record(ctx, row, outcome).await
}

/// Saves every output with the runtime's download helper, named after the item key.
async fn save<L: Ledger>(ctx: &Ctx<L>, row: &Row, task: &Task) -> Result<Vec<FileRecord>, Error> {
    let Some(dir) = &ctx.options.out_dir else {
        return Ok(Vec::new());
    };
    let urls: Vec<String> = match &task.result {
        Some(r) if !r.urls.is_empty() => r.urls.clone(),
        Some(r) => r.primary_url.iter().cloned().collect(),
        None => Vec::new(),
    };
    let stem = keys::file_stem(&row.key);
    let mut files = Vec::with_capacity(urls.len());
    for (i, url) in urls.iter().enumerate() {
        let d = ctx
            .client
            .download(url, dir, &format!("{stem}-{}", i + 1))
            .await?;
        files.push(FileRecord {
            path: d.path.display().to_string(),
            url: d.url,
            size: d.size,
            sha256: d.sha256,
            content_type: d.content_type,
        });
    }
    Ok(files)
}
