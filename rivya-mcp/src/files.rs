//! Local files an agent names (references, chat attachments): checked against the model's
//! policy and hashed before anything is uploaded, and uploaded once per session (the upload's
//! key derives from the content, and the ledger remembers the returned item).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use rivya_models::{MediaKind, ModelInfo, files};
use rivya_runtime::Upload;

use crate::error::ToolError;
use crate::keys;
use crate::state::State;

/// A local file that passed the checks.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its file name.
    pub name: String,
    /// The kind detected from its signature.
    pub kind: MediaKind,
    /// The MIME type detected from its signature.
    pub mime: &'static str,
    /// The SHA-256 of its content (what the call's key is derived from).
    pub sha256: String,
}

impl LocalFile {
    /// What the call's key depends on: the content, not the path.
    pub fn identity(&self) -> Value {
        json!({"sha256": self.sha256, "kind": self.kind.as_str()})
    }
}

/// Checks a local file against `info`'s policy (the API's default limits without a model) (signature, kind, MIME, size) and hashes it.
/// `at` names the argument in the error (`references[1]`).
pub async fn check(
    at: &str,
    path: &str,
    declared: Option<MediaKind>,
    info: Option<&'static ModelInfo>,
) -> Result<LocalFile, ToolError> {
    let p = PathBuf::from(path);
    let at = at.to_owned();
    tokio::task::spawn_blocking(move || check_blocking(&at, p, declared, info))
        .await
        .map_err(|e| ToolError::arguments(format!("checking {path} failed: {e}")))?
}

fn check_blocking(
    at: &str,
    path: PathBuf,
    declared: Option<MediaKind>,
    info: Option<&ModelInfo>,
) -> Result<LocalFile, ToolError> {
    let refuse = |reason: String| {
        ToolError::new(
            "file_refused",
            format!(
                "{at} ({}): {reason}. Nothing was uploaded or paid.",
                path.display()
            ),
            json!({"argument": at, "path": path}),
        )
    };
    let (head, size, sha256) = read(&path).map_err(|e| refuse(e.to_string()))?;
    let checked = files::check(&head, size, declared, info).map_err(|r| refuse(r.to_string()))?;
    let name = path
        .file_name()
        .map_or_else(|| "upload".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(LocalFile {
        path,
        name,
        kind: checked.kind,
        mime: checked.mime,
        sha256,
    })
}

/// The head of the file (for its signature), its size and its SHA-256, all from one open of a
/// regular file (links followed, as for the client's uploads), so the three describe the same
/// content.
fn read(path: &Path) -> std::io::Result<(Vec<u8>, u64, String)> {
    use std::io::{Read, Seek};
    let mut file = rivya_runtime::open_regular(path)?;
    let mut head = Vec::with_capacity(files::HEAD_LEN);
    (&mut file)
        .take(files::HEAD_LEN as u64)
        .read_to_end(&mut head)?;
    file.rewind()?;
    let (size, sha) = rivya_runtime::hash_file(file)?;
    Ok((head, size, sha))
}

/// A provisional reference item for validating a call before its file is uploaded (the
/// upload gives the real URL and, for video and audio, the duration token).
pub fn provisional_reference(f: &LocalFile) -> Value {
    let mut item = json!({
        "url": format!("https://upload.pending.invalid/{}", f.sha256),
        "kind": f.kind.as_str(),
        "name": f.name,
        "mimeType": f.mime,
    });
    if f.kind.has_duration() {
        item["durationToken"] = json!("pending-upload");
    }
    item
}

/// Uploads a reference file once per session: the reference item for
/// `params.referenceMediaItems`.
pub async fn upload_reference(
    state: &State,
    f: &LocalFile,
    info: Option<&'static ModelInfo>,
) -> Result<Value, ToolError> {
    let key = keys::upload_key(&state.session, &f.sha256, info.map_or("", |i| i.id));
    if let Some(item) = state.ledger.upload(&key)? {
        return parse_item(&item);
    }
    let mut upload = Upload::path(&f.path)
        .kind(f.kind)
        .idempotency_key(key.clone());
    if let Some(info) = info {
        upload = upload.model_info(info);
    }
    let uploaded = state
        .client
        .upload(upload)
        .await
        .map_err(|e| ToolError::api(&e, Some(&retry_hint(&f.path))))?;
    let item = serde_json::to_value(uploaded.to_reference())
        .map_err(|e| ToolError::arguments(format!("cannot encode the reference item: {e}")))?;
    state.ledger.uploaded(&key, &item.to_string())?;
    Ok(item)
}

/// Uploads a chat attachment once per session: `{"file_id": …}`.
pub async fn upload_attachment(
    state: &State,
    f: &LocalFile,
    info: &'static ModelInfo,
) -> Result<Value, ToolError> {
    let key = keys::upload_key(&state.session, &f.sha256, info.id);
    if let Some(item) = state.ledger.upload(&key)? {
        return parse_item(&item);
    }
    let upload = Upload::path(&f.path).idempotency_key(key.clone());
    let attachment = state
        .client
        .upload_attachment(upload, info)
        .await
        .map_err(|e| ToolError::api(&e, Some(&retry_hint(&f.path))))?;
    let item = serde_json::to_value(&attachment)
        .map_err(|e| ToolError::arguments(format!("cannot encode the attachment: {e}")))?;
    state.ledger.uploaded(&key, &item.to_string())?;
    Ok(item)
}

fn parse_item(text: &str) -> Result<Value, ToolError> {
    serde_json::from_str(text).map_err(|e| {
        ToolError::ledger(&crate::ledger::LedgerError(format!(
            "a remembered upload is not JSON: {e}"
        )))
    })
}

fn retry_hint(path: &Path) -> String {
    format!(
        "Uploading {} failed before the call was sent; nothing was paid. Repeat the call to retry \
         (the upload reuses its idempotency key).",
        path.display()
    )
}
