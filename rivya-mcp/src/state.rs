//! What every tool shares: the API client, the ledger, the session, the budget and the models
//! this server may call.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use rivya_models::{ModelInfo, catalog};
use rivya_runtime::Client;

use crate::error::ToolError;
use crate::keys;
use crate::ledger::{DEFAULT_WINDOW, Ledger, LedgerError};

/// How a server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The session this server's idempotency keys and budget belong to. Give the same name to
    /// a restarted server so that it continues the session (identical calls pay once across
    /// the restart); `None` mints a fresh one.
    pub session: Option<String>,
    /// The ledger file (SQLite). See [`default_ledger_path`].
    pub ledger: PathBuf,
    /// How long calls are remembered (default 24 h).
    pub window: Duration,
    /// The most credits the session may reserve; `None` for no cap.
    pub budget: Option<u64>,
    /// The only models the agent may call (and see); `None` for every model.
    pub allow_models: Option<Vec<String>>,
}

impl Options {
    /// Defaults: a fresh session, the default ledger path, a 24 h window, no budget, every
    /// model.
    pub fn new(ledger: PathBuf) -> Self {
        Self {
            session: None,
            ledger,
            window: DEFAULT_WINDOW,
            budget: None,
            allow_models: None,
        }
    }
}

/// `$XDG_STATE_HOME/rivya/mcp.sqlite`, else `$HOME/.local/state/rivya/mcp.sqlite`; `None`
/// when neither variable is set.
pub fn default_ledger_path() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let state = non_empty("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))?;
    Some(state.join("rivya").join("mcp.sqlite"))
}

/// A server that could not start: a bad option or an unusable ledger.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl From<LedgerError> for StartError {
    fn from(e: LedgerError) -> Self {
        Self(format!("cannot open the ledger: {e}"))
    }
}

/// The shared state of the tools.
pub(crate) struct State {
    pub client: Client,
    pub ledger: Ledger,
    pub session: String,
    pub budget: Option<u64>,
    allowed: Option<Vec<&'static ModelInfo>>,
    /// Held while a call is looked up in the ledger and recorded, so that two identical calls
    /// arriving together become one create.
    pub begin_lock: tokio::sync::Mutex<()>,
}

impl State {
    pub fn new(client: Client, options: Options) -> Result<Self, StartError> {
        let allowed = match &options.allow_models {
            None => None,
            Some(ids) => Some(resolve_models(ids)?),
        };
        let session = match options.session {
            Some(s) if s.trim().is_empty() => {
                return Err(StartError("--session must not be blank".into()));
            }
            Some(s) => s,
            None => keys::new_session(),
        };
        let ledger = Ledger::open(&options.ledger, options.window)?;
        Ok(Self {
            client,
            ledger,
            session,
            budget: options.budget,
            allowed,
            begin_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The models the agent may see and call, sorted by id.
    pub fn models(&self) -> Vec<&'static ModelInfo> {
        match &self.allowed {
            Some(list) => list.clone(),
            None => catalog::all().to_vec(),
        }
    }

    /// The model the agent named, if it exists and is allowed.
    pub fn model(&self, id: &str) -> Result<&'static ModelInfo, ToolError> {
        let info = catalog::find(id).ok_or_else(|| {
            ToolError::new(
                "unknown_model",
                format!("unknown model `{id}`; list_models shows the model ids"),
                json!({"model": id}),
            )
        })?;
        match &self.allowed {
            Some(list) if !list.iter().any(|m| m.id == info.id) => Err(ToolError::new(
                "model_not_allowed",
                format!(
                    "model `{id}` is not allowed on this server (allowed: {}); nothing was sent",
                    list.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
                ),
                json!({"model": id}),
            )),
            _ => Ok(info),
        }
    }

    /// The budget as the agent sees it: `{budget, spent, left}`, or `null` without one.
    pub fn budget_view(&self) -> Result<Value, ToolError> {
        let Some(budget) = self.budget else {
            return Ok(Value::Null);
        };
        let spent = self.ledger.spent(&self.session)?;
        Ok(json!({"budget": budget, "spent": spent, "left": budget.saturating_sub(spent)}))
    }

    /// Refuses early (before any upload) a call that cannot fit what is left of the budget.
    pub fn precheck_budget(&self, cost: u64) -> Result<(), ToolError> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let spent = self.ledger.spent(&self.session)?;
        if spent.saturating_add(cost) > budget {
            return Err(ToolError::budget(crate::ledger::OverBudget {
                budget,
                spent,
                cost,
            }));
        }
        Ok(())
    }
}

fn resolve_models(ids: &[String]) -> Result<Vec<&'static ModelInfo>, StartError> {
    let mut out: Vec<&'static ModelInfo> = Vec::new();
    let mut unknown = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match catalog::find(id) {
            Some(info) if !out.iter().any(|m| m.id == info.id) => out.push(info),
            Some(_) => {}
            None => unknown.push(id),
        }
    }
    if !unknown.is_empty() {
        return Err(StartError(format!(
            "--allow-models: unknown model{} {} (see `rivya models`)",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", ")
        )));
    }
    if out.is_empty() {
        return Err(StartError("--allow-models names no model".into()));
    }
    out.sort_by_key(|m| m.id);
    Ok(out)
}
