//! Event shapes: every event lambdasim builds has the shape of AWS's published sample event of its source
//! (`docs/conformance.md`, ids EVT-*).
//!
//! The samples are under `tests/conformance/samples/` (origin, commit and licence in its README): `aws-lambda-go`'s
//! `events/testdata`, SAM CLI's `generate-event` templates and the Lambda developer guide's sample events. Values
//! differ between a sample and a simulated event; the *shape* must not: [`same_shape`] requires the same key set at
//! every object level, the same JSON type for every value, and, where the sample's string has a recognisable format
//! (ISO-8601 time with or without milliseconds, epoch milliseconds as a string, a UUID, an MD5, an ARN of a service,
//! the Apache log time of API Gateway), the same format. Objects holding user data (headers, attributes, images) are
//! maps: their keys are free, their values are compared with the sample's value of the same key, else by JSON type.
//!
//! A test names each intentional difference from its sample with the reason (a newer AWS source, or an optional key
//! that AWS sends only in a configuration the scenario does not have); every other difference fails the test.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::Read as _;

use super::shape::same_shape;
use crate::common::Rec;
use lambdasim::aws::events::{build_event, EventCtx, SourceKind};
use lambdasim::{load_str, run, RunOptions};

// ---------------------------------------------------------------------------------------------------------------------
// samples and simulated events

/// A stored sample; SAM CLI's templates have their `{{{placeholders}}}` filled.
pub(super) fn sample(path: &str) -> Value {
    let file = format!("{}/tests/conformance/samples/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let text = text
        .replace("{{{partition}}}", "aws")
        .replace("{{{region}}}", "us-east-1")
        .replace("{{{account_id}}}", "123456789012")
        .replace("{{{accountId}}}", "123456789012")
        .replace("{{{dns_suffix}}}", "us-east-1.amazonaws.com");
    let mut filled = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("{{{") {
        let j = rest[i..].find("}}}").map(|j| i + j + 3).expect("closed placeholder");
        filled.push_str(&rest[..i]);
        filled.push_str("example");
        rest = &rest[j..];
    }
    filled.push_str(rest);
    serde_json::from_str(&filled).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The event lambdasim builds for `kind` with `options` and `payload`.
pub(super) fn simulated(kind: SourceKind, options: Value, payload: Value) -> Value {
    let ctx = EventCtx {
        region: "us-east-1",
        account_id: "123456789012",
        epoch_ms: 1_700_000_000_123,
        key: 7,
        n: 0,
        options: &options,
        payload: &payload,
    };
    build_event(kind, &ctx)
}

/// The first event the function `f` of the scenario receives.
fn first_input(sc: Value) -> Value {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    rec.inputs.first().expect("one invocation").1.clone()
}

fn record0(v: &Value) -> Value {
    json!({ "Records": [v["Records"][0].clone()] })
}

/// Intentional differences from a sample: (path, reason).
type Known<'a> = &'a [(&'a str, &'a str)];

const HTTP_MAPS: &[&str] =
    &["headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"];

// ---------------------------------------------------------------------------------------------------------------------
// messaging

/// EVT-SQS: an SQS message, built directly and by the mapping's poller, has the shape of the developer guide's
/// sample (`sqs-record.json`, no message attributes: no `md5OfMessageAttributes`) and, with attributes, of
/// aws-lambda-go's `sqs-event.json`.
#[test]
fn sqs_messages_have_the_shape_of_aws_samples() {
    let plain = sample("lambda-developer-guide/sqs-record.json");
    same_shape(
        "SQS (direct)",
        &plain,
        &simulated(SourceKind::Sqs, json!({}), json!("Hello from SQS!")),
        &["Records.*.messageAttributes"],
        &[],
    );
    let polled = first_input(json!({
        "Functions": [{ "FunctionName": "f" }],
        "Queues": [{ "QueueName": "q" }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q", "At": [1], "Payload": "Hello from SQS!" }],
    }));
    same_shape("SQS (poller)", &plain, &polled, &["Records.*.messageAttributes"], &[]);

    let attrs = json!({
        "Attribute1": { "DataType": "String", "StringValue": "AttributeValue1" },
        "Attribute2": { "DataType": "Number", "StringValue": "123" },
        "Attribute3": { "DataType": "Binary", "BinaryValue": "MTEwMA==" },
    });
    let with = sample("aws-lambda-go/sqs-event.json");
    let sim = simulated(SourceKind::Sqs, json!({ "MessageAttributes": attrs }), json!("Message Body"));
    same_shape("SQS with attributes (direct)", &with, &sim, &["Records.*.messageAttributes"], &[]);
    let polled = first_input(json!({
        "Functions": [{ "FunctionName": "f" }],
        "Queues": [{ "QueueName": "q" }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q", "At": [1], "Payload": "Message Body", "MessageAttributes": attrs }],
    }));
    same_shape("SQS with attributes (poller)", &with, &polled, &["Records.*.messageAttributes"], &[]);
}

/// EVT-SQS-FIFO: a FIFO queue's message, built directly and by the poller, has the keys of the Lambda developer
/// guide's "Example FIFO queue message event" (with-sqs.html): `attributes` add `SequenceNumber` (20 digits),
/// `MessageGroupId` and `MessageDeduplicationId`. The guide's page is not in a repository to copy, so its keys are
/// written out here (values ours).
#[test]
fn fifo_messages_have_the_keys_of_the_developer_guides_example() {
    let skeleton = json!({ "Records": [{
        "messageId": "11d6ee51-4cc7-4302-9e22-7cd8afdaadf5",
        "receiptHandle": "AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw...",
        "body": "Test message.",
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1573251510774",
            "SequenceNumber": "18849496460467696128",
            "MessageGroupId": "1",
            "SenderId": "AIDAIO23YVJENQZJOL4VO",
            "MessageDeduplicationId": "1",
            "ApproximateFirstReceiveTimestamp": "1573251510774",
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:fifo.fifo",
        "awsRegion": "us-east-2",
    }]});
    let direct = simulated(SourceKind::Sqs, json!({ "QueueName": "q.fifo", "MessageGroupId": "1" }), json!("Test message."));
    same_shape("SQS FIFO (direct)", &skeleton, &direct, &[], &[]);
    let polled = first_input(json!({
        "Functions": [{ "FunctionName": "f" }],
        "Queues": [{ "QueueName": "q.fifo", "ContentBasedDeduplication": true }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q.fifo", "FunctionName": "f", "BatchSize": 1 }],
        "Workload": [{ "Queue": "q.fifo", "MessageGroupId": "1", "At": [1], "Payload": "Test message." }],
    }));
    same_shape("SQS FIFO (poller)", &skeleton, &polled, &[], &[]);
    for e in [&direct, &polled] {
        let seq = e["Records"][0]["attributes"]["SequenceNumber"].as_str().expect("SequenceNumber");
        assert!(seq.len() == 20 && seq.bytes().all(|b| b.is_ascii_digit()), "{seq}");
    }
}

/// EVT-SNS: aws-lambda-go's `sns-event.json` (the SAM CLI template has the same keys).
#[test]
fn sns_notifications_have_the_shape_of_aws_samples() {
    let attrs =
        json!({ "Test": { "Type": "String", "Value": "TestString" }, "TestBinary": { "Type": "Binary", "Value": "VGVzdEJpbmFyeQ==" } });
    let sim = simulated(SourceKind::Sns, json!({ "Subject": "TestInvoke", "MessageAttributes": attrs }), json!("Hello from SNS!"));
    for s in ["aws-lambda-go/sns-event.json", "sam-cli/Sns.json"] {
        same_shape(s, &sample(s), &sim, &["Records.*.Sns.MessageAttributes"], &[]);
    }
    // Without a subject SNS sends `"Subject": null` (the key stays).
    let plain = simulated(SourceKind::Sns, json!({}), json!("m"));
    assert!(plain["Records"][0]["Sns"]["Subject"].is_null());
}

/// EVT-SNS-SQS: what SNS writes to a subscribed SQS queue (without raw message delivery), as the function of a mapping on
/// that queue reads it in `body`: the SNS developer guide's document (sns-sqs-as-subscriber.html), with
/// `SigningCertURL` and `UnsubscribeURL` (not Lambda's `...Url`); no `Subject` without a subject, and
/// `MessageAttributes` only with attributes.
#[test]
fn sns_messages_in_a_subscribed_queue_have_the_shape_of_aws_samples() {
    let body = |workload: Value| -> Value {
        let sc = json!({
            "Functions": [{ "FunctionName": "f" }],
            "Queues": [{ "QueueName": "copy" }],
            "Topics": [{ "TopicName": "t", "Subscriptions": [{ "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:123456789012:copy" }] }],
            "EventSourceMappings": [{ "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:copy", "FunctionName": "f", "BatchSize": 1 }],
            "Workload": [workload],
        });
        let body = first_input(sc)["Records"][0]["body"].as_str().expect("body").to_string();
        serde_json::from_str(&body).expect("the body is the SNS JSON document")
    };
    let s = sample("sns-developer-guide/sqs-notification.json");
    let with_subject = body(json!({ "Topic": "t", "At": [1], "Subject": "Testing", "Payload": "Hello world!" }));
    same_shape("SNS to SQS", &s, &with_subject, &[], &[]);
    let plain = body(json!({ "Topic": "t", "At": [1], "Payload": "Hello world!" }));
    same_shape("SNS to SQS without a subject", &s, &plain, &[], &[("Subject", "not included if no subject was provided")]);
    let with_attributes =
        body(json!({ "Topic": "t", "At": [1], "Payload": "m", "Subject": "s", "MessageAttributes": { "kind": "order" } }));
    assert_eq!(with_attributes["MessageAttributes"], json!({ "kind": { "Type": "String", "Value": "order" } }));
}

/// EVT-S3: aws-lambda-go's `s3-event.json` (a versioned bucket: `versionId`) and SAM CLI's `S3Put.json` (not
/// versioned). Both samples say `eventVersion` "2.0"; the S3 user guide's current event structure
/// (notification-content-structure.html) says 2.1 for these events, and lambdasim follows it.
#[test]
fn s3_notifications_have_the_shape_of_aws_samples() {
    let versioned = simulated(SourceKind::S3, json!({ "Bucket": "sourcebucket", "Key": "Happy Face.jpg", "VersionId": "v1" }), Value::Null);
    same_shape("aws-lambda-go/s3-event.json", &sample("aws-lambda-go/s3-event.json"), &versioned, &[], &[]);
    let plain = simulated(SourceKind::S3, json!({ "Bucket": "b", "Key": "k" }), Value::Null);
    same_shape("sam-cli/S3Put.json", &sample("sam-cli/S3Put.json"), &plain, &[], &[]);
    assert_eq!(versioned["Records"][0]["s3"]["object"]["key"], "Happy+Face.jpg");
    // A deletion has no size and no eTag (SAM CLI's S3Delete.json).
    let deleted = simulated(SourceKind::S3, json!({ "Bucket": "b", "Key": "k", "EventName": "ObjectRemoved:Delete" }), Value::Null);
    same_shape("sam-cli/S3Delete.json", &sample("sam-cli/S3Delete.json"), &deleted, &[], &[]);
    assert_eq!(versioned["Records"][0]["eventVersion"], "2.1");
}

/// EVT-SES: aws-lambda-go's `ses-lambda-event.json`. SES's message ids are 40 lowercase letters and digits as in
/// the sample (and in the Received header's SMTP id).
#[test]
fn ses_receipts_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::Ses, json!({ "Subject": "Test Subject" }), Value::Null);
    same_shape(
        "aws-lambda-go/ses-lambda-event.json",
        &sample("aws-lambda-go/ses-lambda-event.json"),
        &sim,
        &[],
        &[(
            "Records.*.ses.receipt.dmarcPolicy",
            "SES developer guide, receiving-email-action-lambda-event: dmarcPolicy \"only appears if the message fails DMARC authentication\"; the sample's passed",
        )],
    );
    let id = sim["Records"][0]["ses"]["mail"]["messageId"].as_str().expect("messageId");
    assert_eq!(id.len(), 40, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{id}");
}

// ---------------------------------------------------------------------------------------------------------------------
// EventBridge, HTTP

/// EVT-EB: aws-lambda-go's `ecr-image-push-event.json`, an event delivered by EventBridge. SAM CLI's
/// `ScheduledEvent.json` omits `version`, which every event in the EventBridge user guide's "Event structure" has
/// ("0"); lambdasim follows the user guide.
#[test]
fn eventbridge_events_have_the_shape_of_aws_samples() {
    let sim = simulated(
        SourceKind::EventBridge,
        json!({ "Source": "aws.ecr", "DetailType": "ECR Image Action" }),
        json!({ "result": "SUCCESS" }),
    );
    same_shape("aws-lambda-go/ecr-image-push-event.json", &sample("aws-lambda-go/ecr-image-push-event.json"), &sim, &["detail"], &[]);
    let scheduled = simulated(
        SourceKind::EventBridge,
        json!({ "Source": "aws.events", "DetailType": "Scheduled Event", "Resources": ["arn:aws:events:us-east-1:123456789012:rule/r"] }),
        json!({}),
    );
    same_shape(
        "sam-cli/ScheduledEvent.json",
        &sample("sam-cli/ScheduledEvent.json"),
        &scheduled,
        &["detail"],
        &[("version", "EventBridge user guide, \"Event structure\": version is in every event")],
    );
}

/// EVT-APIGW-REST: the developer guide's REST API proxy event (`sample-apps/nodejs-apig/event.json`, a GET without
/// a body: `"body": null`).
#[test]
fn rest_api_events_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::ApiGatewayRest, json!({ "Method": "GET", "Path": "/" }), Value::Null);
    same_shape("lambda-developer-guide/apigateway-rest.json", &sample("lambda-developer-guide/apigateway-rest.json"), &sim, HTTP_MAPS, &[]);
    assert!(sim["body"].is_null());
}

/// EVT-APIGW-REST: a POST with a query string, path parameters and stage variables, against aws-lambda-go's
/// `apigw-request.json` (all maps set). That sample is older than the developer guide's: it has no `isBase64Encoded`
/// and no `identity.principalOrgId`, which the guide's sample has and lambdasim follows; its `authorizer`,
/// `identity.apiKey`, `identity.apiKeyId` and `identity.clientCert` come with an authorizer, API keys and mutual TLS,
/// which lambdasim does not model.
#[test]
fn rest_api_requests_with_parameters_have_the_shape_of_aws_samples() {
    let sim = simulated(
        SourceKind::ApiGatewayRest,
        json!({ "Method": "POST", "Path": "/hello/world?name=me", "Resource": "/{proxy+}", "PathParameters": { "proxy": "hello/world" },
                "StageVariables": { "stageVariableName": "stageVariableValue" } }),
        json!({ "a": 1 }),
    );
    same_shape(
        "aws-lambda-go/apigw-request.json",
        &sample("aws-lambda-go/apigw-request.json"),
        &sim,
        HTTP_MAPS,
        &[
            ("isBase64Encoded", "in the developer guide's newer sample"),
            ("requestContext.identity.principalOrgId", "in the developer guide's newer sample"),
            ("requestContext.authorizer", "only with an authorizer"),
            ("requestContext.identity.apiKey", "only with API keys"),
            ("requestContext.identity.apiKeyId", "only with API keys"),
            ("requestContext.identity.clientCert", "only with mutual TLS"),
            ("requestContext.identity.cognitoIdentityPoolId", "null without Cognito identity (the sample shows it set)"),
            ("requestContext.identity.accountId", "null without IAM authorization (the sample shows it set)"),
            ("requestContext.identity.cognitoIdentityId", "null without Cognito identity"),
            ("requestContext.identity.caller", "null without IAM authorization"),
            ("requestContext.identity.accessKey", "null without IAM authorization"),
            ("requestContext.identity.cognitoAuthenticationType", "null without Cognito identity"),
            ("requestContext.identity.cognitoAuthenticationProvider", "null without Cognito identity"),
            ("requestContext.identity.userArn", "null without IAM authorization"),
            ("requestContext.identity.user", "null without IAM authorization"),
        ],
    );
    assert_eq!(sim["multiValueQueryStringParameters"], json!({ "name": ["me"] }));
}

/// EVT-APIGW-HTTP: the developer guide's HTTP API payload 2.0 (`event-v2.json`, a GET with cookies, no body) and
/// aws-lambda-go's `apigw-v2-request-no-authorizer.json` (without cookies).
#[test]
fn http_api_events_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::ApiGatewayHttp, json!({ "Method": "GET", "Path": "/", "Cookies": ["a=1", "b=2"] }), Value::Null);
    same_shape("lambda-developer-guide/apigateway-http.json", &sample("lambda-developer-guide/apigateway-http.json"), &sim, HTTP_MAPS, &[]);
    let plain = simulated(SourceKind::ApiGatewayHttp, json!({ "Method": "GET", "Path": "/" }), Value::Null);
    same_shape(
        "aws-lambda-go/apigw-v2-request-no-authorizer.json",
        &sample("aws-lambda-go/apigw-v2-request-no-authorizer.json"),
        &plain,
        HTTP_MAPS,
        &[("requestContext.authentication", "sent only with mutual TLS (a client certificate), which lambdasim does not model")],
    );
}

/// EVT-ALB: aws-lambda-go's ALB target requests, without and with multi-value headers.
#[test]
fn alb_requests_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::Alb, json!({ "Method": "GET", "Path": "/", "Query": { "key": "hello" } }), Value::Null);
    same_shape("alb headers only", &sample("aws-lambda-go/alb-lambda-target-request-headers-only.json"), &sim, HTTP_MAPS, &[]);
    assert_eq!(sim["body"], "", "ALB sends an empty string for no body");
    let multi = simulated(
        SourceKind::Alb,
        json!({ "Method": "GET", "Path": "/", "Query": { "key": "hello" }, "MultiValueHeaders": true }),
        Value::Null,
    );
    same_shape("alb multi-value", &sample("aws-lambda-go/alb-lambda-target-request-multivalue-headers.json"), &multi, HTTP_MAPS, &[]);
}

/// EVT-CF: the developer guide's Lambda@Edge viewer request (`java-events/events/cloudfront.json`, no body: CloudFront
/// sends the body only when the association has "include body").
#[test]
fn cloudfront_requests_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::CloudFrontEdge, json!({}), Value::Null);
    same_shape(
        "lambda-developer-guide/cloudfront.json",
        &sample("lambda-developer-guide/cloudfront.json"),
        &sim,
        &["Records.*.cf.request.headers"],
        &[],
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// streams

/// EVT-KIN: aws-lambda-go's `kinesis-event.json`, built directly and by the mapping's poller.
#[test]
fn kinesis_records_have_the_shape_of_aws_samples() {
    let s = record0(&sample("aws-lambda-go/kinesis-event.json"));
    same_shape("Kinesis (direct)", &s, &simulated(SourceKind::Kinesis, json!({}), json!("Hello World")), &[], &[]);
    let polled = first_input(json!({
        "Functions": [{ "FunctionName": "f" }],
        "KinesisStreams": [{ "Name": "s", "ShardCount": 1 }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "FunctionName": "f",
                                  "StartingPosition": "TRIM_HORIZON", "BatchSize": 1 }],
        "Workload": [{ "Stream": "s", "At": [1], "PartitionKey": "s1", "Payload": "Hello World" }],
    }));
    same_shape("Kinesis (poller)", &s, &record0(&polled), &[], &[]);
}

/// EVT-DDB: aws-lambda-go's `dynamodb-event.json` (its second record; the first carries `userIdentity`, which DynamoDB
/// sends only for deletions by TTL) and the developer guide's `dynamodb-record.json` MODIFY, built directly and by the
/// mapping's poller.
#[test]
fn dynamodb_records_have_the_shape_of_aws_samples() {
    let go = sample("aws-lambda-go/dynamodb-event.json");
    let s = json!({ "Records": [go["Records"][1].clone()] });
    let images = ["Records.*.dynamodb.Keys", "Records.*.dynamodb.NewImage", "Records.*.dynamodb.OldImage"];
    same_shape("DynamoDB (direct)", &s, &simulated(SourceKind::DynamoDb, json!({}), json!({ "val": "data" })), &images, &[]);
    let polled = first_input(json!({
        "Functions": [{ "FunctionName": "f" }],
        "Tables": [{ "TableName": "tbl", "StreamSpecification": { "StreamViewType": "NEW_AND_OLD_IMAGES" },
                     "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }] }],
        "EventSourceMappings": [{ "EventSourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/tbl/stream/2024-01-01T00:00:00.000",
                                  "FunctionName": "f", "StartingPosition": "TRIM_HORIZON", "BatchSize": 1 }],
        "Workload": [{ "Stream": "tbl", "At": [1], "Payload": { "id": "a", "val": "data" } }],
    }));
    same_shape("DynamoDB (poller)", &s, &record0(&polled), &images, &[]);
    // The developer guide's MODIFY carries OldImage; its ids are placeholders ("1", "111"), so only keys and types count.
    let guide = sample("lambda-developer-guide/dynamodb-record.json");
    let modify = json!({ "Records": [guide["Records"][1].clone()] });
    let sim = simulated(
        SourceKind::DynamoDb,
        json!({ "EventName": "MODIFY", "OldImage": { "id": "a", "val": "old" } }),
        json!({ "id": "a", "val": "new" }),
    );
    same_shape(
        "DynamoDB MODIFY",
        &modify,
        &sim,
        &images,
        &[(
            "Records.*.dynamodb.ApproximateCreationDateTime",
            "absent only from this older sample; aws-lambda-go's sample and the DynamoDB Streams API (StreamRecord) have it",
        )],
    );
}

/// EVT-CWL: aws-lambda-go's `cloudwatch-logs-event.json`: `awslogs.data` is base64 of gzip of a JSON document; the
/// decoded documents have the same shape too.
#[test]
fn cloudwatch_logs_deliveries_have_the_shape_of_aws_samples() {
    let s = sample("aws-lambda-go/cloudwatch-logs-event.json");
    let sim = simulated(SourceKind::CloudWatchLogs, json!({ "LogGroup": "testLogGroup" }), json!(["[ERROR] First test message"]));
    same_shape("CloudWatch Logs", &s, &sim, &[], &[]);
    let decode = |v: &Value| -> Value {
        let gz = B64.decode(v["awslogs"]["data"].as_str().expect("data")).expect("base64");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).expect("gzip");
        serde_json::from_str(&text).expect("json")
    };
    same_shape("CloudWatch Logs (decoded)", &decode(&s), &decode(&sim), &[], &[]);
}

/// EVT-FH: SAM CLI's `KinesisFirehose.json` (Direct PUT) and aws-lambda-go's `kinesis-firehose-event.json` (a Kinesis
/// stream as the source: `sourceKinesisStreamArn` and each record's `kinesisRecordMetadata`).
#[test]
fn firehose_batches_have_the_shape_of_aws_samples() {
    let direct = simulated(SourceKind::Firehose, json!({}), json!("Hello World"));
    same_shape(
        "sam-cli/KinesisFirehose.json",
        &sample("sam-cli/KinesisFirehose.json"),
        &direct,
        &[],
        &[(
            "deliveryStreamArn",
            "the sample's placeholder is a Kinesis ARN; a delivery stream's ARN is arn:aws:firehose:...:deliverystream/NAME (Lambda developer guide, services-kinesisfirehose.html)",
        )],
    );
    let from_stream = simulated(
        SourceKind::Firehose,
        json!({ "SourceKinesisStreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/test" }),
        json!("Hello World"),
    );
    same_shape("aws-lambda-go/kinesis-firehose-event.json", &sample("aws-lambda-go/kinesis-firehose-event.json"), &from_stream, &[], &[]);
}

// ---------------------------------------------------------------------------------------------------------------------
// applications

/// EVT-COGNITO: aws-lambda-go's `cognito-event-userpools-presignup.json`.
#[test]
fn cognito_triggers_have_the_shape_of_aws_samples() {
    let sim = simulated(
        SourceKind::Cognito,
        json!({ "TriggerSource": "PreSignUp_SignUp" }),
        json!({ "email": "a@example.com", "phone_number": "+1" }),
    );
    same_shape(
        "aws-lambda-go/cognito-event-userpools-presignup.json",
        &sample("aws-lambda-go/cognito-event-userpools-presignup.json"),
        &sim,
        &["request.userAttributes", "request.validationData", "request.clientMetadata"],
        &[
            (
                "request.validationData",
                "null unless the client sends ValidationData (Cognito developer guide, pre sign-up trigger parameters)",
            ),
            ("request.clientMetadata", "sent only when the client passes ClientMetadata"),
        ],
    );
}

/// EVT-COGNITO: the other user pool triggers, each against aws-lambda-go's sample of it. `clientMetadata` is sent
/// only when the client passes ClientMetadata, and `validationData` is null unless the client sends ValidationData
/// (Cognito developer guide, "Customizing user pool workflows with Lambda triggers"); the response's fields are null
/// until the function sets them (the samples show them set).
#[test]
fn every_cognito_trigger_has_the_shape_of_its_aws_sample() {
    let optional = ("request.clientMetadata", "sent only when the client passes ClientMetadata");
    let validation = ("request.validationData", "null unless the client sends ValidationData");
    let cases: &[(&str, &str, Known)] = &[
        // This sample's attributes are JSON booleans; Cognito sends every attribute as a string (as in the other samples).
        (
            "CustomMessage_SignUp",
            "custommessage",
            &[
                optional,
                ("request.userAttributes.sub", "strings, not the sample's booleans"),
                ("request.userAttributes.email", "strings, not the sample's booleans"),
                (
                    "request.usernameParameter",
                    "null except for AdminCreateUser invitations (Cognito developer guide, custom message trigger)",
                ),
                ("response.smsMessage", "null until the function sets it"),
                ("response.emailMessage", "null until the function sets it"),
                ("response.emailSubject", "null until the function sets it"),
            ],
        ),
        ("PostConfirmation_ConfirmSignUp", "postconfirmation", &[optional]),
        // userNotFound is sent when the app client has PreventUserExistenceErrors ENABLED (Cognito developer guide,
        // pre authentication trigger), the default of new app clients; the sample predates it.
        (
            "PreAuthentication_Authentication",
            "preauthentication",
            &[validation, ("request.userNotFound", "PreventUserExistenceErrors ENABLED")],
        ),
        ("PostAuthentication_Authentication", "postauthentication", &[optional]),
        (
            "DefineAuthChallenge_Authentication",
            "define-auth-challenge",
            &[
                optional,
                ("response.challengeName", "null until the function sets it"),
                ("response.issueTokens", "null until the function sets it"),
                ("response.failAuthentication", "null until the function sets it"),
            ],
        ),
        (
            "CreateAuthChallenge_Authentication",
            "create-auth-challenge",
            &[
                optional,
                ("response.publicChallengeParameters", "null until the function sets it"),
                ("response.privateChallengeParameters", "null until the function sets it"),
                ("response.challengeMetadata", "null until the function sets it"),
            ],
        ),
        (
            "VerifyAuthChallengeResponse_Authentication",
            "verify-auth-challenge",
            &[optional, ("response.answerCorrect", "null until the function sets it")],
        ),
        (
            "UserMigration_Authentication",
            "migrateuser",
            &[
                optional,
                validation,
                ("response.userAttributes", "null until the function sets it"),
                ("response.finalUserStatus", "null until the function sets it"),
                ("response.messageAction", "null until the function sets it"),
                ("response.desiredDeliveryMediums", "null until the function sets it"),
                ("response.forceAliasCreation", "null until the function sets it"),
            ],
        ),
        (
            "TokenGeneration_Authentication",
            "pretokengen",
            &[
                optional,
                (
                    "request.groupConfiguration.preferredRole",
                    "null for a user in no group with a role (as in aws-lambda-go's pretokengen-v2_0 sample)",
                ),
                ("response.claimsOverrideDetails", "null until the function sets it"),
            ],
        ),
    ];
    let maps = ["request.userAttributes", "request.validationData", "request.clientMetadata", "request.privateChallengeParameters"];
    for (trigger, file, known) in cases {
        let sim = simulated(SourceKind::Cognito, json!({ "TriggerSource": trigger }), json!({ "email": "a@example.com" }));
        let s = format!("aws-lambda-go/cognito-event-userpools-{file}.json");
        same_shape(&s, &sample(&s), &sim, &maps, known);
    }
}

/// EVT-CFN: SAM CLI's `CfnCreateRequest.json`. The sample omits `ServiceToken`, which the CloudFormation user guide's
/// "Custom resource request objects" lists (the function's ARN, also in `ResourceProperties`); lambdasim follows
/// the user guide.
#[test]
fn cloudformation_requests_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::CloudFormation, json!({ "RequestType": "Create" }), json!({ "List": ["1", "2", "3"] }));
    same_shape(
        "sam-cli/CfnCreateRequest.json",
        &sample("sam-cli/CfnCreateRequest.json"),
        &sim,
        &["ResourceProperties"],
        &[("ServiceToken", "in the CloudFormation user guide's request object, not in SAM's sample")],
    );
}

/// EVT-CODECOMMIT: aws-lambda-go's `code-commit-event.json` (a trigger without custom data: no `customData`).
#[test]
fn codecommit_triggers_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::CodeCommit, json!({}), Value::Null);
    same_shape("aws-lambda-go/code-commit-event.json", &sample("aws-lambda-go/code-commit-event.json"), &sim, &[], &[]);
}

/// EVT-CONFIG: SAM CLI's `ConfigurationItemChangeNotification.json`, the outer event and the `invokingEvent` document.
/// `notificationCreationTime` and `recordVersion` are in aws-lambda-go's `config-event.json` (a snapshot notification),
/// not in SAM's sample.
#[test]
fn config_rule_events_have_the_shape_of_aws_samples() {
    let s = sample("sam-cli/ConfigurationItemChangeNotification.json");
    let sim = simulated(SourceKind::Config, json!({}), json!({ "state": "running" }));
    same_shape("Config", &s, &sim, &[], &[]);
    let inner = |v: &Value| -> Value { serde_json::from_str(v["invokingEvent"].as_str().expect("invokingEvent")).expect("json") };
    same_shape(
        "Config invokingEvent",
        &inner(&s),
        &inner(&sim),
        &["configurationItem.tags", "configurationItem.configuration"],
        &[
            ("notificationCreationTime", "in aws-lambda-go's config-event.json (checked below); not in SAM's sample"),
            ("recordVersion", "in aws-lambda-go's config-event.json (checked below); not in SAM's sample"),
        ],
    );
    let periodic = simulated(SourceKind::Config, json!({ "MessageType": "ScheduledNotification" }), Value::Null);
    same_shape("sam-cli/PeriodicRule.json", &sample("sam-cli/PeriodicRule.json"), &periodic, &[], &[]);
    same_shape("Config periodic invokingEvent", &inner(&sample("sam-cli/PeriodicRule.json")), &inner(&periodic), &[], &[]);
    let go = sample("aws-lambda-go/config-event.json");
    for k in ["notificationCreationTime", "recordVersion"] {
        assert!(inner(&go).get(k).is_some(), "aws-lambda-go's sample has {k}");
    }
}

/// EVT-ALEXA: a Smart Home `PowerController.TurnOn` directive (payload version 3), the key structure of
/// `sample_messages/PowerController/PowerController.TurnOn.request.json` in github.com/alexa/alexa-smarthome (that
/// repository is under the Amazon Software License, so its file is not copied here; the keys are). SAM CLI's
/// smart-home templates are payload version 2, which Alexa retired.
#[test]
fn alexa_directives_have_the_shape_of_aws_samples() {
    let skeleton = json!({ "directive": {
        "header": { "namespace": "Alexa.PowerController", "name": "TurnOn", "payloadVersion": "3",
                    "messageId": "00000000-0000-0000-0000-000000000000", "correlationToken": "token" },
        "endpoint": { "scope": { "type": "BearerToken", "token": "token" }, "endpointId": "endpoint-001", "cookie": {} },
        "payload": {},
    }});
    let sim = simulated(SourceKind::Alexa, json!({}), json!({}));
    same_shape("Alexa TurnOn", &skeleton, &sim, &["directive.endpoint.cookie", "directive.payload"], &[]);
}

/// EVT-LEX: SAM CLI's Lex V2 `BankingBot.json` (a fulfillment code hook, lambdasim's default). `interpretationSource`
/// is in the Lex V2 developer guide's input format (lambda-input-format.html), newer than SAM's sample.
#[test]
fn lex_code_hooks_have_the_shape_of_aws_samples() {
    let sim = simulated(
        SourceKind::Lex,
        json!({ "IntentName": "CheckBalance", "InputTranscript": "01/01/1990" }),
        json!({ "dateofBirth": "1990-01-01", "accountType": "Savings" }),
    );
    let slots = ["interpretations.*.intent.slots", "sessionState.intent.slots", "transcriptions.*.resolvedSlots"];
    same_shape(
        "sam-cli/BankingBot.json",
        &sample("sam-cli/BankingBot.json"),
        &sim,
        &slots,
        &[("interpretations.*.interpretationSource", "Lex V2 developer guide, lambda-input-format.html")],
    );
}
