//! One run, end to end: a model and a seed in; the trace and sink files written as the run goes; a [`RunReport`] out
//! (fates, figures, the bill, expectation verdicts, invariant breaches, digest). The CLI and library users both come
//! through here. The observers live in `observe` (the built-in set in `observe::builtin`, the writers in
//! `observe::sinks`); the summaries of a report in `report::summary`.

use std::io;
use std::path::PathBuf;

use crate::model::Model;
use crate::observe::billing::Bill;
use crate::observe::expect::{ExpectObserver, Verdict};
use crate::observe::metrics::Metrics;
use crate::observe::monitor::{Breach, Monitor};
use crate::sim::{RunStats, Sim};
use crate::trace::{Digest, Observer};

// Old paths of the observers that moved to `observe`; removed when every import uses the layered paths.
use crate::observe::builtin::Observers;
use crate::observe::sinks::{SinkWriter, TraceWriter};

/// What a run writes besides its report.
#[derive(Default)]
pub struct RunOptions<'a> {
    pub trace: Option<TraceWriter>,
    pub sinks_dir: Option<PathBuf>,
    /// Observers of the caller's own (they see every trace event).
    pub observers: Vec<&'a mut dyn Observer>,
    /// Test-only: lengthen the n-th handler-duration draw by 1 us (`check --check-determinism` must catch it).
    pub perturb_for_testing: Option<u64>,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub scenario: String,
    pub scenario_digest: u64,
    pub seed: u64,
    pub digest: String,
    pub trace_events: u64,
    pub stats: RunStats,
    pub metrics: Metrics,
    /// What the run cost (spec section 8), computed once when it ended.
    pub bill: Bill,
    pub verdicts: Vec<Verdict>,
    pub breaches: Vec<Breach>,
}

impl RunReport {
    /// Every per-seed expectation held (sweep-level ones are judged by `lambdasim check`).
    pub fn expectations_passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed || !v.fatal)
    }
    /// 0 all well, 1 an expectation failed, 3 an invariant broke (a lambdasim bug).
    pub fn exit_code(&self) -> i32 {
        if !self.breaches.is_empty() {
            3
        } else if !self.expectations_passed() {
            1
        } else {
            0
        }
    }
}

/// Run `model` under `seed`.
pub fn run(model: &Model, seed: u64, opts: RunOptions<'_>) -> io::Result<RunReport> {
    let sinks = match &opts.sinks_dir {
        Some(d) => Some(SinkWriter::create(d, model)?),
        None => None,
    };
    let obs = Observers {
        digest: Digest::default(),
        metrics: Metrics::new(model),
        monitor: Monitor::new(model),
        expect: ExpectObserver::new(model),
        trace: opts.trace,
        sinks,
        extra: opts.observers,
    };
    let (obs, stats) = Sim::new(model, seed, obs).perturb_for_testing(opts.perturb_for_testing).run();
    if let Some(t) = obs.trace {
        t.finish()?;
    }
    if let Some(s) = obs.sinks {
        s.finish()?;
    }
    let mut metrics = obs.metrics;
    metrics.finish(model, stats.end_time);
    metrics.esm.finish(stats.end_time);
    let bill = Bill::new(model, &metrics, stats.end_time);
    let breaches = obs.monitor.finish(stats.end_time);
    let mut expect = obs.expect;
    let verdicts = expect.verdicts(&metrics, seed);
    Ok(RunReport {
        scenario: model.name.clone(),
        scenario_digest: model.digest,
        seed,
        digest: obs.digest.hex(),
        trace_events: obs.digest.events(),
        stats,
        metrics,
        bill,
        verdicts,
        breaches,
    })
}
