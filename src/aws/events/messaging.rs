//! The events of the messaging services, exactly as each hands them to Lambda: Amazon S3 event notifications, Amazon
//! SNS notifications to a Lambda subscription, Amazon SES receipt-rule Lambda actions and one Amazon SQS message as the
//! event source mapping delivers it (spec section 7; the poller of spec section 5 builds the real SQS batches).
//!
//! Shapes from <https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html>,
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html>,
//! <https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html>,
//! <https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html> and
//! <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html> (each builder
//! cites its pages).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{fn_arn, scalar_text, text, EventCtx, Opts};
use crate::aws::ids::{
    b64, chars, doc_ip, iso_ms, mail_date, md5_hex, stable, uuid, word, ALNUM, LOWER_ALNUM, LOWER_HEX, UPPER_ALNUM, UPPER_HEX,
};

// Amazon S3 event notification.
// https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html ("Example Amazon S3 notification event") and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html (versions 2.1/2.2/2.3; the
// object key is URL-encoded; delete events carry no size or eTag).
pub(super) const S3_EVENTS: &[&str] = &[
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
    "ObjectRestore:Post",
    "ObjectRestore:Completed",
    "ObjectRestore:Delete",
    "ReducedRedundancyLostObject",
    "Replication:OperationFailedReplication",
    "Replication:OperationMissedThreshold",
    "Replication:OperationReplicatedAfterThreshold",
    "Replication:OperationNotTracked",
    "LifecycleExpiration:Delete",
    "LifecycleExpiration:DeleteMarkerCreated",
    "LifecycleTransition",
    "IntelligentTiering",
    "ObjectTagging:Put",
    "ObjectTagging:Delete",
    "ObjectAcl:Put",
];

/// S3 URL-encodes the key in notifications (form encoding: a space becomes `+`); `/` is kept.
fn s3_key_encode(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    for b in k.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'/' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(super) fn s3(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let bucket = o.string("Bucket", "bucket");
    let key = o
        .str("Key")
        .map(str::to_string)
        .or_else(|| ctx.payload.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("object-{}", ctx.n));
    let event_name = o.string("EventName", "ObjectCreated:Put");
    let event_name = event_name.strip_prefix("s3:").unwrap_or(&event_name).to_string();
    let version = o.string(
        "EventVersion",
        if event_name.starts_with("Replication:") {
            "2.2"
        } else if ["Lifecycle", "IntelligentTiering", "ObjectTagging:", "ObjectAcl:", "ObjectRestore:Delete"]
            .iter()
            .any(|p| event_name.starts_with(p))
        {
            "2.3"
        } else {
            "2.1"
        },
    );
    let removed = event_name.starts_with("ObjectRemoved:") || event_name.starts_with("LifecycleExpiration:");
    let account = stable(&[ctx.account_id]);
    let mut object = Map::new();
    object.insert("key".into(), json!(s3_key_encode(&key)));
    if !removed {
        object.insert("size".into(), json!(o.u64("Size").unwrap_or(1024)));
        object.insert("eTag".into(), json!(chars(ctx.key, 0x53_01, 32, LOWER_HEX)));
    }
    if let Some(v) = o.str("VersionId") {
        object.insert("versionId".into(), json!(v));
    } else if event_name.ends_with("DeleteMarkerCreated") {
        object.insert("versionId".into(), json!(chars(ctx.key, 0x53_02, 32, ALNUM)));
    }
    // The sequencer grows with time for one key (S3 documents only that it orders events of one object).
    object.insert("sequencer".into(), json!(format!("{:016X}{:02X}", ctx.epoch_ms.max(0), word(ctx.key, 0x53_03) & 0xff)));
    json!({"Records": [{
        "eventVersion": version,
        "eventSource": "aws:s3",
        "awsRegion": ctx.region,
        "eventTime": iso_ms(ctx.epoch_ms),
        "eventName": event_name,
        "userIdentity": {"principalId": format!("AWS:AIDA{}", chars(account, 0x53_04, 17, UPPER_ALNUM))},
        "requestParameters": {"sourceIPAddress": doc_ip(ctx.key, 0x53_05)},
        "responseElements": {
            "x-amz-request-id": chars(ctx.key, 0x53_06, 16, UPPER_HEX),
            "x-amz-id-2": b64(ctx.key, 0x53_07, 56),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": o.string("ConfigurationId", "lambdasim"),
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": chars(account, 0x53_08, 14, UPPER_ALNUM)},
                "arn": format!("arn:aws:s3:::{bucket}"),
            },
            "object": object,
        },
    }]})
}

// Amazon SNS notification delivered to a Lambda subscription.
// https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html ("Example Amazon SNS message event"); field order as in
// events captured from SNS (Type, MessageId, TopicArn, Subject, Message, Timestamp, ...).
pub(super) const SNS_ATTR_TYPES: &[&str] = &["String", "String.Array", "Number", "Binary"];

fn sns_attributes(m: Option<&Map<String, Value>>) -> Value {
    let mut out = Map::new();
    for (name, v) in m.into_iter().flatten() {
        let (ty, value) = match v {
            Value::Object(a) => {
                (a.get("Type").and_then(Value::as_str).unwrap_or("String").to_string(), a.get("Value").map(scalar_text).unwrap_or_default())
            }
            Value::Number(_) => ("Number".to_string(), scalar_text(v)),
            Value::Array(_) => ("String.Array".to_string(), v.to_string()),
            _ => ("String".to_string(), scalar_text(v)),
        };
        out.insert(name.clone(), json!({"Type": ty, "Value": value}));
    }
    Value::Object(out)
}

pub(super) fn sns(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let topic = o.string("TopicArn", format!("arn:aws:sns:{}:{}:topic", ctx.region, ctx.account_id));
    let sub_arn = format!("{topic}:{}", uuid(stable(&[&topic]), 0x5e_01));
    let subject = o.str("Subject").map(Value::from).unwrap_or(Value::Null);
    json!({"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": sub_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": super::uuid_fast(ctx.key, 0x5e_02),
            "TopicArn": topic,
            "Subject": subject,
            "Message": text(ctx.payload),
            "Timestamp": super::iso(ctx.epoch_ms, true),
            "SignatureVersion": "1",
            "Signature": b64(ctx.key, 0x5e_03, 256),
            "SigningCertUrl": format!(
                "https://sns.{}.amazonaws.com/SimpleNotificationService-{}.pem",
                ctx.region,
                chars(stable(&[ctx.region]), 0x5e_04, 32, LOWER_HEX)
            ),
            "UnsubscribeUrl": format!("https://sns.{}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub_arn}", ctx.region),
            "MessageAttributes": sns_attributes(o.obj("MessageAttributes")),
        },
    }]})
}

/// Bytes of the Lambda event `build_event(SourceKind::Sns, ..)` builds for a message published to `topic` with
/// `subject`, `message` and no message attributes, serialized, computed without building it (`None` when an option
/// holds a `{{n}}` placeholder: build the event). The fan-out uses it when nothing reads the event, and checks it against the built event in debug
/// builds.
pub fn sns_event_size(ctx: &EventCtx<'_>, topic: &str, subject: Option<&str>, message: &str) -> Option<usize> {
    use crate::aws::payload::{json_len, json_str_len};
    if topic.contains("{{n}}") || subject.is_some_and(|s| s.contains("{{n}}")) {
        return None;
    }
    // `<topic>:<uuid>`; the URLs around the region; `iso_ms` is 24 characters for years 0 to 9999.
    let sub_arn = json_str_len(topic) + 37;
    let region = json_str_len(ctx.region) - 2;
    let cert = "https://sns..amazonaws.com/SimpleNotificationService-.pem".len() + region + 32 + 2;
    let unsubscribe = "https://sns..amazonaws.com/?Action=Unsubscribe&SubscriptionArn=".len() + region + sub_arn;
    let timestamp = if (0..253_402_300_800_000).contains(&ctx.epoch_ms) { 26 } else { json_len(&iso_ms(ctx.epoch_ms)) };
    let sns = [
        ("Type", json_str_len("Notification")),
        ("MessageId", 38),
        ("TopicArn", json_str_len(topic)),
        ("Subject", subject.map_or(4, json_str_len)),
        ("Message", json_str_len(message)),
        ("Timestamp", timestamp),
        ("SignatureVersion", 3),
        // base64 of 256 bytes
        ("Signature", 346),
        ("SigningCertUrl", cert),
        ("UnsubscribeUrl", unsubscribe),
        ("MessageAttributes", 2),
    ];
    let record = [
        ("EventSource", json_str_len("aws:sns")),
        ("EventVersion", json_str_len("1.0")),
        ("EventSubscriptionArn", sub_arn),
        ("Sns", object_size(&sns)),
    ];
    // `{"Records":[` <record> `]}`
    Some(14 + object_size(&record))
}

/// Bytes of a JSON object with these keys (none needs escaping) and values of these sizes.
fn object_size(entries: &[(&str, usize)]) -> usize {
    2 + entries.len().saturating_sub(1) + entries.iter().map(|(k, v)| k.len() + 3 + v).sum::<usize>()
}

/// The JSON document SNS sends to an SQS (or HTTP/S) subscription without raw message delivery, from the `Sns` object
/// of the Lambda event for the same message: the keys are the same except `SigningCertURL` and `UnsubscribeURL`
/// (spelled `...Url` in Lambda's event), `Subject` only when the message has one, and `MessageAttributes` only when it
/// has attributes.
///
/// SNS developer guide, "Fanout to Amazon SQS queues" (sns-sqs-as-subscriber.html: Type, MessageId, TopicArn,
/// Subject, Message, Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL) and "Amazon SNS message
/// and JSON formats" (sns-message-and-json-formats.html: Subject "not included if no subject was provided";
/// MessageAttributes with the message's attributes); stored as `tests/conformance/samples/sns-developer-guide/`.
pub fn sns_envelope(lambda_sns: &Value) -> Value {
    let mut out = Map::new();
    for (k, v) in lambda_sns.as_object().into_iter().flatten() {
        match k.as_str() {
            "SigningCertUrl" => {
                out.insert("SigningCertURL".into(), v.clone());
            }
            "UnsubscribeUrl" => {
                out.insert("UnsubscribeURL".into(), v.clone());
            }
            "Subject" if v.is_null() => {}
            "MessageAttributes" if v.as_object().is_none_or(Map::is_empty) => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

// Amazon SES receipt rule with a Lambda action (the event omits the mail body).
// https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html ("Event records provided by the
// Lambda action"; awsdocs/amazon-ses-developer-guide doc-source/receiving-email-action-lambda-event.md).
pub(super) const SES_VERDICTS: &[&str] = &["PASS", "FAIL", "GRAY", "PROCESSING_FAILED"];

pub(super) fn ses(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let from = o.string("From", "sender@example.com");
    let to = o.list("To").unwrap_or_else(|| vec!["recipient@example.com".to_string()]);
    let subject =
        o.str("Subject").map(str::to_string).or_else(|| ctx.payload.as_str().map(str::to_string)).unwrap_or_else(|| "Hello".to_string());
    let domain = from.rsplit('@').next().unwrap_or("example.com").to_string();
    let date = mail_date(ctx.epoch_ms);
    // SES's message ids are 40 lowercase letters and digits (aws-lambda-go events/testdata/ses-lambda-event.json:
    // "6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1", also the SMTP id of the Received header).
    let ses_id = chars(ctx.key, 0x5c_01, 40, LOWER_ALNUM);
    let header_id = format!("<{}@{domain}>", uuid(ctx.key, 0x5c_02));
    let verdict = |k: &str| json!({"status": o.string(k, "PASS")});
    let received = format!(
        "from mail.{domain} (mail.{domain} [{}]) by inbound-smtp.{}.amazonaws.com with SMTP id {ses_id} for {}; {date} (UTC)",
        doc_ip(ctx.key, 0x5c_03),
        ctx.region,
        to.first().map(String::as_str).unwrap_or("")
    );
    json!({"Records": [{
        "eventSource": "aws:ses",
        "eventVersion": "1.0",
        "ses": {
            "mail": {
                "timestamp": iso_ms(ctx.epoch_ms),
                "source": from,
                "messageId": ses_id,
                "destination": to,
                "headersTruncated": false,
                "headers": [
                    {"name": "Return-Path", "value": format!("<{from}>")},
                    {"name": "Received", "value": received},
                    {"name": "X-SES-Spam-Verdict", "value": o.string("SpamVerdict", "PASS")},
                    {"name": "X-SES-Virus-Verdict", "value": o.string("VirusVerdict", "PASS")},
                    {"name": "From", "value": from},
                    {"name": "To", "value": to.join(", ")},
                    {"name": "Subject", "value": subject},
                    {"name": "Date", "value": date},
                    {"name": "Message-ID", "value": header_id},
                    {"name": "MIME-Version", "value": "1.0"},
                    {"name": "Content-Type", "value": "text/plain; charset=UTF-8"},
                ],
                "commonHeaders": {
                    "returnPath": from,
                    "from": [from],
                    "date": date,
                    "to": to,
                    "messageId": header_id,
                    "subject": subject,
                },
            },
            "receipt": {
                "timestamp": iso_ms(ctx.epoch_ms),
                "processingTimeMillis": 100 + word(ctx.key, 0x5c_04) % 900,
                "recipients": to,
                "spamVerdict": verdict("SpamVerdict"),
                "virusVerdict": verdict("VirusVerdict"),
                "spfVerdict": verdict("SpfVerdict"),
                "dkimVerdict": verdict("DkimVerdict"),
                "dmarcVerdict": verdict("DmarcVerdict"),
                "action": {
                    "type": "Lambda",
                    "functionArn": o.string("FunctionArn", fn_arn(ctx, "ses-handler")),
                    "invocationType": o.string("InvocationType", "Event"),
                },
            },
        },
    }]})
}

// One Amazon SQS message as the event source mapping delivers it.
// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html ("Example standard queue message event", "Example FIFO
// queue message event"); md5OfBody is the MD5 of the body (SQS API_Message.html); md5OfMessageAttributes is the digest
// of https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
// ("Calculating the MD5 message digest for message attributes": sorted by name; name, data type and value each with a
// 4-byte big-endian length; a transport byte 1 for String/Number, 2 for Binary before the value).
pub(super) const SQS_TYPES: &[&str] = &["String", "Number", "Binary"];

pub(super) fn sqs_attr_base(ty: &str) -> &str {
    ty.split('.').next().unwrap_or(ty)
}

/// (lambda-form attributes, md5 of the attributes) from `{"name": {"DataType":..., "StringValue"|"BinaryValue":...}}`
/// or the shorthand `{"name": "value"}` / `{"name": 42}`.
fn sqs_attributes(m: Option<&Map<String, Value>>) -> (Value, Option<String>) {
    let mut attrs: Vec<(String, String, Result<String, String>)> = Vec::new(); // (name, type, Ok(string) | Err(base64))
    for (name, v) in m.into_iter().flatten() {
        let entry = match v {
            Value::Object(a) => {
                let ty = a.get("DataType").and_then(Value::as_str).unwrap_or("String").to_string();
                if sqs_attr_base(&ty) == "Binary" {
                    (ty, Err(a.get("BinaryValue").map(scalar_text).unwrap_or_default()))
                } else {
                    (ty, Ok(a.get("StringValue").map(scalar_text).unwrap_or_default()))
                }
            }
            Value::Number(_) => ("Number".to_string(), Ok(scalar_text(v))),
            _ => ("String".to_string(), Ok(scalar_text(v))),
        };
        attrs.push((name.clone(), entry.0, entry.1));
    }
    if attrs.is_empty() {
        return (json!({}), None);
    }
    let mut out = Map::new();
    for (name, ty, value) in &attrs {
        let a = match value {
            Ok(s) => json!({"stringValue": s, "stringListValues": [], "binaryListValues": [], "dataType": ty}),
            Err(b) => json!({"binaryValue": b, "stringListValues": [], "binaryListValues": [], "dataType": ty}),
        };
        out.insert(name.clone(), a);
    }
    let mut sorted: Vec<&(String, String, Result<String, String>)> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut buf = Vec::new();
    for (name, ty, value) in sorted {
        put_len(&mut buf, name.as_bytes());
        put_len(&mut buf, ty.as_bytes());
        match value {
            Ok(s) => {
                buf.push(1);
                put_len(&mut buf, s.as_bytes());
            }
            Err(b) => {
                buf.push(2);
                put_len(&mut buf, &B64.decode(b).unwrap_or_default());
            }
        }
    }
    (Value::Object(out), Some(md5_hex(&buf)))
}

/// The message attributes of an SQS message as Lambda's SQS event shows them (`stringValue`, `stringListValues`,
/// `binaryListValues`, `dataType`) and their `md5OfMessageAttributes`, from the attributes as `SendMessage` takes them
/// (`{"name": {"DataType": ..., "StringValue" | "BinaryValue": ...}}`, or the shorthand `{"name": "value"}` /
/// `{"name": 42}`). An empty map gives `({}, None)`. Errors name the attribute and what is allowed.
///
/// Recorded on AWS (LocalStack `test_message_body_and_attributes_passed_correctly`, 2025-11-25): Title, Author
/// (String) and WeeksOn (Number) reach the function in this form with `md5OfMessageAttributes`
/// `d25a6aea97eb8f585bfa92d314504a92`.
pub fn sqs_message_attributes(m: &Map<String, Value>) -> Result<(Value, Option<String>), String> {
    // SQS accepts up to 10 attributes per message (SQS developer guide, "Amazon SQS message attributes").
    if m.len() > 10 {
        return Err(format!("{} attributes given; SQS allows at most 10 per message", m.len()));
    }
    for (name, a) in m {
        let valid_name = !name.is_empty()
            && name.len() <= 256
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            && !name.starts_with('.')
            && !name.ends_with('.')
            && !name.contains("..")
            && !name.to_ascii_lowercase().starts_with("aws.")
            && !name.to_ascii_lowercase().starts_with("amazon.");
        if !valid_name {
            return Err(format!(
                "{name:?}: not a valid attribute name; allowed 1 to 256 letters, digits, '_', '-', '.' (not starting or ending with '.', no '..', no AWS. or Amazon. prefix)"
            ));
        }
        match a {
            Value::Object(spec) => {
                let ty = spec.get("DataType").and_then(Value::as_str).unwrap_or("");
                if !SQS_TYPES.contains(&sqs_attr_base(ty)) {
                    return Err(format!("{name}.DataType: {ty:?} is not allowed; allowed String, Number, Binary (optionally with a custom suffix, e.g. Number.float)"));
                }
                let field = if sqs_attr_base(ty) == "Binary" { "BinaryValue" } else { "StringValue" };
                let Some(value) = spec.get(field).filter(|x| !x.is_null()) else {
                    return Err(format!("{name}: a {ty} attribute needs {field:?}"));
                };
                if field == "BinaryValue" && value.as_str().is_none_or(|b| B64.decode(b).is_err()) {
                    return Err(format!("{name}.BinaryValue: not base64 text"));
                }
                if let Some(k) = spec.keys().find(|k| !["DataType", "StringValue", "BinaryValue"].contains(&k.as_str())) {
                    return Err(format!("{name}.{k}: unknown field; allowed DataType, StringValue, BinaryValue"));
                }
            }
            x if x.is_string() || x.is_number() || x.is_boolean() => {}
            _ => return Err(format!("{name}: a value or an attribute object {{\"DataType\", \"StringValue\"}}")),
        }
    }
    Ok(sqs_attributes(Some(m)))
}

/// A 4-byte big-endian length, then the bytes.
fn put_len(buf: &mut Vec<u8>, b: &[u8]) {
    buf.extend_from_slice(&(b.len() as u32).to_be_bytes());
    buf.extend_from_slice(b);
}

pub(super) fn sqs(ctx: &EventCtx<'_>, o: &Opts) -> Value {
    let arn = o
        .str("QueueArn")
        .map(str::to_string)
        .unwrap_or_else(|| format!("arn:aws:sqs:{}:{}:{}", ctx.region, ctx.account_id, o.string("QueueName", "queue")));
    let fifo = arn.ends_with(".fifo");
    let body = text(ctx.payload);
    let sent = ctx.epoch_ms.max(0);
    let first_receive = sent + 1 + (word(ctx.key, 0x5a_01) % 20) as i64;
    let sender = o.string("SenderId", format!("AIDA{}", chars(stable(&[ctx.account_id]), 0x5a_02, 17, UPPER_ALNUM)));
    let receive_count = o.u64("ReceiveCount").unwrap_or(1).to_string();
    let mut attributes = Map::new();
    attributes.insert("ApproximateReceiveCount".into(), json!(receive_count));
    attributes.insert("SentTimestamp".into(), json!(sent.to_string()));
    if fifo {
        let seq = (sent as u64).wrapping_mul(1_000_000).wrapping_add(word(ctx.key, 0x5a_03) % 1_000_000);
        attributes.insert("SequenceNumber".into(), json!(format!("1{seq:019}")));
        attributes.insert("MessageGroupId".into(), json!(o.string("MessageGroupId", "default")));
    }
    attributes.insert("SenderId".into(), json!(sender));
    if fifo {
        attributes
            .insert("MessageDeduplicationId".into(), json!(o.string("MessageDeduplicationId", chars(ctx.key, 0x5a_04, 64, LOWER_HEX))));
    }
    attributes.insert("ApproximateFirstReceiveTimestamp".into(), json!(first_receive.to_string()));
    let (message_attributes, attributes_md5) = sqs_attributes(o.obj("MessageAttributes"));
    let mut rec = Map::new();
    rec.insert("messageId".into(), json!(uuid(ctx.key, 0x5a_05)));
    rec.insert("receiptHandle".into(), json!(format!("AQEB{}", b64(ctx.key, 0x5a_06, 96))));
    rec.insert("body".into(), json!(body));
    rec.insert("attributes".into(), Value::Object(attributes));
    rec.insert("messageAttributes".into(), message_attributes);
    rec.insert("md5OfBody".into(), json!(md5_hex(body.as_bytes())));
    if let Some(m) = attributes_md5 {
        rec.insert("md5OfMessageAttributes".into(), json!(m));
    }
    rec.insert("eventSource".into(), json!("aws:sqs"));
    rec.insert("eventSourceARN".into(), json!(arn));
    rec.insert("awsRegion".into(), json!(ctx.region));
    json!({"Records": [rec]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_attributes_md5_matches_the_aws_recording() {
        let m = json!({
            "Title": {"DataType": "String", "StringValue": "The Whistler"},
            "Author": {"DataType": "String", "StringValue": "John Grisham"},
            "WeeksOn": {"DataType": "Number", "StringValue": "6"},
        });
        let (attrs, md5) = sqs_message_attributes(m.as_object().unwrap()).unwrap();
        assert_eq!(md5.as_deref(), Some("d25a6aea97eb8f585bfa92d314504a92"));
        assert_eq!(attrs["WeeksOn"], json!({"stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number"}));
    }

    #[test]
    fn s3_keys_are_form_encoded() {
        assert_eq!(s3_key_encode("a b/c=d+e.png"), "a+b/c%3Dd%2Be.png");
        assert_eq!(s3_key_encode("ünï"), "%C3%BCn%C3%AF");
    }
}
