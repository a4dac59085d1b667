//! `rivya validate <FILE|->`: the generated rules only, offline; exit 0, 1 or 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

/// Runs `rivya validate` with `args`, feeding `stdin`; no key or base URL in the environment.
fn validate(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rivya"))
        .arg("validate")
        .args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rivya");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn body_file(name: &str, body: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("rivya-validate-{}-{name}.json", std::process::id()));
    std::fs::write(&path, body).unwrap();
    path
}

fn verdict(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    })
}

fn paths(v: &Value) -> Vec<&str> {
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect()
}

#[test]
fn a_valid_generation_body_from_a_file_exits_0() {
    let body = json!({"model": "flux-2-pro", "prompt": "A lake", "params": {"resolution": "2K"}});
    let file = body_file("ok", &body.to_string());
    let out = validate(&["--json", file.to_str().unwrap()], "");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = verdict(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["model"], "flux-2-pro");
    assert_eq!(v["kind"], "generation");
    let _ = std::fs::remove_file(file);
}

#[test]
fn a_chat_turn_from_stdin_is_judged_by_the_chat_rules() {
    let ok = json!({"model": "gpt-5-2-chat", "message": "Hello"}).to_string();
    let out = validate(&["-", "--json"], &ok);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(verdict(&out)["kind"], "chat");

    let bad = json!({"model": "gpt-5-2-chat", "message": " ", "attachments": [{"file_id": ""}]});
    let out = validate(&["-", "--json"], &bad.to_string());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(paths(&verdict(&out)), ["attachments[0].file_id", "message"]);
}

#[test]
fn every_violation_is_listed_with_its_path_and_exit_1() {
    let body = json!({
        "model": "flux-2-pro",
        "prompt": "",
        "params": {"resolution": "8K", "seed": 1, "referenceMediaItems": [{"url": "x", "kind": "video"}]},
        "files": []
    });
    let out = validate(&["-", "--json"], &body.to_string());
    assert_eq!(out.status.code(), Some(1));
    let v = verdict(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(
        paths(&v),
        [
            "files",
            "prompt",
            "params.resolution",
            "params.seed",
            "params.referenceMediaItems[0].url",
            "params.referenceMediaItems[0].kind",
            "params.referenceMediaItems[0].durationToken",
        ]
    );
    assert_eq!(v["violations"][2]["rule"], "not_an_option");
    assert_eq!(v["violations"][2]["value"], "8K");
    // Without --json (stdout is a pipe, so JSON is the default there too): the error names them.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("7 violations"), "{stderr}");
}

#[test]
fn unknown_or_missing_models_and_malformed_json_are_violations() {
    let cases = [
        (
            json!({"model": "no-such-model"}).to_string(),
            "model",
            "unknown_model",
        ),
        (json!({"prompt": "x"}).to_string(), "model", "required"),
        ("[1, 2]".to_owned(), "body", "not_an_object"),
        ("{\"model\": ".to_owned(), "body", "malformed_json"),
        (String::new(), "body", "malformed_json"),
    ];
    for (body, path, rule) in cases {
        let out = validate(&["-", "--json"], &body);
        assert_eq!(out.status.code(), Some(1), "{body}");
        let v = verdict(&out);
        assert_eq!(paths(&v), [path], "{body}");
        assert_eq!(v["violations"][0]["rule"], rule, "{body}");
    }
    let out = validate(&["-"], "{\"model\": ");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("malformed JSON") && text.contains("line 1"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let missing = validate(&["/nonexistent/body.json"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/body.json")
    );
    assert_eq!(validate(&[], "").status.code(), Some(2));
    let dir = std::env::temp_dir();
    assert_eq!(
        validate(&[dir.to_str().unwrap()], "").status.code(),
        Some(2)
    );
}
