//! What the function receives from a Kafka mapping, built from the records a lane holds (spec 5.5): the event
//! (`records` keyed by `topic-partition`, DG with-msk.html / with-kafka.html), what filters and rules see of a record,
//! the item identifier of partial batch responses (`{"partition": "<topic>-<n>", "offset": <n>}`) and the on-failure
//! record's `KafkaBatchInfo` (DG with-msk-on-failure.html). Pure functions of the model and a record.

use serde_json::{json, Map, Value};

use super::Rec;
use crate::aws::events::kafka as wire;
use crate::kernel::time::SimTime;
use crate::model::{Model, Stream, StreamKind};

/// What a Kafka record has beyond a stream record: its key (`None`: no key) and headers.
#[derive(Debug)]
pub(in crate::sim::esm) struct KafkaRec {
    pub(in crate::sim::esm) key: Option<String>,
    pub(in crate::sim::esm) headers: Vec<(String, String)>,
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
pub(in crate::sim::esm) fn parse_item_id(v: &Value) -> Option<String> {
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
    wire::record(parts(st).0, shard, r.seq, epoch_ms(model, r.arrival), key, &r.bytes(), headers)
}

/// The event of a batch of one partition.
pub(in crate::sim::esm) fn event(model: &Model, st: &Stream, shard: u32, recs: &[Rec]) -> Value {
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
