//! Rust handlers registered from the library, run in-process: no process, no socket. A user registers a closure for
//! a function name and runs a scenario from their own `cargo test`; every simulated attempt of that function calls
//! it, in virtual-time order, one at a time (docs/semantics.md section 11).
//!
//! Two kinds of state, as on AWS (Lambda developer guide, "Understanding the Lambda execution environment
//! lifecycle"): what a closure registered with [`InProcess::register`] captures lives as long as the run, across
//! every environment (use it to observe what the handler did, or to model an external store); a handler registered
//! with [`InProcess::register_per_env`] is built by its factory on each cold start, so a fresh environment starts
//! with fresh module state and a warm one keeps it. A factory that fails is the init error path (`InitError`).
//!
//! ```
//! use lambdasim::handler::inprocess::{HandlerError, InProcess};
//! use serde_json::{json, Value};
//!
//! let model = lambdasim::load_str(r#"{
//!   "Functions": [{ "FunctionName": "orders", "EventInvokeConfig": { "MaximumRetryAttempts": 2 } }],
//!   "Workload": [{ "Function": "orders", "InvocationType": "Event", "At": [1], "Payload": { "amount": -5 } }]
//! }"#).unwrap();
//! let mut calls = 0;
//! let mut handlers = InProcess::new().register("orders", |event: &Value, ctx| {
//!     calls += 1;
//!     if event["amount"].as_i64().unwrap_or(0) < 0 {
//!         return Err(HandlerError::new("ValueError", "negative amount"));
//!     }
//!     Ok(json!({ "ok": true, "requestId": ctx.request_id }))
//! });
//! let opts = lambdasim::RunOptions { handlers: Some(&mut handlers), ..Default::default() };
//! let report = lambdasim::run(&model, 7, opts).unwrap();
//! drop(handlers);
//! assert_eq!(calls, 3); // the first attempt and Lambda's two retries
//! assert_eq!(report.stats.accepted, 1);
//! ```

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{ErrorReply, HandlerFailure, Handlers, Reply, Request};
use crate::model::{FnId, Model};

/// What a handler knows of its invocation: the Lambda context object (`context` in Python and Node,
/// `lambda_runtime::Context` in Rust) and the environment that runs it.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// `aws_request_id`: the same across the retries of one async event.
    pub request_id: &'a str,
    /// When the function times out, in epoch milliseconds of virtual time (`get_remaining_time_in_millis` is
    /// `deadline_ms` minus the virtual now).
    pub deadline_ms: u64,
    /// `invoked_function_arn`: qualified when a version or alias was invoked.
    pub invoked_function_arn: &'a str,
    /// `function_name`.
    pub function_name: &'a str,
    /// `function_version` (`$LATEST`, `1`, ...).
    pub function_version: &'a str,
    /// `memory_limit_in_mb`.
    pub memory_mb: u32,
    /// X-Ray's trace header (`_X_AMZN_TRACE_ID`).
    pub trace_id: &'a str,
    /// The simulated execution environment.
    pub env: u32,
    /// This invocation is the environment's first (its init ran just before).
    pub cold: bool,
    /// The environment is a provisioned-concurrency one (`AWS_LAMBDA_INITIALIZATION_TYPE` is
    /// `provisioned-concurrency`; otherwise `on-demand`).
    pub provisioned: bool,
}

/// A function error as a runtime reports it: `errorType`, `errorMessage`, `stackTrace`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandlerError {
    /// `errorType`.
    pub error_type: String,
    /// `errorMessage`.
    pub error_message: String,
    /// `stackTrace`, one frame a line.
    pub stack_trace: Vec<String>,
}

impl HandlerError {
    /// An error of type `error_type` with `message` and no stack trace.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> HandlerError {
        HandlerError { error_type: error_type.into(), error_message: message.into(), stack_trace: vec![] }
    }
    /// The same error with these stack frames.
    pub fn with_stack_trace<S: Into<String>>(mut self, frames: impl IntoIterator<Item = S>) -> HandlerError {
        self.stack_trace = frames.into_iter().map(Into::into).collect();
        self
    }
    /// A Rust error as `lambda_runtime` reports one: its type name as `errorType`, its message as `errorMessage`.
    pub fn from_error<E: std::error::Error>(e: &E) -> HandlerError {
        HandlerError::new(std::any::type_name::<E>(), e.to_string())
    }
}

impl From<HandlerError> for ErrorReply {
    fn from(e: HandlerError) -> ErrorReply {
        ErrorReply { error_type: e.error_type, error_message: e.error_message, stack_trace: e.stack_trace }
    }
}

type JsonFn<'h> = Box<dyn FnMut(&Value, &Context<'_>) -> Result<Value, HandlerError> + 'h>;
type BytesFn<'h> = Box<dyn FnMut(&[u8], &Context<'_>) -> Result<Vec<u8>, HandlerError> + 'h>;
type Factory<'h> = Box<dyn FnMut(&Context<'_>) -> Result<JsonFn<'h>, HandlerError> + 'h>;

enum Kind<'h> {
    /// One closure for the whole run (its captures persist across every environment).
    Json(JsonFn<'h>),
    /// The same, on raw bytes.
    Bytes(BytesFn<'h>),
    /// A closure per environment, made by the factory on each cold start.
    PerEnv { factory: Factory<'h>, envs: BTreeMap<u32, JsonFn<'h>> },
}

struct Entry<'h> {
    name: String,
    kind: Kind<'h>,
}

/// Rust closures serving simulated functions by name. Pass it to a run as `RunOptions { handlers: Some(&mut h), .. }`.
#[derive(Default)]
pub struct InProcess<'h> {
    entries: Vec<Entry<'h>>,
    /// Per function of the bound model: the entry that serves it.
    by_fn: Vec<Option<usize>>,
    last: Option<Duration>,
    /// Read the clock around each call (`Handlers::measure_wall_time`; on until a run says otherwise).
    unmeasured: bool,
}

impl std::fmt::Debug for InProcess<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess").field("functions", &self.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>()).finish()
    }
}

impl<'h> InProcess<'h> {
    /// No handlers yet.
    pub fn new() -> InProcess<'h> {
        InProcess::default()
    }

    fn add(mut self, function: &str, kind: Kind<'h>) -> Self {
        self.entries.retain(|e| e.name != function);
        self.entries.push(Entry { name: function.to_string(), kind });
        self
    }

    /// Serve `function` (its `FunctionName`) with a closure taking the event as JSON and returning the response as
    /// JSON. What it captures persists for the whole run. Registering a name again replaces the handler.
    pub fn register<F>(self, function: &str, handler: F) -> Self
    where
        F: FnMut(&Value, &Context<'_>) -> Result<Value, HandlerError> + 'h,
    {
        self.add(function, Kind::Json(Box::new(handler)))
    }

    /// Serve `function` with a closure on raw bytes: the event exactly as the invoking service sends it, and the
    /// response bytes exactly as Lambda will read them (they need not be JSON).
    pub fn register_bytes<F>(self, function: &str, handler: F) -> Self
    where
        F: FnMut(&[u8], &Context<'_>) -> Result<Vec<u8>, HandlerError> + 'h,
    {
        self.add(function, Kind::Bytes(Box::new(handler)))
    }

    /// Serve `function` with per-environment state: `init` runs on each cold start (like a module's top-level code)
    /// and returns the handler for that environment, which keeps its captures while the environment is warm. An
    /// `Err` from `init` is an init error: the invocation fails with it and the environment is not reused.
    pub fn register_per_env<I, F>(self, function: &str, mut init: I) -> Self
    where
        I: FnMut(&Context<'_>) -> Result<F, HandlerError> + 'h,
        F: FnMut(&Value, &Context<'_>) -> Result<Value, HandlerError> + 'h,
    {
        let factory: Factory<'h> = Box::new(move |ctx: &Context<'_>| init(ctx).map(|f| Box::new(f) as JsonFn<'h>));
        self.add(function, Kind::PerEnv { factory, envs: BTreeMap::new() })
    }

    /// The functions with a handler, by name.
    pub fn functions(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }
}

/// Run a handler, turning a panic into a function error as the Rust runtime does (`lambda_runtime` catches a
/// panicking handler and reports an error).
fn guarded<T>(f: impl FnOnce() -> Result<T, HandlerError>) -> Result<T, HandlerError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(HandlerError::new("Panic", msg))
        }
    }
}

/// The event as the caller has it: the bytes of `Handlers::invoke`, or the document of `Handlers::invoke_json`.
#[derive(Clone, Copy)]
enum Event<'a> {
    Bytes(&'a [u8]),
    /// The document, and its bytes as written when the caller has them (empty otherwise).
    Json {
        doc: &'a Value,
        bytes: &'a [u8],
    },
}

/// A JSON handler's result as a reply, with the response document (the bytes are its serialization).
fn json_reply(r: Result<Value, HandlerError>) -> (Reply, Option<Value>) {
    match r {
        Ok(v) => (Reply::Response(serde_json::to_vec(&v).unwrap_or_default()), Some(v)),
        Err(e) => (Reply::Error(e.into()), None),
    }
}

/// Call a JSON handler with the event: the document as it is, or parsed from the bytes (`Runtime.UnmarshalError`
/// when they are not JSON, as the runtimes report an event they cannot read).
fn call_json(h: &mut JsonFn<'_>, event: Event<'_>, ctx: &Context<'_>) -> (Reply, Option<Value>) {
    match event {
        Event::Json { doc, .. } => json_reply(guarded(|| h(doc, ctx))),
        Event::Bytes(b) => match serde_json::from_slice::<Value>(b) {
            Ok(v) => json_reply(guarded(|| h(&v, ctx))),
            Err(e) => (
                Reply::Error(ErrorReply { error_type: "Runtime.UnmarshalError".into(), error_message: e.to_string(), stack_trace: vec![] }),
                None,
            ),
        },
    }
}

impl InProcess<'_> {
    fn call(&mut self, req: &Request<'_>, event: Event<'_>) -> Result<(Reply, Option<Value>), HandlerFailure> {
        let Some(i) = self.by_fn.get(req.function.ix()).copied().flatten() else {
            return Err(HandlerFailure { function: req.function_name.to_string(), message: "no handler is registered for it".into() });
        };
        let ctx = Context {
            request_id: req.request_id,
            deadline_ms: req.deadline_ms,
            invoked_function_arn: req.invoked_arn,
            function_name: req.function_name,
            function_version: req.version,
            memory_mb: req.memory_mb,
            trace_id: req.trace_id,
            env: req.env,
            cold: req.cold,
            provisioned: req.provisioned,
        };
        // the clock only when the run takes durations from it (two reads would cost a tenth of a simulated execution)
        let started = (!self.unmeasured).then(Instant::now);
        let reply = match &mut self.entries[i].kind {
            Kind::Json(h) => call_json(h, event, &ctx),
            Kind::Bytes(h) => {
                let owned;
                let bytes = match event {
                    Event::Bytes(b) | Event::Json { bytes: b @ [_, ..], .. } => b,
                    Event::Json { doc, .. } => {
                        owned = serde_json::to_vec(doc).unwrap_or_default();
                        &owned[..]
                    }
                };
                match guarded(|| h(bytes, &ctx)) {
                    Ok(b) => (Reply::Response(b), None),
                    Err(e) => (Reply::Error(e.into()), None),
                }
            }
            Kind::PerEnv { factory, envs } => {
                if req.cold {
                    envs.remove(&req.env);
                }
                let h = match envs.entry(req.env) {
                    std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::btree_map::Entry::Vacant(v) => match guarded(|| factory(&ctx)) {
                        Ok(h) => v.insert(h),
                        Err(e) => {
                            self.last = started.map(|t| t.elapsed());
                            return Ok((Reply::InitError(e.into()), None));
                        }
                    },
                };
                call_json(h, event, &ctx)
            }
        };
        self.last = started.map(|t| t.elapsed());
        Ok(reply)
    }
}

impl Handlers for InProcess<'_> {
    fn bind(&mut self, model: &Model) -> Result<(), HandlerFailure> {
        self.by_fn = vec![None; model.functions.len()];
        for (i, e) in self.entries.iter().enumerate() {
            let Some(f) = model.function_by_name(&e.name) else {
                let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
                return Err(HandlerFailure {
                    function: e.name.clone(),
                    message: format!(
                        "a handler is registered for it, but the scenario has no such function (it has: {})",
                        names.join(", ")
                    ),
                });
            };
            self.by_fn[f.ix()] = Some(i);
        }
        Ok(())
    }

    fn serves(&self, function: FnId) -> bool {
        self.by_fn.get(function.ix()).copied().flatten().is_some()
    }

    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure> {
        self.call(req, Event::Bytes(req.event)).map(|(r, _)| r)
    }

    /// The document goes to a JSON closure as it is, and its response comes back as a document too (no JSON text is
    /// parsed on the way); a bytes closure gets the event's bytes as written, or the document serialized.
    fn invoke_json(&mut self, req: &Request<'_>, event: &Value) -> Result<(Reply, Option<Value>), HandlerFailure> {
        self.call(req, Event::Json { doc: event, bytes: req.event })
    }

    fn measure_wall_time(&mut self, on: bool) {
        self.unmeasured = !on;
    }

    fn environment_ended(&mut self, function: FnId, env: u32) {
        if let Some(i) = self.by_fn.get(function.ix()).copied().flatten() {
            if let Kind::PerEnv { envs, .. } = &mut self.entries[i].kind {
                envs.remove(&env);
            }
        }
    }

    fn last_elapsed(&self) -> Option<Duration> {
        self.last
    }
}
