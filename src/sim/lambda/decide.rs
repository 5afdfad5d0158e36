//! How a starting attempt ends under the declarative model (spec 1, 2, 5): a fault on the timeline first, then, for a
//! batch, its records as the service that built it decides them, else the ordered rules of the version that runs.
//! Draws with a probability belong to the event and the attempt (a keyed draw), not to a shared sequence. Functions
//! that real code serves go through `handled` instead (spec 11), which asks the faults here first.

use super::super::Sim;
use super::{Decision, Dispatch};
use crate::aws::destinations::Cause;
use crate::kernel::rng::uniform;
use crate::trace::Observer;
use crate::vocab::{FaultKind, Outcome, OutcomeKind};

impl<'m, O: Observer> Sim<'m, O> {
    /// An `Error`, `Timeout` or `Crash` fault on the timeline that decides the starting attempt, if any (its draw with
    /// a probability belongs to the event and the attempt).
    #[inline]
    pub(super) fn decide_fault(&mut self, slot: u32, config: u32) -> Option<Decision> {
        // Most functions have no fault on the timeline: no call, no loop.
        let f = self.inv(slot).expect("live slot").function;
        if self.model.function(f).faults.is_empty() {
            return None;
        }
        self.decide_fault_draw(slot, config)
    }

    #[inline(never)]
    fn decide_fault_draw(&mut self, slot: u32, config: u32) -> Option<Decision> {
        let _ = config;
        let model = self.model;
        let now = self.k.now();
        let inv = self.inv(slot).expect("live slot");
        let (f, attempt, key) = (inv.function, inv.attempts, inv.key);
        let fd = model.function(f);
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
                return Some((o, Cause::Fault(i as u32), 4, None));
            }
        }
        None
    }

    /// Decide how the starting attempt ends: faults on the timeline first, then, for a batch, its records as the
    /// service that built it decides them, else the ordered rules of the version that runs. Draws with a
    /// probability belong to the event and the attempt, not to a shared sequence (see `Inv::key`).
    pub(super) fn decide(&mut self, slot: u32, config: u32) -> Decision {
        if let Some(d) = self.decide_fault(slot, config) {
            return d;
        }
        let model = self.model;
        let inv = self.inv(slot).expect("live slot");
        let (f, attempt, key, caller) = (inv.function, inv.attempts, inv.key, inv.caller);
        let cfg = model.function(f).config(config);
        let (seed, salt) = (self.seed, self.fns[f.ix()].draw_salt);
        let purpose = |kind: u64, i: usize| kind + ((i as u64) << 16) + (u64::from(attempt) << 32);
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
}
