//! The progress line of a seed sweep (`lambdasim check` on a terminal). With the `cli` feature it is an `indicatif`
//! bar; a library build without it (`default-features = false`) writes a plain `N/M seeds` line to stderr instead, so
//! `SweepOptions::progress` means the same in both. Progress never touches results: seeds run and are kept the same
//! whether it is drawn or not.

#[cfg(not(feature = "cli"))]
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts finished seeds and shows the count on stderr when enabled. Shared by the sweep's worker threads.
pub(crate) struct Progress {
    #[cfg(feature = "cli")]
    bar: indicatif::ProgressBar,
    #[cfg(not(feature = "cli"))]
    done: AtomicU64,
    #[cfg(not(feature = "cli"))]
    len: u64,
    #[cfg(not(feature = "cli"))]
    shown: bool,
}

impl Progress {
    /// A progress display for `len` seeds, drawn only when `shown`.
    #[cfg(feature = "cli")]
    pub(crate) fn new(len: u64, shown: bool) -> Progress {
        let bar = if shown {
            let b = indicatif::ProgressBar::new(len);
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} seeds [{bar:40}] {per_sec} eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        Progress { bar }
    }

    /// A progress display for `len` seeds, drawn only when `shown`.
    #[cfg(not(feature = "cli"))]
    pub(crate) fn new(len: u64, shown: bool) -> Progress {
        Progress { done: AtomicU64::new(0), len, shown }
    }

    /// One more seed finished.
    #[cfg(feature = "cli")]
    pub(crate) fn inc(&self) {
        self.bar.inc(1);
    }

    /// One more seed finished: the line is redrawn about a hundred times over the sweep.
    #[cfg(not(feature = "cli"))]
    pub(crate) fn inc(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let step = (self.len / 100).max(1);
        if self.shown && (done.is_multiple_of(step) || done == self.len) {
            eprint!("\r{done}/{} seeds", self.len);
        }
    }

    /// The sweep is over: the display is cleared.
    #[cfg(feature = "cli")]
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// The sweep is over: the line is cleared.
    #[cfg(not(feature = "cli"))]
    pub(crate) fn finish(&self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(format!("{}/{} seeds", self.len, self.len).len()));
        }
    }
}
