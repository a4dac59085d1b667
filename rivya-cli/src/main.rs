//! `rivya`: run Rivya models from the terminal.
//!
//! ```sh
//! rivya run kling-3-0 --prompt "A cinematic reveal" duration=10 --ref @ref.png --out results/
//! rivya run kling-3-0 --prompt "Try it offline" --mock --out results/   # no account needed
//! ```
//!
//! The promise: once a create may have reached the server, its task id (or, when no answer
//! came, its idempotency key) is printed on stderr on every way out — errors, Ctrl-C, failed
//! downloads — with the command that resumes it.

// A `Failure` ends a command once; carrying its ids by value beats boxing them.
#![allow(clippy::result_large_err)]

mod args;
mod body_file;
mod cmd;
mod conflict;
mod connect;
mod failure;
mod flag_checks;
mod journal;
mod mock_dir;
mod out_dir;
mod params;
mod progress;
mod recovery;
mod refs;
mod render;
mod wait_and_save;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use failure::Failure;
use recovery::Recovery;
use render::Render;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return args::usage_error(e),
    };
    let render = Render {
        json: cli.json || !std::io::stdout().is_terminal(),
    };
    let recovery = Recovery::default();
    recovery.again(again_flags(&cli));
    let interrupted = async {
        // Without a signal handler (very unusual) the command simply runs to its end.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let result = tokio::select! {
        r = dispatch(cli, render, &recovery) => r,
        () = interrupted => Err(Failure::interrupted()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let f = recovery.complete(f);
            render.failure(&f);
            ExitCode::from(f.exit)
        }
    }
}

/// The global flags a resume command must repeat to reach the same service (the emulator's
/// state, another base URL).
fn again_flags(cli: &Cli) -> String {
    let mut flags = String::new();
    if cli.mock {
        flags += " --mock";
    }
    if let Some(dir) = &cli.mock_dir {
        flags += &format!(
            " --mock-dir {}",
            failure::shell_word(&dir.display().to_string())
        );
    }
    if let Some(url) = &cli.base_url {
        flags += &format!(" --base-url {}", failure::shell_word(url));
    }
    if cli.allow_insecure_http {
        flags += " --allow-insecure-http";
    }
    flags
}

async fn dispatch(cli: Cli, render: Render, recovery: &Recovery) -> Result<(), Failure> {
    if let Command::Mock(m) = cli.command {
        return cmd::mock::run(&cli, m, render);
    }
    if let Command::Validate { file } = &cli.command {
        return cmd::validate::run(file, render);
    }
    if let Command::Batch(b) = &cli.command
        && let Some(args::BatchAction::Status { dir, ledger }) = &b.action
    {
        return cmd::batch::status(dir.as_deref(), ledger.as_deref(), render).await;
    }
    if let Command::Batch(b) = &cli.command
        && b.action.is_none()
        && b.run.dry_run
    {
        return cmd::batch_dry_run::run(&b.run, render);
    }
    if let Command::History { pending } = cli.command {
        return cmd::history::run(pending, render);
    }
    if let Command::Quote(q) = cli.command {
        return cmd::quote::run(q, render);
    }
    let conn = connect::connect(&cli).await?;
    match cli.command {
        Command::Models { id } => cmd::models::run(&conn.client, id.as_deref(), render).await,
        Command::Run(run) => {
            recovery.out(run.out.as_deref());
            cmd::run::run(&conn.client, run, render, recovery).await
        }
        Command::Status { id } => cmd::task::status(&conn.client, &id, render).await,
        Command::Wait { id, out } => {
            cmd::task::wait(&conn.client, &id, out.as_deref(), render, recovery).await
        }
        Command::Resume { key_or_id, out } => {
            cmd::history::resume(&conn.client, &key_or_id, out.as_deref(), render, recovery).await
        }
        Command::History { pending } => cmd::history::run(pending, render),
        Command::Credits => cmd::credits::run(&conn.client, render).await,
        Command::Upload { file, model } => {
            cmd::upload::run(&conn.client, &file, model.as_deref(), render).await
        }
        Command::Batch(b) => match b.action {
            Some(args::BatchAction::Retry(r)) => cmd::batch_retry::run(&conn, r, render).await,
            _ => cmd::batch::run(&conn, b.run, render).await,
        },
        Command::Mcp(m) => cmd::mcp::run(&conn, m).await,
        Command::Chat(c) => match c.action {
            Some(args::ChatAction::Sessions { id }) => {
                cmd::chat::sessions(&conn.client, id.as_deref(), render).await
            }
            None => cmd::chat::run(&conn.client, c.turn, render, recovery).await,
        },
        Command::Mock(m) => cmd::mock::run(&cli, m, render),
        Command::Quote(q) => cmd::quote::run(q, render),
        Command::Validate { file } => cmd::validate::run(&file, render),
    }
}
