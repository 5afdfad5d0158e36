//! Model validation against theory: the simulator's load behaviour agrees with queueing formulas, and its cost with
//! a hand computation from the billing formula of `docs/semantics.md` section 8.
//!
//! - Erlang B: synchronous callers (Poisson arrivals), exponential durations, a concurrency limit `c` and cold starts
//!   that take no time form an M/M/c/c loss system; the throttled fraction is Erlang's B(c, a) for offered load `a`.
//! - Little's law: the time-average concurrency equals the arrival rate of executed requests times the mean duration.
//! - Cost: requests plus GB-seconds, each execution's invoke plus init phase rounded up to 1 ms together.

use lambdasim::observe::series::{Series, SeriesConfig};
use lambdasim::{load_str, run, Fate, Model, Observer, RunOptions, RunReport, SimTime, TraceEvent};
use serde_json::{json, Value};

/// Erlang's B formula by the stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Sums the exact durations of executions (init included) from the trace.
#[derive(Default)]
struct Durations {
    total_us: u128,
    inits_us: u128,
    executions: u64,
}

impl Observer for Durations {
    fn on_event(&mut self, _t: SimTime, ev: &TraceEvent, _ctx: &lambdasim::trace::Ctx<'_>) {
        match ev {
            TraceEvent::AttemptStart { init, .. } => self.inits_us += u128::from(init.as_micros()),
            TraceEvent::AttemptEnd { duration, .. } => {
                self.total_us += u128::from(duration.as_micros());
                self.executions += 1;
            }
            _ => {}
        }
    }
}

fn run_with_series(model: &Model, seed: u64) -> (RunReport, Series, Durations) {
    let mut series = Series::new(model, SeriesConfig::with_interval(SimTime::from_secs(10)));
    let mut d = Durations::default();
    let report = run(model, seed, RunOptions { observers: vec![&mut series, &mut d], ..Default::default() }).expect("run");
    series.finish(report.stats.end_time);
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
    (report, series, d)
}

/// One sync source at `rate`/s for `seconds`, exponential durations of mean `mean_ms`, init 0 ms, and a concurrency
/// limit `c` either as reserved concurrency or as the account's limit.
fn loss_system(rate: f64, mean_ms: f64, seconds: f64, c: u32, reserved: bool) -> Model {
    let mut f = json!({
        "FunctionName": "f",
        "Timeout": 900,
        "Behavior": { "Duration": { "Exponential": { "MeanMs": mean_ms } }, "InitDuration": { "Constant": { "Ms": 0 } } }
    });
    let mut sc = json!({
        "Name": "erlang-b",
        "Functions": [],
        "Workload": [{ "Name": "callers", "Function": "f", "InvocationType": "RequestResponse", "Poisson": { "RatePerSecond": rate, "EndSeconds": seconds } }]
    });
    if reserved {
        f["ReservedConcurrentExecutions"] = json!(c);
    } else {
        sc["Account"] = json!({ "ConcurrentExecutions": c });
    }
    sc["Functions"] = json!([f]);
    load_str(&sc.to_string()).expect("valid scenario")
}

#[test]
fn throttle_fraction_matches_erlang_b() {
    // (limit c, offered load a = rate x mean duration, as reserved concurrency or the account limit)
    let cases = [(5, 4.0, true), (8, 6.0, true), (10, 7.0, true), (6, 5.0, false)];
    for (k, (c, a, reserved)) in cases.into_iter().enumerate() {
        let mean_s = 0.1;
        let rate = a / mean_s;
        let seconds = 250_000.0 / rate;
        let model = loss_system(rate, mean_s * 1000.0, seconds, c, reserved);
        let (report, series, d) = run_with_series(&model, 100 + k as u64);
        let m = &report.metrics.functions[0];
        let n = m.accepted as f64;
        let throttled = m.fate(Fate::Throttled) as f64;
        let p = throttled / n;
        let b = erlang_b(c, a);
        let sigma = (b * (1.0 - b) / n).sqrt();
        let tol = (4.0 * sigma).max(0.01);
        eprintln!(
            "Erlang B c={c} a={a} ({}): {} arrivals, throttled {p:.5}, B(c, a) = {b:.5}, |diff| {:.5}, tolerance {tol:.5}",
            if reserved { "reserved" } else { "account" },
            m.accepted,
            (p - b).abs()
        );
        assert!(n >= 200_000.0, "too few arrivals: {n}");
        assert!((p - b).abs() <= tol, "c={c} a={a}: throttled fraction {p} vs Erlang B {b} (tolerance {tol})");
        // Every throttle is of the limit that applies, and nothing else happens to a request.
        let reason = if reserved {
            lambdasim::vocab::ThrottleReason::ReservedConcurrency
        } else {
            lambdasim::vocab::ThrottleReason::AccountConcurrency
        };
        assert_eq!(m.throttles_by_reason[reason as usize], m.throttles);
        assert_eq!(m.fate(Fate::Succeeded) + m.fate(Fate::Throttled), m.accepted);
        assert!(m.peak_concurrency <= c);
        // Little's law with losses: the carried load is a(1 - B).
        let mean_conc = series.mean_concurrency(0).expect("finished series");
        let carried = a * (1.0 - b);
        eprintln!("  mean concurrency {mean_conc:.4}, carried load a(1-B) = {carried:.4}");
        assert!((mean_conc - carried).abs() <= 0.02 * carried, "mean concurrency {mean_conc} vs a(1-B) {carried}");
        // The series' integral of concurrency is the sum of the execution durations, exactly.
        assert_eq!(series.concurrency_area(0), d.total_us + d.inits_us);
    }
}

#[test]
fn littles_law_mean_concurrency_is_rate_times_mean_duration() {
    // No limit in reach: lambda = 50/s, E[S] = 200 ms, so L = 10.
    let (rate, mean_ms, seconds) = (50.0, 200.0, 4000.0);
    let model = loss_system(rate, mean_ms, seconds, 1000, false);
    let (report, series, d) = run_with_series(&model, 7);
    let m = &report.metrics.functions[0];
    assert_eq!(m.throttles, 0);
    let end = report.stats.end_time.as_secs_f64();
    let l = series.mean_concurrency(0).expect("finished series");
    // Against the measured rate and mean duration: L = lambda W holds exactly over a run that ends empty.
    let lambda = m.attempts as f64 / end;
    let w = d.total_us as f64 / 1e6 / d.executions as f64;
    eprintln!("Little: L = {l:.4}; measured lambda W = {:.4}; theory {:.4}", lambda * w, rate * mean_ms / 1000.0);
    assert!((l - lambda * w).abs() < 1e-9 * l.max(1.0), "L {l} vs lambda W {}", lambda * w);
    // Against theory, within statistical tolerance (200k arrivals: the mean of the durations has ~0.3% std error).
    let theory = rate * mean_ms / 1000.0;
    assert!((l - theory).abs() <= 0.02 * theory, "L {l} vs {theory}");
    // The account-wide figure is the same with one function.
    assert_eq!(series.mean_account_concurrency(), Some(l));
}

/// Two functions with constant durations: every figure of the bill can be computed by hand.
fn billing_scenario(pricing: Option<Value>) -> Model {
    let mut sc = json!({
        "Name": "billing",
        "Functions": [
            { "FunctionName": "x86fn", "MemorySize": 512, "Architectures": ["x86_64"],
              "Behavior": { "Duration": { "Constant": { "Ms": 100.4 } }, "InitDuration": { "Constant": { "Ms": 250.3 } } } },
            { "FunctionName": "armfn", "MemorySize": 2048, "Architectures": ["arm64"],
              "Behavior": { "Duration": { "Constant": { "Ms": 999.5 } }, "InitDuration": { "Constant": { "Ms": 0 } } } }
        ],
        "Workload": [
            { "Name": "a", "Function": "x86fn", "Every": { "IntervalSeconds": 1, "EndSeconds": 100 } },
            { "Name": "b", "Function": "armfn", "InvocationType": "RequestResponse", "Every": { "IntervalSeconds": 2, "EndSeconds": 100 } }
        ]
    });
    if let Some(p) = pricing {
        sc["Pricing"] = p;
    }
    load_str(&sc.to_string()).expect("valid scenario")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-12)
}

#[test]
fn cost_equals_a_hand_computation_from_the_spec_formula() {
    // x86fn: 100 executions, the first cold: ceil_ms(250.3 + 100.4) = 351 ms (init and invoke rounded together, spec
    // section 8; rounding each alone would give 251 + 101), then 99 x ceil_ms(100.4) = 101 ms.
    let x86_ms = 351.0 + 99.0 * 101.0;
    let x86_gbs = x86_ms / 1000.0 * 512.0 / 1024.0;
    // armfn: 50 executions of ceil_ms(999.5) = 1000 ms at 2 GB; its cold start takes 0 ms.
    let arm_gbs = 50.0 * 1000.0 / 1000.0 * 2048.0 / 1024.0;
    // The run ends with the last execution: x86fn's at 99 s + 100.4 ms.
    let end = 99.1004;
    for (pricing, per_million, x86_price, arm_price) in [
        (None, 0.2, 0.000_016_666_7, 0.000_013_333_4),
        (Some(json!({"RequestUsdPerMillion": 1.5, "X86GbSecondUsd": 0.00002, "Arm64GbSecondUsd": 0.00001})), 1.5, 0.00002, 0.00001),
    ] {
        let model = billing_scenario(pricing);
        let report = run(&model, 1, RunOptions::default()).expect("run");
        assert_eq!(report.stats.end_time, SimTime::from_micros(99_100_400));
        let j = report.to_json(&model);
        let x86 = 100.0 * per_million / 1e6 + x86_gbs * x86_price;
        let arm = 50.0 * per_million / 1e6 + arm_gbs * arm_price;
        let f = |name: &str, k: &str| j["functions"][name]["cost"][k].as_f64().expect("number");
        assert_eq!(j["functions"]["x86fn"]["billedDurationMs"], json!(x86_ms as u64));
        assert_eq!(j["functions"]["x86fn"]["coldStarts"], json!(1));
        assert!(close(f("x86fn", "gbSeconds"), x86_gbs), "{} vs {x86_gbs}", f("x86fn", "gbSeconds"));
        assert!(close(f("armfn", "gbSeconds"), arm_gbs));
        assert!(close(f("x86fn", "totalUsd"), x86), "{} vs {x86}", f("x86fn", "totalUsd"));
        assert!(close(f("armfn", "totalUsd"), arm), "{} vs {arm}", f("armfn", "totalUsd"));
        assert!(close(j["functions"]["x86fn"]["costUsd"].as_f64().unwrap_or(0.0), x86));
        assert_eq!(f("x86fn", "provisionedUsd"), 0.0);
        let total = j["cost"]["totalUsd"].as_f64().expect("number");
        assert!(close(total, x86 + arm), "{total} vs {}", x86 + arm);
        assert!(close(j["costUsd"].as_f64().unwrap_or(0.0), x86 + arm));
        // A month is 30 days at the simulated rate.
        let month = j["cost"]["perMonthUsd"].as_f64().expect("number");
        assert!(close(month, (x86 + arm) / end * 2_592_000.0), "{month}");
        assert_eq!(j["cost"]["pricing"]["RequestUsdPerMillion"], json!(per_million));
        eprintln!("cost: x86fn ${x86:.9}, armfn ${arm:.9}, total ${:.9}, per month ${month:.4}", x86 + arm);
    }
}

#[test]
fn a_price_out_of_range_is_an_error_naming_the_path() {
    for (field, value) in [("X86GbSecondUsd", json!(-1)), ("RequestUsdPerMillion", json!(1e9))] {
        let sc = json!({
            "Functions": [{ "FunctionName": "f" }],
            "Pricing": { field: value }
        });
        let errs = load_str(&sc.to_string()).expect_err("out of range");
        let text = errs.to_string();
        assert!(text.contains(&format!("Pricing.{field}")) && text.contains("allowed 0 to 1000000"), "{text}");
    }
    let errs = load_str(r#"{"Functions": [{"FunctionName": "f"}], "Pricing": {"Free": 1}}"#).expect_err("unknown field");
    assert!(errs.to_string().contains("Pricing"), "{errs}");
}
