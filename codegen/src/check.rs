//! Check: a loaded [`Spec`] → the resolved [`ir::Model`], or every problem found in it.
//!
//! Checks never stop at the first problem: each one is recorded with its YAML path and the
//! checker goes on, so one run shows everything to fix.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::ir::{self, Kind};
use crate::load::{self, Loaded};
use crate::locate::Index;
use crate::naming;
use crate::spec::{FilesApi, Input, Lenient, ParamSpec, Spec};

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
pub(crate) fn is_reserved_field(name: &str) -> bool {
    RESERVED_FIELDS.contains(&name)
}

/// Whether a type name is taken by the generated module.
pub(crate) fn is_reserved_type(name: &str) -> bool {
    RESERVED_TYPES.contains(&name)
}

struct Ctx<'a> {
    file: &'a str,
    index: &'a Index,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let path = path.into();
        let pos = self.index.find(&path);
        self.diags.push(Diagnostic {
            file: self.file.to_owned(),
            line: pos.line,
            col: pos.col,
            path,
            message: message.into(),
        });
    }
}

/// Loads and checks one spec. `file` labels diagnostics; `file_name` is the bare file name,
/// which must be `<id>.yaml`.
pub fn check(file: &str, file_name: &str, text: &str) -> Result<ir::Model, Vec<Diagnostic>> {
    let Loaded { spec, index } = load::load(file, text)?;
    let mut cx = Ctx {
        file,
        index: &index,
        diags: Vec::new(),
    };
    check_todos(&mut cx, &spec, text);
    let model = resolve(&mut cx, &spec, file_name, text);
    if cx.diags.is_empty() {
        // Only a consistent spec has rules to hold its examples to.
        for (path, message) in crate::examples::violations(&model) {
            cx.err(
                path,
                format!("the example breaks the spec's own rules: {message}"),
            );
        }
    }
    let mut diags = cx.diags;
    if diags.is_empty() {
        Ok(model)
    } else {
        diags.sort();
        diags.dedup();
        Err(diags)
    }
}

fn resolve(cx: &mut Ctx<'_>, spec: &Spec, file_name: &str, text: &str) -> ir::Model {
    check_header(cx, spec, file_name);
    let module = name_or(
        cx,
        "rust_module",
        spec.rust_module.as_deref(),
        || naming::snake(&spec.id, "model_"),
        NameCase::Snake,
    );
    let marker = name_or(
        cx,
        "rust_type",
        spec.rust_type.as_deref(),
        || naming::variant(&spec.id, "Model"),
        NameCase::Camel,
    );

    let mut params = Vec::new();
    for (i, p) in spec.params.iter().enumerate() {
        let path = format!("params[{i}]");
        match p {
            Lenient::Ok(p) => {
                if let Some(param) = resolve_param(cx, &path, p) {
                    params.push((path, param));
                }
            }
            Lenient::Err(msg) => {
                let (inner, message) = load::split_message(msg);
                cx.err(load::join(&path, &inner), message);
            }
        }
    }
    check_param_names(cx, &params, &marker, spec.upload.is_some());

    let upload = spec.upload.as_ref().map(|u| {
        check_upload(cx, u);
        ir::Upload {
            max_files: u.max_files,
            kinds: u
                .kinds
                .iter()
                .map(|k| ir::KindLimit {
                    kind: k.kind,
                    max_size_mb: k.max_size_mb,
                    mime_types: k.mime_types.clone(),
                })
                .collect(),
            reference_rule: u.reference_rule.trim().to_owned(),
        }
    });
    let minimal_example = example(
        cx,
        spec,
        "examples.minimal",
        spec.examples.minimal.as_deref(),
    );
    let reference_example = example(
        cx,
        spec,
        "examples.reference",
        spec.examples.reference.as_deref(),
    );

    ir::Model {
        spec_file: file_name.to_owned(),
        spec_hash: crate::sha256_hex(text.as_bytes()),
        id: spec.id.clone(),
        display_name: spec.display_name.trim().to_owned(),
        module,
        marker,
        capability: spec.capability,
        inputs: spec.inputs.clone(),
        files_api: spec.files_api,
        billing: spec.billing,
        base_credits: spec.base_credits,
        prompt_required: spec.prompt.required,
        prompt_max_chars: spec.prompt.max_chars,
        params_required: spec.params_required,
        params: params.into_iter().map(|(_, p)| p).collect(),
        upload,
        notes: spec.notes.iter().map(|n| n.trim().to_owned()).collect(),
        source_url: spec.source.url.clone(),
        reviewed: spec.source.reviewed.clone(),
        partial: spec.source.partial,
        minimal_example,
        reference_example,
    }
}

fn check_header(cx: &mut Ctx<'_>, spec: &Spec, file_name: &str) {
    let id_ok = !spec.id.is_empty()
        && spec
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !id_ok {
        cx.err(
            "id",
            format!(
                "`{}` is not a model id (lowercase letters, digits, `-`)",
                spec.id
            ),
        );
    }
    let expected = format!("{}.yaml", spec.id);
    if file_name != expected {
        cx.err(
            "id",
            format!(
                "the spec of `{}` must be named `{expected}`, not `{file_name}`",
                spec.id
            ),
        );
    }
    if spec.display_name.trim().is_empty() {
        cx.err("display_name", "must not be empty");
    }
    if spec.inputs.is_empty() {
        cx.err("inputs", "list at least one input (`text`, `file`)");
    }
    for (i, input) in spec.inputs.iter().enumerate() {
        if spec.inputs[..i].contains(input) {
            cx.err(format!("inputs[{i}]"), "listed twice");
        }
    }
    let takes_files = spec.inputs.contains(&Input::File);
    match (takes_files, spec.upload.is_some()) {
        (true, false) => cx.err(
            "upload",
            "inputs include `file`, so the page's upload policy is required",
        ),
        (false, true) => cx.err("upload", "an upload policy needs `file` among the inputs"),
        _ => {}
    }
    let needs_api = spec.files_api == FilesApi::RequiredForReferenceModes;
    if needs_api != spec.upload.is_some() {
        cx.err(
            "files_api",
            "`required_for_reference_modes` goes with an upload policy, `not_required` with none",
        );
    }
    if spec.prompt.max_chars == Some(0) {
        cx.err(
            "prompt.max_chars",
            "must be positive; omit it when the page documents no limit",
        );
    }
    if !spec.source.url.starts_with("https://") {
        cx.err(
            "source.url",
            "must be the https URL of the documentation page",
        );
    }
    if spec.source.language.trim().is_empty() {
        cx.err(
            "source.language",
            "must name the rendering's language (`en`, `id` …)",
        );
    }
    if !is_date(&spec.source.reviewed) {
        cx.err(
            "source.reviewed",
            format!("`{}` is not a date (YYYY-MM-DD)", spec.source.reviewed),
        );
    }
    for (i, note) in spec.notes.iter().enumerate() {
        if note.trim().is_empty() {
            cx.err(format!("notes[{i}]"), "must not be empty");
        }
    }
}

/// A draft's `# TODO` markers are facts still to check: only a spec marked `partial` (whose
/// page is cut off, as its notes must say) may ship with them.
fn check_todos(cx: &mut Ctx<'_>, spec: &Spec, text: &str) {
    if spec.source.partial && spec.notes.is_empty() {
        cx.err(
            "source.partial",
            "a partial spec must say in `notes` what its page leaves out",
        );
    }
    if spec.source.partial {
        return;
    }
    for (i, line) in text.lines().enumerate() {
        let comment = line.trim_start().strip_prefix('#').map(str::trim_start);
        if let Some(todo) = comment.filter(|c| c.starts_with("TODO")) {
            cx.diags.push(Diagnostic {
                file: cx.file.to_owned(),
                line: i + 1,
                col: line.len() - line.trim_start().len() + 1,
                path: String::new(),
                message: format!(
                    "unresolved `{todo}`: resolve it and delete the marker, or set `source.partial: true` and say why in `notes`"
                ),
            });
        }
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[derive(Clone, Copy)]
enum NameCase {
    Snake,
    Camel,
}

/// An explicit name, checked, or the derived one.
fn name_or(
    cx: &mut Ctx<'_>,
    path: &str,
    explicit: Option<&str>,
    derive: impl FnOnce() -> Option<String>,
    case: NameCase,
) -> String {
    match explicit {
        Some(name) => {
            let ok = match case {
                NameCase::Snake => naming::is_snake(name),
                NameCase::Camel => naming::is_camel(name),
            };
            if !ok || naming::is_unrawable(name) {
                let want = match case {
                    NameCase::Snake => "a snake_case Rust identifier",
                    NameCase::Camel => "an UpperCamelCase Rust identifier",
                };
                cx.err(path, format!("`{name}` is not {want}"));
            }
            name.to_owned()
        }
        None => match derive() {
            Some(name) if !naming::is_unrawable(&name) => name,
            Some(name) => {
                cx.err(
                    path,
                    format!("the derived name `{name}` cannot be used in Rust; set `{path}`"),
                );
                name
            }
            None => {
                cx.err(path, format!("no Rust name can be derived; set `{path}`"));
                "invalid".to_owned()
            }
        },
    }
}

fn resolve_param(cx: &mut Ctx<'_>, path: &str, p: &ParamSpec) -> Option<ir::Param> {
    let c = p.common();
    if c.key.is_empty() {
        cx.err(format!("{path}.key"), "must not be empty");
        return None;
    }
    if c.key == crate::REFERENCES_KEY {
        cx.err(
            format!("{path}.key"),
            "`referenceMediaItems` is generated from the upload policy; do not list it as a param",
        );
        return None;
    }
    if c.description.trim().is_empty() {
        cx.err(format!("{path}.description"), "must not be empty");
    }
    let field = name_or(
        cx,
        &format!("{path}.rust_name"),
        c.rust_name,
        || naming::snake(c.key, "param_"),
        NameCase::Snake,
    );
    let type_name = naming::pascal(&field).unwrap_or_default();
    let kind = match p {
        ParamSpec::Select {
            options,
            default,
            variant_prefix,
            variant_names,
            ..
        } => resolve_select(
            cx,
            path,
            options,
            default.as_ref(),
            variant_prefix.as_deref(),
            variant_names,
        ),
        ParamSpec::Number {
            integer,
            min,
            max,
            step,
            default,
            ..
        } => resolve_number(cx, path, *integer, *min, *max, *step, *default),
        ParamSpec::Text { default, .. } => Kind::Text {
            default: default.clone(),
        },
        ParamSpec::List {
            min_items, item, ..
        } => {
            let mut fields: Vec<ir::Field> = Vec::new();
            if item.fields.is_empty() {
                cx.err(format!("{path}.item.fields"), "list at least one field");
            }
            for (i, f) in item.fields.iter().enumerate() {
                let fpath = format!("{path}.item.fields[{i}]");
                let name = name_or(
                    cx,
                    &format!("{fpath}.key"),
                    None,
                    || naming::snake(&f.key, "field_"),
                    NameCase::Snake,
                );
                if let Some(prev) = fields.iter().find(|g| g.field == name) {
                    cx.err(
                        fpath.clone(),
                        format!(
                            "`{}` and `{}` both name the Rust field `{name}`",
                            prev.key, f.key
                        ),
                    );
                }
                if f.description.trim().is_empty() {
                    cx.err(format!("{fpath}.description"), "must not be empty");
                }
                fields.push(ir::Field {
                    key: f.key.clone(),
                    field: name,
                    description: f.description.trim().to_owned(),
                });
            }
            Kind::List {
                min_items: *min_items,
                fields,
            }
        }
    };
    let type_name = match p {
        ParamSpec::List { item, .. } => match &item.rust_name {
            Some(n) => {
                if !naming::is_camel(n) {
                    cx.err(
                        format!("{path}.item.rust_name"),
                        format!("`{n}` is not an UpperCamelCase Rust identifier"),
                    );
                }
                n.clone()
            }
            None => format!("{type_name}Item"),
        },
        _ => type_name,
    };
    Some(ir::Param {
        key: c.key.to_owned(),
        description: c.description.trim().to_owned(),
        required: c.required,
        field,
        type_name,
        kind,
    })
}

fn resolve_select(
    cx: &mut Ctx<'_>,
    path: &str,
    options: &[crate::spec::WireString],
    default: Option<&crate::spec::WireString>,
    prefix: Option<&str>,
    names: &BTreeMap<String, String>,
) -> Kind {
    if options.is_empty() {
        cx.err(format!("{path}.options"), "list at least one option");
    }
    let boolean = options.len() == 2
        && options.iter().any(|o| o.0 == "true")
        && options.iter().any(|o| o.0 == "false");
    let prefix = prefix.unwrap_or("V");
    if !naming::is_camel(prefix) {
        cx.err(
            format!("{path}.variant_prefix"),
            format!("`{prefix}` must start an UpperCamelCase name (`S`, `V` …)"),
        );
    }
    for (value, name) in names {
        if !options.iter().any(|o| &o.0 == value) {
            cx.err(
                format!("{path}.variant_names.{value}"),
                format!("`{value}` is not one of the options"),
            );
        }
        if !naming::is_camel(name) || name == "Self" {
            cx.err(
                format!("{path}.variant_names.{value}"),
                format!("`{name}` is not an UpperCamelCase Rust identifier"),
            );
        }
    }
    let mut resolved: Vec<ir::Opt> = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let opath = format!("{path}.options[{i}]");
        if o.0.is_empty() {
            cx.err(opath.clone(), "options must not be empty strings");
        }
        if let Some(j) = options[..i].iter().position(|p| p == o) {
            cx.err(
                opath.clone(),
                format!("`{}` is listed twice (also at options[{j}])", o.0),
            );
            continue;
        }
        let variant = match names.get(&o.0) {
            Some(n) => n.clone(),
            None => match naming::variant(&o.0, prefix) {
                Some(n) if n != "Self" => n,
                _ => {
                    if !boolean {
                        cx.err(opath.clone(), format!("no variant name can be derived from `{}`; add it to `variant_names`", o.0));
                    }
                    continue;
                }
            },
        };
        if !boolean && let Some(prev) = resolved.iter().find(|r| r.variant == variant) {
            cx.err(
                    opath.clone(),
                    format!(
                        "`{}` and `{}` both name the variant `{variant}`; give one a name in `variant_names`",
                        prev.value, o.0
                    ),
                );
        }
        resolved.push(ir::Opt {
            value: o.0.clone(),
            variant,
        });
    }
    let default = default.and_then(|d| {
        let found = resolved.iter().position(|r| r.value == d.0);
        if found.is_none() {
            let list: Vec<&str> = options.iter().map(|o| o.0.as_str()).collect();
            cx.err(
                format!("{path}.default"),
                format!(
                    "default `{}` is not one of the options ({})",
                    d.0,
                    list.join(", ")
                ),
            );
        }
        found
    });
    Kind::Select {
        options: resolved,
        default,
        boolean,
    }
}

fn resolve_number(
    cx: &mut Ctx<'_>,
    path: &str,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<f64>,
    default: Option<f64>,
) -> Kind {
    let named = [
        ("min", min),
        ("max", max),
        ("step", step),
        ("default", default),
    ];
    for (name, value) in named {
        if let Some(v) = value {
            if !v.is_finite() {
                cx.err(format!("{path}.{name}"), "must be a finite number");
            } else if integer && v.fract() != 0.0 {
                cx.err(
                    format!("{path}.{name}"),
                    format!("{v} is not a whole number, but the param is an integer"),
                );
            }
        }
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        cx.err(
            format!("{path}.min"),
            format!("min {lo} is greater than max {hi}"),
        );
    }
    if let Some(s) = step
        && s <= 0.0
    {
        cx.err(
            format!("{path}.step"),
            format!("step must be positive, found {s}"),
        );
    }
    if let Some(d) = default {
        if min.is_some_and(|lo| d < lo) || max.is_some_and(|hi| d > hi) {
            cx.err(
                format!("{path}.default"),
                format!("default {d} is outside the range {}", range(min, max)),
            );
        } else if let Some(s) = step.filter(|s| *s > 0.0) {
            let k = (d - min.unwrap_or(0.0)) / s;
            if (k - k.round()).abs() > 1e-9 * k.abs().max(1.0) {
                cx.err(
                    format!("{path}.default"),
                    format!(
                        "default {d} is not on the step {s} from {}",
                        min.unwrap_or(0.0)
                    ),
                );
            }
        }
    }
    Kind::Number {
        integer,
        min,
        max,
        step,
        default,
    }
}

fn range(min: Option<f64>, max: Option<f64>) -> String {
    let show = |v: Option<f64>| v.map_or("…".to_owned(), |v| v.to_string());
    format!("{}..={}", show(min), show(max))
}

/// Field and type names must be unique within the module and clear of reserved names.
fn check_param_names(cx: &mut Ctx<'_>, params: &[(String, ir::Param)], marker: &str, upload: bool) {
    let mut keys: BTreeMap<&str, &str> = BTreeMap::new();
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    let mut types: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, p) in params {
        if let Some(prev) = keys.insert(&p.key, path) {
            cx.err(
                format!("{path}.key"),
                format!("`{}` is already a param (at {prev})", p.key),
            );
            continue;
        }
        let bare = p.field.as_str();
        let reserved =
            RESERVED_FIELDS.contains(&bare) && (bare != "reference_media_items" || upload);
        if reserved {
            cx.err(
                format!("{path}.key"),
                format!("the Rust name `{bare}` is taken by the generated API; set `rust_name`"),
            );
        } else if let Some(prev) = fields.insert(bare, &p.key) {
            cx.err(
                format!("{path}.key"),
                format!(
                    "`{prev}` and `{}` both name the Rust field `{bare}`; set `rust_name` on one",
                    p.key
                ),
            );
        }
        let needs_type = matches!(
            p.kind,
            Kind::Select { boolean: false, .. } | Kind::List { .. }
        );
        if needs_type {
            let t = p.type_name.as_str();
            if RESERVED_TYPES.contains(&t) || t == marker {
                cx.err(
                    format!("{path}.key"),
                    format!(
                        "the type name `{t}` is taken by the generated module; set `rust_name`"
                    ),
                );
            } else if let Some(prev) = types.insert(t, &p.key) {
                cx.err(
                    format!("{path}.key"),
                    format!(
                        "`{prev}` and `{}` both name the type `{t}`; set `rust_name` on one",
                        p.key
                    ),
                );
            }
        }
    }
}

fn check_upload(cx: &mut Ctx<'_>, u: &crate::spec::UploadSpec) {
    if u.max_files == 0 {
        cx.err("upload.max_files", "must be at least 1");
    }
    if u.kinds.is_empty() {
        cx.err("upload.kinds", "list at least one accepted kind");
    }
    if u.reference_rule.trim().is_empty() {
        cx.err("upload.reference_rule", "must not be empty");
    }
    for (i, k) in u.kinds.iter().enumerate() {
        let path = format!("upload.kinds[{i}]");
        if u.kinds[..i].iter().any(|p| p.kind == k.kind) {
            cx.err(format!("{path}.kind"), "this kind is listed twice");
        }
        if k.max_size_mb == 0 {
            cx.err(format!("{path}.max_size_mb"), "must be positive");
        }
        if k.mime_types.is_empty() {
            cx.err(format!("{path}.mime_types"), "list at least one MIME type");
        }
        for (j, m) in k.mime_types.iter().enumerate() {
            let ok = m
                .split_once('/')
                .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty())
                && !m.contains(char::is_whitespace);
            if !ok {
                cx.err(
                    format!("{path}.mime_types[{j}]"),
                    format!("`{m}` is not a MIME type"),
                );
            }
        }
    }
}

/// Checks that an example body is JSON naming this model; keeps its text as written.
fn example(cx: &mut Ctx<'_>, spec: &Spec, path: &str, text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => cx.err(path, format!("not valid JSON: {e}")),
        Ok(v) if v.get("model").and_then(|m| m.as_str()) != Some(spec.id.as_str()) => cx.err(
            path,
            format!("the example must name `\"model\": \"{}\"`", spec.id),
        ),
        Ok(_) => {}
    }
    Some(text.to_owned())
}
