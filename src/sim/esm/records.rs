//! What a mapping's function receives and what it leaves behind: the records of an SQS batch (spec 5.2) and of a
//! Kinesis or DynamoDB stream batch (spec 5.3) as AWS delivers them, the views filters (spec 5.4) and rules see of
//! them, and the on-failure record of a stream mapping (spec 3.3): the message and record types both pollers share,
//! and pure functions of the model and a record.

pub(super) mod kafka;

use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::aws::destinations;
use crate::aws::events;
use crate::aws::ids::request_id;
use crate::aws::payload::{digits, digits_i64, json_len, json_str_len};
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{FnId, Model, QueueId, StreamKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MsgState {
    Delayed,
    Visible,
    InFlight,
}

/// A message of a live queue.
pub(super) struct Msg {
    /// Ledger id (trace `msg`).
    pub(super) id: u64,
    /// Seed of `messageId` (kept when the message is redriven).
    pub(super) message_id: u64,
    pub(super) queue: QueueId,
    pub(super) body: Arc<str>,
    pub(super) size: u32,
    /// Original enqueue time (retention counts from it).
    pub(super) sent: SimTime,
    /// When this copy entered its queue.
    pub(super) arrived: SimTime,
    pub(super) receives: u32,
    pub(super) first_receive: Option<SimTime>,
    pub(super) group: Option<Arc<str>>,
    pub(super) dedup: Option<Arc<str>>,
    /// `MessageAttributes` (kept when the message is redriven).
    pub(super) attrs: Option<Arc<crate::model::MessageAttributes>>,
    pub(super) seq: u64,
    pub(super) gen: u32,
    pub(super) state: MsgState,
    pub(super) key: u64,
}

/// A stream record as a lane holds it.
#[derive(Clone)]
pub(super) struct Rec {
    pub(super) seq: u64,
    pub(super) arrival: SimTime,
    pub(super) data: Arc<Value>,
    /// Kinesis and Kafka: the data as the producer wrote it, when that is not `events::text(&data)` (conformance
    /// STREAM-DATA-BYTES); `size` counts these bytes.
    pub(super) text: Option<Arc<str>>,
    pub(super) pk: Arc<str>,
    pub(super) size: u32,
    pub(super) key: u64,
    pub(super) event_name: u8,
    /// DynamoDB: the item's previous version (`OldImage`), when the table held one and the view shows old images.
    pub(super) old: Option<Arc<Value>>,
    /// Invocations this record has been part of.
    pub(super) deliveries: u32,
    /// Kafka: the record's key and headers (spec 5.5).
    pub(super) kafka: Option<Arc<kafka::KafkaRec>>,
}

impl Rec {
    /// The record's bytes: the data as the producer wrote it, else `events::text` of its value (a string as it is,
    /// null as nothing, else compact JSON).
    pub(super) fn bytes(&self) -> std::borrow::Cow<'_, str> {
        match &self.text {
            Some(t) => std::borrow::Cow::Borrowed(t),
            None => std::borrow::Cow::Owned(events::text(&self.data)),
        }
    }
}

mod docdb;
mod mq;
pub(super) use docdb::{batch_event as docdb_batch_event, outside as docdb_outside};
pub(super) use mq::mq_payload;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A Kinesis sequence number: 56 digits, increasing within a shard (`49`, then the stream's salt, the shard and
/// the record's number, zero-padded to 14, 20 and 20 digits; written digit by digit, as `format!` is slow at padding).
fn kinesis_seq(stream_salt: u64, shard: u32, seq: u64) -> String {
    let mut b = [b'0'; 56];
    b[..2].copy_from_slice(b"49");
    put_digits(&mut b[2..16], stream_salt % 100_000_000_000_000);
    put_digits(&mut b[16..36], u64::from(shard));
    put_digits(&mut b[36..], seq);
    b.iter().map(|&d| d as char).collect()
}

/// `n` in decimal, right-aligned and zero-padded to the width of `out` (`n` has at most that many digits).
fn put_digits(out: &mut [u8], mut n: u64) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn ddb_seq(shard: u32, seq: u64) -> String {
    format!("{}{:020}", 1 + shard % 9, seq)
}

pub(super) const DDB_EVENT_NAMES: [&str; 3] = ["INSERT", "MODIFY", "REMOVE"];

fn epoch_ms(model: &Model, t: SimTime) -> i64 {
    model.settings.start_epoch_ms + (t.as_micros() / 1000) as i64
}

/// One SQS message as the mapping delivers it (AWS DG with-sqs.html, "Example standard/FIFO queue message event");
/// `sender` is [`sender`] of the model. [`sqs_record_size`] is its serialized size.
pub(super) fn sqs_record(model: &Model, sender: &str, m: &Msg) -> Value {
    let q = model.esm.queue(m.queue);
    let mut attributes = Map::new();
    attributes.insert("ApproximateReceiveCount".into(), json!(m.receives.to_string()));
    attributes.insert("SentTimestamp".into(), json!(epoch_ms(model, m.sent).to_string()));
    if let (Some(g), Some(d)) = (&m.group, &m.dedup) {
        attributes.insert("SequenceNumber".into(), json!(format!("1{:019}", m.seq)));
        attributes.insert("MessageGroupId".into(), json!(g.as_ref()));
        attributes.insert("SenderId".into(), json!(sender));
        attributes.insert("MessageDeduplicationId".into(), json!(d.as_ref()));
    } else {
        attributes.insert("SenderId".into(), json!(sender));
    }
    attributes.insert("ApproximateFirstReceiveTimestamp".into(), json!(epoch_ms(model, m.first_receive.unwrap_or(m.sent)).to_string()));
    // Keys in the order of the recorded event (`test_message_body_and_attributes_passed_correctly`); with message
    // attributes, `md5OfMessageAttributes` comes before `md5OfBody`.
    let mut rec = serde_json::Map::new();
    rec.insert("messageId".into(), json!(events::uuid_fast(m.message_id, 0x5a_05)));
    rec.insert(
        "receiptHandle".into(),
        json!(format!("AQEB{}", events::b64(splitmix(m.id ^ u64::from(m.receives).rotate_left(32)), 0x5a_06, 96))),
    );
    rec.insert("body".into(), json!(m.body.as_ref()));
    rec.insert("attributes".into(), Value::Object(attributes));
    match &m.attrs {
        Some(a) => {
            rec.insert("messageAttributes".into(), a.event_form.clone());
            rec.insert("md5OfMessageAttributes".into(), json!(a.md5));
        }
        None => {
            rec.insert("messageAttributes".into(), json!({}));
        }
    }
    rec.insert("md5OfBody".into(), json!(events::md5_hex(m.body.as_bytes())));
    rec.insert("eventSource".into(), json!("aws:sqs"));
    rec.insert("eventSourceARN".into(), json!(q.arn));
    rec.insert("awsRegion".into(), json!(model.region));
    Value::Object(rec)
}

/// Bytes of [`sqs_record`]`(model, sender, m)` serialized, computed without building it (debug builds check it
/// against the built record on every batch).
pub(super) fn sqs_record_size(model: &Model, sender: &str, m: &Msg) -> usize {
    let q = model.esm.queue(m.queue);
    // `"key":` of each entry, the commas between entries and the braces: counted per object by `Obj`.
    let mut attributes = Obj::default();
    attributes.entry("ApproximateReceiveCount", 2 + digits(u64::from(m.receives)));
    attributes.entry("SentTimestamp", 2 + digits_i64(epoch_ms(model, m.sent)));
    if let (Some(g), Some(d)) = (&m.group, &m.dedup) {
        attributes.entry("SequenceNumber", 3 + digits(m.seq).max(19));
        attributes.entry("MessageGroupId", json_str_len(g));
        attributes.entry("SenderId", json_str_len(sender));
        attributes.entry("MessageDeduplicationId", json_str_len(d));
    } else {
        attributes.entry("SenderId", json_str_len(sender));
    }
    attributes.entry("ApproximateFirstReceiveTimestamp", 2 + digits_i64(epoch_ms(model, m.first_receive.unwrap_or(m.sent))));
    let mut rec = Obj::default();
    // A UUID; `AQEB` and the base64 of 96 bytes; the MD5 in hex.
    rec.entry("messageId", 38);
    rec.entry("receiptHandle", 134);
    rec.entry("body", json_str_len(&m.body));
    rec.entry("attributes", attributes.size());
    match &m.attrs {
        Some(a) => {
            rec.entry("messageAttributes", json_len(&a.event_form));
            rec.entry("md5OfMessageAttributes", json_str_len(&a.md5));
        }
        None => rec.entry("messageAttributes", 2),
    }
    rec.entry("md5OfBody", 34);
    rec.entry("eventSource", json_str_len("aws:sqs"));
    rec.entry("eventSourceARN", json_str_len(&q.arn));
    rec.entry("awsRegion", json_str_len(&model.region));
    rec.size()
}

/// The serialized size of a JSON object whose keys need no escaping, entry by entry.
#[derive(Default)]
pub(super) struct Obj {
    bytes: usize,
    entries: usize,
}

impl Obj {
    /// An entry `"key":<value of value_bytes>`.
    pub(super) fn entry(&mut self, key: &str, value_bytes: usize) {
        self.bytes += key.len() + 3 + value_bytes;
        self.entries += 1;
    }

    /// The object's bytes: its entries, the commas between them, the braces.
    pub(super) fn size(&self) -> usize {
        self.bytes + self.entries.saturating_sub(1) + 2
    }
}

/// Bytes of `{"Records": [<records>]}` serialized, from the records' sizes.
pub(super) fn records_event_size(sizes: impl Iterator<Item = usize>) -> usize {
    let (mut n, mut bytes) = (0usize, 0usize);
    for s in sizes {
        n += 1;
        bytes += s;
    }
    // `{"Records":[` and `]}`, the commas between records.
    14 + bytes + n.saturating_sub(1)
}

/// The `SenderId` of the messages a mapping receives: the account's (computed once per run).
pub(super) fn sender(model: &Model) -> String {
    format!("AIDA{}", events::chars(events::stable(&[&model.account_id]), 0x5a_02, 17, events::UPPER_ALNUM))
}

/// What filters and rules see of an SQS message: the record with its body parsed when it is JSON (spec 5.4).
pub(super) fn sqs_view(model: &Model, sender: &str, m: &Msg) -> Value {
    // Amazon MQ: the broker message with `data` decoded (spec 5.6).
    if let Some(b) = &model.esm.queue(m.queue).broker {
        return mq::mq_message_view(model, b, m);
    }
    let mut r = sqs_record(model, sender, m);
    if let Ok(v) = serde_json::from_str::<Value>(&m.body) {
        if v.is_object() || v.is_array() {
            r["body"] = v;
        }
    }
    r
}

pub(super) fn seq_text(st: &crate::model::Stream, shard: u32, seq: u64) -> String {
    if st.is_kafka() {
        kafka::item_id(st, shard, seq)
    } else if st.is_dynamodb() {
        ddb_seq(shard, seq)
    } else {
        kinesis_seq(st.seq_salt, shard, seq)
    }
}

/// One stream record as the mapping delivers it (DG with-kinesis.html, with-ddb.html example events).
pub(super) fn stream_record(model: &Model, st: &crate::model::Stream, shard: u32, r: &Rec) -> Value {
    let seq = seq_text(st, shard, r.seq);
    let ms = epoch_ms(model, r.arrival);
    match &st.kind {
        StreamKind::Kinesis => json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": r.pk.as_ref(),
                "sequenceNumber": seq,
                "data": B64.encode(r.bytes().as_bytes()),
                "approximateArrivalTimestamp": events::epoch_secs_f(ms),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("{}:{}", st.shard_id(shard), seq),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": kinesis_role(model),
            "awsRegion": model.region,
            "eventSourceARN": st.arn,
        }),
        StreamKind::Kafka { .. } => kafka::record(model, st, shard, r),
        // DocumentDB: `{"event": <change event>}` (spec 5.7; the mapping's FullDocument applies in the batch event).
        StreamKind::DocumentDb { .. } => serde_json::json!({ "event": docdb::change(model, r, false) }),
        StreamKind::DynamoDb { view, keys, .. } => {
            let event_name = DDB_EVENT_NAMES[r.event_name as usize % 3];
            let item = match r.data.as_ref() {
                Value::Object(m) => m.clone(),
                other => [("value".to_string(), other.clone())].into_iter().collect(),
            };
            let key_map: Map<String, Value> =
                keys.iter().map(|k| (k.clone(), events::attribute_value(item.get(k).unwrap_or(&Value::Null)))).collect();
            let mut d = Map::new();
            d.insert("ApproximateCreationDateTime".into(), json!(ms.max(0) / 1000));
            d.insert("Keys".into(), Value::Object(key_map));
            let with_new = event_name != "REMOVE" && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
            let with_old = event_name != "INSERT" && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
            if with_new {
                d.insert("NewImage".into(), events::item(&item));
            }
            if with_old {
                // The key's previous item; a key no earlier record wrote shows the written item.
                let old = match r.old.as_deref() {
                    Some(Value::Object(m)) => m.clone(),
                    _ => item.clone(),
                };
                d.insert("OldImage".into(), events::item(&old));
            }
            d.insert("SequenceNumber".into(), json!(seq));
            d.insert("SizeBytes".into(), json!(r.size));
            d.insert("StreamViewType".into(), json!(view));
            json!({
                "eventID": events::chars(splitmix(r.key ^ r.seq), 0xdd_02, 32, events::LOWER_HEX),
                "eventName": event_name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": model.region,
                "dynamodb": Value::Object(d),
                "eventSourceARN": st.arn,
            })
        }
    }
}

/// Bytes of [`stream_record`] of a Kinesis record serialized, computed without building it (debug builds check it
/// against the built record on every batch); `shard_id` is the length of `st.shard_id(shard)`, `role_arn` of
/// [`kinesis_role`]. `None` for other kinds of stream.
pub(super) fn kinesis_record_size(model: &Model, st: &crate::model::Stream, shard_id: usize, role_arn: usize, r: &Rec) -> Option<usize> {
    if st.kind != StreamKind::Kinesis {
        return None;
    }
    // The data as text (`Rec::bytes`: as written, or a string as it is, null as nothing, else compact JSON: all
    // counted by `r.size`), base64.
    let text = match r.data.as_ref() {
        _ if r.text.is_some() => r.size as usize,
        Value::String(s) => s.len(),
        Value::Null => 0,
        _ => r.size as usize,
    };
    let data = 2 + text.div_ceil(3) * 4;
    // `kinesis_seq`: 56 digits.
    let seq = 2 + 56;
    let mut k = Obj::default();
    k.entry("kinesisSchemaVersion", 5);
    k.entry("partitionKey", json_str_len(&r.pk));
    k.entry("sequenceNumber", seq);
    k.entry("data", data);
    k.entry("approximateArrivalTimestamp", json_len(&(epoch_ms(model, r.arrival) as f64 / 1000.0)));
    let mut rec = Obj::default();
    rec.entry("kinesis", k.size());
    rec.entry("eventSource", json_str_len("aws:kinesis"));
    rec.entry("eventVersion", 5);
    rec.entry("eventID", shard_id + 1 + seq);
    rec.entry("eventName", json_str_len("aws:kinesis:record"));
    rec.entry("invokeIdentityArn", 2 + role_arn);
    rec.entry("awsRegion", json_str_len(&model.region));
    rec.entry("eventSourceARN", json_str_len(&st.arn));
    Some(rec.size())
}

/// The `invokeIdentityArn` of Kinesis records.
pub(super) fn kinesis_role(model: &Model) -> String {
    format!("arn:aws:iam::{}:role/lambda-role", model.account_id)
}

/// The event of a stream batch `recs` for mapping `m`: the records (Kafka, DocumentDB: their service's event), with
/// the tumbling window's fields (`tumble`: the open window's index and state; `final_batch`).
pub(super) fn stream_event(
    model: &Model,
    m: &crate::model::Mapping,
    st: &crate::model::Stream,
    shard: u32,
    recs: &[Rec],
    (tumble, final_batch): (Option<&(u64, Value)>, bool),
) -> Value {
    let mut event = if st.is_kafka() {
        kafka::event(model, st, shard, recs)
    } else if st.is_docdb() {
        docdb_batch_event(model, m, st, recs)
    } else {
        json!({ "Records": recs.iter().map(|r| stream_record(model, st, shard, r)).collect::<Vec<_>>() })
    };
    if let (Some(w), Some((k, state))) = (m.tumbling, tumble) {
        // The tumbling-window event fields (DG with-kinesis.html, "Tumbling windows").
        let w = w.as_micros();
        event["window"] = json!({
            "start": destinations::iso_at(model.settings.start_epoch_ms, SimTime::from_micros(k * w)),
            "end": destinations::iso_at(model.settings.start_epoch_ms, SimTime::from_micros((k + 1) * w)),
        });
        event["state"] = state.clone();
        event["shardId"] = json!(st.shard_id(shard));
        event["eventSourceARN"] = json!(st.arn);
        event["isFinalInvokeForWindow"] = json!(final_batch);
        event["isWindowTerminatedEarly"] = json!(false);
    }
    event
}

/// What filters and rules see of a stream record: Kinesis `{"data": <decoded JSON or text>, "partitionKey", ...}`
/// (filters use the `data` key, spec 5.4); DynamoDB the record as delivered.
pub(super) fn stream_view(model: &Model, m: &crate::model::Mapping, st: &crate::model::Stream, shard: u32, r: &Rec) -> Value {
    match st.kind {
        StreamKind::Kinesis => {
            // (the data cloned as a value, not through `json!`'s serializer)
            let mut v = Map::with_capacity(4);
            v.insert("data".into(), r.data.as_ref().clone());
            v.insert("partitionKey".into(), Value::String(r.pk.to_string()));
            v.insert("sequenceNumber".into(), Value::String(seq_text(st, shard, r.seq)));
            v.insert("approximateArrivalTimestamp".into(), events::epoch_secs_f(epoch_ms(model, r.arrival)));
            Value::Object(v)
        }
        StreamKind::DynamoDb { .. } => stream_record(model, st, shard, r),
        StreamKind::Kafka { .. } => kafka::view(model, st, shard, r),
        // DocumentDB: the change as the mapping delivers it, with its FullDocument setting (spec 5.7).
        StreamKind::DocumentDb { .. } => {
            json!({ "event": docdb::change(model, r, m.docdb.as_ref().is_some_and(|d| d.update_lookup)) })
        }
    }
}

/// The on-failure record of a stream mapping (spec 3.3): `KinesisBatchInfo` or `DDBStreamBatchInfo`, the
/// unqualified function ARN, the condition, the batch size of the failed range.
#[allow(clippy::too_many_arguments)]
pub(super) fn stream_failure_record(
    model: &Model,
    seed: u64,
    st: &crate::model::Stream,
    shard: u32,
    recs: &[Rec],
    condition: &str,
    invoke_count: u32,
    unhandled: Option<bool>,
    (function, qualifier, config): (FnId, crate::model::versions::Qualifier, u32),
    event: u64,
    now: SimTime,
) -> Value {
    let first = &recs[0];
    let last = &recs[recs.len() - 1];
    // Kinesis keeps milliseconds, DynamoDB gives whole seconds (`2022-07-13T13:48:01Z`; recorded on AWS,
    // conformance DDB-ONF).
    let format = if st.is_dynamodb() { "%Y-%m-%dT%H:%M:%SZ" } else { "%Y-%m-%dT%H:%M:%S%.3fZ" };
    let iso_s = |t: SimTime| {
        let ms = epoch_ms(model, t);
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map(|d| d.format(format).to_string()).unwrap_or_default()
    };
    let info = if st.is_kafka() {
        kafka::batch_info(model, st, shard, recs, &iso_s)
    } else {
        json!({
        "shardId": st.shard_id(shard),
        "startSequenceNumber": seq_text(st, shard, first.seq),
        "endSequenceNumber": seq_text(st, shard, last.seq),
        "approximateArrivalOfFirstRecord": iso_s(first.arrival),
        "approximateArrivalOfLastRecord": iso_s(last.arrival),
        "batchSize": recs.len(),
        "streamArn": st.arn,
        })
    };
    let fd = model.function(function);
    // `responseContext` is there for records given up after retries, with `functionError` `"Unhandled"` for an
    // exception and `null` when the function returned normally but the batch failed; a `RecordAgeExceeded` record
    // has no `responseContext` key (recorded on AWS, conformance KIN-PBR, KIN-AGE).
    let response = unhandled.map(|u| {
        json!({"statusCode": 200, "executedVersion": fd.config(config).label(), "functionError": if u { json!("Unhandled") } else { Value::Null }})
    });
    // A mapping of a version or alias names it in the ARN (spec 3.3 `functionArn`).
    let arn = if qualifier == crate::model::versions::Qualifier::Latest { fd.arn.clone() } else { fd.qualified_arn(qualifier) };
    // Keys in AWS's order: requestContext, responseContext, version, timestamp, the batch info.
    let mut out = serde_json::Map::new();
    out.insert(
        "requestContext".into(),
        json!({
            "requestId": request_id(seed, event),
            "functionArn": arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        }),
    );
    if let Some(r) = response {
        out.insert("responseContext".into(), r);
    }
    out.insert("version".into(), json!("1.0"));
    out.insert("timestamp".into(), json!(destinations::iso_at(model.settings.start_epoch_ms, now)));
    let mut out = Value::Object(out);
    let key = if st.is_kafka() {
        "KafkaBatchInfo"
    } else if st.is_dynamodb() {
        "DDBStreamBatchInfo"
    } else {
        "KinesisBatchInfo"
    };
    out[key] = info;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinesis_sequence_numbers_are_the_padded_decimals() {
        let mut x = 0x5eed_u64;
        for i in 0..2000u64 {
            x = splitmix(x ^ i);
            let (salt, shard, seq) = (x, (x >> 7) as u32 % (1 + i as u32 * 37), if i % 3 == 0 { x } else { x % 1_000_000 });
            let expected = format!("49{:014}{:020}{:020}", salt % 100_000_000_000_000, shard, seq);
            assert_eq!(kinesis_seq(salt, shard, seq), expected);
        }
        assert_eq!(kinesis_seq(u64::MAX, u32::MAX, u64::MAX).len(), 56);
    }
}
