//! The run budget and runaway runs (issue 17): the minimized reproducers of the hangs, floods and out-of-memory aborts
//! found by fuzzing, each now refused before the run (with the JSON path of the field that asks for the work) or
//! stopped by the budget during it (with the virtual time reached), never a hang or an abort; recursive-loop
//! detection through SNS and `RecursiveLoop: Allow` (spec 2, docs.aws.amazon.com/lambda/latest/dg/invocation-recursion).

use std::collections::BTreeMap;
use std::process::Command;

use lambdasim::observe::series::{Series, SeriesConfig};
use lambdasim::run::{budget_exceeded, run, RunOptions};
use lambdasim::run::{preflight, BudgetExceeded};
use lambdasim::{load_str, Fate, TraceEvent};

use crate::common::Rec;

const F: &str = r#"{ "FunctionName": "f" }"#;

fn scenario(functions: &str, rest: &str) -> String {
    format!(r#"{{ "Name": "budget", "Functions": [ {functions} ]{rest} }}"#)
}

/// Run with `max_events`; the budget error if the run was refused or stopped by it.
fn run_budget(text: &str, max_events: u64) -> Result<lambdasim::RunReport, BudgetExceeded> {
    let model = load_str(text).expect("valid scenario");
    match run(&model, 1, RunOptions { max_events, ..Default::default() }) {
        Ok(r) => Ok(r),
        Err(e) => Err(budget_exceeded(&e).cloned().unwrap_or_else(|| panic!("not a budget error: {e}"))),
    }
}

#[test]
fn a_microsecond_interval_over_100_s_is_refused_before_the_run_with_its_path() {
    // Was: an out-of-memory abort ("memory allocation of 1744830464 bytes failed").
    let text = scenario(F, r#", "Workload": [ { "Function": "f", "Every": { "IntervalSeconds": 1e-6, "EndSeconds": 100 } } ]"#);
    let e = run_budget(&text, lambdasim::run::DEFAULT_MAX_EVENTS).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("Workload[0].Every.IntervalSeconds"));
    assert_eq!(e.reached, 100_000_000);
    assert_eq!(e.at, None, "refused before the run");
    let msg = e.to_string();
    assert!(msg.contains("--max-events") && msg.contains("100,000,000") && msg.contains("0 for no limit"), "{msg}");
    // A horizon that cuts the workload short is taken into account: 10 s of it is 10 million arrivals.
    let short = text.replace(r#""Name": "budget","#, r#""Name": "budget", "Simulation": { "DurationSeconds": 10 },"#);
    let m = load_str(&short).unwrap();
    assert!(preflight(&m, 50_000_000).is_ok());
    assert_eq!(preflight(&m, 5_000_000).unwrap_err().reached, 10_000_000);
    // 0 turns the budget off.
    assert!(preflight(&load_str(&text).unwrap(), 0).is_ok());
}

#[test]
fn a_huge_poisson_rate_and_a_schedule_over_1e19_s_are_refused_with_their_paths() {
    let poisson = scenario(F, r#", "Workload": [ { "Function": "f", "Poisson": { "RatePerSecond": 1e7, "EndSeconds": 1e9 } } ]"#);
    let e = run_budget(&poisson, 50_000_000).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("Workload[0].Poisson.RatePerSecond"));
    // Was: a hang (a rate(1 minute) rule ticking up to a horizon of 1e19 s).
    let sched = r#"{ "Name": "sched", "Simulation": { "DurationSeconds": 1e19 }, "Functions": [ { "FunctionName": "f" } ],
      "EventBuses": [ { "Name": "default", "Rules": [ { "Name": "r", "ScheduleExpression": "rate(1 minute)",
        "Targets": [ { "Id": "t", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f" } ] } ] } ] }"#;
    let e = run_budget(sched, 50_000_000).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("EventBuses[0].Rules[0].ScheduleExpression"));
    assert!(e.reached > 300_000_000_000, "{e}");
}

#[test]
fn a_burst_arriving_at_once_is_held_to_the_live_limit() {
    let text = scenario(F, r#", "Workload": [ { "Function": "f", "Burst": { "AtSeconds": 1, "Count": 2000000 } } ]"#);
    let e = run_budget(&text, 50_000_000).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("Workload[0].Burst.Count"));
    assert_eq!((e.reached, e.limit), (2_000_000, 1_000_000));
    // Spread over time, the same burst is fine up front.
    let spread = text.replace(r#""Count": 2000000"#, r#""Count": 2000000, "SpreadSeconds": 100"#);
    assert!(preflight(&load_str(&spread).unwrap(), 50_000_000).is_ok());
}

#[test]
fn a_run_over_its_kernel_event_budget_stops_with_the_time_reached() {
    // A function that always fails, retried: a few thousand kernel events.
    let f = r#"{ "FunctionName": "f", "Behavior": { "Rules": [ { "Then": { "Outcome": "Fail" } } ] } }"#;
    let text = scenario(f, r#", "Workload": [ { "Function": "f", "Every": { "IntervalSeconds": 0.01, "EndSeconds": 10 } } ]"#);
    let full = run_budget(&text, 0).expect("no budget");
    assert!(full.stats.kernel_events > 3000);
    let e = run_budget(&text, 1000).unwrap_err();
    assert_eq!(e.path, None);
    assert_eq!(e.what, "kernel events processed");
    assert_eq!((e.reached, e.limit), (1001, 1000));
    let at = e.at.expect("stopped during the run");
    assert!(at > lambdasim::SimTime::ZERO && at < full.stats.end_time, "{e}");
    // Exactly at the budget is fine.
    let exact = run_budget(&text, full.stats.kernel_events).expect("within budget");
    assert_eq!(exact.digest, full.digest, "the budget does not change a run it does not stop");
}

#[test]
fn a_growing_backlog_is_held_to_the_live_limit() {
    // Was: 658 MB for 2 million throttled arrivals. 100,000 arrivals a second against one environment.
    let f = r#"{ "FunctionName": "f", "ReservedConcurrentExecutions": 1 }"#;
    let text = scenario(f, r#", "Workload": [ { "Function": "f", "Every": { "IntervalSeconds": 0.00001, "EndSeconds": 1 } } ]"#);
    let e = run_budget(&text, 500_000).unwrap_err();
    assert_eq!(e.what, "invocations in flight, pending kernel events and stored messages");
    assert_eq!(e.limit, 10_000);
    assert!(e.at.is_some());
}

#[test]
fn messages_piling_up_in_a_queue_count_toward_the_live_limit() {
    // 50,000 messages into a queue whose mapping is disabled: they all wait in the queue.
    let text = scenario(
        F,
        r#", "Queues": [ { "QueueName": "q" } ],
        "EventSourceMappings": [ { "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionName": "f", "Enabled": false } ],
        "Workload": [ { "Queue": "q", "Every": { "IntervalSeconds": 0.0001, "EndSeconds": 5 } } ]"#,
    );
    let full = run_budget(&text, 0).expect("no budget");
    assert!(full.stats.kernel_events < 500_000, "the event budget alone would not stop it");
    let e = run_budget(&text, 500_000).unwrap_err();
    assert_eq!(e.what, "invocations in flight, pending kernel events and stored messages");
    assert!(e.reached > 10_000 && e.limit == 10_000, "{e}");
}

#[test]
fn a_series_with_an_arrival_at_2e13_s_ends_and_stays_small() {
    // Was: a hang (the series' interval boundary saturated at the end of virtual time).
    let text = scenario(F, r#", "Workload": [ { "Function": "f", "At": [2e13] } ]"#);
    let model = load_str(&text).unwrap();
    for cfg in [SeriesConfig::auto(&model), SeriesConfig::with_interval(lambdasim::SimTime::from_micros(1))] {
        let mut series = Series::new(&model, cfg);
        let report = run(&model, 1, RunOptions { observers: vec![&mut series], ..Default::default() }).unwrap();
        series.finish(report.stats.end_time);
        assert!(series.len() <= 10_000, "{}", series.len());
        assert!(series.end().is_some());
    }
}

/// Fates per accepted event, from a recorded trace.
fn fates(rec: &Rec) -> (u64, BTreeMap<u64, Vec<Fate>>) {
    let mut accepted = 0;
    let mut fates: BTreeMap<u64, Vec<Fate>> = BTreeMap::new();
    for (_, ev) in &rec.events {
        match ev {
            TraceEvent::Accepted { .. } => accepted += 1,
            TraceEvent::Fate { event, fate, .. } => fates.entry(*event).or_default().push(*fate),
            _ => {}
        }
    }
    (accepted, fates)
}

const DOUBLING: &str = r#"{ "Name": "doubling", "Simulation": { "RecursionLimit": 6 },
  "Functions": [ { "FunctionName": "f" RECURSIVE,
    "EventInvokeConfig": { "DestinationConfig": { "OnSuccess": { "Destination": "arn:aws:sns:us-east-1:123456789012:t" } } } } ],
  "Topics": [ { "TopicName": "t", "Subscriptions": [
    { "Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:f" },
    { "Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:f" } ] } ],
  "Workload": [ { "Function": "f", "At": [1] } ] }"#;

#[test]
fn recursive_loop_detection_stops_a_doubling_chain_through_sns_with_one_fate_each() {
    // Each success publishes to a topic with two subscriptions to the same function: the work doubles each hop.
    // Recursive-loop detection stops every branch at the limit (6 here; 16 by default, spec 2).
    let model = load_str(&DOUBLING.replace("RECURSIVE", "")).unwrap();
    let mut rec = Rec::default();
    let report = run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).unwrap();
    let (accepted, fates) = fates(&rec);
    assert_eq!(accepted, 127, "1 + 2 + ... + 64");
    assert_eq!(fates.len() as u64, accepted);
    assert!(fates.values().all(|f| f.len() == 1), "every event has exactly one fate");
    let stopped = fates.values().filter(|f| f[0] == Fate::RecursionStopped).count();
    assert_eq!(stopped, 64, "the 2^6 invocations of hop 6 are stopped");
    assert_eq!(fates.values().filter(|f| f[0] == Fate::Succeeded).count(), 63);
    assert!(report.breaches.is_empty(), "{:?}", report.breaches);
}

#[test]
fn recursive_loop_allow_lets_the_loop_run_until_the_budget_ends_it() {
    let text = DOUBLING.replace("RECURSIVE", r#", "RecursiveLoop": "Allow""#);
    let e = run_budget(&text, 300).unwrap_err();
    assert_eq!(e.what, "kernel events processed");
    assert!(e.at.is_some());
    // `Terminate` is the default, spelled out.
    let terminate = run_budget(&DOUBLING.replace("RECURSIVE", r#", "RecursiveLoop": "Terminate""#), 2000).unwrap();
    assert_eq!(terminate.stats.accepted, 127);
    // Anything else is refused with its path.
    let bad = load_str(&DOUBLING.replace("RECURSIVE", r#", "RecursiveLoop": "Sometimes""#)).unwrap_err().to_string();
    assert!(bad.contains("Functions[0].RecursiveLoop") || bad.contains("RecursiveLoop"), "{bad}");
}

#[test]
fn the_cli_reports_the_budget_with_exit_code_2_and_takes_max_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("every.json");
    std::fs::write(&path, scenario(F, r#", "Workload": [ { "Function": "f", "Every": { "IntervalSeconds": 1e-6, "EndSeconds": 100 } } ]"#))
        .unwrap();
    let p = path.to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["run", p]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Workload[0].Every.IntervalSeconds") && err.contains("--max-events"), "{err}");
    assert!(err.len() < 1000, "short: {err}");
    // `validate` accepts it (the budget is a run option) and says that `run` would refuse it.
    let out = Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["validate", p]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("note:") && err.contains("Workload[0].Every.IntervalSeconds"), "{err}");
    // The same budget applies to every run of a sweep, which stops with exit code 2.
    let out = Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(["check", p, "--seeds", "1..3", "--max-events", "1000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("budget"));
    // A scenario within the budget runs as before.
    let ok = Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["run", "scenarios/async-retries-to-destinations.json", "--max-events", "100000"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let low = Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["run", "scenarios/async-retries-to-destinations.json", "--max-events", "10"])
        .output()
        .unwrap();
    assert_eq!(low.status.code(), Some(2));
    // Its 25 arrivals alone are over a budget of 10: refused before the run.
    assert!(String::from_utf8_lossy(&low.stderr).contains("refused before the run"), "{}", String::from_utf8_lossy(&low.stderr));
}

/// A function whose on-success destination is a bus with a rule back to it: detection stops the loop at the limit
/// by default; with `RecursionThroughEventBridge: false` (AWS does not list EventBridge) it is not stopped as a loop.
#[test]
fn a_loop_through_an_eventbridge_bus_is_stopped_unless_the_option_is_off() {
    let text = |through: bool| {
        format!(
            r#"{{ "Name": "bus-loop", "Simulation": {{ "RecursionLimit": 5, "RecursionThroughEventBridge": {through} }},
  "Functions": [ {{ "FunctionName": "f",
    "EventInvokeConfig": {{ "DestinationConfig": {{ "OnSuccess": {{ "Destination": "arn:aws:events:us-east-1:123456789012:event-bus/b" }} }} }} }} ],
  "EventBuses": [ {{ "Name": "b", "Rules": [ {{ "Name": "back", "EventPattern": {{ "source": ["lambda"] }},
    "Targets": [ {{ "Id": "f", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f" }} ] }} ] }} ],
  "Workload": [ {{ "Function": "f", "At": [1] }} ] }}"#
        )
    };
    let model = load_str(&text(true)).unwrap();
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], ..Default::default() }).unwrap();
    let (accepted, by_event) = fates(&rec);
    assert_eq!(accepted, 6, "the first invocation and five hops");
    assert_eq!(by_event.values().filter(|f| f[0] == Fate::RecursionStopped).count(), 1);
    // Not counted: the chain goes on past the limit, until something else ends it (here the nested records grow
    // past what a bus takes), and nothing is stopped as a loop.
    let model = load_str(&text(false)).unwrap();
    let mut rec = Rec::default();
    run(&model, 1, RunOptions { observers: vec![&mut rec], max_events: 20_000, ..Default::default() }).unwrap();
    let (accepted, by_event) = fates(&rec);
    assert!(accepted > 6, "{accepted}");
    assert_eq!(by_event.values().filter(|f| f[0] == Fate::RecursionStopped).count(), 0);
}
