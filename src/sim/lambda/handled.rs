//! Real handler code serving the attempts of the functions a [`Handlers`] implementation serves (docs/semantics.md
//! section 11, "Handler outcomes"): the simulation still decides *when* (virtual time, concurrency, retries), the
//! handler decides *what*.
//!
//! - The request is what the Lambda Runtime API's `GET /2018-06-01/runtime/invocation/next` hands a runtime (Lambda
//!   developer guide, "Using the Lambda runtime API for custom runtimes"): the event bytes as the invoking service
//!   sends them, `Lambda-Runtime-Aws-Request-Id` (the request id, the same across the retries of one async event,
//!   spec 2), `Lambda-Runtime-Deadline-Ms` (virtual epoch ms of the invoke phase's start plus the timeout),
//!   `Lambda-Runtime-Invoked-Function-Arn` (qualified when a version or alias was invoked) and
//!   `Lambda-Runtime-Trace-Id` (X-Ray's `Root=1-<8 hex epoch s>-<24 hex>;Parent=<16 hex>;Sampled=0`).
//! - The reply maps onto the outcome (spec 11): a response is a success (over 6 MiB + 100 bytes a
//!   `Function.ResponseSizeTooLarge` error, spec 1), an error post a function error with the runtime's own
//!   `errorType`, `errorMessage` and `stackTrace`, an init error a function error after which the environment is reset,
//!   an exit `Runtime.ExitError` (a crash: the environment is reset, spec 1).
//! - Faults decide first: an `Error` fault fails the attempt without calling the handler; a `Timeout` or `Crash`
//!   fault lets the handler run (on AWS the code runs until it is killed, so its side effects happen) and discards its
//!   reply.
//!
//! The reply's texts live in a [`Handled`] boxed in the invocation's slot: memory follows what is in flight, and a
//! function no handler serves never allocates one.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::super::Sim;
use super::{Caller, Decision, Dispatch};
use crate::aws::destinations::Cause;
use crate::aws::ids::{hex16, hex8, push_ascii, write_request_id};
use crate::handler::{ErrorReply, HandlerFailure, Handlers, Reply, Request};
use crate::kernel::rng::splitmix;
use crate::kernel::time::SimTime;
use crate::model::versions::Qualifier;
use crate::model::FnId;
use crate::trace::{HandlerReplyKind, Observer};
use crate::vocab::Outcome;

/// The run's handlers and what the loop keeps about them.
pub(in crate::sim) struct HandlerHook<'m> {
    pub(in crate::sim) handlers: &'m mut dyn Handlers,
    /// Per function: whether the handlers serve it (asked once, when the run starts).
    pub(in crate::sim) served: Vec<bool>,
    /// Durations from the handler's measured wall time times this scale, instead of the `Duration` model: not
    /// reproducible.
    pub(in crate::sim) measured: Option<f64>,
    /// The handler machinery failed: the run ends with this error.
    pub(in crate::sim) failure: Option<HandlerFailure>,
    /// The request id and trace id texts of the attempt being handed over (one buffer each for the whole run).
    pub(in crate::sim) ids: (String, String),
}

/// What a handler answered for an invocation's latest attempt, kept with the invocation until its fate (records,
/// DLQ messages and sync results read it).
#[derive(Debug, Default)]
pub(in crate::sim) struct Handled {
    /// The response as records carry it (`responsePayload`): the JSON document, or the bytes as a string when they
    /// are not JSON; `null` for an empty response or an error.
    pub(in crate::sim) response: Value,
    /// The error texts of an error, init error or exit.
    pub(in crate::sim) error: ErrorReply,
    /// The environment ends with this attempt (init error).
    pub(in crate::sim) reset_env: bool,
}

/// The trace's view of a reply: its kind and bytes.
pub(in crate::sim) type ReplyTrace = (HandlerReplyKind, Arc<[u8]>);

/// The `Lambda-Runtime-Trace-Id` of an attempt: X-Ray's trace header, derived from the seed, the request and the
/// attempt (`Root=1-<epoch seconds, 8 hex>-<24 hex>;Parent=<16 hex>;Sampled=0`), written into `out` (cleared first).
pub(in crate::sim) fn write_trace_id(out: &mut String, seed: u64, rid: u64, attempt: u32, epoch_ms: u64) {
    let a = splitmix(seed ^ 0x7a_ce00 ^ splitmix(rid));
    let b = splitmix(a ^ 0x9e37);
    let parent = splitmix(a ^ u64::from(attempt).wrapping_mul(0x1000_0000_01b3));
    // `Root=1-{:08x}-{:08x}{:016x};Parent={:016x};Sampled=0`, digit by digit into bytes (once per attempt)
    let mut buf = *b"Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0";
    buf[7..15].copy_from_slice(&hex8((epoch_ms / 1000) as u32));
    buf[16..24].copy_from_slice(&hex8((a >> 32) as u32));
    buf[24..40].copy_from_slice(&hex16(b));
    buf[48..64].copy_from_slice(&hex16(parent));
    out.clear();
    push_ascii(out, &buf);
}

/// The error document a runtime posts (`{"errorMessage","errorType","stackTrace"}`), as bytes for the trace.
fn error_body(e: &ErrorReply) -> Vec<u8> {
    // serialized field by field, in this order (no map built on the way)
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(rename = "errorMessage")]
        error_message: &'a str,
        #[serde(rename = "errorType")]
        error_type: &'a str,
        #[serde(rename = "stackTrace")]
        stack_trace: &'a [String],
    }
    serde_json::to_vec(&Body { error_message: &e.error_message, error_type: &e.error_type, stack_trace: &e.stack_trace })
        .unwrap_or_default()
}

impl<'m, O: Observer> Sim<'m, O> {
    /// Whether real code serves `f` in this run.
    #[inline]
    pub(in crate::sim) fn served(&self, f: FnId) -> bool {
        self.hook.as_ref().is_some_and(|h| h.served[f.ix()])
    }

    /// A simulated environment of a served function ended: its handler drops what it keeps for it.
    pub(in crate::sim) fn handler_env_ended(&mut self, f: FnId, env: u32) {
        if let Some(h) = self.hook.as_mut().filter(|h| h.served[f.ix()]) {
            h.handlers.environment_ended(f, env);
        }
    }

    /// The measured wall time of the last invocation, scaled, when the run takes durations from the handler.
    pub(in crate::sim) fn measured_duration(&self) -> Option<SimTime> {
        let h = self.hook.as_ref()?;
        let scale = h.measured?;
        let d = h.handlers.last_elapsed()?;
        Some(SimTime::from_micros((d.as_micros() as f64 * scale).round() as u64))
    }

    /// Decide an attempt of a served function: a fault first, else (and also under a `Timeout` or `Crash` fault) the
    /// handler's reply. `invoke_start` is when the invoke phase starts (after a cold start's init).
    /// `env` is the environment, whether it starts cold, and whether it is a provisioned one.
    pub(in crate::sim) fn decide_handled(
        &mut self,
        slot: u32,
        config: u32,
        env: (u32, bool, bool),
        invoke_start: SimTime,
    ) -> (Decision, Option<ReplyTrace>) {
        let fault = self.decide_fault(slot, config);
        if let Some(d @ (Outcome::Error, ..)) = fault {
            return (d, None);
        }
        let (reply, document) = match self.call_handler(slot, config, env, invoke_start) {
            Ok(r) => r,
            Err(failure) => {
                if let Some(h) = self.hook.as_mut() {
                    h.failure.get_or_insert(failure);
                }
                // The run stops after this event; the attempt is reported as a crash meanwhile.
                return (fault.unwrap_or((Outcome::Crash, Cause::Default, 4, None)), None);
            }
        };
        let caller = self.inv(slot).expect("live slot").caller;
        let (decision, handled, trace) = match reply {
            Reply::Response(bytes) => {
                // The bytes as Lambda reads them: an empty body is an empty response; a body that is not JSON
                // stays text (and fails a batch that reports item failures, spec 5.2).
                // (an in-process handler hands its document along: the bytes are its serialization)
                let parsed: Option<Value> = match document {
                    Some(d) => Some(d),
                    None if bytes.iter().all(u8::is_ascii_whitespace) => Some(Value::Null),
                    None => serde_json::from_slice(&bytes).ok(),
                };
                if fault.is_none() {
                    self.batch_response(caller, parsed.as_ref());
                }
                let size = bytes.len().min(u32::MAX as usize) as u32;
                let response = parsed.unwrap_or_else(|| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
                let d = (Outcome::Success, Cause::Handler, size, None);
                (d, Handled { response, ..Handled::default() }, (HandlerReplyKind::Response, Arc::from(bytes)))
            }
            Reply::Error(e) => {
                self.batch_response(caller, None);
                let body = error_body(&e);
                (Self::error_decision(), Handled { error: e, ..Handled::default() }, (HandlerReplyKind::Error, Arc::from(body)))
            }
            Reply::InitError(e) => {
                // The init failed: the invocation fails with the runtime's error and the environment is not reused
                // (its next invocation is a cold start, spec 11).
                self.batch_response(caller, None);
                let body = error_body(&e);
                (
                    Self::error_decision(),
                    Handled { error: e, reset_env: true, ..Handled::default() },
                    (HandlerReplyKind::InitError, Arc::from(body)),
                )
            }
            Reply::Exited { status } => {
                self.batch_response(caller, None);
                let error = ErrorReply {
                    error_type: "Runtime.ExitError".into(),
                    error_message: format!("Runtime exited with error: {status}"),
                    stack_trace: vec![],
                };
                let d = (Outcome::Crash, Cause::Handler, 4, None);
                (d, Handled { error, ..Handled::default() }, (HandlerReplyKind::Exited, Arc::from(status.into_bytes())))
            }
        };
        self.inv_mut(slot).handled = Some(Box::new(handled));
        (fault.unwrap_or(decision), Some(trace))
    }

    fn error_decision() -> Decision {
        (Outcome::Error, Cause::Handler, 4, None)
    }

    /// A batch's response, as the service that built it reads it (`None`: not JSON, or no response at all).
    fn batch_response(&mut self, caller: Caller, response: Option<&Value>) {
        if matches!(caller, Caller::Esm(_) | Caller::Firehose(_)) {
            self.handled_batch_response(caller, response);
        }
    }

    /// Build the request of the starting attempt and hand it to the handler (the event as the document the
    /// simulation holds: `Handlers::invoke_json`), with the response document when the handler has one.
    fn call_handler(
        &mut self,
        slot: u32,
        config: u32,
        (env, cold, provisioned): (u32, bool, bool),
        invoke_start: SimTime,
    ) -> Result<(Reply, Option<Value>), HandlerFailure> {
        let model = self.model;
        // (the invocation and the hook are borrowed apart: the payload is lent to the handler, not cloned)
        let inv = self.invs.get(slot as usize).and_then(|x| x.as_ref()).expect("live slot");
        let (f, rid, attempt, qual) = (inv.function, inv.rid, inv.attempts, inv.qual);
        let payload = &inv.payload;
        let fd = model.function(f);
        let cfg = fd.config(config);
        // An unqualified invoke (or `$LATEST`) hands the function's ARN; a version or alias its qualified ARN.
        let invoked_arn: Cow<'_, str> = match qual {
            Qualifier::Latest => Cow::Borrowed(&fd.arn),
            q => Cow::Owned(fd.qualified_arn(q)),
        };
        let start_ms = model.settings.start_epoch_ms.max(0) as u64 + invoke_start.as_micros() / 1000;
        let deadline_ms = start_ms + cfg.timeout.as_micros() / 1000;
        let version: Cow<'_, str> = match cfg.version {
            None => Cow::Borrowed("$LATEST"),
            Some(_) => Cow::Owned(cfg.label()),
        };
        let seed = self.seed;
        let hook = self.hook.as_mut().expect("a served function has handlers");
        let (rid_text, trace) = &mut hook.ids;
        write_request_id(rid_text, seed, rid);
        write_trace_id(trace, seed, rid, attempt, start_ms);
        // Bytes the user wrote go to the handler as written (AWS passes on the bytes a caller sent); a handler that
        // works on documents takes the document parsed from them once, when the payload was read.
        let req = Request {
            function: f,
            function_name: &fd.name,
            version: &version,
            memory_mb: cfg.memory_mb,
            env,
            cold,
            provisioned,
            request_id: rid_text,
            invoked_arn: &invoked_arn,
            deadline_ms,
            trace_id: trace,
            event: payload.text.as_deref().map_or(&[][..], str::as_bytes),
        };
        hook.handlers.invoke_json(&req, &payload.value).map_err(|mut e| {
            if !e.message.contains(rid_text.as_str()) {
                e.message = format!("{} (request id {rid_text})", e.message);
            }
            e
        })
    }
}
