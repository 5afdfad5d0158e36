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

/// ASYNC-EIC-QUALIFIER: `test_lambda_eventinvokeconfig_lifecycle` (LS-API, recorded 2025-11-25): after `$LATEST` got
/// an EventInvokeConfig, publishing version 1 leaves version 1 without one (`GetFunctionEventInvokeConfig` on `:1`:
/// "doesn't have an EventInvokeConfig"). So an event invoking version 1 runs with the defaults: 3 attempts and no
/// destination, not `$LATEST`'s single attempt and its destination.
#[test]
fn a_version_without_its_own_event_invoke_config_uses_the_defaults() {
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "EventInvokeConfig": { "MaximumRetryAttempts": 0, "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:dest" } } },
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] },
            "Versions": [{}]
        }],
        "Queues": [{ "QueueName": "dest" }],
        "Workload": [
            { "Name": "v1", "Function": "f:1", "At": [0] },
            { "Name": "latest", "Function": "f", "At": [1] }
        ],
        "Expectations": [
            { "Name": "version 1 runs 3 times", "Expect": { "Attempts": { "Function": "f", "Version": "1" } }, "Equals": 3 },
            { "Name": "$LATEST once", "Expect": { "Attempts": { "Function": "f", "Version": "$LATEST" } }, "Equals": 1 },
            { "Name": "only $LATEST's event reaches its destination", "Expect": { "SinkRecords": { "Target": "dest" } }, "Equals": 1 }
        ]
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&model, 1, RunOptions::default()).expect("run");
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
}

/// ASYNC-EIC-CHECKS: `test_lambda_eventinvokeconfig_exceptions` (LS-API, recorded 2025-11-25): AWS refuses an
/// EventInvokeConfig with no setting ("You must specify at least one of error handling or destination setting.") and
/// a function as its own destination ("You can't specify the function as a destination for itself."), and accepts
/// `{"OnSuccess": {}}` / `{"OnFailure": {}}` without a `Destination`.
#[test]
fn event_invoke_configs_are_checked_as_aws_checks_them() {
    let with = |eic: serde_json::Value| json!({ "Functions": [{ "FunctionName": "f", "EventInvokeConfig": eic }] }).to_string();
    let err = load_str(&with(json!({}))).expect_err("no setting").to_string();
    assert!(
        err.contains("Functions[0].EventInvokeConfig: You must specify at least one of error handling or destination setting."),
        "{err}"
    );
    let own = json!({ "DestinationConfig": { "OnSuccess": { "Destination": "arn:aws:lambda:us-east-1:123456789012:function:f" } } });
    let err = load_str(&with(own)).expect_err("own destination").to_string();
    assert!(
        err.contains("Functions[0].EventInvokeConfig.DestinationConfig.OnSuccess.Destination: You can't specify the function as a destination for itself."),
        "{err}"
    );
    assert!(load_str(&with(json!({ "DestinationConfig": { "OnSuccess": {}, "OnFailure": {} } }))).is_ok());
}

/// `PutFunctionEventInvokeConfig` replaces the whole configuration (a setting not given takes its default), and
/// `UpdateFunctionEventInvokeConfig` changes only what it gives (LS-API `test_lambda_eventinvokeconfig_lifecycle`:
/// `update_invokeconfig_retries` keeps the event age that was put before).
#[test]
fn put_replaces_and_update_merges_the_event_invoke_config_on_the_timeline() {
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "EventInvokeConfig": { "MaximumRetryAttempts": 1, "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:dest" } } },
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] }
        }],
        "Queues": [{ "QueueName": "dest" }],
        "Workload": [{ "Function": "f", "At": [0, 1000, 2000] }],
        "Changes": [
            // At 900 s: only the retries change; the destination stays.
            { "AtSeconds": 900, "UpdateFunctionEventInvokeConfig": { "FunctionName": "f", "MaximumRetryAttempts": 0 } },
            // At 1900 s: the whole configuration is replaced: 2 retries (the default) and no destination.
            { "AtSeconds": 1900, "PutFunctionEventInvokeConfig": { "FunctionName": "f", "MaximumEventAgeInSeconds": 3600 } }
        ],
        "Expectations": [
            { "Name": "2 + 1 + 3 executions", "Expect": { "Attempts": { "Function": "f" } }, "Equals": 6 },
            { "Name": "the first two events reach the destination", "Expect": { "SinkRecords": { "Target": "dest" } }, "Equals": 2 }
        ]
    });
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&model, 1, RunOptions::default()).expect("run");
    assert!(report.expectations_passed(), "{:?}", report.verdicts);
    // A version's configuration cannot be changed on the timeline: refused, not ignored.
    let mut bad = sc.clone();
    bad["Changes"][0]["UpdateFunctionEventInvokeConfig"]["Qualifier"] = json!("1");
    let err = load_str(&bad.to_string()).expect_err("refused").to_string();
    assert!(err.contains("Changes[0].UpdateFunctionEventInvokeConfig.Qualifier"), "{err}");
}
