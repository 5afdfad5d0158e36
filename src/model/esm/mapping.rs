//! An event source mapping's settings, validated: what every mapping has (`Common`: function and qualifier,
//! batching window, `ReportBatchItemFailures`, filters), then its kind's own (SQS here, streams here, Amazon MQ,
//! DocumentDB and Kafka in their modules) (spec 5.1 to 5.7).

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::{parse_qualifier, resolve_function_ref, FnId, Function, V};
use super::{docdb, kafka, mq, streams, Esm, EsmSource, EventSourceMappingSpec, Mapping, QueueId, StartingPosition, StreamId};
use crate::aws::pattern::Pattern;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;

#[allow(clippy::too_many_arguments)]
pub(super) fn build_mapping(
    v: &mut V,
    esm: &mut Esm,
    m: &EventSourceMappingSpec,
    p: &str,
    index: usize,
    region: &str,
    account: &str,
    targets: &[super::super::Target],
    functions: &[Function],
    fn_names: &BTreeMap<String, FnId>,
    declared: &dyn Fn(FnId) -> usize,
) -> Option<Mapping> {
    // A mapping may invoke a version or an alias: `name:qualifier` or a qualified function ARN (spec 5.1; AWS
    // `CreateEventSourceMapping` FunctionName).
    let resolved = resolve_function_ref(&m.function_name, region, account, fn_names).and_then(|(f, q)| match q {
        None => Ok((f, Qualifier::Latest)),
        Some(q) => parse_qualifier(&functions[f.ix()], declared(f), q).map(|q| (f, q)),
    });
    let (function, qualifier) = match resolved {
        Ok(x) => x,
        Err(e) => {
            v.err(format!("{p}.FunctionName"), e);
            return None;
        }
    };
    let arn = m.event_source_arn.as_str();
    // Amazon MQ: the broker's ARN and the queue of `Queues` (spec 5.6).
    let broker = if kafka::is_kafka_mapping(m) { None } else { mq::broker_of(v, esm, p, arn) };
    let docdb = esm.streams.iter().any(|s| s.arn == arn && s.is_docdb());
    if broker.is_none() && !docdb && (m.queues.is_some() || m.source_access_configurations.is_some()) && !kafka::is_kafka_mapping(m) {
        let mq_only = [(m.queues.is_some(), "Queues"), (m.source_access_configurations.is_some(), "SourceAccessConfigurations")];
        v.not_for(p, &mq_only, "is for Amazon MQ (and SourceAccessConfigurations for DocumentDB) mappings");
    }
    if !docdb && m.document_db_event_source_config.is_some() {
        v.err(format!("{p}.DocumentDBEventSourceConfig"), "is for DocumentDB mappings (an EventSourceArn of a cluster)");
    }
    let source = if kafka::is_kafka_mapping(m) {
        EsmSource::Stream(kafka::source(v, esm, m, p)?)
    } else if arn.is_empty() {
        v.err(
            format!("{p}.EventSourceArn"),
            "is required: the ARN of a queue, stream, table stream, broker, DocumentDB cluster or MSK cluster of this scenario",
        );
        return None;
    } else if let Some(b) = broker {
        EsmSource::Queue(mq::mapping_queue(v, esm, m, p, b.as_deref()?)?)
    } else if let Some(q) = esm.queues.iter().position(|q| q.arn == arn) {
        EsmSource::Queue(QueueId(q as u32))
    } else if let Some(s) = esm.streams.iter().position(|s| s.arn == arn && !s.is_kafka()) {
        EsmSource::Stream(StreamId(s as u32))
    } else {
        let mut known: Vec<&str> = esm.queues.iter().map(|q| q.arn.as_str()).collect();
        known.extend(esm.streams.iter().map(|s| s.arn.as_str()));
        v.err(
            format!("{p}.EventSourceArn"),
            format!(
                "{:?} names no queue, Kinesis stream or table stream of this scenario; {}",
                crate::vocab::shorten(arn, 200),
                crate::vocab::did_you_mean(arn, &known)
            ),
        );
        return None;
    };
    let fd = &functions[function.ix()];
    // The timeout of the configuration the mapping invokes (an alias: the longest of the versions it routes to).
    let timeout = match qualifier {
        Qualifier::Latest => fd.base().timeout,
        Qualifier::Version(c) => fd.config(c).timeout,
        Qualifier::Alias(a) => {
            let r = &fd.aliases[a as usize].routing;
            r.additional.map_or(fd.config(r.primary).timeout, |(c, _)| fd.config(r.primary).timeout.max(fd.config(c).timeout))
        }
    };
    let label_fn = if qualifier == Qualifier::Latest { fd.name.clone() } else { format!("{}:{}", fd.name, fd.qualifier_name(qualifier)) };
    let window =
        SimTime::from_secs(v.int(m.maximum_batching_window_in_seconds, &format!("{p}.MaximumBatchingWindowInSeconds"), 0, 300, 0) as u64);
    let report_failures = match &m.function_response_types {
        None => false,
        Some(t) => {
            for (j, x) in t.iter().enumerate() {
                if x != "ReportBatchItemFailures" {
                    v.err(
                        format!("{p}.FunctionResponseTypes[{j}]"),
                        format!("{x:?} is not allowed; the only value is \"ReportBatchItemFailures\""),
                    );
                }
            }
            t.iter().any(|x| x == "ReportBatchItemFailures")
        }
    };
    let mut filters = vec![];
    if let Some(fc) = &m.filter_criteria {
        if fc.filters.len() > 5 {
            v.err(
                format!("{p}.FilterCriteria.Filters"),
                format!("has {} filters; allowed up to 5 per mapping (the default quota, spec 5.4)", fc.filters.len()),
            );
        }
        for (j, f) in fc.filters.iter().enumerate() {
            let path = format!("{p}.FilterCriteria.Filters[{j}].Pattern");
            let r = match &f.pattern {
                Value::String(s) => Pattern::parse_str(s, &path),
                other => Pattern::compile(other, &path),
            };
            match r {
                Ok(pt) => filters.push(pt),
                Err(e) => v.err(e.path, e.message),
            }
        }
    }
    let c = Common { source, function, qualifier, timeout, label_fn, window, report_failures, filters };
    let (label, mut mapping) = match source {
        EsmSource::Queue(q) if esm.queue(q).broker.is_some() => mq::mq_mapping(v, esm, m, p, q, c)?,
        EsmSource::Stream(s) if esm.stream(s).is_docdb() => docdb::docdb_mapping(v, esm, m, p, s, c)?,
        EsmSource::Queue(q) => sqs_mapping(v, esm, m, p, q, c, fd)?,
        EsmSource::Stream(s) if esm.stream(s).is_kafka() => kafka::mapping(v, esm, m, p, s, c, targets)?,
        EsmSource::Stream(s) => streams::stream_mapping(v, esm, m, p, s, c, targets)?,
    };
    mapping.enabled = m.enabled.unwrap_or(true);
    mapping.uuid = crate::aws::ids::uuid_from(0xe5e5_0000 + index as u64, crate::kernel::rng::fnv64(arn.as_bytes()));
    mapping.label = label;
    Some(mapping)
}

/// What every mapping has, checked before its kind's own settings.
pub(in crate::model::esm) struct Common {
    pub(super) source: EsmSource,
    pub(super) function: FnId,
    pub(super) qualifier: Qualifier,
    /// The timeout of the configuration the mapping invokes.
    pub(super) timeout: SimTime,
    /// The function as records name it (`name` or `name:qualifier`).
    pub(super) label_fn: String,
    pub(super) window: SimTime,
    pub(super) report_failures: bool,
    pub(super) filters: Vec<Pattern>,
}

impl Common {
    /// The mapping these common settings make, with the defaults of every kind-specific setting (a queue read from
    /// the oldest message, one batch per shard, no retry limit, no destination, no window, no lease): each kind
    /// overrides what it has.
    pub(super) fn mapping(&self, batch_size: u32) -> Mapping {
        Mapping {
            uuid: String::new(),
            label: String::new(),
            source: self.source,
            function: self.function,
            qualifier: self.qualifier,
            enabled: true,
            batch_size,
            window: self.window,
            report_failures: self.report_failures,
            filters: self.filters.clone(),
            max_concurrency: None,
            starting: StartingPosition::TrimHorizon,
            parallelization: 1,
            max_retries: None,
            max_record_age: None,
            bisect: false,
            on_failure: None,
            on_failure_topic: None,
            tumbling: None,
            visibility: SimTime::ZERO,
            docdb: None,
        }
    }
}

/// An SQS mapping's own settings (spec 5.2); the stream-only settings are errors here.
pub(super) fn sqs_mapping(
    v: &mut V,
    esm: &mut Esm,
    m: &EventSourceMappingSpec,
    p: &str,
    q: QueueId,
    c: Common,
    fd: &Function,
) -> Option<(String, Mapping)> {
    let (timeout, window) = (c.timeout, c.window);
    let stream_only = super::stream_settings(m);
    let queue = esm.queue(q).clone();
    v.not_for(p, &stream_only, "is for Kinesis and DynamoDB stream mappings, not SQS");
    let (max, default) = if queue.fifo { (10, 10) } else { (10_000, 10) };
    let batch_size = v.int(m.batch_size, &format!("{p}.BatchSize"), 1, max, default) as u32;
    if queue.fifo && window > SimTime::ZERO {
        v.err(format!("{p}.MaximumBatchingWindowInSeconds"), "is not supported for FIFO queues (spec 5.2); leave it out or 0");
    }
    if batch_size > 10 && window < SimTime::from_secs(1) {
        v.err(
            format!("{p}.BatchSize"),
            format!(
                "{batch_size} needs MaximumBatchingWindowInSeconds >= 1 (an SQS BatchSize above 10 requires a batching window, spec 5.1)"
            ),
        );
    }
    // The function timeout must not exceed the queue's visibility timeout (spec 5.2, SQS-CFG).
    if timeout > queue.visibility {
        v.err(
            format!("{p}.FunctionName"),
            format!(
                "function {:?} has Timeout {} s, above the visibility timeout {} s of queue {:?}; Lambda rejects this mapping (the function timeout must be <= the queue's VisibilityTimeout)",
                fd.name,
                timeout.as_micros() / 1_000_000,
                queue.visibility.as_micros() / 1_000_000,
                queue.name
            ),
        );
    }
    let max_concurrency = m
        .scaling_config
        .as_ref()
        .and_then(|s| s.maximum_concurrency)
        .map(|c| v.int(Some(c), &format!("{p}.ScalingConfig.MaximumConcurrency"), 2, 1000, 2) as u32);
    let visibility = if window > SimTime::ZERO && window + timeout > queue.visibility {
        window + timeout + SimTime::from_secs(30)
    } else {
        queue.visibility
    };
    Some((format!("{}<-{}", c.label_fn, queue.name), Mapping { max_concurrency, visibility, ..c.mapping(batch_size) }))
}
