//! Streaming metrics: counters and `hdrhistogram`s per function and per target. Memory is fixed per function and
//! target, whatever the length of the run. What the run costs is computed from them once it ends (`observe::billing`).

pub mod esm;
pub mod fanout;
pub mod firehose;

use hdrhistogram::Histogram;
use serde_json::{json, Value};

use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::observe::window::EventWindow;
use crate::trace::{kind, Ctx, Observer, Origin, TraceEvent};
use crate::vocab::{DeliveryFailure, Fate, InvokeMode, Outcome, RecordKind, ThrottleReason};

// Old paths of the cost code that moved to `observe::billing`; removed when every import uses the layered paths.

/// An event in flight, as metrics need it: when it was accepted, which workload source sent it, how it was invoked,
/// and whether it has started an execution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenEvent {
    pub accepted: SimTime,
    /// Index of the workload source, or `u32::MAX` for destination records and duplicates.
    pub source: u32,
    pub sync: bool,
    pub started: bool,
}

/// Figures for one workload source (its own events; duplicates and destination records are not counted).
#[derive(Debug, Clone)]
pub struct SourceMetrics {
    /// Events of this source accepted.
    pub accepted: u64,
    /// Events per fate, indexed by `Fate as usize`.
    pub fates: [u64; 8],
    /// Accept to final fate, as [`FnMetrics::latency`].
    pub latency: Histogram<u64>,
    /// Accept to first execution (async sources), as [`FnMetrics::queue_wait`].
    pub queue_wait: Histogram<u64>,
    /// Sync sources: accept to response for requests that ran, as [`FnMetrics::sync_latency`].
    pub sync_latency: Histogram<u64>,
    /// Execution (invoke phase) and init durations of the source's events.
    pub attempt_duration: Histogram<u64>,
    /// Init durations of the source's cold starts.
    pub init_duration: Histogram<u64>,
}

impl SourceMetrics {
    fn new() -> Self {
        SourceMetrics {
            accepted: 0,
            fates: [0; 8],
            latency: hist(),
            queue_wait: hist(),
            sync_latency: hist(),
            attempt_duration: hist(),
            init_duration: hist(),
        }
    }
}

/// The largest value a histogram of microseconds takes: 30 days.
const HIST_HIGH: u64 = 30 * 24 * 3600 * 1_000_000;

/// An empty histogram of microseconds: 1 us to 30 days, 3 significant digits. It starts small and grows with the
/// values recorded into it (`auto`), so one that nothing is recorded into costs a few KiB instead of the 270 KiB of
/// its full range, written at every run's start. Quantiles, mean and maximum are the same either way (the buckets of a
/// value depend only on the lowest value and the precision). Record with [`record`], which keeps the 30-day bound.
pub(crate) fn hist() -> Histogram<u64> {
    growing_hist()
}

/// An empty histogram (lowest value 1, 3 significant digits) that grows with the values recorded into it.
pub(crate) fn growing_hist() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, 2, 3).expect("static histogram bounds");
    h.auto(true);
    h
}

/// The largest value that a histogram created for values up to `high` (1 us lowest, 3 significant digits, full range
/// allocated) accepts: its last bucket reaches a little beyond `high`.
pub(crate) fn max_recordable(high: u64) -> u64 {
    let mut h = Histogram::<u64>::new_with_bounds(1, high, 3).expect("static histogram bounds");
    let (mut ok, mut too_big) = (high, u64::MAX / 4);
    while too_big - ok > 1 {
        let mid = ok + (too_big - ok) / 2;
        if h.record(mid).is_ok() {
            ok = mid;
        } else {
            too_big = mid;
        }
    }
    ok
}

/// Record `n` times `v` microseconds, unless it is beyond the 30-day range (such a value is left out, as it always
/// was).
#[inline]
pub(crate) fn record_n(h: &mut Histogram<u64>, v: u64, n: u64) {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    if v <= HIST_HIGH || v <= *LIMIT.get_or_init(|| max_recordable(HIST_HIGH)) {
        let _ = h.record_n(v, n);
    }
}

/// Record `v` microseconds once (see [`record_n`]).
#[inline]
pub(crate) fn record(h: &mut Histogram<u64>, v: u64) {
    record_n(h, v, 1);
}

/// Figures for one function.
#[derive(Debug, Clone)]
pub struct FnMetrics {
    /// Invocations accepted.
    pub accepted: u64,
    /// Invocations refused before queueing or running (413).
    pub rejected: u64,
    /// Events per fate, indexed by `Fate as usize`.
    pub fates: [u64; 8],
    /// Events by number of executions (index = executions).
    pub attempts_per_event: Vec<u64>,
    /// Executions started (retries included).
    pub attempts: u64,
    /// Executions per outcome, indexed by `Outcome as usize`.
    pub outcomes: [u64; 4],
    /// Executions that ran init first.
    pub cold_starts: u64,
    /// Throttles, all reasons.
    pub throttles: u64,
    /// Throttles per reason, indexed by `ThrottleReason as usize`.
    pub throttles_by_reason: [u64; 5],
    /// Function-error retries scheduled.
    pub retries_scheduled: u64,
    /// Executions running now.
    pub busy: u32,
    /// The most executions running at once.
    pub peak_concurrency: u32,
    /// Execution environments created (the highest environment index plus 1).
    pub environments: u32,
    /// Billed invoke phases, in ms (each rounded up to 1 ms).
    pub billed_ms: u64,
    /// Billed init phases, in ms (each rounded up to 1 ms).
    pub init_billed_ms: u64,
    /// Billed duration as the spec's formula has it: `Σ ceil_ms(duration + init)` over executions (spec section 8).
    pub billed_duration_ms: u64,
    /// Accept to final fate, in microseconds.
    pub latency: Histogram<u64>,
    /// Execution (invoke phase) durations, in microseconds.
    pub attempt_duration: Histogram<u64>,
    /// Init durations of cold starts, in microseconds.
    pub init_duration: Histogram<u64>,
    /// Async: accept to the first execution start (throttle back-off and queueing before it included; the waits
    /// before retries are not). Events that never ran are not recorded.
    pub queue_wait: Histogram<u64>,
    /// Queue waits not yet in `queue_wait`: a run of equal values (value, count), recorded at once when the value
    /// changes and when the run ends (most async events never wait, so most waits are the same 1 us).
    queue_wait_run: (u64, u64),
    /// Sync: accept to the response, for requests that ran (throttled requests are counted as throttles instead).
    pub sync_latency: Histogram<u64>,
    /// Synchronous callers: what each request finally got (indexed by `CallOutcomeSpec as usize`) and how long the
    /// caller waited in all (retries and back-off included).
    pub call_outcomes: [u64; 6],
    /// How long synchronous callers waited in all, in microseconds.
    pub call_latency: Histogram<u64>,
    /// Init time of the execution running on each environment (microseconds), for the combined rounding.
    env_init: Vec<u64>,
    /// Configuration of the execution running on each environment, and whether the environment is provisioned.
    env_cfg: Vec<(u32, bool)>,
    /// Executions per configuration (version).
    pub attempts_by_config: Vec<u64>,
    /// Billed ms (invoke plus init, rounded together) of on-demand executions, per configuration.
    pub billed_ms_by_config: Vec<u64>,
    /// Init ms of on-demand executions, per configuration.
    pub init_ms_by_config: Vec<u64>,
    /// Billed ms of executions on provisioned environments, and of provisioned inits during the run, per configuration.
    pub provisioned_billed_ms_by_config: Vec<u64>,
    /// Init ms of provisioned inits during the run, per configuration.
    pub provisioned_init_ms_by_config: Vec<u64>,
    /// Executions on provisioned environments (`ProvisionedConcurrencyInvocations`).
    pub provisioned_invocations: u64,
    /// Executions that found every provisioned environment of their version busy
    /// (`ProvisionedConcurrencySpilloverInvocations`, spec section 6).
    pub spillovers: u64,
    /// Failed deliveries of this function's records: to destinations (`DestinationDeliveryFailures`) and to DLQs
    /// (`DeadLetterErrors`).
    pub destination_delivery_failures: u64,
    /// Failed DLQ deliveries (`DeadLetterErrors`).
    pub dead_letter_errors: u64,
}

impl FnMetrics {
    fn new(configs: usize) -> Self {
        FnMetrics {
            accepted: 0,
            rejected: 0,
            fates: [0; 8],
            attempts_per_event: vec![],
            attempts: 0,
            outcomes: [0; 4],
            cold_starts: 0,
            throttles: 0,
            throttles_by_reason: [0; 5],
            retries_scheduled: 0,
            busy: 0,
            peak_concurrency: 0,
            environments: 0,
            billed_ms: 0,
            init_billed_ms: 0,
            billed_duration_ms: 0,
            latency: hist(),
            attempt_duration: hist(),
            init_duration: hist(),
            queue_wait: hist(),
            queue_wait_run: (0, 0),
            sync_latency: hist(),
            call_outcomes: [0; 6],
            call_latency: hist(),
            env_init: vec![],
            env_cfg: vec![],
            attempts_by_config: vec![0; configs],
            billed_ms_by_config: vec![0; configs],
            init_ms_by_config: vec![0; configs],
            provisioned_billed_ms_by_config: vec![0; configs],
            provisioned_init_ms_by_config: vec![0; configs],
            provisioned_invocations: 0,
            spillovers: 0,
            destination_delivery_failures: 0,
            dead_letter_errors: 0,
        }
    }
    /// Events that ended with fate `f`.
    pub fn fate(&self, f: Fate) -> u64 {
        self.fates[f as usize]
    }

    /// Record an async queue wait (`n` equal values in a row are recorded as one `record_n`: the same histogram).
    #[inline]
    fn record_queue_wait(&mut self, wait: u64) {
        if self.queue_wait_run.0 == wait {
            self.queue_wait_run.1 += 1;
        } else {
            self.flush_queue_wait();
            self.queue_wait_run = (wait, 1);
        }
    }

    fn flush_queue_wait(&mut self) {
        let (wait, n) = std::mem::take(&mut self.queue_wait_run);
        if n > 0 {
            record_n(&mut self.queue_wait, wait, n);
        }
    }
}

/// Figures for one target.
#[derive(Debug, Clone, Default)]
pub struct TargetMetrics {
    /// Messages per record kind, indexed by `RecordKind as usize`.
    pub records: [u64; 3],
    /// Failed deliveries, all kinds and reasons.
    pub failures: u64,
    /// Failed deliveries by record kind and reason (`RecordKind as usize`, `DeliveryFailure as usize`).
    pub failures_by: [[u64; DeliveryFailure::ALL.len()]; 3],
}

impl TargetMetrics {
    /// Messages delivered, all record kinds.
    pub fn delivered(&self) -> u64 {
        self.records.iter().sum()
    }
}

/// All metrics of a run.
#[derive(Debug, Clone)]
pub struct Metrics {
    /// Per function, indexed like `Model::functions`.
    pub functions: Vec<FnMetrics>,
    /// Per target, indexed like `Model::targets`.
    pub targets: Vec<TargetMetrics>,
    /// Executions running now in the whole account.
    pub account_busy: u32,
    /// The most executions running at once in the account.
    pub account_peak: u32,
    /// Accept to final fate over every function (set when the run ends), in microseconds.
    pub all_latency: Histogram<u64>,
    /// Per workload source, by index in `Model::sources`.
    pub sources: Vec<SourceMetrics>,
    /// The events in flight.
    open: EventWindow<OpenEvent>,
    /// Queues, streams and mappings (spec section 5).
    pub esm: crate::observe::metrics::esm::EsmMetrics,
    /// Topics and buses (spec section 7).
    pub fanout: crate::observe::metrics::fanout::FanoutMetrics,
    /// Delivery streams: records by fate, invocations by result (src/firehose_metrics.rs).
    pub firehose: crate::observe::metrics::firehose::FirehoseMetrics,
    /// Sources that are the only way events reach their function: their histograms equal the function's, so they
    /// are copied once at the end instead of recorded twice per event.
    mirror: Vec<bool>,
    /// Every source mirrors its function: no per-source histogram is recorded per event.
    all_mirrored: bool,
    /// When the run ended (set by [`Metrics::finish`]): provisioned concurrency is billed until then.
    pub end: SimTime,
}

impl Metrics {
    /// Empty metrics for a run of `model`.
    pub fn new(model: &Model) -> Self {
        let mirror: Vec<bool> = model
            .sources
            .iter()
            .map(|s| {
                let f = s.function;
                let one_source = model.sources.iter().filter(|o| o.function == f).count() == 1;
                let no_destination = !model.functions.iter().flat_map(|g| g.async_settings_all()).any(|g| {
                    [g.on_success, g.on_failure]
                        .into_iter()
                        .flatten()
                        .any(|t| model.targets[t.ix()].kind == crate::model::TargetKind::Lambda(f))
                });
                one_source && no_destination && model.settings.duplicate_probability == 0.0
            })
            .collect();
        let all_mirrored = mirror.iter().all(|x| *x);
        Metrics {
            functions: model.functions.iter().map(|f| FnMetrics::new(f.configs.len())).collect(),
            targets: model.targets.iter().map(|_| TargetMetrics::default()).collect(),
            account_busy: 0,
            account_peak: 0,
            all_latency: hist(),
            sources: model.sources.iter().map(|_| SourceMetrics::new()).collect(),
            open: EventWindow::default(),
            esm: crate::observe::metrics::esm::EsmMetrics::new(model),
            fanout: crate::observe::metrics::fanout::FanoutMetrics::new(model),
            firehose: crate::observe::metrics::firehose::FirehoseMetrics::new(model),
            mirror,
            all_mirrored,
            end: SimTime::ZERO,
        }
    }

    /// Complete what is derived rather than recorded per event: the account-wide latency and the histograms of the
    /// sources that mirror their function. Called once when the run ends, at `end`.
    pub fn finish(&mut self, model: &Model, end: SimTime) {
        self.end = end;
        for f in &mut self.functions {
            f.flush_queue_wait();
        }
        let mut all = hist();
        for f in &self.functions {
            let _ = all.add(&f.latency);
        }
        self.all_latency = all;
        for (i, s) in model.sources.iter().enumerate() {
            if self.mirror[i] {
                let f = &self.functions[s.function.ix()];
                let src = &mut self.sources[i];
                src.latency = f.latency.clone();
                src.queue_wait = f.queue_wait.clone();
                src.sync_latency = f.sync_latency.clone();
                src.attempt_duration = f.attempt_duration.clone();
                src.init_duration = f.init_duration.clone();
            }
        }
    }
}

impl Metrics {
    /// The kinds of events metrics read (see [`Observer::interest`]).
    pub const INTEREST: u64 = !(kind::QUEUED | kind::ENVIRONMENT_SHUTDOWN | kind::CONFIG_CHANGE | kind::HANDLER_REPLY);
}

impl Observer for Metrics {
    fn interest(&self) -> crate::trace::Interest {
        crate::trace::Interest(Metrics::INTEREST)
    }

    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, _ctx: &Ctx<'_>) {
        // Each family of events is counted by a function of its own. This match names every variant, so a new one
        // must be given a family (the families' `_` arms are never reached).
        use TraceEvent as E;
        match ev {
            E::Accepted { .. }
            | E::Rejected { .. }
            | E::RetryScheduled { .. }
            | E::Throttled { .. }
            | E::Queued { .. }
            | E::Fate { .. } => self.on_invocation(t, ev),
            E::AttemptStart { .. } | E::AttemptEnd { .. } => self.on_execution(t, ev),
            E::Delivered { .. }
            | E::CallResult { .. }
            | E::EnvironmentShutdown { .. }
            | E::ProvisionedReady { .. }
            | E::ConfigChange { .. } => self.on_delivery(ev),
            E::MessageSent { .. }
            | E::MessageReceived { .. }
            | E::MessageFate { .. }
            | E::MessageReturned { .. }
            | E::RecordPut { .. }
            | E::RecordFate { .. }
            | E::BatchStart { .. }
            | E::BatchEnd { .. } => self.esm.on_event(t, ev),
            E::Published { .. } | E::Fanout { .. } | E::RuleMatched { .. } | E::PublishDeduplicated { .. } => self.fanout.on_event(ev),
            E::FirehoseRecordPut { .. } | E::FirehoseInvoke { .. } | E::FirehoseInvokeEnd { .. } | E::FirehoseRecordFate { .. } => {
                self.firehose.on_event(ev)
            }
            // What real code answered is for the digest and the trace; figures and invariants come from the
            // lifecycle events around it.
            E::HandlerReply { .. } => {}
        }
    }
}

impl Metrics {
    /// The invocation lifecycle apart from its executions: accepts, rejections, retries, throttles and fates.
    #[inline]
    fn on_invocation(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::Accepted { event, function, origin, mode, .. } => {
                self.functions[function.ix()].accepted += 1;
                let source = match origin {
                    Origin::Workload(i) => {
                        if let Some(s) = self.sources.get_mut(*i as usize) {
                            s.accepted += 1;
                        }
                        *i
                    }
                    _ => u32::MAX,
                };
                let open = OpenEvent { accepted: t, source, sync: *mode == InvokeMode::Sync, started: false };
                self.open.insert(*event, open);
            }
            TraceEvent::Rejected { function, .. } => self.functions[function.ix()].rejected += 1,
            TraceEvent::RetryScheduled { function, .. } => self.functions[function.ix()].retries_scheduled += 1,
            TraceEvent::Throttled { function, reason, .. } => {
                let m = &mut self.functions[function.ix()];
                m.throttles += 1;
                m.throttles_by_reason[*reason as usize] += 1;
            }
            TraceEvent::Queued { .. } => {}
            TraceEvent::Fate { event, function, fate, attempts, latency, .. } => {
                let m = &mut self.functions[function.ix()];
                m.fates[*fate as usize] += 1;
                let a = *attempts as usize;
                if m.attempts_per_event.len() <= a {
                    m.attempts_per_event.resize(a + 1, 0);
                }
                m.attempts_per_event[a] += 1;
                let open = self.open.remove(*event);
                let source = open.and_then(|o| self.sources.get_mut(o.source as usize));
                if let Some(s) = source {
                    s.fates[*fate as usize] += 1;
                }
                if *fate != Fate::InFlight {
                    let us = latency.as_micros();
                    record(&mut m.latency, us);
                    if let Some(o) = open {
                        let sync_ran = o.sync && o.started;
                        if sync_ran {
                            record(&mut m.sync_latency, us);
                        }
                        let mirrored = self.mirror.get(o.source as usize).copied().unwrap_or(true);
                        if let Some(s) = self.sources.get_mut(o.source as usize).filter(|_| !mirrored) {
                            record(&mut s.latency, us);
                            if sync_ran {
                                record(&mut s.sync_latency, us);
                            }
                        }
                    }
                }
            }
            _ => unreachable!("on_invocation: not an event of its family"),
        }
    }

    /// Executions: their start (cold starts, concurrency, queue wait) and end (billed duration, outcomes).
    #[inline]
    fn on_execution(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::AttemptStart { event, function, cold, init, env, config, provisioned, spillover, .. } => {
                let m = &mut self.functions[function.ix()];
                m.attempts += 1;
                if let Some(a) = m.attempts_by_config.get_mut(*config as usize) {
                    *a += 1;
                }
                m.provisioned_invocations += u64::from(*provisioned);
                m.spillovers += u64::from(*spillover);
                m.busy += 1;
                m.peak_concurrency = m.peak_concurrency.max(m.busy);
                m.environments = m.environments.max(env + 1);
                if *cold {
                    m.cold_starts += 1;
                    record(&mut m.init_duration, init.as_micros());
                }
                let e = *env as usize;
                if m.env_init.len() <= e {
                    m.env_init.resize(e + 1, 0);
                }
                m.env_init[e] = init.as_micros();
                if m.env_cfg.len() <= e {
                    m.env_cfg.resize(e + 1, (0, false));
                }
                m.env_cfg[e] = (*config, *provisioned);
                if let Some(o) = self.open.get_mut(*event) {
                    let mirrored = self.mirror.get(o.source as usize).copied().unwrap_or(true);
                    if *cold && !mirrored {
                        if let Some(s) = self.sources.get_mut(o.source as usize) {
                            record(&mut s.init_duration, init.as_micros());
                        }
                    }
                    if !o.started {
                        o.started = true;
                        if !o.sync {
                            let wait = (t - o.accepted).as_micros();
                            m.record_queue_wait(wait);
                            if let Some(s) = self.sources.get_mut(o.source as usize).filter(|_| !mirrored) {
                                record(&mut s.queue_wait, wait);
                            }
                        }
                    }
                }
                self.account_busy += 1;
                self.account_peak = self.account_peak.max(self.account_busy);
            }
            TraceEvent::AttemptEnd { event, function, env, outcome, duration, billed_ms, init_billed_ms, .. } => {
                let src = if self.all_mirrored {
                    None
                } else {
                    self.open.get(*event).map(|o| o.source as usize).filter(|s| !self.mirror.get(*s).copied().unwrap_or(true))
                };
                if let Some(s) = src.and_then(|s| self.sources.get_mut(s)) {
                    record(&mut s.attempt_duration, duration.as_micros());
                }
                let m = &mut self.functions[function.ix()];
                m.busy -= 1;
                m.billed_ms += billed_ms;
                m.init_billed_ms += init_billed_ms;
                let init = m.env_init.get(*env as usize).copied().unwrap_or(0);
                // Billed duration: invoke plus init, rounded up to the next 1 ms together (spec section 8).
                let billed = SimTime::from_micros(init + duration.as_micros()).ceil_millis();
                m.billed_duration_ms += billed;
                let (c, provisioned) = m.env_cfg.get(*env as usize).copied().unwrap_or((0, false));
                let c = (c as usize).min(m.billed_ms_by_config.len() - 1);
                if provisioned {
                    m.provisioned_billed_ms_by_config[c] += billed;
                } else {
                    m.billed_ms_by_config[c] += billed;
                    m.init_ms_by_config[c] += init_billed_ms;
                }
                m.outcomes[*outcome as usize] += 1;
                record(&mut m.attempt_duration, duration.as_micros());
                self.account_busy -= 1;
            }
            _ => unreachable!("on_execution: not an event of its family"),
        }
    }

    /// Destination and DLQ deliveries, synchronous calls' results, and provisioned environments' init.
    fn on_delivery(&mut self, ev: &TraceEvent) {
        match ev {
            TraceEvent::Delivered { function, target, kind, failure, .. } => {
                let m = &mut self.targets[target.ix()];
                match failure {
                    Some(why) => {
                        m.failures += 1;
                        m.failures_by[*kind as usize][*why as usize] += 1;
                        let fm = &mut self.functions[function.ix()];
                        if *kind == RecordKind::DeadLetter {
                            fm.dead_letter_errors += 1;
                        } else {
                            fm.destination_delivery_failures += 1;
                        }
                    }
                    None => m.records[*kind as usize] += 1,
                }
            }
            TraceEvent::CallResult { function, outcome, latency, .. } => {
                let m = &mut self.functions[function.ix()];
                m.call_outcomes[*outcome as usize] += 1;
                record(&mut m.call_latency, latency.as_micros());
            }
            TraceEvent::ProvisionedReady { function, config, init, .. } => {
                // A provisioned environment's init during the run is billed (spec section 6).
                let m = &mut self.functions[function.ix()];
                if let Some(x) = m.provisioned_init_ms_by_config.get_mut(*config as usize) {
                    *x += init.ceil_millis();
                }
            }
            TraceEvent::EnvironmentShutdown { .. } | TraceEvent::ConfigChange { .. } => {}
            _ => unreachable!("on_delivery: not an event of its family"),
        }
    }
}

/// `p50/p90/p99/p99.9/max` of a histogram of microseconds, as seconds.
pub fn percentiles_json(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return json!({"count": 0});
    }
    let s = |us: u64| us as f64 / 1e6;
    json!({
        "count": h.len(),
        "p50": s(h.value_at_quantile(0.5)),
        "p90": s(h.value_at_quantile(0.9)),
        "p99": s(h.value_at_quantile(0.99)),
        "p999": s(h.value_at_quantile(0.999)),
        "max": s(h.max()),
        "mean": h.mean() / 1e6,
    })
}

/// The latency at `percentile` (0–100), in microseconds.
pub fn at_percentile(h: &Histogram<u64>, percentile: f64) -> Option<u64> {
    (!h.is_empty()).then(|| h.value_at_percentile(percentile))
}

/// Executions per outcome, by name.
pub fn outcomes_by_name(m: &FnMetrics) -> Vec<(&'static str, u64)> {
    [Outcome::Success, Outcome::Error, Outcome::Timeout, Outcome::Crash]
        .iter()
        .map(|o| (o.name(), m.outcomes[*o as usize]))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Throttles per AWS reason, by name; `scaling_reason` names the scaling-rate refusals (a named option).
pub fn throttles_by_name<'a>(m: &FnMetrics, scaling_reason: &'a str) -> Vec<(&'a str, u64)> {
    let mut out: Vec<(&'a str, u64)> = vec![];
    for r in [
        ThrottleReason::ReservedConcurrency,
        ThrottleReason::AccountConcurrency,
        ThrottleReason::InjectedThrottle,
        ThrottleReason::ServiceError,
        ThrottleReason::ScalingRate,
    ] {
        let n = m.throttles_by_reason[r as usize];
        if n == 0 {
            continue;
        }
        let name = if r == ThrottleReason::ScalingRate { scaling_reason } else { r.aws_name() };
        match out.iter_mut().find(|(k, _)| *k == name) {
            Some(e) => e.1 += n,
            None => out.push((name, n)),
        }
    }
    out
}

/// Records per kind, by name.
pub fn records_by_name(m: &TargetMetrics) -> Vec<(&'static str, u64)> {
    [RecordKind::OnSuccess, RecordKind::OnFailure, RecordKind::DeadLetter]
        .iter()
        .map(|k| (k.name(), m.records[*k as usize]))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Per workload source: events, fates and latencies.
pub fn sources_json(model: &Model, metrics: &Metrics) -> Value {
    let mut out = serde_json::Map::new();
    for (i, s) in model.sources.iter().enumerate() {
        let Some(m) = metrics.sources.get(i) else { continue };
        let fates: serde_json::Map<String, Value> =
            Fate::ALL.iter().filter(|f| m.fates[**f as usize] > 0).map(|f| (f.name().to_string(), json!(m.fates[*f as usize]))).collect();
        out.insert(
            s.name.clone(),
            json!({
                "function": model.functions[s.function.ix()].name,
                "invocationType": if s.sync { "RequestResponse" } else { "Event" },
                "accepted": m.accepted,
                "fates": fates,
                "latencySeconds": percentiles_json(&m.latency),
                "syncLatencySeconds": percentiles_json(&m.sync_latency),
                "queueWaitSeconds": percentiles_json(&m.queue_wait),
                "executionSeconds": percentiles_json(&m.attempt_duration),
                "initSeconds": percentiles_json(&m.init_duration),
            }),
        );
    }
    Value::Object(out)
}
