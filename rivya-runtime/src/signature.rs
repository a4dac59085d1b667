//! Verifying webhook deliveries.
//!
//! The Rivya docs do not state the signing scheme. The `whsec_` prefix of the signing secret
//! is the mark of the Standard Webhooks scheme, so that is what this module implements:
//! headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (space-separated `v1,<base64>` entries, several during a secret rotation), each an
//! HMAC-SHA256 of `"{id}.{timestamp}.{body}"` keyed by the base64-decoded part of the secret
//! after `whsec_`. Should Rivya document another scheme, only this file changes; until then a
//! secret without the `whsec_` prefix is refused rather than guessed at.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::types::{Task, TaskStatus};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The secret's prefix in the Standard Webhooks scheme.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a delivery's timestamp may be from now (either way) by default: 5 minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signing secret is not `whsec_<base64>`.
    BadSecret(String),
    /// A required header is missing or not text.
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a Unix time in seconds.
    BadTimestamp(String),
    /// The timestamp is further from now than the tolerance (a replay, or a skewed clock).
    OutsideTolerance {
        /// Seconds between the timestamp and now (positive: in the past).
        skew_secs: i64,
    },
    /// No `v1` signature in the header matches the body.
    NoMatchingSignature,
    /// The signed body is not a task event.
    BadPayload(String),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSecret(m) => write!(f, "the webhook signing secret is not usable: {m}"),
            Self::MissingHeader(h) => write!(f, "the delivery has no `{h}` header"),
            Self::BadTimestamp(v) => write!(f, "`webhook-timestamp` {v:?} is not Unix seconds"),
            Self::OutsideTolerance { skew_secs } => write!(
                f,
                "the delivery is {skew_secs} s away from now, outside the tolerance"
            ),
            Self::NoMatchingSignature => write!(f, "no signature matches the delivery"),
            Self::BadPayload(m) => write!(f, "the delivery is not a task event: {m}"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// What a delivery announces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookEventType {
    /// `generation.succeeded`.
    GenerationSucceeded,
    /// `generation.failed`.
    GenerationFailed,
    /// A type this client does not know yet.
    Unknown(String),
}

impl WebhookEventType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::GenerationSucceeded => "generation.succeeded",
            Self::GenerationFailed => "generation.failed",
            Self::Unknown(s) => s,
        }
    }
}

impl From<&str> for WebhookEventType {
    fn from(s: &str) -> Self {
        match s {
            "generation.succeeded" => Self::GenerationSucceeded,
            "generation.failed" => Self::GenerationFailed,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for WebhookEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `webhook-id`: the same on every retry of one message; de-duplicate on it.
    pub id: String,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: u64,
    /// The event type: the payload's `type` when it has one, else from the task's status.
    pub event_type: WebhookEventType,
    /// The task, as the status endpoint returns it.
    pub task: Task,
}

/// Checks deliveries against one or more signing secrets (more than one while rotating).
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Vec<Vec<u8>>,
    tolerance: Duration,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

fn decode_secret(secret: &str) -> Result<Vec<u8>, WebhookError> {
    let b64 = secret.trim().strip_prefix(SECRET_PREFIX).ok_or_else(|| {
        WebhookError::BadSecret(format!(
            "expected the `{SECRET_PREFIX}` prefix of the Standard Webhooks scheme"
        ))
    })?;
    let key = STANDARD
        .decode(b64)
        .map_err(|e| WebhookError::BadSecret(format!("not base64 after the prefix: {e}")))?;
    if key.is_empty() {
        return Err(WebhookError::BadSecret("empty key".into()));
    }
    Ok(key)
}

impl WebhookVerifier {
    /// A verifier for a `whsec_…` secret, with the default ±5 min tolerance.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Ok(Self {
            keys: vec![decode_secret(secret)?],
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Also accepts deliveries signed with this secret (the old one, during a rotation).
    pub fn with_secret(mut self, secret: &str) -> Result<Self, WebhookError> {
        self.keys.push(decode_secret(secret)?);
        Ok(self)
    }

    /// How far a timestamp may be from now, either way.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery from its headers (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`) and raw body, and returns the task event.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let get = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(WebhookError::MissingHeader(name))
        };
        self.verify_parts(
            get("webhook-id")?,
            get("webhook-timestamp")?,
            get("webhook-signature")?,
            body,
            SystemTime::now(),
        )
    }

    /// [`WebhookVerifier::verify`] from the header values, at a given time (for tests).
    pub fn verify_parts(
        &self,
        id: &str,
        timestamp: &str,
        signature: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        let ts: u64 = timestamp
            .trim()
            .parse()
            .map_err(|_| WebhookError::BadTimestamp(timestamp.to_owned()))?;
        let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let skew = i128::from(now_secs) - i128::from(ts);
        if skew.unsigned_abs() > u128::from(self.tolerance.as_secs()) {
            return Err(WebhookError::OutsideTolerance {
                skew_secs: i64::try_from(skew).unwrap_or(i64::MAX),
            });
        }
        let candidates: Vec<Vec<u8>> = signature
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .collect();
        let matched = self.keys.iter().any(|key| {
            let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
                return false;
            };
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.trim().as_bytes());
            mac.update(b".");
            mac.update(body);
            // `verify_slice` compares in constant time.
            candidates
                .iter()
                .any(|sig| mac.clone().verify_slice(sig).is_ok())
        });
        if !matched {
            return Err(WebhookError::NoMatchingSignature);
        }
        let (event_type, task) = parse_payload(body)?;
        Ok(WebhookEvent {
            id: id.to_owned(),
            timestamp: ts,
            event_type,
            task,
        })
    }
}

/// The documented payload is the task object; a Standard Webhooks envelope
/// (`{"type", "timestamp", "data": task}`) is accepted too.
fn parse_payload(body: &[u8]) -> Result<(WebhookEventType, Task), WebhookError> {
    let bad = |e: serde_json::Error| WebhookError::BadPayload(e.to_string());
    let value: Value = serde_json::from_slice(body).map_err(bad)?;
    let declared = value
        .get("type")
        .and_then(Value::as_str)
        .map(WebhookEventType::from);
    let task_value = match value.get("data") {
        Some(data) if data.get("status").is_some() => data.clone(),
        _ => value,
    };
    let task: Task = serde_json::from_value(task_value).map_err(bad)?;
    let event_type = declared.unwrap_or_else(|| match task.status {
        TaskStatus::Succeeded => WebhookEventType::GenerationSucceeded,
        TaskStatus::Failed => WebhookEventType::GenerationFailed,
        ref other => WebhookEventType::Unknown(format!("generation.{other}")),
    });
    Ok((event_type, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published Standard Webhooks test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: u64 = 1_614_265_330;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn sign(secret: &str, id: &str, ts: u64, body: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(&decode_secret(secret).unwrap()).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    const TASK: &[u8] = br#"{"id":"task_1","status":"succeeded","model":"kling-3-0","result":{"primary_url":"https://x/1.mp4","urls":["https://x/1.mp4"]}}"#;

    #[test]
    fn the_published_vector_verifies_its_signature() {
        let v = WebhookVerifier::new(SECRET).unwrap();
        // The vector's body is not a task, so only the payload check fails.
        let err = v
            .verify_parts(ID, &TS.to_string(), SIG, br#"{"test": 2432232314}"#, at(TS))
            .unwrap_err();
        assert!(matches!(err, WebhookError::BadPayload(_)), "{err}");
        assert_eq!(sign(SECRET, ID, TS, br#"{"test": 2432232314}"#), SIG);
        let err = v
            .verify_parts(ID, &TS.to_string(), SIG, br#"{"test": 2432232315}"#, at(TS))
            .unwrap_err();
        assert_eq!(err, WebhookError::NoMatchingSignature);
    }

    #[test]
    fn a_task_event_verifies_among_several_signatures() {
        let v = WebhookVerifier::new(SECRET).unwrap();
        let other = "whsec_c2VjcmV0LW51bWJlci10d28=";
        let header = format!(
            "v1,bm90LWl0 {} v2,ignored {}",
            sign(other, ID, TS, TASK),
            sign(SECRET, ID, TS, TASK)
        );
        let ev = v
            .verify_parts(ID, &TS.to_string(), &header, TASK, at(TS + 299))
            .unwrap();
        assert_eq!(ev.id, ID);
        assert_eq!(ev.event_type, WebhookEventType::GenerationSucceeded);
        assert_eq!(ev.task.id, "task_1");
        // Rotation: a verifier that knows both secrets accepts either signature alone.
        let both = WebhookVerifier::new(SECRET)
            .unwrap()
            .with_secret(other)
            .unwrap();
        let only_old = sign(other, ID, TS, TASK);
        assert!(
            both.verify_parts(ID, &TS.to_string(), &only_old, TASK, at(TS))
                .is_ok()
        );
        assert_eq!(
            v.verify_parts(ID, &TS.to_string(), &only_old, TASK, at(TS))
                .unwrap_err(),
            WebhookError::NoMatchingSignature
        );
    }

    #[test]
    fn time_ids_and_headers_are_checked() {
        let v = WebhookVerifier::new(SECRET).unwrap();
        let sig = sign(SECRET, ID, TS, TASK);
        let ts = TS.to_string();
        assert_eq!(
            v.verify_parts(ID, &ts, &sig, TASK, at(TS + 301))
                .unwrap_err(),
            WebhookError::OutsideTolerance { skew_secs: 301 }
        );
        assert_eq!(
            v.verify_parts(ID, &ts, &sig, TASK, at(TS - 301))
                .unwrap_err(),
            WebhookError::OutsideTolerance { skew_secs: -301 }
        );
        let lenient = v.clone().tolerance(Duration::from_secs(3600));
        assert!(
            lenient
                .verify_parts(ID, &ts, &sig, TASK, at(TS + 301))
                .is_ok()
        );
        assert_eq!(
            v.verify_parts("msg_other", &ts, &sig, TASK, at(TS))
                .unwrap_err(),
            WebhookError::NoMatchingSignature,
            "the id is signed"
        );
        assert!(matches!(
            v.verify_parts(ID, "soon", &sig, TASK, at(TS)).unwrap_err(),
            WebhookError::BadTimestamp(_)
        ));
        let headers = HeaderMap::new();
        assert_eq!(
            v.verify(&headers, TASK).unwrap_err(),
            WebhookError::MissingHeader("webhook-id")
        );
    }

    #[test]
    fn secrets_must_carry_the_prefix_and_base64() {
        for bad in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_***", "whsec_"] {
            assert!(
                matches!(WebhookVerifier::new(bad), Err(WebhookError::BadSecret(_))),
                "{bad}"
            );
        }
        let shown = format!("{:?}", WebhookVerifier::new(SECRET).unwrap());
        assert!(!shown.contains("MfKQ"), "{shown}");
    }

    #[test]
    fn envelopes_and_bare_tasks_both_parse() {
        let wrapped = br#"{"type":"generation.failed","timestamp":"2026-05-11T00:00:00.000Z","data":{"id":"task_2","status":"failed","error":{"code":"generation_failed","message":"m"}}}"#;
        let (t, task) = parse_payload(wrapped).unwrap();
        assert_eq!(
            (t, task.id.as_str()),
            (WebhookEventType::GenerationFailed, "task_2")
        );
        let (t, _) = parse_payload(TASK).unwrap();
        assert_eq!(t, WebhookEventType::GenerationSucceeded);
    }
}
