//! `msrv`: the declared minimum Rust versions against what the dependency tree needs.
//!
//! A CI machine has one toolchain (rustup cannot fetch another offline), so the MSRV is not
//! proven by building with it. What is checked, cheaply, from `cargo metadata`: no workspace
//! crate declares a `rust-version` below that of any crate it builds with (normal and build
//! dependencies, transitively; dev-dependencies do not reach users), and every publishable
//! crate declares one. The language features the code itself uses set the floor in the root
//! `Cargo.toml`, where they are listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, ExitCode};

use serde_json::Value;

/// A `major.minor[.patch]` version, compared numerically.
fn parse(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

fn show((a, b, c): (u64, u64, u64)) -> String {
    format!("{a}.{b}.{c}")
}

pub fn run(root: &Path) -> ExitCode {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", "x86_64-unknown-linux-gnu"])
        .current_dir(root)
        .output();
    let meta: Value = match out {
        Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
        Ok(o) => {
            eprintln!(
                "error: cargo metadata: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: cannot run cargo metadata: {e}");
            return ExitCode::from(2);
        }
    };
    let problems = check(&meta);
    for p in &problems {
        eprintln!("msrv: {p}");
    }
    if problems.is_empty() {
        println!("msrv: every crate's rust-version covers its dependency tree");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Every problem found in `cargo metadata` output.
fn check(meta: &Value) -> Vec<String> {
    let empty = Vec::new();
    let list = |v: &Value| v.as_array().unwrap_or(&empty).clone();
    let packages: BTreeMap<String, Value> = list(&meta["packages"])
        .into_iter()
        .filter_map(|p| Some((p["id"].as_str()?.to_owned(), p)))
        .collect();
    let edges: BTreeMap<String, Vec<String>> = list(&meta["resolve"]["nodes"])
        .into_iter()
        .filter_map(|n| {
            let deps = list(&n["deps"])
                .into_iter()
                .filter(|d| list(&d["dep_kinds"]).iter().any(|k| k["kind"] != "dev"))
                .filter_map(|d| d["pkg"].as_str().map(str::to_owned))
                .collect();
            Some((n["id"].as_str()?.to_owned(), deps))
        })
        .collect();
    let mut problems = Vec::new();
    for member in list(&meta["workspace_members"]) {
        let Some(id) = member.as_str() else { continue };
        let pkg = &packages[id];
        let name = pkg["name"].as_str().unwrap_or(id);
        let publishable = pkg["publish"] != Value::Array(Vec::new());
        let Some(declared) = pkg["rust_version"].as_str().and_then(parse) else {
            if publishable {
                problems.push(format!(
                    "{name} is publishable but declares no rust-version"
                ));
            }
            continue;
        };
        let (mut seen, mut todo) = (BTreeSet::new(), vec![id.to_owned()]);
        while let Some(next) = todo.pop() {
            for dep in edges.get(&next).unwrap_or(&Vec::new()) {
                if seen.insert(dep.clone()) {
                    todo.push(dep.clone());
                }
            }
        }
        for dep in seen {
            let d = &packages[&dep];
            if let Some(needed) = d["rust_version"].as_str().and_then(parse)
                && needed > declared
            {
                problems.push(format!(
                    "{name} declares rust-version {} but builds with {} {}, which needs {}",
                    show(declared),
                    d["name"].as_str().unwrap_or("?"),
                    d["version"].as_str().unwrap_or("?"),
                    show(needed)
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(app_msrv: &str, dep_msrv: &str, dep_kind: Value) -> Value {
        json!({
            "packages": [
                {"id": "app", "name": "app", "version": "0.1.0", "rust_version": app_msrv, "publish": null},
                {"id": "dep", "name": "dep", "version": "2.0.0", "rust_version": dep_msrv},
            ],
            "workspace_members": ["app"],
            "resolve": {"nodes": [
                {"id": "app", "deps": [{"pkg": "dep", "dep_kinds": [{"kind": dep_kind}]}]},
                {"id": "dep", "deps": []},
            ]},
        })
    }

    #[test]
    fn a_dependency_needing_a_newer_rust_is_named() {
        let problems = check(&meta("1.88", "1.89", Value::Null));
        assert_eq!(
            problems,
            ["app declares rust-version 1.88.0 but builds with dep 2.0.0, which needs 1.89.0"]
        );
        assert!(check(&meta("1.89", "1.89", Value::Null)).is_empty());
        assert!(check(&meta("1.88", "1.90", json!("dev"))).is_empty());
    }
}
