//! Drive a bundled scenario from Rust: load it, run it under a seed, print the summary `lambdasim run` prints, check
//! its expectations, and show that the same seed gives the same run (the trace digest) while another seed differs.
//!
//! ```text
//! cargo run --example run_scenario                                   # the quickstart, seed 7
//! cargo run --example run_scenario -- scenarios/sqs-partial-batch.json 3
//! ```
//!
//! It exits with the code `lambdasim run` would: 0 when every expectation holds, 1 when one fails, 3 on a broken
//! invariant.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/async-retries-to-destinations.json"));
    let seed: u64 = match args.next().map(|s| s.parse()) {
        None => 7,
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            eprintln!("the seed must be a whole number: {e}");
            return ExitCode::from(2);
        }
    };

    // Validation errors name the JSON path, the bad value and what is allowed.
    let model = match lambdasim::load_file(&path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let report = lambdasim::run(&model, seed, lambdasim::RunOptions::default()).expect("a scenario without external handlers runs");
    print!("{}", report.to_text(&model));

    // Expectations as data: each verdict has its name, whether it held and the measured value.
    println!("\nverdicts:");
    for v in &report.verdicts {
        println!("  {:<5} {} (measured {:?})", if v.passed { "ok" } else { "FAIL" }, v.name, v.actual);
    }
    assert!(report.breaches.is_empty(), "the built-in invariant monitor found a bug in lambdasim: {:?}", report.breaches);

    // Same scenario and seed: the same run, byte for byte. Another seed: another run.
    let again = lambdasim::run(&model, seed, lambdasim::RunOptions::default()).expect("run");
    assert_eq!(again.digest, report.digest);
    let other = lambdasim::run(&model, seed + 1, lambdasim::RunOptions::default()).expect("run");
    println!("\nseed {seed}: digest {} (again: {}); seed {}: digest {}", report.digest, again.digest, seed + 1, other.digest);

    ExitCode::from(report.exit_code() as u8)
}
