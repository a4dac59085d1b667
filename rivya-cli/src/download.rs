//! Saving results: streamed to `<name>.part`, renamed when complete, so a half-written file
//! never looks finished.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

/// Downloads `url` into `dir` as `<task>-<n>.<ext>` and returns the path.
pub async fn save(url: &str, dir: &Path, task_id: &str, n: usize) -> Result<PathBuf, String> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let ext = url
        .rsplit('/')
        .next()
        .and_then(|name| name.split(['?', '#']).next())
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("bin");
    let path = dir.join(format!("{task_id}-{n}.{ext}"));
    let part = dir.join(format!("{task_id}-{n}.{ext}.part"));
    let resp = reqwest::get(url)
        .await
        .map_err(|e| format!("download {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("download {url}: HTTP {}", resp.status()));
    }
    let mut file = tokio::fs::File::create(&part)
        .await
        .map_err(|e| format!("{}: {e}", part.display()))?;
    let mut body = resp.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("download {url}: {e}"))?;
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("{}: {e}", part.display()))?;
    }
    file.flush()
        .await
        .map_err(|e| format!("{}: {e}", part.display()))?;
    drop(file);
    tokio::fs::rename(&part, &path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
