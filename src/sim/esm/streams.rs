//! The Kinesis and DynamoDB stream pollers (spec 5.3). Records are put on a shard (`stream_put`: the partition key's
//! MD5 hash range, or the item's keys), and each mapping reads each shard as one or more lanes
//! (`ParallelizationFactor`: by partition key), in order. A lane polls on its shard's tick grid (1/s Kinesis, 4/s
//! DynamoDB), gathers its current batch (filtering, `BatchSize`, 6 MB, the batching window, tumbling windows) and
//! hands it to the processor as a [`Batch`](super::Batch) (`lane_poll` → `lane_invoke` → `invoke_batch`). The
//! processor hands the result back to `lane_batch_result`: success checkpoints; a failure blocks the lane and
//! retries the batch until success, `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds` or retention, bisecting
//! with `BisectBatchOnFunctionError`; a partial response checkpoints before the lowest reported sequence number;
//! throttles retry outside the budget; discarded records leave an on-failure record (spec 3.3). What a lane does
//! with a verdict is in `streams/results.rs`.

mod results;

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{json, Value};

use super::records::{kinesis_record_size, records_event_size, seq_text, stream_event, stream_view, Rec, DDB_EVENT_NAMES};
use super::{record_bytes, Attempt, BatchOwner, EsmEv, EsmRt, RecordItem, BATCH_PAYLOAD_LIMIT};
use crate::aws::events;
use crate::aws::payload::{json_len, Payload};
use crate::kernel::rng;
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{EsmSource, MappingId, Model, StartingPosition, StreamId, StreamKind};
use crate::sim::{Ev, Sim};
use crate::trace::{Observer, TraceEvent};
use crate::vocab::RecordFate;

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

/// What the rules see of each record of a lane's current batch: its view (with `views`), key and delivery count.
pub(super) fn decision_items(rt: &EsmRt, model: &Model, lane: u32, views: bool) -> Vec<RecordItem> {
    let lane = &rt.lanes[lane as usize];
    let st = model.esm.stream(lane.stream);
    let m = model.esm.mapping(lane.mapping);
    let recs = lane.current.as_ref().map_or(&[][..], |(recs, _)| recs.as_slice());
    recs.iter().map(|r| (views.then(|| stream_view(model, m, st, lane.shard, r)), r.key, r.deliveries)).collect()
}

/// The sequence number of each record of [`decision_items`] (the `itemIdentifier` of a partial response).
pub(super) fn item_ids(rt: &EsmRt, model: &Model, lane: u32) -> Vec<String> {
    let lane = &rt.lanes[lane as usize];
    let st = model.esm.stream(lane.stream);
    let recs = lane.current.as_ref().map_or(&[][..], |(recs, _)| recs.as_slice());
    recs.iter().map(|r| seq_text(st, lane.shard, r.seq)).collect()
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

    pub(super) fn stream_put(&mut self, s: StreamId, data: Payload, pk: String, event_name: u8, key: u64) {
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
        data: Payload,
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
        // The record's bytes: the data as written, else its compact JSON.
        let size = data.text.as_ref().map_or_else(|| json_len(&*data.value), |t| t.len()) as u32;
        let Payload { value: data, text } = data;
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
        let pk = Arc::from(shard_key.as_str());
        let rec = Rec { seq, arrival: now, data, text, pk, size, key, event_name, old, deliveries: 0, kafka };
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
        let iterator_age = recs.last().map_or(SimTime::ZERO, |r| now - r.arrival);
        let key = recs.first().map_or(0, |r| r.key);
        let read = self.batch_read(m.function);
        let l = &self.esm.lanes[lane as usize];
        let recs = &l.current.as_ref().expect("current batch").0;
        // Kinesis without tumbling windows: the event's size from its records when nothing reads the event.
        let lazy = st.kind == StreamKind::Kinesis && m.tumbling.is_none() && !read;
        let event = if lazy {
            let (shard_id, role) = (st.shard_id(shard).len(), self.esm.kinesis_role.len());
            let sizes = recs.iter().map(|r| kinesis_record_size(model, st, shard_id, role, r).expect("a Kinesis record"));
            let size = records_event_size(sizes);
            #[cfg(debug_assertions)]
            {
                let v = json!({ "Records": recs.iter().map(|r| super::records::stream_record(model, st, shard, r)).collect::<Vec<_>>() });
                assert_eq!(size, json_len(&v), "computed size of {v}");
            }
            (Payload::unread(), size)
        } else {
            let v = stream_event(model, m, st, shard, recs, (l.tumble.as_ref(), l.final_batch));
            let size = json_len(&v);
            (Payload::from(Arc::new(v)), size)
        };
        let key = if recs.is_empty() { splitmix(u64::from(lane) ^ now.as_micros()) } else { key };
        let b = self.new_batch(mid, BatchOwner::Lane(lane), event, throttles);
        let bid = self.batch(b).id;
        self.esm.lanes[lane as usize].batch = Some(b);
        self.esm.lanes[lane as usize].last_event = self.next_event;
        let key = splitmix(key ^ splitmix(bid ^ 0x5c7e) ^ u64::from(attempt));
        self.invoke_batch(b, Attempt { shard, attempt, iterator_age, key });
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
