//! Simulation-wide settings, the named options for uncertain AWS behaviour, the price table and the account's
//! figures (Region, account id, account concurrency), validated (spec sections 1, 2, 6, 8, 9).

use super::validate::V;
use super::{Architecture, DlqScope};
use crate::kernel::time::SimTime;
use crate::model::dist::Dist;
use crate::scenario::*;

/// Simulation-wide settings and the named options for uncertain AWS behaviour.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Milliseconds since the Unix epoch that virtual time 0 stands for.
    pub start_epoch_ms: i64,
    /// `Simulation.DurationSeconds`: when arrivals stop (`None`: when the workload ends).
    pub horizon: Option<SimTime>,
    /// `Simulation.AsyncRetryDelaysSeconds`: the delays before the 2nd and the 3rd attempt (default 60 s, 120 s; spec section 2).
    pub retry_delays: Vec<SimTime>,
    /// `Simulation.AsyncRetryJitterSeconds`: each retry delay is drawn within ± this (default 0).
    pub retry_jitter: SimTime,
    /// Retries come early by up to this fraction of their nominal delay (`AsyncRetryEarlyFraction`).
    pub retry_early_fraction: f64,
    /// `Simulation.AsyncRetryDelayFrom`: what retry delays count from (default `AttemptEnd`).
    pub retry_delay_from: RetryDelayFrom,
    /// `Simulation.ThrottleBackoff.InitialSeconds` (default 1 s).
    pub backoff_initial: SimTime,
    /// `Simulation.ThrottleBackoff.MaxSeconds` (default 300 s).
    pub backoff_max: SimTime,
    /// `Simulation.ThrottleBackoff.Multiplier` (default 2).
    pub backoff_multiplier: f64,
    /// `Simulation.ThrottleBackoff.Jitter`, a fraction (default 0).
    pub backoff_jitter: f64,
    /// `EventBridgeRetryBackoff`: initial delay, maximum and multiplier.
    pub eventbridge_backoff: (SimTime, SimTime, f64),
    /// `Simulation.AsyncConcurrencyFull`: what an async event does when no environment is free (default `Backoff`).
    pub concurrency_full: ConcurrencyFullMode,
    /// `Simulation.AsyncPayloadLimit`, in bytes (default 1 MB; spec section 2).
    pub async_payload_limit: usize,
    /// `Simulation.DuplicateDeliveryProbability`: chance the async queue delivers an event twice (default 0).
    pub duplicate_probability: f64,
    /// `Simulation.EventBridgeDestinationSource`: `source` of EventBridge destination events (default `lambda`).
    pub eventbridge_source: String,
    /// `Simulation.ZeroReservedConcurrencyCondition`: the record condition when reserved concurrency is 0 (spec 2, 9.5).
    pub zero_reserved_condition: String,
    /// `Simulation.EventAgeLookAhead`: give up at once when the next retry would start past the maximum age (default true).
    pub event_age_look_ahead: bool,
    /// `Simulation.RecursionLimit`: hops before recursive-loop detection stops an async chain (default 16, spec section 2).
    pub recursion_limit: u32,
    /// `Simulation.RecursionThroughEventBridge`: hops through EventBridge buses count toward the limit (default true).
    pub recursion_through_event_bridge: bool,
    /// Per function (by `FnId`): `RecursiveLoop: Allow`, recursive-loop detection does not stop its invocations.
    pub recursion_allowed: Vec<bool>,
    /// `Simulation.ScalingModel` and its rates (spec section 6).
    pub scaling: Scaling,
    /// `Simulation.ScalingThrottleReason`: the 429 `Reason` when the scaling rate refuses (spec 1, 9.10).
    pub scaling_throttle_reason: String,
    /// `Simulation.EnvironmentIdleLifetime` (`None`: idle environments are kept).
    pub idle_lifetime: Option<Dist>,
    /// `Simulation.EnvironmentMaxLifetimeSeconds` (`None`: never recycled).
    pub max_lifetime: Option<SimTime>,
    /// `DlqScope` (spec 4, 9.4).
    pub dlq_scope: DlqScope,
    /// `SnsLambdaDlqBody` (docs/sources.md: AWS does not document it).
    pub sns_lambda_dlq_body: crate::scenario::SnsLambdaDlqBody,
    /// `ProvisionedConcurrencyAllocationSeconds` (spec 6, 9.9).
    pub pc_allocation_delay: SimTime,
    /// `SeriesIntervalSeconds`.
    pub series_interval: Option<SimTime>,
    /// The work known before the run (arrivals, schedule ticks), for the run budget (`src/sim/budget.rs`).
    pub work: Vec<super::workload::WorkEstimate>,
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
/// The legacy async payload limit, 256 KB (`AsyncPayloadLimit: Legacy`).
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
    /// Per GB-second, arm64: $0.0000133334 (spec section 8, marked \[unc\] there).
    pub arm64_gb_second_usd: f64,
    /// Provisioned concurrency, per configured GB-second (spec section 8 gives no rate: \[unc\]; AWS us-east-1 list price,
    /// $0.0000041667 x86_64 and $0.0000033334 arm64).
    pub provisioned_x86_gb_second_usd: f64,
    /// See `provisioned_x86_gb_second_usd` (arm64).
    pub provisioned_arm64_gb_second_usd: f64,
    /// Duration on provisioned environments, per GB-second (spec section 8: "a lower duration rate", \[unc\]; AWS us-east-1
    /// list price, $0.0000097222 x86_64 and $0.0000077778 arm64).
    pub provisioned_duration_x86_gb_second_usd: f64,
    /// See `provisioned_duration_x86_gb_second_usd` (arm64).
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

/// The price table: each given price must be a finite number from 0 to 1,000,000 dollars; omitted ones keep the
/// defaults of spec section 8.
pub(super) fn build_pricing(v: &mut V, p: Option<&PricingSpec>) -> Pricing {
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

/// The Region, the account id and the account's concurrency limit, checked.
pub(super) fn build_account(v: &mut V, sc: &Scenario) -> (String, String, u32) {
    let region = sc.region.clone();
    if region.is_empty() || !region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        v.err("Region", format!("{region:?} is not a Region name like \"us-east-1\""));
    }
    let account = sc.account_id.clone();
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        v.err("AccountId", format!("{account:?} is not a 12-digit AWS account id"));
    }
    let account_limit = v.int(sc.account.concurrent_executions, "Account.ConcurrentExecutions", 1, 10_000_000, 1000) as u32;
    (region, account, account_limit)
}

/// The `Simulation` section: defaults for what is not given, AWS's bounds for what is.
pub(super) fn build_settings(v: &mut V, sc: &Scenario) -> Settings {
    let s = &sc.simulation;
    let start_epoch_ms = parse_start(v, s.start_time.as_deref());
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
    let retry_early_fraction = s.async_retry_early_fraction.unwrap_or(0.1);
    if !(retry_early_fraction.is_finite() && (0.0..=1.0).contains(&retry_early_fraction)) {
        v.err("Simulation.AsyncRetryEarlyFraction", format!("{retry_early_fraction} is out of range; allowed 0 to 1"));
    }
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
    let idle_lifetime = s.environment_idle_lifetime.as_ref().and_then(|d| match Dist::compile(d, "Simulation.EnvironmentIdleLifetime") {
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
    Settings {
        start_epoch_ms,
        horizon,
        retry_delays,
        retry_jitter,
        retry_early_fraction,
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
        recursion_through_event_bridge: s.recursion_through_event_bridge.unwrap_or(true),
        recursion_allowed: sc.functions.iter().map(|f| f.recursive_loop == Some(RecursiveLoopSpec::Allow)).collect(),
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
        work: vec![],
    }
}
