//! Uploads: what to send, the local checks that refuse a file before any byte leaves, and the
//! streamed multipart pipeline of `POST /api/v1/files`.

use std::path::PathBuf;

use reqwest::Method;
use rivya_models::{GenerationModel, MediaKind, ModelInfo};
use tokio::io::AsyncReadExt;

use crate::client::{Client, IDEMPOTENCY_HEADER, attempt};
use crate::error::Error;
use crate::retry::{self, Attempt};
use crate::trace::CallSpan;
use crate::types::{FileObject, Uploaded};

/// Where an upload's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A file on disk, streamed (never read whole into memory).
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Vec<u8>),
}

/// One file to upload to `POST /api/v1/files`.
#[derive(Debug, Clone)]
pub struct Upload {
    pub(crate) source: Source,
    pub(crate) name: String,
    pub(crate) kind: Option<MediaKind>,
    pub(crate) model: Option<&'static ModelInfo>,
    pub(crate) client_request_id: Option<String>,
    pub(crate) idempotency_key: Option<String>,
}

impl Upload {
    /// A file on disk; its name is sent as the file name.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".to_owned());
        Self::new(Source::Path(path), name)
    }

    /// Bytes in memory, with the file name to send (quotes, backslashes and control
    /// characters become `_`, so the name cannot break out of the multipart header).
    pub fn bytes(data: impl Into<Vec<u8>>, name: impl Into<String>) -> Self {
        Self::new(Source::Bytes(data.into()), name.into())
    }

    fn new(source: Source, name: String) -> Self {
        Self {
            source,
            name: header_safe_name(&name),
            kind: None,
            model: None,
            client_request_id: None,
            idempotency_key: None,
        }
    }

    /// Declares the kind (otherwise it is taken from the file's signature).
    pub fn kind(mut self, kind: MediaKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Checks the file against this model's upload policy, here and on the server.
    pub fn model<M: GenerationModel>(mut self) -> Self {
        self.model = Some(M::INFO);
        self
    }

    /// Like [`Upload::model`], for a model known only at run time.
    pub fn model_info(mut self, info: &'static ModelInfo) -> Self {
        self.model = Some(info);
        self
    }

    /// A client-side trace id (at most 128 characters).
    pub fn client_request_id(mut self, id: impl Into<String>) -> Self {
        self.client_request_id = Some(id.into());
        self
    }

    /// Uses this idempotency key instead of the one derived from the upload's content.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// How diagnostics name the file.
    pub(crate) fn label(&self) -> String {
        match &self.source {
            Source::Path(p) => p.display().to_string(),
            Source::Bytes(_) => self.name.clone(),
        }
    }
}

impl Client {
    /// Uploads a reference file. The file's signature, kind, size and MIME type are checked
    /// against the model's policy first; a refused file sends nothing. Files on disk are
    /// streamed, never read whole into memory.
    pub async fn upload(&self, upload: Upload) -> Result<Uploaded, Error> {
        let label = upload.label();
        let (head, size) = match &upload.source {
            Source::Bytes(b) => (
                b[..b.len().min(rivya_models::files::HEAD_LEN)].to_vec(),
                b.len() as u64,
            ),
            // A blocking read of 64 bytes, like the open before it: too small to hand off.
            Source::Path(p) => crate::localfile::read_head(p).map_err(|source| Error::Io {
                path: label.clone(),
                source,
            })?,
        };
        let checked = rivya_models::files::check(&head, size, upload.kind, upload.model).map_err(
            |reason| Error::UploadRejected {
                file: label.clone(),
                reason,
            },
        )?;
        let key = match &upload.idempotency_key {
            Some(k) => k.clone(),
            None => content_key(&upload, checked.kind)
                .await
                .map_err(|source| Error::Io {
                    path: label.clone(),
                    source,
                })?,
        };
        crate::idempotency::check_idempotency_key(&key)?;
        self.ensure_key()?;
        let mut rng = self.rng();
        let span = CallSpan::new("POST", "files", Some(&key), None);
        let call = retry::retry(self.retry_policy(), &mut rng, |n| {
            span.attempt(n);
            let (upload, key, label, span) = (&upload, key.as_str(), label.as_str(), &span);
            async move {
                let form = match multipart(upload, checked, size).await {
                    Ok(f) => f,
                    Err(source) => {
                        return Attempt::Fail(Error::Io {
                            path: label.to_owned(),
                            source,
                        });
                    }
                };
                let rb = match self.request(Method::POST, "files", true) {
                    Ok(rb) => rb.header(IDEMPOTENCY_HEADER, key).multipart(form),
                    Err(e) => return Attempt::Fail(e),
                };
                attempt(rb, Some(key), span).await
            }
        });
        let file: FileObject = span.instrument(call).await?;
        Ok(Uploaded {
            file,
            kind: checked.kind,
            mime_type: checked.mime,
            name: upload.name,
            size,
            idempotency_key: key,
        })
    }
}

/// The key of an upload without one: SHA-256 over the file's bytes, its kind, the model, the
/// file name and the client request id (everything the body holds), so uploading the same file
/// again (a re-run after a lost answer) is a replay on a server that replays keys: the same
/// file and URL, hence the same create body.
async fn content_key(upload: &Upload, kind: MediaKind) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"rivya-upload-v1\0");
    for part in [
        kind.as_str(),
        upload.model.map_or("", |m| m.id),
        &upload.name,
        upload.client_request_id.as_deref().unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    match &upload.source {
        Source::Bytes(b) => h.update(b),
        Source::Path(p) => {
            let mut file = tokio::fs::File::from_std(crate::localfile::open_regular(p)?);
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
        }
    }
    Ok(format!("upload-{}", rivya_rules::stamp::hex(&h.finalize())))
}

/// The multipart body of one upload attempt; a file on disk is opened anew and streamed.
async fn multipart(
    upload: &Upload,
    checked: rivya_models::files::Checked,
    size: u64,
) -> std::io::Result<reqwest::multipart::Form> {
    let part = match &upload.source {
        Source::Bytes(b) => reqwest::multipart::Part::bytes(b.clone()),
        Source::Path(p) => {
            let file = tokio::fs::File::from_std(crate::localfile::open_regular(p)?);
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
        }
    };
    let part = part
        .file_name(upload.name.clone())
        .mime_str(checked.mime)
        .map_err(std::io::Error::other)?;
    let mut form = reqwest::multipart::Form::new().text("kind", checked.kind.as_str());
    if let Some(m) = upload.model {
        form = form.text("model", m.id);
    }
    if let Some(id) = &upload.client_request_id {
        form = form.text("client_request_id", id.clone());
    }
    Ok(form.part("file", part))
}

/// A file name fit for `Content-Disposition: …; filename="…"`: control characters (CR, LF …),
/// `"` and `\` become `_` (the HTTP library would escape CR/LF with a backslash, which still
/// ends the header line), at most 255 bytes, never empty.
fn header_safe_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(255));
    for c in name.chars() {
        let c = if c.is_control() || c == '"' || c == '\\' {
            '_'
        } else {
            c
        };
        if out.len() + c.len_utf8() > 255 {
            break;
        }
        out.push(c);
    }
    if out.trim().is_empty() {
        "upload".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_break_the_multipart_header() {
        let up = Upload::bytes(b"x".to_vec(), "a\r\nContent-Type: text/html\r\n\"x\\.png");
        assert_eq!(up.name, "a__Content-Type: text/html___x_.png");
        assert_eq!(Upload::bytes(vec![], "bild-ä.png").name, "bild-ä.png");
        assert_eq!(Upload::bytes(vec![], "\n").name, "_");
        assert_eq!(Upload::bytes(vec![], " ").name, "upload");
        assert_eq!(Upload::bytes(vec![], "é".repeat(200)).name.len(), 254);
    }
}
