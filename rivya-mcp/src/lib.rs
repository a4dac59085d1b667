//! `rivya mcp`: every Rivya model as a tool for AI agents, over the Model Context Protocol.
//!
//! Tools: `list_models`, `describe_model` (with the model's JSON Schema), `quote`, `generate`,
//! `get_task`, `chat`, `upload`. What the server promises an agent:
//!
//! - **Refused before paying.** Every call is judged by the generated rules
//!   (`rivya_models::catalog::validate_value`) before anything is uploaded or sent; an invalid
//!   call is a tool error (`isError: true`) listing every violation by path.
//! - **Paid once.** The idempotency key of a `generate` or `chat` call derives from its content
//!   (model, prompt or message, params, the content hashes of its files, session id …) within
//!   the server's session, plus an optional `request_key`. An identical call repeated — after a
//!   timeout, a dropped connection, a restart with the same `--session` — returns the same task
//!   and pays once. Keys, bodies and task ids live in a SQLite ledger for 24 h
//!   ([`ledger::DEFAULT_WINDOW`]).
//! - **A budget.** With one, each paid call is priced first (`rivya_models::price`: the most it
//!   can cost, or for METERED models what they reserve) and refused when it would pass what is
//!   left; after a create, the credits the API reports as reserved are counted, and once a
//!   task is seen finished, what it kept (nothing when it failed and was refunded).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = rivya_runtime::Client::from_env()?;
//! let ledger = rivya_mcp::default_ledger_path().ok_or("no HOME")?;
//! let mut options = rivya_mcp::Options::new(ledger);
//! options.budget = Some(500);
//! rivya_mcp::serve_stdio(client, options).await?;
//! # Ok(()) }
//! ```
//!
//! stdout carries only protocol messages; this crate logs to stderr.

#![warn(missing_docs)]

mod args;
mod catalog;
mod chat;
mod error;
mod files;
mod generate;
mod handler;
pub mod keys;
pub mod ledger;
mod once;
mod request;
mod state;
mod tools;
mod upload;

use std::sync::Arc;

use rmcp::ServiceExt;

pub use error::{ToolError, ToolResult};
pub use generate::MAX_WAIT_SECONDS;
pub use handler::{Server, to_result};
pub use state::{Options, StartError, default_ledger_path};
pub use tools::NAMES as TOOL_NAMES;

impl Server {
    /// A server over `client`: opens the ledger, checks the options.
    pub fn new(client: rivya_runtime::Client, options: Options) -> Result<Self, StartError> {
        Ok(Self {
            state: Arc::new(state::State::new(client, options)?),
        })
    }

    /// Serves MCP over stdin/stdout until the client closes the connection.
    pub async fn serve_stdio(self) -> Result<(), StartError> {
        serve(self, rmcp::transport::stdio()).await
    }
}

/// Serves MCP over stdin/stdout until the client closes the connection.
pub async fn serve_stdio(
    client: rivya_runtime::Client,
    options: Options,
) -> Result<(), StartError> {
    Server::new(client, options)?.serve_stdio().await
}

/// Serves MCP on any transport rmcp accepts (stdio, a pipe pair in tests).
pub async fn serve<T, E, A>(server: Server, transport: T) -> Result<(), StartError>
where
    T: rmcp::transport::IntoTransport<rmcp::RoleServer, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    let ledger = server.state.ledger.path().display().to_string();
    eprintln!(
        "rivya mcp: session {} (restart with --session {} to continue it), ledger {ledger}",
        server.session(),
        server.session()
    );
    let running = server
        .serve(transport)
        .await
        .map_err(|e| StartError(format!("the MCP handshake failed: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| StartError(format!("the MCP server stopped: {e}")))?;
    Ok(())
}
