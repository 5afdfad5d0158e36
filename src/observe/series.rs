//! Time series of a run, sampled on a virtual-time interval: concurrency per function and for the account, accepted
//! events, executions, cold starts, throttles by reason, function errors, the async backlog and the age of its oldest
//! event. [`Series`] is an observer fed by trace events; it never steers the run.
//!
//! Sampling: interval `k` covers `[k·I, (k+1)·I)`. When an event arrives at or after the end of the current interval,
//! that interval is closed (a sample is emitted for every boundary passed, the state carried forward) and the event is
//! counted in the interval it falls in; [`Series::finish`] flushes up to the end of the run (the last interval may be
//! shorter). Memory is proportional to the number of samples, not to the number of events: when the number of
//! samples reaches the cap (default 10,000), neighbouring samples are merged in pairs and the interval doubles.
//!
//! Per interval and function: `concurrency_max` (highest number of executions running at any instant, init included),
//! `concurrency_area` (the integral of concurrency over the interval, in execution-microseconds: divide by the
//! interval for the time-average), counts of events accepted, executions started, cold starts, throttles by reason and
//! executions ending in a function error, timeout or crash; and for the async queue the backlog (events accepted, not
//! yet at their fate and not running: waiting for a retry, a throttle back-off or a free environment) as its maximum
//! over the interval and its value at the end, with the age of its oldest event at the end of the interval.
//!
//! Per queue ([`QueueSample`]): messages visible (or delayed) and in flight, their highest values over the interval,
//! the age of the oldest message at the end, messages sent and deleted; a queue that no mapping reads counts what it
//! stores as visible. Per event source mapping ([`MappingSample`]): batches started, records invoked and the highest
//! iterator age (streams: the age of a batch's last record when it is invoked).
//!
//! The samples are in `series/samples.rs`, the choice of the interval in `series/config.rs`, the CSV output in
//! `series/csv.rs` and the JSON output in `series/json.rs`; this file is the observer (sampling, the per-interval
//! buckets, coarsening).

mod config;
mod csv;
mod json;
mod samples;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::kernel::time::SimTime;
use crate::model::Model;
use crate::observe::window::EventWindow;
use crate::trace::{Ctx, Observer, TraceEvent};
use crate::vocab::{InvokeMode, MessageFate, Outcome};

pub use config::{SeriesConfig, MAX_SAMPLES};
pub use samples::{FnSample, MappingSample, QueueSample, THROTTLE_REASONS};

/// The gauges of one queue.
#[derive(Debug, Clone, Default)]
struct QueueState {
    /// Messages in the queue: id -> arrival.
    present: BTreeMap<u64, SimTime>,
    in_flight: BTreeSet<u64>,
    stored: u64,
    first_stored: Option<SimTime>,
}

impl QueueState {
    fn visible(&self) -> u64 {
        (self.present.len() - self.in_flight.len()) as u64 + self.stored
    }
    fn oldest_age(&self, at: SimTime) -> SimTime {
        self.present.values().min().copied().into_iter().chain(self.first_stored).min().map_or(SimTime::ZERO, |a| at - a.min(at))
    }
}

#[derive(Debug, Clone, Copy)]
struct Open {
    accepted: SimTime,
    sync: bool,
}

/// The time series observer. Create with [`Series::new`], pass in `RunOptions::observers`, call [`Series::finish`]
/// with the report's end time.
#[derive(Debug, Clone)]
pub struct Series {
    interval: SimTime,
    max_samples: usize,
    nfns: usize,
    /// Closed samples, `nfns` per interval, interval-major.
    rows: Vec<FnSample>,
    /// Closed account samples, one per interval.
    account_rows: Vec<FnSample>,
    cur: Vec<FnSample>,
    cur_account: FnSample,
    /// Start of the current interval.
    cur_start: SimTime,
    /// Time up to which gauges have been integrated.
    settled: SimTime,
    busy: Vec<u32>,
    account_busy: u32,
    /// Async events not running, by function, in accept order (their ids).
    backlog: Vec<BTreeSet<u64>>,
    backlog_total: u32,
    open: EventWindow<Open>,
    /// Integral of concurrency over the whole run, per function and for the account (execution-microseconds).
    total_area: Vec<u128>,
    total_account_area: u128,
    end: Option<SimTime>,
    nq: usize,
    nm: usize,
    queue_rows: Vec<QueueSample>,
    mapping_rows: Vec<MappingSample>,
    cur_queues: Vec<QueueSample>,
    cur_mappings: Vec<MappingSample>,
    queues: Vec<QueueState>,
}

impl Series {
    /// Empty series for a run of `model`, sampled as `config` says.
    pub fn new(model: &Model, config: SeriesConfig) -> Self {
        let n = model.functions.len();
        let max_samples = (config.max_samples.max(2) + 1) & !1;
        Series {
            interval: config.interval.max(SimTime::from_micros(1)),
            max_samples,
            nfns: n,
            rows: vec![],
            account_rows: vec![],
            cur: vec![FnSample::default(); n],
            cur_account: FnSample::default(),
            cur_start: SimTime::ZERO,
            settled: SimTime::ZERO,
            busy: vec![0; n],
            account_busy: 0,
            backlog: vec![BTreeSet::new(); n],
            backlog_total: 0,
            open: EventWindow::default(),
            total_area: vec![0; n],
            total_account_area: 0,
            end: None,
            nq: model.esm.queues.len(),
            nm: model.esm.mappings.len(),
            queue_rows: vec![],
            mapping_rows: vec![],
            cur_queues: vec![QueueSample::default(); model.esm.queues.len()],
            cur_mappings: vec![MappingSample::default(); model.esm.mappings.len()],
            queues: vec![QueueState::default(); model.esm.queues.len()],
        }
    }

    /// Sample `i` of queue `q` (index in `Model::esm.queues`).
    pub fn queue(&self, i: usize, q: usize) -> &QueueSample {
        &self.queue_rows[i * self.nq + q]
    }
    /// Sample `i` of mapping `m` (index in `Model::esm.mappings`).
    pub fn mapping(&self, i: usize, m: usize) -> &MappingSample {
        &self.mapping_rows[i * self.nm + m]
    }

    fn queue_gauges(&mut self, q: usize) {
        let st = &self.queues[q];
        let c = &mut self.cur_queues[q];
        c.visible_max = c.visible_max.max(st.visible());
        c.in_flight_max = c.in_flight_max.max(st.in_flight.len() as u64);
    }

    fn on_esm_event(&mut self, t: SimTime, ev: &TraceEvent) {
        match ev {
            TraceEvent::MessageSent { queue, msg, .. } => {
                let q = queue.ix();
                self.queues[q].present.insert(*msg, t);
                self.cur_queues[q].sent += 1;
                self.queue_gauges(q);
            }
            TraceEvent::MessageReceived { queue, msg, .. } => {
                let q = queue.ix();
                self.queues[q].in_flight.insert(*msg);
                self.queue_gauges(q);
            }
            TraceEvent::MessageReturned { queue, msg, .. } => {
                let q = queue.ix();
                self.queues[q].in_flight.remove(msg);
                self.queue_gauges(q);
            }
            TraceEvent::MessageFate { queue, msg, fate, .. } => {
                let q = queue.ix();
                let st = &mut self.queues[q];
                st.present.remove(msg);
                st.in_flight.remove(msg);
                if *fate == MessageFate::Stored {
                    st.stored += 1;
                    st.first_stored.get_or_insert(t);
                }
                if *fate == MessageFate::Deleted {
                    self.cur_queues[q].deleted += 1;
                }
                self.queue_gauges(q);
            }
            TraceEvent::BatchStart { mapping, records, iterator_age, .. } => {
                let m = &mut self.cur_mappings[mapping.ix()];
                m.batches += 1;
                m.records += u64::from(*records);
                m.iterator_age_max = m.iterator_age_max.max(*iterator_age);
            }
            _ => {}
        }
    }

    /// The sampling interval (after any coarsening).
    pub fn interval(&self) -> SimTime {
        self.interval
    }
    /// Number of closed samples.
    pub fn len(&self) -> usize {
        self.account_rows.len()
    }
    /// No sample closed yet.
    pub fn is_empty(&self) -> bool {
        self.account_rows.is_empty()
    }
    /// Number of functions sampled.
    pub fn functions(&self) -> usize {
        self.nfns
    }
    /// The end of the run given to [`Series::finish`].
    pub fn end(&self) -> Option<SimTime> {
        self.end
    }
    /// Sample `i` of function `f`.
    pub fn sample(&self, i: usize, f: usize) -> &FnSample {
        &self.rows[i * self.nfns + f]
    }
    /// Account-wide sample `i` (sums of the functions' counts; concurrency and backlog over all functions).
    pub fn account(&self, i: usize) -> &FnSample {
        &self.account_rows[i]
    }
    /// Start and end of sample `i` (the last one ends at the end of the run).
    pub fn span(&self, i: usize) -> (SimTime, SimTime) {
        let us = self.interval.as_micros();
        let start = SimTime::from_micros(us.saturating_mul(i as u64));
        let mut end = SimTime::from_micros(us.saturating_mul(i as u64 + 1));
        if i + 1 == self.len() {
            if let Some(e) = self.end {
                end = end.min(e.max(start));
            }
        }
        (start, end)
    }
    /// Time-average concurrency of function `f` over the whole run (`None` before [`Series::finish`] or for an
    /// empty run).
    pub fn mean_concurrency(&self, f: usize) -> Option<f64> {
        let end = self.end?.as_micros();
        (end > 0).then(|| self.total_area[f] as f64 / end as f64)
    }
    /// Integral of function `f`'s concurrency over the whole run, in execution-microseconds: the sum of its
    /// executions' durations (init included) up to the end of the run.
    pub fn concurrency_area(&self, f: usize) -> u128 {
        self.total_area[f]
    }
    /// Time-average concurrency of the account over the whole run.
    pub fn mean_account_concurrency(&self) -> Option<f64> {
        let end = self.end?.as_micros();
        (end > 0).then(|| self.total_account_area as f64 / end as f64)
    }

    /// Integrates the gauges up to `t` and closes every interval that ends at or before `t`.
    fn advance(&mut self, t: SimTime) {
        // A boundary past the end of virtual time (u64 microseconds) never comes: near `SimTime::MAX` (an arrival at
        // 2e13 s) a saturating sum would stay at MAX and this loop would never end.
        while let Some(b) = self.cur_start.as_micros().checked_add(self.interval.as_micros()) {
            if t.as_micros() < b {
                break;
            }
            let boundary = SimTime::from_micros(b);
            self.settle(boundary);
            self.close(boundary);
        }
        self.settle(t);
    }

    /// Integrates concurrency from `settled` to `t` and notes the gauges held over that span.
    fn settle(&mut self, t: SimTime) {
        if t <= self.settled {
            return;
        }
        let dt = (t - self.settled).as_micros();
        for f in 0..self.nfns {
            let area = u64::from(self.busy[f]) * dt;
            self.cur[f].concurrency_area = self.cur[f].concurrency_area.saturating_add(area);
            self.total_area[f] += u128::from(area);
            let b = self.backlog[f].len() as u32;
            self.cur[f].backlog_max = self.cur[f].backlog_max.max(b);
        }
        let area = u64::from(self.account_busy) * dt;
        self.cur_account.concurrency_area = self.cur_account.concurrency_area.saturating_add(area);
        self.total_account_area += u128::from(area);
        self.cur_account.backlog_max = self.cur_account.backlog_max.max(self.backlog_total);
        self.settled = t;
    }

    /// Closes the current interval at `at` (its boundary, or the end of the run) and opens the next.
    fn close(&mut self, at: SimTime) {
        let mut oldest_all = SimTime::ZERO;
        for f in 0..self.nfns {
            let s = &mut self.cur[f];
            s.backlog = self.backlog[f].len() as u32;
            s.oldest_age = match self.backlog[f].first().and_then(|id| self.open.get(*id)) {
                Some(o) => at - o.accepted,
                None => SimTime::ZERO,
            };
            oldest_all = oldest_all.max(s.oldest_age);
        }
        self.cur_account.backlog = self.backlog_total;
        self.cur_account.oldest_age = oldest_all;
        self.rows.extend_from_slice(&self.cur);
        self.account_rows.push(self.cur_account);
        for q in 0..self.nq {
            let st = &self.queues[q];
            let c = &mut self.cur_queues[q];
            c.visible = st.visible();
            c.in_flight = st.in_flight.len() as u64;
            c.oldest_age = st.oldest_age(at);
        }
        self.queue_rows.extend_from_slice(&self.cur_queues);
        self.mapping_rows.extend_from_slice(&self.cur_mappings);
        for q in 0..self.nq {
            let st = &self.queues[q];
            self.cur_queues[q] =
                QueueSample { visible_max: st.visible(), in_flight_max: st.in_flight.len() as u64, ..QueueSample::default() };
        }
        self.cur_mappings = vec![MappingSample::default(); self.nm];
        // The next interval starts with the gauges as they stand.
        for f in 0..self.nfns {
            self.cur[f] = FnSample { concurrency_max: self.busy[f], backlog_max: self.backlog[f].len() as u32, ..FnSample::default() };
        }
        self.cur_account = FnSample { concurrency_max: self.account_busy, backlog_max: self.backlog_total, ..FnSample::default() };
        self.cur_start += self.interval;
        if self.account_rows.len() >= self.max_samples {
            self.coarsen();
        }
    }

    /// Merges neighbouring samples in pairs and doubles the interval. The number of samples is even here, so the
    /// current interval's start stays on a boundary of the doubled interval.
    fn coarsen(&mut self) {
        let n = self.account_rows.len();
        debug_assert!(n.is_multiple_of(2));
        let k = self.nfns;
        for i in 0..n / 2 {
            let mut a = self.account_rows[2 * i];
            a.merge(&self.account_rows[2 * i + 1]);
            self.account_rows[i] = a;
            for f in 0..k {
                let mut s = self.rows[2 * i * k + f];
                s.merge(&self.rows[(2 * i + 1) * k + f]);
                self.rows[i * k + f] = s;
            }
        }
        for i in 0..n / 2 {
            for q in 0..self.nq {
                let mut a = self.queue_rows[2 * i * self.nq + q];
                a.merge(&self.queue_rows[(2 * i + 1) * self.nq + q]);
                self.queue_rows[i * self.nq + q] = a;
            }
            for m in 0..self.nm {
                let mut a = self.mapping_rows[2 * i * self.nm + m];
                a.merge(&self.mapping_rows[(2 * i + 1) * self.nm + m]);
                self.mapping_rows[i * self.nm + m] = a;
            }
        }
        self.queue_rows.truncate(n / 2 * self.nq);
        self.mapping_rows.truncate(n / 2 * self.nm);
        self.account_rows.truncate(n / 2);
        self.rows.truncate(n / 2 * k);
        self.interval = SimTime::from_micros(self.interval.as_micros().saturating_mul(2));
    }

    /// Flushes the series up to `end` (the run's `stats.end_time`): the last interval, possibly shorter, is closed.
    pub fn finish(&mut self, end: SimTime) {
        if self.end.is_some() {
            return;
        }
        let end = end.max(self.settled);
        self.advance(end);
        if end > self.cur_start {
            self.close(end);
        }
        self.end = Some(end);
    }

    fn backlog_add(&mut self, f: usize, id: u64) {
        if self.backlog[f].insert(id) {
            self.backlog_total += 1;
        }
    }
    fn backlog_remove(&mut self, f: usize, id: u64) {
        if self.backlog[f].remove(&id) {
            self.backlog_total -= 1;
        }
    }

    /// A copy merged down to at most `max` samples (for drawing).
    pub fn coarsened_to(&self, max: usize) -> Series {
        let mut s = self.clone();
        let max = max.max(2);
        while s.len() > max {
            if s.len() % 2 == 1 {
                // Fold the last (partial) interval into its neighbour so the pairs line up.
                let n = s.len();
                let last = s.account_rows[n - 1];
                s.account_rows[n - 2].merge(&last);
                s.account_rows.truncate(n - 1);
                for f in 0..s.nfns {
                    let l = s.rows[(n - 1) * s.nfns + f];
                    s.rows[(n - 2) * s.nfns + f].merge(&l);
                }
                s.rows.truncate((n - 1) * s.nfns);
                for q in 0..s.nq {
                    let l = s.queue_rows[(n - 1) * s.nq + q];
                    s.queue_rows[(n - 2) * s.nq + q].merge(&l);
                }
                s.queue_rows.truncate((n - 1) * s.nq);
                for m in 0..s.nm {
                    let l = s.mapping_rows[(n - 1) * s.nm + m];
                    s.mapping_rows[(n - 2) * s.nm + m].merge(&l);
                }
                s.mapping_rows.truncate((n - 1) * s.nm);
            }
            s.coarsen();
        }
        s
    }
}

/// Time-average from an area over a width (both in microseconds), rounded to 6 decimals for stable text.
fn mean(area: u64, width_us: u64) -> f64 {
    if width_us == 0 {
        0.0
    } else {
        (area as f64 / width_us as f64 * 1e6).round() / 1e6
    }
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

impl Observer for Series {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, _ctx: &Ctx<'_>) {
        if self.end.is_some() {
            return;
        }
        self.advance(t);
        match ev {
            TraceEvent::Accepted { event, function, mode, .. } => {
                let f = function.ix();
                self.cur[f].accepted += 1;
                self.cur_account.accepted += 1;
                let sync = *mode == InvokeMode::Sync;
                self.open.insert(*event, Open { accepted: t, sync });
                if !sync {
                    self.backlog_add(f, *event);
                }
            }
            TraceEvent::AttemptStart { event, function, cold, .. } => {
                let f = function.ix();
                self.busy[f] += 1;
                self.account_busy += 1;
                let s = &mut self.cur[f];
                s.invocations += 1;
                s.concurrency_max = s.concurrency_max.max(self.busy[f]);
                self.cur_account.invocations += 1;
                self.cur_account.concurrency_max = self.cur_account.concurrency_max.max(self.account_busy);
                if *cold {
                    s.cold_starts += 1;
                    self.cur_account.cold_starts += 1;
                }
                self.backlog_remove(f, *event);
            }
            TraceEvent::AttemptEnd { event, function, outcome, .. } => {
                let f = function.ix();
                self.busy[f] = self.busy[f].saturating_sub(1);
                self.account_busy = self.account_busy.saturating_sub(1);
                if *outcome != Outcome::Success {
                    self.cur[f].errors += 1;
                    self.cur_account.errors += 1;
                }
                // Back in the queue until its retry, unless its fate follows (then it leaves at once, at the same
                // instant, and the backlog gauges never see it: they only count states held for some time).
                if matches!(self.open.get(*event), Some(o) if !o.sync) {
                    self.backlog_add(f, *event);
                }
            }
            TraceEvent::Throttled { function, reason, .. } => {
                let r = *reason as usize;
                self.cur[function.ix()].throttles[r] += 1;
                self.cur_account.throttles[r] += 1;
            }
            TraceEvent::Fate { event, function, .. } => {
                self.backlog_remove(function.ix(), *event);
                self.open.remove(*event);
            }
            TraceEvent::Rejected { .. }
            | TraceEvent::RetryScheduled { .. }
            | TraceEvent::Queued { .. }
            | TraceEvent::EnvironmentShutdown { .. }
            | TraceEvent::CallResult { .. }
            | TraceEvent::Delivered { .. }
            | TraceEvent::ProvisionedReady { .. }
            | TraceEvent::ConfigChange { .. }
            | TraceEvent::Published { .. }
            | TraceEvent::Fanout { .. }
            | TraceEvent::RuleMatched { .. }
            | TraceEvent::PublishDeduplicated { .. } => {}
            TraceEvent::FirehoseRecordPut { .. }
            | TraceEvent::FirehoseInvoke { .. }
            | TraceEvent::FirehoseInvokeEnd { .. }
            | TraceEvent::FirehoseRecordFate { .. }
            | TraceEvent::HandlerReply { .. } => {}
            TraceEvent::MessageSent { .. }
            | TraceEvent::MessageReceived { .. }
            | TraceEvent::MessageFate { .. }
            | TraceEvent::MessageReturned { .. }
            | TraceEvent::RecordPut { .. }
            | TraceEvent::RecordFate { .. }
            | TraceEvent::BatchStart { .. }
            | TraceEvent::BatchEnd { .. } => self.on_esm_event(t, ev),
        }
    }
}
