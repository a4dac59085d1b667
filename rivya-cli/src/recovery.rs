//! What a command has at stake: the idempotency key of a create that may have reached the
//! server, then the task id. Shared with the Ctrl-C path, so every exit can print it.

use std::sync::{Arc, Mutex};

use crate::failure::Failure;

#[derive(Debug, Default)]
struct Stake {
    idempotency_key: Option<String>,
    task_id: Option<String>,
    /// Global flags a resume command repeats (`--mock`, `--mock-dir …`, `--base-url …`).
    again: String,
    /// The command's `--out`.
    out: Option<String>,
}

/// The create key and task id of the running command, if any.
#[derive(Debug, Clone, Default)]
pub struct Recovery(Arc<Mutex<Stake>>);

impl Recovery {
    fn with<T>(&self, f: impl FnOnce(&mut Stake) -> T) -> T {
        // A poisoned lock still holds valid strings.
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The global flags every resume command must repeat to reach the same service.
    pub fn again(&self, flags: String) {
        self.with(|s| s.again = flags);
    }

    /// Where the command saves results, so the resume command saves there too.
    pub fn out(&self, dir: Option<&std::path::Path>) {
        self.with(|s| s.out = dir.map(|d| d.display().to_string()));
    }

    /// A create with this key is about to be sent.
    pub fn creating(&self, key: &str) {
        self.with(|s| s.idempotency_key = Some(key.to_owned()));
    }

    /// The task exists.
    pub fn created(&self, task_id: &str) {
        self.with(|s| s.task_id = Some(task_id.to_owned()));
    }

    /// Adds what is at stake to a failure that does not name it already. Once the task id is
    /// known, the key is no longer needed to recover (but is kept when the error carried it).
    pub fn complete(&self, mut f: Failure) -> Failure {
        self.with(|s| {
            f.again.clone_from(&s.again);
            if f.out.is_none() {
                f.out.clone_from(&s.out);
            }
            if f.task_id.is_none() {
                f.task_id = s.task_id.clone();
            }
            if f.task_id.is_none() && f.idempotency_key.is_none() {
                f.idempotency_key = s.idempotency_key.clone();
            }
        });
        if f.is_interrupt() {
            f.message = match (&f.task_id, &f.idempotency_key) {
                (Some(_), _) => "interrupted; the task goes on without this command".to_owned(),
                (None, Some(_)) => "interrupted while creating the task".to_owned(),
                (None, None) => "interrupted before any task was created".to_owned(),
            };
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_gain_the_stake() {
        let r = Recovery::default();
        let f = r.complete(Failure::interrupted());
        assert_eq!(f.message, "interrupted before any task was created");
        r.creating("key-1");
        let f = r.complete(Failure::interrupted());
        assert_eq!(f.idempotency_key.as_deref(), Some("key-1"));
        r.created("task_1");
        let f = r.complete(Failure::io("x"));
        assert_eq!(f.task_id.as_deref(), Some("task_1"));
    }
}
