//! Provisioned concurrency, versions and aliases, configuration changes on the timeline and delivery faults
//! (`docs/semantics.md` sections 3.2, 4, 6 and 8), through the library: scenarios written inline,
//! run with a recording observer, assertions on exact times, counts, record fields and dollars.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::common::Rec;
use lambdasim::vocab::{DeliveryFailure, RecordKind, ShutdownReason};
use lambdasim::{load_str, run, Fate, MemorySinks, Model, RunOptions, RunReport, SimTime, TraceEvent};

const ACCOUNT: &str = "us-east-1:123456789012";

fn sqs(name: &str) -> String {
    format!("arn:aws:sqs:{ACCOUNT}:{name}")
}
fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:{ACCOUNT}:function:{name}")
}
fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn load(sc: &Value) -> Model {
    load_str(&sc.to_string()).unwrap_or_else(|e| panic!("scenario does not validate:\n{e}\n{sc:#}"))
}

struct Out {
    model: Model,
    report: RunReport,
    rec: Rec,
    sinks: MemorySinks,
}

fn simulate(sc: &Value, seed: u64) -> Out {
    let model = load(sc);
    let mut rec = Rec::default();
    let mut sinks = MemorySinks::default();
    let report = run(&model, seed, RunOptions { observers: vec![&mut rec, &mut sinks], ..Default::default() }).expect("run");
    assert!(report.breaches.is_empty(), "invariant breaches: {:?}", report.breaches);
    Out { model, report, rec, sinks }
}

/// The validation errors of a scenario, as text.
fn errors(sc: &Value) -> String {
    match load_str(&sc.to_string()) {
        Ok(_) => panic!("scenario validates but should not:\n{sc:#}"),
        Err(e) => e.to_string(),
    }
}

/// (time, event, config, provisioned, spillover, cold) of every execution start.
fn starts(o: &Out) -> Vec<(SimTime, u64, u32, bool, bool, bool)> {
    o.rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::AttemptStart { event, config, provisioned, spillover, cold, .. } => {
                Some((*t, *event, *config, *provisioned, *spillover, *cold))
            }
            _ => None,
        })
        .collect()
}

fn fates(o: &Out) -> BTreeMap<u64, (Fate, u32, u32)> {
    o.rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::Fate { event, fate, attempts, config, .. } => Some((*event, (*fate, *attempts, *config))),
            _ => None,
        })
        .collect()
}

fn constant(ms: f64) -> Value {
    json!({"Constant": {"Ms": ms}})
}

/// A function with constant 100 ms executions and 500 ms cold starts.
fn api(extra: Value) -> Value {
    let mut f = json!({
        "FunctionName": "api",
        "MemorySize": 1024,
        "Behavior": {"Duration": constant(100.0), "InitDuration": constant(500.0)}
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        f[k] = v;
    }
    f
}

fn sync_burst(function: &str, at: f64, count: i64) -> Value {
    json!({"Name": format!("burst-{at}"), "Function": function, "InvocationType": "RequestResponse", "Burst": {"AtSeconds": at, "Count": count}})
}

// ---------------------------------------------------------------------------------------------------------------------
// provisioned concurrency (spec section 6)

#[test]
fn a_burst_of_n_sync_calls_on_n_provisioned_environments_has_no_cold_start() {
    let o = simulate(
        &json!({"Functions": [api(json!({"ReservedConcurrentExecutions": 10, "ProvisionedConcurrency": 5}))], "Workload": [sync_burst("api", 1.0, 5)]}),
        1,
    );
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.cold_starts, m.provisioned_invocations, m.spillovers, m.attempts), (0, 5, 0, 5));
    let s = starts(&o);
    assert!(s.iter().all(|x| x.3 && !x.4 && !x.5), "{s:?}");
    // Pre-initialised before the run: five environments ready at time 0, no init billed.
    let ready: Vec<(SimTime, SimTime)> = o
        .rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::ProvisionedReady { init, .. } => Some((*t, *init)),
            _ => None,
        })
        .collect();
    assert_eq!(ready, vec![(SimTime::ZERO, SimTime::ZERO); 5]);
    // Every caller answered in exactly the handler's 100 ms: no init on the request path.
    let latencies: Vec<SimTime> = o
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::CallResult { latency, .. } => Some(*latency),
            _ => None,
        })
        .collect();
    assert_eq!(latencies, vec![SimTime::from_millis(100); 5]);
}

#[test]
fn one_call_more_than_provisioned_concurrency_spills_over_once_and_cold_starts() {
    let o = simulate(
        &json!({"Functions": [api(json!({"ReservedConcurrentExecutions": 10, "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 5}}))],
        "Workload": [sync_burst("api", 1.0, 6)],
        "Expectations": [
            {"Expect": {"ProvisionedSpillovers": {"Function": "api"}}, "Equals": 1},
            {"Expect": {"ProvisionedInvocations": {"Function": "api"}}, "Equals": 5},
            {"Expect": {"ColdStarts": {"Function": "api"}}, "Equals": 1}
        ]}),
        1,
    );
    assert!(o.report.expectations_passed(), "{:?}", o.report.verdicts);
    let s = starts(&o);
    let spilled: Vec<_> = s.iter().filter(|x| x.4).collect();
    assert_eq!(spilled.len(), 1);
    assert!(!spilled[0].3 && spilled[0].5, "the spillover runs on demand, cold: {spilled:?}");
    let j = o.report.to_json(&o.model);
    assert_eq!(j["functions"]["api"]["provisionedConcurrencySpilloverInvocations"], 1);
    assert_eq!(j["provisionedConcurrencySpilloverInvocations"], 1);
    assert!(o.report.to_text(&o.model).contains("1 spillovers"));
}

#[test]
fn provisioned_concurrency_counts_toward_reserved_concurrency() {
    // PC 8 of reserved 10: at most 2 on-demand executions beside the provisioned ones; 12 calls → 10 run, 2 throttled.
    let o = simulate(
        &json!({"Functions": [api(json!({"ReservedConcurrentExecutions": 10, "ProvisionedConcurrency": 8}))], "Workload": [sync_burst("api", 1.0, 12)]}),
        1,
    );
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.provisioned_invocations, m.spillovers, m.throttles, m.peak_concurrency), (8, 2, 2, 10));
    // With PC equal to reserved concurrency, nothing runs on demand (spec: "$LATEST is effectively throttled").
    let o = simulate(
        &json!({"Functions": [api(json!({"ReservedConcurrentExecutions": 4, "ProvisionedConcurrency": 4}))], "Workload": [sync_burst("api", 1.0, 6)]}),
        1,
    );
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.provisioned_invocations, m.cold_starts, m.throttles), (4, 0, 2));
}

#[test]
fn provisioned_concurrency_above_reserved_concurrency_is_an_error_naming_the_path() {
    let e = errors(&json!({"Functions": [api(json!({"ReservedConcurrentExecutions": 20, "ProvisionedConcurrency": 50}))]}));
    assert!(e.contains("Functions[0].ProvisionedConcurrency") && e.contains("50") && e.contains("ReservedConcurrentExecutions 20"), "{e}");
    let e = errors(
        &json!({"Functions": [api(json!({"ProvisionedConcurrency": 1, "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1}}))]}),
    );
    assert!(e.contains("Functions[0].ProvisionedConcurrency") && e.contains("give one"), "{e}");
    let e = errors(&json!({"Functions": [api(json!({"ProvisionedConcurrency": -1}))]}));
    assert!(e.contains("Functions[0].ProvisionedConcurrency") && e.contains("allowed 0 to 1000"), "{e}");
}

#[test]
fn provisioned_concurrency_of_unreserved_functions_comes_out_of_the_unreserved_pool() {
    let sc = json!({
        "Account": {"ConcurrentExecutions": 200},
        "Functions": [api(json!({"ProvisionedConcurrency": 50})), {"FunctionName": "other", "Behavior": {"Duration": constant(1000.0)}}],
        "Workload": [sync_burst("other", 1.0, 200)]
    });
    let o = simulate(&sc, 1);
    assert_eq!(o.model.unreserved_pool, 150);
    let m = &o.report.metrics.functions[1];
    assert_eq!((m.attempts, m.throttles), (150, 50));
    // At least 100 must stay unreserved (spec section 6), provisioned concurrency included.
    let e = errors(&json!({"Account": {"ConcurrentExecutions": 200}, "Functions": [api(json!({"ProvisionedConcurrency": 150}))]}));
    assert!(e.contains("leaving 50 of the account's 200 unreserved") && e.contains("at least 100"), "{e}");
}

#[test]
fn provisioned_cost_equals_the_hand_computation() {
    // 1 GB, x86_64. PC 2 from time 0; raised to 4 at 100 s (ready after the 60 s allocation delay and a 500 ms
    // init); 4 calls at 200 s run on provisioned environments for 100 ms each. The run ends at 200.1 s.
    let sc = json!({
        "Functions": [api(json!({"ProvisionedConcurrency": 2}))],
        "Workload": [sync_burst("api", 200.0, 4)],
        "Changes": [{"AtSeconds": 100, "PutProvisionedConcurrencyConfig": {"FunctionName": "api", "Qualifier": "$LATEST", "ProvisionedConcurrentExecutions": 4}}]
    });
    let o = simulate(&sc, 1);
    assert_eq!(o.report.stats.end_time, secs(200.1));
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.provisioned_invocations, m.cold_starts), (4, 0));
    let ready: Vec<(SimTime, SimTime)> = o
        .rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::ProvisionedReady { init, .. } => Some((*t, *init)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ready,
        vec![(SimTime::ZERO, SimTime::ZERO), (SimTime::ZERO, SimTime::ZERO), (secs(160.5), secs(0.5)), (secs(160.5), secs(0.5))]
    );
    let c = o.report.metrics.cost_breakdown(&o.model, 0);
    // Periods: level 2 for [0, 100) → 100 s billed as 300 s; level 4 for [100, 200.1) → 300 s. 2×300 + 4×300 GB-s.
    assert!((c.provisioned_gb_seconds - 1800.0).abs() < 1e-9, "{c:?}");
    // Executions 4 × 0.1 s and the two inits 2 × 0.5 s, at 1 GB.
    assert!((c.provisioned_duration_gb_seconds - 1.4).abs() < 1e-9, "{c:?}");
    assert_eq!(c.gb_seconds, 0.0);
    let hand = 4.0 * 0.2e-6 + 1800.0 * 0.000_004_166_7 + 1.4 * 0.000_009_722_2;
    assert!((c.total_usd - hand).abs() < 1e-12, "{} vs {hand}", c.total_usd);
    assert!((c.provisioned_usd - (1800.0 * 0.000_004_166_7 + 1.4 * 0.000_009_722_2)).abs() < 1e-12);
    let j = o.report.to_json(&o.model);
    assert_eq!(j["functions"]["api"]["cost"]["provisionedGbSeconds"], 1800.0);
    assert!((j["cost"]["totalUsd"].as_f64().unwrap_or(0.0) - hand).abs() < 1e-12);
    // Prices are overridable.
    let mut sc2 = sc.clone();
    sc2["Pricing"] = json!({"ProvisionedX86GbSecondUsd": 0.00001, "ProvisionedDurationX86GbSecondUsd": 0.0});
    let o2 = simulate(&sc2, 1);
    let c2 = o2.report.metrics.cost_breakdown(&o2.model, 0);
    assert!((c2.provisioned_usd - 0.018).abs() < 1e-12, "{c2:?}");
}

#[test]
fn provisioned_environments_are_recycled_by_maximum_lifetime_not_by_idle_lifetime() {
    let sc = json!({
        "Simulation": {"EnvironmentMaxLifetimeSeconds": 100, "EnvironmentIdleLifetime": constant(5000.0)},
        "Functions": [api(json!({"ProvisionedConcurrency": 1}))],
        "Workload": [{"Name": "tick", "Function": "api", "InvocationType": "RequestResponse", "Every": {"IntervalSeconds": 30, "StartSeconds": 15, "EndSeconds": 340}}]
    });
    let o = simulate(&sc, 1);
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.attempts, m.cold_starts, m.provisioned_invocations), (11, 0, 11));
    let mut ready = vec![];
    let mut shut = vec![];
    for (t, e) in &o.rec.events {
        match e {
            TraceEvent::ProvisionedReady { init, .. } => ready.push((*t, *init)),
            TraceEvent::EnvironmentShutdown { reason, .. } => shut.push((*t, *reason)),
            _ => {}
        }
    }
    // Ready at 0; recycled at 100 s, 200.5 s and 301 s (idle each time: calls come at 15 s + 30 k), each new init of
    // 500 ms billed.
    assert_eq!(ready, vec![(SimTime::ZERO, SimTime::ZERO), (secs(100.5), secs(0.5)), (secs(201.0), secs(0.5)), (secs(301.5), secs(0.5))]);
    assert!(shut.iter().all(|(_, r)| *r == ShutdownReason::MaxLifetime), "never shut down for idleness: {shut:?}");
    assert_eq!(shut.len(), 3);
    assert_eq!(m.provisioned_init_ms_by_config[0], 1500);
    // The run ends with the last invocation, not with the recycling timers.
    assert_eq!(o.report.stats.end_time, secs(315.1));
}

#[test]
fn provisioned_concurrency_enabled_on_the_timeline_is_ready_after_the_allocation_delay() {
    let sc = json!({
        "Simulation": {"ProvisionedConcurrencyAllocationSeconds": 90},
        "Functions": [api(json!({"ReservedConcurrentExecutions": 10}))],
        "Workload": [sync_burst("api", 50.0, 1), sync_burst("api", 100.0, 1), sync_burst("api", 200.0, 1)],
        "Changes": [{"AtSeconds": 10, "PutProvisionedConcurrencyConfig": {"FunctionName": "api", "Qualifier": "$LATEST", "ProvisionedConcurrentExecutions": 1}}]
    });
    let o = simulate(&sc, 1);
    let s: Vec<(SimTime, bool, bool)> = starts(&o).iter().map(|x| (x.0, x.3, x.5)).collect();
    // 50 s: on demand, cold (nothing allocated yet); 100 s: on demand, warm; 200 s: the provisioned environment
    // (ready at 10 + 90 + 0.5 s).
    assert_eq!(s, vec![(secs(50.0), false, true), (secs(100.0), false, false), (secs(200.0), true, false)]);
    assert!(o.rec.events.iter().any(|(t, e)| *t == secs(100.5) && matches!(e, TraceEvent::ProvisionedReady { .. })));
}

// ---------------------------------------------------------------------------------------------------------------------
// versions and aliases (spec 3.2)

fn versioned(weight: f64) -> Value {
    json!({
        "FunctionName": "orders",
        "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
        "Behavior": {"Rules": [{"Then": {"Outcome": "Fail", "ErrorMessage": "latest"}}]},
        // Each qualifier has its own EventInvokeConfig (a version does not inherit $LATEST's, as AWS records).
        "Versions": [
            {"EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
             "Behavior": {"Rules": [{"Then": {"Outcome": "Fail", "ErrorMessage": "one"}}]}},
            {"MemorySize": 256, "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
             "Behavior": {"Rules": [{"Then": {"Outcome": "Fail", "ErrorMessage": "two"}}]}}
        ],
        // ... an alias too: invoking `live` runs with the alias's own (spec 2, ASYNC-EIC-ALIAS).
        "Aliases": [{"Name": "live", "FunctionVersion": "1",
                     "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "2", "FunctionWeight": weight}]},
                     "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}}}]
    })
}

#[test]
fn a_weighted_alias_routes_its_share_of_events_to_the_additional_version() {
    let run_with = |w: f64| {
        simulate(
            &json!({"Functions": [versioned(w)], "Queues": [{"QueueName": "failed"}],
                    "Workload": [{"Name": "w", "Function": "orders:live", "Every": {"IntervalSeconds": 0.01, "EndSeconds": 100}}]}),
            7,
        )
    };
    let o = run_with(0.1);
    let n = o.report.stats.accepted;
    assert_eq!(n, 10_000);
    let on_two: BTreeSet<u64> = starts(&o).iter().filter(|x| x.2 == 2).map(|x| x.1).collect();
    // Binomial(10,000, 0.1): sd 30; within 5 sd.
    assert!((850..=1150).contains(&on_two.len()), "{} of {n} on version 2", on_two.len());
    let m = &o.report.metrics.functions[0];
    assert_eq!(m.attempts_by_config[1] + m.attempts_by_config[2], n);
    assert_eq!(m.attempts_by_config[0], 0);
    // One draw per event: raising the weight keeps every event that was on version 2 there.
    let o2 = run_with(0.2);
    let on_two_b: BTreeSet<u64> = starts(&o2).iter().filter(|x| x.2 == 2).map(|x| x.1).collect();
    assert!(on_two.is_subset(&on_two_b));
    assert!((1800..=2200).contains(&on_two_b.len()), "{}", on_two_b.len());
    // The same run twice is the same run.
    assert_eq!(run_with(0.1).report.digest, o.report.digest);
}

#[test]
fn records_carry_the_qualified_arn_invoked_and_the_version_that_ran() {
    let o = simulate(
        &json!({"Functions": [versioned(0.0)], "Queues": [{"QueueName": "failed"}],
        "Workload": [
            {"Name": "alias", "Function": "orders:live", "At": [1]},
            {"Name": "version", "Function": format!("{}:2", lambda("orders")), "At": [2]},
            {"Name": "latest", "Function": "orders", "At": [3]}
        ]}),
        1,
    );
    let recs: Vec<(String, String, String)> = o
        .sinks
        .contents
        .iter()
        .map(|(_, c)| {
            (
                c["requestContext"]["functionArn"].as_str().unwrap_or("").to_string(),
                c["responseContext"]["executedVersion"].as_str().unwrap_or("").to_string(),
                c["responsePayload"]["errorMessage"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let arn = lambda("orders");
    assert_eq!(
        recs,
        vec![
            (format!("{arn}:live"), "1".into(), "one".into()),
            (format!("{arn}:2"), "2".into(), "two".into()),
            (format!("{arn}:$LATEST"), "$LATEST".into(), "latest".into()),
        ]
    );
    // Each version bills its own memory: version 2 is 256 MB.
    let m = &o.report.metrics.functions[0];
    assert_eq!(m.billed_ms_by_config, vec![300, 300, 300]);
    let gb = o.report.metrics.gb_seconds(&o.model, 0);
    assert!((gb - (0.3 * 128.0 / 1024.0 * 2.0 + 0.3 * 256.0 / 1024.0)).abs() < 1e-12, "{gb}");
    // The trace names the qualifier and the version.
    let j = o.report.to_json(&o.model);
    assert_eq!(j["functions"]["orders"]["executionsByVersion"], json!({"$LATEST": 1, "1": 1, "2": 1}));
}

#[test]
fn a_lambda_destination_may_name_an_alias() {
    let o = simulate(
        &json!({
            "Functions": [
                {"FunctionName": "src", "EventInvokeConfig": {"DestinationConfig": {"OnSuccess": {"Destination": format!("{}:prod", lambda("dst"))}}}},
                {"FunctionName": "dst", "Versions": [{}, {"Behavior": {"Rules": [{"Then": {"Outcome": "Succeed", "Response": "v2"}}]}}],
                 "Aliases": [{"Name": "prod", "FunctionVersion": "2"}]}
            ],
            "Workload": [{"Name": "one", "Function": "src", "At": [0]}]
        }),
        1,
    );
    let dst: Vec<(u32, bool)> = o
        .rec
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            TraceEvent::AttemptStart { function, config, .. } if function.0 == 1 => Some((*config, true)),
            _ => None,
        })
        .collect();
    assert_eq!(dst, vec![(2, true)]);
}

#[test]
fn the_dlq_scope_option_picks_the_version_or_the_function_dlq() {
    let sc = |scope: &str| {
        json!({
            "Simulation": {"DlqScope": scope},
            "Functions": [{
                "FunctionName": "f",
                "EventInvokeConfig": {"MaximumRetryAttempts": 0},
                "DeadLetterConfig": {"TargetArn": sqs("function-dlq")},
                "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]},
                "Versions": [{"DeadLetterConfig": {"TargetArn": sqs("v1-dlq")}}]
            }],
            "Queues": [{"QueueName": "function-dlq"}, {"QueueName": "v1-dlq"}],
            "Workload": [{"Name": "w", "Function": "f:1", "At": [0]}],
            "Expectations": [{"Expect": {"FailureRecordsNotExactlyOnce": {}}, "Equals": 0}]
        })
    };
    for (scope, want) in [("Version", "v1-dlq"), ("Function", "function-dlq")] {
        let o = simulate(&sc(scope), 1);
        let got: Vec<&str> = o.sinks.messages.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(got, vec![want], "DlqScope {scope}");
        assert!(o.report.expectations_passed(), "{:?}", o.report.verdicts);
    }
}

#[test]
fn provisioned_concurrency_is_per_alias() {
    // The alias has 3 provisioned environments (on version 1); invocations of $LATEST run on demand.
    let sc = json!({
        "Functions": [{
            "FunctionName": "f", "ReservedConcurrentExecutions": 20,
            "Behavior": {"Duration": constant(100.0), "InitDuration": constant(300.0)},
            "Versions": [{}],
            "Aliases": [{"Name": "live", "FunctionVersion": "1", "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 3}}]
        }],
        "Workload": [
            {"Name": "a", "Function": "f:live", "InvocationType": "RequestResponse", "Burst": {"AtSeconds": 1, "Count": 3}},
            {"Name": "b", "Function": "f", "InvocationType": "RequestResponse", "Burst": {"AtSeconds": 1, "Count": 2}}
        ]
    });
    let o = simulate(&sc, 1);
    let s = starts(&o);
    let alias: Vec<_> = s.iter().filter(|x| x.2 == 1).collect();
    let latest: Vec<_> = s.iter().filter(|x| x.2 == 0).collect();
    assert!(alias.len() == 3 && alias.iter().all(|x| x.3 && !x.5), "{alias:?}");
    assert!(
        latest.len() == 2 && latest.iter().all(|x| !x.3 && x.5 && !x.4),
        "$LATEST has no provisioned concurrency, so no spillover: {latest:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------------------
// configuration changes on the timeline

#[test]
fn a_deploy_at_t_changes_attempts_that_start_after_t_including_retries_of_earlier_events() {
    // $LATEST fails until the deploy at 100 s; retries ~60 s and ~120 s after each failed attempt.
    let sc = json!({
        "Functions": [{"FunctionName": "f", "Behavior": {"Duration": constant(100.0), "InitDuration": constant(0.0), "Rules": [{"Then": {"Outcome": "Fail"}}]}}],
        "Workload": [{"Name": "w", "Function": "f", "At": [10, 50, 150]}],
        "Changes": [{"AtSeconds": 100, "UpdateFunctionCode": {"FunctionName": "f", "Behavior": {"Duration": constant(100.0)}}}],
        "Simulation": {"AsyncRetryEarlyFraction": 0}
    });
    let o = simulate(&sc, 1);
    let s: Vec<(SimTime, u64, u32)> = starts(&o).iter().map(|x| (x.0, x.1, x.2)).collect();
    assert_eq!(
        s,
        vec![
            (secs(10.0), 0, 0),
            (secs(50.0), 1, 0),
            (secs(70.1), 0, 0),
            // Accepted before the deploy, retried after it: the new code runs.
            (secs(110.1), 1, 1),
            (secs(150.0), 2, 1),
            (secs(190.2), 0, 1),
        ]
    );
    let f = fates(&o);
    assert_eq!(f[&0], (Fate::Succeeded, 3, 1));
    assert_eq!(f[&1], (Fate::Succeeded, 2, 1));
    assert_eq!(f[&2], (Fate::Succeeded, 1, 1));
    let change: Vec<SimTime> = o.rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::ConfigChange { .. })).map(|(t, _)| *t).collect();
    assert_eq!(change, vec![secs(100.0)]);
}

#[test]
fn a_canary_alias_shift_and_a_published_version_on_the_timeline() {
    // Version 1 fails; at 50 s new code is deployed and published as version 2; at 60 s the alias sends all its
    // invocations to version 2.
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "EventInvokeConfig": {"MaximumRetryAttempts": 0},
            "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]},
            "Versions": [{"EventInvokeConfig": {"MaximumRetryAttempts": 0}}],
            // the events invoke the alias: its own configuration applies, whichever version runs
            "Aliases": [{"Name": "live", "FunctionVersion": "1", "EventInvokeConfig": {"MaximumRetryAttempts": 0}}]
        }],
        "Workload": [{"Name": "w", "Function": "f:live", "Every": {"IntervalSeconds": 10, "EndSeconds": 100}}],
        "Changes": [
            {"AtSeconds": 60, "UpdateAlias": {"FunctionName": "f", "Name": "live", "FunctionVersion": "2"}},
            {"AtSeconds": 50, "UpdateFunctionCode": {"FunctionName": "f", "Behavior": {}, "Publish": true}}
        ],
        "Expectations": [
            {"Expect": {"Attempts": {"Function": "f", "Version": "1"}}, "Equals": 6},
            {"Expect": {"Attempts": {"Function": "f", "Version": "2"}}, "Equals": 4},
            {"Expect": {"Fates": {"Fate": "Succeeded"}}, "Equals": 4}
        ]
    });
    let o = simulate(&sc, 1);
    assert!(o.report.expectations_passed(), "{:?}", o.report.verdicts);
    // Versions: $LATEST as declared, 1, $LATEST after the deploy, 2.
    let labels: Vec<String> = o.model.functions[0].configs.iter().map(|c| c.label()).collect();
    assert_eq!(labels, vec!["$LATEST", "1", "$LATEST", "2"]);
}

#[test]
fn reserved_concurrency_changes_on_the_timeline() {
    // Reserved concurrency 0 from 100 s: async events accepted then go straight to the failure targets; 5 from 200 s.
    let sc = json!({
        "Functions": [{"FunctionName": "f", "DeadLetterConfig": {"TargetArn": sqs("dlq")}}],
        "Queues": [{"QueueName": "dlq"}],
        "Workload": [{"Name": "w", "Function": "f", "At": [50, 150, 250]}],
        "Changes": [
            {"AtSeconds": 100, "PutFunctionConcurrency": {"FunctionName": "f", "ReservedConcurrentExecutions": 0}},
            {"AtSeconds": 200, "PutFunctionConcurrency": {"FunctionName": "f", "ReservedConcurrentExecutions": 5}},
            {"AtSeconds": 300, "DeleteFunctionConcurrency": {"FunctionName": "f"}}
        ]
    });
    let o = simulate(&sc, 1);
    let f = fates(&o);
    assert_eq!((f[&0].0, f[&1].0, f[&2].0), (Fate::Succeeded, Fate::ZeroReservedConcurrency, Fate::Succeeded));
    assert_eq!(o.sinks.messages.len(), 1);
    // The run lasts until the last change.
    assert_eq!(o.report.stats.end_time, secs(300.0));
}

#[test]
fn changes_are_validated_with_their_path() {
    let base = |changes: Value| {
        json!({"Functions": [{"FunctionName": "f", "ReservedConcurrentExecutions": 5, "Versions": [{}], "Aliases": [{"Name": "live", "FunctionVersion": "1"}]}],
               "Changes": changes})
    };
    for (changes, needles) in [
        (json!([{"AtSeconds": 1}]), vec!["Changes[0]", "gives 0 actions"]),
        (
            json!([{"AtSeconds": 1, "PublishVersion": {"FunctionName": "f"}, "DeleteFunctionConcurrency": {"FunctionName": "f"}}]),
            vec!["Changes[0]", "gives 2 actions"],
        ),
        (
            json!([{"AtSeconds": 1, "UpdateAlias": {"FunctionName": "f", "Name": "live", "FunctionVersion": "3"}}]),
            vec!["Changes[0].UpdateAlias.FunctionVersion", "\"3\" is not a published version", "published: 1"],
        ),
        (json!([{"AtSeconds": 1, "UpdateAlias": {"FunctionName": "f", "Name": "nope"}}]), vec!["Changes[0].UpdateAlias.Name", "live"]),
        (
            json!([{"AtSeconds": 1, "PutProvisionedConcurrencyConfig": {"FunctionName": "f", "Qualifier": "live", "ProvisionedConcurrentExecutions": 6}}]),
            vec!["Changes[0]", "provisioned concurrency 6 of f exceeds its reserved concurrency 5"],
        ),
        (
            json!([{"AtSeconds": 1, "PutProvisionedConcurrencyConfig": {"FunctionName": "f", "Qualifier": "live", "ProvisionedConcurrentExecutions": 5}},
                   {"AtSeconds": 2, "PutFunctionConcurrency": {"FunctionName": "f", "ReservedConcurrentExecutions": 4}}]),
            vec!["Changes[1]", "at 2s", "exceeds its reserved concurrency 4"],
        ),
        (json!([{"AtSeconds": -1, "PublishVersion": {"FunctionName": "f"}}]), vec!["Changes[0].AtSeconds", ">= 0"]),
        (json!([{"AtSeconds": 1, "PublishVersion": {"FunctionName": "g"}}]), vec!["Changes[0].PublishVersion.FunctionName", "\"g\""]),
        (
            json!([{"AtSeconds": 1, "UpdateFunctionConfiguration": {"FunctionName": "f", "Timeout": 901}}]),
            vec!["Changes[0].UpdateFunctionConfiguration.Timeout", "allowed 1 to 900"],
        ),
    ] {
        let e = errors(&base(changes.clone()));
        for n in needles {
            assert!(e.contains(n), "{changes}: {n:?} not in\n{e}");
        }
    }
    // A version published on the timeline can be named by a later change, not by an earlier one.
    let ok = base(json!([
        {"AtSeconds": 5, "UpdateAlias": {"FunctionName": "f", "Name": "live", "FunctionVersion": "2"}},
        {"AtSeconds": 1, "PublishVersion": {"FunctionName": "f"}}
    ]));
    load(&ok);
    let bad = base(json!([
        {"AtSeconds": 1, "UpdateAlias": {"FunctionName": "f", "Name": "live", "FunctionVersion": "2"}},
        {"AtSeconds": 5, "PublishVersion": {"FunctionName": "f"}}
    ]));
    assert!(errors(&bad).contains("\"2\" is not a published version"));
}

#[test]
fn qualifiers_are_validated_with_their_path() {
    let sc = |function: &str| {
        json!({"Functions": [{"FunctionName": "f", "Versions": [{}], "Aliases": [{"Name": "live", "FunctionVersion": "1"}]}],
               "Workload": [{"Name": "w", "Function": function, "At": [0]}]})
    };
    for ok in ["f", "f:$LATEST", "f:1", "f:live", &format!("{}:live", lambda("f"))] {
        load(&sc(ok));
    }
    for (bad, needle) in [("f:2", "version \"2\" of f is not declared"), ("f:beta", "neither $LATEST"), ("g:live", "names no function")] {
        let e = errors(&sc(bad));
        assert!(e.contains("Workload[0].Function") && e.contains(needle), "{bad}: {e}");
    }
    let e = errors(&json!({"Functions": [{"FunctionName": "f", "Aliases": [{"Name": "live", "FunctionVersion": "1"}]}]}));
    assert!(e.contains("Functions[0].Aliases[0].FunctionVersion") && e.contains("published: none"), "{e}");
    let e = errors(&json!({"Functions": [{"FunctionName": "f", "Versions": [{}, {}],
        "Aliases": [{"Name": "live", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "2", "FunctionWeight": 1.5}]}}]}]}));
    assert!(e.contains("Functions[0].Aliases[0].RoutingConfig.AdditionalVersionWeights[0].FunctionWeight") && e.contains("0 to 1"), "{e}");
    let e = errors(&json!({"Functions": [{"FunctionName": "f", "Versions": [{"Version": "2"}, {"Version": "1"}]}]}));
    assert!(e.contains("Functions[0].Versions[1].Version") && e.contains("increase"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------------------
// delivery faults (spec 3.1, 4)

#[test]
fn a_delivery_fault_window_loses_records_with_their_reasons() {
    // Every event fails once (no retries) at t + 0.1 s. The on-failure queue rejects deliveries (AccessDenied) from
    // 100 s to 200 s; the DLQ throttles half of its deliveries from 0 to 1000 s.
    let sc = json!({
        "Functions": [{
            "FunctionName": "f",
            "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {"OnFailure": {"Destination": sqs("failed")}}},
            "DeadLetterConfig": {"TargetArn": sqs("dlq")},
            "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]}
        }],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "Workload": [{"Name": "w", "Function": "f", "Every": {"IntervalSeconds": 1, "EndSeconds": 300}}],
        "Faults": [
            {"Target": sqs("failed"), "Kind": "DeliveryFailure", "StartSeconds": 100, "EndSeconds": 200},
            {"Target": sqs("dlq"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 1000, "Probability": 0.5, "Reason": "Throttled"}
        ],
        "Expectations": [
            {"Expect": {"DeliveryFailures": {"Target": sqs("failed"), "Reason": "AccessDenied"}}, "Equals": 100},
            {"Expect": {"DeliveryFailures": {"Kind": "OnFailure"}}, "Equals": 100},
            {"Expect": {"DeliveryFailures": {"Reason": "Throttled", "Kind": "DeadLetter"}}, "AtLeast": 100, "AtMost": 200}
        ]
    });
    let o = simulate(&sc, 3);
    assert!(o.report.expectations_passed(), "{:?}", o.report.verdicts);
    let mut lost_failed = vec![];
    let mut lost_dlq = 0;
    for (t, e) in &o.rec.events {
        if let TraceEvent::Delivered { kind, failure: Some(why), .. } = e {
            match kind {
                RecordKind::OnFailure => {
                    assert_eq!(*why, DeliveryFailure::AccessDenied);
                    lost_failed.push(*t);
                }
                RecordKind::DeadLetter => {
                    assert_eq!(*why, DeliveryFailure::Throttled);
                    lost_dlq += 1;
                }
                RecordKind::OnSuccess => panic!("no success records here"),
            }
        }
    }
    // Events at 100..=199 fail at 100.1 .. 199.1: exactly those records are lost.
    assert_eq!(lost_failed.len(), 100);
    assert!(lost_failed.iter().all(|t| *t >= secs(100.0) && *t < secs(200.0)));
    let m = &o.report.metrics.functions[0];
    assert_eq!((m.destination_delivery_failures, m.dead_letter_errors), (100, lost_dlq));
    assert!((120..=180).contains(&lost_dlq), "about half of 300: {lost_dlq}");
    let received = o.sinks.messages.iter().filter(|(n, _, _)| n == "failed").count();
    assert_eq!(received, 200);
    // Every accepted event still ends in exactly one fate; the ledger says its record was lost, and why.
    assert_eq!(fates(&o).len(), 300);
    let j = o.report.to_json(&o.model);
    assert_eq!(j["destinationDeliveryFailures"], 100);
    assert_eq!(j["deadLetterErrors"], lost_dlq);
    assert_eq!(j["functions"]["f"]["destinationDeliveryFailures"], 100);
    let line = lambdasim::trace::to_json(
        secs(150.1),
        &TraceEvent::Delivered {
            event: 150,
            function: lambdasim::model::FnId(0),
            target: o.model.target_by_arn(&sqs("failed")).expect("target"),
            kind: RecordKind::OnFailure,
            failure: Some(DeliveryFailure::AccessDenied),
        },
        &lambdasim::trace::Ctx { model: &o.model, seed: 3, content: None },
    );
    assert_eq!((&line["delivered"], &line["lost"], &line["failure"]), (&json!(false), &json!(true), &json!("AccessDenied")));
    assert_eq!(line["metric"], "DestinationDeliveryFailures");
}

#[test]
fn delivery_faults_are_validated_with_their_path() {
    let sc = |fault: Value| json!({"Functions": [{"FunctionName": "f"}], "Queues": [{"QueueName": "q"}], "Faults": [fault]});
    for (fault, needle) in [
        (json!({"Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 1}), "Faults[0].Target"),
        (json!({"Target": sqs("nope"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 1}), "Faults[0].Target"),
        (json!({"Function": "f", "Target": sqs("q"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 1}), "Faults[0].Function"),
        (json!({"Function": "f", "Kind": "Error", "StartSeconds": 0, "EndSeconds": 1, "Reason": "Throttled"}), "Faults[0].Reason"),
        (json!({"Kind": "Error", "StartSeconds": 0, "EndSeconds": 1}), "Faults[0].Function"),
        (
            json!({"Target": sqs("q"), "Kind": "DeliveryFailure", "StartSeconds": 0, "EndSeconds": 1, "Probability": 2}),
            "Faults[0].Probability",
        ),
    ] {
        let e = errors(&sc(fault.clone()));
        assert!(e.contains(needle), "{fault}: {e}");
    }
    let e = errors(
        &json!({"Functions": [{"FunctionName": "f"}], "Expectations": [{"Expect": {"DeliveryFailures": {"Reason": "Nope"}}, "Equals": 0}]}),
    );
    assert!(e.contains("Expectations[0].Expect.DeliveryFailures.Reason") && e.contains("AccessDenied"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------------------
// series interval

#[test]
fn the_series_interval_comes_from_the_scenario() {
    use lambdasim::observe::series::SeriesConfig;
    let m = load(&json!({"Simulation": {"SeriesIntervalSeconds": 2.5}, "Functions": [{"FunctionName": "f"}]}));
    assert_eq!(SeriesConfig::auto(&m).interval, secs(2.5));
    let m = load(&json!({"Functions": [{"FunctionName": "f"}], "Workload": [{"Function": "f", "At": [0, 10]}]}));
    assert_eq!(SeriesConfig::auto(&m).interval, SimTime::from_millis(10));
    for bad in [0.0, -1.0, 1e9] {
        let e = errors(&json!({"Simulation": {"SeriesIntervalSeconds": bad}, "Functions": [{"FunctionName": "f"}]}));
        assert!(e.contains("Simulation.SeriesIntervalSeconds") && e.contains("allowed 0.000001 to 86400"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// the bundled scenario

#[test]
fn the_bundled_canary_scenario_passes_and_bills_the_alias_as_one_provisioned_setting() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/canary-provisioned.json")).expect("scenario");
    let sc: Value = serde_json::from_str(&text).expect("json");
    let o = simulate(&sc, 1);
    assert!(o.report.expectations_passed(), "{:?}", o.report.verdicts);
    // The alias keeps 20 provisioned environments (split 18/2 during the canary, 512 MB each): one setting, billed
    // from time 0 to the end of the run rounded up to 5 minutes, whatever the split.
    let c = o.report.metrics.cost_breakdown(&o.model, 0);
    let end = o.report.stats.end_time.as_secs_f64();
    let billed = (end / 300.0).ceil() * 300.0;
    assert!((c.provisioned_gb_seconds - 20.0 * 0.5 * billed).abs() < 1e-6, "{} vs {}", c.provisioned_gb_seconds, 10.0 * billed);
    // Two environments move to version 2 at 360 s (ready after the 60 s allocation delay) and back at 600 s.
    let ready: Vec<(SimTime, u32)> = o
        .rec
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            TraceEvent::ProvisionedReady { config, .. } if *t > SimTime::ZERO => Some((*t, *config)),
            _ => None,
        })
        .collect();
    assert_eq!(ready.len(), 4, "{ready:?}");
    assert!(ready[..2].iter().all(|(t, c)| *c == 3 && *t > secs(420.0) && *t < secs(421.0)), "{ready:?}");
    assert!(ready[2..].iter().all(|(t, c)| *c == 1 && *t > secs(660.0) && *t < secs(661.0)), "{ready:?}");
}

#[test]
fn a_queued_event_meets_reserved_concurrency_zero_set_after_it_was_accepted() {
    // Accepted at 10 s, fails at 10.3 s (cold start), retry due at 70.3 s; reserved concurrency is 0 from 30 s: the retry never runs and the
    // event goes to the DLQ as ZeroReservedConcurrency (spec 2, 6), with the one execution it had.
    let sc = json!({
        "Functions": [{"FunctionName": "f", "DeadLetterConfig": {"TargetArn": sqs("dlq")},
                       "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]}}],
        "Queues": [{"QueueName": "dlq"}],
        "Workload": [{"Name": "w", "Function": "f", "At": [10]}],
        "Changes": [{"AtSeconds": 30, "PutFunctionConcurrency": {"FunctionName": "f", "ReservedConcurrentExecutions": 0}}],
        "Simulation": {"AsyncRetryEarlyFraction": 0}
    });
    let o = simulate(&sc, 1);
    assert_eq!(fates(&o)[&0], (Fate::ZeroReservedConcurrency, 1, 0));
    let at: Vec<SimTime> = o.rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::Fate { .. })).map(|(t, _)| *t).collect();
    assert_eq!(at, vec![secs(70.3)]);
    assert_eq!(o.sinks.messages.len(), 1);
}
