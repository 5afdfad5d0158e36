//! The bill of a run (spec section 8): requests, on-demand duration in GB-seconds (invoke plus init, rounded up to 1 ms
//! together), provisioned concurrency configured (each period rounded up to 5 minutes) and the duration of executions
//! on provisioned environments, at the scenario's prices (`Model::pricing`); no free tier, no volume tiers.
//!
//! [`Bill::new`] computes it once, from the metrics, when the run ends (`run::run` stores it in the `RunReport`); the
//! text and JSON summaries and the HTML report only read it.

use serde_json::{json, Value};

use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::observe::metrics::Metrics;

/// $0.20 per million requests (spec section 8). The prices a run uses are `Model::pricing` (scenario `Pricing`).
pub const PRICE_PER_REQUEST: f64 = 0.2e-6;
/// x86_64 price per GB-second (spec section 8).
pub const PRICE_GB_S_X86: f64 = 0.000_016_666_7;
/// arm64 price per GB-second (spec section 8, marked uncertain there).
pub const PRICE_GB_S_ARM: f64 = 0.000_013_333_4;
/// A month, for cost projections: 30 days of 86,400 s.
pub const MONTH_SECONDS: f64 = 2_592_000.0;

/// What a function's executions cost (spec section 8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostBreakdown {
    /// Invokes started (every start of an invoke is a request, retries included).
    pub requests: u64,
    /// Request charges, in USD.
    pub requests_usd: f64,
    /// GB-seconds of on-demand duration: `Σ ceil_ms(duration + init) / 1000 × MB / 1024`.
    pub gb_seconds: f64,
    /// The init phases' share of `gb_seconds` (each init rounded up to 1 ms on its own; informational).
    pub init_gb_seconds: f64,
    /// On-demand duration charges (`gb_seconds` at the architecture's rate), in USD.
    pub duration_usd: f64,
    /// Provisioned concurrency configured: Σ level × memory in GB × seconds from enable to disable (or the end of the
    /// run), each period rounded up to 5 minutes (spec section 8).
    pub provisioned_gb_seconds: f64,
    /// Provisioned concurrency charges (`provisioned_gb_seconds`), in USD.
    pub provisioned_concurrency_usd: f64,
    /// Executions on provisioned environments (invoke phase rounded up to 1 ms) and the inits of provisioned
    /// environments during the run (allocation after a change, recycling, reset), at the provisioned duration rate.
    pub provisioned_duration_gb_seconds: f64,
    /// Duration charges on provisioned environments (`provisioned_duration_gb_seconds`), in USD.
    pub provisioned_duration_usd: f64,
    /// `provisioned_concurrency_usd + provisioned_duration_usd`.
    pub provisioned_usd: f64,
    /// The function's whole cost, in USD.
    pub total_usd: f64,
}

/// The run's cost by kind, summed over its functions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BillTotal {
    /// Request charges, in USD.
    pub requests_usd: f64,
    /// On-demand duration charges, in USD.
    pub duration_usd: f64,
    /// Provisioned concurrency charges, in USD.
    pub provisioned_concurrency_usd: f64,
    /// Duration charges on provisioned environments, in USD.
    pub provisioned_duration_usd: f64,
    /// `provisioned_concurrency_usd + provisioned_duration_usd`.
    pub provisioned_usd: f64,
    /// `requests_usd + duration_usd + provisioned_usd`.
    pub total_usd: f64,
}

/// What a run cost: per function (indexed like `Model::functions`) and in total, over `seconds` of virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    /// The virtual time billed (the run's length), for the monthly projections.
    pub seconds: f64,
    /// Per function, indexed like `Model::functions`.
    pub functions: Vec<CostBreakdown>,
    /// The sum of the functions' totals (`costUsd` in the JSON summary). Equal to `total.total_usd`, the sum of the
    /// parts, up to floating-point rounding; each summary line keeps the one it has always shown.
    pub functions_usd: f64,
    /// The sums by kind.
    pub total: BillTotal,
}

impl Bill {
    /// The bill of a run that ended at `end`, from its metrics.
    pub fn new(model: &Model, metrics: &Metrics, end: SimTime) -> Bill {
        let functions: Vec<CostBreakdown> = (0..model.functions.len()).map(|f| cost_breakdown(model, metrics, f, end)).collect();
        let mut functions_usd = 0.0;
        let mut t = BillTotal::default();
        for c in &functions {
            functions_usd += c.total_usd;
            t.requests_usd += c.requests_usd;
            t.duration_usd += c.duration_usd;
            t.provisioned_usd += c.provisioned_usd;
            t.provisioned_concurrency_usd += c.provisioned_concurrency_usd;
            t.provisioned_duration_usd += c.provisioned_duration_usd;
        }
        t.total_usd = t.requests_usd + t.duration_usd + t.provisioned_usd;
        Bill { seconds: end.as_secs_f64(), functions, functions_usd, total: t }
    }

    /// `usd` over this bill's virtual time projected to a 30-day month.
    pub fn per_month(&self, usd: f64) -> f64 {
        per_month(usd, self.seconds)
    }

    /// Function `f`'s cost as JSON, with its monthly projection.
    pub fn function_json(&self, f: usize) -> Value {
        cost_json(&self.functions[f], self.seconds)
    }

    /// The run's total cost, its monthly projection and the prices used.
    pub fn total_json(&self, model: &Model) -> Value {
        let t = &self.total;
        let p = &model.pricing;
        json!({
            "requestsUsd": t.requests_usd,
            "durationUsd": t.duration_usd,
            "provisionedConcurrencyUsd": t.provisioned_concurrency_usd,
            "provisionedDurationUsd": t.provisioned_duration_usd,
            "provisionedUsd": t.provisioned_usd,
            "totalUsd": t.total_usd,
            "perMonthUsd": self.per_month(t.total_usd),
            "month": "30 days (2,592,000 s) at the rate of the simulated period: totalUsd / virtualTimeSeconds × 2,592,000",
            "pricing": {
                "RequestUsdPerMillion": p.request_usd_per_million,
                "X86GbSecondUsd": p.x86_gb_second_usd,
                "Arm64GbSecondUsd": p.arm64_gb_second_usd,
                "ProvisionedX86GbSecondUsd": p.provisioned_x86_gb_second_usd,
                "ProvisionedArm64GbSecondUsd": p.provisioned_arm64_gb_second_usd,
                "ProvisionedDurationX86GbSecondUsd": p.provisioned_duration_x86_gb_second_usd,
                "ProvisionedDurationArm64GbSecondUsd": p.provisioned_duration_arm64_gb_second_usd,
            },
        })
    }
}

/// GB-seconds billed for function `f`: each on-demand execution's invoke plus init phase, rounded up to 1 ms, times
/// the memory in GB (spec section 8: `ceil_ms(d_i + init_i)/1000 * mem_MB/1024`; init billed since Aug 2025).
/// Executions on provisioned environments are billed apart (`CostBreakdown::provisioned_duration_gb_seconds`).
pub fn gb_seconds(model: &Model, metrics: &Metrics, f: usize) -> f64 {
    gb_s(&metrics.functions[f].billed_ms_by_config, model, f)
}

/// What function `f` cost in a run that ended at `end`, with the scenario's prices: requests plus GB-seconds plus
/// provisioned concurrency, no free tier, no volume tiers (spec section 8).
pub fn cost_breakdown(model: &Model, metrics: &Metrics, f: usize, end: SimTime) -> CostBreakdown {
    let m = &metrics.functions[f];
    let fd = &model.functions[f];
    let p = &model.pricing;
    let gb_seconds = gb_seconds(model, metrics, f);
    let requests_usd = m.attempts as f64 * p.request_usd_per_million / 1e6;
    let duration_usd = gb_seconds * p.gb_second_usd(fd.architecture);
    // Provisioned concurrency (spec section 8): configured GB-seconds from enable to disable or the end of the
    // run, each period rounded up to 5 minutes, plus its executions and inits at the lower duration rate.
    let provisioned_gb_seconds: f64 = fd.pc_periods.iter().map(|x| x.gb_seconds(end, |c| f64::from(fd.config(c).memory_mb) / 1024.0)).sum();
    let provisioned_concurrency_usd = provisioned_gb_seconds * p.provisioned_gb_second_usd(fd.architecture);
    let provisioned_duration_gb_seconds =
        gb_s(&m.provisioned_billed_ms_by_config, model, f) + gb_s(&m.provisioned_init_ms_by_config, model, f);
    let provisioned_duration_usd = provisioned_duration_gb_seconds * p.provisioned_duration_gb_second_usd(fd.architecture);
    let provisioned_usd = provisioned_concurrency_usd + provisioned_duration_usd;
    CostBreakdown {
        requests: m.attempts,
        requests_usd,
        gb_seconds,
        init_gb_seconds: gb_s(&m.init_ms_by_config, model, f),
        duration_usd,
        provisioned_gb_seconds,
        provisioned_concurrency_usd,
        provisioned_duration_gb_seconds,
        provisioned_duration_usd,
        provisioned_usd,
        total_usd: requests_usd + duration_usd + provisioned_usd,
    }
}

/// GB-seconds of billed milliseconds per configuration of function `f` (each configuration has its memory size).
fn gb_s(ms_by_config: &[u64], model: &Model, f: usize) -> f64 {
    let fd = &model.functions[f];
    ms_by_config.iter().enumerate().map(|(c, ms)| *ms as f64 / 1000.0 * f64::from(fd.configs[c].memory_mb) / 1024.0).sum()
}

/// A cost over `seconds` of virtual time projected to a 30-day month at the same rate (0 for an empty run).
pub fn per_month(cost_usd: f64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        cost_usd / seconds * MONTH_SECONDS
    } else {
        0.0
    }
}

/// A function's cost as JSON, with its projection to a month at the simulated rate over `seconds` of virtual time.
pub fn cost_json(c: &CostBreakdown, seconds: f64) -> Value {
    json!({
        "requests": c.requests,
        "requestsUsd": c.requests_usd,
        "gbSeconds": c.gb_seconds,
        "initGbSeconds": c.init_gb_seconds,
        "durationUsd": c.duration_usd,
        "provisionedGbSeconds": c.provisioned_gb_seconds,
        "provisionedConcurrencyUsd": c.provisioned_concurrency_usd,
        "provisionedDurationGbSeconds": c.provisioned_duration_gb_seconds,
        "provisionedDurationUsd": c.provisioned_duration_usd,
        "provisionedUsd": c.provisioned_usd,
        "totalUsd": c.total_usd,
        "perMonthUsd": per_month(c.total_usd, seconds),
    })
}

/// The old per-function cost methods, for callers that hold only the metrics (tests, `campaign::compare`). They
/// compute the cost anew each call; a finished run's `RunReport::bill` has it already.
impl Metrics {
    /// See [`gb_seconds`].
    pub fn gb_seconds(&self, model: &Model, f: usize) -> f64 {
        gb_seconds(model, self, f)
    }

    /// See [`cost_breakdown`]; provisioned concurrency is billed until [`Metrics::end`].
    pub fn cost_breakdown(&self, model: &Model, f: usize) -> CostBreakdown {
        cost_breakdown(model, self, f, self.end)
    }

    /// Dollars: requests plus GB-seconds plus provisioned concurrency, no free tier, no volume tiers (spec section 8).
    pub fn cost(&self, model: &Model, f: usize) -> f64 {
        self.cost_breakdown(model, f).total_usd
    }
}
