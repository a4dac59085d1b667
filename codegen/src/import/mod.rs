//! `cargo xtask import`: a model page's text → a draft spec.
//!
//! Everything the page states is recorded; what cannot be placed becomes a warning and a
//! `# TODO` in the YAML, never a silent guess. The page's prose is never copied: descriptions
//! are kept only when they are short labels on an English page, otherwise they are derived from
//! the key and flagged for a maintainer to write.

mod page;
mod yaml;

use serde_json::Value;

use page::{Found, Range, Table};

/// The result of importing one page.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The model id found on the page.
    pub id: String,
    /// The draft spec, YAML.
    pub yaml: String,
    /// What needs a maintainer's eye (also written as `# TODO` lines in the YAML).
    pub warnings: Vec<String>,
    /// Whether the page was cut off before its parameter table or upload limits ended.
    pub partial: bool,
}

/// Why a page could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

/// One parameter as read from the page.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub key: String,
    pub required: bool,
    pub description: String,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Select {
        options: Vec<String>,
        default: Option<String>,
    },
    Number {
        integer: bool,
        range: Range,
        default: Option<f64>,
    },
    Text {
        default: Option<String>,
    },
    List {
        fields: Vec<String>,
    },
}

/// Upload limits for one kind.
#[derive(Debug, Clone)]
pub(crate) struct KindLimit {
    pub kind: String,
    pub max_size_mb: u32,
    pub mime_types: Vec<String>,
}

/// Everything read from a page.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub file: String,
    pub id: String,
    pub display_name: String,
    pub capability: String,
    pub inputs: Vec<String>,
    pub billing: String,
    pub base_credits: u32,
    pub prompt_required: bool,
    pub prompt_max: Option<u32>,
    pub params_required: bool,
    pub params: Vec<Param>,
    pub upload: Option<(u32, Vec<KindLimit>)>,
    pub language: String,
    pub url: String,
    pub reviewed: String,
    pub partial: bool,
    pub minimal: Option<String>,
    pub reference: Option<String>,
    pub warnings: Vec<String>,
    /// Explicit Rust names for keys that need one.
    pub rust_names: Vec<(String, String)>,
}

/// Imports one page. `file_name` (`kling-3-0.id.txt`) gives the rendering's language;
/// `reviewed` is the review date written into the draft.
pub fn import_page(text: &str, file_name: &str, reviewed: &str) -> Result<Imported, ImportError> {
    let draft = read(text, file_name, reviewed)?;
    let yaml = yaml::write(&draft);
    Ok(Imported {
        id: draft.id,
        yaml,
        warnings: draft.warnings,
        partial: draft.partial,
    })
}

fn read(text: &str, file_name: &str, reviewed: &str) -> Result<Draft, ImportError> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut warnings = Vec::new();
    let nonempty: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].trim().is_empty())
        .collect();
    let trimmed = |i: usize| lines[i].trim();

    // Inputs, and the id just before them.
    let inputs_at = nonempty
        .iter()
        .position(|&i| page::parse_inputs(trimmed(i)).is_some())
        .ok_or_else(|| {
            ImportError("no inputs line (`text`, `text, file`): is this a model page?".into())
        })?;
    let inputs: Vec<String> = page::parse_inputs(trimmed(nonempty[inputs_at]))
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let id = nonempty[..inputs_at]
        .iter()
        .rev()
        .map(|&i| trimmed(i))
        .find(|l| page::is_id(l))
        .ok_or_else(|| ImportError("no model id before the inputs line".into()))?
        .to_owned();

    // Billing, credits before it, capability between them, prompt limit after.
    let billing_at = nonempty[inputs_at..]
        .iter()
        .position(|&i| matches!(trimmed(i), "FIXED" | "METERED" | "TOKEN_BASED"))
        .map(|p| p + inputs_at)
        .ok_or_else(|| ImportError("no billing line (FIXED, METERED, TOKEN_BASED)".into()))?;
    let billing = trimmed(nonempty[billing_at]).to_ascii_lowercase();
    let credits_at = (inputs_at..billing_at)
        .rev()
        .find(|&k| trimmed(nonempty[k]).chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| ImportError("no base credits before the billing line".into()))?;
    let base_credits: u32 = trimmed(nonempty[credits_at])
        .parse()
        .map_err(|_| ImportError("base credits are not a whole number".into()))?;
    let between: Vec<&str> = (credits_at + 1..billing_at)
        .map(|k| trimmed(nonempty[k]))
        .collect();
    let capability_word = match between.len() {
        1 => between[0],
        n if n >= 2 => between[1],
        _ => "",
    };
    let capability = match capability(capability_word) {
        Some(c) => c.to_owned(),
        None => {
            warnings.push(format!(
                "capability `{capability_word}` is not a known translation of image/video/audio; set `capability`"
            ));
            "image".to_owned()
        }
    };

    let tables = page::tables(&lines);
    let contract_pos = tables
        .iter()
        .position(|t| first_key(t).is_some_and(|k| k == "model"));
    let contract_line = contract_pos.map_or(lines.len(), |p| tables[p].line);
    let prompt_max = nonempty[billing_at + 1..]
        .iter()
        .take_while(|&&i| i < contract_line)
        .take(3)
        .find_map(|&i| page::leading_number(trimmed(i)).filter(|(n, _)| *n > 0.0))
        .map(|(n, _)| n as u32);

    // The request contract: learn this page's yes/no words from `model` and
    // `client_request_id`, then read `prompt`, `params` and structured params.
    let contract = contract_pos.map(|p| &tables[p]).ok_or_else(|| {
        ImportError("no request-contract table (rows model, prompt, params)".into())
    })?;
    let rows = contract_rows(contract, &id);
    let yes = rows
        .iter()
        .find(|r| r.key == "model")
        .map(|r| r.required.clone())
        .unwrap_or_else(|| "Yes".to_owned());
    let no = rows
        .iter()
        .find(|r| r.key == "client_request_id")
        .map(|r| r.required.clone())
        .unwrap_or_else(|| "No".to_owned());
    let english = yes == "Yes";
    let required = |word: &str| word == yes;
    let prompt_required = rows
        .iter()
        .find(|r| r.key == "prompt")
        .is_none_or(|r| required(&r.required));
    let params_required = rows
        .iter()
        .find(|r| r.key == "params")
        .is_some_and(|r| required(&r.required));

    // JSON examples: the minimal request, the reference request.
    let objects = page::json_objects(text);
    let requests: Vec<&(Value, String)> = objects
        .iter()
        .filter(|(v, _)| v.get("model").is_some() && v.get("status").is_none())
        .collect();
    let has_refs = |v: &Value| v["params"].get("referenceMediaItems").is_some();
    let minimal = requests
        .iter()
        .find(|(v, _)| !has_refs(v))
        .map(|(_, t)| t.clone());
    let reference = requests
        .iter()
        .find(|(v, _)| has_refs(v))
        .map(|(_, t)| t.clone());
    let minimal_value = requests
        .iter()
        .find(|(v, _)| !has_refs(v))
        .map(|(v, _)| v.clone());

    // Parameters.
    let mut partial = false;
    let mut params = Vec::new();
    let params_table = contract_pos.and_then(|p| {
        tables[p + 1..].iter().find(|t| {
            !t.header
                .trim_start_matches('|')
                .trim_start()
                .starts_with("kind")
        })
    });
    match params_table {
        Some(t) => {
            if t.at_end {
                partial = true;
                warnings.push("the page ends inside the parameter table: it may be cut off; the spec is marked partial".into());
            }
            for (n, row) in param_rows(t, &yes, &no).into_iter().enumerate() {
                match row {
                    Ok(p) => params.push(p),
                    Err(e) => warnings.push(format!("parameter row {}: {e}; not imported", n + 1)),
                }
            }
        }
        None => warnings.push(
            "no parameter table; the model documents no params, or the page is cut off".into(),
        ),
    }
    for row in rows.iter().filter(|r| r.key.starts_with("params.")) {
        let key = row.key.trim_start_matches("params.").to_owned();
        if row.kind != "array" {
            warnings.push(format!(
                "structured param `{key}` of type `{}` is not supported; add it by hand",
                row.kind
            ));
            continue;
        }
        let fields: Vec<String> = minimal_value
            .as_ref()
            .and_then(|v| v["params"][key.as_str()][0].as_object().cloned())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        if fields.is_empty() {
            warnings.push(format!(
                "the fields of list `{key}` are not shown in an example; list them by hand"
            ));
        }
        params.push(Param {
            key: key.clone(),
            required: required(&row.required),
            description: row.description.clone(),
            kind: Kind::List { fields },
        });
    }
    for p in &mut params {
        p.description = describe(&p.key, &p.description, english, &mut warnings);
    }
    let rust_names = reserved_names(&params, &mut warnings);

    // Upload policy.
    let upload = if inputs.iter().any(|i| i == "file") {
        Some(upload(
            &lines,
            &nonempty,
            &tables,
            contract_pos.unwrap_or(0),
            &mut partial,
            &mut warnings,
        ))
    } else {
        None
    };
    if minimal.is_none() {
        warnings.push(
            "no complete minimal request on the page (cut off?); examples.minimal is left out"
                .into(),
        );
    }

    let language = file_name
        .strip_suffix(".txt")
        .and_then(|s| s.rsplit_once('.'))
        .map_or("en", |(_, l)| l)
        .to_owned();
    let url = if language == "en" {
        format!("https://rivya.ai/docs/api/models/{id}")
    } else {
        format!("https://rivya.ai/{language}/docs/api/models/{id}")
    };
    let display_name = display_name(&lines, &id).unwrap_or_else(|| {
        warnings.push("display name not found; set `display_name`".into());
        id.clone()
    });
    Ok(Draft {
        file: file_name.to_owned(),
        id,
        display_name,
        capability,
        inputs,
        billing,
        base_credits,
        prompt_required,
        prompt_max,
        params_required,
        params,
        upload,
        language,
        url,
        reviewed: reviewed.to_owned(),
        partial,
        minimal,
        reference,
        warnings,
        rust_names,
    })
}

/// Keys whose Rust names the generated API already uses (`model` → the `Model` trait) get an
/// explicit `rust_name`.
fn reserved_names(params: &[Param], warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in params {
        let Some(field) = crate::naming::snake(&p.key, "param_") else {
            continue;
        };
        if crate::check::is_reserved_field(&field)
            || crate::check::is_reserved_type(&crate::naming::pascal(&field).unwrap_or_default())
        {
            let name = format!("{field}_param");
            warnings.push(format!(
                "`{}` is named `{name}` in Rust (its own name is taken by the generated API)",
                p.key
            ));
            out.push((p.key.clone(), name));
        }
    }
    out
}

/// Capability words of the renderings seen so far; the page translates this value.
fn capability(word: &str) -> Option<&'static str> {
    let w = word.trim().to_lowercase();
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
    if IMAGE.contains(&w.as_str()) {
        Some("image")
    } else if VIDEO.contains(&w.as_str()) {
        Some("video")
    } else if AUDIO.contains(&w.as_str()) {
        Some("audio")
    } else {
        None
    }
}

/// The display name: the longest run of words shared by the title and the line that
/// introduces the model ("Use Kling 3.0 through Rivya Public API v1 …", in any language).
fn display_name(lines: &[&str], id: &str) -> Option<String> {
    let intro = lines
        .iter()
        .position(|l| l.contains("Rivya Public API v1"))?;
    let title = lines[..intro]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())?
        .trim();
    let desc = lines[intro];
    let words: Vec<&str> = title.split_whitespace().collect();
    let mut best: Option<String> = None;
    for i in 0..words.len() {
        for j in (i + 1..=words.len()).rev() {
            let run = words[i..j].join(" ");
            let generic = matches!(run.as_str(), "API" | "Rivya" | "v1");
            if !generic && desc.contains(&run) && run != id {
                if best.as_ref().is_none_or(|b| run.len() > b.len()) {
                    best = Some(run);
                }
                break;
            }
        }
    }
    best
}

/// A row of the request-contract table.
struct ContractRow {
    key: String,
    kind: String,
    required: String,
    description: String,
}

fn first_key(t: &Found) -> Option<String> {
    match &t.table {
        Table::Cells(rows) => rows.first().and_then(|r| r.first().cloned()),
        Table::Glued(rows) => rows.first().map(|r| {
            ["model", "prompt"]
                .iter()
                .find(|k| r.starts_with(*k))
                .map_or_else(String::new, |k| (*k).to_owned())
        }),
    }
}

fn contract_rows(t: &Found, id: &str) -> Vec<ContractRow> {
    const KEYS: &[&str] = &["client_request_id", "params.", "params", "prompt", "model"];
    let mut out = Vec::new();
    match &t.table {
        Table::Cells(rows) => {
            for r in rows.iter().filter(|r| r.len() >= 5) {
                out.push(ContractRow {
                    key: r[0].clone(),
                    kind: r[1].clone(),
                    required: r[2].clone(),
                    description: r[4].clone(),
                });
            }
        }
        Table::Glued(rows) => {
            for r in rows {
                let Some(prefix) = KEYS.iter().find(|k| r.starts_with(*k)) else {
                    continue;
                };
                let (key, rest) = if *prefix == "params." {
                    // `params.dialoguearrayYes-…`: the key runs until a type word.
                    let Some((k, _)) = split_at_type(r) else {
                        continue;
                    };
                    (k.to_owned(), &r[k.len()..])
                } else {
                    ((*prefix).to_owned(), &r[prefix.len()..])
                };
                let Some(kind) = ["string", "object", "array"]
                    .iter()
                    .find(|t| rest.starts_with(*t))
                else {
                    continue;
                };
                let rest = &rest[kind.len()..];
                // The required word runs to the default: the id for `model`, else `-`.
                let stop = if key == "model" {
                    rest.find(id)
                } else {
                    rest.find('-')
                };
                let Some(stop) = stop else { continue };
                let after = &rest[stop..];
                let description = after
                    .strip_prefix(if key == "model" { id } else { "-" })
                    .unwrap_or(after);
                out.push(ContractRow {
                    key,
                    kind: (*kind).to_owned(),
                    required: rest[..stop].to_owned(),
                    description: description.to_owned(),
                });
            }
        }
    }
    out
}

/// `(key, rest)` where `rest` starts with a type word.
fn split_at_type(row: &str) -> Option<(&str, &str)> {
    for (i, _) in row.char_indices().skip(1) {
        if TYPE_FOLLOWS.iter().any(|t| row[i..].starts_with(t)) {
            let key = &row[..i];
            if key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            {
                return Some((key, &row[i..]));
            }
        }
    }
    None
}

const TYPE_FOLLOWS: &[&str] = page::TYPE_WORDS;

fn param_rows(t: &Found, yes: &str, no: &str) -> Vec<Result<Param, String>> {
    match &t.table {
        Table::Cells(rows) => rows
            .iter()
            .map(|r| {
                if r.len() < 7 {
                    return Err(format!(
                        "`{}` has {} of 7 cells (cut off?)",
                        r.first().cloned().unwrap_or_default(),
                        r.len()
                    ));
                }
                let req = r[2] == yes;
                build_param(&r[0], &r[1], req, &r[3], &r[4], &r[5], &r[6])
            })
            .collect(),
        Table::Glued(rows) => rows.iter().map(|r| glued_param(r, yes, no)).collect(),
    }
}

/// Splits a flattened parameter row: key, type word, required word, then default, range,
/// options and description run together and are taken apart by their shapes.
fn glued_param(row: &str, yes: &str, no: &str) -> Result<Param, String> {
    let mut words = [yes, no];
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut found = None;
    for (i, _) in row.char_indices().skip(1) {
        let Some(ty) = page::TYPE_WORDS.iter().find(|t| row[i..].starts_with(*t)) else {
            continue;
        };
        let after = &row[i + ty.len()..];
        if let Some(w) = words.iter().find(|w| after.starts_with(*w)) {
            found = Some((&row[..i], *ty, *w == yes, &after[w.len()..]));
            break;
        }
    }
    let (key, ty, required, rest) =
        found.ok_or_else(|| format!("cannot split `{row}` into key, type and required"))?;
    match ty {
        "select" => {
            let (default, body) = if let Some(b) = rest.strip_prefix("--") {
                (None, b.to_owned())
            } else {
                let mut chosen = None;
                for (j, _) in rest.match_indices('-') {
                    let default = &rest[..j];
                    let body = &rest[j + 1..];
                    if let Some((options, _)) = page::split_options(body)
                        && options.iter().any(|o| o == default)
                    {
                        chosen = Some((Some(default.to_owned()), body.to_owned()));
                        break;
                    }
                }
                chosen.ok_or_else(|| format!("`{key}`: the default is not among the options"))?
            };
            let (options, description) =
                page::split_options(&body).ok_or_else(|| format!("`{key}`: no options"))?;
            Ok(Param {
                key: key.to_owned(),
                required,
                description,
                kind: Kind::Select { options, default },
            })
        }
        "number" => {
            let (default, rest) = match page::leading_number(rest) {
                Some((n, r))
                    if r.starts_with("min")
                        || r.starts_with("max")
                        || r.starts_with("step")
                        || r.starts_with('-') =>
                {
                    (Some(n), r)
                }
                _ => (None, rest.strip_prefix('-').unwrap_or(rest)),
            };
            let (range, rest) = match page::leading_range(rest) {
                Some((r, rest)) => (r, rest),
                None => (Range::default(), rest.strip_prefix('-').unwrap_or(rest)),
            };
            let description = rest.strip_prefix('-').unwrap_or(rest).to_owned();
            Ok(number_param(key, required, default, range, description))
        }
        "text" | "string" => {
            let (default, description) = match rest.strip_prefix("---") {
                Some(d) => (None, d.to_owned()),
                None => match rest.split_once("--") {
                    Some((d, desc)) => (Some(d.to_owned()), desc.to_owned()),
                    None => return Err(format!("`{key}`: cannot find the end of the default")),
                },
            };
            Ok(Param {
                key: key.to_owned(),
                required,
                description,
                kind: Kind::Text { default },
            })
        }
        other => Err(format!(
            "`{key}` has type `{other}`, which parameter tables do not use"
        )),
    }
}

fn build_param(
    key: &str,
    ty: &str,
    required: bool,
    default: &str,
    range: &str,
    options: &str,
    description: &str,
) -> Result<Param, String> {
    let default = (default != "-" && !default.is_empty()).then(|| default.to_owned());
    match ty {
        "select" => {
            let options: Vec<String> = options
                .split(',')
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            if options.is_empty() {
                return Err(format!("`{key}`: a select without options"));
            }
            Ok(Param {
                key: key.to_owned(),
                required,
                description: description.to_owned(),
                kind: Kind::Select { options, default },
            })
        }
        "number" => {
            let range = if range == "-" {
                Range::default()
            } else {
                page::leading_range(range)
                    .map(|(r, _)| r)
                    .ok_or_else(|| format!("`{key}`: unreadable range `{range}`"))?
            };
            let default = match default {
                Some(d) => Some(
                    page::leading_number(&d)
                        .map(|(n, _)| n)
                        .ok_or_else(|| format!("`{key}`: default `{d}` is not a number"))?,
                ),
                None => None,
            };
            Ok(number_param(
                key,
                required,
                default,
                range,
                description.to_owned(),
            ))
        }
        "text" | "string" => Ok(Param {
            key: key.to_owned(),
            required,
            description: description.to_owned(),
            kind: Kind::Text { default },
        }),
        other => Err(format!(
            "`{key}` has type `{other}`, which parameter tables do not use"
        )),
    }
}

/// Pages write "number" for both; whole bounds with step 1, or a count-like key, read as
/// integers. The reading is flagged when the page gives no step.
fn number_param(
    key: &str,
    required: bool,
    default: Option<f64>,
    range: Range,
    description: String,
) -> Param {
    let values = [range.min, range.max, range.step, default];
    let whole = values.iter().flatten().all(|v| v.fract() == 0.0);
    let countlike = [
        "seed", "duration", "count", "steps", "images", "frames", "num",
    ]
    .iter()
    .any(|w| key.to_ascii_lowercase().contains(w));
    let wide = matches!((range.min, range.max), (Some(lo), Some(hi)) if hi - lo > 1.0);
    let integer = whole && (range.step == Some(1.0) || countlike || wide);
    Param {
        key: key.to_owned(),
        required,
        description,
        kind: Kind::Number {
            integer,
            range,
            default,
        },
    }
}

/// The page's description when it is a short English label; otherwise one derived from the
/// key (the page's prose is not copied) and a warning.
fn describe(key: &str, page: &str, english: bool, warnings: &mut Vec<String>) -> String {
    let page = page.trim();
    let words = page.split_whitespace().count();
    let label = english
        && (1..=6).contains(&words)
        && !page.trim_end_matches('.').contains(['.', ',', ';']);
    if label {
        return page.to_owned();
    }
    if !page.is_empty() {
        warnings.push(format!(
            "describe `{key}` in your own words (the page's text is not copied)"
        ));
    }
    humanize(key)
}

/// `aspectRatio` → `Aspect ratio`, `n_frames` → `N frames`.
fn humanize(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut s = words.join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_ascii_uppercase() + &s[1..];
    }
    s
}

/// The upload section: max files (the number before the kinds line), kinds, and the limits
/// table; cut-off pages fall back to the Files API defaults and are marked partial.
fn upload(
    lines: &[&str],
    nonempty: &[usize],
    tables: &[Found],
    contract_pos: usize,
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> (u32, Vec<KindLimit>) {
    let after = tables.get(contract_pos + 1).map_or(0, |t| t.end);
    let kinds_at = nonempty
        .iter()
        .position(|&i| i >= after && page::parse_kinds(lines[i].trim()).is_some());
    let Some(kinds_at) = kinds_at else {
        *partial = true;
        warnings.push("the upload section is cut off: max files and kinds unknown; assumed 1 image with the Files API defaults".into());
        return (1, vec![default_limit("image")]);
    };
    let kinds: Vec<String> = page::parse_kinds(lines[nonempty[kinds_at]].trim())
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let max_files = nonempty[..kinds_at]
        .iter()
        .rev()
        .take(3)
        .find_map(|&i| lines[i].trim().parse::<u32>().ok())
        .unwrap_or_else(|| {
            warnings.push("max files not found before the kinds line; assumed 1".into());
            1
        });
    let limits_table = tables.iter().find(|t| {
        t.line > nonempty[kinds_at]
            && t.header
                .trim_start_matches('|')
                .trim_start()
                .starts_with("kind")
    });
    let mut limits = Vec::new();
    if let Some(t) = limits_table {
        let rows: Vec<(String, String, String)> = match &t.table {
            Table::Cells(rows) => rows
                .iter()
                .filter(|r| r.len() >= 3)
                .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
                .collect(),
            Table::Glued(rows) => rows.iter().filter_map(|r| glued_limit(r)).collect(),
        };
        for (kind, size, mimes) in rows {
            let mb = page::leading_number(size.trim()).map(|(n, _)| n as u32);
            match mb {
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
    }
    for k in &kinds {
        if !limits.iter().any(|l| &l.kind == k) {
            *partial = true;
            warnings.push(format!("no size/MIME limits for {k} on the page (cut off?): the Files API defaults are used"));
            limits.push(default_limit(k));
        }
    }
    limits.retain(|l| kinds.contains(&l.kind));
    (max_files, limits)
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

fn default_limit(kind: &str) -> KindLimit {
    let (mb, mimes): (u32, &[&str]) = match kind {
        "video" => (50, &["video/mp4", "video/quicktime", "video/webm"]),
        "audio" => (
            10,
            &[
                "audio/mpeg",
                "audio/mp4",
                "audio/wav",
                "audio/x-wav",
                "audio/aac",
                "audio/ogg",
            ],
        ),
        _ => (10, &["image/jpeg", "image/png", "image/webp"]),
    };
    KindLimit {
        kind: kind.to_owned(),
        max_size_mb: mb,
        mime_types: mimes.iter().map(|m| (*m).to_owned()).collect(),
    }
}
