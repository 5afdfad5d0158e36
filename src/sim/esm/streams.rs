//! The Kinesis and DynamoDB stream pollers (spec 5.3). Records are put on a shard (`stream_put`: the partition key's
//! MD5 hash range, or the item's keys), and each mapping reads each shard as one or more lanes
//! (`ParallelizationFactor`: by partition key), in order. A lane polls on its shard's tick grid (1/s Kinesis, 4/s
//! DynamoDB), gathers its current batch (filtering, `BatchSize`, 6 MB, the batching window, tumbling windows) and
//! hands it to the processor as a [`Batch`](super::Batch) (`lane_poll` → `lane_invoke` → `invoke_batch`). The
//! processor hands the result back to `lane_batch_result`: success checkpoints; a failure blocks the lane and
//! retries the batch until success, `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds` or retention, bisecting
//! with `BisectBatchOnFunctionError`; a partial response checkpoints before the lowest reported sequence number;
//! throttles retry outside the budget; discarded records leave an on-failure record (spec 3.3).

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{json, Value};

use super::records::{seq_text, stream_failure_record, stream_record, stream_view, Rec, DDB_EVENT_NAMES};
use super::{record_bytes, Attempt, BatchOwner, BatchResponse, EsmEv, EsmRt, RecordItem, BATCH_PAYLOAD_LIMIT};
use crate::aws::destinations;
use crate::aws::events;
use crate::kernel::rng;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{EsmSource, MappingId, Model, StartingPosition, StreamId, StreamKind, TargetKind};
use crate::sim::{Ev, Sim};
use crate::trace::{Ctx, MsgOrigin, Observer, TraceEvent};
use crate::vocab::{BatchResult, DeliveryFailure, RecordFate, RecordKind};

/// One ordered sequence of a stream mapping: a shard, or with `ParallelizationFactor` a partition-key lane of it.
pub(super) struct Lane {
    pub(super) mapping: MappingId,
    pub(super) stream: StreamId,
    pub(super) shard: u32,
    pub(super) pending: VecDeque<Rec>,
    /// Halves of bisected batches still to process, the next last (records, retries used).
    pub(super) splits: Vec<(Vec<Rec>, u32)>,
    /// The batch being processed (or retried) and its retries used.
    pub(super) current: Option<(Vec<Rec>, u32)>,
    pub(super) batch: Option<u32>,
    pub(super) poll_at: Option<SimTime>,
    pub(super) throttles: u32,
    pub(super) last_event: u64,
    /// The configuration (version) that ran the lane's last batch: the on-failure record's `executedVersion`.
    pub(super) last_config: u32,
    /// Phase of the poll ticks (each shard polls on its own grid).
    pub(super) phase: SimTime,
    /// `TumblingWindowInSeconds`: the open window's index and its state.
    pub(super) tumble: Option<(u64, Value)>,
    /// The current batch is the final invocation of the open window.
    pub(super) final_batch: bool,
    /// Failed invocations in a row, for the retry back-off (reset by a success).
    pub(super) failures: u32,
    /// The last failed invocation raised (or timed out, or crashed) rather than returning a response that failed
    /// the batch: the on-failure record's `responseContext.functionError` is `"Unhandled"`, else `null`.
    pub(super) unhandled: bool,
}

pub(super) struct ShardRt {
    pub(super) next_seq: u64,
    /// Records of a stream no mapping reads, until retention: (seq, arrival).
    pub(super) unread: VecDeque<(u64, SimTime)>,
    pub(super) expire_at: Option<SimTime>,
}
/// Kinesis polls each shard once a second, DynamoDB Streams four times (spec 5.3).
fn poll_interval(s: &crate::model::Stream) -> SimTime {
    if s.is_kafka() {
        // Kafka: Lambda's consumer fetches as records arrive (spec 5.5); the batching window does the waiting.
        SimTime::from_millis(1)
    } else if s.is_dynamodb() {
        SimTime::from_millis(250)
    } else {
        SimTime::from_secs(1)
    }
}

/// The Kinesis shard of a partition key: MD5 of the key as a 128-bit number, in equal hash-key ranges.
fn shard_of(key: &str, shards: u32) -> u32 {
    use md5::{Digest, Md5};
    let d = Md5::digest(key.as_bytes());
    let h = u128::from_be_bytes(d.into());
    let width = u128::MAX / u128::from(shards.max(1));
    ((h / width) as u32).min(shards - 1)
}

fn lane_of(pk: &str, pf: u32) -> u32 {
    if pf <= 1 {
        0
    } else {
        (crate::kernel::rng::fnv64(pk.as_bytes()) % u64::from(pf)) as u32
    }
}

/// The lanes of every stream mapping, and the first lane of each mapping (by mapping index).
pub(super) fn lanes(model: &Model) -> (Vec<Lane>, Vec<u32>) {
    let esm = &model.esm;
    let mut lanes = vec![];
    let mut lane_base = vec![];
    for (mi, m) in esm.mappings.iter().enumerate() {
        lane_base.push(lanes.len() as u32);
        if let EsmSource::Stream(s) = m.source {
            let st = esm.stream(s);
            let interval = poll_interval(st);
            for shard in 0..st.shards {
                let phase = SimTime::from_micros(splitmix(rng::stream_id(&st.arn, "poll-phase") ^ u64::from(shard)) % interval.as_micros());
                for _ in 0..m.parallelization {
                    lanes.push(Lane {
                        mapping: MappingId(mi as u32),
                        stream: s,
                        shard,
                        pending: VecDeque::new(),
                        splits: vec![],
                        current: None,
                        batch: None,
                        poll_at: None,
                        throttles: 0,
                        last_event: 0,
                        last_config: 0,
                        phase,
                        tumble: None,
                        final_batch: false,
                        failures: 0,
                        unhandled: false,
                    });
                }
            }
        }
    }
    (lanes, lane_base)
}

/// The shards of every stream, by stream index.
pub(super) fn shards(model: &Model) -> Vec<Vec<ShardRt>> {
    model
        .esm
        .streams
        .iter()
        .map(|s| (0..s.shards).map(|_| ShardRt { next_seq: 0, unread: VecDeque::new(), expire_at: None }).collect())
        .collect()
}

/// What the rules see of each record of a lane's current batch: its view, key, delivery count and sequence number
/// (the `itemIdentifier` of a partial response).
pub(super) fn decision_items(rt: &EsmRt, model: &Model, lane: u32) -> Vec<RecordItem> {
    let lane = &rt.lanes[lane as usize];
    let st = model.esm.stream(lane.stream);
    lane.current
        .as_ref()
        .map(|(recs, _)| {
            let m = model.esm.mapping(lane.mapping);
            recs.iter().map(|r| (stream_view(model, m, st, lane.shard, r), r.key, r.deliveries, seq_text(st, lane.shard, r.seq))).collect()
        })
        .unwrap_or_default()
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A lane's poll timer (if it is still the one armed).
    pub(super) fn on_lane_poll(&mut self, lane: u32) {
        let now = self.k.now();
        let l = &mut self.esm.lanes[lane as usize];
        if l.poll_at != Some(now) {
            return;
        }
        l.poll_at = None;
        self.lane_poll(lane);
    }

    /// A stream mapping polls again (enabled, or its function may run again): every lane with work wakes now.
    pub(super) fn lanes_resume(&mut self, mid: MappingId) {
        let lanes: Vec<u32> = (0..self.esm.lanes.len() as u32).filter(|l| self.esm.lanes[*l as usize].mapping == mid).collect();
        for l in lanes {
            let lane = &mut self.esm.lanes[l as usize];
            if lane.batch.is_none() && (!lane.pending.is_empty() || lane.current.is_some() || !lane.splits.is_empty()) {
                lane.poll_at = None;
                self.lane_wake(l, true);
            }
        }
    }

    pub(super) fn stream_put(&mut self, s: StreamId, data: Arc<Value>, pk: String, event_name: u8, key: u64) {
        let st = self.model.esm.stream(s);
        let shard_key = match &st.kind {
            StreamKind::Kinesis | StreamKind::Kafka { .. } | StreamKind::DocumentDb { .. } => pk,
            StreamKind::DynamoDb { keys, .. } => {
                keys.iter().map(|k| data.get(k).map(events::text).unwrap_or_default()).collect::<Vec<_>>().join("\u{1f}")
            }
        };
        let shard = shard_of(&shard_key, st.shards);
        self.stream_put_on(s, shard, data, shard_key, event_name, key, None);
    }

    /// Put a record on shard (or Kafka partition) `shard` of stream `s`: it is kept until retention when no mapping
    /// reads the stream, else each mapping's lane of the shard gets it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn stream_put_on(
        &mut self,
        s: StreamId,
        shard: u32,
        data: Arc<Value>,
        shard_key: String,
        event_name: u8,
        key: u64,
        kafka: Option<Arc<super::records::kafka::KafkaRec>>,
    ) {
        let model = self.model;
        let st = model.esm.stream(s);
        let now = self.k.now();
        self.last_activity = now;
        let sh = &mut self.esm.shards[s.ix()][shard as usize];
        let seq = sh.next_seq;
        sh.next_seq += 1;
        let size = destinations::json_size(&data) as u32;
        self.emit(TraceEvent::RecordPut { stream: s, shard, seq, size });
        if st.mappings.is_empty() {
            let sh = &mut self.esm.shards[s.ix()][shard as usize];
            sh.unread.push_back((seq, now));
            if sh.expire_at.is_none() {
                sh.expire_at = Some(now + st.retention);
                self.k.schedule_at(now + st.retention, Ev::Esm(EsmEv::ShardExpire { stream: s.0, shard }));
            }
            return;
        }
        // DynamoDB: the table keeps each key's item, so a MODIFY or REMOVE shows the previous one as `OldImage`.
        let old = match &st.kind {
            StreamKind::DynamoDb { view, .. } if view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES" => {
                let items = &mut self.esm.items[s.ix()];
                let k: Arc<str> = Arc::from(shard_key.as_str());
                if DDB_EVENT_NAMES[event_name as usize % 3] == "REMOVE" {
                    items.remove(&k)
                } else {
                    items.insert(k, Arc::clone(&data))
                }
            }
            _ => None,
        };
        let rec = Rec { seq, arrival: now, data, pk: Arc::from(shard_key.as_str()), size, key, event_name, old, deliveries: 0, kafka };
        for &mid in &st.mappings {
            let m = model.esm.mapping(mid);
            if let StartingPosition::AtTimestamp(ts) = m.starting {
                if now < ts {
                    self.emit(TraceEvent::RecordFate {
                        stream: s,
                        shard,
                        seq,
                        mapping: Some(mid),
                        fate: RecordFate::NotRead,
                        age: SimTime::ZERO,
                    });
                    continue;
                }
            }
            let lane = self.esm.lane_base[mid.ix()] + shard * m.parallelization + lane_of(&rec.pk, m.parallelization);
            self.esm.lanes[lane as usize].pending.push_back(rec.clone());
            self.lane_wake(lane, false);
        }
    }

    /// Schedule the lane's next poll on its shard's tick grid (or now + delay for retries).
    fn lane_wake(&mut self, lane: u32, immediate: bool) {
        let now = self.k.now();
        let l = &self.esm.lanes[lane as usize];
        if l.batch.is_some() {
            return;
        }
        if !immediate && l.throttles > 0 && l.current.is_some() && l.poll_at.is_some() {
            // A throttled batch waits out its back-off; new records do not shorten it (spec 5.3).
            return;
        }
        if !immediate && l.current.is_some() && l.poll_at.is_some() && self.model.esm.stream(l.stream).is_kafka() {
            // Kafka: a failed batch waits out its retry back-off; records arriving behind it do not shorten it.
            return;
        }
        let at = if immediate {
            now
        } else {
            let iv = poll_interval(self.model.esm.stream(l.stream)).as_micros();
            let ph = l.phase.as_micros();
            let t = now.as_micros();
            // The first tick at or after now.
            let k = if t <= ph { 0 } else { (t - ph).div_ceil(iv) };
            // Saturating: an arrival near the end of representable time must not overflow.
            SimTime::from_micros(ph.saturating_add(k.saturating_mul(iv)))
        };
        if l.poll_at.is_some_and(|p| p <= at) {
            return;
        }
        self.esm.lanes[lane as usize].poll_at = Some(at);
        self.k.schedule_at(at, Ev::Esm(EsmEv::LanePoll { lane }));
    }

    fn lane_poll(&mut self, lane: u32) {
        let model = self.model;
        let now = self.k.now();
        let (mid, s, shard) = {
            let l = &self.esm.lanes[lane as usize];
            (l.mapping, l.stream, l.shard)
        };
        if self.esm.lanes[lane as usize].batch.is_some() {
            return;
        }
        let m = model.esm.mapping(mid);
        let st = model.esm.stream(s);
        // Retention: records older than the stream keeps are gone (spec 5.3).
        self.lane_expire(lane);
        if !self.esm.enabled[mid.ix()] || self.reserved_zero(m.function) {
            // Not polling: wake up when the oldest record would expire, to record its fate.
            if let Some(r) = self.esm.lanes[lane as usize].pending.front() {
                let at = r.arrival + st.retention;
                self.esm.lanes[lane as usize].poll_at = Some(at);
                self.k.schedule_at(at, Ev::Esm(EsmEv::LanePoll { lane }));
            }
            return;
        }
        loop {
            let l = &mut self.esm.lanes[lane as usize];
            if l.current.is_none() {
                if let Some(half) = l.splits.pop() {
                    l.current = Some(half);
                } else {
                    // Tumbling windows (spec 5.3): a batch holds records of one window; once a window is over and
                    // its records are done, one final invocation (no records) carries its state.
                    let mut window: Option<u64> = None;
                    if let Some(w) = m.tumbling {
                        let w = w.as_micros();
                        let front = l.pending.front().map(|r| r.arrival.as_micros() / w);
                        if let Some((k, _)) = l.tumble {
                            if front.is_none_or(|f| f > k) {
                                if now.as_micros() >= (k + 1) * w {
                                    l.current = Some((vec![], 0));
                                    l.final_batch = true;
                                    break;
                                }
                                let at = SimTime::from_micros((k + 1) * w);
                                l.poll_at = Some(at);
                                self.k.schedule_at(at, Ev::Esm(EsmEv::LanePoll { lane }));
                                return;
                            }
                        }
                        window = front;
                    }
                    // A new batch: filter, then gather up to BatchSize / 6 MB, or wait for the batching window.
                    let mut recs = vec![];
                    let mut bytes = 0usize;
                    let mut filtered = vec![];
                    while let Some(r) = l.pending.front() {
                        if recs.len() >= m.batch_size as usize || (bytes > 0 && bytes + record_bytes(r.size) > BATCH_PAYLOAD_LIMIT) {
                            break;
                        }
                        if let (Some(k), Some(w)) = (window, m.tumbling) {
                            if r.arrival.as_micros() / w.as_micros() != k {
                                break;
                            }
                        }
                        // DocumentDB: changes of other collections are not the mapping's (spec 5.7).
                        let outside = super::records::docdb_outside(m, r);
                        if outside || !m.filters.is_empty() && !m.filters.iter().any(|f| f.matches(&stream_view(model, m, st, shard, r))) {
                            filtered.push(l.pending.pop_front().expect("front"));
                            continue;
                        }
                        bytes += record_bytes(r.size);
                        recs.push(l.pending.pop_front().expect("front"));
                    }
                    let window_open = m.window > SimTime::ZERO
                        && recs.len() < m.batch_size as usize
                        && bytes < BATCH_PAYLOAD_LIMIT
                        && recs.first().is_some_and(|r| now < r.arrival + m.window);
                    if window_open {
                        let at = recs[0].arrival + m.window;
                        for r in recs.into_iter().rev() {
                            l.pending.push_front(r);
                        }
                        l.poll_at = Some(at);
                        self.k.schedule_at(at, Ev::Esm(EsmEv::LanePoll { lane }));
                    } else if !recs.is_empty() {
                        l.current = Some((recs, 0));
                        if let (Some(k), None) = (window, &l.tumble) {
                            l.tumble = Some((k, json!({})));
                        }
                    }
                    for r in filtered {
                        self.emit(TraceEvent::RecordFate {
                            stream: s,
                            shard,
                            seq: r.seq,
                            mapping: Some(mid),
                            fate: RecordFate::Filtered,
                            age: now - r.arrival,
                        });
                    }
                    if self.esm.lanes[lane as usize].current.is_none() {
                        return;
                    }
                }
            }
            // Records past MaximumRecordAgeInSeconds or the retention are discarded from the batch (spec 5.3).
            let limit = match m.max_record_age {
                Some(a) => a.min(st.retention),
                None => st.retention,
            };
            let (recs, _) = self.esm.lanes[lane as usize].current.as_mut().expect("current batch");
            let old = recs.iter().take_while(|r| now - r.arrival >= limit).count();
            if old > 0 {
                let gone: Vec<Rec> = recs.drain(..old).collect();
                let fate =
                    if m.max_record_age.is_some_and(|a| a < st.retention) { RecordFate::RecordAgeExceeded } else { RecordFate::Expired };
                let empty = recs.is_empty();
                if empty {
                    self.esm.lanes[lane as usize].current = None;
                }
                self.discard(lane, gone, fate, None);
                if !self.esm.enabled[mid.ix()] {
                    // A DocumentDB mapping disabled by the expiry: it reads no more (its records wait for their fate).
                    return self.lane_poll(lane);
                }
                if empty {
                    continue;
                }
            }
            break;
        }
        self.lane_invoke(lane);
    }

    /// Drop records past retention from the front of a lane's pending records.
    fn lane_expire(&mut self, lane: u32) {
        let now = self.k.now();
        let l = &mut self.esm.lanes[lane as usize];
        let retention = self.model.esm.stream(l.stream).retention;
        let (s, shard, mid) = (l.stream, l.shard, l.mapping);
        let mut gone = vec![];
        while l.pending.front().is_some_and(|r| now - r.arrival >= retention) {
            gone.push(l.pending.pop_front().expect("front"));
        }
        let expired = !gone.is_empty();
        for r in gone {
            self.emit(TraceEvent::RecordFate {
                stream: s,
                shard,
                seq: r.seq,
                mapping: Some(mid),
                fate: RecordFate::Expired,
                age: now - r.arrival,
            });
        }
        if expired {
            self.docdb_expired(lane);
        }
    }

    /// Hand the lane's current batch to the processor: the records go as one event (with the tumbling window's
    /// fields), the attempt is the batch's retries + 1.
    fn lane_invoke(&mut self, lane: u32) {
        let model = self.model;
        let now = self.k.now();
        let (mid, s, shard, throttles) = {
            let l = &self.esm.lanes[lane as usize];
            (l.mapping, l.stream, l.shard, l.throttles)
        };
        let m = model.esm.mapping(mid);
        let st = model.esm.stream(s);
        let l = &mut self.esm.lanes[lane as usize];
        let (recs, retries) = l.current.as_mut().expect("current batch");
        for r in recs.iter_mut() {
            r.deliveries += 1;
        }
        let attempt = *retries + 1;
        let records: Vec<Value> = recs.iter().map(|r| stream_record(model, st, shard, r)).collect();
        let iterator_age = recs.last().map_or(SimTime::ZERO, |r| now - r.arrival);
        let key = recs.first().map_or(0, |r| r.key);
        let mut event = if st.is_kafka() {
            super::records::kafka::event(model, st, shard, recs)
        } else if st.is_docdb() {
            super::records::docdb_batch_event(model, m, st, recs)
        } else {
            json!({ "Records": records })
        };
        if let (Some(w), Some((k, state))) = (m.tumbling, &l.tumble) {
            // The tumbling-window event fields (DG with-kinesis.html, "Tumbling windows").
            let w = w.as_micros();
            event["window"] = json!({
                "start": destinations::iso_at(model.settings.start_epoch_ms, SimTime::from_micros(k * w)),
                "end": destinations::iso_at(model.settings.start_epoch_ms, SimTime::from_micros((k + 1) * w)),
            });
            event["state"] = state.clone();
            event["shardId"] = json!(st.shard_id(shard));
            event["eventSourceARN"] = json!(st.arn);
            event["isFinalInvokeForWindow"] = json!(l.final_batch);
            event["isWindowTerminatedEarly"] = json!(false);
        }
        let key = if recs.is_empty() { splitmix(u64::from(lane) ^ now.as_micros()) } else { key };
        let b = self.new_batch(mid, BatchOwner::Lane(lane), Arc::new(event), throttles);
        let bid = self.batch(b).id;
        self.esm.lanes[lane as usize].batch = Some(b);
        self.esm.lanes[lane as usize].last_event = self.next_event;
        let key = splitmix(key ^ splitmix(bid ^ 0x5c7e) ^ u64::from(attempt));
        self.invoke_batch(b, Attempt { shard, attempt, iterator_age, key });
    }

    // ----- results

    /// The processor's verdict on a lane's batch (spec 5.3): checkpoint what succeeded; block the lane and retry,
    /// bisect or discard what failed; back off a throttle; then poll again.
    pub(super) fn lane_batch_result(&mut self, b: u32, result: BatchResult, response: BatchResponse) {
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
    fn discard(&mut self, lane: u32, recs: Vec<Rec>, fate: RecordFate, invokes: Option<u32>) {
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
                c["payload"] = json!(super::records::kafka::event(model, st, shard, &recs).to_string());
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

    pub(super) fn on_shard_expire(&mut self, s: StreamId, shard: u32) {
        let now = self.k.now();
        let retention = self.model.esm.stream(s).retention;
        let sh = &mut self.esm.shards[s.ix()][shard as usize];
        if sh.expire_at != Some(now) {
            return;
        }
        sh.expire_at = None;
        let mut gone = vec![];
        while sh.unread.front().is_some_and(|(_, t)| now - *t >= retention) {
            gone.push(sh.unread.pop_front().expect("front"));
        }
        if let Some((_, t)) = sh.unread.front() {
            sh.expire_at = Some(*t + retention);
            self.k.schedule_at(*t + retention, Ev::Esm(EsmEv::ShardExpire { stream: s.0, shard }));
        }
        if !gone.is_empty() {
            self.last_activity = now;
        }
        for (seq, t) in gone {
            self.emit(TraceEvent::RecordFate { stream: s, shard, seq, mapping: None, fate: RecordFate::Expired, age: now - t });
        }
    }

    // ----- end of run

    /// Records still unread or in a lane when the run ends: `InFlight`, stream by stream, then lane by lane.
    pub(super) fn streams_finish(&mut self) {
        let now = self.k.now();
        for s in 0..self.esm.shards.len() {
            for shard in 0..self.esm.shards[s].len() {
                let unread: Vec<(u64, SimTime)> = self.esm.shards[s][shard].unread.drain(..).collect();
                for (seq, t) in unread {
                    self.emit(TraceEvent::RecordFate {
                        stream: StreamId(s as u32),
                        shard: shard as u32,
                        seq,
                        mapping: None,
                        fate: RecordFate::InFlight,
                        age: now - t,
                    });
                }
            }
        }
        for lane in 0..self.esm.lanes.len() {
            let l = &mut self.esm.lanes[lane];
            let (s, shard, mid) = (l.stream, l.shard, l.mapping);
            let mut all: Vec<Rec> = vec![];
            if let Some((c, _)) = l.current.take() {
                all.extend(c);
            }
            for (h, _) in l.splits.drain(..).rev() {
                all.extend(h);
            }
            all.extend(l.pending.drain(..));
            for r in all {
                self.emit(TraceEvent::RecordFate {
                    stream: s,
                    shard,
                    seq: r.seq,
                    mapping: Some(mid),
                    fate: RecordFate::InFlight,
                    age: now - r.arrival,
                });
            }
        }
    }
}
