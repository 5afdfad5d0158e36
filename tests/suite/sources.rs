//! Tests of the event-source catalogue (`lambdasim::aws::events`): the exact event of every source kind for a fixed
//! context (field names, values and AWS's field order), determinism, the CloudWatch Logs encoding, Firehose response
//! interpretation and option validation.
//!
//! Expected events are compared as pretty-printed JSON, so the order of the fields is checked too (serde_json keeps
//! insertion order in this crate). The AWS page each shape follows is cited above its builder in `src/sources.rs`.

use std::io::Read;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};

use lambdasim::aws::events::{build_event, check_options, firehose_result, EventCtx, FirehoseCounts, Mode, SourceKind};

// ---------------------------------------------------------------------------------------------------------------------
// harness

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
/// 2023-11-14T22:13:20.123Z
const EPOCH_MS: i64 = 1_700_000_000_123;

fn event_with(kind: SourceKind, options: &Value, payload: &Value, key: u64, n: u64, epoch_ms: i64) -> Value {
    let ctx = EventCtx { region: REGION, account_id: ACCOUNT, epoch_ms, key, n, options, payload };
    build_event(kind, &ctx)
}

fn event(kind: SourceKind, options: Value, payload: Value) -> Value {
    event_with(kind, &options, &payload, 42, 3, EPOCH_MS)
}

/// Compares as pretty JSON text: values and field order.
fn assert_event(actual: &Value, expected: &str) {
    let expected: Value = serde_json::from_str(expected).expect("expected JSON parses");
    assert_eq!(serde_json::to_string_pretty(actual).unwrap(), serde_json::to_string_pretty(&expected).unwrap());
}

fn gunzip_json(data: &str) -> Value {
    let gz = B64.decode(data).expect("awslogs.data is base64");
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "gzip magic and deflate method");
    assert_eq!(&gz[4..8], &[0, 0, 0, 0], "no time stamp in the gzip header");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("gunzip");
    serde_json::from_str(&text).expect("the decoded data is JSON")
}

/// Every kind with small options and payload, as used by the determinism tests.
fn samples() -> Vec<(SourceKind, Value, Value)> {
    vec![
        (SourceKind::S3, json!({"Bucket": "uploads", "Key": "img/{{n}}.png"}), Value::Null),
        (SourceKind::Sns, json!({}), json!({"order": 7})),
        (SourceKind::Ses, json!({}), json!("Hello")),
        (SourceKind::Sqs, json!({}), json!({"order": 7})),
        (SourceKind::Kinesis, json!({}), json!("hello")),
        (SourceKind::DynamoDb, json!({}), json!({"id": 7})),
        (SourceKind::Cognito, json!({}), Value::Null),
        (SourceKind::CloudFormation, json!({}), json!({"Size": 1})),
        (SourceKind::CloudWatchLogs, json!({}), json!("a log line")),
        (SourceKind::EventBridge, json!({}), json!({"order": 7})),
        (SourceKind::CodeCommit, json!({}), Value::Null),
        (SourceKind::Config, json!({}), json!({})),
        (SourceKind::Alexa, json!({}), Value::Null),
        (SourceKind::Lex, json!({}), json!("I want roses")),
        (SourceKind::ApiGatewayRest, json!({"Path": "/orders"}), json!({"order": 7})),
        (SourceKind::ApiGatewayHttp, json!({"Path": "/orders"}), json!({"order": 7})),
        (SourceKind::Alb, json!({"Path": "/orders"}), Value::Null),
        (SourceKind::IoT, json!({"Extra": {"ts": "timestamp()"}}), json!({"t": 21})),
        (SourceKind::CloudFrontEdge, json!({}), Value::Null),
        (SourceKind::Firehose, json!({}), json!(["a", "b"])),
        (SourceKind::FunctionUrl, json!({"Path": "/orders"}), json!({"order": 7})),
        (SourceKind::ApiGatewayAuthorizer, json!({"Type": "REQUEST"}), Value::Null),
        (SourceKind::ApiGatewayWebSocket, json!({"RouteKey": "$connect"}), Value::Null),
        (SourceKind::AppSync, json!({"BatchSize": 2}), json!({"id": "7"})),
        (SourceKind::S3ObjectLambda, json!({}), Value::Null),
        (SourceKind::SecretsManager, json!({}), Value::Null),
        (SourceKind::CodePipeline, json!({}), json!("params")),
        (SourceKind::S3Batch, json!({"InvocationSchemaVersion": "2.0"}), json!("key")),
        (SourceKind::Connect, json!({}), json!({"p": "1"})),
        (SourceKind::IoTEvents, json!({}), json!({"t": 21})),
        (SourceKind::VpcLattice, json!({}), json!({"order": 7})),
        (SourceKind::AlexaSkillsKit, json!({}), json!({"Answer": "1"})),
        (SourceKind::LexV1, json!({}), json!({"FlowerType": "roses"})),
        (SourceKind::CognitoSync, json!({}), json!({"k": "v"})),
        (SourceKind::OnDemand, json!({}), json!({"order": 7})),
    ]
}

// ---------------------------------------------------------------------------------------------------------------------
// catalogue

#[test]
fn names_parse_back_and_are_distinct() {
    let mut names: Vec<&str> = SourceKind::ALL.iter().map(|k| k.name()).collect();
    for k in SourceKind::ALL {
        assert_eq!(SourceKind::parse(k.name()), Some(k));
        assert_eq!(SourceKind::parse(&k.name().to_ascii_lowercase()), Some(k), "parse ignores case");
        assert!(!k.modelled().is_empty());
    }
    assert_eq!(SourceKind::parse(" DynamoDb "), Some(SourceKind::DynamoDb));
    assert_eq!(SourceKind::parse("Kafka"), None);
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 35);
    assert_eq!(
        SourceKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
        [
            "S3",
            "SNS",
            "SES",
            "SQS",
            "Kinesis",
            "DynamoDB",
            "Cognito",
            "CloudFormation",
            "CloudWatchLogs",
            "EventBridge",
            "CodeCommit",
            "Config",
            "Alexa",
            "Lex",
            "ApiGatewayRest",
            "ApiGatewayHttp",
            "ALB",
            "IoT",
            "CloudFrontEdge",
            "Firehose",
            "FunctionUrl",
            "ApiGatewayAuthorizer",
            "ApiGatewayWebSocket",
            "AppSync",
            "S3ObjectLambda",
            "SecretsManager",
            "CodePipeline",
            "S3Batch",
            "Connect",
            "IoTEvents",
            "VpcLattice",
            "AlexaSkillsKit",
            "LexV1",
            "CognitoSync",
            "OnDemand"
        ]
    );
}

#[test]
fn modes_follow_spec_section_7() {
    use SourceKind::*;
    let of = |m: Mode| SourceKind::ALL.iter().copied().filter(|k| k.mode() == m).collect::<Vec<_>>();
    assert_eq!(
        of(Mode::Async),
        [S3, Sns, Ses, CloudFormation, CloudWatchLogs, EventBridge, CodeCommit, Config, IoT, CodePipeline, IoTEvents]
    );
    assert_eq!(of(Mode::Poll), [Sqs, Kinesis, DynamoDb]);
    assert_eq!(
        of(Mode::Sync),
        [
            Cognito,
            Alexa,
            Lex,
            ApiGatewayRest,
            ApiGatewayHttp,
            Alb,
            CloudFrontEdge,
            Firehose,
            FunctionUrl,
            ApiGatewayAuthorizer,
            ApiGatewayWebSocket,
            AppSync,
            S3ObjectLambda,
            SecretsManager,
            S3Batch,
            Connect,
            VpcLattice,
            AlexaSkillsKit,
            LexV1,
            CognitoSync,
            OnDemand
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// one event per kind

#[test]
fn s3_event() {
    let e = event(SourceKind::S3, json!({"Bucket": "uploads", "Key": "img/{{n}} copy.png", "Size": 2048}), Value::Null);
    assert_event(&e, S3);
}

#[test]
fn s3_delete_event_has_no_size_or_etag() {
    let e = event(SourceKind::S3, json!({"EventName": "ObjectRemoved:Delete"}), json!("reports/q1=final.csv"));
    assert_event(&e["Records"][0]["s3"]["object"], r#"{"key": "reports/q1%3Dfinal.csv", "sequencer": "0000018BCFE5687B21"}"#);
    assert_eq!(e["Records"][0]["eventName"], "ObjectRemoved:Delete");
}

#[test]
fn sns_event() {
    let e = event(SourceKind::Sns, json!({"Subject": "order", "MessageAttributes": {"color": "red"}}), json!({"order": 7}));
    assert_event(&e, SNS);
}

#[test]
fn ses_event() {
    assert_event(&event(SourceKind::Ses, json!({"To": "orders@example.com"}), json!("New order")), SES);
}

#[test]
fn sqs_event() {
    assert_event(&event(SourceKind::Sqs, json!({"QueueName": "orders"}), json!("hello")), SQS);
}

#[test]
fn sqs_fifo_event_with_attributes() {
    let e = event(
        SourceKind::Sqs,
        json!({
            "QueueName": "orders.fifo",
            "MessageGroupId": "g1",
            "MessageAttributes": {"color": "red", "count": 5, "blob": {"DataType": "Binary", "BinaryValue": "AAEC"}},
        }),
        json!("hello"),
    );
    assert_event(&e, SQS_FIFO);
}

#[test]
fn kinesis_event() {
    assert_event(&event(SourceKind::Kinesis, json!({"StreamName": "clicks", "PartitionKey": "user-{{n}}"}), json!("Hello")), KINESIS);
}

#[test]
fn dynamodb_event() {
    let e = event(
        SourceKind::DynamoDb,
        json!({"TableName": "orders", "EventName": "MODIFY", "OldImage": {"id": 7, "state": "new"}}),
        json!({"id": 7, "state": "paid", "lines": [{"sku": "a", "qty": 2}], "gift": false, "note": null}),
    );
    assert_event(&e, DYNAMODB);
}

#[test]
fn cognito_event() {
    assert_event(&event(SourceKind::Cognito, json!({}), json!({"email": "ana@example.com"})), COGNITO);
}

#[test]
fn cognito_post_confirmation_event() {
    let e = event(SourceKind::Cognito, json!({"TriggerSource": "PostConfirmation_ConfirmSignUp", "UserName": "ana"}), Value::Null);
    assert_event(&e["request"], COGNITO_POST_CONFIRMATION_REQUEST);
    assert_eq!(e["response"], json!({}));
}

#[test]
fn cloudformation_event() {
    let e = event(SourceKind::CloudFormation, json!({"RequestType": "Create", "ResourceType": "Custom::Thing"}), json!({"Size": 3}));
    assert_event(&e, CLOUDFORMATION);
}

#[test]
fn cloudformation_update_event() {
    let e = event(
        SourceKind::CloudFormation,
        json!({"RequestType": "Update", "ResourceType": "Custom::Thing", "OldResourceProperties": {"Size": 2}}),
        json!({"Size": 3}),
    );
    assert_event(&e, CLOUDFORMATION_UPDATE);
}

#[test]
fn cloudwatch_logs_event() {
    let e = event(
        SourceKind::CloudWatchLogs,
        json!({"LogGroup": "/aws/lambda/echo", "LogEvents": ["first", {"message": "second", "timestamp": 1_700_000_000_000_i64}]}),
        Value::Null,
    );
    let data = e["awslogs"]["data"].as_str().expect("awslogs.data is a string");
    assert_eq!(e, json!({"awslogs": {"data": data}}), "the event is only awslogs.data");
    assert_event(&gunzip_json(data), CLOUDWATCH_LOGS_DECODED);
}

#[test]
fn cloudwatch_logs_messages_come_from_the_payload() {
    let e = event(SourceKind::CloudWatchLogs, json!({}), json!(["one", {"level": "info"}]));
    let doc = gunzip_json(e["awslogs"]["data"].as_str().unwrap());
    assert_eq!(doc["messageType"], "DATA_MESSAGE");
    assert_eq!(doc["owner"], ACCOUNT);
    assert_eq!(doc["logGroup"], "/aws/lambda/app");
    assert_eq!(doc["subscriptionFilters"], json!(["lambdasim-filter"]));
    let events = doc["logEvents"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["message"], "one");
    assert_eq!(events[1]["message"], r#"{"level":"info"}"#);
    for e in events {
        assert_eq!(e["timestamp"], EPOCH_MS);
        let id = e["id"].as_str().unwrap();
        assert!(id.len() == 56 && id.bytes().all(|b| b.is_ascii_digit()), "{id}");
    }
    assert_ne!(events[0]["id"], events[1]["id"]);
}

#[test]
fn eventbridge_event() {
    assert_event(
        &event(SourceKind::EventBridge, json!({"Source": "my.app", "DetailType": "OrderPlaced"}), json!({"order": 7})),
        EVENTBRIDGE,
    );
}

#[test]
fn codecommit_event() {
    assert_event(&event(SourceKind::CodeCommit, json!({"Repository": "shop", "Created": true}), Value::Null), CODECOMMIT);
}

#[test]
fn config_event() {
    assert_event(&event(SourceKind::Config, json!({"RuleParameters": {"maxAge": "30"}}), json!({"instanceType": "t3.micro"})), CONFIG);
}

#[test]
fn config_scheduled_event() {
    let e = event(SourceKind::Config, json!({"MessageType": "ScheduledNotification"}), Value::Null);
    let invoking: Value = serde_json::from_str(e["invokingEvent"].as_str().unwrap()).unwrap();
    assert_eq!(
        invoking,
        json!({
            "awsAccountId": ACCOUNT,
            "notificationCreationTime": "2023-11-14T22:13:20.123Z",
            "messageType": "ScheduledNotification",
            "recordVersion": "1.0",
        })
    );
}

#[test]
fn alexa_event() {
    assert_event(&event(SourceKind::Alexa, json!({"EndpointId": "lamp-1"}), Value::Null), ALEXA);
}

#[test]
fn alexa_discovery_event() {
    let e = event(SourceKind::Alexa, json!({"Namespace": "Alexa.Discovery", "Token": "t0k"}), Value::Null);
    assert_event(
        &e,
        r#"{"directive": {
            "header": {"namespace": "Alexa.Discovery", "name": "Discover", "messageId": "__ALEXA_MESSAGE_ID__", "payloadVersion": "3"},
            "payload": {"scope": {"type": "BearerToken", "token": "t0k"}}
        }}"#
        .replace("__ALEXA_MESSAGE_ID__", e["directive"]["header"]["messageId"].as_str().unwrap())
        .as_str(),
    );
}

#[test]
fn lex_event() {
    assert_event(&event(SourceKind::Lex, json!({"IntentName": "OrderFlowers"}), json!({"FlowerType": "roses"})), LEX);
}

#[test]
fn apigw_rest_event() {
    let e = event(
        SourceKind::ApiGatewayRest,
        json!({"Method": "POST", "Path": "/orders/{{n}}?x=1&x=2", "Resource": "/orders/{id}", "PathParameters": {"id": "{{n}}"}}),
        json!({"item": "book"}),
    );
    assert_event(&e, APIGW_REST);
}

#[test]
fn apigw_rest_get_without_body() {
    let e = event(SourceKind::ApiGatewayRest, json!({"Path": "/health"}), Value::Null);
    assert_eq!(e["httpMethod"], "GET");
    assert_eq!(e["body"], Value::Null);
    assert_eq!(e["queryStringParameters"], Value::Null);
    assert_eq!(e["multiValueQueryStringParameters"], Value::Null);
    assert!(e["headers"].get("Content-Type").is_none());
}

#[test]
fn apigw_http_event() {
    let e = event(
        SourceKind::ApiGatewayHttp,
        json!({"Method": "POST", "Path": "/orders", "Query": {"tag": ["a b", "c"]}, "Headers": {"X-Tenant": "t1"}}),
        json!({"item": "book"}),
    );
    assert_event(&e, APIGW_HTTP);
}

#[test]
fn alb_event() {
    assert_event(&event(SourceKind::Alb, json!({"Path": "/lambda", "Query": {"query": "1234ABCD"}}), Value::Null), ALB);
}

#[test]
fn alb_multi_value_event() {
    let e = event(SourceKind::Alb, json!({"Path": "/lambda?a=1&a=2", "MultiValueHeaders": true}), Value::Null);
    assert_eq!(e["multiValueQueryStringParameters"], json!({"a": ["1", "2"]}));
    assert_eq!(e["multiValueHeaders"]["accept"], json!(["*/*"]));
    assert!(e.get("headers").is_none() && e.get("queryStringParameters").is_none());
}

#[test]
fn iot_event_is_the_selected_payload() {
    let payload = json!({"row": "10", "pos": "23", "moisture": "75"});
    assert_eq!(event(SourceKind::IoT, json!({}), payload.clone()), payload);
    let e = event(
        SourceKind::IoT,
        json!({"Topic": "greenhouse/sensor-9/moisture", "Extra": {"device": "topic(2)", "ts": "timestamp()"}}),
        payload,
    );
    assert_event(&e, r#"{"row": "10", "pos": "23", "moisture": "75", "device": "sensor-9", "ts": 1700000000123}"#);
}

#[test]
fn cloudfront_viewer_request_event() {
    assert_event(&event(SourceKind::CloudFrontEdge, json!({"Uri": "/picture.jpg", "Querystring": "size=large"}), Value::Null), CLOUDFRONT);
}

#[test]
fn cloudfront_origin_response_event() {
    let e = event(SourceKind::CloudFrontEdge, json!({"EventType": "origin-response", "Status": 404}), Value::Null);
    let cf = &e["Records"][0]["cf"];
    assert_eq!(cf["config"]["eventType"], "origin-response");
    assert_eq!(cf["request"]["origin"]["custom"]["domainName"], "example.org");
    assert_eq!(cf["response"]["status"], "404");
    assert_eq!(cf["response"]["statusDescription"], "Not Found");
    assert!(cf["request"].get("body").is_none());
}

#[test]
fn firehose_event() {
    assert_event(&event(SourceKind::Firehose, json!({"DeliveryStreamName": "clicks"}), json!(["Hello World", {"a": 1}])), FIREHOSE);
}

#[test]
fn on_demand_returns_the_payload_unchanged() {
    let payload = json!({"nested": {"list": [1, 2, 3]}, "s": "x"});
    assert_eq!(event(SourceKind::OnDemand, json!({}), payload.clone()), payload);
}

// ---------------------------------------------------------------------------------------------------------------------
// determinism and ids

#[test]
fn same_context_gives_identical_json() {
    for (kind, options, payload) in samples() {
        let a = serde_json::to_string(&event_with(kind, &options, &payload, 7, 1, EPOCH_MS)).unwrap();
        let b = serde_json::to_string(&event_with(kind, &options, &payload, 7, 1, EPOCH_MS)).unwrap();
        assert_eq!(a, b, "{}", kind.name());
    }
}

#[test]
fn different_keys_give_different_ids() {
    for (kind, options, payload) in samples() {
        let a = event_with(kind, &options, &payload, 7, 1, EPOCH_MS);
        let b = event_with(kind, &options, &payload, 8, 1, EPOCH_MS);
        match kind {
            // OnDemand and IoT hand the payload on as it is, and Cognito trigger events carry no per-request id; nor do
            // Secrets Manager's steps (their tokens belong to the rotation), Lex V1 code hooks and Cognito Sync triggers.
            SourceKind::OnDemand
            | SourceKind::IoT
            | SourceKind::Cognito
            | SourceKind::SecretsManager
            | SourceKind::LexV1
            | SourceKind::CognitoSync => {
                assert_eq!(a, b)
            }
            _ => assert_ne!(a, b, "{}: the event key must change the ids", kind.name()),
        }
    }
    let id = |key| event_with(SourceKind::Sqs, &json!({}), &json!("x"), key, 0, EPOCH_MS)["Records"][0]["messageId"].clone();
    assert_ne!(id(1), id(2));
}

#[test]
fn ids_have_aws_formats() {
    let is_uuid = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
            && s.bytes().all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && parts[2].starts_with('4')
    };
    for key in [0, 1, u64::MAX] {
        let s3 = event_with(SourceKind::S3, &json!({}), &Value::Null, key, 0, EPOCH_MS);
        let rid = s3["Records"][0]["responseElements"]["x-amz-request-id"].as_str().unwrap();
        assert!(rid.len() == 16 && rid.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{rid}");
        let sqs = event_with(SourceKind::Sqs, &json!({}), &json!("x"), key, 0, EPOCH_MS);
        assert!(is_uuid(sqs["Records"][0]["messageId"].as_str().unwrap()));
        let eb = event_with(SourceKind::EventBridge, &json!({}), &Value::Null, key, 0, EPOCH_MS);
        assert!(is_uuid(eb["id"].as_str().unwrap()));
        let k = event_with(SourceKind::Kinesis, &json!({}), &json!("x"), key, 0, EPOCH_MS);
        let seq = k["Records"][0]["kinesis"]["sequenceNumber"].as_str().unwrap();
        assert!(seq.len() == 56 && seq.bytes().all(|b| b.is_ascii_digit()), "{seq}");
    }
}

#[test]
fn kinesis_sequence_numbers_grow_with_time_within_a_shard() {
    let seq =
        |key, ms| event_with(SourceKind::Kinesis, &json!({}), &json!("x"), key, 0, ms)["Records"][0]["kinesis"]["sequenceNumber"].clone();
    let (a, b) = (seq(900, EPOCH_MS), seq(1, EPOCH_MS + 1));
    assert!(a.as_str().unwrap() < b.as_str().unwrap(), "{a} < {b}");
}

#[test]
fn ids_tied_to_names_stay_the_same_across_events() {
    let sns = |key| event_with(SourceKind::Sns, &json!({}), &json!("m"), key, 0, EPOCH_MS)["Records"][0].clone();
    assert_eq!(sns(1)["EventSubscriptionArn"], sns(2)["EventSubscriptionArn"]);
    assert_ne!(sns(1)["Sns"]["MessageId"], sns(2)["Sns"]["MessageId"]);
    let api = |key| event_with(SourceKind::ApiGatewayRest, &json!({}), &Value::Null, key, 0, EPOCH_MS)["requestContext"].clone();
    assert_eq!(api(1)["apiId"], api(2)["apiId"]);
    assert_ne!(api(1)["requestId"], api(2)["requestId"]);
    let pool = |key| event_with(SourceKind::Cognito, &json!({}), &Value::Null, key, 0, EPOCH_MS)["userPoolId"].clone();
    assert_eq!(pool(1), pool(2));
}

#[test]
fn placeholders_in_options_take_the_event_index() {
    let e = event_with(SourceKind::S3, &json!({"Key": "in/{{n}}/file-{{n}}.txt"}), &Value::Null, 1, 17, EPOCH_MS);
    assert_eq!(e["Records"][0]["s3"]["object"]["key"], "in/17/file-17.txt");
}

#[test]
fn sqs_digests_are_real_md5() {
    let e = event(SourceKind::Sqs, json!({}), json!("hello"));
    assert_eq!(e["Records"][0]["md5OfBody"], "5d41402abc4b2a76b9719d911017c592");
    let e = event(
        SourceKind::Sqs,
        json!({"MessageAttributes": {"color": "red", "count": 5, "blob": {"DataType": "Binary", "BinaryValue": "AAEC"}}}),
        json!("hello"),
    );
    // Computed independently from the SQS developer guide's algorithm.
    assert_eq!(e["Records"][0]["md5OfMessageAttributes"], "748272c40a03ded5455e2ccbe14931e8");
}

// ---------------------------------------------------------------------------------------------------------------------
// Firehose responses

fn ids() -> Vec<String> {
    vec!["r0".to_string(), "r1".to_string(), "r2".to_string()]
}

#[test]
fn firehose_all_ok() {
    let r = json!({"records": [
        {"recordId": "r0", "result": "Ok", "data": "aGk="},
        {"recordId": "r2", "result": "Ok", "data": ""},
        {"recordId": "r1", "result": "Ok", "data": "eA=="},
    ]});
    assert_eq!(firehose_result(&r, &ids()), Ok(FirehoseCounts { ok: 3, dropped: 0, processing_failed: 0 }));
}

#[test]
fn firehose_dropped_and_processing_failed() {
    let r = json!({"records": [
        {"recordId": "r0", "result": "Ok", "data": "aGk="},
        {"recordId": "r1", "result": "Dropped"},
        {"recordId": "r2", "result": "ProcessingFailed", "data": "aGk="},
    ]});
    assert_eq!(firehose_result(&r, &ids()), Ok(FirehoseCounts { ok: 1, dropped: 1, processing_failed: 1 }));
}

#[test]
fn firehose_event_ids_round_trip() {
    let e = event(SourceKind::Firehose, json!({}), json!(["a", "b"]));
    let ids: Vec<String> = e["records"].as_array().unwrap().iter().map(|r| r["recordId"].as_str().unwrap().to_string()).collect();
    let r = json!({"records": [
        {"recordId": ids[0], "result": "Ok", "data": "YQ=="},
        {"recordId": ids[1], "result": "Dropped", "data": "Yg=="},
    ]});
    assert_eq!(firehose_result(&r, &ids), Ok(FirehoseCounts { ok: 1, dropped: 1, processing_failed: 0 }));
}

#[test]
fn firehose_missing_record_id_is_an_error() {
    let no_field = json!({"records": [
        {"recordId": "r0", "result": "Ok", "data": "aGk="},
        {"result": "Ok", "data": "aGk="},
        {"recordId": "r2", "result": "Ok", "data": "aGk="},
    ]});
    let err = firehose_result(&no_field, &ids()).unwrap_err();
    assert!(err.contains("records[1]") && err.contains("recordId"), "{err}");

    let unanswered = json!({"records": [
        {"recordId": "r0", "result": "Ok", "data": "aGk="},
        {"recordId": "r2", "result": "Ok", "data": "aGk="},
    ]});
    let err = firehose_result(&unanswered, &ids()).unwrap_err();
    assert!(err.contains("\"r1\""), "{err}");
}

#[test]
fn firehose_unknown_result_is_an_error() {
    let r = json!({"records": [
        {"recordId": "r0", "result": "Ok", "data": "aGk="},
        {"recordId": "r1", "result": "Transformed", "data": "aGk="},
        {"recordId": "r2", "result": "Ok", "data": "aGk="},
    ]});
    let err = firehose_result(&r, &ids()).unwrap_err();
    assert!(err.contains("Transformed") && err.contains("ProcessingFailed"), "{err}");
}

#[test]
fn firehose_other_malformed_responses() {
    let one = vec!["r0".to_string()];
    for (r, needle) in [
        (json!("nope"), "records"),
        (json!({"records": {}}), "array"),
        (json!({"records": [{"recordId": "zz", "result": "Ok", "data": ""}]}), "zz"),
        (json!({"records": [{"recordId": "r0", "result": "Ok"}]}), "data"),
        (json!({"records": [{"recordId": "r0", "result": "Ok", "data": "@@@"}]}), "base64"),
        (json!({"records": [{"recordId": "r0", "data": ""}]}), "result"),
        (json!({"records": [{"recordId": "r0", "result": "Ok", "data": ""}, {"recordId": "r0", "result": "Ok", "data": ""}]}), "twice"),
    ] {
        let err = firehose_result(&r, &one).unwrap_err();
        assert!(err.contains(needle), "{r}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// option validation

#[test]
fn defaults_and_documented_examples_are_valid() {
    for kind in SourceKind::ALL {
        assert_eq!(check_options(kind, &Value::Null), Ok(()), "{}", kind.name());
        assert_eq!(check_options(kind, &json!({})), Ok(()), "{}", kind.name());
    }
    for (kind, options) in [
        (SourceKind::S3, json!({"Bucket": "uploads", "Key": "img/{{n}}.png", "EventName": "ObjectCreated:Put", "Size": 1024})),
        (SourceKind::S3, json!({"EventName": "s3:ObjectRemoved:Delete"})),
        (SourceKind::ApiGatewayRest, json!({"Method": "POST", "Path": "/orders", "Body": {"id": 1}})),
        (SourceKind::Sns, json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders"})),
        (SourceKind::EventBridge, json!({"Source": "my.app", "DetailType": "OrderPlaced"})),
        (SourceKind::Firehose, json!({"Records": ["a", {"b": 1}]})),
        (SourceKind::CloudWatchLogs, json!({"LogGroup": "/aws/lambda/x", "LogEvents": ["a", {"message": "b", "timestamp": 1}]})),
        (SourceKind::Cognito, json!({"TriggerSource": "PreSignUp_SignUp"})),
        (SourceKind::CloudFormation, json!({"RequestType": "Create", "ResourceType": "Custom::X"})),
        (SourceKind::ApiGatewayHttp, json!({"RouteKey": "ANY /{proxy+}", "Query": {"a": ["1", "2"]}})),
        (SourceKind::IoT, json!({"Extra": {"device": "topic(2)", "client": "clientid()"}})),
    ] {
        assert_eq!(check_options(kind, &options), Ok(()), "{} {options}", kind.name());
    }
}

fn rejected(kind: SourceKind, options: Value) -> (String, String) {
    check_options(kind, &options).expect_err(&format!("{} should reject {options}", kind.name()))
}

#[test]
fn bad_s3_event_name_is_rejected_with_its_path() {
    let (path, msg) = rejected(SourceKind::S3, json!({"EventName": "Foo"}));
    assert_eq!(path, "EventName");
    assert!(msg.contains("\"Foo\"") && msg.contains("ObjectCreated:Put"), "{msg}");
}

#[test]
fn bad_http_method_is_rejected_with_its_path() {
    for kind in [SourceKind::ApiGatewayRest, SourceKind::ApiGatewayHttp, SourceKind::Alb, SourceKind::CloudFrontEdge] {
        let (path, msg) = rejected(kind, json!({"Method": "FETCH"}));
        assert_eq!(path, "Method");
        assert!(msg.contains("\"FETCH\"") && msg.contains("GET"), "{msg}");
    }
}

#[test]
fn other_bad_options_name_their_sub_path() {
    for (kind, options, want) in [
        (SourceKind::S3, json!({"Bucket": 5}), "Bucket"),
        (SourceKind::S3, json!({"Buckt": "x"}), "Buckt"),
        (SourceKind::S3, json!({"Size": -1}), "Size"),
        (SourceKind::Sns, json!({"TopicArn": "orders"}), "TopicArn"),
        (SourceKind::Sns, json!({"MessageAttributes": {"a": {"Type": "Blob", "Value": "x"}}}), "MessageAttributes.a.Type"),
        (SourceKind::Ses, json!({"DmarcVerdict": "MAYBE"}), "DmarcVerdict"),
        (
            SourceKind::Sqs,
            json!({"MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": "@@"}}}),
            "MessageAttributes.b.BinaryValue",
        ),
        (SourceKind::Sqs, json!({"ReceiveCount": 0}), "ReceiveCount"),
        (SourceKind::Kinesis, json!({"ShardId": "7"}), "ShardId"),
        (SourceKind::DynamoDb, json!({"EventName": "UPSERT"}), "EventName"),
        (SourceKind::DynamoDb, json!({"KeyAttributes": ["id", 2]}), "KeyAttributes[1]"),
        (SourceKind::Cognito, json!({"TriggerSource": "PreSignUp"}), "TriggerSource"),
        (SourceKind::CloudFormation, json!({"RequestType": "Replace"}), "RequestType"),
        (SourceKind::CloudFormation, json!({"ResourceType": "MyType"}), "ResourceType"),
        (SourceKind::CloudWatchLogs, json!({"LogEvents": ["a", {"text": "b"}]}), "LogEvents[1]"),
        (SourceKind::CloudWatchLogs, json!({"LogEvents": [{"message": "b", "timestamp": "soon"}]}), "LogEvents[0].timestamp"),
        (SourceKind::EventBridge, json!({"Source": ""}), "Source"),
        (SourceKind::CodeCommit, json!({"Ref": "main"}), "Ref"),
        (SourceKind::Config, json!({"ResourceType": "EC2Instance"}), "ResourceType"),
        (SourceKind::Alexa, json!({"Namespace": "Google.Home"}), "Namespace"),
        (SourceKind::Lex, json!({"InvocationSource": "Hook"}), "InvocationSource"),
        (SourceKind::ApiGatewayRest, json!({"Path": "orders"}), "Path"),
        (SourceKind::ApiGatewayRest, json!({"Headers": {"X-A": {"v": 1}}}), "Headers.X-A"),
        (SourceKind::ApiGatewayRest, json!({"RouteKey": "GET /a"}), "RouteKey"),
        (SourceKind::ApiGatewayHttp, json!({"RouteKey": "FETCH /a"}), "RouteKey"),
        (SourceKind::Alb, json!({"MultiValueHeaders": "yes"}), "MultiValueHeaders"),
        (SourceKind::IoT, json!({"Extra": {"x": "now()"}}), "Extra.x"),
        (SourceKind::CloudFrontEdge, json!({"EventType": "edge-request"}), "EventType"),
        (SourceKind::CloudFrontEdge, json!({"Status": 700}), "Status"),
        (SourceKind::Firehose, json!({"Records": "a"}), "Records"),
        (SourceKind::OnDemand, json!({"Anything": 1}), "Anything"),
    ] {
        let (path, msg) = rejected(kind, options.clone());
        assert_eq!(path, want, "{} {options}: {msg}", kind.name());
        assert!(msg.contains(kind.name()), "the message names the kind: {msg}");
    }
    let (path, msg) = rejected(SourceKind::S3, json!(["not", "an", "object"]));
    assert_eq!(path, "");
    assert!(msg.contains("object"), "{msg}");
}

// ---------------------------------------------------------------------------------------------------------------------
// expected events (context: us-east-1, account 123456789012, 2023-11-14T22:13:20.123Z, key 42, n 3)

const S3: &str = r#"{
  "Records": [
    {
      "eventVersion": "2.1",
      "eventSource": "aws:s3",
      "awsRegion": "us-east-1",
      "eventTime": "2023-11-14T22:13:20.123Z",
      "eventName": "ObjectCreated:Put",
      "userIdentity": {
        "principalId": "AWS:AIDAZFMRL0Y0VLAGNKXZE"
      },
      "requestParameters": {
        "sourceIPAddress": "203.0.113.246"
      },
      "responseElements": {
        "x-amz-request-id": "A72585B77EC8C979",
        "x-amz-id-2": "4WMbGYhcFERb+UjkFpMsLhQPRfBD+kywBdwKtAJPjVRy6toJhAhXPtsUVjh2Ir6Wdj3033l5kak="
      },
      "s3": {
        "s3SchemaVersion": "1.0",
        "configurationId": "lambdasim",
        "bucket": {
          "name": "uploads",
          "ownerIdentity": {
            "principalId": "E269LZW042FL72"
          },
          "arn": "arn:aws:s3:::uploads"
        },
        "object": {
          "key": "img/3+copy.png",
          "size": 2048,
          "eTag": "922d358757e9e9211c195d912e9f91d7",
          "sequencer": "0000018BCFE5687B21"
        }
      }
    }
  ]
}"#;
const SNS: &str = r#"{
  "Records": [
    {
      "EventSource": "aws:sns",
      "EventVersion": "1.0",
      "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:topic:f8ae5e61-951c-4362-942c-e8b3a1f76973",
      "Sns": {
        "Type": "Notification",
        "MessageId": "883d0eab-2021-46fc-9028-28754e7802ea",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:topic",
        "Subject": "order",
        "Message": "{\"order\":7}",
        "Timestamp": "2023-11-14T22:13:20.123Z",
        "SignatureVersion": "1",
        "Signature": "UNLtTSmq2nH3/XSiBVFDgbMycMIBsdWSrSNf+ZnzFPuzmjFGRYjFpnISIFliJ/dQpsncS9YhT5Cc+asOUDFEecMZ0xVeiXo7WmsoTF2nDFSCfcnm7dr2MdJ2iImmjzoVUKURFtxTcRA+4IbL08jQNHlw1J6r+EzWFrqjPFnwMcIrWmGyvGwfQxrEdxGuYKrWOsvqr0QTJrMUYqYsvtiE5Ja3HQP3imb/LEVQCm4y1oJKohjH7O/Wt9igo9346y0PRyF98EAOxYtapDIhbckEjgzeqN3tAx9YhSabzOfvNMQ275T3plFSPrNA63rwkDqNlIeX7rvO+U/G9b6nLizzDw==",
        "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a88f21c0bc83149a82584d44893da318.pem",
        "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:topic:f8ae5e61-951c-4362-942c-e8b3a1f76973",
        "MessageAttributes": {
          "color": {
            "Type": "String",
            "Value": "red"
          }
        }
      }
    }
  ]
}"#;
const SES: &str = r#"{
  "Records": [
    {
      "eventSource": "aws:ses",
      "eventVersion": "1.0",
      "ses": {
        "mail": {
          "timestamp": "2023-11-14T22:13:20.123Z",
          "source": "sender@example.com",
          "messageId": "a2d1d9e7u6fxl9q1n8zvhqw2kaojhn47bnxmr4cu",
          "destination": [
            "orders@example.com"
          ],
          "headersTruncated": false,
          "headers": [
            {
              "name": "Return-Path",
              "value": "<sender@example.com>"
            },
            {
              "name": "Received",
              "value": "from mail.example.com (mail.example.com [203.0.113.207]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id a2d1d9e7u6fxl9q1n8zvhqw2kaojhn47bnxmr4cu for orders@example.com; Tue, 14 Nov 2023 22:13:20 +0000 (UTC)"
            },
            {
              "name": "X-SES-Spam-Verdict",
              "value": "PASS"
            },
            {
              "name": "X-SES-Virus-Verdict",
              "value": "PASS"
            },
            {
              "name": "From",
              "value": "sender@example.com"
            },
            {
              "name": "To",
              "value": "orders@example.com"
            },
            {
              "name": "Subject",
              "value": "New order"
            },
            {
              "name": "Date",
              "value": "Tue, 14 Nov 2023 22:13:20 +0000"
            },
            {
              "name": "Message-ID",
              "value": "<b286b15b-d4da-499c-afc2-9d9a27a6ca37@example.com>"
            },
            {
              "name": "MIME-Version",
              "value": "1.0"
            },
            {
              "name": "Content-Type",
              "value": "text/plain; charset=UTF-8"
            }
          ],
          "commonHeaders": {
            "returnPath": "sender@example.com",
            "from": [
              "sender@example.com"
            ],
            "date": "Tue, 14 Nov 2023 22:13:20 +0000",
            "to": [
              "orders@example.com"
            ],
            "messageId": "<b286b15b-d4da-499c-afc2-9d9a27a6ca37@example.com>",
            "subject": "New order"
          }
        },
        "receipt": {
          "timestamp": "2023-11-14T22:13:20.123Z",
          "processingTimeMillis": 418,
          "recipients": [
            "orders@example.com"
          ],
          "spamVerdict": {
            "status": "PASS"
          },
          "virusVerdict": {
            "status": "PASS"
          },
          "spfVerdict": {
            "status": "PASS"
          },
          "dkimVerdict": {
            "status": "PASS"
          },
          "dmarcVerdict": {
            "status": "PASS"
          },
          "action": {
            "type": "Lambda",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:ses-handler",
            "invocationType": "Event"
          }
        }
      }
    }
  ]
}"#;
const SQS: &str = r#"{
  "Records": [
    {
      "messageId": "e32cdbda-78d0-435f-b575-b73d40d7107a",
      "receiptHandle": "AQEBstyH+s/UZ4BEQBxsvd0P2u5JWCLyEY9iO1LuCmrCzSI9mABuX7Xc0eVAPJzvLkLIwcjk4zssc/xJlvdmfSbRjQXkD9dkAH4c7G957aJHlagApzKGuwa0qG7wC+xyKoBD",
      "body": "hello",
      "attributes": {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1700000000123",
        "SenderId": "AIDA4DFGPRIFNPVZCEXTG",
        "ApproximateFirstReceiveTimestamp": "1700000000141"
      },
      "messageAttributes": {},
      "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders",
      "awsRegion": "us-east-1"
    }
  ]
}"#;
const SQS_FIFO: &str = r#"{
  "Records": [
    {
      "messageId": "e32cdbda-78d0-435f-b575-b73d40d7107a",
      "receiptHandle": "AQEBstyH+s/UZ4BEQBxsvd0P2u5JWCLyEY9iO1LuCmrCzSI9mABuX7Xc0eVAPJzvLkLIwcjk4zssc/xJlvdmfSbRjQXkD9dkAH4c7G957aJHlagApzKGuwa0qG7wC+xyKoBD",
      "body": "hello",
      "attributes": {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1700000000123",
        "SequenceNumber": "11700000000123124278",
        "MessageGroupId": "g1",
        "SenderId": "AIDA4DFGPRIFNPVZCEXTG",
        "MessageDeduplicationId": "4c3c6dd504d94f7e723d0be0a8f1cd017a59b0caf6c11ffe0b3b1e4a763e1eda",
        "ApproximateFirstReceiveTimestamp": "1700000000141"
      },
      "messageAttributes": {
        "color": {
          "stringValue": "red",
          "stringListValues": [],
          "binaryListValues": [],
          "dataType": "String"
        },
        "count": {
          "stringValue": "5",
          "stringListValues": [],
          "binaryListValues": [],
          "dataType": "Number"
        },
        "blob": {
          "binaryValue": "AAEC",
          "stringListValues": [],
          "binaryListValues": [],
          "dataType": "Binary"
        }
      },
      "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
      "md5OfMessageAttributes": "748272c40a03ded5455e2ccbe14931e8",
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
      "awsRegion": "us-east-1"
    }
  ]
}"#;
const KINESIS: &str = r#"{
  "Records": [
    {
      "kinesis": {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": "user-3",
        "sequenceNumber": "49132566921156265476260017000000001235037862309325954689",
        "data": "SGVsbG8=",
        "approximateArrivalTimestamp": 1700000000.123
      },
      "eventSource": "aws:kinesis",
      "eventVersion": "1.0",
      "eventID": "shardId-000000000000:49132566921156265476260017000000001235037862309325954689",
      "eventName": "aws:kinesis:record",
      "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
      "awsRegion": "us-east-1",
      "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    }
  ]
}"#;
const DYNAMODB: &str = r#"{
  "Records": [
    {
      "eventID": "2ed2bdc77bfdc82fdb18850b74df8640",
      "eventName": "MODIFY",
      "eventVersion": "1.1",
      "eventSource": "aws:dynamodb",
      "awsRegion": "us-east-1",
      "dynamodb": {
        "ApproximateCreationDateTime": 1700000000,
        "Keys": {
          "id": {
            "N": "7"
          }
        },
        "NewImage": {
          "id": {
            "N": "7"
          },
          "state": {
            "S": "paid"
          },
          "lines": {
            "L": [
              {
                "M": {
                  "sku": {
                    "S": "a"
                  },
                  "qty": {
                    "N": "2"
                  }
                }
              }
            ]
          },
          "gift": {
            "BOOL": false
          },
          "note": {
            "NULL": true
          }
        },
        "OldImage": {
          "id": {
            "N": "7"
          },
          "state": {
            "S": "new"
          }
        },
        "SequenceNumber": "1001700000000123813088",
        "SizeBytes": 188,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
      },
      "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000"
    }
  ]
}"#;
const COGNITO: &str = r#"{
  "version": "1",
  "triggerSource": "PreSignUp_SignUp",
  "region": "us-east-1",
  "userPoolId": "us-east-1_MjtproWFN",
  "userName": "user-3",
  "callerContext": {
    "awsSdkVersion": "aws-sdk-unknown-unknown",
    "clientId": "6kq1ztgaikp405xxj9bq4brvpw"
  },
  "request": {
    "userAttributes": {
      "email": "ana@example.com"
    },
    "validationData": null
  },
  "response": {
    "autoConfirmUser": false,
    "autoVerifyEmail": false,
    "autoVerifyPhone": false
  }
}"#;
const COGNITO_POST_CONFIRMATION_REQUEST: &str = r#"{
  "userAttributes": {
    "sub": "0839ea0e-b86e-405e-8f3e-3df529ef05c5",
    "email": "ana@example.com"
  }
}"#;
const CLOUDFORMATION: &str = r#"{
  "RequestType": "Create",
  "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:custom-resource",
  "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack%2Fstack%2F58c63d79-c069-4618-8737-9a7861a3613e%7CMyCustomResource%7C8d46fd28-60dd-4bca-ab51-cc2be0ce72ca",
  "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/58c63d79-c069-4618-8737-9a7861a3613e",
  "RequestId": "8d46fd28-60dd-4bca-ab51-cc2be0ce72ca",
  "LogicalResourceId": "MyCustomResource",
  "ResourceType": "Custom::Thing",
  "ResourceProperties": {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:custom-resource",
    "Size": 3
  }
}"#;
const CLOUDFORMATION_UPDATE: &str = r#"{
  "RequestType": "Update",
  "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:custom-resource",
  "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack%2Fstack%2F58c63d79-c069-4618-8737-9a7861a3613e%7CMyCustomResource%7C8d46fd28-60dd-4bca-ab51-cc2be0ce72ca",
  "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/58c63d79-c069-4618-8737-9a7861a3613e",
  "RequestId": "8d46fd28-60dd-4bca-ab51-cc2be0ce72ca",
  "LogicalResourceId": "MyCustomResource",
  "PhysicalResourceId": "stack-MyCustomResource-FMJUYSDR7K0K",
  "ResourceType": "Custom::Thing",
  "ResourceProperties": {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:custom-resource",
    "Size": 3
  },
  "OldResourceProperties": {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:custom-resource",
    "Size": 2
  }
}"#;
const CLOUDWATCH_LOGS_DECODED: &str = r#"{
  "messageType": "DATA_MESSAGE",
  "owner": "123456789012",
  "logGroup": "/aws/lambda/echo",
  "logStream": "2023/11/14/[$LATEST]c0654974d1c3da81aeab0efce54f9fea",
  "subscriptionFilters": [
    "lambdasim-filter"
  ],
  "logEvents": [
    {
      "id": "31561817075626056396000017000000001231763086952843264609",
      "timestamp": 1700000000123,
      "message": "first"
    },
    {
      "id": "31561817075626056396000017000000000006494256218932547169",
      "timestamp": 1700000000000,
      "message": "second"
    }
  ]
}"#;
const EVENTBRIDGE: &str = r#"{
  "version": "0",
  "id": "cf64fe6a-d930-4b9d-8eea-0e3726b3a671",
  "detail-type": "OrderPlaced",
  "source": "my.app",
  "account": "123456789012",
  "time": "2023-11-14T22:13:20Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {
    "order": 7
  }
}"#;
const CODECOMMIT: &str = r#"{
  "Records": [
    {
      "awsRegion": "us-east-1",
      "codecommit": {
        "references": [
          {
            "commit": "d46c670a61f4b37da74c45c6e446739c2e4bad30",
            "ref": "refs/heads/main",
            "created": true
          }
        ]
      },
      "eventId": "6d7c0546-fea7-4929-be41-cec29f60e3ed",
      "eventName": "ReferenceChanges",
      "eventPartNumber": 1,
      "eventSource": "aws:codecommit",
      "eventSourceARN": "arn:aws:codecommit:us-east-1:123456789012:shop",
      "eventTime": "2023-11-14T22:13:20.123+0000",
      "eventTotalParts": 1,
      "eventTriggerConfigId": "8a3e5b1c-67cf-46b8-bc3d-1994299bdcb1",
      "eventTriggerName": "lambdasim-trigger",
      "eventVersion": "1.0",
      "userIdentityARN": "arn:aws:iam::123456789012:user/dev"
    }
  ]
}"#;
const CONFIG: &str = r#"{
  "invokingEvent": "{\"configurationItem\":{\"configurationItemCaptureTime\":\"2023-11-14T22:13:20.123Z\",\"awsAccountId\":\"123456789012\",\"configurationItemStatus\":\"OK\",\"resourceId\":\"i-83316b96620820e0e\",\"resourceName\":\"i-83316b96620820e0e\",\"configurationStateMd5Hash\":\"2fe1e386210968181c1af1505bfd31a3\",\"resourceCreationTime\":\"2023-11-14T22:13:20.123Z\",\"configurationStateId\":1700000000123,\"configurationItemVersion\":\"1.3\",\"ARN\":\"arn:aws:ec2:us-east-1:123456789012:instance/i-83316b96620820e0e\",\"awsRegion\":\"us-east-1\",\"availabilityZone\":\"us-east-1a\",\"resourceType\":\"AWS::EC2::Instance\",\"tags\":{},\"relationships\":[],\"configuration\":{\"instanceType\":\"t3.micro\"}},\"notificationCreationTime\":\"2023-11-14T22:13:20.123Z\",\"messageType\":\"ConfigurationItemChangeNotification\",\"recordVersion\":\"1.3\"}",
  "ruleParameters": "{\"maxAge\":\"30\"}",
  "resultToken": "RTqaN5kEUZgGBDrkw0F0KBZqh2uDm5q9XWZQAKRFq6XsKkHjx52+nnajFFpHolL+",
  "eventLeftScope": false,
  "executionRoleArn": "arn:aws:iam::123456789012:role/config-role",
  "configRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-bv1bac",
  "configRuleName": "lambdasim-rule",
  "configRuleId": "config-rule-bv1bac",
  "accountId": "123456789012",
  "version": "1.0"
}"#;
const ALEXA: &str = r#"{
  "directive": {
    "header": {
      "namespace": "Alexa.PowerController",
      "name": "TurnOn",
      "messageId": "cc214403-730e-463e-9851-175da60c2d47",
      "correlationToken": "w180TqlDXaqJGiJOK5hydjwgdm7Bc5X4XNY1yUOAifJTK0rJ+FPy+W48nW10TePK",
      "payloadVersion": "3"
    },
    "endpoint": {
      "scope": {
        "type": "BearerToken",
        "token": "Atza|AoqksD6bvfwZwdwcQwWkAKOLdrBZ-XpjrNv0Pi3FaHjCVE-H1WSSiRjLqvoiXwId"
      },
      "endpointId": "lamp-1",
      "cookie": {}
    },
    "payload": {}
  }
}"#;
const LEX: &str = r#"{
  "messageVersion": "1.0",
  "invocationSource": "FulfillmentCodeHook",
  "inputMode": "Text",
  "responseContentType": "text/plain; charset=utf-8",
  "sessionId": "259332645923027",
  "inputTranscript": "",
  "bot": {
    "id": "OJ2YQ0YO6L",
    "name": "LambdasimBot",
    "localeId": "en_US",
    "version": "DRAFT",
    "aliasId": "TSTALIASID",
    "aliasName": "TestBotAlias"
  },
  "interpretations": [
    {
      "intent": {
        "name": "OrderFlowers",
        "slots": {
          "FlowerType": {
            "shape": "Scalar",
            "value": {
              "originalValue": "roses",
              "interpretedValue": "roses",
              "resolvedValues": [
                "roses"
              ]
            }
          }
        },
        "state": "ReadyForFulfillment",
        "confirmationState": "None"
      },
      "nluConfidence": 1.0,
      "interpretationSource": "Lex"
    }
  ],
  "sessionState": {
    "sessionAttributes": {},
    "activeContexts": [],
    "intent": {
      "name": "OrderFlowers",
      "slots": {
        "FlowerType": {
          "shape": "Scalar",
          "value": {
            "originalValue": "roses",
            "interpretedValue": "roses",
            "resolvedValues": [
              "roses"
            ]
          }
        }
      },
      "state": "ReadyForFulfillment",
      "confirmationState": "None"
    },
    "originatingRequestId": "5ce62ab6-4724-4d27-a23c-829f7f119459"
  },
  "transcriptions": [
    {
      "transcription": "",
      "transcriptionConfidence": 1.0,
      "resolvedContext": {
        "intent": "OrderFlowers"
      },
      "resolvedSlots": {
        "FlowerType": {
          "shape": "Scalar",
          "value": {
            "originalValue": "roses",
            "resolvedValues": [
              "roses"
            ]
          }
        }
      }
    }
  ]
}"#;
const APIGW_REST: &str = r#"{
  "resource": "/orders/{id}",
  "path": "/orders/3",
  "httpMethod": "POST",
  "headers": {
    "Accept": "*/*",
    "Content-Type": "application/json",
    "Host": "6lwwa7b9y6.execute-api.us-east-1.amazonaws.com",
    "User-Agent": "lambdasim/1.0",
    "X-Amzn-Trace-Id": "Root=1-6553f100-4727e84d75d1ed0771f0576b",
    "X-Forwarded-For": "203.0.113.192",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https"
  },
  "multiValueHeaders": {
    "Accept": [
      "*/*"
    ],
    "Content-Type": [
      "application/json"
    ],
    "Host": [
      "6lwwa7b9y6.execute-api.us-east-1.amazonaws.com"
    ],
    "User-Agent": [
      "lambdasim/1.0"
    ],
    "X-Amzn-Trace-Id": [
      "Root=1-6553f100-4727e84d75d1ed0771f0576b"
    ],
    "X-Forwarded-For": [
      "203.0.113.192"
    ],
    "X-Forwarded-Port": [
      "443"
    ],
    "X-Forwarded-Proto": [
      "https"
    ]
  },
  "queryStringParameters": {
    "x": "2"
  },
  "multiValueQueryStringParameters": {
    "x": [
      "1",
      "2"
    ]
  },
  "pathParameters": {
    "id": "3"
  },
  "stageVariables": null,
  "requestContext": {
    "resourceId": "usc8vx",
    "resourcePath": "/orders/{id}",
    "httpMethod": "POST",
    "extendedRequestId": "_mnFak7xJwuQhDM=",
    "requestTime": "14/Nov/2023:22:13:20 +0000",
    "path": "/prod/orders/3",
    "accountId": "123456789012",
    "protocol": "HTTP/1.1",
    "stage": "prod",
    "domainPrefix": "6lwwa7b9y6",
    "requestTimeEpoch": 1700000000123,
    "requestId": "31c022fb-c833-4c2e-95f7-3c17e1f883d0",
    "identity": {
      "cognitoIdentityPoolId": null,
      "accountId": null,
      "cognitoIdentityId": null,
      "caller": null,
      "sourceIp": "203.0.113.192",
      "principalOrgId": null,
      "accessKey": null,
      "cognitoAuthenticationType": null,
      "cognitoAuthenticationProvider": null,
      "userArn": null,
      "userAgent": "lambdasim/1.0",
      "user": null
    },
    "domainName": "6lwwa7b9y6.execute-api.us-east-1.amazonaws.com",
    "apiId": "6lwwa7b9y6"
  },
  "body": "{\"item\":\"book\"}",
  "isBase64Encoded": false
}"#;
const APIGW_HTTP: &str = r#"{
  "version": "2.0",
  "routeKey": "POST /orders",
  "rawPath": "/orders",
  "rawQueryString": "tag=a%20b&tag=c",
  "headers": {
    "accept": "*/*",
    "content-length": "15",
    "content-type": "application/json",
    "host": "po5b62ud1a.execute-api.us-east-1.amazonaws.com",
    "user-agent": "lambdasim/1.0",
    "x-amzn-trace-id": "Root=1-6553f100-4727e84d75d1ed0771f0576b",
    "x-forwarded-for": "203.0.113.192",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
    "x-tenant": "t1"
  },
  "queryStringParameters": {
    "tag": "a b,c"
  },
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "po5b62ud1a",
    "domainName": "po5b62ud1a.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "po5b62ud1a",
    "http": {
      "method": "POST",
      "path": "/orders",
      "protocol": "HTTP/1.1",
      "sourceIp": "203.0.113.192",
      "userAgent": "lambdasim/1.0"
    },
    "requestId": "btt--9j0OfkdfZM=",
    "routeKey": "POST /orders",
    "stage": "$default",
    "time": "14/Nov/2023:22:13:20 +0000",
    "timeEpoch": 1700000000123
  },
  "body": "{\"item\":\"book\"}",
  "isBase64Encoded": false
}"#;
const ALB: &str = r#"{
  "requestContext": {
    "elb": {
      "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambdasim-tg/8370ec1506b08e73"
    }
  },
  "httpMethod": "GET",
  "path": "/lambda",
  "queryStringParameters": {
    "query": "1234ABCD"
  },
  "headers": {
    "accept": "*/*",
    "host": "lambdasim-alb-159210529.us-east-1.elb.amazonaws.com",
    "user-agent": "lambdasim/1.0",
    "x-amzn-trace-id": "Root=1-6553f100-4727e84d75d1ed0771f0576b",
    "x-forwarded-for": "203.0.113.192",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https"
  },
  "body": "",
  "isBase64Encoded": false
}"#;
const CLOUDFRONT: &str = r#"{
  "Records": [
    {
      "cf": {
        "config": {
          "distributionDomainName": "dv19hn43mjo96y.cloudfront.net",
          "distributionId": "ETGKZF50JO4YEH",
          "eventType": "viewer-request",
          "requestId": "bF3V7QCqzePt9zpWSXfWPAR72qeKAbGvgXOGdA-wKCLeu5E-q-gsTQ=="
        },
        "request": {
          "clientIp": "203.0.113.195",
          "headers": {
            "host": [
              {
                "key": "Host",
                "value": "dv19hn43mjo96y.cloudfront.net"
              }
            ],
            "user-agent": [
              {
                "key": "User-Agent",
                "value": "lambdasim/1.0"
              }
            ]
          },
          "method": "GET",
          "querystring": "size=large",
          "uri": "/picture.jpg"
        }
      }
    }
  ]
}"#;
const FIREHOSE: &str = r#"{
  "invocationId": "8a2d4db1-84e8-41a8-90e6-d18effcde3b0",
  "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/clicks",
  "region": "us-east-1",
  "records": [
    {
      "recordId": "49164295090959151766150017000000001235037862309325954689000000",
      "approximateArrivalTimestamp": 1700000000123,
      "data": "SGVsbG8gV29ybGQ="
    },
    {
      "recordId": "49164295090959151766150017000000001235037862309325954689000001",
      "approximateArrivalTimestamp": 1700000000123,
      "data": "eyJhIjoxfQ=="
    }
  ]
}"#;
