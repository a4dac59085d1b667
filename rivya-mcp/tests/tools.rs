//! The tools called in process against the emulator (the MCP transport itself is exercised by
//! rivya-cli/tests/mcp.rs with the official Python client): a create whose answer was lost,
//! local references and chat attachments uploaded once, the budget across a restart, and
//! arguments refused before anything is sent.

use std::path::{Path, PathBuf};

use rivya_emulator::{Config, Emulator, Fault};
use rivya_mcp::{Options, Server, ToolResult};
use rivya_runtime::{ClientBuilder, RetryPolicy};
use serde_json::{Map, Value, json};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "rivya-mcp-tools-{}-{:x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn server(emu: &Emulator, dir: &Path, session: &str, budget: Option<u64>) -> Server {
    let client = ClientBuilder::default()
        .base_url(emu.base_url())
        .api_key(emu.api_key())
        // One attempt: a lost answer reaches the tool, as when the agent's call is cut.
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut options = Options::new(dir.join("ledger.sqlite"));
    options.session = Some(session.to_owned());
    options.budget = budget;
    Server::new(client, options).unwrap()
}

async fn call(s: &Server, tool: &str, args: Value) -> ToolResult {
    let args: Map<String, Value> = args.as_object().cloned().unwrap();
    s.call(tool, &args).await.expect("a known tool")
}

async fn emulator() -> Emulator {
    Emulator::start(Config::default()).await.unwrap()
}

fn clip(prompt: &str) -> Value {
    json!({"model": "kling-3-0", "prompt": prompt, "params": {"duration": "5"}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_answer_was_lost_is_sent_again_with_its_key_and_paid_once() {
    let emu = emulator().await;
    let dir = temp_dir();
    let s = server(&emu, &dir, "lost", None);
    emu.inject([Fault::DropAfterCreate]);
    let err = call(&s, "generate", clip("lost answer")).await.unwrap_err();
    assert!(
        err.message.contains("repeat the identical call"),
        "{}",
        err.message
    );
    assert_eq!(emu.stats().tasks_created, 1, "the task exists and is paid");

    let again = call(&s, "generate", clip("lost answer")).await.unwrap();
    assert_eq!(again["replayed"], true);
    let st = emu.stats();
    assert_eq!((st.tasks_created, st.creates_replayed), (1, 1), "{st:?}");
    let third = call(&s, "generate", clip("lost answer")).await.unwrap();
    assert_eq!(third["task_id"], again["task_id"]);
    assert_eq!(
        emu.stats().creates_replayed,
        1,
        "known task ids are read, not re-created"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn local_references_are_checked_first_then_uploaded_once() {
    let emu = emulator().await;
    let dir = temp_dir();
    let s = server(&emu, &dir, "refs", None);
    let png = dir.join("ref.png");
    std::fs::write(&png, PNG).unwrap();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not an image").unwrap();

    let mut bad = clip("with refs");
    bad["references"] = json!([png, text]);
    let err = call(&s, "generate", bad).await.unwrap_err();
    assert!(err.message.contains("references[1]"), "{}", err.message);
    assert_eq!(emu.stats().requests, 0, "nothing was sent");

    let mut good = clip("with refs");
    good["references"] = json!([png]);
    let first = call(&s, "generate", good.clone()).await.unwrap();
    let second = call(&s, "generate", good).await.unwrap();
    assert_eq!(first["task_id"], second["task_id"]);
    let st = emu.stats();
    assert_eq!((st.files, st.tasks_created), (1, 1), "{st:?}");

    let mut three = clip("too many");
    three["references"] = json!([png, png, png]);
    let err = call(&s, "generate", three).await.unwrap_err();
    assert!(
        err.message.contains("params.referenceMediaItems"),
        "{}",
        err.message
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_attachment_is_uploaded_and_the_turn_answered_once() {
    let emu = emulator().await;
    let dir = temp_dir();
    let s = server(&emu, &dir, "chat", None);
    let png = dir.join("look.png");
    std::fs::write(&png, PNG).unwrap();
    let turn = json!({"model": "gpt-5-2-chat", "message": "What is this?", "attachments": [png]});
    let quote = call(&s, "quote", turn.clone()).await.unwrap();
    assert!(quote["max_credits"].as_u64().unwrap() >= 1, "{quote}");
    let first = call(&s, "chat", turn.clone()).await.unwrap();
    let again = call(&s, "chat", turn).await.unwrap();
    assert_eq!(first["turn_id"], again["turn_id"]);
    let st = emu.stats();
    assert_eq!((st.files, st.chat_turns_created), (1, 1), "{st:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_budget_keeps_its_count_when_the_session_is_restarted() {
    let emu = emulator().await;
    let dir = temp_dir();
    let first = server(&emu, &dir, "work", Some(100));
    call(&first, "generate", clip("one")).await.unwrap();
    drop(first);

    let restarted = server(&emu, &dir, "work", Some(100));
    let err = call(&restarted, "generate", clip("two")).await.unwrap_err();
    assert_eq!(err.data["error"]["code"], "budget_exceeded");
    assert_eq!(err.data["error"]["left"], 10);
    let other = server(&emu, &dir, "other", Some(100));
    call(&other, "generate", clip("two")).await.unwrap();
    assert_eq!(emu.stats().tasks_created, 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_arguments_are_refused_before_anything_is_sent() {
    let emu = emulator().await;
    let dir = temp_dir();
    let s = server(&emu, &dir, "args", None);
    let typo = json!({"model": "kling-3-0", "prompt": "x", "param": {"duration": "5"}});
    let err = call(&s, "generate", typo).await.unwrap_err();
    assert!(
        err.message.contains("unknown argument param"),
        "{}",
        err.message
    );
    let chat_model = json!({"model": "gpt-5-2-chat", "prompt": "x"});
    let err = call(&s, "generate", chat_model).await.unwrap_err();
    assert!(
        err.message.contains("use the `chat` tool"),
        "{}",
        err.message
    );
    let unknown = json!({"model": "no-such-model", "prompt": "x"});
    let err = call(&s, "generate", unknown).await.unwrap_err();
    assert_eq!(err.data["error"]["code"], "unknown_model");
    let blank = json!({"model": "kling-3-0", "prompt": "  ", "params": {"duration": 10}});
    let err = call(&s, "generate", blank).await.unwrap_err();
    assert!(err.message.contains("prompt:"), "{}", err.message);
    assert_eq!(emu.stats().requests, 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_task_gives_its_credits_back_to_the_budget() {
    let emu = Emulator::start(Config {
        queued_for: std::time::Duration::ZERO,
        processing_for: std::time::Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = temp_dir();
    let s = server(&emu, &dir, "refund", Some(100));
    emu.fail_next_tasks(1);
    let mut failing = clip("fails");
    failing["wait_seconds"] = json!(30);
    let err = call(&s, "generate", failing).await.unwrap_err();
    assert_eq!(err.data["error"]["code"], "task_failed", "{}", err.message);
    let quote = call(&s, "quote", clip("next")).await.unwrap();
    assert_eq!(quote["budget"]["left"], 100, "{quote}");
    let ok = call(&s, "generate", clip("next")).await.unwrap();
    assert_eq!(ok["budget"]["left"], 10, "{ok}");
    let _ = std::fs::remove_dir_all(dir);
}
