//! Check: a loaded [`Spec`] → the resolved [`ir::Model`], or every problem found in it.
//!
//! Checks never stop at the first problem: each one is recorded with its YAML path and the
//! checker goes on, so one run shows everything to fix. One file per part of the spec.

mod chat;
mod header;
mod names;
mod params;
mod upload;

use crate::diag::Diagnostic;
use crate::ir;
use crate::load::{self, Loaded};
use crate::locate::Index;
use crate::naming;
use crate::spec::{Lenient, Spec};

use header::{check_header, check_todos};
use names::check_param_names;
use params::resolve_param;
use upload::{check_upload, example};

pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) index: &'a Index<'a>,
    pub(crate) diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub(crate) fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
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
        || Some(naming::MARKER.to_owned()),
        NameCase::Camel,
    );

    let params = resolve_params(cx, spec, &marker);
    let chat = chat::resolve_chat(cx, spec);
    let upload = match &chat {
        Some(chat) => chat::attachment_upload(chat),
        None => resolve_upload(cx, spec),
    };
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
        params,
        upload,
        chat,
        notes: spec.notes.iter().map(|n| n.trim().to_owned()).collect(),
        source_url: spec.source.url.clone(),
        reviewed: spec.source.reviewed.clone(),
        partial: spec.source.partial,
        minimal_example,
        reference_example,
    }
}

/// What the model makes, as a word to put before a type name that would clash with `std`.
fn noun(capability: rivya_rules::Capability) -> &'static str {
    match capability {
        rivya_rules::Capability::Image => "Image",
        _ => "Clip",
    }
}

/// Every param of the spec, resolved, with the names across them checked.
fn resolve_params(cx: &mut Ctx<'_>, spec: &Spec, marker: &str) -> Vec<ir::Param> {
    let mut params = Vec::new();
    for (i, p) in spec.params.iter().enumerate() {
        let path = format!("params[{i}]");
        match p {
            Lenient::Ok(p) => {
                if let Some(param) = resolve_param(cx, &path, p, noun(spec.capability)) {
                    params.push((path, param));
                }
            }
            Lenient::Err(msg) => {
                let (inner, message) = load::split_message(msg);
                cx.err(load::join(&path, &inner), message);
            }
        }
    }
    check_param_names(cx, &params, marker, spec.upload.is_some());

    params.into_iter().map(|(_, p)| p).collect()
}

/// The upload policy, checked.
fn resolve_upload(cx: &mut Ctx<'_>, spec: &Spec) -> Option<ir::Upload> {
    spec.upload.as_ref().map(|u| {
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
    })
}

#[derive(Clone, Copy)]
pub(crate) enum NameCase {
    Snake,
    Camel,
}

/// An explicit name, checked, or the derived one.
pub(crate) fn name_or(
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
