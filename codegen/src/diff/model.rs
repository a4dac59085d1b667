//! Model-level comparisons: names, header facts, the request shape, upload and provenance.

use super::{Bound, Class, Out, limit, param::param};
use crate::ir::{Chat, Model, Upload};

/// Compares two versions of a model. Every field of [`Model`] is named below, so a field added
/// to the IR does not compile until it is compared here (or said not to matter).
pub(super) fn model(o: &mut Out<'_>, a: &Model, b: &Model) {
    let Model {
        spec_file: _, // where it was read from
        spec_hash: _, // derived from the whole text
        id: _,        // the key the two versions were matched by
        display_name: _,
        module: _,
        marker: _,
        capability: _,
        inputs: _,
        files_api: _,
        billing: _,
        base_credits: _, // all compared in `header`
        prompt_required: _,
        prompt_max_chars: _,
        params_required: _,
        params: _, // compared in `request`
        upload: _, // compared in `upload`
        chat: _,   // compared in `chat`
        notes: _,
        source_url: _,
        reviewed: _, // a review date is not a change of the page
        partial: _,
        minimal_example: _,
        reference_example: _, // compared in `provenance`
    } = a;
    header(o, a, b);
    request(o, a, b);
    upload(o, a.upload.as_ref(), b.upload.as_ref());
    chat(o, a.chat, b.chat);
    provenance(o, a, b);
}

/// A chat model's attachments and shared fields: taking less is breaking, more is additive.
fn chat(o: &mut Out<'_>, a: Option<Chat>, b: Option<Chat>) {
    use Class::*;
    let (Some(a), Some(b)) = (a, b) else {
        if a.is_some() != b.is_some() {
            o.add(
                Breaking,
                "chat",
                "a chat model became a generation model, or back",
            );
        }
        return;
    };
    let (an, bn) = (f64::from(a.max_attachments), f64::from(b.max_attachments));
    limit(o, "chat.max_attachments", Some(an), Some(bn), Bound::Max);
    for (key, was, now) in [
        ("enable_web_search", a.web_search, b.web_search),
        ("reasoning_effort", a.reasoning_effort, b.reasoning_effort),
    ] {
        match (was, now) {
            (true, false) => o.add(Breaking, "chat.without", format!("`{key}` no longer taken")),
            (false, true) => o.add(Additive, "chat.without", format!("`{key}` now taken")),
            _ => {}
        }
    }
}

/// Names and the header's facts.
fn header(o: &mut Out<'_>, a: &Model, b: &Model) {
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
}

/// What a request may and must carry: the prompt, the params object and each param.
fn request(o: &mut Out<'_>, a: &Model, b: &Model) {
    use Class::*;
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
}

/// Notes, source and examples: documentation.
fn provenance(o: &mut Out<'_>, a: &Model, b: &Model) {
    use Class::*;
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
