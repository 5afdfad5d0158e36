//! Event source mappings at run time (spec section 5): live SQS queues and their pollers, Kinesis and DynamoDB
//! streams and their shard processors. One shape for both: poller → batcher → synchronous invoke → result handling
//! (delete / checkpoint, retry, redrive, discard with an on-failure record).
//!
//! - SQS (spec 5.2): visibility timeout from the receive; success deletes; failure leaves the whole batch to reappear;
//!   `ReportBatchItemFailures`; redrive after `maxReceiveCount`; retention; `DelaySeconds`; FIFO groups, order and
//!   deduplication; poller scaling from 5, +300 per minute, down on errors, `MaximumConcurrency`.
//! - Streams (spec 5.3): per-shard (per partition key with `ParallelizationFactor`) order; polling 1/s (Kinesis) or
//!   4/s (DynamoDB); a failed batch blocks its shard until success, `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`
//!   or retention; throttles retry outside the budget; `BisectBatchOnFunctionError`; partial responses checkpoint at
//!   the lowest reported sequence number; on-failure records (spec 3.3).
//! - Filtering (spec 5.4) with the shared pattern matcher, before batching.
//!
//! A queue that no mapping reads is a sink: it counts what it receives (`MessageFate::Stored`) and holds nothing, so
//! memory follows what is in flight.
//!
//! Each record decides its own outcome from the function's rules, as a handler looping over `Records` would: the rules
//! see the record with an SQS `body` parsed as JSON, a Kinesis record as `{"data": <decoded>, "partitionKey", ...}`, a
//! DynamoDB record as delivered; `When.Attempt` is the message's receive count (SQS) or the record's delivery count
//! (streams).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Map, Value};

use super::{Ev, Sim, SourceState};
use crate::destinations::{self, Cause};
use crate::kernel::rng::{splitmix, uniform};
use crate::model::{EsmSource, FnId, MappingId, Model, ProducerTarget, QueueId, StartingPosition, StreamId, StreamKind, TargetKind};
use crate::rng;
use crate::scenario::OutcomeKind;
use crate::sources;
use crate::time::SimTime;
use crate::trace::{
    request_id, BatchResult, Ctx, DeliveryFailure, Fate, MessageFate, MsgOrigin, Observer, Origin, Outcome, RecordFate, RecordKind,
    TraceEvent,
};

/// A batch is flushed at 6 MB of payload (spec 5.1).
const BATCH_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;
/// FIFO deduplication interval (SQS: 5 minutes).
const DEDUP_WINDOW: SimTime = SimTime::from_secs(300);

/// The deduplication ids seen in the last `DEDUP_WINDOW` (SQS FIFO queues, SNS FIFO topics): id -> when, and the
/// order they came in, so old ones are forgotten as time passes.
#[derive(Debug, Default)]
pub(super) struct DedupWindow {
    seen: BTreeMap<Arc<str>, SimTime>,
    order: VecDeque<(SimTime, Arc<str>)>,
}

impl DedupWindow {
    /// Whether `id` was seen within the window before `now` (ids older than the window are forgotten first).
    pub(super) fn contains(&mut self, id: &str, now: SimTime) -> bool {
        while self.order.front().is_some_and(|(t, _)| now - *t >= DEDUP_WINDOW) {
            let (t, k) = self.order.pop_front().expect("front");
            if self.seen.get(&k) == Some(&t) {
                self.seen.remove(&k);
            }
        }
        self.seen.contains_key(id)
    }

    /// `id` is seen at `now`.
    pub(super) fn insert(&mut self, id: &Arc<str>, now: SimTime) {
        self.seen.insert(Arc::clone(id), now);
        self.order.push_back((now, Arc::clone(id)));
    }
}
/// An SQS mapping starts with 5 concurrent batches and never scales below (spec 5.2).
const SQS_START: u32 = 5;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Kernel events of the mappings.
#[derive(Debug, Clone, Copy)]
pub(super) enum EsmEv {
    /// The next message or record of a producer is due.
    Produce { producer: u32 },
    /// A message's delay or visibility timeout is over (if it is still in that state: same `gen`).
    MsgVisible { msg: u32, gen: u32 },
    /// The oldest message of a queue may have passed the retention period.
    QueueExpire { queue: u32 },
    /// An SQS mapping polls again (batching window over, scale-up tick).
    SqsPoll { mapping: u32 },
    /// A throttled SQS batch is invoked again.
    BatchRetry { batch: u32 },
    /// A stream lane polls (poll interval, batching window, retry).
    LanePoll { lane: u32 },
    /// Records of a stream nobody reads may have passed retention.
    ShardExpire { stream: u32, shard: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MsgState {
    Delayed,
    Visible,
    InFlight,
}

/// A message of a live queue.
struct Msg {
    /// Ledger id (trace `msg`).
    id: u64,
    /// Seed of `messageId` (kept when the message is redriven).
    message_id: u64,
    queue: QueueId,
    body: Arc<str>,
    size: u32,
    /// Original enqueue time (retention counts from it).
    sent: SimTime,
    /// When this copy entered its queue.
    arrived: SimTime,
    receives: u32,
    first_receive: Option<SimTime>,
    group: Option<Arc<str>>,
    dedup: Option<Arc<str>>,
    seq: u64,
    gen: u32,
    state: MsgState,
    key: u64,
}

#[derive(Default)]
struct Group {
    /// Messages not in flight, in sequence order (visible or delayed).
    pending: VecDeque<u32>,
    inflight: u32,
}

#[derive(Default)]
struct QueueRt {
    /// Standard queues: visible messages, oldest first (`(slot, gen)`; stale entries are skipped).
    visible: VecDeque<(u32, u32)>,
    /// FIFO queues: message groups and their round-robin order.
    groups: BTreeMap<Arc<str>, Group>,
    group_order: VecDeque<Arc<str>>,
    /// Messages in the queue by original send time, for retention.
    outstanding: BTreeSet<(SimTime, u64, u32)>,
    expire_at: Option<SimTime>,
    dedup: DedupWindow,
    next_seq: u64,
}

struct SqsPoller {
    active: u32,
    limit: u32,
    window_at: Option<SimTime>,
    tick_at: Option<SimTime>,
}

/// A stream record as a lane holds it.
#[derive(Clone)]
struct Rec {
    seq: u64,
    arrival: SimTime,
    data: Arc<Value>,
    pk: Arc<str>,
    size: u32,
    key: u64,
    event_name: u8,
    /// Invocations this record has been part of.
    deliveries: u32,
}

/// One ordered sequence of a stream mapping: a shard, or with `ParallelizationFactor` a partition-key lane of it.
struct Lane {
    mapping: MappingId,
    stream: StreamId,
    shard: u32,
    pending: VecDeque<Rec>,
    /// Halves of bisected batches still to process, the next last (records, retries used).
    splits: Vec<(Vec<Rec>, u32)>,
    /// The batch being processed (or retried) and its retries used.
    current: Option<(Vec<Rec>, u32)>,
    batch: Option<u32>,
    poll_at: Option<SimTime>,
    throttles: u32,
    last_event: u64,
    /// The configuration (version) that ran the lane's last batch: the on-failure record's `executedVersion`.
    last_config: u32,
    /// Phase of the poll ticks (each shard polls on its own grid).
    phase: SimTime,
    /// `TumblingWindowInSeconds`: the open window's index and its state.
    tumble: Option<(u64, Value)>,
    /// The current batch is the final invocation of the open window.
    final_batch: bool,
}

struct ShardRt {
    next_seq: u64,
    /// Records of a stream no mapping reads, until retention: (seq, arrival).
    unread: VecDeque<(u64, SimTime)>,
    expire_at: Option<SimTime>,
}

#[derive(Debug, Clone, PartialEq)]
enum BatchResponse {
    /// No response, null, or empty `batchItemFailures`: complete success.
    Success,
    /// `batchItemFailures` item identifiers.
    Failures(Vec<String>),
    /// An identifier that is empty, null, unknown, or a badly keyed entry: the whole batch failed (spec 5.2).
    Invalid,
}

struct Batch {
    id: u64,
    mapping: MappingId,
    /// SQS: (slot, generation of the message at this receive: it identifies the message and the receive, even after
    /// the slot is reused).
    msgs: Vec<(u32, u32)>,
    /// Streams: the lane.
    lane: u32,
    payload: Arc<Value>,
    size: usize,
    received: SimTime,
    throttles: u32,
    event: u64,
    response: BatchResponse,
    /// Tumbling windows: the state the function returned (`None`: missing, which fails the batch, spec 5.3).
    state_out: Option<Value>,
}

/// The run-time state of every queue, stream and mapping.
pub(super) struct EsmRt {
    msgs: Vec<Option<Msg>>,
    free_msgs: Vec<u32>,
    next_msg: u64,
    queues: Vec<QueueRt>,
    sqs: Vec<Option<SqsPoller>>,
    batches: Vec<Option<Batch>>,
    free_batches: Vec<u32>,
    next_batch: u64,
    shards: Vec<Vec<ShardRt>>,
    lanes: Vec<Lane>,
    /// First lane of each mapping (streams), by mapping index.
    lane_base: Vec<u32>,
    producers: Vec<SourceState>,
    /// Generation counter of message states: unique across slots, so a stale timer never matches a new message.
    gen: u32,
    /// Whether each mapping polls now (`Enabled`, changed by `UpdateEventSourceMapping` on the timeline).
    enabled: Vec<bool>,
}

impl EsmRt {
    fn next_gen(&mut self) -> u32 {
        self.gen = self.gen.wrapping_add(1);
        self.gen
    }

    pub(super) fn new(model: &Model, seed: u64) -> EsmRt {
        let esm = &model.esm;
        let mut lanes = vec![];
        let mut lane_base = vec![];
        for (mi, m) in esm.mappings.iter().enumerate() {
            lane_base.push(lanes.len() as u32);
            if let EsmSource::Stream(s) = m.source {
                let st = esm.stream(s);
                let interval = poll_interval(st);
                for shard in 0..st.shards {
                    let phase =
                        SimTime::from_micros(splitmix(rng::stream_id(&st.arn, "poll-phase") ^ u64::from(shard)) % interval.as_micros());
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
                        });
                    }
                }
            }
        }
        EsmRt {
            msgs: vec![],
            free_msgs: vec![],
            next_msg: 0,
            queues: esm.queues.iter().map(|_| QueueRt::default()).collect(),
            sqs: esm
                .mappings
                .iter()
                .map(|m| match m.source {
                    EsmSource::Queue(_) => {
                        let cap = m.max_concurrency.unwrap_or(esm.sqs_ceiling);
                        Some(SqsPoller { active: 0, limit: SQS_START.min(cap), window_at: None, tick_at: None })
                    }
                    EsmSource::Stream(_) => None,
                })
                .collect(),
            batches: vec![],
            free_batches: vec![],
            next_batch: 0,
            shards: esm
                .streams
                .iter()
                .map(|s| (0..s.shards).map(|_| ShardRt { next_seq: 0, unread: VecDeque::new(), expire_at: None }).collect())
                .collect(),
            lanes,
            lane_base,
            producers: esm
                .producers
                .iter()
                .map(|p| {
                    let c = format!("producer:{}", p.name);
                    SourceState::new(seed, &c)
                })
                .collect(),
            gen: 0,
            enabled: esm.mappings.iter().map(|m| m.enabled).collect(),
        }
    }
}

/// Kinesis polls each shard once a second, DynamoDB Streams four times (spec 5.3).
fn poll_interval(s: &crate::model::Stream) -> SimTime {
    if s.is_dynamodb() {
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

/// A Kinesis sequence number: 56 digits, increasing within a shard.
fn kinesis_seq(stream_salt: u64, shard: u32, seq: u64) -> String {
    format!("49{:014}{:020}{:020}", stream_salt % 100_000_000_000_000, shard, seq)
}

fn ddb_seq(shard: u32, seq: u64) -> String {
    format!("{}{:020}", 1 + shard % 9, seq)
}

const DDB_EVENT_NAMES: [&str; 3] = ["INSERT", "MODIFY", "REMOVE"];

impl<'m, O: Observer> Sim<'m, O> {
    /// Schedule the first arrival of every producer.
    pub(super) fn esm_start(&mut self) {
        let model = self.model;
        for (i, p) in model.esm.producers.iter().enumerate() {
            if let Some(t) = p.arrivals.first(&mut |rate| self.producer_gap(i, rate)) {
                self.k.schedule_at(t, Ev::Esm(EsmEv::Produce { producer: i as u32 }));
            }
        }
    }

    fn producer_gap(&mut self, p: usize, rate_per_s: f64) -> SimTime {
        super::poisson_gap(&mut self.esm.producers[p].rng, rate_per_s)
    }

    pub(super) fn on_esm(&mut self, ev: EsmEv) {
        match ev {
            EsmEv::Produce { producer } => self.on_produce(producer as usize),
            EsmEv::MsgVisible { msg, gen } => self.on_msg_visible(msg, gen),
            EsmEv::QueueExpire { queue } => self.on_queue_expire(QueueId(queue)),
            EsmEv::SqsPoll { mapping } => {
                let now = self.k.now();
                let cap = self.sqs_cap(MappingId(mapping));
                if let Some(p) = self.esm.sqs[mapping as usize].as_mut() {
                    if p.window_at == Some(now) {
                        p.window_at = None;
                    }
                    if p.tick_at == Some(now) {
                        p.tick_at = None;
                        if p.limit < cap {
                            // Scale up by one concurrent invocation per tick (spec 5.2: up to 300 per minute).
                            p.limit += 1;
                        }
                    }
                }
                self.sqs_poll(MappingId(mapping), true);
            }
            EsmEv::BatchRetry { batch } => self.sqs_invoke(batch),
            EsmEv::LanePoll { lane } => {
                let now = self.k.now();
                let l = &mut self.esm.lanes[lane as usize];
                if l.poll_at != Some(now) {
                    return;
                }
                l.poll_at = None;
                self.lane_poll(lane);
            }
            EsmEv::ShardExpire { stream, shard } => self.on_shard_expire(StreamId(stream), shard),
        }
    }

    /// `UpdateEventSourceMapping` on the timeline: batches in flight finish; a disabled mapping stops polling, an
    /// enabled one starts at once (spec 5.1: updates take effect asynchronously; here, at the change's instant).
    pub(super) fn esm_set_enabled(&mut self, mid: MappingId, enabled: bool) {
        self.esm.enabled[mid.ix()] = enabled;
        if enabled {
            self.esm_resume(mid);
        }
    }

    /// A function's configuration changed (e.g. its reserved concurrency left 0): its mappings poll again.
    pub(super) fn esm_function_changed(&mut self, f: FnId) {
        for i in 0..self.model.esm.mappings.len() {
            if self.model.esm.mappings[i].function == f && self.esm.enabled[i] {
                self.esm_resume(MappingId(i as u32));
            }
        }
    }

    fn esm_resume(&mut self, mid: MappingId) {
        match self.model.esm.mapping(mid).source {
            EsmSource::Queue(_) => self.sqs_poll(mid, false),
            EsmSource::Stream(_) => {
                let lanes: Vec<u32> = (0..self.esm.lanes.len() as u32).filter(|l| self.esm.lanes[*l as usize].mapping == mid).collect();
                for l in lanes {
                    let lane = &mut self.esm.lanes[l as usize];
                    if lane.batch.is_none() && (!lane.pending.is_empty() || lane.current.is_some() || !lane.splits.is_empty()) {
                        lane.poll_at = None;
                        self.lane_wake(l, true);
                    }
                }
            }
        }
    }

    // ----- producers

    fn on_produce(&mut self, pi: usize) {
        let model = self.model;
        let arrivals = &model.esm.producers[pi].arrivals;
        for _ in 0..arrivals.at_once() {
            self.produce(pi);
        }
        let (n, now) = (self.esm.producers[pi].n, self.k.now());
        if let Some(t) = arrivals.next(n, now, &mut |rate| self.producer_gap(pi, rate)) {
            self.k.schedule_at(t, Ev::Esm(EsmEv::Produce { producer: pi as u32 }));
        }
    }

    fn produce(&mut self, pi: usize) {
        let model = self.model;
        let p = &model.esm.producers[pi];
        let now = self.k.now();
        let (n, key) = self.esm.producers[pi].arrival(now);
        let payload = p.template.instantiate(n, self.next_event);
        let render = |t: &Option<String>| t.as_ref().map(|s| s.replace("{{n}}", &n.to_string()));
        match p.target {
            ProducerTarget::Queue(q) => {
                let body: Arc<str> = Arc::from(sources::text(&payload));
                let group = render(&p.group);
                let dedup = render(&p.dedup);
                self.sqs_send(q, body, MsgOrigin::Producer(pi as u32), key, group, dedup, None);
            }
            ProducerTarget::Stream(s) => {
                let pk = render(&p.partition_key).unwrap_or_else(|| n.to_string());
                let ev = DDB_EVENT_NAMES.iter().position(|e| *e == p.event_name).unwrap_or(0) as u8;
                self.stream_put(s, payload, pk, ev, key);
            }
        }
    }

    // ----- SQS queues

    /// A message arrives at a queue (from a producer, a destination or DLQ record, an on-failure record, or a
    /// redrive). `first_sent` keeps the original enqueue time of a redriven message.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sqs_send(
        &mut self,
        q: QueueId,
        body: Arc<str>,
        origin: MsgOrigin,
        key: u64,
        group: Option<String>,
        dedup: Option<String>,
        redriven: Option<(u64, SimTime, u64)>,
    ) {
        let model = self.model;
        let queue = model.esm.queue(q);
        let now = self.k.now();
        self.last_activity = now;
        let id = self.esm.next_msg;
        self.esm.next_msg += 1;
        let size = body.len();
        let delay = if redriven.is_some() { SimTime::ZERO } else { queue.delay };
        self.emit(TraceEvent::MessageSent { queue: q, msg: id, origin, size: size as u32, visible_in: delay });
        let fate_now = |s: &mut Self, fate: MessageFate| {
            s.emit(TraceEvent::MessageFate { queue: q, msg: id, fate, receives: 0, age: SimTime::ZERO });
        };
        if size > crate::model::SQS_MESSAGE_LIMIT {
            fate_now(self, MessageFate::TooLarge);
            return;
        }
        if queue.mappings.is_empty() {
            fate_now(self, MessageFate::Stored);
            return;
        }
        let mut dedup_id: Option<Arc<str>> = None;
        if queue.fifo {
            let d: Arc<str> = match dedup {
                Some(d) => Arc::from(d),
                None => Arc::from(sources::md5_hex(body.as_bytes())),
            };
            let rt = &mut self.esm.queues[q.ix()];
            let seen = rt.dedup.contains(&d, now);
            if redriven.is_none() && seen {
                fate_now(self, MessageFate::Deduplicated);
                return;
            }
            rt.dedup.insert(&d, now);
            dedup_id = Some(d);
        }
        let group: Option<Arc<str>> = queue.fifo.then(|| Arc::from(group.unwrap_or_else(|| "default".into())));
        let rt = &mut self.esm.queues[q.ix()];
        let seq = rt.next_seq;
        rt.next_seq += 1;
        let (message_id, sent, receives) = redriven.unwrap_or((id, now, 0));
        let msg = Msg {
            id,
            message_id,
            queue: q,
            body,
            size: size as u32,
            sent,
            arrived: now,
            receives: receives as u32,
            first_receive: None,
            group: group.clone(),
            dedup: dedup_id,
            seq,
            gen: self.esm.next_gen(),
            state: if delay > SimTime::ZERO { MsgState::Delayed } else { MsgState::Visible },
            key,
        };
        let slot = match self.esm.free_msgs.pop() {
            Some(s) => {
                self.esm.msgs[s as usize] = Some(msg);
                s
            }
            None => {
                self.esm.msgs.push(Some(msg));
                (self.esm.msgs.len() - 1) as u32
            }
        };
        let rt = &mut self.esm.queues[q.ix()];
        rt.outstanding.insert((sent, id, slot));
        if let Some(g) = group {
            let e = rt.groups.entry(Arc::clone(&g)).or_default();
            if e.pending.is_empty() && e.inflight == 0 {
                rt.group_order.push_back(g);
            }
            e.pending.push_back(slot);
        } else if delay == SimTime::ZERO {
            let g = self.esm.msgs[slot as usize].as_ref().expect("live message").gen;
            self.esm.queues[q.ix()].visible.push_back((slot, g));
        }
        if delay > SimTime::ZERO {
            let g = self.esm.msgs[slot as usize].as_ref().expect("live message").gen;
            self.k.schedule_in(delay, Ev::Esm(EsmEv::MsgVisible { msg: slot, gen: g }));
        }
        self.arm_queue_expiry(q);
        if delay == SimTime::ZERO {
            self.poll_queue(q);
        }
    }

    fn arm_queue_expiry(&mut self, q: QueueId) {
        let retention = self.model.esm.queue(q).retention;
        let rt = &mut self.esm.queues[q.ix()];
        if let Some((sent, _, _)) = rt.outstanding.first() {
            let at = *sent + retention;
            if rt.expire_at.is_none_or(|t| t > at) {
                rt.expire_at = Some(at);
                self.k.schedule_at(at, Ev::Esm(EsmEv::QueueExpire { queue: q.0 }));
            }
        }
    }

    fn on_queue_expire(&mut self, q: QueueId) {
        let now = self.k.now();
        if self.esm.queues[q.ix()].expire_at != Some(now) {
            return;
        }
        self.esm.queues[q.ix()].expire_at = None;
        let retention = self.model.esm.queue(q).retention;
        while let Some(&(sent, _, slot)) = self.esm.queues[q.ix()].outstanding.first() {
            if sent + retention > now {
                break;
            }
            self.last_activity = now;
            self.msg_gone(slot, MessageFate::Expired);
        }
        self.arm_queue_expiry(q);
    }

    /// Remove a message from its queue with its fate.
    fn msg_gone(&mut self, slot: u32, fate: MessageFate) {
        let now = self.k.now();
        let m = self.esm.msgs[slot as usize].take().expect("live message");
        self.esm.free_msgs.push(slot);
        let rt = &mut self.esm.queues[m.queue.ix()];
        rt.outstanding.remove(&(m.sent, m.id, slot));
        if let Some(g) = &m.group {
            let mut empty = false;
            if let Some(e) = rt.groups.get_mut(g) {
                if m.state == MsgState::InFlight {
                    e.inflight -= 1;
                } else if let Some(pos) = e.pending.iter().position(|s| *s == slot) {
                    e.pending.remove(pos);
                }
                empty = e.pending.is_empty() && e.inflight == 0;
            }
            if empty {
                rt.groups.remove(g);
                if let Some(pos) = rt.group_order.iter().position(|x| x == g) {
                    rt.group_order.remove(pos);
                }
            }
        }
        self.emit(TraceEvent::MessageFate { queue: m.queue, msg: m.id, fate, receives: m.receives, age: now - m.arrived });
        if m.group.is_some() && m.state == MsgState::InFlight {
            // The group may be free again.
            self.poll_queue(m.queue);
        }
    }

    /// A delay or visibility timeout is over: the message can be received (again).
    fn on_msg_visible(&mut self, slot: u32, gen: u32) {
        let new_gen = self.esm.next_gen();
        let Some(m) = self.esm.msgs.get_mut(slot as usize).and_then(|m| m.as_mut()) else { return };
        if m.gen != gen || m.state == MsgState::Visible {
            return;
        }
        self.last_activity = self.k.now();
        let was = m.state;
        m.state = MsgState::Visible;
        m.gen = new_gen;
        let (q, g, seq, ngen) = (m.queue, m.group.clone(), m.seq, m.gen);
        if was == MsgState::InFlight {
            let (id, receives) = (m.id, m.receives);
            self.emit(TraceEvent::MessageReturned { queue: q, msg: id, receives });
        }
        let rt = &mut self.esm.queues[q.ix()];
        match g {
            Some(g) => {
                let e = rt.groups.entry(Arc::clone(&g)).or_default();
                if was == MsgState::InFlight {
                    e.inflight -= 1;
                    // Back at its place in the group's order (spec 5.2: FIFO keeps order per group).
                    let pos = e.pending.iter().position(|s| self.esm.msgs[*s as usize].as_ref().is_some_and(|x| x.seq > seq));
                    match pos {
                        Some(p) => e.pending.insert(p, slot),
                        None => e.pending.push_back(slot),
                    }
                    if !rt.group_order.contains(&g) {
                        rt.group_order.push_back(g);
                    }
                }
            }
            None => rt.visible.push_back((slot, ngen)),
        }
        self.poll_queue(q);
    }

    fn poll_queue(&mut self, q: QueueId) {
        let n = self.model.esm.queue(q).mappings.len();
        for i in 0..n {
            let m = self.model.esm.queue(q).mappings[i];
            self.sqs_poll(m, false);
        }
    }

    fn sqs_cap(&self, m: MappingId) -> u32 {
        self.model.esm.mapping(m).max_concurrency.unwrap_or(self.model.esm.sqs_ceiling)
    }

    /// Visible messages ready for `m`'s next batch (FIFO: those of groups not in flight), up to `max`.
    fn sqs_ready(&self, q: QueueId, max: usize) -> (usize, usize) {
        let rt = &self.esm.queues[q.ix()];
        let (mut n, mut bytes) = (0usize, 0usize);
        if self.model.esm.queue(q).fifo {
            for g in &rt.group_order {
                let Some(e) = rt.groups.get(g) else { continue };
                if e.inflight > 0 {
                    continue;
                }
                for s in &e.pending {
                    let m = self.esm.msgs[*s as usize].as_ref().expect("live message");
                    if m.state != MsgState::Visible || n >= max {
                        break;
                    }
                    n += 1;
                    bytes += m.size as usize;
                }
                if n >= max {
                    break;
                }
            }
        } else {
            for (s, gen) in &rt.visible {
                if let Some(m) = self.esm.msgs[*s as usize].as_ref().filter(|m| m.gen == *gen && m.state == MsgState::Visible) {
                    n += 1;
                    bytes += m.size as usize;
                    if n >= max || bytes >= BATCH_PAYLOAD_LIMIT {
                        break;
                    }
                }
            }
        }
        (n, bytes)
    }

    /// Start as many batches as the mapping's pollers may (spec 5.2).
    fn sqs_poll(&mut self, mid: MappingId, timer: bool) {
        let model = self.model;
        let m = model.esm.mapping(mid);
        if !self.esm.enabled[mid.ix()] || self.fns[m.function.ix()].setup.reserved == Some(0) {
            // A disabled mapping does not poll; reserved concurrency 0 stops a mapping (spec 6).
            return;
        }
        let EsmSource::Queue(q) = m.source else { return };
        let now = self.k.now();
        loop {
            let p = self.esm.sqs[mid.ix()].as_ref().expect("sqs poller");
            let (ready, bytes) = self.sqs_ready(q, m.batch_size as usize);
            if ready == 0 {
                return;
            }
            if p.active >= p.limit {
                // Messages wait for a poller: scale up while they do (spec 5.2).
                if p.limit < self.sqs_cap(mid) && p.tick_at.is_none() {
                    let tick = SimTime::from_micros(60_000_000 / u64::from(model.esm.sqs_scale_per_minute.max(1)));
                    self.esm.sqs[mid.ix()].as_mut().expect("sqs poller").tick_at = Some(now + tick);
                    self.k.schedule_at(now + tick, Ev::Esm(EsmEv::SqsPoll { mapping: mid.0 }));
                }
                return;
            }
            if m.window > SimTime::ZERO && ready < m.batch_size as usize && bytes < BATCH_PAYLOAD_LIMIT {
                // Gather until the window ends (spec 5.1).
                match p.window_at {
                    Some(_) => return,
                    None if timer => {}
                    None => {
                        self.esm.sqs[mid.ix()].as_mut().expect("sqs poller").window_at = Some(now + m.window);
                        self.k.schedule_at(now + m.window, Ev::Esm(EsmEv::SqsPoll { mapping: mid.0 }));
                        return;
                    }
                }
            }
            if !self.sqs_receive(mid, q) {
                return;
            }
        }
    }

    /// Receive one batch and invoke. Returns false if nothing could be received.
    fn sqs_receive(&mut self, mid: MappingId, q: QueueId) -> bool {
        let model = self.model;
        let m = model.esm.mapping(mid);
        let queue = model.esm.queue(q);
        let now = self.k.now();
        let mut taken: Vec<u32> = vec![];
        let mut bytes = 0usize;
        let max = m.batch_size as usize;
        // Pick candidates in order; filtering and redrive happen as messages are received.
        loop {
            if taken.len() >= max || bytes >= BATCH_PAYLOAD_LIMIT {
                break;
            }
            let next = if queue.fifo { self.fifo_next(q, &taken) } else { self.std_next(q) };
            let Some(slot) = next else { break };
            let msg = self.esm.msgs[slot as usize].as_ref().expect("live message");
            if bytes > 0 && bytes + record_bytes(msg.size) > BATCH_PAYLOAD_LIMIT {
                if !queue.fifo {
                    self.esm.queues[q.ix()].visible.push_front((slot, msg.gen));
                }
                break;
            }
            // Redrive: a message received `maxReceiveCount` times moves to the dead-letter queue instead (spec 5.2).
            if let Some((dlq, max_rc)) = queue.redrive {
                if msg.receives >= max_rc {
                    self.redrive(slot, dlq);
                    continue;
                }
            }
            // Filtering: a message no filter matches is deleted (spec 5.4).
            if !m.filters.is_empty() {
                let view = sqs_view(model, self.esm.msgs[slot as usize].as_ref().expect("live message"));
                if !m.filters.iter().any(|f| f.matches(&view)) {
                    self.take_inflight(slot);
                    let msg = self.esm.msgs[slot as usize].as_mut().expect("live message");
                    msg.receives += 1;
                    self.msg_gone(slot, MessageFate::Filtered);
                    continue;
                }
            }
            self.take_inflight(slot);
            let msg = self.esm.msgs[slot as usize].as_mut().expect("live message");
            msg.receives += 1;
            msg.first_receive.get_or_insert(now);
            bytes += record_bytes(msg.size);
            taken.push(slot);
        }
        if taken.is_empty() {
            return false;
        }
        let vt = m.visibility;
        let bid = self.esm.next_batch;
        self.esm.next_batch += 1;
        let mut msgs = Vec::with_capacity(taken.len());
        for &slot in &taken {
            let msg = self.esm.msgs[slot as usize].as_ref().expect("live message");
            let (id, receives, gen) = (msg.id, msg.receives, msg.gen);
            msgs.push((slot, gen));
            self.k.schedule_at(now + vt, Ev::Esm(EsmEv::MsgVisible { msg: slot, gen }));
            self.emit(TraceEvent::MessageReceived { queue: q, msg: id, mapping: mid, receives });
        }
        let payload = Arc::new(
            json!({"Records": msgs.iter().map(|(s, _)| sqs_record(model, self.esm.msgs[*s as usize].as_ref().expect("live message"))).collect::<Vec<_>>()}),
        );
        let size = destinations::json_size(&payload);
        let b = self.new_batch(Batch {
            id: bid,
            mapping: mid,
            msgs,
            lane: u32::MAX,
            payload,
            size,
            received: now,
            throttles: 0,
            event: 0,
            response: BatchResponse::Success,
            state_out: None,
        });
        self.esm.sqs[mid.ix()].as_mut().expect("sqs poller").active += 1;
        self.sqs_invoke(b);
        true
    }

    fn std_next(&mut self, q: QueueId) -> Option<u32> {
        let rt = &mut self.esm.queues[q.ix()];
        while let Some((slot, gen)) = rt.visible.pop_front() {
            if self.esm.msgs[slot as usize].as_ref().is_some_and(|m| m.gen == gen && m.state == MsgState::Visible) {
                return Some(slot);
            }
        }
        None
    }

    /// FIFO: the next message in group order, from a group not in flight (or the group already in this batch).
    fn fifo_next(&mut self, q: QueueId, taken: &[u32]) -> Option<u32> {
        let rt = &self.esm.queues[q.ix()];
        let in_batch = |g: &Arc<str>| taken.iter().any(|s| self.esm.msgs[*s as usize].as_ref().and_then(|m| m.group.as_ref()) == Some(g));
        for g in &rt.group_order {
            let Some(e) = rt.groups.get(g) else { continue };
            if e.inflight > 0 && !in_batch(g) {
                continue;
            }
            if let Some(s) = e.pending.front() {
                if self.esm.msgs[*s as usize].as_ref().is_some_and(|m| m.state == MsgState::Visible) {
                    return Some(*s);
                }
            }
        }
        None
    }

    /// The message leaves the visible set and becomes in flight.
    fn take_inflight(&mut self, slot: u32) {
        let new_gen = self.esm.next_gen();
        let msg = self.esm.msgs[slot as usize].as_mut().expect("live message");
        msg.state = MsgState::InFlight;
        msg.gen = new_gen;
        if let Some(g) = msg.group.clone() {
            let rt = &mut self.esm.queues[msg.queue.ix()];
            if let Some(e) = rt.groups.get_mut(&g) {
                if e.pending.front() == Some(&slot) {
                    e.pending.pop_front();
                } else if let Some(p) = e.pending.iter().position(|s| *s == slot) {
                    e.pending.remove(p);
                }
                e.inflight += 1;
            }
            // Round robin: the group goes to the back of the order.
            if let Some(p) = rt.group_order.iter().position(|x| *x == g) {
                let g = rt.group_order.remove(p).expect("group");
                rt.group_order.push_back(g);
            }
        }
    }

    fn redrive(&mut self, slot: u32, dlq: QueueId) {
        let (q, id, message_id, sent, body, key, group, dedup, receives) = {
            let m = self.esm.msgs[slot as usize].as_ref().expect("live message");
            (m.queue, m.id, m.message_id, m.sent, Arc::clone(&m.body), m.key, m.group.clone(), m.dedup.clone(), m.receives)
        };
        self.take_inflight(slot);
        self.msg_gone(slot, MessageFate::Redriven);
        // The copy keeps its message id, original send time and receive count (SQS moves the message as it is).
        self.sqs_send(
            dlq,
            body,
            MsgOrigin::Redrive { queue: q.0, msg: id },
            splitmix(key ^ 0xd1e),
            group.map(|g| g.to_string()),
            dedup.map(|d| d.to_string()),
            Some((message_id, sent, u64::from(receives))),
        );
    }

    fn new_batch(&mut self, b: Batch) -> u32 {
        match self.esm.free_batches.pop() {
            Some(s) => {
                self.esm.batches[s as usize] = Some(b);
                s
            }
            None => {
                self.esm.batches.push(Some(b));
                (self.esm.batches.len() - 1) as u32
            }
        }
    }

    fn batch(&self, b: u32) -> &Batch {
        self.esm.batches[b as usize].as_ref().expect("live batch")
    }

    /// Invoke the function with an SQS batch (again, after a throttle).
    fn sqs_invoke(&mut self, b: u32) {
        let model = self.model;
        let (mid, payload, size, id, key, throttles) = {
            let bt = self.batch(b);
            let key = bt.msgs.first().and_then(|(s, _)| self.esm.msgs[*s as usize].as_ref()).map_or(0, |m| m.key);
            (bt.mapping, Arc::clone(&bt.payload), bt.size, bt.id, key, bt.throttles)
        };
        let m = model.esm.mapping(mid);
        let event = self.next_event;
        self.esm.batches[b as usize].as_mut().expect("live batch").event = event;
        let n = self.batch(b).msgs.len() as u32;
        self.emit(TraceEvent::BatchStart {
            mapping: mid,
            batch: id,
            event,
            records: n,
            shard: 0,
            attempt: throttles + 1,
            iterator_age: SimTime::ZERO,
        });
        let key = splitmix(key ^ splitmix(id ^ 0xba7c) ^ u64::from(throttles));
        self.invoke_sync(m.function, m.qualifier, payload, size, Origin::Mapping { mapping: mid.0, batch: id }, key, None, Some(b));
    }

    // ----- results

    /// The batch's invocation has its fate (called from `finish`).
    pub(super) fn esm_batch_done(&mut self, b: u32, fate: Fate, config: u32) {
        if fate == Fate::InFlight {
            return;
        }
        let model = self.model;
        let mid = self.batch(b).mapping;
        if matches!(model.esm.mapping(mid).source, EsmSource::Stream(_)) {
            let lane = self.batch(b).lane;
            self.esm.lanes[lane as usize].last_config = config;
        }
        let m = model.esm.mapping(mid);
        let response = std::mem::replace(&mut self.esm.batches[b as usize].as_mut().expect("live batch").response, BatchResponse::Success);
        let no_state = m.tumbling.is_some() && self.batch(b).state_out.is_none();
        let result = match fate {
            // A tumbling-window response without `state` counts as a failed invocation (spec 5.3).
            Fate::Succeeded if no_state => BatchResult::Failed,
            Fate::Succeeded if !m.report_failures => BatchResult::Success,
            Fate::Succeeded => match &response {
                BatchResponse::Success => BatchResult::Success,
                BatchResponse::Failures(_) => BatchResult::Partial,
                BatchResponse::Invalid => BatchResult::Failed,
            },
            Fate::Throttled => BatchResult::Throttled,
            _ => BatchResult::Failed,
        };
        match m.source {
            EsmSource::Queue(_) => self.sqs_done(b, result, response),
            EsmSource::Stream(_) => self.stream_done(b, result, response),
        }
    }

    fn sqs_done(&mut self, b: u32, result: BatchResult, response: BatchResponse) {
        let model = self.model;
        let now = self.k.now();
        let (mid, id, event, received, msgs) = {
            let bt = self.batch(b);
            (bt.mapping, bt.id, bt.event, bt.received, bt.msgs.clone())
        };
        let m = model.esm.mapping(mid);
        let listed = |slot: u32| -> bool {
            match &response {
                BatchResponse::Failures(ids) => self.esm.msgs[slot as usize]
                    .as_ref()
                    .is_some_and(|msg| ids.iter().any(|x| *x == sources::uuid(msg.message_id, 0x5a_05))),
                _ => false,
            }
        };
        type Taken = Vec<(u32, u32)>;
        let (delete, failed): (Taken, Taken) = match result {
            BatchResult::Success => (msgs.clone(), vec![]),
            BatchResult::Partial => msgs.iter().partition(|(s, _)| !listed(*s)),
            _ => (vec![], msgs.clone()),
        };
        self.emit(TraceEvent::BatchEnd { mapping: mid, batch: id, event, result, failed: failed.len() as u32 });
        for (slot, rc) in delete {
            // Delete with this receive's handle: only if the message was not received again meanwhile.
            if self.esm.msgs[slot as usize].as_ref().is_some_and(|x| x.gen == rc && x.state == MsgState::InFlight) {
                self.msg_gone(slot, MessageFate::Deleted);
            }
        }
        if result == BatchResult::Throttled {
            // Back off and retry while the messages are still invisible; past that they simply reappear and the
            // receive counts toward maxReceiveCount (spec 5.2, SQS-ERR).
            let bt = self.esm.batches[b as usize].as_mut().expect("live batch");
            bt.throttles += 1;
            let delay = SimTime::from_secs(1u64 << (bt.throttles - 1).min(5));
            if now + delay < received + m.visibility {
                self.k.schedule_in(delay, Ev::Esm(EsmEv::BatchRetry { batch: b }));
                return;
            }
        }
        let p = self.esm.sqs[mid.ix()].as_mut().expect("sqs poller");
        p.active -= 1;
        if matches!(result, BatchResult::Failed | BatchResult::Throttled) && !m.report_failures {
            // Errors and throttles lower the mapping's concurrency, never below 5 (spec 5.2); with
            // ReportBatchItemFailures Lambda does not scale down on failures.
            let floor = SQS_START.min(m.max_concurrency.unwrap_or(SQS_START));
            p.limit = p.limit.saturating_sub(1).max(floor);
        }
        self.esm.batches[b as usize] = None;
        self.esm.free_batches.push(b);
        self.sqs_poll(mid, false);
    }

    // ----- streams

    fn stream_put(&mut self, s: StreamId, data: Arc<Value>, pk: String, event_name: u8, key: u64) {
        let model = self.model;
        let st = model.esm.stream(s);
        let now = self.k.now();
        self.last_activity = now;
        let shard_key = match &st.kind {
            StreamKind::Kinesis => pk.clone(),
            StreamKind::DynamoDb { keys, .. } => {
                keys.iter().map(|k| data.get(k).map(sources::text).unwrap_or_default()).collect::<Vec<_>>().join("\u{1f}")
            }
        };
        let shard = shard_of(&shard_key, st.shards);
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
        let rec = Rec { seq, arrival: now, data, pk: Arc::from(shard_key.as_str()), size, key, event_name, deliveries: 0 };
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
        let at = if immediate {
            now
        } else {
            let iv = poll_interval(self.model.esm.stream(l.stream)).as_micros();
            let ph = l.phase.as_micros();
            let t = now.as_micros();
            // The first tick at or after now.
            let k = if t <= ph { 0 } else { (t - ph).div_ceil(iv) };
            SimTime::from_micros(ph + k * iv)
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
        if !self.esm.enabled[mid.ix()] || self.fns[m.function.ix()].setup.reserved == Some(0) {
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
                        if !m.filters.is_empty() && !m.filters.iter().any(|f| f.matches(&stream_view(model, st, shard, r))) {
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
                if empty {
                    continue;
                }
            }
            break;
        }
        self.stream_invoke(lane);
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
    }

    fn stream_invoke(&mut self, lane: u32) {
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
        let n = records.len() as u32;
        let iterator_age = recs.last().map_or(SimTime::ZERO, |r| now - r.arrival);
        let key = recs.first().map_or(0, |r| r.key);
        let mut event = json!({ "Records": records });
        if let (Some(w), Some((k, state))) = (m.tumbling, &l.tumble) {
            // The tumbling-window event fields (DG with-kinesis.html, "Tumbling windows").
            let w = w.as_micros();
            event["window"] = json!({
                "start": destinations::iso_millis(model, SimTime::from_micros(k * w)),
                "end": destinations::iso_millis(model, SimTime::from_micros((k + 1) * w)),
            });
            event["state"] = state.clone();
            event["shardId"] = json!(st.shard_id(shard));
            event["eventSourceARN"] = json!(st.arn);
            event["isFinalInvokeForWindow"] = json!(l.final_batch);
            event["isWindowTerminatedEarly"] = json!(false);
        }
        let key = if recs.is_empty() { splitmix(u64::from(lane) ^ now.as_micros()) } else { key };
        let payload = Arc::new(event);
        let size = destinations::json_size(&payload);
        let bid = self.esm.next_batch;
        self.esm.next_batch += 1;
        let b = self.new_batch(Batch {
            id: bid,
            mapping: mid,
            msgs: vec![],
            lane,
            payload: Arc::clone(&payload),
            size,
            received: now,
            throttles,
            event: self.next_event,
            response: BatchResponse::Success,
            state_out: None,
        });
        self.esm.lanes[lane as usize].batch = Some(b);
        self.esm.lanes[lane as usize].last_event = self.next_event;
        self.emit(TraceEvent::BatchStart { mapping: mid, batch: bid, event: self.next_event, records: n, shard, attempt, iterator_age });
        let key = splitmix(key ^ splitmix(bid ^ 0x5c7e) ^ u64::from(attempt));
        self.invoke_sync(m.function, m.qualifier, payload, size, Origin::Mapping { mapping: mid.0, batch: bid }, key, None, Some(b));
    }

    fn stream_done(&mut self, b: u32, result: BatchResult, response: BatchResponse) {
        let model = self.model;
        let now = self.k.now();
        let bt = self.esm.batches[b as usize].take().expect("live batch");
        self.esm.free_batches.push(b);
        let lane = bt.lane;
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
                let used = if bisect && !model.esm.bisect_counts_as_retry { retries } else { retries + 1 };
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
                // Retry on the next poll.
                self.lane_wake(lane, false);
            }
        }
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
        let Some(target) = m.on_failure else { return };
        let st = model.esm.stream(s);
        let condition = match fate {
            RecordFate::RetriesExhausted => "RetryAttemptsExhausted",
            _ => model.esm.record_age_condition.as_str(),
        };
        let invoke_count = invokes.unwrap_or_else(|| recs.iter().map(|r| r.deliveries).max().unwrap_or(0));
        let record = stream_failure_record(
            model,
            self.seed,
            st,
            shard,
            &recs,
            condition,
            invoke_count,
            (m.function, m.qualifier, config),
            event,
            now,
        );
        let tk = model.target(target).kind;
        let content = if tk == TargetKind::S3 {
            // S3 targets also get the original event as an escaped string (spec 3.3).
            let records: Vec<Value> = recs.iter().map(|r| stream_record(model, st, shard, r)).collect();
            let mut c = record;
            c["payload"] = json!(serde_json::to_string(&json!({ "Records": records })).unwrap_or_default());
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

    fn on_shard_expire(&mut self, s: StreamId, shard: u32) {
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

    /// Whatever is still in a queue or stream when the run ends gets its fate, in a stable order.
    pub(super) fn esm_finish(&mut self) {
        let now = self.k.now();
        let mut left: Vec<(u64, u32)> =
            self.esm.msgs.iter().enumerate().filter_map(|(s, m)| m.as_ref().map(|m| (m.id, s as u32))).collect();
        left.sort_unstable();
        for (_, slot) in left {
            self.msg_gone_quiet(slot);
        }
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

    fn msg_gone_quiet(&mut self, slot: u32) {
        let now = self.k.now();
        let m = self.esm.msgs[slot as usize].take().expect("live message");
        self.emit(TraceEvent::MessageFate {
            queue: m.queue,
            msg: m.id,
            fate: MessageFate::InQueue,
            receives: m.receives,
            age: now - m.arrived,
        });
    }
}

// ----- per-record decisions (called from `start_attempt`)

/// Decide a batch invocation's outcome: each record picks its rule as a handler looping over `Records` would.
/// Sets the batch's response; returns (outcome, cause, response size, deciding rule).
#[allow(clippy::too_many_arguments)]
pub(super) fn decide(
    rt: &mut EsmRt,
    model: &Model,
    rules: &[crate::model::Rule],
    b: u32,
    seed: u64,
    salt: u64,
    response_sizes: &[u32],
) -> (Outcome, Cause, u32, Option<usize>) {
    let bt = rt.batches[b as usize].as_ref().expect("live batch");
    let bt_lane = bt.lane;
    let m = model.esm.mapping(bt.mapping);
    // (view, key, attempt, item identifier) per record.
    let items: Vec<(Value, u64, u32, String)> = match m.source {
        EsmSource::Queue(_) => bt
            .msgs
            .iter()
            .filter_map(|(s, g)| rt.msgs[*s as usize].as_ref().filter(|msg| msg.gen == *g).map(|msg| (msg, msg.receives)))
            .map(|(msg, rc)| (sqs_view(model, msg), msg.key, rc, sources::uuid(msg.message_id, 0x5a_05)))
            .collect(),
        EsmSource::Stream(s) => {
            let lane = &rt.lanes[bt.lane as usize];
            let st = model.esm.stream(s);
            lane.current
                .as_ref()
                .map(|(recs, _)| {
                    recs.iter()
                        .map(|r| (stream_view(model, st, lane.shard, r), r.key, r.deliveries, seq_text(st, lane.shard, r.seq)))
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    let fifo = matches!(m.source, EsmSource::Queue(q) if model.esm.queue(q).fifo);
    let stream = matches!(m.source, EsmSource::Stream(_));
    let mut failed: Vec<usize> = vec![];
    let mut decided: Option<(Outcome, usize)> = None;
    let mut explicit: Option<Value> = None;
    let mut first_fail_rule = None;
    // The first succeeding rule that matched a record: its `Then.Duration` applies to a successful batch.
    let mut first_ok_rule = None;
    'records: for (i, (view, key, attempt, _)) in items.iter().enumerate() {
        for (ri, r) in rules.iter().enumerate() {
            if *attempt < r.attempt_min || *attempt > r.attempt_max {
                continue;
            }
            if let Some(p) = &r.pattern {
                if !p.matches(view) {
                    continue;
                }
            }
            if let Some(pr) = r.probability {
                let purpose = 0x70 + ((ri as u64) << 16) + (u64::from(*attempt) << 32);
                if uniform(seed, salt, *key, purpose) >= pr {
                    continue;
                }
            }
            match r.outcome {
                OutcomeKind::Succeed => {
                    first_ok_rule.get_or_insert(ri);
                    let given = r.response.get("batchItemFailures").is_some() || (m.tumbling.is_some() && !r.response.is_null());
                    if explicit.is_none() && given {
                        explicit = Some(r.response.as_ref().clone());
                    }
                }
                OutcomeKind::Fail => {
                    failed.push(i);
                    first_fail_rule.get_or_insert(ri);
                    if !m.report_failures || stream || fifo {
                        // The handler throws, or (FIFO, streams) stops at the first failure and reports it
                        // with every later record (spec 5.2, 5.3).
                        break 'records;
                    }
                }
                OutcomeKind::Timeout => {
                    decided = Some((Outcome::Timeout, ri));
                    break 'records;
                }
                OutcomeKind::Crash => {
                    decided = Some((Outcome::Crash, ri));
                    break 'records;
                }
            }
            break;
        }
    }
    let response;
    let result = if let Some((o, ri)) = decided {
        response = BatchResponse::Invalid;
        (o, Cause::Rule(ri as u32), response_sizes.get(ri).copied().unwrap_or(4), Some(ri))
    } else if !failed.is_empty() && !m.report_failures {
        let ri = first_fail_rule.expect("failing rule");
        response = BatchResponse::Invalid;
        (Outcome::Error, Cause::Rule(ri as u32), response_sizes.get(ri).copied().unwrap_or(4), Some(ri))
    } else if let Some(resp) = explicit.clone() {
        response = parse_batch_response(&resp, &items.iter().map(|x| x.3.as_str()).collect::<Vec<_>>());
        (Outcome::Success, Cause::Default, destinations::json_size(&resp) as u32, first_ok_rule)
    } else if !failed.is_empty() {
        // With FIFO the first failure and every later message are reported; for streams the first failure only
        // (its checkpoint retries everything after it anyway).
        let ids: Vec<String> = if fifo {
            items[failed[0]..].iter().map(|x| x.3.clone()).collect()
        } else if stream {
            vec![items[failed[0]].3.clone()]
        } else {
            failed.iter().map(|i| items[*i].3.clone()).collect()
        };
        let size = 24 + ids.iter().map(|x| x.len() + 20).sum::<usize>();
        response = BatchResponse::Failures(ids);
        (Outcome::Success, Cause::Default, size as u32, first_fail_rule)
    } else {
        response = BatchResponse::Success;
        (Outcome::Success, Cause::Default, 4, first_ok_rule)
    };
    // Tumbling windows: the state the handler returns. The simulated handler aggregates a record count; a rule's
    // explicit `Response` replaces it, and a response without `state` fails the batch (spec 5.3).
    let state_out = if m.tumbling.is_none() {
        None
    } else if let Some(resp) = &explicit {
        resp.get("state").cloned()
    } else {
        let lane = &rt.lanes[bt_lane as usize];
        let prev = lane.tumble.as_ref().and_then(|(_, s)| s.get("recordCount")).and_then(Value::as_u64).unwrap_or(0);
        let n = if lane.final_batch { 0 } else { items.len() as u64 };
        Some(json!({ "recordCount": prev + n }))
    };
    let bt = rt.batches[b as usize].as_mut().expect("live batch");
    bt.response = response;
    bt.state_out = state_out;
    result
}

/// Bytes a record may take in the batch's payload: its data, JSON escaping (at most double) and the record's
/// metadata, so that a batch never exceeds the 6 MB invocation payload (spec 5.1).
fn record_bytes(size: u32) -> usize {
    size as usize * 2 + 1024
}

/// Records in a batch (the duration per record scales with it).
pub(super) fn batch_records(rt: &EsmRt, b: u32) -> u64 {
    let bt = rt.batches[b as usize].as_ref().expect("live batch");
    if bt.lane == u32::MAX {
        bt.msgs.len() as u64
    } else {
        rt.lanes[bt.lane as usize].current.as_ref().map_or(0, |(r, _)| r.len() as u64)
    }
}

/// Parse a function's `batchItemFailures` response (spec 5.2): empty or null list = success; an entry without a
/// non-empty `itemIdentifier` that names a record of the batch = the whole batch failed.
fn parse_batch_response(resp: &Value, ids: &[&str]) -> BatchResponse {
    match resp.get("batchItemFailures") {
        None | Some(Value::Null) => BatchResponse::Success,
        Some(Value::Array(a)) if a.is_empty() => BatchResponse::Success,
        Some(Value::Array(a)) => {
            let mut out = vec![];
            for e in a {
                match e.get("itemIdentifier").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() && ids.contains(&id) => out.push(id.to_string()),
                    _ => return BatchResponse::Invalid,
                }
            }
            BatchResponse::Failures(out)
        }
        Some(_) => BatchResponse::Invalid,
    }
}

fn epoch_ms(model: &Model, t: SimTime) -> i64 {
    model.settings.start_epoch_ms + (t.as_micros() / 1000) as i64
}

/// One SQS message as the mapping delivers it (AWS DG with-sqs.html, "Example standard/FIFO queue message event").
fn sqs_record(model: &Model, m: &Msg) -> Value {
    let q = model.esm.queue(m.queue);
    let mut attributes = Map::new();
    attributes.insert("ApproximateReceiveCount".into(), json!(m.receives.to_string()));
    attributes.insert("SentTimestamp".into(), json!(epoch_ms(model, m.sent).to_string()));
    if let (Some(g), Some(d)) = (&m.group, &m.dedup) {
        attributes.insert("SequenceNumber".into(), json!(format!("1{:019}", m.seq)));
        attributes.insert("MessageGroupId".into(), json!(g.as_ref()));
        attributes.insert("SenderId".into(), json!(sender(model)));
        attributes.insert("MessageDeduplicationId".into(), json!(d.as_ref()));
    } else {
        attributes.insert("SenderId".into(), json!(sender(model)));
    }
    attributes.insert("ApproximateFirstReceiveTimestamp".into(), json!(epoch_ms(model, m.first_receive.unwrap_or(m.sent)).to_string()));
    json!({
        "messageId": sources::uuid(m.message_id, 0x5a_05),
        "receiptHandle": format!("AQEB{}", sources::b64(splitmix(m.id ^ u64::from(m.receives).rotate_left(32)), 0x5a_06, 96)),
        "body": m.body.as_ref(),
        "attributes": Value::Object(attributes),
        "messageAttributes": {},
        "md5OfBody": sources::md5_hex(m.body.as_bytes()),
        "eventSource": "aws:sqs",
        "eventSourceARN": q.arn,
        "awsRegion": model.region,
    })
}

fn sender(model: &Model) -> String {
    format!("AIDA{}", sources::chars(sources::stable(&[&model.account_id]), 0x5a_02, 17, sources::UPPER_ALNUM))
}

/// What filters and rules see of an SQS message: the record with its body parsed when it is JSON (spec 5.4).
fn sqs_view(model: &Model, m: &Msg) -> Value {
    let mut r = sqs_record(model, m);
    if let Ok(v) = serde_json::from_str::<Value>(&m.body) {
        if v.is_object() || v.is_array() {
            r["body"] = v;
        }
    }
    r
}

fn seq_text(st: &crate::model::Stream, shard: u32, seq: u64) -> String {
    if st.is_dynamodb() {
        ddb_seq(shard, seq)
    } else {
        kinesis_seq(st.seq_salt, shard, seq)
    }
}

/// One stream record as the mapping delivers it (DG with-kinesis.html, with-ddb.html example events).
fn stream_record(model: &Model, st: &crate::model::Stream, shard: u32, r: &Rec) -> Value {
    let seq = seq_text(st, shard, r.seq);
    let ms = epoch_ms(model, r.arrival);
    match &st.kind {
        StreamKind::Kinesis => json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": r.pk.as_ref(),
                "sequenceNumber": seq,
                "data": B64.encode(sources::text(&r.data)),
                "approximateArrivalTimestamp": sources::epoch_secs_f(ms),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("{}:{}", st.shard_id(shard), seq),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": format!("arn:aws:iam::{}:role/lambda-role", model.account_id),
            "awsRegion": model.region,
            "eventSourceARN": st.arn,
        }),
        StreamKind::DynamoDb { view, keys, .. } => {
            let event_name = DDB_EVENT_NAMES[r.event_name as usize % 3];
            let item = match r.data.as_ref() {
                Value::Object(m) => m.clone(),
                other => [("value".to_string(), other.clone())].into_iter().collect(),
            };
            let key_map: Map<String, Value> =
                keys.iter().map(|k| (k.clone(), sources::attribute_value(item.get(k).unwrap_or(&Value::Null)))).collect();
            let mut d = Map::new();
            d.insert("ApproximateCreationDateTime".into(), json!(ms.max(0) / 1000));
            d.insert("Keys".into(), Value::Object(key_map));
            let with_new = event_name != "REMOVE" && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
            let with_old = event_name != "INSERT" && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
            if with_new {
                d.insert("NewImage".into(), sources::item(&item));
            }
            if with_old {
                d.insert("OldImage".into(), sources::item(&item));
            }
            d.insert("SequenceNumber".into(), json!(seq));
            d.insert("SizeBytes".into(), json!(r.size));
            d.insert("StreamViewType".into(), json!(view));
            json!({
                "eventID": sources::chars(splitmix(r.key ^ r.seq), 0xdd_02, 32, sources::LOWER_HEX),
                "eventName": event_name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": model.region,
                "dynamodb": Value::Object(d),
                "eventSourceARN": st.arn,
            })
        }
    }
}

/// What filters and rules see of a stream record: Kinesis `{"data": <decoded JSON or text>, "partitionKey", ...}`
/// (filters use the `data` key, spec 5.4); DynamoDB the record as delivered.
fn stream_view(model: &Model, st: &crate::model::Stream, shard: u32, r: &Rec) -> Value {
    match st.kind {
        StreamKind::Kinesis => {
            json!({
                "data": r.data.as_ref(),
                "partitionKey": r.pk.as_ref(),
                "sequenceNumber": seq_text(st, shard, r.seq),
                "approximateArrivalTimestamp": sources::epoch_secs_f(epoch_ms(model, r.arrival)),
            })
        }
        StreamKind::DynamoDb { .. } => stream_record(model, st, shard, r),
    }
}

/// The on-failure record of a stream mapping (spec 3.3): `KinesisBatchInfo` or `DDBStreamBatchInfo`, the
/// unqualified function ARN, the condition, the batch size of the failed range.
#[allow(clippy::too_many_arguments)]
fn stream_failure_record(
    model: &Model,
    seed: u64,
    st: &crate::model::Stream,
    shard: u32,
    recs: &[Rec],
    condition: &str,
    invoke_count: u32,
    (function, qualifier, config): (FnId, crate::versions::Qualifier, u32),
    event: u64,
    now: SimTime,
) -> Value {
    let first = &recs[0];
    let last = &recs[recs.len() - 1];
    let iso_s = |t: SimTime| {
        let ms = epoch_ms(model, t);
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default()
    };
    let info = json!({
        "shardId": st.shard_id(shard),
        "startSequenceNumber": seq_text(st, shard, first.seq),
        "endSequenceNumber": seq_text(st, shard, last.seq),
        "approximateArrivalOfFirstRecord": iso_s(first.arrival),
        "approximateArrivalOfLastRecord": iso_s(last.arrival),
        "batchSize": recs.len(),
        "streamArn": st.arn,
    });
    let fd = model.function(function);
    let response = if invoke_count > 0 {
        json!({"statusCode": 200, "executedVersion": fd.config(config).label(), "functionError": "Unhandled"})
    } else {
        Value::Null
    };
    // A mapping of a version or alias names it in the ARN (spec 3.3 `functionArn`).
    let arn = if qualifier == crate::versions::Qualifier::Latest { fd.arn.clone() } else { fd.qualified_arn(qualifier) };
    let mut out = json!({
        "requestContext": {
            "requestId": request_id(seed, event),
            "functionArn": arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": destinations::iso_millis(model, now),
    });
    let key = if st.is_dynamodb() { "DDBStreamBatchInfo" } else { "KinesisBatchInfo" };
    out[key] = info;
    out
}
