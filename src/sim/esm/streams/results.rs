//! What a stream lane does with the processor's verdict on its batch (spec 5.3): checkpoint what succeeded; block
//! the lane and retry (with a back-off), bisect or discard what failed; back off a throttle; and the on-failure record
//! of a discarded range (spec 3.3), sent to its queue, topic or bus.

use std::sync::Arc;

use serde_json::{json, Value};

use super::super::records::{kafka, seq_text, stream_failure_record, stream_record, Rec};
use super::super::{BatchResponse, EsmEv};
use crate::aws::destinations;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{MappingId, StreamId, TargetKind};
use crate::sim::{Ev, Sim};
use crate::trace::{Ctx, MsgOrigin, Observer, TraceEvent};
use crate::vocab::{BatchResult, DeliveryFailure, RecordFate, RecordKind};

impl<'m, O: Observer> Sim<'m, O> {
    /// The processor's verdict on a lane's batch (spec 5.3): checkpoint what succeeded; block the lane and retry,
    /// bisect or discard what failed; back off a throttle; then poll again.
    pub(in crate::sim::esm) fn lane_batch_result(&mut self, b: u32, result: BatchResult, response: BatchResponse) {
        let model = self.model;
        let now = self.k.now();
        let bt = self.free_batch(b);
        let lane = bt.lane().expect("a lane's batch");
        let mid = bt.mapping;
        let m = model.esm.mapping(mid);
        let (s, shard) = {
            let l = &self.esm.lanes[lane as usize];
            (l.stream, l.shard)
        };
        let st = model.esm.stream(s);
        let l = &mut self.esm.lanes[lane as usize];
        l.batch = None;
        let (mut recs, retries) = l.current.take().expect("current batch");
        // Partial response: the lowest reported sequence number is the checkpoint (spec 5.3).
        let mut result = result;
        let mut done = 0usize;
        if let (BatchResult::Partial, BatchResponse::Failures(ids)) = (result, &response) {
            let pos: Option<usize> = ids.iter().filter_map(|id| recs.iter().position(|r| seq_text(st, shard, r.seq) == *id)).min();
            match pos {
                Some(p) => done = p,
                None => result = BatchResult::Failed,
            }
        }
        let failed = match result {
            BatchResult::Success => 0,
            BatchResult::Partial => recs.len() - done,
            _ => recs.len(),
        };
        self.emit(TraceEvent::BatchEnd { mapping: mid, batch: bt.id, event: bt.event, result, failed: failed as u32 });
        match result {
            BatchResult::Success => {
                let l = &mut self.esm.lanes[lane as usize];
                l.throttles = 0;
                l.failures = 0;
                if l.final_batch {
                    l.final_batch = false;
                    l.tumble = None;
                } else if let (Some(t), Some(state)) = (l.tumble.as_mut(), bt.state_out.clone()) {
                    t.1 = state;
                }
                self.processed(s, shard, mid, &recs);
                self.lane_wake(lane, true);
            }
            BatchResult::Throttled => {
                // Throttles do not use the retry budget; back off and retry until the records expire (spec 5.3).
                let l = &mut self.esm.lanes[lane as usize];
                l.throttles += 1;
                l.current = Some((recs, retries));
                let delay = SimTime::from_secs(1u64 << (l.throttles - 1).min(6));
                l.poll_at = Some(now + delay);
                self.k.schedule_at(now + delay, Ev::Esm(EsmEv::LanePoll { lane }));
            }
            BatchResult::Partial | BatchResult::Failed if self.esm.lanes[lane as usize].final_batch => {
                // A failed final window invocation is retried like a batch, until the retry budget or the
                // window's retention is over.
                let l = &mut self.esm.lanes[lane as usize];
                l.throttles = 0;
                let used = retries + 1;
                let end = l.tumble.as_ref().map_or(now, |(k, _)| SimTime::from_micros((k + 1) * m.tumbling.map_or(1, |w| w.as_micros())));
                if m.max_retries.is_some_and(|max| used > max) || now >= end + st.retention {
                    l.final_batch = false;
                    l.tumble = None;
                } else {
                    l.current = Some((vec![], used));
                }
                self.lane_wake(lane, false);
            }
            BatchResult::Partial | BatchResult::Failed => {
                self.esm.lanes[lane as usize].throttles = 0;
                let rest = recs.split_off(done);
                self.processed(s, shard, mid, &recs);
                let mut recs = rest;
                let bisect = m.bisect && result == BatchResult::Failed && recs.len() > 1;
                // After a partial response moved the checkpoint, the failing record starts a new batch with a fresh
                // retry budget (recorded on AWS for Kinesis and DynamoDB: with `MaximumRetryAttempts` 3 the failing
                // record was in 5 invocations and its record says `approximateInvokeCount` 4; conformance KIN-PBR).
                let retries = if done > 0 { 0 } else { retries };
                let used = if done > 0 {
                    0
                } else if bisect && !model.esm.bisect_counts_as_retry {
                    retries
                } else {
                    retries + 1
                };
                if !bisect && m.max_retries.is_some_and(|max| used > max) {
                    self.discard(lane, recs, RecordFate::RetriesExhausted, Some(used));
                } else if bisect {
                    // Split in two before retrying; splits do not use the retry budget (spec 5.3, KIN-ONF).
                    let second = recs.split_off(recs.len() / 2);
                    let l = &mut self.esm.lanes[lane as usize];
                    l.splits.push((second, used));
                    l.current = Some((recs, used));
                } else {
                    self.esm.lanes[lane as usize].current = Some((recs, used));
                }
                self.lane_retry(lane);
            }
        }
    }

    /// Retry a failed batch after a back-off that doubles with each failure in a row (the recording of
    /// `MaximumRetryAttempts` -1 with `MaximumRecordAgeInSeconds` 60 shows 8 invocations before `RecordAgeExceeded`,
    /// not one per poll; `Simulation.StreamRetryInitialBackoffSeconds` and `StreamRetryMaxBackoffSeconds`, spec 5.3).
    fn lane_retry(&mut self, lane: u32) {
        let now = self.k.now();
        let esm = &self.model.esm;
        let l = &mut self.esm.lanes[lane as usize];
        l.failures += 1;
        if l.current.is_none() && l.splits.is_empty() {
            // Nothing left to retry (all discarded): read on.
            l.failures = 0;
            self.lane_wake(lane, false);
            return;
        }
        let doubling = esm.retry_backoff_initial.as_micros().saturating_mul(1u64 << (l.failures - 1).min(40));
        let delay = SimTime::from_micros(doubling.min(esm.retry_backoff_max.as_micros()));
        let at = now + delay;
        if l.poll_at.is_some_and(|p| p <= at && p >= now) {
            return;
        }
        l.poll_at = Some(at);
        self.k.schedule_at(at, Ev::Esm(EsmEv::LanePoll { lane }));
    }

    fn processed(&mut self, s: StreamId, shard: u32, mid: MappingId, recs: &[Rec]) {
        let now = self.k.now();
        for r in recs {
            self.emit(TraceEvent::RecordFate {
                stream: s,
                shard,
                seq: r.seq,
                mapping: Some(mid),
                fate: RecordFate::Processed,
                age: now - r.arrival,
            });
        }
    }

    /// Discard records with their fate, and send the on-failure record of the range (spec 3.3).
    pub(super) fn discard(&mut self, lane: u32, recs: Vec<Rec>, fate: RecordFate, invokes: Option<u32>) {
        if recs.is_empty() {
            return;
        }
        let model = self.model;
        let now = self.k.now();
        let (mid, s, shard, event, config) = {
            let l = &self.esm.lanes[lane as usize];
            (l.mapping, l.stream, l.shard, l.last_event, l.last_config)
        };
        let m = model.esm.mapping(mid);
        for r in &recs {
            self.emit(TraceEvent::RecordFate { stream: s, shard, seq: r.seq, mapping: Some(mid), fate, age: now - r.arrival });
        }
        if fate == RecordFate::Expired {
            self.docdb_expired(lane);
        }
        if m.on_failure.is_none() && m.on_failure_topic.is_none() {
            return;
        }
        let st = model.esm.stream(s);
        let condition = match fate {
            RecordFate::RetriesExhausted => "RetryAttemptsExhausted",
            _ => model.esm.record_age_condition.as_str(),
        };
        // At least 1, even for a record the function never saw (recorded on AWS, conformance KIN-AGE).
        let invoke_count = invokes.unwrap_or_else(|| recs.iter().map(|r| r.deliveries).max().unwrap_or(0)).max(1);
        // `responseContext` only for records given up after retries; `functionError` is null when the function
        // returned normally but the batch failed (conformance KIN-PBR, DDB-PBR).
        let response = match fate {
            RecordFate::RetriesExhausted => Some(self.esm.lanes[lane as usize].unhandled),
            _ => None,
        };
        let record = stream_failure_record(
            model,
            self.seed,
            st,
            shard,
            &recs,
            condition,
            invoke_count,
            response,
            (m.function, m.qualifier, config),
            event,
            now,
        );
        let Some(target) = m.on_failure else {
            // A Kafka topic (spec 5.5).
            if let Some(to) = m.on_failure_topic {
                self.kafka_dead_letter(to, (s, shard), &recs, record, event);
            }
            return;
        };
        let tk = model.target(target).kind;
        let content = if tk == TargetKind::S3 {
            // S3 targets also get the original event, as a JSON object (`payload.Records`, recorded on AWS,
            // conformance KIN-S3; spec 3.3).
            let mut c = record;
            if st.is_kafka() {
                // Kafka: the whole event as an escaped JSON string (DG with-msk-on-failure.html, S3 example).
                c["payload"] = json!(kafka::event(model, st, shard, &recs).to_string());
            } else {
                let records: Vec<Value> = recs.iter().map(|r| stream_record(model, st, shard, r)).collect();
                c["payload"] = json!({ "Records": records });
            }
            c
        } else {
            record
        };
        let failure = match tk {
            TargetKind::Sqs { fifo: true } | TargetKind::Sns { fifo: true } => Some(DeliveryFailure::FifoNotSupported),
            TargetKind::Sqs { .. } if destinations::json_size(&content) > crate::model::SQS_MESSAGE_LIMIT => {
                Some(DeliveryFailure::TooLarge)
            }
            TargetKind::Sns { .. } if destinations::json_size(&content) > crate::model::SNS_MESSAGE_LIMIT => {
                Some(DeliveryFailure::TooLarge)
            }
            _ => None,
        };
        let ev = TraceEvent::Delivered { event, function: m.function, target, kind: RecordKind::OnFailure, failure };
        let ctx = Ctx { model, seed: self.seed, content: if failure.is_none() { Some(&content) } else { None } };
        self.obs.on_event(now, &ev, &ctx);
        if failure.is_none() {
            if let Some(q) = model.esm.queue_of_target[target.ix()] {
                let body: Arc<str> = Arc::from(serde_json::to_string(&content).unwrap_or_default());
                self.sqs_send(q, body, MsgOrigin::Record { event }, splitmix(event ^ 0x0f_a11), None, None, None);
            }
            if let Some(h) = model.fanout.hub_of_target[target.ix()] {
                self.publish_record(h, target, RecordKind::OnFailure, &content, m.function, event, 0, splitmix(event ^ 0x0f_a12));
            }
        }
    }
}
