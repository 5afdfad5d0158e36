//! Kafka event source mappings at run time (spec 5.5): records of a key stay in one partition, each partition is read
//! in offset order and every record ends in exactly one fate; a failing batch blocks only its partition; partial
//! batch responses with Kafka's `{"partition", "offset"}` identifiers; filters on the decoded `value`; the
//! keyless partitioners (`Simulation.KafkaKeylessPartitioner`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::vocab::RecordFate;
use lambdasim::{load_str, run, RunOptions, TraceEvent};

const MSK: &str = "arn:aws:kafka:us-east-1:123456789012:cluster/demo";

fn scenario(partitions: u32, mapping: Value, rules: Value, workload: Value) -> Value {
    let mut m = json!({ "EventSourceArn": MSK, "FunctionName": "f", "Topics": ["t"], "StartingPosition": "TRIM_HORIZON" });
    for (k, v) in mapping.as_object().expect("object") {
        m[k] = v.clone();
    }
    json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 30, "Behavior": { "Duration": { "Constant": { "Ms": 50 } }, "Rules": rules } }],
        "KafkaClusters": [{ "ClusterName": "demo", "Topics": [{ "TopicName": "t", "NumPartitions": partitions }] }],
        "EventSourceMappings": [m],
        "Workload": workload,
    })
}

fn go(sc: &Value) -> Rec {
    crate::common::run_recorded(&sc.to_string())
}

/// (partition, offset, decoded value) of every record of every invocation, in invocation order.
fn invoked(rec: &Rec) -> Vec<(u32, u64, Value)> {
    let mut out = vec![];
    for (_, ev) in &rec.inputs {
        for (_, recs) in ev["records"].as_object().expect("records") {
            for r in recs.as_array().expect("array") {
                let text = String::from_utf8(
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, r["value"].as_str().unwrap()).unwrap(),
                )
                .unwrap();
                let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
                out.push((r["partition"].as_u64().unwrap() as u32, r["offset"].as_u64().unwrap(), v));
            }
        }
    }
    out
}

/// Fates by (partition, offset).
fn fates(rec: &Rec) -> BTreeMap<(u32, u64), Vec<RecordFate>> {
    let mut out: BTreeMap<(u32, u64), Vec<RecordFate>> = BTreeMap::new();
    for (_, e) in &rec.events {
        if let TraceEvent::RecordFate { shard, seq, fate, .. } = e {
            out.entry((*shard, *seq)).or_default().push(*fate);
        }
    }
    out
}

#[test]
fn a_key_stays_in_its_partition_and_partitions_are_read_in_offset_order() {
    let w = json!([{ "KafkaTopic": "t", "Key": "customer-{{n}}", "Every": { "IntervalSeconds": 0.01, "EndSeconds": 5 }, "Payload": { "n": "{{n}}" } },
                   { "KafkaTopic": "t", "Key": "customer-3", "Every": { "IntervalSeconds": 0.1, "EndSeconds": 5 }, "Payload": { "again": 3 } }]);
    let rec = go(&scenario(4, json!({ "BatchSize": 7 }), json!([]), w));
    let inv = invoked(&rec);
    assert_eq!(inv.len(), 550);
    // Offsets per partition: 0, 1, 2, ... in invocation order (nothing retried here).
    let mut next: BTreeMap<u32, u64> = BTreeMap::new();
    for (p, o, _) in &inv {
        let n = next.entry(*p).or_default();
        assert_eq!(*o, *n, "partition {p} read out of order");
        *n += 1;
    }
    assert_eq!(next.len(), 4, "murmur2 spreads 500 keys over all 4 partitions");
    // Every record of key customer-3 is in partition murmur2("customer-3") % 4.
    let want = lambdasim::aws::events::kafka::partition_for_key(b"customer-3", 4);
    assert!(inv.iter().filter(|x| x.2.get("again").is_some()).all(|x| x.0 == want));
    // Exactly one fate each: Processed.
    let f = fates(&rec);
    assert_eq!(f.len(), 550);
    assert!(f.values().all(|v| v == &[RecordFate::Processed]));
    // Up to one concurrent invocation per partition.
    let mut in_flight = 0i32;
    let mut peak = 0;
    for (_, e) in &rec.events {
        match e {
            TraceEvent::BatchStart { .. } => in_flight += 1,
            TraceEvent::BatchEnd { .. } => in_flight -= 1,
            _ => {}
        }
        peak = peak.max(in_flight);
    }
    assert!((2..=4).contains(&peak), "peak {peak}");
}

#[test]
fn a_failing_record_blocks_only_its_partition() {
    let poison = "poison-key";
    let pp = lambdasim::aws::events::kafka::partition_for_key(poison.as_bytes(), 2);
    let rules = json!([{ "When": { "Payload": { "key": [poison] } }, "Then": { "Outcome": "Fail" } }]);
    let w = json!([{ "KafkaTopic": "t", "Key": "k-{{n}}", "Every": { "IntervalSeconds": 0.05, "EndSeconds": 20 }, "Payload": {} },
                   { "KafkaTopic": "t", "Key": poison, "At": [2], "Payload": { "poison": true } }]);
    let mut sc = scenario(2, json!({}), rules, w);
    sc["Simulation"] = json!({ "DurationSeconds": 60 });
    let rec = go(&sc);
    let f = fates(&rec);
    // The poison record's batch fails as a whole: its first offset is where the partition stops.
    let batch = rec
        .inputs
        .iter()
        .find(|(_, e)| e.to_string().contains(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, r#"{"poison":true}"#)))
        .expect("poison invoked");
    let poison_offset = batch.1["records"][format!("t-{pp}")][0]["offset"].as_u64().expect("offset");
    for ((p, o), v) in &f {
        assert_eq!(v.len(), 1, "one fate for {p}/{o}");
        let want = if *p == pp && *o >= poison_offset { RecordFate::InFlight } else { RecordFate::Processed };
        assert_eq!(v[0], want, "partition {p} offset {o}");
    }
    assert!(f.keys().any(|(p, _)| *p != pp), "the other partition has records");
}

#[test]
fn partial_batch_responses_use_kafkas_identifiers() {
    // The first batch (offsets 0..4) answers that offset 2 failed: offsets 0 and 1 are committed and the next batch
    // starts at 2. A string identifier is not a Kafka identifier: the whole batch fails.
    let prov = json!({ "ProvisionedPollerConfig": {}, "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumRetryAttempts": 0 });
    let w = json!([{ "KafkaTopic": "t", "Key": "k", "At": [1, 1, 1, 1, 1], "Payload": { "n": "{{n}}" } }]);
    let object = json!([{ "When": { "Payload": { "offset": [0] } }, "Then": { "Outcome": "Succeed",
        "Response": { "batchItemFailures": [{ "itemIdentifier": { "partition": "t-0", "offset": 2 } }] } } }]);
    let rec = go(&scenario(1, prov.clone(), object, w.clone()));
    let offsets: Vec<Vec<u64>> = rec
        .inputs
        .iter()
        .map(|(_, e)| e["records"]["t-0"].as_array().unwrap().iter().map(|r| r["offset"].as_u64().unwrap()).collect())
        .collect();
    assert_eq!(offsets, vec![vec![0, 1, 2, 3, 4], vec![2, 3, 4]]);
    assert!(fates(&rec).values().all(|v| v == &[RecordFate::Processed]));
    let string = json!([{ "When": { "Payload": { "offset": [0] } }, "Then": { "Outcome": "Succeed",
        "Response": { "batchItemFailures": [{ "itemIdentifier": "2" }] } } }]);
    let rec = go(&scenario(1, prov, string, w));
    assert_eq!(rec.inputs.len(), 1, "MaximumRetryAttempts 0: the failed batch is not retried");
    assert!(fates(&rec).values().all(|v| v == &[RecordFate::RetriesExhausted]));
}

#[test]
fn filters_see_the_decoded_value() {
    let mapping = json!({ "FilterCriteria": { "Filters": [{ "Pattern": "{\"value\": {\"kind\": [\"order\"]}}" }] } });
    let rules = json!([]);
    let w = json!([
        { "KafkaTopic": "t", "Key": "x", "Headers": { "tenant": "a" }, "At": [1, 2], "Payload": { "kind": "order" } },
        { "KafkaTopic": "t", "Key": "x", "Headers": { "tenant": "a" }, "At": [3], "Payload": { "kind": "ping" } },
    ]);
    let rec = go(&scenario(1, mapping, rules, w));
    let f = fates(&rec);
    assert_eq!(f[&(0, 0)], [RecordFate::Processed]);
    assert_eq!(f[&(0, 1)], [RecordFate::Processed]);
    assert_eq!(f[&(0, 2)], [RecordFate::Filtered]);
    assert_eq!(invoked(&rec).len(), 2);
}

#[test]
fn keyless_records_follow_the_named_partitioner() {
    let w = json!([{ "KafkaTopic": "t", "At": [1, 1.1, 1.2, 1.3, 1.4, 1.5], "Payload": { "n": "{{n}}" } }]);
    let by_partition = |partitioner: &str| -> Vec<u32> {
        let mut sc = scenario(3, json!({}), json!([]), w.clone());
        sc["Simulation"] = json!({ "KafkaKeylessPartitioner": partitioner });
        let rec = go(&sc);
        let mut inv = invoked(&rec);
        inv.sort_by_key(|x| x.2["n"].as_u64().or_else(|| x.2["n"].as_str().and_then(|s| s.parse().ok())).expect("n"));
        inv.iter().map(|x| x.0).collect()
    };
    assert_eq!(by_partition("RoundRobin"), vec![0, 1, 2, 0, 1, 2]);
    let sticky = by_partition("Sticky");
    assert!(sticky.iter().all(|p| *p == sticky[0]), "small keyless records stick to one partition: {sticky:?}");
    let e =
        load_str(&json!({ "Simulation": { "KafkaKeylessPartitioner": "Random" }, "Functions": [] }).to_string()).unwrap_err().to_string();
    assert!(e.contains("KafkaKeylessPartitioner") || e.contains("Random"), "{e}");
}

#[test]
fn kafka_producers_and_clusters_are_validated() {
    let w = |x: Value| scenario(1, json!({}), json!([]), json!([x]));
    let cases = [
        (w(json!({ "KafkaTopic": "nope", "At": [1] })), "Workload[0].KafkaTopic"),
        (w(json!({ "KafkaTopic": "t", "PartitionKey": "k", "At": [1] })), "Workload[0].PartitionKey"),
        (w(json!({ "Queue": "q", "Key": "k", "At": [1] })), "Workload[0]"),
    ];
    for (sc, path) in cases {
        let e = load_str(&sc.to_string()).unwrap_err().to_string();
        assert!(e.contains(path), "expected {path}: {e}");
    }
    let mut sc = scenario(1, json!({}), json!([]), json!([]));
    sc["KafkaClusters"][0]["BootstrapServers"] = json!(["no-port"]);
    let e = load_str(&sc.to_string()).unwrap_err().to_string();
    assert!(e.contains("KafkaClusters[0].BootstrapServers[0]"), "{e}");
    let mut sc = scenario(1, json!({}), json!([]), json!([]));
    sc["KafkaClusters"][0]["Topics"][0]["RetentionMs"] = json!(5);
    assert!(load_str(&sc.to_string()).unwrap_err().to_string().contains("KafkaClusters[0].Topics[0].RetentionMs"));
}

#[test]
fn sam_msk_and_self_managed_kafka_events_become_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders
      Handler: app.handler
      Runtime: python3.12
      Events:
        Msk:
          Type: MSK
          Properties:
            Stream: arn:aws:kafka:us-east-1:123456789012:cluster/sales/0b6c1d2e-aaaa-bbbb-cccc-123456789012-3
            Topics: [orders]
            StartingPosition: TRIM_HORIZON
            ConsumerGroupId: orders-group
            SourceAccessConfigurations: [{Type: CLIENT_CERTIFICATE_TLS_AUTH, URI: arn:aws:secretsmanager:us-east-1:123456789012:secret:s}]
        Onprem:
          Type: SelfManagedKafka
          Properties:
            KafkaBootstrapServers: [broker1.example.com:9092]
            Topics: [audit]
            StartingPosition: LATEST
"#;
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    // The scenario gives the MSK topic 3 partitions; the template's cluster ARN is kept.
    let scenario = json!({
        "Template": "template.yaml",
        "KafkaClusters": [{ "ClusterName": "sales", "Topics": [{ "TopicName": "orders", "NumPartitions": 3 }] }],
        "Workload": [{ "KafkaTopic": "orders", "Key": "k-{{n}}", "At": [1, 2, 3, 4, 5, 6], "Payload": {} },
                     { "KafkaTopic": "audit", "At": [1], "Payload": "audit entry" }],
    });
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    let msk: Vec<&Value> = rec.inputs.iter().map(|(_, e)| e).filter(|e| e["eventSource"] == "aws:kafka").collect();
    assert!(!msk.is_empty());
    assert!(msk
        .iter()
        .all(|e| e["eventSourceArn"] == "arn:aws:kafka:us-east-1:123456789012:cluster/sales/0b6c1d2e-aaaa-bbbb-cccc-123456789012-3"));
    let partitions: std::collections::BTreeSet<u64> = msk
        .iter()
        .flat_map(|e| {
            e["records"].as_object().unwrap().values().flat_map(|r| r.as_array().unwrap().iter().map(|x| x["partition"].as_u64().unwrap()))
        })
        .collect();
    assert!(partitions.len() > 1, "3 partitions from the scenario: {partitions:?}");
    // The self-managed cluster, named after its first broker, is read too.
    assert!(rec.inputs.iter().any(|(_, e)| e["eventSource"] == "SelfManagedKafka" && e["bootstrapServers"] == "broker1.example.com:9092"));
}

#[test]
fn at_timestamp_skips_earlier_records_and_rules_see_headers() {
    // AT_TIMESTAMP 5 s: the record at 1 s is NotRead; of the later two, the one whose header says tenant b fails
    // (provisioned mode, no retries) while tenant a's is processed.
    let mapping = json!({ "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 5, "BatchSize": 1,
        "ProvisionedPollerConfig": { "MinimumPollers": 1, "MaximumPollers": 2 }, "MaximumRetryAttempts": 0 });
    let rules = json!([{ "When": { "Payload": { "headers": { "tenant": ["b"] } } }, "Then": { "Outcome": "Fail" } }]);
    let w = json!([
        { "KafkaTopic": "t", "Key": "x", "Headers": { "tenant": "a" }, "At": [1, 6], "Payload": {} },
        { "KafkaTopic": "t", "Key": "x", "Headers": { "tenant": "b" }, "At": [7], "Payload": {} },
    ]);
    let rec = go(&scenario(1, mapping, rules, w));
    let f = fates(&rec);
    let got: Vec<RecordFate> = f.values().map(|v| v[0]).collect();
    assert_eq!(got, vec![RecordFate::NotRead, RecordFate::Processed, RecordFate::RetriesExhausted]);
    // A mapping without EventSourceArn or a Kafka source is an error naming the property.
    let sc = json!({ "Functions": [{ "FunctionName": "f" }], "EventSourceMappings": [{ "FunctionName": "f" }] });
    let e = load_str(&sc.to_string()).unwrap_err().to_string();
    assert!(e.contains("EventSourceMappings[0].EventSourceArn: is required"), "{e}");
}

/// A mapping of topic `t` whose on-failure destination is `kafka://dlt`, and a mapping of `dlt` (function `g`).
fn dead_letter_scenario(mapping: Value) -> Value {
    let rules = json!([{ "When": { "Payload": { "value": { "kind": ["poison"] } } }, "Then": { "Outcome": "Fail" } }]);
    let mut m = json!({ "DestinationConfig": { "OnFailure": { "Destination": "kafka://dlt" } } });
    for (k, v) in mapping.as_object().expect("object") {
        m[k] = v.clone();
    }
    let workload = json!([
        { "Name": "good", "KafkaTopic": "t", "Key": "k-{{n}}", "Headers": { "src": "shop" }, "At": [1, 10, 20], "Payload": { "kind": "ok" } },
        { "Name": "bad", "KafkaTopic": "t", "Key": "poison-key", "Headers": { "src": "shop" }, "At": [5], "Payload": { "kind": "poison" } }
    ]);
    let mut sc = scenario(1, m, rules, workload);
    sc["KafkaClusters"][0]["Topics"].as_array_mut().unwrap().push(json!({ "TopicName": "dlt" }));
    sc["KafkaClusters"].as_array_mut().unwrap().push(json!({ "ClusterName": "other", "Topics": [{ "TopicName": "elsewhere" }] }));
    sc["Functions"].as_array_mut().unwrap().push(json!({ "FunctionName": "g", "Behavior": { "Duration": { "Constant": { "Ms": 5 } } } }));
    sc["EventSourceMappings"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "EventSourceArn": MSK, "FunctionName": "g", "Topics": ["dlt"], "StartingPosition": "TRIM_HORIZON" }));
    sc
}

/// The records function `g` received from topic `dlt`.
fn dead_letters(rec: &Rec) -> Vec<Value> {
    rec.inputs.iter().filter_map(|(_, ev)| ev["records"].get("dlt-0")).flat_map(|r| r.as_array().unwrap().clone()).collect()
}

/// Fates by topic name.
fn topic_fates(sc: &Value, rec: &Rec) -> BTreeMap<(String, RecordFate), usize> {
    let model = load_str(&sc.to_string()).unwrap();
    let mut out = BTreeMap::new();
    for (_, e) in &rec.events {
        if let TraceEvent::RecordFate { stream, fate, .. } = e {
            *out.entry((model.esm.stream(*stream).name.clone(), *fate)).or_default() += 1;
        }
    }
    out
}

fn b64(s: &Value) -> String {
    String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s.as_str().unwrap()).unwrap()).unwrap()
}

#[test]
fn a_kafka_topic_destination_receives_the_invocation_record_by_default() {
    let sc = dead_letter_scenario(json!({ "ProvisionedPollerConfig": { "MinimumPollers": 1 }, "MaximumRetryAttempts": 1 }));
    let rec = go(&sc);
    let f = topic_fates(&sc, &rec);
    assert_eq!(f.get(&("t".into(), RecordFate::Processed)), Some(&3), "{f:?}");
    assert_eq!(f.get(&("t".into(), RecordFate::RetriesExhausted)), Some(&1), "{f:?}");
    // What is produced to the destination topic is a record of its own, read and given its own fate.
    assert_eq!(f.get(&("dlt".into(), RecordFate::Processed)), Some(&1), "{f:?}");
    let dl = dead_letters(&rec);
    assert_eq!(dl.len(), 1);
    assert!(dl[0].get("key").is_none(), "one record per discarded range, without a key: {}", dl[0]);
    let v: Value = serde_json::from_str(&b64(&dl[0]["value"])).unwrap();
    assert_eq!(v["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(v["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(v["KafkaBatchInfo"]["batchSize"], 1);
    assert_eq!(v["KafkaBatchInfo"]["recordsInfo"]["t-0"]["firstRecordOffset"], "1");
    let payload: Value = serde_json::from_str(v["payload"].as_str().unwrap()).unwrap();
    assert_eq!(b64(&payload["records"]["t-0"][0]["value"]), r#"{"kind":"poison"}"#);
}

#[test]
fn records_mode_produces_each_failed_record_with_its_key_and_headers() {
    // Infinite retries with a destination: Lambda applies at most 10 retries (DG kafka-on-failure-destination.html).
    let mut sc = dead_letter_scenario(json!({}));
    sc["Simulation"] = json!({ "KafkaDestinationRecord": "Records" });
    let rec = go(&sc);
    let dl = dead_letters(&rec);
    assert_eq!(dl.len(), 1);
    assert_eq!(b64(&dl[0]["key"]), "poison-key");
    assert_eq!(b64(&dl[0]["value"]), r#"{"kind":"poison"}"#);
    let headers: BTreeMap<String, String> = dl[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h.as_object().unwrap().iter())
        .map(|(k, v)| (k.clone(), String::from_utf8(v.as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect()).unwrap()))
        .collect();
    assert_eq!(headers["src"], "shop");
    assert_eq!(headers["lambdasim-condition"], "RetryAttemptsExhausted");
    assert_eq!(headers["lambdasim-approximate-invoke-count"], "11");
    assert_eq!(headers["lambdasim-source-topic"], "t");
    assert_eq!(headers["lambdasim-source-offset"], "1");
}

#[test]
fn a_kafka_topic_destination_is_a_topic_of_the_same_cluster_other_than_the_source() {
    let path = "EventSourceMappings[0].DestinationConfig.OnFailure.Destination";
    for (dest, says) in
        [("kafka://t", "the topic the mapping reads"), ("kafka://elsewhere", "names no topic of cluster"), ("kafka://dl", "did you mean")]
    {
        let mut sc = dead_letter_scenario(json!({}));
        sc["EventSourceMappings"][0]["DestinationConfig"]["OnFailure"]["Destination"] = json!(dest);
        let e = load_str(&sc.to_string()).unwrap_err().to_string();
        assert!(e.contains(path) && e.contains(says), "{dest}: {e}");
    }
}
