//! Kafka topics at run time (spec 5.5): a producer's record goes to its partition (murmur2 of the key, as Kafka's
//! producer; keyless records `Sticky` or `RoundRobin`, `Simulation.KafkaKeylessPartitioner`), then the stream poller
//! reads each partition as one lane in offset order ([`super::streams`]): the batching window (500 ms by default),
//! `BatchSize`, a failed batch blocking its partition and retried until it succeeds, expires or uses up the retries,
//! bisection, partial batch responses keyed by `{"partition": "<topic>-<n>", "offset": n}`, and the on-failure
//! record with `KafkaBatchInfo`. What the function receives is built here from the records the lane holds: the event
//! (`records` keyed by `topic-partition`), what filters and rules see of a record, and the on-failure batch info.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::records::Rec;
use crate::aws::events;
use crate::aws::events::kafka as wire;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{Model, Stream, StreamId, StreamKind};
use crate::sim::Sim;
use crate::trace::Observer;

/// Bytes of keyless records after which the sticky partitioner moves on: Kafka's producer `batch.size` default
/// (16384), the size at which its batch for the partition is full (KIP-480).
const STICKY_BATCH_BYTES: usize = 16_384;

/// What a Kafka record has beyond a stream record: its key (`None`: no key) and headers.
#[derive(Debug)]
pub(super) struct KafkaRec {
    pub(super) key: Option<String>,
    pub(super) headers: Vec<(String, String)>,
}

/// The keyless partitioner's state of one topic: the current partition and the bytes put on it since it was chosen.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Keyless {
    partition: u32,
    bytes: usize,
    switches: u64,
    started: bool,
}

fn parts(st: &Stream) -> (&str, Option<&str>, &str) {
    match &st.kind {
        StreamKind::Kafka { topic, cluster_arn, bootstrap, .. } => (topic.as_str(), cluster_arn.as_deref(), bootstrap.as_str()),
        _ => ("", None, ""),
    }
}

fn epoch_ms(model: &Model, t: SimTime) -> i64 {
    model.settings.start_epoch_ms + (t.as_micros() / 1000) as i64
}

/// The item identifier of a record in a partial batch response, as the processor compares them:
/// `<topic>-<partition>@<offset>` (AWS's `{"partition": "<topic>-<partition>", "offset": <offset>}`).
pub(super) fn item_id(st: &Stream, shard: u32, offset: u64) -> String {
    format!("{}@{offset}", wire::records_key(parts(st).0, shard))
}

/// A `batchItemFailures` identifier of a Kafka batch, `{"partition": "<topic>-<n>", "offset": <n>}`, in the form
/// of [`item_id`]; `None` when it is not of that form.
pub(super) fn parse_item_id(v: &Value) -> Option<String> {
    let p = v.get("partition")?.as_str()?;
    let o = v.get("offset")?;
    let o = o.as_u64().or_else(|| o.as_str().and_then(|s| s.parse().ok()))?;
    Some(format!("{p}@{o}"))
}

/// One record as the function receives it.
pub(super) fn record(model: &Model, st: &Stream, shard: u32, r: &Rec) -> Value {
    let k = r.kafka.as_deref();
    let key = k.and_then(|k| k.key.as_deref());
    let headers = k.map(|k| k.headers.as_slice()).unwrap_or_default();
    wire::record(parts(st).0, shard, r.seq, epoch_ms(model, r.arrival), key, &events::text(&r.data), headers)
}

/// The event of a batch of one partition.
pub(super) fn event(model: &Model, st: &Stream, shard: u32, recs: &[Rec]) -> Value {
    let (topic, arn, bootstrap) = parts(st);
    let mut records = Map::new();
    if !recs.is_empty() {
        records.insert(wire::records_key(topic, shard), Value::Array(recs.iter().map(|r| record(model, st, shard, r)).collect()));
    }
    wire::event(arn, bootstrap, records)
}

/// What filters and rules see of a record: `{"topic", "partition", "offset", "timestamp", "key": <decoded text or
/// null>, "value": <decoded JSON, or the text>, "headers": {name: text}}` (AWS filters a Kafka record on its
/// decoded `value`, spec 5.4).
pub(super) fn view(model: &Model, st: &Stream, shard: u32, r: &Rec) -> Value {
    let k = r.kafka.as_deref();
    let value = match r.data.as_ref() {
        Value::String(s) => {
            serde_json::from_str::<Value>(s).ok().filter(|v| v.is_object() || v.is_array()).unwrap_or_else(|| Value::String(s.clone()))
        }
        other => other.clone(),
    };
    let headers: Map<String, Value> = k.map(|k| k.headers.iter().map(|(n, v)| (n.clone(), json!(v))).collect()).unwrap_or_default();
    json!({
        "topic": parts(st).0,
        "partition": shard,
        "offset": r.seq,
        "timestamp": epoch_ms(model, r.arrival),
        "key": k.and_then(|k| k.key.as_deref()),
        "value": value,
        "headers": headers,
    })
}

/// `KafkaBatchInfo` of the on-failure record of a discarded range of one partition.
pub(super) fn batch_info(model: &Model, st: &Stream, shard: u32, recs: &[Rec], iso: &dyn Fn(SimTime) -> String) -> Value {
    let (topic, arn, bootstrap) = parts(st);
    let (first, last) = (&recs[0], &recs[recs.len() - 1]);
    let (t0, t1) = (iso(first.arrival), iso(last.arrival));
    let payload = crate::aws::destinations::json_size(&event(model, st, shard, recs));
    let range = wire::RangeInfo { key: wire::records_key(topic, shard), offsets: (first.seq, last.seq), timestamps: (&t0, &t1) };
    wire::batch_info(arn, bootstrap, recs.len(), payload, &range)
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A producer's record onto its topic: the partition of its key, or of the keyless partitioner; then it is put
    /// as a stream record.
    pub(super) fn kafka_put(&mut self, s: StreamId, data: Arc<Value>, key: Option<String>, headers: Vec<(String, String)>, rkey: u64) {
        let model = self.model;
        let st = model.esm.stream(s);
        let partitions = st.shards.max(1);
        let partition = match &key {
            Some(k) => wire::partition_for_key(k.as_bytes(), partitions),
            None => {
                let size = events::text(&data).len();
                let seed = self.seed;
                let state = &mut self.esm.kafka_keyless[s.ix()];
                if model.esm.kafka_sticky {
                    // Sticky (KIP-480): one partition until its batch is full, then another one, drawn.
                    if !state.started || state.bytes >= STICKY_BATCH_BYTES {
                        let draw = splitmix(seed ^ st.seq_salt ^ splitmix(state.switches));
                        let mut p = (draw % u64::from(partitions)) as u32;
                        if state.started && partitions > 1 && p == state.partition {
                            p = (p + 1) % partitions;
                        }
                        state.partition = p;
                        state.bytes = 0;
                        state.switches += 1;
                        state.started = true;
                    }
                    state.bytes += size;
                    state.partition
                } else {
                    let p = if state.started { (state.partition + 1) % partitions } else { 0 };
                    state.partition = p;
                    state.started = true;
                    p
                }
            }
        };
        let pk = key.clone().unwrap_or_default();
        self.stream_put_on(s, partition, data, pk, 0, rkey, Some(Arc::new(KafkaRec { key, headers })));
    }
}
