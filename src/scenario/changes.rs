//! The `Changes` timeline of a scenario: configuration changes at given virtual times (deploys, published versions,
//! reserved and provisioned concurrency, alias routing, enabling event source mappings), each named and shaped after
//! the AWS API action that makes it (spec sections 2, 4 and 6 for the settings they change).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BehaviorSpec, DeadLetterConfigSpec, EventInvokeConfigSpec, RoutingConfigSpec};

/// One change on the timeline, at `AtSeconds`: exactly one of the actions below, each named and shaped after the AWS
/// API action that makes it. Invocations already accepted run with the configuration in force when each of their
/// attempts starts; a change at t applies before invocations arriving at t.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ChangeSpec {
    /// When the change is made, in seconds of virtual time (>= 0).
    #[schemars(range(min = 0))]
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
    /// Replace the asynchronous invoke configuration of `$LATEST`, a version or an alias as a whole: settings not
    /// given take their defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_function_event_invoke_config: Option<FunctionEventInvokeConfigSpec>,
    /// Change some settings of the asynchronous invoke configuration of `$LATEST`, a version or an alias: settings
    /// not given keep their values (a given `DestinationConfig` replaces the destinations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_function_event_invoke_config: Option<FunctionEventInvokeConfigSpec>,
}

/// `PutFunctionEventInvokeConfig` / `UpdateFunctionEventInvokeConfig`: a function's asynchronous invoke settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FunctionEventInvokeConfigSpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// Whose configuration changes: `$LATEST` (the default), a version number (declared, or published earlier on
    /// the timeline) or an alias name; AWS keeps one configuration per qualifier. From the change on, invocations of
    /// `$LATEST` or of the version run with the new settings (a retry with those of the configuration its last
    /// execution ran), and events accepted through the alias do (an event keeps the alias's settings in force when
    /// it was accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// Retries after a function error, 0–2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2))]
    pub maximum_retry_attempts: Option<i64>,
    /// How long an event is kept for retries, 60–21600 seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 21600))]
    pub maximum_event_age_in_seconds: Option<i64>,
    /// On-success and on-failure destinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<super::DestinationConfigSpec>,
}

/// `UpdateEventSourceMapping`: names the mapping by its `UUID` (as reported in the trace and `--format json`) or by
/// its `EventSourceArn` and `FunctionName`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateEventSourceMappingSpec {
    /// The mapping's UUID (as the trace and `--format json` report it).
    #[serde(rename = "UUID", default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The mapping's source ARN (with `FunctionName`, instead of `UUID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// The mapping's function name or ARN (with `EventSourceArn`, instead of `UUID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    /// `false` stops polling; `true` resumes it.
    pub enabled: bool,
}

/// An action that names only a function (`PublishVersion`, `DeleteFunctionConcurrency`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FunctionRefSpec {
    /// The function's name or ARN.
    pub function_name: String,
}

/// `UpdateFunctionCode`: new code for `$LATEST` (its behaviour), optionally published as the next version.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateFunctionCodeSpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// What the new code does.
    pub behavior: BehaviorSpec,
    /// Also publish the new code as the next version (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<bool>,
}

/// `UpdateFunctionConfiguration`: new settings for `$LATEST` (the settings not given keep their values).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateFunctionConfigurationSpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// The new timeout, seconds, 1–900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout: Option<i64>,
    /// The new memory size, MB, 128–10240.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_size: Option<i64>,
    /// The new dead-letter queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfigSpec>,
    /// The new asynchronous invoke configuration of `$LATEST` (AWS: `PutFunctionEventInvokeConfig`), replacing the
    /// old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_invoke_config: Option<EventInvokeConfigSpec>,
}

/// `PutFunctionConcurrency`: the function's reserved concurrency from now on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PutFunctionConcurrencySpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// The new reserved concurrency (0 throttles every invocation; at most the account limit).
    #[schemars(range(min = 0))]
    pub reserved_concurrent_executions: i64,
}

/// `PutProvisionedConcurrencyConfig`: the provisioned concurrency of a version or alias from now on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PutProvisionedConcurrencySpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// A version number, an alias name, or `$LATEST` (invocations by name, as the function-level setting).
    pub qualifier: String,
    /// Pre-initialised environments (0 removes provisioned concurrency).
    #[schemars(range(min = 0))]
    pub provisioned_concurrent_executions: i64,
}

/// `UpdateAlias`: where an alias points and how it splits its traffic from now on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct UpdateAliasSpec {
    /// The function's name or ARN.
    pub function_name: String,
    /// The alias to change.
    pub name: String,
    /// The version the alias points to from now on (default: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_version: Option<String>,
    /// The new routing (default: unchanged; an empty `AdditionalVersionWeights` removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_config: Option<RoutingConfigSpec>,
}
