//! The fan-out services of a scenario: SNS topics with their subscriptions and EventBridge buses with their rules and
//! targets (spec section 7), with CloudFormation's option names (`AWS::SNS::Topic`, `AWS::SNS::Subscription`,
//! `AWS::Events::EventBus`, `AWS::Events::Rule`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
