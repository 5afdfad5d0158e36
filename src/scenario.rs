//! The scenario file: what a user writes (JSON), deserialized with `serde` (`deny_unknown_fields`) and described by a
//! JSON Schema generated from these same types (`lambdasim schema`).
//!
//! Property names follow AWS's own (`Timeout`, `MemorySize`, `ReservedConcurrentExecutions`, `EventInvokeConfig`,
//! `MaximumRetryAttempts`, `DestinationConfig`, `DeadLetterConfig.TargetArn`, ...), so blocks can be pasted from
//! CloudFormation/SAM templates. Numbers are read wide (`i64`/`f64`) and checked against AWS's bounds in
//! [`crate::model`], so that an out-of-range value gets an error naming its path, its value and the allowed range.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AWS Region used in every ARN (default us-east-1).
    #[serde(default = "default_region")]
    pub region: String,
    /// 12-digit account id used in every ARN (default 123456789012).
    #[serde(default = "default_account")]
    pub account_id: String,
    #[serde(default)]
    pub account: AccountSpec,
    #[serde(default)]
    pub simulation: SimulationSpec,
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
    /// Event source mappings (`AWS::Lambda::EventSourceMapping`): Lambda's pollers for SQS, Kinesis and DynamoDB
    /// Streams (spec section 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_source_mappings: Vec<EventSourceMappingSpec>,
    /// Amazon Data Firehose delivery streams (`AWS::KinesisFirehose::DeliveryStream`) whose records a Lambda function
    /// transforms (`ProcessingConfiguration`); producers are `Workload` entries with `DeliveryStream`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery_streams: Vec<crate::model::firehose::DeliveryStreamSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workload: Vec<WorkloadSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
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

/// Prices in US dollars; each omitted price takes its default (spec section 8). Every price is a finite number >= 0.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PricingSpec {
    /// Per million requests (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub request_usd_per_million: Option<f64>,
    /// Per GB-second of x86_64 duration, init included (default 0.0000166667).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub x86_gb_second_usd: Option<f64>,
    /// Per GB-second of arm64 duration, init included (default 0.0000133334).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub arm64_gb_second_usd: Option<f64>,
    /// Provisioned concurrency, per GB-second configured, x86_64 (default 0.0000041667; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provisioned_x86_gb_second_usd: Option<f64>,
    /// Provisioned concurrency, per GB-second configured, arm64 (default 0.0000033334; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provisioned_arm64_gb_second_usd: Option<f64>,
    /// Duration on provisioned environments, per GB-second, x86_64 (default 0.0000097222; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provisioned_duration_x86_gb_second_usd: Option<f64>,
    /// Duration on provisioned environments, per GB-second, arm64 (default 0.0000077778; spec section 8 gives no rate: [unc]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provisioned_duration_arm64_gb_second_usd: Option<f64>,
}

/// Account-level settings (spec section 6).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AccountSpec {
    /// Regional concurrency limit shared by all functions (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub concurrent_executions: Option<i64>,
}

/// How the simulation runs, and the named options for behaviour AWS leaves uncertain (README, "Uncertain behaviour").
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SimulationSpec {
    /// The wall-clock instant that virtual time 0 stands for, ISO-8601 UTC (default 2024-01-01T00:00:00Z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Stop after this much virtual time; events still pending get the fate `InFlight`. Default: run until idle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Delays before the async retries after a function error (default [60, 120], spec section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_retry_delays_seconds: Option<Vec<f64>>,
    /// Each retry delay is drawn uniformly within ± this many seconds (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_retry_jitter_seconds: Option<f64>,
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
    pub event_bridge_retry_backoff: Option<BackoffSpec>,
    /// Seconds Firehose waits before invoking a transformation batch again after a failed invocation (default 1;
    /// AWS does not publish the delay, [unc]). 0 to 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    pub event_bridge_destination_source: Option<String>,
    /// Condition string on records of events dropped because reserved concurrency is 0 (spec 2, 9.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_reserved_concurrency_condition: Option<String>,
    /// Whether an event is given up at once when its next retry would start after its maximum age (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_age_look_ahead: Option<bool>,
    /// Hops after which recursive-loop detection stops an async chain (default 16, spec section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursion_limit: Option<i64>,
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
    pub environment_max_lifetime_seconds: Option<f64>,
    /// Ceiling of concurrent invocations of one SQS mapping without `MaximumConcurrency` (spec 5.2 and 9.2: 1,000
    /// batches per one page, 1,250 invocations per the newer one; default 1250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs_poller_ceiling: Option<i64>,
    /// Concurrent invocations an SQS mapping adds per minute while messages remain (spec 5.2: 300 since late 2023,
    /// 60 before; default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs_scale_up_per_minute: Option<i64>,
    /// The `condition` of a stream on-failure record for records past `MaximumRecordAgeInSeconds` (spec 3.3 and
    /// 9.6: seen only in emulators; default `RecordAgeExceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_record_age_condition: Option<String>,
    /// Whether a failed batch that is bisected also uses one of `MaximumRetryAttempts` (spec 5.3 says splits do not;
    /// how retries count per half is undocumented; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bisect_counts_as_retry: Option<bool>,
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
    pub provisioned_concurrency_allocation_seconds: Option<f64>,
    /// Sampling interval of the time series (`--series`, the HTML report, `--format json`), in seconds (1 us to 1
    /// day). The command line's `--series-interval` overrides it. Default: chosen from the length of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_interval_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum SnsLambdaDlqBody {
    #[default]
    SnsObject,
    Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DlqScopeSpec {
    Function,
    Version,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ScalingModelSpec {
    PerFunction,
    AccountBurst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RetryDelayFrom {
    AttemptEnd,
    AttemptStart,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConcurrencyFullMode {
    /// The event is throttled and retried with the throttle back-off, without using its retry budget (default).
    Backoff,
    /// The event waits in the queue (FIFO) until an environment is free; it still expires at its maximum age.
    Queue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PayloadLimitMode {
    Current,
    Legacy,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BackoffSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
    /// Each back-off is drawn uniformly in [(1 - Jitter) × d, d] (default 0: no jitter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
}

/// A Lambda function (`AWS::Lambda::Function` properties plus its async invoke configuration and behaviour).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FunctionSpec {
    pub function_name: String,
    /// Seconds, 1–900 (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: Option<i64>,
    /// MB, 128–10240 (default 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: Option<i64>,
    /// `["x86_64"]` (default) or `["arm64"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Vec<String>>,
    /// Reserved concurrency: both a cap and a guarantee; 0 throttles every invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub reserved_concurrent_executions: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<BehaviorSpec>,
    /// Provisioned concurrency as SAM writes it (spec section 6). lambdasim applies it to invocations of the function
    /// by name (unqualified or `$LATEST`), standing for SAM's `AutoPublishAlias` that callers invoke; it counts toward
    /// `ReservedConcurrentExecutions` and cannot exceed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrencyConfigSpec>,
    /// Shorthand for `ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub provisioned_concurrency: Option<i64>,
    /// Published versions, each a snapshot of the code and configuration (`AWS::Lambda::Version`); omitted
    /// properties are the function's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionSpec>,
    /// Aliases (`AWS::Lambda::Alias`): a name for a version, optionally routing a share of invocations to a second one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<AliasSpec>,
}

/// `ProvisionedConcurrencyConfig` of SAM, `AWS::Lambda::Version` and `AWS::Lambda::Alias`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProvisionedConcurrencyConfigSpec {
    /// Pre-initialised execution environments (spec section 6); 0 turns provisioned concurrency off.
    #[schemars(range(min = 0))]
    pub provisioned_concurrent_executions: i64,
}

/// A published version (`AWS::Lambda::Version`): the code and configuration it was published with.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct VersionSpec {
    /// The version number, "1", "2", ... increasing (default: the position in `Versions` plus 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<BehaviorSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrencyConfigSpec>,
}

/// An alias (`AWS::Lambda::Alias`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AliasSpec {
    pub name: String,
    /// The version the alias points to ("1", "2", ...).
    pub function_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<RoutingConfigSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrencyConfigSpec>,
}

/// `AliasRoutingConfiguration`: a share of the alias's invocations goes to a second version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RoutingConfigSpec {
    /// At most one entry (AWS allows one additional version); an empty list routes everything to `FunctionVersion`.
    #[serde(default)]
    pub additional_version_weights: Vec<VersionWeightSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct VersionWeightSpec {
    pub function_version: String,
    /// The share of invocations, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub function_weight: f64,
}

/// One change on the timeline, at `AtSeconds`: exactly one of the actions below, each named and shaped after the AWS
/// API action that makes it. Invocations already accepted run with the configuration in force when each of their
/// attempts starts; a change at t applies before invocations arriving at t.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ChangeSpec {
    pub at_seconds: f64,
    /// Deploy new code to `$LATEST` (and publish it as a new version with `Publish: true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_function_code: Option<UpdateFunctionCodeSpec>,
    /// Change `$LATEST`'s timeout, memory, dead-letter queue or asynchronous invoke configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_function_configuration: Option<UpdateFunctionConfigurationSpec>,
    /// Publish `$LATEST` as it is now as the next version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_version: Option<FunctionRefSpec>,
    /// Set reserved concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_function_concurrency: Option<PutFunctionConcurrencySpec>,
    /// Remove reserved concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_function_concurrency: Option<FunctionRefSpec>,
    /// Set provisioned concurrency of a version or alias (`$LATEST`: invocations by name; 0 removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_provisioned_concurrency_config: Option<PutProvisionedConcurrencySpec>,
    /// Point an alias at another version, or change its routing weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_alias: Option<UpdateAliasSpec>,
    /// Disable or re-enable an event source mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_event_source_mapping: Option<UpdateEventSourceMappingSpec>,
}

/// `UpdateEventSourceMapping`: names the mapping by its `UUID` (as reported in the trace and `--format json`) or by
/// its `EventSourceArn` and `FunctionName`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateEventSourceMappingSpec {
    #[serde(rename = "UUID", default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FunctionRefSpec {
    pub function_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateFunctionCodeSpec {
    pub function_name: String,
    /// What the new code does.
    pub behavior: BehaviorSpec,
    /// Also publish the new code as the next version (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateFunctionConfigurationSpec {
    pub function_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    /// The new asynchronous invoke configuration of `$LATEST` (AWS: `PutFunctionEventInvokeConfig`), replacing the
    /// old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PutFunctionConcurrencySpec {
    pub function_name: String,
    #[schemars(range(min = 0))]
    pub reserved_concurrent_executions: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PutProvisionedConcurrencySpec {
    pub function_name: String,
    /// A version number, an alias name, or `$LATEST` (invocations by name, as the function-level setting).
    pub qualifier: String,
    #[schemars(range(min = 0))]
    pub provisioned_concurrent_executions: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateAliasSpec {
    pub function_name: String,
    pub name: String,
    /// The version the alias points to from now on (default: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_version: Option<String>,
    /// The new routing (default: unchanged; an empty `AdditionalVersionWeights` removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<RoutingConfigSpec>,
}

/// `AWS::Lambda::EventInvokeConfig` (spec section 2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventInvokeConfigSpec {
    /// 0–2 (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2))]
    pub maximum_retry_attempts: Option<i64>,
    /// 60–21600 (default 21600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 21600))]
    pub maximum_event_age_in_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<DestinationConfigSpec>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DestinationConfigSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<DestinationSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<DestinationSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DestinationSpec {
    /// ARN of an SQS queue, SNS topic, EventBridge bus, Lambda function or (on failure only) S3 bucket.
    pub destination: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DeadLetterConfigSpec {
    /// ARN of an SQS queue or SNS topic (spec section 4).
    pub target_arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct QueueSpec {
    pub queue_name: String,
    /// `true` for a FIFO queue (its name must then end in `.fifo`; a `.fifo` name alone also makes it FIFO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo_queue: Option<bool>,
    /// Seconds a received message stays invisible (0 to 43200, default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_timeout: Option<i64>,
    /// Seconds a message is kept (60 to 1209600, default 345600 = 4 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_retention_period: Option<i64>,
    /// Seconds a new message stays invisible before its first receive (0 to 900, default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    pub max_receive_count: i64,
}

/// A Kinesis data stream (provisioned mode).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KinesisStreamSpec {
    pub name: String,
    /// Shards (1 to 500, default 1). Partition keys are hashed to shards with MD5, as Kinesis does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_count: Option<i64>,
    /// Hours a record is kept (24 to 8760, default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_period_hours: Option<i64>,
}

/// A DynamoDB table whose stream is read by an event source mapping (records are kept 24 hours).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TableSpec {
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
    pub stream_shards: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct StreamSpecificationSpec {
    pub stream_view_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KeySchemaElementSpec {
    pub attribute_name: String,
    pub key_type: String,
}

/// An event source mapping, with the properties of `AWS::Lambda::EventSourceMapping` (spec section 5).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventSourceMappingSpec {
    /// ARN of an SQS queue, a Kinesis stream or a DynamoDB table stream of this scenario.
    pub event_source_arn: String,
    /// Function name or ARN.
    pub function_name: String,
    /// `false`: the mapping does not poll (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Records per batch (SQS standard 1 to 10000, default 10; SQS FIFO 1 to 10; streams 1 to 10000, default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<i64>,
    /// 0 to 300 seconds (default 0; not allowed for FIFO queues; SQS `BatchSize` > 10 needs >= 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_batching_window_in_seconds: Option<i64>,
    /// `["ReportBatchItemFailures"]` enables partial batch responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_response_types: Option<Vec<String>>,
    /// Up to 5 EventBridge-style patterns (as JSON strings, like CloudFormation, or as objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_criteria: Option<FilterCriteriaSpec>,
    /// SQS: `{"MaximumConcurrency": 2..1000}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<ScalingConfigSpec>,
    /// Streams: `TRIM_HORIZON`, `LATEST` or (Kinesis) `AT_TIMESTAMP`. Required for streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<String>,
    /// With `AT_TIMESTAMP`: seconds of simulated time (records that arrived earlier are not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position_timestamp: Option<f64>,
    /// Streams: concurrent batches per shard, 1 to 10 (default 1); order is kept per partition key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelization_factor: Option<i64>,
    /// Streams: -1 (infinite, default) or 0 to 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i64>,
    /// Streams: -1 (infinite, default) or 60 to 604800.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_record_age_in_seconds: Option<i64>,
    /// Streams: split a failed batch in two before retrying (splits do not use the retry budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bisect_batch_on_function_error: Option<bool>,
    /// Streams: `{"OnFailure": {"Destination": <SQS, SNS or S3 ARN>}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<EsmDestinationConfigSpec>,
    /// Streams: 0 to 900 seconds; state is carried between the invocations of a window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tumbling_window_in_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FilterCriteriaSpec {
    pub filters: Vec<FilterSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FilterSpec {
    /// The pattern: a JSON string as in CloudFormation (`"{\"body\": {\"kind\": [\"order\"]}}"`) or an object.
    pub pattern: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ScalingConfigSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_concurrency: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EsmDestinationConfigSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<DestinationSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TopicSpec {
    /// A FIFO topic's name ends with `.fifo`.
    pub topic_name: String,
    /// `true` for a FIFO topic (its name must end with `.fifo`): subscribers are SQS queues only, publishers give a
    /// `MessageGroupId`, and a repeated deduplication id is dropped for 5 minutes
    /// (https://docs.aws.amazon.com/sns/latest/dg/sns-fifo-topics.html).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo_topic: Option<bool>,
    /// FIFO topics: deduplicate by a hash of the message body when the publisher gives no `MessageDeduplicationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_based_deduplication: Option<bool>,
    /// Subscriptions (`AWS::SNS::Subscription`): a message published to the topic fans out to every subscription
    /// whose filter policy matches (docs/sources.md, spec section 7: SNS invokes Lambda asynchronously).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<crate::model::fanout::SubscriptionSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventBusSpec {
    pub name: String,
    /// Rules (`AWS::Events::Rule`): an event put on the bus goes to the targets of every enabled rule whose pattern
    /// matches; a scheduled rule puts a `Scheduled Event` at each tick (spec section 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::model::fanout::RuleSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BucketSpec {
    pub bucket_name: String,
}

/// What the function's code does: how long it runs, how long its cold start takes, and how each attempt ends.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BehaviorSpec {
    /// Handler duration per attempt (default constant 100 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DistSpec>,
    /// Init (cold start) duration (default constant 200 ms). On-demand init is capped at 10 s (spec section 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_duration: Option<DistSpec>,
    /// For invocations by an event source mapping: time added per record of the batch (one draw, times the number
    /// of records), on top of `Duration` (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_per_record: Option<DistSpec>,
    /// Ordered rules; the first whose `When` holds decides the attempt. No rule matching means success.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSpec>,
}

/// A distribution of durations in milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum DistSpec {
    Constant {
        #[serde(rename = "Ms")]
        ms: f64,
    },
    Uniform {
        #[serde(rename = "MinMs")]
        min_ms: f64,
        #[serde(rename = "MaxMs")]
        max_ms: f64,
    },
    Exponential {
        #[serde(rename = "MeanMs")]
        mean_ms: f64,
        #[serde(rename = "MinMs", default, skip_serializing_if = "Option::is_none")]
        min_ms: Option<f64>,
        #[serde(rename = "MaxMs", default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<f64>,
    },
    LogNormal {
        #[serde(rename = "MedianMs")]
        median_ms: f64,
        #[serde(rename = "Sigma")]
        sigma: f64,
        #[serde(rename = "MinMs", default, skip_serializing_if = "Option::is_none")]
        min_ms: Option<f64>,
        #[serde(rename = "MaxMs", default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<f64>,
    },
    /// Drawn uniformly from the given samples (e.g. REPORT-line durations).
    Empirical {
        #[serde(rename = "SamplesMs")]
        samples_ms: Vec<f64>,
    },
}

/// One behaviour rule: when every condition in `When` holds, the attempt ends as `Then` says.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<WhenSpec>,
    pub then: ThenSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct WhenSpec {
    /// EventBridge-style pattern on the invocation payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Bounds on the attempt number (1 for the first execution of an event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<RangeSpec>,
    /// The rule applies with this probability (drawn only when the other conditions hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub probability: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RangeSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OutcomeKind {
    /// Return normally, with `Response` as the payload.
    Succeed,
    /// Throw: an `Unhandled` function error with `ErrorType` and `ErrorMessage`; the environment stays warm.
    Fail,
    /// Run until the function's `Timeout`; the environment is reset.
    Timeout,
    /// The runtime process exits (`Runtime.ExitError`, e.g. out of memory); the environment is reset.
    Crash,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ThenSpec {
    pub outcome: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The response payload of a success (default null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// Overrides the function's duration distribution for attempts this rule decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<DistSpec>,
    /// The size of the response in bytes, when it should count as larger than `Response` (e.g. to model a response
    /// over the 6 MB limit, which becomes a `Function.ResponseSizeTooLarge` error: spec 1, 10.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub response_size_bytes: Option<i64>,
}

impl ThenSpec {
    /// `Then` with just an outcome (no error texts, response, duration or size).
    pub fn outcome(outcome: OutcomeKind) -> Self {
        ThenSpec { outcome, error_type: None, error_message: None, response: None, duration: None, response_size_bytes: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum InvocationTypeSpec {
    Event,
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
    /// SNS producers: message attributes, `{"name": "value"}` or `{"name": {"Type": "Number", "Value": "3"}}`.
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
    /// DynamoDB: `INSERT` (default), `MODIFY` or `REMOVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// `Event` (async, default) or `RequestResponse` (synchronous: run at once or get 429; never retried by Lambda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<InvocationTypeSpec>,
    /// The event payload. Strings may hold `{{n}}` (0-based index within this source) or `{{seq}}` (global
    /// accept order); a string that is exactly `{{n}}` or `{{seq}}` becomes a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Invocation times, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poisson: Option<PoissonSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<EverySpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<BurstSpec>,
    /// The AWS service that invokes (`S3`, `SNS`, `EventBridge`, `ApiGatewayRest`, `ApiGatewayHttp`, `ALB`, `Cognito`,
    /// `CloudWatchLogs`, `Firehose`, ... see docs/sources.md): the payload is wrapped in that service's real event
    /// shape, and `InvocationType` defaults to the service's mode (spec section 7). Default: the payload as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    pub timeout_seconds: Option<f64>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_delay_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay_ms: Option<f64>,
    /// `Full` (default), `Equal` or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<JitterSpec>,
    /// Outcomes that are retried (default `Throttled`, `ServiceError`, `TimedOut`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<Vec<CallOutcomeSpec>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum JitterSpec {
    Full,
    Equal,
    None,
}

pub use crate::vocab::CallOutcome as CallOutcomeSpec;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PoissonSpec {
    pub rate_per_second: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_seconds: Option<f64>,
    pub end_seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EverySpec {
    pub interval_seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_seconds: Option<f64>,
    pub end_seconds: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BurstSpec {
    pub at_seconds: f64,
    pub count: i64,
    /// Spread the burst evenly over this many seconds (default 0: all at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FaultKind {
    /// Every attempt that starts in the window fails with an `Unhandled` error.
    Error,
    /// Every attempt that starts in the window runs until the function's timeout.
    Timeout,
    /// Every attempt that starts in the window crashes the runtime (environment reset).
    Crash,
    /// Invocations in the window are throttled as if concurrency were exhausted (429).
    Throttle,
    /// Invocations in the window fail with a Lambda service error (500), retried like throttles.
    ServiceError,
    /// Deliveries to `Target` in the window fail (`DestinationDeliveryFailures` / `DeadLetterErrors`); the record is
    /// lost (spec 3.1, 4).
    DeliveryFailure,
}

/// A fault on the timeline: applies to a function (or, for `DeliveryFailure`, to a destination or DLQ) between two
/// virtual times.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FaultSpec {
    /// The function (every kind but `DeliveryFailure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The ARN of the queue, topic, bus, bucket or function that rejects deliveries (`DeliveryFailure` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub kind: FaultKind,
    pub start_seconds: f64,
    pub end_seconds: f64,
    /// Applies to each affected invocation with this probability (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Why the target rejects deliveries (`DeliveryFailure` only; default `AccessDenied`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<DeliveryFaultReason>,
}

/// Why a destination or DLQ rejects a delivery during a `DeliveryFailure` fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DeliveryFaultReason {
    /// The function's execution role lacks permission to send to the target.
    AccessDenied,
    /// The target throttled the send.
    Throttled,
    /// The target does not exist (deleted).
    ResourceNotFound,
    /// The target is encrypted with a KMS key Lambda cannot use.
    KmsAccessDenied,
}

/// An expectation checked after the run: a measure and one or more bounds on it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ExpectationSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expect: MeasureSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// In a sweep (`lambdasim check`), the per-seed check must hold in at least this fraction of seeds (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub in_fraction_of_seeds: Option<f64>,
    /// A coverage goal: the bounds must hold in at least one seed of a sweep (e.g. "a throttle happens").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sometimes: Option<bool>,
    /// A statistical check across the seeds of a sweep: the bounds apply to a statistic of the per-seed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub across_seeds: Option<AcrossSeedsSpec>,
}

/// A statistic over the seeds of a sweep; passes when its confidence interval lies within the bounds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AcrossSeedsSpec {
    /// `Mean` (with a confidence interval) or a quantile such as `P95` of the per-seed values.
    pub statistic: String,
    /// Two-sided confidence level of the interval for `Mean` (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.5, max = 0.999))]
    pub confidence: Option<f64>,
}

/// What an expectation measures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum MeasureSpec {
    /// Number of events (of one function, or all) that ended in `Fate`.
    Fates {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Fate")]
        fate: String,
    },
    /// Number of events accepted (of one function, or all).
    Accepted {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Number of messages a target received, optionally of one kind (`OnSuccess`, `OnFailure`, `DeadLetter`) and
    /// matching an EventBridge pattern applied to the message as the target receives it.
    SinkRecords {
        #[serde(rename = "Target")]
        target: String,
        #[serde(rename = "Kind", default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        #[serde(rename = "Match", default, skip_serializing_if = "Option::is_none")]
        pattern: Option<Value>,
    },
    /// Executions per event; the bounds apply to every event (of one function, optionally of one fate).
    AttemptsPerEvent {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Fate", default, skip_serializing_if = "Option::is_none")]
        fate: Option<String>,
    },
    /// Total executions (attempts started), optionally of one version (`$LATEST`, "1", ...) only.
    Attempts {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
    /// Latency from accept to final fate, in seconds, at a percentile (0–100).
    LatencySeconds {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    ColdStarts {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    Throttles {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Deliveries to destinations or DLQs that failed (`DestinationDeliveryFailures` + `DeadLetterErrors`), optionally
    /// of one record `Kind` (`OnSuccess`, `OnFailure`, `DeadLetter`) or one `Reason` (`FifoNotSupported`, `TooLarge`,
    /// `RecursionStopped`, `AccessDenied`, `Throttled`, `ResourceNotFound`, `KmsAccessDenied`).
    DeliveryFailures {
        #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        #[serde(rename = "Kind", default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        #[serde(rename = "Reason", default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Executions that found every provisioned environment of their version busy and ran on demand
    /// (`ProvisionedConcurrencySpilloverInvocations`, spec section 6).
    ProvisionedSpillovers {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Executions that ran on a provisioned environment (`ProvisionedConcurrencyInvocations`).
    ProvisionedInvocations {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Requests of synchronous callers that finally got `Outcome` (`Ok`, `FunctionError`, `Throttled`,
    /// `ServiceError`, `TimedOut`, `TooLarge`), after the caller's retries.
    CallerOutcomes {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Outcome")]
        outcome: CallOutcomeSpec,
    },
    /// Latency seen by synchronous callers (first try to final answer, retries included), in seconds.
    CallerLatencySeconds {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    /// Throttles with one 429 `Reason` (e.g. `ReservedFunctionConcurrentInvocationLimitExceeded`).
    ThrottlesByReason {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Reason")]
        reason: String,
    },
    /// The highest number of concurrent executions (of one function, or of the account).
    PeakConcurrency {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Cold starts divided by executions.
    ColdStartRatio {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Seconds between the end of a failed execution and the start of the next execution of the same event; the
    /// bounds apply to every gap (spec 10.2: at least 60·k s before attempt k+1).
    RetryGapSeconds {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// Only the gap before this attempt number (2 or 3).
        #[serde(rename = "BeforeAttempt", default, skip_serializing_if = "Option::is_none")]
        before_attempt: Option<i64>,
    },
    /// Events whose async failure did not reach each configured failure target (on-failure destination, DLQ) exactly
    /// once. `Equals: 0` checks "every event that failed reaches each failure target exactly once".
    FailureRecordsNotExactlyOnce {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Messages of a queue that ended in `Fate` (`Deleted`, `Filtered`, `Redriven`, `Expired`, `Deduplicated`,
    /// `TooLarge`, `InQueue`, `Stored`).
    MessageFates {
        #[serde(rename = "Queue")]
        queue: String,
        #[serde(rename = "Fate")]
        fate: String,
    },
    /// Receive count of the queue's messages at their fate, at a percentile (100 = the most).
    ReceivesPerMessage {
        #[serde(rename = "Queue")]
        queue: String,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    /// Seconds from sending to deletion after processing, at a percentile (100 = the longest).
    MessageDelaySeconds {
        #[serde(rename = "Queue")]
        queue: String,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    /// The most messages the queue held at once (visible, delayed and in flight).
    QueueDepth {
        #[serde(rename = "Queue")]
        queue: String,
    },
    /// The greatest age the queue's oldest message reached, in seconds.
    OldestMessageAgeSeconds {
        #[serde(rename = "Queue")]
        queue: String,
    },
    /// Stream records that ended in `Fate` (`Processed`, `Filtered`, `RetriesExhausted`, `RecordAgeExceeded`,
    /// `Expired`, `NotRead`, `InFlight`), over the stream's mappings (or one function's).
    RecordFates {
        #[serde(rename = "Stream")]
        stream: String,
        #[serde(rename = "Fate")]
        fate: String,
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// `IteratorAge` of stream batches (age of a batch's last record when it is invoked), at a percentile.
    IteratorAgeSeconds {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    /// Events of one workload source (its `Name`) that ended in `Fate`.
    SourceFates {
        #[serde(rename = "Source")]
        source: String,
        #[serde(rename = "Fate")]
        fate: String,
    },
    /// Latency of one workload source's events (its `Name`), accept to final fate, in seconds, at a percentile.
    SourceLatencySeconds {
        #[serde(rename = "Source")]
        source: String,
        #[serde(rename = "Percentile")]
        percentile: f64,
    },
    /// Messages published to a topic, or events put on a bus (give one of `Topic`, `EventBus`); publishes a FIFO topic
    /// dropped as duplicates are not counted.
    Published {
        #[serde(rename = "Topic", default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        #[serde(rename = "EventBus", default, skip_serializing_if = "Option::is_none")]
        event_bus: Option<String>,
    },
    /// Publishes to a FIFO topic dropped because their deduplication id was seen in the last 5 minutes.
    PublishesDeduplicated {
        #[serde(rename = "Topic")]
        topic: String,
    },
    /// Events a rule of a bus matched (a scheduled rule: its ticks).
    RuleMatches {
        #[serde(rename = "EventBus")]
        event_bus: String,
        #[serde(rename = "Rule")]
        rule: String,
    },
    /// Deliveries to a topic's subscriptions (all, or the one whose `Endpoint` ARN is given) that ended with
    /// `Outcome` (`Delivered`, `Discarded`, `DeadLettered`, `InFlight`).
    TopicDeliveries {
        #[serde(rename = "Topic")]
        topic: String,
        #[serde(rename = "Endpoint", default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        #[serde(rename = "Outcome")]
        outcome: String,
    },
    /// Deliveries to the targets of a bus's rules (of one `Rule`, and/or one `Target` by id or ARN) that ended with
    /// `Outcome` (`Delivered`, `Discarded`, `DeadLettered`, `InFlight`).
    RuleDeliveries {
        #[serde(rename = "EventBus")]
        event_bus: String,
        #[serde(rename = "Rule", default, skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
        #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        #[serde(rename = "Outcome")]
        outcome: String,
    },
    /// Mapping batches that ended with `Result` (`Success`, `Partial`, `Failed`, `Throttled`), of the mappings of a
    /// function and/or a source (queue or stream name or ARN).
    Batches {
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        #[serde(rename = "Result")]
        result: String,
    },
    /// Records of a Firehose delivery stream (or of all) that ended in `Fate` (`Delivered`, `Dropped`,
    /// `ProcessingFailed`, `TooLarge`, `InFlight`).
    FirehoseRecords {
        #[serde(rename = "DeliveryStream", default, skip_serializing_if = "Option::is_none")]
        delivery_stream: Option<String>,
        #[serde(rename = "Fate")]
        fate: String,
    },
    /// Invocations of a delivery stream's transformation function (or of all streams), optionally only those Firehose
    /// read as `Result` (`Ok`, `FunctionError`, `Throttled`, `InvalidResponse`); retries count.
    FirehoseInvocations {
        #[serde(rename = "DeliveryStream", default, skip_serializing_if = "Option::is_none")]
        delivery_stream: Option<String>,
        #[serde(rename = "Result", default, skip_serializing_if = "Option::is_none")]
        result: Option<String>,
    },
}

/// What `lambdasim explore` searches: ranges for knobs of this scenario, checked against its expectations and the
/// built-in invariants.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ExploreSpec {
    pub knobs: Vec<KnobSpec>,
    /// Cases to try (default 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000000))]
    pub cases: Option<i64>,
    /// The run seeds drawn per case, inclusive `A..B` (default `1..1000000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<String>,
}

/// One knob: a path into this scenario (as for `compare --set`: `functions.<name>.<Property>`,
/// `workload.<Name>.Poisson.RatePerSecond`, `simulation.X`, `faults[0].StartSeconds`) and its range or values.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KnobSpec {
    pub path: String,
    /// `[low, high]`, inclusive; whole numbers give integers, otherwise decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[Value; 2]>,
    /// The values to choose from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// The JSON Schema of the scenario format.
pub fn json_schema() -> Value {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_value(&schema).unwrap_or(Value::Null)
}
