//! The summaries of one run: the text for people (`--format text`, [`RunReport::to_text`]) and the machine-readable
//! JSON (`--format json`, [`RunReport::to_json`]). Both only format what the [`RunReport`] holds: the figures of the
//! metrics and the bill computed when the run ended (spec section 8).

use serde_json::{json, Map, Value};

use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::observe::metrics::{outcomes_by_name, percentiles_json, records_by_name, sources_json, throttles_by_name};
use crate::run::RunReport;
use crate::vocab::Fate;

fn fates_json(m: &crate::observe::metrics::FnMetrics) -> Value {
    let mut o = Map::new();
    for f in Fate::ALL {
        o.insert(f.name().into(), json!(m.fate(f)));
    }
    Value::Object(o)
}

/// Writes every `-0.0` as `0.0` (a sum over nothing is `-0.0` in Rust: an unused provisioned-concurrency cost would
/// read `-0` in the JSON and the report).
fn positive_zeros(v: &mut Value) {
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) && n.as_f64().is_some_and(f64::is_sign_negative) => *v = json!(0.0),
        Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}

impl RunReport {
    /// The machine-readable summary (`--format json`).
    pub fn to_json(&self, model: &Model) -> Value {
        let mut fates = Map::new();
        let mut functions = Map::new();
        for (i, f) in model.functions.iter().enumerate() {
            let m = &self.metrics.functions[i];
            fates.insert(f.name.clone(), fates_json(m));
            let cost = &self.bill.functions[i];
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
                    "gbSeconds": cost.gb_seconds,
                    "costUsd": cost.total_usd,
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
                    "cost": self.bill.function_json(i),
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
            "sources": sources_json(model, &self.metrics),
            "costUsd": self.bill.functions_usd,
            "cost": self.bill.total_json(model),
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
        positive_zeros(&mut out);
        out
    }

    /// The summary for people (`--format text`).
    pub fn to_text(&self, model: &Model) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
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
        for (i, m) in self.metrics.functions.iter().enumerate() {
            if m.accepted == 0 && m.rejected == 0 {
                continue;
            }
            self.function_text(&mut s, model, i);
        }
        let total = self.bill.functions_usd;
        let _ = writeln!(
            s,
            "\ncost ${total:.6} in {} of virtual time; ${:.2} per 30-day month at this rate",
            self.stats.end_time,
            self.bill.per_month(total)
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

    /// The text summary's section of function `i`.
    fn function_text(&self, s: &mut String, model: &Model, i: usize) {
        use std::fmt::Write as _;
        let secs = |us: u64| SimTime::from_micros(us).to_string();
        let f = &model.functions[i];
        let m = &self.metrics.functions[i];
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
        let c = &self.bill.functions[i];
        let _ = writeln!(
            s,
            "  billed {:.3} GB-s, cost ${:.6} (${:.2} per 30-day month at this rate)",
            c.gb_seconds,
            c.total_usd,
            self.bill.per_month(c.total_usd)
        );
        if f.uses_pc {
            let _ = writeln!(
                s,
                "  provisioned concurrency ${:.6} ({:.3} GB-s configured) + provisioned duration ${:.6} ({:.3} GB-s)",
                c.provisioned_concurrency_usd, c.provisioned_gb_seconds, c.provisioned_duration_usd, c.provisioned_duration_gb_seconds
            );
        }
    }
}
