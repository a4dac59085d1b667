//! Where the state lives: in memory, or in a directory shared by every emulator that points at
//! it (the CLI's `--mock` starts one per command, so `run --no-wait` in one process and `wait`
//! in the next see the same tasks, files and wallet).
//!
//! Why a JSON file under a lock file rather than a daemon or a database: each command is a
//! short-lived process, requests are few, and the state is small; a lock file taken with
//! `create_new` (atomic on every platform) serializes processes without a new dependency, and
//! `state.json` is written to a temporary file and renamed, so a crash never leaves half a
//! state. A lock file left by a killed process is taken over once it is older than any
//! request could hold it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::api_err::{ApiErr, internal_error};
use crate::state::{Data, State};

const STATE_FILE: &str = "state.json";
const LOCK_FILE: &str = "state.lock";
/// A lock older than this belongs to a process that died while holding it.
const STALE_LOCK: Duration = Duration::from_secs(10);
/// How long a request waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(20);

/// The state, and the directory it persists in (if any).
pub struct Store {
    mem: Mutex<State>,
    dir: Option<PathBuf>,
}

/// Exclusive access to the state; in a directory, it is loaded first and saved on drop.
pub struct Guard<'a> {
    state: MutexGuard<'a, State>,
    dir: Option<&'a Path>,
    /// The state file as loaded, so an unchanged state is not written back.
    loaded: Vec<u8>,
    _lock: Option<FileLock>,
}

impl std::ops::Deref for Guard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl std::ops::DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if let Some(dir) = self.dir
            && let Err(e) = save(dir, self.state.snapshot(), &self.loaded)
        {
            eprintln!(
                "rivya-emulator: cannot save the state in {}: {e}",
                dir.display()
            );
        }
    }
}

impl Store {
    /// A store; with a directory, it is created if needed and its state checked readable.
    pub fn new(state: State, dir: Option<PathBuf>) -> std::io::Result<Self> {
        if let Some(d) = &dir {
            // The state holds prompts and signed URLs: the directory is private (0700) when
            // this creates it, the files 0600.
            std::os::unix::fs::DirBuilderExt::mode(
                std::fs::DirBuilder::new().recursive(true),
                0o700,
            )
            .create(d)?;
            let _lock = FileLock::acquire(d)?;
            load(d)?;
        }
        Ok(Self {
            mem: Mutex::new(state),
            dir,
        })
    }

    /// The process-local part only (queued faults, config): no file access.
    pub fn local(&self) -> MutexGuard<'_, State> {
        self.mem.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the state for one request.
    pub fn lock(&self) -> Result<Guard<'_>, ApiErr> {
        // A poisoned lock only means a handler panicked; the data is still consistent.
        let mut state = self.mem.lock().unwrap_or_else(|e| e.into_inner());
        let Some(dir) = self.dir.as_deref() else {
            return Ok(Guard {
                state,
                dir: None,
                loaded: Vec::new(),
                _lock: None,
            });
        };
        let unavailable = |e: std::io::Error| {
            ApiErr::new(
                500,
                internal_error(),
                format!("the emulator's state in {}: {e}", dir.display()),
            )
        };
        let lock = FileLock::acquire(dir).map_err(unavailable)?;
        // The file is the truth: no file (a fresh or reset directory) means a fresh state.
        let (data, loaded) = match load(dir).map_err(unavailable)? {
            Some(found) => found,
            None => (Data::new(&state.config), Vec::new()),
        };
        state.load(data);
        Ok(Guard {
            state,
            dir: Some(dir),
            loaded,
            _lock: Some(lock),
        })
    }
}

/// Forgets everything in a state directory (the next emulator starts afresh).
pub fn reset(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let _lock = FileLock::acquire(dir)?;
    match std::fs::remove_file(dir.join(STATE_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The state and the bytes it was read from, or `None` when there is no state file.
fn load(dir: &Path) -> std::io::Result<Option<(Data, Vec<u8>)>> {
    let path = dir.join(STATE_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let data = serde_json::from_slice(&bytes).map_err(|e| {
        std::io::Error::other(format!(
            "{} is not a state this emulator can read ({e}); reset it (`rivya mock reset`)",
            path.display()
        ))
    })?;
    Ok(Some((data, bytes)))
}

/// Writes the state (to a temporary file, then renamed), unless it is what was loaded.
fn save(dir: &Path, data: &Data, loaded: &[u8]) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(data).map_err(std::io::Error::other)?;
    if bytes == loaded {
        return Ok(());
    }
    let tmp = dir.join(format!("{STATE_FILE}.{}.tmp", std::process::id()));
    // A stale temp file of a dead process with this pid is replaced; a link never followed.
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, dir.join(STATE_FILE))
}

/// A lock file held while it exists; removed on drop.
struct FileLock {
    path: PathBuf,
}

impl FileLock {
    fn acquire(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(LOCK_FILE);
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|a| a > STALE_LOCK) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if start.elapsed() > LOCK_WAIT {
                        return Err(std::io::Error::other(format!(
                            "{} is held by another process; remove it if none is running",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rivya-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn two_stores_on_one_directory_share_tasks_and_ids() {
        let d = dir("share");
        let a = Store::new(
            State::new(Config::default(), "http://a".into()),
            Some(d.clone()),
        )
        .unwrap();
        let b = Store::new(
            State::new(Config::default(), "http://b".into()),
            Some(d.clone()),
        )
        .unwrap();
        let body = serde_json::json!({"model": "kling-3-0", "prompt": "p"});
        let first = a.lock().unwrap().create_task(&body).unwrap();
        let second = b.lock().unwrap().create_task(&body).unwrap();
        assert_ne!(first, second);
        assert!(b.lock().unwrap().task_json(&first).is_some());
        assert_eq!(a.lock().unwrap().stats().tasks_created, 2);
        assert_eq!(a.lock().unwrap().wallet(), 10_000.0 - 180.0);
        reset(&d).unwrap();
        let mut guard = a.lock().unwrap();
        assert!(guard.task_json(&first).is_none(), "reset forgets");
        assert_eq!(guard.wallet(), 10_000.0);
        let third = guard.create_task(&body).unwrap();
        assert_ne!(third, first, "ids stay unique after a reset");
        drop(guard);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_unchanged_state_is_not_written_again() {
        let d = dir("unchanged");
        let a = Store::new(
            State::new(Config::default(), "http://a".into()),
            Some(d.clone()),
        )
        .unwrap();
        drop(a.lock().unwrap()); // creates the file
        let file = d.join(STATE_FILE);
        // Prompts and signed URLs stay private.
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&d), mode(&file)), (0o700, 0o600));
        let before = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let g = a.lock().unwrap();
        assert!(g.task_json("task_none").is_none());
        drop(g);
        assert_eq!(
            std::fs::metadata(&file).unwrap().modified().unwrap(),
            before
        );
        a.lock().unwrap().count();
        assert_ne!(
            std::fs::metadata(&file).unwrap().modified().unwrap(),
            before
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_locks_are_taken_over_and_bad_state_is_explained() {
        let d = dir("stale");
        std::fs::create_dir_all(&d).unwrap();
        let lock = d.join(LOCK_FILE);
        std::fs::write(&lock, b"1").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let held = FileLock::acquire(&d).unwrap();
        drop(held);
        assert!(!lock.exists());
        std::fs::write(d.join(STATE_FILE), b"{not json").unwrap();
        let err = Store::new(
            State::new(Config::default(), String::new()),
            Some(d.clone()),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("rivya mock reset"), "{err}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
