//! Kafka topics, mappings and producers, validated (spec 5.5): Amazon MSK and self-managed Apache Kafka clusters
//! (`KafkaClusters`), a mapping's Kafka properties (`Topics`, `SelfManagedEventSource`, the consumer group,
//! `ProvisionedPollerConfig`, the error-handling controls that need provisioned mode; Lambda API
//! `CreateEventSourceMapping`, DG kafka-retry-configurations.html) and producers (`KafkaTopic`, `Key`, `Headers`).
//!
//! A topic is a [`Stream`] of kind [`StreamKind::Kafka`] whose shards are its partitions, so the stream poller reads
//! it: one lane per partition, in offset order, a failed batch blocking its partition.

use super::{Common, Esm, Mapping, Stream, StreamId, StreamKind, V};
use crate::kernel::time::SimTime;
use crate::scenario::{EventSourceMappingSpec, Scenario};

/// Kafka's default `retention.ms` (`log.retention.hours` 168 = 7 days).
const DEFAULT_RETENTION_MS: i64 = 604_800_000;
/// `MaximumBatchingWindowInSeconds` of a Kafka mapping that leaves it out: 500 ms (spec 5.5, DG
/// invocation-eventsourcemapping.html, "Batching behavior").
pub(super) const DEFAULT_WINDOW: SimTime = SimTime::from_millis(500);
/// Retries Lambda applies when a Kafka mapping has an on-failure destination and infinite retries (DG
/// kafka-retry-configurations.html).
const RETRIES_WITH_DESTINATION: u32 = 10;

impl Stream {
    /// A Kafka topic.
    pub fn is_kafka(&self) -> bool {
        matches!(self.kind, StreamKind::Kafka { .. })
    }
}

/// Whether a mapping reads Kafka: it names topics, a self-managed source, a Kafka consumer group or provisioned
/// pollers, or its `EventSourceArn` is an MSK cluster's.
pub(super) fn is_kafka_mapping(m: &EventSourceMappingSpec) -> bool {
    m.topics.is_some()
        || m.self_managed_event_source.is_some()
        || m.amazon_managed_kafka_event_source_config.is_some()
        || m.self_managed_kafka_event_source_config.is_some()
        || m.provisioned_poller_config.is_some()
        || m.event_source_arn.starts_with("arn:aws:kafka:")
}

/// One cluster of `KafkaClusters` with its later declarations merged in.
struct Cluster<'a> {
    name: &'a str,
    /// `ClusterArn` and its path.
    arn: Option<(&'a str, String)>,
    /// `BootstrapServers` and their path.
    servers: Option<(&'a Vec<String>, String)>,
    /// (path, topic), a later topic of the same name replacing the earlier.
    topics: Vec<(String, &'a crate::scenario::KafkaTopicSpec)>,
}

/// The clusters of `KafkaClusters`, a later entry of the same name merged into the first.
fn clusters<'a>(v: &mut V, sc: &'a Scenario) -> Vec<Cluster<'a>> {
    let mut out: Vec<Cluster<'a>> = vec![];
    for (i, c) in sc.kafka_clusters.iter().enumerate() {
        let p = format!("KafkaClusters[{i}]");
        let name = c.cluster_name.as_str();
        let ok =
            !name.is_empty() && name.len() <= 64 && name.chars().all(|x| x.is_ascii_alphanumeric() || x == '-') && !name.starts_with('-');
        if !ok {
            v.err(
                format!("{p}.ClusterName"),
                format!("{name:?} is not a valid cluster name; allowed 1 to 64 letters, digits and '-' (not first)"),
            );
        }
        if c.topics.is_empty() {
            v.err(format!("{p}.Topics"), "is empty; give at least one topic");
        }
        let mut names: Vec<&str> = vec![];
        for (j, t) in c.topics.iter().enumerate() {
            if names.contains(&t.topic_name.as_str()) {
                v.err(format!("{p}.Topics[{j}].TopicName"), format!("topic {:?} is declared twice in this entry", t.topic_name));
            }
            names.push(&t.topic_name);
        }
        let topics: Vec<(String, &crate::scenario::KafkaTopicSpec)> =
            c.topics.iter().enumerate().map(|(j, t)| (format!("{p}.Topics[{j}]"), t)).collect();
        let arn = c.cluster_arn.as_deref().map(|a| (a, format!("{p}.ClusterArn")));
        let servers = c.bootstrap_servers.as_ref().map(|b| (b, format!("{p}.BootstrapServers")));
        match out.iter_mut().find(|x| x.name == name) {
            Some(prev) => {
                for (tp, t) in topics {
                    prev.topics.retain(|(_, x)| x.topic_name != t.topic_name);
                    prev.topics.push((tp, t));
                }
                prev.arn = arn.or(prev.arn.take());
                prev.servers = servers.or(prev.servers.take());
            }
            None => out.push(Cluster { name, arn, servers, topics }),
        }
    }
    out
}

/// A cluster's ARN (MSK) and its bootstrap servers, comma-separated.
fn endpoints(v: &mut V, c: &Cluster<'_>, region: &str, account: &str) -> (Option<String>, String) {
    let name = c.name;
    match &c.servers {
        None => {
            let host = crate::aws::ids::chars(crate::kernel::rng::fnv64(name.as_bytes()), 0x6b_af6b, 6, crate::aws::ids::LOWER_HEX);
            let brokers: Vec<String> =
                (1..=2).map(|b| format!("b-{b}.{}.{host}.c2.kafka.{region}.amazonaws.com:9098", name.to_lowercase())).collect();
            let arn = match &c.arn {
                Some((a, path)) => {
                    if !a.starts_with(&format!("arn:aws:kafka:{region}:{account}:cluster/{name}/")) {
                        v.err(
                            path.clone(),
                            format!("{a:?} is not the ARN of MSK cluster {name:?}: arn:aws:kafka:{region}:{account}:cluster/{name}/<uuid>"),
                        );
                    }
                    a.to_string()
                }
                None => {
                    let uuid = crate::aws::ids::uuid_from(0x6b_af6a, crate::kernel::rng::fnv64(name.as_bytes()));
                    format!("arn:aws:kafka:{region}:{account}:cluster/{name}/{uuid}-2")
                }
            };
            (Some(arn), brokers.join(","))
        }
        Some((bs, path)) => {
            if let Some((_, ap)) = &c.arn {
                v.err(ap.clone(), "is for Amazon MSK clusters; a cluster with BootstrapServers is self-managed");
            }
            if bs.is_empty() || bs.len() > 10 {
                v.err(path.clone(), format!("has {} servers; allowed 1 to 10 host:port entries", bs.len()));
            }
            for (j, b) in bs.iter().enumerate() {
                let port_ok = b.rsplit_once(':').is_some_and(|(h, port)| !h.is_empty() && port.parse::<u16>().is_ok());
                if !port_ok {
                    v.err(format!("{path}[{j}]"), format!("{b:?} is not host:port (e.g. \"broker-1.example.com:9092\")"));
                }
            }
            (None, bs.join(","))
        }
    }
}

/// The topics of `KafkaClusters`, as streams (after the Kinesis streams and tables).
pub(super) fn build_topics(v: &mut V, sc: &Scenario, region: &str, account: &str, esm: &mut Esm) {
    for c in clusters(v, sc) {
        let (cluster_arn, bootstrap) = endpoints(v, &c, region, account);
        for (tp, t) in &c.topics {
            let tn = t.topic_name.as_str();
            let ok = !tn.is_empty()
                && tn.len() <= 249
                && tn != "."
                && tn != ".."
                && tn.chars().all(|x| x.is_ascii_alphanumeric() || "._-".contains(x));
            if !ok {
                v.err(
                    format!("{tp}.TopicName"),
                    format!("{tn:?} is not a valid Kafka topic name; allowed 1 to 249 letters, digits, '.', '_', '-'"),
                );
            }
            let partitions = v.int(t.num_partitions, &format!("{tp}.NumPartitions"), 1, 1000, 1) as u32;
            let retention = match t.retention_ms.unwrap_or(DEFAULT_RETENTION_MS) {
                -1 => SimTime::from_secs(100 * 365 * 86_400),
                ms if ms >= 60_000 => SimTime::from_millis(ms as u64),
                ms => {
                    v.err(format!("{tp}.RetentionMs"), format!("{ms} is out of range; allowed -1 (no limit) or 60000 and more"));
                    SimTime::from_millis(DEFAULT_RETENTION_MS as u64)
                }
            };
            let arn = match &cluster_arn {
                // The topic ARN of MSK's IAM access control: `topic/<cluster>/<uuid>/<topic>`.
                Some(a) => format!("{}/{tn}", a.replacen(":cluster/", ":topic/", 1)),
                None => format!("kafka://{}/{tn}", bootstrap.split(',').next().unwrap_or_default()),
            };
            esm.streams.push(Stream {
                name: tn.to_string(),
                arn: arn.clone(),
                kind: StreamKind::Kafka {
                    cluster: c.name.to_string(),
                    cluster_arn: cluster_arn.clone(),
                    bootstrap: bootstrap.clone(),
                    topic: tn.to_string(),
                },
                shards: partitions,
                retention,
                mappings: vec![],
                seq_salt: crate::kernel::rng::stream_id(&arn, "seq"),
            });
        }
    }
}

/// The topic a Kafka mapping reads: `EventSourceArn` (an MSK cluster) or `SelfManagedEventSource` (a self-managed
/// cluster's bootstrap servers), and `Topics` (exactly one).
pub(super) fn source(v: &mut V, esm: &Esm, m: &EventSourceMappingSpec, p: &str) -> Option<StreamId> {
    let kafka = || {
        esm.streams.iter().enumerate().filter_map(|(i, s)| match &s.kind {
            StreamKind::Kafka { cluster_arn, bootstrap, topic, .. } => {
                Some((i, cluster_arn.as_deref(), bootstrap.as_str(), topic.as_str()))
            }
            _ => None,
        })
    };
    let cluster: Option<(Option<&str>, String)> = match (&m.self_managed_event_source, m.event_source_arn.is_empty()) {
        (Some(_), false) => {
            v.err(format!("{p}.EventSourceArn"), "and SelfManagedEventSource are both given; an MSK mapping gives EventSourceArn, a self-managed Kafka mapping SelfManagedEventSource");
            return None;
        }
        (None, true) => {
            v.err(format!("{p}.EventSourceArn"), "is required (an MSK cluster's ARN), or SelfManagedEventSource for self-managed Kafka");
            return None;
        }
        (None, false) => {
            // The cluster's full ARN, or the ARN without its UUID part (`arn:aws:kafka:...:cluster/<name>`).
            let given = m.event_source_arn.as_str();
            let full =
                kafka().filter_map(|(_, a, _, _)| a).find(|a| *a == given || a.strip_prefix(given).is_some_and(|r| r.starts_with('/')));
            let Some(arn) = full else {
                let known: Vec<&str> = kafka().filter_map(|(_, a, _, _)| a).collect();
                v.err(
                    format!("{p}.EventSourceArn"),
                    format!(
                        "{:?} names no MSK cluster of this scenario; {}",
                        crate::vocab::shorten(given, 200),
                        crate::vocab::did_you_mean(given, &known)
                    ),
                );
                return None;
            };
            Some((Some(arn), String::new()))
        }
        (Some(sm), true) => {
            let path = format!("{p}.SelfManagedEventSource.Endpoints");
            for k in sm.endpoints.keys().filter(|k| *k != "KAFKA_BOOTSTRAP_SERVERS") {
                v.err(format!("{path}.{k}"), "is not allowed; the only key is KAFKA_BOOTSTRAP_SERVERS");
            }
            let Some(servers) = sm.endpoints.get("KAFKA_BOOTSTRAP_SERVERS") else {
                v.err(path, "needs KAFKA_BOOTSTRAP_SERVERS: the brokers of a KafkaClusters entry with BootstrapServers");
                return None;
            };
            let joined = servers.join(",");
            // The cluster whose brokers include the first server named.
            let first = servers.first().map(String::as_str).unwrap_or_default();
            let found = kafka().find(|(_, a, b, _)| a.is_none() && b.split(',').any(|x| x == first)).map(|(_, _, b, _)| b.to_string());
            match found {
                Some(b) => Some((None, b)),
                None => {
                    v.err(
                        format!("{path}.KAFKA_BOOTSTRAP_SERVERS"),
                        format!(
                            "{:?} names no self-managed cluster of this scenario (KafkaClusters with BootstrapServers)",
                            crate::vocab::shorten(&joined, 200)
                        ),
                    );
                    return None;
                }
            }
        }
    };
    let (arn, bootstrap) = cluster?;
    let topics = m.topics.as_deref().unwrap_or_default();
    if topics.len() != 1 {
        v.err(format!("{p}.Topics"), format!("has {} topics; a Kafka mapping reads exactly one (e.g. [\"orders\"])", topics.len()));
        return None;
    }
    let want = topics[0].as_str();
    let in_cluster = |a: Option<&str>, b: &str| if arn.is_some() { a == arn } else { a.is_none() && b == bootstrap };
    match kafka().find(|(_, a, b, t)| in_cluster(*a, b) && *t == want) {
        Some((i, ..)) => Some(StreamId(i as u32)),
        None => {
            let known: Vec<&str> = kafka().filter(|(_, a, b, _)| in_cluster(*a, b)).map(|(_, _, _, t)| t).collect();
            v.err(format!("{p}.Topics[0]"), format!("{want:?} is no topic of the cluster; {}", crate::vocab::did_you_mean(want, &known)));
            None
        }
    }
}

/// A Kafka mapping's own settings (spec 5.5), then the stream settings it shares (retries, record age, bisect,
/// on-failure destination: spec 5.3).
pub(super) fn mapping(
    v: &mut V,
    esm: &mut Esm,
    m: &EventSourceMappingSpec,
    p: &str,
    s: StreamId,
    c: Common,
    targets: &[super::super::Target],
) -> Option<(String, Mapping)> {
    let not_kafka = [
        (m.parallelization_factor.is_some(), "ParallelizationFactor"),
        (m.tumbling_window_in_seconds.is_some(), "TumblingWindowInSeconds"),
    ];
    v.not_for(p, &not_kafka, "is not supported for Amazon MSK or self-managed Kafka mappings");
    let msk = matches!(&esm.stream(s).kind, StreamKind::Kafka { cluster_arn: Some(_), .. });
    let (config, wrong) = if msk {
        (
            &m.amazon_managed_kafka_event_source_config,
            (m.self_managed_kafka_event_source_config.is_some(), "SelfManagedKafkaEventSourceConfig"),
        )
    } else {
        (
            &m.self_managed_kafka_event_source_config,
            (m.amazon_managed_kafka_event_source_config.is_some(), "AmazonManagedKafkaEventSourceConfig"),
        )
    };
    v.not_for(
        p,
        &[wrong],
        if msk {
            "is for self-managed Kafka; this mapping reads Amazon MSK"
        } else {
            "is for Amazon MSK; this mapping reads self-managed Kafka"
        },
    );
    if let Some(g) = config.as_ref().and_then(|c| c.consumer_group_id.as_deref()) {
        let ok = !g.is_empty() && g.len() <= 200 && g.chars().all(|x| x.is_ascii_alphanumeric() || "-/*:_+=.@".contains(x));
        if !ok {
            let which = if msk { "AmazonManagedKafkaEventSourceConfig" } else { "SelfManagedKafkaEventSourceConfig" };
            v.err(
                format!("{p}.{which}.ConsumerGroupId"),
                format!("{g:?} is not allowed; 1 to 200 of letters, digits and - / * : _ + = . @"),
            );
        }
    }
    let provisioned = match &m.provisioned_poller_config {
        None => false,
        Some(pc) => {
            let lo = v.int(pc.minimum_pollers, &format!("{p}.ProvisionedPollerConfig.MinimumPollers"), 1, 200, 1);
            let hi = v.int(pc.maximum_pollers, &format!("{p}.ProvisionedPollerConfig.MaximumPollers"), 1, 2000, 200);
            if lo > hi {
                v.err(format!("{p}.ProvisionedPollerConfig.MaximumPollers"), format!("{hi} is below MinimumPollers {lo}"));
            }
            true
        }
    };
    // The error-handling controls of Kafka mappings are set in provisioned mode (DG kafka-retry-configurations.html).
    if !provisioned {
        let controls = [
            (m.maximum_retry_attempts.is_some(), "MaximumRetryAttempts"),
            (m.maximum_record_age_in_seconds.is_some(), "MaximumRecordAgeInSeconds"),
            (m.bisect_batch_on_function_error.is_some(), "BisectBatchOnFunctionError"),
            (m.function_response_types.is_some(), "FunctionResponseTypes"),
        ];
        v.not_for(
            p,
            &controls,
            "is an error-handling control of Kafka mappings, which needs provisioned mode: add ProvisionedPollerConfig",
        );
    }
    let window = if m.maximum_batching_window_in_seconds.is_none() { DEFAULT_WINDOW } else { c.window };
    let destination = m.destination_config.as_ref().and_then(|d| d.on_failure.as_ref()).and_then(|d| d.destination.as_deref());
    let (topic, spec) = match destination.and_then(|d| d.strip_prefix("kafka://")) {
        Some(t) => {
            // A Kafka topic: the stream settings are read without it.
            let mut spec = m.clone();
            spec.destination_config = None;
            (Some(destination_topic(v, esm, s, t, p)), std::borrow::Cow::Owned(spec))
        }
        None => (None, std::borrow::Cow::Borrowed(m)),
    };
    let (label, mut mapping) = super::streams::stream_mapping(v, esm, &spec, p, s, Common { window, ..c }, targets)?;
    mapping.on_failure_topic = topic.flatten();
    if (mapping.on_failure.is_some() || mapping.on_failure_topic.is_some()) && mapping.max_retries.is_none() {
        mapping.max_retries = Some(RETRIES_WITH_DESTINATION);
    }
    Some((label, mapping))
}

/// The topic of a Kafka on-failure destination `kafka://<topic>` (DG kafka-on-failure-destination.html): a topic of
/// the source's cluster ("The destination topic must exist in the same Kafka cluster as your source topics"), not
/// the source topic itself ("Lambda prevents infinite loops by blocking configurations where the source and
/// destination topics are the same").
fn destination_topic(v: &mut V, esm: &Esm, source: StreamId, topic: &str, p: &str) -> Option<StreamId> {
    let path = format!("{p}.DestinationConfig.OnFailure.Destination");
    let StreamKind::Kafka { cluster, topic: from, .. } = &esm.stream(source).kind else { return None };
    if topic == from {
        v.err(
            path,
            format!("\"kafka://{topic}\" is the topic the mapping reads; Lambda refuses a destination topic equal to the source topic"),
        );
        return None;
    }
    let in_cluster = |k: &StreamKind| matches!(k, StreamKind::Kafka { cluster: c, .. } if c == cluster);
    match esm.streams.iter().position(|x| in_cluster(&x.kind) && x.name == topic) {
        Some(i) => Some(StreamId(i as u32)),
        None => {
            let known: Vec<&str> = esm.streams.iter().filter(|x| in_cluster(&x.kind) && x.name != *from).map(|x| x.name.as_str()).collect();
            v.err(
                path,
                format!(
                    "{:?} names no topic of cluster {cluster:?} (a Kafka destination is a topic of the source's cluster); {}",
                    crate::vocab::shorten(topic, 200),
                    crate::vocab::did_you_mean(topic, &known)
                ),
            );
            None
        }
    }
}

/// A producer's topic (`KafkaTopic`: `TopicName` or `ClusterName/TopicName`), key and headers; the fields of other
/// producers are errors here.
pub(super) fn producer(v: &mut V, esm: &Esm, w: &crate::scenario::WorkloadSpec, p: &str) -> Option<(StreamId, Vec<(String, String)>)> {
    let t = w.kafka_topic.as_deref().unwrap_or_default();
    let (cluster, topic) = t.split_once('/').map_or((None, t), |(c, t)| (Some(c), t));
    let found: Vec<usize> = esm
        .streams
        .iter()
        .enumerate()
        .filter(
            |(_, s)| matches!(&s.kind, StreamKind::Kafka { cluster: c, topic: tn, .. } if tn == topic && cluster.is_none_or(|x| x == c)),
        )
        .map(|(i, _)| i)
        .collect();
    let others = [
        (w.message_group_id.is_some(), "MessageGroupId"),
        (w.message_deduplication_id.is_some(), "MessageDeduplicationId"),
        (w.message_attributes.is_some(), "MessageAttributes"),
        (w.partition_key.is_some(), "PartitionKey"),
        (w.event_name.is_some(), "EventName"),
    ];
    v.not_for(p, &others, "is not for Kafka producers (KafkaTopic takes Key, Headers and Payload)");
    match found.as_slice() {
        [i] => Some((
            StreamId(*i as u32),
            w.headers.as_ref().map(|h| h.iter().map(|(k, x)| (k.clone(), x.clone())).collect()).unwrap_or_default(),
        )),
        [] => {
            let known: Vec<String> = esm
                .streams
                .iter()
                .filter_map(|s| match &s.kind {
                    StreamKind::Kafka { cluster, topic, .. } => Some(format!("{cluster}/{topic}")),
                    _ => None,
                })
                .collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            v.err(
                format!("{p}.KafkaTopic"),
                format!(
                    "{:?} names no Kafka topic of this scenario; {}",
                    crate::vocab::shorten(t, 200),
                    crate::vocab::did_you_mean(t, &known)
                ),
            );
            None
        }
        _ => {
            v.err(format!("{p}.KafkaTopic"), format!("{t:?} is a topic of several clusters; write ClusterName/TopicName"));
            None
        }
    }
}
