//! The SQS poller (spec 5.2): live queues and the mapping's pollers. A message is sent (`sqs_send`: delay,
//! deduplication, FIFO groups), becomes visible, is received into a [`Batch`](super::Batch) by a poller
//! (`sqs_poll` → `sqs_receive`: filtering, redrive after `maxReceiveCount`, the visibility timeout starts), and the
//! batch goes to the processor (`sqs_invoke` → [`invoke_batch`](super)). The processor hands the result back to
//! `sqs_batch_result`: success deletes, failure leaves the messages to reappear when their visibility timeout ends,
//! `ReportBatchItemFailures` deletes all but the listed ones, a throttle is retried while the messages are
//! invisible. Pollers scale from 5 concurrent batches, +300 per minute while messages wait, down on errors, up to
//! `MaximumConcurrency`. Retention expires messages; the end of the run leaves the rest `InQueue`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde_json::{json, Value};

use super::records::{records_event_size, sqs_record, sqs_record_size, sqs_view, Msg, MsgState};
use super::{record_bytes, Attempt, BatchOwner, BatchResponse, EsmEv, EsmRt, RecordItem, BATCH_PAYLOAD_LIMIT};
use crate::aws::events;
use crate::aws::payload::{json_len, Payload};
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::{EsmSource, MappingId, Model, QueueId};
use crate::sim::dedup::DedupWindow;
use crate::sim::{Ev, Sim};
use crate::trace::{MsgOrigin, Observer, TraceEvent};
use crate::vocab::{BatchResult, MessageFate};

/// An SQS mapping starts with 5 concurrent batches and never scales below (spec 5.2).
const SQS_START: u32 = 5;

#[derive(Default)]
struct Group {
    /// Messages not in flight, in sequence order (visible or delayed).
    pending: VecDeque<u32>,
    inflight: u32,
}

/// A live queue: what its pollers receive from, in order.
#[derive(Default)]
pub(super) struct QueueRt {
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

/// The pollers of one SQS mapping: batches in flight and how many may be (scaled up and down, spec 5.2).
pub(super) struct SqsPoller {
    active: u32,
    limit: u32,
    window_at: Option<SimTime>,
    tick_at: Option<SimTime>,
}

/// The pollers of every mapping (`None` for stream mappings), by mapping index.
pub(super) fn pollers(model: &Model) -> Vec<Option<SqsPoller>> {
    let esm = &model.esm;
    esm.mappings
        .iter()
        .map(|m| match m.source {
            EsmSource::Queue(_) => {
                let cap = m.max_concurrency.unwrap_or(esm.sqs_ceiling);
                Some(SqsPoller { active: 0, limit: SQS_START.min(cap), window_at: None, tick_at: None })
            }
            EsmSource::Stream(_) => None,
        })
        .collect()
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A message arrives at a queue (from a producer, a destination or DLQ record, an on-failure record, or a
    /// redrive). `first_sent` keeps the original enqueue time of a redriven message.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::sim) fn sqs_send(
        &mut self,
        q: QueueId,
        body: Arc<str>,
        origin: MsgOrigin,
        key: u64,
        group: Option<String>,
        dedup: Option<String>,
        redriven: Option<(u64, SimTime, u64)>,
    ) {
        self.sqs_send_with(q, body, origin, key, group, dedup, redriven, None);
    }

    /// `sqs_send` with the message's `MessageAttributes`.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::sim) fn sqs_send_with(
        &mut self,
        q: QueueId,
        body: Arc<str>,
        origin: MsgOrigin,
        key: u64,
        group: Option<String>,
        dedup: Option<String>,
        redriven: Option<(u64, SimTime, u64)>,
        attrs: Option<Arc<crate::model::MessageAttributes>>,
    ) {
        let model = self.model;
        let queue = model.esm.queue(q);
        let now = self.k.now();
        self.last_activity = now;
        let id = self.esm.next_msg;
        self.esm.next_msg += 1;
        // Attributes count toward the message size, as SQS counts them.
        let size = body.len() + attrs.as_ref().map_or(0, |a| a.bytes);
        let delay = if redriven.is_some() { SimTime::ZERO } else { queue.delay };
        let ev = TraceEvent::MessageSent { queue: q, msg: id, origin, size: size as u32, visible_in: delay };
        if redriven.is_some() && self.needs_content {
            // A message redriven to a dead-letter queue, as that queue holds it (for `--sinks` and `SinkRecords`).
            let attrs = attrs.as_ref().map_or_else(|| serde_json::json!({}), |a| a.event_form.clone());
            let content = serde_json::json!({ "body": body.as_ref(), "messageAttributes": attrs });
            let ctx = crate::trace::Ctx { model, seed: self.seed, content: Some(&content) };
            self.obs.on_event(now, &ev, &ctx);
        } else {
            self.emit(ev);
        }
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
                None => Arc::from(events::md5_hex(body.as_bytes())),
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
            attrs,
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

    pub(super) fn on_queue_expire(&mut self, q: QueueId) {
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
    pub(super) fn on_msg_visible(&mut self, slot: u32, gen: u32) {
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

    /// A mapping's poll timer: the batching window is over, or a scale-up tick (+1 concurrent batch) is due.
    pub(super) fn on_sqs_poll(&mut self, mapping: u32) {
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
    pub(super) fn sqs_poll(&mut self, mid: MappingId, timer: bool) {
        let model = self.model;
        let m = model.esm.mapping(mid);
        if !self.esm.enabled[mid.ix()] || self.reserved_zero(m.function) {
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
                let view = sqs_view(model, &self.esm.sender, self.esm.msgs[slot as usize].as_ref().expect("live message"));
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
        let mut msgs = Vec::with_capacity(taken.len());
        for &slot in &taken {
            let msg = self.esm.msgs[slot as usize].as_ref().expect("live message");
            let (id, receives, gen) = (msg.id, msg.receives, msg.gen);
            msgs.push((slot, gen));
            self.k.schedule_at(now + vt, Ev::Esm(EsmEv::MsgVisible { msg: slot, gen }));
            self.emit(TraceEvent::MessageReceived { queue: q, msg: id, mapping: mid, receives });
        }
        let live = |s: &u32| self.esm.msgs[*s as usize].as_ref().expect("live message");
        let sender = self.esm.sender.as_str();
        let built = |v: Value| {
            let size = json_len(&v);
            (Payload::from(Arc::new(v)), size)
        };
        let event = match &queue.broker {
            // Amazon MQ: the broker's event (spec 5.6).
            Some(b) => built(super::records::mq_payload(model, b, msgs.iter().map(|(s, _)| live(s)), now)),
            None if self.batch_read(m.function) => {
                built(json!({"Records": msgs.iter().map(|(s, _)| sqs_record(model, sender, live(s))).collect::<Vec<_>>()}))
            }
            None => {
                let size = records_event_size(msgs.iter().map(|(s, _)| sqs_record_size(model, sender, live(s))));
                #[cfg(debug_assertions)]
                {
                    let v = json!({"Records": msgs.iter().map(|(s, _)| sqs_record(model, sender, live(s))).collect::<Vec<_>>()});
                    assert_eq!(size, json_len(&v), "computed size of {v}");
                }
                (Payload::unread(), size)
            }
        };
        let b = self.new_batch(mid, BatchOwner::Queue { msgs }, event, 0);
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

    pub(super) fn redrive(&mut self, slot: u32, dlq: QueueId) {
        let (q, id, message_id, sent, body, key, group, dedup, receives, attrs) = {
            let m = self.esm.msgs[slot as usize].as_ref().expect("live message");
            (m.queue, m.id, m.message_id, m.sent, Arc::clone(&m.body), m.key, m.group.clone(), m.dedup.clone(), m.receives, m.attrs.clone())
        };
        self.take_inflight(slot);
        self.msg_gone(slot, MessageFate::Redriven);
        // The copy keeps its message id, original send time and receive count (SQS moves the message as it is).
        self.sqs_send_with(
            dlq,
            body,
            MsgOrigin::Redrive { queue: q.0, msg: id },
            splitmix(key ^ 0xd1e),
            group.map(|g| g.to_string()),
            dedup.map(|d| d.to_string()),
            Some((message_id, sent, u64::from(receives))),
            attrs,
        );
    }

    /// Hand an SQS batch to the processor (again, after a throttle): the attempt is the throttle count + 1.
    pub(super) fn sqs_invoke(&mut self, b: u32) {
        let (id, key, throttles) = {
            let bt = self.batch(b);
            let key = bt.msgs().first().and_then(|(s, _)| self.esm.msgs[*s as usize].as_ref()).map_or(0, |m| m.key);
            (bt.id, key, bt.throttles)
        };
        let key = splitmix(key ^ splitmix(id ^ 0xba7c) ^ u64::from(throttles));
        self.invoke_batch(b, Attempt { shard: 0, attempt: throttles + 1, iterator_age: SimTime::ZERO, key });
    }

    // ----- results

    /// The processor's verdict on an SQS batch (spec 5.2): delete what succeeded (with this receive's handle), leave
    /// the failed messages to reappear after their visibility timeout, retry a throttle while the messages are still
    /// invisible; scale the pollers down on errors; poll again.
    pub(super) fn sqs_batch_result(&mut self, b: u32, result: BatchResult, response: BatchResponse) {
        let model = self.model;
        let now = self.k.now();
        let (mid, id, event, received, msgs) = {
            let bt = self.batch(b);
            (bt.mapping, bt.id, bt.event, bt.received, bt.msgs().to_vec())
        };
        let m = model.esm.mapping(mid);
        let listed = |slot: u32| -> bool {
            match &response {
                BatchResponse::Failures(ids) => self.esm.msgs[slot as usize].as_ref().is_some_and(|msg| {
                    let id = events::uuid_fast(msg.message_id, 0x5a_05);
                    ids.contains(&id)
                }),
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
        if result == BatchResult::Failed {
            // Amazon MQ: the messages go back to the broker now (spec 5.6).
            self.mq_batch_failed(&failed);
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
        self.free_batch(b);
        self.sqs_poll(mid, false);
    }

    // ----- end of run

    /// Messages still in a queue when the run ends: `InQueue`, in ledger order.
    pub(super) fn sqs_finish(&mut self) {
        let mut left: Vec<(u64, u32)> =
            self.esm.msgs.iter().enumerate().filter_map(|(s, m)| m.as_ref().map(|m| (m.id, s as u32))).collect();
        left.sort_unstable();
        for (_, slot) in left {
            self.msg_gone_quiet(slot);
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

/// The messages of an SQS batch still at the receive that took them (a message received again since, another
/// generation, is left out).
fn batch_msgs<'a>(rt: &'a EsmRt, msgs: &'a [(u32, u32)]) -> impl Iterator<Item = &'a Msg> {
    msgs.iter().filter_map(|(s, g)| rt.msgs[*s as usize].as_ref().filter(|msg| msg.gen == *g))
}

/// What the rules see of each message of an SQS batch: its view (the body parsed; with `views`), key and receive
/// count.
pub(super) fn decision_items(rt: &EsmRt, model: &Model, msgs: &[(u32, u32)], views: bool) -> Vec<RecordItem> {
    batch_msgs(rt, msgs).map(|msg| (views.then(|| sqs_view(model, &rt.sender, msg)), msg.key, msg.receives)).collect()
}

/// The `messageId` of each message of [`decision_items`] (the `itemIdentifier` of a partial response).
pub(super) fn item_ids(rt: &EsmRt, msgs: &[(u32, u32)]) -> Vec<String> {
    batch_msgs(rt, msgs).map(|msg| events::uuid_fast(msg.message_id, 0x5a_05)).collect()
}
