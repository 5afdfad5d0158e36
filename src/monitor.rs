//! Built-in invariant monitor, run in every run. A breach is a bug in lambdasim (exit code 3), never a user error:
//! - every accepted event reaches exactly one fate (spec section 10, and the ledger rule of the project);
//! - executions per event never exceed `MaximumRetryAttempts + 1` (spec 10.2);
//! - no execution starts after the event's maximum age (spec 10.3);
//! - concurrency never exceeds reserved concurrency, nor the account limit in total (spec 10.6).

use std::collections::VecDeque;

use crate::window::EventWindow;

use crate::model::Model;
use crate::time::SimTime;
use crate::trace::{Ctx, Observer, TraceEvent};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub at: SimTime,
    pub event: Option<u64>,
    pub message: String,
}

#[derive(Clone, Copy)]
struct Open {
    accepted: SimTime,
    attempts: u32,
}

/// Watches the trace for broken invariants.
pub struct Monitor {
    open: EventWindow<Open>,
    busy: Vec<u32>,
    total_busy: u32,
    breaches: Vec<Breach>,
    limit_reported: bool,
    /// Per function: creation times of environments in the last 10 s (spec 10.6).
    created: Vec<VecDeque<SimTime>>,
    scaling_reported: bool,
}

const MAX_BREACHES: usize = 100;

impl Monitor {
    pub fn new(model: &Model) -> Self {
        Monitor {
            open: EventWindow::default(),
            busy: vec![0; model.functions.len()],
            total_busy: 0,
            breaches: vec![],
            limit_reported: false,
            created: vec![VecDeque::new(); model.functions.len()],
            scaling_reported: false,
        }
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
        self.breaches
    }
}

impl Observer for Monitor {
    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        match ev {
            TraceEvent::Accepted { event, .. } if !self.open.insert(*event, Open { accepted: t, attempts: 0 }) => {
                self.breach(t, Some(*event), format!("event {event} was accepted twice"));
            }
            TraceEvent::AttemptStart { event, function, attempt, new_env, .. } => {
                let f = ctx.model.function(*function);
                let sc = ctx.model.settings.scaling;
                if *new_env && sc.per_function {
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
                match self.open.get_mut(*event) {
                    None => self.breach(t, Some(*event), format!("event {event} started an execution without being in flight")),
                    Some(o) => {
                        o.attempts += 1;
                        let (attempts, accepted) = (o.attempts, o.accepted);
                        if attempts != *attempt {
                            self.breach(t, Some(*event), format!("event {event}: execution numbered {attempt} but {attempts} were seen"));
                        }
                        if attempts > f.max_retries + 1 {
                            self.breach(
                                t,
                                Some(*event),
                                format!("event {event}: execution {attempts} exceeds MaximumRetryAttempts {} + 1", f.max_retries),
                            );
                        }
                        if t > accepted + f.max_age {
                            self.breach(
                                t,
                                Some(*event),
                                format!(
                                    "event {event}: execution starts {} after accept, past MaximumEventAgeInSeconds {}",
                                    t - accepted,
                                    f.max_age
                                ),
                            );
                        }
                    }
                }
                let i = function.ix();
                self.busy[i] += 1;
                self.total_busy += 1;
                if let Some(r) = f.reserved {
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
            TraceEvent::AttemptEnd { function, .. } => {
                self.busy[function.ix()] -= 1;
                self.total_busy -= 1;
            }
            TraceEvent::Fate { event, attempts, .. } => match self.open.remove(*event) {
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
            _ => {}
        }
    }
}
