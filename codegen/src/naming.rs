//! Naming rules: how wire values become Rust identifiers. This is the one place they live.
//!
//! The rules are deterministic and readable; they are not injective on their own (`Auto` and
//! `auto` both read `Auto`), so the checker rejects any collision and the spec resolves it with an
//! explicit name (`rust_name`, `variant_names`). The wire value itself is never lost: it travels
//! in `#[serde(rename)]`, `as_str()` and the docs.
//!
//! **Words.** A value is split into words at `_`, `-`, space, `/` and `.`; letters and digits
//! stay together (`mp3`, `512P`, `V4`). Symbols become words: `#` → `Sharp`, `+` → `Plus`,
//! `&` → `And`, `%` → `Percent`, `@` → `At`, `*` → `Star`; a leading `-` before a digit is
//! `Neg`; any other character is `U` and its hex code. A `.` or `:` between two digits keeps
//! the digits apart with `_`.
//!
//! **Types and variants (PascalCase).** Each word's first letter is uppercased. The rest of an
//! all-lowercase or all-uppercase word is lowercased (`FIRST` → `First`, `niji7` → `Niji7`;
//! a whole name `Std` is spelled out as `Standard`, since `Std` reads as Rust's `std`); a word with a single letter has no rest (`720p` → `720P`, `1K`); a mixed-case word
//! keeps its inner case (`TX3LPaxmHKxFdv7VOQHJ` stays). Words are joined, with `_` only between two digits
//! (`mp3_44100_128` → `Mp3_44100_128`, `6.1` → `6_1`). A ratio `W:H` is `RWxH` (`16:9` →
//! `R16x9`, `2.35:1` → `R2_35x1`). A name starting with a digit gets a prefix chosen from what
//! the param means ([`option_prefix`]: `Res720P`, `V6_1`, `Secs10`, `N0_5`), or the param's
//! explicit `variant_prefix`.
//!
//! **Types.** A select's enum is named after its field (`aspect_ratio` → `AspectRatio`), with
//! the product's noun in front when that would clash with `std` ([`type_name`]:
//! `ClipDuration`); every module's marker type is [`MARKER`] (`kling_3_0::Model`).
//!
//! **Fields and modules (snake_case).** Words are also split where a lowercase letter meets an
//! uppercase one (`aspectRatio` → `aspect`, `ratio`), lowercased, and joined with `_`. A leading
//! digit gets a prefix (`param_` for fields, `model_` for modules: `4o-image` → `model_4o_image`).
//! Rust keywords become raw identifiers (`type` → `r#type`); `self`, `super`, `crate` and `Self`
//! cannot, so they are errors to resolve with an explicit name.
//!
//! **Constants.** A param's descriptor constant is its field name in upper case
//! ([`const_name`]: `param::ASPECT_RATIO`).

/// Splits a value into words per the rules above; `None` when no word remains.
fn words(value: &str, split_humps: bool) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, words: &mut Vec<String>| {
        if !cur.is_empty() {
            words.push(std::mem::take(cur));
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        if c.is_ascii_alphanumeric() {
            if split_humps && let Some(p) = prev {
                let hump = p.is_ascii_lowercase() && c.is_ascii_uppercase();
                let acronym_end = p.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase());
                if hump || acronym_end {
                    flush(&mut cur, &mut words);
                }
            }
            cur.push(c);
            continue;
        }
        flush(&mut cur, &mut words);
        let symbol = match c {
            '_' | '-' | ' ' | '/' | '.' | ':' => None,
            '#' => Some("Sharp".to_owned()),
            '+' => Some("Plus".to_owned()),
            '&' => Some("And".to_owned()),
            '%' => Some("Percent".to_owned()),
            '@' => Some("At".to_owned()),
            '*' => Some("Star".to_owned()),
            _ => Some(format!("U{:04X}", c as u32)),
        };
        let neg = c == '-' && i == 0 && next.is_some_and(|n| n.is_ascii_digit());
        if neg {
            words.push("Neg".to_owned());
        } else if let Some(s) = symbol {
            words.push(s);
        }
    }
    flush(&mut cur, &mut words);
    words
}

/// Capitalises one word per the PascalCase rule.
fn capitalise(word: &str) -> String {
    let letters: Vec<char> = word.chars().filter(char::is_ascii_alphabetic).collect();
    let uniform = letters.iter().all(char::is_ascii_lowercase)
        || letters.iter().all(char::is_ascii_uppercase);
    let mut out = String::with_capacity(word.len());
    let mut first_letter = true;
    for c in word.chars() {
        if c.is_ascii_alphabetic() {
            if first_letter {
                out.push(c.to_ascii_uppercase());
                first_letter = false;
            } else if uniform && letters.len() > 1 {
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Joins PascalCase words, keeping two digits apart with `_`.
fn join_pascal(words: &[String]) -> String {
    let mut out = String::new();
    for w in words {
        let w = capitalise(w);
        let digit_meets_digit = out.ends_with(|c: char| c.is_ascii_digit())
            && w.starts_with(|c: char| c.is_ascii_digit());
        if digit_meets_digit {
            out.push('_');
        }
        out.push_str(&w);
    }
    out
}

/// A ratio such as `16:9` or `2.35:1`, as `R16x9` / `R2_35x1`.
fn ratio(value: &str) -> Option<String> {
    let (w, h) = value.split_once(':')?;
    let number = |s: &str| {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        !int.is_empty()
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
            && (frac.is_empty() || !s.ends_with('.'))
    };
    (number(w) && number(h)).then(|| format!("R{}x{}", w.replace('.', "_"), h.replace('.', "_")))
}

/// The variant name of a select option.
pub fn variant(value: &str, prefix: &str) -> Option<String> {
    if let Some(r) = ratio(value) {
        return Some(r);
    }
    let name = join_pascal(&words(value, false));
    if name.is_empty() {
        return None;
    }
    if name == "Std" {
        return Some("Standard".to_owned());
    }
    Some(if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    })
}

/// PascalCase of an identifier-like value (type names from keys, ids and field names).
pub fn pascal(value: &str) -> Option<String> {
    variant(value, "V")
}

/// snake_case of a key or id; `prefix` is put before a leading digit.
pub fn snake(value: &str, prefix: &str) -> Option<String> {
    let name = words(value, true)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if name.is_empty() {
        return None;
    }
    Some(if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    })
}

/// Field names taken by the generated `Params` and the methods of `Request`.
const RESERVED_FIELDS: &[&str] = &[
    "new",
    "prompt",
    "client_request_id",
    "validate",
    "info",
    "model_id",
    "from_parts",
    "reference",
    "references",
    "reference_media_items",
];

/// Type names every generated module defines or refers to: its own items, and the prelude
/// names the generated code writes unqualified (an enum named `Vec` or `Default` would shadow
/// them and the module would not compile).
const RESERVED_TYPES: &[&str] = &[
    "Params",
    "Request",
    "Model",
    "ModelParams",
    "ReferenceMediaItem",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Into",
    "From",
];

/// Whether a field name is taken by the generated API.
pub fn is_reserved_field(name: &str) -> bool {
    RESERVED_FIELDS.contains(&name)
}

/// Whether a type name is taken by the generated module.
pub fn is_reserved_type(name: &str) -> bool {
    RESERVED_TYPES.contains(&name)
}

/// The marker type every generated module names its model by (`kling_3_0::Model`): the module
/// already says which model, so the type needs no digits of its own (`Kling3_0` read badly).
pub const MARKER: &str = "Model";

/// Names of `std` types a user is likely to import beside a model's types. A select whose
/// PascalCase name is one of them takes the product's noun in front (`duration` on a video
/// model → `ClipDuration`), so `use kling_3_0::*` never clashes with `std::time::Duration`.
const STD_NAMES: &[&str] = &[
    "Duration",
    "Instant",
    "SystemTime",
    "Path",
    "PathBuf",
    "File",
    "Error",
    "Ordering",
    "Range",
    "Cow",
    "Rc",
    "Arc",
    "Cell",
    "RefCell",
    "Mutex",
    "HashMap",
    "BTreeMap",
    "HashSet",
    "Command",
];

/// The type name of a param's enum or list item: PascalCase of its field, with `noun`
/// (`Clip`, `Image`) in front when that would clash with a `std` name.
pub fn type_name(field: &str, noun: &str) -> Option<String> {
    let name = pascal(field)?;
    Some(if STD_NAMES.contains(&name.as_str()) {
        format!("{noun}{name}")
    } else {
        name
    })
}

/// The prefix a select option that starts with a digit takes, chosen from what the param means
/// (an explicit `variant_prefix` in the spec always wins):
/// - a resolution (`720p`, `1080P`, `4K`) → `Res` (`Res720P`, `Res4K`);
/// - a version (`version`, `model_version`) → `V` (`V6_1`);
/// - seconds (`duration`, `seconds`, `length`) → `Secs` (`Secs10`, never confused with `S3`);
/// - frames (`frames`) → `Frames`;
/// - any other number → `N` (`N0_5`).
pub fn option_prefix<'a>(key: &str, value: &str, explicit: Option<&'a str>) -> &'a str {
    if let Some(p) = explicit {
        return p;
    }
    let digits = value.trim_start_matches(|c: char| c.is_ascii_digit());
    let resolution = digits.len() < value.len() && matches!(digits, "p" | "P" | "k" | "K");
    let key = key.to_ascii_lowercase();
    if resolution {
        "Res"
    } else if key.contains("version") {
        "V"
    } else if ["duration", "second", "length"]
        .iter()
        .any(|w| key.contains(w))
    {
        "Secs"
    } else if key.contains("frames") {
        "Frames"
    } else {
        "N"
    }
}

/// Whether `id` is a model id: lowercase ASCII letters, digits, `-` and `.`, with at least one
/// letter (`kling-3-0`, `4o-image`). The one rule for specs and for ids found on pages.
pub fn is_model_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && id.chars().any(|c| c.is_ascii_lowercase())
}

/// The name of a param's descriptor constant (`param::ASPECT_RATIO`): its field name in upper
/// case (a keyword field's constant, `TYPE`, needs no raw spelling).
pub fn const_name(field: &str) -> String {
    field.to_ascii_uppercase()
}

/// How an identifier is spelled in generated code: raw when it is a keyword (`r#type`).
///
/// Every place a field, setter or function name is written goes through this one function —
/// tokens and paths inside attribute strings (`#[serde(default = "defaults::r#loop")]`) alike —
/// so a keyword key can never produce code that does not compile.
pub fn spelled(name: &str) -> String {
    if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// Whether `name` can be written as a raw identifier (`r#type`) if it is a keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Keywords that cannot be raw identifiers.
pub fn is_unrawable(name: &str) -> bool {
    matches!(name, "self" | "Self" | "super" | "crate" | "_")
}

/// Whether `name` is a plain Rust identifier (ASCII letters, digits, `_`; not starting with a
/// digit), as required of explicit names in specs.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is UpperCamelCase as rustc's `non_camel_case_types` lint wants it.
pub fn is_camel(name: &str) -> bool {
    let cs: Vec<char> = name.chars().collect();
    is_identifier(name)
        && cs[0].is_ascii_uppercase()
        && !name.contains("__")
        && !cs.windows(2).any(|w| {
            (w[0] == '_' && w[1].is_ascii_alphabetic())
                || (w[1] == '_' && w[0].is_ascii_alphabetic())
        })
}

/// Whether `name` is snake_case as rustc's `non_snake_case` lint wants it.
pub fn is_snake(name: &str) -> bool {
    is_identifier(name) && !name.chars().any(|c| c.is_ascii_uppercase())
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: &str) -> String {
        variant(value, "V").unwrap()
    }

    #[test]
    fn variants_read_naturally() {
        assert_eq!(v("16:9"), "R16x9");
        assert_eq!(v("2.35:1"), "R2_35x1");
        assert_eq!(v("8:1"), "R8x1");
        assert_eq!(v("5"), "V5");
        assert_eq!(variant("10", "S").unwrap(), "S10");
        assert_eq!(v("0.5"), "V0_5");
        assert_eq!(v("6.1"), "V6_1");
        assert_eq!(v("-1"), "Neg1");
        assert_eq!(v("std"), "Standard");
        assert_eq!(v("STD"), "Standard");
        assert_eq!(
            v("FIRST_AND_LAST_FRAMES_2_VIDEO"),
            "FirstAndLastFrames2Video"
        );
        assert_eq!(v("mp3_44100_128"), "Mp3_44100_128");
        assert_eq!(v("512P"), "V512P");
        assert_eq!(v("720p"), "V720P");
        assert_eq!(v("1K"), "V1K");
        assert_eq!(v("Auto"), "Auto");
        assert_eq!(v("auto"), "Auto");
        assert_eq!(v("niji7"), "Niji7");
        assert_eq!(v("C#m"), "CSharpM");
        assert_eq!(v("V4_5PLUS"), "V4_5Plus");
        assert_eq!(v("square_hd"), "SquareHd");
        assert_eq!(v("portrait_16_9"), "Portrait16_9");
        assert_eq!(v("TX3LPaxmHKxFdv7VOQHJ"), "TX3LPaxmHKxFdv7VOQHJ");
        assert_eq!(v("über"), "U00fcBer");
        assert_eq!(variant("", "V"), None);
        assert_eq!(variant("::", "V"), None);
    }

    #[test]
    fn variants_satisfy_the_camel_case_lint() {
        for value in [
            "16:9",
            "6.1",
            "mp3_44100_128",
            "V4_5PLUS",
            "C#m",
            "-1",
            "portrait_4_3",
        ] {
            let name = v(value);
            assert!(is_camel(&name), "{value} -> {name}");
        }
    }

    #[test]
    fn option_prefixes_say_what_the_number_means() {
        let name =
            |key: &str, value: &str| variant(value, option_prefix(key, value, None)).unwrap();
        assert_eq!(name("resolution", "720p"), "Res720P");
        assert_eq!(name("quality", "4K"), "Res4K");
        assert_eq!(name("version", "6.1"), "V6_1");
        assert_eq!(name("model_version", "7"), "V7");
        assert_eq!(name("duration", "10"), "Secs10");
        assert_eq!(name("n_frames", "10"), "Frames10");
        assert_eq!(name("stability", "0.5"), "N0_5");
        assert_eq!(name("upload_method", "s3"), "S3");
        assert_eq!(option_prefix("duration", "10", Some("S")), "S");
    }

    #[test]
    fn type_names_never_clash_with_std() {
        assert_eq!(type_name("duration", "Clip").unwrap(), "ClipDuration");
        assert_eq!(type_name("path", "Image").unwrap(), "ImagePath");
        assert_eq!(type_name("aspect_ratio", "Clip").unwrap(), "AspectRatio");
    }

    #[test]
    fn snake_names() {
        assert_eq!(snake("aspectRatio", "param_").unwrap(), "aspect_ratio");
        assert_eq!(snake("aspect_ratio", "param_").unwrap(), "aspect_ratio");
        assert_eq!(snake("waterMark", "param_").unwrap(), "water_mark");
        assert_eq!(snake("HTTPServer", "param_").unwrap(), "http_server");
        assert_eq!(snake("4o-image", "model_").unwrap(), "model_4o_image");
        assert_eq!(snake("kling-3-0", "model_").unwrap(), "kling_3_0");
        assert_eq!(snake("veo3-1-fast", "model_").unwrap(), "veo3_1_fast");
        assert_eq!(pascal("kling-3-0").unwrap(), "Kling3_0");
        assert_eq!(pascal("aspect_ratio").unwrap(), "AspectRatio");
        assert_eq!(pascal("4o-image").unwrap(), "V4OImage");
    }
}
