//! Typed trace events: every observable step of a run, in the order it happens. The simulation emits them; observers
//! (trace writer, sinks, metrics, invariant monitor, expectations, the digest) consume them and never steer the run.
//!
//! The digest of a run is in `digest` ([`Digest`]), the `--trace` JSON line of an event in `json` ([`to_json`]); the
//! closed word sets the events carry are in [`crate::vocab`].

use serde_json::Value;

use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::{FnId, MappingId, Model, QueueId, StreamId, TargetId};
use crate::vocab::{
    BatchResult, CallOutcome, DeliveryFailure, FanoutOutcome, Fate, FirehoseFate, FirehoseInvokeResult, InvokeMode, MessageFate, Outcome,
    RecordFate, RecordKind, ShutdownReason, ThrottleReason,
};

mod digest;
mod handler;
mod json;

pub use digest::{Digest, StableHasher};
pub use handler::{first_difference, shorten, HandlerReplyKind};
pub use json::to_json;

/// Where an accepted event came from.
#[allow(missing_docs)] // variant fields are described in each variant's doc
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
#[allow(missing_docs)] // variant fields are described in each variant's doc
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
#[allow(missing_docs)] // variant fields are described in each variant's doc
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
#[allow(missing_docs)] // variant fields are described in each variant's doc
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
    /// and delivers nothing (<https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html>).
    PublishDeduplicated { hub: u32, origin: PubOrigin, size: u32 },
    /// Real code answered attempt `attempt` of invocation `event` (only functions that a [`crate::handler::Handlers`]
    /// serves have these events): the response bytes, or the error body `{"errorMessage","errorType","stackTrace"}`,
    /// or for an exit the status. Emitted right after the attempt's `AttemptStart`; part of the digest, so a handler
    /// that answers differently in two runs of the same seed changes it.
    HandlerReply { event: u64, rid: u64, function: FnId, attempt: u32, env: u32, kind: HandlerReplyKind, body: std::sync::Arc<[u8]> },
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
    /// The variant's name (`"Accepted"`, `"AttemptStart"`, ...).
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
            TraceEvent::HandlerReply { .. } => "HandlerReply",
            TraceEvent::FirehoseRecordPut { .. } => "FirehoseRecordPut",
            TraceEvent::FirehoseInvoke { .. } => "FirehoseInvoke",
            TraceEvent::FirehoseInvokeEnd { .. } => "FirehoseInvokeEnd",
            TraceEvent::FirehoseRecordFate { .. } => "FirehoseRecordFate",
        }
    }

    /// The names of the variants, indexed by [`TraceEvent::kind`].
    pub const KINDS: [&'static str; 30] = [
        "Accepted",
        "Rejected",
        "AttemptStart",
        "AttemptEnd",
        "RetryScheduled",
        "Throttled",
        "Queued",
        "EnvironmentShutdown",
        "CallResult",
        "Fate",
        "Delivered",
        "MessageSent",
        "MessageReceived",
        "MessageFate",
        "MessageReturned",
        "RecordPut",
        "RecordFate",
        "BatchStart",
        "BatchEnd",
        "ProvisionedReady",
        "ConfigChange",
        "Published",
        "Fanout",
        "RuleMatched",
        "PublishDeduplicated",
        "HandlerReply",
        "FirehoseRecordPut",
        "FirehoseInvoke",
        "FirehoseInvokeEnd",
        "FirehoseRecordFate",
    ];

    /// The variant's index in [`TraceEvent::KINDS`] (its bit in an [`Interest`]).
    #[inline]
    pub fn kind(&self) -> u32 {
        match self {
            TraceEvent::Accepted { .. } => 0,
            TraceEvent::Rejected { .. } => 1,
            TraceEvent::AttemptStart { .. } => 2,
            TraceEvent::AttemptEnd { .. } => 3,
            TraceEvent::RetryScheduled { .. } => 4,
            TraceEvent::Throttled { .. } => 5,
            TraceEvent::Queued { .. } => 6,
            TraceEvent::EnvironmentShutdown { .. } => 7,
            TraceEvent::CallResult { .. } => 8,
            TraceEvent::Fate { .. } => 9,
            TraceEvent::Delivered { .. } => 10,
            TraceEvent::MessageSent { .. } => 11,
            TraceEvent::MessageReceived { .. } => 12,
            TraceEvent::MessageFate { .. } => 13,
            TraceEvent::MessageReturned { .. } => 14,
            TraceEvent::RecordPut { .. } => 15,
            TraceEvent::RecordFate { .. } => 16,
            TraceEvent::BatchStart { .. } => 17,
            TraceEvent::BatchEnd { .. } => 18,
            TraceEvent::ProvisionedReady { .. } => 19,
            TraceEvent::ConfigChange { .. } => 20,
            TraceEvent::Published { .. } => 21,
            TraceEvent::Fanout { .. } => 22,
            TraceEvent::RuleMatched { .. } => 23,
            TraceEvent::PublishDeduplicated { .. } => 24,
            TraceEvent::HandlerReply { .. } => 25,
            TraceEvent::FirehoseRecordPut { .. } => 26,
            TraceEvent::FirehoseInvoke { .. } => 27,
            TraceEvent::FirehoseInvokeEnd { .. } => 28,
            TraceEvent::FirehoseRecordFate { .. } => 29,
        }
    }
}

/// The bit of each kind of trace event in an [`Interest`] (bit [`TraceEvent::kind`]).
pub mod kind {
    /// `TraceEvent::Accepted`.
    pub const ACCEPTED: u64 = 1 << 0;
    /// `TraceEvent::Rejected`.
    pub const REJECTED: u64 = 1 << 1;
    /// `TraceEvent::AttemptStart`.
    pub const ATTEMPT_START: u64 = 1 << 2;
    /// `TraceEvent::AttemptEnd`.
    pub const ATTEMPT_END: u64 = 1 << 3;
    /// `TraceEvent::RetryScheduled`.
    pub const RETRY_SCHEDULED: u64 = 1 << 4;
    /// `TraceEvent::Throttled`.
    pub const THROTTLED: u64 = 1 << 5;
    /// `TraceEvent::Queued`.
    pub const QUEUED: u64 = 1 << 6;
    /// `TraceEvent::EnvironmentShutdown`.
    pub const ENVIRONMENT_SHUTDOWN: u64 = 1 << 7;
    /// `TraceEvent::CallResult`.
    pub const CALL_RESULT: u64 = 1 << 8;
    /// `TraceEvent::Fate`.
    pub const FATE: u64 = 1 << 9;
    /// `TraceEvent::Delivered`.
    pub const DELIVERED: u64 = 1 << 10;
    /// `TraceEvent::MessageSent`.
    pub const MESSAGE_SENT: u64 = 1 << 11;
    /// `TraceEvent::MessageReceived`.
    pub const MESSAGE_RECEIVED: u64 = 1 << 12;
    /// `TraceEvent::MessageFate`.
    pub const MESSAGE_FATE: u64 = 1 << 13;
    /// `TraceEvent::MessageReturned`.
    pub const MESSAGE_RETURNED: u64 = 1 << 14;
    /// `TraceEvent::RecordPut`.
    pub const RECORD_PUT: u64 = 1 << 15;
    /// `TraceEvent::RecordFate`.
    pub const RECORD_FATE: u64 = 1 << 16;
    /// `TraceEvent::BatchStart`.
    pub const BATCH_START: u64 = 1 << 17;
    /// `TraceEvent::BatchEnd`.
    pub const BATCH_END: u64 = 1 << 18;
    /// `TraceEvent::ProvisionedReady`.
    pub const PROVISIONED_READY: u64 = 1 << 19;
    /// `TraceEvent::ConfigChange`.
    pub const CONFIG_CHANGE: u64 = 1 << 20;
    /// `TraceEvent::Published`.
    pub const PUBLISHED: u64 = 1 << 21;
    /// `TraceEvent::Fanout`.
    pub const FANOUT: u64 = 1 << 22;
    /// `TraceEvent::RuleMatched`.
    pub const RULE_MATCHED: u64 = 1 << 23;
    /// `TraceEvent::PublishDeduplicated`.
    pub const PUBLISH_DEDUPLICATED: u64 = 1 << 24;
    /// `TraceEvent::HandlerReply`.
    pub const HANDLER_REPLY: u64 = 1 << 25;
    /// `TraceEvent::FirehoseRecordPut`.
    pub const FIREHOSE_RECORD_PUT: u64 = 1 << 26;
    /// `TraceEvent::FirehoseInvoke`.
    pub const FIREHOSE_INVOKE: u64 = 1 << 27;
    /// `TraceEvent::FirehoseInvokeEnd`.
    pub const FIREHOSE_INVOKE_END: u64 = 1 << 28;
    /// `TraceEvent::FirehoseRecordFate`.
    pub const FIREHOSE_RECORD_FATE: u64 = 1 << 29;
}

/// A set of kinds of trace events: those an observer reads (bit [`TraceEvent::kind`] set). The built-in observers
/// are not called for the events they ignore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest(pub u64);

impl Interest {
    /// Every kind of event.
    pub const ALL: Interest = Interest(u64::MAX);
    /// No event.
    pub const NONE: Interest = Interest(0);

    /// The kinds named (variant names, as [`TraceEvent::name`] gives them).
    ///
    /// # Panics
    /// When a name is not a variant's.
    pub fn of(names: &[&str]) -> Interest {
        let mut bits = 0;
        for n in names {
            let i = TraceEvent::KINDS.iter().position(|k| k == n).unwrap_or_else(|| panic!("no trace event is named {n}"));
            bits |= 1u64 << i;
        }
        Interest(bits)
    }

    /// Every kind but those named.
    pub fn all_but(names: &[&str]) -> Interest {
        Interest(!Interest::of(names).0)
    }

    /// Both sets.
    #[must_use]
    pub fn union(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// Whether `ev` is of a kind in the set.
    #[inline]
    pub fn wants(self, ev: &TraceEvent) -> bool {
        self.0 & (1u64 << ev.kind()) != 0
    }
}

/// What an observer may read beside the event: the model, the run's seed, and, when some observer asked for
/// documents, the payload of an `Accepted` invocation and, for deliveries, the message content (the invocation record, or for a DLQ `{"body": payload, "attributes":
/// {...}}`).
pub struct Ctx<'a> {
    /// The model being run.
    pub model: &'a Model,
    /// The run's seed.
    pub seed: u64,
    /// The payload or message content, when an observer asked for it (see `Observer::wants_content`).
    pub content: Option<&'a Value>,
}

/// Something that watches a run. Observers never steer the simulation.
pub trait Observer {
    /// Called for every event, at simulated time `t`, in order.
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>);
    /// Whether this observer needs `Ctx::content` on deliveries (rendering it costs time).
    fn wants_content(&self) -> bool {
        false
    }
    /// The kinds of events this observer reads: it may not be called for the others (default: every kind).
    fn interest(&self) -> Interest {
        Interest::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_the_variants_and_interest_sets_select_them() {
        let events = [
            TraceEvent::Queued { event: 1, function: FnId(0) },
            TraceEvent::ConfigChange { change: 0 },
            TraceEvent::Delivered { event: 1, function: FnId(0), target: TargetId(0), kind: RecordKind::OnSuccess, failure: None },
            TraceEvent::FirehoseRecordPut { stream: 0, record: 0, size: 1 },
        ];
        for ev in &events {
            assert_eq!(TraceEvent::KINDS[ev.kind() as usize], ev.name());
        }
        let some = Interest::of(&["Queued", "Delivered"]);
        assert_eq!(some.0, kind::QUEUED | kind::DELIVERED);
        assert!(some.wants(&events[0]) && !some.wants(&events[1]) && some.wants(&events[2]));
        assert!(!Interest::all_but(&["Queued"]).wants(&events[0]));
        assert!(Interest::ALL.wants(&events[3]) && !Interest::NONE.wants(&events[3]));
        assert_eq!(Interest::NONE.union(some), some);
    }
}
