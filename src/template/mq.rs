//! Amazon MQ and DocumentDB in templates (spec 5.6, 5.7): `AWS::AmazonMQ::Broker` and `AWS::DocDB::DBCluster`
//! resources become `Brokers` and `DocumentDBClusters` entries; a mapping whose `EventSourceArn` is a broker or a
//! cluster (an `AWS::Lambda::EventSourceMapping`, or SAM's `MQ` and `DocumentDB` events, read in `sam.rs`) adds its
//! queue to the broker; a source the template does not declare is made from its ARN.

use serde_json::{json, Map, Value};

use super::out::{Out, Props};
use super::TemplateError;

/// `AWS::AmazonMQ::Broker`: its name and engine (the queues come from the mappings that read it).
pub(super) fn broker(out: &mut Out, ctx: &super::eval::Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let name = &ctx.name_of(id, &format!("Resources.{id}"))?;
    p.get("BrokerName")?;
    let engine = p.str("EngineType")?.unwrap_or_else(|| "ACTIVEMQ".into()).to_ascii_uppercase();
    if !out.brokers.iter().any(|b| b.get("BrokerName").and_then(Value::as_str) == Some(name)) {
        out.brokers.push(json!({ "BrokerName": name, "EngineType": engine, "Queues": [] }).as_object().cloned().unwrap_or_default());
    }
    out.imported.push(format!("{}: Amazon MQ broker {name} ({engine})", p.path));
    Ok(())
}

/// `AWS::DocDB::DBCluster`: its identifier.
pub(super) fn cluster(out: &mut Out, ctx: &super::eval::Ctx, id: &str, p: &mut Props) -> Result<(), TemplateError> {
    let name = &ctx.name_of(id, &format!("Resources.{id}"))?;
    p.get("DBClusterIdentifier")?;
    if !out.clusters.iter().any(|c| c.get("DBClusterIdentifier").and_then(Value::as_str) == Some(name)) {
        out.clusters.push(json!({ "DBClusterIdentifier": name }).as_object().cloned().unwrap_or_default());
    }
    out.imported.push(format!("{}: DocumentDB cluster {name}", p.path));
    Ok(())
}

/// A mapping's source that is a broker or a cluster: its kind and the producer stub that feeds it; the broker (with
/// the mapping's queue) or the cluster is made from the ARN when the template does not declare it. `None` for
/// other sources.
pub(super) fn source(out: &mut Out, m: &Map<String, Value>, arn: &str, path: &str) -> Option<(&'static str, Value)> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.get(2).copied() {
        Some("mq") => {
            let name = parts.get(6).copied().unwrap_or("").to_string();
            let id = parts.get(7).copied().unwrap_or("").to_string();
            let sac = m.get("SourceAccessConfigurations").and_then(Value::as_array).cloned().unwrap_or_default();
            let vhost = sac
                .iter()
                .find(|c| c.get("Type").and_then(Value::as_str) == Some("VIRTUAL_HOST"))
                .and_then(|c| c.get("URI"))
                .and_then(Value::as_str);
            let queue = m.get("Queues").and_then(|q| q.get(0)).and_then(Value::as_str).unwrap_or("").to_string();
            let i = match out.brokers.iter().position(|b| b.get("BrokerName").and_then(Value::as_str) == Some(name.as_str())) {
                Some(i) => i,
                None => {
                    // Not declared: the engine is RabbitMQ when the mapping names a virtual host, else ActiveMQ.
                    let engine = if vhost.is_some() { "RABBITMQ" } else { "ACTIVEMQ" };
                    out.brokers
                        .push(json!({ "BrokerName": name, "EngineType": engine, "Queues": [] }).as_object().cloned().unwrap_or_default());
                    out.imported.push(format!("{path}: broker {name} is not declared in the template; simulated as {engine}"));
                    out.brokers.len() - 1
                }
            };
            let b = &mut out.brokers[i];
            if b.get("BrokerId").is_none() && id != crate::aws::events::mq::broker_arn(&out.region, &out.account, &name).0 {
                b.insert("BrokerId".into(), Value::String(id));
            }
            let mut q = json!({ "Name": queue });
            if let Some(v) = vhost {
                q["VirtualHost"] = json!(v);
            }
            let queues = b.entry("Queues").or_insert_with(|| json!([]));
            if let Some(list) = queues.as_array_mut() {
                if !list.contains(&q) {
                    list.push(q);
                }
            }
            let label = match vhost {
                Some(v) if v != "/" => format!("{name}/{}/{queue}", v.trim_start_matches('/')),
                _ => format!("{name}/{queue}"),
            };
            Some(("Amazon MQ", json!({ "Queue": label, "Payload": { "example": true } })))
        }
        Some("rds") if parts.get(5) == Some(&"cluster") => {
            let name = parts.get(6).copied().unwrap_or("").to_string();
            if !out.clusters.iter().any(|c| c.get("DBClusterIdentifier").and_then(Value::as_str) == Some(name.as_str())) {
                out.clusters.push(json!({ "DBClusterIdentifier": name }).as_object().cloned().unwrap_or_default());
                out.imported.push(format!("{path}: DocumentDB cluster {name} is not declared in the template"));
            }
            let c = m.get("DocumentDBEventSourceConfig");
            let db = c.and_then(|c| c.get("DatabaseName")).and_then(Value::as_str).unwrap_or("db");
            let coll = c.and_then(|c| c.get("CollectionName")).and_then(Value::as_str).unwrap_or("collection");
            Some(("DocumentDB", json!({ "Stream": format!("{name}/{db}.{coll}"), "Payload": { "example": true } })))
        }
        _ => None,
    }
}
