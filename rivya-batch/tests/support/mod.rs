//! Shared test helpers: temporary folders, a fast emulator and client, manifests, and a real
//! PostgreSQL server.
#![allow(dead_code)]

pub mod pg;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rivya_emulator::{Config, Emulator};
use rivya_runtime::{ClientBuilder, PollPolicy, RetryPolicy};

/// A folder under the system temp dir, removed on drop (also when a test panics).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "rivya-batch-{label}-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An emulator whose tasks finish after a few milliseconds.
pub fn fast() -> Config {
    Config {
        queued_for: Duration::from_millis(5),
        processing_for: Duration::from_millis(10),
        ..Config::default()
    }
}

/// A client for the emulator with short retry and poll intervals.
pub fn client(emu: &Emulator) -> ClientBuilder {
    ClientBuilder::default()
        .api_key(emu.api_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            initial_interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(30),
            deadline: Duration::from_secs(60),
            ..PollPolicy::default()
        })
}

/// A tiny PNG header: enough for signature checks.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// Writes `lines` as a manifest in `dir` and returns its path.
pub fn manifest(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("manifest.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// `n` z-image items (1 credit each) with keys `item-000` …
pub fn z_items(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                r#"{{"key": "item-{i:03}", "model": "z-image", "prompt": "picture number {i}"}}"#
            )
        })
        .collect()
}

/// The emulator's `/_emulator/stats`, read over HTTP like an outside observer would.
pub async fn stats(emu: &Emulator) -> serde_json::Value {
    reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The lines of `results.jsonl`.
pub fn results(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
