//! DocumentDB change streams at run time (spec 5.7): what differs from the other streams the stream poller reads
//! (`streams.rs`). Changes that expire before the mapping read them disable it.

use super::records::Rec;
use crate::sim::Sim;
use crate::trace::Observer;

impl<'m, O: Observer> Sim<'m, O> {
    /// Changes of a DocumentDB change stream expired before the mapping read them: Lambda disables the mapping
    /// (spec 5.7, DocumentDB using-lambda.html: "In case the events in the change stream have expired, Lambda will
    /// disable the event source mapping"). Its later changes are not read (they expire, or are in flight at the end).
    pub(super) fn docdb_expired(&mut self, lane: u32) {
        let l = &mut self.esm.lanes[lane as usize];
        let mid = l.mapping;
        if !self.model.esm.stream(l.stream).is_docdb() || !self.esm.enabled[mid.ix()] {
            return;
        }
        // The batch being retried goes back in front of the pending records, to expire with them.
        let mut back: Vec<Rec> = l.current.take().map(|(c, _)| c).unwrap_or_default();
        for (h, _) in l.splits.drain(..).rev() {
            back.extend(h);
        }
        for r in back.into_iter().rev() {
            l.pending.push_front(r);
        }
        self.esm_set_enabled(mid, false);
    }
}
