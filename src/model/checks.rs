//! Expectations, compiled: the checking language of scenario files as plain data the observers evaluate. Each
//! expectation names a measure and bounds (`Equals`, `AtLeast`, `AtMost`) and how its per-seed results combine over
//! a sweep. Compiling resolves every name (function, target, source, queue, topic, delivery stream) to an index of
//! the model; an error names the JSON path. Reading the measures at the end of a run is the observers' part
//! (`observe::expect` and the metrics beside each measure).

mod esm;
mod fanout;
mod firehose;

use std::collections::BTreeMap;

pub use self::esm::EsmMeasure;
pub use self::fanout::FanoutMeasure;
pub use self::firehose::FirehoseMeasure;
use super::{resolve_function, FnId, Model, TargetId};
use crate::aws::pattern::Pattern;
use crate::model::error::ScenarioError;
use crate::scenario::{CallOutcomeSpec, ExpectationSpec, MeasureSpec};
use crate::vocab::{DeliveryFailure, Fate, RecordKind};

/// What an expectation measures, every name resolved to an index of the model.
#[derive(Debug, Clone)]
pub enum Measure {
    /// `Fates`: events that ended in `fate`.
    Fates {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// The fate counted.
        fate: Fate,
    },
    /// `Accepted`: events accepted.
    Accepted {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `SinkRecords`: messages a target received.
    SinkRecords {
        /// The target.
        target: TargetId,
        /// Only records of this kind (`None`: all).
        kind: Option<RecordKind>,
        /// An EventBridge pattern the message must match, as the target receives it.
        pattern: Option<Pattern>,
    },
    /// `AttemptsPerEvent`: executions per event (the bounds apply to every event).
    AttemptsPerEvent {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// Only events that ended in this fate (`None`: all).
        fate: Option<Fate>,
    },
    /// `Attempts`: executions started; `configs`: only executions of these configurations (a version), when given.
    Attempts {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// Only executions of these configurations (`None`: all).
        configs: Option<Vec<u32>>,
    },
    /// `LatencySeconds`: accept to final fate, at a percentile.
    LatencySeconds {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// `ColdStarts`: executions that started with init.
    ColdStarts {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `Throttles`: invocations refused with 429 (or 500).
    Throttles {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `DeliveryFailures`: failed deliveries to destinations or DLQs.
    DeliveryFailures {
        /// The target (`None`: every target).
        target: Option<TargetId>,
        /// Only records of this kind (`None`: all).
        kind: Option<RecordKind>,
        /// Only failures for this reason (`None`: all).
        reason: Option<DeliveryFailure>,
    },
    /// `ProvisionedSpillovers`: executions that found every provisioned environment busy (spec section 6).
    ProvisionedSpillovers {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `ProvisionedInvocations`: executions on provisioned environments.
    ProvisionedInvocations {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `ColdStartRatio`: cold starts divided by executions.
    ColdStartRatio {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `CallerOutcomes`: synchronous requests that finally got `outcome`.
    CallerOutcomes {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// What the caller finally got.
        outcome: CallOutcomeSpec,
    },
    /// `CallerLatencySeconds`: latency seen by synchronous callers, at a percentile.
    CallerLatencySeconds {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// `ThrottlesByReason`: throttles with one `Reason`.
    ThrottlesByReason {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// The 429 `Reason` (or `ServiceException`).
        reason: String,
    },
    /// `PeakConcurrency`: the most concurrent executions.
    PeakConcurrency {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// `RetryGapSeconds`: end of a failed execution to the next start of the same event (spec 10.2).
    RetryGapSeconds {
        /// The function (`None`: every function).
        function: Option<FnId>,
        /// Only the gap before this attempt number (`None`: every gap).
        before_attempt: Option<u32>,
    },
    /// `FailureRecordsNotExactlyOnce`: failed events that did not reach each failure target exactly once.
    FailureRecordsNotExactlyOnce {
        /// The function (`None`: every function).
        function: Option<FnId>,
    },
    /// Queues, streams and mappings (`model::esm`).
    Esm(EsmMeasure),
    /// Topics and buses (`model::fanout`).
    Fanout(FanoutMeasure),
    /// Events of workload source `source` (index in `Model::sources`) with `fate`.
    SourceFates {
        /// Index in `Model::sources`.
        source: usize,
        /// The fate counted.
        fate: Fate,
    },
    /// Latency of workload source `source`'s events at a percentile.
    SourceLatencySeconds {
        /// Index in `Model::sources`.
        source: usize,
        /// The percentile, 0 to 100 (100: the largest value).
        percentile: f64,
    },
    /// Firehose delivery streams (`model::firehose`).
    Firehose(FirehoseMeasure),
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
    Across {
        /// The statistic.
        statistic: Statistic,
        /// Two-sided confidence level of `Mean`'s interval (default 0.95).
        confidence: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
/// The statistic of an `Across` quantifier.
pub enum Statistic {
    /// The mean of the per-seed values.
    Mean,
    /// A quantile in (0, 1) of the per-seed values.
    Quantile(f64),
}

impl Quantifier {
    /// Whether one seed's result decides `run`'s exit code.
    pub fn per_seed_fatal(&self) -> bool {
        matches!(self, Quantifier::Always)
    }
    /// The quantifier in words, for reports (`in every seed`, ...).
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
    /// The expectation's `Name`.
    pub name: String,
    /// What it measures.
    pub measure: Measure,
    /// How per-seed results combine over a sweep.
    pub quantifier: Quantifier,
    /// `Equals` bound.
    pub equals: Option<f64>,
    /// `AtLeast` bound.
    pub at_least: Option<f64>,
    /// `AtMost` bound.
    pub at_most: Option<f64>,
    /// What is measured, in words.
    pub what: String,
}

impl Expectation {
    /// The bounds in words (`>= 1 and <= 3`).
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

/// What compiling one expectation resolves names against.
struct Scope<'a> {
    path: &'a str,
    model: &'a Model,
    names: &'a BTreeMap<String, FnId>,
}

impl Scope<'_> {
    fn func(&self, f: &Option<String>, sub: &str) -> Result<Option<FnId>, ScenarioError> {
        let path = self.path;
        match f {
            None => Ok(None),
            Some(r) => resolve_function(r, &self.model.region, &self.model.account_id, self.names)
                .map(Some)
                .map_err(|m| ScenarioError::new(format!("{path}.Expect.{sub}.Function"), m)),
        }
    }
    fn fate(&self, s: &str, sub: &str) -> Result<Fate, ScenarioError> {
        let path = self.path;
        Fate::parse(s).ok_or_else(|| {
            let allowed: Vec<&str> = Fate::ALL.iter().map(|f| f.name()).collect();
            ScenarioError::new(format!("{path}.Expect.{sub}.Fate"), format!("{s:?} is not a fate; allowed: {}", allowed.join(", ")))
        })
    }
    fn target(&self, arn: &str, sub: &str) -> Result<TargetId, ScenarioError> {
        let (path, model) = (self.path, self.model);
        let norm = arn.strip_suffix(":$LATEST").unwrap_or(arn);
        // An ARN, or the name of a queue, topic, bus, bucket or function (when one target has it).
        let by_name = || {
            let mut named = model.targets.iter().enumerate().filter(|(_, t)| t.name == norm);
            match (named.next(), named.next()) {
                (Some((i, _)), None) => Some(TargetId(i as u32)),
                _ => None,
            }
        };
        model.target_by_arn(norm).or_else(by_name).ok_or_else(|| {
            let known: Vec<&str> = model.targets.iter().map(|t| t.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Target"),
                format!(
                    "{:?} names nothing in this scenario; give a name or an ARN; {}",
                    crate::vocab::shorten(arn, 200),
                    crate::vocab::did_you_mean(arn, &known)
                ),
            )
        })
    }
    fn fname(&self, f: &Option<FnId>) -> String {
        f.map(|f| self.model.function(f).name.clone()).unwrap_or_else(|| "all functions".into())
    }
    /// A workload entry that invokes a function, by its `Name` (producers and publishers are measured by their
    /// queue, stream, topic or bus).
    fn source_ix(&self, name: &str, sub: &str) -> Result<usize, ScenarioError> {
        let (path, model) = (self.path, self.model);
        model.sources.iter().position(|s| s.name == name).ok_or_else(|| {
            let known: Vec<&str> = model.sources.iter().map(|s| s.name.as_str()).collect();
            ScenarioError::new(
                format!("{path}.Expect.{sub}.Source"),
                format!(
                    "{:?} names no workload entry that invokes a function; {}",
                    crate::vocab::shorten(name, 200),
                    crate::vocab::did_you_mean(name, &known)
                ),
            )
        })
    }
    fn pct(&self, p: f64, sub: &str) -> Result<(), ScenarioError> {
        let path = self.path;
        if p.is_finite() && (0.0..=100.0).contains(&p) {
            Ok(())
        } else {
            Err(ScenarioError::new(format!("{path}.Expect.{sub}.Percentile"), format!("{p} is out of range; allowed 0 to 100")))
        }
    }
}

/// Compile expectation `index` of the scenario (at JSON path `path`).
pub(crate) fn compile(
    spec: &ExpectationSpec,
    path: &str,
    index: usize,
    model: &Model,
    names: &BTreeMap<String, FnId>,
) -> Result<Expectation, ScenarioError> {
    let (measure, what) = compile_measure(&Scope { path, model, names }, &spec.expect)?;
    let quantifier = compile_quantifier(spec, path)?;
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

/// How the per-seed results combine: at most one of `InFractionOfSeeds`, `Sometimes`, `AcrossSeeds`.
fn compile_quantifier(spec: &ExpectationSpec, path: &str) -> Result<Quantifier, ScenarioError> {
    Ok({
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
    })
}

/// The measures of functions, sources and targets; the others go to [`more_measures`].
fn compile_measure(cx: &Scope<'_>, spec: &MeasureSpec) -> Result<(Measure, String), ScenarioError> {
    let path = cx.path;
    Ok(match spec {
        MeasureSpec::Fates { function, fate: fs } => {
            let function = cx.func(function, "Fates")?;
            let fate = cx.fate(fs, "Fates")?;
            (Measure::Fates { function, fate }, format!("events of {} with fate {}", cx.fname(&function), fate.name()))
        }
        MeasureSpec::SourceFates { source, fate: fs } => {
            let s = cx.source_ix(source, "SourceFates")?;
            let fate = cx.fate(fs, "SourceFates")?;
            (Measure::SourceFates { source: s, fate }, format!("events of source {source} with fate {}", fate.name()))
        }
        MeasureSpec::SourceLatencySeconds { source, percentile } => {
            let s = cx.source_ix(source, "SourceLatencySeconds")?;
            cx.pct(*percentile, "SourceLatencySeconds")?;
            (Measure::SourceLatencySeconds { source: s, percentile: *percentile }, format!("p{percentile} latency (s) of source {source}"))
        }
        MeasureSpec::Accepted { function } => {
            let function = cx.func(function, "Accepted")?;
            (Measure::Accepted { function }, format!("events accepted by {}", cx.fname(&function)))
        }
        MeasureSpec::SinkRecords { target: t, kind, pattern } => {
            let target = cx.target(t, "SinkRecords")?;
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
                cx.model.target(target).name,
                if pattern.is_some() { " matching the pattern" } else { "" }
            );
            (Measure::SinkRecords { target, kind, pattern }, w)
        }
        MeasureSpec::AttemptsPerEvent { function, fate: fs } => {
            let function = cx.func(function, "AttemptsPerEvent")?;
            let fate = match fs {
                None => None,
                Some(s) => Some(cx.fate(s, "AttemptsPerEvent")?),
            };
            let w = format!(
                "executions of every event of {}{}",
                cx.fname(&function),
                fate.map(|f| format!(" with fate {}", f.name())).unwrap_or_default()
            );
            (Measure::AttemptsPerEvent { function, fate }, w)
        }
        MeasureSpec::Attempts { function, version } => {
            let function = cx.func(function, "Attempts")?;
            let configs = match version {
                None => None,
                Some(v) => {
                    let Some(f) = function else {
                        return Err(ScenarioError::new(
                            format!("{path}.Expect.Attempts.Version"),
                            "needs Function: versions belong to a function",
                        ));
                    };
                    let fd = cx.model.function(f);
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
            let w =
                format!("executions of {}{}", cx.fname(&function), version.as_ref().map(|v| format!(" version {v}")).unwrap_or_default());
            (Measure::Attempts { function, configs }, w)
        }
        MeasureSpec::LatencySeconds { function, percentile } => {
            let function = cx.func(function, "LatencySeconds")?;
            cx.pct(*percentile, "LatencySeconds")?;
            (Measure::LatencySeconds { function, percentile: *percentile }, format!("p{percentile} latency (s) of {}", cx.fname(&function)))
        }
        MeasureSpec::ColdStarts { function } => {
            let function = cx.func(function, "ColdStarts")?;
            (Measure::ColdStarts { function }, format!("cold starts of {}", cx.fname(&function)))
        }
        MeasureSpec::Throttles { function } => {
            let function = cx.func(function, "Throttles")?;
            (Measure::Throttles { function }, format!("throttles of {}", cx.fname(&function)))
        }
        MeasureSpec::DeliveryFailures { target: t, kind, reason } => {
            let target = match t {
                None => None,
                Some(a) => Some(cx.target(a, "DeliveryFailures")?),
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
                target.map(|t| cx.model.target(t).name.clone()).unwrap_or_else(|| "all targets".into()),
                reason.map(|r| format!(" ({})", r.name())).unwrap_or_default()
            );
            (Measure::DeliveryFailures { target, kind, reason }, w)
        }
        other => return more_measures(cx, other),
    })
}

/// Provisioned concurrency, callers, throttles, retries and failure records; then the queue, stream, topic, bus and
/// delivery-stream measures of [`esm`], [`fanout`] and [`firehose`].
fn more_measures(cx: &Scope<'_>, spec: &MeasureSpec) -> Result<(Measure, String), ScenarioError> {
    let path = cx.path;
    Ok(match spec {
        MeasureSpec::ProvisionedSpillovers { function } => {
            let function = cx.func(function, "ProvisionedSpillovers")?;
            (Measure::ProvisionedSpillovers { function }, format!("provisioned concurrency spillovers of {}", cx.fname(&function)))
        }
        MeasureSpec::ProvisionedInvocations { function } => {
            let function = cx.func(function, "ProvisionedInvocations")?;
            (Measure::ProvisionedInvocations { function }, format!("executions on provisioned environments of {}", cx.fname(&function)))
        }
        MeasureSpec::CallerOutcomes { function, outcome } => {
            let function = cx.func(function, "CallerOutcomes")?;
            (
                Measure::CallerOutcomes { function, outcome: *outcome },
                format!("caller requests of {} answered {} ({})", cx.fname(&function), outcome.name(), outcome.status()),
            )
        }
        MeasureSpec::CallerLatencySeconds { function, percentile } => {
            let function = cx.func(function, "CallerLatencySeconds")?;
            cx.pct(*percentile, "CallerLatencySeconds")?;
            (
                Measure::CallerLatencySeconds { function, percentile: *percentile },
                format!("p{percentile} caller-seen latency (s) of {}", cx.fname(&function)),
            )
        }
        MeasureSpec::ThrottlesByReason { function, reason } => {
            let function = cx.func(function, "ThrottlesByReason")?;
            let known = [
                "ReservedFunctionConcurrentInvocationLimitExceeded",
                "ConcurrentInvocationLimitExceeded",
                "ServiceException",
                cx.model.settings.scaling_throttle_reason.as_str(),
            ];
            if !known.contains(&reason.as_str()) {
                return Err(ScenarioError::new(
                    format!("{path}.Expect.ThrottlesByReason.Reason"),
                    format!("{reason:?} is not a reason lambdasim produces; allowed: {}", known.join(", ")),
                ));
            }
            (
                Measure::ThrottlesByReason { function, reason: reason.clone() },
                format!("throttles of {} with Reason {reason}", cx.fname(&function)),
            )
        }
        MeasureSpec::PeakConcurrency { function } => {
            let function = cx.func(function, "PeakConcurrency")?;
            (
                Measure::PeakConcurrency { function },
                format!("peak concurrency of {}", cx.fname(&function).replace("all functions", "the account")),
            )
        }
        MeasureSpec::ColdStartRatio { function } => {
            let function = cx.func(function, "ColdStartRatio")?;
            (Measure::ColdStartRatio { function }, format!("cold-start ratio of {}", cx.fname(&function)))
        }
        MeasureSpec::RetryGapSeconds { function, before_attempt } => {
            let function = cx.func(function, "RetryGapSeconds")?;
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
                cx.fname(&function),
                before_attempt.map(|a| format!(" before attempt {a}")).unwrap_or_default()
            );
            (Measure::RetryGapSeconds { function, before_attempt }, w)
        }
        MeasureSpec::FailureRecordsNotExactlyOnce { function } => {
            let function = cx.func(function, "FailureRecordsNotExactlyOnce")?;
            (
                Measure::FailureRecordsNotExactlyOnce { function },
                format!("failed events of {} not reaching each failure target exactly once", cx.fname(&function)),
            )
        }
        other if firehose::compile(other, path, cx.model).is_some() => {
            let (m, what) = firehose::compile(other, path, cx.model).expect("a Firehose measure")?;
            (Measure::Firehose(m), what)
        }
        other => {
            let resolve = |r: &str, sub: &str| {
                resolve_function(r, &cx.model.region, &cx.model.account_id, cx.names)
                    .map_err(|m| ScenarioError::new(format!("{path}.Expect.{sub}"), m))
            };
            match esm::compile(other, path, cx.model, &resolve) {
                Some(r) => {
                    let (m, what) = r?;
                    (Measure::Esm(m), what)
                }
                None => match fanout::compile(other, path, cx.model) {
                    Some(r) => {
                        let (m, what) = r?;
                        (Measure::Fanout(m), what)
                    }
                    None => return Err(ScenarioError::new(format!("{path}.Expect"), "is not a known measure")),
                },
            }
        }
    })
}
