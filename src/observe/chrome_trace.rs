//! `--chrome-trace FILE.json`: the run in the Chrome / Perfetto trace-event format (JSON object form), to scroll
//! through a run in `chrome://tracing` or <https://ui.perfetto.dev>.
//!
//! One process per function (`pid` = function index + 1), one thread per execution environment (`tid` = environment
//! index + 1) and one thread `tid` 0 for what happens outside environments. Each execution is a complete (`"X"`) slice from
//! its start to its end with `requestId`, `event`, `attempt`, `outcome`, `cold`; a cold start has a nested `Init`
//! slice for its init phase. Throttles, destination / DLQ deliveries, 413 rejections and final fates other than
//! success are instants (`"i"`) on thread 0; a `concurrency` counter (`"C"`) follows the running executions. `ts` and
//! `dur` are microseconds of virtual time.
//!
//! The file is written as the run goes (through a `BufWriter`); only executions in flight are buffered, one per
//! environment, until their end.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::aws::ids::request_id;
use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::trace::{Ctx, Observer, TraceEvent};
use crate::vocab::{Fate, ShutdownReason};

#[derive(Debug, Clone, Copy)]
struct Running {
    start: SimTime,
    event: u64,
    rid: u64,
    attempt: u32,
    cold: bool,
    init: SimTime,
}

/// Writes the Chrome trace as the run goes. Pass it in `RunOptions::observers`, then call [`ChromeTrace::finish`].
pub struct ChromeTrace<W: Write> {
    out: W,
    first: bool,
    error: Option<io::Error>,
    /// Per function: whether its process was named, its environments named, and what runs on each environment.
    named: Vec<bool>,
    env_named: Vec<Vec<bool>>,
    running: Vec<Vec<Option<Running>>>,
    busy: Vec<u32>,
}

impl ChromeTrace<BufWriter<File>> {
    /// Creates `path` and writes the header.
    pub fn to_file(path: &Path, model: &Model, seed: u64) -> io::Result<Self> {
        ChromeTrace::new(BufWriter::new(File::create(path)?), model, seed)
    }
}

impl<W: Write> ChromeTrace<W> {
    /// A Chrome trace of a run of `model` under `seed`, written to `out`.
    pub fn new(mut out: W, model: &Model, seed: u64) -> io::Result<Self> {
        let other = json!({
            "lambdasim": env!("CARGO_PKG_VERSION"),
            "scenario": model.name,
            "scenarioDigest": format!("{:016x}", model.digest),
            "seed": seed,
        });
        write!(out, "{{\"displayTimeUnit\":\"ms\",\"otherData\":{other},\"traceEvents\":[")?;
        let n = model.functions.len();
        let mut t = ChromeTrace {
            out,
            first: true,
            error: None,
            named: vec![false; n],
            env_named: vec![vec![]; n],
            running: vec![vec![]; n],
            busy: vec![0; n],
        };
        // Processes in function order, named up front.
        for f in 0..n {
            t.name_process(f, model);
        }
        match t.error.take() {
            Some(e) => Err(e),
            None => Ok(t),
        }
    }

    fn write(&mut self, v: &Value) {
        if self.error.is_some() {
            return;
        }
        let sep: &[u8] = if self.first { b"\n" } else { b",\n" };
        self.first = false;
        let r = self.out.write_all(sep).and_then(|_| serde_json::to_writer(&mut self.out, v).map_err(io::Error::from));
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    fn name_process(&mut self, f: usize, model: &Model) {
        if self.named[f] {
            return;
        }
        self.named[f] = true;
        let pid = f + 1;
        let fd = &model.functions[f];
        self.write(&json!({"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": format!("λ {}", fd.name)}}));
        self.write(&json!({"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": pid}}));
        self.write(&json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": 0, "args": {"name": "invocations"}}));
        self.write(&json!({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": 0}}));
    }

    fn name_env(&mut self, f: usize, env: usize) {
        let named = &mut self.env_named[f];
        if named.len() <= env {
            named.resize(env + 1, false);
        }
        if named[env] {
            return;
        }
        named[env] = true;
        let (pid, tid) = (f + 1, env + 1);
        self.write(&json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": format!("env {env}")}}));
        self.write(&json!({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": tid}}));
    }

    fn counter(&mut self, f: usize, t: SimTime) {
        let busy = self.busy[f];
        self.write(&json!({"ph": "C", "name": "concurrency", "pid": f + 1, "tid": 0, "ts": t.as_micros(), "args": {"running": busy}}));
    }

    fn instant(&mut self, f: usize, t: SimTime, name: String, cat: &str, args: Value) {
        self.write(&json!({"ph": "i", "s": "t", "name": name, "cat": cat, "pid": f + 1, "tid": 0, "ts": t.as_micros(), "args": args}));
    }

    /// The slices of one execution: the whole attempt, and its init phase when it started cold.
    fn slices(&mut self, f: usize, env: usize, r: Running, end: SimTime, outcome: &str, seed: u64) {
        let (pid, tid) = (f + 1, env + 1);
        let mut ev = json!({
            "ph": "X",
            "name": if r.cold { format!("attempt {} (cold)", r.attempt) } else { format!("attempt {}", r.attempt) },
            "cat": "attempt",
            "pid": pid,
            "tid": tid,
            "ts": r.start.as_micros(),
            "dur": (end - r.start).as_micros(),
            "args": {
                "requestId": request_id(seed, r.rid),
                "event": r.event,
                "attempt": r.attempt,
                "outcome": outcome,
                "cold": r.cold,
                "initMs": r.init.as_millis_f64(),
            },
        });
        if outcome != "Success" {
            ev["cname"] = json!("terrible");
        }
        self.write(&ev);
        if r.cold && r.init > SimTime::ZERO {
            self.write(&json!({
                "ph": "X", "name": "Init", "cat": "init", "pid": pid, "tid": tid,
                "ts": r.start.as_micros(), "dur": r.init.as_micros(), "cname": "yellow",
                "args": {"requestId": request_id(seed, r.rid), "coldStart": true},
            }));
        }
    }

    /// Closes executions still running at `end` (a run cut at its horizon) and the JSON document, and flushes.
    pub fn finish(mut self, end: SimTime, seed: u64) -> io::Result<W> {
        for f in 0..self.running.len() {
            for env in 0..self.running[f].len() {
                if let Some(r) = self.running[f][env].take() {
                    self.slices(f, env, r, end.max(r.start), "InFlight", seed);
                }
            }
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Observer for ChromeTrace<W> {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        let model = ctx.model;
        match ev {
            TraceEvent::AttemptStart { event, rid, function, attempt, env, cold, init, .. } => {
                let (f, e) = (function.ix(), *env as usize);
                self.name_process(f, model);
                self.name_env(f, e);
                let slots = &mut self.running[f];
                if slots.len() <= e {
                    slots.resize(e + 1, None);
                }
                slots[e] = Some(Running { start: t, event: *event, rid: *rid, attempt: *attempt, cold: *cold, init: *init });
                self.busy[f] += 1;
                self.counter(f, t);
            }
            TraceEvent::AttemptEnd { function, env, outcome, .. } => {
                let (f, e) = (function.ix(), *env as usize);
                if let Some(r) = self.running[f].get_mut(e).and_then(Option::take) {
                    self.slices(f, e, r, t, outcome.name(), ctx.seed);
                }
                self.busy[f] = self.busy[f].saturating_sub(1);
                self.counter(f, t);
            }
            TraceEvent::Throttled { event, function, reason, throttles, retry_in } => {
                let f = function.ix();
                self.name_process(f, model);
                let args = json!({
                    "event": event, "reason": reason.aws_name(), "status": reason.status(), "throttles": throttles,
                    "retryInMs": retry_in.map(|d| d.as_millis_f64()),
                });
                self.instant(f, t, format!("throttled ({})", reason.aws_name()), "throttle", args);
            }
            TraceEvent::Delivered { event, function, target, kind, failure } => {
                let f = function.ix();
                self.name_process(f, model);
                let tg = model.target(*target);
                let args = json!({
                    "event": event, "target": tg.arn, "kind": kind.name(), "failure": failure.map(|x| x.name()),
                });
                let name = match failure {
                    None => format!("{} → {}", kind.name(), tg.name),
                    Some(x) => format!("{} → {} failed ({})", kind.name(), tg.name, x.name()),
                };
                self.instant(f, t, name, "delivery", args);
            }
            TraceEvent::Rejected { function, size, status, .. } => {
                let f = function.ix();
                self.name_process(f, model);
                self.instant(f, t, format!("rejected {status}"), "reject", json!({"payloadBytes": size, "statusCode": status}));
            }
            TraceEvent::Fate { event, rid, function, fate, attempts, latency, .. } => {
                if !matches!(fate, Fate::Succeeded | Fate::Throttled) {
                    let f = function.ix();
                    self.name_process(f, model);
                    let args = json!({
                        "event": event, "requestId": request_id(ctx.seed, *rid), "attempts": attempts,
                        "latencyMs": latency.as_millis_f64(),
                    });
                    self.instant(f, t, format!("fate {}", fate.name()), "fate", args);
                }
            }
            TraceEvent::EnvironmentShutdown { function, env, reason } => {
                let (f, e) = (function.ix(), *env as usize);
                self.name_process(f, model);
                self.name_env(f, e);
                let why = match reason {
                    ShutdownReason::Idle => "Idle",
                    ShutdownReason::MaxLifetime => "MaxLifetime",
                    ShutdownReason::ProvisionedConcurrencyRemoved => "ProvisionedConcurrencyRemoved",
                };
                self.write(&json!({
                    "ph": "i", "s": "t", "name": format!("shutdown ({why})"), "cat": "environment",
                    "pid": f + 1, "tid": e + 1, "ts": t.as_micros(), "args": {"reason": why},
                }));
            }
            TraceEvent::ProvisionedReady { function, env, config, init } => {
                // The provisioned environment's init, on its own track, ending when it is ready.
                let (f, e) = (function.ix(), *env as usize);
                self.name_process(f, model);
                self.name_env(f, e);
                let version = model.function(*function).config(*config).label();
                self.write(&json!({
                    "ph": "X", "name": "Provisioned init", "cat": "provisioned", "cname": "yellow",
                    "pid": f + 1, "tid": e + 1, "ts": (t - *init).as_micros(), "dur": init.as_micros(),
                    "args": {"version": version, "initMs": init.as_millis_f64()},
                }));
            }
            TraceEvent::Accepted { .. }
            | TraceEvent::RetryScheduled { .. }
            | TraceEvent::Queued { .. }
            | TraceEvent::CallResult { .. }
            | TraceEvent::ConfigChange { .. }
            | TraceEvent::Published { .. }
            | TraceEvent::Fanout { .. }
            | TraceEvent::RuleMatched { .. }
            | TraceEvent::PublishDeduplicated { .. } => {}
            // Firehose records and batches: the invocations show as the attempts they start.
            TraceEvent::FirehoseRecordPut { .. }
            | TraceEvent::FirehoseInvoke { .. }
            | TraceEvent::FirehoseInvokeEnd { .. }
            | TraceEvent::FirehoseRecordFate { .. }
            | TraceEvent::HandlerReply { .. } => {}
            // Queue and stream events have no environment track; batches show as the attempts they start.
            TraceEvent::MessageSent { .. }
            | TraceEvent::MessageReceived { .. }
            | TraceEvent::MessageFate { .. }
            | TraceEvent::MessageReturned { .. }
            | TraceEvent::RecordPut { .. }
            | TraceEvent::RecordFate { .. }
            | TraceEvent::BatchStart { .. }
            | TraceEvent::BatchEnd { .. } => {}
        }
    }
}
