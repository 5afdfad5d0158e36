//! Real handler code in-process (`lambdasim::handler::inprocess`, docs/semantics.md section 11): the handler's response
//! and errors reach destinations, DLQs and synchronous callers; async retries hand it the same request id and bytes;
//! its `batchItemFailures` drive SQS and Kinesis mappings exactly as Lambda reads them; per-environment state follows
//! cold and warm starts; exits, init errors and failures of the machinery; determinism and the digest.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::handler::inprocess::{Context, HandlerError, InProcess};
use lambdasim::handler::{HandlerFailure, Handlers, Reply, Request};
use lambdasim::model::FnId;
use lambdasim::trace::{Ctx, HandlerReplyKind};
use lambdasim::vocab::{BatchResult, MessageFate, Outcome, RecordFate, RecordKind};
use lambdasim::{load_str, run, Model, Observer, RunOptions, RunReport, SimTime, TraceEvent, TraceLog};

const ACC: &str = "us-east-1:123456789012";

fn sqs(name: &str) -> String {
    format!("arn:aws:sqs:{ACC}:{name}")
}

fn model(sc: &Value) -> Model {
    load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"))
}

/// Records the trace like `Rec`, plus what each synchronous invocation returned to its caller (the `Fate` content).
#[derive(Default)]
struct SyncRec {
    rec: Rec,
    sync_results: Vec<(u64, Value)>,
}

impl Observer for SyncRec {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let (TraceEvent::Fate { event, .. }, Some(c)) = (ev, ctx.content) {
            self.sync_results.push((*event, c.clone()));
        }
        self.rec.on_event(t, ev, ctx);
    }
    fn wants_content(&self) -> bool {
        true
    }
}

fn go(sc: &Value, seed: u64, handlers: &mut dyn Handlers) -> (SyncRec, RunReport) {
    let m = model(sc);
    let mut rec = SyncRec::default();
    let report = run(&m, seed, RunOptions { observers: vec![&mut rec], handlers: Some(handlers), ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    (rec, report)
}

/// One function `orders` with destinations and a DLQ, invoked async at 1 s and synchronously at 2 s.
fn orders_scenario(retries: u32) -> Value {
    json!({
        "Functions": [{
            "FunctionName": "orders", "Timeout": 10,
            "EventInvokeConfig": { "MaximumRetryAttempts": retries, "DestinationConfig": {
                "OnSuccess": { "Destination": sqs("ok") }, "OnFailure": { "Destination": sqs("failed") } } },
            "DeadLetterConfig": { "TargetArn": sqs("dlq") },
            "Behavior": { "Duration": { "Constant": { "Ms": 50 } } }
        }],
        "Queues": [{ "QueueName": "ok" }, { "QueueName": "failed" }, { "QueueName": "dlq" }],
        "Workload": [
            { "Name": "async", "Function": "orders", "InvocationType": "Event", "At": [1], "Payload": { "orderId": "o-1", "amount": 5 } },
            { "Name": "sync", "Function": "orders", "InvocationType": "RequestResponse", "At": [2], "Payload": { "orderId": "o-2", "amount": 7 } }
        ]
    })
}

fn delivered(rec: &Rec, kind: RecordKind) -> Vec<Value> {
    rec.delivered.iter().filter(|d| d.2 == kind).map(|d| d.3.clone()).collect()
}

fn replies(rec: &Rec) -> Vec<(HandlerReplyKind, Vec<u8>)> {
    rec.events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::HandlerReply { kind, body, .. } => Some((*kind, body.to_vec())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_response_reaches_the_on_success_record_and_the_sync_caller() {
    let mut h = InProcess::new().register("orders", |event: &Value, ctx: &Context<'_>| {
        Ok(json!({ "charged": event["amount"], "order": event["orderId"], "rid": ctx.request_id }))
    });
    let (rec, _) = go(&orders_scenario(2), 1, &mut h);
    let ok = delivered(&rec.rec, RecordKind::OnSuccess);
    assert_eq!(ok.len(), 1, "one on-success record for the async event");
    let rid = ok[0]["requestContext"]["requestId"].as_str().expect("request id").to_string();
    assert_eq!(ok[0]["responsePayload"], json!({ "charged": 5, "order": "o-1", "rid": rid }));
    assert_eq!(ok[0]["requestContext"]["condition"], "Success");
    // The synchronous caller gets the handler's response (the sync invocation is event 1).
    assert_eq!(rec.sync_results.len(), 1);
    assert_eq!(rec.sync_results[0].1["charged"], 7);
    assert_eq!(rec.sync_results[0].1["order"], "o-2");
    // Both replies are in the trace, byte for byte.
    let r = replies(&rec.rec);
    assert_eq!(r.len(), 2);
    assert_eq!(serde_json::from_slice::<Value>(&r[0].1).expect("JSON"), ok[0]["responsePayload"]);
}

#[test]
fn an_error_reaches_the_on_failure_record_the_dlq_and_the_sync_caller() {
    let mut h = InProcess::new().register("orders", |event: &Value, _ctx: &Context<'_>| {
        Err(HandlerError::new("ValueError", format!("order {} rejected", event["orderId"].as_str().unwrap_or("?")))
            .with_stack_trace(["  File \"/var/task/app.py\", line 12, in handler", "    raise ValueError(msg)"]))
    });
    let (rec, _) = go(&orders_scenario(0), 1, &mut h);
    let failed = delivered(&rec.rec, RecordKind::OnFailure);
    assert_eq!(failed.len(), 1);
    let rid = failed[0]["requestContext"]["requestId"].as_str().expect("request id").to_string();
    assert_eq!(failed[0]["responseContext"]["functionError"], "Unhandled");
    assert_eq!(
        failed[0]["responsePayload"],
        json!({
            "errorMessage": "order o-1 rejected", "errorType": "ValueError", "requestId": rid,
            "stackTrace": ["  File \"/var/task/app.py\", line 12, in handler", "    raise ValueError(msg)"]
        })
    );
    let dlq = delivered(&rec.rec, RecordKind::DeadLetter);
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0]["attributes"]["ErrorMessage"], "order o-1 rejected");
    assert_eq!(dlq[0]["attributes"]["ErrorCode"], "200");
    assert_eq!(dlq[0]["body"], json!({ "orderId": "o-1", "amount": 5 }));
    assert_eq!(rec.sync_results[0].1["errorType"], "ValueError");
    assert_eq!(rec.sync_results[0].1["errorMessage"], "order o-2 rejected");
    assert_eq!(rec.sync_results[0].1["stackTrace"][1], "    raise ValueError(msg)");
}

/// What a handler saw of one call: (request id, event bytes, deadline ms).
type Call = (String, Vec<u8>, u64);

#[test]
fn async_retries_call_the_handler_again_with_the_same_request_id_and_bytes() {
    let calls: Rc<RefCell<Vec<Call>>> = Rc::default();
    let seen = Rc::clone(&calls);
    let mut h = InProcess::new().register_bytes("orders", move |event: &[u8], ctx: &Context<'_>| {
        seen.borrow_mut().push((ctx.request_id.to_string(), event.to_vec(), ctx.deadline_ms));
        Err(HandlerError::new("Boom", "always"))
    });
    let mut sc = orders_scenario(2);
    sc["Workload"].as_array_mut().expect("workload").truncate(1);
    let (rec, _) = go(&sc, 1, &mut h);
    let calls = calls.borrow();
    assert_eq!(calls.len(), 3, "1 attempt + MaximumRetryAttempts 2");
    assert!(calls.iter().all(|c| c.0 == calls[0].0 && c.1 == calls[0].1), "same request id and bytes on every retry");
    assert_eq!(serde_json::from_slice::<Value>(&calls[0].1).expect("JSON"), json!({ "orderId": "o-1", "amount": 5 }));
    // The deadline is the virtual start of the invoke phase (after a cold start's init) plus the 10 s timeout, in
    // epoch ms of the virtual clock; retries come ~1 and ~2 minutes apart.
    let epoch = model(&sc).settings.start_epoch_ms as u64;
    let expected: Vec<u64> = rec
        .rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::AttemptStart { init, .. } => Some(epoch + (t.as_micros() + init.as_micros()) / 1000 + 10_000),
            _ => None,
        })
        .collect();
    assert_eq!(calls.iter().map(|c| c.2).collect::<Vec<_>>(), expected);
    // (AWS's retries come up to 10 % early: 54–60 s and 108–120 s after the failed attempt.)
    assert!(calls[1].2 - calls[0].2 >= 54_000 && calls[2].2 - calls[1].2 >= 108_000, "{expected:?}");
    let failed = delivered(&rec.rec, RecordKind::OnFailure);
    assert_eq!(failed[0]["requestContext"]["requestId"], calls[0].0.as_str());
    assert_eq!(failed[0]["requestContext"]["approximateInvokeCount"], 3);
}

/// An SQS queue read by `consumer` (three messages at 1 s, one batch).
fn sqs_scenario(report: bool) -> Value {
    let mut mapping =
        json!({ "EventSourceArn": sqs("q"), "FunctionName": "consumer", "BatchSize": 3, "MaximumBatchingWindowInSeconds": 1 });
    if report {
        mapping["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
    }
    json!({
        "Functions": [{ "FunctionName": "consumer", "Timeout": 10, "Behavior": { "Duration": { "Constant": { "Ms": 100 } } } }],
        "Queues": [{ "QueueName": "q", "VisibilityTimeout": 30 }],
        "EventSourceMappings": [mapping],
        "Workload": [
            { "Name": "plain", "Queue": "q", "At": [1, 1], "Payload": { "poison": false } },
            { "Name": "poison", "Queue": "q", "At": [1.5], "Payload": { "poison": true } }
        ],
        "Simulation": { "DurationSeconds": 40 }
    })
}

fn message_events(rec: &Rec) -> (Vec<u64>, Vec<(u64, MessageFate)>, Vec<BatchResult>) {
    let mut returned = vec![];
    let mut fates = vec![];
    let mut batches = vec![];
    for (_, e) in &rec.events {
        match e {
            TraceEvent::MessageReturned { msg, .. } => returned.push(*msg),
            TraceEvent::MessageFate { msg, fate, .. } => fates.push((*msg, *fate)),
            TraceEvent::BatchEnd { result, .. } => batches.push(*result),
            _ => {}
        }
    }
    fates.sort_by_key(|f| f.0);
    (returned, fates, batches)
}

#[test]
fn an_sqs_handler_returning_batch_item_failures_returns_exactly_those_messages() {
    let mut h = InProcess::new().register("consumer", |event: &Value, _ctx: &Context<'_>| {
        let mut failures = vec![];
        for r in event["Records"].as_array().into_iter().flatten() {
            let body: Value = serde_json::from_str(r["body"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
            if body["poison"] == true {
                failures.push(json!({ "itemIdentifier": r["messageId"] }));
            }
        }
        Ok(json!({ "batchItemFailures": failures }))
    });
    let (rec, _) = go(&sqs_scenario(true), 1, &mut h);
    let (returned, fates, batches) = message_events(&rec.rec);
    assert_eq!(batches[0], BatchResult::Partial);
    // Message 2 is the poison one: it alone comes back after the visibility timeout; the others are deleted.
    assert_eq!(returned, vec![2]);
    assert_eq!(fates.iter().filter(|f| f.1 == MessageFate::Deleted).map(|f| f.0).collect::<Vec<_>>(), vec![0, 1]);
}

#[test]
fn a_response_that_is_not_json_fails_the_whole_batch_when_failures_are_reported() {
    let case = |report: bool| {
        let mut h = InProcess::new().register_bytes("consumer", |_event: &[u8], _ctx: &Context<'_>| Ok(b"ok, done".to_vec()));
        let (rec, _) = go(&sqs_scenario(report), 1, &mut h);
        message_events(&rec.rec)
    };
    // With ReportBatchItemFailures: invalid JSON is a complete failure (spec 5.2): all three messages come back.
    let (returned, _, batches) = case(true);
    assert_eq!(batches[0], BatchResult::Failed);
    assert_eq!(returned, vec![0, 1, 2]);
    // Without it, Lambda ignores the response: the batch succeeded.
    let (returned, fates, batches) = case(false);
    assert_eq!(batches, vec![BatchResult::Success]);
    assert!(returned.is_empty());
    assert!(fates.iter().all(|f| f.1 == MessageFate::Deleted));
}

#[test]
fn a_kinesis_handler_partial_response_checkpoints_at_the_reported_record() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 100 } } } }],
        "KinesisStreams": [{ "Name": "s", "ShardCount": 1 }],
        "EventSourceMappings": [{ "EventSourceArn": format!("arn:aws:kinesis:{ACC}:stream/s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 5, "MaximumRetryAttempts": 0, "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumBatchingWindowInSeconds": 1 }],
        "Workload": [{ "Stream": "s", "Every": { "IntervalSeconds": 0.1, "EndSeconds": 0.5 }, "Payload": { "n": "{{n}}" } }],
    });
    let mut h = InProcess::new().register("f", |event: &Value, _ctx: &Context<'_>| {
        // Stop at the first record whose data says n = 2, and report it (records after it are retried anyway).
        for r in event["Records"].as_array().into_iter().flatten() {
            let data = base64::engine::general_purpose::STANDARD.decode(r["kinesis"]["data"].as_str().unwrap_or("")).unwrap_or_default();
            let data: Value = serde_json::from_slice(&data).unwrap_or(Value::Null);
            if data["n"] == "2" || data["n"] == 2 {
                return Ok(json!({ "batchItemFailures": [{ "itemIdentifier": r["kinesis"]["sequenceNumber"] }] }));
            }
        }
        Ok(json!({ "batchItemFailures": [] }))
    });
    let (rec, _) = go(&sc, 1, &mut h);
    let mut fates: Vec<(u64, RecordFate)> = rec
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::RecordFate { seq, fate, .. } => Some((*seq, *fate)),
            _ => None,
        })
        .collect();
    fates.sort();
    use RecordFate::*;
    assert_eq!(fates, vec![(0, Processed), (1, Processed), (2, RetriesExhausted), (3, RetriesExhausted), (4, RetriesExhausted)]);
}

/// `counter` invoked synchronously at 1, 2 and 3 s (one warm environment), then at 20, 21 s after a crash fault at
/// 10 s.
fn counter_scenario() -> Value {
    json!({
        "Functions": [{ "FunctionName": "counter", "Timeout": 5, "Behavior": { "Duration": { "Constant": { "Ms": 10 } } } }],
        "Faults": [{ "Function": "counter", "Kind": "Crash", "StartSeconds": 10, "EndSeconds": 11 }],
        "Workload": [{ "Name": "calls", "Function": "counter", "InvocationType": "RequestResponse", "At": [1, 2, 3, 10, 20, 21] }]
    })
}

#[test]
fn per_environment_state_is_fresh_after_a_cold_start_and_kept_when_warm() {
    let inits = Rc::new(RefCell::new(0u32));
    let count_inits = Rc::clone(&inits);
    let mut h = InProcess::new().register_per_env("counter", move |_ctx: &Context<'_>| {
        *count_inits.borrow_mut() += 1;
        let mut n = 0u64;
        Ok(move |_event: &Value, ctx: &Context<'_>| {
            n += 1;
            Ok(json!({ "n": n, "cold": ctx.cold }))
        })
    });
    let (rec, _) = go(&counter_scenario(), 1, &mut h);
    let results: Vec<Value> = rec.sync_results.iter().map(|r| r.1.clone()).collect();
    // Warm reuse keeps the count; the crash at 10 s (the handler ran, its reply discarded) resets the environment,
    // so the call at 20 s starts fresh.
    assert_eq!(results[0], json!({ "n": 1, "cold": true }));
    assert_eq!(results[1], json!({ "n": 2, "cold": false }));
    assert_eq!(results[2], json!({ "n": 3, "cold": false }));
    assert_eq!(results[3]["errorType"], "Runtime.ExitError", "the crash fault decides the 4th call");
    assert_eq!(results[4], json!({ "n": 1, "cold": true }));
    assert_eq!(results[5], json!({ "n": 2, "cold": false }));
    assert_eq!(*inits.borrow(), 2);
    // The crashed attempt still ran the handler (its side effects happen on AWS too): 6 replies in the trace.
    assert_eq!(replies(&rec.rec).len(), 6);
}

#[test]
fn an_init_error_fails_the_invocation_and_the_environment_is_not_reused() {
    let mut first = true;
    let mut h = InProcess::new().register_per_env("counter", move |_ctx: &Context<'_>| {
        if std::mem::take(&mut first) {
            return Err(HandlerError::new("Runtime.ImportModuleError", "Unable to import module 'app': No module named 'requests'"));
        }
        Ok(|_event: &Value, _ctx: &Context<'_>| Ok(json!("ready")))
    });
    let mut sc = counter_scenario();
    sc["Faults"] = json!([]);
    let (rec, _) = go(&sc, 1, &mut h);
    assert_eq!(rec.sync_results[0].1["errorType"], "Runtime.ImportModuleError");
    assert_eq!(rec.sync_results[1].1, json!("ready"));
    let colds: Vec<bool> = rec
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::AttemptStart { cold, .. } => Some(*cold),
            _ => None,
        })
        .collect();
    assert_eq!(&colds[..3], &[true, true, false], "after the init error the next invocation initialises again");
}

/// A `Handlers` that exits on its first invocation and records the environments that ended.
#[derive(Default)]
struct ExitsOnce {
    calls: u32,
    ended: Vec<u32>,
    colds: Vec<bool>,
}

impl Handlers for ExitsOnce {
    fn serves(&self, _f: FnId) -> bool {
        true
    }
    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure> {
        self.calls += 1;
        self.colds.push(req.cold);
        Ok(if self.calls == 1 { Reply::Exited { status: "exit status 1".into() } } else { Reply::Response(b"{}".to_vec()) })
    }
    fn environment_ended(&mut self, _f: FnId, env: u32) {
        self.ended.push(env);
    }
}

#[test]
fn an_exit_is_runtime_exit_error_and_the_next_invocation_gets_a_new_environment() {
    let mut sc = counter_scenario();
    sc["Faults"] = json!([]);
    let mut h = ExitsOnce::default();
    let (rec, _) = go(&sc, 1, &mut h);
    let err = &rec.sync_results[0].1;
    assert_eq!(err["errorType"], "Runtime.ExitError");
    let msg = err["errorMessage"].as_str().expect("message");
    assert!(msg.starts_with("RequestId: ") && msg.ends_with(" Error: Runtime exited with error: exit status 1"), "{msg}");
    let outcomes: Vec<Outcome> = rec
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::AttemptEnd { outcome, .. } => Some(*outcome),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes[0], Outcome::Crash);
    assert_eq!(h.ended.first(), Some(&0), "environment 0 ended with the exit");
    assert_eq!(&h.colds[..3], &[true, true, false]);
}

#[test]
fn a_deterministic_handler_gives_the_same_digest_and_a_stateful_one_is_named_by_the_check() {
    let sc = orders_scenario(2);
    let m = model(&sc);
    let digest = |seed: u64| {
        let mut h = InProcess::new()
            .register("orders", |e: &Value, ctx: &Context<'_>| Ok(json!({ "order": e["orderId"], "deadline": ctx.deadline_ms })));
        run(&m, seed, RunOptions { handlers: Some(&mut h), ..Default::default() }).expect("run").digest
    };
    assert_eq!(digest(5), digest(5));
    // A handler whose state outlives the run (a counter never reset) answers differently the second time.
    let mut n = 0u32;
    let mut h = InProcess::new().register("orders", move |_e: &Value, _ctx: &Context<'_>| {
        n += 1;
        Ok(json!({ "n": n }))
    });
    let (mut a, mut b) = (TraceLog::default(), TraceLog::default());
    let ra = run(&m, 5, RunOptions { observers: vec![&mut a], handlers: Some(&mut h), ..Default::default() }).expect("run");
    let rb = run(&m, 5, RunOptions { observers: vec![&mut b], handlers: Some(&mut h), ..Default::default() }).expect("run");
    assert_ne!(ra.digest, rb.digest);
    let why = lambdasim::trace::first_difference(&a.events, &b.events, &m, 5).expect("they differ");
    let rid = a.events.iter().find_map(|(_, e)| match e {
        TraceEvent::HandlerReply { rid, .. } => Some(lambdasim::aws::ids::request_id(5, *rid)),
        _ => None,
    });
    assert!(why.contains("function orders") && why.contains(rid.as_deref().expect("a reply")), "{why}");
    assert!(why.contains(r#"Response {"n":1}"#) && why.contains(r#"Response {"n":3}"#), "{why}");
    // The `--trace` line of a reply names the function and request and carries the response as JSON.
    let (t, ev) = a.events.iter().find(|(_, e)| matches!(e, TraceEvent::HandlerReply { .. })).expect("a reply");
    let line = lambdasim::trace::to_json(*t, ev, &Ctx { model: &m, seed: 5, content: None });
    assert_eq!(line["type"], "HandlerReply");
    assert_eq!(line["function"], "orders");
    assert_eq!(line["reply"], "Response");
    assert_eq!(line["body"], json!({ "n": 1 }));
    assert_eq!(line["requestId"].as_str(), rid.as_deref());
}

/// A `Handlers` whose machinery fails on its second invocation.
struct Hangs(u32);

impl Handlers for Hangs {
    fn serves(&self, _f: FnId) -> bool {
        true
    }
    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure> {
        self.0 += 1;
        if self.0 == 2 {
            return Err(HandlerFailure { function: req.function_name.into(), message: "no answer within 30 s".into() });
        }
        Ok(Reply::Response(b"null".to_vec()))
    }
}

#[test]
fn a_handler_failure_ends_the_run_with_an_error_naming_the_function_and_request() {
    let m = model(&counter_scenario());
    let err = run(&m, 1, RunOptions { handlers: Some(&mut Hangs(0)), ..Default::default() }).expect_err("the run fails");
    let f = lambdasim::run::handler_failure(&err).expect("a handler failure");
    assert_eq!(f.function, "counter");
    assert!(f.message.starts_with("no answer within 30 s (request id ") && f.message.len() > 60, "{}", f.message);
    // A handler registered for a function the scenario does not have: a clear error before the run starts.
    let mut h = InProcess::new().register("countr", |_e: &Value, _c: &Context<'_>| Ok(Value::Null));
    let err = run(&m, 1, RunOptions { handlers: Some(&mut h), ..Default::default() }).expect_err("unknown name");
    let f = lambdasim::run::handler_failure(&err).expect("a handler failure");
    assert_eq!(f.function, "countr");
    assert!(f.message.contains("no such function (it has: counter)"), "{}", f.message);
}

#[test]
fn measured_durations_are_flagged_as_not_reproducible() {
    let m = model(&counter_scenario());
    let mut h = InProcess::new().register("counter", |_e: &Value, _c: &Context<'_>| Ok(Value::Null));
    let opts = RunOptions {
        handlers: Some(&mut h),
        handler_duration: lambdasim::run::HandlerDuration::Measured { scale: 1.0 },
        ..Default::default()
    };
    assert!(run(&m, 1, opts).expect("run").measured_durations);
    let mut h = InProcess::new().register("counter", |_e: &Value, _c: &Context<'_>| Ok(Value::Null));
    assert!(!run(&m, 1, RunOptions { handlers: Some(&mut h), ..Default::default() }).expect("run").measured_durations);
}

#[test]
fn a_firehose_transformation_handler_decides_each_record() {
    let sc = json!({
        "Functions": [{ "FunctionName": "transform", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 100 } } } }],
        "DeliveryStreams": [{
            "DeliveryStreamName": "s",
            "ProcessingConfiguration": { "Enabled": true, "Processors": [{ "Type": "Lambda", "Parameters": [
                { "ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:123456789012:function:transform" }] }] }
        }],
        "Workload": [{ "DeliveryStream": "s", "At": [1, 1, 1], "Payload": { "keep": true } }, { "DeliveryStream": "s", "At": [1], "Payload": { "keep": false } }]
    });
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut h = InProcess::new().register("transform", move |event: &Value, _ctx: &Context<'_>| {
        let records: Vec<Value> = event["records"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let data: Value =
                    serde_json::from_slice(&b64.decode(r["data"].as_str().unwrap_or("")).unwrap_or_default()).unwrap_or(Value::Null);
                let keep = data["keep"] == true;
                let out = b64.encode(json!({ "kept": keep }).to_string());
                json!({ "recordId": r["recordId"], "result": if keep { "Ok" } else { "Dropped" }, "data": out })
            })
            .collect();
        Ok(json!({ "records": records }))
    });
    let (rec, _) = go(&sc, 1, &mut h);
    let fates: Vec<lambdasim::vocab::FirehoseFate> = rec
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::FirehoseRecordFate { fate, .. } => Some(*fate),
            _ => None,
        })
        .collect();
    use lambdasim::vocab::FirehoseFate::*;
    assert_eq!(fates.iter().filter(|f| **f == Delivered).count(), 3, "{fates:?}");
    assert_eq!(fates.iter().filter(|f| **f == Dropped).count(), 1, "{fates:?}");
    // A transformation that answers with something other than `records` fails the invocation as Firehose reads it.
    let mut bad = InProcess::new().register_bytes("transform", |_e: &[u8], _c: &Context<'_>| Ok(b"[]".to_vec()));
    let (rec, _) = go(&sc, 1, &mut bad);
    assert!(rec
        .rec
        .events
        .iter()
        .any(|(_, e)| matches!(e, TraceEvent::FirehoseInvokeEnd { result: lambdasim::vocab::FirehoseInvokeResult::InvalidResponse, .. })));
}

/// The handler reads the payload's bytes as the scenario wrote them (spaces and key order included), as a real
/// function reads the bytes its caller sent; the DLQ body is the same bytes.
#[test]
fn a_handler_reads_the_payload_bytes_as_written() {
    let seen: Rc<RefCell<Vec<Vec<u8>>>> = Rc::default();
    let s2 = Rc::clone(&seen);
    let mut h = InProcess::new().register_bytes("f", move |event: &[u8], _ctx: &Context<'_>| {
        s2.borrow_mut().push(event.to_vec());
        Err(HandlerError::new("Boom", "always"))
    });
    let text = r#"{"Functions": [{"FunctionName": "f", "EventInvokeConfig": {"MaximumRetryAttempts": 1},
        "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}}],
      "Queues": [{"QueueName": "dlq"}],
      "Workload": [{"Function": "f", "At": [0], "Payload": {"zeta": 1,   "alpha": [1, 2], "n": "{{n}}"}}]}"#;
    let m = load_str(text).unwrap_or_else(|e| panic!("{e}"));
    let mut sinks = lambdasim::MemorySinks::default();
    run(&m, 1, RunOptions { observers: vec![&mut sinks], handlers: Some(&mut h), ..Default::default() }).expect("run");
    let want = br#"{"zeta": 1,   "alpha": [1, 2], "n": 0}"#.to_vec();
    assert_eq!(*seen.borrow(), vec![want.clone(), want.clone()], "both attempts get the bytes as written");
    let (_, _, wire) = sinks.messages.iter().find(|x| x.0 == "dlq").expect("DLQ message");
    assert_eq!(wire["body"].as_str().expect("body").as_bytes(), &want[..]);
}

/// An execution on a provisioned-concurrency environment is told so (`AWS_LAMBDA_INITIALIZATION_TYPE` is
/// `provisioned-concurrency` there), one that spills over to an on-demand environment is not.
#[test]
fn a_handler_knows_whether_its_environment_is_provisioned() {
    let seen: Rc<RefCell<Vec<(u32, bool)>>> = Rc::default();
    let s2 = Rc::clone(&seen);
    let mut h = InProcess::new().register("api", move |_event: &Value, ctx: &Context<'_>| {
        s2.borrow_mut().push((ctx.env, ctx.provisioned));
        Ok(json!({}))
    });
    // two requests at once with one provisioned environment: one runs there, the other spills over
    let sc = json!({
        "Functions": [{"FunctionName": "api", "ReservedConcurrentExecutions": 4, "ProvisionedConcurrency": 1,
                       "Behavior": {"Duration": {"Constant": {"Ms": 100}}}}],
        "Workload": [{"Function": "api", "InvocationType": "RequestResponse", "At": [60, 60], "Payload": {}}]
    });
    let (rec, _) = go(&sc, 1, &mut h);
    let starts: Vec<(u32, bool)> = rec
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::AttemptStart { env, provisioned, .. } => Some((*env, *provisioned)),
            _ => None,
        })
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(starts.iter().filter(|s| s.1).count(), 1, "one execution on the provisioned environment: {starts:?}");
    assert_eq!(*seen.borrow(), starts, "the handler sees what the trace records");
}
