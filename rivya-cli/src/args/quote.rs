//! `rivya quote`'s arguments.

use std::path::PathBuf;

use clap::Args;

/// `rivya quote`.
#[derive(Args, Debug)]
pub struct QuoteArgs {
    /// The model id (`kling-3-0`); not with --body.
    #[arg(required_unless_present = "body")]
    pub model: Option<String>,
    /// The prompt (generation models).
    #[arg(long, short)]
    pub prompt: Option<String>,
    /// The turn's message (chat models).
    #[arg(long, short)]
    pub message: Option<String>,
    /// Model parameters as key=value (`duration=10`); for a chat model, turn fields
    /// (`reasoning_effort=high`).
    pub params: Vec<String>,
    /// A raw request body (generation or chat turn) as JSON; `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["model", "prompt", "message", "params"])]
    pub body: Option<PathBuf>,
}
