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

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::kernel::time::SimTime;
use crate::model::{Arrivals, Model};
use crate::observe::window::EventWindow;
use crate::trace::{Ctx, Observer, TraceEvent};
use crate::vocab::{InvokeMode, MessageFate, Outcome, ThrottleReason};

/// Throttle reasons in series order (`ThrottleReason as usize`), with the names used in CSV, JSON and the report.
pub const THROTTLE_REASONS: [(ThrottleReason, &str); 5] = [
    (ThrottleReason::ReservedConcurrency, "ReservedConcurrency"),
    (ThrottleReason::AccountConcurrency, "AccountConcurrency"),
    (ThrottleReason::InjectedThrottle, "InjectedThrottle"),
    (ThrottleReason::ServiceError, "ServiceError"),
    (ThrottleReason::ScalingRate, "ScalingRate"),
];

/// One interval of one function (or of the whole account).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FnSample {
    pub concurrency_max: u32,
    /// Integral of concurrency over the interval, in execution-microseconds.
    pub concurrency_area: u64,
    pub accepted: u64,
    pub invocations: u64,
    pub cold_starts: u64,
    /// Throttles by reason, indexed as [`THROTTLE_REASONS`].
    pub throttles: [u64; THROTTLE_REASONS.len()],
    /// Executions that ended in a function error, a timeout or a crash.
    pub errors: u64,
    pub backlog_max: u32,
    /// Backlog at the end of the interval.
    pub backlog: u32,
    /// Age of the oldest backlog event at the end of the interval (0 when the backlog is empty).
    pub oldest_age: SimTime,
}

impl FnSample {
    /// `self` followed by `next`, as one interval.
    fn merge(&mut self, next: &FnSample) {
        self.concurrency_max = self.concurrency_max.max(next.concurrency_max);
        self.concurrency_area = self.concurrency_area.saturating_add(next.concurrency_area);
        self.accepted += next.accepted;
        self.invocations += next.invocations;
        self.cold_starts += next.cold_starts;
        for (a, b) in self.throttles.iter_mut().zip(next.throttles) {
            *a += b;
        }
        self.errors += next.errors;
        self.backlog_max = self.backlog_max.max(next.backlog_max);
        self.backlog = next.backlog;
        self.oldest_age = next.oldest_age;
    }
    pub fn throttles_total(&self) -> u64 {
        self.throttles.iter().sum()
    }
}

/// One interval of one queue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueSample {
    /// Messages visible or delayed at the end of the interval, and the most at any instant in it.
    pub visible: u64,
    pub visible_max: u64,
    /// Messages received and not yet deleted or returned, at the end and the most.
    pub in_flight: u64,
    pub in_flight_max: u64,
    /// Age of the oldest message at the end of the interval.
    pub oldest_age: SimTime,
    pub sent: u64,
    pub deleted: u64,
}

impl QueueSample {
    fn merge(&mut self, next: &QueueSample) {
        self.visible = next.visible;
        self.visible_max = self.visible_max.max(next.visible_max);
        self.in_flight = next.in_flight;
        self.in_flight_max = self.in_flight_max.max(next.in_flight_max);
        self.oldest_age = next.oldest_age;
        self.sent += next.sent;
        self.deleted += next.deleted;
    }
}

/// One interval of one event source mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MappingSample {
    pub batches: u64,
    pub records: u64,
    /// Highest `IteratorAge` of the batches started in the interval.
    pub iterator_age_max: SimTime,
}

impl MappingSample {
    fn merge(&mut self, next: &MappingSample) {
        self.batches += next.batches;
        self.records += next.records;
        self.iterator_age_max = self.iterator_age_max.max(next.iterator_age_max);
    }
}

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

/// How to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesConfig {
    pub interval: SimTime,
    /// At this many samples, neighbours are merged in pairs and the interval doubles (even, at least 2).
    pub max_samples: usize,
}

/// Default cap on the number of samples.
pub const MAX_SAMPLES: usize = 10_000;
/// Intervals the automatic choice picks from, in microseconds: 1 ms to 1 h.
const LADDER_US: [u64; 10] =
    [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 10_000_000, 60_000_000, 300_000_000, 600_000_000, 3_600_000_000];

impl SeriesConfig {
    /// A given interval, with the default cap.
    pub fn with_interval(interval: SimTime) -> Self {
        SeriesConfig { interval: interval.max(SimTime::from_micros(1)), max_samples: MAX_SAMPLES }
    }

    /// The scenario's `Simulation.SeriesIntervalSeconds`, else the interval chosen from the run: the smallest of 1 ms, 10 ms, 100 ms, 1 s, 5 s, 10 s, 1 min, 5 min, 10 min,
    /// 1 h that gives at most 1,000 samples over the expected length of the run (the horizon, or else the end of the
    /// workload); 1 s when nothing says how long the run will be. Retries after the workload ends may add samples; the
    /// cap still bounds them.
    pub fn auto(model: &Model) -> Self {
        if let Some(i) = model.settings.series_interval {
            // `Simulation.SeriesIntervalSeconds` (the command line's `--series-interval` overrides it).
            return SeriesConfig::with_interval(i);
        }
        let expected = model.settings.horizon.or_else(|| workload_end(model)).unwrap_or(SimTime::from_secs(1000));
        let us = expected.as_micros().max(1);
        let interval = LADDER_US.iter().copied().find(|i| us.div_ceil(*i) <= 1000).unwrap_or(*LADDER_US.last().unwrap_or(&1_000_000));
        SeriesConfig::with_interval(SimTime::from_micros(interval))
    }
}

/// When the last workload arrival is due, if any source has arrivals.
fn workload_end(model: &Model) -> Option<SimTime> {
    model
        .sources
        .iter()
        .filter_map(|s| match &s.arrivals {
            Arrivals::At(ts) => ts.last().copied(),
            Arrivals::Poisson { end, .. } | Arrivals::Every { end, .. } => Some(*end),
            Arrivals::Burst { at, spread, .. } => Some(*at + *spread),
        })
        .max()
        .filter(|t| *t > SimTime::ZERO)
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
    pub fn is_empty(&self) -> bool {
        self.account_rows.is_empty()
    }
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
        while t >= self.cur_start + self.interval {
            let boundary = self.cur_start + self.interval;
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

    /// The series as CSV: one row per sample; `start_s`, `end_s`, then account-wide columns, then per function
    /// `<function>.<metric>` columns.
    pub fn write_csv(&self, model: &Model, out: &mut dyn Write) -> io::Result<()> {
        let mut head = vec!["start_s".to_string(), "end_s".to_string()];
        let cols = column_names();
        for c in &cols {
            head.push(format!("account.{c}"));
        }
        for f in &model.functions {
            for c in &cols {
                head.push(format!("{}.{c}", f.name));
            }
        }
        for q in &model.esm.queues {
            for c in ["visible", "visible_max", "in_flight", "in_flight_max", "oldest_message_age_s", "sent", "deleted"] {
                head.push(format!("queue.{}.{c}", q.name));
            }
        }
        for m in &model.esm.mappings {
            for c in ["batches", "records", "iterator_age_max_s"] {
                head.push(format!("mapping.{}.{c}", m.label));
            }
        }
        writeln!(out, "{}", head.join(","))?;
        for i in 0..self.len() {
            let (a, b) = self.span(i);
            let mut line = format!("{},{}", secs(a), secs(b));
            let width = (b - a).as_micros();
            push_values(&mut line, self.account(i), width);
            for f in 0..self.nfns {
                push_values(&mut line, self.sample(i, f), width);
            }
            for q in 0..self.nq {
                let x = self.queue(i, q);
                line.push_str(&format!(
                    ",{},{},{},{},{},{},{}",
                    x.visible,
                    x.visible_max,
                    x.in_flight,
                    x.in_flight_max,
                    secs(x.oldest_age),
                    x.sent,
                    x.deleted
                ));
            }
            for m in 0..self.nm {
                let x = self.mapping(i, m);
                line.push_str(&format!(",{},{},{}", x.batches, x.records, secs(x.iterator_age_max)));
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    /// One JSON column per metric of the samples `get(i)`.
    fn columns_json(&self, get: impl Fn(usize) -> FnSample) -> Map<String, Value> {
        let n = self.len();
        let width = |i: usize| {
            let (a, b) = self.span(i);
            (b - a).as_micros()
        };
        let mut m = Map::new();
        m.insert("concurrencyMax".into(), (0..n).map(|i| json!(get(i).concurrency_max)).collect());
        m.insert("concurrencyMean".into(), (0..n).map(|i| json!(mean(get(i).concurrency_area, width(i)))).collect());
        m.insert("accepted".into(), (0..n).map(|i| json!(get(i).accepted)).collect());
        m.insert("invocations".into(), (0..n).map(|i| json!(get(i).invocations)).collect());
        m.insert("coldStarts".into(), (0..n).map(|i| json!(get(i).cold_starts)).collect());
        let mut th = Map::new();
        for (r, (_, name)) in THROTTLE_REASONS.iter().enumerate() {
            th.insert((*name).into(), (0..n).map(|i| json!(get(i).throttles[r])).collect());
        }
        m.insert("throttles".into(), Value::Object(th));
        m.insert("errors".into(), (0..n).map(|i| json!(get(i).errors)).collect());
        m.insert("asyncBacklogMax".into(), (0..n).map(|i| json!(get(i).backlog_max)).collect());
        m.insert("asyncBacklog".into(), (0..n).map(|i| json!(get(i).backlog)).collect());
        m.insert("oldestEventAgeSeconds".into(), (0..n).map(|i| json!(get(i).oldest_age.as_secs_f64())).collect());
        m
    }

    /// The series as JSON: columns of numbers, one entry per sample (sample `i` starts at `i × intervalSeconds`; the
    /// last ends at `endSeconds`).
    pub fn to_json(&self, model: &Model) -> Value {
        let mut functions = Map::new();
        for (f, fd) in model.functions.iter().enumerate() {
            let mut m = self.columns_json(|i| *self.sample(i, f));
            m.insert("meanConcurrency".into(), json!(self.mean_concurrency(f)));
            functions.insert(fd.name.clone(), Value::Object(m));
        }
        let mut account = self.columns_json(|i| *self.account(i));
        account.insert("meanConcurrency".into(), json!(self.mean_account_concurrency()));
        let n = self.len();
        let mut queues = Map::new();
        for (q, qd) in model.esm.queues.iter().enumerate() {
            let col = |get: &dyn Fn(&QueueSample) -> Value| -> Value { (0..n).map(|i| get(self.queue(i, q))).collect() };
            queues.insert(
                qd.name.clone(),
                json!({
                    "visible": col(&|x| json!(x.visible)),
                    "visibleMax": col(&|x| json!(x.visible_max)),
                    "inFlight": col(&|x| json!(x.in_flight)),
                    "inFlightMax": col(&|x| json!(x.in_flight_max)),
                    "oldestMessageAgeSeconds": col(&|x| json!(x.oldest_age.as_secs_f64())),
                    "sent": col(&|x| json!(x.sent)),
                    "deleted": col(&|x| json!(x.deleted)),
                }),
            );
        }
        let mut mappings = Map::new();
        for (m, md) in model.esm.mappings.iter().enumerate() {
            let col = |get: &dyn Fn(&MappingSample) -> Value| -> Value { (0..n).map(|i| get(self.mapping(i, m))).collect() };
            mappings.insert(
                md.label.clone(),
                json!({
                    "batches": col(&|x| json!(x.batches)),
                    "records": col(&|x| json!(x.records)),
                    "iteratorAgeMaxSeconds": col(&|x| json!(x.iterator_age_max.as_secs_f64())),
                }),
            );
        }
        json!({
            "intervalSeconds": self.interval.as_secs_f64(),
            "samples": self.len(),
            "endSeconds": self.end.map(|e| e.as_secs_f64()),
            "account": Value::Object(account),
            "functions": Value::Object(functions),
            "queues": Value::Object(queues),
            "mappings": Value::Object(mappings),
        })
    }
}

fn column_names() -> Vec<String> {
    let mut c: Vec<String> =
        ["concurrency_max", "concurrency_mean", "accepted", "invocations", "cold_starts"].iter().map(|s| s.to_string()).collect();
    for (_, name) in THROTTLE_REASONS {
        c.push(format!("throttles_{name}"));
    }
    for s in ["errors", "async_backlog_max", "async_backlog", "oldest_event_age_s"] {
        c.push(s.to_string());
    }
    c
}

fn push_values(line: &mut String, s: &FnSample, width_us: u64) {
    use std::fmt::Write as _;
    let _ =
        write!(line, ",{},{},{},{},{}", s.concurrency_max, mean(s.concurrency_area, width_us), s.accepted, s.invocations, s.cold_starts);
    for t in s.throttles {
        let _ = write!(line, ",{t}");
    }
    let _ = write!(line, ",{},{},{},{}", s.errors, s.backlog_max, s.backlog, secs(s.oldest_age));
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
            | TraceEvent::FirehoseRecordFate { .. } => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FnId;
    use crate::trace::Origin;
    use crate::vocab::Fate;

    fn model() -> Model {
        crate::load_str(r#"{"Functions": [{"FunctionName": "f"}]}"#).expect("valid")
    }

    fn feed(s: &mut Series, m: &Model, t_ms: u64, ev: TraceEvent) {
        let ctx = Ctx { model: m, seed: 1, content: None };
        s.on_event(SimTime::from_millis(t_ms), &ev, &ctx);
    }

    fn accepted(id: u64, sync: bool) -> TraceEvent {
        let mode = if sync { InvokeMode::Sync } else { InvokeMode::Async };
        TraceEvent::Accepted {
            event: id,
            rid: id,
            function: FnId(0),
            origin: Origin::Workload(0),
            size: 2,
            mode,
            qualifier: Default::default(),
        }
    }
    fn start(id: u64) -> TraceEvent {
        TraceEvent::AttemptStart {
            event: id,
            rid: id,
            function: FnId(0),
            attempt: 1,
            env: 0,
            cold: true,
            new_env: id == 0,
            init: SimTime::ZERO,
            config: 0,
            provisioned: false,
            spillover: false,
        }
    }
    fn end(id: u64, outcome: Outcome) -> TraceEvent {
        TraceEvent::AttemptEnd {
            event: id,
            rid: id,
            function: FnId(0),
            attempt: 1,
            env: 0,
            outcome,
            duration: SimTime::ZERO,
            billed_ms: 0,
            init_billed_ms: 0,
        }
    }
    fn fate(id: u64) -> TraceEvent {
        TraceEvent::Fate { event: id, rid: id, function: FnId(0), fate: Fate::Succeeded, attempts: 1, latency: SimTime::ZERO, config: 0 }
    }

    #[test]
    fn samples_every_boundary_and_integrates_concurrency() {
        let m = model();
        let mut s = Series::new(&m, SeriesConfig::with_interval(SimTime::from_secs(1)));
        feed(&mut s, &m, 500, accepted(0, true));
        feed(&mut s, &m, 500, start(0));
        feed(&mut s, &m, 2500, end(0, Outcome::Error));
        feed(&mut s, &m, 2500, fate(0));
        s.finish(SimTime::from_millis(3200));
        assert_eq!(s.len(), 4);
        let area: Vec<u64> = (0..4).map(|i| s.sample(i, 0).concurrency_area).collect();
        assert_eq!(area, vec![500_000, 1_000_000, 500_000, 0]);
        let max: Vec<u32> = (0..4).map(|i| s.sample(i, 0).concurrency_max).collect();
        assert_eq!(max, vec![1, 1, 1, 0]);
        assert_eq!((s.sample(0, 0).invocations, s.sample(2, 0).errors), (1, 1));
        assert_eq!(s.span(3), (SimTime::from_secs(3), SimTime::from_millis(3200)));
        assert_eq!(s.concurrency_area(0), 2_000_000);
        assert_eq!(s.mean_concurrency(0), Some(2.0 / 3.2));
        assert_eq!(s.sample(2, 0).backlog_max, 0, "a sync request never queues");
    }

    #[test]
    fn backlog_counts_states_held_for_some_time_and_the_oldest_age() {
        let m = model();
        let mut s = Series::new(&m, SeriesConfig::with_interval(SimTime::from_secs(1)));
        feed(&mut s, &m, 0, accepted(0, false));
        feed(&mut s, &m, 0, start(0));
        // Ends and reaches its fate at the same instant: never in the backlog.
        feed(&mut s, &m, 100, end(0, Outcome::Success));
        feed(&mut s, &m, 100, fate(0));
        // Waits 1.5 s before running.
        feed(&mut s, &m, 1200, accepted(1, false));
        feed(&mut s, &m, 2700, start(1));
        feed(&mut s, &m, 2800, end(1, Outcome::Success));
        feed(&mut s, &m, 2800, fate(1));
        s.finish(SimTime::from_millis(2800));
        let b: Vec<(u32, u32, SimTime)> =
            (0..s.len()).map(|i| (s.sample(i, 0).backlog_max, s.sample(i, 0).backlog, s.sample(i, 0).oldest_age)).collect();
        assert_eq!(b, vec![(0, 0, SimTime::ZERO), (1, 1, SimTime::from_millis(800)), (1, 0, SimTime::ZERO)]);
    }

    #[test]
    fn coarsening_bounds_the_samples_and_keeps_the_totals() {
        let m = model();
        let mut s = Series::new(&m, SeriesConfig { interval: SimTime::from_millis(10), max_samples: 8 });
        for i in 0..1000u64 {
            feed(&mut s, &m, i * 7, accepted(i, true));
            feed(&mut s, &m, i * 7, start(i));
            feed(&mut s, &m, i * 7 + 3, end(i, Outcome::Success));
            feed(&mut s, &m, i * 7 + 3, fate(i));
            assert!(s.len() < 8);
        }
        s.finish(SimTime::from_millis(7000));
        assert!(s.len() <= 8 && s.len() >= 4, "{}", s.len());
        assert_eq!(s.interval(), SimTime::from_millis(10 * 128));
        let total: u64 = (0..s.len()).map(|i| s.sample(i, 0).invocations).sum();
        let area: u64 = (0..s.len()).map(|i| s.sample(i, 0).concurrency_area).sum();
        assert_eq!((total, area), (1000, 3_000_000));
        assert_eq!(s.span(s.len() - 1).1, SimTime::from_millis(7000));
        let c = s.coarsened_to(3);
        assert!(c.len() <= 3);
        assert_eq!((0..c.len()).map(|i| c.sample(i, 0).invocations).sum::<u64>(), 1000);
    }
}
