//! Reference media items: files uploaded through the Files API and referenced from a request.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a reference file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum MediaKind {
    /// A still image.
    Image,
    /// A video clip.
    Video,
    /// An audio clip.
    Audio,
}

impl MediaKind {
    /// Every kind, in wire order.
    pub const ALL: [MediaKind; 3] = [Self::Image, Self::Video, Self::Audio];

    /// The wire value (`image`, `video`, `audio`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
        }
    }

    /// Parses a wire value.
    pub fn from_wire(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Whether references of this kind carry a duration, and so a `durationToken`.
    pub const fn has_duration(self) -> bool {
        matches!(self, Self::Video | Self::Audio)
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One item of `params.referenceMediaItems`.
///
/// Build it from a Files API upload: `url` and `kind` are required; video and audio items must
/// carry the `durationToken` the upload returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReferenceMediaItem {
    /// The file's URL, as returned by `/api/v1/files`.
    pub url: String,
    /// The file's kind.
    pub kind: MediaKind,
    /// The file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The detected MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The clip's duration in seconds (video and audio).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::wire::opt_decimal"
    )]
    pub duration_seconds: Option<f64>,
    /// The token proving the clip's duration, from the upload's `duration_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_token: Option<String>,
}

impl ReferenceMediaItem {
    /// A reference to an uploaded file with the required fields only.
    pub fn new(url: impl Into<String>, kind: MediaKind) -> Self {
        Self {
            url: url.into(),
            kind,
            name: None,
            mime_type: None,
            duration_seconds: None,
            duration_token: None,
        }
    }

    /// A reference to an uploaded image.
    pub fn image(url: impl Into<String>) -> Self {
        Self::new(url, MediaKind::Image)
    }

    /// A reference to an uploaded video clip. Video references usually need the upload's
    /// duration token: add it with [`ReferenceMediaItem::duration`].
    pub fn video(url: impl Into<String>) -> Self {
        Self::new(url, MediaKind::Video)
    }

    /// A reference to an uploaded audio clip. Audio references usually need the upload's
    /// duration token: add it with [`ReferenceMediaItem::duration`].
    pub fn audio(url: impl Into<String>) -> Self {
        Self::new(url, MediaKind::Audio)
    }

    /// Sets the file name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the MIME type.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Sets the duration in seconds and its token, as returned by the upload.
    pub fn duration(mut self, seconds: f64, token: impl Into<String>) -> Self {
        self.duration_seconds = Some(seconds);
        self.duration_token = Some(token.into());
        self
    }
}
