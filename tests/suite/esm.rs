//! Event source mappings against the AWS semantics reference (`docs/semantics.md`, section 5 and the
//! stream on-failure record of 3.3): exact times of visibility timeouts and redrives, partial batch responses, FIFO
//! groups, stream retries, bisecting, record age, throttles, filtering, tumbling windows, scaling; and `insta`
//! snapshots of what the function receives and of the on-failure records, for each behaviour.

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::trace::MsgOrigin;
use lambdasim::vocab::{BatchResult, MessageFate, RecordFate};
use lambdasim::{load_str, run, RunOptions, RunReport, SimTime, TraceEvent};

const ACC: &str = "us-east-1:123456789012";

fn sqs(name: &str) -> String {
    format!("arn:aws:sqs:{ACC}:{name}")
}
fn kinesis(name: &str) -> String {
    format!("arn:aws:kinesis:{ACC}:stream/{name}")
}
fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn go(scenario: &Value, seed: u64) -> (Rec, RunReport) {
    let model = load_str(&scenario.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    let report = run(&model, seed, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    (rec, report)
}

fn bundled(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))).expect("bundled scenario");
    serde_json::from_str(&text).expect("json")
}

/// An SQS mapping on queue `q` for function `f` with a rule list, and producers.
fn sqs_scenario(queue: Value, mapping: Value, rules: Value, workload: Value) -> Value {
    json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 10, "Behavior": { "Duration": { "Constant": { "Ms": 100 } }, "Rules": rules } }],
        "Queues": [queue, { "QueueName": "dlq" }],
        "EventSourceMappings": [mapping],
        "Workload": workload,
    })
}

fn receives_of(rec: &Rec, msg: u64) -> Vec<(SimTime, u32)> {
    rec.events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::MessageReceived { msg: m, receives, .. } if *m == msg => Some((*t, *receives)),
            _ => None,
        })
        .collect()
}

fn message_fate(rec: &Rec, msg: u64) -> (SimTime, MessageFate, u32) {
    rec.events
        .iter()
        .find_map(|(t, e)| match e {
            TraceEvent::MessageFate { msg: m, fate, receives, .. } if *m == msg => Some((*t, *fate, *receives)),
            _ => None,
        })
        .expect("message has a fate")
}

fn batch_results(rec: &Rec) -> Vec<BatchResult> {
    rec.events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchEnd { result, .. } => Some(*result),
            _ => None,
        })
        .collect()
}

/// The payload of the invocation of batch number `n` (in start order).
fn batch_input(rec: &Rec, n: usize) -> Value {
    let event = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchStart { event, .. } => Some(*event),
            _ => None,
        })
        .nth(n)
        .expect("batch started");
    rec.inputs.iter().find(|(e, _)| *e == event).map(|(_, v)| v.clone()).expect("payload recorded")
}

// ---------------------------------------------------------------------------------------------------------------------
// SQS (spec 5.2)

#[test]
fn a_failed_batch_reappears_after_the_visibility_timeout_and_is_redriven_after_max_receive_count() {
    let sc = sqs_scenario(
        json!({ "QueueName": "q", "VisibilityTimeout": 45, "RedrivePolicy": { "deadLetterTargetArn": sqs("dlq"), "maxReceiveCount": 2 } }),
        json!({ "EventSourceArn": sqs("q"), "FunctionName": "f" }),
        json!([{ "Then": { "Outcome": "Fail" } }]),
        json!([{ "Queue": "q", "At": [1], "Payload": { "n": 1 } }]),
    );
    let (rec, _) = go(&sc, 1);
    // Received at 1 s; invisible for 45 s from the receive; received again at 46 s; at 91 s the third receive would
    // exceed maxReceiveCount 2, so SQS moves it to the dead-letter queue instead.
    assert_eq!(receives_of(&rec, 0), vec![(secs(1.0), 1), (secs(46.0), 2)]);
    assert_eq!(message_fate(&rec, 0), (secs(91.0), MessageFate::Redriven, 2));
    let copy = rec.events.iter().find_map(|(t, e)| match e {
        TraceEvent::MessageSent { msg, origin: MsgOrigin::Redrive { msg: from, .. }, .. } => Some((*t, *msg, *from)),
        _ => None,
    });
    assert_eq!(copy, Some((secs(91.0), 1, 0)));
    assert_eq!(message_fate(&rec, 1).1, MessageFate::Stored, "the DLQ has no mapping: it keeps the message");
    assert_eq!(batch_results(&rec), vec![BatchResult::Failed, BatchResult::Failed]);
}

#[test]
fn partial_batch_responses_follow_the_documented_rules() {
    // One message of three carries a marker; the rule for it returns the given response.
    let case = |response: Value, report: bool| -> (Vec<BatchResult>, Vec<MessageFate>) {
        let mut mapping = json!({ "EventSourceArn": sqs("q"), "FunctionName": "f", "BatchSize": 3, "MaximumBatchingWindowInSeconds": 1 });
        if report {
            mapping["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
        }
        let sc = sqs_scenario(
            json!({ "QueueName": "q", "VisibilityTimeout": 30, "RedrivePolicy": { "deadLetterTargetArn": sqs("dlq"), "maxReceiveCount": 1 } }),
            mapping,
            json!([{ "When": { "Payload": { "body": { "marker": [true] } } }, "Then": { "Outcome": "Succeed", "Response": response } }]),
            json!([
                { "Name": "plain", "Queue": "q", "At": [1, 1], "Payload": { "marker": false } },
                { "Name": "marked", "Queue": "q", "At": [1], "Payload": { "marker": true } },
            ]),
        );
        let (rec, _) = go(&sc, 1);
        let fates = (0..3).map(|m| message_fate(&rec, m).1).collect();
        (batch_results(&rec), fates)
    };
    use BatchResult::*;
    use MessageFate::*;
    // Empty or null list: complete success.
    assert_eq!(case(json!({ "batchItemFailures": [] }), true), (vec![Success], vec![Deleted, Deleted, Deleted]));
    assert_eq!(case(json!({ "batchItemFailures": null }), true), (vec![Success], vec![Deleted, Deleted, Deleted]));
    // An empty, null or unknown identifier, or a badly keyed entry: the whole batch failed (every message redriven
    // at its next receive, maxReceiveCount 1).
    for bad in [
        json!([{ "itemIdentifier": "" }]),
        json!([{ "itemIdentifier": null }]),
        json!([{ "itemIdentifier": "nope" }]),
        json!([{ "id": "x" }]),
    ] {
        assert_eq!(case(json!({ "batchItemFailures": bad }), true), (vec![Failed], vec![Redriven, Redriven, Redriven]), "{bad}");
    }
    // Without ReportBatchItemFailures the response is ignored.
    assert_eq!(
        case(json!({ "batchItemFailures": [{ "itemIdentifier": "nope" }] }), false),
        (vec![Success], vec![Deleted, Deleted, Deleted])
    );
}

#[test]
fn reported_failures_are_the_only_messages_that_reappear() {
    let (rec, report) = go(&bundled("sqs-partial-batch.json"), 3);
    assert!(report.verdicts.iter().all(|v| v.passed), "{:?}", report.verdicts);
    // Every MessageReturned is a poison message (the rest of its batch was deleted).
    let poison: Vec<u64> = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::MessageFate { msg, fate: MessageFate::Redriven, .. } => Some(*msg),
            _ => None,
        })
        .collect();
    assert_eq!(poison.len(), 3);
    for (_, e) in &rec.events {
        if let TraceEvent::MessageReturned { msg, .. } = e {
            assert!(poison.contains(msg), "message {msg} reappeared but was not reported");
        }
    }
}

#[test]
fn fifo_keeps_group_order_and_blocks_a_group_while_it_retries() {
    let (rec, report) = go(&bundled("sqs-fifo-groups.json"), 1);
    assert!(report.verdicts.iter().all(|v| v.passed), "{:?}", report.verdicts);
    // Producer 0 is alice, 1 is bob; deletions per group happen in send order.
    let mut group = std::collections::BTreeMap::new();
    let mut deleted: Vec<Vec<u64>> = vec![vec![], vec![]];
    for (_, e) in &rec.events {
        match e {
            TraceEvent::MessageSent { msg, origin: MsgOrigin::Producer(p), .. } => {
                group.insert(*msg, *p as usize);
            }
            TraceEvent::MessageFate { msg, fate: MessageFate::Deleted, .. } => deleted[group[msg]].push(*msg),
            _ => {}
        }
    }
    for d in &deleted {
        assert!(d.windows(2).all(|w| w[0] < w[1]), "group deleted out of order: {d:?}");
        assert_eq!(d.len(), 20);
    }
    // alice-3 (message 6) fails twice: nothing later of alice is received before its third receive at 61.5 s.
    let third = receives_of(&rec, 6)[2].0;
    assert_eq!(third, secs(61.5));
    for (t, e) in &rec.events {
        if let TraceEvent::MessageReceived { msg, receives: 1, .. } = e {
            if group[msg] == 0 && *msg > 6 {
                assert!(*t >= secs(1.58), "alice's message {msg} was received at {t} while message 6 was in flight");
            }
        }
    }
}

#[test]
fn a_fifo_deduplication_id_seen_within_five_minutes_is_not_delivered_twice() {
    let sc = sqs_scenario(
        json!({ "QueueName": "q.fifo", "VisibilityTimeout": 30, "ContentBasedDeduplication": true }),
        json!({ "EventSourceArn": sqs("q.fifo"), "FunctionName": "f" }),
        json!([]),
        json!([{ "Queue": "q.fifo", "MessageGroupId": "g", "At": [1, 2, 400], "Payload": { "same": "body" } }]),
    );
    let (rec, _) = go(&sc, 1);
    let fates: Vec<MessageFate> = (0..3).map(|m| message_fate(&rec, m).1).collect();
    assert_eq!(fates, vec![MessageFate::Deleted, MessageFate::Deduplicated, MessageFate::Deleted]);
}

#[test]
fn filtered_messages_are_deleted_without_an_invocation() {
    let mut sc = sqs_scenario(
        json!({ "QueueName": "q" }),
        json!({ "EventSourceArn": sqs("q"), "FunctionName": "f", "FilterCriteria": { "Filters": [{ "Pattern": "{\"body\": {\"kind\": [\"order\"]}}" }] } }),
        json!([]),
        json!([
            { "Name": "orders", "Queue": "q", "Every": { "IntervalSeconds": 1, "EndSeconds": 10 }, "Payload": { "kind": "order" } },
            { "Name": "noise", "Queue": "q", "Every": { "IntervalSeconds": 1, "StartSeconds": 0.5, "EndSeconds": 10 }, "Payload": { "kind": "ping" } },
        ]),
    );
    sc["Expectations"] = json!([
        { "Expect": { "MessageFates": { "Queue": "q", "Fate": "Filtered" } }, "Equals": 10 },
        { "Expect": { "MessageFates": { "Queue": "q", "Fate": "Deleted" } }, "Equals": 10 },
    ]);
    let (rec, report) = go(&sc, 1);
    assert!(report.verdicts.iter().all(|v| v.passed), "{:?}", report.verdicts);
    let invoked: u32 =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::BatchStart { records, .. } = e { Some(*records) } else { None }).sum();
    assert_eq!(invoked, 10);
}

#[test]
fn the_sqs_poller_starts_at_5_and_adds_300_per_minute_up_to_maximum_concurrency() {
    let sc = |max: Option<u32>| {
        let mut mapping = json!({ "EventSourceArn": sqs("q"), "FunctionName": "f", "BatchSize": 1 });
        if let Some(m) = max {
            mapping["ScalingConfig"] = json!({ "MaximumConcurrency": m });
        }
        json!({
            "Functions": [{ "FunctionName": "f", "Timeout": 60, "Behavior": { "Duration": { "Constant": { "Ms": 50000 } } } }],
            "Queues": [{ "QueueName": "q", "VisibilityTimeout": 300 }],
            "EventSourceMappings": [mapping],
            "Workload": [{ "Queue": "q", "Burst": { "AtSeconds": 0, "Count": 2000 } }],
            "Simulation": { "DurationSeconds": 45 },
        })
    };
    let concurrency_at = |rec: &Rec, at: SimTime| -> i64 {
        rec.events
            .iter()
            .filter(|(t, _)| *t <= at)
            .map(|(_, e)| match e {
                TraceEvent::BatchStart { .. } => 1,
                TraceEvent::BatchEnd { .. } => -1,
                _ => 0,
            })
            .sum()
    };
    let (rec, _) = go(&sc(None), 1);
    assert_eq!(concurrency_at(&rec, secs(0.0)), 5);
    // +1 every 200 ms while messages wait: 5 + 150 after 30 s.
    assert_eq!(concurrency_at(&rec, secs(30.0)), 155);
    let (rec, _) = go(&sc(Some(20)), 1);
    assert_eq!(concurrency_at(&rec, secs(30.0)), 20);
}

#[test]
fn reserved_concurrency_zero_stops_the_mapping() {
    let mut sc = sqs_scenario(
        json!({ "QueueName": "q" }),
        json!({ "EventSourceArn": sqs("q"), "FunctionName": "f" }),
        json!([]),
        json!([{ "Queue": "q", "At": [1, 2, 3] }]),
    );
    sc["Functions"][0]["ReservedConcurrentExecutions"] = json!(0);
    let (rec, _) = go(&sc, 1);
    assert!(!rec.events.iter().any(|(_, e)| matches!(e, TraceEvent::BatchStart { .. })));
    // Nobody reads them: they expire after the default retention of 4 days.
    assert_eq!(message_fate(&rec, 0), (secs(1.0 + 345_600.0), MessageFate::Expired, 0));
    assert_eq!((0..3).map(|m| message_fate(&rec, m).1).collect::<Vec<_>>(), vec![MessageFate::Expired; 3]);
}

#[test]
fn a_throttled_sqs_batch_retries_until_its_visibility_timeout_then_the_receive_counts() {
    // Reserved concurrency 1 and a 20 s function: the second batch is throttled, backs off 1, 2, 4, 8 s... and is
    // given up once the next try would pass its visibility timeout (spec 5.2); the message reappears and is received
    // again with ApproximateReceiveCount 2.
    let sc = json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 25, "ReservedConcurrentExecutions": 1, "Behavior": { "Duration": { "Constant": { "Ms": 20000 } } } }],
        "Queues": [{ "QueueName": "q", "VisibilityTimeout": 25 }],
        "EventSourceMappings": [{ "EventSourceArn": sqs("q"), "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q", "At": [0, 0] }],
    });
    let (rec, _) = go(&sc, 1);
    let throttled: Vec<SimTime> = rec
        .events
        .iter()
        .filter_map(|(t, e)| matches!(e, TraceEvent::BatchEnd { result: BatchResult::Throttled, .. }).then_some(*t))
        .collect();
    assert_eq!(throttled, vec![secs(0.0), secs(1.0), secs(3.0), secs(7.0), secs(15.0)]);
    assert_eq!(receives_of(&rec, 1), vec![secs(0.0), secs(25.0)].into_iter().zip([1, 2]).collect::<Vec<_>>());
    assert_eq!(message_fate(&rec, 1).1, MessageFate::Deleted);
}

#[test]
fn records_sent_to_a_queue_feed_another_functions_mapping() {
    // An async function's on-failure destination is a queue that a second function reads: the record is a message
    // there, and its body is the invocation record.
    let sc = json!({
        "Functions": [
            { "FunctionName": "a", "EventInvokeConfig": { "MaximumRetryAttempts": 0, "DestinationConfig": { "OnFailure": { "Destination": sqs("failures") } } },
              "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail", "ErrorType": "Boom", "ErrorMessage": "no" } }] } },
            { "FunctionName": "b", "Timeout": 10, "Behavior": { "Rules": [{ "When": { "Payload": { "body": { "requestContext": { "condition": ["RetriesExhausted"] } } } }, "Then": { "Outcome": "Succeed" } }] } }
        ],
        "Queues": [{ "QueueName": "failures" }],
        "EventSourceMappings": [{ "EventSourceArn": sqs("failures"), "FunctionName": "b" }],
        "Workload": [{ "Function": "a", "At": [1], "Payload": { "order": 7 } }],
    });
    let (rec, _) = go(&sc, 1);
    let input = batch_input(&rec, 0);
    let body: Value = serde_json::from_str(input["Records"][0]["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(body["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(body["requestPayload"], json!({ "order": 7 }));
    assert_eq!(message_fate(&rec, 0).1, MessageFate::Deleted);
}

// ---------------------------------------------------------------------------------------------------------------------
// Streams (spec 5.3)

fn stream_scenario(mapping: Value, rules: Value, workload: Value, extra: Value) -> Value {
    let mut sc = json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 100 } }, "Rules": rules } }],
        "KinesisStreams": [{ "Name": "s", "ShardCount": 1 }],
        "Queues": [{ "QueueName": "onfail" }],
        "EventSourceMappings": [mapping],
        "Workload": workload,
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            sc[k] = v;
        }
    }
    sc
}

fn record_fates(rec: &Rec) -> Vec<(u64, RecordFate)> {
    let mut v: Vec<(u64, RecordFate)> = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::RecordFate { seq, fate, .. } => Some((*seq, *fate)),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_failing_batch_blocks_its_shard_for_maximum_retry_attempts_plus_one_executions() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "BatchSize": 10, "MaximumRetryAttempts": 2,
                "DestinationConfig": { "OnFailure": { "Destination": sqs("onfail") } } }),
        json!([{ "When": { "Payload": { "data": { "bad": [true] } } }, "Then": { "Outcome": "Fail" } }]),
        json!([
            { "Name": "good", "Stream": "s", "At": [0.1, 0.2, 5], "Payload": { "bad": false } },
            { "Name": "bad", "Stream": "s", "At": [0.3], "Payload": { "bad": true } },
        ]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    let starts: Vec<(u32, u32)> = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchStart { records, attempt, .. } => Some((*records, *attempt)),
            _ => None,
        })
        .collect();
    // The batch of 3 runs 3 times (1 + 2 retries), is discarded, then the shard moves on to the record at 5 s.
    assert_eq!(starts, vec![(3, 1), (3, 2), (3, 3), (1, 1)]);
    assert_eq!(
        record_fates(&rec),
        vec![
            (0, RecordFate::RetriesExhausted),
            (1, RecordFate::RetriesExhausted),
            (2, RecordFate::RetriesExhausted),
            (3, RecordFate::Processed)
        ]
    );
    let (_, _, _, record) = rec.delivered.iter().find(|d| d.1 == "onfail").expect("on-failure record");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(record["KinesisBatchInfo"]["batchSize"], 3);
    let first = batch_input(&rec, 0);
    assert_eq!(record["KinesisBatchInfo"]["startSequenceNumber"], first["Records"][0]["kinesis"]["sequenceNumber"]);
    assert_eq!(record["KinesisBatchInfo"]["endSequenceNumber"], first["Records"][2]["kinesis"]["sequenceNumber"]);
}

#[test]
fn bisecting_isolates_the_bad_record_without_using_the_retry_budget() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "BatchSize": 8, "MaximumRetryAttempts": 1,
                "BisectBatchOnFunctionError": true, "MaximumBatchingWindowInSeconds": 2 }),
        json!([{ "When": { "Payload": { "data": { "n": [5] } } }, "Then": { "Outcome": "Fail" } }]),
        json!([{ "Stream": "s", "Every": { "IntervalSeconds": 0.1, "EndSeconds": 0.8 }, "Payload": { "n": "{{n}}" } }]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    let sizes: Vec<(u32, u32)> = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchStart { records, attempt, .. } => Some((*records, *attempt)),
            _ => None,
        })
        .collect();
    // 8 -> 4 + 4; [0..4) ok, [4..8) fails -> [4,5] + [6,7]; [4,5] fails -> [4] ok, [5] fails twice (1 + 1 retry);
    // then [6,7].
    assert_eq!(sizes, vec![(8, 1), (4, 1), (4, 1), (2, 1), (1, 1), (1, 1), (1, 2), (2, 1)]);
    let fates = record_fates(&rec);
    assert_eq!(fates.iter().filter(|f| f.1 == RecordFate::Processed).count(), 7);
    assert_eq!(fates[5], (5, RecordFate::RetriesExhausted));
}

#[test]
fn partial_responses_checkpoint_at_the_lowest_reported_sequence_number() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "BatchSize": 5, "MaximumRetryAttempts": 0,
                "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumBatchingWindowInSeconds": 1 }),
        json!([{ "When": { "Payload": { "data": { "n": [2] } } }, "Then": { "Outcome": "Fail" } }]),
        json!([{ "Stream": "s", "Every": { "IntervalSeconds": 0.1, "EndSeconds": 0.5 }, "Payload": { "n": "{{n}}" } }]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    // Records 0 and 1 are checkpointed; 2, 3, 4 start a new batch at the reported sequence number with a fresh
    // retry budget (recorded on AWS, conformance KIN-PBR): executed once more, they fail again and, with no retries
    // left, are discarded together.
    assert_eq!(
        record_fates(&rec),
        vec![
            (0, RecordFate::Processed),
            (1, RecordFate::Processed),
            (2, RecordFate::RetriesExhausted),
            (3, RecordFate::RetriesExhausted),
            (4, RecordFate::RetriesExhausted)
        ]
    );
    assert_eq!(batch_results(&rec), vec![BatchResult::Partial, BatchResult::Partial]);
    let response_id = batch_input(&rec, 0)["Records"][2]["kinesis"]["sequenceNumber"].clone();
    assert!(response_id.as_str().is_some_and(|s| s.len() == 56), "Kinesis sequence numbers have 56 digits: {response_id}");
}

#[test]
fn records_past_maximum_record_age_are_discarded_with_their_condition() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "MaximumRecordAgeInSeconds": 60,
                "DestinationConfig": { "OnFailure": { "Destination": sqs("onfail") } } }),
        json!([{ "Then": { "Outcome": "Fail" } }]),
        json!([{ "Stream": "s", "At": [0] }]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    let (t, fate) = rec
        .events
        .iter()
        .find_map(|(t, e)| match e {
            TraceEvent::RecordFate { fate, .. } => Some((*t, *fate)),
            _ => None,
        })
        .expect("fate");
    assert_eq!(fate, RecordFate::RecordAgeExceeded);
    // Retries back off (doubling from 0.33 s): the record is found too old at the retry after 60 s.
    assert!(t >= secs(60.0) && t < secs(120.0), "discarded at {t}");
    let (_, _, _, record) = rec.delivered.iter().find(|d| d.1 == "onfail").expect("on-failure record");
    assert_eq!(record["requestContext"]["condition"], "RecordAgeExceeded");
    // As recorded on AWS (MaximumRetryAttempts -1, MaximumRecordAgeInSeconds 60): 8 invocations, and the record has
    // no `responseContext` (conformance KIN-AGE).
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 8);
    assert!(record.get("responseContext").is_none(), "{record}");
}

#[test]
fn throttles_do_not_use_the_stream_retry_budget() {
    // Two shards, reserved concurrency 1, a slow function and MaximumRetryAttempts 0: one shard's batches are
    // throttled again and again, yet nothing is discarded.
    let mut sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "MaximumRetryAttempts": 0 }),
        json!([]),
        json!([{ "Stream": "s", "PartitionKey": "k{{n}}", "Every": { "IntervalSeconds": 0.5, "EndSeconds": 20 } }]),
        json!({}),
    );
    sc["KinesisStreams"][0]["ShardCount"] = json!(2);
    sc["Functions"][0]["ReservedConcurrentExecutions"] = json!(1);
    sc["Functions"][0]["Behavior"]["Duration"] = json!({ "Constant": { "Ms": 900 } });
    let (rec, _) = go(&sc, 1);
    assert!(batch_results(&rec).contains(&BatchResult::Throttled));
    assert!(record_fates(&rec).iter().all(|(_, f)| *f == RecordFate::Processed));
}

#[test]
fn tumbling_windows_carry_state_and_end_with_a_final_invocation() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "TumblingWindowInSeconds": 10, "BatchSize": 2 }),
        json!([]),
        json!([{ "Stream": "s", "At": [1, 2, 3, 4, 5, 12] }]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    let inputs: Vec<Value> = (0..)
        .map_while(|i| std::panic::catch_unwind(|| batch_input(&rec, i)).ok())
        .map(|v| json!({ "n": v["Records"].as_array().map_or(0, |a| a.len()), "state": v["state"], "final": v["isFinalInvokeForWindow"], "window": v["window"] }))
        .collect();
    insta::assert_json_snapshot!("tumbling_window_invocations", inputs);
    let last_of_first = inputs.iter().position(|v| v["final"] == true).expect("a final invocation");
    assert_eq!(inputs[last_of_first]["state"], json!({ "recordCount": 5 }));
}

#[test]
fn a_tumbling_window_response_without_state_fails_the_batch() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "TumblingWindowInSeconds": 10, "MaximumRetryAttempts": 1 }),
        json!([{ "Then": { "Outcome": "Succeed", "Response": { "batchItemFailures": [] } } }]),
        json!([{ "Stream": "s", "At": [1] }]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    assert_eq!(batch_results(&rec)[..2], [BatchResult::Failed, BatchResult::Failed]);
    assert_eq!(record_fates(&rec), vec![(0, RecordFate::RetriesExhausted)]);
}

#[test]
fn at_timestamp_skips_earlier_records_and_filters_skip_stream_records() {
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 10,
                "FilterCriteria": { "Filters": [{ "Pattern": { "data": { "keep": [true] } } }] } }),
        json!([]),
        json!([
            { "Name": "kept", "Stream": "s", "At": [5, 15], "Payload": { "keep": true } },
            { "Name": "dropped", "Stream": "s", "At": [16], "Payload": { "keep": false } },
        ]),
        json!({}),
    );
    let (rec, _) = go(&sc, 1);
    assert_eq!(record_fates(&rec), vec![(0, RecordFate::NotRead), (1, RecordFate::Processed), (2, RecordFate::Filtered)]);
}

#[test]
fn partition_keys_are_hashed_to_shards_with_md5() {
    // MD5("a") = 0cc175b9..., below 2^128/4: shard 0 of 4; MD5("b") = 92eb5ffe...: shard 2 of 4.
    let sc = stream_scenario(
        json!({ "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON" }),
        json!([]),
        json!([{ "Name": "a", "Stream": "s", "PartitionKey": "a", "At": [1] }, { "Name": "b", "Stream": "s", "PartitionKey": "b", "At": [2] }]),
        json!({ "KinesisStreams": [{ "Name": "s", "ShardCount": 4 }] }),
    );
    let (rec, _) = go(&sc, 1);
    let shards: Vec<u32> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::RecordPut { shard, .. } = e { Some(*shard) } else { None }).collect();
    assert_eq!(shards, vec![0, 2]);
}

// ---------------------------------------------------------------------------------------------------------------------
// What the function receives, and the on-failure records (snapshots)

#[test]
fn snapshot_inputs_and_records_of_each_mapping_kind() {
    let (rec, _) = go(&bundled("sqs-partial-batch.json"), 1);
    insta::assert_json_snapshot!("sqs_standard_batch", batch_input(&rec, 0));
    let (rec, _) = go(&bundled("sqs-fifo-groups.json"), 1);
    insta::assert_json_snapshot!("sqs_fifo_batch", batch_input(&rec, 0));
    let (rec, _) = go(&bundled("kinesis-poison-bisect.json"), 1);
    insta::assert_json_snapshot!("kinesis_batch", batch_input(&rec, 0));
    let record = &rec.delivered.iter().find(|d| d.1 == "telemetry-failures").expect("on-failure record").3;
    insta::assert_json_snapshot!("kinesis_on_failure_record", record);
    let (rec, _) = go(&bundled("dynamodb-onfailure-s3.json"), 1);
    insta::assert_json_snapshot!("dynamodb_batch", batch_input(&rec, 0));
    let record = &rec.delivered.iter().find(|d| d.1 == "payments-failures").expect("on-failure record").3;
    insta::assert_json_snapshot!("dynamodb_on_failure_record_s3", record);
}

#[test]
fn bundled_mapping_scenarios_meet_their_expectations_over_seeds() {
    for name in [
        "sqs-standard-redrive.json",
        "sqs-partial-batch.json",
        "sqs-fifo-groups.json",
        "kinesis-poison-bisect.json",
        "dynamodb-onfailure-s3.json",
    ] {
        for seed in 1..=5 {
            let (_, report) = go(&bundled(name), seed);
            assert!(report.verdicts.iter().all(|v| v.passed), "{name} seed {seed}: {:?}", report.verdicts);
        }
    }
}

#[test]
fn a_mapping_disabled_and_re_enabled_on_the_timeline_pauses_and_resumes() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 10 }],
        "Queues": [{ "QueueName": "q" }],
        "KinesisStreams": [{ "Name": "s" }],
        "EventSourceMappings": [
            { "EventSourceArn": sqs("q"), "FunctionName": "f" },
            { "EventSourceArn": kinesis("s"), "FunctionName": "f", "StartingPosition": "TRIM_HORIZON" }
        ],
        "Workload": [
            { "Name": "q", "Queue": "q", "Every": { "IntervalSeconds": 1, "EndSeconds": 30 } },
            { "Name": "s", "Stream": "s", "Every": { "IntervalSeconds": 1, "EndSeconds": 30 } }
        ],
        "Changes": [
            { "AtSeconds": 10, "UpdateEventSourceMapping": { "EventSourceArn": sqs("q"), "Enabled": false } },
            { "AtSeconds": 10, "UpdateEventSourceMapping": { "EventSourceArn": kinesis("s"), "FunctionName": "f", "Enabled": false } },
            { "AtSeconds": 20, "UpdateEventSourceMapping": { "EventSourceArn": sqs("q"), "Enabled": true } },
            { "AtSeconds": 25, "UpdateEventSourceMapping": { "EventSourceArn": kinesis("s"), "Enabled": true } }
        ],
    });
    let (rec, _) = go(&sc, 1);
    // The message sent at 12 s waits until the queue mapping is enabled again at 20 s.
    let (t, fate, _) = message_fate(&rec, 12);
    assert_eq!(fate, MessageFate::Deleted);
    assert!(t >= secs(20.0) && t < secs(20.5), "deleted at {t}");
    // Stream records put while disabled are processed after 25 s, in order, none lost.
    let processed: Vec<(SimTime, u64)> = rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::RecordFate { seq, fate: RecordFate::Processed, .. } => Some((*t, *seq)),
            _ => None,
        })
        .collect();
    assert_eq!(processed.len(), 30);
    assert!(processed.iter().filter(|(_, s)| (10..25).contains(s)).all(|(t, _)| *t >= secs(25.0)));
    let changes = rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::ConfigChange { .. })).count();
    assert_eq!(changes, 4);
}

#[test]
fn a_succeeding_rules_duration_applies_to_the_batch() {
    let sc = sqs_scenario(
        json!({ "QueueName": "q", "VisibilityTimeout": 60 }),
        json!({ "EventSourceArn": sqs("q"), "FunctionName": "f" }),
        json!([{ "When": { "Payload": { "body": { "slow": [true] } } }, "Then": { "Outcome": "Succeed", "Duration": { "Constant": { "Ms": 5000 } } } }]),
        json!([{ "Queue": "q", "At": [1], "Payload": { "slow": true } }]),
    );
    let (rec, _) = go(&sc, 1);
    let duration = rec.events.iter().find_map(|(_, e)| match e {
        TraceEvent::AttemptEnd { duration, .. } => Some(*duration),
        _ => None,
    });
    assert_eq!(duration, Some(secs(5.0)));
}

#[test]
fn a_mapping_invokes_the_version_or_alias_its_function_name_qualifies() {
    // $LATEST succeeds; version 1 (behind alias `live`) fails every record.
    let f = json!({ "FunctionName": "f", "Timeout": 30,
        "Versions": [{ "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail", "ErrorMessage": "v1" } }] } }],
        "Aliases": [{ "Name": "live", "FunctionVersion": "1" }] });
    let sc = json!({
        "Functions": [f],
        "KinesisStreams": [{ "Name": "s", "ShardCount": 1 }],
        "Queues": [{ "QueueName": "onfail" }],
        "EventSourceMappings": [{ "EventSourceArn": kinesis("s"), "FunctionName": format!("arn:aws:lambda:{ACC}:function:f:live"),
            "StartingPosition": "TRIM_HORIZON", "MaximumRetryAttempts": 0,
            "DestinationConfig": { "OnFailure": { "Destination": sqs("onfail") } } }],
        "Workload": [{ "Name": "w", "Stream": "s", "At": [1] }],
    });
    let (rec, _) = go(&sc, 1);
    let accepted: Vec<lambdasim::model::versions::Qualifier> = rec
        .events
        .iter()
        .filter_map(|(_, e)| if let TraceEvent::Accepted { qualifier, .. } = e { Some(*qualifier) } else { None })
        .collect();
    assert_eq!(accepted, vec![lambdasim::model::versions::Qualifier::Alias(0)]);
    assert_eq!(record_fates(&rec), vec![(0, RecordFate::RetriesExhausted)]);
    // The on-failure record names the alias ARN and the version that ran.
    let (_, _, _, rec0) = rec.delivered.iter().find(|d| d.1 == "onfail").expect("on-failure record");
    assert_eq!(rec0["requestContext"]["functionArn"], json!(format!("arn:aws:lambda:{ACC}:function:f:live")));
    assert_eq!(rec0["responseContext"]["executedVersion"], json!("1"));
    // `name:qualifier` works too, and a qualifier that names nothing is an error with its path.
    let mut ok = sc.clone();
    ok["EventSourceMappings"][0]["FunctionName"] = json!("f:1");
    assert!(load_str(&ok.to_string()).is_ok());
    let mut bad = sc.clone();
    bad["EventSourceMappings"][0]["FunctionName"] = json!("f:nope");
    let e = load_str(&bad.to_string()).expect_err("unknown alias").to_string();
    assert!(e.contains("EventSourceMappings[0].FunctionName") && e.contains("aliases: live"), "{e}");
}

/// The trace without documents: an observer that never asks for them.
#[derive(Default)]
struct Plain(Vec<(SimTime, TraceEvent)>);

impl lambdasim::Observer for Plain {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, _: &lambdasim::trace::Ctx<'_>) {
        self.0.push((t, ev.clone()));
    }
}

/// A mapping's batch event, and a topic's Lambda event, are built only when something reads them; otherwise their
/// sizes are computed from the records. The trace (sizes, fates, everything) is the same either way: SQS (standard,
/// FIFO, attributes, bodies that need escaping, redrive), Kinesis with a payload rule and bisecting, SNS and
/// EventBridge fan-out.
#[test]
fn the_trace_is_the_same_whether_or_not_the_events_are_built() {
    let fail = |p: f64| json!({ "Rules": [{ "When": { "Probability": p }, "Then": { "Outcome": "Fail" } }] });
    let sc = json!({
        "Functions": [
            { "FunctionName": "q", "Behavior": fail(0.2) },
            { "FunctionName": "k", "Behavior": { "Rules": [{ "When": { "Payload": { "data": { "kind": ["bad"] } } }, "Then": { "Outcome": "Fail" } }] } },
            { "FunctionName": "s", "Behavior": fail(0.1) },
            { "FunctionName": "e", "Behavior": fail(0.1) }
        ],
        "Queues": [
            { "QueueName": "q", "VisibilityTimeout": 5, "RedrivePolicy": { "deadLetterTargetArn": sqs("q-dlq"), "maxReceiveCount": 2 } },
            { "QueueName": "q-dlq" },
            { "QueueName": "f.fifo", "FifoQueue": true, "ContentBasedDeduplication": true }
        ],
        "KinesisStreams": [{ "Name": "k", "ShardCount": 2 }],
        "Topics": [{ "TopicName": "t", "Subscriptions": [
            { "Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:s" },
            { "Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:s" } ] }],
        "EventBuses": [{ "Name": "b", "Rules": [{ "Name": "r", "EventPattern": { "source": ["shop"] },
            "Targets": [{ "Id": "a", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:e" }] }] }],
        "EventSourceMappings": [
            { "EventSourceArn": sqs("q"), "FunctionName": "q", "BatchSize": 5, "FunctionResponseTypes": ["ReportBatchItemFailures"] },
            { "EventSourceArn": sqs("f.fifo"), "FunctionName": "q", "BatchSize": 3 },
            { "EventSourceArn": kinesis("k"), "FunctionName": "k", "StartingPosition": "TRIM_HORIZON", "BatchSize": 20,
              "BisectBatchOnFunctionError": true, "MaximumRetryAttempts": 1 }
        ],
        "Workload": [
            { "Queue": "q", "Poisson": { "RatePerSecond": 20, "EndSeconds": 20 }, "Payload": { "n": "{{n}}", "text": "a \"quoted\"\n\u{1}é" },
              "MessageAttributes": { "Kind": { "DataType": "String", "StringValue": "x" } } },
            { "Queue": "q", "Poisson": { "RatePerSecond": 5, "EndSeconds": 20 }, "Payload": "plain {{n}}" },
            { "Queue": "f.fifo", "Poisson": { "RatePerSecond": 10, "EndSeconds": 10 }, "Payload": { "n": "{{n}}" }, "MessageGroupId": "g{{n}}" },
            { "Stream": "k", "PartitionKey": "p{{n}}", "Poisson": { "RatePerSecond": 30, "EndSeconds": 20 }, "Payload": { "kind": "ok", "n": "{{n}}" } },
            { "Stream": "k", "PartitionKey": "bad", "At": [3, 7], "Payload": { "kind": "bad" } },
            { "Stream": "k", "PartitionKey": "s", "At": [4], "Payload": "text \\ data" },
            { "Topic": "t", "Poisson": { "RatePerSecond": 10, "EndSeconds": 20 }, "Payload": { "n": "{{n}}" }, "Subject": "hello \"you\"" },
            { "Topic": "t", "At": [2], "Payload": "a plain message" },
            { "EventBus": "b", "Source": "shop", "DetailType": "order", "Poisson": { "RatePerSecond": 10, "EndSeconds": 20 }, "Payload": { "id": "{{n}}" } }
        ]
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    for seed in 1..=3 {
        let mut built = Rec::default();
        run(&model, seed, RunOptions { observers: vec![&mut built], ..Default::default() }).expect("run");
        let mut plain = Plain::default();
        run(&model, seed, RunOptions { observers: vec![&mut plain], ..Default::default() }).expect("run");
        assert!(built.events.len() > 1000, "{} events", built.events.len());
        assert_eq!(built.events, plain.0, "seed {seed}");
    }
}
