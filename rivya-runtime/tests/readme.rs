//! The README's "Use it as a library" section stays true: its program is
//! `examples/readme.rs` (compiled by `cargo build --examples` and clippy), and its
//! `[dependencies]` lines name every crate the program uses, at this workspace's version, with
//! the tokio features it needs.

use std::path::Path;

const START: &str = "<!-- readme-example: rivya-runtime/examples/readme.rs";
const END: &str = "<!-- readme-example: end -->";

fn read(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The section "Use it as a library", up to the next `## ` heading.
fn section(readme: &str) -> &str {
    let at = readme
        .find("\n## Use it as a library\n")
        .expect("README has a section `## Use it as a library`");
    let rest = &readme[at + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// The body of the first fenced block of `lang` after `from`.
fn fenced<'a>(text: &'a str, lang: &str) -> &'a str {
    let open = format!("```{lang}\n");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{lang} block"))
        + open.len();
    let len = text[start..].find("```\n").expect("an unclosed block");
    &text[start..start + len]
}

#[test]
fn the_readme_program_is_the_compiled_example() {
    let readme = read("README.md");
    let section = section(&readme);
    let start = section.find(START).expect("the example's start marker");
    let end = section.find(END).expect("the example's end marker");
    let block = fenced(&section[start..end], "rust");
    let example = read("rivya-runtime/examples/readme.rs");
    assert!(
        block == example,
        "README.md's library program and rivya-runtime/examples/readme.rs differ: copy the \
         example (which is compiled) into the README block"
    );
    assert!(
        block.contains("fn main()"),
        "a whole program, not a snippet"
    );
}

#[test]
fn the_dependency_lines_cover_what_the_program_uses() {
    let readme = read("README.md");
    let section = section(&readme);
    let toml = fenced(section, "toml");
    let lines: Vec<&str> = toml.lines().map(str::trim).collect();
    assert_eq!(lines.first(), Some(&"[dependencies]"), "{toml}");
    let version = env!("CARGO_PKG_VERSION");
    for krate in ["rivya-models", "rivya-runtime"] {
        let want = format!("{krate} = \"{version}\"");
        assert!(
            lines.contains(&want.as_str()),
            "missing `{want}` in:\n{toml}"
        );
    }
    let tokio = lines
        .iter()
        .find(|l| l.starts_with("tokio = "))
        .expect("a tokio line");
    for feature in ["\"macros\"", "\"rt-multi-thread\""] {
        assert!(tokio.contains(feature), "tokio needs {feature}: {tokio}");
    }
    // Every crate the program names is a dependency (`std` aside).
    let program = read("rivya-runtime/examples/readme.rs");
    let mut used: Vec<&str> = program
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter_map(|w| w.split_once("::").map(|(root, _)| root))
        .filter(|root| !root.is_empty() && root.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .filter(|root| !["std", "self", "crate", "super"].contains(root))
        .collect();
    used.sort_unstable();
    used.dedup();
    assert!(
        used.contains(&"rivya_runtime") && used.contains(&"tokio"),
        "{used:?}"
    );
    for root in used {
        let name = root.replace('_', "-");
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{name} = "))),
            "the program uses `{root}` but the [dependencies] block lacks `{name}`"
        );
    }
}
