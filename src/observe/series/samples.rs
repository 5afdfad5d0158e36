//! The samples of a [`Series`](super::Series): one interval of one function or of the account ([`FnSample`]), of one
//! queue ([`QueueSample`]) and of one event source mapping ([`MappingSample`]), and how two neighbouring intervals
//! merge into one when the series coarsens. Throttle reasons are counted in the order of [`THROTTLE_REASONS`].

use crate::kernel::time::SimTime;
use crate::vocab::ThrottleReason;

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
    /// The most executions running at once in the interval.
    pub concurrency_max: u32,
    /// Integral of concurrency over the interval, in execution-microseconds.
    pub concurrency_area: u64,
    /// Invocations accepted in the interval.
    pub accepted: u64,
    /// Executions started in the interval.
    pub invocations: u64,
    /// Cold starts in the interval.
    pub cold_starts: u64,
    /// Throttles by reason, indexed as [`THROTTLE_REASONS`].
    pub throttles: [u64; THROTTLE_REASONS.len()],
    /// Executions that ended in a function error, a timeout or a crash.
    pub errors: u64,
    /// The largest backlog (events accepted and not yet running) in the interval.
    pub backlog_max: u32,
    /// Backlog at the end of the interval.
    pub backlog: u32,
    /// Age of the oldest backlog event at the end of the interval (0 when the backlog is empty).
    pub oldest_age: SimTime,
}

impl FnSample {
    /// `self` followed by `next`, as one interval.
    pub(super) fn merge(&mut self, next: &FnSample) {
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
    /// Throttles of all reasons.
    pub fn throttles_total(&self) -> u64 {
        self.throttles.iter().sum()
    }
}

/// One interval of one queue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueSample {
    /// Messages visible or delayed at the end of the interval, and the most at any instant in it.
    pub visible: u64,
    /// The most visible or delayed messages at any instant.
    pub visible_max: u64,
    /// Messages received and not yet deleted or returned, at the end and the most.
    pub in_flight: u64,
    /// The most in-flight messages at any instant.
    pub in_flight_max: u64,
    /// Age of the oldest message at the end of the interval.
    pub oldest_age: SimTime,
    /// Messages sent in the interval.
    pub sent: u64,
    /// Messages deleted in the interval.
    pub deleted: u64,
}

impl QueueSample {
    pub(super) fn merge(&mut self, next: &QueueSample) {
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
    /// Batches started in the interval.
    pub batches: u64,
    /// Records in those batches.
    pub records: u64,
    /// Highest `IteratorAge` of the batches started in the interval.
    pub iterator_age_max: SimTime,
}

impl MappingSample {
    pub(super) fn merge(&mut self, next: &MappingSample) {
        self.batches += next.batches;
        self.records += next.records;
        self.iterator_age_max = self.iterator_age_max.max(next.iterator_age_max);
    }
}
