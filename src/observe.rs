//! Observers of the typed trace: they read what the simulation emits and never steer it. Metrics, the
//! invariant monitor, expectations, time series, the Chrome trace and the ledger.

pub mod billing;
pub mod builtin;
pub mod chrome_trace;
pub mod expect;
pub mod ledger;
pub mod metrics;
pub mod monitor;
pub mod series;
pub mod sinks;
pub mod window;
