//! Drift between the specs and the live catalog: a saved `GET /api/v1/models` response against
//! `specs/`, so a maintainer learns which pages changed before users do.
//!
//! The catalog is read leniently (unknown fields and models are expected: the API adds them
//! without notice); only the facts both sides state are compared.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use crate::{Diagnostics, SpecSource, check, ir};

/// One fact on which a spec and the catalog disagree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Disagreement {
    /// The model id.
    pub model: String,
    /// The fact (`base_credits`, `billing`, `max_prompt_length`, `file_kinds`, `params`,
    /// `category`, `api_status`).
    pub field: String,
    /// What the spec says.
    pub spec: String,
    /// What the catalog says.
    pub catalog: String,
}

/// Everything that differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Drift {
    /// Catalog models that have no spec.
    pub models_without_spec: Vec<String>,
    /// Specs whose model the catalog does not list.
    pub specs_without_model: Vec<String>,
    /// Facts that differ, by model then field.
    pub disagreements: Vec<Disagreement>,
}

impl Drift {
    /// Whether specs and catalog agree on everything compared.
    pub fn is_empty(&self) -> bool {
        self.models_without_spec.is_empty()
            && self.specs_without_model.is_empty()
            && self.disagreements.is_empty()
    }

    /// A report for people.
    pub fn to_text(&self) -> String {
        if self.is_empty() {
            return "catalog: no drift\n".to_owned();
        }
        let mut out = String::new();
        for id in &self.models_without_spec {
            let _ = writeln!(out, "{id}: in the catalog, no spec");
        }
        for id in &self.specs_without_model {
            let _ = writeln!(out, "{id}: spec only, not in the catalog");
        }
        for d in &self.disagreements {
            let _ = writeln!(
                out,
                "{}: {}: spec {} / catalog {}",
                d.model, d.field, d.spec, d.catalog
            );
        }
        let _ = writeln!(
            out,
            "catalog: {} model(s) without spec, {} spec(s) without model, {} disagreement(s)",
            self.models_without_spec.len(),
            self.specs_without_model.len(),
            self.disagreements.len()
        );
        out
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// Why the comparison could not be made.
#[derive(Debug)]
pub enum DriftError {
    /// The catalog file is not the documented shape.
    Catalog(String),
    /// A spec does not check.
    Specs(Diagnostics),
}

impl std::fmt::Display for DriftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Catalog(m) => write!(f, "catalog: {m}"),
            Self::Specs(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for DriftError {}

/// Compares a saved catalog response (`catalog_json`, labelled `label` in errors) with specs.
pub fn compare(catalog_json: &str, label: &str, specs: &[SpecSource]) -> Result<Drift, DriftError> {
    let entries = read_catalog(catalog_json, label)?;
    let mut models = BTreeMap::new();
    let mut diags = Vec::new();
    for s in specs {
        match check::check(&s.label, &s.file_name, &s.text) {
            Ok(m) => {
                models.insert(m.id.clone(), m);
            }
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(DriftError::Specs(Diagnostics(diags)));
    }
    let mut drift = Drift::default();
    for (id, entry) in &entries {
        match models.get(id) {
            None => drift.models_without_spec.push(id.clone()),
            Some(m) => compare_model(m, entry, &mut drift.disagreements),
        }
    }
    drift.specs_without_model = models
        .keys()
        .filter(|id| !entries.contains_key(*id))
        .cloned()
        .collect();
    Ok(drift)
}

/// The catalog's entries by id; every entry must be an object with a string `id`.
fn read_catalog(text: &str, label: &str) -> Result<BTreeMap<String, Value>, DriftError> {
    let err = |m: String| DriftError::Catalog(format!("{label}: {m}"));
    let doc: Value = serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))?;
    let data = doc
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| err("expected `{\"object\": \"list\", \"data\": [...]}`".into()))?;
    let mut entries = BTreeMap::new();
    for (i, entry) in data.iter().enumerate() {
        let id = entry
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("data[{i}] has no string `id`")))?;
        if entries.insert(id.to_owned(), entry.clone()).is_some() {
            return Err(err(format!("data[{i}]: `{id}` is listed twice")));
        }
    }
    Ok(entries)
}

fn compare_model(m: &ir::Model, entry: &Value, out: &mut Vec<Disagreement>) {
    let mut differ = |field: &str, spec: String, catalog: String| {
        if spec != catalog {
            out.push(Disagreement {
                model: m.id.clone(),
                field: field.to_owned(),
                spec,
                catalog,
            });
        }
    };
    let shown = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if let Some(v) = entry.get("base_credits") {
        differ("base_credits", m.base_credits.to_string(), shown(Some(v)));
    }
    if let Some(v) = entry.get("billing_type") {
        differ("billing", m.billing.as_str().to_owned(), shown(Some(v)));
    }
    if let Some(v) = entry.get("category") {
        differ("category", m.capability.as_str().to_owned(), shown(Some(v)));
    }
    if let Some(v) = entry.get("max_prompt_length") {
        let spec = m
            .prompt_max_chars
            .map_or("none".to_owned(), |n| n.to_string());
        differ("max_prompt_length", spec, shown(Some(v)));
    }
    if let Some(v) = entry.get("file_kinds") {
        let mut spec: Vec<&str> = m
            .upload
            .iter()
            .flat_map(|u| u.kinds.iter().map(|k| k.kind.as_str()))
            .collect();
        spec.sort_unstable();
        differ("file_kinds", spec.join(", "), sorted_strings(v));
    }
    // A chat model's fields are the shared chat fields, not params of its own: the catalog's
    // `params` of a chat entry has no spec counterpart to compare with.
    let params = entry.get("params").filter(|_| m.chat.is_none());
    if let Some(keys) = params.and_then(param_keys) {
        let mut spec: Vec<&str> = m.params.iter().map(|p| p.key.as_str()).collect();
        spec.sort_unstable();
        differ("params", spec.join(", "), keys.join(", "));
    }
    let status = shown(entry.get("api_status"));
    if entry.get("api_status").is_some() && status != "available" {
        differ("api_status", "available".to_owned(), status);
    }
}

/// A JSON list of strings, sorted and joined (anything else rendered as written).
fn sorted_strings(v: &Value) -> String {
    match v.as_array() {
        Some(items) => {
            let mut s: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect();
            s.sort_unstable();
            s.join(", ")
        }
        None => v.to_string(),
    }
}

/// The param keys of a catalog entry's `params`, whose shape the API leaves unspecified: a list
/// of keys, a list of objects naming theirs in `key` or `name`, or an object keyed by them.
/// `None` when the shape tells no keys (nothing is compared then).
fn param_keys(v: &Value) -> Option<Vec<String>> {
    let mut keys: Vec<String> = match v {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => ["key", "name"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .map(str::to_owned),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    keys.sort_unstable();
    Some(keys)
}
