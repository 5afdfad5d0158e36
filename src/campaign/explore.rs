//! `lambdasim explore`: search the knob ranges a scenario declares (`Explore.Knobs`) with proptest strategies,
//! checking every case against the scenario's per-seed expectations and the built-in invariants. A failure is shrunk
//! by proptest (knob values towards the low end of their ranges, the seed towards the low end) and written as a
//! minimal concrete scenario: the knob values applied, the `Explore` section removed. Knob values are written into the
//! scenario's text (`campaign::patch`), so every value no knob sets, a workload's payload above all, keeps its bytes.

use proptest::strategy::{BoxedStrategy, Just, Strategy};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::Value;

use crate::campaign::compare::{apply_at, Override};
use crate::campaign::patch::patch;
use crate::campaign::sweep::SeedRange;
use crate::model::Model;
use crate::run::{run, RunOptions};
use crate::scenario::{KnobSpec, Scenario};

/// A failing case, shrunk.
#[derive(Debug, Clone)]
pub struct Found {
    /// The concrete scenario (knobs applied, no `Explore` section; payloads as the scenario wrote them).
    pub scenario: Scenario,
    /// The seed that fails.
    pub seed: u64,
    /// `path=value` of each knob.
    pub knobs: Vec<String>,
    /// The failure message.
    pub message: String,
}

/// The outcome of a search.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Cases tried.
    pub cases: u32,
    /// The first failing case, shrunk (`None`: every case passed).
    pub found: Option<Found>,
}

fn knob_strategy(k: &KnobSpec, i: usize) -> Result<BoxedStrategy<Value>, String> {
    let path = format!("Explore.Knobs[{i}]");
    match (&k.range, &k.values) {
        (Some([lo, hi]), None) => {
            if let (Some(a), Some(b)) = (lo.as_i64(), hi.as_i64()) {
                if a > b {
                    return Err(format!("{path}.Range: {a} is above {b}"));
                }
                return Ok((a..=b).prop_map(Value::from).boxed());
            }
            match (lo.as_f64(), hi.as_f64()) {
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() && a <= b => {
                    Ok((a..=b).prop_map(|x| Value::from((x * 1e6).round() / 1e6)).boxed())
                }
                _ => Err(format!("{path}.Range: [{lo}, {hi}] is not allowed; give [low, high] numbers with low <= high")),
            }
        }
        (None, Some(vs)) if !vs.is_empty() => {
            let vs = vs.clone();
            Ok((0..vs.len()).prop_map(move |j| vs[j].clone()).boxed())
        }
        (None, Some(_)) => Err(format!("{path}.Values: is empty; give at least one value")),
        _ => Err(format!("{path}: give exactly one of Range and Values")),
    }
}

/// The scenario `sc` runs as, without its `Explore` section: its text and its document.
struct Base {
    text: String,
    doc: Value,
}

/// The concrete scenario's text for one case: the knob values written into the base text.
fn concrete(base: &Base, knobs: &[KnobSpec], values: &[Value]) -> Result<String, String> {
    let mut doc = base.doc.clone();
    let mut text = base.text.clone();
    for (k, v) in knobs.iter().zip(values) {
        let path = apply_at(&mut doc, &Override { path: k.path.clone(), value: v.clone() })?;
        text = patch(&text, &path, &doc).map_err(|e| format!("{}: {e}", k.path))?;
    }
    Ok(text)
}

/// Why a concrete scenario fails under `seed`, if it does.
fn failure(text: &str, seed: u64, max_events: u64) -> Result<Option<String>, String> {
    let sc = crate::model::parse_scenario(text).map_err(|e| e.to_string())?;
    let model = Model::build(&sc).map_err(|e| e.to_string())?;
    let report = run(&model, seed, RunOptions { max_events, ..Default::default() }).map_err(|e| e.to_string())?;
    if let Some(b) = report.breaches.first() {
        return Ok(Some(format!("invariant broken: {}", b.message)));
    }
    Ok(report.verdicts.iter().find(|v| v.fatal && !v.passed).map(|v| format!("{}: {}", v.name, v.message)))
}

/// Search `sc`'s knobs. `search_seed` seeds proptest's own generator, so a search is repeatable. Each run has the
/// default budget ([`crate::sim::DEFAULT_MAX_EVENTS`]).
pub fn explore(sc: &Scenario, cases: Option<u32>, search_seed: u64) -> Result<Outcome, String> {
    explore_with(sc, cases, search_seed, crate::sim::DEFAULT_MAX_EVENTS)
}

/// [`explore`] with each run's budget (`RunOptions::max_events`, 0: none). A case whose run exceeds it is rejected,
/// as a case that does not validate is.
pub fn explore_with(sc: &Scenario, cases: Option<u32>, search_seed: u64, max_events: u64) -> Result<Outcome, String> {
    let spec = sc.explore.clone().ok_or("the scenario has no Explore section (Explore.Knobs: paths and ranges to search)")?;
    if spec.knobs.is_empty() {
        return Err("Explore.Knobs is empty".into());
    }
    let strategies = spec.knobs.iter().enumerate().map(|(i, k)| knob_strategy(k, i)).collect::<Result<Vec<_>, _>>()?;
    let seeds = SeedRange::parse(spec.seeds.as_deref().unwrap_or("1..1000000")).map_err(|e| format!("Explore.Seeds: {e}"))?;
    let cases = cases.unwrap_or(spec.cases.unwrap_or(256).clamp(1, 1_000_000) as u32);
    // Serialized from the scenario, whose payloads keep their text (`RawJson`).
    let text = serde_json::to_string(&Scenario { explore: None, ..sc.clone() }).map_err(|e| e.to_string())?;
    let base = Base { doc: serde_json::from_str(&text).map_err(|e| e.to_string())?, text };
    // Every knob path must apply, and the scenario with the low ends must validate: report bad paths up front.
    let probe: Vec<Value> = spec
        .knobs
        .iter()
        .map(|k| {
            k.range.as_ref().map(|r| r[0].clone()).or_else(|| k.values.as_ref().and_then(|v| v.first().cloned())).unwrap_or(Value::Null)
        })
        .collect();
    concrete(&base, &spec.knobs, &probe)?;

    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&search_seed.to_le_bytes());
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let strategy = (strategies, (seeds.first..=seeds.last).boxed(), Just(()));
    let knobs = spec.knobs.clone();
    let result = runner.run(&strategy, |(values, seed, ())| {
        let text = concrete(&base, &knobs, &values).map_err(TestCaseError::reject)?;
        match failure(&text, seed, max_events) {
            Err(e) => Err(TestCaseError::reject(e)),
            Ok(None) => Ok(()),
            Ok(Some(why)) => Err(TestCaseError::fail(why)),
        }
    });
    match result {
        Ok(()) => Ok(Outcome { cases, found: None }),
        Err(TestError::Abort(why)) => Err(format!("the search gave up: {why} (too many knob combinations fail validation?)")),
        Err(TestError::Fail(_, (values, seed, ()))) => {
            let text = concrete(&base, &spec.knobs, &values)?;
            let message = failure(&text, seed, max_events)?.unwrap_or_else(|| "no longer fails when re-run".into());
            let knobs = spec.knobs.iter().zip(&values).map(|(k, v)| format!("{}={v}", k.path)).collect();
            let scenario = crate::model::parse_scenario(&text).map_err(|e| e.to_string())?;
            Ok(Outcome { cases, found: Some(Found { scenario, seed, knobs, message }) })
        }
    }
}
