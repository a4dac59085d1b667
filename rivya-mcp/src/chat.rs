//! `chat`: one turn, validated and priced first, sent once per logical call; `session_id`
//! continues a conversation.

use serde_json::{Map, Value, json};

use rivya_models::wire::json_number;
use rivya_runtime::ChatCompletion;

use crate::args::Args;
use crate::error::{ToolError, ToolResult};
use crate::keys;
use crate::once::{self, Begun};
use crate::request::{self, CHAT_ARGS};
use crate::state::State;

/// `chat`: validate, price against the budget, upload attachments, send once.
pub async fn chat(state: &State, map: &Map<String, Value>) -> ToolResult {
    let args = Args::new(map, "chat", CHAT_ARGS)?;
    let p = request::chat(state, &args).await?;
    let key = keys::call_key(&state.session, "chat", &p.content);
    let (turn, replayed) = match once::begin(state, "chat", &p, &key).await? {
        Begun::Known(call) => match &call.answer {
            Some(answer) => (remembered(answer)?, true),
            None => (send(state, &key, &once::body(&call)?).await?, true),
        },
        Begun::Fresh(call) => (send(state, &key, &once::body(&call)?).await?, false),
    };
    Ok(json!({
        "turn_id": turn.id,
        "session_id": turn.session_id,
        "model": turn.model,
        "content": turn.content(),
        "usage": turn.usage,
        "credits": {"reserved": json_number(turn.credits.reserved),
            "final": json_number(turn.credits.final_)},
        "replayed": replayed,
        "idempotency_key": key,
        "budget": state.budget_view()?,
        "next": format!("pass session_id {} to continue this conversation", turn.session_id),
    }))
}

fn remembered(answer: &str) -> Result<ChatCompletion, ToolError> {
    serde_json::from_str(answer).map_err(|e| {
        ToolError::ledger(&crate::ledger::LedgerError(format!(
            "a remembered chat answer is not readable: {e}"
        )))
    })
}

/// Sends the turn under the call's key and records its answer.
async fn send(state: &State, key: &str, body: &Value) -> Result<ChatCompletion, ToolError> {
    match state.client.chat_value_with_key(body, key).await {
        Ok(turn) => {
            // A turn is settled when it answers: it keeps `final` (what it reserved, if the
            // server sent no final).
            let kept = if turn.credits.final_ > 0.0 {
                turn.credits.final_
            } else {
                turn.credits.reserved
            };
            let reserved = kept.max(0.0).ceil() as u64;
            match serde_json::to_string(&turn) {
                Ok(text) => {
                    if let Err(e) = state.ledger.answered(key, &text, reserved) {
                        eprintln!("rivya mcp: chat turn {} answered, but {e}", turn.id);
                    }
                }
                Err(e) => eprintln!("rivya mcp: chat turn {} not recorded: {e}", turn.id),
            }
            Ok(turn)
        }
        Err(e) => {
            once::after_error(state, key, &e);
            Err(ToolError::api(&e, Some(&once::resume_hint(key))))
        }
    }
}
