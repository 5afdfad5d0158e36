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

use std::io::Write as _;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

pub(crate) use crate::aws::ids::{b64, chars, epoch_secs_f, md5_hex, stable, uuid, word, LOWER_HEX, UPPER_ALNUM};
use crate::aws::ids::{b64url, clf, doc_ip, iso_ms, iso_s, mail_date, seq56, utc, ALNUM, DIGITS, LOWER_ALNUM, UPPER_HEX};

/// A source kind of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    S3,
    Sns,
    Ses,
    Sqs,
    Kinesis,
    DynamoDb,
    Cognito,
    CloudFormation,
    CloudWatchLogs,
    EventBridge,
    CodeCommit,
    Config,
    Alexa,
    Lex,
    ApiGatewayRest,
    ApiGatewayHttp,
    Alb,
    IoT,
    CloudFrontEdge,
    Firehose,
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
    pub const ALL: [SourceKind; 21] = [
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
        SourceKind::OnDemand,
    ];

    /// The name used in scenario files, e.g. "S3", "SNS", "SES", "SQS", "Kinesis", "DynamoDB", "Cognito", "CloudFormation", "CloudWatchLogs", "EventBridge", "CodeCommit", "Config", "Alexa", "Lex", "ApiGatewayRest", "ApiGatewayHttp", "ALB", "IoT", "CloudFrontEdge", "Firehose", "OnDemand".
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
            Sqs | Kinesis | DynamoDb => Mode::Poll,
            // OnDemand is a direct Invoke; RequestResponse is the Invoke API's default (spec section 1).
            Cognito | Alexa | Lex | ApiGatewayRest | ApiGatewayHttp | Alb | CloudFrontEdge | Firehose | OnDemand => Mode::Sync,
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
            SourceKind::OnDemand => "direct Invoke with the payload unchanged",
        }
    }
}

/// Context for building one event deterministically.
pub struct EventCtx<'a> {
    pub region: &'a str,
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
    pub ok: u64,
    pub dropped: u64,
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

// ---------------------------------------------------------------------------------------------------------------------
// builders

// Amazon S3 event notification.
// https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html ("Example Amazon S3 notification event") and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html (versions 2.1/2.2/2.3; the
// object key is URL-encoded; delete events carry no size or eTag).
const S3_EVENTS: &[&str] = &[
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
    "ObjectRestore:Post",
    "ObjectRestore:Completed",
    "ObjectRestore:Delete",
    "ReducedRedundancyLostObject",
    "Replication:OperationFailedReplication",
    "Replication:OperationMissedThreshold",
    "Replication:OperationReplicatedAfterThreshold",
    "Replication:OperationNotTracked",
    "LifecycleExpiration:Delete",
    "LifecycleExpiration:DeleteMarkerCreated",
    "LifecycleTransition",
    "IntelligentTiering",
    "ObjectTagging:Put",
    "ObjectTagging:Delete",
    "ObjectAcl:Put",
];

/// S3 URL-encodes the key in notifications (form encoding: a space becomes `+`); `/` is kept.
fn s3_key_encode(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    for b in k.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'/' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn s3(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let bucket = o.string("Bucket", "bucket");
    let key = o
        .str("Key")
        .map(str::to_string)
        .or_else(|| ctx.payload.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("object-{}", ctx.n));
    let event_name = o.string("EventName", "ObjectCreated:Put");
    let event_name = event_name.strip_prefix("s3:").unwrap_or(&event_name).to_string();
    let version = o.string(
        "EventVersion",
        if event_name.starts_with("Replication:") {
            "2.2"
        } else if ["Lifecycle", "IntelligentTiering", "ObjectTagging:", "ObjectAcl:", "ObjectRestore:Delete"]
            .iter()
            .any(|p| event_name.starts_with(p))
        {
            "2.3"
        } else {
            "2.1"
        },
    );
    let removed = event_name.starts_with("ObjectRemoved:") || event_name.starts_with("LifecycleExpiration:");
    let account = stable(&[ctx.account_id]);
    let mut object = Map::new();
    object.insert("key".into(), json!(s3_key_encode(&key)));
    if !removed {
        object.insert("size".into(), json!(o.u64("Size").unwrap_or(1024)));
        object.insert("eTag".into(), json!(chars(ctx.key, 0x53_01, 32, LOWER_HEX)));
    }
    if let Some(v) = o.str("VersionId") {
        object.insert("versionId".into(), json!(v));
    } else if event_name.ends_with("DeleteMarkerCreated") {
        object.insert("versionId".into(), json!(chars(ctx.key, 0x53_02, 32, ALNUM)));
    }
    // The sequencer grows with time for one key (S3 documents only that it orders events of one object).
    object.insert("sequencer".into(), json!(format!("{:016X}{:02X}", ctx.epoch_ms.max(0), word(ctx.key, 0x53_03) & 0xff)));
    json!({"Records": [{
        "eventVersion": version,
        "eventSource": "aws:s3",
        "awsRegion": ctx.region,
        "eventTime": iso_ms(ctx.epoch_ms),
        "eventName": event_name,
        "userIdentity": {"principalId": format!("AWS:AIDA{}", chars(account, 0x53_04, 17, UPPER_ALNUM))},
        "requestParameters": {"sourceIPAddress": doc_ip(ctx.key, 0x53_05)},
        "responseElements": {
            "x-amz-request-id": chars(ctx.key, 0x53_06, 16, UPPER_HEX),
            "x-amz-id-2": b64(ctx.key, 0x53_07, 56),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": o.string("ConfigurationId", "lambdasim"),
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": chars(account, 0x53_08, 14, UPPER_ALNUM)},
                "arn": format!("arn:aws:s3:::{bucket}"),
            },
            "object": object,
        },
    }]})
}

// Amazon SNS notification delivered to a Lambda subscription.
// https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html ("Example Amazon SNS message event"); field order as in
// events captured from SNS (Type, MessageId, TopicArn, Subject, Message, Timestamp, ...).
const SNS_ATTR_TYPES: &[&str] = &["String", "String.Array", "Number", "Binary"];

fn sns_attributes(m: Option<&Map<String, Value>>) -> Value {
    let mut out = Map::new();
    for (name, v) in m.into_iter().flatten() {
        let (ty, value) = match v {
            Value::Object(a) => {
                (a.get("Type").and_then(Value::as_str).unwrap_or("String").to_string(), a.get("Value").map(scalar_text).unwrap_or_default())
            }
            Value::Number(_) => ("Number".to_string(), scalar_text(v)),
            Value::Array(_) => ("String.Array".to_string(), v.to_string()),
            _ => ("String".to_string(), scalar_text(v)),
        };
        out.insert(name.clone(), json!({"Type": ty, "Value": value}));
    }
    Value::Object(out)
}

fn sns(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let topic = o.string("TopicArn", format!("arn:aws:sns:{}:{}:topic", ctx.region, ctx.account_id));
    let sub_arn = format!("{topic}:{}", uuid(stable(&[&topic]), 0x5e_01));
    let subject = o.str("Subject").map(Value::from).unwrap_or(Value::Null);
    json!({"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": sub_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": uuid(ctx.key, 0x5e_02),
            "TopicArn": topic,
            "Subject": subject,
            "Message": text(ctx.payload),
            "Timestamp": iso_ms(ctx.epoch_ms),
            "SignatureVersion": "1",
            "Signature": b64(ctx.key, 0x5e_03, 256),
            "SigningCertUrl": format!(
                "https://sns.{}.amazonaws.com/SimpleNotificationService-{}.pem",
                ctx.region,
                chars(stable(&[ctx.region]), 0x5e_04, 32, LOWER_HEX)
            ),
            "UnsubscribeUrl": format!("https://sns.{}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub_arn}", ctx.region),
            "MessageAttributes": sns_attributes(o.obj("MessageAttributes")),
        },
    }]})
}

// Amazon SES receipt rule with a Lambda action (the event omits the mail body).
// https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html ("Event records provided by the
// Lambda action"; awsdocs/amazon-ses-developer-guide doc-source/receiving-email-action-lambda-event.md).
const SES_VERDICTS: &[&str] = &["PASS", "FAIL", "GRAY", "PROCESSING_FAILED"];

fn ses(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let from = o.string("From", "sender@example.com");
    let to = o.list("To").unwrap_or_else(|| vec!["recipient@example.com".to_string()]);
    let subject =
        o.str("Subject").map(str::to_string).or_else(|| ctx.payload.as_str().map(str::to_string)).unwrap_or_else(|| "Hello".to_string());
    let domain = from.rsplit('@').next().unwrap_or("example.com").to_string();
    let date = mail_date(ctx.epoch_ms);
    let ses_id = chars(ctx.key, 0x5c_01, 28, LOWER_ALNUM);
    let header_id = format!("<{}@{domain}>", uuid(ctx.key, 0x5c_02));
    let verdict = |k: &str| json!({"status": o.string(k, "PASS")});
    let received = format!(
        "from mail.{domain} (mail.{domain} [{}]) by inbound-smtp.{}.amazonaws.com with SMTP id {ses_id} for {}; {date} (UTC)",
        doc_ip(ctx.key, 0x5c_03),
        ctx.region,
        to.first().map(String::as_str).unwrap_or("")
    );
    json!({"Records": [{
        "eventSource": "aws:ses",
        "eventVersion": "1.0",
        "ses": {
            "mail": {
                "timestamp": iso_ms(ctx.epoch_ms),
                "source": from,
                "messageId": ses_id,
                "destination": to,
                "headersTruncated": false,
                "headers": [
                    {"name": "Return-Path", "value": format!("<{from}>")},
                    {"name": "Received", "value": received},
                    {"name": "X-SES-Spam-Verdict", "value": o.string("SpamVerdict", "PASS")},
                    {"name": "X-SES-Virus-Verdict", "value": o.string("VirusVerdict", "PASS")},
                    {"name": "From", "value": from},
                    {"name": "To", "value": to.join(", ")},
                    {"name": "Subject", "value": subject},
                    {"name": "Date", "value": date},
                    {"name": "Message-ID", "value": header_id},
                    {"name": "MIME-Version", "value": "1.0"},
                    {"name": "Content-Type", "value": "text/plain; charset=UTF-8"},
                ],
                "commonHeaders": {
                    "returnPath": from,
                    "from": [from],
                    "date": date,
                    "to": to,
                    "messageId": header_id,
                    "subject": subject,
                },
            },
            "receipt": {
                "timestamp": iso_ms(ctx.epoch_ms),
                "processingTimeMillis": 100 + word(ctx.key, 0x5c_04) % 900,
                "recipients": to,
                "spamVerdict": verdict("SpamVerdict"),
                "virusVerdict": verdict("VirusVerdict"),
                "spfVerdict": verdict("SpfVerdict"),
                "dkimVerdict": verdict("DkimVerdict"),
                "dmarcVerdict": verdict("DmarcVerdict"),
                "action": {
                    "type": "Lambda",
                    "functionArn": o.string("FunctionArn", fn_arn(ctx, "ses-handler")),
                    "invocationType": o.string("InvocationType", "Event"),
                },
            },
        },
    }]})
}

// One Amazon SQS message as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html ("Example standard queue message event", "Example FIFO
// queue message event"); md5OfBody is the MD5 of the body (SQS API_Message.html); md5OfMessageAttributes is the digest
// of https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
// ("Calculating the MD5 message digest for message attributes": sorted by name; name, data type and value each with a
// 4-byte big-endian length; a transport byte 1 for String/Number, 2 for Binary before the value).
const SQS_TYPES: &[&str] = &["String", "Number", "Binary"];

fn sqs_attr_base(ty: &str) -> &str {
    ty.split('.').next().unwrap_or(ty)
}

/// (lambda-form attributes, md5 of the attributes) from `{"name": {"DataType":..., "StringValue"|"BinaryValue":...}}`
/// or the shorthand `{"name": "value"}` / `{"name": 42}`.
fn sqs_attributes(m: Option<&Map<String, Value>>) -> (Value, Option<String>) {
    let mut attrs: Vec<(String, String, Result<String, String>)> = Vec::new(); // (name, type, Ok(string) | Err(base64))
    for (name, v) in m.into_iter().flatten() {
        let entry = match v {
            Value::Object(a) => {
                let ty = a.get("DataType").and_then(Value::as_str).unwrap_or("String").to_string();
                if sqs_attr_base(&ty) == "Binary" {
                    (ty, Err(a.get("BinaryValue").map(scalar_text).unwrap_or_default()))
                } else {
                    (ty, Ok(a.get("StringValue").map(scalar_text).unwrap_or_default()))
                }
            }
            Value::Number(_) => ("Number".to_string(), Ok(scalar_text(v))),
            _ => ("String".to_string(), Ok(scalar_text(v))),
        };
        attrs.push((name.clone(), entry.0, entry.1));
    }
    if attrs.is_empty() {
        return (json!({}), None);
    }
    let mut out = Map::new();
    for (name, ty, value) in &attrs {
        let a = match value {
            Ok(s) => json!({"stringValue": s, "stringListValues": [], "binaryListValues": [], "dataType": ty}),
            Err(b) => json!({"binaryValue": b, "stringListValues": [], "binaryListValues": [], "dataType": ty}),
        };
        out.insert(name.clone(), a);
    }
    let mut sorted: Vec<&(String, String, Result<String, String>)> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut buf = Vec::new();
    for (name, ty, value) in sorted {
        put_len(&mut buf, name.as_bytes());
        put_len(&mut buf, ty.as_bytes());
        match value {
            Ok(s) => {
                buf.push(1);
                put_len(&mut buf, s.as_bytes());
            }
            Err(b) => {
                buf.push(2);
                put_len(&mut buf, &B64.decode(b).unwrap_or_default());
            }
        }
    }
    (Value::Object(out), Some(md5_hex(&buf)))
}

/// A 4-byte big-endian length, then the bytes.
fn put_len(buf: &mut Vec<u8>, b: &[u8]) {
    buf.extend_from_slice(&(b.len() as u32).to_be_bytes());
    buf.extend_from_slice(b);
}

fn sqs(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let arn = o
        .str("QueueArn")
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:sqs:{}:{}:{}", ctx.region, ctx.account_id, o.string("QueueName", "queue")));
    let fifo = arn.ends_with(".fifo");
    let body = text(ctx.payload);
    let sent = ctx.epoch_ms.max(0);
    let first_receive = sent + 1 + (word(ctx.key, 0x5a_01) % 20) as i64;
    let sender = o.string("SenderId", format!("AIDA{}", chars(stable(&[ctx.account_id]), 0x5a_02, 17, UPPER_ALNUM)));
    let receive_count = o.u64("ReceiveCount").unwrap_or(1).to_string();
    let mut attributes = Map::new();
    attributes.insert("ApproximateReceiveCount".into(), json!(receive_count));
    attributes.insert("SentTimestamp".into(), json!(sent.to_string()));
    if fifo {
        let seq = (sent as u64).wrapping_mul(1_000_000).wrapping_add(word(ctx.key, 0x5a_03) % 1_000_000);
        attributes.insert("SequenceNumber".into(), json!(format!("1{seq:019}")));
        attributes.insert("MessageGroupId".into(), json!(o.string("MessageGroupId", "default")));
    }
    attributes.insert("SenderId".into(), json!(sender));
    if fifo {
        attributes
            .insert("MessageDeduplicationId".into(), json!(o.string("MessageDeduplicationId", chars(ctx.key, 0x5a_04, 64, LOWER_HEX))));
    }
    attributes.insert("ApproximateFirstReceiveTimestamp".into(), json!(first_receive.to_string()));
    let (message_attributes, attributes_md5) = sqs_attributes(o.obj("MessageAttributes"));
    let mut rec = Map::new();
    rec.insert("messageId".into(), json!(uuid(ctx.key, 0x5a_05)));
    rec.insert("receiptHandle".into(), json!(format!("AQEB{}", b64(ctx.key, 0x5a_06, 96))));
    rec.insert("body".into(), json!(body));
    rec.insert("attributes".into(), Value::Object(attributes));
    rec.insert("messageAttributes".into(), message_attributes);
    rec.insert("md5OfBody".into(), json!(md5_hex(body.as_bytes())));
    if let Some(m) = attributes_md5 {
        rec.insert("md5OfMessageAttributes".into(), json!(m));
    }
    rec.insert("eventSource".into(), json!("aws:sqs"));
    rec.insert("eventSourceARN".into(), json!(arn));
    rec.insert("awsRegion".into(), json!(ctx.region));
    json!({"Records": [rec]})
}

// One Kinesis Data Streams record as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html ("Example Kinesis record event"): data is base64,
// approximateArrivalTimestamp is epoch seconds with milliseconds, eventID is "<shardId>:<sequenceNumber>".
fn kinesis(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let arn = o
        .str("StreamArn")
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:kinesis:{}:{}:stream/{}", ctx.region, ctx.account_id, o.string("StreamName", "stream")));
    let shard = o.string("ShardId", "shardId-000000000000");
    let seq = seq56(stable(&[&arn, &shard]), ctx.epoch_ms, ctx.key);
    json!({"Records": [{
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": o.string("PartitionKey", ctx.n.to_string()),
            "sequenceNumber": seq,
            "data": B64.encode(text(ctx.payload)),
            "approximateArrivalTimestamp": epoch_secs_f(ctx.epoch_ms),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": format!("{shard}:{seq}"),
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": o.string("RoleArn", format!("arn:aws:iam::{}:role/lambda-role", ctx.account_id)),
        "awsRegion": ctx.region,
        "eventSourceARN": arn,
    }]})
}

// One DynamoDB Streams record as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (example event) and
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html (Keys/NewImage/OldImage
// are AttributeValue maps, ApproximateCreationDateTime is epoch seconds, SequenceNumber 21 to 40 digits).
const DDB_EVENTS: &[&str] = &["INSERT", "MODIFY", "REMOVE"];
const DDB_VIEWS: &[&str] = &["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/// Plain JSON to a DynamoDB AttributeValue: strings `S`, numbers `N` (as text), booleans `BOOL`, null `NULL`, arrays
/// `L`, objects `M`.
pub(crate) fn attribute_value(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({"S": s}),
        Value::Number(x) => json!({"N": x.to_string()}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Null => json!({"NULL": true}),
        Value::Array(a) => json!({"L": a.iter().map(attribute_value).collect::<Vec<_>>()}),
        Value::Object(m) => json!({"M": item(m)}),
    }
}

pub(crate) fn item(m: &Map<String, Value>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), attribute_value(v))).collect())
}

fn dynamodb(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let table = o.string("TableName", "table");
    let event_name = o.string("EventName", "INSERT");
    let view = o.string("StreamViewType", "NEW_AND_OLD_IMAGES");
    let label = o.string("StreamLabel", "2024-01-01T00:00:00.000");
    let key_attrs = o.list("KeyAttributes").unwrap_or_else(|| vec!["id".to_string()]);
    let new_image = match ctx.payload {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => [("value".to_string(), other.clone())].into_iter().collect(),
    };
    let old_image = o.obj("OldImage").cloned().unwrap_or_else(|| new_image.clone());
    let source = if event_name == "REMOVE" { &old_image } else { &new_image };
    let keys: Map<String, Value> = key_attrs.iter().map(|k| (k.clone(), attribute_value(source.get(k).unwrap_or(&json!(ctx.n))))).collect();
    let with_new = event_name != "REMOVE" && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
    let with_old = event_name != "INSERT" && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
    let mut record = Map::new();
    record.insert("ApproximateCreationDateTime".into(), json!(ctx.epoch_ms.max(0) / 1000));
    record.insert("Keys".into(), Value::Object(keys.clone()));
    if with_new {
        record.insert("NewImage".into(), item(&new_image));
    }
    if with_old {
        record.insert("OldImage".into(), item(&old_image));
    }
    // SizeBytes approximates the item size by the serialized size of the keys and images carried.
    let size = record.iter().filter(|(k, _)| *k != "ApproximateCreationDateTime").map(|(_, v)| v.to_string().len()).sum::<usize>();
    record.insert("SequenceNumber".into(), json!(format!("1{:015}{:06}", ctx.epoch_ms.max(0), word(ctx.key, 0xdd_01) % 1_000_000)));
    record.insert("SizeBytes".into(), json!(size));
    record.insert("StreamViewType".into(), json!(view));
    json!({"Records": [{
        "eventID": chars(ctx.key, 0xdd_02, 32, LOWER_HEX),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": ctx.region,
        "dynamodb": record,
        "eventSourceARN": format!("arn:aws:dynamodb:{}:{}:table/{table}/stream/{label}", ctx.region, ctx.account_id),
    }]})
}

// Amazon Cognito user pool trigger.
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
// (common parameters version, triggerSource, region, userPoolId, userName, callerContext, request, response) and the
// per-trigger pages (e.g. user-pool-lambda-pre-sign-up.html for request.userAttributes/validationData and
// response.autoConfirmUser/autoVerifyEmail/autoVerifyPhone).
const COGNITO_TRIGGERS: &[&str] = &[
    "PreSignUp_SignUp",
    "PreSignUp_AdminCreateUser",
    "PreSignUp_ExternalProvider",
    "PostConfirmation_ConfirmSignUp",
    "PostConfirmation_ConfirmForgotPassword",
    "PreAuthentication_Authentication",
    "PostAuthentication_Authentication",
    "CustomMessage_SignUp",
    "CustomMessage_AdminCreateUser",
    "CustomMessage_ResendCode",
    "CustomMessage_ForgotPassword",
    "CustomMessage_UpdateUserAttribute",
    "CustomMessage_VerifyUserAttribute",
    "CustomMessage_Authentication",
    "DefineAuthChallenge_Authentication",
    "CreateAuthChallenge_Authentication",
    "VerifyAuthChallengeResponse_Authentication",
    "TokenGeneration_HostedAuth",
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "UserMigration_Authentication",
    "UserMigration_ForgotPassword",
];

fn cognito(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let trigger = o.string("TriggerSource", "PreSignUp_SignUp");
    let family = trigger.split('_').next().unwrap_or("").to_string();
    let pool = o.string("UserPoolId", format!("{}_{}", ctx.region, chars(stable(&[ctx.account_id, ctx.region]), 0xc0_01, 9, ALNUM)));
    let client = o.string("ClientId", chars(stable(&[&pool]), 0xc0_02, 26, LOWER_ALNUM));
    let user = o.string("UserName", format!("user-{}", ctx.n));
    let mut attrs = Map::new();
    if !matches!(family.as_str(), "PreSignUp" | "UserMigration") {
        attrs.insert("sub".into(), json!(uuid(stable(&[&pool, &user]), 0xc0_03)));
    }
    match ctx.payload {
        Value::Object(m) => attrs.extend(m.iter().map(|(k, v)| (k.clone(), json!(scalar_text(v))))),
        _ => {
            attrs.insert("email".into(), json!(format!("{user}@example.com")));
        }
    }
    let attrs = Value::Object(attrs);
    let (request, response) = match family.as_str() {
        "PreSignUp" => (
            json!({"userAttributes": attrs, "validationData": null}),
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
        ),
        "PreAuthentication" => (json!({"userAttributes": attrs, "validationData": null, "userNotFound": false}), json!({})),
        "PostAuthentication" => (json!({"userAttributes": attrs, "newDeviceUsed": false}), json!({})),
        "CustomMessage" => (
            json!({"userAttributes": attrs, "codeParameter": "{####}", "usernameParameter": null}),
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        ),
        "DefineAuthChallenge" => (
            json!({"userAttributes": attrs, "session": []}),
            json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
        ),
        "CreateAuthChallenge" => (
            json!({"userAttributes": attrs, "challengeName": "CUSTOM_CHALLENGE", "session": []}),
            json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null}),
        ),
        "VerifyAuthChallengeResponse" => {
            (json!({"userAttributes": attrs, "privateChallengeParameters": {}, "challengeAnswer": ""}), json!({"answerCorrect": null}))
        }
        "TokenGeneration" => (
            json!({
                "userAttributes": attrs,
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
            }),
            json!({"claimsOverrideDetails": null}),
        ),
        "UserMigration" => (
            json!({"password": "", "validationData": null}),
            json!({
                "userAttributes": null,
                "finalUserStatus": null,
                "messageAction": null,
                "desiredDeliveryMediums": null,
                "forceAliasCreation": null,
            }),
        ),
        // PostConfirmation and anything newer.
        _ => (json!({"userAttributes": attrs}), json!({})),
    };
    json!({
        "version": "1",
        "triggerSource": trigger,
        "region": ctx.region,
        "userPoolId": pool,
        "userName": user,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
        "request": request,
        "response": response,
    })
}

// AWS CloudFormation custom resource request.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html and crpg-ref.html
// (RequestType, ServiceToken, ResponseURL, StackId, RequestId, LogicalResourceId, PhysicalResourceId on Update/Delete,
// ResourceType, ResourceProperties, OldResourceProperties on Update).
const CFN_REQUESTS: &[&str] = &["Create", "Update", "Delete"];

fn cloudformation(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let request_type = o.string("RequestType", "Create");
    let stack = o.string("StackName", "stack");
    let logical = o.string("LogicalResourceId", "MyCustomResource");
    let token = o.string("ServiceToken", fn_arn(ctx, "custom-resource"));
    let stack_id = format!(
        "arn:aws:cloudformation:{}:{}:stack/{stack}/{}",
        ctx.region,
        ctx.account_id,
        uuid(stable(&[ctx.account_id, &stack]), 0xcf_01)
    );
    let request_id = uuid(ctx.key, 0xcf_02);
    let mut props = Map::new();
    props.insert("ServiceToken".into(), json!(token));
    if let Value::Object(m) = ctx.payload {
        props.extend(m.iter().filter(|(k, _)| *k != "ServiceToken").map(|(k, v)| (k.clone(), v.clone())));
    }
    let encoded_stack: String = stack_id
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let mut e = Map::new();
    e.insert("RequestType".into(), json!(request_type));
    e.insert("ServiceToken".into(), json!(token));
    e.insert(
        "ResponseURL".into(),
        json!(format!(
            "https://cloudformation-custom-resource-response-{}.s3.{}.amazonaws.com/{encoded_stack}%7C{logical}%7C{request_id}",
            ctx.region.replace('-', ""),
            ctx.region
        )),
    );
    e.insert("StackId".into(), json!(stack_id));
    e.insert("RequestId".into(), json!(request_id));
    e.insert("LogicalResourceId".into(), json!(logical));
    if request_type != "Create" {
        let physical = o
            .string("PhysicalResourceId", format!("{stack}-{logical}-{}", chars(stable(&[&stack_id, &logical]), 0xcf_03, 12, UPPER_ALNUM)));
        e.insert("PhysicalResourceId".into(), json!(physical));
    }
    e.insert("ResourceType".into(), json!(o.string("ResourceType", "Custom::Resource")));
    e.insert("ResourceProperties".into(), Value::Object(props.clone()));
    if request_type == "Update" {
        let mut old = Map::new();
        old.insert("ServiceToken".into(), json!(token));
        if let Some(m) = o.obj("OldResourceProperties") {
            old.extend(m.iter().filter(|(k, _)| *k != "ServiceToken").map(|(k, v)| (k.clone(), v.clone())));
        }
        e.insert("OldResourceProperties".into(), Value::Object(old));
    }
    Value::Object(e)
}

// Amazon CloudWatch Logs subscription filter delivery.
// https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html: {"awslogs": {"data": base64(gzip(JSON))}},
// the JSON holding messageType DATA_MESSAGE, owner, logGroup, logStream, subscriptionFilters and logEvents [{id,
// timestamp, message}]. The gzip header has no time stamp and a fixed OS byte, and the level is fixed, so the bytes are
// the same for the same document.
fn log_events(ctx: &EventCtx<'_>, o: &Opts) -> Vec<Value> {
    let items: Vec<Value> = match o.get("LogEvents") {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => match ctx.payload {
            Value::Array(a) => a.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        },
    };
    let group_seed = stable(&[ctx.account_id, ctx.region]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (message, ts) = match item {
                Value::Object(m) if m.contains_key("message") => {
                    (m.get("message").map(text).unwrap_or_default(), m.get("timestamp").and_then(Value::as_i64).unwrap_or(ctx.epoch_ms))
                }
                other => (text(other), ctx.epoch_ms),
            };
            let id = format!(
                "3{:019}{:017}{:019}",
                word(group_seed, 0xc1_01) % 10_000_000_000_000_000_000,
                ts.max(0),
                word(ctx.key, 0xc1_02 + i as u64) % 10_000_000_000_000_000_000
            );
            json!({"id": id, "timestamp": ts, "message": message})
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().mtime(0).operating_system(255).write(Vec::new(), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    enc.write_all(data).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

fn cloudwatch_logs(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let group = o.string("LogGroup", "/aws/lambda/app");
    let stream = o.string(
        "LogStream",
        format!("{}/[$LATEST]{}", utc(ctx.epoch_ms).format("%Y/%m/%d"), chars(stable(&[&group]), 0xc1_03, 32, LOWER_HEX)),
    );
    let filters = o.list("SubscriptionFilters").unwrap_or_else(|| vec!["lambdasim-filter".to_string()]);
    let doc = json!({
        "messageType": "DATA_MESSAGE",
        "owner": ctx.account_id,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": filters,
        "logEvents": log_events(ctx, o),
    });
    json!({"awslogs": {"data": B64.encode(gzip(doc.to_string().as_bytes()))}})
}

// Amazon EventBridge event delivered by a rule to a Lambda target.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html (version "0", id UUID v4,
// detail-type, source, account, time, region, resources, detail: a JSON object).
fn eventbridge(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let detail = match ctx.payload {
        Value::Object(_) => ctx.payload.clone(),
        Value::Null => json!({}),
        other => json!({"value": other}),
    };
    json!({
        "version": "0",
        "id": uuid(ctx.key, 0xeb_01),
        "detail-type": o.string("DetailType", "Event"),
        "source": o.string("Source", "my.app"),
        "account": ctx.account_id,
        "time": iso_s(ctx.epoch_ms),
        "region": ctx.region,
        "resources": o.list("Resources").unwrap_or_default(),
        "detail": detail,
    })
}

// AWS CodeCommit repository trigger.
// https://docs.aws.amazon.com/lambda/latest/dg/services-codecommit.html ("Example AWS CodeCommit message event";
// eventTime is written with milliseconds and "+0000").
const CODECOMMIT_EVENTS: &[&str] = &["ReferenceChanges", "TriggerEventTest"];

fn codecommit(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let repo = o.string("Repository", "repo");
    let trigger = o.string("TriggerName", "lambdasim-trigger");
    let mut reference = Map::new();
    reference.insert("commit".into(), json!(chars(ctx.key, 0xcc_01, 40, LOWER_HEX)));
    reference.insert("ref".into(), json!(o.string("Ref", "refs/heads/main")));
    if o.bool("Created", false) {
        reference.insert("created".into(), json!(true));
    }
    let mut rec = Map::new();
    rec.insert("awsRegion".into(), json!(ctx.region));
    rec.insert("codecommit".into(), json!({"references": [reference]}));
    let custom = o.str("CustomData").map(str::to_string).or_else(|| (!ctx.payload.is_null()).then(|| text(ctx.payload)));
    if let Some(c) = custom {
        rec.insert("customData".into(), json!(c));
    }
    rec.insert("eventId".into(), json!(uuid(ctx.key, 0xcc_02)));
    rec.insert("eventName".into(), json!(o.string("EventName", "ReferenceChanges")));
    rec.insert("eventPartNumber".into(), json!(1));
    rec.insert("eventSource".into(), json!("aws:codecommit"));
    rec.insert("eventSourceARN".into(), json!(format!("arn:aws:codecommit:{}:{}:{repo}", ctx.region, ctx.account_id)));
    rec.insert("eventTime".into(), json!(utc(ctx.epoch_ms).format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()));
    rec.insert("eventTotalParts".into(), json!(1));
    rec.insert("eventTriggerConfigId".into(), json!(uuid(stable(&[&repo, &trigger]), 0xcc_03)));
    rec.insert("eventTriggerName".into(), json!(trigger));
    rec.insert("eventVersion".into(), json!("1.0"));
    rec.insert("userIdentityARN".into(), json!(o.string("UserArn", format!("arn:aws:iam::{}:user/dev", ctx.account_id))));
    json!({"Records": [rec]})
}

// AWS Config custom Lambda rule evaluation.
// https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html
// (invokingEvent and ruleParameters are JSON strings; resultToken, eventLeftScope, executionRoleArn, configRuleArn,
// configRuleName, configRuleId, accountId, version).
const CONFIG_MESSAGES: &[&str] =
    &["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification", "ScheduledNotification"];

fn config(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let rule = o.string("ConfigRuleName", "lambdasim-rule");
    let rule_id = format!("config-rule-{}", chars(stable(&[ctx.account_id, &rule]), 0xc6_01, 6, LOWER_ALNUM));
    let message_type = o.string("MessageType", "ConfigurationItemChangeNotification");
    let now = iso_ms(ctx.epoch_ms);
    let invoking = if message_type == "ScheduledNotification" {
        json!({"awsAccountId": ctx.account_id, "notificationCreationTime": now, "messageType": message_type, "recordVersion": "1.0"})
    } else {
        let rtype = o.string("ResourceType", "AWS::EC2::Instance");
        let rid = o.string("ResourceId", format!("i-{}", chars(ctx.key, 0xc6_02, 17, LOWER_HEX)));
        let mut parts = rtype.split("::").skip(1);
        let service = parts.next().unwrap_or("ec2").to_ascii_lowercase();
        let resource = parts.next().unwrap_or("resource").to_ascii_lowercase();
        let arn = o.string("ResourceArn", format!("arn:aws:{service}:{}:{}:{resource}/{rid}", ctx.region, ctx.account_id));
        let configuration = if ctx.payload.is_object() { ctx.payload.clone() } else { json!({}) };
        json!({
            "configurationItem": {
                "configurationItemCaptureTime": now,
                "awsAccountId": ctx.account_id,
                "configurationItemStatus": "OK",
                "resourceId": rid,
                "ARN": arn,
                "awsRegion": ctx.region,
                "availabilityZone": format!("{}a", ctx.region),
                "resourceType": rtype,
                "tags": {},
                "relationships": [],
                "configuration": configuration,
            },
            "notificationCreationTime": now,
            "messageType": message_type,
            "recordVersion": "1.3",
        })
    };
    let params = o.obj("RuleParameters").cloned().unwrap_or_default();
    json!({
        "invokingEvent": invoking.to_string(),
        "ruleParameters": Value::Object(params).to_string(),
        "resultToken": b64(ctx.key, 0xc6_03, 48),
        "eventLeftScope": o.bool("EventLeftScope", false),
        "executionRoleArn": format!("arn:aws:iam::{}:role/config-role", ctx.account_id),
        "configRuleArn": format!("arn:aws:config:{}:{}:config-rule/{rule_id}", ctx.region, ctx.account_id),
        "configRuleName": rule,
        "configRuleId": rule_id,
        "accountId": ctx.account_id,
        "version": "1.0",
    })
}

// Alexa Smart Home directive (payload version 3).
// https://developer.amazon.com/docs/device-apis/alexa-discovery.html (Discover: header + payload.scope) and
// https://developer.amazon.com/docs/device-apis/alexa-powercontroller.html (TurnOn: header with correlationToken,
// endpoint {scope, endpointId, cookie}, payload).
fn alexa(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let namespace = o.string("Namespace", "Alexa.PowerController");
    let name = o.string("Name", if namespace == "Alexa.Discovery" { "Discover" } else { "TurnOn" });
    let token = o.string("Token", format!("Atza|{}", b64url(stable(&[ctx.account_id]), 0xa1_01, 48)));
    let scope = json!({"type": "BearerToken", "token": token});
    let message_id = uuid(ctx.key, 0xa1_02);
    if namespace == "Alexa.Discovery" {
        return json!({"directive": {
            "header": {"namespace": namespace, "name": name, "messageId": message_id, "payloadVersion": "3"},
            "payload": {"scope": scope},
        }});
    }
    let payload = if ctx.payload.is_object() { ctx.payload.clone() } else { json!({}) };
    json!({"directive": {
        "header": {
            "namespace": namespace,
            "name": name,
            "messageId": message_id,
            "correlationToken": b64(ctx.key, 0xa1_03, 48),
            "payloadVersion": "3",
        },
        "endpoint": {
            "scope": scope,
            "endpointId": o.string("EndpointId", "endpoint-001"),
            "cookie": o.obj("Cookie").cloned().unwrap_or_default(),
        },
        "payload": payload,
    }})
}

// Amazon Lex V2 code hook.
// https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html (messageVersion, invocationSource, inputMode,
// responseContentType, sessionId, inputTranscript, bot, interpretations, sessionState) and lambda-common-structures
// (intent {name, slots, state, confirmationState}; slot {shape, value {originalValue, interpretedValue, resolvedValues}}).
const LEX_SOURCES: &[&str] = &["DialogCodeHook", "FulfillmentCodeHook"];
const LEX_MODES: &[&str] = &["Text", "Speech", "DTMF"];

fn lex(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let source = o.string("InvocationSource", "FulfillmentCodeHook");
    let bot_name = o.string("BotName", "LambdasimBot");
    let (transcript, slots) = match ctx.payload {
        Value::String(s) => (o.string("InputTranscript", s.clone()), Map::new()),
        Value::Object(m) => (
            o.string("InputTranscript", ""),
            m.iter()
                .map(|(k, v)| {
                    let t = scalar_text(v);
                    (k.clone(), json!({"shape": "Scalar", "value": {"originalValue": t, "interpretedValue": t, "resolvedValues": [t]}}))
                })
                .collect(),
        ),
        _ => (o.string("InputTranscript", ""), Map::new()),
    };
    let intent = json!({
        "name": o.string("IntentName", "Intent"),
        "slots": slots,
        "state": if source == "FulfillmentCodeHook" { "ReadyForFulfillment" } else { "InProgress" },
        "confirmationState": "None",
    });
    json!({
        "messageVersion": "1.0",
        "invocationSource": source,
        "inputMode": o.string("InputMode", "Text"),
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": o.string("SessionId", chars(ctx.key, 0x1e_01, 15, DIGITS)),
        "inputTranscript": transcript,
        "bot": {
            "id": o.string("BotId", chars(stable(&[ctx.account_id, &bot_name]), 0x1e_02, 10, UPPER_ALNUM)),
            "name": bot_name,
            "localeId": o.string("LocaleId", "en_US"),
            "version": o.string("BotVersion", "DRAFT"),
            "aliasId": o.string("AliasId", "TSTALIASID"),
            "aliasName": o.string("AliasName", "TestBotAlias"),
        },
        "interpretations": [{"intent": intent, "nluConfidence": 1.0, "interpretationSource": "Lex"}],
        "sessionState": {
            "sessionAttributes": o.obj("SessionAttributes").cloned().unwrap_or_default(),
            "intent": intent,
            "originatingRequestId": uuid(ctx.key, 0x1e_03),
        },
    })
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP sources (API Gateway REST and HTTP APIs, ALB)

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The request an HTTP client made, from the options and payload.
struct HttpReq {
    method: String,
    path: String,
    raw_query: String,
    /// Decoded query parameters in order, repeated names kept.
    query: Vec<(String, String)>,
    /// Client headers in order, each with its values.
    headers: Vec<(String, Vec<String>)>,
    body: Option<String>,
    base64: bool,
    source_ip: String,
    user_agent: String,
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                out.push(hex_val(b[i + 1]) << 4 | hex_val(b[i + 2]));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

fn pct_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn values_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    }
}

fn http_req(ctx: &EventCtx<'_>, o: &Opts) -> HttpReq {
    let full = o.string("Path", "/");
    let (path, mut raw_query) = match full.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (full.clone(), String::new()),
    };
    let mut query: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (pct_decode(k), pct_decode(v)),
            None => (pct_decode(p), String::new()),
        })
        .collect();
    for (k, v) in o.obj("Query").into_iter().flatten() {
        for x in values_of(v) {
            if !raw_query.is_empty() {
                raw_query.push('&');
            }
            raw_query.push_str(&format!("{}={}", pct_encode(k), pct_encode(&x)));
            query.push((k.clone(), x));
        }
    }
    let body_value = o.get("Body").unwrap_or(ctx.payload);
    let base64 = o.bool("IsBase64Encoded", false);
    let body = (!body_value.is_null()).then(|| text(body_value)).map(|b| if base64 { B64.encode(b) } else { b });
    let mut headers: Vec<(String, Vec<String>)> = Vec::new();
    if body.is_some() {
        headers.push(("Content-Type".into(), vec![if body_value.is_string() { "text/plain" } else { "application/json" }.into()]));
    }
    for (k, v) in o.obj("Headers").into_iter().flatten() {
        match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(k)) {
            Some(h) => *h = (k.clone(), values_of(v)),
            None => headers.push((k.clone(), values_of(v))),
        }
    }
    HttpReq {
        method: o.string("Method", if body.is_some() { "POST" } else { "GET" }).to_ascii_uppercase(),
        path,
        raw_query,
        query,
        headers,
        body,
        base64,
        source_ip: o.string("SourceIp", doc_ip(ctx.key, 0x4e_01)),
        user_agent: o.string("UserAgent", "lambdasim/1.0"),
    }
}

fn trace_id(ctx: &EventCtx<'_>) -> String {
    format!("Root=1-{:08x}-{}", ctx.epoch_ms.max(0) / 1000, chars(ctx.key, 0x4e_02, 24, LOWER_HEX))
}

/// The headers the service passes on: `base` (name, value) first unless the client sent the same name, then the
/// client's own headers; names lower-cased when `lower`.
fn merged_headers(base: Vec<(&str, String)>, req: &HttpReq, lower: bool) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in base {
        if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
            out.push((k.to_string(), vec![v]));
        }
    }
    out.extend(req.headers.iter().cloned());
    if lower {
        for (k, _) in &mut out {
            *k = k.to_ascii_lowercase();
        }
    }
    out.sort_by_key(|a| a.0.to_ascii_lowercase());
    out
}

fn single_map(h: &[(String, Vec<String>)], join: bool) -> Value {
    Value::Object(
        h.iter().map(|(k, v)| (k.clone(), json!(if join { v.join(",") } else { v.last().cloned().unwrap_or_default() }))).collect(),
    )
}

fn multi_map(h: &[(String, Vec<String>)]) -> Value {
    Value::Object(h.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn grouped_query(q: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in q {
        match out.iter_mut().find(|(x, _)| x == k) {
            Some((_, vs)) => vs.push(v.clone()),
            None => out.push((k.clone(), vec![v.clone()])),
        }
    }
    out
}

fn str_map(m: Option<&Map<String, Value>>) -> Option<Value> {
    m.filter(|m| !m.is_empty()).map(|m| Value::Object(m.iter().map(|(k, v)| (k.clone(), json!(scalar_text(v)))).collect()))
}

fn api_id(ctx: &EventCtx<'_>, o: &Opts, salt: u64) -> String {
    o.string("ApiId", chars(stable(&[ctx.account_id, ctx.region]), salt, 10, LOWER_ALNUM))
}

// API Gateway REST API, Lambda proxy integration (payload format 1.0).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html ("Input format of a
// Lambda function for proxy integration"): resource, path, httpMethod, headers, multiValueHeaders,
// queryStringParameters, multiValueQueryStringParameters, pathParameters, stageVariables, requestContext (with
// identity), body as a string, isBase64Encoded; absent maps are null.
fn apigw_rest(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let api = api_id(ctx, o, 0x4e_03);
    let stage = o.string("Stage", "prod");
    let domain = format!("{api}.execute-api.{}.amazonaws.com", ctx.region);
    let resource = o.string("Resource", req.path.clone());
    let headers = merged_headers(
        vec![
            ("Accept", "*/*".to_string()),
            ("Host", domain.clone()),
            ("User-Agent", req.user_agent.clone()),
            ("X-Amzn-Trace-Id", trace_id(ctx)),
            ("X-Forwarded-For", req.source_ip.clone()),
            ("X-Forwarded-Port", "443".to_string()),
            ("X-Forwarded-Proto", "https".to_string()),
        ],
        &req,
        false,
    );
    let query = grouped_query(&req.query);
    let (qs, mqs) = if query.is_empty() { (Value::Null, Value::Null) } else { (single_map(&query, false), multi_map(&query)) };
    json!({
        "resource": resource,
        "path": req.path,
        "httpMethod": req.method,
        "headers": single_map(&headers, false),
        "multiValueHeaders": multi_map(&headers),
        "queryStringParameters": qs,
        "multiValueQueryStringParameters": mqs,
        "pathParameters": str_map(o.obj("PathParameters")),
        "stageVariables": str_map(o.obj("StageVariables")),
        "requestContext": {
            "resourceId": chars(stable(&[&api, &resource]), 0x4e_04, 6, LOWER_ALNUM),
            "resourcePath": resource,
            "httpMethod": req.method,
            "extendedRequestId": b64url(ctx.key, 0x4e_05, 11),
            "requestTime": clf(ctx.epoch_ms),
            "path": format!("/{stage}{}", req.path),
            "accountId": ctx.account_id,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": api,
            "requestTimeEpoch": ctx.epoch_ms,
            "requestId": uuid(ctx.key, 0x4e_06),
            "identity": {
                "cognitoIdentityPoolId": null,
                "accountId": null,
                "cognitoIdentityId": null,
                "caller": null,
                "sourceIp": req.source_ip,
                "principalOrgId": null,
                "accessKey": null,
                "cognitoAuthenticationType": null,
                "cognitoAuthenticationProvider": null,
                "userArn": null,
                "userAgent": req.user_agent,
                "user": null,
            },
            "domainName": domain,
            "apiId": api,
        },
        "body": req.body,
        "isBase64Encoded": req.base64,
    })
}

// API Gateway HTTP API, Lambda integration payload format 2.0.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html (version
// "2.0", routeKey, rawPath, rawQueryString, cookies, lower-case headers with repeated values joined by commas,
// queryStringParameters, requestContext {accountId, apiId, domainName, domainPrefix, http {method, path, protocol,
// sourceIp, userAgent}, requestId, routeKey, stage, time, timeEpoch}, pathParameters, stageVariables, body,
// isBase64Encoded; absent fields are left out).
fn apigw_http(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let api = api_id(ctx, o, 0x4e_07);
    let stage = o.string("Stage", "$default");
    let domain = format!("{api}.execute-api.{}.amazonaws.com", ctx.region);
    let route = o.string("RouteKey", format!("{} {}", req.method, o.string("Resource", req.path.clone())));
    let raw_path = if stage == "$default" { req.path.clone() } else { format!("/{stage}{}", req.path) };
    let mut base = vec![("accept", "*/*".to_string())];
    if let Some(b) = &req.body {
        base.push(("content-length", b.len().to_string()));
    }
    base.extend([
        ("host", domain.clone()),
        ("user-agent", req.user_agent.clone()),
        ("x-amzn-trace-id", trace_id(ctx)),
        ("x-forwarded-for", req.source_ip.clone()),
        ("x-forwarded-port", "443".to_string()),
        ("x-forwarded-proto", "https".to_string()),
    ]);
    let headers = merged_headers(base, &req, true);
    let mut e = Map::new();
    e.insert("version".into(), json!("2.0"));
    e.insert("routeKey".into(), json!(route));
    e.insert("rawPath".into(), json!(raw_path));
    e.insert("rawQueryString".into(), json!(req.raw_query));
    if let Some(c) = o.list("Cookies") {
        e.insert("cookies".into(), json!(c));
    }
    e.insert("headers".into(), single_map(&headers, true));
    let query = grouped_query(&req.query);
    if !query.is_empty() {
        e.insert("queryStringParameters".into(), single_map(&query, true));
    }
    e.insert(
        "requestContext".into(),
        json!({
            "accountId": ctx.account_id,
            "apiId": api,
            "domainName": domain,
            "domainPrefix": api,
            "http": {
                "method": req.method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": req.source_ip,
                "userAgent": req.user_agent,
            },
            "requestId": b64url(ctx.key, 0x4e_08, 11),
            "routeKey": route,
            "stage": stage,
            "time": clf(ctx.epoch_ms),
            "timeEpoch": ctx.epoch_ms,
        }),
    );
    if let Some(p) = str_map(o.obj("PathParameters")) {
        e.insert("pathParameters".into(), p);
    }
    if let Some(s) = str_map(o.obj("StageVariables")) {
        e.insert("stageVariables".into(), s);
    }
    if let Some(b) = req.body {
        e.insert("body".into(), json!(b));
    }
    e.insert("isBase64Encoded".into(), json!(req.base64));
    Value::Object(e)
}

// Application Load Balancer with a Lambda target group.
// https://docs.aws.amazon.com/lambda/latest/dg/services-alb.html ("Example Application Load Balancer request event")
// and https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html (multi-value headers
// mode replaces headers/queryStringParameters with multiValueHeaders/multiValueQueryStringParameters).
fn alb(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let req = http_req(ctx, o);
    let tg = o.string(
        "TargetGroupArn",
        format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/lambdasim-tg/{}",
            ctx.region,
            ctx.account_id,
            chars(stable(&[ctx.account_id, ctx.region]), 0xa7_01, 16, LOWER_HEX)
        ),
    );
    let host = format!("lambdasim-alb-{}.{}.elb.amazonaws.com", chars(stable(&[&tg]), 0xa7_02, 9, DIGITS), ctx.region);
    let headers = merged_headers(
        vec![
            ("accept", "*/*".to_string()),
            ("host", host),
            ("user-agent", req.user_agent.clone()),
            ("x-amzn-trace-id", trace_id(ctx)),
            ("x-forwarded-for", req.source_ip.clone()),
            ("x-forwarded-port", "443".to_string()),
            ("x-forwarded-proto", "https".to_string()),
        ],
        &req,
        true,
    );
    let query = grouped_query(&req.query);
    let multi = o.bool("MultiValueHeaders", false);
    let mut e = Map::new();
    e.insert("requestContext".into(), json!({"elb": {"targetGroupArn": tg}}));
    e.insert("httpMethod".into(), json!(req.method));
    e.insert("path".into(), json!(req.path));
    if multi {
        e.insert("multiValueQueryStringParameters".into(), multi_map(&query));
        e.insert("multiValueHeaders".into(), multi_map(&headers));
    } else {
        e.insert("queryStringParameters".into(), single_map(&query, false));
        e.insert("headers".into(), single_map(&headers, false));
    }
    e.insert("body".into(), json!(req.body.unwrap_or_default()));
    e.insert("isBase64Encoded".into(), json!(req.base64));
    Value::Object(e)
}

// AWS IoT rule with a Lambda action: the function receives what the rule's SQL selects from the MQTT message (with
// `SELECT *`, the message payload itself).
// https://docs.aws.amazon.com/lambda/latest/dg/services-iot.html ("Example AWS IoT message event") and
// https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html. The option "Extra" maps output names
// to the SQL functions topic(), topic(N), clientid() and timestamp(), as in `SELECT *, topic(2) AS device`.
fn iot_function(f: &str, topic: &str, client: &str, epoch_ms: i64) -> Option<Value> {
    let f = f.trim();
    if f == "topic()" {
        return Some(json!(topic));
    }
    if f == "clientid()" {
        return Some(json!(client));
    }
    if f == "timestamp()" {
        return Some(json!(epoch_ms));
    }
    let n: usize = f.strip_prefix("topic(")?.strip_suffix(')')?.trim().parse().ok()?;
    Some(topic.split('/').nth(n.checked_sub(1)?).map(Value::from).unwrap_or(Value::Null))
}

fn iot(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let mut event = ctx.payload.clone();
    if let (Value::Object(m), Some(extra)) = (&mut event, o.obj("Extra")) {
        let topic = o.string("Topic", format!("devices/{}/data", ctx.n));
        let client = o.string("ClientId", format!("device-{}", ctx.n));
        for (alias, f) in extra {
            if let Some(v) = f.as_str().and_then(|f| iot_function(f, &topic, &client, ctx.epoch_ms)) {
                m.insert(alias.clone(), v);
            }
        }
    }
    event
}

// CloudFront Lambda@Edge trigger.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html (Records[].cf.config
// {distributionDomainName, distributionId, eventType, requestId}; request {clientIp, headers (lower-case name -> [{key,
// value}]), method, querystring, uri}, body {inputTruncated, action, encoding, data} when "include body" is on, origin
// on origin events, response {status, statusDescription, headers} on response events).
const EDGE_EVENTS: &[&str] = &["viewer-request", "origin-request", "origin-response", "viewer-response"];

fn edge_headers(h: &[(String, Vec<String>)]) -> Value {
    let mut out = Map::new();
    for (k, vs) in h {
        out.insert(k.to_ascii_lowercase(), Value::Array(vs.iter().map(|v| json!({"key": k, "value": v})).collect()));
    }
    Value::Object(out)
}

fn status_text(code: u64) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn cloudfront(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let event_type = o.string("EventType", "viewer-request");
    let dist_seed = stable(&[ctx.account_id]);
    let dist_id = o.string("DistributionId", format!("E{}", chars(dist_seed, 0xcd_01, 13, UPPER_ALNUM)));
    let dist_domain = o.string("DistributionDomainName", format!("d{}.cloudfront.net", chars(dist_seed, 0xcd_02, 13, LOWER_ALNUM)));
    let client_ip = o.string("ClientIp", doc_ip(ctx.key, 0xcd_03));
    let origin_event = event_type.starts_with("origin-");
    let host = if origin_event { o.string("OriginDomain", "example.org") } else { dist_domain.clone() };
    let mut headers: Vec<(String, Vec<String>)> = vec![
        ("Host".to_string(), vec![host.clone()]),
        (
            "User-Agent".to_string(),
            vec![if origin_event { "Amazon CloudFront".to_string() } else { o.string("UserAgent", "lambdasim/1.0") }],
        ),
    ];
    for (k, v) in o.obj("Headers").into_iter().flatten() {
        match headers.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(k)) {
            Some(h) => *h = (k.clone(), values_of(v)),
            None => headers.push((k.clone(), values_of(v))),
        }
    }
    let mut request = Map::new();
    let with_body = o.bool("IncludeBody", !ctx.payload.is_null()) && event_type.ends_with("-request");
    if with_body {
        request.insert(
            "body".into(),
            json!({"inputTruncated": false, "action": "read-only", "encoding": "base64", "data": B64.encode(text(ctx.payload))}),
        );
    }
    request.insert("clientIp".into(), json!(client_ip));
    request.insert("headers".into(), edge_headers(&headers));
    request.insert("method".into(), json!(o.string("Method", "GET").to_ascii_uppercase()));
    if origin_event {
        request.insert(
            "origin".into(),
            json!({"custom": {
                "customHeaders": {},
                "domainName": host,
                "keepaliveTimeout": 5,
                "path": "",
                "port": 443,
                "protocol": "https",
                "readTimeout": 30,
                "sslProtocols": ["TLSv1.2"],
            }}),
        );
    }
    request.insert("querystring".into(), json!(o.string("Querystring", "")));
    request.insert("uri".into(), json!(o.string("Uri", "/")));
    let mut cf = Map::new();
    cf.insert(
        "config".into(),
        json!({
            "distributionDomainName": dist_domain,
            "distributionId": dist_id,
            "eventType": event_type,
            "requestId": b64url(ctx.key, 0xcd_04, 40),
        }),
    );
    cf.insert("request".into(), Value::Object(request));
    if event_type.ends_with("-response") {
        let status = o.get("Status").map(scalar_text).unwrap_or_else(|| "200".to_string());
        let description = status.parse().map(status_text).unwrap_or("");
        cf.insert(
            "response".into(),
            json!({
                "headers": edge_headers(&[("Content-Type".to_string(), vec!["text/html".to_string()])]),
                "status": status,
                "statusDescription": description,
            }),
        );
    }
    json!({"Records": [{"cf": cf}]})
}

// Amazon Data Firehose data transformation.
// https://docs.aws.amazon.com/lambda/latest/dg/services-kinesisfirehose.html (invocationId, deliveryStreamArn, region,
// records [{recordId, approximateArrivalTimestamp (epoch ms), data (base64)}], plus sourceKinesisStreamArn and
// kinesisRecordMetadata when the source is a Kinesis stream) and
// https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html for the response.
fn firehose(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let stream = o.str("DeliveryStreamArn").map(str::to_string).unwrap_or_else(|| {
        format!("arn:aws:firehose:{}:{}:deliverystream/{}", ctx.region, ctx.account_id, o.string("DeliveryStreamName", "stream"))
    });
    let items: Vec<Value> = match o.get("Records") {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => match ctx.payload {
            Value::Array(a) => a.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        },
    };
    let source = o.str("SourceKinesisStreamArn").map(str::to_string);
    let base = seq56(stable(&[&stream]), ctx.epoch_ms, ctx.key);
    let records: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut r = Map::new();
            r.insert("recordId".into(), json!(format!("{base}{i:06}")));
            r.insert("approximateArrivalTimestamp".into(), json!(ctx.epoch_ms));
            r.insert("data".into(), json!(B64.encode(text(item))));
            if let Some(src) = &source {
                r.insert(
                    "kinesisRecordMetadata".into(),
                    json!({
                        "shardId": "shardId-000000000000",
                        "partitionKey": uuid(ctx.key, 0xf1_00 + i as u64),
                        "approximateArrivalTimestamp": ctx.epoch_ms,
                        "sequenceNumber": seq56(stable(&[src]), ctx.epoch_ms, ctx.key.wrapping_add(i as u64)),
                        "subsequenceNumber": 0,
                    }),
                );
            }
            Value::Object(r)
        })
        .collect();
    let mut e = Map::new();
    e.insert("invocationId".into(), json!(uuid(ctx.key, 0xf1_01)));
    e.insert("deliveryStreamArn".into(), json!(stream));
    if let Some(src) = source {
        e.insert("sourceKinesisStreamArn".into(), json!(src));
    }
    e.insert("region".into(), json!(ctx.region));
    e.insert("records".into(), json!(records));
    Value::Object(e)
}

/// For Firehose transformation: interpret a function response: per record Ok / Dropped / ProcessingFailed counts, or an error message when the response is malformed.
///
/// Firehose requires one response record per input record, each with the input's `recordId`, a `result` of `Ok`,
/// `Dropped` or `ProcessingFailed`, and base64 `data` (checked for `Ok` records, the ones Firehose delivers). A
/// response that breaks these rules is a transformation failure of the whole invocation: the caller counts every record
/// as ProcessingFailed.
pub fn firehose_result(response: &serde_json::Value, record_ids: &[String]) -> Result<FirehoseCounts, String> {
    let records = response
        .get("records")
        .ok_or_else(|| format!("the response has no \"records\" field (got {})", short(response)))?
        .as_array()
        .ok_or_else(|| "\"records\" is not an array".to_string())?;
    let mut seen = vec![false; record_ids.len()];
    let mut counts = FirehoseCounts::default();
    for (i, r) in records.iter().enumerate() {
        let id = r
            .get("recordId")
            .ok_or_else(|| format!("records[{i}] has no recordId"))?
            .as_str()
            .ok_or_else(|| format!("records[{i}].recordId is not a string"))?;
        let pos =
            record_ids.iter().position(|x| x == id).ok_or_else(|| format!("records[{i}].recordId \"{id}\" matches no input record"))?;
        if std::mem::replace(&mut seen[pos], true) {
            return Err(format!("records[{i}].recordId \"{id}\" appears twice"));
        }
        let result = r.get("result").ok_or_else(|| format!("records[{i}] has no result"))?;
        match result.as_str() {
            Some("Ok") => {
                let data = r.get("data").and_then(Value::as_str).ok_or_else(|| format!("records[{i}] is Ok but has no string \"data\""))?;
                B64.decode(data).map_err(|e| format!("records[{i}].data is not base64: {e}"))?;
                counts.ok += 1;
            }
            Some("Dropped") => counts.dropped += 1,
            Some("ProcessingFailed") => counts.processing_failed += 1,
            _ => return Err(format!("records[{i}].result is {}; allowed: \"Ok\", \"Dropped\", \"ProcessingFailed\"", short(result))),
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!(
            "the response has no record for recordId \"{}\" ({} of {} input records answered)",
            record_ids[missing],
            records.len(),
            record_ids.len()
        ));
    }
    Ok(counts)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// option validation

/// Validation of the options for a kind: Err((json sub-path, message naming the bad value and what is allowed)).
///
/// `null` options mean "all defaults". Unknown option names are rejected (they are usually typos); a `null` value
/// counts as absent.
pub fn check_options(kind: SourceKind, options: &serde_json::Value) -> Result<(), (String, String)> {
    let m = match options {
        Value::Null => return Ok(()),
        Value::Object(m) => m,
        other => return Err((String::new(), format!("{} options must be a JSON object, got {}", kind.name(), short(other)))),
    };
    let c = Checker { kind: kind.name(), m };
    match kind {
        SourceKind::S3 => {
            c.keys(&["Bucket", "Key", "EventName", "Size", "VersionId", "ConfigurationId", "EventVersion"])?;
            c.strings(&["Bucket", "Key", "VersionId", "ConfigurationId"])?;
            c.nonempty("Bucket")?;
            if let Some(v) = c.get("EventName") {
                let s = c.string_value("EventName", v)?;
                if !S3_EVENTS.contains(&s.strip_prefix("s3:").unwrap_or(s)) {
                    return Err(c.bad("EventName", v, &format!("an S3 event type: {}", S3_EVENTS.join(", "))));
                }
            }
            c.one_of("EventVersion", &["2.1", "2.2", "2.3", "2.4", "2.5"])?;
            c.uint("Size", 0)?;
        }
        SourceKind::Sns => {
            c.keys(&["TopicArn", "Subject", "MessageAttributes"])?;
            c.prefixed("TopicArn", "arn:aws:sns:")?;
            c.strings(&["Subject"])?;
            c.attributes("MessageAttributes", "Type", SNS_ATTR_TYPES, false)?;
        }
        SourceKind::Ses => {
            let verdicts = ["SpamVerdict", "VirusVerdict", "SpfVerdict", "DkimVerdict", "DmarcVerdict"];
            let mut keys = vec!["From", "To", "Subject", "FunctionArn", "InvocationType"];
            keys.extend(verdicts);
            c.keys(&keys)?;
            c.strings(&["From", "Subject"])?;
            c.list("To")?;
            c.prefixed("FunctionArn", "arn:aws:lambda:")?;
            c.one_of("InvocationType", &["Event", "RequestResponse"])?;
            for v in verdicts {
                c.one_of(v, SES_VERDICTS)?;
            }
        }
        SourceKind::Sqs => {
            c.keys(&[
                "QueueArn",
                "QueueName",
                "MessageAttributes",
                "ReceiveCount",
                "SenderId",
                "MessageGroupId",
                "MessageDeduplicationId",
            ])?;
            c.prefixed("QueueArn", "arn:aws:sqs:")?;
            c.strings(&["QueueName", "SenderId", "MessageGroupId", "MessageDeduplicationId"])?;
            c.nonempty("QueueName")?;
            c.uint("ReceiveCount", 1)?;
            c.attributes("MessageAttributes", "DataType", SQS_TYPES, true)?;
        }
        SourceKind::Kinesis => {
            c.keys(&["StreamArn", "StreamName", "PartitionKey", "ShardId", "RoleArn"])?;
            c.prefixed("StreamArn", "arn:aws:kinesis:")?;
            c.prefixed("RoleArn", "arn:aws:iam::")?;
            c.prefixed("ShardId", "shardId-")?;
            c.strings(&["StreamName", "PartitionKey"])?;
            c.nonempty("PartitionKey")?;
        }
        SourceKind::DynamoDb => {
            c.keys(&["TableName", "EventName", "StreamViewType", "KeyAttributes", "OldImage", "StreamLabel"])?;
            c.strings(&["TableName", "StreamLabel"])?;
            c.nonempty("TableName")?;
            c.one_of("EventName", DDB_EVENTS)?;
            c.one_of("StreamViewType", DDB_VIEWS)?;
            c.list("KeyAttributes")?;
            c.object("OldImage")?;
        }
        SourceKind::Cognito => {
            c.keys(&["TriggerSource", "UserPoolId", "ClientId", "UserName"])?;
            c.one_of("TriggerSource", COGNITO_TRIGGERS)?;
            c.strings(&["UserPoolId", "ClientId", "UserName"])?;
        }
        SourceKind::CloudFormation => {
            c.keys(&[
                "RequestType",
                "ResourceType",
                "LogicalResourceId",
                "StackName",
                "PhysicalResourceId",
                "OldResourceProperties",
                "ServiceToken",
            ])?;
            c.one_of("RequestType", CFN_REQUESTS)?;
            c.strings(&["LogicalResourceId", "StackName", "PhysicalResourceId", "ServiceToken"])?;
            c.nonempty("LogicalResourceId")?;
            c.object("OldResourceProperties")?;
            if let Some(v) = c.get("ResourceType") {
                let s = c.string_value("ResourceType", v)?;
                let custom = s
                    .strip_prefix("Custom::")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"_@-".contains(&b)));
                if s.len() > 60 || !(custom || s == "AWS::CloudFormation::CustomResource") {
                    return Err(c.bad(
                        "ResourceType",
                        v,
                        "\"AWS::CloudFormation::CustomResource\" or \"Custom::<name>\" (letters, digits, _@-; at most 60 characters)",
                    ));
                }
            }
        }
        SourceKind::CloudWatchLogs => {
            c.keys(&["LogGroup", "LogStream", "SubscriptionFilters", "LogEvents"])?;
            c.strings(&["LogGroup", "LogStream"])?;
            c.nonempty("LogGroup")?;
            c.list("SubscriptionFilters")?;
            if let Some(v) = c.get("LogEvents") {
                let a = v
                    .as_array()
                    .ok_or_else(|| c.bad("LogEvents", v, "an array of log messages (strings or {\"message\", \"timestamp\"} objects)"))?;
                for (i, e) in a.iter().enumerate() {
                    let path = format!("LogEvents[{i}]");
                    match e {
                        Value::Object(o) => {
                            if !o.contains_key("message") {
                                return Err(c.bad(&path, e, "a string or an object with a \"message\""));
                            }
                            if let Some(ts) = o.get("timestamp").filter(|t| t.as_i64().is_none_or(|t| t < 0)) {
                                return Err(c.bad(&format!("{path}.timestamp"), ts, "epoch milliseconds (a non-negative integer)"));
                            }
                        }
                        Value::Null => return Err(c.bad(&path, e, "a log message")),
                        _ => {}
                    }
                }
            }
        }
        SourceKind::EventBridge => {
            c.keys(&["Source", "DetailType", "Resources"])?;
            c.strings(&["Source", "DetailType"])?;
            c.nonempty("Source")?;
            c.nonempty("DetailType")?;
            c.list("Resources")?;
        }
        SourceKind::CodeCommit => {
            c.keys(&["Repository", "Ref", "TriggerName", "CustomData", "UserArn", "Created", "EventName"])?;
            c.strings(&["Repository", "TriggerName", "CustomData"])?;
            c.nonempty("Repository")?;
            c.prefixed("Ref", "refs/")?;
            c.prefixed("UserArn", "arn:aws:iam::")?;
            c.boolean("Created")?;
            c.one_of("EventName", CODECOMMIT_EVENTS)?;
        }
        SourceKind::Config => {
            c.keys(&["ConfigRuleName", "MessageType", "ResourceType", "ResourceId", "ResourceArn", "RuleParameters", "EventLeftScope"])?;
            c.strings(&["ConfigRuleName", "ResourceId", "ResourceArn"])?;
            c.nonempty("ConfigRuleName")?;
            c.one_of("MessageType", CONFIG_MESSAGES)?;
            if let Some(v) = c.get("ResourceType") {
                let s = c.string_value("ResourceType", v)?;
                let parts: Vec<&str> = s.split("::").collect();
                if parts.len() != 3 || parts[0] != "AWS" || parts[1].is_empty() || parts[2].is_empty() {
                    return Err(c.bad("ResourceType", v, "an AWS resource type such as \"AWS::EC2::Instance\""));
                }
            }
            c.object("RuleParameters")?;
            c.boolean("EventLeftScope")?;
        }
        SourceKind::Alexa => {
            c.keys(&["Namespace", "Name", "EndpointId", "Token", "Cookie"])?;
            c.prefixed("Namespace", "Alexa")?;
            c.strings(&["Name", "EndpointId", "Token"])?;
            c.nonempty("Name")?;
            c.object("Cookie")?;
        }
        SourceKind::Lex => {
            c.keys(&[
                "BotName",
                "BotId",
                "AliasId",
                "AliasName",
                "LocaleId",
                "BotVersion",
                "IntentName",
                "InvocationSource",
                "InputMode",
                "SessionId",
                "InputTranscript",
                "SessionAttributes",
            ])?;
            c.strings(&[
                "BotName",
                "BotId",
                "AliasId",
                "AliasName",
                "LocaleId",
                "BotVersion",
                "IntentName",
                "SessionId",
                "InputTranscript",
            ])?;
            c.nonempty("IntentName")?;
            c.one_of("InvocationSource", LEX_SOURCES)?;
            c.one_of("InputMode", LEX_MODES)?;
            c.scalar_map("SessionAttributes")?;
        }
        SourceKind::ApiGatewayRest | SourceKind::ApiGatewayHttp | SourceKind::Alb => {
            let mut keys = vec!["Method", "Path", "Query", "Headers", "Body", "IsBase64Encoded", "SourceIp", "UserAgent"];
            match kind {
                SourceKind::Alb => keys.extend(["TargetGroupArn", "MultiValueHeaders"]),
                SourceKind::ApiGatewayHttp => {
                    keys.extend(["Resource", "Stage", "PathParameters", "StageVariables", "ApiId", "RouteKey", "Cookies"])
                }
                _ => keys.extend(["Resource", "Stage", "PathParameters", "StageVariables", "ApiId"]),
            }
            c.keys(&keys)?;
            c.http_method("Method")?;
            c.prefixed("Path", "/")?;
            c.prefixed("Resource", "/")?;
            c.strings(&["Stage", "ApiId", "SourceIp", "UserAgent"])?;
            c.nonempty("Stage")?;
            c.multi_map("Query")?;
            c.multi_map("Headers")?;
            c.scalar_map("PathParameters")?;
            c.scalar_map("StageVariables")?;
            c.boolean("IsBase64Encoded")?;
            c.boolean("MultiValueHeaders")?;
            c.prefixed("TargetGroupArn", "arn:aws:elasticloadbalancing:")?;
            c.list("Cookies")?;
            if let Some(v) = c.get("RouteKey") {
                let s = c.string_value("RouteKey", v)?;
                let ok = s == "$default"
                    || s.split_once(' ').is_some_and(|(m, p)| (m == "ANY" || HTTP_METHODS.contains(&m)) && p.starts_with('/'));
                if !ok {
                    return Err(c.bad(
                        "RouteKey",
                        v,
                        "\"$default\" or \"<METHOD> /path\" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
                    ));
                }
            }
        }
        SourceKind::IoT => {
            c.keys(&["Topic", "ClientId", "Extra"])?;
            c.strings(&["Topic", "ClientId"])?;
            c.nonempty("Topic")?;
            if let Some(v) = c.get("Extra") {
                let o = v
                    .as_object()
                    .ok_or_else(|| c.bad("Extra", v, "an object mapping output names to topic(), topic(N), clientid() or timestamp()"))?;
                for (alias, f) in o {
                    if f.as_str().and_then(|f| iot_function(f, "a/b", "c", 0)).is_none() {
                        return Err(c.bad(
                            &format!("Extra.{alias}"),
                            f,
                            "one of \"topic()\", \"topic(N)\" (N >= 1), \"clientid()\", \"timestamp()\"",
                        ));
                    }
                }
            }
        }
        SourceKind::CloudFrontEdge => {
            c.keys(&[
                "EventType",
                "Method",
                "Uri",
                "Querystring",
                "Headers",
                "DistributionId",
                "DistributionDomainName",
                "ClientIp",
                "IncludeBody",
                "Status",
                "OriginDomain",
                "UserAgent",
            ])?;
            c.one_of("EventType", EDGE_EVENTS)?;
            c.http_method("Method")?;
            c.prefixed("Uri", "/")?;
            c.strings(&["Querystring", "DistributionId", "DistributionDomainName", "ClientIp", "OriginDomain", "UserAgent"])?;
            c.multi_map("Headers")?;
            c.boolean("IncludeBody")?;
            if let Some(v) = c.get("Status") {
                let code = match v {
                    Value::String(s) => s.parse::<u64>().ok(),
                    other => other.as_u64(),
                };
                if !code.is_some_and(|c| (100..=599).contains(&c)) {
                    return Err(c.bad("Status", v, "an HTTP status code from 100 to 599"));
                }
            }
        }
        SourceKind::Firehose => {
            c.keys(&["DeliveryStreamName", "DeliveryStreamArn", "SourceKinesisStreamArn", "Records"])?;
            c.strings(&["DeliveryStreamName"])?;
            c.nonempty("DeliveryStreamName")?;
            c.prefixed("DeliveryStreamArn", "arn:aws:firehose:")?;
            c.prefixed("SourceKinesisStreamArn", "arn:aws:kinesis:")?;
            if let Some(v) = c.get("Records") {
                if !v.is_array() {
                    return Err(c.bad("Records", v, "an array of records (each a string or a JSON value)"));
                }
            }
        }
        SourceKind::OnDemand => c.keys(&[])?,
    }
    Ok(())
}

struct Checker<'a> {
    kind: &'static str,
    m: &'a Map<String, Value>,
}

type Checked = Result<(), (String, String)>;

impl Checker<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        self.m.get(k).filter(|v| !v.is_null())
    }

    fn bad(&self, path: &str, v: &Value, allowed: &str) -> (String, String) {
        (path.to_string(), format!("{} option {path} is {}; expected {allowed}", self.kind, short(v)))
    }

    fn keys(&self, allowed: &[&str]) -> Checked {
        for k in self.m.keys() {
            if !allowed.contains(&k.as_str()) {
                let list = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err((k.clone(), format!("{} has no option \"{k}\"; its options are: {list}", self.kind)));
            }
        }
        Ok(())
    }

    fn string_value<'v>(&self, k: &str, v: &'v Value) -> Result<&'v str, (String, String)> {
        v.as_str().ok_or_else(|| self.bad(k, v, "a string"))
    }

    fn strings(&self, keys: &[&str]) -> Checked {
        for k in keys {
            if let Some(v) = self.get(k) {
                self.string_value(k, v)?;
            }
        }
        Ok(())
    }

    fn nonempty(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if self.string_value(k, v)?.is_empty() => Err(self.bad(k, v, "a non-empty string")),
            _ => Ok(()),
        }
    }

    fn prefixed(&self, k: &str, prefix: &str) -> Checked {
        match self.get(k) {
            Some(v) if !self.string_value(k, v)?.starts_with(prefix) => {
                Err(self.bad(k, v, &format!("a string starting with \"{prefix}\"")))
            }
            _ => Ok(()),
        }
    }

    fn one_of(&self, k: &str, allowed: &[&str]) -> Checked {
        match self.get(k) {
            Some(v) if !allowed.contains(&self.string_value(k, v)?) => Err(self.bad(k, v, &format!("one of {}", allowed.join(", ")))),
            _ => Ok(()),
        }
    }

    fn http_method(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !HTTP_METHODS.contains(&self.string_value(k, v)?.to_ascii_uppercase().as_str()) => {
                Err(self.bad(k, v, &format!("an HTTP method: {}", HTTP_METHODS.join(", "))))
            }
            _ => Ok(()),
        }
    }

    fn uint(&self, k: &str, min: u64) -> Checked {
        match self.get(k) {
            Some(v) if v.as_u64().is_none_or(|x| x < min) => Err(self.bad(k, v, &format!("an integer >= {min}"))),
            _ => Ok(()),
        }
    }

    fn boolean(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !v.is_boolean() => Err(self.bad(k, v, "true or false")),
            _ => Ok(()),
        }
    }

    fn object(&self, k: &str) -> Checked {
        match self.get(k) {
            Some(v) if !v.is_object() => Err(self.bad(k, v, "a JSON object")),
            _ => Ok(()),
        }
    }

    /// A string or an array of strings.
    fn list(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        match v {
            Value::String(_) => Ok(()),
            Value::Array(a) => match a.iter().position(|x| !x.is_string()) {
                Some(i) => Err(self.bad(&format!("{k}[{i}]"), &a[i], "a string")),
                None => Ok(()),
            },
            _ => Err(self.bad(k, v, "a string or an array of strings")),
        }
    }

    /// An object whose values are strings, numbers or booleans.
    fn scalar_map(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of string values"))?;
        for (name, x) in o {
            if !(x.is_string() || x.is_number() || x.is_boolean()) {
                return Err(self.bad(&format!("{k}.{name}"), x, "a string"));
            }
        }
        Ok(())
    }

    /// An object whose values are scalars or arrays of scalars (headers, query parameters).
    fn multi_map(&self, k: &str) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of names to a value or a list of values"))?;
        let scalar = |x: &Value| x.is_string() || x.is_number() || x.is_boolean();
        for (name, x) in o {
            let ok = match x {
                Value::Array(a) => !a.is_empty() && a.iter().all(scalar),
                other => scalar(other),
            };
            if !ok {
                return Err(self.bad(&format!("{k}.{name}"), x, "a string or a non-empty list of strings"));
            }
        }
        Ok(())
    }

    /// Message attributes: name -> scalar shorthand, or an object with a type field among `types` (SQS also allows
    /// custom suffixes such as "Number.int") and a value.
    fn attributes(&self, k: &str, type_field: &str, types: &[&str], sqs: bool) -> Checked {
        let Some(v) = self.get(k) else { return Ok(()) };
        let o = v.as_object().ok_or_else(|| self.bad(k, v, "an object of attribute names to values"))?;
        for (name, a) in o {
            let path = format!("{k}.{name}");
            match a {
                Value::Object(spec) => {
                    let ty = spec.get(type_field).and_then(Value::as_str).unwrap_or("String");
                    let base = if sqs { sqs_attr_base(ty) } else { ty };
                    if !types.contains(&base) {
                        return Err(self.bad(
                            &format!("{path}.{type_field}"),
                            spec.get(type_field).unwrap_or(&Value::Null),
                            &format!("one of {}", types.join(", ")),
                        ));
                    }
                    let value_field = match (sqs, base) {
                        (true, "Binary") => "BinaryValue",
                        (true, _) => "StringValue",
                        (false, _) => "Value",
                    };
                    let value = spec.get(value_field).filter(|x| !x.is_null());
                    if value.is_none() {
                        return Err(self.bad(&path, a, &format!("an object with \"{type_field}\" and \"{value_field}\"")));
                    }
                    if value_field == "BinaryValue" && value.and_then(Value::as_str).is_none_or(|b| B64.decode(b).is_err()) {
                        return Err(self.bad(&format!("{path}.BinaryValue"), value.unwrap_or(&Value::Null), "base64 text"));
                    }
                }
                x if x.is_string() || x.is_number() || x.is_boolean() => {}
                other => return Err(self.bad(&path, other, "a value or an attribute object")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_keys_are_form_encoded() {
        assert_eq!(s3_key_encode("a b/c=d+e.png"), "a+b/c%3Dd%2Be.png");
        assert_eq!(s3_key_encode("ünï"), "%C3%BCn%C3%AF");
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(pct_decode("a+b%20c%3d%zz%"), "a b c=%zz%");
        assert_eq!(pct_encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn gzip_bytes_are_deterministic_and_round_trip() {
        use std::io::Read as _;
        let a = gzip(b"{\"x\":1}");
        assert_eq!(a, gzip(b"{\"x\":1}"));
        assert_eq!(&a[4..8], &[0, 0, 0, 0]);
        assert_eq!(a[9], 255);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&a[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"x\":1}");
    }

    #[test]
    fn iot_sql_functions() {
        assert_eq!(iot_function("topic()", "a/b/c", "dev", 5), Some(json!("a/b/c")));
        assert_eq!(iot_function("topic(3)", "a/b/c", "dev", 5), Some(json!("c")));
        assert_eq!(iot_function("topic(4)", "a/b/c", "dev", 5), Some(Value::Null));
        assert_eq!(iot_function("clientid()", "a", "dev", 5), Some(json!("dev")));
        assert_eq!(iot_function("timestamp()", "a", "dev", 5), Some(json!(5)));
        assert_eq!(iot_function("topic(0)", "a", "dev", 5), None);
        assert_eq!(iot_function("upper(x)", "a", "dev", 5), None);
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attribute_value(&json!({"s": "x", "n": 1.5, "b": true, "z": null, "l": [1]})),
            json!({"M": {"s": {"S": "x"}, "n": {"N": "1.5"}, "b": {"BOOL": true}, "z": {"NULL": true}, "l": {"L": [{"N": "1"}]}}})
        );
    }
}
