//! Queues, streams, event source mappings and their producers, validated (spec section 5).
//!
//! Every bound is AWS's own: SQS queue attributes (SQS API `SetQueueAttributes`), Kinesis `CreateStream`, the Lambda
//! `CreateEventSourceMapping` API (spec 5.1 to 5.4). An error names the JSON path, the bad value and the allowed range.

use crate::scenario::RawJson;
use std::collections::BTreeMap;

use serde_json::Value;

use super::{Arrivals, FnId, Function, TargetId, TargetKind, V};
use crate::aws::pattern::Pattern;
use crate::aws::payload::Template;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::scenario::{EventSourceMappingSpec, Scenario, WorkloadSpec};

pub use super::ids::{MappingId, QueueId, StreamId};
pub use docdb::DocDbConfig;
use mapping::{build_mapping, Common};
pub use mq::BrokerQueue;

mod docdb;
mod mapping;
mod mq;
mod streams;

mod kafka;

/// A live SQS queue (spec 5.2): destination records, DLQ messages, producer messages and redriven messages all land
/// here, and its mappings poll it.
#[derive(Debug, Clone)]
pub struct Queue {
    /// `QueueName`.
    pub name: String,
    /// The queue's ARN.
    pub arn: String,
    /// The target that sends to it (destinations and DLQs name the queue by ARN).
    pub target: TargetId,
    /// A FIFO queue (name ends in `.fifo`).
    pub fifo: bool,
    /// `VisibilityTimeout`.
    pub visibility: SimTime,
    /// `MessageRetentionPeriod`.
    pub retention: SimTime,
    /// `DelaySeconds`.
    pub delay: SimTime,
    /// The dead-letter queue and `maxReceiveCount`.
    pub redrive: Option<(QueueId, u32)>,
    /// `ContentBasedDeduplication` (FIFO queues).
    pub content_dedup: bool,
    /// The mappings that poll it.
    pub mappings: Vec<MappingId>,
    /// A queue of an Amazon MQ broker rather than SQS (spec 5.6).
    pub broker: Option<mq::BrokerQueue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Which service a stream belongs to.
pub enum StreamKind {
    /// A Kinesis data stream.
    Kinesis,
    /// A DynamoDB table's stream: the table, its `StreamViewType` and its key attribute names.
    DynamoDb {
        /// The table's name.
        table: String,
        /// `StreamSpecification.StreamViewType`.
        view: String,
        /// The table's key attribute names (`KeySchema`).
        keys: Vec<String>,
    },
    /// A Kafka topic (Amazon MSK or self-managed Apache Kafka, spec 5.5); its shards are the topic's partitions.
    Kafka {
        /// The cluster's `ClusterName`.
        cluster: String,
        /// The MSK cluster's ARN (`None`: self-managed Kafka).
        cluster_arn: Option<String>,
        /// The bootstrap servers, comma-separated, as the event's `bootstrapServers`.
        bootstrap: String,
        /// The topic's name.
        topic: String,
    },
    /// An Amazon DocumentDB cluster's change stream (spec 5.7).
    DocumentDb {
        /// `DBClusterIdentifier`.
        cluster: String,
    },
}

/// A Kinesis data stream or a DynamoDB table's stream (spec 5.3).
#[derive(Debug, Clone)]
pub struct Stream {
    /// The stream's (or table's) name.
    pub name: String,
    /// The stream's ARN.
    pub arn: String,
    /// Kinesis or DynamoDB.
    pub kind: StreamKind,
    /// Shards (records are spread by partition key).
    pub shards: u32,
    /// How long records stay readable.
    pub retention: SimTime,
    /// The mappings that read it.
    pub mappings: Vec<MappingId>,
    /// Seed of the stream's sequence numbers (derived from its ARN once).
    pub seq_salt: u64,
}

impl Stream {
    /// `shardId-000000000000` (Kinesis) or `shardId-00000001704067200000-0000000N` (DynamoDB Streams form).
    pub fn shard_id(&self, shard: u32) -> String {
        match &self.kind {
            StreamKind::Kinesis => format!("shardId-{shard:012}"),
            StreamKind::DynamoDb { .. } => format!("shardId-00000001704067200000-{:08x}", 0x5eed_0000u32 + shard),
            StreamKind::Kafka { topic, .. } => crate::aws::events::kafka::records_key(topic, shard),
            StreamKind::DocumentDb { .. } => format!("changeStream-{shard}"),
        }
    }
    /// A DynamoDB table's stream.
    pub fn is_dynamodb(&self) -> bool {
        matches!(self.kind, StreamKind::DynamoDb { .. })
    }
    /// An Amazon DocumentDB cluster's change stream.
    pub fn is_docdb(&self) -> bool {
        matches!(self.kind, StreamKind::DocumentDb { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What a mapping reads.
pub enum EsmSource {
    /// An SQS queue.
    Queue(QueueId),
    /// A Kinesis or DynamoDB stream.
    Stream(StreamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// `StartingPosition` of a stream mapping (spec 5.3).
pub enum StartingPosition {
    /// The oldest record still retained.
    TrimHorizon,
    /// Records put after the mapping starts.
    Latest,
    /// Records put at or after this time.
    AtTimestamp(SimTime),
}

/// An event source mapping (spec 5.1 to 5.4).
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The mapping's UUID (derived from its index and source, stable across runs).
    pub uuid: String,
    /// `function<-source` for reports.
    pub label: String,
    /// The queue or stream read.
    pub source: EsmSource,
    /// The function invoked.
    pub function: FnId,
    /// The version or alias invoked (`FunctionName` as `name:qualifier` or a qualified ARN; spec 5.1).
    pub qualifier: Qualifier,
    /// `Enabled`.
    pub enabled: bool,
    /// `BatchSize`.
    pub batch_size: u32,
    /// `MaximumBatchingWindowInSeconds`.
    pub window: SimTime,
    /// `FunctionResponseTypes` has `ReportBatchItemFailures`.
    pub report_failures: bool,
    /// `FilterCriteria` patterns (a record matching none is dropped).
    pub filters: Vec<Pattern>,
    /// SQS `ScalingConfig.MaximumConcurrency`.
    pub max_concurrency: Option<u32>,
    /// Streams: `StartingPosition`.
    pub starting: StartingPosition,
    /// Streams: `ParallelizationFactor` (concurrent batches per shard).
    pub parallelization: u32,
    /// `None`: infinite (-1).
    pub max_retries: Option<u32>,
    /// `None`: infinite (-1).
    pub max_record_age: Option<SimTime>,
    /// Streams: `BisectBatchOnFunctionError`.
    pub bisect: bool,
    /// Streams: the `DestinationConfig.OnFailure` target.
    pub on_failure: Option<TargetId>,
    /// Kafka: the `DestinationConfig.OnFailure` topic (`kafka://<topic>`, a topic of the source's cluster; spec 5.5).
    pub on_failure_topic: Option<StreamId>,
    /// Streams: `TumblingWindowInSeconds`.
    pub tumbling: Option<SimTime>,
    /// SQS: the visibility timeout in force for received batches (spec 5.2: window + timeout + 30 s when the window
    /// plus the function timeout exceed the queue's).
    pub visibility: SimTime,
    /// DocumentDB: `DocumentDBEventSourceConfig` (spec 5.7).
    pub docdb: Option<docdb::DocDbConfig>,
}

#[derive(Debug, Clone)]
/// Where a producer sends.
pub enum ProducerTarget {
    /// An SQS queue (`SendMessage`).
    Queue(QueueId),
    /// A Kinesis or DynamoDB stream (`PutRecord`, or a table write).
    Stream(StreamId),
}

/// A workload entry that sends messages or puts records instead of invoking.
#[derive(Debug, Clone)]
pub struct Producer {
    /// The workload entry's `Name`.
    pub name: String,
    /// `MessageAttributes` of a queue producer, as the function will see them.
    pub attributes: Option<std::sync::Arc<MessageAttributes>>,
    /// The queue or stream it sends to.
    pub target: ProducerTarget,
    /// The message body or record data, rendered per message.
    pub template: Template,
    /// When it sends.
    pub arrivals: Arrivals,
    /// FIFO queues: `MessageGroupId`.
    pub group: Option<String>,
    /// FIFO queues: `MessageDeduplicationId`.
    pub dedup: Option<String>,
    /// Kinesis: `PartitionKey`; Kafka: the record's `Key` (`None`: no key).
    pub partition_key: Option<String>,
    /// Kafka: the record's headers (name, value template).
    pub headers: Vec<(String, String)>,
    /// DynamoDB: the stream record's `eventName` (default `INSERT`).
    pub event_name: String,
}

/// An SQS message's attributes: the form Lambda's SQS event shows (`messageAttributes`), their
/// `md5OfMessageAttributes`, and the bytes they add to the message's size (name, type and value, as SQS counts them).
#[derive(Debug, Clone, PartialEq)]
pub struct MessageAttributes {
    /// `messageAttributes` as Lambda's SQS event shows them.
    pub event_form: Value,
    /// `md5OfMessageAttributes`.
    pub md5: String,
    /// Bytes the attributes add to the message size.
    pub bytes: usize,
}

impl MessageAttributes {
    /// Validate and compile `SendMessage`-style attributes; `Ok(None)` for none.
    pub fn compile(m: &serde_json::Map<String, Value>) -> Result<Option<MessageAttributes>, String> {
        let (event_form, md5) = crate::aws::events::sqs_message_attributes(m)?;
        let Some(md5) = md5 else { return Ok(None) };
        let bytes = event_form
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, a)| {
                        let t = a["dataType"].as_str().map_or(0, str::len);
                        let v = a.get("stringValue").or_else(|| a.get("binaryValue")).and_then(Value::as_str).map_or(0, str::len);
                        k.len() + t + v
                    })
                    .sum()
            })
            .unwrap_or(0);
        Ok(Some(MessageAttributes { event_form, md5, bytes }))
    }
}

/// Everything of the event source mappings in a model, with the named options for uncertain behaviour.
#[derive(Debug, Clone, Default)]
pub struct Esm {
    /// The live queues, indexed by `QueueId`.
    pub queues: Vec<Queue>,
    /// The streams, indexed by `StreamId`.
    pub streams: Vec<Stream>,
    /// The mappings, indexed by `MappingId`.
    pub mappings: Vec<Mapping>,
    /// Workload entries that send messages or put records.
    pub producers: Vec<Producer>,
    /// The live queue behind each target, by target index.
    pub queue_of_target: Vec<Option<QueueId>>,
    /// `Simulation.SqsPollerCeiling`: concurrent invocations of one SQS mapping without `MaximumConcurrency` (default 1250; spec 5.2).
    pub sqs_ceiling: u32,
    /// `Simulation.SqsScaleUpPerMinute`: concurrent invocations an SQS mapping adds per minute (default 300; spec 5.2).
    pub sqs_scale_per_minute: u32,
    /// `Simulation.StreamRecordAgeCondition`: the on-failure record's `condition` for expired records (default `RecordAgeExceeded`; spec 3.3).
    pub record_age_condition: String,
    /// `Simulation.BisectCountsAsRetry`: a bisected batch also uses a retry (default false; spec 5.3).
    pub bisect_counts_as_retry: bool,
    /// The back-off before a failed stream batch is retried: doubling from the initial value up to the maximum.
    pub retry_backoff_initial: crate::kernel::time::SimTime,
    /// See `retry_backoff_initial` (`Simulation.StreamRetryMaxBackoffSeconds`, default 60 s).
    pub retry_backoff_max: crate::kernel::time::SimTime,
    /// `Simulation.KafkaKeylessPartitioner` is `Sticky` (default; false: `RoundRobin`; spec 5.5).
    pub kafka_sticky: bool,
    /// `Simulation.KafkaDestinationRecord` is `Records` (false: `InvocationRecord`, the default; spec 5.5).
    pub kafka_destination_records: bool,
    /// `Simulation.MqRedeliveryDelaySeconds`: how long after a failed batch an Amazon MQ broker redelivers its
    /// messages (default 1 s, ActiveMQ's `redeliveryDelay`; spec 5.6).
    pub mq_redelivery_delay: SimTime,
}

impl Esm {
    /// The queue with id `q`.
    pub fn queue(&self, q: QueueId) -> &Queue {
        &self.queues[q.ix()]
    }
    /// The stream with id `s`.
    pub fn stream(&self, s: StreamId) -> &Stream {
        &self.streams[s.ix()]
    }
    /// The mapping with id `m`.
    pub fn mapping(&self, m: MappingId) -> &Mapping {
        &self.mappings[m.ix()]
    }
    /// The queue named `name` (or with ARN `name`).
    pub fn queue_by_name(&self, name: &str) -> Option<QueueId> {
        self.queues.iter().position(|q| q.name == name || q.arn == name).map(|i| QueueId(i as u32))
    }
    /// The stream named `name` (or with ARN `name`, or of the DynamoDB table `name`).
    pub fn stream_by_name(&self, name: &str) -> Option<StreamId> {
        self.streams
            .iter()
            .position(|s| s.name == name || s.arn == name || matches!(&s.kind, StreamKind::DynamoDb { table, .. } if table == name))
            .map(|i| StreamId(i as u32))
    }
}

const VIEWS: &[&str] = &["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/// Workload entries that produce messages or records, with their arrivals already validated.
pub(super) struct RawProducer<'a> {
    pub index: usize,
    pub spec: &'a WorkloadSpec,
    pub arrivals: Arrivals,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    v: &mut V,
    sc: &Scenario,
    region: &str,
    account: &str,
    targets: &[super::Target],
    functions: &[Function],
    fn_names: &BTreeMap<String, FnId>,
    producers: Vec<RawProducer<'_>>,
) -> Esm {
    let s = &sc.simulation;
    let mut esm = Esm {
        sqs_ceiling: v.int(s.sqs_poller_ceiling, "Simulation.SqsPollerCeiling", 1000, 1250, 1250) as u32,
        sqs_scale_per_minute: v.int(s.sqs_scale_up_per_minute, "Simulation.SqsScaleUpPerMinute", 1, 1000, 300) as u32,
        record_age_condition: s.stream_record_age_condition.clone().unwrap_or_else(|| "RecordAgeExceeded".into()),
        bisect_counts_as_retry: s.bisect_counts_as_retry.unwrap_or(false),
        retry_backoff_initial: v.secs_in(
            s.stream_retry_initial_backoff_seconds,
            "Simulation.StreamRetryInitialBackoffSeconds",
            0.001,
            900.0,
            0.33,
        ),
        retry_backoff_max: v.secs_in(s.stream_retry_max_backoff_seconds, "Simulation.StreamRetryMaxBackoffSeconds", 0.001, 3600.0, 60.0),
        queue_of_target: vec![None; targets.len()],
        kafka_sticky: s.kafka_keyless_partitioner != Some(crate::scenario::KafkaKeylessPartitioner::RoundRobin),
        kafka_destination_records: s.kafka_destination_record == Some(crate::scenario::KafkaDestinationRecord::Records),
        mq_redelivery_delay: v.secs_in(s.mq_redelivery_delay_seconds, "Simulation.MqRedeliveryDelaySeconds", 0.0, 3600.0, 1.0),
        ..Esm::default()
    };

    build_queues(v, sc, targets, &mut esm);
    mq::build_broker_queues(v, sc, region, account, targets, &mut esm);
    build_streams(v, sc, region, account, &mut esm);
    kafka::build_topics(v, sc, region, account, &mut esm);
    docdb::build_clusters(v, sc, region, account, &mut esm);
    // --- mappings
    for (i, m) in sc.event_source_mappings.iter().enumerate() {
        let p = format!("EventSourceMappings[{i}]");
        let declared = |f: FnId| sc.functions.get(f.ix()).map_or(0, |x| x.versions.len());
        let Some(mapping) = build_mapping(v, &mut esm, m, &p, i, region, account, targets, functions, fn_names, &declared) else {
            continue;
        };
        let id = MappingId(esm.mappings.len() as u32);
        match mapping.source {
            EsmSource::Queue(q) => esm.queues[q.ix()].mappings.push(id),
            EsmSource::Stream(s) => esm.streams[s.ix()].mappings.push(id),
        }
        esm.mappings.push(mapping);
    }
    build_producers(v, producers, &mut esm);
    esm
}

/// The queues (targets were made in declaration order by the caller: queues first).
fn build_queues(v: &mut V, sc: &Scenario, targets: &[super::Target], esm: &mut Esm) {
    for (i, q) in sc.queues.iter().enumerate() {
        let p = format!("Queues[{i}]");
        let target = TargetId(i as u32);
        let fifo = matches!(targets[i].kind, TargetKind::Sqs { fifo: true });
        if q.fifo_queue == Some(true) && !fifo {
            v.err(format!("{p}.FifoQueue"), format!("is true but {:?} does not end in \".fifo\"; a FIFO queue's name must", q.queue_name));
        }
        if q.fifo_queue == Some(false) && fifo {
            v.err(format!("{p}.FifoQueue"), format!("is false but {:?} ends in \".fifo\", which only FIFO queues may", q.queue_name));
        }
        if q.content_based_deduplication == Some(true) && !fifo {
            v.err(format!("{p}.ContentBasedDeduplication"), "is for FIFO queues only");
        }
        let visibility = SimTime::from_secs(v.int(q.visibility_timeout, &format!("{p}.VisibilityTimeout"), 0, 43_200, 30) as u64);
        let retention =
            SimTime::from_secs(v.int(q.message_retention_period, &format!("{p}.MessageRetentionPeriod"), 60, 1_209_600, 345_600) as u64);
        let delay = SimTime::from_secs(v.int(q.delay_seconds, &format!("{p}.DelaySeconds"), 0, 900, 0) as u64);
        esm.queue_of_target[target.ix()] = Some(QueueId(i as u32));
        esm.queues.push(Queue {
            name: q.queue_name.clone(),
            arn: targets[i].arn.clone(),
            target,
            fifo,
            visibility,
            retention,
            delay,
            redrive: None,
            content_dedup: q.content_based_deduplication.unwrap_or(false),
            mappings: vec![],
            broker: None,
        });
    }
    // Queue ARN -> the first queue with it (a lookup, not a walk: thousands of queues stay fast).
    let mut by_arn: BTreeMap<String, usize> = BTreeMap::new();
    for (i, q) in esm.queues.iter().enumerate() {
        by_arn.entry(q.arn.clone()).or_insert(i);
    }
    for (i, q) in sc.queues.iter().enumerate() {
        let Some(r) = &q.redrive_policy else { continue };
        let p = format!("Queues[{i}].RedrivePolicy");
        let max = v.int(Some(r.max_receive_count), &format!("{p}.maxReceiveCount"), 1, 1000, 1) as u32;
        match by_arn.get(&r.dead_letter_target_arn).copied() {
            None => {
                let known: Vec<&str> = esm.queues.iter().map(|x| x.arn.as_str()).collect();
                v.err(
                    format!("{p}.deadLetterTargetArn"),
                    format!(
                        "{:?} names no queue of this scenario; {}",
                        crate::vocab::shorten(&r.dead_letter_target_arn, 200),
                        crate::vocab::did_you_mean(&r.dead_letter_target_arn, &known)
                    ),
                );
            }
            Some(d) if d == i => {
                v.err(format!("{p}.deadLetterTargetArn"), "names the queue itself; a dead-letter queue must be another queue")
            }
            Some(d) if esm.queues[d].fifo != esm.queues[i].fifo => v.err(
                format!("{p}.deadLetterTargetArn"),
                "the dead-letter queue of a FIFO queue must be FIFO, and of a standard queue standard (SQS requires the same type)",
            ),
            Some(d) => esm.queues[i].redrive = Some((QueueId(d as u32), max)),
        }
    }
}

/// Kinesis streams and DynamoDB table streams.
fn build_streams(v: &mut V, sc: &Scenario, region: &str, account: &str, esm: &mut Esm) {
    for (i, k) in sc.kinesis_streams.iter().enumerate() {
        let p = format!("KinesisStreams[{i}]");
        v.name(&k.name, &format!("{p}.Name"), 128, ".", "stream name");
        let shards = v.int(k.shard_count, &format!("{p}.ShardCount"), 1, 500, 1) as u32;
        let hours = v.int(k.retention_period_hours, &format!("{p}.RetentionPeriodHours"), 24, 8760, 24) as u64;
        esm.streams.push(Stream {
            name: k.name.clone(),
            arn: format!("arn:aws:kinesis:{region}:{account}:stream/{}", k.name),
            kind: StreamKind::Kinesis,
            shards,
            retention: SimTime::from_secs(hours * 3600),
            mappings: vec![],
            seq_salt: 0,
        });
    }
    for (i, t) in sc.tables.iter().enumerate() {
        let p = format!("Tables[{i}]");
        if !(3..=255).contains(&t.table_name.len())
            || !t.table_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            v.err(
                format!("{p}.TableName"),
                format!("{:?} is not a valid table name; allowed 3 to 255 of letters, digits, '_', '-', '.'", t.table_name),
            );
        }
        let view = t.stream_specification.stream_view_type.clone();
        if !VIEWS.contains(&view.as_str()) {
            v.err(format!("{p}.StreamSpecification.StreamViewType"), format!("{view:?} is not allowed; allowed: {}", VIEWS.join(", ")));
        }
        let keys: Vec<String> = match &t.key_schema {
            None => vec!["id".into()],
            Some(ks) => {
                for (j, k) in ks.iter().enumerate() {
                    if k.key_type != "HASH" && k.key_type != "RANGE" {
                        v.err(format!("{p}.KeySchema[{j}].KeyType"), format!("{:?} is not allowed; allowed HASH, RANGE", k.key_type));
                    }
                }
                if ks.is_empty() || ks.len() > 2 {
                    v.err(format!("{p}.KeySchema"), "must have one HASH key and at most one RANGE key");
                }
                ks.iter().map(|k| k.attribute_name.clone()).collect()
            }
        };
        let label = t.stream_label.clone().unwrap_or_else(|| "2024-01-01T00:00:00.000".into());
        let shards = v.int(t.stream_shards, &format!("{p}.StreamShards"), 1, 100, 1) as u32;
        esm.streams.push(Stream {
            name: t.table_name.clone(),
            arn: format!("arn:aws:dynamodb:{region}:{account}:table/{}/stream/{label}", t.table_name),
            kind: StreamKind::DynamoDb { table: t.table_name.clone(), view, keys },
            shards,
            // DynamoDB Streams keep records 24 hours (spec 5.3).
            retention: SimTime::from_secs(24 * 3600),
            mappings: vec![],
            seq_salt: 0,
        });
    }
    for s in &mut esm.streams {
        s.seq_salt = crate::kernel::rng::stream_id(&s.arn, "seq");
    }
    // Where each stream is declared: Kinesis streams first, then tables' streams (the order they were pushed above).
    let k = sc.kinesis_streams.len();
    let declared = |i: usize| if i < k { format!("KinesisStreams[{i}].Name") } else { format!("Tables[{}].TableName", i - k) };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in esm.streams.iter().enumerate() {
        if let Some(&j) = seen.get(s.arn.as_str()) {
            v.err(declared(i), format!("stream {:?} is declared twice (first at {})", crate::vocab::shorten(&s.name, 120), declared(j)));
        } else {
            seen.insert(s.arn.as_str(), i);
        }
    }
}

/// Workload entries that send to a queue or put records on a stream.
fn build_producers(v: &mut V, producers: Vec<RawProducer<'_>>, esm: &mut Esm) {
    for raw in producers {
        let w = raw.spec;
        let p = format!("Workload[{}]", raw.index);
        if !w.function.is_empty() || [w.queue.is_some(), w.stream.is_some(), w.kafka_topic.is_some()].iter().filter(|x| **x).count() > 1 {
            v.err(p.clone(), "gives more than one of Function, Queue, Stream, KafkaTopic; give exactly one");
            continue;
        }
        let invocation_only = [
            (w.invocation_type.is_some(), "InvocationType"),
            (w.source.is_some(), "Source"),
            (w.source_options.is_some(), "SourceOptions"),
            (w.caller.is_some(), "Caller"),
        ];
        v.not_for(&p, &invocation_only, "is for invocations; a producer (Queue or Stream) sends messages or records");
        // The body as written: SQS hands on the bytes a producer sent (conformance SQS-BODY-BYTES).
        let template = match &w.payload {
            Some(p) => Template::with_text(RawJson::value(p), p.text()),
            None => Template::new(Value::Object(Default::default())),
        };
        let name = w.name.clone().unwrap_or_else(|| format!("workload[{}]", raw.index));
        let mut attributes = None;
        let mut headers = vec![];
        if w.kafka_topic.is_none() && (w.key.is_some() || w.headers.is_some()) {
            v.err(format!("{p}.Key"), "Key and Headers are for Kafka producers (KafkaTopic) only");
        }
        let target = if w.kafka_topic.is_some() {
            let Some((sid, h)) = kafka::producer(v, esm, w, &p) else { continue };
            headers = h;
            ProducerTarget::Stream(sid)
        } else if let Some(q) = &w.queue {
            let Some(qid) = esm.queue_by_name(q) else {
                let known: Vec<&str> = esm.queues.iter().map(|x| x.name.as_str()).collect();
                v.err(
                    format!("{p}.Queue"),
                    format!(
                        "{:?} names no queue of this scenario; {}",
                        crate::vocab::shorten(q, 200),
                        crate::vocab::did_you_mean(q, &known)
                    ),
                );
                continue;
            };
            let fifo = esm.queue(qid).fifo;
            if !fifo && (w.message_group_id.is_some() || w.message_deduplication_id.is_some()) {
                v.err(format!("{p}.MessageGroupId"), "MessageGroupId and MessageDeduplicationId are for FIFO queues only");
            }
            if fifo && w.message_group_id.is_none() {
                v.err(
                    format!("{p}.MessageGroupId"),
                    format!("is required to send to FIFO queue {q:?} (e.g. \"customer-{{{{n}}}}\" or a fixed group)"),
                );
            }
            if fifo && w.message_deduplication_id.is_none() && !esm.queue(qid).content_dedup {
                v.err(
                    format!("{p}.MessageDeduplicationId"),
                    format!("is required: FIFO queue {q:?} does not have ContentBasedDeduplication, so SQS rejects sends without a deduplication id"),
                );
            }
            if w.partition_key.is_some() || w.event_name.is_some() {
                v.err(format!("{p}.PartitionKey"), "PartitionKey and EventName are for streams only");
            }
            if let Some(m) = &w.message_attributes {
                match MessageAttributes::compile(m) {
                    Ok(a) => attributes = a.map(std::sync::Arc::new),
                    Err(e) => v.err(format!("{p}.MessageAttributes"), e),
                }
            }
            ProducerTarget::Queue(qid)
        } else {
            let st = w.stream.as_deref().unwrap_or_default();
            // DocumentDB: `<cluster>/<db>.<collection>` (spec 5.7).
            if let Some(found) = docdb::producer_target(v, esm, w, &p, st) {
                let Some((sid, ns, op)) = found else { continue };
                esm.producers.push(Producer {
                    name,
                    attributes: None,
                    target: ProducerTarget::Stream(sid),
                    template,
                    arrivals: raw.arrivals,
                    group: None,
                    dedup: None,
                    partition_key: Some(ns),
                    event_name: op,
                    headers: vec![],
                });
                continue;
            }
            let Some(sid) = esm.stream_by_name(st) else {
                let known: Vec<&str> = esm.streams.iter().map(|x| x.name.as_str()).collect();
                v.err(
                    format!("{p}.Stream"),
                    format!(
                        "{:?} names no Kinesis stream or table of this scenario; {}",
                        crate::vocab::shorten(st, 200),
                        crate::vocab::did_you_mean(st, &known)
                    ),
                );
                continue;
            };
            if w.message_group_id.is_some() || w.message_deduplication_id.is_some() {
                v.err(format!("{p}.MessageGroupId"), "MessageGroupId and MessageDeduplicationId are for FIFO queues only");
            }
            if w.message_attributes.is_some() {
                v.err(format!("{p}.MessageAttributes"), "is for Queue and Topic producers; stream records have no attributes");
            }
            if esm.stream(sid).is_docdb() {
                v.err(
                    format!("{p}.Stream"),
                    format!("{st:?} is a DocumentDB cluster: write to a collection, \"{st}/<database>.<collection>\""),
                );
                continue;
            }
            let ddb = esm.stream(sid).is_dynamodb();
            if ddb && w.partition_key.is_some() {
                v.err(format!("{p}.PartitionKey"), "is for Kinesis streams; a DynamoDB item's key attributes pick its shard");
            }
            if !ddb && w.event_name.is_some() {
                v.err(format!("{p}.EventName"), "is for DynamoDB tables only");
            }
            if let Some(e) = &w.event_name {
                if !["INSERT", "MODIFY", "REMOVE"].contains(&e.as_str()) {
                    v.err(format!("{p}.EventName"), format!("{e:?} is not allowed; allowed INSERT, MODIFY, REMOVE"));
                }
            }
            ProducerTarget::Stream(sid)
        };
        esm.producers.push(Producer {
            name,
            attributes,
            target,
            template,
            arrivals: raw.arrivals,
            group: w.message_group_id.clone(),
            dedup: w.message_deduplication_id.clone(),
            partition_key: if w.kafka_topic.is_some() { w.key.clone() } else { w.partition_key.clone() },
            headers,
            event_name: w.event_name.clone().unwrap_or_else(|| "INSERT".into()),
        });
    }
}

/// The stream mappings' own settings, each with whether `m` gives it: errors on a mapping of a queue or broker.
fn stream_settings(m: &EventSourceMappingSpec) -> [(bool, &'static str); 8] {
    [
        (m.starting_position.is_some(), "StartingPosition"),
        (m.starting_position_timestamp.is_some(), "StartingPositionTimestamp"),
        (m.parallelization_factor.is_some(), "ParallelizationFactor"),
        (m.maximum_retry_attempts.is_some(), "MaximumRetryAttempts"),
        (m.maximum_record_age_in_seconds.is_some(), "MaximumRecordAgeInSeconds"),
        (m.bisect_batch_on_function_error.is_some(), "BisectBatchOnFunctionError"),
        (m.destination_config.is_some(), "DestinationConfig"),
        (m.tumbling_window_in_seconds.is_some(), "TumblingWindowInSeconds"),
    ]
}
