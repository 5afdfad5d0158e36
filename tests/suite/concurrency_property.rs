//! Property (proptest): the concurrency invariants of spec section 6 and 10.6 under random workloads and limits —
//! reserved concurrency, provisioned concurrency (function-level and on a weighted alias, changed on the timeline),
//! the account limit, synchronous bursts and async streams, executions that time out or crash, environment recycling.
//! Checked from the trace, independently of the built-in monitor (which must report nothing either):
//! - executions running per function never exceed its reserved concurrency, and in total never the account limit;
//! - an execution runs on a provisioned environment only when that environment is ready and idle;
//! - no execution runs on demand (no cold start) while a provisioned environment of its version is ready and idle;
//! - every accepted event reaches exactly one fate.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::vocab::Outcome;
use lambdasim::{load_str, run, RunOptions, TraceEvent};

#[derive(Debug, Clone)]
struct Fn {
    reserved: Option<u32>,
    pc: u32,
    alias_pc: u32,
    weight: f64,
    pc_change: Option<(u32, u32)>,
    /// A change of reserved concurrency: at a time, to a value at least the provisioned concurrency it may hold
    /// (`None`: the reservation is removed).
    reserved_change: Option<(u32, Option<u32>)>,
    dur: (u32, u32),
    init: u32,
    failing: Option<&'static str>,
}

fn function() -> impl Strategy<Value = Fn> {
    (
        prop::option::of(1u32..=15),
        0u32..=6,
        0u32..=4,
        prop::sample::select(vec![0.0, 0.3, 0.7]),
        prop::option::of((1u32..=60, 0u32..=6)),
        (20u32..=800, 0u32..=1500),
        0u32..=2000,
        prop::option::of(prop::sample::select(vec!["Timeout", "Crash", "Fail"])),
        prop::option::of((1u32..=90, prop::option::of(0u32..=10))),
    )
        .prop_map(|(reserved, pc, alias_pc, weight, pc_change, dur, init, failing, reserved_change)| {
            // Provisioned concurrency counts toward reserved concurrency and cannot exceed it (spec section 6).
            let cap = reserved.unwrap_or(10);
            let pc = pc.min(cap);
            let alias_pc = alias_pc.min(cap - pc);
            let pc_change = pc_change.map(|(t, n)| (t, n.min(cap - alias_pc)));
            // Reserved concurrency may only change on a reserved function, and never below what may be provisioned.
            let pc_max = pc.max(pc_change.map_or(0, |c| c.1)) + alias_pc;
            let reserved_change = reserved.and(reserved_change).map(|(t, v)| (t, v.map(|x| pc_max + x)));
            Fn { reserved, pc, alias_pc, weight, pc_change, reserved_change, dur, init, failing }
        })
}

#[derive(Debug, Clone)]
struct Case {
    scenario: Value,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(function(), 1..=3),
        0u32..=60,
        any::<bool>(),
        prop::option::of(20u32..=120),
        prop::collection::vec((0usize..3, any::<bool>(), any::<bool>(), 1u32..=40, 0u32..=90), 1..=5),
        any::<u64>(),
    )
        .prop_map(|(fns, extra, queue, max_lifetime, sources, seed)| {
            let names = ["a", "b", "c"];
            // The account limit leaves the required 100 unreserved above every reservation and provisioned concurrency.
            let taken: u32 = fns.iter().map(|f| f.reserved.unwrap_or(10) + 10).sum();
            let account = 100 + taken + extra;
            let mut functions = vec![];
            let mut changes = vec![];
            for (i, f) in fns.iter().enumerate() {
                let mut rules = vec![];
                if let Some(o) = f.failing {
                    rules.push(json!({"When": {"Probability": 0.3}, "Then": {"Outcome": o}}));
                }
                let mut v = json!({
                    "FunctionName": names[i],
                    "Timeout": 2,
                    "EventInvokeConfig": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 600},
                    "Behavior": {
                        "Duration": {"Uniform": {"MinMs": f.dur.0, "MaxMs": f.dur.0 + f.dur.1}},
                        "InitDuration": {"Constant": {"Ms": f.init}},
                        "Rules": rules
                    },
                    "ProvisionedConcurrency": f.pc,
                    "Versions": [{}, {"MemorySize": 256}],
                    "Aliases": [{
                        "Name": "live", "FunctionVersion": "1",
                        "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "2", "FunctionWeight": f.weight}]},
                        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": f.alias_pc}
                    }]
                });
                if let Some(r) = f.reserved {
                    v["ReservedConcurrentExecutions"] = json!(r);
                }
                match f.reserved_change {
                    Some((t, Some(r))) => changes.push(json!({"AtSeconds": t, "PutFunctionConcurrency": {"FunctionName": names[i], "ReservedConcurrentExecutions": r}})),
                    Some((t, None)) => changes.push(json!({"AtSeconds": t, "DeleteFunctionConcurrency": {"FunctionName": names[i]}})),
                    None => {}
                }
                if let Some((t, n)) = f.pc_change {
                    changes.push(json!({"AtSeconds": t, "PutProvisionedConcurrencyConfig": {"FunctionName": names[i], "Qualifier": "$LATEST", "ProvisionedConcurrentExecutions": n}}));
                }
                functions.push(v);
            }
            let workload: Vec<Value> = sources
                .iter()
                .enumerate()
                .map(|(k, (fi, sync, alias, n, at))| {
                    let f = names[fi % fns.len()];
                    let target = if *alias { format!("{f}:live") } else { f.to_string() };
                    let mut w = json!({"Name": format!("s{k}"), "Function": target,
                                       "InvocationType": if *sync { "RequestResponse" } else { "Event" }});
                    if k % 2 == 0 {
                        w["Burst"] = json!({"AtSeconds": at, "Count": n, "SpreadSeconds": k});
                    } else {
                        w["Poisson"] = json!({"RatePerSecond": f64::from(*n) / 4.0, "StartSeconds": at, "EndSeconds": at + 60});
                    }
                    w
                })
                .collect();
            let mut simulation = json!({
                "AsyncConcurrencyFull": if queue { "Queue" } else { "Backoff" },
                "ProvisionedConcurrencyAllocationSeconds": 5
            });
            if let Some(l) = max_lifetime {
                simulation["EnvironmentMaxLifetimeSeconds"] = json!(l);
            }
            Case {
                scenario: json!({
                    "Account": {"ConcurrentExecutions": account},
                    "Simulation": simulation,
                    "Functions": functions,
                    "Workload": workload,
                    "Changes": changes
                }),
                seed,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn concurrency_limits_hold_and_no_cold_start_while_provisioned_concurrency_is_free(c in case()) {
        let model = load_str(&c.scenario.to_string()).unwrap_or_else(|e| panic!("generated scenario does not validate:\n{e}\n{:#}", c.scenario));
        let mut rec = Rec::default();
        let report = run(&model, c.seed, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
        prop_assert!(report.breaches.is_empty(), "monitor: {:?}", report.breaches);

        let n = model.functions.len();
        let mut running = vec![0u32; n];
        // Reserved concurrency in force, following the changes as they apply.
        let mut reserved: Vec<Option<u32>> = model.functions.iter().map(|f| f.reserved).collect();
        let mut total = 0u32;
        // Per (function, env): the configuration of a provisioned environment, and whether it is idle and ready.
        let mut pc: BTreeMap<(usize, u32), (u32, bool)> = BTreeMap::new();
        let mut fates: BTreeMap<u64, u32> = BTreeMap::new();
        let mut accepted: BTreeSet<u64> = BTreeSet::new();
        let mut provisioned_runs = 0u64;
        for (t, e) in &rec.events {
            match e {
                TraceEvent::Accepted { event, .. } => {
                    prop_assert!(accepted.insert(*event));
                }
                TraceEvent::ConfigChange { change } => {
                    if let lambdasim::model::ChangeKind::Reserved { function, value } = model.changes[*change as usize].kind {
                        reserved[function.ix()] = value;
                    }
                }
                TraceEvent::ProvisionedReady { function, env, config, .. } => {
                    pc.insert((function.ix(), *env), (*config, true));
                }
                TraceEvent::EnvironmentShutdown { function, env, .. } => {
                    pc.remove(&(function.ix(), *env));
                }
                TraceEvent::AttemptStart { event, function, env, config, provisioned, cold, .. } => {
                    let f = function.ix();
                    if *provisioned {
                        provisioned_runs += 1;
                        prop_assert!(!cold, "a provisioned environment never cold-starts");
                        let slot = pc.get_mut(&(f, *env));
                        prop_assert!(matches!(slot, Some((c, true)) if *c == *config), "event {} at {}: provisioned environment {} not ready and idle", event, t, env);
                        if let Some(s) = slot {
                            s.1 = false;
                        }
                    } else {
                        let idle = pc.iter().filter(|((g, _), (cf, idle))| *g == f && cf == config && *idle).count();
                        prop_assert_eq!(idle, 0, "event {} at {} ran on demand (cold: {}) while {} provisioned environments of its version were free", event, t, cold, idle);
                    }
                    running[f] += 1;
                    total += 1;
                    if let Some(r) = reserved[f] {
                        prop_assert!(running[f] <= r, "{} running > reserved {} at {}", running[f], r, t);
                    }
                    prop_assert!(total <= model.account_limit, "{} running > account limit {} at {}", total, model.account_limit, t);
                }
                TraceEvent::AttemptEnd { function, env, outcome, .. } => {
                    let f = function.ix();
                    running[f] -= 1;
                    total -= 1;
                    if let Some(s) = pc.get_mut(&(f, *env)) {
                        // Idle again, unless a timeout or crash reset it (it initialises again before it is ready).
                        s.1 = !matches!(outcome, Outcome::Timeout | Outcome::Crash);
                        if !s.1 {
                            pc.remove(&(f, *env));
                        }
                    }
                }
                TraceEvent::Fate { event, .. } => {
                    *fates.entry(*event).or_default() += 1;
                }
                _ => {}
            }
        }
        prop_assert_eq!(running.iter().sum::<u32>(), 0);
        prop_assert_eq!(accepted.len(), fates.len());
        prop_assert!(fates.values().all(|n| *n == 1), "an event with two fates");
        let m: u64 = report.metrics.functions.iter().map(|f| f.provisioned_invocations).sum();
        prop_assert_eq!(m, provisioned_runs);
    }
}
