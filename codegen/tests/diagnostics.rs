//! Broken specs: every problem is reported with file, line, column and YAML path, and the
//! generator never panics, whatever the input.

mod common;

use codegen::SpecSource;
use common::{specs_in, stem};

#[test]
fn broken_specs_report_every_problem() {
    let specs = specs_in("codegen/tests/broken");
    assert!(specs.len() >= 6);
    for spec in &specs {
        let diags = codegen::generate_one(spec).expect_err("a broken spec must not generate");
        insta::with_settings!({
            snapshot_path => "snapshots/diagnostics",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem(spec), diags.to_string());
        });
    }
}

#[test]
fn semantic_errors_are_all_reported_at_once() {
    let spec = specs_in("codegen/tests/broken")
        .into_iter()
        .find(|s| s.file_name == "semantic.yaml")
        .unwrap();
    let diags = codegen::generate_one(&spec).unwrap_err();
    let paths: Vec<&str> = diags.0.iter().map(|d| d.path.as_str()).collect();
    for want in [
        "params[0].default",
        "params[0].options[2]",
        "params[1].min",
        "params[2].default",
        "params[3].default",
        "params[4].min",
        "params[6].key",
        "params[7].options[1]",
        "params[8]",
    ] {
        assert!(
            paths.iter().any(|p| p.starts_with(want)),
            "missing {want} in {paths:?}"
        );
    }
    assert!(
        diags.0.iter().all(|d| d.line > 1),
        "every error points at its line"
    );
}

#[test]
fn generate_reports_errors_of_every_spec() {
    let specs = specs_in("codegen/tests/broken");
    let diags = codegen::generate(&specs, codegen::Layout::Catalog).unwrap_err();
    let files: std::collections::BTreeSet<&str> = diags.0.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files.len(), specs.len());
}

/// Every prefix of a valid spec, and every line dropped in turn, must produce either code or
/// diagnostics — never a panic.
#[test]
fn truncated_and_mangled_specs_never_panic() {
    for spec in specs_in("specs").iter().take(4) {
        let text = &spec.text;
        let cuts = (0..text.len())
            .step_by(13)
            .filter(|&i| text.is_char_boundary(i));
        for cut in cuts {
            let s = SpecSource {
                text: text[..cut].to_owned(),
                ..spec.clone()
            };
            let _ = codegen::generate_one(&s);
        }
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let mangled: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            let s = SpecSource {
                text: mangled.join("\n"),
                ..spec.clone()
            };
            let _ = codegen::generate_one(&s);
        }
    }
}

/// Hostile input gets one clear error naming the limit — before a parser can overflow its
/// stack or spend long on it.
#[test]
fn hostile_specs_hit_a_stated_limit() {
    let valid = specs_in("specs").into_iter().next().unwrap();
    let spec = |text: String| SpecSource {
        text,
        ..valid.clone()
    };
    let modeline = "# yaml-language-server: $schema=schema.json\n";
    let flow = format!("{modeline}id: {}\n", "[".repeat(100_000));
    let block: String = (0..1_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let many_params: String = (0..20_000)
        .map(|i| format!("  - {{key: p{i}, type: text, description: d}}\n"))
        .collect();
    let huge = format!("{modeline}notes:\n  - \"{}\"\n", "x".repeat(2 << 20));
    for (text, want) in [
        (flow, "nesting deeper than 32 levels"),
        (
            format!("{modeline}{block}"),
            "nesting deeper than 32 levels",
        ),
        (
            format!(
                "{modeline}id: many\ndisplay_name: Many\ncapability: image\ninputs: [text]\n\
                 files_api: not_required\nbilling: fixed\nbase_credits: 1\nprompt:\n  required: true\n\
                 source: {{url: \"https://example.com\", language: en, reviewed: \"2026-11-22\"}}\n\
                 params:\n{many_params}"
            ),
            "20000 params; the limit is 1000 per spec",
        ),
        (huge, "the limit is 1048576 bytes (1 MiB)"),
    ] {
        let err = codegen::generate_one(&spec(text)).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert!(err.0[0].message.contains(want), "{err}");
    }
}
