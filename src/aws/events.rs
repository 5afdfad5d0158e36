//! Event-source catalogue: which AWS services invoke a function, how (spec section 7), and the exact event each one
//! hands to Lambda.
//!
//! [`build_event`] turns a source kind, its scenario options and the user's payload into the JSON event the service
//! sends, with AWS's field names and field order. Every id (message ids, request ids, sequence numbers, receipt handles,
//! signatures) is derived from [`EventCtx::key`] with splitmix64, and every time from [`EventCtx::epoch_ms`]: the same
//! context always gives the same bytes, and nothing reads the wall clock or a random source. Ids that AWS keeps stable
//! across events (an SNS subscription, an API id, a user pool id) are derived from the names they belong to instead.
//!
//! Option strings may hold `{{n}}`, replaced by the 0-based index of the event within its source. [`check_options`]
//! validates the options of a kind (unknown names, wrong types, values outside AWS's enumerations); [`build_event`]
//! itself never fails and falls back to defaults. `docs/sources.md` lists every kind with its options.
//!
//! SQS, Kinesis and DynamoDB Streams records built here are single-record events for direct (`OnDemand`-style) tests;
//! the poller of the event source mapping builds the real batches.
//!
//! This file is the dispatch; the builders live by family: `messaging` (S3, SNS, SES, SQS), `streams` (Kinesis,
//! DynamoDB Streams, CloudWatch Logs, Firehose), `http` (API Gateway REST and HTTP APIs, ALB, CloudFront Lambda@Edge),
//! `apps` (Cognito, CloudFormation, EventBridge, CodeCommit, Config, Alexa, Lex, IoT), `push` (function URLs, API
//! Gateway authorizers and WebSocket APIs, VPC Lattice) and `services` (AppSync, S3 Object Lambda, Secrets Manager,
//! CodePipeline, S3 Batch Operations, Connect, IoT Events, Alexa Skills Kit, Lex V1, Cognito Sync); `options` (with its
//! child `options/push` for the push sources) validates the options, and [`crate::aws::ids`] makes the ids and time
//! formats. Each file cites the AWS pages of its shapes.

use serde_json::{Map, Value};

// Old paths of the deterministic ids, for the poller and the fan-out (`crate::aws::events::uuid`, ...).
pub(crate) use crate::aws::ids::{b64, chars, epoch_secs_f, md5_hex, stable, LOWER_HEX, UPPER_ALNUM};

mod apps;
pub mod docdb;
mod http;
pub mod kafka;
mod messaging;
pub mod mq;
mod options;
mod push;
mod services;
mod streams;

use apps::{alexa, cloudformation, codecommit, cognito, config, eventbridge, iot, lex};
use http::{alb, apigw_http, apigw_rest, cloudfront};
use messaging::{s3, ses, sns, sqs};
pub use messaging::{sns_envelope, sns_event_size, sqs_message_attributes};
pub use options::check_options;
use push::{authorizer, function_url, vpc_lattice, websocket};
pub use push::{
    authorizer_allows, authorizer_decision, authorizer_identity, authorizer_is_http, authorizer_ttl, backend_request, STREAM_RESPONSE_LIMIT,
};
use services::{
    alexa_skills_kit, appsync, codepipeline, cognito_sync, connect, iot_events, lex_v1, s3_batch, s3_object_lambda, secrets_manager,
};
pub use services::{codepipeline_job_result, s3_batch_result, JobResult, ROTATION_STEPS};
pub use streams::firehose_result;
pub(crate) use streams::{attribute_value, item};
use streams::{cloudwatch_logs, dynamodb, firehose, kinesis};

/// A source kind of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// Amazon S3 notifications.
    S3,
    /// Amazon SNS.
    Sns,
    /// Amazon SES receipt rules.
    Ses,
    /// Amazon SQS (via an event source mapping).
    Sqs,
    /// Amazon Kinesis Data Streams (via an event source mapping).
    Kinesis,
    /// DynamoDB Streams (via an event source mapping).
    DynamoDb,
    /// Amazon Cognito user pool triggers.
    Cognito,
    /// AWS CloudFormation custom resources.
    CloudFormation,
    /// CloudWatch Logs subscriptions.
    CloudWatchLogs,
    /// Amazon EventBridge.
    EventBridge,
    /// AWS CodeCommit triggers.
    CodeCommit,
    /// AWS Config rules.
    Config,
    /// Alexa Skills Kit.
    Alexa,
    /// Amazon Lex.
    Lex,
    /// API Gateway REST API (proxy integration).
    ApiGatewayRest,
    /// API Gateway HTTP API.
    ApiGatewayHttp,
    /// Application Load Balancer.
    Alb,
    /// AWS IoT rules.
    IoT,
    /// CloudFront Lambda@Edge.
    CloudFrontEdge,
    /// Amazon Data Firehose transformation.
    Firehose,
    /// Lambda function URLs (payload 2.0; buffered or streamed responses).
    FunctionUrl,
    /// API Gateway Lambda authorizers (TOKEN and REQUEST), in front of a backend function.
    ApiGatewayAuthorizer,
    /// API Gateway WebSocket APIs (`$connect`, `$disconnect`, `$default`, custom routes).
    ApiGatewayWebSocket,
    /// AWS AppSync direct Lambda resolvers (single and batch invoke).
    AppSync,
    /// S3 Object Lambda access points (`getObjectContext`).
    S3ObjectLambda,
    /// Secrets Manager rotation (four steps per rotation).
    SecretsManager,
    /// AWS CodePipeline Lambda invoke actions.
    CodePipeline,
    /// S3 Batch Operations "Invoke AWS Lambda function" tasks.
    S3Batch,
    /// Amazon Connect contact flows.
    Connect,
    /// AWS IoT Events Lambda actions.
    IoTEvents,
    /// VPC Lattice target groups (event versions 1.0 and 2.0).
    VpcLattice,
    /// Alexa Skills Kit custom skills.
    AlexaSkillsKit,
    /// Amazon Lex V1 code hooks.
    LexV1,
    /// Amazon Cognito Sync triggers.
    CognitoSync,
    /// A direct invocation with the user's payload as is.
    OnDemand,
}

/// How a service invokes Lambda (spec section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `RequestResponse`: the caller waits for the function's response and owns retries.
    Sync,
    /// `Event`: Lambda queues the event and retries it (spec section 2).
    Async,
    /// An event source mapping polls the source and invokes synchronously with batches (spec section 5).
    Poll,
}

impl SourceKind {
    /// Every kind, in catalogue order.
    pub const ALL: [SourceKind; 35] = [
        SourceKind::S3,
        SourceKind::Sns,
        SourceKind::Ses,
        SourceKind::Sqs,
        SourceKind::Kinesis,
        SourceKind::DynamoDb,
        SourceKind::Cognito,
        SourceKind::CloudFormation,
        SourceKind::CloudWatchLogs,
        SourceKind::EventBridge,
        SourceKind::CodeCommit,
        SourceKind::Config,
        SourceKind::Alexa,
        SourceKind::Lex,
        SourceKind::ApiGatewayRest,
        SourceKind::ApiGatewayHttp,
        SourceKind::Alb,
        SourceKind::IoT,
        SourceKind::CloudFrontEdge,
        SourceKind::Firehose,
        SourceKind::FunctionUrl,
        SourceKind::ApiGatewayAuthorizer,
        SourceKind::ApiGatewayWebSocket,
        SourceKind::AppSync,
        SourceKind::S3ObjectLambda,
        SourceKind::SecretsManager,
        SourceKind::CodePipeline,
        SourceKind::S3Batch,
        SourceKind::Connect,
        SourceKind::IoTEvents,
        SourceKind::VpcLattice,
        SourceKind::AlexaSkillsKit,
        SourceKind::LexV1,
        SourceKind::CognitoSync,
        SourceKind::OnDemand,
    ];

    /// The name used in scenario files, e.g. "S3", "SNS", "SES", "SQS", "Kinesis", "DynamoDB", "Cognito", "CloudFormation", "CloudWatchLogs", "EventBridge", "CodeCommit", "Config", "Alexa", "Lex", "ApiGatewayRest", "ApiGatewayHttp", "ALB", "IoT", "CloudFrontEdge", "Firehose", "FunctionUrl", "ApiGatewayAuthorizer", "ApiGatewayWebSocket", "AppSync", "S3ObjectLambda", "SecretsManager", "CodePipeline", "S3Batch", "Connect", "IoTEvents", "VpcLattice", "AlexaSkillsKit", "LexV1", "CognitoSync", "OnDemand".
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::S3 => "S3",
            SourceKind::Sns => "SNS",
            SourceKind::Ses => "SES",
            SourceKind::Sqs => "SQS",
            SourceKind::Kinesis => "Kinesis",
            SourceKind::DynamoDb => "DynamoDB",
            SourceKind::Cognito => "Cognito",
            SourceKind::CloudFormation => "CloudFormation",
            SourceKind::CloudWatchLogs => "CloudWatchLogs",
            SourceKind::EventBridge => "EventBridge",
            SourceKind::CodeCommit => "CodeCommit",
            SourceKind::Config => "Config",
            SourceKind::Alexa => "Alexa",
            SourceKind::Lex => "Lex",
            SourceKind::ApiGatewayRest => "ApiGatewayRest",
            SourceKind::ApiGatewayHttp => "ApiGatewayHttp",
            SourceKind::Alb => "ALB",
            SourceKind::IoT => "IoT",
            SourceKind::CloudFrontEdge => "CloudFrontEdge",
            SourceKind::Firehose => "Firehose",
            SourceKind::FunctionUrl => "FunctionUrl",
            SourceKind::ApiGatewayAuthorizer => "ApiGatewayAuthorizer",
            SourceKind::ApiGatewayWebSocket => "ApiGatewayWebSocket",
            SourceKind::AppSync => "AppSync",
            SourceKind::S3ObjectLambda => "S3ObjectLambda",
            SourceKind::SecretsManager => "SecretsManager",
            SourceKind::CodePipeline => "CodePipeline",
            SourceKind::S3Batch => "S3Batch",
            SourceKind::Connect => "Connect",
            SourceKind::IoTEvents => "IoTEvents",
            SourceKind::VpcLattice => "VpcLattice",
            SourceKind::AlexaSkillsKit => "AlexaSkillsKit",
            SourceKind::LexV1 => "LexV1",
            SourceKind::CognitoSync => "CognitoSync",
            SourceKind::OnDemand => "OnDemand",
        }
    }

    /// The kind of a scenario name; the match ignores ASCII case and surrounding blanks ("sns", "Alb", "DynamoDb").
    pub fn parse(s: &str) -> Option<SourceKind> {
        let s = s.trim();
        SourceKind::ALL.iter().copied().find(|k| k.name().eq_ignore_ascii_case(s))
    }

    /// How the service invokes Lambda (spec section 7).
    pub fn mode(self) -> Mode {
        use SourceKind::*;
        match self {
            S3 | Sns | Ses | CloudFormation | CloudWatchLogs | EventBridge | CodeCommit | Config | IoT => Mode::Async,
            // CodePipeline and IoT Events invoke asynchronously (spec section 7).
            CodePipeline | IoTEvents => Mode::Async,
            Sqs | Kinesis | DynamoDb => Mode::Poll,
            // OnDemand is a direct Invoke; RequestResponse is the Invoke API's default (spec section 1).
            Cognito | Alexa | Lex | ApiGatewayRest | ApiGatewayHttp | Alb | CloudFrontEdge | Firehose | OnDemand => Mode::Sync,
            // The HTTP front doors, AppSync, S3 Object Lambda and Batch Operations, Secrets Manager, Connect, Alexa, Lex
            // and Cognito Sync wait for the function's response (spec section 7).
            FunctionUrl | ApiGatewayAuthorizer | ApiGatewayWebSocket | AppSync | S3ObjectLambda | SecretsManager | S3Batch | Connect
            | VpcLattice | AlexaSkillsKit | LexV1 | CognitoSync => Mode::Sync,
        }
    }

    /// One line: what the simulation models of it (for the README table).
    pub fn modelled(self) -> &'static str {
        match self {
            SourceKind::S3 => "S3 event notification (Records[].s3 with bucket, URL-encoded key, size, eTag, sequencer); async invoke",
            SourceKind::Sns => "SNS notification (Records[].Sns with MessageId, Message, MessageAttributes); async invoke",
            SourceKind::Ses => "SES receipt-rule Lambda action (mail headers and verdicts, no body); async invoke",
            SourceKind::Sqs => "one SQS message record (body, md5OfBody, attributes); the ESM poller builds real batches",
            SourceKind::Kinesis => "one Kinesis record (base64 data, 56-digit sequence number); the ESM poller builds real batches",
            SourceKind::DynamoDb => {
                "one DynamoDB Streams record (Keys/NewImage/OldImage as AttributeValues); the ESM poller builds real batches"
            }
            SourceKind::Cognito => "user pool trigger event (request/response per trigger source); sync, Cognito owns the response",
            SourceKind::CloudFormation => "custom resource request (Create/Update/Delete with ResponseURL); async invoke",
            SourceKind::CloudWatchLogs => "subscription filter delivery (awslogs.data = base64 gzip JSON); async invoke",
            SourceKind::EventBridge => "EventBridge event envelope (detail-type, source, detail); async invoke",
            SourceKind::CodeCommit => "repository trigger (Records[].codecommit.references); async invoke",
            SourceKind::Config => "custom Config rule evaluation (invokingEvent as a JSON string); async invoke",
            SourceKind::Alexa => "Smart Home directive (header, endpoint, payload); sync, Alexa waits for the response",
            SourceKind::Lex => "Lex V2 code hook (bot, interpretations, sessionState); sync, Lex waits for the response",
            SourceKind::ApiGatewayRest => {
                "REST API proxy payload 1.0 (multi-value headers, requestContext.identity); sync, the client owns retries"
            }
            SourceKind::ApiGatewayHttp => "HTTP API payload 2.0 (routeKey, rawPath, requestContext.http); sync, the client owns retries",
            SourceKind::Alb => "Application Load Balancer target request (requestContext.elb); sync, the client owns retries",
            SourceKind::IoT => "IoT rule Lambda action: the MQTT payload as selected by the rule's SQL; async invoke",
            SourceKind::CloudFrontEdge => "Lambda@Edge viewer/origin request or response (Records[].cf); sync",
            SourceKind::Firehose => "Firehose transformation batch (records[].recordId/data); sync, per-record Ok/Dropped/ProcessingFailed",
            SourceKind::FunctionUrl => {
                "function URL request, payload 2.0 (`$default` route, lambda-url domain, IAM authorizer); sync; `InvokeMode` RESPONSE_STREAM lifts the 6 MB response limit to 200 MB"
            }
            SourceKind::ApiGatewayAuthorizer => {
                "Lambda authorizer event (TOKEN or REQUEST); sync; an Allow policy invokes the backend function with the REST event, Deny gives 403, an error 500; results cached per identity for `ResultTtlSeconds`"
            }
            SourceKind::ApiGatewayWebSocket => {
                "WebSocket route event (`$connect`/`$disconnect` with headers, messages with `body`; routeKey, eventType, connectionId); sync"
            }
            SourceKind::AppSync => "direct Lambda resolver context (arguments, identity, source, info); sync; `BatchSize` > 1 sends an array of contexts",
            SourceKind::S3ObjectLambda => "Object Lambda GetObject event (getObjectContext with inputS3Url, outputRoute, outputToken); sync",
            SourceKind::SecretsManager => {
                "rotation: four sync invocations createSecret, setSecret, testSecret, finishSecret with one ClientRequestToken; a failing step stops the rotation"
            }
            SourceKind::CodePipeline => "CodePipeline.job (id, data with artifacts and credentials); async invoke",
            SourceKind::S3Batch => {
                "Batch Operations task (schema 1.0 or 2.0); sync; the response's resultCode decides: TemporaryFailure is retried, PermanentFailure fails the task"
            }
            SourceKind::Connect => "contact flow event (Details.ContactData, Parameters); sync",
            SourceKind::IoTEvents => "IoT Events Lambda action, default payload (detector, eventTriggerDetails, state); async invoke",
            SourceKind::VpcLattice => "VPC Lattice request, event version 2.0 (requestContext, list-valued headers) or 1.0; sync",
            SourceKind::AlexaSkillsKit => "custom skill request (session, context, request: Launch/Intent/SessionEnded); sync",
            SourceKind::LexV1 => "Lex V1 code hook (currentIntent with slots, bot, invocationSource); sync",
            SourceKind::CognitoSync => "Cognito Sync trigger (datasetRecords with oldValue/newValue/op); sync",
            SourceKind::OnDemand => "direct Invoke with the payload unchanged",
        }
    }
}

/// Context for building one event deterministically.
pub struct EventCtx<'a> {
    /// The account's region.
    pub region: &'a str,
    /// The account's id.
    pub account_id: &'a str,
    /// Milliseconds since the Unix epoch of the event's virtual time.
    pub epoch_ms: i64,
    /// A deterministic id seed for this event (use it to derive message ids / request ids / sequence numbers; no randomness, no wall clock).
    pub key: u64,
    /// 0-based index of the event within its source.
    pub n: u64,
    /// Source options from the scenario (e.g. {"Bucket":"uploads","Key":"img/{{n}}.png","EventName":"ObjectCreated:Put","Size":1024} for S3, {"Method":"POST","Path":"/orders","Body":{...}} for API Gateway, {"TopicArn":...} for SNS, {"Source":"my.app","DetailType":"OrderPlaced"} for EventBridge, {"Records":[...]} for Firehose, {"LogGroup":..., "LogEvents":[...]} for CloudWatch Logs, {"TriggerSource":"PreSignUp_SignUp"} for Cognito, {"RequestType":"Create","ResourceType":"Custom::X"} for CloudFormation, ...). Missing options get sensible defaults.
    pub options: &'a serde_json::Value,
    /// The user's payload (the "business" data: S3 object key / API body / SNS message / EventBridge detail / log messages etc.), already rendered.
    pub payload: &'a serde_json::Value,
}

/// Per-record results of a Firehose transformation response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirehoseCounts {
    /// Records with `result` `Ok`.
    pub ok: u64,
    /// Records with `result` `Dropped`.
    pub dropped: u64,
    /// Records with `result` `ProcessingFailed`.
    pub processing_failed: u64,
}

/// The event exactly as the service hands it to Lambda (field names as AWS sends them).
pub fn build_event(kind: SourceKind, ctx: &EventCtx<'_>) -> serde_json::Value {
    let o = Opts::new(ctx.options, ctx.n);
    match kind {
        SourceKind::S3 => s3(ctx, &o),
        SourceKind::Sns => sns(ctx, &o),
        SourceKind::Ses => ses(ctx, &o),
        SourceKind::Sqs => sqs(ctx, &o),
        SourceKind::Kinesis => kinesis(ctx, &o),
        SourceKind::DynamoDb => dynamodb(ctx, &o),
        SourceKind::Cognito => cognito(ctx, &o),
        SourceKind::CloudFormation => cloudformation(ctx, &o),
        SourceKind::CloudWatchLogs => cloudwatch_logs(ctx, &o),
        SourceKind::EventBridge => eventbridge(ctx, &o),
        SourceKind::CodeCommit => codecommit(ctx, &o),
        SourceKind::Config => config(ctx, &o),
        SourceKind::Alexa => alexa(ctx, &o),
        SourceKind::Lex => lex(ctx, &o),
        SourceKind::ApiGatewayRest => apigw_rest(ctx, &o),
        SourceKind::ApiGatewayHttp => apigw_http(ctx, &o),
        SourceKind::Alb => alb(ctx, &o),
        SourceKind::IoT => iot(ctx, &o),
        SourceKind::CloudFrontEdge => cloudfront(ctx, &o),
        SourceKind::Firehose => firehose(ctx, &o),
        SourceKind::FunctionUrl => function_url(ctx, &o),
        SourceKind::ApiGatewayAuthorizer => authorizer(ctx, &o),
        SourceKind::ApiGatewayWebSocket => websocket(ctx, &o),
        SourceKind::AppSync => appsync(ctx, &o),
        SourceKind::S3ObjectLambda => s3_object_lambda(ctx, &o),
        SourceKind::SecretsManager => secrets_manager(ctx, &o),
        SourceKind::CodePipeline => codepipeline(ctx, &o),
        SourceKind::S3Batch => s3_batch(ctx, &o),
        SourceKind::Connect => connect(ctx, &o),
        SourceKind::IoTEvents => iot_events(ctx, &o),
        SourceKind::VpcLattice => vpc_lattice(ctx, &o),
        SourceKind::AlexaSkillsKit => alexa_skills_kit(ctx, &o),
        SourceKind::LexV1 => lex_v1(ctx, &o),
        SourceKind::CognitoSync => cognito_sync(ctx, &o),
        // A direct Invoke: the caller's payload is the event (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
        SourceKind::OnDemand => ctx.payload.clone(),
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// options and payload

/// Options with `{{n}}` rendered.
struct Opts {
    m: Map<String, Value>,
}

fn render_n(v: &Value, n: &str) -> Value {
    match v {
        Value::String(s) if s.contains("{{n}}") => Value::String(s.replace("{{n}}", n)),
        Value::Array(a) => Value::Array(a.iter().map(|x| render_n(x, n)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), render_n(x, n))).collect()),
        other => other.clone(),
    }
}

impl Opts {
    fn new(options: &Value, n: u64) -> Opts {
        match render_n(options, &n.to_string()) {
            Value::Object(m) => Opts { m },
            _ => Opts { m: Map::new() },
        }
    }
    fn get(&self, k: &str) -> Option<&Value> {
        self.m.get(k).filter(|v| !v.is_null())
    }
    fn str(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(Value::as_str)
    }
    fn string(&self, k: &str, default: impl Into<String>) -> String {
        self.str(k).map(str::to_string).unwrap_or_else(|| default.into())
    }
    fn u64(&self, k: &str) -> Option<u64> {
        self.get(k).and_then(Value::as_u64)
    }
    fn bool(&self, k: &str, default: bool) -> bool {
        self.get(k).and_then(Value::as_bool).unwrap_or(default)
    }
    fn obj(&self, k: &str) -> Option<&Map<String, Value>> {
        self.get(k).and_then(Value::as_object)
    }
    /// A string or a list of strings.
    fn list(&self, k: &str) -> Option<Vec<String>> {
        match self.get(k)? {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(a) => Some(a.iter().map(scalar_text).collect()),
            _ => None,
        }
    }
}

/// [`uuid`]`(seed, salt)` written without `format!` (an SQS `messageId` is compared at each partial batch response):
/// the same two words of the id's stream, their hex digits placed directly.
pub(crate) fn uuid_fast(seed: u64, salt: u64) -> String {
    use crate::kernel::rng::splitmix;
    // `ids::Stream`: the state, then one golden-ratio step per word.
    let mut state = splitmix(seed ^ splitmix(salt.wrapping_mul(0xd134_2543_de82_ef95)));
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix(state)
    };
    let (hi, lo) = (next(), next());
    crate::aws::ids::uuid_v4_bytes(hi, lo).iter().map(|&b| b as char).collect()
}

/// ISO 8601 UTC of epoch milliseconds, `2017-12-22T18:43:48Z` (`millis`: `2017-12-22T18:43:48.123Z`): what
/// [`crate::aws::ids::iso_s`] and [`crate::aws::ids::iso_ms`] write, without `chrono`'s formatting machinery (the
/// EventBridge and SNS events of a fan-out carry one each). Years outside 1970 to 9999 go to those functions.
pub(crate) fn iso(ms: i64, millis: bool) -> String {
    if !(0..253_402_300_800_000).contains(&ms) {
        return if millis { crate::aws::ids::iso_ms(ms) } else { crate::aws::ids::iso_s(ms) };
    }
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil date of a day count (H. Hinnant's `civil_from_days`), for days since 1970-01-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: i64| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, in_day / 3_600_000);
    put(14, 2, in_day / 60_000 % 60);
    put(17, 2, in_day / 1000 % 60);
    put(20, 3, in_day % 1000);
    let s: String = b.iter().map(|&c| c as char).collect();
    if millis {
        s
    } else {
        format!("{}Z", &s[..19])
    }
}

/// The payload as text: a string as it is, `null` as nothing, anything else as compact JSON.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A scalar as the string AWS would carry (numbers and booleans in their JSON spelling).
fn scalar_text(v: &Value) -> String {
    text(v)
}

fn fn_arn(ctx: &EventCtx<'_>, name: &str) -> String {
    format!("arn:aws:lambda:{}:{}:function:{name}", ctx.region, ctx.account_id)
}

/// A value for an error message, cut after 60 characters.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod fast_id_tests {
    #[test]
    fn iso_is_chronos() {
        let mut x = 11u64;
        let mut cases: Vec<i64> = vec![0, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999];
        cases.extend([-1, -86_400_001, 253_402_300_800_000]);
        for i in 0..20_000u64 {
            x = crate::kernel::rng::splitmix(x ^ i);
            cases.push((x % 253_402_300_800_000) as i64);
            cases.push(1_700_000_000_000 + (x % 10_000_000_000) as i64);
        }
        for ms in cases {
            assert_eq!(super::iso(ms, true), crate::aws::ids::iso_ms(ms), "{ms}");
            assert_eq!(super::iso(ms, false), crate::aws::ids::iso_s(ms), "{ms}");
        }
    }

    #[test]
    fn uuid_fast_is_uuid() {
        let mut x = 7u64;
        for i in 0..5000u64 {
            x = crate::kernel::rng::splitmix(x ^ i);
            let salt = [0x5a_05, 0x5e_02, x >> 40, 0][(i % 4) as usize];
            assert_eq!(super::uuid_fast(x, salt), crate::aws::ids::uuid(x, salt));
        }
    }
}
