//! SQS mappings: what the function receives (`docs/conformance.md`, ids SQS-*).

use serde_json::json;

use crate::common::Rec;
use lambdasim::{load_str, run, RunOptions};

/// SQS-ATTR: `test_message_body_and_attributes_passed_correctly` (REC-SQS, recorded 2025-11-25). A message sent with
/// `MessageAttributes` Title, Author (String) and WeeksOn (Number) reaches the function with each attribute as
/// `{stringValue, stringListValues: [], binaryListValues: [], dataType}` and `md5OfMessageAttributes`
/// `d25a6aea97eb8f585bfa92d314504a92`, after `attributes` and before `md5OfBody`.
#[test]
fn message_attributes_reach_the_function_as_recorded() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f" }],
        "Queues": [{ "QueueName": "q" }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q", "At": [1], "Payload": { "fail_attempts": 0 },
                       "MessageAttributes": {
                           "Title": { "DataType": "String", "StringValue": "The Whistler" },
                           "Author": { "DataType": "String", "StringValue": "John Grisham" },
                           "WeeksOn": { "DataType": "Number", "StringValue": "6" } } }],
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    let event = &rec.inputs.first().expect("one invocation").1;
    let r = &event["Records"][0];
    assert_eq!(
        r["messageAttributes"],
        json!({
            "WeeksOn": { "stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number" },
            "Author": { "stringValue": "John Grisham", "stringListValues": [], "binaryListValues": [], "dataType": "String" },
            "Title": { "stringValue": "The Whistler", "stringListValues": [], "binaryListValues": [], "dataType": "String" },
        })
    );
    assert_eq!(r["md5OfMessageAttributes"], "d25a6aea97eb8f585bfa92d314504a92");
    let keys: Vec<&str> = r.as_object().expect("record").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "messageId",
            "receiptHandle",
            "body",
            "attributes",
            "messageAttributes",
            "md5OfMessageAttributes",
            "md5OfBody",
            "eventSource",
            "eventSourceARN",
            "awsRegion"
        ]
    );
}

/// Attributes that SQS would refuse are a validation error naming the path, never dropped.
#[test]
fn bad_message_attributes_are_refused_with_their_path() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f" }],
        "Queues": [{ "QueueName": "q" }],
        "Workload": [{ "Queue": "q", "At": [1], "MessageAttributes": { "n": { "DataType": "Float", "StringValue": "1" } } }],
    });
    let err = load_str(&sc.to_string()).expect_err("invalid").to_string();
    assert!(err.contains("Workload[0].MessageAttributes") && err.contains("\"Float\" is not allowed"), "{err}");
}

/// Messages SQS moves to a queue's dead-letter queue (`RedrivePolicy`) are what that queue receives: `--sinks` writes
/// them and `SinkRecords` counts them (as `DeadLetter` records), by the queue's name or ARN.
#[test]
fn redriven_messages_reach_the_sinks_and_sink_records() {
    let sc = json!({
        "Functions": [{ "FunctionName": "f", "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] } }],
        "Queues": [
            { "QueueName": "q", "VisibilityTimeout": 10, "RedrivePolicy": { "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 2 } },
            { "QueueName": "dlq" }
        ],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q", "At": [1, 2, 3], "Payload": { "n": "{{n}}" },
                       "MessageAttributes": { "origin": { "DataType": "String", "StringValue": "test" } } }],
        "Expectations": [
            { "Name": "by name", "Expect": { "SinkRecords": { "Target": "dlq" } }, "Equals": 3 },
            { "Name": "by ARN, DeadLetter, matching", "Expect": { "SinkRecords": { "Target": "arn:aws:sqs:us-east-1:123456789012:dlq", "Kind": "DeadLetter", "Match": { "messageAttributes": { "origin": { "stringValue": ["test"] } } } } }, "Equals": 3 }
        ],
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut sinks = lambdasim::MemorySinks::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut sinks], ..Default::default() }).expect("run");
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
    let dlq: Vec<_> = sinks.messages.iter().filter(|m| m.0 == "dlq").collect();
    assert_eq!(dlq.len(), 3);
    assert_eq!(dlq[0].2["body"], "{\"n\":0}");
    assert_eq!(dlq[0].2["messageAttributes"]["origin"]["stringValue"], "test");
    // And without any observer that wants content, the count still holds.
    let report = run(&model, 1, RunOptions::default()).expect("run");
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
}

/// SQS-BODY-BYTES: SQS hands on the bytes a producer sent. `md5OfBody` is the MD5 of the message body (SQS developer
/// guide, "Amazon SQS message metadata": the MD5 digest of the non-URL-encoded message body string), and a body keeps
/// its bytes as sent (the DLQ of ASYNC-DLQ-BYTES kept `{"raise_error": 1}` spaced). A producer's payload written
/// `{"a": 1}` reaches the function's record, its `md5OfBody`, the redrive dead-letter queue and an SNS subscription's
/// `Message` exactly as written; `{{n}}` renders inside the written text.
#[test]
fn a_message_body_is_the_bytes_the_producer_wrote() {
    use lambdasim::MemorySinks;
    use md5::{Digest, Md5};
    let sc = r#"{
      "Functions": [{ "FunctionName": "f", "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] } }, { "FunctionName": "g" }],
      "Queues": [
        { "QueueName": "q", "VisibilityTimeout": 5,
          "RedrivePolicy": { "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 1 } },
        { "QueueName": "dlq" }
      ],
      "Topics": [{ "TopicName": "t", "Subscriptions": [{ "Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:g" }] }],
      "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "BatchSize": 1 }],
      "Workload": [
        { "Queue": "q", "At": [1], "Payload": {"a": 1,  "n": "{{n}}"} },
        { "Topic": "t", "At": [1], "Payload": { "b" : [1, 2] } }
      ]
    }"#;
    let model = load_str(sc).unwrap_or_else(|e| panic!("{e}"));
    let mut rec = Rec::default();
    let mut sinks = MemorySinks::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec, &mut sinks], ..Default::default() }).expect("run");
    let body = r#"{"a": 1,  "n": 0}"#;
    let md5: String = Md5::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let record = rec.inputs.iter().find_map(|(_, e)| e.get("Records").and_then(|r| r[0].get("body")).map(|_| &e["Records"][0]));
    let record = record.expect("the SQS record");
    assert_eq!(record["body"], body);
    assert_eq!(record["md5OfBody"], md5.as_str());
    let (_, _, wire) = sinks.messages.iter().find(|m| m.0 == "dlq").expect("the redriven message");
    assert_eq!(wire["body"], body);
    let sns = rec.inputs.iter().find_map(|(_, e)| e["Records"][0]["Sns"]["Message"].as_str()).expect("the SNS event");
    assert_eq!(sns, r#"{ "b" : [1, 2] }"#);
    // A body written compactly stays compact.
    let compact = load_str(&sc.replace(r#"{"a": 1,  "n": "{{n}}"}"#, r#"{"a":1}"#)).expect("valid");
    let mut rec = Rec::default();
    run(&compact, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    let bodies: Vec<&str> = rec.inputs.iter().filter_map(|(_, e)| e["Records"][0]["body"].as_str()).collect();
    assert_eq!(bodies[0], r#"{"a":1}"#);
}
