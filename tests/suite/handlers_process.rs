//! Runtime processes behind the Lambda Runtime API (`handler::process`), driven through the `Handlers` trait with real
//! runtime clients: Python's official `awslambdaric` (installed once into `target/lambdasim-py`, pinned), a raw HTTP
//! client in Python's standard library for the status codes, and the `Runtime` validation errors of the model.
//! The Rust `lambda_runtime` example is tested by `rust_lambda_runtime_example` (ignored: `.ci/run` builds the
//! example and runs it with `--ignored`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use lambdasim::handler::process::{ProcessHandlers, ProcessOptions};
use lambdasim::handler::{ErrorReply, Handlers, Reply, Request};
use lambdasim::model::FnId;
use serde_json::{json, Value};

/// The `awslambdaric` version the tests and the examples pin (a manylinux wheel: no compiler needed).
const AWSLAMBDARIC: &str = "awslambdaric==4.2.2";

/// A Python with `awslambdaric`: `target/lambdasim-py`, created once (into a temporary name, then renamed, so that a
/// half-made one is never used).
fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
        let venv = target.join("lambdasim-py");
        let py = venv.join("bin/python");
        let works = |py: &Path| Command::new(py).args(["-c", "import awslambdaric"]).output().is_ok_and(|o| o.status.success());
        if works(&py) {
            return py;
        }
        let tmp = target.join(format!("lambdasim-py.tmp{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let host = std::env::var("LAMBDASIM_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let ok = Command::new(&host).args(["-m", "venv"]).arg(&tmp).status().is_ok_and(|s| s.success());
        assert!(ok, "the handler tests need Python 3 with venv ({host} -m venv failed)");
        let pip = Command::new(tmp.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:", AWSLAMBDARIC])
            .status()
            .is_ok_and(|s| s.success());
        assert!(pip, "pip install {AWSLAMBDARIC} failed (the handler tests need the package index)");
        let _ = fs::remove_dir_all(&venv);
        if fs::rename(&tmp, &venv).is_err() {
            // another process made it meanwhile
            let _ = fs::remove_dir_all(&tmp);
        }
        assert!(works(&py), "{} cannot import awslambdaric", py.display());
        py
    })
}

/// A scenario directory with one function per `(name, runtime, handler)` and the given code files.
struct Fixture {
    dir: tempfile::TempDir,
    handlers: ProcessHandlers,
}

fn fixture(functions: Value, files: &[(&str, &str)], opts: ProcessOptions) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
    }
    let scenario = json!({"Name": "handlers", "Functions": functions});
    let path = dir.path().join("scenario.json");
    fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let opts = ProcessOptions { log_dir: Some(dir.path().join("logs")), ..opts };
    let handlers = ProcessHandlers::new(&model, opts).unwrap().expect("functions with code");
    Fixture { dir, handlers }
}

fn py_function(name: &str, handler: &str) -> Value {
    json!({"FunctionName": name, "Timeout": 10, "MemorySize": 256, "Handler": handler,
           "Runtime": {"Command": [python().to_str().unwrap(), "-m", "awslambdaric", handler], "WorkingDirectory": "code"},
           "Environment": {"Variables": {"GREETING": "hello"}}})
}

fn req<'a>(f: u32, name: &'a str, env: u32, cold: bool, id: &'a str, event: &'a [u8]) -> Request<'a> {
    Request {
        function: FnId(f),
        function_name: name,
        version: "$LATEST",
        memory_mb: 256,
        env,
        cold,
        provisioned: false,
        request_id: id,
        invoked_arn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
        deadline_ms: 1_700_000_010_000,
        trace_id: "Root=1-00000000-000000000000000000000001;Sampled=0",
        event,
    }
}

fn json_of(r: &Reply) -> Value {
    match r {
        Reply::Response(b) => serde_json::from_slice(b).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(b))),
        other => panic!("expected a response, got {other:?}"),
    }
}

const APP: &str = r#"
import os, sys, time
COUNT = 0
print("init ran", flush=True)

def handler(event, context):
    global COUNT
    COUNT += 1
    if event.get("fail"):
        raise ValueError("bad order " + str(event.get("id")))
    if event.get("exit"):
        sys.exit(1)
    if event.get("kill"):
        os.kill(os.getpid(), 9)
    if event.get("exit_after"):
        import threading
        threading.Timer(0.05, os._exit, [0]).start()
    if event.get("hang"):
        time.sleep(60)
    if event.get("big"):
        return "x" * (7 * 1024 * 1024)
    if event.get("size"):
        return "x" * event["size"]
    env = {k: os.environ.get(k) for k in ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
           "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "TZ", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME", "GREETING",
           "AWS_ACCESS_KEY_ID", "AWS_EXECUTION_ENV", "AWS_LAMBDA_INITIALIZATION_TYPE"]}
    return {"count": COUNT, "pid": os.getpid(), "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
            "deadline": context.get_remaining_time_in_millis() is not None, "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "env": env, "event": event}
"#;

#[test]
fn python_awslambdaric_response_state_and_environment() {
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], ProcessOptions::default());
    let h = &mut fx.handlers;
    assert!(h.serves(FnId(0)));
    let r1 = json_of(&h.invoke(&req(0, "orders", 1, true, "req-1", br#"{"id": 1}"#)).unwrap());
    assert_eq!(r1["count"], 1);
    assert_eq!(r1["request_id"], "req-1");
    assert_eq!(r1["arn"], "arn:aws:lambda:us-east-1:123456789012:function:orders");
    assert_eq!(r1["trace"], "Root=1-00000000-000000000000000000000001;Sampled=0");
    assert_eq!(r1["event"], json!({"id": 1}));
    let env = &r1["env"];
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "orders");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "us-east-1");
    assert_eq!(env["_HANDLER"], "app.handler");
    assert_eq!(env["TZ"], ":UTC");
    assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/orders");
    assert_eq!(env["GREETING"], "hello");
    assert_eq!(env["AWS_ACCESS_KEY_ID"], Value::Null, "no credentials are set");
    assert_eq!(env["AWS_EXECUTION_ENV"], Value::Null, "an explicit command has no AWS_EXECUTION_ENV");
    assert_eq!(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
    assert!(env["LAMBDA_TASK_ROOT"].as_str().unwrap().ends_with("code"));
    assert!(h.last_elapsed().is_some());

    // warm: the same process, module state kept
    let r2 = json_of(&h.invoke(&req(0, "orders", 1, false, "req-2", br#"{"id": 2}"#)).unwrap());
    assert_eq!(r2["count"], 2);
    assert_eq!(r2["pid"], r1["pid"]);
    // another environment: its own process and state
    let r3 = json_of(&h.invoke(&req(0, "orders", 2, true, "req-3", br#"{"id": 3}"#)).unwrap());
    assert_eq!(r3["count"], 1);
    assert_ne!(r3["pid"], r1["pid"]);
    assert_eq!(h.live_processes(), 2);
    // the environment ended: its next use is a fresh process whose init runs again
    h.environment_ended(FnId(0), 1);
    assert_eq!(h.live_processes(), 1);
    let r4 = json_of(&h.invoke(&req(0, "orders", 1, true, "req-4", br#"{"id": 4}"#)).unwrap());
    assert_eq!(r4["count"], 1);
    assert_ne!(r4["pid"], r1["pid"]);
    assert_eq!(h.stats().started, 3);

    let log = fs::read_to_string(fx.dir.path().join("logs/orders.log")).unwrap();
    assert_eq!(log.matches("init ran").count(), 3, "{log}");
    assert!(log.contains("START RequestId: req-2 Version: $LATEST Environment: 1"), "{log}");
    assert!(log.contains("END RequestId: req-2"), "{log}");
}

#[test]
fn python_error_carries_the_runtime_stack_trace_and_exit_is_exited() {
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], ProcessOptions::default());
    let h = &mut fx.handlers;
    let r = h.invoke(&req(0, "orders", 1, true, "req-1", br#"{"id": 7, "fail": true}"#)).unwrap();
    let Reply::Error(ErrorReply { error_type, error_message, stack_trace }) = r else { panic!("expected an error, got {r:?}") };
    assert_eq!(error_type, "ValueError");
    assert_eq!(error_message, "bad order 7");
    // the code's directory reads as Lambda's /var/task
    assert!(stack_trace.iter().any(|f| f.starts_with("  File \"/var/task/app.py\", line ") && f.contains("in handler")), "{stack_trace:?}");
    assert!(stack_trace.iter().any(|f| f.contains("raise ValueError")), "{stack_trace:?}");
    // the error did not end the process: still warm
    let ok = json_of(&h.invoke(&req(0, "orders", 1, false, "req-2", b"{}")).unwrap());
    assert_eq!(ok["count"], 2);
    // sys.exit(1) mid-invocation
    let r = h.invoke(&req(0, "orders", 1, false, "req-3", br#"{"exit": true}"#)).unwrap();
    assert_eq!(r, Reply::Exited { status: "exit status 1".into() });
    assert_eq!(h.live_processes(), 0);
    // the next use starts a fresh process
    let ok = json_of(&h.invoke(&req(0, "orders", 1, true, "req-4", b"{}")).unwrap());
    assert_eq!(ok["count"], 1);
    // killed by a signal mid-invocation: Go's wording, as Lambda quotes it
    let r = h.invoke(&req(0, "orders", 1, false, "req-4a", br#"{"kill": true}"#)).unwrap();
    assert_eq!(r, Reply::Exited { status: "signal: killed".into() });
    // a large response within the limit, without a stall (curl asks for `100 Continue` before large bodies)
    let t = std::time::Instant::now();
    let r = h.invoke(&req(0, "orders", 1, false, "req-4b", br#"{"size": 3000000}"#)).unwrap();
    assert_eq!(r, Reply::Response(format!("\"{}\"", "x".repeat(3_000_000)).into_bytes()));
    assert!(t.elapsed() < Duration::from_millis(900), "{:?}", t.elapsed());
    // a response over 6 MB: Function.ResponseSizeTooLarge (the runtime got 413)
    let r = h.invoke(&req(0, "orders", 1, false, "req-5", br#"{"big": true}"#)).unwrap();
    let Reply::Error(e) = r else { panic!("expected an error, got {r:?}") };
    assert_eq!(e.error_type, "Function.ResponseSizeTooLarge");
    assert!(e.error_message.contains("exceeded maximum allowed payload size (6291556 bytes)"), "{}", e.error_message);
}

#[test]
fn python_init_error_from_an_import_that_raises() {
    let broken = "raise RuntimeError('no database configured')\ndef handler(e, c):\n    return 1\n";
    let mut fx = fixture(json!([py_function("orders", "broken.handler")]), &[("code/broken.py", broken)], ProcessOptions::default());
    let r = fx.handlers.invoke(&req(0, "orders", 1, true, "req-1", b"{}")).unwrap();
    let Reply::InitError(e) = r else { panic!("expected an init error, got {r:?}") };
    assert_eq!(e.error_type, "RuntimeError", "{e:?}");
    assert!(e.error_message.contains("no database configured"), "{e:?}");
    assert_eq!(fx.handlers.live_processes(), 0);
    // a module that is missing altogether: awslambdaric's own error type
    let mut fx = fixture(json!([py_function("orders", "missing.handler")]), &[("code/app.py", APP)], ProcessOptions::default());
    let r = fx.handlers.invoke(&req(0, "orders", 1, true, "req-1", b"{}")).unwrap();
    let Reply::InitError(e) = r else { panic!("expected an init error, got {r:?}") };
    assert_eq!(e.error_type, "Runtime.ImportModuleError", "{e:?}");
}

#[test]
fn a_process_that_exits_during_init_is_an_init_error() {
    let f = json!([{"FunctionName": "dies", "Handler": "x", "Runtime": {"Command": ["sh", "-c", "echo starting; exit 3"]}}]);
    let mut fx = fixture(f, &[], ProcessOptions::default());
    let r = fx.handlers.invoke(&req(0, "dies", 1, true, "req-1", b"{}")).unwrap();
    assert_eq!(
        r,
        Reply::InitError(ErrorReply {
            error_type: "Runtime.ExitError".into(),
            error_message: "Runtime exited with error: exit status 3".into(),
            stack_trace: vec![]
        })
    );
    let log = fs::read_to_string(fx.dir.path().join("logs/dies.log")).unwrap();
    assert!(log.contains("starting"), "{log}");
}

#[test]
fn a_hanging_handler_is_stopped_by_the_guard() {
    let opts = ProcessOptions { guard: Duration::from_millis(1500), ..ProcessOptions::default() };
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], opts);
    let t = std::time::Instant::now();
    let e = fx.handlers.invoke(&req(0, "orders", 1, true, "req-hang", br#"{"hang": true}"#)).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_eq!(e.function, "orders");
    assert!(e.message.contains("req-hang") && e.message.contains("1.5s"), "{}", e.message);
    assert_eq!(fx.handlers.live_processes(), 0);
}

#[test]
fn a_command_that_does_not_exist_names_the_function_and_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = json!({"Functions": [{"FunctionName": "ghost", "Handler": "app.handler",
        "Runtime": {"Command": ["lambdasim-no-such-program", "--serve"]}}]});
    let path = dir.path().join("s.json");
    fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap();
    let e = ProcessHandlers::new(&model, ProcessOptions::default()).unwrap_err();
    assert_eq!(e.function, "ghost");
    assert_eq!(e.message, "cannot start its runtime `lambdasim-no-such-program --serve`: lambdasim-no-such-program is not on PATH");
    assert_eq!(e.to_string(), format!("function ghost: {}", e.message));

    let scenario = json!({"Functions": [{"FunctionName": "custom", "Handler": "h", "Runtime": "provided.al2023", "CodeUri": "build"}]});
    fs::create_dir_all(dir.path().join("build")).unwrap();
    fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap();
    let e = ProcessHandlers::new(&model, ProcessOptions::default()).unwrap_err();
    assert_eq!(e.function, "custom");
    assert!(e.message.starts_with("cannot start its runtime `./bootstrap`: "), "{}", e.message);
    assert!(e.message.contains("build/./bootstrap does not exist or is not executable"), "{}", e.message);

    // a scenario without code has no process handlers
    let model = lambdasim::load_str(r#"{"Functions": [{"FunctionName": "plain"}]}"#).unwrap();
    assert!(ProcessHandlers::new(&model, ProcessOptions::default()).unwrap().is_none());
}

#[test]
fn the_process_cap_stops_the_least_recently_used_environment() {
    let opts = ProcessOptions { max_processes: 2, ..ProcessOptions::default() };
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], opts);
    let h = &mut fx.handlers;
    for env in 1..=3 {
        json_of(&h.invoke(&req(0, "orders", env, true, "a", b"{}")).unwrap());
    }
    assert_eq!(h.live_processes(), 2);
    assert_eq!(h.stats().evicted, 1);
    // environment 1 was stopped: its init runs again, its module state started over
    let r = json_of(&h.invoke(&req(0, "orders", 1, false, "b", b"{}")).unwrap());
    assert_eq!(r["count"], 1);
    // environment 3 is still warm
    let r = json_of(&h.invoke(&req(0, "orders", 3, false, "c", b"{}")).unwrap());
    assert_eq!(r["count"], 2);
}

/// A runtime written with Python's standard library only: it checks the status codes of the API for misuse and
/// reports them as its response.
const RAW: &str = r#"
import http.client, json, os
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
def call(method, path, body=None, headers={}):
    c = http.client.HTTPConnection(api)
    c.request(method, path, body, headers)
    r = c.getresponse()
    data = r.read()
    return r.status, data, r
s, event, r = call("GET", "/2018-06-01/runtime/invocation/next")
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
seen = {"next": s, "deadline": r.getheader("Lambda-Runtime-Deadline-Ms"), "arn": r.getheader("Lambda-Runtime-Invoked-Function-Arn"),
        "trace": r.getheader("Lambda-Runtime-Trace-Id"), "client_context": r.getheader("Lambda-Runtime-Client-Context"),
        "cognito": r.getheader("Lambda-Runtime-Cognito-Identity"), "event": json.loads(event)}
seen["unknown_path"] = call("GET", "/2018-06-01/runtime/nothing")[0]
seen["wrong_id"] = call("POST", "/2018-06-01/runtime/invocation/not-" + rid + "/response", b"{}")
seen["wrong_id"] = [seen["wrong_id"][0], json.loads(seen["wrong_id"][1])]
seen["init_error_late"] = call("POST", "/2018-06-01/runtime/init/error", b"{}")[0]
seen["wrong_method"] = call("GET", "/2018-06-01/runtime/init/error")[0]
# a chunked response body, on a keep-alive connection
c = http.client.HTTPConnection(api)
c.putrequest("POST", "/2018-06-01/runtime/invocation/" + rid + "/response")
c.putheader("Transfer-Encoding", "chunked")
c.endheaders()
body = json.dumps(seen).encode()
half = len(body) // 2
for part in (body[:half], body[half:]):
    c.send(b"%x\r\n" % len(part) + part + b"\r\n")
c.send(b"0\r\n\r\n")
r = c.getresponse()
status, data = r.status, r.read()
# the same connection again: a second response for the same id
c.request("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", b"{}")
r = c.getresponse()
second = [r.status, json.loads(r.read())]
s, event, r = call("GET", "/2018-06-01/runtime/invocation/next")
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
call("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", json.dumps({"first": [status, json.loads(data)], "second": second}).encode())
# an error with no body but the header
s, event, r = call("GET", "/2018-06-01/runtime/invocation/next")
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
call("POST", "/2018-06-01/runtime/invocation/" + rid + "/error", b"", {"Lambda-Runtime-Function-Error-Type": "Custom.Failure"})
s, event, r = call("GET", "/2018-06-01/runtime/invocation/next")
"#;

#[test]
fn raw_http_client_sees_the_documented_status_codes() {
    let f = json!([{"FunctionName": "raw", "Handler": "raw", "Runtime": {"Command": [python().to_str().unwrap(), "raw.py"]}}]);
    let mut fx = fixture(f, &[("raw.py", RAW)], ProcessOptions::default());
    let h = &mut fx.handlers;
    let seen = json_of(&h.invoke(&req(0, "raw", 1, true, "req-1", br#"{"k": "v"}"#)).unwrap());
    assert_eq!(seen["next"], 200);
    assert_eq!(seen["deadline"], "1700000010000");
    assert_eq!(seen["arn"], "arn:aws:lambda:us-east-1:123456789012:function:orders");
    assert_eq!(seen["trace"], "Root=1-00000000-000000000000000000000001;Sampled=0");
    assert_eq!(seen["client_context"], Value::Null);
    assert_eq!(seen["cognito"], Value::Null);
    assert_eq!(seen["event"], json!({"k": "v"}));
    assert_eq!(seen["unknown_path"], 404);
    assert_eq!(seen["wrong_id"], json!([400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}]));
    assert_eq!(seen["init_error_late"], 403);
    assert_eq!(seen["wrong_method"], 405);
    let r = json_of(&h.invoke(&req(0, "raw", 1, false, "req-2", b"{}")).unwrap());
    assert_eq!(r["first"], json!([202, {"status": "OK"}]));
    assert_eq!(r["second"][0], 403);
    assert_eq!(r["second"][1]["errorType"], "InvalidStateTransition");
    let r = h.invoke(&req(0, "raw", 1, false, "req-3", b"{}")).unwrap();
    assert_eq!(r, Reply::Error(ErrorReply { error_type: "Custom.Failure".into(), error_message: String::new(), stack_trace: vec![] }));
}

#[test]
fn python_runtime_id_finds_the_venv_beside_the_code() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("code")).unwrap();
    fs::write(dir.path().join("code/app.py"), APP).unwrap();
    // a .venv beside the code: a link to the test venv
    let venv = python().parent().unwrap().parent().unwrap();
    std::os::unix::fs::symlink(venv, dir.path().join("code/.venv")).unwrap();
    let scenario = json!({"Functions": [{"FunctionName": "orders", "Handler": "app.handler", "Runtime": "python3.11", "CodeUri": "code"}]});
    let path = dir.path().join("scenario.json");
    fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap();
    let mut h = ProcessHandlers::new(&model, ProcessOptions::default()).unwrap().unwrap();
    assert!(h.launch(FnId(0)).unwrap().command_line.ends_with("code/.venv/bin/python -m awslambdaric app.handler"));
    let r = json_of(&h.invoke(&req(0, "orders", 1, true, "req-1", b"{}")).unwrap());
    assert_eq!(r["env"]["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.11");
    assert_eq!(r["env"]["_HANDLER"], "app.handler");
}

#[test]
fn dropping_the_handlers_ends_every_process() {
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], ProcessOptions::default());
    let mut pids = vec![];
    for env in 1..=3 {
        let r = json_of(&fx.handlers.invoke(&req(0, "orders", env, true, "a", b"{}")).unwrap());
        pids.push(r["pid"].as_i64().unwrap());
    }
    drop(fx.handlers);
    for pid in pids {
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "process {pid} is still there");
    }
}

fn load_err(functions: Value) -> String {
    let text = json!({"Functions": functions}).to_string();
    let e = lambdasim::load_str(&text).unwrap_err().to_string();
    e.strip_prefix("error: ").unwrap_or(&e).trim_end().to_string()
}

#[test]
fn bad_runtime_shapes_are_validation_errors() {
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "Handler": "Main::handle", "Runtime": "java21"}])),
        "Functions[0].Runtime: \"java21\" is not a runtime lambdasim starts by itself (it starts python3.* (awslambdaric), nodejs* (aws-lambda-ric) and provided, provided.al2, provided.al2023 (CodeUri/bootstrap)); give Runtime as {\"Command\": [...], \"WorkingDirectory\": ...} to start it"
    );
    // `Handler` alone names the handler of declared errors' frames; with `CodeUri` it would run nothing.
    assert!(lambdasim::load_str(&json!({"Functions": [{"FunctionName": "f", "Handler": "app.handler"}]}).to_string()).is_ok());
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "Handler": "app.handler", "CodeUri": "src"}])),
        "Functions[0].CodeUri: is given without Runtime; give Runtime too to run this function's own code, or remove it"
    );
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "Runtime": "python3.12"}])),
        "Functions[0].Runtime: is given without Handler; give Handler too (for example \"app.handler\")"
    );
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "Handler": "h", "Runtime": {"Command": []}}])),
        "Functions[0].Runtime.Command: is empty; give the program and its arguments"
    );
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "CodeUri": "src"}])),
        "Functions[0].CodeUri: is given without Handler and Runtime; give both to run this function's own code, or remove it"
    );
    assert_eq!(
        load_err(
            json!([{"FunctionName": "f", "Handler": "h", "Runtime": "provided", "Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}}])
        ),
        "Functions[0].Environment.Variables.AWS_REGION: \"AWS_REGION\" is reserved: Lambda sets it itself"
    );
    assert_eq!(
        load_err(json!([{"FunctionName": "f", "Handler": "h", "Runtime": "provided", "Environment": {"Variables": {"1X": "v"}}}])),
        "Functions[0].Environment.Variables.1X: \"1X\" is not a valid variable name; allowed: a letter, then letters, digits and '_'"
    );
    // an unknown key of the command form is named by the parser
    let e = load_err(json!([{"FunctionName": "f", "Handler": "h", "Runtime": {"Command": ["x"], "Cwd": "y"}}]));
    assert!(e.starts_with("Functions[0].Runtime"), "{e}");
    // the good shapes compile
    let m = lambdasim::load_str(
        &json!({"Functions": [{"FunctionName": "f", "Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "src"}]}).to_string(),
    )
    .unwrap();
    let code = m.functions[0].code.as_ref().unwrap();
    assert_eq!(code.command_line(), "python -m awslambdaric app.handler");
    assert_eq!(code.working_dir, "src");
}

/// The Rust example (`examples/handlers/rust-lambda-runtime`, the official `lambda_runtime` crate) served through the
/// trait. Ignored by `cargo test` (building the example takes a minute): `.ci/run` builds it and runs this test with
/// `--ignored`.
#[test]
#[ignore = "needs the example built: cargo build --manifest-path examples/handlers/rust-lambda-runtime/Cargo.toml (.ci/run does)"]
fn rust_lambda_runtime_example() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let model = lambdasim::load_file(&root.join("examples/handlers/rust-lambda-runtime/scenario.json")).unwrap();
    let logs = tempfile::tempdir().unwrap();
    let opts = ProcessOptions { log_dir: Some(logs.path().to_path_buf()), ..ProcessOptions::default() };
    let mut h = ProcessHandlers::new(&model, opts).unwrap().expect("the ledger has code");
    let event = br#"{"transferId": "t-1", "account": "acct-7", "amount": 100}"#;
    let r = json_of(&h.invoke(&req(0, "ledger", 1, true, "req-1", event)).unwrap());
    assert_eq!(r, json!({"transferId": "t-1", "creditedNow": true, "requestId": "req-1"}));
    // warm: the static set remembers the transfer
    let r = json_of(&h.invoke(&req(0, "ledger", 1, false, "req-2", event)).unwrap());
    assert_eq!(r["creditedNow"], false);
    // another environment does not
    let r = json_of(&h.invoke(&req(0, "ledger", 2, true, "req-3", event)).unwrap());
    assert_eq!(r["creditedNow"], true);
    // an error returned by the handler, as lambda_runtime reports it
    let r = h.invoke(&req(0, "ledger", 1, false, "req-4", br#"{"transferId": "t-2", "account": "a", "amount": 0}"#)).unwrap();
    let Reply::Error(e) = r else { panic!("expected an error, got {r:?}") };
    assert_eq!(e.error_message, "transfer t-2 has no amount");
    assert!(!e.error_type.is_empty());
    // an event it cannot deserialize
    let r = h.invoke(&req(0, "ledger", 1, false, "req-5", br#"{"nope": 1}"#)).unwrap();
    assert!(matches!(r, Reply::Error(_)), "{r:?}");
    let log = fs::read_to_string(logs.path().join("ledger.log")).unwrap();
    assert_eq!(log.matches("credited 100 to acct-7 (t-1)").count(), 2, "{log}");
}

#[test]
fn the_same_requests_get_the_same_replies_in_two_runs() {
    const DET: &str = "SEEN = []\ndef handler(e, c):\n    SEEN.append(e['n'])\n    if e['n'] % 3 == 2:\n        raise KeyError(e['n'])\n    return {'seen': SEEN, 'id': c.aws_request_id}\n";
    let run = || {
        let mut fx = fixture(json!([py_function("orders", "det.handler")]), &[("code/det.py", DET)], ProcessOptions::default());
        let mut replies = vec![];
        for n in 0..8u32 {
            let (env, id, event) = (n % 2, format!("r-{n}"), format!("{{\"n\": {n}}}"));
            replies.push(fx.handlers.invoke(&req(0, "orders", env, n < 2, &id, event.as_bytes())).unwrap());
        }
        replies
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(json_of(&a[6]), json!({"seen": [0, 2, 4, 6], "id": "r-6"}));
    assert!(matches!(&a[5], Reply::Error(e) if e.error_type == "KeyError"), "{:?}", a[5]);
}

#[test]
fn a_process_that_exits_between_invocations_is_started_again() {
    let mut fx = fixture(json!([py_function("orders", "app.handler")]), &[("code/app.py", APP)], ProcessOptions::default());
    let h = &mut fx.handlers;
    let r = json_of(&h.invoke(&req(0, "orders", 1, true, "req-1", br#"{"exit_after": true}"#)).unwrap());
    assert_eq!(r["count"], 1);
    std::thread::sleep(Duration::from_millis(300));
    // the environment is warm for the simulation; its process is gone: a fresh one serves it, its init ran again
    let r2 = json_of(&h.invoke(&req(0, "orders", 1, false, "req-2", b"{}")).unwrap());
    assert_eq!(r2["count"], 1);
    assert_ne!(r2["pid"], r["pid"]);
    assert_eq!(h.stats().restarted, 1);
    assert_eq!(h.stats().started, 2);
}

/// The SAM template is the scenario and its own code runs: `Handler`, `Runtime` and `CodeUri` from the template start
/// the Python handler (through `awslambdaric`), end to end from the command line.
#[test]
fn a_sam_templates_own_python_code_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("src/app.py"),
        "seen = []\n\ndef handler(event, context):\n    seen.append(event['Records'][0]['body'])\n    if 'bad' in seen[-1]:\n        raise ValueError('bad order ' + seen[-1])\n    return {'seen': len(seen)}\n",
    )
    .unwrap();
    let venv = python().parent().unwrap().parent().unwrap();
    std::os::unix::fs::symlink(venv, dir.path().join("src/.venv")).unwrap();
    fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::SQS::Queue\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: app.handler\n      CodeUri: src/\n      Events:\n        Queue:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Orders.Arn\n            BatchSize: 1\n",
    )
    .unwrap();
    let scenario = json!({
        "Template": "template.yaml",
        "Workload": [{ "Queue": "Orders", "At": [1, 2], "Payload": { "order": "{{n}}" } },
                     { "Queue": "Orders", "At": [3], "Payload": "bad" }],
        "Simulation": { "DurationSeconds": 60 },
        "Expectations": [
            { "Name": "the good orders are processed", "Expect": { "MessageFates": { "Queue": "Orders", "Fate": "Deleted" } }, "Equals": 2 }
        ]
    });
    fs::write(dir.path().join("scenario.json"), scenario.to_string()).unwrap();
    let trace = dir.path().join("trace.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_lambdasim"))
        .args(["run", "scenario.json", "--trace", trace.to_str().unwrap()])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let trace = fs::read_to_string(&trace).unwrap();
    let replies: Vec<Value> =
        trace.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|l| l["type"] == "HandlerReply").collect();
    assert!(replies.iter().any(|r| r["reply"] == "Response"), "{replies:?}");
    assert!(replies.iter().any(|r| r["reply"] == "Error" && r["body"].to_string().contains("bad order")), "{replies:?}");
}

/// A runtime in Python's standard library that posts its error the way Node's `aws-lambda-ric` does:
/// `{"errorType", "errorMessage", "trace"}` (the error's `stack` split into lines), not `stackTrace`.
const NODE_SHAPED_ERROR: &str = r#"
import http.client, json, os
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
def call(method, path, body=None):
    c = http.client.HTTPConnection(api)
    c.request(method, path, body, {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
    r = c.getresponse()
    return r, r.read()
r, _ = call("GET", "/2018-06-01/runtime/invocation/next")
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
trace = ["TypeError: bad order 7", "    at Runtime.handler (file://" + os.getcwd() + "/index.mjs:5:11)",
         "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]
call("POST", "/2018-06-01/runtime/invocation/" + rid + "/error", json.dumps({"errorType": "TypeError", "errorMessage": "bad order 7", "trace": trace}))
call("GET", "/2018-06-01/runtime/invocation/next")
"#;

#[test]
fn a_node_shaped_error_body_keeps_its_trace() {
    let f = json!([{"FunctionName": "nodeish", "Handler": "index.handler",
                    "Runtime": {"Command": [python().to_str().unwrap(), "node_error.py"], "WorkingDirectory": "code"}}]);
    let mut fx = fixture(f, &[("code/node_error.py", NODE_SHAPED_ERROR)], ProcessOptions::default());
    let r = fx.handlers.invoke(&req(0, "nodeish", 1, true, "req-1", b"{}")).unwrap();
    assert_eq!(
        r,
        Reply::Error(ErrorReply {
            error_type: "TypeError".into(),
            error_message: "bad order 7".into(),
            // the frames come through, the code's directory read as /var/task
            stack_trace: vec![
                "TypeError: bad order 7".into(),
                "    at Runtime.handler (file:///var/task/index.mjs:5:11)".into(),
                "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)".into(),
            ],
        })
    );
}

/// Whether a test of an optional runtime client must run: `LAMBDASIM_REQUIRE_CLIENTS=1` turns a missing client into a
/// failure instead of a skip.
fn skip_or_fail(test: &str, why: &str) {
    assert!(std::env::var_os("LAMBDASIM_REQUIRE_CLIENTS").is_none(), "{test}: {why} (LAMBDASIM_REQUIRE_CLIENTS is set)");
    eprintln!("{test}: SKIPPED: {why}");
}

/// Run a one-function scenario (`functions[0]` named `f`, async events at 1, 2, 3 and 4 s, the last with
/// `{"fail": true}`, one retry, destinations) from `dir/scenario.json`; returns the sinks' records by queue.
fn run_with_sinks(dir: &Path, function: Value) -> (lambdasim::RunReport, Vec<Value>, Vec<Value>) {
    let scenario = json!({
        "Name": "client",
        "Functions": [function],
        "Queues": [{"QueueName": "ok"}, {"QueueName": "failed"}],
        "Workload": [
            {"Function": "f", "InvocationType": "Event", "At": [1, 2, 3], "Payload": {"id": "o-{{n}}"}},
            {"Function": "f", "InvocationType": "Event", "At": [4], "Payload": {"id": "bad", "fail": true}}
        ]
    });
    let path = dir.join("scenario.json");
    fs::write(&path, scenario.to_string()).unwrap();
    let model = lambdasim::load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let sinks = dir.join("sinks");
    let opts = lambdasim::RunOptions {
        sinks_dir: Some(sinks.clone()),
        processes: ProcessOptions { log_dir: Some(dir.join("logs")), ..ProcessOptions::default() },
        ..Default::default()
    };
    let report = lambdasim::run(&model, 3, opts).unwrap_or_else(|e| panic!("{e}"));
    let read = |q: &str| -> Vec<Value> {
        fs::read_to_string(sinks.join(format!("{q}.jsonl")))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Value>(serde_json::from_str::<Value>(l).unwrap()["body"].as_str().unwrap()).unwrap())
            .collect()
    };
    (report, read("ok"), read("failed"))
}

fn destinations() -> Value {
    json!({"MaximumRetryAttempts": 1, "DestinationConfig": {
        "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:123456789012:ok"},
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}}})
}

/// The `aws-lambda-ric` the Node test pins, installed by `npm install --prefix target/lambdasim-node` (it builds a
/// native addon from source: a C++ toolchain, cmake, make, autoconf, automake, libtool).
const NODE_RIC: &str = "aws-lambda-ric@3.3.0";

const NODE_APP: &str = r#"let count = 0;
const started = process.pid;

export const handler = async (event, context) => {
  count += 1;
  if (event.fail) {
    throw new TypeError(`bad order ${event.id}`);
  }
  return { count, pid: started, id: event.id, requestId: context.awsRequestId, arn: context.invokedFunctionArn,
           fn: context.functionName, remaining: typeof context.getRemainingTimeInMillis() };
};
"#;

/// Node's official runtime interface client (`aws-lambda-ric`, npm) unchanged, under `"Runtime": "nodejs20.x"`: the
/// response reaches the on-success records, module state persists while the environment is warm, and a thrown error
/// reaches the on-failure record in Node's shape (`errorType`, `errorMessage`, `trace`) with the runtime's own frames.
#[test]
#[ignore = "needs Node.js and aws-lambda-ric installed in target/lambdasim-node (npm install --prefix target/lambdasim-node aws-lambda-ric@3.3.0; builds native code); skipped when absent"]
fn node_aws_lambda_ric() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let modules = root.join("target/lambdasim-node/node_modules");
    if !modules.join(".bin/aws-lambda-ric").exists() {
        return skip_or_fail("node_aws_lambda_ric", &format!("{NODE_RIC} is not installed in {}", modules.display()));
    }
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("code")).unwrap();
    fs::write(dir.path().join("code/index.mjs"), NODE_APP).unwrap();
    std::os::unix::fs::symlink(&modules, dir.path().join("code/node_modules")).unwrap();
    let function = json!({"FunctionName": "f", "Handler": "index.handler", "Runtime": "nodejs20.x", "CodeUri": "code",
                          "Timeout": 10, "EventInvokeConfig": destinations()});
    let (report, ok, failed) = run_with_sinks(dir.path(), function);
    let log = fs::read_to_string(dir.path().join("logs/f.log")).unwrap_or_default();
    assert_eq!(ok.len(), 3, "{log}");
    // warm starts: one process, its module state counts on
    let counts: Vec<&Value> = ok.iter().map(|r| &r["responsePayload"]["count"]).collect();
    assert_eq!(counts, [1, 2, 3], "{ok:?}");
    assert!(ok.iter().all(|r| r["responsePayload"]["pid"] == ok[0]["responsePayload"]["pid"]));
    let first = &ok[0]["responsePayload"];
    assert_eq!(first["requestId"], ok[0]["requestContext"]["requestId"]);
    assert_eq!(first["arn"], "arn:aws:lambda:us-east-1:123456789012:function:f");
    assert_eq!(first["fn"], "f");
    assert_eq!(first["remaining"], "number");
    // the error, twice (one retry), in Node's shape with the runtime's frames
    assert_eq!(failed.len(), 1, "{log}");
    let payload = &failed[0]["responsePayload"];
    assert_eq!(payload["errorType"], "TypeError", "{payload}");
    assert_eq!(payload["errorMessage"], "bad order bad");
    assert!(payload.get("stackTrace").is_none(), "{payload}");
    let trace: Vec<&str> = payload["trace"].as_array().expect("trace").iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(trace[0], "TypeError: bad order bad", "{trace:?}");
    assert!(trace[1].starts_with("    at Runtime.handler (file:///var/task/index.mjs:7:11)"), "{trace:?}");
    assert!(trace.len() > 2 && trace[2..].iter().any(|f| f.contains("aws-lambda-ric")), "the runtime's own frames: {trace:?}");
    assert_eq!(failed[0]["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(report.metrics.functions[0].cold_starts, 1);
    assert_eq!(log.matches("START RequestId").count(), 5, "{log}");
}

/// A handler on the official Go library, `aws-lambda-go`.
const GO_APP: &str = r#"package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var count int

type Event struct {
	ID   string `json:"id"`
	Fail bool   `json:"fail"`
}

func handler(ctx context.Context, e Event) (map[string]interface{}, error) {
	count++
	if e.Fail {
		return nil, errors.New("bad order " + e.ID)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	_, hasDeadline := ctx.Deadline()
	return map[string]interface{}{"count": count, "pid": os.Getpid(), "id": e.ID, "requestId": lc.AwsRequestID,
		"arn": lc.InvokedFunctionArn, "fn": lambdacontext.FunctionName, "deadline": hasDeadline}, nil
}

func main() { lambda.Start(handler) }
"#;

/// The `aws-lambda-go` version the Go test pins.
const GO_LAMBDA: &str = "v1.54.0";

/// Build [`GO_APP`] into `dir/bootstrap`; `Err` (why) when `go` or the module cannot be had (no toolchain, no network);
/// any other build failure fails the test.
/// `LAMBDASIM_AWS_LAMBDA_GO` may name a local checkout of `github.com/aws/aws-lambda-go` (used with a `replace`).
fn build_go(dir: &Path) -> Result<(), String> {
    if Command::new("go").arg("version").output().is_err() {
        return Err("go is not on PATH".into());
    }
    let mut go_mod = format!("module example.com/lambdasimgo\n\ngo 1.19\n\nrequire github.com/aws/aws-lambda-go {GO_LAMBDA}\n");
    if let Some(local) = std::env::var_os("LAMBDASIM_AWS_LAMBDA_GO") {
        go_mod.push_str(&format!("\nreplace github.com/aws/aws-lambda-go => {}\n", Path::new(&local).display()));
    }
    fs::write(dir.join("go.mod"), go_mod).unwrap();
    fs::write(dir.join("main.go"), GO_APP).unwrap();
    let out = Command::new("go")
        .args(["build", "-o", "bootstrap", "."])
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap();
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let offline = ["no such host", "dial tcp", "Could not resolve host", "connection refused", "GOPROXY=off", "i/o timeout"];
    assert!(offline.iter().any(|m| err.contains(m)), "go build failed:\n{err}");
    let last = err.trim().lines().last().unwrap_or_default();
    Err(format!("aws-lambda-go {GO_LAMBDA} could not be downloaded (set LAMBDASIM_AWS_LAMBDA_GO to a checkout): {last}"))
}

/// Go's official library (`aws-lambda-go`) unchanged, as a `provided.al2023` `bootstrap`: responses, warm state, and
/// an error (`errorString`, its message) in the on-failure record.
#[test]
#[ignore = "needs go and github.com/aws/aws-lambda-go (module proxy, or LAMBDASIM_AWS_LAMBDA_GO=<checkout>); skipped when absent"]
fn go_aws_lambda_go() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    fs::create_dir_all(&code).unwrap();
    if let Err(why) = build_go(&code) {
        return skip_or_fail("go_aws_lambda_go", &why);
    }
    let function = json!({"FunctionName": "f", "Handler": "bootstrap", "Runtime": "provided.al2023", "CodeUri": "code",
                          "Timeout": 10, "EventInvokeConfig": destinations()});
    let (report, ok, failed) = run_with_sinks(dir.path(), function);
    let log = fs::read_to_string(dir.path().join("logs/f.log")).unwrap_or_default();
    assert_eq!(ok.len(), 3, "{log}");
    let counts: Vec<&Value> = ok.iter().map(|r| &r["responsePayload"]["count"]).collect();
    assert_eq!(counts, [1, 2, 3], "{ok:?}");
    let first = &ok[0]["responsePayload"];
    assert_eq!(first["requestId"], ok[0]["requestContext"]["requestId"]);
    assert_eq!(first["arn"], "arn:aws:lambda:us-east-1:123456789012:function:f");
    assert_eq!(first["fn"], "f");
    assert_eq!(first["deadline"], true);
    assert_eq!(failed.len(), 1, "{log}");
    let payload = &failed[0]["responsePayload"];
    assert_eq!(payload["errorType"], "errorString", "{payload}");
    assert_eq!(payload["errorMessage"], "bad order bad");
    assert_eq!(failed[0]["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(report.metrics.functions[0].cold_starts, 1);
}

// ---- Reliability (issue 17): a runtime that floods, hangs before asking, or is reached from outside loopback. ----

/// A runtime in Python's standard library: answers each invocation with what `respond(event)` gives, after `before`.
fn raw_runtime(before: &str, respond: &str) -> String {
    format!(
        r#"
import http.client, json, os, sys
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
def call(method, path, body=None):
    c = http.client.HTTPConnection(api)
    c.request(method, path, body)
    r = c.getresponse()
    return r.status, r.read(), r
{before}
while True:
    s, event, r = call("GET", "/2018-06-01/runtime/invocation/next")
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(event)
    call("POST", "/2018-06-01/runtime/invocation/" + rid + "/response", json.dumps({respond}).encode())
"#
    )
}

fn raw_function(name: &str) -> Value {
    json!({"FunctionName": name, "Handler": "raw", "Runtime": {"Command": ["python3", "raw.py"]}})
}

#[test]
fn a_runtime_flooding_its_output_writes_to_its_log_file_not_to_memory() {
    // 16 MB on stdout and 16 MB on stderr during init and again in each invocation: the output goes straight to the
    // log file (the process's own descriptors), never through lambdasim's memory, and the invocations end normally.
    let flood = r#"
def flood():
    block = "y" * 1023 + "\n"
    for _ in range(16 * 1024):
        sys.stdout.write(block)
        sys.stderr.write(block)
    sys.stdout.flush(); sys.stderr.flush()
flood()
"#;
    let code = raw_runtime(flood, r#"(flood(), {"ok": event})[1]"#);
    let mut fx = fixture(json!([raw_function("noisy")]), &[("raw.py", &code)], ProcessOptions::default());
    for (i, id) in ["req-1", "req-2"].into_iter().enumerate() {
        let r = json_of(&fx.handlers.invoke(&req(0, "noisy", 1, i == 0, id, br#"{"n": 1}"#)).unwrap());
        assert_eq!(r, json!({"ok": {"n": 1}}));
    }
    let log = fx.dir.path().join("logs/noisy.log");
    let size = fs::metadata(&log).unwrap().len();
    assert!(size >= 3 * 32 * 1024 * 1024, "{size} bytes of log");
    // Without a log directory the output is dropped (`/dev/null`): nothing is kept at all.
    let mut fx = fixture(json!([raw_function("noisy")]), &[("raw.py", &code)], ProcessOptions::default());
    fx.handlers = {
        let model = lambdasim::load_file(&fx.dir.path().join("scenario.json")).unwrap();
        ProcessHandlers::new(&model, ProcessOptions { log_dir: None, ..ProcessOptions::default() }).unwrap().unwrap()
    };
    assert_eq!(json_of(&fx.handlers.invoke(&req(0, "noisy", 1, true, "req-1", b"{}")).unwrap()), json!({"ok": {}}));
}

#[test]
fn a_runtime_that_never_asks_for_an_invocation_is_stopped_by_the_guard() {
    // Starts, then neither calls /next nor exits (a stuck init): the guard stops it and names the function.
    let f = json!([{"FunctionName": "stuck", "Handler": "x", "Runtime": {"Command": ["sh", "-c", "echo up; exec sleep 600"]}}]);
    let opts = ProcessOptions { guard: Duration::from_millis(800), ..ProcessOptions::default() };
    let mut fx = fixture(f, &[], opts);
    let t = std::time::Instant::now();
    let e = fx.handlers.invoke(&req(0, "stuck", 1, true, "req-1", b"{}")).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert_eq!(e.function, "stuck");
    assert!(e.message.contains("did not ask for an event") && e.message.contains("800ms"), "{}", e.message);
    assert_eq!(fx.handlers.live_processes(), 0);
}

#[test]
fn the_runtime_api_listens_on_loopback_only() {
    // The runtime reports the address it was given and tries the same port on this machine's other address.
    let probe = r#"
import socket
host, port = api.rsplit(":", 1)
other = None
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("10.255.255.255", 1))
    other = s.getsockname()[0]
except OSError:
    pass
reached = None
if other and not other.startswith("127."):
    try:
        socket.create_connection((other, int(port)), timeout=2).close()
        reached = True
    except OSError:
        reached = False
"#;
    let code = raw_runtime(probe, r#"{"host": host, "other": other, "reached": reached}"#);
    let mut fx = fixture(json!([raw_function("probe")]), &[("raw.py", &code)], ProcessOptions::default());
    let r = json_of(&fx.handlers.invoke(&req(0, "probe", 1, true, "req-1", b"{}")).unwrap());
    assert_eq!(r["host"], "127.0.0.1");
    if r["other"].is_string() {
        assert_eq!(r["reached"], false, "the Runtime API answered on {}: {r}", r["other"]);
    } else {
        eprintln!("the_runtime_api_listens_on_loopback_only: no non-loopback address here; only the bound host is checked");
    }
}

#[test]
fn the_command_line_ends_a_run_whose_handler_hangs_or_never_starts() {
    // End to end: `lambdasim run` with a handler that hangs in its first invocation, and one whose command exits at
    // once, ends with exit 2 and a message naming the function; it never hangs.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("raw.py"), raw_runtime("import time", r#"(time.sleep(600), {})[1]"#)).unwrap();
    let workload = json!([{"Function": "f", "At": [1.0]}]);
    for (runtime, needle) in
        [(json!({"Command": ["python3", "raw.py"]}), "function f"), (json!({"Command": ["sh", "-c", "exit 7"]}), "exit status 7")]
    {
        let sc = json!({"Functions": [{"FunctionName": "f", "Handler": "raw", "Runtime": runtime}], "Workload": workload});
        let p = dir.path().join("s.json");
        fs::write(&p, sc.to_string()).unwrap();
        let t = std::time::Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_lambdasim"))
            .args(["run", p.to_str().unwrap(), "--handler-guard", "1", "--handler-logs", dir.path().join("logs").to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
        assert!(!err.contains("panicked"), "{err}");
        match o.status.code() {
            // the hanging handler: the guard stops the run
            Some(2) => assert!(err.contains("handler failed") && err.contains(needle), "{err}"),
            // the runtime that exits at once: Lambda's init error outcome (Runtime.ExitError), the run goes on
            Some(0) | Some(1) => {
                let out = String::from_utf8_lossy(&o.stdout);
                assert_eq!(needle, "exit status 7", "{err}{out}");
                let log = fs::read_to_string(dir.path().join("logs/f.log")).unwrap();
                assert!(log.contains("started"), "{log}");
            }
            other => panic!("{other:?}: {err}"),
        }
    }
}
