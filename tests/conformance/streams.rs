//! Kinesis and DynamoDB stream mappings: on-failure records, partial batch responses, retry back-off and record age
//! (`docs/conformance.md`, ids KIN-* and DDB-*).

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::TraceEvent;

const ACC: &str = "us-east-1:123456789012";

/// A one-shard Kinesis stream or a DynamoDB table's stream, a mapping on it with `mapping` merged in, the function
/// `f` with `rules`, an SQS on-failure queue `onfail`, and the records `payloads` put at 0.0, 0.01, 0.02 ... s.
fn scenario(ddb: bool, mapping: Value, rules: Value, payloads: &[Value]) -> Value {
    let (source, arn) = if ddb {
        (
            json!({ "Tables": [{ "TableName": "tbl", "StreamSpecification": { "StreamViewType": "NEW_AND_OLD_IMAGES" },
                                 "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }] }] }),
            format!("arn:aws:dynamodb:{ACC}:table/tbl/stream/2024-01-01T00:00:00.000"),
        )
    } else {
        (json!({ "KinesisStreams": [{ "Name": "s", "ShardCount": 1 }] }), format!("arn:aws:kinesis:{ACC}:stream/s"))
    };
    let mut m = json!({ "EventSourceArn": arn, "FunctionName": "f", "StartingPosition": "TRIM_HORIZON",
                        "MaximumBatchingWindowInSeconds": 1,
                        "DestinationConfig": { "OnFailure": { "Destination": format!("arn:aws:sqs:{ACC}:onfail") } } });
    for (k, v) in mapping.as_object().expect("object") {
        m[k] = v.clone();
    }
    let workload: Vec<Value> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| json!({ "Stream": if ddb { "tbl" } else { "s" }, "At": [i as f64 * 0.01], "PartitionKey": "k", "Payload": p }))
        .collect();
    let mut sc = json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 100 } }, "Rules": rules } }],
        "Queues": [{ "QueueName": "onfail" }],
        "EventSourceMappings": [m],
        "Workload": workload,
    });
    for (k, v) in source.as_object().expect("object") {
        sc[k] = v.clone();
    }
    if ddb {
        for w in sc["Workload"].as_array_mut().expect("array") {
            w.as_object_mut().expect("object").remove("PartitionKey");
        }
    }
    sc
}

fn go(sc: &Value) -> Rec {
    go_text(&sc.to_string())
}

/// A run of the scenario `sc` as written (payloads keep their bytes).
fn go_text(sc: &str) -> Rec {
    crate::common::run_recorded(sc)
}

/// The on-failure records the queue received.
fn on_failure_records(rec: &Rec) -> Vec<Value> {
    rec.delivered.iter().filter(|d| d.1 == "onfail").map(|d| d.3.clone()).collect()
}

/// The payloads of every invocation, in start order.
fn invocations(rec: &Rec) -> Vec<Value> {
    rec.events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::BatchStart { event, .. } => rec.inputs.iter().find(|(x, _)| x == event).map(|(_, v)| v.clone()),
            _ => None,
        })
        .collect()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("object").keys().map(String::as_str).collect()
}

/// KIN-PBR and DDB-PBR: `test_kinesis_report_batch_item_failures`, `test_dynamodb_report_batch_item_failures`
/// (recorded 2025-11-25). With `ReportBatchItemFailures`, `BatchSize` 3 and `MaximumRetryAttempts` 3, the record the
/// function keeps reporting is in 5 invocations: the partial response moves the checkpoint and the record starts a
/// new batch with a fresh retry budget. Its on-failure record says `approximateInvokeCount` 4, has `batchSize` 1,
/// and `functionError` is JSON null (the function returned normally).
#[test]
fn a_reported_record_starts_a_new_batch_with_a_fresh_retry_budget() {
    for ddb in [false, true] {
        let view =
            if ddb { json!({ "dynamodb": { "NewImage": { "fail": { "BOOL": [true] } } } }) } else { json!({ "data": { "fail": [true] } }) };
        let sc = scenario(
            ddb,
            json!({ "BatchSize": 3, "MaximumRetryAttempts": 3, "FunctionResponseTypes": ["ReportBatchItemFailures"] }),
            json!([{ "When": { "Payload": view }, "Then": { "Outcome": "Fail" } }]),
            &[json!({ "id": "a", "fail": false }), json!({ "id": "b", "fail": false }), json!({ "id": "c", "fail": true })],
        );
        let rec = go(&sc);
        let calls = invocations(&rec);
        let with_bad = calls.iter().filter(|c| c["Records"].as_array().is_some_and(|r| r.len() == 1 || r.len() == 3)).count();
        assert_eq!(calls.len(), 5, "ddb={ddb}: invocations {calls:#?}");
        assert_eq!(with_bad, 5);
        assert_eq!(calls[0]["Records"].as_array().map(Vec::len), Some(3));
        let records = on_failure_records(&rec);
        assert_eq!(records.len(), 1, "ddb={ddb}");
        let r = &records[0];
        assert_eq!(r["requestContext"]["condition"], "RetryAttemptsExhausted");
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 4);
        assert_eq!(r["responseContext"], json!({ "statusCode": 200, "executedVersion": "$LATEST", "functionError": null }));
        let info = if ddb { &r["DDBStreamBatchInfo"] } else { &r["KinesisBatchInfo"] };
        assert_eq!(info["batchSize"], 1);
        assert_eq!(info["startSequenceNumber"], info["endSequenceNumber"]);
        // Keys in the recorded order.
        let info_key = if ddb { "DDBStreamBatchInfo" } else { "KinesisBatchInfo" };
        assert_eq!(keys(r), vec!["requestContext", "responseContext", "version", "timestamp", info_key]);
    }
}

/// KIN-AGE: `test_kinesis_maximum_record_age_exceeded[expire-while-retrying]` (recorded 2025-11-25). With
/// `MaximumRetryAttempts` -1 and `MaximumRecordAgeInSeconds` 60, an always-failing function was invoked 8 times
/// before the record was discarded: retries back off rather than running at every poll. The `RecordAgeExceeded`
/// record has no `responseContext` key.
#[test]
fn a_failing_record_is_retried_with_back_off_until_its_maximum_age() {
    let sc = scenario(
        false,
        json!({ "BatchSize": 1, "MaximumRetryAttempts": -1, "MaximumRecordAgeInSeconds": 60 }),
        json!([{ "Then": { "Outcome": "Fail" } }]),
        &[json!({ "id": "a" })],
    );
    let rec = go(&sc);
    assert_eq!(invocations(&rec).len(), 8);
    let records = on_failure_records(&rec);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["requestContext"]["condition"], "RecordAgeExceeded");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 8);
    assert_eq!(keys(r), vec!["requestContext", "version", "timestamp", "KinesisBatchInfo"]);
}

/// KIN-ONF and DDB-ONF: `test_kinesis_event_source_mapping_with_on_failure_destination_config`,
/// `test_dynamodb_event_source_mapping_with_on_failure_destination_config` (recorded 2025-11-25). An exception:
/// `functionError` `"Unhandled"`; Kinesis arrival times keep milliseconds, DynamoDB's are whole seconds
/// (`2022-07-13T13:48:01Z`).
#[test]
fn an_exception_is_unhandled_and_arrival_times_have_each_streams_precision() {
    for ddb in [false, true] {
        let sc = scenario(
            ddb,
            json!({ "BatchSize": 1, "MaximumRetryAttempts": 1 }),
            json!([{ "Then": { "Outcome": "Fail" } }]),
            &[json!({ "id": "a" })],
        );
        let rec = go(&sc);
        let records = on_failure_records(&rec);
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 2);
        assert_eq!(r["responseContext"]["functionError"], "Unhandled");
        let info = if ddb { &r["DDBStreamBatchInfo"] } else { &r["KinesisBatchInfo"] };
        let first = info["approximateArrivalOfFirstRecord"].as_str().expect("string");
        // `2024-01-01T00:00:00Z` (20 characters) or `2024-01-01T00:00:00.000Z` (24).
        let shape_ok = if ddb { first.len() == 20 && !first.contains('.') } else { first.len() == 24 && first.as_bytes()[19] == b'.' };
        assert!(shape_ok && first.ends_with('Z'), "ddb={ddb}: {first}");
        // The record's own timestamp keeps milliseconds for both.
        assert!(r["timestamp"].as_str().is_some_and(|t| t.len() == 24), "{}", r["timestamp"]);
    }
}

/// KIN-S3: `test_kinesis_event_source_mapping_with_s3_on_failure_destination` (recorded 2025-11-25). An S3
/// on-failure object carries the batch as a JSON object, `payload.Records`, not as an escaped string.
#[test]
fn an_s3_on_failure_object_carries_the_batch_as_json() {
    let mut sc = scenario(
        false,
        json!({ "BatchSize": 1, "MaximumRetryAttempts": 1 }),
        json!([{ "Then": { "Outcome": "Fail" } }]),
        &[json!({ "id": "a" })],
    );
    sc["Buckets"] = json!([{ "BucketName": "failures" }]);
    sc["EventSourceMappings"][0]["DestinationConfig"]["OnFailure"]["Destination"] = json!("arn:aws:s3:::failures");
    let rec = go(&sc);
    let r = rec.delivered.iter().find(|d| d.1 == "failures").map(|d| d.3.clone()).expect("on-failure object");
    let records = r["payload"]["Records"].as_array().expect("payload.Records is a JSON array");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["eventSource"], "aws:kinesis");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 2);
}

/// DDB-OLD: a DynamoDB stream record's `OldImage` is "the item, as it appeared before it was modified"
/// (DynamoDB API reference, `StreamRecord`): a MODIFY shows the key's previous item, a REMOVE the item removed.
#[test]
fn a_modify_shows_the_previous_item_as_its_old_image() {
    let mut sc = scenario(true, json!({ "BatchSize": 1 }), json!([]), &[json!({ "id": "a", "n": 1 })]);
    sc["Workload"] = json!([
        { "Stream": "tbl", "At": [0.0], "Payload": { "id": "a", "n": 1 } },
        { "Stream": "tbl", "At": [5.0], "EventName": "MODIFY", "Payload": { "id": "a", "n": 2 } },
        { "Stream": "tbl", "At": [10.0], "EventName": "REMOVE", "Payload": { "id": "a" } },
    ]);
    let rec = go(&sc);
    let records: Vec<Value> = invocations(&rec).iter().map(|e| e["Records"][0]["dynamodb"].clone()).collect();
    assert_eq!(records.len(), 3);
    assert!(records[0].get("OldImage").is_none());
    assert_eq!(records[1]["OldImage"], json!({ "id": { "S": "a" }, "n": { "N": "1" } }));
    assert_eq!(records[1]["NewImage"], json!({ "id": { "S": "a" }, "n": { "N": "2" } }));
    assert_eq!(records[2]["OldImage"], json!({ "id": { "S": "a" }, "n": { "N": "2" } }));
    assert!(records[2].get("NewImage").is_none());
}

/// KIN-UNHANDLED and DDB-UNHANDLED: `test_kinesis_report_batch_item_failure_scenarios[unhandled_exception_in_function]`
/// and its DynamoDB twin (recorded 2025-11-25). With `ReportBatchItemFailures`, `BatchSize` 1 and
/// `MaximumRetryAttempts` 2, a handler that raises is invoked 3 times; the on-failure record says
/// `approximateInvokeCount` 3 and `functionError` `"Unhandled"` (`Then.Unhandled` declares the exception).
#[test]
fn an_exception_under_report_batch_item_failures_fails_the_batch() {
    for ddb in [false, true] {
        let sc = scenario(
            ddb,
            json!({ "BatchSize": 1, "MaximumRetryAttempts": 2, "FunctionResponseTypes": ["ReportBatchItemFailures"] }),
            json!([{ "Then": { "Outcome": "Fail", "Unhandled": true } }]),
            &[json!({ "id": "a" })],
        );
        let rec = go(&sc);
        assert_eq!(invocations(&rec).len(), 3, "ddb={ddb}");
        let records = on_failure_records(&rec);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["requestContext"]["approximateInvokeCount"], 3);
        assert_eq!(records[0]["responseContext"]["functionError"], "Unhandled");
    }
}

/// STREAM-DATA-BYTES: Kinesis hands on the bytes a producer put (`PutRecord`'s `Data` is a blob, returned as
/// base64 in the event; DG with-kinesis.html). A record written `{"a": 1}` reaches the function's `data`, the
/// record's size and the S3 on-failure object as base64 of exactly those bytes; `{{n}}` renders inside the text; a
/// record written compactly stays compact.
#[test]
fn kinesis_data_is_the_bytes_the_producer_wrote() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let text = r#"{"a": 1,  "n": "{{n}}"}"#;
    let mut sc = scenario(false, json!({ "BatchSize": 1, "MaximumRetryAttempts": 0 }), json!([{ "Then": { "Outcome": "Fail" } }]), &[]);
    sc["Buckets"] = json!([{ "BucketName": "failures" }]);
    sc["EventSourceMappings"][0]["DestinationConfig"]["OnFailure"]["Destination"] = json!("arn:aws:s3:::failures");
    let sc = sc
        .to_string()
        .replace(r#""Workload":[]"#, &format!(r#""Workload":[{{"Stream":"s","At":[1],"PartitionKey":"k","Payload":{text}}}]"#));
    let rec = go_text(&sc);
    let written = r#"{"a": 1,  "n": 0}"#;
    let ev = invocations(&rec).into_iter().next().expect("one invocation");
    assert_eq!(ev["Records"][0]["kinesis"]["data"], b64(written));
    let size = rec.events.iter().find_map(|(_, e)| match e {
        TraceEvent::RecordPut { size, .. } => Some(*size as usize),
        _ => None,
    });
    assert_eq!(size, Some(written.len()));
    let r = rec.delivered.iter().find(|d| d.1 == "failures").map(|d| d.3.clone()).expect("on-failure object");
    assert_eq!(r["payload"]["Records"][0]["kinesis"]["data"], b64(written));
    // A record written compactly stays compact.
    let rec = go_text(&sc.replace(text, r#"{"a":1}"#));
    assert_eq!(invocations(&rec)[0]["Records"][0]["kinesis"]["data"], b64(r#"{"a":1}"#));
}
