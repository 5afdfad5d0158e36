//! Reliability of the command line's inputs, outputs and error messages (issue 17): inputs are read with a size
//! limit, a scenario must be a JSON object, every error names its JSON path (line and column for a syntax error),
//! errors stay short with thousands of bad entries, a failed write is exit 2 naming the file, and an output that is
//! an input (or two outputs naming one file) is refused before anything is written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lambdasim"))
}

fn lambdasim(args: &[&str]) -> Output {
    bin().args(args).output().expect("run lambdasim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/async-retries-to-destinations.json")
}

/// A copy of the bundled scenario in `dir` (tests that try to write over an input work on a copy).
fn copy_bundled(dir: &Path) -> PathBuf {
    let p = dir.join("scenario.json");
    fs::copy(bundled(), &p).unwrap();
    p
}

/// Exit 2 with `needles` on stderr, no panic.
fn assert_refused(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
}

#[test]
fn an_endless_input_is_refused_at_the_limit_without_reading_it_all() {
    // `/dev/zero` never ends: refused after 64 MiB, quickly, under a 2 GiB address-space limit.
    let start = Instant::now();
    let o = Command::new("sh")
        .args(["-c", &format!("ulimit -v 2000000; exec {} run /dev/zero", env!("CARGO_BIN_EXE_lambdasim"))])
        .output()
        .unwrap();
    assert_refused(&o, &["/dev/zero", "input limit of 67108864 bytes (64 MiB)"]);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    // A (sparse) regular file over the limit is refused from its size.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    fs::File::create(&big).unwrap().set_len(65 << 20).unwrap();
    for cmd in ["run", "validate", "check"] {
        assert_refused(&lambdasim(&[cmd, big.to_str().unwrap()]), &["big.json", "input limit"]);
    }
    assert_refused(&lambdasim(&["import", big.to_str().unwrap()]), &["big.json", "input limit"]);
    assert_refused(&lambdasim(&["compare", big.to_str().unwrap(), "--seeds", "1"]), &["big.json", "input limit"]);
    // A scenario naming a template over the limit.
    write(dir.path(), "big.yaml", &json!(null));
    fs::File::create(dir.path().join("big.yaml")).unwrap().set_len(65 << 20).unwrap();
    let sc = write(dir.path(), "t.json", &json!({"Template": "big.yaml"}));
    assert_refused(&lambdasim(&["validate", sc.to_str().unwrap()]), &["big.yaml", "input limit"]);
}

#[test]
fn a_pipe_that_never_ends_is_refused_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.json");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // A writer that would go on for ever; ended (by its id) once lambdasim has given up.
    let mut writer =
        Command::new("sh").args(["-c", &format!("exec yes '{{}}' > {}", fifo.display())]).stderr(Stdio::null()).spawn().unwrap();
    let o = lambdasim(&["validate", fifo.to_str().unwrap()]);
    writer.kill().unwrap();
    writer.wait().unwrap();
    assert_refused(&o, &["fifo.json", "input limit"]);
}

#[test]
fn a_scenario_must_be_a_json_object() {
    let dir = tempfile::tempdir().unwrap();
    for (doc, found) in [("[]", "an array"), ("\"x\"", "a string"), ("42", "a number"), ("null", "null"), ("true", "a boolean")] {
        let p = dir.path().join("s.json");
        fs::write(&p, doc).unwrap();
        let o = lambdasim(&["validate", p.to_str().unwrap()]);
        assert_refused(&o, &["a scenario must be a JSON object", &format!("found {found} at the top level")]);
        assert!(!stderr(&o).contains("is empty"), "{}", stderr(&o));
    }
    // The library says the same.
    let e = lambdasim::parse_scenario("[]").unwrap_err();
    assert!(e.to_string().contains("must be a JSON object"), "{e}");
}

#[test]
fn syntax_errors_give_line_and_column_never_the_path_question_mark() {
    let dir = tempfile::tempdir().unwrap();
    for (text, at) in [
        ("{\"Functions\": [{\"FunctionName\": \"a\",}]}", "line 1 column 37"),
        ("{\"Functions\": [\n  {\"FunctionName\": \"a\" \"b\"}]}", "line 2 column 24"),
        ("{\"Functions\": [", "line 1 column 15"),
    ] {
        let p = dir.path().join("s.json");
        fs::write(&p, text).unwrap();
        let o = lambdasim(&["validate", p.to_str().unwrap()]);
        assert_refused(&o, &["not valid JSON", at]);
        assert!(!stderr(&o).contains("?:"), "{}", stderr(&o));
    }
}

#[test]
fn declared_twice_names_both_json_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sc = json!({
        "Functions": [{"FunctionName": "f"}],
        "Queues": [{"QueueName": "a"}, {"QueueName": "orders-dlq"}, {"QueueName": "b"}, {"QueueName": "orders-dlq"}],
        "Topics": [{"TopicName": "t"}, {"TopicName": "t"}],
        "KinesisStreams": [{"Name": "k"}, {"Name": "k"}],
        "Tables": [
            {"TableName": "orders", "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}},
            {"TableName": "orders", "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}
        ]
    });
    let o = lambdasim(&["validate", write(dir.path(), "s.json", &sc).to_str().unwrap()]);
    assert_refused(
        &o,
        &[
            "error: Queues[3].QueueName: sqs \"orders-dlq\" is declared twice (first at Queues[1].QueueName)",
            "error: Topics[1].TopicName: sns \"t\" is declared twice (first at Topics[0].TopicName)",
            "error: KinesisStreams[1].Name: stream \"k\" is declared twice (first at KinesisStreams[0].Name)",
            "error: Tables[1].TableName: stream \"orders\" is declared twice (first at Tables[0].TableName)",
        ],
    );
}

#[test]
fn thousands_of_bad_entries_give_a_short_error_list() {
    // 3,000 queues whose RedrivePolicy names nothing, each with a long value: a few kB of stderr, the first 20 errors
    // and a count of the rest, each with at most five candidates.
    let n = 3000;
    let queues: Vec<Value> = (0..n)
        .map(|i| {
            json!({"QueueName": format!("q{i}"), "RedrivePolicy": {
                "deadLetterTargetArn": format!("arn:aws:sqs:us-east-1:123456789012:nothing{i}{}", "x".repeat(5000)), "maxReceiveCount": 3}})
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "s.json", &json!({"Functions": [{"FunctionName": "f"}], "Queues": queues}));
    let start = Instant::now();
    let o = lambdasim(&["validate", p.to_str().unwrap()]);
    let err = stderr(&o);
    assert_refused(&o, &["error: Queues[0].RedrivePolicy.deadLetterTargetArn: ", "more characters", "(and 2995 more)"]);
    assert!(err.contains(&format!("... and {} more errors", n - 20)), "{}", &err[err.len().saturating_sub(300)..]);
    assert_eq!(err.matches("error: Queues[").count(), 20);
    assert!(err.len() < 20_000, "{} bytes of stderr", err.len());
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
    // A long value anywhere (here a function name, a type error and an unknown field) is shortened too.
    let long = "y".repeat(200_000);
    for sc in [
        json!({"Functions": [{"FunctionName": long}]}),
        json!({"Functions": [{"FunctionName": "f", "Timeout": long}]}),
        json!({"Functions": [{"FunctionName": "f", long.clone(): 1}]}),
        json!({"Functions": [{"FunctionName": "f", "EventInvokeConfig": {"DestinationConfig": {"OnFailure": {"Destination": long}}}}]}),
    ] {
        let o = lambdasim(&["validate", write(dir.path(), "l.json", &sc).to_str().unwrap()]);
        assert_refused(&o, &[]);
        assert!(stderr(&o).len() < 3_000, "{} bytes: {}", stderr(&o).len(), &stderr(&o)[..300]);
    }
}

#[test]
fn a_failed_write_is_exit_2_naming_the_file() {
    let sc = bundled();
    let sc = sc.to_str().unwrap();
    for (flag, file) in [("--trace", "/dev/full"), ("--series", "/dev/full"), ("--report", "/dev/full"), ("--chrome-trace", "/dev/full")] {
        let o = lambdasim(&["run", sc, flag, file]);
        assert_refused(&o, &["cannot write /dev/full", "No space left on device"]);
    }
    // The summary on a full standard output.
    let o = bin().args(["run", sc]).stdout(fs::File::create("/dev/full").unwrap()).output().unwrap();
    assert_refused(&o, &["cannot write the output to standard output"]);
    let o = bin().args(["validate", sc]).stdout(fs::File::create("/dev/full").unwrap()).output().unwrap();
    assert_refused(&o, &[]);
    // `import --out` and `check --out` on a full device.
    let tpl = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sam-orders/template.yaml");
    assert_refused(&lambdasim(&["import", tpl.to_str().unwrap(), "--out", "/dev/full"]), &["cannot write /dev/full"]);
    assert_refused(&lambdasim(&["check", sc, "--seeds", "1..2", "--out", "/dev/full"]), &["cannot write /dev/full"]);
    // Sinks past a file-size limit (SIGXFSZ ignored, so the write fails with EFBIG): exit 2 naming the sink file,
    // even when standard error cannot be written either (no panic: the exit code still says it).
    let dir = tempfile::tempdir().unwrap();
    let sinks = dir.path().join("sinks");
    for stderr_to in ["", "2>/dev/full"] {
        let cmd = format!(
            "trap '' XFSZ; ulimit -f 1; exec {} run {sc} --sinks {} >/dev/null {stderr_to}",
            env!("CARGO_BIN_EXE_lambdasim"),
            sinks.display()
        );
        let o = Command::new("sh").args(["-c", &cmd]).output().unwrap();
        if stderr_to.is_empty() {
            assert_refused(&o, &["cannot write ", "sinks/", ".jsonl", "File too large"]);
        } else {
            assert_eq!(o.status.code(), Some(2));
        }
    }
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let sc = copy_bundled(dir.path());
    let original = fs::read(&sc).unwrap();
    let spelled = dir.path().join(".").join("scenario.json");
    let (s, p) = (sc.to_str().unwrap(), spelled.to_str().unwrap());
    for flag in ["--trace", "--report", "--series", "--chrome-trace"] {
        assert_refused(&lambdasim(&["run", s, flag, p]), &[flag, "an input of this command", "refusing to write over it"]);
    }
    assert_refused(&lambdasim(&["check", s, "--seeds", "1", "--out", p]), &["--out", "an input"]);
    assert_refused(&lambdasim(&["check", s, "--seeds", "1", "--junit", p]), &["--junit", "an input"]);
    assert_refused(&lambdasim(&["explore", s, "--out", p]), &["--out", "an input"]);
    // A sink file that would be the scenario: `--sinks DIR` writes DIR/orders-dlq.jsonl.
    let in_sinks = dir.path().join("orders-dlq.jsonl");
    fs::copy(&sc, &in_sinks).unwrap();
    assert_refused(&lambdasim(&["run", in_sinks.to_str().unwrap(), "--sinks", dir.path().to_str().unwrap()]), &["--sinks", "an input"]);
    assert_eq!(fs::read(&in_sinks).unwrap(), original);
    assert_eq!(fs::read(&sc).unwrap(), original, "the scenario was written over");
    // Two outputs naming one file.
    let out = dir.path().join("out.json");
    let o = lambdasim(&["run", s, "--trace", out.to_str().unwrap(), "--chrome-trace", dir.path().join("./out.json").to_str().unwrap()]);
    assert_refused(&o, &["name the same file"]);
    assert!(!out.exists(), "nothing is written");
    // ... but a device may take several (`/dev/null`).
    let o = lambdasim(&["run", s, "--trace", "/dev/null", "--chrome-trace", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The template a scenario imports, and `import --out` over its own template.
    let sam = dir.path().join("sam");
    fs::create_dir(&sam).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    fs::copy(root.join("sam-orders.json"), sam.join("sam-orders.json")).unwrap();
    fs::create_dir(sam.join("sam-orders")).unwrap();
    let tpl = sam.join("sam-orders/template.yaml");
    fs::copy(root.join("sam-orders/template.yaml"), &tpl).unwrap();
    let tpl_text = fs::read(&tpl).unwrap();
    let o = lambdasim(&["run", sam.join("sam-orders.json").to_str().unwrap(), "--trace", tpl.to_str().unwrap()]);
    assert_refused(&o, &["--trace", "template.yaml", "an input"]);
    assert_refused(&lambdasim(&["import", tpl.to_str().unwrap(), "--out", tpl.to_str().unwrap()]), &["--out", "an input"]);
    assert_eq!(fs::read(&tpl).unwrap(), tpl_text, "the template was written over");
    // `merge --out` over one of the results files.
    let res = dir.path().join("res.json");
    lambdasim(&["check", s, "--seeds", "1", "--out", res.to_str().unwrap()]);
    assert!(res.exists());
    assert_refused(&lambdasim(&["merge", res.to_str().unwrap(), "--out", res.to_str().unwrap()]), &["--out", "an input"]);
}
