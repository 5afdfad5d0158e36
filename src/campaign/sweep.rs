//! Checking at scale: a scenario under many seeds (`lambdasim check`), split over machines (`--shard i/n`, Kubernetes
//! Indexed Jobs) and merged (`lambdasim merge`) into the same table a single machine prints.
//!
//! Each seed is one single-threaded run; seeds run in parallel (`rayon`) and their results are kept in seed order, so
//! the outcome never depends on the number of threads or shards. What one seed keeps is small (its digest, one
//! pass/value pair per expectation, and the messages of what failed), so memory follows the number of seeds, not the
//! length of the runs.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::checks::{Quantifier, Statistic};
use crate::model::Model;
use crate::observe::ledger::TraceLog;
use crate::run::{run, RunOptions, RunReport};

// Old paths of the statistics that moved to `campaign::stats`; removed when every import uses the layered paths.
use crate::campaign::stats::mean_ci;

// The seeds' forms are `campaign::seeds`, shared with `compare`; the old paths stay.
pub use crate::campaign::seeds::{SeedRange, SeedSet};

/// One shard of a sweep: seeds whose offset in the range is `index` modulo `count` (0-based index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's index, 0-based.
    pub index: u64,
    /// How many shards there are.
    pub count: u64,
}

impl Shard {
    /// `I/N` with 1-based I, as on the command line.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?} is not allowed; write I/N with 1 <= I <= N, e.g. 3/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let i: u64 = i.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || i == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { index: i - 1, count: n })
    }
    /// From a Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based) and `JOB_COMPLETION_COUNT`.
    pub fn from_env(index: Option<&str>, count: Option<&str>) -> Result<Option<Shard>, String> {
        match (index, count) {
            (Some(i), Some(n)) => {
                let i: u64 = i.trim().parse().map_err(|_| format!("JOB_COMPLETION_INDEX {i:?} is not a number"))?;
                let n: u64 = n.trim().parse().map_err(|_| format!("JOB_COMPLETION_COUNT {n:?} is not a number"))?;
                if n == 0 || i >= n {
                    return Err(format!("JOB_COMPLETION_INDEX {i} must be below JOB_COMPLETION_COUNT {n}"));
                }
                Ok(Some(Shard { index: i, count: n }))
            }
            (None, None) => Ok(None),
            _ => Err("set both JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT, or neither".into()),
        }
    }
    /// `index+1/count`, as people count.
    pub fn text(&self) -> String {
        format!("{}/{}", self.index + 1, self.count)
    }
}

/// The seeds of `seeds` that belong to `shard`: those whose position in the ascending list is `index` modulo `count`.
pub fn shard_seeds(seeds: &SeedSet, shard: Option<Shard>) -> Vec<u64> {
    seeds.iter().enumerate().filter(|(i, _)| shard.is_none_or(|sh| *i as u64 % sh.count == sh.index)).map(|(_, s)| s).collect()
}

/// What one seed's run leaves for the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedResult {
    /// The seed.
    pub seed: u64,
    /// Its trace digest.
    pub digest: String,
    /// Per expectation: whether its bounds held in this seed.
    pub passed: Vec<bool>,
    /// Per expectation: the measured value (null when nothing was measured).
    pub values: Vec<Option<f64>>,
    /// (expectation index, message) for each expectation whose bounds did not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<(usize, String)>,
    /// Invariant breaches and determinism mismatches: bugs in lambdasim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaches: Vec<String>,
}

impl SeedResult {
    fn from_report(r: &RunReport) -> SeedResult {
        SeedResult {
            seed: r.seed,
            digest: r.digest.clone(),
            passed: r.verdicts.iter().map(|v| v.passed).collect(),
            values: r.verdicts.iter().map(|v| v.actual.filter(|x| x.is_finite())).collect(),
            failures: r.verdicts.iter().enumerate().filter(|(_, v)| !v.passed).map(|(i, v)| (i, v.message.clone())).collect(),
            breaches: r.breaches.iter().map(|b| format!("at {} event {:?}: {}", b.at, b.event, b.message)).collect(),
        }
    }
}

/// A sweep's results: one file per shard, merged by concatenation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepResults {
    /// The results format (`FORMAT`).
    pub format: String,
    /// The lambdasim version that ran the sweep.
    pub lambdasim: String,
    /// The scenario's `Name`.
    pub scenario: String,
    /// The scenario's digest, hex.
    pub scenario_digest: String,
    /// The scenario file as named on the command line (used in the replay command).
    pub scenario_file: String,
    /// The scenario itself, so that `merge` needs nothing but the results files.
    pub scenario_json: crate::scenario::RawJson,
    /// All seeds of the sweep.
    pub seeds: SeedSet,
    /// The shard these results are of (`None`: all seeds).
    pub shard: Option<Shard>,
    /// Names of the expectations, in scenario order.
    pub expectations: Vec<String>,
    /// One result per seed run, in seed order.
    pub runs: Vec<SeedResult>,
}

/// The `format` of sweep results files this version writes and reads.
pub const FORMAT: &str = "lambdasim-sweep-1";

/// How a sweep runs.
pub struct SweepOptions {
    /// The seeds to run.
    pub seeds: SeedSet,
    /// Only this shard's seeds (`None`: all).
    pub shard: Option<Shard>,
    /// Worker threads.
    pub jobs: usize,
    /// Run each seed twice and compare digests.
    pub check_determinism: bool,
    /// Test-only: the second run of each seed perturbs one random draw, to prove `check_determinism` catches it.
    pub inject_nondeterminism: bool,
    /// Draw the progress line on stderr.
    pub progress: bool,
    /// Each run's budget (`RunOptions::max_events`, 0: none); a run over it stops the sweep (exit 2).
    pub max_events: u64,
}

/// How a seed's result starts when the handler machinery failed.
const HANDLER_FAILED: &str = "handler failed: ";
/// How a seed's result starts when the run exceeded its budget.
const OVER_BUDGET: &str = "run budget exceeded: ";

/// Names the first trace event where two runs of the same seed differ.
fn first_divergence(model: &Model, seed: u64, perturb: Option<u64>, max_events: u64) -> String {
    let mut a = TraceLog::default();
    let mut b = TraceLog::default();
    let ra = run(model, seed, RunOptions { observers: vec![&mut a], max_events, ..Default::default() });
    let rb = run(model, seed, RunOptions { observers: vec![&mut b], perturb_for_testing: perturb, max_events, ..Default::default() });
    if ra.is_err() || rb.is_err() {
        return "could not re-run to locate the divergence".into();
    }
    // A handler reply that differed is named by function and request id (src/trace/handler.rs).
    crate::trace::first_difference(&a.events, &b.events, model, seed).unwrap_or_else(|| "the traces are the same".into())
}

fn run_seed(model: &Model, seed: u64, opts: &SweepOptions) -> SeedResult {
    let max_events = opts.max_events;
    let report = match run(model, seed, RunOptions { max_events, ..Default::default() }) {
        Ok(r) => r,
        Err(e) => {
            return SeedResult {
                seed,
                digest: String::new(),
                passed: vec![false; model.expectations.len()],
                values: vec![None; model.expectations.len()],
                failures: vec![],
                breaches: vec![match (crate::run::handler_failure(&e), crate::run::budget_exceeded(&e)) {
                    (Some(f), _) => format!("{HANDLER_FAILED}{f}"),
                    (None, Some(b)) => format!("{OVER_BUDGET}seed {seed}: {b}"),
                    (None, None) => format!("run failed: {e}"),
                }],
            }
        }
    };
    let mut res = SeedResult::from_report(&report);
    if opts.check_determinism {
        let perturb = opts.inject_nondeterminism.then_some(0);
        match run(model, seed, RunOptions { perturb_for_testing: perturb, max_events, ..Default::default() }) {
            Ok(again) if again.digest == report.digest => {}
            Ok(again) => res.breaches.push(format!(
                "non-deterministic: digest {} then {}; {}",
                report.digest,
                again.digest,
                first_divergence(model, seed, perturb, max_events)
            )),
            Err(e) => res.breaches.push(format!("second run failed: {e}")),
        }
    }
    res
}

/// Run the sweep.
pub fn sweep(scenario: &crate::Scenario, model: &Model, scenario_file: &str, opts: &SweepOptions) -> Result<SweepResults, String> {
    use rayon::prelude::*;
    let seeds = shard_seeds(&opts.seeds, opts.shard);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| format!("cannot start {} workers: {e}", opts.jobs))?;
    let bar = crate::campaign::progress::Progress::new(seeds.len() as u64, opts.progress);
    let runs: Vec<SeedResult> = pool.install(|| {
        seeds
            .par_iter()
            .map(|&seed| {
                let r = run_seed(model, seed, opts);
                bar.inc();
                r
            })
            .collect()
    });
    bar.finish();
    // A failure of the handler machinery (docs/semantics.md 11.5) is bad input, not a verdict: the sweep stops (exit 2).
    // So is a run over its budget: the scenario asks for more than the user allowed.
    if let Some(b) = runs.iter().flat_map(|r| &r.breaches).find(|b| b.starts_with(HANDLER_FAILED) || b.starts_with(OVER_BUDGET)) {
        return Err(b.clone());
    }
    Ok(SweepResults {
        format: FORMAT.into(),
        lambdasim: env!("CARGO_PKG_VERSION").into(),
        scenario: model.name.clone(),
        scenario_digest: format!("{:016x}", model.digest),
        scenario_file: scenario_file.into(),
        // As text: a payload keeps the bytes the scenario wrote (and so the digests of the runs).
        scenario_json: serde_json::value::to_raw_value(scenario).map(crate::scenario::RawJson::from_raw).map_err(|e| e.to_string())?,
        seeds: opts.seeds.clone(),
        shard: opts.shard,
        expectations: model.expectations.iter().map(|e| e.name.clone()).collect(),
        runs,
    })
}

/// Merge shard results of one sweep. Errors when they come from different scenarios or sweeps.
pub fn merge(parts: Vec<SweepResults>) -> Result<SweepResults, String> {
    let mut it = parts.into_iter();
    let mut all = it.next().ok_or("merge needs at least one results file")?;
    for p in it {
        if p.format != all.format {
            return Err(format!("results of format {:?} and {:?} cannot be merged", all.format, p.format));
        }
        if p.scenario_digest != all.scenario_digest {
            return Err(format!("results of different scenarios (digest {} and {})", all.scenario_digest, p.scenario_digest));
        }
        if p.seeds != all.seeds {
            return Err(format!("results of different seed ranges ({} and {})", all.seeds.text(), p.seeds.text()));
        }
        if p.lambdasim != all.lambdasim {
            return Err(format!("results of different lambdasim versions ({} and {})", all.lambdasim, p.lambdasim));
        }
        all.runs.extend(p.runs);
    }
    all.runs.sort_by_key(|r| r.seed);
    let before = all.runs.len();
    all.runs.dedup_by_key(|r| r.seed);
    if all.runs.len() != before {
        return Err("the same seed appears in two results files (overlapping shards)".into());
    }
    all.shard = None;
    Ok(all)
}

/// The verdict on one expectation over a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepVerdict {
    /// The expectation's `Name`.
    pub name: String,
    /// Its quantifier, in words (`in every seed`, ...).
    pub kind: String,
    /// Judged per seed (`Always`, or the built-in invariants): a failing seed is a counterexample on its own.
    pub per_seed: bool,
    /// The expectation holds over the sweep.
    pub passed: bool,
    /// Seeds where its bounds held.
    pub held: u64,
    /// Seeds run.
    pub seeds: u64,
    /// Why it failed, for people (empty when it passed).
    pub detail: String,
    /// The lowest seed where the per-seed check failed, with its message.
    pub first_failure: Option<(u64, String)>,
}

fn fmt_num(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    format!("{r}")
}

/// Judge every expectation (and the invariants) over the sweep.
pub fn judge(model: &Model, res: &SweepResults) -> Vec<SweepVerdict> {
    let n = res.runs.len() as u64;
    let mut out = vec![];
    for (i, e) in model.expectations.iter().enumerate() {
        let held = res.runs.iter().filter(|r| r.passed.get(i).copied().unwrap_or(false)).count() as u64;
        let first_failure = res.runs.iter().find(|r| !r.passed.get(i).copied().unwrap_or(false)).map(|r| {
            let msg = r.failures.iter().find(|(j, _)| *j == i).map(|(_, m)| m.clone()).unwrap_or_default();
            (r.seed, msg)
        });
        let bounds = e.bounds_text();
        let (passed, detail) = match &e.quantifier {
            Quantifier::Always => (held == n, if held == n { String::new() } else { format!("{} of {n} seeds failed", n - held) }),
            Quantifier::InFraction(f) => {
                let rate = if n == 0 { 0.0 } else { held as f64 / n as f64 };
                (rate >= *f, format!("held in {}% (need {}%)", fmt_num(rate * 100.0), fmt_num(f * 100.0)))
            }
            Quantifier::Sometimes => {
                let first = res.runs.iter().find(|r| r.passed.get(i).copied().unwrap_or(false)).map(|r| r.seed);
                match first {
                    Some(s) => (true, format!("reached, first in seed {s}")),
                    None => (false, "never reached (coverage goal)".into()),
                }
            }
            Quantifier::Across { statistic, confidence } => {
                let mut xs: Vec<f64> = res.runs.iter().filter_map(|r| r.values.get(i).copied().flatten()).collect();
                match statistic {
                    Statistic::Mean => match mean_ci(&xs, *confidence) {
                        None => (false, "no seed measured a value".into()),
                        Some((m, h)) => {
                            let (lo, hi) = (m - h, m + h);
                            let ok = e.miss(lo) == 0.0 && e.miss(hi) == 0.0;
                            (
                                ok,
                                format!(
                                    "mean {} with {}% CI [{}, {}] over {} seeds; expected {bounds}",
                                    fmt_num(m),
                                    fmt_num(confidence * 100.0),
                                    fmt_num(lo),
                                    fmt_num(hi),
                                    xs.len()
                                ),
                            )
                        }
                    },
                    Statistic::Quantile(q) => {
                        if xs.is_empty() {
                            (false, "no seed measured a value".into())
                        } else {
                            xs.sort_by(|a, b| a.total_cmp(b));
                            let idx = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
                            let v = xs[idx];
                            (
                                e.miss(v) == 0.0,
                                format!("p{} over {} seeds = {}; expected {bounds}", fmt_num(q * 100.0), xs.len(), fmt_num(v)),
                            )
                        }
                    }
                }
            }
        };
        out.push(SweepVerdict {
            name: e.name.clone(),
            kind: e.quantifier.describe(),
            per_seed: e.quantifier.per_seed_fatal(),
            passed,
            held,
            seeds: n,
            detail,
            first_failure: if matches!(e.quantifier, Quantifier::Sometimes) { None } else { first_failure },
        });
    }
    let clean = res.runs.iter().filter(|r| r.breaches.is_empty()).count() as u64;
    let first = res.runs.iter().find(|r| !r.breaches.is_empty()).map(|r| (r.seed, r.breaches.join("; ")));
    out.push(SweepVerdict {
        name: "built-in invariants".into(),
        kind: "in every seed".into(),
        per_seed: true,
        passed: clean == n,
        held: clean,
        seeds: n,
        detail: if clean == n { String::new() } else { "a bug in lambdasim: please report it with the replay command".into() },
        first_failure: first,
    });
    out
}

/// 0 all passed, 1 an expectation failed, 3 an invariant broke.
pub fn exit_code(verdicts: &[SweepVerdict]) -> i32 {
    let inv = verdicts.last().is_some_and(|v| !v.passed);
    if inv {
        3
    } else if verdicts.iter().any(|v| !v.passed) {
        1
    } else {
        0
    }
}

/// The table `check` and `merge` print (identical for a sweep and the merge of its shards).
pub fn table(res: &SweepResults, verdicts: &[SweepVerdict]) -> String {
    let mut s = String::new();
    let expected = res.seeds.len();
    let _ = writeln!(
        s,
        "lambdasim {} check | scenario {} ({}) | seeds {} | {} runs",
        res.lambdasim,
        res.scenario,
        res.scenario_digest,
        res.seeds.text(),
        res.runs.len()
    );
    if res.shard.is_none() && res.runs.len() as u64 != expected {
        let _ = writeln!(s, "warning: {} of the {expected} seeds have results (missing shards?)", res.runs.len());
    }
    let w = verdicts.iter().map(|v| v.name.chars().count()).max().unwrap_or(10).clamp(10, 60);
    let kw = verdicts.iter().map(|v| v.kind.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(s, "\n{:<w$}  {:<kw$}  {:>15}  verdict  detail", "expectation", "over", "held");
    for v in verdicts {
        let name: String = v.name.chars().take(w).collect();
        let held = format!("{}/{}", v.held, v.seeds);
        let _ = writeln!(s, "{:<w$}  {:<kw$}  {:>15}  {:<7}  {}", name, v.kind, held, if v.passed { "pass" } else { "FAIL" }, v.detail);
    }
    let passed = verdicts.iter().filter(|v| v.passed).count();
    let _ = writeln!(s, "\n{passed} passed, {} failed", verdicts.len() - passed);
    if let Some((seed, msg)) = first_counterexample(verdicts) {
        let _ = writeln!(s, "first failing seed: {seed} ({}: {})", msg.0, msg.1);
        let _ = writeln!(s, "replay: lambdasim run {} --seed {seed}", res.scenario_file);
    }
    s
}

/// The seed to replay: the lowest failing seed of a failed per-seed expectation (or invariant), else of any failed
/// expectation. Returns (seed, (expectation name, message)).
pub fn first_counterexample(verdicts: &[SweepVerdict]) -> Option<(u64, (&str, &str))> {
    let pick = |per_seed: bool| {
        verdicts
            .iter()
            .filter(|v| !v.passed && (v.per_seed || !per_seed))
            .filter_map(|v| v.first_failure.as_ref().map(|f| (f.0, (v.name.as_str(), f.1.as_str()))))
            .min_by_key(|x| x.0)
    };
    pick(true).or_else(|| pick(false))
}

/// JUnit XML: one testsuite for the scenario, one testcase per expectation (plus the built-in invariants).
pub fn junit(res: &SweepResults, verdicts: &[SweepVerdict]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;");
    let failures = verdicts.iter().filter(|v| !v.passed).count();
    let mut s = String::new();
    let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(s, r#"<testsuites name="lambdasim" tests="{}" failures="{failures}" errors="0">"#, verdicts.len());
    let _ = writeln!(
        s,
        r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        esc(&res.scenario),
        verdicts.len()
    );
    let _ = writeln!(s, "    <properties>");
    let _ = writeln!(s, r#"      <property name="scenarioDigest" value="{}"/>"#, esc(&res.scenario_digest));
    let _ = writeln!(s, r#"      <property name="seeds" value="{}"/>"#, esc(&res.seeds.text()));
    let _ = writeln!(s, r#"      <property name="lambdasim" value="{}"/>"#, esc(&res.lambdasim));
    let _ = writeln!(s, "    </properties>");
    for v in verdicts {
        let _ = write!(s, r#"    <testcase classname="lambdasim.{}" name="{}""#, esc(&res.scenario), esc(&v.name));
        if v.passed {
            let _ = writeln!(s, "/>");
        } else {
            let _ = writeln!(s, ">");
            let mut body = format!("{} ({}): held in {}/{} seeds. {}", v.name, v.kind, v.held, v.seeds, v.detail);
            if let Some((seed, m)) = &v.first_failure {
                body.push_str(&format!("\nfirst failing seed {seed}: {m}\nreplay: lambdasim run {} --seed {seed}", res.scenario_file));
            }
            let _ = writeln!(
                s,
                r#"      <failure message="{}" type="ExpectationFailed">{}</failure>"#,
                esc(&format!("{} {}", v.kind, v.detail)),
                esc(&body)
            );
            let _ = writeln!(s, "    </testcase>");
        }
    }
    let _ = writeln!(s, "  </testsuite>");
    let _ = writeln!(s, "</testsuites>");
    s
}

/// The model a results file was made from (checked against its digest).
pub fn model_of(res: &SweepResults) -> Result<Model, String> {
    let sc: crate::Scenario =
        serde_json::from_str(res.scenario_json.text()).map_err(|e| format!("the results file's scenario does not parse: {e}"))?;
    let model = Model::build(&sc).map_err(|e| format!("the results file's scenario does not validate: {e}"))?;
    if format!("{:016x}", model.digest) != res.scenario_digest {
        return Err(format!("the results file's scenario has digest {:016x}, not {}", model.digest, res.scenario_digest));
    }
    Ok(model)
}

/// Read a results file written by `check --out`.
pub fn read_results(path: &Path) -> Result<SweepResults, String> {
    let text = crate::vocab::read_input(path)?;
    let r: SweepResults = serde_json::from_str(&text).map_err(|e| format!("{}: not a lambdasim results file: {e}", path.display()))?;
    if r.format != FORMAT {
        return Err(format!("{}: format {:?}, expected {FORMAT:?}", path.display(), r.format));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_and_shards() {
        assert_eq!(SeedRange::parse("1..20000").unwrap().len(), 20000);
        assert_eq!(SeedRange::parse("5").unwrap(), SeedRange { first: 5, last: 5 });
        assert_eq!(SeedRange::parse("3..=4").unwrap().len(), 2);
        assert!(SeedRange::parse("9..1").is_err());
        let r = SeedSet::parse("1..10").unwrap();
        let all: Vec<u64> = (1..=3).flat_map(|i| shard_seeds(&r, Some(Shard::parse(&format!("{i}/3")).unwrap()))).collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, (1..=10).collect::<Vec<_>>());
        assert!(Shard::parse("0/3").is_err() && Shard::parse("4/3").is_err());
        assert_eq!(Shard::from_env(Some("2"), Some("8")).unwrap(), Some(Shard { index: 2, count: 8 }));
        assert!(Shard::from_env(Some("8"), Some("8")).is_err());
    }
}
