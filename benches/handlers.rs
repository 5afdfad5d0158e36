//! Invocations per second of real handler code (`benches/README.md`, "Handlers"): an in-process Rust closure on a
//! scenario shaped like B1, next to B1 itself (`benches/b1.json`, its declarative `Behavior`), and runtime processes
//! behind the Lambda Runtime API with the official Python client (`awslambdaric`) and the Rust `lambda_runtime` crate
//! (`examples/handlers/rust-lambda-runtime`).
//!
//! `cargo bench --features bench --bench handlers`. Criterion reports each figure as time per iteration and as
//! elements per second, where an element is one execution (an attempt: a call of the handler).
//! - `handlers/b1_100k` and `handlers/inprocess_100k`: 100 s of B1's arrivals (about 100,000 events, 111,000
//!   executions); the second serves the function with a closure that returns a small JSON and fails every tenth call
//!   (B1's 10 % failures, so the same retries happen).
//! - `runtime_api/python_warm`, `runtime_api/rust_warm`: one warm invocation of one runtime process through
//!   `Handlers::invoke` (the event handed to the waiting `GET .../next`, the response posted back): the round trip
//!   alone.
//! - `runtime_api/python_run`, `runtime_api/rust_run`: a whole run of a B1-shaped scenario (Poisson arrivals, 10 %
//!   failures for Python, retries, destinations) whose function is the runtime process: process starts included.
//!
//! The Python venv is the tests' (`target/lambdasim-py`, made by `cargo test --test suite handlers_process`; made here
//! too when missing). The Rust client's cases run only when the example is built
//! (`cargo build --manifest-path examples/handlers/rust-lambda-runtime/Cargo.toml`); otherwise they are skipped with
//! a message.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use lambdasim::handler::inprocess::{HandlerError, InProcess};
use lambdasim::handler::process::{ProcessHandlers, ProcessOptions};
use lambdasim::handler::{Handlers, Reply, Request};
use serde_json::{json, Value};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// The `awslambdaric` the tests pin (`tests/suite/handlers_process.rs`).
const AWSLAMBDARIC: &str = "awslambdaric==4.2.2";

/// B1 with `end_seconds` of arrivals.
fn b1(end_seconds: f64) -> lambdasim::Scenario {
    let text = std::fs::read_to_string(Path::new(MANIFEST).join("benches/b1.json")).expect("benches/b1.json");
    let mut scenario = lambdasim::parse_scenario(&text).expect("b1 parses");
    if let Some(p) = scenario.workload[0].poisson.as_mut() {
        p.end_seconds = end_seconds;
    }
    scenario
}

/// Executions of a run (attempts of every function).
fn executions(report: &lambdasim::RunReport) -> u64 {
    report.metrics.functions.iter().map(|f| f.attempts).sum()
}

/// The closure of `inprocess_null_100k`: no response (`null`, what a handler that returns nothing answers), every
/// tenth call an error. What this costs beyond B1 is lambdasim's own in-process machinery: the closure builds nothing.
fn null_handlers<'h>(calls: &'h mut u64) -> InProcess<'h> {
    InProcess::new().register("b1", move |_event: &Value, _ctx| {
        *calls += 1;
        if calls.is_multiple_of(10) {
            return Err(HandlerError::new("Error", "b1 failure"));
        }
        Ok(Value::Null)
    })
}

/// The closure of `inprocess_100k`: a small JSON response, every tenth call an error.
fn inprocess_handlers<'h>(calls: &'h mut u64) -> InProcess<'h> {
    InProcess::new().register("b1", move |event: &Value, ctx| {
        *calls += 1;
        if calls.is_multiple_of(10) {
            return Err(HandlerError::new("Error", "b1 failure"));
        }
        Ok(json!({ "ok": true, "n": event["n"], "env": ctx.env }))
    })
}

fn bench_inprocess(c: &mut Criterion) {
    let model = lambdasim::Model::build(&b1(100.0)).expect("b1 validates");
    let base = lambdasim::run(&model, 1, lambdasim::RunOptions::default()).expect("b1 runs");
    let mut calls = 0;
    let mut h = inprocess_handlers(&mut calls);
    let served = lambdasim::run(&model, 1, lambdasim::RunOptions { handlers: Some(&mut h), ..Default::default() }).expect("runs");
    drop(h);
    eprintln!(
        "handlers: B1 100 s: {} executions declarative, {} with the closure ({} calls)",
        executions(&base),
        executions(&served),
        calls
    );

    let mut g = c.benchmark_group("handlers");
    g.sample_size(20);
    g.throughput(Throughput::Elements(executions(&base)));
    g.bench_function("b1_100k", |b| b.iter(|| lambdasim::run(&model, 1, lambdasim::RunOptions::default()).expect("run").digest));
    g.throughput(Throughput::Elements(executions(&served)));
    g.bench_function("inprocess_100k", |b| {
        b.iter(|| {
            let mut calls = 0;
            let mut h = inprocess_handlers(&mut calls);
            lambdasim::run(&model, 1, lambdasim::RunOptions { handlers: Some(&mut h), ..Default::default() }).expect("run").digest
        })
    });
    g.bench_function("inprocess_null_100k", |b| {
        b.iter(|| {
            let mut calls = 0;
            let mut h = null_handlers(&mut calls);
            lambdasim::run(&model, 1, lambdasim::RunOptions { handlers: Some(&mut h), ..Default::default() }).expect("run").digest
        })
    });
    g.finish();
}

/// A Python with `awslambdaric`: the tests' venv, made when missing; `None` (with a message) when it cannot be.
fn python() -> Option<PathBuf> {
    let target = Path::new(MANIFEST).join("target");
    let venv = target.join("lambdasim-py");
    let py = venv.join("bin/python");
    let works = |py: &Path| Command::new(py).args(["-c", "import awslambdaric"]).output().is_ok_and(|o| o.status.success());
    if works(&py) {
        return Some(py);
    }
    let tmp = target.join(format!("lambdasim-py.tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let made = Command::new("python3").args(["-m", "venv"]).arg(&tmp).status().is_ok_and(|s| s.success())
        && Command::new(tmp.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:", AWSLAMBDARIC])
            .status()
            .is_ok_and(|s| s.success());
    if made && !venv.exists() {
        let _ = std::fs::rename(&tmp, &venv);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    if works(&py) {
        Some(py)
    } else {
        eprintln!("runtime_api/python_*: skipped: no Python with {AWSLAMBDARIC} in {} and it could not be made", venv.display());
        None
    }
}

/// The Rust `lambda_runtime` example's binary, when built.
fn rust_client() -> Option<PathBuf> {
    let bin = Path::new(MANIFEST).join("examples/handlers/rust-lambda-runtime/target/debug/ledger-handler");
    if bin.exists() {
        Some(bin)
    } else {
        eprintln!(
            "runtime_api/rust_*: skipped: {} is not built (cargo build --manifest-path examples/handlers/rust-lambda-runtime/Cargo.toml)",
            bin.display()
        );
        None
    }
}

const PY_APP: &str = r#"
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    if COUNT % 10 == 0:
        raise ValueError("b1 failure")
    return {"ok": True, "n": event.get("n")}
"#;

/// A scenario directory holding `scenario.json` with one function `b1` run by `command`, shaped like B1 (Poisson
/// arrivals, retries, destinations) but with short handlers and inits (2 ms and 1 ms: a few environments, so that
/// few processes start; with B1's 200 ms init, 40 environments would start at once) and `events` arrivals.
fn process_scenario(dir: &Path, command: Vec<String>, payload: Value, events: u32) -> lambdasim::Model {
    std::fs::create_dir_all(dir.join("code")).unwrap();
    std::fs::write(dir.join("code/app.py"), PY_APP).unwrap();
    let rate = 200.0;
    let scenario = json!({
        "Name": "handlers-bench",
        "Simulation": { "AsyncConcurrencyFull": "Queue" },
        "Functions": [{
            "FunctionName": "b1", "Timeout": 10, "MemorySize": 256, "ReservedConcurrentExecutions": 100,
            "Handler": "app.handler",
            "Runtime": { "Command": command, "WorkingDirectory": "code" },
            "EventInvokeConfig": {
                "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": {
                    "OnSuccess": { "Destination": "arn:aws:sqs:us-east-1:123456789012:b1-success" },
                    "OnFailure": { "Destination": "arn:aws:sqs:us-east-1:123456789012:b1-failure" }
                }
            },
            "Behavior": { "Duration": { "Constant": { "Ms": 2 } }, "InitDuration": { "Constant": { "Ms": 1 } } }
        }],
        "Queues": [ { "QueueName": "b1-success" }, { "QueueName": "b1-failure" } ],
        "Workload": [{ "Name": "arrivals", "Function": "b1", "Poisson": { "RatePerSecond": rate, "EndSeconds": f64::from(events) / rate }, "Payload": payload }]
    });
    let path = dir.join("scenario.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    lambdasim::load_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn request<'a>(id: &'a str, cold: bool, event: &'a [u8]) -> Request<'a> {
    Request {
        function: lambdasim::model::FnId(0),
        function_name: "b1",
        version: "$LATEST",
        memory_mb: 256,
        env: 0,
        cold,
        provisioned: false,
        request_id: id,
        invoked_arn: "arn:aws:lambda:us-east-1:123456789012:function:b1",
        deadline_ms: 1_704_067_210_000,
        trace_id: "Root=1-65920080-000000000000000000000001;Parent=0000000000000001;Sampled=0",
        event,
    }
}

/// `<name>_warm` and `<name>_run` for one runtime client.
fn bench_client(c: &mut Criterion, name: &str, command: Vec<String>, payload: Value, event: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let model = process_scenario(dir.path(), command, payload, 2000);
    let mut g = c.benchmark_group("runtime_api");
    g.sample_size(10);

    // the round trip of one warm invocation
    let mut handlers = ProcessHandlers::new(&model, ProcessOptions::default()).unwrap().expect("b1 has code");
    let first = handlers.invoke(&request("warm-up", true, event)).expect("the runtime answers");
    assert!(matches!(first, Reply::Response(_)), "{name}: {first:?}");
    let mut n = 0u64;
    g.throughput(Throughput::Elements(1));
    g.bench_function(format!("{name}_warm"), |b| {
        b.iter_batched(
            || {
                n += 1;
                format!("{name}-{n:08}")
            },
            |id| handlers.invoke(&request(&id, false, event)).expect("the runtime answers"),
            BatchSize::SmallInput,
        )
    });
    drop(handlers);

    // whole runs, process starts included
    let probe = lambdasim::run(&model, 1, lambdasim::RunOptions::default()).expect("runs");
    let m = &probe.metrics.functions[0];
    eprintln!("runtime_api/{name}_run: {} executions, {} cold starts (runtime processes started)", m.attempts, m.cold_starts);
    g.throughput(Throughput::Elements(m.attempts));
    g.measurement_time(Duration::from_secs(20));
    g.bench_function(format!("{name}_run"), |b| {
        b.iter(|| lambdasim::run(&model, 1, lambdasim::RunOptions::default()).expect("run").digest)
    });
    g.finish();
}

fn bench_runtime_api(c: &mut Criterion) {
    if let Some(py) = python() {
        let command = vec![py.display().to_string(), "-m".into(), "awslambdaric".into(), "app.handler".into()];
        bench_client(c, "python", command, json!({ "n": 1 }), br#"{"n": 1}"#);
    }
    if let Some(bin) = rust_client() {
        let payload = json!({ "transferId": "t-{{n}}", "account": "acct-7", "amount": 100 });
        let event = br#"{"transferId": "t-1", "account": "acct-7", "amount": 100}"#;
        bench_client(c, "rust", vec![bin.display().to_string()], payload, event);
    }
}

criterion_group!(benches, bench_inprocess, bench_runtime_api);

/// `HANDLERS_BENCH_ONE=b1|inprocess|inprocess_null`: one run of 100 s of B1, declarative or served by the closure, and nothing else
/// (no criterion): what `valgrind --tool=callgrind` counts to compare the two (`benches/README.md`).
fn main() {
    if let Ok(which) = std::env::var("HANDLERS_BENCH_ONE") {
        let model = lambdasim::Model::build(&b1(100.0)).expect("b1 validates");
        let (mut calls, mut calls_null) = (0, 0);
        let mut h = inprocess_handlers(&mut calls);
        let mut null = null_handlers(&mut calls_null);
        let handlers: Option<&mut dyn Handlers> = match which.as_str() {
            "b1" => None,
            "inprocess" => Some(&mut h),
            "inprocess_null" => Some(&mut null),
            other => panic!("HANDLERS_BENCH_ONE={other}: expected b1, inprocess or inprocess_null"),
        };
        let report = lambdasim::run(&model, 1, lambdasim::RunOptions { handlers, ..Default::default() }).expect("runs");
        println!("{which}: {} executions, digest {}", executions(&report), report.digest);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
