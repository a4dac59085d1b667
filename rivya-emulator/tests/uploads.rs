//! Upload keys are replayed like create keys: the same key and file give the same file id and
//! URL (also after a restart on the same state directory); the same key with other bytes is an
//! `idempotency_conflict`.

use std::time::Duration;

use rivya_emulator::{Config, Emulator};
use rivya_runtime::{Client, Error, ErrorCode, RetryPolicy, Upload};

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.api_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn png(fill: u8) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.resize(2048, fill);
    b
}

#[tokio::test]
async fn the_same_upload_key_replays_the_same_file_across_restarts() {
    let dir = std::env::temp_dir().join(format!("rivya-emu-uploads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(5),
        state_dir: Some(dir.clone()),
        ..Config::default()
    };
    let emu = Emulator::start(config()).await.unwrap();
    let c = client(&emu);
    let up = |fill| Upload::bytes(png(fill), "ref.png").idempotency_key("same-key");
    let first = c.upload(up(1)).await.unwrap();
    let again = c.upload(up(1)).await.unwrap();
    assert_eq!(again.file.id, first.file.id);
    assert_eq!(again.file.url, first.file.url);
    assert_eq!(emu.stats().files, 1);

    let e = c.upload(up(2)).await.unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(
        (api.status, &api.code),
        (409, &ErrorCode::IdempotencyConflict)
    );
    drop(c);
    drop(emu);

    // Another emulator on the same state (as `--mock` across commands): still a replay.
    let emu = Emulator::start(config()).await.unwrap();
    let after = client(&emu).upload(up(1)).await.unwrap();
    assert_eq!(after.file.id, first.file.id);
    assert_eq!(emu.stats().files, 1);
    drop(emu);
    std::fs::remove_dir_all(&dir).unwrap();
}
