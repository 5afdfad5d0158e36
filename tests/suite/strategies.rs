//! The exported strategies (`lambdasim::campaign::strategies`) produce scenarios that validate and run: every
//! scenario `full_scenario()` draws (async functions, SQS/Kinesis/DynamoDB mappings, SNS topics, EventBridge buses,
//! Firehose) is serialized to JSON and read back with `load_str` as a user's file would be, run, and checked against
//! its trace: the invariant monitor reports no breach, and every accepted event, message sent, stream record put,
//! published message (at each endpoint it matched) and Firehose record has exactly one fate. Over the cases, every
//! kind of fate is reached, so the strategies do exercise each service.
//!
//! The proptest seed is fixed and the case count small, so the module runs in seconds and the same way every time;
//! `PROPTEST_CASES` asks for a deeper search.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use lambdasim::campaign::strategies::{self, Parts};
use lambdasim::{load_str, run, RunOptions, TraceEvent, TraceLog};

/// What one run's trace holds: per thing that must end, how many times it was started and how many fates it got.
#[derive(Default)]
struct Fates {
    /// (kind, key) -> (starts, fates)
    seen: BTreeMap<(&'static str, String), (u32, u32)>,
    /// (hub, msg) -> (endpoints matched, endpoints that reached a fate)
    published: BTreeMap<(u32, u64), (u32, Vec<u32>)>,
}

impl Fates {
    fn of(log: &TraceLog) -> Fates {
        let mut f = Fates::default();
        let mut bump = |kind: &'static str, key: String, start: bool| {
            let e = f.seen.entry((kind, key)).or_default();
            if start {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        };
        let mut published = BTreeMap::new();
        for (_, ev) in &log.events {
            match ev {
                TraceEvent::Accepted { event, .. } => bump("event", event.to_string(), true),
                TraceEvent::Fate { event, .. } => bump("event", event.to_string(), false),
                TraceEvent::MessageSent { queue, msg, .. } => bump("message", format!("{}/{msg}", queue.0), true),
                TraceEvent::MessageFate { queue, msg, .. } => bump("message", format!("{}/{msg}", queue.0), false),
                TraceEvent::RecordPut { stream, shard, seq, .. } => bump("record", format!("{}/{shard}/{seq}", stream.0), true),
                // Each generated stream has exactly one mapping, so one fate per record.
                TraceEvent::RecordFate { stream, shard, seq, .. } => bump("record", format!("{}/{shard}/{seq}", stream.0), false),
                TraceEvent::FirehoseRecordPut { stream, record, .. } => bump("firehose record", format!("{stream}/{record}"), true),
                TraceEvent::FirehoseRecordFate { stream, record, .. } => bump("firehose record", format!("{stream}/{record}"), false),
                TraceEvent::Published { hub, msg, matched, .. } => {
                    published.insert((*hub, *msg), (*matched, vec![]));
                }
                TraceEvent::Fanout { hub, msg, endpoint, .. } => match published.get_mut(&(*hub, *msg)) {
                    Some((_, ends)) => ends.push(*endpoint),
                    None => {
                        published.insert((*hub, *msg), (0, vec![*endpoint]));
                    }
                },
                _ => {}
            }
        }
        f.published = published;
        f
    }

    /// Every start has exactly one fate, and every published message one fate at each endpoint it matched.
    fn check(&self) -> Result<(), String> {
        for ((kind, key), (starts, fates)) in &self.seen {
            if (*starts, *fates) != (1, 1) {
                return Err(format!("{kind} {key}: started {starts} times, {fates} fates (expected 1 and 1)"));
            }
        }
        for ((hub, msg), (matched, ends)) in &self.published {
            let distinct: BTreeSet<_> = ends.iter().collect();
            if ends.len() as u32 != *matched || distinct.len() != ends.len() {
                return Err(format!("message {msg} of hub {hub}: matched {matched} endpoints, fates at {ends:?}"));
            }
        }
        Ok(())
    }

    fn count(&self, kind: &str) -> usize {
        self.seen.keys().filter(|(k, _)| *k == kind).count()
    }
}

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]))
}

/// Serialize, read back as a file is, run, and check the invariants; returns the fates seen.
fn run_checked(sc: &lambdasim::Scenario, seed: u64) -> Result<Fates, TestCaseError> {
    let text = serde_json::to_string_pretty(sc).expect("a scenario serializes");
    let model = load_str(&text).map_err(|e| TestCaseError::fail(format!("a strategy produced an invalid scenario:\n{e}\n{text}")))?;
    let mut log = TraceLog::default();
    let report = run(&model, seed, RunOptions { observers: vec![&mut log], ..Default::default() })
        .map_err(|e| TestCaseError::fail(format!("run failed: {e}")))?;
    prop_assert!(report.breaches.is_empty(), "invariant breaches: {:#?}\n{}", report.breaches, text);
    let fates = Fates::of(&log);
    fates.check().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    Ok(fates)
}

#[test]
fn full_scenarios_validate_run_and_give_every_start_one_fate() {
    let totals = RefCell::new(BTreeMap::<&'static str, usize>::new());
    let outcome = runner(48).run(&(strategies::full_scenario(), 0u64..1000), |(sc, seed)| {
        let fates = run_checked(&sc, seed)?;
        let mut t = totals.borrow_mut();
        for kind in ["event", "message", "record", "firehose record"] {
            *t.entry(kind).or_default() += fates.count(kind);
        }
        *t.entry("published").or_default() += fates.published.len();
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    // Over the cases, each service was reached: the strategies do cover them.
    for (kind, n) in totals.borrow().iter() {
        assert!(*n > 0, "no {kind} in any generated scenario: {:?}", totals.borrow());
    }
    assert_eq!(totals.borrow().len(), 5);
}

/// Each service strategy alone, so a failure names the service.
#[test]
fn each_service_strategy_alone() {
    let services: Vec<(&str, BoxedStrategy<Parts>)> = vec![
        ("sqs", strategies::sqs_mapping("q").boxed()),
        ("kinesis", strategies::kinesis_mapping("k").boxed()),
        ("dynamodb", strategies::dynamodb_mapping("d").boxed()),
        ("sns", strategies::sns_topic("t").boxed()),
        ("eventbridge", strategies::event_bus("b").boxed()),
        ("firehose", strategies::firehose("h").boxed()),
    ];
    for (name, s) in services {
        let outcome = runner(12).run(&(s, 0u64..1000), |(parts, seed)| run_checked(&parts.into_scenario(), seed).map(|_| ()));
        if let Err(e) = outcome {
            panic!("{name}: {e}");
        }
    }
}
