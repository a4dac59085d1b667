//! The command line: flags, subcommands and their help (a file per subcommand with more than
//! a few arguments). Nothing here runs a command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::failure::Failure;
use crate::render::Render;

mod batch;
mod chat;
mod mcp;
mod quote;

pub use batch::{BatchAction, BatchArgs, Pace, RetryArgs, RunBatch};
pub use chat::{ChatAction, ChatArgs, TurnArgs};
pub use mcp::McpArgs;
pub use quote::QuoteArgs;

const AFTER_HELP: &str = "\
Environment:
  RIVYA_API_KEY    your API key (rvya_sk_…); not needed for `models` or with --mock
  RIVYA_BASE_URL   the API's base URL (default https://rivya.ai); `http://` only to loopback
  RIVYA_ALLOW_INSECURE_HTTP=1
                   allow an `http://` base URL on another host (as --allow-insecure-http)
  RIVYA_MAX_DOWNLOAD_BYTES
                   the largest result file saved (default 8 GiB)
  PGPASSWORD, PGPASSFILE (else ~/.pgpass)
                   the PostgreSQL ledger's password when its URL has none
  RIVYA_MOCK_DIR   where --mock keeps its state (default $XDG_CACHE_HOME/rivya/mock,
                   else ~/.cache/rivya/mock)

Once a task may have been created, its id (or the idempotency key of the create) is printed on
stderr however the command ends, with the command that resumes it. Every create of `run` is
journalled first (key, model, body, task id; never the API key) under $XDG_STATE_HOME/rivya,
else ~/.local/state/rivya: `rivya history` lists it, `rivya resume` finishes it.";

/// Run Rivya models from the terminal.
#[derive(Parser, Debug)]
#[command(name = "rivya", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Print JSON (the default when stdout is not a terminal); errors become JSON objects on
    /// stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run against the built-in emulator instead of the real API (no key or credits needed);
    /// its tasks, files and wallet persist in the mock directory across commands.
    #[arg(long, global = true)]
    pub mock: bool,
    /// The mock state directory (overrides RIVYA_MOCK_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub mock_dir: Option<PathBuf>,
    /// Override RIVYA_BASE_URL.
    #[arg(long, global = true)]
    pub base_url: Option<String>,
    /// Allow an `http://` base URL on a host that is not loopback: the API key then travels
    /// in clear text (also RIVYA_ALLOW_INSECURE_HTTP=1).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the models, or show one model's parameters, limits, credits and upload policy.
    Models {
        /// A model id (`kling-3-0`) to show in detail.
        id: Option<String>,
    },
    /// Generate: validate, upload references, create, wait, download.
    Run(RunArgs),
    /// Price a request before paying (offline): `rivya quote <MODEL> [--prompt P]
    /// [key=value…]`, or `rivya quote --body FILE`.
    Quote(QuoteArgs),
    /// Show a task's current state.
    Status {
        /// The task id.
        id: String,
    },
    /// Wait for a task (from any process) and save its results.
    Wait {
        /// The task id.
        id: String,
        /// Where to save the results (checked before waiting).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the journal of creates: key, model, when, task id (or "unknown"), state.
    History {
        /// Only creates not finished: task id unknown, or results not saved yet.
        #[arg(long)]
        pending: bool,
    },
    /// Finish a journalled create: re-send its exact body with its key (the server answers
    /// with the same task) or wait for its known task, then save the results.
    Resume {
        /// The idempotency key (as printed on failure) or the task id.
        #[arg(value_name = "KEY|TASK_ID")]
        key_or_id: String,
        /// Where to save the results (checked before anything is sent).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Show the credit balance.
    Credits,
    /// Upload a reference file and print its reference item.
    Upload {
        /// The file.
        file: PathBuf,
        /// Check it against this model's upload policy.
        #[arg(long)]
        model: Option<String>,
    },
    /// Check a create body (JSON; a generation's or a chat turn's) with the model's rules
    /// only, offline: exit 0 valid, 1 invalid (every violation with its path), 2 usage errors.
    Validate {
        /// The body's file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        file: String,
    },
    /// Hold a chat turn: `rivya chat <MODEL> <MESSAGE|->`, streamed; `rivya chat sessions [ID]`.
    Chat(ChatArgs),
    /// Run a manifest of many items exactly once (resumable; shareable across hosts).
    Batch(BatchArgs),
    /// Serve every model as tools for AI agents (MCP over stdio): validated, priced, paid once.
    Mcp(McpArgs),
    /// The --mock emulator's state.
    #[command(subcommand)]
    Mock(MockCommand),
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum MockCommand {
    /// Forget every mock task, file, idempotency record and credit movement.
    Reset,
    /// Print where the mock state lives.
    Dir,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The model id (`kling-3-0`); `rivya models <id>` shows what it takes. Not with --body.
    #[arg(required_unless_present = "body")]
    pub model: Option<String>,
    /// The prompt.
    #[arg(long, short)]
    pub prompt: Option<String>,
    /// Model parameters as key=value (`duration=10`), each at most once; lists as JSON.
    pub params: Vec<String>,
    /// A raw create body (`{"model", "prompt", "params"}`) as JSON, checked by the same
    /// rules; `-` reads standard input. `--ref` files are appended to its
    /// params.referenceMediaItems. `rivya quote --body FILE` prices it first.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "prompt", "params"])]
    pub body: Option<PathBuf>,
    /// A reference file (`@ref.png`); repeat for more. All are checked before any upload.
    #[arg(long = "ref", value_name = "@FILE")]
    pub refs: Vec<String>,
    /// Where to save the results (checked before anything is paid).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the task id and return without waiting.
    #[arg(long)]
    pub no_wait: bool,
    /// The create's idempotency key: re-run with the key an earlier run printed to get its
    /// task instead of paying for a new one.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

/// Help and version print as usual; real parse errors follow `--json`.
pub fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || !std::env::args().any(|a| a == "--json")
    {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or_default();
    let f = Failure::usage(first.trim_start_matches("error: "));
    Render { json: true }.failure(&f);
    ExitCode::from(f.exit)
}
