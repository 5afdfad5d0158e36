//! Amazon Data Firehose transformation: what the function receives and what the error output keeps
//! (`docs/conformance.md`, ids FIREHOSE-*).

use base64::Engine;
use serde_json::Value;

use lambdasim::trace::{Ctx, Observer};
use lambdasim::vocab::FirehoseFate;
use lambdasim::{load_str, run, RunOptions, SimTime, TraceEvent};

/// Transformation events, record sizes and the content of processing-failed records.
#[derive(Default)]
struct Seen {
    invocations: Vec<Value>,
    sizes: Vec<u32>,
    failed: Vec<Value>,
}

impl Observer for Seen {
    fn on_event(&mut self, _: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match (ev, ctx.content) {
            (TraceEvent::Accepted { .. }, Some(c)) => self.invocations.push(c.clone()),
            (TraceEvent::FirehoseRecordPut { size, .. }, _) => self.sizes.push(*size),
            (TraceEvent::FirehoseRecordFate { fate: FirehoseFate::ProcessingFailed, .. }, Some(c)) => self.failed.push(c.clone()),
            _ => {}
        }
    }
    fn wants_content(&self) -> bool {
        true
    }
}

fn go(sc: &str) -> Seen {
    let model = load_str(sc).unwrap_or_else(|e| panic!("scenario invalid: {e}"));
    let mut seen = Seen::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut seen], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    seen
}

/// FIREHOSE-DATA-BYTES: Firehose hands on the bytes a producer put (`PutRecord`'s `Data` is a blob; the
/// transformation event carries it base64, data-transformation.html, and the S3 error output keeps it as `rawData`,
/// data-transformation-failure-handling.html). A record written `{"a": 1}` reaches the function's `data` and the
/// error record's `rawData` as base64 of exactly those bytes, and its size counts them; `{{n}}` renders inside the
/// text; a record written compactly stays compact.
#[test]
fn firehose_data_is_the_bytes_the_producer_wrote() {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let text = r#"{"a": 1,  "n": "{{n}}"}"#;
    let sc = r#"{
      "Functions": [{ "FunctionName": "transform", "Timeout": 30, "Behavior": { "Rules": [{ "Then": { "Outcome": "Fail" } }] } }],
      "DeliveryStreams": [{ "DeliveryStreamName": "s",
        "ProcessingConfiguration": { "Enabled": true, "Processors": [{ "Type": "Lambda", "Parameters": [
          { "ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:123456789012:function:transform" },
          { "ParameterName": "NumberOfRetries", "ParameterValue": "0" }] }] } }],
      "Workload": [{ "DeliveryStream": "s", "At": [1], "Payload": PAYLOAD }]
    }"#;
    let seen = go(&sc.replace("PAYLOAD", text));
    let written = r#"{"a": 1,  "n": 0}"#;
    let ev = seen.invocations.first().expect("one transformation");
    assert_eq!(ev["records"][0]["data"], b64(written));
    assert_eq!(seen.sizes, vec![written.len() as u32]);
    assert_eq!(seen.failed.first().expect("the error record")["rawData"], b64(written));
    // A record written compactly stays compact.
    let seen = go(&sc.replace("PAYLOAD", r#"{"a":1}"#));
    assert_eq!(seen.invocations[0]["records"][0]["data"], b64(r#"{"a":1}"#));
}
