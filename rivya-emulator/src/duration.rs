//! Clip durations read from file headers, where the header states them: WAV (`fmt ` byte
//! rate and `data` size) and MP4/QuickTime (the `mvhd` box's duration over its timescale).
//! Other formats get no duration rather than an invented one.

/// The duration in seconds, when the header says.
pub fn seconds(bytes: &[u8]) -> Option<f64> {
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return wav(bytes);
    }
    if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        return mp4(bytes);
    }
    None
}

fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_be(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// RIFF chunks after the 12-byte header: `fmt ` gives the byte rate, `data` the size.
fn wav(b: &[u8]) -> Option<f64> {
    let (mut at, mut byte_rate, mut data) = (12usize, None, None);
    while at + 8 <= b.len() && (byte_rate.is_none() || data.is_none()) {
        let id = &b[at..at + 4];
        let size = u32_le(b, at + 4)? as usize;
        match id {
            b"fmt " => {
                let _channels = u16_le(b, at + 10)?;
                byte_rate = Some(u32_le(b, at + 16)?);
            }
            b"data" => data = Some(size),
            _ => {}
        }
        // Chunks are padded to an even size.
        at = at.checked_add(8)?.checked_add(size + (size & 1))?;
    }
    let rate = byte_rate.filter(|r| *r > 0)?;
    Some(data? as f64 / f64::from(rate))
}

/// Walks boxes to `moov` → `mvhd` (version 0: 32-bit fields, version 1: 64-bit).
fn mp4(b: &[u8]) -> Option<f64> {
    let moov = find_box(b, b"moov")?;
    let mvhd = find_box(moov, b"mvhd")?;
    let version = *mvhd.first()?;
    let (timescale, duration) = if version == 1 {
        (u32_be(mvhd, 20)?, u64_be(mvhd, 24)?)
    } else {
        (u32_be(mvhd, 12)?, u64::from(u32_be(mvhd, 16)?))
    };
    (timescale > 0).then(|| duration as f64 / f64::from(timescale))
}

/// The content of the first box named `name` among the boxes that fill `b`.
fn find_box<'a>(b: &'a [u8], name: &[u8; 4]) -> Option<&'a [u8]> {
    let mut at = 0usize;
    while at + 8 <= b.len() {
        let size32 = u32_be(b, at)? as usize;
        let (header, size) = match size32 {
            1 => (16, usize::try_from(u64_be(b, at + 8)?).ok()?),
            0 => (8, b.len() - at), // to the end of the file
            s => (8, s),
        };
        if size < header {
            return None;
        }
        let end = at.checked_add(size)?.min(b.len());
        if &b[at + 4..at + 8] == name {
            return b.get(at + header..end);
        }
        at = at.checked_add(size)?;
    }
    None
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A PCM WAV of `secs` seconds at 8 kHz, mono, 16-bit (16,000 bytes a second).
    pub fn wav_file(secs: u32) -> Vec<u8> {
        let data = 16_000 * secs;
        let mut b = b"RIFF".to_vec();
        b.extend((36 + data).to_le_bytes());
        b.extend(b"WAVEfmt ");
        b.extend(16u32.to_le_bytes());
        b.extend(1u16.to_le_bytes()); // PCM
        b.extend(1u16.to_le_bytes()); // mono
        b.extend(8_000u32.to_le_bytes());
        b.extend(16_000u32.to_le_bytes()); // byte rate
        b.extend(2u16.to_le_bytes());
        b.extend(16u16.to_le_bytes());
        b.extend(b"data");
        b.extend(data.to_le_bytes());
        b.resize(b.len() + data as usize, 0);
        b
    }

    /// An MP4 with `ftyp`, `free` and a `moov` holding a version-0 `mvhd`.
    pub fn mp4_file(timescale: u32, duration: u32) -> Vec<u8> {
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&timescale.to_be_bytes());
        mvhd[16..20].copy_from_slice(&duration.to_be_bytes());
        let boxed = |name: &[u8], content: &[u8]| {
            let mut b = ((content.len() + 8) as u32).to_be_bytes().to_vec();
            b.extend(name);
            b.extend(content);
            b
        };
        let mut f = boxed(b"ftyp", b"isom\0\0\x02\0isommp41");
        f.extend(boxed(b"free", &[0; 16]));
        f.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
        f
    }

    #[test]
    fn wav_and_mp4_headers_give_their_duration() {
        assert_eq!(seconds(&wav_file(3)), Some(3.0));
        assert_eq!(seconds(&mp4_file(1000, 7_500)), Some(7.5));
        assert_eq!(seconds(&mp4_file(0, 7_500)), None, "no timescale, no guess");
        assert_eq!(seconds(b"ID3\x04\0\0\0\0\0\0"), None, "mp3: not stated");
        let mut cut = wav_file(1);
        cut.truncate(30);
        assert_eq!(seconds(&cut), None);
        assert_eq!(seconds(&mp4_file(600, 600)[..40]), None);
    }
}
