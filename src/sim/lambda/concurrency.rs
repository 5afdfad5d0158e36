//! Execution environments and concurrency (spec section 6): warm reuse and cold starts, idle shutdown, the maximum
//! lifetime, reserved concurrency as cap and guarantee, the account's unreserved pool, the scaling rate (1,000 new
//! environments per 10 s per function, or the older account-wide burst), and provisioned concurrency: pre-initialised
//! environments per version, allocation delay, spillover to on-demand environments, release and recycling.

use std::collections::VecDeque;

use rand_chacha::ChaCha8Rng;

use super::super::{Ev, Sim};
use crate::kernel::rng;
use crate::kernel::time::SimTime;
use crate::model::versions::FnSetup;
use crate::model::FnId;
use crate::trace::{Observer, TraceEvent};
use crate::vocab::{Outcome, ShutdownReason, ThrottleReason};

/// The window of the per-function scaling rate (spec section 6: 1,000 new environments per 10 s).
const SCALING_WINDOW: SimTime = SimTime::from_secs(10);

/// A provisioned environment's state (spec section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Pc {
    /// Waiting for its allocation, or running its init.
    Pending,
    /// Initialised and idle.
    Ready,
    /// Running an execution.
    Busy,
}

/// One execution environment (spec section 6, LIFECYCLE).
#[derive(Debug, Clone, Copy)]
pub(in crate::sim) struct Env {
    /// Initialised; false when new or after a reset (timeout, crash).
    pub(in crate::sim) warm: bool,
    pub(in crate::sim) alive: bool,
    pub(in crate::sim) created: SimTime,
    /// Bumped whenever the environment is taken or released, so a stale idle timer is recognised.
    pub(in crate::sim) gen: u32,
    /// The configuration (version) it runs.
    pub(in crate::sim) config: u32,
    /// Provisioned environments only: their state; `None` for on-demand environments.
    pub(in crate::sim) pc: Option<Pc>,
    /// Bumped whenever a provisioned environment is (re)created or released, so stale timers are recognised.
    pub(in crate::sim) life: u32,
    /// Provisioned, busy: released (provisioned concurrency lowered) or recycled (maximum lifetime) when its execution
    /// ends.
    pub(in crate::sim) release: bool,
    pub(in crate::sim) recycle: bool,
    /// The running execution counts toward the account's unreserved concurrency.
    pub(in crate::sim) unreserved: bool,
}

impl Env {
    pub(in crate::sim) fn on_demand(created: SimTime, config: u32) -> Env {
        Env { warm: false, alive: true, created, gen: 0, config, pc: None, life: 0, release: false, recycle: false, unreserved: false }
    }
}

pub(in crate::sim) struct FnState {
    pub(in crate::sim) busy: u32,
    /// Executions on on-demand and on provisioned environments.
    pub(in crate::sim) od_busy: u32,
    pub(in crate::sim) pc_busy: u32,
    /// Environments by id; ids of shut-down environments are reused.
    pub(in crate::sim) envs: Vec<Env>,
    /// Idle on-demand environments per configuration, most recently used last (reused first).
    pub(in crate::sim) idle: Vec<Vec<u32>>,
    /// Ready, idle provisioned environments per configuration, most recently used last.
    pub(in crate::sim) pc_idle: Vec<Vec<u32>>,
    /// Provisioned environments per configuration (pending, ready or busy, not being released), and those ready or
    /// busy.
    pub(in crate::sim) pc_have: Vec<u32>,
    pub(in crate::sim) pc_live: Vec<u32>,
    /// What the timeline has changed so far (reserved concurrency, `$LATEST`, provisioned concurrency, aliases).
    pub(in crate::sim) setup: FnSetup,
    pub(in crate::sim) rng_pc: ChaCha8Rng,
    pub(in crate::sim) free_envs: Vec<u32>,
    /// Creation times of this function's environments in the last 10 s (per-function scaling model).
    pub(in crate::sim) created_window: VecDeque<SimTime>,
    pub(in crate::sim) rng_env: ChaCha8Rng,
    pub(in crate::sim) waiting: VecDeque<(u32, u32)>,
    pub(in crate::sim) rng_duration: ChaCha8Rng,
    pub(in crate::sim) rng_init: ChaCha8Rng,
    /// Salt of the per-event draws of this function (rules and faults with a probability).
    pub(in crate::sim) draw_salt: u64,
    pub(in crate::sim) rng_retry: ChaCha8Rng,
}

impl FnState {
    pub(in crate::sim) fn new(f: &crate::model::Function, seed: u64) -> FnState {
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
    }
}

/// How an execution may start: on a free provisioned environment, or on demand (a spillover when the version's
/// provisioned environments are all busy).
#[derive(Debug, Clone, Copy)]
pub(in crate::sim) struct Admission {
    pub(in crate::sim) pc_env: Option<u32>,
    pub(in crate::sim) spillover: bool,
}

impl<'m, O: Observer> Sim<'m, O> {
    /// Can an execution of configuration `config` start now? On a free provisioned environment of that version first
    /// (no cold start); else on demand, within concurrency and the scaling rate (a spillover when that version's
    /// provisioned environments are all busy). Consumes a scaling token when a new environment is needed.
    pub(in crate::sim) fn admit(&mut self, f: FnId, config: u32) -> Result<Admission, ThrottleReason> {
        let config = self.model.function(f).environments(config);
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

    /// Room for an on-demand execution (spec section 6): reserved concurrency less the provisioned concurrency it
    /// holds, or the account's unreserved pool. Every execution also stays within the account limit.
    #[inline]
    pub(in crate::sim) fn has_capacity(&self, f: FnId) -> Option<ThrottleReason> {
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
    pub(in crate::sim) fn pc_excess(&self) -> u32 {
        if !self.any_pc {
            return 0;
        }
        self.fns.iter().filter(|s| s.setup.reserved.is_none()).map(|s| s.pc_busy.saturating_sub(s.setup.pc_total())).sum()
    }

    /// Whether an execution may start on a free provisioned environment: reserved concurrency and the account limit
    /// still cap every execution.
    pub(in crate::sim) fn pc_capacity(&self, f: FnId) -> Option<ThrottleReason> {
        let fs = &self.fns[f.ix()];
        if self.account_busy >= self.model.account_limit {
            return Some(ThrottleReason::AccountConcurrency);
        }
        match fs.setup.reserved {
            Some(r) if fs.busy >= r => Some(ThrottleReason::ReservedConcurrency),
            _ => None,
        }
    }

    /// A new environment is needed and the scaling rate has none to give (spec section 6): 1,000 per 10 s per
    /// function, refilled continuously, or the older account-wide burst. Consumes a token when one is given.
    pub(in crate::sim) fn scaling_refusal(&mut self, f: FnId, config: u32) -> Option<ThrottleReason> {
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

    /// Take the environment the admission names, a warm idle one, or a new one (spec section 6), and count the
    /// execution in. Returns (environment, cold start, new environment).
    pub(in crate::sim) fn take_env(&mut self, f: FnId, config: u32, admission: Admission) -> (u32, bool, bool) {
        let config = self.model.function(f).environments(config);
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

    /// Free the environment of an execution that ended with `outcome` and count the execution out: a timeout or
    /// crash resets it, so its next use runs init again (spec section 1). Returns the shutdown to report, if any.
    pub(in crate::sim) fn release_env(&mut self, f: FnId, env: u32, outcome: Outcome) -> Option<ShutdownReason> {
        let model = self.model;
        let now = self.k.now();
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
        shutdown
    }

    /// An idle timer fired: shut the environment down if it has stayed idle (spec section 6).
    pub(in crate::sim) fn on_env_idle(&mut self, f: FnId, env: u32, gen: u32) {
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
        self.handler_env_ended(f, env);
    }

    /// Change `index` of the timeline applies to function `f` (reserved or provisioned concurrency, `$LATEST`, an
    /// alias): the account's unreserved pool follows, provisioned environments are added or released, and waiting
    /// events may start (spec 6).
    pub(in crate::sim) fn function_change(&mut self, index: u32, f: FnId) {
        let model = self.model;
        let change = &model.changes[index as usize];
        self.fns[f.ix()].setup.apply(&change.kind);
        let reserved: u64 = self.fns.iter().filter_map(|s| s.setup.reserved).map(u64::from).sum();
        let pc: u64 = self.fns.iter().filter(|s| s.setup.reserved.is_none()).map(|s| u64::from(s.setup.pc_total())).sum();
        self.unreserved_pool = u64::from(model.account_limit).saturating_sub(reserved + pc) as u32;
        self.emit(TraceEvent::ConfigChange { change: index });
        self.pc_rebalance(f, false);
        self.pull_waiting(f);
    }

    /// Bring the provisioned environments of each configuration of `f` to what its setup asks for: new ones after
    /// the allocation delay (at once and already initialised for the scenario's own, `initial`), surplus ones
    /// released (pending first, then idle, then busy ones when their execution ends).
    pub(in crate::sim) fn pc_rebalance(&mut self, f: FnId, initial: bool) {
        let model = self.model;
        let fd = model.function(f);
        // provisioned environments of a configuration copied by an EventInvokeConfig change are the original's
        let mut want = vec![0; fd.configs.len()];
        for (c, n) in self.fns[f.ix()].setup.pc_by_config(fd.configs.len()).into_iter().enumerate() {
            want[fd.environments(c as u32) as usize] += n;
        }
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

    pub(in crate::sim) fn pc_allocate(&mut self, f: FnId, config: u32, initial: bool) {
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
    pub(in crate::sim) fn pc_release(&mut self, f: FnId, config: u32, n: u32) {
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
                self.handler_env_ended(f, e);
            }
        }
    }

    /// A provisioned environment's execution ended (the caller has counted it out of `pc_busy`): release it, recycle
    /// it, re-initialise it after a reset, or make it idle again. Returns the shutdown reason to report, if any.
    pub(in crate::sim) fn pc_release_env(&mut self, f: FnId, env: u32, reset: bool) -> Option<ShutdownReason> {
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
    pub(in crate::sim) fn pc_init(&mut self, f: FnId, env: u32, life: u32) {
        let fd = self.model.function(f);
        let fs = &mut self.fns[f.ix()];
        let cfg = fd.config(fs.envs[env as usize].config);
        let init = cfg.init.sample(&mut fs.rng_pc).min(cfg.provisioned_init_limit());
        fs.envs[env as usize].created = self.k.now();
        self.k.schedule_in(init, Ev::PcReady { function: f.0, env, life });
    }

    pub(in crate::sim) fn on_pc_start(&mut self, f: FnId, env: u32, life: u32) {
        let en = self.fns[f.ix()].envs[env as usize];
        if en.alive && en.life == life && en.pc == Some(Pc::Pending) {
            self.pc_init(f, env, life);
        }
    }

    pub(in crate::sim) fn on_pc_ready(&mut self, f: FnId, env: u32, life: u32) {
        let en = self.fns[f.ix()].envs[env as usize];
        if en.alive && en.life == life && en.pc == Some(Pc::Pending) {
            let init = self.k.now() - en.created;
            self.pc_ready(f, env, init);
            self.pull_waiting(f);
        }
    }

    /// A provisioned environment is ready: idle, warm, and due for recycling after the maximum lifetime.
    pub(in crate::sim) fn pc_ready(&mut self, f: FnId, env: u32, init: SimTime) {
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
    pub(in crate::sim) fn on_pc_recycle(&mut self, f: FnId, env: u32, life: u32) {
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
                // Recycled: a fresh environment is initialised in its place.
                self.handler_env_ended(f, env);
            }
            _ => {}
        }
    }
}
