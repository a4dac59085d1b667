//! `rivya mock reset` and `rivya mock dir`: the --mock state directory.

use serde_json::json;

use crate::args::{Cli, MockCommand};
use crate::failure::Failure;
use crate::render::Render;

pub fn run(cli: &Cli, cmd: MockCommand, render: Render) -> Result<(), Failure> {
    let dir = crate::mock_dir::state_dir(cli.mock_dir.as_deref())?;
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
