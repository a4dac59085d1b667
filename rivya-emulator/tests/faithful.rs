//! The emulator stays faithful to the contract under faults and abuse: faults on every route,
//! `updated_at` that moves only with the task, refused idempotency keys, oversize uploads cut
//! off early, the error envelope on every error, one-line startup errors, and durations read
//! from media headers.

use std::io::{Read, Write};
use std::time::Duration;

use rivya_emulator::{Config, Emulator, Fault, FaultRates};
use rivya_models::MediaKind;
use rivya_runtime::{Client, PollPolicy, RetryPolicy, Upload};
use serde_json::{Value, json};

fn config(queued: u64, processing: u64) -> Config {
    Config {
        queued_for: Duration::from_millis(queued),
        processing_for: Duration::from_millis(processing),
        ..Config::default()
    }
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(5),
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(20),
            deadline: Duration::from_secs(10),
            ..PollPolicy::default()
        })
        .build()
        .unwrap()
}

/// Asserts the documented envelope and returns its code.
async fn envelope_code(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("a JSON body");
    let e = &body["error"];
    assert!(
        e["code"].is_string() && e["message"].is_string(),
        "not an envelope: {body}"
    );
    assert!(
        e["requestId"].as_str().unwrap().starts_with("req_"),
        "{body}"
    );
    (status, e["code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn faults_hit_polls_files_and_credits_too() {
    let emu = Emulator::start(config(5, 15)).await.unwrap();
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{}/api/v1/{path}", emu.base_url()))
            .bearer_auth(emu.api_key())
    };
    emu.inject([Fault::Unavailable]);
    assert_eq!(
        envelope_code(get("credits").send().await.unwrap()).await,
        (503, "public_api_disabled".into())
    );
    emu.inject([Fault::RateLimited {
        retry_after_secs: 2,
    }]);
    let resp = get("generations/task_x").send().await.unwrap();
    assert_eq!(resp.headers()["retry-after"], "2");
    assert_eq!(envelope_code(resp).await, (429, "rate_limited".into()));
    emu.inject([Fault::ServerError]);
    assert_eq!(
        envelope_code(get("files/file_x").send().await.unwrap())
            .await
            .0,
        500
    );
    emu.inject([Fault::DropAfterCreate]);
    let dropped = match get("credits").send().await {
        Ok(resp) => resp.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(dropped, "the answer never arrives whole");

    // The client survives faults during its polls and still gets one task, charged once.
    let c = client(&emu);
    let sub = c
        .create_value(&json!({"model": "kling-3-0", "prompt": "p"}), None)
        .await
        .unwrap();
    emu.inject([
        Fault::ServerError,
        Fault::Unavailable,
        Fault::RateLimited {
            retry_after_secs: 0,
        },
    ]);
    let done = c.wait(&sub.task.id).await.unwrap();
    assert_eq!(done.final_credits, Some(90.0));
    assert_eq!(emu.stats().tasks_created, 1);
}

#[tokio::test]
async fn updated_at_changes_only_when_the_task_does() {
    // Queued for 1.5 s: the two reads below fall well inside it.
    let emu = Emulator::start(config(1500, 100)).await.unwrap();
    let c = client(&emu);
    let sub = c
        .create_value(&json!({"model": "kling-3-0", "prompt": "p"}), None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let again = c.task(&sub.task.id).await.unwrap();
    assert_eq!(again.status.as_str(), "queued");
    assert_eq!(again.updated_at, sub.task.updated_at, "nothing changed");
    assert_eq!(again.updated_at, again.created_at);
    let done = c.wait(&sub.task.id).await.unwrap();
    assert_ne!(done.updated_at, sub.task.updated_at);
    let later = c.task(&sub.task.id).await.unwrap();
    assert_eq!(later.updated_at, done.updated_at, "terminal tasks stay put");
}

#[tokio::test]
async fn whole_credits_are_written_as_integers() {
    // The API writes `"reserved_credits": 90` and `{"current_credits": 123}`; a client that
    // compares raw JSON (or types it as an integer) must see the same from the emulator.
    let emu = Emulator::start(config(0, 0)).await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/api/v1/{p}", emu.base_url());
    let key = emu.api_key().to_owned();
    let json = |req: reqwest::RequestBuilder| {
        let req = req.bearer_auth(&key);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let created = json(
        http.post(url("generations"))
            .header("idempotency-key", "whole-credits-1")
            .json(&json!({"model": "kling-3-0", "prompt": "p"})),
    )
    .await;
    assert!(created["reserved_credits"].is_u64(), "{created}");
    assert!(created["final_credits"].is_u64(), "{created}");
    let credits = json(http.get(url("credits"))).await;
    assert!(credits["current_credits"].is_u64(), "{credits}");
}

#[tokio::test]
async fn bad_idempotency_keys_are_refused_not_ignored() {
    let emu = Emulator::start(config(5, 15)).await.unwrap();
    let http = reqwest::Client::new();
    let send = |key: reqwest::header::HeaderValue| {
        http.post(format!("{}/api/v1/generations", emu.base_url()))
            .bearer_auth(emu.api_key())
            .header("Idempotency-Key", key)
            .json(&json!({"model": "kling-3-0", "prompt": "p"}))
            .send()
    };
    let long = reqwest::header::HeaderValue::from_str(&"k".repeat(256)).unwrap();
    let non_utf8 = reqwest::header::HeaderValue::from_bytes(b"key-\xff\xfe").unwrap();
    for key in [long.clone(), long, non_utf8.clone(), non_utf8] {
        let (status, code) = envelope_code(send(key).await.unwrap()).await;
        assert_eq!((status, code.as_str()), (400, "validation_failed"));
    }
    let ok = reqwest::header::HeaderValue::from_str(&"k".repeat(255)).unwrap();
    assert!(send(ok.clone()).await.unwrap().status().is_success());
    assert!(send(ok).await.unwrap().status().is_success());
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, 1, "refused keys created nothing");
    assert_eq!(stats.credits, 10_000.0 - 90.0, "the replay was not charged");
}

#[tokio::test]
async fn an_oversize_upload_is_refused_before_its_end_arrives() {
    let emu = Emulator::start(config(5, 15)).await.unwrap();
    let addr = emu.base_url().trim_start_matches("http://").to_owned();
    let key = emu.api_key().to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let limit = rivya_models::files::DEFAULT_LIMITS[0].max_bytes as usize; // image
        let boundary = "XyZ";
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nimage\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        );
        // Announce a 100 MB body, send a little past the limit, then stop sending.
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            conn,
            "POST /api/v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\n\
             Content-Length: 100000000\r\n\r\n{head}"
        )
        .unwrap();
        let mut chunk = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk.resize(64 * 1024, 0);
        let mut sent = 0;
        while sent <= limit + 256 * 1024 {
            if conn.write_all(&chunk).is_err() {
                break; // the server may stop reading once it has refused
            }
            sent += chunk.len();
        }
        let mut buf = Vec::new();
        let _ = conn.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"validation_failed\""), "{answer}");
    assert!(answer.contains("larger than the"), "{answer}");
    assert_eq!(emu.stats().files, 0);
}

#[tokio::test]
async fn every_error_uses_the_envelope() {
    let emu = Emulator::start(config(5, 15)).await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", emu.base_url());
    let key = emu.api_key();
    let cases = [
        (
            http.get(url("/api/v1/nope")).bearer_auth(key),
            404,
            "not_found",
        ),
        (
            http.delete(url("/api/v1/credits")).bearer_auth(key),
            405,
            "method_not_allowed",
        ),
        (
            http.post(url("/api/v1/files"))
                .bearer_auth(key)
                .header("Content-Type", "multipart/form-data")
                .body("no boundary"),
            400,
            "validation_failed",
        ),
        (
            http.post(url("/api/v1/generations"))
                .bearer_auth(key)
                .body(vec![b' '; 3 * 1024 * 1024]),
            413,
            "validation_failed",
        ),
        (
            http.post(url("/api/v1/generations"))
                .bearer_auth(key)
                .body("{not json"),
            400,
            "validation_failed",
        ),
        (http.get(url("/api/v1/credits")), 401, "api_key_missing"),
        (http.get(url("/results/x.exe")), 404, "not_found"),
    ];
    for (req, status, code) in cases {
        let got = envelope_code(req.send().await.unwrap()).await;
        assert_eq!(got, (status, code.to_owned()));
    }
}

#[tokio::test]
async fn bad_startup_settings_are_one_line_errors() {
    let bad = Config {
        faults: FaultRates {
            slow: 1.5,
            ..FaultRates::default()
        },
        ..Config::default()
    };
    let err = Emulator::start(bad).await.err().unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("slow = 1.5"), "{err}");

    let bin = env!("CARGO_BIN_EXE_rivya-emulator");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for args in [
        vec!["--port", port.as_str()],
        vec!["--port", "0", "--task-failure", "2"],
        vec!["--port", "0", "--rate-limited", "-0.1"],
    ] {
        let out = std::process::Command::new(bin)
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("rivya-emulator: "), "{err}");
    }
}

/// A PCM WAV of `secs` seconds: 8 kHz, mono, 16-bit.
fn wav(secs: u32) -> Vec<u8> {
    let data = 16_000 * secs;
    let mut b = b"RIFF".to_vec();
    b.extend((36 + data).to_le_bytes());
    b.extend(b"WAVEfmt ");
    b.extend(16u32.to_le_bytes());
    b.extend([1, 0, 1, 0]);
    b.extend(8_000u32.to_le_bytes());
    b.extend(16_000u32.to_le_bytes());
    b.extend([2, 0, 16, 0]);
    b.extend(b"data");
    b.extend(data.to_le_bytes());
    b.resize(b.len() + data as usize, 0);
    b
}

/// An MP4 whose `mvhd` says `duration / timescale` seconds.
fn mp4(timescale: u32, duration: u32) -> Vec<u8> {
    let boxed = |name: &[u8], content: &[u8]| {
        let mut b = ((content.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend(name);
        b.extend(content);
        b
    };
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&timescale.to_be_bytes());
    mvhd[16..20].copy_from_slice(&duration.to_be_bytes());
    let mut f = boxed(b"ftyp", b"isom\0\0\x02\0isommp41");
    f.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
    f
}

#[tokio::test]
async fn durations_come_from_the_file_header() {
    let emu = Emulator::start(config(5, 15)).await.unwrap();
    let c = client(&emu);
    let cases = [
        (wav(3), "a.wav", MediaKind::Audio, Some(3.0)),
        (mp4(1000, 7_500), "v.mp4", MediaKind::Video, Some(7.5)),
        (mp4(600, 1_200), "w.mp4", MediaKind::Video, Some(2.0)),
        (
            b"ID3\x04\0\0\0\0\0\0mp3 without a stated duration".to_vec(),
            "s.mp3",
            MediaKind::Audio,
            None,
        ),
    ];
    for (bytes, name, kind, want) in cases {
        let up = c
            .upload(Upload::bytes(bytes, name).kind(kind))
            .await
            .unwrap();
        assert_eq!(up.file.duration_seconds, want, "{name}");
        assert!(up.file.duration_token.is_some(), "{name}");
    }
}
