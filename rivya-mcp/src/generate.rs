//! `generate` and `get_task`: create a task once, wait for it as long as the agent allows,
//! return its result URLs (and saved files), or its id to poll.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value, json};

use rivya_runtime::{Error, Task, TaskStatus};

use crate::args::Args;
use crate::error::{ToolError, ToolResult};
use crate::keys;
use crate::once::{self, Begun};
use crate::request::{self, GENERATION_ARGS};
use crate::state::State;

/// The longest a tool call waits for a task (`wait_seconds` is capped here; agent hosts time
/// out long calls).
pub const MAX_WAIT_SECONDS: u64 = 300;

/// `generate`: validate, price against the budget, upload references, create once, wait.
pub async fn generate(state: &State, map: &Map<String, Value>) -> ToolResult {
    let mut known = GENERATION_ARGS.to_vec();
    known.extend(["wait_seconds", "out_dir"]);
    let args = Args::new(map, "generate", &known)?;
    let wait = wait_seconds(&args)?;
    let out_dir = args.str("out_dir")?.map(PathBuf::from);
    let p = request::generation(state, &args).await?;
    let key = keys::call_key(&state.session, "generate", &p.content);
    let (task, replayed) = match once::begin(state, "generate", &p, &key).await? {
        Begun::Known(call) => match &call.task_id {
            Some(id) => (fetch(state, id).await?, true),
            None => (send(state, &key, &once::body(&call)?).await?, true),
        },
        Begun::Fresh(call) => (send(state, &key, &once::body(&call)?).await?, false),
    };
    let mut out = report(state, task, wait, out_dir.as_deref()).await?;
    out["replayed"] = json!(replayed);
    out["idempotency_key"] = json!(key);
    out["budget"] = state.budget_view()?;
    Ok(out)
}

/// `get_task`: a task's state; with `wait_seconds`, waits up to that long; with `out_dir`,
/// saves a succeeded task's results.
pub async fn get_task(state: &State, map: &Map<String, Value>) -> ToolResult {
    let args = Args::new(map, "get_task", &["task_id", "wait_seconds", "out_dir"])?;
    let id = args.required_str("task_id")?;
    let wait = wait_seconds(&args)?;
    let out_dir = args.str("out_dir")?.map(PathBuf::from);
    let task = fetch(state, id).await?;
    report(state, task, wait, out_dir.as_deref()).await
}

fn wait_seconds(args: &Args<'_>) -> Result<u64, ToolError> {
    Ok(args.u64("wait_seconds")?.unwrap_or(0).min(MAX_WAIT_SECONDS))
}

async fn fetch(state: &State, id: &str) -> Result<Task, ToolError> {
    state
        .client
        .task(id)
        .await
        .map_err(|e| ToolError::api(&e, Some(&format!("task id: {id}"))))
}

/// Sends the create under the call's key and records the task it returns.
async fn send(state: &State, key: &str, body: &Value) -> Result<Task, ToolError> {
    match state.client.create_value(body, Some(key.to_owned())).await {
        Ok(submitted) => {
            let task = submitted.task;
            let reserved = task.reserved_credits.map(|c| c.max(0.0).ceil() as u64);
            let charge = reserved
                .unwrap_or_else(|| state.ledger.get(key).ok().flatten().map_or(0, |c| c.charge));
            // The task is paid for: never lose its id, even if the ledger cannot take it (the
            // key is derived, so an identical call still finds it through the API).
            if let Err(e) = state.ledger.created(key, &task.id, charge) {
                eprintln!("rivya mcp: task {} created, but {e}", task.id);
            }
            Ok(task)
        }
        Err(e) => {
            once::after_error(state, key, &e);
            Err(ToolError::api(&e, Some(&once::resume_hint(key))))
        }
    }
}

/// Waits (up to `wait` seconds) and describes the task; saves its results into `out_dir`.
async fn report(
    state: &State,
    task: Task,
    wait: u64,
    out_dir: Option<&std::path::Path>,
) -> ToolResult {
    let task = if wait > 0 && !task.is_terminal() {
        wait_for(state, &task.id, wait).await?
    } else {
        task
    };
    settle(state, &task);
    if task.status == TaskStatus::Failed {
        let id = task.id.clone();
        return Err(ToolError::api(
            &Error::TaskFailed(Box::new(task)),
            Some(&format!(
                "Task {id} failed; its reserved credits are refunded."
            )),
        ));
    }
    let mut out = task_json(&task);
    if task.status == TaskStatus::Succeeded {
        if let Some(dir) = out_dir {
            out["files"] = save(state, &task, dir).await;
        }
    } else {
        out["next"] = json!(format!(
            "still {}: call get_task with task_id {} (wait_seconds to wait)",
            task.status.as_str(),
            task.id
        ));
    }
    Ok(out)
}

/// A finished task's credits replace what was reserved in the budget's count.
fn settle(state: &State, task: &Task) {
    let kept = match task.status {
        TaskStatus::Failed => 0.0,
        TaskStatus::Succeeded => match (task.final_credits, task.reserved_credits) {
            (Some(f), _) if f > 0.0 => f,
            (_, Some(r)) => r,
            _ => return,
        },
        _ => return,
    };
    if let Err(e) = state.ledger.settled(&task.id, kept.ceil() as u64) {
        eprintln!("rivya mcp: {e}");
    }
}

async fn wait_for(state: &State, id: &str, wait: u64) -> Result<Task, ToolError> {
    match tokio::time::timeout(Duration::from_secs(wait), state.client.wait(id)).await {
        Ok(Ok(task)) => Ok(task),
        Ok(Err(Error::TaskFailed(task))) => Ok(*task),
        Ok(Err(e)) => Err(ToolError::api(
            &e,
            Some(&format!("task id: {id} (call get_task to see it)")),
        )),
        // Waited long enough: say where the task is now.
        Err(_) => fetch(state, id).await,
    }
}

/// The files saved, or why saving failed (the task stays paid and done: its URLs are in the
/// answer, and get_task with out_dir saves them again).
async fn save(state: &State, task: &Task, dir: &std::path::Path) -> Value {
    if let Err(e) = tokio::fs::create_dir_all(dir).await {
        return json!({"error": format!("{}: {e}", dir.display())});
    }
    match state.client.download_result(task, dir).await {
        Ok(files) => json!(
            files
                .iter()
                .map(|f| json!({"path": f.path, "url": f.url, "size": f.size, "sha256": f.sha256}))
                .collect::<Vec<_>>()
        ),
        Err(e) => json!({"error": e.to_string()}),
    }
}

/// What the agent reads about a task.
pub fn task_json(task: &Task) -> Value {
    let urls = task
        .result
        .as_ref()
        .map(|r| r.urls.clone())
        .unwrap_or_default();
    json!({
        "task_id": task.id,
        "status": task.status.as_str(),
        "model": task.model,
        "reserved_credits": task.reserved_credits,
        "final_credits": task.final_credits,
        "primary_url": task.result.as_ref().and_then(|r| r.primary_url.clone()),
        "result_urls": urls,
        "error": task.error.as_ref().map(|e| json!({"code": e.code, "message": e.message})),
    })
}
