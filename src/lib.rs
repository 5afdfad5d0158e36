// The crate docs are the README (its Rust blocks run as doctests: `cargo test --doc`). Modules cite the AWS behaviour
// they implement as sections of `docs/semantics.md` ("spec N.M"); `docs/architecture.md` describes the layers.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

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
