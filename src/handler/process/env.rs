//! One simulated execution environment as one runtime process, and the Runtime API state machine it talks to.
//!
//! The paths, headers and status codes follow the AWS Lambda developer guide, "Using the Lambda runtime API for
//! custom runtimes" (API version 2018-06-01), and where the guide is silent the AWS Lambda Runtime Interface Emulator
//! (`aws-lambda-runtime-interface-emulator`, `lambda/rapi/handler/*` and `lambda/rapi/rendering`), docs/sources.md:
//! - `GET /runtime/invocation/next`: 200, the event as body, `Lambda-Runtime-Aws-Request-Id`,
//!   `Lambda-Runtime-Deadline-Ms`, `Lambda-Runtime-Invoked-Function-Arn`, `Lambda-Runtime-Trace-Id`, `Content-Type`
//!   (no client context or Cognito identity: the RIE leaves out empty headers); it blocks until there is an event.
//! - `POST /runtime/invocation/{id}/response` and `.../error`: 202 `{"status":"OK"}`; 403 `InvalidStateTransition`
//!   when no invocation is in progress (a second response); 400 `InvalidRequestID` for an id other than the current
//!   one; 413 `RequestEntityTooLarge` for a body over 6 MB, and the invocation fails with
//!   `Function.ResponseSizeTooLarge`.
//! - `POST /runtime/init/error`: 202, and the init failed; 403 once the runtime has asked for an event.
//! - anything else: 404 (405 for a known path with another method).
//!
//! An exit during init is an init failure (`Runtime.ExitError`); an exit during an invocation is
//! [`Reply::Exited`], worded as AWS words it (`exit status 1`, `signal: killed`: Go's `ProcessState.String()`,
//! which Lambda's init and invoke errors quote, "Runtime exited with error: exit status 1").

use std::fs::File;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use super::http::{HttpResponse, MAX_BODY};
use super::server::{Incoming, Msg, Server};
use super::Launch;
use crate::handler::{ErrorReply, HandlerFailure, Reply, Request};

/// Where the runtime is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Started; its init runs until it asks for the first event.
    Init,
    /// Asked for an event (or answered the last one).
    Ready,
    /// Holds the event of this request id.
    Invoking(String),
    /// Reported an init error.
    Failed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Init => "Initializing",
            State::Ready => "Ready",
            State::Invoking(_) => "Invoking",
            State::Failed => "InitError",
        }
    }
}

/// What waiting on the process produced.
enum Wait {
    /// An outcome of the current phase.
    Done(Reply),
    /// The runtime asked for an event.
    Ready,
    /// The process ended.
    Exited(String),
    /// The wall-clock guard ran out.
    TimedOut,
}

/// A runtime process serving one environment.
#[derive(Debug)]
pub(super) struct Env {
    child: Child,
    server: Server,
    state: State,
    /// The `GET .../invocation/next` waiting for the next event.
    pending_next: Option<Incoming>,
    log: Option<File>,
    /// Environment id, for log markers.
    env: u32,
    /// Invocations since this process was last used, for the process cap (least recently used goes first).
    pub(super) last_used: u64,
    reaped: bool,
}

/// `exit status N` or `signal: NAME`, as Go's `os.ProcessState` prints it (Lambda's words).
pub(super) fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    let name = match status.signal() {
        Some(libc::SIGKILL) => "killed".to_string(),
        Some(libc::SIGTERM) => "terminated".to_string(),
        Some(libc::SIGSEGV) => "segmentation fault".to_string(),
        Some(libc::SIGABRT) => "aborted".to_string(),
        Some(libc::SIGINT) => "interrupt".to_string(),
        Some(libc::SIGBUS) => "bus error".to_string(),
        Some(libc::SIGFPE) => "floating point exception".to_string(),
        Some(libc::SIGILL) => "illegal instruction".to_string(),
        Some(libc::SIGHUP) => "hangup".to_string(),
        Some(libc::SIGPIPE) => "broken pipe".to_string(),
        Some(n) => format!("signal {n}"),
        None => "unknown".to_string(),
    };
    format!("signal: {name}")
}

/// The error body a runtime posts, read as Lambda reads it: `errorType` from the body, else the
/// `Lambda-Runtime-Function-Error-Type` header; a body that is not the error JSON keeps its text as the message.
/// The frames are `stackTrace` (the Runtime API's documented body; Python's `awslambdaric`, Go's `aws-lambda-go`
/// for a panic), else `trace` (Node's `aws-lambda-ric` posts `{"errorType", "errorMessage", "trace"}`, the error's
/// `stack` split into lines: `Errors.js`, `toRapidResponse`).
pub(super) fn parse_error(body: &[u8], header_type: Option<&str>) -> ErrorReply {
    let header = header_type.unwrap_or("").to_string();
    let Ok(serde_json::Value::Object(o)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return ErrorReply {
            error_type: if header.is_empty() { "Unhandled".into() } else { header },
            error_message: String::from_utf8_lossy(body).into_owned(),
            stack_trace: vec![],
        };
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let error_type =
        o.get("errorType").map(text).filter(|t| !t.is_empty()).unwrap_or(if header.is_empty() { "Unhandled".into() } else { header });
    let error_message = o.get("errorMessage").map(text).unwrap_or_default();
    let stack_trace = match o.get("stackTrace").or_else(|| o.get("trace")) {
        Some(serde_json::Value::Array(frames)) => frames.iter().map(text).collect(),
        Some(serde_json::Value::Null) | None => vec![],
        Some(other) => vec![text(other)],
    };
    ErrorReply { error_type, error_message, stack_trace }
}

/// How long to wait for a message before looking whether the process exited.
const TICK: Duration = Duration::from_millis(10);

impl Env {
    /// Start the runtime process of environment `req.env` (its init runs now).
    pub(super) fn start(launch: &Launch, req: &Request<'_>, log: Option<File>, generation: u64) -> Result<Env, HandlerFailure> {
        let fail = |m: String| HandlerFailure { function: req.function_name.to_string(), message: m };
        let server = Server::bind().map_err(|e| fail(format!("cannot listen on 127.0.0.1 for the Runtime API: {e}")))?;
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args).current_dir(&launch.cwd).env_clear().stdin(Stdio::null());
        for (k, v) in launch.env_vars(req, &server.addr.to_string(), generation) {
            cmd.env(k, v);
        }
        match &log {
            Some(f) => {
                let out = f.try_clone().map_err(|e| fail(format!("cannot share its log file: {e}")))?;
                let err = f.try_clone().map_err(|e| fail(format!("cannot share its log file: {e}")))?;
                cmd.stdout(out).stderr(err);
            }
            None => {
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        // its own process group, so that ending the environment ends whatever the runtime started too
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        // and killed with lambdasim if lambdasim dies without unwinding (the release binary aborts on a panic)
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) is async-signal-safe and touches no memory of the parent.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| fail(format!("cannot start its runtime `{}` in {}: {e}", launch.command_line, launch.cwd.display())))?;
        let mut env = Env { child, server, state: State::Init, pending_next: None, log, env: req.env, last_used: 0, reaped: false };
        env.mark(&format!("=== environment {}: runtime process {} started: {}", req.env, env.child.id(), launch.command_line));
        Ok(env)
    }

    /// A marker line in the function's log.
    fn mark(&mut self, line: &str) {
        if let Some(f) = self.log.as_mut() {
            let _ = writeln!(f, "{line}");
        }
    }

    /// Wait (until `deadline`) for a request, an exit, or the guard.
    fn wait(&mut self, deadline: Instant) -> Result<Incoming, Wait> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(Wait::TimedOut);
            }
            match self.server.rx.recv_timeout(TICK.min(deadline - now)) {
                Ok(Msg::Request(inc)) => return Ok(inc),
                Ok(Msg::Closed) | Err(RecvTimeoutError::Timeout) => {
                    if let Some(status) = self.exited() {
                        // requests the process sent before it exited still count
                        if let Ok(Msg::Request(inc)) = self.server.rx.recv_timeout(Duration::from_millis(5)) {
                            return Ok(inc);
                        }
                        return Err(Wait::Exited(status));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.exited().unwrap_or_else(|| "unknown".into());
                    return Err(Wait::Exited(status));
                }
            }
        }
    }

    /// The process's end, if it has ended.
    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.reaped = true;
                let s = describe_exit(status);
                self.mark(&format!("=== environment {}: runtime process ended: {s}", self.env));
                Some(s)
            }
            _ => None,
        }
    }

    /// Answer one Runtime API request in the current state; `Some` when it settles the current phase.
    fn handle(&mut self, mut inc: Incoming) -> Option<Wait> {
        const PREFIX: &str = "/2018-06-01/runtime/";
        let (method, path) = (inc.req.method.clone(), inc.req.path.clone());
        let Some(rest) = path.strip_prefix(PREFIX) else {
            inc.respond(not_found());
            return None;
        };
        let segments: Vec<&str> = rest.split('/').collect();
        let post = method == "POST";
        match segments.as_slice() {
            ["invocation", "next"] if method == "GET" => match self.state {
                State::Init | State::Ready if self.pending_next.is_none() => {
                    self.state = State::Ready;
                    self.pending_next = Some(inc);
                    Some(Wait::Ready)
                }
                _ => {
                    inc.respond(transition(&self.state, "InvocationNext"));
                    None
                }
            },
            ["invocation", id, kind @ ("response" | "error")] if post => {
                let State::Invoking(current) = &self.state else {
                    let target = if *kind == "response" { "InvocationResponse" } else { "InvocationErrorResponse" };
                    inc.respond(transition(&self.state, target));
                    return None;
                };
                if id != current {
                    inc.respond(HttpResponse::error(400, "InvalidRequestID", "Invalid request ID"));
                    return None;
                }
                self.state = State::Ready;
                if let Some(len) = inc.req.oversized {
                    inc.respond(HttpResponse::error(
                        413,
                        "RequestEntityTooLarge",
                        &format!("Exceeded maximum allowed payload size ({MAX_BODY} bytes)."),
                    ));
                    return Some(Wait::Done(Reply::Error(ErrorReply {
                        error_type: "Function.ResponseSizeTooLarge".into(),
                        error_message: format!(
                            "Response payload size ({len} bytes) exceeded maximum allowed payload size ({MAX_BODY} bytes)."
                        ),
                        stack_trace: vec![],
                    })));
                }
                let reply = if *kind == "response" {
                    Reply::Response(std::mem::take(&mut inc.req.body))
                } else {
                    Reply::Error(parse_error(&inc.req.body, inc.req.header("lambda-runtime-function-error-type")))
                };
                inc.respond(accepted());
                Some(Wait::Done(reply))
            }
            ["init", "error"] if post => {
                if self.state != State::Init {
                    inc.respond(transition(&self.state, "InitError"));
                    return None;
                }
                self.state = State::Failed;
                let e = parse_error(&inc.req.body, inc.req.header("lambda-runtime-function-error-type"));
                inc.respond(accepted());
                Some(Wait::Done(Reply::InitError(e)))
            }
            ["invocation", "next"] | ["invocation", _, "response" | "error"] | ["init", "error"] => {
                inc.respond(HttpResponse { status: 405, headers: vec![], body: vec![] });
                None
            }
            _ => {
                inc.respond(not_found());
                None
            }
        }
    }

    /// Run the init until the runtime asks for its first event (or fails, or `deadline` passes): `Ok(None)` when it
    /// is ready, `Ok(Some(reply))` with the init failure.
    pub(super) fn ready(&mut self, deadline: Instant) -> Result<Option<Reply>, Stall> {
        while self.pending_next.is_none() {
            let inc = match self.wait(deadline) {
                Ok(inc) => inc,
                Err(Wait::Exited(status)) if self.state == State::Init => {
                    return Ok(Some(Reply::InitError(ErrorReply {
                        error_type: "Runtime.ExitError".into(),
                        error_message: format!("Runtime exited with error: {status}"),
                        stack_trace: vec![],
                    })));
                }
                Err(Wait::Exited(status)) => return Err(Stall::ExitedIdle(status)),
                Err(_) => return Err(Stall::TimedOut),
            };
            if let Some(Wait::Done(reply)) = self.handle(inc) {
                return Ok(Some(reply));
            }
        }
        // its `GET .../next` may have been sent before the process ended (a process that exits after answering)
        if let Some(status) = self.exited() {
            return Err(Stall::ExitedIdle(status));
        }
        Ok(None)
    }

    /// Hand the event to the waiting `GET .../next` and wait for the answer (the runtime must be [`Env::ready`]).
    pub(super) fn invoke(&mut self, req: &Request<'_>, deadline: Instant) -> Result<Reply, Stall> {
        let next = self.pending_next.take().ok_or(Stall::TimedOut)?;
        self.mark(&format!("START RequestId: {} Version: {} Environment: {}", req.request_id, req.version, req.env));
        next.respond(HttpResponse {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Lambda-Runtime-Aws-Request-Id".into(), req.request_id.to_string()),
                ("Lambda-Runtime-Deadline-Ms".into(), req.deadline_ms.to_string()),
                ("Lambda-Runtime-Invoked-Function-Arn".into(), req.invoked_arn.to_string()),
                ("Lambda-Runtime-Trace-Id".into(), req.trace_id.to_string()),
            ],
            body: req.event.to_vec(),
        });
        self.state = State::Invoking(req.request_id.to_string());
        let outcome = loop {
            let inc = match self.wait(deadline) {
                Ok(inc) => inc,
                Err(Wait::Exited(status)) => break Ok(Reply::Exited { status }),
                Err(_) => break Err(Stall::TimedOut),
            };
            if let Some(Wait::Done(reply)) = self.handle(inc) {
                break Ok(reply);
            }
        };
        self.mark(&format!("END RequestId: {}", req.request_id));
        outcome
    }

    /// Stop the process and everything it started, and reap it.
    pub(super) fn stop(&mut self) {
        self.pending_next = None;
        self.server.shutdown();
        if !self.reaped {
            // the whole process group (started with process_group(0), so its id is the child's pid)
            if let Ok(pid) = i32::try_from(self.child.id()) {
                // SAFETY: kill(2) has no memory effects; a negative pid names the process group.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
            let _ = self.child.kill();
            if let Ok(status) = self.child.wait() {
                let s = describe_exit(status);
                self.mark(&format!("=== environment {}: runtime process stopped ({s})", self.env));
            }
            self.reaped = true;
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Why a phase ended without an outcome.
#[derive(Debug)]
pub(super) enum Stall {
    /// The guard ran out.
    TimedOut,
    /// The process ended while it waited between invocations (after its last answer).
    ExitedIdle(String),
}

fn accepted() -> HttpResponse {
    HttpResponse::json(202, r#"{"status":"OK"}"#)
}

fn not_found() -> HttpResponse {
    // the router's default answer (go-chi, which the Runtime Interface Emulator uses)
    HttpResponse {
        status: 404,
        headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
        body: b"404 page not found\n".to_vec(),
    }
}

fn transition(from: &State, to: &str) -> HttpResponse {
    HttpResponse::error(403, "InvalidStateTransition", &format!("State transition from {} to {to} failed for runtime.", from.name()))
}
