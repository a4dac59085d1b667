//! A spinner on terminals; silence otherwise (JSON goes to stdout).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress display for waits, uploads and downloads.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner when `visible`, else nothing.
    pub fn new(visible: bool) -> Self {
        let bar = visible.then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    /// Replaces the message.
    pub fn message(&self, msg: String) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
    }

    /// Runs `f` (which prints) with the spinner cleared, so lines do not interleave.
    pub fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Stops the spinner and clears its line: the command's result, printed next, says where
    /// things ended (leaving the spinner's line would print the final status twice).
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
