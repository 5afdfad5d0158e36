//! `compare --set` and `explore` run scenarios with overrides written into the scenario's text, so a workload's
//! payload keeps the bytes the scenario wrote (conformance ASYNC-DLQ-BYTES): an override that leaves every value as
//! it was runs exactly as `lambdasim run` does, trace digest for trace digest.

use std::process::{Command, Output};

use serde_json::Value;

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An always-failing function with a dead-letter queue, invoked with `{"raise_error": 1}` (a space after the colon,
/// as Python's `json.dumps` writes it).
const SCENARIO: &str = r#"{
  "Functions": [{"FunctionName": "f", "Timeout": 3, "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
                 "Behavior": {"Rules": [{"Then": {"Outcome": "Fail"}}]}}],
  "Queues": [{"QueueName": "dlq"}],
  "Workload": [{"Name": "w", "Function": "f", "At": [0, 1, 2], "Payload": {"raise_error": 1}}]
}"#;

fn run_digest(path: &str, seed: &str) -> String {
    let o = lambdasim(&["run", path, "--seed", seed, "--format", "json"]);
    // 1: an expectation failed, as the scenarios explore finds do.
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["digest"].as_str().unwrap().to_string()
}

#[test]
fn compare_set_of_an_unchanged_value_runs_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, SCENARIO).unwrap();
    let compact = dir.path().join("compact.json");
    std::fs::write(&compact, SCENARIO.replace(r#"{"raise_error": 1}"#, r#"{"raise_error":1}"#)).unwrap();
    let p = path.to_str().unwrap();
    let (d1, d2) = (run_digest(p, "1"), run_digest(p, "2"));
    // The payload's bytes reach the trace: the same scenario with the payload written compactly runs differently.
    assert_ne!(d1, run_digest(compact.to_str().unwrap(), "1"));

    for set in ["functions.f.Timeout=3", "workload.w.At=[0,1,2]"] {
        let o = lambdasim(&["compare", p, "--set", set, "--seeds", "1..2", "--format", "json", "--jobs", "1"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let digests: Vec<(&str, &str)> =
            v["digests"].as_array().unwrap().iter().map(|d| (d["a"].as_str().unwrap(), d["b"].as_str().unwrap())).collect();
        assert_eq!(digests, vec![(d1.as_str(), d1.as_str()), (d2.as_str(), d2.as_str())], "--set {set}");
        assert_eq!(v["identicalRuns"], 2);
    }
    // A change that matters shows in the digests and in the text.
    let o = lambdasim(&["compare", p, "--set", "workload.w.At=[0,1]", "--seeds", "1..2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("identical runs (same trace digest): 0 of 2 seeds"), "{}", text(&o.stdout));
}

#[test]
fn explore_writes_the_payload_as_the_scenario_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = SCENARIO.trim_end().trim_end_matches('}').to_string();
    doc += r#",
  "Expectations": [{"Name": "nothing reaches the DLQ", "Expect": {"Fates": {"Fate": "RetriesExhausted"}}, "Equals": 0}],
  "Explore": {"Knobs": [{"Path": "functions.f.Timeout", "Range": [3, 9]}], "Cases": 4, "Seeds": "1..3"}
}"#;
    let path = dir.path().join("s.json");
    std::fs::write(&path, &doc).unwrap();
    let out = dir.path().join("found.json");
    let o = lambdasim(&["explore", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", text(&o.stdout), text(&o.stderr));
    let found = std::fs::read_to_string(&out).unwrap();
    assert!(found.contains(r#""Payload": {"raise_error": 1}"#), "{found}");
    assert!(!found.contains("Explore"), "{found}");
    // The written scenario runs as the scenario with the shrunk knob value does.
    let v: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(v["Functions"][0]["Timeout"], 3);
    let seed = text(&o.stdout).lines().find_map(|l| l.trim().strip_prefix("seed ")).unwrap().split(':').next().unwrap().to_string();
    let base = dir.path().join("base.json");
    std::fs::write(&base, SCENARIO).unwrap();
    assert_eq!(run_digest(out.to_str().unwrap(), &seed), run_digest(base.to_str().unwrap(), &seed));
}
