//! The events of the streaming and log services: one Kinesis Data Streams record and one DynamoDB Streams record as
//! the event source mapping delivers them (the poller of spec section 5 builds the real batches; it borrows
//! [`attribute_value`] and [`item`]), a CloudWatch Logs subscription filter delivery, and an Amazon Data Firehose
//! transformation batch with the reading of its response ([`firehose_result`]) (spec section 7).
//!
//! Shapes from <https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html>,
//! <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-kinesisfirehose.html> and
//! <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html> (each builder cites its pages).

use std::io::Write as _;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{short, text, EventCtx, FirehoseCounts, Opts};
use crate::aws::ids::{chars, epoch_secs_f, seq56, stable, utc, uuid, word, LOWER_HEX};

// One Kinesis Data Streams record as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html ("Example Kinesis record event"): data is base64,
// approximateArrivalTimestamp is epoch seconds with milliseconds, eventID is "<shardId>:<sequenceNumber>".
pub(super) fn kinesis(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let arn = o
        .str("StreamArn")
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:kinesis:{}:{}:stream/{}", ctx.region, ctx.account_id, o.string("StreamName", "stream")));
    let shard = o.string("ShardId", "shardId-000000000000");
    let seq = seq56(stable(&[&arn, &shard]), ctx.epoch_ms, ctx.key);
    json!({"Records": [{
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": o.string("PartitionKey", ctx.n.to_string()),
            "sequenceNumber": seq,
            "data": B64.encode(text(ctx.payload)),
            "approximateArrivalTimestamp": epoch_secs_f(ctx.epoch_ms),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": format!("{shard}:{seq}"),
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": o.string("RoleArn", format!("arn:aws:iam::{}:role/lambda-role", ctx.account_id)),
        "awsRegion": ctx.region,
        "eventSourceARN": arn,
    }]})
}

// One DynamoDB Streams record as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (example event) and
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html (Keys/NewImage/OldImage
// are AttributeValue maps, ApproximateCreationDateTime is epoch seconds, SequenceNumber 21 to 40 digits).
pub(super) const DDB_EVENTS: &[&str] = &["INSERT", "MODIFY", "REMOVE"];
pub(super) const DDB_VIEWS: &[&str] = &["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/// Plain JSON to a DynamoDB AttributeValue: strings `S`, numbers `N` (as text), booleans `BOOL`, null `NULL`, arrays
/// `L`, objects `M`.
pub(crate) fn attribute_value(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({"S": s}),
        Value::Number(x) => json!({"N": x.to_string()}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Null => json!({"NULL": true}),
        Value::Array(a) => json!({"L": a.iter().map(attribute_value).collect::<Vec<_>>()}),
        Value::Object(m) => json!({"M": item(m)}),
    }
}

pub(crate) fn item(m: &Map<String, Value>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), attribute_value(v))).collect())
}

pub(super) fn dynamodb(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let table = o.string("TableName", "table");
    let event_name = o.string("EventName", "INSERT");
    let view = o.string("StreamViewType", "NEW_AND_OLD_IMAGES");
    let label = o.string("StreamLabel", "2024-01-01T00:00:00.000");
    let key_attrs = o.list("KeyAttributes").unwrap_or_else(|| vec!["id".to_string()]);
    let new_image = match ctx.payload {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => [("value".to_string(), other.clone())].into_iter().collect(),
    };
    let old_image = o.obj("OldImage").cloned().unwrap_or_else(|| new_image.clone());
    let source = if event_name == "REMOVE" { &old_image } else { &new_image };
    let keys: Map<String, Value> = key_attrs.iter().map(|k| (k.clone(), attribute_value(source.get(k).unwrap_or(&json!(ctx.n))))).collect();
    let with_new = event_name != "REMOVE" && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
    let with_old = event_name != "INSERT" && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
    let mut record = Map::new();
    record.insert("ApproximateCreationDateTime".into(), json!(ctx.epoch_ms.max(0) / 1000));
    record.insert("Keys".into(), Value::Object(keys.clone()));
    if with_new {
        record.insert("NewImage".into(), item(&new_image));
    }
    if with_old {
        record.insert("OldImage".into(), item(&old_image));
    }
    // SizeBytes approximates the item size by the serialized size of the keys and images carried.
    let size = record.iter().filter(|(k, _)| *k != "ApproximateCreationDateTime").map(|(_, v)| v.to_string().len()).sum::<usize>();
    record.insert("SequenceNumber".into(), json!(format!("1{:015}{:06}", ctx.epoch_ms.max(0), word(ctx.key, 0xdd_01) % 1_000_000)));
    record.insert("SizeBytes".into(), json!(size));
    record.insert("StreamViewType".into(), json!(view));
    json!({"Records": [{
        "eventID": chars(ctx.key, 0xdd_02, 32, LOWER_HEX),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": ctx.region,
        "dynamodb": record,
        "eventSourceARN": format!("arn:aws:dynamodb:{}:{}:table/{table}/stream/{label}", ctx.region, ctx.account_id),
    }]})
}

// Amazon CloudWatch Logs subscription filter delivery.
// https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html: {"awslogs": {"data": base64(gzip(JSON))}},
// the JSON holding messageType DATA_MESSAGE, owner, logGroup, logStream, subscriptionFilters and logEvents [{id,
// timestamp, message}]. The gzip header has no time stamp and a fixed OS byte, and the level is fixed, so the bytes are
// the same for the same document.
fn log_events(ctx: &EventCtx<'_>, o: &Opts) -> Vec<Value> {
    let items: Vec<Value> = match o.get("LogEvents") {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => match ctx.payload {
            Value::Array(a) => a.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        },
    };
    let group_seed = stable(&[ctx.account_id, ctx.region]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (message, ts) = match item {
                Value::Object(m) if m.contains_key("message") => {
                    (m.get("message").map(text).unwrap_or_default(), m.get("timestamp").and_then(Value::as_i64).unwrap_or(ctx.epoch_ms))
                }
                other => (text(other), ctx.epoch_ms),
            };
            let id = format!(
                "3{:019}{:017}{:019}",
                word(group_seed, 0xc1_01) % 10_000_000_000_000_000_000,
                ts.max(0),
                word(ctx.key, 0xc1_02 + i as u64) % 10_000_000_000_000_000_000
            );
            json!({"id": id, "timestamp": ts, "message": message})
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().mtime(0).operating_system(255).write(Vec::new(), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    enc.write_all(data).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

pub(super) fn cloudwatch_logs(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let group = o.string("LogGroup", "/aws/lambda/app");
    let stream = o.string(
        "LogStream",
        format!("{}/[$LATEST]{}", utc(ctx.epoch_ms).format("%Y/%m/%d"), chars(stable(&[&group]), 0xc1_03, 32, LOWER_HEX)),
    );
    let filters = o.list("SubscriptionFilters").unwrap_or_else(|| vec!["lambdasim-filter".to_string()]);
    let doc = json!({
        "messageType": "DATA_MESSAGE",
        "owner": ctx.account_id,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": filters,
        "logEvents": log_events(ctx, o),
    });
    json!({"awslogs": {"data": B64.encode(gzip(doc.to_string().as_bytes()))}})
}

// Amazon Data Firehose data transformation.
// https://docs.aws.amazon.com/lambda/latest/dg/services-kinesisfirehose.html (invocationId, deliveryStreamArn, region,
// records [{recordId, approximateArrivalTimestamp (epoch ms), data (base64)}], plus sourceKinesisStreamArn and
// kinesisRecordMetadata when the source is a Kinesis stream) and
// https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html for the response.
pub(super) fn firehose(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let stream = o.str("DeliveryStreamArn").map(str::to_string).unwrap_or_else(|| {
        format!("arn:aws:firehose:{}:{}:deliverystream/{}", ctx.region, ctx.account_id, o.string("DeliveryStreamName", "stream"))
    });
    let items: Vec<Value> = match o.get("Records") {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => match ctx.payload {
            Value::Array(a) => a.clone(),
            Value::Null => vec![],
            other => vec![other.clone()],
        },
    };
    let source = o.str("SourceKinesisStreamArn").map(str::to_string);
    let base = seq56(stable(&[&stream]), ctx.epoch_ms, ctx.key);
    let records: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut r = Map::new();
            r.insert("recordId".into(), json!(format!("{base}{i:06}")));
            r.insert("approximateArrivalTimestamp".into(), json!(ctx.epoch_ms));
            r.insert("data".into(), json!(B64.encode(text(item))));
            if let Some(src) = &source {
                r.insert(
                    "kinesisRecordMetadata".into(),
                    json!({
                        "shardId": "shardId-000000000000",
                        "partitionKey": uuid(ctx.key, 0xf1_00 + i as u64),
                        "approximateArrivalTimestamp": ctx.epoch_ms,
                        "sequenceNumber": seq56(stable(&[src]), ctx.epoch_ms, ctx.key.wrapping_add(i as u64)),
                        "subsequenceNumber": 0,
                    }),
                );
            }
            Value::Object(r)
        })
        .collect();
    let mut e = Map::new();
    e.insert("invocationId".into(), json!(uuid(ctx.key, 0xf1_01)));
    e.insert("deliveryStreamArn".into(), json!(stream));
    if let Some(src) = source {
        e.insert("sourceKinesisStreamArn".into(), json!(src));
    }
    e.insert("region".into(), json!(ctx.region));
    e.insert("records".into(), json!(records));
    Value::Object(e)
}

/// For Firehose transformation: interpret a function response: per record Ok / Dropped / ProcessingFailed counts, or an error message when the response is malformed.
///
/// Firehose requires one response record per input record, each with the input's `recordId`, a `result` of `Ok`,
/// `Dropped` or `ProcessingFailed`, and base64 `data` (checked for `Ok` records, the ones Firehose delivers). A
/// response that breaks these rules is a transformation failure of the whole invocation: the caller counts every record
/// as ProcessingFailed.
pub fn firehose_result(response: &serde_json::Value, record_ids: &[String]) -> Result<FirehoseCounts, String> {
    let records = response
        .get("records")
        .ok_or_else(|| format!("the response has no \"records\" field (got {})", short(response)))?
        .as_array()
        .ok_or_else(|| "\"records\" is not an array".to_string())?;
    let mut seen = vec![false; record_ids.len()];
    let mut counts = FirehoseCounts::default();
    for (i, r) in records.iter().enumerate() {
        let id = r
            .get("recordId")
            .ok_or_else(|| format!("records[{i}] has no recordId"))?
            .as_str()
            .ok_or_else(|| format!("records[{i}].recordId is not a string"))?;
        let pos =
            record_ids.iter().position(|x| x == id).ok_or_else(|| format!("records[{i}].recordId \"{id}\" matches no input record"))?;
        if std::mem::replace(&mut seen[pos], true) {
            return Err(format!("records[{i}].recordId \"{id}\" appears twice"));
        }
        let result = r.get("result").ok_or_else(|| format!("records[{i}] has no result"))?;
        match result.as_str() {
            Some("Ok") => {
                let data = r.get("data").and_then(Value::as_str).ok_or_else(|| format!("records[{i}] is Ok but has no string \"data\""))?;
                B64.decode(data).map_err(|e| format!("records[{i}].data is not base64: {e}"))?;
                counts.ok += 1;
            }
            Some("Dropped") => counts.dropped += 1,
            Some("ProcessingFailed") => counts.processing_failed += 1,
            _ => return Err(format!("records[{i}].result is {}; allowed: \"Ok\", \"Dropped\", \"ProcessingFailed\"", short(result))),
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(format!(
            "the response has no record for recordId \"{}\" ({} of {} input records answered)",
            record_ids[missing],
            records.len(),
            record_ids.len()
        ));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_bytes_are_deterministic_and_round_trip() {
        use std::io::Read as _;
        let a = gzip(b"{\"x\":1}");
        assert_eq!(a, gzip(b"{\"x\":1}"));
        assert_eq!(&a[4..8], &[0, 0, 0, 0]);
        assert_eq!(a[9], 255);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&a[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"x\":1}");
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attribute_value(&json!({"s": "x", "n": 1.5, "b": true, "z": null, "l": [1]})),
            json!({"M": {"s": {"S": "x"}, "n": {"N": "1.5"}, "b": {"BOOL": true}, "z": {"NULL": true}, "l": {"L": [{"N": "1"}]}}})
        );
    }
}
