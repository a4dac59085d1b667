//! Test support shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different part

pub mod raw;

use std::time::Duration;

use rivya_runtime::{Client, PollPolicy, RetryPolicy};
use serde_json::json;
use wiremock::Request;

pub const KEY: &str = "rvya_sk_test_secret_0123456789";

/// A client with instant retries and polls, so real-time tests stay fast.
pub fn client(base: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            ..RetryPolicy::default()
        })
        .poll_policy(PollPolicy {
            first_poll: Duration::from_millis(2),
            initial_interval: Duration::from_millis(2),
            max_interval: Duration::from_millis(5),
            deadline: Duration::from_secs(5),
            ..PollPolicy::default()
        })
        .jitter_seed(7)
        .build()
        .unwrap()
}

pub fn envelope(code: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": format!("{code} happened"), "requestId": "req_1"}})
}

pub fn idem_keys(reqs: &[Request]) -> Vec<String> {
    reqs.iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        })
        .collect()
}
