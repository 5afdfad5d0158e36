//! Ready-made observers for users' own tests: the ledger of fates and the whole trace, kept in memory. (For long runs
//! prefer your own `Observer` that keeps only what it checks: these grow with the run.)

use crate::kernel::time::SimTime;
use crate::model::FnId;
use crate::trace::{Ctx, Observer, TraceEvent};
use crate::vocab::Fate;

/// One event's entry in the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    /// The invocation's accept sequence number.
    pub event: u64,
    /// Its request id, as the trace shows it.
    pub request_id: String,
    /// The function's name.
    pub function: String,
    /// The function's index in the model.
    pub function_id: FnId,
    /// Its final fate.
    pub fate: Fate,
    /// Executions it took (attempts that ran).
    pub executions: u32,
    /// When it was accepted.
    pub accepted_at: SimTime,
    /// When its fate was decided.
    pub ended_at: SimTime,
}

/// Every event's fate, in the order fates happen.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// The entries, in the order fates happened.
    pub entries: Vec<LedgerEntry>,
}

impl Ledger {
    /// Entries of one fate.
    pub fn with_fate(&self, fate: Fate) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter().filter(move |e| e.fate == fate)
    }
}

impl Observer for Ledger {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, ctx: &Ctx<'_>) {
        if let TraceEvent::Fate { event, rid, function, fate, attempts, latency, .. } = ev {
            self.entries.push(LedgerEntry {
                event: *event,
                request_id: crate::aws::ids::request_id(ctx.seed, *rid),
                function: ctx.model.function(*function).name.clone(),
                function_id: *function,
                fate: *fate,
                executions: *attempts,
                accepted_at: t - *latency,
                ended_at: t,
            });
        }
    }
}

/// The whole trace: `(time, event)` in order.
#[derive(Debug, Default, Clone)]
pub struct TraceLog {
    /// Every `(time, event)` pair, in order.
    pub events: Vec<(SimTime, TraceEvent)>,
}

impl Observer for TraceLog {
    fn on_event(&mut self, t: SimTime, ev: &TraceEvent, _ctx: &Ctx<'_>) {
        self.events.push((t, ev.clone()));
    }
}
