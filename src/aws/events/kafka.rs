//! Amazon MSK and self-managed Apache Kafka as Lambda sees them (spec 5.5): the event a Kafka event source mapping
//! sends (`records` keyed by `topic-partition`, base64 `key` and `value`, `headers` as byte arrays; DG with-msk.html
//! and kafka-smaa.html "Example event", aws-lambda-go `events/testdata/kafka-event.json`), the `KafkaBatchInfo` of
//! its on-failure record (DG with-msk-on-failure.html, "SNS and SQS example invocation record"), and Kafka's own
//! default partitioner: murmur2 of the key bytes as Kafka's Java client computes it (`Utils.murmur2`, checked against
//! the values of Kafka's `UtilsTest.testMurmur2`), made positive and taken modulo the partition count.

use base64::Engine;
use serde_json::{json, Map, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), as a signed 32-bit value like Java's.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = 0x9747_b28c ^ (len as u32);
    for c in data.chunks_exact(4) {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = &data[len & !3..];
    // Java's switch falls through from case 3 to case 1.
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition of a keyed record: `toPositive(murmur2(key)) % partitions` (Kafka's `BuiltInPartitioner`).
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    ((murmur2(key) as u32) & 0x7fff_ffff) % partitions.max(1)
}

/// One Kafka record as the mapping delivers it, keys in AWS's order: `topic`, `partition`, `offset`, `timestamp`
/// (epoch milliseconds), `timestampType`, `key` (base64; left out for a record without a key), `value` (base64),
/// `headers` (one object per header, its value as the list of its bytes).
pub fn record(
    topic: &str,
    partition: u32,
    offset: u64,
    timestamp_ms: i64,
    key: Option<&str>,
    value: &str,
    headers: &[(String, String)],
) -> Value {
    let mut r = Map::new();
    r.insert("topic".into(), json!(topic));
    r.insert("partition".into(), json!(partition));
    r.insert("offset".into(), json!(offset));
    r.insert("timestamp".into(), json!(timestamp_ms));
    r.insert("timestampType".into(), json!("CREATE_TIME"));
    if let Some(k) = key {
        r.insert("key".into(), json!(B64.encode(k)));
    }
    r.insert("value".into(), json!(B64.encode(value)));
    let hs: Vec<Value> = headers.iter().map(|(k, v)| json!({ k.as_str(): v.as_bytes() })).collect();
    r.insert("headers".into(), Value::Array(hs));
    Value::Object(r)
}

/// The `records` key of a partition: `<topic>-<partition>`.
pub fn records_key(topic: &str, partition: u32) -> String {
    format!("{topic}-{partition}")
}

/// The whole event of a batch: Amazon MSK `{"eventSource": "aws:kafka", "eventSourceArn", "bootstrapServers",
/// "records"}`; self-managed Kafka `{"eventSource": "SelfManagedKafka", "bootstrapServers", "records"}` (no ARN).
pub fn event(cluster_arn: Option<&str>, bootstrap: &str, records: Map<String, Value>) -> Value {
    let mut e = Map::new();
    match cluster_arn {
        Some(arn) => {
            e.insert("eventSource".into(), json!("aws:kafka"));
            e.insert("eventSourceArn".into(), json!(arn));
        }
        None => {
            e.insert("eventSource".into(), json!("SelfManagedKafka"));
        }
    }
    e.insert("bootstrapServers".into(), json!(bootstrap));
    e.insert("records".into(), Value::Object(records));
    Value::Object(e)
}

/// The first and last record of a discarded range of one partition, for the on-failure record.
pub struct RangeInfo<'a> {
    /// `<topic>-<partition>`.
    pub key: String,
    /// First and last offsets.
    pub offsets: (u64, u64),
    /// First and last record timestamps, ISO-8601 with milliseconds.
    pub timestamps: (&'a str, &'a str),
}

/// `KafkaBatchInfo` of an on-failure record: `batchSize`, `eventSourceArn` (MSK), `bootstrapServers`,
/// `payloadSize` (bytes of the event) and `recordsInfo` per `topic-partition` (offsets as strings).
pub fn batch_info(cluster_arn: Option<&str>, bootstrap: &str, batch_size: usize, payload_size: usize, range: &RangeInfo<'_>) -> Value {
    let mut b = Map::new();
    b.insert("batchSize".into(), json!(batch_size));
    if let Some(arn) = cluster_arn {
        b.insert("eventSourceArn".into(), json!(arn));
    }
    b.insert("bootstrapServers".into(), json!(bootstrap));
    b.insert("payloadSize".into(), json!(payload_size));
    let info = json!({
        "firstRecordOffset": range.offsets.0.to_string(),
        "lastRecordOffset": range.offsets.1.to_string(),
        "firstRecordTimestamp": range.timestamps.0,
        "lastRecordTimestamp": range.timestamps.1,
    });
    let mut ri = Map::new();
    ri.insert(range.key.clone(), info);
    b.insert("recordsInfo".into(), Value::Object(ri));
    Value::Object(b)
}
