//! Bad manifests: every problem reported with its line and path, before anything is sent.

mod support;

use rivya_batch::{Options, Pricing, SqliteLedger, manifest};
use rivya_emulator::Emulator;
use support::{TempDir, client, fast, stats};

#[tokio::test]
async fn every_problem_is_named_with_its_line_and_nothing_is_paid() {
    let tmp = TempDir::new("bad");
    std::fs::write(tmp.path().join("notes.txt"), b"plain text, not an image").unwrap();
    let lines = [
        r#"{"key": "a", "model": "z-image", "prompt": "fine"}"#,
        r#"{"key": "b", "model": "kling-3-0", "prompt": "x", "params": {"duration": "forever"}}"#,
        r#"{"key": "a", "model": "z-image", "prompt": "again"}"#,
        r#"{"key": "c", "model": "no-such-model", "prompt": "x"}"#,
        r#"{"key": "d", "model": "nano-banana", "prompt": "x", "refs": ["missing.png"]}"#,
        r#"{"key": "e", "model": "nano-banana", "prompt": "x", "refs": ["notes.txt"]}"#,
        r#"{"key": "f", "model": "z-image", "prompt": "x", "colour": "red"}"#,
        r#"not json"#,
        r#"{"key": "g", "model": "elevenlabs-turbo-2-5", "prompt": "x", "params": {"voice": "TX3LPaxmHKxFdv7VOQHJ"}}"#,
        r#"{"model": "z-image", "prompt": "same"}"#,
        r#"{"model": "z-image", "prompt": "same"}"#,
        "",
        r#"{"key": "h", "model": "z-image", "prompt": "   "}"#,
    ]
    .map(str::to_owned);
    let path = support::manifest(tmp.path(), &lines);
    let err = manifest::load(&path, Pricing::default()).unwrap_err();
    let text = err.to_string();
    let expect = [
        "line 2: params.duration: `forever` is not an option",
        "line 3: key: duplicate key `a` (first used on line 1)",
        "line 4: model: unknown model `no-such-model`",
        "line 5: refs[0]: cannot read",
        "line 6: refs[0]: ",
        "line 7: colour: unknown field",
        "line 8: not valid JSON",
        "line 9: model: `elevenlabs-turbo-2-5` is billed METERED",
        "line 11: key: the same item as line 10",
        "line 13: prompt: must not be empty",
    ];
    for e in expect {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    assert!(!text.contains("line 1:"), "{text}");
    assert!(text.starts_with("the manifest has"), "{text}");

    // Nothing reaches the API: the batch never starts on a bad manifest.
    let emu = Emulator::start(fast()).await.unwrap();
    if let Ok(m) = manifest::load(&path, Pricing::default()) {
        let ledger = SqliteLedger::open(&tmp.path().join("l.sqlite")).unwrap();
        let _ = rivya_batch::run(&m, ledger, client(&emu), Options::default(), None).await;
    }
    let s = stats(&emu).await;
    assert_eq!(s["requests"], 0);
}

#[test]
fn metered_models_need_an_allowance_at_least_their_base_price() {
    let tmp = TempDir::new("metered");
    let line = r#"{"key": "g", "model": "elevenlabs-turbo-2-5", "prompt": "x", "params": {"voice": "TX3LPaxmHKxFdv7VOQHJ"}}"#;
    let path = support::manifest(tmp.path(), &[line.to_owned()]);
    let low = Pricing {
        metered_allowance: Some(1.0),
    };
    let err = manifest::load(&path, low).unwrap_err();
    assert!(
        err.to_string().contains("above the metered allowance"),
        "{err}"
    );
    let ok = Pricing {
        metered_allowance: Some(50.0),
    };
    let m = manifest::load(&path, ok).unwrap();
    assert_eq!(m.items[0].price, 50.0);
}

#[test]
fn default_keys_are_stable_across_key_order_and_runs() {
    let tmp = TempDir::new("keys");
    let a = support::manifest(
        tmp.path(),
        &[r#"{"model": "z-image", "prompt": "p", "params": {}}"#.to_owned()],
    );
    let ka = manifest::load(&a, Pricing::default()).unwrap().items[0]
        .key
        .clone();
    let b = support::manifest(
        tmp.path(),
        &[r#"{"params": {}, "prompt": "p", "model": "z-image"}"#.to_owned()],
    );
    let kb = manifest::load(&b, Pricing::default()).unwrap().items[0]
        .key
        .clone();
    assert_eq!(ka, kb);
    assert_eq!(ka.len(), 16);
}
