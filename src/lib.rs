// The crate docs are the README (its Rust blocks run as doctests: `cargo test --doc`). Modules cite the AWS behaviour
// they implement as sections of `docs/semantics.md` ("spec N.M"); `docs/architecture.md` describes the layers.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod aws;
pub mod campaign;
pub mod handler;
// The engine: the virtual clock, the event queue and the seeded streams (`kernel`), and the simulation loop with
// its services (`sim`). Library users drive it through `run`; its types stay inside the crate.
pub(crate) mod kernel;
pub mod model;
pub mod observe;
pub mod report;
pub mod run;
pub mod scenario;
pub(crate) mod sim;
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
