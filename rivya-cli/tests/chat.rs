//! `rivya chat` as a user meets it: a streamed answer and a second turn in the same session, a
//! message refused locally with nothing paid, and a stream cut by the server resumed with the
//! printed key — one turn on the server, charged once.

use std::process::{Command, Output};

use rivya_emulator::{Config, Emulator, FaultRates};
use serde_json::Value;

fn rivya(args: &[&str], emu: &Emulator) -> Output {
    command(args, emu).output().expect("run rivya")
}

/// `rivya` against `emu`, with its journal in a folder of this test process.
fn command(args: &[&str], emu: &Emulator) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.args(args)
        .env("RIVYA_API_KEY", emu.api_key())
        .env("RIVYA_BASE_URL", emu.base_url())
        .env(
            "RIVYA_MOCK_DIR",
            std::env::temp_dir().join("rivya-chat-test-unused"),
        )
        .env("XDG_STATE_HOME", state_home());
    cmd
}

fn state_home() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("rivya-chat-test-state-{}", std::process::id()))
}

async fn emulator(faults: FaultRates) -> Emulator {
    Emulator::start(Config {
        faults,
        ..Config::default()
    })
    .await
    .unwrap()
}

fn json_out(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_turn_then_a_second_turn_in_its_session() {
    let emu = emulator(FaultRates::default()).await;
    let first = rivya(
        &["chat", "gpt-5-3-codex-chat", "Name a colour", "--json"],
        &emu,
    );
    assert!(first.status.success(), "{first:?}");
    let first = json_out(&first);
    for key in ["id", "session_id", "model", "content", "usage", "credits"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert!(first["content"].as_str().unwrap().contains("Name a colour"));
    let session = first["session_id"].as_str().unwrap();
    let second = rivya(
        &[
            "chat",
            "gpt-5-3-codex-chat",
            "Another",
            "--session",
            session,
            "--json",
        ],
        &emu,
    );
    assert!(second.status.success(), "{second:?}");
    let second = json_out(&second);
    assert_eq!(second["session_id"], session);
    assert!(second["content"].as_str().unwrap().contains("turn 2"));
    let stats = emu.stats();
    assert_eq!(stats.chat_turns_created, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_over_long_message_exits_2_and_pays_nothing() {
    let emu = emulator(FaultRates::default()).await;
    let long = "x".repeat(20_001);
    for args in [
        vec!["chat", "gpt-5-3-codex-chat", long.as_str()],
        vec!["chat", "kling-3-0", "hello"],
        vec![
            "chat",
            "gpt-5-3-codex-chat",
            "hi",
            "--reasoning-effort",
            "max",
        ],
    ] {
        let out = rivya(&args, &emu);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
    }
    let stats = emu.stats();
    assert_eq!(stats.chat_turns_created, 0);
    assert_eq!(stats.credits, Config::default().credits);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_stream_is_resumed_with_the_printed_key_and_charged_once() {
    let emu = emulator(FaultRates {
        chat_stream_cut: 1.0,
        ..FaultRates::default()
    })
    .await;
    let out = rivya(
        &["chat", "gpt-5-3-codex-chat", "Tell me a story", "--json"],
        &emu,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let err: Value = serde_json::from_str(
        stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("{\"error\""))
            .unwrap_or_else(|| panic!("no JSON error: {stderr}")),
    )
    .unwrap();
    let key = err["error"]["idempotency_key"].as_str().unwrap().to_owned();
    assert!(err["error"]["session_id"].is_string(), "{err}");
    let resume = err["error"]["resume"].as_str().unwrap();
    assert!(
        resume.contains(&format!("--idempotency-key {key}")),
        "{resume}"
    );
    let spent = Config::default().credits - emu.stats().credits;
    assert!(spent > 0.0, "the cut turn was created and charged");

    // The printed command, as a user would run it.
    let again = rivya(
        &[
            "chat",
            "gpt-5-3-codex-chat",
            "Tell me a story",
            "--no-stream",
            "--idempotency-key",
            &key,
            "--json",
        ],
        &emu,
    );
    assert!(again.status.success(), "{again:?}");
    let done = json_out(&again);
    assert!(
        done["content"]
            .as_str()
            .unwrap()
            .contains("Tell me a story")
    );
    let stats = emu.stats();
    assert_eq!(stats.chat_turns_created, 1);
    assert_eq!(stats.chat_turns_replayed, 1);
    assert_eq!(
        Config::default().credits - stats.credits,
        spent,
        "charged once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_turn_killed_in_flight_is_in_the_history_and_resume_finishes_it_once() {
    let emu = emulator(FaultRates {
        chat_delta_delay: std::time::Duration::from_millis(400),
        ..FaultRates::default()
    })
    .await;
    // Keys of earlier tests in this process share the journal folder; count only this one.
    let mut child = command(
        &["chat", "gpt-5-codex-chat", "Killed mid-answer", "--json"],
        &emu,
    )
    .spawn()
    .unwrap();
    // The turn exists (and is charged) once the stream began; kill while deltas are slow.
    for _ in 0..100 {
        if emu.stats().chat_turns_created == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(emu.stats().chat_turns_created, 1);

    let pending = json_out(&rivya(&["history", "--pending", "--json"], &emu));
    let row = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "gpt-5-codex-chat")
        .unwrap_or_else(|| panic!("not in the history: {pending}"))
        .clone();
    let key = row["idempotency_key"].as_str().unwrap();
    let done = rivya(&["resume", key, "--json"], &emu);
    assert!(done.status.success(), "{done:?}");
    let done = json_out(&done);
    assert!(
        done["content"]
            .as_str()
            .unwrap()
            .contains("Killed mid-answer")
    );
    let stats = emu.stats();
    assert_eq!(stats.chat_turns_created, 1, "paid once");
    assert_eq!(stats.chat_turns_replayed, 1);
}
