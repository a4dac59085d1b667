//! The spec's header: id and file name, inputs and upload agreement, prompt, source, notes, and
//! the `# TODO` markers a draft may still carry.

use rivya_rules::{Capability, FilesApi, Input};

use super::Ctx;
use crate::diag::Diagnostic;
use crate::spec::Spec;

pub(super) fn check_header(cx: &mut Ctx<'_>, spec: &Spec, file_name: &str) {
    let id_ok = crate::naming::is_model_id(&spec.id);
    if !id_ok {
        cx.err(
            "id",
            format!(
                "`{}` is not a model id (lowercase letters, digits, `-`, `.`; at least one letter)",
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
        cx.err("inputs", "list at least one input (`text`, `file`, `url`)");
    }
    for (i, input) in spec.inputs.iter().enumerate() {
        if spec.inputs[..i].contains(input) {
            cx.err(format!("inputs[{i}]"), "listed twice");
        }
    }
    if spec.capability != Capability::Chat {
        check_upload_agreement(cx, spec);
    }
    if spec.prompt.max_chars == Some(0) {
        cx.err(
            "prompt.max_chars",
            "must be positive; omit it when the page documents no limit",
        );
    }
    check_source(cx, spec);
}

/// A generation model's inputs, Files API line and upload policy tell the same story.
fn check_upload_agreement(cx: &mut Ctx<'_>, spec: &Spec) {
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
    let takes_url = spec.inputs.contains(&Input::Url);
    let has_url_param = spec.params.iter().any(|p| {
        matches!(
            p,
            crate::spec::Lenient::Ok(crate::spec::ParamSpec::Url { .. })
        )
    });
    if takes_url != has_url_param {
        cx.err(
            "inputs",
            "`url` among the inputs goes with a `type: url` param, and a url param with it",
        );
    }
}

/// A draft's `# TODO` markers are facts still to check: only a spec marked `partial` (whose
/// page is cut off, as its notes must say) may ship with them.
/// Provenance (URL, language, review date) and the prose notes.
fn check_source(cx: &mut Ctx<'_>, spec: &Spec) {
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

pub(super) fn check_todos(cx: &mut Ctx<'_>, spec: &Spec, text: &str) {
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
