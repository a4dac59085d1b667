//! Data flows one way inside a crate too: no module reaches, through its `crate::`/`super::`
//! paths, a module that reaches it back. Shared pieces live in leaf modules instead.
//!
//! The scan is textual (comment lines and `#[cfg(test)]` tails ignored), which is enough for
//! this workspace's style: paths are written out, and an item reached through a re-export of
//! the crate root (`crate::Client`) counts as a use of the module that defines it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every module of a crate (`a::b`, the root being ``), with its code.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts.join("::"), code(&fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// The code a module runs: comment lines dropped, its test module cut off.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths written after `crate::` / `super::` at `at`, `{a, b::c}` groups expanded.
fn paths(text: &str, prefix: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut path = prefix.to_vec();
    let mut rest = text;
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                let end = matching_brace(group);
                for item in split_top(&group[..end]) {
                    out.extend(paths(item.trim(), &path));
                }
                return out;
            }
            break;
        }
        path.push(ident.clone());
        rest = &rest[ident.len()..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out.push(path);
    out
}

fn matching_brace(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    s.len()
}

fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The modules each module uses (its own ancestors aside: a parent dispatching to its children
/// is the structure, not a circle).
fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<&str, BTreeSet<&str>> {
    let reexports = root_reexports(mods);
    let mut graph = BTreeMap::new();
    for (name, text) in mods {
        let me: Vec<String> = name
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut used = BTreeSet::new();
        for (kw, base) in [
            ("crate::", Vec::new()),
            ("super::", me[..me.len().saturating_sub(1)].to_vec()),
        ] {
            for (at, _) in text.match_indices(kw) {
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                for mut p in paths(&text[at + kw.len()..], &base) {
                    // An item the crate root re-exports is used from where it is defined.
                    if let Some(defined) = p.first().and_then(|first| reexports.get(first)) {
                        p = defined.clone();
                    }
                    if let Some(target) = longest_module(mods, &p)
                        && target != name
                        && !name.starts_with(&format!("{target}::"))
                        && !target.is_empty()
                    {
                        used.insert(target);
                    }
                }
            }
        }
        graph.insert(name.as_str(), used);
    }
    graph
}

/// The items the crate root re-exports (`pub use event::{Event, Observer};`), by name, with
/// the path to where each is defined.
fn root_reexports(mods: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(root) = mods.get("") else {
        return out;
    };
    for (at, _) in root.match_indices("use ") {
        let before = root[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let text = &root[at + "use ".len()..];
        let text = text.strip_prefix("crate::").unwrap_or(text);
        let text = &text[..text.find(';').unwrap_or(text.len())];
        let flat: String = text.split_whitespace().collect();
        for p in paths(&flat, &[]) {
            let local = p.first().is_some_and(|m| mods.contains_key(m));
            if let (true, Some(name)) = (local, p.last()) {
                out.insert(name.clone(), p.clone());
            }
        }
    }
    out
}

fn longest_module<'a>(mods: &'a BTreeMap<String, String>, path: &[String]) -> Option<&'a str> {
    (0..=path.len()).rev().find_map(|n| {
        mods.get_key_value(&path[..n].join("::"))
            .map(|(k, _)| k.as_str())
    })
}

/// Groups of modules that reach one another.
fn circles<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<BTreeSet<&'a str>> {
    let reach = |from: &'a str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(m) = stack.pop() {
            for &n in graph.get(m).into_iter().flatten() {
                if seen.insert(n) {
                    stack.push(n);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<&str>> = graph.keys().map(|&m| (m, reach(m))).collect();
    let mut groups: Vec<BTreeSet<&str>> = Vec::new();
    for (&m, r) in &reached {
        if !r.contains(m) || groups.iter().any(|g| g.contains(m)) {
            continue;
        }
        groups.push(
            r.iter()
                .copied()
                .filter(|n| reached[n].contains(m))
                .collect(),
        );
    }
    groups
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut found = Vec::new();
    for entry in fs::read_dir(root()).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() || !src.parent().unwrap().join("Cargo.toml").is_file() {
            continue;
        }
        let mods = modules(&src);
        let graph = edges(&mods);
        for group in circles(&graph) {
            let lines: Vec<String> = group
                .iter()
                .map(|m| {
                    let to: Vec<&str> = graph[m]
                        .iter()
                        .copied()
                        .filter(|n| group.contains(n))
                        .collect();
                    format!("    {m} -> {}", to.join(", "))
                })
                .collect();
            let krate = src
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            found.push(format!("{krate}:\n{}", lines.join("\n")));
        }
    }
    assert!(
        found.is_empty(),
        "modules that use one another (move what they share into a leaf module):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_groups_and_super_paths() {
    let mods: BTreeMap<String, String> = [
        ("", "mod a;\npub use e::{\n    Z,\n};"),
        ("a", "use crate::{b::{self, X}, c};"),
        ("b", "use super::a::Y;"),
        ("c", "let x = crate::d::f();"),
        ("d", "// crate::a is only mentioned"),
        ("e", "use crate::Z; use crate::f::W;"),
        ("f", "use crate::Z;"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), code(v)))
    .collect();
    let graph = edges(&mods);
    assert_eq!(graph["a"], BTreeSet::from(["b", "c"]));
    assert_eq!(graph["b"], BTreeSet::from(["a"]));
    assert!(graph["d"].is_empty());
    // `crate::Z` is `e::Z` re-exported by the root: f uses e, e uses f, a circle.
    assert_eq!(graph["f"], BTreeSet::from(["e"]));
    assert_eq!(
        circles(&graph),
        vec![BTreeSet::from(["a", "b"]), BTreeSet::from(["e", "f"])]
    );
}
