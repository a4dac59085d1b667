//! Waiting for a task: a growing interval with jitter and a cap, and a deadline that always
//! applies. On the deadline the task id comes back in the error, so a paid task is never lost.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::types::{Task, TaskStatus};

/// How a wait polls.
#[derive(Debug, Clone, PartialEq)]
pub struct PollPolicy {
    /// The first interval (default 1 s).
    pub initial_interval: Duration,
    /// Growth per poll (default 1.5).
    pub multiplier: f64,
    /// The largest interval (default 10 s).
    pub max_interval: Duration,
    /// Random spread of each interval, ± this fraction (default 0.2).
    pub jitter: f64,
    /// The total time a wait may take (default 30 min).
    pub deadline: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(1),
            multiplier: 1.5,
            max_interval: Duration::from_secs(10),
            jitter: 0.2,
            deadline: Duration::from_secs(30 * 60),
        }
    }
}

impl PollPolicy {
    /// The interval before poll number `n + 1`:
    /// `min(initial · multiplier^n, max) · (1 + jitter · (2r − 1))`.
    pub fn interval(&self, n: u32, rng: &mut fastrand::Rng) -> Duration {
        let grown =
            self.initial_interval.as_secs_f64() * self.multiplier.max(1.0).powi(n.min(64) as i32);
        let capped = grown.min(self.max_interval.as_secs_f64());
        let spread = self.jitter.clamp(0.0, 1.0) * (2.0 * rng.f64() - 1.0);
        Duration::from_secs_f64((capped * (1.0 + spread)).max(0.0))
    }
}

/// Observes a task's status changes.
pub type StatusObserver<'a> = Box<dyn FnMut(&Task) + Send + 'a>;

/// Options of one wait.
#[derive(Default)]
pub struct WaitOptions<'a> {
    /// The polling schedule (defaults to the client's).
    pub policy: Option<PollPolicy>,
    /// Sleep one interval before the first poll (right after a create); off when resuming.
    pub delay_first_poll: bool,
    /// Called with the task each time its status changes (for progress display).
    pub on_status: Option<StatusObserver<'a>>,
    /// The status the caller has already seen (a create's answer), so it is not reported
    /// twice.
    pub(crate) seen: Option<TaskStatus>,
}

impl<'a> WaitOptions<'a> {
    /// Observes each status change.
    pub fn on_status(mut self, f: impl FnMut(&Task) + Send + 'a) -> Self {
        self.on_status = Some(Box::new(f));
        self
    }

    /// Uses this schedule instead of the client's.
    pub fn policy(mut self, policy: PollPolicy) -> Self {
        self.policy = Some(policy);
        self
    }
}

/// Whether a failed poll is worth polling again (the next poll may well succeed).
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Transport { .. } | Error::Decode { .. } => true,
        Error::Api(api) => crate::retry::is_retryable(&api.code, api.status),
        _ => false,
    }
}

/// Polls `fetch` until the task is terminal or the deadline passes. Holds no resources
/// between polls but the future itself: dropping it cancels the wait completely.
pub(crate) async fn wait_loop<F, Fut>(
    task_id: &str,
    policy: &PollPolicy,
    rng: &mut fastrand::Rng,
    mut options: WaitOptions<'_>,
    mut fetch: F,
) -> Result<Task, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Task, Error>>,
{
    let start = Instant::now();
    let deadline = start + policy.deadline;
    let mut n = 0;
    let mut last: Option<TaskStatus> = options.seen.take();
    if options.delay_first_poll {
        let first = policy.interval(0, rng).min(policy.deadline);
        tokio::time::sleep(first).await;
        n = 1;
    }
    loop {
        match fetch().await {
            Ok(task) => {
                if last.as_ref() != Some(&task.status) {
                    if let Some(f) = options.on_status.as_mut() {
                        f(&task);
                    }
                    last = Some(task.status.clone());
                }
                match task.status {
                    TaskStatus::Succeeded => return Ok(task),
                    TaskStatus::Failed => return Err(Error::TaskFailed(Box::new(task))),
                    _ => {}
                }
            }
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                return Err(Error::Wait {
                    task_id: task_id.to_owned(),
                    source: Box::new(e),
                });
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::WaitTimeout {
                task_id: task_id.to_owned(),
                last_status: last.unwrap_or_else(|| TaskStatus::Unknown("never seen".to_owned())),
                elapsed: now - start,
            });
        }
        let delay = policy.interval(n, rng).min(deadline - now);
        tokio::time::sleep(delay).await;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_by_half_to_the_cap() {
        let p = PollPolicy {
            jitter: 0.0,
            ..PollPolicy::default()
        };
        let mut rng = fastrand::Rng::with_seed(3);
        let ms: Vec<u128> = (0..8)
            .map(|n| p.interval(n, &mut rng).as_millis())
            .collect();
        assert_eq!(ms, [1000, 1500, 2250, 3375, 5062, 7593, 10000, 10000]);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let p = PollPolicy::default();
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..1000 {
            let d = p.interval(10, &mut rng).as_secs_f64();
            assert!((8.0..=12.0).contains(&d), "{d}");
        }
    }
}

/// Wait schedules on tokio's paused clock.
#[cfg(test)]
mod schedule {
    use super::*;
    use std::cell::RefCell;

    fn task(status: &str) -> Task {
        serde_json::from_value(serde_json::json!({"id": "task_1", "status": status})).unwrap()
    }

    fn policy() -> PollPolicy {
        PollPolicy {
            jitter: 0.0,
            ..PollPolicy::default()
        }
    }

    /// Serves `statuses` in turn (the last one forever) and records poll times.
    async fn run(
        policy: PollPolicy,
        delay_first: bool,
        statuses: &[&str],
    ) -> (Vec<u128>, Vec<String>, Result<Task, Error>) {
        let start = Instant::now();
        let polls = RefCell::new(Vec::new());
        let seen = std::sync::Mutex::new(Vec::new());
        let mut rng = fastrand::Rng::with_seed(1);
        let options = WaitOptions {
            delay_first_poll: delay_first,
            ..WaitOptions::default()
        }
        .on_status(|t| seen.lock().unwrap().push(t.status.to_string()));
        let result = wait_loop("task_1", &policy, &mut rng, options, || {
            let n = polls.borrow().len();
            polls
                .borrow_mut()
                .push((Instant::now() - start).as_millis());
            let status = statuses[n.min(statuses.len() - 1)];
            async move { Ok(task(status)) }
        })
        .await;
        (polls.into_inner(), seen.into_inner().unwrap(), result)
    }

    #[tokio::test(start_paused = true)]
    async fn polls_on_a_growing_schedule_after_a_create() {
        let statuses = [
            "queued",
            "processing",
            "processing",
            "processing",
            "succeeded",
        ];
        let (at, seen, r) = run(policy(), true, &statuses).await;
        assert_eq!(at, [1000, 2500, 4750, 8125, 13188]);
        assert_eq!(seen, ["queued", "processing", "succeeded"]);
        assert_eq!(r.unwrap().status, TaskStatus::Succeeded);
    }

    #[tokio::test(start_paused = true)]
    async fn resuming_polls_at_once() {
        let (at, _, r) = run(policy(), false, &["succeeded"]).await;
        assert_eq!(at, [0]);
        assert!(r.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_returns_the_task_id_and_last_status() {
        let p = PollPolicy {
            deadline: Duration::from_secs(20),
            ..policy()
        };
        let (at, _, r) = run(p, false, &["queued", "processing"]).await;
        assert_eq!(at, [0, 1000, 2500, 4750, 8125, 13188, 20000]);
        match r.unwrap_err() {
            Error::WaitTimeout {
                task_id,
                last_status,
                elapsed,
            } => {
                assert_eq!(task_id, "task_1");
                assert_eq!(last_status, TaskStatus::Processing);
                assert_eq!(elapsed, Duration::from_secs(20));
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failed_tasks_and_unknown_statuses() {
        let (_, _, r) = run(policy(), false, &["paused_for_review", "failed"]).await;
        let err = r.unwrap_err();
        assert_eq!(err.task_id(), Some("task_1"));
        assert!(matches!(err, Error::TaskFailed(_)));
    }
}
