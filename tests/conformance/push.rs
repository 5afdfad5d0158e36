//! Event shapes of the push sources added for issue 19 (`docs/conformance.md`, ids EVT-*): each simulated event has the
//! shape of AWS's published sample of its source, compared with [`same_shape`] as in `events.rs`. The samples are under
//! `tests/conformance/samples/` (aws-lambda-go's `events/testdata`, SAM CLI's `generate-event` templates, Powertools for
//! AWS Lambda (Python)'s `tests/events`; origin, commit and licence in its README). Where no sample file exists (IoT
//! Events, WebSocket messages), the test writes out the keys of the developer guide's example and says so.

use serde_json::{json, Value};

use super::events::{sample, simulated};
use super::shape::same_shape;
use lambdasim::aws::events::SourceKind;

const HTTP_MAPS: &[&str] =
    &["headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"];

/// EVT-URL: a function URL request (payload 2.0) against aws-lambda-go's `lambda-urls-request.json` (an `AWS_IAM` URL,
/// POST with cookies and a query) and Powertools' `lambdaFunctionUrlEvent.json` (an `AuthType` `NONE` URL, GET).
#[test]
fn function_url_requests_have_the_shape_of_aws_samples() {
    let iam = simulated(
        SourceKind::FunctionUrl,
        json!({ "AuthType": "AWS_IAM", "Method": "POST", "Path": "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                "Cookies": ["cookie1", "cookie2"] }),
        json!("Hello from client!"),
    );
    same_shape(
        "aws-lambda-go/lambda-urls-request.json",
        &sample("aws-lambda-go/lambda-urls-request.json"),
        &iam,
        HTTP_MAPS,
        &[
            ("routeKey", "\"$default\" in the Lambda developer guide's urls-invocation.html and in Powertools' newer sample"),
            ("requestContext.routeKey", "urls-invocation.html"),
            ("requestContext.stage", "urls-invocation.html"),
        ],
    );
    assert_eq!(iam["requestContext"]["authorizer"]["iam"]["accountId"], "123456789012");
    let open = simulated(SourceKind::FunctionUrl, json!({ "Method": "GET" }), Value::Null);
    same_shape("powertools/lambdaFunctionUrlEvent.json", &sample("powertools/lambdaFunctionUrlEvent.json"), &open, HTTP_MAPS, &[]);
    assert_eq!(open["requestContext"]["accountId"], "anonymous");
    assert!(open["requestContext"]["domainName"].as_str().unwrap().ends_with(".lambda-url.us-east-1.on.aws"));
    // The invoke mode changes how the response comes back, not the event.
    let streamed = simulated(SourceKind::FunctionUrl, json!({ "Method": "GET", "InvokeMode": "RESPONSE_STREAM" }), Value::Null);
    assert_eq!(streamed, open);
}

/// EVT-AUTHORIZER: a TOKEN authorizer's event (aws-lambda-go's `apigw-custom-auth-request.json`, SAM CLI's
/// `ApiGatewayAuthorizer.json`) and a REQUEST authorizer's (aws-lambda-go's `apigw-custom-auth-request-type-request.json`).
#[test]
fn authorizer_events_have_the_shape_of_aws_samples() {
    let token = simulated(SourceKind::ApiGatewayAuthorizer, json!({ "Token": "allow" }), Value::Null);
    for s in ["aws-lambda-go/apigw-custom-auth-request.json", "sam-cli/ApiGatewayAuthorizer.json"] {
        same_shape(s, &sample(s), &token, &[], &[]);
    }
    assert!(token["methodArn"].as_str().unwrap().starts_with("arn:aws:execute-api:us-east-1:123456789012:"));
    let request = simulated(
        SourceKind::ApiGatewayAuthorizer,
        json!({ "Type": "REQUEST", "Path": "/request?QueryString1=queryValue1", "StageVariables": { "StageVar1": "stageValue1" } }),
        Value::Null,
    );
    same_shape(
        "aws-lambda-go/apigw-custom-auth-request-type-request.json",
        &sample("aws-lambda-go/apigw-custom-auth-request-type-request.json"),
        &request,
        HTTP_MAPS,
        &[("requestContext.identity.clientCert", "only with mutual TLS")],
    );
}

/// EVT-HTTP-AUTHORIZER: an HTTP API authorizer's payload 2.0 (aws-lambda-go's `apigw-v2-custom-authorizer-v2-request.json`,
/// the developer guide's example) and 1.0 (`apigw-v2-custom-authorizer-v1-request.json`).
#[test]
fn http_api_authorizer_events_have_the_shape_of_aws_samples() {
    let v2 = simulated(
        SourceKind::ApiGatewayAuthorizer,
        json!({ "ApiType": "HTTP", "Method": "POST", "Path": "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                "Cookies": ["cookie1", "cookie2"], "RouteKey": "$default", "PathParameters": { "parameter1": "value1" },
                "StageVariables": { "stageVariable1": "value1" } }),
        Value::Null,
    );
    same_shape(
        "aws-lambda-go/apigw-v2-custom-authorizer-v2-request.json",
        &sample("aws-lambda-go/apigw-v2-custom-authorizer-v2-request.json"),
        &v2,
        HTTP_MAPS,
        &[("requestContext.authentication", "only with mutual TLS")],
    );
    assert!(v2["routeArn"].as_str().unwrap().starts_with("arn:aws:execute-api:us-east-1:123456789012:"));
    let v1 = simulated(
        SourceKind::ApiGatewayAuthorizer,
        json!({ "ApiType": "HTTP", "PayloadFormatVersion": "1.0", "Path": "/request?QueryString1=queryValue1",
                "StageVariables": { "StageVar1": "stageValue1" } }),
        Value::Null,
    );
    same_shape(
        "aws-lambda-go/apigw-v2-custom-authorizer-v1-request.json",
        &sample("aws-lambda-go/apigw-v2-custom-authorizer-v1-request.json"),
        &v1,
        HTTP_MAPS,
        &[("requestContext.identity.clientCert", "only with mutual TLS")],
    );
    assert_eq!(v1["identitySource"], v1["authorizationToken"]);
}

/// EVT-WEBSOCKET: a `$disconnect` (aws-lambda-go's `apigw-websocket-request-disconnect.json`, recorded from AWS), a
/// `$connect` (the same keys without the disconnect's status and reason, with the handshake's headers) and a message
/// on `$default` (the keys of the API Gateway developer guide's MESSAGE example, written out: no headers, `messageId`,
/// `body`).
#[test]
fn websocket_events_have_the_shape_of_aws_samples() {
    let disconnect_sample = sample("aws-lambda-go/apigw-websocket-request-disconnect.json");
    let disconnect = simulated(SourceKind::ApiGatewayWebSocket, json!({ "RouteKey": "$disconnect" }), Value::Null);
    same_shape("WebSocket $disconnect", &disconnect_sample, &disconnect, HTTP_MAPS, &[]);
    let connect = simulated(SourceKind::ApiGatewayWebSocket, json!({ "RouteKey": "$connect" }), Value::Null);
    same_shape(
        "WebSocket $connect",
        &disconnect_sample,
        &connect,
        HTTP_MAPS,
        &[("requestContext.disconnectStatusCode", "only on $disconnect"), ("requestContext.disconnectReason", "only on $disconnect")],
    );
    assert_eq!(connect["requestContext"]["eventType"], "CONNECT");
    let message_skeleton = json!({
        "requestContext": {
            "routeKey": "sendmessage", "messageId": "Bc1NqeJboAMCEoA=", "eventType": "MESSAGE", "extendedRequestId": "Bc1NqFFEoAMFfzw=",
            "requestTime": "07/Jan/2019:09:20:57 +0000", "messageDirection": "IN", "stage": "prod", "connectedAt": 1546852857000_i64,
            "requestTimeEpoch": 1546852857000_i64, "identity": { "userAgent": "Mozilla/5.0", "sourceIp": "192.0.2.1" },
            "requestId": "Bc1NqFFEoAMFfzw=", "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "connectionId": "Bc1MvfqNoAMCEzA=", "apiId": "abcdef1234",
        },
        "body": "{\"action\":\"sendmessage\"}",
        "isBase64Encoded": false,
    });
    let message = simulated(SourceKind::ApiGatewayWebSocket, json!({ "RouteKey": "sendmessage" }), json!({ "action": "sendmessage" }));
    same_shape("WebSocket message", &message_skeleton, &message, &[], &[]);
    assert_eq!(message["requestContext"]["routeKey"], "sendmessage");
}

/// EVT-LATTICE: VPC Lattice's event versions 2.0 and 1.0 (Powertools' `vpcLatticeV2Event.json`, `vpcLatticeEvent.json`).
/// Version 2.0 headers and query values are lists of strings, as the VPC Lattice user guide's event (lambda-functions.html)
/// and Powertools' current parser show; the older sample file has single strings.
#[test]
fn vpc_lattice_requests_have_the_shape_of_aws_samples() {
    let v2 = simulated(SourceKind::VpcLattice, json!({ "Method": "GET", "Path": "/newpath", "Query": { "order-id": "1" } }), json!("b"));
    // The sample file with its values as lists, as the user guide's version 2.0 event has them.
    let mut s2 = sample("powertools/vpcLatticeV2Event.json");
    for m in ["headers", "queryStringParameters"] {
        for v in s2[m].as_object_mut().unwrap().values_mut() {
            *v = json!([v.clone()]);
        }
    }
    same_shape(
        "powertools/vpcLatticeV2Event.json",
        &s2,
        &v2,
        &["headers", "queryStringParameters"],
        &[("requestContext.identity.x509SanDns", "only with a client certificate")],
    );
    assert_eq!(v2["headers"]["accept"], json!(["*/*"]));
    let v1 = simulated(
        SourceKind::VpcLattice,
        json!({ "Version": "1.0", "Path": "/testpath?order-id=1", "IsBase64Encoded": true }),
        json!("e30="),
    );
    same_shape(
        "powertools/vpcLatticeEvent.json",
        &sample("powertools/vpcLatticeEvent.json"),
        &v1,
        &["headers", "query_string_parameters"],
        &[],
    );
}

/// EVT-APPSYNC: a direct Lambda resolver with Cognito user pool authorization (SAM CLI's `AppSyncDirectResolver.json`;
/// the claims are a map) and a batch invoke (Powertools' `appSyncBatchEvent.json`: an array of contexts).
#[test]
fn appsync_resolver_events_have_the_shape_of_aws_samples() {
    let one = simulated(
        SourceKind::AppSync,
        json!({ "AuthorizationType": "AMAZON_COGNITO_USER_POOLS", "ParentTypeName": "Mutation", "FieldName": "createSomething" }),
        json!({ "id": "my identifier" }),
    );
    same_shape(
        "sam-cli/AppSyncDirectResolver.json",
        &sample("sam-cli/AppSyncDirectResolver.json"),
        &one,
        &["arguments", "identity.claims", "request.headers"],
        &[("request.domainName", "in the AppSync developer guide's context reference (null without a custom domain)")],
    );
    let batch = simulated(SourceKind::AppSync, json!({ "BatchSize": 2, "FieldName": "createSomething" }), json!({ "user_id": "1" }));
    assert_eq!(batch.as_array().map(Vec::len), Some(2));
    let sample_batch = sample("powertools/appSyncBatchEvent.json");
    same_shape(
        "powertools/appSyncBatchEvent.json",
        &sample_batch[0],
        &batch[0],
        &["arguments"],
        &[
            ("identity", "null with API_KEY authorization (the sample's resolver had an identity)"),
            ("source", "the parent object being resolved (the sample's mutation has none)"),
            ("request", "in every context (context reference); the sample leaves it out"),
        ],
    );
}

/// EVT-OLAP: an S3 Object Lambda GetObject event (aws-lambda-go's `s3-object-lambda-event-get-object-iam.json`).
#[test]
fn s3_object_lambda_events_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::S3ObjectLambda, json!({}), Value::Null);
    let s = "aws-lambda-go/s3-object-lambda-event-get-object-iam.json";
    same_shape(s, &sample(s), &sim, &["userRequest.headers"], &[]);
}

/// EVT-ROTATION: a Secrets Manager rotation step (aws-lambda-go's `secretsmanager-secret-rotation-event.json`, with
/// `RotationToken`, which Powertools' older `secretsManagerEvent.json` lacks).
#[test]
fn rotation_steps_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::SecretsManager, json!({}), Value::Null);
    let s = "aws-lambda-go/secretsmanager-secret-rotation-event.json";
    same_shape(s, &sample(s), &sim, &[], &[]);
}

/// EVT-CODEPIPELINE: a job of a Lambda invoke action (aws-lambda-go's `codepipeline-job-event.json` with a
/// continuation token; SAM CLI's `CodePipeline.json` with an output artifact).
#[test]
fn codepipeline_jobs_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::CodePipeline, json!({ "ContinuationToken": "t" }), json!("some-input-such-as-a-URL"));
    let s = "aws-lambda-go/codepipeline-job-event.json";
    same_shape(
        s,
        &sample(s),
        &sim,
        &[],
        &[("CodePipeline.job.data.inputArtifacts.*.revision", "the sample shows null; a source revision is a commit id")],
    );
    let with_output = simulated(SourceKind::CodePipeline, json!({ "OutputArtifacts": ["output-artifact"] }), json!("p"));
    same_shape("sam-cli/CodePipeline.json", &sample("sam-cli/CodePipeline.json"), &with_output, &[], &[]);
}

/// EVT-S3BATCH: S3 Batch Operations tasks, schema 1.0 and 2.0 (aws-lambda-go's `s3-batch-job-event-request-*.json`;
/// Powertools' schema 2.0 sample shows `s3VersionId` null for an unversioned object).
#[test]
fn s3_batch_tasks_have_the_shape_of_aws_samples() {
    let v1 = simulated(SourceKind::S3Batch, json!({ "VersionId": "1" }), json!("customerImage1.jpg"));
    let s = "aws-lambda-go/s3-batch-job-event-request-1.0.json";
    same_shape(s, &sample(s), &v1, &[], &[]);
    let v2 = simulated(
        SourceKind::S3Batch,
        json!({ "InvocationSchemaVersion": "2.0", "VersionId": "v", "UserArguments": { "k1": "v1" } }),
        json!("k"),
    );
    let s = "aws-lambda-go/s3-batch-job-event-request-2.0.json";
    same_shape(s, &sample(s), &v2, &["job.userArguments"], &[]);
    let unversioned = simulated(SourceKind::S3Batch, json!({ "InvocationSchemaVersion": "2.0" }), json!("k"));
    let s = "powertools/s3BatchOperationEventSchemaV2.json";
    same_shape(s, &sample(s), &unversioned, &["job.userArguments"], &[]);
    // The response contract of aws-lambda-go's `s3-batch-job-event-response.json` is read as AWS documents it.
    let response = sample("aws-lambda-go/s3-batch-job-event-response.json");
    assert_eq!(lambdasim::aws::events::s3_batch_result(&response, "dGFza2lkZ29lc2hlcmUK"), Some("Succeeded"));
}

/// EVT-CONNECT: a contact flow's Lambda invocation (SAM CLI's `ConnectContactFlowEvent.json` without a queue;
/// Powertools' `connectContactFlowEventAll.json` with one). `MediaStreams` comes only with live media streaming.
#[test]
fn connect_contact_flow_events_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::Connect, json!({}), json!({}));
    let media = [("Details.ContactData.MediaStreams", "only with live media streaming")];
    same_shape("sam-cli/ConnectContactFlowEvent.json", &sample("sam-cli/ConnectContactFlowEvent.json"), &sim, &[], &media);
    let queued = simulated(
        SourceKind::Connect,
        json!({ "QueueName": "QueueOne", "Attributes": { "Language": "en-US" } }),
        json!({ "ParameterOne": "One" }),
    );
    same_shape(
        "powertools/connectContactFlowEventAll.json",
        &sample("powertools/connectContactFlowEventAll.json"),
        &queued,
        &["Details.ContactData.Attributes", "Details.Parameters"],
        &media,
    );
}

/// EVT-IOTEVENTS: an IoT Events Lambda action's default payload. No sample file is published; the keys are those of
/// the IoT Events developer guide's default payload (iotevents-event-actions.html), written out here.
#[test]
fn iot_events_actions_have_the_keys_of_the_default_payload() {
    let skeleton = json!({
        "eventTime": 1586376424158_i64,
        "payload": {
            "actionExecutionId": "d5a1a5a3-1f8f-3a40-9a8b-d4e0c6a5b0ea",
            "detector": { "detectorModelName": "myDetectorModel", "keyValue": "Fulton-A32", "detectorModelVersion": "1" },
            "eventTriggerDetails": { "inputName": "myInput", "messageId": "00001", "triggerType": "Message" },
            "state": { "stateName": "Normal", "variables": {}, "timers": {} },
        },
        "eventName": "myEvent",
    });
    let sim = simulated(SourceKind::IoTEvents, json!({}), json!({ "temperature": 21 }));
    same_shape("IoT Events default payload", &skeleton, &sim, &["payload.state.variables", "payload.state.timers"], &[]);
}

/// EVT-ASK: an Alexa Skills Kit intent request (SAM CLI's `AlexaIntentAnswer.json`; the existing `Alexa` kind is a
/// Smart Home directive, a different API).
#[test]
fn alexa_skills_kit_requests_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::AlexaSkillsKit, json!({ "IntentName": "AnswerIntent" }), json!({ "Answer": "1" }));
    let s = "sam-cli/AlexaIntentAnswer.json";
    same_shape(s, &sample(s), &sim, &["session.attributes", "request.intent.slots"], &[]);
}

/// EVT-LEXV1: a Lex V1 code hook (aws-lambda-go's `lex-event.json`; SAM CLI's `lex/LexOrderFlowers.json`, an older
/// shape without `inputTranscript`, `slotDetails` and `requestAttributes`).
#[test]
fn lex_v1_code_hooks_have_the_shape_of_aws_samples() {
    let sim = simulated(SourceKind::LexV1, json!({ "RequestAttributes": { "key1": "value1" } }), json!({ "FlowerType": "roses" }));
    let maps = ["sessionAttributes", "requestAttributes", "currentIntent.slots", "currentIntent.slotDetails"];
    same_shape("aws-lambda-go/lex-event.json", &sample("aws-lambda-go/lex-event.json"), &sim, &maps, &[]);
    let plain = simulated(SourceKind::LexV1, json!({}), json!({ "FlowerType": "lilies" }));
    assert!(plain["requestAttributes"].is_null(), "null without request attributes (lambda-input-response-format.html)");
    same_shape(
        "sam-cli/LexOrderFlowers.json",
        &sample("sam-cli/LexOrderFlowers.json"),
        &plain,
        &maps,
        &[
            ("inputTranscript", "in the Lex V1 developer guide's input format, newer than SAM's sample"),
            ("requestAttributes", "the same"),
            ("currentIntent.slotDetails", "the same"),
        ],
    );
}

/// EVT-COGNITOSYNC: a Cognito Sync trigger (SAM CLI's `CognitoSyncTrigger.json`).
#[test]
fn cognito_sync_triggers_have_the_shape_of_aws_samples() {
    let sim =
        simulated(SourceKind::CognitoSync, json!({ "OldValues": { "SampleKey1": "oldValue1" } }), json!({ "SampleKey1": "newValue1" }));
    let s = "sam-cli/CognitoSyncTrigger.json";
    same_shape(s, &sample(s), &sim, &["datasetRecords"], &[]);
}
