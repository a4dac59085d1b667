//! Where the --mock emulator keeps its state.

use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// `--mock-dir`, else `RIVYA_MOCK_DIR`, else `rivya/mock` in the user's cache directory
/// (`$XDG_CACHE_HOME`, else `$HOME/.cache`).
pub fn state_dir(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = flag {
        return Ok(d.to_owned());
    }
    if let Some(d) = non_empty("RIVYA_MOCK_DIR") {
        return Ok(PathBuf::from(d));
    }
    let cache = non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or_else(|| {
            Failure::usage("no cache directory (HOME is not set): set RIVYA_MOCK_DIR or --mock-dir")
        })?;
    Ok(cache.join("rivya").join("mock"))
}
