//! The simulation: one run of a model under one seed, on the kernel. This module is the dispatcher: it owns the
//! kernel events (`Ev`) and the `match` over them, and routes between the Lambda core and the services. The Lambda
//! core (`lambda`, spec 1, 2, 3, 4, 6) hands back what concerns a service through `lambda::Dispatch`, which this
//! module implements by matching on the invocation's `lambda::Caller`: a finished synchronous invocation
//! (`lambda::Done`) goes to the event source mapping, the Firehose stream or the synchronous caller that invoked it;
//! a record for a live target (`lambda::Deliver`) to the queue, topic or bus. The services: queues, streams and
//! event source mappings (`esm`, spec 5), topics and buses (`fanout`, spec 7), Firehose (`firehose`); the arrival
//! driver (`workload`). Configuration changes on the timeline (`Changes`) apply here (spec 3.1, 6).
//!
//! Data flows one way: the validated [`Model`] drives the loop, the loop emits [`TraceEvent`]s, observers consume
//! them. Kernel events are a plain `enum` dispatched by `match`.
//!
//! Who imports whom inside `sim`: `lambda` (and its children) import only this module's `Ev` and `Sim`; the services
//! may use `lambda` and `workload`; only this module names them all.

pub mod budget;
mod dedup;
mod esm;
mod fanout;
mod firehose;
mod lambda;
mod workload;
pub use budget::{BudgetExceeded, DEFAULT_MAX_EVENTS};

use std::sync::Arc;

use serde_json::Value;

use crate::handler::{HandlerFailure, Handlers};
use crate::kernel::rng::{self, splitmix};
use crate::kernel::time::SimTime;
use crate::kernel::{Class, Kernel};
use crate::model::{FnId, Model, TargetId};
use crate::trace::{Ctx, Observer, TraceEvent};
use crate::vocab::{Fate, RecordKind};
use lambda::{Caller, Decision, Deliver, Dispatch, Done, FnState, HandlerHook, Inv};
use workload::{Call, Feed, Feeds};

/// Kernel events.
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// The next arrival of a workload source is due.
    Arrival { feed: Feed },
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

/// What a finished run reports beside its trace.
#[derive(Debug, Clone)]
pub struct RunStats {
    /// The seed the run used.
    pub seed: u64,
    /// Simulated time of the last event.
    pub end_time: SimTime,
    /// Kernel events processed.
    pub kernel_events: u64,
    /// Invocations accepted.
    pub accepted: u64,
    /// Invocations refused before queueing or running (`Rejected`).
    pub rejected: u64,
    /// The most invocations accepted and not yet at their fate at once.
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
    /// Per target: live (a queue a mapping reads, a topic or a bus of this run), computed once.
    live_targets: Vec<bool>,
    /// The arrival state of every workload source, producer and publisher.
    feeds: Feeds,
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
    /// The user's handler code, when some function is served by it.
    hook: Option<HandlerHook<'m>>,
    /// The run budget (`budget`): kernel events, and live state (0: no limit).
    max_events: u64,
    max_live: u64,
    /// The budget was exceeded: the run stopped there.
    over_budget: Option<BudgetExceeded>,
    obs: O,
}

/// Why a run stopped before its end.
#[derive(Debug)]
pub(crate) enum Stopped {
    /// The handler machinery failed.
    Handler(HandlerFailure),
    /// The run budget was exceeded.
    Budget(BudgetExceeded),
}

impl<'m, O: Observer> Sim<'m, O> {
    /// A simulation of `model` under `seed`, reporting to `obs`; nothing has run yet.
    pub fn new(model: &'m Model, seed: u64, obs: O) -> Self {
        let fns = model.functions.iter().map(|f| FnState::new(f, seed)).collect();
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
            live_targets: (0..model.targets.len())
                .map(|t| {
                    let t = TargetId(t as u32);
                    live_queue(model, t).is_some() || model.fanout.hub_of_target.get(t.ix()).copied().flatten().is_some()
                })
                .collect(),
            feeds: Feeds::new(model, seed),
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
            esm: esm::EsmRt::new(model),
            fan: fanout::FanRt::new(model),
            fh: firehose::FhRt::new(model),
            hook: None,
            max_events: 0,
            max_live: 0,
            over_budget: None,
            obs,
        };
        // Changes on the timeline apply before everything else at the same instant (their kernel class says so).
        for (i, c) in model.changes.iter().enumerate() {
            sim.k.schedule_class_at(c.at, Class::Setup, Ev::Change { index: i as u32 });
        }
        // First arrivals: workload sources, producers, publishers, then the schedules of bus rules.
        let feeds: Vec<Feed> = sim.feeds.all().collect();
        for feed in feeds {
            sim.start_feed(feed);
        }
        sim.fanout_start();
        sim
    }

    /// Test-only: lengthen the `n`-th handler-duration draw by 1 us, to prove that determinism checks catch a change.
    #[doc(hidden)]
    pub fn perturb_for_testing(mut self, n: Option<u64>) -> Self {
        self.perturb = n;
        self
    }

    /// Stop the run with [`BudgetExceeded`] (from [`Sim::try_run`]) when it processes more than `max_events` kernel
    /// events or its live state grows past `budget::live_limit(max_events)`; 0: no limit (the default of `Sim::new`).
    pub(crate) fn with_budget(mut self, max_events: u64) -> Self {
        self.max_events = max_events;
        self.max_live = budget::live_limit(max_events);
        self
    }

    /// Serve the functions that `handlers` serves with that code (its [`Handlers::bind`] has been called).
    /// `measured`: take each served attempt's duration from the handler's measured wall time times this scale
    /// instead of the `Duration` model (the run is then not reproducible). Run with [`Sim::try_run`].
    pub(crate) fn with_handlers(mut self, handlers: &'m mut dyn Handlers, measured: Option<f64>) -> Self {
        let served: Vec<bool> = (0..self.model.functions.len()).map(|i| handlers.serves(FnId(i as u32))).collect();
        if served.iter().any(|x| *x) {
            handlers.measure_wall_time(measured.is_some());
            self.hook = Some(HandlerHook { handlers, served, measured, failure: None, ids: Default::default() });
        }
        self
    }

    /// Run to the end and hand back the observer, or the failure of the handler machinery that stopped the run.
    pub(crate) fn try_run(self) -> Result<(O, RunStats), Stopped> {
        let (obs, stats, failure) = self.run_inner();
        match failure {
            Some(f) => Err(f),
            None => Ok((obs, stats)),
        }
    }

    fn run_inner(mut self) -> (O, RunStats, Option<Stopped>) {
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
            if self.max_events > 0 && self.k.processed() >= self.max_events && self.k.pending() > 0 {
                self.exceeded("kernel events processed", self.k.processed() + 1, self.max_events);
                break;
            }
            let Some(ev) = self.k.pop() else { break };
            if !matches!(ev, Ev::Expire { .. } | Ev::EnvIdle { .. } | Ev::PcRecycle { .. } | Ev::Esm(_) | Ev::Firehose(_)) {
                self.last_activity = self.k.now();
            }
            match ev {
                Ev::Arrival { feed } => self.on_arrival(feed),
                Ev::AttemptEnd { slot, env } => self.on_attempt_end(slot, env),
                Ev::Retry { slot } => self.try_start(slot),
                Ev::Expire { slot, gen } => self.on_expire(slot, gen),
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
                Ev::CallTimeout { call, attempt } => self.on_call_timeout(call, attempt),
            }
            if self.hook.as_ref().is_some_and(|h| h.failure.is_some()) {
                // The handler machinery failed (a runtime that cannot start or never answers): the run stops.
                break;
            }
            if self.max_live > 0 {
                let mut live = (self.in_flight + self.k.pending()) as u64;
                // Messages and records waiting in queues and streams hold memory too (counted every 1,024 events:
                // a sum over shards).
                if self.k.processed().is_multiple_of(1024) {
                    live += self.esm.stored();
                }
                if live > self.max_live {
                    self.exceeded("invocations in flight, pending kernel events and stored messages", live, self.max_live);
                    break;
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
        let failure = match self.hook.take().and_then(|h| h.failure) {
            Some(f) => Some(Stopped::Handler(f)),
            None => self.over_budget.take().map(Stopped::Budget),
        };
        (self.obs, stats, failure)
    }

    /// The budget is exceeded: note what grew; the loop stops.
    fn exceeded(&mut self, what: &str, reached: u64, limit: u64) {
        self.over_budget =
            Some(BudgetExceeded { path: None, what: what.into(), reached, limit, max_events: self.max_events, at: Some(self.k.now()) });
    }

    #[inline]
    fn emit(&mut self, ev: TraceEvent) {
        let ctx = Ctx { model: self.model, seed: self.seed, content: None };
        self.obs.on_event(self.k.now(), &ev, &ctx);
    }

    /// A change on the timeline applies (spec section 6; `Changes`): attempts starting from now on see it.
    fn on_change(&mut self, index: u32) {
        let model = self.model;
        let change = &model.changes[index as usize];
        if let crate::model::versions::ChangeKind::MappingEnabled { mapping, enabled } = change.kind {
            self.emit(TraceEvent::ConfigChange { change: index });
            self.esm_set_enabled(mapping, enabled);
            return;
        }
        let Some(f) = change.kind.function() else { return };
        self.function_change(index, f);
        self.esm_function_changed(f);
    }
}

impl<'m, O: Observer> Sim<'m, O> {
    /// Arrival `n` of a feed, with its key, goes to the service the feed belongs to.
    fn arrive(&mut self, feed: Feed, n: u64, key: u64) {
        match feed {
            Feed::Source(i) => self.source_arrival(i as usize, n, key),
            Feed::Producer(i) => self.produce(i as usize, n, key),
            Feed::Publisher(i) => self.on_publish(i as usize, n, key),
            Feed::Firehose(i) => self.firehose_put(i as usize, n, key),
        }
    }
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

    fn handled_batch_response(&mut self, caller: Caller, response: Option<&Value>) {
        match caller {
            Caller::Esm(b) => esm::handled_response(&mut self.esm, self.model, b, response),
            // Firehose reads the `records` of the response; anything else fails the batch (`InvalidResponse`).
            Caller::Firehose(b) => firehose::set_response(&mut self.fh, b, response.cloned().unwrap_or(Value::Null)),
            Caller::Async | Caller::Call(_) => {}
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

    #[inline]
    fn live_target(&self, target: TargetId) -> bool {
        self.live_targets.get(target.ix()).copied().unwrap_or(false)
    }

    fn deliver_record(&mut self, d: Deliver<'_>) {
        let model = self.model;
        if let Some(q) = live_queue(model, d.target) {
            // The message body: the original event for a DLQ (spec 4), the record for a destination (spec 3.1).
            let body = match d.kind {
                RecordKind::DeadLetter => crate::aws::events::text(d.record.get("body").unwrap_or(&Value::Null)),
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
