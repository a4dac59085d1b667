//! `rivya mcp`: the MCP server for AI agents, over stdio (see the rivya-mcp crate). stdout
//! carries only protocol messages; everything else goes to stderr.

use std::path::PathBuf;

use clap::Args;

use crate::connect::Connection;
use crate::failure::Failure;

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

pub async fn run(conn: &Connection, args: McpArgs) -> Result<(), Failure> {
    let ledger = match args.ledger {
        Some(path) => path,
        None => rivya_mcp::default_ledger_path().ok_or_else(|| {
            Failure::usage("no state directory (HOME is not set): pass --ledger FILE")
        })?,
    };
    let mut options = rivya_mcp::Options::new(ledger);
    options.session = args.session;
    options.budget = args.budget;
    options.allow_models = args.allow_models;
    let server = rivya_mcp::Server::new(conn.client.clone(), options)
        .map_err(|e| Failure::usage(e.to_string()))?;
    server
        .serve_stdio()
        .await
        .map_err(|e| Failure::io(e.to_string()))
}
