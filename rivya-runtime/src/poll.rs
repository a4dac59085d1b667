//! Waiting for a task: a growing interval with jitter and a cap, and a deadline that always
//! applies. On the deadline the task id comes back in the error, so a paid task is never lost.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use rivya_models::Capability;

use crate::error::Error;
use crate::types::{Task, TaskStatus};

/// How a wait polls: the first poll after a create, then a growing interval, and a deadline.
///
/// The API docs advise a first poll 2–3 s after the create, then every 5–10 s, slower for
/// video and audio. [`PollPolicy::for_capability`] follows that, and the client picks it from
/// the model's capability unless you set a policy ([`crate::ClientBuilder::poll_policy`],
/// [`WaitOptions::policy`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PollPolicy {
    /// The wait before the first poll after a create (default 2.5 s, so 2–3 s with jitter).
    pub first_poll: Duration,
    /// The interval after that (image 6.25 s, video and audio 8 s).
    pub initial_interval: Duration,
    /// Growth per poll (default 1.25).
    pub multiplier: f64,
    /// The largest interval (image 8 s, video and audio 12.5 s).
    pub max_interval: Duration,
    /// Random spread of each wait, ± this fraction (default 0.2).
    pub jitter: f64,
    /// The total time a wait may take (default 30 min).
    pub deadline: Duration,
}

impl Default for PollPolicy {
    /// The image schedule: first poll 2–3 s after the create, then every 5–9.6 s.
    fn default() -> Self {
        Self::for_capability(Capability::Image)
    }
}

impl PollPolicy {
    /// The documented schedule for a kind of model, jitter included: the first poll 2–3 s
    /// after the create; then 5–9.6 s apart for images; 6.4–15 s apart for video and audio,
    /// which take longer.
    pub fn for_capability(capability: Capability) -> Self {
        let (initial, max) = match capability {
            Capability::Image => (6_250, 8_000),
            // Video, audio and any kind added later: the slower, conservative schedule.
            _ => (8_000, 12_500),
        };
        Self {
            first_poll: Duration::from_millis(2_500),
            initial_interval: Duration::from_millis(initial),
            multiplier: 1.25,
            max_interval: Duration::from_millis(max),
            jitter: 0.2,
            deadline: Duration::from_secs(30 * 60),
        }
    }

    /// The schedule for a model id of the catalog; unknown ids get the slower video schedule
    /// (the conservative choice: fewer polls).
    pub fn for_model(model: &str) -> Self {
        let cap = rivya_models::catalog::find(model).map_or(Capability::Video, |m| m.capability);
        Self::for_capability(cap)
    }

    /// The wait before the first poll after a create: `first_poll · (1 + jitter · (2r − 1))`.
    pub fn first(&self, rng: &mut fastrand::Rng) -> Duration {
        spread(self.first_poll.as_secs_f64(), self.jitter, rng)
    }

    /// The interval after poll number `n + 1`:
    /// `min(initial · multiplier^n, max) · (1 + jitter · (2r − 1))`.
    pub fn interval(&self, n: u32, rng: &mut fastrand::Rng) -> Duration {
        let grown =
            self.initial_interval.as_secs_f64() * self.multiplier.max(1.0).powi(n.min(64) as i32);
        let capped = grown.min(self.max_interval.as_secs_f64());
        spread(capped, self.jitter, rng)
    }
}

fn spread(secs: f64, jitter: f64, rng: &mut fastrand::Rng) -> Duration {
    let spread = jitter.clamp(0.0, 1.0) * (2.0 * rng.f64() - 1.0);
    Duration::from_secs_f64((secs * (1.0 + spread)).max(0.0))
}

/// Observes a task's status changes.
pub type StatusObserver<'a> = Box<dyn FnMut(&Task) + Send + 'a>;

/// Options of one wait, built with setters:
/// `WaitOptions::new().on_status(|t| …).policy(…)`.
///
/// Every setting is optional and nothing a call does overrides one you made: a wait that
/// follows a create ([`crate::Client::run_with`]) sleeps the schedule's first delay before
/// its first poll unless you said otherwise with [`WaitOptions::delay_first_poll`]; a wait
/// resumed by id ([`crate::Client::wait_with`]) polls at once unless you said otherwise.
#[derive(Default)]
#[non_exhaustive]
pub struct WaitOptions<'a> {
    policy: Option<PollPolicy>,
    delay_first_poll: Option<bool>,
    on_status: Option<StatusObserver<'a>>,
    /// The status the caller has already seen (a create's answer), so it is not reported
    /// twice.
    seen: Option<TaskStatus>,
}

impl std::fmt::Debug for WaitOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("policy", &self.policy)
            .field("delay_first_poll", &self.delay_first_poll)
            .field("on_status", &self.on_status.as_ref().map(|_| "<observer>"))
            .finish_non_exhaustive()
    }
}

impl<'a> WaitOptions<'a> {
    /// No settings: the client's schedule (else the model's documented one), no observer.
    pub fn new() -> Self {
        Self::default()
    }

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

    /// Whether to sleep the schedule's first delay ([`PollPolicy::first_poll`]) before the
    /// first poll. Unset, a wait right after a create does and a wait resumed by id does not;
    /// set, your choice holds for either.
    pub fn delay_first_poll(mut self, delay: bool) -> Self {
        self.delay_first_poll = Some(delay);
        self
    }

    /// The schedule set here, if any.
    pub(crate) fn poll_policy(&self) -> Option<&PollPolicy> {
        self.policy.as_ref()
    }

    /// Reports a status the caller saw before the wait (a create's answer) to the observer,
    /// and remembers it so the wait does not report it again.
    pub(crate) fn saw(&mut self, task: &Task) {
        if let Some(f) = self.on_status.as_mut() {
            f(task);
        }
        self.seen = Some(task.status.clone());
    }
}

/// Whether a failed poll is worth polling again (the next poll may well succeed). A 4xx is
/// as final without the envelope (an HTML 401 page, an empty 404) as with it.
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Decode { status, .. } => !(400..500).contains(status) || matches!(status, 408 | 429),
        Error::Api(api) => api.is_retryable(),
        _ => false,
    }
}

/// Which schedule a wait follows.
#[derive(Debug, Clone)]
pub(crate) enum Schedule<'m> {
    /// One the caller chose.
    Fixed(PollPolicy),
    /// The documented one for this model id.
    Model(&'m str),
    /// The documented one for the model the first answer names (a wait resumed by id).
    FromTask,
}

/// Polls `fetch` until the task is terminal or the deadline passes. Holds no resources
/// between polls but the future itself: dropping it stops the polling completely (the task
/// itself goes on on the server, and is charged: the API has no cancel).
///
/// `after_create` is the default of [`WaitOptions::delay_first_poll`]: a wait that follows a
/// create sleeps the first delay unless the options say otherwise.
pub(crate) async fn wait_loop<F, Fut>(
    task_id: &str,
    schedule: Schedule<'_>,
    rng: &mut fastrand::Rng,
    mut options: WaitOptions<'_>,
    after_create: bool,
    mut fetch: F,
) -> Result<Task, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Task, Error>>,
{
    let (mut policy, mut adapt) = match schedule {
        Schedule::Fixed(p) => (p, false),
        Schedule::Model(m) => (PollPolicy::for_model(m), false),
        // Until the first answer names the model, the slower schedule applies.
        Schedule::FromTask => (PollPolicy::for_capability(Capability::Video), true),
    };
    let start = Instant::now();
    let deadline = start + policy.deadline;
    let mut n = 0;
    let mut last: Option<TaskStatus> = options.seen.take();
    if options.delay_first_poll.unwrap_or(after_create) {
        let first = policy.first(rng).min(policy.deadline);
        tokio::time::sleep(first).await;
    }
    loop {
        match fetch().await {
            Ok(task) => {
                if adapt && !task.model.is_empty() {
                    let deadline = policy.deadline;
                    policy = PollPolicy {
                        deadline,
                        ..PollPolicy::for_model(&task.model)
                    };
                    adapt = false;
                }
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

    fn exact(cap: Capability) -> PollPolicy {
        PollPolicy {
            jitter: 0.0,
            ..PollPolicy::for_capability(cap)
        }
    }

    #[test]
    fn intervals_grow_by_a_quarter_to_the_cap() {
        let mut rng = fastrand::Rng::with_seed(3);
        let ms = |p: &PollPolicy, rng: &mut fastrand::Rng| -> Vec<u128> {
            (0..5).map(|n| p.interval(n, rng).as_millis()).collect()
        };
        let image = exact(Capability::Image);
        assert_eq!(image.first(&mut rng).as_millis(), 2500);
        assert_eq!(ms(&image, &mut rng), [6250, 7812, 8000, 8000, 8000]);
        let video = exact(Capability::Video);
        assert_eq!(ms(&video, &mut rng), [8000, 10000, 12500, 12500, 12500]);
        assert_eq!(exact(Capability::Audio), video);
        assert_eq!(
            PollPolicy::default(),
            PollPolicy::for_capability(Capability::Image)
        );
    }

    #[test]
    fn jittered_waits_stay_within_the_documented_ranges() {
        let mut rng = fastrand::Rng::with_seed(5);
        let image = PollPolicy::for_capability(Capability::Image);
        let video = PollPolicy::for_capability(Capability::Video);
        for n in 0..1000 {
            let first = image.first(&mut rng).as_secs_f64();
            assert!((2.0..=3.0).contains(&first), "first poll {first}");
            let i = image.interval(n % 6, &mut rng).as_secs_f64();
            assert!((5.0..=9.6).contains(&i), "image {i}");
            let v = video.interval(n % 6, &mut rng).as_secs_f64();
            assert!((6.4..=15.0).contains(&v), "video {v}");
        }
    }

    #[test]
    fn models_pick_their_schedule_and_unknown_ones_the_slower() {
        let video = PollPolicy::for_capability(Capability::Video);
        assert_eq!(PollPolicy::for_model("kling-3-0"), video);
        assert_eq!(PollPolicy::for_model("elevenlabs-turbo-2-5"), video);
        assert_eq!(PollPolicy::for_model("a-model-from-next-year"), video);
        assert_eq!(
            PollPolicy::for_model("flux-2-pro"),
            PollPolicy::for_capability(Capability::Image)
        );
    }
}

/// Wait schedules on tokio's paused clock.
#[cfg(test)]
mod schedule {
    use super::*;
    use std::cell::RefCell;

    fn task(status: &str, model: &str) -> Task {
        serde_json::from_value(
            serde_json::json!({"id": "task_1", "status": status, "model": model}),
        )
        .unwrap()
    }

    fn exact(cap: Capability) -> PollPolicy {
        PollPolicy {
            jitter: 0.0,
            ..PollPolicy::for_capability(cap)
        }
    }

    /// Who decides the first delay: the call (after a create, or resumed), or the options.
    #[derive(Clone, Copy)]
    enum First {
        AfterCreate,
        Resumed,
        Set { delay: bool, after_create: bool },
    }

    /// Serves `statuses` in turn (the last one forever) as tasks of `model`, and records
    /// poll times.
    async fn run(
        schedule: Schedule<'_>,
        first: First,
        statuses: &[&str],
        model: &str,
    ) -> (Vec<u128>, Vec<String>, Result<Task, Error>) {
        let start = Instant::now();
        let polls = RefCell::new(Vec::new());
        let seen = std::sync::Mutex::new(Vec::new());
        let mut rng = fastrand::Rng::with_seed(1);
        let options =
            WaitOptions::new().on_status(|t| seen.lock().unwrap().push(t.status.to_string()));
        let options = match first {
            First::AfterCreate | First::Resumed => options,
            First::Set { delay, .. } => options.delay_first_poll(delay),
        };
        let after_create = matches!(
            first,
            First::AfterCreate
                | First::Set {
                    after_create: true,
                    ..
                }
        );
        let result = wait_loop("task_1", schedule, &mut rng, options, after_create, || {
            let n = polls.borrow().len();
            polls
                .borrow_mut()
                .push((Instant::now() - start).as_millis());
            let status = statuses[n.min(statuses.len() - 1)];
            let t = task(status, model);
            async move { Ok(t) }
        })
        .await;
        (polls.into_inner(), seen.into_inner().unwrap(), result)
    }

    const FIVE: [&str; 5] = [
        "queued",
        "processing",
        "processing",
        "processing",
        "succeeded",
    ];

    #[tokio::test(start_paused = true)]
    async fn images_poll_at_2_5_s_then_every_6_to_8_s() {
        // tokio's timer rounds each sleep up to the next millisecond: 7812.5 ms → 7813.
        let p = exact(Capability::Image);
        let (at, seen, r) = run(Schedule::Fixed(p), First::AfterCreate, &FIVE, "flux-2-pro").await;
        assert_eq!(at, [2500, 8750, 16563, 24563, 32563]);
        assert_eq!(seen, ["queued", "processing", "succeeded"]);
        assert_eq!(r.unwrap().status, TaskStatus::Succeeded);
    }

    #[tokio::test(start_paused = true)]
    async fn video_and_audio_poll_slower() {
        let p = exact(Capability::Video);
        let (at, _, _) = run(Schedule::Fixed(p), First::AfterCreate, &FIVE, "kling-3-0").await;
        assert_eq!(at, [2500, 10500, 20500, 33000, 45500]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_schedule_follows_the_model() {
        // `Schedule::Model` with the default jitter: reproducible, and within the ranges.
        let (a, _, _) = run(
            Schedule::Model("flux-2-pro"),
            First::AfterCreate,
            &FIVE,
            "flux-2-pro",
        )
        .await;
        let (b, _, _) = run(
            Schedule::Model("flux-2-pro"),
            First::AfterCreate,
            &FIVE,
            "flux-2-pro",
        )
        .await;
        assert_eq!(a, b, "same seed, same schedule");
        assert!((2000..=3000).contains(&a[0]), "{a:?}");
        for w in a.windows(2) {
            assert!((5000..=9600).contains(&(w[1] - w[0])), "{a:?}");
        }
        let (v, _, _) = run(
            Schedule::Model("kling-3-0"),
            First::AfterCreate,
            &FIVE,
            "kling-3-0",
        )
        .await;
        for w in v.windows(2) {
            assert!((6400..=15000).contains(&(w[1] - w[0])), "{v:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_resumed_wait_learns_the_model_from_the_first_answer() {
        // Resumed by id: polls at once; the answer names an image model, so the image
        // intervals follow (8 s, 10 s … would be the video ones).
        let (at, _, _) = run(Schedule::FromTask, First::Resumed, &FIVE, "flux-2-pro").await;
        let gaps: Vec<u128> = at.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(at[0], 0);
        assert!(gaps.iter().all(|g| (5000..=9600).contains(g)), "{gaps:?}");
        let (at, _, _) = run(Schedule::FromTask, First::Resumed, &FIVE, "suno-music").await;
        let gaps: Vec<u128> = at.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|g| (6400..=15000).contains(g)), "{gaps:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn resuming_polls_at_once() {
        let p = exact(Capability::Image);
        let (at, _, r) = run(Schedule::Fixed(p), First::Resumed, &["succeeded"], "").await;
        assert_eq!(at, [0]);
        assert!(r.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn the_callers_first_delay_wins_over_the_calls_default() {
        // After a create the first poll waits 2.5 s, unless the options say not to …
        let p = exact(Capability::Image);
        let no_delay = First::Set {
            delay: false,
            after_create: true,
        };
        let (at, _, r) = run(Schedule::Fixed(p.clone()), no_delay, &["succeeded"], "").await;
        assert_eq!(at, [0]);
        assert!(r.is_ok());
        // … and a resumed wait polls at once, unless the options ask for the delay.
        let delay = First::Set {
            delay: true,
            after_create: false,
        };
        let (at, _, _) = run(Schedule::Fixed(p), delay, &["succeeded"], "").await;
        assert_eq!(at, [2500]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_returns_the_task_id_and_last_status() {
        let p = PollPolicy {
            deadline: Duration::from_secs(20),
            ..exact(Capability::Image)
        };
        let (at, _, r) = run(
            Schedule::Fixed(p),
            First::Resumed,
            &["queued", "processing"],
            "",
        )
        .await;
        assert_eq!(at, [0, 6250, 14063, 20000]);
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
        let p = exact(Capability::Image);
        let (_, _, r) = run(
            Schedule::Fixed(p),
            First::Resumed,
            &["paused_for_review", "failed"],
            "",
        )
        .await;
        let err = r.unwrap_err();
        assert_eq!(err.task_id(), Some("task_1"));
        assert!(matches!(err, Error::TaskFailed(_)));
    }
}
