//! `lambdasim check`, `merge`, `explore` end to end through the binary: a deliberately broken scenario is found,
//! replayed by the printed command, and shrunk; shards merge into the single-machine table byte for byte; JUnit has
//! one testcase per expectation; `--check-determinism` catches injected non-determinism.

use std::path::Path;
use std::process::{Command, Output};

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Retries exhaust only when the 5% failure rule hits all three attempts of an event: some seeds, not all.
const FLAKY: &str = r#"{
  "Name": "flaky",
  "Functions": [
    { "FunctionName": "f",
      "EventInvokeConfig": { "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:failed" } } },
      "DeadLetterConfig": { "TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq" },
      "Behavior": { "Duration": { "LogNormal": { "MedianMs": 100, "Sigma": 0.6 } },
                    "Rules": [ { "When": { "Probability": 0.05 }, "Then": { "Outcome": "Fail" } } ] } },
    { "FunctionName": "other", "Behavior": { "Duration": { "Constant": { "Ms": 5 } } } }
  ],
  "Queues": [ { "QueueName": "failed" }, { "QueueName": "dlq" } ],
  "Workload": [
    { "Name": "orders", "Function": "f", "Poisson": { "RatePerSecond": 1, "EndSeconds": 300 }, "Payload": { "k": "{{n}}" } },
    { "Name": "ticks", "Function": "other", "Every": { "IntervalSeconds": 10, "EndSeconds": 100 } }
  ],
  "Faults": [ { "Function": "other", "Kind": "Error", "StartSeconds": 10, "EndSeconds": 20 } ],
  "Expectations": [
    { "Name": "no event exhausts its retries", "Expect": { "Fates": { "Function": "f", "Fate": "RetriesExhausted" } }, "Equals": 0 },
    { "Name": "failures reach both targets once", "Expect": { "FailureRecordsNotExactlyOnce": {} }, "Equals": 0 },
    { "Name": "first retry within 54-60 s", "Expect": { "RetryGapSeconds": { "Function": "f", "BeforeAttempt": 2 } }, "AtLeast": 54, "AtMost": 60 },
    { "Name": "cold-start ratio", "Expect": { "ColdStartRatio": {} }, "AtMost": 0.2, "AcrossSeeds": { "Statistic": "Mean" } },
    { "Name": "a retry exhausts sometimes", "Expect": { "Fates": { "Fate": "RetriesExhausted" } }, "AtLeast": 1, "Sometimes": true },
    { "Name": "p50 latency", "Expect": { "LatencySeconds": { "Function": "f", "Percentile": 50 } }, "AtMost": 1, "InFractionOfSeeds": 0.99 }
  ]
}"#;

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn check_finds_replays_and_shrinks_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flaky.json", FLAKY);
    let shrunk = dir.path().join("flaky.shrunk.json");
    let out = lambdasim(&["check", &file, "--seeds", "1..300", "--jobs", "2", "--shrink", "--shrink-out", shrunk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    // The table: the per-seed expectation fails in some seeds, the sweep-level ones pass.
    let row = |name: &str| stdout.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no row {name} in\n{stdout}")).to_string();
    assert!(row("no event exhausts its retries").contains("FAIL"));
    assert!(row("failures reach both targets once").contains("300/300"));
    assert!(row("first retry within 54-60 s").contains("pass"));
    assert!(row("cold-start ratio").contains("pass") && row("cold-start ratio").contains("CI ["));
    assert!(row("a retry exhausts sometimes").contains("reached, first in seed"));
    assert!(row("built-in invariants").contains("300/300"));

    // The printed replay command reproduces the failing seed exactly.
    let replay = stdout.lines().find(|l| l.starts_with("replay: lambdasim run ")).expect("replay line").to_string();
    let args: Vec<&str> = replay.trim_start_matches("replay: lambdasim ").split(' ').collect();
    let seed = args[args.len() - 1].to_string();
    let re = lambdasim(&args);
    assert_eq!(re.status.code(), Some(1));
    assert!(text(&re.stdout).contains("[FAIL] no event exhausts its retries"));
    assert!(text(&re.stderr).contains(&format!("--seed {seed}")));

    // The shrunk scenario is smaller, valid, and still fails the same way under the same seed.
    let small = std::fs::read_to_string(&shrunk).expect("shrunk file written");
    let sc: lambdasim::Scenario = serde_json::from_str(&small).unwrap();
    assert_eq!(sc.expectations.len(), 1);
    assert_eq!(sc.workload.len(), 1, "the unrelated source is gone");
    assert!(sc.faults.is_empty() && sc.functions.len() == 1);
    let at = sc.workload[0].at.as_ref().expect("arrivals made explicit");
    assert!(at.len() < 10, "shrunk to a few arrivals, got {}", at.len());
    let again = lambdasim(&["run", shrunk.to_str().unwrap(), "--seed", &seed]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stdout).contains("[FAIL] no event exhausts its retries"));
    assert!(text(&out.stderr).contains("still fails"));
}

#[test]
fn merged_shards_equal_one_machine_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flaky.json", FLAKY);
    let single = lambdasim(&["check", &file, "--seeds", "1..120", "--jobs", "2"]);
    let mut parts = vec![];
    for i in 1..=4 {
        let p = dir.path().join(format!("shard{i}.json")).to_str().unwrap().to_string();
        let o = lambdasim(&["check", &file, "--seeds", "1..120", "--jobs", "1", "--shard", &format!("{i}/4"), "--out", &p]);
        assert!(o.status.code().is_some());
        parts.push(p);
    }
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|s| s.as_str()));
    let merged = lambdasim(&args);
    assert_eq!(text(&single.stdout), text(&merged.stdout));
    assert_eq!(single.status.code(), merged.status.code());

    // Kubernetes Indexed Jobs: the shard comes from the environment.
    let k8s = dir.path().join("k8s.json");
    let o = Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["check", &file, "--seeds", "1..120", "--out", k8s.to_str().unwrap()])
        .env("JOB_COMPLETION_INDEX", "2")
        .env("JOB_COMPLETION_COUNT", "4")
        .output()
        .unwrap();
    assert!(o.status.code().is_some());
    let a: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&k8s).unwrap()).unwrap();
    let b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&parts[2]).unwrap()).unwrap();
    assert_eq!(a["runs"], b["runs"]);
}

#[test]
fn junit_has_one_testcase_per_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flaky.json", FLAKY);
    let junit = dir.path().join("results.xml");
    let o = lambdasim(&["check", &file, "--seeds", "1..60", "--junit", junit.to_str().unwrap()]);
    assert!(o.status.code().is_some());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    let suites = xml.matches("<testsuite ").count();
    let cases = xml.matches("<testcase ").count();
    assert_eq!(suites, 1);
    assert_eq!(cases, 7, "6 expectations + the built-in invariants");
    assert_eq!(xml.matches("<failure ").count(), xml.matches("</failure>").count());
    let failures = xml.matches("<failure ").count();
    assert!(xml.contains(&format!("tests=\"7\" failures=\"{failures}\"")));
    // Well-formed enough: every opened testcase with a body is closed, and the document ends properly.
    assert_eq!(
        xml.matches("<testcase ").count() + xml.matches("<property ").count(),
        xml.matches("</testcase>").count() + xml.matches("/>\n").count()
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
    for name in ["no event exhausts its retries", "failures reach both targets once", "built-in invariants"] {
        assert!(xml.contains(&format!("name=\"{name}\"")), "{name}");
    }
}

#[test]
fn check_determinism_catches_injected_nondeterminism() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flaky.json", FLAKY);
    let clean = lambdasim(&["check", &file, "--seeds", "1..20", "--check-determinism"]);
    assert!(text(&clean.stdout).lines().any(|l| l.starts_with("built-in invariants") && l.contains("20/20") && l.contains("pass")));
    let broken = lambdasim(&["check", &file, "--seeds", "1..5", "--check-determinism", "--inject-nondeterminism-for-testing"]);
    assert_eq!(broken.status.code(), Some(3));
    let s = text(&broken.stdout);
    assert!(s.contains("non-deterministic"), "{s}");
    assert!(s.contains("trace event #") && s.contains("differs"), "{s}");
}

#[test]
fn explore_finds_and_shrinks_a_knob_combination() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "explore.json",
        r#"{
  "Name": "explore-demo",
  "Functions": [ { "FunctionName": "f", "ReservedConcurrentExecutions": 5,
     "EventInvokeConfig": { "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600 },
     "Behavior": { "Duration": {"Constant": {"Ms": 500}}, "Rules": [ { "When": { "Probability": 0.2 }, "Then": { "Outcome": "Fail" } } ] } } ],
  "Workload": [ { "Name": "load", "Function": "f", "Poisson": { "RatePerSecond": 5, "EndSeconds": 60 } } ],
  "Expectations": [ { "Name": "nothing expires", "Expect": { "Fates": { "Fate": "EventAgeExceeded" } }, "Equals": 0 } ],
  "Explore": { "Knobs": [
     { "Path": "functions.f.EventInvokeConfig.MaximumEventAgeInSeconds", "Range": [60, 3600] },
     { "Path": "functions.f.EventInvokeConfig.MaximumRetryAttempts", "Range": [0, 2] },
     { "Path": "workload.load.Poisson.RatePerSecond", "Range": [1.0, 20.0] } ], "Cases": 64, "Seeds": "1..100" }
}"#,
    );
    let out_file = dir.path().join("found.json");
    let o = lambdasim(&["explore", &file, "--out", out_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let found: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert!(found.get("Explore").is_none());
    // Shrunk towards the low ends: the shortest age.
    assert_eq!(found["Functions"][0]["EventInvokeConfig"]["MaximumEventAgeInSeconds"], 60);
    let replay = text(&o.stderr).lines().find(|l| l.starts_with("replay: ")).unwrap().trim_start_matches("replay: lambdasim ").to_string();
    let args: Vec<&str> = replay.split(' ').collect();
    assert_eq!(lambdasim(&args).status.code(), Some(1));
    // The same search twice finds the same thing.
    let out2 = dir.path().join("found2.json");
    lambdasim(&["explore", &file, "--out", out2.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out_file).unwrap(), std::fs::read(&out2).unwrap());
}

#[test]
fn bad_sweep_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "flaky.json", FLAKY);
    let o = lambdasim(&["check", &file, "--seeds", "9..1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--seeds"));
    let o = lambdasim(&["check", &file, "--shard", "5/4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("1 <= I <= N"));
}
