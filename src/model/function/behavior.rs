//! A function's declared behaviour, validated: its `Behavior.Rules` (conditions on the event, outcomes, errors with
//! their stack traces in the runtime's format) and the scenario's `Faults` (spec sections 1, 3.2; README "Faults").

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::super::targets::Resolver;
use super::super::validate::V;
use super::super::{FnId, TargetId};
use super::{resolve_function, Function};
use crate::aws::pattern::Pattern;
use crate::kernel::time::SimTime;
use crate::model::dist::Dist;
use crate::scenario::*;

/// A compiled behaviour rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `When.Payload`: an EventBridge pattern the payload must match (`None`: any).
    pub pattern: Option<Pattern>,
    /// `When.Attempt.AtLeast`: the first attempt the rule applies to (default 1).
    pub attempt_min: u32,
    /// `When.Attempt.AtMost` (default: no limit).
    pub attempt_max: u32,
    /// `When.Probability`: the chance the rule applies to a matching attempt (`None`: always).
    pub probability: Option<f64>,
    /// `Then.Outcome`: what the execution does.
    pub outcome: OutcomeKind,
    /// `Fail`: the error's `errorType`.
    pub error_type: Arc<str>,
    /// `Fail`: the error's `errorMessage`.
    pub error_message: Arc<str>,
    /// `Fail`: the error's stack frames (declared, or the function's default, see `fill_stack_traces`).
    pub stack_trace: Arc<[String]>,
    /// Whether `stack_trace` was declared (`Then.StackTrace`).
    pub stack_trace_given: bool,
    /// `Then.Unhandled`: in a batch with `ReportBatchItemFailures`, the handler raises instead of reporting.
    pub unhandled: bool,
    /// `Succeed`: the response payload.
    pub response: Arc<Value>,
    /// How long the execution runs (`None`: the function's `Duration`).
    pub duration: Option<Dist>,
    /// Serialized size of the response in bytes (`ResponseSizeBytes`, else the size of `Response`).
    pub response_size: u64,
}

#[derive(Debug, Clone)]
/// A compiled fault on the function's timeline: attempts that start in `[start, end)` fail as `kind` says.
pub struct Fault {
    /// What the affected attempts do.
    pub kind: FaultKind,
    /// When the fault starts.
    pub start: SimTime,
    /// When it ends (exclusive).
    pub end: SimTime,
    /// The chance an attempt in the window is affected.
    pub probability: f64,
    /// `Error`: the error's `errorType`.
    pub error_type: Arc<str>,
    /// `Error`: the error's `errorMessage`.
    pub error_message: Arc<str>,
    /// An `Error` fault's stack frames (the function's default, see `fill_stack_traces`).
    pub stack_trace: Arc<[String]>,
}

impl Fault {
    /// Whether the fault is in force at `t`.
    pub fn active(&self, t: SimTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// A `DeliveryFailure` fault: deliveries to `target` between `start` and `end` fail with `reason` (each with
/// `probability`), and the record is lost (spec 3.1, 4).
#[derive(Debug, Clone)]
pub struct DeliveryFault {
    /// The target whose deliveries fail.
    pub target: TargetId,
    /// When the fault starts.
    pub start: SimTime,
    /// When it ends (exclusive).
    pub end: SimTime,
    /// The chance a delivery in the window fails.
    pub probability: f64,
    /// Why it fails.
    pub reason: crate::vocab::DeliveryFailure,
}

/// A distribution, or a constant `default` when not given or invalid.
pub(super) fn compile_dist(v: &mut V, d: &Option<DistSpec>, path: String, default: SimTime) -> Dist {
    match d {
        None => Dist::constant(default),
        Some(spec) => Dist::compile(spec, &path).unwrap_or_else(|e| {
            v.errors.push(e);
            Dist::constant(default)
        }),
    }
}

/// One behaviour rule (`Behavior.Rules[j]`, at path `rp`).
pub(super) fn build_rule(v: &mut V, r: &RuleSpec, rp: &str) -> Rule {
    let w = r.when.clone().unwrap_or_default();
    let pattern = w.payload.as_ref().and_then(|pv| match Pattern::compile(pv, &format!("{rp}.When.Payload")) {
        Ok(pt) => Some(pt),
        Err(e) => {
            v.err(e.path.clone(), e.message.clone());
            None
        }
    });
    let (attempt_min, attempt_max) = match &w.attempt {
        None => (1, u32::MAX),
        Some(rs) => {
            let lo = v.int(rs.at_least, &format!("{rp}.When.Attempt.AtLeast"), 1, 1_000_000, 1) as u32;
            let hi = v.int(rs.at_most, &format!("{rp}.When.Attempt.AtMost"), 1, 1_000_000, 1_000_000) as u32;
            (lo, if rs.at_most.is_none() { u32::MAX } else { hi })
        }
    };
    let probability = w.probability.map(|pr| v.prob(Some(pr), &format!("{rp}.When.Probability"), 1.0));
    let t = &r.then;
    let (def_type, def_msg) = match t.outcome {
        OutcomeKind::Crash => ("Runtime.ExitError", "Runtime exited with error: signal: killed"),
        _ => ("Error", "Injected failure"),
    };
    if t.outcome != OutcomeKind::Succeed && t.response.is_some() {
        v.err(format!("{rp}.Then.Response"), "is only allowed with Outcome Succeed");
    }
    if t.outcome != OutcomeKind::Fail && t.unhandled.is_some() {
        v.err(format!("{rp}.Then.Unhandled"), "is only allowed with Outcome Fail");
    }
    if t.outcome != OutcomeKind::Fail && t.stack_trace.is_some() {
        v.err(format!("{rp}.Then.StackTrace"), "is only allowed with Outcome Fail (a timeout or a crash has no stack trace)");
    }
    Rule {
        pattern,
        attempt_min,
        attempt_max,
        probability,
        outcome: t.outcome,
        error_type: t.error_type.as_deref().unwrap_or(def_type).into(),
        error_message: t.error_message.as_deref().unwrap_or(def_msg).into(),
        stack_trace: t.stack_trace.clone().unwrap_or_default().into(),
        stack_trace_given: t.stack_trace.is_some(),
        unhandled: t.unhandled.unwrap_or(false),
        response_size: match t.response_size_bytes {
            Some(n) if n >= 0 => n as u64,
            Some(n) => {
                v.err(format!("{rp}.Then.ResponseSizeBytes"), format!("{n} is not allowed; must be >= 0"));
                0
            }
            None => serde_json::to_string(&t.response.clone().unwrap_or(Value::Null)).map(|s| s.len() as u64).unwrap_or(4),
        },
        response: Arc::new(t.response.clone().unwrap_or(Value::Null)),
        duration: t.duration.as_ref().map(|d| compile_dist(v, &Some(d.clone()), format!("{rp}.Then.Duration"), SimTime::from_millis(100))),
    }
}

/// Give every failing rule and error fault without declared frames the default stack trace of its function, in the
/// format of the function's runtime (`ErrorFormat`, from `Runtime`; Python's when none is given) at its `Handler`.
pub(in crate::model) fn fill_stack_traces(functions: &mut [Function], sc: &crate::scenario::Scenario) {
    for (f, spec) in functions.iter_mut().zip(&sc.functions) {
        let runtime = match &spec.runtime {
            Some(crate::scenario::RuntimeSpec::Id(r)) => Some(r.as_str()),
            _ => None,
        };
        let format = crate::aws::destinations::ErrorFormat::of_runtime(runtime);
        f.error_format = format;
        let handler = spec.handler.as_deref();
        for c in &mut f.configs {
            for r in &mut c.rules {
                if r.outcome == OutcomeKind::Fail && !r.stack_trace_given {
                    r.stack_trace = format.frames(handler, &r.error_type, &r.error_message).into();
                }
            }
        }
        for x in &mut f.faults {
            if x.kind == FaultKind::Error {
                x.stack_trace = format.frames(handler, &x.error_type, &x.error_message).into();
            }
        }
    }
}

/// The `Faults` section: function faults go onto their functions; delivery faults are returned.
pub(in crate::model) fn build_faults(
    v: &mut V,
    sc: &Scenario,
    region: &str,
    account: &str,
    fn_names: &BTreeMap<String, FnId>,
    resolver: &Resolver,
    functions: &mut [Function],
) -> Vec<DeliveryFault> {
    let mut delivery_faults = vec![];
    for (i, fs) in sc.faults.iter().enumerate() {
        let p = format!("Faults[{i}]");
        let start = v.secs(fs.start_seconds, &format!("{p}.StartSeconds"));
        let end = v.secs(fs.end_seconds, &format!("{p}.EndSeconds"));
        if end <= start {
            v.err(format!("{p}.EndSeconds"), format!("{} is not after StartSeconds {}", fs.end_seconds, fs.start_seconds));
        }
        let probability = v.prob(fs.probability, &format!("{p}.Probability"), 1.0);
        if fs.kind == FaultKind::DeliveryFailure {
            // A destination or DLQ rejects deliveries for a while (spec 3.1, 4).
            if fs.function.is_some() {
                v.err(format!("{p}.Function"), "is not allowed with Kind DeliveryFailure; name the destination or DLQ as Target");
            }
            let Some(arn) = &fs.target else {
                v.err(format!("{p}.Target"), "is missing; Kind DeliveryFailure needs the ARN of the destination or DLQ");
                continue;
            };
            let Some(target) = resolver.resolve(v, arn, &format!("{p}.Target")) else { continue };
            use crate::vocab::DeliveryFailure as D;
            let reason = match fs.reason.unwrap_or(DeliveryFaultReason::AccessDenied) {
                DeliveryFaultReason::AccessDenied => D::AccessDenied,
                DeliveryFaultReason::Throttled => D::Throttled,
                DeliveryFaultReason::ResourceNotFound => D::ResourceNotFound,
                DeliveryFaultReason::KmsAccessDenied => D::KmsAccessDenied,
            };
            delivery_faults.push(DeliveryFault { target, start, end, probability, reason });
            continue;
        }
        if fs.target.is_some() {
            v.err(format!("{p}.Target"), "is only allowed with Kind DeliveryFailure");
        }
        if fs.reason.is_some() {
            v.err(format!("{p}.Reason"), "is only allowed with Kind DeliveryFailure");
        }
        let Some(fname) = &fs.function else {
            v.err(format!("{p}.Function"), "is missing; this kind of fault applies to a function");
            continue;
        };
        let fid = match resolve_function(fname, region, account, fn_names) {
            Ok(id) => id,
            Err(m) => {
                v.err(format!("{p}.Function"), m);
                continue;
            }
        };
        let (dt, dm) = match fs.kind {
            FaultKind::Crash => ("Runtime.ExitError", "Runtime exited with error: signal: killed"),
            _ => ("InjectedFault", "Injected fault"),
        };
        if let Some(f) = functions.get_mut(fid.ix()) {
            f.faults.push(Fault {
                kind: fs.kind,
                start,
                end,
                probability,
                error_type: fs.error_type.as_deref().unwrap_or(dt).into(),
                error_message: fs.error_message.as_deref().unwrap_or(dm).into(),
                stack_trace: Arc::from([]),
            });
        }
    }
    delivery_faults
}
