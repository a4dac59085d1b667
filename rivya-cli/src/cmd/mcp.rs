//! `rivya mcp`: the MCP server for AI agents, over stdio (see the rivya-mcp crate). stdout
//! carries only protocol messages; everything else goes to stderr.

use crate::args::McpArgs;
use crate::connect::Connection;
use crate::failure::Failure;

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
