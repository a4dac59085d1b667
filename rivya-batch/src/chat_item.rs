//! One chat turn of a batch: its images uploaded (once per content hash), key and body
//! written, the turn sent (retried with the same key; the server replays a key it has seen),
//! its answer saved as `<stem>.json` and the outcome recorded. A turn answers at once, so
//! there is no task to wait for; a run that dies after sending resends the same key and body
//! and the server returns the same turn, charged once.

use std::io::Write;
use std::path::Path;

use rivya_models::MediaKind;
use rivya_runtime::{ChatCompletion, Upload};
use serde_json::{Value, json};

use crate::attempts::attempts;
use crate::ctx::Ctx;
use crate::error::BatchError;
use crate::event::Event;
use crate::item::reference_sha256;
use crate::keys;
use crate::ledger::{FileRecord, Ledger, Outcome, Row, State};
use crate::step::{Step, later, owner, record, reserve, stop};

/// Works one claimed chat item as far as it goes.
pub(crate) async fn process<L: Ledger>(ctx: &Ctx<L>, row: Row) -> Result<(), BatchError> {
    let (body, idem) = match row.state {
        State::Succeeded | State::Failed | State::OverBudget => return Ok(()),
        // Sent before (maybe answered, unrecorded): the same key and body again.
        State::Creating | State::Created => {
            let idem = row
                .idempotency_key
                .clone()
                .unwrap_or_else(|| keys::attempt_key(&ctx.batch.id, &row.key, row.attempt));
            (row.request.clone(), idem)
        }
        State::Pending => {
            let body = match with_attachments(ctx, &row).await? {
                Step::Done(b) => b,
                other => return stop(ctx, &row, other).await,
            };
            match reserve(ctx, &row, &body).await? {
                Some(idem) => (body, idem),
                None => return Ok(()),
            }
        }
    };
    let step = attempts(ctx, || ctx.sender.chat_value_with_key(&body, idem.clone())).await?;
    let done = match step {
        Step::Done(done) => done,
        other => return stop(ctx, &row, other).await,
    };
    let worker = owner(&row);
    let reserved = Some(done.credits.reserved);
    if !ctx
        .ledger
        .set_task(&row.key, worker, &done.id, "succeeded", reserved)
        .await?
    {
        return Ok(());
    }
    ctx.emit(Event::Created {
        key: row.key.clone(),
        task_id: done.id.clone(),
    });
    let files = match save(ctx, &row, &done) {
        Ok(files) => files,
        Err(e) => return later(ctx, &row, format!("turn {} answered; saving: {e}", done.id)).await,
    };
    let outcome = Outcome {
        state: State::Succeeded,
        status: Some("succeeded".to_owned()),
        credits: done.credits.final_,
        files,
        error: None,
        code: None,
    };
    record(ctx, &row, outcome).await
}

/// The turn's body with its images uploaded and listed under `attachments` by file id.
async fn with_attachments<L: Ledger>(ctx: &Ctx<L>, row: &Row) -> Result<Step<Value>, BatchError> {
    let mut body = row.request.clone();
    if row.refs.is_empty() {
        return Ok(Step::Done(body));
    }
    let mut items = Vec::with_capacity(row.refs.len());
    for path in &row.refs {
        match attachment(ctx, &row.model, Path::new(path)).await? {
            Step::Done(id) => items.push(json!({ "file_id": id })),
            Step::Failed(m) => return Ok(Step::Failed(m)),
            Step::Later(m) => return Ok(Step::Later(m)),
            Step::Fatal(e) => return Ok(Step::Fatal(e)),
        }
    }
    body["attachments"] = Value::Array(items);
    Ok(Step::Done(body))
}

/// One image: uploaded once per content hash and model (by any worker), then reused by id.
async fn attachment<L: Ledger>(
    ctx: &Ctx<L>,
    model: &str,
    path: &Path,
) -> Result<Step<String>, BatchError> {
    let sha = match reference_sha256(path).await {
        Ok(h) => h,
        Err(e) => return Ok(Step::Failed(format!("{}: {e}", path.display()).into())),
    };
    // Kept apart from generation references, whose cached value is a reference item.
    let cache_key = format!("chat:{model}:{sha}");
    if let Some(stored) = ctx.ledger.upload(&cache_key).await? {
        return Ok(Step::Done(stored));
    }
    let idem = keys::upload_key(&ctx.batch.id, &sha, model);
    let info = rivya_models::catalog::find(model);
    let step = attempts(ctx, || {
        let mut up = Upload::path(path)
            .kind(MediaKind::Image)
            .idempotency_key(idem.clone());
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
    let Some(id) = up.file.id.clone() else {
        return Ok(Step::Later(format!(
            "{}: the upload's answer has no file id",
            path.display()
        )));
    };
    ctx.ledger.put_upload(&cache_key, &id).await?;
    Ok(Step::Done(id))
}

/// Saves the answer as `<stem>.json` (content, usage, credits, session and turn ids) in the
/// batch's folder, whole or not at all.
fn save<L>(ctx: &Ctx<L>, row: &Row, done: &ChatCompletion) -> std::io::Result<Vec<FileRecord>> {
    let Some(dir) = &ctx.options.out_dir else {
        return Ok(Vec::new());
    };
    let answer = json!({
        "id": done.id,
        "session_id": done.session_id,
        "model": done.model,
        "content": done.message.content,
        "usage": done.usage,
        "credits": done.credits,
    });
    let bytes = serde_json::to_vec_pretty(&answer).map_err(std::io::Error::other)?;
    let stem = keys::file_stem(&row.key);
    let path = dir.join(format!("{stem}.json"));
    crate::whole_file::replace(&path, |out| out.write_all(&bytes))?;
    Ok(vec![FileRecord {
        path: path.display().to_string(),
        url: format!("chat:{}", done.id),
        size: bytes.len() as u64,
        sha256: keys::sha256_hex(&bytes),
        content_type: Some("application/json".to_owned()),
    }])
}
