//! The scenario sections a template is being read into, with the lookups the readers of [`super::cfn`] and
//! [`super::sam`] share: functions by logical id, name or ARN; queues, topics and buses by ARN or name (made when a
//! template names one it does not declare, e.g. an ARN given as a parameter); typed reading of resolved properties
//! with errors naming the template path; and the relative path from the scenario to a function's code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::eval::Ctx;
use super::names;
use super::{Import, Logical, TemplateError};

/// The two passes over the resources: things that exist on their own, then what attaches to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Primary,
    Attach,
}

/// The sections being built.
pub struct Out {
    pub region: String,
    pub account: String,
    pub template_dir: PathBuf,
    pub scenario_dir: PathBuf,
    pub functions: Vec<Map<String, Value>>,
    pub queues: Vec<Map<String, Value>>,
    pub topics: Vec<Map<String, Value>>,
    pub buses: Vec<Map<String, Value>>,
    pub buckets: Vec<Map<String, Value>>,
    pub kinesis: Vec<Map<String, Value>>,
    pub tables: Vec<Map<String, Value>>,
    /// `KafkaClusters` (spec 5.5).
    pub kafka: Vec<Map<String, Value>>,
    /// Amazon MQ brokers and DocumentDB clusters (`template/mq.rs`).
    pub brokers: Vec<Map<String, Value>>,
    pub clusters: Vec<Map<String, Value>>,
    pub mappings: Vec<Value>,
    pub delivery: Vec<Value>,
    pub changes: Vec<Value>,
    pub workload: Vec<Value>,
    pub imported: Vec<String>,
    pub skipped: Vec<String>,
    pub logical: BTreeMap<String, Logical>,
    /// A scheduled rule needs `Simulation.DurationSeconds`.
    pub schedules: bool,
    /// `AWS::Lambda::EventInvokeConfig`s of a version or an alias, placed once every version and alias is read:
    /// (function index, qualifier, configuration, template path).
    pub qualified_configs: Vec<(usize, String, Map<String, Value>, String)>,
}

impl Out {
    pub fn new(template_dir: &Path, scenario_dir: &Path, region: &str, account: &str) -> Out {
        Out {
            region: region.into(),
            account: account.into(),
            template_dir: template_dir.to_path_buf(),
            scenario_dir: scenario_dir.to_path_buf(),
            functions: vec![],
            queues: vec![],
            topics: vec![],
            buses: vec![],
            buckets: vec![],
            kinesis: vec![],
            tables: vec![],
            kafka: vec![],
            brokers: vec![],
            clusters: vec![],
            mappings: vec![],
            delivery: vec![],
            changes: vec![],
            workload: vec![],
            imported: vec![],
            skipped: vec![],
            logical: BTreeMap::new(),
            schedules: false,
            qualified_configs: vec![],
        }
    }

    /// Record what a logical id stands for.
    pub fn name(&mut self, id: &str, kind: &str, name: &str, arn: &str) {
        self.logical.insert(id.into(), Logical { kind: kind.into(), name: name.into(), arn: arn.into() });
    }

    /// The index of a function by logical id, name or (qualified) ARN.
    pub fn function(&self, r: &str) -> Option<usize> {
        let name = self.logical.get(r).map(|l| l.name.clone()).unwrap_or_else(|| names::function_name_of(r));
        self.functions.iter().position(|f| f.get("FunctionName").and_then(Value::as_str) == Some(name.as_str()))
    }

    /// The ARN a reference to a resource of `service` (`sqs`, `sns`, `kinesis`, `dynamodb`, `events`, `lambda`)
    /// stands for in the simulation: an ARN of another Region or account is moved into the scenario's (every
    /// simulated resource lives in one account and Region), a queue URL or a bare name becomes the ARN. Each change
    /// gives an imported line.
    pub fn arn_of(&mut self, r: &str, service: &str, path: &str) -> String {
        let (region, account) = (self.region.clone(), self.account.clone());
        if let Some(rest) = r.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            if parts.len() == 5 && !parts[2].is_empty() && (parts[2] != region || parts[3] != account) {
                let moved = format!("arn:{}:{}:{region}:{account}:{}", parts[0], parts[1], parts[4]);
                self.imported.push(format!("{path}: {r} is in another Region or account; simulated as {moved}"));
                return moved;
            }
            return r.to_string();
        }
        let name = names::name_in_arn(r);
        let resource = match service {
            "kinesis" => format!("stream/{name}"),
            "events" => format!("event-bus/{name}"),
            "lambda" => format!("function:{name}"),
            _ => name.clone(),
        };
        let arn = format!("arn:aws:{service}:{region}:{account}:{resource}");
        if !r.starts_with("https://sqs.") {
            self.imported.push(format!("{path}: {r:?} is not an ARN; taken as the name of a simulated resource, {arn}"));
        }
        arn
    }

    /// The queue an ARN, URL or name stands for, made if the template does not declare it; its ARN.
    pub fn queue(&mut self, r: &str, path: &str) -> String {
        let arn = self.arn_of(r, "sqs", path);
        let name = names::name_in_arn(&arn);
        if !self.queues.iter().any(|q| q.get("QueueName").and_then(Value::as_str) == Some(name.as_str())) {
            self.imported.push(format!("{path}: queue {name} is not declared in the template; simulated as a standard queue"));
            let mut q = Map::new();
            q.insert("QueueName".into(), Value::String(name.clone()));
            self.queues.push(q);
        }
        arn
    }

    /// The topic an ARN or name stands for, made if the template does not declare it; its index and ARN.
    pub fn topic(&mut self, r: &str, path: &str) -> (usize, String) {
        let arn = self.arn_of(r, "sns", path);
        let name = names::name_in_arn(&arn);
        if let Some(i) = self.topics.iter().position(|t| t.get("TopicName").and_then(Value::as_str) == Some(name.as_str())) {
            return (i, arn);
        }
        self.imported.push(format!("{path}: topic {name} is not declared in the template; simulated"));
        let mut t = Map::new();
        t.insert("TopicName".into(), Value::String(name));
        self.topics.push(t);
        (self.topics.len() - 1, arn)
    }

    /// The event bus a name or ARN stands for (`default` is made when first used).
    pub fn bus(&mut self, r: &str) -> usize {
        let name = names::name_in_arn(r);
        if let Some(i) = self.buses.iter().position(|b| b.get("Name").and_then(Value::as_str) == Some(name.as_str())) {
            return i;
        }
        let mut b = Map::new();
        b.insert("Name".into(), Value::String(name));
        self.buses.push(b);
        self.buses.len() - 1
    }

    /// Add a rule to a bus.
    pub fn add_rule(&mut self, bus: &str, rule: Value) {
        let i = self.bus(bus);
        if rule.get("ScheduleExpression").is_some() {
            self.schedules = true;
        }
        let rules = self.buses[i].entry("Rules").or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(a) = rules {
            a.push(rule);
        }
    }

    /// A `Workload` stub: one invocation at 1 s.
    pub fn stub(&mut self, entry: Map<String, Value>, name: &str) {
        let mut e = Map::new();
        e.insert("Name".into(), Value::String(name.into()));
        e.extend(entry);
        e.insert("At".into(), json!([1.0]));
        self.workload.push(Value::Object(e));
    }

    /// `path` relative to the scenario's directory, when both can be resolved.
    pub fn relative_to_scenario(&self, code: &Path) -> String {
        let (Ok(code), Ok(base)) = (code.canonicalize(), self.scenario_dir.canonicalize()) else {
            return code.display().to_string();
        };
        let (c, b): (Vec<_>, Vec<_>) = (code.components().collect(), base.components().collect());
        let common = c.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let mut rel = PathBuf::new();
        for _ in common..b.len() {
            rel.push("..");
        }
        for part in &c[common..] {
            rel.push(part);
        }
        let s = rel.display().to_string();
        if s.is_empty() {
            ".".into()
        } else {
            s
        }
    }

    /// The sections, in the scenario format's order.
    pub fn finish(mut self, stack: String) -> Import {
        for f in self.functions.iter_mut().chain(&mut self.queues).chain(&mut self.topics).chain(&mut self.buses).chain(&mut self.kinesis) {
            f.iter_mut().for_each(|(k, v)| normalize(v, k));
        }
        self.mappings.iter_mut().for_each(|v| normalize(v, ""));
        let mut s = Map::new();
        if self.schedules {
            s.insert("Simulation".into(), json!({"DurationSeconds": 3600.0}));
        }
        let objs = |v: Vec<Map<String, Value>>| Value::Array(v.into_iter().map(Value::Object).collect());
        s.insert("Functions".into(), objs(self.functions));
        for (k, v) in [("Queues", self.queues), ("Topics", self.topics), ("EventBuses", self.buses), ("Buckets", self.buckets)] {
            if !v.is_empty() {
                s.insert(k.into(), objs(v));
            }
        }
        for (k, v) in [
            ("KinesisStreams", self.kinesis),
            ("Tables", self.tables),
            ("KafkaClusters", self.kafka),
            ("Brokers", self.brokers),
            ("DocumentDBClusters", self.clusters),
        ] {
            if !v.is_empty() {
                s.insert(k.into(), objs(v));
            }
        }
        for (k, v) in [("EventSourceMappings", self.mappings), ("DeliveryStreams", self.delivery), ("Changes", self.changes)] {
            if !v.is_empty() {
                s.insert(k.into(), Value::Array(v));
            }
        }
        Import { stack, sections: s, workload: self.workload, imported: self.imported, skipped: self.skipped, logical: self.logical }
    }
}

/// The properties of one resource, resolved one at a time as they are read (a property that is not simulated is
/// never resolved, so an `Fn::ImportValue` in, say, a `VpcConfig` does not stop the import), with errors naming the
/// template path, and the keys read so far (the others are reported as not simulated).
pub struct Props<'c, 'a> {
    pub raw: Map<String, Value>,
    pub ctx: &'c Ctx<'a>,
    pub path: String,
    pub read: Vec<String>,
}

impl<'c, 'a> Props<'c, 'a> {
    pub fn new(raw: Map<String, Value>, ctx: &'c Ctx<'a>, path: impl Into<String>) -> Props<'c, 'a> {
        Props { raw, ctx, path: path.into(), read: vec![] }
    }
    /// The template path of a property.
    pub fn at(&self, k: &str) -> String {
        format!("{}.{k}", self.path)
    }
    /// A property resolved (marked read); `None` when absent or `AWS::NoValue`.
    pub fn get(&mut self, k: &str) -> Result<Option<Value>, TemplateError> {
        self.read.push(k.to_string());
        match self.raw.get(k) {
            None => Ok(None),
            Some(v) => self.ctx.eval(v, &self.at(k)).map(|v| v.filter(|v| !v.is_null())),
        }
    }
    /// Mark properties read without using them (they have nothing to simulate, e.g. `Role`).
    pub fn ignore(&mut self, ks: &[&str]) {
        self.read.extend(ks.iter().map(|k| k.to_string()));
    }
    pub fn str(&mut self, k: &str) -> Result<Option<String>, TemplateError> {
        match self.get(k)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(TemplateError::new(self.at(k), format!("expected a string, found {other}"))),
        }
    }
    pub fn bool(&mut self, k: &str) -> Result<Option<bool>, TemplateError> {
        match self.get(k)? {
            None => Ok(None),
            Some(v) => as_bool(&v).map(Some).ok_or_else(|| TemplateError::new(self.at(k), format!("expected true or false, found {v}"))),
        }
    }
    /// The properties not read, for a "not simulated" line.
    pub fn unread(&self) -> Vec<String> {
        self.raw.keys().filter(|k| !self.read.contains(k)).cloned().collect()
    }
}

/// A boolean from a boolean or `"true"` / `"false"` (CloudFormation accepts both).
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// An integer from a number or a numeric string (CloudFormation accepts both).
pub fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Properties whose value is an integer in the scenario format (CloudFormation also accepts `"10"`).
const INT_KEYS: &[&str] = &[
    "Timeout",
    "MemorySize",
    "ReservedConcurrentExecutions",
    "ProvisionedConcurrentExecutions",
    "MaximumRetryAttempts",
    "MaximumEventAgeInSeconds",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "MaximumRecordAgeInSeconds",
    "TumblingWindowInSeconds",
    "MaximumConcurrency",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "maxReceiveCount",
    "ShardCount",
    "RetentionPeriodHours",
];
/// Properties whose value is a boolean in the scenario format (CloudFormation also accepts `"true"`).
const BOOL_KEYS: &[&str] =
    &["Enabled", "BisectBatchOnFunctionError", "FifoQueue", "FifoTopic", "ContentBasedDeduplication", "RawMessageDelivery"];

/// Integers and booleans written as strings, as the scenario format takes them.
fn normalize(v: &mut Value, key: &str) {
    match v {
        Value::String(s) if INT_KEYS.contains(&key) => {
            if let Ok(n) = s.trim().parse::<i64>() {
                *v = Value::from(n);
            }
        }
        Value::String(s) if BOOL_KEYS.contains(&key) => {
            if let Some(b) = as_bool(&Value::String(s.clone())) {
                *v = Value::Bool(b);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| normalize(x, key)),
        Value::Object(m) => m.iter_mut().for_each(|(k, x)| normalize(x, k)),
        _ => {}
    }
}

/// Report the properties of a resource that have no effect in the simulation.
pub fn report_unread(out: &mut Out, p: &Props) {
    let path = p.path.trim_end_matches(".Properties");
    let unread = p.unread();
    if !unread.is_empty() {
        out.skipped.push(format!("{path}: not simulated: {}", unread.join(", ")));
    }
}
