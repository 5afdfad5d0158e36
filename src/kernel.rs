//! The simulation kernel: a virtual clock and an event queue with a total order `(time, insertion sequence)`.
//!
//! It knows nothing of AWS. The simulation ([`crate::sim`]) defines its events as a plain `enum` and dispatches them
//! with `match`; the kernel only orders them. Two events at the same instant run in the order they were scheduled, so
//! a run is a pure function of the scenario and the seed.
//!
//! Pending events live in two heaps: events due soon (within [`FAR`] of the time they are scheduled) and the rest
//! (retries a minute away, expiry timers hours away). Most events are due soon, so most pushes and pops work on the
//! small heap; a pop takes the smaller of the two heads, so the order is exactly the total order above.

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

/// Events due at least this long after they are scheduled go to the far heap.
const FAR: u64 = 1_000_000;

/// Clock plus pending events.
pub struct Kernel<E> {
    now: SimTime,
    seq: u64,
    /// Events due within `FAR` of when they were scheduled.
    near: BinaryHeap<Reverse<Entry<E>>>,
    /// The others.
    far: BinaryHeap<Reverse<Entry<E>>>,
    processed: u64,
}

impl<E> Default for Kernel<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Kernel<E> {
    pub fn new() -> Self {
        Kernel { now: SimTime::ZERO, seq: 0, near: BinaryHeap::new(), far: BinaryHeap::new(), processed: 0 }
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
        let entry = Reverse(Entry { key, event });
        if at.as_micros() - self.now.as_micros() >= FAR {
            self.far.push(entry);
        } else {
            self.near.push(entry);
        }
    }

    /// Schedule `event` after `delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// The time of the next pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = match (self.near.peek(), self.far.peek()) {
            (Some(Reverse(n)), Some(Reverse(f))) => n.key.min(f.key),
            (Some(Reverse(e)), None) | (None, Some(Reverse(e))) => e.key,
            (None, None) => return None,
        };
        Some(SimTime::from_micros((key >> 64) as u64))
    }

    /// Whether the next event is in the far heap.
    #[inline]
    fn next_is_far(&self) -> bool {
        match (self.near.peek(), self.far.peek()) {
            (Some(Reverse(n)), Some(Reverse(f))) => f.key < n.key,
            (None, far) => far.is_some(),
            (Some(_), None) => false,
        }
    }

    /// Take the next event and advance the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<E> {
        let Reverse(entry) = if self.next_is_far() { self.far.pop()? } else { self.near.pop()? };
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
        self.near.len() + self.far.len()
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

    #[test]
    fn near_and_far_events_keep_the_total_order() {
        let mut k = Kernel::new();
        let times = [0, 3_000_000, 500, 999_999, 1_000_000, 2_000_000, 500, 60_000_000, 1_000_000, 7];
        for (i, t) in times.iter().enumerate() {
            k.schedule_at(SimTime::from_micros(*t), i);
        }
        let mut want: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
        want.sort();
        let mut out = vec![];
        while let Some(e) = k.pop() {
            out.push((k.now().as_micros(), e));
            if e == 2 {
                // Scheduled from a later instant: near now, though it was far from time 0.
                k.schedule_at(SimTime::from_micros(1_000_000), 100);
                want.push((1_000_000, 100));
                want.sort();
            }
        }
        assert_eq!(out, want);
        assert_eq!(k.pending(), 0);
    }
}
