//! The built-in observers of every run behind one [`Observer`]: the trace digest, metrics, the invariant monitor,
//! expectations, the optional trace and sink writers, then the caller's own observers, each fed every trace event in
//! that order.

use crate::kernel::time::SimTime;
use crate::observe::expect::ExpectObserver;
use crate::observe::metrics::Metrics;
use crate::observe::monitor::Monitor;
use crate::observe::sinks::{SinkWriter, TraceWriter};
use crate::trace::{Ctx, Digest, Observer, TraceEvent};

/// Every built-in observer plus the caller's own.
pub struct Observers<'a> {
    /// The trace digest.
    pub digest: Digest,
    /// Run metrics.
    pub metrics: Metrics,
    /// The invariant monitor.
    pub monitor: Monitor,
    /// The scenario's expectations.
    pub expect: ExpectObserver,
    /// The `--trace` writer, if asked for.
    pub trace: Option<TraceWriter>,
    /// The sink writer (`--sinks`), if asked for.
    pub sinks: Option<SinkWriter>,
    /// The caller's own observers.
    pub extra: Vec<&'a mut dyn Observer>,
}

impl Observer for Observers<'_> {
    /// The digest reads every event; each other observer only the kinds it declared (`Observer::interest`), so an
    /// event that concerns none of them costs a bit test each.
    #[inline]
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        let bit = 1u64 << ev.kind();
        self.digest.add(t, ev);
        if Metrics::INTEREST & bit != 0 {
            self.metrics.on_event(t, ev, ctx);
        }
        if Monitor::INTEREST & bit != 0 {
            self.monitor.on_event(t, ev, ctx);
        }
        if self.expect.interest().0 & bit != 0 {
            self.expect.on_event(t, ev, ctx);
        }
        if self.trace.is_some() || self.sinks.is_some() || !self.extra.is_empty() {
            self.write(t, ev, ctx);
        }
    }
    fn wants_content(&self) -> bool {
        self.sinks.is_some()
            || self.expect.wants_content()
            || self.trace.as_ref().is_some_and(|t| t.wants_content())
            || self.extra.iter().any(|o| o.wants_content())
    }
}

impl Observers<'_> {
    /// The writers and the caller's observers (out of the loop's way when there are none).
    #[inline(never)]
    fn write(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let Some(w) = &mut self.trace {
            w.on_event(t, ev, ctx);
        }
        if let Some(s) = &mut self.sinks {
            s.on_event(t, ev, ctx);
        }
        for o in self.extra.iter_mut() {
            if o.interest().wants(ev) {
                o.on_event(t, ev, ctx);
            }
        }
    }
}
