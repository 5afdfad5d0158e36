//! A map keyed by accept sequence number for events in flight, shared by the observers that follow events.

/// Ids per chunk: 2^10.
const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;
const WORDS: usize = CHUNK / 64;
/// Chunks of recent ids kept at most (16,384 ids); older events still in flight move to a sorted list.
const MAX_CHUNKS: u64 = 16;
const SLOT_MASK: u64 = MAX_CHUNKS - 1;

/// A run of `CHUNK` consecutive ids: which of them are held, how many, and their values.
#[derive(Debug, Clone)]
struct Chunk<T> {
    bits: [u64; WORDS],
    count: u32,
    vals: [T; CHUNK],
}

/// An event older than the chunks (`live` false once removed).
#[derive(Debug, Clone, Copy)]
struct OldEntry<T> {
    id: u64,
    live: bool,
    v: T,
}

/// Old events, sorted by id: they arrive in id order (the oldest chunk goes first), so a push appends, a lookup is a
/// binary search over one contiguous slice, and a removal marks the entry (the front is skipped by moving `head`,
/// and the entries are compacted when the removed outnumber the live, so memory follows the live ones).
#[derive(Debug, Clone)]
struct Old<T> {
    /// Entries `head..` are the list; those before `head` are removed ones not yet dropped.
    entries: Vec<OldEntry<T>>,
    head: usize,
    /// Removed entries at or after `head`.
    dead: usize,
}

impl<T: Copy> Old<T> {
    #[inline]
    fn live(&self) -> &[OldEntry<T>] {
        &self.entries[self.head..]
    }

    /// The index in `entries` of `id`, or where it would go.
    #[inline]
    fn find(&self, id: u64) -> Result<usize, usize> {
        match self.live().binary_search_by_key(&id, |e| e.id) {
            Ok(i) => Ok(self.head + i),
            Err(i) => Err(self.head + i),
        }
    }

    /// Adds an id that is not held (at the back, unless it is older than the newest).
    fn push(&mut self, id: u64, v: T) {
        let e = OldEntry { id, live: true, v };
        match self.live().last() {
            Some(b) if b.id >= id => match self.find(id) {
                Ok(i) => {
                    self.entries[i] = e;
                    self.dead -= 1;
                }
                Err(i) => self.entries.insert(i, e),
            },
            _ => self.entries.push(e),
        }
    }

    fn get(&self, id: u64) -> Option<&T> {
        let e = &self.entries[self.find(id).ok()?];
        e.live.then_some(&e.v)
    }

    fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let i = self.find(id).ok()?;
        let e = &mut self.entries[i];
        e.live.then_some(&mut e.v)
    }

    fn remove(&mut self, id: u64) -> Option<T> {
        let i = self.find(id).ok()?;
        let e = &mut self.entries[i];
        if !e.live {
            return None;
        }
        e.live = false;
        let v = e.v;
        self.dead += 1;
        while self.head < self.entries.len() && !self.entries[self.head].live {
            self.head += 1;
            self.dead -= 1;
        }
        if self.head == self.entries.len() {
            self.entries.clear();
            self.head = 0;
        } else if self.head > 1024 && self.head > self.entries.len() / 2 {
            self.entries.drain(..self.head);
            self.head = 0;
        }
        if self.dead > 1024 && self.dead > (self.entries.len() - self.head) / 2 {
            self.compact();
        }
        Some(v)
    }

    #[cold]
    #[inline(never)]
    fn compact(&mut self) {
        self.entries.drain(..self.head);
        self.entries.retain(|e| e.live);
        self.head = 0;
        self.dead = 0;
    }

    /// The oldest live id.
    fn first(&self) -> Option<u64> {
        self.live().first().map(|e| e.id)
    }

    /// Entries held (live, and removed ones not yet dropped).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.entries.len() - self.head
    }
}

/// Values keyed by accept sequence number, for events in flight (ids are handed out in increasing order). Memory
/// follows the number of events in flight, not the length of the run nor the span of ids in flight.
///
/// Recent ids live in a ring of 16 chunks of 1,024 consecutive ids (chunk `n` in slot `n % 16`), each with a bitmap of
/// the ids it holds: a lookup is a shift, a mask and a bit test, and an entry costs only its value (no `Option` tag,
/// no hashing). When the newest id needs a chunk 16 or more beyond the oldest, the oldest chunk's events still in
/// flight (events that live long: retries minutes later) move to a sorted list, and its slot is reused, as is the slot
/// of a chunk whose events have all ended: a long run reuses the same slots (no reallocation, no copy, no fresh
/// pages).
#[derive(Debug, Clone)]
pub struct EventWindow<T> {
    /// Chunk numbers (`id >> CHUNK_BITS`) `first .. last` are in the ring (`last - first <= MAX_CHUNKS`).
    first: u64,
    last: u64,
    /// The ring's slots, allocated as first needed.
    slots: Vec<Box<Chunk<T>>>,
    /// Events older than the chunks: the events still in flight among them, sorted by id.
    old: Old<T>,
    /// One past the newest id added.
    end: u64,
    len: usize,
}

impl<T> Default for EventWindow<T> {
    fn default() -> Self {
        EventWindow { first: 0, last: 0, slots: Vec::new(), old: Old { entries: Vec::new(), head: 0, dead: 0 }, end: 0, len: 0 }
    }
}

impl<T: Copy> EventWindow<T> {
    #[inline]
    fn held(c: &Chunk<T>, j: usize) -> bool {
        c.bits[j / 64] & (1 << (j % 64)) != 0
    }

    /// The slot of chunk `n` (in the ring).
    #[inline]
    fn slot(&self, n: u64) -> &Chunk<T> {
        &self.slots[(n & SLOT_MASK) as usize]
    }

    #[inline]
    fn slot_mut(&mut self, n: u64) -> &mut Chunk<T> {
        &mut self.slots[(n & SLOT_MASK) as usize]
    }

    /// Bring chunk `n` (at or after `last`) into the ring: the oldest chunks' events move to `old` when the ring would
    /// span more than `MAX_CHUNKS`; slots are allocated when first needed. `fill` is any value (slots are unset until
    /// inserted).
    #[cold]
    #[inline(never)]
    fn extend_to(&mut self, n: u64, fill: T) {
        while n - self.first >= MAX_CHUNKS {
            if self.first < self.last {
                let start = self.first << CHUNK_BITS;
                let chunk = &mut self.slots[(self.first & SLOT_MASK) as usize];
                for (w, word) in chunk.bits.iter_mut().enumerate() {
                    let mut bits = std::mem::take(word);
                    while bits != 0 {
                        let j = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        self.old.push(start + j as u64, chunk.vals[j]);
                    }
                }
                chunk.count = 0;
                self.first += 1;
            } else {
                // The ring is empty: it starts at chunk `n`.
                self.first = n;
                self.last = n;
            }
        }
        // The slots of chunks `first ..= n`: up to `n`'s, or all of them once the chunk numbers wrap around the ring.
        let need = if self.first & SLOT_MASK <= n & SLOT_MASK { (n & SLOT_MASK) + 1 } else { MAX_CHUNKS };
        while (self.slots.len() as u64) < need {
            self.slots.push(Box::new(Chunk { bits: [0; WORDS], count: 0, vals: [fill; CHUNK] }));
        }
        // Slots between the old last and `n` are clear: every slot outside the ring is.
        self.last = n + 1;
    }

    /// Adds `id`; false when it was there already (its value is replaced), or is older than every event held (then it
    /// is ignored).
    #[inline]
    pub fn insert(&mut self, id: u64, v: T) -> bool {
        if self.len == 0 {
            // Empty: the ring starts again at `id`'s chunk (every slot is clear).
            self.first = id >> CHUNK_BITS;
            self.last = self.first;
            self.end = id;
        }
        if id < self.end {
            return self.insert_older(id, v);
        }
        self.end = id + 1;
        let n = id >> CHUNK_BITS;
        if n >= self.last {
            self.extend_to(n, v);
        }
        let j = (id as usize) & (CHUNK - 1);
        let chunk = self.slot_mut(n);
        chunk.bits[j / 64] |= 1 << (j % 64);
        chunk.vals[j] = v;
        chunk.count += 1;
        self.len += 1;
        true
    }

    /// Adds an id older than the newest (rare: ids come in increasing order).
    #[cold]
    #[inline(never)]
    fn insert_older(&mut self, id: u64, v: T) -> bool {
        if let Some(x) = self.get_mut(id) {
            *x = v;
            return false;
        }
        let oldest = self.old.first().or_else(|| self.ids().first().copied());
        if oldest.is_none_or(|oldest| id < oldest) {
            return false;
        }
        let n = id >> CHUNK_BITS;
        if n < self.first {
            self.old.push(id, v);
        } else {
            let j = (id as usize) & (CHUNK - 1);
            let chunk = self.slot_mut(n);
            chunk.bits[j / 64] |= 1 << (j % 64);
            chunk.vals[j] = v;
            chunk.count += 1;
        }
        self.len += 1;
        true
    }

    #[inline]
    /// The entry of event `id`, if it is in the window.
    pub fn get(&self, id: u64) -> Option<&T> {
        let n = id >> CHUNK_BITS;
        if n >= self.first {
            if n >= self.last {
                return None;
            }
            let j = (id as usize) & (CHUNK - 1);
            let chunk = self.slot(n);
            Self::held(chunk, j).then(|| &chunk.vals[j])
        } else {
            self.old.get(id)
        }
    }

    #[inline]
    /// The entry of event `id`, mutably.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let n = id >> CHUNK_BITS;
        if n >= self.first {
            if n >= self.last {
                return None;
            }
            let j = (id as usize) & (CHUNK - 1);
            let chunk = self.slot_mut(n);
            if Self::held(chunk, j) {
                Some(&mut chunk.vals[j])
            } else {
                None
            }
        } else {
            self.old.get_mut(id)
        }
    }

    #[inline]
    /// Takes out the entry of event `id`.
    pub fn remove(&mut self, id: u64) -> Option<T> {
        let n = id >> CHUNK_BITS;
        if n < self.first {
            let v = self.old.remove(id);
            self.len -= usize::from(v.is_some());
            return v;
        }
        if n >= self.last {
            return None;
        }
        let j = (id as usize) & (CHUNK - 1);
        let chunk = self.slot_mut(n);
        if !Self::held(chunk, j) {
            return None;
        }
        chunk.bits[j / 64] &= !(1 << (j % 64));
        chunk.count -= 1;
        let (v, emptied) = (chunk.vals[j], chunk.count == 0);
        self.len -= 1;
        if emptied && n == self.first {
            // The oldest chunks hold nothing now: their slots are free (the newest stays, ids go there next).
            while self.first + 1 < self.last && self.slot(self.first).count == 0 {
                self.first += 1;
            }
        }
        Some(v)
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.len
    }
    /// No entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The ids held, in increasing order.
    pub fn ids(&self) -> Vec<u64> {
        let mut out: Vec<u64> = self.old.live().iter().filter(|e| e.live).map(|e| e.id).collect();
        for n in self.first..self.last {
            let start = n << CHUNK_BITS;
            for (w, word) in self.slot(n).bits.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    out.push(start + (w * 64) as u64 + u64::from(bits.trailing_zeros()));
                    bits &= bits - 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_window_follows_the_oldest_open_event() {
        let mut w: EventWindow<u8> = EventWindow::default();
        for i in 10..20 {
            assert!(w.insert(i, i as u8));
        }
        assert!(!w.insert(3, 0));
        assert_eq!(w.remove(10), Some(10));
        assert_eq!(w.remove(12), Some(12));
        assert_eq!(w.get(12), None);
        assert_eq!(w.len(), 8);
        assert_eq!(w.remove(11), Some(11));
        assert_eq!(w.ids().len(), 7);
        assert_eq!(w.ids(), (13..20).collect::<Vec<_>>());
    }

    #[test]
    fn event_window_grows_and_wraps() {
        let mut w: EventWindow<u64> = EventWindow::default();
        let mut open = std::collections::BTreeMap::new();
        for i in 0..2000u64 {
            assert!(w.insert(i, i * 3));
            open.insert(i, i * 3);
            // Keep every seventh event open for a while, close the rest soon.
            if i >= 5 && (i - 5) % 7 != 0 {
                assert_eq!(w.remove(i - 5), open.remove(&(i - 5)));
            }
            if i >= 300 && (i - 300) % 7 == 0 {
                assert_eq!(w.remove(i - 300), open.remove(&(i - 300)));
            }
            assert_eq!(w.len(), open.len());
        }
        assert_eq!(w.ids(), open.keys().copied().collect::<Vec<_>>());
        for (k, v) in &open {
            assert_eq!(w.get(*k), Some(v));
        }
        assert_eq!(w.get(1), None);
        assert!(!w.insert(0, 0));
    }

    #[test]
    fn event_window_reuses_its_chunks_over_a_long_run() {
        // A million events, each open for 5,000 ids: the window never holds more than a few chunks, and the chunks
        // left behind are reused rather than allocated again.
        let mut w: EventWindow<u32> = EventWindow::default();
        for i in 0..1_000_000u64 {
            assert!(w.insert(i, i as u32));
            if i >= 5_000 {
                assert_eq!(w.remove(i - 5_000), Some((i - 5_000) as u32));
            }
            assert!(w.slots.len() as u64 <= MAX_CHUNKS && w.last - w.first <= 6);
        }
        assert_eq!(w.len(), 5_000);
        assert_eq!(w.get(994_999), None);
        assert_eq!(w.get(995_000), Some(&995_000));
        assert_eq!(w.ids().len(), 5_000);
        // Emptied, then started again at an older id: allowed, as for a fresh window.
        for i in 995_000..1_000_000u64 {
            w.remove(i);
        }
        assert!(w.is_empty());
        assert!(w.insert(7, 7));
        assert_eq!(w.get(7), Some(&7));
        assert!(!w.insert(7, 8));
        assert_eq!(w.get(7), Some(&8));
    }

    #[test]
    fn long_lived_events_move_to_the_sorted_list_and_stay_reachable() {
        // Every tenth event lives 200,000 ids (as retries minutes later do), the rest 500: the chunks stay within
        // MAX_CHUNKS, the long-lived events are found, updated and removed wherever they are.
        let mut w: EventWindow<u64> = EventWindow::default();
        let mut open = std::collections::BTreeMap::new();
        for i in 0..600_000u64 {
            assert!(w.insert(i, i));
            open.insert(i, i);
            if i >= 500 && (i - 500) % 10 != 0 {
                assert_eq!(w.remove(i - 500), open.remove(&(i - 500)));
            }
            if i >= 200_000 && (i - 200_000) % 10 == 0 {
                let id = i - 200_000;
                *w.get_mut(id).expect("long-lived event") += 1;
                assert_eq!(w.remove(id), Some(id + 1));
                open.remove(&id);
            }
            assert!(w.last - w.first <= MAX_CHUNKS && w.slots.len() as u64 <= MAX_CHUNKS);
            assert_eq!(w.len(), open.len());
        }
        assert!(w.old.held() > 0);
        assert_eq!(w.ids(), open.keys().copied().collect::<Vec<_>>());
        for (k, v) in &open {
            assert_eq!(w.get(*k), Some(v));
        }
        // Older than every event held: ignored. An id between old events that is not held: added.
        assert!(!w.insert(0, 0));
        let oldest = *open.keys().next().unwrap();
        assert!(w.insert(oldest + 1, 7));
        assert_eq!(w.get(oldest + 1), Some(&7));
        assert!(!w.insert(oldest, 9));
        assert_eq!(w.get(oldest), Some(&9));
    }

    #[test]
    fn one_event_in_flight_for_the_whole_run_does_not_keep_the_others() {
        // Event 0 never ends; every other event lives 20,000 ids: the old list is compacted, so it holds about the
        // events in flight, not every event since event 0.
        let mut w: EventWindow<u32> = EventWindow::default();
        for i in 0..500_000u64 {
            w.insert(i, 1);
            if i >= 20_000 && i - 20_000 > 0 {
                assert_eq!(w.remove(i - 20_000), Some(1));
            }
            assert!(w.old.entries.len() <= 2 * 20_000 + 2_100, "{} old entries at {i}", w.old.entries.len());
        }
        assert_eq!(w.len(), 20_001);
        assert_eq!(w.get(0), Some(&1));
    }
}
