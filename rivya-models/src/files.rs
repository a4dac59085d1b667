//! The Files API's rules, shared by the client (checks before sending) and the emulator
//! (checks on receipt): file types are detected from magic bytes, as the server does, never
//! from the name; kind, MIME type and size are checked against the model's upload policy or
//! the API's defaults. Pure functions, no I/O.

use std::fmt;

use crate::{KindLimit, MediaKind, ModelInfo};

/// How many leading bytes detection needs.
pub const HEAD_LEN: usize = 64;

/// The kind and MIME type a file's first bytes announce, or `None` for an unknown type.
pub fn detect(head: &[u8]) -> Option<(MediaKind, &'static str)> {
    use MediaKind::{Audio, Image, Video};
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some((Image, "image/jpeg"));
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some((Image, "image/png"));
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some((Image, "image/gif"));
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some((Image, "image/webp"));
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some((Audio, "audio/wav"));
    }
    if at(0, b"OggS") {
        return Some((Audio, "audio/ogg"));
    }
    if at(0, b"ID3") {
        return Some((Audio, "audio/mpeg"));
    }
    if at(4, b"ftyp") {
        let brand = head.get(8..12).unwrap_or_default();
        return Some(match brand {
            b"qt  " => (Video, "video/quicktime"),
            b"M4A " | b"M4B " => (Audio, "audio/mp4"),
            _ => (Video, "video/mp4"),
        });
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        let webm = head.windows(4).any(|w| w == b"webm");
        return Some((
            Video,
            if webm {
                "video/webm"
            } else {
                "video/x-matroska"
            },
        ));
    }
    if let [0xFF, second, ..] = head {
        // ADTS (AAC) has layer bits 00; MPEG audio frames have a non-zero layer.
        if second & 0xF6 == 0xF0 {
            return Some((Audio, "audio/aac"));
        }
        if second & 0xE0 == 0xE0 {
            return Some((Audio, "audio/mpeg"));
        }
    }
    None
}

pub use rivya_rules::DEFAULT_LIMITS;

/// Why a local file was refused before upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRejection {
    /// The signature matches no accepted type.
    UnknownType,
    /// The detected kind is not accepted (by the model, or by the API).
    KindNotAccepted {
        /// The detected kind.
        kind: MediaKind,
        /// The accepted kinds.
        accepted: Vec<MediaKind>,
    },
    /// The detected MIME type is not accepted for its kind.
    MimeNotAccepted {
        /// The detected MIME type.
        mime: &'static str,
        /// The accepted MIME types.
        accepted: Vec<&'static str>,
    },
    /// The file is larger than allowed.
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The declared kind does not match the file's signature.
    KindMismatch {
        /// What the caller declared.
        declared: MediaKind,
        /// What the signature says.
        detected: MediaKind,
    },
}

impl fmt::Display for UploadRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownType => write!(
                f,
                "the file's signature matches no accepted image, video or audio type"
            ),
            Self::KindNotAccepted { accepted, .. } if accepted.is_empty() => {
                write!(f, "this model takes no reference files")
            }
            Self::KindNotAccepted { kind, accepted } => {
                let list: Vec<&str> = accepted.iter().map(|k| k.as_str()).collect();
                write!(
                    f,
                    "{kind} files are not accepted; expected {}",
                    list.join(" or ")
                )
            }
            Self::MimeNotAccepted { mime, accepted } => {
                write!(
                    f,
                    "{mime} is not accepted; expected one of: {}",
                    accepted.join(", ")
                )
            }
            Self::TooLarge { size, max } => {
                write!(f, "the file is {size} bytes; the limit is {max} bytes")
            }
            Self::KindMismatch { declared, detected } => {
                write!(
                    f,
                    "declared as {declared}, but the file's signature says {detected}"
                )
            }
        }
    }
}

/// What the checks decided about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The detected kind.
    pub kind: MediaKind,
    /// The detected MIME type.
    pub mime: &'static str,
}

/// Checks a file's signature, kind, MIME type and size against the model's policy (or the
/// API's defaults).
pub fn check(
    head: &[u8],
    size: u64,
    declared: Option<MediaKind>,
    model: Option<&ModelInfo>,
) -> Result<Checked, UploadRejection> {
    let (kind, mime) = detect(head).ok_or(UploadRejection::UnknownType)?;
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
mod sniff_tests {
    use super::*;

    #[test]
    fn signatures() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", Some("image/jpeg")),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some("image/png")),
            (b"GIF89a\x01\x00", Some("image/gif")),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some("image/webp")),
            (b"RIFF\x24\0\0\0WAVEfmt ", Some("audio/wav")),
            (b"OggS\0\x02", Some("audio/ogg")),
            (b"ID3\x04\0", Some("audio/mpeg")),
            (b"\xFF\xFB\x90\x00", Some("audio/mpeg")),
            (b"\xFF\xF1\x50\x80", Some("audio/aac")),
            (b"\0\0\0\x18ftypmp42\0\0\0\0", Some("video/mp4")),
            (b"\0\0\0\x14ftypqt  \0\0\0\0", Some("video/quicktime")),
            (b"\0\0\0\x20ftypM4A \0\0\0\0", Some("audio/mp4")),
            (
                b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm",
                Some("video/webm"),
            ),
            (
                b"\x1A\x45\xDF\xA3\x9F\x42\x82\x88matroska",
                Some("video/x-matroska"),
            ),
            (b"%PDF-1.7", None),
            (b"", None),
            (b"\xFF", None),
        ];
        for (head, want) in cases {
            assert_eq!(detect(head).map(|(_, m)| m), *want, "{head:?}");
        }
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;
    use crate::GenerationModel;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const GIF: &[u8] = b"GIF89a\x01\x00";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0";

    #[test]
    fn model_policy_applies() {
        let kling = crate::kling_3_0::Model::INFO;
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
        assert!(check(MP4, 10, None, Some(&crate::wan_2_6::INFO)).is_ok());
        assert!(check(PNG, 29_000_000, None, Some(&crate::nano_banana_pro::INFO)).is_ok());
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
        let text_only = &crate::suno_music::INFO;
        assert!(matches!(
            check(PNG, 10, None, Some(text_only)),
            Err(UploadRejection::KindNotAccepted { .. })
        ));
    }
}
