//! Optional `tracing` spans (feature `tracing`, off by default): one span per call, named
//! `rivya.call`, with `method`, `path`, `attempt`, `status`, `idempotency_key` and `task_id`.
//! The API key is never a field. Without the feature every function here compiles to nothing.

use std::future::Future;

/// The span of one call (a no-op without the `tracing` feature).
#[derive(Clone)]
pub(crate) struct CallSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl CallSpan {
    /// A span for `method path`, with the call's idempotency key and task id when known.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub fn new(method: &str, path: &str, key: Option<&str>, task_id: Option<&str>) -> Self {
        #[cfg(feature = "tracing")]
        {
            let span = tracing::info_span!(
                "rivya.call",
                method,
                path,
                attempt = tracing::field::Empty,
                status = tracing::field::Empty,
                idempotency_key = key,
                task_id = task_id,
            );
            Self { span }
        }
        #[cfg(not(feature = "tracing"))]
        Self {}
    }

    /// Runs `f` inside the span.
    pub fn instrument<F: Future>(&self, f: F) -> impl Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(f, self.span.clone())
        }
        #[cfg(not(feature = "tracing"))]
        f
    }

    /// The attempt about to be sent (0 for the first).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub fn attempt(&self, n: u32) {
        #[cfg(feature = "tracing")]
        self.span.record("attempt", n);
    }

    /// The HTTP status of the latest answer.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub fn status(&self, status: u16) {
        #[cfg(feature = "tracing")]
        self.span.record("status", status);
    }

    /// The task the call concerns, once known (a create's answer).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub fn task_id(&self, id: &str) {
        #[cfg(feature = "tracing")]
        self.span.record("task_id", id);
    }
}
