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
use crate::scenario::{ExpectationSpec, MeasureSpec};
use crate::time::SimTime;
use crate::trace::{request_id, Ctx, Fate, Observer, RecordKind, TraceEvent};

#[derive(Debug, Clone)]
pub enum Measure {
    Fates { function: Option<FnId>, fate: Fate },
    Accepted { function: Option<FnId> },
    SinkRecords { target: TargetId, kind: Option<RecordKind>, pattern: Option<Pattern> },
    AttemptsPerEvent { function: Option<FnId>, fate: Option<Fate> },
    Attempts { function: Option<FnId> },
    LatencySeconds { function: Option<FnId>, percentile: f64 },
    ColdStarts { function: Option<FnId> },
    Throttles { function: Option<FnId> },
    DeliveryFailures { target: Option<TargetId> },
}

/// A compiled expectation.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub name: String,
    pub measure: Measure,
    pub equals: Option<f64>,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
    /// What is measured, in words.
    pub what: String,
}

impl Expectation {
    fn bounds_text(&self) -> String {
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
    fn miss(&self, x: f64) -> f64 {
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
    let (measure, what) = match &spec.expect {
        MeasureSpec::Fates { function, fate: fs } => {
            let function = func(function, "Fates")?;
            let fate = fate(fs, "Fates")?;
            (Measure::Fates { function, fate }, format!("events of {} with fate {}", fname(&function), fate.name()))
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
        MeasureSpec::Attempts { function } => {
            let function = func(function, "Attempts")?;
            (Measure::Attempts { function }, format!("executions of {}", fname(&function)))
        }
        MeasureSpec::LatencySeconds { function, percentile } => {
            let function = func(function, "LatencySeconds")?;
            if !(percentile.is_finite() && (0.0..=100.0).contains(percentile)) {
                return Err(ScenarioError::new(
                    format!("{path}.Expect.LatencySeconds.Percentile"),
                    format!("{percentile} is out of range; allowed 0 to 100"),
                ));
            }
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
        MeasureSpec::DeliveryFailures { target: t } => {
            let target = match t {
                None => None,
                Some(a) => Some(target(a, "DeliveryFailures")?),
            };
            let w =
                format!("failed deliveries to {}", target.map(|t| model.target(t).name.clone()).unwrap_or_else(|| "all targets".into()));
            (Measure::DeliveryFailures { target }, w)
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
        equals: spec.equals,
        at_least: spec.at_least,
        at_most: spec.at_most,
        what,
    })
}

/// The verdict on one expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub name: String,
    pub passed: bool,
    /// The measured value (for `AttemptsPerEvent`: the value furthest outside the bounds, or the maximum).
    pub actual: Option<f64>,
    pub message: String,
}

impl Verdict {
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "passed": self.passed, "actual": self.actual, "message": self.message})
    }
}

#[derive(Debug, Clone, Default)]
struct Stream {
    count: u64,
    min: Option<u32>,
    max: Option<u32>,
    violations: u64,
    first_violation: Option<(u64, u64, u32)>,
}

/// Evaluates the expectations that need to see events as they happen.
pub struct ExpectObserver {
    exps: Vec<Expectation>,
    streams: Vec<Stream>,
    wants_content: bool,
}

impl ExpectObserver {
    pub fn new(model: &Model) -> Self {
        let exps = model.expectations.clone();
        let wants_content = exps.iter().any(|e| matches!(&e.measure, Measure::SinkRecords { pattern: Some(_), .. }));
        let streams = vec![Stream::default(); exps.len()];
        ExpectObserver { exps, streams, wants_content }
    }

    /// All verdicts, in the scenario's order.
    pub fn verdicts(&self, metrics: &Metrics, seed: u64) -> Vec<Verdict> {
        self.exps.iter().zip(&self.streams).map(|(e, s)| verdict(e, s, metrics, seed)).collect()
    }
}

fn sum_fns(function: Option<FnId>, metrics: &Metrics, g: impl Fn(&crate::metrics::FnMetrics) -> u64) -> u64 {
    match function {
        Some(f) => g(&metrics.functions[f.ix()]),
        None => metrics.functions.iter().map(g).sum(),
    }
}

fn verdict(e: &Expectation, s: &Stream, m: &Metrics, seed: u64) -> Verdict {
    let bounds = e.bounds_text();
    let scalar = |x: Option<f64>| -> Verdict {
        match x {
            None => Verdict {
                name: e.name.clone(),
                passed: false,
                actual: None,
                message: format!("{}: expected {bounds}, but nothing was measured", e.what),
            },
            Some(x) => {
                let miss = e.miss(x);
                let message = if miss == 0.0 {
                    format!("{}: {x} (expected {bounds})", e.what)
                } else {
                    format!("{}: expected {bounds}, got {x} (off by {})", e.what, round6(miss))
                };
                Verdict { name: e.name.clone(), passed: miss == 0.0, actual: Some(x), message }
            }
        }
    };
    match &e.measure {
        Measure::Fates { function, fate } => scalar(Some(sum_fns(*function, m, |f| f.fate(*fate)) as f64)),
        Measure::Accepted { function } => scalar(Some(sum_fns(*function, m, |f| f.accepted) as f64)),
        Measure::Attempts { function } => scalar(Some(sum_fns(*function, m, |f| f.attempts) as f64)),
        Measure::ColdStarts { function } => scalar(Some(sum_fns(*function, m, |f| f.cold_starts) as f64)),
        Measure::Throttles { function } => scalar(Some(sum_fns(*function, m, |f| f.throttles) as f64)),
        Measure::DeliveryFailures { target } => scalar(Some(match target {
            Some(t) => m.targets[t.ix()].failures,
            None => m.targets.iter().map(|t| t.failures).sum(),
        } as f64)),
        Measure::SinkRecords { .. } => scalar(Some(s.count as f64)),
        Measure::LatencySeconds { function, percentile } => {
            let h = match function {
                Some(f) => &m.functions[f.ix()].latency,
                None => &m.all_latency,
            };
            scalar(at_percentile(h, *percentile).map(|us| us as f64 / 1e6))
        }
        Measure::AttemptsPerEvent { .. } => {
            if s.count == 0 {
                return Verdict {
                    name: e.name.clone(),
                    passed: e.miss(0.0) == 0.0 || e.equals.is_none(),
                    actual: None,
                    message: format!("{}: no such event (expected {bounds} for each)", e.what),
                };
            }
            let (lo, hi) = (s.min.unwrap_or(0), s.max.unwrap_or(0));
            if s.violations == 0 {
                Verdict {
                    name: e.name.clone(),
                    passed: true,
                    actual: Some(f64::from(hi)),
                    message: format!("{}: {lo}..{hi} over {} events (expected {bounds} for each)", e.what, s.count),
                }
            } else {
                let (ev, rid, n) = s.first_violation.unwrap_or((0, 0, 0));
                Verdict {
                    name: e.name.clone(),
                    passed: false,
                    actual: Some(f64::from(n)),
                    message: format!(
                        "{}: expected {bounds} for each, but {} of {} events were outside (range {lo}..{hi}); first: event {ev} (requestId {}) with {n} executions, off by {}",
                        e.what,
                        s.violations,
                        s.count,
                        request_id(seed, rid),
                        round6(e.miss(f64::from(n)))
                    ),
                }
            }
        }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Observer for ExpectObserver {
    #[inline]
    fn on_event(&mut self, _t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::Fate { event, rid, function: f, fate, attempts, .. } => {
                for (e, s) in self.exps.iter().zip(self.streams.iter_mut()) {
                    if let Measure::AttemptsPerEvent { function, fate: want } = &e.measure {
                        if function.is_some_and(|x| x != *f) || want.is_some_and(|w| w != *fate) {
                            continue;
                        }
                        s.count += 1;
                        s.min = Some(s.min.map_or(*attempts, |m| m.min(*attempts)));
                        s.max = Some(s.max.map_or(*attempts, |m| m.max(*attempts)));
                        if e.miss(f64::from(*attempts)) > 0.0 {
                            s.violations += 1;
                            if s.first_violation.is_none() {
                                s.first_violation = Some((*event, *rid, *attempts));
                            }
                        }
                    }
                }
            }
            TraceEvent::Delivered { target: t, kind: k, failure: None, .. } => {
                for (e, s) in self.exps.iter().zip(self.streams.iter_mut()) {
                    if let Measure::SinkRecords { target, kind, pattern } = &e.measure {
                        if target != t || kind.is_some_and(|x| x != *k) {
                            continue;
                        }
                        if let Some(p) = pattern {
                            if !ctx.content.is_some_and(|c| p.matches(c)) {
                                continue;
                            }
                        }
                        s.count += 1;
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
