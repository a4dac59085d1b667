//! Classified spec diffs: what a spec change means for users of the generated code and of the
//! API, in the spirit of oasdiff.
//!
//! - **breaking**: code or requests that worked stop working (an option, param or model
//!   removed, a param made required, a limit tightened, a type or a Rust name changed);
//! - **behaviour**: the same code now does something else (a default, credits, billing);
//! - **additive**: new things (a model, param or option, a relaxed limit) — never breaking,
//!   because generated enums and `Params` are `#[non_exhaustive]`;
//! - **docs**: descriptions, notes, sources and examples.

mod model;
mod param;
mod render;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::ir::Model;
use crate::{SpecSource, check};

pub use render::{render_json, render_markdown, render_text};

/// How much a change matters, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Existing code or requests stop working.
    Breaking,
    /// The same code behaves differently.
    Behavior,
    /// Something new; nothing existing changes.
    Additive,
    /// Documentation only.
    Docs,
}

impl Class {
    /// The name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Breaking => "breaking",
            Self::Behavior => "behavior",
            Self::Additive => "additive",
            Self::Docs => "docs",
        }
    }

    /// Parses `breaking`, `behavior` (or `behaviour`), `additive`, `docs`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "breaking" => Some(Self::Breaking),
            "behavior" | "behaviour" => Some(Self::Behavior),
            "additive" => Some(Self::Additive),
            "docs" => Some(Self::Docs),
            _ => None,
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// How much it matters.
    pub class: Class,
    /// The model id.
    pub model: String,
    /// Where in the spec (`params.duration.options`).
    pub path: String,
    /// What changed.
    pub message: String,
}

/// Checks both sides and classifies every difference, most severe first.
pub fn diff_specs(before: &[SpecSource], after: &[SpecSource]) -> Result<Vec<Change>, Diagnostics> {
    let load = |specs: &[SpecSource]| -> Result<Vec<Model>, Diagnostics> {
        let mut models = Vec::new();
        let mut diags = Vec::new();
        for s in specs {
            match check::check(&s.label, &s.file_name, &s.text) {
                Ok(m) => models.push(m),
                Err(d) => diags.extend(d),
            }
        }
        if diags.is_empty() {
            Ok(models)
        } else {
            Err(Diagnostics(diags))
        }
    };
    Ok(diff(&load(before)?, &load(after)?))
}

/// The changes found for one model.
struct Out<'a> {
    model: &'a str,
    changes: Vec<Change>,
}

impl Out<'_> {
    fn add(&mut self, class: Class, path: impl Into<String>, message: impl Into<String>) {
        self.changes.push(Change {
            class,
            model: self.model.to_owned(),
            path: path.into(),
            message: message.into(),
        });
    }
}

pub(crate) fn diff(before: &[Model], after: &[Model]) -> Vec<Change> {
    let old: BTreeMap<&str, &Model> = before.iter().map(|m| (m.id.as_str(), m)).collect();
    let new: BTreeMap<&str, &Model> = after.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut changes = Vec::new();
    for (id, m) in &old {
        if !new.contains_key(id) {
            changes.push(Change {
                class: Class::Breaking,
                model: (*id).to_owned(),
                path: String::new(),
                message: format!("model removed (module `{}`)", m.module),
            });
        }
    }
    for (id, b) in &new {
        match old.get(id) {
            None => changes.push(Change {
                class: Class::Additive,
                model: (*id).to_owned(),
                path: String::new(),
                message: format!("model added (module `{}`)", b.module),
            }),
            Some(a) => {
                let mut out = Out {
                    model: id,
                    changes: Vec::new(),
                };
                model::model(&mut out, a, b);
                changes.extend(out.changes);
            }
        }
    }
    changes.sort();
    changes
}

/// A number as the specs and the wire write it (`1`, `0.05`).
fn num(v: f64) -> String {
    rivya_rules::wire::format_number(v)
}

fn default(o: &mut Out<'_>, at: &str, a: Option<String>, b: Option<String>) {
    let show = |v: &Option<String>| v.clone().map_or("none".to_owned(), |v| format!("`{v}`"));
    if a != b {
        o.add(
            Class::Behavior,
            format!("{at}.default"),
            format!("default {} → {}", show(&a), show(&b)),
        );
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Min,
    Max,
}

/// A lower bound that rises (or appears) tightens; an upper bound that falls (or appears)
/// tightens; the opposite relaxes.
fn limit(o: &mut Out<'_>, path: &str, a: Option<f64>, b: Option<f64>, bound: Bound) {
    let tighter = match (a, b, bound) {
        (None, Some(_), _) => true,
        (Some(_), None, _) => false,
        (Some(x), Some(y), Bound::Min) if x != y => y > x,
        (Some(x), Some(y), Bound::Max) if x != y => y < x,
        _ => return,
    };
    let show = |v: Option<f64>| v.map_or("none".to_owned(), num);
    let (class, verb) = if tighter {
        (Class::Breaking, "tightened")
    } else {
        (Class::Additive, "relaxed")
    };
    o.add(
        class,
        path,
        format!("limit {verb}: {} → {}", show(a), show(b)),
    );
}
