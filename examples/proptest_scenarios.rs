//! A property of your own over generated scenarios, as you would write it in your crate's tests with the exported
//! strategies (`lambdasim::campaign::strategies`). The property is spec 10.2's contract for async invocations: an
//! event's executions never exceed `MaximumRetryAttempts + 1`, and every event whose retries are exhausted reaches its
//! function's on-failure queue exactly once, whatever else the scenario does: the strategy mixes async functions with
//! SQS, Kinesis and DynamoDB mappings, SNS topics, EventBridge buses and Firehose (`full_scenario()`).
//!
//! ```text
//! cargo run --example proptest_scenarios       # a seeded search of 64 cases, prints what it covered
//! cargo test --example proptest_scenarios      # the same property as a `proptest!` test
//! ```
//!
//! A failure is shrunk by proptest to a small scenario and seed, printed as JSON: save it to a file and replay it with
//! `lambdasim run FILE --seed N`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use lambdasim::campaign::strategies;
use lambdasim::{Fate, Ledger, MemorySinks, RunOptions, Scenario};

/// Runs `sc` under `seed` and checks the property; returns how many events exhausted their retries.
fn retries_reach_the_failure_queue_once(sc: &Scenario, seed: u64) -> Result<usize, TestCaseError> {
    let text = serde_json::to_string_pretty(sc).unwrap();
    let model = lambdasim::load_str(&text).map_err(|e| TestCaseError::fail(format!("generated scenario is invalid: {e}")))?;
    let mut ledger = Ledger::default();
    let mut sinks = MemorySinks::default();
    let report = lambdasim::run(&model, seed, RunOptions { observers: vec![&mut ledger, &mut sinks], ..Default::default() })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(report.breaches.is_empty(), "{:?}", report.breaches);

    let retries: BTreeMap<&str, i64> = sc
        .functions
        .iter()
        .filter_map(|f| Some((f.function_name.as_str(), f.event_invoke_config.as_ref()?.maximum_retry_attempts?)))
        .collect();
    // Functions with an on-failure destination, and the name of the queue it is (the last part of its ARN).
    let failure_queue: BTreeMap<&str, &str> = sc
        .functions
        .iter()
        .filter_map(|f| {
            let arn = f.event_invoke_config.as_ref()?.destination_config.as_ref()?.on_failure.as_ref()?.destination.as_deref()?;
            Some((f.function_name.as_str(), arn.rsplit(':').next()?))
        })
        .collect();
    let mut on_failure: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (target, content) in &sinks.contents {
        if let Some(rid) = content.pointer("/requestContext/requestId").and_then(|v| v.as_str()) {
            *on_failure.entry((target.as_str(), rid)).or_default() += 1;
        }
    }
    let mut exhausted = 0;
    for e in &ledger.entries {
        if let Some(r) = retries.get(e.function.as_str()) {
            prop_assert!(
                i64::from(e.executions) <= r + 1,
                "{} ran {} times with MaximumRetryAttempts {r}\n{text}",
                e.request_id,
                e.executions
            );
        }
        if let (Fate::RetriesExhausted, Some(target)) = (e.fate, failure_queue.get(e.function.as_str())) {
            exhausted += 1;
            let n = on_failure.get(&(*target, e.request_id.as_str())).copied().unwrap_or(0);
            prop_assert_eq!(n, 1, "{} reached {} {} times (seed {})\n{}", e.request_id, target, n, seed, text);
        }
    }
    Ok(exhausted)
}

fn main() {
    let config = Config { cases: 64, failure_persistence: None, ..Config::default() };
    // A fixed seed for the search itself, so the example does the same thing every time.
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]));
    let total = std::cell::Cell::new((0usize, 0usize, 0usize));
    let result = runner.run(&(strategies::full_scenario(), 0u64..10_000), |(sc, seed)| {
        let exhausted = retries_reach_the_failure_queue_once(&sc, seed)?;
        let (runs, events, services) = total.get();
        let drawn = sc.event_source_mappings.len() + sc.topics.len() + sc.event_buses.len() + sc.delivery_streams.len();
        total.set((runs + 1, events + exhausted, services + drawn));
        Ok(())
    });
    match result {
        Ok(()) => {
            let (runs, events, services) = total.get();
            println!(
                "property held in {runs} generated scenarios: {events} events exhausted their retries; {services} mappings, topics, buses and delivery streams"
            )
        }
        Err(e) => {
            eprintln!("property failed: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn exhausted_events_reach_the_failure_queue_once(sc in strategies::full_scenario(), seed in 0u64..10_000) {
            retries_reach_the_failure_queue_once(&sc, seed)?;
        }
    }
}
