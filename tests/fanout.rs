//! SNS topics and EventBridge buses: fan-out, filter policies, the services' delivery retry policies, scheduled
//! rules and a rule target's dead-letter queue (spec sections 2, 3 and 7; docs/sources.md "Retries of the async
//! services"). Scenarios are inline JSON; assertions are on exact counts, virtual times and event contents.

mod common;

use serde_json::{json, Value};

use common::Rec;
use lambdasim::sim::{eventbridge_delay, sns_delay};
use lambdasim::trace::{DeliveryFailure, FanoutOutcome, MsgOrigin, Origin, PubOrigin};
use lambdasim::{load_str, run, RunOptions, SimTime, TraceEvent};

const RA: &str = "us-east-1:123456789012";

fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:{RA}:function:{name}")
}
fn sqs(name: &str) -> String {
    format!("arn:aws:sqs:{RA}:{name}")
}

fn go(sc: Value) -> Rec {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("valid scenario: {e}"));
    let mut rec = Rec::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    // The monitor: every published message reaches exactly one fate at each endpoint it matched.
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    rec
}

fn errors(sc: Value) -> String {
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("expected a validation error"),
        Err(e) => e.to_string(),
    }
}

/// (time, endpoint, attempts, outcome, refused) of every `Fanout` event.
fn fanouts(r: &Rec) -> Vec<(SimTime, u32, u32, FanoutOutcome, Option<DeliveryFailure>)> {
    r.events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::Fanout { endpoint, attempts, outcome, refused, .. } => Some((*t, *endpoint, *attempts, *outcome, *refused)),
            _ => None,
        })
        .collect()
}

fn inputs_of(r: &Rec, f: u32) -> Vec<Value> {
    let ids: Vec<u64> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Accepted { event, function, origin: Origin::Fanout { .. }, .. } if function.0 == f => Some(*event),
            _ => None,
        })
        .collect();
    r.inputs.iter().filter(|(e, _)| ids.contains(e)).map(|(_, v)| v.clone()).collect()
}

#[test]
fn topic_fans_out_to_every_subscription_with_the_sns_event() {
    let r = go(json!({
        "Functions": [{"FunctionName": "a"}, {"FunctionName": "b"}],
        "Queues": [{"QueueName": "copy"}],
        "Topics": [{"TopicName": "news", "Subscriptions": [
            {"Protocol": "lambda", "Endpoint": lambda("a")},
            {"Protocol": "lambda", "Endpoint": lambda("b")},
            {"Protocol": "sqs", "Endpoint": sqs("copy")}
        ]}],
        "Workload": [{"Topic": "news", "At": [1, 2, 3], "Subject": "hello", "Payload": {"n": "{{n}}"}}]
    }));
    let published: Vec<u32> =
        r.events.iter().filter_map(|(_, e)| if let TraceEvent::Published { matched, .. } = e { Some(*matched) } else { None }).collect();
    assert_eq!(published, vec![3, 3, 3]);
    let f = fanouts(&r);
    assert_eq!(f.len(), 9);
    assert!(f.iter().all(|x| x.2 == 1 && x.3 == FanoutOutcome::Delivered));
    let a = inputs_of(&r, 0);
    assert_eq!(a.len(), 3);
    let sns = &a[1]["Records"][0]["Sns"];
    assert_eq!(sns["Message"], json!("{\"n\":1}"));
    assert_eq!(sns["TopicArn"], json!(format!("arn:aws:sns:{RA}:news")));
    assert_eq!(sns["Subject"], json!("hello"));
    assert_eq!(a[1]["Records"][0]["EventSource"], json!("aws:sns"));
    assert_eq!(inputs_of(&r, 1).len(), 3);
    // The queue gets the SNS envelope (no mapping reads it: Stored).
    let sent = r.events.iter().filter(|(_, e)| matches!(e, TraceEvent::MessageSent { origin: MsgOrigin::Fanout { .. }, .. })).count();
    assert_eq!(sent, 3);
}

#[test]
fn filter_policies_on_attributes_and_on_the_body() {
    let r = go(json!({
        "Functions": [{"FunctionName": "orders"}, {"FunctionName": "big"}, {"FunctionName": "all"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [
            {"Protocol": "lambda", "Endpoint": lambda("orders"), "FilterPolicy": {"kind": ["order"]}},
            {"Protocol": "lambda", "Endpoint": lambda("big"), "FilterPolicyScope": "MessageBody",
             "FilterPolicy": {"amount": [{"numeric": [">", 100]}]}},
            {"Protocol": "lambda", "Endpoint": lambda("all")}
        ]}],
        "Workload": [
            {"Name": "o", "Topic": "t", "At": [1, 2], "MessageAttributes": {"kind": "order"}, "Payload": {"amount": 50}},
            {"Name": "r", "Topic": "t", "At": [3], "MessageAttributes": {"kind": {"Type": "String", "Value": "refund"}}, "Payload": {"amount": 500}}
        ]
    }));
    let per_endpoint = |e: u32| fanouts(&r).iter().filter(|x| x.1 == e).count();
    assert_eq!(per_endpoint(0), 2, "two orders match kind=order");
    assert_eq!(per_endpoint(1), 1, "one body has amount > 100");
    assert_eq!(per_endpoint(2), 3, "no policy: every message");
    let matched: Vec<u32> =
        r.events.iter().filter_map(|(_, e)| if let TraceEvent::Published { matched, .. } = e { Some(*matched) } else { None }).collect();
    assert_eq!(matched, vec![2, 2, 2]);
    let attrs = &inputs_of(&r, 0)[0]["Records"][0]["Sns"]["MessageAttributes"];
    assert_eq!(attrs, &json!({"kind": {"Type": "String", "Value": "order"}}));
}

#[test]
fn sns_retries_a_refused_invoke_with_its_delivery_policy() {
    // The function target rejects deliveries for 30 s: 1 + 3 immediate, 2 one second apart, then backoff.
    let r = go(json!({
        "Functions": [{"FunctionName": "f"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [{"Protocol": "lambda", "Endpoint": lambda("f")}]}],
        "Faults": [{"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 30}],
        "Workload": [{"Topic": "t", "At": [0]}]
    }));
    let f = fanouts(&r);
    assert_eq!(f.len(), 1);
    let (t, _, attempts, outcome, _) = f[0];
    assert_eq!(outcome, FanoutOutcome::Delivered);
    // Attempt times 0,0,0,0,1,2,3,4.39,6.34,9.06,12.84,18.12,25.49,35.76: the 14th is the first after 30 s.
    assert_eq!(attempts, 14);
    let expect: SimTime = (1..14).map(|a| sns_delay(a).expect("within policy")).fold(SimTime::ZERO, |x, d| x + d);
    assert_eq!(t, expect);
    assert!((t.as_secs_f64() - 35.76).abs() < 0.01, "{t}");
    assert_eq!(sns_delay(3), Some(SimTime::ZERO));
    assert_eq!(sns_delay(5), Some(SimTime::from_secs(1)));
    assert_eq!(sns_delay(15), Some(SimTime::from_secs(20)));
    assert_eq!(sns_delay(100_015), None, "100,015 attempts in all");
    // Lambda accepted it once, after the refusals.
    let accepted: Vec<SimTime> = r.events.iter().filter(|(_, e)| matches!(e, TraceEvent::Accepted { .. })).map(|(t, _)| *t).collect();
    assert_eq!(accepted, vec![t]);
}

#[test]
fn eventbridge_retry_policy_then_the_targets_dead_letter_queue() {
    let r = go(json!({
        "Functions": [{"FunctionName": "f"}, {"FunctionName": "g"}],
        "Queues": [{"QueueName": "rule-dlq"}],
        "EventBuses": [{"Name": "bus", "Rules": [{"Name": "all", "EventPattern": {"source": ["shop"]}, "Targets": [
            {"Id": "f", "Arn": lambda("f"), "RetryPolicy": {"MaximumRetryAttempts": 3},
             "DeadLetterConfig": {"Arn": sqs("rule-dlq")}},
            {"Id": "g", "Arn": lambda("g"), "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}
        ]}]}],
        "Faults": [
            {"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 10000},
            {"Target": lambda("g"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 10000, "Reason": "Throttled"}
        ],
        "Workload": [
            {"EventBus": "bus", "Source": "shop", "DetailType": "order", "At": [0], "Payload": {"id": 1}},
            {"Name": "other", "EventBus": "bus", "Source": "crm", "At": [0]}
        ]
    }));
    let f = fanouts(&r);
    assert_eq!(f.len(), 2, "the crm event matches no rule");
    // f: 1 + 3 retries 1, 2 and 4 s apart, then the DLQ at 7 s.
    let ff = f.iter().find(|x| x.1 == 0).expect("f");
    assert_eq!((ff.0, ff.2, ff.3, ff.4), (SimTime::from_secs(7), 4, FanoutOutcome::DeadLettered, Some(DeliveryFailure::AccessDenied)));
    // g: retries at 1, 3, 7, 15, 31 s; the next (31 + 32 s) would be past 60 s of age: dropped.
    let gg = f.iter().find(|x| x.1 == 1).expect("g");
    assert_eq!((gg.0, gg.2, gg.3, gg.4), (SimTime::from_secs(31), 6, FanoutOutcome::Discarded, Some(DeliveryFailure::Throttled)));
    assert_eq!(eventbridge_delay(1), SimTime::from_secs(1));
    assert_eq!(eventbridge_delay(20), SimTime::from_secs(300));
    // The DLQ holds the event itself.
    let dlq: Vec<SimTime> = r
        .events
        .iter()
        .filter(|(_, e)| matches!(e, TraceEvent::MessageSent { origin: MsgOrigin::Fanout { .. }, .. }))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(dlq, vec![SimTime::from_secs(7)]);
    assert!(!r.events.iter().any(|(_, e)| matches!(e, TraceEvent::Accepted { .. })));
}

#[test]
fn scheduled_rule_ticks_and_pattern_rule_delivers_the_event_envelope() {
    let r = go(json!({
        "Simulation": {"DurationSeconds": 3600},
        "Functions": [{"FunctionName": "cron"}, {"FunctionName": "h"}],
        "EventBuses": [{"Name": "default", "Rules": [
            {"Name": "tick", "ScheduleExpression": "rate(5 minutes)", "Targets": [{"Id": "1", "Arn": lambda("cron")}]},
            {"Name": "off", "State": "DISABLED", "ScheduleExpression": "rate(1 minute)", "Targets": [{"Id": "1", "Arn": lambda("cron")}]},
            {"Name": "orders", "EventPattern": {"detail": {"total": [{"numeric": [">=", 10]}]}}, "Targets": [{"Id": "h", "Arn": lambda("h")}]}
        ]}],
        "Workload": [{"EventBus": "default", "Source": "shop", "DetailType": "Order", "At": [10, 20], "Payload": {"total": "{{n}}"}}]
    }));
    let ticks: Vec<SimTime> = r
        .events
        .iter()
        .filter(|(_, e)| matches!(e, TraceEvent::Published { origin: PubOrigin::Schedule { .. }, .. }))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(ticks, (1..=12).map(|k| SimTime::from_secs(300 * k)).collect::<Vec<_>>());
    let cron = inputs_of(&r, 0);
    assert_eq!(cron.len(), 12);
    assert_eq!(cron[0]["source"], json!("aws.events"));
    assert_eq!(cron[0]["detail-type"], json!("Scheduled Event"));
    assert_eq!(cron[0]["resources"], json!([format!("arn:aws:events:{RA}:rule/tick")]));
    // total 0 and 1: neither is >= 10.
    assert_eq!(inputs_of(&r, 1).len(), 0);
}

#[test]
fn destination_record_to_a_topic_invokes_the_subscriber() {
    let r = go(json!({
        "Functions": [
            {"FunctionName": "first", "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": format!("arn:aws:sns:{RA}:done")}}}},
            {"FunctionName": "second"}
        ],
        "Topics": [{"TopicName": "done", "Subscriptions": [{"Protocol": "lambda", "Endpoint": lambda("second")}]}],
        "Workload": [{"Function": "first", "At": [0, 1], "Payload": {"k": "{{n}}"}}]
    }));
    let got = inputs_of(&r, 1);
    assert_eq!(got.len(), 2);
    let msg: Value = serde_json::from_str(got[0]["Records"][0]["Sns"]["Message"].as_str().expect("text")).expect("record");
    assert_eq!(msg["requestContext"]["condition"], json!("Success"));
    assert_eq!(msg["requestPayload"], json!({"k": 0}));
    let origins = r.events.iter().filter(|(_, e)| matches!(e, TraceEvent::Published { origin: PubOrigin::Record { .. }, .. })).count();
    assert_eq!(origins, 2);
}

#[test]
fn bad_input_names_the_path_and_the_allowed_range() {
    let base = |rules: Value| json!({"Functions": [{"FunctionName": "f"}], "EventBuses": [{"Name": "b", "Rules": rules}]});
    let e = errors(base(json!([{"Name": "r", "EventPattern": {"source": ["x"]},
        "Targets": [{"Id": "t", "Arn": lambda("f"), "RetryPolicy": {"MaximumRetryAttempts": 186, "MaximumEventAgeInSeconds": 59}}]}])));
    assert!(e.contains("EventBuses[0].Rules[0].Targets[0].RetryPolicy.MaximumRetryAttempts") && e.contains("allowed 0 to 185"), "{e}");
    assert!(e.contains("MaximumEventAgeInSeconds") && e.contains("allowed 60 to 86400"), "{e}");
    let e = errors(base(json!([{"Name": "r", "ScheduleExpression": "cron(0 12 * * ? *)", "Targets": []}])));
    assert!(e.contains("Rules[0].ScheduleExpression") && e.contains("not simulated yet"), "{e}");
    let e = errors(base(json!([{"Name": "r", "ScheduleExpression": "rate(5 minutes)", "Targets": []}])));
    assert!(e.contains("DurationSeconds"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Topics": [{"TopicName": "t", "Subscriptions": [
        {"Protocol": "http", "Endpoint": lambda("f")}]}]}));
    assert!(e.contains("Topics[0].Subscriptions[0].Protocol") && e.contains("allowed lambda, sqs"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Workload": [{"Topic": "nope", "At": [0]}]}));
    assert!(e.contains("Workload[0].Topic"), "{e}");
}
