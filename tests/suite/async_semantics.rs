//! Integration tests of the async invocation path against the AWS semantics reference
//! (`docs/semantics.md`, sections 2 to 4 and the harness properties of section 10).
//!
//! Every scenario is written inline as JSON, loaded with `lambdasim::load_str` and run through `lambdasim::run` with a
//! recording observer (every `(SimTime, TraceEvent)` plus delivered record contents), a `MemorySinks` and a
//! `TraceWriter` into memory. Assertions are on exact virtual times, counts and record contents.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::rc::Rc;

use serde_json::{json, Value};

use lambdasim::aws::ids::request_id;
use lambdasim::model::FnId;
use lambdasim::trace::Origin;
use lambdasim::vocab::{DeliveryFailure, Outcome, RecordKind, ThrottleReason};
use lambdasim::{load_str, run, Fate, MemorySinks, Model, RunOptions, RunReport, SimTime, TraceEvent, TraceWriter};

// ---------------------------------------------------------------------------------------------------------------------
// harness

const REGION_ACCOUNT: &str = "us-east-1:123456789012";

fn sqs(name: &str) -> String {
    format!("arn:aws:sqs:{REGION_ACCOUNT}:{name}")
}
fn sns(name: &str) -> String {
    format!("arn:aws:sns:{REGION_ACCOUNT}:{name}")
}
fn bus(name: &str) -> String {
    format!("arn:aws:events:{REGION_ACCOUNT}:event-bus/{name}")
}
fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:{REGION_ACCOUNT}:function:{name}")
}
fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}
fn ms(m: u64) -> SimTime {
    SimTime::from_millis(m)
}

use crate::common::Rec;

/// A `Write` into a shared in-memory buffer, for `TraceWriter`.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Start {
    t: SimTime,
    event: u64,
    rid: u64,
    function: FnId,
    attempt: u32,
    env: u32,
    cold: bool,
    init: SimTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct End {
    t: SimTime,
    event: u64,
    rid: u64,
    function: FnId,
    attempt: u32,
    env: u32,
    outcome: Outcome,
    duration: SimTime,
    billed_ms: u64,
    init_billed_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct FateEv {
    t: SimTime,
    event: u64,
    rid: u64,
    function: FnId,
    fate: Fate,
    attempts: u32,
    latency: SimTime,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Thr {
    t: SimTime,
    event: u64,
    reason: ThrottleReason,
    throttles: u32,
    retry_in: Option<SimTime>,
}

struct Sim {
    model: Model,
    seed: u64,
    report: RunReport,
    rec: Rec,
    sinks: MemorySinks,
    trace: String,
}

fn load(sc: &Value) -> Model {
    load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario does not validate:\n{e}\n{sc:#}"))
}

fn simulate(sc: &Value, seed: u64) -> Sim {
    let model = load(sc);
    let mut rec = Rec::default();
    let mut sinks = MemorySinks::default();
    let buf = SharedBuf::default();
    let report = run(
        &model,
        seed,
        RunOptions { trace: Some(TraceWriter::new(Box::new(buf.clone()))), observers: vec![&mut rec, &mut sinks], ..Default::default() },
    )
    .expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    let trace = String::from_utf8(buf.0.borrow().clone()).expect("utf-8 trace");
    Sim { model, seed, report, rec, sinks, trace }
}

impl Sim {
    fn fid(&self, name: &str) -> FnId {
        self.model.function_by_name(name).unwrap_or_else(|| panic!("no function {name}"))
    }
    fn starts(&self) -> Vec<Start> {
        self.rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::AttemptStart { event, rid, function, attempt, env, cold, init, .. } => Some(Start {
                    t: *t,
                    event: *event,
                    rid: *rid,
                    function: *function,
                    attempt: *attempt,
                    env: *env,
                    cold: *cold,
                    init: *init,
                }),
                _ => None,
            })
            .collect()
    }
    fn ends(&self) -> Vec<End> {
        self.rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::AttemptEnd { event, rid, function, attempt, env, outcome, duration, billed_ms, init_billed_ms, .. } => {
                    Some(End {
                        t: *t,
                        event: *event,
                        rid: *rid,
                        function: *function,
                        attempt: *attempt,
                        env: *env,
                        outcome: *outcome,
                        duration: *duration,
                        billed_ms: *billed_ms,
                        init_billed_ms: *init_billed_ms,
                    })
                }
                _ => None,
            })
            .collect()
    }
    fn fates(&self) -> Vec<FateEv> {
        self.rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::Fate { event, rid, function, fate, attempts, latency, .. } => Some(FateEv {
                    t: *t,
                    event: *event,
                    rid: *rid,
                    function: *function,
                    fate: *fate,
                    attempts: *attempts,
                    latency: *latency,
                }),
                _ => None,
            })
            .collect()
    }
    fn throttles(&self) -> Vec<Thr> {
        self.rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::Throttled { event, reason, throttles, retry_in, .. } => {
                    Some(Thr { t: *t, event: *event, reason: *reason, throttles: *throttles, retry_in: *retry_in })
                }
                _ => None,
            })
            .collect()
    }
    fn count(&self, name: &str) -> usize {
        self.rec.events.iter().filter(|(_, e)| e.name() == name).count()
    }
    /// Accepted events: (time, event, rid, function, origin, size).
    fn accepted(&self) -> Vec<(SimTime, u64, u64, FnId, Origin, u32)> {
        self.rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::Accepted { event, rid, function, origin, size, .. } => Some((*t, *event, *rid, *function, *origin, *size)),
                _ => None,
            })
            .collect()
    }
    /// Messages a target received, as it received them: (kind, wire message).
    fn wire(&self, target: &str) -> Vec<(RecordKind, Value)> {
        self.sinks.messages.iter().filter(|(n, _, _)| n == target).map(|(_, k, m)| (*k, m.clone())).collect()
    }
    /// Record contents a target received (invocation record, or `{"body","attributes"}` for a DLQ).
    fn contents(&self, target: &str) -> Vec<Value> {
        self.sinks.contents.iter().filter(|(n, _)| n == target).map(|(_, c)| c.clone()).collect()
    }
    fn rid(&self, rid: u64) -> String {
        request_id(self.seed, rid)
    }
    fn trace_lines(&self) -> Vec<Value> {
        self.trace.lines().map(|l| serde_json::from_str(l).expect("trace line is JSON")).collect()
    }
    /// Trace lines plus sink messages: the text of a snapshot.
    fn snapshot(&self) -> String {
        let mut s = self.trace.clone();
        s.push_str("--- sinks\n");
        for (name, kind, msg) in &self.sinks.messages {
            s.push_str(&format!("{name} {} {}\n", kind.name(), serde_json::to_string(msg).unwrap()));
        }
        s
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("object").keys().map(|k| k.as_str()).collect()
}

/// A function with constant 100 ms handler and 200 ms init.
fn function(name: &str, extra: Value) -> Value {
    let mut f = json!({
        "FunctionName": name,
        "Behavior": {"Duration": {"Constant": {"Ms": 100}}, "InitDuration": {"Constant": {"Ms": 200}}}
    });
    for (k, v) in extra.as_object().expect("object") {
        if k == "Rules" {
            f["Behavior"]["Rules"] = v.clone();
        } else {
            f[k] = v.clone();
        }
    }
    f
}

fn always_fail() -> Value {
    json!([{"Then": {"Outcome": "Fail", "ErrorType": "ValueError", "ErrorMessage": "boom"}}])
}

/// An always-failing function with an on-failure SQS queue and an SQS DLQ.
fn failing_scenario(retries: i64, max_age: i64, at: &[f64]) -> Value {
    json!({
        "Functions": [function("fail", json!({
            "Rules": always_fail(),
            "EventInvokeConfig": {
                "MaximumRetryAttempts": retries,
                "MaximumEventAgeInSeconds": max_age,
                "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}
            },
            "DeadLetterConfig": {"TargetArn": sqs("dlq")}
        }))],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [{"Name": "orders", "Function": "fail", "At": at, "Payload": {"orderId": "{{n}}", "note": "keep me"}}],
        // The nominal timeline (60 s, then 120 s) exactly; the early retries AWS makes are tested on their own.
        "Simulation": {"AsyncRetryEarlyFraction": 0}
    })
}

// ---------------------------------------------------------------------------------------------------------------------
// 1. async retries (spec 2, 10.2)

#[test]
fn always_failing_function_runs_r_plus_1_times_then_one_record_per_failure_target() {
    for r in 0..=2u32 {
        let sim = simulate(&failing_scenario(i64::from(r), 21600, &[0.0, 30.0]), 11);
        let starts = sim.starts();
        let ends = sim.ends();
        assert_eq!(starts.len() as u32, 2 * (r + 1), "r={r}: executions");
        assert_eq!(sim.report.metrics.functions[0].attempts, u64::from(2 * (r + 1)));
        assert_eq!(sim.report.metrics.functions[0].fate(Fate::RetriesExhausted), 2);
        let failed = sim.contents("failed");
        let dlq = sim.contents("dlq");
        assert_eq!(failed.len(), 2, "r={r}: one on-failure record per event");
        assert_eq!(dlq.len(), 2, "r={r}: one DLQ message per event");
        assert!(sim.wire("failed").iter().all(|(k, _)| *k == RecordKind::OnFailure));
        assert!(sim.wire("dlq").iter().all(|(k, _)| *k == RecordKind::DeadLetter));

        for (n, event) in [0u64, 1].into_iter().enumerate() {
            let s: Vec<Start> = starts.iter().copied().filter(|s| s.event == event).collect();
            let e: Vec<End> = ends.iter().copied().filter(|e| e.event == event).collect();
            assert_eq!(s.len() as u32, r + 1, "r={r} event {event}: exactly r+1 executions");
            assert_eq!(e.len() as u32, r + 1);
            let rid = s[0].rid;
            assert!(s.iter().all(|x| x.rid == rid) && e.iter().all(|x| x.rid == rid), "same request id on every attempt");
            assert_eq!(s.iter().map(|x| x.attempt).collect::<Vec<_>>(), (1..=r + 1).collect::<Vec<_>>());
            assert!(e.iter().all(|x| x.outcome == Outcome::Error));
            for k in 1..=r as usize {
                // Default delays, no jitter: exactly 60 s after attempt 1 ends, 120 s after attempt 2 ends.
                assert_eq!(s[k].t - e[k - 1].t, SimTime::from_secs(60 * k as u64), "r={r} event {event}: gap before attempt {}", k + 1);
            }
            let retries: Vec<SimTime> = sim
                .rec
                .events
                .iter()
                .filter_map(|(_, ev)| match ev {
                    TraceEvent::RetryScheduled { event: x, delay, .. } if *x == event => Some(*delay),
                    _ => None,
                })
                .collect();
            assert_eq!(retries, [60, 120][..r as usize].iter().map(|s| SimTime::from_secs(*s)).collect::<Vec<_>>());

            let fates: Vec<FateEv> = sim.fates().into_iter().filter(|f| f.event == event).collect();
            assert_eq!(fates.len(), 1);
            assert_eq!((fates[0].fate, fates[0].attempts, fates[0].rid), (Fate::RetriesExhausted, r + 1, rid));
            assert_eq!(fates[0].t, e[r as usize].t, "the record goes out as the last attempt ends");

            let payload = json!({"orderId": n, "note": "keep me"});
            let req = sim.rid(rid);
            let rec: Vec<&Value> = failed.iter().filter(|c| c["requestContext"]["requestId"] == json!(req)).collect();
            assert_eq!(rec.len(), 1, "exactly one on-failure record for the event");
            let rec = rec[0];
            assert_eq!(
                rec["requestContext"],
                json!({"requestId": req, "functionArn": format!("{}:$LATEST", lambda("fail")), "condition": "RetriesExhausted", "approximateInvokeCount": r + 1})
            );
            assert_eq!(rec["requestPayload"], payload);
            assert_eq!(rec["responseContext"], json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}));
            assert_eq!(
                rec["responsePayload"],
                json!({"errorMessage": "boom", "errorType": "ValueError", "requestId": req,
                       "stackTrace": ["  File \"/var/task/lambda_function.py\", line 7, in lambda_handler\n    raise ValueError(\"boom\")\n"]})
            );

            let d: Vec<&Value> = dlq.iter().filter(|c| c["attributes"]["RequestID"] == json!(req)).collect();
            assert_eq!(d.len(), 1, "exactly one DLQ message for the event");
            assert_eq!(d[0]["body"], payload, "DLQ body is the original payload");
            assert_eq!(d[0]["attributes"], json!({"RequestID": req, "ErrorCode": "200", "ErrorMessage": "boom"}));
        }
        // The DLQ as SQS receives it: the payload as a string body plus typed message attributes.
        let (_, wire) = &sim.wire("dlq")[0];
        assert_eq!(serde_json::from_str::<Value>(wire["body"].as_str().unwrap()).unwrap(), json!({"orderId": 0, "note": "keep me"}));
        assert_eq!(wire["messageAttributes"]["ErrorCode"], json!({"stringValue": "200", "dataType": "Number"}));
        assert_eq!(wire["messageAttributes"]["ErrorMessage"], json!({"stringValue": "boom", "dataType": "String"}));
        assert_eq!(wire["messageAttributes"]["RequestID"]["dataType"], json!("String"));
    }
}

#[test]
fn retry_timeline_is_exact() {
    // One event, default retries: cold attempt 0..0.3 s, then 60.3..60.4 s, then 180.4..180.5 s.
    let sim = simulate(&failing_scenario(2, 21600, &[0.0]), 1);
    let s: Vec<(SimTime, bool, SimTime, u32)> = sim.starts().iter().map(|s| (s.t, s.cold, s.init, s.env)).collect();
    assert_eq!(s, vec![(secs(0.0), true, ms(200), 0), (secs(60.3), false, SimTime::ZERO, 0), (secs(180.4), false, SimTime::ZERO, 0)]);
    let e: Vec<(SimTime, SimTime, u64, u64)> = sim.ends().iter().map(|e| (e.t, e.duration, e.billed_ms, e.init_billed_ms)).collect();
    assert_eq!(e, vec![(secs(0.3), ms(100), 100, 200), (secs(60.4), ms(100), 100, 0), (secs(180.5), ms(100), 100, 0)]);
    let f = sim.fates();
    assert_eq!((f[0].t, f[0].latency), (secs(180.5), secs(180.5)));
    assert_eq!(sim.contents("failed")[0]["timestamp"], json!("2024-01-01T00:03:00.500Z"));
}

#[test]
fn retry_delays_can_be_measured_from_attempt_start() {
    let mut sc = failing_scenario(2, 21600, &[0.0]);
    sc["Simulation"]["AsyncRetryDelayFrom"] = json!("AttemptStart");
    let sim = simulate(&sc, 1);
    let s: Vec<SimTime> = sim.starts().iter().map(|s| s.t).collect();
    assert_eq!(s, vec![secs(0.0), secs(60.0), secs(180.0)]);
}

// ---------------------------------------------------------------------------------------------------------------------
// 2. event-age look-ahead (spec 2, 10.3)

#[test]
fn max_event_age_60_gives_up_after_one_attempt_at_once() {
    let sim = simulate(&failing_scenario(2, 60, &[0.0]), 3);
    assert_eq!(sim.starts().len(), 1);
    assert_eq!(sim.count("RetryScheduled"), 0, "no retry is scheduled");
    let f = sim.fates();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].fate, f[0].attempts), (Fate::EventAgeExceeded, 1));
    // At once: when attempt 1 ends (0.3 s), not at the 60 s age limit.
    assert_eq!(f[0].t, secs(0.3));
    assert_eq!(f[0].t, sim.ends()[0].t);
    let rec = &sim.contents("failed")[0];
    assert_eq!(rec["requestContext"]["condition"], json!("EventAgeExceeded"));
    assert_eq!(rec["requestContext"]["approximateInvokeCount"], json!(1));
    assert_eq!(rec["timestamp"], json!("2024-01-01T00:00:00.300Z"));
    assert_eq!(rec["responseContext"]["functionError"], json!("Unhandled"));
    let dlq = &sim.contents("dlq")[0];
    assert_eq!(dlq["attributes"]["ErrorCode"], json!("200"));
    assert_eq!(sim.report.stats.end_time, secs(0.3), "the run ends with the record, not at the age limit");
}

#[test]
fn max_event_age_90_gives_two_attempts() {
    let sim = simulate(&failing_scenario(2, 90, &[0.0]), 3);
    let starts: Vec<SimTime> = sim.starts().iter().map(|s| s.t).collect();
    assert_eq!(starts, vec![secs(0.0), secs(60.3)]);
    assert_eq!(sim.count("RetryScheduled"), 1);
    let f = sim.fates();
    assert_eq!((f[0].fate, f[0].attempts, f[0].t), (Fate::EventAgeExceeded, 2, secs(60.4)));
    let rec = &sim.contents("failed")[0];
    assert_eq!(rec["requestContext"]["condition"], json!("EventAgeExceeded"));
    assert_eq!(rec["requestContext"]["approximateInvokeCount"], json!(2));
    assert_eq!(sim.contents("dlq").len(), 1);
}

#[test]
fn without_look_ahead_the_event_expires_when_the_retry_is_due() {
    let mut sc = failing_scenario(2, 90, &[0.0]);
    sc["Simulation"]["EventAgeLookAhead"] = json!(false);
    let sim = simulate(&sc, 3);
    assert_eq!(sim.starts().len(), 2);
    let f = sim.fates();
    // The third attempt would be due at 60.4 + 120 = 180.4 s, past the 90 s age: expired then, not started.
    assert_eq!((f[0].fate, f[0].attempts, f[0].t), (Fate::EventAgeExceeded, 2, secs(180.4)));
}

// ---------------------------------------------------------------------------------------------------------------------
// 3. throttle back-off (spec 2, 10.4)

fn throttled_scenario(fault_end: f64, max_age: i64, retries: i64, rules: Value) -> Value {
    json!({
        "Functions": [function("thr", json!({
            "Rules": rules,
            "EventInvokeConfig": {
                "MaximumRetryAttempts": retries,
                "MaximumEventAgeInSeconds": max_age,
                "DestinationConfig": {"OnSuccess": {"Destination": sqs("ok")}, "OnFailure": {"Destination": sqs("failed")}}
            },
            "DeadLetterConfig": {"TargetArn": sqs("dlq")}
        }))],
        "Queues": [{"QueueName": "ok"}, {"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [{"Name": "one", "Function": "thr", "At": [0], "Payload": {"id": 1}}],
        "Faults": [{"Function": "thr", "Kind": "Throttle", "StartSeconds": 0, "EndSeconds": fault_end}],
        "Simulation": {"AsyncRetryEarlyFraction": 0}
    })
}

fn assert_backoff_shape(th: &[Thr]) {
    let delays: Vec<SimTime> = th.iter().filter_map(|t| t.retry_in).collect();
    for w in delays.windows(2) {
        assert!(w[1] >= w[0], "back-off never decreases: {delays:?}");
    }
    for d in &delays {
        assert!(*d >= SimTime::from_secs(1) && *d <= SimTime::from_secs(300), "back-off within [1 s, 300 s]: {d}");
    }
    for (i, t) in th.iter().enumerate() {
        assert_eq!(t.throttles, i as u32 + 1, "throttle counter");
        if i > 0 {
            assert_eq!(Some(t.t - th[i - 1].t), th[i - 1].retry_in, "each retry comes exactly after its back-off");
        }
    }
}

#[test]
fn throttled_for_ten_minutes_then_one_success_record() {
    let sim = simulate(&throttled_scenario(600.0, 21600, 2, json!([])), 5);
    let th = sim.throttles();
    let expected: Vec<u64> = vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300];
    assert_eq!(
        th.iter().map(|t| t.retry_in.unwrap()).collect::<Vec<_>>(),
        expected.iter().map(|s| SimTime::from_secs(*s)).collect::<Vec<_>>()
    );
    assert_eq!(th.iter().map(|t| t.t).collect::<Vec<_>>(), [0, 1, 3, 7, 15, 31, 63, 127, 255, 511].map(SimTime::from_secs).to_vec());
    assert!(th.iter().all(|t| t.reason == ThrottleReason::InjectedThrottle && t.event == 0));
    assert_backoff_shape(&th);
    let starts = sim.starts();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].t, SimTime::from_secs(811), "first execution after the throttle window");
    let f = sim.fates();
    assert_eq!((f[0].fate, f[0].attempts), (Fate::Succeeded, 1));
    let ok = sim.contents("ok");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["requestContext"]["condition"], json!("Success"));
    assert_eq!(ok[0]["requestContext"]["approximateInvokeCount"], json!(1), "throttled tries are not executions");
    assert!(sim.contents("failed").is_empty() && sim.contents("dlq").is_empty());
    assert_eq!(sim.report.metrics.functions[0].throttles, 10);
    // The trace names the 429 reason.
    let lines = sim.trace_lines();
    let t0 = lines.iter().find(|l| l["type"] == "Throttled").unwrap();
    assert_eq!(t0["statusCode"], json!(429));
    assert_eq!(t0["reason"], json!("ConcurrentInvocationLimitExceeded"));
}

#[test]
fn throttles_do_not_consume_the_retry_budget() {
    // MaximumRetryAttempts 1, ten throttles, then attempt 1 fails and attempt 2 succeeds.
    let rules = json!([{"When": {"Attempt": {"AtMost": 1}}, "Then": {"Outcome": "Fail"}}]);
    let sim = simulate(&throttled_scenario(600.0, 21600, 1, rules), 5);
    assert_eq!(sim.throttles().len(), 10);
    let starts: Vec<(SimTime, u32)> = sim.starts().iter().map(|s| (s.t, s.attempt)).collect();
    assert_eq!(starts, vec![(SimTime::from_secs(811), 1), (secs(871.3), 2)]);
    let f = sim.fates();
    assert_eq!((f[0].fate, f[0].attempts), (Fate::Succeeded, 2));
    let ok = sim.contents("ok");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["requestContext"]["approximateInvokeCount"], json!(2));
    assert!(sim.contents("failed").is_empty());
}

#[test]
fn permanent_throttle_expires_with_zero_executions_and_no_response_context() {
    let sim = simulate(&throttled_scenario(1e6, 600, 2, json!([])), 5);
    assert_eq!(sim.starts().len(), 0, "never executed");
    let th = sim.throttles();
    assert_backoff_shape(&th);
    // Back-offs 1..256 s reach 511 s; the next (300 s) would end past the 600 s age: given up at once.
    assert_eq!(th.len(), 10);
    assert_eq!(th.last().unwrap().t, SimTime::from_secs(511));
    assert_eq!(th.last().unwrap().retry_in, None);
    let f = sim.fates();
    assert_eq!((f[0].fate, f[0].attempts, f[0].t), (Fate::EventAgeExceeded, 0, SimTime::from_secs(511)));
    assert!(f[0].t <= SimTime::from_secs(600));
    let rec = &sim.contents("failed")[0];
    assert_eq!(keys(rec), vec!["version", "timestamp", "requestContext", "requestPayload"]);
    assert_eq!(rec["requestContext"]["condition"], json!("EventAgeExceeded"));
    assert_eq!(rec["requestContext"]["approximateInvokeCount"], json!(0));
    assert!(rec.get("responseContext").is_none() && rec.get("responsePayload").is_none());
    let dlq = &sim.contents("dlq")[0];
    assert_eq!(dlq["body"], json!({"id": 1}));
    assert_eq!(dlq["attributes"]["ErrorCode"], json!("429"), "never executed: the status is the throttle's");
    assert!(sim.contents("ok").is_empty());
}

#[test]
fn service_errors_back_off_like_throttles_with_status_500() {
    let mut sc = throttled_scenario(10.0, 21600, 0, json!([]));
    sc["Faults"][0]["Kind"] = json!("ServiceError");
    let sim = simulate(&sc, 5);
    let th = sim.throttles();
    assert_eq!(th.iter().map(|t| t.t).collect::<Vec<_>>(), [0, 1, 3, 7].map(SimTime::from_secs).to_vec());
    assert!(th.iter().all(|t| t.reason == ThrottleReason::ServiceError));
    assert_eq!(sim.starts()[0].t, SimTime::from_secs(15));
    assert_eq!(sim.fates()[0].fate, Fate::Succeeded, "MaximumRetryAttempts 0 is not used up by service errors");
    let lines = sim.trace_lines();
    let t0 = lines.iter().find(|l| l["type"] == "Throttled").unwrap();
    assert_eq!((&t0["statusCode"], &t0["reason"]), (&json!(500), &json!("ServiceException")));
}

// ---------------------------------------------------------------------------------------------------------------------
// 4. reserved concurrency 0 (spec 2, 10.5)

fn zero_reserved_scenario(count: i64, sim_opts: Value) -> Value {
    json!({
        "Simulation": sim_opts,
        "Functions": [function("zero", json!({
            "ReservedConcurrentExecutions": 0,
            "EventInvokeConfig": {"DestinationConfig": {
                "OnSuccess": {"Destination": sqs("ok")},
                "OnFailure": {"Destination": sqs("failed")}
            }},
            "DeadLetterConfig": {"TargetArn": sqs("dlq")}
        }))],
        "Queues": [{"QueueName": "ok"}, {"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [{"Name": "burst", "Function": "zero", "Burst": {"AtSeconds": 10, "Count": count}, "Payload": {"n": "{{n}}"}}]
    })
}

#[test]
fn zero_reserved_concurrency_sends_every_event_straight_to_failure_targets() {
    let sim = simulate(&zero_reserved_scenario(5, json!({})), 2);
    assert_eq!(sim.accepted().len(), 5);
    assert_eq!(sim.starts().len(), 0, "zero executions");
    assert_eq!(sim.count("Throttled") + sim.count("RetryScheduled") + sim.count("Queued"), 0, "no retries, no waiting");
    let fates = sim.fates();
    assert_eq!(fates.len(), 5);
    for f in &fates {
        assert_eq!((f.fate, f.attempts, f.t, f.latency), (Fate::ZeroReservedConcurrency, 0, secs(10.0), SimTime::ZERO));
    }
    let failed = sim.contents("failed");
    let dlq = sim.contents("dlq");
    assert_eq!((failed.len(), dlq.len()), (5, 5));
    assert!(sim.contents("ok").is_empty());
    for (i, f) in fates.iter().enumerate() {
        let req = sim.rid(f.rid);
        let rec = failed.iter().find(|c| c["requestContext"]["requestId"] == json!(req)).expect("record for the event");
        assert_eq!(rec["requestContext"]["condition"], json!("ZeroReservedConcurrency"));
        assert_eq!(rec["requestContext"]["approximateInvokeCount"], json!(0));
        assert_eq!(rec["requestPayload"], json!({"n": i}));
        assert_eq!(keys(rec), vec!["version", "timestamp", "requestContext", "requestPayload"]);
        let d = dlq.iter().find(|c| c["attributes"]["RequestID"] == json!(req)).expect("DLQ message for the event");
        assert_eq!(d["body"], json!({"n": i}));
        assert_eq!(d["attributes"]["ErrorCode"], json!("429"));
    }
    let distinct: std::collections::BTreeSet<u64> = fates.iter().map(|f| f.rid).collect();
    assert_eq!(distinct.len(), 5);
    assert_eq!(sim.report.metrics.functions[0].fate(Fate::ZeroReservedConcurrency), 5);
}

#[test]
fn zero_reserved_condition_string_is_a_named_option() {
    let sim = simulate(&zero_reserved_scenario(1, json!({"ZeroReservedConcurrencyCondition": "EventAgeExceeded"})), 2);
    assert_eq!(sim.fates()[0].fate, Fate::ZeroReservedConcurrency);
    assert_eq!(sim.contents("failed")[0]["requestContext"]["condition"], json!("EventAgeExceeded"));
}

// ---------------------------------------------------------------------------------------------------------------------
// 5. concurrency (spec 6, 10.6)

fn burst_scenario(sim_opts: Value) -> Value {
    json!({
        "Simulation": sim_opts,
        "Functions": [{
            "FunctionName": "busy",
            "ReservedConcurrentExecutions": 2,
            "Behavior": {"Duration": {"Constant": {"Ms": 1000}}, "InitDuration": {"Constant": {"Ms": 200}}},
            "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": sqs("ok")}}}
        }],
        "Queues": [{"QueueName": "ok"}],
        "Workload": [{"Name": "burst", "Function": "busy", "Burst": {"AtSeconds": 0, "Count": 10}}]
    })
}

/// Peak number of executions running at once, from the trace.
fn peak_running(sim: &Sim) -> u32 {
    let (mut busy, mut peak) = (0u32, 0u32);
    for (_, e) in &sim.rec.events {
        match e {
            TraceEvent::AttemptStart { .. } => {
                busy += 1;
                peak = peak.max(busy);
            }
            TraceEvent::AttemptEnd { .. } => busy -= 1,
            _ => {}
        }
    }
    peak
}

#[test]
fn reserved_concurrency_caps_a_burst_and_throttles_the_rest() {
    let sim = simulate(&burst_scenario(json!({})), 4);
    let m = &sim.report.metrics.functions[0];
    assert_eq!(m.peak_concurrency, 2);
    assert_eq!(peak_running(&sim), 2);
    assert_eq!(m.environments, 2);
    let th = sim.throttles();
    assert!(th.len() >= 8, "at least the 8 events beyond the reservation are throttled, got {}", th.len());
    assert!(th.iter().all(|t| t.reason == ThrottleReason::ReservedConcurrency));
    assert_eq!(m.throttles, th.len() as u64);
    assert_eq!(
        lambdasim::observe::metrics::throttles_by_name(m, "FunctionInvocationRateLimitExceeded"),
        vec![("ReservedFunctionConcurrentInvocationLimitExceeded", th.len() as u64)]
    );
    let lines = sim.trace_lines();
    assert!(lines
        .iter()
        .filter(|l| l["type"] == "Throttled")
        .all(|l| l["reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded" && l["statusCode"] == 429));
    for ev in 0..10u64 {
        let mine: Vec<Thr> = th.iter().copied().filter(|t| t.event == ev).collect();
        assert_backoff_shape(&mine);
    }
    let fates = sim.fates();
    assert_eq!(fates.len(), 10);
    assert!(fates.iter().all(|f| f.fate == Fate::Succeeded && f.attempts == 1), "throttles are not executions");
    assert_eq!(sim.contents("ok").len(), 10);
    let json = sim.report.to_json(&sim.model);
    assert_eq!(json["functions"]["busy"]["throttlesByReason"]["ReservedFunctionConcurrentInvocationLimitExceeded"], json!(th.len()));
    assert_eq!(json["functions"]["busy"]["peakConcurrency"], json!(2));
}

#[test]
fn queue_mode_makes_events_wait_instead_of_throttling() {
    let sim = simulate(&burst_scenario(json!({"AsyncConcurrencyFull": "Queue"})), 4);
    assert_eq!(sim.count("Throttled"), 0);
    assert_eq!(sim.count("Queued"), 8);
    assert_eq!(sim.report.metrics.functions[0].peak_concurrency, 2);
    assert_eq!(peak_running(&sim), 2);
    // Two at a time, in arrival order: cold 1.2 s, then warm 1.0 s each.
    let starts: Vec<(u64, SimTime)> = sim.starts().iter().map(|s| (s.event, s.t)).collect();
    let want: Vec<(u64, SimTime)> =
        [0.0, 0.0, 1.2, 1.2, 2.2, 2.2, 3.2, 3.2, 4.2, 4.2].iter().enumerate().map(|(i, t)| (i as u64, secs(*t))).collect();
    assert_eq!(starts, want);
    let fates = sim.fates();
    assert!(fates.iter().all(|f| f.fate == Fate::Succeeded && f.attempts == 1));
    assert_eq!(fates.iter().map(|f| f.latency).max(), Some(secs(5.2)));
    assert_eq!(sim.contents("ok").len(), 10);
}

#[test]
fn queued_events_still_expire_at_their_maximum_age() {
    let mut sc = burst_scenario(json!({"AsyncConcurrencyFull": "Queue"}));
    sc["Functions"][0]["Behavior"]["Duration"] = json!({"Constant": {"Ms": 100000}});
    sc["Functions"][0]["Timeout"] = json!(200);
    sc["Functions"][0]["EventInvokeConfig"]["MaximumEventAgeInSeconds"] = json!(150);
    let sim = simulate(&sc, 4);
    // 2 run 100.2 s, 2 more start at 100.2 s; the other 6 are still waiting when they reach 150 s of age.
    let fates = sim.fates();
    assert_eq!(fates.iter().filter(|f| f.fate == Fate::Succeeded).count(), 4);
    let expired: Vec<&FateEv> = fates.iter().filter(|f| f.fate == Fate::EventAgeExceeded).collect();
    assert_eq!(expired.len(), 6);
    assert!(expired.iter().all(|f| f.attempts == 0 && f.t > secs(150.0) && f.t <= secs(150.001)));
}

#[test]
fn account_concurrency_limits_unreserved_functions() {
    let sc = json!({
        "Account": {"ConcurrentExecutions": 1},
        "Functions": [function("solo", json!({}))],
        "Workload": [{"Name": "b", "Function": "solo", "Burst": {"AtSeconds": 0, "Count": 3}}]
    });
    let sim = simulate(&sc, 1);
    assert_eq!(peak_running(&sim), 1);
    assert_eq!(sim.report.metrics.account_peak, 1);
    let th = sim.throttles();
    assert!(!th.is_empty() && th.iter().all(|t| t.reason == ThrottleReason::AccountConcurrency));
    assert!(sim.trace_lines().iter().filter(|l| l["type"] == "Throttled").all(|l| l["reason"] == "ConcurrentInvocationLimitExceeded"));
    assert!(sim.fates().iter().all(|f| f.fate == Fate::Succeeded));
}

// ---------------------------------------------------------------------------------------------------------------------
// 6. cold and warm environments (spec 1, 6)

#[test]
fn cold_then_warm_and_timeout_or_crash_reset_the_environment() {
    let sc = json!({
        "Functions": [{
            "FunctionName": "env",
            "Timeout": 3,
            "Behavior": {
                "Duration": {"Constant": {"Ms": 100}},
                "InitDuration": {"Constant": {"Ms": 250}},
                "Rules": [
                    {"When": {"Payload": {"kind": ["timeout"]}}, "Then": {"Outcome": "Timeout"}},
                    {"When": {"Payload": {"kind": ["crash"]}}, "Then": {"Outcome": "Crash"}}
                ]
            },
            "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}}
        }],
        "Queues": [{"QueueName": "failed"}],
        "Workload": [
            {"Name": "ok", "Function": "env", "At": [0, 10, 20, 40], "Payload": {"kind": "ok"}},
            {"Name": "slow", "Function": "env", "At": [15], "Payload": {"kind": "timeout"}},
            {"Name": "dies", "Function": "env", "At": [30], "Payload": {"kind": "crash"}}
        ]
    });
    let sim = simulate(&sc, 8);
    let starts: Vec<(SimTime, u32, bool, SimTime)> = sim.starts().iter().map(|s| (s.t, s.env, s.cold, s.init)).collect();
    assert_eq!(
        starts,
        vec![
            (secs(0.0), 0, true, ms(250)),
            (secs(10.0), 0, false, SimTime::ZERO),
            (secs(15.0), 0, false, SimTime::ZERO),
            (secs(20.0), 0, true, ms(250)), // after the timeout: init again
            (secs(30.0), 0, false, SimTime::ZERO),
            (secs(40.0), 0, true, ms(250)), // after the crash: init again
        ]
    );
    let ends: Vec<(SimTime, Outcome, SimTime, u64, u64)> =
        sim.ends().iter().map(|e| (e.t, e.outcome, e.duration, e.billed_ms, e.init_billed_ms)).collect();
    assert_eq!(ends[0], (secs(0.35), Outcome::Success, ms(100), 100, 250));
    assert_eq!(ends[1], (secs(10.1), Outcome::Success, ms(100), 100, 0));
    assert_eq!(ends[2], (secs(18.0), Outcome::Timeout, SimTime::from_secs(3), 3000, 0));
    assert_eq!(ends[3], (secs(20.35), Outcome::Success, ms(100), 100, 250));
    assert_eq!(ends[4].1, Outcome::Crash);
    assert_eq!(ends[5], (secs(40.35), Outcome::Success, ms(100), 100, 250));
    let m = &sim.report.metrics.functions[0];
    assert_eq!((m.cold_starts, m.environments), (3, 1));
    let failed = sim.contents("failed");
    assert_eq!(failed.len(), 2);
    let timeout = failed.iter().find(|c| c["requestPayload"]["kind"] == "timeout").unwrap();
    let req = timeout["requestContext"]["requestId"].as_str().unwrap();
    assert_eq!(
        timeout["responsePayload"],
        json!({"errorMessage": format!("2024-01-01T00:00:18.000Z {req} Task timed out after 3.00 seconds")})
    );
    let crash = failed.iter().find(|c| c["requestPayload"]["kind"] == "crash").unwrap();
    assert_eq!(crash["responsePayload"]["errorType"], json!("Runtime.ExitError"));
}

#[test]
fn concurrent_events_get_their_own_cold_environments() {
    let sc = json!({
        "Functions": [function("par", json!({}))],
        "Workload": [{"Name": "b", "Function": "par", "Burst": {"AtSeconds": 0, "Count": 3}}, {"Name": "later", "Function": "par", "At": [5, 5]}]
    });
    let sim = simulate(&sc, 1);
    let starts: Vec<(SimTime, u32, bool)> = sim.starts().iter().map(|s| (s.t, s.env, s.cold)).collect();
    assert_eq!(starts[..3], [(secs(0.0), 0, true), (secs(0.0), 1, true), (secs(0.0), 2, true)]);
    assert!(starts[3..].iter().all(|(t, _, cold)| *t == secs(5.0) && !cold), "warm reuse: {starts:?}");
    assert_eq!(sim.report.metrics.functions[0].environments, 3);
}

#[test]
fn init_over_ten_seconds_is_capped_and_rerun_in_the_invoke_phase() {
    let sc = json!({
        "Functions": [{"FunctionName": "slowinit", "Timeout": 30,
            "Behavior": {"Duration": {"Constant": {"Ms": 100}}, "InitDuration": {"Constant": {"Ms": 12000}}}}],
        "Workload": [{"Name": "one", "Function": "slowinit", "At": [0]}]
    });
    let sim = simulate(&sc, 1);
    let s = sim.starts()[0];
    assert_eq!((s.cold, s.init), (true, SimTime::from_secs(10)));
    let e = sim.ends()[0];
    assert_eq!((e.t, e.duration, e.outcome, e.init_billed_ms), (secs(22.1), secs(12.1), Outcome::Success, 10_000));
}

// ---------------------------------------------------------------------------------------------------------------------
// 7. record format and destinations (spec 3.1, 3.2, 4)

#[test]
fn on_success_record_to_sqs_is_exact() {
    let sc = json!({
        "Functions": [function("fn", json!({
            "Rules": [{"Then": {"Outcome": "Succeed", "Response": {"ok": true}}}],
            "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": sqs("ok-queue")}}}
        }))],
        "Queues": [{"QueueName": "ok-queue"}],
        "Workload": [{"Name": "one", "Function": "fn", "At": [0], "Payload": {"orderId": 42}}]
    });
    let sim = simulate(&sc, 7);
    let wire = sim.wire("ok-queue");
    assert_eq!(wire.len(), 1);
    let (kind, msg) = &wire[0];
    assert_eq!(*kind, RecordKind::OnSuccess);
    assert_eq!(keys(msg), vec!["body", "messageAttributes"]);
    assert_eq!(msg["messageAttributes"], json!({}));
    let req = sim.rid(0);
    let expected = format!(
        concat!(
            r#"{{"version":"1.0","timestamp":"2024-01-01T00:00:00.300Z","#,
            r#""requestContext":{{"requestId":"{req}","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST","#,
            r#""condition":"Success","approximateInvokeCount":1}},"#,
            r#""requestPayload":{{"orderId":42}},"#,
            r#""responseContext":{{"statusCode":200,"executedVersion":"$LATEST"}},"#,
            r#""responsePayload":{{"ok":true}}}}"#
        ),
        req = req
    );
    let body = msg["body"].as_str().expect("SQS body is a string");
    assert_eq!(body, expected);
    let rec: Value = serde_json::from_str(body).unwrap();
    assert_eq!(keys(&rec), vec!["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]);
    assert_eq!(keys(&rec["requestContext"]), vec!["requestId", "functionArn", "condition", "approximateInvokeCount"]);
    assert!(rec["requestContext"]["functionArn"].as_str().unwrap().ends_with(":$LATEST"));
    assert!(rec["responseContext"].get("functionError").is_none());
    // The request id is a UUID v4 and matches the trace.
    assert_eq!(req.len(), 36);
    assert_eq!(&req[14..15], "4");
    let lines = sim.trace_lines();
    assert!(lines.iter().filter(|l| l["requestId"].is_string()).all(|l| l["requestId"] == json!(req)));
}

#[test]
fn eventbridge_envelope_success_and_failure() {
    for (opts, source) in [(json!({}), "lambda"), (json!({"EventBridgeDestinationSource": "aws.lambda"}), "aws.lambda")] {
        let sc = json!({
            "Simulation": opts,
            "Functions": [function("ev", json!({
                "Rules": [{"When": {"Payload": {"fail": [true]}}, "Then": {"Outcome": "Fail", "ErrorMessage": "nope"}},
                          {"Then": {"Outcome": "Succeed", "Response": "fine"}}],
                "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {
                    "OnSuccess": {"Destination": bus("results")}, "OnFailure": {"Destination": bus("results")}}}
            }))],
            "EventBuses": [{"Name": "results"}],
            "Workload": [
                {"Name": "good", "Function": "ev", "At": [0], "Payload": {"fail": false}},
                {"Name": "bad", "Function": "ev", "At": [5], "Payload": {"fail": true}}
            ]
        });
        let sim = simulate(&sc, 3);
        let wire = sim.wire("results");
        let contents = sim.contents("results");
        assert_eq!(wire.len(), 2);
        for ((kind, env), (content, (dt, cond, time))) in wire.iter().zip(contents.iter().zip([
            ("Lambda Function Invocation Result - Success", "Success", "2024-01-01T00:00:00Z"),
            ("Lambda Function Invocation Result - Failure", "RetriesExhausted", "2024-01-01T00:00:05Z"),
        ])) {
            assert_eq!(*kind, if cond == "Success" { RecordKind::OnSuccess } else { RecordKind::OnFailure });
            assert_eq!(env["version"], json!("0"));
            assert_eq!(env["detail-type"], json!(dt));
            assert_eq!(env["source"], json!(source));
            assert_eq!(env["account"], json!("123456789012"));
            assert_eq!(env["region"], json!("us-east-1"));
            assert_eq!(env["time"], json!(time));
            assert_eq!(env["resources"], json!([format!("{}:$LATEST", lambda("ev")), bus("results")]));
            assert_eq!(env["id"].as_str().unwrap().len(), 36);
            assert_eq!(&env["detail"], content, "the record is the detail");
            assert_eq!(env["detail"]["requestContext"]["condition"], json!(cond));
        }
        assert_ne!(wire[0].1["id"], wire[1].1["id"]);
        assert_eq!(wire[1].1["detail"]["responsePayload"]["errorMessage"], json!("nope"));
    }
}

#[test]
fn lambda_destination_invokes_the_target_asynchronously_with_the_record() {
    let sc = json!({
        "Functions": [
            function("src", json!({
                "Rules": [{"Then": {"Outcome": "Succeed", "Response": {"done": 1}}}],
                "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": lambda("dst")}}}
            })),
            function("dst", json!({
                "Rules": [
                    {"When": {"Payload": {"requestContext": {"condition": ["Success"]}, "responsePayload": {"done": [1]}}},
                     "Then": {"Outcome": "Succeed", "Response": "saw the record"}},
                    {"Then": {"Outcome": "Fail"}}
                ],
                "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnSuccess": {"Destination": sqs("final")}}}
            }))
        ],
        "Queues": [{"QueueName": "final"}],
        "Workload": [{"Name": "one", "Function": "src", "At": [0], "Payload": {"orderId": 5}}]
    });
    let sim = simulate(&sc, 21);
    let (src, dst) = (sim.fid("src"), sim.fid("dst"));
    let acc = sim.accepted();
    assert_eq!(acc.len(), 2);
    assert_eq!((acc[0].3, acc[0].4), (src, Origin::Workload(0)));
    assert_eq!((acc[1].3, acc[1].4), (dst, Origin::Destination { parent: 0 }));
    assert_eq!(acc[1].0, secs(0.3), "invoked as the source's attempt ends");
    assert_ne!(acc[1].2, acc[0].2, "a new request id");
    let to_dst = sim.contents("dst");
    assert_eq!(to_dst.len(), 1);
    let record = &to_dst[0];
    assert_eq!(record["requestContext"]["requestId"], json!(sim.rid(acc[0].2)));
    assert_eq!(record["requestPayload"], json!({"orderId": 5}));
    assert_eq!(sim.wire("dst")[0].1, *record, "a Lambda target gets the record itself as its payload");
    assert_eq!(acc[1].5 as usize, serde_json::to_string(record).unwrap().len());
    let fates = sim.fates();
    assert!(fates.iter().all(|f| f.fate == Fate::Succeeded && f.attempts == 1));
    let fin = sim.contents("final");
    assert_eq!(fin.len(), 1);
    assert_eq!(&fin[0]["requestPayload"], record, "dst ran with the record as its payload");
    assert_eq!(fin[0]["responsePayload"], json!("saw the record"));
    assert_eq!(fin[0]["requestContext"]["functionArn"], json!(format!("{}:$LATEST", lambda("dst"))));
}

#[test]
fn fifo_targets_count_delivery_failures_and_receive_nothing() {
    let sc = json!({
        "Functions": [function("f", json!({
            "Rules": always_fail(),
            "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("bad.fifo")}}},
            "DeadLetterConfig": {"TargetArn": sqs("dlq.fifo")}
        }))],
        "Queues": [{"QueueName": "bad.fifo"}, {"QueueName": "dlq.fifo"}],
        "Workload": [{"Name": "one", "Function": "f", "At": [0, 1]}]
    });
    let sim = simulate(&sc, 1);
    assert!(sim.sinks.messages.is_empty(), "nothing is received: {:?}", sim.sinks.messages);
    let failures: Vec<(RecordKind, Option<DeliveryFailure>)> = sim
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Delivered { kind, failure, .. } => Some((*kind, *failure)),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 4);
    assert!(failures.iter().all(|(_, f)| *f == Some(DeliveryFailure::FifoNotSupported)));
    let bad = sim.model.target_by_arn(&sqs("bad.fifo")).unwrap();
    let dlq = sim.model.target_by_arn(&sqs("dlq.fifo")).unwrap();
    assert_eq!((sim.report.metrics.targets[bad.ix()].failures, sim.report.metrics.targets[bad.ix()].delivered()), (2, 0));
    assert_eq!((sim.report.metrics.targets[dlq.ix()].failures, sim.report.metrics.targets[dlq.ix()].delivered()), (2, 0));
    assert!(sim
        .trace_lines()
        .iter()
        .filter(|l| l["type"] == "Delivered")
        .all(|l| l["delivered"] == false && l["failure"] == "FifoNotSupported"));
    assert_eq!(sim.fates().iter().filter(|f| f.fate == Fate::RetriesExhausted).count(), 2, "the fate stands");
}

#[test]
fn sns_and_s3_wire_forms() {
    let sc = json!({
        "Functions": [function("wf", json!({
            "Rules": [{"When": {"Payload": {"fail": [true]}}, "Then": {"Outcome": "Fail"}}],
            "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {
                "OnSuccess": {"Destination": sns("topic")}, "OnFailure": {"Destination": "arn:aws:s3:::fail-bucket"}}},
            "DeadLetterConfig": {"TargetArn": sns("dlq-topic")}
        }))],
        "Topics": [{"TopicName": "topic"}, {"TopicName": "dlq-topic"}],
        "Buckets": [{"BucketName": "fail-bucket"}],
        "Workload": [
            {"Name": "good", "Function": "wf", "At": [0], "Payload": {"fail": false}},
            {"Name": "bad", "Function": "wf", "At": [3661], "Payload": {"fail": true}}
        ]
    });
    let sim = simulate(&sc, 1);
    let sns_msgs = sim.wire("topic");
    assert_eq!(sns_msgs.len(), 1);
    assert_eq!(keys(&sns_msgs[0].1), vec!["Message", "MessageAttributes"]);
    let rec: Value = serde_json::from_str(sns_msgs[0].1["Message"].as_str().unwrap()).unwrap();
    assert_eq!(rec["requestContext"]["condition"], json!("Success"));
    let s3 = sim.wire("fail-bucket");
    assert_eq!(s3.len(), 1);
    let key = s3[0].1["Key"].as_str().unwrap();
    assert!(key.starts_with("aws/lambda/async/wf/2024/01/01/2024-01-01T01.01.01-"), "S3 key: {key}");
    assert_eq!(key.len(), "aws/lambda/async/wf/2024/01/01/2024-01-01T01.01.01-".len() + 36);
    assert_eq!(s3[0].1["Bucket"], json!("fail-bucket"));
    let body: Value = serde_json::from_str(s3[0].1["Body"].as_str().unwrap()).unwrap();
    assert_eq!(body["requestContext"]["condition"], json!("RetriesExhausted"));
    let dlq = sim.wire("dlq-topic");
    assert_eq!(dlq.len(), 1);
    assert_eq!(serde_json::from_str::<Value>(dlq[0].1["Message"].as_str().unwrap()).unwrap(), json!({"fail": true}));
    assert_eq!(dlq[0].1["MessageAttributes"]["ErrorCode"], json!({"Type": "Number", "Value": "200"}));
}

#[test]
fn oversized_records_fail_on_sqs_and_lose_their_payloads_on_sns() {
    // A 300 KB event fits the 1 MB async limit, but its record does not fit SQS's or SNS's 256 KB.
    let sc = json!({
        "Functions": [
            function("big-ok", json!({"EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": sns("topic")}}}})),
            function("big-fail", json!({
                "Rules": always_fail(),
                "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
                "DeadLetterConfig": {"TargetArn": sqs("dlq")}
            }))
        ],
        "Topics": [{"TopicName": "topic"}],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [
            {"Name": "a", "Function": "big-ok", "At": [0], "Payload": payload_of_size(300_000)},
            {"Name": "b", "Function": "big-fail", "At": [0], "Payload": payload_of_size(300_000)}
        ]
    });
    let sim = simulate(&sc, 1);
    let topic = sim.wire("topic");
    assert_eq!(topic.len(), 1, "SNS keeps the record");
    let rec: Value = serde_json::from_str(topic[0].1["Message"].as_str().unwrap()).unwrap();
    assert!(rec.get("requestPayload").is_none() && rec.get("responsePayload").is_none(), "payloads dropped: {:?}", keys(&rec));
    assert_eq!(rec["requestContext"]["condition"], json!("Success"));
    assert!(sim.wire("failed").is_empty() && sim.wire("dlq").is_empty());
    for q in ["failed", "dlq"] {
        let t = sim.model.target_by_arn(&sqs(q)).unwrap();
        assert_eq!(sim.report.metrics.targets[t.ix()].failures, 1, "{q}: one delivery failure");
    }
    let failures: Vec<Option<DeliveryFailure>> = sim
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Delivered { kind: RecordKind::OnFailure | RecordKind::DeadLetter, failure, .. } => Some(*failure),
            _ => None,
        })
        .collect();
    assert_eq!(failures, vec![Some(DeliveryFailure::TooLarge); 2]);
}

#[test]
fn recursive_lambda_destination_chain_is_stopped() {
    let sc = json!({
        "Simulation": {"RecursionLimit": 3},
        // A function cannot be its own destination (AWS refuses it), so the loop goes through two.
        "Functions": [
            function("loop", json!({
                "EventInvokeConfig": {"DestinationConfig": {
                    "OnSuccess": {"Destination": lambda("back")}, "OnFailure": {"Destination": sqs("stopped")}}}
            })),
            function("back", json!({
                "EventInvokeConfig": {"DestinationConfig": {
                    "OnSuccess": {"Destination": lambda("loop")}, "OnFailure": {"Destination": sqs("stopped")}}}
            }))
        ],
        "Queues": [{"QueueName": "stopped"}],
        "Workload": [{"Name": "one", "Function": "loop", "At": [0], "Payload": {"hop": 0}}]
    });
    let sim = simulate(&sc, 1);
    let acc = sim.accepted();
    assert_eq!(acc.len(), 4, "the original and three destination invocations");
    for (i, a) in acc.iter().enumerate().skip(1) {
        assert_eq!(a.4, Origin::Destination { parent: i as u64 - 1 });
    }
    assert_eq!(sim.starts().len(), 3, "hops 0, 1 and 2 run; hop 3 is stopped");
    let fates: Vec<(Fate, u32)> = sim.fates().iter().map(|f| (f.fate, f.attempts)).collect();
    assert_eq!(fates.iter().filter(|f| **f == (Fate::Succeeded, 1)).count(), 3);
    assert_eq!(fates.iter().filter(|f| **f == (Fate::RecursionStopped, 0)).count(), 1);
    let stopped = sim.contents("stopped");
    assert_eq!(stopped.len(), 1, "the stopped event goes to the on-failure destination");
    assert_eq!(stopped[0]["requestContext"]["approximateInvokeCount"], json!(0));
}

#[test]
fn bounded_run_ends_pending_events_in_flight() {
    let mut sc = failing_scenario(2, 21600, &[0.0]);
    sc["Simulation"] = json!({"DurationSeconds": 100});
    let sim = simulate(&sc, 1);
    assert_eq!(sim.starts().len(), 2, "attempt 3 (due at 180.4 s) is past the horizon");
    let f = sim.fates();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].fate, f[0].attempts), (Fate::InFlight, 2));
    assert!(sim.sinks.messages.is_empty(), "an event still in flight produces no record");
    assert_eq!(sim.report.stats.end_time, SimTime::from_secs(100));
}

#[test]
fn sync_invocations_run_once_and_never_reach_destinations() {
    // Spec 10.1 and the sync half of 10.5: no Lambda retry, no DLQ or destination; reserved 0 answers 429.
    let sc = json!({
        "Functions": [
            function("syncfail", json!({
                "Rules": always_fail(),
                "EventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
                "DeadLetterConfig": {"TargetArn": sqs("dlq")}
            })),
            function("synczero", json!({
                "ReservedConcurrentExecutions": 0,
                "EventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}}
            }))
        ],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [
            {"Name": "s1", "Function": "syncfail", "InvocationType": "RequestResponse", "At": [0, 10]},
            {"Name": "s2", "Function": "synczero", "InvocationType": "RequestResponse", "At": [0]}
        ]
    });
    let sim = simulate(&sc, 1);
    let fail = sim.fid("syncfail");
    let starts = sim.starts();
    assert_eq!(starts.len(), 2, "each sync invoke executes exactly once");
    assert!(starts.iter().all(|s| s.function == fail && s.attempt == 1));
    assert_eq!(sim.count("RetryScheduled"), 0);
    assert!(sim.sinks.messages.is_empty() && sim.count("Delivered") == 0, "no DLQ, no destination");
    let th = sim.throttles();
    assert_eq!(th.len(), 1);
    assert_eq!((th[0].reason, th[0].retry_in), (ThrottleReason::ReservedConcurrency, None));
    let lines = sim.trace_lines();
    let t = lines.iter().find(|l| l["type"] == "Throttled").unwrap();
    assert_eq!((&t["statusCode"], &t["reason"]), (&json!(429), &json!("ReservedFunctionConcurrentInvocationLimitExceeded")));
    let fates: Vec<(FnId, &str, u32)> = sim.fates().iter().map(|f| (f.function, f.fate.name(), f.attempts)).collect();
    let zero = sim.fid("synczero");
    assert_eq!(fates.iter().filter(|f| **f == (fail, "FunctionError", 1)).count(), 2, "{fates:?}");
    assert_eq!(fates.iter().filter(|f| **f == (zero, "Throttled", 0)).count(), 1, "{fates:?}");
    assert_eq!(fates.len(), 3);
}

// ---------------------------------------------------------------------------------------------------------------------
// 8. payload limit (spec 2, 10.10)

fn payload_of_size(bytes: usize) -> Value {
    // {"d":"..."} serializes to 8 bytes plus the string.
    let v = json!({"d": "x".repeat(bytes - 8)});
    assert_eq!(serde_json::to_string(&v).unwrap().len(), bytes);
    v
}

fn payload_limit_scenario(limit: usize, mode: Option<&str>) -> Value {
    let mut sc = json!({
        "Functions": [function("big", json!({}))],
        "Workload": [
            {"Name": "fits", "Function": "big", "At": [0], "Payload": payload_of_size(limit)},
            {"Name": "over", "Function": "big", "At": [1], "Payload": payload_of_size(limit + 1)}
        ]
    });
    if let Some(m) = mode {
        sc["Simulation"] = json!({"AsyncPayloadLimit": m});
    }
    sc
}

#[test]
fn async_payload_over_the_limit_is_rejected_with_413() {
    for (limit, mode) in [(1_048_576, None), (1_048_576, Some("Current")), (262_144, Some("Legacy"))] {
        let sim = simulate(&payload_limit_scenario(limit, mode), 1);
        let acc = sim.accepted();
        assert_eq!(acc.len(), 1, "{mode:?}: only the payload at the limit is accepted");
        assert_eq!(acc[0].5 as usize, limit);
        let rejected: Vec<(SimTime, u32, u16)> = sim
            .rec
            .events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::Rejected { size, status, .. } => Some((*t, *size, *status)),
                _ => None,
            })
            .collect();
        assert_eq!(rejected, vec![(secs(1.0), limit as u32 + 1, 413)]);
        assert_eq!(sim.starts().len(), 1, "the rejected event never executes");
        assert!(sim.starts().iter().all(|s| s.event == acc[0].1));
        assert_eq!((sim.report.stats.accepted, sim.report.stats.rejected), (1, 1));
        assert_eq!((sim.report.metrics.functions[0].accepted, sim.report.metrics.functions[0].rejected), (1, 1));
        assert_eq!(sim.fates().len(), 1, "nothing enqueued for the rejected payload");
        let lines = sim.trace_lines();
        let r = lines.iter().find(|l| l["type"] == "Rejected").unwrap();
        assert_eq!((&r["statusCode"], &r["errorType"]), (&json!(413), &json!("RequestTooLargeException")));
    }
    // 300 KB: fine today, too large under the legacy limit.
    let big = json!({"Functions": [function("big", json!({}))], "Workload": [{"Name": "w", "Function": "big", "At": [0], "Payload": payload_of_size(300_000)}]});
    assert_eq!(simulate(&big, 1).report.stats.accepted, 1);
    let mut legacy = big.clone();
    legacy["Simulation"] = json!({"AsyncPayloadLimit": "Legacy"});
    let sim = simulate(&legacy, 1);
    assert_eq!((sim.report.stats.accepted, sim.report.stats.rejected, sim.starts().len()), (0, 1, 0));
}

// ---------------------------------------------------------------------------------------------------------------------
// 9. duplicate delivery (spec 2: at-least-once)

#[test]
fn duplicate_probability_one_executes_every_event_twice_with_one_request_id() {
    let sc = json!({
        "Simulation": {"DuplicateDeliveryProbability": 1.0},
        "Functions": [function("dup", json!({
            "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": sqs("ok")}}}
        }))],
        "Queues": [{"QueueName": "ok"}],
        "Workload": [{"Name": "w", "Function": "dup", "At": [0, 10], "Payload": {"n": "{{n}}"}}]
    });
    let sim = simulate(&sc, 6);
    let acc = sim.accepted();
    assert_eq!(acc.len(), 4);
    let originals: Vec<_> = acc.iter().filter(|a| matches!(a.4, Origin::Workload(_))).collect();
    let dups: Vec<_> = acc.iter().filter(|a| matches!(a.4, Origin::Duplicate { .. })).collect();
    assert_eq!((originals.len(), dups.len()), (2, 2));
    for d in &dups {
        let Origin::Duplicate { of } = d.4 else { unreachable!() };
        let o = originals.iter().find(|o| o.1 == of).expect("duplicate of an original");
        assert_eq!((d.2, d.0, d.5), (o.2, o.0, o.5), "same request id, time and size");
    }
    let mut per_rid: BTreeMap<u64, usize> = BTreeMap::new();
    for s in sim.starts() {
        *per_rid.entry(s.rid).or_default() += 1;
    }
    assert_eq!(per_rid.len(), 2);
    assert!(per_rid.values().all(|n| *n == 2), "each event executed twice: {per_rid:?}");
    let ok = sim.contents("ok");
    assert_eq!(ok.len(), 4);
    for o in &originals {
        let req = sim.rid(o.2);
        let recs: Vec<&Value> = ok.iter().filter(|c| c["requestContext"]["requestId"] == json!(req)).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["requestPayload"], recs[1]["requestPayload"]);
    }
}

/// With reserved concurrency 0 the original event ends inside `accept`, before its duplicate is made. Its slot is
/// then free, and the on-failure Lambda destination's invocation reuses it, so the duplicate copies the wrong
/// payload (src/sim.rs, `Sim::accept`, the `if dup { ... }` block). See the report.
#[test]
fn duplicate_of_zero_reserved_event_keeps_its_payload() {
    let sc = json!({
        "Simulation": {"DuplicateDeliveryProbability": 1.0},
        "Functions": [
            function("zero", json!({"ReservedConcurrentExecutions": 0,
                "EventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": lambda("sink")}}}})),
            function("sink", json!({}))
        ],
        "Workload": [{"Name": "w", "Function": "zero", "At": [0], "Payload": {"orig": true}}]
    });
    let sim = simulate(&sc, 1);
    let zero = sim.fid("zero");
    for (_, event, _, function, origin, _) in sim.accepted() {
        if function == zero {
            let rec = sim.rec.delivered.iter().find(|d| d.0 == event).map(|d| d.3.clone());
            assert_eq!(rec.map(|r| r["requestPayload"].clone()), Some(json!({"orig": true})), "event {event} ({origin:?})");
        }
    }
    // Every accepted `zero` event is the original or its duplicate (2 in all).
    assert_eq!(sim.accepted().iter().filter(|a| a.3 == zero).count(), 2);

    // Without a Lambda destination the duplicate is dropped instead (the code comment says its payload is rebuilt):
    // one arrival should still give two deliveries to the on-failure queue, as with any other function.
    let sc = json!({
        "Simulation": {"DuplicateDeliveryProbability": 1.0},
        "Functions": [function("zero", json!({"ReservedConcurrentExecutions": 0,
            "EventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}}}))],
        "Queues": [{"QueueName": "failed"}],
        "Workload": [{"Name": "w", "Function": "zero", "At": [0], "Payload": {"orig": true}}]
    });
    let sim = simulate(&sc, 1);
    assert_eq!(sim.accepted().len(), 2, "original and duplicate");
    assert_eq!(sim.contents("failed").len(), 2);
}

// ---------------------------------------------------------------------------------------------------------------------
// 10. determinism

fn random_scenario() -> Value {
    json!({
        "Simulation": {
            "AsyncRetryJitterSeconds": 5,
            "ThrottleBackoff": {"Jitter": 0.5},
            "DuplicateDeliveryProbability": 0.05
        },
        "Functions": [{
            "FunctionName": "rnd",
            "ReservedConcurrentExecutions": 3,
            "Behavior": {
                "Duration": {"LogNormal": {"MedianMs": 300, "Sigma": 0.8, "MaxMs": 2500}},
                "InitDuration": {"Uniform": {"MinMs": 100, "MaxMs": 900}},
                "Rules": [
                    {"When": {"Probability": 0.3}, "Then": {"Outcome": "Fail", "ErrorMessage": "flaky"}},
                    {"When": {"Probability": 0.05}, "Then": {"Outcome": "Crash"}},
                    {"Then": {"Outcome": "Succeed", "Response": {"ok": true}}}
                ]
            },
            "EventInvokeConfig": {"MaximumEventAgeInSeconds": 400, "DestinationConfig": {
                "OnSuccess": {"Destination": bus("done")}, "OnFailure": {"Destination": sqs("failed")}}},
            "DeadLetterConfig": {"TargetArn": sqs("dlq")}
        }],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "EventBuses": [{"Name": "done"}],
        "Workload": [{"Name": "p", "Function": "rnd", "Poisson": {"RatePerSecond": 4, "EndSeconds": 60}, "Payload": {"n": "{{n}}"}}],
        "Faults": [{"Function": "rnd", "Kind": "Throttle", "StartSeconds": 20, "EndSeconds": 30, "Probability": 0.5}]
    })
}

#[test]
fn same_seed_gives_identical_digest_trace_and_sinks() {
    let sc = random_scenario();
    let a = simulate(&sc, 42);
    let b = simulate(&sc, 42);
    assert_eq!(a.report.digest, b.report.digest);
    assert_eq!(a.report.trace_events, b.report.trace_events);
    assert_eq!(a.trace.as_bytes(), b.trace.as_bytes(), "byte-identical trace");
    assert_eq!(a.trace.lines().count() as u64, a.report.trace_events);
    assert_eq!(a.sinks.messages, b.sinks.messages);
    assert_eq!(a.sinks.contents, b.sinks.contents);
    assert_eq!(a.report.to_json(&a.model), b.report.to_json(&b.model));
    // The scenario is random enough for this to mean something.
    let m = &a.report.metrics.functions[0];
    assert!(m.accepted > 150 && m.fate(Fate::Succeeded) > 0 && m.retries_scheduled > 0 && m.throttles > 0, "{:?}", m.fates);
    assert!(a.sinks.messages.len() as u64 >= m.accepted);

    // Observers never steer: a bare run has the same digest.
    let bare = run(&a.model, 42, RunOptions::default()).unwrap();
    assert_eq!(bare.digest, a.report.digest);

    let c = simulate(&sc, 43);
    assert_ne!(c.report.digest, a.report.digest);
    assert_ne!(c.trace, a.trace);
}

#[test]
fn digest_is_reproducible_from_the_trace() {
    // The digest of a run equals the one a caller computes from the same trace with the public Digest type.
    let sc = random_scenario();
    let sim = simulate(&sc, 9);
    let mut d = lambdasim::trace::Digest::default();
    for (t, e) in &sim.rec.events {
        d.add(*t, e);
    }
    assert_eq!(d.hex(), sim.report.digest);
    assert_eq!(d.events(), sim.report.trace_events);
}

// ---------------------------------------------------------------------------------------------------------------------
// 11. RNG stream independence

fn fn_a() -> Value {
    json!({
        "FunctionName": "a",
        "Behavior": {
            "Duration": {"LogNormal": {"MedianMs": 200, "Sigma": 0.7}},
            "InitDuration": {"Uniform": {"MinMs": 100, "MaxMs": 500}},
            "Rules": [{"When": {"Probability": 0.3}, "Then": {"Outcome": "Fail"}}]
        },
        "EventInvokeConfig": {"MaximumRetryAttempts": 2}
    })
}

/// Per event of function `a`, in accept order: accept time, and each attempt's (start, duration, outcome).
/// Accept time, then each attempt's (start offset, duration, outcome).
type History = Vec<(SimTime, Vec<(SimTime, SimTime, Outcome)>)>;

fn a_history(sim: &Sim) -> History {
    let a = sim.fid("a");
    let starts = sim.starts();
    let ends = sim.ends();
    sim.accepted()
        .iter()
        .filter(|x| x.3 == a)
        .map(|x| {
            let s: Vec<&Start> = starts.iter().filter(|s| s.event == x.1).collect();
            let e: Vec<&End> = ends.iter().filter(|e| e.event == x.1).collect();
            (x.0, s.iter().zip(e).map(|(s, e)| (s.t - x.0, e.duration, e.outcome)).collect())
        })
        .collect()
}

#[test]
fn adding_a_function_does_not_change_the_draws_of_another() {
    let alone = json!({
        "Functions": [fn_a()],
        "Workload": [{"Name": "wa", "Function": "a", "Poisson": {"RatePerSecond": 2, "EndSeconds": 120}}]
    });
    let with_b = json!({
        "Functions": [{
            "FunctionName": "b",
            "Behavior": {"Duration": {"Exponential": {"MeanMs": 400}}, "Rules": [{"When": {"Probability": 0.5}, "Then": {"Outcome": "Crash"}}]}
        }, fn_a()],
        "Workload": [
            {"Name": "wb", "Function": "b", "Poisson": {"RatePerSecond": 5, "EndSeconds": 120}},
            {"Name": "wa", "Function": "a", "Poisson": {"RatePerSecond": 2, "EndSeconds": 120}}
        ]
    });
    for seed in [1, 2, 3] {
        let x = simulate(&alone, seed);
        let y = simulate(&with_b, seed);
        let hx = a_history(&x);
        let hy = a_history(&y);
        assert!(hx.len() > 150, "enough events: {}", hx.len());
        assert!(hx.iter().any(|(_, at)| at.len() > 1), "some retries happen");
        assert_eq!(hx, hy, "seed {seed}: function a's arrivals, durations and outcomes are unchanged by function b");
        assert!(y.starts().iter().any(|s| s.function == y.fid("b")), "b really ran");
        assert_ne!(x.report.digest, y.report.digest);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// 12. snapshots: trace lines and sink messages of one small scenario per behaviour

#[test]
fn snapshot_retries() {
    let sim = simulate(&failing_scenario(1, 21600, &[0.0]), 1);
    insta::assert_snapshot!("retries", sim.snapshot());
}

#[test]
fn snapshot_look_ahead() {
    let sim = simulate(&failing_scenario(2, 60, &[0.0]), 1);
    insta::assert_snapshot!("look_ahead", sim.snapshot());
}

#[test]
fn snapshot_throttle() {
    let sim = simulate(&throttled_scenario(20.0, 21600, 2, json!([])), 1);
    insta::assert_snapshot!("throttle", sim.snapshot());
}

#[test]
fn snapshot_zero_reserved() {
    let sim = simulate(&zero_reserved_scenario(2, json!({})), 1);
    insta::assert_snapshot!("zero_reserved", sim.snapshot());
}

#[test]
fn snapshot_destinations() {
    let sc = json!({
        "Functions": [
            function("src", json!({
                "Rules": [{"Then": {"Outcome": "Succeed", "Response": {"done": 1}}}],
                "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": lambda("dst")}}}
            })),
            function("dst", json!({
                "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": bus("results")}}}
            }))
        ],
        "EventBuses": [{"Name": "results"}],
        "Workload": [{"Name": "one", "Function": "src", "At": [0], "Payload": {"orderId": 5}}]
    });
    let sim = simulate(&sc, 1);
    insta::assert_snapshot!("destinations", sim.snapshot());
}

/// Two functions with reserved concurrency 0, each the other's on-failure destination: no code runs, yet the chain
/// loops; recursive-loop detection stops it after 16 hops instead of running (and nesting records) forever.
#[test]
fn a_loop_of_zero_concurrency_functions_is_stopped() {
    let f = |name: &str, next: &str| {
        json!({ "FunctionName": name, "ReservedConcurrentExecutions": 0,
                "EventInvokeConfig": { "DestinationConfig": { "OnFailure": { "Destination": lambda(next) } } } })
    };
    let sc = json!({ "Functions": [f("a", "b"), f("b", "a")], "Workload": [{ "Function": "a", "At": [1] }] });
    let sim = simulate(&sc, 1);
    assert_eq!(sim.report.stats.accepted, 17);
    let stopped = sim.fates().iter().filter(|x| x.fate == Fate::RecursionStopped).count();
    assert_eq!(stopped, 1);
}
