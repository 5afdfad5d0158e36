//! The fan-out services of a scenario: SNS topics with their subscriptions and EventBridge buses with their rules and
//! targets (spec section 7), with CloudFormation's option names (`AWS::SNS::Topic`, `AWS::SNS::Subscription`,
//! `AWS::Events::EventBus`, `AWS::Events::Rule`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An SNS topic (`AWS::SNS::Topic`): a destination, a dead-letter target, or a publisher's target that fans out.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TopicSpec {
    /// A FIFO topic's name ends with `.fifo`.
    pub topic_name: String,
    /// `true` for a FIFO topic (its name must end with `.fifo`): subscribers are SQS queues only, publishers give a
    /// `MessageGroupId`, and a repeated deduplication id is dropped for 5 minutes
    /// (https://docs.aws.amazon.com/sns/latest/dg/sns-fifo-topics.html).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(rustdoc::bare_urls)] // the text is also the schema's description: kept as it is
    pub fifo_topic: Option<bool>,
    /// FIFO topics: deduplicate by a hash of the message body when the publisher gives no `MessageDeduplicationId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_based_deduplication: Option<bool>,
    /// Subscriptions (`AWS::SNS::Subscription`): a message published to the topic fans out to every subscription
    /// whose filter policy matches (docs/sources.md, spec section 7: SNS invokes Lambda asynchronously).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<SubscriptionSpec>,
}

/// An SNS subscription (`AWS::SNS::Subscription`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SubscriptionSpec {
    /// `lambda` or `sqs`.
    #[schemars(extend("enum" = ["lambda", "sqs"]))]
    pub protocol: String,
    /// The function's ARN (a version or alias ARN invokes that qualifier) or the queue's ARN.
    pub endpoint: String,
    /// An SNS filter policy (EventBridge pattern syntax: exact values, `prefix`, `anything-but`, `numeric`,
    /// `exists`...). Default: every message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<Value>,
    /// `MessageAttributes` (default: the policy matches the message attributes) or `MessageBody` (the policy matches
    /// the message, parsed as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["MessageAttributes", "MessageBody"]))]
    pub filter_policy_scope: Option<String>,
    /// SQS subscriptions: the queue gets the message itself instead of the SNS envelope (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_message_delivery: Option<bool>,
    /// The subscription's dead-letter queue: `{"deadLetterTargetArn": "<queue ARN>"}` (an object, or a JSON string as
    /// in CloudFormation). Messages SNS could not deliver (a client-side error at once, a server-side error after the
    /// retry policy) go there instead of being discarded
    /// (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[allow(rustdoc::bare_urls)] // the text is also the schema's description: kept as it is
    pub redrive_policy: Option<Value>,
}

/// An EventBridge event bus (`AWS::Events::EventBus`; `default` is the account's default bus).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EventBusSpec {
    /// The bus's name; its ARN is `arn:aws:events:<region>:<account>:event-bus/<name>`.
    pub name: String,
    /// Rules (`AWS::Events::Rule`): an event put on the bus goes to the targets of every enabled rule whose pattern
    /// matches; a scheduled rule puts a `Scheduled Event` at each tick (spec section 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<EventRuleSpec>,
}

/// An EventBridge rule (`AWS::Events::Rule`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[schemars(rename = "RuleSpec")] // the old type name: the schema keeps calling it `RuleSpec2` (after the behaviour `RuleSpec`)
pub struct EventRuleSpec {
    /// The rule's name, unique on its bus.
    pub name: String,
    /// The event pattern (an object, or a JSON string as in CloudFormation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<Value>,
    /// `rate(<n> minute|minutes|hour|hours|day|days)`: a `Scheduled Event` every n units, the first one n units after
    /// time 0; or `cron(Minutes Hours Day-of-month Month Day-of-week Year)` in UTC, AWS's syntax with `, - * / ? L W #`,
    /// ticking at the matching instants strictly after `Simulation.StartTime`. Needs `Simulation.DurationSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// `ENABLED` (default) or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["ENABLED", "DISABLED"]))]
    pub state: Option<String>,
    /// Where matched events go: functions (or their versions and aliases) and queues.
    pub targets: Vec<RuleTargetSpec>,
}

/// A rule's target.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RuleTargetSpec {
    /// The target's id, unique within the rule.
    pub id: String,
    /// A function ARN (or version / alias ARN) or a queue ARN.
    pub arn: String,
    /// How long and how often EventBridge retries a delivery the target refused (default 185 retries, 24 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicySpec>,
    /// The SQS queue that gets events whose delivery finally failed (default: none, they are dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<TargetDeadLetterConfigSpec>,
}

/// A target's retry policy (EventBridge `RetryPolicy`; docs/sources.md "EventBridge retries").
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct RetryPolicySpec {
    /// 0 to 185 (default 185).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 185))]
    pub maximum_retry_attempts: Option<i64>,
    /// 60 to 86,400 (default 86,400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 86400))]
    pub maximum_event_age_in_seconds: Option<i64>,
}

// The schema names this type `DeadLetterConfigSpec2` (after the function's `DeadLetterConfig`, whose key is
// `TargetArn` rather than `Arn`).
/// An EventBridge rule target's `DeadLetterConfig`: the SQS queue that gets events the target could not take.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
#[schemars(rename = "DeadLetterConfigSpec")]
pub struct TargetDeadLetterConfigSpec {
    /// An SQS queue's ARN.
    pub arn: String,
}
