//! Classified spec diffs: what a spec change means for users of the generated code and of the
//! API, in the spirit of oasdiff.
//!
//! - **breaking**: code or requests that worked stop working (an option, param or model
//!   removed, a param made required, a limit tightened, a type or a Rust name changed);
//! - **behaviour**: the same code now does something else (a default, credits, billing);
//! - **additive**: new things (a model, param or option, a relaxed limit) — never breaking,
//!   because generated enums and `Params` are `#[non_exhaustive]`;
//! - **docs**: descriptions, notes, sources and examples.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::ir::{Kind, Model, Param, Upload};
use crate::{SpecSource, check};

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
                model(&mut out, a, b);
                changes.extend(out.changes);
            }
        }
    }
    changes.sort();
    changes
}

fn model(o: &mut Out<'_>, a: &Model, b: &Model) {
    use Class::*;
    if a.module != b.module {
        o.add(
            Breaking,
            "rust_module",
            format!("module renamed `{}` → `{}`", a.module, b.module),
        );
    }
    if a.marker != b.marker {
        o.add(
            Breaking,
            "rust_type",
            format!("marker type renamed `{}` → `{}`", a.marker, b.marker),
        );
    }
    if a.display_name != b.display_name {
        o.add(
            Docs,
            "display_name",
            format!("`{}` → `{}`", a.display_name, b.display_name),
        );
    }
    if a.capability != b.capability {
        o.add(
            Behavior,
            "capability",
            format!("{:?} → {:?}", a.capability, b.capability),
        );
    }
    for i in &a.inputs {
        if !b.inputs.contains(i) {
            o.add(Breaking, "inputs", format!("input {i:?} removed"));
        }
    }
    for i in &b.inputs {
        if !a.inputs.contains(i) {
            o.add(Additive, "inputs", format!("input {i:?} added"));
        }
    }
    if a.files_api != b.files_api {
        o.add(
            Behavior,
            "files_api",
            format!("{:?} → {:?}", a.files_api, b.files_api),
        );
    }
    if a.billing != b.billing {
        o.add(
            Behavior,
            "billing",
            format!("{:?} → {:?}", a.billing, b.billing),
        );
    }
    if a.base_credits != b.base_credits {
        o.add(
            Behavior,
            "base_credits",
            format!("{} → {}", a.base_credits, b.base_credits),
        );
    }
    match (a.prompt_required, b.prompt_required) {
        (false, true) => o.add(Breaking, "prompt.required", "the prompt became required"),
        (true, false) => o.add(Additive, "prompt.required", "the prompt became optional"),
        _ => {}
    }
    limit(
        o,
        "prompt.max_chars",
        a.prompt_max_chars.map(f64::from),
        b.prompt_max_chars.map(f64::from),
        Bound::Max,
    );
    match (a.params_required, b.params_required) {
        (false, true) => o.add(
            Breaking,
            "params_required",
            "the params object became required",
        ),
        (true, false) => o.add(
            Additive,
            "params_required",
            "the params object became optional",
        ),
        _ => {}
    }
    for p in &a.params {
        if !b.params.iter().any(|q| q.key == p.key) {
            o.add(Breaking, format!("params.{}", p.key), "param removed");
        }
    }
    for q in &b.params {
        match a.params.iter().find(|p| p.key == q.key) {
            None if q.required => o.add(
                Breaking,
                format!("params.{}", q.key),
                "required param added",
            ),
            None => o.add(
                Additive,
                format!("params.{}", q.key),
                "optional param added",
            ),
            Some(p) => param(o, p, q),
        }
    }
    upload(o, a.upload.as_ref(), b.upload.as_ref());
    if a.notes != b.notes {
        o.add(Docs, "notes", "notes changed");
    }
    if a.source_url != b.source_url {
        o.add(
            Docs,
            "source.url",
            format!("`{}` → `{}`", a.source_url, b.source_url),
        );
    }
    if a.partial != b.partial {
        let what = if b.partial {
            "marked partial"
        } else {
            "no longer partial"
        };
        o.add(Docs, "source.partial", what);
    }
    if a.minimal_example != b.minimal_example || a.reference_example != b.reference_example {
        o.add(Docs, "examples", "documented examples changed");
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Select { boolean: true, .. } => "boolean select",
        Kind::Select { .. } => "select",
        Kind::Number { integer: true, .. } => "integer",
        Kind::Number { .. } => "number",
        Kind::Text { .. } => "text",
        Kind::List { .. } => "list",
    }
}

fn param(o: &mut Out<'_>, a: &Param, b: &Param) {
    use Class::*;
    let at = format!("params.{}", a.key);
    if a.field != b.field {
        o.add(
            Breaking,
            format!("{at}.rust_name"),
            format!("Rust field renamed `{}` → `{}`", a.field, b.field),
        );
    }
    if a.type_name != b.type_name
        && matches!(
            b.kind,
            Kind::Select { boolean: false, .. } | Kind::List { .. }
        )
    {
        o.add(
            Breaking,
            format!("{at}.rust_name"),
            format!("Rust type renamed `{}` → `{}`", a.type_name, b.type_name),
        );
    }
    match (a.required, b.required) {
        (false, true) => o.add(Breaking, format!("{at}.required"), "param became required"),
        (true, false) => o.add(Additive, format!("{at}.required"), "param became optional"),
        _ => {}
    }
    if a.description != b.description {
        o.add(Docs, format!("{at}.description"), "description changed");
    }
    if kind_name(&a.kind) != kind_name(&b.kind) {
        o.add(
            Breaking,
            format!("{at}.type"),
            format!(
                "type changed: {} → {}",
                kind_name(&a.kind),
                kind_name(&b.kind)
            ),
        );
        return;
    }
    match (&a.kind, &b.kind) {
        (
            Kind::Select {
                options: ao,
                default: ad,
                ..
            },
            Kind::Select {
                options: bo,
                default: bd,
                ..
            },
        ) => {
            for x in ao {
                match bo.iter().find(|y| y.value == x.value) {
                    None => o.add(
                        Breaking,
                        format!("{at}.options"),
                        format!("option `{}` removed", x.value),
                    ),
                    Some(y) if y.variant != x.variant => o.add(
                        Breaking,
                        format!("{at}.variant_names"),
                        format!(
                            "variant of `{}` renamed `{}` → `{}`",
                            x.value, x.variant, y.variant
                        ),
                    ),
                    Some(_) => {}
                }
            }
            for y in bo {
                if !ao.iter().any(|x| x.value == y.value) {
                    o.add(
                        Additive,
                        format!("{at}.options"),
                        format!("option `{}` added", y.value),
                    );
                }
            }
            let show =
                |opts: &[crate::ir::Opt], d: &Option<usize>| d.map(|i| opts[i].value.clone());
            default(o, &at, show(ao, ad), show(bo, bd));
        }
        (
            Kind::Number {
                min: amin,
                max: amax,
                step: astep,
                default: ad,
                ..
            },
            Kind::Number {
                min: bmin,
                max: bmax,
                step: bstep,
                default: bd,
                ..
            },
        ) => {
            limit(o, &format!("{at}.min"), *amin, *bmin, Bound::Min);
            limit(o, &format!("{at}.max"), *amax, *bmax, Bound::Max);
            match (astep, bstep) {
                (None, Some(s)) => o.add(Breaking, format!("{at}.step"), format!("step {s} added")),
                (Some(s), None) => {
                    o.add(Additive, format!("{at}.step"), format!("step {s} removed"))
                }
                (Some(x), Some(y)) if x != y => {
                    // A new step that divides the old one keeps every old value valid.
                    let k = x / y;
                    let class = if (k - k.round()).abs() < 1e-9 {
                        Additive
                    } else {
                        Breaking
                    };
                    o.add(class, format!("{at}.step"), format!("step {x} → {y}"));
                }
                _ => {}
            }
            default(o, &at, ad.map(num), bd.map(num));
        }
        (Kind::Text { default: ad }, Kind::Text { default: bd }) => {
            default(o, &at, ad.clone(), bd.clone())
        }
        (
            Kind::List {
                min_items: an,
                fields: af,
            },
            Kind::List {
                min_items: bn,
                fields: bf,
            },
        ) => {
            limit(
                o,
                &format!("{at}.min_items"),
                Some(f64::from(*an)),
                Some(f64::from(*bn)),
                Bound::Min,
            );
            // Object fields have no order on the wire.
            let keys = |f: &[crate::ir::Field]| {
                let mut k: Vec<String> = f.iter().map(|x| x.key.clone()).collect();
                k.sort();
                k
            };
            if keys(af) != keys(bf) {
                o.add(
                    Breaking,
                    format!("{at}.item.fields"),
                    format!(
                        "item fields changed: [{}] → [{}]",
                        keys(af).join(", "),
                        keys(bf).join(", ")
                    ),
                );
            }
        }
        _ => {}
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
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

fn upload(o: &mut Out<'_>, a: Option<&Upload>, b: Option<&Upload>) {
    use Class::*;
    let (a, b) = match (a, b) {
        (None, None) => return,
        (Some(_), None) => return o.add(Breaking, "upload", "reference media no longer accepted"),
        (None, Some(_)) => return o.add(Additive, "upload", "reference media now accepted"),
        (Some(a), Some(b)) => (a, b),
    };
    limit(
        o,
        "upload.max_files",
        Some(f64::from(a.max_files)),
        Some(f64::from(b.max_files)),
        Bound::Max,
    );
    for k in &a.kinds {
        let name = k.kind.as_str();
        let Some(l) = b.kinds.iter().find(|l| l.kind == k.kind) else {
            o.add(
                Breaking,
                "upload.kinds",
                format!("kind {name} no longer accepted"),
            );
            continue;
        };
        let at = format!("upload.kinds.{name}");
        limit(
            o,
            &format!("{at}.max_size_mb"),
            Some(f64::from(k.max_size_mb)),
            Some(f64::from(l.max_size_mb)),
            Bound::Max,
        );
        for m in &k.mime_types {
            if !l.mime_types.contains(m) {
                o.add(
                    Breaking,
                    format!("{at}.mime_types"),
                    format!("{m} no longer accepted"),
                );
            }
        }
        for m in &l.mime_types {
            if !k.mime_types.contains(m) {
                o.add(
                    Additive,
                    format!("{at}.mime_types"),
                    format!("{m} now accepted"),
                );
            }
        }
    }
    for l in &b.kinds {
        if !a.kinds.iter().any(|k| k.kind == l.kind) {
            o.add(
                Additive,
                "upload.kinds",
                format!("kind {} now accepted", l.kind.as_str()),
            );
        }
    }
    if a.reference_rule != b.reference_rule {
        o.add(Docs, "upload.reference_rule", "reference rule reworded");
    }
}

/// Counts per class, for summaries.
fn counts(changes: &[Change]) -> String {
    let n = |c: Class| changes.iter().filter(|x| x.class == c).count();
    format!(
        "{} change{}: {} breaking, {} behavior, {} additive, {} docs",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        n(Class::Breaking),
        n(Class::Behavior),
        n(Class::Additive),
        n(Class::Docs)
    )
}

/// Plain text, one change a line, most severe first.
pub fn render_text(changes: &[Change]) -> String {
    let mut s = String::new();
    for c in changes {
        let path = if c.path.is_empty() {
            String::new()
        } else {
            format!(" {}", c.path)
        };
        let _ = writeln!(
            s,
            "{:<9} {}{path}: {}",
            c.class.as_str(),
            c.model,
            c.message
        );
    }
    let _ = writeln!(s, "{}", counts(changes));
    s
}

/// A Markdown table for pull-request descriptions.
pub fn render_markdown(changes: &[Change]) -> String {
    let mut s = String::from("| class | model | path | change |\n|---|---|---|---|\n");
    for c in changes {
        let esc = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | `{}` | `{}` | {} |",
            c.class.as_str(),
            c.model,
            esc(&c.path),
            esc(&c.message)
        );
    }
    let _ = writeln!(s, "\n{}", counts(changes));
    s
}

/// JSON: an array of `{class, model, path, message}`.
pub fn render_json(changes: &[Change]) -> String {
    let mut s = serde_json::to_string_pretty(changes).unwrap_or_else(|_| "[]".to_owned());
    s.push('\n');
    s
}
