//! The simulation loop: the async invocation path (spec sections 2 to 4) on the kernel.
//!
//! Data flows one way: the validated [`Model`] drives the loop, the loop emits [`TraceEvent`]s, observers consume
//! them. Kernel events are a plain `enum` dispatched by `match`. Invocations in flight live in a slab (arena) indexed
//! by slot; an entry is freed at its fate, so memory follows what is in flight, not the length of the run.
//!
//! Modelled here, each with its spec section:
//! - accept (202) into the async queue; 413 for a payload over the async limit (spec 2, 10.10);
//! - execution environments: warm reuse, cold start with init, init capped at 10 s, reset after a timeout or crash
//!   (spec 1, 6);
//! - concurrency: reserved concurrency as cap and guarantee, the account's unreserved pool (spec 6);
//! - function-error retries after ~1 and ~2 minutes, same request id, `MaximumRetryAttempts` (spec 2);
//! - throttle and service-error back-off from 1 s to 5 min, free of the retry budget (spec 2);
//! - `MaximumEventAgeInSeconds` with the look-ahead that gives up early (spec 2);
//! - reserved concurrency 0: straight to the failure targets (spec 2);
//! - on-success / on-failure destinations and the DLQ, FIFO and size failures (spec 3, 4);
//! - duplicate delivery (at-least-once) and recursive-loop detection (spec 2).

mod esm;

use std::collections::VecDeque;
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use serde_json::Value;

use crate::destinations::{self, Cause, LastResult, RecordInput};
use crate::kernel::Kernel;
use crate::model::{
    Arrivals, FnId, Model, TargetId, TargetKind, INIT_LIMIT, RESPONSE_LIMIT, SNS_MESSAGE_LIMIT, SQS_MESSAGE_LIMIT, SYNC_PAYLOAD_LIMIT,
};
use crate::rng;
use crate::scenario::{CallOutcomeSpec, ConcurrencyFullMode, FaultKind, JitterSpec, OutcomeKind, RetryDelayFrom};
use crate::time::SimTime;
use crate::trace::{
    Ctx, DeliveryFailure, Fate, InvokeMode, Observer, Origin, Outcome, RecordKind, ShutdownReason, ThrottleReason, TraceEvent,
};

/// Kernel events.
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// The next arrival of a workload source is due.
    Arrival { source: u32 },
    /// An execution finishes.
    AttemptEnd { slot: u32, env: u32 },
    /// A retry (function error) or back-off (throttle) is over: try to run again.
    Retry { slot: u32 },
    /// A queued event reaches its maximum age (`AsyncConcurrencyFull: Queue`).
    Expire { slot: u32, gen: u32 },
    /// A synchronous caller retries after its back-off.
    CallRetry { call: u32 },
    /// A synchronous caller stops waiting for attempt `attempt` of its call.
    CallTimeout { call: u32, attempt: u32 },
    /// An idle environment reaches its idle lifetime (if it is still idle since then: same `gen`).
    EnvIdle { function: u32, env: u32, gen: u32 },
    /// Queues, streams and event source mappings (src/sim/esm.rs).
    Esm(esm::EsmEv),
}

/// One execution environment (spec section 6, LIFECYCLE).
#[derive(Debug, Clone, Copy)]
struct Env {
    /// Initialised; false when new or after a reset (timeout, crash).
    warm: bool,
    alive: bool,
    created: SimTime,
    /// Bumped whenever the environment is taken or released, so a stale idle timer is recognised.
    gen: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Waiting { gen: u32 },
    Sleeping,
}

/// An accepted async event while it is in flight.
struct Inv {
    id: u64,
    rid: u64,
    function: FnId,
    payload: Arc<Value>,
    size: u32,
    accepted: SimTime,
    attempts: u32,
    throttles: u32,
    hops: u32,
    /// Identity of the event for its own random draws (rules and faults with a probability): derived from its source
    /// and its index there, so removing or adding other events does not change this event's draws.
    key: u64,
    /// `RequestResponse`: no retries, no destinations.
    sync: bool,
    /// The synchronous caller's request this invocation serves.
    call: Option<u32>,
    /// The event source mapping batch this invocation carries.
    batch: Option<u32>,
    /// Why the invocation was refused, if it was.
    refused: Option<ThrottleReason>,
    state: State,
    /// The running attempt's result, applied when it ends, with its response size.
    pending: Option<(LastResult, u32)>,
    /// When the running attempt started, and its init phase.
    attempt_start: SimTime,
    attempt_init: SimTime,
    /// The last finished attempt (for records).
    last: Option<LastResult>,
    response_size: u32,
}

struct FnState {
    busy: u32,
    /// Environments by id; ids of shut-down environments are reused.
    envs: Vec<Env>,
    /// Idle environments, most recently used last (reused first).
    idle: Vec<u32>,
    free_envs: Vec<u32>,
    /// Creation times of this function's environments in the last 10 s (per-function scaling model).
    created_window: VecDeque<SimTime>,
    rng_env: ChaCha8Rng,
    waiting: VecDeque<(u32, u32)>,
    rng_duration: ChaCha8Rng,
    rng_init: ChaCha8Rng,
    /// Salt of the per-event draws of this function (rules and faults with a probability).
    draw_salt: u64,
    rng_retry: ChaCha8Rng,
}

/// A synchronous caller's request, across its retries.
struct Call {
    id: u64,
    source: u32,
    function: FnId,
    key: u64,
    payload: Arc<Value>,
    size: usize,
    started: SimTime,
    attempts: u32,
    /// The invocation the caller is waiting for.
    current: Option<u64>,
}

struct SourceState {
    n: u64,
    rng: ChaCha8Rng,
    /// Salt of the keys of this source's events.
    key_salt: u64,
    /// Time of the previous arrival and how many arrived at that instant (for event keys).
    last_t: SimTime,
    same_t: u64,
}

/// A uniform draw in [0, 1) for one event (`key`) and one purpose, independent of every other event's draws.
#[inline]
fn uniform(seed: u64, salt: u64, key: u64, purpose: u64) -> f64 {
    let z = mix(seed ^ mix(salt ^ mix(key ^ mix(purpose))));
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What a finished run reports beside its trace.
#[derive(Debug, Clone)]
pub struct RunStats {
    pub seed: u64,
    pub end_time: SimTime,
    pub kernel_events: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub peak_in_flight: usize,
}

/// One run of a model under one seed.
pub struct Sim<'m, O: Observer> {
    model: &'m Model,
    seed: u64,
    k: Kernel<Ev>,
    invs: Vec<Option<Inv>>,
    free: Vec<u32>,
    fns: Vec<FnState>,
    unreserved_busy: u32,
    sources: Vec<SourceState>,
    next_event: u64,
    next_gen: u32,
    in_flight: usize,
    peak_in_flight: usize,
    rejected: u64,
    needs_content: bool,
    response_sizes: Vec<Vec<u32>>,
    /// Time of the last event that changed anything (stale expiry timers do not count).
    last_activity: SimTime,
    calls: Vec<Option<Call>>,
    free_calls: Vec<u32>,
    next_call: u64,
    /// Account-wide scaling bucket (`ScalingModel: AccountBurst`).
    account_tokens: f64,
    account_tokens_at: SimTime,
    /// Test-only: the handler-duration draw with this index is lengthened by 1 us (see `RunOptions`).
    perturb: Option<u64>,
    duration_draws: u64,
    /// Queues, streams and mappings.
    esm: esm::EsmRt,
    obs: O,
}

const RECORD_OVERHEAD: usize = 600;
/// The window of the per-function scaling rate (spec section 6: 1,000 new environments per 10 s).
const SCALING_WINDOW: SimTime = SimTime::from_secs(10);

impl<'m, O: Observer> Sim<'m, O> {
    pub fn new(model: &'m Model, seed: u64, obs: O) -> Self {
        let fns = model
            .functions
            .iter()
            .map(|f| {
                let c = format!("function:{}", f.name);
                FnState {
                    busy: 0,
                    envs: vec![],
                    idle: vec![],
                    free_envs: vec![],
                    created_window: VecDeque::new(),
                    rng_env: rng::stream(seed, &c, "environments"),
                    waiting: VecDeque::new(),
                    rng_duration: rng::stream(seed, &c, "duration"),
                    rng_init: rng::stream(seed, &c, "init"),
                    draw_salt: rng::stream_id(&c, "event-draws"),
                    rng_retry: rng::stream(seed, &c, "retry-delay"),
                }
            })
            .collect();
        let sources = model
            .sources
            .iter()
            .map(|s| {
                let c = format!("workload:{}", s.name);
                SourceState {
                    n: 0,
                    rng: rng::stream(seed, &c, "arrivals"),
                    key_salt: rng::stream_id(&c, "event-key"),
                    last_t: SimTime::MAX,
                    same_t: 0,
                }
            })
            .collect();
        let response_sizes =
            model.functions.iter().map(|f| f.rules.iter().map(|r| r.response_size.min(u64::from(u32::MAX)) as u32).collect()).collect();
        let needs_content = obs.wants_content();
        let mut sim = Sim {
            model,
            seed,
            k: Kernel::new(),
            invs: vec![],
            free: vec![],
            fns,
            unreserved_busy: 0,
            sources,
            next_event: 0,
            next_gen: 0,
            in_flight: 0,
            peak_in_flight: 0,
            rejected: 0,
            needs_content,
            response_sizes,
            last_activity: SimTime::ZERO,
            calls: vec![],
            free_calls: vec![],
            next_call: 0,
            account_tokens: model.settings.scaling.burst,
            account_tokens_at: SimTime::ZERO,
            perturb: None,
            duration_draws: 0,
            esm: esm::EsmRt::new(model, seed),
            obs,
        };
        for (i, s) in model.sources.iter().enumerate() {
            let first = match &s.arrivals {
                Arrivals::At(ts) => ts.first().copied(),
                Arrivals::Poisson { rate_per_s, start, end } => {
                    let t = *start + sim.exp_gap(i, *rate_per_s);
                    (t < *end).then_some(t)
                }
                Arrivals::Every { start, end, .. } => (*start < *end).then_some(*start),
                Arrivals::Burst { at, .. } => Some(*at),
            };
            if let Some(t) = first {
                sim.k.schedule_at(t, Ev::Arrival { source: i as u32 });
            }
        }
        sim.esm_start();
        sim
    }

    /// Test-only: lengthen the `n`-th handler-duration draw by 1 us, to prove that determinism checks catch a change.
    pub fn perturb_for_testing(mut self, n: Option<u64>) -> Self {
        self.perturb = n;
        self
    }

    fn exp_gap(&mut self, source: usize, rate_per_s: f64) -> SimTime {
        let x: f64 = Exp1.sample(&mut self.sources[source].rng);
        SimTime::from_micros((x * 1e6 / rate_per_s).round() as u64)
    }

    /// Run to the end (idle, or the horizon) and hand back the observer.
    pub fn run(mut self) -> (O, RunStats) {
        let horizon = self.model.settings.horizon;
        loop {
            match (self.k.peek_time(), horizon) {
                (None, _) => break,
                (Some(t), Some(h)) if t > h => {
                    self.k.advance_to(h);
                    break;
                }
                _ => {}
            }
            let Some(ev) = self.k.pop() else { break };
            if !matches!(ev, Ev::Expire { .. } | Ev::EnvIdle { .. } | Ev::Esm(_)) {
                self.last_activity = self.k.now();
            }
            match ev {
                Ev::Arrival { source } => self.on_arrival(source as usize),
                Ev::AttemptEnd { slot, env } => self.on_attempt_end(slot, env),
                Ev::Retry { slot } => self.try_start(slot),
                Ev::Expire { slot, gen } => {
                    if matches!(self.inv(slot).map(|i| i.state), Some(State::Waiting { gen: g }) if g == gen) {
                        self.last_activity = self.k.now();
                        self.finish(slot, Fate::EventAgeExceeded);
                    }
                }
                Ev::EnvIdle { function, env, gen } => self.on_env_idle(FnId(function), env, gen),
                Ev::Esm(e) => self.on_esm(e),
                Ev::CallRetry { call } => self.call_attempt(call),
                Ev::CallTimeout { call, attempt } => {
                    if self.calls.get(call as usize).and_then(|c| c.as_ref()).is_some_and(|c| c.attempts == attempt && c.current.is_some())
                    {
                        // The caller gives up on this invocation; the function keeps running and is billed.
                        self.calls[call as usize].as_mut().expect("live call").current = None;
                        self.call_attempt_done(call, CallOutcomeSpec::TimedOut);
                    }
                }
            }
        }
        // The run ends with its last effective event, or at the horizon.
        let end = match horizon {
            Some(h) if self.k.now() >= h => h,
            _ => self.last_activity,
        };
        // A bounded run: whatever is still pending ends as InFlight, in accept order.
        let mut left: Vec<(u64, u32)> = self.invs.iter().enumerate().filter_map(|(s, i)| i.as_ref().map(|i| (i.id, s as u32))).collect();
        left.sort_unstable();
        for (_, slot) in left {
            self.finish(slot, Fate::InFlight);
        }
        self.esm_finish();
        let stats = RunStats {
            seed: self.seed,
            end_time: end,
            kernel_events: self.k.processed(),
            accepted: self.next_event,
            rejected: self.rejected,
            peak_in_flight: self.peak_in_flight,
        };
        (self.obs, stats)
    }

    #[inline]
    fn emit(&mut self, ev: TraceEvent) {
        let ctx = Ctx { model: self.model, seed: self.seed, content: None };
        self.obs.on_event(self.k.now(), &ev, &ctx);
    }

    fn inv(&self, slot: u32) -> Option<&Inv> {
        self.invs.get(slot as usize).and_then(|x| x.as_ref())
    }

    fn inv_mut(&mut self, slot: u32) -> &mut Inv {
        self.invs[slot as usize].as_mut().expect("live slot")
    }

    // ----- workload

    fn on_arrival(&mut self, si: usize) {
        let src = &self.model.sources[si];
        let now = self.k.now();
        match &src.arrivals {
            Arrivals::At(ts) => {
                self.arrive(si);
                let n = self.sources[si].n as usize;
                if let Some(t) = ts.get(n) {
                    self.k.schedule_at(*t, Ev::Arrival { source: si as u32 });
                }
            }
            Arrivals::Poisson { rate_per_s, end, .. } => {
                self.arrive(si);
                let t = now + self.exp_gap(si, *rate_per_s);
                if t < *end {
                    self.k.schedule_at(t, Ev::Arrival { source: si as u32 });
                }
            }
            Arrivals::Every { interval, start, end } => {
                self.arrive(si);
                let t = *start + SimTime::from_micros(interval.as_micros().saturating_mul(self.sources[si].n));
                if t < *end {
                    self.k.schedule_at(t, Ev::Arrival { source: si as u32 });
                }
            }
            Arrivals::Burst { at, count, spread } => {
                if *spread == SimTime::ZERO {
                    for _ in 0..*count {
                        self.arrive(si);
                    }
                } else {
                    self.arrive(si);
                    let n = self.sources[si].n;
                    if n < *count {
                        let off = (u128::from(spread.as_micros()) * u128::from(n) / u128::from(*count)) as u64;
                        self.k.schedule_at(*at + SimTime::from_micros(off), Ev::Arrival { source: si as u32 });
                    }
                }
            }
        }
    }

    fn arrive(&mut self, si: usize) {
        let src = &self.model.sources[si];
        let n = self.sources[si].n;
        self.sources[si].n += 1;
        let mut payload = src.template.instantiate(n, self.next_event);
        let mut size = src.template.size_of(&payload);
        if let Some((kind, options)) = &src.kind {
            // The service's own event shape around the payload (spec section 7, src/sources.rs).
            let now = self.k.now();
            let ctx = crate::sources::EventCtx {
                region: &self.model.region,
                account_id: &self.model.account_id,
                epoch_ms: self.model.settings.start_epoch_ms + (now.as_micros() / 1000) as i64,
                key: mix(self.sources[si].key_salt ^ mix(now.as_micros() ^ 0x5eed)),
                n,
                options,
                payload: &payload,
            };
            let ev = crate::sources::build_event(*kind, &ctx);
            size = destinations::json_size(&ev);
            payload = Arc::new(ev);
        }
        // The event's key: its source, its arrival instant and its rank at that instant. Removing other arrivals
        // (shrinking) or turning a generated source into explicit `At` times keeps every other event's key.
        let now = self.k.now();
        let st = &mut self.sources[si];
        if st.last_t == now {
            st.same_t += 1;
        } else {
            st.last_t = now;
            st.same_t = 0;
        }
        let key = mix(st.key_salt ^ mix(now.as_micros() ^ mix(st.same_t)));
        if src.sync {
            let id = self.next_call;
            self.next_call += 1;
            let call = Call { id, source: si as u32, function: src.function, key, payload, size, started: now, attempts: 0, current: None };
            let c = match self.free_calls.pop() {
                Some(c) => {
                    self.calls[c as usize] = Some(call);
                    c
                }
                None => {
                    self.calls.push(Some(call));
                    (self.calls.len() - 1) as u32
                }
            };
            self.call_attempt(c);
        } else {
            self.accept(src.function, payload, size, Origin::Workload(si as u32), 0, None, key);
        }
    }

    /// One attempt of a synchronous caller's request.
    fn call_attempt(&mut self, c: u32) {
        let (function, payload, size, source, key, attempt) = {
            let call = self.calls[c as usize].as_mut().expect("live call");
            call.attempts += 1;
            (call.function, Arc::clone(&call.payload), call.size, call.source, call.key, call.attempts)
        };
        let key = if attempt == 1 { key } else { mix(key ^ mix(0xca11 + u64::from(attempt))) };
        if let Some(t) = self.model.sources[source as usize].caller.timeout {
            self.k.schedule_in(t, Ev::CallTimeout { call: c, attempt });
        }
        self.invoke_sync(function, payload, size, Origin::Workload(source), key, Some(c), None);
    }

    /// An attempt of a call is over for the caller: retry it, or report what the caller got.
    fn call_attempt_done(&mut self, c: u32, outcome: CallOutcomeSpec) {
        let now = self.k.now();
        let (source, attempts, key) = {
            let call = self.calls[c as usize].as_mut().expect("live call");
            call.current = None;
            (call.source, call.attempts, call.key)
        };
        let caller = &self.model.sources[source as usize].caller;
        if caller.retry_on[outcome as usize] && attempts < caller.max_attempts {
            // Exponential back-off from the base delay, capped, with the caller's jitter (as the AWS SDKs do).
            let cap = caller.base_delay.as_micros().saturating_mul(1u64 << (attempts - 1).min(40)).min(caller.max_delay.as_micros()) as f64;
            let u = uniform(self.seed, 0xca11e4, key, u64::from(attempts));
            let d = match caller.jitter {
                JitterSpec::Full => cap * u,
                JitterSpec::Equal => cap / 2.0 + cap / 2.0 * u,
                JitterSpec::None => cap,
            };
            self.k.schedule_in(SimTime::from_micros(d as u64), Ev::CallRetry { call: c });
            return;
        }
        let call = self.calls[c as usize].take().expect("live call");
        self.free_calls.push(c);
        self.emit(TraceEvent::CallResult {
            call: call.id,
            source: call.source,
            function: call.function,
            outcome,
            attempts: call.attempts,
            latency: now - call.started,
        });
    }

    /// `InvocationType: RequestResponse` (spec section 1): run now on a free environment, or answer 429 (500 for a
    /// service error); 413 over 6 MB. Lambda never retries and never sends a sync result to a destination.
    #[allow(clippy::too_many_arguments)]
    fn invoke_sync(
        &mut self,
        function: FnId,
        payload: Arc<Value>,
        size: usize,
        origin: Origin,
        key: u64,
        call: Option<u32>,
        batch: Option<u32>,
    ) {
        let model = self.model;
        if size > SYNC_PAYLOAD_LIMIT {
            self.rejected += 1;
            self.emit(TraceEvent::Rejected { function, origin, size: size as u32, status: 413, mode: InvokeMode::Sync });
            if let Some(c) = call {
                self.call_attempt_done(c, CallOutcomeSpec::TooLarge);
            }
            return;
        }
        let slot = self.new_inv(function, payload, size, 0, None, true, key);
        let id = self.inv_mut(slot).id;
        self.inv_mut(slot).call = call;
        self.inv_mut(slot).batch = batch;
        if let Some(c) = call {
            self.calls[c as usize].as_mut().expect("live call").current = Some(id);
        }
        let (id, rid) = {
            let inv = self.inv_mut(slot);
            (inv.id, inv.rid)
        };
        let ev = TraceEvent::Accepted { event: id, rid, function, origin, size: size as u32, mode: InvokeMode::Sync };
        if self.needs_content {
            // Observers that asked for documents see the payload the function receives.
            let payload = Arc::clone(&self.inv_mut(slot).payload);
            let ctx = Ctx { model, seed: self.seed, content: Some(&payload) };
            self.obs.on_event(self.k.now(), &ev, &ctx);
        } else {
            self.emit(ev);
        }
        let now = self.k.now();
        let fd = model.function(function);
        let mut refused = if fd.reserved == Some(0) { Some(ThrottleReason::ReservedConcurrency) } else { None };
        if refused.is_none() {
            refused = self.injected_throttle(function, now, key, 0);
        }
        if refused.is_none() {
            refused = self.has_capacity(function).or_else(|| self.scaling_refusal(function));
        }
        match refused {
            None => self.start_attempt(slot),
            Some(reason) => {
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

    /// An injected `Throttle` or `ServiceError` fault that applies now.
    fn injected_throttle(&mut self, f: FnId, now: SimTime, key: u64, tries: u32) -> Option<ThrottleReason> {
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
    fn draw(&self, f: FnId, key: u64, purpose: u64) -> f64 {
        uniform(self.seed, self.fns[f.ix()].draw_salt, key, purpose)
    }

    #[allow(clippy::too_many_arguments)]
    fn new_inv(&mut self, function: FnId, payload: Arc<Value>, size: usize, hops: u32, rid: Option<u64>, sync: bool, key: u64) -> u32 {
        let id = self.next_event;
        self.next_event += 1;
        let inv = Inv {
            id,
            rid: rid.unwrap_or(id),
            function,
            payload,
            size: size as u32,
            accepted: self.k.now(),
            attempts: 0,
            throttles: 0,
            hops,
            key,
            sync,
            call: None,
            batch: None,
            refused: None,
            state: State::Sleeping,
            pending: None,
            attempt_start: SimTime::ZERO,
            attempt_init: SimTime::ZERO,
            last: None,
            response_size: 0,
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

    // ----- the async queue

    /// Invoke with `InvocationType: Event`: 202 and into the queue, or 413 (spec section 2).
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &mut self,
        function: FnId,
        payload: Arc<Value>,
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
        let slot = self.new_inv(function, payload, size, hops, rid, false, key);
        let (id, rid) = {
            let inv = self.inv_mut(slot);
            (inv.id, inv.rid)
        };
        let ev = TraceEvent::Accepted { event: id, rid, function, origin, size: size as u32, mode: InvokeMode::Async };
        if self.needs_content {
            let payload = Arc::clone(&self.inv_mut(slot).payload);
            let ctx = Ctx { model, seed: self.seed, content: Some(&payload) };
            self.obs.on_event(self.k.now(), &ev, &ctx);
        } else {
            self.emit(ev);
        }

        // At-least-once: the queue may hand the same event over twice (spec section 2).
        let p = model.settings.duplicate_probability;
        let dup = p > 0.0 && !matches!(origin, Origin::Duplicate { .. }) && self.draw(function, key, 0xd0_0b1e) < p;
        // Taken now: the original may end (and its slot be reused) before the duplicate is made.
        let dup_payload = dup.then(|| Arc::clone(&self.inv_mut(slot).payload));

        let f = model.function(function);
        if f.reserved == Some(0) {
            self.finish(slot, Fate::ZeroReservedConcurrency);
        } else if hops >= model.settings.recursion_limit {
            self.finish(slot, Fate::RecursionStopped);
        } else {
            self.try_start(slot);
        }
        if let Some(payload) = dup_payload {
            self.accept(function, payload, size, Origin::Duplicate { of: id }, hops, Some(rid), mix(key ^ 0xd0_0b1e));
        }
        Some(slot)
    }

    /// A new environment is needed and the scaling rate has none to give (spec section 6): 1,000 per 10 s per
    /// function, refilled continuously, or the older account-wide burst. Consumes a token when one is given.
    fn scaling_refusal(&mut self, f: FnId) -> Option<ThrottleReason> {
        if !self.fns[f.ix()].idle.is_empty() {
            return None;
        }
        let now = self.k.now();
        let sc = self.model.settings.scaling;
        if sc.per_function {
            // A sliding 10 s window: each environment created gives its capacity back 10 s later, so the rate refills
            // continuously and no 10 s window ever sees more than 1,000 new environments (spec 6, 10.6).
            let w = &mut self.fns[f.ix()].created_window;
            while w.front().is_some_and(|t| now - *t >= SCALING_WINDOW) {
                w.pop_front();
            }
            if (w.len() as f64) < sc.burst {
                w.push_back(now);
                None
            } else {
                Some(ThrottleReason::ScalingRate)
            }
        } else {
            // The older account-wide model: an initial burst, then +500 per minute.
            self.account_tokens = (self.account_tokens + (now - self.account_tokens_at).as_secs_f64() * sc.per_second).min(sc.burst);
            self.account_tokens_at = now;
            if self.account_tokens >= 1.0 {
                self.account_tokens -= 1.0;
                None
            } else {
                Some(ThrottleReason::ScalingRate)
            }
        }
    }

    /// An idle timer fired: shut the environment down if it has stayed idle (spec section 6).
    fn on_env_idle(&mut self, f: FnId, env: u32, gen: u32) {
        let fs = &mut self.fns[f.ix()];
        let Some(e) = fs.envs.get(env as usize).copied() else { return };
        if !e.alive || e.gen != gen {
            return;
        }
        let Some(pos) = fs.idle.iter().position(|x| *x == env) else { return };
        fs.idle.remove(pos);
        fs.envs[env as usize].alive = false;
        fs.free_envs.push(env);
        self.last_activity = self.k.now();
        self.emit(TraceEvent::EnvironmentShutdown { function: f, env, reason: ShutdownReason::Idle });
    }

    #[inline]
    fn has_capacity(&self, f: FnId) -> Option<ThrottleReason> {
        let fd = self.model.function(f);
        match fd.reserved {
            Some(r) => (self.fns[f.ix()].busy >= r).then_some(ThrottleReason::ReservedConcurrency),
            None => (self.unreserved_busy >= self.model.unreserved_pool).then_some(ThrottleReason::AccountConcurrency),
        }
    }

    /// The event is due to run (new, retry or back-off over).
    fn try_start(&mut self, slot: u32) {
        let model = self.model;
        let now = self.k.now();
        let (f, accepted, key, tries) = {
            let inv = self.inv_mut(slot);
            (inv.function, inv.accepted, inv.key, inv.throttles)
        };
        let fd = model.function(f);
        if now > accepted + fd.max_age {
            self.finish(slot, Fate::EventAgeExceeded);
            return;
        }
        if let Some(reason) = self.injected_throttle(f, now, key, tries) {
            self.throttle(slot, reason);
            return;
        }
        match self.has_capacity(f).or_else(|| self.scaling_refusal(f)) {
            None => self.start_attempt(slot),
            Some(reason) => match model.settings.concurrency_full {
                ConcurrencyFullMode::Backoff => self.throttle(slot, reason),
                ConcurrencyFullMode::Queue => {
                    let gen = self.next_gen;
                    self.next_gen = self.next_gen.wrapping_add(1);
                    let inv = self.inv_mut(slot);
                    inv.state = State::Waiting { gen };
                    let id = inv.id;
                    self.fns[f.ix()].waiting.push_back((slot, gen));
                    self.k.schedule_at(accepted + fd.max_age + SimTime::from_micros(1), Ev::Expire { slot, gen });
                    self.emit(TraceEvent::Queued { event: id, function: f });
                }
            },
        }
    }

    /// Throttle or service error: back off exponentially without using the retry budget (spec section 2).
    fn throttle(&mut self, slot: u32, reason: ThrottleReason) {
        let s = &self.model.settings;
        let now = self.k.now();
        let (f, id, accepted, n) = {
            let inv = self.inv_mut(slot);
            inv.throttles += 1;
            inv.state = State::Sleeping;
            (inv.function, inv.id, inv.accepted, inv.throttles)
        };
        let base = s.backoff_initial.as_micros() as f64 * s.backoff_multiplier.powi((n - 1).min(64) as i32);
        let mut delay = SimTime::from_micros(base.min(s.backoff_max.as_micros() as f64) as u64);
        if s.backoff_jitter > 0.0 {
            let u: f64 = self.fns[f.ix()].rng_retry.random();
            delay = SimTime::from_micros((delay.as_micros() as f64 * (1.0 - s.backoff_jitter * u)) as u64);
        }
        let max_age = self.model.function(f).max_age;
        if s.event_age_look_ahead && now + delay > accepted + max_age {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: None });
            self.finish(slot, Fate::EventAgeExceeded);
        } else {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: Some(delay) });
            self.k.schedule_in(delay, Ev::Retry { slot });
        }
    }

    fn start_attempt(&mut self, slot: u32) {
        let model = self.model;
        let now = self.k.now();
        let f = self.inv_mut(slot).function;
        let fd = model.function(f);
        let fi = f.ix();
        if fd.reserved.is_none() {
            self.unreserved_busy += 1;
        }
        let fs = &mut self.fns[fi];
        fs.busy += 1;
        let (env, cold, new_env) = match fs.idle.pop() {
            Some(e) => {
                let en = &mut fs.envs[e as usize];
                en.gen = en.gen.wrapping_add(1);
                (e, !en.warm, false)
            }
            None => {
                let fresh = Env { warm: false, alive: true, created: now, gen: 0 };
                let id = match fs.free_envs.pop() {
                    Some(id) => {
                        let g = fs.envs[id as usize].gen.wrapping_add(1);
                        fs.envs[id as usize] = Env { gen: g, ..fresh };
                        id
                    }
                    None => {
                        fs.envs.push(fresh);
                        (fs.envs.len() - 1) as u32
                    }
                };
                (id, true, true)
            }
        };
        let inv = self.invs[slot as usize].as_mut().expect("live slot");
        inv.attempts += 1;
        inv.state = State::Running;
        let attempt = inv.attempts;
        let (seed, salt, key) = (self.seed, fs.draw_salt, inv.key);
        let purpose = |kind: u64, i: usize| kind + ((i as u64) << 16) + (u64::from(attempt) << 32);

        // Decide how this execution ends: faults on the timeline first, then the ordered rules. Draws with a
        // probability belong to the event and the attempt, not to a shared sequence (see `Inv::key`).
        let mut decided: Option<(Outcome, Cause, u32, Option<usize>)> = None;
        for (fi_, fault) in fd.faults.iter().enumerate() {
            if matches!(fault.kind, FaultKind::Error | FaultKind::Timeout | FaultKind::Crash)
                && fault.active(now)
                && (fault.probability >= 1.0 || uniform(seed, salt, key, purpose(0xfa, fi_)) < fault.probability)
            {
                let o = match fault.kind {
                    FaultKind::Timeout => Outcome::Timeout,
                    FaultKind::Crash => Outcome::Crash,
                    _ => Outcome::Error,
                };
                decided = Some((o, Cause::Fault(fi_ as u32), 4, None));
                break;
            }
        }
        let batch = inv.batch;
        if decided.is_none() {
            if let Some(b) = batch {
                // A mapping's batch: each record decides as the handler's loop would (src/sim/esm.rs).
                decided = Some(esm::decide(&mut self.esm, model, b, seed, salt, &self.response_sizes[fi]));
            }
        }
        if decided.is_none() {
            for (ri, r) in fd.rules.iter().enumerate() {
                if attempt < r.attempt_min || attempt > r.attempt_max {
                    continue;
                }
                if let Some(p) = &r.pattern {
                    if !p.matches(&inv.payload) {
                        continue;
                    }
                }
                if let Some(pr) = r.probability {
                    if uniform(seed, salt, key, purpose(0x70, ri)) >= pr {
                        continue;
                    }
                }
                let o = match r.outcome {
                    OutcomeKind::Succeed => Outcome::Success,
                    OutcomeKind::Fail => Outcome::Error,
                    OutcomeKind::Timeout => Outcome::Timeout,
                    OutcomeKind::Crash => Outcome::Crash,
                };
                decided = Some((o, Cause::Rule(ri as u32), self.response_sizes[fi][ri], Some(ri)));
                break;
            }
        }
        let (mut outcome, mut cause, response_size, rule) = decided.unwrap_or((Outcome::Success, Cause::Default, 4, None));
        if outcome == Outcome::Success && u64::from(response_size) > RESPONSE_LIMIT {
            // An oversized response surfaces as a function error (spec 1, 10.10).
            outcome = Outcome::Error;
            cause = Cause::ResponseTooLarge;
        }

        // Durations: init for a cold environment (capped at 10 s on demand, re-run inside the invoke phase if it
        // ran over, spec section 6), then the handler, cut at the function timeout.
        let init = if cold { fd.init.sample(&mut fs.rng_init) } else { SimTime::ZERO };
        let dist = rule.and_then(|ri| fd.rules[ri].duration.as_ref()).unwrap_or(&fd.duration);
        let mut handler = if outcome == Outcome::Timeout { fd.timeout } else { dist.sample(&mut fs.rng_duration) };
        if let (Some(per), Some(b), false) = (&fd.per_record, batch, outcome == Outcome::Timeout) {
            // A batch takes longer with more records (`Behavior.DurationPerRecord`).
            let n = esm::batch_records(&self.esm, b);
            handler += SimTime::from_micros(per.sample(&mut fs.rng_duration).as_micros().saturating_mul(n));
        }
        if self.perturb == Some(self.duration_draws) {
            handler += SimTime::from_micros(1);
        }
        self.duration_draws += 1;
        let (init_phase, mut run) = if init > INIT_LIMIT { (INIT_LIMIT, init + handler) } else { (init, handler) };
        if run >= fd.timeout {
            run = fd.timeout;
            outcome = Outcome::Timeout;
        }
        let last = LastResult { outcome, cause, function: f, ended: now + init_phase + run, timeout: fd.timeout };
        let id = inv.id;
        let rid = inv.rid;
        inv.pending = Some((last, response_size));
        inv.attempt_start = now;
        inv.attempt_init = init_phase;
        self.k.schedule_at(now + init_phase + run, Ev::AttemptEnd { slot, env });
        self.emit(TraceEvent::AttemptStart { event: id, rid, function: f, attempt, env, cold, new_env, init: init_phase });
    }

    fn on_attempt_end(&mut self, slot: u32, env: u32) {
        let model = self.model;
        let now = self.k.now();
        let inv = self.invs[slot as usize].as_mut().expect("running slot");
        let f = inv.function;
        let fd = model.function(f);
        let (last, response_size) = inv.pending.take().expect("pending result");
        let outcome = last.outcome;
        let attempt = inv.attempts;
        let (id, rid, accepted, sync) = (inv.id, inv.rid, inv.accepted, inv.sync);
        let started_at = (inv.attempt_start, inv.attempt_init);
        inv.last = Some(last);
        inv.response_size = response_size;
        inv.state = State::Sleeping;

        // Free the environment: a timeout or crash resets it, so its next use runs init again (spec section 1).
        let fs = &mut self.fns[f.ix()];
        fs.busy -= 1;
        let s = &model.settings;
        let en = &mut fs.envs[env as usize];
        en.warm = !matches!(outcome, Outcome::Timeout | Outcome::Crash);
        en.gen = en.gen.wrapping_add(1);
        let recycle = s.max_lifetime.is_some_and(|max| now - en.created >= max);
        let gen = en.gen;
        let mut shutdown = false;
        if recycle {
            // Lambda ends environments every few hours even under load (spec section 6).
            en.alive = false;
            fs.free_envs.push(env);
            shutdown = true;
        } else {
            fs.idle.push(env);
            if let Some(d) = &s.idle_lifetime {
                let life = d.sample(&mut fs.rng_env);
                self.k.schedule_at(now + life, Ev::EnvIdle { function: f.0, env, gen });
            }
        }
        if fd.reserved.is_none() {
            self.unreserved_busy -= 1;
        }
        let (duration, billed_ms, init_billed_ms) = {
            let total = now - started_at.0;
            let init = started_at.1;
            let run = total - init;
            (run, run.ceil_millis(), init.ceil_millis())
        };
        self.emit(TraceEvent::AttemptEnd { event: id, rid, function: f, attempt, env, outcome, duration, billed_ms, init_billed_ms });
        if shutdown {
            self.emit(TraceEvent::EnvironmentShutdown { function: f, env, reason: ShutdownReason::MaxLifetime });
        }

        if outcome == Outcome::Success {
            self.finish(slot, Fate::Succeeded);
        } else if sync {
            // 200 with X-Amz-Function-Error: Unhandled; the caller decides what to do (spec section 1).
            self.finish(slot, Fate::FunctionError);
        } else if attempt > fd.max_retries {
            self.finish(slot, Fate::RetriesExhausted);
        } else {
            // Function error: retry after ~1 min, then ~2 min (spec section 2).
            let s = &model.settings;
            let k = (attempt as usize - 1).min(s.retry_delays.len().saturating_sub(1));
            let mut delay = s.retry_delays.get(k).copied().unwrap_or(SimTime::from_secs(60));
            if s.retry_jitter > SimTime::ZERO {
                let j = s.retry_jitter.as_micros() as i64;
                let d: i64 = self.fns[f.ix()].rng_retry.random_range(-j..=j);
                delay = SimTime::from_micros((delay.as_micros() as i64 + d).max(0) as u64);
            }
            let base = match s.retry_delay_from {
                RetryDelayFrom::AttemptEnd => now,
                RetryDelayFrom::AttemptStart => started_at.0,
            };
            let at = base + delay;
            if s.event_age_look_ahead && at > accepted + fd.max_age {
                // The next retry would start after the maximum age: give up now (spec section 2, 10.3).
                self.finish(slot, Fate::EventAgeExceeded);
            } else {
                self.emit(TraceEvent::RetryScheduled { event: id, function: f, next_attempt: attempt + 1, delay: at - now });
                self.k.schedule_at(at, Ev::Retry { slot });
            }
        }
        self.pull_waiting(f);
    }

    /// A slot freed up: start events waiting in the queue (`AsyncConcurrencyFull: Queue`).
    fn pull_waiting(&mut self, freed: FnId) {
        if self.model.settings.concurrency_full != ConcurrencyFullMode::Queue {
            return;
        }
        let shares_pool = self.model.function(freed).reserved.is_none();
        let n = self.fns.len();
        for off in 0..n {
            let f = FnId(((freed.ix() + off) % n) as u32);
            if off > 0 && (!shares_pool || self.model.function(f).reserved.is_some()) {
                continue;
            }
            while self.has_capacity(f).is_none() {
                let Some((slot, gen)) = self.fns[f.ix()].waiting.pop_front() else { break };
                if matches!(self.inv(slot).map(|i| i.state), Some(State::Waiting { gen: g }) if g == gen) {
                    self.inv_mut(slot).state = State::Sleeping;
                    self.try_start(slot);
                }
            }
        }
    }

    // ----- fates and deliveries

    fn finish(&mut self, slot: u32, fate: Fate) {
        let model = self.model;
        let now = self.k.now();
        let inv = self.invs[slot as usize].take().expect("live slot");
        self.free.push(slot);
        self.in_flight -= 1;
        let f = inv.function;
        let fd = model.function(f);
        self.emit(TraceEvent::Fate { event: inv.id, rid: inv.rid, function: f, fate, attempts: inv.attempts, latency: now - inv.accepted });
        if let Some(b) = inv.batch {
            self.esm_batch_done(b, fate);
        }
        if let Some(c) = inv.call {
            // Tell the caller, if it is still waiting for this invocation.
            if self.calls.get(c as usize).and_then(|x| x.as_ref()).is_some_and(|x| x.current == Some(inv.id)) {
                let outcome = match fate {
                    Fate::Succeeded => CallOutcomeSpec::Ok,
                    Fate::Throttled if inv.refused == Some(ThrottleReason::ServiceError) => CallOutcomeSpec::ServiceError,
                    Fate::Throttled => CallOutcomeSpec::Throttled,
                    _ => CallOutcomeSpec::FunctionError,
                };
                self.call_attempt_done(c, outcome);
            }
        }
        match fate {
            _ if inv.sync => {}
            Fate::InFlight | Fate::FunctionError | Fate::Throttled => {}
            Fate::Succeeded => {
                if let Some(t) = fd.on_success {
                    self.deliver(&inv, t, RecordKind::OnSuccess, "Success", fate);
                }
            }
            _ => {
                let condition = match fate {
                    Fate::ZeroReservedConcurrency => model.settings.zero_reserved_condition.as_str(),
                    other => other.name(),
                };
                if let Some(t) = fd.on_failure {
                    self.deliver(&inv, t, RecordKind::OnFailure, condition, fate);
                }
                if let Some(t) = fd.dlq {
                    self.deliver(&inv, t, RecordKind::DeadLetter, condition, fate);
                }
            }
        }
    }

    fn deliver(&mut self, inv: &Inv, target: TargetId, kind: RecordKind, condition: &str, fate: Fate) {
        let model = self.model;
        let now = self.k.now();
        let tk = model.target(target).kind;
        let est = inv.size as usize + inv.response_size as usize + RECORD_OVERHEAD;
        let limit = match tk {
            TargetKind::Sqs { .. } => SQS_MESSAGE_LIMIT,
            TargetKind::Sns { .. } | TargetKind::EventBus => SNS_MESSAGE_LIMIT,
            TargetKind::Lambda(_) => model.settings.async_payload_limit,
            TargetKind::S3 => usize::MAX,
        };
        let is_lambda = matches!(tk, TargetKind::Lambda(_));
        let near_limit = est + 2048 > limit;
        // A queue that a mapping reads is live: the record becomes a message there (spec 5, issue: live resources).
        let live_queue = model.esm.queue_of_target.get(target.ix()).copied().flatten().filter(|q| !model.esm.queue(*q).mappings.is_empty());
        let need = self.needs_content || is_lambda || near_limit || live_queue.is_some();
        let mut content = need.then(|| self.content(inv, kind, condition));
        let mut failure = None;
        if matches!(tk, TargetKind::Sqs { fifo: true } | TargetKind::Sns { fifo: true }) {
            failure = Some(DeliveryFailure::FifoNotSupported);
        } else if is_lambda && fate == Fate::RecursionStopped {
            failure = Some(DeliveryFailure::RecursionStopped);
        } else if let Some(c) = content.as_ref().filter(|_| near_limit) {
            let size = match kind {
                RecordKind::DeadLetter => destinations::json_size(c.get("body").unwrap_or(&Value::Null)) + 200,
                _ => destinations::json_size(c),
            };
            if size > limit {
                if matches!(tk, TargetKind::Sns { .. }) && kind != RecordKind::DeadLetter {
                    // SNS: the payload is dropped from the record instead of the record (spec 3.1).
                    content = content.map(|c| destinations::trim_for_sns(&c));
                } else {
                    failure = Some(DeliveryFailure::TooLarge);
                }
            }
        }
        let ev = TraceEvent::Delivered { event: inv.id, function: inv.function, target, kind, failure };
        let ctx = Ctx { model, seed: self.seed, content: if failure.is_none() { content.as_ref() } else { None } };
        self.obs.on_event(now, &ev, &ctx);
        if let (None, Some(q), Some(c)) = (failure, live_queue, content.as_ref()) {
            // The message body: the original event for a DLQ (spec 4), the record for a destination (spec 3.1).
            let body = match kind {
                RecordKind::DeadLetter => crate::sources::text(c.get("body").unwrap_or(&Value::Null)),
                _ => serde_json::to_string(c).unwrap_or_default(),
            };
            self.sqs_send(q, Arc::from(body), crate::trace::MsgOrigin::Record { event: inv.id }, mix(inv.key ^ 0x5e4d), None, None, None);
        }
        if failure.is_none() {
            if let (TargetKind::Lambda(g), Some(c)) = (tk, content) {
                // A Lambda destination invokes the function asynchronously with the record as its payload.
                let size = destinations::json_size(&c);
                self.accept(
                    g,
                    Arc::new(c),
                    size,
                    Origin::Destination { parent: inv.id },
                    inv.hops + 1,
                    None,
                    mix(inv.key ^ 0xde57 ^ target.ix() as u64),
                );
            }
        }
    }

    fn content(&self, inv: &Inv, kind: RecordKind, condition: &str) -> Value {
        let model = self.model;
        let fd = model.function(inv.function);
        match kind {
            RecordKind::DeadLetter => destinations::dlq_content(model, self.seed, inv.rid, &inv.payload, inv.last.as_ref()),
            _ => destinations::invocation_record(&RecordInput {
                model,
                seed: self.seed,
                rid: inv.rid,
                function_arn: &fd.arn,
                condition,
                invoke_count: inv.attempts,
                payload: &inv.payload,
                last: inv.last.as_ref(),
                at: self.k.now(),
            }),
        }
    }
}
