//! The pieces of a release that are plain text: the version bump a set of changes needs, the
//! `CHANGELOG.md` entry, and the workspace version in the root `Cargo.toml`.
//!
//! Versions follow Cargo's semver rules. Before 1.0 Cargo treats `0.x` as the compatibility
//! range, so a breaking release moves `0.x.y` to `0.(x+1).0` and every other release moves the
//! patch number; the *bump* reported (`major`, `minor`, `patch`) still names what the changes
//! are, whatever the version number does with it.

use std::fmt::Write;

use codegen::diff::{Change, Class};

/// How much a release changes, least first (so `max` picks the larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Wording, docs, notes, fixes.
    Patch,
    /// Additions only.
    Minor,
    /// Something that worked stops working, or works differently.
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }

    /// What one classified spec change needs. A changed default or charge is `Behavior` in
    /// the diff: code that compiles still does something else, so it is major, like breaking.
    pub fn of(class: Class) -> Self {
        match class {
            Class::Breaking | Class::Behavior => Self::Major,
            Class::Additive => Self::Minor,
            Class::Docs => Self::Patch,
        }
    }
}

/// A `MAJOR.MINOR.PATCH` version (pre-release and build parts are not used here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().trim_start_matches('v').split('.');
        let mut next = || parts.next()?.parse::<u64>().ok();
        let v = Self(next()?, next()?, next()?);
        parts.next().is_none().then_some(v)
    }

    /// The next version for `bump`, by Cargo's rules (see the module docs for `0.x`).
    pub fn bumped(self, bump: Bump) -> Self {
        let Self(major, minor, patch) = self;
        match (bump, major) {
            (Bump::None, _) => self,
            (Bump::Major, 0) => Self(0, minor + 1, 0),
            (Bump::Major, _) => Self(major + 1, 0, 0),
            (Bump::Minor, 0) | (Bump::Patch, _) => Self(major, minor, patch + 1),
            (Bump::Minor, _) => Self(major, minor + 1, 0),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The section each class goes under, in the order they are written (breaking first).
const SECTIONS: [(Class, &str); 4] = [
    (Class::Breaking, "Breaking"),
    (Class::Behavior, "Changed"),
    (Class::Additive, "Added"),
    (Class::Docs, "Documentation"),
];

/// The changelog entry for `version`: one line per spec change naming its model, breaking
/// changes first, then `extra` lines (changes outside the specs) under "Changed".
pub fn entry(version: Version, date: &str, changes: &[Change], extra: &[String]) -> String {
    let mut s = format!("## [{version}] - {date}\n");
    for (class, title) in SECTIONS {
        let mut lines: Vec<String> = changes
            .iter()
            .filter(|c| c.class == class)
            .map(line)
            .collect();
        if class == Class::Behavior {
            lines.extend(extra.iter().map(|e| format!("- {e}")));
        }
        if lines.is_empty() {
            continue;
        }
        let _ = write!(s, "\n### {title}\n\n");
        for l in lines {
            let _ = writeln!(s, "{l}");
        }
    }
    s
}

fn line(c: &Change) -> String {
    if c.path.is_empty() {
        format!("- `{}`: {}", c.model, c.message)
    } else {
        format!("- `{}` `{}`: {}", c.model, c.path, c.message)
    }
}

/// The header of a new `CHANGELOG.md`.
pub const HEADER: &str = "# Changelog\n\nEvery release of the Rivya SDK crates. The format \
follows Keep a Changelog; versions follow Cargo's semver rules (before 1.0, a breaking release \
raises the minor number). Entries are written by `cargo xtask release` from the classified spec \
diff: each line names the model it concerns.\n\n## [Unreleased]\n";

/// `changelog` with `entry` inserted above the newest release (below `[Unreleased]`).
pub fn insert(changelog: &str, entry: &str) -> String {
    let text = if changelog.trim().is_empty() {
        HEADER
    } else {
        changelog
    };
    let at = text
        .match_indices("\n## [")
        .map(|(i, _)| i + 1)
        .find(|&i| !text[i..].starts_with("## [Unreleased]"));
    match at {
        Some(i) => format!("{}{entry}\n{}", &text[..i], &text[i..]),
        None => format!("{}\n{entry}", text.trim_end_matches('\n').to_owned() + "\n"),
    }
}

/// The root `Cargo.toml`'s `[workspace.package] version`.
pub fn workspace_version(cargo_toml: &str) -> Option<Version> {
    let mut in_package = false;
    for l in cargo_toml.lines() {
        let t = l.trim();
        if t.starts_with('[') {
            in_package = t == "[workspace.package]";
        } else if in_package && let Some(v) = t.strip_prefix("version") {
            let v = v.trim_start().strip_prefix('=')?.trim().trim_matches('"');
            return Version::parse(v);
        }
    }
    None
}

/// The root `Cargo.toml` with the workspace version and the versions of the workspace's own
/// path dependencies (`rivya-x = { version = "…", path = "…" }`) set to `to`.
pub fn set_version(cargo_toml: &str, from: Version, to: Version) -> String {
    let (old, new) = (format!("\"{from}\""), format!("\"{to}\""));
    let mut section = String::new();
    let mut out = String::with_capacity(cargo_toml.len());
    for l in cargo_toml.split_inclusive('\n') {
        let t = l.trim();
        if t.starts_with('[') {
            section = t.to_owned();
        }
        let package_version = section == "[workspace.package]" && t.starts_with("version");
        let path_dep = section == "[workspace.dependencies]"
            && t.contains("path = ")
            && t.contains(&format!("version = {old}"));
        if package_version || path_dep {
            out.push_str(&l.replacen(&old, &new, 1));
        } else {
            out.push_str(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(class: Class, model: &str, path: &str, message: &str) -> Change {
        Change {
            class,
            model: model.into(),
            path: path.into(),
            message: message.into(),
        }
    }

    #[test]
    fn zero_x_versions_move_the_minor_number_for_breaking_changes() {
        let v = Version(0, 1, 0);
        assert_eq!(v.bumped(Bump::Major), Version(0, 2, 0));
        assert_eq!(v.bumped(Bump::Minor), Version(0, 1, 1));
        assert_eq!(v.bumped(Bump::Patch), Version(0, 1, 1));
        let v = Version(1, 4, 2);
        assert_eq!(v.bumped(Bump::Major), Version(2, 0, 0));
        assert_eq!(v.bumped(Bump::Minor), Version(1, 5, 0));
        assert_eq!(v.bumped(Bump::Patch), Version(1, 4, 3));
        assert_eq!(v.bumped(Bump::None), v);
        assert_eq!(Version::parse("v1.2.3"), Some(Version(1, 2, 3)));
        assert_eq!(Version::parse("1.2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
    }

    #[test]
    fn entries_put_breaking_changes_first_and_name_the_model() {
        let changes = [
            change(Class::Docs, "a", "notes", "notes changed"),
            change(
                Class::Breaking,
                "b",
                "params.x.options",
                "option `2K` removed",
            ),
            change(Class::Additive, "c", "", "model added (module `c`)"),
        ];
        let e = entry(Version(0, 2, 0), "2026-12-01", &changes, &[]);
        let breaking = e.find("### Breaking\n\n- `b` `params.x.options`: option `2K` removed");
        let added = e.find("### Added\n\n- `c`: model added");
        let docs = e.find("### Documentation\n\n- `a` `notes`: notes changed");
        assert!(
            breaking < added && added < docs && breaking.is_some(),
            "{e}"
        );
        assert!(e.starts_with("## [0.2.0] - 2026-12-01\n"), "{e}");
    }

    #[test]
    fn an_entry_goes_above_the_newest_release() {
        let log = format!("{HEADER}\n## [0.1.0] - 2026-11-01\n\n- first\n");
        let out = insert(&log, "## [0.2.0] - 2026-12-01\n\n- second\n");
        let (unreleased, new, old) = (
            out.find("## [Unreleased]").unwrap(),
            out.find("## [0.2.0]").unwrap(),
            out.find("## [0.1.0]").unwrap(),
        );
        assert!(unreleased < new && new < old, "{out}");
        let fresh = insert("", "## [0.1.1] - 2026-12-01\n");
        assert!(fresh.starts_with("# Changelog") && fresh.ends_with("## [0.1.1] - 2026-12-01\n"));
    }

    #[test]
    fn the_version_and_the_versioned_path_dependencies_move_together() {
        let toml = "[workspace]\n\n[workspace.package]\nversion = \"0.1.0\"\n\n\
            [workspace.dependencies]\nrivya-rules = { version = \"0.1.0\", path = \"rivya-rules\" }\n\
            serde = { version = \"0.1.0\" }\n";
        assert_eq!(workspace_version(toml), Some(Version(0, 1, 0)));
        let out = set_version(toml, Version(0, 1, 0), Version(0, 2, 0));
        assert_eq!(workspace_version(&out), Some(Version(0, 2, 0)));
        assert!(
            out.contains("rivya-rules = { version = \"0.2.0\", path"),
            "{out}"
        );
        assert!(out.contains("serde = { version = \"0.1.0\" }"), "{out}");
    }
}
