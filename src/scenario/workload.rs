//! The `Workload` of a scenario: the sources of invocations (direct invokes, producers to queues, streams, topics,
//! buses and delivery streams), when they fire, and how synchronous callers wait and retry (spec sections 1, 2 and 7).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CallOutcomeSpec, JitterSpec};

/// JSON kept as written: any JSON value, with its text kept byte for byte (a workload's payload, the scenario inside a
/// results file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    /// The JSON text as written.
    pub fn text(&self) -> &str {
        self.0.get()
    }
    /// Wraps JSON text already checked by serde_json.
    pub fn from_raw(raw: Box<serde_json::value::RawValue>) -> Self {
        RawJson(raw)
    }
    /// The parsed value.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl From<Value> for RawJson {
    fn from(v: Value) -> Self {
        RawJson(serde_json::value::to_raw_value(&v).expect("a JSON value serializes"))
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

/// How a workload source invokes its function (the `Invoke` API's `InvocationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum InvocationTypeSpec {
    /// Asynchronous: queued, retried, sent to destinations (spec section 2).
    Event,
    /// Synchronous: run at once or refused with 429; never retried by Lambda (spec section 1).
    RequestResponse,
}

/// One source of invocations. Exactly one of `At`, `Poisson`, `Every`, `Burst` says when.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct WorkloadSpec {
    /// Names the source's random stream and its events in the trace (default `workload[<index>]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Function name or ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). A producer gives `Queue` or
    /// `Stream` instead.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub function: String,
    /// A producer of SQS messages (`SendMessage`): the queue's ARN or name. The payload is the message body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// A producer of stream records: a Kinesis stream's ARN or name (`PutRecord`), or a DynamoDB table's name or
    /// stream ARN (item writes). The payload is the record data (Kinesis) or the item (DynamoDB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// A publisher to an SNS topic (`Publish`): the topic's ARN or name. The payload is the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// A publisher to an EventBridge bus (`PutEvents`): the bus's ARN or name. The payload is the `detail`; `Source`
    /// is the event's `source` (default `my.app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus: Option<String>,
    /// A producer of Firehose records (`PutRecord`): the delivery stream's name or ARN. The payload is the record's
    /// data (a string as it is, anything else as JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_stream: Option<String>,
    /// EventBridge producers: the event's `detail-type` (default `Event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    /// SNS producers: the message's subject (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Message attributes. SNS producers: `{"name": "value"}` or `{"name": {"Type": "Number", "Value": "3"}}`. Queue
    /// producers, as `SendMessage` takes them: `{"name": {"DataType": "String", "StringValue": "..."}}` (or
    /// `"BinaryValue"` in base64 for `Binary`; at most 10), delivered in the SQS event's `messageAttributes` with
    /// `md5OfMessageAttributes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_attributes: Option<serde_json::Map<String, Value>>,
    /// FIFO queues and topics: the message group (a template: `"customer-{{n}}"`; queues default to one group
    /// `default`; FIFO topics require it, as AWS does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_group_id: Option<String>,
    /// FIFO queues and topics: the deduplication id (a template; default: the body's hash with content-based
    /// deduplication, otherwise unique per message; a FIFO topic without `ContentBasedDeduplication` requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_deduplication_id: Option<String>,
    /// Kinesis: the partition key (a template, default `"{{n}}"`), hashed with MD5 to pick the shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// Kafka: the topic the producer writes to (`TopicName`, or `ClusterName/TopicName` when several clusters have it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_topic: Option<String>,
    /// Kafka: the record's key (a template, `{{n}}` is the record's index); it picks the partition (murmur2). Absent:
    /// no key (`Simulation.KafkaKeylessPartitioner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Kafka: the record's headers, name to text value (templates); the event shows each value as its bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// DynamoDB: `INSERT` (default), `MODIFY` or `REMOVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["INSERT", "MODIFY", "REMOVE"]))]
    pub event_name: Option<String>,
    /// `Event` (async, default) or `RequestResponse` (synchronous: run at once or get 429; never retried by Lambda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<InvocationTypeSpec>,
    /// The event payload. Strings may hold `{{n}}` (0-based index within this source) or `{{seq}}` (global
    /// accept order); a string that is exactly `{{n}}` or `{{seq}}` becomes a number. An invoked function (and its
    /// dead-letter queue) gets the payload's bytes as written here, spaces included, as AWS passes on the bytes a
    /// caller sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Value>")]
    pub payload: Option<RawJson>,
    /// Invocation times, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(range(min = 0)))]
    pub at: Option<Vec<f64>>,
    /// Arrivals of a Poisson process: `RatePerSecond` from `StartSeconds` (default 0) to `EndSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poisson: Option<PoissonSpec>,
    /// One invocation every `IntervalSeconds` from `StartSeconds` (default 0) to `EndSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<EverySpec>,
    /// `Count` invocations at `AtSeconds`, optionally spread over `SpreadSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<BurstSpec>,
    /// The AWS service that invokes (`S3`, `SNS`, `EventBridge`, `ApiGatewayRest`, `ApiGatewayHttp`, `ALB`, `Cognito`,
    /// `CloudWatchLogs`, `Firehose`, `FunctionUrl`, `ApiGatewayAuthorizer`, `SecretsManager`, `S3Batch`, ... see
    /// docs/sources.md): the payload is wrapped in that service's real event shape, and `InvocationType` defaults to
    /// the service's mode (spec section 7). Default: the payload as given.
    /// (With `EventBus`, `Source` is instead the event's `source`, any string.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["S3", "SNS", "SES", "SQS", "Kinesis", "DynamoDB", "Cognito", "CloudFormation", "CloudWatchLogs", "EventBridge", "CodeCommit", "Config", "Alexa", "Lex", "ApiGatewayRest", "ApiGatewayHttp", "ALB", "IoT", "CloudFrontEdge", "Firehose", "FunctionUrl", "ApiGatewayAuthorizer", "ApiGatewayWebSocket", "AppSync", "S3ObjectLambda", "SecretsManager", "CodePipeline", "S3Batch", "Connect", "IoTEvents", "VpcLattice", "AlexaSkillsKit", "LexV1", "CognitoSync", "OnDemand"]))]
    pub source: Option<String>,
    /// Options of the source's event (bucket and key, HTTP method and path, topic, detail-type, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_options: Option<Value>,
    /// For `RequestResponse` sources: how the caller behaves (its timeout and retry policy). Lambda itself never
    /// retries a synchronous invocation (spec section 1); callers such as the AWS SDKs do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<CallerSpec>,
}

/// A synchronous caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct CallerSpec {
    /// How long the caller waits for one invocation (API Gateway's integration timeout is 29 s); the function keeps
    /// running and is billed. Default: as long as it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0), range(max = 900))]
    pub timeout_seconds: Option<f64>,
    /// The caller's retry policy (default: the AWS SDKs' standard mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<CallerRetrySpec>,
}

/// A caller's retry policy, by default as the AWS SDKs' standard mode: 3 attempts, exponential back-off from 100 ms
/// with full jitter, at most 20 s, on throttles, service errors and timeouts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct CallerRetrySpec {
    /// Attempts in all, 1–20 (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 20))]
    pub max_attempts: Option<i64>,
    /// The first back-off before jitter, in milliseconds (>= 0; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub base_delay_ms: Option<f64>,
    /// The longest back-off, in milliseconds (>= 0; default 20000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_delay_ms: Option<f64>,
    /// `Full` (default), `Equal` or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<JitterSpec>,
    /// Outcomes that are retried (default `Throttled`, `ServiceError`, `TimedOut`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<Vec<CallOutcomeSpec>>,
}

/// Poisson arrivals (exponential gaps) at a constant rate.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PoissonSpec {
    /// Mean arrivals per second (> 0, at most 10000000).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = 10000000))]
    pub rate_per_second: f64,
    /// When arrivals start, in seconds (>= 0; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub start_seconds: Option<f64>,
    /// When arrivals stop, in seconds (>= 0).
    #[schemars(range(min = 0))]
    pub end_seconds: f64,
}

/// Arrivals at a fixed interval.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EverySpec {
    /// Seconds between arrivals (> 0).
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub interval_seconds: f64,
    /// The first arrival, in seconds (>= 0; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub start_seconds: Option<f64>,
    /// No arrival after this, in seconds (>= 0).
    #[schemars(range(min = 0))]
    pub end_seconds: f64,
}

/// Many arrivals at (about) one instant.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BurstSpec {
    /// When the burst starts, in seconds (>= 0).
    #[schemars(range(min = 0))]
    pub at_seconds: f64,
    /// How many arrivals, 1 to 100000000.
    #[schemars(range(min = 1, max = 100000000))]
    pub count: i64,
    /// Spread the burst evenly over this many seconds (default 0: all at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub spread_seconds: Option<f64>,
}
