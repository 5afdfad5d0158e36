//! Amazon Data Firehose data transformation at run time: records put into a delivery stream are buffered, and
//! Firehose invokes the transformation function synchronously with each buffered batch, reads its response, retries
//! failed invocations and sends every record to its one fate.
//!
//! AWS behaviour, with its sources:
//! - Buffering: Firehose buffers incoming data up to the processor's `BufferSizeInMBs` (0.2–3 MB, default 1) or
//!   `BufferIntervalInSeconds` (0–900, default 60), whichever comes first, then invokes the function synchronously
//!   with the batch (<https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html>). A batch never exceeds
//!   the 6 MB synchronous invocation payload (spec section 1): the buffer is flushed before a record would push the
//!   event (base64 data and record fields) over it.
//! - The event: `invocationId`, `deliveryStreamArn`, `region`, `records[{recordId, approximateArrivalTimestamp,
//!   data}]` (src/sources.rs `firehose`; <https://docs.aws.amazon.com/lambda/latest/dg/services-kinesisfirehose.html>).
//! - The response: one record per input record with its `recordId`, `result` `Ok` / `Dropped` / `ProcessingFailed`
//!   and base64 `data`; anything else is a transformation failure of the invocation (`events::firehose_result`;
//!   <https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html>).
//! - Failures: a failed invocation is retried `NumberOfRetries` times (default 3), then the batch is skipped and its
//!   records are unsuccessfully processed; those and `ProcessingFailed` records go to the S3 error output
//!   (`processing-failed/`) as `{attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
//!   rawData, lambdaArn}` (<https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html>).
//!   The delay between retries is not published: `Simulation.FirehoseRetryDelaySeconds` (default 1 s, \[unc\]).
//!
//! The invocation goes through `invoke_sync`, so concurrency, throttles (429), cold starts, timeouts and billing
//! apply. The function's rules decide per record, as a handler looping over `records` would: a rule sees
//! `{"recordId", "approximateArrivalTimestamp", "data": <decoded data, parsed as JSON when it is JSON>}`;
//! `When.Attempt` is the batch's invocation count. A succeeding rule's `Response` may set the record's `result`
//! (`{"result": "Dropped"}`) and its transformed `data`; a `Response` with `records` is the whole response (to test
//! malformed responses). A failing, timing-out or crashing record fails the invocation.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Map, Value};

use super::{Ev, Sim};
use crate::aws::destinations::{self, Cause};
use crate::aws::events;
use crate::kernel::rng;
use crate::kernel::rng::{splitmix, uniform};
use crate::kernel::time::SimTime;
use crate::model::firehose::MAX_RECORD_BYTES;
use crate::model::{Model, SYNC_PAYLOAD_LIMIT};
use crate::trace::{Ctx, Observer, Origin, TraceEvent};
use crate::vocab::OutcomeKind;
use crate::vocab::{Fate, FirehoseFate, FirehoseInvokeResult, Outcome};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Bytes of the event around its records (invocation id, stream ARN, region), an upper bound.
const ENVELOPE_BYTES: usize = 512;

/// Bytes one record of `n` data bytes takes in the event: base64 data and the record's fields, an upper bound.
fn record_event_bytes(n: usize) -> usize {
    n.div_ceil(3) * 4 + 160
}

/// Kernel events of the delivery streams.
#[derive(Debug, Clone, Copy)]
pub(super) enum FhEv {
    /// A stream's buffering interval is over (if the buffer is still the same: `gen`).
    Flush { stream: u32, gen: u32 },
    /// A failed batch is invoked again.
    Retry { batch: u32 },
}

/// A record's fate after a valid response, with its transformed data (`Ok` records).
type RecordResult = (FirehoseFate, Option<String>);

struct Rec {
    id: u64,
    data: Arc<str>,
    arrived: SimTime,
    /// Identity for the record's own random draws (rules with a probability).
    key: u64,
}

#[derive(Default)]
struct Buffer {
    recs: Vec<Rec>,
    bytes: u64,
    event_bytes: usize,
    gen: u32,
}

struct Batch {
    stream: u32,
    id: u64,
    recs: Vec<Rec>,
    record_ids: Vec<String>,
    payload: Arc<Value>,
    size: usize,
    key: u64,
    attempts: u32,
    event: u64,
    /// The running attempt's response (set when the attempt is decided).
    response: Option<Value>,
}

/// The run-time state of every delivery stream.
pub(super) struct FhRt {
    buffers: Vec<Buffer>,
    batches: Vec<Option<Batch>>,
    free: Vec<u32>,
    next_record: u64,
    next_batch: u64,
    /// Per stream: salt of its batch keys.
    salts: Vec<u64>,
}

impl FhRt {
    pub(super) fn new(model: &Model) -> FhRt {
        FhRt {
            buffers: model.firehose.streams.iter().map(|_| Buffer::default()).collect(),
            batches: vec![],
            free: vec![],
            next_record: 0,
            next_batch: 0,
            salts: model.firehose.streams.iter().map(|s| rng::stream_id(&s.arn, "firehose-batch")).collect(),
        }
    }
}

fn epoch_ms(model: &Model, t: SimTime) -> i64 {
    model.settings.start_epoch_ms + (t.as_micros() / 1000) as i64
}

/// The record's data as a handler sees it after decoding: JSON when it parses, else the text.
fn data_view(data: &str) -> Value {
    serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_string()))
}

impl<'m, O: Observer> Sim<'m, O> {
    pub(super) fn on_firehose(&mut self, ev: FhEv) {
        match ev {
            FhEv::Flush { stream, gen } => {
                if self.fh.buffers[stream as usize].gen == gen {
                    self.last_activity = self.k.now();
                    self.firehose_flush(stream);
                }
            }
            FhEv::Retry { batch } => {
                self.last_activity = self.k.now();
                self.firehose_invoke(batch);
            }
        }
    }

    /// PutRecord of arrival `n` of producer `pi` (with its key, from the arrival driver): the record enters the
    /// stream's buffer (or, without a transformation, is delivered).
    pub(super) fn firehose_put(&mut self, pi: usize, n: u64, key: u64) {
        let model = self.model;
        let p = &model.firehose.producers[pi];
        let s = p.stream;
        let ds = model.firehose.stream(s);
        let now = self.k.now();
        self.last_activity = now;
        // The data as the producer wrote it (Firehose hands on the bytes put; conformance FIREHOSE-DATA-BYTES).
        let seq = self.next_event;
        let data: Arc<str> = p.template.written(n, seq).unwrap_or_else(|| Arc::from(events::text(&p.template.instantiate(n, seq))));
        let rec = Rec { id: self.fh.next_record, data, arrived: now, key };
        self.fh.next_record += 1;
        self.emit(TraceEvent::FirehoseRecordPut { stream: s, record: rec.id, size: rec.data.len().min(u32::MAX as usize) as u32 });
        if rec.data.len() > MAX_RECORD_BYTES {
            // PutRecord refuses records over 1,000 KiB (ServiceUnavailable is not modelled; this is a 400).
            self.firehose_fate(s, &rec, FirehoseFate::TooLarge, 0, None);
            return;
        }
        if ds.lambda.is_none() {
            let content = self.needs_content.then(|| data_view(&rec.data));
            self.firehose_fate(s, &rec, FirehoseFate::Delivered, 0, content);
            return;
        }
        let eb = record_event_bytes(rec.data.len());
        let buf = &self.fh.buffers[s as usize];
        if !buf.recs.is_empty() && buf.event_bytes + eb > SYNC_PAYLOAD_LIMIT {
            // The batch would exceed the 6 MB synchronous payload (spec section 1): invoke what is buffered first.
            self.firehose_flush(s);
        }
        let buf = &mut self.fh.buffers[s as usize];
        if buf.recs.is_empty() {
            // The buffering interval runs from the first buffered record.
            buf.event_bytes = ENVELOPE_BYTES;
            buf.gen = buf.gen.wrapping_add(1);
            let gen = buf.gen;
            self.k.schedule_at(now + ds.buffer_interval, Ev::Firehose(FhEv::Flush { stream: s, gen }));
        }
        let buf = &mut self.fh.buffers[s as usize];
        buf.bytes += rec.data.len() as u64;
        buf.event_bytes += eb;
        buf.recs.push(rec);
        if buf.bytes >= ds.buffer_bytes {
            self.firehose_flush(s);
        }
    }

    /// The buffer becomes a batch and is invoked.
    fn firehose_flush(&mut self, s: u32) {
        let model = self.model;
        let ds = model.firehose.stream(s);
        let now = self.k.now();
        let buf = &mut self.fh.buffers[s as usize];
        if buf.recs.is_empty() {
            return;
        }
        let recs = std::mem::take(&mut buf.recs);
        buf.bytes = 0;
        buf.event_bytes = 0;
        // A pending interval timer no longer applies.
        buf.gen = buf.gen.wrapping_add(1);
        let id = self.fh.next_batch;
        self.fh.next_batch += 1;
        let key = splitmix(self.fh.salts[s as usize] ^ splitmix(id));
        let items = Value::Array(recs.iter().map(|r| Value::String(r.data.to_string())).collect());
        let options = json!({ "DeliveryStreamArn": ds.arn });
        let ctx = events::EventCtx {
            region: &model.region,
            account_id: &model.account_id,
            epoch_ms: epoch_ms(model, now),
            key,
            n: id,
            options: &options,
            payload: &items,
        };
        let mut event = events::build_event(events::SourceKind::Firehose, &ctx);
        let mut record_ids = Vec::with_capacity(recs.len());
        if let Some(Value::Array(rs)) = event.get_mut("records") {
            for (r, rec) in rs.iter_mut().zip(&recs) {
                // Each record carries the time Firehose received it.
                r["approximateArrivalTimestamp"] = json!(epoch_ms(model, rec.arrived));
                record_ids.push(r.get("recordId").and_then(Value::as_str).unwrap_or_default().to_string());
            }
        }
        let size = destinations::json_size(&event);
        let batch = Batch { stream: s, id, recs, record_ids, payload: Arc::new(event), size, key, attempts: 0, event: 0, response: None };
        let b = match self.fh.free.pop() {
            Some(b) => {
                self.fh.batches[b as usize] = Some(batch);
                b
            }
            None => {
                self.fh.batches.push(Some(batch));
                (self.fh.batches.len() - 1) as u32
            }
        };
        self.firehose_invoke(b);
    }

    /// One invocation of a batch (the first, or a retry).
    fn firehose_invoke(&mut self, b: u32) {
        let model = self.model;
        let event = self.next_event;
        let (s, id, n, attempt, payload, size, key) = {
            let bt = self.fh.batches[b as usize].as_mut().expect("live Firehose batch");
            bt.attempts += 1;
            bt.event = event;
            bt.response = None;
            (bt.stream, bt.id, bt.recs.len() as u32, bt.attempts, Arc::clone(&bt.payload), bt.size, bt.key)
        };
        self.emit(TraceEvent::FirehoseInvoke { stream: s, batch: id, event, records: n, attempt });
        let (f, q) = model.firehose.stream(s).lambda.expect("a transforming stream");
        debug_assert!(size <= SYNC_PAYLOAD_LIMIT, "Firehose batch of {size} bytes");
        let key = splitmix(key ^ splitmix(u64::from(attempt) ^ 0xf12e));
        self.invoke_sync(f, q, payload.into(), size, Origin::Firehose { stream: s, batch: id }, key, super::Caller::Firehose(b));
    }

    /// The batch's invocation has its fate (called from `finish`).
    pub(super) fn firehose_done(&mut self, b: u32, fate: Fate) {
        if fate == Fate::InFlight {
            return;
        }
        let model = self.model;
        let now = self.k.now();
        let bt = self.fh.batches[b as usize].as_mut().expect("live Firehose batch");
        let response = bt.response.take();
        let (s, id, event, attempts) = (bt.stream, bt.id, bt.event, bt.attempts);
        let ds = model.firehose.stream(s);
        // Per record: Ok with the transformed data, Dropped, or ProcessingFailed; or why the invocation failed.
        let outcome: Result<Vec<RecordResult>, (FirehoseInvokeResult, String)> = match fate {
            Fate::Succeeded => {
                let resp = response.unwrap_or(Value::Null);
                match events::firehose_result(&resp, &bt.record_ids) {
                    Ok(_) => {
                        let pos: BTreeMap<&str, usize> = bt.record_ids.iter().enumerate().map(|(i, x)| (x.as_str(), i)).collect();
                        let mut out = vec![(FirehoseFate::ProcessingFailed, None); bt.recs.len()];
                        for r in resp.get("records").and_then(Value::as_array).into_iter().flatten() {
                            let Some(&i) = r.get("recordId").and_then(Value::as_str).and_then(|x| pos.get(x)) else { continue };
                            out[i] = match r.get("result").and_then(Value::as_str) {
                                Some("Ok") => {
                                    let data = r.get("data").and_then(Value::as_str).and_then(|d| B64.decode(d).ok());
                                    (FirehoseFate::Delivered, data.map(|d| String::from_utf8_lossy(&d).into_owned()))
                                }
                                Some("Dropped") => (FirehoseFate::Dropped, None),
                                _ => (FirehoseFate::ProcessingFailed, None),
                            };
                        }
                        Ok(out)
                    }
                    Err(m) => Err((FirehoseInvokeResult::InvalidResponse, m)),
                }
            }
            Fate::Throttled => Err((FirehoseInvokeResult::Throttled, "Rate Exceeded.".to_string())),
            _ => Err((FirehoseInvokeResult::FunctionError, "The Lambda function invocation failed".to_string())),
        };
        match outcome {
            Ok(per_record) => {
                self.emit(TraceEvent::FirehoseInvokeEnd { stream: s, batch: id, event, result: FirehoseInvokeResult::Ok, retry_in: None });
                let bt = self.fh.batches[b as usize].take().expect("live Firehose batch");
                self.fh.free.push(b);
                for (rec, (fate, data)) in bt.recs.iter().zip(per_record) {
                    let content = match fate {
                        _ if !self.needs_content => None,
                        FirehoseFate::Delivered => Some(data_view(data.as_deref().unwrap_or_default())),
                        FirehoseFate::ProcessingFailed => Some(self.firehose_error_record(
                            s,
                            rec,
                            attempts,
                            FirehoseInvokeResult::Ok.error_code(),
                            "The record was marked ProcessingFailed by the Lambda function",
                        )),
                        _ => None,
                    };
                    self.firehose_fate(s, rec, fate, attempts, content);
                }
            }
            Err((result, _)) if attempts <= ds.retries => {
                let delay = model.firehose.retry_delay;
                self.emit(TraceEvent::FirehoseInvokeEnd { stream: s, batch: id, event, result, retry_in: Some(delay) });
                self.k.schedule_at(now + delay, Ev::Firehose(FhEv::Retry { batch: b }));
            }
            Err((result, message)) => {
                // Retries exhausted: Firehose skips the batch; every record is unsuccessfully processed.
                self.emit(TraceEvent::FirehoseInvokeEnd { stream: s, batch: id, event, result, retry_in: None });
                let bt = self.fh.batches[b as usize].take().expect("live Firehose batch");
                self.fh.free.push(b);
                for rec in &bt.recs {
                    let content = self.needs_content.then(|| self.firehose_error_record(s, rec, attempts, result.error_code(), &message));
                    self.firehose_fate(s, rec, FirehoseFate::ProcessingFailed, attempts, content);
                }
            }
        }
    }

    /// A record of the S3 error output (`processing-failed/`), as the failure-handling page gives it.
    fn firehose_error_record(&self, s: u32, rec: &Rec, attempts: u32, code: &str, message: &str) -> Value {
        let model = self.model;
        json!({
            "attemptsMade": attempts,
            "arrivalTimestamp": epoch_ms(model, rec.arrived),
            "errorCode": code,
            "errorMessage": message,
            "attemptEndingTimestamp": epoch_ms(model, self.k.now()),
            "rawData": B64.encode(rec.data.as_bytes()),
            "lambdaArn": model.firehose.stream(s).lambda_arn,
        })
    }

    fn firehose_fate(&mut self, s: u32, rec: &Rec, fate: FirehoseFate, attempts: u32, content: Option<Value>) {
        let now = self.k.now();
        let ev = TraceEvent::FirehoseRecordFate { stream: s, record: rec.id, fate, attempts, age: now - rec.arrived };
        let ctx = Ctx { model: self.model, seed: self.seed, content: content.as_ref() };
        self.obs.on_event(now, &ev, &ctx);
    }

    /// The end of a run: records still buffered or in a batch are in flight.
    pub(super) fn firehose_finish(&mut self) {
        for b in 0..self.fh.batches.len() {
            if let Some(bt) = self.fh.batches[b].take() {
                for rec in &bt.recs {
                    self.firehose_fate(bt.stream, rec, FirehoseFate::InFlight, bt.attempts, None);
                }
            }
        }
        for s in 0..self.fh.buffers.len() {
            let recs = std::mem::take(&mut self.fh.buffers[s].recs);
            for rec in &recs {
                self.firehose_fate(s as u32, rec, FirehoseFate::InFlight, 0, None);
            }
        }
    }
}

// ----- per-record decisions (called from `start_attempt`)

/// The response of a batch's invocation when real handler code answered (`src/sim/lambda/handled.rs`).
pub(super) fn set_response(rt: &mut FhRt, b: u32, response: Value) {
    if let Some(bt) = rt.batches[b as usize].as_mut() {
        bt.response = Some(response);
    }
}

/// Records in a batch (the duration per record scales with it).
pub(super) fn batch_records(rt: &FhRt, b: u32) -> u64 {
    rt.batches[b as usize].as_ref().map_or(0, |bt| bt.recs.len() as u64)
}

/// Decide a batch invocation's outcome: each record picks its rule as a handler looping over `records` would, and the
/// response is built record by record. Returns (outcome, cause, response size, deciding rule).
pub(super) fn decide(
    rt: &mut FhRt,
    model: &Model,
    rules: &[crate::model::Rule],
    b: u32,
    seed: u64,
    salt: u64,
) -> (Outcome, Cause, u32, Option<usize>) {
    let bt = rt.batches[b as usize].as_mut().expect("live Firehose batch");
    let attempt = bt.attempts;
    let mut out = Vec::with_capacity(bt.recs.len());
    let mut explicit: Option<Value> = None;
    let mut first_ok_rule = None;
    for (rec, rid) in bt.recs.iter().zip(&bt.record_ids) {
        let view = json!({
            "recordId": rid,
            "approximateArrivalTimestamp": epoch_ms(model, rec.arrived),
            "data": data_view(&rec.data),
        });
        let mut result = Value::String("Ok".into());
        let mut data = None;
        for (ri, r) in rules.iter().enumerate() {
            if attempt < r.attempt_min || attempt > r.attempt_max {
                continue;
            }
            if let Some(p) = &r.pattern {
                if !p.matches(&view) {
                    continue;
                }
            }
            if let Some(pr) = r.probability {
                let purpose = 0x70 + ((ri as u64) << 16) + (u64::from(attempt) << 32);
                if uniform(seed, salt, rec.key, purpose) >= pr {
                    continue;
                }
            }
            match r.outcome {
                OutcomeKind::Succeed => {
                    first_ok_rule.get_or_insert(ri);
                    if r.response.get("records").is_some() {
                        explicit.get_or_insert_with(|| r.response.as_ref().clone());
                    }
                    if let Some(x) = r.response.get("result") {
                        result = x.clone();
                    }
                    data = r.response.get("data").map(events::text);
                }
                // The handler throws (or times out, or crashes): the invocation fails.
                OutcomeKind::Fail => return (Outcome::Error, Cause::Rule(ri as u32), 4, Some(ri)),
                OutcomeKind::Timeout => return (Outcome::Timeout, Cause::Rule(ri as u32), 4, Some(ri)),
                OutcomeKind::Crash => return (Outcome::Crash, Cause::Rule(ri as u32), 4, Some(ri)),
            }
            break;
        }
        let data = data.as_deref().unwrap_or(&rec.data);
        let mut o = Map::new();
        o.insert("recordId".into(), json!(rid));
        o.insert("result".into(), result);
        o.insert("data".into(), json!(B64.encode(data.as_bytes())));
        out.push(Value::Object(o));
    }
    let response = explicit.unwrap_or_else(|| json!({ "records": out }));
    let size = destinations::json_size(&response).min(u32::MAX as usize) as u32;
    bt.response = Some(response);
    (Outcome::Success, Cause::Default, size, first_ok_rule)
}
