//! The function section of a scenario: `Functions` entries with the properties of `AWS::Lambda::Function`, their
//! published versions and aliases with provisioned concurrency (spec section 6), the asynchronous invoke configuration
//! with its destinations and dead-letter queue (spec sections 2, 3.1 and 4), the S3 buckets that destinations name,
//! what the code does (`Behavior`: durations and outcome rules), and the `Faults` injected on the timeline.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vocab::{FaultKind, OutcomeKind};

/// A function's recursive-loop detection setting (`RecursiveLoop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RecursiveLoopSpec {
    /// Lambda takes no action when the function is invoked in a recursive loop.
    Allow,
    /// Lambda stops the invocation (the default).
    Terminate,
}

/// A Lambda function (`AWS::Lambda::Function` properties plus its async invoke configuration and behaviour).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FunctionSpec {
    /// The function's name (1 to 64 letters, digits, `-` and `_`), or a template function's logical id or name to
    /// overlay it. Other entries name the function by this name or its ARN.
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
    #[schemars(schema_with = "super::words::architectures")]
    pub architectures: Option<Vec<String>>,
    /// Reserved concurrency: both a cap and a guarantee; 0 throttles every invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub reserved_concurrent_executions: Option<i64>,
    /// Recursive-loop detection (`PutFunctionRecursionConfig`, CloudFormation `RecursiveLoop`): `Terminate` (default)
    /// stops the function's invocation once a chain of events has looped `Simulation.RecursionLimit` times (spec 2);
    /// `Allow` lets the loop go on (the run budget, `--max-events`, ends a runaway run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_loop: Option<RecursiveLoopSpec>,
    /// Asynchronous invocation settings (`AWS::Lambda::EventInvokeConfig`, spec section 2): retries, maximum event
    /// age and destinations. Default: 2 retries, 6 hours, no destinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
    /// The dead-letter queue (SQS queue or SNS topic) that gets an event's payload after its async retries fail
    /// (spec section 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    /// What the code does: its durations, cold-start duration and the rules that decide how each attempt ends
    /// (default: 100 ms, 200 ms init, always succeeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<BehaviorSpec>,
    /// The handler the runtime calls (`app.handler`, as `AWS::Lambda::Function` writes it; `_HANDLER` in the runtime's
    /// environment). With `Runtime`, the function's own code serves every simulated execution instead of its
    /// `Behavior` rules (its `Duration` model still gives the virtual time). Without `Runtime` it runs no code and only
    /// names the handler in the stack frames of declared errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// How to start the function's runtime, one process per simulated execution environment, talking to the Lambda
    /// Runtime API that lambdasim serves on 127.0.0.1: an AWS runtime identifier as CloudFormation writes it
    /// (`python3.*` runs `python -m awslambdaric <Handler>` with the `.venv` beside the code or the scenario,
    /// `LAMBDASIM_PYTHON`, else `python3`; `nodejs*` runs `<CodeUri>/node_modules/.bin/aws-lambda-ric <Handler>`;
    /// `provided`, `provided.al2`, `provided.al2023` run `<CodeUri>/bootstrap`), or an explicit
    /// `{"Command": [...], "WorkingDirectory": ...}` for any other runtime. Needs `Handler`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeSpec>,
    /// The directory holding the function's code (SAM's `CodeUri`), relative to the scenario file: the runtime's
    /// working directory and `LAMBDA_TASK_ROOT` (default: the scenario's directory). Needs `Handler` and `Runtime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_uri: Option<String>,
    /// Environment variables the runtime process gets, as CloudFormation writes them, on top of those Lambda sets
    /// (which cannot be set here: `AWS_REGION`, `_HANDLER`, ...). Needs `Handler` and `Runtime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvironmentSpec>,
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
    /// properties are the function's own, except `EventInvokeConfig`: AWS keeps one per qualifier, so a version
    /// without its own runs with the defaults (2 retries, 6 hours, no destinations), not `$LATEST`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionSpec>,
    /// Aliases (`AWS::Lambda::Alias`): a name for a version, optionally routing a share of invocations to a second one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<AliasSpec>,
}

/// How a function's runtime starts: `"python3.12"` (an AWS runtime identifier) or
/// `{"Command": ["python3", "-m", "awslambdaric", "app.handler"], "WorkingDirectory": "handlers/orders"}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RuntimeSpec {
    /// An AWS runtime identifier (`python3.12`, `provided.al2023`, ...).
    Id(String),
    /// An explicit command.
    Command(RuntimeCommandSpec),
}

/// An explicit runtime command.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuntimeCommandSpec {
    /// The program and its arguments; the program is looked up on `PATH` unless it contains a `/`, then it is a path
    /// relative to the working directory (`./target/release/bootstrap`).
    pub command: Vec<String>,
    /// The directory the process starts in, relative to the scenario file (default: `CodeUri`, else the scenario's
    /// directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
}

/// `Environment` of `AWS::Lambda::Function`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EnvironmentSpec {
    /// Variable names and values.
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
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
    /// The version's description (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seconds, 1–900 (default: the function's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: Option<i64>,
    /// MB, 128–10240 (default: the function's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: Option<i64>,
    /// The version's own asynchronous invoke configuration (AWS keeps one per qualifier; default: 2 retries, 6
    /// hours, no destinations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
    /// The version's dead-letter queue (default: the function's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    /// What this version's code does (default: the function's `Behavior`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<BehaviorSpec>,
    /// Provisioned concurrency of this version (spec section 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrencyConfigSpec>,
}

/// An alias (`AWS::Lambda::Alias`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AliasSpec {
    /// The alias name (`live`, `prod`, ...); invoke it as `<function>:<alias>` or by its ARN.
    pub name: String,
    /// The version the alias points to ("1", "2", ...).
    pub function_version: String,
    /// Weighted routing to a second version (`AdditionalVersionWeights`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<RoutingConfigSpec>,
    /// Provisioned concurrency of the alias (spec section 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_concurrency_config: Option<ProvisionedConcurrencyConfigSpec>,
    /// The alias's own asynchronous invoke configuration (`AWS::Lambda::EventInvokeConfig` with the alias as its
    /// `Qualifier`). AWS keeps one per qualifier: an asynchronous invoke of the alias runs with this one, or with the
    /// defaults (2 retries, 6 hours, no destinations) when the alias has none (`Simulation.AliasEventInvokeConfig`,
    /// spec section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
}

/// `AliasRoutingConfiguration`: a share of the alias's invocations goes to a second version.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RoutingConfigSpec {
    /// At most one entry (AWS allows one additional version); an empty list routes everything to `FunctionVersion`.
    #[serde(default)]
    pub additional_version_weights: Vec<VersionWeightSpec>,
}

/// One entry of `AdditionalVersionWeights`: a second version and its share of the alias's invocations.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct VersionWeightSpec {
    /// The second version ("1", "2", ...).
    pub function_version: String,
    /// The share of invocations, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub function_weight: f64,
}

/// `AWS::Lambda::EventInvokeConfig` (spec section 2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventInvokeConfigSpec {
    /// Retries after a function error, 0–2 (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2))]
    pub maximum_retry_attempts: Option<i64>,
    /// How long an event is kept for retries, 60–21600 seconds (default 21600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 21600))]
    pub maximum_event_age_in_seconds: Option<i64>,
    /// Where the invocation record of an event goes on success and on failure (spec section 3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<DestinationConfigSpec>,
}

/// `DestinationConfig`: the on-success and on-failure destinations of asynchronous invocations (spec section 3.1).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DestinationConfigSpec {
    /// Gets an invocation record for each event that succeeded (SQS, SNS, EventBridge or Lambda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<DestinationSpec>,
    /// Gets an invocation record for each event whose retries failed or that expired (SQS, SNS, EventBridge,
    /// Lambda or S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<DestinationSpec>,
}

/// `{"Destination": "<ARN>"}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DestinationSpec {
    /// ARN of an SQS queue, SNS topic, EventBridge bus, Lambda function or (on failure only) S3 bucket. AWS accepts
    /// `{}` without it (no destination), and so does lambdasim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

/// A function's `DeadLetterConfig` (spec section 4).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DeadLetterConfigSpec {
    /// ARN of an SQS queue or SNS topic (spec section 4).
    pub target_arn: String,
}

/// An S3 bucket (`AWS::S3::Bucket`), usable as an on-failure destination.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BucketSpec {
    /// The bucket's name (its ARN is `arn:aws:s3:::<name>`).
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
#[schemars(transform = super::words::describe_variant_keys)]
pub enum DistSpec {
    /// Always the same duration.
    Constant {
        /// Milliseconds (>= 0).
        #[serde(rename = "Ms")]
        #[schemars(range(min = 0))]
        ms: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// The shortest duration, milliseconds (>= 0).
        #[serde(rename = "MinMs")]
        #[schemars(range(min = 0))]
        min_ms: f64,
        /// The longest duration, milliseconds (>= `MinMs`).
        #[serde(rename = "MaxMs")]
        #[schemars(range(min = 0))]
        max_ms: f64,
    },
    /// Exponential with a mean, optionally clamped.
    Exponential {
        /// The mean, milliseconds (> 0).
        #[serde(rename = "MeanMs")]
        #[schemars(extend("exclusiveMinimum" = 0))]
        mean_ms: f64,
        /// Draws below this are raised to it, milliseconds (>= 0; default 0).
        #[serde(rename = "MinMs", default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 0))]
        min_ms: Option<f64>,
        /// Draws above this are lowered to it, milliseconds (> 0; default: no bound).
        #[serde(rename = "MaxMs", default, skip_serializing_if = "Option::is_none")]
        #[schemars(extend("exclusiveMinimum" = 0))]
        max_ms: Option<f64>,
    },
    /// Log-normal with a median and a shape, optionally clamped (a long right tail, as real handler durations have).
    LogNormal {
        /// The median, milliseconds (> 0).
        #[serde(rename = "MedianMs")]
        #[schemars(extend("exclusiveMinimum" = 0))]
        median_ms: f64,
        /// The standard deviation of the logarithm, 0 to 10 (0: always the median).
        #[serde(rename = "Sigma")]
        #[schemars(range(min = 0, max = 10))]
        sigma: f64,
        /// Draws below this are raised to it, milliseconds (>= 0; default 0).
        #[serde(rename = "MinMs", default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 0))]
        min_ms: Option<f64>,
        /// Draws above this are lowered to it, milliseconds (> 0; default: no bound).
        #[serde(rename = "MaxMs", default, skip_serializing_if = "Option::is_none")]
        #[schemars(extend("exclusiveMinimum" = 0))]
        max_ms: Option<f64>,
    },
    /// Drawn uniformly from the given samples (e.g. REPORT-line durations).
    Empirical {
        /// The samples, milliseconds (each >= 0; at least one).
        #[serde(rename = "SamplesMs")]
        #[schemars(length(min = 1), inner(range(min = 0)))]
        samples_ms: Vec<f64>,
    },
}

/// One behaviour rule: when every condition in `When` holds, the attempt ends as `Then` says.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuleSpec {
    /// The conditions (payload pattern, attempt number, probability); none: the rule always applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<WhenSpec>,
    /// How the attempt ends.
    pub then: ThenSpec,
}

/// The conditions of a behaviour rule; all given ones must hold.
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

/// Inclusive bounds on a whole number.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RangeSpec {
    /// The lowest value that matches, 1 to 1000000 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000000))]
    pub at_least: Option<i64>,
    /// The highest value that matches, 1 to 1000000 (default: no bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000000))]
    pub at_most: Option<i64>,
}

/// How an attempt decided by a behaviour rule ends.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ThenSpec {
    /// `Succeed`, `Fail` (the handler throws), `Timeout` (runs until the function's timeout) or `Crash` (the runtime
    /// exits).
    pub outcome: OutcomeKind,
    /// `Fail`: the error's `errorType` (default `Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// `Fail`: the error's `errorMessage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The response payload of a success (default null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// `Fail`: the error's `stackTrace` frames, as the runtime writes them (default: one frame at the handler in the
    /// runtime's format, e.g. Python's `  File "/var/task/lambda_function.py", line 7, in lambda_handler\n    raise
    /// Error("...")\n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<Vec<String>>,
    /// `Fail` in a batch of a mapping with `ReportBatchItemFailures`: the handler raises (an unhandled exception fails
    /// the whole batch, `functionError` `"Unhandled"`) instead of reporting the record in `batchItemFailures`
    /// (default false). Elsewhere `Fail` is always an unhandled error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhandled: Option<bool>,
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
        ThenSpec {
            outcome,
            error_type: None,
            error_message: None,
            response: None,
            stack_trace: None,
            unhandled: None,
            duration: None,
            response_size_bytes: None,
        }
    }
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
    /// What the fault does to each affected invocation.
    pub kind: FaultKind,
    /// When the fault starts, in seconds of virtual time (>= 0).
    #[schemars(range(min = 0))]
    pub start_seconds: f64,
    /// When the fault ends, in seconds of virtual time (>= 0).
    #[schemars(range(min = 0))]
    pub end_seconds: f64,
    /// Applies to each affected invocation with this probability (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub probability: Option<f64>,
    /// `Error` faults: the error's `errorType` (default `Error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// `Error` faults: the error's `errorMessage`.
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
