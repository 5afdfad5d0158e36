//! Amazon MQ mappings (spec 5.6; `docs/conformance.md`, ids MQ-*): the events have the shape of AWS's published
//! samples (aws-lambda-go `activemq-event.json`, `rabbitmq-event.json`), and the mapping's defaults and bounds are
//! those of Lambda DG services-mq-params.html.

use serde_json::{json, Value};

use super::shape::same_shape;
use crate::common::Rec;
use lambdasim::aws::events::mq::broker_arn;
use lambdasim::{load_str, run, RunOptions};

pub(super) fn sample(path: &str) -> Value {
    let file = format!("{}/tests/conformance/samples/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))).expect("sample JSON")
}

fn inputs(sc: &Value) -> Vec<Value> {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    rec.inputs.into_iter().map(|(_, v)| v).collect()
}

/// One message with attributes (a string and a number) to queue `testQueue` of broker `test`.
fn scenario(engine: &str, extra: Value) -> Value {
    let mut m = json!({ "EventSourceArn": broker_arn("us-east-1", "123456789012", "test").1, "FunctionName": "f",
        "Queues": ["testQueue"], "SourceAccessConfigurations": [{ "Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq" }] });
    if let (Some(o), Value::Object(e)) = (m.as_object_mut(), extra) {
        o.extend(e);
    }
    json!({
        "Functions": [{ "FunctionName": "f" }],
        "Brokers": [{ "BrokerName": "test", "EngineType": engine, "Queues": [{ "Name": "testQueue" }] }],
        "EventSourceMappings": [m],
        "Workload": [{ "Queue": "test/testQueue", "At": [1], "Payload": { "timeout": 0, "data": "CZrmf0Gw8Ov4bqLQxD4E" },
            "MessageAttributes": { "header1": { "DataType": "String", "StringValue": "value1" }, "numberInHeader": { "DataType": "Number", "StringValue": "10" } } }],
    })
}

/// MQ-EVT-ACTIVEMQ: an ActiveMQ batch has the keys, types and formats of AWS's sample: `eventSource` `aws:mq`, the
/// broker ARN, `messages[]` with `messageID`, epoch-millisecond `timestamp`/`brokerInTime`/`brokerOutTime`,
/// `destination.physicalName`, base64 `data` and the producer's `properties`.
#[test]
fn activemq_events_have_the_shape_of_aws_sample() {
    let sim = &inputs(&scenario("ACTIVEMQ", json!({})))[0];
    same_shape("ActiveMQ (poller)", &sample("aws-lambda-go/activemq-event.json"), sim, &["messages.*.properties"], &[]);
    let m = &sim["messages"][0];
    assert_eq!(sim["eventSource"], "aws:mq");
    assert_eq!(m["destination"]["physicalName"], "testQueue");
    assert_eq!(m["properties"], json!({ "header1": "value1", "numberInHeader": "10" }));
    assert_eq!(m["data"], json!("eyJ0aW1lb3V0IjowLCJkYXRhIjoiQ1pybWYwR3c4T3Y0YnFMUXhENEUifQ=="), "base64 of the body as written");
    assert!(m["brokerInTime"].as_i64() <= m["brokerOutTime"].as_i64());
}

/// MQ-EVT-RABBITMQ: a RabbitMQ batch has the shape of AWS's sample: `eventSource` `aws:rmq`, `rmqMessagesByQueue`
/// keyed `<queue>::<vhost>`, `basicProperties` with string headers as `{"bytes": [...]}` and numbers as numbers,
/// the Java medium-format `timestamp`, `bodySize`. Properties a producer does not set are `null`.
#[test]
fn rabbitmq_events_have_the_shape_of_aws_sample() {
    // The queue is named `test`, as in the sample, so that the map's entry is compared key for key.
    let mut sc = scenario("RABBITMQ", json!({ "Queues": ["test"] }));
    sc["Brokers"][0]["Queues"][0]["Name"] = json!("test");
    sc["Workload"][0]["Queue"] = json!("test/test");
    let sim = &inputs(&sc)[0];
    let known = [
        ("rmqMessagesByQueue.test::/.*.basicProperties.expiration", "the producer sets no expiration: null"),
        ("rmqMessagesByQueue.test::/.*.basicProperties.userId", "the producer sets no user-id: null"),
    ];
    same_shape(
        "RabbitMQ (poller)",
        &sample("aws-lambda-go/rabbitmq-event.json"),
        sim,
        &["rmqMessagesByQueue", "rmqMessagesByQueue.*.*.basicProperties.headers"],
        &known,
    );
    let m = &sim["rmqMessagesByQueue"]["test::/"][0];
    assert_eq!(m["basicProperties"]["headers"], json!({ "header1": { "bytes": [118, 97, 108, 117, 101, 49] }, "numberInHeader": 10.0 }));
    assert_eq!(m["basicProperties"]["bodySize"], json!(43), "the body's bytes");
    assert_eq!(
        m["data"],
        sample("aws-lambda-go/rabbitmq-event.json")["rmqMessagesByQueue"]["test::/"][0]["data"],
        "the sample's body, encoded alike"
    );
    assert_eq!(m["basicProperties"]["contentType"], "application/json");
}

/// RabbitMQ: a mapping of a queue in another virtual host names it with `VIRTUAL_HOST`, and the event's key says so.
#[test]
fn rabbitmq_virtual_host_keys_the_event() {
    let mut sc = scenario("RABBITMQ", json!({}));
    sc["Brokers"][0]["Queues"][0]["VirtualHost"] = json!("shop");
    sc["Workload"][0]["Queue"] = json!("test/shop/testQueue");
    sc["EventSourceMappings"][0]["SourceAccessConfigurations"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "Type": "VIRTUAL_HOST", "URI": "shop" }));
    let sim = &inputs(&sc)[0];
    assert!(sim["rmqMessagesByQueue"].get("testQueue::shop").is_some(), "{sim:#}");
}

/// MQ-PARAMS: BatchSize defaults to 100 and is at most 10,000; the batching window defaults to 500 ms and is 0 to
/// 300 s; `Queues` holds exactly one queue; BASIC_AUTH is required (DG services-mq-params.html, with-mq.html).
#[test]
fn mq_defaults_and_bounds_are_aws() {
    let model = load_str(&scenario("ACTIVEMQ", json!({})).to_string()).expect("valid");
    let m = &model.esm.mappings[0];
    assert_eq!(m.batch_size, 100);
    assert_eq!(m.window, lambdasim::SimTime::from_millis(500));
    assert_eq!(m.max_concurrency, Some(5));
    let rabbit = load_str(&scenario("RABBITMQ", json!({})).to_string()).expect("valid");
    assert_eq!(rabbit.esm.mappings[0].max_concurrency, Some(1));
    for (extra, path) in [
        (json!({ "BatchSize": 10000, "MaximumBatchingWindowInSeconds": 300 }), None),
        (json!({ "BatchSize": 0 }), Some("EventSourceMappings[0].BatchSize")),
        (json!({ "BatchSize": 10001 }), Some("EventSourceMappings[0].BatchSize")),
        (json!({ "MaximumBatchingWindowInSeconds": 301 }), Some("EventSourceMappings[0].MaximumBatchingWindowInSeconds")),
        (json!({ "Queues": [] }), Some("EventSourceMappings[0].Queues")),
        (json!({ "SourceAccessConfigurations": [] }), Some("EventSourceMappings[0].SourceAccessConfigurations")),
    ] {
        let r = load_str(&scenario("ACTIVEMQ", extra.clone()).to_string());
        match (r, path) {
            (Ok(_), None) => {}
            (Err(e), Some(p)) => assert!(e.to_string().contains(p), "{extra}: {e}"),
            (Ok(_), Some(p)) => panic!("{extra} accepted, want an error at {p}"),
            (Err(e), None) => panic!("{extra} refused: {e}"),
        }
    }
}
