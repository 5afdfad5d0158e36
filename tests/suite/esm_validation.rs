//! Bad event source mapping input (spec section 5) gets a clear error and exit code 2, never a panic: the built binary
//! is run (`validate` and `run`) on scenario files in a temporary directory, and stderr must name the JSON path, the bad
//! value where there is one, and the allowed range or forms. Each bad scenario is one change to a valid base scenario
//! (an SQS standard queue with redrive, a FIFO queue, a Kinesis stream and a DynamoDB table, each read by a mapping,
//! each fed by a producer); the same scenario with the mistake fixed runs with exit 0.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

const Q: &str = "arn:aws:sqs:us-east-1:123456789012:";
const KINESIS: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/telemetry";
const DDB: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/payments/stream/2024-01-01T00:00:00.000";

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

/// A valid scenario with every kind of mapping: `EventSourceMappings[0]` reads the standard queue `orders` (filtered,
/// MaximumConcurrency 5), `[1]` the FIFO queue `ledger.fifo`, `[2]` the Kinesis stream `telemetry` (bisect,
/// on-failure queue), `[3]` the DynamoDB table `payments`. `Workload[0..4]` feed them in that order.
fn base() -> Value {
    json!({
        "Name": "esm-validation-base",
        "Functions": [
            {"FunctionName": "worker", "Timeout": 10, "Behavior": {"Duration": {"Constant": {"Ms": 50}}}},
            {"FunctionName": "audit", "Timeout": 10}
        ],
        "Queues": [
            {"QueueName": "orders", "VisibilityTimeout": 30,
             "RedrivePolicy": {"deadLetterTargetArn": format!("{Q}orders-dlq"), "maxReceiveCount": 3}},
            {"QueueName": "orders-dlq"},
            {"QueueName": "ledger.fifo", "VisibilityTimeout": 30, "ContentBasedDeduplication": true,
             "RedrivePolicy": {"deadLetterTargetArn": format!("{Q}ledger-dlq.fifo"), "maxReceiveCount": 2}},
            {"QueueName": "ledger-dlq.fifo"},
            {"QueueName": "stream-failures"}
        ],
        "KinesisStreams": [{"Name": "telemetry", "ShardCount": 2}],
        "Tables": [{"TableName": "payments", "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}],
        "EventSourceMappings": [
            {"EventSourceArn": format!("{Q}orders"), "FunctionName": "worker", "BatchSize": 10,
             "FilterCriteria": {"Filters": [{"Pattern": "{\"body\": {\"kind\": [\"order\"]}}"}]},
             "ScalingConfig": {"MaximumConcurrency": 5}},
            {"EventSourceArn": format!("{Q}ledger.fifo"), "FunctionName": "worker", "BatchSize": 10,
             "FunctionResponseTypes": ["ReportBatchItemFailures"]},
            {"EventSourceArn": KINESIS, "FunctionName": "worker", "StartingPosition": "TRIM_HORIZON", "BatchSize": 100,
             "MaximumRetryAttempts": 2, "MaximumRecordAgeInSeconds": 3600, "ParallelizationFactor": 2,
             "BisectBatchOnFunctionError": true,
             "DestinationConfig": {"OnFailure": {"Destination": format!("{Q}stream-failures")}}},
            {"EventSourceArn": DDB, "FunctionName": "worker", "StartingPosition": "TRIM_HORIZON", "MaximumRetryAttempts": 1}
        ],
        "Workload": [
            {"Name": "orders", "Queue": "orders", "Every": {"IntervalSeconds": 1, "EndSeconds": 10},
             "Payload": {"kind": "order", "n": "{{n}}"}},
            {"Name": "ledger", "Queue": "ledger.fifo", "MessageGroupId": "acct-{{n}}",
             "Every": {"IntervalSeconds": 1, "EndSeconds": 10}, "Payload": {"txn": "t-{{n}}"}},
            {"Name": "devices", "Stream": "telemetry", "PartitionKey": "device-{{n}}",
             "Every": {"IntervalSeconds": 0.5, "EndSeconds": 10}, "Payload": {"device": "{{n}}", "t": 21.5}},
            {"Name": "payments", "Stream": "payments", "Every": {"IntervalSeconds": 0.5, "EndSeconds": 10},
             "Payload": {"id": "p-{{n}}", "amount": 5}}
        ],
        "Expectations": [
            {"Name": "every order is deleted", "Expect": {"MessageFates": {"Queue": "orders", "Fate": "Deleted"}}, "Equals": 10},
            {"Name": "every ledger message is deleted", "Expect": {"MessageFates": {"Queue": "ledger.fifo", "Fate": "Deleted"}}, "Equals": 10},
            {"Name": "every device reading is processed", "Expect": {"RecordFates": {"Stream": "telemetry", "Fate": "Processed"}}, "Equals": 20},
            {"Name": "every payment is processed", "Expect": {"RecordFates": {"Stream": "payments", "Fate": "Processed"}}, "Equals": 20}
        ]
    })
}

type Edit = fn(&mut Value);

/// One mistake: how to make it, what stderr must say (the path first), and one way to fix it.
struct Case {
    name: &'static str,
    bad: Edit,
    path: &'static str,
    says: &'static [&'static str],
    fix: Edit,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "function Timeout above the queue's VisibilityTimeout",
            bad: |s| s["Queues"][0]["VisibilityTimeout"] = json!(5),
            path: "EventSourceMappings[0].FunctionName",
            says: &["Timeout 10 s", "visibility timeout 5 s", "\"orders\"", "<= the queue's VisibilityTimeout"],
            // The other way round: a longer visibility timeout than the function's, raised together.
            fix: |s| {
                s["Queues"][0]["VisibilityTimeout"] = json!(60);
                s["Functions"][0]["Timeout"] = json!(60);
                s["Queues"][2]["VisibilityTimeout"] = json!(60);
            },
        },
        Case {
            name: "FIFO BatchSize 11",
            bad: |s| s["EventSourceMappings"][1]["BatchSize"] = json!(11),
            path: "EventSourceMappings[1].BatchSize",
            says: &["11", "allowed 1 to 10"],
            fix: |s| s["EventSourceMappings"][1]["BatchSize"] = json!(10),
        },
        Case {
            name: "SQS BatchSize 20 without a batching window",
            bad: |s| s["EventSourceMappings"][0]["BatchSize"] = json!(20),
            path: "EventSourceMappings[0].BatchSize",
            says: &["20", "MaximumBatchingWindowInSeconds >= 1"],
            fix: |s| {
                s["EventSourceMappings"][0]["BatchSize"] = json!(20);
                s["EventSourceMappings"][0]["MaximumBatchingWindowInSeconds"] = json!(1);
            },
        },
        Case {
            name: "MaximumBatchingWindowInSeconds on a FIFO mapping",
            bad: |s| s["EventSourceMappings"][1]["MaximumBatchingWindowInSeconds"] = json!(5),
            path: "EventSourceMappings[1].MaximumBatchingWindowInSeconds",
            says: &["not supported for FIFO", "or 0"],
            fix: |s| s["EventSourceMappings"][1]["MaximumBatchingWindowInSeconds"] = json!(0),
        },
        Case {
            name: "MaximumRecordAgeInSeconds 30",
            bad: |s| s["EventSourceMappings"][2]["MaximumRecordAgeInSeconds"] = json!(30),
            path: "EventSourceMappings[2].MaximumRecordAgeInSeconds",
            says: &["30", "-1", "60 to 604800"],
            fix: |s| s["EventSourceMappings"][2]["MaximumRecordAgeInSeconds"] = json!(60),
        },
        Case {
            name: "MaximumRetryAttempts 10001",
            bad: |s| s["EventSourceMappings"][2]["MaximumRetryAttempts"] = json!(10001),
            path: "EventSourceMappings[2].MaximumRetryAttempts",
            says: &["10001", "0 to 10000"],
            fix: |s| s["EventSourceMappings"][2]["MaximumRetryAttempts"] = json!(10000),
        },
        Case {
            name: "ParallelizationFactor 11",
            bad: |s| s["EventSourceMappings"][2]["ParallelizationFactor"] = json!(11),
            path: "EventSourceMappings[2].ParallelizationFactor",
            says: &["11", "allowed 1 to 10"],
            fix: |s| s["EventSourceMappings"][2]["ParallelizationFactor"] = json!(10),
        },
        Case {
            name: "StartingPosition AT_TIMESTAMP on a DynamoDB stream",
            bad: |s| s["EventSourceMappings"][3]["StartingPosition"] = json!("AT_TIMESTAMP"),
            path: "EventSourceMappings[3].StartingPosition",
            says: &["\"AT_TIMESTAMP\"", "TRIM_HORIZON, LATEST"],
            fix: |s| s["EventSourceMappings"][3]["StartingPosition"] = json!("LATEST"),
        },
        Case {
            name: "missing StartingPosition on a Kinesis stream",
            bad: |s| drop(s["EventSourceMappings"][2].as_object_mut().unwrap().remove("StartingPosition")),
            path: "EventSourceMappings[2].StartingPosition",
            says: &["required", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"],
            // AT_TIMESTAMP with its timestamp: records put before it are not read, so fewer are processed.
            fix: |s| {
                s["EventSourceMappings"][2]["StartingPosition"] = json!("AT_TIMESTAMP");
                s["EventSourceMappings"][2]["StartingPositionTimestamp"] = json!(0);
            },
        },
        Case {
            name: "missing StartingPosition on a DynamoDB stream",
            bad: |s| drop(s["EventSourceMappings"][3].as_object_mut().unwrap().remove("StartingPosition")),
            path: "EventSourceMappings[3].StartingPosition",
            says: &["required", "TRIM_HORIZON", "LATEST"],
            fix: |s| s["EventSourceMappings"][3]["StartingPosition"] = json!("TRIM_HORIZON"),
        },
        Case {
            name: "unknown EventSourceArn",
            bad: |s| s["EventSourceMappings"][0]["EventSourceArn"] = json!(format!("{Q}no-such-queue")),
            path: "EventSourceMappings[0].EventSourceArn",
            // The bad ARN, and what it could have named.
            says: &["no-such-queue", "names no queue", "arn:aws:sqs:us-east-1:123456789012:orders", KINESIS, DDB],
            fix: |s| s["EventSourceMappings"][0]["EventSourceArn"] = json!(format!("{Q}orders")),
        },
        Case {
            name: "6 filters",
            bad: |s| {
                let f: Vec<Value> = (0..6).map(|i| json!({"Pattern": format!("{{\"body\": {{\"n\": [{i}]}}}}")})).collect();
                s["EventSourceMappings"][0]["FilterCriteria"]["Filters"] = json!(f);
            },
            path: "EventSourceMappings[0].FilterCriteria.Filters",
            says: &["6 filters", "up to 5"],
            fix: |s| {
                // Five filters, one of which matches every order.
                let mut f: Vec<Value> = (0..4).map(|i| json!({"Pattern": format!("{{\"body\": {{\"n\": [{}]}}}}", 100 + i)})).collect();
                f.push(json!({"Pattern": "{\"body\": {\"kind\": [\"order\"]}}"}));
                s["EventSourceMappings"][0]["FilterCriteria"]["Filters"] = json!(f);
            },
        },
        Case {
            name: "a filter pattern that is not valid JSON",
            bad: |s| s["EventSourceMappings"][0]["FilterCriteria"]["Filters"][0]["Pattern"] = json!("{\"body\": {\"kind\": [\"order\"]"),
            path: "EventSourceMappings[0].FilterCriteria.Filters[0].Pattern",
            says: &["not valid JSON", "{\"body\": {\"kind\": [\"order\"]", "expected a JSON object"],
            // The pattern as a JSON object instead of a string.
            fix: |s| s["EventSourceMappings"][0]["FilterCriteria"]["Filters"][0]["Pattern"] = json!({"body": {"kind": ["order"]}}),
        },
        Case {
            name: "ScalingConfig.MaximumConcurrency 1",
            bad: |s| s["EventSourceMappings"][0]["ScalingConfig"]["MaximumConcurrency"] = json!(1),
            path: "EventSourceMappings[0].ScalingConfig.MaximumConcurrency",
            says: &["1 is out of range", "allowed 2 to 1000"],
            fix: |s| s["EventSourceMappings"][0]["ScalingConfig"]["MaximumConcurrency"] = json!(2),
        },
        Case {
            name: "BisectBatchOnFunctionError on an SQS mapping",
            bad: |s| s["EventSourceMappings"][0]["BisectBatchOnFunctionError"] = json!(true),
            path: "EventSourceMappings[0].BisectBatchOnFunctionError",
            says: &["Kinesis and DynamoDB", "not SQS"],
            fix: |s| s["EventSourceMappings"][3]["BisectBatchOnFunctionError"] = json!(true),
        },
        Case {
            name: "redrive to a FIFO dead-letter queue from a standard queue",
            bad: |s| s["Queues"][0]["RedrivePolicy"]["deadLetterTargetArn"] = json!(format!("{Q}ledger-dlq.fifo")),
            path: "Queues[0].RedrivePolicy.deadLetterTargetArn",
            says: &["standard", "FIFO", "same type"],
            fix: |s| s["Queues"][0]["RedrivePolicy"]["deadLetterTargetArn"] = json!(format!("{Q}stream-failures")),
        },
        Case {
            name: "maxReceiveCount 0",
            bad: |s| s["Queues"][0]["RedrivePolicy"]["maxReceiveCount"] = json!(0),
            path: "Queues[0].RedrivePolicy.maxReceiveCount",
            says: &["0 is out of range", "allowed 1 to 1000"],
            fix: |s| s["Queues"][0]["RedrivePolicy"]["maxReceiveCount"] = json!(1),
        },
        Case {
            name: "a producer to a FIFO queue without MessageGroupId",
            bad: |s| drop(s["Workload"][1].as_object_mut().unwrap().remove("MessageGroupId")),
            path: "Workload[1].MessageGroupId",
            says: &["required", "ledger.fifo"],
            fix: |s| s["Workload"][1]["MessageGroupId"] = json!("one-group"),
        },
        Case {
            name: "a producer giving both Queue and Stream",
            bad: |s| s["Workload"][0]["Stream"] = json!("telemetry"),
            path: "Workload[0]",
            says: &["Queue", "Stream", "exactly one"],
            fix: |s| drop(s["Workload"][0].as_object_mut().unwrap().remove("Stream")),
        },
        Case {
            name: "a Lambda function as on-failure destination of a stream mapping",
            bad: |s| {
                s["EventSourceMappings"][2]["DestinationConfig"]["OnFailure"]["Destination"] =
                    json!("arn:aws:lambda:us-east-1:123456789012:function:audit")
            },
            path: "EventSourceMappings[2].DestinationConfig.OnFailure.Destination",
            says: &["SQS queue", "SNS topic", "S3 bucket"],
            fix: |s| {
                s["Buckets"] = json!([{"BucketName": "stream-failures-bucket"}]);
                s["EventSourceMappings"][2]["DestinationConfig"]["OnFailure"]["Destination"] = json!("arn:aws:s3:::stream-failures-bucket");
            },
        },
        Case {
            name: "unknown message fate in a MessageFates expectation",
            bad: |s| s["Expectations"][0]["Expect"]["MessageFates"]["Fate"] = json!("Processed"),
            path: "Expectations[0].Expect.MessageFates.Fate",
            says: &["\"Processed\"", "not a message fate", "Deleted", "Filtered", "Redriven", "Expired", "InQueue", "Stored"],
            fix: |s| {
                s["Expectations"][0]["Expect"]["MessageFates"]["Fate"] = json!("Filtered");
                s["Expectations"][0]["Equals"] = json!(0);
            },
        },
    ]
}

/// Exit 2, no panic, nothing on stdout, exactly one error, naming the path first and then every expected phrase.
fn assert_rejected(dir: &Path, i: usize, c: &Case) {
    let mut sc = base();
    (c.bad)(&mut sc);
    let p = write(dir, &format!("bad-{i}.json"), &sc);
    for cmd in ["validate", "run"] {
        let o = lambdasim(&[cmd, p.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{}: `{cmd}` exits 2\nstderr: {e}", c.name);
        assert!(!e.contains("panicked"), "{}: `{cmd}` panicked: {e}", c.name);
        assert!(o.stdout.is_empty(), "{}: `{cmd}` prints nothing on stdout", c.name);
        let errors: Vec<&str> = e.lines().filter(|l| l.starts_with("error: ")).collect();
        assert_eq!(errors.len(), 1, "{}: `{cmd}`: one error expected, got\n{e}", c.name);
        let line = errors[0];
        let prefix = format!("error: {}: ", c.path);
        assert!(line.starts_with(&prefix), "{}: `{cmd}`: the error names the path {:?}: {line}", c.name, c.path);
        for s in c.says {
            assert!(line.contains(s), "{}: `{cmd}`: the error says {s:?}: {line}", c.name);
        }
    }
}

#[test]
fn base_scenario_is_valid_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "base.json", &base());
    let o = lambdasim(&["validate", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "3", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON summary");
    assert_eq!(v["invariantBreaches"], json!([]));
    let exps = v["expectations"].as_array().unwrap();
    assert_eq!(exps.len(), 4);
    assert!(exps.iter().all(|e| e["passed"] == true), "{exps:#?}");
}

#[test]
fn each_mistake_exits_2_naming_path_value_and_range() {
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in cases().iter().enumerate() {
        assert_rejected(dir.path(), i, c);
    }
}

#[test]
fn each_mistake_fixed_runs_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in cases().iter().enumerate() {
        let mut sc = base();
        (c.fix)(&mut sc);
        let p = write(dir.path(), &format!("fixed-{i}.json"), &sc);
        let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "1", "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}: the fixed scenario runs with exit 0\nstderr: {}", c.name, stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON summary");
        assert_eq!(v["invariantBreaches"], json!([]), "{}", c.name);
    }
}

/// All the mistakes at once: every one is reported (validation goes on after the first), each on its own line.
#[test]
fn all_mistakes_at_once_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The ones that do not hide each other: edits to different properties.
    let cs = cases();
    let picked = [1usize, 4, 5, 6, 13, 14, 16, 19];
    let mut sc = base();
    for &i in &picked {
        (cs[i].bad)(&mut sc);
    }
    let p = write(dir.path(), "all.json", &sc);
    let o = lambdasim(&["validate", p.to_str().unwrap()]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    for &i in &picked {
        assert!(e.contains(&format!("error: {}: ", cs[i].path)), "{}: {e}", cs[i].name);
    }
}

/// Wrong JSON types and unknown fields in the mapping blocks are parse errors with the path, not panics.
#[test]
fn wrong_types_and_unknown_fields_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let edits: Vec<(Edit, &str)> = vec![
        (|s| s["EventSourceMappings"][0]["BatchSize"] = json!("ten"), "EventSourceMappings[0].BatchSize"),
        (|s| s["EventSourceMappings"][2]["ParallelizationFactor"] = json!(2.5), "EventSourceMappings[2].ParallelizationFactor"),
        (|s| s["EventSourceMappings"][0]["MaxBatchSize"] = json!(10), "EventSourceMappings[0].MaxBatchSize"),
        (|s| s["Queues"][0]["RedrivePolicy"]["MaxReceiveCount"] = json!(3), "Queues[0].RedrivePolicy"),
        (|s| s["KinesisStreams"][0]["ShardCount"] = json!(-1), "KinesisStreams[0].ShardCount"),
        (|s| s["Tables"][0]["StreamSpecification"]["StreamViewType"] = json!("ALL"), "Tables[0].StreamSpecification.StreamViewType"),
    ];
    for (i, (edit, path)) in edits.into_iter().enumerate() {
        let mut sc = base();
        edit(&mut sc);
        let p = write(dir.path(), &format!("type-{i}.json"), &sc);
        let o = lambdasim(&["validate", p.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{path}: {e}");
        assert!(!e.contains("panicked"), "{path}: {e}");
        assert!(e.contains(path), "{path}: {e}");
    }
}

/// Where a property allows -1 (infinite) besides a range, or a stream kind allows fewer starting positions, the
/// message says so: today `MaximumRetryAttempts: -2` answers "allowed 0 to 10000" (-1 is allowed too),
/// `MaximumRecordAgeInSeconds: 604801` answers "allowed -1 to 604800" (0 to 59 are not), and a DynamoDB mapping
/// without StartingPosition is offered AT_TIMESTAMP, which DynamoDB rejects.
#[test]
fn messages_give_the_exact_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Edit, &str, &[&str], &[&str])> = vec![
        (
            |s| s["EventSourceMappings"][2]["MaximumRetryAttempts"] = json!(-2),
            "EventSourceMappings[2].MaximumRetryAttempts",
            &["-2", "-1", "0 to 10000"],
            &[],
        ),
        (
            |s| s["EventSourceMappings"][2]["MaximumRecordAgeInSeconds"] = json!(604_801),
            "EventSourceMappings[2].MaximumRecordAgeInSeconds",
            &["604801", "-1", "60 to 604800"],
            &["-1 to 604800"],
        ),
        (
            |s| drop(s["EventSourceMappings"][3].as_object_mut().unwrap().remove("StartingPosition")),
            "EventSourceMappings[3].StartingPosition",
            &["TRIM_HORIZON", "LATEST"],
            &["AT_TIMESTAMP"],
        ),
    ];
    for (i, (edit, path, says, not)) in cases.into_iter().enumerate() {
        let mut sc = base();
        edit(&mut sc);
        let p = write(dir.path(), &format!("exact-{i}.json"), &sc);
        let o = lambdasim(&["validate", p.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{path}: {e}");
        let line = e.lines().find(|l| l.starts_with(&format!("error: {path}: "))).unwrap_or_else(|| panic!("{path}: {e}"));
        for s in says {
            assert!(line.contains(s), "{path}: says {s:?}: {line}");
        }
        for s in not {
            assert!(!line.contains(s), "{path}: does not say {s:?}: {line}");
        }
    }
}

/// A name that names nothing gets the closest known name and a short list, however many names there are (a flood of
/// candidates, or of a long bad value, never reaches the terminal).
#[test]
fn unknown_names_suggest_the_closest_and_list_at_most_five() {
    let queues: Vec<serde_json::Value> = (0..2000).map(|i| serde_json::json!({ "QueueName": format!("queue-{i}") })).collect();
    let mut sc = serde_json::json!({ "Functions": [{ "FunctionName": "f" }], "Queues": queues });
    sc["Workload"] = serde_json::json!([{ "Queue": "queue-19999", "At": [1] }]);
    let e = lambdasim::load_str(&sc.to_string()).expect_err("unknown queue").to_string();
    assert!(e.contains("did you mean"), "{e}");
    assert!(e.contains("(and 1995 more)"), "{e}");
    assert!(e.len() < 400, "{} bytes: {e}", e.len());
    sc["Workload"] = serde_json::json!([{ "Queue": "x".repeat(100_000), "At": [1] }]);
    let e = lambdasim::load_str(&sc.to_string()).expect_err("unknown queue").to_string();
    assert!(e.len() < 1000, "{} bytes", e.len());
}
