//! A map keyed by accept sequence number for events in flight, shared by the observers that follow events.

/// Values keyed by accept sequence number, for events in flight: a window from the oldest open event to the newest
/// (ids are handed out in increasing order). Memory follows the span of ids between the oldest event still in flight
/// and the newest.
///
/// A ring indexed by the id itself (`id & mask`): the window `[base, end)` always fits in the ring, which doubles when
/// it would not.
#[derive(Debug, Clone)]
pub struct EventWindow<T> {
    /// The oldest id held (when not empty).
    base: u64,
    /// One past the newest slot of the window.
    end: u64,
    ring: Vec<Option<T>>,
    len: usize,
}

impl<T> Default for EventWindow<T> {
    fn default() -> Self {
        EventWindow { base: 0, end: 0, ring: Vec::new(), len: 0 }
    }
}

impl<T: Copy> EventWindow<T> {
    #[inline]
    fn mask(&self) -> u64 {
        self.ring.len() as u64 - 1
    }

    /// Make room for ids up to `id` (the ring holds `[base, id]`).
    #[cold]
    fn grow(&mut self, id: u64) {
        let span = id - self.base + 1;
        let cap = span.next_power_of_two().max(64) as usize;
        let mut ring = vec![None; cap];
        let mask = cap as u64 - 1;
        if !self.ring.is_empty() {
            let old = self.mask();
            for i in self.base..self.end {
                ring[(i & mask) as usize] = self.ring[(i & old) as usize].take();
            }
        }
        self.ring = ring;
    }

    /// Adds `id`; false when it was there already, or is older than the window (then it is ignored).
    #[inline]
    pub fn insert(&mut self, id: u64, v: T) -> bool {
        if self.base == self.end {
            self.base = id;
            self.end = id;
        }
        if id < self.base {
            return false;
        }
        if id - self.base >= self.ring.len() as u64 {
            self.grow(id);
        }
        let mask = self.mask();
        if id >= self.end {
            // Slots between the old end and `id` are empty already: every slot outside the window is.
            self.end = id + 1;
        }
        let slot = &mut self.ring[(id & mask) as usize];
        let fresh = slot.is_none();
        if fresh {
            self.len += 1;
        }
        *slot = Some(v);
        fresh
    }
    #[inline]
    pub fn get(&self, id: u64) -> Option<&T> {
        if id < self.base || id >= self.end {
            return None;
        }
        self.ring[(id & self.mask()) as usize].as_ref()
    }
    #[inline]
    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        if id < self.base || id >= self.end {
            return None;
        }
        let mask = self.mask();
        self.ring[(id & mask) as usize].as_mut()
    }
    #[inline]
    pub fn remove(&mut self, id: u64) -> Option<T> {
        if id < self.base || id >= self.end {
            return None;
        }
        let mask = self.mask();
        let v = self.ring[(id & mask) as usize].take();
        if v.is_some() {
            self.len -= 1;
        }
        while self.base < self.end && self.ring[(self.base & mask) as usize].is_none() {
            self.base += 1;
        }
        v
    }
    /// Events held.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The ids held, in increasing order.
    pub fn ids(&self) -> Vec<u64> {
        (self.base..self.end).filter(|i| self.get(*i).is_some()).collect()
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
        assert_eq!(w.end - w.base, 7);
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
}
