//! `cargo xtask import`: a model page's text → a draft spec.
//!
//! Everything the page states is recorded; what cannot be placed becomes a warning and a
//! `# TODO` in the YAML, never a silent guess. The page's prose is never copied: descriptions
//! are kept only when they are short labels on an English page, otherwise they are derived from
//! the key and flagged for a maintainer to write.

mod chat;
mod contract;
mod header;
mod page;
mod params;
mod upload;
mod words;
mod yaml;

use serde_json::Value;

use page::Range;

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

impl Imported {
    /// The draft once a maintainer has looked at each `# TODO` (the markers removed): what
    /// `cargo xtask gen` will judge when they are resolved.
    pub fn without_todos(&self) -> String {
        self.yaml
            .lines()
            .filter(|l| !l.starts_with("# TODO"))
            .flat_map(|l| [l, "\n"])
            .collect()
    }
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
    /// A public URL, on a page whose inputs name `url`.
    Url,
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
    /// `image`, `video`, `audio`, or `TODO` (which fails the spec check until resolved).
    pub capability: String,
    pub inputs: Vec<String>,
    pub billing: String,
    pub base_credits: u32,
    pub prompt_required: bool,
    pub prompt_max: Option<u32>,
    pub params_required: bool,
    pub params: Vec<Param>,
    pub upload: Option<upload::Upload>,
    /// A chat page's take on the shared chat fields; `None` for a generation page.
    pub chat: Option<chat::ChatDraft>,
    pub language: String,
    pub url: String,
    pub reviewed: String,
    pub partial: bool,
    /// Facts the importer states about the draft itself (why it is partial …).
    pub notes: Vec<String>,
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
    let owned = page::normalize(text);
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let mut warnings = Vec::new();
    let tables = page::tables(&lines);
    let contract_at = contract::find(&tables);
    let chat_at = contract_at.is_none().then(|| chat::find(&tables)).flatten();
    let contract_line = contract_at
        .or(chat_at)
        .map_or(lines.len(), |p| tables[p].line);
    let head = header::read(&lines, contract_line)?;
    if let Some(at) = chat_at {
        return chat::draft(&lines, &tables[at], head, file_name, reviewed);
    }
    let contract_at = contract_at.ok_or_else(|| {
        ImportError(
            "no request-contract table (rows model, prompt, params, client_request_id; or, for chat, model, message, session_id)".into(),
        )
    })?;
    let contract = contract::read(&tables[contract_at], &head.id);
    let examples = Examples::read(&lines.join("\n"));
    if contract.words.is_none() {
        warnings.push("the page shows no required/optional words (a badge lost in this rendering): a param is read as required only when it has no default and the minimal request sets it; check each".into());
    }

    let mut partial = false;
    let table = params::find_table(&tables, contract_at);
    let mut params = all_params(table, &contract, &examples, &mut partial, &mut warnings);
    if head.inputs.iter().any(|i| i == "url") {
        url_params(&mut params, &mut warnings);
    }
    let rust_names = params::reserved_names(&params, &mut warnings);

    let upload = head.inputs.iter().any(|i| i == "file").then(|| {
        let after = table.map_or(tables[contract_at].end, |t| {
            t.end.max(tables[contract_at].end)
        });
        upload::read(&lines, &tables, after, &mut partial, &mut warnings)
    });
    let capability = capability(&head, &params, upload.as_ref(), &mut warnings);
    if examples.minimal.is_none() {
        warnings.push(
            "no complete minimal request on the page (cut off?); examples.minimal is left out"
                .into(),
        );
    }
    let notes = partial_note(partial);

    let (language, url) = source(file_name, &head.id);
    let display_name = header::display_name(&lines, &head.id).unwrap_or_else(|| {
        warnings.push("display name not found; set `display_name`".into());
        head.id.clone()
    });
    let required = |key: &str| contract.required(key);
    Ok(Draft {
        file: file_name.to_owned(),
        display_name,
        capability,
        inputs: head.inputs.clone(),
        billing: head.billing.clone(),
        base_credits: head.base_credits,
        // Without the page's words, a prompt the minimal request sends is read as required.
        prompt_required: required("prompt").unwrap_or_else(|| examples.sets_prompt()),
        prompt_max: head.prompt_max,
        params_required: required("params").unwrap_or(false),
        params,
        upload,
        chat: None,
        language,
        url,
        reviewed: reviewed.to_owned(),
        partial,
        notes,
        minimal: examples.minimal,
        reference: examples.reference,
        warnings,
        rust_names,
        id: head.id,
    })
}

/// The note a cut-off draft carries.
fn partial_note(partial: bool) -> Vec<String> {
    partial
        .then(|| "The stored page is cut off: facts it does not show are marked in TODO comments; check them against the live page.".to_owned())
        .into_iter()
        .collect()
}

/// The rendering's language (from the file name, `kling-3-0.id.txt`) and the page's URL.
pub(crate) fn source(file_name: &str, id: &str) -> (String, String) {
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
    (language, url)
}

/// The table's params and the contract's structured ones, described (never copied) and with
/// every guessed integer flagged.
fn all_params(
    table: Option<&page::Found>,
    contract: &contract::Contract,
    examples: &Examples,
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> Vec<Param> {
    let mut params = read_params(table, contract, examples, partial, warnings);
    let minimal = examples.minimal_value.as_ref();
    params.extend(params::structured(contract, minimal, warnings));
    let english = contract.words.as_ref().is_some_and(|(yes, _)| yes == "Yes");
    for p in &mut params {
        p.description = params::describe(&p.key, &p.description, english, warnings);
    }
    warnings.extend(params.iter().filter_map(params::integer_warning));
    params
}

/// The parameter table's rows; without yes/no words, a param is read as required only when
/// it has no default and the minimal request sets it.
fn read_params(
    table: Option<&page::Found>,
    contract: &contract::Contract,
    examples: &Examples,
    partial: &mut bool,
    warnings: &mut Vec<String>,
) -> Vec<Param> {
    let Some(t) = table else {
        warnings.push(
            "no parameter table; the model documents no params, or the page is cut off".into(),
        );
        return Vec::new();
    };
    if t.at_end {
        *partial = true;
        warnings.push("the page ends inside the parameter table: it may be cut off; the spec is marked partial".into());
    }
    let words = contract
        .words
        .as_ref()
        .map(|(y, n)| (y.as_str(), n.as_str()));
    let mut params = Vec::new();
    for (n, row) in params::rows(t, words).into_iter().enumerate() {
        match row {
            Ok(mut p) => {
                if words.is_none() {
                    p.required = !has_default(&p) && examples.sets_param(&p.key);
                }
                params.push(p);
            }
            Err(e) => warnings.push(format!("parameter row {}: {e}; not imported", n + 1)),
        }
    }
    params
}

/// On a page whose inputs name `url`, the text params that hold it (their key says `url`)
/// become `type: url`, validated as URLs. None found is a TODO: the spec check then fails.
fn url_params(params: &mut [Param], warnings: &mut Vec<String>) {
    let mut found = false;
    for p in params.iter_mut() {
        let text = matches!(p.kind, Kind::Text { default: None });
        if text && p.key.to_ascii_lowercase().contains("url") {
            p.kind = Kind::Url;
            found = true;
        }
    }
    if !found {
        warnings.push("the inputs name `url`, but no text param's key says `url`: mark the param that takes it `type: url`".into());
    }
}

fn has_default(p: &Param) -> bool {
    match &p.kind {
        Kind::Select { default, .. } | Kind::Text { default } => default.is_some(),
        Kind::Number { default, .. } => default.is_some(),
        Kind::Url | Kind::List { .. } => false,
    }
}

/// The capability: the page's word when it is a known translation, else inferred from the
/// page's structure, else `TODO` — which fails the spec check until a maintainer sets it.
fn capability(
    head: &header::Header,
    params: &[Param],
    upload: Option<&upload::Upload>,
    warnings: &mut Vec<String>,
) -> String {
    if let Some(c) = words::capability(&head.capability_word) {
        return c.to_owned();
    }
    let inferred = words::infer_capability(params, upload.map(|u| u.kinds.as_slice()));
    let word = &head.capability_word;
    match inferred {
        Some(c) => {
            warnings.push(format!(
                "capability `{word}` is not a known word; `{c}` is inferred from the params and file kinds: confirm"
            ));
            c.to_owned()
        }
        None => {
            warnings.push(format!(
                "capability `{word}` is not a known word and the page's structure does not tell: set `capability`"
            ));
            "TODO".to_owned()
        }
    }
}

/// The page's JSON requests: the minimal one and the one with reference media.
struct Examples {
    minimal: Option<String>,
    reference: Option<String>,
    minimal_value: Option<Value>,
}

impl Examples {
    fn read(text: &str) -> Self {
        let objects = page::json_objects(text);
        let requests: Vec<&(Value, String)> = objects
            .iter()
            .filter(|(v, _)| v.get("model").is_some() && v.get("status").is_none())
            .collect();
        let has_refs = |v: &Value| v["params"].get(crate::REFERENCES_KEY).is_some();
        let minimal = requests.iter().find(|(v, _)| !has_refs(v));
        Examples {
            minimal: minimal.map(|(_, t)| t.clone()),
            reference: requests
                .iter()
                .find(|(v, _)| has_refs(v))
                .map(|(_, t)| t.clone()),
            minimal_value: minimal.map(|(v, _)| v.clone()),
        }
    }

    fn sets_prompt(&self) -> bool {
        self.minimal_value
            .as_ref()
            .and_then(|v| v["prompt"].as_str())
            .is_some_and(|p| !p.trim().is_empty())
    }

    fn sets_param(&self, key: &str) -> bool {
        self.minimal_value
            .as_ref()
            .is_some_and(|v| v["params"].get(key).is_some())
    }
}
