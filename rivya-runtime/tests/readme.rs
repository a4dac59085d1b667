//! The README's Rust stays true: every ```rust block is a whole program kept identical to the
//! example file its marker names (compiled by `cargo build --examples` and clippy), and the
//! "Use it as a library" `[dependencies]` lines name every crate those programs use, at this
//! workspace's version, with the tokio features they need.

use std::path::Path;

const MARKER: &str = "<!-- readme-example: ";
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

/// Every ```rust block of the README, with the example file its marker names.
fn rust_blocks(readme: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find("```rust\n") {
        let before = &rest[..at];
        let marker = before.trim_end().lines().last().unwrap_or("");
        let file = marker
            .strip_prefix(MARKER)
            .and_then(|m| m.split_whitespace().next())
            .unwrap_or_else(|| {
                panic!(
                    "a ```rust block of README.md is not an example file (no `{MARKER}` line \
                     before it; it was preceded by `{marker}`)"
                )
            });
        let block = fenced(&rest[at..], "rust");
        let after = &rest[at + "```rust\n".len() + block.len() + "```\n".len()..];
        assert!(
            after.trim_start().starts_with(END),
            "the block of {file} lacks its end marker"
        );
        blocks.push((file, block));
        rest = after;
    }
    blocks
}

#[test]
fn every_readme_rust_block_is_a_compiled_example() {
    let readme = read("README.md");
    let blocks = rust_blocks(&readme);
    assert!(blocks.len() >= 5, "{} blocks", blocks.len());
    for (file, block) in blocks {
        let example = read(file);
        assert!(
            block == example,
            "README.md's block and {file} differ: copy the example (which is compiled) into \
             the README block"
        );
        assert!(
            block.contains("fn main()"),
            "{file}: a whole program, not a snippet"
        );
    }
    // The library section's program is the first of them.
    let section = section(&readme);
    assert!(section.contains(&format!("{MARKER}rivya-runtime/examples/readme.rs")));
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
    // Every crate a README program names is a dependency (`std` aside).
    let programs: Vec<String> = rust_blocks(&readme)
        .into_iter()
        .map(|(file, _)| read(file))
        .collect();
    let program = programs.concat();
    let mut used: Vec<&str> = program
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_:.".contains(c)))
        // A method call (`.model::<M>()`) is not a crate path.
        .filter(|w| !w.contains('.'))
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
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{name} = "))
                    || l.starts_with(&format!("{root} = "))),
            "a README program uses `{root}` but the [dependencies] block lacks `{name}`"
        );
    }
}
