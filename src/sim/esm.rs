//! Event source mappings at run time (spec 5): the batch processor every poller shares (spec 5.1), and the pollers.
//!
//! Every mapping has one shape, as in LocalStack's event-source-mapping code (poller / processor / sender):
//!
//! 1. **Poller** — owns the source and decides when a batch is ready: the SQS poller ([`sqs`], spec 5.2: queues,
//!    visibility, FIFO groups, redrive, scaling) or a stream lane ([`streams`], spec 5.3: a Kinesis or DynamoDB
//!    shard, or a partition-key lane of it, read in order; or a Kafka topic's partition, spec 5.5, put there by
//!    [`kafka`]'s partitioner). Filtering (spec 5.4, the shared pattern matcher) happens
//!    in the poller, before batching; a batch is flushed at `BatchSize`, 6 MB of payload or the end of the batching
//!    window.
//! 2. **Batch** — the poller builds a [`Batch`] (`new_batch`): the event payload (`{"Records": [...]}`), the
//!    mapping, and its [`BatchOwner`] — the SQS messages received (slot and receive generation) or the stream lane
//!    whose current records it carries.
//! 3. **Invoke** — one place, `invoke_batch`: `BatchStart`, then a synchronous invocation of the mapping's function
//!    through the shared invoke path. While the invocation runs, `decide` lets each record pick its rule as a
//!    handler looping over `Records` would, and sets the batch's [`BatchResponse`] (`batchItemFailures`, tumbling
//!    window state).
//! 4. **Result** — one place, `esm_batch_done`: the invocation's fate and the response become a [`BatchResult`]
//!    (success, partial, failed, throttled), dispatched back to the owner: `sqs_batch_result` deletes or returns
//!    the messages, retries a throttle, scales the pollers; `lane_batch_result` checkpoints, retries, bisects or
//!    discards with an on-failure record (spec 3.3).
//!
//! What the function receives (the records and their views for filters and rules) is in [`records`].
//!
//! A queue that no mapping reads is a sink: it counts what it receives (`MessageFate::Stored`) and holds nothing, so
//! memory follows what is in flight.
//!
//! Each record decides its own outcome from the function's rules: the rules see the record with an SQS `body`
//! parsed as JSON, a Kinesis record as `{"data": <decoded>, "partitionKey", ...}`, a DynamoDB record as delivered, a
//! Kafka record as `{"topic", "partition", "offset", "timestamp", "key", "value": <decoded>, "headers"}`;
//! `When.Attempt` is the message's receive count (SQS) or the record's delivery count (streams).

mod docdb;
mod kafka;
mod mq;
mod records;
mod sqs;
mod streams;

use std::sync::Arc;

use serde_json::{json, Value};

/// Old path of the FIFO deduplication window (now `sim::dedup`), kept while `sim/fanout.rs` imports it from here.
use super::Sim;
use crate::aws::destinations::{self, Cause};
use crate::aws::events;
use crate::aws::payload::Payload;
use crate::kernel::rng::uniform;
use crate::kernel::time::SimTime;
use crate::model::{EsmSource, FnId, MappingId, Model, ProducerTarget, QueueId, StreamId, StreamKind};
use crate::trace::{MsgOrigin, Observer, Origin, TraceEvent};
use crate::vocab::OutcomeKind;
use crate::vocab::{BatchResult, Fate, Outcome};
use records::Msg;
use records::DDB_EVENT_NAMES;
use sqs::{QueueRt, SqsPoller};
use streams::{Lane, ShardRt};

/// A batch is flushed at 6 MB of payload (spec 5.1).
const BATCH_PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// Bytes a record may take in the batch's payload: its data, JSON escaping (at most double) and the record's
/// metadata, so that a batch never exceeds the 6 MB invocation payload (spec 5.1).
fn record_bytes(size: u32) -> usize {
    size as usize * 2 + 1024
}

/// Kernel events of the mappings.
#[derive(Debug, Clone, Copy)]
pub(super) enum EsmEv {
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

#[derive(Debug, Clone, PartialEq)]
enum BatchResponse {
    /// No response, null, or empty `batchItemFailures`: complete success.
    Success,
    /// `batchItemFailures` item identifiers.
    Failures(Vec<String>),
    /// An identifier that is empty, null, unknown, or a badly keyed entry: the whole batch failed (spec 5.2).
    Invalid,
}

/// The poller a batch belongs to: the one its result goes back to.
enum BatchOwner {
    /// An SQS poller's receive: (slot, generation of the message at this receive: it identifies the message and the
    /// receive, even after the slot is reused).
    Queue { msgs: Vec<(u32, u32)> },
    /// A stream lane: the batch carries the lane's current records (they stay with the lane across retries).
    Lane(u32),
}

/// One batch of a mapping, from the poller's receive to its result.
struct Batch {
    id: u64,
    mapping: MappingId,
    owner: BatchOwner,
    /// The event the function receives; [`Payload::unread`] when nothing reads it (`Sim::batch_read`).
    payload: Payload,
    size: usize,
    received: SimTime,
    throttles: u32,
    event: u64,
    response: BatchResponse,
    /// Tumbling windows: the state the function returned (`None`: missing, which fails the batch, spec 5.3).
    state_out: Option<Value>,
}

impl Batch {
    /// The SQS messages of the batch (none for a stream batch).
    fn msgs(&self) -> &[(u32, u32)] {
        match &self.owner {
            BatchOwner::Queue { msgs } => msgs,
            BatchOwner::Lane(_) => &[],
        }
    }

    /// The stream lane of the batch (none for an SQS batch).
    fn lane(&self) -> Option<u32> {
        match self.owner {
            BatchOwner::Queue { .. } => None,
            BatchOwner::Lane(l) => Some(l),
        }
    }
}

/// What a poller tells the processor about one invocation of a batch: the trace's `BatchStart` fields and the
/// invocation's random key.
struct Attempt {
    shard: u32,
    attempt: u32,
    iterator_age: SimTime,
    key: u64,
}

/// What the rules decide on for one record: (its view, built only when a rule has a payload pattern; key;
/// attempt). The item identifiers of the batch (`batchItemFailures`) come from `item_ids`, in the same order.
type RecordItem = (Option<Value>, u64, u32);

/// The run-time state of every queue, stream and mapping.
pub(super) struct EsmRt {
    // SQS (esm/sqs.rs)
    msgs: Vec<Option<Msg>>,
    free_msgs: Vec<u32>,
    next_msg: u64,
    queues: Vec<QueueRt>,
    sqs: Vec<Option<SqsPoller>>,
    /// Generation counter of message states: unique across slots, so a stale timer never matches a new message.
    gen: u32,
    // Streams (esm/streams.rs)
    shards: Vec<Vec<ShardRt>>,
    /// The items of each DynamoDB table whose stream shows old images, by key (the previous item of a MODIFY or
    /// REMOVE), by stream index. Holds what the table holds: one item per key written.
    items: Vec<std::collections::BTreeMap<Arc<str>, Arc<Value>>>,
    lanes: Vec<Lane>,
    /// First lane of each mapping (streams), by mapping index.
    lane_base: Vec<u32>,
    // The processor
    batches: Vec<Option<Batch>>,
    free_batches: Vec<u32>,
    next_batch: u64,
    /// Whether each mapping polls now (`Enabled`, changed by `UpdateEventSourceMapping` on the timeline).
    enabled: Vec<bool>,
    /// Kafka: the keyless partitioner's state of each topic, by stream index (spec 5.5).
    kafka_keyless: Vec<kafka::Keyless>,
    /// The `SenderId` of SQS records and the `invokeIdentityArn` of Kinesis records (the same for every record).
    sender: String,
    kinesis_role: String,
}

impl EsmRt {
    /// Messages stored in queues and records not yet read from streams (for the run budget's live limit).
    pub(super) fn stored(&self) -> u64 {
        let msgs = self.msgs.len() - self.free_msgs.len();
        let unread: usize = self.shards.iter().flatten().map(|s| s.unread.len()).sum();
        (msgs + unread) as u64
    }

    fn next_gen(&mut self) -> u32 {
        self.gen = self.gen.wrapping_add(1);
        self.gen
    }

    pub(super) fn new(model: &Model) -> EsmRt {
        let esm = &model.esm;
        let (lanes, lane_base) = streams::lanes(model);
        EsmRt {
            msgs: vec![],
            free_msgs: vec![],
            next_msg: 0,
            queues: esm.queues.iter().map(|_| QueueRt::default()).collect(),
            sqs: sqs::pollers(model),
            batches: vec![],
            free_batches: vec![],
            next_batch: 0,
            shards: streams::shards(model),
            items: vec![Default::default(); model.esm.streams.len()],
            lanes,
            lane_base,
            gen: 0,
            enabled: esm.mappings.iter().map(|m| m.enabled).collect(),
            kafka_keyless: vec![kafka::Keyless::default(); esm.streams.len()],
            sender: records::sender(model),
            kinesis_role: records::kinesis_role(model),
        }
    }
}

impl<'m, O: Observer> Sim<'m, O> {
    pub(super) fn on_esm(&mut self, ev: EsmEv) {
        match ev {
            EsmEv::MsgVisible { msg, gen } => self.on_msg_visible(msg, gen),
            EsmEv::QueueExpire { queue } => self.on_queue_expire(QueueId(queue)),
            EsmEv::SqsPoll { mapping } => self.on_sqs_poll(mapping),
            EsmEv::BatchRetry { batch } => self.sqs_invoke(batch),
            EsmEv::LanePoll { lane } => self.on_lane_poll(lane),
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
            EsmSource::Stream(_) => self.lanes_resume(mid),
        }
    }

    // ----- producers

    /// Arrival `n` of producer `pi` (with its key, from the arrival driver): a message to its queue, or a record
    /// into its stream.
    pub(super) fn produce(&mut self, pi: usize, n: u64, key: u64) {
        let model = self.model;
        let p = &model.esm.producers[pi];
        let seq = self.next_event;
        // (rendered when the target needs the value: a queue's body is the text as written, when there is one)
        let payload = || p.template.instantiate(n, seq);
        let render = |t: &Option<String>| t.as_ref().map(|s| s.replace("{{n}}", &n.to_string()));
        match p.target {
            ProducerTarget::Queue(q) => {
                // The body as the producer wrote it (SQS keeps the bytes sent; conformance SQS-BODY-BYTES).
                let body: Arc<str> = p.template.written(n, seq).unwrap_or_else(|| Arc::from(events::text(&payload())));
                let group = render(&p.group);
                let dedup = render(&p.dedup);
                let attrs = p.attributes.clone();
                self.sqs_send_with(q, body, MsgOrigin::Producer(pi as u32), key, group, dedup, None, attrs);
            }
            ProducerTarget::Stream(s) if model.esm.stream(s).is_kafka() => {
                let headers = p.headers.iter().map(|(k, v)| (k.clone(), v.replace("{{n}}", &n.to_string()))).collect();
                // The value as the producer wrote it (Kafka hands on the bytes sent; conformance STREAM-DATA-BYTES).
                let data = Payload { value: payload(), text: p.template.written(n, seq) };
                self.kafka_put(s, data, render(&p.partition_key), headers, key);
            }
            ProducerTarget::Stream(s) => {
                let pk = render(&p.partition_key).unwrap_or_else(|| n.to_string());
                let ev = if model.esm.stream(s).is_docdb() {
                    // DocumentDB: the change's `operationType` (spec 5.7).
                    crate::aws::events::docdb::DOCDB_OPERATIONS.iter().position(|e| *e == p.event_name).unwrap_or(0) as u8
                } else {
                    DDB_EVENT_NAMES.iter().position(|e| *e == p.event_name).unwrap_or(0) as u8
                };
                // Kinesis keeps the data as the producer wrote it (conformance STREAM-DATA-BYTES); a DynamoDB or
                // DocumentDB record is an item, not bytes.
                let text = if model.esm.stream(s).kind == StreamKind::Kinesis { p.template.written(n, seq) } else { None };
                self.stream_put(s, Payload { value: payload(), text }, pk, ev, key);
            }
        }
    }

    // ----- SQS queues

    // ----- the batch processor

    /// Whether the function `f` reads the event of a mapping's batch: an observer asked for documents (trace
    /// payloads, sinks, expectations on contents) or the user's handler code serves `f`. The rules decide on each
    /// record's view (built when a rule has a payload pattern), never on the batch's event, and a mapping's
    /// invocation is synchronous (no destination record quotes it). When nothing reads it, the event is not built:
    /// its size comes from the records (`records::sqs_record_size`, `kinesis_record_size`) and the invocation
    /// carries [`Payload::unread`].
    fn batch_read(&self, f: FnId) -> bool {
        self.needs_content || self.hook.as_ref().is_some_and(|h| h.served[f.ix()])
    }

    /// A poller's batch enters the processor with its event and the event's size; returns its slot.
    fn new_batch(&mut self, mapping: MappingId, owner: BatchOwner, (payload, size): (Payload, usize), throttles: u32) -> u32 {
        let id = self.esm.next_batch;
        self.esm.next_batch += 1;
        let b = Batch {
            id,
            mapping,
            owner,
            payload,
            size,
            received: self.k.now(),
            throttles,
            event: self.next_event,
            response: BatchResponse::Success,
            state_out: None,
        };
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

    /// The batch leaves the processor (its slot is free for the next one).
    fn free_batch(&mut self, b: u32) -> Batch {
        let bt = self.esm.batches[b as usize].take().expect("live batch");
        self.esm.free_batches.push(b);
        bt
    }

    /// Invoke the mapping's function with a batch (every poller's batches go through here): `BatchStart`, then a
    /// synchronous invocation whose fate comes back to `esm_batch_done`.
    fn invoke_batch(&mut self, b: u32, at: Attempt) {
        let model = self.model;
        let event = self.next_event;
        let records = batch_records(&self.esm, b) as u32;
        let bt = self.esm.batches[b as usize].as_mut().expect("live batch");
        bt.event = event;
        let (mid, id, payload, size) = (bt.mapping, bt.id, bt.payload.clone(), bt.size);
        let m = model.esm.mapping(mid);
        self.emit(TraceEvent::BatchStart {
            mapping: mid,
            batch: id,
            event,
            records,
            shard: at.shard,
            attempt: at.attempt,
            iterator_age: at.iterator_age,
        });
        let origin = Origin::Mapping { mapping: mid.0, batch: id };
        self.invoke_sync(m.function, m.qualifier, payload, size, origin, at.key, super::lambda::Caller::Esm(b));
    }

    /// The batch's invocation has its fate (called from `finish`): the fate and the function's response become the
    /// batch's result, which goes back to the poller that owns the batch.
    pub(super) fn esm_batch_done(&mut self, b: u32, fate: Fate, config: u32) {
        if fate == Fate::InFlight {
            return;
        }
        let model = self.model;
        let mid = self.batch(b).mapping;
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
        match self.batch(b).lane() {
            None => self.sqs_batch_result(b, result, response),
            Some(lane) => {
                self.esm.lanes[lane as usize].last_config = config;
                if result == BatchResult::Failed || result == BatchResult::Partial {
                    self.esm.lanes[lane as usize].unhandled = fate != Fate::Succeeded;
                }
                self.lane_batch_result(b, result, response);
            }
        }
    }

    // ----- end of run

    /// Whatever is still in a queue or stream when the run ends gets its fate, in a stable order.
    pub(super) fn esm_finish(&mut self) {
        self.sqs_finish();
        self.streams_finish();
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
    let bt_lane = bt.lane();
    let m = model.esm.mapping(bt.mapping);
    // (view, key, attempt) per record, from the poller that owns the batch; views only for payload patterns.
    let views = rules.iter().any(|r| r.pattern.is_some());
    let items: Vec<RecordItem> = match &bt.owner {
        BatchOwner::Queue { msgs } => sqs::decision_items(rt, model, msgs, views),
        BatchOwner::Lane(lane) => streams::decision_items(rt, model, *lane, views),
    };
    let fifo = matches!(m.source, EsmSource::Queue(q) if model.esm.queue(q).fifo);
    let stream = matches!(m.source, EsmSource::Stream(_));
    let mut failed: Vec<usize> = vec![];
    let mut decided: Option<(Outcome, usize)> = None;
    let mut explicit: Option<Value> = None;
    let mut first_fail_rule = None;
    // The first succeeding rule that matched a record: its `Then.Duration` applies to a successful batch.
    let mut first_ok_rule = None;
    'records: for (i, (view, key, attempt)) in items.iter().enumerate() {
        for (ri, r) in rules.iter().enumerate() {
            if *attempt < r.attempt_min || *attempt > r.attempt_max {
                continue;
            }
            if let Some(p) = &r.pattern {
                if !p.matches(view.as_ref().expect("views are built for payload patterns")) {
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
                    if r.unhandled && m.report_failures {
                        // The handler raises: the whole batch fails, whatever it would have reported (recorded,
                        // conformance KIN-UNHANDLED).
                        decided = Some((Outcome::Error, ri));
                        break 'records;
                    }
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
        let ids = item_ids(rt, model, &bt.owner);
        response = parse_batch_response(&resp, &ids.iter().map(String::as_str).collect::<Vec<_>>());
        (Outcome::Success, Cause::Default, destinations::json_size(&resp) as u32, first_ok_rule)
    } else if !failed.is_empty() {
        // With FIFO the first failure and every later message are reported; for streams the first failure only
        // (its checkpoint retries everything after it anyway).
        let mut all = item_ids(rt, model, &bt.owner);
        let ids: Vec<String> = if fifo {
            all.split_off(failed[0])
        } else if stream {
            vec![all.swap_remove(failed[0])]
        } else {
            failed.iter().map(|i| std::mem::take(&mut all[*i])).collect()
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
        let lane = &rt.lanes[bt_lane.expect("tumbling windows are for stream mappings") as usize];
        let prev = lane.tumble.as_ref().and_then(|(_, s)| s.get("recordCount")).and_then(Value::as_u64).unwrap_or(0);
        let n = if lane.final_batch { 0 } else { items.len() as u64 };
        Some(json!({ "recordCount": prev + n }))
    };
    let bt = rt.batches[b as usize].as_mut().expect("live batch");
    bt.response = response;
    bt.state_out = state_out;
    result
}

/// A handler answered a batch's invocation (`src/sim/lambda/handled.rs`): its response, read as Lambda reads it
/// (spec 5.2, 5.3): `batchItemFailures` against the batch's item identifiers, a response that is not JSON (`None`)
/// fails the whole batch, and for tumbling windows the `state` it returns (none: the batch fails).
pub(super) fn handled_response(rt: &mut EsmRt, model: &Model, b: u32, response: Option<&Value>) {
    let bt = rt.batches[b as usize].as_ref().expect("live batch");
    let ids = item_ids(rt, model, &bt.owner);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let parsed = match response {
        Some(v) => parse_batch_response(v, &ids),
        None => BatchResponse::Invalid,
    };
    let tumbling = model.esm.mapping(bt.mapping).tumbling.is_some();
    let bt = rt.batches[b as usize].as_mut().expect("live batch");
    bt.response = parsed;
    bt.state_out = if tumbling { response.and_then(|v| v.get("state").cloned()) } else { None };
}

/// The item identifiers of a batch's records (`batchItemFailures`), in the order of its decision items.
fn item_ids(rt: &EsmRt, model: &Model, owner: &BatchOwner) -> Vec<String> {
    match owner {
        BatchOwner::Queue { msgs } => sqs::item_ids(rt, msgs),
        BatchOwner::Lane(lane) => streams::item_ids(rt, model, *lane),
    }
}

/// Records in a batch (the duration per record scales with it).
pub(super) fn batch_records(rt: &EsmRt, b: u32) -> u64 {
    let bt = rt.batches[b as usize].as_ref().expect("live batch");
    match bt.owner {
        BatchOwner::Queue { ref msgs } => msgs.len() as u64,
        BatchOwner::Lane(l) => rt.lanes[l as usize].current.as_ref().map_or(0, |(r, _)| r.len() as u64),
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
                // A Kafka identifier is `{"partition": "<topic>-<n>", "offset": <n>}` (spec 5.5).
                let id = match e.get("itemIdentifier") {
                    Some(Value::String(s)) if !s.contains('@') => Some(s.clone()),
                    Some(o @ Value::Object(_)) => records::kafka::parse_item_id(o),
                    _ => None,
                };
                match id.as_deref() {
                    Some(id) if !id.is_empty() && ids.contains(&id) => out.push(id.to_string()),
                    _ => return BatchResponse::Invalid,
                }
            }
            BatchResponse::Failures(out)
        }
        Some(_) => BatchResponse::Invalid,
    }
}
