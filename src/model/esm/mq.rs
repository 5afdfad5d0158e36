//! Amazon MQ brokers and their event source mappings, validated (spec 5.6).
//!
//! A broker queue is a live queue of the model ([`crate::model::Queue`] with `broker` set), so the SQS poller's machinery
//! (visible messages, in-flight batches, redelivery counts, moving a message to a dead-letter queue, the ledger's
//! message fates) serves it; what differs is set here: no retention, ActiveMQ's fixed redelivery policy
//! (maximumRedeliveries 6, then `ActiveMQ.DLQ`; DG services-mq-errors.html), RabbitMQ's quorum-queue
//! `x-delivery-limit` with a dead-letter queue, the mapping's defaults and bounds (BatchSize 100, at most 10,000; a
//! 500 ms batching window; DG services-mq-params.html) and its concurrency (5 for ActiveMQ, 1 for RabbitMQ; DG
//! with-mq.html).

use super::{Common, Esm, EsmSource, Mapping, QueueId};
use crate::aws::events::mq::{broker_arn_with, queue_label, queue_target_arn, Engine};
use crate::kernel::time::SimTime;
use crate::model::targets::Target;
use crate::model::{TargetId, V};
use crate::scenario::{BrokerSpec, EventSourceMappingSpec, Scenario, ACTIVEMQ_DLQ};

/// ActiveMQ's `maximumRedeliveries` in the redelivery policy Lambda uses (DG services-mq-errors.html).
pub const ACTIVEMQ_MAX_REDELIVERIES: u32 = 6;

/// A queue of an Amazon MQ broker.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerQueue {
    /// `BrokerName`.
    pub broker: String,
    /// The broker's ARN (the mapping's `EventSourceArn`, the event's `eventSourceArn`).
    pub broker_arn: String,
    /// `b-<uuid>`, the last part of the ARN.
    pub broker_id: String,
    /// ActiveMQ or RabbitMQ.
    pub engine: Engine,
    /// The queue's name on the broker.
    pub queue: String,
    /// RabbitMQ's virtual host (`/` by default; ActiveMQ: `/`).
    pub vhost: String,
}

fn engine_of(b: &BrokerSpec) -> Option<Engine> {
    match b.engine_type.to_ascii_uppercase().as_str() {
        "ACTIVEMQ" => Some(Engine::ActiveMq),
        "RABBITMQ" => Some(Engine::RabbitMq),
        _ => None,
    }
}

/// The brokers' queues as live queues (after the SQS queues), with their dead-letter queues.
pub(super) fn build_broker_queues(v: &mut V, sc: &Scenario, region: &str, account: &str, targets: &[Target], esm: &mut Esm) {
    let mut names: Vec<&str> = vec![];
    for (i, b) in sc.brokers.iter().enumerate() {
        let p = format!("Brokers[{i}]");
        v.name(&b.broker_name, &format!("{p}.BrokerName"), 50, "", "broker name");
        if names.contains(&b.broker_name.as_str()) {
            v.err(format!("{p}.BrokerName"), format!("{:?} is used by two brokers", b.broker_name));
        }
        names.push(&b.broker_name);
        let Some(engine) = engine_of(b) else {
            v.err(format!("{p}.EngineType"), format!("{:?} is not allowed; allowed ACTIVEMQ, RABBITMQ", b.engine_type));
            continue;
        };
        if let Some(id) = &b.broker_id {
            let ok = id.len() == 38 && id.starts_with("b-") && id[2..].chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if !ok {
                v.err(
                    format!("{p}.BrokerId"),
                    format!("{id:?} is not a broker id (b- and a UUID, b-1234a5b6-78cd-901e-2fab-3c45d6e178f9)"),
                );
            }
        }
        let (broker_id, broker_arn) = broker_arn_with(region, account, &b.broker_name, b.broker_id.as_deref());
        let first = esm.queues.len();
        let all = b.queue_names();
        for (j, (q, vhost)) in all.iter().enumerate() {
            let qp = format!("{p}.Queues[{j}]");
            if q.is_empty() || q.len() > 1000 {
                v.err(format!("{qp}.Name"), "must be 1 to 1000 characters");
            }
            if all[..j].iter().any(|x| x.0 == *q && x.1 == *vhost) {
                v.err(format!("{qp}.Name"), format!("{q:?} is declared twice on broker {:?}", b.broker_name));
            }
            let label = queue_label(&b.broker_name, q, vhost);
            let arn = queue_target_arn(&broker_arn, q, vhost);
            let target = TargetId(targets.iter().position(|t| t.arn == arn).unwrap_or(0) as u32);
            esm.queue_of_target[target.ix()] = Some(QueueId(esm.queues.len() as u32));
            esm.queues.push(super::Queue {
                name: label,
                arn,
                target,
                fifo: false,
                visibility: SimTime::from_secs(30),
                // Brokers keep persistent messages until consumed (no retention period): 100 years.
                retention: SimTime::from_secs(100 * 365 * 86_400),
                delay: SimTime::ZERO,
                redrive: None,
                content_dedup: false,
                mappings: vec![],
                broker: Some(BrokerQueue {
                    broker: b.broker_name.clone(),
                    broker_arn: broker_arn.clone(),
                    broker_id: broker_id.clone(),
                    engine,
                    queue: q.clone(),
                    vhost: vhost.clone(),
                }),
            });
        }
        // Dead-letter queues: ActiveMQ's fixed policy, RabbitMQ's delivery limit (spec 5.6).
        for (j, spec) in b.queues.iter().enumerate() {
            let qp = format!("{p}.Queues[{j}]");
            let here = first + j;
            match engine {
                Engine::ActiveMq => {
                    let rabbit_only = [
                        (spec.virtual_host.is_some(), "VirtualHost"),
                        (spec.delivery_limit.is_some(), "DeliveryLimit"),
                        (spec.dead_letter_queue.is_some(), "DeadLetterQueue"),
                    ];
                    v.not_for(
                        &qp,
                        &rabbit_only,
                        "is for RabbitMQ queues; Lambda's ActiveMQ consumer uses a fixed redelivery policy (6 redeliveries, then ActiveMQ.DLQ)",
                    );
                }
                Engine::RabbitMq => match (spec.delivery_limit, &spec.dead_letter_queue) {
                    (None, None) => {}
                    (Some(_), None) => v.err(
                        format!("{qp}.DeliveryLimit"),
                        "needs DeadLetterQueue: a message over the delivery limit is dropped without a dead-letter exchange, which lambdasim does not model",
                    ),
                    (None, Some(_)) => v.err(
                        format!("{qp}.DeadLetterQueue"),
                        "has no effect without DeliveryLimit: Lambda's consumer returns failed messages to the queue, so only a quorum queue's delivery limit dead-letters them (spec 5.6)",
                    ),
                    (Some(limit), Some(d)) => {
                        if limit < 1 {
                            v.err(format!("{qp}.DeliveryLimit"), format!("{limit} is out of range; allowed 1 or more"));
                        }
                        let vhost = &all[j].1;
                        match all.iter().position(|x| x.0 == *d && x.1 == *vhost) {
                            Some(k) if k == j => v.err(format!("{qp}.DeadLetterQueue"), "names the queue itself"),
                            Some(k) => {
                                let max = u32::try_from(limit.max(1)).unwrap_or(u32::MAX).saturating_add(1);
                                esm.queues[here].redrive = Some((QueueId((first + k) as u32), max));
                            }
                            None => v.err(
                                format!("{qp}.DeadLetterQueue"),
                                format!("{d:?} names no queue of broker {:?} in virtual host {vhost:?}", b.broker_name),
                            ),
                        }
                    }
                },
            }
        }
        if engine == Engine::ActiveMq {
            let dlq = first + all.iter().position(|x| x.0 == ACTIVEMQ_DLQ).unwrap_or(0);
            for j in 0..all.len() {
                if first + j != dlq {
                    esm.queues[first + j].redrive = Some((QueueId(dlq as u32), ACTIVEMQ_MAX_REDELIVERIES + 1));
                }
            }
        }
    }
}

/// The broker an `EventSourceArn` names: `None` when it is no Amazon MQ ARN; `Some(None)` when it is one but names
/// no broker of the scenario (the error is reported); else the broker's name.
pub(super) fn broker_of(v: &mut V, esm: &Esm, p: &str, arn: &str) -> Option<Option<String>> {
    if !arn.starts_with("arn:aws:mq:") {
        return None;
    }
    let found = esm.queues.iter().filter_map(|q| q.broker.as_ref()).find(|b| b.broker_arn == arn);
    if let Some(b) = found {
        return Some(Some(b.broker.clone()));
    }
    let mut known: Vec<&str> = esm.queues.iter().filter_map(|q| q.broker.as_ref()).map(|b| b.broker_arn.as_str()).collect();
    known.dedup();
    v.err(
        format!("{p}.EventSourceArn"),
        format!(
            "{:?} names no broker of this scenario (a broker's ARN is arn:aws:mq:<region>:<account>:broker:<name>:<id>, the id derived from the name); {}",
            crate::vocab::shorten(arn, 200),
            crate::vocab::did_you_mean(arn, &known)
        ),
    );
    Some(None)
}

/// The queue an Amazon MQ mapping consumes: `Queues` (exactly one) on the broker, in the RabbitMQ virtual host of
/// `SourceAccessConfigurations` (default `/`); the access configurations are checked here (spec 5.6).
pub(super) fn mapping_queue(v: &mut V, esm: &Esm, m: &EventSourceMappingSpec, p: &str, broker: &str) -> Option<QueueId> {
    let engine = esm.queues.iter().filter_map(|q| q.broker.as_ref()).find(|b| b.broker == broker).map(|b| b.engine)?;
    let mut vhost = "/".to_string();
    let mut auth = false;
    for (j, c) in m.source_access_configurations.iter().flatten().enumerate() {
        let cp = format!("{p}.SourceAccessConfigurations[{j}]");
        match c.kind.as_str() {
            "BASIC_AUTH" if auth => v.err(format!("{cp}.Type"), "BASIC_AUTH is given twice"),
            "BASIC_AUTH" => {
                auth = true;
                if !c.uri.starts_with("arn:aws:secretsmanager:") {
                    v.err(format!("{cp}.URI"), format!("{:?} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:...)", c.uri));
                }
            }
            "VIRTUAL_HOST" if engine == Engine::RabbitMq => vhost = c.uri.clone(),
            "VIRTUAL_HOST" => v.err(format!("{cp}.Type"), "VIRTUAL_HOST is for RabbitMQ brokers"),
            other => v.err(
                format!("{cp}.Type"),
                format!(
                    "{other:?} is not allowed for Amazon MQ; allowed BASIC_AUTH{}",
                    if engine == Engine::RabbitMq { ", VIRTUAL_HOST" } else { "" }
                ),
            ),
        }
    }
    if !auth {
        v.err(
            format!("{p}.SourceAccessConfigurations"),
            "needs a BASIC_AUTH entry ({\"Type\": \"BASIC_AUTH\", \"URI\": <Secrets Manager secret ARN>}): Lambda requires the broker's credentials (recorded; they have no effect in the simulation)",
        );
    }
    let queues = match &m.queues {
        Some(q) if q.len() == 1 => q,
        Some(q) => {
            v.err(format!("{p}.Queues"), format!("has {} queues; an Amazon MQ mapping consumes exactly one", q.len()));
            return None;
        }
        None => {
            v.err(format!("{p}.Queues"), "is required for Amazon MQ: the one queue the mapping consumes ([\"orders\"])");
            return None;
        }
    };
    let name = &queues[0];
    let found =
        esm.queues.iter().position(|q| q.broker.as_ref().is_some_and(|b| b.broker == broker && b.queue == *name && b.vhost == vhost));
    if found.is_none() {
        let known: Vec<&str> = esm
            .queues
            .iter()
            .filter_map(|q| q.broker.as_ref())
            .filter(|b| b.broker == broker && b.vhost == vhost)
            .map(|b| b.queue.as_str())
            .collect();
        v.err(
            format!("{p}.Queues[0]"),
            format!(
                "{:?} is no queue of broker {broker:?} in virtual host {vhost:?}; {}",
                crate::vocab::shorten(name, 200),
                crate::vocab::did_you_mean(name, &known)
            ),
        );
    }
    found.map(|i| QueueId(i as u32))
}

/// An Amazon MQ mapping's own settings (spec 5.6): the stream and SQS settings are errors here.
pub(super) fn mq_mapping(v: &mut V, esm: &Esm, m: &EventSourceMappingSpec, p: &str, q: QueueId, c: Common) -> Option<(String, Mapping)> {
    let others: Vec<(bool, &str)> = super::stream_settings(m)
        .into_iter()
        .chain([(m.scaling_config.is_some(), "ScalingConfig"), (m.function_response_types.is_some(), "FunctionResponseTypes")])
        .collect();
    v.not_for(
        p,
        &others,
        "is not a setting of Amazon MQ mappings (allowed: BatchSize, Enabled, FilterCriteria, MaximumBatchingWindowInSeconds, Queues, SourceAccessConfigurations)",
    );
    let queue = esm.queue(q);
    let b = queue.broker.as_ref().expect("broker queue");
    let batch_size = v.int(m.batch_size, &format!("{p}.BatchSize"), 1, 10_000, 100) as u32;
    // The default batching window of Amazon MQ is 500 ms; a given one is whole seconds, 0 to 300 (spec 5.6).
    let window = match m.maximum_batching_window_in_seconds {
        None => SimTime::from_millis(500),
        Some(w) => SimTime::from_secs(v.int(Some(w), &format!("{p}.MaximumBatchingWindowInSeconds"), 0, 300, 0) as u64),
    };
    let concurrency = match b.engine {
        Engine::ActiveMq => 5,
        Engine::RabbitMq => 1,
    };
    Some((
        format!("{}<-{}", c.label_fn, queue.name),
        Mapping {
            window,
            report_failures: false,
            max_concurrency: Some(concurrency),
            // The consumer holds its messages until the function returns; a failed batch is returned at once and
            // redelivered after the redelivery delay (sim/esm/mq.rs). This lease only bounds a lost batch.
            visibility: window + c.timeout + SimTime::from_secs(60),
            ..c.mapping(batch_size)
        },
    ))
}

impl EsmSource {
    /// The broker queue a mapping reads, if it reads one.
    pub fn broker_queue(self, esm: &Esm) -> Option<&BrokerQueue> {
        match self {
            EsmSource::Queue(q) => esm.queue(q).broker.as_ref(),
            EsmSource::Stream(_) => None,
        }
    }
}
