//! Amazon DocumentDB mappings (spec 5.7; `docs/conformance.md`, ids DOCDB-*): the event has the shape of the example
//! in Lambda DG with-documentdb.html, and the mapping's defaults and bounds are AWS's.

use serde_json::{json, Value};

use super::mq::sample;
use super::shape::same_shape;
use crate::common::Rec;
use lambdasim::{load_str, run, RunOptions};

const CLUSTER: &str = "arn:aws:rds:us-east-1:123456789012:cluster:canary";

fn scenario(extra: Value) -> Value {
    let mut m = json!({ "EventSourceArn": CLUSTER, "FunctionName": "f", "StartingPosition": "TRIM_HORIZON",
        "SourceAccessConfigurations": [{ "Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:123456789012:secret:docdb" }],
        "DocumentDBEventSourceConfig": { "DatabaseName": "test_database", "CollectionName": "test_collection" } });
    if let (Some(o), Value::Object(e)) = (m.as_object_mut(), extra) {
        o.extend(e);
    }
    json!({
        "Functions": [{ "FunctionName": "f" }],
        "DocumentDBClusters": [{ "DBClusterIdentifier": "canary" }],
        "EventSourceMappings": [m],
        "Workload": [{ "Stream": "canary/test_database.test_collection", "At": [1], "Payload": { "anyField": "sampleValue" } }],
    })
}

/// DOCDB-EVT: an insert reaches the function as the DG's example: `eventSourceArn` (the cluster's `arn:aws:rds:`
/// ARN), `events[].event` with the resume token `_id._data`, `clusterTime.$timestamp` (epoch seconds and an
/// increment), `documentKey._id.$oid`, `fullDocument` with its `_id`, `ns` and `operationType`, then `eventSource`
/// `aws:docdb`, in that key order.
#[test]
fn docdb_events_have_the_shape_of_the_developer_guide_example() {
    let model = load_str(&scenario(json!({})).to_string()).expect("valid");
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    let sim = &rec.inputs[0].1;
    same_shape("DocumentDB (poller)", &sample("lambda-dg-pages/docdb-event.json"), sim, &["events.*.event.fullDocument"], &[]);
    let keys: Vec<&str> = sim.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["eventSourceArn", "events", "eventSource"]);
    let e = &sim["events"][0]["event"];
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["_id", "clusterTime", "documentKey", "fullDocument", "ns", "operationType"]);
    assert_eq!(e["fullDocument"]["_id"], e["documentKey"]["_id"]);
    assert_eq!(e["fullDocument"]["anyField"], "sampleValue");
    assert_eq!(e["ns"], json!({ "db": "test_database", "coll": "test_collection" }));
    assert_eq!(e["documentKey"]["_id"]["$oid"].as_str().map(str::len), Some(24));
}

/// DOCDB-PARAMS: BatchSize 100 by default, at most 10,000; a 500 ms batching window by default, 0 to 300 s;
/// `StartingPosition` TRIM_HORIZON, LATEST or AT_TIMESTAMP; `FullDocument` Default or UpdateLookup; one batch at a
/// time (DG with-documentdb.html).
#[test]
fn docdb_defaults_and_bounds_are_aws() {
    let model = load_str(&scenario(json!({})).to_string()).expect("valid");
    let m = &model.esm.mappings[0];
    assert_eq!((m.batch_size, m.window, m.parallelization), (100, lambdasim::SimTime::from_millis(500), 1));
    assert_eq!(model.esm.streams[0].retention, lambdasim::SimTime::from_secs(3 * 3600), "3 hours by default");
    for (extra, path) in [
        (json!({ "BatchSize": 10000, "MaximumBatchingWindowInSeconds": 300, "StartingPosition": "LATEST" }), None),
        (json!({ "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 5 }), None),
        (json!({ "BatchSize": 10001 }), Some("EventSourceMappings[0].BatchSize")),
        (json!({ "MaximumBatchingWindowInSeconds": 301 }), Some("EventSourceMappings[0].MaximumBatchingWindowInSeconds")),
        (json!({ "StartingPosition": "AT_SEQUENCE_NUMBER" }), Some("EventSourceMappings[0].StartingPosition")),
        (json!({ "ParallelizationFactor": 2 }), Some("EventSourceMappings[0].ParallelizationFactor")),
        (json!({ "BisectBatchOnFunctionError": true }), Some("EventSourceMappings[0].BisectBatchOnFunctionError")),
    ] {
        let r = load_str(&scenario(extra.clone()).to_string());
        match (r, path) {
            (Ok(_), None) => {}
            (Err(e), Some(p)) => assert!(e.to_string().contains(p), "{extra}: {e}"),
            (Ok(_), Some(p)) => panic!("{extra} accepted, want an error at {p}"),
            (Err(e), None) => panic!("{extra} refused: {e}"),
        }
    }
}
