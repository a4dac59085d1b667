//! `rivya mock reset` and `rivya mock dir`: the --mock state directory.

use std::path::PathBuf;

use serde_json::json;

use crate::args::{Cli, MockCommand};
use crate::failure::Failure;
use crate::render::Render;

/// `--mock-dir`, else `RIVYA_MOCK_DIR`, else `rivya/mock` in the user's cache directory
/// (`$XDG_CACHE_HOME`, else `$HOME/.cache`).
pub fn state_dir(cli: &Cli) -> Result<PathBuf, Failure> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = &cli.mock_dir {
        return Ok(d.clone());
    }
    if let Some(d) = non_empty("RIVYA_MOCK_DIR") {
        return Ok(PathBuf::from(d));
    }
    let cache = non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            Failure::usage("no cache directory (HOME is not set): set RIVYA_MOCK_DIR or --mock-dir")
        })?;
    Ok(cache.join("rivya").join("mock"))
}

pub fn run(cli: &Cli, cmd: MockCommand, render: Render) -> Result<(), Failure> {
    let dir = state_dir(cli)?;
    match cmd {
        MockCommand::Dir => {}
        MockCommand::Reset => rivya_emulator::reset_state_dir(&dir)
            .map_err(|e| Failure::io(format!("{}: {e}", dir.display())))?,
    }
    let verb = match cmd {
        MockCommand::Dir => "mock state in",
        MockCommand::Reset => "mock state cleared in",
    };
    render.result(
        &json!({"mock_dir": dir}),
        &format!("{verb} {}", dir.display()),
    );
    Ok(())
}
