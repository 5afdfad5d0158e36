//! The validated model: a scenario file checked against AWS's bounds, names resolved to typed ids, distributions and
//! patterns compiled. The simulation only ever sees a [`Model`]; everything a user can get wrong is reported here, each
//! problem with its JSON path, its value and the allowed range (exit code 2 in the CLI).

pub mod dist;
pub mod error;
pub mod versions;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::dist::Dist;
use crate::error::{ScenarioError, ScenarioErrors};
use crate::expect::{self, Expectation};
use crate::pattern::Pattern;
use crate::payload::Template;
use crate::scenario::*;
use crate::time::SimTime;
pub use crate::versions::{Alias, Change, ChangeKind, DlqScope, FnConfig, FnSetup, PcPeriod, Qualifier, Routing};

mod esm;
pub mod fanout;
pub mod firehose;
pub use esm::{
    Esm, EsmSource, Mapping, MappingId, Producer, ProducerTarget, Queue, QueueId, StartingPosition, Stream, StreamId, StreamKind,
};

/// Index of a function in [`Model::functions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FnId(pub u32);
/// Index of a target (queue, topic, bus, bucket or function) in [`Model::targets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetId(pub u32);

impl FnId {
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl TargetId {
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// What kind of AWS resource a target is (spec 3.1 lists the destination and DLQ kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Sqs { fifo: bool },
    Sns { fifo: bool },
    EventBus,
    S3,
    Lambda(FnId),
}

impl TargetKind {
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
pub struct Target {
    pub name: String,
    pub arn: String,
    pub kind: TargetKind,
    /// File name (without `.jsonl`) under `--sinks DIR`: the name, or `name.kind` where two targets share a name.
    pub file_stem: String,
    /// For a Lambda target named by a qualified ARN: the version or alias it invokes.
    pub qualifier: Qualifier,
}

/// A compiled behaviour rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: Option<Pattern>,
    pub attempt_min: u32,
    pub attempt_max: u32,
    pub probability: Option<f64>,
    pub outcome: OutcomeKind,
    pub error_type: Arc<str>,
    pub error_message: Arc<str>,
    pub response: Arc<Value>,
    pub duration: Option<Dist>,
    /// Serialized size of the response in bytes (`ResponseSizeBytes`, else the size of `Response`).
    pub response_size: u64,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub kind: FaultKind,
    pub start: SimTime,
    pub end: SimTime,
    pub probability: f64,
    pub error_type: Arc<str>,
    pub error_message: Arc<str>,
}

impl Fault {
    pub fn active(&self, t: SimTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// A `DeliveryFailure` fault: deliveries to `target` between `start` and `end` fail with `reason` (each with
/// `probability`), and the record is lost (spec 3.1, 4).
#[derive(Debug, Clone)]
pub struct DeliveryFault {
    pub target: TargetId,
    pub start: SimTime,
    pub end: SimTime,
    pub probability: f64,
    pub reason: crate::trace::DeliveryFailure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    /// Unqualified ARN.
    pub arn: String,
    pub architecture: Architecture,
    /// Reserved concurrency at time 0 (changes on the timeline: `setup` and `Model::changes`).
    pub reserved: Option<u32>,
    pub faults: Vec<Fault>,
    /// Code and settings: `[0]` is `$LATEST` as declared, then the declared `Versions`, then the configurations that
    /// deploys and publications on the timeline create.
    pub configs: Vec<FnConfig>,
    pub aliases: Vec<Alias>,
    /// What the timeline can change, as it is at time 0.
    pub setup: FnSetup,
    /// Provisioned concurrency billing periods over the whole timeline (spec section 8).
    pub pc_periods: Vec<PcPeriod>,
    /// Provisioned concurrency is configured at some time.
    pub uses_pc: bool,
}

impl Function {
    /// `$LATEST` as declared: the configuration of functions without versions or deploys.
    pub fn base(&self) -> &FnConfig {
        &self.configs[0]
    }
    pub fn config(&self, c: u32) -> &FnConfig {
        &self.configs[c as usize]
    }
    /// The function has more than one configuration (versions or deploys): traces and reports name the version.
    pub fn versioned(&self) -> bool {
        self.configs.len() > 1
    }
    /// `$LATEST`, a version number or an alias name.
    pub fn qualifier_name(&self, q: Qualifier) -> String {
        match q {
            Qualifier::Latest => "$LATEST".into(),
            Qualifier::Version(c) => self.configs.get(c as usize).map(|x| x.label()).unwrap_or_default(),
            Qualifier::Alias(a) => self.aliases.get(a as usize).map(|x| x.name.clone()).unwrap_or_default(),
        }
    }
    /// `arn:...:function:name:<qualifier>`, the qualified ARN in records (spec 3.2).
    pub fn qualified_arn(&self, q: Qualifier) -> String {
        format!("{}:{}", self.arn, self.qualifier_name(q))
    }
    /// The configuration published as version `n`.
    pub fn version_config(&self, n: u32) -> Option<u32> {
        self.configs.iter().position(|c| c.version == Some(n)).map(|i| i as u32)
    }
}

#[derive(Debug, Clone)]
pub enum Arrivals {
    At(Vec<SimTime>),
    Poisson { rate_per_s: f64, start: SimTime, end: SimTime },
    Every { interval: SimTime, start: SimTime, end: SimTime },
    Burst { at: SimTime, count: u64, spread: SimTime },
}

impl Arrivals {
    /// The first arrival, drawing an exponential gap with `gap(rate per second)` for Poisson arrivals.
    pub fn first(&self, gap: &mut dyn FnMut(f64) -> SimTime) -> Option<SimTime> {
        match self {
            Arrivals::At(ts) => ts.first().copied(),
            Arrivals::Poisson { rate_per_s, start, end } => {
                let t = *start + gap(*rate_per_s);
                (t < *end).then_some(t)
            }
            Arrivals::Every { start, end, .. } => (*start < *end).then_some(*start),
            Arrivals::Burst { at, .. } => Some(*at),
        }
    }

    /// How many arrive at each due instant: a burst without spread arrives all at once.
    pub fn at_once(&self) -> u64 {
        match self {
            Arrivals::Burst { count, spread, .. } if *spread == SimTime::ZERO => *count,
            _ => 1,
        }
    }

    /// The next arrival once `n` have arrived, the last at `now`.
    pub fn next(&self, n: u64, now: SimTime, gap: &mut dyn FnMut(f64) -> SimTime) -> Option<SimTime> {
        match self {
            Arrivals::At(ts) => ts.get(n as usize).copied(),
            Arrivals::Poisson { rate_per_s, end, .. } => {
                let t = now + gap(*rate_per_s);
                (t < *end).then_some(t)
            }
            Arrivals::Every { interval, start, end } => {
                let t = *start + SimTime::from_micros(interval.as_micros().saturating_mul(n));
                (t < *end).then_some(t)
            }
            Arrivals::Burst { at, count, spread } => (*spread > SimTime::ZERO && n < *count)
                .then(|| *at + SimTime::from_micros((u128::from(spread.as_micros()) * u128::from(n) / u128::from(*count)) as u64)),
        }
    }
}

/// A workload source.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub function: FnId,
    /// The version or alias invoked.
    pub qualifier: Qualifier,
    /// `InvocationType: RequestResponse`.
    pub sync: bool,
    pub template: Template,
    pub arrivals: Arrivals,
    /// The caller of a synchronous source.
    pub caller: Caller,
    /// The service whose event shape wraps the payload, with its options.
    pub kind: Option<(crate::sources::SourceKind, Value)>,
}

/// A synchronous caller's timeout and retry policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub timeout: Option<SimTime>,
    pub max_attempts: u32,
    pub base_delay: SimTime,
    pub max_delay: SimTime,
    pub jitter: JitterSpec,
    /// Indexed by `CallOutcomeSpec as usize`.
    pub retry_on: [bool; 6],
}

impl Default for Caller {
    fn default() -> Self {
        Caller {
            timeout: None,
            max_attempts: 1,
            base_delay: SimTime::from_millis(100),
            max_delay: SimTime::from_secs(20),
            jitter: JitterSpec::Full,
            retry_on: [false; 6],
        }
    }
}
/// Simulation-wide settings and the named options for uncertain AWS behaviour.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Milliseconds since the Unix epoch that virtual time 0 stands for.
    pub start_epoch_ms: i64,
    pub horizon: Option<SimTime>,
    pub retry_delays: Vec<SimTime>,
    pub retry_jitter: SimTime,
    pub retry_delay_from: RetryDelayFrom,
    pub backoff_initial: SimTime,
    pub backoff_max: SimTime,
    pub backoff_multiplier: f64,
    pub backoff_jitter: f64,
    /// `EventBridgeRetryBackoff`: initial delay, maximum and multiplier.
    pub eventbridge_backoff: (SimTime, SimTime, f64),
    pub concurrency_full: ConcurrencyFullMode,
    pub async_payload_limit: usize,
    pub duplicate_probability: f64,
    pub eventbridge_source: String,
    pub zero_reserved_condition: String,
    pub event_age_look_ahead: bool,
    pub recursion_limit: u32,
    pub scaling: Scaling,
    pub scaling_throttle_reason: String,
    pub idle_lifetime: Option<Dist>,
    pub max_lifetime: Option<SimTime>,
    /// `DlqScope` (spec 4, 9.4).
    pub dlq_scope: DlqScope,
    /// `SnsLambdaDlqBody` (docs/sources.md: AWS does not document it).
    pub sns_lambda_dlq_body: crate::scenario::SnsLambdaDlqBody,
    /// `ProvisionedConcurrencyAllocationSeconds` (spec 6, 9.9).
    pub pc_allocation_delay: SimTime,
    /// `SeriesIntervalSeconds`.
    pub series_interval: Option<SimTime>,
}

/// The rate at which new execution environments may be created (spec section 6): a token bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    /// Per function (true) or one bucket for the account (false).
    pub per_function: bool,
    /// Bucket size: environments that can be created at once.
    pub burst: f64,
    /// Refill, environments per second.
    pub per_second: f64,
}

/// The account-wide initial burst of the older scaling model, by Region (spec section 6, DG-2023/invocation-scaling.md).
pub fn account_burst_for_region(region: &str) -> u32 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 3000,
        "ap-northeast-1" | "eu-central-1" | "us-east-2" => 1000,
        _ => 500,
    }
}

/// On-demand init is limited to 10 s (spec section 6, LIFECYCLE).
pub const INIT_LIMIT: SimTime = SimTime::from_secs(10);
/// Async payload limits (spec section 2): 1 MB now, 256 KB before 2025.
pub const ASYNC_PAYLOAD_CURRENT: usize = 1_048_576;
pub const ASYNC_PAYLOAD_LEGACY: usize = 262_144;
/// Response payload limit: 6 MiB + 100 bytes; larger responses are `Function.ResponseSizeTooLarge` errors (spec 1).
pub const RESPONSE_LIMIT: u64 = 6_291_556;
/// Sync request payload limit, 6 MB (spec section 1).
pub const SYNC_PAYLOAD_LIMIT: usize = 6 * 1_048_576;
/// SNS messages are capped at 256 KB (spec 3.1).
pub const SNS_MESSAGE_LIMIT: usize = 262_144;
/// SQS messages are capped at 256 KB.
pub const SQS_MESSAGE_LIMIT: usize = 262_144;

/// The price table, in US dollars (scenario `Pricing`; defaults: us-east-1 on-demand, spec section 8). No free tier and
/// no volume tiers are applied (the spec's simulator formula).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    /// Requests: $0.20 per million (spec section 8).
    pub request_usd_per_million: f64,
    /// Per GB-second, x86_64: $0.0000166667 (spec section 8).
    pub x86_gb_second_usd: f64,
    /// Per GB-second, arm64: $0.0000133334 (spec section 8, marked [unc] there).
    pub arm64_gb_second_usd: f64,
    /// Provisioned concurrency, per configured GB-second (spec section 8 gives no rate: [unc]; AWS us-east-1 list price,
    /// $0.0000041667 x86_64 and $0.0000033334 arm64).
    pub provisioned_x86_gb_second_usd: f64,
    pub provisioned_arm64_gb_second_usd: f64,
    /// Duration on provisioned environments, per GB-second (spec section 8: "a lower duration rate", [unc]; AWS us-east-1
    /// list price, $0.0000097222 x86_64 and $0.0000077778 arm64).
    pub provisioned_duration_x86_gb_second_usd: f64,
    pub provisioned_duration_arm64_gb_second_usd: f64,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            request_usd_per_million: 0.2,
            x86_gb_second_usd: 0.000_016_666_7,
            arm64_gb_second_usd: 0.000_013_333_4,
            provisioned_x86_gb_second_usd: 0.000_004_166_7,
            provisioned_arm64_gb_second_usd: 0.000_003_333_4,
            provisioned_duration_x86_gb_second_usd: 0.000_009_722_2,
            provisioned_duration_arm64_gb_second_usd: 0.000_007_777_8,
        }
    }
}

impl Pricing {
    /// On-demand duration price per GB-second for an architecture.
    pub fn gb_second_usd(&self, a: Architecture) -> f64 {
        match a {
            Architecture::X86_64 => self.x86_gb_second_usd,
            Architecture::Arm64 => self.arm64_gb_second_usd,
        }
    }
    /// Provisioned concurrency configured, per GB-second, for an architecture.
    pub fn provisioned_gb_second_usd(&self, a: Architecture) -> f64 {
        match a {
            Architecture::X86_64 => self.provisioned_x86_gb_second_usd,
            Architecture::Arm64 => self.provisioned_arm64_gb_second_usd,
        }
    }
    /// Duration on provisioned environments, per GB-second, for an architecture.
    pub fn provisioned_duration_gb_second_usd(&self, a: Architecture) -> f64 {
        match a {
            Architecture::X86_64 => self.provisioned_duration_x86_gb_second_usd,
            Architecture::Arm64 => self.provisioned_duration_arm64_gb_second_usd,
        }
    }
}

/// A scenario, validated.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub region: String,
    pub account_id: String,
    pub account_limit: u32,
    /// Concurrency left to functions without a reservation.
    pub unreserved_pool: u32,
    pub functions: Vec<Function>,
    pub targets: Vec<Target>,
    /// The target that invokes each function (for Lambda destinations), by function index.
    pub function_targets: Vec<TargetId>,
    pub sources: Vec<Source>,
    pub expectations: Vec<Expectation>,
    /// Changes on the timeline, in the order they apply (time, then position in the file).
    pub changes: Vec<Change>,
    /// Destinations and DLQs that reject deliveries for a while.
    pub delivery_faults: Vec<DeliveryFault>,
    pub settings: Settings,
    /// Prices for cost figures (spec section 8).
    pub pricing: Pricing,
    /// Queues, streams, event source mappings and producers (spec section 5).
    pub esm: Esm,
    /// Live SNS topics and EventBridge buses, and their publishers (spec section 7).
    pub fanout: fanout::Fanout,
    /// Firehose delivery streams with a Lambda transformation, and their producers.
    pub firehose: firehose::Firehose,
    /// Stable hash of the scenario file's canonical JSON.
    pub digest: u64,
}

impl Model {
    pub fn function(&self, id: FnId) -> &Function {
        &self.functions[id.ix()]
    }
    pub fn target(&self, id: TargetId) -> &Target {
        &self.targets[id.ix()]
    }
    pub fn function_by_name(&self, name: &str) -> Option<FnId> {
        self.functions.iter().position(|f| f.name == name).map(|i| FnId(i as u32))
    }
    pub fn target_by_arn(&self, arn: &str) -> Option<TargetId> {
        self.targets.iter().position(|t| t.arn == arn).map(|i| TargetId(i as u32))
    }
}

/// Parse a scenario from JSON text; errors name the JSON path.
pub fn parse_scenario(text: &str) -> Result<Scenario, ScenarioErrors> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ScenarioError::new(path, e.inner().to_string()).into()
    })
}

/// Parse and validate.
pub fn load_str(text: &str) -> Result<Model, ScenarioErrors> {
    let scenario = parse_scenario(text)?;
    Model::build(&scenario)
}

struct V {
    errors: Vec<ScenarioError>,
}

impl V {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(ScenarioError::new(path, msg));
    }
    /// An error at `{path}.{name}` for each field that is given but does not apply here, saying `why`.
    fn not_for(&mut self, path: &str, fields: &[(bool, &str)], why: &str) {
        for (given, name) in fields {
            if *given {
                self.err(format!("{path}.{name}"), why);
            }
        }
    }
    fn int(&mut self, v: Option<i64>, path: &str, lo: i64, hi: i64, default: i64) -> i64 {
        match v {
            None => default,
            Some(x) if x >= lo && x <= hi => x,
            Some(x) => {
                self.err(path, format!("{x} is out of range; allowed {lo} to {hi}"));
                default
            }
        }
    }
    fn secs(&mut self, v: f64, path: &str) -> SimTime {
        if v.is_finite() && v >= 0.0 {
            SimTime::from_secs_f64(v)
        } else {
            self.err(path, format!("{v} is not allowed; must be a finite number of seconds >= 0"));
            SimTime::ZERO
        }
    }
    fn prob(&mut self, v: Option<f64>, path: &str, default: f64) -> f64 {
        match v {
            None => default,
            Some(p) if (0.0..=1.0).contains(&p) => p,
            Some(p) => {
                self.err(path, format!("{p} is out of range; a probability is 0 to 1"));
                default
            }
        }
    }
    fn name(&mut self, name: &str, path: &str, max: usize, extra: &str, what: &str) {
        let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(c));
        if name.is_empty() || name.len() > max || !ok_chars {
            self.err(
                path,
                format!(
                    "{name:?} is not a valid {what}; allowed 1 to {max} characters of letters, digits, '-', '_'{}",
                    if extra.is_empty() { String::new() } else { format!(" and {extra:?}") }
                ),
            );
        }
    }
}

/// The price table: each given price must be a finite number from 0 to 1,000,000 dollars; omitted ones keep the
/// defaults of spec section 8.
fn build_pricing(v: &mut V, p: Option<&PricingSpec>) -> Pricing {
    let d = Pricing::default();
    let Some(p) = p else { return d };
    let mut price = |x: Option<f64>, name: &str, default: f64| match x {
        None => default,
        Some(x) if x.is_finite() && (0.0..=1e6).contains(&x) => x,
        Some(x) => {
            v.err(format!("Pricing.{name}"), format!("{x} is out of range; allowed 0 to 1000000 (US dollars)"));
            default
        }
    };
    Pricing {
        request_usd_per_million: price(p.request_usd_per_million, "RequestUsdPerMillion", d.request_usd_per_million),
        x86_gb_second_usd: price(p.x86_gb_second_usd, "X86GbSecondUsd", d.x86_gb_second_usd),
        arm64_gb_second_usd: price(p.arm64_gb_second_usd, "Arm64GbSecondUsd", d.arm64_gb_second_usd),
        provisioned_x86_gb_second_usd: price(p.provisioned_x86_gb_second_usd, "ProvisionedX86GbSecondUsd", d.provisioned_x86_gb_second_usd),
        provisioned_arm64_gb_second_usd: price(
            p.provisioned_arm64_gb_second_usd,
            "ProvisionedArm64GbSecondUsd",
            d.provisioned_arm64_gb_second_usd,
        ),
        provisioned_duration_x86_gb_second_usd: price(
            p.provisioned_duration_x86_gb_second_usd,
            "ProvisionedDurationX86GbSecondUsd",
            d.provisioned_duration_x86_gb_second_usd,
        ),
        provisioned_duration_arm64_gb_second_usd: price(
            p.provisioned_duration_arm64_gb_second_usd,
            "ProvisionedDurationArm64GbSecondUsd",
            d.provisioned_duration_arm64_gb_second_usd,
        ),
    }
}

fn parse_start(v: &mut V, s: Option<&str>) -> i64 {
    let s = s.unwrap_or("2024-01-01T00:00:00Z");
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.timestamp_millis(),
        Err(e) => {
            v.err("Simulation.StartTime", format!("{s:?} is not an ISO-8601 / RFC 3339 instant ({e}); e.g. \"2024-01-01T00:00:00Z\""));
            0
        }
    }
}

/// Resolve a function reference that may not name a version or alias: a name, an unqualified ARN, or an ARN
/// qualified with `$LATEST`.
pub(crate) fn resolve_function(r: &str, region: &str, account: &str, names: &BTreeMap<String, FnId>) -> Result<FnId, String> {
    match resolve_function_ref(r, region, account, names)? {
        (f, None) | (f, Some("$LATEST")) => Ok(f),
        (_, Some(q)) => {
            Err(format!("{r:?} names qualifier {q:?}; give the function without a qualifier here (it covers all its versions and aliases)"))
        }
    }
}

/// Resolve a function reference and its qualifier: a name, `name:qualifier`, or an ARN
/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub(crate) fn resolve_function_ref<'r>(
    r: &'r str,
    region: &str,
    account: &str,
    names: &BTreeMap<String, FnId>,
) -> Result<(FnId, Option<&'r str>), String> {
    let mut qualifier = None;
    let name = if let Some(rest) = r.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.split(':').collect();
        // aws:lambda:region:account:function:name[:qualifier]
        if parts.len() < 6 || parts[0] != "aws" || parts[1] != "lambda" || parts[4] != "function" {
            return Err(format!("{r:?} is not a Lambda function ARN (arn:aws:lambda:{region}:{account}:function:NAME)"));
        }
        if parts[2] != region || parts[3] != account {
            return Err(format!(
                "{r:?} names region {} and account {}, but this scenario is region {region}, account {account}",
                parts[2], parts[3]
            ));
        }
        if parts.len() > 7 {
            return Err(format!("{r:?} is not a Lambda function ARN"));
        }
        if parts.len() == 7 {
            let start = r.len() - parts[6].len();
            qualifier = Some(&r[start..]);
        }
        parts[5]
    } else {
        match r.split_once(':') {
            Some((n, q)) => {
                qualifier = Some(q);
                n
            }
            None => r,
        }
    };
    let f = names.get(name).copied().ok_or_else(|| {
        let known: Vec<&str> = names.keys().map(|s| s.as_str()).collect();
        format!("{r:?} names no function in this scenario (functions: {})", known.join(", "))
    })?;
    Ok((f, qualifier))
}

/// A qualifier of function `fd`: `$LATEST`, a version declared in its `Versions` (`declared` of them), or an alias.
pub(crate) fn parse_qualifier(fd: &Function, declared: usize, q: &str) -> Result<Qualifier, String> {
    if q == "$LATEST" {
        return Ok(Qualifier::Latest);
    }
    if let Ok(n) = q.parse::<u32>() {
        return match fd.version_config(n) {
            Some(c) if (c as usize) <= declared => Ok(Qualifier::Version(c)),
            _ => {
                let have: Vec<String> = fd.configs[1..=declared.min(fd.configs.len() - 1)].iter().map(|c| c.label()).collect();
                Err(format!(
                    "version {q:?} of {} is not declared in its Versions (declared: {}; versions published on the timeline are reached through aliases)",
                    fd.name,
                    if have.is_empty() { "none".into() } else { have.join(", ") }
                ))
            }
        };
    }
    match fd.aliases.iter().position(|a| a.name == q) {
        Some(a) => Ok(Qualifier::Alias(a as u32)),
        None => {
            let have: Vec<&str> = fd.aliases.iter().map(|a| a.name.as_str()).collect();
            Err(format!(
                "{q:?} is neither $LATEST, a version number nor an alias of {} (aliases: {})",
                fd.name,
                if have.is_empty() { "none".into() } else { have.join(", ") }
            ))
        }
    }
}

/// The properties that make up a function configuration, as one place of the file gives them (the function itself,
/// a version, or a change on the timeline).
#[derive(Default)]
struct ConfigParts<'a> {
    timeout: Option<i64>,
    memory_size: Option<i64>,
    eic: Option<&'a EventInvokeConfigSpec>,
    dlq: Option<&'a DeadLetterConfigSpec>,
    behavior: Option<&'a BehaviorSpec>,
}

/// Resolves target ARNs of destinations, DLQs and delivery faults.
struct Resolver {
    by_arn: BTreeMap<String, TargetId>,
    kinds: Vec<TargetKind>,
}

impl Resolver {
    fn resolve(&self, v: &mut V, arn: &str, path: &str) -> Option<TargetId> {
        let arn_norm = arn.strip_suffix(":$LATEST").unwrap_or(arn);
        match self.by_arn.get(arn_norm) {
            Some(id) => Some(*id),
            None => {
                let known: Vec<&str> = self.by_arn.keys().map(|s| s.as_str()).collect();
                v.err(path, format!("{arn:?} names nothing in this scenario; known ARNs: {}", known.join(", ")));
                None
            }
        }
    }
}

/// One configuration, checked against AWS's bounds. Properties not given are `base`'s (a version inherits the
/// function's, a change `$LATEST`'s as it is then), or the defaults when there is no base.
fn build_config(v: &mut V, parts: &ConfigParts<'_>, base: Option<&FnConfig>, p: &str, r: &Resolver) -> FnConfig {
    let timeout = match (parts.timeout, base) {
        (None, Some(b)) => b.timeout,
        (t, _) => SimTime::from_secs(v.int(t, &format!("{p}.Timeout"), 1, 900, 3) as u64),
    };
    let memory_mb = match (parts.memory_size, base) {
        (None, Some(b)) => b.memory_mb,
        (m, _) => v.int(m, &format!("{p}.MemorySize"), 128, 10240, 128) as u32,
    };
    let (max_retries, max_age, on_success, on_failure) = match (parts.eic, base) {
        (None, Some(b)) => (b.max_retries, b.max_age, b.on_success, b.on_failure),
        (eic, _) => {
            let eic = eic.cloned().unwrap_or_default();
            let max_retries = v.int(eic.maximum_retry_attempts, &format!("{p}.EventInvokeConfig.MaximumRetryAttempts"), 0, 2, 2) as u32;
            let max_age = SimTime::from_secs(v.int(
                eic.maximum_event_age_in_seconds,
                &format!("{p}.EventInvokeConfig.MaximumEventAgeInSeconds"),
                60,
                21600,
                21600,
            ) as u64);
            let dc = eic.destination_config.clone().unwrap_or_default();
            let on_success = dc.on_success.as_ref().and_then(|d| {
                let path = format!("{p}.EventInvokeConfig.DestinationConfig.OnSuccess.Destination");
                let id = r.resolve(v, &d.destination, &path)?;
                if r.kinds[id.ix()] == TargetKind::S3 {
                    v.err(
                        path,
                        "an S3 bucket is an on-failure destination only (spec 3.1); allowed on success: SQS, SNS, EventBridge, Lambda",
                    );
                }
                Some(id)
            });
            let on_failure = dc
                .on_failure
                .as_ref()
                .and_then(|d| r.resolve(v, &d.destination, &format!("{p}.EventInvokeConfig.DestinationConfig.OnFailure.Destination")));
            (max_retries, max_age, on_success, on_failure)
        }
    };
    let dlq = match (parts.dlq, base) {
        (None, Some(b)) => b.dlq,
        (d, _) => d.and_then(|d| {
            let path = format!("{p}.DeadLetterConfig.TargetArn");
            let id = r.resolve(v, &d.target_arn, &path)?;
            match r.kinds[id.ix()] {
                TargetKind::Sqs { .. } | TargetKind::Sns { .. } => Some(id),
                _ => {
                    v.err(
                        path,
                        format!("{:?} is not allowed; a dead-letter queue is an SQS queue or SNS topic (spec section 4)", d.target_arn),
                    );
                    None
                }
            }
        }),
    };
    if let (None, Some(b)) = (parts.behavior, base) {
        return FnConfig {
            version: None,
            timeout,
            memory_mb,
            max_retries,
            max_age,
            on_success,
            on_failure,
            dlq,
            duration: b.duration.clone(),
            init: b.init.clone(),
            per_record: b.per_record.clone(),
            rules: b.rules.clone(),
            rules_read_payload: b.rules_read_payload,
        };
    }
    let beh = parts.behavior.cloned().unwrap_or_default();
    let compile_dist = |v: &mut V, d: &Option<DistSpec>, path: String, default: SimTime| match d {
        None => Dist::constant(default),
        Some(spec) => Dist::compile(spec, &path).unwrap_or_else(|e| {
            v.errors.push(e);
            Dist::constant(default)
        }),
    };
    let duration = compile_dist(v, &beh.duration, format!("{p}.Behavior.Duration"), SimTime::from_millis(100));
    let init = compile_dist(v, &beh.init_duration, format!("{p}.Behavior.InitDuration"), SimTime::from_millis(200));
    let per_record = beh
        .duration_per_record
        .as_ref()
        .map(|_| compile_dist(v, &beh.duration_per_record, format!("{p}.Behavior.DurationPerRecord"), SimTime::ZERO));
    let mut rules = vec![];
    for (j, r) in beh.rules.iter().enumerate() {
        let rp = format!("{p}.Behavior.Rules[{j}]");
        let w = r.when.clone().unwrap_or_default();
        let pattern = w.payload.as_ref().and_then(|pv| match Pattern::compile(pv, &format!("{rp}.When.Payload")) {
            Ok(pt) => Some(pt),
            Err(e) => {
                v.err(e.path.clone(), e.message.clone());
                None
            }
        });
        let (attempt_min, attempt_max) = match &w.attempt {
            None => (1, u32::MAX),
            Some(rs) => {
                let lo = v.int(rs.at_least, &format!("{rp}.When.Attempt.AtLeast"), 1, 1_000_000, 1) as u32;
                let hi = v.int(rs.at_most, &format!("{rp}.When.Attempt.AtMost"), 1, 1_000_000, 1_000_000) as u32;
                (lo, if rs.at_most.is_none() { u32::MAX } else { hi })
            }
        };
        let probability = w.probability.map(|pr| v.prob(Some(pr), &format!("{rp}.When.Probability"), 1.0));
        let t = &r.then;
        let (def_type, def_msg) = match t.outcome {
            OutcomeKind::Crash => ("Runtime.ExitError", "Runtime exited with error: signal: killed"),
            _ => ("Error", "Injected failure"),
        };
        if t.outcome != OutcomeKind::Succeed && t.response.is_some() {
            v.err(format!("{rp}.Then.Response"), "is only allowed with Outcome Succeed");
        }
        rules.push(Rule {
            pattern,
            attempt_min,
            attempt_max,
            probability,
            outcome: t.outcome,
            error_type: t.error_type.as_deref().unwrap_or(def_type).into(),
            error_message: t.error_message.as_deref().unwrap_or(def_msg).into(),
            response_size: match t.response_size_bytes {
                Some(n) if n >= 0 => n as u64,
                Some(n) => {
                    v.err(format!("{rp}.Then.ResponseSizeBytes"), format!("{n} is not allowed; must be >= 0"));
                    0
                }
                None => serde_json::to_string(&t.response.clone().unwrap_or(Value::Null)).map(|s| s.len() as u64).unwrap_or(4),
            },
            response: Arc::new(t.response.clone().unwrap_or(Value::Null)),
            duration: t
                .duration
                .as_ref()
                .map(|d| compile_dist(v, &Some(d.clone()), format!("{rp}.Then.Duration"), SimTime::from_millis(100))),
        });
    }
    let rules_read_payload = rules.iter().any(|r| r.pattern.is_some());
    FnConfig {
        version: None,
        timeout,
        memory_mb,
        max_retries,
        max_age,
        on_success,
        on_failure,
        dlq,
        duration,
        init,
        per_record,
        rules,
        rules_read_payload,
    }
}

/// An alias's routing: `version` (a published version among `configs`) and at most one additional version with its
/// weight (0 to 1). `now` is the routing in force, kept when `rc` is not given.
fn build_routing(v: &mut V, configs: &[FnConfig], version: &str, rc: Option<&RoutingConfigSpec>, now: Option<Routing>, p: &str) -> Routing {
    let published: Vec<String> = configs.iter().filter(|c| c.version.is_some()).map(|c| c.label()).collect();
    let find = |v: &mut V, s: &str, path: String| -> Option<u32> {
        let c = s.parse::<u32>().ok().and_then(|n| configs.iter().position(|c| c.version == Some(n)));
        if c.is_none() {
            v.err(
                path,
                format!(
                    "{s:?} is not a published version (published: {}); an alias points to a published version",
                    if published.is_empty() { "none".into() } else { published.join(", ") }
                ),
            );
        }
        c.map(|c| c as u32)
    };
    let primary = find(v, version, format!("{p}.FunctionVersion")).unwrap_or(0);
    let additional = match rc {
        None => now.and_then(|r| r.additional),
        Some(rc) => {
            let wp = format!("{p}.RoutingConfig.AdditionalVersionWeights");
            if rc.additional_version_weights.len() > 1 {
                v.err(
                    wp.clone(),
                    format!("has {} entries; AWS allows at most one additional version", rc.additional_version_weights.len()),
                );
            }
            rc.additional_version_weights.first().and_then(|w| {
                let c = find(v, &w.function_version, format!("{wp}[0].FunctionVersion"))?;
                if c == primary {
                    v.err(
                        format!("{wp}[0].FunctionVersion"),
                        format!("{:?} is the alias's own version; name a second one", w.function_version),
                    );
                }
                let weight = v.prob(Some(w.function_weight), &format!("{wp}[0].FunctionWeight"), 0.0);
                Some((c, weight))
            })
        }
    };
    Routing { primary, additional }
}

impl Model {
    /// Validate a parsed scenario.
    pub fn build(sc: &Scenario) -> Result<Model, ScenarioErrors> {
        let mut v = V { errors: vec![] };
        let region = sc.region.clone();
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            v.err("Region", format!("{region:?} is not a Region name like \"us-east-1\""));
        }
        let account = sc.account_id.clone();
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            v.err("AccountId", format!("{account:?} is not a 12-digit AWS account id"));
        }
        let account_limit = v.int(sc.account.concurrent_executions, "Account.ConcurrentExecutions", 1, 10_000_000, 1000) as u32;

        // --- settings
        let s = &sc.simulation;
        let start_epoch_ms = parse_start(&mut v, s.start_time.as_deref());
        let horizon = s.duration_seconds.map(|d| {
            if d.is_finite() && d > 0.0 {
                SimTime::from_secs_f64(d)
            } else {
                v.err("Simulation.DurationSeconds", format!("{d} is not allowed; must be a number of seconds > 0"));
                SimTime::MAX
            }
        });
        let retry_delays = match &s.async_retry_delays_seconds {
            None => vec![SimTime::from_secs(60), SimTime::from_secs(120)],
            Some(ds) => {
                if ds.len() != 2 {
                    v.err(
                        "Simulation.AsyncRetryDelaysSeconds",
                        format!("has {} entries; give exactly 2 (before the 2nd and the 3rd attempt)", ds.len()),
                    );
                }
                ds.iter().enumerate().map(|(i, d)| v.secs(*d, &format!("Simulation.AsyncRetryDelaysSeconds[{i}]"))).collect()
            }
        };
        let retry_jitter = v.secs(s.async_retry_jitter_seconds.unwrap_or(0.0), "Simulation.AsyncRetryJitterSeconds");
        let b = s.throttle_backoff.clone().unwrap_or_default();
        let backoff_initial = v.secs(b.initial_seconds.unwrap_or(1.0), "Simulation.ThrottleBackoff.InitialSeconds");
        let backoff_max = v.secs(b.max_seconds.unwrap_or(300.0), "Simulation.ThrottleBackoff.MaxSeconds");
        if backoff_initial == SimTime::ZERO {
            v.err("Simulation.ThrottleBackoff.InitialSeconds", "0 is not allowed; must be > 0");
        }
        if backoff_max < backoff_initial {
            v.err("Simulation.ThrottleBackoff.MaxSeconds", "is below InitialSeconds");
        }
        let backoff_multiplier = b.multiplier.unwrap_or(2.0);
        if !(backoff_multiplier.is_finite() && (1.0..=10.0).contains(&backoff_multiplier)) {
            v.err("Simulation.ThrottleBackoff.Multiplier", format!("{backoff_multiplier} is out of range; allowed 1 to 10"));
        }
        let backoff_jitter = v.prob(b.jitter, "Simulation.ThrottleBackoff.Jitter", 0.0);
        let eb = s.event_bridge_retry_backoff.clone().unwrap_or_default();
        let eventbridge_backoff = {
            let initial = v.secs(eb.initial_seconds.unwrap_or(1.0), "Simulation.EventBridgeRetryBackoff.InitialSeconds");
            let max = v.secs(eb.max_seconds.unwrap_or(300.0), "Simulation.EventBridgeRetryBackoff.MaxSeconds");
            let mult = eb.multiplier.unwrap_or(2.0);
            if initial == SimTime::ZERO {
                v.err("Simulation.EventBridgeRetryBackoff.InitialSeconds", "0 is not allowed; must be > 0");
            }
            if max < initial {
                v.err("Simulation.EventBridgeRetryBackoff.MaxSeconds", "is below InitialSeconds");
            }
            if !(mult.is_finite() && (1.0..=10.0).contains(&mult)) {
                v.err("Simulation.EventBridgeRetryBackoff.Multiplier", format!("{mult} is out of range; allowed 1 to 10"));
            }
            if eb.jitter.is_some() {
                v.err("Simulation.EventBridgeRetryBackoff.Jitter", "is not used for EventBridge retries; leave it out");
            }
            (initial, max, mult)
        };
        let duplicate_probability = v.prob(s.duplicate_delivery_probability, "Simulation.DuplicateDeliveryProbability", 0.0);
        let eventbridge_source = s.event_bridge_destination_source.clone().unwrap_or_else(|| "lambda".into());
        if eventbridge_source != "lambda" && eventbridge_source != "aws.lambda" {
            v.err(
                "Simulation.EventBridgeDestinationSource",
                format!("{eventbridge_source:?} is not allowed; use \"lambda\" or \"aws.lambda\""),
            );
        }
        let recursion_limit = v.int(s.recursion_limit, "Simulation.RecursionLimit", 1, 1000, 16) as u32;
        // Since Nov 2023: 1,000 new environments per 10 s per function, refilled continuously (spec section 6).
        let scaling = match s.scaling_model.unwrap_or(ScalingModelSpec::PerFunction) {
            ScalingModelSpec::PerFunction => Scaling { per_function: true, burst: 1000.0, per_second: 100.0 },
            ScalingModelSpec::AccountBurst => {
                Scaling { per_function: false, burst: f64::from(account_burst_for_region(&sc.region)), per_second: 500.0 / 60.0 }
            }
        };
        let idle_lifetime =
            s.environment_idle_lifetime.as_ref().and_then(|d| match Dist::compile(d, "Simulation.EnvironmentIdleLifetime") {
                Ok(d) => Some(d),
                Err(e) => {
                    v.errors.push(e);
                    None
                }
            });
        let max_lifetime = s.environment_max_lifetime_seconds.map(|x| {
            if x.is_finite() && x >= 1.0 {
                SimTime::from_secs_f64(x)
            } else {
                v.err("Simulation.EnvironmentMaxLifetimeSeconds", format!("{x} is not allowed; must be at least 1 second"));
                SimTime::MAX
            }
        });
        let pc_allocation_delay = match s.provisioned_concurrency_allocation_seconds {
            None => SimTime::from_secs(60),
            Some(x) if x.is_finite() && (0.0..=86_400.0).contains(&x) => SimTime::from_secs_f64(x),
            Some(x) => {
                v.err("Simulation.ProvisionedConcurrencyAllocationSeconds", format!("{x} is out of range; allowed 0 to 86400 seconds"));
                SimTime::ZERO
            }
        };
        let series_interval = match s.series_interval_seconds {
            None => None,
            Some(x) if x.is_finite() && (0.000_001..=86_400.0).contains(&x) => Some(SimTime::from_secs_f64(x)),
            Some(x) => {
                v.err("Simulation.SeriesIntervalSeconds", format!("{x} is out of range; allowed 0.000001 to 86400 seconds"));
                None
            }
        };
        let settings = Settings {
            start_epoch_ms,
            horizon,
            retry_delays,
            retry_jitter,
            retry_delay_from: s.async_retry_delay_from.unwrap_or(RetryDelayFrom::AttemptEnd),
            backoff_initial,
            backoff_max,
            backoff_multiplier,
            backoff_jitter,
            eventbridge_backoff,
            concurrency_full: s.async_concurrency_full.unwrap_or(ConcurrencyFullMode::Backoff),
            async_payload_limit: match s.async_payload_limit.unwrap_or(PayloadLimitMode::Current) {
                PayloadLimitMode::Current => ASYNC_PAYLOAD_CURRENT,
                PayloadLimitMode::Legacy => ASYNC_PAYLOAD_LEGACY,
            },
            duplicate_probability,
            eventbridge_source,
            zero_reserved_condition: s.zero_reserved_concurrency_condition.clone().unwrap_or_else(|| "ZeroReservedConcurrency".into()),
            event_age_look_ahead: s.event_age_look_ahead.unwrap_or(true),
            recursion_limit,
            scaling,
            scaling_throttle_reason: s.scaling_throttle_reason.clone().unwrap_or_else(|| "FunctionInvocationRateLimitExceeded".into()),
            idle_lifetime,
            max_lifetime,
            dlq_scope: match s.dlq_scope.unwrap_or(DlqScopeSpec::Function) {
                DlqScopeSpec::Function => DlqScope::Function,
                DlqScopeSpec::Version => DlqScope::Version,
            },
            sns_lambda_dlq_body: s.sns_lambda_dlq_body.unwrap_or_default(),
            pc_allocation_delay,
            series_interval,
        };
        let pricing = build_pricing(&mut v, sc.pricing.as_ref());

        // --- targets: queues, topics, buses, buckets, then one per function
        let mut targets: Vec<Target> = vec![];
        for (i, q) in sc.queues.iter().enumerate() {
            let path = format!("Queues[{i}].QueueName");
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
        let mut by_arn: BTreeMap<String, TargetId> = BTreeMap::new();
        for (i, t) in targets.iter().enumerate() {
            if by_arn.insert(t.arn.clone(), TargetId(i as u32)).is_some() && !matches!(t.kind, TargetKind::Lambda(_)) {
                v.err(format!("{} {:?}", t.kind.label(), t.name), "is declared twice");
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
            t.file_stem = s;
        }

        let resolver = Resolver { by_arn, kinds: targets.iter().map(|t| t.kind).collect() };

        // --- functions: $LATEST as declared, the declared versions and aliases, provisioned concurrency
        let mut functions = vec![];
        for (i, f) in sc.functions.iter().enumerate() {
            let p = format!("Functions[{i}]");
            let architecture = match f.architectures.as_deref() {
                None => Architecture::X86_64,
                Some([a]) if a == "x86_64" => Architecture::X86_64,
                Some([a]) if a == "arm64" => Architecture::Arm64,
                Some(other) => {
                    v.err(format!("{p}.Architectures"), format!("{other:?} is not allowed; use [\"x86_64\"] or [\"arm64\"]"));
                    Architecture::X86_64
                }
            };
            let reserved = f
                .reserved_concurrent_executions
                .map(|r| v.int(Some(r), &format!("{p}.ReservedConcurrentExecutions"), 0, i64::from(account_limit), 0) as u32);
            let parts = ConfigParts {
                timeout: f.timeout,
                memory_size: f.memory_size,
                eic: f.event_invoke_config.as_ref(),
                dlq: f.dead_letter_config.as_ref(),
                behavior: f.behavior.as_ref(),
            };
            let mut configs = vec![build_config(&mut v, &parts, None, &p, &resolver)];
            let mut last = 0;
            for (j, vs) in f.versions.iter().enumerate() {
                let vp = format!("{p}.Versions[{j}]");
                let number = match &vs.version {
                    None => j as u32 + 1,
                    Some(s) => match s.parse::<u32>() {
                        Ok(n) if n >= 1 => n,
                        _ => {
                            v.err(format!("{vp}.Version"), format!("{s:?} is not a version number; versions are \"1\", \"2\", ..."));
                            j as u32 + 1
                        }
                    },
                };
                if number <= last {
                    v.err(format!("{vp}.Version"), format!("{number} does not follow version {last}; version numbers increase"));
                }
                last = number;
                let parts = ConfigParts {
                    timeout: vs.timeout,
                    memory_size: vs.memory_size,
                    eic: vs.event_invoke_config.as_ref(),
                    dlq: vs.dead_letter_config.as_ref(),
                    behavior: vs.behavior.as_ref(),
                };
                let mut c = build_config(&mut v, &parts, Some(&configs[0]), &vp, &resolver);
                c.version = Some(number);
                configs.push(c);
            }
            let mut aliases: Vec<Alias> = vec![];
            for (j, a) in f.aliases.iter().enumerate() {
                let ap = format!("{p}.Aliases[{j}]");
                v.name(&a.name, &format!("{ap}.Name"), 128, "", "alias name");
                if a.name.chars().all(|c| c.is_ascii_digit()) {
                    v.err(format!("{ap}.Name"), format!("{:?} is not allowed; an alias name cannot be a version number", a.name));
                }
                if aliases.iter().any(|x| x.name == a.name) {
                    v.err(format!("{ap}.Name"), format!("{:?} is used by two aliases of {}", a.name, f.function_name));
                }
                let routing = build_routing(&mut v, &configs, &a.function_version, a.routing_config.as_ref(), None, &ap);
                aliases.push(Alias { name: a.name.clone(), routing });
            }
            // Provisioned concurrency per qualifier (spec section 6): the function-level setting (SAM) applies to
            // invocations by name; versions and aliases have their own.
            let mut provisioned: Vec<(Qualifier, u32, String)> = vec![];
            let level = |v: &mut V, n: i64, path: String| v.int(Some(n), &path, 0, i64::from(account_limit), 0) as u32;
            match (&f.provisioned_concurrency_config, f.provisioned_concurrency) {
                (Some(_), Some(_)) => {
                    v.err(format!("{p}.ProvisionedConcurrency"), "is also given as ProvisionedConcurrencyConfig; give one of them")
                }
                (Some(c), None) => {
                    let path = format!("{p}.ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
                    provisioned.push((Qualifier::Latest, level(&mut v, c.provisioned_concurrent_executions, path.clone()), path));
                }
                (None, Some(n)) => {
                    let path = format!("{p}.ProvisionedConcurrency");
                    provisioned.push((Qualifier::Latest, level(&mut v, n, path.clone()), path));
                }
                (None, None) => {}
            }
            for (j, vs) in f.versions.iter().enumerate() {
                if let Some(c) = &vs.provisioned_concurrency_config {
                    let path = format!("{p}.Versions[{j}].ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
                    provisioned.push((
                        Qualifier::Version(j as u32 + 1),
                        level(&mut v, c.provisioned_concurrent_executions, path.clone()),
                        path,
                    ));
                }
            }
            for (j, a) in f.aliases.iter().enumerate() {
                if let Some(c) = &a.provisioned_concurrency_config {
                    let path = format!("{p}.Aliases[{j}].ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions");
                    provisioned.push((Qualifier::Alias(j as u32), level(&mut v, c.provisioned_concurrent_executions, path.clone()), path));
                }
            }
            let pc_total: u32 = provisioned.iter().map(|x| x.1).sum();
            if let (Some(r), Some((_, _, path))) = (reserved, provisioned.iter().find(|x| x.1 > 0)) {
                if pc_total > r {
                    v.err(
                        path.clone(),
                        format!("provisioned concurrency {pc_total} exceeds ReservedConcurrentExecutions {r}; provisioned concurrency counts toward reserved concurrency and cannot exceed it (spec section 6)"),
                    );
                }
            }
            let mut provisioned: Vec<(Qualifier, u32)> = provisioned.into_iter().filter(|x| x.1 > 0).map(|x| (x.0, x.1)).collect();
            provisioned.sort_by_key(|x| x.0);
            let setup = FnSetup { latest: 0, reserved, provisioned, routing: aliases.iter().map(|a| a.routing).collect() };
            functions.push(Function {
                name: f.function_name.clone(),
                arn: format!("arn:aws:lambda:{region}:{account}:function:{}", f.function_name),
                architecture,
                reserved,
                faults: vec![],
                configs,
                aliases,
                setup,
                pc_periods: vec![],
                uses_pc: false,
            });
        }
        // At least 100 must stay unreserved (spec section 6); provisioned concurrency of functions without a
        // reservation is taken from the unreserved pool too.
        let taken = |setups: &[FnSetup]| -> (u64, u64) {
            let reserved: u64 = setups.iter().filter_map(|s| s.reserved).map(u64::from).sum();
            let pc: u64 = setups.iter().filter(|s| s.reserved.is_none()).map(|s| u64::from(s.pc_total())).sum();
            (reserved, pc)
        };
        let mut setups: Vec<FnSetup> = functions.iter().map(|f| f.setup.clone()).collect();
        let (reserved_total, pc_unreserved) = taken(&setups);
        if reserved_total + pc_unreserved > 0 && reserved_total + pc_unreserved + 100 > u64::from(account_limit) {
            let what = if pc_unreserved > 0 { "reservations and provisioned concurrency of unreserved functions" } else { "reservations" };
            v.err(
                "Functions[*].ReservedConcurrentExecutions",
                format!("{what} total {}, leaving {} of the account's {account_limit} unreserved; AWS requires at least 100 unreserved (spec section 6)", reserved_total + pc_unreserved, i64::from(account_limit) - (reserved_total + pc_unreserved) as i64),
            );
        }
        let unreserved_pool = (u64::from(account_limit).saturating_sub(reserved_total + pc_unreserved)) as u32;

        // --- changes on the timeline, in the order they apply; replayed here to validate them and to find the
        // provisioned-concurrency billing periods
        let mut ledgers: Vec<crate::versions::PcLedger> = setups
            .iter()
            .map(|s| {
                let mut l = crate::versions::PcLedger::default();
                l.set(SimTime::ZERO, &s.pc_allocations());
                l
            })
            .collect();
        let mut order: Vec<(SimTime, usize)> = vec![];
        for (k, c) in sc.changes.iter().enumerate() {
            order.push((v.secs(c.at_seconds, &format!("Changes[{k}].AtSeconds")), k));
        }
        order.sort();
        let mut changes = vec![];
        let mut mapping_changes: Vec<(SimTime, usize, UpdateEventSourceMappingSpec)> = vec![];
        for (at, k) in order {
            let c = &sc.changes[k];
            let p = format!("Changes[{k}]");
            let given = [
                c.update_function_code.is_some(),
                c.update_function_configuration.is_some(),
                c.publish_version.is_some(),
                c.put_function_concurrency.is_some(),
                c.delete_function_concurrency.is_some(),
                c.put_provisioned_concurrency_config.is_some(),
                c.update_alias.is_some(),
                c.update_event_source_mapping.is_some(),
            ]
            .iter()
            .filter(|x| **x)
            .count();
            if given != 1 {
                v.err(p.clone(), format!("gives {given} actions; give exactly one of UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion, PutFunctionConcurrency, DeleteFunctionConcurrency, PutProvisionedConcurrencyConfig, UpdateAlias, UpdateEventSourceMapping"));
                continue;
            }
            let function = |v: &mut V, name: &str, action: &str| match resolve_function(name, &region, &account, &fn_names) {
                Ok(f) => Some(f),
                Err(m) => {
                    v.err(format!("{p}.{action}.FunctionName"), m);
                    None
                }
            };
            let next_version = |fd: &Function| fd.configs.iter().filter_map(|c| c.version).max().unwrap_or(0) + 1;
            // A deploy: new code (`UpdateFunctionCode`, optionally published at once) or new settings
            // (`UpdateFunctionConfiguration`) become `$LATEST`.
            let deploy = c
                .update_function_code
                .as_ref()
                .map(|u| {
                    let parts = ConfigParts { behavior: Some(&u.behavior), ..ConfigParts::default() };
                    (&u.function_name, "UpdateFunctionCode", parts, u.publish.unwrap_or(false))
                })
                .or_else(|| {
                    c.update_function_configuration.as_ref().map(|u| {
                        let parts = ConfigParts {
                            timeout: u.timeout,
                            memory_size: u.memory_size,
                            eic: u.event_invoke_config.as_ref(),
                            dlq: u.dead_letter_config.as_ref(),
                            behavior: None,
                        };
                        (&u.function_name, "UpdateFunctionConfiguration", parts, false)
                    })
                });
            let kind = if let Some((name, action, parts, publish)) = deploy {
                let Some(f) = function(&mut v, name, action) else { continue };
                let fd = &mut functions[f.ix()];
                let latest = Some(&fd.configs[setups[f.ix()].latest as usize]);
                let mut cfg = build_config(&mut v, &parts, latest, &format!("{p}.{action}"), &resolver);
                cfg.version = None;
                fd.configs.push(cfg.clone());
                let config = fd.configs.len() as u32 - 1;
                let published = publish.then(|| {
                    cfg.version = Some(next_version(fd));
                    fd.configs.push(cfg);
                    fd.configs.len() as u32 - 1
                });
                ChangeKind::Deploy { function: f, config, published }
            } else if let Some(r) = &c.publish_version {
                let Some(f) = function(&mut v, &r.function_name, "PublishVersion") else { continue };
                let fd = &mut functions[f.ix()];
                let mut cfg = fd.configs[setups[f.ix()].latest as usize].clone();
                cfg.version = Some(next_version(fd));
                fd.configs.push(cfg);
                ChangeKind::Publish { function: f, config: fd.configs.len() as u32 - 1 }
            } else if let Some(r) = &c.put_function_concurrency {
                let Some(f) = function(&mut v, &r.function_name, "PutFunctionConcurrency") else { continue };
                let n = v.int(
                    Some(r.reserved_concurrent_executions),
                    &format!("{p}.PutFunctionConcurrency.ReservedConcurrentExecutions"),
                    0,
                    i64::from(account_limit),
                    0,
                ) as u32;
                ChangeKind::Reserved { function: f, value: Some(n) }
            } else if let Some(r) = &c.delete_function_concurrency {
                let Some(f) = function(&mut v, &r.function_name, "DeleteFunctionConcurrency") else { continue };
                ChangeKind::Reserved { function: f, value: None }
            } else if let Some(r) = &c.put_provisioned_concurrency_config {
                let Some(f) = function(&mut v, &r.function_name, "PutProvisionedConcurrencyConfig") else { continue };
                let fd = &functions[f.ix()];
                let qp = format!("{p}.PutProvisionedConcurrencyConfig.Qualifier");
                let qualifier = match r.qualifier.parse::<u32>() {
                    // Any version published so far, declared or published on the timeline.
                    Ok(n) => match fd.version_config(n) {
                        Some(c) => Qualifier::Version(c),
                        None => {
                            v.err(qp, format!("version {n} of {} does not exist at {at}", fd.name));
                            continue;
                        }
                    },
                    Err(_) => match parse_qualifier(fd, 0, &r.qualifier) {
                        Ok(q) => q,
                        Err(m) => {
                            v.err(qp, m);
                            continue;
                        }
                    },
                };
                let value = v.int(
                    Some(r.provisioned_concurrent_executions),
                    &format!("{p}.PutProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions"),
                    0,
                    i64::from(account_limit),
                    0,
                ) as u32;
                ChangeKind::Provisioned { function: f, qualifier, value }
            } else if let Some(u) = &c.update_alias {
                let Some(f) = function(&mut v, &u.function_name, "UpdateAlias") else { continue };
                let fd = &functions[f.ix()];
                let Some(alias) = fd.aliases.iter().position(|a| a.name == u.name) else {
                    let have: Vec<&str> = fd.aliases.iter().map(|a| a.name.as_str()).collect();
                    v.err(
                        format!("{p}.UpdateAlias.Name"),
                        format!("{:?} is not an alias of {} (aliases: {})", u.name, fd.name, have.join(", ")),
                    );
                    continue;
                };
                let now = setups[f.ix()].routing[alias];
                let version = match &u.function_version {
                    Some(s) => s.clone(),
                    None => fd.configs[now.primary as usize].label(),
                };
                let routing =
                    build_routing(&mut v, &fd.configs, &version, u.routing_config.as_ref(), Some(now), &format!("{p}.UpdateAlias"));
                ChangeKind::Alias { function: f, alias: alias as u32, routing }
            } else if let Some(u) = &c.update_event_source_mapping {
                // Resolved once the mappings are built (below).
                mapping_changes.push((at, k, u.clone()));
                continue;
            } else {
                continue;
            };
            let Some(f) = kind.function() else { continue };
            setups[f.ix()].apply(&kind);
            let s = &setups[f.ix()];
            if let Some(r) = s.reserved {
                if s.pc_total() > r {
                    v.err(
                        p.clone(),
                        format!("at {at}, provisioned concurrency {} of {} exceeds its reserved concurrency {r}; provisioned concurrency counts toward reserved concurrency and cannot exceed it (spec section 6)", s.pc_total(), functions[f.ix()].name),
                    );
                }
            }
            let (r, pc) = taken(&setups);
            if r + pc > 0 && r + pc + 100 > u64::from(account_limit) {
                v.err(
                    p.clone(),
                    format!("at {at}, reservations and provisioned concurrency of unreserved functions total {}, leaving {} of the account's {account_limit} unreserved; AWS requires at least 100 unreserved (spec section 6)", r + pc, i64::from(account_limit) - (r + pc) as i64),
                );
            }
            ledgers[f.ix()].set(at, &setups[f.ix()].pc_allocations());
            let action = if c.update_function_code.is_some() {
                "UpdateFunctionCode"
            } else if c.update_function_configuration.is_some() {
                "UpdateFunctionConfiguration"
            } else {
                kind.action()
            };
            changes.push(Change { at, index: k as u32, action, kind });
        }
        for (fd, l) in functions.iter_mut().zip(ledgers) {
            fd.pc_periods = l.finish();
            fd.uses_pc = !fd.pc_periods.is_empty();
        }

        // --- faults
        let mut delivery_faults = vec![];
        for (i, fs) in sc.faults.iter().enumerate() {
            let p = format!("Faults[{i}]");
            let start = v.secs(fs.start_seconds, &format!("{p}.StartSeconds"));
            let end = v.secs(fs.end_seconds, &format!("{p}.EndSeconds"));
            if end <= start {
                v.err(format!("{p}.EndSeconds"), format!("{} is not after StartSeconds {}", fs.end_seconds, fs.start_seconds));
            }
            let probability = v.prob(fs.probability, &format!("{p}.Probability"), 1.0);
            if fs.kind == FaultKind::DeliveryFailure {
                // A destination or DLQ rejects deliveries for a while (spec 3.1, 4).
                if fs.function.is_some() {
                    v.err(format!("{p}.Function"), "is not allowed with Kind DeliveryFailure; name the destination or DLQ as Target");
                }
                let Some(arn) = &fs.target else {
                    v.err(format!("{p}.Target"), "is missing; Kind DeliveryFailure needs the ARN of the destination or DLQ");
                    continue;
                };
                let Some(target) = resolver.resolve(&mut v, arn, &format!("{p}.Target")) else { continue };
                use crate::trace::DeliveryFailure as D;
                let reason = match fs.reason.unwrap_or(DeliveryFaultReason::AccessDenied) {
                    DeliveryFaultReason::AccessDenied => D::AccessDenied,
                    DeliveryFaultReason::Throttled => D::Throttled,
                    DeliveryFaultReason::ResourceNotFound => D::ResourceNotFound,
                    DeliveryFaultReason::KmsAccessDenied => D::KmsAccessDenied,
                };
                delivery_faults.push(DeliveryFault { target, start, end, probability, reason });
                continue;
            }
            if fs.target.is_some() {
                v.err(format!("{p}.Target"), "is only allowed with Kind DeliveryFailure");
            }
            if fs.reason.is_some() {
                v.err(format!("{p}.Reason"), "is only allowed with Kind DeliveryFailure");
            }
            let Some(fname) = &fs.function else {
                v.err(format!("{p}.Function"), "is missing; this kind of fault applies to a function");
                continue;
            };
            let fid = match resolve_function(fname, &region, &account, &fn_names) {
                Ok(id) => id,
                Err(m) => {
                    v.err(format!("{p}.Function"), m);
                    continue;
                }
            };
            let (dt, dm) = match fs.kind {
                FaultKind::Crash => ("Runtime.ExitError", "Runtime exited with error: signal: killed"),
                _ => ("InjectedFault", "Injected fault"),
            };
            if let Some(f) = functions.get_mut(fid.ix()) {
                f.faults.push(Fault {
                    kind: fs.kind,
                    start,
                    end,
                    probability,
                    error_type: fs.error_type.as_deref().unwrap_or(dt).into(),
                    error_message: fs.error_message.as_deref().unwrap_or(dm).into(),
                });
            }
        }

        // --- workload
        let mut sources = vec![];
        let mut raw_producers = vec![];
        let mut raw_publishers = vec![];
        let mut raw_firehose = vec![];
        for (i, w) in sc.workload.iter().enumerate() {
            let p = format!("Workload[{i}]");
            let publisher = w.topic.is_some() || w.event_bus.is_some();
            let producer = w.queue.is_some() || w.stream.is_some();
            let firehose_producer = w.delivery_stream.is_some();
            let resolved = if producer || publisher || firehose_producer {
                Ok((FnId(0), None))
            } else if w.function.is_empty() {
                v.err(p.clone(), "gives none of Function, Queue, Stream; give exactly one");
                continue;
            } else {
                resolve_function_ref(&w.function, &region, &account, &fn_names)
            };
            let (function, qualifier) = match resolved {
                // Producers and publishers name no function (a scenario may have none).
                Ok((id, None)) => (id, Qualifier::Latest),
                Ok((id, q)) => {
                    let declared = sc.functions[id.ix()].versions.len();
                    match q.map(|q| parse_qualifier(&functions[id.ix()], declared, q)).transpose() {
                        Ok(q) => (id, q.unwrap_or_default()),
                        Err(m) => {
                            v.err(format!("{p}.Function"), m);
                            continue;
                        }
                    }
                }
                Err(m) => {
                    v.err(format!("{p}.Function"), m);
                    continue;
                }
            };
            let given = [w.at.is_some(), w.poisson.is_some(), w.every.is_some(), w.burst.is_some()].iter().filter(|x| **x).count();
            if given != 1 {
                v.err(p.clone(), format!("gives {given} of At, Poisson, Every, Burst; give exactly one"));
                continue;
            }
            let arrivals = if let Some(at) = &w.at {
                let mut ts: Vec<SimTime> = at.iter().enumerate().map(|(j, t)| v.secs(*t, &format!("{p}.At[{j}]"))).collect();
                ts.sort();
                Arrivals::At(ts)
            } else if let Some(ps) = &w.poisson {
                if !(ps.rate_per_second.is_finite() && ps.rate_per_second > 0.0 && ps.rate_per_second <= 1e7) {
                    v.err(format!("{p}.Poisson.RatePerSecond"), format!("{} is out of range; allowed > 0 to 10000000", ps.rate_per_second));
                }
                let start = v.secs(ps.start_seconds.unwrap_or(0.0), &format!("{p}.Poisson.StartSeconds"));
                let end = v.secs(ps.end_seconds, &format!("{p}.Poisson.EndSeconds"));
                Arrivals::Poisson { rate_per_s: ps.rate_per_second, start, end }
            } else if let Some(e) = &w.every {
                let interval = v.secs(e.interval_seconds, &format!("{p}.Every.IntervalSeconds"));
                if interval == SimTime::ZERO {
                    v.err(format!("{p}.Every.IntervalSeconds"), format!("{} is not allowed; must be > 0", e.interval_seconds));
                }
                let start = v.secs(e.start_seconds.unwrap_or(0.0), &format!("{p}.Every.StartSeconds"));
                let end = v.secs(e.end_seconds, &format!("{p}.Every.EndSeconds"));
                Arrivals::Every { interval: interval.max(SimTime::from_micros(1)), start, end }
            } else if let Some(bs) = &w.burst {
                let count = v.int(Some(bs.count), &format!("{p}.Burst.Count"), 1, 100_000_000, 1) as u64;
                let at = v.secs(bs.at_seconds, &format!("{p}.Burst.AtSeconds"));
                let spread = v.secs(bs.spread_seconds.unwrap_or(0.0), &format!("{p}.Burst.SpreadSeconds"));
                Arrivals::Burst { at, count, spread }
            } else {
                continue;
            };
            if firehose_producer {
                raw_firehose.push(firehose::RawProducer { index: i, spec: w, arrivals });
                continue;
            }
            if publisher {
                raw_publishers.push(fanout::RawPublisher { index: i, spec: w, arrivals });
                continue;
            }
            if producer {
                raw_producers.push(esm::RawProducer { index: i, spec: w, arrivals });
                continue;
            }
            let kind = match &w.source {
                None => None,
                Some(s) => match crate::sources::SourceKind::parse(s) {
                    None => {
                        let all: Vec<&str> = crate::sources::SourceKind::ALL.iter().map(|k| k.name()).collect();
                        v.err(format!("{p}.Source"), format!("{s:?} is not a source kind; allowed: {}", all.join(", ")));
                        None
                    }
                    Some(k) if k.mode() == crate::sources::Mode::Poll => {
                        v.err(
                            format!("{p}.Source"),
                            format!(
                                "{s:?} is a polled source: Lambda reads it through an event source mapping; declare the queue or stream, a producer (Workload entry with \"Queue\" or \"Stream\") and an EventSourceMappings entry"
                            ),
                        );
                        None
                    }
                    Some(k) => {
                        let opts = w.source_options.clone().unwrap_or_else(|| Value::Object(Default::default()));
                        if let Err((sub, msg)) = crate::sources::check_options(k, &opts) {
                            v.err(format!("{p}.SourceOptions.{sub}"), msg);
                        }
                        Some((k, opts))
                    }
                },
            };
            if w.source_options.is_some() && w.source.is_none() {
                v.err(format!("{p}.SourceOptions"), "is only allowed with Source");
            }
            // The invocation type: as given, else the service's own mode (spec section 7).
            let sync = match (w.invocation_type, &kind) {
                (Some(t), _) => t == InvocationTypeSpec::RequestResponse,
                (None, Some((k, _))) => k.mode() == crate::sources::Mode::Sync,
                (None, None) => false,
            };
            sources.push(Source {
                name: w.name.clone().unwrap_or_else(|| format!("workload[{i}]")),
                function,
                qualifier,
                kind,
                sync,
                template: Template::new(w.payload.clone().unwrap_or_else(|| Value::Object(Default::default()))),
                arrivals,
                caller: match &w.caller {
                    None => Caller::default(),
                    Some(_) if !sync => {
                        v.err(
                            format!("{p}.Caller"),
                            "is only allowed with \"InvocationType\": \"RequestResponse\" (async callers get 202 at once)",
                        );
                        Caller::default()
                    }
                    Some(c) => {
                        let mut out = Caller::default();
                        if let Some(t) = c.timeout_seconds {
                            if t.is_finite() && t > 0.0 && t <= 900.0 {
                                out.timeout = Some(SimTime::from_secs_f64(t));
                            } else {
                                v.err(format!("{p}.Caller.TimeoutSeconds"), format!("{t} is out of range; allowed above 0 up to 900"));
                            }
                        }
                        if let Some(r) = &c.retry {
                            out.max_attempts = v.int(r.max_attempts, &format!("{p}.Caller.Retry.MaxAttempts"), 1, 20, 3) as u32;
                            let ms = |v: &mut V, x: Option<f64>, name: &str, d: f64| match x {
                                None => SimTime::from_millis_f64(d),
                                Some(x) if x.is_finite() && x >= 0.0 => SimTime::from_millis_f64(x),
                                Some(x) => {
                                    v.err(format!("{p}.Caller.Retry.{name}"), format!("{x} is not allowed; must be >= 0 milliseconds"));
                                    SimTime::from_millis_f64(d)
                                }
                            };
                            out.base_delay = ms(&mut v, r.base_delay_ms, "BaseDelayMs", 100.0);
                            out.max_delay = ms(&mut v, r.max_delay_ms, "MaxDelayMs", 20_000.0);
                            out.jitter = r.jitter.unwrap_or(JitterSpec::Full);
                            let on = r.retry_on.clone().unwrap_or(vec![
                                CallOutcomeSpec::Throttled,
                                CallOutcomeSpec::ServiceError,
                                CallOutcomeSpec::TimedOut,
                            ]);
                            for o in on {
                                out.retry_on[o as usize] = true;
                            }
                        }
                        out
                    }
                },
            });
        }
        let mut seen = BTreeMap::new();
        for (i, s) in sources.iter().enumerate() {
            if let Some(j) = seen.insert(s.name.clone(), i) {
                v.err(
                    format!("Workload[{i}].Name"),
                    format!("{:?} is also the name of Workload[{j}]; names pick random streams and must differ", s.name),
                );
            }
        }

        let esm = esm::build(&mut v, sc, &region, &account, &targets, &functions, &fn_names, raw_producers);
        for (at, k, u) in mapping_changes {
            let p = format!("Changes[{k}].UpdateEventSourceMapping");
            let function = u.function_name.as_ref().map(|f| resolve_function(f, &region, &account, &fn_names));
            let found = esm.mappings.iter().position(|m| {
                u.uuid.as_ref().is_none_or(|x| *x == m.uuid)
                    && u.event_source_arn.as_ref().is_none_or(|a| match m.source {
                        EsmSource::Queue(q) => esm.queue(q).arn == *a,
                        EsmSource::Stream(s) => esm.stream(s).arn == *a,
                    })
                    && function.as_ref().is_none_or(|f| f.as_ref().is_ok_and(|f| *f == m.function))
            });
            match found {
                _ if u.uuid.is_none() && u.event_source_arn.is_none() => {
                    v.err(p, "names no mapping; give its UUID, or its EventSourceArn (and FunctionName)")
                }
                None => v.err(p, "names no event source mapping of this scenario (match on UUID, EventSourceArn and FunctionName)"),
                Some(m) => changes.push(Change {
                    at,
                    index: k as u32,
                    action: "UpdateEventSourceMapping",
                    kind: crate::versions::ChangeKind::MappingEnabled { mapping: MappingId(m as u32), enabled: u.enabled },
                }),
            }
        }
        changes.sort_by_key(|c| (c.at, c.index));
        let fanout = fanout::build(&mut v, sc, &targets, &resolver, &esm, settings.horizon, raw_publishers);
        let firehose = firehose::build(&mut v, sc, &region, &account, &functions, &fn_names, raw_firehose);

        let digest = crate::kernel::rng::fnv64(serde_json::to_string(sc).unwrap_or_default().as_bytes());
        let mut model = Model {
            name: sc.name.clone().unwrap_or_else(|| "scenario".into()),
            region,
            account_id: account,
            account_limit,
            unreserved_pool,
            functions,
            targets,
            function_targets,
            sources,
            expectations: vec![],
            changes,
            delivery_faults,
            settings,
            pricing,
            esm,
            fanout,
            firehose,
            digest,
        };
        for (i, e) in sc.expectations.iter().enumerate() {
            match expect::compile(e, &format!("Expectations[{i}]"), i, &model, &fn_names) {
                Ok(x) => model.expectations.push(x),
                Err(err) => v.errors.push(err),
            }
        }
        if v.errors.is_empty() {
            Ok(model)
        } else {
            Err(ScenarioErrors(v.errors))
        }
    }
}
