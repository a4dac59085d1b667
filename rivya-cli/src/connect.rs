//! A client for the real API, or for the built-in emulator (`--mock`).

use std::time::Duration;

use rivya_emulator::{Config as EmulatorConfig, Emulator};
use rivya_runtime::{Client, ClientBuilder};

use crate::args::{Cli, Command};
use crate::failure::Failure;

/// The client, and the emulator it talks to when `--mock` (kept alive with it).
pub struct Connection {
    pub client: Client,
    /// How `client` was built (the batch engine builds its own clients from it).
    pub builder: ClientBuilder,
    _emulator: Option<Emulator>,
}

pub async fn connect(cli: &Cli) -> Result<Connection, Failure> {
    let mut builder = ClientBuilder::from_env();
    if let Some(url) = &cli.base_url {
        builder = builder.base_url(url.clone());
    }
    if cli.allow_insecure_http {
        builder = builder.allow_insecure_http(true);
    }
    let emulator = if cli.mock {
        let dir = crate::mock_dir::state_dir(cli.mock_dir.as_deref())?;
        let emu = Emulator::start(EmulatorConfig {
            queued_for: Duration::from_millis(400),
            processing_for: Duration::from_millis(1600),
            state_dir: Some(dir.clone()),
            ..EmulatorConfig::default()
        })
        .await
        .map_err(|e| {
            Failure::io(format!(
                "cannot start the emulator on {}: {e}",
                dir.display()
            ))
        })?;
        builder = builder.base_url(emu.base_url()).api_key(emu.api_key());
        Some(emu)
    } else {
        None
    };
    let needs_key = !matches!(cli.command, Command::Models { .. });
    if needs_key
        && emulator.is_none()
        && std::env::var("RIVYA_API_KEY").map_or(true, |k| k.trim().is_empty())
    {
        return Err(Failure {
            code: "api_key_missing".to_owned(),
            exit: 1,
            ..Failure::usage(
                "no API key: set RIVYA_API_KEY, or add --mock to try it against a built-in emulator",
            )
        });
    }
    let client = builder.clone().build().map_err(Failure::from)?;
    Ok(Connection {
        client,
        builder,
        _emulator: emulator,
    })
}
