//! SNS topics with subscriptions and EventBridge buses with rules, validated (spec section 7, docs/sources.md
//! "Retries of the async services").
//!
//! Option names are CloudFormation's (`AWS::SNS::Subscription`, `AWS::Events::Rule`). An error names the JSON path,
//! the bad value and the allowed range.

use crate::scenario::RawJson;
use serde_json::{Map, Value};

use super::{Arrivals, Esm, QueueId, Resolver, Target, TargetId, TargetKind, V};
use crate::aws::pattern::Pattern;
use crate::aws::payload::Template;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::FnId;
use crate::scenario::{Scenario, WorkloadSpec};

/// Where an endpoint delivers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EndpointKind {
    /// An async invoke (spec 7).
    Lambda {
        /// The function invoked.
        function: FnId,
        /// The version or alias the endpoint ARN names.
        qualifier: Qualifier,
    },
    /// A message to a queue (live when a mapping reads it).
    Sqs(QueueId),
}

/// The delivery retry policy of the service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryPolicy {
    /// SNS's fixed policy for AWS-managed endpoints (docs/sources.md "SNS delivery retries").
    Sns,
    /// EventBridge's target policy: retries and maximum event age (docs/sources.md "EventBridge retries").
    EventBridge {
        /// `RetryPolicy.MaximumRetryAttempts`.
        max_retries: u32,
        /// `RetryPolicy.MaximumEventAgeInSeconds`.
        max_age: SimTime,
    },
}

/// A subscription of a topic or a target of a bus rule.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `Subscriptions[i]` of a topic, `<rule>/<target id>` of a bus.
    pub label: String,
    /// The endpoint's ARN (the subscription's `Endpoint`, the rule target's `Arn`).
    pub arn: String,
    /// The endpoint's resource as a target.
    pub target: TargetId,
    /// Where it delivers.
    pub kind: EndpointKind,
    /// Buses: the rule it belongs to.
    pub rule: Option<u32>,
    /// Topics: the filter policy and whether it applies to the body.
    pub filter: Option<Pattern>,
    /// `FilterPolicyScope: MessageBody`.
    pub filter_body: bool,
    /// SQS subscriptions: `RawMessageDelivery`.
    pub raw: bool,
    /// How failed deliveries are retried.
    pub retry: RetryPolicy,
    /// The dead-letter queue of the subscription (`RedrivePolicy`) or target (`DeadLetterConfig`).
    pub dlq: Option<QueueId>,
}

/// When a scheduled rule ticks.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// `rate(...)`: every interval, the first one interval after time 0.
    Rate(SimTime),
    /// `cron(...)`, in UTC from `Simulation.StartTime`.
    Cron(Box<crate::aws::cron::Cron>),
}

impl Schedule {
    /// The first tick strictly after virtual time `after` (`None` for the tick before the first: pass `None`), given
    /// the simulation's start instant in Unix milliseconds.
    pub fn next(&self, after: Option<SimTime>, start_epoch_ms: i64) -> Option<SimTime> {
        match self {
            Schedule::Rate(iv) => Some(after.map_or(*iv, |t| t + *iv)),
            Schedule::Cron(c) => {
                // Cron instants are whole minutes; virtual time is microseconds from the start instant.
                let after_ms = after.map_or(start_epoch_ms, |t| start_epoch_ms + (t.as_micros() / 1000) as i64);
                let at = c.next_after(after_ms)?;
                Some(SimTime::from_micros(((at - start_epoch_ms) as u64).saturating_mul(1000)))
            }
        }
    }
}

#[derive(Debug, Clone)]
/// A rule of a bus.
pub struct Rule {
    /// The rule's `Name`.
    pub name: String,
    /// `EventPattern`, if given.
    pub pattern: Option<Pattern>,
    /// `ScheduleExpression`.
    pub schedule: Option<Schedule>,
    /// `State` is enabled.
    pub enabled: bool,
}

/// A live topic or bus.
#[derive(Debug, Clone)]
pub struct Hub {
    /// The topic's or bus's name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// An EventBridge bus (else an SNS topic).
    pub bus: bool,
    /// A FIFO topic: per-group order, 5-minute deduplication, SQS subscribers only.
    pub fifo: bool,
    /// FIFO topics: `ContentBasedDeduplication`.
    pub content_dedup: bool,
    /// Subscriptions of a topic, targets of the rules of a bus.
    pub endpoints: Vec<Endpoint>,
    /// A bus's rules.
    pub rules: Vec<Rule>,
}

/// A workload entry that publishes to a topic or puts events on a bus.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// The workload entry's `Name`.
    pub name: String,
    /// Index in `Fanout::hubs`.
    pub hub: u32,
    /// The message or event detail, rendered per publish.
    pub template: Template,
    /// When it publishes.
    pub arrivals: Arrivals,
    /// Buses: `source`, `detail-type`.
    pub source: String,
    /// See `source`.
    pub detail_type: String,
    /// Topics: subject, attributes.
    pub subject: Option<String>,
    /// See `subject`.
    pub attributes: Option<Map<String, Value>>,
    /// FIFO topics: the message group and deduplication id templates (`{{n}}` is the publish counter).
    pub group: Option<String>,
    /// See `group`.
    pub dedup: Option<String>,
}

#[derive(Debug, Clone, Default)]
/// SNS topics and EventBridge buses with subscriptions or rules, and their publishers (spec section 7).
pub struct Fanout {
    /// The topics and buses.
    pub hubs: Vec<Hub>,
    /// Per target: the hub (topic or bus) it is, when it has subscriptions or rules.
    pub hub_of_target: Vec<Option<u32>>,
    /// Workload entries that publish.
    pub publishers: Vec<Publisher>,
}

impl Fanout {
    /// Topic or bus `i`.
    pub fn hub(&self, i: u32) -> &Hub {
        &self.hubs[i as usize]
    }
    fn by_name(&self, name: &str, bus: bool) -> Option<u32> {
        self.hubs.iter().position(|h| h.bus == bus && (h.name == name || h.arn == name)).map(|i| i as u32)
    }
}

pub(super) struct RawPublisher<'a> {
    pub index: usize,
    pub spec: &'a WorkloadSpec,
    pub arrivals: Arrivals,
}

fn pattern(v: &mut V, p: &Value, path: &str) -> Option<Pattern> {
    let r = match p {
        Value::String(s) => Pattern::parse_str(s, path),
        other => Pattern::compile(other, path),
    };
    match r {
        Ok(p) => Some(p),
        Err(e) => {
            v.err(path, e.to_string());
            None
        }
    }
}

/// `rate(<n> <unit>)` or `cron(<fields>)`.
fn parse_schedule(s: &str) -> Result<Schedule, String> {
    if s.starts_with("cron(") {
        return crate::aws::cron::Cron::parse(s).map(|c| Schedule::Cron(Box::new(c)));
    }
    let inner = s.strip_prefix("rate(").and_then(|x| x.strip_suffix(')')).ok_or_else(|| {
        format!("{s:?} is not a schedule expression; allowed rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>)")
    })?;
    let mut it = inner.split_whitespace();
    let (Some(n), Some(unit), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("{s:?} is not rate(<n> <unit>)"));
    };
    let n: u64 = n.parse().ok().filter(|n| *n >= 1).ok_or_else(|| format!("{s:?}: the value must be a positive integer"))?;
    let secs = match (unit, n == 1) {
        ("minute", true) | ("minutes", false) => 60,
        ("hour", true) | ("hours", false) => 3600,
        ("day", true) | ("days", false) => 86_400,
        _ => return Err(format!("{s:?}: the unit must be minute (n = 1) or minutes, hour or hours, day or days")),
    };
    Ok(Schedule::Rate(SimTime::from_secs(n * secs)))
}

#[allow(clippy::too_many_arguments)]
fn endpoint(
    v: &mut V,
    r: &Resolver,
    targets: &[Target],
    esm: &Esm,
    arn: &str,
    path: &str,
    lambda_only: Option<bool>,
    fifo_topic: bool,
) -> Option<(TargetId, EndpointKind)> {
    let t = r.resolve(v, arn, path)?;
    let tg = &targets[t.ix()];
    let kind = match tg.kind {
        // SNS FIFO topics deliver to SQS queues only (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html).
        TargetKind::Lambda(_) if fifo_topic => {
            v.err(path, format!("{arn:?} is a Lambda function; a FIFO topic delivers only to SQS queues (subscribe a FIFO queue and map it to the function)"));
            return None;
        }
        TargetKind::Lambda(f) => EndpointKind::Lambda { function: f, qualifier: tg.qualifier },
        // A FIFO topic delivers to FIFO and standard queues; a standard topic or a bus to standard queues only.
        TargetKind::Sqs { fifo } if !fifo || fifo_topic => EndpointKind::Sqs(esm.queue_of_target[t.ix()]?),
        TargetKind::Sqs { .. } if lambda_only.is_some() => {
            v.err(path, format!("{arn:?} is a FIFO queue; only a FIFO topic delivers to FIFO queues"));
            return None;
        }
        _ => {
            v.err(path, format!("{arn:?} is a {}; allowed a Lambda function or a standard SQS queue", tg.kind.label()));
            return None;
        }
    };
    match (lambda_only, kind) {
        (Some(true), EndpointKind::Sqs(_)) => {
            v.err(path, format!("{arn:?} is an SQS queue but Protocol is lambda"));
            None
        }
        (Some(false), EndpointKind::Lambda { .. }) => {
            v.err(path, format!("{arn:?} is a Lambda function but Protocol is sqs"));
            None
        }
        _ => Some((t, kind)),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    v: &mut V,
    sc: &Scenario,
    targets: &[Target],
    r: &Resolver,
    esm: &Esm,
    horizon: Option<SimTime>,
    publishers: Vec<RawPublisher<'_>>,
) -> Fanout {
    let mut out = Fanout { hub_of_target: vec![None; targets.len()], ..Fanout::default() };
    build_topics(v, sc, targets, r, esm, &mut out);
    build_buses(v, sc, targets, r, esm, horizon, &mut out);
    build_publishers(v, publishers, &mut out);
    out
}

/// The topics with subscriptions, and their endpoints (spec 7).
fn build_topics(v: &mut V, sc: &Scenario, targets: &[Target], r: &Resolver, esm: &Esm, out: &mut Fanout) {
    for (i, t) in sc.topics.iter().enumerate() {
        let Some(tid) = targets.iter().position(|x| matches!(x.kind, TargetKind::Sns { .. }) && x.name == t.topic_name) else { continue };
        let fifo = t.topic_name.ends_with(".fifo");
        match t.fifo_topic {
            Some(true) if !fifo => v.err(
                format!("Topics[{i}].FifoTopic"),
                format!("is true but the name {:?} does not end with .fifo, as a FIFO topic's must", t.topic_name),
            ),
            Some(false) if fifo => v.err(
                format!("Topics[{i}].FifoTopic"),
                format!("is false but the name {:?} ends with .fifo, which only a FIFO topic's may", t.topic_name),
            ),
            _ => {}
        }
        if t.content_based_deduplication.is_some() && !fifo {
            v.err(format!("Topics[{i}].ContentBasedDeduplication"), "is for FIFO topics only");
        }
        let mut hub = Hub {
            name: t.topic_name.clone(),
            arn: targets[tid].arn.clone(),
            bus: false,
            fifo,
            content_dedup: t.content_based_deduplication.unwrap_or(false),
            endpoints: vec![],
            rules: vec![],
        };
        for (j, s) in t.subscriptions.iter().enumerate() {
            let p = format!("Topics[{i}].Subscriptions[{j}]");
            let lambda = match s.protocol.as_str() {
                "lambda" => true,
                "sqs" => false,
                other => {
                    v.err(format!("{p}.Protocol"), format!("{other:?} is not simulated; allowed lambda, sqs"));
                    continue;
                }
            };
            let Some((target, kind)) = endpoint(v, r, targets, esm, &s.endpoint, &format!("{p}.Endpoint"), Some(lambda), fifo) else {
                continue;
            };
            let filter_body = match s.filter_policy_scope.as_deref() {
                None | Some("MessageAttributes") => false,
                Some("MessageBody") => true,
                Some(o) => {
                    v.err(format!("{p}.FilterPolicyScope"), format!("{o:?} is not allowed; allowed MessageAttributes, MessageBody"));
                    false
                }
            };
            if s.raw_message_delivery.is_some() && lambda {
                v.err(format!("{p}.RawMessageDelivery"), "is for sqs subscriptions only");
            }
            let filter = s.filter_policy.as_ref().and_then(|f| pattern(v, f, &format!("{p}.FilterPolicy")));
            let dlq = s.redrive_policy.as_ref().and_then(|rp| {
                let path = format!("{p}.RedrivePolicy");
                let parsed: Option<Value> = match rp {
                    Value::String(s) => serde_json::from_str(s).ok(),
                    o => Some(o.clone()),
                };
                let Some(arn) = parsed.as_ref().and_then(|x| x.get("deadLetterTargetArn")).and_then(Value::as_str) else {
                    v.err(path, format!("{rp} is not {{\"deadLetterTargetArn\": \"<queue ARN>\"}}"));
                    return None;
                };
                let path = format!("{path}.deadLetterTargetArn");
                let t = r.resolve(v, arn, &path)?;
                // FIFO topic subscriptions use FIFO queues, standard ones standard queues (sns-dead-letter-queues.html).
                match (targets[t.ix()].kind, esm.queue_of_target[t.ix()]) {
                    (TargetKind::Sqs { fifo: qf }, Some(q)) if qf == fifo => Some(q),
                    _ => {
                        let (t, q) = if fifo { ("FIFO", "a FIFO") } else { ("standard", "a standard") };
                        v.err(
                            path,
                            format!("{arn:?} is not allowed: a {t} topic's subscription needs {q} SQS queue as its dead-letter queue"),
                        );
                        None
                    }
                }
            });
            hub.endpoints.push(Endpoint {
                label: format!("Subscriptions[{j}]"),
                arn: s.endpoint.clone(),
                target,
                kind,
                rule: None,
                filter,
                filter_body,
                raw: s.raw_message_delivery.unwrap_or(false),
                retry: RetryPolicy::Sns,
                dlq,
            });
        }
        if !hub.endpoints.is_empty() {
            out.hub_of_target[tid] = Some(out.hubs.len() as u32);
        }
        out.hubs.push(hub);
    }
}

/// The event buses with rules, and their targets (spec 7).
fn build_buses(v: &mut V, sc: &Scenario, targets: &[Target], r: &Resolver, esm: &Esm, horizon: Option<SimTime>, out: &mut Fanout) {
    for (i, b) in sc.event_buses.iter().enumerate() {
        let Some(tid) = targets.iter().position(|x| x.kind == TargetKind::EventBus && x.name == b.name) else { continue };
        let mut hub = Hub {
            name: b.name.clone(),
            arn: targets[tid].arn.clone(),
            bus: true,
            fifo: false,
            content_dedup: false,
            endpoints: vec![],
            rules: vec![],
        };
        for (j, rs) in b.rules.iter().enumerate() {
            let p = format!("EventBuses[{i}].Rules[{j}]");
            v.name(&rs.name, &format!("{p}.Name"), 64, ".", "rule name");
            if hub.rules.iter().any(|x| x.name == rs.name) {
                v.err(format!("{p}.Name"), format!("{:?} is used by two rules of this bus", rs.name));
            }
            let pat = rs.event_pattern.as_ref().and_then(|x| pattern(v, x, &format!("{p}.EventPattern")));
            let schedule = rs.schedule_expression.as_ref().and_then(|s| match parse_schedule(s) {
                Ok(t) => Some(t),
                Err(m) => {
                    v.err(format!("{p}.ScheduleExpression"), m);
                    None
                }
            });
            if rs.event_pattern.is_none() && rs.schedule_expression.is_none() {
                v.err(p.clone(), "gives neither EventPattern nor ScheduleExpression; give at least one");
            }
            if schedule.is_some() && horizon.is_none() {
                v.err(format!("{p}.ScheduleExpression"), "a scheduled rule ticks forever: set Simulation.DurationSeconds to end the run");
            }
            let enabled = match rs.state.as_deref() {
                None | Some("ENABLED") => true,
                Some("DISABLED") => false,
                Some(o) => {
                    v.err(format!("{p}.State"), format!("{o:?} is not allowed; allowed ENABLED, DISABLED"));
                    true
                }
            };
            if rs.targets.len() > 5 {
                v.err(format!("{p}.Targets"), format!("has {} targets; allowed 1 to 5", rs.targets.len()));
            }
            let rule_ix = hub.rules.len() as u32;
            for (k, ts) in rs.targets.iter().enumerate() {
                let tp = format!("{p}.Targets[{k}]");
                v.name(&ts.id, &format!("{tp}.Id"), 64, ".", "target id");
                let Some((target, kind)) = endpoint(v, r, targets, esm, &ts.arn, &format!("{tp}.Arn"), None, false) else { continue };
                let rp = ts.retry_policy.as_ref();
                let max_retries =
                    v.int(rp.and_then(|x| x.maximum_retry_attempts), &format!("{tp}.RetryPolicy.MaximumRetryAttempts"), 0, 185, 185) as u32;
                let max_age = v.int(
                    rp.and_then(|x| x.maximum_event_age_in_seconds),
                    &format!("{tp}.RetryPolicy.MaximumEventAgeInSeconds"),
                    60,
                    86_400,
                    86_400,
                );
                let dlq = ts.dead_letter_config.as_ref().and_then(|d| {
                    let path = format!("{tp}.DeadLetterConfig.Arn");
                    let t = r.resolve(v, &d.arn, &path)?;
                    match (targets[t.ix()].kind, esm.queue_of_target[t.ix()]) {
                        (TargetKind::Sqs { fifo: false }, Some(q)) => Some(q),
                        _ => {
                            v.err(
                                path,
                                format!(
                                    "{:?} is not a standard SQS queue; a rule target's dead-letter queue is a standard SQS queue",
                                    d.arn
                                ),
                            );
                            None
                        }
                    }
                });
                hub.endpoints.push(Endpoint {
                    label: format!("{}/{}", rs.name, ts.id),
                    arn: ts.arn.clone(),
                    target,
                    kind,
                    rule: Some(rule_ix),
                    filter: None,
                    filter_body: false,
                    raw: false,
                    retry: RetryPolicy::EventBridge { max_retries, max_age: SimTime::from_secs(max_age as u64) },
                    dlq,
                });
            }
            hub.rules.push(Rule { name: rs.name.clone(), pattern: pat, schedule, enabled });
        }
        if !hub.rules.is_empty() {
            out.hub_of_target[tid] = Some(out.hubs.len() as u32);
        }
        out.hubs.push(hub);
    }
}

/// Workload entries that publish to a topic or put events on a bus.
fn build_publishers(v: &mut V, publishers: Vec<RawPublisher<'_>>, out: &mut Fanout) {
    for raw in publishers {
        let w = raw.spec;
        let p = format!("Workload[{}]", raw.index);
        let given = [!w.function.is_empty(), w.queue.is_some(), w.stream.is_some(), w.topic.is_some(), w.event_bus.is_some()];
        if given.iter().filter(|x| **x).count() != 1 {
            v.err(p.clone(), "gives more than one of Function, Queue, Stream, Topic, EventBus; give exactly one");
            continue;
        }
        let not_here = [
            (w.invocation_type.is_some(), "InvocationType"),
            (w.source_options.is_some(), "SourceOptions"),
            (w.caller.is_some(), "Caller"),
            (w.partition_key.is_some(), "PartitionKey"),
        ];
        v.not_for(&p, &not_here, "is not for a Topic or EventBus publisher");
        let bus = w.event_bus.is_some();
        let name = w.topic.as_deref().or(w.event_bus.as_deref()).unwrap_or_default();
        let Some(hub) = out.by_name(name, bus) else {
            let known: Vec<&str> = out.hubs.iter().filter(|h| h.bus == bus).map(|h| h.name.as_str()).collect();
            let what = if bus { "EventBus" } else { "Topic" };
            v.err(
                format!("{p}.{what}"),
                format!(
                    "{:?} names no {what} of this scenario; {}",
                    crate::vocab::shorten(name, 200),
                    crate::vocab::did_you_mean(name, &known)
                ),
            );
            continue;
        };
        if bus && (w.subject.is_some() || w.message_attributes.is_some()) {
            v.err(format!("{p}.Subject"), "Subject and MessageAttributes are for Topic publishers");
        }
        if !bus && (w.source.is_some() || w.detail_type.is_some()) {
            v.err(format!("{p}.Source"), "Source and DetailType are for EventBus publishers");
        }
        let h = &out.hubs[hub as usize];
        if h.fifo {
            // Publish to a FIFO topic: MessageGroupId is required, and a deduplication id unless the topic has
            // content-based deduplication (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
            if w.message_group_id.is_none() {
                v.err(format!("{p}.MessageGroupId"), format!("is required to publish to FIFO topic {:?}", h.name));
            }
            if w.message_deduplication_id.is_none() && !h.content_dedup {
                v.err(
                    format!("{p}.MessageDeduplicationId"),
                    format!("is required: FIFO topic {:?} has no ContentBasedDeduplication", h.name),
                );
            }
        } else {
            let fifo_only =
                [(w.message_group_id.is_some(), "MessageGroupId"), (w.message_deduplication_id.is_some(), "MessageDeduplicationId")];
            v.not_for(&p, &fifo_only, "is for FIFO topics and queues only");
        }
        out.publishers.push(Publisher {
            name: w.name.clone().unwrap_or_else(|| format!("workload[{}]", raw.index)),
            hub,
            // The message as written: SNS hands on the bytes a publisher sent (conformance SQS-BODY-BYTES).
            template: match &w.payload {
                Some(p) => Template::with_text(RawJson::value(p), p.text()),
                None => Template::new(Value::Object(Map::new())),
            },
            arrivals: raw.arrivals,
            source: w.source.clone().unwrap_or_else(|| "my.app".into()),
            detail_type: w.detail_type.clone().unwrap_or_else(|| "Event".into()),
            subject: w.subject.clone(),
            attributes: w.message_attributes.clone(),
            group: w.message_group_id.clone(),
            dedup: w.message_deduplication_id.clone(),
        });
    }
}
