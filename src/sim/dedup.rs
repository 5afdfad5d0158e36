//! The deduplication window of FIFO queues and topics (spec 5.2 for SQS FIFO queues; SNS FIFO topics drop a repeated
//! deduplication id the same way): the ids seen in the last 5 minutes, forgotten as simulated time passes.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::kernel::time::SimTime;

/// FIFO deduplication interval (SQS: 5 minutes).
const DEDUP_WINDOW: SimTime = SimTime::from_secs(300);

/// The deduplication ids seen in the last `DEDUP_WINDOW` (SQS FIFO queues, SNS FIFO topics): id -> when, and the
/// order they came in, so old ones are forgotten as time passes.
#[derive(Debug, Default)]
pub(super) struct DedupWindow {
    seen: BTreeMap<Arc<str>, SimTime>,
    order: VecDeque<(SimTime, Arc<str>)>,
}

impl DedupWindow {
    /// Whether `id` was seen within the window before `now` (ids older than the window are forgotten first).
    pub(super) fn contains(&mut self, id: &str, now: SimTime) -> bool {
        while self.order.front().is_some_and(|(t, _)| now - *t >= DEDUP_WINDOW) {
            let (t, k) = self.order.pop_front().expect("front");
            if self.seen.get(&k) == Some(&t) {
                self.seen.remove(&k);
            }
        }
        self.seen.contains_key(id)
    }

    /// `id` is seen at `now`.
    pub(super) fn insert(&mut self, id: &Arc<str>, now: SimTime) {
        self.seen.insert(Arc::clone(id), now);
        self.order.push_back((now, Arc::clone(id)));
    }
}
