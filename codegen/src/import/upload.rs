//! The upload section: the reference rule sentence, max files, accepted kinds and the limits
//! table. Values the page does not show (a cut-off page) are never defaulted silently: each
//! carries a warning, and the draft is marked partial.

use super::KindLimit;
use super::page::{self, Found, Table};

/// What the section states.
#[derive(Debug, Clone)]
pub struct Upload {
    pub max_files: u32,
    pub kinds: Vec<KindLimit>,
}

/// Reads the upload section, which starts after the tables that end at `after`.
pub fn read(
    lines: &[&str],
    tables: &[Found],
    after: usize,
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> Upload {
    let kinds_at = (after..lines.len()).find(|&i| page::parse_kinds(lines[i]).is_some());
    let sentence_end = kinds_at.unwrap_or(lines.len());
    // The section opens with the (untranslated) `params.referenceMediaItems` instruction.
    let intro = (after..sentence_end)
        .find(|&i| lines[i].contains(crate::REFERENCES_KEY))
        .map_or(after, |i| i + 1);
    let rule = rule_sentence(&lines[intro.min(sentence_end)..sentence_end]);
    let counts = rule.map(counts).unwrap_or_default();
    let stated = kinds_at.and_then(|k| {
        (after..k)
            .rev()
            .filter(|&i| !lines[i].is_empty())
            .take(3)
            .find_map(|i| lines[i].parse::<u32>().ok())
    });
    let max_files = max_files(stated, &counts, rule, partial, warnings);
    let Some(kinds_at) = kinds_at else {
        *partial = true;
        warnings.push(
            "the upload section is cut off before its kinds: assumed image with the Files API defaults"
                .into(),
        );
        return Upload {
            max_files,
            kinds: vec![default_limit("image")],
        };
    };
    let kinds: Vec<String> = page::parse_kinds(lines[kinds_at])
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    Upload {
        max_files,
        kinds: limits(tables, kinds_at, &kinds, partial, warnings),
    }
}

/// The most files: the page's number, raised to the largest count of a rule that says more
/// than "up to N files"; from the rule sentence alone when the number is cut off.
fn max_files(
    stated: Option<u32>,
    counts: &[u32],
    rule: Option<&str>,
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> u32 {
    let largest = counts.iter().copied().max();
    if rule.is_some_and(|r| !is_simple(r, counts)) {
        warnings.push(format!(
            "the reference rule says more than \"up to N files\" ({}): write `reference_rule` and `notes` in your words; max_files is the largest count stated",
            rule.unwrap_or_default().chars().take(60).collect::<String>()
        ));
    }
    match (stated, largest) {
        (Some(n), Some(c)) => n.max(c),
        (Some(n), None) => n,
        (None, Some(c)) => {
            *partial = true;
            warnings.push(format!(
                "max files is not shown (cut off?): {c} is taken from the rule sentence"
            ));
            c
        }
        (None, None) => {
            *partial = true;
            warnings.push("max files is not shown and the rule states no count: assumed 1".into());
            1
        }
    }
}

/// The reference rule: the first `Label: sentence` line of the section.
fn rule_sentence<'a>(lines: &[&'a str]) -> Option<&'a str> {
    lines.iter().copied().find_map(|l| {
        let (label, text) = l.split_once(':').or_else(|| l.split_once('：'))?;
        let ok = !label.is_empty() && !text.trim().is_empty();
        ok.then_some(text.trim())
    })
}

/// The whole numbers a rule sentence states (`2` and `3` in "2 images, or one video plus 3").
fn counts(sentence: &str) -> Vec<u32> {
    let b = sentence.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let decimal = (start > 0 && b[start - 1] == b'.')
            || (i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit());
        if !decimal && let Ok(n) = sentence[start..i].parse() {
            out.push(n);
        }
    }
    out
}

/// "Up to N files of kind K": one count and no further clause (no comma, semicolon or
/// parenthesis, in any script).
fn is_simple(sentence: &str, counts: &[u32]) -> bool {
    let body = sentence.trim_end_matches(['.', '。']);
    counts.len() == 1 && !body.contains([',', ';', '(', '，', '、', '；', '（'])
}

/// The limits table after the kinds line; kinds it does not cover get the Files API defaults.
fn limits(
    tables: &[Found],
    kinds_at: usize,
    kinds: &[String],
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> Vec<KindLimit> {
    let table = tables.iter().find(|t| {
        t.line > kinds_at
            && t.header
                .trim_start_matches('|')
                .trim_start()
                .starts_with("kind")
    });
    let rows: Vec<(String, String, String)> = match table.map(|t| &t.table) {
        Some(Table::Cells(rows)) => rows
            .iter()
            .filter(|r| r.len() >= 3)
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect(),
        Some(Table::Glued(rows)) => rows.iter().filter_map(|r| glued_limit(r)).collect(),
        None => Vec::new(),
    };
    let mut limits = Vec::new();
    for (kind, size, mimes) in rows {
        match page::leading_number(size.trim()).map(|(n, _)| n as u32) {
            Some(mb) if size.contains("MB") => limits.push(KindLimit {
                kind,
                max_size_mb: mb,
                mime_types: mimes
                    .split(',')
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty())
                    .collect(),
            }),
            _ => warnings.push(format!(
                "unreadable size `{size}` for {kind}; that kind is left out"
            )),
        }
    }
    for k in kinds {
        if !limits.iter().any(|l| &l.kind == k) {
            *partial = true;
            warnings.push(format!(
                "no size/MIME limits for {k} on the page (cut off?): the Files API defaults are used"
            ));
            limits.push(default_limit(k));
        }
    }
    limits.retain(|l| kinds.contains(&l.kind));
    limits
}

/// `image10 MBimage/jpeg, image/png`.
fn glued_limit(row: &str) -> Option<(String, String, String)> {
    let kind = ["image", "video", "audio"]
        .into_iter()
        .find(|k| row.starts_with(k))?;
    let rest = &row[kind.len()..];
    let (n, after) = page::leading_number(rest)?;
    let after = after.trim_start().strip_prefix("MB")?;
    Some((kind.to_owned(), format!("{n} MB"), after.to_owned()))
}

/// The Files API's documented default limits for a kind (the same table the SDK applies).
fn default_limit(kind: &str) -> KindLimit {
    let limit = rivya_rules::DEFAULT_LIMITS
        .iter()
        .find(|l| l.kind.as_str() == kind)
        .unwrap_or(&rivya_rules::DEFAULT_LIMITS[0]);
    KindLimit {
        kind: limit.kind.as_str().to_owned(),
        max_size_mb: u32::try_from(limit.max_bytes / 1_000_000).unwrap_or(u32::MAX),
        mime_types: limit.mime_types.iter().map(|m| (*m).to_owned()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_sentences_are_simple_only_when_they_say_one_thing() {
        let simple = "Upload up to 8 image files for image projects.";
        assert_eq!(counts(simple), [8]);
        assert!(is_simple(simple, &counts(simple)));
        let roles =
            "Image mode accepts up to 2 images, and the second image becomes the last frame.";
        assert!(!is_simple(roles, &counts(roles)));
        let several = "Upload 1 source image, or 2 images with a last frame.";
        assert_eq!(counts(several), [1, 2]);
        let words = "Optionally upload one image to switch modes; leave it empty for text.";
        assert!(counts(words).is_empty());
        assert!(!is_simple(words, &counts(words)));
        assert_eq!(counts("Kling 3.0 takes 2 files"), [2]);
        assert_eq!(
            rule_sentence(&["Reference rule", "Reference image: Upload up to 3 files."]),
            Some("Upload up to 3 files.")
        );
    }
}
