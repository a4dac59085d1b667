//! The few translated words the importer knows, and what it does without them.
//!
//! Pages translate the capability value (`Video`, `Vidéo`, `视频` …). A word missing from these
//! tables is never guessed silently: the capability is inferred from the page's structure, or
//! left as a `TODO` that fails the spec check.

use super::{Kind, KindLimit, Param};

/// Capability words of the renderings seen so far.
const IMAGE: &[&str] = &[
    "image",
    "gambar",
    "hình ảnh",
    "图片",
    "圖片",
    "图像",
    "圖像",
    "afbeelding",
    "beeld",
    "รูปภาพ",
    "ภาพ",
    "bild",
    "imagen",
    "imagem",
    "画像",
    "이미지",
    "ছবি",
    "تصویر",
];

const VIDEO: &[&str] = &[
    "video",
    "vidéo",
    "vídeo",
    "视频",
    "視頻",
    "影片",
    "วิดีโอ",
    "ビデオ",
    "動画",
    "비디오",
    "ভিডিও",
    "ویڈیو",
];

const AUDIO: &[&str] = &[
    "audio",
    "âm thanh",
    "音频",
    "音訊",
    "音頻",
    "เสียง",
    "geluid",
    "オーディオ",
    "오디오",
    "অডিও",
    "آڈیو",
];

/// The capability a translated word names, if it is a known translation.
pub fn capability(word: &str) -> Option<&'static str> {
    let w = word.trim().to_lowercase();
    [("image", IMAGE), ("video", VIDEO), ("audio", AUDIO)]
        .into_iter()
        .find(|(_, words)| words.contains(&w.as_str()))
        .map(|(c, _)| c)
}

/// Param keys and option values typical of one capability (lowercase substrings).
const SIGNALS: &[(&str, &[&str])] = &[
    (
        "video",
        &[
            "duration", "fps", "frames", "camera", "motion", "movement", "shot", "scene",
        ],
    ),
    (
        "audio",
        &[
            "voice",
            "speed",
            "stability",
            "similarity",
            "lyrics",
            "instrumental",
            "vocal",
            "tempo",
            "bpm",
            "mp3_",
            "pcm_",
            "sample_rate",
        ],
    ),
    (
        "image",
        &[
            "num_images",
            "image_size",
            "output_format",
            "png",
            "jpeg",
            "webp",
            "guidance",
        ],
    ),
];

/// The capability the page's structure points to — typical param keys and options, and the
/// kinds a video or audio model accepts — when exactly one capability scores highest.
pub fn infer_capability(params: &[Param], upload: Option<&[KindLimit]>) -> Option<&'static str> {
    let mut haystack: Vec<String> = Vec::new();
    for p in params {
        haystack.push(p.key.to_ascii_lowercase());
        if let Kind::Select { options, .. } = &p.kind {
            haystack.extend(options.iter().map(|o| o.to_ascii_lowercase()));
        }
    }
    let mut scores: Vec<(&'static str, usize)> = SIGNALS
        .iter()
        .map(|(cap, words)| {
            let hits = haystack
                .iter()
                .filter(|h| words.iter().any(|w| h.contains(w)))
                .count();
            (*cap, hits)
        })
        .collect();
    // Only video models take video references, only audio models take audio ones (so far).
    for limit in upload.unwrap_or_default() {
        if let Some(s) = scores
            .iter_mut()
            .find(|(c, _)| *c == limit.kind && *c != "image")
        {
            s.1 += 1;
        }
    }
    scores.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    match scores.as_slice() {
        [(cap, best), (_, second), ..] if *best > 0 && best > second => Some(cap),
        _ => None,
    }
}
