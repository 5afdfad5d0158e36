//! The Lambda core: the invoke paths on the kernel (spec sections 1 and 2). An invocation carries its [`Caller`]; a
//! synchronous one (`RequestResponse`, spec 1) runs now or is refused, and its fate goes back to the caller through
//! the dispatcher ([`Dispatch`]); an async one (`Event`, spec 2) is accepted (202) into the queue, retried after a
//! function error (~1 and ~2 minutes, same request id, `MaximumRetryAttempts`), backs off after a throttle or service
//! error (1 s to 5 min, free of the retry budget), ages out (`MaximumEventAgeInSeconds`, with the look-ahead), and
//! ends in its destinations. Also: 413 over the payload limits (spec 10.10), duplicate delivery (at-least-once) and
//! recursive-loop detection, versions and aliases resolved when each attempt starts (spec 3.2), waiting in the queue
//! (`AsyncConcurrencyFull: Queue`).
//!
//! An attempt's outcome comes from the declarative model (`decide`) or, for a function that the user's handler code
//! serves, from that code (`handled`, spec 11).
//!
//! Invocations in flight live in a slab (arena) indexed by slot; an entry is freed at its fate, so memory follows
//! what is in flight, not the length of the run. This module and its children import no service: what they need of
//! one (a batch's per-record outcomes, where a fate goes, a live target) comes through [`Dispatch`].

mod concurrency;
mod decide;
mod fate;
mod handled;
mod retry;

use std::sync::Arc;

use serde_json::Value;

use super::{Ev, Sim};
use crate::aws::destinations::{Cause, Execution};
use crate::aws::payload::Payload;
use crate::kernel::rng::{splitmix, uniform};
use crate::kernel::time::SimTime;
use crate::model::versions::{AsyncSettings, Qualifier};
use crate::model::{FnId, Model, TargetId, INIT_LIMIT, SYNC_PAYLOAD_LIMIT};
use crate::trace::{Ctx, Observer, Origin, TraceEvent};
use crate::vocab::{CallOutcome as CallOutcomeSpec, ConcurrencyFullMode, FaultKind};
use crate::vocab::{Fate, InvokeMode, Outcome, RecordKind, ThrottleReason};
pub(super) use concurrency::{Admission, FnState};
pub(super) use handled::{Handled, HandlerHook};

/// Who invoked, and so who is told of the invocation's fate (spec 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Caller {
    /// An async invoke (`InvocationType: Event`): from a workload source, a duplicate delivery, a destination or a
    /// fan-out. Nobody waits; its records go to its destinations.
    Async,
    /// Attempt of a workload source's synchronous caller (request `calls[_]`).
    Call(u32),
    /// An event source mapping's batch (`RequestResponse`).
    Esm(u32),
    /// A Firehose transformation batch (`RequestResponse`).
    Firehose(u32),
}

impl Caller {
    /// A `RequestResponse` invoke: no retries, no destinations.
    #[inline]
    pub(super) fn is_sync(self) -> bool {
        self != Caller::Async
    }
}

/// An invocation with its fate, handed back to whoever invoked it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Done {
    pub(super) caller: Caller,
    pub(super) event: u64,
    pub(super) fate: Fate,
    /// The configuration (version) whose settings applied.
    pub(super) config: u32,
    /// Why it was refused, if it was.
    pub(super) refused: Option<ThrottleReason>,
}

/// A destination or DLQ record for a live target (a queue a mapping reads, a topic or a bus).
pub(super) struct Deliver<'a> {
    pub(super) target: TargetId,
    pub(super) kind: RecordKind,
    pub(super) record: &'a Value,
    pub(super) function: FnId,
    pub(super) event: u64,
    pub(super) hops: u32,
    /// The event's key (each delivery derives its own).
    pub(super) key: u64,
}

/// How an attempt ends: outcome, its cause, the response size, the rule that decided it.
pub(super) type Decision = (Outcome, Cause, u32, Option<usize>);

/// What the Lambda core asks of whoever invoked it; the dispatcher answers by matching on the caller.
pub(super) trait Dispatch<'m> {
    /// A batch's outcome, its records decided as the handler's loop would by the service that built it; `None` for a
    /// caller without records.
    fn decide_batch(&mut self, caller: Caller, rules: &'m [crate::model::Rule], f: FnId, config: u32, salt: u64) -> Option<Decision>;
    /// Records in the caller's batch (`None` for a caller without records).
    fn batch_records(&self, caller: Caller) -> Option<u64>;
    /// A synchronous invocation has its fate.
    fn done(&mut self, done: Done);
    /// Whether the target is live (its service runs in this simulation): it then gets `deliver_record`.
    fn live_target(&self, target: TargetId) -> bool;
    /// A record delivered to a live target.
    fn deliver_record(&mut self, d: Deliver<'_>);
    /// A handler answered a batch's invocation: the batch's response as its service reads it (`None`: an error, or
    /// bytes that are not JSON).
    fn handled_batch_response(&mut self, caller: Caller, response: Option<&Value>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Running,
    Waiting { gen: u32 },
    Sleeping,
}

/// An accepted async event while it is in flight.
pub(super) struct Inv {
    pub(in crate::sim) id: u64,
    pub(in crate::sim) rid: u64,
    pub(in crate::sim) function: FnId,
    /// The version or alias invoked.
    pub(in crate::sim) qual: Qualifier,
    /// The configuration of the last attempt (meaningful once `attempts` > 0).
    pub(in crate::sim) cfg: u32,
    pub(in crate::sim) payload: Payload,
    pub(in crate::sim) size: u32,
    pub(in crate::sim) accepted: SimTime,
    pub(in crate::sim) attempts: u32,
    pub(in crate::sim) throttles: u32,
    pub(in crate::sim) hops: u32,
    /// Identity of the event for its own random draws (rules and faults with a probability): derived from its source
    /// and its index there, so removing or adding other events does not change this event's draws.
    pub(in crate::sim) key: u64,
    /// Who invoked, and so who learns the fate: nobody for an async invoke (its records go to the destinations), the
    /// synchronous caller or the service whose batch it carries for a `RequestResponse` invoke (no retries, no
    /// destinations).
    pub(in crate::sim) caller: Caller,
    /// Why the invocation was refused, if it was.
    pub(in crate::sim) refused: Option<ThrottleReason>,
    pub(in crate::sim) state: State,
    /// The running attempt's result, applied when it ends, with its response size.
    pub(in crate::sim) pending: Option<(LastResult, u32)>,
    /// When the running attempt started, and its init phase.
    pub(in crate::sim) attempt_start: SimTime,
    pub(in crate::sim) attempt_init: SimTime,
    /// The last finished attempt (for records).
    pub(in crate::sim) last: Option<LastResult>,
    pub(in crate::sim) response_size: u32,
    /// What real code answered for the latest attempt (functions a handler serves only).
    pub(in crate::sim) handled: Option<Box<Handled>>,
}

/// The last execution of an event, as records report it. Plain data: the texts stay in the model.
#[derive(Debug, Clone, Copy)]
pub(super) struct LastResult {
    pub(super) outcome: Outcome,
    pub(super) cause: Cause,
    pub(super) function: FnId,
    /// The configuration (version) that ran: its rules hold the error texts and the response.
    pub(super) config: u32,
    pub(super) ended: SimTime,
    pub(super) timeout: SimTime,
}

/// A response of `null`.
static NULL: Value = Value::Null;

impl LastResult {
    /// The execution with its error texts and its response, as the model has them (spec 1, 3.2), or as the handler
    /// answered (`handled`, spec 11).
    pub(super) fn execution<'m>(&self, model: &'m Model, handled: Option<&'m Handled>) -> Execution<'m> {
        let f = model.function(self.function);
        if let (Cause::Handler, Some(h)) = (self.cause, handled) {
            return Execution {
                outcome: self.outcome,
                error_type: &h.error.error_type,
                error_message: &h.error.error_message,
                stack_trace: &h.error.stack_trace,
                format: f.error_format,
                response: &h.response,
                ended: self.ended,
                timeout: self.timeout,
            };
        }
        let rule = |i: u32| f.config(self.config).rules.get(i as usize);
        let stack_trace: &[String] = match self.cause {
            Cause::Rule(i) => rule(i).map_or(&[], |r| &r.stack_trace),
            Cause::Fault(i) => f.faults.get(i as usize).map_or(&[], |x| &x.stack_trace),
            _ => &[],
        };
        let (error_type, error_message) = match self.cause {
            Cause::Rule(i) => rule(i).map(|r| (&*r.error_type, &*r.error_message)).unwrap_or(("", "")),
            Cause::Fault(i) => f.faults.get(i as usize).map(|x| (&*x.error_type, &*x.error_message)).unwrap_or(("", "")),
            Cause::ResponseTooLarge => {
                ("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
            }
            Cause::Default | Cause::Handler => match self.outcome {
                Outcome::Crash => ("Runtime.ExitError", "Runtime exited with error: signal: killed"),
                _ => ("Error", "Unhandled error"),
            },
        };
        let response = match self.cause {
            Cause::Rule(i) => rule(i).map_or(&NULL, |r| &*r.response),
            _ => &NULL,
        };
        Execution {
            outcome: self.outcome,
            error_type,
            error_message,
            stack_trace,
            format: f.error_format,
            response,
            ended: self.ended,
            timeout: self.timeout,
        }
    }
}

/// Purpose of the per-event draw that routes an alias's invocations.
const ROUTING_PURPOSE: u64 = 0xa11a5;

impl<'m, O: Observer> Sim<'m, O> {
    pub(super) fn inv(&self, slot: u32) -> Option<&Inv> {
        self.invs.get(slot as usize).and_then(|x| x.as_ref())
    }

    pub(super) fn inv_mut(&mut self, slot: u32) -> &mut Inv {
        self.invs[slot as usize].as_mut().expect("live slot")
    }

    /// Invoke with `InvocationType: Event`: 202 and into the queue, or 413 (spec section 2).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn accept(
        &mut self,
        function: FnId,
        qual: Qualifier,
        payload: Payload,
        size: usize,
        origin: Origin,
        hops: u32,
        rid: Option<u64>,
        key: u64,
    ) -> Option<u32> {
        let model = self.model;
        if size > model.settings.async_payload_limit {
            self.rejected += 1;
            self.emit(TraceEvent::Rejected { function, origin, size: size as u32, status: 413, mode: InvokeMode::Async });
            return None;
        }
        // Through an alias whose EventInvokeConfig changed on the timeline: its copy with the settings now in force.
        let qual = self.fns[function.ix()].setup.accepted_as(qual);
        let slot = self.new_inv(function, qual, payload, size, hops, rid, Caller::Async, key);
        let (id, rid) = {
            let inv = self.inv_mut(slot);
            (inv.id, inv.rid)
        };
        let ev = TraceEvent::Accepted { event: id, rid, function, origin, size: size as u32, mode: InvokeMode::Async, qualifier: qual };
        self.emit_accepted(slot, ev);

        // At-least-once: the queue may hand the same event over twice (spec section 2).
        let p = model.settings.duplicate_probability;
        let dup = p > 0.0 && !matches!(origin, Origin::Duplicate { .. }) && self.draw(function, key, 0xd0_0b1e) < p;
        // Taken now: the original may end (and its slot be reused) before the duplicate is made.
        let dup_payload = dup.then(|| self.inv_mut(slot).payload.clone());

        // The loop check comes first: a chain of destinations between functions with reserved concurrency 0 runs no
        // code, yet loops (and each record nests the last); recursive-loop detection stops it like any other chain.
        // A function with `RecursiveLoop: Allow` is not stopped (spec 2; the run budget ends a runaway loop).
        let allowed = model.settings.recursion_allowed.get(function.ix()).copied().unwrap_or(false);
        if hops >= model.settings.recursion_limit && !allowed {
            self.finish(slot, Fate::RecursionStopped);
        } else if self.fns[function.ix()].setup.reserved == Some(0) {
            self.finish(slot, Fate::ZeroReservedConcurrency);
        } else {
            self.try_start(slot);
        }
        if let Some(payload) = dup_payload {
            self.accept(function, qual, payload, size, Origin::Duplicate { of: id }, hops, Some(rid), splitmix(key ^ 0xd0_0b1e));
        }
        Some(slot)
    }

    /// `InvocationType: RequestResponse` (spec section 1): run now on a free environment, or answer 429 (500 for a
    /// service error); 413 over 6 MB. Lambda never retries and never sends a sync result to a destination.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn invoke_sync(
        &mut self,
        function: FnId,
        qual: Qualifier,
        payload: Payload,
        size: usize,
        origin: Origin,
        key: u64,
        caller: Caller,
    ) {
        if size > SYNC_PAYLOAD_LIMIT {
            self.rejected += 1;
            self.emit(TraceEvent::Rejected { function, origin, size: size as u32, status: 413, mode: InvokeMode::Sync });
            if let Caller::Call(c) = caller {
                self.call_attempt_done(c, CallOutcomeSpec::TooLarge);
            }
            return;
        }
        let slot = self.new_inv(function, qual, payload, size, 0, None, caller, key);
        let id = self.inv_mut(slot).id;
        if let Caller::Call(c) = caller {
            self.calls[c as usize].as_mut().expect("live call").current = Some(id);
        }
        let (id, rid) = {
            let inv = self.inv_mut(slot);
            (inv.id, inv.rid)
        };
        let ev = TraceEvent::Accepted { event: id, rid, function, origin, size: size as u32, mode: InvokeMode::Sync, qualifier: qual };
        self.emit_accepted(slot, ev);
        let now = self.k.now();
        let mut refused = if self.fns[function.ix()].setup.reserved == Some(0) { Some(ThrottleReason::ReservedConcurrency) } else { None };
        if refused.is_none() {
            refused = self.injected_throttle(function, now, key, 0);
        }
        let config = self.route(slot);
        let admitted = match refused {
            Some(r) => Err(r),
            None => self.admit(function, config),
        };
        match admitted {
            Ok(a) => self.start_attempt(slot, config, a),
            Err(reason) => {
                let n = {
                    let inv = self.inv_mut(slot);
                    inv.throttles += 1;
                    inv.throttles
                };
                self.emit(TraceEvent::Throttled { event: id, function, reason, throttles: n, retry_in: None });
                self.inv_mut(slot).refused = Some(reason);
                self.finish(slot, Fate::Throttled);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn new_inv(
        &mut self,
        function: FnId,
        qual: Qualifier,
        payload: Payload,
        size: usize,
        hops: u32,
        rid: Option<u64>,
        caller: Caller,
        key: u64,
    ) -> u32 {
        let id = self.next_event;
        self.next_event += 1;
        let inv = Inv {
            id,
            rid: rid.unwrap_or(id),
            function,
            qual,
            cfg: 0,
            payload,
            size: size as u32,
            accepted: self.k.now(),
            attempts: 0,
            throttles: 0,
            hops,
            key,
            caller,
            refused: None,
            state: State::Sleeping,
            pending: None,
            attempt_start: SimTime::ZERO,
            attempt_init: SimTime::ZERO,
            last: None,
            response_size: 0,
            handled: None,
        };
        self.in_flight += 1;
        self.peak_in_flight = self.peak_in_flight.max(self.in_flight);
        match self.free.pop() {
            Some(s) => {
                self.invs[s as usize] = Some(inv);
                s
            }
            None => {
                self.invs.push(Some(inv));
                (self.invs.len() - 1) as u32
            }
        }
    }

    /// The function's reserved concurrency is 0 now (on the timeline): it runs nothing (spec 6).
    pub(super) fn reserved_zero(&self, f: FnId) -> bool {
        self.fns[f.ix()].setup.reserved == Some(0)
    }

    /// An injected `Throttle` or `ServiceError` fault that applies now.
    #[inline]
    pub(super) fn injected_throttle(&mut self, f: FnId, now: SimTime, key: u64, tries: u32) -> Option<ThrottleReason> {
        // Most functions have no fault on the timeline: no call, no loop.
        if self.model.function(f).faults.is_empty() {
            return None;
        }
        self.injected_throttle_draw(f, now, key, tries)
    }

    #[inline(never)]
    fn injected_throttle_draw(&mut self, f: FnId, now: SimTime, key: u64, tries: u32) -> Option<ThrottleReason> {
        let fd = self.model.function(f);
        for (i, fault) in fd.faults.iter().enumerate() {
            if matches!(fault.kind, FaultKind::Throttle | FaultKind::ServiceError)
                && fault.active(now)
                && (fault.probability >= 1.0
                    || self.draw(f, key, 0x7417 + (i as u64) * 0x1_0000 + u64::from(tries) * 0x100_0000) < fault.probability)
            {
                return Some(if fault.kind == FaultKind::Throttle {
                    ThrottleReason::InjectedThrottle
                } else {
                    ThrottleReason::ServiceError
                });
            }
        }
        None
    }

    #[inline]
    pub(super) fn draw(&self, f: FnId, key: u64, purpose: u64) -> f64 {
        uniform(self.seed, self.fns[f.ix()].draw_salt, key, purpose)
    }

    /// The configuration the event runs if an attempt starts now: `$LATEST` as deployed now, the version, or what the
    /// alias routes it to (one draw per event, spec 3.2).
    pub(super) fn route(&self, slot: u32) -> u32 {
        let inv = self.inv(slot).expect("live slot");
        let fs = &self.fns[inv.function.ix()];
        match inv.qual {
            Qualifier::Latest => fs.setup.latest,
            q => fs.setup.resolve(q, uniform(self.seed, fs.draw_salt, inv.key, ROUTING_PURPOSE)),
        }
    }

    /// The asynchronous invoke settings that apply to the event now: those of the alias it was invoked through, or
    /// of its last execution's configuration, or of the one it would run (spec section 2).
    pub(super) fn event_async(&self, slot: u32) -> AsyncSettings {
        let inv = self.inv(slot).expect("live slot");
        let c = if inv.attempts > 0 { inv.cfg } else { self.route(slot) };
        self.model.function(inv.function).async_settings(c, inv.qual)
    }

    /// The event is due to run (new, retry or back-off over).
    pub(super) fn try_start(&mut self, slot: u32) {
        let model = self.model;
        let now = self.k.now();
        let (f, accepted, key, tries, qual) = {
            let inv = self.inv_mut(slot);
            (inv.function, inv.accepted, inv.key, inv.throttles, inv.qual)
        };
        let config = self.route(slot);
        let max_age = model.function(f).async_settings(config, qual).max_age;
        if now > accepted + max_age {
            self.finish(slot, Fate::EventAgeExceeded);
            return;
        }
        if self.fns[f.ix()].setup.reserved == Some(0) {
            // Reserved concurrency set to 0 on the timeline: queued events go to the failure targets (spec 2, 6).
            self.finish(slot, Fate::ZeroReservedConcurrency);
            return;
        }
        if let Some(reason) = self.injected_throttle(f, now, key, tries) {
            self.throttle(slot, reason);
            return;
        }
        match self.admit(f, config) {
            Ok(a) => self.start_attempt(slot, config, a),
            Err(reason) => match model.settings.concurrency_full {
                ConcurrencyFullMode::Backoff => self.throttle(slot, reason),
                ConcurrencyFullMode::Queue => {
                    let gen = self.next_gen;
                    self.next_gen = self.next_gen.wrapping_add(1);
                    let inv = self.inv_mut(slot);
                    inv.state = State::Waiting { gen };
                    let id = inv.id;
                    self.fns[f.ix()].waiting.push_back((slot, gen));
                    self.k.schedule_at(accepted + max_age + SimTime::from_micros(1), Ev::Expire { slot, gen });
                    self.emit(TraceEvent::Queued { event: id, function: f });
                }
            },
        }
    }

    /// Emits an `Accepted` event; observers that asked for documents also see the payload the function receives.
    #[inline]
    fn emit_accepted(&mut self, slot: u32, ev: TraceEvent) {
        if self.needs_content {
            let payload = Arc::clone(&self.inv_mut(slot).payload.value);
            let ctx = Ctx { model: self.model, seed: self.seed, content: Some(&payload) };
            self.obs.on_event(self.k.now(), &ev, &ctx);
        } else {
            self.emit(ev);
        }
    }

    pub(super) fn start_attempt(&mut self, slot: u32, config: u32, admission: Admission) {
        let model = self.model;
        let now = self.k.now();
        let f = self.inv_mut(slot).function;
        let cfg = model.function(f).config(config);
        let (env, cold, new_env) = self.take_env(f, config, admission);
        let inv = self.inv_mut(slot);
        inv.attempts += 1;
        inv.state = State::Running;
        inv.cfg = config;
        let (attempt, caller) = (inv.attempts, inv.caller);
        // Init for a cold environment, capped at 10 s on demand (re-run inside the invoke phase if it ran over, spec
        // section 6). Drawn before the outcome: its stream serves nothing else.
        let init = if cold { cfg.init.sample(&mut self.fns[f.ix()].rng_init) } else { SimTime::ZERO };
        let init_phase = init.min(INIT_LIMIT);
        let served = self.served(f);
        let ((mut outcome, mut cause, response_size, rule), reply) = if served {
            self.decide_handled(slot, config, (env, cold, admission.pc_env.is_some()), now + init_phase)
        } else {
            (self.decide(slot, config), None)
        };
        if outcome == Outcome::Success && u64::from(response_size) > self.response_limit(caller) {
            // An oversized response surfaces as a function error (spec 1, 10.10).
            outcome = Outcome::Error;
            cause = Cause::ResponseTooLarge;
        }
        // A batch takes longer with more records (`Behavior.DurationPerRecord`).
        let records = if cfg.per_record.is_some() && outcome != Outcome::Timeout { self.batch_records(caller) } else { None };

        // Durations: the init drawn above, then the handler, cut at the function timeout.
        let fs = &mut self.fns[f.ix()];
        let dist = rule.and_then(|ri| cfg.rules[ri].duration.as_ref()).unwrap_or(&cfg.duration);
        let mut handler = if outcome == Outcome::Timeout { cfg.timeout } else { dist.sample(&mut fs.rng_duration) };
        if let (Some(per), Some(n)) = (&cfg.per_record, records) {
            handler += SimTime::from_micros(per.sample(&mut fs.rng_duration).as_micros().saturating_mul(n));
        }
        if served && outcome != Outcome::Timeout {
            // `HandlerDuration: Measured`: the wall time the handler took, scaled (not reproducible).
            if let Some(d) = self.measured_duration() {
                handler = d;
            }
        }
        if self.perturb == Some(self.duration_draws) {
            handler += SimTime::from_micros(1);
        }
        self.duration_draws += 1;
        let (init_phase, mut run) = if init > INIT_LIMIT { (INIT_LIMIT, init + handler) } else { (init, handler) };
        if run >= cfg.timeout {
            run = cfg.timeout;
            outcome = Outcome::Timeout;
        }
        let last = LastResult { outcome, cause, function: f, config, ended: now + init_phase + run, timeout: cfg.timeout };
        let inv = self.inv_mut(slot);
        let (id, rid) = (inv.id, inv.rid);
        inv.pending = Some((last, response_size));
        inv.attempt_start = now;
        inv.attempt_init = init_phase;
        self.k.schedule_at(now + init_phase + run, Ev::AttemptEnd { slot, env });
        self.emit(TraceEvent::AttemptStart {
            event: id,
            rid,
            function: f,
            attempt,
            env,
            cold,
            new_env,
            init: init_phase,
            config,
            provisioned: admission.pc_env.is_some(),
            spillover: admission.spillover,
        });
        if let Some((kind, body)) = reply {
            self.emit(TraceEvent::HandlerReply { event: id, rid, function: f, attempt, env, kind, body });
        }
    }

    pub(super) fn on_attempt_end(&mut self, slot: u32, env: u32) {
        let model = self.model;
        let now = self.k.now();
        let inv = self.invs[slot as usize].as_mut().expect("running slot");
        let f = inv.function;
        let fd = model.function(f);
        let (last, response_size) = inv.pending.take().expect("pending result");
        let outcome = last.outcome;
        let attempt = inv.attempts;
        let (id, rid, sync) = (inv.id, inv.rid, inv.caller.is_sync());
        let max_retries = fd.async_settings(last.config, inv.qual).max_retries;
        let started_at = (inv.attempt_start, inv.attempt_init);
        inv.last = Some(last);
        inv.response_size = response_size;
        inv.state = State::Sleeping;
        // An init error ends the environment as a crash does (spec 11), though the attempt is a function error.
        let init_failed = last.cause == Cause::Handler && inv.handled.as_ref().is_some_and(|h| h.reset_env);

        let shutdown = self.release_env(f, env, if init_failed { Outcome::Crash } else { outcome });
        if (shutdown.is_some() || init_failed || matches!(outcome, Outcome::Timeout | Outcome::Crash)) && self.served(f) {
            // The environment ended (shut down, or reset by a timeout, crash or init error): its next use is fresh.
            self.handler_env_ended(f, env);
        }
        let (duration, billed_ms, init_billed_ms) = {
            let total = now - started_at.0;
            let init = started_at.1;
            let run = total - init;
            (run, run.ceil_millis(), init.ceil_millis())
        };
        self.emit(TraceEvent::AttemptEnd { event: id, rid, function: f, attempt, env, outcome, duration, billed_ms, init_billed_ms });
        if let Some(reason) = shutdown {
            self.emit(TraceEvent::EnvironmentShutdown { function: f, env, reason });
        }

        if outcome == Outcome::Success {
            self.finish(slot, Fate::Succeeded);
        } else if sync {
            // 200 with X-Amz-Function-Error: Unhandled; the caller decides what to do (spec section 1).
            self.finish(slot, Fate::FunctionError);
        } else if attempt > max_retries {
            self.finish(slot, Fate::RetriesExhausted);
        } else {
            self.retry_later(slot, f, attempt, started_at.0);
        }
        self.pull_waiting(f);
    }
}
