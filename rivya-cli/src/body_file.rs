//! `--body FILE`: a raw request body as JSON, from a file or (`-`) standard input.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::failure::Failure;

/// The most a body file may hold: far above any valid body (prompts are at most tens of
/// thousands of characters), low enough that a wrong file is refused at once.
const MAX_BODY_BYTES: u64 = 4 << 20;

/// Reads and parses the body; every error names the file.
pub fn read(path: &Path) -> Result<Value, Failure> {
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_BODY_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| Failure::io(format!("--body -: cannot read standard input: {e}")))?;
        ("standard input".to_owned(), text)
    } else {
        let name = path.display().to_string();
        // A FIFO, socket or device is refused at once, with what it is.
        let file = rivya_runtime::open_regular(path)
            .map_err(|e| Failure::io(format!("--body {name}: {e}")))?;
        let mut text = String::new();
        file.take(MAX_BODY_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| Failure::io(format!("--body {name}: {e}")))?;
        (name, text)
    };
    if text.len() as u64 > MAX_BODY_BYTES {
        return Err(Failure::invalid(format!(
            "--body {name}: larger than {} MiB; a request body is a small JSON object",
            MAX_BODY_BYTES >> 20
        )));
    }
    serde_json::from_str(&text)
        .map_err(|e| Failure::invalid(format!("--body {name}: not valid JSON: {e}")))
}
