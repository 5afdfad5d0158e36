//! # lambdasim
//!
//! A deterministic discrete-event simulator and property-testing harness for AWS Lambda invocation semantics. The
//! same scenario and seed give the same run, byte for byte. See `README.md` for the scenario format and
//! `../shared/spec/lambda-semantics.md` for the AWS behaviour each module implements.
//!
//! ```no_run
//! let text = std::fs::read_to_string("scenarios/async-retries-to-destinations.json").unwrap();
//! let model = lambdasim::load_str(&text).expect("valid scenario");
//! let report = lambdasim::run(&model, 7, lambdasim::RunOptions::default()).unwrap();
//! assert!(report.expectations_passed());
//! ```

pub mod aws;
pub mod campaign;
pub mod kernel;
pub mod model;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod trace;
pub mod vocab;

// Old flat paths, kept while the layout moves; removed when every import uses the layered paths.
#[doc(hidden)]
pub use aws::{cron, destinations, events as sources, pattern, payload};
#[doc(hidden)]
pub use campaign::{compare, explore, shrink, strategies, sweep};
#[doc(hidden)]
pub use kernel::{rng, time};
#[doc(hidden)]
pub use model::{dist, error, versions};
#[doc(hidden)]
pub use observe::metrics::{esm as esm_metrics, fanout as fanout_metrics, firehose as firehose_metrics};
#[doc(hidden)]
pub use observe::{chrome_trace, expect, ledger as observers, metrics, monitor, series, window};
#[doc(hidden)]
pub use report::html as report_html;

pub use error::{ScenarioError, ScenarioErrors};
pub use model::{load_str, parse_scenario, Model};
pub use observe::sinks::{MemorySinks, TraceWriter};
pub use observers::{Ledger, LedgerEntry, TraceLog};
pub use run::{run, RunOptions, RunReport};
pub use scenario::Scenario;
pub use time::SimTime;
pub use trace::{Fate, Observer, TraceEvent};
