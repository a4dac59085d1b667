//! Tool errors: what an agent reads when a call is refused or fails (`isError: true`), with
//! the same facts as structured data (`error.code`, the violations, the task id or key to
//! resume with).

use serde_json::{Value, json};

use rivya_models::ValidationError;
use rivya_runtime::Error;

use crate::ledger::{LedgerError, OverBudget};

/// A tool call that ended in an error the agent should see.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    /// The text shown to the agent.
    pub message: String,
    /// `{"error": {"code", "message", …}}`.
    pub data: Value,
}

/// What a tool returns: its JSON answer, or an error for the agent.
pub type ToolResult = Result<Value, ToolError>;

impl ToolError {
    /// An error with a code and a message, and extra fields merged into `error`.
    pub fn new(code: &str, message: impl Into<String>, extra: Value) -> Self {
        let message = message.into();
        let mut error = json!({"code": code, "message": message});
        if let (Some(e), Value::Object(more)) = (error.as_object_mut(), extra) {
            e.extend(more);
        }
        Self {
            message,
            data: json!({ "error": error }),
        }
    }

    /// A malformed argument (wrong type, unknown name).
    pub fn arguments(message: impl Into<String>) -> Self {
        Self::new("invalid_arguments", message, Value::Null)
    }

    /// A request the generated rules refuse: every violation by path; nothing was sent.
    pub fn violations(e: &ValidationError) -> Self {
        let list: Vec<Value> = e
            .violations
            .iter()
            .map(|v| json!({"path": v.path, "message": v.to_string()}))
            .collect();
        Self::new(
            "validation_failed",
            format!("{e}\nNothing was sent and nothing was paid; correct the call and retry."),
            json!({"model": e.model, "violations": list, "paid": 0}),
        )
    }

    /// A call the budget refuses.
    pub fn budget(o: OverBudget) -> Self {
        Self::new(
            "budget_exceeded",
            format!(
                "refused: this call may cost up to {} credits, but only {} of this session's \
                 budget of {} are left ({} counted so far). Nothing was sent.",
                o.cost,
                o.left(),
                o.budget,
                o.spent
            ),
            json!({"cost": o.cost, "left": o.left(), "budget": o.budget, "spent": o.spent}),
        )
    }

    /// The ledger failed: nothing paid is sent without it.
    pub fn ledger(e: &LedgerError) -> Self {
        Self::new(
            "ledger_error",
            format!("the server's ledger failed, so nothing was sent: {e}"),
            Value::Null,
        )
    }

    /// An error of the API or the client, with the key or task id that recovers the call.
    pub fn api(e: &Error, resume: Option<&str>) -> Self {
        let code = match e {
            Error::Validation(v) => return Self::violations(v),
            Error::Api(a) => a.code.as_str().to_owned(),
            Error::UploadRejected { .. } => "upload_rejected".to_owned(),
            Error::TaskFailed(_) => "task_failed".to_owned(),
            Error::Transport { .. } => "transport_error".to_owned(),
            Error::Io { .. } => "io_error".to_owned(),
            Error::Download { .. } => "download_failed".to_owned(),
            _ => "api_error".to_owned(),
        };
        let mut message = e.to_string();
        if let Some(hint) = resume {
            message.push('\n');
            message.push_str(hint);
        }
        Self::new(&code, message, json!({"task_id": e.task_id()}))
    }
}

impl From<LedgerError> for ToolError {
    fn from(e: LedgerError) -> Self {
        Self::ledger(&e)
    }
}
