//! Property tests over random scenarios (proptest): the ledger and retry invariants of spec section 10 hold for any
//! retry budget, maximum age, behaviour rules, arrival pattern, faults, concurrency settings and seed.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{json, Value};

use lambdasim::aws::ids::request_id;
use lambdasim::model::FnId;
use lambdasim::trace::Origin;
use lambdasim::vocab::RecordKind;
use lambdasim::{load_str, run, Fate, RunOptions, RunReport, SimTime, TraceEvent};

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:";

use crate::common::Rec;

fn simulate(sc: &Value, seed: u64) -> (RunReport, Rec) {
    let model = load_str(&sc.to_string()).unwrap_or_else(|e| panic!("generated scenario does not validate:\n{e}\n{sc:#}"));
    let mut rec = Rec::default();
    let report = run(&model, seed, RunOptions { observers: vec![&mut rec], ..Default::default() }).expect("run");
    (report, rec)
}

/// Per accepted event: accept time, request id key, executions (start times), fates.
#[derive(Default, Debug)]
struct Ledger {
    accepted: Option<SimTime>,
    rid: u64,
    function: Option<FnId>,
    starts: Vec<(SimTime, u32)>,
    ends: Vec<SimTime>,
    fates: Vec<(Fate, u32)>,
    /// Throttle back-offs, in order (`None` when the event was given up instead).
    backoffs: Vec<Option<SimTime>>,
}

fn ledger(rec: &Rec) -> BTreeMap<u64, Ledger> {
    let mut l: BTreeMap<u64, Ledger> = BTreeMap::new();
    for (t, e) in &rec.events {
        match e {
            TraceEvent::Accepted { event, rid, function, .. } => {
                let x = l.entry(*event).or_default();
                assert!(x.accepted.is_none(), "event {event} accepted twice");
                x.accepted = Some(*t);
                x.rid = *rid;
                x.function = Some(*function);
            }
            TraceEvent::AttemptStart { event, attempt, .. } => l.entry(*event).or_default().starts.push((*t, *attempt)),
            TraceEvent::AttemptEnd { event, .. } => l.entry(*event).or_default().ends.push(*t),
            TraceEvent::Fate { event, fate, attempts, .. } => l.entry(*event).or_default().fates.push((*fate, *attempts)),
            TraceEvent::Throttled { event, retry_in, .. } => l.entry(*event).or_default().backoffs.push(*retry_in),
            _ => {}
        }
    }
    l
}

// ---------------------------------------------------------------------------------------------------------------------
// generators

fn arrivals() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::vec(0u32..600, 1..6).prop_map(|ts| json!({"At": ts})),
        (0u32..120, 1i64..25, prop_oneof![Just(0u32), 1u32..60])
            .prop_map(|(at, count, spread)| json!({"Burst": {"AtSeconds": at, "Count": count, "SpreadSeconds": spread}})),
        (1u32..60, 0u32..60, 1u32..300)
            .prop_map(|(iv, start, len)| json!({"Every": {"IntervalSeconds": iv, "StartSeconds": start, "EndSeconds": start + len}})),
        (1u32..20, 1u32..120).prop_map(|(tenths, end)| json!({"Poisson": {"RatePerSecond": f64::from(tenths) / 10.0, "EndSeconds": end}})),
    ]
}

fn source(i: usize) -> impl Strategy<Value = Value> {
    (arrivals(), prop::sample::select(vec!["a", "b", "bee"])).prop_map(move |(mut a, kind)| {
        a["Name"] = json!(format!("src{i}"));
        a["Function"] = json!("f");
        a["Payload"] = json!({"kind": kind, "n": "{{n}}"});
        a
    })
}

fn rule() -> impl Strategy<Value = Value> {
    let pattern = prop::option::of(prop::sample::select(vec![
        json!({"kind": ["a"]}),
        json!({"kind": [{"prefix": "b"}]}),
        json!({"n": [{"numeric": [">=", 3]}]}),
        json!({"kind": [{"anything-but": ["bee"]}]}),
    ]));
    let attempt = prop::option::of((prop::option::of(1i64..=3), prop::option::of(1i64..=3)));
    (prop::option::of(0u32..=100), attempt, pattern, prop::sample::select(vec!["Fail", "Timeout", "Crash", "Succeed"])).prop_map(
        |(p, attempt, pattern, outcome)| {
            let mut when = json!({});
            if let Some(p) = p {
                when["Probability"] = json!(f64::from(p) / 100.0);
            }
            if let Some((lo, hi)) = attempt {
                let mut a = json!({});
                if let Some(lo) = lo {
                    a["AtLeast"] = json!(lo);
                }
                if let Some(hi) = hi {
                    a["AtMost"] = json!(hi);
                }
                when["Attempt"] = a;
            }
            if let Some(pt) = pattern {
                when["Payload"] = pt;
            }
            json!({"When": when, "Then": {"Outcome": outcome}})
        },
    )
}

fn fault() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["Error", "Timeout", "Crash", "Throttle", "ServiceError"]),
        0u32..600,
        1u32..3600,
        prop::option::of(1u32..=100),
    )
        .prop_map(|(kind, start, len, p)| {
            let mut f = json!({"Function": "f", "Kind": kind, "StartSeconds": start, "EndSeconds": start + len});
            if let Some(p) = p {
                f["Probability"] = json!(f64::from(p) / 100.0);
            }
            f
        })
}

#[derive(Debug, Clone)]
struct Params {
    scenario: Value,
    retries: u32,
    max_age: SimTime,
    seed: u64,
    /// Throttle back-off without jitter (the default): 1 s doubling to 300 s.
    plain_backoff: bool,
    /// Function-error retry delays without jitter (the default 60 s and 120 s).
    plain_retry: bool,
}

fn any_scenario() -> impl Strategy<Value = Params> {
    let sources = (1usize..=3).prop_flat_map(|n| (0..n).map(source).collect::<Vec<_>>());
    let settings = (
        prop::option::of(prop_oneof![Just(0i64), 1i64..=3]),
        any::<bool>(),
        prop::sample::select(vec![0.0, 0.0, 0.2]),
        prop::sample::select(vec![0u32, 0, 20]),
        prop::sample::select(vec![0.0, 0.5]),
        any::<bool>(),
        1i64..=5,
        (1u32..=2000, 0u32..=2000),
    );
    (0i64..=2, 60i64..=21600, prop::collection::vec(rule(), 0..=3), sources, prop::collection::vec(fault(), 0..=2), settings, any::<u64>())
        .prop_map(|(retries, age, rules, sources, faults, settings, seed)| {
            let (reserved, queue, dup, jitter, backoff_jitter, look_ahead, timeout, (dmin, dspread)) = settings;
            let mut f = json!({
                "FunctionName": "f",
                "Timeout": timeout,
                "Behavior": {
                    "Duration": {"Uniform": {"MinMs": dmin, "MaxMs": dmin + dspread}},
                    "InitDuration": {"Uniform": {"MinMs": 50, "MaxMs": 800}},
                    "Rules": rules
                },
                "EventInvokeConfig": {
                    "MaximumRetryAttempts": retries,
                    "MaximumEventAgeInSeconds": age,
                    "DestinationConfig": {
                        "OnSuccess": {"Destination": format!("{QUEUE}ok")},
                        "OnFailure": {"Destination": format!("{QUEUE}failed")}
                    }
                },
                "DeadLetterConfig": {"TargetArn": format!("{QUEUE}dlq")}
            });
            if let Some(r) = reserved {
                f["ReservedConcurrentExecutions"] = json!(r);
            }
            let scenario = json!({
                "Simulation": {
                    "AsyncConcurrencyFull": if queue { "Queue" } else { "Backoff" },
                    "DuplicateDeliveryProbability": dup,
                    "AsyncRetryJitterSeconds": jitter,
                    "ThrottleBackoff": {"Jitter": backoff_jitter},
                    "EventAgeLookAhead": look_ahead
                },
                "Functions": [f],
                "Queues": [{"QueueName": "ok"}, {"QueueName": "failed"}, {"QueueName": "dlq"}],
                "Workload": sources,
                "Faults": faults
            });
            Params {
                scenario,
                retries: retries as u32,
                max_age: SimTime::from_secs(age as u64),
                seed,
                plain_backoff: backoff_jitter == 0.0,
                plain_retry: jitter == 0,
            }
        })
}

fn always_failing() -> impl Strategy<Value = Params> {
    (
        0i64..=2,
        300i64..=21600,
        prop::sample::select(vec!["Fail", "Timeout", "Crash"]),
        // The random source may give no event; the fixed one makes sure every case has one.
        source(0).prop_map(|s| vec![json!({"Name": "fixed", "Function": "f", "At": [0], "Payload": {"kind": "a", "n": -1}}), s]),
        (1u32..=2000, 0u32..=2000),
        any::<u64>(),
    )
        .prop_map(|(retries, age, outcome, sources, (dmin, dspread), seed)| {
            let scenario = json!({
                "Functions": [{
                    "FunctionName": "f",
                    "Timeout": 5,
                    "Behavior": {
                        "Duration": {"Uniform": {"MinMs": dmin, "MaxMs": dmin + dspread}},
                        "Rules": [{"Then": {"Outcome": outcome}}]
                    },
                    "EventInvokeConfig": {
                        "MaximumRetryAttempts": retries,
                        "MaximumEventAgeInSeconds": age,
                        "DestinationConfig": {"OnFailure": {"Destination": format!("{QUEUE}failed")}}
                    },
                    "DeadLetterConfig": {"TargetArn": format!("{QUEUE}dlq")}
                }],
                "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
                "Workload": sources
            });
            Params {
                scenario,
                retries: retries as u32,
                max_age: SimTime::from_secs(age as u64),
                seed,
                plain_backoff: true,
                plain_retry: true,
            }
        })
}

// ---------------------------------------------------------------------------------------------------------------------
// properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Invariants of spec 10.2, 10.3 and the ledger: no breach, exactly one fate per accepted event, at most r+1
    /// executions, none after the maximum age, and exactly the records each fate calls for.
    #[test]
    fn invariants_hold_for_random_scenarios(p in any_scenario()) {
        let (report, rec) = simulate(&p.scenario, p.seed);
        prop_assert!(report.breaches.is_empty(), "breaches: {:?}", report.breaches);
        let l = ledger(&rec);
        prop_assert_eq!(l.len() as u64, report.stats.accepted);
        let mut by_event: BTreeMap<u64, Vec<(String, RecordKind, &Value)>> = BTreeMap::new();
        for (e, name, kind, c) in &rec.delivered {
            by_event.entry(*e).or_default().push((name.clone(), *kind, c));
        }
        for (id, x) in &l {
            let accepted = x.accepted.expect("every traced event was accepted");
            prop_assert_eq!(x.fates.len(), 1, "event {} has {} fates", id, x.fates.len());
            let (fate, attempts) = x.fates[0];
            prop_assert_ne!(fate, Fate::InFlight, "no horizon: every event finishes");
            prop_assert_eq!(attempts as usize, x.starts.len());
            prop_assert!(x.starts.len() as u32 <= p.retries + 1, "event {}: {} executions > r+1", id, x.starts.len());
            for (k, (t, attempt)) in x.starts.iter().enumerate() {
                prop_assert_eq!(*attempt, k as u32 + 1);
                prop_assert!(*t <= accepted + p.max_age, "event {} execution at {} after max age", id, t);
            }
            // Spec 10.2: attempt k+1 starts at least 60·k s after attempt k ends, less the up to 10 % by which AWS's retries
            // come early (AsyncRetryEarlyFraction), whatever throttles or queueing came between.
            prop_assert_eq!(x.ends.len(), x.starts.len());
            if p.plain_retry {
                for k in 1..x.starts.len() {
                    let gap = x.starts[k].0 - x.ends[k - 1];
                    prop_assert!(gap >= SimTime::from_secs(54 * k as u64), "event {}: attempt {} starts {} after attempt {} ends", id, k + 1, gap, k);
                }
            }
            // Throttle back-off (spec 10.4): 1 s doubling, at most 300 s, never decreasing; only the last may give up.
            if p.plain_backoff {
                let delays: Vec<SimTime> = x.backoffs.iter().flatten().copied().collect();
                let want: Vec<SimTime> = (0..delays.len() as u32).map(|k| SimTime::from_secs(2u64.pow(k.min(9)).min(300))).collect();
                prop_assert_eq!(&delays, &want, "event {} back-offs", id);
            }
            if let Some(pos) = x.backoffs.iter().position(Option::is_none) {
                prop_assert_eq!(pos + 1, x.backoffs.len(), "event {}: back-off after giving up", id);
                prop_assert_eq!(fate, Fate::EventAgeExceeded);
            }
            // Records: one per configured target for the fate, with the invoke count and condition of the fate.
            let recs = by_event.remove(id).unwrap_or_default();
            let want: Vec<(&str, RecordKind)> = match fate {
                Fate::Succeeded => vec![("ok", RecordKind::OnSuccess)],
                _ => vec![("failed", RecordKind::OnFailure), ("dlq", RecordKind::DeadLetter)],
            };
            let got: Vec<(&str, RecordKind)> = recs.iter().map(|(n, k, _)| (n.as_str(), *k)).collect();
            prop_assert_eq!(got, want, "event {} fate {:?}", id, fate);
            for (_, kind, c) in &recs {
                match kind {
                    RecordKind::DeadLetter => {
                        prop_assert_eq!(&c["attributes"]["RequestID"], &json!(request_id(p.seed, x.rid)));
                        prop_assert_eq!(&c["attributes"]["ErrorCode"], &json!(if attempts == 0 { "429" } else { "200" }));
                    }
                    _ => {
                        prop_assert_eq!(&c["requestContext"]["approximateInvokeCount"], &json!(attempts));
                        prop_assert_eq!(&c["requestContext"]["requestId"], &json!(request_id(p.seed, x.rid)));
                        let cond = match fate {
                            Fate::Succeeded => "Success",
                            other => other.name(),
                        };
                        prop_assert_eq!(&c["requestContext"]["condition"], &json!(cond));
                        prop_assert_eq!(c.get("responseContext").is_some(), attempts > 0);
                    }
                }
            }
        }
        prop_assert!(by_event.is_empty(), "records for unknown events: {:?}", by_event.keys().collect::<Vec<_>>());
        let m = &report.metrics.functions[0];
        prop_assert_eq!(m.accepted, report.stats.accepted);
        prop_assert_eq!(m.attempts as usize, l.values().map(|x| x.starts.len()).sum::<usize>());
    }

    /// The property: an always-failing function with MaximumRetryAttempts r and a long enough age executes
    /// every event exactly r+1 times; the on-failure queue and the DLQ each get exactly one record for it.
    #[test]
    fn always_failing_events_run_r_plus_1_times_and_reach_each_failure_target_once(p in always_failing()) {
        let (report, rec) = simulate(&p.scenario, p.seed);
        prop_assert!(report.breaches.is_empty(), "breaches: {:?}", report.breaches);
        let l = ledger(&rec);
        prop_assert!(!l.is_empty());
        let mut failed: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        let mut dlq: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        for (_, name, kind, c) in &rec.delivered {
            match (name.as_str(), kind) {
                ("failed", RecordKind::OnFailure) => failed.entry(c["requestContext"]["requestId"].as_str().unwrap().to_string()).or_default().push(c),
                ("dlq", RecordKind::DeadLetter) => dlq.entry(c["attributes"]["RequestID"].as_str().unwrap().to_string()).or_default().push(c),
                other => prop_assert!(false, "unexpected delivery {:?}", other),
            }
        }
        prop_assert_eq!(failed.len(), l.len());
        prop_assert_eq!(dlq.len(), l.len());
        for (id, x) in &l {
            prop_assert_eq!(x.starts.len() as u32, p.retries + 1, "event {} executions", id);
            prop_assert_eq!(x.fates.clone(), vec![(Fate::RetriesExhausted, p.retries + 1)]);
            let req = request_id(p.seed, x.rid);
            let f = failed.get(&req).map(Vec::as_slice).unwrap_or_default();
            prop_assert_eq!(f.len(), 1, "on-failure records for {}", req);
            prop_assert_eq!(&f[0]["requestContext"]["approximateInvokeCount"], &json!(p.retries + 1));
            prop_assert_eq!(&f[0]["requestContext"]["condition"], &json!("RetriesExhausted"));
            let d = dlq.get(&req).map(Vec::as_slice).unwrap_or_default();
            prop_assert_eq!(d.len(), 1, "DLQ messages for {}", req);
            prop_assert_eq!(&d[0]["body"], &f[0]["requestPayload"], "DLQ body is the original payload");
            prop_assert_eq!(&d[0]["attributes"]["ErrorCode"], &json!("200"));
        }
        // Every event came from the workload (no duplicates configured).
        let duplicates = rec.events.iter().filter(|(_, e)| matches!(e, TraceEvent::Accepted { origin: Origin::Duplicate { .. }, .. })).count();
        prop_assert_eq!(duplicates, 0);
    }
}
