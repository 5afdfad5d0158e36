//! Streaming metrics: counters and `hdrhistogram`s per function and per target. Memory is fixed per function and
//! target, whatever the length of the run. Cost follows the simulator formula of spec section 8.

use hdrhistogram::Histogram;
use serde_json::{json, Value};

use crate::model::{Architecture, Model};
use crate::time::SimTime;
use crate::trace::{Ctx, Fate, Observer, Outcome, RecordKind, ThrottleReason, TraceEvent};

/// $0.20 per million requests (spec section 8).
pub const PRICE_PER_REQUEST: f64 = 0.2e-6;
/// x86_64 price per GB-second (spec section 8).
pub const PRICE_GB_S_X86: f64 = 0.000_016_666_7;
/// arm64 price per GB-second (spec section 8, marked uncertain there).
pub const PRICE_GB_S_ARM: f64 = 0.000_013_333_4;

fn hist() -> Histogram<u64> {
    // 1 us to 30 days, 3 significant digits.
    Histogram::new_with_bounds(1, 30 * 24 * 3600 * 1_000_000, 3).expect("static histogram bounds")
}

/// Figures for one function.
#[derive(Debug, Clone)]
pub struct FnMetrics {
    pub accepted: u64,
    pub rejected: u64,
    /// Events per fate, indexed by `Fate as usize`.
    pub fates: [u64; 8],
    /// Events by number of executions (index = executions).
    pub attempts_per_event: Vec<u64>,
    pub attempts: u64,
    /// Executions per outcome, indexed by `Outcome as usize`.
    pub outcomes: [u64; 4],
    pub cold_starts: u64,
    pub throttles: u64,
    /// Throttles per reason, indexed by `ThrottleReason as usize`.
    pub throttles_by_reason: [u64; 4],
    pub retries_scheduled: u64,
    pub busy: u32,
    pub peak_concurrency: u32,
    pub environments: u32,
    pub billed_ms: u64,
    pub init_billed_ms: u64,
    pub latency: Histogram<u64>,
    pub attempt_duration: Histogram<u64>,
    pub init_duration: Histogram<u64>,
}

impl FnMetrics {
    fn new() -> Self {
        FnMetrics {
            accepted: 0,
            rejected: 0,
            fates: [0; 8],
            attempts_per_event: vec![],
            attempts: 0,
            outcomes: [0; 4],
            cold_starts: 0,
            throttles: 0,
            throttles_by_reason: [0; 4],
            retries_scheduled: 0,
            busy: 0,
            peak_concurrency: 0,
            environments: 0,
            billed_ms: 0,
            init_billed_ms: 0,
            latency: hist(),
            attempt_duration: hist(),
            init_duration: hist(),
        }
    }
    pub fn fate(&self, f: Fate) -> u64 {
        self.fates[f as usize]
    }
}

/// Figures for one target.
#[derive(Debug, Clone, Default)]
pub struct TargetMetrics {
    /// Messages per record kind, indexed by `RecordKind as usize`.
    pub records: [u64; 3],
    pub failures: u64,
}

impl TargetMetrics {
    pub fn delivered(&self) -> u64 {
        self.records.iter().sum()
    }
}

/// All metrics of a run.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub functions: Vec<FnMetrics>,
    pub targets: Vec<TargetMetrics>,
    pub account_busy: u32,
    pub account_peak: u32,
    pub all_latency: Histogram<u64>,
}

impl Metrics {
    pub fn new(model: &Model) -> Self {
        Metrics {
            functions: model.functions.iter().map(|_| FnMetrics::new()).collect(),
            targets: model.targets.iter().map(|_| TargetMetrics::default()).collect(),
            account_busy: 0,
            account_peak: 0,
            all_latency: hist(),
        }
    }

    /// GB-seconds billed for a function: invoke plus init, each rounded up to 1 ms (spec section 8).
    pub fn gb_seconds(&self, model: &Model, f: usize) -> f64 {
        let m = &self.functions[f];
        (m.billed_ms + m.init_billed_ms) as f64 / 1000.0 * f64::from(model.functions[f].memory_mb) / 1024.0
    }

    /// Dollars: requests plus GB-seconds, no free tier, no volume tiers (spec section 8).
    pub fn cost(&self, model: &Model, f: usize) -> f64 {
        let price = match model.functions[f].architecture {
            Architecture::X86_64 => PRICE_GB_S_X86,
            Architecture::Arm64 => PRICE_GB_S_ARM,
        };
        self.functions[f].attempts as f64 * PRICE_PER_REQUEST + self.gb_seconds(model, f) * price
    }
}

impl Observer for Metrics {
    #[inline]
    fn on_event(&mut self, _t: SimTime, ev: &TraceEvent, _ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::Accepted { function, .. } => self.functions[function.ix()].accepted += 1,
            TraceEvent::Rejected { function, .. } => self.functions[function.ix()].rejected += 1,
            TraceEvent::AttemptStart { function, cold, init, env, .. } => {
                let m = &mut self.functions[function.ix()];
                m.attempts += 1;
                m.busy += 1;
                m.peak_concurrency = m.peak_concurrency.max(m.busy);
                m.environments = m.environments.max(env + 1);
                if *cold {
                    m.cold_starts += 1;
                    let _ = m.init_duration.record(init.as_micros().max(1));
                }
                self.account_busy += 1;
                self.account_peak = self.account_peak.max(self.account_busy);
            }
            TraceEvent::AttemptEnd { function, outcome, duration, billed_ms, init_billed_ms, .. } => {
                let m = &mut self.functions[function.ix()];
                m.busy -= 1;
                m.billed_ms += billed_ms;
                m.init_billed_ms += init_billed_ms;
                m.outcomes[*outcome as usize] += 1;
                let _ = m.attempt_duration.record(duration.as_micros().max(1));
                self.account_busy -= 1;
            }
            TraceEvent::RetryScheduled { function, .. } => self.functions[function.ix()].retries_scheduled += 1,
            TraceEvent::Throttled { function, reason, .. } => {
                let m = &mut self.functions[function.ix()];
                m.throttles += 1;
                m.throttles_by_reason[*reason as usize] += 1;
            }
            TraceEvent::Queued { .. } => {}
            TraceEvent::Fate { function, fate, attempts, latency, .. } => {
                let m = &mut self.functions[function.ix()];
                m.fates[*fate as usize] += 1;
                let a = *attempts as usize;
                if m.attempts_per_event.len() <= a {
                    m.attempts_per_event.resize(a + 1, 0);
                }
                m.attempts_per_event[a] += 1;
                if *fate != Fate::InFlight {
                    let _ = m.latency.record(latency.as_micros().max(1));
                    let _ = self.all_latency.record(latency.as_micros().max(1));
                }
            }
            TraceEvent::Delivered { target, kind, failure, .. } => {
                let m = &mut self.targets[target.ix()];
                if failure.is_some() {
                    m.failures += 1;
                } else {
                    m.records[*kind as usize] += 1;
                }
            }
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

/// Throttles per AWS reason, by name.
pub fn throttles_by_name(m: &FnMetrics) -> Vec<(&'static str, u64)> {
    let mut out: Vec<(&'static str, u64)> = vec![];
    for r in [
        ThrottleReason::ReservedConcurrency,
        ThrottleReason::AccountConcurrency,
        ThrottleReason::InjectedThrottle,
        ThrottleReason::ServiceError,
    ] {
        let n = m.throttles_by_reason[r as usize];
        if n == 0 {
            continue;
        }
        match out.iter_mut().find(|(k, _)| *k == r.aws_name()) {
            Some(e) => e.1 += n,
            None => out.push((r.aws_name(), n)),
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
