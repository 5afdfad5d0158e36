//! One run, end to end: a model and a seed in; the trace and sink files written as the run goes; a [`RunReport`] out
//! (fates, figures, expectation verdicts, invariant breaches, digest). The CLI and library users both come through
//! here.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::expect::{ExpectObserver, Verdict};
use crate::metrics::{outcomes_by_name, percentiles_json, records_by_name, throttles_by_name, Metrics};
use crate::model::{Model, TargetKind};
use crate::monitor::{Breach, Monitor};
use crate::sim::wire_message;
use crate::sim::{RunStats, Sim};
use crate::time::SimTime;
use crate::trace::{self, Ctx, Digest, Fate, Observer, RecordKind, TraceEvent};

/// Writes the trace as JSON lines as the run goes.
pub struct TraceWriter {
    out: Box<dyn Write>,
    error: Option<io::Error>,
}

impl TraceWriter {
    pub fn new(out: Box<dyn Write>) -> Self {
        TraceWriter { out, error: None }
    }
    pub fn to_file(path: &Path) -> io::Result<Self> {
        Ok(Self::new(Box::new(BufWriter::new(File::create(path)?))))
    }
    fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

impl Observer for TraceWriter {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if self.error.is_some() {
            return;
        }
        let line = trace::to_json(t, ev, ctx);
        let r = serde_json::to_writer(&mut self.out, &line).map_err(io::Error::from).and_then(|_| self.out.write_all(b"\n"));
        if let Err(e) = r {
            self.error = Some(e);
        }
    }
}

/// Writes `DIR/<target>.jsonl`: one line per message, exactly as the target receives it; for each Firehose delivery
/// stream `DIR/firehose-<stream>.jsonl` (each delivered record's transformed data, JSON when it parses) and
/// `DIR/firehose-<stream>.processing-failed.jsonl` (the error output records of the `processing-failed/` prefix).
pub struct SinkWriter {
    files: Vec<Option<BufWriter<File>>>,
    /// Per delivery stream: delivered records, processing-failed records.
    firehose: Vec<[BufWriter<File>; 2]>,
    error: Option<io::Error>,
}

impl SinkWriter {
    /// Creates the directory and one (possibly empty) file per target that can receive messages.
    pub fn create(dir: &Path, model: &Model) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut used = vec![false; model.targets.len()];
        for f in model.functions.iter().flat_map(|f| &f.configs) {
            for t in [f.on_success, f.on_failure, f.dlq].into_iter().flatten() {
                used[t.ix()] = true;
            }
        }
        let mut files = vec![];
        for (i, t) in model.targets.iter().enumerate() {
            let wanted = used[i] || !matches!(t.kind, TargetKind::Lambda(_));
            files.push(if wanted { Some(BufWriter::new(File::create(dir.join(format!("{}.jsonl", t.file_stem)))?)) } else { None });
        }
        let mut firehose = vec![];
        for ds in &model.firehose.streams {
            firehose.push([
                BufWriter::new(File::create(dir.join(format!("firehose-{}.jsonl", ds.name)))?),
                BufWriter::new(File::create(dir.join(format!("firehose-{}.processing-failed.jsonl", ds.name)))?),
            ]);
        }
        Ok(SinkWriter { files, firehose, error: None })
    }
    fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for f in self.files.iter_mut().flatten().chain(self.firehose.iter_mut().flatten()) {
            f.flush()?;
        }
        Ok(())
    }
}

impl Observer for SinkWriter {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let (TraceEvent::FirehoseRecordFate { stream, fate, .. }, Some(content)) = (ev, ctx.content) {
            let i = match fate {
                crate::trace::FirehoseFate::Delivered => 0,
                crate::trace::FirehoseFate::ProcessingFailed => 1,
                _ => return,
            };
            if let Some(f) = self.firehose.get_mut(*stream as usize).map(|x| &mut x[i]) {
                let r = serde_json::to_writer(&mut *f, content).map_err(io::Error::from).and_then(|_| f.write_all(b"\n"));
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
            return;
        }
        if let (TraceEvent::Delivered { event, function, target, kind, failure: None }, Some(content)) = (ev, ctx.content) {
            let fd = ctx.model.function(*function);
            let msg = wire_message(ctx.model, *target, *kind, content, &fd.arn, t, event.wrapping_mul(4) + *kind as u64);
            if let Some(Some(f)) = self.files.get_mut(target.ix()) {
                let r = serde_json::to_writer(&mut *f, &msg).map_err(io::Error::from).and_then(|_| f.write_all(b"\n"));
                if let (Err(e), None) = (r, &self.error) {
                    self.error = Some(e);
                }
            }
        }
    }
    fn wants_content(&self) -> bool {
        true
    }
}

/// Keeps every delivered message in memory, as the target receives it: for tests and library users on small runs.
#[derive(Debug, Default, Clone)]
pub struct MemorySinks {
    /// (target name, record kind, message) in delivery order.
    pub messages: Vec<(String, RecordKind, Value)>,
    /// (target name, content) where content is the record (destinations) or `{"body","attributes"}` (DLQ).
    pub contents: Vec<(String, Value)>,
}

impl Observer for MemorySinks {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let (TraceEvent::Delivered { event, function, target, kind, failure: None }, Some(content)) = (ev, ctx.content) {
            let fd = ctx.model.function(*function);
            let name = ctx.model.target(*target).name.clone();
            self.messages.push((
                name.clone(),
                *kind,
                wire_message(ctx.model, *target, *kind, content, &fd.arn, t, event.wrapping_mul(4) + *kind as u64),
            ));
            self.contents.push((name, content.clone()));
        }
    }
    fn wants_content(&self) -> bool {
        true
    }
}

/// Every built-in observer plus the caller's own.
pub struct Observers<'a> {
    pub digest: Digest,
    pub metrics: Metrics,
    pub monitor: Monitor,
    pub expect: ExpectObserver,
    pub trace: Option<TraceWriter>,
    pub sinks: Option<SinkWriter>,
    pub extra: Vec<&'a mut dyn Observer>,
}

impl Observer for Observers<'_> {
    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        self.digest.add(t, ev);
        self.metrics.on_event(t, ev, ctx);
        self.monitor.on_event(t, ev, ctx, &mut self.metrics.open);
        self.expect.on_event(t, ev, ctx);
        if let Some(w) = &mut self.trace {
            w.on_event(t, ev, ctx);
        }
        if let Some(s) = &mut self.sinks {
            s.on_event(t, ev, ctx);
        }
        for o in self.extra.iter_mut() {
            o.on_event(t, ev, ctx);
        }
    }
    fn wants_content(&self) -> bool {
        self.sinks.is_some() || self.expect.wants_content() || self.extra.iter().any(|o| o.wants_content())
    }
}

/// What a run writes besides its report.
#[derive(Default)]
pub struct RunOptions<'a> {
    pub trace: Option<TraceWriter>,
    pub sinks_dir: Option<PathBuf>,
    /// Observers of the caller's own (they see every trace event).
    pub observers: Vec<&'a mut dyn Observer>,
    /// Test-only: lengthen the n-th handler-duration draw by 1 us (`check --check-determinism` must catch it).
    pub perturb_for_testing: Option<u64>,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub scenario: String,
    pub scenario_digest: u64,
    pub seed: u64,
    pub digest: String,
    pub trace_events: u64,
    pub stats: RunStats,
    pub metrics: Metrics,
    pub verdicts: Vec<Verdict>,
    pub breaches: Vec<Breach>,
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

/// Run `model` under `seed`.
pub fn run(model: &Model, seed: u64, opts: RunOptions<'_>) -> io::Result<RunReport> {
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
    let (obs, stats) = Sim::new(model, seed, obs).perturb_for_testing(opts.perturb_for_testing).run();
    if let Some(t) = obs.trace {
        t.finish()?;
    }
    if let Some(s) = obs.sinks {
        s.finish()?;
    }
    let mut metrics = obs.metrics;
    metrics.finish(model, stats.end_time);
    metrics.esm.finish(stats.end_time);
    let breaches = obs.monitor.finish(stats.end_time, &metrics.open);
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
        verdicts,
        breaches,
    })
}

fn fates_json(m: &crate::metrics::FnMetrics) -> Value {
    let mut o = Map::new();
    for f in Fate::ALL {
        o.insert(f.name().into(), json!(m.fate(f)));
    }
    Value::Object(o)
}

impl RunReport {
    /// The machine-readable summary (`--format json`).
    pub fn to_json(&self, model: &Model) -> Value {
        let mut fates = Map::new();
        let mut functions = Map::new();
        let mut total_cost = 0.0;
        for (i, f) in model.functions.iter().enumerate() {
            let m = &self.metrics.functions[i];
            fates.insert(f.name.clone(), fates_json(m));
            let cost = self.metrics.cost(model, i);
            total_cost += cost;
            functions.insert(
                f.name.clone(),
                json!({
                    "accepted": m.accepted,
                    "rejected": m.rejected,
                    "fates": fates_json(m),
                    "executions": m.attempts,
                    "executionsPerEvent": m.attempts_per_event.iter().enumerate().filter(|(_, n)| **n > 0).map(|(a, n)| (a.to_string(), json!(n))).collect::<Map<String, Value>>(),
                    "outcomes": outcomes_by_name(m).into_iter().map(|(k, n)| (k.to_string(), json!(n))).collect::<Map<String, Value>>(),
                    "coldStarts": m.cold_starts,
                    "environments": m.environments,
                    "peakConcurrency": m.peak_concurrency,
                    "throttles": m.throttles,
                    "throttlesByReason": throttles_by_name(m, &model.settings.scaling_throttle_reason).into_iter().map(|(k, n)| (k.to_string(), json!(n))).collect::<Map<String, Value>>(),
                    "retriesScheduled": m.retries_scheduled,
                    "latencySeconds": percentiles_json(&m.latency),
                    "executionSeconds": percentiles_json(&m.attempt_duration),
                    "initSeconds": percentiles_json(&m.init_duration),
                    "billedMs": m.billed_ms,
                    "initBilledMs": m.init_billed_ms,
                    "gbSeconds": self.metrics.gb_seconds(model, i),
                    "costUsd": cost,
                    "billedDurationMs": m.billed_duration_ms,
                    "queueWaitSeconds": percentiles_json(&m.queue_wait),
                    "syncLatencySeconds": percentiles_json(&m.sync_latency),
                    "callers": {
                        "outcomes": crate::scenario::CallOutcomeSpec::ALL.iter().map(|o| (o.name().to_string(), json!(m.call_outcomes[*o as usize]))).collect::<Map<String, Value>>(),
                        "latencySeconds": percentiles_json(&m.call_latency),
                    },
                    "reservedConcurrency": f.reserved,
                    "provisionedConcurrency": f.setup.pc_total(),
                    "provisionedConcurrencyInvocations": m.provisioned_invocations,
                    "provisionedConcurrencySpilloverInvocations": m.spillovers,
                    "destinationDeliveryFailures": m.destination_delivery_failures,
                    "deadLetterErrors": m.dead_letter_errors,
                    "architecture": match f.architecture { crate::model::Architecture::X86_64 => "x86_64", crate::model::Architecture::Arm64 => "arm64" },
                    "memoryMb": f.base().memory_mb,
                    "cost": crate::metrics::cost_json(&self.metrics.cost_breakdown(model, i), self.stats.end_time.as_secs_f64()),
                }),
            );
            if f.versioned() {
                // Executions per version (`$LATEST` after deploys counts as `$LATEST`).
                let mut by: Map<String, Value> = Map::new();
                for (c, n) in m.attempts_by_config.iter().enumerate() {
                    let e = by.entry(f.config(c as u32).label()).or_insert(json!(0));
                    *e = json!(e.as_u64().unwrap_or(0) + n);
                }
                functions[&f.name]["executionsByVersion"] = Value::Object(by);
            }
        }
        let mut sinks = Map::new();
        for (i, t) in model.targets.iter().enumerate() {
            let m = &self.metrics.targets[i];
            if m.delivered() == 0 && m.failures == 0 {
                continue;
            }
            let by_kind: Map<String, Value> = records_by_name(m).into_iter().map(|(k, n)| (k.to_string(), json!(n))).collect();
            sinks.insert(
                t.file_stem.clone(),
                json!({"arn": t.arn, "kind": t.kind.label(), "records": m.delivered(), "byKind": by_kind, "deliveryFailures": m.failures}),
            );
        }
        let mut out = json!({
            "lambdasim": env!("CARGO_PKG_VERSION"),
            "scenario": self.scenario,
            "scenarioDigest": format!("{:016x}", self.scenario_digest),
            "seed": self.seed,
            "digest": self.digest,
            "events": {
                "accepted": self.stats.accepted,
                "rejected": self.stats.rejected,
                "traceEvents": self.trace_events,
                "kernelEvents": self.stats.kernel_events,
                "peakInFlight": self.stats.peak_in_flight,
            },
            "virtualTime": self.stats.end_time.to_string(),
            "virtualTimeSeconds": self.stats.end_time.as_secs_f64(),
            "fates": fates,
            "functions": functions,
            "sinks": sinks,
            "eventSources": self.metrics.esm.to_json(model),
            "latencySeconds": percentiles_json(&self.metrics.all_latency),
            "peakAccountConcurrency": self.metrics.account_peak,
            "provisionedConcurrencySpilloverInvocations": self.metrics.functions.iter().map(|m| m.spillovers).sum::<u64>(),
            "destinationDeliveryFailures": self.metrics.functions.iter().map(|m| m.destination_delivery_failures).sum::<u64>(),
            "deadLetterErrors": self.metrics.functions.iter().map(|m| m.dead_letter_errors).sum::<u64>(),
            "accountConcurrencyLimit": model.account_limit,
            "unreservedConcurrency": model.unreserved_pool,
            "sources": crate::metrics::sources_json(model, &self.metrics),
            "costUsd": total_cost,
            "cost": crate::metrics::total_cost_json(model, &self.metrics, self.stats.end_time.as_secs_f64()),
            "expectations": self.verdicts.iter().map(|v| v.to_json()).collect::<Vec<_>>(),
            "invariantBreaches": self.breaches.iter().map(|b| json!({"at": b.at.to_string(), "event": b.event, "message": b.message})).collect::<Vec<_>>(),
        });
        let fan = self.metrics.fanout.to_json(model);
        if !fan.is_null() {
            out["topicsAndBuses"] = fan;
        }
        if !model.firehose.streams.is_empty() {
            out["deliveryStreams"] = self.metrics.firehose.to_json(model);
        }
        out
    }

    /// The summary for people (`--format text`).
    pub fn to_text(&self, model: &Model) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let secs = |us: u64| SimTime::from_micros(us).to_string();
        let _ = writeln!(
            s,
            "lambdasim {} | scenario {} ({:016x}) | seed {}",
            env!("CARGO_PKG_VERSION"),
            self.scenario,
            self.scenario_digest,
            self.seed
        );
        let _ = writeln!(
            s,
            "simulated {} of virtual time: {} events accepted, {} rejected, {} trace events, {} kernel events",
            self.stats.end_time, self.stats.accepted, self.stats.rejected, self.trace_events, self.stats.kernel_events
        );
        for (i, f) in model.functions.iter().enumerate() {
            let m = &self.metrics.functions[i];
            if m.accepted == 0 && m.rejected == 0 {
                continue;
            }
            let _ = writeln!(
                s,
                "\nfunction {} ({} MB, timeout {}, retries {}, max age {})",
                f.name,
                f.base().memory_mb,
                f.base().timeout,
                f.base().max_retries,
                f.base().max_age
            );
            let fates: Vec<String> = Fate::ALL.iter().filter(|x| m.fate(**x) > 0).map(|x| format!("{} {}", x.name(), m.fate(*x))).collect();
            let _ = writeln!(
                s,
                "  accepted {}  rejected {}  fates: {}",
                m.accepted,
                m.rejected,
                if fates.is_empty() { "-".into() } else { fates.join(", ") }
            );
            let hist: Vec<String> =
                m.attempts_per_event.iter().enumerate().filter(|(_, n)| **n > 0).map(|(a, n)| format!("{a}x: {n}")).collect();
            let _ = writeln!(
                s,
                "  executions {} (per event {})  cold starts {}  environments {}  peak concurrency {}",
                m.attempts,
                hist.join(", "),
                m.cold_starts,
                m.environments,
                m.peak_concurrency
            );
            let reasons: Vec<String> =
                throttles_by_name(m, &model.settings.scaling_throttle_reason).into_iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(
                s,
                "  throttles {}{}  retries scheduled {}",
                m.throttles,
                if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join(", ")) },
                m.retries_scheduled
            );
            if !m.latency.is_empty() {
                let l = &m.latency;
                let _ = writeln!(
                    s,
                    "  latency accept->fate p50 {}  p90 {}  p99 {}  max {}",
                    secs(l.value_at_quantile(0.5)),
                    secs(l.value_at_quantile(0.9)),
                    secs(l.value_at_quantile(0.99)),
                    secs(l.max())
                );
            }
            let calls: u64 = m.call_outcomes.iter().sum();
            if calls > 0 {
                let parts: Vec<String> = crate::scenario::CallOutcomeSpec::ALL
                    .iter()
                    .filter(|o| m.call_outcomes[**o as usize] > 0)
                    .map(|o| format!("{} ({}) {}", o.name(), o.status(), m.call_outcomes[*o as usize]))
                    .collect();
                let _ = writeln!(s, "  callers: {calls} requests: {}", parts.join(", "));
            }
            for (label, h) in
                [("sync callers", &m.sync_latency), ("caller-seen (with retries)", &m.call_latency), ("async queue wait", &m.queue_wait)]
            {
                if !h.is_empty() {
                    let _ = writeln!(
                        s,
                        "  {label} p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
                        secs(h.value_at_quantile(0.5)),
                        secs(h.value_at_quantile(0.9)),
                        secs(h.value_at_quantile(0.99)),
                        secs(h.value_at_quantile(0.999)),
                        secs(h.max())
                    );
                }
            }
            if f.versioned() {
                let mut by: Vec<(String, u64)> = vec![];
                for (c, n) in m.attempts_by_config.iter().enumerate() {
                    let label = f.config(c as u32).label();
                    match by.iter_mut().find(|(l, _)| *l == label) {
                        Some(e) => e.1 += n,
                        None => by.push((label, *n)),
                    }
                }
                let parts: Vec<String> = by.iter().filter(|(_, n)| *n > 0).map(|(l, n)| format!("{l}: {n}")).collect();
                let _ = writeln!(s, "  executions by version: {}", parts.join(", "));
            }
            if f.uses_pc {
                let _ = writeln!(
                    s,
                    "  provisioned concurrency {} at start: {} executions on provisioned environments, {} spillovers to on-demand (ProvisionedConcurrencySpilloverInvocations)",
                    f.setup.pc_total(),
                    m.provisioned_invocations,
                    m.spillovers
                );
            }
            if m.destination_delivery_failures + m.dead_letter_errors > 0 {
                let _ = writeln!(
                    s,
                    "  records lost: DestinationDeliveryFailures {}, DeadLetterErrors {}",
                    m.destination_delivery_failures, m.dead_letter_errors
                );
            }
            let c = self.metrics.cost_breakdown(model, i);
            let _ = writeln!(
                s,
                "  billed {:.3} GB-s, cost ${:.6} (${:.2} per 30-day month at this rate)",
                self.metrics.gb_seconds(model, i),
                c.total_usd,
                crate::metrics::per_month(c.total_usd, self.stats.end_time.as_secs_f64())
            );
            if f.uses_pc {
                let _ = writeln!(
                    s,
                    "  provisioned concurrency ${:.6} ({:.3} GB-s configured) + provisioned duration ${:.6} ({:.3} GB-s)",
                    c.provisioned_concurrency_usd, c.provisioned_gb_seconds, c.provisioned_duration_usd, c.provisioned_duration_gb_seconds
                );
            }
        }
        let total: f64 = (0..model.functions.len()).map(|i| self.metrics.cost(model, i)).sum();
        let _ = writeln!(
            s,
            "\ncost ${total:.6} in {} of virtual time; ${:.2} per 30-day month at this rate",
            self.stats.end_time,
            crate::metrics::per_month(total, self.stats.end_time.as_secs_f64())
        );
        let mut sink_lines = vec![];
        for (i, t) in model.targets.iter().enumerate() {
            let m = &self.metrics.targets[i];
            if m.delivered() == 0 && m.failures == 0 {
                continue;
            }
            let kinds: Vec<String> = records_by_name(m).into_iter().map(|(k, n)| format!("{k} {n}")).collect();
            sink_lines.push(format!(
                "  {} ({}): {} records ({}){}",
                t.name,
                t.kind.label(),
                m.delivered(),
                kinds.join(", "),
                if m.failures > 0 { format!(", {} delivery failures", m.failures) } else { String::new() }
            ));
        }
        if !sink_lines.is_empty() {
            let _ = writeln!(s, "\nsinks");
            for l in sink_lines {
                let _ = writeln!(s, "{l}");
            }
        }
        let fan = self.metrics.fanout.to_text(model);
        if !fan.is_empty() {
            let _ = write!(s, "\ntopics and buses\n{fan}");
        }
        let fh = self.metrics.firehose.to_text(model);
        if !fh.is_empty() {
            let _ = write!(s, "\nFirehose delivery streams\n{fh}");
        }
        let esm = self.metrics.esm.to_text(model);
        if !esm.is_empty() {
            let _ = write!(s, "\nqueues, streams and event source mappings\n{esm}");
        }
        if !self.verdicts.is_empty() {
            let passed = self.verdicts.iter().filter(|v| v.passed && v.fatal).count();
            let failed = self.verdicts.iter().filter(|v| !v.passed && v.fatal).count();
            let sweep = self.verdicts.len() - passed - failed;
            let _ = writeln!(
                s,
                "\nexpectations: {passed} passed, {failed} failed{}",
                if sweep > 0 { format!(", {sweep} judged over seeds by `lambdasim check`") } else { String::new() }
            );
            for v in &self.verdicts {
                let tag = match (v.fatal, v.passed) {
                    (true, true) => "pass",
                    (true, false) => "FAIL",
                    (false, true) => "held",
                    (false, false) => "not held",
                };
                let _ = writeln!(s, "  [{tag}] {}: {}", v.name, v.message);
            }
        }
        if !self.breaches.is_empty() {
            let _ = writeln!(s, "\nINVARIANT BREACHES (a bug in lambdasim, please report with the replay command):");
            for b in &self.breaches {
                let _ = writeln!(s, "  at {} event {:?}: {}", b.at, b.event, b.message);
            }
        }
        let _ = writeln!(s, "\ndigest {}", self.digest);
        s
    }
}
