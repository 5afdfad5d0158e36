//! One run, end to end: a model and a seed in; the trace and sink files written as the run goes; a [`RunReport`] out
//! (fates, figures, the bill, expectation verdicts, invariant breaches, digest). The CLI and library users both come
//! through here. The observers live in `observe` (the built-in set in `observe::builtin`, the writers in
//! `observe::sinks`); the summaries of a report in `report::summary`.
//!
//! Real handler code: the caller passes its own [`Handlers`] (`RunOptions::handlers`, e.g. an
//! [`crate::handler::inprocess::InProcess`]); otherwise the functions whose scenario entry has `Handler` and
//! `Runtime` get runtime processes ([`ProcessHandlers`]). A failure of that machinery ends the run with an error
//! that [`handler_failure`] recognises (exit code 2 on the command line).

use std::io;
use std::path::PathBuf;

use crate::handler::process::{ProcessHandlers, ProcessOptions};
use crate::handler::{HandlerFailure, Handlers};
use crate::model::Model;
use crate::observe::billing::Bill;
use crate::observe::expect::{ExpectObserver, Verdict};
use crate::observe::metrics::Metrics;
use crate::observe::monitor::{Breach, Monitor};
/// The run budget: its default, what a refused or stopped run reports, and the check made before a run.
pub use crate::sim::budget::{preflight, BudgetExceeded, DEFAULT_MAX_EVENTS};
use crate::sim::{RunStats, Sim, Stopped};
use crate::trace::{Digest, Observer};

// Old paths of the observers that moved to `observe`; removed when every import uses the layered paths.
use crate::observe::builtin::Observers;
use crate::observe::sinks::{SinkWriter, TraceWriter};

/// Where the durations of attempts served by real handler code come from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum HandlerDuration {
    /// The function's `Behavior.Duration` model, as for every other function: reproducible (the default).
    #[default]
    Model,
    /// The wall time the handler took, times `scale`: realistic, but **not reproducible** (the digest changes from
    /// run to run). The report says so (`RunReport::measured_durations`).
    Measured {
        /// Virtual time per unit of wall time (1.0: as measured).
        scale: f64,
    },
}

/// What a run writes besides its report.
pub struct RunOptions<'a> {
    /// Where the `--trace` JSON lines go (`None`: no trace).
    pub trace: Option<TraceWriter>,
    /// The directory the destination and DLQ sinks are written to (`--sinks`; `None`: not written).
    pub sinks_dir: Option<PathBuf>,
    /// Observers of the caller's own (they see every trace event).
    pub observers: Vec<&'a mut dyn Observer>,
    /// The caller's own handler code (e.g. an [`crate::handler::inprocess::InProcess`]); `None`: runtime processes
    /// for the functions whose scenario entry has `Handler` and `Runtime`, if any.
    pub handlers: Option<&'a mut dyn Handlers>,
    /// The runtime processes' settings (log directory, wall-clock guard, process cap), for the functions whose
    /// scenario entry has `Handler` and `Runtime` when `handlers` is `None`.
    pub processes: ProcessOptions,
    /// Where durations of attempts served by handlers come from (default: the `Duration` model).
    pub handler_duration: HandlerDuration,
    /// The run budget (`--max-events`): at most this many kernel events, and at most 1/50 of it invocations in
    /// flight plus pending kernel events at once; beyond it the run stops with a [`BudgetExceeded`] error (see
    /// [`budget_exceeded`]). Work known before the run (arrivals, schedule ticks) is checked first. 0: no limit.
    /// Default [`DEFAULT_MAX_EVENTS`] (50 million).
    pub max_events: u64,
    /// Test-only: lengthen the n-th handler-duration draw by 1 us (`check --check-determinism` must catch it).
    #[doc(hidden)]
    pub perturb_for_testing: Option<u64>,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions {
            trace: None,
            sinks_dir: None,
            observers: vec![],
            handlers: None,
            processes: ProcessOptions::default(),
            handler_duration: HandlerDuration::default(),
            max_events: DEFAULT_MAX_EVENTS,
            perturb_for_testing: None,
        }
    }
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The scenario's `Name`.
    pub scenario: String,
    /// Stable hash of the scenario file's canonical JSON (`Model::digest`).
    pub scenario_digest: u64,
    /// The seed the run used.
    pub seed: u64,
    /// The trace digest, 16 hex digits: same scenario and seed, same digest.
    pub digest: String,
    /// How many trace events the digest covers.
    pub trace_events: u64,
    /// Kernel-level figures of the run (end time, events processed, peak in flight).
    pub stats: RunStats,
    /// Per-function, per-target and per-service figures.
    pub metrics: Metrics,
    /// What the run cost (spec section 8), computed once when it ended.
    pub bill: Bill,
    /// One verdict per `Expectations` entry, in file order.
    pub verdicts: Vec<Verdict>,
    /// Invariant breaches the monitor found (empty in a correct run).
    pub breaches: Vec<Breach>,
    /// Durations of handler-served attempts were measured on the wall clock (`HandlerDuration::Measured`): this run
    /// is not reproducible.
    pub measured_durations: bool,
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

/// The failure of the handler machinery that ended a run, if that is what `e` is (a runtime command that does not
/// exist, a handler that never answered, a handler registered for a function the scenario does not have).
pub fn handler_failure(e: &io::Error) -> Option<&HandlerFailure> {
    e.get_ref().and_then(|x| x.downcast_ref::<HandlerFailure>())
}

/// The run budget that ended (or refused) a run, if that is what `e` is.
pub fn budget_exceeded(e: &io::Error) -> Option<&BudgetExceeded> {
    e.get_ref().and_then(|x| x.downcast_ref::<BudgetExceeded>())
}

/// Run `model` under `seed`. Errors: the run budget refused or stopped the run (see [`budget_exceeded`]), writing
/// the trace or sinks failed, or the handler machinery failed (see [`handler_failure`]).
pub fn run(model: &Model, seed: u64, mut opts: RunOptions<'_>) -> io::Result<RunReport> {
    // What is known before the run is checked before anything is started or allocated.
    crate::sim::budget::preflight(model, opts.max_events).map_err(io::Error::other)?;
    // Real code: the caller's handlers, or runtime processes for the functions that have code.
    let mut processes = None;
    if opts.handlers.is_none() {
        // `..Default::default()`: the process pool's other settings keep their defaults.
        #[allow(clippy::needless_update)]
        let popts = opts.processes.clone();
        processes = ProcessHandlers::new(model, popts).map_err(io::Error::other)?;
    }
    let handlers: Option<&mut dyn Handlers> = match opts.handlers.take() {
        Some(h) => Some(h),
        None => processes.as_mut().map(|p| p as &mut dyn Handlers),
    };
    let measured = match opts.handler_duration {
        HandlerDuration::Model => None,
        HandlerDuration::Measured { scale } => Some(scale),
    };
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
    let mut sim = Sim::new(model, seed, obs).perturb_for_testing(opts.perturb_for_testing).with_budget(opts.max_events);
    let mut measured_durations = false;
    if let Some(h) = handlers {
        h.bind(model).map_err(io::Error::other)?;
        measured_durations = measured.is_some() && (0..model.functions.len()).any(|i| h.serves(crate::model::FnId(i as u32)));
        sim = sim.with_handlers(h, measured);
    }
    let (obs, stats) = sim.try_run().map_err(|s| match s {
        Stopped::Handler(f) => io::Error::other(f),
        Stopped::Budget(b) => io::Error::other(b),
    })?;
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
        measured_durations,
    })
}
