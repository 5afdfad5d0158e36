//! What is checked after a run: `Expectations` (a measure and bounds on it, per seed or across the seeds of a sweep)
//! and the `Explore` knobs that `lambdasim explore` searches for a case that breaks them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::CallOutcomeSpec;

/// An expectation checked after the run: a measure and one or more bounds on it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ExpectationSpec {
    /// A name for the expectation in summaries and reports (default: the measure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What is measured: exactly one measure, e.g. `{"Fates": {"Fate": "Succeeded"}}`.
    pub expect: MeasureSpec,
    /// The measure must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<f64>,
    /// The measure must be at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// The measure must be at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    /// In a sweep (`lambdasim check`), the per-seed check must hold in at least this fraction of seeds (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0), range(max = 1))]
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
    #[schemars(schema_with = "super::words::statistic")]
    pub statistic: String,
    /// Two-sided confidence level of the interval for `Mean` (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.5, max = 0.999))]
    pub confidence: Option<f64>,
}

/// What an expectation measures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = super::words::describe_variant_keys)]
pub enum MeasureSpec {
    /// Number of events (of one function, or all) that ended in `Fate`.
    Fates {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The event's fate.
        #[serde(rename = "Fate")]
        #[schemars(schema_with = "super::words::event_fate")]
        fate: String,
    },
    /// Number of events accepted (of one function, or all).
    Accepted {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Number of messages a target received, optionally of one kind (`OnSuccess`, `OnFailure`, `DeadLetter`) and
    /// matching an EventBridge pattern applied to the message as the target receives it. Messages SQS redrives to a
    /// queue's dead-letter queue count as `DeadLetter` records of that queue.
    SinkRecords {
        /// The target's name or ARN.
        #[serde(rename = "Target")]
        target: String,
        /// Only records of this kind (default: all).
        #[serde(rename = "Kind", default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "super::words::record_kind")]
        kind: Option<String>,
        /// An EventBridge pattern the record must match, applied to the message as the target receives it.
        #[serde(rename = "Match", default, skip_serializing_if = "Option::is_none")]
        pattern: Option<Value>,
    },
    /// Executions per event; the bounds apply to every event (of one function, optionally of one fate).
    AttemptsPerEvent {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// Only events that ended in this fate (default: all).
        #[serde(rename = "Fate", default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "super::words::event_fate")]
        fate: Option<String>,
    },
    /// Total executions (attempts started), optionally of one version (`$LATEST`, "1", ...) only.
    Attempts {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The version (`$LATEST`, "1", ...; default: every version).
        #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
    /// Latency from accept to final fate, in seconds, at a percentile (0–100).
    LatencySeconds {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// Executions that started with a cold start (init), of one function or all.
    ColdStarts {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Invocations refused with 429 (or 500 for a service error), of one function or all.
    Throttles {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Deliveries to destinations or DLQs that failed (`DestinationDeliveryFailures` + `DeadLetterErrors`), optionally
    /// of one record `Kind` (`OnSuccess`, `OnFailure`, `DeadLetter`) or one `Reason` (`FifoNotSupported`, `TooLarge`,
    /// `RecursionStopped`, `AccessDenied`, `Throttled`, `ResourceNotFound`, `KmsAccessDenied`).
    DeliveryFailures {
        /// The target's name or ARN (default: every target).
        #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// Only deliveries of this record kind (default: all).
        #[serde(rename = "Kind", default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "super::words::record_kind")]
        kind: Option<String>,
        /// Only failures for this reason (default: all).
        #[serde(rename = "Reason", default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "super::words::delivery_failure")]
        reason: Option<String>,
    },
    /// Executions that found every provisioned environment of their version busy and ran on demand
    /// (`ProvisionedConcurrencySpilloverInvocations`, spec section 6).
    ProvisionedSpillovers {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Executions that ran on a provisioned environment (`ProvisionedConcurrencyInvocations`).
    ProvisionedInvocations {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Requests of synchronous callers that finally got `Outcome` (`Ok`, `FunctionError`, `Throttled`,
    /// `ServiceError`, `TimedOut`, `TooLarge`), after the caller's retries.
    CallerOutcomes {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// What the caller finally got.
        #[serde(rename = "Outcome")]
        outcome: CallOutcomeSpec,
    },
    /// Latency seen by synchronous callers (first try to final answer, retries included), in seconds.
    CallerLatencySeconds {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// Throttles with one 429 `Reason` (e.g. `ReservedFunctionConcurrentInvocationLimitExceeded`).
    ThrottlesByReason {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The 429 `Reason` (`ReservedFunctionConcurrentInvocationLimitExceeded`, `ConcurrentInvocationLimitExceeded`,
        /// `FunctionInvocationRateLimitExceeded` or `Simulation.ScalingThrottleReason`) or `ServiceException`.
        #[serde(rename = "Reason")]
        reason: String,
    },
    /// The highest number of concurrent executions (of one function, or of the account).
    PeakConcurrency {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Cold starts divided by executions.
    ColdStartRatio {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Seconds between the end of a failed execution and the start of the next execution of the same event; the
    /// bounds apply to every gap (spec 10.2: at least 60·k s before attempt k+1).
    RetryGapSeconds {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// Only the gap before this attempt number (2 or 3).
        #[serde(rename = "BeforeAttempt", default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 2, max = 3))]
        before_attempt: Option<i64>,
    },
    /// Events whose async failure did not reach each configured failure target (on-failure destination, DLQ) exactly
    /// once. `Equals: 0` checks "every event that failed reaches each failure target exactly once".
    FailureRecordsNotExactlyOnce {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// Messages of a queue that ended in `Fate` (`Deleted`, `Filtered`, `Redriven`, `Expired`, `Deduplicated`,
    /// `TooLarge`, `InQueue`, `Stored`).
    MessageFates {
        /// The queue's name or ARN.
        #[serde(rename = "Queue")]
        queue: String,
        /// The message's fate.
        #[serde(rename = "Fate")]
        #[schemars(schema_with = "super::words::message_fate")]
        fate: String,
    },
    /// Receive count of the queue's messages at their fate, at a percentile (100 = the most).
    ReceivesPerMessage {
        /// The queue's name or ARN.
        #[serde(rename = "Queue")]
        queue: String,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// Seconds from sending to deletion after processing, at a percentile (100 = the longest).
    MessageDelaySeconds {
        /// The queue's name or ARN.
        #[serde(rename = "Queue")]
        queue: String,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// The most messages the queue held at once (visible, delayed and in flight).
    QueueDepth {
        /// The queue's name or ARN.
        #[serde(rename = "Queue")]
        queue: String,
    },
    /// The greatest age the queue's oldest message reached, in seconds.
    OldestMessageAgeSeconds {
        /// The queue's name or ARN.
        #[serde(rename = "Queue")]
        queue: String,
    },
    /// Stream records that ended in `Fate` (`Processed`, `Filtered`, `RetriesExhausted`, `RecordAgeExceeded`,
    /// `Expired`, `NotRead`, `InFlight`), over the stream's mappings (or one function's).
    RecordFates {
        /// The Kinesis stream's or DynamoDB table's name, or the stream's ARN.
        #[serde(rename = "Stream")]
        stream: String,
        /// The record's fate.
        #[serde(rename = "Fate")]
        #[schemars(schema_with = "super::words::record_fate")]
        fate: String,
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
    },
    /// `IteratorAge` of stream batches (age of a batch's last record when it is invoked), at a percentile.
    IteratorAgeSeconds {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The stream's name or ARN (default: every stream).
        #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// Events of one workload source (its `Name`) that ended in `Fate`.
    SourceFates {
        /// The workload source's `Name`.
        #[serde(rename = "Source")]
        source: String,
        /// The event's fate.
        #[serde(rename = "Fate")]
        #[schemars(schema_with = "super::words::event_fate")]
        fate: String,
    },
    /// Latency of one workload source's events (its `Name`), accept to final fate, in seconds, at a percentile.
    SourceLatencySeconds {
        /// The workload source's `Name`.
        #[serde(rename = "Source")]
        source: String,
        /// The percentile, 0 to 100 (100: the largest value).
        #[serde(rename = "Percentile")]
        #[schemars(range(min = 0, max = 100))]
        percentile: f64,
    },
    /// Messages published to a topic, or events put on a bus (give one of `Topic`, `EventBus`); publishes a FIFO topic
    /// dropped as duplicates are not counted.
    Published {
        /// The topic's name or ARN.
        #[serde(rename = "Topic", default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        /// The bus's name or ARN.
        #[serde(rename = "EventBus", default, skip_serializing_if = "Option::is_none")]
        event_bus: Option<String>,
    },
    /// Publishes to a FIFO topic dropped because their deduplication id was seen in the last 5 minutes.
    PublishesDeduplicated {
        /// The topic's name or ARN.
        #[serde(rename = "Topic")]
        topic: String,
    },
    /// Events a rule of a bus matched (a scheduled rule: its ticks).
    RuleMatches {
        /// The bus's name or ARN.
        #[serde(rename = "EventBus")]
        event_bus: String,
        /// The rule's name.
        #[serde(rename = "Rule")]
        rule: String,
    },
    /// Deliveries to a topic's subscriptions (all, or the one whose `Endpoint` ARN is given) that ended with
    /// `Outcome` (`Delivered`, `Discarded`, `DeadLettered`, `InFlight`).
    TopicDeliveries {
        /// The topic's name or ARN.
        #[serde(rename = "Topic")]
        topic: String,
        /// The subscription's endpoint ARN (default: every subscription).
        #[serde(rename = "Endpoint", default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        /// How the delivery ended.
        #[serde(rename = "Outcome")]
        #[schemars(schema_with = "super::words::fanout_outcome")]
        outcome: String,
    },
    /// Deliveries to the targets of a bus's rules (of one `Rule`, and/or one `Target` by id or ARN) that ended with
    /// `Outcome` (`Delivered`, `Discarded`, `DeadLettered`, `InFlight`).
    RuleDeliveries {
        /// The bus's name or ARN.
        #[serde(rename = "EventBus")]
        event_bus: String,
        /// The rule's name (default: every rule of the bus).
        #[serde(rename = "Rule", default, skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
        /// The target's id or ARN (default: every target).
        #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// How the delivery ended.
        #[serde(rename = "Outcome")]
        #[schemars(schema_with = "super::words::fanout_outcome")]
        outcome: String,
    },
    /// Mapping batches that ended with `Result` (`Success`, `Partial`, `Failed`, `Throttled`), of the mappings of a
    /// function and/or a source (queue or stream name or ARN).
    Batches {
        /// The function's name or ARN (default: every function).
        #[serde(rename = "Function", default, skip_serializing_if = "Option::is_none")]
        function: Option<String>,
        /// The queue's or stream's name or ARN (default: every source).
        #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// How the batch ended.
        #[serde(rename = "Result")]
        #[schemars(schema_with = "super::words::batch_result")]
        result: String,
    },
    /// Records of a Firehose delivery stream (or of all) that ended in `Fate` (`Delivered`, `Dropped`,
    /// `ProcessingFailed`, `TooLarge`, `InFlight`).
    FirehoseRecords {
        /// The delivery stream's name or ARN (default: every delivery stream).
        #[serde(rename = "DeliveryStream", default, skip_serializing_if = "Option::is_none")]
        delivery_stream: Option<String>,
        /// The record's fate.
        #[serde(rename = "Fate")]
        #[schemars(schema_with = "super::words::firehose_fate")]
        fate: String,
    },
    /// Invocations of a delivery stream's transformation function (or of all streams), optionally only those Firehose
    /// read as `Result` (`Ok`, `FunctionError`, `Throttled`, `InvalidResponse`); retries count.
    FirehoseInvocations {
        /// The delivery stream's name or ARN (default: every delivery stream).
        #[serde(rename = "DeliveryStream", default, skip_serializing_if = "Option::is_none")]
        delivery_stream: Option<String>,
        /// Only invocations Firehose read as this (default: all).
        #[serde(rename = "Result", default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "super::words::firehose_invoke_result")]
        result: Option<String>,
    },
}

/// What `lambdasim explore` searches: ranges for knobs of this scenario, checked against its expectations and the
/// built-in invariants.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ExploreSpec {
    /// The knobs, each a path into this scenario with a range or a list of values.
    pub knobs: Vec<KnobSpec>,
    /// Cases to try (default 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000000))]
    pub cases: Option<i64>,
    /// The run seeds drawn per case, inclusive `A..B` (or `A..=B`, or one seed `A`; default `1..1000000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\s*[0-9]+\s*(\.\.=?\s*[0-9]+\s*)?$"))]
    pub seeds: Option<String>,
}

/// One knob: a path into this scenario (as for `compare --set`: `functions.<name>.<Property>`,
/// `workload.<Name>.Poisson.RatePerSecond`, `simulation.X`, `faults[0].StartSeconds`) and its range or values.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KnobSpec {
    /// The path of the knob in this scenario (`functions.<name>.<Property>`, `workload.<Name>.Poisson.RatePerSecond`,
    /// `simulation.X`, `faults[0].StartSeconds`).
    pub path: String,
    /// `[low, high]`, inclusive; whole numbers give integers, otherwise decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[Value; 2]>,
    /// The values to choose from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}
