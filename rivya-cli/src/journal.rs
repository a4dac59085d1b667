//! The journal: a durable local trace of every create, written and fsynced before the request
//! leaves the process, so a create whose process dies (SIGKILL, power loss) can be found
//! (`rivya history`) and finished (`rivya resume`).
//!
//! One file per idempotency key, `<journal>/<sha256(key)[..32]>.json`, replaced atomically
//! (temp file, fsync, rename, fsync of the directory), so concurrent `rivya` processes never
//! share a file. It holds the key, the model, the exact request body (reference items as
//! uploaded) and, once known, the task (or chat session) id — never the API key. The
//! directory is `$XDG_STATE_HOME/rivya/journal` (else `~/.local/state/rivya/journal`), 0700;
//! files are 0600. Entries untouched for [`KEEP_DAYS`] days are pruned when it is opened.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::failure::Failure;
use crate::render::Render;

/// Entries older than this (since their last change) are pruned.
pub const KEEP_DAYS: u64 = 30;

/// What a journalled create makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `POST /api/v1/generations`: a task.
    Task,
    /// A chat session (for `rivya chat`).
    ChatSession,
}

/// How far a journalled create got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// About to be sent, or sent without an answer: the id is unknown.
    Sent,
    /// The server answered with the id; the command may not have finished with it.
    Created,
    /// Finished: the task ended (and its results were saved when asked).
    Done,
}

/// One journalled create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What the create makes.
    pub kind: Kind,
    /// The `Idempotency-Key` it is sent with.
    pub idempotency_key: String,
    /// The model id.
    pub model: String,
    /// The exact request body.
    pub body: Value,
    /// When it was first journalled (Unix seconds).
    pub created_at: u64,
    /// When it last changed (Unix seconds); pruning counts from here.
    pub updated_at: u64,
    /// The task or session id, once the server said it.
    pub id: Option<String>,
    /// How far it got.
    pub state: State,
}

impl Entry {
    /// A create about to be sent.
    pub fn new(kind: Kind, key: &str, model: &str, body: &Value) -> Self {
        let now = unix_now();
        Self {
            kind,
            idempotency_key: key.to_owned(),
            model: model.to_owned(),
            body: body.clone(),
            created_at: now,
            updated_at: now,
            id: None,
            state: State::Sent,
        }
    }

    /// The server answered with this id.
    pub fn created(&mut self, id: &str) {
        self.id = Some(id.to_owned());
        self.state = State::Created;
        self.updated_at = unix_now();
    }

    /// The command finished with it.
    pub fn done(&mut self) {
        self.state = State::Done;
        self.updated_at = unix_now();
    }
}

/// The journal directory.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// The user's journal (created 0700 if missing), with old entries pruned.
    pub fn open() -> Result<Self, Failure> {
        let dir = default_dir()?;
        let journal = Self::at(&dir).map_err(|e| {
            Failure::io(format!(
                "cannot use the journal directory {}: {e}; set XDG_STATE_HOME to a writable \
                 directory (nothing was sent)",
                dir.display()
            ))
        })?;
        journal.prune(Duration::from_secs(KEEP_DAYS * 86_400));
        Ok(journal)
    }

    /// A journal in `dir`, created 0700 if missing; refused when it is not a directory of
    /// this user.
    pub fn at(dir: &Path) -> std::io::Result<Self> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let meta = fs::symlink_metadata(dir)?;
        if !meta.is_dir() {
            return Err(std::io::Error::other("not a directory"));
        }
        // SAFETY: getuid has no preconditions and cannot fail.
        if std::os::unix::fs::MetadataExt::uid(&meta) != unsafe { libc::getuid() } {
            return Err(std::io::Error::other("owned by another user"));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// Where the journal lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        self.dir
            .join(format!("{}.json", rivya_rules::stamp::hex(&digest[..16])))
    }

    /// Writes `entry` durably: a new 0600 temp file, fsync, rename over the key's file,
    /// fsync of the directory. When this returns, the entry survives a crash.
    pub fn record(&self, entry: &Entry) -> std::io::Result<()> {
        let target = self.path_of(&entry.idempotency_key);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = self
            .dir
            .join(format!(".{}.{nanos}.tmp", std::process::id()));
        let bytes = serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)?;
        // create_new never follows a link planted at the temp name.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        let written = file.write_all(&bytes).and_then(|()| file.sync_all());
        if let Err(e) = written.and_then(|()| fs::rename(&tmp, &target)) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        File::open(&self.dir)?.sync_all()
    }

    /// Records a change after the create: the task exists by then, so a journal that cannot
    /// be written is reported, never fatal.
    pub fn update(&self, entry: &Entry, render: Render) {
        if let Err(e) = self.record(entry) {
            render.note(
                "journal_error",
                json!({"message": e.to_string(), "dir": self.dir()}),
                &format!(
                    "warning: cannot update the journal in {}: {e}",
                    self.dir().display()
                ),
            );
        }
    }

    /// The entry of this idempotency key, else the one with this task (or session) id.
    pub fn find(&self, key_or_id: &str) -> std::io::Result<Option<Entry>> {
        if let Some(e) = read_entry(&self.path_of(key_or_id))?
            && e.idempotency_key == key_or_id
        {
            return Ok(Some(e));
        }
        Ok(self
            .list()?
            .into_iter()
            .find(|e| e.id.as_deref() == Some(key_or_id)))
    }

    /// Every entry, oldest first.
    pub fn list(&self) -> std::io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        for item in fs::read_dir(&self.dir)? {
            let path = item?.path();
            if path.extension().is_some_and(|x| x == "json")
                && let Some(e) = read_entry(&path)?
            {
                out.push(e);
            }
        }
        out.sort_by(|a, b| {
            (a.created_at, &a.idempotency_key).cmp(&(b.created_at, &b.idempotency_key))
        });
        Ok(out)
    }

    /// Removes entries unchanged for longer than `age`, and stale temp files. Best effort: a
    /// journal that cannot be pruned still works.
    fn prune(&self, age: Duration) {
        let Ok(items) = fs::read_dir(&self.dir) else {
            return;
        };
        let cutoff = unix_now().saturating_sub(age.as_secs());
        for item in items.flatten() {
            let path = item.path();
            let name = item.file_name().to_string_lossy().into_owned();
            let old = if name.ends_with(".tmp") {
                modified_secs(&path).is_some_and(|t| t < unix_now().saturating_sub(86_400))
            } else {
                matches!(read_entry(&path), Ok(Some(e)) if e.updated_at < cutoff)
            };
            if old {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// An entry file; `None` for anything that is not a regular file holding an entry.
fn read_entry(path: &Path) -> std::io::Result<Option<Entry>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(None);
    }
    let bytes = fs::read(path)?;
    Ok(serde_json::from_slice(&bytes).ok())
}

fn modified_secs(path: &Path) -> Option<u64> {
    let t = fs::symlink_metadata(path).ok()?.modified().ok()?;
    Some(t.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

/// `$XDG_STATE_HOME/rivya/journal`, else `$HOME/.local/state/rivya/journal`.
fn default_dir() -> Result<PathBuf, Failure> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let state = non_empty("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))
        .ok_or_else(|| {
            Failure::usage("no state directory for the journal: set XDG_STATE_HOME or HOME")
        })?;
    Ok(state.join("rivya").join("journal"))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rivya-journal-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn entries_are_found_by_key_or_id_and_pruned_by_age() {
        let dir = temp("find");
        let j = Journal::at(&dir).unwrap();
        let body = serde_json::json!({"model": "m", "prompt": "p"});
        let mut a = Entry::new(Kind::Task, "key/a\u{e9}", "m", &body);
        j.record(&a).unwrap();
        a.created("task_1");
        j.record(&a).unwrap();
        let b = Entry::new(Kind::ChatSession, "key-b", "m", &body);
        j.record(&b).unwrap();
        assert_eq!(j.find("key/a\u{e9}").unwrap().unwrap(), a);
        assert_eq!(
            j.find("task_1").unwrap().unwrap().idempotency_key,
            "key/a\u{e9}"
        );
        assert_eq!(j.find("nothing").unwrap(), None);
        assert_eq!(j.list().unwrap().len(), 2, "one file per key");
        let mode = fs::metadata(j.path_of("key-b"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );

        let mut old = b.clone();
        old.updated_at -= 31 * 86_400;
        j.record(&old).unwrap();
        j.prune(Duration::from_secs(KEEP_DAYS * 86_400));
        assert_eq!(j.find("key-b").unwrap(), None);
        assert!(j.find("task_1").unwrap().is_some());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_planted_link_is_not_read_or_written_through() {
        let dir = temp("link");
        let j = Journal::at(&dir).unwrap();
        let victim = dir.with_extension("victim");
        fs::write(&victim, b"keep").unwrap();
        let e = Entry::new(Kind::Task, "k", "m", &Value::Null);
        std::os::unix::fs::symlink(&victim, j.path_of("k")).unwrap();
        assert_eq!(j.find("k").unwrap(), None, "a link is not an entry");
        // The rename replaces the link itself, never its target.
        j.record(&e).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(fs::symlink_metadata(j.path_of("k")).unwrap().is_file());
        fs::remove_dir_all(&dir).unwrap();
        fs::remove_file(&victim).unwrap();
    }
}
