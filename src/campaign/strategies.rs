//! `proptest` strategies for the main configuration types, for properties written in users' own `cargo test`s.
//! Every value they produce is valid: AWS's bounds hold, names are unique, and every ARN names a resource of the
//! scenario. Combine them with `prop_map` to pin what a property needs (see `tests/suite/user_property.rs` and
//! `examples/proptest_scenarios.rs`).
//!
//! - Async invocations: [`function`], [`workload`], [`scenario`] (functions with on-failure queues and DLQs).
//! - Services, each a [`Parts`] named by a prefix so that several combine without clashing: [`sqs_mapping`] (spec
//!   5.2), [`kinesis_mapping`] and [`dynamodb_mapping`] (spec 5.3), [`sns_topic`] and [`event_bus`] (spec section 7),
//!   [`firehose`] (`docs/sources.md`, Firehose data transformation); [`full_scenario`] mixes them.
//!
//! The bounds drawn are AWS's documented ones (cited in `strategies/services.rs`), narrowed so that a generated run ends in
//! well under a second: few records, short retention and ages, bounded retries.

use proptest::prelude::*;
use serde_json::json;

use crate::scenario::*;

mod services;
pub use services::{dynamodb_mapping, event_bus, firehose, full_scenario, kinesis_mapping, sns_topic, sqs_mapping, Parts};

/// `EventInvokeConfig` without destinations: `MaximumRetryAttempts` 0–2, `MaximumEventAgeInSeconds` 60–21600.
pub fn event_invoke_config() -> impl Strategy<Value = EventInvokeConfigSpec> {
    (0i64..=2, 60i64..=21600).prop_map(|(r, age)| EventInvokeConfigSpec {
        maximum_retry_attempts: Some(r),
        maximum_event_age_in_seconds: Some(age),
        destination_config: None,
    })
}

/// A duration distribution with values from under a millisecond to a few seconds.
pub fn dist() -> impl Strategy<Value = DistSpec> {
    prop_oneof![
        (0.0f64..2000.0).prop_map(|ms| DistSpec::Constant { ms }),
        (0.0f64..500.0, 0.0f64..1500.0).prop_map(|(a, d)| DistSpec::Uniform { min_ms: a, max_ms: a + d }),
        (1.0f64..1000.0).prop_map(|m| DistSpec::Exponential { mean_ms: m, min_ms: None, max_ms: None }),
        (1.0f64..1000.0, 0.0f64..1.5).prop_map(|(m, s)| DistSpec::LogNormal {
            median_ms: m,
            sigma: s,
            min_ms: None,
            max_ms: Some(60_000.0)
        }),
        prop::collection::vec(0.0f64..3000.0, 1..8).prop_map(|samples_ms| DistSpec::Empirical { samples_ms }),
    ]
}

/// An outcome of a behaviour rule.
pub fn outcome() -> impl Strategy<Value = OutcomeKind> {
    prop_oneof![Just(OutcomeKind::Succeed), Just(OutcomeKind::Fail), Just(OutcomeKind::Timeout), Just(OutcomeKind::Crash)]
}

/// A behaviour rule: conditions on the attempt number, a payload field and a probability.
pub fn rule() -> impl Strategy<Value = RuleSpec> {
    (prop::option::of((1i64..=3, 0i64..=2)), prop::option::of(any::<bool>()), prop::option::of(0.0f64..=1.0), outcome()).prop_map(
        |(attempt, field, probability, outcome)| RuleSpec {
            when: Some(WhenSpec {
                payload: field.map(|b| json!({ "flag": [b] })),
                attempt: attempt.map(|(lo, span)| RangeSpec { at_least: Some(lo), at_most: Some(lo + span) }),
                probability,
            }),
            then: ThenSpec::outcome(outcome),
        },
    )
}

/// A function's behaviour: durations and up to four rules.
pub fn behavior() -> impl Strategy<Value = BehaviorSpec> {
    (dist(), dist(), prop::collection::vec(rule(), 0..4)).prop_map(|(duration, init, rules)| BehaviorSpec {
        duration: Some(duration),
        init_duration: Some(init),
        duration_per_record: None,
        rules,
    })
}

/// A function named `name`, with a timeout, memory, optional reserved concurrency and its async settings.
pub fn function(name: &str) -> impl Strategy<Value = FunctionSpec> {
    let name = name.to_string();
    (1i64..=30, 128i64..=3008, prop::option::of(0i64..=20), event_invoke_config(), behavior()).prop_map(move |(t, m, rc, eic, b)| {
        FunctionSpec {
            function_name: name.clone(),
            timeout: Some(t),
            memory_size: Some(m),
            architectures: None,
            reserved_concurrent_executions: rc,
            recursive_loop: None,
            event_invoke_config: Some(eic),
            dead_letter_config: None,
            behavior: Some(b),
            handler: None,
            runtime: None,
            code_uri: None,
            environment: None,
            provisioned_concurrency_config: None,
            provisioned_concurrency: None,
            versions: vec![],
            aliases: vec![],
        }
    })
}

/// An async workload source for `function`: explicit times, Poisson, periodic or a burst, within ten minutes.
pub fn workload(function: &str) -> impl Strategy<Value = WorkloadSpec> {
    let f = function.to_string();
    let base = move || WorkloadSpec {
        name: None,
        function: f.clone(),
        invocation_type: Some(InvocationTypeSpec::Event),
        payload: None,
        at: None,
        poisson: None,
        every: None,
        burst: None,
        caller: None,
        source: None,
        source_options: None,
        ..WorkloadSpec::default()
    };
    let b1 = base.clone();
    let b2 = base.clone();
    let b3 = base.clone();
    let b4 = base;
    prop_oneof![
        prop::collection::vec(0.0f64..600.0, 1..20).prop_map(move |at| WorkloadSpec { at: Some(at), ..b1() }),
        (0.05f64..5.0, 10.0f64..600.0).prop_map(move |(r, end)| WorkloadSpec {
            poisson: Some(PoissonSpec { rate_per_second: r, start_seconds: None, end_seconds: end }),
            ..b2()
        }),
        (1.0f64..60.0, 10.0f64..600.0).prop_map(move |(i, end)| WorkloadSpec {
            every: Some(EverySpec { interval_seconds: i, start_seconds: None, end_seconds: end }),
            ..b3()
        }),
        (0.0f64..300.0, 1i64..50, prop::option::of(0.0f64..30.0)).prop_map(move |(at, n, spread)| WorkloadSpec {
            burst: Some(BurstSpec { at_seconds: at, count: n, spread_seconds: spread }),
            ..b4()
        }),
    ]
    .prop_map(|mut w| {
        w.payload = Some(json!({ "n": "{{n}}", "flag": false }).into());
        w
    })
}

/// A whole valid scenario: one or two functions, each with an on-failure queue and a DLQ, and one to three async
/// sources.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    (prop::collection::vec(function("f0"), 1..=2), prop::collection::vec((0usize..2, any::<bool>()), 1..=3))
        .prop_flat_map(|(fns, srcs)| {
            let n = fns.len();
            let workloads: Vec<_> = srcs.iter().map(|(i, _)| workload(&format!("f{}", i % n))).collect();
            (Just(fns), workloads)
        })
        .prop_map(|(mut fns, workload)| {
            let mut queues = vec![];
            for (i, f) in fns.iter_mut().enumerate() {
                f.function_name = format!("f{i}");
                let failed = format!("f{i}-failed");
                let dlq = format!("f{i}-dlq");
                if let Some(eic) = f.event_invoke_config.as_mut() {
                    eic.destination_config = Some(DestinationConfigSpec {
                        on_success: None,
                        on_failure: Some(DestinationSpec { destination: Some(format!("arn:aws:sqs:us-east-1:123456789012:{failed}")) }),
                    });
                }
                f.dead_letter_config = Some(DeadLetterConfigSpec { target_arn: format!("arn:aws:sqs:us-east-1:123456789012:{dlq}") });
                queues.push(QueueSpec { queue_name: failed, ..QueueSpec::default() });
                queues.push(QueueSpec { queue_name: dlq, ..QueueSpec::default() });
            }
            let workload = workload.into_iter().enumerate().map(|(i, mut w)| {
                w.name = Some(format!("source{i}"));
                w
            });
            Scenario { functions: fns, queues, workload: workload.collect(), ..services::empty_scenario() }
        })
}
