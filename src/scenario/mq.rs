//! The message brokers and DocumentDB clusters of a scenario, read by event source mappings: Amazon MQ brokers
//! (`AWS::AmazonMQ::Broker`, ActiveMQ or RabbitMQ, with the queues Lambda consumes) and Amazon DocumentDB clusters
//! (`AWS::DocDB::DBCluster`, whose change stream Lambda reads). Sources: Lambda DG with-mq.html,
//! services-mq-params.html, services-mq-errors.html, with-documentdb.html (docs/sources.md, "Amazon MQ and
//! DocumentDB"); spec 5.6 and 5.7.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An Amazon MQ broker (`AWS::AmazonMQ::Broker`): its ARN is
/// `arn:aws:mq:<region>:<account>:broker:<BrokerName>:b-<uuid>`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BrokerSpec {
    /// The broker's name (1 to 50 letters, digits, `-` and `_`).
    pub broker_name: String,
    /// `ACTIVEMQ` or `RABBITMQ`.
    #[schemars(extend("enum" = ["ACTIVEMQ", "RABBITMQ"]))]
    pub engine_type: String,
    /// The broker's id, the last part of its ARN (`b-` and a UUID; default: derived from the name, shown by
    /// `lambdasim validate` when a mapping names another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// The broker's queues that producers send to and mappings consume. ActiveMQ brokers also have
    /// `ActiveMQ.DLQ`, where a message goes after 6 failed redeliveries (spec 5.6).
    #[serde(default)]
    pub queues: Vec<BrokerQueueSpec>,
}

/// The shared dead-letter queue of an ActiveMQ broker.
pub const ACTIVEMQ_DLQ: &str = "ActiveMQ.DLQ";

impl BrokerSpec {
    /// `EngineType` is ActiveMQ (case aside).
    pub fn is_activemq(&self) -> bool {
        self.engine_type.eq_ignore_ascii_case("ACTIVEMQ")
    }
    /// The broker's queues as (name, virtual host): the declared ones, then `ActiveMQ.DLQ` on ActiveMQ if not
    /// declared.
    pub fn queue_names(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> =
            self.queues.iter().map(|q| (q.name.clone(), q.virtual_host.clone().unwrap_or_else(|| "/".into()))).collect();
        if self.is_activemq() && !out.iter().any(|(n, _)| n == ACTIVEMQ_DLQ) {
            out.push((ACTIVEMQ_DLQ.into(), "/".into()));
        }
        out
    }
}

/// One queue of a broker.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct BrokerQueueSpec {
    /// The queue's name (ActiveMQ: the destination's physical name; RabbitMQ: the queue name).
    pub name: String,
    /// RabbitMQ: the virtual host (default `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_host: Option<String>,
    /// RabbitMQ: a quorum queue's `x-delivery-limit`: after this many failed deliveries the message is dead-lettered
    /// (to `DeadLetterQueue`) or dropped. Without it the queue requeues a failed message for ever (a classic queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub delivery_limit: Option<i64>,
    /// RabbitMQ: the queue (of the same broker and virtual host) its dead-letter exchange routes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
}

/// A mapping's `SourceAccessConfigurations` entry (`{"Type": "BASIC_AUTH", "URI": <secret ARN>}`,
/// `{"Type": "VIRTUAL_HOST", "URI": "/"}`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceAccessConfigurationSpec {
    /// `BASIC_AUTH` (Amazon MQ: required, a Secrets Manager secret ARN) or `VIRTUAL_HOST` (RabbitMQ).
    #[serde(rename = "Type")]
    pub kind: String,
    /// The secret's ARN, or the virtual host's name.
    #[serde(rename = "URI")]
    pub uri: String,
}
