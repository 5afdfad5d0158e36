//! Amazon Data Firehose data transformation, live in the loop (src/sim/firehose.rs): buffering by size and by
//! interval within the 6 MB synchronous payload, the transformation event, per-record results (`Ok`, `Dropped`,
//! `ProcessingFailed`), retries of failed invocations (function errors, timeouts, throttles, malformed responses),
//! the error output records, fates and validation. Scenarios are inline JSON; assertions are on exact counts, times
//! and contents.

use std::process::Command;

use serde_json::{json, Value};

use lambdasim::trace::{Ctx, Observer, Origin};
use lambdasim::vocab::{FirehoseFate, FirehoseInvokeResult};
use lambdasim::{load_str, run, RunOptions, SimTime, TraceEvent};

const FN_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:transform";

/// Every trace event, with the transformation events (the payloads of Firehose invocations) and the content of
/// delivered and processing-failed records.
#[derive(Default)]
struct Rec {
    events: Vec<(SimTime, TraceEvent)>,
    invocations: Vec<Value>,
    delivered: Vec<Value>,
    failed: Vec<Value>,
}

impl Observer for Rec {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match (ev, ctx.content) {
            (TraceEvent::Accepted { origin: Origin::Firehose { .. }, .. }, Some(c)) => self.invocations.push(c.clone()),
            (TraceEvent::FirehoseRecordFate { fate: FirehoseFate::Delivered, .. }, Some(c)) => self.delivered.push(c.clone()),
            (TraceEvent::FirehoseRecordFate { fate: FirehoseFate::ProcessingFailed, .. }, Some(c)) => self.failed.push(c.clone()),
            _ => {}
        }
        self.events.push((t, ev.clone()));
    }
    fn wants_content(&self) -> bool {
        true
    }
}

impl Rec {
    /// (time, records, attempt) of every invocation.
    fn invokes(&self) -> Vec<(SimTime, u32, u32)> {
        self.events
            .iter()
            .filter_map(|(t, e)| match e {
                TraceEvent::FirehoseInvoke { records, attempt, .. } => Some((*t, *records, *attempt)),
                _ => None,
            })
            .collect()
    }
    fn results(&self) -> Vec<FirehoseInvokeResult> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                TraceEvent::FirehoseInvokeEnd { result, .. } => Some(*result),
                _ => None,
            })
            .collect()
    }
    /// Records per fate (in `FirehoseFate::ALL` order) and the attempts each fate reported.
    fn fates(&self) -> [u64; 5] {
        let mut out = [0; 5];
        for (_, e) in &self.events {
            if let TraceEvent::FirehoseRecordFate { fate, .. } = e {
                out[*fate as usize] += 1;
            }
        }
        out
    }
    fn fate_attempts(&self) -> Vec<u32> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                TraceEvent::FirehoseRecordFate { attempts, .. } => Some(*attempts),
                _ => None,
            })
            .collect()
    }
}

fn go_seed(sc: &Value, seed: u64) -> (Rec, lambdasim::run::RunReport) {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("valid scenario: {e}"));
    let mut rec = Rec::default();
    let report = run(&model, seed, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    // The monitor: every record put reaches exactly one fate.
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    (rec, report)
}

fn go(sc: &Value) -> Rec {
    go_seed(sc, 1).0
}

fn errors(sc: Value) -> String {
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("expected a validation error"),
        Err(e) => e.to_string(),
    }
}

fn params(extra: &[(&str, &str)]) -> Value {
    let mut p = vec![json!({"ParameterName": "LambdaArn", "ParameterValue": FN_ARN})];
    for (k, v) in extra {
        p.push(json!({"ParameterName": k, "ParameterValue": v}));
    }
    Value::Array(p)
}

/// One stream `s` transformed by `transform` (with `behavior`), its processor parameters, and the workload.
fn scenario(behavior: Value, extra: &[(&str, &str)], workload: Value) -> Value {
    json!({
        "Functions": [{"FunctionName": "transform", "Timeout": 30, "Behavior": behavior}],
        "DeliveryStreams": [{
            "DeliveryStreamName": "s",
            "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": params(extra)}]}
        }],
        "Workload": workload
    })
}

fn ok_behavior() -> Value {
    json!({"Duration": {"Constant": {"Ms": 100}}, "InitDuration": {"Constant": {"Ms": 200}}})
}

fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

#[test]
fn bundled_scenario_counts_every_record_once() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/firehose-transform.json")).unwrap();
    let sc: Value = serde_json::from_str(&text).unwrap();
    let (r, report) = go_seed(&sc, 1);
    assert!(report.expectations_passed());
    let m = &report.metrics.firehose.streams;
    // clicks: 300 page views + 3 debug + 2 malformed + 1 eu click.
    assert_eq!((m[0].put, m[0].fate(FirehoseFate::Delivered), m[0].fate(FirehoseFate::Dropped)), (306, 301, 3));
    assert_eq!(m[0].fate(FirehoseFate::ProcessingFailed), 2);
    assert_eq!((m[0].batches, m[0].retries, m[0].invoked(FirehoseInvokeResult::FunctionError)), (5, 1, 1));
    // audit: 3 records, 1 + NumberOfRetries (2) invocations, all ProcessingFailed after 3 attempts.
    assert_eq!((m[1].put, m[1].fate(FirehoseFate::ProcessingFailed), m[1].invoked(FirehoseInvokeResult::FunctionError)), (3, 3, 3));
    // bulk: one flush by size, one by interval.
    assert_eq!((m[2].put, m[2].fate(FirehoseFate::Delivered), m[2].batches), (5000, 5000, 2));
    assert_eq!(r.fates(), [5301, 3, 5, 0, 0]);
    // The same scenario and seed give the same run.
    let (_, again) = go_seed(&sc, 1);
    assert_eq!(report.digest, again.digest);
}

#[test]
fn flush_by_interval_from_the_first_buffered_record() {
    let r = go(&scenario(
        ok_behavior(),
        &[("BufferIntervalInSeconds", "60")],
        json!([{"DeliveryStream": "s", "At": [0, 10, 59.5, 61], "Payload": {"n": "{{n}}"}}]),
    ));
    // 0, 10 and 59.5 go at 60 s; 61 starts a new buffer that goes at 121 s.
    assert_eq!(r.invokes(), vec![(secs(60.0), 3, 1), (secs(121.0), 1, 1)]);
    assert_eq!(r.fates(), [4, 0, 0, 0, 0]);
    assert_eq!(r.results(), vec![FirehoseInvokeResult::Ok; 2]);
}

#[test]
fn flush_by_size_at_buffer_size_in_mbs() {
    // 1,000-byte records; 0.2 MB = 209,715 bytes: the buffer flushes when the 210th record arrives.
    let payload = "x".repeat(1000);
    let r = go(&scenario(
        ok_behavior(),
        &[("BufferSizeInMBs", "0.2"), ("BufferIntervalInSeconds", "60")],
        json!([{"DeliveryStream": "s", "Burst": {"AtSeconds": 5, "Count": 500}, "Payload": payload}]),
    ));
    assert_eq!(r.invokes(), vec![(secs(5.0), 210, 1), (secs(5.0), 210, 1), (secs(65.0), 80, 1)]);
    assert_eq!(r.fates(), [500, 0, 0, 0, 0]);
}

#[test]
fn a_batch_never_exceeds_the_6_mb_sync_payload() {
    // 1-byte records: 3 MB of data would make an event far above 6 MB (base64 and record fields), so the buffer is
    // flushed before the event would cross it (spec section 1).
    let r = go(&scenario(
        ok_behavior(),
        &[("BufferSizeInMBs", "3"), ("BufferIntervalInSeconds", "60")],
        json!([{"DeliveryStream": "s", "Burst": {"AtSeconds": 0, "Count": 60000}, "Payload": "x"}]),
    ));
    let inv = r.invokes();
    assert_eq!(inv.len(), 2, "{inv:?}");
    assert_eq!(inv[0].0, SimTime::ZERO);
    assert_eq!(inv[1].0, secs(60.0));
    assert_eq!(inv[0].1 + inv[1].1, 60000);
    let sizes: Vec<u32> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Accepted { size, .. } => Some(*size),
            _ => None,
        })
        .collect();
    assert!(sizes.iter().all(|s| *s as usize <= 6 * 1024 * 1024), "{sizes:?}");
    assert!(sizes[0] > 4_000_000, "the first batch fills most of the 6 MB: {sizes:?}");
    assert!(r.events.iter().all(|(_, e)| !matches!(e, TraceEvent::Rejected { .. })));
}

#[test]
fn the_event_has_the_firehose_shape_and_results_decide_each_record() {
    let behavior = json!({"Rules": [
        {"When": {"Payload": {"data": {"kind": ["noise"]}}}, "Then": {"Outcome": "Succeed", "Response": {"result": "Dropped"}}},
        {"When": {"Payload": {"data": {"kind": ["bad"]}}}, "Then": {"Outcome": "Succeed", "Response": {"result": "ProcessingFailed"}}},
        {"When": {"Payload": {"data": {"kind": ["upper"]}}}, "Then": {"Outcome": "Succeed", "Response": {"data": {"KIND": "UPPER"}}}}
    ]});
    let r = go(&scenario(
        behavior,
        &[("BufferIntervalInSeconds", "10")],
        json!([
            {"Name": "a", "DeliveryStream": "s", "At": [1], "Payload": {"kind": "noise"}},
            {"Name": "b", "DeliveryStream": "s", "At": [2], "Payload": {"kind": "bad"}},
            {"Name": "c", "DeliveryStream": "s", "At": [3], "Payload": {"kind": "upper"}},
            {"Name": "d", "DeliveryStream": "s", "At": [4], "Payload": "plain text"}
        ]),
    ));
    assert_eq!(r.fates(), [2, 1, 1, 0, 0]);
    assert_eq!(r.invocations.len(), 1);
    let ev = &r.invocations[0];
    assert_eq!(ev["deliveryStreamArn"], "arn:aws:firehose:us-east-1:123456789012:deliverystream/s");
    assert_eq!(ev["region"], "us-east-1");
    let recs = ev["records"].as_array().unwrap();
    assert_eq!(recs.len(), 4);
    // Arrival times are each record's own (2024-01-01T00:00:01Z ...), data is base64.
    assert_eq!(recs[0]["approximateArrivalTimestamp"], 1_704_067_201_000i64);
    assert_eq!(recs[3]["approximateArrivalTimestamp"], 1_704_067_204_000i64);
    assert_eq!(recs[3]["data"], "cGxhaW4gdGV4dA==");
    // Delivered: the transformed data of "upper", the untouched text of "d".
    assert_eq!(r.delivered, vec![json!({"KIND": "UPPER"}), json!("plain text")]);
    let f = &r.failed[0];
    assert_eq!(f["errorCode"], "Lambda.ProcessingFailedStatus");
    assert_eq!(f["attemptsMade"], 1);
    assert_eq!(f["rawData"], "eyJraW5kIjoiYmFkIn0=");
    assert_eq!(f["lambdaArn"], FN_ARN);
    insta::assert_json_snapshot!("firehose_transformation", json!({"event": ev, "delivered": r.delivered, "processingFailed": r.failed}));
}

#[test]
fn a_function_error_retries_the_whole_batch_then_it_succeeds() {
    let behavior = json!({"Duration": {"Constant": {"Ms": 100}}, "InitDuration": {"Constant": {"Ms": 200}}, "Rules": [
        {"When": {"Payload": {"data": {"poison": [true]}}, "Attempt": {"AtMost": 2}}, "Then": {"Outcome": "Fail"}}
    ]});
    let r = go(&scenario(
        behavior,
        &[("BufferIntervalInSeconds", "60"), ("NumberOfRetries", "3")],
        json!([
            {"Name": "good", "DeliveryStream": "s", "At": [0, 1], "Payload": {"ok": true}},
            {"Name": "poison", "DeliveryStream": "s", "At": [2], "Payload": {"poison": true}}
        ]),
    ));
    use FirehoseInvokeResult::*;
    assert_eq!(r.results(), vec![FunctionError, FunctionError, Ok]);
    // Invoked at 60 s (cold: 200 ms init + 100 ms), retried 1 s after each failure (FirehoseRetryDelaySeconds).
    assert_eq!(r.invokes(), vec![(secs(60.0), 3, 1), (secs(61.3), 3, 2), (secs(62.4), 3, 3)]);
    assert_eq!(r.fates(), [3, 0, 0, 0, 0]);
    assert_eq!(r.fate_attempts(), vec![3, 3, 3]);
}

#[test]
fn retries_exhausted_send_every_record_to_processing_failed() {
    let mut sc = scenario(
        json!({"Duration": {"Constant": {"Ms": 100}}, "InitDuration": {"Constant": {"Ms": 200}}, "Rules": [{"Then": {"Outcome": "Fail"}}]}),
        &[("BufferIntervalInSeconds", "0"), ("NumberOfRetries", "1")],
        json!([{"DeliveryStream": "s", "At": [10], "Payload": {"a": 1}}]),
    );
    sc["Simulation"] = json!({"FirehoseRetryDelaySeconds": 5});
    let r = go(&sc);
    // Interval 0: invoked at once. 1 + NumberOfRetries = 2 invocations, 5 s apart after the first ends.
    assert_eq!(r.invokes(), vec![(secs(10.0), 1, 1), (secs(15.3), 1, 2)]);
    assert_eq!(r.results(), vec![FirehoseInvokeResult::FunctionError; 2]);
    assert_eq!(r.fates(), [0, 0, 1, 0, 0]);
    let f = &r.failed[0];
    assert_eq!((f["errorCode"].as_str(), f["attemptsMade"].as_u64()), (Some("Lambda.FunctionError"), Some(2)));
    assert_eq!(f["arrivalTimestamp"], 1_704_067_210_000i64);
    assert_eq!(f["attemptEndingTimestamp"], 1_704_067_215_400i64);
}

#[test]
fn zero_retries_means_one_invocation() {
    let r = go(&scenario(
        json!({"Rules": [{"Then": {"Outcome": "Fail"}}]}),
        &[("NumberOfRetries", "0")],
        json!([{"DeliveryStream": "s", "At": [0, 1], "Payload": {}}]),
    ));
    assert_eq!(r.results(), vec![FirehoseInvokeResult::FunctionError]);
    assert_eq!(r.fates(), [0, 0, 2, 0, 0]);
}

#[test]
fn throttles_and_timeouts_are_invocation_failures() {
    // Reserved concurrency 0: every invocation is refused (429), counted against NumberOfRetries.
    let mut sc = scenario(ok_behavior(), &[("NumberOfRetries", "2")], json!([{"DeliveryStream": "s", "At": [0], "Payload": {}}]));
    sc["Functions"][0]["ReservedConcurrentExecutions"] = json!(0);
    let r = go(&sc);
    assert_eq!(r.results(), vec![FirehoseInvokeResult::Throttled; 3]);
    assert_eq!(r.fates(), [0, 0, 1, 0, 0]);
    assert_eq!(r.failed[0]["errorCode"], "Lambda.InvokeLimitExceeded");
    // A function that runs past its timeout.
    let mut sc = scenario(
        json!({"Duration": {"Constant": {"Ms": 5000}}}),
        &[("NumberOfRetries", "1")],
        json!([{"DeliveryStream": "s", "At": [0], "Payload": {}}]),
    );
    sc["Functions"][0]["Timeout"] = json!(1);
    let r = go(&sc);
    assert_eq!(r.results(), vec![FirehoseInvokeResult::FunctionError; 2]);
    assert_eq!(r.fates(), [0, 0, 1, 0, 0]);
}

#[test]
fn a_malformed_response_fails_the_invocation() {
    let behavior = json!({"Rules": [{"When": {"Attempt": {"AtMost": 1}}, "Then": {"Outcome": "Succeed",
        "Response": {"records": [{"recordId": "not-an-input-record", "result": "Ok", "data": "eA=="}]}}}]});
    let r = go(&scenario(behavior, &[("NumberOfRetries", "3")], json!([{"DeliveryStream": "s", "At": [0, 1], "Payload": {}}])));
    // The first response answers no input record: a transformation failure, retried; the second passes through.
    assert_eq!(r.results(), vec![FirehoseInvokeResult::InvalidResponse, FirehoseInvokeResult::Ok]);
    assert_eq!(r.fates(), [2, 0, 0, 0, 0]);
    // An unknown result value is malformed too.
    let behavior = json!({"Rules": [{"Then": {"Outcome": "Succeed", "Response": {"result": "Maybe"}}}]});
    let r = go(&scenario(behavior, &[("NumberOfRetries", "0")], json!([{"DeliveryStream": "s", "At": [0], "Payload": {}}])));
    assert_eq!(r.results(), vec![FirehoseInvokeResult::InvalidResponse]);
    assert_eq!(r.failed[0]["errorCode"], "Lambda.JsonProcessingException");
}

#[test]
fn records_left_at_the_horizon_are_in_flight() {
    let mut sc = scenario(
        ok_behavior(),
        &[("BufferIntervalInSeconds", "60")],
        json!([{"DeliveryStream": "s", "Every": {"IntervalSeconds": 1, "EndSeconds": 100}, "Payload": {}}]),
    );
    sc["Simulation"] = json!({"DurationSeconds": 90});
    let r = go(&sc);
    // 0..59 delivered at 60 s; 60..90 still buffered at 90 s.
    assert_eq!(r.fates(), [60, 0, 0, 0, 31]);
}

#[test]
fn a_stream_without_transformation_delivers_at_once() {
    let sc = json!({
        "Functions": [{"FunctionName": "unused"}],
        "DeliveryStreams": [{"DeliveryStreamName": "raw"}],
        "Workload": [{"DeliveryStream": "raw", "At": [1, 2], "Payload": {"a": 1}}]
    });
    let r = go(&sc);
    assert_eq!(r.fates(), [2, 0, 0, 0, 0]);
    assert!(r.invokes().is_empty());
    assert_eq!(r.delivered, vec![json!({"a": 1}); 2]);
}

#[test]
fn records_over_1000_kib_are_refused() {
    let big = "y".repeat(1000 * 1024 + 1);
    let r = go(&scenario(ok_behavior(), &[], json!([{"DeliveryStream": "s", "At": [0], "Payload": big}])));
    assert_eq!(r.fates(), [0, 0, 0, 1, 0]);
}

#[test]
fn cold_starts_concurrency_and_billing_apply() {
    // Two streams on one function with reserved concurrency 1: the second batch at the same instant is throttled,
    // then retried and served by the warm environment.
    let sc = json!({
        "Functions": [{"FunctionName": "transform", "ReservedConcurrentExecutions": 1,
                       "Behavior": {"Duration": {"Constant": {"Ms": 300}}, "InitDuration": {"Constant": {"Ms": 200}}}}],
        "DeliveryStreams": [
            {"DeliveryStreamName": "a", "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": params(&[])}]}},
            {"DeliveryStreamName": "b", "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": params(&[])}]}}
        ],
        "Workload": [
            {"Name": "a", "DeliveryStream": "a", "At": [0], "Payload": {}},
            {"Name": "b", "DeliveryStream": "b", "At": [0], "Payload": {}}
        ],
        "Expectations": [
            {"Name": "one throttle", "Expect": {"FirehoseInvocations": {"Result": "Throttled"}}, "Equals": 1},
            {"Name": "all delivered", "Expect": {"FirehoseRecords": {"Fate": "Delivered"}}, "Equals": 2},
            {"Name": "b retried once", "Expect": {"FirehoseInvocations": {"DeliveryStream": "b"}}, "Equals": 2}
        ]
    });
    let (r, report) = go_seed(&sc, 1);
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
    let starts: Vec<bool> =
        r.events.iter().filter_map(|(_, e)| if let TraceEvent::AttemptStart { cold, .. } = e { Some(*cold) } else { None }).collect();
    assert_eq!(starts, vec![true, false]);
    let f = &report.metrics.functions[0];
    assert_eq!((f.attempts, f.billed_ms, f.init_billed_ms), (2, 600, 200));
}

#[test]
fn validation_names_the_path_the_value_and_the_range() {
    let p = "DeliveryStreams[0].ProcessingConfiguration.Processors[0].Parameters[1].ParameterValue";
    let e = errors(scenario(ok_behavior(), &[("NumberOfRetries", "301")], json!([])));
    assert!(e.contains(p) && e.contains("\"301\"") && e.contains("0 to 300"), "{e}");
    let e = errors(scenario(ok_behavior(), &[("BufferSizeInMBs", "5")], json!([])));
    assert!(e.contains(p) && e.contains("\"5\"") && e.contains("0.2 to 3"), "{e}");
    let e = errors(scenario(ok_behavior(), &[("BufferIntervalInSeconds", "soon")], json!([])));
    assert!(e.contains(p) && e.contains("\"soon\"") && e.contains("0 to 900"), "{e}");
    let e = errors(scenario(ok_behavior(), &[("Compression", "GZIP")], json!([])));
    assert!(e.contains("Parameters[1].ParameterName") && e.contains("\"Compression\" is not simulated"), "{e}");
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["DeliveryStreams"][0]["ProcessingConfiguration"]["Processors"][0]["Parameters"][0]["ParameterValue"] =
        json!("arn:aws:lambda:us-east-1:123456789012:function:nope");
    let e = errors(sc);
    assert!(e.contains("Parameters[0].ParameterValue") && e.contains("names no function"), "{e}");
    let e = errors(scenario(ok_behavior(), &[], json!([{"DeliveryStream": "nope", "At": [0]}])));
    assert!(e.contains("Workload[0].DeliveryStream") && e.contains("\"nope\" names no delivery stream"), "{e}");
    let e = errors(scenario(ok_behavior(), &[], json!([{"DeliveryStream": "s", "Function": "transform", "At": [0]}])));
    assert!(e.contains("Workload[0]") && e.contains("give exactly one"), "{e}");
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["DeliveryStreams"][0]["ProcessingConfiguration"]["Processors"][0]["Type"] = json!("Decompression");
    let e = errors(sc);
    assert!(e.contains("Processors[0].Type") && e.contains("\"Decompression\" is not simulated"), "{e}");
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["DeliveryStreams"][0]["BufferingHints"] = json!({});
    let e = errors(sc);
    assert!(e.contains("DeliveryStreams[0]") && e.contains("BufferingHints"), "{e}");
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["DeliveryStreams"][0]["DeliveryStreamName"] = json!("bad name!");
    assert!(errors(sc).contains("DeliveryStreams[0].DeliveryStreamName"));
    let e = errors(scenario(
        ok_behavior(),
        &[],
        json!([{"Name": "p", "DeliveryStream": "s", "At": [0]}, {"Name": "p", "DeliveryStream": "s", "At": [1]}]),
    ));
    assert!(e.contains("Workload[1].Name") && e.contains("must differ"), "{e}");
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["Simulation"] = json!({"FirehoseRetryDelaySeconds": -1});
    assert!(errors(sc).contains("Simulation.FirehoseRetryDelaySeconds"));
    let mut sc = scenario(ok_behavior(), &[], json!([]));
    sc["Expectations"] = json!([{"Name": "x", "Expect": {"FirehoseRecords": {"Fate": "Lost"}}, "Equals": 0}]);
    let e = errors(sc);
    assert!(e.contains("Expectations[0].Expect.FirehoseRecords.Fate") && e.contains("\"Lost\""), "{e}");
}

#[test]
fn cli_rejects_a_bad_value_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("lambdasim-firehose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, scenario(ok_behavior(), &[("BufferSizeInMBs", "64")], json!([])).to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["run", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("BufferSizeInMBs") || err.contains("Parameters[1].ParameterValue"), "{err}");
    assert!(err.contains("0.2 to 3"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
