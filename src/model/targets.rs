//! Targets: everything a destination, a dead-letter queue or a delivery fault can name by ARN (queues, topics, buses,
//! buckets and functions, qualified or not; spec 3.1, 4), with the file each writes under `--sinks`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::validate::V;
use super::Model;
use super::{FnId, Qualifier, TargetId};
use crate::aws::destinations::{self, WireKind, WireTarget};
use crate::kernel::time::SimTime;
use crate::scenario::Scenario;
use crate::vocab::RecordKind;

/// What kind of AWS resource a target is (spec 3.1 lists the destination and DLQ kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// An SQS queue.
    Sqs {
        /// A FIFO queue.
        fifo: bool,
    },
    /// An SNS topic.
    Sns {
        /// A FIFO topic.
        fifo: bool,
    },
    /// An EventBridge event bus.
    EventBus,
    /// An S3 bucket.
    S3,
    /// A Lambda function.
    Lambda(FnId),
}

impl TargetKind {
    /// The kind's word in reports (`sqs`, `sns`, ...).
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Sqs { .. } => "sqs",
            TargetKind::Sns { .. } => "sns",
            TargetKind::EventBus => "events",
            TargetKind::S3 => "s3",
            TargetKind::Lambda(_) => "lambda",
        }
    }
}

#[derive(Debug, Clone)]
/// A destination or dead-letter target, by ARN.
pub struct Target {
    /// Its name (queue, topic, bus, bucket or function).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// What kind of resource it is.
    pub kind: TargetKind,
    /// File name (without `.jsonl`) under `--sinks DIR`: the name, or `name.kind` where two targets share a name.
    pub file_stem: String,
    /// For a Lambda target named by a qualified ARN: the version or alias it invokes.
    pub qualifier: Qualifier,
}

/// Resolves target ARNs of destinations, DLQs and delivery faults.
pub(crate) struct Resolver {
    pub(crate) by_arn: BTreeMap<String, TargetId>,
    pub(crate) kinds: Vec<TargetKind>,
}

impl Resolver {
    pub(crate) fn resolve(&self, v: &mut V, arn: &str, path: &str) -> Option<TargetId> {
        let arn_norm = arn.strip_suffix(":$LATEST").unwrap_or(arn);
        match self.by_arn.get(arn_norm) {
            Some(id) => Some(*id),
            None => {
                let known: Vec<&str> = self.by_arn.keys().map(|s| s.as_str()).collect();
                v.err(
                    path,
                    format!(
                        "{:?} names nothing in this scenario; {}",
                        crate::vocab::shorten(arn, 200),
                        crate::vocab::did_you_mean(arn, &known)
                    ),
                );
                None
            }
        }
    }
}

/// The targets of a scenario, with the lookups the later sections use.
pub(super) struct Targets {
    pub targets: Vec<Target>,
    /// Function names to ids.
    pub fn_names: BTreeMap<String, FnId>,
    /// The unqualified target of each function, by function index.
    pub function_targets: Vec<TargetId>,
    pub resolver: Resolver,
}

/// Queues, topics, buses, buckets, then one target per function, then one per version and alias of each function;
/// names checked against AWS's rules, and each target's sink file named.
pub(super) fn build_targets(v: &mut V, sc: &Scenario, region: &str, account: &str) -> Targets {
    let mut targets: Vec<Target> = vec![];
    // Where each target is declared (its JSON path), for "is declared twice".
    let mut declared: Vec<String> = vec![];
    for (i, q) in sc.queues.iter().enumerate() {
        let path = format!("Queues[{i}].QueueName");
        declared.push(path.clone());
        let fifo = q.queue_name.ends_with(".fifo");
        let base = q.queue_name.trim_end_matches(".fifo");
        v.name(base, &path, 75, "", "queue name");
        targets.push(Target {
            name: q.queue_name.clone(),
            arn: format!("arn:aws:sqs:{region}:{account}:{}", q.queue_name),
            kind: TargetKind::Sqs { fifo },
            file_stem: String::new(),
            qualifier: Qualifier::Latest,
        });
    }
    for (i, t) in sc.topics.iter().enumerate() {
        let path = format!("Topics[{i}].TopicName");
        declared.push(path.clone());
        let fifo = t.topic_name.ends_with(".fifo");
        v.name(t.topic_name.trim_end_matches(".fifo"), &path, 251, "", "topic name");
        targets.push(Target {
            name: t.topic_name.clone(),
            arn: format!("arn:aws:sns:{region}:{account}:{}", t.topic_name),
            kind: TargetKind::Sns { fifo },
            file_stem: String::new(),
            qualifier: Qualifier::Latest,
        });
    }
    for (i, e) in sc.event_buses.iter().enumerate() {
        declared.push(format!("EventBuses[{i}].Name"));
        v.name(&e.name, &format!("EventBuses[{i}].Name"), 256, "./", "event bus name");
        targets.push(Target {
            name: e.name.clone(),
            arn: format!("arn:aws:events:{region}:{account}:event-bus/{}", e.name),
            kind: TargetKind::EventBus,
            file_stem: String::new(),
            qualifier: Qualifier::Latest,
        });
    }
    for (i, bk) in sc.buckets.iter().enumerate() {
        declared.push(format!("Buckets[{i}].BucketName"));
        let n = &bk.bucket_name;
        let ok = (3..=63).contains(&n.len()) && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !ok {
            v.err(
                format!("Buckets[{i}].BucketName"),
                format!("{n:?} is not a valid bucket name; allowed 3 to 63 lowercase letters, digits, '-' and '.'"),
            );
        }
        targets.push(Target {
            name: n.clone(),
            arn: format!("arn:aws:s3:::{n}"),
            kind: TargetKind::S3,
            file_stem: String::new(),
            qualifier: Qualifier::Latest,
        });
    }
    let mut fn_names: BTreeMap<String, FnId> = BTreeMap::new();
    if sc.functions.is_empty() {
        v.err("Functions", "is empty; a scenario needs at least one function");
    }
    let mut function_targets = vec![];
    for (i, f) in sc.functions.iter().enumerate() {
        v.name(&f.function_name, &format!("Functions[{i}].FunctionName"), 64, "", "function name");
        if fn_names.insert(f.function_name.clone(), FnId(i as u32)).is_some() {
            v.err(format!("Functions[{i}].FunctionName"), format!("{:?} is used by two functions", f.function_name));
        }
        function_targets.push(TargetId(targets.len() as u32));
        targets.push(Target {
            name: f.function_name.clone(),
            arn: format!("arn:aws:lambda:{region}:{account}:function:{}", f.function_name),
            kind: TargetKind::Lambda(FnId(i as u32)),
            file_stem: String::new(),
            qualifier: Qualifier::Latest,
        });
    }
    // Qualified function ARNs (a version or an alias) as Lambda destinations: one target each.
    for (i, f) in sc.functions.iter().enumerate() {
        let labels = f
            .versions
            .iter()
            .enumerate()
            .map(|(j, x)| (x.version.clone().unwrap_or_else(|| (j + 1).to_string()), Qualifier::Version(j as u32 + 1)));
        let aliases = f.aliases.iter().enumerate().map(|(j, a)| (a.name.clone(), Qualifier::Alias(j as u32)));
        for (q, qualifier) in labels.chain(aliases) {
            targets.push(Target {
                name: format!("{}:{q}", f.function_name),
                arn: format!("arn:aws:lambda:{region}:{account}:function:{}:{q}", f.function_name),
                kind: TargetKind::Lambda(FnId(i as u32)),
                file_stem: String::new(),
                qualifier,
            });
        }
    }
    // Amazon MQ broker queues come last (spec 5.6).
    // (`<broker>/<queue>`, lambdasim's own ARN `<broker ARN>:queue:<vhost>:<queue>`; model/esm/mq.rs.)
    for b in &sc.brokers {
        let (_, arn) = crate::aws::events::mq::broker_arn_with(region, account, &b.broker_name, b.broker_id.as_deref());
        for (q, vhost) in b.queue_names() {
            targets.push(Target {
                name: crate::aws::events::mq::queue_label(&b.broker_name, &q, &vhost),
                arn: crate::aws::events::mq::queue_target_arn(&arn, &q, &vhost),
                kind: TargetKind::Sqs { fifo: false },
                file_stem: String::new(),
                qualifier: Qualifier::Latest,
            });
        }
    }
    let mut by_arn: BTreeMap<String, TargetId> = BTreeMap::new();
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, t) in targets.iter().enumerate() {
        let j = *first.entry(t.arn.as_str()).or_insert(i);
        // (Functions' duplicates are reported above, at `FunctionName`; queues, topics, buses and buckets come first.)
        if by_arn.insert(t.arn.clone(), TargetId(i as u32)).is_some() && !matches!(t.kind, TargetKind::Lambda(_)) {
            v.err(
                declared.get(i).cloned().unwrap_or_default(),
                format!(
                    "{} {:?} is declared twice (first at {})",
                    t.kind.label(),
                    crate::vocab::shorten(&t.name, 120),
                    declared.get(j).map(String::as_str).unwrap_or("?")
                ),
            );
        }
    }
    let mut name_count: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &targets {
        *name_count.entry(t.name.as_str()).or_default() += 1;
    }
    let stems: Vec<String> = targets
        .iter()
        .map(|t| if name_count[t.name.as_str()] > 1 { format!("{}.{}", t.name, t.kind.label()) } else { t.name.clone() })
        .collect();
    for (t, s) in targets.iter_mut().zip(stems) {
        // A broker queue's name has a `/` (`<broker>/<queue>`): `.` in its file name.
        t.file_stem = s.replace('/', ".");
    }

    let resolver = Resolver { by_arn, kinds: targets.iter().map(|t| t.kind).collect() };
    Targets { targets, fn_names, function_targets, resolver }
}

/// The message a destination or DLQ target receives for a record (spec 3.1, 4), from the model's names and ARNs.
pub fn wire_message(
    model: &Model,
    target: TargetId,
    kind: RecordKind,
    content: &Value,
    function_arn: &str,
    at: SimTime,
    key: u64,
) -> Value {
    let tg = model.target(target);
    let mapping_uuid = |stream: &str, function_arn: &str| {
        model
            .esm
            .mappings
            .iter()
            .find(|m| {
                model.function(m.function).arn == function_arn
                    && matches!(m.source, super::EsmSource::Stream(s) if model.esm.stream(s).arn == stream)
            })
            .map(|m| m.uuid.as_str())
    };
    let wire = WireTarget {
        kind: match tg.kind {
            TargetKind::Sqs { .. } => WireKind::Sqs,
            TargetKind::Sns { .. } => WireKind::Sns,
            TargetKind::Lambda(_) => WireKind::Lambda,
            TargetKind::EventBus => WireKind::EventBus,
            TargetKind::S3 => WireKind::S3,
        },
        arn: &tg.arn,
        name: &tg.name,
        epoch_ms: model.settings.start_epoch_ms,
        region: &model.region,
        account_id: &model.account_id,
        eventbridge_source: &model.settings.eventbridge_source,
        mapping_uuid: &mapping_uuid,
    };
    destinations::wire_message(&wire, kind, content, function_arn, at, key)
}
