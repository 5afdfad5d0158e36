//! Shrinking: from a failing (scenario, seed), the smallest scenario that still fails the same way, found by greedy
//! delta debugging over the scenario file itself. Each step removes or lowers one thing (other expectations, workload
//! sources, arrival times, rates, counts, faults, rules, destinations, unused functions and resources) or simplifies a
//! number (a distribution to a constant, a setting to its default), and is kept only if the scenario still validates
//! and the same expectation (or a built-in invariant) still fails under the same seed. The result is a valid, readable
//! scenario file; it is re-verified by running it once more.

use crate::model::Model;
use crate::run::{run, RunOptions};
use crate::scenario::{DistSpec, Scenario};

/// What must keep failing.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The expectation with this name fails in this seed.
    Expectation(String),
    /// A built-in invariant breaks in this seed.
    Invariant,
}

/// The outcome of shrinking.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The shrunk scenario (it still fails).
    pub scenario: Scenario,
    /// Runs tried.
    pub runs: u64,
    /// Steps kept.
    pub steps: u64,
    /// Accepted events in the original failing run and in the shrunk one.
    pub events_before: u64,
    /// See `events_before`.
    pub events_after: u64,
    /// The failure message in the shrunk scenario.
    pub message: String,
}

/// Does `sc` still fail as `target` under `seed`? Returns the message, the number of events accepted, and whether
/// the failing expectation measured a value (a failure by measuring nothing is a different failure).
pub fn still_fails(sc: &Scenario, seed: u64, target: &Target) -> Option<(String, u64, bool)> {
    let model = Model::build(sc).ok()?;
    let report = run(&model, seed, RunOptions::default()).ok()?;
    match target {
        Target::Invariant => report.breaches.first().map(|b| (b.message.clone(), report.stats.accepted, true)),
        Target::Expectation(name) => report
            .verdicts
            .iter()
            .find(|v| &v.name == name && !v.passed)
            .map(|v| (v.message.clone(), report.stats.accepted, v.actual.is_some())),
    }
}

fn halve_f(x: f64) -> f64 {
    (x / 2.0 * 1000.0).round() / 1000.0
}

/// Records the arrival times of each workload source.
struct Arrivals(Vec<Vec<f64>>);

impl crate::trace::Observer for Arrivals {
    fn on_event(&mut self, t: crate::SimTime, ev: &crate::TraceEvent, _ctx: &crate::trace::Ctx<'_>) {
        let origin = match ev {
            crate::TraceEvent::Accepted { origin, .. } | crate::TraceEvent::Rejected { origin, .. } => origin,
            _ => return,
        };
        if let crate::trace::Origin::Workload(i) = origin {
            if let Some(v) = self.0.get_mut(*i as usize) {
                v.push(t.as_micros() as f64 / 1e6);
            }
        }
    }
}

/// The scenario with source `i` (a Poisson, Every or Burst source) replaced by the explicit `At` times it produced
/// under `seed`. Event keys depend on arrival instants, so every event keeps its own random draws.
fn materialize(sc: &Scenario, seed: u64, i: usize) -> Option<Scenario> {
    let w = sc.workload.get(i)?;
    if w.at.is_some() {
        return None;
    }
    let model = Model::build(sc).ok()?;
    let mut arr = Arrivals(vec![vec![]; sc.workload.len()]);
    run(&model, seed, RunOptions { observers: vec![&mut arr], ..Default::default() }).ok()?;
    let times = std::mem::take(&mut arr.0[i]);
    if times.is_empty() || times.len() > 100_000 {
        return None;
    }
    let mut c = sc.clone();
    let w = &mut c.workload[i];
    w.poisson = None;
    w.every = None;
    w.burst = None;
    w.at = Some(times);
    Some(c)
}

/// Candidate one-step reductions of `sc`, biggest first: other expectations, whole sources and faults, then each
/// source's arrivals, then each function's settings, then unused resources, and last the generated arrivals made
/// explicit. The order matters: the shrinker keeps the first candidate that still fails.
fn candidates(sc: &Scenario, target: &Target, seed: u64) -> Vec<Scenario> {
    let mut cands = Candidates { sc, out: vec![] };
    cands.other_expectations(target);
    cands.whole_sources_and_faults();
    for i in 0..sc.workload.len() {
        cands.fewer_arrivals(i);
        cands.finer_window_cuts(i);
        cands.arrival_chunks(i);
    }
    for i in 0..sc.functions.len() {
        cands.simpler_function(i);
    }
    cands.unused_resources();
    // Generated arrivals as explicit times, so that single arrivals can be removed.
    let mut out = cands.out;
    out.extend((0..sc.workload.len()).filter_map(|i| materialize(sc, seed, i)));
    out
}

/// The candidates made so far from `sc`: each is a copy of `sc` with one edit that changed something.
struct Candidates<'a> {
    sc: &'a Scenario,
    out: Vec<Scenario>,
}

impl Candidates<'_> {
    /// Adds a copy of the scenario edited by `f`, if `f` says it changed something.
    fn push(&mut self, f: impl FnOnce(&mut Scenario) -> bool) {
        let mut c = self.sc.clone();
        if f(&mut c) {
            self.out.push(c);
        }
    }

    /// Only the failing expectation matters (none, for a broken invariant).
    fn other_expectations(&mut self, target: &Target) {
        if let Target::Expectation(name) = target {
            self.push(|c| {
                let before = c.expectations.len();
                c.expectations.retain(|e| e.name.as_deref() == Some(name.as_str()));
                c.expectations.len() != before && !c.expectations.is_empty()
            });
        } else {
            self.push(|c| {
                let had = !c.expectations.is_empty();
                c.expectations.clear();
                had
            });
        }
    }

    /// Each workload source (keeping at least one), then each fault.
    fn whole_sources_and_faults(&mut self) {
        for i in 0..self.sc.workload.len() {
            self.push(|c| {
                if c.workload.len() > 1 {
                    c.workload.remove(i);
                    true
                } else {
                    false
                }
            });
        }
        for i in 0..self.sc.faults.len() {
            self.push(|c| {
                c.faults.remove(i);
                true
            });
        }
    }

    /// Source `i` with half its arrivals: its later half (the first half of its times, window or count), then its
    /// earlier half or half its rate (or its burst not spread).
    fn fewer_arrivals(&mut self, i: usize) {
        self.push(|c| {
            let w = &mut c.workload[i];
            if let Some(at) = w.at.as_mut().filter(|a| a.len() > 1) {
                at.truncate(at.len() / 2);
                return true;
            }
            if let Some(p) = w.poisson.as_mut() {
                let start = p.start_seconds.unwrap_or(0.0);
                let span = p.end_seconds - start;
                if span > 0.002 {
                    p.end_seconds = start + halve_f(span);
                    return true;
                }
            }
            if let Some(e) = w.every.as_mut() {
                let start = e.start_seconds.unwrap_or(0.0);
                if e.end_seconds - start > e.interval_seconds {
                    e.end_seconds = start + halve_f(e.end_seconds - start).max(e.interval_seconds);
                    return true;
                }
            }
            if let Some(b) = w.burst.as_mut().filter(|b| b.count > 1) {
                b.count /= 2;
                return true;
            }
            false
        });
        self.push(|c| {
            let w = &mut c.workload[i];
            if let Some(at) = w.at.as_mut().filter(|a| a.len() > 1) {
                let n = at.len();
                at.drain(..n / 2);
                return true;
            }
            if let Some(p) = w.poisson.as_mut() {
                if p.rate_per_second > 0.01 {
                    p.rate_per_second = (p.rate_per_second / 2.0).max(0.01);
                    return true;
                }
            }
            if let Some(b) = w.burst.as_mut().filter(|b| b.spread_seconds.unwrap_or(0.0) > 0.0) {
                b.spread_seconds = None;
                return true;
            }
            false
        });
    }

    /// Finer cuts of a rate-based source's window, keeping its start (so the draws that remain are the same).
    fn finer_window_cuts(&mut self, i: usize) {
        for frac in [0.75, 0.9] {
            self.push(|c| {
                let w = &mut c.workload[i];
                if let Some(p) = w.poisson.as_mut() {
                    let start = p.start_seconds.unwrap_or(0.0);
                    let span = p.end_seconds - start;
                    if span > 0.01 {
                        p.end_seconds = start + (span * frac * 1000.0).round() / 1000.0;
                        return true;
                    }
                }
                if let Some(e) = w.every.as_mut() {
                    let start = e.start_seconds.unwrap_or(0.0);
                    let span = e.end_seconds - start;
                    if span * frac > e.interval_seconds {
                        e.end_seconds = start + (span * frac * 1000.0).round() / 1000.0;
                        return true;
                    }
                }
                false
            });
        }
    }

    /// Delta debugging over explicit arrival times: remove chunks, from halves down to single arrivals.
    fn arrival_chunks(&mut self, i: usize) {
        let Some(at) = &self.sc.workload[i].at else { return };
        let n = at.len();
        let mut parts = 2;
        while parts <= n.max(2) && n > 1 {
            let size = n.div_ceil(parts);
            for k in 0..parts {
                let (lo, hi) = (k * size, ((k + 1) * size).min(n));
                if lo >= hi || hi - lo == n {
                    continue;
                }
                self.push(|c| match c.workload[i].at.as_mut() {
                    Some(a) => {
                        a.drain(lo..hi);
                        true
                    }
                    None => false,
                });
            }
            if size == 1 {
                break;
            }
            parts *= 2;
        }
    }

    /// Function `i` simpler: fewer behaviour rules, constant durations, default settings, no destinations or dead
    /// letter queue, and last the function itself gone (keeping at least one).
    fn simpler_function(&mut self, i: usize) {
        self.push(|c| {
            let Some(b) = c.functions[i].behavior.as_mut() else { return false };
            if b.rules.len() > 1 {
                b.rules.pop();
                return true;
            }
            false
        });
        let rules = self.sc.functions[i].behavior.as_ref().map_or(0, |b| b.rules.len());
        for j in 0..rules.min(16) {
            self.push(|c| {
                let b = c.functions[i].behavior.as_mut().expect("checked");
                b.rules.remove(j);
                true
            });
        }
        self.push(|c| {
            let Some(b) = c.functions[i].behavior.as_mut() else { return false };
            let mut changed = false;
            for d in [&mut b.duration, &mut b.init_duration] {
                if let Some(spec) = d.as_ref() {
                    if let Some(k) = constant_of(spec) {
                        *d = Some(DistSpec::Constant { ms: k });
                        changed = true;
                    }
                }
            }
            changed
        });
        self.push(|c| {
            let f = &mut c.functions[i];
            let changed = f.timeout.is_some() || f.memory_size.is_some() || f.architectures.is_some();
            f.timeout = None;
            f.memory_size = None;
            f.architectures = None;
            changed
        });
        self.push(|c| {
            let f = &mut c.functions[i];
            let Some(dc) = f.event_invoke_config.as_mut().and_then(|e| e.destination_config.as_mut()) else { return false };
            dc.on_success.take().is_some()
        });
        self.push(|c| {
            let f = &mut c.functions[i];
            let Some(dc) = f.event_invoke_config.as_mut().and_then(|e| e.destination_config.as_mut()) else { return false };
            dc.on_failure.take().is_some()
        });
        self.push(|c| c.functions[i].dead_letter_config.take().is_some());
        self.push(|c| {
            if c.functions.len() > 1 {
                c.functions.remove(i);
                true
            } else {
                false
            }
        });
    }

    /// Each queue, topic, event bus and bucket removed (one that is still used fails validation and is dropped).
    fn unused_resources(&mut self) {
        for i in 0..self.sc.queues.len() {
            self.push(|c| {
                c.queues.remove(i);
                true
            });
        }
        for i in 0..self.sc.topics.len() {
            self.push(|c| {
                c.topics.remove(i);
                true
            });
        }
        for i in 0..self.sc.event_buses.len() {
            self.push(|c| {
                c.event_buses.remove(i);
                true
            });
        }
        for i in 0..self.sc.buckets.len() {
            self.push(|c| {
                c.buckets.remove(i);
                true
            });
        }
    }
}

/// The constant a distribution simplifies to (its median or mean), if it is not constant already.
fn constant_of(d: &DistSpec) -> Option<f64> {
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    match d {
        DistSpec::Constant { .. } => None,
        DistSpec::Uniform { min_ms, max_ms } => Some(r((min_ms + max_ms) / 2.0)),
        DistSpec::Exponential { mean_ms, .. } => Some(r(*mean_ms)),
        DistSpec::LogNormal { median_ms, .. } => Some(r(*median_ms)),
        DistSpec::Empirical { samples_ms } => samples_ms.first().map(|x| r(*x)),
    }
}

/// Shrink `sc`, which fails as `target` under `seed`, trying at most `max_runs` candidate runs.
pub fn shrink(sc: &Scenario, seed: u64, target: &Target, max_runs: u64) -> Option<Shrunk> {
    let mut current = sc.clone();
    // Name every expectation and source as the run names them, so that removing one does not rename another (a
    // source's name also names its random streams).
    for (i, e) in current.expectations.iter_mut().enumerate() {
        if e.name.is_none() {
            e.name = Some(format!("expectation[{i}]"));
        }
    }
    for (i, w) in current.workload.iter_mut().enumerate() {
        if w.name.is_none() {
            w.name = Some(format!("workload[{i}]"));
        }
    }
    let (mut message, events_before, measured) = still_fails(&current, seed, target)?;
    let mut events_after = events_before;
    let mut runs = 1;
    let mut steps = 0;
    'outer: loop {
        for cand in candidates(&current, target, seed) {
            if runs >= max_runs {
                break 'outer;
            }
            runs += 1;
            if let Some((m, ev, meas)) = still_fails(&cand, seed, target).filter(|x| x.2 == measured) {
                let _ = meas;
                current = cand;
                message = m;
                events_after = ev;
                steps += 1;
                continue 'outer;
            }
        }
        break;
    }
    if let Some(n) = current.name.as_mut() {
        if !n.ends_with("-shrunk") {
            n.push_str("-shrunk");
        }
    }
    // Re-verify the result as written.
    let (message2, ev2, _) = still_fails(&current, seed, target).unwrap_or((message, events_after, measured));
    Some(Shrunk { scenario: current, runs, steps, events_before, events_after: ev2, message: message2 })
}
