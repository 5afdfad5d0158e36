//! Amazon DocumentDB clusters and their event source mappings, validated (spec 5.7).
//!
//! A cluster's change stream is a stream of the model ([`crate::model::Stream`] of kind `DocumentDb`, one shard: the change
//! stream is one ordered sequence), so the stream lanes serve it: in order, one batch at a time, a failed batch
//! retried until it succeeds or its records pass the retention (DG with-documentdb.html: "Lambda processes events
//! ... sequentially in the order in which they arrive ... your function can handle only one concurrent
//! invocation"; DocumentDB DG using-lambda.html: "If your function returns an error, Lambda retries the batch until
//! it processes successfully"). The mapping's defaults and bounds: BatchSize 100, at most 10,000; a 500 ms batching
//! window; `StartingPosition` TRIM_HORIZON, LATEST or AT_TIMESTAMP; `DocumentDBEventSourceConfig`.

use super::{Common, Esm, Mapping, StartingPosition, Stream, StreamId, StreamKind};
use crate::aws::events::docdb::DOCDB_OPERATIONS;
use crate::kernel::time::SimTime;
use crate::model::V;
use crate::scenario::{EventSourceMappingSpec, Scenario, WorkloadSpec};

/// A DocumentDB mapping's `DocumentDBEventSourceConfig`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDbConfig {
    /// `DatabaseName`.
    pub database: String,
    /// `CollectionName` (`None`: every collection of the database).
    pub collection: Option<String>,
    /// `FullDocument: UpdateLookup`.
    pub update_lookup: bool,
}

impl DocDbConfig {
    /// Whether the mapping reads changes of namespace `db.coll`.
    pub fn reads(&self, ns: &str) -> bool {
        let (db, coll) = ns.split_once('.').unwrap_or((ns, ""));
        db == self.database && self.collection.as_deref().is_none_or(|c| c == coll)
    }
}

/// The clusters' change streams (after the Kinesis and DynamoDB streams).
pub(super) fn build_clusters(v: &mut V, sc: &Scenario, region: &str, account: &str, esm: &mut Esm) {
    for (i, c) in sc.document_db_clusters.iter().enumerate() {
        let p = format!("DocumentDBClusters[{i}]");
        let id = &c.db_cluster_identifier;
        let ok = (1..=63).contains(&id.len())
            && id.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
        if !ok {
            v.err(
                format!("{p}.DBClusterIdentifier"),
                format!("{id:?} is not a valid cluster identifier; allowed 1 to 63 letters, digits and '-', starting with a letter"),
            );
        }
        let arn = format!("arn:aws:rds:{region}:{account}:cluster:{id}");
        if esm.streams.iter().any(|s| s.arn == arn) {
            v.err(format!("{p}.DBClusterIdentifier"), format!("cluster {id:?} is declared twice"));
        }
        let retention =
            v.int(c.change_stream_log_retention_duration, &format!("{p}.ChangeStreamLogRetentionDuration"), 3600, 604_800, 10_800);
        esm.streams.push(Stream {
            name: id.clone(),
            seq_salt: crate::kernel::rng::stream_id(&arn, "seq"),
            arn,
            kind: StreamKind::DocumentDb { cluster: id.clone() },
            shards: 1,
            retention: SimTime::from_secs(retention as u64),
            mappings: vec![],
        });
    }
}

/// A producer's `Stream` of the form `<cluster>/<db>.<collection>`: `None` when it names no cluster that way;
/// `Some(None)` after an error; else the stream, the namespace and the operation (`EventName`: insert, update,
/// replace or delete; default insert).
pub(super) fn producer_target(v: &mut V, esm: &Esm, w: &WorkloadSpec, p: &str, st: &str) -> Option<Option<(StreamId, String, String)>> {
    let (cluster, ns) = st.split_once('/')?;
    let sid = esm.streams.iter().position(|s| matches!(&s.kind, StreamKind::DocumentDb { cluster: c } if c == cluster))?;
    let mut ok = true;
    match ns.split_once('.') {
        Some((db, coll)) if !db.is_empty() && !coll.is_empty() => {}
        _ => {
            v.err(format!("{p}.Stream"), format!("{st:?}: the namespace after the cluster must be <database>.<collection>"));
            ok = false;
        }
    }
    let op = w.event_name.clone().unwrap_or_else(|| "insert".into());
    if !DOCDB_OPERATIONS.contains(&op.as_str()) {
        v.err(
            format!("{p}.EventName"),
            format!("{op:?} is not allowed for a DocumentDB collection; allowed insert, update, replace, delete"),
        );
        ok = false;
    }
    let others = [
        (w.partition_key.is_some(), "PartitionKey"),
        (w.message_group_id.is_some(), "MessageGroupId"),
        (w.message_deduplication_id.is_some(), "MessageDeduplicationId"),
        (w.message_attributes.is_some(), "MessageAttributes"),
    ];
    if others.iter().any(|x| x.0) {
        v.not_for(p, &others, "is not for DocumentDB producers (Stream \"<cluster>/<db>.<collection>\", EventName, Payload)");
        ok = false;
    }
    Some(ok.then(|| (StreamId(sid as u32), ns.to_string(), op)))
}

/// A DocumentDB mapping's own settings (spec 5.7): the settings of other sources are errors here.
pub(super) fn docdb_mapping(
    v: &mut V,
    esm: &Esm,
    m: &EventSourceMappingSpec,
    p: &str,
    s: StreamId,
    c: Common,
) -> Option<(String, Mapping)> {
    // the stream settings but the starting position, which DocumentDB mappings have
    let others: Vec<(bool, &str)> = super::stream_settings(m)[2..]
        .iter()
        .copied()
        .chain([
            (m.scaling_config.is_some(), "ScalingConfig"),
            (m.function_response_types.is_some(), "FunctionResponseTypes"),
            (m.queues.is_some(), "Queues"),
        ])
        .collect();
    v.not_for(
        p,
        &others,
        "is not a setting of DocumentDB mappings (allowed: BatchSize, DocumentDBEventSourceConfig, Enabled, FilterCriteria, MaximumBatchingWindowInSeconds, SourceAccessConfigurations, StartingPosition, StartingPositionTimestamp)",
    );
    let stream = esm.stream(s);
    let batch_size = v.int(m.batch_size, &format!("{p}.BatchSize"), 1, 10_000, 100) as u32;
    let window = match m.maximum_batching_window_in_seconds {
        None => SimTime::from_millis(500),
        Some(w) => SimTime::from_secs(v.int(Some(w), &format!("{p}.MaximumBatchingWindowInSeconds"), 0, 300, 0) as u64),
    };
    let starting = match (m.starting_position.as_deref(), m.starting_position_timestamp) {
        (Some("TRIM_HORIZON"), None) => StartingPosition::TrimHorizon,
        (Some("LATEST"), None) => StartingPosition::Latest,
        (Some("AT_TIMESTAMP"), Some(t)) => StartingPosition::AtTimestamp(v.secs(t, &format!("{p}.StartingPositionTimestamp"))),
        (Some("AT_TIMESTAMP"), None) => {
            v.err(format!("{p}.StartingPositionTimestamp"), "is required with AT_TIMESTAMP (seconds of simulated time)");
            StartingPosition::TrimHorizon
        }
        (Some("TRIM_HORIZON" | "LATEST"), Some(_)) => {
            v.err(format!("{p}.StartingPositionTimestamp"), "is only allowed with StartingPosition AT_TIMESTAMP");
            StartingPosition::TrimHorizon
        }
        (Some(other), _) => {
            v.err(format!("{p}.StartingPosition"), format!("{other:?} is not allowed; allowed TRIM_HORIZON, LATEST, AT_TIMESTAMP"));
            StartingPosition::TrimHorizon
        }
        (None, _) => {
            v.err(format!("{p}.StartingPosition"), "is required for DocumentDB mappings: TRIM_HORIZON, LATEST or AT_TIMESTAMP");
            StartingPosition::TrimHorizon
        }
    };
    let mut auth = false;
    for (j, a) in m.source_access_configurations.iter().flatten().enumerate() {
        let ap = format!("{p}.SourceAccessConfigurations[{j}]");
        if a.kind != "BASIC_AUTH" || auth {
            v.err(format!("{ap}.Type"), format!("{:?} is not allowed here; a DocumentDB mapping takes one BASIC_AUTH entry", a.kind));
        } else if !a.uri.starts_with("arn:aws:secretsmanager:") {
            v.err(format!("{ap}.URI"), format!("{:?} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:...)", a.uri));
        }
        auth |= a.kind == "BASIC_AUTH";
    }
    if !auth {
        v.err(
            format!("{p}.SourceAccessConfigurations"),
            "needs a BASIC_AUTH entry ({\"Type\": \"BASIC_AUTH\", \"URI\": <Secrets Manager secret ARN>}): Lambda requires the cluster's credentials (recorded; they have no effect in the simulation)",
        );
    }
    let cp = format!("{p}.DocumentDBEventSourceConfig");
    let docdb = match &m.document_db_event_source_config {
        None => {
            v.err(cp, "is required for DocumentDB mappings: {\"DatabaseName\": ..., \"CollectionName\": ... (optional)}");
            None
        }
        Some(d) => {
            if d.database_name.is_empty() || d.database_name.len() > 63 || d.database_name.contains(['/', '.', ' ', '$', '"']) {
                v.err(
                    format!("{cp}.DatabaseName"),
                    format!("{:?} is not a valid database name (1 to 63 characters, none of / . space $ \")", d.database_name),
                );
            }
            if let Some(c) = &d.collection_name {
                if c.is_empty() || c.len() > 57 || c.starts_with("system.") || c.contains('$') {
                    v.err(
                        format!("{cp}.CollectionName"),
                        format!("{c:?} is not a valid collection name (1 to 57 characters, no $, not system.*)"),
                    );
                }
            }
            let update_lookup = match d.full_document.as_deref() {
                None | Some("Default") => false,
                Some("UpdateLookup") => true,
                Some(other) => {
                    v.err(format!("{cp}.FullDocument"), format!("{other:?} is not allowed; allowed Default, UpdateLookup"));
                    false
                }
            };
            Some(DocDbConfig { database: d.database_name.clone(), collection: d.collection_name.clone(), update_lookup })
        }
    };
    let what = match docdb.as_ref().and_then(|d| d.collection.as_ref().map(|c| (d, c))) {
        Some((d, c)) => format!("{}/{}.{c}", stream.name, d.database),
        None => format!("{}/{}", stream.name, docdb.as_ref().map_or("", |d| d.database.as_str())),
    };
    Some((format!("{}<-{what}", c.label_fn), Mapping { window, report_failures: false, starting, docdb, ..c.mapping(batch_size) }))
}
