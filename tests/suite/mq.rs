//! Amazon MQ (spec 5.6) and Amazon DocumentDB (spec 5.7) event source mappings: redelivery and dead-lettering of
//! failed broker batches, the consumers per mapping, filtering on `data`, the change stream's order, blocking
//! retries and namespaces, and validation errors that name the JSON path.

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::aws::events::mq::broker_arn;
use lambdasim::trace::TraceEvent;
use lambdasim::vocab::{BatchResult, MessageFate, RecordFate};
use lambdasim::{load_str, run, RunOptions, SimTime};

const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq";
const CLUSTER: &str = "arn:aws:rds:us-east-1:123456789012:cluster:shop";

fn arn(broker: &str) -> String {
    broker_arn("us-east-1", "123456789012", broker).1
}

fn run_rec(sc: &Value) -> (lambdasim::Model, Rec) {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    (model, rec)
}

/// One change to a valid scenario.
type Change = Box<dyn Fn(&mut Value)>;

fn error_of(sc: &Value) -> String {
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("scenario accepted: {sc:#}"),
        Err(e) => e.to_string(),
    }
}

/// A broker `b` of `engine` with queue `orders`, a function failing every message whose data has `poison: true`, a
/// mapping and producers of `good` good messages (one per 100 ms) and one poison message at 1 s.
fn broker_scenario(engine: &str, queue: Value, good: u32) -> Value {
    json!({
        "Functions": [{ "FunctionName": "f", "Timeout": 10, "Behavior": {
            "Duration": { "Constant": { "Ms": 50 } },
            "Rules": [{ "When": { "Payload": { "data": { "poison": [true] } } }, "Then": { "Outcome": "Fail" } }] } }],
        "Brokers": [{ "BrokerName": "b", "EngineType": engine, "Queues": [queue] }],
        "EventSourceMappings": [{ "EventSourceArn": arn("b"), "FunctionName": "f", "Queues": ["orders"], "BatchSize": 1,
            "SourceAccessConfigurations": [{ "Type": "BASIC_AUTH", "URI": SECRET }] }],
        "Workload": [
            { "Queue": "b/orders", "Every": { "IntervalSeconds": 0.1, "EndSeconds": f64::from(good) / 10.0 }, "Payload": { "n": "{{n}}" } },
            { "Queue": "b/orders", "At": [1], "Payload": { "poison": true } }
        ],
    })
}

/// The messages of every batch, in order (ActiveMQ `messages`, RabbitMQ the one queue of `rmqMessagesByQueue`).
fn messages(rec: &Rec) -> Vec<Value> {
    rec.inputs
        .iter()
        .flat_map(|(_, e)| match e.get("messages") {
            Some(Value::Array(a)) => a.clone(),
            _ => e["rmqMessagesByQueue"]
                .as_object()
                .into_iter()
                .flat_map(|o| o.values())
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                .collect(),
        })
        .collect()
}

fn is_poison(m: &Value) -> bool {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.decode(m["data"].as_str().expect("data")).expect("base64");
    serde_json::from_slice::<Value>(&data).is_ok_and(|v| v["poison"] == json!(true))
}

/// ActiveMQ: a message failing every time is delivered 1 + 6 times (`redelivered` from the second), each redelivery
/// at least the 1 s redelivery delay after the failure, then moves to `ActiveMQ.DLQ`; good messages are consumed.
#[test]
fn activemq_redelivers_six_times_then_dead_letters() {
    let (model, rec) = run_rec(&broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 20));
    let poison: Vec<Value> = messages(&rec).into_iter().filter(is_poison).collect();
    assert_eq!(poison.len(), 7, "1 delivery + maximumRedeliveries 6");
    assert_eq!(poison[0]["redelivered"], json!(false));
    assert!(poison[1..].iter().all(|m| m["redelivered"] == json!(true)));
    assert!(poison.iter().all(|m| m["messageID"] == poison[0]["messageID"]), "a redelivery is the same message");
    let orders = model.esm.queue_by_name("b/orders").expect("queue");
    let dlq = model.esm.queue_by_name("b/ActiveMQ.DLQ").expect("ActiveMQ.DLQ exists");
    let fates: Vec<(lambdasim::model::QueueId, MessageFate, u32)> = rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::MessageFate { queue, fate, receives, .. } => Some((*queue, *fate, *receives)),
            _ => None,
        })
        .collect();
    assert_eq!(fates.iter().filter(|f| f.0 == orders && f.1 == MessageFate::Redriven).map(|f| f.2).collect::<Vec<_>>(), vec![7]);
    assert_eq!(fates.iter().filter(|f| f.0 == orders && f.1 == MessageFate::Deleted).count(), 20);
    assert_eq!(fates.iter().filter(|f| f.0 == dlq).map(|f| f.1).collect::<Vec<_>>(), vec![MessageFate::Stored]);
    // Redeliveries come no sooner than the redelivery delay after the failed batch ends.
    let receives: Vec<SimTime> = rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::MessageReceived { msg, .. } if rec_msg_is_poison(&rec, *msg) => Some(*t),
            _ => None,
        })
        .collect();
    assert_eq!(receives.len(), 7);
    for w in receives.windows(2) {
        assert!(w[1] - w[0] >= SimTime::from_secs(1), "redelivered {:?} after the previous delivery", w[1] - w[0]);
    }
}

/// The ledger id of the poison message: the one received more than once.
fn rec_msg_is_poison(rec: &Rec, msg: u64) -> bool {
    rec.events.iter().any(|(_, e)| matches!(e, TraceEvent::MessageReceived { msg: m, receives, .. } if *m == msg && *receives > 1))
}

/// `Simulation.MqRedeliveryDelaySeconds` sets the delay between a failed batch and the redelivery.
#[test]
fn the_redelivery_delay_is_a_named_option() {
    let mut sc = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 0);
    sc["Simulation"] = json!({ "MqRedeliveryDelaySeconds": 5 });
    let (_, rec) = run_rec(&sc);
    let starts: Vec<SimTime> =
        rec.events.iter().filter_map(|(t, e)| matches!(e, TraceEvent::MessageReceived { .. }).then_some(*t)).collect();
    assert_eq!(starts.len(), 7);
    for w in starts.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= SimTime::from_secs(5) && gap < SimTime::from_secs(6), "gap {gap:?}");
    }
}

/// RabbitMQ: the event is keyed `<queue>::<vhost>`; a quorum queue's delivery limit 2 dead-letters the message after
/// 3 deliveries to its dead-letter queue.
#[test]
fn rabbitmq_delivery_limit_dead_letters_to_the_queue_named() {
    let mut sc = broker_scenario("RABBITMQ", json!({ "Name": "orders", "DeliveryLimit": 2, "DeadLetterQueue": "orders-dlq" }), 5);
    sc["Brokers"][0]["Queues"].as_array_mut().unwrap().push(json!({ "Name": "orders-dlq" }));
    let (model, rec) = run_rec(&sc);
    assert!(rec.inputs.iter().all(|(_, e)| e["eventSource"] == "aws:rmq" && e["rmqMessagesByQueue"].get("orders::/").is_some()));
    assert_eq!(messages(&rec).into_iter().filter(is_poison).count(), 3);
    let dlq = model.esm.queue_by_name("b/orders-dlq").expect("dlq");
    assert!(model.esm.queue_by_name("b/ActiveMQ.DLQ").is_none(), "RabbitMQ brokers have no ActiveMQ.DLQ");
    let stored = rec
        .events
        .iter()
        .filter(|(_, e)| matches!(e, TraceEvent::MessageFate { queue, fate: MessageFate::Stored, .. } if *queue == dlq))
        .count();
    assert_eq!(stored, 1);
}

/// RabbitMQ without a delivery limit (a classic queue) redelivers a failing message for as long as the run lasts.
#[test]
fn rabbitmq_classic_queue_redelivers_without_limit() {
    let mut sc = broker_scenario("RABBITMQ", json!({ "Name": "orders" }), 0);
    sc["Simulation"] = json!({ "DurationSeconds": 30 });
    let (_, rec) = run_rec(&sc);
    let n = messages(&rec).into_iter().filter(is_poison).count();
    assert!(n > 10, "redelivered {n} times in 30 s");
    assert!(rec.events.iter().any(|(_, e)| matches!(e, TraceEvent::MessageFate { fate: MessageFate::InQueue, .. })));
}

/// Peak concurrent batches of mapping 0.
fn peak_batches(rec: &Rec) -> u32 {
    let (mut now, mut peak) = (0i64, 0i64);
    for (_, e) in &rec.events {
        match e {
            TraceEvent::BatchStart { .. } => {
                now += 1;
                peak = peak.max(now);
            }
            TraceEvent::BatchEnd { result, .. } if *result != BatchResult::Throttled => now -= 1,
            _ => {}
        }
    }
    peak as u32
}

/// Consumers: at most 5 concurrent batches for ActiveMQ, 1 for RabbitMQ, whatever the backlog (DG with-mq.html).
#[test]
fn concurrency_is_five_for_activemq_and_one_for_rabbitmq() {
    for (engine, cap) in [("ACTIVEMQ", 5), ("RABBITMQ", 1)] {
        let mut sc = broker_scenario(engine, json!({ "Name": "orders" }), 0);
        sc["Functions"][0]["Behavior"]["Duration"] = json!({ "Constant": { "Ms": 2000 } });
        sc["Workload"] = json!([{ "Queue": "b/orders", "Burst": { "AtSeconds": 1, "Count": 200 }, "Payload": { "n": "{{n}}" } }]);
        let (_, rec) = run_rec(&sc);
        assert_eq!(peak_batches(&rec), cap, "{engine}");
    }
}

/// Filtering sees `data` decoded; a message no filter matches is deleted without an invocation.
#[test]
fn filters_match_the_decoded_data() {
    let mut sc = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 10);
    sc["EventSourceMappings"][0]["FilterCriteria"] = json!({ "Filters": [{ "Pattern": "{\"data\": {\"poison\": [true]}}" }] });
    let (_, rec) = run_rec(&sc);
    let delivered = messages(&rec);
    assert!(!delivered.is_empty() && delivered.iter().all(is_poison));
    let filtered = rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::MessageFate { fate: MessageFate::Filtered, .. })).count();
    assert_eq!(filtered, 10);
}

/// The defaults: BatchSize 100 and a 500 ms batching window gather a burst into one batch half a second later.
#[test]
fn defaults_gather_for_half_a_second() {
    let mut sc = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 0);
    sc["EventSourceMappings"][0].as_object_mut().unwrap().remove("BatchSize");
    sc["Workload"] = json!([{ "Queue": "b/orders", "Burst": { "AtSeconds": 1, "Count": 150, "SpreadSeconds": 0.1 }, "Payload": {} }]);
    let (_, rec) = run_rec(&sc);
    let batches: Vec<(SimTime, u32)> = rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::BatchStart { records, .. } => Some((*t, *records)),
            _ => None,
        })
        .collect();
    assert_eq!(batches[0].1, 100, "BatchSize default 100");
    assert_eq!(batches.iter().map(|b| b.1).sum::<u32>(), 150);
    assert!(batches[1].0 >= SimTime::from_millis(1500), "the rest waits for the 500 ms window: {:?}", batches[1].0);
}

#[test]
fn bad_mq_input_names_the_path() {
    let base = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 1);
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|s| s["EventSourceMappings"][0]["Queues"] = json!(["orders", "x"])), "EventSourceMappings[0].Queues: has 2 queues"),
        (Box::new(|s| s["EventSourceMappings"][0]["Queues"] = json!(["nope"])), "EventSourceMappings[0].Queues[0]: \"nope\" is no queue"),
        (
            Box::new(|s| s["EventSourceMappings"][0].as_object_mut().unwrap().remove("Queues").map(drop).unwrap_or(())),
            "EventSourceMappings[0].Queues: is required",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["SourceAccessConfigurations"] = json!([])),
            "EventSourceMappings[0].SourceAccessConfigurations: needs a BASIC_AUTH",
        ),
        (
            Box::new(|s| {
                s["EventSourceMappings"][0]["SourceAccessConfigurations"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({ "Type": "VIRTUAL_HOST", "URI": "/" }))
            }),
            "SourceAccessConfigurations[1].Type: VIRTUAL_HOST is for RabbitMQ",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["BatchSize"] = json!(10001)),
            "EventSourceMappings[0].BatchSize: 10001 is out of range; allowed 1 to 10000",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"])),
            "EventSourceMappings[0].FunctionResponseTypes: is not a setting of Amazon MQ",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["StartingPosition"] = json!("LATEST")),
            "EventSourceMappings[0].StartingPosition: is not a setting of Amazon MQ",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["EventSourceArn"] = json!("arn:aws:mq:us-east-1:123456789012:broker:b:b-1")),
            "EventSourceMappings[0].EventSourceArn: \"arn:aws:mq:us-east-1:123456789012:broker:b:b-1\" names no broker",
        ),
        (
            Box::new(|s| s["Brokers"][0]["EngineType"] = json!("KAFKA")),
            "Brokers[0].EngineType: \"KAFKA\" is not allowed; allowed ACTIVEMQ, RABBITMQ",
        ),
        (
            Box::new(|s| s["Brokers"][0]["Queues"][0]["DeliveryLimit"] = json!(3)),
            "Brokers[0].Queues[0].DeliveryLimit: is for RabbitMQ queues",
        ),
        (Box::new(|s| s["Workload"][0]["Queue"] = json!("b/other")), "Workload[0].Queue: \"b/other\" names no queue"),
    ];
    for (change, want) in cases {
        let mut sc = base.clone();
        change(&mut sc);
        let e = error_of(&sc);
        assert!(e.contains(want), "want {want:?} in:\n{e}");
    }
    let mut rabbit = broker_scenario("RABBITMQ", json!({ "Name": "orders", "DeliveryLimit": 3 }), 1);
    assert!(error_of(&rabbit).contains("Brokers[0].Queues[0].DeliveryLimit: needs DeadLetterQueue"));
    rabbit["Brokers"][0]["Queues"][0] = json!({ "Name": "orders", "DeadLetterQueue": "orders" });
    assert!(error_of(&rabbit).contains("Brokers[0].Queues[0].DeadLetterQueue: has no effect without DeliveryLimit"));
    rabbit["Brokers"][0]["Queues"][0] = json!({ "Name": "orders", "DeadLetterQueue": "orders", "DeliveryLimit": 1 });
    assert!(error_of(&rabbit).contains("Brokers[0].Queues[0].DeadLetterQueue: names the queue itself"));
}

/// The CLI refuses a bad MQ mapping with exit code 2 and the path on stderr.
#[test]
fn the_cli_exits_2_on_a_bad_mq_mapping() {
    let mut sc = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 1);
    sc["EventSourceMappings"][0]["Queues"] = json!([]);
    let dir = std::env::temp_dir().join(format!("lambdasim-mq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(&file, sc.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["validate", file.to_str().unwrap()]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EventSourceMappings[0].Queues: has 0 queues"));
}

// ----- DocumentDB

fn docdb_scenario(config: Value) -> Value {
    json!({
        "Functions": [{ "FunctionName": "sync", "Timeout": 10, "Behavior": {
            "Duration": { "Constant": { "Ms": 20 } },
            "Rules": [{ "When": { "Payload": { "event": { "fullDocument": { "bad": [true] } } }, "Attempt": { "AtMost": 3 } }, "Then": { "Outcome": "Fail" } }] } }],
        "DocumentDBClusters": [{ "DBClusterIdentifier": "shop" }],
        "EventSourceMappings": [{ "EventSourceArn": CLUSTER, "FunctionName": "sync", "StartingPosition": "TRIM_HORIZON", "BatchSize": 5,
            "SourceAccessConfigurations": [{ "Type": "BASIC_AUTH", "URI": SECRET }], "DocumentDBEventSourceConfig": config }],
        "Workload": [
            { "Name": "orders", "Stream": "shop/shop.orders", "Every": { "IntervalSeconds": 1, "EndSeconds": 20 }, "Payload": { "orderId": "{{n}}" } },
            { "Name": "bad", "Stream": "shop/shop.orders", "EventName": "update", "At": [5.5], "Payload": { "_id": "o1", "bad": true } },
            { "Name": "users", "Stream": "shop/shop.users", "At": [2, 3], "Payload": { "name": "u" } }
        ],
    })
}

/// Changes reach the function in order, one batch at a time; a failing batch is retried (blocking the stream) until
/// it succeeds; changes of another collection are not the mapping's (fate `Filtered`).
#[test]
fn docdb_delivers_in_order_and_blocks_on_a_failing_batch() {
    let (_, rec) = run_rec(&docdb_scenario(json!({ "DatabaseName": "shop", "CollectionName": "orders", "FullDocument": "UpdateLookup" })));
    assert!(rec.inputs.iter().all(|(_, e)| e["eventSource"] == "aws:docdb" && e["eventSourceArn"] == CLUSTER));
    // Every delivery in order of clusterTime, repeats only for the retried batch.
    let times: Vec<(i64, i64)> = rec
        .inputs
        .iter()
        .flat_map(|(_, e)| e["events"].as_array().cloned().unwrap_or_default())
        .map(|x| {
            (x["event"]["clusterTime"]["$timestamp"]["t"].as_i64().unwrap(), x["event"]["clusterTime"]["$timestamp"]["i"].as_i64().unwrap())
        })
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    sorted.dedup();
    let firsts: Vec<_> = {
        let mut seen = std::collections::BTreeSet::new();
        times.iter().filter(|t| seen.insert(**t)).copied().collect()
    };
    assert_eq!(firsts, sorted, "first deliveries are in stream order");
    let results: Vec<BatchResult> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::BatchEnd { result, .. } = e { Some(*result) } else { None }).collect();
    assert_eq!(results.iter().filter(|r| **r == BatchResult::Failed).count(), 3, "the bad update's batch fails 3 times, then succeeds");
    let failed_at = results.iter().position(|r| *r == BatchResult::Failed).unwrap();
    assert!(results[failed_at..failed_at + 3].iter().all(|r| *r == BatchResult::Failed), "nothing else is processed meanwhile");
    let update = rec
        .inputs
        .iter()
        .flat_map(|(_, e)| e["events"].as_array().cloned().unwrap_or_default())
        .find(|x| x["event"]["operationType"] == "update")
        .expect("the update");
    assert_eq!(update["event"]["fullDocument"], json!({ "_id": "o1", "bad": true }), "UpdateLookup: the whole document");
    assert_eq!(update["event"]["updateDescription"]["updatedFields"], json!({ "bad": true }));
    let fates: Vec<RecordFate> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::RecordFate { fate, .. } = e { Some(*fate) } else { None }).collect();
    assert_eq!(fates.iter().filter(|f| **f == RecordFate::Filtered).count(), 2, "shop.users is not the mapping's");
    assert_eq!(fates.iter().filter(|f| **f == RecordFate::Processed).count(), 21);
}

/// `FullDocument: Default`: an update carries only its changed fields; a mapping of the whole database reads every
/// collection.
#[test]
fn docdb_default_full_document_and_whole_database() {
    let mut sc = docdb_scenario(json!({ "DatabaseName": "shop" }));
    sc["Functions"][0]["Behavior"]["Rules"] = json!([]);
    let (_, rec) = run_rec(&sc);
    let events: Vec<Value> = rec.inputs.iter().flat_map(|(_, e)| e["events"].as_array().cloned().unwrap_or_default()).collect();
    let update = events.iter().find(|x| x["event"]["operationType"] == "update").expect("the update");
    assert!(update["event"].get("fullDocument").is_none());
    assert_eq!(events.iter().filter(|x| x["event"]["ns"]["coll"] == "users").count(), 2);
    assert_eq!(events.len(), 23);
}

#[test]
fn bad_docdb_input_names_the_path() {
    let base = docdb_scenario(json!({ "DatabaseName": "shop" }));
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|s| {
                s["EventSourceMappings"][0].as_object_mut().unwrap().remove("DocumentDBEventSourceConfig").map(drop).unwrap_or(())
            }),
            "EventSourceMappings[0].DocumentDBEventSourceConfig: is required",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["DocumentDBEventSourceConfig"]["FullDocument"] = json!("Always")),
            "DocumentDBEventSourceConfig.FullDocument: \"Always\" is not allowed; allowed Default, UpdateLookup",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0].as_object_mut().unwrap().remove("StartingPosition").map(drop).unwrap_or(())),
            "EventSourceMappings[0].StartingPosition: is required for DocumentDB",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["MaximumRetryAttempts"] = json!(3)),
            "EventSourceMappings[0].MaximumRetryAttempts: is not a setting of DocumentDB",
        ),
        (
            Box::new(|s| s["EventSourceMappings"][0]["SourceAccessConfigurations"] = json!([])),
            "EventSourceMappings[0].SourceAccessConfigurations: needs a BASIC_AUTH",
        ),
        (
            Box::new(|s| s["Workload"][0]["Stream"] = json!("shop/orders")),
            "Workload[0].Stream: \"shop/orders\": the namespace after the cluster must be <database>.<collection>",
        ),
        (
            Box::new(|s| s["Workload"][0]["Stream"] = json!("shop")),
            "Workload[0].Stream: \"shop\" is a DocumentDB cluster: write to a collection",
        ),
        (
            Box::new(|s| s["Workload"][0]["EventName"] = json!("INSERT")),
            "Workload[0].EventName: \"INSERT\" is not allowed for a DocumentDB collection",
        ),
        (
            Box::new(|s| s["DocumentDBClusters"][0]["ChangeStreamLogRetentionDuration"] = json!(60)),
            "DocumentDBClusters[0].ChangeStreamLogRetentionDuration: 60 is out of range",
        ),
    ];
    for (change, want) in cases {
        let mut sc = base.clone();
        change(&mut sc);
        let e = error_of(&sc);
        assert!(e.contains(want), "want {want:?} in:\n{e}");
    }
}

// ----- templates

/// SAM's `MQ` and `DocumentDB` events become mappings: the declared broker (its engine) gets the event's queue, the
/// cluster its change stream, and each gets a producer stub; the scenario runs.
#[test]
fn sam_mq_and_documentdb_events_become_mappings() {
    let template = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: shop-broker
      EngineType: RABBITMQ
  Cluster:
    Type: AWS::DocDB::DBCluster
    Properties:
      DBClusterIdentifier: shop-cluster
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: consumer
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Orders:
          Type: MQ
          Properties:
            Broker: !GetAtt Broker.Arn
            Queues: [orders]
            BatchSize: 5
            SourceAccessConfigurations:
              - Type: BASIC_AUTH
                URI: arn:aws:secretsmanager:us-east-1:123456789012:secret:mq
        Changes:
          Type: DocumentDB
          Properties:
            Cluster: !GetAtt Cluster.Arn
            DatabaseName: shop
            CollectionName: orders
            StartingPosition: LATEST
            SourceAccessConfigurations:
              - Type: BASIC_AUTH
                URI: arn:aws:secretsmanager:us-east-1:123456789012:secret:docdb
"#;
    let dir = std::env::temp_dir().join(format!("lambdasim-mq-sam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    let scenario = json!({ "Template": "template.yaml", "Workload": [{ "Queue": "shop-broker/orders", "At": [1, 2] }] });
    std::fs::write(dir.join("s.json"), scenario.to_string()).unwrap();
    let loaded = lambdasim::read_file(&dir.join("s.json"));
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["run", dir.join("s.json").to_str().unwrap()]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = loaded.unwrap_or_else(|e| panic!("{e}"));
    let sc = &loaded.scenario;
    assert_eq!(sc.brokers.len(), 1);
    assert_eq!((sc.brokers[0].broker_name.as_str(), sc.brokers[0].engine_type.as_str()), ("shop-broker", "RABBITMQ"));
    assert_eq!(sc.brokers[0].queues.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(), ["orders"]);
    assert_eq!(sc.document_db_clusters[0].db_cluster_identifier, "shop-cluster");
    assert_eq!(sc.event_source_mappings.len(), 2);
    assert_eq!(sc.event_source_mappings[0].queues.as_deref(), Some(&["orders".to_string()][..]));
    let d = sc.event_source_mappings[1].document_db_event_source_config.as_ref().expect("DocumentDBEventSourceConfig");
    assert_eq!((d.database_name.as_str(), d.collection_name.as_deref()), ("shop", Some("orders")));
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("queue shop-broker/orders: 2 messages (Deleted 2)"), "{text}");
}

/// `--sinks` writes a broker queue's messages to `<broker>.<queue>.jsonl` (the `/` of its name made a `.`): the
/// poison message that reached `ActiveMQ.DLQ`, with its body as sent.
#[test]
fn sinks_write_the_broker_dead_letter_queue() {
    let sc = broker_scenario("ACTIVEMQ", json!({ "Name": "orders" }), 3);
    let dir = std::env::temp_dir().join(format!("lambdasim-mq-sinks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("s.json"), sc.to_string()).unwrap();
    let sinks = dir.join("out");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["run", dir.join("s.json").to_str().unwrap(), "--sinks", sinks.to_str().unwrap()])
        .output()
        .unwrap();
    let dlq = std::fs::read_to_string(sinks.join("b.ActiveMQ.DLQ.jsonl"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = dlq.expect("the DLQ's sink file").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["body"], json!("{\"poison\":true}"));
}

/// Changes that expire in the change stream before the mapping read them disable the mapping (DocumentDB
/// using-lambda.html): a batch that fails until its changes pass the retention is given up (`Expired`), and the
/// changes behind it are never read, though the function would take them.
#[test]
fn docdb_expired_changes_disable_the_mapping() {
    let mut sc = docdb_scenario(json!({ "DatabaseName": "shop", "CollectionName": "orders" }));
    sc["Simulation"] = json!({ "DurationSeconds": 9000 });
    sc["DocumentDBClusters"][0]["ChangeStreamLogRetentionDuration"] = json!(3600);
    sc["Functions"][0]["Behavior"]["Rules"][0]["When"] = json!({ "Payload": { "event": { "fullDocument": { "bad": [true] } } } });
    sc["Workload"] = json!([
        { "Name": "orders", "Stream": "shop/shop.orders", "Every": { "IntervalSeconds": 60, "EndSeconds": 7200 }, "Payload": { "orderId": "{{n}}" } },
        { "Name": "bad", "Stream": "shop/shop.orders", "At": [600.5], "Payload": { "bad": true } }
    ]);
    let (_, rec) = run_rec(&sc);
    let fates: Vec<(SimTime, RecordFate)> =
        rec.events.iter().filter_map(|(t, e)| if let TraceEvent::RecordFate { fate, .. } = e { Some((*t, *fate)) } else { None }).collect();
    let first_expiry = fates.iter().find(|(_, f)| *f == RecordFate::Expired).map(|(t, _)| *t).expect("the failing batch expires");
    assert!(first_expiry >= SimTime::from_secs(4200), "{first_expiry:?}");
    assert!(
        fates.iter().all(|(t, f)| *f != RecordFate::Processed || *t < SimTime::from_secs(601)),
        "nothing is processed after the poison change: the stream blocks, then the mapping is disabled"
    );
    let last_invoke = rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::BatchEnd { .. })).map(|(t, _)| *t).max().unwrap();
    assert!(last_invoke <= first_expiry, "no batch after the expiry disabled the mapping");
    // Every change still has exactly one fate: expired at the retention, or in flight when the run ends.
    let count = |f: RecordFate| fates.iter().filter(|(_, x)| *x == f).count();
    assert_eq!(count(RecordFate::Processed) + count(RecordFate::Expired) + count(RecordFate::InFlight), 121);
    assert!(count(RecordFate::InFlight) > 0 && count(RecordFate::Expired) > 60);
}
