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
