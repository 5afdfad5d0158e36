//! SNS topics and EventBridge buses: fan-out, filter policies, the services' delivery retry policies, scheduled
//! rules and a rule target's dead-letter queue (spec sections 2, 3 and 7; docs/sources.md "Retries of the async
//! services"). Scenarios are inline JSON; assertions are on exact counts, virtual times and event contents.

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::aws::retry::{eventbridge_delay, sns_delay};
use lambdasim::trace::{MsgOrigin, Origin, PubOrigin};
use lambdasim::vocab::{DeliveryFailure, FanoutOutcome};
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
    // The function target throttles deliveries (a server-side error) for 30 s: 1 + 3 immediate, 2 one second apart,
    // then backoff.
    let r = go(json!({
        "Functions": [{"FunctionName": "f"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [{"Protocol": "lambda", "Endpoint": lambda("f")}]}],
        "Faults": [{"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 30, "Reason": "Throttled"}],
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
            {"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 10000, "Reason": "Throttled"},
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
    assert_eq!((ff.0, ff.2, ff.3, ff.4), (SimTime::from_secs(7), 4, FanoutOutcome::DeadLettered, Some(DeliveryFailure::Throttled)));
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
    let e = errors(base(json!([{"Name": "r", "ScheduleExpression": "cron(0 12 * * * *)", "Targets": []}])));
    assert!(e.contains("Rules[0].ScheduleExpression") && e.contains("one of them must be ?"), "{e}");
    let e = errors(base(json!([{"Name": "r", "ScheduleExpression": "cron(0 25 * * ? *)", "Targets": []}])));
    assert!(e.contains("Rules[0].ScheduleExpression") && e.contains("Hours") && e.contains("allowed 0-23"), "{e}");
    let e = errors(base(json!([{"Name": "r", "ScheduleExpression": "rate(5 minutes)", "Targets": []}])));
    assert!(e.contains("DurationSeconds"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Topics": [{"TopicName": "t", "Subscriptions": [
        {"Protocol": "http", "Endpoint": lambda("f")}]}]}));
    assert!(e.contains("Topics[0].Subscriptions[0].Protocol") && e.contains("allowed lambda, sqs"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Workload": [{"Topic": "nope", "At": [0]}]}));
    assert!(e.contains("Workload[0].Topic"), "{e}");
}

fn sent_to(r: &Rec, q: u32) -> Vec<(SimTime, u64)> {
    r.events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::MessageSent { queue, origin: MsgOrigin::Fanout { msg, .. }, .. } if queue.0 == q => Some((*t, *msg)),
            _ => None,
        })
        .collect()
}

#[test]
fn client_side_errors_are_not_retried_and_go_to_the_dead_letter_queue_at_once() {
    // AccessDenied (the default fault reason) is a client-side error: SNS and EventBridge do not retry it.
    let r = go(json!({
        "Functions": [{"FunctionName": "f"}, {"FunctionName": "reader", "Timeout": 3}],
        "Queues": [{"QueueName": "sub-dlq"}, {"QueueName": "rule-dlq"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [
            {"Protocol": "lambda", "Endpoint": lambda("f"), "RedrivePolicy": {"deadLetterTargetArn": sqs("sub-dlq")}}
        ]}],
        "EventBuses": [{"Name": "b", "Rules": [{"Name": "all", "EventPattern": {"source": ["shop"]}, "Targets": [
            {"Id": "f", "Arn": lambda("f"), "DeadLetterConfig": {"Arn": sqs("rule-dlq")}}
        ]}]}],
        "EventSourceMappings": [{"EventSourceArn": sqs("sub-dlq"), "FunctionName": "reader"}],
        "Faults": [{"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 100}],
        "Workload": [
            {"Topic": "t", "At": [5], "Payload": {"id": 1}},
            {"Name": "bus", "EventBus": "b", "Source": "shop", "At": [6]}
        ]
    }));
    let f = fanouts(&r);
    assert_eq!(
        f,
        vec![
            (SimTime::from_secs(5), 0, 1, FanoutOutcome::DeadLettered, Some(DeliveryFailure::AccessDenied)),
            (SimTime::from_secs(6), 0, 1, FanoutOutcome::DeadLettered, Some(DeliveryFailure::AccessDenied)),
        ]
    );
    assert_eq!(sent_to(&r, 0).len(), 1);
    assert_eq!(sent_to(&r, 1).len(), 1);
    // The subscription's DLQ holds the SNS message as the Lambda subscription would have received it.
    let got: Vec<&Value> = r.inputs.iter().map(|(_, v)| v).filter(|v| v["Records"][0]["eventSource"] == json!("aws:sqs")).collect();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(got[0]["Records"][0]["body"].as_str().expect("body")).expect("json body");
    assert_eq!(body["Type"], json!("Notification"));
    assert_eq!(body["TopicArn"], json!(format!("arn:aws:sns:{RA}:t")));
    assert_eq!(body["Message"], json!("{\"id\":1}"));
}

#[test]
fn the_lambda_subscription_dead_letter_body_is_a_named_option() {
    // `SnsLambdaDlqBody: Event`: the DLQ gets the whole event the function would have received.
    let r = go(json!({
        "Simulation": {"SnsLambdaDlqBody": "Event"},
        "Functions": [{"FunctionName": "f"}, {"FunctionName": "reader", "Timeout": 3}],
        "Queues": [{"QueueName": "sub-dlq"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [
            {"Protocol": "lambda", "Endpoint": lambda("f"), "RedrivePolicy": {"deadLetterTargetArn": sqs("sub-dlq")}}
        ]}],
        "EventSourceMappings": [{"EventSourceArn": sqs("sub-dlq"), "FunctionName": "reader"}],
        "Faults": [{"Target": lambda("f"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 100}],
        "Workload": [{"Topic": "t", "At": [5], "Payload": {"id": 1}}]
    }));
    let got: Vec<&Value> = r.inputs.iter().map(|(_, v)| v).filter(|v| v["Records"][0]["eventSource"] == json!("aws:sqs")).collect();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(got[0]["Records"][0]["body"].as_str().expect("body")).expect("json body");
    assert_eq!(body["Records"][0]["EventSource"], json!("aws:sns"));
    assert_eq!(body["Records"][0]["Sns"]["Message"], json!("{\"id\":1}"));
}

#[test]
fn fifo_topic_deduplicates_and_keeps_each_group_in_order() {
    let r = go(json!({
        "Functions": [{"FunctionName": "f"}],
        "Queues": [{"QueueName": "orders.fifo", "FifoQueue": true}, {"QueueName": "audit"}],
        "Topics": [{"TopicName": "orders.fifo", "FifoTopic": true, "Subscriptions": [
            {"Protocol": "sqs", "Endpoint": sqs("orders.fifo")},
            {"Protocol": "sqs", "Endpoint": sqs("audit"), "RawMessageDelivery": true}
        ]}],
        // The FIFO queue throttles SNS for the first 2.5 s.
        "Faults": [{"Target": sqs("orders.fifo"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 2.5, "Reason": "Throttled"}],
        "Workload": [
            {"Name": "a", "Topic": "orders.fifo", "At": [0, 0.5, 1], "MessageGroupId": "g1", "MessageDeduplicationId": "a-{{n}}", "Payload": {"n": "{{n}}"}},
            {"Name": "dup", "Topic": "orders.fifo", "At": [0.2, 299, 301], "MessageGroupId": "g2", "MessageDeduplicationId": "a-0"}
        ]
    }));
    // "a-0" again at 0.2 s and 299 s: within 5 minutes of the first, dropped; at 301 s it is new again.
    let dedup: Vec<SimTime> =
        r.events.iter().filter(|(_, e)| matches!(e, TraceEvent::PublishDeduplicated { .. })).map(|(t, _)| *t).collect();
    assert_eq!(dedup, vec![SimTime::from_secs_f64(0.2), SimTime::from_secs(299)]);
    let published: Vec<u64> =
        r.events.iter().filter_map(|(_, e)| if let TraceEvent::Published { msg, .. } = e { Some(*msg) } else { None }).collect();
    assert_eq!(published, vec![0, 1, 2, 3]);
    // The standard queue gets each message at once.
    let audit: Vec<SimTime> = sent_to(&r, 1).iter().map(|x| x.0).collect();
    assert_eq!(audit, [0.0, 0.5, 1.0, 301.0].iter().map(|s| SimTime::from_secs_f64(*s)).collect::<Vec<_>>());
    // The FIFO queue: message 0 is retried (0, 0, 0, 0, 1, 2, then 3.0 s is past the fault); messages 1 and 2 of the
    // same group wait behind it and follow in order.
    let fifo = sent_to(&r, 0);
    assert_eq!(fifo.iter().map(|x| x.1).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    assert_eq!(fifo[0].0, SimTime::from_secs(3));
    assert_eq!(fifo[1].0, SimTime::from_secs(3));
    assert_eq!(fifo[2].0, SimTime::from_secs(3));
    let attempts: Vec<(u64, u32)> = r
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Fanout { msg, endpoint: 0, attempts, .. } => Some((*msg, *attempts)),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, vec![(0, 7), (1, 1), (2, 1), (3, 1)]);
}

#[test]
fn cron_rules_tick_at_utc_instants_from_the_start_time() {
    let sc = json!({
        "Simulation": {"StartTime": "2024-01-05T06:30:00Z", "DurationSeconds": 5 * 86400},
        "Functions": [{"FunctionName": "report"}],
        "EventBuses": [{"Name": "default", "Rules": [
            {"Name": "weekdays-noon", "ScheduleExpression": "cron(0 12 ? * MON-FRI *)", "Targets": [{"Id": "1", "Arn": lambda("report")}]}
        ]}],
        "Expectations": [
            {"Expect": {"RuleMatches": {"EventBus": "default", "Rule": "weekdays-noon"}}, "Equals": 3},
            {"Expect": {"RuleDeliveries": {"EventBus": "default", "Target": "1", "Outcome": "Delivered"}}, "Equals": 3},
            {"Expect": {"Published": {"EventBus": "default"}}, "Equals": 3}
        ]
    });
    let model = load_str(&sc.to_string()).expect("valid");
    let mut rec = Rec::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    assert!(report.expectations_passed());
    // Friday 5 January 2024 at 12:00, then Monday 8 and Tuesday 9 (the weekend is skipped; Wednesday is past the end).
    let ticks: Vec<SimTime> = rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::RuleMatched { .. })).map(|(t, _)| *t).collect();
    let h = |x: f64| SimTime::from_secs_f64(x * 3600.0);
    assert_eq!(ticks, vec![h(5.5), h(5.5 + 72.0), h(5.5 + 96.0)]);
    let inputs = inputs_of(&rec, 0);
    assert_eq!(inputs[0]["time"], json!("2024-01-05T12:00:00Z"));
    assert_eq!(inputs[1]["time"], json!("2024-01-08T12:00:00Z"));
}

#[test]
fn topic_and_bus_expectations_count_what_happened() {
    let sc = |equals: u32| {
        json!({
            "Functions": [{"FunctionName": "f"}, {"FunctionName": "g"}],
            "Queues": [{"QueueName": "q"}],
            "Topics": [{"TopicName": "t", "Subscriptions": [
                {"Protocol": "lambda", "Endpoint": lambda("f"), "FilterPolicy": {"kind": ["a"]}},
                {"Protocol": "sqs", "Endpoint": sqs("q")}
            ]}],
            "EventBuses": [{"Name": "b", "Rules": [
                {"Name": "orders", "EventPattern": {"detail-type": ["Order"]}, "Targets": [{"Id": "g", "Arn": lambda("g")}]}
            ]}],
            "Workload": [
                {"Name": "pa", "Topic": "t", "At": [0, 1], "MessageAttributes": {"kind": "a"}},
                {"Name": "pb", "Topic": "t", "At": [2]},
                {"Name": "orders", "EventBus": "b", "Source": "shop", "DetailType": "Order", "At": [0, 1, 2, 3]},
                {"Name": "other", "EventBus": "b", "Source": "shop", "DetailType": "Other", "At": [0]}
            ],
            "Expectations": [
                {"Expect": {"Published": {"Topic": "t"}}, "Equals": 3},
                {"Expect": {"TopicDeliveries": {"Topic": "t", "Outcome": "Delivered"}}, "Equals": 5},
                {"Expect": {"TopicDeliveries": {"Topic": "t", "Endpoint": lambda("f"), "Outcome": "Delivered"}}, "Equals": equals},
                {"Expect": {"Published": {"EventBus": "b"}}, "Equals": 5},
                {"Expect": {"RuleMatches": {"EventBus": "b", "Rule": "orders"}}, "Equals": 4},
                {"Expect": {"RuleDeliveries": {"EventBus": "b", "Rule": "orders", "Outcome": "Discarded"}}, "Equals": 0}
            ]
        })
    };
    let ok = load_str(&sc(2).to_string()).expect("valid");
    assert!(run(&ok, 1, RunOptions::default()).expect("run").expectations_passed());
    let bad = load_str(&sc(3).to_string()).expect("valid");
    assert!(!run(&bad, 1, RunOptions::default()).expect("run").expectations_passed());
    // Unknown names are errors with their path.
    let mut s = sc(2);
    s["Expectations"] = json!([{"Expect": {"RuleMatches": {"EventBus": "b", "Rule": "nope"}}, "Equals": 1}]);
    let e = errors(s);
    assert!(e.contains("Expectations[0].Expect.RuleMatches.Rule") && e.contains("rules: orders"), "{e}");
    let mut s = sc(2);
    s["Expectations"] = json!([{"Expect": {"TopicDeliveries": {"Topic": "t", "Outcome": "Lost"}}, "Equals": 1}]);
    let e = errors(s);
    assert!(e.contains("TopicDeliveries.Outcome") && e.contains("Delivered, Discarded, DeadLettered, InFlight"), "{e}");
}

#[test]
fn fifo_topics_and_dead_letter_queues_are_validated() {
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Topics": [{"TopicName": "t.fifo", "Subscriptions": [
        {"Protocol": "lambda", "Endpoint": lambda("f")}]}]}));
    assert!(e.contains("Topics[0].Subscriptions[0].Endpoint") && e.contains("only to SQS queues"), "{e}");
    let e = errors(
        json!({"Functions": [], "Queues": [{"QueueName": "q.fifo", "FifoQueue": true}], "Topics": [{"TopicName": "t", "Subscriptions": [
        {"Protocol": "sqs", "Endpoint": sqs("q.fifo")}]}]}),
    );
    assert!(e.contains("only a FIFO topic delivers to FIFO queues"), "{e}");
    let e = errors(json!({"Functions": [], "Topics": [{"TopicName": "t", "FifoTopic": true}]}));
    assert!(e.contains("Topics[0].FifoTopic") && e.contains(".fifo"), "{e}");
    let e = errors(json!({"Functions": [], "Queues": [{"QueueName": "q.fifo", "FifoQueue": true}],
        "Topics": [{"TopicName": "t.fifo", "Subscriptions": [{"Protocol": "sqs", "Endpoint": sqs("q.fifo")}]}],
        "Workload": [{"Topic": "t.fifo", "At": [0]}]}));
    assert!(e.contains("Workload[0].MessageGroupId") && e.contains("required"), "{e}");
    assert!(e.contains("Workload[0].MessageDeduplicationId") && e.contains("ContentBasedDeduplication"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Queues": [{"QueueName": "d.fifo", "FifoQueue": true}],
        "Topics": [{"TopicName": "t", "Subscriptions": [{"Protocol": "lambda", "Endpoint": lambda("f"),
            "RedrivePolicy": {"deadLetterTargetArn": sqs("d.fifo")}}]}]}));
    assert!(e.contains("Subscriptions[0].RedrivePolicy.deadLetterTargetArn") && e.contains("standard SQS queue"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}],
        "Topics": [{"TopicName": "t", "Subscriptions": [{"Protocol": "lambda", "Endpoint": lambda("f"), "RedrivePolicy": {"x": 1}}]}]}));
    assert!(e.contains("Subscriptions[0].RedrivePolicy") && e.contains("deadLetterTargetArn"), "{e}");
    let e = errors(json!({"Functions": [{"FunctionName": "f"}], "Topics": [{"TopicName": "t"}],
        "Workload": [{"Topic": "t", "At": [0], "MessageGroupId": "g"}]}));
    assert!(e.contains("Workload[0].MessageGroupId") && e.contains("FIFO"), "{e}");
}
