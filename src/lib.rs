//! # lambdasim
//!
//! A deterministic discrete-event simulator and property-testing harness for AWS Lambda invocation semantics. The
//! same scenario and seed give the same run, byte for byte. See `README.md` for the scenario format and
//! `docs/semantics.md` for the AWS behaviour each module implements (modules cite its sections as "spec N.M"), and
//! `docs/architecture.md` for the layers.
//!
//! ```no_run
//! let text = std::fs::read_to_string("scenarios/async-retries-to-destinations.json").unwrap();
//! let model = lambdasim::load_str(&text).expect("valid scenario");
//! let report = lambdasim::run(&model, 7, lambdasim::RunOptions::default()).unwrap();
//! assert!(report.expectations_passed());
//! ```

pub mod aws;
pub mod campaign;
pub mod handler;
pub mod kernel;
pub mod model;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod template;
pub mod trace;
pub mod vocab;

pub use kernel::time::SimTime;
pub use model::error::{ScenarioError, ScenarioErrors};
pub use model::{load_file, load_str, parse_scenario, read_file, Model};
pub use observe::ledger::{Ledger, LedgerEntry, TraceLog};
pub use observe::sinks::{MemorySinks, TraceWriter};
pub use run::{run, RunOptions, RunReport};
pub use scenario::Scenario;
pub use trace::{Observer, TraceEvent};
pub use vocab::Fate;
