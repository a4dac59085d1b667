//! Shared helpers for the generator's tests.

// Each test binary uses a different subset.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use codegen::SpecSource;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits inside the workspace")
        .to_path_buf()
}

/// Every `*.yaml` in `dir` (relative to the workspace root), sorted by name.
pub fn specs_in(dir: &str) -> Vec<SpecSource> {
    let root = root();
    let mut specs: Vec<SpecSource> = fs::read_dir(root.join(dir))
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let file_name = p.file_name().unwrap().to_string_lossy().into_owned();
            SpecSource {
                label: format!("{dir}/{file_name}"),
                text: fs::read_to_string(&p).expect("spec text"),
                file_name,
            }
        })
        .collect();
    specs.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    specs
}

/// The snapshot name of a spec: its file stem.
pub fn stem(spec: &SpecSource) -> String {
    spec.file_name.trim_end_matches(".yaml").to_owned()
}
