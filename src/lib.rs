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

pub mod chrome_trace;
pub mod compare;
pub mod cron;
pub mod destinations;
pub mod dist;
pub mod error;
pub mod esm_metrics;
pub mod expect;
pub mod explore;
pub mod fanout_metrics;
pub mod firehose_metrics;
pub mod kernel;
pub mod metrics;
pub mod model;
pub mod monitor;
pub mod observers;
pub mod pattern;
pub mod payload;
pub mod report_html;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod series;
pub mod shrink;
pub mod sim;
pub mod sources;
pub mod strategies;
pub mod sweep;
pub mod time;
pub mod trace;
pub mod versions;
pub mod window;

pub use error::{ScenarioError, ScenarioErrors};
pub use model::{load_str, parse_scenario, Model};
pub use observers::{Ledger, LedgerEntry, TraceLog};
pub use run::{run, MemorySinks, RunOptions, RunReport, TraceWriter};
pub use scenario::Scenario;
pub use time::SimTime;
pub use trace::{Fate, Observer, TraceEvent};
