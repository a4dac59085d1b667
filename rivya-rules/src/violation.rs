//! Validation results: every rule a request breaks, each with its path.

use std::fmt;

/// What rule a value broke. Carries the limit so callers can act on it programmatically.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The request body is not a JSON object (untyped validation only).
    NotAnObject,
    /// `model` names no model in the catalog.
    UnknownModel,
    /// A key the model does not document.
    UnknownKey,
    /// A required key is missing.
    Required,
    /// The value has the wrong JSON type.
    WrongType {
        /// The expected JSON type.
        expected: &'static str,
    },
    /// A required prompt is empty or whitespace only.
    Blank,
    /// The prompt exceeds the model's limit (counted in UTF-16 code units).
    TooLong {
        /// The limit.
        max: u32,
        /// The length found.
        actual: usize,
    },
    /// A select value that is not among the options.
    NotAnOption {
        /// The allowed values.
        options: Vec<String>,
    },
    /// A number below the minimum or above the maximum.
    OutOfRange {
        /// Inclusive minimum.
        min: Option<f64>,
        /// Inclusive maximum.
        max: Option<f64>,
    },
    /// A number that is not a whole multiple of the step from the minimum.
    OffStep {
        /// The step.
        step: f64,
    },
    /// A list with fewer items than required.
    TooFewItems {
        /// The fewest items accepted.
        min: u32,
    },
    /// More reference files than the model accepts.
    TooManyFiles {
        /// The most accepted.
        max: u32,
    },
    /// A reference file of a kind the model does not accept.
    KindNotAccepted {
        /// The accepted kinds.
        accepted: Vec<&'static str>,
    },
    /// A reference file whose MIME type is not accepted for its kind.
    MimeNotAccepted {
        /// The accepted MIME types.
        accepted: Vec<String>,
    },
    /// A reference URL that is not an absolute `http(s)` URL.
    InvalidUrl,
    /// A video or audio reference without its `durationToken`.
    MissingDurationToken,
    /// Reference media sent to a model that takes none.
    UploadsNotAccepted,
    /// More chat attachments than the model accepts in one turn.
    TooManyAttachments {
        /// The most accepted.
        max: u32,
    },
    /// Chat attachments sent to a model that takes none (a text-only chat model).
    AttachmentsNotAccepted,
    /// A shared chat field the model does not take (its spec says it lacks it).
    FieldNotSupported,
}

/// One broken rule: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The path in the request body (`prompt`, `params.duration`,
    /// `params.referenceMediaItems[2].mimeType`).
    pub path: String,
    /// The rule that was broken.
    pub kind: ViolationKind,
    /// The offending value, rendered for people (empty when there is none).
    pub value: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.value;
        write!(f, "{}: ", self.path)?;
        match &self.kind {
            ViolationKind::NotAnObject => write!(f, "the request body must be a JSON object"),
            ViolationKind::UnknownModel => write!(f, "unknown model `{v}`"),
            ViolationKind::UnknownKey => write!(f, "unknown key; the model does not document it"),
            ViolationKind::Required => write!(f, "is required"),
            ViolationKind::WrongType { expected } => write!(f, "expected {expected}, found {v}"),
            ViolationKind::Blank => write!(f, "must not be empty or whitespace only"),
            ViolationKind::TooLong { max, actual } => write!(
                f,
                "is {actual} characters long (UTF-16 code units); the limit is {max}"
            ),
            ViolationKind::NotAnOption { options } => write!(
                f,
                "`{v}` is not an option; expected one of: {}",
                options.join(", ")
            ),
            ViolationKind::OutOfRange { min, max } => {
                write!(f, "{v} is out of range; ")?;
                match (min, max) {
                    (Some(lo), Some(hi)) => write!(f, "expected {lo} to {hi}"),
                    (Some(lo), None) => write!(f, "expected at least {lo}"),
                    (None, Some(hi)) => write!(f, "expected at most {hi}"),
                    (None, None) => write!(f, "no range is documented"),
                }
            }
            ViolationKind::OffStep { step } => {
                write!(f, "{v} is not a multiple of the step {step}")
            }
            ViolationKind::TooFewItems { min } => {
                write!(f, "has {v} items; at least {min} required")
            }
            ViolationKind::TooManyFiles { max } => {
                write!(
                    f,
                    "has {v} reference files; the model accepts at most {max}"
                )
            }
            ViolationKind::TooManyAttachments { max } => {
                write!(f, "has {v} attachments; the model accepts at most {max}")
            }
            ViolationKind::KindNotAccepted { accepted } => write!(
                f,
                "kind `{v}` is not accepted; expected one of: {}",
                accepted.join(", ")
            ),
            ViolationKind::MimeNotAccepted { accepted } => write!(
                f,
                "MIME type `{v}` is not accepted; expected one of: {}",
                accepted.join(", ")
            ),
            ViolationKind::InvalidUrl => write!(f, "`{v}` is not an absolute http(s) URL"),
            ViolationKind::MissingDurationToken => write!(
                f,
                "video and audio references must carry the durationToken returned by /api/v1/files"
            ),
            ViolationKind::UploadsNotAccepted => {
                write!(f, "this model takes no reference media")
            }
            ViolationKind::AttachmentsNotAccepted => {
                write!(f, "this chat model takes no attachments (text only)")
            }
            ViolationKind::FieldNotSupported => {
                write!(f, "this chat model does not support this field")
            }
        }
    }
}

/// Every rule a request breaks. Returned by `validate()` and by
/// [`body::validate`](crate::body::validate).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// The model the request was checked against (as named in the request).
    pub model: String,
    /// The broken rules, in request order; never empty.
    pub violations: Vec<Violation>,
}

impl ValidationError {
    /// Whether a violation is reported at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.violations.iter().any(|v| v.path == path)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        let s = if n == 1 { "" } else { "s" };
        write!(f, "invalid request for `{}` ({n} violation{s})", self.model)?;
        for v in &self.violations {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// Collects violations while rules run; turns into a `Result` at the end.
#[derive(Debug, Default)]
pub struct Violations {
    list: Vec<Violation>,
}

impl Violations {
    /// Records one violation.
    pub fn push(&mut self, path: impl Into<String>, kind: ViolationKind, value: impl Into<String>) {
        self.list.push(Violation {
            path: path.into(),
            kind,
            value: value.into(),
        });
    }

    /// How many violations were recorded so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether nothing was recorded so far.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Puts the violations recorded since the first `from` in the order `rank` gives their
    /// paths, keeping ties as recorded (an object's fields are checked in a fixed order, but
    /// reported in the order the request wrote them).
    pub(crate) fn order_since(&mut self, from: usize, rank: impl Fn(&str) -> usize) {
        if let Some(recent) = self.list.get_mut(from..) {
            recent.sort_by_key(|violation| rank(&violation.path));
        }
    }

    /// `Ok(())` when nothing was recorded, else every violation.
    pub fn finish(self, model: &str) -> Result<(), ValidationError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                model: model.to_owned(),
                violations: self.list,
            })
        }
    }
}
