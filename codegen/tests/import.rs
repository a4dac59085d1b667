//! The page importer: fixtures for each rendering and a cut-off page (snapshotted), every real
//! page in ../shared/pages (when present), and the seed pages against the hand-written specs.

mod common;

use std::path::PathBuf;

use codegen::SpecSource;
use codegen::diff::{self, Class};
use common::{root, specs_in};

const REVIEWED: &str = "2026-11-21";

fn import(path: &std::path::Path) -> codegen::import::Imported {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    codegen::import::import_page(&text, &name, REVIEWED).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The draft as written, `# TODO` markers included.
fn raw_spec(imported: &codegen::import::Imported) -> SpecSource {
    SpecSource {
        label: format!("draft/{}.yaml", imported.id),
        file_name: format!("{}.yaml", imported.id),
        text: imported.yaml.clone(),
    }
}

/// The draft once a maintainer has looked at every `# TODO` (here: deleted the markers).
fn spec_of(imported: &codegen::import::Imported) -> SpecSource {
    SpecSource {
        text: imported.without_todos(),
        ..raw_spec(imported)
    }
}

/// `gen` refuses a draft with unresolved TODO markers unless it is partial — and for nothing
/// else once they are resolved.
fn assert_only_todos_block(imported: &codegen::import::Imported, name: &str) {
    let todos = imported
        .yaml
        .lines()
        .filter(|l| l.starts_with("# TODO"))
        .count();
    match codegen::generate_one(&raw_spec(imported)) {
        Ok(_) => assert!(
            todos == 0 || imported.partial,
            "{name}: {todos} TODO markers, yet gen accepted the draft"
        ),
        Err(d) => {
            assert!(
                !imported.partial,
                "{name}: partial drafts may keep TODOs: {d}"
            );
            assert_eq!(d.0.len(), todos, "{name}: {d}");
            assert!(
                d.0.iter()
                    .all(|d| d.message.starts_with("unresolved `TODO")),
                "{name}: {d}"
            );
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    root().join("codegen/tests/import").join(name)
}

#[test]
fn fixtures_import_to_checked_drafts() {
    for (name, partial) in [
        ("demo-video.es.txt", false),
        ("demo-audio.nl.txt", false),
        ("demo-cut.en.txt", true),
        ("demo-image.en.txt", false),
        ("demo-image-layout.en.txt", false),
        ("demo-image-badges.en.txt", false),
        ("demo-video.ru.txt", false),
        ("demo-refs.en.txt", false),
        ("demo-refs-cut.en.txt", true),
    ] {
        let imported = import(&fixture(name));
        assert_eq!(imported.partial, partial, "{name}");
        assert_only_todos_block(&imported, name);
        codegen::generate_one(&spec_of(&imported)).unwrap_or_else(|d| panic!("{name}: {d}"));
        insta::with_settings!({
            snapshot_path => "snapshots/import",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name.trim_end_matches(".txt"), imported.yaml);
        });
    }
}

#[test]
fn flattened_rows_come_apart_by_shape() {
    let yaml = import(&fixture("demo-audio.nl.txt")).yaml;
    for line in [
        "options: [AbC12dEf, XyZ98wVu]",
        "default: AbC12dEf",
        "required: true",
        "step: 0.05",
        "options: [mp3_44100_128, pcm_16000]",
        "params_required: true",
        "billing: metered",
    ] {
        assert!(yaml.contains(line), "missing `{line}` in\n{yaml}");
    }
    assert!(!yaml.contains("max_chars"), "no documented limit");
}

/// The facts (not the docs) on which two drafts of the same model differ.
fn fact_changes(a: &codegen::import::Imported, b: &codegen::import::Imported) -> Vec<String> {
    let changes = diff::diff_specs(&[spec_of(a)], &[spec_of(b)]).unwrap();
    changes
        .iter()
        .filter(|c| c.class != Class::Docs)
        .map(|c| format!("{c:?}"))
        .collect()
}

/// Layout quirks (reordered contract rows, CRLF, tabs, trailing spaces, blank lines inside
/// tables), a rendering that lost its yes/no badges, and a language the importer has no words
/// for: each imports to the same facts as its plain version.
#[test]
fn page_variants_import_the_same_facts() {
    for (plain, variant) in [
        ("demo-image.en.txt", "demo-image-layout.en.txt"),
        ("demo-image.en.txt", "demo-image-badges.en.txt"),
        ("demo-video.es.txt", "demo-video.ru.txt"),
    ] {
        let (a, b) = (import(&fixture(plain)), import(&fixture(variant)));
        let changes = fact_changes(&a, &b);
        assert!(
            changes.is_empty(),
            "{variant} differs from {plain}: {changes:#?}"
        );
        assert_eq!(
            a.yaml.matches("- key:").count(),
            b.yaml.matches("- key:").count()
        );
    }
    let badges = import(&fixture("demo-image-badges.en.txt"));
    assert!(
        badges
            .warnings
            .iter()
            .any(|w| w.contains("no required/optional words"))
    );
    let ru = import(&fixture("demo-video.ru.txt"));
    assert!(ru.yaml.contains("capability: video"));
    assert!(
        ru.warnings
            .iter()
            .any(|w| w.contains("`Видео` is not a known word"))
    );
}

#[test]
fn a_params_table_with_a_model_row_is_not_the_contract() {
    let imported = import(&fixture("demo-image.en.txt"));
    let yaml = &imported.yaml;
    for line in [
        "  - key: model",
        "    rust_name: model_param",
        "    options: [v1, v2]",
        "  max_chars: 800",
        "  - key: stylet",
    ] {
        assert!(yaml.contains(line), "missing `{line}` in\n{yaml}");
    }
    assert!(!yaml.contains("required: true\n    options"), "{yaml}");
}

#[test]
fn an_unknown_capability_word_without_clues_is_a_todo_that_fails_the_check() {
    let text = std::fs::read_to_string(fixture("demo-cut.en.txt"))
        .unwrap()
        .replace("\nImage\n", "\nКартинка\n");
    let imported = codegen::import::import_page(&text, "demo-cut.ru.txt", REVIEWED).unwrap();
    assert!(
        imported.yaml.contains("capability: TODO"),
        "{}",
        imported.yaml
    );
    let err = codegen::generate_one(&spec_of(&imported)).unwrap_err();
    assert!(
        err.0.iter().any(|d| d.path.starts_with("capability")),
        "{err}"
    );
}

#[test]
fn reference_rules_that_say_more_keep_the_largest_count_and_ask_for_words() {
    let full = import(&fixture("demo-refs.en.txt"));
    assert!(full.yaml.contains("  max_files: 3"), "{}", full.yaml);
    assert!(full.warnings.iter().any(|w| w.contains("says more than")));
    assert!(!full.partial);
    // Cut off inside the upload section: the counts come from the visible sentence.
    let cut = import(&fixture("demo-refs-cut.en.txt"));
    assert!(cut.partial);
    assert!(cut.yaml.contains("  max_files: 3"), "{}", cut.yaml);
    assert!(
        cut.warnings
            .iter()
            .any(|w| w.contains("taken from the rule sentence"))
    );
    assert!(cut.yaml.contains("\nnotes:\n"), "a partial draft says why");
}

#[test]
fn whole_numbers_without_a_step_are_integers_only_with_a_todo() {
    let imported = import(&fixture("demo-image.en.txt"));
    assert!(
        imported
            .yaml
            .contains("# TODO: `seed` is read as an integer")
    );
    assert!(
        !imported.yaml.contains("# TODO: `guidance`"),
        "guidance has a step"
    );
}

#[test]
fn garbage_is_refused_with_a_reason() {
    let err = codegen::import::import_page("just some text\nwithout structure", "x.txt", REVIEWED)
        .unwrap_err();
    assert!(err.to_string().contains("inputs"), "{err}");
    let _ = codegen::import::import_page("", "empty.txt", REVIEWED).unwrap_err();
}

fn shared(dir: &str) -> Option<Vec<PathBuf>> {
    let d = root().join("../shared").join(dir);
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&d)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pages.sort();
    Some(pages)
}

#[test]
fn every_shared_page_imports_and_passes_the_checks() {
    let Some(pages) = shared("pages") else {
        eprintln!("skipped: ../shared/pages is absent");
        return;
    };
    assert!(!pages.is_empty());
    for page in pages {
        let imported = import(&page);
        assert_only_todos_block(&imported, &page.display().to_string());
        codegen::generate_one(&spec_of(&imported))
            .unwrap_or_else(|d| panic!("{}: {d}", page.display()));
    }
}

/// Imported drafts carry the same facts as the shipped specs: every difference is
/// documentation (descriptions, reference-rule wording, notes, source, examples' layout) —
/// except where a test names it.
#[test]
fn seed_pages_import_to_the_hand_written_specs() {
    let Some(pages) = shared("seeds") else {
        eprintln!("skipped: ../shared/seeds is absent");
        return;
    };
    let shipped = specs_in("specs");
    for page in pages {
        let imported = import(&page);
        let hand: Vec<SpecSource> = shipped
            .iter()
            .filter(|s| s.file_name == format!("{}.yaml", imported.id))
            .cloned()
            .collect();
        assert_eq!(hand.len(), 1, "{} has no shipped spec", imported.id);
        let changes = diff::diff_specs(&hand, &[spec_of(&imported)]).unwrap();
        let facts: Vec<_> = changes.iter().filter(|c| c.class != Class::Docs).collect();
        assert!(facts.is_empty(), "{}: {facts:#?}", imported.id);
    }
}

/// Every shipped spec that came from a shared page still agrees with a fresh import of it on
/// all facts; differences are documentation or named here with the reason.
#[test]
fn shipped_specs_agree_with_their_pages() {
    let Some(pages) = shared("pages") else {
        eprintln!("skipped: ../shared/pages is absent");
        return;
    };
    // (model, path): decided by hand, the page states it only as prose or not at all.
    let explained: &[(&str, &str, &str)] = &[(
        "elevenlabs-dialogue-v3",
        "params.dialogue.min_items",
        "an empty dialogue cannot make audio",
    )];
    // Rust names (`rust_name`, `variant_prefix` …) are the SDK's choices, not page facts.
    let naming = |path: &str| {
        ["rust_name", "variant_names", "rust_module", "rust_type"]
            .iter()
            .any(|n| path.ends_with(n))
    };
    let shipped = specs_in("specs");
    for page in pages {
        let imported = import(&page);
        let Some(hand) = shipped
            .iter()
            .find(|s| s.file_name == format!("{}.yaml", imported.id))
        else {
            continue;
        };
        let changes = diff::diff_specs(std::slice::from_ref(hand), &[spec_of(&imported)]).unwrap();
        for c in changes
            .iter()
            .filter(|c| c.class != Class::Docs && !naming(&c.path))
        {
            let ok = explained
                .iter()
                .any(|(m, p, _)| *m == c.model && c.path.starts_with(p));
            assert!(ok, "{} disagrees with its page: {c:?}", imported.id);
        }
    }
}

/// A chat page in a language the importer has no words for, with a text-only model that lacks
/// `reasoning_effort`: the contract's rows decide, and nothing is guessed.
#[test]
fn a_chat_page_never_seen_imports_to_its_facts() {
    let imported = import(&fixture("demo-chat.fr.txt"));
    let yaml = &imported.yaml;
    for line in [
        "capability: chat",
        "inputs: [text]",
        "billing: token_based",
        "base_credits: 2",
        "  max_chars: 8000",
        "  without: [attachments, reasoning_effort]",
        "\"message\": \"Bonjour\"",
    ] {
        assert!(yaml.contains(line), "missing `{line}` in\n{yaml}");
    }
    assert!(!yaml.contains("max_attachments"), "{yaml}");
    assert!(
        !yaml.contains("chat.completion"),
        "the response is no example"
    );
    assert!(!imported.partial);
    assert_only_todos_block(&imported, "demo-chat.fr.txt");
    let model = codegen::generate_one(&spec_of(&imported)).unwrap();
    assert!(model.contains("crate::ChatRequest<Model>"), "{model}");
    assert!(model.contains("max_attachments: 0"), "{model}");
    assert!(model.contains("reasoning_effort: false"), "{model}");
}

/// The chat pages of ../shared in every rendering (markdown, flattened, cut off): the same
/// shared fields, and a cut page is partial without inventing what it does not show.
#[test]
fn chat_pages_import_as_chat_in_every_rendering() {
    let Some(pages) = shared("pages") else {
        eprintln!("skipped: ../shared/pages is absent");
        return;
    };
    let chats: Vec<_> = pages
        .iter()
        .filter(|p| p.to_string_lossy().contains("-chat."))
        .collect();
    for page in &chats {
        let imported = import(page);
        assert!(imported.yaml.contains("capability: chat"), "{page:?}");
        assert!(imported.yaml.contains("  max_attachments: 10"), "{page:?}");
        assert!(!imported.yaml.contains("without:"), "{page:?}");
        let cut = page.to_string_lossy().contains("gpt-5-2-chat.th");
        assert_eq!(imported.partial, cut, "{page:?}");
    }
}
