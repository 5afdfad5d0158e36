//! The polled sources of a scenario and Lambda's pollers for them: SQS queues, Kinesis data streams, DynamoDB tables
//! with a stream, and event source mappings (`AWS::Lambda::EventSourceMapping`, spec section 5; stream on-failure
//! destinations, spec 3.3).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::DestinationSpec;

/// An SQS queue (`AWS::SQS::Queue`): a destination, a dead-letter queue, or the source of an event source mapping.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct QueueSpec {
    /// The queue's name (1 to 80 letters, digits, `-` and `_`; a FIFO queue's ends in `.fifo`). Its ARN is
    /// `arn:aws:sqs:<region>:<account>:<name>`.
    pub queue_name: String,
    /// `true` for a FIFO queue (its name must then end in `.fifo`; a `.fifo` name alone also makes it FIFO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo_queue: Option<bool>,
    /// Seconds a received message stays invisible (0 to 43200, default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 43200))]
    pub visibility_timeout: Option<i64>,
    /// Seconds a message is kept (60 to 1209600, default 345600 = 4 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 1209600))]
    pub message_retention_period: Option<i64>,
    /// Seconds a new message stays invisible before its first receive (0 to 900, default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 900))]
    pub delay_seconds: Option<i64>,
    /// Moves a message to the dead-letter queue once its receive count exceeds `maxReceiveCount` (1 to 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redrive_policy: Option<RedrivePolicySpec>,
    /// FIFO: deduplicate by a SHA-256 of the body when a message has no `MessageDeduplicationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_based_deduplication: Option<bool>,
}

/// An SQS redrive policy, with SQS's own (camelCase) keys.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedrivePolicySpec {
    /// ARN of the dead-letter queue (a queue of this scenario, of the same type: standard or FIFO).
    #[serde(rename = "deadLetterTargetArn")]
    pub dead_letter_target_arn: String,
    /// Receives after which the message moves to the dead-letter queue (1 to 1000).
    #[serde(rename = "maxReceiveCount")]
    #[schemars(range(min = 1, max = 1000))]
    pub max_receive_count: i64,
}

/// A Kinesis data stream (provisioned mode).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KinesisStreamSpec {
    /// The stream's name (1 to 128 letters, digits, `-`, `_` and `.`); its ARN is
    /// `arn:aws:kinesis:<region>:<account>:stream/<name>`.
    pub name: String,
    /// Shards (1 to 500, default 1). Partition keys are hashed to shards with MD5, as Kinesis does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 500))]
    pub shard_count: Option<i64>,
    /// Hours a record is kept (24 to 8760, default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 24, max = 8760))]
    pub retention_period_hours: Option<i64>,
}

/// A DynamoDB table whose stream is read by an event source mapping (records are kept 24 hours).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TableSpec {
    /// The table's name (3 to 255 letters, digits, `-`, `_` and `.`).
    pub table_name: String,
    /// `{"StreamViewType": "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES"}`.
    pub stream_specification: StreamSpecificationSpec,
    /// The key attributes (`[{"AttributeName": "pk", "KeyType": "HASH"}]`; default one HASH key `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_schema: Option<Vec<KeySchemaElementSpec>>,
    /// Stream label, the last part of the stream ARN (default `2024-01-01T00:00:00.000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_label: Option<String>,
    /// Stream shards (1 to 100, default 1): DynamoDB decides this from the table's partitions; here it is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub stream_shards: Option<i64>,
}

/// A table's `StreamSpecification`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct StreamSpecificationSpec {
    /// What each stream record holds: `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    #[schemars(extend("enum" = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]))]
    pub stream_view_type: String,
}

/// One key attribute of a table (`KeySchema`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KeySchemaElementSpec {
    /// The attribute's name.
    pub attribute_name: String,
    /// `HASH` (the partition key) or `RANGE` (the sort key).
    #[schemars(extend("enum" = ["HASH", "RANGE"]))]
    pub key_type: String,
}

/// An event source mapping, with the properties of `AWS::Lambda::EventSourceMapping` (spec section 5).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventSourceMappingSpec {
    /// ARN of an SQS queue, a Kinesis stream, a DynamoDB table stream or an Amazon MSK cluster of this scenario
    /// (a self-managed Kafka mapping gives `SelfManagedEventSource` instead).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub event_source_arn: String,
    /// Function name or ARN.
    pub function_name: String,
    /// `false`: the mapping does not poll (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Records per batch (SQS standard 1 to 10000, default 10; SQS FIFO 1 to 10; streams 1 to 10000, default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10000))]
    pub batch_size: Option<i64>,
    /// 0 to 300 seconds (default 0; not allowed for FIFO queues; SQS `BatchSize` > 10 needs >= 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 300))]
    pub maximum_batching_window_in_seconds: Option<i64>,
    /// `["ReportBatchItemFailures"]` enables partial batch responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::words::function_response_types")]
    pub function_response_types: Option<Vec<String>>,
    /// Up to 5 EventBridge-style patterns (as JSON strings, like CloudFormation, or as objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_criteria: Option<FilterCriteriaSpec>,
    /// SQS: `{"MaximumConcurrency": 2..1000}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<ScalingConfigSpec>,
    /// Streams: `TRIM_HORIZON`, `LATEST` or (Kinesis) `AT_TIMESTAMP`. Required for streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]))]
    pub starting_position: Option<String>,
    /// With `AT_TIMESTAMP`: seconds of simulated time (records that arrived earlier are not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub starting_position_timestamp: Option<f64>,
    /// Streams: concurrent batches per shard, 1 to 10 (default 1); order is kept per partition key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10))]
    pub parallelization_factor: Option<i64>,
    /// Streams: -1 (infinite, default) or 0 to 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -1, max = 10000))]
    pub maximum_retry_attempts: Option<i64>,
    /// Streams: -1 (infinite, default) or 60 to 604800.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::words::max_record_age")]
    pub maximum_record_age_in_seconds: Option<i64>,
    /// Streams: split a failed batch in two before retrying (splits do not use the retry budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bisect_batch_on_function_error: Option<bool>,
    /// Streams: `{"OnFailure": {"Destination": <SQS, SNS or S3 ARN>}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<EsmDestinationConfigSpec>,
    /// Streams: 0 to 900 seconds; state is carried between the invocations of a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 900))]
    pub tumbling_window_in_seconds: Option<i64>,
    // --- Kafka (Amazon MSK and self-managed Apache Kafka, spec 5.5)
    /// Kafka: the topic read (exactly one name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// Self-managed Kafka: `{"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["host:9092"]}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_managed_event_source: Option<super::SelfManagedEventSourceSpec>,
    /// Amazon MSK: `{"ConsumerGroupId": ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amazon_managed_kafka_event_source_config: Option<super::KafkaEventSourceConfigSpec>,
    /// Self-managed Kafka: `{"ConsumerGroupId": ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_managed_kafka_event_source_config: Option<super::KafkaEventSourceConfigSpec>,
    /// Kafka: provisioned mode (`{"MinimumPollers": 1..200, "MaximumPollers": 1..2000}`), needed by the
    /// error-handling controls (`MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`, `BisectBatchOnFunctionError`,
    /// `ReportBatchItemFailures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_poller_config: Option<super::ProvisionedPollerConfigSpec>,
    /// Amazon MQ: the one broker queue the mapping consumes (`["orders"]`; spec 5.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 1))]
    pub queues: Option<Vec<String>>,
    /// Amazon MQ: `BASIC_AUTH` (required by AWS; recorded, without effect here) and, for RabbitMQ, `VIRTUAL_HOST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_access_configurations: Option<Vec<super::SourceAccessConfigurationSpec>>,
    /// DocumentDB: `{"DatabaseName", "CollectionName", "FullDocument"}` (spec 5.7).
    #[serde(default, rename = "DocumentDBEventSourceConfig", skip_serializing_if = "Option::is_none")]
    pub document_db_event_source_config: Option<super::DocumentDbEventSourceConfigSpec>,
}

/// A mapping's `FilterCriteria`: records that match none of the patterns are dropped without an invocation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FilterCriteriaSpec {
    /// Up to 5 filters; a record is kept when any of them matches.
    #[schemars(length(max = 5))]
    pub filters: Vec<FilterSpec>,
}

/// One filter of `FilterCriteria`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FilterSpec {
    /// The pattern: a JSON string as in CloudFormation (`"{\"body\": {\"kind\": [\"order\"]}}"`) or an object.
    pub pattern: Value,
}

/// An SQS mapping's `ScalingConfig` (spec 5.2).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ScalingConfigSpec {
    /// The most concurrent invocations the mapping makes, 2 to 1000 (default: the poller ceiling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 1000))]
    pub maximum_concurrency: Option<i64>,
}

/// A stream mapping's `DestinationConfig` (spec 3.3).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EsmDestinationConfigSpec {
    /// Gets a record describing each discarded batch (SQS queue, SNS topic or S3 bucket ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<DestinationSpec>,
}
