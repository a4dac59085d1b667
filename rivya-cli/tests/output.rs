//! What a user sees on stdout: the compiled catalog offline, and a closed stdout (`| head`)
//! ending a command quietly instead of a panic.

use std::process::{Command, Stdio};

fn rivya() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("rivya-output-test-state"),
        );
    cmd
}

#[test]
fn models_lists_the_compiled_catalog_when_the_api_is_unreachable() {
    // A loopback port nothing listens on: refused at once, no network needed.
    let out = rivya()
        .args(["models", "--json", "--base-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), rivya_models::catalog::all().len());
    assert!(
        rows.iter()
            .any(|r| r["id"] == "gpt-5.4-codex-chat" && r["capability"] == "chat")
    );
    assert!(rows.iter().all(|r| r["source"] == "spec"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("live_catalog_unavailable"), "{stderr}");
}

/// Serves one HTTP response with this JSON body on a loopback port, then stops.
fn serve_once(body: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = conn.read(&mut buf);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(body.as_bytes());
    });
    port
}

#[test]
fn models_shows_compiled_and_live_entries_with_the_same_fields() {
    let port = serve_once(
        r#"{"object":"list","data":[
            {"id":"kling-3-0","display_name":"Kling 3.0","category":"video","base_credits":90,"billing_type":"FIXED"},
            {"id":"future-model","display_name":"Future","category":"hologram","base_credits":7,"billing_type":"PER_FRAME"},
            {"id":"cheap-model","category":"image","base_credits":2.5,"billing_type":"FIXED"}]}"#,
    );
    let out = rivya()
        .args([
            "models",
            "--json",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(row("kling-3-0")["source"], "both");
    assert_eq!(row("veo3-1-lite")["source"], "spec only");
    let future = row("future-model");
    assert_eq!(future["source"], "live only");
    // A category and billing this build has no type for are shown as the API sent them.
    assert_eq!(future["capability"], "hologram");
    assert_eq!(future["billing"], "PER_FRAME");
    assert_eq!(future["base_credits"], 7);
    assert_eq!(
        row("cheap-model")["base_credits"],
        2.5,
        "a fraction is kept as sent"
    );
    let mut keys: Vec<_> = future.as_object().unwrap().keys().collect();
    let mut spec_keys: Vec<_> = row("kling-3-0")
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    spec_keys.sort();
    assert_eq!(keys, spec_keys.iter().collect::<Vec<_>>());
}

#[test]
fn a_closed_stdout_is_a_quiet_exit() {
    let mut child = rivya()
        .args(["models", "kling-3-0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes its answer.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
