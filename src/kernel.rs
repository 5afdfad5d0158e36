//! The simulation kernel: a virtual clock and an event queue with a total order `(time, class, insertion sequence)`.
//!
//! It knows nothing of AWS. The simulation ([`crate::sim`]) defines its events as a plain `enum` and dispatches them
//! with `match`; the kernel only orders them. Two events at the same instant run by [`Class`] (a `Setup` event, such as
//! a configuration change on the timeline, before every `Normal` one), then in the order they were scheduled, so a run
//! is a pure function of the scenario and the seed.
//!
//! Pending events live in two structures, both exact in that order:
//! - events due within about a second of now (an execution ending, the next arrival) go into a ring of 1,024 buckets
//!   of 1,024 us each, a calendar queue: each bucket is a list sorted by key, a bitmap says which buckets hold any, so
//!   a push or a pop costs a few instructions instead of a walk down a heap;
//! - events due later go into a few FIFO lanes, each sorted by construction: timers with a constant delay (retries
//!   one and two minutes away, visibility timeouts, expiry at a fixed age) arrive in time order, so a push appends to
//!   the lane it extends and a pop takes a lane's head. What fits no lane goes into a binary heap.
//!
//! A pop takes the smallest of the heads, so the order is exactly the total order above.

pub mod rng;
pub mod time;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::kernel::time::SimTime;

#[derive(Clone, Copy)]
struct Entry<E> {
    key: u128, // time << 64 | class << 62 | sequence: one comparison orders all three
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// Bucket width: 2^10 us.
const SLOT_SHIFT: u32 = 10;
/// Buckets in the ring: 2^10, so the ring spans 2^20 us (about 1.05 s).
const RING: usize = 1 << 10;
const WORDS: usize = RING / 64;
const NIL: u32 = u32::MAX;

/// A pending event of the ring: a node of its bucket's list.
#[derive(Clone, Copy)]
struct Node<E> {
    entry: Entry<E>,
    next: u32,
}

/// The calendar ring of near events. Nodes live in one slab (freed nodes are reused), so the ring's memory follows
/// the number of near events pending, and stays in cache.
struct Wheel<E> {
    nodes: Vec<Node<E>>,
    free: u32,
    /// First and last node of bucket `b % RING`, which holds the events of absolute bucket `b` (time >> SLOT_SHIFT).
    head: Vec<u32>,
    tail: Vec<u32>,
    /// Bit `i` set when bucket `i` holds an event.
    occupied: [u64; WORDS],
    /// Absolute bucket of now: every event of the ring lies in `cur .. cur + RING`.
    cur: u64,
    len: usize,
}

impl<E: Copy> Wheel<E> {
    fn new() -> Self {
        Wheel { nodes: vec![], free: NIL, head: vec![NIL; RING], tail: vec![NIL; RING], occupied: [0; WORDS], cur: 0, len: 0 }
    }

    /// Whether absolute bucket `b` fits in the ring (`b` is never before `cur`; if it were, it would go far).
    #[inline]
    fn fits(&self, b: u64) -> bool {
        b.wrapping_sub(self.cur) < RING as u64
    }

    #[inline]
    fn alloc(&mut self, entry: Entry<E>) -> u32 {
        let node = Node { entry, next: NIL };
        if self.free == NIL {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        } else {
            let n = self.free;
            self.free = self.nodes[n as usize].next;
            self.nodes[n as usize] = node;
            n
        }
    }

    #[inline]
    fn push(&mut self, b: u64, entry: Entry<E>) {
        let i = (b as usize) & (RING - 1);
        let key = entry.key;
        let n = self.alloc(entry);
        self.len += 1;
        let (h, t) = (self.head[i], self.tail[i]);
        if h == NIL {
            self.head[i] = n;
            self.tail[i] = n;
            self.occupied[i / 64] |= 1 << (i % 64);
        } else if self.nodes[t as usize].entry.key < key {
            // The usual case: later than everything in the bucket.
            self.nodes[t as usize].next = n;
            self.tail[i] = n;
        } else if key < self.nodes[h as usize].entry.key {
            self.nodes[n as usize].next = h;
            self.head[i] = n;
        } else {
            let mut p = h;
            loop {
                let next = self.nodes[p as usize].next;
                if self.nodes[next as usize].entry.key > key {
                    self.nodes[n as usize].next = next;
                    self.nodes[p as usize].next = n;
                    break;
                }
                p = next;
            }
        }
    }

    /// The ring index of the earliest occupied bucket, and its first key.
    #[inline]
    fn peek(&self) -> Option<(usize, u128)> {
        if self.len == 0 {
            return None;
        }
        let start = (self.cur as usize) & (RING - 1);
        let (w0, bit) = (start / 64, start % 64);
        let mut found = None;
        let head = self.occupied[w0] & (u64::MAX << bit);
        if head != 0 {
            found = Some(w0 * 64 + head.trailing_zeros() as usize);
        } else {
            for k in 1..=WORDS {
                let w = (w0 + k) % WORDS;
                // The first word visited again holds the buckets before `start` (the ring wrapped).
                let bits = if k == WORDS { self.occupied[w] & !(u64::MAX << bit) } else { self.occupied[w] };
                if bits != 0 {
                    found = Some(w * 64 + bits.trailing_zeros() as usize);
                    break;
                }
            }
        }
        found.map(|i| (i, self.nodes[self.head[i] as usize].entry.key))
    }

    #[inline]
    fn pop_at(&mut self, i: usize) -> Entry<E> {
        let n = self.head[i];
        let node = self.nodes[n as usize];
        self.head[i] = node.next;
        if node.next == NIL {
            self.tail[i] = NIL;
            self.occupied[i / 64] &= !(1 << (i % 64));
        }
        self.nodes[n as usize].next = self.free;
        self.free = n;
        self.len -= 1;
        node.entry
    }
}

/// Lanes kept at most; a far event that extends none of them goes to the heap.
const LANES: usize = 8;

/// Far events: FIFO lanes sorted by construction, and a heap for the rest.
struct Far<E> {
    lanes: Vec<VecDeque<Entry<E>>>,
    heap: BinaryHeap<Reverse<Entry<E>>>,
    /// The smallest pending key (`u128::MAX` when none).
    min: u128,
    len: usize,
}

impl<E: Copy> Far<E> {
    fn new() -> Self {
        Far { lanes: vec![], heap: BinaryHeap::new(), min: u128::MAX, len: 0 }
    }

    #[inline]
    fn push(&mut self, e: Entry<E>) {
        // The lane whose last key is the largest below this one (so the lanes stay few), else an empty lane, else a
        // new lane, else the heap.
        let mut best: Option<(usize, u128)> = None;
        let mut empty = None;
        for (j, l) in self.lanes.iter().enumerate() {
            match l.back() {
                Some(b) if b.key < e.key && best.is_none_or(|(_, k)| b.key > k) => best = Some((j, b.key)),
                None if empty.is_none() => empty = Some(j),
                _ => {}
            }
        }
        match (best, empty) {
            (Some((j, _)), _) | (None, Some(j)) => self.lanes[j].push_back(e),
            (None, None) if self.lanes.len() < LANES => self.lanes.push(VecDeque::from([e])),
            (None, None) => self.heap.push(Reverse(e)),
        }
        self.min = self.min.min(e.key);
        self.len += 1;
    }

    /// Take the smallest (there is one: `min` is not `u128::MAX`).
    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let e = match self.lanes.iter().position(|l| l.front().is_some_and(|x| x.key == self.min)) {
            Some(j) => self.lanes[j].pop_front()?,
            None => self.heap.pop()?.0,
        };
        self.len -= 1;
        self.min = self.heap.peek().map_or(u128::MAX, |Reverse(x)| x.key);
        for l in &self.lanes {
            if let Some(x) = l.front() {
                self.min = self.min.min(x.key);
            }
        }
        Some(e)
    }
}

/// The priority class of an event among those at the same instant: every `Setup` event runs before every `Normal`
/// one, whatever the order they were scheduled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Class {
    /// Changes of the world that the instant's other events must see (configuration changes on the timeline).
    Setup = 0,
    /// Everything else.
    Normal = 1,
}

/// Bits of the key below the time: two for the class, 62 for the insertion sequence.
const CLASS_SHIFT: u32 = 62;

/// Clock plus pending events.
pub struct Kernel<E> {
    now: SimTime,
    seq: u64,
    /// Events due within about a second.
    near: Wheel<E>,
    /// The others.
    far: Far<E>,
    processed: u64,
}

impl<E: Copy> Default for Kernel<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Kernel<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        Kernel { now: SimTime::ZERO, seq: 0, near: Wheel::new(), far: Far::new(), processed: 0 }
    }

    /// The current virtual time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedule `event` at `at` in class `Normal`; a time in the past is treated as now.
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        self.schedule_class_at(at, Class::Normal, event);
    }

    /// Schedule `event` at `at` in `class`; a time in the past is treated as now.
    #[inline]
    pub fn schedule_class_at(&mut self, at: SimTime, class: Class, event: E) {
        let at = if at < self.now { self.now } else { at };
        debug_assert!(self.seq < 1 << CLASS_SHIFT);
        let key = (u128::from(at.as_micros()) << 64) | (u128::from(class as u8) << CLASS_SHIFT) | u128::from(self.seq);
        self.seq += 1;
        let entry = Entry { key, event };
        let b = at.as_micros() >> SLOT_SHIFT;
        if self.near.fits(b) {
            self.near.push(b, entry);
        } else {
            self.far.push(entry);
        }
    }

    /// Schedule `event` after `delay`.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// The time of the next pending event.
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = match self.near.peek() {
            Some((_, n)) => n.min(self.far.min),
            None if self.far.len > 0 => self.far.min,
            None => return None,
        };
        Some(SimTime::from_micros((key >> 64) as u64))
    }

    /// Take the next event and advance the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<E> {
        let entry = match self.near.peek() {
            Some((i, n)) if n < self.far.min => self.near.pop_at(i),
            _ if self.far.len > 0 => self.far.pop()?,
            _ => return None,
        };
        self.now = SimTime::from_micros((entry.key >> 64) as u64);
        // Every pending event is at or after now, so the ring can start at now's bucket.
        self.near.cur = self.now.as_micros() >> SLOT_SHIFT;
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
        self.near.len + self.far.len
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
    fn setup_class_runs_first_at_an_instant() {
        let mut k = Kernel::new();
        k.schedule_at(SimTime::from_secs(1), "normal");
        k.schedule_class_at(SimTime::from_secs(1), Class::Setup, "setup");
        k.schedule_at(SimTime::from_secs(0), "earlier");
        k.schedule_class_at(SimTime::from_secs(2), Class::Setup, "later");
        let mut out = vec![];
        while let Some(e) = k.pop() {
            out.push(e);
        }
        assert_eq!(out, vec!["earlier", "setup", "normal", "later"]);
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

    #[test]
    fn ring_lanes_and_heap_match_a_sorted_reference() {
        // Interleaved pushes and pops at distances from 0 to minutes, many at the same instant: the kernel pops in
        // exactly the order of a reference that sorts by (time, insertion sequence).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut k = Kernel::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut popped = 0;
        for step in 0..200_000u64 {
            let r = next();
            if r % 5 < 3 || k.pending() == 0 {
                let delay = match r % 9 {
                    // Constant delays (the far lanes), as retries and timers use.
                    7 => 60_000_000,
                    8 => 120_000_000,
                    0 => 0,
                    1 => (r >> 8) % 1_000,
                    2 | 3 => (r >> 8) % 1_100_000,
                    4 => (r >> 8) % 3_000_000,
                    5 => 1_048_576 - 1_024 + (r >> 8) % 2_048,
                    _ => (r >> 8) % 200_000_000,
                };
                let at = k.now().as_micros() + delay;
                k.schedule_at(SimTime::from_micros(at), step);
                reference.push(Reverse((at, seq, step)));
                seq += 1;
            } else {
                let Reverse((at, _, want)) = reference.pop().unwrap();
                assert_eq!(k.peek_time(), Some(SimTime::from_micros(at)));
                assert_eq!(k.pop(), Some(want));
                assert_eq!(k.now().as_micros(), at);
                popped += 1;
            }
            assert_eq!(k.pending(), reference.len());
        }
        while let Some(Reverse((at, _, want))) = reference.pop() {
            assert_eq!(k.pop(), Some(want));
            assert_eq!(k.now().as_micros(), at);
        }
        assert_eq!(k.pop(), None);
        assert!(popped > 50_000);
    }
}
