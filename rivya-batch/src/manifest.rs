//! The manifest: one JSON item per line (`{key, model, prompt, params, refs}`, or a chat
//! turn's `{key, model, message, session_id, enable_web_search, reasoning_effort, refs}`), read as a
//! stream and checked up front with the generated rules. Every problem of every line is
//! collected — with its line number and path — before anything is paid.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use rivya_models::{Billing, ModelInfo, catalog};
use serde_json::{Map, Value, json};

use crate::keys;

/// One item of a batch, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The manifest line (1-based).
    pub line: usize,
    /// Unique within the batch; given, or a hash of the item.
    pub key: String,
    /// The model id.
    pub model: String,
    /// The request without uploaded references: `{model, prompt, params}`.
    pub request: Value,
    /// Reference files to upload (resolved against the manifest's folder).
    pub refs: Vec<PathBuf>,
    /// The credits to reserve for the item before creating it.
    pub price: f64,
}

/// One problem of a manifest line.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The line (1-based).
    pub line: usize,
    /// Where in the item (`params.duration`, `refs[1]`, `key`); empty for the whole line.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message can quote a huge line: show its start.
        let message: String = self.message.chars().take(MAX_MESSAGE_CHARS).collect();
        let cut = if message.len() < self.message.len() {
            " …"
        } else {
            ""
        };
        match (self.line, self.path.is_empty()) {
            (0, _) => write!(f, "{message}{cut}"),
            (n, true) => write!(f, "line {n}: {message}{cut}"),
            (n, false) => write!(f, "line {n}: {}: {message}{cut}", self.path),
        }
    }
}

/// Problems listed by the error's `Display`; the rest are counted (all stay in `problems`).
const MAX_PROBLEMS_SHOWN: usize = 20;
/// Characters of one problem's message shown.
const MAX_MESSAGE_CHARS: usize = 300;

/// How items are priced.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pricing {
    /// Credits to reserve for each item of a METERED model (whose charge depends on the
    /// output). Without it, METERED items are refused: their cost has no upper bound.
    pub metered_allowance: Option<f64>,
}

/// A checked manifest: its items in order and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The items, in manifest order.
    pub items: Vec<Item>,
    /// SHA-256 of the manifest's bytes, so a ledger can tell its own manifest from another.
    pub sha256: String,
}

/// The manifest has problems; nothing was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestError {
    /// Every problem found, in line order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "the manifest has {n} problem{}; nothing was sent",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.problems.iter().take(MAX_PROBLEMS_SHOWN) {
            write!(f, "\n  {p}")?;
        }
        if n > MAX_PROBLEMS_SHOWN {
            write!(
                f,
                "\n  … and {} more (the first {MAX_PROBLEMS_SHOWN} are shown)",
                n - MAX_PROBLEMS_SHOWN
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestError {}

/// Reads and checks a manifest file; reference paths are relative to its folder.
pub fn load(path: &Path, pricing: Pricing) -> Result<Manifest, ManifestError> {
    // A directory, FIFO, socket or device is refused here, with what it is (a FIFO would
    // block the read forever; a directory would fail as if line 1 were bad).
    let file = rivya_runtime::open_regular(path).map_err(|e| ManifestError {
        problems: vec![Problem {
            line: 0,
            path: String::new(),
            message: format!("cannot open {}: {e}", path.display()),
        }],
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    read(std::io::BufReader::new(file), base, pricing)
}

/// Reads and checks a manifest line by line from any reader.
pub fn read(
    reader: impl BufRead,
    base: &Path,
    pricing: Pricing,
) -> Result<Manifest, ManifestError> {
    let mut hasher = HashingReader::new(reader);
    let mut checker = Checker {
        base,
        pricing,
        items: Vec::new(),
        problems: Vec::new(),
        seen: HashMap::new(),
        ref_cache: HashMap::new(),
    };
    let mut buf = String::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        line_no += 1;
        match hasher.read_line(&mut buf) {
            Ok(0) => break,
            Ok(_) => {
                // A UTF-8 byte order mark (editors on Windows add one) is not part of line 1.
                let text = match buf.strip_prefix('\u{feff}') {
                    Some(rest) if line_no == 1 => rest,
                    _ => &buf,
                };
                if text.starts_with('\u{feff}') {
                    let msg = "a UTF-8 byte order mark (U+FEFF) inside the manifest: save it \
                               as plain UTF-8"
                        .to_owned();
                    checker.problem(line_no, "", msg);
                } else {
                    checker.line(line_no, text.trim());
                }
            }
            Err(e) => {
                checker.problem(line_no, "", format!("cannot read the line: {e}"));
                break;
            }
        }
    }
    if checker.items.is_empty() && checker.problems.is_empty() {
        checker.problem(0, "", "the manifest holds no items".to_owned());
    }
    if checker.problems.is_empty() {
        Ok(Manifest {
            items: checker.items,
            sha256: hasher.finish(),
        })
    } else {
        Err(ManifestError {
            problems: checker.problems,
        })
    }
}

struct Checker<'a> {
    base: &'a Path,
    pricing: Pricing,
    items: Vec<Item>,
    problems: Vec<Problem>,
    /// Item keys seen so far, with their lines.
    seen: HashMap<String, usize>,
    /// Reference files already inspected: their kind and MIME type, or why they are unusable.
    ref_cache: HashMap<PathBuf, Result<RefFile, String>>,
}

#[derive(Debug, Clone)]
struct RefFile {
    head: Vec<u8>,
    size: u64,
}

const FIELDS: &[&str] = &[
    "key",
    "model",
    "prompt",
    "params",
    "refs",
    "message",
    "session_id",
    "enable_web_search",
    "reasoning_effort",
];

/// The fields that go into the request body: a generation's, or a chat turn's (whose `refs`
/// become `attachments`). The model's rules refuse the other kind's fields by path.
const REQUEST_FIELDS: &[&str] = &[
    "model",
    "prompt",
    "params",
    "message",
    "session_id",
    "enable_web_search",
    "reasoning_effort",
];

impl Checker<'_> {
    fn problem(&mut self, line: usize, path: &str, message: String) {
        self.problems.push(Problem {
            line,
            path: path.to_owned(),
            message,
        });
    }

    fn line(&mut self, line: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.problem(line, "", format!("not valid JSON: {e}")),
        };
        let Value::Object(obj) = value else {
            return self.problem(line, "", "an item must be a JSON object".to_owned());
        };
        let before = self.problems.len();
        for k in obj.keys() {
            if !FIELDS.contains(&k.as_str()) {
                self.problem(
                    line,
                    k,
                    format!("unknown field; an item has {}", FIELDS.join(", ")),
                );
            }
        }
        let refs = self.refs(line, obj.get("refs"));
        let mut request = Map::new();
        for &k in REQUEST_FIELDS {
            if let Some(v) = obj.get(k) {
                request.insert(k.to_owned(), v.clone());
            }
        }
        let request = Value::Object(request);
        let info = self.validate(line, &request, &refs);
        let key = self.key(line, &obj, &request, &refs);
        let price = info.and_then(|info| self.price(line, info, &request, refs.len()));
        if self.problems.len() != before {
            return;
        }
        if let (Some(info), Some(key), Some(price)) = (info, key, price) {
            self.items.push(Item {
                line,
                key,
                model: info.id.to_owned(),
                request,
                refs: refs.into_iter().map(|(_, p)| p).collect(),
                price,
            });
        }
    }

    /// The `refs` field: a list of file paths, each of which must exist and be readable.
    fn refs(&mut self, line: usize, value: Option<&Value>) -> Vec<(String, PathBuf)> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(list) = value.as_array() else {
            self.problem(line, "refs", "expected a list of file paths".to_owned());
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, r) in list.iter().enumerate() {
            let at = format!("refs[{i}]");
            let Some(s) = r.as_str().map(|s| s.strip_prefix('@').unwrap_or(s)) else {
                self.problem(line, &at, "expected a file path (a string)".to_owned());
                continue;
            };
            let path = self.base.join(s);
            if let Err(e) = self.inspect(&path) {
                self.problem(line, &at, e);
                continue;
            }
            out.push((s.to_owned(), path));
        }
        out
    }

    /// Reads a reference file's head and size once, however many items use it.
    fn inspect(&mut self, path: &Path) -> Result<RefFile, String> {
        if let Some(r) = self.ref_cache.get(path) {
            return r.clone();
        }
        let r = rivya_runtime::read_head(path)
            .map(|(head, size)| RefFile { head, size })
            .map_err(|e| format!("cannot read {}: {e}", path.display()));
        self.ref_cache.insert(path.to_owned(), r.clone());
        r
    }

    /// Validates the request with the generated rules, the references standing in as items
    /// of `params.referenceMediaItems` (with a placeholder URL until they are uploaded).
    fn validate(
        &mut self,
        line: usize,
        request: &Value,
        refs: &[(String, PathBuf)],
    ) -> Option<&'static ModelInfo> {
        let info = request
            .get("model")
            .and_then(Value::as_str)
            .and_then(catalog::find);
        let mut body = request.clone();
        if !refs.is_empty()
            && let Some(info) = info
            && info.is_chat()
        {
            // Images to attach: checked now, sent by file id once uploaded.
            let mut items = Vec::new();
            for (i, (_, path)) in refs.iter().enumerate() {
                let Ok(file) = self.inspect(path) else {
                    continue;
                };
                match rivya_models::files::check(&file.head, file.size, None, Some(info)) {
                    Ok(_) => items.push(json!({"file_id": "pending-upload"})),
                    Err(reason) => self.problem(line, &format!("refs[{i}]"), reason.to_string()),
                }
            }
            body["attachments"] = Value::Array(items);
        } else if !refs.is_empty()
            && let Some(info) = info
        {
            let mut items = match body.pointer("/params/referenceMediaItems") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            for (i, (name, path)) in refs.iter().enumerate() {
                let Ok(file) = self.inspect(path) else {
                    continue;
                };
                match rivya_models::files::check(&file.head, file.size, None, Some(info)) {
                    Ok(c) => items.push(placeholder(name, c)),
                    Err(reason) => self.problem(line, &format!("refs[{i}]"), reason.to_string()),
                }
            }
            if let Some(obj) = body.as_object_mut() {
                let params = obj.entry("params").or_insert_with(|| json!({}));
                if let Some(p) = params.as_object_mut() {
                    p.insert("referenceMediaItems".to_owned(), Value::Array(items));
                }
            }
        }
        match catalog::validate_value(&body) {
            Ok(info) => Some(info),
            Err(e) => {
                for v in e.violations {
                    let message = v.to_string();
                    let message = message
                        .strip_prefix(&format!("{}: ", v.path))
                        .unwrap_or(&message);
                    self.problem(line, &v.path, message.to_owned());
                }
                None
            }
        }
    }

    fn key(
        &mut self,
        line: usize,
        obj: &Map<String, Value>,
        request: &Value,
        refs: &[(String, PathBuf)],
    ) -> Option<String> {
        let key = match obj.get("key") {
            None => {
                let names: Vec<&str> = refs.iter().map(|(n, _)| n.as_str()).collect();
                keys::default_item_key(&json!({"request": request, "refs": names}))
            }
            Some(Value::String(k)) if !k.trim().is_empty() && k.len() <= 200 => k.clone(),
            Some(Value::String(_)) => {
                self.problem(line, "key", "must be 1 to 200 characters, not blank".into());
                return None;
            }
            Some(_) => {
                self.problem(line, "key", "expected a string".to_owned());
                return None;
            }
        };
        if let Some(first) = self.seen.get(&key) {
            let first = *first;
            let what = if obj.contains_key("key") {
                format!("duplicate key `{key}` (first used on line {first})")
            } else {
                format!("the same item as line {first} (both have no key; give them keys)")
            };
            self.problem(line, "key", what);
            return None;
        }
        self.seen.insert(key.clone(), line);
        Some(key)
    }

    fn price(
        &mut self,
        line: usize,
        info: &ModelInfo,
        request: &Value,
        attachments: usize,
    ) -> Option<f64> {
        let base = f64::from(info.base_credits);
        match info.billing {
            Billing::Fixed => Some(base),
            // A chat turn reserves by its message (the workspace's token rule): that is its
            // most, and what the budget counts.
            Billing::TokenBased if info.is_chat() => {
                let mut body = request.as_object().cloned().unwrap_or_default();
                let pending = vec![json!({"file_id": "pending-upload"}); attachments];
                body.insert("attachments".into(), Value::Array(pending));
                Some(rivya_models::price::quote(info, &body).reserved() as f64)
            }
            // Metered, token-based and any billing added later: the cost depends on the output.
            _ => match self.pricing.metered_allowance {
                Some(a) if a >= base => Some(a),
                Some(a) => {
                    self.problem(
                        line,
                        "model",
                        format!(
                            "`{}` starts at {base} credits, above the metered allowance of {a}",
                            info.id
                        ),
                    );
                    None
                }
                None => {
                    self.problem(
                        line,
                        "model",
                        format!(
                            "`{}` is billed {} (its cost depends on the output): give an explicit per-item allowance (--metered-allowance CREDITS)",
                            info.id,
                            info.billing.as_str()
                        ),
                    );
                    None
                }
            },
        }
    }
}

/// A stand-in reference item for validation: the checked kind and MIME type, a URL that
/// passes the URL rule, and a duration token for video and audio (the upload will supply it).
fn placeholder(name: &str, c: rivya_models::files::Checked) -> Value {
    let mut item = json!({
        "url": "https://upload.pending/ref",
        "kind": c.kind.as_str(),
        "name": name,
        "mimeType": c.mime,
    });
    if c.kind.has_duration() {
        item["durationToken"] = json!("pending-upload");
    }
    item
}

/// Hashes every byte read through it.
struct HashingReader<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: BufRead> HashingReader<R> {
    fn new(inner: R) -> Self {
        use sha2::Digest;
        Self {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    fn read_line(&mut self, buf: &mut String) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read_line(buf)?;
        self.hasher.update(buf.as_bytes());
        Ok(n)
    }

    fn finish(self) -> String {
        use sha2::Digest;
        rivya_rules::stamp::hex(&self.hasher.finalize())
    }
}
