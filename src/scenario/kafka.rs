//! Kafka in the scenario file: Amazon MSK and self-managed Apache Kafka clusters with their topics (`KafkaClusters`),
//! and the Kafka-only properties of an event source mapping (`Topics`, `SelfManagedEventSource`,
//! `AmazonManagedKafkaEventSourceConfig`, `SelfManagedKafkaEventSourceConfig`, `ProvisionedPollerConfig`), with the
//! property names of `AWS::MSK::Cluster` and `AWS::Lambda::EventSourceMapping` (spec 5.5; docs/sources.md, "Kafka").

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kafka cluster: an Amazon MSK cluster (`AWS::MSK::Cluster`, read by `EventSourceArn`) or, with
/// `BootstrapServers`, a self-managed Apache Kafka cluster (read by `SelfManagedEventSource`). A later entry with the
/// same `ClusterName` adds to the earlier one (its topics replace those of the same name): a scenario so sets the
/// partitions of a cluster its template brings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KafkaClusterSpec {
    /// The cluster's name (1 to 64 letters, digits and `-`). An MSK cluster's ARN is
    /// `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`.
    pub cluster_name: String,
    /// An MSK cluster's ARN as the template or console gives it (`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`;
    /// default: one derived from the name). Not for self-managed clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_arn: Option<String>,
    /// Self-managed Apache Kafka: the brokers (`host:port`), as a mapping's
    /// `SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS` lists them. Absent: an Amazon MSK cluster (its
    /// bootstrap brokers are derived from its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_servers: Option<Vec<String>>,
    /// The topics producers write to and mappings read.
    pub topics: Vec<KafkaTopicSpec>,
}

/// A Kafka topic.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KafkaTopicSpec {
    /// The topic's name (1 to 249 letters, digits, `.`, `_` and `-`).
    pub topic_name: String,
    /// Partitions (1 to 1000, default 1). A keyed record goes to murmur2(key) mod partitions, as Kafka's producer does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub num_partitions: Option<i64>,
    /// The topic's `retention.ms`: milliseconds a record is kept (60000 or more, or -1 for no limit; default
    /// 604800000 = 7 days, Kafka's `log.retention.hours` 168).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_ms: Option<i64>,
}

/// `SelfManagedEventSource` of a mapping: `{"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["host:9092", ...]}}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SelfManagedEventSourceSpec {
    /// `KAFKA_BOOTSTRAP_SERVERS`: the brokers of a `KafkaClusters` entry with `BootstrapServers`.
    pub endpoints: BTreeMap<String, Vec<String>>,
}

/// `AmazonManagedKafkaEventSourceConfig` / `SelfManagedKafkaEventSourceConfig` of a mapping.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct KafkaEventSourceConfigSpec {
    /// The consumer group (1 to 200 characters; default: the mapping's UUID, as Lambda uses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_group_id: Option<String>,
}

/// `ProvisionedPollerConfig` of a Kafka mapping: provisioned mode, which the error-handling controls need.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProvisionedPollerConfigSpec {
    /// 1 to 200 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200))]
    pub minimum_pollers: Option<i64>,
    /// 1 to 2000 (default 200), at least `MinimumPollers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 2000))]
    pub maximum_pollers: Option<i64>,
}

/// `Simulation.KafkaKeylessPartitioner`: where a record without a key goes (Kafka's producer chooses; README,
/// "Uncertain behaviour").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KafkaKeylessPartitioner {
    /// One partition after the other (Kafka's producer before 2.4).
    RoundRobin,
    /// One partition until a 16 KB batch is full, then the next (Kafka's producer since 2.4; default).
    Sticky,
}

/// `Simulation.KafkaDestinationRecord`: what a Kafka-topic on-failure destination receives (AWS documents "the actual
/// failed records along with failure metadata" without the layout; README, "Uncertain behaviour").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KafkaDestinationRecord {
    /// One record per discarded range: the on-failure record with the event as `payload` (default).
    InvocationRecord,
    /// Each discarded record again, with its key and headers and failure headers added.
    Records,
}
