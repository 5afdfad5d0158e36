//! Kafka in a SAM / CloudFormation template (spec 5.5): SAM's `MSK` and `SelfManagedKafka` events and an
//! `AWS::Lambda::EventSourceMapping` with `Topics` become Kafka mappings; the cluster and topic they read become a
//! `KafkaClusters` entry (one partition) unless one is declared, as a Kinesis stream the template does not declare
//! gets one shard. The scenario's own `KafkaClusters` entry of the same cluster adds to it (partitions, retention).
//! Properties from SAM's `MSK` and `SelfManagedKafka` event pages; `SourceAccessConfigurations` (authentication)
//! changes nothing simulated and is read without effect.

use serde_json::{json, Map, Value};

use super::super::out::{Out, Props};
use super::super::TemplateError;
use super::copy;

/// The mapping properties a SAM Kafka event shares with `AWS::Lambda::EventSourceMapping`.
const SHARED: &[&str] = &[
    "Enabled",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "StartingPosition",
    "StartingPositionTimestamp",
    "FilterCriteria",
    "DestinationConfig",
    "ProvisionedPollerConfig",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
    "Topics",
];

/// A SAM `MSK` (`Stream`: the cluster ARN) or `SelfManagedKafka` (`KafkaBootstrapServers`) event.
pub(in crate::template) fn sam_event(
    out: &mut Out,
    ty: &str,
    target: &str,
    p: &mut Props,
    path: &str,
    stub_name: &str,
) -> Result<(), TemplateError> {
    let mut m = Map::new();
    m.insert("FunctionName".into(), Value::String(target.into()));
    for k in SHARED {
        copy(p, &mut m, k)?;
    }
    let group = p.str("ConsumerGroupId")?;
    p.ignore(&["SourceAccessConfigurations"]);
    if ty == "MSK" {
        let Some(arn) = p.str("Stream")? else {
            return Err(TemplateError::new(p.at("Stream"), "an MSK event needs Stream (the cluster's ARN)"));
        };
        m.insert("EventSourceArn".into(), Value::String(arn));
        if let Some(g) = group {
            m.insert("AmazonManagedKafkaEventSourceConfig".into(), json!({ "ConsumerGroupId": g }));
        }
    } else {
        let servers = match p.get("KafkaBootstrapServers")? {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(TemplateError::new(
                    p.at("KafkaBootstrapServers"),
                    "a SelfManagedKafka event needs KafkaBootstrapServers (a list of host:port)",
                ))
            }
        };
        m.insert("SelfManagedEventSource".into(), json!({ "Endpoints": { "KAFKA_BOOTSTRAP_SERVERS": servers } }));
        if let Some(g) = group {
            m.insert("SelfManagedKafkaEventSourceConfig".into(), json!({ "ConsumerGroupId": g }));
        }
    }
    mapping(out, m, path, stub_name)
}

/// A Kafka mapping (from a SAM event or an `AWS::Lambda::EventSourceMapping`): its cluster and topic are declared
/// if the template does not, and a producer puts one record on the topic at 1 s.
pub(super) fn mapping(out: &mut Out, mut m: Map<String, Value>, path: &str, stub_name: &str) -> Result<(), TemplateError> {
    let topic = match m.get("Topics") {
        Some(Value::Array(a)) if a.len() == 1 && a[0].is_string() => a[0].as_str().unwrap_or_default().to_string(),
        _ => return Err(TemplateError::new(format!("{path}.Topics"), "a Kafka event source reads exactly one topic: Topics: [name]")),
    };
    // SAM writes the on-failure destination's `Type`; the mapping itself has only `Destination`.
    if let Some(Value::Object(dc)) = m.get_mut("DestinationConfig") {
        if let Some(Value::Object(of)) = dc.get_mut("OnFailure") {
            of.remove("Type");
        }
    }
    let servers: Option<Vec<Value>> =
        m.get("SelfManagedEventSource").and_then(|s| s["Endpoints"]["KAFKA_BOOTSTRAP_SERVERS"].as_array().cloned());
    let (cluster, entry) = match &servers {
        Some(s) => {
            let first = s.first().and_then(Value::as_str).unwrap_or("kafka");
            let host = first.split(':').next().unwrap_or("kafka");
            let name: String = host.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(64).collect();
            (name.clone(), json!({ "ClusterName": name, "BootstrapServers": s }))
        }
        None => {
            let arn = m.get("EventSourceArn").and_then(Value::as_str).unwrap_or_default().to_string();
            let name = arn.split(":cluster/").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
            if name.is_empty() {
                return Err(TemplateError::new(
                    format!("{path}.EventSourceArn"),
                    format!("{arn:?} is not an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)"),
                ));
            }
            let arn = out.arn_of(&arn, "kafka", path);
            m.insert("EventSourceArn".into(), Value::String(arn.clone()));
            let mut e = json!({ "ClusterName": name });
            if arn.split(":cluster/").nth(1).is_some_and(|r| r.contains('/')) {
                e["ClusterArn"] = json!(arn);
            }
            (name, e)
        }
    };
    let known = out.kafka.iter_mut().find(|c| c.get("ClusterName").and_then(Value::as_str) == Some(cluster.as_str()));
    let topic_entry = json!({ "TopicName": topic });
    match known {
        Some(c) => {
            let topics = c.entry("Topics").or_insert_with(|| json!([]));
            if let Value::Array(ts) = topics {
                if !ts.iter().any(|t| t["TopicName"] == topic.as_str()) {
                    ts.push(topic_entry);
                }
            }
        }
        None => {
            let mut e = entry.as_object().cloned().unwrap_or_default();
            e.insert("Topics".into(), json!([topic_entry]));
            out.kafka.push(e);
            out.imported.push(format!(
                "{path}: Kafka cluster {cluster} with topic {topic}, simulated with 1 partition (declare it in KafkaClusters for more)"
            ));
        }
    }
    let f = m.get("FunctionName").and_then(Value::as_str).unwrap_or("").to_string();
    out.imported
        .push(format!("{path}: Kafka event source mapping from {cluster}/{topic} to {}", super::super::names::function_name_of(&f)));
    out.stub(
        json!({ "KafkaTopic": format!("{cluster}/{topic}"), "Key": "key-1", "Payload": { "example": true } })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        stub_name,
    );
    out.mappings.push(Value::Object(m));
    Ok(())
}
