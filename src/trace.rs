//! Typed trace events: every observable step of a run, in the order it happens. The simulation emits them; observers
//! (trace writer, sinks, metrics, invariant monitor, expectations, the digest) consume them and never steer the run.

use std::hash::{Hash, Hasher};

use serde_json::{json, Value};

pub use crate::aws::ids::{request_id, uuid_from};
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::{FnId, MappingId, Model, QueueId, StreamId, TargetId};
use crate::vocab::CallOutcome;
pub use crate::vocab::{
    BatchResult, DeliveryFailure, FanoutOutcome, Fate, FirehoseFate, FirehoseInvokeResult, InvokeMode, MessageFate, Outcome, RecordFate,
    RecordKind, ShutdownReason, ThrottleReason,
};

/// Where an accepted event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A workload source, by index.
    Workload(u32),
    /// A Lambda destination: the record of event `parent`.
    Destination { parent: u64 },
    /// A duplicate delivery of event `of` by the async queue (at-least-once).
    Duplicate { of: u64 },
    /// A batch of an event source mapping (spec section 5).
    Mapping { mapping: u32, batch: u64 },
    /// Delivery of message or event `msg` of topic or bus `hub` (`Model::fanout`) to a subscription or rule target.
    Fanout { hub: u32, msg: u64 },
    /// A buffered batch of delivery stream `stream` (`Model::firehose`) that Firehose transforms.
    Firehose { stream: u32, batch: u64 },
}

/// Where a queue message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MsgOrigin {
    /// A producer of the workload, by producer index.
    Producer(u32),
    /// A destination or DLQ record of invocation `event`, or a stream mapping's on-failure record (`event` is then
    /// the batch's last invocation).
    Record { event: u64 },
    /// Moved here by the redrive policy of `queue` (message `msg` there).
    Redrive { queue: u32, msg: u64 },
    /// Delivered by topic or bus `hub` (message or event `msg`): an SQS subscription, a rule target or its DLQ.
    Fanout { hub: u32, msg: u64 },
}

/// Where a message published to a topic, or an event put on a bus, came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PubOrigin {
    /// A workload publisher, by index in `Model::fanout.publishers`.
    Publisher(u32),
    /// A destination or DLQ record of invocation `event` (or a stream mapping's on-failure record).
    Record { event: u64 },
    /// A tick of scheduled rule `rule` of the bus.
    Schedule { rule: u32 },
}

impl PubOrigin {
    /// A word for the trace digest.
    pub fn word(self) -> u64 {
        match self {
            PubOrigin::Publisher(i) => u64::from(i),
            PubOrigin::Record { event } => 1 << 62 | event,
            PubOrigin::Schedule { rule } => 2 << 62 | u64::from(rule),
        }
    }
}

/// One step of a run. `event` is the accept sequence number of an invocation; `rid` its request-id key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TraceEvent {
    /// Async: invoke returned 202 and the event entered the queue. Sync: the request reached Lambda. `qualifier`: the
    /// version or alias invoked.
    Accepted { event: u64, rid: u64, function: FnId, origin: Origin, size: u32, mode: InvokeMode, qualifier: Qualifier },
    /// Invoke was refused before queueing or running (413 `RequestTooLargeException`).
    Rejected { function: FnId, origin: Origin, size: u32, status: u16, mode: InvokeMode },
    /// An execution starts on an environment (cold: it runs init first; `new_env`: the environment was just created,
    /// which counts against the scaling rate). `config`: the configuration (version) that runs; `provisioned`: on a
    /// provisioned environment; `spillover`: every provisioned environment of that version was busy, so it runs on
    /// demand (`ProvisionedConcurrencySpilloverInvocations`, spec section 6).
    AttemptStart {
        event: u64,
        rid: u64,
        function: FnId,
        attempt: u32,
        env: u32,
        cold: bool,
        new_env: bool,
        init: SimTime,
        config: u32,
        provisioned: bool,
        spillover: bool,
    },
    /// A synchronous caller's request is over: what it finally got, after how many invocations, how long it waited.
    CallResult { call: u64, source: u32, function: FnId, outcome: CallOutcome, attempts: u32, latency: SimTime },
    /// Lambda shut an execution environment down (idle too long, or recycled after its maximum lifetime).
    EnvironmentShutdown { function: FnId, env: u32, reason: ShutdownReason },
    /// An execution ends. `billed_ms` is the invoke phase rounded up to 1 ms; `init_billed_ms` the init phase.
    AttemptEnd {
        event: u64,
        rid: u64,
        function: FnId,
        attempt: u32,
        env: u32,
        outcome: Outcome,
        duration: SimTime,
        billed_ms: u64,
        init_billed_ms: u64,
    },
    /// A function-error retry is scheduled after `delay`.
    RetryScheduled { event: u64, function: FnId, next_attempt: u32, delay: SimTime },
    /// The event could not run now; it is retried after `retry_in` (throttle back-off) or given up.
    Throttled { event: u64, function: FnId, reason: ThrottleReason, throttles: u32, retry_in: Option<SimTime> },
    /// The event waits in the queue for a free environment (`AsyncConcurrencyFull: Queue`).
    Queued { event: u64, function: FnId },
    /// The event's final fate. `config`: the configuration whose settings decided it (its last execution's, or the
    /// one in force when it never ran).
    Fate { event: u64, rid: u64, function: FnId, fate: Fate, attempts: u32, latency: SimTime, config: u32 },
    /// A record was sent to a destination or DLQ (`failure` set when the send failed: the record is lost).
    Delivered { event: u64, function: FnId, target: TargetId, kind: RecordKind, failure: Option<DeliveryFailure> },
    /// A message entered a queue (`visible_in`: its delay). Its fate follows as `MessageFate`.
    MessageSent { queue: QueueId, msg: u64, origin: MsgOrigin, size: u32, visible_in: SimTime },
    /// A mapping received a message (it is invisible for the visibility timeout); `receives` counts this one.
    MessageReceived { queue: QueueId, msg: u64, mapping: MappingId, receives: u32 },
    /// A received message's visibility timeout ran out before it was deleted: it is visible again.
    MessageReturned { queue: QueueId, msg: u64, receives: u32 },
    /// A message left its queue: its one fate, after `receives` receives, `age` after it was sent.
    MessageFate { queue: QueueId, msg: u64, fate: MessageFate, receives: u32, age: SimTime },
    /// A record was put to a stream shard (`seq`: its rank in the shard).
    RecordPut { stream: StreamId, shard: u32, seq: u64, size: u32 },
    /// A record's one fate for `mapping` (`None`: the stream has no mapping), `age` after it arrived.
    RecordFate { stream: StreamId, shard: u32, seq: u64, mapping: Option<MappingId>, fate: RecordFate, age: SimTime },
    /// A mapping invokes its function with a batch (`event`: the invocation; `iterator_age`: for streams, the age of
    /// the batch's last record, the `IteratorAge` metric).
    BatchStart { mapping: MappingId, batch: u64, event: u64, records: u32, shard: u32, attempt: u32, iterator_age: SimTime },
    /// What the mapping made of the batch's invocation (`failed`: records to retry).
    BatchEnd { mapping: MappingId, batch: u64, event: u64, result: BatchResult, failed: u32 },
    /// A provisioned environment of configuration `config` is ready (spec section 6): its init phase of `init` just
    /// ended (billed), or, for provisioned concurrency declared in the scenario, it was initialised before the run
    /// (`init` 0).
    ProvisionedReady { function: FnId, env: u32, config: u32, init: SimTime },
    /// Change `change` of `Model::changes` applies from now on.
    ConfigChange { change: u32 },
    /// Message or event `msg` was published to topic or put on bus `hub`; `matched` deliveries follow (one `Fanout`
    /// each: the subscriptions whose filter policy matches, the targets of the enabled rules that match).
    Published { hub: u32, msg: u64, origin: PubOrigin, size: u32, matched: u32 },
    /// The one fate of the delivery of `msg` to endpoint `endpoint` of `hub`, after `attempts` attempts (the last
    /// refusal's reason in `refused`).
    Fanout { hub: u32, msg: u64, endpoint: u32, attempts: u32, outcome: FanoutOutcome, refused: Option<DeliveryFailure> },
    /// Event `msg` on bus `hub` matched rule `rule` (a scheduled rule's tick matches its own rule); its targets' `Fanout`s
    /// follow.
    RuleMatched { hub: u32, rule: u32, msg: u64 },
    /// A message published to FIFO topic `hub` repeated a deduplication id seen in the last 5 minutes: SNS accepts it
    /// and delivers nothing (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html).
    PublishDeduplicated { hub: u32, origin: PubOrigin, size: u32 },
    /// A record was put into delivery stream `stream` (`Model::firehose`); its one fate follows as
    /// `FirehoseRecordFate`.
    FirehoseRecordPut { stream: u32, record: u64, size: u32 },
    /// Firehose invokes the stream's transformation function with batch `batch` (`attempt` 1, then its retries);
    /// `event` is the invocation.
    FirehoseInvoke { stream: u32, batch: u64, event: u64, records: u32, attempt: u32 },
    /// What Firehose made of the invocation; `retry_in`: it invokes the batch again after that delay.
    FirehoseInvokeEnd { stream: u32, batch: u64, event: u64, result: FirehoseInvokeResult, retry_in: Option<SimTime> },
    /// A record's one fate, after `attempts` invocations of its batch, `age` after it was put.
    FirehoseRecordFate { stream: u32, record: u64, fate: FirehoseFate, attempts: u32, age: SimTime },
}

impl TraceEvent {
    pub fn name(&self) -> &'static str {
        match self {
            TraceEvent::Accepted { .. } => "Accepted",
            TraceEvent::Rejected { .. } => "Rejected",
            TraceEvent::AttemptStart { .. } => "AttemptStart",
            TraceEvent::AttemptEnd { .. } => "AttemptEnd",
            TraceEvent::RetryScheduled { .. } => "RetryScheduled",
            TraceEvent::Throttled { .. } => "Throttled",
            TraceEvent::Queued { .. } => "Queued",
            TraceEvent::EnvironmentShutdown { .. } => "EnvironmentShutdown",
            TraceEvent::CallResult { .. } => "CallResult",
            TraceEvent::Fate { .. } => "Fate",
            TraceEvent::Delivered { .. } => "Delivered",
            TraceEvent::MessageSent { .. } => "MessageSent",
            TraceEvent::MessageReceived { .. } => "MessageReceived",
            TraceEvent::MessageFate { .. } => "MessageFate",
            TraceEvent::MessageReturned { .. } => "MessageReturned",
            TraceEvent::RecordPut { .. } => "RecordPut",
            TraceEvent::RecordFate { .. } => "RecordFate",
            TraceEvent::BatchStart { .. } => "BatchStart",
            TraceEvent::BatchEnd { .. } => "BatchEnd",
            TraceEvent::ProvisionedReady { .. } => "ProvisionedReady",
            TraceEvent::ConfigChange { .. } => "ConfigChange",
            TraceEvent::Published { .. } => "Published",
            TraceEvent::Fanout { .. } => "Fanout",
            TraceEvent::RuleMatched { .. } => "RuleMatched",
            TraceEvent::PublishDeduplicated { .. } => "PublishDeduplicated",
            TraceEvent::FirehoseRecordPut { .. } => "FirehoseRecordPut",
            TraceEvent::FirehoseInvoke { .. } => "FirehoseInvoke",
            TraceEvent::FirehoseInvokeEnd { .. } => "FirehoseInvokeEnd",
            TraceEvent::FirehoseRecordFate { .. } => "FirehoseRecordFate",
        }
    }
}

/// What an observer may read beside the event: the model, the run's seed, and, when some observer asked for
/// documents, the payload of an `Accepted` invocation and, for deliveries, the message content (the invocation record, or for a DLQ `{"body": payload, "attributes":
/// {...}}`).
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub seed: u64,
    pub content: Option<&'a Value>,
}

/// Something that watches a run. Observers never steer the simulation.
pub trait Observer {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>);
    /// Whether this observer needs `Ctx::content` on deliveries (rendering it costs time).
    fn wants_content(&self) -> bool {
        false
    }
}

/// A stable, platform-independent 64-bit hasher for the trace digest: every integer is fed as a `u64` value, never as
/// native-endian bytes, so the digest is the same on every platform.
///
/// Words are taken two at a time into one 64×64→128-bit multiply folded to 64 bits (as wyhash does), which halves
/// the chain of dependent multiplies per trace event.
#[derive(Debug, Clone)]
pub struct StableHasher {
    h: u64,
    pending: Option<u64>,
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher { h: 0x243f_6a88_85a3_08d3, pending: None }
    }
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

impl StableHasher {
    #[inline(always)]
    fn mix(&mut self, x: u64) {
        match self.pending.take() {
            None => self.pending = Some(x),
            Some(a) => self.h = fold_mul(a ^ self.h ^ 0xa076_1d64_78bd_642f, x ^ 0xe703_7ed1_a0b4_28db),
        }
    }

    /// The state with an odd last word mixed in with a constant.
    #[inline(always)]
    fn settle(&self) -> u64 {
        match self.pending {
            Some(a) => fold_mul(a ^ self.h ^ 0xa076_1d64_78bd_642f, 0x8ebc_6af0_9c88_c6e3),
            None => self.h,
        }
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        splitmix(self.settle())
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(b));
        }
        self.mix(bytes.len() as u64);
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
    }
    fn write_i32(&mut self, i: i32) {
        self.mix(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
}

/// Hashes every trace event (and its time) into one digest.
#[derive(Debug, Default, Clone)]
pub struct Digest {
    h: StableHasher,
    events: u64,
}

impl Digest {
    /// Every field of the event goes in, packed into a few words (small fields share a word), after its time and
    /// kind: cheaper than `Hash` field by field, and as complete.
    #[inline]
    pub fn add(&mut self, t: SimTime, ev: &TraceEvent) {
        // The event's words are mixed in pairs of its own (an odd last one with a constant): a hasher local to the
        // event, so the compiler knows at each word whether it is the first or second of a pair.
        let h = &mut StableHasher { h: self.h.h, pending: None };
        h.mix(t.as_micros());
        let opt = |x: Option<SimTime>| x.map_or(u64::MAX, |d| d.as_micros());
        let f = |x: &FnId| u64::from(x.0);
        match ev {
            TraceEvent::Accepted { event, rid, function, origin, size, mode, qualifier } => {
                h.mix(1 | f(function) << 8 | (*mode as u64) << 40);
                h.mix(*event);
                h.mix(*rid);
                h.mix(origin_word(origin) ^ u64::from(*size).rotate_left(17));
                // Only invocations of a version or alias add a word: older traces keep their digests.
                if *qualifier != Qualifier::Latest {
                    h.mix(qualifier.word());
                }
            }
            TraceEvent::Rejected { function, origin, size, status, mode } => {
                h.mix(2 | f(function) << 8 | (*mode as u64) << 40 | u64::from(*status) << 44);
                h.mix(origin_word(origin) ^ u64::from(*size).rotate_left(17));
            }
            TraceEvent::AttemptStart { event, rid, function, attempt, env, cold, new_env, init, config, provisioned, spillover } => {
                h.mix(
                    3 | f(function) << 8
                        | u64::from(*cold) << 40
                        | u64::from(*new_env) << 41
                        | u64::from(*provisioned) << 42
                        | u64::from(*spillover) << 43
                        | u64::from(*config) << 44,
                );
                h.mix(*event);
                h.mix(*rid);
                h.mix(u64::from(*attempt) | u64::from(*env) << 32);
                h.mix(init.as_micros());
            }
            TraceEvent::AttemptEnd { event, rid, function, attempt, env, outcome, duration, billed_ms, init_billed_ms } => {
                h.mix(4 | f(function) << 8 | (*outcome as u64) << 40);
                h.mix(*event);
                h.mix(*rid);
                h.mix(u64::from(*attempt) | u64::from(*env) << 32);
                h.mix(duration.as_micros());
                h.mix(*billed_ms);
                h.mix(*init_billed_ms);
            }
            TraceEvent::RetryScheduled { event, function, next_attempt, delay } => {
                h.mix(5 | f(function) << 8 | u64::from(*next_attempt) << 40);
                h.mix(*event);
                h.mix(delay.as_micros());
            }
            TraceEvent::Throttled { event, function, reason, throttles, retry_in } => {
                h.mix(6 | f(function) << 8 | (*reason as u64) << 40 | u64::from(*throttles) << 44);
                h.mix(*event);
                h.mix(opt(*retry_in));
            }
            TraceEvent::Queued { event, function } => {
                h.mix(7 | f(function) << 8);
                h.mix(*event);
            }
            TraceEvent::Fate { event, rid, function, fate, attempts, latency, config } => {
                h.mix(8 | f(function) << 8 | (*fate as u64) << 40 | u64::from(*attempts) << 44);
                h.mix(*event);
                h.mix(*rid ^ u64::from(*config).rotate_left(48));
                h.mix(latency.as_micros());
            }
            TraceEvent::Delivered { event, function, target, kind, failure } => {
                let fail = failure.map_or(0, |x| x as u64 + 1);
                h.mix(9 | f(function) << 8 | (*kind as u64) << 40 | fail << 44 | u64::from(target.0) << 48);
                h.mix(*event);
            }
            TraceEvent::CallResult { call, source, function, outcome, attempts, latency } => {
                h.mix(10 | f(function) << 8 | (*outcome as u64) << 40 | u64::from(*attempts) << 44);
                h.mix(*call ^ u64::from(*source).rotate_left(48));
                h.mix(latency.as_micros());
            }
            TraceEvent::EnvironmentShutdown { function, env, reason } => {
                h.mix(11 | f(function) << 8 | (*reason as u64) << 40);
                h.mix(u64::from(*env));
            }
            TraceEvent::MessageSent { queue, msg, origin, size, visible_in } => {
                let o = match origin {
                    MsgOrigin::Producer(i) => u64::from(*i),
                    MsgOrigin::Record { event } => 1 << 62 | event,
                    MsgOrigin::Redrive { queue, msg } => 2 << 62 | msg ^ u64::from(*queue) << 48,
                    MsgOrigin::Fanout { hub, msg } => 3 << 62 | msg ^ u64::from(*hub) << 48,
                };
                h.mix(12 | u64::from(queue.0) << 8 | u64::from(*size) << 32);
                h.mix(*msg);
                h.mix(o);
                h.mix(visible_in.as_micros());
            }
            TraceEvent::MessageReceived { queue, msg, mapping, receives } => {
                h.mix(13 | u64::from(queue.0) << 8 | u64::from(mapping.0) << 32);
                h.mix(*msg ^ u64::from(*receives).rotate_left(40));
            }
            TraceEvent::MessageReturned { queue, msg, receives } => {
                h.mix(19 | u64::from(queue.0) << 8 | u64::from(*receives) << 32);
                h.mix(*msg);
            }
            TraceEvent::MessageFate { queue, msg, fate, receives, age } => {
                h.mix(14 | u64::from(queue.0) << 8 | (*fate as u64) << 32 | u64::from(*receives) << 40);
                h.mix(*msg);
                h.mix(age.as_micros());
            }
            TraceEvent::RecordPut { stream, shard, seq, size } => {
                h.mix(15 | u64::from(stream.0) << 8 | u64::from(*shard) << 24 | u64::from(*size) << 40);
                h.mix(*seq);
            }
            TraceEvent::RecordFate { stream, shard, seq, mapping, fate, age } => {
                h.mix(
                    16 | u64::from(stream.0) << 8
                        | u64::from(*shard) << 24
                        | (*fate as u64) << 40
                        | mapping.map_or(0xffff, |m| u64::from(m.0)) << 44,
                );
                h.mix(*seq);
                h.mix(age.as_micros());
            }
            TraceEvent::BatchStart { mapping, batch, event, records, shard, attempt, iterator_age } => {
                h.mix(17 | u64::from(mapping.0) << 8 | u64::from(*shard) << 32);
                h.mix(*batch);
                h.mix(*event);
                h.mix(u64::from(*records) | u64::from(*attempt) << 32);
                h.mix(iterator_age.as_micros());
            }
            TraceEvent::BatchEnd { mapping, batch, event, result, failed } => {
                h.mix(18 | u64::from(mapping.0) << 8 | (*result as u64) << 32 | u64::from(*failed) << 36);
                h.mix(*batch);
                h.mix(*event);
            }
            TraceEvent::ProvisionedReady { function, env, config, init } => {
                h.mix(20 | f(function) << 8);
                h.mix(u64::from(*env) | u64::from(*config) << 32);
                h.mix(init.as_micros());
            }
            TraceEvent::ConfigChange { change } => h.mix(21 | u64::from(*change) << 8),
            TraceEvent::Published { hub, msg, origin, size, matched } => {
                h.mix(22 | u64::from(*hub) << 8 | u64::from(*matched) << 32);
                h.mix(*msg);
                h.mix(origin.word() ^ u64::from(*size).rotate_left(23));
            }
            TraceEvent::RuleMatched { hub, rule, msg } => {
                h.mix(24 | u64::from(*hub) << 8 | u64::from(*rule) << 32);
                h.mix(*msg);
            }
            TraceEvent::PublishDeduplicated { hub, origin, size } => {
                h.mix(25 | u64::from(*hub) << 8 | u64::from(*size) << 32);
                h.mix(origin.word());
            }
            TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome, refused } => {
                h.mix(
                    23 | u64::from(*hub) << 8
                        | u64::from(*endpoint) << 24
                        | (*outcome as u64) << 40
                        | refused.map_or(0, |r| r as u64 + 1) << 44,
                );
                h.mix(*msg);
                h.mix(u64::from(*attempts));
            }
            TraceEvent::FirehoseRecordPut { stream, record, size } => {
                h.mix(24 | u64::from(*stream) << 8 | u64::from(*size) << 32);
                h.mix(*record);
            }
            TraceEvent::FirehoseInvoke { stream, batch, event, records, attempt } => {
                h.mix(25 | u64::from(*stream) << 8 | u64::from(*attempt) << 32);
                h.mix(*batch);
                h.mix(*event ^ u64::from(*records).rotate_left(40));
            }
            TraceEvent::FirehoseInvokeEnd { stream, batch, event, result, retry_in } => {
                h.mix(26 | u64::from(*stream) << 8 | (*result as u64) << 40);
                h.mix(*batch);
                h.mix(*event);
                h.mix(opt(*retry_in));
            }
            TraceEvent::FirehoseRecordFate { stream, record, fate, attempts, age } => {
                h.mix(27 | u64::from(*stream) << 8 | (*fate as u64) << 32 | u64::from(*attempts) << 40);
                h.mix(*record);
                h.mix(age.as_micros());
            }
        }
        self.h.h = h.settle();
        self.events += 1;
    }
    pub fn value(&self) -> u64 {
        self.h.finish()
    }
    pub fn hex(&self) -> String {
        format!("{:016x}", self.value())
    }
    pub fn events(&self) -> u64 {
        self.events
    }
}

fn origin_word(o: &Origin) -> u64 {
    match o {
        Origin::Workload(i) => u64::from(*i),
        Origin::Destination { parent } => 1 << 62 | parent,
        Origin::Duplicate { of } => 2 << 62 | of,
        Origin::Mapping { mapping, batch } => 3 << 62 | batch ^ u64::from(*mapping) << 48,
        Origin::Fanout { hub, msg } => 3 << 62 | msg ^ u64::from(*hub) << 40 | 1 << 61,
        Origin::Firehose { stream, batch } => 2 << 62 | batch ^ u64::from(*stream) << 40 | 1 << 61,
    }
}

fn mode_name(m: InvokeMode) -> &'static str {
    match m {
        InvokeMode::Async => "Event",
        InvokeMode::Sync => "RequestResponse",
    }
}

/// Where a published message came from, in a trace line.
fn pub_origin_json(o: &mut Value, m: &Model, hub: u32, origin: PubOrigin) {
    match origin {
        PubOrigin::Publisher(i) => o["publisher"] = json!(m.fanout.publishers.get(i as usize).map(|p| p.name.as_str()).unwrap_or("?")),
        PubOrigin::Record { event } => o["recordOfEvent"] = json!(event),
        PubOrigin::Schedule { rule } => o["scheduledRule"] = json!(m.fanout.hub(hub).rules[rule as usize].name),
    }
}

/// The JSON form of a trace event, as written by `--trace`.
pub fn to_json(t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let m = ctx.model;
    let fname = |f: &FnId| m.function(*f).name.clone();
    let rid = |r: &u64| request_id(ctx.seed, *r);
    let mut v = match ev {
        TraceEvent::Accepted { event, rid: r, function, origin, size, mode, qualifier } => {
            let mut o = json!({"event": event, "requestId": rid(r), "function": fname(function), "invocationType": mode_name(*mode), "payloadBytes": size});
            if *qualifier != Qualifier::Latest {
                o["qualifier"] = json!(m.function(*function).qualifier_name(*qualifier));
            }
            match origin {
                Origin::Workload(i) => o["source"] = json!(m.sources.get(*i as usize).map(|s| s.name.as_str()).unwrap_or("?")),
                Origin::Destination { parent } => o["fromEvent"] = json!(parent),
                Origin::Duplicate { of } => o["duplicateOf"] = json!(of),
                Origin::Mapping { mapping, batch } => {
                    o["mapping"] = json!(m.esm.mappings[*mapping as usize].uuid);
                    o["batch"] = json!(batch);
                }
                Origin::Fanout { hub, msg } => {
                    o[if m.fanout.hub(*hub).bus { "bus" } else { "topic" }] = json!(m.fanout.hub(*hub).name);
                    o["msg"] = json!(msg);
                }
                Origin::Firehose { stream, batch } => {
                    o["deliveryStream"] = json!(m.firehose.stream(*stream).name);
                    o["batch"] = json!(batch);
                }
            }
            o
        }
        TraceEvent::Rejected { function, origin, size, status, mode } => {
            let mut o = json!({"function": fname(function), "invocationType": mode_name(*mode), "payloadBytes": size, "statusCode": status, "errorType": "RequestTooLargeException"});
            if let Origin::Workload(i) = origin {
                o["source"] = json!(m.sources.get(*i as usize).map(|s| s.name.as_str()).unwrap_or("?"));
            }
            o
        }
        TraceEvent::AttemptStart { event, rid: r, function, attempt, env, cold, new_env, init, config, provisioned, spillover } => {
            let mut o = json!({
                "event": event, "requestId": rid(r), "function": fname(function), "attempt": attempt, "env": env, "cold": cold,
                "newEnvironment": new_env, "initMs": init.as_millis_f64()
            });
            // Version and provisioned-concurrency fields appear for functions that have them.
            let fd = m.function(*function);
            if fd.versioned() {
                o["version"] = json!(fd.config(*config).label());
            }
            if fd.uses_pc {
                o["provisioned"] = json!(provisioned);
                o["spillover"] = json!(spillover);
            }
            o
        }
        TraceEvent::AttemptEnd { event, rid: r, function, attempt, env, outcome, duration, billed_ms, init_billed_ms } => json!({
            "event": event, "requestId": rid(r), "function": fname(function), "attempt": attempt, "env": env,
            "outcome": outcome.name(), "durationMs": duration.as_millis_f64(), "billedMs": billed_ms, "initBilledMs": init_billed_ms
        }),
        TraceEvent::RetryScheduled { event, function, next_attempt, delay } => {
            json!({"event": event, "function": fname(function), "nextAttempt": next_attempt, "delay": delay.to_string(), "delayUs": delay.as_micros()})
        }
        TraceEvent::Throttled { event, function, reason, throttles, retry_in } => json!({
            "event": event, "function": fname(function), "reason": if *reason == ThrottleReason::ScalingRate { m.settings.scaling_throttle_reason.as_str() } else { reason.aws_name() }, "statusCode": reason.status(), "throttles": throttles,
            "retryIn": retry_in.map(|d| d.to_string()), "retryInUs": retry_in.map(|d| d.as_micros())
        }),
        TraceEvent::Queued { event, function } => json!({"event": event, "function": fname(function)}),
        TraceEvent::CallResult { call, source, function, outcome, attempts, latency } => json!({
            "call": call, "source": m.sources.get(*source as usize).map(|s| s.name.as_str()).unwrap_or("?"), "function": fname(function),
            "outcome": outcome.name(), "statusCode": outcome.status(), "attempts": attempts, "latency": latency.to_string(), "latencyUs": latency.as_micros()
        }),
        TraceEvent::EnvironmentShutdown { function, env, reason } => {
            json!({"function": fname(function), "env": env, "reason": reason.name()})
        }
        TraceEvent::Fate { event, rid: r, function, fate, attempts, latency, config } => {
            let mut o = json!({
                "event": event, "requestId": rid(r), "function": fname(function), "fate": fate.name(), "attempts": attempts,
                "latency": latency.to_string(), "latencyUs": latency.as_micros()
            });
            let fd = m.function(*function);
            if fd.versioned() {
                o["version"] = json!(fd.config(*config).label());
            }
            o
        }
        TraceEvent::Delivered { event, function, target, kind, failure } => {
            let tg = m.target(*target);
            let mut o = json!({"event": event, "function": fname(function), "kind": kind.name(), "target": tg.arn, "delivered": failure.is_none(), "failure": failure.map(|f| f.name())});
            if failure.is_some() {
                // The ledger: the record is lost, and why (`DestinationDeliveryFailures` / `DeadLetterErrors`).
                o["lost"] = json!(true);
                o["metric"] = json!(if *kind == RecordKind::DeadLetter { "DeadLetterErrors" } else { "DestinationDeliveryFailures" });
            }
            o
        }
        TraceEvent::ProvisionedReady { function, env, config, init } => {
            let fd = m.function(*function);
            json!({"function": fname(function), "env": env, "version": fd.config(*config).label(), "initMs": init.as_millis_f64(), "initBilledMs": init.ceil_millis()})
        }
        TraceEvent::Published { hub, msg, origin, size, matched } => {
            let h = m.fanout.hub(*hub);
            let mut o = json!({if h.bus { "bus" } else { "topic" }: h.name, "msg": msg, "bytes": size, "matched": matched});
            pub_origin_json(&mut o, m, *hub, *origin);
            o
        }
        TraceEvent::RuleMatched { hub, rule, msg } => {
            let h = m.fanout.hub(*hub);
            json!({"bus": h.name, "msg": msg, "rule": h.rules[*rule as usize].name})
        }
        TraceEvent::PublishDeduplicated { hub, origin, size } => {
            let mut o = json!({"topic": m.fanout.hub(*hub).name, "bytes": size});
            pub_origin_json(&mut o, m, *hub, *origin);
            o
        }
        TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome, refused } => {
            let h = m.fanout.hub(*hub);
            let e = &h.endpoints[*endpoint as usize];
            let mut o = json!({if h.bus { "bus" } else { "topic" }: h.name, "msg": msg, "endpoint": e.label, "arn": e.arn, "attempts": attempts, "outcome": outcome.name()});
            if let Some(r) = refused {
                o["refused"] = json!(r.name());
            }
            o
        }
        TraceEvent::ConfigChange { change } => {
            let mut o = json!({"change": change});
            if let Some(c) = m.changes.get(*change as usize) {
                o["action"] = json!(c.action);
                o["index"] = json!(c.index);
                if let Some(f) = c.kind.function() {
                    o["function"] = json!(fname(&f));
                }
                // What the change sets, as the AWS call would.
                use crate::versions::ChangeKind as K;
                match &c.kind {
                    K::Deploy { function, published, .. } => {
                        if let Some(p) = published {
                            o["publishedVersion"] = json!(m.function(*function).config(*p).label());
                        }
                    }
                    K::Publish { function, config } => o["publishedVersion"] = json!(m.function(*function).config(*config).label()),
                    K::Reserved { value, .. } => o["reservedConcurrentExecutions"] = json!(value),
                    K::Provisioned { function, qualifier, value } => {
                        o["qualifier"] = json!(m.function(*function).qualifier_name(*qualifier));
                        o["provisionedConcurrentExecutions"] = json!(value);
                    }
                    K::Alias { function, alias, routing } => {
                        let fd = m.function(*function);
                        o["alias"] = json!(fd.qualifier_name(Qualifier::Alias(*alias)));
                        o["functionVersion"] = json!(fd.config(routing.primary).label());
                        if let Some((c, w)) = routing.additional {
                            o["additionalVersionWeights"] = json!({ fd.config(c).label(): w });
                        }
                    }
                    K::MappingEnabled { mapping, enabled } => {
                        let mp = m.esm.mapping(*mapping);
                        o["UUID"] = json!(mp.uuid);
                        o["function"] = json!(fname(&mp.function));
                        o["enabled"] = json!(enabled);
                    }
                }
            }
            o
        }
        TraceEvent::MessageSent { queue, msg, origin, size, visible_in } => {
            let mut o = json!({"queue": m.esm.queue(*queue).name, "msg": msg, "bytes": size, "visibleIn": visible_in.to_string()});
            match origin {
                MsgOrigin::Producer(i) => o["producer"] = json!(m.esm.producers.get(*i as usize).map(|p| p.name.as_str()).unwrap_or("?")),
                MsgOrigin::Record { event } => o["recordOfEvent"] = json!(event),
                MsgOrigin::Redrive { queue, msg } => {
                    o["redrivenFrom"] = json!(m.esm.queues[*queue as usize].name);
                    o["fromMsg"] = json!(msg);
                }
                MsgOrigin::Fanout { hub, msg } => {
                    o[if m.fanout.hub(*hub).bus { "fromBus" } else { "fromTopic" }] = json!(m.fanout.hub(*hub).name);
                    o["fromMsg"] = json!(msg);
                }
            }
            o
        }
        TraceEvent::MessageReceived { queue, msg, mapping, receives } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "mapping": m.esm.mapping(*mapping).uuid, "receiveCount": receives
        }),
        TraceEvent::MessageReturned { queue, msg, receives } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "receiveCount": receives
        }),
        TraceEvent::MessageFate { queue, msg, fate, receives, age } => json!({
            "queue": m.esm.queue(*queue).name, "msg": msg, "fate": fate.name(), "receiveCount": receives, "age": age.to_string(), "ageUs": age.as_micros()
        }),
        TraceEvent::RecordPut { stream, shard, seq, size } => {
            let s = m.esm.stream(*stream);
            json!({"stream": s.name, "shardId": s.shard_id(*shard), "seq": seq, "bytes": size})
        }
        TraceEvent::RecordFate { stream, shard, seq, mapping, fate, age } => {
            let s = m.esm.stream(*stream);
            json!({"stream": s.name, "shardId": s.shard_id(*shard), "seq": seq, "mapping": mapping.map(|x| m.esm.mapping(x).uuid.clone()),
                   "fate": fate.name(), "age": age.to_string(), "ageUs": age.as_micros()})
        }
        TraceEvent::BatchStart { mapping, batch, event, records, shard, attempt, iterator_age } => json!({
            "mapping": m.esm.mapping(*mapping).uuid, "function": fname(&m.esm.mapping(*mapping).function), "batch": batch, "event": event,
            "records": records, "shard": shard, "attempt": attempt, "iteratorAgeMs": iterator_age.as_millis_f64()
        }),
        TraceEvent::BatchEnd { mapping, batch, event, result, failed } => json!({
            "mapping": m.esm.mapping(*mapping).uuid, "batch": batch, "event": event, "result": result.name(), "failedRecords": failed
        }),
        TraceEvent::FirehoseRecordPut { stream, record, size } => json!({
            "deliveryStream": m.firehose.stream(*stream).name, "record": record, "bytes": size
        }),
        TraceEvent::FirehoseInvoke { stream, batch, event, records, attempt } => {
            let ds = m.firehose.stream(*stream);
            json!({"deliveryStream": ds.name, "function": ds.lambda.map(|(f, _)| fname(&f)), "batch": batch, "event": event, "records": records, "attempt": attempt})
        }
        TraceEvent::FirehoseInvokeEnd { stream, batch, event, result, retry_in } => {
            let mut o = json!({"deliveryStream": m.firehose.stream(*stream).name, "batch": batch, "event": event, "result": result.name()});
            if *result != FirehoseInvokeResult::Ok {
                o["errorCode"] = json!(result.error_code());
            }
            if let Some(d) = retry_in {
                o["retryIn"] = json!(d.to_string());
            }
            o
        }
        TraceEvent::FirehoseRecordFate { stream, record, fate, attempts, age } => json!({
            "deliveryStream": m.firehose.stream(*stream).name, "record": record, "fate": fate.name(), "attempts": attempts,
            "age": age.to_string(), "ageUs": age.as_micros()
        }),
    };
    if let Value::Object(o) = &mut v {
        let mut out = serde_json::Map::new();
        out.insert("t".into(), json!(t.to_string()));
        out.insert("tUs".into(), json!(t.as_micros()));
        out.insert("type".into(), json!(ev.name()));
        out.extend(std::mem::take(o));
        return Value::Object(out);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_depends_on_every_field() {
        let a = TraceEvent::Queued { event: 1, function: FnId(0) };
        let b = TraceEvent::Queued { event: 2, function: FnId(0) };
        let mut d1 = Digest::default();
        d1.add(SimTime::ZERO, &a);
        let mut d2 = Digest::default();
        d2.add(SimTime::ZERO, &b);
        let mut d3 = Digest::default();
        d3.add(SimTime::from_micros(1), &a);
        assert_ne!(d1.value(), d2.value());
        assert_ne!(d1.value(), d3.value());
    }
}
