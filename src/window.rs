//! A map keyed by accept sequence number for events in flight, shared by the observers that follow events.

use std::collections::VecDeque;

/// Values keyed by accept sequence number, for events in flight: a window from the oldest open event to the newest
/// (ids are handed out in increasing order). Memory follows the span of ids between the oldest event still in flight
/// and the newest.
#[derive(Debug, Clone)]
pub struct EventWindow<T> {
    base: u64,
    slots: VecDeque<Option<T>>,
    len: usize,
}

impl<T> Default for EventWindow<T> {
    fn default() -> Self {
        EventWindow { base: 0, slots: VecDeque::new(), len: 0 }
    }
}

impl<T: Copy> EventWindow<T> {
    /// Adds `id`; false when it was there already, or is older than the window (then it is ignored).
    pub fn insert(&mut self, id: u64, v: T) -> bool {
        if self.slots.is_empty() {
            self.base = id;
        }
        let Some(i) = id.checked_sub(self.base) else { return false };
        let i = i as usize;
        if i == self.slots.len() {
            // The common case: the newest event.
            self.slots.push_back(None);
        } else if i > self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        let fresh = self.slots[i].is_none();
        if fresh {
            self.len += 1;
        }
        self.slots[i] = Some(v);
        fresh
    }
    pub fn get(&self, id: u64) -> Option<&T> {
        let i = id.checked_sub(self.base)? as usize;
        self.slots.get(i)?.as_ref()
    }
    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let i = id.checked_sub(self.base)? as usize;
        self.slots.get_mut(i)?.as_mut()
    }
    pub fn remove(&mut self, id: u64) -> Option<T> {
        let i = id.checked_sub(self.base)? as usize;
        let v = self.slots.get_mut(i)?.take();
        if v.is_some() {
            self.len -= 1;
        }
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
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
        self.slots.iter().enumerate().filter(|(_, o)| o.is_some()).map(|(i, _)| self.base + i as u64).collect()
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
        assert_eq!(w.slots.len(), 7);
    }
}
