//! Response types. All of them keep unknown fields (`extra`) and tolerate unknown enum values,
//! because the API promises to add fields, statuses and codes without notice. They are
//! `#[non_exhaustive]` for the same reason: a field or status the SDK learns later is not a
//! breaking change. Programs read them; tests that need one deserialize it from JSON.

use rivya_models::{CatalogModel, MediaKind, ReferenceMediaItem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A generation task, as returned by create, status and webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Task {
    /// The public task id (`task_…`). Keep it: it is how a paid task is found again.
    pub id: String,
    /// Where the task is in its life.
    pub status: TaskStatus,
    /// The model id.
    #[serde(default)]
    pub model: String,
    /// Credits reserved when the task was created.
    #[serde(default, with = "rivya_models::wire::opt_decimal")]
    pub reserved_credits: Option<f64>,
    /// Credits finally charged (0 until the task is terminal; 0 on failure).
    #[serde(default, with = "rivya_models::wire::opt_decimal")]
    pub final_credits: Option<f64>,
    /// Creation time, ISO-8601 UTC.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time, ISO-8601 UTC.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The outputs, once succeeded.
    #[serde(default)]
    pub result: Option<TaskResult>,
    /// Why it failed, once failed.
    #[serde(default)]
    pub error: Option<TaskError>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Task {
    /// Whether the task will not change any more.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

/// The outputs of a succeeded task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskResult {
    /// The main output's URL.
    #[serde(default)]
    pub primary_url: Option<String>,
    /// Every output's URL.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a task failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskError {
    /// A machine-readable code (`generation_failed` …).
    #[serde(default)]
    pub code: String,
    /// A human-readable message.
    #[serde(default)]
    pub message: String,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

pub use rivya_models::TaskStatus;

/// `GET /api/v1/credits`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Credits {
    /// The spendable balance.
    #[serde(with = "rivya_models::wire::decimal")]
    pub current_credits: f64,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A file uploaded through `/api/v1/files`. Only `url` and, for video and audio,
/// `duration_token` are documented; everything else is kept in `extra` or optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileObject {
    /// The file id, when the server returns one.
    #[serde(default)]
    pub id: Option<String>,
    /// Where the file can be referenced from.
    pub url: String,
    /// The token proving a video or audio clip's duration.
    #[serde(default)]
    pub duration_token: Option<String>,
    /// The clip's duration in seconds, when returned.
    #[serde(default, with = "rivya_models::wire::opt_decimal")]
    pub duration_seconds: Option<f64>,
    /// Fields this client does not know yet.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The catalog (`GET /api/v1/models`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelList {
    /// The models, in the same type as this build's compiled catalog gives them.
    pub data: Vec<CatalogModel>,
    /// Fields this client does not know yet (`object` …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A successful upload: the server's file and what was sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Uploaded {
    /// The server's answer.
    pub file: FileObject,
    /// The kind declared for the upload.
    pub kind: MediaKind,
    /// The MIME type detected from the file's signature.
    pub mime_type: &'static str,
    /// The file name sent.
    pub name: String,
    /// The size in bytes.
    pub size: u64,
    /// The idempotency key every attempt carried.
    pub idempotency_key: String,
}

impl Uploaded {
    /// The reference item for `params.referenceMediaItems`, carrying the duration token and
    /// duration for video and audio.
    pub fn to_reference(&self) -> ReferenceMediaItem {
        ReferenceMediaItem {
            url: self.file.url.clone(),
            kind: self.kind,
            name: Some(self.name.clone()),
            mime_type: Some(self.mime_type.to_owned()),
            duration_seconds: self.file.duration_seconds,
            duration_token: self.file.duration_token.clone(),
        }
    }
}

/// A created task with the idempotency key its create carried.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Submitted {
    /// The task, usually `queued`.
    pub task: Task,
    /// The key every attempt of the create carried; reuse it to retry the create safely.
    pub idempotency_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_credits_go_back_out_as_the_server_wrote_them() {
        let sent = json!({"id": "task_1", "status": "succeeded", "model": "kling-3-0",
            "reserved_credits": 90, "final_credits": 12.5});
        let task: Task = serde_json::from_value(sent).unwrap();
        let back = serde_json::to_value(&task).unwrap();
        assert_eq!(back["reserved_credits"].as_u64(), Some(90));
        assert_eq!(back["final_credits"].as_f64(), Some(12.5));
        let credits: Credits = serde_json::from_value(json!({"current_credits": 123})).unwrap();
        assert_eq!(
            serde_json::to_string(&credits).unwrap(),
            r#"{"current_credits":123}"#
        );
    }
}
