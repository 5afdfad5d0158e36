//! The user's own handler code, serving the simulated executions (the real-handlers capability).
//!
//! A function whose scenario entry has `Handler` and `Runtime` is served by real code instead of its declarative
//! `Behavior` rules: the simulation hands one invocation at a time to a [`Handlers`] implementation and waits for
//! its [`Reply`], so a deterministic handler gives the same run for the same seed. Two implementations exist:
//!
//! - [`inprocess`]: Rust closures registered from the library, for a user's own `cargo test` (no process, no socket);
//! - [`process`]: one operating-system process per simulated execution environment, started from the function's
//!   `Runtime` command, talking to the Lambda Runtime API (version 2018-06-01) that lambdasim serves on loopback.
//!
//! The simulation decides *when* (virtual time, concurrency, retries); the handler decides *what* (the response or
//! the error). Durations stay the function's `Behavior.Duration` model unless an option says otherwise.

pub mod inprocess;
pub mod process;

use crate::model::{FnId, Model};

/// One invocation handed to a handler: what the Runtime API's `GET /2018-06-01/runtime/invocation/next` returns.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The function, as the model numbers it.
    pub function: FnId,
    /// Its name (`FunctionName`).
    pub function_name: &'a str,
    /// The version that runs (`$LATEST`, `1`, ...): `AWS_LAMBDA_FUNCTION_VERSION` of its environment.
    pub version: &'a str,
    /// `MemorySize` of the version that runs, in MB.
    pub memory_mb: u32,
    /// The simulated execution environment that runs this invocation: one process per environment.
    pub env: u32,
    /// True when this environment has just been created (a cold start): its init runs first. A provisioned
    /// environment was initialised before its first invocation, so that one arrives with `cold` false: an
    /// implementation starts a fresh environment whenever it sees an `env` it does not hold (never used, or ended
    /// by [`Handlers::environment_ended`]).
    pub cold: bool,
    /// The environment is one of the function's provisioned-concurrency environments (spec 6): its runtime sees
    /// `AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency` instead of `on-demand` (Lambda developer guide,
    /// "Defined runtime environment variables").
    pub provisioned: bool,
    /// `Lambda-Runtime-Aws-Request-Id`: the simulated request id, the same across the retries of one async event.
    pub request_id: &'a str,
    /// `Lambda-Runtime-Invoked-Function-Arn`: the ARN, qualified when a version or alias was invoked.
    pub invoked_arn: &'a str,
    /// `Lambda-Runtime-Deadline-Ms`: the virtual start plus the timeout, in milliseconds of the virtual epoch.
    pub deadline_ms: u64,
    /// `Lambda-Runtime-Trace-Id`.
    pub trace_id: &'a str,
    /// The event's bytes, exactly as the invoking service sends them.
    pub event: &'a [u8],
}

/// What a handler answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `POST .../invocation/{id}/response`: the response bytes.
    Response(Vec<u8>),
    /// `POST .../invocation/{id}/error`: a function error as the runtime reports it.
    Error(ErrorReply),
    /// `POST /2018-06-01/runtime/init/error`, or the process ended during its init: the init failed.
    InitError(ErrorReply),
    /// The process exited (or was killed) while it ran the invocation: `Runtime.ExitError`.
    Exited {
        /// How it ended, as AWS words it (`exit status 1`, `signal: killed`).
        status: String,
    },
}

/// The error body the Runtime API receives: `{"errorMessage", "errorType", "stackTrace"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorReply {
    /// `errorType` (or the `Lambda-Runtime-Function-Error-Type` header when the body has none).
    pub error_type: String,
    /// `errorMessage`.
    pub error_message: String,
    /// `stackTrace`: the frames as the runtime formats them.
    pub stack_trace: Vec<String>,
}

/// A failure of the handler machinery itself, not of the user's function: the run cannot go on (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerFailure {
    /// The function whose handler failed.
    pub function: String,
    /// What went wrong, for a person: the command that could not start, the request id a handler never answered.
    pub message: String,
}

impl std::fmt::Display for HandlerFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "function {}: {}", self.function, self.message)
    }
}

impl std::error::Error for HandlerFailure {}

/// Real code serving simulated executions. The simulation calls [`Handlers::invoke`] once per attempt of a function
/// that [`Handlers::serves`], in virtual-time order, and waits for the reply.
pub trait Handlers {
    /// Called once when a run starts, before any invocation: resolve what the implementation was given (function
    /// names) against the model. An error (a name the scenario does not have) ends the run before it starts.
    fn bind(&mut self, model: &Model) -> Result<(), HandlerFailure> {
        let _ = model;
        Ok(())
    }
    /// Whether real code serves this function (otherwise its `Behavior` rules decide).
    fn serves(&self, function: FnId) -> bool;
    /// Run one invocation to its reply.
    fn invoke(&mut self, req: &Request<'_>) -> Result<Reply, HandlerFailure>;
    /// Run one invocation whose event the simulation holds as the JSON document `event`. `req.event` holds the
    /// event's bytes when the simulation has them as they were written (a payload in the scenario file), and is empty
    /// otherwise (the bytes would be `serde_json::to_vec(event)`). An implementation that works on documents (the
    /// in-process closures) takes the document as it is and may hand back the response as a document too, alongside
    /// [`Reply::Response`]'s bytes (which must be its serialization): that spares parsing or serializing the event
    /// and parsing the response again. The default calls [`Handlers::invoke`] with the bytes (serializing the
    /// document when there are none). The simulation calls this one.
    fn invoke_json(&mut self, req: &Request<'_>, event: &serde_json::Value) -> Result<(Reply, Option<serde_json::Value>), HandlerFailure> {
        if !req.event.is_empty() {
            return self.invoke(req).map(|r| (r, None));
        }
        let bytes = serde_json::to_vec(event).unwrap_or_default();
        self.invoke(&Request { event: &bytes, ..*req }).map(|r| (r, None))
    }
    /// The simulated environment ended (idle shutdown, recycle, timeout, crash): the next use of this environment id,
    /// if any, is a fresh start. Implementations stop the process or drop the state they keep for it.
    fn environment_ended(&mut self, function: FnId, env: u32) {
        let _ = (function, env);
    }
    /// Whether the run takes durations from the handlers' wall time ([`Handlers::last_elapsed`]), said once before
    /// the first invocation: an implementation may skip reading the clock when it does not (default: ignored).
    fn measure_wall_time(&mut self, on: bool) {
        let _ = on;
    }
    /// The wall time the last invocation took, where the implementation measures it (for the non-reproducible
    /// option that takes durations from the handler instead of the `Duration` model).
    fn last_elapsed(&self) -> Option<std::time::Duration> {
        None
    }
}
