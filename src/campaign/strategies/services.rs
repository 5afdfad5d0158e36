//! Strategies for the services around Lambda: SQS, Kinesis and DynamoDB event source mappings (spec 5.2, 5.3), SNS
//! topics and EventBridge buses (spec section 7) and Firehose with a Lambda transformation (`docs/sources.md`,
//! "Firehose"). Each draws a [`Parts`]: the functions, resources, mappings and producers of one service, named by a
//! prefix, so that any number of them merge into one valid scenario ([`full_scenario`]).
//!
//! The bounds are AWS's: SQS batch size 1–10, up to 10,000 with a batching window of at least 1 s on standard queues,
//! no window on FIFO queues, the function timeout at most the visibility timeout (spec 5.1, 5.2); stream
//! `MaximumRetryAttempts` -1–10,000 and `MaximumRecordAgeInSeconds` 60–604,800 (spec 5.3); EventBridge `RetryPolicy`
//! 0–185 attempts and 60–86,400 s (`docs/sources.md`, "EventBridge retries"); Firehose `NumberOfRetries` 0–300,
//! `BufferSizeInMBs` 0.2–3 and `BufferIntervalInSeconds` 0–900 (API_ProcessorParameter, cited in
//! `src/scenario/firehose.rs`); `maxReceiveCount` at least 1 and a retention of at least 60 s (the bounds the scenario
//! validation enforces, `src/model/esm.rs`). They are narrowed so that every generated run is short: at most a few
//! dozen messages per producer, bounded retries and ages, and queues that drain or expire within minutes.
//!
//! The specs are built as JSON and read with serde, as a scenario file is, so a new optional field of the format
//! never needs a change here.

use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::scenario as async_scenario;
use crate::scenario::*;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// The pieces of a scenario one service strategy draws; [`Parts::add_to`] appends them to a scenario. Names start
/// with the prefix the strategy was given, so parts with different prefixes never clash.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    /// Functions (consumers, subscribers, targets, transformations).
    pub functions: Vec<FunctionSpec>,
    /// SQS queues (sources, dead-letter queues, subscribers, on-failure destinations).
    pub queues: Vec<QueueSpec>,
    /// SNS topics.
    pub topics: Vec<TopicSpec>,
    /// EventBridge buses.
    pub event_buses: Vec<EventBusSpec>,
    /// Kinesis streams.
    pub kinesis_streams: Vec<KinesisStreamSpec>,
    /// DynamoDB tables with streams.
    pub tables: Vec<TableSpec>,
    /// Event source mappings.
    pub event_source_mappings: Vec<EventSourceMappingSpec>,
    /// Firehose delivery streams.
    pub delivery_streams: Vec<DeliveryStreamSpec>,
    /// Producers: message senders, record writers, publishers.
    pub workload: Vec<WorkloadSpec>,
}

impl Parts {
    /// Appends every part to `sc`.
    pub fn add_to(self, sc: &mut Scenario) {
        sc.functions.extend(self.functions);
        sc.queues.extend(self.queues);
        sc.topics.extend(self.topics);
        sc.event_buses.extend(self.event_buses);
        sc.kinesis_streams.extend(self.kinesis_streams);
        sc.tables.extend(self.tables);
        sc.event_source_mappings.extend(self.event_source_mappings);
        sc.delivery_streams.extend(self.delivery_streams);
        sc.workload.extend(self.workload);
    }
    /// A scenario of these parts alone.
    pub fn into_scenario(self) -> Scenario {
        let mut sc = empty_scenario();
        self.add_to(&mut sc);
        sc
    }
}

/// A scenario with nothing in it, named `generated`, in us-east-1 and account 123456789012.
pub(super) fn empty_scenario() -> Scenario {
    spec(json!({ "Name": "generated", "Region": REGION, "AccountId": ACCOUNT, "Functions": [] }))
}

/// Reads a spec built by a strategy. A failure is a bug of the strategy, never of the user's property.
fn spec<T: DeserializeOwned>(v: Value) -> T {
    match serde_json::from_value(v.clone()) {
        Ok(x) => x,
        Err(e) => panic!("lambdasim strategies built a spec the scenario format rejects ({e}): {v:#}"),
    }
}

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

/// When messages arrive: at most 40 per producer, within the first minute.
fn arrivals() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::vec(0u32..=60, 1..=10).prop_map(|at| json!({ "At": at })),
        (1u32..=10, 5u32..=40).prop_map(|(q, end)| json!({ "Every": { "IntervalSeconds": f64::from(q) / 2.0, "EndSeconds": end } })),
        (1u32..=8, 5u32..=30).prop_map(|(r, end)| json!({ "Poisson": { "RatePerSecond": f64::from(r) / 8.0, "EndSeconds": end } })),
        (0u32..=30, 1u32..=30, prop_oneof![Just(0u32), 1u32..=10])
            .prop_map(|(at, n, spread)| json!({ "Burst": { "AtSeconds": at, "Count": n, "SpreadSeconds": spread } })),
    ]
}

/// A producer named `name`: the fields of `target` (`{"Queue": ...}`, `{"Stream": ...}` ...), its arrivals and
/// payload.
fn producer(name: String, target: Value, arrivals: Value, payload: Value) -> WorkloadSpec {
    let mut w = json!({ "Name": name, "Payload": payload });
    for part in [target, arrivals] {
        if let (Some(o), Value::Object(m)) = (w.as_object_mut(), part) {
            o.extend(m);
        }
    }
    spec(w)
}

/// A handler's behaviour: a duration under a second, failing when the payload's `poison` field (under `under`: `body`
/// for SQS, `data` for Kinesis, nothing to skip the rule) is true, and else with probability `p_fail`.
fn handler_behavior(under: Option<&str>, p_fail: f64, max_ms: u32) -> Value {
    let mut rules = vec![];
    if let Some(u) = under {
        rules.push(json!({ "When": { "Payload": { u: { "poison": [true] } } }, "Then": { "Outcome": "Fail", "ErrorType": "Poison" } }));
    }
    if p_fail > 0.0 {
        rules.push(json!({ "When": { "Probability": p_fail }, "Then": { "Outcome": "Fail", "ErrorType": "Flaky" } }));
    }
    json!({ "Duration": { "Uniform": { "MinMs": 1, "MaxMs": max_ms } }, "Rules": rules })
}

/// A function for a mapping or a fan-out endpoint; its async retries are bounded (0–2) so that a failing event ends.
fn handler(name: &str, timeout: u32, behavior: Value) -> FunctionSpec {
    spec(json!({
        "FunctionName": name,
        "Timeout": timeout,
        "Behavior": behavior,
        "EventInvokeConfig": { "MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 600 },
    }))
}

fn p_fail() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![0.0, 0.0, 0.1, 0.3, 1.0])
}

/// An SQS queue `prefix` (standard) or `prefix.fifo` read by function `prefix` through a mapping (spec 5.2): batch
/// size, batching window (standard queues only; above 10 messages it is required), `ReportBatchItemFailures` or not,
/// `MaximumConcurrency` or not, and a redrive policy to `prefix-dlq` (`maxReceiveCount` 1–5) or else a short
/// retention, so that a message that keeps failing leaves. One or two producers, some sending poison messages.
pub fn sqs_mapping(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    (
        (any::<bool>(), 1u32..=10, prop_oneof![Just(0u32), 1u32..=5], any::<bool>(), 1u32..=5, 0u32..=20),
        (prop::option::of(1u32..=5), 60u32..=300, prop_oneof![3 => Just(0u32), 1 => 1u32..=5]),
        (any::<bool>(), prop::option::weighted(0.3, 2u32..=5), p_fail()),
        prop::collection::vec((arrivals(), prop::option::weighted(0.3, Just(()))), 1..=2),
    )
        .prop_map(
            move |((fifo, batch, window, big, timeout, vt_extra), (max_rc, retention, delay), (report, max_conc, p_fail), producers)| {
                let (name, dlq) = if fifo { (format!("{p}.fifo"), format!("{p}-dlq.fifo")) } else { (p.clone(), format!("{p}-dlq")) };
                // Standard queues: a batch above 10 needs a window of at least 1 s; FIFO queues take no window.
                let (batch, window) = match (fifo, big) {
                    (true, _) => (batch, 0),
                    (false, true) => (batch * 10, window.max(1)),
                    (false, false) => (batch, window),
                };
                let mut queue = json!({ "QueueName": name, "VisibilityTimeout": timeout + vt_extra, "DelaySeconds": delay });
                let mut queues = vec![];
                match max_rc {
                    Some(n) => {
                        queue["RedrivePolicy"] = json!({ "deadLetterTargetArn": queue_arn(&dlq), "maxReceiveCount": n });
                        let mut d = json!({ "QueueName": dlq });
                        if fifo {
                            d["FifoQueue"] = json!(true);
                        }
                        queues.push(spec(d));
                    }
                    None => queue["MessageRetentionPeriod"] = json!(retention),
                }
                if fifo {
                    queue["FifoQueue"] = json!(true);
                }
                queues.insert(0, spec(queue));
                let mut mapping = json!({ "EventSourceArn": queue_arn(&name), "FunctionName": p, "BatchSize": batch });
                if window > 0 {
                    mapping["MaximumBatchingWindowInSeconds"] = json!(window);
                }
                if report {
                    mapping["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
                }
                if let Some(c) = max_conc {
                    mapping["ScalingConfig"] = json!({ "MaximumConcurrency": c });
                }
                let workload = producers
                    .into_iter()
                    .enumerate()
                    .map(|(i, (arr, poison))| {
                        let mut target = json!({ "Queue": name });
                        if fifo {
                            target["MessageGroupId"] = json!(if i == 0 { "group-a" } else { "group-{{n}}" });
                            target["MessageDeduplicationId"] = json!(format!("m{i}-{{{{n}}}}"));
                        }
                        producer(format!("{p}-producer{i}"), target, arr, json!({ "n": "{{n}}", "poison": poison.is_some() }))
                    })
                    .collect();
                Parts {
                    functions: vec![handler(&p, timeout, handler_behavior(Some("body"), p_fail, 800))],
                    queues,
                    event_source_mappings: vec![spec(mapping)],
                    workload,
                    ..Parts::default()
                }
            },
        )
}

/// The settings of a stream mapping shared by Kinesis and DynamoDB (spec 5.3), and whether it has an on-failure queue.
fn stream_mapping_settings() -> impl Strategy<Value = (Value, bool)> {
    (
        (1u32..=100, prop_oneof![Just(0u32), 1u32..=3], 0i64..=3, prop::option::of(60u32..=600)),
        (any::<bool>(), any::<bool>(), prop::option::weighted(0.3, 2u32..=3), any::<bool>()),
    )
        .prop_map(|((batch, window, retries, age), (bisect, report, parallel, on_failure))| {
            let mut m = json!({
                "StartingPosition": "TRIM_HORIZON",
                "BatchSize": batch,
                "MaximumRetryAttempts": retries,
                "BisectBatchOnFunctionError": bisect,
            });
            if window > 0 {
                m["MaximumBatchingWindowInSeconds"] = json!(window);
            }
            if let Some(a) = age {
                m["MaximumRecordAgeInSeconds"] = json!(a);
            }
            if report {
                m["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
            }
            if let Some(n) = parallel {
                m["ParallelizationFactor"] = json!(n);
            }
            (m, on_failure)
        })
}

/// The mapping of function `prefix` on the stream `arn` with `settings`; with an on-failure destination, the queue
/// `prefix-failures` it points at.
fn stream_mapping(prefix: &str, arn: String, (mut m, on_failure): (Value, bool)) -> (EventSourceMappingSpec, Vec<QueueSpec>) {
    m["EventSourceArn"] = json!(arn);
    m["FunctionName"] = json!(prefix);
    let mut queues = vec![];
    if on_failure {
        let q = format!("{prefix}-failures");
        m["DestinationConfig"] = json!({ "OnFailure": { "Destination": queue_arn(&q) } });
        queues.push(spec(json!({ "QueueName": q })));
    }
    (spec(m), queues)
}

/// A Kinesis stream `prefix` (1–3 shards) read by function `prefix` (spec 5.3): batch size, window, bounded retries
/// (0–3) and record age, bisect on error, partial batch responses, parallelization factor and an on-failure queue
/// `prefix-failures`, each drawn. Producers write records with one partition key or one per record; some are poison.
pub fn kinesis_mapping(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    (
        1u32..=3,
        stream_mapping_settings(),
        p_fail(),
        prop::collection::vec((arrivals(), any::<bool>(), prop::option::weighted(0.2, Just(()))), 1..=2),
    )
        .prop_map(move |(shards, settings, p_fail, producers)| {
            let arn = format!("arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{p}");
            let (mapping, queues) = stream_mapping(&p, arn, settings);
            let workload = producers
                .into_iter()
                .enumerate()
                .map(|(i, (arr, one_key, poison))| {
                    let key = if one_key { format!("{p}-key{i}") } else { "k-{{n}}".to_string() };
                    let target = json!({ "Stream": p, "PartitionKey": key });
                    producer(format!("{p}-producer{i}"), target, arr, json!({ "n": "{{n}}", "poison": poison.is_some() }))
                })
                .collect();
            Parts {
                functions: vec![handler(&p, 5, handler_behavior(Some("data"), p_fail, 500))],
                queues,
                kinesis_streams: vec![spec(json!({ "Name": p, "ShardCount": shards }))],
                event_source_mappings: vec![mapping],
                workload,
                ..Parts::default()
            }
        })
}

/// A DynamoDB table `prefix-items` with a stream (any view type, 1–2 shards) read by function `prefix` with the stream
/// mapping settings of [`kinesis_mapping`]; producers insert or modify items.
pub fn dynamodb_mapping(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    let views = vec!["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];
    (
        prop::sample::select(views),
        1u32..=2,
        stream_mapping_settings(),
        p_fail(),
        prop::collection::vec((arrivals(), prop::sample::select(vec!["INSERT", "MODIFY"])), 1..=2),
    )
        .prop_map(move |(view, shards, settings, p_fail, producers)| {
            let name = format!("{p}-items");
            let arn = format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}/stream/2024-01-01T00:00:00.000");
            let (mapping, queues) = stream_mapping(&p, arn, settings);
            let table = json!({
                "TableName": name,
                "StreamSpecification": { "StreamViewType": view },
                "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                "StreamShards": shards,
            });
            let workload = producers
                .into_iter()
                .enumerate()
                .map(|(i, (arr, event))| {
                    let target = json!({ "Stream": name, "EventName": event });
                    producer(format!("{p}-producer{i}"), target, arr, json!({ "id": format!("item-{i}-{{{{n}}}}"), "n": "{{n}}" }))
                })
                .collect();
            Parts {
                functions: vec![handler(&p, 5, handler_behavior(None, p_fail, 500))],
                queues,
                tables: vec![spec(table)],
                event_source_mappings: vec![mapping],
                workload,
                ..Parts::default()
            }
        })
}

/// An SNS topic with one to three subscriptions (spec section 7). Standard `prefix-topic`: Lambda functions
/// `prefix-sub<i>` (invoked asynchronously, retries bounded) and SQS queues `prefix-q<i>`, some with a filter policy on
/// the body's `kind` and a dead-letter queue `prefix-sub-dlq`; FIFO `prefix-topic.fifo`: FIFO queues only, with a
/// message group and a deduplication id (or content-based deduplication), the first read by `prefix-consumer`.
/// One publisher.
pub fn sns_topic(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    (any::<bool>(), prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 1..=3), p_fail(), arrivals(), any::<bool>())
        .prop_map(move |(fifo, subs, p_fail, arr, content_dedup)| {
            let topic = if fifo { format!("{p}-topic.fifo") } else { format!("{p}-topic") };
            let mut parts = Parts::default();
            let mut subscriptions = vec![];
            let mut dlq = false;
            for (i, (lambda, filtered, dead_letter)) in subs.into_iter().enumerate() {
                // A standard topic's first subscriber is a function; a FIFO topic's subscribers are FIFO queues.
                let lambda = (lambda || i == 0) && !fifo;
                let mut sub = if lambda {
                    let f = format!("{p}-sub{i}");
                    parts.functions.push(handler(&f, 3, handler_behavior(None, p_fail, 300)));
                    json!({ "Protocol": "lambda", "Endpoint": function_arn(&f) })
                } else {
                    let q = if fifo { format!("{p}-q{i}.fifo") } else { format!("{p}-q{i}") };
                    let mut qs = json!({ "QueueName": q, "MessageRetentionPeriod": 120 });
                    if fifo {
                        qs["FifoQueue"] = json!(true);
                    }
                    parts.queues.push(spec(qs));
                    json!({ "Protocol": "sqs", "Endpoint": queue_arn(&q) })
                };
                if filtered {
                    sub["FilterPolicy"] = json!({ "kind": ["a"] });
                    sub["FilterPolicyScope"] = json!("MessageBody");
                }
                if dead_letter && !fifo {
                    sub["RedrivePolicy"] = json!({ "deadLetterTargetArn": queue_arn(&format!("{p}-sub-dlq")) });
                    dlq = true;
                }
                subscriptions.push(sub);
            }
            if dlq {
                parts.queues.push(spec(json!({ "QueueName": format!("{p}-sub-dlq") })));
            }
            if fifo {
                // A consumer reads the first FIFO queue (as in scenarios/sns-fifo-orders.json).
                let f = format!("{p}-consumer");
                parts.functions.push(handler(&f, 3, handler_behavior(None, p_fail, 300)));
                let m = json!({ "EventSourceArn": queue_arn(&format!("{p}-q0.fifo")), "FunctionName": f, "BatchSize": 5 });
                parts.event_source_mappings.push(spec(m));
            }
            let mut t = json!({ "TopicName": topic, "Subscriptions": subscriptions });
            let mut target = json!({ "Topic": topic });
            if fifo {
                t["FifoTopic"] = json!(true);
                target["MessageGroupId"] = json!("orders");
                if content_dedup {
                    t["ContentBasedDeduplication"] = json!(true);
                } else {
                    target["MessageDeduplicationId"] = json!("m-{{n}}");
                }
            }
            parts.topics.push(spec(t));
            parts.workload.push(producer(format!("{p}-publisher"), target, arr, json!({ "n": "{{n}}", "kind": "a" })));
            parts
        })
}

/// An EventBridge bus `prefix-bus` with one or two rules (spec section 7), each matching the `app` source and
/// optionally only details of `kind` `a`, with one or two targets: functions `prefix-t<r><i>` (the first target
/// always) or queues, some with a
/// `RetryPolicy` (0–3 attempts, 60–600 s) and a dead-letter queue `prefix-bus-dlq`. Two publishers, of kinds `a` and
/// `b`.
pub fn event_bus(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    let target = (any::<bool>(), prop::option::of((0u32..=3, 60u32..=600)), any::<bool>());
    (prop::collection::vec((any::<bool>(), prop::collection::vec(target, 1..=2)), 1..=2), p_fail(), arrivals(), arrivals()).prop_map(
        move |(rules, p_fail, arr_a, arr_b)| {
            let bus = format!("{p}-bus");
            let dlq = format!("{p}-bus-dlq");
            let mut parts = Parts::default();
            let mut rule_specs = vec![];
            let mut uses_dlq = false;
            for (r, (only_a, targets)) in rules.into_iter().enumerate() {
                let mut ts = vec![];
                for (i, (lambda, retry, dead_letter)) in targets.into_iter().enumerate() {
                    let name = format!("{p}-t{r}{i}");
                    // The first rule's first target is a function.
                    let arn = if lambda || (r, i) == (0, 0) {
                        parts.functions.push(handler(&name, 3, handler_behavior(None, p_fail, 300)));
                        function_arn(&name)
                    } else {
                        parts.queues.push(spec(json!({ "QueueName": name, "MessageRetentionPeriod": 120 })));
                        queue_arn(&name)
                    };
                    let mut t = json!({ "Id": name, "Arn": arn });
                    if let Some((n, age)) = retry {
                        t["RetryPolicy"] = json!({ "MaximumRetryAttempts": n, "MaximumEventAgeInSeconds": age });
                    }
                    if dead_letter {
                        t["DeadLetterConfig"] = json!({ "Arn": queue_arn(&dlq) });
                        uses_dlq = true;
                    }
                    ts.push(t);
                }
                let pattern = if only_a { json!({ "source": ["app"], "detail": { "kind": ["a"] } }) } else { json!({ "source": ["app"] }) };
                rule_specs.push(json!({ "Name": format!("rule{r}"), "EventPattern": pattern, "Targets": ts }));
            }
            if uses_dlq {
                parts.queues.push(spec(json!({ "QueueName": dlq })));
            }
            parts.event_buses.push(spec(json!({ "Name": bus, "Rules": rule_specs })));
            for (kind, arr) in [("a", arr_a), ("b", arr_b)] {
                let target = json!({ "EventBus": bus, "Source": "app", "DetailType": "Thing" });
                parts.workload.push(producer(format!("{p}-publisher-{kind}"), target, arr, json!({ "n": "{{n}}", "kind": kind })));
            }
            parts
        },
    )
}

/// A Firehose delivery stream `prefix` whose records a function `prefix-transform` transforms: records of `kind`
/// `drop` come back `Dropped`, `bad` ones `ProcessingFailed`, and the function fails with a drawn probability; the
/// buffer size, buffer interval and `NumberOfRetries` (0–3) are drawn. One producer per kind drawn.
pub fn firehose(prefix: &str) -> impl Strategy<Value = Parts> {
    let p = prefix.to_string();
    let kinds = prop::sample::select(vec!["ok", "ok", "drop", "bad"]);
    (
        (0u32..=3, prop::sample::select(vec!["0.2", "1", "3"]), prop::sample::select(vec!["0", "10", "60", "120"])),
        prop::sample::select(vec![0.0, 0.0, 0.2, 1.0]),
        prop::collection::vec((arrivals(), kinds), 1..=3),
    )
        .prop_map(move |((retries, size, interval), p_fail, producers)| {
            let f = format!("{p}-transform");
            let mut rules = vec![
                json!({ "When": { "Payload": { "data": { "kind": ["drop"] } } }, "Then": { "Outcome": "Succeed", "Response": { "result": "Dropped" } } }),
                json!({ "When": { "Payload": { "data": { "kind": ["bad"] } } }, "Then": { "Outcome": "Succeed", "Response": { "result": "ProcessingFailed" } } }),
            ];
            if p_fail > 0.0 {
                rules.insert(0, json!({ "When": { "Probability": p_fail }, "Then": { "Outcome": "Fail", "ErrorType": "Flaky" } }));
            }
            let behavior = json!({ "Duration": { "Uniform": { "MinMs": 5, "MaxMs": 400 } }, "Rules": rules });
            let stream = json!({
                "DeliveryStreamName": p,
                "ProcessingConfiguration": { "Enabled": true, "Processors": [{ "Type": "Lambda", "Parameters": [
                    { "ParameterName": "LambdaArn", "ParameterValue": function_arn(&f) },
                    { "ParameterName": "NumberOfRetries", "ParameterValue": retries.to_string() },
                    { "ParameterName": "BufferSizeInMBs", "ParameterValue": size },
                    { "ParameterName": "BufferIntervalInSeconds", "ParameterValue": interval },
                ] }] },
            });
            let workload = producers
                .into_iter()
                .enumerate()
                .map(|(i, (arr, kind))| {
                    producer(format!("{p}-producer{i}"), json!({ "DeliveryStream": p }), arr, json!({ "n": "{{n}}", "kind": kind }))
                })
                .collect();
            Parts {
                functions: vec![spec(json!({ "FunctionName": f, "Timeout": 60, "Behavior": behavior }))],
                delivery_streams: vec![spec(stream)],
                workload,
                ..Parts::default()
            }
        })
}

/// A whole valid scenario that mixes everything: the async functions of [`scenario`](super::scenario) and, each
/// drawn or not, an SQS mapping (`sqs`), a Kinesis mapping (`kinesis`), a DynamoDB mapping (`ddb`), an SNS topic
/// (`sns`), an EventBridge bus (`events`) and a Firehose stream (`firehose`), at least one of them.
pub fn full_scenario() -> impl Strategy<Value = Scenario> {
    let some = |s: BoxedStrategy<Parts>| prop::option::of(s);
    (
        async_scenario(),
        (some(sqs_mapping("sqs").boxed()), some(kinesis_mapping("kinesis").boxed()), some(dynamodb_mapping("ddb").boxed())),
        (some(sns_topic("sns").boxed()), some(event_bus("events").boxed()), some(firehose("firehose").boxed())),
        sqs_mapping("sqs").boxed(),
    )
        .prop_map(|(mut sc, (a, b, c), (d, e, f), fallback)| {
            let drawn: Vec<Parts> = [a, b, c, d, e, f].into_iter().flatten().collect();
            if drawn.is_empty() {
                fallback.add_to(&mut sc);
            }
            for p in drawn {
                p.add_to(&mut sc);
            }
            sc
        })
}
