//! Asynchronous invocation: records and error payloads (`docs/conformance.md`, ids ASYNC-*).

use serde_json::json;

use lambdasim::{load_str, run, MemorySinks, RunOptions};

/// ASYNC-ERR: `TestLambdaDestinationSqs::test_retries` (LS-DEST's snapshot, recorded 2025-11-25). A Python function that
/// raises `Exception("intentional failure")` in `handler.handler` on every attempt: after 3 attempts the on-failure
/// record's `responsePayload` is `{"errorMessage", "errorType", "requestId", "stackTrace"}` with the frame the runtime
/// printed, `approximateInvokeCount` 3, and the qualified `functionArn`.
#[test]
fn an_error_record_carries_the_runtimes_stack_frames() {
    let sc = json!({
        "Functions": [{
            "FunctionName": "retry-fn",
            "Handler": "handler.handler",
            "EventInvokeConfig": { "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:dest" } } },
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail", "ErrorType": "Exception", "ErrorMessage": "intentional failure" } }] }
        }],
        "Queues": [{ "QueueName": "dest" }],
        "Workload": [{ "Function": "retry-fn", "At": [0], "Payload": { "message": "retry-msg" } }],
    });
    // `Handler` alone (without `Runtime`) runs no code: it names the handler in the default frame, which here is
    // the recorded one.
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut sinks = MemorySinks::default();
    run(&model, 1, RunOptions { observers: vec![&mut sinks], ..Default::default() }).expect("run");
    let (_, r) = sinks.contents.iter().find(|c| c.0 == "dest").expect("on-failure record");
    assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(r["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(r["requestContext"]["functionArn"], "arn:aws:lambda:us-east-1:123456789012:function:retry-fn:$LATEST");
    assert_eq!(r["responseContext"], json!({ "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" }));
    let p = &r["responsePayload"];
    let keys: Vec<&str> = p.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["errorMessage", "errorType", "requestId", "stackTrace"]);
    assert_eq!(p["errorType"], "Exception");
    assert_eq!(
        p["stackTrace"],
        json!(["  File \"/var/task/handler.py\", line 7, in handler\n    raise Exception(\"intentional failure\")\n"])
    );
    assert_eq!(p["requestId"], r["requestContext"]["requestId"]);
}

/// Without `StackTrace`, a failing rule gets one frame at the handler in Python's format (the runtime of every
/// recording), `lambda_function.lambda_handler` being the console's default handler.
#[test]
fn a_failing_rule_without_frames_gets_a_frame_in_the_runtimes_format() {
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "EventInvokeConfig": { "MaximumRetryAttempts": 0, "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:dest" } } },
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail", "ErrorType": "KeyError", "ErrorMessage": "'id'" } }] }
        }],
        "Queues": [{ "QueueName": "dest" }],
        "Workload": [{ "Function": "f", "At": [0] }],
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut sinks = MemorySinks::default();
    run(&model, 1, RunOptions { observers: vec![&mut sinks], ..Default::default() }).expect("run");
    let (_, r) = sinks.contents.iter().find(|c| c.0 == "dest").expect("on-failure record");
    assert_eq!(
        r["responsePayload"]["stackTrace"],
        json!(["  File \"/var/task/lambda_function.py\", line 7, in lambda_handler\n    raise KeyError(\"'id'\")\n"])
    );
    // A stack trace is for errors: a timeout declaring one is refused.
    let mut bad = sc.clone();
    bad["Functions"][0]["Behavior"]["Rules"][0]["Then"] = json!({ "Outcome": "Timeout", "StackTrace": ["x"] });
    let err = load_str(&bad.to_string()).expect_err("invalid").to_string();
    assert!(err.contains("Functions[0].Behavior.Rules[0].Then.StackTrace"), "{err}");
}
