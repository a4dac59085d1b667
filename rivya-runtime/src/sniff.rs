//! File type detection from magic bytes, as the server does: the extension is never trusted.

use rivya_models::MediaKind;

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

#[cfg(test)]
mod tests {
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
