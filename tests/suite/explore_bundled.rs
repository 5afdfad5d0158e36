//! `lambdasim explore` works out of the box on the bundled `scenarios/explore-burst-capacity.json`: the scenario as
//! configured passes, and the search over its knobs finds a combination that drops uploads for age, shrunk to the low
//! ends of reserved concurrency and maximum event age, written as a concrete scenario whose replay fails the same way.

use std::process::{Command, Output};

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/explore-burst-capacity.json");

#[test]
fn bundled_explore_scenario_finds_and_shrinks_a_capacity_failure() {
    let base = lambdasim(&["run", SCENARIO, "--seed", "1"]);
    assert_eq!(base.status.code(), Some(0), "{}", text(&base.stdout));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found.json");
    let o = lambdasim(&["explore", SCENARIO, "--out", out.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("no upload is dropped for age") && stdout.contains("EventAgeExceeded"), "{stdout}");

    let found: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(found.get("Explore").is_none());
    let f = &found["Functions"][0];
    // Shrunk towards the low ends of the declared ranges.
    assert_eq!(f["ReservedConcurrentExecutions"], 5);
    assert_eq!(f["EventInvokeConfig"]["MaximumEventAgeInSeconds"], 300);
    let burst = found["Workload"][1]["Burst"]["Count"].as_i64().unwrap();
    assert!((100..=3000).contains(&burst), "{burst}");
    assert!(stdout.contains(&format!("workload.campaign-burst.Burst.Count={burst}")), "{stdout}");

    let replay = text(&o.stderr).lines().find_map(|l| l.strip_prefix("replay: lambdasim ")).expect("a replay line").to_string();
    let args: Vec<&str> = replay.split(' ').collect();
    let again = lambdasim(&args);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stdout).contains("[FAIL] no upload is dropped for age"), "{}", text(&again.stdout));
}
