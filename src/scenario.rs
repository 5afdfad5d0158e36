//! The scenario file: what a user writes (JSON), deserialized with `serde` (`deny_unknown_fields`) and described by a
//! JSON Schema generated from these same types (`lambdasim schema`).
//!
//! Property names follow AWS's own (`Timeout`, `MemorySize`, `ReservedConcurrentExecutions`, `EventInvokeConfig`,
//! `MaximumRetryAttempts`, `DestinationConfig`, `DeadLetterConfig.TargetArn`, ...), so blocks can be pasted from
//! CloudFormation/SAM templates. Numbers are read wide (`i64`/`f64`) and checked against AWS's bounds when the model
//! is built from the scenario, so that an out-of-range value gets an error naming its path, its value and the allowed
//! range.
//!
//! This file holds the top of the format (`Scenario`), the account, pricing and simulation settings, and what a
//! synchronous caller finally gets (`CallOutcomeSpec`, used by `workload` and `checks`; `JitterSpec` sits beside it
//! for now). Each other section has its own file: `function` (functions, versions, aliases, destinations, behaviour,
//! faults), `changes` (the timeline of configuration changes), `esm` (queues, streams, tables, event source
//! mappings), `fanout` (topics and buses), `firehose` (delivery streams), `workload` (invocation sources and callers)
//! and `checks` (expectations, explore knobs). Every type is re-exported here, so `crate::scenario::X` names any of
//! them. This layer depends on nothing of the crate above it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod changes;
mod checks;
mod docdb;
mod esm;
mod fanout;
mod firehose;
mod function;
mod kafka;
mod mq;
mod words;
mod workload;

pub use changes::*;
pub use checks::*;
pub use docdb::*;
pub use esm::*;
pub use fanout::*;
pub use firehose::*;
pub use function::*;
pub use kafka::*;
pub use mq::*;
pub use workload::*;

fn default_region() -> String {
    "us-east-1".into()
}
fn default_account() -> String {
    "123456789012".into()
}

/// A whole scenario: resources, functions, workload, faults and expectations.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Scenario {
    /// Path or URL of the JSON Schema (ignored by the simulator; editors use it).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// A short name for the scenario, shown in summaries and the HTML report's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the scenario shows or checks, shown under the report's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AWS Region used in every ARN (default us-east-1).
    #[serde(default = "default_region")]
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"))]
    pub region: String,
    /// 12-digit account id used in every ARN (default 123456789012).
    #[serde(default = "default_account")]
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    pub account_id: String,
    /// Account-level settings: the Regional concurrency limit (spec section 6).
    #[serde(default)]
    pub account: AccountSpec,
    /// How the simulation runs (start time, duration, series interval) and the named options for behaviour AWS leaves
    /// uncertain (README, "Uncertain behaviour").
    #[serde(default)]
    pub simulation: SimulationSpec,
    /// The AWS SAM or CloudFormation template (YAML or JSON) this scenario simulates: a path relative to the scenario
    /// file, or `{"Path": "template.yaml", "StackName": "orders"}` (the stack name defaults to the file's stem). Its
    /// resources come first; this scenario adds behaviour, workload, faults and expectations, referring to resources
    /// by logical id or physical name (README, "From your SAM template").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateRefSpec>,
    /// Values of the template's `Parameters` (overriding their defaults), as `sam deploy --parameter-overrides` gives
    /// them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<std::collections::BTreeMap<String, Value>>,
    /// Lambda functions. Required unless `Template` gives them; an entry whose `FunctionName` is a template
    /// function's logical id or name overlays that function (each property given replaces the template's).
    #[serde(default)]
    pub functions: Vec<FunctionSpec>,
    /// SQS queues (destinations, dead-letter queues). A name ending in `.fifo` is a FIFO queue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSpec>,
    /// SNS topics. A name ending in `.fifo` is a FIFO topic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<TopicSpec>,
    /// EventBridge event buses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_buses: Vec<EventBusSpec>,
    /// S3 buckets (on-failure destinations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<BucketSpec>,
    /// Kinesis data streams (`AWS::Kinesis::Stream`), read by event source mappings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinesis_streams: Vec<KinesisStreamSpec>,
    /// DynamoDB tables with a stream (`AWS::DynamoDB::Table` with `StreamSpecification`), read by event source
    /// mappings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableSpec>,
    /// Amazon MSK and self-managed Apache Kafka clusters with their topics, read by event source mappings (spec 5.5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kafka_clusters: Vec<KafkaClusterSpec>,
    /// Amazon MQ brokers (`AWS::AmazonMQ::Broker`, ActiveMQ or RabbitMQ) whose queues event source mappings consume
    /// (spec 5.6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brokers: Vec<BrokerSpec>,
    /// Amazon DocumentDB clusters (`AWS::DocDB::DBCluster`) whose change stream event source mappings read (spec
    /// 5.7).
    #[serde(default, rename = "DocumentDBClusters", skip_serializing_if = "Vec::is_empty")]
    pub document_db_clusters: Vec<DocumentDbClusterSpec>,
    /// Event source mappings (`AWS::Lambda::EventSourceMapping`): Lambda's pollers for SQS, Kinesis and DynamoDB
    /// Streams (spec section 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_source_mappings: Vec<EventSourceMappingSpec>,
    /// Amazon Data Firehose delivery streams (`AWS::KinesisFirehose::DeliveryStream`) whose records a Lambda function
    /// transforms (`ProcessingConfiguration`); producers are `Workload` entries with `DeliveryStream`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery_streams: Vec<DeliveryStreamSpec>,
    /// The sources of invocations: direct invokes, producers to queues, streams, topics, buses and delivery streams,
    /// each with when it fires (`At`, `Poisson`, `Every` or `Burst`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload: Vec<WorkloadSpec>,
    /// Faults injected between two virtual times: errors, timeouts, crashes, throttles, service errors, failed
    /// deliveries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
    /// What must hold after the run (per seed, in a fraction of seeds, sometimes, or across seeds); `lambdasim run`
    /// exits 1 when one fails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<ExpectationSpec>,
    /// Configuration changes on the timeline: deploys, published versions, reserved and provisioned concurrency,
    /// alias routing (each named after the AWS API action that makes it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeSpec>,
    /// Knobs that `lambdasim explore` searches (ignored by `run` and `check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<ExploreSpec>,
    /// Prices used for cost figures (default: us-east-1 on-demand, spec section 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<PricingSpec>,
}

/// `Template`: a path, or a path with the stack name.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TemplateRefSpec {
    /// The template file, relative to the scenario file.
    Path(String),
    /// The template file and the stack name (`AWS::StackName`, the first part of generated names).
    WithStack(TemplateWithStackSpec),
}

/// `{"Path": ..., "StackName": ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TemplateWithStackSpec {
    /// The template file (YAML or JSON), relative to the scenario file.
    pub path: String,
    /// `AWS::StackName`, the first part of the names CloudFormation generates (default: the template file's stem).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
}

/// Prices in US dollars; each omitted price takes its default (spec section 8). Every price is a finite number >= 0.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PricingSpec {
    /// Per million requests (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    pub request_usd_per_million: Option<f64>,
    /// Per GB-second of x86_64 duration, init included (default 0.0000166667).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    pub x86_gb_second_usd: Option<f64>,
    /// Per GB-second of arm64 duration, init included (default 0.0000133334).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    pub arm64_gb_second_usd: Option<f64>,
    /// Provisioned concurrency, per GB-second configured, x86_64 (default 0.0000041667; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub provisioned_x86_gb_second_usd: Option<f64>,
    /// Provisioned concurrency, per GB-second configured, arm64 (default 0.0000033334; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub provisioned_arm64_gb_second_usd: Option<f64>,
    /// Duration on provisioned environments, per GB-second, x86_64 (default 0.0000097222; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub provisioned_duration_x86_gb_second_usd: Option<f64>,
    /// Duration on provisioned environments, per GB-second, arm64 (default 0.0000077778; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000000))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub provisioned_duration_arm64_gb_second_usd: Option<f64>,
}

/// Account-level settings (spec section 6).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AccountSpec {
    /// Regional concurrency limit shared by all functions (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10000000))]
    pub concurrent_executions: Option<i64>,
}

/// How the simulation runs, and the named options for behaviour AWS leaves uncertain (README, "Uncertain behaviour").
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SimulationSpec {
    /// The wall-clock instant that virtual time 0 stands for, ISO-8601 UTC (default 2024-01-01T00:00:00Z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub start_time: Option<String>,
    /// Stop after this much virtual time; events still pending get the fate `InFlight`. Default: run until idle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub duration_seconds: Option<f64>,
    /// Delays before the async retries after a function error (default [60, 120], spec section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 2), inner(range(min = 0)))]
    pub async_retry_delays_seconds: Option<Vec<f64>>,
    /// Each retry delay is drawn uniformly within ± this many seconds (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub async_retry_jitter_seconds: Option<f64>,
    /// Each retry comes early by up to this fraction of its delay, drawn uniformly: the delay lies in
    /// [(1 − fraction) × delay, delay] (default 0.1, so 54–60 s and 108–120 s). AWS delivered the final failure of an
    /// always-failing function in under ~176 s, not the 180 s the nominal waits give (spec 2, ASYNC-TIMING).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_retry_early_fraction: Option<f64>,
    /// Which asynchronous invoke configuration an invoke of an alias runs with: `Alias` (default: the alias's own
    /// `EventInvokeConfig`, or the defaults when it has none, as AWS keeps one per qualifier) or `Version` (the
    /// configuration of the version the alias routes to, as LocalStack does). AWS does not document which (uncertain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_event_invoke_config: Option<crate::vocab::AliasEventInvokeConfigMode>,
    /// Whether retry delays count from the end of the failed attempt (`AttemptEnd`, default) or its start (spec 9.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_retry_delay_from: Option<RetryDelayFrom>,
    /// Back-off for throttles and service errors (spec section 2): from 1 s, doubling, at most 300 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle_backoff: Option<BackoffSpec>,
    /// EventBridge's back-off between retries of a refused delivery to a rule target (docs/sources.md; the exact
    /// schedule is not published, [unc]): from `InitialSeconds` (1), times `Multiplier` (2), at most `MaxSeconds`
    /// (300). `Jitter` is not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub event_bridge_retry_backoff: Option<BackoffSpec>,
    /// Seconds Firehose waits before invoking a transformation batch again after a failed invocation (default 1;
    /// AWS does not publish the delay, [unc]). 0 to 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 900))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub firehose_retry_delay_seconds: Option<f64>,
    /// What the async queue does when the function has no free concurrency (named option, see README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_concurrency_full: Option<ConcurrencyFullMode>,
    /// Async request payload limit: `Current` (1 MB) or `Legacy` (256 KB) (spec section 2, 9.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_payload_limit: Option<PayloadLimitMode>,
    /// Probability that the async queue delivers an accepted event twice (at-least-once, spec section 2). Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub duplicate_delivery_probability: Option<f64>,
    /// `source` of EventBridge destination events: `lambda` (default) or `aws.lambda` (spec 3.1, 9.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["lambda", "aws.lambda"]))]
    pub event_bridge_destination_source: Option<String>,
    /// Condition string on records of events dropped because reserved concurrency is 0 (spec 2, 9.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_reserved_concurrency_condition: Option<String>,
    /// Whether an event is given up at once when its next retry would start after its maximum age (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_age_look_ahead: Option<bool>,
    /// Hops after which recursive-loop detection stops an async chain (default 16, spec section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub recursion_limit: Option<i64>,
    /// Whether recursive-loop detection counts hops through EventBridge buses (default true; AWS lists SQS, SNS, S3
    /// and Lambda, so this is uncertain, spec section 2). With false, a loop through a bus is ended by the run budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursion_through_event_bridge: Option<bool>,
    /// How fast new execution environments may be created (spec section 6): `PerFunction` (default: 1,000 per 10 s
    /// per function, refilled continuously) or `AccountBurst` (the older account-wide burst of 3,000 / 1,000 / 500 by
    /// Region, then +500 per minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_model: Option<ScalingModelSpec>,
    /// The 429 `Reason` when the scaling rate refuses a new environment (not documented, spec 1 and 9.10; default
    /// `FunctionInvocationRateLimitExceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_throttle_reason: Option<String>,
    /// How long an idle execution environment is kept before Lambda shuts it down (not published, spec section 6;
    /// default: kept for the whole run). A distribution in milliseconds, e.g. `{"Uniform": {"MinMs": 300000, "MaxMs": 900000}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_idle_lifetime: Option<DistSpec>,
    /// Environments are recycled after this many seconds even under continuous load (spec section 6: "every few
    /// hours"; default: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub environment_max_lifetime_seconds: Option<f64>,
    /// Ceiling of concurrent invocations of one SQS mapping without `MaximumConcurrency` (spec 5.2 and 9.2: 1,000
    /// batches per one page, 1,250 invocations per the newer one; default 1250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1000, max = 1250))]
    pub sqs_poller_ceiling: Option<i64>,
    /// Seconds before a broker redelivers the messages of a failed Amazon MQ batch (spec 5.6: ActiveMQ's default
    /// `redeliveryDelay`, 1 s, documented for Lambda's ActiveMQ consumer; RabbitMQ requeues at once, uncertain;
    /// default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 3600))]
    pub mq_redelivery_delay_seconds: Option<f64>,
    /// Concurrent invocations an SQS mapping adds per minute while messages remain (spec 5.2: 300 since late 2023,
    /// 60 before; default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub sqs_scale_up_per_minute: Option<i64>,
    /// The `condition` of a stream on-failure record for records past `MaximumRecordAgeInSeconds` (spec 3.3 and
    /// 9.6: seen only in emulators; default `RecordAgeExceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_record_age_condition: Option<String>,
    /// Whether a failed batch that is bisected also uses one of `MaximumRetryAttempts` (spec 5.3 says splits do not;
    /// how retries count per half is undocumented; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bisect_counts_as_retry: Option<bool>,
    /// Seconds before the first retry of a failed stream batch; each further failure in a row doubles it (spec 5.3:
    /// AWS retries with a back-off it does not publish; default 0.33, the middle of the values that reproduce a
    /// recording of 8 invocations within a 60 s `MaximumRecordAgeInSeconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.001, max = 900))]
    pub stream_retry_initial_backoff_seconds: Option<f64>,
    /// The longest back-off between retries of a failed stream batch, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.001, max = 3600))]
    pub stream_retry_max_backoff_seconds: Option<f64>,
    /// Which dead-letter queue an event of a published version goes to (spec 4, 9.4: the docs conflict): `Function`
    /// (default: the function's current `$LATEST` configuration, as the current AWS docs say) or `Version` (the DLQ
    /// of the version that ran, locked in at publish, as the 2023 developer guide says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_scope: Option<DlqScopeSpec>,
    /// What a Lambda subscription's dead-letter queue gets for a message SNS could not deliver (AWS does not document
    /// it): `SnsObject` (default: the `Sns` object of the event, with `Type`, `TopicArn`, `Message`, ...) or `Event`
    /// (the whole `{"Records": [...]}` event the function would have received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_lambda_dlq_body: Option<SnsLambdaDlqBody>,
    /// Seconds from enabling (or raising) provisioned concurrency on the timeline until its environments start their
    /// init (spec section 6: "allocation starts after 1-2 minutes", [unc]; default 60). Provisioned concurrency
    /// declared in `Functions` is ready at time 0 (it was configured before the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 86400))]
    #[allow(rustdoc::broken_intra_doc_links)] // the text is also the schema's description: kept as it is
    pub provisioned_concurrency_allocation_seconds: Option<f64>,
    /// Sampling interval of the time series (`--series`, the HTML report, `--format json`), in seconds (1 us to 1
    /// day). The command line's `--series-interval` overrides it. Default: chosen from the length of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.000001, max = 86400))]
    pub series_interval_seconds: Option<f64>,
    /// Where a Kafka producer puts a record without a key (spec 5.5; uncertain): `Sticky` (default: Kafka's producer
    /// since 2.4 keeps one partition until a 16 KB batch is full, then moves on) or `RoundRobin` (one partition after
    /// the other, the producer before 2.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_keyless_partitioner: Option<KafkaKeylessPartitioner>,
    /// What a Kafka mapping writes to a Kafka-topic on-failure destination (`kafka://<topic>`; spec 5.5; uncertain):
    /// `InvocationRecord` (default: one record per discarded range, its value the on-failure invocation record with
    /// `KafkaBatchInfo` and the event as `payload`, as an S3 destination gets it) or `Records` (each failed record
    /// again, with its key, value and headers, and the failure in `lambdasim-*` headers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_destination_record: Option<KafkaDestinationRecord>,
}

/// `Simulation.DlqScope`: whose dead-letter queue an event of a published version goes to (spec 4, 9.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DlqScopeSpec {
    /// The dead-letter queue of the function's current `$LATEST` configuration, whichever version ran (default).
    Function,
    /// The dead-letter queue of the version that ran, as it was when the version was published.
    Version,
}

/// `Simulation.ScalingModel`: how fast new execution environments may be created (spec section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ScalingModelSpec {
    /// 1,000 new environments per 10 seconds for each function (default).
    PerFunction,
    /// An account-wide initial burst (3,000, 1,000 or 500 by Region), then 500 more per minute.
    AccountBurst,
}

/// `Simulation.AsyncPayloadLimit`: `Current` (1 MB) or `Legacy` (256 KB) (spec section 2, 9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PayloadLimitMode {
    /// 1 MB, the limit of AWS's current documentation for an asynchronous request (default).
    Current,
    /// 256 KB, the limit until 2025.
    Legacy,
}

/// An exponential back-off: from `InitialSeconds`, times `Multiplier` after each retry, at most `MaxSeconds`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BackoffSpec {
    /// The first back-off, in seconds (> 0; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub initial_seconds: Option<f64>,
    /// The longest back-off, in seconds (at least `InitialSeconds`; default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_seconds: Option<f64>,
    /// Each back-off is the previous one times this, 1 to 10 (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10))]
    pub multiplier: Option<f64>,
    /// Each back-off is drawn uniformly in [(1 - Jitter) × d, d] (default 0: no jitter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub jitter: Option<f64>,
}

pub use crate::vocab::CallOutcome as CallOutcomeSpec;
pub use crate::vocab::{ConcurrencyFullMode, FaultKind, JitterSpec, OutcomeKind, RetryDelayFrom, SnsLambdaDlqBody};

/// The JSON Schema of the scenario format.
pub fn json_schema() -> Value {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_value(&schema).unwrap_or(Value::Null)
}
