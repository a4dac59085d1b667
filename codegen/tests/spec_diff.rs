//! Classified spec diffs, one fixture pair per rule: `diff/base.yaml` against a copy with one
//! edit. Reviewers see what a spec change means, next to the code it changes.

mod common;

use codegen::SpecSource;
use codegen::diff::{self, Class};

fn base() -> SpecSource {
    let text =
        std::fs::read_to_string(common::root().join("codegen/tests/diff/base.yaml")).unwrap();
    SpecSource {
        label: "base.yaml".to_owned(),
        file_name: "base.yaml".to_owned(),
        text,
    }
}

/// (rule, the text to replace, its replacement, the class every change must have)
const RULES: &[(&str, &str, &str, Class)] = &[
    (
        "option-removed",
        "options: [\"5\", \"10\"]",
        "options: [\"5\"]",
        Class::Breaking,
    ),
    (
        "option-added",
        "options: [\"5\", \"10\"]",
        "options: [\"5\", \"10\", \"15\"]",
        Class::Additive,
    ),
    (
        "param-removed",
        "  - key: negative_prompt\n    type: text\n    description: What to avoid\n",
        "",
        Class::Breaking,
    ),
    (
        "optional-param-added",
        "upload:",
        "  - key: style\n    type: text\n    description: Style\nupload:",
        Class::Additive,
    ),
    (
        "required-param-added",
        "upload:",
        "  - key: style\n    type: text\n    description: Style\n    required: true\nupload:",
        Class::Breaking,
    ),
    (
        "param-became-required",
        "    description: What to avoid\n",
        "    description: What to avoid\n    required: true\n",
        Class::Breaking,
    ),
    (
        "type-changed",
        "  - key: negative_prompt\n    type: text",
        "  - key: negative_prompt\n    type: number",
        Class::Breaking,
    ),
    (
        "integer-became-decimal",
        "    integer: true\n",
        "",
        Class::Breaking,
    ),
    (
        "max-tightened",
        "    max: 2147483647",
        "    max: 99999",
        Class::Breaking,
    ),
    (
        "min-relaxed",
        "    min: 0\n    max: 2147483647",
        "    min: -1\n    max: 2147483647",
        Class::Additive,
    ),
    (
        "step-changed",
        "    step: 0.1",
        "    step: 0.25",
        Class::Breaking,
    ),
    (
        "step-refined",
        "    step: 0.1",
        "    step: 0.05",
        Class::Additive,
    ),
    (
        "prompt-limit-tightened",
        "max_chars: 2000",
        "max_chars: 1000",
        Class::Breaking,
    ),
    (
        "prompt-limit-relaxed",
        "max_chars: 2000",
        "max_chars: 5000",
        Class::Additive,
    ),
    (
        "default-changed",
        "    default: \"5\"\n",
        "    default: \"10\"\n",
        Class::Behavior,
    ),
    (
        "credits-changed",
        "base_credits: 50",
        "base_credits: 60",
        Class::Behavior,
    ),
    (
        "billing-changed",
        "billing: fixed",
        "billing: metered",
        Class::Behavior,
    ),
    (
        "files-tightened",
        "max_files: 2",
        "max_files: 1",
        Class::Breaking,
    ),
    (
        "size-relaxed",
        "max_size_mb: 10",
        "max_size_mb: 20",
        Class::Additive,
    ),
    (
        "mime-removed",
        "[image/jpeg, image/png]",
        "[image/jpeg]",
        Class::Breaking,
    ),
    (
        "variant-renamed",
        "    variant_prefix: S\n",
        "",
        Class::Breaking,
    ),
    (
        "description-changed",
        "description: Seed",
        "description: Random seed",
        Class::Docs,
    ),
];

#[test]
fn each_rule_is_classified() {
    let before = base();
    for (rule, from, to, class) in RULES {
        assert!(
            before.text.contains(from),
            "{rule}: the base has no `{from}`"
        );
        let after = SpecSource {
            text: before.text.replacen(from, to, 1),
            ..before.clone()
        };
        let changes = diff::diff_specs(std::slice::from_ref(&before), &[after])
            .unwrap_or_else(|d| panic!("{rule}: {d}"));
        assert!(!changes.is_empty(), "{rule}: no change found");
        assert!(
            changes.iter().all(|c| c.class == *class),
            "{rule}: {changes:#?}"
        );
        insta::with_settings!({
            snapshot_path => "snapshots/diff",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(*rule, diff::render_text(&changes));
        });
    }
}

#[test]
fn models_added_and_removed() {
    let a = base();
    let mut b = a.clone();
    b.text = b.text.replace("id: base", "id: other");
    b.file_name = "other.yaml".to_owned();
    let changes = diff::diff_specs(std::slice::from_ref(&a), std::slice::from_ref(&b)).unwrap();
    let classes: Vec<Class> = changes.iter().map(|c| c.class).collect();
    assert_eq!(classes, [Class::Breaking, Class::Additive]);
    insta::with_settings!({
        snapshot_path => "snapshots/diff",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("model-renamed", diff::render_markdown(&changes));
    });
    let json: serde_json::Value = serde_json::from_str(&diff::render_json(&changes)).unwrap();
    assert_eq!(json[0]["class"], "breaking");
    assert_eq!(json[0]["model"], "base");
}

#[test]
fn no_change_no_output() {
    let a = base();
    let changes = diff::diff_specs(std::slice::from_ref(&a), std::slice::from_ref(&a)).unwrap();
    assert!(changes.is_empty());
    assert_eq!(
        diff::render_text(&changes),
        "0 changes: 0 breaking, 0 behavior, 0 additive, 0 docs\n"
    );
}

/// A chat spec's changes: fewer attachments or a shared field dropped is breaking, more or a
/// field taken again is additive.
#[test]
fn chat_changes_are_classified() {
    let text =
        std::fs::read_to_string(common::root().join("specs/gpt-5-3-codex-chat.yaml")).unwrap();
    let spec = |text: String| SpecSource {
        label: "gpt-5-3-codex-chat.yaml".to_owned(),
        file_name: "gpt-5-3-codex-chat.yaml".to_owned(),
        text,
    };
    let before = spec(text.clone());
    for (from, to, class) in [
        ("max_attachments: 10", "max_attachments: 4", Class::Breaking),
        (
            "max_attachments: 10",
            "max_attachments: 16",
            Class::Additive,
        ),
        (
            "max_attachments: 10",
            "max_attachments: 10\n  without: [enable_web_search]",
            Class::Breaking,
        ),
        ("max_chars: 20000", "max_chars: 30000", Class::Additive),
    ] {
        assert!(text.contains(from));
        let after = spec(text.replace(from, to));
        let changes = diff::diff_specs(std::slice::from_ref(&before), &[after]).unwrap();
        assert!(!changes.is_empty(), "{to}");
        assert!(
            changes.iter().all(|c| c.class == class),
            "{to}: {changes:#?}"
        );
        // And the other way round.
        let back = diff::diff_specs(
            &[spec(text.replace(from, to))],
            std::slice::from_ref(&before),
        )
        .unwrap();
        assert!(!back.is_empty());
    }
}
