//! `catalog <models.json> [--format text|json] [--fail]`: drift between the specs and a saved
//! `GET /api/v1/models` response.

use std::path::Path;
use std::process::ExitCode;

use crate::ReportFormat;

/// The largest catalog file read.
const MAX_CATALOG_BYTES: usize = 16 << 20;

pub fn run(root: &Path, file: &Path, format: ReportFormat, fail: bool) -> ExitCode {
    let text = match crate::read_text(file, MAX_CATALOG_BYTES) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let specs = match crate::gen_cmd::read_specs(root, &root.join("specs")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let drift = match codegen::drift::compare(&text, &file.display().to_string(), &specs) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match format {
        ReportFormat::Text => print!("{}", drift.to_text()),
        ReportFormat::Json => print!("{}", drift.to_json()),
    }
    if fail && !drift.is_empty() {
        eprintln!("catalog: the specs have drifted from the catalog");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
