//! The trace digests of every bundled scenario and of benchmark B1 under seeds 1 and 7 are pinned to the crate
//! version (`data/digests.txt`). A refactor must leave them unchanged; a change of behaviour that alters one bumps
//! the version in `Cargo.toml`, says so in `CHANGELOG.md`, and records the new digests under the new version.

use std::path::Path;

fn digest(path: &Path, seed: u64) -> String {
    // load_file: a scenario naming a template finds it beside the scenario file.
    let model = lambdasim::load_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lambdasim::run(&model, seed, lambdasim::RunOptions::default()).expect("run").digest
}

#[test]
fn bundled_scenarios_and_b1_keep_their_digests_within_a_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pinned = std::fs::read_to_string(root.join("tests/suite/data/digests.txt")).expect("digest table");
    let version = pinned.lines().next().and_then(|l| l.split_whitespace().nth(2)).unwrap_or("").trim_end_matches(':');
    assert_eq!(
        version,
        env!("CARGO_PKG_VERSION"),
        "tests/suite/data/digests.txt pins the digests of another version: run the bundled scenarios and record theirs"
    );
    let mut rows = 0;
    let mut wrong = Vec::new();
    for line in pinned.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut w = line.split_whitespace();
        let (file, seed, want) = (w.next().unwrap(), w.next().unwrap(), w.next().unwrap());
        let got = digest(&root.join(file), seed.parse().unwrap());
        if got != want {
            wrong.push(format!("{file} seed {seed}: pinned {want}, now {got}"));
        }
        rows += 1;
    }
    // Every bundled scenario is pinned.
    let mut bundled: Vec<String> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|e| format!("scenarios/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    bundled.sort();
    for b in &bundled {
        assert!(pinned.contains(&format!("{b} 1 ")), "{b} has no pinned digest in tests/suite/data/digests.txt");
    }
    assert!(rows >= 2 * bundled.len() + 2);
    assert!(
        wrong.is_empty(),
        "digests changed within version {}: bump the version, say so in CHANGELOG.md and re-pin:\n{}",
        env!("CARGO_PKG_VERSION"),
        wrong.join("\n")
    );
}
