//! The run budget: how much work one run may do before it stops with an error instead of running away (issue 17).
//! No AWS behaviour: AWS bills a runaway loop, a simulator must end it. Where AWS has a rule that ends a loop
//! (recursive-loop detection, spec 2), that rule applies first; the budget ends everything else.
//!
//! Two limits, both from one number `max_events` (0: none):
//! - **kernel events processed** (every arrival, attempt end, retry, poll, tick, ... is one): at most `max_events`;
//! - **live state** (invocations without a fate plus pending kernel events): at most `max_events / LIVE_DIVISOR`, which
//!   bounds memory (about 330 bytes per queued invocation, measured on a throttled `Every` workload).
//!
//! What is known before the run is checked before anything is allocated ([`preflight`]): the arrivals of each
//! workload entry (its horizon over its interval, its rate times its span, its count) and the ticks of each scheduled
//! rule up to `Simulation.DurationSeconds`, each named by its JSON path.

use std::fmt;

use crate::kernel::time::SimTime;
use crate::model::Model;

/// The default budget: 50 million kernel events. No bundled scenario comes near it (the largest, benchmark B1, has
/// 2.2 million); a release build runs it in 10 s to 5 min depending on the services involved.
pub const DEFAULT_MAX_EVENTS: u64 = 50_000_000;

/// The live state (invocations without a fate plus pending kernel events) may reach `max_events / LIVE_DIVISOR`
/// (1,000,000 with the default budget).
pub const LIVE_DIVISOR: u64 = 50;

/// A run that would exceed, or exceeded, its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetExceeded {
    /// The JSON path of the field that asks for the work, when it is known before the run.
    pub path: Option<String>,
    /// What grew past its limit, in words ("kernel events processed", "arrivals of this workload entry", ...).
    pub what: String,
    /// How large it got (or would get).
    pub reached: u64,
    /// Its limit.
    pub limit: u64,
    /// The budget the limit comes from (`max_events`).
    pub max_events: u64,
    /// The virtual time the run had reached when it stopped (`None`: refused before the run).
    pub at: Option<SimTime>,
}

impl fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        write!(f, "{} {} exceed the limit of {}", self.what, group(self.reached), group(self.limit))?;
        match self.at {
            Some(t) => write!(f, "; the run stopped at virtual time {t}")?,
            None => write!(f, "; refused before the run")?,
        }
        write!(
            f,
            " (budget --max-events {}; allow more with a larger --max-events or RunOptions::max_events, 0 for no limit)",
            group(self.max_events)
        )
    }
}

impl std::error::Error for BudgetExceeded {}

/// `n` with thousands separators.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The live-state limit of a budget (0: none).
pub fn live_limit(max_events: u64) -> u64 {
    if max_events == 0 {
        0
    } else {
        (max_events / LIVE_DIVISOR).max(10_000)
    }
}

/// Check what the model asks for before the run: the arrivals of each workload entry and each scheduled rule's ticks
/// against `max_events` (0: no check), a burst that arrives at once against the live limit.
pub fn preflight(model: &Model, max_events: u64) -> Result<(), BudgetExceeded> {
    if max_events == 0 {
        return Ok(());
    }
    let refuse = |w: &crate::model::WorkEstimate, limit: u64, what: &str| BudgetExceeded {
        path: Some(w.path.clone()),
        what: format!("{what} ({})", w.what),
        reached: w.count,
        limit,
        max_events,
        at: None,
    };
    let mut total = 0u64;
    for w in &model.settings.work {
        if w.count > max_events {
            return Err(refuse(w, max_events, "events"));
        }
        if w.at_once > live_limit(max_events) {
            let mut e = refuse(w, live_limit(max_events), "invocations at one instant");
            e.reached = w.at_once;
            return Err(e);
        }
        total = total.saturating_add(w.count);
    }
    if total > max_events {
        let biggest = model.settings.work.iter().max_by_key(|w| w.count);
        return Err(BudgetExceeded {
            path: biggest.map(|w| w.path.clone()),
            what: "events of all workload entries and schedules together (this one is the largest)".into(),
            reached: total,
            limit: max_events,
            max_events,
            at: None,
        });
    }
    Ok(())
}
