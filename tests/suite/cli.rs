//! The `lambdasim` command line, run as a process: exit codes (0 ok, 1 expectation failed, 2 bad input), error
//! messages naming JSON paths, the JSON summary, the schema, and byte-identical trace and sink files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lambdasim"))
}

fn lambdasim(args: &[&str]) -> Output {
    bin().args(args).output().expect("run lambdasim")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/async-retries-to-destinations.json")
}

fn small_scenario() -> Value {
    json!({
        "Name": "cli-small",
        "Functions": [{
            "FunctionName": "f",
            "Behavior": {
                "Duration": {"LogNormal": {"MedianMs": 150, "Sigma": 0.5}},
                "Rules": [{"When": {"Probability": 0.3}, "Then": {"Outcome": "Fail"}}]
            },
            "EventInvokeConfig": {
                "MaximumRetryAttempts": 1,
                "DestinationConfig": {
                    "OnSuccess": {"Destination": "arn:aws:events:us-east-1:123456789012:event-bus/done"},
                    "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}
                }
            },
            "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
        }],
        "Queues": [{"QueueName": "failed"}, {"QueueName": "dlq"}],
        "EventBuses": [{"Name": "done"}],
        "Workload": [{"Name": "w", "Function": "f", "Poisson": {"RatePerSecond": 3, "EndSeconds": 60}, "Payload": {"n": "{{n}}"}}],
        "Expectations": [{"Name": "all accepted", "Expect": {"Accepted": {}}, "AtLeast": 1}]
    })
}

#[test]
fn bundled_scenario_passes() {
    let o = lambdasim(&["run", bundled().to_str().unwrap(), "--seed", "1", "--format", "json"]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON summary");
    let exps = v["expectations"].as_array().unwrap();
    assert!(!exps.is_empty());
    assert!(exps.iter().all(|e| e["passed"] == true), "{exps:#?}");
    assert_eq!(v["invariantBreaches"], json!([]));
    assert!(stderr(&o).is_empty(), "no replay line on success: {}", stderr(&o));
    let o = lambdasim(&["validate", bundled().to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("valid"));
}

#[test]
fn out_of_range_timeout_exits_2_naming_path_value_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small_scenario();
    sc["Functions"][0]["Timeout"] = json!(1000);
    let p = write(dir.path(), "timeout.json", &sc);
    for cmd in ["run", "validate"] {
        let o = lambdasim(&[cmd, p.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{cmd}");
        let e = stderr(&o);
        assert!(e.contains("Functions[0].Timeout"), "{cmd}: {e}");
        assert!(e.contains("1000"), "{cmd}: {e}");
        assert!(e.contains("1 to 900"), "{cmd}: {e}");
        assert!(stdout(&o).is_empty(), "{cmd}: nothing is run");
    }
}

#[test]
fn unknown_field_exits_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small_scenario();
    sc["Functions"][0]["EventInvokeConfig"]["MaximumRetries"] = json!(1);
    let p = write(dir.path(), "unknown.json", &sc);
    let o = lambdasim(&["run", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("Functions[0].EventInvokeConfig.MaximumRetries"), "{e}");
    assert!(e.contains("unknown field"), "{e}");
}

#[test]
fn arn_naming_nothing_exits_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small_scenario();
    sc["Functions"][0]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] =
        json!("arn:aws:sqs:us-east-1:123456789012:no-such-queue");
    let p = write(dir.path(), "arn.json", &sc);
    let o = lambdasim(&["run", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("Functions[0].EventInvokeConfig.DestinationConfig.OnFailure.Destination"), "{e}");
    assert!(e.contains("arn:aws:sqs:us-east-1:123456789012:no-such-queue"), "{e}");
}

#[test]
fn unreadable_or_malformed_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = lambdasim(&["run", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let p = dir.path().join("broken.json");
    fs::write(&p, "{\"Functions\": [").unwrap();
    let o = lambdasim(&["run", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("invalid scenario"), "{}", stderr(&o));
}

#[test]
fn failed_expectation_exits_1_with_a_replay_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut sc = small_scenario();
    sc["Expectations"] = json!([{"Name": "impossible", "Expect": {"Accepted": {}}, "Equals": 0}]);
    let p = write(dir.path(), "fails.json", &sc);
    let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "17"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(&format!("replay: lambdasim run {} --seed 17", p.display())), "{}", stderr(&o));
    assert!(stdout(&o).contains("[FAIL] impossible"), "{}", stdout(&o));
    // The JSON summary says the same.
    let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "17", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["expectations"][0]["passed"], json!(false));
    assert_eq!(v["expectations"][0]["name"], json!("impossible"));
}

#[test]
fn json_summary_has_the_documented_keys_and_the_library_digest() {
    let dir = tempfile::tempdir().unwrap();
    let sc = small_scenario();
    let p = write(dir.path(), "small.json", &sc);
    let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "5", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    for k in ["seed", "digest", "events", "fates", "expectations"] {
        assert!(v.get(k).is_some(), "missing top-level key {k}: {v:#}");
    }
    assert_eq!(v["seed"], json!(5));
    let digest = v["digest"].as_str().unwrap();
    assert_eq!(digest.len(), 16);
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()));
    let accepted = v["events"]["accepted"].as_u64().unwrap();
    assert!(accepted > 100);
    let fates: u64 = v["fates"]["f"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(fates, accepted, "one fate per accepted event");
    assert_eq!(v["expectations"][0]["passed"], json!(true));

    // The CLI and the library agree.
    let model = lambdasim::load_str(&fs::read_to_string(&p).unwrap()).unwrap();
    let report = lambdasim::run(&model, 5, lambdasim::RunOptions::default()).unwrap();
    assert_eq!(report.digest, digest);
    assert_eq!(report.stats.accepted, accepted);
}

#[test]
fn schema_describes_the_scenario_format() {
    let o = lambdasim(&["schema"]);
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("schema is JSON");
    assert!(v.is_object());
    let props = v["properties"].as_object().expect("properties");
    for k in ["Functions", "Workload", "Queues", "Simulation", "Expectations"] {
        assert!(props.contains_key(k), "schema lacks {k}");
    }
}

#[test]
fn trace_and_sinks_are_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "small.json", &small_scenario());
    let mut outputs = vec![];
    for i in 0..2 {
        let trace = dir.path().join(format!("trace{i}.jsonl"));
        let sinks = dir.path().join(format!("sinks{i}"));
        let o = lambdasim(&[
            "run",
            p.to_str().unwrap(),
            "--seed",
            "3",
            "--trace",
            trace.to_str().unwrap(),
            "--sinks",
            sinks.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let summary: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&sinks)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        outputs.push((fs::read(&trace).unwrap(), files, summary));
    }
    let (t0, s0, j0) = &outputs[0];
    let (t1, s1, j1) = &outputs[1];
    assert!(!t0.is_empty());
    assert_eq!(t0, t1, "trace files differ");
    assert_eq!(s0, s1, "sink files differ");
    assert_eq!(j0["digest"], j1["digest"]);
    // One trace line per trace event; one sink file per queue and bus, each line a message.
    let lines = t0.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    assert_eq!(lines, j0["events"]["traceEvents"].as_u64().unwrap());
    let names: Vec<&str> = s0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["dlq.jsonl", "done.jsonl", "failed.jsonl"]);
    let done = std::str::from_utf8(&s0[1].1).unwrap();
    let first: Value = serde_json::from_str(done.lines().next().unwrap()).unwrap();
    assert_eq!(first["detail-type"], json!("Lambda Function Invocation Result - Success"));
    assert_eq!(done.lines().count() as u64, j0["sinks"]["done"]["records"].as_u64().unwrap());
    // A different seed gives a different trace.
    let trace = dir.path().join("trace-other.jsonl");
    let o = lambdasim(&["run", p.to_str().unwrap(), "--seed", "4", "--trace", trace.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert_ne!(&fs::read(&trace).unwrap(), t0);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // `lambdasim schema | head -1`, and the same for a run's summary: the reader goes away after one line.
    let bundled = bundled();
    for args in [vec!["schema"], vec!["run", bundled.to_str().unwrap()], vec!["completions", "bash"]] {
        let mut child = bin().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{args:?}");
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn completions_for_each_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = lambdasim(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        let script = stdout(&o);
        for cmd in ["run", "check", "compare", "validate", "explore", "merge", "schema"] {
            assert!(script.contains(cmd), "{shell} completions lack {cmd}");
        }
    }
    assert_eq!(code(&lambdasim(&["completions", "tcsh"])), 2);
}

#[test]
fn every_argument_has_help_text() {
    for cmd in ["run", "compare", "check", "merge", "explore", "validate", "completions"] {
        let help = stdout(&lambdasim(&[cmd, "--help"]));
        // clap prints each argument on a line indented by two spaces, its help text after it on the same line or
        // on the next, more deeply indented, line; an argument without a doc comment has neither.
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.starts_with("  ") && !l.starts_with("   ")) {
            let same = line.trim().split("  ").filter(|w| !w.trim().is_empty()).count() >= 2;
            let next = lines.get(i + 1).is_some_and(|n| n.starts_with("   ") && !n.trim().is_empty());
            assert!(same || next, "`lambdasim {cmd} --help`: no help text on `{}`", line.trim());
        }
    }
}

#[test]
fn trace_payloads_adds_what_each_step_carried() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let scenario = format!("{}/scenarios/sqs-standard-redrive.json", env!("CARGO_MANIFEST_DIR"));
    let o = lambdasim(&["run", &scenario, "--trace", path.to_str().unwrap(), "--trace-payloads"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Every accepted event carries the event its function received: here an SQS batch.
    let accepted: Vec<&serde_json::Value> = lines.iter().filter(|l| l["type"] == "Accepted").collect();
    assert!(!accepted.is_empty());
    assert!(accepted.iter().all(|l| l["input"]["Records"][0]["eventSource"] == "aws:sqs"), "{}", accepted[0]);
    // Messages redriven to the dead-letter queue carry the message.
    assert!(lines.iter().any(|l| l["type"] == "MessageSent" && l["record"]["body"].is_string()));
    // Without the flag, none of that.
    let o = lambdasim(&["run", &scenario, "--trace", path.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(!std::fs::read_to_string(&path).unwrap().contains("\"input\""));
}
