//! `rivya chat`'s arguments: a turn, or `sessions`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `rivya chat`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ChatArgs {
    #[command(subcommand)]
    pub action: Option<ChatAction>,
    #[command(flatten)]
    pub turn: TurnArgs,
}

#[derive(Subcommand, Debug)]
pub enum ChatAction {
    /// List your API-created chat sessions, or show one with its messages.
    Sessions {
        /// A session id (`chs_…`) to show.
        id: Option<String>,
    },
}

#[derive(Args, Debug, Clone)]
pub struct TurnArgs {
    /// The chat model (`gpt-5-3-codex-chat`); `rivya models` lists them.
    pub model: Option<String>,
    /// The message; `-` reads it from stdin.
    pub message: Option<String>,
    /// Continue this session (the id an earlier turn printed).
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// An image to attach (uploaded through the Files API first); repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Ask for web search (where the model supports it).
    #[arg(long)]
    pub web_search: bool,
    /// default, minimal, low, medium, high or xhigh.
    #[arg(long, value_name = "E")]
    pub reasoning_effort: Option<String>,
    /// Wait for the whole answer instead of streaming it.
    #[arg(long)]
    pub no_stream: bool,
    /// The turn's idempotency key: re-run with the key a failed run printed to get that turn
    /// instead of paying for a new one.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}
