//! `check --seeds` and `compare --seeds` read the same forms (`campaign::seeds`): one seed, inclusive ranges and comma
//! lists of both. A list runs exactly its seeds (the same per-seed results as a range holding them), shards and merges
//! like a range, and a bad form, an empty range or a seed named twice is a usage error (exit 2) naming the problem.

use std::process::{Command, Output};

fn lambdasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdasim")).args(args).output().expect("run lambdasim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/async-retries-to-destinations.json");

fn runs(dir: &std::path::Path, name: &str, seeds: &str, shard: Option<&str>) -> serde_json::Value {
    let out = dir.join(name);
    let mut args = vec!["check", SCENARIO, "--seeds", seeds, "--jobs", "1", "--out", out.to_str().unwrap()];
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    let o = lambdasim(&args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o.stderr));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn check_runs_exactly_the_seeds_of_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let list = runs(dir.path(), "list.json", "7,1,3..4", None);
    let seeds: Vec<u64> = list["runs"].as_array().unwrap().iter().map(|r| r["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, vec![1, 3, 4, 7]);
    assert_eq!(list["seeds"], serde_json::json!([{"first": 1, "last": 1}, {"first": 3, "last": 4}, {"first": 7, "last": 7}]));
    // The same seeds inside a range give the same per-seed results.
    let range = runs(dir.path(), "range.json", "1..7", None);
    for r in list["runs"].as_array().unwrap() {
        let same = range["runs"].as_array().unwrap().iter().find(|x| x["seed"] == r["seed"]).unwrap();
        assert_eq!(r, same);
    }
    // A range keeps the form results files have always had.
    assert_eq!(range["seeds"], serde_json::json!({"first": 1, "last": 7}));

    let o = lambdasim(&["check", SCENARIO, "--seeds", "1,3..4,7", "--jobs", "1"]);
    let out = text(&o.stdout);
    assert!(out.contains("| seeds 1,3..4,7 | 4 runs"), "{out}");
    assert!(!out.contains("missing shards"), "{out}");
}

#[test]
fn shards_of_a_list_merge_into_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let whole = lambdasim(&["check", SCENARIO, "--seeds", "2,5,9..12", "--jobs", "1"]);
    let mut parts = vec![];
    for i in 1..=2 {
        let name = format!("part{i}.json");
        let r = runs(dir.path(), &name, "2,5,9..12", Some(&format!("{i}/2")));
        assert_eq!(r["runs"].as_array().unwrap().len(), 3);
        parts.push(dir.path().join(name).to_str().unwrap().to_string());
    }
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    let merged = lambdasim(&args);
    assert_eq!(text(&whole.stdout), text(&merged.stdout));
    assert_eq!(whole.status.code(), merged.status.code());
}

#[test]
fn bad_seed_forms_are_usage_errors_in_check_and_compare() {
    let cases: &[(&str, &str)] = &[
        ("9..1", "the range 9..1 is empty"),
        ("1..10,5", "seed 5 is named twice (in 1..10 and 5)"),
        ("3,3", "seed 3 is named twice"),
        ("1,,2", "an empty item between commas"),
        ("x", "\"x\" is not a seed"),
        ("1..x", "\"x\" is not a seed"),
        ("", "no seeds"),
    ];
    for cmd in ["check", "compare"] {
        for (seeds, says) in cases {
            let o = lambdasim(&[cmd, SCENARIO, "--seeds", seeds]);
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{cmd} --seeds {seeds:?}: {err}");
            assert!(err.contains(says) && err.contains("e.g. 1,5,10..20"), "{cmd} --seeds {seeds:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert!(o.stdout.is_empty());
        }
    }
    // compare still caps the number of seeds it keeps in memory.
    let o = lambdasim(&["compare", SCENARIO, "--seeds", "0..99999999999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("at most 1000000"), "{}", text(&o.stderr));
}
