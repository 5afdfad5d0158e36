//! Asynchronous invocation: records and error payloads (`docs/conformance.md`, ids ASYNC-*).

use serde_json::json;

use lambdasim::{load_str, run, MemorySinks, RunOptions, TraceEvent, TraceLog};

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

/// ASYNC-EIC-ALIAS: AWS keeps an EventInvokeConfig per qualifier (`PutFunctionEventInvokeConfig --qualifier live`,
/// and SAM puts a function's `EventInvokeConfig` on its `AutoPublishAlias`): an event invoked through alias `live`
/// runs with the alias's own configuration, and through an alias without one with the defaults, whatever the
/// version's says (`Simulation.AliasEventInvokeConfig: Alias`, the default). With `Version`, the configuration of the
/// version the alias routes to applies (LocalStack's behaviour), and an alias's own configuration is refused.
#[test]
fn an_alias_runs_with_its_own_event_invoke_config() {
    let dest = |q: &str| format!("arn:aws:sqs:us-east-1:123456789012:{q}");
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] },
            "Versions": [{ "EventInvokeConfig": { "MaximumRetryAttempts": 0, "DestinationConfig": { "OnFailure": { "Destination": dest("version-dest") } } } }],
            "Aliases": [
                { "Name": "live", "FunctionVersion": "1",
                  "EventInvokeConfig": { "MaximumRetryAttempts": 1, "DestinationConfig": { "OnFailure": { "Destination": dest("alias-dest") } } } },
                { "Name": "bare", "FunctionVersion": "1" }
            ]
        }],
        "Queues": [{ "QueueName": "version-dest" }, { "QueueName": "alias-dest" }],
        "Workload": [
            { "Name": "live", "Function": "f:live", "At": [0] },
            { "Name": "bare", "Function": "f:bare", "At": [1000] },
            { "Name": "v1", "Function": "f:1", "At": [2000] }
        ],
        "Expectations": [
            { "Name": "the alias's destination", "Expect": { "SinkRecords": { "Target": "alias-dest" } }, "Equals": 1 },
            { "Name": "the version's destination, for the direct invoke only", "Expect": { "SinkRecords": { "Target": "version-dest" } }, "Equals": 1 },
            { "Name": "each failure record exactly once", "Expect": { "FailureRecordsNotExactlyOnce": {} }, "Equals": 0 }
        ]
    });
    // attempts per event, in the order the events were accepted (live, bare, v1)
    let attempts = |sc: &serde_json::Value| {
        let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let mut log = TraceLog::default();
        let report = run(&model, 1, RunOptions { observers: vec![&mut log], ..Default::default() }).expect("run");
        assert!(report.breaches.is_empty(), "{:?}", report.breaches);
        assert!(report.expectations_passed(), "{:?}", report.verdicts);
        let mut fates: Vec<(u64, u32)> = log
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                TraceEvent::Fate { event, attempts, .. } => Some((*event, *attempts)),
                _ => None,
            })
            .collect();
        fates.sort_unstable();
        fates.into_iter().map(|f| f.1).collect::<Vec<u32>>()
    };
    // the alias's own (1 retry), the defaults for the alias without one (2 retries), the version's own (none)
    assert_eq!(attempts(&sc), vec![2, 3, 1]);

    // `Version`: the alias's own configuration would have no effect, so it is refused with its path ...
    let mut v = sc.clone();
    v["Simulation"] = json!({ "AliasEventInvokeConfig": "Version" });
    let err = load_str(&v.to_string()).expect_err("refused").to_string();
    assert!(err.contains("Functions[0].Aliases[0].EventInvokeConfig: has no effect"), "{err}");
    // ... and without it, both aliases run with version 1's: one attempt, its destination.
    v["Functions"][0]["Aliases"][0].as_object_mut().unwrap().remove("EventInvokeConfig");
    v["Expectations"] = json!([
        { "Name": "every failure to the version's destination", "Expect": { "SinkRecords": { "Target": "version-dest" } }, "Equals": 3 },
        { "Name": "each failure record exactly once", "Expect": { "FailureRecordsNotExactlyOnce": {} }, "Equals": 0 }
    ]);
    assert_eq!(attempts(&v), vec![1, 1, 1]);
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
    // A qualifier the function does not have is refused, not ignored (a version's or an alias's own configuration
    // changes as `$LATEST`'s does: tests/suite/eic_changes.rs).
    let mut bad = sc.clone();
    bad["Changes"][0]["UpdateFunctionEventInvokeConfig"]["Qualifier"] = json!("1");
    let err = load_str(&bad.to_string()).expect_err("refused").to_string();
    assert!(err.contains("Changes[0].UpdateFunctionEventInvokeConfig.Qualifier") && err.contains("qualifiers: $LATEST"), "{err}");
}

/// Seconds after virtual time 0 (2024-01-01T00:00:00Z) of a record's `timestamp`, e.g. `2024-01-01T00:02:44.805Z`.
fn record_seconds(r: &serde_json::Value) -> f64 {
    let ts = r["timestamp"].as_str().expect("timestamp");
    let hms = ts.strip_prefix("2024-01-01T").and_then(|t| t.strip_suffix('Z')).expect("same day");
    let p: Vec<f64> = hms.split(':').map(|x| x.parse().expect("number")).collect();
    p[0] * 3600.0 + p[1] * 60.0 + p[2]
}

/// ASYNC-TIMING: LS-DEST's `.validation.json` (runs against AWS, 2025-11-24): `test_dead_letter_queue` took 176.18 s
/// and `test_lambda_destination_default_retries` 177.39 s, each including its own set-up and polling, so AWS delivered
/// the final failure of an always-failing function (defaults: 3 attempts) within about 174 s of the invoke, not the
/// 180 s that waits of exactly 60 s and 120 s would give. `test_maxeventage` (2025-11-27): with
/// `MaximumEventAgeInSeconds` 60 only one attempt is made, so the look-ahead judges by the nominal 60 s.
#[test]
fn async_retries_come_a_little_before_one_and_two_minutes_as_recorded() {
    let sc = |age: u32, sim: serde_json::Value| {
        json!({
            "Simulation": sim,
            "Functions": [{
                "FunctionName": "fn",
                "EventInvokeConfig": { "MaximumEventAgeInSeconds": age, "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:dest" } } },
                "DeadLetterConfig": { "TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq" },
                "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail", "ErrorType": "Exception", "ErrorMessage": "Test exception (this is intentional)" } }] }
            }],
            "Queues": [{ "QueueName": "dest" }, { "QueueName": "dlq" }],
            "Workload": [{ "Function": "fn", "At": [0], "Payload": { "raise_error": 1 } }],
        })
    };
    let final_failure = |sc: &serde_json::Value, seed: u64| {
        let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let mut sinks = MemorySinks::default();
        run(&model, seed, RunOptions { observers: vec![&mut sinks], ..Default::default() }).expect("run");
        let (_, r) = sinks.contents.iter().find(|c| c.0 == "dest").expect("on-failure record").clone();
        assert!(sinks.contents.iter().any(|c| c.0 == "dlq"), "the DLQ gets the payload too");
        r
    };
    let mut at = Vec::new();
    for seed in 1..=100 {
        let r = final_failure(&sc(21600, json!({})), seed);
        assert_eq!(r["requestContext"]["condition"], "RetriesExhausted");
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 3);
        at.push(record_seconds(&r));
    }
    let (lo, hi) = at.iter().fold((f64::MAX, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let mean = at.iter().sum::<f64>() / at.len() as f64;
    // Waits of 90–100 % of 60 s and 120 s after attempts of 0.1 s (plus a 0.2 s cold start) put the final failure
    // at 162.5–180.5 s, 171.5 s on average: inside what AWS's two runs allow, and varying from seed to seed.
    assert!(lo >= 162.0 && hi <= 180.5, "{lo}..{hi}");
    assert!((167.0..=176.0).contains(&mean), "mean {mean}");
    assert!(hi - lo > 5.0, "the waits vary with the seed: {lo}..{hi}");
    // The nominal timeline stays available.
    assert_eq!(record_seconds(&final_failure(&sc(21600, json!({ "AsyncRetryEarlyFraction": 0 })), 1)), 180.5);
    // The look-ahead judges by the nominal wait: with a 60 s maximum age, one attempt and `EventAgeExceeded` at once.
    for seed in 1..=20 {
        let r = final_failure(&sc(60, json!({})), seed);
        assert_eq!(r["requestContext"]["condition"], "EventAgeExceeded");
        assert_eq!(r["requestContext"]["approximateInvokeCount"], 1);
    }
}

/// ASYNC-DLQ-BYTES: `TestLambdaDLQ::test_dead_letter_queue` (LS-DEST's snapshot, recorded 2025-11-24). The function
/// was invoked with the bytes `{"raise_error": 1}` (Python's `json.dumps`, a space after the colon); the DLQ message's
/// `MD5OfBody` is `ba08269cbd0ce515889bfba6593731e1`, the MD5 of exactly those bytes, so the body is the payload byte
/// for byte. A payload written compactly stays compact.
#[test]
fn a_dead_letter_message_body_is_the_invoked_payload_byte_for_byte() {
    use md5::{Digest, Md5};
    let text = |payload: &str| -> String {
        let sc = format!(
            r#"{{"Functions": [{{"FunctionName": "f", "DeadLetterConfig": {{"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}},
                "Behavior": {{"Rules": [{{"Then": {{"Outcome": "Fail", "ErrorType": "Exception", "ErrorMessage": "Test exception (this is intentional)"}}}}]}}}}],
              "Queues": [{{"QueueName": "dlq"}}],
              "Workload": [{{"Function": "f", "At": [0], "Payload": {payload}}}]}}"#
        );
        let model = load_str(&sc).unwrap_or_else(|e| panic!("{e}"));
        let mut sinks = MemorySinks::default();
        run(&model, 1, RunOptions { observers: vec![&mut sinks], ..Default::default() }).expect("run");
        let (_, _, wire) = sinks.messages.iter().find(|m| m.0 == "dlq").expect("DLQ message");
        assert_eq!(wire["messageAttributes"]["ErrorCode"]["stringValue"], "200");
        wire["body"].as_str().expect("body").to_string()
    };
    let body = text(r#"{"raise_error": 1}"#);
    assert_eq!(body, r#"{"raise_error": 1}"#);
    let md5: String = Md5::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(md5, "ba08269cbd0ce515889bfba6593731e1", "the recorded MD5OfBody");
    assert_eq!(text(r#"{"raise_error":1}"#), r#"{"raise_error":1}"#);
    // Placeholders render in the text as in the document.
    assert_eq!(text(r#"{ "id": "{{n}}", "ref": "order-{{n}}" }"#), r#"{ "id": 0, "ref": "order-0" }"#);
}
