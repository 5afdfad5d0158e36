//! `lambdasim compare`: two configurations run on the same seeds, reported as paired differences with confidence
//! intervals.
//!
//! Configuration B is a second scenario file, or the first with `--set PATH=VALUE` overrides (or both). Every random
//! stream is keyed by seed, component and purpose (`rng.rs`), so under one seed both configurations see the same
//! arrivals, durations and rule draws wherever their components agree: common random numbers. The difference B − A is
//! taken per seed, and its mean gets a two-sided 95 % confidence interval from the t distribution with n − 1 degrees of
//! freedom. The same configuration twice gives differences of exactly zero.
//!
//! Seeds run in parallel (`--jobs`), each on its own thread with its own simulation; results are collected per seed and
//! reduced in seed order, so the output does not depend on the number of threads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::campaign::patch::{patch, Seg};
use crate::campaign::stats::t_quantile;
use crate::model::Model;
use crate::observe::metrics::at_percentile;
use crate::run::{run, RunOptions, RunReport};
use crate::vocab::Fate;

/// `--set PATH=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Where to set it (`functions.api.ReservedConcurrentExecutions`; see `apply`).
    pub path: String,
    /// The value to set there.
    pub value: Value,
}

impl Override {
    /// Parses `PATH=VALUE`; VALUE is JSON (`50`, `true`, `[1,2]`, `{"Ms": 5}`), or else taken as a string.
    pub fn parse(s: &str) -> Result<Override, String> {
        let Some((path, value)) = s.split_once('=') else {
            return Err(format!("--set {s:?}: expected PATH=VALUE, e.g. functions.api.ReservedConcurrentExecutions=50"));
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("--set {s:?}: the path before '=' is empty"));
        }
        let value = serde_json::from_str(value.trim()).unwrap_or_else(|_| Value::String(value.to_string()));
        Ok(Override { path: path.to_string(), value })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Key(String),
    Index(usize),
}

fn tokens(path: &str) -> Result<Vec<Token>, String> {
    let mut out = vec![];
    for seg in path.split('.') {
        let (key, mut rest) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !key.is_empty() {
            out.push(Token::Key(key.to_string()));
        } else if rest.is_empty() {
            return Err(format!("--set {path}: empty segment; write segments separated by '.', indices as [i]"));
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| format!("--set {path}: '[' without ']'"))?;
            let n: usize = rest[1..close]
                .trim()
                .parse()
                .map_err(|_| format!("--set {path}: {:?} is not an index; use [0], [1], ...", &rest[..=close]))?;
            out.push(Token::Index(n));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("--set {path}: unexpected {rest:?} after an index"));
            }
        }
    }
    Ok(out)
}

/// Properties that name the elements of scenario arrays, tried in order when a path addresses an array by name.
const NAME_KEYS: [&str; 5] = ["FunctionName", "Name", "QueueName", "TopicName", "BucketName"];

/// Applies an override to a scenario document. Paths address the JSON: `functions.<FunctionName>.<Property>...`
/// picks the element of `Functions` with that name (any array can be addressed by its elements' `FunctionName`,
/// `Name`, `QueueName`, `TopicName` or `BucketName`), `[i]` indexes an array, and keys match the document's keys
/// regardless of case (`simulation.DurationSeconds` is `Simulation.DurationSeconds`). Missing objects on the way are
/// created; the value replaces what was there. The result is validated like any scenario, so a bad value gets the
/// usual error with its JSON path.
pub fn apply(doc: &mut Value, o: &Override) -> Result<(), String> {
    apply_at(doc, o).map(|_| ())
}

/// [`apply`], also giving the path it resolved to (keys as the document spells them, indices), for
/// [`crate::campaign::patch::patch`] to write the same change into the scenario's text.
pub fn apply_at(doc: &mut Value, o: &Override) -> Result<Vec<Seg>, String> {
    let toks = tokens(&o.path)?;
    let mut cur = doc;
    let mut at = String::new();
    let mut resolved = vec![];
    for (i, t) in toks.iter().enumerate() {
        let last = i + 1 == toks.len();
        match t {
            Token::Index(n) => {
                let Value::Array(a) = cur else {
                    return Err(format!("--set {}: {} is not an array", o.path, if at.is_empty() { "the scenario" } else { &at }));
                };
                let len = a.len();
                let Some(e) = a.get_mut(*n) else {
                    return Err(format!("--set {}: index {n} is out of range; {at} has {len} elements", o.path));
                };
                at = format!("{at}[{n}]");
                resolved.push(Seg::Index(*n));
                if last {
                    *e = o.value.clone();
                    return Ok(resolved);
                }
                cur = e;
            }
            Token::Key(k) => match cur {
                Value::Array(a) => {
                    let pos = a.iter().position(|e| NAME_KEYS.iter().any(|nk| e.get(nk).and_then(Value::as_str) == Some(k.as_str())));
                    let Some(pos) = pos else {
                        let known: Vec<String> = a
                            .iter()
                            .filter_map(|e| NAME_KEYS.iter().find_map(|nk| e.get(nk).and_then(Value::as_str)).map(str::to_string))
                            .collect();
                        return Err(format!("--set {}: no element of {at} is named {k:?}; names: {}", o.path, known.join(", ")));
                    };
                    at = format!("{at}[{pos}]");
                    resolved.push(Seg::Index(pos));
                    if last {
                        a[pos] = o.value.clone();
                        return Ok(resolved);
                    }
                    cur = &mut a[pos];
                }
                Value::Object(m) => {
                    let key = match m.keys().find(|x| *x == k).or_else(|| m.keys().find(|x| x.eq_ignore_ascii_case(k))) {
                        Some(x) => x.clone(),
                        None if i == 0 => {
                            // Top-level properties are PascalCase.
                            let mut c = k.chars();
                            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                        }
                        None => k.clone(),
                    };
                    at = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                    resolved.push(Seg::Key(key.clone()));
                    if last {
                        m.insert(key, o.value.clone());
                        return Ok(resolved);
                    }
                    let next = toks.get(i + 1);
                    cur = m.entry(key).or_insert_with(|| match next {
                        Some(Token::Index(_)) => Value::Array(vec![]),
                        _ => Value::Object(Map::new()),
                    });
                }
                _ => return Err(format!("--set {}: {at} is not an object or array, cannot set {k:?} in it", o.path)),
            },
        }
    }
    Err(format!("--set {}: nothing to set", o.path))
}

/// Applies `overrides` in order to the scenario `text`, keeping the text of every value they do not change (see
/// [`crate::campaign::patch`]): the scenario B of `compare --set`. Errors as [`apply`]'s.
pub fn apply_to_text(text: &str, overrides: &[Override]) -> Result<String, String> {
    let mut doc: Value = serde_json::from_str(text).map_err(|e| format!("the scenario is not JSON: {e}"))?;
    let mut out = text.to_string();
    for o in overrides {
        let path = apply_at(&mut doc, o)?;
        out = patch(&out, &path, &doc).map_err(|e| format!("--set {}: {e}", o.path))?;
    }
    Ok(out)
}

/// Parses `--seeds` (the forms of `campaign::seeds::SeedSet`, as `check` reads them: `N`, `A..B` with both ends
/// included, `A..=B`, or a comma list such as `1,5,10..20`), at most a million seeds, in ascending order.
pub fn parse_seeds(s: &str) -> Result<Vec<u64>, String> {
    const MAX: u64 = 1_000_000;
    let set = crate::campaign::seeds::SeedSet::parse(s)?;
    if set.len() > MAX {
        return Err(format!("--seeds {s:?}: {} seeds, at most {MAX} can be compared", set.len()));
    }
    Ok(set.iter().collect())
}

/// The figures compared, per run, in a stable order: overall, then per function.
pub fn measures(model: &Model, r: &RunReport) -> Vec<(String, Option<f64>)> {
    let m = &r.metrics;
    let p99 = |h: &hdrhistogram::Histogram<u64>| at_percentile(h, 99.0).map(|us| us as f64 / 1e6);
    let mut out = vec![
        ("all.latencyP99Seconds".to_string(), p99(&m.all_latency)),
        ("all.throttles".into(), Some(m.functions.iter().map(|f| f.throttles).sum::<u64>() as f64)),
        ("all.coldStarts".into(), Some(m.functions.iter().map(|f| f.cold_starts).sum::<u64>() as f64)),
        ("all.costUsd".into(), Some((0..model.functions.len()).map(|i| m.cost(model, i)).sum())),
        ("all.peakConcurrency".into(), Some(f64::from(m.account_peak))),
        ("all.provisionedSpillovers".into(), Some(m.functions.iter().map(|f| f.spillovers).sum::<u64>() as f64)),
    ];
    for fate in Fate::ALL {
        out.push((format!("all.fates.{}", fate.name()), Some(m.functions.iter().map(|f| f.fate(fate)).sum::<u64>() as f64)));
    }
    for (i, fd) in model.functions.iter().enumerate() {
        let f = &m.functions[i];
        let n = &fd.name;
        out.push((format!("{n}.latencyP99Seconds"), p99(&f.latency)));
        out.push((format!("{n}.syncLatencyP99Seconds"), p99(&f.sync_latency)));
        out.push((format!("{n}.queueWaitP99Seconds"), p99(&f.queue_wait)));
        out.push((format!("{n}.throttles"), Some(f.throttles as f64)));
        out.push((format!("{n}.coldStarts"), Some(f.cold_starts as f64)));
        out.push((format!("{n}.peakConcurrency"), Some(f64::from(f.peak_concurrency))));
        out.push((format!("{n}.costUsd"), Some(m.cost(model, i))));
        out.push((format!("{n}.provisionedSpillovers"), Some(f.spillovers as f64)));
        for fate in Fate::ALL {
            out.push((format!("{n}.fates.{}", fate.name()), Some(f.fate(fate) as f64)));
        }
    }
    out
}

/// One compared figure over all seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    /// The figure's name (`orders.p99LatencyMs`, `all.peakConcurrency`, ...).
    pub metric: String,
    /// Seeds compared.
    pub n: usize,
    /// Mean over the seeds in A.
    pub mean_a: f64,
    /// Mean over the seeds in B.
    pub mean_b: f64,
    /// Mean of the per-seed differences B − A.
    pub mean_diff: f64,
    /// Sample standard deviation of the differences.
    pub sd_diff: f64,
    /// 95 % confidence interval of the mean difference (`None` with fewer than 2 seeds).
    pub ci: Option<(f64, f64)>,
}

impl Paired {
    /// The interval lies entirely above or below 0.
    pub fn excludes_zero(&self) -> bool {
        matches!(self.ci, Some((lo, hi)) if lo > 0.0 || hi < 0.0)
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (for a two-sided 95 % interval).
pub fn t975(df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    t_quantile(0.975, df as f64)
}

/// Mean, and the paired statistics, of per-seed values.
pub fn paired(metric: &str, a: &[f64], b: &[f64]) -> Paired {
    let n = a.len().min(b.len());
    let mean = |x: &[f64]| if x.is_empty() { 0.0 } else { x.iter().sum::<f64>() / x.len() as f64 };
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let md = mean(&d);
    let sd = if n >= 2 { (d.iter().map(|x| (x - md) * (x - md)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
    let ci = (n >= 2).then(|| {
        let half = t975(n - 1) * sd / (n as f64).sqrt();
        (md - half, md + half)
    });
    Paired { metric: metric.to_string(), n, mean_a: mean(&a[..n]), mean_b: mean(&b[..n]), mean_diff: md, sd_diff: sd, ci }
}

/// The result of a comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// The name A is shown by.
    pub a_label: String,
    /// The name B is shown by.
    pub b_label: String,
    /// Every compared figure.
    pub metrics: Vec<Paired>,
    /// Per seed, in the order of `seeds`: the trace digests of A's run and of B's (as `lambdasim run --seed` prints
    /// them): equal when B runs exactly as A does.
    pub digests: Vec<(String, String)>,
}

/// Runs both models on every seed (`jobs` threads) and pairs the figures. Figures missing in some run (a p99 of no
/// events) and figures zero in every run of both are left out.
pub fn compare(a: &Model, b: &Model, seeds: &[u64], jobs: usize, a_label: String, b_label: String) -> std::io::Result<Comparison> {
    compare_with(a, b, seeds, jobs, a_label, b_label, crate::sim::DEFAULT_MAX_EVENTS)
}

/// [`compare`] with each run's budget (`RunOptions::max_events`, 0: none); a run over it fails the comparison.
pub fn compare_with(
    a: &Model,
    b: &Model,
    seeds: &[u64],
    jobs: usize,
    a_label: String,
    b_label: String,
    max_events: u64,
) -> std::io::Result<Comparison> {
    type PerSeed = (Vec<(String, Option<f64>)>, Vec<(String, Option<f64>)>, (String, String));
    let results: Vec<Mutex<Option<std::io::Result<PerSeed>>>> = seeds.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(seed) = seeds.get(i) else { break };
        let opts = || RunOptions { max_events, ..Default::default() };
        let r = run(a, *seed, opts())
            .and_then(|ra| run(b, *seed, opts()).map(|rb| (measures(a, &ra), measures(b, &rb), (ra.digest, rb.digest))));
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(r);
        }
    };
    let jobs = jobs.clamp(1, seeds.len().max(1));
    if jobs == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(work);
            }
        });
    }
    // Reduce in seed order.
    let mut per_a: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let mut per_b: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let mut order: Vec<String> = vec![];
    let mut digests = vec![];
    for slot in results {
        let r = slot.into_inner().ok().flatten().ok_or_else(|| std::io::Error::other("a seed's run did not finish"))??;
        if order.is_empty() {
            order = r.0.iter().map(|(k, _)| k.clone()).collect();
        }
        for (k, v) in r.0 {
            per_a.entry(k).or_default().push(v);
        }
        for (k, v) in r.1 {
            per_b.entry(k).or_default().push(v);
        }
        digests.push(r.2);
    }
    let n = seeds.len();
    let mut metrics = vec![];
    for k in order {
        let (Some(va), Some(vb)) = (per_a.get(&k), per_b.get(&k)) else { continue };
        if va.len() != n || vb.len() != n || va.iter().chain(vb).any(Option::is_none) {
            continue;
        }
        let va: Vec<f64> = va.iter().flatten().copied().collect();
        let vb: Vec<f64> = vb.iter().flatten().copied().collect();
        if va.iter().chain(&vb).all(|x| *x == 0.0) {
            continue;
        }
        metrics.push(paired(&k, &va, &vb));
    }
    Ok(Comparison { seeds: seeds.to_vec(), a_label, b_label, metrics, digests })
}

fn seeds_text(seeds: &[u64]) -> String {
    match (seeds.first(), seeds.last()) {
        (Some(a), Some(b)) if seeds.windows(2).all(|w| w[1] == w[0] + 1) && seeds.len() > 1 => format!("{a}..{b}"),
        _ => seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
    }
}

impl Comparison {
    /// Seeds on which A and B gave the same trace digest (the same run, event for event).
    pub fn identical_runs(&self) -> usize {
        self.digests.iter().filter(|(a, b)| a == b).count()
    }

    fn method(&self) -> String {
        let n = self.seeds.len();
        if n >= 2 {
            format!("paired differences B - A over {n} seeds (common random numbers); 95% CI of the mean difference from Student's t with {} df (t = {:.4})", n - 1, t975(n - 1))
        } else {
            "one seed: no confidence interval".to_string()
        }
    }

    /// The comparison as JSON (`compare --format json`).
    pub fn to_json(&self) -> Value {
        json!({
            "lambdasim": env!("CARGO_PKG_VERSION"),
            "a": self.a_label,
            "b": self.b_label,
            "seeds": seeds_text(&self.seeds),
            "n": self.seeds.len(),
            "confidence": 0.95,
            "method": self.method(),
            "identicalRuns": self.identical_runs(),
            "digests": self.seeds.iter().zip(&self.digests).map(|(s, (a, b))| json!({"seed": s, "a": a, "b": b})).collect::<Vec<_>>(),
            "metrics": self.metrics.iter().map(|p| json!({
                "metric": p.metric,
                "meanA": p.mean_a,
                "meanB": p.mean_b,
                "meanDiff": p.mean_diff,
                "sdDiff": p.sd_diff,
                "ciLow": p.ci.map(|c| c.0),
                "ciHigh": p.ci.map(|c| c.1),
                "excludesZero": p.excludes_zero(),
                "relativeChange": (p.mean_a != 0.0).then(|| p.mean_diff / p.mean_a),
            })).collect::<Vec<_>>(),
        })
    }

    /// The comparison as a table for people.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(s, "lambdasim {} compare, seeds {}", env!("CARGO_PKG_VERSION"), seeds_text(&self.seeds));
        let _ = writeln!(s, "  A: {}", self.a_label);
        let _ = writeln!(s, "  B: {}", self.b_label);
        let _ = writeln!(s, "{}", self.method());
        let _ = writeln!(s, "identical runs (same trace digest): {} of {} seeds", self.identical_runs(), self.seeds.len());
        let _ = writeln!(s, "'*': the interval excludes 0\n");
        let w = self.metrics.iter().map(|p| p.metric.len()).max().unwrap_or(6).max(6);
        let _ = writeln!(s, "{:<w$}  {:>13}  {:>13}  {:>13}  {:>29}  {:>8}", "metric", "mean A", "mean B", "B - A", "95% CI", "change");
        for p in &self.metrics {
            let ci = match p.ci {
                Some((lo, hi)) => format!("[{}, {}]", num(lo), num(hi)),
                None => "-".into(),
            };
            let change = if p.mean_a != 0.0 { format!("{:+.1}%", p.mean_diff / p.mean_a * 100.0) } else { "-".into() };
            let _ = writeln!(
                s,
                "{:<w$}  {:>13}  {:>13}  {:>13}  {:>29}  {:>8}{}",
                p.metric,
                num(p.mean_a),
                num(p.mean_b),
                num(p.mean_diff),
                ci,
                change,
                if p.excludes_zero() { " *" } else { "" }
            );
        }
        s
    }
}

/// Six significant digits, compact.
fn num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-4..1e9).contains(&a) {
        return format!("{x:.4e}");
    }
    let digits = (5 - a.log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse() {
        assert_eq!(parse_seeds("1..3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_seeds("1..=3,7").unwrap(), vec![1, 2, 3, 7]);
        assert_eq!(parse_seeds("5").unwrap(), vec![5]);
        assert!(parse_seeds("3..1").unwrap_err().contains("--seeds"));
        assert!(parse_seeds("x").is_err());
        assert!(parse_seeds("0..99999999999").is_err());
    }

    #[test]
    fn overrides_address_the_json() {
        let mut doc: Value = serde_json::from_str(
            r#"{"Functions": [{"FunctionName": "api"}, {"FunctionName": "b", "Behavior": {}}], "Workload": [{"Name": "w", "Burst": {"Count": 3}}]}"#,
        )
        .unwrap();
        apply(&mut doc, &Override::parse("functions.api.ReservedConcurrentExecutions=50").unwrap()).unwrap();
        apply(&mut doc, &Override::parse("simulation.DurationSeconds=60").unwrap()).unwrap();
        apply(&mut doc, &Override::parse("Workload[0].Burst.Count=9").unwrap()).unwrap();
        apply(&mut doc, &Override::parse("workload.w.Name=x").unwrap()).unwrap();
        apply(&mut doc, &Override::parse("functions.b.Behavior.Duration={\"Constant\": {\"Ms\": 5}}").unwrap()).unwrap();
        assert_eq!(doc["Functions"][0]["ReservedConcurrentExecutions"], json!(50));
        assert_eq!(doc["Simulation"]["DurationSeconds"], json!(60));
        assert_eq!(doc["Workload"][0]["Burst"]["Count"], json!(9));
        assert_eq!(doc["Workload"][0]["Name"], json!("x"));
        assert_eq!(doc["Functions"][1]["Behavior"]["Duration"]["Constant"]["Ms"], json!(5));
        let e = apply(&mut doc, &Override::parse("functions.nope.Timeout=3").unwrap()).unwrap_err();
        assert!(e.contains("\"nope\"") && e.contains("api"), "{e}");
        assert!(apply(&mut doc, &Override::parse("Workload[5].Name=x").unwrap()).unwrap_err().contains("out of range"));
        assert!(Override::parse("novalue").is_err());
    }

    #[test]
    fn t_quantiles() {
        assert!((t975(30) - 2.042).abs() < 1e-3);
        assert!((t975(31) - 2.0395).abs() < 2e-4);
        assert!((t975(199) - 1.9720).abs() < 2e-4);
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn paired_stats() {
        let p = paired("x", &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
        assert_eq!((p.mean_diff, p.sd_diff, p.ci), (0.0, 0.0, Some((0.0, 0.0))));
        assert!(!p.excludes_zero());
        let p = paired("x", &[10.0, 12.0, 11.0, 13.0], &[5.0, 6.0, 6.0, 7.0]);
        assert!(p.mean_diff < 0.0 && p.excludes_zero());
    }
}
