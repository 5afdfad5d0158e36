//! Kafka topics at run time (spec 5.5): a producer's record goes to its partition (murmur2 of the key, as Kafka's
//! producer; keyless records `Sticky` or `RoundRobin`, `Simulation.KafkaKeylessPartitioner`), then the stream poller
//! reads each partition as one lane in offset order ([`super::streams`]): the batching window (500 ms by default),
//! `BatchSize`, a failed batch blocking its partition and retried until it succeeds, expires or uses up the retries,
//! bisection, partial batch responses, and the on-failure record with `KafkaBatchInfo`, sent to a queue, topic or
//! bucket, or produced to a Kafka topic of the same cluster (`kafka://<topic>`). What the function receives is built
//! in `records/kafka.rs`.

use std::sync::Arc;

use serde_json::Value;

use super::records::kafka::KafkaRec;
use super::records::Rec;
use crate::aws::events;
use crate::aws::events::kafka as wire;
use crate::aws::payload::Payload;
use crate::kernel::rng::splitmix;
use crate::model::StreamId;
use crate::sim::Sim;
use crate::trace::Observer;

/// Bytes of keyless records after which the sticky partitioner moves on: Kafka's producer `batch.size` default
/// (16384), the size at which its batch for the partition is full (KIP-480).
const STICKY_BATCH_BYTES: usize = 16_384;

/// The keyless partitioner's state of one topic: the current partition and the bytes put on it since it was chosen.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Keyless {
    partition: u32,
    bytes: usize,
    switches: u64,
    started: bool,
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A producer's record onto its topic: the partition of its key, or of the keyless partitioner; then it is put
    /// as a stream record.
    pub(super) fn kafka_put(&mut self, s: StreamId, data: Payload, key: Option<String>, headers: Vec<(String, String)>, rkey: u64) {
        let model = self.model;
        let st = model.esm.stream(s);
        let partitions = st.shards.max(1);
        let partition = match &key {
            Some(k) => wire::partition_for_key(k.as_bytes(), partitions),
            None => {
                let size = data.text.as_ref().map_or_else(|| events::text(&data.value).len(), |t| t.len());
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

    /// A discarded range of a Kafka partition produced to the mapping's on-failure topic (DG
    /// kafka-on-failure-destination.html: "Lambda acts as a Kafka producer and writes failed records to the
    /// destination topic"; "Kafka destinations receive the actual failed records along with failure metadata").
    /// `Simulation.KafkaDestinationRecord` chooses the layout: `InvocationRecord` (default), one record whose value
    /// is the on-failure record with the event as `payload`, as an S3 destination gets it (with-msk-on-failure.html);
    /// `Records`, each failed record again with its key, value and headers, the failure in `lambdasim-*` headers.
    /// What is produced is a record of the topic like a producer's: read by the topic's mappings, or kept until
    /// retention, each with its own fate.
    pub(super) fn kafka_dead_letter(&mut self, to: StreamId, (s, shard): (StreamId, u32), recs: &[Rec], record: Value, event: u64) {
        let model = self.model;
        let st = model.esm.stream(s);
        if !model.esm.kafka_destination_records {
            let mut value = record;
            value["payload"] = Value::String(super::records::kafka::event(model, st, shard, recs).to_string());
            self.kafka_put(to, Payload::from(Arc::new(value)), None, vec![], splitmix(event ^ 0x6b_df10));
            return;
        }
        let rc = &record["requestContext"];
        let topic = match &st.kind {
            crate::model::StreamKind::Kafka { topic, .. } => topic.as_str(),
            _ => "",
        };
        for r in recs {
            let k = r.kafka.as_deref();
            let mut headers: Vec<(String, String)> = k.map(|k| k.headers.clone()).unwrap_or_default();
            headers.extend([
                ("lambdasim-condition".to_string(), rc["condition"].as_str().unwrap_or_default().to_string()),
                ("lambdasim-function-arn".to_string(), rc["functionArn"].as_str().unwrap_or_default().to_string()),
                ("lambdasim-approximate-invoke-count".to_string(), rc["approximateInvokeCount"].to_string()),
                ("lambdasim-source-topic".to_string(), topic.to_string()),
                ("lambdasim-source-partition".to_string(), shard.to_string()),
                ("lambdasim-source-offset".to_string(), r.seq.to_string()),
            ]);
            let key = k.and_then(|k| k.key.clone());
            let data = Payload { value: Arc::clone(&r.data), text: r.text.clone() };
            self.kafka_put(to, data, key, headers, splitmix(event ^ 0x6b_df11 ^ splitmix(r.seq)));
        }
    }
}
