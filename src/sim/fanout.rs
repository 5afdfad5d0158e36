//! SNS topics and EventBridge buses on the loop (spec section 7; docs/sources.md "Retries of the async services").
//!
//! A message published to a topic goes to every subscription whose filter policy matches; an event put on a bus goes
//! to every target of each enabled rule whose pattern matches. A Lambda endpoint gets an async invoke (`accept`), so
//! Lambda's async queue owns throttles and function errors; an SQS endpoint gets a message (`sqs_send`). The service's
//! own retry policy covers only a refused delivery (413 too large, a `DeliveryFailure` fault on the endpoint):
//! - SNS: 3 immediate retries, 2 one second apart, 10 with backoff from 1 to 20 s, then 100,000 20 s apart;
//! - EventBridge: `MaximumRetryAttempts` (default 185) and `MaximumEventAgeInSeconds` (default 86,400), backoff
//!   1 s doubling to at most 5 minutes (\[unc\] the exact backoff is not published), then the target's DLQ.
//!
//! A client-side error (the endpoint is gone, access or its KMS key is denied, the message is too large) is not
//! retried: the message goes to the dead-letter queue at once, or is discarded
//! (<https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html>,
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html>).
//!
//! FIFO topics (<https://docs.aws.amazon.com/sns/latest/dg/sns-fifo-topics.html>) deliver to SQS queues only, drop a
//! publish whose deduplication id (or, with `ContentBasedDeduplication`, body hash) was seen in the last 5 minutes,
//! and keep each message group in order per subscription: while a delivery of a group is being retried, the group's
//! later messages to that subscription wait behind it.
//!
//! Jitter is not modelled (the delays are the policy's nominal ones). Each delivery ends with one `Fanout` trace event.

use crate::aws::retry::{eventbridge_delay_with, retryable, sns_delay};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::{Ev, Sim};
use crate::aws::events::{self, SourceKind};
use crate::aws::payload::{json_len, Payload};
use crate::kernel::rng;
use crate::kernel::rng::{splitmix, uniform};
use crate::kernel::time::SimTime;
use crate::model::fanout::{EndpointKind, RetryPolicy};
use crate::model::{TargetId, SQS_MESSAGE_LIMIT};
use crate::trace::{MsgOrigin, Observer, Origin, PubOrigin, TraceEvent};
use crate::vocab::{DeliveryFailure, FanoutOutcome};

#[derive(Debug, Clone, Copy)]
pub(super) enum FanEv {
    /// A scheduled rule ticks (its tick count is `FanRt::ticks`: a rule has one tick pending at a time).
    Tick { hub: u32, rule: u32 },
    /// A refused delivery is tried again.
    Retry { slot: u32 },
}

/// A delivery being retried.
struct Pending {
    hub: u32,
    endpoint: u32,
    msg: u64,
    /// What the endpoint gets; `None` for a Lambda endpoint whose function reads nothing of it (`FanRt::reads`).
    payload: Option<Arc<Value>>,
    size: usize,
    attempts: u32,
    first: SimTime,
    hops: u32,
    key: u64,
    /// FIFO topics: the message group and deduplication id.
    group: Option<Arc<str>>,
    dedup: Option<Arc<str>>,
}

/// A FIFO topic's per-subscription, per-group line: the delivery at its head and the ones waiting behind it.
type GroupKey = (u32, u32, Arc<str>);

pub(super) struct FanRt {
    pending: Vec<Option<Pending>>,
    free: Vec<u32>,
    next_msg: u64,
    hub_salts: Vec<u64>,
    /// Per hub and rule: ticks of its schedule so far (kept here rather than in the event, which stays small).
    ticks: Vec<Vec<u64>>,
    /// FIFO topics: deduplication ids of the last 5 minutes, per hub.
    dedup: Vec<super::dedup::DedupWindow>,
    /// FIFO topics: groups whose head delivery is being retried -> (head slot, slots waiting in order).
    blocked: BTreeMap<GroupKey, (u32, VecDeque<u32>)>,
    /// Per function: whether its asynchronous invocations read their event whatever the run observes (see
    /// `Sim::async_read`).
    reads: Vec<bool>,
}

impl FanRt {
    pub(super) fn new(model: &crate::model::Model) -> FanRt {
        FanRt {
            pending: vec![],
            free: vec![],
            next_msg: 0,
            hub_salts: model.fanout.hubs.iter().map(|h| rng::stream_id(&format!("hub:{}", h.arn), "message-key")).collect(),
            ticks: model.fanout.hubs.iter().map(|h| vec![0; h.rules.len()]).collect(),
            dedup: model.fanout.hubs.iter().map(|_| Default::default()).collect(),
            blocked: BTreeMap::new(),
            reads: model.functions.iter().map(reads_event).collect(),
        }
    }
}

/// Whether the asynchronous invocations of `f` read their event, whatever the run observes: a rule of some version
/// looks at the payload, or some version or alias has a destination or a dead-letter queue (their records quote the
/// event, spec 3).
fn reads_event(f: &crate::model::Function) -> bool {
    let any = |s: Option<TargetId>, f: Option<TargetId>| s.is_some() || f.is_some();
    f.configs.iter().any(|c| c.rules_read_payload || any(c.on_success, c.on_failure) || c.dlq.is_some())
        || f.aliases.iter().any(|a| a.asynchronous.is_some_and(|s| any(s.on_success, s.on_failure)))
}

/// A message for a topic, or an event for a bus.
pub(super) enum Published {
    /// `group` and `dedup`: FIFO topics only (the publisher's `MessageGroupId` and `MessageDeduplicationId`).
    Sns {
        message: String,
        subject: Option<String>,
        attributes: Value,
        group: Option<Arc<str>>,
        dedup: Option<Arc<str>>,
    },
    Event(Value),
}

impl<'m, O: Observer> Sim<'m, O> {
    pub(super) fn fanout_start(&mut self) {
        let model = self.model;
        for (h, hub) in model.fanout.hubs.iter().enumerate() {
            for (r, rule) in hub.rules.iter().enumerate() {
                if let (true, Some(s)) = (rule.enabled, &rule.schedule) {
                    match s.next(None, model.settings.start_epoch_ms) {
                        Some(t) if model.settings.horizon.is_some_and(|hz| t <= hz) => {
                            self.k.schedule_at(t, Ev::Fanout(FanEv::Tick { hub: h as u32, rule: r as u32 }));
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    pub(super) fn on_fanout(&mut self, ev: FanEv) {
        match ev {
            FanEv::Tick { hub, rule } => {
                let n = {
                    let c = &mut self.fan.ticks[hub as usize][rule as usize];
                    *c += 1;
                    *c
                };
                let model = self.model;
                let h = model.fanout.hub(hub);
                let now = self.k.now();
                let key = splitmix(self.fan.hub_salts[hub as usize] ^ splitmix(u64::from(rule) << 40 ^ n));
                let ev = events::build_event(
                    SourceKind::EventBridge,
                    &self.event_ctx(key, n - 1, &json!({"Source": "aws.events", "DetailType": "Scheduled Event", "Resources": [format!("arn:aws:events:{}:{}:rule/{}", model.region, model.account_id, h.rules[rule as usize].name)]}), &json!({})),
                );
                self.publish_rule(hub, Some(rule), Published::Event(ev), PubOrigin::Schedule { rule }, 0, key);
                let next = h.rules[rule as usize].schedule.as_ref().and_then(|s| s.next(Some(now), model.settings.start_epoch_ms));
                if let Some(next) = next.filter(|t| model.settings.horizon.is_some_and(|hz| *t <= hz)) {
                    self.k.schedule_at(next, Ev::Fanout(FanEv::Tick { hub, rule }));
                }
            }
            FanEv::Retry { slot } => self.fan_attempt(slot),
        }
    }

    /// Whether an asynchronous invocation of `f` reads its event: `reads_event`, an observer that asked for
    /// documents (trace payloads, sinks, expectations on contents) or the user's handler code serving `f`. When
    /// nothing reads it, a Lambda subscription's event is not built: its size is computed
    /// (`events::sns_event_size`) and the invocation carries [`Payload::unread`].
    fn async_read(&self, f: crate::model::FnId) -> bool {
        self.fan.reads[f.ix()] || self.needs_content || self.hook.as_ref().is_some_and(|h| h.served[f.ix()])
    }

    fn event_ctx<'a>(&self, key: u64, n: u64, options: &'a Value, payload: &'a Value) -> events::EventCtx<'a>
    where
        'm: 'a,
    {
        let model = self.model;
        events::EventCtx {
            region: &model.region,
            account_id: &model.account_id,
            epoch_ms: model.settings.start_epoch_ms + (self.k.now().as_micros() / 1000) as i64,
            key,
            n,
            options,
            payload,
        }
    }

    /// Arrival `n` of publisher `pi` (with its key, from the arrival driver): a message published to its topic, or
    /// an event put on its bus.
    pub(super) fn on_publish(&mut self, pi: usize, n: u64, key: u64) {
        let model = self.model;
        let p = &model.fanout.publishers[pi];
        let payload = p.template.instantiate(n, n);
        let msg = if model.fanout.hub(p.hub).bus {
            let opts = json!({"Source": p.source, "DetailType": p.detail_type});
            Published::Event(events::build_event(SourceKind::EventBridge, &self.event_ctx(key, n, &opts, &payload)))
        } else {
            let mut attrs = Map::new();
            for (k, v) in p.attributes.iter().flatten() {
                attrs.insert(k.clone(), v.clone());
            }
            let render = |t: &Option<String>| t.as_deref().map(|s| Arc::from(s.replace("{{n}}", &n.to_string())));
            Published::Sns {
                // The message as the publisher wrote it (SNS keeps the bytes sent).
                message: p.template.written(n, n).map_or_else(|| events::text(&payload), |t| t.to_string()),
                subject: p.subject.clone(),
                attributes: Value::Object(attrs),
                group: render(&p.group),
                dedup: render(&p.dedup),
            }
        };
        self.publish(p.hub, msg, PubOrigin::Publisher(pi as u32), 0, key);
    }

    /// Publish to a topic or put on a bus (every enabled rule with a pattern).
    pub(super) fn publish(&mut self, hub: u32, msg: Published, origin: PubOrigin, hops: u32, key: u64) {
        self.publish_rule(hub, None, msg, origin, hops, key);
    }

    /// `only`: a scheduled rule's tick goes to that rule's targets only.
    fn publish_rule(&mut self, hub: u32, only: Option<u32>, msg: Published, origin: PubOrigin, hops: u32, key: u64) {
        let model = self.model;
        let h = model.fanout.hub(hub);
        let now = self.k.now();
        self.last_activity = now;
        let size = match &msg {
            Published::Sns { message, .. } => message.len(),
            Published::Event(ev) => json_len(ev),
        };
        // A FIFO topic drops a repeated deduplication id within 5 minutes (the publish succeeds, nothing is delivered).
        let mut dedup_id: Option<Arc<str>> = None;
        if let (true, Published::Sns { message, dedup, .. }) = (h.fifo, &msg) {
            let d: Arc<str> = dedup.clone().unwrap_or_else(|| Arc::from(events::md5_hex(message.as_bytes())));
            let window = &mut self.fan.dedup[hub as usize];
            if window.contains(&d, now) {
                self.emit(TraceEvent::PublishDeduplicated { hub, origin, size: size as u32 });
                return;
            }
            window.insert(&d, now);
            dedup_id = Some(d);
        }
        let id = self.fan.next_msg;
        self.fan.next_msg += 1;
        let mut matched: Vec<u32> = vec![];
        let mut rules: Vec<u32> = vec![];
        match &msg {
            Published::Sns { message, attributes, .. } => {
                let attr_view = attribute_view(attributes);
                let on_body = h.endpoints.iter().any(|e| e.filter.is_some() && e.filter_body);
                let body_view: Option<Value> = if on_body { serde_json::from_str(message).ok() } else { None };
                for (i, e) in h.endpoints.iter().enumerate() {
                    let ok = match &e.filter {
                        None => true,
                        Some(f) if e.filter_body => body_view.as_ref().is_some_and(|b| f.matches(b)),
                        Some(f) => f.matches(&attr_view),
                    };
                    if ok {
                        matched.push(i as u32);
                    }
                }
            }
            Published::Event(ev) => {
                for (r, rule) in h.rules.iter().enumerate() {
                    let fire = rule.enabled
                        && match only {
                            Some(o) => o == r as u32,
                            None => rule.pattern.as_ref().is_some_and(|p| p.matches(ev)),
                        };
                    if fire {
                        rules.push(r as u32);
                        matched.extend(h.endpoints.iter().enumerate().filter(|(_, e)| e.rule == Some(r as u32)).map(|(i, _)| i as u32));
                    }
                }
            }
        }
        self.emit(TraceEvent::Published { hub, msg: id, origin, size: size as u32, matched: matched.len() as u32 });
        for rule in rules {
            self.emit(TraceEvent::RuleMatched { hub, rule, msg: id });
        }
        let group = match &msg {
            Published::Sns { group, .. } if h.fifo => group.clone(),
            _ => None,
        };
        // One document per message, shared by the endpoints that get it: a bus's event; a topic's Lambda event (the
        // same for every Lambda subscription), built when an endpoint reads it, its size computed otherwise.
        let event = match msg {
            Published::Event(ev) => Ok((Arc::new(ev), size)),
            Published::Sns { message, subject, attributes, .. } => Err((message, subject, attributes)),
        };
        let mut sns_doc: Option<Arc<Value>> = None;
        let mut sns_size: Option<usize> = None;
        for e in matched {
            let ep = &h.endpoints[e as usize];
            let ekey = splitmix(key ^ splitmix(self.fan.hub_salts[hub as usize] ^ u64::from(e)));
            let (payload, size) = match (&event, ep.kind) {
                (Ok((ev, size)), _) => (Some(Arc::clone(ev)), *size),
                (Err((message, subject, attributes)), kind) => {
                    let opts = || json!({"TopicArn": h.arn, "Subject": subject, "MessageAttributes": attributes});
                    let text = || Value::String(message.clone());
                    let mut build = || {
                        let v = sns_doc.get_or_insert_with(|| {
                            Arc::new(events::build_event(SourceKind::Sns, &self.event_ctx(key, id, &opts(), &text())))
                        });
                        Arc::clone(v)
                    };
                    match kind {
                        EndpointKind::Lambda { function, .. } => {
                            let read = ep.dlq.is_some() || self.async_read(function);
                            let doc = read.then(&mut build);
                            let computed = || {
                                let no_attrs = attributes.as_object().is_some_and(Map::is_empty);
                                let ctx = self.event_ctx(key, id, &Value::Null, &Value::Null);
                                no_attrs.then(|| events::sns_event_size(&ctx, &h.arn, subject.as_deref(), message)).flatten()
                            };
                            let size = match (sns_size, &doc) {
                                (Some(s), _) => s,
                                (None, Some(d)) => json_len(&**d),
                                (None, None) => computed().unwrap_or_else(|| json_len(&*build())),
                            };
                            #[cfg(debug_assertions)]
                            assert_eq!(size, json_len(&*build()), "computed size of the SNS event");
                            sns_size = Some(size);
                            (doc, size)
                        }
                        EndpointKind::Sqs(_) if ep.raw => {
                            let t = text();
                            let size = json_len(&t);
                            (Some(Arc::new(t)), size)
                        }
                        EndpointKind::Sqs(_) => {
                            let envelope = events::sns_envelope(build().pointer("/Records/0/Sns").unwrap_or(&Value::Null));
                            let size = json_len(&envelope);
                            (Some(Arc::new(envelope)), size)
                        }
                    }
                }
            };
            let p = Pending {
                hub,
                endpoint: e,
                msg: id,
                payload,
                size,
                attempts: 0,
                first: now,
                hops,
                key: ekey,
                group: group.clone(),
                dedup: dedup_id.clone(),
            };
            let slot = match self.fan.free.pop() {
                Some(s) => {
                    self.fan.pending[s as usize] = Some(p);
                    s
                }
                None => {
                    self.fan.pending.push(Some(p));
                    (self.fan.pending.len() - 1) as u32
                }
            };
            // A FIFO group whose earlier message to this subscription is being retried: wait behind it.
            if let Some(g) = &group {
                if let Some((_, waiting)) = self.fan.blocked.get_mut(&(hub, e, Arc::clone(g))) {
                    waiting.push_back(slot);
                    continue;
                }
            }
            self.fan_attempt(slot);
        }
    }

    /// A FIFO group's delivery at `slot` reached its fate: the next message of the group to that subscription goes.
    fn fifo_release(&mut self, hub: u32, endpoint: u32, group: Option<Arc<str>>, slot: u32) {
        let Some(g) = group else { return };
        let key = (hub, endpoint, g);
        let Some((head, waiting)) = self.fan.blocked.get_mut(&key) else { return };
        if *head != slot {
            return;
        }
        match waiting.pop_front() {
            Some(next) => {
                *head = next;
                self.k.schedule_at(self.k.now(), Ev::Fanout(FanEv::Retry { slot: next }));
            }
            None => {
                self.fan.blocked.remove(&key);
            }
        }
    }

    /// Why the endpoint refuses the delivery now, if it does.
    fn fan_refusal(&self, p: &Pending) -> Option<DeliveryFailure> {
        let model = self.model;
        let ep = &model.fanout.hub(p.hub).endpoints[p.endpoint as usize];
        let limit = match ep.kind {
            EndpointKind::Lambda { .. } => model.settings.async_payload_limit,
            EndpointKind::Sqs(_) => SQS_MESSAGE_LIMIT,
        };
        if p.size > limit {
            return Some(DeliveryFailure::TooLarge);
        }
        let now = self.k.now();
        for (i, d) in model.delivery_faults.iter().enumerate() {
            if d.target == ep.target
                && d.start <= now
                && now < d.end
                && (d.probability >= 1.0 || uniform(self.seed, self.fault_salts[i], p.key, u64::from(p.attempts)) < d.probability)
            {
                return Some(d.reason);
            }
        }
        None
    }

    fn fan_attempt(&mut self, slot: u32) {
        let model = self.model;
        let now = self.k.now();
        let p = self.fan.pending[slot as usize].as_mut().expect("live delivery");
        p.attempts += 1;
        let p = self.fan.pending[slot as usize].as_ref().expect("live delivery");
        let ep = &model.fanout.hub(p.hub).endpoints[p.endpoint as usize];
        let refused = self.fan_refusal(p);
        let (hub, msg, endpoint, attempts) = (p.hub, p.msg, p.endpoint, p.attempts);
        // A FIFO queue (subscribed to a FIFO topic) gets the message's group and deduplication id.
        let fifo_ids = |q: crate::model::QueueId, p: &Pending| {
            if model.esm.queue(q).fifo {
                (p.group.as_deref().map(str::to_string), p.dedup.as_deref().map(str::to_string))
            } else {
                (None, None)
            }
        };
        if refused.is_none() {
            let p = self.fan.pending[slot as usize].take().expect("live delivery");
            self.fan.free.push(slot);
            self.emit(TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome: FanoutOutcome::Delivered, refused: None });
            match ep.kind {
                EndpointKind::Lambda { function, qualifier } => {
                    // A bus passes the chain's hop count on unless `RecursionThroughEventBridge` is off (spec 2, [unc]).
                    let counted = !model.fanout.hubs[hub as usize].bus || model.settings.recursion_through_event_bridge;
                    let hops = if counted { p.hops + 1 } else { 0 };
                    let payload = p.payload.map_or_else(Payload::unread, Payload::from);
                    self.accept(function, qualifier, payload, p.size, Origin::Fanout { hub, msg }, hops, None, p.key);
                }
                EndpointKind::Sqs(q) => {
                    let body = events::text(p.payload.as_deref().expect("an SQS endpoint's message"));
                    let (group, dedup) = fifo_ids(q, &p);
                    self.sqs_send(q, Arc::from(body), MsgOrigin::Fanout { hub, msg }, p.key, group, dedup, None);
                }
            }
            self.fifo_release(hub, endpoint, p.group, slot);
            return;
        }
        // Client-side errors are not retried (see `retryable`).
        let delay = match (refused.is_some_and(retryable), ep.retry) {
            (false, _) => None,
            (true, RetryPolicy::Sns) => sns_delay(attempts),
            (true, RetryPolicy::EventBridge { max_retries, max_age }) => {
                let d = eventbridge_delay_with(attempts, self.model.settings.eventbridge_backoff);
                (attempts <= max_retries && now + d - p.first <= max_age).then_some(d)
            }
        };
        match delay {
            Some(d) => {
                if let Some(g) = &p.group {
                    self.fan.blocked.entry((hub, endpoint, Arc::clone(g))).or_insert_with(|| (slot, VecDeque::new()));
                }
                self.k.schedule_at(now + d, Ev::Fanout(FanEv::Retry { slot }))
            }
            None => {
                let p = self.fan.pending[slot as usize].take().expect("live delivery");
                self.fan.free.push(slot);
                let outcome = if ep.dlq.is_some() { FanoutOutcome::DeadLettered } else { FanoutOutcome::Discarded };
                self.emit(TraceEvent::Fanout { hub, msg, endpoint, attempts, outcome, refused });
                if let Some(q) = ep.dlq {
                    // The DLQ keeps the message as the subscription would have received it: a queue's envelope or
                    // raw message, a rule target's event; for a Lambda subscription AWS does not document it: the
                    // named option `SnsLambdaDlqBody` (the SNS message object by default, or the whole event).
                    let sns_object = model.settings.sns_lambda_dlq_body == crate::vocab::SnsLambdaDlqBody::SnsObject;
                    let payload = p.payload.as_deref().expect("an endpoint with a dead-letter queue reads its message");
                    let body = match (ep.kind, model.fanout.hub(hub).bus) {
                        (EndpointKind::Lambda { .. }, false) if sns_object => {
                            events::text(payload.pointer("/Records/0/Sns").unwrap_or(payload))
                        }
                        _ => events::text(payload),
                    };
                    let (group, dedup) = fifo_ids(q, &p);
                    self.sqs_send(q, Arc::from(body), MsgOrigin::Fanout { hub, msg }, splitmix(p.key ^ 0xd1a), group, dedup, None);
                }
                self.fifo_release(hub, endpoint, p.group, slot);
            }
        }
    }

    /// A destination or DLQ record (or a stream mapping's on-failure record) delivered to a live topic or bus.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn publish_record(
        &mut self,
        hub: u32,
        target: crate::model::TargetId,
        kind: crate::vocab::RecordKind,
        content: &Value,
        function: crate::model::FnId,
        event: u64,
        hops: u32,
        key: u64,
    ) {
        let model = self.model;
        let wire = crate::model::wire_message(model, target, kind, content, &model.function(function).arn, self.k.now(), key);
        let msg = if model.fanout.hub(hub).bus {
            Published::Event(wire)
        } else {
            Published::Sns {
                message: wire.get("Message").and_then(Value::as_str).unwrap_or_default().to_string(),
                subject: None,
                attributes: wire.get("MessageAttributes").cloned().unwrap_or_else(|| json!({})),
                group: None,
                dedup: None,
            }
        };
        self.publish(hub, msg, PubOrigin::Record { event }, hops, key);
    }

    /// The run ended (horizon): deliveries still being retried end as `InFlight`.
    pub(super) fn fanout_finish(&mut self) {
        for slot in 0..self.fan.pending.len() {
            if let Some(p) = self.fan.pending[slot].take() {
                self.emit(TraceEvent::Fanout {
                    hub: p.hub,
                    msg: p.msg,
                    endpoint: p.endpoint,
                    attempts: p.attempts,
                    outcome: FanoutOutcome::InFlight,
                    refused: None,
                });
            }
        }
    }
}

/// What an SNS filter policy on attributes sees: each attribute's value, a number for `Number`, a list for
/// `String.Array`, a string otherwise.
fn attribute_view(attrs: &Value) -> Value {
    let mut out = Map::new();
    for (k, v) in attrs.as_object().into_iter().flatten() {
        let (ty, val) = match v {
            Value::Object(a) => {
                (a.get("Type").and_then(Value::as_str).unwrap_or("String").to_string(), a.get("Value").cloned().unwrap_or(Value::Null))
            }
            Value::Number(_) => ("Number".into(), v.clone()),
            Value::Array(_) => ("String.Array".into(), v.clone()),
            other => ("String".into(), other.clone()),
        };
        let text = match &val {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let view = match ty.as_str() {
            "Number" => {
                text.parse::<f64>().ok().and_then(|x| serde_json::Number::from_f64(x).map(Value::Number)).unwrap_or(Value::String(text))
            }
            "String.Array" => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            _ => Value::String(text),
        };
        out.insert(k.clone(), view);
    }
    Value::Object(out)
}
