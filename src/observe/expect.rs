//! Expectations: the checking language of scenario files. Each expectation names a measure and bounds
//! (`Equals`, `AtLeast`, `AtMost`); a violated one exits 1 and says what was expected, what happened and by how much.
//! Measures that need to see each event or message (`AttemptsPerEvent`, `SinkRecords`) are evaluated as the run goes,
//! the others from the run's [`Metrics`].

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::error::ScenarioError;
use crate::metrics::{at_percentile, Metrics};
use crate::model::{resolve_function, FnId, Model, TargetId};
use crate::pattern::Pattern;
use crate::scenario::{CallOutcomeSpec, ExpectationSpec, MeasureSpec};
use crate::time::SimTime;
use crate::trace::{request_id, Ctx, DeliveryFailure, Fate, Observer, Outcome, RecordKind, TraceEvent};
use crate::versions::Setups;

#[derive(Debug, Clone)]
pub enum Measure {
    Fates {
        function: Option<FnId>,
        fate: Fate,
    },
    Accepted {
        function: Option<FnId>,
    },
    SinkRecords {
        target: TargetId,
        kind: Option<RecordKind>,
        pattern: Option<Pattern>,
    },
    AttemptsPerEvent {
        function: Option<FnId>,
        fate: Option<Fate>,
    },
    /// `configs`: only executions of these configurations (a version), when given.
    Attempts {
        function: Option<FnId>,
        configs: Option<Vec<u32>>,
    },
    LatencySeconds {
        function: Option<FnId>,
        percentile: f64,
    },
    ColdStarts {
        function: Option<FnId>,
    },
    Throttles {
        function: Option<FnId>,
    },
    DeliveryFailures {
        target: Option<TargetId>,
        kind: Option<RecordKind>,
        reason: Option<DeliveryFailure>,
    },
    ProvisionedSpillovers {
        function: Option<FnId>,
    },
    ProvisionedInvocations {
        function: Option<FnId>,
    },
    ColdStartRatio {
        function: Option<FnId>,
    },
    CallerOutcomes {
        function: Option<FnId>,
        outcome: CallOutcomeSpec,
    },
    CallerLatencySeconds {
        function: Option<FnId>,
        percentile: f64,
    },
    ThrottlesByReason {
        function: Option<FnId>,
        reason: String,
    },
    PeakConcurrency {
        function: Option<FnId>,
    },
    RetryGapSeconds {
        function: Option<FnId>,
        before_attempt: Option<u32>,
    },
    FailureRecordsNotExactlyOnce {
        function: Option<FnId>,
    },
    /// Queues, streams and mappings (src/esm_metrics.rs).
    Esm(crate::esm_metrics::EsmMeasure),
    /// Topics and buses (src/fanout_metrics.rs).
    Fanout(crate::fanout_metrics::FanoutMeasure),
    /// Events of workload source `source` (index in `Model::sources`) with `fate`.
    SourceFates {
        source: usize,
        fate: Fate,
    },
    /// Latency of workload source `source`'s events at a percentile.
    SourceLatencySeconds {
        source: usize,
        percentile: f64,
    },
    /// Firehose delivery streams (src/firehose_metrics.rs).
    Firehose(crate::firehose_metrics::FirehoseMeasure),
}

/// How an expectation's per-seed results combine over the seeds of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantifier {
    /// Must hold in every seed (the default; a failing seed fails `run` with exit 1).
    Always,
    /// Must hold in at least this fraction of seeds.
    InFraction(f64),
    /// Coverage goal: must hold in at least one seed. A single `run` reports it but never fails on it.
    Sometimes,
    /// A statistic of the per-seed values must lie within the bounds (its confidence interval, for `Mean`).
    Across { statistic: Statistic, confidence: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Mean,
    /// A quantile in (0, 1) of the per-seed values.
    Quantile(f64),
}

impl Quantifier {
    /// Whether one seed's result decides `run`'s exit code.
    pub fn per_seed_fatal(&self) -> bool {
        matches!(self, Quantifier::Always)
    }
    pub fn describe(&self) -> String {
        match self {
            Quantifier::Always => "in every seed".into(),
            Quantifier::InFraction(f) => format!("in at least {}% of seeds", f * 100.0),
            Quantifier::Sometimes => "in at least one seed".into(),
            Quantifier::Across { statistic: Statistic::Mean, confidence } => format!("mean over seeds, {}% CI", confidence * 100.0),
            Quantifier::Across { statistic: Statistic::Quantile(q), .. } => format!("p{} over seeds", q * 100.0),
        }
    }
}

/// A compiled expectation.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub name: String,
    pub measure: Measure,
    pub quantifier: Quantifier,
    pub equals: Option<f64>,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
    /// What is measured, in words.
    pub what: String,
}

impl Expectation {
    pub fn bounds_text(&self) -> String {
        let mut parts = vec![];
        if let Some(v) = self.equals {
            parts.push(format!("= {v}"));
        }
        if let Some(v) = self.at_least {
            parts.push(format!(">= {v}"));
        }
        if let Some(v) = self.at_most {
            parts.push(format!("<= {v}"));
        }
        parts.join(" and ")
    }

    /// How far `x` is outside the bounds (0 when inside).
    pub fn miss(&self, x: f64) -> f64 {
        let mut d: f64 = 0.0;
        if let Some(v) = self.equals {
            d = d.max((x - v).abs());
        }
        if let Some(v) = self.at_least {
            d = d.max(v - x);
        }
        if let Some(v) = self.at_most {
            d = d.max(x - v);
        }
        if d < 1e-12 {
            0.0
        } else {
            d
        }
    }
}

pub(crate) fn compile(
    spec: &ExpectationSpec,
    path: &str,
    index: usize,
    model: &Model,
    names: &BTreeMap<String, FnId>,
) -> Result<Expectation, ScenarioError> {
    let func = |f: &Option<String>, sub: &str| -> Result<Option<FnId>, ScenarioError> {
        match f {
            None => Ok(None),
            Some(r) => resolve_function(r, &model.region, &model.account_id, names)
                .map(Some)
                .map_err(|m| ScenarioError::new(format!("{path}.Expect.{sub}.Function"), m)),
        }
    };
    let fate = |s: &str, sub: &str| -> Result<Fate, ScenarioError> {
        Fate::parse(s).ok_or_else(|| {
            let allowed: Vec<&str> = Fate::ALL.iter().map(|f| f.name()).collect();
            ScenarioError::new(format!("{path}.Expect.{sub}.Fate"), format!("{s:?} is not a fate; allowed: {}", allowed.join(", ")))
        })
    };
    let target = |arn: &str, sub: &str| -> Result<TargetId, ScenarioError> {
        let norm = arn.strip_suffix(":$LATEST").unwrap_or(arn);
        model.target_by_arn(norm).ok_or_else(|| {
            let known: Vec<&str> = model.targets.iter().map(|t| t.arn.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Target"),
                format!("{arn:?} names nothing in this scenario; known ARNs: {}", known.join(", ")),
            )
        })
    };
    let fname = |f: &Option<FnId>| f.map(|f| model.function(f).name.clone()).unwrap_or_else(|| "all functions".into());
    // A workload entry that invokes a function, by its `Name` (producers and publishers are measured by their queue,
    // stream, topic or bus).
    let source_ix = |name: &str, sub: &str| -> Result<usize, ScenarioError> {
        model.sources.iter().position(|s| s.name == name).ok_or_else(|| {
            let known: Vec<&str> = model.sources.iter().map(|s| s.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Source"),
                format!("{name:?} names no workload entry that invokes a function; sources: {}", known.join(", ")),
            )
        })
    };
    let pct = |p: f64, sub: &str| -> Result<(), ScenarioError> {
        if p.is_finite() && (0.0..=100.0).contains(&p) {
            Ok(())
        } else {
            Err(ScenarioError::new(format!("{path}.Expect.{sub}.Percentile"), format!("{p} is out of range; allowed 0 to 100")))
        }
    };
    let (measure, what) = match &spec.expect {
        MeasureSpec::Fates { function, fate: fs } => {
            let function = func(function, "Fates")?;
            let fate = fate(fs, "Fates")?;
            (Measure::Fates { function, fate }, format!("events of {} with fate {}", fname(&function), fate.name()))
        }
        MeasureSpec::SourceFates { source, fate: fs } => {
            let s = source_ix(source, "SourceFates")?;
            let fate = fate(fs, "SourceFates")?;
            (Measure::SourceFates { source: s, fate }, format!("events of source {source} with fate {}", fate.name()))
        }
        MeasureSpec::SourceLatencySeconds { source, percentile } => {
            let s = source_ix(source, "SourceLatencySeconds")?;
            pct(*percentile, "SourceLatencySeconds")?;
            (Measure::SourceLatencySeconds { source: s, percentile: *percentile }, format!("p{percentile} latency (s) of source {source}"))
        }
        MeasureSpec::Accepted { function } => {
            let function = func(function, "Accepted")?;
            (Measure::Accepted { function }, format!("events accepted by {}", fname(&function)))
        }
        MeasureSpec::SinkRecords { target: t, kind, pattern } => {
            let target = target(t, "SinkRecords")?;
            let kind = match kind {
                None => None,
                Some(k) => Some(RecordKind::parse(k).ok_or_else(|| {
                    ScenarioError::new(
                        format!("{path}.Expect.SinkRecords.Kind"),
                        format!("{k:?} is not allowed; use OnSuccess, OnFailure or DeadLetter"),
                    )
                })?),
            };
            let pattern = match pattern {
                None => None,
                Some(p) => Some(
                    Pattern::compile(p, &format!("{path}.Expect.SinkRecords.Match")).map_err(|e| ScenarioError::new(e.path, e.message))?,
                ),
            };
            let w = format!(
                "{}messages received by {}{}",
                kind.map(|k| format!("{} ", k.name())).unwrap_or_default(),
                model.target(target).name,
                if pattern.is_some() { " matching the pattern" } else { "" }
            );
            (Measure::SinkRecords { target, kind, pattern }, w)
        }
        MeasureSpec::AttemptsPerEvent { function, fate: fs } => {
            let function = func(function, "AttemptsPerEvent")?;
            let fate = match fs {
                None => None,
                Some(s) => Some(fate(s, "AttemptsPerEvent")?),
            };
            let w = format!(
                "executions of every event of {}{}",
                fname(&function),
                fate.map(|f| format!(" with fate {}", f.name())).unwrap_or_default()
            );
            (Measure::AttemptsPerEvent { function, fate }, w)
        }
        MeasureSpec::Attempts { function, version } => {
            let function = func(function, "Attempts")?;
            let configs = match version {
                None => None,
                Some(v) => {
                    let Some(f) = function else {
                        return Err(ScenarioError::new(
                            format!("{path}.Expect.Attempts.Version"),
                            "needs Function: versions belong to a function",
                        ));
                    };
                    let fd = model.function(f);
                    let cs: Vec<u32> = (0..fd.configs.len() as u32).filter(|c| fd.config(*c).label() == *v).collect();
                    if cs.is_empty() {
                        let mut have: Vec<String> = fd.configs.iter().map(|c| c.label()).collect();
                        have.dedup();
                        return Err(ScenarioError::new(
                            format!("{path}.Expect.Attempts.Version"),
                            format!("{v:?} is not a version of {} (versions: {})", fd.name, have.join(", ")),
                        ));
                    }
                    Some(cs)
                }
            };
            let w = format!("executions of {}{}", fname(&function), version.as_ref().map(|v| format!(" version {v}")).unwrap_or_default());
            (Measure::Attempts { function, configs }, w)
        }
        MeasureSpec::LatencySeconds { function, percentile } => {
            let function = func(function, "LatencySeconds")?;
            pct(*percentile, "LatencySeconds")?;
            (Measure::LatencySeconds { function, percentile: *percentile }, format!("p{percentile} latency (s) of {}", fname(&function)))
        }
        MeasureSpec::ColdStarts { function } => {
            let function = func(function, "ColdStarts")?;
            (Measure::ColdStarts { function }, format!("cold starts of {}", fname(&function)))
        }
        MeasureSpec::Throttles { function } => {
            let function = func(function, "Throttles")?;
            (Measure::Throttles { function }, format!("throttles of {}", fname(&function)))
        }
        MeasureSpec::DeliveryFailures { target: t, kind, reason } => {
            let target = match t {
                None => None,
                Some(a) => Some(target(a, "DeliveryFailures")?),
            };
            let kind = match kind {
                None => None,
                Some(k) => Some(RecordKind::parse(k).ok_or_else(|| {
                    ScenarioError::new(
                        format!("{path}.Expect.DeliveryFailures.Kind"),
                        format!("{k:?} is not allowed; use OnSuccess, OnFailure or DeadLetter"),
                    )
                })?),
            };
            let reason = match reason {
                None => None,
                Some(r) => Some(DeliveryFailure::parse(r).ok_or_else(|| {
                    let all: Vec<&str> = DeliveryFailure::ALL.iter().map(|x| x.name()).collect();
                    ScenarioError::new(
                        format!("{path}.Expect.DeliveryFailures.Reason"),
                        format!("{r:?} is not a delivery failure reason; allowed: {}", all.join(", ")),
                    )
                })?),
            };
            let w = format!(
                "failed {}deliveries to {}{}",
                kind.map(|k| format!("{} ", k.name())).unwrap_or_default(),
                target.map(|t| model.target(t).name.clone()).unwrap_or_else(|| "all targets".into()),
                reason.map(|r| format!(" ({})", r.name())).unwrap_or_default()
            );
            (Measure::DeliveryFailures { target, kind, reason }, w)
        }
        MeasureSpec::ProvisionedSpillovers { function } => {
            let function = func(function, "ProvisionedSpillovers")?;
            (Measure::ProvisionedSpillovers { function }, format!("provisioned concurrency spillovers of {}", fname(&function)))
        }
        MeasureSpec::ProvisionedInvocations { function } => {
            let function = func(function, "ProvisionedInvocations")?;
            (Measure::ProvisionedInvocations { function }, format!("executions on provisioned environments of {}", fname(&function)))
        }
        MeasureSpec::CallerOutcomes { function, outcome } => {
            let function = func(function, "CallerOutcomes")?;
            (
                Measure::CallerOutcomes { function, outcome: *outcome },
                format!("caller requests of {} answered {} ({})", fname(&function), outcome.name(), outcome.status()),
            )
        }
        MeasureSpec::CallerLatencySeconds { function, percentile } => {
            let function = func(function, "CallerLatencySeconds")?;
            pct(*percentile, "CallerLatencySeconds")?;
            (
                Measure::CallerLatencySeconds { function, percentile: *percentile },
                format!("p{percentile} caller-seen latency (s) of {}", fname(&function)),
            )
        }
        MeasureSpec::ThrottlesByReason { function, reason } => {
            let function = func(function, "ThrottlesByReason")?;
            let known = [
                "ReservedFunctionConcurrentInvocationLimitExceeded",
                "ConcurrentInvocationLimitExceeded",
                "ServiceException",
                model.settings.scaling_throttle_reason.as_str(),
            ];
            if !known.contains(&reason.as_str()) {
                return Err(ScenarioError::new(
                    format!("{path}.Expect.ThrottlesByReason.Reason"),
                    format!("{reason:?} is not a reason lambdasim produces; allowed: {}", known.join(", ")),
                ));
            }
            (
                Measure::ThrottlesByReason { function, reason: reason.clone() },
                format!("throttles of {} with Reason {reason}", fname(&function)),
            )
        }
        MeasureSpec::PeakConcurrency { function } => {
            let function = func(function, "PeakConcurrency")?;
            (
                Measure::PeakConcurrency { function },
                format!("peak concurrency of {}", fname(&function).replace("all functions", "the account")),
            )
        }
        MeasureSpec::ColdStartRatio { function } => {
            let function = func(function, "ColdStartRatio")?;
            (Measure::ColdStartRatio { function }, format!("cold-start ratio of {}", fname(&function)))
        }
        MeasureSpec::RetryGapSeconds { function, before_attempt } => {
            let function = func(function, "RetryGapSeconds")?;
            let before_attempt = match before_attempt {
                None => None,
                Some(a) if (2..=3).contains(a) => Some(*a as u32),
                Some(a) => {
                    return Err(ScenarioError::new(
                        format!("{path}.Expect.RetryGapSeconds.BeforeAttempt"),
                        format!("{a} is out of range; allowed 2 to 3"),
                    ))
                }
            };
            let w = format!(
                "every retry gap (s) of {}{}",
                fname(&function),
                before_attempt.map(|a| format!(" before attempt {a}")).unwrap_or_default()
            );
            (Measure::RetryGapSeconds { function, before_attempt }, w)
        }
        MeasureSpec::FailureRecordsNotExactlyOnce { function } => {
            let function = func(function, "FailureRecordsNotExactlyOnce")?;
            (
                Measure::FailureRecordsNotExactlyOnce { function },
                format!("failed events of {} not reaching each failure target exactly once", fname(&function)),
            )
        }
        other if crate::firehose_metrics::compile_measure(other, path, model).is_some() => {
            let (m, what) = crate::firehose_metrics::compile_measure(other, path, model).expect("a Firehose measure")?;
            (Measure::Firehose(m), what)
        }
        other => {
            let resolve = |r: &str, sub: &str| {
                resolve_function(r, &model.region, &model.account_id, names)
                    .map_err(|m| ScenarioError::new(format!("{path}.Expect.{sub}"), m))
            };
            match crate::esm_metrics::compile_measure(other, path, model, &resolve) {
                Some(r) => {
                    let (m, what) = r?;
                    (Measure::Esm(m), what)
                }
                None => match crate::fanout_metrics::compile_measure(other, path, model) {
                    Some(r) => {
                        let (m, what) = r?;
                        (Measure::Fanout(m), what)
                    }
                    None => return Err(ScenarioError::new(format!("{path}.Expect"), "is not a known measure")),
                },
            }
        }
    };
    let quantifier = {
        let given =
            [spec.in_fraction_of_seeds.is_some(), spec.sometimes == Some(true), spec.across_seeds.is_some()].iter().filter(|x| **x).count();
        if given > 1 {
            return Err(ScenarioError::new(path, "gives more than one of InFractionOfSeeds, Sometimes, AcrossSeeds; give at most one"));
        }
        if let Some(f) = spec.in_fraction_of_seeds {
            if !(f > 0.0 && f <= 1.0) {
                return Err(ScenarioError::new(
                    format!("{path}.InFractionOfSeeds"),
                    format!("{f} is out of range; allowed above 0 up to 1"),
                ));
            }
            Quantifier::InFraction(f)
        } else if spec.sometimes == Some(true) {
            Quantifier::Sometimes
        } else if let Some(a) = &spec.across_seeds {
            let statistic = if a.statistic == "Mean" {
                Statistic::Mean
            } else if let Some(q) = a.statistic.strip_prefix('P').and_then(|q| q.parse::<f64>().ok()).filter(|q| *q > 0.0 && *q < 100.0) {
                Statistic::Quantile(q / 100.0)
            } else {
                return Err(ScenarioError::new(
                    format!("{path}.AcrossSeeds.Statistic"),
                    format!("{:?} is not allowed; use \"Mean\" or a percentile like \"P95\"", a.statistic),
                ));
            };
            let confidence = a.confidence.unwrap_or(0.95);
            if !(0.5..=0.999).contains(&confidence) {
                return Err(ScenarioError::new(
                    format!("{path}.AcrossSeeds.Confidence"),
                    format!("{confidence} is out of range; allowed 0.5 to 0.999"),
                ));
            }
            Quantifier::Across { statistic, confidence }
        } else {
            Quantifier::Always
        }
    };
    if spec.equals.is_none() && spec.at_least.is_none() && spec.at_most.is_none() {
        return Err(ScenarioError::new(path, "has no bound; give Equals, AtLeast or AtMost"));
    }
    for (k, v) in [("Equals", spec.equals), ("AtLeast", spec.at_least), ("AtMost", spec.at_most)] {
        if let Some(x) = v {
            if !x.is_finite() {
                return Err(ScenarioError::new(format!("{path}.{k}"), format!("{x} is not a finite number")));
            }
        }
    }
    Ok(Expectation {
        name: spec.name.clone().unwrap_or_else(|| format!("expectation[{index}]")),
        measure,
        quantifier,
        equals: spec.equals,
        at_least: spec.at_least,
        at_most: spec.at_most,
        what,
    })
}

/// The verdict on one expectation in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub name: String,
    /// The bounds held in this run.
    pub passed: bool,
    /// Whether this verdict alone decides the run's exit code (`Quantifier::Always`); sweep-level expectations
    /// (`InFractionOfSeeds`, `Sometimes`, `AcrossSeeds`) are reported by `run` but judged by `check`.
    pub fatal: bool,
    /// The measured value (for per-event measures: the value furthest outside the bounds, or the extreme seen).
    pub actual: Option<f64>,
    pub message: String,
}

impl Verdict {
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
}

impl ExpectObserver {
    pub fn new(model: &Model) -> Self {
        let exps = model.expectations.clone();
        let wants_content = exps.iter().any(|e| matches!(&e.measure, Measure::SinkRecords { pattern: Some(_), .. }));
        let track_gaps = exps.iter().any(|e| matches!(&e.measure, Measure::RetryGapSeconds { .. }));
        let track_failures = exps.iter().any(|e| matches!(&e.measure, Measure::FailureRecordsNotExactlyOnce { .. }));
        let n = exps.len();
        let which = |f: fn(&Measure) -> bool| exps.iter().enumerate().filter(|(_, e)| f(&e.measure)).map(|(i, _)| i).collect();
        let on_fate = which(|m| matches!(m, Measure::AttemptsPerEvent { .. }));
        let on_gap = which(|m| matches!(m, Measure::RetryGapSeconds { .. }));
        let on_record = which(|m| matches!(m, Measure::SinkRecords { .. }));
        ExpectObserver {
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
            pending: None,
            pending_function: None,
            misdelivered: vec![],
            misdelivered_count: BTreeMap::new(),
            scaling_reason: model.settings.scaling_throttle_reason.clone(),
            active: model.expectations.iter().any(|e| {
                matches!(
                    e.measure,
                    Measure::AttemptsPerEvent { .. }
                        | Measure::SinkRecords { .. }
                        | Measure::RetryGapSeconds { .. }
                        | Measure::FailureRecordsNotExactlyOnce { .. }
                )
            }),
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
        let bounds = e.bounds_text();
        let fatal = e.quantifier.per_seed_fatal();
        let scalar = |x: Option<f64>| -> Verdict {
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
        };
        match &e.measure {
            Measure::Fates { function, fate } => scalar(Some(sum_fns(*function, m, |f| f.fate(*fate)) as f64)),
            Measure::Accepted { function } => scalar(Some(sum_fns(*function, m, |f| f.accepted) as f64)),
            Measure::Attempts { function, configs: None } => scalar(Some(sum_fns(*function, m, |f| f.attempts) as f64)),
            Measure::Attempts { function, configs: Some(cs) } => {
                scalar(Some(
                    sum_fns(*function, m, |f| cs.iter().map(|c| f.attempts_by_config.get(*c as usize).copied().unwrap_or(0)).sum()) as f64,
                ))
            }
            Measure::ProvisionedSpillovers { function } => scalar(Some(sum_fns(*function, m, |f| f.spillovers) as f64)),
            Measure::ProvisionedInvocations { function } => scalar(Some(sum_fns(*function, m, |f| f.provisioned_invocations) as f64)),
            Measure::ColdStarts { function } => scalar(Some(sum_fns(*function, m, |f| f.cold_starts) as f64)),
            Measure::Throttles { function } => scalar(Some(sum_fns(*function, m, |f| f.throttles) as f64)),
            Measure::CallerOutcomes { function, outcome } => {
                scalar(Some(sum_fns(*function, m, |f| f.call_outcomes[*outcome as usize]) as f64))
            }
            Measure::CallerLatencySeconds { function, percentile } => {
                let v = match function {
                    Some(f) => at_percentile(&m.functions[f.ix()].call_latency, *percentile),
                    None => {
                        let mut all = m.functions[0].call_latency.clone();
                        for f in &m.functions[1..] {
                            let _ = all.add(&f.call_latency);
                        }
                        at_percentile(&all, *percentile)
                    }
                };
                scalar(v.map(|us| us as f64 / 1e6))
            }
            Measure::ThrottlesByReason { function, reason } => scalar(Some(sum_fns(*function, m, |f| {
                crate::metrics::throttles_by_name(f, &self.scaling_reason).iter().filter(|(k, _)| k == reason).map(|(_, n)| n).sum::<u64>()
            }) as f64)),
            Measure::PeakConcurrency { function } => scalar(Some(match function {
                Some(f) => f64::from(m.functions[f.ix()].peak_concurrency),
                None => f64::from(m.account_peak),
            })),
            Measure::ColdStartRatio { function } => {
                let n = sum_fns(*function, m, |f| f.attempts);
                scalar((n > 0).then(|| sum_fns(*function, m, |f| f.cold_starts) as f64 / n as f64))
            }
            Measure::DeliveryFailures { target, kind, reason } => {
                let count = |t: &crate::metrics::TargetMetrics| -> u64 {
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
                scalar(Some(match target {
                    Some(t) => count(&m.targets[t.ix()]),
                    None => m.targets.iter().map(count).sum(),
                } as f64))
            }
            Measure::SinkRecords { .. } => scalar(Some(self.counts[i] as f64)),
            Measure::Esm(x) => scalar(x.value(&m.esm)),
            Measure::Fanout(x) => scalar(Some(x.value(&m.fanout))),
            Measure::SourceFates { source, fate } => scalar(Some(m.sources[*source].fates[*fate as usize] as f64)),
            Measure::SourceLatencySeconds { source, percentile } => {
                scalar(at_percentile(&m.sources[*source].latency, *percentile).map(|us| us as f64 / 1e6))
            }
            Measure::Firehose(x) => scalar(Some(x.value(&m.firehose))),
            Measure::FailureRecordsNotExactlyOnce { function } => {
                let n = match function {
                    Some(f) => self.misdelivered_count.get(f).copied().unwrap_or(0),
                    None => self.misdelivered_count.values().sum(),
                };
                let mut v = scalar(Some(n as f64));
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
            Measure::LatencySeconds { function, percentile } => {
                let h = match function {
                    Some(f) => &m.functions[f.ix()].latency,
                    None => &m.all_latency,
                };
                scalar(at_percentile(h, *percentile).map(|us| us as f64 / 1e6))
            }
            Measure::AttemptsPerEvent { .. } | Measure::RetryGapSeconds { .. } => {
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
    }
}

fn sum_fns(function: Option<FnId>, metrics: &Metrics, g: impl Fn(&crate::metrics::FnMetrics) -> u64) -> u64 {
    match function {
        Some(f) => g(&metrics.functions[f.ix()]),
        None => metrics.functions.iter().map(g).sum(),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
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
                if self.track_failures && fate.is_async_failure() {
                    let cfg = ctx.model.function(*f).config(*config);
                    let expected: Vec<TargetId> = [cfg.on_failure, self.setups.dlq(ctx.model, *f, *config)].into_iter().flatten().collect();
                    self.pending_function = Some(*f);
                    self.pending = Some(PendingFailure { event: *event, rid: *rid, expected, got: vec![] });
                }
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
            TraceEvent::Delivered { event, target: t, kind: k, failure, .. } => {
                if let Some(p) = self.pending.as_mut().filter(|p| p.event == *event) {
                    if failure.is_none() && *k != RecordKind::OnSuccess {
                        p.got.push(*t);
                    }
                }
                if failure.is_some() {
                    return;
                }
                for &i in &self.on_record {
                    let e = &self.exps[i];
                    if let Measure::SinkRecords { target, kind, pattern } = &e.measure {
                        if target != t || kind.is_some_and(|x| x != *k) {
                            continue;
                        }
                        if let Some(p) = pattern {
                            if !ctx.content.is_some_and(|c| p.matches(c)) {
                                continue;
                            }
                        }
                        self.counts[i] += 1;
                    }
                }
            }
            _ => {}
        }
    }
    fn wants_content(&self) -> bool {
        self.wants_content
    }
}
