//! Amazon Data Firehose delivery streams with a Lambda data transformation, validated.
//!
//! Shapes are CloudFormation's (`AWS::KinesisFirehose::DeliveryStream`, its `ProcessingConfiguration` with a
//! `Lambda` processor and `ProcessorParameter`s whose values are strings). Bounds and defaults are AWS's:
//! - <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html>: the buffering size hint ranges between
//!   0.2 MB and 3 MB (default 1 MB), the buffering interval hint between 0 and 900 seconds (default 60); Firehose
//!   invokes the function synchronously with each buffered batch;
//! - <https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html>: parameter names and the
//!   defaults 3 for `NumberOfRetries` and 60 for `BufferIntervalInSeconds`;
//! - <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html>: retries of a failed
//!   invocation (three by default), then the batch is skipped and its records are unsuccessfully processed.
//!
//! An error names the JSON path, the bad value and the allowed range.

use crate::scenario::RawJson;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{parse_qualifier, resolve_function_ref, Arrivals, FnId, Function, V};
use crate::aws::payload::Template;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::scenario::{Scenario, WorkloadSpec};

/// A validated delivery stream.
#[derive(Debug, Clone)]
pub struct DeliveryStream {
    /// `DeliveryStreamName`.
    pub name: String,
    /// The delivery stream's ARN.
    pub arn: String,
    /// The transformation function and the qualifier its ARN names; `None`: no transformation (records are
    /// delivered as they arrive).
    pub lambda: Option<(FnId, Qualifier)>,
    /// `LambdaArn` as given.
    pub lambda_arn: String,
    /// `NumberOfRetries`: invocations after the first one of a batch that failed.
    pub retries: u32,
    /// `BufferSizeInMBs` in bytes (MiB as Firehose counts).
    pub buffer_bytes: u64,
    /// `BufferIntervalInSeconds`.
    pub buffer_interval: SimTime,
    /// The S3 bucket (`BucketARN`), if given, and the error output prefix.
    pub bucket_arn: Option<String>,
    /// `ErrorOutputPrefix` of the S3 bucket.
    pub error_prefix: String,
}

/// A workload entry that puts records into a delivery stream.
#[derive(Debug, Clone)]
pub struct Producer {
    /// The workload entry's `Name`.
    pub name: String,
    /// Index in `Firehose::streams`.
    pub stream: u32,
    /// The record data, rendered per record.
    pub template: Template,
    /// When it puts records.
    pub arrivals: Arrivals,
}

#[derive(Debug, Clone)]
/// Firehose delivery streams with a Lambda transformation, and their producers.
pub struct Firehose {
    /// The delivery streams.
    pub streams: Vec<DeliveryStream>,
    /// Workload entries that put records.
    pub producers: Vec<Producer>,
    /// `Simulation.FirehoseRetryDelaySeconds` (\[unc\]).
    pub retry_delay: SimTime,
}

impl Default for Firehose {
    fn default() -> Self {
        Firehose { streams: vec![], producers: vec![], retry_delay: SimTime::from_secs(1) }
    }
}

impl Firehose {
    /// Delivery stream `i`.
    pub fn stream(&self, i: u32) -> &DeliveryStream {
        &self.streams[i as usize]
    }
    /// The index of the stream named `name` (or with ARN `name`).
    pub fn by_name(&self, name: &str) -> Option<u32> {
        self.streams.iter().position(|s| s.name == name || s.arn == name).map(|i| i as u32)
    }
}

pub(super) struct RawProducer<'a> {
    pub index: usize,
    pub spec: &'a WorkloadSpec,
    pub arrivals: Arrivals,
}

/// The largest record PutRecord takes: 1,000 KiB before base64 encoding
/// (<https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecord.html>).
pub const MAX_RECORD_BYTES: usize = 1000 * 1024;

fn number(v: &mut V, path: &str, value: &str, lo: f64, hi: f64, what: &str) -> Option<f64> {
    match value.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        _ => {
            v.err(path, format!("{value:?} is out of range; allowed {what}"));
            None
        }
    }
}

fn integer(v: &mut V, path: &str, value: &str, lo: i64, hi: i64) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(x) if x >= lo && x <= hi => Some(x),
        _ => {
            v.err(path, format!("{value:?} is out of range; allowed an integer {lo} to {hi}"));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    v: &mut V,
    sc: &Scenario,
    region: &str,
    account: &str,
    functions: &[Function],
    fn_names: &BTreeMap<String, FnId>,
    producers: Vec<RawProducer<'_>>,
) -> Firehose {
    let mut out = Firehose::default();
    if let Some(d) = sc.simulation.firehose_retry_delay_seconds {
        if d.is_finite() && (0.0..=900.0).contains(&d) {
            out.retry_delay = SimTime::from_secs_f64(d);
        } else {
            v.err("Simulation.FirehoseRetryDelaySeconds", format!("{d} is out of range; allowed 0 to 900 seconds"));
        }
    }
    for (i, ds) in sc.delivery_streams.iter().enumerate() {
        let p = format!("DeliveryStreams[{i}]");
        let name = &ds.delivery_stream_name;
        v.name(name, &format!("{p}.DeliveryStreamName"), 64, ".", "delivery stream name");
        if out.streams.iter().any(|s| s.name == *name) {
            v.err(format!("{p}.DeliveryStreamName"), format!("{name:?} is the name of an earlier delivery stream; names must differ"));
        }
        if let Some(t) = ds.delivery_stream_type.as_deref().filter(|t| *t != "DirectPut") {
            v.err(format!("{p}.DeliveryStreamType"), format!("{t:?} is not simulated; allowed DirectPut"));
        }
        let s3 = ds.extended_s3_destination_configuration.as_ref();
        let (pc, pc_path) = match (&ds.processing_configuration, s3.and_then(|s| s.processing_configuration.as_ref())) {
            (Some(_), Some(_)) => {
                v.err(
                    format!("{p}.ExtendedS3DestinationConfiguration.ProcessingConfiguration"),
                    "is also given at the top of the delivery stream; give it once",
                );
                (ds.processing_configuration.as_ref(), format!("{p}.ProcessingConfiguration"))
            }
            (Some(c), None) => (Some(c), format!("{p}.ProcessingConfiguration")),
            (None, Some(c)) => (Some(c), format!("{p}.ExtendedS3DestinationConfiguration.ProcessingConfiguration")),
            (None, None) => (None, String::new()),
        };
        let mut stream = DeliveryStream {
            name: name.clone(),
            arn: format!("arn:aws:firehose:{region}:{account}:deliverystream/{name}"),
            lambda: None,
            lambda_arn: String::new(),
            retries: 3,
            buffer_bytes: 1024 * 1024,
            buffer_interval: SimTime::from_secs(60),
            bucket_arn: s3.and_then(|s| s.bucket_arn.clone()),
            error_prefix: s3.and_then(|s| s.error_output_prefix.clone()).unwrap_or_else(|| "processing-failed/".into()),
        };
        if let Some(b) = &stream.bucket_arn {
            if !b.starts_with("arn:aws:s3:::") {
                v.err(
                    format!("{p}.ExtendedS3DestinationConfiguration.BucketARN"),
                    format!("{b:?} is not an S3 bucket ARN (arn:aws:s3:::NAME)"),
                );
            }
        }
        if let Some(pc) = pc.filter(|c| c.enabled == Some(true)) {
            let lambdas: Vec<usize> = pc.processors.iter().enumerate().filter(|(_, x)| x.kind == "Lambda").map(|(j, _)| j).collect();
            for (j, pr) in pc.processors.iter().enumerate() {
                if pr.kind != "Lambda" {
                    v.err(
                        format!("{pc_path}.Processors[{j}].Type"),
                        format!("{:?} is not simulated; allowed Lambda (one Lambda processor per stream)", pr.kind),
                    );
                }
            }
            match lambdas.as_slice() {
                [] => v.err(format!("{pc_path}.Processors"), "has no Lambda processor; with Enabled true give one"),
                [j] => {
                    let pp = format!("{pc_path}.Processors[{j}]");
                    let mut seen: Vec<&str> = vec![];
                    for (k, par) in pc.processors[*j].parameters.iter().enumerate() {
                        let path = format!("{pp}.Parameters[{k}].ParameterValue");
                        let value = par.parameter_value.as_str();
                        if seen.contains(&par.parameter_name.as_str()) {
                            v.err(format!("{pp}.Parameters[{k}].ParameterName"), format!("{:?} is given twice", par.parameter_name));
                        }
                        seen.push(par.parameter_name.as_str());
                        match par.parameter_name.as_str() {
                            "LambdaArn" => {
                                stream.lambda_arn = value.to_string();
                                match resolve_function_ref(value, region, account, fn_names) {
                                    Ok((f, q)) => {
                                        let declared = sc.functions[f.ix()].versions.len();
                                        match q.map(|q| parse_qualifier(&functions[f.ix()], declared, q)).transpose() {
                                            Ok(q) => stream.lambda = Some((f, q.unwrap_or_default())),
                                            Err(m) => v.err(path, m),
                                        }
                                    }
                                    Err(m) => v.err(path, m),
                                }
                            }
                            "NumberOfRetries" => {
                                if let Some(n) = integer(v, &path, value, 0, 300) {
                                    stream.retries = n as u32;
                                }
                            }
                            "BufferSizeInMBs" => {
                                if let Some(x) = number(v, &path, value, 0.2, 3.0, "0.2 to 3 (MB)") {
                                    stream.buffer_bytes = (x * 1024.0 * 1024.0).round() as u64;
                                }
                            }
                            "BufferIntervalInSeconds" => {
                                if let Some(n) = integer(v, &path, value, 0, 900) {
                                    stream.buffer_interval = SimTime::from_secs(n as u64);
                                }
                            }
                            "RoleArn" => {}
                            other => v.err(
                                format!("{pp}.Parameters[{k}].ParameterName"),
                                format!(
                                    "{other:?} is not simulated; allowed LambdaArn, NumberOfRetries, BufferSizeInMBs, BufferIntervalInSeconds, RoleArn"
                                ),
                            ),
                        }
                    }
                    if !seen.contains(&"LambdaArn") {
                        v.err(format!("{pp}.Parameters"), "has no LambdaArn; a Lambda processor names its function");
                    }
                }
                _ => v.err(format!("{pc_path}.Processors"), format!("has {} Lambda processors; allowed 1", lambdas.len())),
            }
        }
        out.streams.push(stream);
    }
    build_producers(v, producers, &mut out);
    out
}

/// Workload entries that put records on a delivery stream.
fn build_producers(v: &mut V, producers: Vec<RawProducer<'_>>, out: &mut Firehose) {
    for raw in producers {
        let w = raw.spec;
        let p = format!("Workload[{}]", raw.index);
        let given = [!w.function.is_empty(), w.queue.is_some(), w.stream.is_some(), w.topic.is_some(), w.event_bus.is_some()];
        if given.iter().any(|x| *x) {
            v.err(p.clone(), "gives DeliveryStream and one of Function, Queue, Stream, Topic, EventBus; give exactly one");
            continue;
        }
        let not_here = [
            (w.invocation_type.is_some(), "InvocationType"),
            (w.source.is_some(), "Source"),
            (w.source_options.is_some(), "SourceOptions"),
            (w.caller.is_some(), "Caller"),
            (w.message_group_id.is_some(), "MessageGroupId"),
            (w.partition_key.is_some(), "PartitionKey"),
            (w.subject.is_some(), "Subject"),
        ];
        v.not_for(&p, &not_here, "is not for a DeliveryStream producer");
        let name = w.delivery_stream.as_deref().unwrap_or_default();
        let Some(stream) = out.by_name(name) else {
            let known: Vec<&str> = out.streams.iter().map(|s| s.name.as_str()).collect();
            v.err(
                format!("{p}.DeliveryStream"),
                format!(
                    "{name:?} names no delivery stream of this scenario; declared: {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            );
            continue;
        };
        let pname = w.name.clone().unwrap_or_else(|| format!("workload[{}]", raw.index));
        if out.producers.iter().any(|x| x.name == pname) {
            v.err(
                format!("{p}.Name"),
                format!("{pname:?} names another DeliveryStream producer; names pick random streams and must differ"),
            );
        }
        out.producers.push(Producer {
            name: pname,
            stream,
            // The record as written: Firehose hands on the bytes a producer put (conformance FIREHOSE-DATA-BYTES).
            template: match w.payload.as_ref() {
                Some(p) => Template::with_text(RawJson::value(p), p.text()),
                None => Template::new(Value::Object(Map::new())),
            },
            arrivals: raw.arrivals,
        });
    }
}
