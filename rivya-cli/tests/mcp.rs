//! `rivya mcp` driven by a real MCP client: the official Python SDK (`pip install mcp`, into a
//! virtual environment under target/ made on first use), running tests/mcp_client.py against
//! an emulator started here. The script checks: the tools listed, kling-3-0 described and
//! quoted at 90, an invalid duration refused by path with nothing sent or paid, two identical
//! `generate` calls paid once, the call past `--budget 100` refused, chat turns (a repeat
//! answered once), `--allow-models`, a server killed mid-call and restarted with the same
//! `--session` and ledger paying once, and `--mock`.
//!
//! Without python3 (or without PyPI to install the SDK) the test is skipped with a message,
//! except under CI (the `CI` variable set), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rivya_emulator::{Config, Emulator};

/// The SDK versions the script is written against (its stdio client and session API).
const SDK: &str = "mcp>=1.10,<3";

fn skip_or_fail(why: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("the MCP client test needs {why} under CI");
    }
    eprintln!("SKIPPED: rivya mcp client test: {why} (set CI=1 to make this a failure)");
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The venv's python with the MCP SDK importable, made (or repaired) when needed.
fn sdk_python() -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-venv");
    let python = venv.join("bin").join("python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import mcp.client.stdio"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .map_err(|e| format!("a Python virtual environment (python3-venv): {e}"))?;
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet", SDK]))
        .map_err(|e| format!("the MCP Python SDK ({SDK}) from PyPI: {e}"))?;
    if ready(&python) {
        Ok(python)
    } else {
        Err(format!(
            "the MCP Python SDK ({SDK}) importable after install"
        ))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_python_client_lists_prices_and_pays_once() {
    if Command::new("python3").arg("--version").output().is_err() {
        return skip_or_fail("python3");
    }
    let python = match sdk_python() {
        Ok(p) => p,
        Err(why) => return skip_or_fail(&why),
    };
    let emu = Emulator::start(Config {
        queued_for: Duration::from_millis(300),
        processing_for: Duration::from_millis(1200),
        ..Config::default()
    })
    .await
    .unwrap();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "mcp-client-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&work).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .env("RIVYA_BIN", env!("CARGO_BIN_EXE_rivya"))
        .env("EMU_URL", emu.base_url())
        .env("EMU_KEY", emu.api_key())
        .env("WORK", &work);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("run the Python MCP client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "the MCP client failed:\n{stderr}");
    assert!(stdout.contains("all MCP checks passed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&work);
}
