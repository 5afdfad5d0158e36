//! The trace of real handler code: the `HandlerReply` event's words in the digest and its `--trace` line, and how a
//! reply is shortened when a person reads it (`check --check-determinism` names the first reply that differed).
//!
//! [`first_difference`] compares two traces of the same seed.
//!
//! A reply is kept as the bytes the runtime posted (`POST .../invocation/{id}/response` or `.../error`, Lambda
//! developer guide, "Using the Lambda runtime API for custom runtimes"), so two runs compare byte for byte.

use std::hash::Hasher;

use serde_json::{json, Value};

use super::{Ctx, StableHasher, TraceEvent};
use crate::aws::ids::request_id;
use crate::kernel::time::SimTime;
use crate::model::Model;

/// What kind of answer a handler gave (the Runtime API path it used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandlerReplyKind {
    /// `POST /2018-06-01/runtime/invocation/{id}/response`: the body is the response.
    Response,
    /// `POST /2018-06-01/runtime/invocation/{id}/error`: the body is the error document.
    Error,
    /// `POST /2018-06-01/runtime/init/error` (or the process ended during init): the body is the error document.
    InitError,
    /// The process exited while it ran the invocation: the body is its exit status.
    Exited,
}

impl HandlerReplyKind {
    /// The word in `--trace` lines.
    pub fn name(self) -> &'static str {
        match self {
            HandlerReplyKind::Response => "Response",
            HandlerReplyKind::Error => "Error",
            HandlerReplyKind::InitError => "InitError",
            HandlerReplyKind::Exited => "Exited",
        }
    }
}

/// The words of a `HandlerReply` (see `Digest::add`): its numbers, then every byte of the body.
#[inline]
pub(super) fn digest_words(h: &mut StableHasher, ev: &TraceEvent) {
    if let TraceEvent::HandlerReply { event, rid, function, attempt, env, kind, body } = ev {
        h.write_u64(9 | u64::from(function.0) << 8 | (*kind as u64) << 40);
        h.write_u64(*event);
        h.write_u64(*rid);
        h.write_u64(u64::from(*attempt) | u64::from(*env) << 32);
        h.write(body);
    }
}

/// The `--trace` line of a `HandlerReply`: the body as JSON when it is JSON, else as text.
pub(super) fn to_json(ev: &TraceEvent, ctx: &Ctx<'_>) -> Value {
    let TraceEvent::HandlerReply { event, rid, function, attempt, env, kind, body } = ev else {
        unreachable!("handler::to_json: not a HandlerReply")
    };
    let body = serde_json::from_slice::<Value>(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({
        "event": event, "requestId": request_id(ctx.seed, *rid), "function": ctx.model.function(*function).name,
        "attempt": attempt, "env": env, "reply": kind.name(), "body": body,
    })
}

/// A reply's bytes for a person: as text, cut to `max` characters with `...` and the full length when longer.
pub fn shorten(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.chars().count() <= max {
        return text.into_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}... ({} bytes)", body.len())
}

/// Where two traces of the same scenario and seed first differ, for a person (`check --check-determinism`): a
/// handler reply that differed is named by its function, request id and both replies, shortened; any other event by
/// its index and both forms. `None` when the traces are the same.
pub fn first_difference(a: &[(SimTime, TraceEvent)], b: &[(SimTime, TraceEvent)], model: &Model, seed: u64) -> Option<String> {
    let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return (a.len() != b.len()).then(|| format!("the traces differ in length ({} vs {} events)", a.len(), b.len()));
    };
    let (x, y) = (&a[i], &b[i]);
    if let (
        TraceEvent::HandlerReply { function, rid, kind: k1, body: b1, .. },
        TraceEvent::HandlerReply { function: f2, rid: r2, kind: k2, body: b2, .. },
    ) = (&x.1, &y.1)
    {
        if function == f2 && rid == r2 {
            return Some(format!(
                "the handler of function {} answered request {} differently: first run {} {}, second run {} {}",
                model.function(*function).name,
                request_id(seed, *rid),
                k1.name(),
                shorten(b1, 200),
                k2.name(),
                shorten(b2, 200)
            ));
        }
    }
    Some(format!("trace event #{i} differs: first run {} {:?}, second run {} {:?}", x.0, x.1, y.0, y.1))
}
