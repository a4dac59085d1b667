//! Chat turns in a batch: a manifest that mixes generations and chat turns runs each exactly
//! once through the same ledger; each answer is saved with its usage and credits; a re-run
//! pays nothing; a bad chat line is refused before anything is sent.

mod support;

use rivya_batch::{Options, Pricing, SqliteLedger, manifest, write_results};
use rivya_emulator::Emulator;
use support::{TempDir, client, fast, results, stats};

fn chat_lines() -> Vec<String> {
    let mut lines = support::z_items(3);
    for i in 0..3 {
        lines.push(format!(
            r#"{{"key": "turn-{i}", "model": "gpt-5-3-codex-chat", "message": "question {i}", "reasoning_effort": "low"}}"#
        ));
    }
    lines.push(
        r#"{"key": "look", "model": "gemini-2-5-flash-chat", "message": "describe it", "refs": ["ref.png"]}"#
            .to_owned(),
    );
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_batch_runs_each_turn_once_and_saves_the_answers() {
    let tmp = TempDir::new("chat-mixed");
    std::fs::write(tmp.path().join("ref.png"), support::PNG).unwrap();
    let path = support::manifest(tmp.path(), &chat_lines());
    let m = manifest::load(&path, Pricing::default()).unwrap();
    let emu = Emulator::start(fast()).await.unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let ledger_path = tmp.path().join("ledger.sqlite");
    let options = || Options {
        concurrency: 3,
        out_dir: Some(out.clone()),
        ..Options::default()
    };
    let ledger = SqliteLedger::open(&ledger_path).unwrap();
    let summary = rivya_batch::run(&m, ledger, client(&emu), options(), None)
        .await
        .unwrap();
    assert_eq!(summary.counts.succeeded, 7, "{summary:?}");
    let s = stats(&emu).await;
    assert_eq!(s["tasks_created"], 3);
    assert_eq!(s["chat_turns_created"], 4);
    assert_eq!(s["files"], 1, "the image is uploaded once");

    let results_path = out.join("results.jsonl");
    {
        let ledger = SqliteLedger::open(&ledger_path).unwrap();
        write_results(&ledger, &results_path).await.unwrap();
    }
    let lines = results(&results_path);
    let turn = lines.iter().find(|l| l["key"] == "turn-1").unwrap();
    assert_eq!(turn["status"], "succeeded");
    assert!(turn["task_id"].as_str().unwrap().starts_with("chatcmpl_"));
    let file = &turn["files"][0];
    let answer: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file["path"].as_str().unwrap()).unwrap()).unwrap();
    assert!(answer["content"].as_str().unwrap().contains("question 1"));
    assert!(answer["usage"]["total_tokens"].as_u64().unwrap() > 0);
    assert_eq!(turn["credits"], answer["credits"]["final"]);

    // Again: everything is done, nothing is sent.
    let ledger = SqliteLedger::open(&ledger_path).unwrap();
    let again = rivya_batch::run(&m, ledger, client(&emu), options(), None)
        .await
        .unwrap();
    assert_eq!(again.counts.succeeded, 7);
    let s = stats(&emu).await;
    assert_eq!(s["chat_turns_created"], 4);
    assert_eq!(s["chat_turns_replayed"], 0);
}

#[test]
fn chat_lines_are_checked_by_the_chat_rules_before_anything_is_sent() {
    let tmp = TempDir::new("chat-bad");
    std::fs::write(tmp.path().join("clip.mp4"), b"\0\0\0\x18ftypmp42").unwrap();
    let long = "x".repeat(20_001);
    let lines = vec![
        format!(r#"{{"model": "gpt-5-3-codex-chat", "message": "{long}"}}"#),
        r#"{"model": "gpt-5-3-codex-chat", "message": "hi", "prompt": "generation field"}"#
            .to_owned(),
        r#"{"model": "kling-3-0", "prompt": "a clip", "message": "chat field"}"#.to_owned(),
        r#"{"model": "gpt-5-3-codex-chat", "message": "hi", "refs": ["clip.mp4"]}"#.to_owned(),
    ];
    let path = support::manifest(tmp.path(), &lines);
    let err = manifest::load(&path, Pricing::default()).unwrap_err();
    let at: Vec<(usize, &str)> = err
        .problems
        .iter()
        .map(|p| (p.line, p.path.as_str()))
        .collect();
    for want in [
        (1, "message"),
        (2, "prompt"),
        (3, "message"),
        (4, "refs[0]"),
    ] {
        assert!(at.contains(&want), "{want:?} missing in {err}");
    }
}

/// Answers lost after the turn was made (the connection closed once the work was done) and
/// 503s: every turn is resent with its key, and the server counts one turn per item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turns_whose_answers_are_lost_are_made_once() {
    let tmp = TempDir::new("chat-faults");
    let lines: Vec<String> = (0..12)
        .map(|i| {
            format!(r#"{{"key": "t{i}", "model": "gpt-5-codex-chat", "message": "turn {i}"}}"#)
        })
        .collect();
    let path = support::manifest(tmp.path(), &lines);
    let m = manifest::load(&path, Pricing::default()).unwrap();
    let emu = Emulator::start(rivya_emulator::Config {
        faults: rivya_emulator::FaultRates {
            drop_after_create: 0.4,
            unavailable: 0.1,
            ..Default::default()
        },
        ..fast()
    })
    .await
    .unwrap();
    let ledger = SqliteLedger::open(&tmp.path().join("ledger.sqlite")).unwrap();
    let options = Options {
        concurrency: 4,
        create_attempts: 20,
        ..Options::default()
    };
    let summary = rivya_batch::run(&m, ledger, client(&emu), options, None)
        .await
        .unwrap();
    assert_eq!(summary.counts.succeeded, 12, "{summary:?}");
    let s = stats(&emu).await;
    assert_eq!(s["chat_turns_created"], 12, "{s}");
    assert!(s["chat_turns_replayed"].as_u64().unwrap() > 0, "{s}");
}
