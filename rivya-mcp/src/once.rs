//! Paying once per logical call: before a `generate` or `chat` is sent, the ledger is asked
//! whether its derived key is known (then the known task or answer comes back, or the same
//! key is sent again and the API replays it), the budget is checked, local files are uploaded
//! and the call is recorded — in that order, so a refused call sends nothing at all.

use serde_json::Value;

use rivya_runtime::{Error, ErrorCode};

use crate::error::ToolError;
use crate::files;
use crate::ledger::Call;
use crate::request::{Media, Prepared};
use crate::state::State;

/// What the ledger knew of a call.
pub enum Begun {
    /// Seen before under the same key (by this server, or one before a restart).
    Known(Call),
    /// New: recorded with its body, to be sent now.
    Fresh(Call),
}

/// Looks the call up, checks the budget, uploads its local files and records it.
pub async fn begin(state: &State, tool: &str, p: &Prepared, key: &str) -> Result<Begun, ToolError> {
    if let Some(known) = state.ledger.get(key)? {
        return Ok(Begun::Known(known));
    }
    let cost = p.cost();
    state.precheck_budget(cost)?;
    let body = resolve(state, p).await?;
    let _one_at_a_time = state.begin_lock.lock().await;
    if let Some(known) = state.ledger.get(key)? {
        return Ok(Begun::Known(known));
    }
    let call = Call {
        key: key.to_owned(),
        session: state.session.clone(),
        tool: tool.to_owned(),
        model: p.info.id.to_owned(),
        body: body.to_string(),
        charge: cost,
        task_id: None,
        answer: None,
    };
    state
        .ledger
        .begin(&call, state.budget)?
        .map_err(ToolError::budget)?;
    Ok(Begun::Fresh(call))
}

/// The body to send: local files uploaded (once per session) and put in place of their
/// provisional items, then judged again.
async fn resolve(state: &State, p: &Prepared) -> Result<Value, ToolError> {
    if p.media.is_empty() {
        return Ok(p.body.clone());
    }
    let chat = p.info.is_chat();
    let mut items = Vec::with_capacity(p.media.len());
    for m in &p.media {
        items.push(match m {
            Media::Local(f) if chat => files::upload_attachment(state, f, p.info).await?,
            Media::Local(f) => files::upload_reference(state, f, Some(p.info)).await?,
            Media::Item(v) => v.clone(),
        });
    }
    let mut body = p.body.clone();
    let list = if chat {
        body.get_mut("attachments")
    } else {
        body.get_mut("params")
            .and_then(|params| params.get_mut(rivya_models::rules::REFERENCES_KEY))
    };
    if let Some(Value::Array(list)) = list {
        // The agent's own items come first; ours were appended after them.
        let own = list.len().saturating_sub(items.len());
        list.truncate(own);
        list.extend(items);
    }
    crate::request::validate(&body)?;
    Ok(body)
}

/// The call body recorded in the ledger.
pub fn body(call: &Call) -> Result<Value, ToolError> {
    serde_json::from_str(&call.body).map_err(|e| {
        ToolError::ledger(&crate::ledger::LedgerError(format!(
            "the body recorded under {} is not JSON: {e}",
            call.key
        )))
    })
}

/// After a send failed: a call the API refused outright (nothing created, nothing reserved)
/// is forgotten, which gives its credits back to the budget; any other failure may have
/// reached the API, so the call stays recorded and an identical call resends its key.
pub fn after_error(state: &State, key: &str, e: &Error) {
    let refused = match e {
        Error::Validation(_) | Error::UploadRejected { .. } | Error::Config(_) => true,
        Error::Api(a) => a.status < 500 && a.code != ErrorCode::IdempotencyConflict,
        // A turn that ended in an error event is not charged, by the contract.
        Error::ChatFailed { .. } => true,
        _ => false,
    };
    if refused && let Err(le) = state.ledger.forget(key) {
        eprintln!("rivya mcp: {le}");
    }
}

/// What to tell the agent when a send failed in a way that may have reached the API.
pub fn resume_hint(key: &str) -> String {
    format!(
        "If the call reached the API, it is recorded under idempotency key {key}: repeat the \
         identical call (same arguments) to get that task or turn; it is not paid twice."
    )
}
