//! What the CLI refuses before any request: ids that would leave their URL path segment, base
//! URLs that would leak the key, idempotency keys that cannot be a header.

#[path = "../../rivya-runtime/tests/support/raw.rs"]
mod raw;

use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use raw::{RawServer, Reply};
use serde_json::Value;

fn rivya(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
    cmd.args(args)
        .env_remove("RIVYA_API_KEY")
        .env_remove("RIVYA_BASE_URL")
        .env_remove("RIVYA_ALLOW_INSECURE_HTTP")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join(format!("rivya-sec-state-{}", std::process::id())),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run rivya")
}

/// The last JSON error object on stderr.
fn error(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("no JSON error on stderr: {text}"));
    serde_json::from_str::<Value>(line).unwrap()["error"].clone()
}

/// A server that counts requests (and answers each with a 404 envelope).
fn counting() -> (RawServer, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = RawServer::start(true, move |req| {
        s.lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.path));
        let body = r#"{"error":{"code":"not_found","message":"no"}}"#.to_owned();
        Reply::Json(404, body, vec![])
    });
    (server, seen)
}

#[test]
fn status_of_a_dot_segment_is_refused_without_a_request() {
    let (server, seen) = counting();
    let url = server.url();
    let env = [
        ("RIVYA_API_KEY", "rvya_sk_x"),
        ("RIVYA_BASE_URL", url.as_str()),
    ];
    for id in ["..", "."] {
        let out = rivya(&["status", id, "--json"], &env);
        assert_eq!(out.status.code(), Some(2), "{id}");
        let err = error(&out);
        assert_eq!(err["code"], "invalid_id", "{err}");
        assert!(err["message"].as_str().unwrap().contains("dot segment"));
        let out = rivya(&["wait", id, "--json"], &env);
        assert_eq!(error(&out)["code"], "invalid_id");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn plain_http_to_another_host_sends_nothing_unless_allowed() {
    // The counting server stands in as the HTTP proxy: any request for the base URL's host
    // would reach it.
    let (proxy, seen) = counting();
    let proxy_url = proxy.url();
    let env = [
        ("RIVYA_API_KEY", "rvya_sk_secret_in_clear"),
        ("RIVYA_BASE_URL", "http://rivya.test"),
        ("HTTP_PROXY", proxy_url.as_str()),
        ("http_proxy", proxy_url.as_str()),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ];
    let out = rivya(&["credits", "--json"], &env);
    assert_eq!(out.status.code(), Some(1));
    let err = error(&out);
    assert_eq!(err["code"], "config", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("--allow-insecure-http"), "{message}");
    assert!(message.contains("RIVYA_ALLOW_INSECURE_HTTP"), "{message}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );

    // Opting in (flag or environment) sends it.
    let _ = rivya(&["credits", "--json", "--allow-insecure-http"], &env);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let mut env2 = env.to_vec();
    env2.push(("RIVYA_ALLOW_INSECURE_HTTP", "1"));
    let _ = rivya(&["credits", "--json"], &env2);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn credentials_in_the_base_url_are_refused_and_never_echoed() {
    for url in [
        "https://user:hunter2@rivya.test",
        "ftp://user:hunter2@rivya.test",
        "http://hunter2@127.0.0.1:9",
        "https://rivya.test/?token=hunter2",
    ] {
        let out = rivya(
            &["credits", "--json"],
            &[("RIVYA_API_KEY", "rvya_sk_x"), ("RIVYA_BASE_URL", url)],
        );
        assert_eq!(out.status.code(), Some(1), "{url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("hunter2"), "{url}: {stderr}");
        assert_eq!(error(&out)["code"], "config", "{url}");
    }
}

#[test]
fn a_key_with_a_line_break_is_refused_before_any_request() {
    let (server, seen) = counting();
    let url = server.url();
    let env = [
        ("RIVYA_API_KEY", "rvya_sk_x"),
        ("RIVYA_BASE_URL", url.as_str()),
    ];
    let out = rivya(
        &[
            "run",
            "kling-3-0",
            "--prompt",
            "p",
            "--idempotency-key",
            "a\r\nX-Evil: 1",
            "--json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error(&out)["code"], "usage");
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn a_fifo_given_as_a_reference_is_refused_at_once() {
    let (server, seen) = counting();
    let url = server.url();
    let dir = std::env::temp_dir().join(format!("rivya-sec-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("ref.png");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = format!("@{}", fifo.display());
    let args = [
        "run",
        "nano-banana",
        "--prompt",
        "x",
        "--ref",
        r.as_str(),
        "--json",
    ];
    let env = [
        ("RIVYA_API_KEY", "rvya_sk_x"),
        ("RIVYA_BASE_URL", url.as_str()),
    ];
    // On a thread: a command that blocks on the FIFO fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut child = {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rivya"));
        cmd.args(args).env_remove("RIVYA_BASE_URL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let pid = child.id();
    std::thread::spawn(move || {
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let _ = tx.send((child.wait().unwrap().code(), err));
    });
    let Ok((code, stderr)) = rx.recv_timeout(std::time::Duration::from_secs(30)) else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("rivya blocked on the FIFO");
    };
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("FIFO"), "{stderr}");
    assert!(seen.lock().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
