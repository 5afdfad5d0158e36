//! Built-in invariant monitor, run in every run. A breach is a bug in lambdasim (exit code 3), never a user error:
//! - every accepted event reaches exactly one fate (spec section 10, and the ledger rule of the project);
//! - executions per event never exceed `MaximumRetryAttempts + 1` (spec 10.2);
//! - no execution starts after the event's maximum age (spec 10.3);
//! - concurrency never exceeds reserved concurrency, nor the account limit in total (spec 10.6), with the limits in
//!   force at the time (changes on the timeline);
//! - provisioned concurrency (spec section 6): an execution runs on a provisioned environment only when one is ready
//!   and idle, and never on demand while a provisioned environment of its version is ready and idle (no cold start
//!   while provisioned concurrency is free).
//! - every message sent to a queue reaches exactly one fate; no message is received more than its queue's
//!   `maxReceiveCount` times (spec 5.2);
//! - every stream record reaches exactly one fate for each mapping of its stream (one if none reads it), and a mapping
//!   without `ParallelizationFactor` processes each shard's records in sequence order (spec 5.3).
//! - every message published to a topic or event put on a bus reaches exactly one fate at each endpoint it matched
//!   (`Fanout`: delivered, discarded, dead-lettered or in flight), and none at an endpoint twice (spec 7).
//! - every record put into a Firehose delivery stream reaches exactly one fate (delivered, dropped, processing
//!   failed, too large or in flight).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::kernel::time::SimTime;
use crate::model::versions::{Qualifier, Setups};
use crate::model::{Function, Model};
use crate::observe::window::EventWindow;
use crate::trace::{kind, Ctx, Observer, TraceEvent};
use crate::vocab::Outcome;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// When the invariant broke.
    pub at: SimTime,
    /// The invocation concerned, if one.
    pub event: Option<u64>,
    /// What broke.
    pub message: String,
}

/// What the monitor knows of a provisioned environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PcEnv {
    Idle(u32),
    Busy(u32),
    /// Re-initialising after a reset (timeout or crash).
    Initialising,
}

/// An event in flight as the monitor follows it (its own bookkeeping, apart from the metrics': an independent check).
#[derive(Debug, Clone, Copy)]
struct OpenEvent {
    accepted: SimTime,
    /// Executions seen so far.
    attempts: u32,
    /// The configuration of the last execution (its `MaximumRetryAttempts` allows the next one or not).
    config: u32,
}

/// Watches the trace for broken invariants.
pub struct Monitor {
    /// Events accepted and not yet at their fate.
    open: EventWindow<OpenEvent>,
    busy: Vec<u32>,
    total_busy: u32,
    breaches: Vec<Breach>,
    limit_reported: bool,
    /// Per function: creation times of environments in the last 10 s (spec 10.6).
    created: Vec<VecDeque<SimTime>>,
    scaling_reported: bool,
    /// Messages in queues.
    msgs: BTreeSet<u64>,
    /// Stream records still owed fates: (stream, shard, seq) -> fates left.
    records: BTreeMap<(u32, u32, u64), u32>,
    /// Last processed sequence number per (mapping, shard), for mappings with ParallelizationFactor 1.
    last_processed: BTreeMap<(u32, u32), u64>,
    /// The limits in force (changes on the timeline).
    setups: Setups,
    /// Per function and environment id: provisioned environments.
    pc: Vec<Vec<Option<PcEnv>>>,
    /// Per function and configuration: provisioned environments ready and idle.
    pc_idle: Vec<Vec<u32>>,
    /// Some environment has been provisioned (until then every `pc` entry is `None` and every `pc_idle` count 0).
    pc_seen: bool,
    pc_reported: bool,
    /// Published messages and events still owed fates: msg -> (fates left, endpoints that had one).
    published: BTreeMap<u64, (u32, Vec<u32>)>,
    /// Firehose records put and still owed their one fate.
    firehose_records: BTreeSet<u64>,
    /// Events in flight that were invoked through an alias: their asynchronous settings are the alias's (spec 2).
    through_alias: BTreeMap<u64, Qualifier>,
}

const MAX_BREACHES: usize = 100;

impl Monitor {
    /// A monitor of the invariants of a run of `model`.
    pub fn new(model: &Model) -> Self {
        Monitor {
            open: EventWindow::default(),
            busy: vec![0; model.functions.len()],
            total_busy: 0,
            breaches: vec![],
            limit_reported: false,
            created: vec![VecDeque::new(); model.functions.len()],
            scaling_reported: false,
            msgs: BTreeSet::new(),
            records: BTreeMap::new(),
            last_processed: BTreeMap::new(),
            setups: Setups::new(model),
            pc: vec![vec![]; model.functions.len()],
            pc_idle: model.functions.iter().map(|f| vec![0; f.configs.len()]).collect(),
            pc_seen: false,
            pc_reported: false,
            published: BTreeMap::new(),
            firehose_records: BTreeSet::new(),
            through_alias: BTreeMap::new(),
        }
    }

    fn pc_set(&mut self, f: usize, env: u32, state: Option<PcEnv>) {
        self.pc_seen |= state.is_some();
        let envs = &mut self.pc[f];
        if envs.len() <= env as usize {
            envs.resize(env as usize + 1, None);
        }
        if let Some(PcEnv::Idle(c)) = envs[env as usize] {
            self.pc_idle[f][c as usize] -= 1;
        }
        if let Some(PcEnv::Idle(c)) = state {
            self.pc_idle[f][c as usize] += 1;
        }
        envs[env as usize] = state;
    }

    fn breach(&mut self, at: SimTime, event: Option<u64>, message: String) {
        if self.breaches.len() < MAX_BREACHES {
            self.breaches.push(Breach { at, event, message });
        }
    }

    /// Close the run: any event without a fate is a breach.
    pub fn finish(mut self, end: SimTime) -> Vec<Breach> {
        for e in self.open.ids() {
            self.breach(end, Some(e), format!("event {e} was accepted but reached no fate"));
        }
        for m in std::mem::take(&mut self.msgs) {
            self.breach(end, None, format!("message {m} was sent but reached no fate"));
        }
        for (m, (n, _)) in std::mem::take(&mut self.published) {
            self.breach(end, None, format!("published message {m} is missing {n} delivery fate(s)"));
        }
        for ((s, shard, seq), n) in std::mem::take(&mut self.records) {
            self.breach(end, None, format!("record {seq} of stream {s} shard {shard} is missing {n} fate(s)"));
        }
        for r in std::mem::take(&mut self.firehose_records) {
            self.breach(end, None, format!("firehose record {r} was put but reached no fate"));
        }
        self.breaches
    }
}

impl Monitor {
    /// The kinds of events the monitor reads (see [`Observer::interest`]): none of those it ignores.
    pub const INTEREST: u64 = !(kind::REJECTED
        | kind::RETRY_SCHEDULED
        | kind::THROTTLED
        | kind::QUEUED
        | kind::DELIVERED
        | kind::CALL_RESULT
        | kind::MESSAGE_RETURNED
        | kind::BATCH_START
        | kind::BATCH_END
        | kind::RULE_MATCHED
        | kind::PUBLISH_DEDUPLICATED
        | kind::HANDLER_REPLY
        | kind::FIREHOSE_INVOKE
        | kind::FIREHOSE_INVOKE_END);
}

impl Observer for Monitor {
    fn interest(&self) -> crate::trace::Interest {
        crate::trace::Interest(Monitor::INTEREST)
    }

    /// Watch one trace event.
    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        // Each family of events is watched by a function of its own. This match names every variant, so a new one
        // must be given a family (the families' `_` arms are never reached).
        use TraceEvent as E;
        match ev {
            E::Accepted { .. }
            | E::Rejected { .. }
            | E::AttemptStart { .. }
            | E::AttemptEnd { .. }
            | E::RetryScheduled { .. }
            | E::Throttled { .. }
            | E::Queued { .. }
            | E::Fate { .. } => self.on_invocation(t, ev, ctx),
            E::Delivered { .. }
            | E::CallResult { .. }
            | E::EnvironmentShutdown { .. }
            | E::ProvisionedReady { .. }
            | E::ConfigChange { .. } => self.on_environment(ev, ctx),
            E::MessageSent { .. } | E::MessageReceived { .. } | E::MessageReturned { .. } | E::MessageFate { .. } => {
                self.on_message(t, ev, ctx)
            }
            E::RecordPut { .. } | E::RecordFate { .. } | E::BatchStart { .. } | E::BatchEnd { .. } => self.on_record(t, ev, ctx),
            E::Published { .. } | E::RuleMatched { .. } | E::PublishDeduplicated { .. } | E::Fanout { .. } => self.on_fanout(t, ev),
            E::FirehoseRecordPut { .. } | E::FirehoseInvoke { .. } | E::FirehoseInvokeEnd { .. } | E::FirehoseRecordFate { .. } => {
                self.on_firehose(t, ev)
            }
            // What real code answered is for the digest and the trace; figures and invariants come from the
            // lifecycle events around it.
            E::HandlerReply { .. } => {}
        }
    }
}

impl Monitor {
    /// The invocation lifecycle: one fate per accepted event, executions per event, event age, concurrency and
    /// provisioned environments.
    #[inline]
    fn on_invocation(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            // Records every accepted event; it fails when the event was accepted twice, or is older than the oldest
            // event in flight.
            TraceEvent::Accepted { event, qualifier, .. } => {
                if !self.open.insert(*event, OpenEvent { accepted: t, attempts: 0, config: 0 }) {
                    self.breach(t, Some(*event), format!("event {event} was accepted twice"));
                }
                if matches!(qualifier, Qualifier::Alias(_)) {
                    self.through_alias.insert(*event, *qualifier);
                }
            }
            TraceEvent::AttemptStart { event, function, attempt, new_env, env, config, provisioned, .. } => {
                let f = ctx.model.function(*function);
                let i = function.ix();
                if *provisioned {
                    let state = self.pc[i].get(*env as usize).copied().flatten();
                    if state != Some(PcEnv::Idle(*config)) {
                        self.breach(
                            t,
                            Some(*event),
                            format!(
                                "event {event} ran on provisioned environment {env} of {}, which was not ready and idle ({state:?})",
                                f.name
                            ),
                        );
                    }
                    self.pc_set(i, *env, Some(PcEnv::Busy(*config)));
                } else if self.pc_seen && self.pc_idle[i].get(*config as usize).is_some_and(|n| *n > 0) && !self.pc_reported {
                    self.pc_reported = true;
                    self.breach(
                        t,
                        Some(*event),
                        format!(
                            "event {event} of {} ran on demand{} while a provisioned environment of its version was free",
                            f.name,
                            if *new_env { " (a cold start)" } else { "" }
                        ),
                    );
                }
                if *new_env && ctx.model.settings.scaling.per_function {
                    let sc = ctx.model.settings.scaling;
                    let w = &mut self.created[function.ix()];
                    while w.front().is_some_and(|x| t - *x >= SimTime::from_secs(10)) {
                        w.pop_front();
                    }
                    w.push_back(t);
                    if w.len() as f64 > sc.burst && !self.scaling_reported {
                        self.scaling_reported = true;
                        let n = w.len();
                        self.breach(
                            t,
                            Some(*event),
                            format!("function {}: {n} new environments within 10 s exceed the scaling limit {}", f.name, sc.burst),
                        );
                    }
                }
                self.execution_starts(t, *event, *attempt, *config, f);
                self.busy[i] += 1;
                self.total_busy += 1;
                if let Some(r) = self.setups.fns[i].reserved {
                    if self.busy[i] > r {
                        self.breach(
                            t,
                            Some(*event),
                            format!("function {}: {} concurrent executions exceed reserved concurrency {r}", f.name, self.busy[i]),
                        );
                    }
                }
                if self.total_busy > ctx.model.account_limit && !self.limit_reported {
                    self.limit_reported = true;
                    self.breach(
                        t,
                        Some(*event),
                        format!("{} concurrent executions exceed the account limit {}", self.total_busy, ctx.model.account_limit),
                    );
                }
            }
            TraceEvent::AttemptEnd { function, env, outcome, .. } => {
                let i = function.ix();
                self.busy[i] -= 1;
                self.total_busy -= 1;
                if let Some(Some(PcEnv::Busy(c))) = self.pc_seen.then(|| self.pc[i].get(*env as usize).copied()).flatten() {
                    // Idle again, unless a timeout or crash reset it (then it initialises again off the request path);
                    // a release or recycle follows as an EnvironmentShutdown.
                    let next = if matches!(outcome, Outcome::Timeout | Outcome::Crash) { PcEnv::Initialising } else { PcEnv::Idle(c) };
                    self.pc_set(i, *env, Some(next));
                }
            }
            TraceEvent::Fate { event, attempts, .. } => match self.open.remove(*event).inspect(|_| {
                if !self.through_alias.is_empty() {
                    self.through_alias.remove(event);
                }
            }) {
                None => self.breach(t, Some(*event), format!("event {event} reached a second fate, or a fate without being accepted")),
                Some(o) => {
                    if o.attempts != *attempts {
                        self.breach(
                            t,
                            Some(*event),
                            format!("event {event}: fate reports {attempts} executions, {} were seen", o.attempts),
                        );
                    }
                }
            },
            TraceEvent::Rejected { .. } | TraceEvent::RetryScheduled { .. } | TraceEvent::Throttled { .. } | TraceEvent::Queued { .. } => {}
            _ => unreachable!("on_invocation: not an event of its family"),
        }
    }

    /// An execution of `event` starts, numbered `attempt`, on configuration `config` of function `f`: it is in flight,
    /// its number follows the executions seen, a retry was allowed by the previous execution's version (spec 10.2),
    /// and the event is not past its maximum age (spec 10.3).
    #[inline]
    fn execution_starts(&mut self, t: SimTime, event: u64, attempt: u32, config: u32, f: &Function) {
        let seen = self.open.get_mut(event).map(|o| {
            o.attempts += 1;
            let seen = (o.attempts, o.accepted, o.config);
            o.config = config;
            seen
        });
        match seen {
            None => self.breach(t, Some(event), format!("event {event} started an execution without being in flight")),
            Some((attempts, accepted, previous)) => {
                if attempts != attempt {
                    self.breach(t, Some(event), format!("event {event}: execution numbered {attempt} but {attempts} were seen"));
                }
                // A retry follows an execution whose version (or the alias invoked) allowed it (spec 10.2).
                let qual = if self.through_alias.is_empty() {
                    Qualifier::Latest
                } else {
                    self.through_alias.get(&event).copied().unwrap_or(Qualifier::Latest)
                };
                let allowed = f.async_settings(previous, qual).max_retries;
                if attempts > 1 && attempts > allowed + 1 {
                    self.breach(t, Some(event), format!("event {event}: execution {attempts} exceeds MaximumRetryAttempts {allowed} + 1"));
                }
                let max_age = f.async_settings(config, qual).max_age;
                if t > accepted + max_age {
                    self.breach(
                        t,
                        Some(event),
                        format!("event {event}: execution starts {} after accept, past MaximumEventAgeInSeconds {max_age}", t - accepted,),
                    );
                }
            }
        }
    }

    /// Configuration changes and provisioned environments becoming ready or shutting down.
    fn on_environment(&mut self, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::ConfigChange { change } => self.setups.apply(ctx.model, *change),
            TraceEvent::ProvisionedReady { function, env, config, .. } => self.pc_set(function.ix(), *env, Some(PcEnv::Idle(*config))),
            TraceEvent::EnvironmentShutdown { function, env, .. } => {
                if self.pc[function.ix()].get(*env as usize).is_some_and(|x| x.is_some()) {
                    self.pc_set(function.ix(), *env, None);
                }
            }
            TraceEvent::Delivered { .. } | TraceEvent::CallResult { .. } => {}
            _ => unreachable!("on_environment: not an event of its family"),
        }
    }

    /// SQS messages: one fate per message sent, and no more receives than `maxReceiveCount` (spec 5.2).
    fn on_message(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::MessageSent { msg, .. } => {
                if !self.msgs.insert(*msg) {
                    self.breach(t, None, format!("message {msg} was sent twice"));
                }
            }
            TraceEvent::MessageFate { msg, .. } => {
                if !self.msgs.remove(msg) {
                    self.breach(t, None, format!("message {msg} reached a second fate, or a fate without being sent"));
                }
            }
            TraceEvent::MessageReceived { queue, msg, receives, .. } => {
                if !self.msgs.contains(msg) {
                    self.breach(t, None, format!("message {msg} was received but is not in a queue"));
                }
                if let Some((_, max)) = ctx.model.esm.queue(*queue).redrive {
                    if *receives > max {
                        self.breach(
                            t,
                            None,
                            format!("message {msg}: receive {receives} exceeds maxReceiveCount {max}; it should have been redriven"),
                        );
                    }
                }
            }
            TraceEvent::MessageReturned { .. } => {}
            _ => unreachable!("on_message: not an event of its family"),
        }
    }

    /// Stream records: one fate per record and mapping, and shards processed in sequence order (spec 5.3).
    fn on_record(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::RecordPut { stream, shard, seq, .. } => {
                let n = ctx.model.esm.stream(*stream).mappings.len().max(1) as u32;
                if self.records.insert((stream.0, *shard, *seq), n).is_some() {
                    self.breach(t, None, format!("record {seq} of stream {} shard {shard} was put twice", stream.0));
                }
            }
            TraceEvent::RecordFate { stream, shard, seq, mapping, fate, .. } => {
                let k = (stream.0, *shard, *seq);
                match self.records.get_mut(&k) {
                    None => {
                        self.breach(t, None, format!("record {seq} of stream {} shard {shard} reached a fate it did not owe", stream.0))
                    }
                    Some(n) => {
                        *n -= 1;
                        if *n == 0 {
                            self.records.remove(&k);
                        }
                    }
                }
                if let (Some(m), crate::vocab::RecordFate::Processed) = (mapping, fate) {
                    if ctx.model.esm.mapping(*m).parallelization == 1 {
                        let last = self.last_processed.insert((m.0, *shard), *seq);
                        if last.is_some_and(|l| l >= *seq) {
                            self.breach(
                                t,
                                None,
                                format!(
                                    "mapping {}: record {seq} of shard {shard} processed after record {}",
                                    ctx.model.esm.mapping(*m).label,
                                    last.unwrap_or(0)
                                ),
                            );
                        }
                    }
                }
            }
            TraceEvent::BatchStart { .. } | TraceEvent::BatchEnd { .. } => {}
            _ => unreachable!("on_record: not an event of its family"),
        }
    }

    /// Topics and buses: one fate at each endpoint a published message matched, none twice (spec 7).
    fn on_fanout(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::Published { msg, matched, .. } => {
                if *matched > 0 && self.published.insert(*msg, (*matched, vec![])).is_some() {
                    self.breach(t, None, format!("published message {msg} was published twice"));
                }
            }
            TraceEvent::Fanout { msg, endpoint, .. } => match self.published.get_mut(msg) {
                None => self.breach(t, None, format!("published message {msg}: a delivery fate beyond those it matched")),
                Some((left, seen)) => {
                    if seen.contains(endpoint) {
                        self.breach(t, None, format!("published message {msg}: endpoint {endpoint} reached a second fate"));
                    } else {
                        seen.push(*endpoint);
                        *left -= 1;
                        if *left == 0 {
                            self.published.remove(msg);
                        }
                    }
                }
            },
            TraceEvent::RuleMatched { .. } | TraceEvent::PublishDeduplicated { .. } => {}
            _ => unreachable!("on_fanout: not an event of its family"),
        }
    }

    /// Firehose: one fate per record put.
    fn on_firehose(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::FirehoseRecordPut { record, .. } => {
                if !self.firehose_records.insert(*record) {
                    self.breach(t, None, format!("firehose record {record} was put twice"));
                }
            }
            TraceEvent::FirehoseRecordFate { record, .. } => {
                if !self.firehose_records.remove(record) {
                    self.breach(t, None, format!("firehose record {record} reached a second fate, or a fate without being put"));
                }
            }
            TraceEvent::FirehoseInvoke { .. } | TraceEvent::FirehoseInvokeEnd { .. } => {}
            _ => unreachable!("on_firehose: not an event of its family"),
        }
    }
}
