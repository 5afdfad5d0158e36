//! How a user writes their own property with lambdasim, in their own `cargo test`: generate configurations with the
//! exported proptest strategies, run them, and check the ledger and what the targets received.
//!
//! The property here is spec section 10.2: with an always-failing function, `MaximumRetryAttempts = r` and a long
//! enough maximum age, every event is executed exactly r + 1 times and each failure target receives exactly one
//! record for it, with `approximateInvokeCount = r + 1`.

use std::collections::BTreeMap;

use lambdasim::scenario::{OutcomeKind, RuleSpec, ThenSpec};
use lambdasim::{Fate, Ledger, MemorySinks, RunOptions};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn always_failing_functions_use_exactly_their_retries(
        mut scenario in lambdasim::campaign::strategies::scenario(),
        retries in 0i64..=2,
        seed in 0u64..1000,
    ) {
        for f in &mut scenario.functions {
            let eic = f.event_invoke_config.as_mut().unwrap();
            eic.maximum_retry_attempts = Some(retries);
            eic.maximum_event_age_in_seconds = Some(21600);
            f.reserved_concurrent_executions = None;
            let b = f.behavior.as_mut().unwrap();
            b.rules = vec![RuleSpec {
                when: None,
                then: ThenSpec::outcome(OutcomeKind::Fail),
            }];
        }
        let model = lambdasim::Model::build(&scenario).expect("strategies produce valid scenarios");
        let mut ledger = Ledger::default();
        let mut sinks = MemorySinks::default();
        let report = lambdasim::run(&model, seed, RunOptions { observers: vec![&mut ledger, &mut sinks], ..Default::default() }).unwrap();

        prop_assert!(report.breaches.is_empty(), "{:?}", report.breaches);
        prop_assert!(!ledger.entries.is_empty());
        // (target, request id) -> invoke counts of the records received.
        let mut received: BTreeMap<(String, String), Vec<Option<i64>>> = BTreeMap::new();
        for (target, c) in &sinks.contents {
            let rid = c.pointer("/requestContext/requestId").or_else(|| c.pointer("/attributes/RequestID")).and_then(|v| v.as_str()).unwrap();
            let count = c.pointer("/requestContext/approximateInvokeCount").and_then(|v| v.as_i64());
            received.entry((target.clone(), rid.to_string())).or_default().push(count);
        }
        for e in &ledger.entries {
            prop_assert_eq!(e.fate, Fate::RetriesExhausted);
            prop_assert_eq!(e.executions as i64, retries + 1);
            for target in [format!("{}-failed", e.function), format!("{}-dlq", e.function)] {
                let got = received.get(&(target.clone(), e.request_id.clone())).cloned().unwrap_or_default();
                prop_assert_eq!(got.len(), 1, "{} records for {} on {}", got.len(), e.request_id, target);
                if let Some(n) = got[0] {
                    prop_assert_eq!(n, retries + 1);
                }
            }
        }
    }
}
