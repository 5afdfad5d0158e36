//! SAM / CloudFormation templates (`src/template`): what the import of each collected real template must produce
//! (tests/templates, origins in its README), the round trip `lambdasim import` then `lambdasim run`, bad templates
//! (each a clear error naming the template path, exit 2), and scenarios that name a template (overlays, references
//! by logical id, `validate`'s imported and skipped lines, `check` and `compare`).

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use lambdasim::template::{import_file, Import, Options};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn templates() -> PathBuf {
    root().join("tests/templates")
}

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn import_with(name: &str, params: &[(&str, &str)]) -> Import {
    let mut opts = Options::default();
    for (k, v) in params {
        opts.parameters.insert(k.to_string(), json!(v));
    }
    import_file(&templates().join(name), &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn import(name: &str) -> Import {
    import_with(name, &[])
}

fn section<'i>(imp: &'i Import, key: &str) -> &'i Vec<Value> {
    imp.sections.get(key).and_then(Value::as_array).unwrap_or_else(|| panic!("no {key} in {:?}", imp.sections.keys().collect::<Vec<_>>()))
}

/// The function whose generated name holds this logical id.
fn function<'i>(imp: &'i Import, logical: &str) -> &'i Value {
    let name = &imp.logical[logical].name;
    section(imp, "Functions").iter().find(|f| f["FunctionName"] == json!(name)).unwrap_or_else(|| panic!("no function {name}"))
}

fn has(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

/// `<stack>-<LogicalId>-<13 upper-case letters or digits>`.
fn is_generated(name: &str, stack: &str, logical: &str) -> bool {
    let Some(rest) = name.strip_prefix(&format!("{stack}-{logical}-")) else { return false };
    rest.len() == 13 && rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[test]
fn sqs_to_lambda_pattern_becomes_a_queue_a_function_and_a_mapping() {
    let imp = import("patterns-sqs-lambda.yaml");
    assert_eq!(imp.stack, "patterns-sqs-lambda");
    let f = function(&imp, "QueueConsumerFunction");
    assert!(is_generated(f["FunctionName"].as_str().unwrap(), "patterns-sqs-lambda", "QueueConsumerFunction"), "{f}");
    assert_eq!((f["Timeout"].clone(), f["MemorySize"].clone()), (json!(3), json!(128)));
    // The code directory is not in tests/templates: behaviour is declared, and the import says why.
    assert!(f.get("Runtime").is_none() && f.get("Handler").is_none());
    assert!(has(&imp.skipped, "Resources.QueueConsumerFunction: CodeUri src/ not found; behaviour is declared, add Behavior to shape it"));
    let q = &imp.logical["MySqsQueue"];
    assert_eq!(section(&imp, "Queues")[0]["QueueName"], json!(q.name));
    let m = &section(&imp, "EventSourceMappings")[0];
    assert_eq!(m["EventSourceArn"], json!(q.arn));
    assert_eq!(m["FunctionName"], json!(imp.logical["QueueConsumerFunction"].arn));
    assert_eq!(m["BatchSize"], json!(10));
    assert!(has(&imp.skipped, "Outputs: outputs and exports are not simulated"));
    // The workload stub puts one message on the queue.
    assert_eq!(imp.workload[0]["Queue"], json!(q.name));
    // Same template, same names: the suffix is a hash, not random.
    assert_eq!(import("patterns-sqs-lambda.yaml").logical, imp.logical);
}

#[test]
fn function_code_that_exists_runs_with_its_environment_resolved() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(templates().join("patterns-lambda-sqs.yaml"), dir.path().join("template.yaml")).unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let opts = Options { scenario_dir: out.clone(), ..Options::default() };
    let imp = import_file(&dir.path().join("template.yaml"), &opts).unwrap();
    let f = function(&imp, "QueuePublisherFunction");
    assert_eq!((f["Runtime"].clone(), f["Handler"].clone()), (json!("nodejs12.x"), json!("app.handler")));
    // CodeUri is relative to the scenario being written (here a sibling directory of the template's).
    assert_eq!(f["CodeUri"], json!("../src"));
    // `!Ref Queue` is the queue's URL, as CloudFormation gives it.
    let q = &imp.logical["MySqsQueue"].name;
    assert_eq!(f["Environment"]["Variables"]["SQSqueueName"], json!(format!("https://sqs.us-east-1.amazonaws.com/123456789012/{q}")));
    assert!(has(&imp.skipped, "Resources.QueuePublisherFunction: not simulated: Policies"));
    // In a scenario naming the template, `"Runtime": null` in an overlay declares the behaviour instead.
    let sc = out.join("s.json");
    let doc = json!({"Template": "../template.yaml", "Functions": [{"FunctionName": "QueuePublisherFunction", "Runtime": null}]});
    fs::write(&sc, doc.to_string()).unwrap();
    let loaded = lambdasim::read_file(&sc).unwrap();
    let f = &loaded.scenario.functions[0];
    assert!(f.runtime.is_none());
    // The code's directory and environment go with the runtime; the handler stays (it names declared errors' frames).
    assert_eq!((f.handler.as_deref(), f.code_uri.as_deref()), (Some("app.handler"), None));
    assert!(f.environment.is_none());
    // An unsupported runtime keeps behaviour declared, with the reason.
    let t = fs::read_to_string(dir.path().join("template.yaml")).unwrap().replace("nodejs12.x", "java21");
    fs::write(dir.path().join("template.yaml"), t).unwrap();
    let imp = import_file(&dir.path().join("template.yaml"), &opts).unwrap();
    assert!(function(&imp, "QueuePublisherFunction").get("Runtime").is_none());
    assert!(has(&imp.skipped, "Runtime java21 is not one lambdasim starts"));
}

#[test]
fn dynamodb_kinesis_sns_and_eventbridge_patterns() {
    let imp = import("patterns-dynamodb-lambda.yaml");
    let t = &section(&imp, "Tables")[0];
    assert_eq!(t["StreamSpecification"]["StreamViewType"], json!("NEW_IMAGE"));
    assert_eq!(t["KeySchema"], json!([{"AttributeName": "id", "KeyType": "HASH"}]));
    let m = &section(&imp, "EventSourceMappings")[0];
    assert_eq!(m["EventSourceArn"], json!(format!("{}/stream/2024-01-01T00:00:00.000", imp.logical["MyDynamoDBtable"].arn)));
    assert_eq!((m["StartingPosition"].clone(), m["BatchSize"].clone()), (json!("TRIM_HORIZON"), json!(100)));
    assert!(has(&imp.skipped, "Resources.MyDynamoDBtable: not simulated: AttributeDefinitions, ProvisionedThroughput"));

    let imp = import("patterns-kinesis-lambda.yaml");
    assert_eq!(section(&imp, "KinesisStreams")[0]["ShardCount"], json!(1));
    assert_eq!(section(&imp, "EventSourceMappings")[0]["StartingPosition"], json!("LATEST"));
    assert!(has(&imp.skipped, "not simulated: Tracing"));

    let imp = import("patterns-sns-lambda.yaml");
    let sub = &section(&imp, "Topics")[0]["Subscriptions"][0];
    assert_eq!(sub["Protocol"], json!("lambda"));
    assert_eq!(sub["Endpoint"], json!(imp.logical["TopicConsumerFunction1"].arn));
    assert!(has(&imp.skipped, "Resources.TopicConsumerFunction1Permission: Lambda permission: read, nothing to simulate"));

    let imp = import("patterns-eventbridge-lambda.yaml");
    let bus = &section(&imp, "EventBuses")[0];
    assert_eq!(bus["Name"], json!("default"));
    assert_eq!(bus["Rules"][0]["EventPattern"]["detail"]["location"], json!([{"prefix": "EUR-"}]));
    assert_eq!(bus["Rules"][0]["Targets"][0]["Arn"], json!(imp.logical["ConsumerFunction"].arn));
    // The stub's event matches the rule: its source and detail-type come from the pattern.
    assert_eq!((imp.workload[0]["Source"].clone(), imp.workload[0]["DetailType"].clone()), (json!("custom.myApp"), json!("transaction")));
}

#[test]
fn event_invoke_config_destinations_by_type_and_conditions() {
    let imp = import("sam-function_with_event_dest.yaml");
    assert_eq!(section(&imp, "Functions").len(), 3);
    let eic = &function(&imp, "MyTestFunction")["EventInvokeConfig"];
    assert_eq!((eic["MaximumEventAgeInSeconds"].clone(), eic["MaximumRetryAttempts"].clone()), (json!(70), json!(1)));
    // `!If [QueueCreationDisabled, !Ref SQSArn, ...]` with UseExistingQueue=true: the parameter's queue, taken by name.
    assert_eq!(eic["DestinationConfig"]["OnSuccess"]["Destination"], json!("arn:aws:sqs:us-east-1:123456789012:my-sqs-arn"));
    // `!If [TopicCreationEnabled, !Ref AWS::NoValue, ...]`: no Destination, so SAM makes the topic.
    let on_failure = eic["DestinationConfig"]["OnFailure"]["Destination"].as_str().unwrap();
    assert!(on_failure.starts_with("arn:aws:sns:us-east-1:123456789012:sam-function-with-event-dest-MyTestFunctionDestinationTopic-"));
    let eic2 = &function(&imp, "MyTestFunction2")["EventInvokeConfig"]["DestinationConfig"];
    assert_eq!(eic2["OnSuccess"]["Destination"], json!(imp.logical["DestinationLambda"].arn));
    assert_eq!(eic2["OnFailure"]["Destination"], json!("arn:aws:events:us-east-1:123456789012:event-bus/event-bus-arn"));
    // The subscription of the SAM-made topic (`!Ref MyTestFunction.DestinationTopic`) is email: skipped, one line.
    assert!(has(&imp.skipped, "Resources.SNSSubscription: email subscription: not simulated"));
    assert!(has(&imp.skipped, "Resources.MyTestFunction: InlineCode is not run"));
    // With the condition false, the subscription is not created and the template's literal is the destination.
    let imp = import_with("sam-function_with_event_dest.yaml", &[("CreateSNSTopic", "false")]);
    assert!(has(&imp.skipped, "Resources.SNSSubscription: condition TopicCreationEnabled is false; not created"));
    let d = &function(&imp, "MyTestFunction")["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"];
    assert_eq!(d, &json!("arn:aws:sns:us-east-1:123456789012:SOME-SNS-ARN"));
}

#[test]
fn streams_from_another_account_are_moved_into_the_scenario() {
    let imp = import("sam-streams.yaml");
    assert!(has(&imp.imported, "arn:aws:kinesis:us-west-2:012345678901:stream/my-stream is in another Region or account"));
    assert_eq!(section(&imp, "KinesisStreams")[0]["Name"], json!("my-stream"));
    let t = &section(&imp, "Tables")[0];
    assert_eq!((t["TableName"].clone(), t["StreamLabel"].clone()), (json!("TestTable"), json!("2015-05-11T21:21:33.291")));
    let m = section(&imp, "EventSourceMappings");
    assert_eq!(m.len(), 3);
    assert_eq!(m[1]["EventSourceArn"], json!("arn:aws:dynamodb:us-east-1:123456789012:table/TestTable/stream/2015-05-11T21:21:33.291"));
    assert_eq!(m[2]["EventSourceArn"], json!("arn:aws:sqs:us-east-1:123456789012:my-queue"));
    assert!(has(&imp.skipped, "Runtime python2.7") || has(&imp.skipped, "is not a local directory"));
}

#[test]
fn deployment_preference_shifts_the_alias_on_the_timeline() {
    let e = import_file(&templates().join("sam-function_with_deployment_preference.yaml"), &Options::default()).unwrap_err();
    assert_eq!(e.path, "Parameters.FnName");
    assert!(e.message.contains("--parameter-overrides FnName=VALUE"), "{e}");
    let imp = import_with("sam-function_with_deployment_preference.yaml", &[("FnName", "unused")]);
    let f = function(&imp, "MinimalFunction");
    assert_eq!(f["Versions"].as_array().unwrap().len(), 2);
    let alias = &f["Aliases"][0];
    assert_eq!((alias["Name"].clone(), alias["FunctionVersion"].clone()), (json!("live"), json!("1")));
    assert_eq!(alias["RoutingConfig"]["AdditionalVersionWeights"], json!([{"FunctionVersion": "2", "FunctionWeight": 0.1}]));
    // `!If [AliasProvisionedConcurrencyEnabled, {ProvisionedConcurrentExecutions: !Ref ProvisionedConcurrency}, ...]`.
    // (a String parameter whose value is "10": an integer in the scenario, as CloudFormation converts it).
    assert_eq!(alias["ProvisionedConcurrencyConfig"]["ProvisionedConcurrentExecutions"], json!(10));
    // Linear10PercentEvery3Minutes: +10% every 180 s, then version 2 takes all traffic.
    let changes = section(&imp, "Changes");
    assert_eq!(changes.len(), 9);
    for (i, c) in changes[..8].iter().enumerate() {
        assert_eq!(c["AtSeconds"], json!(180.0 * (i + 1) as f64));
        let w = c["UpdateAlias"]["RoutingConfig"]["AdditionalVersionWeights"][0]["FunctionWeight"].as_f64().unwrap();
        assert!((w - 0.1 * (i + 2) as f64).abs() < 1e-9, "{c}");
    }
    assert_eq!(changes[8]["AtSeconds"], json!(1620.0));
    assert_eq!(changes[8]["UpdateAlias"]["FunctionVersion"], json!("2"));
    let imp =
        import_with("sam-function_with_deployment_preference.yaml", &[("FnName", "x"), ("EnableAliasProvisionedConcurrency", "false")]);
    assert!(function(&imp, "MinimalFunction")["Aliases"][0].get("ProvisionedConcurrencyConfig").is_none());
}

#[test]
fn globals_merge_into_every_function() {
    let imp = import("sam-globals_for_function.yaml");
    let minimal = function(&imp, "MinimalFunction");
    assert_eq!(minimal["MemorySize"], json!(1024));
    assert_eq!(minimal["Timeout"], json!(30));
    assert_eq!(minimal["ReservedConcurrentExecutions"], json!(50));
    assert_eq!(minimal["Architectures"], json!(["x86_64"]));
    assert_eq!(minimal["Aliases"][0]["Name"], json!("live"));
    let over = function(&imp, "FunctionWithOverrides");
    assert_eq!((over["MemorySize"].clone(), over["Timeout"].clone()), (json!(512), json!(100)));
    assert_eq!(over["ReservedConcurrentExecutions"], json!(100));
    assert_eq!(over["Aliases"][0]["Name"], json!("prod"));
    assert!(has(&imp.skipped, "Resources.FunctionWithOverrides: not simulated: "));
    assert!(imp
        .skipped
        .iter()
        .any(|l| l.contains("FunctionWithOverrides: not simulated") && l.contains("VpcConfig") && l.contains("Layers")));
}

#[test]
fn dead_letter_queues_sns_sqs_and_stream_options() {
    let imp = import("sam-function_with_dlq.yaml");
    assert_eq!(function(&imp, "MySnsDlqLambdaFunction")["DeadLetterConfig"]["TargetArn"], json!("arn:aws:sns:us-east-1:123456789012:arn"));
    assert_eq!(function(&imp, "MySqsDlqLambdaFunction")["DeadLetterConfig"]["TargetArn"], json!("arn:aws:sqs:us-east-1:123456789012:arn"));

    let imp = import("sam-sns_sqs.yaml");
    let sub = &section(&imp, "Topics")[0]["Subscriptions"][0];
    assert_eq!(sub["Protocol"], json!("sqs"));
    assert_eq!(sub["FilterPolicy"]["price_usd"], json!([{"numeric": [">=", 100]}]));
    let m = &section(&imp, "EventSourceMappings")[0];
    assert_eq!(m["EventSourceArn"], sub["Endpoint"]);
    assert!(m["EventSourceArn"].as_str().unwrap().contains("SaveNotificationFunctionNotificationTopicQueue"));

    let imp = import("sam-function_with_event_source_mapping.yaml");
    let m = section(&imp, "EventSourceMappings");
    assert_eq!(m.len(), 3);
    // A `Type: Number` parameter used as an integer.
    assert_eq!(m[1]["MaximumBatchingWindowInSeconds"], json!(45));
    assert_eq!(m[1]["DestinationConfig"], json!({"OnFailure": {"Destination": imp.logical["MySnsTopic"].arn}}));
    let ddb = &m[2];
    assert_eq!(ddb["ParallelizationFactor"], json!(8));
    assert_eq!(ddb["TumblingWindowInSeconds"], json!(60));
    assert_eq!(ddb["BisectBatchOnFunctionError"], json!(true));
    assert_eq!(ddb["MaximumRecordAgeInSeconds"], json!(86400));
    assert_eq!(ddb["DestinationConfig"], json!({"OnFailure": {"Destination": imp.logical["MySqsQueue"].arn}}));
}

#[test]
fn schedules_rules_and_service_entry_points() {
    let imp = import("sam-cloudwatchevent.yaml");
    assert_eq!(imp.sections["Simulation"]["DurationSeconds"], json!(3600.0));
    let rules = &section(&imp, "EventBuses")[0]["Rules"];
    assert_eq!(rules[0]["Name"], json!("function-schedule"));
    assert_eq!(rules[0]["ScheduleExpression"], json!("rate(1 minute)"));
    assert_eq!(rules[1]["EventPattern"], json!({"detail": {"state": ["terminated"]}}));

    let imp = import("sam-eventbridgerule.yaml");
    let buses = section(&imp, "EventBuses");
    assert_eq!(buses.iter().map(|b| b["Name"].clone()).collect::<Vec<_>>(), vec![json!("default"), json!("ExternalEventBridge")]);

    let imp = import("sam-iot_rule.yaml");
    assert_eq!(imp.workload.len(), 2);
    assert!(imp.workload.iter().all(|w| w["Source"] == json!("IoT") && w["SourceOptions"]["Topic"] == json!("topic/test")));

    let imp = import("sam-cloudwatchlog.yaml");
    assert_eq!(imp.workload[0]["SourceOptions"], json!({"LogGroup": "MyCWLogGroup"}));

    let imp = import("sam-cognito_userpool_with_event.yaml");
    assert_eq!(imp.workload[0]["SourceOptions"], json!({"TriggerSource": "PreSignUp_SignUp"}));
    assert!(has(&imp.skipped, "Resources.UserPool (AWS::Cognito::UserPool): not simulated"));
}

#[test]
fn plain_cloudformation_json_with_every_resource_type() {
    let imp = import("lambdasim-cloudformation.json");
    let f = function(&imp, "Worker");
    // FunctionName from Fn::Join of the stack name; MemorySize from Mappings; "30" read as an integer; the
    // ReservedConcurrentExecutions `Fn::If` gives AWS::NoValue in dev, so the property is absent.
    assert_eq!(f["FunctionName"], json!("lambdasim-cloudformation-worker-dev"));
    assert_eq!((f["MemorySize"].clone(), f["Timeout"].clone()), (json!(256), json!(30)));
    assert!(f.get("ReservedConcurrentExecutions").is_none());
    assert_eq!(f["DeadLetterConfig"]["TargetArn"], json!(imp.logical["WorkerDlq"].arn));
    assert_eq!(f["Versions"], json!([{"Version": "1"}]));
    assert_eq!(f["Aliases"], json!([{"Name": "live", "FunctionVersion": "1"}]));
    assert_eq!(
        f["EventInvokeConfig"],
        json!({"MaximumRetryAttempts": 1, "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sns:us-east-1:123456789012:alerts"}}})
    );
    let queues = section(&imp, "Queues");
    let jobs = queues.iter().find(|q| q["QueueName"] == json!("lambdasim-cloudformation-jobs.fifo")).unwrap();
    assert_eq!(jobs["RedrivePolicy"]["maxReceiveCount"], json!(5));
    // A FIFO queue without a name gets a generated one ending in .fifo.
    assert!(imp.logical["JobsDlq"].name.ends_with(".fifo"));
    let m = section(&imp, "EventSourceMappings");
    assert_eq!(m.len(), 3);
    // `!Ref` of an alias is its ARN.
    assert_eq!(m[0]["FunctionName"], json!("arn:aws:lambda:us-east-1:123456789012:function:lambdasim-cloudformation-worker-dev:live"));
    assert_eq!(section(&imp, "KinesisStreams")[0]["ShardCount"], json!(2));
    let buses = section(&imp, "EventBuses");
    let orders = buses.iter().find(|b| b["Name"] == json!("orders")).unwrap();
    assert_eq!(orders["Rules"][0]["Targets"].as_array().unwrap().len(), 1);
    assert_eq!(orders["Rules"][0]["Targets"][0]["RetryPolicy"], json!({"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600}));
    assert!(has(&imp.skipped, "Resources.OrderRule.Properties.Targets[1]: target arn:aws:logs"));
    let default = buses.iter().find(|b| b["Name"] == json!("default")).unwrap();
    assert_eq!(default["Rules"][0]["ScheduleExpression"], json!("rate(30 minutes)"));
    assert!(has(&imp.skipped, "Resources.ProdOnly: condition IsProd is false; not created"));
    assert!(has(&imp.skipped, "Resources.AlertsByMail: email subscription"));
    assert!(has(&imp.skipped, "Resources.Role (AWS::IAM::Role): not simulated"));
    assert!(imp.workload.iter().any(|w| w["Source"] == json!("S3") && w["SourceOptions"]["EventName"] == json!("ObjectCreated:Put")));
    assert!(imp.workload.iter().any(|w| w["Source"] == json!("CloudWatchLogs")));
    // In prod: the mapping, the reservation and the prod-only queue.
    let imp = import_with("lambdasim-cloudformation.json", &[("Stage", "prod")]);
    assert_eq!(function(&imp, "Worker")["MemorySize"], json!(1024));
    assert_eq!(function(&imp, "Worker")["ReservedConcurrentExecutions"], json!(100));
    assert!(imp.logical.contains_key("ProdOnly") && !imp.logical.contains_key("Uploads"));
}

/// `lambdasim import` then `lambdasim run` on every collected template with a Lambda function.
#[test]
fn import_then_run_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = fs::read_dir(templates())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    let mut ran = 0;
    for name in &names {
        let path = templates().join(name);
        let out = dir.path().join(format!("{name}.json"));
        let mut args = vec!["import", path.to_str().unwrap(), "--out", out.to_str().unwrap()];
        if name == "sam-function_with_deployment_preference.yaml" {
            args.extend(["--parameter-overrides", "FnName=unused"]);
        }
        let o = lambdasim(&args);
        if name == "sam-s3_with_condition.yaml" {
            // A real translator input naming a condition it does not declare.
            assert_eq!(o.status.code(), Some(2));
            assert!(
                text(&o.stderr).contains("Resources.ThumbnailFunction.Condition: condition \"MyCondition\" is not declared"),
                "{}",
                text(&o.stderr)
            );
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("imported: Resources."), "{name}");
        let r = lambdasim(&["run", out.to_str().unwrap()]);
        if name == "sam-streams.yaml" {
            // SAM's translator accepts BatchSize 200 for SQS without a batching window; Lambda does not (spec 5.1).
            assert_eq!(r.status.code(), Some(2));
            assert!(text(&r.stderr).contains("BatchSize: 200 needs MaximumBatchingWindowInSeconds >= 1"), "{}", text(&r.stderr));
            continue;
        }
        assert_eq!(r.status.code(), Some(0), "{name}: {}{}", text(&r.stdout), text(&r.stderr));
        assert!(text(&r.stdout).contains("accepted"), "{name}");
        ran += 1;
    }
    assert!(ran >= 15);
}

#[test]
fn bad_templates_are_clear_errors_with_the_template_path() {
    let dir = tempfile::tempdir().unwrap();
    let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Events:\n        Queue:\n";
    let cases: &[(&str, String, &str)] = &[
        ("invalid.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: [oops\n".into(), "invalid YAML"),
        ("unknown.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {\"Fn::Frobnicate\": [1]}\n".into(),
            "Resources.Q.Properties.QueueName.Fn::Frobnicate: unknown intrinsic function Fn::Frobnicate"),
        ("tag.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Foo x\n".into(), "Resources.Q.Properties.QueueName: unknown tag !Foo"),
        ("dangling.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nothing\n".into(),
            "Resources.Q.Properties.QueueName.Ref: Ref \"Nothing\" names no parameter, pseudo parameter or resource"),
        ("cycle.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B.QueueName\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n".into(),
            "Resources.A: circular dependency between resources: A -> B -> A"),
        ("refcycle.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${B}-a\"\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${A}-b\"\n".into(),
            "circular dependency between resources: A -> B -> A"),
        ("event.yaml", format!("{sam}          Type: Carrier\n"), "Resources.OrdersFunction.Properties.Events.Queue.Type: unsupported event type \"Carrier\""),
        ("import.yaml", format!("{sam}          Type: SQS\n          Properties:\n            Queue: !ImportValue shared-orders-queue-arn\n"),
            "Resources.OrdersFunction.Properties.Events.Queue.Properties.Queue.Fn::ImportValue: Fn::ImportValue \"shared-orders-queue-arn\" reads another stack's export"),
        ("nodefault.yaml", "Parameters:\n  Env:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"${Env}-q\"\n".into(),
            "Parameters.Env: parameter Env has no Default; supply it: `lambdasim import --parameter-overrides Env=VALUE`"),
        ("nosam.yaml", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n".into(), "needs `Transform: AWS::Serverless-2016-10-31`"),
        ("empty.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n".into(), "the template has no resources"),
        ("ssm.yaml", "Parameters:\n  Url:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /app/url\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n".into(),
            "Parameters.Url: parameter Url (AWS::SSM::Parameter::Value<String>) is read from SSM Parameter Store"),
    ];
    for (name, body, want) in cases {
        let p = dir.path().join(name);
        fs::write(&p, body).unwrap();
        let o = lambdasim(&["import", p.to_str().unwrap()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // A parameter override the template does not declare.
    let p = dir.path().join("ok.yaml");
    fs::write(&p, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").unwrap();
    let o = lambdasim(&["import", p.to_str().unwrap(), "--parameter-overrides", "Nope=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("Parameters.Nope: the template declares no parameter \"Nope\""));
}

#[test]
fn a_scenario_names_its_template_and_overlays_it() {
    let bundled = root().join("scenarios/sam-orders.json");
    let loaded = lambdasim::read_file(&bundled).expect("bundled scenario");
    let imp = loaded.import.as_ref().expect("the scenario names a template");
    assert_eq!(imp.stack, "orders");
    let sc = &loaded.scenario;
    assert!(sc.template.is_none() && sc.parameters.is_none());
    // Two template functions, each overlaid (not duplicated) by the scenario's Behavior.
    assert_eq!(sc.functions.len(), 2);
    let orders = &sc.functions[0];
    assert_eq!(orders.function_name, imp.logical["OrdersFunction"].name);
    assert!(is_generated(&orders.function_name, "orders", "OrdersFunction"));
    assert_eq!(orders.behavior.as_ref().unwrap().rules.len(), 1);
    // Parameters: Stage=prod picks the Globals' `!If [IsProd, 1024, 256]`.
    assert_eq!(orders.memory_size, Some(1024));
    // References by logical id in the scenario's own sections became physical names.
    assert_eq!(sc.workload[0].queue.as_deref(), Some(imp.logical["OrdersQueue"].name.as_str()));
    assert_eq!(sc.workload[2].topic.as_deref(), Some("orders-receipts"));
    assert_eq!(sc.queues.len(), 3);
    assert_eq!(loaded.model.functions.len(), 2);

    let o = lambdasim(&["validate", bundled.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.contains("imported: Resources.OrdersQueue: queue orders-OrdersQueue-"), "{out}");
    assert!(
        out.contains("skipped: Resources.OrdersFunction: InlineCode is not run; behaviour is declared, add Behavior to shape it"),
        "{out}"
    );
    assert!(out.contains("valid (2 functions, 3 workload entries, 4 expectations)"), "{out}");
    let o = lambdasim(&["run", bundled.to_str().unwrap(), "--seed", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = lambdasim(&["check", bundled.to_str().unwrap(), "--seeds", "1..3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = lambdasim(&["compare", bundled.to_str().unwrap(), "--seeds", "1..2", "--set", "functions.OrdersFunction.Timeout=20"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn overlays_references_and_scenario_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(templates().join("patterns-sqs-lambda.yaml"), dir.path().join("template.yaml")).unwrap();
    let write = |name: &str, v: Value| -> PathBuf {
        let p = dir.path().join(name);
        fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
        p
    };
    let p = write(
        "ok.json",
        json!({
            "Template": {"Path": "template.yaml", "StackName": "shop"},
            "Functions": [
                {"FunctionName": "QueueConsumerFunction", "Timeout": 9, "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]}},
                {"FunctionName": "extra"}
            ],
            "Workload": [{"Queue": "MySqsQueue", "At": [1, 2]}],
            "Expectations": [{"Expect": {"Fates": {"Function": "QueueConsumerFunction", "Fate": "Succeeded"}}, "Equals": 0}]
        }),
    );
    let loaded = lambdasim::read_file(&p).unwrap();
    let fns = &loaded.scenario.functions;
    assert_eq!(fns.len(), 2);
    assert!(is_generated(&fns[0].function_name, "shop", "QueueConsumerFunction"));
    // The overlay's Timeout replaces the template's 3; the template's MemorySize stays.
    assert_eq!((fns[0].timeout, fns[0].memory_size), (Some(9), Some(128)));
    assert_eq!(fns[1].function_name, "extra");
    let o = lambdasim(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));

    // An error in an entry that came from the template says so.
    let t = fs::read_to_string(dir.path().join("template.yaml")).unwrap().replace("BatchSize: 10", "BatchSize: 20");
    fs::write(dir.path().join("template.yaml"), t).unwrap();
    let o = lambdasim(&["validate", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("EventSourceMappings[0].BatchSize: 20 needs MaximumBatchingWindowInSeconds >= 1"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stderr).contains("(this entry comes from the template"), "{}", text(&o.stderr));

    // A template that is not there, Parameters without a template, no Functions and no template.
    for (name, doc, want) in [
        ("missing.json", json!({"Template": "nope.yaml"}), "nope.yaml: cannot read the template"),
        (
            "params.json",
            json!({"Parameters": {"Stage": "prod"}, "Functions": []}),
            "Parameters: Parameters are the values of a template's parameters",
        ),
        ("nofns.json", json!({"Name": "x"}), "missing field `Functions`"),
        (
            "badparam.json",
            json!({"Template": "template.yaml", "Parameters": {"Stage": "prod"}}),
            "the template declares no parameter \"Stage\"",
        ),
    ] {
        let p = write(name, doc);
        let o = lambdasim(&["validate", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(text(&o.stderr).contains(want), "{name}: {}", text(&o.stderr));
    }
}

/// SAM's other event types, intrinsic functions and conditions, on a template written for this test.
#[test]
fn sam_events_intrinsics_and_conditions() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    let p = dir.path().join("app.yaml");
    fs::write(&p, TEMPLATE).unwrap();
    let opts = Options { stack_name: Some("app".into()), scenario_dir: dir.path().to_path_buf(), ..Options::default() };
    let imp = import_file(&p, &opts).unwrap();
    let orders = &imp.logical["Orders"].arn;
    let env = &function(&imp, "Orders")["Environment"]["Variables"];
    assert_eq!(env["ZONE"], json!("us-east-1a"));
    assert_eq!(env["PARTS"], json!("x+y"));
    assert_eq!(env["SECRET"], json!("aGk="));
    assert_eq!(env["TABLE"], json!(imp.logical["Table"].name));
    // `!And [!Condition IsDev, !Or [!Equals [!Select [1, !Ref Zones], b], ...]]` with the CommaDelimitedList a,b,c.
    assert_eq!(env["BOTH"], json!("yes"));
    let reader = &function(&imp, "Reader")["Environment"]["Variables"];
    assert_eq!(reader["OTHER"], json!(format!("{orders} ${{Literal}} us-east-1")));
    assert_eq!(reader["ALIAS"], json!(format!("{orders}:live")));
    assert_eq!(function(&imp, "Reader")["CodeUri"], json!("src"));
    // Canary10Percent5Minutes: 10 % on version 2 at once, all of it after 300 s.
    let changes = section(&imp, "Changes");
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0]["AtSeconds"].clone(), changes[0]["UpdateAlias"]["FunctionVersion"].clone()), (json!(300.0), json!("2")));
    // Entry points invoke the alias.
    let stub = |n: &str| imp.workload.iter().find(|w| w["Name"] == json!(n)).unwrap_or_else(|| panic!("no stub {n}")).clone();
    let get = stub("Orders.Get");
    assert_eq!(get["Function"], json!(format!("{orders}:live")));
    assert_eq!(get["SourceOptions"], json!({"Method": "GET", "Path": "/orders/id", "Resource": "/orders/{id}"}));
    assert_eq!(stub("Orders.Post")["Source"], json!("ApiGatewayHttp"));
    assert_eq!(stub("Orders.Upload")["SourceOptions"], json!({"Bucket": imp.logical["Uploads"].name, "EventName": "ObjectRemoved:Delete"}));
    assert_eq!(stub("Orders.Alexa")["Source"], json!("AlexaSkillsKit"));
    assert_eq!(stub("Orders.Bus")["Source"], json!("shop"));
    // ScheduleV2 and EventBridgeRule: rules on the default bus with their retry policies and SAM-made DLQs.
    let rules = &section(&imp, "EventBuses")[0]["Rules"];
    assert_eq!(rules[0]["ScheduleExpression"], json!("rate(1 hour)"));
    assert_eq!(rules[0]["Targets"][0]["RetryPolicy"], json!({"MaximumRetryAttempts": 5}));
    assert_eq!(rules[1]["Targets"][0]["RetryPolicy"], json!({"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 120}));
    let dlq = rules[1]["Targets"][0]["DeadLetterConfig"]["Arn"].as_str().unwrap();
    assert!(dlq.starts_with("arn:aws:sqs:us-east-1:123456789012:app-OrdersBusQueue-"), "{dlq}");
    assert!(section(&imp, "Queues").iter().any(|q| dlq.ends_with(q["QueueName"].as_str().unwrap())));
    // The MSK event is a Kafka mapping; its cluster and topic are declared with one partition (spec 5.5).
    assert!(has(&imp.imported, "Resources.Orders.Properties.Events.Kafka: Kafka event source mapping from x/t"), "{:?}", imp.imported);
    assert_eq!(section(&imp, "KafkaClusters")[0]["Topics"], json!([{"TopicName": "t"}]));
    for line in [
        "Resources.Orders.Properties.Events.Bus.Properties.InputPath: not simulated",
        "Resources.Orders.Properties.DeploymentPreference.Alarms: not simulated",
        "Resources.Table: table app-Table-",
        "Resources.Api (AWS::Serverless::Api): API Gateway is not simulated",
    ] {
        assert!(has(&imp.skipped, line), "{line}: {:?}", imp.skipped);
    }
    // A function that refers to itself is a cycle, as CloudFormation says.
    let selfref = TEMPLATE.replace("BOTH: !If [Both, \"yes\", \"no\"]", "BOTH: !GetAtt Orders.Arn");
    fs::write(&p, selfref).unwrap();
    let e = import_file(&p, &opts).unwrap_err();
    assert!(e.to_string().contains("Resources.Orders: circular dependency between resources: Orders -> Orders"), "{e}");
}

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: [AWS::Serverless-2016-10-31]
Parameters:
  Stage: {Type: String, Default: dev}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  Both: !And [!Condition IsDev, !Or [!Equals [!Select [1, !Ref Zones], b], !Equals [x, y]]]
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::Serverless::SimpleTable
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod}
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref AWS::NoValue]
      Environment:
        Variables:
          ZONE: !Select [0, !GetAZs ""]
          PARTS: !Join ["+", !Split [",", "x,y"]]
          SECRET: !Base64 "hi"
          TABLE: !Ref Table
          BOTH: !If [Both, "yes", "no"]
      Events:
        Get:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: get
            RestApiId: !Ref Api
        Post:
          Type: HttpApi
          Properties: {Path: /orders, Method: POST}
        Upload:
          Type: S3
          Properties: {Bucket: !Ref Uploads, Events: [s3:ObjectRemoved:*]}
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            RetryPolicy: {MaximumRetryAttempts: 5}
            DeadLetterConfig: {Type: SQS}
        Alexa:
          Type: AlexaSkill
        Kafka:
          Type: MSK
          Properties: {Stream: arn:aws:kafka:us-east-1:123456789012:cluster/x, Topics: [t]}
        Bus:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [shop]}
            RetryPolicy: {MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120}
            DeadLetterConfig: {Type: SQS}
            InputPath: $.detail
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Runtime: nodejs20.x
      Handler: index.handler
      Environment:
        Variables:
          OTHER: !Sub "${Orders.Arn} ${!Literal} ${AWS::Region}"
          ALIAS: !Ref Orders.Alias
"#;

/// `RecursiveLoop` (`AWS::Lambda::Function` and `AWS::Serverless::Function`) carries over: `Allow` turns the
/// function's recursive-loop detection off.
#[test]
fn recursive_loop_is_imported_from_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    std::fs::write(
        &path,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Loop:\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: loop\n      Handler: app.handler\n      RecursiveLoop: Allow\n  Plain:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: plain\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code: {ZipFile: 'x'}\n      RecursiveLoop: Terminate\n",
    )
    .unwrap();
    let imp = import_file(&path, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let fns = section(&imp, "Functions");
    let by = |n: &str| fns.iter().find(|f| f["FunctionName"] == n).unwrap_or_else(|| panic!("{n} in {fns:?}")).clone();
    assert_eq!(by("loop")["RecursiveLoop"], "Allow");
    assert_eq!(by("plain")["RecursiveLoop"], "Terminate");
}
