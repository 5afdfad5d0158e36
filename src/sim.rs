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
//! - duplicate delivery (at-least-once) and recursive-loop detection (spec 2);
//! - versions and aliases with weighted routing, resolved when each attempt starts (spec 3.2);
//! - provisioned concurrency: pre-initialised environments per version, counted toward reserved concurrency and
//!   taken from the unreserved pool, spillover to on-demand environments, allocation delay, recycling (spec 6);
//! - configuration changes on the timeline (`Changes`) and destinations that reject deliveries for a while (spec 3.1, 4).

mod dedup;
mod esm;
mod fanout;
mod firehose;
pub use fanout::{eventbridge_delay, sns_delay};

use std::collections::VecDeque;
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use serde_json::Value;

use crate::destinations::{self, Cause, LastResult, RecordInput};
use crate::kernel::rng::{self, splitmix, uniform};
use crate::kernel::{Class, Kernel};
use crate::model::{
    FnId, Model, TargetId, TargetKind, INIT_LIMIT, RESPONSE_LIMIT, SNS_MESSAGE_LIMIT, SQS_MESSAGE_LIMIT, SYNC_PAYLOAD_LIMIT,
};
use crate::scenario::{CallOutcomeSpec, ConcurrencyFullMode, FaultKind, JitterSpec, OutcomeKind, RetryDelayFrom};
use crate::time::SimTime;
use crate::trace::{
    Ctx, DeliveryFailure, Fate, InvokeMode, Observer, Origin, Outcome, RecordKind, ShutdownReason, ThrottleReason, TraceEvent,
};
use crate::versions::{DlqScope, FnSetup, Qualifier};

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
    /// SNS topics and EventBridge buses (src/sim/fanout.rs).
    Fanout(fanout::FanEv),
    /// Firehose delivery streams (src/sim/firehose.rs).
    Firehose(firehose::FhEv),
    /// Change `index` of `Model::changes` applies.
    Change { index: u32 },
    /// A provisioned environment's allocation delay is over: its init starts (if it is still the same: `life`).
    PcStart { function: u32, env: u32, life: u32 },
    /// A provisioned environment's init is over: it is ready.
    PcReady { function: u32, env: u32, life: u32 },
    /// A provisioned environment reaches its maximum lifetime and is recycled. A background event: it does not keep
    /// the run going.
    PcRecycle { function: u32, env: u32, life: u32 },
}

// Kernel entries are a 16-byte key plus the event: keep events at 16 bytes so an entry is 32.
const _: () = assert!(std::mem::size_of::<Ev>() <= 16);

/// A provisioned environment's state (spec section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pc {
    /// Waiting for its allocation, or running its init.
    Pending,
    /// Initialised and idle.
    Ready,
    /// Running an execution.
    Busy,
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
    /// The configuration (version) it runs.
    config: u32,
    /// Provisioned environments only: their state; `None` for on-demand environments.
    pc: Option<Pc>,
    /// Bumped whenever a provisioned environment is (re)created or released, so stale timers are recognised.
    life: u32,
    /// Provisioned, busy: released (provisioned concurrency lowered) or recycled (maximum lifetime) when its execution
    /// ends.
    release: bool,
    recycle: bool,
    /// The running execution counts toward the account's unreserved concurrency.
    unreserved: bool,
}

impl Env {
    fn on_demand(created: SimTime, config: u32) -> Env {
        Env { warm: false, alive: true, created, gen: 0, config, pc: None, life: 0, release: false, recycle: false, unreserved: false }
    }
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
    /// The version or alias invoked.
    qual: Qualifier,
    /// The configuration of the last attempt (meaningful once `attempts` > 0).
    cfg: u32,
    payload: Arc<Value>,
    size: u32,
    accepted: SimTime,
    attempts: u32,
    throttles: u32,
    hops: u32,
    /// Identity of the event for its own random draws (rules and faults with a probability): derived from its source
    /// and its index there, so removing or adding other events does not change this event's draws.
    key: u64,
    /// Who invoked, and so who learns the fate: nobody for an async invoke (its records go to the destinations), the
    /// synchronous caller or the service whose batch it carries for a `RequestResponse` invoke (no retries, no
    /// destinations).
    caller: Caller,
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
    /// Executions on on-demand and on provisioned environments.
    od_busy: u32,
    pc_busy: u32,
    /// Environments by id; ids of shut-down environments are reused.
    envs: Vec<Env>,
    /// Idle on-demand environments per configuration, most recently used last (reused first).
    idle: Vec<Vec<u32>>,
    /// Ready, idle provisioned environments per configuration, most recently used last.
    pc_idle: Vec<Vec<u32>>,
    /// Provisioned environments per configuration (pending, ready or busy, not being released), and those ready or
    /// busy.
    pc_have: Vec<u32>,
    pc_live: Vec<u32>,
    /// What the timeline has changed so far (reserved concurrency, `$LATEST`, provisioned concurrency, aliases).
    setup: FnSetup,
    rng_pc: ChaCha8Rng,
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
    qual: Qualifier,
    key: u64,
    payload: Arc<Value>,
    size: usize,
    started: SimTime,
    attempts: u32,
    /// The invocation the caller is waiting for.
    current: Option<u64>,
}

/// The arrival state of a workload source or producer.
struct SourceState {
    n: u64,
    rng: ChaCha8Rng,
    /// Salt of the keys of this source's events.
    key_salt: u64,
    /// Time of the previous arrival and how many arrived at that instant (for event keys).
    last_t: SimTime,
    same_t: u64,
}

impl SourceState {
    fn new(seed: u64, component: &str) -> SourceState {
        SourceState {
            n: 0,
            rng: rng::stream(seed, component, "arrivals"),
            key_salt: rng::stream_id(component, "event-key"),
            last_t: SimTime::MAX,
            same_t: 0,
        }
    }

    /// Count one arrival at `now` and return its index and its key: the source, the arrival instant and its rank at
    /// that instant. Removing other arrivals (shrinking) or turning a generated source into explicit `At` times keeps
    /// every other event's key.
    fn arrival(&mut self, now: SimTime) -> (u64, u64) {
        let n = self.n;
        self.n += 1;
        if self.last_t == now {
            self.same_t += 1;
        } else {
            self.last_t = now;
            self.same_t = 0;
        }
        (n, splitmix(self.key_salt ^ splitmix(now.as_micros() ^ splitmix(self.same_t))))
    }
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
    /// The account's unreserved concurrency now: the limit less reservations and the provisioned concurrency of
    /// functions without a reservation (spec section 6).
    unreserved_pool: u32,
    account_busy: u32,
    /// Some function has provisioned concurrency at some time.
    any_pc: bool,
    /// Background events pending (provisioned recycling): the run ends when only they are left.
    background: usize,
    /// Salt of each delivery fault's draws.
    fault_salts: Vec<u64>,
    sources: Vec<SourceState>,
    next_event: u64,
    next_gen: u32,
    in_flight: usize,
    peak_in_flight: usize,
    rejected: u64,
    needs_content: bool,
    /// Per function, configuration and rule: the response size.
    response_sizes: Vec<Vec<Vec<u32>>>,
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
    /// Topics and buses.
    fan: fanout::FanRt,
    /// Firehose delivery streams.
    fh: firehose::FhRt,
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
                let n = f.configs.len();
                FnState {
                    busy: 0,
                    od_busy: 0,
                    pc_busy: 0,
                    envs: vec![],
                    idle: vec![vec![]; n],
                    pc_idle: vec![vec![]; n],
                    pc_have: vec![0; n],
                    pc_live: vec![0; n],
                    setup: f.setup.clone(),
                    rng_pc: rng::stream(seed, &c, "provisioned-init"),
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
        let sources = model.sources.iter().map(|s| SourceState::new(seed, &format!("workload:{}", s.name))).collect();
        let response_sizes = model
            .functions
            .iter()
            .map(|f| f.configs.iter().map(|c| c.rules.iter().map(|r| r.response_size.min(u64::from(u32::MAX)) as u32).collect()).collect())
            .collect();
        let needs_content = obs.wants_content();
        let mut sim = Sim {
            model,
            seed,
            k: Kernel::new(),
            invs: vec![],
            free: vec![],
            fns,
            unreserved_busy: 0,
            unreserved_pool: model.unreserved_pool,
            account_busy: 0,
            any_pc: model.functions.iter().any(|f| f.uses_pc),
            background: 0,
            fault_salts: model
                .delivery_faults
                .iter()
                .enumerate()
                .map(|(i, d)| rng::stream_id(&format!("target:{}", model.target(d.target).arn), &format!("delivery-fault:{i}")))
                .collect(),
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
            fan: fanout::FanRt::new(model, seed),
            fh: firehose::FhRt::new(model, seed),
            obs,
        };
        // Changes on the timeline apply before everything else at the same instant (their kernel class says so).
        for (i, c) in model.changes.iter().enumerate() {
            sim.k.schedule_class_at(c.at, Class::Setup, Ev::Change { index: i as u32 });
        }
        for (i, s) in model.sources.iter().enumerate() {
            if let Some(t) = s.arrivals.first(&mut |rate| sim.exp_gap(i, rate)) {
                sim.k.schedule_at(t, Ev::Arrival { source: i as u32 });
            }
        }
        sim.esm_start();
        sim.fanout_start();
        sim.firehose_start();
        sim
    }

    /// Test-only: lengthen the `n`-th handler-duration draw by 1 us, to prove that determinism checks catch a change.
    pub fn perturb_for_testing(mut self, n: Option<u64>) -> Self {
        self.perturb = n;
        self
    }

    fn exp_gap(&mut self, source: usize, rate_per_s: f64) -> SimTime {
        poisson_gap(&mut self.sources[source].rng, rate_per_s)
    }

    /// Run to the end (idle, or the horizon) and hand back the observer.
    pub fn run(mut self) -> (O, RunStats) {
        let horizon = self.model.settings.horizon;
        // Provisioned concurrency declared in the scenario was configured before the run: ready at time 0.
        for f in 0..self.fns.len() {
            if !self.fns[f].setup.provisioned.is_empty() {
                self.pc_rebalance(FnId(f as u32), true);
            }
        }
        loop {
            if self.background > 0 && self.k.pending() == self.background {
                // Only background events (provisioned recycling) are left.
                break;
            }
            if let Some(h) = horizon {
                match self.k.peek_time() {
                    None => break,
                    Some(t) if t > h => {
                        self.k.advance_to(h);
                        break;
                    }
                    _ => {}
                }
            }
            let Some(ev) = self.k.pop() else { break };
            if !matches!(ev, Ev::Expire { .. } | Ev::EnvIdle { .. } | Ev::PcRecycle { .. } | Ev::Esm(_) | Ev::Firehose(_)) {
                self.last_activity = self.k.now();
            }
            match ev {
                Ev::Arrival { source } => self.on_arrival(source as usize),
                Ev::AttemptEnd { slot, env } => self.on_attempt_end(slot, env),
                Ev::Retry { slot } => self.try_start(slot),
                Ev::Expire { slot, gen } => {
                    if matches!(self.inv(slot).map(|i| i.state), Some(State::Waiting { gen: g }) if g == gen) {
                        // The maximum age of the configuration in force (a deploy may have changed it).
                        let (accepted, max_age) = (self.inv_mut(slot).accepted, self.event_config(slot).max_age);
                        if self.k.now() > accepted + max_age {
                            self.last_activity = self.k.now();
                            self.finish(slot, Fate::EventAgeExceeded);
                        } else {
                            self.k.schedule_at(accepted + max_age + SimTime::from_micros(1), Ev::Expire { slot, gen });
                        }
                    }
                }
                Ev::Change { index } => self.on_change(index),
                Ev::PcStart { function, env, life } => self.on_pc_start(FnId(function), env, life),
                Ev::PcReady { function, env, life } => self.on_pc_ready(FnId(function), env, life),
                Ev::PcRecycle { function, env, life } => {
                    self.background -= 1;
                    self.on_pc_recycle(FnId(function), env, life);
                }
                Ev::EnvIdle { function, env, gen } => self.on_env_idle(FnId(function), env, gen),
                Ev::Esm(e) => self.on_esm(e),
                Ev::Fanout(e) => self.on_fanout(e),
                Ev::Firehose(e) => self.on_firehose(e),
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
        self.fanout_finish();
        self.firehose_finish();
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
        let model = self.model;
        let arrivals = &model.sources[si].arrivals;
        for _ in 0..arrivals.at_once() {
            self.arrive(si);
        }
        let (n, now) = (self.sources[si].n, self.k.now());
        if let Some(t) = arrivals.next(n, now, &mut |rate| self.exp_gap(si, rate)) {
            self.k.schedule_at(t, Ev::Arrival { source: si as u32 });
        }
    }

    fn arrive(&mut self, si: usize) {
        let src = &self.model.sources[si];
        let now = self.k.now();
        let (n, key) = self.sources[si].arrival(now);
        let mut payload = src.template.instantiate(n, self.next_event);
        let mut size = src.template.size_of(&payload);
        if let Some((kind, options)) = &src.kind {
            // The service's own event shape around the payload (spec section 7, src/sources.rs).
            let ctx = crate::sources::EventCtx {
                region: &self.model.region,
                account_id: &self.model.account_id,
                epoch_ms: self.model.settings.start_epoch_ms + (now.as_micros() / 1000) as i64,
                key: splitmix(self.sources[si].key_salt ^ splitmix(now.as_micros() ^ 0x5eed)),
                n,
                options,
                payload: &payload,
            };
            let ev = crate::sources::build_event(*kind, &ctx);
            size = destinations::json_size(&ev);
            payload = Arc::new(ev);
        }
        if src.sync {
            let id = self.next_call;
            self.next_call += 1;
            let call = Call {
                id,
                source: si as u32,
                function: src.function,
                qual: src.qualifier,
                key,
                payload,
                size,
                started: now,
                attempts: 0,
                current: None,
            };
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
            self.accept(src.function, src.qualifier, payload, size, Origin::Workload(si as u32), 0, None, key);
        }
    }

    /// One attempt of a synchronous caller's request.
    fn call_attempt(&mut self, c: u32) {
        let (function, qual, payload, size, source, key, attempt) = {
            let call = self.calls[c as usize].as_mut().expect("live call");
            call.attempts += 1;
            (call.function, call.qual, Arc::clone(&call.payload), call.size, call.source, call.key, call.attempts)
        };
        let key = if attempt == 1 { key } else { splitmix(key ^ splitmix(0xca11 + u64::from(attempt))) };
        if let Some(t) = self.model.sources[source as usize].caller.timeout {
            self.k.schedule_in(t, Ev::CallTimeout { call: c, attempt });
        }
        self.invoke_sync_by(function, qual, payload, size, Origin::Workload(source), key, Caller::Call(c));
    }

    /// The invocation that attempt of call `c` waits for has its fate: tell the caller, if it still waits for it.
    fn call_done(&mut self, c: u32, event: u64, fate: Fate, refused: Option<ThrottleReason>) {
        if self.calls.get(c as usize).and_then(|x| x.as_ref()).is_some_and(|x| x.current == Some(event)) {
            let outcome = match fate {
                Fate::Succeeded => CallOutcomeSpec::Ok,
                Fate::Throttled if refused == Some(ThrottleReason::ServiceError) => CallOutcomeSpec::ServiceError,
                Fate::Throttled => CallOutcomeSpec::Throttled,
                _ => CallOutcomeSpec::FunctionError,
            };
            self.call_attempt_done(c, outcome);
        }
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
    fn invoke_sync_by(&mut self, function: FnId, qual: Qualifier, payload: Arc<Value>, size: usize, origin: Origin, key: u64, caller: Caller) {
        let model = self.model;
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
        if self.needs_content {
            // Observers that asked for documents see the payload the function receives.
            let payload = Arc::clone(&self.inv_mut(slot).payload);
            let ctx = Ctx { model, seed: self.seed, content: Some(&payload) };
            self.obs.on_event(self.k.now(), &ev, &ctx);
        } else {
            self.emit(ev);
        }
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

    /// The old entry point of the event source mappings (src/sim/esm.rs): a batch's `RequestResponse` invoke.
    #[allow(clippy::too_many_arguments)]
    fn invoke_sync(&mut self, function: FnId, qual: Qualifier, payload: Arc<Value>, size: usize, origin: Origin, key: u64, _call: Option<u32>, batch: Option<u32>) {
        let caller = batch.map_or(Caller::Async, Caller::Esm);
        self.invoke_sync_by(function, qual, payload, size, origin, key, caller);
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
    fn new_inv(
        &mut self,
        function: FnId,
        qual: Qualifier,
        payload: Arc<Value>,
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
        qual: Qualifier,
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
        let slot = self.new_inv(function, qual, payload, size, hops, rid, Caller::Async, key);
        let (id, rid) = {
            let inv = self.inv_mut(slot);
            (inv.id, inv.rid)
        };
        let ev = TraceEvent::Accepted { event: id, rid, function, origin, size: size as u32, mode: InvokeMode::Async, qualifier: qual };
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

        if self.fns[function.ix()].setup.reserved == Some(0) {
            self.finish(slot, Fate::ZeroReservedConcurrency);
        } else if hops >= model.settings.recursion_limit {
            self.finish(slot, Fate::RecursionStopped);
        } else {
            self.try_start(slot);
        }
        if let Some(payload) = dup_payload {
            self.accept(function, qual, payload, size, Origin::Duplicate { of: id }, hops, Some(rid), splitmix(key ^ 0xd0_0b1e));
        }
        Some(slot)
    }

    /// A new environment is needed and the scaling rate has none to give (spec section 6): 1,000 per 10 s per
    /// function, refilled continuously, or the older account-wide burst. Consumes a token when one is given.
    fn scaling_refusal(&mut self, f: FnId, config: u32) -> Option<ThrottleReason> {
        if !self.fns[f.ix()].idle[config as usize].is_empty() {
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
        if !e.alive || e.gen != gen || e.pc.is_some() {
            return;
        }
        let idle = &mut fs.idle[e.config as usize];
        let Some(pos) = idle.iter().position(|x| *x == env) else { return };
        idle.remove(pos);
        fs.envs[env as usize].alive = false;
        fs.free_envs.push(env);
        self.last_activity = self.k.now();
        self.emit(TraceEvent::EnvironmentShutdown { function: f, env, reason: ShutdownReason::Idle });
    }

    /// Room for an on-demand execution (spec section 6): reserved concurrency less the provisioned concurrency it
    /// holds, or the account's unreserved pool. Every execution also stays within the account limit.
    #[inline]
    fn has_capacity(&self, f: FnId) -> Option<ThrottleReason> {
        let fs = &self.fns[f.ix()];
        let refused = match fs.setup.reserved {
            Some(r) => (fs.od_busy + fs.setup.pc_total().max(fs.pc_busy) >= r).then_some(ThrottleReason::ReservedConcurrency),
            None => (self.unreserved_busy + self.pc_excess() >= self.unreserved_pool).then_some(ThrottleReason::AccountConcurrency),
        };
        // Binds only after changes on the timeline (reservations raised while unreserved functions run).
        refused.or_else(|| (self.account_busy >= self.model.account_limit).then_some(ThrottleReason::AccountConcurrency))
    }

    /// Provisioned executions of unreserved functions beyond their (lowered) provisioned concurrency: they still hold
    /// concurrency that the unreserved pool no longer sets aside.
    fn pc_excess(&self) -> u32 {
        if !self.any_pc {
            return 0;
        }
        self.fns.iter().filter(|s| s.setup.reserved.is_none()).map(|s| s.pc_busy.saturating_sub(s.setup.pc_total())).sum()
    }

    /// Whether an execution may start on a free provisioned environment: reserved concurrency and the account limit
    /// still cap every execution.
    fn pc_capacity(&self, f: FnId) -> Option<ThrottleReason> {
        let fs = &self.fns[f.ix()];
        if self.account_busy >= self.model.account_limit {
            return Some(ThrottleReason::AccountConcurrency);
        }
        match fs.setup.reserved {
            Some(r) if fs.busy >= r => Some(ThrottleReason::ReservedConcurrency),
            _ => None,
        }
    }

    /// Can an execution of configuration `config` start now? On a free provisioned environment of that version first
    /// (no cold start); else on demand, within concurrency and the scaling rate (a spillover when that version's
    /// provisioned environments are all busy). Consumes a scaling token when a new environment is needed.
    fn admit(&mut self, f: FnId, config: u32) -> Result<Admission, ThrottleReason> {
        if self.any_pc {
            let fs = &self.fns[f.ix()];
            if let Some(env) = fs.pc_idle[config as usize].last().copied() {
                return match self.pc_capacity(f) {
                    None => Ok(Admission { pc_env: Some(env), spillover: false }),
                    Some(r) => Err(r),
                };
            }
        }
        match self.has_capacity(f).or_else(|| self.scaling_refusal(f, config)) {
            None => {
                let spillover = self.any_pc && self.fns[f.ix()].pc_live[config as usize] > 0;
                Ok(Admission { pc_env: None, spillover })
            }
            Some(r) => Err(r),
        }
    }

    /// The configuration the event runs if an attempt starts now: `$LATEST` as deployed now, the version, or what the
    /// alias routes it to (one draw per event, spec 3.2).
    fn route(&self, slot: u32) -> u32 {
        let inv = self.inv(slot).expect("live slot");
        let fs = &self.fns[inv.function.ix()];
        match inv.qual {
            Qualifier::Latest => fs.setup.latest,
            q => fs.setup.resolve(q, uniform(self.seed, fs.draw_salt, inv.key, ROUTING_PURPOSE)),
        }
    }

    /// The configuration whose settings apply to the event now: its last execution's, or the one it would run.
    fn event_config(&self, slot: u32) -> &'m crate::versions::FnConfig {
        let inv = self.inv(slot).expect("live slot");
        let c = if inv.attempts > 0 { inv.cfg } else { self.route(slot) };
        self.model.function(inv.function).config(c)
    }

    /// The event is due to run (new, retry or back-off over).
    fn try_start(&mut self, slot: u32) {
        let model = self.model;
        let now = self.k.now();
        let (f, accepted, key, tries) = {
            let inv = self.inv_mut(slot);
            (inv.function, inv.accepted, inv.key, inv.throttles)
        };
        let config = self.route(slot);
        let max_age = model.function(f).config(config).max_age;
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
        let max_age = self.event_config(slot).max_age;
        if s.event_age_look_ahead && now + delay > accepted + max_age {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: None });
            self.finish(slot, Fate::EventAgeExceeded);
        } else {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: Some(delay) });
            self.k.schedule_in(delay, Ev::Retry { slot });
        }
    }

    fn start_attempt(&mut self, slot: u32, config: u32, admission: Admission) {
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
        let (mut outcome, mut cause, response_size, rule) = self.decide(slot, config);
        if outcome == Outcome::Success && u64::from(response_size) > RESPONSE_LIMIT {
            // An oversized response surfaces as a function error (spec 1, 10.10).
            outcome = Outcome::Error;
            cause = Cause::ResponseTooLarge;
        }
        // A batch takes longer with more records (`Behavior.DurationPerRecord`).
        let records = if cfg.per_record.is_some() && outcome != Outcome::Timeout { self.batch_records(caller) } else { None };

        // Durations: init for a cold environment (capped at 10 s on demand, re-run inside the invoke phase if it
        // ran over, spec section 6), then the handler, cut at the function timeout.
        let fs = &mut self.fns[f.ix()];
        let init = if cold { cfg.init.sample(&mut fs.rng_init) } else { SimTime::ZERO };
        let dist = rule.and_then(|ri| cfg.rules[ri].duration.as_ref()).unwrap_or(&cfg.duration);
        let mut handler = if outcome == Outcome::Timeout { cfg.timeout } else { dist.sample(&mut fs.rng_duration) };
        if let (Some(per), Some(n)) = (&cfg.per_record, records) {
            handler += SimTime::from_micros(per.sample(&mut fs.rng_duration).as_micros().saturating_mul(n));
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
    }

    /// Take the environment the admission names, a warm idle one, or a new one (spec section 6), and count the
    /// execution in. Returns (environment, cold start, new environment).
    fn take_env(&mut self, f: FnId, config: u32, admission: Admission) -> (u32, bool, bool) {
        let now = self.k.now();
        let fs = &mut self.fns[f.ix()];
        let unreserved = admission.pc_env.is_none() && fs.setup.reserved.is_none();
        fs.busy += 1;
        self.account_busy += 1;
        let (env, cold, new_env) = match admission.pc_env {
            Some(e) => {
                // A provisioned environment: initialised before, never a cold start (spec section 6).
                let idle = &mut fs.pc_idle[config as usize];
                if let Some(pos) = idle.iter().rposition(|x| *x == e) {
                    idle.remove(pos);
                }
                fs.pc_busy += 1;
                let en = &mut fs.envs[e as usize];
                en.pc = Some(Pc::Busy);
                en.gen = en.gen.wrapping_add(1);
                (e, false, false)
            }
            None => {
                fs.od_busy += 1;
                match fs.idle[config as usize].pop() {
                    Some(e) => {
                        let en = &mut fs.envs[e as usize];
                        en.gen = en.gen.wrapping_add(1);
                        (e, !en.warm, false)
                    }
                    None => {
                        let fresh = Env::on_demand(now, config);
                        let id = match fs.free_envs.pop() {
                            Some(id) => {
                                let g = fs.envs[id as usize].gen.wrapping_add(1);
                                let life = fs.envs[id as usize].life;
                                fs.envs[id as usize] = Env { gen: g, life, ..fresh };
                                id
                            }
                            None => {
                                fs.envs.push(fresh);
                                (fs.envs.len() - 1) as u32
                            }
                        };
                        (id, true, true)
                    }
                }
            }
        };
        fs.envs[env as usize].unreserved = unreserved;
        if unreserved {
            self.unreserved_busy += 1;
        }
        (env, cold, new_env)
    }

    /// Decide how the starting attempt ends: faults on the timeline first, then, for a batch, its records as the
    /// service that built it decides them, else the ordered rules of the version that runs. Draws with a
    /// probability belong to the event and the attempt, not to a shared sequence (see `Inv::key`).
    fn decide(&mut self, slot: u32, config: u32) -> Decision {
        let model = self.model;
        let now = self.k.now();
        let inv = self.inv(slot).expect("live slot");
        let (f, attempt, key, caller) = (inv.function, inv.attempts, inv.key, inv.caller);
        let fd = model.function(f);
        let cfg = fd.config(config);
        let (seed, salt) = (self.seed, self.fns[f.ix()].draw_salt);
        let purpose = |kind: u64, i: usize| kind + ((i as u64) << 16) + (u64::from(attempt) << 32);
        for (i, fault) in fd.faults.iter().enumerate() {
            if matches!(fault.kind, FaultKind::Error | FaultKind::Timeout | FaultKind::Crash)
                && fault.active(now)
                && (fault.probability >= 1.0 || uniform(seed, salt, key, purpose(0xfa, i)) < fault.probability)
            {
                let o = match fault.kind {
                    FaultKind::Timeout => Outcome::Timeout,
                    FaultKind::Crash => Outcome::Crash,
                    _ => Outcome::Error,
                };
                return (o, Cause::Fault(i as u32), 4, None);
            }
        }
        if let Some(d) = self.decide_batch(caller, &cfg.rules, f, config, salt) {
            return d;
        }
        let inv = self.inv(slot).expect("live slot");
        for (ri, r) in cfg.rules.iter().enumerate() {
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
            return (o, Cause::Rule(ri as u32), self.response_sizes[f.ix()][config as usize][ri], Some(ri));
        }
        (Outcome::Success, Cause::Default, 4, None)
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
        let (id, rid, accepted, sync) = (inv.id, inv.rid, inv.accepted, inv.caller.is_sync());
        let cfg = fd.config(last.config);
        let started_at = (inv.attempt_start, inv.attempt_init);
        inv.last = Some(last);
        inv.response_size = response_size;
        inv.state = State::Sleeping;

        // Free the environment: a timeout or crash resets it, so its next use runs init again (spec section 1).
        self.account_busy -= 1;
        let s = &model.settings;
        let fs = &mut self.fns[f.ix()];
        fs.busy -= 1;
        let en = &mut fs.envs[env as usize];
        let (unreserved, provisioned) = (std::mem::replace(&mut en.unreserved, false), en.pc.is_some());
        if unreserved {
            self.unreserved_busy -= 1;
        }
        let reset = matches!(outcome, Outcome::Timeout | Outcome::Crash);
        let mut shutdown = None;
        if provisioned {
            self.fns[f.ix()].pc_busy -= 1;
            shutdown = self.pc_release_env(f, env, reset);
        } else {
            let fs = &mut self.fns[f.ix()];
            let en = &mut fs.envs[env as usize];
            fs.od_busy -= 1;
            en.warm = !reset;
            en.gen = en.gen.wrapping_add(1);
            let recycle = s.max_lifetime.is_some_and(|max| now - en.created >= max);
            let gen = en.gen;
            let c = en.config as usize;
            if recycle {
                // Lambda ends environments every few hours even under load (spec section 6).
                en.alive = false;
                fs.free_envs.push(env);
                shutdown = Some(ShutdownReason::MaxLifetime);
            } else {
                fs.idle[c].push(env);
                if let Some(d) = &s.idle_lifetime {
                    let life = d.sample(&mut fs.rng_env);
                    self.k.schedule_at(now + life, Ev::EnvIdle { function: f.0, env, gen });
                }
            }
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
        } else if attempt > cfg.max_retries {
            self.finish(slot, Fate::RetriesExhausted);
        } else {
            // Function error: retry after ~1 min, then ~2 min (spec section 2), under the settings of the version
            // that ran.
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
            if s.event_age_look_ahead && at > accepted + cfg.max_age {
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
        let shares_pool = self.fns[freed.ix()].setup.reserved.is_none();
        let n = self.fns.len();
        for off in 0..n {
            let f = FnId(((freed.ix() + off) % n) as u32);
            if off > 0 && (!shares_pool || self.fns[f.ix()].setup.reserved.is_some()) {
                continue;
            }
            while let Some(&(slot, gen)) = self.fns[f.ix()].waiting.front() {
                if !matches!(self.inv(slot).map(|i| i.state), Some(State::Waiting { gen: g }) if g == gen) {
                    self.fns[f.ix()].waiting.pop_front();
                    continue;
                }
                // The first waiting event runs when there is room on demand, or a provisioned environment of the
                // version it would run is free.
                let room = self.has_capacity(f).is_none()
                    || (self.any_pc && !self.fns[f.ix()].pc_idle[self.route(slot) as usize].is_empty() && self.pc_capacity(f).is_none());
                if !room {
                    break;
                }
                self.fns[f.ix()].waiting.pop_front();
                self.inv_mut(slot).state = State::Sleeping;
                self.try_start(slot);
            }
        }
    }

    // ----- configuration changes and provisioned concurrency

    /// A change on the timeline applies (spec section 6; `Changes`): attempts starting from now on see it.
    fn on_change(&mut self, index: u32) {
        let model = self.model;
        let change = &model.changes[index as usize];
        if let crate::versions::ChangeKind::MappingEnabled { mapping, enabled } = change.kind {
            self.emit(TraceEvent::ConfigChange { change: index });
            self.esm_set_enabled(mapping, enabled);
            return;
        }
        let Some(f) = change.kind.function() else { return };
        self.fns[f.ix()].setup.apply(&change.kind);
        let reserved: u64 = self.fns.iter().filter_map(|s| s.setup.reserved).map(u64::from).sum();
        let pc: u64 = self.fns.iter().filter(|s| s.setup.reserved.is_none()).map(|s| u64::from(s.setup.pc_total())).sum();
        self.unreserved_pool = u64::from(model.account_limit).saturating_sub(reserved + pc) as u32;
        self.emit(TraceEvent::ConfigChange { change: index });
        self.pc_rebalance(f, false);
        self.pull_waiting(f);
        self.esm_function_changed(f);
    }

    /// Bring the provisioned environments of each configuration of `f` to what its setup asks for: new ones after
    /// the allocation delay (at once and already initialised for the scenario's own, `initial`), surplus ones
    /// released (pending first, then idle, then busy ones when their execution ends).
    fn pc_rebalance(&mut self, f: FnId, initial: bool) {
        let model = self.model;
        let fd = model.function(f);
        let want = self.fns[f.ix()].setup.pc_by_config(fd.configs.len());
        for (c, want) in want.into_iter().enumerate() {
            let have = self.fns[f.ix()].pc_have[c];
            for _ in have..want {
                self.pc_allocate(f, c as u32, initial);
            }
            if have > want {
                self.pc_release(f, c as u32, have - want);
            }
        }
    }

    fn pc_allocate(&mut self, f: FnId, config: u32, initial: bool) {
        let now = self.k.now();
        let delay = self.model.settings.pc_allocation_delay;
        let fs = &mut self.fns[f.ix()];
        let fresh = Env { pc: Some(Pc::Pending), warm: false, ..Env::on_demand(now, config) };
        let env = match fs.free_envs.pop() {
            Some(id) => {
                let old = fs.envs[id as usize];
                fs.envs[id as usize] = Env { gen: old.gen.wrapping_add(1), life: old.life.wrapping_add(1), ..fresh };
                id
            }
            None => {
                fs.envs.push(fresh);
                (fs.envs.len() - 1) as u32
            }
        };
        fs.pc_have[config as usize] += 1;
        let life = fs.envs[env as usize].life;
        if initial {
            self.pc_ready(f, env, SimTime::ZERO);
        } else {
            self.k.schedule_in(delay, Ev::PcStart { function: f.0, env, life });
        }
    }

    /// Release `n` provisioned environments of `config`.
    fn pc_release(&mut self, f: FnId, config: u32, n: u32) {
        let mut left = n;
        // Pending ones first (newest first), then idle ones (least recently used first), then busy ones.
        for state in [Pc::Pending, Pc::Ready, Pc::Busy] {
            let mut ids: Vec<u32> = (0..self.fns[f.ix()].envs.len() as u32)
                .filter(|e| {
                    let en = &self.fns[f.ix()].envs[*e as usize];
                    en.alive && en.config == config && en.pc == Some(state) && !en.release
                })
                .collect();
            match state {
                Pc::Pending => ids.reverse(),
                Pc::Ready => ids = self.fns[f.ix()].pc_idle[config as usize].clone(),
                Pc::Busy => {}
            }
            for e in ids {
                if left == 0 {
                    return;
                }
                left -= 1;
                let fs = &mut self.fns[f.ix()];
                fs.pc_have[config as usize] -= 1;
                if state == Pc::Busy {
                    fs.envs[e as usize].release = true;
                    continue;
                }
                if state == Pc::Ready {
                    fs.pc_idle[config as usize].retain(|x| *x != e);
                    fs.pc_live[config as usize] -= 1;
                }
                let en = &mut fs.envs[e as usize];
                en.alive = false;
                en.pc = None;
                en.life = en.life.wrapping_add(1);
                en.gen = en.gen.wrapping_add(1);
                fs.free_envs.push(e);
                self.emit(TraceEvent::EnvironmentShutdown { function: f, env: e, reason: ShutdownReason::ProvisionedConcurrencyRemoved });
            }
        }
    }

    /// A provisioned environment's execution ended (the caller has counted it out of `pc_busy`): release it, recycle
    /// it, re-initialise it after a reset, or make it idle again. Returns the shutdown reason to report, if any.
    fn pc_release_env(&mut self, f: FnId, env: u32, reset: bool) -> Option<ShutdownReason> {
        let now = self.k.now();
        let fs = &mut self.fns[f.ix()];
        let en = &mut fs.envs[env as usize];
        let c = en.config as usize;
        fs.pc_live[c] -= 1;
        if en.release {
            en.release = false;
            en.alive = false;
            en.pc = None;
            en.life = en.life.wrapping_add(1);
            en.gen = en.gen.wrapping_add(1);
            fs.free_envs.push(env);
            return Some(ShutdownReason::ProvisionedConcurrencyRemoved);
        }
        if en.recycle || reset {
            // Recycled after its maximum lifetime, or reset by a timeout or crash: Lambda initialises it again off
            // the request path (billed), and it is ready after its init (spec section 6).
            let recycled = en.recycle;
            en.recycle = false;
            en.pc = Some(Pc::Pending);
            en.warm = false;
            en.life = en.life.wrapping_add(1);
            en.gen = en.gen.wrapping_add(1);
            en.created = now;
            let life = en.life;
            self.pc_init(f, env, life);
            return recycled.then_some(ShutdownReason::MaxLifetime);
        }
        en.pc = Some(Pc::Ready);
        en.gen = en.gen.wrapping_add(1);
        fs.pc_idle[c].push(env);
        fs.pc_live[c] += 1;
        None
    }

    /// Start a provisioned environment's init: ready after a drawn init, capped at max(130 s, timeout) (spec 6).
    fn pc_init(&mut self, f: FnId, env: u32, life: u32) {
        let fd = self.model.function(f);
        let fs = &mut self.fns[f.ix()];
        let cfg = fd.config(fs.envs[env as usize].config);
        let init = cfg.init.sample(&mut fs.rng_pc).min(cfg.provisioned_init_limit());
        fs.envs[env as usize].created = self.k.now();
        self.k.schedule_in(init, Ev::PcReady { function: f.0, env, life });
    }

    fn on_pc_start(&mut self, f: FnId, env: u32, life: u32) {
        let en = self.fns[f.ix()].envs[env as usize];
        if en.alive && en.life == life && en.pc == Some(Pc::Pending) {
            self.pc_init(f, env, life);
        }
    }

    fn on_pc_ready(&mut self, f: FnId, env: u32, life: u32) {
        let en = self.fns[f.ix()].envs[env as usize];
        if en.alive && en.life == life && en.pc == Some(Pc::Pending) {
            let init = self.k.now() - en.created;
            self.pc_ready(f, env, init);
            self.pull_waiting(f);
        }
    }

    /// A provisioned environment is ready: idle, warm, and due for recycling after the maximum lifetime.
    fn pc_ready(&mut self, f: FnId, env: u32, init: SimTime) {
        let now = self.k.now();
        let fs = &mut self.fns[f.ix()];
        let en = &mut fs.envs[env as usize];
        en.pc = Some(Pc::Ready);
        en.warm = true;
        en.created = now;
        let (c, life) = (en.config, en.life);
        fs.pc_idle[c as usize].push(env);
        fs.pc_live[c as usize] += 1;
        if let Some(max) = self.model.settings.max_lifetime {
            self.background += 1;
            self.k.schedule_at(now + max, Ev::PcRecycle { function: f.0, env, life });
        }
        self.emit(TraceEvent::ProvisionedReady { function: f, env, config: c, init });
    }

    /// A provisioned environment reaches its maximum lifetime: recycled now if idle, else when its execution ends.
    fn on_pc_recycle(&mut self, f: FnId, env: u32, life: u32) {
        let en = self.fns[f.ix()].envs[env as usize];
        if !en.alive || en.life != life {
            return;
        }
        match en.pc {
            Some(Pc::Busy) => self.fns[f.ix()].envs[env as usize].recycle = true,
            Some(Pc::Ready) => {
                self.last_activity = self.k.now();
                let fs = &mut self.fns[f.ix()];
                fs.pc_idle[en.config as usize].retain(|x| *x != env);
                fs.envs[env as usize].recycle = true;
                // As after an execution: counted out of the live ones, then recycled.
                let reason = self.pc_release_env(f, env, false);
                if let Some(reason) = reason {
                    self.emit(TraceEvent::EnvironmentShutdown { function: f, env, reason });
                }
            }
            _ => {}
        }
    }

    // ----- fates and deliveries

    fn finish(&mut self, slot: u32, fate: Fate) {
        let model = self.model;
        let now = self.k.now();
        // The settings that decide where the event's records go: those of its last execution's version, or of the
        // version it would run now.
        let config = self.inv(slot).map(|i| if i.attempts > 0 { i.cfg } else { self.route(slot) }).unwrap_or(0);
        let inv = self.invs[slot as usize].take().expect("live slot");
        self.free.push(slot);
        self.in_flight -= 1;
        let f = inv.function;
        let fd = model.function(f);
        let cfg = fd.config(config);
        self.emit(TraceEvent::Fate {
            event: inv.id,
            rid: inv.rid,
            function: f,
            fate,
            attempts: inv.attempts,
            latency: now - inv.accepted,
            config,
        });
        if inv.caller.is_sync() {
            // A synchronous invoke: the caller (or the service whose batch it carried) gets the result; Lambda sends
            // nothing to a destination (spec 1).
            self.done(Done { caller: inv.caller, event: inv.id, fate, config, refused: inv.refused });
            return;
        }
        match fate {
            Fate::InFlight | Fate::FunctionError | Fate::Throttled => {}
            Fate::Succeeded => {
                if let Some(t) = cfg.on_success {
                    self.deliver(&inv, t, RecordKind::OnSuccess, "Success", fate);
                }
            }
            _ => {
                let condition = match fate {
                    Fate::ZeroReservedConcurrency => model.settings.zero_reserved_condition.as_str(),
                    other => other.name(),
                };
                if let Some(t) = cfg.on_failure {
                    self.deliver(&inv, t, RecordKind::OnFailure, condition, fate);
                }
                // The DLQ: the version's own, or the function's (`DlqScope`, spec 4, 9.4).
                let dlq = match model.settings.dlq_scope {
                    DlqScope::Version => cfg.dlq,
                    DlqScope::Function => fd.config(self.fns[f.ix()].setup.latest).dlq,
                };
                if let Some(t) = dlq {
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
        // A live target (a queue a mapping reads, a topic or bus) gets the record as a message.
        let live = self.live_target(target);
        let need = self.needs_content || is_lambda || near_limit || live;
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
        if failure.is_none() {
            // A target that rejects deliveries for a while (`DeliveryFailure` faults): the send fails and the record
            // is lost, with the fault's reason (spec 3.1: no retry of destination delivery is documented; spec 4).
            for (i, d) in model.delivery_faults.iter().enumerate() {
                if d.target == target
                    && d.start <= now
                    && now < d.end
                    && (d.probability >= 1.0 || uniform(self.seed, self.fault_salts[i], inv.key, kind as u64) < d.probability)
                {
                    failure = Some(d.reason);
                    break;
                }
            }
        }
        let ev = TraceEvent::Delivered { event: inv.id, function: inv.function, target, kind, failure };
        let ctx = Ctx { model, seed: self.seed, content: if failure.is_none() { content.as_ref() } else { None } };
        self.obs.on_event(now, &ev, &ctx);
        if let (None, true, Some(record)) = (failure, live, content.as_ref()) {
            self.deliver_record(Deliver { target, kind, record, function: inv.function, event: inv.id, hops: inv.hops, key: inv.key });
        }
        if failure.is_none() {
            if let (TargetKind::Lambda(g), Some(c)) = (tk, content) {
                // A Lambda destination invokes the function (the version or alias its ARN names) asynchronously with
                // the record as its payload.
                let size = destinations::json_size(&c);
                self.accept(
                    g,
                    model.target(target).qualifier,
                    Arc::new(c),
                    size,
                    Origin::Destination { parent: inv.id },
                    inv.hops + 1,
                    None,
                    splitmix(inv.key ^ 0xde57 ^ target.ix() as u64),
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
                function_arn: &fd.qualified_arn(inv.qual),
                executed_version: &fd.config(inv.cfg).label(),
                condition,
                invoke_count: inv.attempts,
                payload: &inv.payload,
                last: inv.last.as_ref(),
                at: self.k.now(),
            }),
        }
    }
}

/// Who invoked, and so who is told of the invocation's fate (spec 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
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
    fn is_sync(self) -> bool {
        self != Caller::Async
    }
}

/// An invocation with its fate, handed back to whoever invoked it.
#[derive(Debug, Clone, Copy)]
struct Done {
    caller: Caller,
    event: u64,
    fate: Fate,
    /// The configuration (version) whose settings applied.
    config: u32,
    /// Why it was refused, if it was.
    refused: Option<ThrottleReason>,
}

/// A destination or DLQ record for a live target (a queue a mapping reads, a topic or a bus).
struct Deliver<'a> {
    target: TargetId,
    kind: RecordKind,
    record: &'a Value,
    function: FnId,
    event: u64,
    hops: u32,
    /// The event's key (each delivery derives its own).
    key: u64,
}

/// How an attempt ends: outcome, its cause, the response size, the rule that decided it.
type Decision = (Outcome, Cause, u32, Option<usize>);

/// What the Lambda core asks of whoever invoked it; the dispatcher answers by matching on the caller.
trait Dispatch<'m> {
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
}

impl<'m, O: Observer> Dispatch<'m> for Sim<'m, O> {
    fn decide_batch(&mut self, caller: Caller, rules: &'m [crate::model::Rule], f: FnId, config: u32, salt: u64) -> Option<Decision> {
        match caller {
            Caller::Esm(b) => {
                Some(esm::decide(&mut self.esm, self.model, rules, b, self.seed, salt, &self.response_sizes[f.ix()][config as usize]))
            }
            Caller::Firehose(b) => Some(firehose::decide(&mut self.fh, self.model, rules, b, self.seed, salt)),
            Caller::Async | Caller::Call(_) => None,
        }
    }

    fn batch_records(&self, caller: Caller) -> Option<u64> {
        match caller {
            Caller::Esm(b) => Some(esm::batch_records(&self.esm, b)),
            Caller::Firehose(b) => Some(firehose::batch_records(&self.fh, b)),
            Caller::Async | Caller::Call(_) => None,
        }
    }

    fn done(&mut self, d: Done) {
        match d.caller {
            Caller::Async => {}
            Caller::Call(c) => self.call_done(c, d.event, d.fate, d.refused),
            Caller::Esm(b) => self.esm_batch_done(b, d.fate, d.config),
            Caller::Firehose(b) => self.firehose_done(b, d.fate),
        }
    }

    fn live_target(&self, target: TargetId) -> bool {
        live_queue(self.model, target).is_some() || self.model.fanout.hub_of_target.get(target.ix()).copied().flatten().is_some()
    }

    fn deliver_record(&mut self, d: Deliver<'_>) {
        let model = self.model;
        if let Some(q) = live_queue(model, d.target) {
            // The message body: the original event for a DLQ (spec 4), the record for a destination (spec 3.1).
            let body = match d.kind {
                RecordKind::DeadLetter => crate::sources::text(d.record.get("body").unwrap_or(&Value::Null)),
                _ => serde_json::to_string(d.record).unwrap_or_default(),
            };
            let origin = crate::trace::MsgOrigin::Record { event: d.event };
            self.sqs_send(q, Arc::from(body), origin, splitmix(d.key ^ 0x5e4d), None, None, None);
        }
        if let Some(h) = model.fanout.hub_of_target.get(d.target.ix()).copied().flatten() {
            // A live topic or bus: the record is published there and fans out (spec 3.1, 7).
            let key = splitmix(d.key ^ 0x0fa0_u64 ^ d.target.ix() as u64);
            self.publish_record(h, d.target, d.kind, d.record, d.function, d.event, d.hops, key);
        }
    }
}

/// A queue that a mapping reads is live: a record sent to it becomes a message there (spec 5).
fn live_queue(model: &Model, target: TargetId) -> Option<crate::model::QueueId> {
    model.esm.queue_of_target.get(target.ix()).copied().flatten().filter(|q| !model.esm.queue(*q).mappings.is_empty())
}

/// How an execution may start: on a free provisioned environment, or on demand (a spillover when the version's
/// provisioned environments are all busy).
#[derive(Debug, Clone, Copy)]
struct Admission {
    pc_env: Option<u32>,
    spillover: bool,
}

/// Purpose of the per-event draw that routes an alias's invocations.
const ROUTING_PURPOSE: u64 = 0xa11a5;

/// The gap to the next arrival of a Poisson process of `rate_per_s`, drawn from the source's own stream.
pub(super) fn poisson_gap(rng: &mut ChaCha8Rng, rate_per_s: f64) -> SimTime {
    let x: f64 = Exp1.sample(rng);
    SimTime::from_micros(crate::time::round_u64(x * 1e6 / rate_per_s))
}
