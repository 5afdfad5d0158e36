//! The simulation kernel: a virtual clock and an event queue with a total order `(time, insertion sequence)`.
//!
//! It knows nothing of AWS. The simulation ([`crate::sim`]) defines its events as a plain `enum` and dispatches them
//! with `match`; the kernel only orders them. Two events at the same instant run in the order they were scheduled, so
//! a run is a pure function of the scenario and the seed.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::time::SimTime;

struct Entry<E> {
    key: u128, // time << 64 | sequence: one comparison orders both
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// Clock plus pending events.
pub struct Kernel<E> {
    now: SimTime,
    seq: u64,
    heap: BinaryHeap<Reverse<Entry<E>>>,
    processed: u64,
}

impl<E> Default for Kernel<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Kernel<E> {
    pub fn new() -> Self {
        Kernel { now: SimTime::ZERO, seq: 0, heap: BinaryHeap::new(), processed: 0 }
    }

    /// The current virtual time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedule `event` at `at`; a time in the past is treated as now.
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        let at = if at < self.now { self.now } else { at };
        let key = (u128::from(at.as_micros()) << 64) | u128::from(self.seq);
        self.seq += 1;
        self.heap.push(Reverse(Entry { key, event }));
    }

    /// Schedule `event` after `delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// The time of the next pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(e)| SimTime::from_micros((e.key >> 64) as u64))
    }

    /// Take the next event and advance the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<E> {
        let Reverse(entry) = self.heap.pop()?;
        self.now = SimTime::from_micros((entry.key >> 64) as u64);
        self.processed += 1;
        Some(entry.event)
    }

    /// Advance the clock without an event (to the end of a bounded run).
    pub fn advance_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }

    /// Events taken so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events still pending.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_order_is_time_then_insertion() {
        let mut k = Kernel::new();
        k.schedule_at(SimTime::from_secs(2), "c");
        k.schedule_at(SimTime::from_secs(1), "a");
        k.schedule_at(SimTime::from_secs(2), "d");
        k.schedule_at(SimTime::from_secs(1), "b");
        let mut out = vec![];
        while let Some(e) = k.pop() {
            out.push((k.now().as_micros(), e));
        }
        assert_eq!(out, vec![(1_000_000, "a"), (1_000_000, "b"), (2_000_000, "c"), (2_000_000, "d")]);
        assert_eq!(k.processed(), 4);
    }

    #[test]
    fn past_is_clamped_to_now() {
        let mut k = Kernel::new();
        k.schedule_at(SimTime::from_secs(5), 1);
        k.pop();
        k.schedule_at(SimTime::from_secs(1), 2);
        assert_eq!(k.peek_time(), Some(SimTime::from_secs(5)));
    }
}
