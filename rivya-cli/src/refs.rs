//! `--ref` files, all checked against the model's policy (count, kind, size, MIME by magic
//! bytes) before the first byte of any of them is uploaded.

use std::io::Read;
use std::path::PathBuf;

use rivya_models::{ModelInfo, Violations, files, rules};

use crate::failure::Failure;

/// A reference file that passed the local checks.
#[derive(Debug)]
pub struct Checked {
    pub path: PathBuf,
}

/// Checks every `@file` (the `@` is optional); the error lists every problem found.
pub fn check(info: &ModelInfo, refs: &[String]) -> Result<Vec<Checked>, Failure> {
    let mut problems = Vec::new();
    let mut v = Violations::default();
    rules::reference_count(info, refs.len(), &mut v);
    if let Err(e) = v.finish(info.id) {
        problems.extend(e.violations.iter().map(ToString::to_string));
    }
    let mut out = Vec::new();
    for r in refs {
        let path = PathBuf::from(r.strip_prefix('@').unwrap_or(r));
        match head(&path) {
            Ok((head, size)) => match files::check(&head, size, None, Some(info)) {
                Ok(_) => out.push(Checked { path }),
                Err(reason) => problems.push(format!("{}: {reason}", path.display())),
            },
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Failure::invalid(format!(
            "reference files refused before any upload:\n  {}",
            problems.join("\n  ")
        )))
    }
}

fn head(path: &std::path::Path) -> std::io::Result<(Vec<u8>, u64)> {
    // A FIFO, socket or device is refused at once (opening a FIFO would wait forever).
    let file = rivya_runtime::open_regular(path)?;
    let meta = file.metadata()?;
    let mut head = Vec::with_capacity(files::HEAD_LEN);
    file.take(files::HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok((head, meta.len()))
}
