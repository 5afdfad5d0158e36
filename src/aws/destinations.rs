//! Destinations and dead-letter queues: the records Lambda sends and the messages each kind of target receives.
//!
//! - Async invocation record, `version` "1.0" (spec 3.2), field order as in the real records.
//! - DLQ message: the original payload unchanged with `RequestID`, `ErrorCode`, `ErrorMessage` attributes (spec 4).
//! - Wire forms per target (spec 3.1): SQS/SNS carry the record as the message body; a Lambda target gets the record as
//!   its payload; EventBridge wraps it as `detail`; S3 stores it under `aws/lambda/async/<function>/...`.
//!
//! Plain values in, JSON out: the callers resolve names, ARNs, texts and the epoch from the model.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::aws::ids::{request_id, uuid_from};
use crate::kernel::time::SimTime;
use crate::vocab::{Outcome, RecordKind};

/// ISO-8601 UTC with milliseconds of virtual time `t` in a run that starts at `epoch_ms`, e.g.
/// `2024-03-21T12:26:43.123Z`.
pub fn iso_at(epoch_ms: i64, t: SimTime) -> String {
    let ms = epoch_ms + (t.as_micros() / 1000) as i64;
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(d) => d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "1970-01-01T00:00:00.000Z".into(),
    }
}

fn utc(epoch_ms: i64, t: SimTime) -> DateTime<Utc> {
    let ms = epoch_ms + (t.as_micros() / 1000) as i64;
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// What decided an execution's outcome: a behaviour rule, a fault on the timeline, or neither (success, null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// No rule or fault: the function's default behaviour.
    Default,
    /// Behaviour rule `n` of the function.
    Rule(u32),
    /// Fault `n` on the timeline.
    Fault(u32),
    /// The response was over 6 MiB + 100 bytes (spec 1).
    ResponseTooLarge,
    /// The user's handler code answered (its response or error texts are kept with the invocation).
    Handler,
}

/// How a runtime writes an unhandled error: Python (and most runtimes) as `{"errorMessage", "errorType", "requestId",
/// "stackTrace"}` (recorded on AWS, LocalStack `test_lambda_destinations` snapshots), Node.js as `{"errorType",
/// "errorMessage", "trace"}` (Lambda developer guide, "AWS Lambda function errors in Node.js").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    #[default]
    /// Python's shape (the default; most runtimes).
    Python,
    /// Node.js's shape.
    Node,
}

impl ErrorFormat {
    /// The format of an AWS runtime identifier (`nodejs20.x` is Node, everything else writes Python's shape).
    pub fn of_runtime(runtime: Option<&str>) -> ErrorFormat {
        match runtime {
            Some(r) if r.starts_with("nodejs") => ErrorFormat::Node,
            _ => ErrorFormat::Python,
        }
    }

    /// The stack frames of an exception raised in `handler` (`module.function`, AWS's `Handler` property), in the
    /// runtime's own format: one placeholder frame at the handler, as the runtimes print it. Python:
    /// `  File "/var/task/app.py", line 7, in handler\n    raise Error("...")\n` (the recorded form); Node.js: the
    /// error's first line then `    at Runtime.handler (file:///var/task/app.mjs:7:11)` and the runtime's frame.
    pub fn frames(self, handler: Option<&str>, error_type: &str, message: &str) -> Vec<String> {
        let (default_module, default_fn) = match self {
            ErrorFormat::Python => ("lambda_function", "lambda_handler"),
            ErrorFormat::Node => ("index", "handler"),
        };
        let (module, func) = handler.and_then(|h| h.rsplit_once('.')).unwrap_or((default_module, default_fn));
        match self {
            ErrorFormat::Python => {
                let quoted = message.replace('\\', "\\\\").replace('"', "\\\"");
                vec![format!("  File \"/var/task/{module}.py\", line 7, in {func}\n    raise {error_type}(\"{quoted}\")\n")]
            }
            ErrorFormat::Node => vec![
                format!("{error_type}: {message}"),
                format!("    at Runtime.{func} (file:///var/task/{module}.mjs:7:11)"),
                "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)".to_string(),
            ],
        }
    }
}

/// The last execution of an event as records report it, its texts resolved by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Execution<'a> {
    /// How the execution ended.
    pub outcome: Outcome,
    /// `errorType` and `errorMessage` of a failed execution.
    pub error_type: &'a str,
    /// See `error_type`.
    pub error_message: &'a str,
    /// `stackTrace` of a failed execution, as the runtime reported it or as the scenario declares it.
    pub stack_trace: &'a [String],
    /// How the runtime writes the error.
    pub format: ErrorFormat,
    /// The response of a successful execution (`null` when it has none).
    pub response: &'a Value,
    /// When the execution ended.
    pub ended: SimTime,
    /// The function's timeout (for the "Task timed out" message).
    pub timeout: SimTime,
}

/// Everything a record is made of.
pub struct RecordInput<'a> {
    /// The wall-clock time of virtual time 0, in ms since the Unix epoch.
    pub epoch_ms: i64,
    /// The run's seed (ids in the record derive from it).
    pub seed: u64,
    /// The invocation's request-id key.
    pub rid: u64,
    /// The qualified ARN that was invoked (`...:$LATEST`, `...:3`, `...:live`).
    pub function_arn: &'a str,
    /// The version that ran (`$LATEST` or a number).
    pub executed_version: &'a str,
    /// The record's `requestContext.condition` (`Success`, `RetriesExhausted`, `EventAgeExceeded`, ...).
    pub condition: &'a str,
    /// Executions of the event (`approximateInvokeCount`).
    pub invoke_count: u32,
    /// The invocation's payload.
    pub payload: &'a Value,
    /// The event's last execution, if it ran.
    pub last: Option<Execution<'a>>,
    /// When the record is sent.
    pub at: SimTime,
}

/// The error object a failed execution returns (spec 1, 3.2).
pub fn error_payload(epoch_ms: i64, seed: u64, rid: u64, last: &Execution<'_>) -> Value {
    let req = request_id(seed, rid);
    let (ty, msg) = (last.error_type, last.error_message);
    match last.outcome {
        Outcome::Timeout => {
            // "<ISO-8601 ts> <requestId> Task timed out after 3.00 seconds" (spec section 1).
            json!({"errorMessage": format!("{} {} Task timed out after {:.2} seconds", iso_at(epoch_ms, last.ended), req, last.timeout.as_secs_f64())})
        }
        Outcome::Crash => json!({"errorType": ty, "errorMessage": format!("RequestId: {req} Error: {msg}")}),
        _ => match last.format {
            ErrorFormat::Python => json!({"errorMessage": msg, "errorType": ty, "requestId": req, "stackTrace": last.stack_trace}),
            ErrorFormat::Node => json!({"errorType": ty, "errorMessage": msg, "trace": last.stack_trace}),
        },
    }
}

/// The async invocation record (spec 3.2).
pub fn invocation_record(r: &RecordInput<'_>) -> Value {
    let mut o = Map::new();
    o.insert("version".into(), json!("1.0"));
    o.insert("timestamp".into(), json!(iso_at(r.epoch_ms, r.at)));
    o.insert(
        "requestContext".into(),
        json!({
            "requestId": request_id(r.seed, r.rid),
            "functionArn": r.function_arn,
            "condition": r.condition,
            "approximateInvokeCount": r.invoke_count,
        }),
    );
    o.insert("requestPayload".into(), r.payload.clone());
    if let Some(last) = &r.last {
        let mut rc = Map::new();
        rc.insert("statusCode".into(), json!(200));
        rc.insert("executedVersion".into(), json!(r.executed_version));
        if last.outcome != Outcome::Success {
            rc.insert("functionError".into(), json!("Unhandled"));
        }
        o.insert("responseContext".into(), Value::Object(rc));
        let resp = if last.outcome == Outcome::Success { last.response.clone() } else { error_payload(r.epoch_ms, r.seed, r.rid, last) };
        o.insert("responsePayload".into(), resp);
    }
    Value::Object(o)
}

/// What a dead-letter queue receives (spec 4): the body is the original event; `ErrorCode` is the invoke's status
/// ("200" for a function error, "429" when the event never ran for lack of concurrency). When the payload's bytes
/// were written in a form other than the compact one, `bodyText` keeps them: the message body is those bytes
/// (AWS kept `{"raise_error": 1}` byte for byte, LS-DEST `test_dead_letter_queue`).
pub fn dlq_content(epoch_ms: i64, seed: u64, rid: u64, payload: &Value, text: Option<&str>, last: Option<&Execution<'_>>) -> Value {
    let (code, message) = match last {
        Some(l) => {
            let e = error_payload(epoch_ms, seed, rid, l);
            let m = e.get("errorMessage").and_then(Value::as_str).unwrap_or("").to_string();
            ("200".to_string(), m)
        }
        None => ("429".to_string(), "Rate Exceeded.".to_string()),
    };
    let message: String = truncate_bytes(&message, 1024);
    let mut content =
        json!({"body": payload, "attributes": {"RequestID": request_id(seed, rid), "ErrorCode": code, "ErrorMessage": message}});
    if let Some(t) = text {
        content["bodyText"] = Value::String(t.to_string());
    }
    content
}

fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

fn json_string(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The kind of a destination or dead-letter target, on which its wire form depends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireKind {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
    /// A Lambda function.
    Lambda,
    /// An EventBridge event bus.
    EventBus,
    /// An S3 bucket.
    S3,
}

/// What the wire form of a message needs to know of its target and of the account.
pub struct WireTarget<'a> {
    /// The target's kind.
    pub kind: WireKind,
    /// The target's ARN.
    pub arn: &'a str,
    /// The target's name (an S3 target's bucket).
    pub name: &'a str,
    /// The wall-clock time of virtual time 0, in ms since the Unix epoch.
    pub epoch_ms: i64,
    /// The account's region.
    pub region: &'a str,
    /// The account's id.
    pub account_id: &'a str,
    /// `source` of the EventBridge destination event (`lambda` or `aws.lambda`).
    pub eventbridge_source: &'a str,
    /// The UUID of the stream mapping of (stream ARN, function ARN), for a stream mapping's on-failure record in S3.
    pub mapping_uuid: &'a dyn Fn(&str, &str) -> Option<&'a str>,
}

/// The message as the target receives it (what `--sinks DIR` writes, one JSON line per message).
pub fn wire_message(tg: &WireTarget<'_>, kind: RecordKind, content: &Value, function_arn: &str, at: SimTime, key: u64) -> Value {
    if kind == RecordKind::DeadLetter {
        let body = content.get("body").cloned().unwrap_or(Value::Null);
        let text = content.get("bodyText").and_then(Value::as_str).map_or_else(|| json_string(&body), str::to_string);
        let attrs = content.get("attributes").cloned().unwrap_or_else(|| json!({}));
        let get = |k: &str| attrs.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return match tg.kind {
            WireKind::Sns => json!({
                "Message": text.clone(),
                "MessageAttributes": {
                    "RequestID": {"Type": "String", "Value": get("RequestID")},
                    "ErrorCode": {"Type": "Number", "Value": get("ErrorCode")},
                    "ErrorMessage": {"Type": "String", "Value": get("ErrorMessage")},
                }
            }),
            _ => json!({
                "body": text,
                "messageAttributes": {
                    "RequestID": {"stringValue": get("RequestID"), "dataType": "String"},
                    "ErrorCode": {"stringValue": get("ErrorCode"), "dataType": "Number"},
                    "ErrorMessage": {"stringValue": get("ErrorMessage"), "dataType": "String"},
                }
            }),
        };
    }
    match tg.kind {
        WireKind::Sqs => json!({"body": json_string(content), "messageAttributes": {}}),
        WireKind::Sns => json!({"Message": json_string(content), "MessageAttributes": {}}),
        WireKind::Lambda => content.clone(),
        WireKind::EventBus => {
            let success = kind == RecordKind::OnSuccess;
            json!({
                "version": "0",
                "id": uuid_from(key, 0xeb),
                "detail-type": if success { "Lambda Function Invocation Result - Success" } else { "Lambda Function Invocation Result - Failure" },
                "source": tg.eventbridge_source,
                "account": tg.account_id,
                "time": utc(tg.epoch_ms, at).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "region": tg.region,
                // The qualified ARN that was invoked, as the record has it.
                "resources": [content.pointer("/requestContext/functionArn").and_then(Value::as_str).map_or_else(|| format!("{function_arn}:$LATEST"), str::to_string), tg.arn],
                "detail": content,
            })
        }
        WireKind::S3 => {
            // aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid> (spec 3.1)
            let fname = function_arn.rsplit(':').next().unwrap_or("");
            let d = utc(tg.epoch_ms, at);
            let info = content.get("KinesisBatchInfo").or_else(|| content.get("DDBStreamBatchInfo"));
            if let Some(info) = info {
                // A stream mapping's record: aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>
                // (Lambda DG, kinesis-on-failure-destination: S3 object naming).
                let stream = info.get("streamArn").and_then(Value::as_str).unwrap_or("");
                let uuid = (tg.mapping_uuid)(stream, function_arn).unwrap_or("");
                let shard = info.get("shardId").and_then(Value::as_str).unwrap_or("");
                return json!({
                    "Bucket": tg.name,
                    "Key": format!("aws/lambda/{uuid}/{shard}/{}/{}-{}", d.format("%Y/%m/%d"), d.format("%Y-%m-%dT%H.%M.%S"), uuid_from(key, 0x53)),
                    "Body": json_string(content),
                });
            }
            json!({
                "Bucket": tg.name,
                "Key": format!("aws/lambda/async/{fname}/{}/{}-{}", d.format("%Y/%m/%d"), d.format("%Y-%m-%dT%H.%M.%S"), uuid_from(key, 0x53)),
                "Body": json_string(content),
            })
        }
    }
}

/// Serialized size of a value in bytes.
pub fn json_size(v: &Value) -> usize {
    json_string(v).len()
}

/// An SNS destination whose record is over 256 KB gets the record without its payloads (spec 3.1: Lambda "drops the
/// payload" rather than the record; the trimmed shape is not documented, so both payload fields are removed).
pub fn trim_for_sns(record: &Value) -> Value {
    let mut r = record.clone();
    if let Value::Object(o) = &mut r {
        o.shift_remove("requestPayload");
        o.shift_remove("responsePayload");
    }
    r
}
