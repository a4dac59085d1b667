//! Reading a model page by its structure, never by its (translated) labels.
//!
//! Pages come in two renderings: markdown tables (`| a | b |`) and a flattened form whose cells
//! run together (`sizeselectNo1:1-1:1, 3:2, 2:3Aspect ratio`). Both carry the same skeleton:
//! id, inputs, Files API note, credits, capability, billing, prompt limit, a request-contract
//! table, a parameter table, an upload section and JSON examples. Anchors are the untranslated
//! tokens: ids, type words, `FIXED`/`METERED`, `min`/`max`/`step`, kind words, MIME types, JSON.

/// Type words of the parameter tables; the flattened rendering is split on them.
pub const TYPE_WORDS: &[&str] = &[
    "select", "number", "text", "string", "object", "array", "boolean",
];

/// One table: its rows as cells (markdown) or as glued text (flattened).
#[derive(Debug, Clone)]
pub enum Table {
    /// `| a | b |` rows, header and separator removed.
    Cells(Vec<Vec<String>>),
    /// Flattened rows, header removed.
    Glued(Vec<String>),
}

/// A table found on the page, with the line it starts at and its header text.
#[derive(Debug, Clone)]
pub struct Found {
    pub line: usize,
    pub end: usize,
    pub header: String,
    pub table: Table,
    /// True when the page ends inside the table (it may be cut off).
    pub at_end: bool,
}

/// The page's lines, laid out the same whatever the source did: CR dropped, each line trimmed
/// of spaces and tabs at both ends. Tables and sections are then found by shape alone.
pub fn normalize(text: &str) -> Vec<String> {
    text.split('\n').map(|l| l.trim().to_owned()).collect()
}

/// Every table on the page, in order. Blank lines inside a table (a rendering quirk) do not end
/// it: the table goes on when the next non-blank line is another of its rows.
pub fn tables(lines: &[&str]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let shape = if l.starts_with('|') {
            RowShape::Cells
        } else if is_glued_header(l) {
            if l.starts_with("kind") {
                RowShape::GluedLimit
            } else {
                RowShape::GluedParam
            }
        } else {
            i += 1;
            continue;
        };
        let start = i;
        let mut raw = Vec::new();
        if shape != RowShape::Cells {
            i += 1; // the glued header is not a row
        }
        loop {
            match lines.get(i) {
                Some(l) if !l.is_empty() && shape.continues(l) => {
                    raw.push(*l);
                    i += 1;
                }
                Some(&"") => {
                    let next = (i..lines.len()).find(|&k| !lines[k].is_empty());
                    match next {
                        Some(k) if shape.continues(lines[k]) => i = k,
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        let mut at_end = (i..lines.len()).all(|k| lines[k].is_empty());
        // A flattened row cut before its type word (`num_framesnumbe` as the page's last line)
        // no longer looks like a row; it is the table's cut-off end, not the page's prose.
        if let Some(last) = cut_glued_row(shape, &lines[i..]) {
            raw.push(last);
            i = lines.len();
            at_end = true;
        }
        let (header, table) = match shape {
            RowShape::Cells => {
                let rows: Vec<Vec<String>> = raw.iter().map(|r| cells(r)).collect();
                let header = rows.first().map(|r| r.join("|")).unwrap_or_default();
                let body = rows
                    .into_iter()
                    .skip(1)
                    .filter(|r| !r.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':')))
                    .collect();
                (header, Table::Cells(body))
            }
            // A flattened row has no cell separators: a tab in it can only be a stray one.
            _ => (
                l.to_owned(),
                Table::Glued(raw.iter().map(|r| r.replace('\t', "")).collect()),
            ),
        };
        out.push(Found {
            line: start,
            end: i,
            header,
            table,
            at_end,
        });
    }
    out
}

/// The rest of the page when it is one flattened parameter row cut before its type word: a
/// lowercase key-like fragment and nothing after it.
fn cut_glued_row<'a>(shape: RowShape, rest: &[&'a str]) -> Option<&'a str> {
    let mut nonempty = rest.iter().filter(|l| !l.is_empty());
    let (Some(&last), None) = (nonempty.next(), nonempty.next()) else {
        return None;
    };
    let key_like = last.starts_with(|c: char| c.is_ascii_lowercase())
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    (shape == RowShape::GluedParam && key_like).then_some(last)
}

/// What the rows of a table look like, so a blank line inside it can be told from its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowShape {
    Cells,
    GluedParam,
    GluedLimit,
}

impl RowShape {
    fn continues(self, l: &str) -> bool {
        let l = &l.replace('\t', "");
        match self {
            Self::Cells => l.starts_with('|'),
            // `keytype…`: a key (never a capitalised label) glued to a type word.
            Self::GluedParam => {
                l.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && glued_key(l).is_some()
            }
            Self::GluedLimit => ["image", "video", "audio"].iter().any(|k| {
                l.strip_prefix(k)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            }),
        }
    }
}

/// The key of a flattened row (`aspectRatioselect…` → `aspectRatio`): the shortest run of key
/// characters (`A-Za-z0-9_.-`) that a type word follows; `None` when there is none.
pub fn glued_key(row: &str) -> Option<&str> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
    if !row.starts_with(key_char) {
        return None;
    }
    for (i, c) in row.char_indices().skip(1) {
        if TYPE_WORDS.iter().any(|t| row[i..].starts_with(t)) {
            return Some(&row[..i]);
        }
        if !key_char(c) {
            return None;
        }
    }
    None
}

/// A flattened header: `Key…` (request contract, parameters) or `kind…` (upload limits),
/// with no cell separators.
fn is_glued_header(l: &str) -> bool {
    (l.starts_with("Key") && !l.starts_with("Key ") && l.len() > 3)
        || (l.starts_with("kind") && !l.contains('|') && l.len() > 4 && !l.starts_with("kind "))
}

/// The cells of a markdown row. A row cut off mid-cell keeps its last, partial cell.
fn cells(row: &str) -> Vec<String> {
    let inner = row.strip_prefix('|').unwrap_or(row);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

/// `text`, `file` or `text, file`.
pub fn parse_inputs(l: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = l.split(',').map(str::trim).collect();
    let ok = !parts.is_empty() && parts.iter().all(|p| matches!(*p, "text" | "file" | "url"));
    ok.then_some(parts)
}

/// `image`, `image, video` …
pub fn parse_kinds(l: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = l.split(',').map(str::trim).collect();
    let ok = !parts.is_empty()
        && parts
            .iter()
            .all(|p| matches!(*p, "image" | "video" | "audio"));
    ok.then_some(parts)
}

/// A number as pages write it (`-1`, `0.05`, `2147483647`), at the start of `s`; returns the
/// number and the rest.
pub fn leading_number(s: &str) -> Option<(f64, &str)> {
    let bytes = s.as_bytes();
    let mut end = usize::from(bytes.first() == Some(&b'-'));
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    s[..end].parse().ok().map(|n| (n, &s[end..]))
}

/// A range cell: `min 0 / max 1 / step 0.05`, any part optional; `-` for none.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
}

/// Parses a range at the start of `s`; returns it and the rest.
pub fn leading_range(s: &str) -> Option<(Range, &str)> {
    let mut r = Range::default();
    let mut rest = s;
    let mut any = false;
    loop {
        let (slot, after) = if let Some(a) = rest.strip_prefix("min ") {
            (&mut r.min, a)
        } else if let Some(a) = rest.strip_prefix("max ") {
            (&mut r.max, a)
        } else if let Some(a) = rest.strip_prefix("step ") {
            (&mut r.step, a)
        } else {
            break;
        };
        let (n, after) = leading_number(after)?;
        *slot = Some(n);
        any = true;
        rest = after.strip_prefix(" / ").unwrap_or(after);
        if !(rest.starts_with("min ") || rest.starts_with("max ") || rest.starts_with("step ")) {
            break;
        }
    }
    any.then_some((r, rest))
}

/// Splits `1:1, 3:2, 2:3Aspect ratio` into the options and the description glued to the last
/// one. Options have no spaces, so the description begins in the first comma-separated piece
/// that has one (`15Text and image runs can use 5, 10, …`), or else in the last piece; within
/// that piece it starts at the last capitalised word before the first space (so `AutoAspect`
/// reads `Auto` + `Aspect`), at the first non-ASCII letter (translated text), or — when the
/// options are lowercase — at the first capital.
pub fn split_options(body: &str) -> Option<(Vec<String>, String)> {
    let pieces: Vec<&str> = body.split(", ").collect();
    let at = pieces
        .iter()
        .position(|p| p.contains(' '))
        .unwrap_or(pieces.len().checked_sub(1)?);
    let piece = pieces[at];
    let head = piece.split(' ').next().unwrap_or(piece);
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    let starts_word = |k: usize| {
        let (_, c) = chars[k];
        let next = chars.get(k + 1).map(|(_, c)| *c);
        c.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase())
    };
    // Translated descriptions start at their first non-ASCII letter, or one capital before it
    // (`Tỷ lệ`).
    let first_non_ascii = (1..chars.len()).find(|&k| !chars[k].1.is_ascii()).map(|k| {
        if k > 1 && chars[k - 1].1.is_ascii_uppercase() {
            k - 1
        } else {
            k
        }
    });
    let lowercase = pieces[..at]
        .iter()
        .all(|p| !p.chars().any(|c| c.is_ascii_uppercase()));
    let split = first_non_ascii
        .or_else(|| (1..chars.len()).rev().find(|&k| starts_word(k)))
        .or_else(|| {
            lowercase
                .then(|| (1..chars.len()).find(|&k| chars[k].1.is_ascii_uppercase()))
                .flatten()
        });
    let cut = match split {
        Some(k) => chars[k].0,
        None if piece.contains(' ') => 0,
        None => piece.len(),
    };
    let mut options: Vec<String> = pieces[..at].iter().map(|p| p.trim().to_owned()).collect();
    let last = piece[..cut].trim();
    if !last.is_empty() {
        options.push(last.to_owned());
    }
    let mut description = piece[cut..].to_owned();
    for p in &pieces[at + 1..] {
        description.push_str(", ");
        description.push_str(p);
    }
    Some((options, description.trim().to_owned()))
}

/// The characters of a text read as JSON, each with its byte offset and whether it belongs
/// to a string literal (quotes included): the importer's one reader of JSON's string and
/// escape rules, shared by [`json_objects`] and [`pretty`].
fn json_chars(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let (mut in_str, mut esc) = (false, false);
    text.char_indices().map(move |(i, c)| {
        let inside = in_str || c == '"';
        if !in_str {
            in_str = c == '"';
        } else if esc {
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == '"' {
            in_str = false;
        }
        (i, c, inside)
    })
}

/// The byte offset of the `}` closing the object `text` starts with, if the text has it.
fn object_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c, inside) in json_chars(text) {
        match c {
            '{' if !inside => depth += 1,
            '}' if !inside => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Every complete JSON object on the page, parsed and re-indented in page order (objects cut
/// off by the page end are skipped).
pub fn json_objects(text: &str) -> Vec<(serde_json::Value, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find('{').map(|k| from + k) {
        let Some(end) = object_end(&text[start..]).map(|e| start + e) else {
            break;
        };
        let object = &text[start..=end];
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(object) {
            out.push((v, pretty(object)));
        }
        from = end + 1;
    }
    out
}

/// Re-indents JSON text with two spaces, keeping its key order and every literal as written.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let chars: Vec<(char, bool)> = json_chars(json)
        .filter(|&(_, c, _)| c != '\r')
        .map(|(_, c, inside)| (c, inside))
        .collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let (c, inside) = chars[i];
        i += 1;
        match c {
            c if inside => out.push(c),
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                out.push(c);
                // `{}` and `[]` stay on one line.
                match chars[i..].iter().position(|&(x, _)| !x.is_whitespace()) {
                    Some(k) if chars[i + k].0 == close => {
                        out.push(close);
                        i += k + 1;
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_descriptions_come_apart() {
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "1:1, 3:2, 2:3Aspect ratio",
                &["1:1", "3:2", "2:3"],
                "Aspect ratio",
            ),
            (
                "16:9, 9:16, AutoAspect ratio",
                &["16:9", "9:16", "Auto"],
                "Aspect ratio",
            ),
            (
                "FIRST_AND_LAST_FRAMES_2_VIDEO, REFERENCE_2_VIDEOGeneration mode",
                &["FIRST_AND_LAST_FRAMES_2_VIDEO", "REFERENCE_2_VIDEO"],
                "Generation mode",
            ),
            (
                "jpeg, pngJPEG is smaller",
                &["jpeg", "png"],
                "JPEG is smaller",
            ),
            ("basic, highคุณภาพ", &["basic", "high"], "คุณภาพ"),
            ("false, trueTimestamps", &["false", "true"], "Timestamps"),
            (
                "x, aMSt68OGf4xUZAnLpTU8Voice",
                &["x", "aMSt68OGf4xUZAnLpTU8"],
                "Voice",
            ),
            ("720p, 1080pResolutie", &["720p", "1080p"], "Resolutie"),
            ("16:9, 9:16Tỷ lệ", &["16:9", "9:16"], "Tỷ lệ"),
            (
                "5, 10, 15Text runs use 5, 10, or 15",
                &["5", "10", "15"],
                "Text runs use 5, 10, or 15",
            ),
            (
                "auto, originControls how",
                &["auto", "origin"],
                "Controls how",
            ),
        ];
        for (body, options, description) in cases {
            let (o, d) = split_options(body).unwrap();
            assert_eq!(o, *options, "{body}");
            assert_eq!(d, *description, "{body}");
        }
    }

    #[test]
    fn ranges_and_numbers() {
        let (r, rest) = leading_range("min 0 / max 1 / step 0.05-Stability").unwrap();
        assert_eq!((r.min, r.max, r.step), (Some(0.0), Some(1.0), Some(0.05)));
        assert_eq!(rest, "-Stability");
        let (r, _) = leading_range("min -1 / max 2147483647-x").unwrap();
        assert_eq!((r.min, r.max), (Some(-1.0), Some(2147483647.0)));
        assert_eq!(leading_number("-1min"), Some((-1.0, "min")));
        assert_eq!(leading_number("0.5min"), Some((0.5, "min")));
        assert_eq!(leading_number("-min"), None);
    }

    #[test]
    fn json_objects_skip_cut_ones() {
        let text = "a\n{\"model\": \"x\", \"s\": \"}\"}\nmore {\"id\": 1}\n{\"cut\": ";
        let objs = json_objects(text);
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].0["s"], "}");
        assert_eq!(objs[0].1, "{\n  \"model\": \"x\",\n  \"s\": \"}\"\n}");
        assert_eq!(
            pretty("{\"a\":[],\"b\":{\"c\":[1, 2]}}"),
            "{\n  \"a\": [],\n  \"b\": {\n    \"c\": [\n      1,\n      2\n    ]\n  }\n}"
        );
    }

    /// Braces, quotes and backslashes inside strings are text, not structure.
    #[test]
    fn strings_hide_structure() {
        let text = r#"x {"s": "a\"}{[", "t": "\\", "n": 1.50} y"#;
        let objs = json_objects(text);
        assert_eq!(objs.len(), 1, "{objs:?}");
        assert_eq!(objs[0].0["s"], "a\"}{[");
        assert_eq!(
            objs[0].1,
            "{\n  \"s\": \"a\\\"}{[\",\n  \"t\": \"\\\\\",\n  \"n\": 1.50\n}"
        );
    }
}
