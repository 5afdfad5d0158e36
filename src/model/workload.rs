//! The workload: who invokes what, when (spec sections 2, 7). A workload entry invokes a function (asynchronously
//! or synchronously, with a caller's timeout and retries, optionally wrapped in a service's event shape), or produces
//! to a queue, stream, topic, bus or delivery stream (those are handed to the builders of `model::esm`,
//! [`super::fanout`] and [`super::firehose`]).

use std::collections::BTreeMap;

use serde_json::Value;

use super::validate::V;
use super::{esm, fanout, firehose, parse_qualifier, resolve_function_ref, FnId, Function, Qualifier};
use crate::aws::payload::Template;
use crate::kernel::time::SimTime;
use crate::scenario::*;

#[derive(Debug, Clone)]
/// When a workload entry's events arrive.
pub enum Arrivals {
    /// At these times.
    At(Vec<SimTime>),
    /// A Poisson process of `rate_per_s` events a second from `start` until `end`.
    Poisson {
        /// Mean arrivals per second.
        rate_per_s: f64,
        /// The first instant arrivals may come.
        start: SimTime,
        /// Arrivals stop here (exclusive).
        end: SimTime,
    },
    /// One every `interval` from `start` until `end`.
    Every {
        /// Time between arrivals.
        interval: SimTime,
        /// The first arrival.
        start: SimTime,
        /// Arrivals stop here (exclusive).
        end: SimTime,
    },
    /// `count` events from `at`, spread evenly over `spread` (all at once when 0).
    Burst {
        /// The first arrival.
        at: SimTime,
        /// Arrivals in all.
        count: u64,
        /// The time they are spread over.
        spread: SimTime,
    },
}

impl Arrivals {
    /// The first arrival, drawing an exponential gap with `gap(rate per second)` for Poisson arrivals.
    pub fn first(&self, gap: &mut dyn FnMut(f64) -> SimTime) -> Option<SimTime> {
        match self {
            Arrivals::At(ts) => ts.first().copied(),
            Arrivals::Poisson { rate_per_s, start, end } => {
                let t = *start + gap(*rate_per_s);
                (t < *end).then_some(t)
            }
            Arrivals::Every { start, end, .. } => (*start < *end).then_some(*start),
            Arrivals::Burst { at, .. } => Some(*at),
        }
    }

    /// How many arrive at each due instant: a burst without spread arrives all at once.
    pub fn at_once(&self) -> u64 {
        match self {
            Arrivals::Burst { count, spread, .. } if *spread == SimTime::ZERO => *count,
            _ => 1,
        }
    }

    /// The next arrival once `n` have arrived, the last at `now`.
    pub fn next(&self, n: u64, now: SimTime, gap: &mut dyn FnMut(f64) -> SimTime) -> Option<SimTime> {
        match self {
            Arrivals::At(ts) => ts.get(n as usize).copied(),
            Arrivals::Poisson { rate_per_s, end, .. } => {
                let t = now + gap(*rate_per_s);
                (t < *end).then_some(t)
            }
            Arrivals::Every { interval, start, end } => {
                let t = *start + SimTime::from_micros(interval.as_micros().saturating_mul(n));
                (t < *end).then_some(t)
            }
            Arrivals::Burst { at, count, spread } => (*spread > SimTime::ZERO && n < *count)
                .then(|| *at + SimTime::from_micros((u128::from(spread.as_micros()) * u128::from(n) / u128::from(*count)) as u64)),
        }
    }
}

/// A workload source.
#[derive(Debug, Clone)]
pub struct Source {
    /// The workload entry's `Name`.
    pub name: String,
    /// The function invoked.
    pub function: FnId,
    /// The version or alias invoked.
    pub qualifier: Qualifier,
    /// `InvocationType: RequestResponse`.
    pub sync: bool,
    /// The payload, rendered per event.
    pub template: Template,
    /// When its events arrive.
    pub arrivals: Arrivals,
    /// The caller of a synchronous source.
    pub caller: Caller,
    /// The service whose event shape wraps the payload, with its options.
    pub kind: Option<(crate::aws::events::SourceKind, Value)>,
    /// An API Gateway authorizer's backend: the function its `Allow` lets the request reach (`BackendFunction`).
    pub backend: Option<(FnId, Qualifier)>,
}

/// A synchronous caller's timeout and retry policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// How long the caller waits for a response (`None`: until the function answers).
    pub timeout: Option<SimTime>,
    /// Attempts in all, the first included (1 without `Retry`; `Retry.MaxAttempts` defaults to 3).
    pub max_attempts: u32,
    /// The first back-off before jitter (default 100 ms).
    pub base_delay: SimTime,
    /// The longest back-off (default 20 s).
    pub max_delay: SimTime,
    /// How back-offs are jittered (default `Full`).
    pub jitter: JitterSpec,
    /// Indexed by `CallOutcomeSpec as usize`.
    pub retry_on: [bool; 6],
}

impl Default for Caller {
    fn default() -> Self {
        Caller {
            timeout: None,
            max_attempts: 1,
            base_delay: SimTime::from_millis(100),
            max_delay: SimTime::from_secs(20),
            jitter: JitterSpec::Full,
            retry_on: [false; 6],
        }
    }
}

/// The workload entries, sorted by what they drive.
pub(super) struct Workload<'a> {
    /// Entries that invoke a function.
    pub sources: Vec<Source>,
    /// Entries that send to a queue or stream.
    pub producers: Vec<esm::RawProducer<'a>>,
    /// Entries that publish to a topic or bus.
    pub publishers: Vec<fanout::RawPublisher<'a>>,
    /// Entries that put records on a delivery stream.
    pub firehose: Vec<firehose::RawProducer<'a>>,
}

/// The `Workload` section.
pub(super) fn build_workload<'a>(
    v: &mut V,
    sc: &'a Scenario,
    region: &str,
    account: &str,
    fn_names: &BTreeMap<String, FnId>,
    functions: &[Function],
) -> Workload<'a> {
    let mut sources = vec![];
    let mut raw_producers = vec![];
    let mut raw_publishers = vec![];
    let mut raw_firehose = vec![];
    for (i, w) in sc.workload.iter().enumerate() {
        let p = format!("Workload[{i}]");
        let publisher = w.topic.is_some() || w.event_bus.is_some();
        let producer = w.queue.is_some() || w.stream.is_some() || w.kafka_topic.is_some();
        let firehose_producer = w.delivery_stream.is_some();
        let resolved = if producer || publisher || firehose_producer {
            Ok((FnId(0), None))
        } else if w.function.is_empty() {
            v.err(p.clone(), "gives none of Function, Queue, Stream; give exactly one");
            continue;
        } else {
            resolve_function_ref(&w.function, region, account, fn_names)
        };
        let (function, qualifier) = match resolved {
            // Producers and publishers name no function (a scenario may have none).
            Ok((id, None)) => (id, Qualifier::Latest),
            Ok((id, q)) => {
                let declared = sc.functions[id.ix()].versions.len();
                match q.map(|q| parse_qualifier(&functions[id.ix()], declared, q)).transpose() {
                    Ok(q) => (id, q.unwrap_or_default()),
                    Err(m) => {
                        v.err(format!("{p}.Function"), m);
                        continue;
                    }
                }
            }
            Err(m) => {
                v.err(format!("{p}.Function"), m);
                continue;
            }
        };
        let given = [w.at.is_some(), w.poisson.is_some(), w.every.is_some(), w.burst.is_some()].iter().filter(|x| **x).count();
        if given != 1 {
            v.err(p.clone(), format!("gives {given} of At, Poisson, Every, Burst; give exactly one"));
            continue;
        }
        let Some(arrivals) = build_arrivals(v, w, &p) else { continue };
        if firehose_producer {
            raw_firehose.push(firehose::RawProducer { index: i, spec: w, arrivals });
            continue;
        }
        if publisher {
            raw_publishers.push(fanout::RawPublisher { index: i, spec: w, arrivals });
            continue;
        }
        if producer {
            raw_producers.push(esm::RawProducer { index: i, spec: w, arrivals });
            continue;
        }
        let mut source = build_source(v, i, w, &p, function, qualifier, arrivals);
        source.backend = backend_function(v, &source, &p, region, account, fn_names, functions, sc);
        sources.push(source);
    }
    let mut seen = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        if let Some(j) = seen.insert(s.name.clone(), i) {
            v.err(
                format!("Workload[{i}].Name"),
                format!("{:?} is also the name of Workload[{j}]; names pick random streams and must differ", s.name),
            );
        }
    }
    Workload { sources, producers: raw_producers, publishers: raw_publishers, firehose: raw_firehose }
}

/// An entry's arrivals: exactly one of `At`, `Poisson`, `Every`, `Burst` (checked by the caller).
fn build_arrivals(v: &mut V, w: &WorkloadSpec, p: &str) -> Option<Arrivals> {
    let arrivals = if let Some(at) = &w.at {
        let mut ts: Vec<SimTime> = at.iter().enumerate().map(|(j, t)| v.secs(*t, &format!("{p}.At[{j}]"))).collect();
        ts.sort();
        Arrivals::At(ts)
    } else if let Some(ps) = &w.poisson {
        if !(ps.rate_per_second.is_finite() && ps.rate_per_second > 0.0 && ps.rate_per_second <= 1e7) {
            v.err(format!("{p}.Poisson.RatePerSecond"), format!("{} is out of range; allowed > 0 to 10000000", ps.rate_per_second));
        }
        let start = v.secs(ps.start_seconds.unwrap_or(0.0), &format!("{p}.Poisson.StartSeconds"));
        let end = v.secs(ps.end_seconds, &format!("{p}.Poisson.EndSeconds"));
        Arrivals::Poisson { rate_per_s: ps.rate_per_second, start, end }
    } else if let Some(e) = &w.every {
        let interval = v.secs(e.interval_seconds, &format!("{p}.Every.IntervalSeconds"));
        if interval == SimTime::ZERO {
            v.err(format!("{p}.Every.IntervalSeconds"), format!("{} is not allowed; must be > 0", e.interval_seconds));
        }
        let start = v.secs(e.start_seconds.unwrap_or(0.0), &format!("{p}.Every.StartSeconds"));
        let end = v.secs(e.end_seconds, &format!("{p}.Every.EndSeconds"));
        Arrivals::Every { interval: interval.max(SimTime::from_micros(1)), start, end }
    } else if let Some(bs) = &w.burst {
        let count = v.int(Some(bs.count), &format!("{p}.Burst.Count"), 1, 100_000_000, 1) as u64;
        let at = v.secs(bs.at_seconds, &format!("{p}.Burst.AtSeconds"));
        let spread = v.secs(bs.spread_seconds.unwrap_or(0.0), &format!("{p}.Burst.SpreadSeconds"));
        Arrivals::Burst { at, count, spread }
    } else {
        return None;
    };
    Some(arrivals)
}

/// An entry that invokes a function.
fn build_source(v: &mut V, i: usize, w: &WorkloadSpec, p: &str, function: FnId, qualifier: Qualifier, arrivals: Arrivals) -> Source {
    let kind = match &w.source {
        None => None,
        Some(s) => match crate::aws::events::SourceKind::parse(s) {
            None => {
                let all: Vec<&str> = crate::aws::events::SourceKind::ALL.iter().map(|k| k.name()).collect();
                v.err(format!("{p}.Source"), format!("{s:?} is not a source kind; allowed: {}", all.join(", ")));
                None
            }
            Some(k) if k.mode() == crate::aws::events::Mode::Poll => {
                v.err(
                    format!("{p}.Source"),
                    format!(
                        "{s:?} is a polled source: Lambda reads it through an event source mapping; declare the queue or stream, a producer (Workload entry with \"Queue\" or \"Stream\") and an EventSourceMappings entry"
                    ),
                );
                None
            }
            Some(k) => {
                let opts = w.source_options.clone().unwrap_or_else(|| Value::Object(Default::default()));
                if let Err((sub, msg)) = crate::aws::events::check_options(k, &opts) {
                    v.err(format!("{p}.SourceOptions.{sub}"), msg);
                }
                Some((k, opts))
            }
        },
    };
    if w.source_options.is_some() && w.source.is_none() {
        v.err(format!("{p}.SourceOptions"), "is only allowed with Source");
    }
    // The invocation type: as given, else the service's own mode (spec section 7).
    let sync = match (w.invocation_type, &kind) {
        (Some(t), _) => t == InvocationTypeSpec::RequestResponse,
        (None, Some((k, _))) => k.mode() == crate::aws::events::Mode::Sync,
        (None, None) => false,
    };
    let caller = build_caller(v, w, p, sync);
    Source {
        name: w.name.clone().unwrap_or_else(|| format!("workload[{i}]")),
        function,
        qualifier,
        kind,
        sync,
        template: match &w.payload {
            // The bytes as written go to the function (and its DLQ) as AWS passes on a caller's bytes.
            Some(p) => Template::with_text(p.value(), p.text()),
            None => Template::new(Value::Object(Default::default())),
        },
        arrivals,
        caller,
        backend: None,
    }
}

/// The backend function of an `ApiGatewayAuthorizer` source (`SourceOptions.BackendFunction`, a name or ARN).
#[allow(clippy::too_many_arguments)]
fn backend_function(
    v: &mut V,
    s: &Source,
    p: &str,
    region: &str,
    account: &str,
    fn_names: &BTreeMap<String, FnId>,
    functions: &[Function],
    sc: &Scenario,
) -> Option<(FnId, Qualifier)> {
    let (crate::aws::events::SourceKind::ApiGatewayAuthorizer, opts) = s.kind.as_ref()? else { return None };
    let name = opts.get("BackendFunction")?.as_str()?;
    let at = format!("{p}.SourceOptions.BackendFunction");
    match resolve_function_ref(name, region, account, fn_names) {
        Ok((id, None)) => Some((id, Qualifier::Latest)),
        Ok((id, Some(q))) => match parse_qualifier(&functions[id.ix()], sc.functions[id.ix()].versions.len(), q) {
            Ok(q) => Some((id, q)),
            Err(m) => {
                v.err(at, m);
                None
            }
        },
        Err(m) => {
            v.err(at, m);
            None
        }
    }
}

/// A synchronous source's caller (`Caller`): timeout and retry policy.
fn build_caller(v: &mut V, w: &WorkloadSpec, p: &str, sync: bool) -> Caller {
    match &w.caller {
        None => Caller::default(),
        Some(_) if !sync => {
            v.err(format!("{p}.Caller"), "is only allowed with \"InvocationType\": \"RequestResponse\" (async callers get 202 at once)");
            Caller::default()
        }
        Some(c) => {
            let mut out = Caller::default();
            if let Some(t) = c.timeout_seconds {
                if t.is_finite() && t > 0.0 && t <= 900.0 {
                    out.timeout = Some(SimTime::from_secs_f64(t));
                } else {
                    v.err(format!("{p}.Caller.TimeoutSeconds"), format!("{t} is out of range; allowed above 0 up to 900"));
                }
            }
            if let Some(r) = &c.retry {
                out.max_attempts = v.int(r.max_attempts, &format!("{p}.Caller.Retry.MaxAttempts"), 1, 20, 3) as u32;
                let ms = |v: &mut V, x: Option<f64>, name: &str, d: f64| match x {
                    None => SimTime::from_millis_f64(d),
                    Some(x) if x.is_finite() && x >= 0.0 => SimTime::from_millis_f64(x),
                    Some(x) => {
                        v.err(format!("{p}.Caller.Retry.{name}"), format!("{x} is not allowed; must be >= 0 milliseconds"));
                        SimTime::from_millis_f64(d)
                    }
                };
                out.base_delay = ms(v, r.base_delay_ms, "BaseDelayMs", 100.0);
                out.max_delay = ms(v, r.max_delay_ms, "MaxDelayMs", 20_000.0);
                out.jitter = r.jitter.unwrap_or(JitterSpec::Full);
                let on = r.retry_on.clone().unwrap_or(vec![
                    CallOutcomeSpec::Throttled,
                    CallOutcomeSpec::ServiceError,
                    CallOutcomeSpec::TimedOut,
                ]);
                for o in on {
                    out.retry_on[o as usize] = true;
                }
            }
            out
        }
    }
}

/// Work that a scenario asks for and that is known before the run: the arrivals of one workload entry, or the ticks
/// of one scheduled rule, up to the horizon. The run budget (`src/sim/budget.rs`) checks them before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkEstimate {
    /// The JSON path of the field that sets the amount (`Workload[3].Every.IntervalSeconds`).
    pub path: String,
    /// What is counted, in words.
    pub what: String,
    /// How many kernel events it takes at least (one per arrival or tick).
    pub count: u64,
    /// How many invocations arrive at one instant (a burst without spread), else 1.
    pub at_once: u64,
}

/// Every workload entry's arrivals and every scheduled rule's ticks up to the horizon (`Simulation.DurationSeconds`),
/// without generating them.
pub(super) fn estimate_work(sc: &Scenario, horizon: Option<SimTime>, fanout: &super::fanout::Fanout) -> Vec<WorkEstimate> {
    let hz = horizon.unwrap_or(SimTime::MAX).as_micros();
    let us = |s: f64| SimTime::from_secs_f64(s.max(0.0)).as_micros();
    let mut out = vec![];
    for (i, w) in sc.workload.iter().enumerate() {
        let p = format!("Workload[{i}]");
        let (path, what, count, at_once) = if let Some(at) = &w.at {
            (format!("{p}.At"), "arrivals".to_string(), at.iter().filter(|t| us(**t) <= hz).count() as u64, 1)
        } else if let Some(e) = &w.every {
            let span = us(e.end_seconds).min(hz).saturating_sub(us(e.start_seconds.unwrap_or(0.0)));
            let n = span.div_ceil(us(e.interval_seconds).max(1));
            (format!("{p}.Every.IntervalSeconds"), format!("arrivals every {} s", e.interval_seconds), n, 1)
        } else if let Some(ps) = &w.poisson {
            let span = us(ps.end_seconds).min(hz).saturating_sub(us(ps.start_seconds.unwrap_or(0.0)));
            let n = (ps.rate_per_second.max(0.0) * span as f64 / 1e6).min(u64::MAX as f64) as u64;
            (format!("{p}.Poisson.RatePerSecond"), format!("expected arrivals at {}/s", ps.rate_per_second), n, 1)
        } else if let Some(b) = &w.burst {
            let n = if us(b.at_seconds) <= hz { b.count.max(0) as u64 } else { 0 };
            let once = if b.spread_seconds.unwrap_or(0.0) > 0.0 { 1 } else { n };
            (format!("{p}.Burst.Count"), "arrivals of a burst".to_string(), n, once)
        } else {
            continue;
        };
        out.push(WorkEstimate { path, what, count, at_once });
    }
    for (b, bus) in sc.event_buses.iter().enumerate() {
        let Some(hub) = fanout.hubs.iter().find(|h| h.bus && h.name == bus.name) else { continue };
        for (r, rule) in hub.rules.iter().enumerate() {
            let (count, what) = match &rule.schedule {
                None => continue,
                Some(super::fanout::Schedule::Rate(iv)) => (hz / iv.as_micros().max(1), "ticks of the schedule"),
                // A cron schedule ticks at most once a minute.
                Some(super::fanout::Schedule::Cron(_)) => (hz / 60_000_000, "ticks of the schedule (at most one a minute)"),
            };
            out.push(WorkEstimate { path: format!("EventBuses[{b}].Rules[{r}].ScheduleExpression"), what: what.into(), count, at_once: 1 });
        }
    }
    out
}
