//! Uploads: what to send, and the local checks that refuse a file before any byte leaves.

use std::path::PathBuf;

use rivya_models::{KindLimit, MediaKind, Model, ModelInfo};

use crate::error::UploadRejection;
use crate::sniff;

/// The Files API's default limits, used when no model is named.
pub const DEFAULT_LIMITS: [KindLimit; 3] = [
    KindLimit {
        kind: MediaKind::Image,
        max_bytes: 10_000_000,
        mime_types: &["image/jpeg", "image/png", "image/webp"],
    },
    KindLimit {
        kind: MediaKind::Video,
        max_bytes: 50_000_000,
        mime_types: &["video/mp4", "video/quicktime", "video/webm"],
    },
    KindLimit {
        kind: MediaKind::Audio,
        max_bytes: 10_000_000,
        mime_types: &[
            "audio/mpeg",
            "audio/mp4",
            "audio/wav",
            "audio/x-wav",
            "audio/aac",
            "audio/ogg",
        ],
    },
];

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

    /// Bytes in memory, with the file name to send.
    pub fn bytes(data: impl Into<Vec<u8>>, name: impl Into<String>) -> Self {
        Self::new(Source::Bytes(data.into()), name.into())
    }

    fn new(source: Source, name: String) -> Self {
        Self {
            source,
            name,
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
    pub fn model<M: Model>(mut self) -> Self {
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

    /// Uses this idempotency key instead of a fresh one (to retry an earlier upload safely).
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

/// What the checks decided about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checked {
    pub kind: MediaKind,
    pub mime: &'static str,
}

/// Checks a file's signature, kind, MIME type and size against the model's policy (or the
/// API's defaults).
pub(crate) fn check(
    head: &[u8],
    size: u64,
    declared: Option<MediaKind>,
    model: Option<&ModelInfo>,
) -> Result<Checked, UploadRejection> {
    let (kind, mime) = sniff::detect(head).ok_or(UploadRejection::UnknownType)?;
    if let Some(d) = declared
        && d != kind
    {
        return Err(UploadRejection::KindMismatch {
            declared: d,
            detected: kind,
        });
    }
    let limits: &[KindLimit] = match model {
        Some(info) => info.upload.as_ref().map_or(&[], |u| u.kinds),
        None => &DEFAULT_LIMITS,
    };
    let limit =
        limits
            .iter()
            .find(|l| l.kind == kind)
            .ok_or_else(|| UploadRejection::KindNotAccepted {
                kind,
                accepted: limits.iter().map(|l| l.kind).collect(),
            })?;
    if !limit.mime_types.contains(&mime) {
        return Err(UploadRejection::MimeNotAccepted {
            mime,
            accepted: limit.mime_types.to_vec(),
        });
    }
    if size > limit.max_bytes {
        return Err(UploadRejection::TooLarge {
            size,
            max: limit.max_bytes,
        });
    }
    Ok(Checked { kind, mime })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const GIF: &[u8] = b"GIF89a\x01\x00";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0";

    #[test]
    fn model_policy_applies() {
        let kling = rivya_models::kling_3_0::Kling3_0::INFO;
        assert!(check(PNG, 1000, None, Some(kling)).is_ok());
        assert_eq!(
            check(PNG, 12_000_000, None, Some(kling)),
            Err(UploadRejection::TooLarge {
                size: 12_000_000,
                max: 10_000_000
            })
        );
        assert!(matches!(
            check(GIF, 10, None, Some(kling)),
            Err(UploadRejection::MimeNotAccepted {
                mime: "image/gif",
                ..
            })
        ));
        assert!(matches!(
            check(MP4, 10, None, Some(kling)),
            Err(UploadRejection::KindNotAccepted {
                kind: MediaKind::Video,
                ..
            })
        ));
        // wan-2-6 takes video too; nano-banana-pro takes 30 MB images.
        assert!(check(MP4, 10, None, Some(&rivya_models::wan_2_6::INFO)).is_ok());
        assert!(
            check(
                PNG,
                29_000_000,
                None,
                Some(&rivya_models::nano_banana_pro::INFO)
            )
            .is_ok()
        );
    }

    #[test]
    fn defaults_and_declared_kinds() {
        assert!(check(MP4, 40_000_000, None, None).is_ok());
        assert!(check(MP4, 60_000_000, None, None).is_err());
        assert_eq!(
            check(PNG, 10, Some(MediaKind::Video), None),
            Err(UploadRejection::KindMismatch {
                declared: MediaKind::Video,
                detected: MediaKind::Image
            })
        );
        assert_eq!(
            check(b"hello", 5, None, None),
            Err(UploadRejection::UnknownType)
        );
        let text_only = &rivya_models::suno_music::INFO;
        assert!(matches!(
            check(PNG, 10, None, Some(text_only)),
            Err(UploadRejection::KindNotAccepted { .. })
        ));
    }
}
