//! Amazon MSK and self-managed Apache Kafka mappings (`docs/conformance.md`, ids KAFKA-*): the event against AWS's
//! published sample, Kafka's murmur2 against Kafka's own test values, the mapping's defaults and bounds, and the
//! on-failure record's `KafkaBatchInfo` (spec 5.5).

use base64::Engine;
use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::aws::events::kafka::{murmur2, partition_for_key};
use lambdasim::{load_str, run, RunOptions};

const MSK: &str = "arn:aws:kafka:us-east-1:123456789012:cluster/demo";

/// An MSK cluster `demo` with topic `topic` of `partitions`, a mapping on it with `mapping` merged in, the function
/// `f` with `rules`, the queue `onfail`, and `workload`.
fn scenario(topic: &str, partitions: u32, mapping: Value, rules: Value, workload: Value) -> Value {
    let mut m = json!({ "EventSourceArn": MSK, "FunctionName": "f", "Topics": [topic], "StartingPosition": "TRIM_HORIZON" });
    for (k, v) in mapping.as_object().expect("object") {
        m[k] = v.clone();
    }
    json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 100 } }, "Rules": rules } }],
        "Queues": [{ "QueueName": "onfail" }],
        "KafkaClusters": [{ "ClusterName": "demo", "Topics": [{ "TopicName": topic, "NumPartitions": partitions }] }],
        "EventSourceMappings": [m],
        "Workload": workload,
    })
}

fn go(sc: &Value) -> Rec {
    crate::common::run_recorded(&sc.to_string())
}

fn error_of(sc: &Value) -> String {
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("scenario accepted: {sc:#}"),
        Err(e) => e.to_string(),
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// KAFKA-MURMUR2: Kafka's `UtilsTest.testMurmur2` values (apache/kafka,
/// clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java), and the default partitioner's
/// `toPositive(murmur2(key)) % partitions`.
#[test]
fn murmur2_matches_kafkas_own_test_values() {
    let cases: [(&[u8], i32); 6] = [
        (b"21", -973932308),
        (b"foobar", -790332482),
        (b"a-little-bit-long-string", -985981536),
        (b"a-little-bit-longer-string", -1486304829),
        (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
        (b"abc", 479470107),
    ];
    for (data, want) in cases {
        assert_eq!(murmur2(data), want, "murmur2({:?})", String::from_utf8_lossy(data));
    }
    // toPositive(-973932308) = 1173551340; toPositive(-790332482) = 1357151166.
    assert_eq!(partition_for_key(b"21", 7), 1_173_551_340 % 7);
    assert_eq!(partition_for_key(b"foobar", 10), 1_357_151_166 % 10);
    assert_eq!(partition_for_key(b"abc", 1), 0);
}

/// KAFKA-EVENT: an MSK batch has the shape of aws-lambda-go's `kafka-event.json` (the developer guide's example
/// event): `records` keyed by `topic-partition`, base64 `key` and `value`, each header's value as its bytes.
#[test]
fn msk_events_have_the_shape_of_aws_sample() {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/conformance/samples/aws-lambda-go/kafka-event.json", env!("CARGO_MANIFEST_DIR")))
            .expect("sample"),
    )
    .expect("json");
    let w = json!([{ "KafkaTopic": "AWSKafkaTopic", "Key": "order-7", "Headers": { "headerKey": "headerValue" }, "At": [1], "Payload": { "id": 7 } }]);
    let rec = go(&scenario("AWSKafkaTopic", 1, json!({}), json!([]), w));
    let ev = &rec.inputs.first().expect("one invocation").1;
    super::shape::same_shape("MSK event", &sample, ev, &[], &[]);
    assert_eq!(ev["eventSource"], "aws:kafka");
    assert!(ev["eventSourceArn"].as_str().unwrap().starts_with(&format!("{MSK}/")), "{ev:#}");
    assert_eq!(ev["bootstrapServers"].as_str().unwrap().split(',').count(), 2);
    let r = &ev["records"]["AWSKafkaTopic-0"][0];
    assert_eq!(r["topic"], "AWSKafkaTopic");
    assert_eq!(r["partition"], 0);
    assert_eq!(r["offset"], 0);
    assert_eq!(r["timestampType"], "CREATE_TIME");
    // Virtual time 1 s after the default start, 2024-01-01T00:00:00Z.
    assert_eq!(r["timestamp"], 1_704_067_201_000i64);
    assert_eq!(r["key"], b64("order-7"));
    assert_eq!(r["value"], b64(r#"{"id":7}"#));
    assert_eq!(r["headers"], json!([{ "headerKey": "headerValue".as_bytes() }]));
}

/// KAFKA-SMK: a self-managed Kafka batch says `"eventSource": "SelfManagedKafka"`, has no `eventSourceArn`, and
/// gives the mapping's bootstrap servers (DG with-kafka.html, "Example event"); a record without a key has no `key`.
#[test]
fn self_managed_events_have_no_arn() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f" }],
        "KafkaClusters": [{ "ClusterName": "onprem", "BootstrapServers": ["k1.example.com:9092", "k2.example.com:9092"], "Topics": [{ "TopicName": "t" }] }],
        "EventSourceMappings": [{ "FunctionName": "f", "Topics": ["t"], "StartingPosition": "LATEST",
            "SelfManagedEventSource": { "Endpoints": { "KAFKA_BOOTSTRAP_SERVERS": ["k1.example.com:9092", "k2.example.com:9092"] } },
            "SelfManagedKafkaEventSourceConfig": { "ConsumerGroupId": "my-group" } }],
        "Workload": [{ "KafkaTopic": "t", "At": [1], "Payload": "plain text" }],
    });
    let rec = go(&sc);
    let ev = &rec.inputs.first().expect("one invocation").1;
    assert_eq!(ev["eventSource"], "SelfManagedKafka");
    assert!(ev.get("eventSourceArn").is_none(), "{ev:#}");
    assert_eq!(ev["bootstrapServers"], "k1.example.com:9092,k2.example.com:9092");
    let r = &ev["records"]["t-0"][0];
    assert!(r.get("key").is_none(), "{r:#}");
    assert_eq!(r["value"], b64("plain text"));
    assert_eq!(r["headers"], json!([]));
}

/// KAFKA-DEFAULTS: `BatchSize` 100 and a 500 ms batching window when left out (DG invocation-eventsourcemapping.html,
/// "Batching behavior": 500 ms for Amazon MSK and self-managed Kafka).
#[test]
fn kafka_mappings_default_to_batches_of_100_and_a_500_ms_window() {
    let w = json!([
        { "KafkaTopic": "t", "Key": "k", "Burst": { "AtSeconds": 1, "Count": 150 }, "Payload": {} },
        { "KafkaTopic": "t", "Key": "k", "At": [10], "Payload": { "late": true } },
    ]);
    let rec = go(&scenario("t", 1, json!({}), json!([]), w));
    let sizes: Vec<usize> = rec.inputs.iter().map(|(_, e)| e["records"]["t-0"].as_array().map_or(0, Vec::len)).collect();
    assert_eq!(sizes, vec![100, 50, 1]);
    // The lone record at 10 s waits out the window: its batch starts at 10.5 s.
    let starts: Vec<f64> =
        rec.events.iter().filter(|(_, e)| matches!(e, lambdasim::TraceEvent::BatchStart { .. })).map(|(t, _)| t.as_secs_f64()).collect();
    assert!((starts[2] - 10.5).abs() < 1e-6, "{starts:?}");
}

/// KAFKA-BOUNDS: Lambda's `CreateEventSourceMapping` bounds and rules for Kafka mappings, each error naming its path.
#[test]
fn kafka_mapping_bounds_are_awss() {
    let base = |m: Value| scenario("t", 1, m, json!([]), json!([]));
    let cases = [
        (json!({ "BatchSize": 10001 }), "EventSourceMappings[0].BatchSize"),
        (json!({ "Topics": ["t", "u"] }), "EventSourceMappings[0].Topics"),
        (json!({ "Topics": ["nope"] }), "EventSourceMappings[0].Topics[0]"),
        (json!({ "MaximumRetryAttempts": 2 }), "EventSourceMappings[0].MaximumRetryAttempts"),
        (json!({ "FunctionResponseTypes": ["ReportBatchItemFailures"] }), "EventSourceMappings[0].FunctionResponseTypes"),
        (json!({ "ParallelizationFactor": 2 }), "EventSourceMappings[0].ParallelizationFactor"),
        (json!({ "StartingPosition": "AT_SEQUENCE" }), "EventSourceMappings[0].StartingPosition"),
        (json!({ "ProvisionedPollerConfig": { "MinimumPollers": 201 } }), "EventSourceMappings[0].ProvisionedPollerConfig.MinimumPollers"),
        (
            json!({ "ProvisionedPollerConfig": { "MinimumPollers": 5, "MaximumPollers": 2 } }),
            "EventSourceMappings[0].ProvisionedPollerConfig.MaximumPollers",
        ),
        (
            json!({ "AmazonManagedKafkaEventSourceConfig": { "ConsumerGroupId": "bad group!" } }),
            "EventSourceMappings[0].AmazonManagedKafkaEventSourceConfig.ConsumerGroupId",
        ),
        (json!({ "EventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/other" }), "EventSourceMappings[0].EventSourceArn"),
    ];
    for (m, path) in cases {
        let e = error_of(&base(m.clone()));
        assert!(e.contains(path), "{m}: expected an error at {path}, got: {e}");
    }
    let mut sc = base(json!({}));
    sc["KafkaClusters"][0]["Topics"][0]["NumPartitions"] = json!(0);
    assert!(error_of(&sc).contains("KafkaClusters[0].Topics[0].NumPartitions"));
    // In provisioned mode the error-handling controls are accepted, with AWS's stream bounds.
    let prov = json!({ "ProvisionedPollerConfig": { "MinimumPollers": 1 } });
    let mut ok = prov.clone();
    ok["MaximumRetryAttempts"] = json!(3);
    ok["BisectBatchOnFunctionError"] = json!(true);
    load_str(&base(ok).to_string()).expect("provisioned mode takes the error-handling controls");
    let mut bad = prov;
    bad["MaximumRecordAgeInSeconds"] = json!(30);
    assert!(error_of(&base(bad)).contains("EventSourceMappings[0].MaximumRecordAgeInSeconds"));
}

/// KAFKA-ONF: the on-failure record of a discarded Kafka batch (DG with-msk-on-failure.html, "SNS and SQS example
/// invocation record"): `KafkaBatchInfo` with `batchSize`, `eventSourceArn`, `bootstrapServers`, `payloadSize` and
/// `recordsInfo` by `topic-partition` with offsets as strings and ISO-8601 timestamps.
#[test]
fn on_failure_records_carry_kafka_batch_info() {
    let mapping = json!({ "ProvisionedPollerConfig": {}, "MaximumRetryAttempts": 2, "BatchSize": 10,
        "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:onfail" } } });
    let rules = json!([{ "When": { "Payload": { "value": { "bad": [true] } } }, "Then": { "Outcome": "Fail" } }]);
    let w = json!([{ "KafkaTopic": "t", "Key": "k", "At": [1, 1, 1], "Payload": { "bad": true } }]);
    let rec = go(&scenario("t", 1, mapping, rules, w));
    assert_eq!(rec.inputs.len(), 3, "the first invocation and 2 retries");
    let recs: Vec<&Value> = rec.delivered.iter().filter(|d| d.1 == "onfail").map(|d| &d.3).collect();
    assert_eq!(recs.len(), 1);
    let r = recs[0];
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["requestContext", "responseContext", "version", "timestamp", "KafkaBatchInfo"]);
    assert_eq!(r["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(r["responseContext"]["functionError"], "Unhandled");
    let info = &r["KafkaBatchInfo"];
    let keys: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["batchSize", "eventSourceArn", "bootstrapServers", "payloadSize", "recordsInfo"]);
    assert_eq!(info["batchSize"], 3);
    assert!(info["payloadSize"].as_u64().unwrap() > 100);
    let ri = &info["recordsInfo"]["t-0"];
    assert_eq!(ri["firstRecordOffset"], "0");
    assert_eq!(ri["lastRecordOffset"], "2");
    assert_eq!(ri["firstRecordTimestamp"], "2024-01-01T00:00:01.000Z");
}

/// KAFKA-DEST-RETRIES: with an on-failure destination and infinite retries, Lambda applies at most 10 retries
/// (DG kafka-retry-configurations.html).
#[test]
fn infinite_retries_with_a_destination_stop_after_ten() {
    let mapping = json!({ "ProvisionedPollerConfig": {},
        "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:onfail" } } });
    let rules = json!([{ "Then": { "Outcome": "Fail" } }]);
    let w = json!([{ "KafkaTopic": "t", "Key": "k", "At": [1], "Payload": {} }]);
    let rec = go(&scenario("t", 1, mapping, rules, w));
    assert_eq!(rec.inputs.len(), 11);
    let onf: Vec<&Value> = rec.delivered.iter().filter(|d| d.1 == "onfail").map(|d| &d.3).collect();
    assert_eq!(onf.len(), 1);
    assert_eq!(onf[0]["requestContext"]["approximateInvokeCount"], 11);
}

/// STREAM-DATA-BYTES: a Kafka record's value is the bytes the producer sent, base64 in the event (DG with-msk.html,
/// "value": base64). A value written `{"a": 1}` reaches the function as base64 of exactly those bytes, and the
/// record's size counts them; `{{n}}` renders inside the text; a value written compactly stays compact.
#[test]
fn a_kafka_value_is_the_bytes_the_producer_wrote() {
    let text = r#"{"a": 1,  "n": "{{n}}"}"#;
    let sc = scenario("t", 1, json!({}), json!([]), json!([]))
        .to_string()
        .replace(r#""Workload":[]"#, &format!(r#""Workload":[{{"KafkaTopic":"t","Key":"k","At":[1],"Payload":{text}}}]"#));
    let run_text = |sc: &str| {
        let model = load_str(sc).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
        let mut rec = Rec::default();
        run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
        rec
    };
    let rec = run_text(&sc);
    let written = r#"{"a": 1,  "n": 0}"#;
    let value = rec.inputs.iter().find_map(|(_, e)| e["records"]["t-0"][0]["value"].as_str().map(str::to_string));
    assert_eq!(value.as_deref(), Some(b64(written).as_str()));
    let size = rec.events.iter().find_map(|(_, e)| match e {
        lambdasim::TraceEvent::RecordPut { size, .. } => Some(*size as usize),
        _ => None,
    });
    assert_eq!(size, Some(written.len()));
    // A value written compactly stays compact.
    let rec = run_text(&sc.replace(text, r#"{"a":1}"#));
    let value = rec.inputs.iter().find_map(|(_, e)| e["records"]["t-0"][0]["value"].as_str().map(str::to_string));
    assert_eq!(value.as_deref(), Some(b64(r#"{"a":1}"#).as_str()));
}
