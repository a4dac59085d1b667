//! Writes a [`Draft`] as spec YAML, laid out like the hand-written specs.

use std::fmt::Write;

use super::{Draft, Kind, Param};

/// A YAML string: plain when safe, otherwise double-quoted with JSON escapes (valid YAML).
fn s(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./ ()-:".contains(c))
        && !v.contains(": ")
        && !v.ends_with(':')
        && !v.starts_with(['-', ' ', '.'])
        && !v.ends_with(' ')
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && v.parse::<f64>().is_err();
    if plain {
        v.to_owned()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

/// A flow list of strings.
fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|i| s(i)).collect();
    format!("[{}]", parts.join(", "))
}

fn num(v: f64) -> String {
    rivya_rules::wire::format_number(v)
}

fn param(out: &mut String, p: &Param, rust_name: Option<&str>) {
    let _ = writeln!(out, "  - key: {}", s(&p.key));
    let ty = match p.kind {
        Kind::Select { .. } => "select",
        Kind::Number { .. } => "number",
        Kind::Text { .. } => "text",
        Kind::Url => "url",
        Kind::List { .. } => "list",
    };
    let _ = writeln!(out, "    type: {ty}");
    let _ = writeln!(out, "    description: {}", s(&p.description));
    if let Some(n) = rust_name {
        let _ = writeln!(out, "    rust_name: {n}");
    }
    if p.required {
        let _ = writeln!(out, "    required: true");
    }
    match &p.kind {
        Kind::Select { options, default } => {
            let _ = writeln!(out, "    options: {}", list(options));
            if let Some(d) = default {
                let _ = writeln!(out, "    default: {}", s(d));
            }
        }
        Kind::Number {
            integer,
            range,
            default,
        } => {
            if *integer {
                let _ = writeln!(out, "    integer: true");
            }
            for (name, v) in [
                ("min", range.min),
                ("max", range.max),
                ("step", range.step),
                ("default", *default),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "    {name}: {}", num(v));
                }
            }
        }
        Kind::Text { default } => {
            if let Some(d) = default {
                let _ = writeln!(out, "    default: {}", s(d));
            }
        }
        Kind::Url => {}
        Kind::List { fields } => {
            let _ = writeln!(out, "    item:");
            let _ = writeln!(out, "      fields:");
            for f in fields {
                let _ = writeln!(out, "        - key: {}", s(f));
                let _ = writeln!(
                    out,
                    "          description: {}",
                    s(&super::params::humanize(f))
                );
            }
        }
    }
}

fn block(out: &mut String, name: &str, json: &str) {
    let _ = writeln!(out, "  {name}: |");
    for line in json.lines() {
        let _ = writeln!(out, "    {line}");
    }
}

/// The draft's YAML text.
pub fn write(d: &Draft) -> String {
    let mut out = String::new();
    out.push_str("# yaml-language-server: $schema=schema.json\n");
    let _ = writeln!(
        out,
        "# Imported from {} by `cargo xtask import`; review it against the page.",
        d.file
    );
    for w in &d.warnings {
        let _ = writeln!(out, "# TODO: {w}");
    }
    let _ = writeln!(out, "id: {}", s(&d.id));
    let _ = writeln!(out, "display_name: {}", s(&d.display_name));
    let _ = writeln!(out, "capability: {}", d.capability);
    let _ = writeln!(out, "inputs: {}", list(&d.inputs));
    let files_api = if d.upload.is_some() {
        "required_for_reference_modes"
    } else {
        "not_required"
    };
    let _ = writeln!(out, "files_api: {files_api}");
    let _ = writeln!(out, "billing: {}", d.billing);
    let _ = writeln!(out, "base_credits: {}", d.base_credits);
    let _ = writeln!(out, "prompt:");
    let _ = writeln!(out, "  required: {}", d.prompt_required);
    if let Some(m) = d.prompt_max {
        let _ = writeln!(out, "  max_chars: {m}");
    }
    if d.params_required {
        let _ = writeln!(out, "params_required: true");
    }
    if d.params.is_empty() && d.chat.is_some() {
        // A chat model's fields are the shared chat fields: no params section.
    } else if d.params.is_empty() {
        let _ = writeln!(out, "params: []");
    } else {
        let _ = writeln!(out, "params:");
        for p in &d.params {
            let rust_name = d
                .rust_names
                .iter()
                .find(|(k, _)| *k == p.key)
                .map(|(_, n)| n.as_str());
            param(&mut out, p, rust_name);
        }
    }
    upload(&mut out, d);
    chat(&mut out, d);
    provenance(&mut out, d);
    out
}

/// The upload policy, with a reference rule built from the facts (the page's own is prose).
fn upload(out: &mut String, d: &Draft) {
    if let Some(super::upload::Upload { max_files, kinds }) = &d.upload {
        let _ = writeln!(out, "upload:");
        let _ = writeln!(out, "  max_files: {max_files}");
        let _ = writeln!(out, "  kinds:");
        for k in kinds {
            let _ = writeln!(out, "    - kind: {}", k.kind);
            let _ = writeln!(out, "      max_size_mb: {}", k.max_size_mb);
            let _ = writeln!(out, "      mime_types: {}", list(&k.mime_types));
        }
        let names: Vec<&str> = kinds.iter().map(|k| k.kind.as_str()).collect();
        let rule = format!(
            "Up to {max_files} reference file{} ({}).",
            if *max_files == 1 { "" } else { "s" },
            names.join(" or ")
        );
        let _ = writeln!(out, "  reference_rule: {}", s(&rule));
    }
}

/// A chat page's take on the shared chat fields.
fn chat(out: &mut String, d: &Draft) {
    if let Some(c) = &d.chat {
        let _ = writeln!(out, "chat:");
        if let Some(n) = c.max_attachments {
            let _ = writeln!(out, "  max_attachments: {n}");
        }
        if !c.without.is_empty() {
            let without: Vec<String> = c.without.iter().map(|w| (*w).to_owned()).collect();
            let _ = writeln!(out, "  without: {}", list(&without));
        }
    }
}

/// Notes, source and examples.
fn provenance(out: &mut String, d: &Draft) {
    if !d.notes.is_empty() {
        let _ = writeln!(out, "notes:");
        for n in &d.notes {
            let _ = writeln!(out, "  - {}", s(n));
        }
    }
    let _ = writeln!(out, "source:");
    let _ = writeln!(out, "  url: {}", s(&d.url));
    let _ = writeln!(out, "  language: {}", s(&d.language));
    let _ = writeln!(out, "  reviewed: \"{}\"", d.reviewed);
    if d.partial {
        let _ = writeln!(out, "  partial: true");
    }
    if d.minimal.is_some() || d.reference.is_some() {
        let _ = writeln!(out, "examples:");
        if let Some(m) = &d.minimal {
            block(out, "minimal", m);
        }
        if let Some(r) = &d.reference {
            block(out, "reference", r);
        }
    }
}
