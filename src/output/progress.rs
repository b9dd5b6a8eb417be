//! Progress for long work: indicatif bars on a terminal, plain milestone lines otherwise.
//!
//! CI logs are not terminals, so there a bar would vanish; instead each milestone becomes one
//! line on stderr. `--quiet`, `--no-progress` and `--json` hide bars; milestones still follow
//! `--quiet`.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// How progress is shown, decided once at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Interactive bars and spinners on stderr.
    Bars,
    /// One line per milestone on stderr.
    Lines,
    /// Nothing at all.
    Hidden,
}

/// A handle to one unit of progress: a bar, a spinner, or a silent counter that logs milestones.
pub struct Progress {
    bar: Option<ProgressBar>,
    mode: ProgressMode,
    label: String,
}

impl Progress {
    pub(crate) fn bar(mode: ProgressMode, len: u64, label: &str) -> Self {
        let label: &str = &super::sanitize::console(label);
        let bar = (mode == ProgressMode::Bars).then(|| {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:30!} [{bar:30}] {pos}/{len} {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if mode == ProgressMode::Lines {
            super::eprint_line(&format!("{label}: started"));
        }
        Self { bar, mode, label: label.to_owned() }
    }

    pub(crate) fn spinner(mode: ProgressMode, label: &str) -> Self {
        let label: &str = &super::sanitize::console(label);
        let bar = (mode == ProgressMode::Bars).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { bar, mode, label: label.to_owned() }
    }

    /// Advances a bar by `n`.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Reports a state change: the bar's message on a terminal, a log line elsewhere.
    pub fn milestone(&self, message: &str) {
        match self.mode {
            ProgressMode::Bars => {
                if let Some(bar) = &self.bar {
                    bar.set_message(message.to_owned());
                }
            }
            ProgressMode::Lines => super::eprint_line(&format!("{}: {message}", self.label)),
            ProgressMode::Hidden => {}
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Several bars at once (one per file being transferred), drawn together on a terminal.
#[derive(Clone)]
pub struct ProgressGroup {
    multi: Option<MultiProgress>,
    mode: ProgressMode,
}

impl ProgressGroup {
    pub(crate) fn new(mode: ProgressMode) -> Self {
        let multi = (mode == ProgressMode::Bars)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self { multi, mode }
    }

    /// A bar of `len` bytes labelled `label`; in line mode, one line when it starts.
    pub fn bytes(&self, len: u64, label: &str) -> Progress {
        let label: &str = &super::sanitize::console(label);
        let bar = self.multi.as_ref().map(|multi| {
            let bar = multi.add(ProgressBar::new(len));
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:40!} [{bar:25}] {bytes}/{total_bytes} {binary_bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if self.mode == ProgressMode::Lines {
            super::eprint_line(&format!("{label}: started ({len} bytes)"));
        }
        Progress { bar, mode: self.mode, label: label.to_owned() }
    }
}

impl Progress {
    /// Sets a bar's position (bytes sent so far, restarting at 0 on a retry).
    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }
}
