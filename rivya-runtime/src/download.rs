//! Saving result files: streamed to `<stem>.part`, hashed on the way, renamed to
//! `<stem>.<ext>` only when complete, retried under the client's [`RetryPolicy`] and resumed
//! with `Range` when the server answers `206`. File names are built from sanitized parts
//! only: a server-supplied id or URL never becomes a path on its own.
//!
//! [`RetryPolicy`]: crate::RetryPolicy

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE, RETRY_AFTER,
};
use tokio::io::AsyncWriteExt;

use crate::Client;
use crate::error::Error;
use crate::part::{hash_part, meta_path, open_part, resume_point, write_meta};
use crate::retry::{self, Attempt};
use crate::trace::CallSpan;
use crate::types::Task;

/// A file saved by [`Client::download`] or [`Client::download_result`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where the file is (`<dir>/<stem>.<ext>`).
    pub path: PathBuf,
    /// Where it came from.
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// The server's `Content-Type` (without parameters), when it sent one.
    pub content_type: Option<String>,
}

/// The longest sanitized stem, in bytes (well under every file system's name limit).
const MAX_STEM: usize = 96;

/// Turns any string into a safe file-name stem: ASCII letters, digits, `-` and `_` are kept,
/// everything else (`/`, `\`, `.`, NUL, spaces, non-ASCII) becomes `_`, and the result is
/// capped at 96 bytes. It can never be empty, `.` or `..`, nor hold a path separator.
pub fn sanitize_stem(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_STEM)
        .collect();
    if s.is_empty() {
        s.push_str("download");
    }
    s
}

/// The file extension for a content type (parameters and case ignored), when known.
pub fn extension_for(content_type: &str) -> Option<&'static str> {
    let mime = content_type.split(';').next()?.trim().to_ascii_lowercase();
    let ext = match mime.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/avif" => "avif",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/ogg" => "ogg",
        "audio/aac" => "aac",
        "audio/mp4" | "audio/x-m4a" => "m4a",
        "audio/flac" => "flac",
        "application/json" => "json",
        "text/plain" => "txt",
        _ => return None,
    };
    Some(ext)
}

/// The extension named by the URL's last path segment, if it is one we know; used when the
/// server sends no usable `Content-Type`.
fn extension_from_url(url: &reqwest::Url) -> Option<&'static str> {
    let last = url.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    const KNOWN: &[&str] = &[
        "png", "jpg", "webp", "gif", "avif", "mp4", "mov", "webm", "mp3", "wav", "ogg", "aac",
        "m4a", "flac", "json", "txt",
    ];
    let found = KNOWN.iter().find(|k| **k == ext).copied();
    found.or(if ext == "jpeg" { Some("jpg") } else { None })
}

/// What one attempt left on disk and learned from the server.
struct Progress {
    content_type: Option<String>,
    ext: &'static str,
}

impl Client {
    /// Saves `url` into `dir` as `<stem>.<ext>`: the extension comes from the answer's
    /// `Content-Type` (else a known extension in the URL, else `bin`), and `stem` is
    /// sanitized with [`sanitize_stem`]. The body is streamed to `<stem>.part` and renamed
    /// when complete, so a file with its final name is always whole. Failed attempts are
    /// retried under the client's retry policy; when `<stem>.part` already holds bytes of this
    /// URL (an attempt or an earlier run broke off; `<stem>.part.meta` records the URL without
    /// its query and the server's validator), the download resumes with `Range` and
    /// `If-Range` if the server answers `206`, and starts over otherwise. `dir` is created
    /// when missing.
    ///
    /// No API key is sent: result URLs may live on another host.
    pub async fn download(
        &self,
        url: &str,
        dir: impl AsRef<Path>,
        stem: &str,
    ) -> Result<Downloaded, Error> {
        self.download_inner(url, dir.as_ref(), stem)
            .await
            .map_err(|source| Error::Download {
                task_id: None,
                url: url.to_owned(),
                source: Box::new(source),
            })
    }

    /// Saves every output of a succeeded task into `dir`, as `<task id>-<n>.<ext>` (`n` from
    /// 1, the id sanitized). Errors name the task, which stays paid and can be fetched again.
    pub async fn download_result(
        &self,
        task: &Task,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<Downloaded>, Error> {
        let dir = dir.as_ref();
        let urls = result_urls(task);
        if urls.is_empty() {
            return Err(Error::NoResult {
                task_id: task.id.clone(),
                status: task.status.clone(),
            });
        }
        let base = sanitize_stem(&task.id);
        let mut saved = Vec::with_capacity(urls.len());
        for (i, url) in urls.iter().enumerate() {
            let stem = format!("{base}-{}", i + 1);
            let d = self
                .download_inner(url, dir, &stem)
                .await
                .map_err(|source| Error::Download {
                    task_id: Some(task.id.clone()),
                    url: url.clone(),
                    source: Box::new(source),
                })?;
            saved.push(d);
        }
        Ok(saved)
    }

    async fn download_inner(&self, url: &str, dir: &Path, stem: &str) -> Result<Downloaded, Error> {
        let parsed = parse_url(url)?;
        let stem = sanitize_stem(stem);
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| Error::Io { path, source }
        };
        tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
        let part = dir.join(format!("{stem}.part"));
        let mut rng = self.rng();
        // The URL's path only: signed result URLs carry their credentials in the query.
        let span = CallSpan::new("GET", parsed.path(), None, None);
        let call = retry::retry(self.retry_policy(), &mut rng, |n| {
            span.attempt(n);
            let (parsed, part) = (&parsed, &part);
            let span = &span;
            async move { self.download_attempt(parsed, part, span).await }
        });
        let got = span.instrument(call).await?;
        let ext = got.ext;
        let path = dir.join(format!("{stem}.{ext}"));
        let (size, sha256) = hash_part(&part).map_err(io(&part))?;
        tokio::fs::rename(&part, &path).await.map_err(io(&path))?;
        let _ = tokio::fs::remove_file(meta_path(&part)).await;
        Ok(Downloaded {
            path,
            url: url.to_owned(),
            size,
            sha256,
            content_type: got.content_type,
        })
    }

    /// One GET: resumes from the `.part` file's length when it has one, else starts over.
    async fn download_attempt(
        &self,
        url: &reqwest::Url,
        part: &Path,
        span: &CallSpan,
    ) -> Attempt<Progress> {
        let io = |source| Error::Io {
            path: part.display().to_string(),
            source,
        };
        let (have, validator) = match resume_point(&identity(url), part) {
            Ok(r) => r,
            Err(e) => return Attempt::Fail(io(e)),
        };
        let mut rb = self.http().get(url.clone());
        if have > 0 {
            rb = rb.header(RANGE, format!("bytes={have}-"));
            if let Some(v) = &validator {
                rb = rb.header(IF_RANGE, v.as_str());
            }
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(transport(e), None),
        };
        span.status(resp.status().as_u16());
        let head = Head::of(&resp);
        let (resp, resume_from) = match start_at(resp, have, &head, part).await {
            Ok(r) => r,
            Err(outcome) => return outcome,
        };
        let cap = self.max_download_bytes();
        if let Some(len) = head.length
            && resume_from.saturating_add(len) > cap
        {
            let _ = tokio::fs::remove_file(part).await;
            return Attempt::Fail(too_large(head.status, resume_from.saturating_add(len), cap));
        }
        if resume_from == 0 {
            // A fresh start: note what this `.part` belongs to, so a later attempt or run can
            // resume it. A strong ETag (else Last-Modified) makes `If-Range` safe.
            let note = format!("{}\n{}\n", identity(url), head.validator());
            if let Err(e) = write_meta(part, &note) {
                return Attempt::Fail(io(e));
            }
        }
        let written = match write_body(resp, part, resume_from, cap).await {
            Attempt::Done(n) => n,
            Attempt::Retry(e, after) => return Attempt::Retry(e, after),
            Attempt::Fail(e) => return Attempt::Fail(e),
        };
        if let Some(len) = head.length
            && written != resume_from + len
        {
            let body = format!(
                "the body ended after {written} bytes; {} were announced",
                resume_from + len
            );
            let status = head.status;
            return Attempt::Retry(Error::Http { status, body }, None);
        }
        let ext = head
            .content_type
            .as_deref()
            .and_then(extension_for)
            .or_else(|| extension_from_url(url))
            .unwrap_or("bin");
        Attempt::Done(Progress {
            content_type: head.content_type,
            ext,
        })
    }
}

/// A result URL: absolute http(s) only.
pub(crate) fn parse_url(url: &str) -> Result<reqwest::Url, Error> {
    reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| Error::Config(format!("`{url}` is not an absolute http(s) URL")))
}

pub(crate) fn too_large(status: u16, size: u64, cap: u64) -> Error {
    Error::Http {
        status,
        body: format!(
            "the file has more than {cap} bytes ({size} seen or announced), the download \
             limit; raise it with ClientBuilder::max_download_bytes or RIVYA_MAX_DOWNLOAD_BYTES"
        ),
    }
}

pub(crate) fn transport(source: reqwest::Error) -> Error {
    Error::Transport {
        source: crate::TransportError::new(source),
        idempotency_key: None,
    }
}

/// The response headers a download reads.
pub(crate) struct Head {
    pub(crate) status: u16,
    content_type: Option<String>,
    pub(crate) length: Option<u64>,
    pub(crate) content_range: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    retry_after: Option<String>,
}

impl Head {
    pub(crate) fn of(resp: &reqwest::Response) -> Self {
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        Head {
            status: resp.status().as_u16(),
            content_type: header(CONTENT_TYPE).map(|c| {
                let bare = c.split(';').next().unwrap_or_default();
                bare.trim().to_ascii_lowercase()
            }),
            length: header(CONTENT_LENGTH).and_then(|v| v.parse().ok()),
            content_range: header(CONTENT_RANGE),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            retry_after: header(RETRY_AFTER),
        }
    }

    /// A strong ETag, else Last-Modified, else nothing: what `If-Range` may safely carry.
    pub(crate) fn validator(&self) -> String {
        let strong = self.etag.clone().filter(|e| !e.starts_with("W/"));
        strong
            .or_else(|| self.last_modified.clone())
            .unwrap_or_default()
    }
}

/// Where the body starts in the file: 0 on `200`, the `.part`'s length on a matching `206`.
/// Anything else is the attempt's outcome (a retry after discarding a `.part` that cannot be
/// resumed, or the server's error).
async fn start_at(
    resp: reqwest::Response,
    have: u64,
    head: &Head,
    part: &Path,
) -> Result<(reqwest::Response, u64), Attempt<Progress>> {
    let discard = |status: u16, body: &'static str, after| async move {
        match tokio::fs::remove_file(part).await {
            Ok(()) => Attempt::Retry(
                Error::Http {
                    status,
                    body: body.to_owned(),
                },
                after,
            ),
            Err(source) => Attempt::Fail(Error::Io {
                path: part.display().to_string(),
                source,
            }),
        }
    };
    match resp.status() {
        StatusCode::OK => Ok((resp, 0)),
        StatusCode::PARTIAL_CONTENT if have > 0 => {
            match head.content_range.as_deref().and_then(range_start) {
                Some(start) if start == have => Ok((resp, have)),
                // A range we did not ask for: start over on the next attempt.
                _ => {
                    Err(discard(206, "the server sent a range that was not asked for", None).await)
                }
            }
        }
        // The `.part` is not a prefix of this file (or is all of it, unverifiable): discard it
        // and fetch the whole file.
        StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
            let now = Some(std::time::Duration::ZERO);
            Err(discard(416, "range not satisfiable; starting over", now).await)
        }
        _ => Err(refused(resp, head).await),
    }
}

/// The outcome of an answer that carries no file: [`Error::Http`] with the start of its body,
/// retried (after its `Retry-After`) when the status is a passing one.
pub(crate) async fn refused<T>(resp: reqwest::Response, head: &Head) -> Attempt<T> {
    let retry_after = head
        .retry_after
        .as_deref()
        .and_then(|v| retry::parse_retry_after(v, std::time::SystemTime::now()));
    let body: String = resp
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let error = Error::Http {
        status: head.status,
        body,
    };
    if error.is_retryable() {
        Attempt::Retry(error, retry_after)
    } else {
        Attempt::Fail(error)
    }
}

/// Streams the body into the `.part` (appending when resuming) and syncs it; returns the
/// file's length. A connection lost midway keeps what arrived for the next attempt.
async fn write_body(
    mut resp: reqwest::Response,
    part: &Path,
    resume_from: u64,
    cap: u64,
) -> Attempt<u64> {
    let io = |source| Error::Io {
        path: part.display().to_string(),
        source,
    };
    let mut file = match open_part(part, resume_from > 0).await {
        Ok(f) => f,
        Err(e) => return Attempt::Fail(io(e)),
    };
    let mut written = resume_from;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if let Err(e) = file.write_all(&chunk).await {
                    return Attempt::Fail(io(e));
                }
                written += chunk.len() as u64;
                if written > cap {
                    drop(file);
                    let _ = tokio::fs::remove_file(part).await;
                    return Attempt::Fail(too_large(resp.status().as_u16(), written, cap));
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = file.flush().await;
                return Attempt::Retry(transport(e), None);
            }
        }
    }
    if let Err(e) = file.flush().await {
        return Attempt::Fail(io(e));
    }
    match file.sync_all().await {
        Ok(()) => Attempt::Done(written),
        Err(e) => Attempt::Fail(io(e)),
    }
}

/// A URL without its query and fragment (signed URLs change their query, not the object).
fn identity(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// The URLs of a task's outputs: `urls`, or `primary_url` alone when `urls` is empty.
fn result_urls(task: &Task) -> Vec<String> {
    let Some(r) = &task.result else {
        return Vec::new();
    };
    if !r.urls.is_empty() {
        return r.urls.clone();
    }
    r.primary_url.iter().cloned().collect()
}

/// The first byte of `Content-Range: bytes START-END/TOTAL`.
pub(crate) fn range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (start, _) = rest.split_once('-')?;
    start.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_never_escape_the_directory() {
        for (raw, want) in [
            ("task_abc-1", "task_abc-1"),
            ("../x", "___x"),
            ("/etc/passwd", "_etc_passwd"),
            ("..", "__"),
            ("", "download"),
            ("a\\b\0c", "a_b_c"),
            ("é", "_"),
        ] {
            assert_eq!(sanitize_stem(raw), want, "{raw:?}");
        }
        assert_eq!(sanitize_stem(&"x".repeat(500)).len(), MAX_STEM);
    }

    #[test]
    fn extensions_come_from_the_content_type_then_the_url() {
        assert_eq!(extension_for("image/PNG; charset=binary"), Some("png"));
        assert_eq!(extension_for("video/quicktime"), Some("mov"));
        assert_eq!(extension_for("application/octet-stream"), None);
        let u = |s| reqwest::Url::parse(s).unwrap();
        assert_eq!(
            extension_from_url(&u("https://cdn.test/a/b.MP4?sig=1")),
            Some("mp4")
        );
        assert_eq!(
            extension_from_url(&u("https://cdn.test/a/b.jpeg")),
            Some("jpg")
        );
        assert_eq!(extension_from_url(&u("https://cdn.test/a/b.exe")), None);
        assert_eq!(extension_from_url(&u("https://cdn.test/")), None);
    }

    #[test]
    fn content_range_starts() {
        assert_eq!(range_start("bytes 40-99/100"), Some(40));
        assert_eq!(range_start("bytes */100"), None);
        assert_eq!(range_start("items 1-2/3"), None);
    }
}
