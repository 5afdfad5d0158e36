//! The events an Amazon MQ event source mapping sends (spec 5.6): ActiveMQ's `{"eventSource": "aws:mq", "messages":
//! [...]}` and RabbitMQ's `{"eventSource": "aws:rmq", "rmqMessagesByQueue": {"<queue>::<vhost>": [...]}}`, with the
//! keys, types and formats of AWS's published samples (Lambda DG with-mq.html "Example event"; aws-lambda-go
//! `events/testdata/activemq-event.json` and `rabbitmq-event.json`, copied in `tests/conformance/samples/`), and the
//! view filters and rules see of a message (its `data` decoded, DG "Filtering Amazon MQ events").

use base64::Engine as _;
use serde_json::{json, Map, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A broker's engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Amazon MQ for ActiveMQ (`aws:mq`).
    ActiveMq,
    /// Amazon MQ for RabbitMQ (`aws:rmq`).
    RabbitMq,
}

/// One message of a batch, as the broker holds it.
#[derive(Debug, Clone)]
pub struct MqMessage<'a> {
    /// Its sequence number on the broker (part of ActiveMQ's `messageID`).
    pub seq: u64,
    /// The body as sent (`data` is its base64).
    pub body: &'a str,
    /// Epoch milliseconds when the producer sent it (`timestamp`, `brokerInTime`).
    pub sent_ms: i64,
    /// Epoch milliseconds when Lambda received it (`brokerOutTime`).
    pub out_ms: i64,
    /// Delivered before (`redelivered`).
    pub redelivered: bool,
    /// The producer's message attributes in the SQS event form (`{"name": {"stringValue", "dataType", ...}}`):
    /// ActiveMQ `properties`, RabbitMQ `basicProperties.headers`.
    pub attributes: Option<&'a Value>,
}

/// A broker's id (`b-<uuid>`, derived from its name, stable across runs) and ARN
/// (`arn:aws:mq:<region>:<account>:broker:<name>:<id>`).
pub fn broker_arn(region: &str, account: &str, name: &str) -> (String, String) {
    let id = format!("b-{}", crate::aws::ids::uuid_from(0x6d71_0000, crate::kernel::rng::fnv64(name.as_bytes())));
    let arn = format!("arn:aws:mq:{region}:{account}:broker:{name}:{id}");
    (id, arn)
}

/// A broker's id and ARN with its `BrokerId` when the scenario gives one.
pub fn broker_arn_with(region: &str, account: &str, name: &str, id: Option<&str>) -> (String, String) {
    match id {
        Some(id) => (id.to_string(), format!("arn:aws:mq:{region}:{account}:broker:{name}:{id}")),
        None => broker_arn(region, account, name),
    }
}

/// The name a broker queue goes by in a scenario (producers' `Queue`, reports, `--sinks` files): `<broker>/<queue>`,
/// with the virtual host when it is not `/` (`<broker>/<vhost>/<queue>`).
pub fn queue_label(broker: &str, queue: &str, vhost: &str) -> String {
    if vhost == "/" {
        format!("{broker}/{queue}")
    } else {
        format!("{broker}/{}/{queue}", vhost.trim_start_matches('/'))
    }
}

/// The ARN lambdasim gives a broker queue as a target (its own notation): `<broker ARN>:queue:<vhost>:<queue>`.
pub fn queue_target_arn(broker_arn: &str, queue: &str, vhost: &str) -> String {
    format!("{broker_arn}:queue:{vhost}:{queue}")
}

/// The ActiveMQ `messageID` of message `seq` on broker `broker_id` (`ID:b-...-1.mq.<region>.amazonaws.com-...`).
pub fn activemq_message_id(broker_id: &str, region: &str, seq: u64) -> String {
    format!("ID:{broker_id}-1.mq.{region}.amazonaws.com-37557-1598944546501-4:1:1:1:{}", seq + 1)
}

fn attribute_text(a: &Value) -> Value {
    a.get("stringValue").or_else(|| a.get("binaryValue")).cloned().unwrap_or(Value::Null)
}

/// One ActiveMQ message as Lambda delivers it (keys in the order of AWS's sample).
pub fn activemq_message(broker_id: &str, region: &str, queue: &str, m: &MqMessage<'_>) -> Value {
    let mut properties = Map::new();
    if let Some(Value::Object(a)) = m.attributes {
        for (k, v) in a {
            properties.insert(k.clone(), attribute_text(v));
        }
    }
    json!({
        "messageID": activemq_message_id(broker_id, region, m.seq),
        "messageType": "jms/text-message",
        "timestamp": m.sent_ms,
        "deliveryMode": 1,
        "correlationID": "",
        "replyTo": "null",
        "destination": { "physicalName": queue },
        "redelivered": m.redelivered,
        "type": "",
        "expiration": 0,
        "priority": 0,
        "data": B64.encode(m.body.as_bytes()),
        "brokerInTime": m.sent_ms,
        "brokerOutTime": m.out_ms,
        "properties": Value::Object(properties),
    })
}

/// RabbitMQ's `timestamp` property as Lambda shows it (Java's medium date format, `Jan 1, 1970, 12:33:41 AM`).
pub fn rabbitmq_time(epoch_ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(epoch_ms)
        .map(|d| d.format("%b %-d, %Y, %-I:%M:%S %p").to_string())
        .unwrap_or_default()
}

/// One RabbitMQ message as Lambda delivers it: string headers arrive as `{"bytes": [...]}` (as in AWS's sample),
/// numbers as numbers. Properties the producer does not set are `null`.
pub fn rabbitmq_message(m: &MqMessage<'_>) -> Value {
    let mut headers = Map::new();
    if let Some(Value::Object(a)) = m.attributes {
        for (k, v) in a {
            let text = attribute_text(v);
            let is_number = v.get("dataType").and_then(Value::as_str).is_some_and(|t| t.starts_with("Number"));
            let h = match text.as_str().map(|s| (s, s.parse::<f64>())) {
                Some((_, Ok(n))) if is_number => json!(n),
                Some((s, _)) => json!({ "bytes": s.as_bytes() }),
                None => Value::Null,
            };
            headers.insert(k.clone(), h);
        }
    }
    let json_body = serde_json::from_str::<Value>(m.body).is_ok_and(|v| v.is_object() || v.is_array());
    json!({
        "basicProperties": {
            "contentType": if json_body { "application/json" } else { "text/plain" },
            "contentEncoding": null,
            "headers": Value::Object(headers),
            "deliveryMode": 1,
            "priority": 0,
            "correlationId": null,
            "replyTo": null,
            "expiration": null,
            "messageId": null,
            "timestamp": rabbitmq_time(m.sent_ms),
            "type": null,
            "userId": null,
            "appId": null,
            "clusterId": null,
            "bodySize": m.body.len(),
        },
        "redelivered": m.redelivered,
        "data": B64.encode(m.body.as_bytes()),
    })
}

/// A whole batch's event: ActiveMQ's `messages` or RabbitMQ's `rmqMessagesByQueue` keyed `<queue>::<vhost>`.
pub fn mq_event(engine: Engine, broker_arn: &str, messages: Vec<Value>, queue: &str, vhost: &str) -> Value {
    match engine {
        Engine::ActiveMq => json!({ "eventSource": "aws:mq", "eventSourceArn": broker_arn, "messages": messages }),
        Engine::RabbitMq => {
            let mut by_queue = Map::new();
            by_queue.insert(format!("{queue}::{vhost}"), Value::Array(messages));
            json!({ "eventSource": "aws:rmq", "eventSourceArn": broker_arn, "rmqMessagesByQueue": by_queue })
        }
    }
}

/// What filters and rules see of a message: the message with `data` decoded (parsed when it is a JSON object or
/// array, else the text), as Lambda's filtering of Amazon MQ messages sees it.
pub fn mq_view(mut message: Value, body: &str) -> Value {
    let data = match serde_json::from_str::<Value>(body) {
        Ok(v) if v.is_object() || v.is_array() => v,
        _ => Value::String(body.to_string()),
    };
    message["data"] = data;
    message
}
