//! Uploads: what to send, and the local checks that refuse a file before any byte leaves.

use std::path::PathBuf;

use rivya_models::{MediaKind, Model, ModelInfo};

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
