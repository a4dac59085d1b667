//! `rivya mcp`'s arguments.

use std::path::PathBuf;

use clap::Args;

/// `rivya mcp`.
#[derive(Args, Debug)]
pub struct McpArgs {
    /// The most credits this server session may reserve; a paid call that would pass what is
    /// left is refused (priced first: its maximum, or what a METERED model reserves).
    #[arg(long, value_name = "CREDITS")]
    pub budget: Option<u64>,
    /// The only models the agent may call, comma-separated (others are hidden and refused).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub allow_models: Option<Vec<String>>,
    /// The session name: a restarted server with the same name (and ledger) continues the
    /// session, so identical calls still pay once and the budget keeps its count. Default: a
    /// fresh session, printed on stderr.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// The ledger of keys, bodies and task ids (SQLite, 0600; remembered 24 h). Default
    /// $XDG_STATE_HOME/rivya/mcp.sqlite, else ~/.local/state/rivya/mcp.sqlite.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}
