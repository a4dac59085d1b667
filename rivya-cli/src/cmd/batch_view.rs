//! What `rivya batch` shows while it runs: a progress bar on a terminal (done / running /
//! failed / credits spent, ETA), one JSON object per event otherwise.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use rivya_batch::{Event, Observer, Summary};

use crate::render::Render;

/// The display, shared with the engine's workers.
pub struct View {
    bar: Option<ProgressBar>,
    state: Arc<Tally>,
}

#[derive(Default)]
struct Tally {
    done: AtomicU64,
    running: AtomicU64,
    failed: AtomicU64,
    /// Credits spent, in hundredths (atomics hold integers).
    cents: AtomicU64,
}

impl View {
    pub fn new(total: u64, render: Render) -> Self {
        let bar = (!render.json).then(|| {
            let bar = ProgressBar::new(total);
            let template = "{bar:30} {pos}/{len} done · {msg} · ETA {eta}";
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Self {
            bar,
            state: Arc::default(),
        }
    }

    /// The engine's observer: updates the bar, or prints each event as a JSON line.
    pub fn observer(&self) -> Observer {
        let bar = self.bar.clone();
        let t = self.state.clone();
        Arc::new(move |e: &Event| {
            match e {
                Event::Started { counts, .. } => {
                    t.done
                        .store(counts.succeeded + counts.failed, Ordering::Relaxed);
                    t.failed.store(counts.failed, Ordering::Relaxed);
                    t.cents
                        .store((counts.credits_spent * 100.0) as u64, Ordering::Relaxed);
                }
                Event::Created { .. } => {
                    t.running.fetch_add(1, Ordering::Relaxed);
                }
                Event::Item { state, credits, .. } => {
                    if matches!(state.as_str(), "succeeded" | "failed") {
                        t.done.fetch_add(1, Ordering::Relaxed);
                        let _ = t
                            .running
                            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                                Some(r.saturating_sub(1))
                            });
                    }
                    if state == "failed" {
                        t.failed.fetch_add(1, Ordering::Relaxed);
                    }
                    t.cents
                        .fetch_add((credits * 100.0) as u64, Ordering::Relaxed);
                }
                Event::Paused { ms, until_ms } => {
                    if let Some(bar) = &bar {
                        let until =
                            std::time::UNIX_EPOCH + std::time::Duration::from_millis(*until_ms);
                        bar.println(format!(
                            "paused by the API for {:.0} s; resuming at {}",
                            *ms as f64 / 1000.0,
                            humantime::format_rfc3339_seconds(until)
                        ));
                    }
                }
                Event::OverQuote {
                    key,
                    reserved,
                    quoted,
                    ..
                } => {
                    if let Some(bar) = &bar {
                        bar.println(format!(
                            "item {}: the server reserved {reserved} credits against a quote of \
                             {quoted}; no further creates in this run",
                            crate::render::escape_controls(key)
                        ));
                    }
                }
            }
            match &bar {
                Some(bar) => {
                    bar.set_position(t.done.load(Ordering::Relaxed));
                    bar.set_message(format!(
                        "{} running · {} failed · {} credits",
                        t.running.load(Ordering::Relaxed),
                        t.failed.load(Ordering::Relaxed),
                        t.cents.load(Ordering::Relaxed) as f64 / 100.0
                    ));
                }
                None => crate::render::line(&serde_json::to_string(e).unwrap_or_default()),
            }
        })
    }

    pub fn finish(&self, summary: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_position(summary.counts.succeeded + summary.counts.failed);
            bar.finish_and_clear();
        }
    }
}
