//! Expectations: the checking language of scenario files. Each expectation names a measure and bounds
//! (`Equals`, `AtLeast`, `AtMost`); a violated one exits 1 and says what was expected, what happened and by how much.
//! Measures that need to see each event or message (`AttemptsPerEvent`, `SinkRecords`) are evaluated as the run goes,
//! the others from the run's [`Metrics`].

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::aws::ids::request_id;
use crate::kernel::time::SimTime;
use crate::model::versions::{Qualifier, Setups};
use crate::model::{FnId, Model, TargetId};
use crate::observe::metrics::{at_percentile, Metrics};
use crate::trace::{kind, Ctx, Interest, Observer, TraceEvent};
use crate::vocab::{DeliveryFailure, Outcome, RecordKind};

use crate::model::checks::{Expectation, Measure};

/// The verdict on one expectation in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The expectation's `Name`.
    pub name: String,
    /// The bounds held in this run.
    pub passed: bool,
    /// Whether this verdict alone decides the run's exit code (`Quantifier::Always`); sweep-level expectations
    /// (`InFractionOfSeeds`, `Sometimes`, `AcrossSeeds`) are reported by `run` but judged by `check`.
    pub fatal: bool,
    /// The measured value (for per-event measures: the value furthest outside the bounds, or the extreme seen).
    pub actual: Option<f64>,
    /// What was measured against which bounds, for people.
    pub message: String,
}

impl Verdict {
    /// The verdict as in the JSON summary (`perSeed` is `fatal`).
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "passed": self.passed, "perSeed": self.fatal, "actual": self.actual, "message": self.message})
    }
}

/// Per-event measures: every value must lie within the bounds.
#[derive(Debug, Clone, Default)]
struct Each {
    count: u64,
    min: Option<f64>,
    max: Option<f64>,
    violations: u64,
    /// (event, request key, value) of the first value outside the bounds.
    first_violation: Option<(u64, u64, f64)>,
}

impl Each {
    fn add(&mut self, e: &Expectation, event: u64, rid: u64, x: f64) {
        self.count += 1;
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
        if e.miss(x) > 0.0 {
            self.violations += 1;
            if self.first_violation.is_none() {
                self.first_violation = Some((event, rid, x));
            }
        }
    }
}

/// A failed async event whose deliveries are being counted.
struct PendingFailure {
    event: u64,
    rid: u64,
    expected: Vec<TargetId>,
    got: Vec<TargetId>,
}

/// Evaluates the expectations that need to see events as they happen.
pub struct ExpectObserver {
    exps: Vec<Expectation>,
    each: Vec<Each>,
    counts: Vec<u64>,
    wants_content: bool,
    track_gaps: bool,
    track_failures: bool,
    /// End of the last failed execution of each event in flight (for `RetryGapSeconds`).
    failed_end: BTreeMap<u64, SimTime>,
    /// Events in flight invoked through an alias (for `FailureRecordsNotExactlyOnce`: the alias's own on-failure
    /// destination applies, spec 2).
    through_alias: BTreeMap<u64, Qualifier>,
    pending: Option<PendingFailure>,
    pending_function: Option<FnId>,
    /// Failed events that missed a failure target or reached one twice: (function, event, request key).
    misdelivered: Vec<(FnId, u64, u64)>,
    misdelivered_count: BTreeMap<FnId, u64>,
    scaling_reason: String,
    /// Some expectation needs to see events as they happen.
    active: bool,
    /// The configuration in force (the DLQ of `DlqScope: Function` follows `$LATEST`).
    setups: Setups,
    /// Indices of the expectations that read fates (`AttemptsPerEvent`), retry gaps and sink records, so an event
    /// visits only those.
    on_fate: Vec<usize>,
    on_gap: Vec<usize>,
    on_record: Vec<usize>,
    /// The kinds of events these expectations read (see `Observer::interest`).
    interest: Interest,
}

impl ExpectObserver {
    /// Judges `model`'s expectations over one run.
    pub fn new(model: &Model) -> Self {
        let exps = model.expectations.clone();
        let wants_content = exps.iter().any(|e| matches!(&e.measure, Measure::SinkRecords { pattern: Some(_), .. }));
        let track_gaps = exps.iter().any(|e| matches!(&e.measure, Measure::RetryGapSeconds { .. }));
        let track_failures = exps.iter().any(|e| matches!(&e.measure, Measure::FailureRecordsNotExactlyOnce { .. }));
        let n = exps.len();
        let which = |f: fn(&Measure) -> bool| exps.iter().enumerate().filter(|(_, e)| f(&e.measure)).map(|(i, _)| i).collect();
        let on_fate = which(|m| matches!(m, Measure::AttemptsPerEvent { .. }));
        let on_gap = which(|m| matches!(m, Measure::RetryGapSeconds { .. }));
        let on_record: Vec<usize> = which(|m| matches!(m, Measure::SinkRecords { .. }));
        let active = model.expectations.iter().any(|e| {
            matches!(
                e.measure,
                Measure::AttemptsPerEvent { .. }
                    | Measure::SinkRecords { .. }
                    | Measure::RetryGapSeconds { .. }
                    | Measure::FailureRecordsNotExactlyOnce { .. }
            )
        });
        // Configuration changes always (the DLQ in force); then what each kind of measure reads: a pending failure
        // is settled by any event but a delivery.
        let mut interest = kind::CONFIG_CHANGE;
        if active {
            interest |= kind::FATE;
            if track_gaps {
                interest |= kind::ATTEMPT_START | kind::ATTEMPT_END;
            }
            if !on_record.is_empty() {
                interest |= kind::MESSAGE_SENT | kind::DELIVERED;
            }
            if track_failures {
                interest = Interest::ALL.0;
            }
        }
        ExpectObserver {
            interest: Interest(interest),
            on_fate,
            on_gap,
            on_record,
            exps,
            each: vec![Each::default(); n],
            counts: vec![0; n],
            wants_content,
            track_gaps,
            track_failures,
            failed_end: BTreeMap::new(),
            through_alias: BTreeMap::new(),
            pending: None,
            pending_function: None,
            misdelivered: vec![],
            misdelivered_count: BTreeMap::new(),
            scaling_reason: model.settings.scaling_throttle_reason.clone(),
            active,
            setups: Setups::new(model),
        }
    }

    fn settle_pending(&mut self, function_of: impl Fn(u64) -> Option<FnId>) {
        if let Some(mut p) = self.pending.take() {
            p.expected.sort();
            p.got.sort();
            if p.expected != p.got {
                if let Some(f) = function_of(p.event) {
                    *self.misdelivered_count.entry(f).or_default() += 1;
                    if self.misdelivered.len() < 8 {
                        self.misdelivered.push((f, p.event, p.rid));
                    }
                }
            }
        }
    }

    /// All verdicts, in the scenario's order.
    pub fn verdicts(&mut self, metrics: &Metrics, seed: u64) -> Vec<Verdict> {
        let pf = self.pending_function;
        self.settle_pending(|_| pf);
        self.exps.iter().enumerate().map(|(i, e)| self.verdict(i, e, metrics, seed)).collect()
    }

    fn verdict(&self, i: usize, e: &Expectation, m: &Metrics, seed: u64) -> Verdict {
        let value = match &e.measure {
            // Per-event measures, and failure records with their examples, have verdicts of their own.
            Measure::AttemptsPerEvent { .. } | Measure::RetryGapSeconds { .. } => return self.each_verdict(i, e, seed),
            Measure::FailureRecordsNotExactlyOnce { function } => return self.misdelivery_verdict(e, *function, seed),
            // Per function, from the metrics.
            Measure::Fates { function, fate } => Some(sum_fns(*function, m, |f| f.fate(*fate)) as f64),
            Measure::Accepted { function } => Some(sum_fns(*function, m, |f| f.accepted) as f64),
            Measure::Attempts { function, configs: None } => Some(sum_fns(*function, m, |f| f.attempts) as f64),
            Measure::Attempts { function, configs: Some(cs) } => {
                Some(sum_fns(*function, m, |f| cs.iter().map(|c| f.attempts_by_config.get(*c as usize).copied().unwrap_or(0)).sum()) as f64)
            }
            Measure::ProvisionedSpillovers { function } => Some(sum_fns(*function, m, |f| f.spillovers) as f64),
            Measure::ProvisionedInvocations { function } => Some(sum_fns(*function, m, |f| f.provisioned_invocations) as f64),
            Measure::ColdStarts { function } => Some(sum_fns(*function, m, |f| f.cold_starts) as f64),
            Measure::Throttles { function } => Some(sum_fns(*function, m, |f| f.throttles) as f64),
            Measure::CallerOutcomes { function, outcome } => Some(sum_fns(*function, m, |f| f.call_outcomes[*outcome as usize]) as f64),
            Measure::CallerLatencySeconds { function, percentile } => caller_latency(m, *function, *percentile),
            Measure::ThrottlesByReason { function, reason } => Some(sum_fns(*function, m, |f| {
                crate::observe::metrics::throttles_by_name(f, &self.scaling_reason)
                    .iter()
                    .filter(|(k, _)| k == reason)
                    .map(|(_, n)| n)
                    .sum::<u64>()
            }) as f64),
            Measure::PeakConcurrency { function } => Some(match function {
                Some(f) => f64::from(m.functions[f.ix()].peak_concurrency),
                None => f64::from(m.account_peak),
            }),
            Measure::ColdStartRatio { function } => {
                let n = sum_fns(*function, m, |f| f.attempts);
                (n > 0).then(|| sum_fns(*function, m, |f| f.cold_starts) as f64 / n as f64)
            }
            Measure::LatencySeconds { function, percentile } => {
                let h = match function {
                    Some(f) => &m.functions[f.ix()].latency,
                    None => &m.all_latency,
                };
                at_percentile(h, *percentile).map(|us| us as f64 / 1e6)
            }
            // Deliveries, event sources, fan-out and Firehose.
            Measure::DeliveryFailures { target, kind, reason } => Some(delivery_failures(m, *target, *kind, *reason) as f64),
            Measure::SinkRecords { .. } => Some(self.counts[i] as f64),
            Measure::Esm(x) => x.value(&m.esm),
            Measure::Fanout(x) => Some(x.value(&m.fanout)),
            Measure::Firehose(x) => Some(x.value(&m.firehose)),
            // Per workload source.
            Measure::SourceFates { source, fate } => Some(m.sources[*source].fates[*fate as usize] as f64),
            Measure::SourceLatencySeconds { source, percentile } => {
                at_percentile(&m.sources[*source].latency, *percentile).map(|us| us as f64 / 1e6)
            }
        };
        scalar_verdict(e, value)
    }

    /// `FailureRecordsNotExactlyOnce`: the failed events that missed a failure target or reached one twice, with the
    /// first few as examples.
    fn misdelivery_verdict(&self, e: &Expectation, function: Option<FnId>, seed: u64) -> Verdict {
        let n = match function {
            Some(f) => self.misdelivered_count.get(&f).copied().unwrap_or(0),
            None => self.misdelivered_count.values().sum(),
        };
        let mut v = scalar_verdict(e, Some(n as f64));
        let examples: Vec<String> = self
            .misdelivered
            .iter()
            .filter(|(f, _, _)| function.is_none_or(|x| x == *f))
            .map(|(_, ev, rid)| format!("event {ev} (requestId {})", request_id(seed, *rid)))
            .collect();
        if !examples.is_empty() {
            v.message.push_str(&format!("; e.g. {}", examples.join(", ")));
        }
        v
    }

    /// A per-event measure (`AttemptsPerEvent`, `RetryGapSeconds`): every value must lie within the bounds; the
    /// verdict tells the range seen and the first value outside.
    fn each_verdict(&self, i: usize, e: &Expectation, seed: u64) -> Verdict {
        let bounds = e.bounds_text();
        let fatal = e.quantifier.per_seed_fatal();
        let s = &self.each[i];
        let unit = if matches!(e.measure, Measure::AttemptsPerEvent { .. }) { "executions" } else { "s" };
        if s.count == 0 {
            return Verdict {
                name: e.name.clone(),
                passed: true,
                fatal,
                actual: None,
                message: format!("{}: no such event (expected {bounds} for each)", e.what),
            };
        }
        let (lo, hi) = (round6(s.min.unwrap_or(0.0)), round6(s.max.unwrap_or(0.0)));
        match s.first_violation {
            None => Verdict {
                name: e.name.clone(),
                passed: true,
                fatal,
                actual: Some(hi),
                message: format!("{}: {lo}..{hi} over {} (expected {bounds} for each)", e.what, s.count),
            },
            Some((ev, rid, x)) => Verdict {
                name: e.name.clone(),
                passed: false,
                fatal,
                actual: Some(x),
                message: format!(
                    "{}: expected {bounds} for each, but {} of {} were outside (range {lo}..{hi}); first: event {ev} (requestId {}) with {} {unit}, off by {}",
                    e.what,
                    s.violations,
                    s.count,
                    request_id(seed, rid),
                    round6(x),
                    round6(e.miss(x))
                ),
            },
        }
    }
}

/// The verdict on a measure with one value (`None`: nothing was measured).
fn scalar_verdict(e: &Expectation, x: Option<f64>) -> Verdict {
    let bounds = e.bounds_text();
    let fatal = e.quantifier.per_seed_fatal();
    match x {
        None => Verdict {
            name: e.name.clone(),
            passed: false,
            fatal,
            actual: None,
            message: format!("{}: expected {bounds}, but nothing was measured", e.what),
        },
        Some(x) => {
            let miss = e.miss(x);
            let message = if miss == 0.0 {
                format!("{}: {} (expected {bounds})", e.what, round6(x))
            } else {
                format!("{}: expected {bounds}, got {} (off by {})", e.what, round6(x), round6(miss))
            };
            Verdict { name: e.name.clone(), passed: miss == 0.0, fatal, actual: Some(x), message }
        }
    }
}

/// `CallerLatencySeconds`: a percentile of what synchronous callers waited, for one function or all.
fn caller_latency(m: &Metrics, function: Option<FnId>, percentile: f64) -> Option<f64> {
    let v = match function {
        Some(f) => at_percentile(&m.functions[f.ix()].call_latency, percentile),
        None => {
            let mut all = m.functions[0].call_latency.clone();
            for f in &m.functions[1..] {
                let _ = all.add(&f.call_latency);
            }
            at_percentile(&all, percentile)
        }
    };
    v.map(|us| us as f64 / 1e6)
}

/// `DeliveryFailures`: records lost on their way to a target (or to all), of one kind and for one reason (or any).
fn delivery_failures(m: &Metrics, target: Option<TargetId>, kind: Option<RecordKind>, reason: Option<DeliveryFailure>) -> u64 {
    let count = |t: &crate::observe::metrics::TargetMetrics| -> u64 {
        let mut n = 0;
        for (k, by_reason) in t.failures_by.iter().enumerate() {
            if kind.is_some_and(|x| x as usize != k) {
                continue;
            }
            for (r, x) in by_reason.iter().enumerate() {
                if reason.is_none_or(|y| y as usize == r) {
                    n += x;
                }
            }
        }
        n
    };
    match target {
        Some(t) => count(&m.targets[t.ix()]),
        None => m.targets.iter().map(count).sum(),
    }
}

fn sum_fns(function: Option<FnId>, metrics: &Metrics, g: impl Fn(&crate::observe::metrics::FnMetrics) -> u64) -> u64 {
    match function {
        Some(f) => g(&metrics.functions[f.ix()]),
        None => metrics.functions.iter().map(g).sum(),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl ExpectObserver {
    /// A record or message that reached `target`: count it for the `SinkRecords` measures it matches.
    fn count_record(&mut self, target: crate::model::TargetId, kind: RecordKind, content: Option<&serde_json::Value>) {
        for &i in &self.on_record {
            if let Measure::SinkRecords { target: t, kind: want, pattern } = &self.exps[i].measure {
                if *t != target || want.is_some_and(|x| x != kind) {
                    continue;
                }
                if let Some(p) = pattern {
                    if !content.is_some_and(|c| p.matches(c)) {
                        continue;
                    }
                }
                self.counts[i] += 1;
            }
        }
    }
}

impl Observer for ExpectObserver {
    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let TraceEvent::ConfigChange { change } = ev {
            self.setups.apply(ctx.model, *change);
        }
        if !self.active {
            return;
        }
        if self.track_failures && self.pending.is_some() && !matches!(ev, TraceEvent::Delivered { .. }) {
            let pf = self.pending_function;
            self.settle_pending(|_| pf);
        }
        match ev {
            TraceEvent::Fate { event, rid, function: f, fate, attempts, config, .. } => {
                for &i in &self.on_fate {
                    let e = &self.exps[i];
                    if let Measure::AttemptsPerEvent { function, fate: want } = &e.measure {
                        if function.is_some_and(|x| x != *f) || want.is_some_and(|w| w != *fate) {
                            continue;
                        }
                        self.each[i].add(e, *event, *rid, f64::from(*attempts));
                    }
                }
                if self.track_gaps {
                    self.failed_end.remove(event);
                }
                let qual = if self.through_alias.is_empty() { None } else { self.through_alias.remove(event) };
                if self.track_failures && fate.is_async_failure() {
                    let on_failure = ctx.model.function(*f).async_settings(*config, qual.unwrap_or(Qualifier::Latest)).on_failure;
                    let expected: Vec<TargetId> = [on_failure, self.setups.dlq(ctx.model, *f, *config)].into_iter().flatten().collect();
                    self.pending_function = Some(*f);
                    self.pending = Some(PendingFailure { event: *event, rid: *rid, expected, got: vec![] });
                }
            }
            TraceEvent::Accepted { event, qualifier: q @ Qualifier::Alias(_), .. } if self.track_failures => {
                self.through_alias.insert(*event, *q);
            }
            TraceEvent::AttemptEnd { event, outcome, .. } if self.track_gaps && *outcome != Outcome::Success => {
                self.failed_end.insert(*event, t);
            }
            TraceEvent::AttemptStart { event, rid, function: f, attempt, .. } if self.track_gaps => {
                if let Some(end) = self.failed_end.get(event).copied() {
                    let gap = (t - end).as_secs_f64();
                    for &i in &self.on_gap {
                        let e = &self.exps[i];
                        if let Measure::RetryGapSeconds { function, before_attempt } = &e.measure {
                            if function.is_some_and(|x| x != *f) || before_attempt.is_some_and(|a| a != *attempt) {
                                continue;
                            }
                            self.each[i].add(e, *event, *rid, gap);
                        }
                    }
                }
            }
            TraceEvent::MessageSent { .. } => {
                // SQS redrive to a dead-letter queue: a `DeadLetter` record of that queue.
                if let Some((t, content)) = crate::observe::sinks::redriven(ev, ctx) {
                    self.count_record(t, RecordKind::DeadLetter, content);
                }
            }
            TraceEvent::Delivered { event, target: t, kind: k, failure, .. } => {
                if let Some(p) = self.pending.as_mut().filter(|p| p.event == *event) {
                    if failure.is_none() && *k != RecordKind::OnSuccess {
                        p.got.push(*t);
                    }
                }
                if failure.is_some() {
                    return;
                }
                self.count_record(*t, *k, ctx.content);
            }
            _ => {}
        }
    }
    fn wants_content(&self) -> bool {
        self.wants_content
    }
    fn interest(&self) -> Interest {
        self.interest
    }
}
