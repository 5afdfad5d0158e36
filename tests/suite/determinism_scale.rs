//! Determinism at scale (issue 17): `check --check-determinism` (its library form, a sweep that runs every seed twice
//! and compares the trace digests) over a few thousand seeds of each kind of bundled scenario: async retries and
//! destinations, SQS, Kinesis, DynamoDB streams, SNS and EventBridge fan-out, Firehose, provisioned concurrency.
//! The runs are kept short with `Simulation.DurationSeconds`. The default test runs 100 seeds of each kind (seconds);
//! the `#[ignore]`d variants run 3,000 and 10,000 (minutes to hours in the dev profile; use `--release`).

use lambdasim::campaign::sweep::{sweep, SeedSet, SweepOptions};

/// One bundled scenario of each kind, with the horizon that keeps its runs short.
const KINDS: [(&str, f64); 8] = [
    ("async-retries-to-destinations.json", 10.0),
    ("sqs-partial-batch.json", 3.0),
    ("kinesis-poison-bisect.json", 2.0),
    ("dynamodb-onfailure-s3.json", 3.0),
    ("s3-lambda-sns-fanout.json", 2.0),
    ("eventbridge-two-functions.json", 3.0),
    ("firehose-transform.json", 70.0),
    ("canary-provisioned.json", 10.0),
];

fn check_determinism(file: &str, horizon: f64, seeds: &str) -> usize {
    let text = std::fs::read_to_string(format!("scenarios/{file}")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sim = doc.as_object_mut().unwrap().entry("Simulation").or_insert_with(|| serde_json::json!({}));
    // Keep a shorter horizon if the scenario has one.
    let given = sim.get("DurationSeconds").and_then(|d| d.as_f64()).unwrap_or(f64::INFINITY);
    sim["DurationSeconds"] = serde_json::json!(horizon.min(given));
    // Expectations are judged by other tests; a shortened run need not meet them.
    doc.as_object_mut().unwrap().remove("Expectations");
    let sc: lambdasim::Scenario = serde_json::from_value(doc).unwrap();
    let model = lambdasim::Model::build(&sc).unwrap_or_else(|e| panic!("{file}: {e}"));
    let opts = SweepOptions {
        seeds: SeedSet::parse(seeds).unwrap(),
        shard: None,
        jobs: 2,
        check_determinism: true,
        inject_nondeterminism: false,
        progress: false,
        max_events: lambdasim::run::DEFAULT_MAX_EVENTS,
    };
    let res = sweep(&sc, &model, file, &opts).unwrap();
    let bad: Vec<_> = res.runs.iter().filter(|r| !r.breaches.is_empty()).map(|r| format!("seed {}: {:?}", r.seed, r.breaches)).collect();
    assert!(bad.is_empty(), "{file}: {}", bad.join("\n"));
    res.runs.len()
}

#[test]
fn determinism_at_scale_each_bundled_kind_over_100_seeds() {
    for (file, horizon) in KINDS {
        let t = std::time::Instant::now();
        assert_eq!(check_determinism(file, horizon, "1..100"), 100, "{file}");
        eprintln!("{file}: 100 seeds x 2 runs in {:.1} s", t.elapsed().as_secs_f64());
    }
}

#[test]
#[ignore = "3,000 seeds of each kind: several minutes in the dev profile"]
fn determinism_at_scale_each_bundled_kind_over_3000_seeds() {
    for (file, horizon) in KINDS {
        let t = std::time::Instant::now();
        assert_eq!(check_determinism(file, horizon, "1..3000"), 3000, "{file}");
        eprintln!("{file}: 3,000 seeds x 2 runs in {:.1} s", t.elapsed().as_secs_f64());
    }
}

#[test]
#[ignore = "10,000 seeds of each kind: minutes in the dev profile"]
fn determinism_at_scale_each_bundled_kind_over_10000_seeds() {
    for (file, horizon) in KINDS {
        let t = std::time::Instant::now();
        assert_eq!(check_determinism(file, horizon, "1..10000"), 10_000, "{file}");
        eprintln!("{file}: 10,000 seeds x 2 runs in {:.1} s", t.elapsed().as_secs_f64());
    }
}
