//! Between attempts (spec section 2): a function error's retry after ~1 and ~2 minutes, the exponential back-off
//! after a throttle or service error (free of the retry budget), and waiting in the queue for a free environment
//! (`AsyncConcurrencyFull: Queue`) with the expiry timer of a waiting event.

use rand::Rng;

use super::super::{Ev, Sim};
use super::State;
use crate::kernel::time::SimTime;
use crate::model::FnId;
use crate::trace::{Observer, TraceEvent};
use crate::vocab::{ConcurrencyFullMode, Fate, RetryDelayFrom, ThrottleReason};

impl<'m, O: Observer> Sim<'m, O> {
    /// Throttle or service error: back off exponentially without using the retry budget (spec section 2).
    pub(in crate::sim) fn throttle(&mut self, slot: u32, reason: ThrottleReason) {
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
        let max_age = self.event_async(slot).max_age;
        if s.event_age_look_ahead && now + delay > accepted + max_age {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: None });
            self.finish(slot, Fate::EventAgeExceeded);
        } else {
            self.emit(TraceEvent::Throttled { event: id, function: f, reason, throttles: n, retry_in: Some(delay) });
            self.k.schedule_in(delay, Ev::Retry { slot });
        }
    }

    /// A function error with retries left: retry after ~1 min, then ~2 min (spec section 2), under the settings of the
    /// version that ran, unless the look-ahead sees the maximum age pass first.
    pub(super) fn retry_later(&mut self, slot: u32, f: FnId, attempt: u32, started: SimTime) {
        let model = self.model;
        let now = self.k.now();
        let inv = self.inv_mut(slot);
        let (id, accepted, config, qual) = (inv.id, inv.accepted, inv.cfg, inv.qual);
        let max_age = model.function(f).async_settings(config, qual).max_age;
        // Function error: retry after ~1 min, then ~2 min (spec section 2), under the settings of the version
        // that ran.
        let s = &model.settings;
        let k = (attempt as usize - 1).min(s.retry_delays.len().saturating_sub(1));
        let nominal = s.retry_delays.get(k).copied().unwrap_or(SimTime::from_secs(60));
        let mut delay = nominal;
        if s.retry_early_fraction > 0.0 {
            // AWS's retries come somewhat before the nominal 1 and 2 minutes (spec 2, ASYNC-TIMING).
            let early: f64 = self.fns[f.ix()].rng_retry.random_range(0.0..=s.retry_early_fraction);
            delay = SimTime::from_micros((nominal.as_micros() as f64 * (1.0 - early)).round() as u64);
        }
        if s.retry_jitter > SimTime::ZERO {
            let j = s.retry_jitter.as_micros() as i64;
            let d: i64 = self.fns[f.ix()].rng_retry.random_range(-j..=j);
            delay = SimTime::from_micros((delay.as_micros() as i64 + d).max(0) as u64);
        }
        let base = match s.retry_delay_from {
            RetryDelayFrom::AttemptEnd => now,
            RetryDelayFrom::AttemptStart => started,
        };
        let at = base + delay;
        // The look-ahead judges by the nominal delay: with `MaximumEventAgeInSeconds` 60, AWS made one attempt and
        // gave up at once, although the early retry would have started before 60 s (spec 2, LS-DEST test_maxeventage).
        if s.event_age_look_ahead && base + nominal > accepted + max_age {
            // The next retry would start after the maximum age: give up now (spec section 2, 10.3).
            self.finish(slot, Fate::EventAgeExceeded);
        } else {
            self.emit(TraceEvent::RetryScheduled { event: id, function: f, next_attempt: attempt + 1, delay: at - now });
            self.k.schedule_at(at, Ev::Retry { slot });
        }
    }

    /// A slot freed up: start events waiting in the queue (`AsyncConcurrencyFull: Queue`).
    pub(in crate::sim) fn pull_waiting(&mut self, freed: FnId) {
        if self.model.settings.concurrency_full != ConcurrencyFullMode::Queue {
            return;
        }
        let shares_pool = self.fns[freed.ix()].setup.reserved.is_none();
        if !shares_pool && self.fns[freed.ix()].waiting.is_empty() {
            // Nothing waits for this function's own concurrency (the usual case when every event runs at once).
            return;
        }
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

    /// A queued event's expiry timer (`AsyncConcurrencyFull: Queue`): it ends if it still waits and is over the
    /// maximum age of the configuration in force (a deploy may have changed it), else the timer is set again.
    pub(in crate::sim) fn on_expire(&mut self, slot: u32, gen: u32) {
        if matches!(self.inv(slot).map(|i| i.state), Some(State::Waiting { gen: g }) if g == gen) {
            let (accepted, max_age) = (self.inv_mut(slot).accepted, self.event_async(slot).max_age);
            if self.k.now() > accepted + max_age {
                self.last_activity = self.k.now();
                self.finish(slot, Fate::EventAgeExceeded);
            } else {
                self.k.schedule_at(accepted + max_age + SimTime::from_micros(1), Ev::Expire { slot, gen });
            }
        }
    }
}
