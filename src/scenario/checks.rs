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
    /// matching an EventBridge pattern applied to the message as the target receives it. Messages SQS redrives to a
    /// queue's dead-letter queue count as `DeadLetter` records of that queue.
    SinkRecords {
        /// The target's name or ARN.
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
