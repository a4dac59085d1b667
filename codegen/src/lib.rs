//! The Rivya spec code generator: load → check → IR → emit (`quote!`) → `syn::File` →
//! `prettyplease`.
//!
//! [`generate`] turns every spec into the files of `rivya-models/src/generated/`; it never
//! panics on bad input and reports every problem with file, line and YAML path.

#![warn(missing_docs)]

mod check;
mod descriptor;
mod diag;
pub mod diff;
pub mod drift;
mod emit;
mod examples;
pub mod import;
mod ir;
mod load;
mod locate;
pub mod naming;
mod openapi;
mod par;
pub mod spec;

use std::collections::BTreeMap;

pub use diag::{Diagnostic, Diagnostics};
pub use load::{MAX_DEPTH, MAX_PARAMS, MAX_SPEC_BYTES};
pub use openapi::DIALECT as JSON_SCHEMA_DIALECT;

/// The key of reference media inside `params`; generated from the upload policy.
pub use rivya_rules::rules::REFERENCES_KEY;

/// One spec's text and where it came from.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// How diagnostics name the file (`specs/kling-3-0.yaml`).
    pub label: String,
    /// The bare file name (`kling-3-0.yaml`); must be `<id>.yaml`.
    pub file_name: String,
    /// The YAML text.
    pub text: String,
}

/// A generated file, relative to the generated folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the generated folder (`kling_3_0.rs`, `mod.rs`,
    /// `examples/kling-3-0.minimal.json`).
    pub name: String,
    /// Its full text.
    pub contents: String,
}

/// What `mod.rs` of a generated folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The shipped catalog: the modules and the `MODELS` list.
    Catalog,
    /// Test fixtures: the modules only (compiled into `rivya-models` under `cfg(test)`).
    Fixtures,
}

/// Checks every spec and resolves it, in file-name order, or every diagnostic of every spec
/// (names must also be unique across specs).
fn check_all(specs: &[SpecSource]) -> Result<Vec<(&SpecSource, ir::Model)>, Diagnostics> {
    let mut diags = Vec::new();
    let mut models = Vec::new();
    let mut sorted: Vec<&SpecSource> = specs.iter().collect();
    sorted.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    let checked = par::map(&sorted, |s| check::check(&s.label, &s.file_name, &s.text));
    for (s, result) in sorted.into_iter().zip(checked) {
        match result {
            Ok(m) => models.push((s, m)),
            Err(d) => diags.extend(d),
        }
    }
    let mut modules: BTreeMap<String, &str> = BTreeMap::new();
    for (s, m) in &models {
        if let Some(prev) = modules.insert(m.module.clone(), &s.label) {
            diags.push(Diagnostic {
                file: s.label.clone(),
                line: 1,
                col: 1,
                path: "id".to_owned(),
                message: format!(
                    "the module name `{}` is already used by {prev}; set `rust_module`",
                    m.module
                ),
            });
        }
    }
    if !diags.is_empty() {
        diags.sort();
        return Err(Diagnostics(diags));
    }
    Ok(models)
}

/// The JSON Schema of every model's create body and the OpenAPI 3.1 document, as the files of
/// `openapi/` (`models/<id>.json`, `openapi.json`), or every diagnostic of every spec.
pub fn generate_openapi(specs: &[SpecSource]) -> Result<Vec<OutputFile>, Diagnostics> {
    let models: Vec<ir::Model> = check_all(specs)?.into_iter().map(|(_, m)| m).collect();
    Ok(openapi::files(&models))
}

/// Generates one module per spec plus `mod.rs`, in a stable order, or every diagnostic of
/// every spec.
pub fn generate(specs: &[SpecSource], layout: Layout) -> Result<Vec<OutputFile>, Diagnostics> {
    let models = check_all(specs)?;
    let mut files = Vec::new();
    let emit_err = |label: &str, e: String| Diagnostic {
        file: label.to_owned(),
        line: 1,
        col: 1,
        path: String::new(),
        message: e,
    };
    let mut errors = Vec::new();
    let emitted = par::map(&models, |(_, m)| emit::model_file(m));
    for ((s, m), result) in models.iter().zip(emitted) {
        match result {
            Ok(contents) => files.push(OutputFile {
                name: format!("{}.rs", m.module),
                contents,
            }),
            Err(e) => errors.push(emit_err(&s.label, e)),
        }
        files.extend(m.examples().into_iter().map(|e| OutputFile {
            name: e.file,
            contents: format!("{}\n", e.text.trim_end()),
        }));
    }
    let irs: Vec<ir::Model> = models.into_iter().map(|(_, m)| m).collect();
    match emit::catalog_file(&irs, layout == Layout::Catalog) {
        Ok(contents) => files.push(OutputFile {
            name: "mod.rs".to_owned(),
            contents,
        }),
        Err(e) => errors.push(emit_err("specs", e)),
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Generates the module of a single spec (for snapshot tests and quick looks).
pub fn generate_one(spec: &SpecSource) -> Result<String, Diagnostics> {
    let model = check::check(&spec.label, &spec.file_name, &spec.text).map_err(Diagnostics)?;
    emit::model_file(&model).map_err(|e| {
        Diagnostics(vec![Diagnostic {
            file: spec.label.clone(),
            line: 1,
            col: 1,
            path: String::new(),
            message: e,
        }])
    })
}

/// The JSON Schema of the spec format, as written to `specs/schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(spec::Spec);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    rivya_rules::stamp::hex(&Sha256::digest(bytes))
}
