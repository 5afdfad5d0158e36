//! Behaviour of the push sources with a result contract (issue 19): what the calling service does with the function's
//! response. An API Gateway Lambda authorizer's `Allow` policy lets the request reach the backend function (a second
//! invocation, with the policy's principal and context), a `Deny`, an error or a response that is no policy stops it,
//! and results are cached per identity for `ResultTtlSeconds`; a Secrets Manager rotation is four invocations in step
//! order, a failing step stops it and the whole rotation is retried; HTTP API authorizers (payload 2.0 with simple or
//! IAM policy responses, payload 1.0); a WebSocket connection is `$connect`, its messages and `$disconnect`, and a
//! rejected `$connect` has neither; a CodePipeline job ends with the result its
//! function reports, or times out; S3 Batch Operations retries a task the function answers `TemporaryFailure` and
//! not one it answers `Succeeded` or `PermanentFailure`; a function URL with `InvokeMode` `RESPONSE_STREAM` returns
//! responses over 6 MB that a buffered URL turns into a function error.

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::trace::TraceEvent;
use lambdasim::vocab::{CallOutcome, Fate};
use lambdasim::{load_str, run, RunOptions};

/// Runs a scenario and returns the recorder.
fn run_rec(sc: &Value) -> Rec {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    rec
}

/// The events the function named `name` received, in order.
fn inputs_of(rec: &Rec, sc: &Value, name: &str) -> Vec<Value> {
    let model = load_str(&sc.to_string()).expect("valid");
    let mut fn_of = std::collections::BTreeMap::new();
    for (_, e) in &rec.events {
        if let TraceEvent::Accepted { event, function, .. } = e {
            fn_of.insert(*event, model.function(*function).name.clone());
        }
    }
    rec.inputs.iter().filter(|(e, _)| fn_of.get(e).is_some_and(|n| n == name)).map(|(_, v)| v.clone()).collect()
}

fn policy(effect: &str) -> Value {
    json!({
        "principalId": "user-1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}]},
        "context": {"tier": "gold", "n": 3},
    })
}

fn authorizer_scenario(rules: Value, options: Value, at: &[f64]) -> Value {
    let mut opts = json!({"BackendFunction": "api", "Method": "GET", "Path": "/orders"});
    for (k, v) in options.as_object().unwrap() {
        opts[k] = v.clone();
    }
    json!({
        "Functions": [
            {"FunctionName": "auth", "Behavior": {"Rules": rules}},
            {"FunctionName": "api"},
        ],
        "Workload": [{"Function": "auth", "Source": "ApiGatewayAuthorizer", "SourceOptions": opts, "At": at}],
    })
}

#[test]
fn an_allow_policy_lets_the_request_reach_the_backend_with_the_authorizer_context() {
    let sc = authorizer_scenario(json!([{"Then": {"Outcome": "Succeed", "Response": policy("Allow")}}]), json!({"Token": "t-1"}), &[1.0]);
    let rec = run_rec(&sc);
    let auth = inputs_of(&rec, &sc, "auth");
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0]["type"], "TOKEN");
    assert_eq!(auth[0]["authorizationToken"], "t-1");
    let api = inputs_of(&rec, &sc, "api");
    assert_eq!(api.len(), 1, "the backend is invoked once");
    let rc = &api[0]["requestContext"];
    assert_eq!(rc["authorizer"]["principalId"], "user-1");
    assert_eq!(rc["authorizer"]["tier"], "gold");
    assert_eq!(rc["authorizer"]["n"], "3", "context values reach the backend as strings");
    assert_eq!(api[0]["httpMethod"], "GET");
    assert_eq!(api[0]["headers"]["Authorization"], "t-1");
    // Two calls: the authorizer's and the backend's, both answered.
    let calls: Vec<CallOutcome> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::CallResult { outcome, .. } = e { Some(*outcome) } else { None }).collect();
    assert_eq!(calls, [CallOutcome::Ok, CallOutcome::Ok]);
}

#[test]
fn deny_errors_and_non_policies_never_reach_the_backend() {
    for rules in [
        json!([{"Then": {"Outcome": "Succeed", "Response": policy("Deny")}}]),
        json!([{"Then": {"Outcome": "Fail", "ErrorType": "Unauthorized"}}]),
        json!([{"Then": {"Outcome": "Succeed", "Response": {"isAuthorized": true}}}]),
    ] {
        let sc = authorizer_scenario(rules.clone(), json!({"ResultTtlSeconds": 0}), &[1.0, 2.0]);
        let rec = run_rec(&sc);
        assert_eq!(inputs_of(&rec, &sc, "auth").len(), 2, "{rules}");
        assert!(inputs_of(&rec, &sc, "api").is_empty(), "{rules}: the backend must not run");
    }
}

#[test]
fn authorizer_results_are_cached_per_identity_for_the_ttl() {
    // Four distinct tokens: nothing to reuse.
    let rules = json!([{"Then": {"Outcome": "Succeed", "Response": policy("Allow")}}]);
    let sc = authorizer_scenario(rules, json!({"Token": "t-{{n}}", "ResultTtlSeconds": 60}), &[1.0, 2.0, 3.0, 100.0]);
    let rec = run_rec(&sc);
    assert_eq!(inputs_of(&rec, &sc, "auth").len(), 4, "four distinct tokens: no cache hit");
    assert_eq!(inputs_of(&rec, &sc, "api").len(), 4);

    let same = authorizer_scenario(
        json!([{"Then": {"Outcome": "Succeed", "Response": policy("Allow")}}]),
        json!({"Token": "same", "ResultTtlSeconds": 60}),
        &[1.0, 2.0, 3.0, 100.0],
    );
    let rec = run_rec(&same);
    let auth = inputs_of(&rec, &same, "auth");
    assert_eq!(auth.len(), 2, "the requests at 2 s and 3 s use the cached policy; the one at 100 s is after the TTL");
    assert_eq!(inputs_of(&rec, &same, "api").len(), 4, "every allowed request reaches the backend");

    // A cached Deny stops the request without invoking the authorizer again.
    let deny = authorizer_scenario(
        json!([{"Then": {"Outcome": "Succeed", "Response": policy("Deny")}}]),
        json!({"Token": "same", "ResultTtlSeconds": 60}),
        &[1.0, 2.0],
    );
    let rec = run_rec(&deny);
    assert_eq!(inputs_of(&rec, &deny, "auth").len(), 1);
    assert!(inputs_of(&rec, &deny, "api").is_empty());
}

#[test]
fn a_request_authorizer_without_its_identity_source_answers_401_without_invoking() {
    let rules = json!([{"Then": {"Outcome": "Succeed", "Response": policy("Allow")}}]);
    let sc = authorizer_scenario(
        rules.clone(),
        json!({"Type": "REQUEST", "IdentitySource": ["X-Api-Key"], "Headers": {"X-Api-Key": "k-1"}}),
        &[1.0],
    );
    let rec = run_rec(&sc);
    let auth = inputs_of(&rec, &sc, "auth");
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0]["type"], "REQUEST");
    assert_eq!(auth[0]["headers"]["X-Api-Key"], "k-1");
    assert_eq!(inputs_of(&rec, &sc, "api").len(), 1);
    let missing = authorizer_scenario(rules, json!({"Type": "REQUEST", "IdentitySource": ["X-Api-Key"]}), &[1.0]);
    let rec = run_rec(&missing);
    assert!(inputs_of(&rec, &missing, "auth").is_empty());
    assert!(inputs_of(&rec, &missing, "api").is_empty());
}

#[test]
fn an_unknown_backend_function_is_refused_with_its_path() {
    let sc = json!({
        "Functions": [{"FunctionName": "auth"}],
        "Workload": [{"Function": "auth", "Source": "ApiGatewayAuthorizer", "SourceOptions": {"BackendFunction": "nope"}, "At": [1]}],
    });
    let e = load_str(&sc.to_string()).map(|_| ()).expect_err("refused").to_string();
    assert!(e.contains("Workload[0].SourceOptions.BackendFunction"), "{e}");
}

fn rotation(rules: Value) -> Value {
    json!({
        "Functions": [{"FunctionName": "rotator", "Behavior": {"Rules": rules}}],
        "Workload": [{"Function": "rotator", "Source": "SecretsManager", "SourceOptions": {"SecretId": "db-password", "RotationAttempts": 1}, "At": [1, 50]}],
    })
}

#[test]
fn a_rotation_is_four_steps_in_order_with_one_token() {
    let sc = rotation(json!([]));
    let rec = run_rec(&sc);
    let steps: Vec<(String, String)> = inputs_of(&rec, &sc, "rotator")
        .iter()
        .map(|e| (e["Step"].as_str().unwrap().to_string(), e["ClientRequestToken"].as_str().unwrap().to_string()))
        .collect();
    let names: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        ["createSecret", "setSecret", "testSecret", "finishSecret", "createSecret", "setSecret", "testSecret", "finishSecret"]
    );
    assert!(steps[..4].iter().all(|s| s.1 == steps[0].1), "one ClientRequestToken per rotation");
    assert_ne!(steps[0].1, steps[4].1, "a new rotation has a new token");
}

#[test]
fn a_failing_step_stops_the_rotation() {
    let sc = rotation(json!([{"When": {"Payload": {"Step": ["testSecret"]}}, "Then": {"Outcome": "Fail"}}]));
    let rec = run_rec(&sc);
    let names: Vec<String> = inputs_of(&rec, &sc, "rotator").iter().map(|e| e["Step"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["createSecret", "setSecret", "testSecret", "createSecret", "setSecret", "testSecret"]);
    // One step given: just that invocation.
    let one = json!({
        "Functions": [{"FunctionName": "rotator"}],
        "Workload": [{"Function": "rotator", "Source": "SecretsManager", "SourceOptions": {"Step": "testSecret"}, "At": [1]}],
    });
    let rec = run_rec(&one);
    let names: Vec<String> = inputs_of(&rec, &one, "rotator").iter().map(|e| e["Step"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["testSecret"]);
}

fn s3_batch(response: Value, options: Value) -> Value {
    let mut opts = json!({"TaskId": "task-{{n}}", "Bucket": "b"});
    for (k, v) in options.as_object().unwrap() {
        opts[k] = v.clone();
    }
    json!({
        "Functions": [{"FunctionName": "worker", "Behavior": {"Rules": [{"Then": {"Outcome": "Succeed", "Response": response}}]}}],
        "Workload": [{"Function": "worker", "Source": "S3Batch", "SourceOptions": opts, "Payload": "photos/a.jpg", "At": [1]}],
    })
}

fn result(code: &str) -> Value {
    json!({
        "invocationSchemaVersion": "1.0",
        "treatMissingKeysAs": "PermanentFailure",
        "invocationId": "x",
        "results": [{"taskId": "task-0", "resultCode": code, "resultString": ""}],
    })
}

#[test]
fn s3_batch_retries_temporary_failures_only() {
    let at = |rec: &Rec| -> Vec<f64> {
        rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::Accepted { .. })).map(|(t, _)| t.as_secs_f64()).collect()
    };
    let sc = s3_batch(result("TemporaryFailure"), json!({"MaxTaskAttempts": 3, "RetryDelaySeconds": 10}));
    let rec = run_rec(&sc);
    let tasks = inputs_of(&rec, &sc, "worker");
    assert_eq!(tasks.len(), 3, "retried until MaxTaskAttempts");
    assert!(tasks.iter().all(|t| t["tasks"][0]["taskId"] == "task-0" && t["tasks"][0]["s3Key"] == "photos/a.jpg"));
    let times = at(&rec);
    assert!(times[1] - times[0] >= 10.0 && times[2] - times[1] >= 10.0, "{times:?}");
    for code in ["Succeeded", "PermanentFailure"] {
        let sc = s3_batch(result(code), json!({}));
        assert_eq!(inputs_of(&run_rec(&sc), &sc, "worker").len(), 1, "{code}");
    }
    // A result for another task falls back to treatMissingKeysAs.
    let mut missing = result("Succeeded");
    missing["results"][0]["taskId"] = json!("other");
    missing["treatMissingKeysAs"] = json!("TemporaryFailure");
    let sc = s3_batch(missing, json!({"MaxTaskAttempts": 2}));
    assert_eq!(inputs_of(&run_rec(&sc), &sc, "worker").len(), 2);
    // Schema 2.0 carries the user arguments and the bucket's name.
    let sc = s3_batch(result("Succeeded"), json!({"InvocationSchemaVersion": "2.0", "UserArguments": {"k": "v"}}));
    let e = &inputs_of(&run_rec(&sc), &sc, "worker")[0];
    assert_eq!(e["job"]["userArguments"]["k"], "v");
    assert_eq!(e["tasks"][0]["s3Bucket"], "b");
}

#[test]
fn a_streamed_function_url_returns_responses_over_6_mb() {
    let fates = |mode: &str| -> Vec<Fate> {
        let sc = json!({
            "Functions": [{"FunctionName": "web", "Behavior": {"Rules": [{"Then": {"Outcome": "Succeed", "ResponseSizeBytes": 20_000_000}}]}}],
            "Workload": [{"Function": "web", "Source": "FunctionUrl", "SourceOptions": {"InvokeMode": mode}, "At": [1]}],
        });
        run_rec(&sc).events.iter().filter_map(|(_, e)| if let TraceEvent::Fate { fate, .. } = e { Some(*fate) } else { None }).collect()
    };
    assert_eq!(fates("BUFFERED"), [Fate::FunctionError], "a buffered response over 6 MB is Function.ResponseSizeTooLarge");
    assert_eq!(fates("RESPONSE_STREAM"), [Fate::Succeeded]);
}

#[test]
fn a_sam_function_url_becomes_a_function_url_entry_point() {
    let template = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: web
      Runtime: python3.12
      Handler: app.handler
      FunctionUrlConfig:
        AuthType: AWS_IAM
        InvokeMode: RESPONSE_STREAM
        Cors:
          AllowOrigins: ["*"]
"#;
    let opts = lambdasim::template::Options::default();
    let imp = lambdasim::template::import_str(template, std::path::Path::new("."), &opts).expect("imports");
    let url = imp.workload.iter().find(|w| w["Source"] == "FunctionUrl").expect("a FunctionUrl entry");
    assert_eq!(url["Function"], "web");
    assert_eq!(url["SourceOptions"], json!({"AuthType": "AWS_IAM", "InvokeMode": "RESPONSE_STREAM"}));
    assert!(imp.skipped.iter().any(|s| s.contains("FunctionUrlConfig.Cors")), "{:?}", imp.skipped);
    let bad = template.replace("RESPONSE_STREAM", "STREAM");
    let e = lambdasim::template::import_str(&bad, std::path::Path::new("."), &opts).map(|_| ()).expect_err("refused").to_string();
    assert!(e.contains("FunctionUrlConfig.InvokeMode") && e.contains("BUFFERED, RESPONSE_STREAM"), "{e}");
}

#[test]
fn a_failed_rotation_is_retried_whole_with_the_same_token() {
    let sc = json!({
        "Functions": [{"FunctionName": "rotator", "Behavior": {"Rules": [
            {"When": {"Payload": {"Step": ["setSecret"]}, "Probability": 0.5}, "Then": {"Outcome": "Fail"}}
        ]}}],
        "Workload": [{"Function": "rotator", "Source": "SecretsManager",
            "SourceOptions": {"RotationAttempts": 3, "RotationRetryDelaySeconds": 600}, "At": [1]}],
    });
    let rec = run_rec(&sc);
    let steps: Vec<(String, String)> = inputs_of(&rec, &sc, "rotator")
        .iter()
        .map(|e| (e["Step"].as_str().unwrap().to_string(), e["ClientRequestToken"].as_str().unwrap().to_string()))
        .collect();
    assert!(steps.iter().all(|s| s.1 == steps[0].1), "one token for the rotation and its retries: {steps:?}");
    // Rotations run until one completes or 3 have failed; each starts at createSecret.
    let rounds: Vec<Vec<&str>> = steps.iter().fold(vec![], |mut acc: Vec<Vec<&str>>, s| {
        if s.0 == "createSecret" {
            acc.push(vec![]);
        }
        acc.last_mut().unwrap().push(s.0.as_str());
        acc
    });
    assert!(!rounds.is_empty() && rounds.len() <= 3, "{rounds:?}");
    for r in &rounds[..rounds.len() - 1] {
        assert_eq!(r, &["createSecret", "setSecret"], "a failed round stops at its failing step: {rounds:?}");
    }
    let last = rounds.last().unwrap();
    assert!(last.len() == 4 || rounds.len() == 3, "{rounds:?}");
    // The retries come 600 s apart.
    let starts: Vec<f64> =
        rec.events.iter().filter_map(|(t, e)| matches!(e, TraceEvent::Accepted { .. }).then_some(t.as_micros() as f64 / 1e6)).collect();
    let creates: Vec<f64> = steps.iter().zip(&starts).filter(|(s, _)| s.0 == "createSecret").map(|(_, t)| *t).collect();
    for w in creates.windows(2) {
        assert!(w[1] - w[0] >= 600.0, "{creates:?}");
    }
    // Every step failing: exactly RotationAttempts rounds.
    let mut all_fail = sc.clone();
    all_fail["Functions"][0]["Behavior"]["Rules"][0]["When"] = json!({"Payload": {"Step": ["setSecret"]}});
    let rec = run_rec(&all_fail);
    let creates = inputs_of(&rec, &all_fail, "rotator").iter().filter(|e| e["Step"] == "createSecret").count();
    assert_eq!(creates, 3);
}

fn pipeline(rules: Value, options: Value) -> Value {
    json!({
        "Functions": [{"FunctionName": "job", "Timeout": 60, "Behavior": {"Rules": rules}}],
        "Workload": [{"Function": "job", "Source": "CodePipeline", "SourceOptions": options, "At": [1]}],
    })
}

/// (outcome, jobs, latency in seconds) of every CodePipeline action.
fn job_results(rec: &Rec) -> Vec<(CallOutcome, u32, f64)> {
    rec.events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::CallResult { outcome, attempts, latency, .. } => Some((*outcome, *attempts, latency.as_micros() as f64 / 1e6)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_codepipeline_job_ends_with_the_result_its_function_reports() {
    let succeed = |r: Value| json!([{"Then": {"Outcome": "Succeed", "Response": r}}]);
    // PutJobFailureResult fails the action at once.
    let rec = run_rec(&pipeline(succeed(json!({"PutJobFailureResult": {"failureDetails": {"type": "JobFailed"}}})), json!({})));
    let r = job_results(&rec);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].0, r[0].1), (CallOutcome::FunctionError, 1));
    assert!(r[0].2 < 5.0, "{r:?}");
    // A success that names no call: the source's JobResult decides (default Success; None: the action times out
    // after 20 minutes).
    let rec = run_rec(&pipeline(succeed(Value::Null), json!({})));
    assert_eq!(job_results(&rec)[0].0, CallOutcome::Ok);
    let rec = run_rec(&pipeline(succeed(Value::Null), json!({"JobResult": "None"})));
    let r = job_results(&rec);
    assert_eq!(r[0].0, CallOutcome::TimedOut);
    assert!((r[0].2 - 1200.0).abs() < 1.0, "{r:?}");
    // A function that keeps failing reports nothing: Lambda's async retries run, then the action times out.
    let rec = run_rec(&pipeline(json!([{"Then": {"Outcome": "Fail"}}]), json!({})));
    assert_eq!(job_results(&rec)[0].0, CallOutcome::TimedOut);
    let fates: Vec<Fate> =
        rec.events.iter().filter_map(|(_, e)| if let TraceEvent::Fate { fate, .. } = e { Some(*fate) } else { None }).collect();
    assert_eq!(fates, [Fate::RetriesExhausted]);
}

#[test]
fn a_continuation_token_runs_a_new_job_with_that_token() {
    let rules = json!([
        {"When": {"Payload": {"CodePipeline.job": {"data": {"continuationToken": [{"exists": false}]}}}},
         "Then": {"Outcome": "Succeed", "Response": {"PutJobSuccessResult": {"continuationToken": "half-way"}}}},
        {"Then": {"Outcome": "Succeed", "Response": {"PutJobSuccessResult": {}}}}
    ]);
    let sc = pipeline(rules, json!({}));
    let rec = run_rec(&sc);
    let jobs = inputs_of(&rec, &sc, "job");
    assert_eq!(jobs.len(), 2);
    assert!(jobs[0]["CodePipeline.job"]["data"].get("continuationToken").is_none());
    assert_eq!(jobs[1]["CodePipeline.job"]["data"]["continuationToken"], "half-way");
    assert_ne!(jobs[0]["CodePipeline.job"]["id"], jobs[1]["CodePipeline.job"]["id"], "each job has its own id");
    let r = job_results(&rec);
    assert_eq!((r[0].0, r[0].1), (CallOutcome::Ok, 2));
    // Options are checked with their path.
    let e = load_str(&pipeline(json!([]), json!({"JobResult": "Maybe"})).to_string()).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("Workload[0].SourceOptions.JobResult") && e.contains("Success, None"), "{e}");
    let bad = json!({
        "Functions": [{"FunctionName": "rotator"}],
        "Workload": [{"Function": "rotator", "Source": "SecretsManager", "SourceOptions": {"Step": "setSecret", "RotationAttempts": 2}, "At": [1]}],
    });
    let e = load_str(&bad.to_string()).map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("Workload[0].SourceOptions.RotationAttempts"), "{e}");
}

fn http_authorizer(response: Value, options: Value, at: &[f64]) -> Value {
    let mut opts = json!({"ApiType": "HTTP", "BackendFunction": "api", "Method": "GET", "Path": "/orders", "Token": "t-1"});
    for (k, v) in options.as_object().unwrap() {
        opts[k] = v.clone();
    }
    json!({
        "Functions": [
            {"FunctionName": "auth", "Behavior": {"Rules": [{"Then": {"Outcome": "Succeed", "Response": response}}]}},
            {"FunctionName": "api"},
        ],
        "Workload": [{"Function": "auth", "Source": "ApiGatewayAuthorizer", "SourceOptions": opts, "At": at}],
    })
}

#[test]
fn http_api_authorizers_take_payload_2_and_simple_or_policy_responses() {
    // Simple responses: isAuthorized decides; the context reaches the backend's payload 2.0 event as authorizer.lambda.
    let simple = json!({"EnableSimpleResponses": true});
    let sc = http_authorizer(json!({"isAuthorized": true, "context": {"tier": "gold"}}), simple.clone(), &[1.0]);
    let rec = run_rec(&sc);
    let auth = inputs_of(&rec, &sc, "auth");
    assert_eq!(auth[0]["version"], "2.0");
    assert_eq!(auth[0]["type"], "REQUEST");
    assert_eq!(auth[0]["identitySource"], json!(["t-1"]));
    assert!(auth[0]["routeArn"].as_str().unwrap().ends_with("/$default/GET/orders"), "{}", auth[0]);
    let api = inputs_of(&rec, &sc, "api");
    assert_eq!(api[0]["version"], "2.0");
    assert_eq!(api[0]["requestContext"]["authorizer"]["lambda"]["tier"], "gold");
    let sc = http_authorizer(json!({"isAuthorized": false}), simple.clone(), &[1.0]);
    assert!(inputs_of(&run_rec(&sc), &sc, "api").is_empty());
    // With simple responses, a policy is not an answer (500); without, a policy decides and isAuthorized is not one.
    let sc = http_authorizer(policy("Allow"), simple.clone(), &[1.0]);
    assert!(inputs_of(&run_rec(&sc), &sc, "api").is_empty());
    let sc = http_authorizer(policy("Allow"), json!({}), &[1.0]);
    assert_eq!(inputs_of(&run_rec(&sc), &sc, "api").len(), 1);
    let sc = http_authorizer(json!({"isAuthorized": true}), json!({}), &[1.0]);
    assert!(inputs_of(&run_rec(&sc), &sc, "api").is_empty());
    // No caching by default for HTTP APIs: every request invokes the authorizer; ResultTtlSeconds turns it on.
    let sc = http_authorizer(json!({"isAuthorized": true}), simple.clone(), &[1.0, 2.0, 3.0]);
    assert_eq!(inputs_of(&run_rec(&sc), &sc, "auth").len(), 3);
    let sc =
        http_authorizer(json!({"isAuthorized": true}), json!({"EnableSimpleResponses": true, "ResultTtlSeconds": 60}), &[1.0, 2.0, 3.0]);
    let rec = run_rec(&sc);
    assert_eq!(inputs_of(&rec, &sc, "auth").len(), 1);
    assert_eq!(inputs_of(&rec, &sc, "api").len(), 3);
    // A missing identity source: 401, the authorizer is not invoked.
    let sc = http_authorizer(json!({"isAuthorized": true}), json!({"EnableSimpleResponses": true, "Token": ""}), &[1.0]);
    assert!(inputs_of(&run_rec(&sc), &sc, "auth").is_empty());
    // Payload 1.0: the REST REQUEST event with version, identitySource and authorizationToken; a policy answers.
    let sc = http_authorizer(policy("Allow"), json!({"PayloadFormatVersion": "1.0"}), &[1.0]);
    let rec = run_rec(&sc);
    let auth = inputs_of(&rec, &sc, "auth");
    assert_eq!((auth[0]["version"].as_str(), auth[0]["type"].as_str()), (Some("1.0"), Some("REQUEST")));
    assert_eq!(auth[0]["identitySource"], "t-1");
    assert_eq!(auth[0]["authorizationToken"], "t-1");
    assert!(auth[0]["methodArn"].is_string());
    assert_eq!(inputs_of(&rec, &sc, "api").len(), 1);
}

#[test]
fn http_api_authorizer_options_are_checked() {
    let cases = [
        (json!({"Type": "TOKEN"}), "SourceOptions.Type"),
        (json!({"PayloadFormatVersion": "1.0", "EnableSimpleResponses": true}), "SourceOptions.EnableSimpleResponses"),
        (json!({"PayloadFormatVersion": "3.0"}), "SourceOptions.PayloadFormatVersion"),
        (json!({"ApiType": "REST", "EnableSimpleResponses": true}), "SourceOptions.EnableSimpleResponses"),
    ];
    for (o, path) in cases {
        let e = load_str(&http_authorizer(json!({}), o.clone(), &[1.0]).to_string()).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains(path), "{o}: {e}");
    }
}

fn connection(connect: Value, options: Value) -> Value {
    let mut opts = json!({"Messages": 3, "RouteKey": "sendMessage", "MessageIntervalSeconds": 5});
    for (k, v) in options.as_object().unwrap() {
        opts[k] = v.clone();
    }
    json!({
        "Functions": [{"FunctionName": "chat", "Behavior": {"Rules": [
            {"When": {"Payload": {"requestContext": {"routeKey": ["$connect"]}}}, "Then": connect},
            {"When": {"Payload": {"requestContext": {"routeKey": ["sendMessage"]}}, "Probability": 0.5}, "Then": {"Outcome": "Fail"}}
        ]}}],
        "Workload": [{"Function": "chat", "Source": "ApiGatewayWebSocket", "SourceOptions": opts, "Payload": {"text": "hi"}, "At": [1, 100]}],
    })
}

#[test]
fn a_websocket_connection_is_connect_messages_disconnect_unless_connect_rejects_it() {
    let sc = connection(json!({"Outcome": "Succeed", "Response": {"statusCode": 200}}), json!({}));
    let rec = run_rec(&sc);
    let events = inputs_of(&rec, &sc, "chat");
    let routes: Vec<&str> = events.iter().map(|e| e["requestContext"]["routeKey"].as_str().unwrap()).collect();
    let one = ["$connect", "sendMessage", "sendMessage", "sendMessage", "$disconnect"];
    assert_eq!(routes, [one, one].concat(), "failed messages do not end the connection");
    for conn in events.chunks(5) {
        let id = &conn[0]["requestContext"]["connectionId"];
        assert!(conn.iter().all(|e| &e["requestContext"]["connectionId"] == id), "one connectionId per connection");
        assert!(conn.iter().all(|e| e["requestContext"]["connectedAt"] == conn[0]["requestContext"]["connectedAt"]));
        assert_eq!(conn[1]["body"], r#"{"text":"hi"}"#);
        assert_eq!(conn[4]["requestContext"]["eventType"], "DISCONNECT");
        let times: Vec<i64> = conn.iter().map(|e| e["requestContext"]["requestTimeEpoch"].as_i64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[1] - w[0] >= 5000), "{times:?}");
    }
    assert_ne!(events[0]["requestContext"]["connectionId"], events[5]["requestContext"]["connectionId"]);
    // A rejected $connect: an error, or a response that is not 2xx. No messages, no $disconnect.
    for connect in [json!({"Outcome": "Fail"}), json!({"Outcome": "Succeed", "Response": {"statusCode": 403}})] {
        let sc = connection(connect, json!({}));
        let rec = run_rec(&sc);
        let routes: Vec<String> =
            inputs_of(&rec, &sc, "chat").iter().map(|e| e["requestContext"]["routeKey"].as_str().unwrap().to_string()).collect();
        assert_eq!(routes, ["$connect", "$connect"]);
    }
    // A $connect response without statusCode accepts the connection.
    let sc = connection(json!({"Outcome": "Succeed"}), json!({"Messages": 0}));
    let rec = run_rec(&sc);
    let routes: Vec<String> =
        inputs_of(&rec, &sc, "chat").iter().map(|e| e["requestContext"]["routeKey"].as_str().unwrap().to_string()).collect();
    assert_eq!(routes, ["$connect", "$disconnect", "$connect", "$disconnect"]);
    // The lifecycle options are checked with their paths.
    for (o, path) in [
        (json!({"RouteKey": "$connect"}), "SourceOptions.RouteKey"),
        (json!({"Messages": -1}), "SourceOptions.Messages"),
        (json!({"MessageIntervalSeconds": "soon"}), "SourceOptions.MessageIntervalSeconds"),
    ] {
        let e = load_str(&connection(json!({"Outcome": "Succeed"}), o.clone()).to_string()).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains(path), "{o}: {e}");
    }
}
