//! Why a command failed, with what is needed to recover: the task id or the idempotency key.

use rivya_runtime::Error;

/// A failed command: a machine-readable code, a message, the task or create it concerns, and
/// the process exit status.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The API error code when the server sent one, else a local code (`usage`,
    /// `invalid_request`, `io`, `transport`, `task_failed`, `download_failed` …).
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The task this concerns (it exists and may be paid).
    pub task_id: Option<String>,
    /// The key of a create whose answer never came: re-run with it to get that task.
    pub idempotency_key: Option<String>,
    /// The chat session this concerns, when known.
    pub session_id: Option<String>,
    /// The command that resumes the work, when the command knows better than the generic
    /// hints (a chat turn's resend).
    pub resume: Option<String>,
    /// The global flags the resume command must repeat (`--mock`, `--mock-dir …`,
    /// `--base-url …`), each with its leading space; empty for the defaults.
    pub again: String,
    /// The command's `--out`, which the resume command saves to as well.
    pub out: Option<String>,
    /// The exit status: 1 for errors, 2 for usage errors, 130 after Ctrl-C.
    pub exit: u8,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>, exit: u8) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            task_id: None,
            idempotency_key: None,
            session_id: None,
            resume: None,
            again: String::new(),
            out: None,
            exit,
        }
    }

    /// A command line that cannot be run as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new("usage", message, 2)
    }

    /// A request the model's rules refuse (nothing was sent).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid_request", message, 1)
    }

    /// A local file or directory problem.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new("io", message, 1)
    }

    /// Ctrl-C.
    pub fn interrupted() -> Self {
        Self::new("interrupted", "interrupted", 130)
    }

    /// Whether this failure ended the command on Ctrl-C.
    pub fn is_interrupt(&self) -> bool {
        self.exit == 130
    }

    /// The command that picks the work up again, if any.
    pub fn resume_hint(&self) -> Option<String> {
        if self.resume.is_some() {
            return self.resume.clone();
        }
        if let (Some(id), "task_failed") = (&self.task_id, self.code.as_str()) {
            return Some(format!(
                "the task {id} failed and its credits were refunded; `rivya status {id}` shows it"
            ));
        }
        let again = &self.again;
        let out = self
            .out
            .as_deref()
            .map_or_else(|| "<DIR>".to_owned(), shell_word);
        if let Some(id) = &self.task_id {
            return Some(format!(
                "the task is {id}: resume with `rivya wait {id} --out {out}{again}`"
            ));
        }
        if let (Some(k), "idempotency_conflict") = (&self.idempotency_key, self.code.as_str()) {
            return Some(format!(
                "the key {k} belongs to a create with another body (prompt, parameters or \
                 reference files differ; references are keyed by their content, so the same \
                 files give the same body): `rivya resume {k}{again}` re-sends the body it was \
                 first used with and gets that task; run with another key (or none) for a new task"
            ));
        }
        self.idempotency_key.as_ref().map(|k| {
            format!(
                "the create may have reached the server: `rivya resume {k} --out {out}{again}` \
                 re-sends its journalled body, or re-run the same command with \
                 `--idempotency-key {k}`, to get that task without paying twice"
            )
        })
    }
}

/// A word for a shell command line: quoted unless it is plainly safe.
pub fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@=+,".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Validation(_) => "invalid_request".to_owned(),
            Error::UploadRejected { .. } => "upload_rejected".to_owned(),
            Error::TaskFailed(_) => "task_failed".to_owned(),
            Error::WaitTimeout { .. } => "wait_timeout".to_owned(),
            Error::Transport { .. } => "transport".to_owned(),
            Error::Decode { .. } => "bad_response".to_owned(),
            Error::Download { .. } | Error::NoResult { .. } => "download_failed".to_owned(),
            Error::Io { .. } => "io".to_owned(),
            Error::Config(_) => "config".to_owned(),
            Error::Encode { .. } => "encode".to_owned(),
            Error::InvalidId { .. } => "invalid_id".to_owned(),
            Error::InvalidIdempotencyKey { .. } => "invalid_idempotency_key".to_owned(),
            other => other
                .code()
                .map_or_else(|| "error".to_owned(), |c| c.as_str().to_owned()),
        };
        // An API error inside a wait or a download keeps its server code.
        let code = match (&e, e.code()) {
            (Error::Wait { .. }, Some(c)) => c.as_str().to_owned(),
            _ => code,
        };
        // An id or key typed wrong is a usage error: nothing was sent.
        let exit = match &e {
            Error::InvalidId { .. } | Error::InvalidIdempotencyKey { .. } => 2,
            _ => 1,
        };
        Self {
            code,
            message: e.to_string(),
            task_id: e.task_id().map(str::to_owned),
            idempotency_key: e.idempotency_key().map(str::to_owned),
            session_id: e.session_id().map(str::to_owned),
            resume: None,
            again: String::new(),
            out: None,
            exit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_prefer_the_task_id() {
        let mut f = Failure::io("disk full");
        assert_eq!(f.resume_hint(), None);
        f.idempotency_key = Some("k1".into());
        assert!(f.resume_hint().unwrap().contains("--idempotency-key k1"));
        f.task_id = Some("task_1".into());
        assert!(f.resume_hint().unwrap().contains("rivya wait task_1"));
        f.code = "task_failed".into();
        assert!(f.resume_hint().unwrap().contains("refunded"));
    }

    #[test]
    fn hints_repeat_the_flags_that_reach_the_same_service() {
        let f = Failure {
            task_id: Some("task_1".into()),
            again: " --mock --mock-dir '/tmp/my mock'".into(),
            out: Some("shots/".into()),
            ..Failure::interrupted()
        };
        let hint = f.resume_hint().unwrap();
        assert!(
            hint.contains("`rivya wait task_1 --out shots/ --mock --mock-dir '/tmp/my mock'`"),
            "{hint}"
        );
        let f = Failure {
            idempotency_key: Some("k1".into()),
            again: " --base-url http://127.0.0.1:8080".into(),
            ..Failure::interrupted()
        };
        let hint = f.resume_hint().unwrap();
        assert!(
            hint.contains("`rivya resume k1 --out <DIR> --base-url http://127.0.0.1:8080`"),
            "{hint}"
        );
    }

    #[test]
    fn a_conflict_points_at_resume_not_at_the_same_key_again() {
        let f = Failure {
            code: "idempotency_conflict".into(),
            idempotency_key: Some("k1".into()),
            ..Failure::io("x")
        };
        let hint = f.resume_hint().unwrap();
        assert!(hint.contains("rivya resume k1"), "{hint}");
        assert!(!hint.contains("--idempotency-key k1"), "{hint}");
    }

    #[test]
    fn runtime_errors_keep_their_code_and_ids() {
        let e = Error::NoResult {
            task_id: "task_9".into(),
            status: rivya_runtime::TaskStatus::Queued,
        };
        let f = Failure::from(e);
        assert_eq!(f.code, "download_failed");
        assert_eq!(f.task_id.as_deref(), Some("task_9"));
    }
}
